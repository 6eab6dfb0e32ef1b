"""Conceptual diagrams, drawn with matplotlib: what a model computes, not data (notebook 01).

`softmax_diagram` draws a softmax classifier as the lessons write it: inputs
x_0..x_{n-1}, a linear layer z = xW + b (one line per weight), and a softmax that turns
the logits z_0..z_{N-1} into probabilities a_0..a_{N-1}. Labels count from 0, as the
code, the sliders and the maths of the lessons do. Every artist carries a ``gid``
naming its part (``"input"``, ``"logit"``, ``"probability"``, ``"weight"``,
``"softmax"``, ``"arrow"``), so tests can read what was drawn.
"""

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ._validate import as_int
from .display import describe
from .style import CLASS_COLORS

#: Beyond this many nodes in a column the labels overlap.
MAX_NODES = 8
NODE_RADIUS = 0.32
#: x position of each column: inputs, logits, the softmax box, probabilities.
COLUMNS = {"input": 0.0, "logit": 3.0, "softmax": 4.9, "probability": 6.8}
INK = "#333333"
WEIGHT_GREY = "#9A9A9A"


def _heights(n):
    """n evenly spaced heights centred on 0, one unit apart, top first."""
    return [(n - 1) / 2 - k for k in range(n)] if n > 1 else [0.0]


def _node(ax, x, y, label, kind, color):
    ax.add_patch(
        Circle(
            (x, y), NODE_RADIUS, facecolor="white", edgecolor=color, linewidth=2, gid=kind, zorder=3
        )
    )
    ax.text(x, y, label, ha="center", va="center", fontsize=12, color=INK, gid=kind, zorder=4)


def _arrow(ax, start, end):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=12,
            color=INK,
            linewidth=1.2,
            gid="arrow",
            zorder=2,
        )
    )


def softmax_diagram(
    n_inputs: int = 2, n_classes: int = 4, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Draw inputs -> linear layer z = xW + b -> softmax -> probabilities; return (fig, ax).

    ``n_inputs`` (1..8) input nodes each connect to all ``n_classes`` (2..8) logit
    nodes by a line: one weight of W each. Draws into ``ax`` if given.
    """
    n_inputs = as_int(n_inputs, "n_inputs", low=1, high=MAX_NODES)
    n_classes = as_int(n_classes, "n_classes", low=2, high=MAX_NODES)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.6 * max(n_inputs, n_classes) + 1.6))
    fig = ax.figure

    rows = max(n_inputs, n_classes)
    x_in, x_z, x_box, x_a = (COLUMNS[k] for k in ("input", "logit", "softmax", "probability"))
    inputs, logits = _heights(n_inputs), _heights(n_classes)

    for y_in in inputs:
        for y_z in logits:
            ax.plot(
                [x_in + NODE_RADIUS, x_z - NODE_RADIUS],
                [y_in, y_z],
                color=WEIGHT_GREY,
                linewidth=1,
                gid="weight",
                zorder=1,
            )
    for i, y_in in enumerate(inputs):
        _node(ax, x_in, y_in, f"$x_{{{i}}}$", "input", INK)

    half = (n_classes - 1) / 2 + 0.5
    ax.add_patch(
        FancyBboxPatch(
            (x_box - 0.45, -half),
            0.9,
            2 * half,
            boxstyle="round,pad=0.05",
            facecolor="#F2F2F2",
            edgecolor=INK,
            linewidth=1.5,
            gid="softmax",
            zorder=2,
        )
    )
    ax.text(
        x_box,
        0,
        "softmax",
        rotation=90,
        ha="center",
        va="center",
        fontsize=13,
        color=INK,
        gid="softmax",
        zorder=4,
    )

    for j, y in enumerate(logits):
        color = CLASS_COLORS[j % len(CLASS_COLORS)]
        _node(ax, x_z, y, f"$z_{{{j}}}$", "logit", color)
        _node(ax, x_a, y, f"$a_{{{j}}}$", "probability", color)
        _arrow(ax, (x_z + NODE_RADIUS, y), (x_box - 0.5, y))
        _arrow(ax, (x_box + 0.5, y), (x_a - NODE_RADIUS, y))

    top = (rows - 1) / 2 + 0.9
    headings = [
        (x_in, "inputs $\\mathbf{x}$"),
        ((x_in + x_z) / 2, "linear layer\n$\\mathbf{z} = \\mathbf{x}W + \\mathbf{b}$"),
        (x_z, "logits"),
        (x_a, "probabilities\n$a_j = P(y = j \\mid \\mathbf{x})$"),
    ]
    for x, text in headings:
        ax.text(x, top, text, ha="center", va="bottom", fontsize=11, color=INK, gid="heading")

    ax.set_xlim(x_in - 0.8, x_a + 1.2)
    ax.set_ylim(-(rows - 1) / 2 - 0.7, top + 1.1)
    ax.set_aspect("equal")
    ax.axis("off")
    describe(
        ax,
        f"Diagram: {n_inputs} inputs x0..x{n_inputs - 1}, each joined by a weight to "
        f"every one of {n_classes} logits z0..z{n_classes - 1} (the linear layer "
        f"z = xW + b); the logits go through softmax to {n_classes} probabilities "
        f"a0..a{n_classes - 1}, which sum to 1.",
    )
    return fig, ax
