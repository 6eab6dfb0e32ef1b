"""Can a classifier's probabilities be trusted? Expected calibration error and temperature.

NumPy, and scipy's scalar minimiser for the temperature; imports nothing of ours but
`numerics` and `_validate`. Calibration is judged on the top label: each example's
*confidence* is its largest probability, and it is *correct* when that class is its label.
Among the examples given confidence about 0.9, a calibrated model is right 9 times in 10.

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
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from ._validate import (
    as_int,
    as_labels,
    as_logits,
    as_number,
    as_probabilities,
    as_probability_rows,
    as_temperature,
)
from .numerics import log_softmax, softmax

#: The usual number of equal-width confidence bins.
N_BINS = 10
#: `fit_temperature` searches T within this range.
T_RANGE = (0.05, 20.0)
#: How the confidence axis is cut: equal-width bins, or equal-mass (percentile) bins.
STRATEGIES = ("uniform", "quantile")
#: How many label draws `calibrated_eces` makes by default.
N_DRAWS = 2000


# --- input checks -----------------------------------------------------------------


def _logit_matrix(logits):
    """Logits ``(m, N)`` as float64, the precision every result here is computed in."""
    return as_logits(logits, "logits", matrix=True, dtype=np.float64)[0]


def _label_per_row(y, scores):
    """``y`` checked as one class label per row of ``scores`` (a column of it)."""
    return as_labels(y, "y", length=scores.shape[0], n_classes=scores.shape[1])


def _confidences(confidence):
    return as_probabilities(confidence, "confidence", ndim=1, dtype=np.float64, hint="")


def _strategy(strategy):
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    return strategy


# --- calibration error --------------------------------------------------------------


def confidence_and_correct(probabilities: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Each example's confidence (its largest probability) and whether that class is ``y``."""
    p = as_probability_rows(probabilities, dtype=np.float64)
    labels = _label_per_row(y, p)
    return p.max(axis=1), p.argmax(axis=1) == labels


def bin_edges(confidence: ArrayLike, n_bins: int = N_BINS, strategy: str = "uniform") -> np.ndarray:
    """The ``n_bins + 1`` bin edges, as scikit-learn's ``calibration_curve`` cuts them.

    ``"uniform"``: equal widths over [0, 1]. ``"quantile"``: the confidences' percentiles,
    so each bin holds about ``m / n_bins`` of them (ties can leave a bin empty).
    """
    confidence = _confidences(confidence)
    n_bins, strategy = as_int(n_bins, "n_bins", low=1), _strategy(strategy)
    if strategy == "quantile":
        return np.percentile(confidence, np.linspace(0, 100, n_bins + 1))
    return np.linspace(0.0, 1.0, n_bins + 1)


def bin_indices(
    confidence: ArrayLike, n_bins: int = N_BINS, strategy: str = "uniform"
) -> np.ndarray:
    """The bin 0..n_bins-1 of each confidence, as scikit-learn's ``calibration_curve`` bins it."""
    confidence = _confidences(confidence)
    return np.searchsorted(bin_edges(confidence, n_bins, strategy)[1:-1], confidence)


class ReliabilityTable(NamedTuple):
    """Per bin: its edges (``n_bins + 1``), count, mean confidence and accuracy (NaN if empty)."""

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray


def reliability_table(
    probabilities: ArrayLike, y: ArrayLike, n_bins: int = N_BINS, strategy: str = "uniform"
) -> ReliabilityTable:
    """The bins of a reliability diagram: a `ReliabilityTable`."""
    confidence, correct = confidence_and_correct(probabilities, y)
    edges = bin_edges(confidence, n_bins, strategy)
    bins = np.searchsorted(edges[1:-1], confidence)
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins) / count
        accuracy = np.bincount(bins, weights=correct, minlength=n_bins) / count
    return ReliabilityTable(edges, count, mean_confidence, accuracy)


