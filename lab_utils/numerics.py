"""Softmax and cross-entropy in pure NumPy.

Same names and argument order as ``keras.losses`` / ``keras.ops``. Every function
checks its input (with `lab_utils._validate`): the wrong kind of argument (text, a bool,
a float axis) raises ``TypeError``, a wrong value (NaN, a shape, a label out of range)
``ValueError``, and the message names the argument and the first bad entry, so a
learner's mistake is reported where it was made rather than as a NaN three cells later.
"""

import numpy as np
from numpy.typing import ArrayLike

from ._validate import (
    as_flag,
    as_int,
    as_labels,
    as_logits,
    as_numbers,
    as_probabilities,
)

#: Keras' fuzz factor (``keras.config.epsilon()``): probabilities are clipped to
#: ``[EPSILON, 1 - EPSILON]`` before their log is taken.
EPSILON = 1e-7

#: How a loss from probabilities says what to do about logits.
_LOGITS_HINT = "if these are logits, pass from_logits=True"


# --- softmax ----------------------------------------------------------------------

#: Up to this many entries, an axis is reduced column by column: NumPy's own reduction
#: along a short, strided axis is several times slower (benchmarks/throughput.py).
SHORT_AXIS = 4
#: Large inputs are computed this many values at a time, so that the temporaries of
#: each step stay in the CPU cache instead of going to memory and back.
BLOCK_VALUES = 2**17


class _BadLogits(Exception):
    """A slice holds NaN or +inf, or only -inf: the full check then names the entry."""


def _compute_dtype(dtype):
    # float16/float32 are computed in float64 and rounded once at the end: z - max(z)
    # is then exact (or off by far less than a float32 ulp) and nothing else is lost.
    return np.dtype(np.float64) if dtype.itemsize < 8 else dtype


def _reduce(ufunc, x, axis):
    """``ufunc.reduce(x, axis, keepdims=True)``, fast for a short axis too."""
    if x.shape[axis] > SHORT_AXIS:
        return ufunc.reduce(x, axis=axis, keepdims=True)
    columns = [x[(slice(None),) * axis + (slice(k, k + 1),)] for k in range(x.shape[axis])]
    out = columns[0].copy()
    for column in columns[1:]:
        ufunc(out, column, out=out)
    return out


def _apply(compute, z, name, axis):
    """``compute(z, axis)`` on validated float logits, block by block.

    The blocks run along the longest axis other than ``axis``. Each block checks
    itself on the way (see `_max`); if one fails, the full check names the entry.
    """
    arr = as_numbers(z, name, finite=False)
    axis_ok = isinstance(axis, (int, np.integer)) and not isinstance(axis, bool)
    if not (axis_ok and -arr.ndim <= axis < arr.ndim):
        as_logits(arr, name, axis=axis)  # raises, naming what is wrong
    axis = int(axis) % arr.ndim
    try:
        return _by_blocks(compute, arr, axis)
    except _BadLogits:
        as_logits(arr, name, axis=axis)  # raises, naming the first bad entry
        raise


