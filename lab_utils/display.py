"""How a figure reaches the learner: sharp on 2x screens, and in words for those who cannot see it.

Serves every notebook (01-07): ``setup()`` calls `register_figure_formatter`, so that every
matplotlib figure a notebook shows (whether drawn by ``lab_utils`` or by the notebook
itself) is output as

- an ``image/png`` drawn at ``PIXEL_RATIO`` pixels per CSS pixel, quantised to a small
  palette, whose metadata ``width``/``height`` keep it at its usual on-screen size and
  whose ``alt`` is the figure's description (nbconvert's HTML export writes it into the
  ``<img>`` tag);
- a ``text/plain`` holding the same description, which JupyterLab shows where it cannot
  show the image, and which nbval compares (so a description holds only rounded,
  reproducible numbers).

A description comes from the data drawn: a ``lab_utils`` plot function attaches one to
the axes it draws with `describe`. For any other axes (and for the two that do not yet:
`lab_utils.digit_plots.plot_digits` and `plot_digit_probabilities`), `alt_text` makes one
from what matplotlib knows: the title, the axis labels and ranges, and what was drawn
(lines, points, bars, images) and the legend. The images are encoded by `lab_utils._png`.
"""

from __future__ import annotations

import base64
import re
from io import BytesIO
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._png import small_png
from .style import PIXEL_RATIO

_DESCRIPTION = "_softmax_lab_description"


# --- descriptions ------------------------------------------------------------------


def describe(ax: Axes, text: str) -> Axes:
    """Attach ``text``, a sentence or two saying what ``ax`` shows, to the axes. Returns ``ax``."""
    if not hasattr(ax, "figure") or not hasattr(ax, "get_title"):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty description, got {text!r}")
    setattr(ax, _DESCRIPTION, text.strip())
    return ax


def spoken_text(text: str) -> str:
    """Math text as a screen reader says it: ``"$x_0$"`` -> ``"x0"``."""
    text = re.sub(r"\\(mathrm|mathbf|mathit|text)\b", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return re.sub(r"[${}_]", "", text).strip()


def alt_text(fig: Figure) -> str:
    """A description of the whole figure: its suptitle, then each panel's description."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    panels = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    parts = []
    if fig.get_suptitle().strip():
        parts.append(spoken_text(fig.get_suptitle()) + ".")
    if not panels:
        parts.append("An empty figure.")
    for number, ax in enumerate(panels, start=1):
        text = getattr(ax, _DESCRIPTION, None) or generic_description(ax)
        parts.append(f"Panel {number} of {len(panels)}: {text}" if len(panels) > 1 else text)
    return " ".join(parts)


def _is_colorbar(ax):
    return getattr(ax, "_colorbar", None) is not None


def generic_description(ax: Axes) -> str:
    """What matplotlib knows of one axes, in words (for axes no lab_utils function drew)."""
    title = spoken_text(ax.get_title())
    drawn = _what_was_drawn(ax)
    text = (f'"{title}": ' if title else "A chart: ") + (", ".join(drawn) if drawn else "empty")
    axes = [
        _axis_words(name, label, limits)
        for name, label, limits in (
            ("x", ax.get_xlabel(), ax.get_xlim()),
            ("y", ax.get_ylabel(), ax.get_ylim()),
        )
    ]
    text += "; " + "; ".join(axes)
    legend = ax.get_legend()
    if legend is not None:
        names = [spoken_text(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if names:
            text += "; legend: " + ", ".join(names)
    return text + "."


def _what_was_drawn(ax):
    drawn = []
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    if lines:
        drawn.append(_plural(len(lines), "line"))
    points = sum(
        len(c.get_offsets())
        for c in ax.collections
        if hasattr(c, "get_offsets") and type(c).__name__ == "PathCollection"
    )
    points += sum(
        len(line.get_xdata())
        for line in ax.get_lines()
        if len(line.get_xdata()) and line.get_linestyle() in ("None", "", " ")
    )
    if points:
        drawn.append(_plural(points, "point"))
    bars = sum(len(c) for c in ax.containers if type(c).__name__ == "BarContainer")
    if bars:
        drawn.append(_plural(bars, "bar"))
    if ax.images:
        drawn.append(_plural(len(ax.images), "image"))
    filled = [
        c
        for c in ax.collections
        if type(c).__name__ in ("ContourSet", "QuadContourSet", "QuadMesh")
    ]
    if filled:
        drawn.append("shaded regions")
    return drawn


def _plural(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _axis_words(name, label, limits):
    low, high = limits
    label = spoken_text(label)
    return (
        f"{name} axis"
        + (f' "{label}"' if label else "")
        + f" from {_spoken(low)} to {_spoken(high)}"
    )


def _spoken(value):
    """A number as a reader says it: 3 significant digits, no "-0"."""
    text = f"{value:.3g}"
    return "0" if text == "-0" else text


# --- images -----------------------------------------------------------------------


def figure_png(fig: Figure, pixel_ratio: int = PIXEL_RATIO) -> tuple[bytes, int, int]:
    """``(png, width, height)``: ``fig`` drawn for a screen with ``pixel_ratio`` pixels per CSS
    pixel, cropped as the inline backend crops, and its size in CSS pixels."""
    if pixel_ratio not in (1, 2, 3):
        raise ValueError(f"pixel_ratio must be 1, 2 or 3, got {pixel_ratio!r}")
    from PIL import Image

    raw = BytesIO()
    fig.savefig(
        raw, format="png", dpi=fig.dpi * pixel_ratio, bbox_inches="tight", facecolor="white"
    )
    pixels = np.asarray(Image.open(raw).convert("RGB"))
    height, width = pixels.shape[:2]
    return small_png(pixels), round(width / pixel_ratio), round(height / pixel_ratio)


def image_output(
    png: bytes, width: int, height: int, alt: str
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """The ``(data, metadata)`` of an ``image/png`` output shown at ``width`` x ``height``."""
    return (
        {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
        {"image/png": {"width": int(width), "height": int(height), "alt": alt}},
    )


def figure_output(fig: Figure) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """``(data, metadata)`` of a figure's display: a 2x PNG, its size, and its alt text."""
    png, width, height = figure_png(fig)
    return image_output(png, width, height, alt_text(fig))


def _png_formatter(fig):
    data, metadata = figure_output(fig)
    return data["image/png"], metadata["image/png"]


def _text_formatter(fig, printer, cycle):
    printer.text(alt_text(fig))


def register_figure_formatter(shell: Any = None) -> bool:
    """Show every matplotlib figure as a described 2x PNG in this IPython kernel.

    Returns True if registered, False outside IPython (a script, a test).
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    _load_inline_backend_first()
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png_formatter)
    formatters["text/plain"].for_type(Figure, _text_formatter)
    return True


def _load_inline_backend_first():
    """Load the plotting backend now: matplotlib-inline registers its own formatters when
    it is loaded, which would replace ours if that happened later (at the first plot)."""
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    if "inline" in backend:
        plt.switch_backend(backend)
