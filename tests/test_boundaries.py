"""lab_utils.boundaries: what the decision-boundary and per-unit plots draw, and the snapshots."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_rgb
from matplotlib.contour import ContourSet

import lab_utils.boundaries
import lab_utils.regions
import lab_utils.snapshots
from lab_utils.boundaries import (
    boundaries_over_training,
    decision_boundary,
    snapshot_regions,
    unit_maps,
)
from lab_utils.data import CENTERS, make_seed_blobs
from lab_utils.regions import scores_at
from lab_utils.snapshots import BoundarySnapshots, epoch_caption, snapshot_index
from lab_utils.style import CLASS_COLORS

CENTER_ARRAY = np.array(CENTERS)


def nearest_center_scores(points):
    """Scores whose argmax is the nearest of the lab's centres: four linear regions."""
    return -((np.asarray(points)[:, None, :] - CENTER_ARRAY) ** 2).sum(axis=-1)


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture(scope="module")
def blobs():
    return make_seed_blobs(200)


def filled_regions(ax):
    """The filled ContourSet that decision_boundary drew (one path per class level)."""
    (regions,) = [
        c
        for c in ax.collections
        if isinstance(c, ContourSet) and c.filled and c.get_gid() != "class hatches"
    ]
    return regions


def class_scatters(ax):
    return {c.get_label(): c for c in ax.collections if c.get_label().startswith("class ")}


# --- decision_boundary -----------------------------------------------------------


def test_every_class_gets_a_region_in_its_colour(blobs):
    X, y = blobs
    fig, ax = decision_boundary(nearest_center_scores, X, y)
    regions = filled_regions(ax)
    paths = regions.get_paths()
    assert len(paths) == 4
    for k, path in enumerate(paths):
        assert len(path.vertices) > 0, f"class {k} has no region"
        assert np.allclose(regions.get_facecolor()[k][:3], to_rgb(CLASS_COLORS[k]))


def test_regions_follow_the_scores(blobs):
    """Each class's region contains its own centre (the nearest-centre rule's answer)."""
    X, y = blobs
    _, ax = decision_boundary(nearest_center_scores, X, y)
    paths = filled_regions(ax).get_paths()
    for k, center in enumerate(CENTER_ARRAY):
        assert paths[k].contains_point(center), f"centre of class {k} outside its region"
        others = [j for j in range(4) if j != k]
        assert not any(paths[j].contains_point(center) for j in others)


def test_axes_cover_the_data_and_the_data_is_on_top(blobs):
    X, y = blobs
    _, ax = decision_boundary(nearest_center_scores, X, y, title="blobs")
    (x_low, x_high), (y_low, y_high) = ax.get_xlim(), ax.get_ylim()
    assert x_low <= X[:, 0].min() and X[:, 0].max() <= x_high
    assert y_low <= X[:, 1].min() and X[:, 1].max() <= y_high
    scatters = class_scatters(ax)
    assert sorted(scatters) == [f"class {k}" for k in range(4)]
    for k in range(4):
        points = scatters[f"class {k}"]
        assert np.allclose(points.get_offsets(), X[y == k])
        assert np.allclose(points.get_facecolor()[0][:3], to_rgb(CLASS_COLORS[k]))
        assert points.get_zorder() > filled_regions(ax).get_zorder()
    assert ax.get_title() == "blobs"


def test_boundaries_are_drawn_as_black_lines(blobs):
    X, y = blobs
    _, ax = decision_boundary(nearest_center_scores, X, y)
    (lines,) = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert sum(len(p.vertices) for p in lines.get_paths()) > 0
    assert np.allclose(lines.get_edgecolor()[0][:3], (0, 0, 0))


def test_misclassified_points_are_circled(blobs):
    X, y = blobs
    wrong = y != 0
    _, ax = decision_boundary(lambda P: np.tile([1.0, 0, 0, 0], (len(P), 1)), X, y)
    (circles,) = [c for c in ax.collections if c.get_label().startswith("misclassified")]
    assert circles.get_label() == f"misclassified ({wrong.sum()})"
    assert np.allclose(circles.get_offsets(), X[wrong])


def test_accepts_an_object_with_predict_and_uses_the_given_axes(blobs):
    X, y = blobs

    class Model:  # not callable: only .predict, like many model objects
        def predict(self, points):
            return nearest_center_scores(points)

    fig, ax = plt.subplots()
    returned_fig, returned_ax = decision_boundary(Model(), X, y, ax=ax)
    assert returned_ax is ax and returned_fig is fig
    assert len(filled_regions(ax).get_paths()) == 4


