"""Class regions of the plane, computed, not drawn: scores on a grid, label places, shares.

Used by the decision-boundary figures (`lab_utils.boundaries`, notebooks 04 and 05), the
training snapshots (`lab_utils.snapshots`) and the epoch slider (`lab_utils.epoch_widget`,
notebook 04). NumPy and SciPy only: no plotting, no scikit-learn.

A *score function* maps points of shape ``(n, 2)`` to scores of shape
``(n, n_classes)`` (logits or probabilities: the largest wins). It can be a NumPy
function, a Keras model, or any object with a ``.predict`` method. Keras is never
imported here: a Keras model is simply called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy.ndimage import binary_dilation, distance_transform_edt

from ._validate import as_points

#: Points per side of the grid the regions are computed on.
GRID_RESOLUTION = 200
#: How far the plotted plane extends beyond the data, in data units.
MARGIN = 1.0


class Predicts(Protocol):
    """A model with ``.predict(points)``, as scikit-learn and Keras models have."""

    def predict(self, points: np.ndarray, /) -> ArrayLike: ...


#: What a score function may be: a function or a Keras model (called), or a ``Predicts``.
ScoreFunction = Callable[[np.ndarray], ArrayLike] | Predicts


# --- points and score functions --------------------------------------------------------


def check_points(X: ArrayLike, name: str = "X") -> np.ndarray:
    """``X`` as a float array of points, shape ``(n, 2)``, all finite (`_validate.as_points`)."""
    return as_points(X, name)


def _check_score_fn(score_fn, name="predict_fn"):
    if callable(score_fn):  # a function, or a Keras model: calling it skips predict()'s overhead
        return score_fn
    if callable(getattr(score_fn, "predict", None)):
        return score_fn.predict
    raise TypeError(
        f"{name} must be a function or a model with a .predict method, "
        f"got {type(score_fn).__name__}"
    )


def scores_at(score_fn: ScoreFunction, points: ArrayLike, name: str = "predict_fn") -> np.ndarray:
    """``score_fn(points)`` as a checked float array of shape ``(n_points, n_outputs)``."""
    points = check_points(points, "points")
    scores = np.asarray(_check_score_fn(score_fn, name)(points), dtype=float)
    if scores.ndim != 2 or len(scores) != len(points):
        raise ValueError(
            f"{name} must return one row of scores per point: for {len(points)} "
            f"points expected shape ({len(points)}, n_outputs), got {scores.shape}"
        )
    if not np.isfinite(scores).all():
        row = int(np.argmax(~np.isfinite(scores).all(axis=1)))
        raise ValueError(f"{name} returned a NaN or infinite score for point {points[row]}")
    return scores


# --- class regions: where each one's label goes, and its share of the plane -------------


def _near_points(points, xx0, xx1):
    """Grid cells (of the grid ``xx0``, ``xx1``) within a few cells of any of ``points``."""
    near = np.zeros(xx0.shape, dtype=bool)
    cols = np.clip(np.searchsorted(xx0[0], points[:, 0]), 0, xx0.shape[1] - 1)
    rows = np.clip(np.searchsorted(xx1[:, 0], points[:, 1]), 0, xx0.shape[0] - 1)
    near[rows, cols] = True
    return binary_dilation(near, iterations=max(1, min(xx0.shape) // 25))


def region_label_positions(
    regions: ArrayLike, xx0: ArrayLike, xx1: ArrayLike, avoid: ArrayLike | None = None
) -> dict[int, tuple[float, float]]:
    """``{class: (x0, x1)}``: for each class present in the grid ``regions``, the point
    of its region farthest from any boundary or edge (where a label fits best).

    With ``avoid`` (points of shape ``(n, 2)``), a label keeps off the cells near those
    points wherever its region leaves room, so that it hides no data.
    """
    # every other grid point is plenty to place a label, and four times faster (a slider frame)
    step = 2 if min(np.shape(regions)) >= 40 else 1
    regions, xx0, xx1 = (np.asarray(a)[::step, ::step] for a in (regions, xx0, xx1))
    crowded = None if avoid is None else _near_points(np.asarray(avoid), xx0, xx1)
    where = {}
    for k in np.unique(regions):
        region = regions == k
        if crowded is not None and (region & ~crowded).any():
            region = region & ~crowded
        inside = np.pad(region, 1)  # the plane's edge counts as a boundary
        depth = distance_transform_edt(inside)[1:-1, 1:-1]
        row, col = np.unravel_index(np.argmax(depth), depth.shape)
        where[int(k)] = (float(xx0[row, col]), float(xx1[row, col]))
    return where


def regions_description(regions: ArrayLike) -> str:
    """``"Predicted class by share of the plane: class 0 24%, class 1 31%, ..."``."""
    regions = np.asarray(regions)
    shares = [f"class {k} {100 * np.mean(regions == k):.0f}%" for k in np.unique(regions)]
    return "Predicted class by share of the plane: " + ", ".join(shares) + "."
