"""The numerics contract: stable, exact where it can be, and loud about bad input."""

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lab_utils import numerics as nx

FLOATS = (np.float16, np.float32, np.float64)


def finite_arrays(dtype=np.float64, min_side=1, max_dims=3):
    """Any finite array: huge, tiny, subnormal, spread over the whole float range."""
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=min_side, max_side=6),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=np.finfo(dtype).bits),
    )


def ulps_from_one(total):
    total = np.asarray(total)
    return np.abs(total.astype(np.float64) - 1) / np.finfo(total.dtype).eps


# --- softmax ---------------------------------------------------------------------

#: Every property holds for both: the readable softmax and the precise one.
SOFTMAXES = pytest.mark.parametrize(
    "softmax", [nx.softmax, nx.precise_softmax], ids=["softmax", "precise_softmax"]
)


def test_softmax_is_the_three_lines_of_notebook_01():
    z = np.random.default_rng(0).normal(size=(50, 4)).astype(np.float32) * 30
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    np.testing.assert_array_equal(nx.softmax(z), e / np.sum(e, axis=-1, keepdims=True))


@settings(max_examples=200, deadline=None)
@given(z=finite_arrays(np.float64) | finite_arrays(np.float32))
def test_softmax_and_precise_softmax_agree_to_rounding(z):
    np.testing.assert_allclose(
        nx.softmax(z),
        nx.precise_softmax(z),
        rtol=1e-5 if z.dtype == np.float32 else 1e-12,
        atol=1e-30,
    )


@SOFTMAXES
def test_softmax_of_the_lab_example(softmax):
    a = softmax(np.array([1.0, 2.0, 3.0, 4.0]))
    e = np.exp([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(a, e / e.sum(), rtol=1e-15)


@SOFTMAXES
@settings(max_examples=300, deadline=None)
@given(z=finite_arrays(np.float64) | finite_arrays(np.float32), axis=st.integers(-3, 2))
def test_softmax_is_a_probability_vector_for_any_finite_input(softmax, z, axis):
    axis = axis % z.ndim
    a = softmax(z, axis=axis)
    assert a.dtype == z.dtype and a.shape == z.shape
    assert np.isfinite(a).all() and (a >= 0).all() and (a <= 1).all()
    assert ulps_from_one(a.sum(axis=axis)).max() <= 4


@SOFTMAXES
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # scipy's, not ours
@settings(max_examples=200, deadline=None)
@given(z=finite_arrays(np.float64))
def test_softmax_matches_scipy(softmax, z):
    np.testing.assert_allclose(
        softmax(z), scipy.special.softmax(z, axis=-1), rtol=1e-12, atol=1e-300
    )


@SOFTMAXES
@settings(max_examples=200, deadline=None)
@given(z=finite_arrays(np.float64), shift=st.floats(-1e3, 1e3))
def test_softmax_ignores_a_common_shift(softmax, z, shift):
    z = np.clip(z, -1e300, 1e300)  # keep z + shift finite
    np.testing.assert_allclose(softmax(z + shift), softmax(z), atol=1e-9)


@SOFTMAXES
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_keeps_float_dtypes(softmax, dtype):
    assert softmax(np.array([1, 2, 3], dtype=dtype)).dtype == dtype


@SOFTMAXES
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint16])
def test_softmax_turns_integers_into_float64(softmax, dtype):
    a = softmax(np.array([1, 2, 3], dtype=dtype))
    assert a.dtype == np.float64
    np.testing.assert_allclose(a, softmax([1.0, 2.0, 3.0]))


@SOFTMAXES
def test_softmax_accepts_lists(softmax):
    np.testing.assert_allclose(softmax([[0, 0], [0, np.log(3)]]), [[0.5, 0.5], [0.25, 0.75]])


@SOFTMAXES
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_survives_the_extremes_of_the_float_range(softmax, dtype):
    big = np.finfo(dtype).max
    a = softmax(np.array([big, -big, big, 0], dtype=dtype))
    np.testing.assert_array_equal(a, np.array([0.5, 0, 0.5, 0], dtype=dtype))


