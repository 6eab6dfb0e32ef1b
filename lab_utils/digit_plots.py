"""Figures for the handwritten digits (notebook 07): image grids, probabilities, reliability.

Like `lab_utils.plots`: each function takes arrays and an optional ``ax`` / ``axes``,
returns ``(fig, ax)`` or ``(fig, axes)`` and never calls ``plt.show()``. Ten classes are
more than the suite's palette, so classes are told apart by their digit, written on the
axis, never by colour alone.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text
from numpy.typing import ArrayLike

from ._validate import as_images, as_int, as_labels, as_numbers, as_probabilities
from .display import describe, spoken_text
from .plots import LINE_NAMES, LINE_STYLES, figure_and_axes
from .style import CLASS_COLORS, NEUTRAL

#: The class a bar chart highlights (the true one) and the rest.
TRUE_COLOR, OTHER_COLOR = CLASS_COLORS[0], "#9E9E9E"
#: Markers of the reliability curves, in order.
MARKERS = ("s", "o", "^", "D")
#: Grey levels: ink is dark on a white page, as the digits were written.
CMAP = "gray_r"


def _captions(captions, n):
    if isinstance(captions, str) or not all(isinstance(c, str) for c in captions):
        raise TypeError("captions must be a list of strings, one per image")
    if len(captions) != n:
        raise ValueError(f"captions has {len(captions)} entries but there are {n} images")
    return list(captions)


def plot_digits(
    images: ArrayLike,
    captions: list[str],
    ncols: int = 10,
    ax: Axes | None = None,
    title: str = "Handwritten digits",
) -> tuple[Figure, Axes]:
    """A grid of images, each with its caption above it, drawn as one picture.

    One ``imshow`` of a mosaic rather than an axes per image: it draws in a fraction of
    the time, which matters for a notebook a class runs at once.
    """
    images = as_images(images)
    n, h, w = images.shape
    captions = _captions(captions, n)
    ncols = min(as_int(ncols, "ncols", low=1), n)
    nrows = -(-n // ncols)
    lines = max(c.count("\n") + 1 for c in captions)
    gap_x, gap_y = 2, 2 + 3 * lines  # room for the captions, in pixels of the images
    mosaic = np.full((nrows * (h + gap_y), ncols * (w + gap_x)), np.nan)
    for i, image in enumerate(images):
        top, left = (i // ncols) * (h + gap_y) + gap_y, (i % ncols) * (w + gap_x)
        mosaic[top : top + h, left : left + w] = image
    if ax is None:
        longest = max(len(line) for c in captions for line in c.splitlines() or [""])
        width = max(0.9, 0.075 * longest)  # inches per image: room for its caption
        fig, ax = plt.subplots(figsize=(width * ncols, (width + 0.25 * lines) * nrows + 0.4))
    else:
        fig, ax = figure_and_axes(ax)
    cmap = plt.get_cmap(CMAP).with_extremes(bad="white")
    ax.imshow(
        mosaic, cmap=cmap, vmin=0, vmax=float(np.nanmax(images)) or 1.0, interpolation="nearest"
    )
    for i, caption in enumerate(captions):
        top, left = (i // ncols) * (h + gap_y) + gap_y, (i % ncols) * (w + gap_x)
        ax.text(left + w / 2, top - 0.7, caption, ha="center", va="bottom", fontsize=8)
    ax.set_axis_off()
    ax.set_title(title)
    return fig, ax


def draw_digit_and_probabilities(
    ax_image: Axes, ax_bars: Axes, image: ArrayLike, probabilities: ArrayLike, label: int
) -> tuple[AxesImage, BarContainer, Text]:
    """One image beside the bar chart of its class probabilities; the true class highlighted.

    Returns the artists ``(image, bars, title)`` so that a widget can update them in place.
    """
    image = as_images(np.asarray(image)[None], "image")[0]
    p = as_probabilities(probabilities, ndim=1, dtype=np.float64)
    label = as_int(label, "label", low=0, high=p.size - 1)
    shown = ax_image.imshow(
        image, cmap=CMAP, vmin=0, vmax=float(image.max()) or 1.0, interpolation="nearest"
    )
    ax_image.set_axis_off()
    ax_image.set_title(f"label {label}")
    bars = ax_bars.bar(range(p.size), p, color=OTHER_COLOR)
    ax_bars.set(ylim=(0, 1.05), xticks=range(p.size), xlabel="class", ylabel="probability")
    title = ax_bars.set_title(" ")
    update_probability_bars(bars, p, label, title)
    return shown, bars, title


def update_probability_bars(
    bars: BarContainer, probabilities: ArrayLike, label: int, title: Text
) -> None:
    """Set the bars to ``probabilities``, hatch the true class, and say what was predicted."""
    probabilities = as_probabilities(probabilities, ndim=1, dtype=np.float64)
    if len(probabilities) != len(bars):
        raise ValueError(
            f"probabilities must have one entry per bar ({len(bars)}), "
            f"got shape {probabilities.shape}"
        )
    label = as_int(label, "label", low=0, high=len(bars) - 1)
    for k, bar in enumerate(bars):
        bar.set_height(probabilities[k])
        bar.set_facecolor(TRUE_COLOR if k == label else OTHER_COLOR)
        bar.set_edgecolor("#222222" if k == label else OTHER_COLOR)
        bar.set_hatch("//" if k == label else "")
    predicted = int(np.argmax(probabilities))
    verdict = "right" if predicted == label else "wrong"
    title.set_text(
        f"predicted {predicted} ({probabilities[predicted]:.3f}), {verdict}; "
        f"true class {label} hatched"
    )


def plot_digit_probabilities(
    images: ArrayLike, probabilities: ArrayLike, y: ArrayLike, axes: ArrayLike | None = None
) -> tuple[Figure, np.ndarray]:
    """One row per image: the image, then its probabilities with the true class highlighted."""
    images = as_images(images)
    p = as_probabilities(probabilities, matrix=True, dtype=np.float64)
    if p.shape[0] != len(images):
        raise ValueError(
            f"probabilities must have one row per image ({len(images)}), got shape {p.shape}"
        )
    y = as_labels(y, "y", length=len(images), n_classes=p.shape[1], per="image")
    n = len(images)
    if axes is None:
        fig, axes = plt.subplots(
            n, 2, figsize=(7, 1.7 * n), width_ratios=(1, 4), squeeze=False, layout="constrained"
        )
    else:
        axes = np.asarray(axes, dtype=object)
        if axes.shape != (n, 2):
            raise TypeError(
                f"axes must be an ({n}, 2) array of matplotlib Axes, got shape {axes.shape}"
            )
        fig = axes[0, 0].figure
    for (ax_image, ax_bars), image, row, label in zip(axes, images, p, y, strict=True):
        draw_digit_and_probabilities(ax_image, ax_bars, image, row, int(label))
    for ax in axes[:-1, 1]:
        ax.set_xlabel("")
    return fig, axes


def _reliability_axes(ax):
    """A new (curves, counts) pair of axes, one above the other, or the caller's pair."""
    if ax is None:
        fig, (ax_curve, ax_counts) = plt.subplots(
            2, 1, figsize=(5.2, 6.2), height_ratios=(3, 1), sharex=True
        )
        return fig, ax_curve, ax_counts
    pair = np.asarray(ax, dtype=object).ravel()
    if pair.size != 2 or not all(isinstance(a, plt.Axes) for a in pair):
        raise TypeError(
            f"ax must be a pair (curves axes, counts axes) of matplotlib Axes, got {ax!r}"
        )
    return pair[0].figure, pair[0], pair[1]


