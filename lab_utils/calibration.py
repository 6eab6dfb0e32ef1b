"""Can a classifier's probabilities be trusted? Expected calibration error and temperature.

Pure NumPy; imports nothing of ours but `numerics`. Calibration is judged on the top
label: each example's *confidence* is its largest probability, and it is *correct* when
that class is its label. Among the examples given confidence about 0.9, a calibrated
model is right 9 times in 10.

The bins are those of scikit-learn's ``calibration_curve``, so the error and the
reliability diagram describe the same groups. With ``strategy="uniform"`` (equal width)
bin k holds the confidences in ``(k / n_bins, (k + 1) / n_bins]`` (the first bin also
holds 0); with ``strategy="quantile"`` (equal mass) the edges are the confidences'
percentiles, so every bin holds about the same number of examples.

An ECE measured on a few hundred examples is itself noisy: `calibrated_eces` gives the
ECEs a perfectly calibrated model with the same confidences would show, the yardstick a
measured ECE is read against.
"""

import math
from typing import NamedTuple

import numpy as np

from .numerics import log_softmax, softmax

#: The usual number of equal-width confidence bins.
N_BINS = 10
#: `fit_temperature` searches T within this range.
T_RANGE = (0.05, 20.0)
#: How the confidence axis is cut: equal-width bins, or equal-mass (percentile) bins.
STRATEGIES = ("uniform", "quantile")
#: How many label draws `calibrated_eces` makes by default.
N_DRAWS = 2000
#: Rows of probabilities must sum to 1 within this (float32 softmax rows are off by ~1e-7).
SUM_TOLERANCE = 1e-4


# --- input checks -----------------------------------------------------------------


def _matrix(values, name):
    """A 2-D float array (m, N) of finite numbers, m >= 1 and N >= 2."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        kind = type(values).__name__
        raise TypeError(f"{name} must be an array of numbers, got {kind}") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 2:
        raise ValueError(f"{name} must have shape (m, N): one row per example, one column per "
                         f"class (at least 2), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        at = np.unravel_index(np.argmax(~np.isfinite(arr)), arr.shape)
        where = [int(i) for i in at]
        raise ValueError(f"{name} must be finite, but {name}{where} = {arr[at]}")
    return arr


def _probabilities(probabilities):
    p = _matrix(probabilities, "probabilities")
    outside = (p < 0) | (p > 1)
    if outside.any():
        at = np.unravel_index(np.argmax(outside), p.shape)
        raise ValueError(f"probabilities{[int(i) for i in at]} = {p[at]} is outside [0, 1]: "
                         "did you pass logits? Apply softmax first")
    sums = p.sum(axis=1)
    off = np.abs(sums - 1) > SUM_TOLERANCE
    if off.any():
        i = int(np.argmax(off))
        raise ValueError(f"row {i} of probabilities sums to {sums[i]:.6g}, not 1")
    return p


def _labels(y, m, n_classes):
    try:
        labels = np.asarray(y)
    except (TypeError, ValueError):
        raise TypeError(f"y must be an array of integer labels, got {type(y).__name__}") from None
    if labels.ndim != 1 or labels.shape[0] != m:
        raise ValueError(f"y must hold one label per example, shape ({m},), got shape "
                         f"{labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {labels.dtype}")
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"y[{i}] = {labels[i]} is not a class label in 0..{n_classes - 1}")
    return labels


def _count(n_bins):
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)):
        raise TypeError(f"n_bins must be an integer, got {n_bins!r}")
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    return int(n_bins)


def _strategy(strategy):
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    return strategy


def _temperature(T):
    if isinstance(T, bool) or not isinstance(T, (int, float, np.integer, np.floating)):
        raise TypeError(f"T must be a number, got {T!r}")
    if not (math.isfinite(T) and T > 0):
        raise ValueError(f"T must be a positive, finite temperature, got {T}")
    return float(T)


# --- calibration error --------------------------------------------------------------


def confidence_and_correct(probabilities, y):
    """Each example's confidence (its largest probability) and whether that class is ``y``."""
    p = _probabilities(probabilities)
    labels = _labels(y, *p.shape)
    return p.max(axis=1), p.argmax(axis=1) == labels


def bin_edges(confidence, n_bins=N_BINS, strategy="uniform"):
    """The ``n_bins + 1`` bin edges, as scikit-learn's ``calibration_curve`` cuts them.

    ``"uniform"``: equal widths over [0, 1]. ``"quantile"``: the confidences' percentiles,
    so each bin holds about ``m / n_bins`` of them (ties can leave a bin empty).
    """
    n_bins, strategy = _count(n_bins), _strategy(strategy)
    if strategy == "quantile":
        return np.percentile(np.asarray(confidence, dtype=float), np.linspace(0, 100, n_bins + 1))
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_indices(confidence, n_bins=N_BINS, strategy="uniform"):
    """The bin 0..n_bins-1 of each confidence, as scikit-learn's ``calibration_curve`` bins it."""
    confidence = np.asarray(confidence, dtype=float)
    return np.searchsorted(bin_edges(confidence, n_bins, strategy)[1:-1], confidence)