@SOFTMAXES
def test_softmax_resolves_near_ties_of_huge_numbers(softmax):
    z = np.array([1e4, np.nextafter(1e4, np.inf)])
    a = softmax(z)
    assert a[1] > a[0] and a.sum() == 1


@SOFTMAXES
def test_softmax_along_axis_0_softmaxes_columns(softmax):
    z = np.array([[1.0, 5.0], [2.0, 5.0]])
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T)


@SOFTMAXES
def test_minus_inf_is_a_mask_with_probability_exactly_zero(softmax):
    a = softmax(np.array([[0.0, -np.inf, 0.0], [-np.inf, 5.0, -np.inf]]))
    np.testing.assert_array_equal(a, [[0.5, 0, 0.5], [0, 1, 0]])


# --- log_softmax, logsumexp --------------------------------------------------------


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # scipy's, not ours
@settings(max_examples=200, deadline=None)
@given(z=finite_arrays(np.float64))
def test_logsumexp_matches_scipy(z):
    np.testing.assert_allclose(nx.logsumexp(z), scipy.special.logsumexp(z, axis=-1), rtol=1e-13)


@settings(max_examples=200, deadline=None)
@given(z=finite_arrays(np.float64, max_dims=2))
def test_log_softmax_is_log_of_softmax_where_that_is_representable(z):
    a, log_a = nx.softmax(z), nx.log_softmax(z)
    visible = a > 1e-300
    np.testing.assert_allclose(np.exp(log_a[visible]), a[visible], rtol=1e-9)
    assert (log_a <= 0).all()


def test_log_softmax_stays_exact_where_softmax_underflows():
    log_a = nx.log_softmax(np.array([0.0, -2000.0]))
    assert nx.softmax(np.array([0.0, -2000.0]))[1] == 0
    assert log_a[1] == pytest.approx(-2000.0, rel=1e-15)


def test_logsumexp_keepdims_and_masks():
    z = np.array([[0.0, -np.inf], [np.log(2), np.log(2)]])
    np.testing.assert_allclose(nx.logsumexp(z), [0.0, np.log(4)])
    assert nx.logsumexp(z, keepdims=True).shape == (2, 1)
    assert nx.log_softmax(z)[0, 1] == -np.inf


@pytest.mark.parametrize("dtype", FLOATS)
def test_log_functions_keep_float_dtypes(dtype):
    z = np.array([1, 2, 3], dtype=dtype)
    assert nx.log_softmax(z).dtype == dtype
    assert nx.logsumexp(z).dtype == dtype


# --- accuracy against an exact reference (mpmath) ------------------------------------


def exact_softmax(row):
    """Exact softmax and log_softmax of one row, as mpmath numbers at 256 bits."""
    mpmath.mp.prec = 256
    values = [mpmath.mpf(float(v)) for v in row]
    top = max(values)
    shifted = [v - top for v in values]
    e = [mpmath.exp(d) if d > -1e5 else mpmath.mpf(0) for d in shifted]  # below: 0 anyway
    at_top = values.index(top)
    rest = mpmath.fsum(e[:at_top] + e[at_top + 1 :])
    return [x / (1 + rest) for x in e], [d - mpmath.log1p(rest) for d in shifted]


def ulps_off(got, exact, dtype):
    """Largest distance of ``got`` from ``exact``, in ulps of ``dtype`` at the exact value."""
    worst = 0.0
    for value, x in zip(got, exact, strict=True):
        with np.errstate(over="ignore"):
            nearest = dtype(float(x))  # +-inf beyond the float range
        if np.isinf(nearest):
            worst = max(worst, 0.0 if abs(value) >= np.finfo(dtype).max else np.inf)
            continue
        with np.errstate(over="ignore"):
            ulp = np.spacing(np.abs(nearest))
        if np.isinf(ulp):  # at the largest float: the gap below it
            ulp = np.abs(nearest) - np.nextafter(np.abs(nearest), dtype(0))
        ulp = mpmath.mpf(float(ulp))
        worst = max(worst, float(abs(mpmath.mpf(float(value)) - x) / ulp))
    return worst


