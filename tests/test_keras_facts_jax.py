"""The Keras facts notebook 06 teaches about the JAX backend, asserted on the Keras and JAX here.

Keras picks its backend once per process, when it is first imported, and the rest of the
unit suite imports it on TensorFlow. So each backend's facts run in their own process: the
TensorFlow facts in tests/test_keras_facts.py, these in a fresh Python process that runs
this file as a script with KERAS_BACKEND=jax and hands its measurements back as JSON.
If a Keras or JAX upgrade changes one of them, the test naming it fails.
"""

import json
import sys

import numpy as np
import pytest
from fresh_process import run_fresh
from lab_model import build_lab_model

CLIP_LOSS = -np.log(1e-7)  # 16.118...: Keras clips probabilities to [1e-7, 1 - 1e-7]
DOUBLE_SOFTMAX_FLOOR = np.log(1 + 3 / np.e)  # 4 classes: a second softmax caps p at e/(e+3)


# --- what the fresh process measures (Keras and JAX imported only in there) ---------


def train_losses(output_activation, from_logits, scale, n=500, epochs=8, steps_per_execution=1):
    """Per-epoch losses on ``n`` blob points times ``scale``, seeded start and batches."""
    import keras

    from lab_utils.data import make_seed_blobs

    X, y = make_seed_blobs(n=n)
    model = build_lab_model(
        output_activation, from_logits, seed=1234, steps_per_execution=steps_per_execution
    )
    keras.utils.set_random_seed(1234)
    return model.fit(scale * X, y, epochs=epochs, verbose=0).history["loss"]


def measure_clip():
    import warnings

    import jax
    import keras

    z = np.array([[30.0, 0.0, -30.0, 0.0]], dtype=np.float32)
    target = np.array([2])
    from_probabilities = keras.losses.SparseCategoricalCrossentropy()
    from_logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def obvious_loss(z):
        return from_probabilities(target, keras.activations.softmax(z))

    # a one-layer softmax model whose logits are z for any input: the loss inside evaluate
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4, activation="softmax")])
    model.compile(loss=from_probabilities)
    model.set_weights([np.zeros((1, 4), np.float32), z[0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        double_softmax = float(from_logits(target, keras.activations.softmax(z)))
        misused = keras.Sequential(
            [keras.Input(shape=(1,)), keras.layers.Dense(4, activation="softmax")]
        )
        misused.compile(loss=from_logits)
        misused.set_weights(model.get_weights())
        misused_loss = misused.evaluate(np.zeros((1, 1)), target, verbose=0)
    return {
        "backend": keras.backend.backend(),
        "eager": float(obvious_loss(z)),
        "jit": float(jax.jit(obvious_loss)(z)),
        "evaluate": float(model.evaluate(np.zeros((1, 1)), target, verbose=0)),
        "gradient": np.asarray(jax.grad(obvious_loss)(z)).tolist(),
        "gradient_from_logits": np.asarray(jax.grad(lambda z: from_logits(target, z))(z)).tolist(),
        "double_softmax": double_softmax,
        "misused_evaluate": float(misused_loss),
        "warnings": [str(warning.message) for warning in caught],
    }


def measure_training():
    losses = {
        route: {scale: train_losses(*args, scale) for scale in (1, 100)}
        for route, args in {"obvious": ("softmax", False), "preferred": ("linear", True)}.items()
    }
    # 500 points are 16 batches of 32: one call to the backend per epoch
    losses["obvious, 16 steps per execution"] = train_losses(
        "softmax", False, 100, steps_per_execution=16
    )
    return losses


def measure_clip_and_training():
    return {"clip": measure_clip(), "training": measure_training()}


def measure_set_backend():
    """Train on JAX after keras.config.set_backend in a process that started on TensorFlow."""
    import warnings

    import keras

    started_on = keras.backend.backend()
    keras.ops.ones(1)  # use the TensorFlow backend before switching, as notebook 06 does
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.config.set_backend("jax")
    import keras

    return {
        "started_on": started_on,
        "now": keras.backend.backend(),
        "warned": any("set_backend" in str(warning.message) for warning in caught),
        "losses": train_losses("softmax", False, 100),
    }


MEASUREMENTS = {"clip and training": measure_clip_and_training, "set_backend": measure_set_backend}


# --- the facts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measured():
    return run_fresh(
        __file__, "clip and training", backend="jax"
    )  # one process: JAX and Keras imported once


@pytest.fixture(scope="module")
def clip(measured):
    return measured["clip"]


@pytest.fixture(scope="module")
def training(measured):
    return measured["training"]


def test_the_measurements_ran_on_jax(clip):
    assert clip["backend"] == "jax"


@pytest.mark.parametrize("where", ["eager", "jit", "evaluate"])
def test_no_rescue_on_jax_the_loss_of_softmax_probabilities_clips(clip, where):
    # On TensorFlow, evaluate (and tf.function) would give 60.0, the loss from the logits.
    assert clip[where] == pytest.approx(CLIP_LOSS, rel=1e-6)


def test_the_gradient_through_the_clip_is_exactly_zero(clip):
    assert clip["gradient"] == [[0.0, 0.0, 0.0, 0.0]]
    np.testing.assert_allclose(clip["gradient_from_logits"], [[1, 0, -1, 0]], atol=1e-6)


def test_softmax_output_with_from_logits_true_is_a_silent_double_softmax(clip):
    assert not any("from_logits" in warning for warning in clip["warnings"])  # TF warns
    expected = -np.log(np.exp(0.0) / (np.exp(1.0) + 3 * np.exp(0.0)))  # softmax of (1,0,0,0)
    assert clip["double_softmax"] == pytest.approx(expected, rel=1e-5)
    assert clip["misused_evaluate"] == pytest.approx(expected, rel=1e-5)
    assert clip["double_softmax"] > DOUBLE_SOFTMAX_FLOOR


def test_as_given_the_routes_agree_to_float32_rounding(training):
    obvious, preferred = training["obvious"]["1"], training["preferred"]["1"]
    assert obvious != preferred  # two computations: no rescue makes them one
    np.testing.assert_allclose(obvious, preferred, rtol=1e-5)


def test_unscaled_inputs_stall_the_obvious_model(training):
    obvious, preferred = training["obvious"]["100"][-1], training["preferred"]["100"][-1]
    assert obvious > 10 * preferred
    assert obvious > 2  # stuck examples at the clip carry -log(1e-7) each


def test_steps_per_execution_changes_no_number(training):
    """Notebook 06 hands JAX a whole epoch's batches per call: only faster."""
    assert training["obvious, 16 steps per execution"] == training["obvious"]["100"]


def test_set_backend_switches_a_tensorflow_process_to_the_same_jax_numbers(training):
    switched = run_fresh(__file__, "set_backend", backend="tensorflow")
    assert (switched["started_on"], switched["now"]) == ("tensorflow", "jax")
    assert switched["warned"]
    assert switched["losses"] == training["obvious"]["100"]  # as in a fresh JAX process


if __name__ == "__main__":
    from lab_utils import setup

    setup(style=False)
    print(json.dumps(MEASUREMENTS[sys.argv[1]]()))
