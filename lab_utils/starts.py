"""Several starts of a classifier trained together: one Keras model, one ``fit``.

A number from one training run is one draw: the start (the initial weights) and the batch
order move it. To report the spread over K starts without K times the wait, `train_starts`
stacks the K copies (the *members*) of each model into one Keras layer, whose one variable
holds every member's kernels and biases; the outputs of all members come out side by side,
shape (examples, members, classes). The loss is the sum of the members' own losses.
No weight is shared, so the gradient with respect to a member's weights is the gradient of
that member's loss alone, and Adam's updates are elementwise: each member trains as it
would alone, on the same batches. (Not always to the last bit: a stacked matrix product may
add in another order; `tests/test_starts.py` measures how close.)

The starts are drawn in NumPy (`initial_weights`) and the batch order is fixed in NumPy
(`shuffled_epochs`), so the TensorFlow and the JAX backend train from the same weights on
the same batches.

A member is a classifier: ``Dense`` layers, the last one giving the logits (before its
activation), optionally followed by layers without weights (a ``Lambda``, say). Every
route is judged by the same exact loss: the cross-entropy of the logits, in float64.

Keras is imported inside the functions only: importing this module picks no backend.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np

from ._validate import as_int
from .numerics import sparse_categorical_crossentropy
from .routes import (
    NUMPY_ACTIVATIONS,
    architecture,
    check_inputs,
    check_labels_and_order,
    check_routes,
    check_validation,
    starts_per_route,
    weight_shapes,
)


@dataclass(frozen=True)
class Start:
    """One member's run: its weights after every epoch, its exact loss, its last outputs."""

    weights: list  #: weights[e]: the member's weights after epoch e (weights[0]: the start)
    #: per epoch 1, 2, ...: "loss" (exact cross-entropy of the logits), "accuracy", and with
    #: validation data "val_loss", "val_accuracy"
    history: dict
    activations: tuple  #: the activations of the Dense layers before the last
    keras_outputs: Callable[[], np.ndarray] = field(repr=False, compare=False)

    @cached_property
    def outputs(self):
        """The trained member's outputs for x, computed by Keras (on first use: a predict)."""
        return self.keras_outputs()

    def logits(self, x, epoch=-1):
        """The member's logits for ``x`` after ``epoch`` (default: the end), in float64."""
        return forward_logits(self.weights[epoch], x, self.activations)


def forward_logits(weights, x, activations):
    """Logits of a stack of Dense layers in float64 NumPy; ``weights`` as Keras lists them.

    ``activations`` names the activation of each Dense layer but the last (whose output,
    before any activation, is the logits). Weights stacked along a first axis (kernels
    (S, inputs, units), biases (S, 1, units)) give the logits of all S at once, shape
    (S, examples, classes).
    """
    h = np.asarray(x, dtype=np.float64)
    if len(weights) != 2 * (len(activations) + 1):
        raise ValueError(
            f"weights must hold a kernel and a bias for each of the "
            f"{len(activations) + 1} Dense layers, got {len(weights)} arrays"
        )
    kernels, biases = weights[0::2], weights[1::2]
    for kernel, bias, activation in zip(kernels, biases, (*activations, "linear"), strict=True):
        h = NUMPY_ACTIVATIONS[activation](h @ np.asarray(kernel, np.float64) + bias)
    return h


def exact_loss_and_accuracy(logits, y):
    """Mean cross-entropy of ``logits`` (exact, no clip) and the accuracy of their argmax."""
    return (
        float(np.mean(sparse_categorical_crossentropy(y, logits, from_logits=True))),
        float(np.mean(np.argmax(logits, axis=-1) == y)),
    )


def shuffled_epochs(num_examples, epochs, seed):
    """The batch order of every epoch: row e is a permutation of the examples for epoch e.

    Training on ``x[row]`` with ``shuffle=False`` gives any backend the same batches.
    """
    num_examples = as_int(num_examples, "num_examples", low=1)
    epochs = as_int(epochs, "epochs", low=1)
    seed = as_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(num_examples) for _ in range(epochs)])


