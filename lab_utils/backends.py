"""Notebook 06's measurements of Keras' clip, shared by its cells and its tests.

Pure NumPy: Keras is never imported here, so using this module never picks a backend
(Keras chooses its backend once per process, the first time it is imported).
"""

from typing import NamedTuple

import numpy as np

#: ``keras.config.epsilon()`` by default: Keras clips probabilities to [EPSILON, 1 - EPSILON].
EPSILON = 1e-7


class ClipCount(NamedTuple):
    """How many examples' true-class probability lies beyond each end of Keras' clip."""

    below: int  #: true class given less than epsilon: a confident mistake, loss -log(epsilon)
    above: int  #: true class given more than 1 - epsilon: confidently right

    @property
    def total(self):
        return self.below + self.above


def true_class_probabilities(probabilities, labels):
    """Each example's probability of its own class, as Keras' loss sees it before clipping.

    Keras first divides each row by its sum (1 up to float rounding for a softmax output),
    and the rounding decides which side of the clip an example right at it falls on.
    """
    p = np.asarray(probabilities)
    if p.ndim != 2 or p.shape[1] < 2 or not np.issubdtype(p.dtype, np.floating):
        raise ValueError("probabilities must be a 2-D float array (examples, classes) with at "
                         f"least 2 classes, got shape {p.shape} and dtype {p.dtype}")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("probabilities must lie in [0, 1] (an output layer with softmax), "
                         "got values outside it: logits instead of probabilities?")
    y = np.asarray(labels)
    if y.shape != (p.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be {p.shape[0]} integer class labels, one per row of "
                         f"probabilities, got shape {y.shape} and dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= p.shape[1]):
        raise ValueError(f"labels must lie in 0..{p.shape[1] - 1}, got {y.min()}..{y.max()}")
    sums = p.sum(axis=1, keepdims=True)
    if not np.all(sums > 0):
        raise ValueError("probabilities must not have a row of zeros (Keras divides by the sum)")
    return (p / sums)[np.arange(p.shape[0]), y]


def count_at_clip(probabilities, labels, epsilon=EPSILON):
    """Count the examples whose true-class probability Keras' loss clips.

    Through the clip, the loss of such an example is a constant, so its gradient is zero:
    training cannot move it.
    """
    if isinstance(epsilon, bool) or not isinstance(epsilon, (float, int, np.floating)) \
            or not 0 < epsilon < 0.5:
        raise ValueError(f"epsilon must be a number strictly between 0 and 0.5, got {epsilon!r}")
    p_true = true_class_probabilities(probabilities, labels)
    return ClipCount(below=int(np.sum(p_true < epsilon)), above=int(np.sum(p_true > 1 - epsilon)))


def below_clip(logits, labels, epsilon=EPSILON):
    """Which examples' true-class probability, computed exactly from ``logits``, is below epsilon.

    The probability comes from the logits' log-softmax in float64, so it is exact even where
    a float32 softmax would round it to 0. An example below the clip is a confident mistake:
    a probability loss clips it to ``-log(epsilon)``, and its gradient there is zero on JAX.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"logits must be a finite 2-D array (examples, classes) with at least "
                         f"2 classes, got shape {z.shape}")
    y = np.asarray(labels)
    if y.shape != (z.shape[0],) or not np.issubdtype(y.dtype, np.integer) \
            or (y.size and (y.min() < 0 or y.max() >= z.shape[1])):
        raise ValueError(f"labels must be {z.shape[0]} integer class labels in 0..{z.shape[1] - 1}"
                         f", one per row of logits, got shape {y.shape} and dtype {y.dtype}")
    count_at_clip(np.full((1, 2), 0.5), np.zeros(1, dtype=int), epsilon)  # checks epsilon
    c = z.max(axis=1, keepdims=True)
    log_p = z - c - np.log(np.exp(z - c).sum(axis=1, keepdims=True))
    return log_p[np.arange(len(y)), y] < np.log(epsilon)
