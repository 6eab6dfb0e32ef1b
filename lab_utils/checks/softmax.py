"""Notebook 01's exercise: a batched, numerically stable softmax.

``check_softmax(my_softmax)`` calls ``my_softmax(z) -> a``. ``z`` holds logits, one example
of shape ``(N,)`` or a batch of shape ``(m, N)``; ``a`` has the shape of ``z`` and is the
softmax of each row (the last axis), finite for any finite ``z``, however large or
negative. Batched on purpose: a model's logits come as a batch, and the classic mistakes
(one sum over the whole batch, the wrong axis, a missing ``keepdims``) only show on one.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from ..numerics import softmax
from ._runner import Exercise, as_numbers, same

#: (description, logits), chosen so that each typical mistake gives a different result.
SOFTMAX_CASES = [
    ("one vector", np.array([1.0, 2.0, 3.0, 4.0])),
    (
        "a batch of 3 rows",
        np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 0.0, -1.0, 1.0], [0.0, 0.0, 0.0, 0.0]]),
    ),
    ("a square batch", np.array([[1.0, 2.0, 3.0], [0.0, 4.0, -2.0], [3.0, 3.0, 0.5]])),
    ("large inputs", np.array([1000.0, 1001.0, 1002.0])),
    ("very negative inputs", np.array([-1000.0, -1001.0, -1002.0])),
    ("two rows far apart", np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])),
]


KEEPDIMS_HINT = (
    "Hint: keepdims=True keeps the summed axis, so that each row is divided by its own sum."
)
OVERFLOW = (
    ": np.exp overflows to inf (or every exp underflows to 0), so the result is nan. "
    "Hint: subtract the maximum first, np.exp(z - np.max(z, axis=-1, keepdims=True))."
)


def _normalised(z, axis=None):
    """exp(z) (shifted by the maximum over ``axis``) divided by its sum over ``axis``."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_mistakes(z):
    """What the typical wrong versions return for ``z``: [(result, problem), ...]."""
    with np.errstate(all="ignore"):
        naive = np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)
        mistakes = [
            (naive, OVERFLOW),
            (
                _normalised(z),
                ": the whole batch sums to 1, not each row. Hint: sum each row, "
                "np.sum(..., axis=-1, keepdims=True).",
            ),
        ]
        if z.ndim == 2:
            global_shift = np.exp(z - np.max(z))
            mistakes += [
                (
                    _normalised(z, axis=0),
                    ": each column sums to 1, not each row. Hint: use "
                    "axis=-1 (the last axis), not axis=0.",
                ),
                (
                    global_shift / global_shift.sum(axis=-1, keepdims=True),
                    ": one row turns to nan. Hint: subtract each row's own maximum, "
                    "np.max(z, axis=-1, keepdims=True), not the maximum of the whole batch.",
                ),
            ]
        if z.ndim == 2 and z.shape[0] == z.shape[1]:  # elsewhere this mistake raises
            shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
            problem = f": rows are divided by the wrong sums. {KEEPDIMS_HINT}"
            mistakes += [
                (np.exp(z) / np.sum(np.exp(z), axis=-1), problem),
                (shifted / np.sum(shifted, axis=-1), problem),
            ]
    return mistakes


def _softmax_problem(name, result, z):
    """What is wrong with ``result`` as the softmax of ``z``, or None when it is right."""
    a = as_numbers(result, name)
    expected = softmax(z)
    if same(a, expected):
        return None
    if a.shape != z.shape:
        hint = "one probability per input"
        if a.shape == z.shape[:-1] or a.ndim == 0:
            hint = "did a sum end up in the result? Return exp / sum, not the sum"
        return f" returned shape {a.shape}, expected {z.shape}. Hint: {hint}."
    for wrong, problem in _softmax_mistakes(z):
        if same(a, wrong):
            return problem
    if not np.isfinite(a).all():
        return OVERFLOW
    sums = a.sum(axis=-1)
    if not np.allclose(sums, 1, rtol=0, atol=1e-6):
        return (
            f": the outputs sum to {np.round(sums, 4).tolist()}, not 1. "
            "Hint: divide the exponentials by their sum."
        )
    return (
        f" returned {np.round(a, 4).tolist()}, expected {np.round(expected, 4).tolist()}. "
        "Hint: a_j = exp(z_j) / sum_k exp(z_k)."
    )


def _where(name, case):
    label, z = case
    return f"{name} on {label} " + (str(z.tolist()) if z.ndim == 1 else f"of shape {z.shape}")


def _error_hint(error):
    return KEEPDIMS_HINT if "broadcast" in error else "Hint: make it work on a batch too."


EXERCISE = Exercise(
    check="check_softmax",
    placeholder="my_softmax",
    cases=lambda: SOFTMAX_CASES,
    where=_where,
    problem=_softmax_problem,
    error_hint=_error_hint,
    in_place=(
        " changes its input z in place. Hint: compute a new array, z - np.max(...), "
        "instead of z -= ... ."
    ),
)


def softmax_findings(my_softmax: Callable[..., Any]) -> list[str]:
    """Problems with ``my_softmax`` on `SOFTMAX_CASES`, one line each (empty when right)."""
    return EXERCISE.findings(my_softmax)


def check_softmax(my_softmax: Callable[..., Any], *, strict: bool = False) -> None:
    """Check a learner's batched, stable ``my_softmax(z)``; see the module docstring."""
    EXERCISE.run(my_softmax, strict)
