"""Classes drawn on the plane of two features: the pieces every region figure shares.

Scikit-learn adapters (a score function dressed as a fitted classifier or regressor), the
points in the suite's colours and markers, and class regions hatched and labelled so that
they read without colour. `lab_utils.boundaries` (notebooks 04 and 05) and
`lab_utils.epoch_widget` (notebook 04) draw their figures from these.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from ._validate import as_labels
from .regions import check_points, region_label_positions, scores_at
from .style import CLASS_COLORS, CLASS_HATCHES, CLASS_MARKERS, MARKER_NAMES, NEUTRAL

#: Opacity of the class regions, light enough for the data to stand out.
REGION_ALPHA = 0.3
#: Colour of the per-unit maps that do not belong to one class.
UNIT_COLOR = NEUTRAL
#: Colour of the hatching that tells class regions apart without colour.
HATCH_COLOR = "#00000040"


# --- input checks -----------------------------------------------------------------


def check_labels(y, n_samples, name="y"):
    return as_labels(y, name, length=n_samples, per="point")


def class_colors(n_classes):
    if n_classes > len(CLASS_COLORS):
        raise ValueError(
            f"the suite has colours for {len(CLASS_COLORS)} classes, "
            f"but the scores have {n_classes} columns"
        )
    return list(CLASS_COLORS[:n_classes])


def region_colors(n_classes, plot_method):
    """Arguments that make a DecisionBoundaryDisplay shade class k in CLASS_COLORS[k]."""
    colors = class_colors(n_classes)
    if n_classes > 2:
        return {"multiclass_colors": colors}
    # scikit-learn draws two classes as one response through `cmap`, ignoring multiclass_colors
    limits = {"levels": [-0.5, 0.5, 1.5]} if plot_method == "contourf" else {"vmin": 0, "vmax": 1}
    return {"cmap": ListedColormap(colors), **limits}


# --- scikit-learn adapters ----------------------------------------------------------


class AlreadyFitted:
    """Trained elsewhere: scikit-learn only needs ``fit`` to exist and the model to be fitted."""

    def fit(self, X=None, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True


class ScoreClassifier(AlreadyFitted, ClassifierMixin, BaseEstimator):
    """A score function dressed as a fitted scikit-learn classifier (argmax wins)."""

    def __init__(self, score_fn=None, n_classes=2):
        self.score_fn = score_fn
        self.n_classes = n_classes

    @property
    def classes_(self):
        return np.arange(self.n_classes)

    def decision_function(self, X):
        return scores_at(self.score_fn, X)

    def predict(self, X):
        return self.decision_function(X).argmax(axis=1)


class UnitValue(AlreadyFitted, RegressorMixin, BaseEstimator):
    """Output ``unit`` of a layer function, as a fitted scikit-learn regressor."""

    def __init__(self, layer_fn=None, unit=0):
        self.layer_fn = layer_fn
        self.unit = unit

    def predict(self, X):
        return scores_at(self.layer_fn, X, "layer_fn")[:, self.unit]


# --- plots ------------------------------------------------------------------------


def new_axes(ax, figsize=(5, 4)):
    if ax is None:
        return plt.subplots(figsize=figsize)
    if not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax.figure, ax


def axes_row(axes, n, what, panel_width=4.2, height=3.6, ncols=None):
    """The caller's ``n`` axes, or a new figure of ``n`` panels, ``ncols`` to a row
    (all in one row by default); returned as a flat array, row by row."""
    if axes is None:
        ncols = n if ncols is None else ncols
        nrows = -(-n // ncols)
        fig, grid = plt.subplots(
            nrows, ncols, figsize=(panel_width * ncols, height * nrows), squeeze=False
        )
        for ax in grid.ravel()[n:]:
            ax.remove()
        return fig, grid.ravel()[:n]
    axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
    if len(axes) != n or not all(isinstance(ax, plt.Axes) for ax in axes):
        raise ValueError(
            f"axes must hold one matplotlib Axes per {what}: expected {n}, got {len(axes)}"
        )
    return axes[0].figure, axes


def scatter_classes(
    X: ArrayLike,
    y: ArrayLike,
    ax: Axes | None = None,
    *,
    size: float = 25,
    edgecolor: str = "white",
) -> tuple[Figure, Axes]:
    """The points of each class in its colour and marker shape, labelled "class k".

    Returns ``(fig, ax)``.
    """
    X = check_points(X)
    y = check_labels(y, len(X))
    fig, ax = new_axes(ax)
    colors = class_colors(int(y.max()) + 1)
    for k, color in enumerate(colors):
        ax.scatter(
            *X[y == k].T,
            s=size,
            color=color,
            marker=CLASS_MARKERS[k],
            edgecolor=edgecolor,
            linewidth=0.5,
            label=f"class {k}",
        )
    return fig, ax


def class_legend_handles(n_classes: int) -> list[Line2D]:
    """Legend entries "class k" showing each class's marker in its colour."""
    return [
        plt.Line2D(
            [],
            [],
            linestyle="",
            marker=CLASS_MARKERS[k],
            color=color,
            markeredgecolor="white",
            markersize=7,
            label=f"class {k}",
        )
        for k, color in enumerate(class_colors(n_classes))
    ]


def points_description(y: np.ndarray) -> str:
    """``"100 points: class 0 as 25 circles, class 1 as 25 squares, ..."``."""
    counts = np.bincount(y)
    parts = [
        f"class {k} as {count} {MARKER_NAMES[CLASS_MARKERS[k]]}"
        for k, count in enumerate(counts)
        if count
    ]
    return f"{len(y)} points: " + ", ".join(parts)


# --- class regions: hatched and labelled, so that they read without colour -----------


def hatch_and_label_regions(ax, xx0, xx1, regions, n_classes, *, box=True, avoid=None):
    """Hatch each class region in its class's pattern and write "class k" inside it."""
    with mpl.rc_context({"hatch.color": HATCH_COLOR, "hatch.linewidth": 0.8}):
        ax.contourf(
            xx0,
            xx1,
            regions,
            levels=np.arange(n_classes + 1) - 0.5,
            colors="none",
            hatches=list(CLASS_HATCHES[:n_classes]),
            zorder=-0.9,
        ).set_gid("class hatches")
    style = (
        {"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.7, "edgecolor": "none"}
        if box
        else None
    )
    for k, (x0, x1) in region_label_positions(regions, xx0, xx1, avoid).items():
        ax.text(
            x0,
            x1,
            f"class {k}",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            color="#222222",
            bbox=style,
            zorder=3,
        )


def circle_mistakes(X, y, predicted, ax):
    wrong = predicted != y
    ax.scatter(
        *X[wrong].T,
        s=70,
        facecolor="none",
        edgecolor="black",
        linewidth=1.2,
        label=f"misclassified ({wrong.sum()})",
    )