def _table(name, table):
    if not isinstance(table, (tuple, list)) or len(table) != 4:
        raise TypeError(
            f"tables[{name!r}] must be a reliability table (edges, count, "
            "confidence, accuracy), as lab_utils.calibration.reliability_table "
            "returns"
        )
    edges, count = (
        as_numbers(v, f"tables[{name!r}].{field}", ndim=1, dtype=np.float64)
        for v, field in zip(table[:2], ("edges", "count"), strict=True)
    )
    # an empty bin has NaN confidence and accuracy
    confidence, accuracy = (
        as_numbers(v, f"tables[{name!r}].{field}", ndim=1, finite=False, dtype=np.float64)
        for v, field in zip(table[2:], ("confidence", "accuracy"), strict=True)
    )
    if not (edges.size == count.size + 1 == confidence.size + 1 == accuracy.size + 1):
        raise ValueError(
            f"tables[{name!r}]: {edges.size} edges need {edges.size - 1} counts, "
            f"confidences and accuracies, got {count.size}, {confidence.size}, "
            f"{accuracy.size}"
        )
    return edges, count.astype(int), confidence, accuracy


def plot_reliability(
    tables: dict,
    ax: ArrayLike | None = None,
    title: str = "Reliability diagram",
    colors: dict | None = None,
) -> tuple[Figure, tuple[Axes, Axes]]:
    """Reliability curves above, and below them how many examples each bin holds.

    ``tables`` maps a name to a `lab_utils.calibration.reliability_table`. Points on the
    diagonal are calibrated; below it, overconfident; above it, underconfident. A bin of
    few examples gives a noisy point, which the counts below show. ``colors`` maps a
    name to its colour (default: the palette in order), so that a colour can keep one
    meaning across figures; curves are also told apart by marker and line style.
    Returns ``(fig, (curves axes, counts axes))``.
    """
    if not isinstance(tables, dict) or not tables:
        raise TypeError(
            f"tables must be a non-empty dict {{name: reliability table}}, got {tables!r}"
        )
    if colors is not None and (not isinstance(colors, dict) or set(colors) != set(tables)):
        raise ValueError(f"colors must map each of {list(tables)} to a colour, got {colors!r}")
    fig, ax_curve, ax_counts = _reliability_axes(ax)
    ax_curve.plot([0, 1], [0, 1], linestyle=":", color=NEUTRAL, label="perfectly calibrated")
    words = []
    for i, (name, table) in enumerate(tables.items()):
        edges, count, confidence, accuracy = _table(name, table)
        color = colors[name] if colors else CLASS_COLORS[i % len(CLASS_COLORS)]
        style = dict(color=color, linestyle=LINE_STYLES[i % len(LINE_STYLES)])
        filled = count > 0
        ax_curve.plot(
            confidence[filled],
            accuracy[filled],
            marker=MARKERS[i % len(MARKERS)],
            label=name,
            **style,
        )
        ax_counts.stairs(count, edges, label=name, linewidth=2, **style)
        words.append(
            f"{name}: {int(filled.sum())} non-empty bins holding "
            f"{', '.join(str(c) for c in count[filled])} examples"
        )
    ax_curve.set(ylabel="accuracy in the bin", xlim=(0, 1.02), ylim=(0, 1.02), title=title)
    ax_curve.legend(loc="upper left")
    ax_counts.set(
        xlabel="confidence (points: the mean over the bin)", ylabel="examples", yscale="log"
    )
    ax_counts.set_ylim(bottom=0.8)
    describe(
        ax_curve,
        f"{spoken_text(title)}: accuracy against mean confidence per bin, with the "
        f"diagonal of perfect calibration. {'; '.join(words)}.",
    )
    describe(ax_counts, "Below it, the number of examples in each bin, on a log scale.")
    return fig, (ax_curve, ax_counts)


