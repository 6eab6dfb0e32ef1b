"""softmax-lab's shared helpers: numerics (pure NumPy), plots, widgets and style."""

from ._setup import SEED, seed_everything, setup
from .numerics import (
    categorical_crossentropy,
    log_softmax,
    logsumexp,
    one_hot,
    precise_softmax,
    softmax,
    sparse_categorical_crossentropy,
)
from .style import CLASS_COLORS, use_style

__all__ = [
    "CLASS_COLORS",
    "SEED",
    "categorical_crossentropy",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "precise_softmax",
    "seed_everything",
    "setup",
    "softmax",
    "sparse_categorical_crossentropy",
    "use_style",
]
