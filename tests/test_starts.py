"""lab_utils.starts: K starts trained in one model train as each would alone, independently.

The same measurements run on both backends: on TensorFlow in this process (the unit suite's
Keras), on JAX in a fresh Python process (Keras picks its backend once per process).

Tolerance, measured (2-core Xeon, Keras 3.15.1, TF 2.21, jax 0.10.2, both backends): a
member's weights differ from the same model's trained alone by at most 2.4e-7 after 10
epochs of the 2000 blobs, and by at most 6e-8 after the 4 epochs on 500 points below; their
exact losses by 8e-9. Two members from the same start differ by up to 3e-8 on TensorFlow
(0 on JAX). The stacked matrix products add in another order than a lone Dense layer, so
the bits may differ; the test allows 1e-5 on every weight and 1e-6 on the loss.
"""

import json
import warnings

import numpy as np
import pytest
from fresh_process import run_fresh

WEIGHT_TOLERANCE = 1e-5
LOSS_TOLERANCE = 1e-6
EPOCHS = 4


def build(output_activation="linear"):
    import keras

    return lambda: keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(25, activation="relu"),
            keras.layers.Dense(15, activation="relu"),
            keras.layers.Dense(4, activation=output_activation),
        ]
    )


def build_regression():
    import keras

    return keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(4)])


