"""The lab's blobs."""

import numpy as np
import pytest

from lab_utils.data import CENTERS, CLUSTER_STD, NUM_CLASSES, make_seed_blobs


def test_the_original_labs_data_set():
    X, y = make_seed_blobs()
    assert X.shape == (2000, 2) and X.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [500, 500, 500, 500])


def test_each_class_sits_around_its_centre():
    X, y = make_seed_blobs()
    for label, centre in enumerate(CENTERS):
        points = X[y == label]
        np.testing.assert_allclose(points.mean(axis=0), centre, atol=0.15)
        np.testing.assert_allclose(points.std(axis=0), CLUSTER_STD, atol=0.1)


def test_same_points_every_call_and_matches_make_blobs():
    from sklearn.datasets import make_blobs

    X, y = make_seed_blobs()
    X_ref, y_ref = make_blobs(
        n_samples=2000,
        centers=[[-5, 2], [-2, -2], [1, 2], [5, -2]],
        cluster_std=1.0,
        random_state=30,
    )
    np.testing.assert_array_equal(X, X_ref.astype(np.float32))
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(make_seed_blobs()[0], X)


def test_size_and_spread_can_change():
    X, y = make_seed_blobs(n=40, std=0.1)
    assert X.shape == (40, 2) and set(y) == set(range(NUM_CLASSES))
    assert np.abs(X - np.array(CENTERS, dtype=np.float32)[y]).max() < 1.0


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n": 3}, ValueError, "n must be at least 4"),
        ({"n": 10.5}, TypeError, "n must be an integer"),
        ({"n": True}, TypeError, "n must be an integer"),
        ({"std": 0}, ValueError, "std must be a positive, finite number"),
        ({"std": float("inf")}, ValueError, "std must be a positive, finite number"),
        ({"std": "wide"}, TypeError, "std must be a number"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_seed_blobs(**kwargs)
