"""Notebook 04's exercise: one point through the network, by hand.

``check_classify(classify)`` calls ``classify(x, W1, b1, W2, b2) -> k`` for the network of
notebook 04: one point ``x`` of shape ``(2,)``; ``W1`` of shape ``(2, n_hidden)`` (its
columns are the hidden units), ``b1`` ``(n_hidden,)``, ``W2`` ``(n_hidden, N)``, ``b2``
``(N,)``. With ``h = max(0, x @ W1 + b1)`` and ``z = h @ W2 + b2``, ``k = argmax(z)``, an
integer 0..N-1.

Unlike the other exercises, the four points of the first network are judged together:
the list of classes they get tells the typical mistakes apart, where one point could not.
So this check runs the shared plumbing (`call`, `Findings`, `report`) with a loop of its
own, and stops at its first finding.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from ._runner import (
    Findings,
    Problem,
    as_numbers,
    call,
    copies,
    listing_problems,
    name_of,
    need_callable,
    report,
)

#: Weights chosen so that each typical mistake gives a different list of classes for the
#: points below (and none gives the right one); 2 hidden units, 4 classes, as in notebook 04.
CLASSIFY_WEIGHTS = (
    np.array([[0.4, -1.8], [1.2, 0.4]]),
    np.array([-0.9, 1.9]),
    np.array([[-0.1, 1.2, 1.6, -1.7], [-0.9, -0.9, -1.7, -0.6]]),
    np.array([1.3, 0.7, 0.8, -0.9]),
)
CLASSIFY_POINTS = np.array([[-1.0, 1.0], [-2.0, 2.0], [1.0, 3.0], [-2.0, -1.0]])
#: One more network, with 3 hidden units: W1 is not square, so W1 @ x raises.
CLASSIFY_WIDE = (
    np.array([1.0, -0.5]),  # x, then W1, b1, W2, b2 (2 classes)
    np.array([[0.5, -1.0, 1.0], [1.0, 0.5, -0.5]]),
    np.array([0.0, 0.5, -1.0]),
    np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]]),
    np.array([0.0, 0.2]),
)

UNITS_HINT = (
    "Hint: h = np.maximum(0, x @ W1 + b1): x (2,) times W1 (2, n_hidden), "
    "whose columns are the hidden units."
)


def _relu(v):
    return np.maximum(0, v)


def reference_class(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> int:
    """The class ``check_classify`` expects: the index of the largest logit, 0-based."""
    return int(np.argmax(_relu(x @ W1 + b1) @ W2 + b2))


#: (what the mistake computes, problem), each from the arguments (x, W1, b1, W2, b2).
CLASSIFY_MISTAKES = [
    (
        lambda x, W1, b1, W2, b2: int(np.argmax((x @ W1 + b1) @ W2 + b2)),
        "the hidden layer has no ReLU. Hint: h = np.maximum(0, x @ W1 + b1).",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmax(_relu(W1 @ x + b1) @ W2 + b2)),
        f"that is W1 @ x, which uses the rows of W1 as the units. {UNITS_HINT}",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmax(_relu(x @ W1) @ W2 + b2)),
        "the hidden bias b1 is missing. Hint: h = np.maximum(0, x @ W1 + b1).",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmax(_relu(x @ W1 + b1) @ W2)),
        "the output bias b2 is missing. Hint: z = h @ W2 + b2.",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmax((_relu(x @ W1) + b1) @ W2 + b2)),
        "the ReLU comes before the bias. Hint: add b1 first, np.maximum(0, x @ W1 + b1).",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmax(_relu(_relu(x @ W1 + b1) @ W2 + b2))),
        "the logits went through a ReLU too, which ties all negative logits at 0. "
        "Hint: the output layer is linear, z = h @ W2 + b2.",
    ),
    (
        lambda x, W1, b1, W2, b2: int(np.argmin(_relu(x @ W1 + b1) @ W2 + b2)),
        "that is the smallest logit. Hint: the class is the largest one, np.argmax(z).",
    ),
    (
        lambda x, W1, b1, W2, b2: reference_class(x, W1, b1, W2, b2) + 1,
        "those count the classes from 1. Hint: Python counts from 0; np.argmax(z) is already "
        "the class.",
    ),
]


def _class_of(value, name, n_classes):
    """The learner's answer as a class index, or a Problem saying why it is not one."""
    if value is None:
        raise Problem(f"{name} returned None. Hint: end it with `return ...`.")
    array = as_numbers(value, name)
    if array.size != 1:
        raise Problem(
            f"{name} returned {array.size} numbers, not one class. Hint: those "
            "look like the logits: return the index of the largest, np.argmax(z)."
        )
    number = float(array.reshape(()))
    if not number.is_integer():
        raise Problem(
            f"{name} returned {number:.4g}, not a class. Hint: return the index of "
            "the largest logit, np.argmax(z), an integer 0.."
            f"{n_classes - 1}."
        )
    return int(number)


@listing_problems
def classify_findings(classify: Callable[..., Any]) -> list[str]:
    """Problems with ``classify(x, W1, b1, W2, b2)`` on the check's points (empty when right)."""
    need_callable(classify, "check_classify", "classify")
    name, findings = name_of(classify), Findings()
    W1, b1, W2, b2 = CLASSIFY_WEIGHTS
    answers = []
    for x in CLASSIFY_POINTS:
        result, error = call(classify, *copies([x, W1, b1, W2, b2]))
        if error:
            hint = (
                UNITS_HINT
                if "matmul" in error or "shape" in error
                else (
                    "Hint: x is one point (2,), W1 (2, n_hidden), b1 (n_hidden,), W2 (n_hidden, N) "
                    "and b2 (N,)."
                )
            )
            findings.add(f"{name}(x, W1, b1, W2, b2) for x = {x.tolist()}", f" {error}. {hint}")
            return findings
        answers.append(_class_of(result, name, len(b2)))
    expected = [reference_class(x, W1, b1, W2, b2) for x in CLASSIFY_POINTS]
    where = (
        f"{name}(x, W1, b1, W2, b2) on the points {CLASSIFY_POINTS.tolist()}: returned "
        f"classes {answers}, expected {expected}: "
    )
    if answers != expected:
        for mistake, problem in CLASSIFY_MISTAKES:
            if answers == [mistake(x, W1, b1, W2, b2) for x in CLASSIFY_POINTS]:
                findings.add(where, problem)
                return findings
        findings.add(
            where,
            "Hint: h = np.maximum(0, x @ W1 + b1), z = h @ W2 + b2, and the class is np.argmax(z).",
        )
        return findings
    x, *weights = CLASSIFY_WIDE
    result, error = call(classify, *copies([x, *weights]))
    wide = f"{name} on a network with 3 hidden units (W1 of shape (2, 3))"
    if error:
        findings.add(wide, f" {error}. {UNITS_HINT}")
    elif (answer := _class_of(result, name, 2)) != reference_class(x, *weights):
        findings.add(
            wide,
            f" returned {answer}, expected {reference_class(x, *weights)}. "
            "Hint: use the arguments, not the notebook's W1, b1, W2, b2 or a "
            "fixed number of units.",
        )
    return findings


def check_classify(classify: Callable[..., Any], *, strict: bool = False) -> None:
    """Check a learner's ``classify(x, W1, b1, W2, b2)``: one point through notebook 04's net."""
    findings = classify_findings(classify)
    cases = [
        f"{len(CLASSIFY_POINTS)} points through 2 hidden units",
        "1 point through 3 hidden units",
    ]
    report("check_classify", name_of(classify), findings, cases, strict)
