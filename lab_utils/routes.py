"""What `lab_utils.starts` is given, read and checked: routes, starts, inputs, batch order.

A route is ``name -> (build_member, loss)``; its member must be ``Dense`` layers (the last
one giving the logits) followed by layers without weights, so that its forward pass can be
recomputed in NumPy. Each check names the argument and says what it should be.
"""

import numpy as np

NUMPY_ACTIVATIONS = {
    "linear": lambda v: v,
    "relu": lambda v: np.maximum(v, 0),
    "tanh": np.tanh,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
}


def architecture(build_member, name="build_member"):
    """``[(units, activation, kernel shape)], trailing layers`` of the model build_member makes."""
    if not callable(build_member) or hasattr(build_member, "layers"):  # a model is callable
        raise TypeError(
            f"{name} must be a function that returns a new Keras model, got {build_member!r}"
        )
    member = build_member()
    if not hasattr(member, "layers") or not hasattr(member, "get_weights"):
        raise TypeError(f"{name} must return a Keras model, got {type(member).__name__}")
    dense, tail = [], []
    for layer in member.layers:
        if type(layer).__name__ == "Dense" and not tail:
            activation = layer.activation.__name__
            dense.append((layer.units, activation, tuple(layer.kernel.shape)))
        elif not layer.weights:
            tail.append(layer)
        else:
            raise ValueError(
                f"{name}'s model must be Dense layers, then layers without "
                f"weights; its layer {layer.name!r} breaks that"
            )
    if not dense:
        raise ValueError(f"{name}'s model has no Dense layer")
    for _, activation, _ in dense[:-1]:
        if activation not in NUMPY_ACTIVATIONS:
            raise ValueError(
                f"{name}'s hidden activation {activation!r} is not one of "
                f"{sorted(NUMPY_ACTIVATIONS)}"
            )
    return dense, tail


def weight_shapes(dense):
    return [shape for _, _, kernel in dense for shape in (kernel, kernel[1:])]


def check_routes(routes):
    if not isinstance(routes, dict) or not routes:
        raise TypeError(
            f"routes must be a non-empty dict: name -> (build_member, loss), got {routes!r}"
        )
    architectures = {}
    for name, route in routes.items():
        if not (
            isinstance(route, tuple)
            and len(route) == 2
            and callable(route[0])
            and callable(route[1])
        ):
            raise TypeError(
                f"routes[{name!r}] must be a pair (build_member, loss), both "
                f"callable, got {route!r}"
            )
        architectures[name] = architecture(route[0], f"routes[{name!r}]'s build_member")
    return architectures


def check_inputs(x, routes):
    """``{route: float32 array}`` from one array for every route or a dict of them."""
    if isinstance(x, dict):
        if set(x) != set(routes):
            raise ValueError(
                f"x must be one array, or a dict with the keys of routes "
                f"({sorted(map(str, routes))}), got keys {sorted(map(str, x))}"
            )
        arrays = {name: np.asarray(x[name]) for name in routes}
    else:
        arrays = dict.fromkeys(routes, np.asarray(x))
    shapes = {a.shape for a in arrays.values()}
    for a in arrays.values():
        if a.ndim != 2 or not np.issubdtype(a.dtype, np.floating) or len(shapes) > 1:
            raise ValueError(
                f"x must be a 2-D float array (examples, features), the same "
                f"shape for every route, got shapes {sorted(shapes)} and dtype "
                f"{a.dtype}"
            )
    return {name: a.astype(np.float32) for name, a in arrays.items()}


def check_labels_and_order(y, epoch_order, num_examples):
    y = np.asarray(y)
    if y.shape != (num_examples,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must be {num_examples} integer class labels, one per row of x, "
            f"got shape {y.shape} and dtype {y.dtype}"
        )
    order = np.asarray(epoch_order)
    if (
        order.ndim != 2
        or order.shape[1] != num_examples
        or not np.issubdtype(order.dtype, np.integer)
        or not all(np.array_equal(np.sort(row), np.arange(num_examples)) for row in order)
    ):
        raise ValueError(
            f"epoch_order must hold one permutation of the {num_examples} "
            f"examples per epoch, shape (epochs, {num_examples}), as "
            "shuffled_epochs returns"
        )
    return y, order


def starts_per_route(starts, architectures, features):
    """``{route: [weight list, ...]}`` from one list for every route or a dict of lists."""
    if isinstance(starts, dict):
        if set(starts) != set(architectures):
            raise ValueError(
                f"starts must be one list, or a dict with the keys of routes "
                f"({sorted(map(str, architectures))}), got keys "
                f"{sorted(map(str, starts))}"
            )
        per_route = {name: starts[name] for name in architectures}
    else:
        per_route = dict.fromkeys(architectures, starts)
    for name, (dense, _) in architectures.items():
        route_starts = per_route[name]
        label = f"starts[{name!r}]" if isinstance(starts, dict) else "starts"
        if not isinstance(route_starts, (list, tuple)) or not route_starts:
            raise TypeError(
                f"{label} must be a non-empty list of weight lists, as initial_weights returns"
            )
        shapes = weight_shapes(dense)
        if shapes[0][0] != features:
            raise ValueError(
                f"x has {features} features, but route {name!r}'s first layer takes {shapes[0][0]}"
            )
        for k, weights in enumerate(route_starts):
            got = [np.shape(w) for w in weights]
            if got != shapes:
                raise ValueError(
                    f"{label}[{k}] has weights of shapes {got}, but route "
                    f"{name!r} has weights of shapes {shapes}"
                )
    return per_route


def check_validation(validation, routes, features):
    """``({route: float32 array}, labels)`` of held-out data, or None."""
    if validation is None:
        return None
    if not (isinstance(validation, tuple) and len(validation) == 2):
        raise TypeError(f"validation must be a pair (x_val, y_val), got {validation!r}")
    try:
        x_val = check_inputs(validation[0], routes)
    except ValueError as error:
        raise ValueError(f"validation's {error}") from None
    num_val, val_features = next(iter(x_val.values())).shape
    if val_features != features:
        raise ValueError(f"validation's x has {val_features} features, x has {features}")
    y_val = np.asarray(validation[1])
    if y_val.shape != (num_val,) or not np.issubdtype(y_val.dtype, np.integer):
        raise ValueError(
            f"validation's y must be {num_val} integer class labels, one per row "
            f"of its x, got shape {y_val.shape} and dtype {y_val.dtype}"
        )
    return x_val, y_val