def train_alone(weights, x, y, order, output_activation, from_logits, builder=None):
    """The same member as a plain Keras model, fit epoch by epoch on the same batches."""
    import keras

    model = (builder or build(output_activation))()
    model.set_weights(weights)
    model.compile(
        optimizer=keras.optimizers.Adam(0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
    )
    trajectory = [model.get_weights()]
    for rows in order:
        model.fit(x[rows], y[rows], batch_size=32, epochs=1, shuffle=False, verbose=0)
        trajectory.append(model.get_weights())
    return trajectory


def largest_difference(a, b):
    return max(
        float(np.max(np.abs(np.asarray(u, np.float64) - v))) for u, v in zip(a, b, strict=True)
    )


def measure():
    """Train 3 starts of two routes together, and two of them alone; report the differences."""
    import keras

    from lab_utils.data import make_seed_blobs
    from lab_utils.starts import (
        exact_loss_and_accuracy,
        forward_logits,
        initial_weights,
        shuffled_epochs,
        train_starts,
    )

    x, y = make_seed_blobs(n=500)
    order = shuffled_epochs(len(x), EPOCHS, seed=7)
    starts = initial_weights(build(), 3, seed=7)
    starts = [starts[0], starts[1], starts[0]]  # member 2 starts where member 0 does
    losses = keras.losses.SparseCategoricalCrossentropy
    routes = {
        "obvious": (build("softmax"), losses()),
        "preferred": (build(), losses(from_logits=True)),
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = train_starts(routes, starts, {name: x for name in routes}, y, order)
    alone = {k: train_alone(starts[k], x, y, order, "linear", True) for k in (0, 1)}
    preferred, obvious = runs["preferred"], runs["obvious"]
    # routes of two architectures, each from its own starts, scored on held-out data
    x_val, y_val = make_seed_blobs(n=200, random_state=11)
    own_starts = {"network": starts[:2], "regression": initial_weights(build_regression, 3, 8)}
    mixed = train_starts(
        {
            "network": (build(), losses(from_logits=True)),
            "regression": (build_regression, losses(from_logits=True)),
        },
        own_starts,
        x,
        y,
        order,
        validation=(x_val, y_val),
    )
    regression_alone = train_alone(
        own_starts["regression"][2], x, y, order, "linear", True, build_regression
    )
    val_scores = [
        exact_loss_and_accuracy(forward_logits(w, x_val, ()), y_val)
        for w in mixed["regression"][2].weights[1:]
    ]
    alone_loss = {
        k: exact_loss_and_accuracy(forward_logits(alone[k][-1], x, ("relu", "relu")), y)[0]
        for k in alone
    }
    return {
        "backend": keras.backend.backend(),
        "warnings": [str(warning.message) for warning in caught],
        "epochs": [len(start.weights) - 1 for start in preferred],
        "start_is_the_given_weights": largest_difference(preferred[1].weights[0], starts[1]),
        "member_vs_alone": {
            k: [largest_difference(preferred[k].weights[e], alone[k][e]) for e in range(EPOCHS + 1)]
            for k in alone
        },
        "loss_vs_alone": {k: abs(preferred[k].history["loss"][-1] - alone_loss[k]) for k in alone},
        "history_is_exact_loss": abs(
            preferred[1].history["loss"][-1] - exact_loss_and_accuracy(preferred[1].logits(x), y)[0]
        ),
        "same_start_same_run": largest_difference(
            preferred[0].weights[-1], preferred[2].weights[-1]
        ),
        "other_start_other_run": largest_difference(
            preferred[0].weights[-1], preferred[1].weights[-1]
        ),
        "other_start_other_loss": abs(
            preferred[0].history["loss"][-1] - preferred[1].history["loss"][-1]
        ),
        "obvious_vs_preferred": max(
            largest_difference(o.weights[-1], p.weights[-1])
            for o, p in zip(obvious, preferred, strict=True)
        ),
        "outputs_are_keras_probabilities": float(
            np.max(np.abs(obvious[0].outputs.sum(axis=1) - 1))
        ),
        "outputs_match_the_logits": float(
            np.max(np.abs(preferred[0].outputs - preferred[0].logits(x)))
        ),
        "loss_falls": [start.history["loss"][-1] < start.history["loss"][0] for start in preferred],
        "members_per_route": {name: len(route) for name, route in mixed.items()},
        "mixed_network_vs_together": largest_difference(
            mixed["network"][1].weights[-1], preferred[1].weights[-1]
        ),
        "mixed_regression_vs_alone": [
            largest_difference(w, a)
            for w, a in zip(mixed["regression"][2].weights, regression_alone, strict=True)
        ],
        "val_history_vs_exact": max(
            max(abs(a - b[0]), abs(c - b[1]))
            for a, c, b in zip(
                mixed["regression"][2].history["val_loss"],
                mixed["regression"][2].history["val_accuracy"],
                val_scores,
                strict=True,
            )
        ),
        "val_differs_from_training": abs(
            mixed["regression"][2].history["val_loss"][-1]
            - mixed["regression"][2].history["loss"][-1]
        ),
        "val_epochs": len(mixed["network"][0].history["val_loss"]),
    }


@pytest.fixture(scope="module", params=["tensorflow", "jax"])
def measured(request):
    if request.param == "tensorflow":
        import keras

        if keras.backend.backend() != "tensorflow":  # pragma: no cover - the suite runs on TF
            return run_fresh(__file__, backend="tensorflow")
        return measure()
    return run_fresh(__file__, backend=request.param)


def test_the_measurement_ran_on_each_backend(measured, request):
    assert measured["backend"] == request.node.callspec.params["measured"]
    assert measured["epochs"] == [EPOCHS] * 3
    assert measured["start_is_the_given_weights"] == 0


def test_training_together_warns_of_nothing(measured):
    assert measured["warnings"] == []  # Keras warns when the inputs' names do not match


def test_a_member_trains_as_the_same_model_alone(measured):
    for k, differences in measured["member_vs_alone"].items():
        assert differences[0] == 0, f"member {k} did not start from its weights"
        assert max(differences) < WEIGHT_TOLERANCE, f"member {k}: {differences}"
        assert measured["loss_vs_alone"][k] < LOSS_TOLERANCE


def test_members_are_independent(measured):
    assert measured["same_start_same_run"] < WEIGHT_TOLERANCE
    assert measured["other_start_other_run"] > 100 * WEIGHT_TOLERANCE
    assert measured["other_start_other_loss"] > 100 * LOSS_TOLERANCE
    assert all(measured["loss_falls"])


def test_the_history_is_the_exact_loss_of_each_epochs_weights(measured):
    assert measured["history_is_exact_loss"] == 0


def test_outputs_are_what_keras_computes_for_each_route(measured):
    assert measured["outputs_are_keras_probabilities"] < 1e-6
    assert measured["outputs_match_the_logits"] < 1e-4


def test_the_tensorflow_rescue_holds_inside_the_stacked_model(measured):
    if measured["backend"] == "tensorflow":
        assert measured["obvious_vs_preferred"] == 0  # one computation, as in notebook 03
    else:  # JAX computes the obvious loss from probabilities: other roundings
        assert 0 < measured["obvious_vs_preferred"] < 1e-4


def test_routes_of_other_architectures_train_from_their_own_starts(measured):
    assert measured["members_per_route"] == {"network": 2, "regression": 3}
    assert measured["mixed_network_vs_together"] < WEIGHT_TOLERANCE  # no effect of the other
    differences = measured["mixed_regression_vs_alone"]
    assert differences[0] == 0 and max(differences) < WEIGHT_TOLERANCE, differences


def test_validation_history_is_the_exact_score_of_each_epochs_weights(measured):
    assert measured["val_epochs"] == EPOCHS
    assert measured["val_history_vs_exact"] == 0
    assert measured["val_differs_from_training"] > 0  # scored on the held-out points


# --- input checks (no training) ------------------------------------------------------


def test_shuffled_epochs_are_permutations_fixed_by_the_seed():
    from lab_utils.starts import shuffled_epochs

    order = shuffled_epochs(50, 3, seed=1)
    assert order.shape == (3, 50)
    assert all(np.array_equal(np.sort(row), np.arange(50)) for row in order)
    assert not np.array_equal(order[0], order[1])
    np.testing.assert_array_equal(order, shuffled_epochs(50, 3, seed=1))
    assert not np.array_equal(order, shuffled_epochs(50, 3, seed=2))


def test_initial_weights_are_glorot_kernels_and_zero_biases_per_start():
    from lab_utils.starts import initial_weights

    five = initial_weights(build(), 5, seed=3)
    assert [w.shape for w in five[0]] == [(2, 25), (25,), (25, 15), (15,), (15, 4), (4,)]
    assert all(w.dtype == np.float32 for w in five[0])
    for kernel in five[0][0::2]:
        assert np.max(np.abs(kernel)) <= np.sqrt(6 / sum(kernel.shape))
    assert all(not np.any(bias) for bias in five[0][1::2])
    assert largest_difference(five[0], five[1]) > 0.1  # independent starts
    two = initial_weights(build(), 2, seed=3)  # start k does not depend on how many
    assert largest_difference(two[1], five[1]) == 0


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((50.0, 3, 1), TypeError, "num_examples must be an integer"),
        ((0, 3, 1), ValueError, "num_examples must be at least 1"),
        ((50, 0, 1), ValueError, "epochs must be at least 1"),
        ((50, 3, -1), ValueError, "seed must be at least 0"),
        ((50, True, 1), TypeError, "epochs must be an integer"),
    ],
)
def test_shuffled_epochs_names_bad_input(args, error, message):
    from lab_utils.starts import shuffled_epochs

    with pytest.raises(error, match=message):
        shuffled_epochs(*args)


