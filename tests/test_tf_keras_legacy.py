"""The rescue predates the lab: the original lab's own code on Keras 2, measured.

Notebook 03 says that the original lab's two loss curves differ only because its two models
started from different weights: on tf-keras (Keras 2) the softmax output already carried its
logits to the loss. `lab_utils.legacy_lab` runs the lab's code on tf-keras 2.21 in a
subprocess, both models from the same start and batch order; notebook 03 prints its stored
record (`lab_utils.tf_keras_record`), and this file checks the record against a fresh run.

tf-keras is installed by `make install` with ``pip install --no-deps "tf-keras>=2.16,<2.22"``
(see the Makefile). Without it the test is skipped with that hint, except under CI
(``CI=true``), where it fails.
"""

import numpy as np
import pytest
from ci import missing

from lab_utils.legacy_lab import INSTALL, run_original_lab_on_tf_keras, tf_keras_installed
from lab_utils.tf_keras_record import RECORD


@pytest.fixture(scope="module")
def lab_on_tf_keras():
    if not tf_keras_installed():
        missing(f"tf-keras is not installed: `make install` installs it ({INSTALL}).")
    return run_original_lab_on_tf_keras()


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


def test_the_record_notebook_03_prints_still_holds(lab_on_tf_keras):
    """The stored record says what a fresh run says (python -m lab_utils.legacy_lab --record)."""
    for key in ("version", "model_class", "output_carries_logits"):
        assert RECORD[key] == lab_on_tf_keras[key], key
    assert (RECORD["obvious"] == RECORD["preferred"]) == (
        lab_on_tf_keras["obvious"] == lab_on_tf_keras["preferred"]
    )
    for key in ("obvious", "preferred", "control"):  # the last digits may move with the CPU
        np.testing.assert_allclose(RECORD[key], lab_on_tf_keras[key], rtol=1e-3, err_msg=key)
