"""One rule per kind of input: lab_utils._validate, and every public function that uses it."""

import importlib
import inspect
import pkgutil
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lab_utils
from lab_utils import _validate as v
from lab_utils import (
    backends,
    boundaries,
    calibration,
    digit_plots,
    digit_widget,
    numerics,
    plots,
    region_drawing,
    regions,
    snapshots,
    starts,
)
from lab_utils.display import alt_text


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def message_of(error_info):
    return str(error_info.value)


def assert_names(error_info, name):
    """The one message form: ``<name> must ...`` (the argument first, then its rule)."""
    assert re.match(rf"{re.escape(name)} must ", message_of(error_info)), message_of(error_info)


# --- as_numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (["a", "b"], TypeError, "arg must hold real numbers, got an array of dtype <U1"),
        ("abc", TypeError, "arg must hold real numbers, got str"),
        (None, TypeError, "arg must hold real numbers, got NoneType"),
        ([True, False], TypeError, "dtype bool"),
        ([1 + 2j], TypeError, "dtype complex128"),
        ([None, 1.0], TypeError, "dtype object"),
        ([[1.0, 2.0], [3.0]], ValueError, "arg must be a rectangular array of real numbers"),
        ([], ValueError, r"arg must not be empty, got shape \(0,\)"),
        ([1.0, np.nan], ValueError, r"arg must be finite, got arg\[1\] = nan"),
        ([[1.0, 2.0], [np.inf, 0.0]], ValueError, r"arg must be finite, got arg\[1, 0\] = inf"),
    ],
)
def test_numbers_reject_what_is_not_a_rectangular_array_of_real_numbers(values, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_numbers(values, "arg")
    assert_names(info, "arg")


def test_numbers_check_the_number_of_dimensions():
    with pytest.raises(ValueError, match=r"arg must be 2-D, got shape \(3,\)") as info:
        v.as_numbers([1, 2, 3], "arg", ndim=2)
    assert_names(info, "arg")
    with pytest.raises(ValueError, match="arg must be 3-D or 2-D"):
        v.as_numbers([1, 2, 3], "arg", ndim=(3, 2))


def test_numbers_keep_float_dtypes_and_turn_integers_into_float64():
    assert v.as_numbers(np.ones(3, np.float32), "arg").dtype == np.float32
    assert v.as_numbers([1, 2], "arg").dtype == np.float64
    assert v.as_numbers(np.ones(3, np.float32), "arg", dtype=np.float64).dtype == np.float64


def test_numbers_may_let_non_finite_values_through_for_a_kind_that_rules_on_them():
    assert np.isnan(v.as_numbers([np.nan], "arg", finite=False)[0])


# --- as_matrix, as_points ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0, 2.0], r"scores must be 2-D of shape \(m, N\), one row per example"),
        ([[1.0], [2.0]], r"scores must have shape \(m, N\), .*\(at least 2\), got shape \(2, 1\)"),
    ],
)
def test_matrix_has_a_row_per_example_and_a_column_per_class(values, message):
    with pytest.raises(ValueError, match=message) as info:
        v.as_matrix(values, "scores", min_columns=2)
    assert_names(info, "scores")


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (
            np.zeros((4, 3)),
            ValueError,
            r"X must have shape \(n, 2\), one point \(x0, x1\) per row, "
            r"got shape \(4, 3\)",
        ),
        (np.zeros(4), ValueError, r"X must be 2-D of shape \(n, 2\)"),
        ([[0.0, np.nan]], ValueError, r"X must be finite, got X\[0, 1\] = nan"),
        ([["a", "b"]], TypeError, "X must hold real numbers"),
    ],
)
def test_points_are_rows_of_two_finite_coordinates(values, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_points(values)
    assert_names(info, "X")


def test_points_come_back_as_float64():
    assert v.as_points(np.zeros((3, 2), np.float32)).dtype == np.float64


# --- as_labels --------------------------------------------------------------------------


def test_whole_number_floats_are_labels():
    labels = v.as_labels(np.array([0.0, 2.0, 1.0]), n_classes=3)
    np.testing.assert_array_equal(labels, [0, 2, 1])
    assert labels.dtype == np.intp


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([0.0, 1.5], ValueError, r"y must hold whole-number class labels, got y\[1\] = 1.5"),
        ([0.0, np.nan], ValueError, r"y must hold whole-number class labels, got y\[1\] = nan"),
        ([0, -1], ValueError, r"y must hold class labels in 0..2, got y\[1\] = -1"),
        ([0, 3], ValueError, r"y must hold class labels in 0..2, got y\[1\] = 3"),
        (
            [[0, 1]],
            ValueError,
            r"y must have shape \(2,\), one class label per example, "
            r"got shape \(1, 2\)",
        ),
        ([0, 1, 2], ValueError, r"y must have shape \(2,\)"),
        (
            ["0", "1"],
            TypeError,
            r"y must hold class labels \(integers 0, 1, 2, ...\), got an array",
        ),
        ([True, False], TypeError, "dtype bool"),
    ],
)
def test_bad_labels(values, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_labels(values, n_classes=3, length=2)
    assert_names(info, "y")


def test_labels_of_any_shape_and_unknown_count_of_classes():
    assert v.as_labels(2, ndim=None).shape == ()
    assert v.as_labels(np.zeros((2, 3)), ndim=None).shape == (2, 3)
    with pytest.raises(ValueError, match=r"y must hold class labels 0, 1, 2, ..., got y\[0\]"):
        v.as_labels([-2, 0])
    with pytest.raises(ValueError, match=r"y must be 1-D, one class label per point"):
        v.as_labels(np.zeros((2, 3)), per="point")


# --- as_axis, as_logits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "error", "message"),
    [
        (2, ValueError, r"axis must be in -2..1 for z with 2 dimension\(s\), got 2"),
        (-3, ValueError, "axis must be in -2..1"),
        (1.0, TypeError, "axis must be an integer, got 1.0"),
        (True, TypeError, "axis must be an integer, got True"),
    ],
)
def test_bad_axis(axis, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_axis(axis, 2, "z")
    assert_names(info, "axis")


def test_axis_is_made_non_negative():
    assert v.as_axis(-1, 3, "z") == 2 and v.as_axis(np.int64(1), 3, "z") == 1


def test_minus_inf_is_a_mask_of_logits():
    z, axis = v.as_logits([[0.0, -np.inf], [1.0, 2.0]], "z")
    assert axis == 1 and np.isneginf(z[0, 1])


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        ([0.0, np.nan], {}, r"z must not hold NaN, got z\[1\] = nan"),
        ([0.0, np.inf], {}, r"z must not hold \+inf \(-inf masks a class\), got z\[1\] = inf"),
        (
            [[-np.inf, -np.inf], [0.0, 1.0]],
            {},
            r"z must have a finite entry in every slice along "
            r"axis 1 .*, got -inf in every entry of z\[0, :\]",
        ),
        (3.0, {}, "z must have at least one dimension, got the scalar 3.0"),
        ([[1.0, 2.0]], {"axis": 2}, "axis must be in -2..1"),
        ([1.0, 2.0], {"matrix": True}, r"z must be 2-D of shape \(m, N\)"),
    ],
)
def test_bad_logits(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        v.as_logits(values, "z", **kwargs)


# --- as_probabilities, as_probability_rows -----------------------------------------------


@pytest.mark.parametrize(
    ("values", "kwargs", "error", "message"),
    [
        (
            [[0.5, 1.5]],
            {},
            ValueError,
            r"p must hold probabilities in \[0, 1\], got p\[0, 1\] = 1.5; "
            "if these are logits, apply softmax first",
        ),
        ([-0.1, 1.1], {"hint": ""}, ValueError, r"got p\[0\] = -0.1$"),
        ([[0.5, np.nan]], {}, ValueError, r"p must be finite, got p\[0, 1\] = nan"),
        (
            [[0.0, 0.0], [0.5, 0.5]],
            {"nonzero_rows": True},
            ValueError,
            r"p must not have a row of zeros \(each row is divided by its sum\), got all zeros in "
            r"p\[0, :\]",
        ),
        ([0.5, 0.5], {"matrix": True}, ValueError, "p must be 2-D"),
        (0.5, {}, ValueError, "p must have at least one dimension"),
        ([["a"]], {}, TypeError, "p must hold real numbers"),
    ],
)
def test_bad_probabilities(values, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_probabilities(values, "p", **kwargs)
    assert_names(info, "p")


def test_probability_rows_sum_to_one_within_the_tolerance():
    rows = np.array([[0.5, 0.5 + v.ROW_SUM_TOLERANCE / 2]])
    np.testing.assert_array_equal(v.as_probability_rows(rows), rows)
    with pytest.raises(
        ValueError,
        match=r"p must have rows that sum to 1, got p\[1, :\] summing "
        "to 0.9",
    ) as info:
        v.as_probability_rows([[0.5, 0.5], [0.45, 0.45]], "p")
    assert_names(info, "p")


def test_float32_softmax_rows_of_many_classes_are_probability_rows():
    z = np.random.default_rng(0).normal(size=(50, 1000)).astype(np.float32) * 5
    v.as_probability_rows(numerics.softmax(z))


# --- scalars ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        (2.0, {}, TypeError, "n must be an integer, got 2.0"),
        (True, {}, TypeError, "n must be an integer, got True"),
        ("3", {}, TypeError, "n must be an integer, got '3'"),
        (0, {"low": 1}, ValueError, "n must be at least 1, got 0"),
        (9, {"high": 8}, ValueError, "n must be at most 8, got 9"),
        (9, {"low": 1, "high": 8}, ValueError, "n must be between 1 and 8, got 9"),
    ],
)
def test_bad_integers(value, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_int(value, "n", **kwargs)
    assert_names(info, "n")


def test_numpy_integers_are_integers():
    assert v.as_int(np.int64(3), "n", low=1) == 3 and type(v.as_int(np.int64(3), "n")) is int


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        ("0.1", {}, TypeError, "eps must be a number, got '0.1'"),
        (None, {}, TypeError, "eps must be a number, got None"),
        (False, {}, TypeError, "eps must be a number, got False"),
        (np.nan, {}, ValueError, "eps must be a finite number, got nan"),
        (0, {"above": 0}, ValueError, "eps must be a positive, finite number, got 0"),
        (np.inf, {"above": 0}, ValueError, "eps must be a positive, finite number, got inf"),
        (
            0.5,
            {"above": 0, "below": 0.5},
            ValueError,
            "eps must be a number strictly between 0 and 0.5, got 0.5",
        ),
        (2, {"above": 3}, ValueError, "eps must be a finite number greater than 3"),
        (2, {"below": 1}, ValueError, "eps must be a finite number less than 1"),
    ],
)
def test_bad_numbers(value, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_number(value, "eps", **kwargs)
    assert_names(info, "eps")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, ValueError),
        (-1.0, ValueError),
        (np.inf, ValueError),
        (np.nan, ValueError),
        ("1", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_bad_temperatures(value, error):
    with pytest.raises(error, match="T must be a") as info:
        v.as_temperature(value)
    assert_names(info, "T")


def test_temperatures_are_floats():
    assert v.as_temperature(np.float32(0.5)) == 0.5 and v.as_temperature(2) == 2.0


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_bad_flags(value):
    with pytest.raises(TypeError, match="from_logits must be True or False") as info:
        v.as_flag(value, "from_logits")
    assert_names(info, "from_logits")


def test_numpy_bools_are_flags():
    assert v.as_flag(np.bool_(True), "f") is True


# --- every public function: one behaviour per kind of input -------------------------------

M, N_CLASSES = 8, 4
RNG = np.random.default_rng(0)
CENTERS = np.array([[-5.0, 2.0], [-2.0, -2.0], [1.0, 2.0], [5.0, -2.0]])
Y = np.arange(M) % N_CLASSES
X = CENTERS[Y] + RNG.normal(scale=0.5, size=(M, 2))
Z = RNG.normal(size=(M, N_CLASSES)) * 3
P = numerics.softmax(Z)
IMAGES = RNG.uniform(0, 16, size=(M, 64))


def nearest_center(points):
    return -((np.asarray(points)[:, None, :] - CENTERS) ** 2).sum(axis=2)


def recorded_snapshots():
    recorded = snapshots.BoundarySnapshots(X, grid_resolution=8)
    recorded.record(0, nearest_center)
    return recorded


#: Every public function that takes class labels, called with ``y`` in place of its labels.
LABEL_TAKERS = {
    "numerics.one_hot": lambda y: numerics.one_hot(y, N_CLASSES),
    "numerics.sparse_categorical_crossentropy": lambda y: numerics.sparse_categorical_crossentropy(
        y, P
    ),
    "calibration.confidence_and_correct": lambda y: calibration.confidence_and_correct(P, y),
    "calibration.reliability_table": lambda y: calibration.reliability_table(P, y),
    "calibration.expected_calibration_error": lambda y: calibration.expected_calibration_error(
        P, y
    ),
    "calibration.temperature_cross_entropy": lambda y: calibration.temperature_cross_entropy(
        Z, y, 1.0
    ),
    "calibration.fit_temperature": lambda y: calibration.fit_temperature(Z, y),
    "backends.true_class_probabilities": lambda y: backends.true_class_probabilities(P, y),
    "backends.count_at_clip": lambda y: backends.count_at_clip(P, y),
    "backends.below_clip": lambda y: backends.below_clip(Z, y),
    "plots.plot_blobs": lambda y: plots.plot_blobs(X, y),
    "plots.plot_model_outputs": lambda y: plots.plot_model_outputs(P, Z, y=y),
    "digit_plots.plot_digit_probabilities": lambda y: digit_plots.plot_digit_probabilities(
        IMAGES, P, y
    ),
    "digit_widget.digit_frame": lambda y: digit_widget.digit_frame(Z, y, 0),
    "digit_widget.DigitPicker": lambda y: digit_widget.DigitPicker(IMAGES, Z, y),
    "digit_widget.digit_picker": lambda y: digit_widget.digit_picker(IMAGES, Z, y),
    "region_drawing.scatter_classes": lambda y: region_drawing.scatter_classes(X, y),
    "region_drawing.check_labels": lambda y: region_drawing.check_labels(y, len(X)),
    "boundaries.decision_boundary": lambda y: boundaries.decision_boundary(
        nearest_center, X, y, grid_resolution=8
    ),
    "boundaries.unit_maps": lambda y: boundaries.unit_maps(nearest_center, X, y, grid_resolution=8),
    "boundaries.boundaries_over_training": lambda y: boundaries.boundaries_over_training(
        recorded_snapshots(), X, y, [0]
    ),
    "starts.exact_loss_and_accuracy": lambda y: starts.exact_loss_and_accuracy(Z, y),
}

#: Public functions with a labels argument that these rules do not (yet) cover, and why.
LABELS_ELSEWHERE = {
    "numerics.categorical_crossentropy": "its y_true holds target probabilities, not labels",
    "region_drawing.points_description": "describes labels already checked by its callers",
    "region_drawing.circle_mistakes": "circles the labels decision_boundary checked",
    "checks.cost.reference_cost": "a grading reference, called with the exercise's own cases",
    "checks.gradient.reference_gradient": "a grading reference, called with its own cases",
    "checks.exact_loss.reference_exact_loss": "a grading reference, called with its own cases",
    "starts.train_starts": "trains Keras models; checks its labels itself",
    "routes.check_labels_and_order": "train_starts' labels, checked with its batch order",
    "epoch_widget.EpochSlider": "draws the points and labels its snapshots were recorded on",
    "epoch_widget.epoch_slider": "draws the points and labels its snapshots were recorded on",
}

#: Every public function that takes probabilities, called with ``p`` in their place.
PROBABILITY_TAKERS = {
    "numerics.sparse_categorical_crossentropy": lambda p: numerics.sparse_categorical_crossentropy(
        Y, p
    ),
    "numerics.categorical_crossentropy": lambda p: numerics.categorical_crossentropy(
        numerics.one_hot(Y, N_CLASSES), p
    ),
    "calibration.confidence_and_correct": lambda p: calibration.confidence_and_correct(p, Y),
    "calibration.reliability_table": lambda p: calibration.reliability_table(p, Y),
    "calibration.expected_calibration_error": lambda p: calibration.expected_calibration_error(
        p, Y
    ),
    "calibration.calibrated_eces": lambda p: calibration.calibrated_eces(p, draws=10),
    "backends.true_class_probabilities": lambda p: backends.true_class_probabilities(p, Y),
    "backends.count_at_clip": lambda p: backends.count_at_clip(p, Y),
    "plots.plot_model_outputs": lambda p: plots.plot_model_outputs(p, Z),
    "digit_plots.plot_digit_probabilities": lambda p: digit_plots.plot_digit_probabilities(
        IMAGES, p, Y
    ),
    # these two take one example's probabilities: its row of the matrix
    "digit_plots.draw_digit_and_probabilities": lambda p: digit_plots.draw_digit_and_probabilities(
        *plt.subplots(1, 2)[1], IMAGES[0], p[0], 0
    ),
    "digit_plots.update_probability_bars": lambda p: digit_plots.update_probability_bars(
        plt.bar(range(N_CLASSES), P[0]), p[0], 0, plt.title("")
    ),
}

PROBABILITIES_ELSEWHERE = {
    "checks.cost.reference_cost": "a grading reference, called with the exercise's own cases",
    "digit_widget.DigitFrame": "a record of what the picker shows, made from checked input",
    "widgets.readout_html": "formats the sliders' own outputs, checked when they were made",
    "widgets.softmax_description": "describes the sliders' own outputs, checked when made",
}

#: Every public function that takes points of the plane, called with ``X`` in their place.
POINT_TAKERS = {
    "plots.plot_blobs": lambda X: plots.plot_blobs(X, Y),
    "regions.check_points": lambda X: regions.check_points(X),
    "regions.scores_at": lambda X: regions.scores_at(nearest_center, X),
    "region_drawing.scatter_classes": lambda X: region_drawing.scatter_classes(X, Y),
    "boundaries.decision_boundary": lambda X: boundaries.decision_boundary(
        nearest_center, X, Y, grid_resolution=8
    ),
    "boundaries.unit_maps": lambda X: boundaries.unit_maps(nearest_center, X, Y, grid_resolution=8),
    "snapshots.BoundarySnapshots": lambda X: snapshots.BoundarySnapshots(X),
    "boundaries.boundaries_over_training": lambda X: boundaries.boundaries_over_training(
        recorded_snapshots(), X, Y, [0]
    ),
}

POINTS_ELSEWHERE = {
    "region_drawing.circle_mistakes": "circles the points decision_boundary checked",
    "checks.gradient.reference_gradient": "its X holds an exercise's features, not points",
    "epoch_widget.EpochSlider": "draws the points and labels its snapshots were recorded on",
    "epoch_widget.epoch_slider": "draws the points and labels its snapshots were recorded on",
}

#: Modules that import Keras 2 or TensorFlow when loaded: they take none of these inputs.
UNLOADED = {"legacy_lab", "tf_keras_record"}


def public_callables_with(argument_names):
    """``{"module.name"}`` of lab_utils' public functions and classes with one of the args."""
    found = set()
    for info in pkgutil.walk_packages(lab_utils.__path__, "lab_utils."):
        short = info.name.removeprefix("lab_utils.")
        if any(part.startswith("_") for part in short.split(".")) or short in UNLOADED:
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            try:
                parameters = inspect.signature(obj).parameters
            except (TypeError, ValueError):
                continue
            if set(parameters) & argument_names:
                found.add(f"{short}.{name}")
    return found


@pytest.mark.parametrize(
    ("argument_names", "covered", "elsewhere"),
    [
        ({"y", "labels", "y_true"}, LABEL_TAKERS, LABELS_ELSEWHERE),
        ({"probabilities", "y_pred", "a"}, PROBABILITY_TAKERS, PROBABILITIES_ELSEWHERE),
        ({"X", "points"}, POINT_TAKERS, POINTS_ELSEWHERE),
    ],
    ids=["labels", "probabilities", "points"],
)
def test_every_public_function_taking_the_input_is_listed(argument_names, covered, elsewhere):
    found = public_callables_with(argument_names)
    assert found == set(covered) | set(elsewhere)


BAD_LABELS = {
    "non-integral floats": (lambda y: y + 0.5, ValueError),
    "2-D": (lambda y: np.stack([y, y], axis=1), ValueError),
    "negative": (lambda y: y - 1, ValueError),
    "NaN": (lambda y: np.where(y == 1, np.nan, y), ValueError),
    "one label too few": (lambda y: y[:-1], ValueError),
    "strings": (lambda y: y.astype(str), TypeError),
    "booleans": (lambda y: y > 1, TypeError),
}
#: one_hot takes labels of any shape: a 2-D or shorter array is labels too
LABELS_OF_ANY_SHAPE = {"numerics.one_hot"}


@pytest.mark.parametrize("bad", BAD_LABELS)
@pytest.mark.parametrize("taker", LABEL_TAKERS)
def test_bad_labels_raise_the_same_error_everywhere(taker, bad):
    make, error = BAD_LABELS[bad]
    if taker in LABELS_OF_ANY_SHAPE and bad in ("2-D", "one label too few"):
        pytest.skip("labels of any shape are right here")
    with pytest.raises(error, match=r"\by(_true)?\b|labels"):
        LABEL_TAKERS[taker](make(Y))


def assert_same_result(a, b):
    """Equal arrays, or figures with the same description, or pickers showing the same frame."""
    if isinstance(a, digit_widget.DigitPicker):
        a, b = a.frame, b.frame
    if isinstance(a, tuple) and isinstance(a[0], plt.Figure):
        assert alt_text(a[0]) == alt_text(b[0])
    elif isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            assert_same_result(x, y)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("taker", LABEL_TAKERS)
def test_whole_number_float_labels_mean_what_integer_labels_do(taker):
    assert_same_result(LABEL_TAKERS[taker](Y.astype(float)), LABEL_TAKERS[taker](Y))


def with_entry(value):
    def make(p):
        p = p.copy()
        p[1, 2] = value
        return p

    return make


BAD_PROBABILITIES = {
    "NaN": (with_entry(np.nan), ValueError),
    "above 1": (with_entry(1.5), ValueError),
    "negative": (with_entry(-0.25), ValueError),
    "+inf": (with_entry(np.inf), ValueError),
    "strings": (lambda p: p.astype(str), TypeError),
    "booleans": (lambda p: p > 0.5, TypeError),
}


@pytest.mark.parametrize("bad", BAD_PROBABILITIES)
@pytest.mark.parametrize("taker", PROBABILITY_TAKERS)
def test_bad_probabilities_raise_the_same_error_everywhere(taker, bad):
    make, error = BAD_PROBABILITIES[bad]
    p = make(P)
    if taker.endswith(("draw_digit_and_probabilities", "update_probability_bars")):
        p = np.roll(p, -1, axis=0)  # their row 0 must hold the bad entry
    with pytest.raises(error, match=r"probabilities|y_pred"):
        PROBABILITY_TAKERS[taker](p)


def test_a_probability_matrix_is_two_dimensional_wherever_a_matrix_is_expected():
    matrix_takers = [
        name
        for name in PROBABILITY_TAKERS
        if name.split(".")[0] in ("calibration", "backends", "plots", "digit_plots")
        and not name.endswith(("draw_digit_and_probabilities", "update_probability_bars"))
    ]
    for name in matrix_takers:
        with pytest.raises(ValueError, match="probabilities must be 2-D"):
            PROBABILITY_TAKERS[name](P[:, :, None])


BAD_POINTS = {
    "NaN": (lambda X: np.where(X == X[1, 0], np.nan, X), ValueError),
    "inf": (lambda X: np.where(X == X[1, 0], np.inf, X), ValueError),
    "three columns": (lambda X: np.c_[X, X[:, :1]], ValueError),
    "1-D": (lambda X: X[:, 0], ValueError),
    "ragged": (lambda X: [list(X[0]), list(X[1, :1])], ValueError),
    "empty": (lambda X: X[:0], ValueError),
    "strings": (lambda X: X.astype(str), TypeError),
}


@pytest.mark.parametrize("bad", BAD_POINTS)
@pytest.mark.parametrize("taker", POINT_TAKERS)
def test_bad_points_raise_the_same_error_everywhere(taker, bad):
    make, error = BAD_POINTS[bad]
    with pytest.raises(error, match=r"\b(X|points) must"):
        POINT_TAKERS[taker](make(X))