def test_initial_weights_names_bad_input():
    import keras

    from lab_utils.starts import initial_weights

    with pytest.raises(TypeError, match="build_member must be a function"):
        initial_weights(build()(), 2, seed=0)
    with pytest.raises(TypeError, match="build_member must return a Keras model"):
        initial_weights(lambda: "model", 2, seed=0)
    with pytest.raises(ValueError, match="starts must be at least 1"):
        initial_weights(build(), 0, seed=0)
    conv = keras.Sequential([keras.Input(shape=(4, 1)), keras.layers.Conv1D(2, 3)])
    with pytest.raises(ValueError, match="build_member's model must be Dense layers"):
        initial_weights(lambda: conv, 2, seed=0)


@pytest.fixture(scope="module")
def tiny():
    import keras

    from lab_utils.starts import initial_weights, shuffled_epochs

    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    y = np.arange(20) % 4
    routes = {"p": (build(), keras.losses.SparseCategoricalCrossentropy(from_logits=True))}
    return routes, initial_weights(build(), 2, seed=0), x, y, shuffled_epochs(20, 2, seed=0)


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"routes": {}}, TypeError, "routes must be a non-empty dict"),
        ({"routes": {"p": "model"}}, TypeError, r"routes\['p'\] must be a pair"),
        ({"starts": []}, TypeError, "starts must be a non-empty list"),
        ({"starts": "weights"}, TypeError, "starts must be a non-empty list"),
        ({"x": np.zeros(20, np.float32)}, ValueError, "x must be a 2-D float array"),
        ({"x": np.zeros((20, 2), int)}, ValueError, "x must be a 2-D float array"),
        ({"x": np.zeros((20, 3), np.float32)}, ValueError, "x has 3 features"),
        ({"x": {"q": np.zeros((20, 2), np.float32)}}, ValueError, "x must be one array, or a dict"),
        ({"y": np.zeros(19, int)}, ValueError, "y must be 20 integer class labels"),
        ({"y": np.zeros(20)}, ValueError, "y must be 20 integer class labels"),
        (
            {"epoch_order": np.zeros((2, 20), int)},
            ValueError,
            "epoch_order must hold one permutation",
        ),
        ({"epoch_order": np.arange(20)}, ValueError, "epoch_order must hold one permutation"),
        ({"batch_size": 0}, ValueError, "batch_size must be at least 1"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be a positive number"),
    ],
)
def test_train_starts_names_bad_input(tiny, change, error, message):
    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    arguments = {"routes": routes, "starts": starts, "x": x, "y": y, "epoch_order": order}
    options = {key: change.pop(key) for key in ("batch_size", "learning_rate") if key in change}
    arguments.update(change)
    with pytest.raises(error, match=message):
        train_starts(**arguments, **options)


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"starts": {"q": []}}, ValueError, r"starts must be one list, or a dict with the keys"),
        ({"starts": {"p": []}}, TypeError, r"starts\['p'\] must be a non-empty list"),
        ({"validation": np.zeros((5, 2))}, TypeError, "validation must be a pair"),
        (
            {"validation": (np.zeros((5, 3), np.float32), np.zeros(5, int))},
            ValueError,
            "validation's x has 3 features",
        ),
        (
            {"validation": (np.zeros(5, np.float32), np.zeros(5, int))},
            ValueError,
            "validation's x must be a 2-D float array",
        ),
        (
            {"validation": (np.zeros((5, 2), np.float32), np.zeros(4, int))},
            ValueError,
            "validation's y must be 5 integer class labels",
        ),
    ],
)
def test_per_route_starts_and_validation_name_bad_input(tiny, change, error, message):
    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    arguments = {"routes": routes, "starts": starts, "x": x, "y": y, "epoch_order": order}
    arguments.update(change)
    with pytest.raises(error, match=message):
        train_starts(**arguments)


