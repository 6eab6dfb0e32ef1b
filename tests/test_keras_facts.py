"""The Keras facts that notebooks 02 and 03 teach, asserted on the Keras installed here.

If a Keras or TensorFlow upgrade changes one of them, this fails and names it,
instead of leaving the notebooks' prose quietly wrong. Small models, few steps.
"""

import os
from pathlib import Path

# as lab_utils.setup() does for the notebooks, before TensorFlow is imported
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras
import numpy as np
import pytest
import tensorflow as tf

from lab_utils.data import make_seed_blobs

LOGITS = np.array([[30.0, 0.0, -30.0, 0.0]], dtype=np.float32)
TARGET = np.array([2])
CLIP_LOSS = -np.log(1e-7)  # 16.118...: Keras clips probabilities to [1e-7, 1 - 1e-7]


def sparse_loss(from_logits=False):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


# --- training: the obvious and the preferred model are the same computation ---------


def build(output_activation, from_logits, seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(25, activation="relu"),
        keras.layers.Dense(15, activation="relu"),
        keras.layers.Dense(4, activation=output_activation),
    ])
    model.compile(loss=sparse_loss(from_logits), optimizer=keras.optimizers.Adam(0.001))
    return model


def train(build_args, start, shuffle_seed, X, y):
    """A fresh model (and optimizer) from ``start``, batches shuffled by ``shuffle_seed``."""
    model = build(*build_args, seed=0)
    model.set_weights(start)
    keras.utils.set_random_seed(shuffle_seed)
    history = model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    return history.history["loss"], model.get_weights()


OBVIOUS, PREFERRED = ("softmax", False), ("linear", True)


@pytest.fixture(scope="module")
def blobs():
    return make_seed_blobs(n=256)


def test_same_start_and_batches_train_bit_identically(blobs):
    start = build(*OBVIOUS, seed=1).get_weights()
    losses_obvious, weights_obvious = train(OBVIOUS, start, 7, *blobs)
    losses_preferred, weights_preferred = train(PREFERRED, start, 7, *blobs)
    assert losses_obvious == losses_preferred  # exact equality, not approx
    for a, b in zip(weights_obvious, weights_preferred, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_comparison_can_tell_runs_apart(blobs):
    # the control: a different start or a different batch order changes the losses
    start = build(*OBVIOUS, seed=1).get_weights()
    other_start = build(*PREFERRED, seed=3).get_weights()
    reference, _ = train(PREFERRED, start, 7, *blobs)
    assert train(PREFERRED, other_start, 7, *blobs)[0] != reference
    assert train(PREFERRED, start, 8, *blobs)[0] != reference


def test_same_seed_same_architecture_same_initial_weights():
    # why seeding right before each build starts the two models from the same weights
    for a, b in zip(build("softmax", False, seed=5).get_weights(),
                    build("linear", True, seed=5).get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# --- the mechanism: the softmax output carries its logits to the loss --------------


def test_keras_softmax_output_carries_its_logits():
    probabilities = keras.activations.softmax(tf.constant(LOGITS))
    np.testing.assert_array_equal(probabilities._keras_logits, LOGITS)
    assert float(sparse_loss()(TARGET, probabilities)) == pytest.approx(60.0)


def test_only_the_tensorflow_backend_looks_for_the_logits():
    backends = Path(keras.__file__).parent / "src" / "backend"
    uses = {path.parent.name: "_keras_logits" in path.read_text()
            for path in backends.glob("*/nn.py")}
    assert {"tensorflow", "jax", "torch", "numpy"} <= uses.keys()
    assert [name for name, looks in uses.items() if looks] == ["tensorflow"]


def test_any_op_between_softmax_and_loss_drops_the_logits():
    probabilities = keras.activations.softmax(tf.constant(LOGITS))
    assert float(sparse_loss()(TARGET, tf.identity(probabilities))) == pytest.approx(CLIP_LOSS)


# --- outside training: probabilities clip --------------------------------------------


def test_clip_from_probabilities_vs_exact_from_logits():
    probabilities = tf.nn.softmax(LOGITS).numpy()
    from_probabilities = float(sparse_loss()(TARGET, probabilities))
    from_logits = float(sparse_loss(from_logits=True)(TARGET, LOGITS))
    assert round(from_probabilities, 3) == 16.118
    assert from_probabilities == pytest.approx(CLIP_LOSS, rel=1e-6)
    assert from_logits == 60.0


def test_evaluate_uses_the_logits_but_predict_output_clips():
    # a one-layer model whose logits are [30, 0, -30, 0] for any input
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4, activation="softmax")])
    model.compile(loss=sparse_loss())
    model.set_weights([np.zeros((2, 4), np.float32), LOGITS[0]])
    x = np.zeros((1, 2), np.float32)
    assert model.evaluate(x, TARGET, verbose=0) == pytest.approx(60.0)
    probabilities = model.predict(x, verbose=0)
    assert float(sparse_loss()(TARGET, probabilities)) == pytest.approx(CLIP_LOSS, rel=1e-6)


def test_gradient_through_the_clipped_loss_is_zero():
    z = tf.Variable(LOGITS)
    with tf.GradientTape(persistent=True) as tape:
        loss_from_probabilities = sparse_loss()(TARGET, tf.nn.softmax(z))
        loss_from_logits = sparse_loss(from_logits=True)(TARGET, z)
    np.testing.assert_array_equal(tape.gradient(loss_from_probabilities, z), np.zeros((1, 4)))
    # from logits: softmax(z) - one_hot(target), about [1, 0, -1, 0]
    np.testing.assert_allclose(tape.gradient(loss_from_logits, z), [[1, 0, -1, 0]], atol=1e-6)


def test_float32_probability_underflows_to_exactly_zero():
    z = np.array([60.0, 0.0, -60.0, 0.0], dtype=np.float32)
    probabilities = tf.nn.softmax(z).numpy()
    assert probabilities[2] == 0.0  # exp(-120) is below float32's smallest subnormal
    assert tf.nn.log_softmax(z).numpy()[2] == pytest.approx(-120.0)
    assert float(sparse_loss()(TARGET, probabilities[None])) == pytest.approx(CLIP_LOSS, rel=1e-6)
    assert float(sparse_loss(from_logits=True)(TARGET, z[None])) == pytest.approx(120.0)
