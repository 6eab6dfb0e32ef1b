"""Softmax accuracy: the largest error in ulps against an exact reference, per input class.

The reference is computed with mpmath at 256 bits from the very float inputs each
implementation sees. Compared: lab_utils, the lab's naive ``my_softmax`` (exp / sum),
``scipy.special`` and ``tf.nn``, for softmax and log_softmax in float32 and float64.
NaN, and an infinity where the exact result is finite, are counted separately.

    python -m benchmarks.accuracy [--quick]
"""

import warnings

import mpmath
import numpy as np

from ._common import Row, arguments, report

PRECISION_BITS = 256
#: exp(d) for d below this is 0 in every float format; mpmath need not compute it.
UNDERFLOW = -1e5
DTYPES = (np.float32, np.float64)


# --- inputs ---------------------------------------------------------------------------


def _uniform(low, high):
    return lambda rng, dtype, rows: rng.uniform(low, high, (rows, 4))


def _underflow_edge(rng, dtype, rows):
    """A max anywhere in [-50, 50], the others down to where exp() underflows."""
    depth = 100.0 if dtype == np.float32 else 740.0
    top = rng.uniform(-50, 50, (rows, 1))
    return np.concatenate([top, top - rng.uniform(0, depth, (rows, 3))], axis=1)


def _whole_range(rng, dtype, rows):
    """Random signs and magnitudes from tiny to near the largest float."""
    largest = np.log10(np.finfo(dtype).max)
    return rng.choice([-1.0, 1.0], (rows, 4)) * 10.0 ** rng.uniform(-largest, largest, (rows, 4))


def _near_1e4(rng, dtype, rows):
    centre = rng.choice([-1e4, 1e4], (rows, 1))
    return centre + rng.uniform(-20, 20, (rows, 4))


def _float_limits(rng, dtype, rows):
    """+-max and its neighbours, and a 0: spreads beyond the float range."""
    largest = np.finfo(dtype).max
    ulp = largest - np.nextafter(largest, dtype(0))
    steps = rng.integers(0, 4, (rows, 4)).astype(dtype)
    values = rng.choice([-1, 1], (rows, 4)).astype(dtype) * (largest - steps * ulp)
    values[rng.random(rows) < 0.25, 0] = 0
    return values


def _near_ties(rng, dtype, rows):
    """A few ulps apart around a random centre in [-100, 100]."""
    centre = rng.uniform(-100, 100, (rows, 1)).astype(dtype)
    return centre + rng.integers(0, 8, (rows, 8)) * np.spacing(centre)


def _masked(rng, dtype, rows):
    """-inf masks (about 40 % of the entries), at least one finite entry per row."""
    z = rng.uniform(-10, 10, (rows, 6))
    z[rng.random((rows, 6)) < 0.4] = -np.inf
    z[np.isneginf(z).all(axis=1), 0] = 1.0
    return z


INPUT_CLASSES = {
    "[-1, 1]": _uniform(-1, 1),
    "[-30, 30]": _uniform(-30, 30),
    "spread to the underflow edge": _underflow_edge,
    "whole float range": _whole_range,
    "near +-1e4": _near_1e4,
    "near the float limits": _float_limits,
    "near-ties (a few ulps apart)": _near_ties,
    "-inf masks": _masked,
}


def inputs(dtype, rows, seed=6):
    rng = np.random.default_rng(seed)
    return {name: make(rng, dtype, rows).astype(dtype) for name, make in INPUT_CLASSES.items()}


# --- implementations ------------------------------------------------------------------


def my_softmax(z):
    """The lab's naive softmax: exp(z) / sum(exp(z))."""
    ez = np.exp(z)
    return ez / np.sum(ez, axis=-1, keepdims=True)


def implementations():
    """``{name: (softmax, log_softmax)}``, each applied along the last axis."""
    import scipy.special

    import lab_utils
    from lab_utils._setup import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    return {
        "lab_utils": (lab_utils.precise_softmax, lab_utils.log_softmax),
        "naive exp/sum": (my_softmax, lambda z: np.log(my_softmax(z))),
        "scipy.special": (
            lambda z: scipy.special.softmax(z, axis=-1),
            lambda z: scipy.special.log_softmax(z, axis=-1),
        ),
        "tf.nn": (lambda z: tf.nn.softmax(z).numpy(), lambda z: tf.nn.log_softmax(z).numpy()),
    }


# --- the exact reference --------------------------------------------------------------


def exact(z, shifted=None):
    """Exact softmax and log_softmax of each row of ``z``, as float64 ``(hi, lo)`` pairs.

    ``shifted``, if given, replaces the exact ``z - max(z)``: the reference for an
    otherwise perfect computation that rounds that difference.
    """
    mpmath.mp.prec = PRECISION_BITS
    shape = z.shape
    soft = [np.empty(shape) for _ in range(2)]
    log_soft = [np.empty(shape) for _ in range(2)]
    for i, row in enumerate(z):
        values = [mpmath.mpf(float(v)) for v in row]
        top = max(values)
        d = (
            [v - top for v in values]
            if shifted is None
            else [mpmath.mpf(float(v)) for v in shifted[i]]
        )
        e = [mpmath.exp(x) if x > UNDERFLOW else mpmath.mpf(0) for x in d]
        at_top = values.index(top)  # where d = 0 and e = 1
        # log1p(rest), not log(1 + rest): at 256 bits 1 + rest loses a rest below 2**-256
        rest = mpmath.fsum(e[:at_top] + e[at_top + 1 :])
        total, log_total = 1 + rest, mpmath.log1p(rest)
        for j in range(shape[1]):
            _split(e[j] / total, soft, i, j)
            _split(d[j] - log_total, log_soft, i, j)
    return tuple(soft), tuple(log_soft)


