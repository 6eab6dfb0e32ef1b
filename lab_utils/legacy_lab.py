"""The original lab's own code run on tf-keras (Keras 2), in a subprocess; and its record.

Notebook 03 shows the result: on Keras 2, as on Keras 3 with TensorFlow, the softmax output
carries its logits to the loss, and the two models of the lab, from the same start and
batch order, train to bit-identical losses. tf-keras is selected by ``TF_USE_LEGACY_KERAS=1``,
which TensorFlow reads when it is imported, so the lab runs in a fresh Python process.

Running it takes TensorFlow's import and three small trainings (several CPU-seconds), so
the notebook prints `RECORD` (`lab_utils.tf_keras_record`), and
``tests/test_tf_keras_legacy.py`` runs the lab afresh and fails if the record no longer
holds. ``python -m lab_utils.legacy_lab --record`` rewrites the record.

tf-keras installs beside tensorflow-cpu with ``pip install --no-deps "tf-keras>=2.16,<2.22"``
(see the Makefile; its declared dependency would pull a second TensorFlow).
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

INSTALL = 'pip install --no-deps "tf-keras>=2.16,<2.22"'
RECORD_FILE = Path(__file__).with_name("tf_keras_record.py")

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


def tf_keras_installed() -> bool:
    return importlib.util.find_spec("tf_keras") is not None


def run_original_lab_on_tf_keras(timeout: float = 600) -> dict[str, Any]:
    """Run the lab on tf-keras in a subprocess; its result as a dict (see `LAB`)."""
    if not tf_keras_installed():
        raise RuntimeError(f"tf-keras is not installed: {INSTALL}")
    env = dict(
        os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0"
    )
    done = subprocess.run(
        [sys.executable, "-c", LAB], env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"the lab failed on tf-keras:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_record(result: dict[str, Any]) -> None:
    RECORD_FILE.write_text(
        '"""The original lab on tf-keras, as `lab_utils.legacy_lab` measured it (generated)."""\n\n'
        f"RECORD = {json.dumps(result, indent=4)}\n".replace("true", "True").replace(
            "false", "False"
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m lab_utils.legacy_lab --record")
    write_record(run_original_lab_on_tf_keras())
    print(f"wrote {RECORD_FILE}")
