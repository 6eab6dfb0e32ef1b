"""The notebooks of 7f55268 as a 2-core Intel Sapphire Rapids executed them pass the
comparison across CPUs against the stored outputs, and fail it when a claim loses its
margin or a deterministic output is corrupted.

Strict nbval failed 7 of its 140 cells there (05: code cells 14 and 17; 06: 5, 9, 13, 14
and 15): those are CPU-dependent by measurement, and what they printed there is what the
prose's claims are checked against.
"""

import base64
import copy
import io

import nbformat
import numpy as np
import pytest
from PIL import Image

from cpu.claims import without_margins
from cpu.outputs import IMAGES, text_of
from cpu.verdict import FROZEN_7F55268, SAPPHIRE_RAPIDS_RUN, Policy, notebook_problems, tagged

NOTEBOOKS = sorted(path.name for path in FROZEN_7F55268.notebooks.glob("*.ipynb"))
#: The code cells strict nbval failed on that machine, by notebook and index.
NBVAL_FAILED = {"05_softmax_regression.ipynb": [14, 17], "06_backends.ipynb": [5, 9, 13, 14, 15]}


def stored(name):
    return nbformat.read(FROZEN_7F55268.notebooks / name, as_version=4)


def sapphire_rapids(name):
    return nbformat.read(SAPPHIRE_RAPIDS_RUN / name, as_version=4)


def across_cpus(nb, name, claims=None):
    """How a notebook made on the stored outputs' CPU is compared on the Sapphire Rapids."""
    claims = FROZEN_7F55268.claims_of(name) if claims is None else claims
    return Policy(False, ("another CPU: Intel Sapphire Rapids",), frozenset(tagged(nb)), claims)


def code_index(nb):
    return {cell.id: i for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code")}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_sapphire_rapids_run_passes_across_cpus(name):
    nb = stored(name)
    assert notebook_problems(nb, sapphire_rapids(name), across_cpus(nb, name)) == {}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_compared_exactly_it_fails_where_strict_nbval_failed(name):
    nb = stored(name)
    failed = notebook_problems(nb, sapphire_rapids(name), Policy(exact=True))
    assert sorted(code_index(nb)[cell] for cell in failed) == NBVAL_FAILED.get(name, [])


def claimed_numbers_moved(nb, run, claims):
    """The cells where some claim reads other numbers in the run than in the stored outputs."""
    cells, run_cells = ({c.id: c for c in notebook.cells} for notebook in (nb, run))
    return {
        cell_id
        for cell_id, cell_claims in claims.items()
        if any(
            claim.values(text_of(cells[cell_id].outputs))
            != claim.values(text_of(run_cells[cell_id].outputs))
            for claim in cell_claims
        )
    }


@pytest.mark.parametrize("name", sorted(NBVAL_FAILED))
def test_without_their_margins_the_claims_fail_where_the_numbers_moved(name):
    nb, run = stored(name), sapphire_rapids(name)
    cells = {cell.id: cell for cell in nb.cells}
    claims = FROZEN_7F55268.claims_of(name)
    exact_claims = {
        cell_id: [without_margins(claim, text_of(cells[cell_id].outputs)) for claim in cell_claims]
        for cell_id, cell_claims in claims.items()
    }
    failed = notebook_problems(nb, run, across_cpus(nb, name, exact_claims))
    moved = claimed_numbers_moved(nb, run, claims)
    assert moved, "the Sapphire Rapids printed other numbers in these claims"
    assert set(failed) == moved


def test_a_tagged_cell_without_claims_fails():
    name = "06_backends.ipynb"
    nb = stored(name)
    claims = FROZEN_7F55268.claims_of(name)
    dropped = next(iter(claims))
    failed = notebook_problems(
        nb,
        sapphire_rapids(name),
        across_cpus(nb, name, {k: v for k, v in claims.items() if k != dropped}),
    )
    assert failed == {dropped: ["tagged cpu-dependent, but no claim checks it"]}


def exact_cells(nb):
    return [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and cell.outputs and cell.id not in tagged(nb)
    ]


def corrupt_a_digit(text):
    i = next(i for i, char in enumerate(text) if char.isdigit())
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_digit_changed_in_any_deterministic_output_fails(name):
    nb, run = stored(name), sapphire_rapids(name)
    run_cells = {cell.id: cell for cell in run.cells}
    checked = 0
    for cell in exact_cells(nb):
        for i, output in enumerate(run_cells[cell.id].outputs):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            if not any(char.isdigit() for char in text):
                continue
            corrupted = copy.deepcopy(run)
            target = next(c for c in corrupted.cells if c.id == cell.id).outputs[i]
            if "text" in target:
                target.text = corrupt_a_digit(target.text)
            else:
                target.data["text/plain"] = corrupt_a_digit(target.data["text/plain"])
            failed = notebook_problems(nb, corrupted, across_cpus(nb, name))
            assert list(failed) == [cell.id], f"cell {cell.id}: a changed digit passed"
            checked += 1
    assert checked, "no deterministic output with digits to corrupt"


def with_one_pixel_changed(value):
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(value))).convert("RGBA")).copy()
    pixels[pixels.shape[0] // 2, pixels.shape[1] // 2, 0] ^= 1
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_one_pixel_changed_in_any_deterministic_figure_fails(name):
    nb, run = stored(name), sapphire_rapids(name)
    figures = [
        (cell.id, i, mime)
        for cell in exact_cells(nb)
        for i, output in enumerate(cell.outputs)
        for mime in output.get("data", {})
        if mime in IMAGES
    ]
    if not figures:
        pytest.skip(f"{name} has no figure in a deterministic cell")
    for cell_id, i, mime in figures:
        corrupted = copy.deepcopy(run)
        output = next(c for c in corrupted.cells if c.id == cell_id).outputs[i]
        output.data[mime] = with_one_pixel_changed(output.data[mime])
        failed = notebook_problems(nb, corrupted, across_cpus(nb, name))
        assert failed == {cell_id: [f"{mime} differs"]}


def test_a_word_changed_in_a_cpu_dependent_cell_fails():
    name = "06_backends.ipynb"
    nb, run = stored(name), sapphire_rapids(name)
    corrupted = copy.deepcopy(run)
    cell = next(c for c in corrupted.cells if c.id == "d876aa69")
    cell.outputs[0].text = cell.outputs[0].text.replace("accuracy", "precision")
    assert list(notebook_problems(nb, corrupted, across_cpus(nb, name))) == ["d876aa69"]