def test_two_classes_use_the_suite_colours(blobs):
    X, y = blobs
    inner = np.isin(y, [1, 2]).astype(int)
    _, ax = decision_boundary(
        lambda P: np.c_[np.abs(P[:, 0] + 0.5) - 3, np.zeros(len(P))], X, inner
    )
    regions = filled_regions(ax)
    for k in range(2):
        assert len(regions.get_paths()[k].vertices) > 0
        assert np.allclose(regions.get_facecolor()[k][:3], to_rgb(CLASS_COLORS[k]))


@pytest.mark.parametrize(
    "predict_fn, X, y, error, words",
    [
        (42, None, None, TypeError, "predict_fn must be a function"),
        (
            nearest_center_scores,
            np.zeros((5, 3)),
            np.zeros(5, int),
            ValueError,
            "X must have shape",
        ),
        (
            nearest_center_scores,
            [[0.0, np.nan]],
            [0],
            ValueError,
            r"X must be finite, got X\[0, 1\]",
        ),
        (nearest_center_scores, None, np.zeros(3, int), ValueError, "one class label per point"),
        (nearest_center_scores, None, "labels", ValueError, "y must hold"),
        (lambda P: nearest_center_scores(P)[:, :2], None, None, ValueError, "y holds the label 3"),
        (lambda P: P[:, 0], None, None, ValueError, "one row of scores per point"),
        (lambda P: np.full((len(P), 4), np.nan), None, None, ValueError, "NaN or infinite score"),
        (lambda P: np.zeros((len(P), 6)), None, None, ValueError, "colours for 5 classes"),
    ],
)
def test_bad_input_is_named(blobs, predict_fn, X, y, error, words):
    X_blobs, y_blobs = blobs
    X = X_blobs if X is None else X
    y = y_blobs if y is None else y
    if isinstance(y, str):
        y = np.full(len(X), 0.5)
    with pytest.raises(error, match=words):
        decision_boundary(predict_fn, X, y)


def test_a_model_that_is_called_is_not_asked_to_predict():
    class KerasLike:
        def __call__(self, points):
            return nearest_center_scores(points)

        def predict(self, points):
            raise AssertionError("predict() is slow in Keras; a callable model is called")

    scores = scores_at(KerasLike(), CENTER_ARRAY)
    assert np.array_equal(scores.argmax(axis=1), np.arange(4))


# --- unit_maps ---------------------------------------------------------------------

W = np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -2.0]])
B = np.array([0.0, 1.0, -0.5])


def relu_layer(points):
    return np.maximum(0, points @ W + B)


def test_one_panel_per_unit_each_with_its_values_and_a_colour_bar(blobs):
    X, y = blobs
    fig, axes = unit_maps(relu_layer, X, y, title="unit {unit} of 3")
    assert len(axes) == 3
    assert len(fig.axes) == 6  # three panels, three colour bars
    for unit, ax in enumerate(axes):
        assert ax.get_title() == f"unit {unit} of 3"
        surface = [c for c in ax.collections if isinstance(c, ContourSet) and c.filled][0]
        low, high = surface.levels[0], surface.levels[-1]
        values = relu_layer(X)[:, unit]
        assert low <= values.min() and values.max() <= high
        assert len(class_scatters(ax)) == 4


def test_a_relu_unit_gets_a_dashed_switch_on_line_and_a_linear_unit_does_not(blobs):
    X, y = blobs
    _, (relu_ax,) = unit_maps(lambda P: relu_layer(P)[:, :1], X, y)
    _, (linear_ax,) = unit_maps(lambda P: (P @ W + B)[:, :1], X, y)

    def dashed(ax):
        return [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]

    assert len(dashed(relu_ax)) == 1
    assert dashed(linear_ax) == []


def test_hidden_space_view_greys_out_negative_activations(blobs):
    X, y = blobs
    A = relu_layer(X)[:, :2]
    _, axes = unit_maps(
        lambda P: P @ np.ones((2, 4)), A, y, colors=CLASS_COLORS[:4], nonnegative=True
    )
    assert len(axes) == 4
    for ax in axes:
        assert ax.get_xlim()[0] < 0 and ax.get_ylim()[0] < 0
        grey = [p for p in ax.patches if np.allclose(p.get_facecolor()[:3], to_rgb("#DDDDDD"))]
        assert len(grey) == 2


def test_unit_maps_bad_input_is_named(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="one entry per unit"):
        unit_maps(relu_layer, X, y, colors=["red"])
    _, two_axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="one matplotlib Axes per unit: expected 3, got 2"):
        unit_maps(relu_layer, X, y, axes=two_axes)
    with pytest.raises(TypeError, match="layer_fn"):
        unit_maps("relu", X, y)