def plot_start_curves(
    curves: dict,
    ax: Axes | None = None,
    title: str = "Loss per epoch, every start",
    color: str = CLASS_COLORS[0],
) -> tuple[Figure, Axes]:
    """Per-epoch curves of several starts: ``curves`` maps a name to an array (starts, epochs).

    Every start is drawn thin, in one colour (one model per figure panel), each name in
    its own line style: the spread of the thin lines is the start-to-start noise a
    difference has to beat. Epochs are numbered from 1, as Keras prints them.
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError(
            f"curves must be a non-empty dict {{name: (starts, epochs) array}}, got {curves!r}"
        )
    fig, ax = figure_and_axes(ax)
    words = []
    for i, (name, values) in enumerate(curves.items()):
        runs = as_numbers(values, f"curves[{name!r}]", ndim=2, dtype=np.float64)
        epochs = np.arange(1, runs.shape[1] + 1)
        linestyle = LINE_STYLES[i % len(LINE_STYLES)]
        for k, run in enumerate(runs):
            ax.plot(
                epochs,
                run,
                color=color,
                linestyle=linestyle,
                linewidth=1.3,
                alpha=0.8,
                label=name if k == 0 else None,
            )
        words.append(
            f"{name} ({len(runs)} starts, {LINE_NAMES[i % len(LINE_NAMES)]}) from "
            f"{runs[:, 0].min():.2g}-{runs[:, 0].max():.2g} at epoch 1 to "
            f"{runs[:, -1].min():.2g}-{runs[:, -1].max():.2g} at epoch {runs.shape[1]}"
        )
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    describe(
        ax,
        f'"{spoken_text(title)}": loss against epoch, one thin line per start; '
        + "; ".join(words)
        + ".",
    )
    return fig, ax