def test_starts_of_the_wrong_shape_are_named(tiny):
    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    with pytest.raises(ValueError, match=r"starts\[1\] has weights of shapes"):
        train_starts(routes, [starts[0], starts[1][:4]], x, y, order)


def recorded_calls(monkeypatch, cls, name):
    """A list that gets the keyword arguments of every call of ``cls.name`` from now on."""
    calls = []
    method = getattr(cls, name)
    monkeypatch.setattr(cls, name, lambda self, *a, **k: calls.append(k) or method(self, *a, **k))
    return calls


def test_train_starts_calls_fit_once_for_all_epochs(tiny, monkeypatch):
    """Each fit call costs a fixed overhead (a new data iterator): one call, not one per epoch."""
    import keras

    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    calls = recorded_calls(monkeypatch, keras.Model, "fit")
    runs = train_starts(routes, starts, x, y, order)
    assert len(calls) == 1
    assert [len(run.weights) for run in runs["p"]] == [len(order) + 1] * len(starts)


def test_train_starts_traces_the_training_step_once(tiny, monkeypatch):
    """Each trace of the training step costs about half a CPU-second for these models."""
    import keras

    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    traced = recorded_calls(monkeypatch, keras.Model, "train_step")
    train_starts({**routes, "q": routes["p"]}, starts, x, y, order)  # two outputs, two losses
    assert len(traced) == 1


