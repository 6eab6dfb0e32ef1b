"""Notebook suite: time to execute each notebook and all of them, nbval serial vs parallel,
and ``make test`` (everything already installed).

The reference floor of a notebook is a kernel start plus the TensorFlow import,
measured the same way with a one-cell notebook.

    python -m benchmarks.suite [--quick]      # SUITE_PARTS=1: also time make's parts
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from ._common import ROOT, Row, arguments, load, report

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GOAL_MAKE_TEST_S = 300  # the goal docs/benchmarks.md measures against
FLOOR_CELL = "from lab_utils import setup\nsetup()\nimport tensorflow"
VENV_BIN = Path(sys.executable).parent


def execute(path, cwd):
    """Seconds to run a notebook in a fresh kernel (nothing is written)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return time.perf_counter() - start


def floor(runs):
    """Seconds to start a kernel and import TensorFlow, as a notebook."""
    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "floor.ipynb"
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_CELL)])
        nbformat.write(nb, path)
        return median([execute(path, ROOT / "notebooks") for _ in range(runs)])


def command(args, runs):
    """``(median seconds, runs that passed)`` of a shell command run from the repo root."""
    seconds, passed = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        seconds.append(time.perf_counter() - start)
        passed += done.returncode == 0
    return median(seconds), passed


def nbval(parallel):
    args = [str(VENV_BIN / "pytest"), "-q", "--nbval", "--nbval-current-env", *map(str, NOTEBOOKS)]
    return args + (["-n", "2", "--dist", "loadfile"] if parallel else [])


def notebook_rows(runs):
    reference = floor(runs)
    rows = [
        Row("suite", f"floor: kernel start + import tensorflow ({runs} runs)", f"{reference:.1f} s")
    ]
    total = 0.0
    for path in NOTEBOOKS:
        before = load()
        seconds = median([execute(path, path.parent) for _ in range(runs)])
        total += seconds
        rows.append(
            Row(
                "suite",
                f"{path.name} ({runs} runs, load {before:.1f})",
                f"{seconds:.1f} s",
                f"floor {reference:.1f} s",
                seconds / reference,
            )
        )
    count = len(NOTEBOOKS)
    rows.append(
        Row(
            "suite",
            f"all {count} notebooks, one after another",
            f"{total:.1f} s",
            f"{count} x floor",
            total / (count * reference),
        )
    )
    return rows


def nbval_rows(serial_runs, parallel_runs):
    before = load()
    serial, serial_ok = command(nbval(parallel=False), serial_runs)
    parallel, parallel_ok = command(nbval(parallel=True), parallel_runs)
    return [
        Row(
            "suite",
            f"nbval, serial ({serial_runs} run(s), load {before:.1f})",
            f"{serial:.1f} s, {serial_ok}/{serial_runs} passed",
        ),
        Row(
            "suite",
            f"nbval, -n 2 --dist loadfile, one notebook per worker ({parallel_runs} runs)",
            f"{parallel:.1f} s, {parallel_ok}/{parallel_runs} passed",
            f"serial {serial:.1f} s",
            parallel / serial,
            "faster than serial, every run passes",
            parallel < serial and parallel_ok == parallel_runs,
        ),
    ]


def make_rows(runs, parts):
    rows = []
    if parts:  # what make test is made of, one run each
        for target in ("lint", "unit", "nbval", "browser", "class-test"):
            seconds, ok = command(["make", "-s", target], 1)
            rows.append(
                Row(
                    "suite",
                    f"make {target} (1 run)",
                    f"{seconds:.1f} s, {'passed' if ok else 'FAILED'}",
                )
            )
    before = load()
    seconds, ok = command(["make", "-s", "test"], runs)
    rows.append(
        Row(
            "suite",
            f"make test, everything installed ({runs} run(s), load {before:.1f})",
            f"{seconds:.1f} s, {ok}/{runs} passed",
            f"goal {GOAL_MAKE_TEST_S} s",
            seconds / GOAL_MAKE_TEST_S,
            f"< {GOAL_MAKE_TEST_S} s",
            seconds < GOAL_MAKE_TEST_S and ok == runs,
        )
    )
    return rows


def measure(quick, parts):
    """Quick: each notebook and make test once, without the nbval serial/parallel comparison."""
    if quick:
        return notebook_rows(1) + make_rows(1, parts)
    return notebook_rows(3) + nbval_rows(1, 3) + make_rows(1, parts)


def main():
    args = arguments(__doc__.splitlines()[0])
    # the parts of make test double its cost: only when asked for (SUITE_PARTS=1)
    report(measure(args.quick, parts=os.environ.get("SUITE_PARTS") == "1"), as_json=args.json)


if __name__ == "__main__":
    main()