def initial_weights(build_member, starts, seed):
    """``starts`` independent sets of initial weights for the model ``build_member()`` returns.

    Drawn as Keras' ``Dense`` draws them by default: each kernel, of shape (inputs, units),
    Glorot-uniform within +-sqrt(6 / (inputs + units)); each bias zero. Start k comes from
    its own stream of ``seed``, so it is the same whatever the number of starts.
    """
    dense, _ = architecture(build_member)
    starts = as_int(starts, "starts", low=1)
    seed = as_int(seed, "seed", low=0)
    draws = []
    for stream in np.random.SeedSequence(seed).spawn(starts):
        rng = np.random.default_rng(stream)
        weights = []
        for shape in weight_shapes(dense):
            if len(shape) == 2:
                limit = np.sqrt(6 / (shape[0] + shape[1]))
                weights.append(rng.uniform(-limit, limit, size=shape).astype(np.float32))
            else:
                weights.append(np.zeros(shape, np.float32))
        draws.append(weights)
    return draws


def _stacked_members_class():
    import keras

    class StackedMembers(keras.layers.Layer):
        """K members' Dense layers side by side: (examples, inputs) -> (examples, K, units).

        All their kernels and biases live in one variable of shape (K, weights per member):
        Adam's update is elementwise, so one variable trains exactly as six would, and
        the training step Keras traces is shorter (measurably less time before the first
        batch).
        """

        def __init__(self, starts, dense, **kwargs):
            super().__init__(**kwargs)
            self.layout = [
                (kernel, keras.activations.get(activation)) for _, activation, kernel in dense
            ]
            flat = np.stack([np.concatenate([np.ravel(w) for w in weights]) for weights in starts])
            self.packed = self.add_weight(shape=flat.shape, name="weights")
            self.packed.assign(flat)

        def call(self, inputs):
            h, members = inputs, self.packed.shape[0]
            for (kernel, bias), (shape, activation) in zip(
                unpack(self.packed, self.layout), self.layout, strict=True
            ):
                spec = "bi,kio->bko" if len(h.shape) == 2 else "bki,kio->bko"
                kernel = keras.ops.reshape(kernel, (members, *shape))
                h = activation(keras.ops.einsum(spec, h, kernel) + bias)
            return h  # Keras' own activations: TensorFlow's softmax rescue still applies

        def member_weights(self):
            """Each member's weights as NumPy arrays, in the order Keras lists a Dense stack's."""
            pairs = unpack(np.asarray(self.packed), self.layout)
            return [
                [
                    w
                    for (kernel, bias), (shape, _) in zip(pairs, self.layout, strict=True)
                    for w in (kernel[k].reshape(shape), bias[k])
                ]
                for k in range(self.packed.shape[0])
            ]

    return StackedMembers


def unpack(packed, layout):
    """``[(kernels, biases)]`` per Dense layer: column slices of the (K, weights) ``packed``."""
    pairs, start = [], 0
    for (inputs, units), _ in layout:
        pairs.append(
            (
                packed[:, start : start + inputs * units],
                packed[:, start + inputs * units : start + (inputs + 1) * units],
            )
        )
        start += (inputs + 1) * units
    return pairs


def _summed_over_members(loss, members):
    """Route ``loss`` over (examples, members): the sum of each member's mean over examples."""

    def summed(y_true, y_pred):
        return loss(y_true, y_pred) * members  # the loss averages over examples and members

    return summed


def _build_training_state(model, x, y):
    """Create the optimizer's and the compiled loss's and metrics' variables before ``fit``.

    On TensorFlow Keras creates them inside the first trace of the training step, and
    TensorFlow, having seen variables made, traces the step a second time (about half a
    CPU-second for the lessons' models). Made here, eagerly, from one small batch ``x``
    (an array, or a dict of arrays) and ``y``: one trace, the same numbers.
    """
    if not model.compiled or not model.built:  # an unbuilt model would draw its weights here
        return
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    predicted = model(x)
    model.compute_loss(x, y, predicted, training=False)
    model.compute_metrics(x, y, predicted, sample_weight=None)
    model.reset_metrics()  # fit resets them too; evaluate and a fit without epochs do not


