"""Notebook 06's exercise: the exact cross-entropy from logits, without Keras' clip.

``check_exact_loss(exact_loss)`` calls ``exact_loss(Z, y) -> J``: ``Z`` logits, shape
``(m, N)``; ``y`` integer labels ``(m,)``. ``J`` is the mean cross-entropy from the
logits, without Keras' clip: ``J = (1/m) * sum_i (logsumexp(Z[i]) - Z[i, y[i]])``, finite
for any finite logits.
"""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..numerics import EPSILON
from ._runner import Exercise, as_numbers

#: (description, logits Z, labels y): each typical mistake gives a different result.
EXACT_LOSS_CASES = [
    (
        "small logits",
        np.array([[1.0, 2.0, 0.5, -1.0], [0.0, -1.0, 3.0, 1.0], [2.0, 2.0, 0.0, 1.0]]),
        np.array([1, 2, 3]),
    ),
    (
        "a confident mistake, logits (30, 0, -30, 0) and class 2",
        np.array([[30.0, 0.0, -30.0, 0.0]]),
        np.array([2]),
    ),
    (
        "large logits, as an unscaled model makes",
        np.array([[900.0, 1000.0, -500.0, 0.0], [-800.0, 200.0, 700.0, 650.0]]),
        np.array([2, 3]),
    ),
]

EXACT_LOSS_HINT = (
    "Hint: the loss of example i is logsumexp(Z[i]) - Z[i, y[i]], with "
    "logsumexp(z) = c + log(sum(exp(z - c))) and c = max(z)."
)


def reference_exact_loss(Z: ArrayLike, y: ArrayLike) -> float:
    """The loss ``check_exact_loss`` expects: mean of ``logsumexp(Z[i]) - Z[i, y[i]]``."""
    Z, y = np.asarray(Z, dtype=float), np.asarray(y)
    c = Z.max(axis=1)
    lse = c + np.log(np.exp(Z - c[:, None]).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))


def _exact_loss_mistakes(Z, y):
    """What the typical wrong losses give for ``(Z, y)``: [(value, problem), ...]."""
    m = len(y)
    loss = reference_exact_loss(Z, y)
    rows = np.arange(m)
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        a = np.exp(Z - Z.max(axis=1, keepdims=True))
        a /= a.sum(axis=1, keepdims=True)
        return [
            (
                -np.mean(np.log(a[rows, y])),
                "the probability of a very confident mistake rounds to 0 and log(0) = -inf "
                "(without the shift, np.exp also overflows). Hint: never form the "
                "probabilities; use log-softmax, z - logsumexp(z), with c = max(z) subtracted "
                "before np.exp.",
            ),
            (
                -np.mean(np.log(np.clip(a[rows, y], EPSILON, 1 - EPSILON))),
                "that clips as Keras does, so no example costs more than -log(1e-7) = 16.118. "
                "Hint: the exact loss has no clip; use log-softmax, z - logsumexp(z).",
            ),
            (
                m * loss,
                "that is the sum over the examples: the 1/m is missing. "
                "Hint: take np.mean over the examples.",
            ),
            (-loss, "the sign is wrong. Hint: the loss is -log(probability), a positive number."),
            (
                loss * m / Z.size,
                "np.mean over the whole (m, N) array also divides by N. "
                "Hint: one loss per example, then the mean over m.",
            ),
            (
                float(np.mean(np.log(e.sum(axis=1)) - Z[rows, y])),
                "np.exp overflows without the shift by the maximum. " + EXACT_LOSS_HINT,
            ),
            (
                float(np.mean(Z.max(axis=1) - Z[rows, y])),
                "that is max(z) - z[y], only the first term of logsumexp. " + EXACT_LOSS_HINT,
            ),
        ]


def _exact_loss_problem(name, result, Z, y):
    """What is wrong with ``result`` as the loss of ``(Z, y)``, or None when it is right."""
    value = as_numbers(result, name)
    if value.size != 1:
        return (
            f" returned an array of shape {value.shape}. Hint: the loss is one number, "
            "the mean of the per-example losses."
        )
    value, expected = float(value.reshape(())), reference_exact_loss(Z, y)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-6):
        return None
    for wrong, problem in _exact_loss_mistakes(Z, y):
        if np.isclose(value, wrong, rtol=1e-6, atol=1e-6, equal_nan=True):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return f" returned {value:.6g}, expected {expected:.6g}. {EXACT_LOSS_HINT}"


EXERCISE = Exercise(
    check="check_exact_loss",
    placeholder="exact_loss",
    cases=lambda: EXACT_LOSS_CASES,
    where=lambda name, case: f"{name}(Z, y) on {case[0]}",
    problem=_exact_loss_problem,
    error_hint=lambda error: (
        "Hint: Z holds logits, shape (m, N), and y integer labels, shape (m,)."
    ),
)


def exact_loss_findings(exact_loss: Callable[..., Any]) -> list[str]:
    """Problems with ``exact_loss(Z, y)`` on `EXACT_LOSS_CASES`, one line each."""
    return EXERCISE.findings(exact_loss)


def check_exact_loss(exact_loss: Callable[..., Any], *, strict: bool = False) -> None:
    """Check a learner's NumPy ``exact_loss(Z, y)``: mean cross-entropy from logits, no clip.

    ``Z`` holds logits, shape ``(m, N)``; ``y`` integer labels, shape ``(m,)`` (notebook 06).
    """
    EXERCISE.run(exact_loss, strict)