def rows(dtype, elements):
    return hnp.arrays(dtype, st.integers(1, 8), elements=elements)


def any_finite(dtype):
    return st.floats(allow_nan=False, allow_infinity=False, width=np.finfo(dtype).bits)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_within_4_ulps_of_exact_for_inputs_in_minus_1_to_1(dtype, data):
    z = data.draw(rows(dtype, st.floats(-1, 1, width=np.finfo(dtype).bits)))
    a, log_a = exact_softmax(z)
    assert ulps_off(nx.precise_softmax(z), a, dtype) <= 4
    assert ulps_off(nx.log_softmax(z), log_a, dtype) <= 4


@settings(max_examples=60, deadline=None)
@given(z=rows(np.float64, any_finite(np.float64)) | rows(np.float64, st.floats(-750, 750)))
def test_float64_within_4_ulps_of_exact_for_any_finite_input(z):
    a, log_a = exact_softmax(z)
    assert ulps_off(nx.precise_softmax(z), a, np.float64) <= 4
    assert ulps_off(nx.log_softmax(z), log_a, np.float64) <= 4


@settings(max_examples=60, deadline=None)
@given(
    z=rows(np.float32, any_finite(np.float32)) | rows(np.float32, st.floats(-110, 110, width=32))
)
def test_float32_results_are_correctly_rounded(z):
    """Computed in float64 and rounded once: half an ulp (plus a double rounding's hair)."""
    a, log_a = exact_softmax(z)
    assert ulps_off(nx.precise_softmax(z), a, np.float32) <= 0.5 + 1e-6
    assert ulps_off(nx.log_softmax(z), log_a, np.float32) <= 0.5 + 1e-6


def test_rounding_of_z_minus_max_is_carried_along():
    """z - max(z) = -612.9... is rounded in float64; exp() would turn that into ~300 ulps."""
    z = np.array([12.3, -600.7])
    a, log_a = exact_softmax(z)
    assert ulps_off(scipy.special.softmax(z), a, np.float64) > 100  # the textbook way
    assert ulps_off(nx.precise_softmax(z), a, np.float64) <= 1
    assert ulps_off(nx.log_softmax(z), log_a, np.float64) <= 1


def test_log_softmax_of_a_dominant_entry_keeps_its_digits():
    """log(1 + 1e-20) rounds to 0; the exact -1e-20 is what log1p of the rest gives."""
    z = np.array([0.0, -46.0517])
    a, log_a = exact_softmax(z)
    assert scipy.special.log_softmax(z)[0] == 0.0
    assert ulps_off(nx.log_softmax(z), log_a, np.float64) <= 1
    assert (
        ulps_off(nx.logsumexp(z, keepdims=True), [mpmath.log1p(mpmath.exp(-46.0517))], np.float64)
        <= 1
    )


# --- every bad input is named ------------------------------------------------------


@pytest.mark.parametrize("f", [nx.softmax, nx.precise_softmax, nx.log_softmax, nx.logsumexp])
@pytest.mark.parametrize(
    ("z", "error", "message"),
    [
        ([1.0, np.nan, 3.0], ValueError, r"z must not hold NaN, got z\[1\] = nan"),
        ([[1.0, 2.0], [np.inf, 0.0]], ValueError, r"z must not hold \+inf .*, got z\[1, 0\] = inf"),
        ([[1.0, 2.0], [-np.inf, -np.inf]], ValueError, r"-inf in every entry of z\[1, :\]"),
        ([-np.inf, -np.inf], ValueError, r"-inf in every entry of z\[:\]"),
        ([], ValueError, r"z must not be empty, got shape \(0,\)"),
        (np.zeros((3, 0)), ValueError, r"z must not be empty"),
        (3.0, ValueError, "z must have at least one dimension"),
        ([[1.0, 2.0], [3.0]], ValueError, "z must be a rectangular array of real numbers"),
        # not numbers at all: the wrong kind of argument
        (["a", "b"], TypeError, "z must hold real numbers, got an array of dtype <U1"),
        ([1 + 2j], TypeError, "z must hold real numbers"),
        ([True, False], TypeError, "z must hold real numbers, got an array of dtype bool"),
        ([None, 1.0], TypeError, "z must hold real numbers, got an array of dtype object"),
    ],
)
def test_bad_logits_raise_a_named_error(f, z, error, message):
    with pytest.raises(error, match=message):
        f(z)


