"""`make outputs`: execute notebooks in place and write them byte-reproducibly.

Running a notebook writes volatile things: execution timestamps in cell metadata,
random widget model ids in outputs, the widget state in the notebook metadata and
the exact Python version. They are dropped here, so that executing an unchanged
notebook twice writes the same bytes. Each widget keeps the static PNG it put in
its own output, which is what GitHub, nbviewer and an unexecuted notebook show.

    python tests/execute_notebooks.py notebooks/*.ipynb
    python tests/execute_notebooks.py --output-dir /tmp/run notebooks/06_backends.ipynb

With ``--output-dir`` the executed notebook is written there instead (the kernel still runs
in the notebook's own folder, so relative paths resolve as in place).

Each notebook also records the kernels its outputs were computed with (tests/cpu/fingerprint.py,
measured once in a fresh process with the kernels' environment): the test of the outputs
compares every output exactly where the fingerprint is the same, and the CPU-dependent cells
by their claims elsewhere (tests/cpu/verdict.py).
"""

import argparse
from pathlib import Path

import nbformat
from cpu import fingerprint
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT_S = 900


def normalise(nb):
    """Drop what changes from run to run; keep what the learner should see."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if "outputs" in cell:
            cell.outputs = merged_streams(cell.outputs)
    return nb


def merged_streams(outputs):
    """Join consecutive prints to the same stream: how the kernel chunks them depends on timing."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute(path, kernels, output=None):
    """Execute the notebook at ``path`` on ``kernels`` (a fingerprint); write it to ``output``
    (default: in place)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    fingerprint.record(nb, kernels)
    nbformat.write(normalise(nb), output or path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--output-dir", type=Path, help="write the executed notebooks here instead of in place"
    )
    args = parser.parse_args(argv)
    kernels = fingerprint.measure()
    for notebook in args.notebooks:
        print(f"executing {notebook}", flush=True)
        output = args.output_dir / notebook.name if args.output_dir else None
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
        execute(notebook, kernels, output)


if __name__ == "__main__":
    main()
