"""Static figures for the lessons: the data, loss curves, and what two models output.

Each function takes the data (NumPy arrays, or lists of numbers) and an optional
``ax`` / ``axes`` to draw into, returns ``(fig, ax)`` or ``(fig, axes)``, and
never calls ``plt.show()``: a notebook shows the figure at the end of the cell,
a test inspects what was drawn. Classes have a colour (``CLASS_COLORS``) and a marker
shape (``CLASS_MARKERS``), so they read without colour too. Each function attaches a
description of what it drew to its axes (`lab_utils.display.describe`): the figure's alt
text and its ``text/plain``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ._validate import as_int, as_labels, as_matrix, as_numbers, as_points, as_probabilities
from .display import describe
from .style import CLASS_COLORS, CLASS_MARKERS, MARKER_NAMES, NEUTRAL

#: Line styles and widths for overlaid curves: a thin dashed curve on top of a wide solid
#: one leaves both visible even where the two are identical.
LINE_STYLES = ("-", "--", ":", "-.")
LINE_WIDTHS = (5, 2, 2, 2)
#: How a description of a figure names each of `LINE_STYLES`.
LINE_NAMES = ("solid line", "dashed line", "dotted line", "dash-dot line")

#: Horizontal spread of the points of one output unit in `plot_model_outputs`.
JITTER = 0.18


# --- input checks -----------------------------------------------------------------


def _class_labels(y, n):
    """Class labels, one per point, each with a colour in CLASS_COLORS."""
    return as_labels(y, "y", length=n, n_classes=len(CLASS_COLORS), per="point")


def figure_and_axes(
    ax: Axes | None, ncols: int = 1, figsize: tuple[float, float] | None = None, name: str = "ax"
) -> tuple[Figure, Axes | tuple[Axes, ...]]:
    """Use the caller's axes (argument ``name``), or make a new figure with ``ncols`` of them."""
    if ax is None:
        fig, ax = plt.subplots(1, ncols, figsize=figsize)
        return fig, ax
    axes = np.atleast_1d(ax)
    if axes.size != ncols or not all(isinstance(a, plt.Axes) for a in axes):
        what = "a matplotlib Axes" if ncols == 1 else f"a sequence of {ncols} matplotlib Axes"
        raise TypeError(f"{name} must be {what}, got {ax!r}")
    return axes[0].figure, (axes[0] if ncols == 1 else tuple(axes))


# --- figures ----------------------------------------------------------------------


def plot_blobs(
    X: ArrayLike, y: ArrayLike, ax: Axes | None = None, title: str = "The data, coloured by class"
) -> tuple[Figure, Axes]:
    """Scatter the 2-D points ``X`` (n, 2), one colour per class label in ``y`` (n,)."""
    X = as_points(X)
    y = _class_labels(y, X.shape[0])
    fig, ax = figure_and_axes(ax)
    parts = []
    for label in np.unique(y):
        points = X[y == label]
        ax.scatter(
            points[:, 0],
            points[:, 1],
            s=14,
            color=CLASS_COLORS[label],
            marker=CLASS_MARKERS[label],
            alpha=0.7,
            linewidths=0,
            label=f"class {label}",
        )
        (x0, x1) = points.mean(axis=0)
        parts.append(
            f"class {label}: {len(points)} {MARKER_NAMES[CLASS_MARKERS[label]]} "
            f"around ({x0:.1f}, {x1:.1f})"
        )
    ax.set(xlabel="$x_0$", ylabel="$x_1$", title=title)
    ax.legend(loc="best", markerscale=2)
    describe(
        ax,
        f'"{title}": a scatter plot of {X.shape[0]} points, x0 across, x1 up; '
        + "; ".join(parts)
        + ".",
    )
    return fig, ax


def plot_loss_curves(
    losses: dict,
    ax: Axes | None = None,
    title: str = "Training loss",
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    first: int = 1,
) -> tuple[Figure, Axes]:
    """Overlay loss curves: ``losses`` maps a model's name to its losses, one per epoch.

    The values may also be Keras ``History`` objects (their ``"loss"`` is used).
    Epochs are numbered from ``first`` (1, as Keras prints them). For a curve recorded
    once per step, from step 0, pass ``xlabel="step", first=0`` (and ``ylabel="cost"``).
    """
    if not isinstance(losses, dict) or not losses:
        raise TypeError(
            f"losses must be a non-empty dict {{model name: per-epoch losses}}, got {losses!r}"
        )
    if len(losses) > len(CLASS_COLORS):
        raise ValueError(f"at most {len(CLASS_COLORS)} curves fit the palette, got {len(losses)}")
    first = as_int(first, "first")
    fig, ax = figure_and_axes(ax)
    parts = []
    for i, (name, values) in enumerate(losses.items()):
        values = getattr(values, "history", {}).get("loss", values)
        curve = as_numbers(values, f"losses[{name!r}]", ndim=1, dtype=np.float64)
        ax.plot(
            np.arange(first, first + curve.size),
            curve,
            color=CLASS_COLORS[i],
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            linewidth=LINE_WIDTHS[i % len(LINE_WIDTHS)],
            marker=CLASS_MARKERS[i],
            label=name,
        )
        parts.append(
            f"{name} ({LINE_NAMES[i % len(LINE_STYLES)]}, "
            f"{MARKER_NAMES[CLASS_MARKERS[i]]}) from {curve[0]:.3g} at {xlabel} "
            f"{first} to {curve[-1]:.3g} at {xlabel} {first + curve.size - 1}, "
            f"lowest {curve.min():.3g}"
        )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    describe(
        ax,
        f'"{title}": {ylabel} against {xlabel}, {len(parts)} '
        f"curve{'s' if len(parts) > 1 else ''}: " + "; ".join(parts) + ".",
    )
    return fig, ax


