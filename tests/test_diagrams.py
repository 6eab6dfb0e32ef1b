"""The softmax classifier diagram: which nodes, weights, labels and arrows it draws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from lab_utils.diagrams import MAX_NODES, softmax_diagram

pytestmark = pytest.mark.usefixtures("close_figures")


def parts(ax, gid):
    artists = [*ax.patches, *ax.lines, *ax.texts]
    return [a for a in artists if a.get_gid() == gid]


def labels(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


@pytest.mark.parametrize("n_inputs, n_classes", [(2, 4), (5, 3), (1, 2)])
def test_one_node_per_input_logit_and_probability_and_one_line_per_weight(n_inputs, n_classes):
    fig, ax = softmax_diagram(n_inputs, n_classes)
    assert fig is ax.figure
    assert labels(ax, "input") == [f"$x_{{{i}}}$" for i in range(n_inputs)]
    assert labels(ax, "logit") == [f"$z_{{{j}}}$" for j in range(n_classes)]
    assert labels(ax, "probability") == [f"$a_{{{j}}}$" for j in range(n_classes)]
    assert len([p for p in ax.patches if p.get_gid() == "input"]) == n_inputs
    assert len(parts(ax, "weight")) == n_inputs * n_classes  # every input reaches every logit
    # each logit goes into the softmax and comes out as its probability
    assert len(parts(ax, "arrow")) == 2 * n_classes


def test_every_weight_joins_an_input_to_a_logit():
    _, ax = softmax_diagram(3, 4)
    inputs = {p.center for p in ax.patches if p.get_gid() == "input"}
    logits = {p.center for p in ax.patches if p.get_gid() == "logit"}
    joined = set()
    for line in parts(ax, "weight"):
        (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
        start = min(inputs, key=lambda c: abs(c[1] - y0))
        end = min(logits, key=lambda c: abs(c[1] - y1))
        assert x0 > start[0] and x1 < end[0] and abs(start[1] - y0) < 1e-9
        joined.add((start, end))
    assert len(joined) == 12


def test_the_softmax_box_spans_all_logits_and_the_model_is_named():
    _, ax = softmax_diagram(2, 4)
    box = next(p for p in ax.patches if p.get_gid() == "softmax")
    heights = [p.center[1] for p in ax.patches if p.get_gid() == "logit"]
    assert box.get_y() < min(heights) and box.get_y() + box.get_height() > max(heights)
    assert "softmax" in labels(ax, "softmax")
    headings = " ".join(labels(ax, "heading"))
    assert "\\mathbf{x}W + \\mathbf{b}" in headings and "probabilities" in headings
    assert not ax.axison


def test_labels_count_from_zero_like_the_code_and_the_sliders():
    _, ax = softmax_diagram(2, 4)
    texts = [t.get_text() for t in ax.texts]
    assert "$z_{0}$" in texts and "$a_{3}$" in texts
    assert not any("_{4}" in t for t in texts), texts


def test_draws_into_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned_fig, ax = softmax_diagram(ax=right)
    assert ax is right and returned_fig is fig
    assert not left.patches and right.patches


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_inputs": 2.0}, TypeError, "n_inputs must be an integer, got 2.0"),
        ({"n_classes": True}, TypeError, "n_classes must be an integer, got True"),
        ({"n_inputs": 0}, ValueError, f"n_inputs must be between 1 and {MAX_NODES}, got 0"),
        ({"n_classes": 1}, ValueError, f"n_classes must be between 2 and {MAX_NODES}, got 1"),
        ({"n_classes": MAX_NODES + 1}, ValueError, "n_classes must be between 2 and"),
        ({"ax": "left"}, TypeError, "ax must be a matplotlib Axes, got str"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        softmax_diagram(**kwargs)
