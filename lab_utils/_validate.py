"""Input checks shared by every module of lab_utils: one rule per kind of input.

Pure NumPy. Each ``as_*`` function takes an argument and its name, and returns it
converted (an array, an int, a float) or raises. Wrong *kind* of thing (not numbers, a
string, a bool where a count is expected): ``TypeError``. Right kind, wrong *value* (a
shape, a NaN, a number out of range): ``ValueError``. Every message has one form,
``"<name> must <rule>, got <what>"``, and a bad entry is shown as a learner would index
it, ``y[2] = 1.5``.

The rules, one per kind:

* numbers (`as_numbers`): int, unsigned or float dtype (not bool, complex, text or
  objects), rectangular, not empty; finite unless a kind allows otherwise.
* class-score matrices (`as_matrix`): numbers of shape ``(m, N)``, one row per example,
  one column per class.
* points (`as_points`): finite numbers of shape ``(n, 2)``, one point per row.
* class labels (`as_labels`): integer dtype, or floats that are exactly whole numbers
  (``[0., 1.]`` is two labels, as Keras reads it; ``1.5`` or NaN is not a label), never
  negative, below ``n_classes`` when that is known.
* logits (`as_logits`): numbers without NaN or +inf; -inf masks a class (probability 0),
  but every slice along the class axis keeps a finite entry.
* probabilities (`as_probabilities`): finite numbers in [0, 1].
* probability rows (`as_probability_rows`): a probability matrix whose rows each sum to 1
  within `ROW_SUM_TOLERANCE`, for functions that read a row as a distribution.
* integers (`as_int`), numbers (`as_number`), temperatures (`as_temperature`), axes
  (`as_axis`) and flags (`as_flag`): Python or NumPy scalars, never bools except flags.
"""

import math

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

#: Rows of probabilities must sum to 1 within this. A float32 softmax row of N classes is
#: off by about N * 6e-8, so this accepts stored model outputs of up to ~1000 classes
#: and still rejects a row that was never normalised.
ROW_SUM_TOLERANCE = 1e-4

_REAL_KINDS = "iuf"
_INTEGER_TYPES = (int, np.integer)
_REAL_TYPES = (int, float, np.integer, np.floating)


# --- how an entry is named -------------------------------------------------------------