def _by_blocks(compute, z, axis):
    others = [d for d in range(z.ndim) if d != axis]
    if z.size <= BLOCK_VALUES or not others:
        return compute(z, axis)
    along = max(others, key=lambda d: z.shape[d])
    step = max(1, BLOCK_VALUES * z.shape[along] // z.size)
    out = None
    for start in range(0, z.shape[along], step):
        block = (slice(None),) * along + (slice(start, start + step),)
        part = compute(z[block], axis)
        if out is None:
            out = np.empty(
                part.shape[:along] + z.shape[along : along + 1] + part.shape[along + 1 :],
                part.dtype,
            )
        out[block] = part
    return out


def _max(z, axis):
    """``max(z)`` along ``axis``, which is also the check of the logits.

    A slice's max is NaN if the slice holds a NaN, +inf if it holds +inf, and -inf if
    every entry is -inf: the max, needed anyway, costs no extra pass over the data.
    """
    top = _reduce(np.maximum, z, axis)
    if not np.isfinite(top).all():
        raise _BadLogits
    return top


def _shifted(z, top):
    """``z - max(z)`` as ``(hi, lo)``: every entry <= 0, so exp() cannot overflow.

    ``hi`` is the difference rounded to the compute dtype. Rounding it would cost
    exp() up to |z - max(z)| / 2 ulps, so for float64 ``lo`` holds the rounding error
    (Knuth's TwoSum: hi + lo == z - max(z) exactly); it is None where hi is exact.
    """
    dtype = _compute_dtype(z.dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # spreads beyond the float range
        hi = np.subtract(z, top, dtype=dtype)
        if dtype != z.dtype:
            return hi, None
        from_top = hi - z
        lo = hi - from_top
        np.subtract(z, lo, out=lo)
        from_top += top
        lo -= from_top
    if np.isneginf(hi.min()):  # masks: lo is nan there, and exp(hi) = 0 needs no correction
        np.copyto(lo, 0.0, where=np.isnan(lo))
    return hi, lo


def _exp(hi, lo, overwrite=False):
    """``exp(hi + lo)`` for a tiny ``lo``: ``exp(hi) * (1 + lo)``; may reuse their memory."""
    e = np.exp(hi, out=hi if overwrite else None)
    if lo is not None:
        e += np.multiply(e, lo, out=lo if overwrite else None)
    return e


def _log_sum(e, z, axis):
    """``log(sum(e))`` along ``axis`` for ``e = exp(z - max(z))``, which is 1 at the max.

    ``log(1 + rest)`` would round ``1 + rest`` first and lose the digits of a small
    rest, so the rest is summed apart and ``log1p`` taken; where ``1 + rest`` is exact
    (ties, such as equal logits), ``log`` rounds better.
    """
    np.put_along_axis(e, np.argmax(z, axis=axis, keepdims=True), 0.0, axis=axis)
    rest = _reduce(np.add, e, axis)
    total = 1 + rest
    return np.where(total - 1 == rest, np.log(total), np.log1p(rest))


def _softmax(z, axis):
    e = _exp(*_shifted(z, _max(z, axis)), overwrite=True)
    e /= _reduce(np.add, e, axis)
    return e.astype(z.dtype, copy=False)


def _logsumexp(z, axis):
    top = _max(z, axis)
    e = _exp(*_shifted(z, top), overwrite=True)
    return (top + _log_sum(e, z, axis)).astype(z.dtype, copy=False)


def _log_softmax(z, axis):
    hi, lo = _shifted(z, _max(z, axis))
    log_total = _log_sum(_exp(hi, lo), z, axis)
    out = hi - log_total if lo is None else hi + (lo - log_total)
    return out.astype(z.dtype, copy=False)


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax of ``z`` along ``axis``: the three lines of notebook 01, with input checks.

    Subtract each slice's maximum (which changes nothing mathematically but keeps
    every ``exp`` in ``[0, 1]``), exponentiate, divide by the sum. ``-inf`` entries
    are a mask and get probability exactly 0. For results within a few ulps of the
    exact ones, see `precise_softmax`.
    """
    z, axis = as_logits(z, "z", axis=axis)
    with np.errstate(over="ignore"):  # z - max(z) beyond the float range is -inf: exp gives 0
        shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def precise_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax of ``z`` along ``axis``, within a few ulps of the exact result.

    Same result as `softmax` up to rounding, for tests and benchmarks that need the
    last digits: float16/float32 are computed in float64, in float64 the rounding
    error of ``z - max(z)`` is carried along (measured in benchmarks/accuracy.py),
    and large inputs are worked through in cache-sized blocks.
    """
    return _apply(_softmax, z, "z", axis)


def logsumexp(z: ArrayLike, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log(sum(exp(z)))`` along ``axis``, without overflow."""
    out = _apply(_logsumexp, z, "z", axis)
    return out if keepdims else out.squeeze(axis=axis % out.ndim)


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))`` along ``axis``, exact even where softmax underflows to 0."""
    return _apply(_log_softmax, z, "z", axis)


# --- targets and losses -----------------------------------------------------------


def one_hot(y: ArrayLike, num_classes: int) -> np.ndarray:
    """One-hot rows for integer labels ``y``: shape ``y.shape + (num_classes,)``."""
    num_classes = as_int(num_classes, "num_classes", low=1)
    labels = as_labels(y, "y", n_classes=num_classes, ndim=None)
    return (labels[..., None] == np.arange(num_classes)).astype(np.float64)


def _predictions(y_pred, from_logits, nonzero_rows=False):
    """``y_pred`` checked as logits or as probabilities, as ``from_logits`` says."""
    if as_flag(from_logits, "from_logits"):
        return as_logits(y_pred, "y_pred")[0]
    return as_probabilities(y_pred, "y_pred", nonzero_rows=nonzero_rows, hint=_LOGITS_HINT)


def sparse_categorical_crossentropy(
    y_true: ArrayLike, y_pred: ArrayLike, from_logits: bool = False
) -> np.ndarray:
    """Per-example cross-entropy ``-log(a[y])`` for integer labels ``y_true``.

    ``y_pred`` has shape ``(..., num_classes)`` and ``y_true`` shape ``(...)`` (or
    ``(..., 1)``). With ``from_logits=True`` ``y_pred`` holds logits and the loss
    is ``-log_softmax(y_pred)[y]``, exact at any size. With ``from_logits=False``
    it holds probabilities, which are clipped to ``[1e-7, 1 - 1e-7]`` exactly as
    Keras does, so no loss exceeds ``-log(1e-7) = 16.118...``.
    """
    z = _predictions(y_pred, from_logits)
    y = as_numbers(y_true, "y_true", finite=False, what="class labels (integers 0, 1, 2, ...)")
    if y.ndim == z.ndim and y.shape[-1] == 1:
        y = y[..., 0]
    if y.shape != z.shape[:-1]:
        hint = "; y_true looks one-hot: use categorical_crossentropy" if y.shape == z.shape else ""
        raise ValueError(
            f"y_true must have shape {z.shape[:-1]}, one class label per row of "
            f"y_pred (shape {z.shape}), got shape {y.shape}{hint}"
        )
    labels = as_labels(y, "y_true", n_classes=z.shape[-1], ndim=None)
    if not from_logits:
        # Keras: clip, take the log, and treat the logs as logits (which renormalises).
        eps = z.dtype.type(EPSILON)
        z = np.log(np.clip(z, eps, 1 - eps))
    log_a = log_softmax(z)
    return -np.take_along_axis(log_a, labels[..., None], axis=-1)[..., 0]


def categorical_crossentropy(
    y_true: ArrayLike, y_pred: ArrayLike, from_logits: bool = False
) -> np.ndarray:
    """Per-example cross-entropy ``-sum(y * log(a))`` for one-hot (or soft) targets.

    ``y_true`` and ``y_pred`` have the same shape ``(..., num_classes)``. With
    ``from_logits=False`` each row of ``y_pred`` is divided by its sum and clipped
    to ``[1e-7, 1 - 1e-7]``, exactly as Keras does.
    """
    z = _predictions(y_pred, from_logits, nonzero_rows=True)
    y = as_numbers(y_true, "y_true", finite=False)
    if y.shape != z.shape:
        hint = ""
        if y.shape == z.shape[:-1] or y.shape == z.shape[:-1] + (1,):
            hint = "; y_true looks like integer labels: use sparse_categorical_crossentropy"
        raise ValueError(
            f"y_true must have the shape of y_pred, {z.shape}, got shape {y.shape}{hint}"
        )
    y = as_probabilities(y, "y_true", hint="targets are one-hot rows or probabilities")
    if from_logits:
        log_a = log_softmax(z)
    else:
        totals = z.sum(axis=-1, keepdims=True)
        eps = z.dtype.type(EPSILON)
        log_a = np.log(np.clip(z / totals, eps, 1 - eps))
    y = y.astype(log_a.dtype, copy=False)
    # a zero target weight ignores its class, even a masked one (0 * -inf would be NaN)
    with np.errstate(invalid="ignore"):
        return -np.where(y == 0, 0, y * log_a).sum(axis=-1)
