"""The nbval plugin: every output exact on the stored kernels, images included; claims on
other kernels; run as make's nbval stage runs it, on a small notebook in a fresh pytest."""

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from PIL import Image

from cpu import fingerprint

TESTS = Path(__file__).resolve().parents[1]
KERNELS = {"cpu": {"machine": "x86_64"}, "cores": 2, "kernels": {"numpy": "a"}, "versions": {}}
OTHER_KERNELS = KERNELS | {"kernels": {"numpy": "b"}}


def png_base64(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


FIGURE = np.zeros((3, 5, 4), dtype=np.uint8)
CLAIMS = """[[claim]]
cell = "dependent"
says = "the loss is about 0.15"
pattern = 'loss (?P<loss>\\S+)'
loss = { near = 0.15, within = 0.1 }
"""


def notebook(stored_loss="0.1234", figure=FIGURE):
    """Three cells: a number, a figure, and a tagged number with a claim; outputs as given."""
    shown = png_base64(FIGURE)
    cells = [
        new_code_cell(
            "print(1.5)",
            id="number",
            execution_count=1,
            outputs=[new_output("stream", name="stdout", text="1.5\n")],
        ),
        new_code_cell(
            f"from IPython.display import Image\nImage(data=__import__('base64')"
            f".b64decode({shown!r}))",
            id="figure",
            execution_count=2,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=2,
                    data={
                        "image/png": png_base64(figure),
                        "text/plain": "<IPython.core.display.Image object>",
                    },
                )
            ],
        ),
        new_code_cell(
            'print("loss 0.1234")',
            id="dependent",
            execution_count=3,
            metadata={"tags": ["cpu-dependent"]},
            outputs=[new_output("stream", name="stdout", text=f"loss {stored_loss}\n")],
        ),
    ]
    nb = new_notebook(cells=cells)
    fingerprint.record(nb, KERNELS)
    return nb


def run_plugin(tmp_path, nb, kernels=KERNELS, *args, claims=CLAIMS):
    """``(exit code, log)`` of the plugin's pytest on ``nb`` assuming ``kernels`` here."""
    nbformat.write(nb, tmp_path / "lesson.ipynb")
    (tmp_path / "claims").mkdir(exist_ok=True)
    (tmp_path / "claims" / "lesson.toml").write_text(claims)
    (tmp_path / "kernels.json").write_text(json.dumps(kernels))
    env = os.environ | {"PYTHONPATH": fingerprint.pythonpath(None)}
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "cpu.plugin",
            "--nbval-cpu",
            "--nbval-current-env",
            "--nbval-cpu-claims",
            str(tmp_path / "claims"),
            "--nbval-cpu-kernels",
            str(tmp_path / "kernels.json"),
            *args,
            "lesson.ipynb",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return process.returncode, process.stdout + process.stderr


def test_the_stored_kernels_reproduce_every_output(tmp_path):
    code, log = run_plugin(tmp_path, notebook())
    assert code == 0, log
    assert "3 passed" in log


def test_a_changed_pixel_fails_where_plain_nbval_passes(tmp_path):
    changed = FIGURE.copy()
    changed[1, 2, 3] = 255
    code, log = run_plugin(tmp_path, notebook(figure=changed))
    assert code == 1 and "image/png differs" in log and "1 failed, 2 passed" in log, log
    plain = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "lesson.ipynb",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert plain.returncode == 0, "nbval compares images now: the plugin may rely on it"


def test_on_the_stored_kernels_a_cpu_dependent_cell_is_exact_too(tmp_path):
    code, log = run_plugin(tmp_path, notebook(stored_loss="0.2000"))
    assert code == 1 and "1 failed, 2 passed" in log, log


def test_on_other_kernels_the_claim_decides(tmp_path):
    nb = notebook(stored_loss="0.2000")
    assert run_plugin(tmp_path, nb, OTHER_KERNELS)[0] == 0
    code, log = run_plugin(
        tmp_path, nb, OTHER_KERNELS, claims=CLAIMS.replace("within = 0.1", "within = 0.01")
    )
    assert code == 1 and "is not within 0.01 of 0.15" in log, log


def test_on_other_kernels_an_untagged_cell_is_still_exact(tmp_path):
    nb = notebook()
    nb.cells[0].outputs[0].text = "1.6\n"
    code, log = run_plugin(tmp_path, nb, OTHER_KERNELS)
    assert code == 1 and "1 failed, 2 passed" in log, log


@pytest.mark.parametrize(
    ("kernels", "expect", "passes"),
    [(KERNELS, "same", True), (KERNELS, "other", False), (OTHER_KERNELS, "other", True)],
)
def test_the_expected_kernels_are_checked(tmp_path, kernels, expect, passes):
    code, log = run_plugin(tmp_path, notebook(), kernels, f"--nbval-cpu-expect={expect}")
    assert (code == 0) == passes, log
