"""Notebook 06's measurements of Keras' clip, shared by its cells and its tests.

Pure NumPy: Keras is never imported here, so using this module never picks a backend
(Keras chooses its backend once per process, the first time it is imported).
"""

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_labels, as_logits, as_number, as_probabilities

# ``keras.config.epsilon()`` by default: Keras clips probabilities to [EPSILON, 1 - EPSILON].
# Defined once, in numerics; notebook 06 imports it from here.
from .numerics import EPSILON


class ClipCount(NamedTuple):
    """How many examples' true-class probability lies beyond each end of Keras' clip."""

    below: int  #: true class given less than epsilon: a confident mistake, loss -log(epsilon)
    above: int  #: true class given more than 1 - epsilon: confidently right

    @property
    def total(self) -> int:
        return self.below + self.above


def _label_per_row(labels, scores, per):
    return as_labels(labels, "labels", length=scores.shape[0], n_classes=scores.shape[1], per=per)


def _epsilon(epsilon):
    return as_number(epsilon, "epsilon", above=0, below=0.5)


def true_class_probabilities(probabilities: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Each example's probability of its own class, as Keras' loss sees it before clipping.

    Keras first divides each row by its sum (1 up to float rounding for a softmax output),
    and the rounding decides which side of the clip an example right at it falls on.
    """
    p = as_probabilities(probabilities, matrix=True, nonzero_rows=True)
    y = _label_per_row(labels, p, "row of probabilities")
    return (p / p.sum(axis=1, keepdims=True))[np.arange(p.shape[0]), y]


def count_at_clip(
    probabilities: ArrayLike, labels: ArrayLike, epsilon: float = EPSILON
) -> ClipCount:
    """Count the examples whose true-class probability Keras' loss clips.

    Through the clip, the loss of such an example is a constant, so its gradient is zero:
    training cannot move it.
    """
    epsilon = _epsilon(epsilon)
    p_true = true_class_probabilities(probabilities, labels)
    return ClipCount(below=int(np.sum(p_true < epsilon)), above=int(np.sum(p_true > 1 - epsilon)))


def below_clip(logits: ArrayLike, labels: ArrayLike, epsilon: float = EPSILON) -> np.ndarray:
    """Which examples' true-class probability, computed exactly from ``logits``, is below epsilon.

    The probability comes from the logits' log-softmax in float64, so it is exact even where
    a float32 softmax would round it to 0. An example below the clip is a confident mistake:
    a probability loss clips it to ``-log(epsilon)``, and its gradient there is zero on JAX.
    """
    z = as_logits(logits, "logits", matrix=True, dtype=np.float64)[0]
    y = _label_per_row(labels, z, "row of logits")
    epsilon = _epsilon(epsilon)
    c = z.max(axis=1, keepdims=True)
    log_p = z - c - np.log(np.exp(z - c).sum(axis=1, keepdims=True))
    return log_p[np.arange(len(y)), y] < np.log(epsilon)
