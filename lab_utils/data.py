"""The lab's data set: four Gaussian blobs in the plane, one per class.

Every notebook that trains on "the blobs" calls `make_seed_blobs()`, so they all
train on the same 2000 points as the original lab.
"""

import numpy as np

#: One centre per class, in class order (class 0 at [-5, 2], ...).
CENTERS = ((-5.0, 2.0), (-2.0, -2.0), (1.0, 2.0), (5.0, -2.0))
NUM_CLASSES = len(CENTERS)
CLUSTER_STD = 1.0
#: The original lab's `random_state`: the same points on every machine.
RANDOM_STATE = 30


def make_seed_blobs(n=2000, *, std=CLUSTER_STD, random_state=RANDOM_STATE):
    """The lab's blobs: ``X`` (n, 2) float32 features and ``y`` (n,) int64 class labels 0..3.

    A thin wrapper around ``sklearn.datasets.make_blobs`` with the lab's centres.
    With the defaults it returns the original lab's 2000 points.
    """
    from sklearn.datasets import make_blobs  # only the notebooks that train need scikit-learn

    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"n must be an integer number of points, got {n!r}")
    if n < NUM_CLASSES:
        raise ValueError(f"n must be at least {NUM_CLASSES} (one point per class), got {n}")
    if isinstance(std, bool) or not isinstance(std, (int, float, np.floating)) or not std > 0:
        raise ValueError(f"std must be a positive number, got {std!r}")
    X, y = make_blobs(n_samples=int(n), centers=np.array(CENTERS), cluster_std=float(std),
                      random_state=random_state)
    return X.astype(np.float32), y.astype(np.int64)
