"""The lab's data set: four Gaussian blobs in the plane, one per class.

Every notebook that trains on "the blobs" calls `make_seed_blobs()`, so they all
train on the same 2000 points as the original lab.
"""

import numpy as np

from ._validate import as_int, as_number

#: One centre per class, in class order (class 0 at [-5, 2], ...).
CENTERS = ((-5.0, 2.0), (-2.0, -2.0), (1.0, 2.0), (5.0, -2.0))
NUM_CLASSES = len(CENTERS)
CLUSTER_STD = 1.0
#: The original lab's `random_state`: the same points on every machine.
RANDOM_STATE = 30


def make_seed_blobs(
    n: int = 2000, *, std: float = CLUSTER_STD, random_state: int = RANDOM_STATE
) -> tuple[np.ndarray, np.ndarray]:
    """The lab's blobs: ``X`` (n, 2) float32 features and ``y`` (n,) int64 class labels 0..3.

    A thin wrapper around ``sklearn.datasets.make_blobs`` with the lab's centres.
    With the defaults it returns the original lab's 2000 points.
    """
    from sklearn.datasets import make_blobs  # only the notebooks that train need scikit-learn

    n = as_int(n, "n", low=NUM_CLASSES)  # one point per class at least
    std = as_number(std, "std", above=0)
    X, y = make_blobs(
        n_samples=n, centers=np.array(CENTERS), cluster_std=std, random_state=random_state
    )
    return X.astype(np.float32), y.astype(np.int64)