def test_keras_outputs_are_predicted_once_and_only_when_asked_for(tiny, monkeypatch):
    """A predict costs a trace of its own; most lessons never read Keras' outputs."""
    import keras

    from lab_utils.starts import train_starts

    routes, starts, x, y, order = tiny
    calls = recorded_calls(monkeypatch, keras.Model, "predict")
    runs = train_starts(routes, starts, x, y, order)
    assert calls == []
    first, second = runs["p"][0].outputs, runs["p"][1].outputs
    assert len(calls) == 1
    assert first.shape == second.shape == (len(x), 4)
    assert runs["p"][0].outputs is first


def fit_seeded(x, y, epochs, speed_up):
    import keras

    from lab_utils.starts import one_call_per_epoch

    keras.utils.set_random_seed(3)
    model = build()()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    if speed_up:
        assert one_call_per_epoch(model, len(x)) is model
    during = []
    keep = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: during.append(model.steps_per_execution)
    )
    history = model.fit(x, y, epochs=epochs, verbose=0, callbacks=[keep])
    return (
        during[0],
        model.steps_per_execution,
        history.history,
        model.get_weights(),
        model.predict(x, verbose=0),
    )


def test_one_call_per_epoch_changes_no_number():
    x = np.random.default_rng(1).normal(size=(100, 2)).astype(np.float32)  # 3 batches and 4
    y = np.arange(100) % 4
    during, after, history, weights, outputs = fit_seeded(x, y, 3, speed_up=False)
    during_fast, after_fast, history_fast, weights_fast, outputs_fast = fit_seeded(
        x, y, 3, speed_up=True
    )
    assert (during, during_fast) == (1, 4)  # 4 batches per call while fitting
    assert after_fast == 1  # and one per call again for predict and evaluate
    assert history_fast == history  # exact: loss and accuracy
    assert set(history) == {"loss", "accuracy"}
    for a, b in zip(weights_fast, weights, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(outputs_fast, outputs)


def test_one_call_per_epoch_makes_one_data_iterator_per_epoch(monkeypatch):
    """A plain fit over arrays makes two iterators per epoch, each about 20 ms of CPU."""
    import keras
    import tensorflow as tf

    from lab_utils.starts import one_call_per_epoch

    x = np.random.default_rng(1).normal(size=(100, 2)).astype(np.float32)
    y = np.arange(100) % 4
    made = recorded_calls(monkeypatch, tf.data.Dataset, "__iter__")
    model = one_call_per_epoch(build()(), len(x))
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(True))
    model.fit(x, y, epochs=5, verbose=0)
    assert len(made) == 5 + 1  # Keras makes the next epoch's at the end of each
    made.clear()
    model.fit(x[:50], y[:50], epochs=5, verbose=0)  # not the rows it was told: plain fit
    assert len(made) == 2 * 5


def test_one_call_per_epoch_traces_the_training_step_once(monkeypatch):
    """Keras creates Adam's slots and the metrics' totals in the first trace of the step;
    TensorFlow, seeing variables made, traces it again: about half a CPU-second per fit."""
    import keras

    from lab_utils.starts import one_call_per_epoch

    x = np.random.default_rng(1).normal(size=(100, 2)).astype(np.float32)
    y = np.arange(100) % 4
    traced = recorded_calls(monkeypatch, keras.Model, "train_step")
    model = one_call_per_epoch(build()(), len(x))
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=2, verbose=0)
    assert len(traced) == 1
    model.fit(x, y, epochs=2, verbose=0)  # the next fit reuses the trace
    assert len(traced) == 1


def test_one_call_per_epoch_names_bad_input():

    from lab_utils.starts import one_call_per_epoch

    with pytest.raises(TypeError, match="model must be a Keras model"):
        one_call_per_epoch("model", 10)
    model = build()()
    with pytest.raises(ValueError, match="num_examples must be at least 1"):
        one_call_per_epoch(model, 0)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        one_call_per_epoch(model, 10, batch_size=3.5)


if __name__ == "__main__":  # the fresh process run_fresh starts
    print(json.dumps(measure()))