def test_all_minus_inf_column_is_reported_along_axis_0():
    z = np.array([[1.0, -np.inf], [2.0, -np.inf]])
    with pytest.raises(ValueError, match=r"-inf in every entry of z\[:, 1\]"):
        nx.softmax(z, axis=0)


@pytest.mark.parametrize(
    ("axis", "error"),
    [(2, ValueError), (-3, ValueError), (1.0, TypeError), ("0", TypeError), (True, TypeError)],
)
def test_bad_axis(axis, error):
    with pytest.raises(error, match="axis"):
        nx.softmax(np.zeros((2, 3)), axis=axis)


# --- one_hot -------------------------------------------------------------------------


def test_one_hot():
    np.testing.assert_array_equal(nx.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert nx.one_hot(np.array([[1], [0]]), 2).shape == (2, 1, 2)
    np.testing.assert_array_equal(nx.one_hot(np.array([1.0]), 2), [[0, 1]])


@pytest.mark.parametrize(
    ("y", "num_classes", "error", "message"),
    [
        ([0, 4, 1], 4, ValueError, r"y must hold class labels in 0..3, got y\[1\] = 4"),
        ([0, -1], 4, ValueError, r"y must hold class labels in 0..3, got y\[1\] = -1"),
        ([0.0, 1.5], 4, ValueError, r"y must hold whole-number class labels, got y\[1\] = 1.5"),
        ([0.0, np.nan], 4, ValueError, r"y\[1\] = nan"),
        ([0, 1], 0, ValueError, "num_classes must be at least 1"),
        ([0, 1], 2.0, TypeError, "num_classes must be an integer"),
        (["0"], 2, TypeError, "y must hold class labels"),
    ],
)
def test_one_hot_rejects_bad_labels(y, num_classes, error, message):
    with pytest.raises(error, match=message):
        nx.one_hot(y, num_classes)


# --- cross-entropy -------------------------------------------------------------------

P = np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.1, 0.1, 0.7]])
Y = np.array([0, 2])


def test_sparse_loss_is_minus_log_of_the_target_probability():
    loss = nx.sparse_categorical_crossentropy(Y, P)
    np.testing.assert_allclose(loss, -np.log([0.7, 0.1]), rtol=1e-6)


def test_sparse_and_categorical_agree():
    np.testing.assert_allclose(
        nx.sparse_categorical_crossentropy(Y, P),
        nx.categorical_crossentropy(nx.one_hot(Y, 4), P),
        rtol=1e-6,
    )
    z = np.log(P + 0.01)
    np.testing.assert_allclose(
        nx.sparse_categorical_crossentropy(Y, z, from_logits=True),
        nx.categorical_crossentropy(nx.one_hot(Y, 4), z, from_logits=True),
    )


def test_probabilities_are_clipped_like_keras():
    """-log(1e-7) = 16.118...: the most a loss from probabilities can say."""
    logits = np.array([[30.0, 0.0, -30.0, 0.0]], dtype=np.float32)
    from_probs = nx.sparse_categorical_crossentropy([2], nx.softmax(logits))
    from_logits = nx.sparse_categorical_crossentropy([2], logits, from_logits=True)
    assert from_probs[0] == pytest.approx(-np.log(np.float32(1e-7)), rel=1e-6)
    assert from_logits[0] == pytest.approx(60.0, rel=1e-6)
    assert from_probs.dtype == np.float32


def test_logits_loss_is_exact_for_huge_logits():
    loss = nx.sparse_categorical_crossentropy([1], [[1e4, -1e4]], from_logits=True)
    assert loss[0] == 2e4


def test_a_single_example_may_have_a_scalar_label():
    np.testing.assert_array_equal(nx.one_hot(2, 3), [0, 0, 1])
    loss = nx.sparse_categorical_crossentropy(2, [0.1, 0.2, 0.7])
    assert loss.shape == () and loss == pytest.approx(-np.log(0.7))


