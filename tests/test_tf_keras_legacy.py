"""The rescue is as old as tf.keras: the original lab's own code on Keras 2, measured.

Notebook 03 says that the original lab's two loss curves differ only because its two models
started from different weights: on tf-keras (Keras 2, what the lab ran on) the softmax output
already carried its logits to the loss. Here the lab's code runs on tf-keras 2.21, in a
subprocess with ``TF_USE_LEGACY_KERAS=1`` (TensorFlow's switch from Keras 3 to tf-keras,
read when TensorFlow is imported), both models from the same start and batch order.

tf-keras is installed by `make install` with ``pip install --no-deps "tf-keras>=2.16,<2.22"``
(see the Makefile). Without it the test is skipped with that hint, except under CI
(``CI=true``), where it fails.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

INSTALL = 'pip install --no-deps "tf-keras>=2.16,<2.22"'

# The original lab's code (its data, both models, compile and fit), with what makes the
# comparison fair: the preferred model starts from the obvious model's initial weights, and
# each fit draws its batch order from the same seed. A third run, the preferred model from
# its own start, is the control: it must differ.
LAB = """
import json
import numpy as np
import tensorflow as tf
from sklearn.datasets import make_blobs
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense

centers = [[-5, 2], [-2, -2], [1, 2], [5, -2]]
X_train, y_train = make_blobs(n_samples=2000, centers=centers, cluster_std=1.0, random_state=30)


def obvious_model():
    model = Sequential([
        Dense(25, activation="relu"),
        Dense(15, activation="relu"),
        Dense(4, activation="softmax"),
    ])
    model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(),
                  optimizer=tf.keras.optimizers.Adam(0.001))
    return model


def preferred_model():
    model = Sequential([
        Dense(25, activation="relu"),
        Dense(15, activation="relu"),
        Dense(4, activation="linear"),
    ])
    model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=tf.keras.optimizers.Adam(0.001))
    return model


def built(make, seed):
    tf.keras.utils.set_random_seed(seed)
    model = make()
    model.build((None, 2))
    return model


def losses(model, batch_seed):
    tf.keras.utils.set_random_seed(batch_seed)
    return model.fit(X_train, y_train, epochs=10, verbose=0).history["loss"]


obvious = built(obvious_model, 1234)
preferred = built(preferred_model, 1235)
preferred.set_weights(obvious.get_weights())  # the same start
control = built(preferred_model, 1235)  # the preferred model's own start

import tf_keras
print(json.dumps({
    "version": tf_keras.__version__,
    "model_class": type(obvious).__module__,
    "obvious": losses(obvious, 7),
    "preferred": losses(preferred, 7),
    "control": losses(control, 7),
    "output_carries_logits": hasattr(obvious(X_train[:3]), "_keras_logits"),
}))
"""


def under_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def lab_on_tf_keras():
    if importlib.util.find_spec("tf_keras") is None:
        message = f"tf-keras is not installed: `make install` installs it ({INSTALL})."
        if under_ci():
            pytest.fail(f"CI is set, so the tf-keras test must run. {message}", pytrace=False)
        pytest.skip(message)
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3",
               TF_ENABLE_ONEDNN_OPTS="0")
    done = subprocess.run([sys.executable, "-c", LAB], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_lab_runs_on_keras_2(lab_on_tf_keras):
    assert lab_on_tf_keras["version"].startswith("2.")
    assert lab_on_tf_keras["model_class"].startswith("tf_keras.")  # not Keras 3


def test_both_models_from_the_same_start_train_bit_identically(lab_on_tf_keras):
    obvious, preferred = lab_on_tf_keras["obvious"], lab_on_tf_keras["preferred"]
    assert len(obvious) == 10
    assert obvious == preferred  # exact equality of every epoch's loss, not approx
    assert obvious[-1] < 0.1 < obvious[0]  # and they did learn the blobs


def test_another_start_gives_other_losses(lab_on_tf_keras):
    # the control: the comparison can tell runs apart
    assert lab_on_tf_keras["control"] != lab_on_tf_keras["preferred"]


def test_the_softmax_output_carries_its_logits(lab_on_tf_keras):
    assert lab_on_tf_keras["output_carries_logits"] is True