# --- snapshots ---------------------------------------------------------------------


def rotating_scores(epoch):
    """A different linear scorer per epoch; at epoch 0 it predicts only classes 2 and 3."""
    if epoch == 0:
        return lambda P: np.c_[np.zeros((len(P), 2)) - 9, P[:, 0], -P[:, 0]]
    angle = epoch * 0.3
    return lambda P: nearest_center_scores(
        P @ np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    )


@pytest.fixture
def snapshots(blobs):
    X, _ = blobs
    snaps = BoundarySnapshots(X, grid_resolution=40)
    for epoch in range(6):
        logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5} if epoch else None
        snaps.record(epoch, rotating_scores(epoch), logs)
    return snaps


def test_snapshots_cover_the_data_with_one_class_grid_per_epoch(blobs, snapshots):
    X, _ = blobs
    assert snapshots.epochs == list(range(6))
    assert all(r.shape == (40, 40) for r in snapshots.regions)
    assert snapshots.xx0.min() < X[:, 0].min() and snapshots.xx0.max() > X[:, 0].max()
    assert snapshots.xx1.min() < X[:, 1].min() and snapshots.xx1.max() > X[:, 1].max()
    assert set(np.unique(snapshots.regions[0])) == {2, 3}
    expected = rotating_scores(3)(snapshots.points).argmax(axis=1).reshape(40, 40)
    assert np.array_equal(snapshots.regions[3], expected)


def test_history_and_captions(snapshots):
    epochs, losses = snapshots.history("loss")
    assert list(epochs) == [1, 2, 3, 4, 5]
    assert np.allclose(losses, 1.0 / (epochs + 1))
    assert epoch_caption(snapshots, 0) == "epoch 0 of 5 (before training)"
    assert epoch_caption(snapshots, 3) == "epoch 3 of 5: loss 0.250, accuracy 0.500"
    with pytest.raises(ValueError, match="'val_loss' was not logged"):
        snapshots.history("val_loss")


def test_snapshot_index_takes_the_last_snapshot_taken_by_then(blobs):
    X, _ = blobs
    snaps = BoundarySnapshots(X, grid_resolution=5)
    for epoch in (0, 10, 20):
        snaps.record(epoch, nearest_center_scores)
    assert [snapshot_index(snaps, e) for e in (0, 9, 10, 19, 20)] == [0, 0, 1, 1, 2]
    for bad in (-1, 21, 2.5):
        with pytest.raises(ValueError, match="epoch must be an integer from 0 to 20"):
            snapshot_index(snaps, bad)
    with pytest.raises(ValueError, match="epoch must increase"):
        snaps.record(20, nearest_center_scores)


def test_an_early_snapshot_keeps_each_class_in_its_own_colour(snapshots):
    """Epoch 0 predicts only classes 2 and 3; they must not be recoloured as 0 and 1."""
    mesh = snapshot_regions(snapshots, 0).surface_
    assert isinstance(mesh, QuadMesh)
    classes = snapshots.regions[0].ravel()
    colors = mesh.to_rgba(mesh.get_array().ravel())
    for k in (2, 3):
        assert np.allclose(colors[classes == k][0][:3], to_rgb(CLASS_COLORS[k]))


def test_boundaries_over_training_draws_one_panel_per_epoch(blobs, snapshots):
    X, y = blobs
    fig, axes = boundaries_over_training(snapshots, X, y, epochs=[0, 2, 5])
    assert [ax.get_title() for ax in axes] == ["epoch 0", "epoch 2", "epoch 5"]
    for ax in axes:
        assert any(isinstance(c, QuadMesh) for c in ax.collections)
        assert len(class_scatters(ax)) == 4


def test_an_empty_snapshot_list_says_what_to_do(blobs):
    with pytest.raises(ValueError, match="keras_callback"):
        snapshot_index(BoundarySnapshots(blobs[0]), 0)


def test_notebook_04_still_imports_the_recorder_from_boundaries():
    assert lab_utils.boundaries.BoundarySnapshots is lab_utils.snapshots.BoundarySnapshots


# --- with Keras ----------------------------------------------------------------------


