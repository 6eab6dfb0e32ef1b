"""What a non-editable install ships: the package installed (no dependencies) into a folder.

A learner's `pip install git+...` (Colab) and a class machine's `pip install ".[hub]"`
get the files setuptools names, not the checkout: each test imports or reads them from
the installed copy.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The folder the package is installed into, once for this module."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return target


def run_installed(installed, code, cwd):
    """Run ``code`` in a fresh isolated Python that imports from ``installed`` first."""
    code = f"import sys; sys.path.insert(0, {str(installed)!r}); {code}"
    return subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=cwd, capture_output=True, text=True
    )


def test_style_ships_inside_an_installed_wheel(installed, tmp_path):
    out = run_installed(
        installed,
        "import lab_utils, lab_utils.style as s; lab_utils.use_style(); print(s.style_path())",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(installed))


def test_the_checks_ship_in_an_installed_package(installed, tmp_path):
    modules = {path.name for path in (ROOT / "lab_utils" / "checks").glob("*.py")}
    assert {path.name for path in (installed / "lab_utils" / "checks").glob("*.py")} == modules
    out = run_installed(
        installed,
        "from lab_utils.checks import check_softmax; import lab_utils.checks as c; "
        "print(c.__file__)",
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(installed))


def test_the_hub_package_and_its_names_ship_in_the_wheel(installed):
    shipped = {path.name for path in (installed / "softmax_lab_hub").glob("*.py")}
    assert shipped == {path.name for path in (ROOT / "softmax_lab_hub").glob("*.py")}
    (names,) = installed.glob("softmax_lab-*.dist-info/entry_points.txt")
    entry_points_txt = names.read_text()
    assert "softmax-lab = softmax_lab_hub.authenticator:ClassAuthenticator" in entry_points_txt
    assert "softmax-lab-class = softmax_lab_hub.admin:main" in entry_points_txt
