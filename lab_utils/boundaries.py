"""Decision boundaries drawn: the class regions of a model over the plane, data on top.

The figures of notebooks 04 and 05: `decision_boundary`, `unit_maps` (what each unit of a
small network computes) and, from `lab_utils.snapshots`' records, the boundary during
training (`snapshot_regions`, `boundaries_over_training`). Drawn with scikit-learn's
``DecisionBoundaryDisplay``: it lays the grid over the data and draws the regions. The
scores come from `lab_utils.regions`, the shared pieces of drawing (adapters, points,
hatched regions) from `lab_utils.region_drawing`. `BoundarySnapshots` can still be
imported from here, as notebook 04 does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from sklearn.inspection import DecisionBoundaryDisplay

from .display import describe, spoken_text
from .region_drawing import (
    REGION_ALPHA,
    UNIT_COLOR,
    ScoreClassifier,
    UnitValue,
    axes_row,
    check_labels,
    circle_mistakes,
    hatch_and_label_regions,
    new_axes,
    points_description,
    region_colors,
    scatter_classes,
)
from .regions import (
    GRID_RESOLUTION,
    MARGIN,
    ScoreFunction,
    check_points,
    regions_description,
    scores_at,
)
from .snapshots import BoundarySnapshots as BoundarySnapshots  # notebook 04 imports it here
from .snapshots import epoch_caption, snapshot_index


def decision_boundary(
    predict_fn: ScoreFunction,
    X: ArrayLike,
    y: ArrayLike,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    xlabel: str = "$x_0$",
    ylabel: str = "$x_1$",
    grid_resolution: int = GRID_RESOLUTION,
    margin: float = MARGIN,
    alpha: float = REGION_ALPHA,
    legend: bool | str = True,
    mark_mistakes: bool = True,
    nonnegative: bool = False,
) -> tuple[Figure, Axes]:
    """The class each point of the plane gets from ``predict_fn``, with the data on top.

    ``predict_fn`` maps points ``(n, 2)`` to class scores ``(n, n_classes)``: a
    function, a Keras model, or an object with ``.predict``. Each region is shaded
    in its class's colour, the boundaries are drawn in black, each region's label keeps
    off the data, and misclassified points are circled (``mark_mistakes=False``: not,
    where they would bury the data). ``legend="outside"`` puts the legend to the right
    of the axes; ``nonnegative=True`` greys out negative coordinates (ReLU activations
    never take them). Returns ``(fig, ax)``.
    """
    if legend not in (True, False, "outside"):
        raise ValueError(f'legend must be True, False or "outside", got {legend!r}')
    X = check_points(X)
    y = check_labels(y, len(X))
    predicted, n_classes = _predicted_classes(predict_fn, X, y)
    fig, ax = new_axes(ax)
    display = DecisionBoundaryDisplay.from_estimator(
        ScoreClassifier(predict_fn, n_classes),
        X,
        response_method="predict",
        grid_resolution=grid_resolution,
        eps=margin,
        alpha=alpha,
        zorder=-1,
        ax=ax,
        xlabel=xlabel,
        ylabel=ylabel,
        **region_colors(n_classes, "contourf"),
    )
    # the same grid of classes again, as black lines where the class changes
    lines = {"levels": [0.5], "colors": "black"} if n_classes == 2 else {}  # multiclass: sklearn's
    DecisionBoundaryDisplay(
        xx0=display.xx0, xx1=display.xx1, n_classes=n_classes, response=display.response
    ).plot("contour", ax=ax, linewidths=0.8, zorder=-1, **lines)
    hatch_and_label_regions(ax, display.xx0, display.xx1, display.response, n_classes, avoid=X)
    if nonnegative:
        _grey_out_negative(ax)
    scatter_classes(X, y, ax)
    if mark_mistakes:
        circle_mistakes(X, y, predicted, ax)
    if title:
        ax.set_title(title)
    if legend == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    elif legend:
        ax.legend(loc="best", fontsize=8)
    describe(ax, _boundary_description(ax, display.response, y, predicted))
    return fig, ax


def _boundary_description(ax, regions, y, predicted):
    title = spoken_text(ax.get_title())
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    wrong = int((predicted != y).sum())
    return (
        f"Decision regions{f' of {title}' if title else ''}: the class the model "
        f"predicts at each point of the plane ({spoken_text(ax.get_xlabel())} from {x_low:.1f} "
        f"to {x_high:.1f}, {spoken_text(ax.get_ylabel())} from {y_low:.1f} to {y_high:.1f}), "
        f"shaded, hatched and labelled by class, boundaries in black. "
        f"{regions_description(regions)} On top, {points_description(y)}; "
        f"{wrong} misclassified, circled."
    )


def _predicted_classes(predict_fn, X, y):
    """The class ``predict_fn`` gives each point of X, and the number of classes it scores."""
    scores = scores_at(predict_fn, X)
    n_classes = scores.shape[1]
    if n_classes < 2:
        raise ValueError("predict_fn must return at least 2 scores per point, one per class")
    if y.max() >= n_classes:
        raise ValueError(
            f"y holds the label {y.max()}, but predict_fn returns scores for "
            f"{n_classes} classes (labels 0..{n_classes - 1})"
        )
    return scores.argmax(axis=1), n_classes


def _white_to(color):
    return LinearSegmentedColormap.from_list(f"white_to_{color}", ["white", to_rgba(color)])


def unit_maps(
    layer_fn: ScoreFunction,
    X: ArrayLike,
    y: ArrayLike,
    axes: Sequence[Axes] | np.ndarray | None = None,
    *,
    title: str = "unit {unit}",
    colors: Sequence[str] | None = None,
    xlabel: str = "$x_0$",
    ylabel: str = "$x_1$",
    nonnegative: bool = False,
    grid_resolution: int = GRID_RESOLUTION // 2,
    margin: float = MARGIN,
    levels: int = 12,
    colorbar_label: str | None = None,
) -> tuple[Figure, np.ndarray]:
    """One panel per output of ``layer_fn``: its value over the plane of ``X``, data on top.

    ``layer_fn`` maps points ``(n, 2)`` to unit values ``(n, n_units)``, for example
    ``lambda X: np.maximum(0, X @ W + b)`` for a ReLU layer. Each panel shades the
    unit's value from white (its lowest) to ``colors[unit]`` and has a colour bar;
    where a unit is exactly 0 on part of the plane (a ReLU that is off), a dashed
    line marks where it switches on. ``nonnegative=True`` greys out negative
    coordinates (use it when ``X`` holds ReLU outputs, which are never negative).
    ``colorbar_label`` (formatted with ``unit``, like ``title``) labels each colour bar.
    Returns ``(fig, axes)``.
    """
    X = check_points(X)
    y = check_labels(y, len(X))
    n_units = scores_at(layer_fn, X, "layer_fn").shape[1]
    colors = [UNIT_COLOR] * n_units if colors is None else list(colors)
    if len(colors) != n_units:
        raise ValueError(
            f"colors must have one entry per unit: layer_fn has {n_units} "
            f"units, got {len(colors)} colors"
        )
    fig, axes = axes_row(axes, n_units, "unit")
    for unit, (ax, color) in enumerate(zip(axes, colors, strict=True)):
        display = DecisionBoundaryDisplay.from_estimator(
            UnitValue(layer_fn, unit),
            X,
            response_method="predict",
            grid_resolution=grid_resolution,
            eps=margin,
            cmap=_white_to(color),
            levels=levels,
            zorder=-1,
            ax=ax,
            xlabel=xlabel,
            ylabel=ylabel,
        )
        label = colorbar_label.format(unit=unit) if colorbar_label else f"value of unit {unit}"
        ax.figure.colorbar(display.surface_, ax=ax, label=label)
        switches = _draw_switch_on_line(display, ax)
        if nonnegative:
            _grey_out_negative(ax)
        scatter_classes(X, y, ax, size=15, edgecolor="black")
        ax.set_title(title.format(unit=unit))
        low, high = display.response.min(), display.response.max()
        describe(
            ax,
            f'"{spoken_text(ax.get_title())}": the value of unit {unit} over the plane '
            f"({spoken_text(xlabel)} against {spoken_text(ylabel)}), shaded from white at its "
            f"lowest ({low:.2f}) to dark at its highest ({high:.2f})"
            + ("; a dashed line marks where it switches on from 0" if switches else "")
            + f". On top, {points_description(y)}.",
        )
    return fig, axes


def _draw_switch_on_line(display, ax):
    """A dashed line where a unit's value leaves 0, if it is 0 somewhere (a ReLU is off there)."""
    on = display.response > 0
    if on.any() and (display.response == 0).any():
        ax.contour(
            display.xx0,
            display.xx1,
            on,
            levels=[0.5],
            colors="black",
            linestyles="--",
            linewidths=1.0,
            zorder=-0.5,
        )
        return True
    return False


