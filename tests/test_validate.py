"""One rule per kind of input: lab_utils._validate."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lab_utils import _validate as v
from lab_utils import numerics


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


@pytest.mark.parametrize(("values", "error", "message"), [
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
])
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


@pytest.mark.parametrize(("values", "message"), [
    ([1.0, 2.0], r"scores must be 2-D of shape \(m, N\), one row per example"),
    ([[1.0], [2.0]], r"scores must have shape \(m, N\), .*\(at least 2\), got shape \(2, 1\)"),
])
def test_matrix_has_a_row_per_example_and_a_column_per_class(values, message):
    with pytest.raises(ValueError, match=message) as info:
        v.as_matrix(values, "scores", min_columns=2)
    assert_names(info, "scores")


@pytest.mark.parametrize(("values", "error", "message"), [
    (np.zeros((4, 3)), ValueError, r"X must have shape \(n, 2\), one point \(x0, x1\) per row, "
                                   r"got shape \(4, 3\)"),
    (np.zeros(4), ValueError, r"X must be 2-D of shape \(n, 2\)"),
    ([[0.0, np.nan]], ValueError, r"X must be finite, got X\[0, 1\] = nan"),
    ([["a", "b"]], TypeError, "X must hold real numbers"),
])
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


@pytest.mark.parametrize(("values", "error", "message"), [
    ([0.0, 1.5], ValueError, r"y must hold whole-number class labels, got y\[1\] = 1.5"),
    ([0.0, np.nan], ValueError, r"y must hold whole-number class labels, got y\[1\] = nan"),
    ([0, -1], ValueError, r"y must hold class labels in 0..2, got y\[1\] = -1"),
    ([0, 3], ValueError, r"y must hold class labels in 0..2, got y\[1\] = 3"),
    ([[0, 1]], ValueError, r"y must have shape \(2,\), one class label per example, "
                           r"got shape \(1, 2\)"),
    ([0, 1, 2], ValueError, r"y must have shape \(2,\)"),
    (["0", "1"], TypeError, r"y must hold class labels \(integers 0, 1, 2, ...\), got an array"),
    ([True, False], TypeError, "dtype bool"),
])
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


@pytest.mark.parametrize(("axis", "error", "message"), [
    (2, ValueError, r"axis must be in -2..1 for z with 2 dimension\(s\), got 2"),
    (-3, ValueError, "axis must be in -2..1"),
    (1.0, TypeError, "axis must be an integer, got 1.0"),
    (True, TypeError, "axis must be an integer, got True"),
])
def test_bad_axis(axis, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_axis(axis, 2, "z")
    assert_names(info, "axis")


def test_axis_is_made_non_negative():
    assert v.as_axis(-1, 3, "z") == 2 and v.as_axis(np.int64(1), 3, "z") == 1


def test_minus_inf_is_a_mask_of_logits():
    z, axis = v.as_logits([[0.0, -np.inf], [1.0, 2.0]], "z")
    assert axis == 1 and np.isneginf(z[0, 1])


@pytest.mark.parametrize(("values", "kwargs", "message"), [
    ([0.0, np.nan], {}, r"z must not hold NaN, got z\[1\] = nan"),
    ([0.0, np.inf], {}, r"z must not hold \+inf \(-inf masks a class\), got z\[1\] = inf"),
    ([[-np.inf, -np.inf], [0.0, 1.0]], {}, r"z must have a finite entry in every slice along "
                                           r"axis 1 .*, got -inf in every entry of z\[0, :\]"),
    (3.0, {}, "z must have at least one dimension, got the scalar 3.0"),
    ([[1.0, 2.0]], {"axis": 2}, "axis must be in -2..1"),
    ([1.0, 2.0], {"matrix": True}, r"z must be 2-D of shape \(m, N\)"),
])
def test_bad_logits(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        v.as_logits(values, "z", **kwargs)


# --- as_probabilities, as_probability_rows -----------------------------------------------


@pytest.mark.parametrize(("values", "kwargs", "error", "message"), [
    ([[0.5, 1.5]], {}, ValueError, r"p must hold probabilities in \[0, 1\], got p\[0, 1\] = 1.5; "
                                   "if these are logits, apply softmax first"),
    ([-0.1, 1.1], {"hint": ""}, ValueError, r"got p\[0\] = -0.1$"),
    ([[0.5, np.nan]], {}, ValueError, r"p must be finite, got p\[0, 1\] = nan"),
    ([[0.0, 0.0], [0.5, 0.5]], {"nonzero_rows": True}, ValueError,
     r"p must not have a row of zeros \(each row is divided by its sum\), got all zeros in "
     r"p\[0, :\]"),
    ([0.5, 0.5], {"matrix": True}, ValueError, "p must be 2-D"),
    (0.5, {}, ValueError, "p must have at least one dimension"),
    ([["a"]], {}, TypeError, "p must hold real numbers"),
])
def test_bad_probabilities(values, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_probabilities(values, "p", **kwargs)
    assert_names(info, "p")


def test_probability_rows_sum_to_one_within_the_tolerance():
    rows = np.array([[0.5, 0.5 + v.ROW_SUM_TOLERANCE / 2]])
    np.testing.assert_array_equal(v.as_probability_rows(rows), rows)
    with pytest.raises(ValueError, match=r"p must have rows that sum to 1, got p\[1, :\] summing "
                                         "to 0.9") as info:
        v.as_probability_rows([[0.5, 0.5], [0.45, 0.45]], "p")
    assert_names(info, "p")


def test_float32_softmax_rows_of_many_classes_are_probability_rows():
    z = np.random.default_rng(0).normal(size=(50, 1000)).astype(np.float32) * 5
    v.as_probability_rows(numerics.softmax(z))


# --- scalars ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    (2.0, {}, TypeError, "n must be an integer, got 2.0"),
    (True, {}, TypeError, "n must be an integer, got True"),
    ("3", {}, TypeError, "n must be an integer, got '3'"),
    (0, {"low": 1}, ValueError, "n must be at least 1, got 0"),
    (9, {"high": 8}, ValueError, "n must be at most 8, got 9"),
    (9, {"low": 1, "high": 8}, ValueError, "n must be between 1 and 8, got 9"),
])
def test_bad_integers(value, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_int(value, "n", **kwargs)
    assert_names(info, "n")


def test_numpy_integers_are_integers():
    assert v.as_int(np.int64(3), "n", low=1) == 3 and type(v.as_int(np.int64(3), "n")) is int


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    ("0.1", {}, TypeError, "eps must be a number, got '0.1'"),
    (None, {}, TypeError, "eps must be a number, got None"),
    (False, {}, TypeError, "eps must be a number, got False"),
    (np.nan, {}, ValueError, "eps must be a finite number, got nan"),
    (0, {"above": 0}, ValueError, "eps must be a positive, finite number, got 0"),
    (np.inf, {"above": 0}, ValueError, "eps must be a positive, finite number, got inf"),
    (0.5, {"above": 0, "below": 0.5}, ValueError, "eps must be a number strictly between 0 and "
                                                  "0.5, got 0.5"),
    (2, {"above": 3}, ValueError, "eps must be a finite number greater than 3"),
    (2, {"below": 1}, ValueError, "eps must be a finite number less than 1"),
])
def test_bad_numbers(value, kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        v.as_number(value, "eps", **kwargs)
    assert_names(info, "eps")


@pytest.mark.parametrize(("value", "error"), [
    (0, ValueError), (-1.0, ValueError), (np.inf, ValueError), (np.nan, ValueError),
    ("1", TypeError), (True, TypeError), (None, TypeError),
])
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