def _subscript(index) -> str:
    """``[1, 2]``: how a learner would index the entry."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _first(mask: np.ndarray) -> tuple:
    """Index of the first True entry of a boolean array."""
    return np.unravel_index(np.argmax(mask), mask.shape)


def _entry(name: str, arr: np.ndarray, mask: np.ndarray) -> str:
    """``y[2] = 1.5`` for the first entry of ``arr`` where ``mask`` is True."""
    at = _first(mask)
    value = arr[at]
    text = f"{value:.6g}" if arr.dtype.kind == "f" else str(value)
    return f"{name}{_subscript(at)} = {text}"


def _slice(name: str, index, axis: int) -> str:
    """``z[1, :]``: the slice along ``axis`` through ``index`` (which lacks that axis)."""
    parts = [str(int(i)) for i in index]
    parts.insert(axis, ":")
    return f"{name}[{', '.join(parts)}]"


def _kind_of(values) -> str:
    if isinstance(values, (np.ndarray, list, tuple)):
        return f"an array of dtype {np.asarray(values).dtype}"
    return type(values).__name__


# --- arrays ---------------------------------------------------------------------------


def _real_array(values: ArrayLike, name: str, what: str) -> np.ndarray:
    """``np.asarray(values)``, which must be a rectangular array of real numbers."""
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError):  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of {what} (every row the "
            "same length), got rows of different lengths"
        ) from None
    if arr.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} must hold {what}, got {_kind_of(values)}")
    return arr


def _check_ndim(arr: np.ndarray, name: str, ndim, shape_text: str = "") -> None:
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed:
        dims = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {dims}{shape_text}, got shape {arr.shape}")


def _check_finite(arr: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(f"{name} must be finite, got {_entry(name, arr, bad)}")


def _as_float(arr: np.ndarray, dtype: DTypeLike | None) -> np.ndarray:
    """float16/32/64 keep their dtype unless ``dtype`` is given; integers become float64."""
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def as_numbers(
    values: ArrayLike,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    dtype: DTypeLike | None = None,
    what: str = "real numbers",
    shape_text: str = "",
) -> np.ndarray:
    """A non-empty float array of real numbers (``ndim`` dimensions, if given).

    Floats keep their dtype and integers become float64, unless ``dtype`` is given.
    ``finite=False`` lets NaN and infinities through, for a kind that rules on them.
    ``what`` and ``shape_text`` word the messages for the calling kind.
    """
    arr = _real_array(values, name, what)
    if ndim is not None:
        _check_ndim(arr, name, ndim, shape_text)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    arr = _as_float(arr, dtype)
    if finite:
        _check_finite(arr, name)
    return arr


def as_matrix(
    values: ArrayLike,
    name: str,
    *,
    min_columns: int = 1,
    finite: bool = True,
    dtype: DTypeLike | None = None,
) -> np.ndarray:
    """Class scores ``(m, N)``: one row per example, one column per class (N >= ``min_columns``)."""
    at_least = f" (at least {min_columns})" if min_columns > 1 else ""
    shape_text = f" of shape (m, N), one row per example and one column per class{at_least}"
    arr = as_numbers(values, name, ndim=2, finite=finite, dtype=dtype, shape_text=shape_text)
    if arr.shape[1] < min_columns:
        raise ValueError(
            f"{name} must have shape (m, N), one row per example and one column "
            f"per class{at_least}, got shape {arr.shape}"
        )
    return arr


def as_points(values: ArrayLike, name: str = "X") -> np.ndarray:
    """Points of the plane ``(n, 2)``, one per row (x0, x1), finite, as float64."""
    arr = as_numbers(
        values,
        name,
        ndim=2,
        dtype=np.float64,
        shape_text=" of shape (n, 2), one point (x0, x1) per row",
    )
    if arr.shape[1] != 2:
        raise ValueError(
            f"{name} must have shape (n, 2), one point (x0, x1) per row, got shape {arr.shape}"
        )
    return arr


def as_labels(
    values: ArrayLike,
    name: str = "y",
    *,
    n_classes: int | None = None,
    length: int | None = None,
    per: str = "example",
    ndim: int | None = 1,
) -> np.ndarray:
    """Class labels 0, 1, 2, ... as an integer (``np.intp``) array.

    Integer dtype, or floats that are exactly whole numbers. ``n_classes``: labels must be
    below it. ``length``: one label per ``per`` (shape ``(length,)``). ``ndim=None``: any
    shape, a scalar included (one example's label).
    """
    what = "class labels (integers 0, 1, 2, ...)"
    arr = _real_array(values, name, what)
    if length is not None and arr.shape != (length,):
        raise ValueError(
            f"{name} must have shape ({length},), one class label per {per}, got shape {arr.shape}"
        )
    if ndim is not None:
        _check_ndim(arr, name, ndim, f", one class label per {per}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        not_whole = ~np.isfinite(arr) | (arr != np.round(arr))
        if not_whole.any():
            raise ValueError(
                f"{name} must hold whole-number class labels, got {_entry(name, arr, not_whole)}"
            )
    bad = arr < 0 if n_classes is None else (arr < 0) | (arr >= n_classes)
    if bad.any():
        rule = "0, 1, 2, ..." if n_classes is None else f"in 0..{n_classes - 1}"
        raise ValueError(f"{name} must hold class labels {rule}, got {_entry(name, arr, bad)}")
    return arr.astype(np.intp, copy=False)


def as_axis(axis: object, ndim: int, name: str) -> int:
    """``axis`` of an array ``name`` with ``ndim`` dimensions, as a non-negative int."""
    if not isinstance(axis, _INTEGER_TYPES) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis must be in {-ndim}..{ndim - 1} for {name} with {ndim} dimension(s), got {axis}"
        )
    return int(axis) % ndim


def as_logits(
    values: ArrayLike,
    name: str = "z",
    *,
    axis: int = -1,
    matrix: bool = False,
    dtype: DTypeLike | None = None,
) -> tuple[np.ndarray, int]:
    """Logits and their class axis: ``(array, axis)``, the axis made non-negative.

    No NaN or +inf; -inf is a mask (probability 0), but every slice along ``axis`` keeps a
    finite entry. ``matrix=True``: shape ``(m, N)`` with at least 2 classes (``axis`` 1).
    """
    if matrix:
        z = as_matrix(values, name, min_columns=2, finite=False, dtype=dtype)
    else:
        z = as_numbers(values, name, finite=False, dtype=dtype)
        if z.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension, got the scalar {z}")
    axis = as_axis(axis, z.ndim, name)
    if np.isnan(z).any():
        raise ValueError(f"{name} must not hold NaN, got {_entry(name, z, np.isnan(z))}")
    if np.isposinf(z).any():
        raise ValueError(
            f"{name} must not hold +inf (-inf masks a class), got {_entry(name, z, np.isposinf(z))}"
        )
    all_masked = np.isneginf(z).all(axis=axis)
    if all_masked.any():
        where = _slice(name, _first(all_masked), axis)
        raise ValueError(
            f"{name} must have a finite entry in every slice along axis {axis} "
            f"(softmax needs one), got -inf in every entry of {where}"
        )
    return z, axis


def as_probabilities(
    values: ArrayLike,
    name: str = "probabilities",
    *,
    matrix: bool = False,
    ndim: int | None = None,
    dtype: DTypeLike | None = None,
    nonzero_rows: bool = False,
    hint: str = "if these are logits, apply softmax first",
) -> np.ndarray:
    """Probabilities: finite numbers in [0, 1], of at least one dimension.

    ``matrix=True``: shape ``(m, N)`` with at least 2 classes; ``ndim``: that many
    dimensions. ``nonzero_rows=True``: no row (along the last axis) is all zeros, for a
    function that divides each row by its sum, as Keras does. ``hint`` follows the
    message of an entry outside [0, 1].
    """
    if matrix:
        p = as_matrix(values, name, min_columns=2, dtype=dtype)
    else:
        p = as_numbers(values, name, ndim=ndim, dtype=dtype)
        if p.ndim == 0:
            raise ValueError(f"{name} must have at least one dimension, got the scalar {p}")
    outside = (p < 0) | (p > 1)
    if outside.any():
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], "
            f"got {_entry(name, p, outside)}" + (f"; {hint}" if hint else "")
        )
    if nonzero_rows:
        zero = ~p.any(axis=-1)
        if zero.any():
            where = _slice(name, _first(zero), p.ndim - 1)
            raise ValueError(
                f"{name} must not have a row of zeros (each row is divided by "
                f"its sum), got all zeros in {where}"
            )
    return p


def as_probability_rows(
    values: ArrayLike, name: str = "probabilities", *, dtype: DTypeLike | None = None
) -> np.ndarray:
    """A probability matrix ``(m, N)`` whose rows each sum to 1 (within `ROW_SUM_TOLERANCE`)."""
    p = as_probabilities(values, name, matrix=True, dtype=dtype)
    sums = p.sum(axis=1)
    off = np.abs(sums - 1) > ROW_SUM_TOLERANCE
    if off.any():
        i = int(np.argmax(off))
        raise ValueError(
            f"{name} must have rows that sum to 1, got {name}[{i}, :] summing to {sums[i]:.6g}"
        )
    return p


# --- scalars --------------------------------------------------------------------------


def as_int(value: object, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (Python or NumPy, not a bool) in ``low..high`` (either end optional)."""
    if isinstance(value, bool) or not isinstance(value, _INTEGER_TYPES):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            rule = f"at least {low}"
        elif low is None:
            rule = f"at most {high}"
        else:
            rule = f"between {low} and {high}"
        raise ValueError(f"{name} must be {rule}, got {value}")
    return int(value)


def _check_real_scalar(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a number, got {value!r}")


def as_number(
    value: object, name: str, *, above: float | None = None, below: float | None = None
) -> float:
    """A finite real number (not a bool), strictly between ``above`` and ``below`` if given."""
    _check_real_scalar(value, name)
    if not (
        math.isfinite(value)
        and (above is None or value > above)
        and (below is None or value < below)
    ):
        if above is not None and below is not None:
            rule = f"a number strictly between {above} and {below}"
        elif above == 0:
            rule = "a positive, finite number"
        elif above is not None:
            rule = f"a finite number greater than {above}"
        elif below is not None:
            rule = f"a finite number less than {below}"
        else:
            rule = "a finite number"
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return float(value)


def as_temperature(value: object, name: str = "T") -> float:
    """A temperature: a positive, finite number."""
    _check_real_scalar(value, name)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive, finite temperature, got {value}")
    return float(value)


def as_flag(value: object, name: str) -> bool:
    """``True`` or ``False`` (NumPy's bool too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_images(images: ArrayLike, name: str = "images") -> np.ndarray:
    """Images as an (n, h, w) array; (n, h*w) rows of a square image are reshaped."""
    arr = as_numbers(
        images,
        name,
        ndim=(3, 2),
        dtype=np.float64,
        shape_text=" (n, height, width), or (n, height * width) for square images",
    )
    if arr.ndim == 2:
        side = int(round(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise ValueError(
                f"{name} rows of {arr.shape[1]} pixels are not square images: "
                "pass them as (n, height, width)"
            )
        arr = arr.reshape(len(arr), side, side)
    return arr