def one_call_per_epoch(model, num_examples, batch_size=32):
    """Make ``model.fit`` hand the backend a whole epoch of batches per call; return ``model``.

    During each ``fit`` of ``model`` (compiled or not), ``steps_per_execution`` is the number
    of batches of ``num_examples`` examples in batches of ``batch_size``; outside ``fit`` it
    is 1 again, so ``predict`` and ``evaluate`` run as before (a loop over an epoch's batches
    costs them more to trace than it saves). A ``fit`` on an array of ``num_examples`` rows is
    also told its ``steps_per_epoch``: Keras then makes one iterator over the arrays per epoch,
    not two (each one instantiates the input pipeline's functions: about 20 ms), and the
    optimizer's and metrics' variables are made before the step is first traced. The batches,
    the steps and every number stay those of a plain ``fit`` (``tests/test_starts.py``); only
    overhead goes, and callbacks run per epoch as before (a per-batch callback would run once
    per call). A speed-up kept out of the notebooks' model code.
    """
    if not hasattr(model, "fit") or not hasattr(model, "steps_per_execution"):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    num_examples = as_int(num_examples, "num_examples", low=1)
    batch_size = as_int(batch_size, "batch_size", low=1)
    fit = model.fit

    def fit_one_call_per_epoch(*args, **kwargs):
        fit_batch_size = kwargs.get("batch_size") or batch_size
        steps = -(-num_examples // fit_batch_size)
        x = args[0] if args else kwargs.get("x")
        if (
            tuple(getattr(x, "shape", ()))[:1] == (num_examples,)
            and kwargs.get("steps_per_epoch") is None
            and not kwargs.get("validation_split")
        ):
            # batch_size too: given only steps_per_epoch, Keras would cut num/steps-sized batches
            kwargs.update(steps_per_epoch=steps, batch_size=fit_batch_size)
            y = args[1] if len(args) > 1 else kwargs.get("y")
            if y is not None:
                _build_training_state(model, x[:1], y[:1])
        model.steps_per_execution = steps
        try:
            return fit(*args, **kwargs)
        finally:
            model.steps_per_execution = 1

    model.fit = fit_one_call_per_epoch
    return model


def train_starts(
    routes, starts, x, y, epoch_order, *, validation=None, batch_size=32, learning_rate=0.001
):
    """Train every route from every start, all in one Keras model; return their runs.

    ``routes`` maps a name to ``(build_member, loss)``: ``build_member()`` returns a new
    Keras model of one member, ``loss`` is the Keras loss it trains on. ``x`` is one input
    array for all routes, or a dict of arrays of one shape, one per route. ``starts`` is a list
    of K weight lists (`initial_weights`) every route trains from, or a dict of such lists,
    one per route (routes of other architectures, each from its own starts). Training is
    Adam(``learning_rate``) on ``x[epoch_order[e]], y[epoch_order[e]]`` in epoch e, in
    batches of ``batch_size``, in that order. ``validation=(x_val, y_val)`` (``x_val`` one
    array or a dict, as ``x``) adds each epoch's exact ``val_loss`` and ``val_accuracy`` on
    that held-out data to the history; it takes no part in training.

    Returns ``{name: [Start, ...]}``, one `Start` per start, in the order of its starts.
    """
    import keras  # here, not at module level: importing Keras picks the backend

    architectures = check_routes(routes)
    x = check_inputs(x, routes)
    num_examples, features = next(iter(x.values())).shape
    y, order = check_labels_and_order(y, epoch_order, num_examples)
    starts = starts_per_route(starts, architectures, features)
    validation = check_validation(validation, routes, features)
    batch_size = as_int(batch_size, "batch_size", low=1)
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, (int, float))
        or not learning_rate > 0
    ):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")

    StackedMembers = _stacked_members_class()
    members = {name: len(route_starts) for name, route_starts in starts.items()}
    inputs, outputs, layers, losses = {}, {}, {}, {}
    for i, (name, (dense, tail)) in enumerate(architectures.items()):
        inputs[f"inputs_{i}"] = h = keras.Input(shape=(features,), name=f"inputs_{i}")
        layers[name] = StackedMembers(starts[name], dense, name=f"route_{i}_members")
        h = layers[name](h)
        for layer in tail:
            h = layer(h)
        outputs[f"route_{i}"] = h
        losses[f"route_{i}"] = _summed_over_members(routes[name][1], members[name])
    model = keras.Model(inputs, outputs)
    steps = -(-num_examples // batch_size)
    # steps_per_execution: one call into the backend per epoch instead of one per batch,
    # the same steps and numbers (a speed-up only, kept out of the notebooks' model code)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=losses, steps_per_execution=steps
    )
    _build_training_state(
        model,
        {f"inputs_{i}": x[name][:1] for i, name in enumerate(routes)},
        {f"route_{i}": np.repeat(y[:1, None], members[name], 1) for i, name in enumerate(routes)},
    )

    def snapshot_values():
        return {name: layer.member_weights() for name, layer in layers.items()}

    snapshots = [snapshot_values()]

    class KeepWeights(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):  # once per call: once per epoch
            if hasattr(self.model, "jax_state_sync"):  # JAX: the weights are in its state
                self.model.jax_state_sync()
            snapshots.append(snapshot_values())

    # All epochs as one Keras epoch of len(order) calls: Keras makes one iterator over the
    # batches (over arrays it makes one anew every epoch) and pays its fixed cost per epoch
    # once; the batches are those of fit(x[rows], shuffle=False) epoch by epoch.
    model.fit(
        _epoch_batches(x, y, order, routes, members, batch_size),
        epochs=1,
        steps_per_epoch=steps * len(order),
        shuffle=False,
        verbose=0,
        callbacks=[KeepWeights()],
    )

    @cache  # one predict for every member of every route, and only if one is asked for
    def final():
        return model.predict(
            {f"inputs_{i}": x[name] for i, name in enumerate(routes)},
            batch_size=num_examples,
            verbose=0,
        )

    runs = {}
    for i, (name, (dense, _)) in enumerate(architectures.items()):
        activations = tuple(activation for _, activation, _ in dense[:-1])
        runs[name] = []
        for k in range(members[name]):
            weights = [epoch[name][k] for epoch in snapshots]
            history = _scores(weights[1:], x[name], y, activations)
            if validation is not None:
                val = _scores(weights[1:], validation[0][name], validation[1], activations)
                history.update({f"val_{key}": value for key, value in val.items()})

            def outputs(route=f"route_{i}", k=k):
                return np.asarray(final()[route])[:, k]

            runs[name].append(Start(weights, history, activations, outputs))
    return runs