def _grey_out_negative(ax):
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    for span in (ax.axvspan(x_low, 0), ax.axhspan(y_low, 0)):
        span.set(facecolor="#DDDDDD", edgecolor="none", zorder=-0.5)
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high))


# --- decision boundaries during training --------------------------------------------


def snapshot_regions(
    snapshots: BoundarySnapshots, epoch: int, ax: Axes | None = None, *, alpha: float = REGION_ALPHA
) -> DecisionBoundaryDisplay:
    """Draw the class regions recorded at ``epoch`` (sklearn's display, no data). Returns it."""
    regions = snapshots.regions[snapshot_index(snapshots, epoch)]
    n_classes = snapshots.n_classes
    colors = region_colors(n_classes, "pcolormesh")
    display = DecisionBoundaryDisplay(
        xx0=snapshots.xx0,
        xx1=snapshots.xx1,
        n_classes=n_classes,
        response=regions,
        multiclass_colors=colors.pop("multiclass_colors", None),
    )
    # fixed colour limits: an early snapshot may not predict every class yet
    colors.update(vmin=0, vmax=n_classes - 1)
    return display.plot(
        "pcolormesh", ax=new_axes(ax)[1], alpha=alpha, shading="auto", zorder=-1, **colors
    )


def boundaries_over_training(
    snapshots: BoundarySnapshots,
    X: ArrayLike,
    y: ArrayLike,
    epochs: Iterable[int],
    axes: Sequence[Axes] | np.ndarray | None = None,
    *,
    xlabel: str | None = None,
    ylabel: str | None = None,
    legend: bool = False,
    ncols: int | None = None,
) -> tuple[Figure, np.ndarray]:
    """Small multiples: the decision boundary at each of ``epochs``, data on top.

    ``ncols`` panels to a row (all in one row by default). ``xlabel`` goes under every
    panel, ``ylabel`` beside the first of each row; ``legend=True`` puts the classes'
    legend beside the last. Returns ``(fig, axes)``, the axes flat, row by row.
    """
    if ncols is not None and (isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1):
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    X = check_points(X)
    y = check_labels(y, len(X))
    epochs = list(epochs)
    fig, axes = axes_row(axes, len(epochs), "epoch", panel_width=3.2, height=3.0, ncols=ncols)
    for epoch, ax in zip(epochs, axes, strict=True):
        snapshot_regions(snapshots, epoch, ax)
        regions = snapshots.regions[snapshot_index(snapshots, epoch)]
        hatch_and_label_regions(
            ax, snapshots.xx0, snapshots.xx1, regions, snapshots.n_classes, box=False
        )
        scatter_classes(X, y, ax, size=10)
        ax.set_title(f"epoch {epoch}")
        describe(
            ax,
            f"The class regions at {epoch_caption(snapshots, epoch)}. "
            f"{regions_description(regions)} On top, {points_description(y)}.",
        )
        if xlabel:
            ax.set_xlabel(xlabel)
    if ylabel:
        for ax in axes[:: ncols or len(axes)]:
            ax.set_ylabel(ylabel)
    if legend:
        axes[-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
    return fig, axes
