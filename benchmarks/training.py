"""Training speed of the seed lab's two models: first epoch (with tracing) and steady ms/step.

The "obvious" model (Dense 25 relu -> 15 relu -> 4 softmax) and the "preferred" one
(linear output, from_logits=True) on the lab's make_blobs (2000 points, batch 32,
Adam 0.001, 10 epochs), each trained from a fresh model several times.

    python -m benchmarks.training [--quick]
"""

import time
from statistics import median

from ._common import Row, arguments, load, report

EPOCHS, BATCH_SIZE = 10, 32
REFERENCE_MS_PER_STEP = 1.0  # what the original lab printed


def train_once(kind, X, y):
    """``(first epoch seconds, steady-state seconds per step)`` of one fresh training."""
    import keras

    from lab_utils import SEED

    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(25, activation="relu"),
            keras.layers.Dense(15, activation="relu"),
            keras.layers.Dense(4, activation="softmax" if kind == "obvious" else "linear"),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=kind == "preferred"),
        optimizer=keras.optimizers.Adam(0.001),
    )
    epoch_seconds = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.start)

    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0, callbacks=[EpochTimer()])
    steps = -(-len(X) // BATCH_SIZE)
    return epoch_seconds[0], median(epoch_seconds[1:]) / steps


def measure(runs):
    from lab_utils import setup
    from lab_utils.data import make_seed_blobs

    setup()
    import keras  # noqa: F401 - imported (and timed) before the first model

    X, y = make_seed_blobs()
    rows = []
    for kind in ("obvious", "preferred"):
        before = load()
        first, per_step = zip(*(train_once(kind, X, y) for _ in range(runs)), strict=True)
        label = "softmax output" if kind == "obvious" else "linear output, from_logits=True"
        rows.append(
            Row(
                "training",
                f"{kind} model ({label}): steady state, {runs} runs (load {before:.1f})",
                f"{median(per_step) * 1e3:.2f} ms/step",
                f"original lab {REFERENCE_MS_PER_STEP:.0f} ms/step",
                median(per_step) * 1e3 / REFERENCE_MS_PER_STEP,
            )
        )
        rows.append(
            Row(
                "training",
                f"{kind} model: first epoch (63 steps + tracing)",
                f"{median(first):.2f} s",
                "63 steady steps",
                median(first) / (63 * median(per_step)),
            )
        )
    return rows


def main():
    args = arguments(__doc__.splitlines()[0])
    report(measure(runs=2 if args.quick else 5), as_json=args.json)


if __name__ == "__main__":
    main()
