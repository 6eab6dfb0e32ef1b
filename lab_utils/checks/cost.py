"""Notebook 02's exercise: the mean cross-entropy cost in NumPy, clipped as Keras clips.

``check_cost(my_cost)`` calls ``my_cost(A, y) -> J``, in the order of the notebook's
``my_loss(a, y)``. ``A`` holds probabilities, one row per example, shape ``(m, N)``; ``y``
integer labels, shape ``(m,)``. ``J`` is the mean cross-entropy, one number:
``J = -(1/m) * sum_i log(clip(A[i, y[i]], 1e-7, 1 - 1e-7))``, clipped as Keras does, so a
probability of 0 costs ``-log(1e-7) = 16.118...`` rather than ``inf``.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..numerics import EPSILON, one_hot
from ._runner import Exercise, as_numbers

#: (description, probabilities A, integer labels y)
COST_CASES = [
    (
        "3 examples of 4 classes",
        np.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.45, 0.05]]),
        np.array([3, 0, 2]),
    ),
    (
        "4 examples of 4 classes",
        np.array(
            [
                [0.05, 0.8, 0.1, 0.05],
                [0.2, 0.3, 0.1, 0.4],
                [0.6, 0.2, 0.15, 0.05],
                [0.1, 0.1, 0.5, 0.3],
            ]
        ),
        np.array([1, 3, 0, 2]),
    ),
    ("rows with zeros", np.array([[0.0, 0.0, 1.0, 0.0], [0.1, 0.6, 0.3, 0.0]]), np.array([2, 1])),
    (
        "a true class of probability 0",
        np.array([[0.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4]]),
        np.array([0, 3]),
    ),
]


def reference_cost(a: ArrayLike, y: ArrayLike) -> float:
    """The cost ``check_cost`` expects: the mean of ``-log(clip(A[i, y[i]]))``."""
    y = np.asarray(y)
    picked = np.clip(np.asarray(a, dtype=float)[np.arange(len(y)), y], EPSILON, 1 - EPSILON)
    return float(-np.mean(np.log(picked)))


def _cost_mistakes(a, y):
    """What the typical wrong costs give for ``(A, y)``: [(value, problem), ...]."""
    m, n_classes = a.shape
    cost = reference_cost(a, y)
    with np.errstate(all="ignore"):
        mistakes = [
            (
                m * cost,
                "that is the sum over the examples: the 1/m is missing. "
                "Hint: divide by m (or take np.mean over the examples).",
            ),
            (
                cost / n_classes,
                "np.mean over the whole (m, N) array also divides by the number "
                "of classes N. Hint: divide the sum by m only.",
            ),
            (-cost, "the sign is wrong. Hint: the cost is -log(probability), a positive number."),
            (
                -np.mean(np.log(a[np.arange(m), y])),
                "log(0) = -inf for a probability of 0. Hint: clip first, "
                "np.clip(A, 1e-7, 1 - 1e-7), as Keras does.",
            ),
            (
                -np.sum(one_hot(y, n_classes) * np.log(a)) / m,
                "0 * log(0) = nan where a class has probability 0. Hint: clip A to "
                "[1e-7, 1 - 1e-7] before taking the log.",
            ),
            (
                -np.mean(np.log(np.clip(a.max(axis=1), EPSILON, 1 - EPSILON))),
                "that uses the largest probability of each row. Hint: the cost uses the "
                "probability of the true label, A[i, y[i]].",
            ),
            (cost / math.log(10), "that is log base 10. Hint: use the natural log, np.log."),
        ]
        if m == n_classes:
            clipped = np.clip(a, EPSILON, 1 - EPSILON)
            mistakes += [
                (
                    -np.sum(y * np.log(clipped)) / m,
                    f"y is multiplied with log(A) as if it were one-hot. {LABELS_HINT}",
                ),
                (-np.mean(np.log(clipped[y])), f"that averages whole rows of A. {ROWS_HINT}"),
                (
                    -np.mean(np.log(clipped[:, y])),
                    "A[:, y] is an (m, m) table. Hint: pick one entry per row, A[np.arange(m), y].",
                ),
            ]
    return mistakes


LABELS_HINT = (
    "Hint: y holds integer labels of shape (m,), not one-hot rows; pick "
    "A[np.arange(m), y] (or use one_hot(y, N))."
)
ROWS_HINT = (
    "Hint: A[y] picks whole rows; the probability of example i's label is A[i, y[i]], "
    "that is A[np.arange(m), y]."
)


def _cost_error_hint(error):
    if "broadcast" in error:
        return LABELS_HINT
    if "out of bounds" in error:
        return ROWS_HINT
    return (
        "Hint: the arguments come in the order (A, y): A holds the probabilities, shape "
        "(m, N), and y integer labels, shape (m,)."
    )


def _cost_problem(name, result, a, y):
    """What is wrong with ``result`` as the cost of ``(A, y)``, or None when it is right."""
    value = as_numbers(result, name)
    if value.size != 1:
        return (
            f" returned an array of shape {value.shape}. Hint: the cost is one number, "
            "the mean of the per-example losses."
        )
    value, expected = float(value.reshape(())), reference_cost(a, y)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-6):
        return None
    for wrong, problem in _cost_mistakes(a, y):
        if np.isclose(value, wrong, rtol=1e-6, atol=1e-6, equal_nan=True):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return (
        f" returned {value:.6g}, expected {expected:.6g}. Hint: J = -(1/m) * the sum of "
        "log(A[i, y[i]]), with A clipped to [1e-7, 1 - 1e-7]."
    )


EXERCISE = Exercise(
    check="check_cost",
    placeholder="my_cost",
    cases=lambda: COST_CASES,
    where=lambda name, case: f"{name}(A, y) on {case[0]}",
    problem=_cost_problem,
    error_hint=_cost_error_hint,
)


def cost_findings(my_cost: Callable[..., Any]) -> list[str]:
    """Problems with ``my_cost(A, y)`` on `COST_CASES`, one line each (empty when right)."""
    return EXERCISE.findings(my_cost)


def check_cost(my_cost: Callable[..., Any], *, strict: bool = False) -> None:
    """Check a learner's NumPy cost ``my_cost(A, y)``; see the module docstring."""
    EXERCISE.run(my_cost, strict)
