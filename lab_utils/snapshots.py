"""Decision boundaries recorded during training: `BoundarySnapshots` and its Keras callback.

Records the class of every point of a fixed grid, epoch by epoch, for notebook 04's
small multiples (`lab_utils.boundaries.boundaries_over_training`) and its epoch slider
(`lab_utils.epoch_widget`). Keras is imported only when `BoundarySnapshots.keras_callback`
is called: importing this module never picks a Keras backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .regions import GRID_RESOLUTION, MARGIN, ScoreFunction, check_points, scores_at

if TYPE_CHECKING:
    import keras


class BoundarySnapshots:
    """The class of every point of a fixed grid, recorded epoch by epoch during training.

    ``record(epoch, predict_fn, logs)`` stores one snapshot; ``keras_callback()``
    returns a Keras callback that records before training (epoch 0) and after every
    epoch, with the epoch's logs (loss, accuracy). The grid is the one
    ``decision_boundary`` draws: the data's extent plus ``margin`` on each side.
    """

    def __init__(
        self, X: ArrayLike, *, grid_resolution: int = GRID_RESOLUTION // 2, margin: float = MARGIN
    ) -> None:
        X = check_points(X)
        if not isinstance(grid_resolution, int) or grid_resolution < 2:
            raise ValueError(
                f"grid_resolution must be an integer of at least 2, got {grid_resolution!r}"
            )
        # the same grid DecisionBoundaryDisplay.from_estimator lays (it cannot be asked for
        # one before the model exists, and the snapshots are taken during training)
        low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
        self.xx0, self.xx1 = np.meshgrid(
            np.linspace(low[0], high[0], grid_resolution),
            np.linspace(low[1], high[1], grid_resolution),
        )
        self.points = np.c_[self.xx0.ravel(), self.xx1.ravel()]
        self.epochs, self.regions, self.logs = [], [], []
        self.n_classes = None

    def record(
        self, epoch: int, predict_fn: ScoreFunction, logs: Mapping[str, float] | None = None
    ) -> None:
        """Store the class ``predict_fn`` gives each grid point at ``epoch``."""
        if self.epochs and epoch <= self.epochs[-1]:
            raise ValueError(f"epoch must increase: {epoch} follows {self.epochs[-1]}")
        scores = scores_at(predict_fn, self.points)
        if self.n_classes is None:
            self.n_classes = scores.shape[1]
        self.epochs.append(int(epoch))
        self.regions.append(scores.argmax(axis=1).reshape(self.xx0.shape).astype(np.int8))
        self.logs.append({name: float(value) for name, value in (logs or {}).items()})

    def history(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(epochs, values)`` of one logged quantity (``"loss"``, ``"accuracy"``...)."""
        pairs = [
            (e, log[name]) for e, log in zip(self.epochs, self.logs, strict=True) if name in log
        ]
        if not pairs:
            logged = sorted({key for log in self.logs for key in log})
            raise ValueError(f"{name!r} was not logged; the logs hold {logged}")
        epochs, values = zip(*pairs, strict=True)
        return np.array(epochs), np.array(values)

    def keras_callback(self) -> keras.callbacks.Callback:
        """A Keras callback that records into these snapshots during ``fit``."""
        import keras  # here, not at import time: lab_utils never imports TensorFlow itself

        snapshots = self

        class RecordBoundaries(keras.callbacks.Callback):
            # predict_on_batch runs the model as one compiled call: the grid is one batch,
            # and an eager model(points) spends twice the CPU per snapshot
            def on_train_begin(self, logs=None):
                if not snapshots.epochs:
                    snapshots.record(0, self.model.predict_on_batch)

            def on_epoch_end(self, epoch, logs=None):
                snapshots.record(snapshots.epochs[-1] + 1, self.model.predict_on_batch, logs)

        return RecordBoundaries()


def snapshot_index(snapshots: BoundarySnapshots, epoch: int) -> int:
    """Position of the snapshot showing the model at ``epoch``: the last one taken by then."""
    if not snapshots.epochs:
        raise ValueError("no snapshots recorded yet: pass keras_callback() to fit()")
    first, last = snapshots.epochs[0], snapshots.epochs[-1]
    if not isinstance(epoch, (int, np.integer)) or not first <= epoch <= last:
        raise ValueError(
            f"epoch must be an integer from {first} to {last} (the recorded epochs), got {epoch!r}"
        )
    return int(np.searchsorted(snapshots.epochs, epoch, side="right")) - 1


def epoch_caption(snapshots: BoundarySnapshots, epoch: int) -> str:
    """``"epoch 12 of 200: loss 0.734, accuracy 0.860"`` (what was logged at that epoch)."""
    index = snapshot_index(snapshots, epoch)
    epoch = snapshots.epochs[index]
    text = f"epoch {epoch} of {snapshots.epochs[-1]}"
    log = snapshots.logs[index]
    if not log:
        return text + " (before training)"
    names = sorted(log, key=lambda name: (name != "loss", name))  # loss first
    metrics = ", ".join(f"{name} {log[name]:.3f}" for name in names)
    return f"{text}: {metrics}"
