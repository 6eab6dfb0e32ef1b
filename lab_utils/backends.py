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


def clip_counter(inputs, labels, epsilon=EPSILON):
    """A Keras callback that counts the examples at the clip before training and after each epoch.

    Its ``counts`` list holds one `ClipCount` per moment (index 0: before training). The
    callback is built on the Keras imported when this is called, so it serves whichever
    backend Keras is on then.
    """
    inputs = np.asarray(inputs)
    if inputs.ndim != 2 or not np.issubdtype(inputs.dtype, np.floating):
        raise ValueError(f"inputs must be a 2-D float array (examples, features), got shape "
                         f"{inputs.shape} and dtype {inputs.dtype}")
    labels = np.asarray(labels)
    if labels.shape != (inputs.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {inputs.shape[0]} integer class labels, one per row "
                         f"of inputs, got shape {labels.shape} and dtype {labels.dtype}")
    count_at_clip(np.full((1, 2), 0.5), np.zeros(1, dtype=int), epsilon)  # checks epsilon

    import keras  # not at module level: importing Keras picks the backend

    class ClipCounter(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.counts = []

        def count(self):
            probabilities = self.model.predict(inputs, verbose=0)
            self.counts.append(count_at_clip(probabilities, labels, epsilon))

        def on_train_begin(self, logs=None):
            self.counts = []
            self.count()

        def on_epoch_end(self, epoch, logs=None):
            self.count()

    return ClipCounter()
