"""Claims read the numbers the prose talks about and fail when they are not as it says."""

import pytest

from cpu.claims import Claim, evaluate, without_margins

TEXT = """TensorFlow, inputs × 100, obvious        final loss 0.0790, accuracy 0.9805
TensorFlow, inputs × 100, rescue undone  final loss 0.1620, accuracy 0.9810
"""
PATTERN = (
    r"obvious +final loss (?P<rescued>\S+), accuracy \S+\n"
    r".*undone +final loss (?P<undone>\S+), accuracy (?P<accuracy>\S+)"
)


def claim(**fields):
    return Claim.from_table({"cell": "c", "says": "s", "pattern": PATTERN} | fields)


def test_bounds_and_comparisons_hold():
    holding = claim(holds=["undone >= 1.25 * rescued"], accuracy={"at_least": 0.97})
    assert holding.problems(TEXT) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"holds": ["undone >= 2.5 * rescued"]},
        {"accuracy": {"at_least": 0.99}},
        {"accuracy": {"at_most": 0.9}},
        {"undone": {"near": 0.3, "within": 0.1}},
        {"undone": {"equals": 0.162001}},
    ],
)
def test_a_number_outside_its_bound_fails(fields):
    assert claim(**fields).problems(TEXT)


def test_a_pattern_that_is_not_found_fails():
    assert claim(accuracy={"at_least": 0}).problems("nothing printed") == [
        f"pattern {PATTERN!r} not found"
    ]


def test_every_match_is_checked_and_counted():
    table = "   1  509\n   2  509\n   3  611\n"
    every = {"pattern": r"^ +\d+ +(?P<n>\d+)$", "every": True, "n": {"near": 500, "within": 50}}
    assert len(Claim.from_table({"cell": "c", "says": "s"} | every).problems(table)) == 1
    counted = Claim.from_table({"cell": "c", "says": "s", "matches": 4} | every)
    assert counted.problems(table.replace("611", "510")) == ["pattern found 3 times, not 4"]


def test_a_group_of_several_numbers_bounds_each():
    sums = Claim.from_table(
        {"cell": "c", "says": "s", "pattern": r"= \[(?P<sums>[^\]]+)\]", "sums": {"equals": 0}}
    )
    assert sums.problems("= [ 0. -0.]") == []
    assert sums.problems("= [ 0. 1e-17]")


def test_without_margins_every_number_must_be_the_stored_one():
    loose = claim(holds=["undone >= 1.25 * rescued"], accuracy={"at_least": 0.97})
    exact = without_margins(loose, TEXT)
    assert exact.problems(TEXT) == []
    other_cpu = TEXT.replace("0.1620", "0.1166").replace("0.9810", "0.9805")
    assert loose.problems(other_cpu) == []
    assert exact.problems(other_cpu)


@pytest.mark.parametrize(
    "fields",
    [
        {},  # bounds nothing
        {"undone": {"about": 0.16}},  # an unknown bound
        {"undone": {"near": 0.16}},  # near without within
        {"missing": {"at_least": 0}},  # no such group
        {"holds": ["missing > 0"]},
        {"margin": 0.1},  # an unknown field
    ],
)
def test_malformed_claims_are_refused(fields):
    with pytest.raises(ValueError):
        claim(**fields)


@pytest.mark.parametrize("text", ["__import__('os')", "a.real > 0", "[a] == [a]", "a"])
def test_comparisons_allow_no_other_python(text):
    with pytest.raises(ValueError):
        evaluate(text, {"a": 1.0})


def test_comparisons_chain_and_reject_nan():
    assert evaluate("0 < a <= 2 * b", {"a": 1.0, "b": 1.0})
    assert not evaluate("a == a", {"a": float("nan")})
