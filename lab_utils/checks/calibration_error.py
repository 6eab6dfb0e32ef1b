"""Notebook 07's exercise: the expected calibration error (ECE) of a classifier.

``check_calibration_error(my_ece)`` calls ``my_ece(P, y, n_bins) -> ECE``. ``P`` holds
probabilities, one row per example, shape ``(m, N)``; ``y`` integer labels ``(m,)``. Each
example's confidence is its largest probability, and it is correct when that class is
``y``. With ``n_bins`` equal bins of confidence,
``ECE = sum_k (n_k / m) * |accuracy_k - mean confidence_k|`` over the non-empty bins. No
case puts a confidence on an inner bin edge, so either edge convention passes; one case
holds a confidence of exactly 1.0.

The expected value and the right bins are `lab_utils.calibration`'s.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..calibration import bin_indices, expected_calibration_error
from ..numerics import softmax
from ._runner import Exercise, as_numbers


def _ece_case(m, n_classes, seed, sharpness):
    rng = np.random.default_rng(seed)
    P = softmax(rng.normal(size=(m, n_classes)) * sharpness)
    y = np.where(rng.uniform(size=m) < 0.75, P.argmax(axis=1), rng.integers(0, n_classes, m))
    return P, y


#: (description, P, y, n_bins): unequal bins, empty bins, wrong answers whose true class
#: is not the most probable, a confidence of exactly 1.0, and a number of bins other than 10.
ECE_CASES = [
    (
        "4 examples of 2 classes, 10 bins",
        np.array([[0.95, 0.05], [0.05, 0.95], [0.55, 0.45], [0.45, 0.55]]),
        np.array([0, 1, 0, 0]),
        10,
    ),
    (
        "6 examples of 3 classes, 10 bins",
        np.array(
            [
                [0.92, 0.05, 0.03],
                [0.04, 0.93, 0.03],
                [0.91, 0.02, 0.07],
                [0.15, 0.72, 0.13],
                [0.34, 0.31, 0.35],
                [0.66, 0.14, 0.2],
            ]
        ),
        np.array([0, 1, 2, 1, 0, 2]),
        10,
    ),
    (
        "a confidence of exactly 1.0, 10 bins",
        np.array([[1.0, 0.0, 0.0], [0.02, 0.97, 0.01], [0.05, 0.03, 0.92], [0.45, 0.3, 0.25]]),
        np.array([2, 1, 0, 1]),
        10,
    ),
    ("40 examples of 4 classes, 5 bins", *_ece_case(40, 4, seed=0, sharpness=2.0), 5),
]


def _ece_parts(confidence, correct, n_bins, upper_closed=True):
    """Per bin (count, mean confidence, accuracy) for the given top-label view."""
    if upper_closed:  # the reference's bins (scikit-learn's), (low, high]
        bins = bin_indices(confidence, n_bins)
    else:  # [low, high): a confidence of 1.0 falls outside the last bin
        bins = np.floor(confidence * n_bins).astype(int)
    inside = bins < n_bins
    count = np.bincount(bins[inside], minlength=n_bins)
    filled = count > 0
    sums = np.bincount(bins[inside], weights=confidence[inside], minlength=n_bins)
    hits = np.bincount(bins[inside], weights=correct[inside], minlength=n_bins)
    return count[filled], sums[filled] / count[filled], hits[filled] / count[filled]


def _ece_mistakes(P, y, n_bins):
    """What the typical wrong versions give for ``(P, y, n_bins)``: [(value, problem), ...]."""
    m = len(y)
    confidence, correct = P.max(axis=1), P.argmax(axis=1) == y
    count, conf, acc = _ece_parts(confidence, correct, n_bins)
    gaps = np.abs(acc - conf)
    true_p = P[np.arange(m), y]
    t_count, t_conf, t_acc = _ece_parts(true_p, correct, n_bins)
    o_count, o_conf, o_acc = _ece_parts(confidence, correct, n_bins, upper_closed=False)
    wrong_10 = _ece_parts(confidence, correct, 10)
    return [
        (
            float(np.mean(gaps)),
            "every bin counts the same. Hint: weight each bin's gap by its "
            "share of the examples, n_k / m.",
        ),
        (
            float(np.sum(gaps) / n_bins),
            "that divides by the number of bins. Hint: weight each "
            "bin's gap by its share of the examples, n_k / m.",
        ),
        (
            float(np.sum(count * gaps)),
            "the weights are counts, not shares. Hint: divide each "
            "bin's count n_k by the number of examples m.",
        ),
        (
            float(abs(np.sum(count / m * (acc - conf)))),
            "the gaps of different bins cancel out. Hint: take the absolute value in each bin, "
            "|accuracy_k - confidence_k|, before adding them up.",
        ),
        (
            float(np.sum(t_count / m * np.abs(t_acc - t_conf))),
            "that bins the probability of the true class. Hint: the confidence is the largest "
            "probability of each row, P.max(axis=1).",
        ),
        (
            float(np.sum(o_count / m * np.abs(o_acc - o_conf))),
            "a confidence of exactly 1.0 ended up in no bin. Hint: the last bin includes 1.0 "
            "(e.g. bins (k/n, (k+1)/n], or np.minimum(..., n_bins - 1)).",
        ),
        (
            float(np.sum(o_count / o_count.sum() * np.abs(o_acc - o_conf))),
            "a confidence of exactly 1.0 ended up in no bin. Hint: the last bin includes 1.0 "
            "(e.g. bins (k/n, (k+1)/n], or np.minimum(..., n_bins - 1)).",
        ),
        (
            float(np.sum(wrong_10[0] / m * np.abs(wrong_10[2] - wrong_10[1]))),
            "that uses 10 bins whatever n_bins says. Hint: use the argument n_bins.",
        ),
    ]


def _ece_problem(name, result, P, y, n_bins):
    """What is wrong with ``result`` as the ECE of ``(P, y)``, or None when it is right."""
    value = as_numbers(result, name)
    if value.size != 1:
        return (
            f" returned an array of shape {value.shape}. Hint: the ECE is one number, the "
            "weighted sum of the bins' gaps."
        )
    value, expected = float(value.reshape(())), expected_calibration_error(P, y, n_bins)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
        return None
    if math.isnan(value):
        return (
            " returned nan: an empty bin has no mean. Hint: skip the bins that hold no "
            "example (np.mean of an empty array is nan)."
        )
    for wrong, problem in _ece_mistakes(P, y, n_bins):
        if math.isclose(value, wrong, rel_tol=1e-6, abs_tol=1e-9):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return (
        f" returned {value:.6g}, expected {expected:.6g}. Hint: ECE = sum over the bins of "
        "(n_k / m) * |accuracy_k - mean confidence_k|, the confidence being P.max(axis=1)."
    )


EXERCISE = Exercise(
    check="check_calibration_error",
    placeholder="my_ece",
    cases=lambda: ECE_CASES,
    where=lambda name, case: f"{name}(P, y, n_bins={case[3]}) on {case[0]}",
    problem=_ece_problem,
    error_hint=lambda error: (
        "Hint: the arguments are (P, y, n_bins): P holds probabilities, "
        "shape (m, N), y integer labels, shape (m,)."
    ),
)


def calibration_error_findings(my_ece: Callable[..., Any]) -> list[str]:
    """Problems with ``my_ece(P, y, n_bins)`` on `ECE_CASES`, one line each (empty when right)."""
    return EXERCISE.findings(my_ece)


def check_calibration_error(my_ece: Callable[..., Any], *, strict: bool = False) -> None:
    """Check a learner's expected calibration error ``my_ece(P, y, n_bins)``."""
    EXERCISE.run(my_ece, strict)
