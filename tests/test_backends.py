"""lab_utils.backends: counting the examples at Keras' clip (pure NumPy, no Keras)."""

import numpy as np
import pytest

from lab_utils.backends import (
    EPSILON,
    ClipCount,
    below_clip,
    count_at_clip,
    true_class_probabilities,
)

P = np.array(
    [
        [1.0, 0.0, 0.0],  # true class 0 at 1: above the clip
        [1e-8, 0.5, 0.5 - 1e-8],  # true class 0 at 1e-8: below
        [0.2, 0.3, 0.5],  # true class 2 at 0.5: inside
        [0.0, 1.0, 0.0],
    ],
    dtype=np.float32,
)  # true class 0 at 0: below
Y = np.array([0, 0, 2, 0])


def test_true_class_probabilities_picks_each_rows_label():
    np.testing.assert_array_equal(true_class_probabilities(P, Y), P[[0, 1, 2, 3], [0, 0, 2, 0]])


def test_rows_are_divided_by_their_sum_as_keras_does_before_clipping():
    # 0.99999988 is not above float32's 1 - 1e-7, but divided by its row's sum it is
    p = np.array([[0.99999988, 6e-8, 0.0]], dtype=np.float32)
    assert p[0, 0] == np.float32(1 - 1e-7)
    assert true_class_probabilities(p, np.array([0]))[0] > np.float32(1 - 1e-7)
    assert count_at_clip(p, np.array([0])) == ClipCount(below=0, above=1)
    np.testing.assert_allclose(
        true_class_probabilities(np.array([[0.2, 0.6]]), np.array([1])), [0.75]
    )


def test_count_at_clip_counts_each_end():
    count = count_at_clip(P, Y)
    assert count == ClipCount(below=2, above=1)
    assert count.total == 3


def test_the_clip_ends_are_keras_epsilon_and_exclusive():
    p = np.array([[EPSILON, 1 - EPSILON], [1 - EPSILON, EPSILON]])  # exactly at the ends
    assert count_at_clip(p, np.array([0, 0])) == ClipCount(0, 0)
    assert count_at_clip(p, np.array([0, 0]), epsilon=1e-6) == ClipCount(1, 1)


def test_count_agrees_with_the_loss_keras_computes():
    # an example below the clip costs exactly -log(epsilon), one above it about epsilon
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=20, size=(500, 4))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, size=500)
    p_true = np.clip(true_class_probabilities(p, y), EPSILON, 1 - EPSILON)
    count = count_at_clip(p, y)
    assert 0 < count.below < 500 and 0 < count.above < 500
    assert np.sum(-np.log(p_true) == -np.log(EPSILON)) == count.below


@pytest.mark.parametrize(
    "probabilities, message",
    [
        (np.array([0.5, 0.5]), "2-D"),
        (np.array([[1.0], [1.0]]), r"one column per class \(at least 2\)"),
        (
            np.array([[2.0, -1.0], [0.5, 0.5]]),
            r"in \[0, 1\], got probabilities\[0, 0\] = 2; if these "
            "are logits",
        ),
        (np.array([[np.nan, 0.5], [0.5, 0.5]]), r"finite, got probabilities\[0, 0\] = nan"),
        (np.array([[0.0, 0.0], [0.5, 0.5]]), r"row of zeros .*probabilities\[0, :\]"),
    ],
)
def test_bad_probabilities_are_named(probabilities, message):
    with pytest.raises(ValueError, match=f"probabilities must.*{message}"):
        count_at_clip(probabilities, np.array([0, 1]))


def test_integer_probabilities_count_like_floats():
    p = np.array([[1, 0], [0, 1]])
    assert count_at_clip(p, np.array([0, 0])) == count_at_clip(p.astype(float), np.array([0, 0]))


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 1, 1]), r"shape \(2,\), one class label per row of probabilities"),
        (np.array([0.0, 1.5]), r"whole-number class labels, got labels\[1\] = 1.5"),
        (np.array([[0], [1]]), "one class label per row"),
        (np.array([0, 2]), r"class labels in 0\.\.1, got labels\[1\] = 2"),
        (np.array([-1, 0]), r"class labels in 0\.\.1, got labels\[0\] = -1"),
    ],
)
def test_bad_labels_are_named(labels, message):
    with pytest.raises(ValueError, match=f"labels must.*{message}"):
        count_at_clip(np.array([[0.5, 0.5], [0.5, 0.5]]), labels)


@pytest.mark.parametrize("epsilon", [0, -1e-7, 0.5, 1.0, np.nan])
def test_bad_epsilon_is_named(epsilon):
    with pytest.raises(ValueError, match="epsilon must be a number strictly between 0 and 0.5"):
        count_at_clip(P, Y, epsilon=epsilon)


@pytest.mark.parametrize("epsilon", [True, "1e-7", None])
def test_an_epsilon_that_is_not_a_number_is_a_type_error(epsilon):
    with pytest.raises(TypeError, match="epsilon must be a number"):
        count_at_clip(P, Y, epsilon=epsilon)


def test_below_clip_is_exact_where_a_float32_softmax_rounds_to_zero():
    logits = np.array(
        [
            [30.0, 0.0, -30.0, 0.0],  # class 2: p = e^-60, below 1e-7
            [1000.0, 0.0, 0.0, 0.0],  # class 0: p = 1, not below
            [-1000.0, 0.0, 0.0, 0.0],  # class 0: p = e^-1000 / 3, below
            [0.0, 16.0, 0.0, 0.0],
        ],
        dtype=np.float32,
    )  # class 0: p ~ 1.1e-7: inside
    np.testing.assert_array_equal(
        below_clip(logits, np.array([2, 0, 0, 0])), [True, False, True, False]
    )
    assert below_clip(logits[3:], np.array([0]), epsilon=1e-6)[0]


def test_a_masked_true_class_is_below_the_clip():
    """-inf is a mask, as for every function that takes logits: probability exactly 0."""
    np.testing.assert_array_equal(
        below_clip(np.array([[0.0, -np.inf], [0.0, -np.inf]]), np.array([1, 0])), [True, False]
    )


def test_below_clip_agrees_with_count_at_clip_on_ordinary_logits():
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=8, size=(400, 4))
    y = rng.integers(0, 4, size=400)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert 0 < below_clip(logits, y).sum() == count_at_clip(p, y).below


@pytest.mark.parametrize(
    "logits, labels, message",
    [
        (np.zeros(4), np.zeros(4, dtype=int), r"logits must be 2-D of shape \(m, N\)"),
        (np.array([[np.inf, 0.0]]), np.zeros(1, dtype=int), r"logits must not hold \+inf"),
        (np.array([[np.nan, 0.0]]), np.zeros(1, dtype=int), "logits must not hold NaN"),
        (
            np.zeros((4, 2)),
            np.zeros(3, dtype=int),
            r"labels must have shape \(4,\), one class label "
            "per row of logits",
        ),
        (np.zeros((4, 2)), np.full(4, 0.5), "labels must hold whole-number class labels"),
        (np.zeros((4, 2)), np.full(4, 2), r"labels must hold class labels in 0\.\.1"),
    ],
)
def test_below_clip_names_bad_input(logits, labels, message):
    with pytest.raises(ValueError, match=message):
        below_clip(logits, labels)
    with pytest.raises(ValueError, match="epsilon must be"):
        below_clip(np.zeros((4, 2)), np.zeros(4, dtype=int), epsilon=0.7)