def test_sparse_accepts_a_trailing_label_axis():
    np.testing.assert_allclose(
        nx.sparse_categorical_crossentropy(Y[:, None], P), nx.sparse_categorical_crossentropy(Y, P)
    )


def test_masked_class_costs_nothing_when_not_the_target():
    z = np.array([[0.0, -np.inf]])
    assert nx.categorical_crossentropy([[1.0, 0.0]], z, from_logits=True)[0] == 0
    assert nx.sparse_categorical_crossentropy([1], z, from_logits=True)[0] == np.inf


@pytest.mark.parametrize(
    ("y_true", "y_pred", "from_logits", "message"),
    [
        ([0, 4], P, False, r"y_true must hold class labels in 0..3, got y_true\[1\] = 4"),
        ([0, 2.5], P, False, r"y_true must hold whole-number class labels, got y_true\[1\] = 2.5"),
        (
            [0, 1, 2],
            P,
            False,
            r"y_true must have shape \(2,\), .* \(shape \(2, 4\)\), got shape \(3,\)",
        ),
        (nx.one_hot(Y, 4), P, False, "y_true looks one-hot: use categorical_crossentropy"),
        (
            Y,
            P * 3,
            False,
            r"y_pred must hold probabilities in \[0, 1\], got y_pred\[0, 0\] = 2.1; "
            "if these are logits, pass from_logits=True",
        ),
        (
            Y,
            [[0.5, np.nan, 0.5, 0.0], P[1]],
            False,
            r"y_pred must be finite, got y_pred\[0, 1\] = nan",
        ),
        (
            Y,
            [[0.0, np.inf, 0.0, 0.0], P[1]],
            True,
            r"y_pred must not hold \+inf .*y_pred\[0, 1\] = inf",
        ),
        ([], P, False, "y_true must not be empty"),
    ],
)
def test_sparse_rejects_bad_input(y_true, y_pred, from_logits, message):
    with pytest.raises(ValueError, match=message):
        nx.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        (
            Y,
            P,
            r"y_true must have the shape of y_pred, \(2, 4\), got shape \(2,\); y_true looks "
            "like integer labels",
        ),
        (
            nx.one_hot(Y, 3),
            P,
            r"y_true must have the shape of y_pred, \(2, 4\), got shape \(2, 3\)$",
        ),
        (
            [[2.0, 0, 0, 0], [0, 0, 1, 0]],
            P,
            r"y_true must hold probabilities in \[0, 1\], got "
            r"y_true\[0, 0\] = 2",
        ),
        (
            nx.one_hot(Y, 4),
            [[0, 0, 0, 0], P[1]],
            r"y_pred must not have a row of zeros .* y_pred\[0, :\]",
        ),
    ],
)
def test_categorical_rejects_bad_input(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        nx.categorical_crossentropy(y_true, y_pred)


def test_from_logits_must_be_a_bool():
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        nx.sparse_categorical_crossentropy(Y, P, from_logits="yes")


# --- agreement with keras.losses (imports TensorFlow: kept to a few tests) --------------


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@settings(max_examples=40, deadline=None)
@given(
    z=hnp.arrays(np.float32, (5, 4), elements=st.floats(-40, 40, width=32)),
    y=hnp.arrays(np.int64, (5,), elements=st.integers(0, 3)),
)
def test_losses_agree_with_keras(keras, z, y):
    p = nx.softmax(z)
    onehot = nx.one_hot(y, 4).astype(np.float32)
    cases = [
        (
            nx.sparse_categorical_crossentropy(y, z, from_logits=True),
            keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True),
        ),
        (
            nx.sparse_categorical_crossentropy(y, p),
            keras.losses.sparse_categorical_crossentropy(y, p),
        ),
        (
            nx.categorical_crossentropy(onehot, z, from_logits=True),
            keras.losses.categorical_crossentropy(onehot, z, from_logits=True),
        ),
        (nx.categorical_crossentropy(onehot, p), keras.losses.categorical_crossentropy(onehot, p)),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-6, atol=1e-6)
