"""`make floors` and `make newest`: the package on the oldest and the newest versions it claims.

- floors: the oldest Python that ``requires-python`` allows, and every dependency at its
  lower bound exactly (.ci/floors.txt, pip constraints).
- newest: the newest Python allowed, and every dependency at the newest version its range
  allows (upgraded on every run, so a new release inside a range is tried at once).

Each stage keeps its own virtual environment in .ci/venvs/ (pip's download cache makes a
rebuild quick), installs the package from a copy of this checkout (a wheel, as a learner
gets it) with its ``[test]`` extra, prints the versions it got, runs the unit tests and
then executes every notebook top to bottom in a fresh kernel. Outputs are not compared:
other versions print other last digits; strict nbval on the pinned versions does that.

    python .ci/versions.py floors|newest
    FLOORS_PYTHON=/path/to/python3.11 python .ci/versions.py floors   # another interpreter
"""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / ".ci" / "venvs"
FLOORS = ROOT / ".ci" / "floors.txt"
# Tests of what a learner's install does not have: the class hub and its logins, the image
# it is deployed in (repo2docker), nbgrader's exercises, Keras 2 (tf-keras), a browser,
# JupyterLab's server (the lab/ folder), and the cross-CPU records, which describe the
# pinned environment the stored outputs were made in.
NOT_LEARNER_TESTS = [
    "tests/browser",
    "tests/test_class_hub.py",
    "tests/test_class_logins.py",
    "tests/test_deploy.py",
    "tests/test_exercises.py",
    "tests/test_tf_keras_legacy.py",
    "tests/test_lab_folder.py",
    "tests/cpu",
]
# The stage installs a wheel itself; these tests build one in the checkout, which would race
# with the unit stage building it there at the same time.
IN_TREE_BUILD = "tests/test_installed_package.py"
# Packages whose versions the stage prints: what the notebooks run on.
SHOWN = [
    "tensorflow-cpu",
    "tensorflow",
    "keras",
    "jax",
    "jaxlib",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "scipy",
    "pillow",
    "ipywidgets",
    "ipykernel",
    "nbclient",
    "pytest",
]
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venvs",
    "node",
    "build",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
)
NOTEBOOK_TIMEOUT_S = 900


def claimed_pythons():
    """``(oldest, newest)`` minor versions of Python 3 that pyproject.toml claims."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    spec = project["requires-python"]
    match = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec.replace(" ", ""))
    if not match:
        raise SystemExit(f"requires-python must read '>=3.A,<3.B', got {spec!r}")
    return int(match[1]), int(match[2]) - 1


def find_python(minor, override):
    """An interpreter of Python 3.minor: $override, else pyenv's newest 3.minor.x, else PATH."""
    candidates = [os.environ[override]] if os.environ.get(override) else []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = glob.glob(str(pyenv / "versions" / f"3.{minor}.*" / "bin" / "python"))
    candidates += sorted(found, key=lambda p: int(Path(p).parts[-3].split(".")[2]), reverse=True)
    candidates += [shutil.which(f"python3.{minor}") or ""]
    for python in filter(None, candidates):
        version = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if version.returncode == 0 and version.stdout.split() == ["3", str(minor)]:
            return python
    raise SystemExit(f"no Python 3.{minor} found (pyenv install 3.{minor}, or set {override})")


def run(*command, **kwargs):
    print("$", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, **kwargs)


def inputs_digest(python, stage):
    """What the environment is built from: when it changes, the environment is rebuilt."""
    digest = hashlib.sha256(f"{stage} {os.path.realpath(python)}".encode())
    for path in (ROOT / "pyproject.toml", FLOORS):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prepare(stage, python, minor):
    """The stage's virtual environment, with the package and its [test] extra installed."""
    venv = VENVS / f"{stage}-py3.{minor}"
    stamp, inputs = venv / ".inputs", inputs_digest(python, stage)
    fresh = not stamp.exists() or stamp.read_text() != inputs
    if fresh:
        shutil.rmtree(venv, ignore_errors=True)
        run(python, "-m", "venv", venv)
        run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    with tempfile.TemporaryDirectory() as scratch:
        # a copy: building in this checkout would race with a stage beside it
        source = Path(scratch) / "softmax-lab"
        shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
        if stage == "floors":
            if fresh:
                run(*pip, "-c", FLOORS, f"{source}[test]")
            run(*pip, "--no-deps", "--force-reinstall", source)  # this checkout's code
        else:
            run(*pip, "--upgrade", "--upgrade-strategy", "eager", f"{source}[test]")
            run(*pip, "--no-deps", "--force-reinstall", source)
    run(venv / "bin" / "python", "-m", "pip", "check")
    stamp.write_text(inputs)
    return venv


def show_versions(venv):
    code = (
        "import importlib.metadata as m, sys\n"
        "print('Python', sys.version.split()[0])\n"
        f"for name in {SHOWN!r}:\n"
        "    try: print(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    run(venv / "bin" / "python", "-c", code)


def execute_notebooks(paths):
    """Run each notebook top to bottom in a fresh kernel (inside the stage's environment)."""
    import nbformat
    from nbclient import NotebookClient

    for path in paths:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=NOTEBOOK_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(Path(path).parent)}},
        ).execute()
        print(f"ran {path} top to bottom in {time.perf_counter() - start:.0f} s", flush=True)


def main(stage):
    oldest, newest = claimed_pythons()
    minor = {"floors": oldest, "newest": newest}[stage]
    python = find_python(minor, f"{stage.upper()}_PYTHON")
    venv = prepare(stage, python, minor)
    show_versions(venv)
    # the installed package, not this checkout's lab_utils, is what the tests import
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # ipykernel's debugger: a warning per kernel
    ignored = [f"--ignore={path}" for path in NOT_LEARNER_TESTS]
    ignored.append(f"--ignore={IN_TREE_BUILD}")
    failed = []
    steps = {
        "the unit tests": [
            venv / "bin" / "pytest",
            "tests",
            *ignored,
            "-n",
            "2",
            "--dist",
            "loadfile",
            "-q",
            "-p",
            "no:warnings",
        ],
        "the notebooks": [
            venv / "bin" / "python",
            Path(__file__),
            "--execute",
            *sorted((ROOT / "notebooks").glob("*.ipynb")),
        ],
    }
    for name, command in steps.items():  # both, even when the first fails
        try:
            run(*command, cwd=ROOT, env=env)
        except subprocess.CalledProcessError:
            failed.append(name)
    if failed:
        sys.exit(f"make {stage}: {' and '.join(failed)} failed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--execute"]:
        execute_notebooks(sys.argv[2:])
    elif sys.argv[1:] in (["floors"], ["newest"]):
        try:
            main(sys.argv[1])
        except subprocess.CalledProcessError as error:
            sys.exit(error.returncode)
    else:
        sys.exit(__doc__)
