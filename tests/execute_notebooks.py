"""`make outputs`: execute notebooks in place and write them byte-reproducibly.

Running a notebook writes volatile things: execution timestamps in cell metadata,
random widget model ids in outputs, the widget state in the notebook metadata and
the exact Python version. They are dropped here, so that executing an unchanged
notebook twice writes the same bytes. Each widget keeps the static PNG it put in
its own output, which is what GitHub, nbviewer and an unexecuted notebook show.

    python tests/execute_notebooks.py notebooks/*.ipynb
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT_S = 900


def normalise(nb):
    """Drop what changes from run to run; keep what the learner should see."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3",
    }
    nb.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
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
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def execute(path):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(normalise(nb), path)


if __name__ == "__main__":
    for notebook in sys.argv[1:]:
        print(f"executing {notebook}", flush=True)
        execute(notebook)
