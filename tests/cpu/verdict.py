"""How a notebook's outputs are compared, given the kernels they were made with and run on.

- Same kernels as the stored outputs (equal fingerprints): every output exactly, images by
  their pixels.
- Other kernels: cells without the ``cpu-dependent`` tag still exactly; tagged cells (a
  measurement earned the tag: tests/cpu/measured/) by their skeleton (the text with its
  numbers masked, the images' sizes) and by every claim on them. A tagged cell without a
  claim fails: nothing passes unchecked.
"""

from dataclasses import dataclass, field
from pathlib import Path

from . import claims as claims_
from . import fingerprint, outputs

TAG = "cpu-dependent"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Suite:
    """Notebooks with their claims and measurements: the repository's, or a frozen copy."""

    notebooks: Path
    claims: Path
    measured: Path

    def claims_of(self, notebook):
        return claims_.load(self.claims / f"{Path(notebook).stem}.toml")

    def measured_of(self, notebook):
        return self.measured / f"{Path(notebook).stem}.json"


REPOSITORY = Suite(ROOT / "notebooks", ROOT / "tests/cpu/claims", ROOT / "tests/cpu/measured")
#: The notebooks of commit 7f55268 as stored, with their tags, claims and measurements, frozen,
#: and the same notebooks as a 2-core Intel Sapphire Rapids executed them.
FROZEN = ROOT / "tests/data/cpu-7f55268"
FROZEN_7F55268 = Suite(FROZEN / "notebooks", FROZEN / "claims", FROZEN / "measured")
SAPPHIRE_RAPIDS_RUN = FROZEN / "intel-sapphire-rapids"


def tagged(nb):
    """The ids of the cells tagged cpu-dependent."""
    return {cell.id for cell in nb.cells if TAG in cell.metadata.get("tags", [])}


@dataclass(frozen=True)
class Policy:
    """How one notebook's cells are compared."""

    exact: bool
    #: Why not exact: the parts of the kernel fingerprint that differ.
    why: tuple = ()
    dependent: frozenset = frozenset()
    claims: dict = field(default_factory=dict)

    @classmethod
    def for_notebook(cls, nb, current_kernels, claims, *, force_other=False):
        why = tuple(fingerprint.differences(fingerprint.recorded(nb), current_kernels))
        if force_other:
            why = (*why, "comparison across CPUs asked for")
        return cls(not why, why, frozenset(tagged(nb)), claims)

    def describe(self):
        if self.exact:
            return "same kernels as the stored outputs: every output compared exactly"
        n_claims = sum(len(self.claims.get(cell, [])) for cell in self.dependent)
        return (
            f"other kernels than the stored outputs' ({', '.join(self.why)}): "
            f"{len(self.dependent)} CPU-dependent cell(s) checked against {n_claims} "
            "claim(s), every other output compared exactly"
        )


def cell_problems(policy, cell, run_outputs):
    """What is wrong with a cell's new outputs, in words; [] when they pass."""
    if policy.exact or cell.id not in policy.dependent:
        return outputs.differences(cell.outputs, run_outputs)
    problems = outputs.skeleton_differences(cell.outputs, run_outputs)
    cell_claims = policy.claims.get(cell.id, [])
    if not cell_claims:
        problems.append("tagged cpu-dependent, but no claim checks it")
    text = outputs.text_of(run_outputs)
    for claim in cell_claims:
        problems += [
            f"claim {claim.says.split(chr(10))[0]!r}: {problem}" for problem in claim.problems(text)
        ]
    return problems


def notebook_problems(stored, run, policy):
    """``{cell id: problems}`` of an executed notebook against the stored one."""
    stored_code = [cell for cell in stored.cells if cell.cell_type == "code"]
    run_code = [cell for cell in run.cells if cell.cell_type == "code"]
    if [c.source for c in stored_code] != [c.source for c in run_code]:
        return {"(notebook)": ["the executed notebook has other code than the stored one"]}
    found = {}
    for cell, run_cell in zip(stored_code, run_code, strict=True):
        problems = cell_problems(policy, cell, run_cell.outputs)
        if problems:
            found[cell.id] = problems
    return found
