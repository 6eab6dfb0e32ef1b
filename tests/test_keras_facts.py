"""The Keras facts that notebooks 02 and 03 teach, asserted on the Keras installed here
with the TensorFlow backend (the facts of other backends live in their own files).

If a Keras or TensorFlow upgrade changes one of them, this fails and names it,
instead of leaving the notebooks' prose quietly wrong. Small models, few steps.
"""

import importlib
from pathlib import Path

# tests/conftest.py has quieted and pinned TensorFlow, as setup() does for the notebooks
import keras
import numpy as np
import pytest
import tensorflow as tf
from lab_model import build_lab_model

from lab_utils.data import make_seed_blobs
from lab_utils.numerics import logsumexp

LOGITS = np.array([[30.0, 0.0, -30.0, 0.0]], dtype=np.float32)
TARGET = np.array([2])
CLIP_LOSS = -np.log(1e-7)  # 16.118...: Keras clips probabilities to [1e-7, 1 - 1e-7]


def sparse_loss(from_logits=False):
    return keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)


# --- training: the obvious and the preferred model are the same computation ---------


def train(build_args, start, shuffle_seed, X, y, steps_per_execution=1):
    """A fresh model (and optimizer) from ``start``, batches shuffled by ``shuffle_seed``."""
    model = build_lab_model(*build_args, seed=0, steps_per_execution=steps_per_execution)
    model.set_weights(start)
    keras.utils.set_random_seed(shuffle_seed)
    history = model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    return history.history["loss"], model.get_weights()


OBVIOUS, PREFERRED = ("softmax", False), ("linear", True)


@pytest.fixture(scope="module")
def blobs():
    return make_seed_blobs(n=256)


def test_same_start_and_batches_train_bit_identically(blobs):
    start = build_lab_model(*OBVIOUS, seed=1).get_weights()
    losses_obvious, weights_obvious = train(OBVIOUS, start, 7, *blobs)
    losses_preferred, weights_preferred = train(PREFERRED, start, 7, *blobs)
    assert losses_obvious == losses_preferred  # exact equality, not approx
    for a, b in zip(weights_obvious, weights_preferred, strict=True):
        np.testing.assert_array_equal(a, b)


def test_steps_per_execution_changes_no_number(blobs):
    """lab_utils.starts hands TensorFlow a whole epoch's batches per call: only faster."""
    start = build_lab_model(*OBVIOUS, seed=1).get_weights()
    for route in (OBVIOUS, PREFERRED):
        losses, weights = train(route, start, 7, *blobs)
        losses_batched, weights_batched = train(route, start, 7, *blobs, steps_per_execution=8)
        assert losses_batched == losses
        for a, b in zip(weights_batched, weights, strict=True):
            np.testing.assert_array_equal(a, b)


