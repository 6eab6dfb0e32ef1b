"""Figures for the handwritten digits (notebook 07): image grids, probabilities, reliability.

Like `lab_utils.plots`: each function takes arrays and an optional ``ax`` / ``axes``,
returns ``(fig, ax)`` or ``(fig, axes)`` and never calls ``plt.show()``. Ten classes are
more than the suite's palette, so classes are told apart by their digit, written on the
axis, never by colour alone.
"""

import matplotlib.pyplot as plt
import numpy as np

from .plots import _figure_and_axes, _numbers
from .style import CLASS_COLORS

#: The class a bar chart highlights (the true one) and the rest.
TRUE_COLOR, OTHER_COLOR = CLASS_COLORS[0], "#9E9E9E"
#: Grey levels: ink is dark on a white page, as the digits were written.
CMAP = "gray_r"


def _images(images, name="images"):
    """Images as an (n, h, w) array; (n, h*w) rows of a square image are reshaped."""
    arr = _numbers(images, name, np.ndim(images) if np.ndim(images) in (2, 3) else 3)
    if arr.ndim == 2:
        side = int(round(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise ValueError(f"{name} rows of {arr.shape[1]} pixels are not square images: "
                             "pass them as (n, height, width)")
        arr = arr.reshape(len(arr), side, side)
    return arr


def _captions(captions, n):
    if isinstance(captions, str) or not all(isinstance(c, str) for c in captions):
        raise TypeError("captions must be a list of strings, one per image")
    if len(captions) != n:
        raise ValueError(f"captions has {len(captions)} entries but there are {n} images")
    return list(captions)


def plot_digits(images, captions, ncols=10, ax=None, title="Handwritten digits"):
    """A grid of images, each with its caption above it, drawn as one picture.

    One ``imshow`` of a mosaic rather than an axes per image: it draws in a fraction of
    the time, which matters for a notebook a class runs at once.
    """
    images = _images(images)
    n, h, w = images.shape
    captions = _captions(captions, n)
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(int(ncols), n)
    nrows = -(-n // ncols)
    lines = max(c.count("\n") + 1 for c in captions)
    gap_x, gap_y = 2, 2 + 3 * lines  # room for the captions, in pixels of the images
    mosaic = np.full((nrows * (h + gap_y), ncols * (w + gap_x)), np.nan)
    for i, image in enumerate(images):
        top, left = (i // ncols) * (h + gap_y) + gap_y, (i % ncols) * (w + gap_x)
        mosaic[top:top + h, left:left + w] = image
    if ax is None:
        longest = max(len(line) for c in captions for line in c.splitlines() or [""])
        width = max(0.9, 0.075 * longest)  # inches per image: room for its caption
        fig, ax = plt.subplots(figsize=(width * ncols, (width + 0.25 * lines) * nrows + 0.4))
    else:
        fig, ax = _figure_and_axes(ax)
    cmap = plt.get_cmap(CMAP).with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=float(np.nanmax(images)) or 1.0,
              interpolation="nearest")
    for i, caption in enumerate(captions):
        top, left = (i // ncols) * (h + gap_y) + gap_y, (i % ncols) * (w + gap_x)
        ax.text(left + w / 2, top - 0.7, caption, ha="center", va="bottom", fontsize=8)
    ax.set_axis_off()
    ax.set_title(title)
    return fig, ax


def draw_digit_and_probabilities(ax_image, ax_bars, image, probabilities, label):
    """One image beside the bar chart of its class probabilities; the true class highlighted.

    Returns the artists ``(image, bars, title)`` so that a widget can update them in place.
    """
    image = _images(np.asarray(image)[None], "image")[0]
    p = _numbers(probabilities, "probabilities", 1)
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not (
            0 <= label < p.size):
        raise ValueError(f"label must be a class 0..{p.size - 1}, got {label!r}")
    shown = ax_image.imshow(image, cmap=CMAP, vmin=0, vmax=float(image.max()) or 1.0,
                            interpolation="nearest")
    ax_image.set_axis_off()
    ax_image.set_title(f"label {label}")
    bars = ax_bars.bar(range(p.size), p, color=OTHER_COLOR)
    ax_bars.set(ylim=(0, 1.05), xticks=range(p.size), xlabel="class", ylabel="probability")
    title = ax_bars.set_title(" ")
    update_probability_bars(bars, p, label, title)
    return shown, bars, title


def update_probability_bars(bars, probabilities, label, title):
    """Set the bars to ``probabilities``, hatch the true class, and say what was predicted."""
    for k, bar in enumerate(bars):
        bar.set_height(probabilities[k])
        bar.set_facecolor(TRUE_COLOR if k == label else OTHER_COLOR)
        bar.set_edgecolor("#222222" if k == label else OTHER_COLOR)
        bar.set_hatch("//" if k == label else "")
    predicted = int(np.argmax(probabilities))
    verdict = "right" if predicted == label else "wrong"
    title.set_text(f"predicted {predicted} ({probabilities[predicted]:.3f}), {verdict}; "
                   f"true class {label} hatched")


def plot_digit_probabilities(images, probabilities, y, axes=None):
    """One row per image: the image, then its probabilities with the true class highlighted."""
    images = _images(images)
    p = _numbers(probabilities, "probabilities", 2)
    if p.shape[0] != len(images):
        raise ValueError(f"probabilities has {p.shape[0]} rows but there are {len(images)} "
                         "images")
    y = np.asarray(y)
    if y.shape != (len(images),) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold one integer label per image, shape ({len(images)},), "
                         f"got {y.dtype} of shape {y.shape}")
    n = len(images)
    if axes is None:
        fig, axes = plt.subplots(n, 2, figsize=(7, 1.7 * n), width_ratios=(1, 4),
                                 squeeze=False, layout="constrained")
    else:
        axes = np.asarray(axes, dtype=object)
        if axes.shape != (n, 2):
            raise TypeError(f"axes must be an ({n}, 2) array of matplotlib Axes, got shape "
                            f"{axes.shape}")
        fig = axes[0, 0].figure
    for (ax_image, ax_bars), image, row, label in zip(axes, images, p, y, strict=True):
        draw_digit_and_probabilities(ax_image, ax_bars, image, row, int(label))
    for ax in axes[:-1, 1]:
        ax.set_xlabel("")
    return fig, axes


def plot_reliability(curves, ax=None, title="Reliability diagram (test set)"):
    """Reliability curves drawn with scikit-learn's ``CalibrationDisplay``.

    ``curves`` maps a name to ``(accuracy, confidence)`` per non-empty bin, in the order
    ``calibration_curve(correct, confidence)`` returns them (fraction right, mean
    confidence). Points on the diagonal are calibrated; below it, overconfident.
    """
    from sklearn.calibration import CalibrationDisplay

    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict {{name: (accuracy, confidence)}}, "
                        f"got {curves!r}")
    fig, ax = _figure_and_axes(ax)
    markers = ("s", "o", "^", "D")
    for i, (name, pair) in enumerate(curves.items()):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{name!r}] must be a pair (accuracy, confidence)")
        accuracy = _numbers(pair[0], f"curves[{name!r}] accuracy", 1)
        confidence = _numbers(pair[1], f"curves[{name!r}] confidence", 1)
        if accuracy.shape != confidence.shape:
            raise ValueError(f"curves[{name!r}]: accuracy and confidence differ in length "
                             f"({accuracy.size} vs {confidence.size})")
        CalibrationDisplay(accuracy, confidence, None).plot(
            ax=ax, name=name, marker=markers[i % len(markers)],
            color=CLASS_COLORS[(2 * i) % len(CLASS_COLORS)])
    ax.set(xlabel="confidence (mean over the bin)", ylabel="accuracy in the bin",
           xlim=(0, 1.02), ylim=(0, 1.02), title=title)
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
    return fig, ax
