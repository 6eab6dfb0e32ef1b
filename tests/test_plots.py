"""The static figures: what they draw, with which colours, and how they reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from lab_utils import CLASS_COLORS, softmax
from lab_utils.display import alt_text
from lab_utils.plots import plot_blobs, plot_loss_curves, plot_model_outputs
from lab_utils.style import CLASS_MARKERS

X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0], [4.0, 0.0], [5.0, 1.0]])
Y = np.array([0, 1, 2, 3, 0, 2])
LOGITS = np.array(
    [[3.0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0], [0, 0, 0, 3], [2, 1, 0, -1], [-5, 0, 5, 0]]
)


pytestmark = pytest.mark.usefixtures("close_figures")


def face_hexes(collection):
    return {to_hex(c) for c in collection.get_facecolors()}


# --- plot_blobs ---------------------------------------------------------------------


def test_blobs_one_coloured_scatter_per_class():
    fig, ax = plot_blobs(X, Y)
    assert fig is ax.figure
    assert len(ax.collections) == 4
    for label, collection in enumerate(ax.collections):
        np.testing.assert_array_equal(collection.get_offsets(), X[Y == label])
        assert face_hexes(collection) == {CLASS_COLORS[label].lower()}
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "class 2",
        "class 3",
    ]
    assert ax.get_xlabel() == "$x_0$" and ax.get_ylabel() == "$x_1$"


def test_blobs_draws_into_the_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned_fig, ax = plot_blobs(X, Y, ax=right, title="mine")
    assert ax is right and returned_fig is fig
    assert not left.collections and ax.get_title() == "mine"


@pytest.mark.parametrize(
    "X_bad, y_bad, message",
    [
        (X[:, :1], Y, r"X must have shape \(n, 2\)"),
        (X[0], Y, "X must be 2-D"),
        (X, Y[:-1], r"y must have shape \(6,\), one class label per point, got shape \(5,\)"),
        (X, np.array([0, 1, 2, 3, 0, 7]), r"y must hold class labels in 0..4, got y\[5\] = 7"),
        (X, np.array([0, 1, 2, 3, 0, 0.5]), r"whole-number class labels, got y\[5\] = 0.5"),
        (np.where(X == 5.0, np.nan, X), Y, "X must be finite"),
    ],
)
def test_blobs_bad_input_names_the_argument(X_bad, y_bad, message):
    with pytest.raises(ValueError, match=message):
        plot_blobs(X_bad, y_bad)


def test_blobs_rejects_text():
    with pytest.raises(TypeError, match="X must hold real numbers"):
        plot_blobs([["a", "b"]], [0])


def test_blobs_rejects_a_non_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_blobs(X, Y, ax="left")


# --- plot_loss_curves ---------------------------------------------------------------


class FakeHistory:
    """What keras.Model.fit returns, as far as the plot is concerned."""

    def __init__(self, losses):
        self.history = {"loss": losses, "accuracy": [0.5] * len(losses)}


def test_loss_curves_one_line_per_model_numbered_from_epoch_1():
    losses = {"obvious": [1.0, 0.5, 0.25], "preferred": FakeHistory([0.9, 0.4, 0.2])}
    fig, ax = plot_loss_curves(losses)
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(lines[1].get_ydata(), [0.9, 0.4, 0.2])
    assert [to_hex(line.get_color()) for line in lines] == [c.lower() for c in CLASS_COLORS[:2]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["obvious", "preferred"]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"


def test_a_cost_per_step_is_drawn_and_described_from_step_0():
    fig, ax = plot_loss_curves(
        {"GD": [1.0, 0.5, 0.25]}, title="Cost", xlabel="step", ylabel="cost", first=0
    )
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 1, 2])
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "cost"
    text = alt_text(fig)
    assert "cost against step" in text and "at step 0" in text and "at step 2" in text


def test_identical_curves_both_stay_visible():
    fig, ax = plot_loss_curves({"a": [1.0, 0.5], "b": [1.0, 0.5]})
    first, second = ax.get_lines()
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_linewidth() > second.get_linewidth()  # the wide one shows around the other


def test_loss_curves_draw_into_the_given_axes():
    fig, ax = plt.subplots()
    assert plot_loss_curves({"m": [1.0]}, ax=ax) == (fig, ax)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ({}, TypeError, "non-empty dict"),
        ([1.0, 0.5], TypeError, "non-empty dict"),
        ({"m": []}, ValueError, r"losses\['m'\] must not be empty"),
        ({"m": [1.0, float("nan")]}, ValueError, r"losses\['m'\] must be finite"),
        ({str(i): [1.0] for i in range(6)}, ValueError, "at most 5 curves"),
    ],
)
def test_loss_curves_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        plot_loss_curves(bad)


# --- plot_model_outputs -------------------------------------------------------------


def test_outputs_two_panels_one_column_per_unit():
    fig, (ax_p, ax_z) = plot_model_outputs(softmax(LOGITS), LOGITS)
    assert len(ax_p.collections) == len(ax_z.collections) == 4
    for unit, (col_p, col_z) in enumerate(zip(ax_p.collections, ax_z.collections, strict=True)):
        np.testing.assert_allclose(col_p.get_offsets()[:, 1], softmax(LOGITS)[:, unit])
        np.testing.assert_allclose(col_z.get_offsets()[:, 1], LOGITS[:, unit])
        x = col_z.get_offsets()[:, 0]
        assert np.all(np.abs(x - unit) <= 0.2)  # jittered around the unit's tick
        assert face_hexes(col_p) == {CLASS_COLORS[unit].lower()}  # no labels: one colour a unit
    assert ax_p.get_ylim() == (-0.05, 1.05)
    assert "probabilities" in ax_p.get_title() and "logits" in ax_z.get_title()
    assert [t.get_text() for t in ax_z.get_xticklabels()] == ["$z_0$", "$z_1$", "$z_2$", "$z_3$"]


def test_outputs_coloured_by_true_class_with_a_legend():
    fig, (ax_p, ax_z) = plot_model_outputs(softmax(LOGITS), LOGITS, y=Y)
    classes = np.unique(Y)
    first_unit = ax_z.collections[: len(classes)]  # unit 0: one collection per true class
    for label, points in zip(classes, first_unit, strict=True):
        assert face_hexes(points) == {CLASS_COLORS[label].lower()}
        np.testing.assert_allclose(points.get_offsets()[:, 1], LOGITS[Y == label, 0])
    assert [t.get_text() for t in ax_z.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "class 2",
        "class 3",
    ]
    markers = [h.get_marker() for h in ax_z.get_legend().legend_handles]
    assert markers == list(CLASS_MARKERS[:4])  # a shape per class, not only a colour


def test_outputs_same_picture_every_time():
    first = plot_model_outputs(softmax(LOGITS), LOGITS)[1][0].collections[0].get_offsets()
    second = plot_model_outputs(softmax(LOGITS), LOGITS)[1][0].collections[0].get_offsets()
    np.testing.assert_array_equal(first, second)


def test_outputs_draw_into_the_given_axes():
    fig, axes = plt.subplots(1, 2)
    returned_fig, returned_axes = plot_model_outputs(softmax(LOGITS), LOGITS, axes=axes)
    assert returned_fig is fig and returned_axes == tuple(axes)


def test_outputs_logits_passed_as_probabilities_are_caught():
    with pytest.raises(ValueError, match="did you pass logits as probabilities"):
        plot_model_outputs(LOGITS, LOGITS)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"logits": LOGITS[:, :3]}, ValueError, "shape"),
        ({"y": Y[:3]}, ValueError, r"y must have shape \(6,\), one class label per point"),
        ({"axes": "ab"}, TypeError, "axes must be a sequence of 2 matplotlib Axes"),
    ],
)
def test_outputs_bad_input(kwargs, error, message):
    arguments = {"probabilities": softmax(LOGITS), "logits": LOGITS} | kwargs
    with pytest.raises(error, match=message):
        plot_model_outputs(**arguments)