def batch_orders(seed, epochs=3, num_examples=10, batch_size=4):
    """The examples of every batch ``fit(shuffle=True)`` feeds, epoch by epoch, after ``seed``."""
    x = np.arange(num_examples, dtype=np.float32)[:, None]  # each example is its own index
    seen = []

    class Spy(keras.layers.Layer):
        def build(self, input_shape):
            self.last = self.add_weight(shape=(batch_size,), initializer="zeros", trainable=False)

        def call(self, inputs, training=False):
            if training:  # remember the batch, padded with -1 where it is short
                pad = batch_size - tf.shape(inputs)[0]
                self.last.assign(tf.pad(inputs[:, 0], [[0, pad]], constant_values=-1))
            return inputs

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(1,)), Spy(), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    remember = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(
            [int(i) for i in np.asarray(model.layers[0].last) if i >= 0]
        )
    )
    model.fit(x, x, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[remember])
    per_epoch = -(-num_examples // batch_size)
    return [sum(seen[e * per_epoch : (e + 1) * per_epoch], []) for e in range(epochs)]


def test_a_seeded_fit_feeds_the_same_order_in_every_epoch():
    """Notebook 05: after set_random_seed, Keras on TensorFlow shuffles once, not per epoch."""
    for seed in (1, 2):
        orders = batch_orders(seed)
        assert sorted(orders[0]) == list(range(10))  # a permutation of the examples
        assert orders[0] != list(range(10))  # shuffled
        assert orders[1] == orders[0] and orders[2] == orders[0]
    assert batch_orders(1) != batch_orders(2)  # the seed chooses the order


def test_unscaled_inputs_still_train_bit_identically(blobs):
    """Notebook 06: on TensorFlow the rescue holds where the clip bites (blobs x 100)."""
    X, y = blobs
    start = build_lab_model(*OBVIOUS, seed=1).get_weights()
    losses_obvious, _ = train(OBVIOUS, start, 7, X * 100, y)
    assert losses_obvious == train(PREFERRED, start, 7, X * 100, y)[0]


def test_a_softmax_output_with_from_logits_true_gets_a_warning(blobs):
    """Notebook 06's gallery: TensorFlow's Keras warns, then uses the softmax's logits."""
    X, y = blobs
    model = build_lab_model("softmax", True, seed=1)
    with pytest.warns(UserWarning, match="from_logits=True.*Softmax"):
        model.evaluate(X[:32], y[:32], verbose=0)


def test_the_comparison_can_tell_runs_apart(blobs):
    # the control: a different start or a different batch order changes the losses
    start = build_lab_model(*OBVIOUS, seed=1).get_weights()
    other_start = build_lab_model(*PREFERRED, seed=3).get_weights()
    reference, _ = train(PREFERRED, start, 7, *blobs)
    assert train(PREFERRED, other_start, 7, *blobs)[0] != reference
    assert train(PREFERRED, start, 8, *blobs)[0] != reference


def test_same_seed_same_architecture_same_initial_weights():
    # why seeding right before each build starts the two models from the same weights
    for a, b in zip(
        build_lab_model("softmax", False, seed=5).get_weights(),
        build_lab_model("linear", True, seed=5).get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


# --- the mechanism: the softmax output carries its logits to the loss --------------


def test_keras_softmax_output_carries_its_logits():
    probabilities = keras.activations.softmax(tf.constant(LOGITS))
    np.testing.assert_array_equal(probabilities._keras_logits, LOGITS)
    assert float(sparse_loss()(TARGET, probabilities)) == pytest.approx(60.0)


def test_only_the_tensorflow_backend_looks_for_the_logits():
    backends = Path(keras.__file__).parent / "src" / "backend"
    uses = {
        path.parent.name: "_keras_logits" in path.read_text() for path in backends.glob("*/nn.py")
    }
    assert {"tensorflow", "jax", "torch", "numpy"} <= uses.keys()
    assert [name for name, looks in uses.items() if looks] == ["tensorflow"]


def test_eager_losses_on_keras_softmax_tensors_are_rescued():
    """Notebook 03's conclusion: not only fit and evaluate, any tensor Keras' softmax made."""
    z = tf.constant(LOGITS)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Softmax()])
    for probabilities in (
        keras.ops.softmax(z),
        keras.layers.Softmax()(z),
        keras.activations.softmax(z),
        model(z),
    ):
        assert float(sparse_loss()(TARGET, probabilities)) == pytest.approx(60.0)
    # a plain TensorFlow softmax, eager, is not rescued
    assert float(sparse_loss()(TARGET, tf.nn.softmax(z))) == pytest.approx(CLIP_LOSS)


def test_inside_a_graph_any_softmax_op_is_rescued():
    graph_loss = tf.function(lambda z: sparse_loss()(TARGET, tf.nn.softmax(z)))
    assert float(graph_loss(tf.constant(LOGITS))) == pytest.approx(60.0)


def test_the_jax_backend_clips_the_probabilities_as_notebook_03_writes_it():
    """03's loss_from_clipped_probabilities: -log clip(p_y), after dividing by the row's sum."""
    source = (Path(keras.__file__).parent / "src" / "backend" / "jax" / "nn.py").read_text()
    body = source[source.index("def sparse_categorical_crossentropy") :]
    body = body[: body.index("\ndef ")]
    assert "output = output / jnp.sum(output, axis, keepdims=True)" in body
    assert "jnp.clip(output, backend.epsilon(), 1.0 - backend.epsilon())" in body
    assert "_keras_logits" not in body


