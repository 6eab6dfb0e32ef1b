"""What each notebook's kernel costs after Run All: memory (PSS, anonymous, RSS) and CPU time.

    .venv/bin/python -m benchmarks.kernel_memory [notebooks/NN_name.ipynb ...] [--out FILE]

Each notebook runs alone in a fresh kernel (nbclient, as `make outputs` does); after
the last cell the kernel is measured, then shut down. TensorFlow counts as imported
when its native libraries are mapped into the kernel (`import keras` maps them too);
the table also says at which code cell that happened, and what the kernel held just
before it. Reference kernels show what one import of TensorFlow costs by itself.

PSS depends on what else runs: pages shared with other processes (other kernels that
loaded TensorFlow) are split between them. Anonymous memory and RSS do not.
"""

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .procmem import maps_tensorflow, process_usage

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900

REFERENCE_KERNELS = {
    "empty kernel": [],
    "setup() + NumPy, matplotlib, ipywidgets, lab_utils": [
        "from lab_utils import setup\nsetup()\n"
        "import ipywidgets\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
        "import lab_utils.widgets",
    ],
    "... + import tensorflow": ["import tensorflow as tf"],
    "... + fit a Dense(4) model, 10 epochs": [
        "import keras\nkeras.utils.set_random_seed(0)\n"
        "X = np.random.default_rng(0).normal(size=(2000, 2)).astype('float32')\n"
        "y = (X[:, 0] > 0).astype('int32') + 2 * (X[:, 1] > 0)\n"
        "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])\n"
        "model.compile(optimizer='adam',"
        " loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
        "model.fit(X, y, epochs=10, verbose=0)",
    ],
}


def reference_notebooks():
    """Cumulative snippets: each reference kernel runs all the cells of the ones above it."""
    cells = []
    for name, sources in REFERENCE_KERNELS.items():
        cells += [nbformat.v4.new_code_cell(source) for source in sources]
        yield name, nbformat.v4.new_notebook(cells=list(cells))


def run_all(nb, cwd):
    """Run every cell of `nb` in a fresh kernel; measure it after the last cell."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd), stderr=subprocess.DEVNULL)  # the kernel's start-up notices
    kernel = psutil.Process(km.provisioner.pid)
    row = {"tf_cell": None, "before_tf": None, "code_cells": 0}

    def after_cell(cell, **_):
        if cell.cell_type != "code":
            return
        row["code_cells"] += 1
        if row["tf_cell"] is None and maps_tensorflow(kernel.pid):
            row["tf_cell"] = row["code_cells"]
        elif row["tf_cell"] is None:
            row["before_tf"] = process_usage(kernel)

    client = NotebookClient(nb, km=km, timeout=TIMEOUT_S, on_cell_executed=after_cell)
    start = time.monotonic()
    try:
        client.execute()
        row["usage"] = process_usage(kernel)
    except CellExecutionError as err:
        row["error"] = str(err).strip().splitlines()[-1][:100]
    finally:
        row["seconds"] = time.monotonic() - start
        if client.kc is not None:
            client.kc.stop_channels()
        km.shutdown_kernel(now=True)
    return row


def fmt(usage):
    return f"{usage.pss:.0f} / {usage.anon:.0f} / {usage.rss:.0f}"


def table_row(name, row):
    if "error" in row:
        return f"| {name} | failed: {row['error']} | | | | |"
    where = "no" if row["tf_cell"] is None else f"yes, cell {row['tf_cell']} of {row['code_cells']}"
    if row["tf_cell"] is None:
        before = "(whole notebook)"
    else:
        before = fmt(row["before_tf"]) if row["before_tf"] else "(first code cell)"
    return (
        f"| {name} | {fmt(row['usage'])} | {row['usage'].cpu_s:.1f} | {row['seconds']:.1f}"
        f" | {where} | {before} |"
    )


HEADER = (
    "| kernel after Run All | PSS / anonymous / RSS (MB) | CPU (s) | wall (s) "
    "| imported TensorFlow | before that: PSS / anonymous / RSS (MB) |\n"
    "|---|---|---:|---:|---|---|"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", type=Path, default=sorted((ROOT / "notebooks").glob("*.ipynb"))
    )
    parser.add_argument("--out", type=Path, help="also write the table here (markdown)")
    args = parser.parse_args()

    lines = [
        f"Measured on {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 1024**3:.1f} GiB, Python "
        f"{platform.python_version()}, load {psutil.getloadavg()[0]:.1f} at start.",
        "",
        HEADER,
    ]
    print("\n".join(lines), flush=True)
    for name, nb in reference_notebooks():
        lines.append(table_row(f"*{name}*", run_all(nb, ROOT)))
        print(lines[-1], flush=True)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        lines.append(table_row(path.name, run_all(nb, path.parent)))
        print(lines[-1], flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
