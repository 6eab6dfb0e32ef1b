"""Notebook 05's softmax regression, tested from the notebook's own cells.

The cells tagged ``softmax-regression`` (the imports and the model's functions) are
run here, so the code a learner reads is the code under test, with no copy to drift.
"""

from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lab_utils import one_hot, softmax, sparse_categorical_crossentropy
from lab_utils.data import make_seed_blobs

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_softmax_regression.ipynb"
TAG = "softmax-regression"
ALPHA = 1.0  # the notebook's learning rate


@pytest.fixture(scope="module")
def nb():
    """The names the notebook's tagged cells define."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    namespace = {}
    tagged = [c for c in notebook.cells if TAG in c.metadata.get("tags", [])]
    with matplotlib.rc_context():  # the cells call setup(): keep its style out of other tests
        for cell in tagged:
            exec(compile(cell.source, f"{NOTEBOOK.name} [{TAG}]", "exec"), namespace)
    return SimpleNamespace(n_cells=len(tagged), **namespace)


@pytest.fixture(scope="module")
def blobs():
    return make_seed_blobs()


def test_the_notebook_defines_the_model_in_tagged_cells(nb):
    assert nb.n_cells >= 4
    for name in (
        "predict_logits",
        "compute_cost",
        "compute_gradient",
        "numerical_gradient",
        "relative_difference",
        "gradient_descent",
    ):
        assert callable(getattr(nb, name)), name


# --- the cost ------------------------------------------------------------------------


def test_the_cost_at_zero_weights_is_log_of_the_number_of_classes(nb, blobs):
    X, y = blobs
    assert nb.compute_cost(X, y, np.zeros((2, 4)), np.zeros(4)) == pytest.approx(np.log(4))


def test_the_cost_matches_lab_utils_even_for_huge_logits(nb, blobs):
    X, y = blobs
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e4):
        W, b = scale * rng.normal(size=(2, 4)), scale * rng.normal(size=4)
        expected = sparse_categorical_crossentropy(y, X @ W + b, from_logits=True).mean()
        cost = nb.compute_cost(X, y, W, b)
        assert np.isfinite(cost)
        assert cost == pytest.approx(expected, rel=1e-9)


# --- the gradient and its check ---------------------------------------------------------


@st.composite
def problems(draw):
    """A small softmax-regression problem: X (m, n), labels y, weights W (n, k), bias b."""
    m, n, k = draw(st.integers(1, 8)), draw(st.integers(1, 3)), draw(st.integers(2, 5))
    values = st.floats(-3, 3, allow_nan=False)
    X = draw(arrays(np.float64, (m, n), elements=values))
    y = draw(arrays(np.int64, m, elements=st.integers(0, k - 1)))
    W = draw(arrays(np.float64, (n, k), elements=values))
    b = draw(arrays(np.float64, k, elements=values))
    return X, y, W, b


@settings(max_examples=60, deadline=None)
@given(problems())
def test_the_gradient_formula_matches_the_numerical_gradient(nb, problem):
    X, y, W, b = problem
    dW, db = nb.compute_gradient(X, y, W, b)
    dW_numerical = nb.numerical_gradient(lambda W_: nb.compute_cost(X, y, W_, b), W)
    db_numerical = nb.numerical_gradient(lambda b_: nb.compute_cost(X, y, W, b_), b)
    assert np.allclose(dW, dW_numerical, atol=1e-6)
    assert np.allclose(db, db_numerical, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, 4, elements=st.floats(-20, 20)), st.integers(0, 3))
def test_for_one_example_the_gradient_is_a_minus_onehot(nb, z, label):
    """With W = 0 the logits are b, and dJ/db is exactly softmax(z) - onehot(y)."""
    _, db = nb.compute_gradient(np.ones((1, 2)), np.array([label]), np.zeros((2, 4)), z)
    assert np.allclose(db, softmax(z) - one_hot(label, 4), atol=1e-12)


def test_numerical_gradient_differentiates_a_known_function(nb):
    p = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = nb.numerical_gradient(lambda q: np.sum(q**3), p)
    assert np.allclose(grad, 3 * p**2, rtol=1e-6)


def test_relative_difference_is_zero_for_equal_and_one_for_opposite_arrays(nb):
    a = np.array([1.0, -2.0, 3.0])
    assert nb.relative_difference(a, a) == 0
    assert nb.relative_difference(a, -a) == pytest.approx(1.0)


def wrong_gradients(X, y, W, b):
    """Three classic mistakes in dJ/dW."""
    A = softmax(X @ W + b)
    Y = one_hot(y, W.shape[1])
    return {"no one-hot": X.T @ A / len(y), "no 1/m": X.T @ (A - Y), "sign": X.T @ (Y - A) / len(y)}


def test_the_gradient_check_catches_wrong_gradients(nb, blobs):
    X, y = blobs[0][:50].astype(np.float64), blobs[1][:50]
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(2, 4)), rng.normal(size=4)
    measured = nb.numerical_gradient(lambda W_: nb.compute_cost(X, y, W_, b), W)
    right, _ = nb.compute_gradient(X, y, W, b)
    assert nb.relative_difference(right, measured) < 1e-7
    for mistake, wrong in wrong_gradients(X, y, W, b).items():
        assert nb.relative_difference(wrong, measured) > 0.1, mistake


# --- training ---------------------------------------------------------------------------


def test_gradient_descent_lowers_the_cost_at_every_step_and_fits_the_blobs(nb, blobs):
    X, y = blobs
    W, b, costs = nb.gradient_descent(X, y, np.zeros((2, 4)), np.zeros(4), ALPHA, 100)
    assert len(costs) == 100
    assert costs[0] == pytest.approx(np.log(4))
    assert np.all(np.diff(costs) < 0)
    assert nb.compute_cost(X, y, W, b) < costs[-1]
    assert np.mean(np.argmax(nb.predict_logits(X, W, b), axis=1) == y) > 0.98


def test_keras_runs_the_same_algorithm_to_the_same_model(nb, blobs):
    """What the notebook teaches: Dense(4) + SGD on the full batch from zeros is this code."""
    import keras

    X, y = blobs
    steps = 20
    W, b, costs = nb.gradient_descent(X, y, np.zeros((2, 4)), np.zeros(4), ALPHA, steps)
    keras.utils.set_random_seed(0)
    twin = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(4, kernel_initializer="zeros", bias_initializer="zeros"),
        ]
    )
    twin.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.SGD(learning_rate=ALPHA),
    )
    history = twin.fit(X, y, batch_size=len(X), epochs=steps, shuffle=False, verbose=0)
    W_keras, b_keras = twin.get_weights()
    assert np.allclose(history.history["loss"], costs, atol=1e-4)
    assert np.allclose(W_keras, W, atol=1e-3) and np.allclose(b_keras, b, atol=1e-3)
    numpy_accuracy = np.mean(np.argmax(nb.predict_logits(X, W, b), axis=1) == y)
    keras_accuracy = np.mean(np.argmax(twin(X), axis=1) == y)
    assert abs(numpy_accuracy - keras_accuracy) <= 0.01
