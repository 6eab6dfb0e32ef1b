"""The lesson conventions (docs/core-lessons.md): time budget, optional deep dives, prompts.

Checked on the lessons that follow them; add a notebook here when it does.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = [
    "01_softmax_function",
    "02_cross_entropy",
    "04_multiclass_decision_boundaries",
    "05_softmax_regression",
]
TIME = re.compile(r"^\*\*Time:\*\* about \d+ min on the core path \(\+ \d+ min optional\)\.$", re.M)
DEEP_DIVE = re.compile(
    r"^## Optional deep dive: .+\n\n\*Optional \(about \d+ min\)\. "
    r'On the core path, skip to "(?P<next>[^"]+)"\.\*'
)


def cells(name):
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def is_optional(cell):
    return "optional" in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("name", LESSONS)
def test_the_opening_cell_states_the_time_budget(name):
    assert TIME.search(source(cells(name)[0])), source(cells(name)[0])


@pytest.mark.parametrize("name", LESSONS)
def test_every_deep_dive_is_tagged_to_the_next_core_heading_it_names(name):
    nb = cells(name)
    dives = [i for i, c in enumerate(nb) if source(c).startswith("## Optional deep dive:")]
    for start in dives:
        match = DEEP_DIVE.match(source(nb[start]))
        assert match, f"cell {start}: {source(nb[start])[:200]!r}"
        end = next(
            i
            for i in range(start + 1, len(nb))
            if nb[i]["cell_type"] == "markdown"
            and re.match(r"^#{2,3} ", source(nb[i]))
            and not is_optional(nb[i])
        )
        assert source(nb[end]).splitlines()[0].lstrip("# ") == match["next"], (start, end)
        untagged = [i for i in range(start, end) if not is_optional(nb[i])]
        assert not untagged, f"cells {untagged} of the deep dive are not tagged optional"
    tagged = {i for i, c in enumerate(nb) if is_optional(c)}
    inside = {i for start in dives for i in range(start, len(nb)) if i in tagged}
    assert tagged <= inside, "a cell is tagged optional outside any deep dive"


@pytest.mark.parametrize("name", LESSONS)
def test_a_predict_then_run_prompt_comes_just_before_the_cell_that_answers_it(name):
    nb = cells(name)
    prompts = [
        i
        for i, c in enumerate(nb)
        if c["cell_type"] == "markdown" and "**Predict, then run.**" in source(c)
    ]
    assert any(source(nb[i]).startswith("**Predict, then run.**") for i in prompts), (
        "no markdown cell starts with the predict-then-run prompt"
    )
    for i in prompts:
        assert nb[i + 1]["cell_type"] == "code", f"cell {i + 1} after the prompt is not code"


@pytest.mark.parametrize("name", LESSONS)
def test_no_steps_per_execution_in_the_lesson_code(name):
    code = [source(c) for c in cells(name) if c["cell_type"] == "code"]
    assert not any("steps_per_execution" in s for s in code)
