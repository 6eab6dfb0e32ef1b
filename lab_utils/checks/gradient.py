"""Notebook 05's exercise: the gradient of softmax regression's mean cross-entropy.

``check_softmax_regression_gradient(my_gradient)`` calls ``my_gradient(X, y, W, b) ->
(dW, db)`` for softmax regression ``z = X @ W + b``. ``X`` has shape ``(m, n)``, ``y``
integer labels ``(m,)``, ``W`` shape ``(n, N)`` (Keras' kernel layout), ``b`` shape
``(N,)``. With ``dz = (softmax(z) - one_hot(y, N)) / m``: ``dW = X.T @ dz`` (shape of
``W``) and ``db = dz.sum(axis=0)`` (shape of ``b``).
"""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..numerics import one_hot, softmax
from ._runner import Exercise, Problem, as_numbers, same


def _gradient_case(m, n, num_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = rng.permutation(np.arange(m) % num_classes)  # every class present
    W = rng.normal(scale=0.5, size=(n, num_classes))
    b = rng.normal(scale=0.5, size=num_classes)
    return X, y, W, b


#: (description, (X, y, W, b)); in the second n == N, so a transposed dW has W's shape.
GRADIENT_CASES = [
    ("5 examples x 3 features -> 4 classes", _gradient_case(5, 3, 4, seed=0)),
    ("6 examples x 3 features -> 3 classes", _gradient_case(6, 3, 3, seed=1)),
]


def reference_gradient(
    X: np.ndarray, y: ArrayLike, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(dW, db)`` of the mean cross-entropy of ``softmax(X @ W + b)``."""
    dz = (softmax(X @ W + b) - one_hot(y, W.shape[1])) / len(y)
    return X.T @ dz, dz.sum(axis=0)


def _gradient_mistakes(X, y, W, b):
    """What typical wrong gradients give: [(dW, db or None if any, problem), ...]."""
    m, num_classes = len(y), W.shape[1]
    z = X @ W + b
    dW, db = reference_gradient(X, y, W, b)
    labels_as_numbers = (softmax(z) - y[:, None]) / m
    from_logits = (z - one_hot(y, num_classes)) / m
    no_targets = softmax(z) / m
    return [
        (m * dW, m * db, ": the 1/m is missing. Hint: dz = (a - one_hot(y, N)) / m."),
        (-dW, -db, ": the sign is wrong. Hint: dz = a - one_hot(y, N), not one_hot(y, N) - a."),
        (
            X.T @ labels_as_numbers,
            labels_as_numbers.sum(axis=0),
            ": the label y is subtracted from every column. Hint: subtract one_hot(y, N), "
            "the row with a 1 at the true class.",
        ),
        (
            X.T @ no_targets,
            no_targets.sum(axis=0),
            ": the targets are missing. Hint: subtract them, dz = (a - one_hot(y, N)) / m.",
        ),
        (
            X.T @ from_logits,
            from_logits.sum(axis=0),
            ": that uses the logits z. Hint: use the probabilities a = softmax(X @ W + b).",
        ),
        (dW.T, None, ": dW is transposed. Hint: dW = X.T @ dz, not dz.T @ X."),
    ]


def _gradient_shapes_problem(dW, db, W, b):
    if dW.shape == b.shape and db.shape == W.shape:
        return ": dW and db are swapped. Hint: return dW, db (in that order)."
    if dW.shape != W.shape:
        hint = (
            "dW = X.T @ dz, not dz.T @ X"
            if dW.shape == W.shape[::-1]
            else "dW = X.T @ dz has one entry per weight"
        )
        return f": dW has shape {dW.shape}, W has {W.shape}. Hint: {hint}."
    if db.shape != b.shape:
        hint = (
            "drop keepdims=True, so that db has b's shape"
            if db.shape == (1, *b.shape)
            else "sum dz over the examples, axis=0"
        )
        return f": db has shape {db.shape}, b has {b.shape}. Hint: {hint}."
    return None


def _gradient_problem(name, result, *args):
    """What is wrong with ``result`` as ``(dW, db)`` for ``args``, or None when it is right."""
    if result is None:
        as_numbers(result, name)  # raises the usual "returned None" problem
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Problem(
            f"{name} returned a {type(result).__name__}. Hint: return dW, db "
            "(two arrays, in that order)."
        )
    dW, db = (as_numbers(part, name) for part in result)
    for wrong_dW, wrong_db, problem in _gradient_mistakes(*args):
        if same(dW, wrong_dW) and (wrong_db is None or same(db, wrong_db)):
            return problem
    shapes = _gradient_shapes_problem(dW, db, args[2], args[3])
    if shapes:
        return shapes
    expected_dW, expected_db = reference_gradient(*args)
    if not same(dW, expected_dW):
        return (
            f": dW is off by up to {np.max(np.abs(dW - expected_dW)):.3g}. "
            "Hint: dW = X.T @ dz with dz = (a - one_hot(y, N)) / m."
        )
    if not same(db, expected_db):
        return (
            f": db is {np.round(db, 4).tolist()}, expected "
            f"{np.round(expected_db, 4).tolist()}. Hint: db = dz.sum(axis=0)."
        )
    return None


def _error_hint(error):
    hint = (
        "subtract one_hot(y, N), not the integer labels y"
        if "broadcast" in error
        else "X is (m, n), y (m,), W (n, N) and b (N,)"
    )
    return f"Hint: {hint}."


EXERCISE = Exercise(
    check="check_softmax_regression_gradient",
    placeholder="my_gradient",
    cases=lambda: GRADIENT_CASES,
    where=lambda name, case: f"{name}(X, y, W, b) on {case[0]}",
    problem=_gradient_problem,
    error_hint=_error_hint,
    arguments=lambda case: case[1],
)


def softmax_regression_gradient_findings(my_gradient: Callable[..., Any]) -> list[str]:
    """Problems with ``my_gradient(X, y, W, b)`` on `GRADIENT_CASES` (empty when right)."""
    return EXERCISE.findings(my_gradient)


def check_softmax_regression_gradient(
    my_gradient: Callable[..., Any], *, strict: bool = False
) -> None:
    """Check a learner's softmax-regression gradient ``my_gradient(X, y, W, b)``."""
    EXERCISE.run(my_gradient, strict)
