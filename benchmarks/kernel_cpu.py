"""Kernel CPU of each notebook's Run All, this tree side by side with another commit.

Each run is a fresh kernel that executes one notebook top to bottom; its CPU time (user +
system, the kernel and its children) is read just before it shuts down, so kernel start,
imports and every cell count, as they do for a learner. The two trees take turns notebook
by notebook, so a change in the machine's load hits both alike.

    python -m benchmarks.kernel_cpu --baseline 1efe440 [--runs 3] [--notebooks 03 07]

The baseline is checked out in a temporary git worktree and runs with its own ``lab_utils``
(put first on the kernel's ``PYTHONPATH``) and this environment's packages.
"""

import argparse
import os
import subprocess
import tempfile
from pathlib import Path
from statistics import median

import psutil

from ._common import ROOT, load, markdown_table
from .procmem import tree_usage

LESSONS = ["01", "02", "03", "04", "05"]  # the five lessons the comparison is about


def kernel_cpu(notebook, tree):
    """CPU seconds a fresh kernel spends running `notebook` (a path inside `tree`)."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    env = {**os.environ, "PYTHONPATH": str(tree)}
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(notebook.parent))
    try:
        nb = nbformat.read(notebook, as_version=4)
        NotebookClient(nb, km=manager, timeout=900).execute()
        return tree_usage(psutil.Process(manager.provisioner.pid)).cpu_s
    finally:
        manager.shutdown_kernel(now=True)


def notebooks(tree):
    """``{"01": path, ...}`` of a tree's notebooks, by number."""
    return {path.name[:2]: path for path in sorted((tree / "notebooks").glob("*.ipynb"))}


def compare(baseline_tree, runs, only=None):
    """``{number: (baseline CPU s per run or [], this tree's CPU s per run)}``.

    ``only``: the notebook numbers to run (default: all).
    """
    old, new = notebooks(baseline_tree), notebooks(ROOT)
    if only:
        new = {number: path for number, path in new.items() if number in only}
    times = {number: ([], []) for number in new}
    for _ in range(runs):
        for number, path in new.items():
            if number in old:
                times[number][0].append(kernel_cpu(old[number], baseline_tree))
            times[number][1].append(kernel_cpu(path, ROOT))
    return times


def table(times):
    """Medians of each side, the median ratio and its range over the runs (run k's two
    measurements were taken one after the other, so each run's ratio is a side-by-side one)."""
    rows = []
    for number, (before, after) in times.items():
        if before:
            ratios = [b / a for a, b in zip(before, after, strict=True)]
            ratio = f"{median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
        else:
            ratio = "new"
        before_s = f"{median(before):.1f}" if before else ""
        rows.append([number, before_s, f"{median(after):.1f}", ratio])
    if all(number in times and times[number][0] for number in LESSONS):
        before = sum(median(times[n][0]) for n in LESSONS)
        after = sum(median(times[n][1]) for n in LESSONS)
        rows.append(["01–05", f"{before:.1f}", f"{after:.1f}", f"{after / before:.2f}"])
    header = ["notebook", "baseline CPU (s)", "this tree CPU (s)", "ratio: median (range)"]
    return markdown_table(header, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a commit to compare with")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--notebooks", nargs="*", help="numbers to run, e.g. 03 07 (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        baseline_tree = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(baseline_tree), args.baseline],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            load_before = load()
            results = compare(baseline_tree, args.runs, args.notebooks)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(baseline_tree)], cwd=ROOT, check=False
            )
    print(
        f"Kernel CPU per Run All, median of {args.runs}, baseline {args.baseline}; "
        f"1-minute load {load_before:.1f} before, {load():.1f} after.\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
