"""A cpu-dependent tag is earned by a measurement, and every claim holds wherever measured.

For the repository's notebooks and for the frozen 7f55268 copy alike: each notebook has a
record (tests/cpu/measured/) of its current code, covering the required perturbations and
the control run (the stored kernels again: nothing may move; 7f55268's outputs were made on
another CPU, which has none); its tags are exactly the
cells the record saw move; every tagged cell has a claim, every claim is on a tagged cell
and holds on the stored outputs and on what every measured run printed.
"""

import nbformat
import pytest

from cpu import fingerprint
from cpu.digest import code_digest
from cpu.measure import claim_problems, documented_table, generated_table, load_record, measured_set
from cpu.outputs import text_of
from cpu.perturbations import REQUIRED
from cpu.verdict import FROZEN_7F55268, REPOSITORY, tagged

SUITES = {"repository": REPOSITORY, "7f55268": FROZEN_7F55268}
CASES = [
    pytest.param((suite, path), id=f"{name}-{path.stem[:2]}")
    for name, suite in SUITES.items()
    for path in sorted(suite.notebooks.glob("*.ipynb"))
]


@pytest.fixture(params=CASES)
def case(request):
    suite, path = request.param
    return suite, path, nbformat.read(path, as_version=4), load_record(suite, path)


def test_measured_for_its_current_code(case):
    _, path, nb, record = case
    assert record is not None, f"{path.name}: no measurement; run `make measure`"
    assert record["code"] == code_digest(nb), (
        f"{path.name}: measured for other code; run `make measure`"
    )


def skip_unless_fingerprinted(suite):
    if suite is FROZEN_7F55268:
        pytest.skip("7f55268's outputs were made before kernel fingerprints, on another CPU")


def test_measured_against_the_stored_outputs_kernels(case):
    suite, path, nb, record = case
    skip_unless_fingerprinted(suite)
    assert fingerprint.recorded(nb) is not None, f"{path.name}: run `make outputs`"
    assert record["stored_kernels"] == fingerprint.recorded(nb)


def test_every_required_perturbation_ran_or_says_why_not(case):
    _, path, _, record = case
    runs = record["runs"]
    missing = [name for name in REQUIRED if name not in runs]
    assert not missing, f"{path.name}: not measured under {missing}"
    for name in REQUIRED:
        assert "cells" in runs[name] or runs[name]["skipped"]
        if "cells" in runs[name] and not runs[name].get("recorded"):
            assert runs[name]["kernels_differ"], f"{name}: the fingerprint did not see it"


def test_the_stored_kernels_reproduce_every_output(case):
    suite, path, _, record = case
    skip_unless_fingerprinted(suite)
    assert "none" in record["runs"], f"{path.name}: no control run; run `make measure`"
    assert record["runs"]["none"]["kernels_differ"] == []
    assert record["runs"]["none"]["cells"] == {}, f"{path.name} is not deterministic here"


def test_the_tags_are_the_cells_that_moved(case):
    _, path, nb, record = case
    assert tagged(nb) == measured_set(record)


def test_every_tagged_cell_has_claims_and_every_claim_a_tagged_cell(case):
    suite, path, nb, _ = case
    claims = suite.claims_of(path)
    assert tagged(nb) == set(claims), "tagged cells without claims / claims on untagged cells"


def test_every_claim_holds_on_the_stored_outputs(case):
    suite, path, nb, _ = case
    cells = {cell.id: cell for cell in nb.cells}
    for cell_id, cell_claims in suite.claims_of(path).items():
        for claim in cell_claims:
            assert claim.problems(text_of(cells[cell_id].outputs)) == [], claim.says


def test_every_claim_holds_in_every_measured_run(case):
    """Recorded machines and perturbations with the default settings; opt-in settings
    (native kernels, oneDNN rewrites) earn tags, and where they break a claim the contract
    says so (test_the_documented_cells_are_the_measured_ones)."""
    suite, path, nb, record = case
    claims = suite.claims_of(path)
    failing = {
        name: found
        for name, entry in record["runs"].items()
        if not entry.get("opt_in") and (found := claim_problems(nb, entry, claims))
    }
    assert failing == {}


def test_a_run_the_fingerprint_cannot_tell_apart_moved_nothing(case):
    """Where the fingerprint sees the stored kernels every output must be exact: a cell that
    moved there would fail strict comparison on a CPU that passes for the stored one's."""
    _, _, _, record = case
    blind = {
        name: sorted(entry["cells"])
        for name, entry in record["runs"].items()
        if entry.get("kernels_differ") == [] and entry.get("cells")
    }
    assert blind == {}


def test_the_documented_cells_are_the_measured_ones():
    """docs/reproducibility.md's table of CPU-dependent cells, and its list of what fails under
    opt-in settings, are the records' (make measure writes them)."""
    assert documented_table() == generated_table(REPOSITORY)