def _strip(ax, values, y, rng):
    """Each output unit's values over all examples, as a column of jittered points.

    With labels ``y``, each point has its true class's colour and marker shape.
    """
    n, k = values.shape
    for unit in range(k):
        x = unit + rng.uniform(-JITTER, JITTER, size=n)
        if y is None:
            ax.scatter(
                x,
                values[:, unit],
                s=4,
                c=CLASS_COLORS[unit % len(CLASS_COLORS)],
                alpha=0.4,
                linewidths=0,
            )
            continue
        for label in np.unique(y):
            mine = y == label
            ax.scatter(
                x[mine],
                values[mine, unit],
                s=6,
                c=CLASS_COLORS[label],
                marker=CLASS_MARKERS[label],
                alpha=0.4,
                linewidths=0,
            )
    ax.set_xticks(range(k))


def _two_decimals(value):
    """Two decimals, and never "-0.00" (a reader would say "minus zero")."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def _strip_description(values, y, symbol):
    """Per unit: the range of its values, and (with labels) its mean for its own class."""
    parts = []
    for unit in range(values.shape[1]):
        column = values[:, unit]
        low, high = _two_decimals(column.min()), _two_decimals(column.max())
        text = f"{symbol}{unit} from {low} to {high}"
        if y is not None and (y == unit).any():
            text += (
                f", mean {_two_decimals(column[y == unit].mean())} on class {unit} and "
                f"{_two_decimals(column[y != unit].mean())} on the others"
            )
        parts.append(text)
    return "; ".join(parts)


def plot_model_outputs(
    probabilities: ArrayLike,
    logits: ArrayLike,
    y: ArrayLike | None = None,
    axes: tuple[Axes, Axes] | None = None,
    names: tuple[str, str] = ("obvious model", "preferred model"),
) -> tuple[Figure, tuple[Axes, Axes]]:
    """Side by side: the probabilities one model outputs and the logits the other outputs.

    ``probabilities`` and ``logits`` are (n, k) arrays, one row per example. Each panel
    shows, for every output unit, the values over all examples; with labels ``y`` a
    point is coloured by its example's true class, so the unit of the true class stands out.
    """
    # drawn values must be finite: the logits here are a plain matrix, without -inf masks
    probabilities = as_probabilities(
        probabilities, matrix=True, dtype=np.float64, hint="did you pass logits as probabilities?"
    )
    logits = as_matrix(logits, "logits", min_columns=2, dtype=np.float64)
    if probabilities.shape != logits.shape:
        raise ValueError(
            f"logits must have the shape of probabilities, {probabilities.shape} "
            f"(both models' outputs for the same examples), got shape "
            f"{logits.shape}"
        )
    if y is not None:
        y = _class_labels(y, probabilities.shape[0])
    fig, (ax_p, ax_z) = figure_and_axes(axes, ncols=2, figsize=(10, 4), name="axes")
    rng = np.random.default_rng(0)  # fixed jitter: the same picture on every run

    _strip(ax_p, probabilities, y, rng)
    ax_p.set(
        title=f"{names[0]}: probabilities", xlabel="output unit", ylabel="value", ylim=(-0.05, 1.05)
    )
    ax_p.set_xticklabels([f"$a_{j}$" for j in range(probabilities.shape[1])])

    _strip(ax_z, logits, y, rng)
    ax_z.axhline(0, color=NEUTRAL, linewidth=0.8)
    ax_z.set(title=f"{names[1]}: logits", xlabel="output unit")
    ax_z.set_xticklabels([f"$z_{j}$" for j in range(logits.shape[1])])

    if y is not None:
        handles = [
            plt.Line2D(
                [],
                [],
                linestyle="",
                marker=CLASS_MARKERS[label],
                color=CLASS_COLORS[label],
                label=f"class {label}",
            )
            for label in np.unique(y)
        ]
        ax_z.legend(
            handles=handles, title="true class", loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )
    n = probabilities.shape[0]
    by = (
        "colour and marker give the example's true class"
        if y is not None
        else "one colour per unit"
    )
    describe(
        ax_p,
        f"{names[0]}: its {probabilities.shape[1]} output probabilities for each of "
        f"{n} examples, one jittered column per unit ({by}): "
        + _strip_description(probabilities, y, "a")
        + ".",
    )
    describe(
        ax_z,
        f"{names[1]}: its {logits.shape[1]} output logits for the same examples: "
        + _strip_description(logits, y, "z")
        + ".",
    )
    return fig, (ax_p, ax_z)