def _epoch_batches(x, y, order, routes, members, batch_size):
    """``(inputs, targets)`` of every batch of every epoch, in order, as ``fit`` takes them.

    On TensorFlow a ``tf.data`` pipeline that slices each batch out of the whole run's rows
    in C++ (a Python generator costs a call into Python per batch); elsewhere a generator
    of the same batches.
    """
    import keras

    examples = order.shape[1]
    rows = order.reshape(-1)  # epoch after epoch
    starts = np.arange(len(rows)).reshape(order.shape)[:, ::batch_size].reshape(-1)
    ends = np.minimum(starts + batch_size, (starts // examples + 1) * examples)
    inputs = {f"inputs_{i}": x[name][rows] for i, name in enumerate(routes)}
    targets = {
        f"route_{i}": np.repeat(y[rows, None], members[name], axis=1)
        for i, name in enumerate(routes)
    }

    on_tensorflow = keras.backend.backend() == "tensorflow"
    if on_tensorflow:
        import tensorflow as tf

        inputs = {key: tf.constant(value) for key, value in inputs.items()}
        targets = {key: tf.constant(value) for key, value in targets.items()}

    def batch(start, end):
        return (
            {key: value[start:end] for key, value in inputs.items()},
            {key: value[start:end] for key, value in targets.items()},
        )

    if not on_tensorflow:
        return (batch(start, end) for start, end in zip(starts, ends, strict=True))
    # plain slicing: nothing for AutoGraph to convert
    return tf.data.Dataset.from_tensor_slices((starts, ends)).map(
        tf.autograph.experimental.do_not_convert(batch)
    )


def _scores(trajectory, x, y, activations):
    """``{"loss": [...], "accuracy": [...]}``: exact scores of each weight list on x, y.

    All epochs at once: each layer's weights stacked over the trajectory, one batched
    product per layer; the same numbers as scoring each weight list alone.
    """
    stacked = [np.stack(arrays) for arrays in zip(*trajectory, strict=True)]
    stacked[1::2] = [biases[:, None, :] for biases in stacked[1::2]]
    h = forward_logits(stacked, x, activations)
    targets = np.broadcast_to(y, h.shape[:-1])
    losses = sparse_categorical_crossentropy(targets, h, from_logits=True)
    correct = np.argmax(h, axis=-1) == targets
    return {
        "loss": [float(np.mean(epoch)) for epoch in losses],
        "accuracy": [float(np.mean(epoch)) for epoch in correct],
    }