def test_any_op_between_softmax_and_loss_drops_the_logits():
    probabilities = keras.activations.softmax(tf.constant(LOGITS))
    assert float(sparse_loss()(TARGET, tf.identity(probabilities))) == pytest.approx(CLIP_LOSS)


def test_the_logits_are_found_by_a_private_function_of_the_tensorflow_backend():
    # notebook 03 names it and its file: keras/src/backend/tensorflow/nn.py
    module = importlib.import_module("keras.src.backend.tensorflow.nn")
    assert callable(module._get_logits)
    assert Path(module.__file__).parts[-4:] == ("src", "backend", "tensorflow", "nn.py")


# --- where the rescue applies: notebook 03's table of routes --------------------------
# Target 2, logits [30, 0, -30, 0]: the exact loss is 60.0, the clipped one 16.118.


def loss_of(probabilities_of, z=LOGITS):
    return float(sparse_loss()(TARGET, probabilities_of(tf.constant(z))))


def in_a_graph(probabilities_of):
    """The loss of ``probabilities_of(z)`` computed inside a tf.function."""
    graph = tf.function(lambda z: sparse_loss()(TARGET, probabilities_of(z)))
    return float(graph(tf.constant(LOGITS)))


def test_eager_tf_nn_softmax_clips():
    assert loss_of(tf.nn.softmax) == pytest.approx(CLIP_LOSS, rel=1e-6)
    assert round(loss_of(tf.nn.softmax), 3) == 16.118


def test_inside_tf_function_tf_nn_softmax_is_rescued():
    # the graph-mode branch of _get_logits: a tensor made by a Softmax op gives its input
    assert in_a_graph(tf.nn.softmax) == 60.0


def test_tf_identity_after_the_softmax_clips_eager_and_in_a_graph():
    def softmax_then_identity(z):
        return tf.identity(tf.nn.softmax(z))

    assert loss_of(softmax_then_identity) == pytest.approx(CLIP_LOSS, rel=1e-6)
    assert in_a_graph(softmax_then_identity) == pytest.approx(CLIP_LOSS, rel=1e-6)


def test_keras_softmax_is_rescued_eager_and_in_a_graph():
    assert loss_of(keras.activations.softmax) == 60.0
    assert in_a_graph(keras.activations.softmax) == 60.0


def test_calling_a_softmax_model_is_rescued():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4, activation="softmax")])
    model.set_weights([np.zeros((2, 4), np.float32), LOGITS[0]])
    probabilities = model(np.zeros((1, 2), np.float32))
    assert float(sparse_loss()(TARGET, probabilities)) == 60.0


def test_only_a_graph_tensor_knows_the_op_that_made_it():
    assert not hasattr(tf.nn.softmax(tf.constant(LOGITS)), "op")  # eager
    types = []

    @tf.function
    def trace(z):
        probabilities = tf.nn.softmax(z)
        types.extend([probabilities.op.type, tf.identity(probabilities).op.type])
        return probabilities

    trace(tf.constant(LOGITS))
    assert types == ["Softmax", "Identity"]


def test_the_fused_loss_is_minus_the_target_logit_plus_logsumexp():
    # L = -z_y + log sum_k exp(z_k): what from_logits=True computes
    rng = np.random.default_rng(0)
    z = rng.normal(scale=5.0, size=(64, 4)).astype(np.float32)
    y = rng.integers(0, 4, size=64)
    by_hand = -z[np.arange(64), y] + logsumexp(z.astype(np.float64), axis=1)
    keras_losses = keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)
    np.testing.assert_allclose(keras_losses, by_hand, rtol=1e-5, atol=1e-5)
    exact = -LOGITS[0, 2] + logsumexp(LOGITS[0].astype(np.float64))
    assert float(np.float32(exact)) == 60.0 == float(sparse_loss(True)(TARGET, LOGITS))


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