def _split(x, pair, i, j):
    """Store mpf ``x`` as ``hi + lo`` in float64 (``hi`` = +-inf beyond the float range)."""
    hi = float(x) if abs(x) < mpmath.mpf(2) ** 1024 else (np.inf if x > 0 else -np.inf)
    pair[0][i, j] = hi
    pair[1][i, j] = float(x - hi) if np.isfinite(hi) else 0.0


def ulp_errors(result, reference, dtype):
    """``(errors in ulps, count of NaN or unexpected inf)`` of ``result`` against ``(hi, lo)``."""
    hi, lo = reference
    result = np.asarray(result, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = hi.astype(dtype)  # the correctly rounded result (+-inf when it overflows)
        ulp = np.spacing(np.abs(rounded))
        largest = np.abs(rounded) == np.finfo(dtype).max  # spacing() looks above it: inf
        ulp[largest] = np.finfo(dtype).max - np.nextafter(np.finfo(dtype).max, dtype(0))
        ulp = ulp.astype(np.float64)
        errors = np.abs((result - hi) - lo) / ulp
    both_inf = np.isinf(rounded) & (result == rounded)
    errors[both_inf] = 0.0
    # beyond the float range, the largest finite float is as good as an infinity
    overflowed = np.isinf(rounded) & np.isfinite(result)
    errors[overflowed] = np.where(np.abs(result[overflowed]) == np.finfo(dtype).max, 0.0, np.inf)
    bad = np.isnan(result) | (np.isinf(result) & ~both_inf)
    return errors[~bad], int(bad.sum())


# --- the benchmark --------------------------------------------------------------------


def measure(rows):
    """``{(function, dtype, class): {implementation: (worst ulps, bad count)}}`` plus the
    worst error that rounding z - max(z) in the input dtype causes by itself."""
    impls = implementations()
    results, rounding_alone = {}, {}
    for dtype in DTYPES:
        for name, z in inputs(dtype, rows).items():
            references = exact(z)
            with np.errstate(over="ignore", invalid="ignore"):
                rounded_shift = z - z.max(axis=-1, keepdims=True)
            shifted_refs = exact(z, shifted=rounded_shift)
            for f, function in enumerate(("softmax", "log_softmax")):
                key = (function, np.dtype(dtype).name, name)
                results[key] = {}
                for impl, pair in impls.items():
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out = pair[f](z)
                    errors, bad = ulp_errors(out, references[f], dtype)
                    results[key][impl] = (float(errors.max()) if errors.size else np.nan, bad)
                # how far an exact computation of the rounded z - max(z) is from the truth
                errors, _ = ulp_errors(
                    shifted_refs[f][0] + shifted_refs[f][1], references[f], dtype
                )
                rounding_alone[key] = float(errors.max()) if errors.size else np.nan
    return results, rounding_alone


def _ulps(value):
    if np.isnan(value):
        return "-"
    return f"{value:.2f}" if value < 100 else f"{value:.3g}"


def _cell(worst, bad):
    return _ulps(worst) + (f" ({bad} NaN/inf)" if bad else "")


def rows_and_details(results, rounding_alone, rows):
    impls = list(next(iter(results.values())))
    detail = []
    for key, by_impl in results.items():
        function, dtype, name = key
        ours, scipy = by_impl["lab_utils"][0], by_impl["scipy.special"][0]
        detail.append(
            [
                f"{function} {dtype}",
                name,
                *(_cell(*by_impl[i]) for i in impls),
                _ulps(rounding_alone[key]),
                "yes" if ours <= max(scipy, 0.5) else "**no**",
            ]
        )
    summary = []
    for function in ("softmax", "log_softmax"):
        for dtype in ("float32", "float64"):
            mine = {k[2]: v for k, v in results.items() if k[:2] == (function, dtype)}
            unit = mine["[-1, 1]"]["lab_utils"][0]
            worst_name = max(mine, key=lambda n: mine[n]["lab_utils"][0])
            worst = mine[worst_name]["lab_utils"][0]
            scipy_worst = max(v["scipy.special"][0] for v in mine.values())
            bad = sum(v["lab_utils"][1] for v in mine.values())
            every_class = all(
                v["lab_utils"][0] <= max(v["scipy.special"][0], 0.5) for v in mine.values()
            )
            summary.append(
                Row(
                    "accuracy",
                    f"{function} {dtype}: worst error, {len(mine)} input classes",
                    f"{_ulps(worst)} ulp ({worst_name}); [-1, 1]: {_ulps(unit)} ulp; {bad} NaN/inf",
                    f"scipy.special worst {_ulps(scipy_worst)} ulp",
                    worst / scipy_worst if scipy_worst > 0 else None,
                    "<= 4 ulp on [-1, 1]; <= scipy (or <= 0.5 ulp) on every class; no NaN/inf",
                    unit <= 4 and every_class and bad == 0,
                )
            )
    header = ["function", "inputs", *impls, "z - max(z) rounding alone", "lab_utils <= scipy"]
    title = (
        f"Accuracy: worst error in ulps against mpmath at {PRECISION_BITS} bits, "
        f"{rows} rows per class (NaN/inf counted apart). 'z - max(z) rounding alone' is "
        "the error of an otherwise exact softmax whose z - max(z) is rounded in the "
        "input's dtype: where it is large, that rounding is what scipy.special and "
        "tf.nn get wrong (lab_utils computes float32 in float64 and carries float64's "
        "rounding error along)"
    )
    return summary, [(title, header, detail)]


def main():
    args = arguments(__doc__.splitlines()[0])
    rows = 200 if args.quick else 1000
    results, rounding_alone = measure(rows)
    summary, details = rows_and_details(results, rounding_alone, rows)
    report(summary, details, as_json=args.json)


if __name__ == "__main__":
    main()
