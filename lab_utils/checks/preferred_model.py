"""Notebook 03's exercise: the preferred model, linear outputs and a loss from logits.

``check_preferred_model(model)`` takes ``model``, the compiled "preferred" Keras model, or a
function that builds and returns it (called without arguments). Its last layer is linear
with one unit per class (``num_classes=4``) and its loss is
``SparseCategoricalCrossentropy(from_logits=True)``. Nothing is trained.

Keras is imported only when a check runs: importing lab_utils never imports TensorFlow.
"""

from typing import Any

import numpy as np

from ._runner import Problem, call, listing_problems, name_of, report

PREFERRED_LOSS = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"


def _as_model(model_or_builder):
    import keras  # lazily: lab_utils never imports TensorFlow at import time

    if isinstance(model_or_builder, keras.Model):
        return model_or_builder
    if model_or_builder is None or not callable(model_or_builder):
        got = "None" if model_or_builder is None else f"a {type(model_or_builder).__name__}"
        raise Problem(
            f"check_preferred_model needs your Keras model (or the function that "
            f"builds it), got {got}."
        )
    name = name_of(model_or_builder)
    model, error = call(model_or_builder)
    if error:
        raise Problem(f"{name}() {error}.")
    if not isinstance(model, keras.Model):
        got = "None" if model is None else f"a {type(model).__name__}"
        raise Problem(
            f"{name}() returned {got}, not a Keras model. Hint: end it with `return model`."
        )
    return model


def _activation_name(layer):
    return getattr(getattr(layer, "activation", None), "__name__", None)


def _output_layer_findings(model, num_classes):
    if not model.layers:
        return [
            "the model has no layers. Hint: Dense(25, relu), Dense(15, relu), "
            f"Dense({num_classes})."
        ]
    last = model.layers[-1]
    if type(last).__name__ == "Softmax" or _activation_name(last) == "softmax":
        return [
            "the output layer applies a softmax. Hint: leave the output "
            "linear (activation='linear'); from_logits=True makes the loss apply it."
        ]
    findings = []
    if _activation_name(last) not in ("linear", None):
        findings.append(
            f"the output layer has activation '{_activation_name(last)}'. "
            "Hint: logits can be any real number, "
            "so use activation='linear'."
        )
    units = getattr(last, "units", None)
    if units is not None and units != num_classes:
        findings.append(
            f"the output layer has {units} unit(s). Hint: one logit per class, "
            f"Dense({num_classes})."
        )
    return findings


def _loss_kind(loss):
    """``(name, from_logits)`` of a loss given as a string, a function or a Loss object."""
    if isinstance(loss, str):
        return loss, False
    if isinstance(loss, type):
        return f"the class {loss.__name__} (not an instance)", False
    if hasattr(loss, "get_config"):
        return type(loss).__name__, bool(loss.get_config().get("from_logits"))
    return name_of(loss), False


def _loss_findings(model, num_classes):
    loss = getattr(model, "loss", None)
    if loss is None:
        return [
            f"the model is not compiled with a loss. Hint: model.compile(loss={PREFERRED_LOSS}"
            ", ...)."
        ]
    kind, from_logits = _loss_kind(loss)
    compact = kind.replace("_", "").lower()
    if compact == "categoricalcrossentropy":
        return [
            "the loss is CategoricalCrossentropy, which expects one-hot targets. Hint: the "
            f"labels are integers 0..{num_classes - 1}, so use {PREFERRED_LOSS}."
        ]
    if compact != "sparsecategoricalcrossentropy":
        return [f"the loss is {kind}. Hint: for integer labels use {PREFERRED_LOSS}."]
    if not from_logits:
        return [
            "the loss expects probabilities (from_logits=False), but a linear output gives "
            f"logits. Hint: {PREFERRED_LOSS}."
        ]
    return []


def _outputs_sum_to_one(model):
    """True when the built model's outputs on random inputs look like probabilities."""
    shape = getattr(model, "input_shape", None)
    if not model.built or not isinstance(shape, tuple) or None in shape[1:]:
        return False
    x = np.random.default_rng(0).normal(0, 3, size=(8, *shape[1:])).astype("float32")
    out = np.asarray(model(x, training=False))
    return bool((out >= 0).all() and np.allclose(out.sum(axis=-1), 1, atol=1e-5))


@listing_problems
def preferred_model_findings(model_or_builder: Any, num_classes: int = 4) -> list[str]:
    """Problems with the preferred model's output layer and loss (empty when right)."""
    model = _as_model(model_or_builder)
    findings = _output_layer_findings(model, num_classes)
    if not any("softmax" in line for line in findings) and _outputs_sum_to_one(model):
        findings.append(
            "the model's outputs sum to 1 in every row: a softmax is still in it. "
            "Hint: remove it; from_logits=True makes the loss apply it."
        )
    return findings + _loss_findings(model, num_classes)


def check_preferred_model(model: Any, *, num_classes: int = 4, strict: bool = False) -> None:
    """Check the preferred model's last layer and loss, without training it."""
    findings = preferred_model_findings(model, num_classes)
    cases = ["a linear output layer", f"{num_classes} output units", "a loss from logits"]
    name = "the model" if type(model).__name__ not in ("function", "method") else name_of(model)
    report("check_preferred_model", name, findings, cases, strict)