class ReliabilityTable(NamedTuple):
    """Per bin: its edges (``n_bins + 1``), count, mean confidence and accuracy (NaN if empty)."""

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def reliability_table(probabilities, y, n_bins=N_BINS, strategy="uniform"):
    """The bins of a reliability diagram: a `ReliabilityTable`."""
    confidence, correct = confidence_and_correct(probabilities, y)
    edges = bin_edges(confidence, n_bins, strategy)
    bins = np.searchsorted(edges[1:-1], confidence)
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins) / count
        accuracy = np.bincount(bins, weights=correct, minlength=n_bins) / count
    return ReliabilityTable(edges, count, mean_confidence, accuracy)


def expected_calibration_error(probabilities, y, n_bins=N_BINS, strategy="uniform"):
    """ECE: the gap between accuracy and confidence in each bin, weighted by the bin's share.

    ``ECE = sum_k (m_k / m) * |accuracy_k - mean confidence_k|`` over the non-empty bins,
    a number in [0, 1]: 0 when, in every bin, the model is right as often as it claims.
    """
    table = reliability_table(probabilities, y, n_bins, strategy)
    filled = table.count > 0
    gaps = np.abs(table.accuracy[filled] - table.confidence[filled])
    return float(np.sum(table.count[filled] / table.count.sum() * gaps))


def calibrated_eces(probabilities, n_bins=N_BINS, strategy="uniform", draws=N_DRAWS, seed=0):
    """The ECEs of a perfectly calibrated model with these confidences, one per draw.

    Each draw makes each example right with probability equal to its confidence (as if its
    label were drawn from the model's own probabilities) and measures the ECE with the
    same bins. A measured ECE inside the range of these draws is within the noise of
    ``m`` examples.
    """
    confidence = _probabilities(probabilities).max(axis=1)
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    n_bins = _count(n_bins)
    in_bin = np.eye(n_bins)[bin_indices(confidence, n_bins, strategy)]  # (m, n_bins)
    rng = np.random.default_rng(seed)
    correct = rng.uniform(size=(int(draws), len(confidence))) < confidence
    # per bin, |right answers - summed confidence| / m is that bin's weighted gap
    return np.abs(correct @ in_bin - confidence @ in_bin).sum(axis=1) / len(confidence)


# --- temperature scaling ------------------------------------------------------------


def temperature_scale(logits, T):
    """The probabilities ``softmax(logits / T)``: sharper for T < 1, softer for T > 1."""
    return softmax(_matrix(logits, "logits") / _temperature(T), axis=1)


def temperature_cross_entropy(logits, y, T):
    """Mean cross-entropy of labels ``y`` under ``softmax(logits / T)``."""
    z = _matrix(logits, "logits")
    labels = _labels(y, *z.shape)
    log_a = log_softmax(z / _temperature(T), axis=1)
    return float(-np.mean(log_a[np.arange(len(labels)), labels]))


GOLDEN = (math.sqrt(5) - 1) / 2


def fit_temperature(logits, y, t_range=T_RANGE, tol=1e-7):
    """The temperature T within ``t_range`` that minimises `temperature_cross_entropy`.

    The cross-entropy is convex in 1/T, so a golden-section search (on log T, to a
    relative precision ``tol``) finds its minimum. When the cross-entropy still falls at an
    end of ``t_range`` (every example right by a wide margin: sharper is always better),
    that end is returned.
    """
    z = _matrix(logits, "logits")
    labels = _labels(y, *z.shape)
    try:
        low, high = (_temperature(t) for t in t_range)
    except (TypeError, ValueError):
        raise ValueError(f"t_range must be two positive temperatures (low, high), "
                         f"got {t_range!r}") from None
    if not low < high:
        raise ValueError(f"t_range must be (low, high) with low < high, got {t_range!r}")
    if isinstance(tol, bool) or not isinstance(tol, (float, int)) or not 0 < tol < 1:
        raise ValueError(f"tol must be a number in (0, 1), got {tol!r}")

    def cost(log_t):
        return temperature_cross_entropy(z, labels, math.exp(log_t))

    a, b = math.log(low), math.log(high)
    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    cost_c, cost_d = cost(c), cost(d)
    while b - a > tol:
        if cost_c <= cost_d:  # the minimum lies in [a, d]
            b, d, cost_d = d, c, cost_c
            c = b - GOLDEN * (b - a)
            cost_c = cost(c)
        else:  # in [c, b]
            a, c, cost_c = c, d, cost_d
            d = a + GOLDEN * (b - a)
            cost_d = cost(d)
    return math.exp((a + b) / 2)