def expected_calibration_error(
    probabilities: ArrayLike, y: ArrayLike, n_bins: int = N_BINS, strategy: str = "uniform"
) -> float:
    """ECE: the gap between accuracy and confidence in each bin, weighted by the bin's share.

    ``ECE = sum_k (m_k / m) * |accuracy_k - mean confidence_k|`` over the non-empty bins,
    a number in [0, 1]: 0 when, in every bin, the model is right as often as it claims.
    """
    table = reliability_table(probabilities, y, n_bins, strategy)
    filled = table.count > 0
    gaps = np.abs(table.accuracy[filled] - table.confidence[filled])
    return float(np.sum(table.count[filled] / table.count.sum() * gaps))


def calibrated_eces(
    probabilities: ArrayLike,
    n_bins: int = N_BINS,
    strategy: str = "uniform",
    draws: int = N_DRAWS,
    seed: int = 0,
) -> np.ndarray:
    """The ECEs of a perfectly calibrated model with these confidences, one per draw.

    Each draw makes each example right with probability equal to its confidence (as if its
    label were drawn from the model's own probabilities) and measures the ECE with the
    same bins. A measured ECE inside the range of these draws is within the noise of
    ``m`` examples.
    """
    confidence = as_probability_rows(probabilities, dtype=np.float64).max(axis=1)
    draws = as_int(draws, "draws", low=1)
    n_bins = as_int(n_bins, "n_bins", low=1)
    in_bin = np.eye(n_bins)[bin_indices(confidence, n_bins, strategy)]  # (m, n_bins)
    rng = np.random.default_rng(seed)
    correct = rng.uniform(size=(draws, len(confidence))) < confidence
    # per bin, |right answers - summed confidence| / m is that bin's weighted gap
    return np.abs(correct @ in_bin - confidence @ in_bin).sum(axis=1) / len(confidence)


# --- temperature scaling ------------------------------------------------------------


def temperature_scale(logits: ArrayLike, T: float) -> np.ndarray:
    """The probabilities ``softmax(logits / T)``: sharper for T < 1, softer for T > 1."""
    return softmax(_logit_matrix(logits) / as_temperature(T), axis=1)


def temperature_cross_entropy(logits: ArrayLike, y: ArrayLike, T: float) -> float:
    """Mean cross-entropy of labels ``y`` under ``softmax(logits / T)``."""
    z = _logit_matrix(logits)
    labels = _label_per_row(y, z)
    log_a = log_softmax(z / as_temperature(T), axis=1)
    return float(-np.mean(log_a[np.arange(len(labels)), labels]))


def fit_temperature(
    logits: ArrayLike, y: ArrayLike, t_range: tuple[float, float] = T_RANGE, tol: float = 1e-7
) -> float:
    """The temperature T within ``t_range`` that minimises `temperature_cross_entropy`.

    The cross-entropy is convex in 1/T, so it has one minimum, which scipy's bounded
    scalar minimiser (Brent's method, on log T, to a relative precision ``tol``) finds.
    When the cross-entropy still falls at an end of ``t_range`` (every example right by a
    wide margin: sharper is always better), that end is returned.
    """
    z = _logit_matrix(logits)
    labels = _label_per_row(y, z)
    if not (isinstance(t_range, (tuple, list)) and len(t_range) == 2):
        raise TypeError(f"t_range must be a pair of temperatures (low, high), got {t_range!r}")
    low, high = (as_temperature(t, f"t_range[{k}]") for k, t in enumerate(t_range))
    if not low < high:
        raise ValueError(f"t_range must be (low, high) with low < high, got {t_range!r}")
    tol = as_number(tol, "tol", above=0, below=1)

    def cost(log_t):
        return temperature_cross_entropy(z, labels, math.exp(log_t))

    result = minimize_scalar(
        cost, bounds=(math.log(low), math.log(high)), method="bounded", options={"xatol": tol}
    )
    return math.exp(result.x)