def test_importing_the_plots_does_not_import_tensorflow():
    code = (
        "import sys, lab_utils.boundaries, lab_utils.widgets; "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def tiny_model(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(shape=(2,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(4)]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.Adam(0.01),
        metrics=["accuracy"],
    )
    return model


def test_the_keras_callback_records_every_epoch_without_changing_training(blobs):
    import keras

    X, y = blobs
    snaps = BoundarySnapshots(X, grid_resolution=20)
    recorded = tiny_model(keras).fit(X, y, epochs=3, verbose=0, callbacks=[snaps.keras_callback()])
    plain = tiny_model(keras).fit(X, y, epochs=3, verbose=0)
    assert recorded.history["loss"] == plain.history["loss"]
    assert snaps.epochs == [0, 1, 2, 3]
    assert snaps.logs[0] == {}
    assert [log["loss"] for log in snaps.logs[1:]] == pytest.approx(recorded.history["loss"])
    assert snaps.n_classes == 4


def test_a_keras_model_is_drawn_like_a_function(blobs):
    import keras

    X, y = blobs
    model = tiny_model(keras)
    _, ax = decision_boundary(model, X, y)
    expected = np.asarray(model.predict(X, verbose=0)).argmax(axis=1)
    (circles,) = [c for c in ax.collections if c.get_label().startswith("misclassified")]
    assert circles.get_label() == f"misclassified ({(expected != y).sum()})"


# --- options for notebook 04's figures (appended) ----------------------------------------


def test_mistakes_can_be_left_uncircled(blobs):
    X, y = blobs
    _, ax = decision_boundary(
        lambda P: np.tile([1.0, 0, 0, 0], (len(P), 1)), X, y, mark_mistakes=False
    )
    assert not [c for c in ax.collections if c.get_label().startswith("misclassified")]
    assert len(class_scatters(ax)) == 4


def test_unit_maps_label_each_colour_bar(blobs):
    X, y = blobs
    fig, axes = unit_maps(relu_layer, X, y, colorbar_label="value of unit {unit}")
    bars = [ax for ax in fig.axes if ax not in list(axes)]
    assert sorted(bar.get_ylabel() for bar in bars) == [f"value of unit {u}" for u in range(3)]


def test_small_multiples_get_axis_labels_and_a_legend(blobs, snapshots):
    X, y = blobs
    _, axes = boundaries_over_training(
        snapshots, X, y, epochs=[0, 5], xlabel="$x_1$", ylabel="$x_2$", legend=True
    )
    assert [ax.get_xlabel() for ax in axes] == ["$x_1$", "$x_1$"]
    assert axes[0].get_ylabel() == "$x_2$"
    assert axes[-1].get_legend() is not None and axes[0].get_legend() is None


def test_small_multiples_in_rows_of_ncols_label_each_row(blobs, snapshots):
    X, y = blobs
    fig, axes = boundaries_over_training(
        snapshots, X, y, epochs=[0, 1, 2, 3, 4, 5], ncols=3, ylabel="$x_1$"
    )
    assert len(axes) == 6 and len(fig.axes) == 6
    rows = sorted({round(ax.get_position().y0, 3) for ax in axes})
    assert len(rows) == 2  # 2 x 3, not one row of six
    assert [bool(ax.get_ylabel()) for ax in axes] == [True, False, False, True, False, False]
    with pytest.raises(ValueError, match="ncols"):
        boundaries_over_training(snapshots, X, y, epochs=[0, 5], ncols=0)


def region_labels(ax):
    return {t.get_text(): t.get_position() for t in ax.texts if t.get_text().startswith("class ")}


def test_region_labels_keep_off_a_cluster_of_points():
    # every class-0 point sits at the origin (as ReLU activations do), the centre of a
    # disc-shaped region where an unguided label would go
    X = np.array([[0.0, 0.0]] * 20 + [[5.0, 5.0]] * 10 + [[-5.0, -5.0]] * 10)
    y = np.array([0] * 20 + [1] * 20)

    def disc(P):
        inside = 4 - (P**2).sum(axis=1)
        return np.c_[inside, -inside]

    _, ax = decision_boundary(disc, X, y)
    x0, x1 = region_labels(ax)["class 0"]
    assert np.hypot(x0, x1) > 0.3, (x0, x1)


def test_decision_boundary_greys_out_negative_coordinates_and_moves_the_legend(blobs):
    X, y = blobs
    H = np.maximum(0, X)
    _, ax = decision_boundary(nearest_center_scores, H, y, nonnegative=True, legend="outside")
    grey = [p for p in ax.patches if np.allclose(p.get_facecolor()[:3], to_rgb("#DDDDDD"))]
    assert len(grey) == 2
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1  # beside the axes, not over the data
    with pytest.raises(ValueError, match="legend"):
        decision_boundary(nearest_center_scores, X, y, legend="left")
