"""``setup()``: the first code cell of every notebook."""

import os
import random
import sys

import numpy as np

from .style import use_style

#: The seed every notebook uses unless it says otherwise.
SEED = 1234


def quiet_tensorflow():
    """Silence TensorFlow's C++ start-up logs; only effective before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN's message is noise, and its reordered sums change the last bits of results.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def seed_everything(seed=SEED):
    """Seed Python, NumPy and, if it is already imported, Keras/TensorFlow."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the global state is what learners' code draws from
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)


def setup(seed=SEED, *, style=True):
    """Prepare a notebook: quiet TensorFlow, seed everything, apply the suite's style.

    TensorFlow is not imported here: a notebook that needs it imports it itself,
    so the lessons that do not need it keep a small kernel.
    """
    quiet_tensorflow()
    seed_everything(seed)
    if style:
        use_style()
    __import__("lab_utils.display").display.register_figure_formatter()  # 2x PNG + alt text
