"""Checks for the exercises: run a learner's code on cases that catch the usual mistakes.

Each check prints one line per problem it finds, each with a hint, or one short
success line. Called from a learner's cell it never raises because of a mistake in
the learner's code: it explains it. With ``strict=True`` (the nbgrader autograded
test cells) it raises ``AssertionError`` after explaining, which fails the cell.

The exercises and the exact signatures the checks call:

``check_softmax(my_softmax)`` (notebook 01)
    ``my_softmax(z) -> a``. ``z`` holds logits, one example of shape ``(N,)`` or a
    batch of shape ``(m, N)``; ``a`` has the shape of ``z`` and is the softmax of
    each row (the last axis), finite for any finite ``z``, however large or negative.
    Batched on purpose: a model's logits come as a batch, and the classic mistakes
    (one sum over the whole batch, the wrong axis, a missing ``keepdims``) only
    show on one.

``check_cost(my_cost)`` (notebook 02)
    ``my_cost(A, y) -> J``, in the order of the notebook's ``my_loss(a, y)``. ``A`` holds
    probabilities, one row per example, shape ``(m, N)``; ``y`` integer labels, shape
    ``(m,)``. ``J`` is the mean cross-entropy, one number:
    ``J = -(1/m) * sum_i log(clip(A[i, y[i]], 1e-7, 1 - 1e-7))``, clipped as Keras does,
    so a probability of 0 costs ``-log(1e-7) = 16.118...`` rather than ``inf``.

``check_preferred_model(model)`` (notebook 03)
    ``model`` is the compiled "preferred" Keras model, or a function that builds and
    returns it (called without arguments). Its last layer is linear with one unit per
    class (``num_classes=4``) and its loss is
    ``SparseCategoricalCrossentropy(from_logits=True)``. Nothing is trained.

``check_softmax_regression_gradient(my_gradient)`` (notebook 05)
    ``my_gradient(X, y, W, b) -> (dW, db)`` for softmax regression ``z = X @ W + b``.
    ``X`` has shape ``(m, n)``, ``y`` integer labels ``(m,)``, ``W`` shape ``(n, N)``
    (Keras' kernel layout), ``b`` shape ``(N,)``. With
    ``dz = (softmax(z) - one_hot(y, N)) / m``: ``dW = X.T @ dz`` (shape of ``W``) and
    ``db = dz.sum(axis=0)`` (shape of ``b``).

``check_exact_loss(exact_loss)`` (notebook 06)
    ``exact_loss(Z, y) -> J``: ``Z`` logits, shape ``(m, N)``; ``y`` integer labels ``(m,)``.
    ``J`` is the mean cross-entropy from the logits, without Keras' clip:
    ``J = (1/m) * sum_i (logsumexp(Z[i]) - Z[i, y[i]])``, finite for any finite logits.

Every ``check_*`` has a pure partner ``*_findings(...) -> list[str]`` that returns the
problems without printing, for tests and for instructors' own tooling.
"""

import functools
import math
import sysconfig
import warnings

import numpy as np

from .numerics import EPSILON, one_hot, softmax

PASS, FAIL = "\u2713", "\u2717"  # check mark, ballot x
NOT_WRITTEN = "is not written yet: replace `raise NotImplementedError()` with your code"


class _Problem(Exception):
    """A finding that makes the remaining cases pointless (the code does not run at all)."""


# --- running the learner's code -----------------------------------------------------


def _name(fn):
    return getattr(fn, "__name__", type(fn).__name__)


def _need_callable(fn, check, example):
    if fn is None or not callable(fn):
        what = "None" if fn is None else f"a {type(fn).__name__}"
        raise _Problem(
            f"{check} needs your function itself, got {what}. "
            f"Hint: call {check}({example}), with no parentheses after {example}."
        )


def _copies(arrays):
    """Fresh copies, so that a learner's in-place change cannot corrupt the cases."""
    return [a.copy() for a in arrays]


#: Where Python's and the installed packages' code lives: not a learner's placeholder.
_LIBRARIES = tuple({sysconfig.get_path(kind) for kind in ("stdlib", "purelib", "platlib")})


def _unwritten(fn, err):
    """The name of the learner's function whose placeholder raised ``err``: fn, or one it
    calls (the innermost frame outside Python's and the packages' own code)."""
    name, frame = _name(fn), err.__traceback__.tb_next  # the first frame is _call's
    while frame is not None:
        code = frame.tb_frame.f_code
        if code.co_name.isidentifier() and not code.co_filename.startswith(_LIBRARIES):
            name = code.co_name
        frame = frame.tb_next
    return name


def _call(fn, *args):
    """``fn(*args)`` with NumPy's warnings silenced: the findings explain them.

    Returns ``(result, None)``, or ``(None, reason)`` when the call raised; an unwritten
    placeholder (``NotImplementedError``) is a `_Problem`: nothing else is worth checking.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except NotImplementedError as err:
            raise _Problem(f"{_unwritten(fn, err)} {NOT_WRITTEN}.") from None
        except Exception as err:  # the learner's code: any error is a finding
            detail = str(err).strip().splitlines()[0][:140] if str(err).strip() else ""
            return None, f"raised {type(err).__name__}" + (f": {detail}" if detail else "")


def _numbers(value, name):
    """The learner's result as a float array, or a _Problem saying why it is not one."""
    if value is None:
        raise _Problem(f"{name} returned None. Hint: end it with `return ...`.")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _Problem(f"{name} returned a {type(value).__name__}, not numbers.") from None


def _same(actual, expected, rtol=1e-6, atol=1e-9):
    actual, expected = np.asarray(actual), np.asarray(expected)
    return actual.shape == expected.shape and np.allclose(
        actual, expected, rtol=rtol, atol=atol, equal_nan=True
    )


class _Findings(list):
    """Lines ``"<where><problem>"``; a problem whose hint was given already is skipped."""

    def add(self, where, problem):
        hint = problem[problem.find("Hint:"):]
        if all(not line.endswith(hint) for line in self):
            self.append(f"{where}{problem}")


def _report(check, name, findings, cases, strict):
    """Print the findings (or one success line); in strict mode fail after explaining."""
    if not findings:
        print(f"{PASS} {name} passes {check}: {', '.join(cases)}.")
        return
    for line in findings:
        print(f"{FAIL} {line}")
    if strict:
        count = f"{len(findings)} problem" + ("s" if len(findings) > 1 else "")
        raise AssertionError(f"{check}: {count} with {name}, explained above")


def _listing_problems(findings_fn):
    """Make a findings function return a `_Problem` as its only finding instead of raising it."""

    @functools.wraps(findings_fn)
    def findings(*args, **kwargs):
        try:
            return list(findings_fn(*args, **kwargs))
        except _Problem as problem:
            return [str(problem)]

    return findings


# --- 01: my_softmax -------------------------------------------------------------------

#: (description, logits), chosen so that each typical mistake gives a different result.
SOFTMAX_CASES = [
    ("one vector", np.array([1.0, 2.0, 3.0, 4.0])),
    ("a batch of 3 rows", np.array([[1.0, 2.0, 3.0, 4.0],
                                    [2.0, 0.0, -1.0, 1.0],
                                    [0.0, 0.0, 0.0, 0.0]])),
    ("a square batch", np.array([[1.0, 2.0, 3.0],
                                 [0.0, 4.0, -2.0],
                                 [3.0, 3.0, 0.5]])),
    ("large inputs", np.array([1000.0, 1001.0, 1002.0])),
    ("very negative inputs", np.array([-1000.0, -1001.0, -1002.0])),
    ("two rows far apart", np.array([[1000.0, 1001.0, 1002.0],
                                     [-1000.0, -1001.0, -1002.0]])),
]


KEEPDIMS_HINT = ("Hint: keepdims=True keeps the summed axis, so that each row is divided by "
                 "its own sum.")
OVERFLOW = (": np.exp overflows to inf (or every exp underflows to 0), so the result is nan. "
            "Hint: subtract the maximum first, np.exp(z - np.max(z, axis=-1, keepdims=True)).")


def _normalised(z, axis=None):
    """exp(z) (shifted by the maximum over ``axis``) divided by its sum over ``axis``."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_mistakes(z):
    """What the typical wrong versions return for ``z``: [(result, problem), ...]."""
    with np.errstate(all="ignore"):
        naive = np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)
        mistakes = [
            (naive, OVERFLOW),
            (_normalised(z), ": the whole batch sums to 1, not each row. Hint: sum each row, "
                             "np.sum(..., axis=-1, keepdims=True)."),
        ]
        if z.ndim == 2:
            global_shift = np.exp(z - np.max(z))
            mistakes += [
                (_normalised(z, axis=0), ": each column sums to 1, not each row. Hint: use "
                                         "axis=-1 (the last axis), not axis=0."),
                (global_shift / global_shift.sum(axis=-1, keepdims=True),
                 ": one row turns to nan. Hint: subtract each row's own maximum, "
                 "np.max(z, axis=-1, keepdims=True), not the maximum of the whole batch."),
            ]
        if z.ndim == 2 and z.shape[0] == z.shape[1]:  # elsewhere this mistake raises
            shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
            problem = f": rows are divided by the wrong sums. {KEEPDIMS_HINT}"
            mistakes += [(np.exp(z) / np.sum(np.exp(z), axis=-1), problem),
                         (shifted / np.sum(shifted, axis=-1), problem)]
    return mistakes


def _softmax_problem(z, a):
    """What is wrong with ``a`` as the softmax of ``z``, or None when it is right."""
    expected = softmax(z)
    if _same(a, expected):
        return None
    if a.shape != z.shape:
        hint = "one probability per input"
        if a.shape == z.shape[:-1] or a.ndim == 0:
            hint = "did a sum end up in the result? Return exp / sum, not the sum"
        return f" returned shape {a.shape}, expected {z.shape}. Hint: {hint}."
    for wrong, problem in _softmax_mistakes(z):
        if _same(a, wrong):
            return problem
    if not np.isfinite(a).all():
        return OVERFLOW
    sums = a.sum(axis=-1)
    if not np.allclose(sums, 1, rtol=0, atol=1e-6):
        return (f": the outputs sum to {np.round(sums, 4).tolist()}, not 1. "
                "Hint: divide the exponentials by their sum.")
    return (f" returned {np.round(a, 4).tolist()}, expected {np.round(expected, 4).tolist()}. "
            "Hint: a_j = exp(z_j) / sum_k exp(z_k).")


@_listing_problems
def softmax_findings(my_softmax):
    """Problems with ``my_softmax`` on `SOFTMAX_CASES`, one line each (empty when right)."""
    _need_callable(my_softmax, "check_softmax", "my_softmax")
    name, findings = _name(my_softmax), _Findings()
    for label, z in SOFTMAX_CASES:
        where = f"{name} on {label} " + (str(z.tolist()) if z.ndim == 1 else f"of shape {z.shape}")
        z_given = z.copy()
        result, error = _call(my_softmax, z_given)
        if not np.array_equal(z_given, z):
            findings.add(name, " changes its input z in place. Hint: compute a new array, "
                               "z - np.max(...), instead of z -= ... .")
        if error:
            hint = KEEPDIMS_HINT if "broadcast" in error else "Hint: make it work on a batch too."
            findings.add(where, f" {error}. {hint}")
            continue
        problem = _softmax_problem(z, _numbers(result, name))
        if problem:
            findings.add(where, problem)
    return findings


def check_softmax(my_softmax, *, strict=False):
    """Check a learner's batched, stable ``my_softmax(z)``; see the module docstring."""
    findings = softmax_findings(my_softmax)
    cases = [label for label, _ in SOFTMAX_CASES]
    _report("check_softmax", _name(my_softmax), findings, cases, strict)


# --- 02: the NumPy cost ---------------------------------------------------------------

#: (description, probabilities A, integer labels y)
COST_CASES = [
    ("3 examples of 4 classes",
     np.array([[0.1, 0.2, 0.3, 0.4],
               [0.7, 0.1, 0.1, 0.1],
               [0.25, 0.25, 0.45, 0.05]]),
     np.array([3, 0, 2])),
    ("4 examples of 4 classes",
     np.array([[0.05, 0.8, 0.1, 0.05],
               [0.2, 0.3, 0.1, 0.4],
               [0.6, 0.2, 0.15, 0.05],
               [0.1, 0.1, 0.5, 0.3]]),
     np.array([1, 3, 0, 2])),
    ("rows with zeros",
     np.array([[0.0, 0.0, 1.0, 0.0],
               [0.1, 0.6, 0.3, 0.0]]),
     np.array([2, 1])),
    ("a true class of probability 0",
     np.array([[0.0, 1.0, 0.0, 0.0],
               [0.1, 0.2, 0.3, 0.4]]),
     np.array([0, 3])),
]


def reference_cost(a, y):
    """The cost ``check_cost`` expects: the mean of ``-log(clip(A[i, y[i]]))``."""
    y = np.asarray(y)
    picked = np.clip(np.asarray(a, dtype=float)[np.arange(len(y)), y], EPSILON, 1 - EPSILON)
    return float(-np.mean(np.log(picked)))


def _cost_mistakes(a, y):
    """What the typical wrong costs give for ``(A, y)``: [(value, problem), ...]."""
    m, n_classes = a.shape
    cost = reference_cost(a, y)
    with np.errstate(all="ignore"):
        mistakes = [
            (m * cost, "that is the sum over the examples: the 1/m is missing. "
                       "Hint: divide by m (or take np.mean over the examples)."),
            (cost / n_classes, "np.mean over the whole (m, N) array also divides by the number "
                               "of classes N. Hint: divide the sum by m only."),
            (-cost, "the sign is wrong. Hint: the cost is -log(probability), a positive number."),
            (-np.mean(np.log(a[np.arange(m), y])),
             "log(0) = -inf for a probability of 0. Hint: clip first, "
             "np.clip(A, 1e-7, 1 - 1e-7), as Keras does."),
            (-np.sum(one_hot(y, n_classes) * np.log(a)) / m,
             "0 * log(0) = nan where a class has probability 0. Hint: clip A to "
             "[1e-7, 1 - 1e-7] before taking the log."),
            (-np.mean(np.log(np.clip(a.max(axis=1), EPSILON, 1 - EPSILON))),
             "that uses the largest probability of each row. Hint: the cost uses the "
             "probability of the true label, A[i, y[i]]."),
            (cost / math.log(10), "that is log base 10. Hint: use the natural log, np.log."),
        ]
        if m == n_classes:
            clipped = np.clip(a, EPSILON, 1 - EPSILON)
            mistakes += [
                (-np.sum(y * np.log(clipped)) / m,
                 f"y is multiplied with log(A) as if it were one-hot. {LABELS_HINT}"),
                (-np.mean(np.log(clipped[y])), f"that averages whole rows of A. {ROWS_HINT}"),
                (-np.mean(np.log(clipped[:, y])),
                 "A[:, y] is an (m, m) table. Hint: pick one entry per row, A[np.arange(m), y]."),
            ]
    return mistakes


LABELS_HINT = ("Hint: y holds integer labels of shape (m,), not one-hot rows; pick "
               "A[np.arange(m), y] (or use one_hot(y, N)).")
ROWS_HINT = ("Hint: A[y] picks whole rows; the probability of example i's label is A[i, y[i]], "
             "that is A[np.arange(m), y].")


def _cost_error_hint(error):
    if "broadcast" in error:
        return LABELS_HINT
    if "out of bounds" in error:
        return ROWS_HINT
    return ("Hint: the arguments come in the order (A, y): A holds the probabilities, shape "
            "(m, N), and y integer labels, shape (m,).")


def _cost_problem(name, a, y, result):
    """What is wrong with ``result`` as the cost of ``(A, y)``, or None when it is right."""
    value = _numbers(result, name)
    if value.size != 1:
        return (f" returned an array of shape {value.shape}. Hint: the cost is one number, "
                "the mean of the per-example losses.")
    value, expected = float(value.reshape(())), reference_cost(a, y)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-6):
        return None
    for wrong, problem in _cost_mistakes(a, y):
        if np.isclose(value, wrong, rtol=1e-6, atol=1e-6, equal_nan=True):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return (f" returned {value:.6g}, expected {expected:.6g}. Hint: J = -(1/m) * the sum of "
            "log(A[i, y[i]]), with A clipped to [1e-7, 1 - 1e-7].")


@_listing_problems
def cost_findings(my_cost):
    """Problems with ``my_cost(A, y)`` on `COST_CASES`, one line each (empty when right)."""
    _need_callable(my_cost, "check_cost", "my_cost")
    name, findings = _name(my_cost), _Findings()
    for label, a, y in COST_CASES:
        where = f"{name}(A, y) on {label}"
        result, error = _call(my_cost, *_copies([a, y]))
        if error:
            findings.add(where, f" {error}. {_cost_error_hint(error)}")
            continue
        problem = _cost_problem(name, a, y, result)
        if problem:
            findings.add(where, problem)
    return findings


def check_cost(my_cost, *, strict=False):
    """Check a learner's NumPy cost ``my_cost(A, y)``; see the module docstring."""
    findings = cost_findings(my_cost)
    cases = [label for label, _, _ in COST_CASES]
    _report("check_cost", _name(my_cost), findings, cases, strict)


# --- 03: the preferred model ----------------------------------------------------------

PREFERRED_LOSS = "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"


def _as_model(model_or_builder):
    import keras  # lazily: lab_utils never imports TensorFlow at import time

    if isinstance(model_or_builder, keras.Model):
        return model_or_builder
    if model_or_builder is None or not callable(model_or_builder):
        got = "None" if model_or_builder is None else f"a {type(model_or_builder).__name__}"
        raise _Problem(f"check_preferred_model needs your Keras model (or the function that "
                       f"builds it), got {got}.")
    name = _name(model_or_builder)
    model, error = _call(model_or_builder)
    if error:
        raise _Problem(f"{name}() {error}.")
    if not isinstance(model, keras.Model):
        got = "None" if model is None else f"a {type(model).__name__}"
        raise _Problem(f"{name}() returned {got}, not a Keras model. "
                       "Hint: end it with `return model`.")
    return model


def _activation_name(layer):
    return getattr(getattr(layer, "activation", None), "__name__", None)


def _output_layer_findings(model, num_classes):
    if not model.layers:
        return ["the model has no layers. Hint: Dense(25, relu), Dense(15, relu), "
                f"Dense({num_classes})."]
    last = model.layers[-1]
    if type(last).__name__ == "Softmax" or _activation_name(last) == "softmax":
        return ["the output layer applies a softmax. Hint: leave the output "
                "linear (activation='linear'); from_logits=True makes the loss apply it."]
    findings = []
    if _activation_name(last) not in ("linear", None):
        findings.append(f"the output layer has activation '{_activation_name(last)}'. "
                        "Hint: logits can be any real number, "
                        "so use activation='linear'.")
    units = getattr(last, "units", None)
    if units is not None and units != num_classes:
        findings.append(f"the output layer has {units} unit(s). Hint: one logit per class, "
                        f"Dense({num_classes}).")
    return findings


def _loss_kind(loss):
    """``(name, from_logits)`` of a loss given as a string, a function or a Loss object."""
    if isinstance(loss, str):
        return loss, False
    if isinstance(loss, type):
        return f"the class {loss.__name__} (not an instance)", False
    if hasattr(loss, "get_config"):
        return type(loss).__name__, bool(loss.get_config().get("from_logits"))
    return _name(loss), False


def _loss_findings(model, num_classes):
    loss = getattr(model, "loss", None)
    if loss is None:
        return [f"the model is not compiled with a loss. Hint: model.compile(loss={PREFERRED_LOSS}"
                ", ...)."]
    kind, from_logits = _loss_kind(loss)
    compact = kind.replace("_", "").lower()
    if compact == "categoricalcrossentropy":
        return ["the loss is CategoricalCrossentropy, which expects one-hot targets. Hint: the "
                f"labels are integers 0..{num_classes - 1}, so use {PREFERRED_LOSS}."]
    if compact != "sparsecategoricalcrossentropy":
        return [f"the loss is {kind}. Hint: for integer labels use {PREFERRED_LOSS}."]
    if not from_logits:
        return ["the loss expects probabilities (from_logits=False), but a linear output gives "
                f"logits. Hint: {PREFERRED_LOSS}."]
    return []


def _outputs_sum_to_one(model):
    """True when the built model's outputs on random inputs look like probabilities."""
    shape = getattr(model, "input_shape", None)
    if not model.built or not isinstance(shape, tuple) or None in shape[1:]:
        return False
    x = np.random.default_rng(0).normal(0, 3, size=(8, *shape[1:])).astype("float32")
    out = np.asarray(model(x, training=False))
    return bool((out >= 0).all() and np.allclose(out.sum(axis=-1), 1, atol=1e-5))


@_listing_problems
def preferred_model_findings(model_or_builder, num_classes=4):
    """Problems with the preferred model's output layer and loss (empty when right)."""
    model = _as_model(model_or_builder)
    findings = _output_layer_findings(model, num_classes)
    if not any("softmax" in line for line in findings) and _outputs_sum_to_one(model):
        findings.append("the model's outputs sum to 1 in every row: a softmax is still in it. "
                        "Hint: remove it; from_logits=True makes the loss apply it.")
    return findings + _loss_findings(model, num_classes)


def check_preferred_model(model, *, num_classes=4, strict=False):
    """Check the preferred model's last layer and loss, without training it."""
    findings = preferred_model_findings(model, num_classes)
    cases = ["a linear output layer", f"{num_classes} output units", "a loss from logits"]
    name = "the model" if type(model).__name__ not in ("function", "method") else _name(model)
    _report("check_preferred_model", name, findings, cases, strict)


# --- 05: the softmax-regression gradient ----------------------------------------------


def _gradient_case(m, n, num_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = rng.permutation(np.arange(m) % num_classes)  # every class present
    W = rng.normal(scale=0.5, size=(n, num_classes))
    b = rng.normal(scale=0.5, size=num_classes)
    return X, y, W, b


#: (description, (X, y, W, b)); in the second n == N, so a transposed dW has W's shape.
GRADIENT_CASES = [
    ("5 examples x 3 features -> 4 classes", _gradient_case(5, 3, 4, seed=0)),
    ("6 examples x 3 features -> 3 classes", _gradient_case(6, 3, 3, seed=1)),
]


def reference_gradient(X, y, W, b):
    """``(dW, db)`` of the mean cross-entropy of ``softmax(X @ W + b)``."""
    dz = (softmax(X @ W + b) - one_hot(y, W.shape[1])) / len(y)
    return X.T @ dz, dz.sum(axis=0)


def _gradient_mistakes(X, y, W, b):
    """What typical wrong gradients give: [(dW, db or None if any, problem), ...]."""
    m, num_classes = len(y), W.shape[1]
    z = X @ W + b
    dW, db = reference_gradient(X, y, W, b)
    labels_as_numbers = (softmax(z) - y[:, None]) / m
    from_logits = (z - one_hot(y, num_classes)) / m
    no_targets = softmax(z) / m
    return [
        (m * dW, m * db, ": the 1/m is missing. Hint: dz = (a - one_hot(y, N)) / m."),
        (-dW, -db, ": the sign is wrong. Hint: dz = a - one_hot(y, N), not one_hot(y, N) - a."),
        (X.T @ labels_as_numbers, labels_as_numbers.sum(axis=0),
         ": the label y is subtracted from every column. Hint: subtract one_hot(y, N), "
         "the row with a 1 at the true class."),
        (X.T @ no_targets, no_targets.sum(axis=0),
         ": the targets are missing. Hint: subtract them, dz = (a - one_hot(y, N)) / m."),
        (X.T @ from_logits, from_logits.sum(axis=0),
         ": that uses the logits z. Hint: use the probabilities a = softmax(X @ W + b)."),
        (dW.T, None, ": dW is transposed. Hint: dW = X.T @ dz, not dz.T @ X."),
    ]


def _gradient_shapes_problem(dW, db, W, b):
    if dW.shape == b.shape and db.shape == W.shape:
        return ": dW and db are swapped. Hint: return dW, db (in that order)."
    if dW.shape != W.shape:
        hint = ("dW = X.T @ dz, not dz.T @ X" if dW.shape == W.shape[::-1]
                else "dW = X.T @ dz has one entry per weight")
        return f": dW has shape {dW.shape}, W has {W.shape}. Hint: {hint}."
    if db.shape != b.shape:
        hint = ("drop keepdims=True, so that db has b's shape" if db.shape == (1, *b.shape)
                else "sum dz over the examples, axis=0")
        return f": db has shape {db.shape}, b has {b.shape}. Hint: {hint}."
    return None


def _gradient_problem(name, args, result):
    """What is wrong with ``result`` as ``(dW, db)`` for ``args``, or None when it is right."""
    if result is None:
        _numbers(result, name)  # raises the usual "returned None" problem
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise _Problem(f"{name} returned a {type(result).__name__}. Hint: return dW, db "
                       "(two arrays, in that order).")
    dW, db = (_numbers(part, name) for part in result)
    for wrong_dW, wrong_db, problem in _gradient_mistakes(*args):
        if _same(dW, wrong_dW) and (wrong_db is None or _same(db, wrong_db)):
            return problem
    shapes = _gradient_shapes_problem(dW, db, args[2], args[3])
    if shapes:
        return shapes
    expected_dW, expected_db = reference_gradient(*args)
    if not _same(dW, expected_dW):
        return (f": dW is off by up to {np.max(np.abs(dW - expected_dW)):.3g}. "
                "Hint: dW = X.T @ dz with dz = (a - one_hot(y, N)) / m.")
    if not _same(db, expected_db):
        return (f": db is {np.round(db, 4).tolist()}, expected "
                f"{np.round(expected_db, 4).tolist()}. Hint: db = dz.sum(axis=0).")
    return None


@_listing_problems
def softmax_regression_gradient_findings(my_gradient):
    """Problems with ``my_gradient(X, y, W, b)`` on `GRADIENT_CASES` (empty when right)."""
    _need_callable(my_gradient, "check_softmax_regression_gradient", "my_gradient")
    name, findings = _name(my_gradient), _Findings()
    for label, args in GRADIENT_CASES:
        where = f"{name}(X, y, W, b) on {label}"
        result, error = _call(my_gradient, *_copies(args))
        if error:
            hint = ("subtract one_hot(y, N), not the integer labels y"
                    if "broadcast" in error else "X is (m, n), y (m,), W (n, N) and b (N,)")
            findings.add(where, f" {error}. Hint: {hint}.")
            continue
        problem = _gradient_problem(name, args, result)
        if problem:
            findings.add(where, problem)
    return findings


def check_softmax_regression_gradient(my_gradient, *, strict=False):
    """Check a learner's softmax-regression gradient ``my_gradient(X, y, W, b)``."""
    findings = softmax_regression_gradient_findings(my_gradient)
    cases = [label for label, _ in GRADIENT_CASES]
    _report("check_softmax_regression_gradient", _name(my_gradient), findings, cases, strict)


# --- 07: the expected calibration error -----------------------------------------------
# ``check_calibration_error(my_ece)`` (notebook 07)
#     ``my_ece(P, y, n_bins) -> ECE``. ``P`` holds probabilities, one row per example, shape
#     ``(m, N)``; ``y`` integer labels ``(m,)``. Each example's confidence is its largest
#     probability, and it is correct when that class is ``y``. With ``n_bins`` equal bins of
#     confidence, ``ECE = sum_k (n_k / m) * |accuracy_k - mean confidence_k|`` over the
#     non-empty bins. No case puts a confidence on an inner bin edge, so either edge
#     convention passes; one case holds a confidence of exactly 1.0.


def _ece_case(m, n_classes, seed, sharpness):
    rng = np.random.default_rng(seed)
    P = softmax(rng.normal(size=(m, n_classes)) * sharpness)
    y = np.where(rng.uniform(size=m) < 0.75, P.argmax(axis=1), rng.integers(0, n_classes, m))
    return P, y


#: (description, P, y, n_bins): unequal bins, empty bins, wrong answers whose true class
#: is not the most probable, a confidence of exactly 1.0, and a number of bins other than 10.
ECE_CASES = [
    ("4 examples of 2 classes, 10 bins",
     np.array([[0.95, 0.05], [0.05, 0.95], [0.55, 0.45], [0.45, 0.55]]), np.array([0, 1, 0, 0]),
     10),
    ("6 examples of 3 classes, 10 bins",
     np.array([[0.92, 0.05, 0.03], [0.04, 0.93, 0.03], [0.91, 0.02, 0.07],
               [0.15, 0.72, 0.13], [0.34, 0.31, 0.35], [0.66, 0.14, 0.2]]),
     np.array([0, 1, 2, 1, 0, 2]), 10),
    ("a confidence of exactly 1.0, 10 bins",
     np.array([[1.0, 0.0, 0.0], [0.02, 0.97, 0.01], [0.05, 0.03, 0.92], [0.45, 0.3, 0.25]]),
     np.array([2, 1, 0, 1]), 10),
    ("40 examples of 4 classes, 5 bins", *_ece_case(40, 4, seed=0, sharpness=2.0), 5),
]


def _ece_parts(confidence, correct, n_bins, upper_closed=True):
    """Per bin (count, mean confidence, accuracy) for the given top-label view."""
    if upper_closed:  # scikit-learn's bins, (low, high]
        bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], confidence)
    else:  # [low, high): a confidence of 1.0 falls outside the last bin
        bins = np.floor(confidence * n_bins).astype(int)
    inside = bins < n_bins
    count = np.bincount(bins[inside], minlength=n_bins)
    filled = count > 0
    sums = np.bincount(bins[inside], weights=confidence[inside], minlength=n_bins)
    hits = np.bincount(bins[inside], weights=correct[inside], minlength=n_bins)
    return count[filled], sums[filled] / count[filled], hits[filled] / count[filled]


def _ece_mistakes(P, y, n_bins):
    """What the typical wrong versions give for ``(P, y, n_bins)``: [(value, problem), ...]."""
    m = len(y)
    confidence, correct = P.max(axis=1), P.argmax(axis=1) == y
    count, conf, acc = _ece_parts(confidence, correct, n_bins)
    gaps = np.abs(acc - conf)
    true_p = P[np.arange(m), y]
    t_count, t_conf, t_acc = _ece_parts(true_p, correct, n_bins)
    o_count, o_conf, o_acc = _ece_parts(confidence, correct, n_bins, upper_closed=False)
    wrong_10 = _ece_parts(confidence, correct, 10)
    return [
        (float(np.mean(gaps)), "every bin counts the same. Hint: weight each bin's gap by its "
                               "share of the examples, n_k / m."),
        (float(np.sum(gaps) / n_bins), "that divides by the number of bins. Hint: weight each "
                                       "bin's gap by its share of the examples, n_k / m."),
        (float(np.sum(count * gaps)), "the weights are counts, not shares. Hint: divide each "
                                      "bin's count n_k by the number of examples m."),
        (float(abs(np.sum(count / m * (acc - conf)))),
         "the gaps of different bins cancel out. Hint: take the absolute value in each bin, "
         "|accuracy_k - confidence_k|, before adding them up."),
        (float(np.sum(t_count / m * np.abs(t_acc - t_conf))),
         "that bins the probability of the true class. Hint: the confidence is the largest "
         "probability of each row, P.max(axis=1)."),
        (float(np.sum(o_count / m * np.abs(o_acc - o_conf))),
         "a confidence of exactly 1.0 ended up in no bin. Hint: the last bin includes 1.0 "
         "(e.g. bins (k/n, (k+1)/n], or np.minimum(..., n_bins - 1))."),
        (float(np.sum(o_count / o_count.sum() * np.abs(o_acc - o_conf))),
         "a confidence of exactly 1.0 ended up in no bin. Hint: the last bin includes 1.0 "
         "(e.g. bins (k/n, (k+1)/n], or np.minimum(..., n_bins - 1))."),
        (float(np.sum(wrong_10[0] / m * np.abs(wrong_10[2] - wrong_10[1]))),
         "that uses 10 bins whatever n_bins says. Hint: use the argument n_bins."),
    ]


def _ece_problem(name, P, y, n_bins, result):
    """What is wrong with ``result`` as the ECE of ``(P, y)``, or None when it is right."""
    from .calibration import expected_calibration_error

    value = _numbers(result, name)
    if value.size != 1:
        return (f" returned an array of shape {value.shape}. Hint: the ECE is one number, the "
                "weighted sum of the bins' gaps.")
    value, expected = float(value.reshape(())), expected_calibration_error(P, y, n_bins)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
        return None
    if math.isnan(value):
        return (" returned nan: an empty bin has no mean. Hint: skip the bins that hold no "
                "example (np.mean of an empty array is nan).")
    for wrong, problem in _ece_mistakes(P, y, n_bins):
        if math.isclose(value, wrong, rel_tol=1e-6, abs_tol=1e-9):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return (f" returned {value:.6g}, expected {expected:.6g}. Hint: ECE = sum over the bins of "
            "(n_k / m) * |accuracy_k - mean confidence_k|, the confidence being P.max(axis=1).")


@_listing_problems
def calibration_error_findings(my_ece):
    """Problems with ``my_ece(P, y, n_bins)`` on `ECE_CASES`, one line each (empty when right)."""
    _need_callable(my_ece, "check_calibration_error", "my_ece")
    name, findings = _name(my_ece), _Findings()
    for label, P, y, n_bins in ECE_CASES:
        where = f"{name}(P, y, n_bins={n_bins}) on {label}"
        result, error = _call(my_ece, *_copies([P, y]), n_bins)
        if error:
            findings.add(where, f" {error}. Hint: the arguments are (P, y, n_bins): P holds "
                                "probabilities, shape (m, N), y integer labels, shape (m,).")
            continue
        problem = _ece_problem(name, P, y, n_bins, result)
        if problem:
            findings.add(where, problem)
    return findings


def check_calibration_error(my_ece, *, strict=False):
    """Check a learner's expected calibration error ``my_ece(P, y, n_bins)``."""
    findings = calibration_error_findings(my_ece)
    cases = [label for label, _, _, _ in ECE_CASES]
    _report("check_calibration_error", _name(my_ece), findings, cases, strict)


# --- 04: one point through the network, by hand -------------------------------------------
#
# ``classify(x, W1, b1, W2, b2) -> k`` for the network of notebook 04: one point ``x`` of
# shape ``(2,)``; ``W1`` of shape ``(2, n_hidden)`` (its columns are the hidden units),
# ``b1`` ``(n_hidden,)``, ``W2`` ``(n_hidden, N)``, ``b2`` ``(N,)``. With
# ``h = max(0, x @ W1 + b1)`` and ``z = h @ W2 + b2``, ``k = argmax(z)``, an integer 0..N-1.

#: Weights chosen so that each typical mistake gives a different list of classes for the
#: points below (and none gives the right one); 2 hidden units, 4 classes, as in notebook 04.
CLASSIFY_WEIGHTS = (np.array([[0.4, -1.8], [1.2, 0.4]]), np.array([-0.9, 1.9]),
                    np.array([[-0.1, 1.2, 1.6, -1.7], [-0.9, -0.9, -1.7, -0.6]]),
                    np.array([1.3, 0.7, 0.8, -0.9]))
CLASSIFY_POINTS = np.array([[-1.0, 1.0], [-2.0, 2.0], [1.0, 3.0], [-2.0, -1.0]])
#: One more network, with 3 hidden units: W1 is not square, so W1 @ x raises.
CLASSIFY_WIDE = (np.array([1.0, -0.5]),  # x, then W1, b1, W2, b2 (2 classes)
                 np.array([[0.5, -1.0, 1.0], [1.0, 0.5, -0.5]]), np.array([0.0, 0.5, -1.0]),
                 np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]]), np.array([0.0, 0.2]))

UNITS_HINT = ("Hint: h = np.maximum(0, x @ W1 + b1): x (2,) times W1 (2, n_hidden), "
              "whose columns are the hidden units.")


def _relu(v):
    return np.maximum(0, v)


def reference_class(x, W1, b1, W2, b2):
    """The class ``check_classify`` expects: the index of the largest logit, 0-based."""
    return int(np.argmax(_relu(x @ W1 + b1) @ W2 + b2))


#: (what the mistake computes, problem), each from the arguments (x, W1, b1, W2, b2).
CLASSIFY_MISTAKES = [
    (lambda x, W1, b1, W2, b2: int(np.argmax((x @ W1 + b1) @ W2 + b2)),
     "the hidden layer has no ReLU. Hint: h = np.maximum(0, x @ W1 + b1)."),
    (lambda x, W1, b1, W2, b2: int(np.argmax(_relu(W1 @ x + b1) @ W2 + b2)),
     f"that is W1 @ x, which uses the rows of W1 as the units. {UNITS_HINT}"),
    (lambda x, W1, b1, W2, b2: int(np.argmax(_relu(x @ W1) @ W2 + b2)),
     "the hidden bias b1 is missing. Hint: h = np.maximum(0, x @ W1 + b1)."),
    (lambda x, W1, b1, W2, b2: int(np.argmax(_relu(x @ W1 + b1) @ W2)),
     "the output bias b2 is missing. Hint: z = h @ W2 + b2."),
    (lambda x, W1, b1, W2, b2: int(np.argmax((_relu(x @ W1) + b1) @ W2 + b2)),
     "the ReLU comes before the bias. Hint: add b1 first, np.maximum(0, x @ W1 + b1)."),
    (lambda x, W1, b1, W2, b2: int(np.argmax(_relu(_relu(x @ W1 + b1) @ W2 + b2))),
     "the logits went through a ReLU too, which ties all negative logits at 0. "
     "Hint: the output layer is linear, z = h @ W2 + b2."),
    (lambda x, W1, b1, W2, b2: int(np.argmin(_relu(x @ W1 + b1) @ W2 + b2)),
     "that is the smallest logit. Hint: the class is the largest one, np.argmax(z)."),
    (lambda x, W1, b1, W2, b2: reference_class(x, W1, b1, W2, b2) + 1,
     "those count the classes from 1. Hint: Python counts from 0; np.argmax(z) is already "
     "the class."),
]


def _class_of(value, name, n_classes):
    """The learner's answer as a class index, or a _Problem saying why it is not one."""
    if value is None:
        raise _Problem(f"{name} returned None. Hint: end it with `return ...`.")
    array = _numbers(value, name)
    if array.size != 1:
        raise _Problem(f"{name} returned {array.size} numbers, not one class. Hint: those "
                       "look like the logits: return the index of the largest, np.argmax(z).")
    number = float(array.reshape(()))
    if not number.is_integer():
        raise _Problem(f"{name} returned {number:.4g}, not a class. Hint: return the index of "
                       "the largest logit, np.argmax(z), an integer 0.."
                       f"{n_classes - 1}.")
    return int(number)


@_listing_problems
def classify_findings(classify):
    """Problems with ``classify(x, W1, b1, W2, b2)`` on the check's points (empty when right)."""
    _need_callable(classify, "check_classify", "classify")
    name, findings = _name(classify), _Findings()
    W1, b1, W2, b2 = CLASSIFY_WEIGHTS
    answers = []
    for x in CLASSIFY_POINTS:
        result, error = _call(classify, *_copies([x, W1, b1, W2, b2]))
        if error:
            hint = UNITS_HINT if "matmul" in error or "shape" in error else (
                "Hint: x is one point (2,), W1 (2, n_hidden), b1 (n_hidden,), W2 (n_hidden, N) "
                "and b2 (N,).")
            findings.add(f"{name}(x, W1, b1, W2, b2) for x = {x.tolist()}", f" {error}. {hint}")
            return findings
        answers.append(_class_of(result, name, len(b2)))
    expected = [reference_class(x, W1, b1, W2, b2) for x in CLASSIFY_POINTS]
    where = (f"{name}(x, W1, b1, W2, b2) on the points {CLASSIFY_POINTS.tolist()}: returned "
             f"classes {answers}, expected {expected}: ")
    if answers != expected:
        for mistake, problem in CLASSIFY_MISTAKES:
            if answers == [mistake(x, W1, b1, W2, b2) for x in CLASSIFY_POINTS]:
                findings.add(where, problem)
                return findings
        findings.add(where, "Hint: h = np.maximum(0, x @ W1 + b1), z = h @ W2 + b2, and the "
                            "class is np.argmax(z).")
        return findings
    x, *weights = CLASSIFY_WIDE
    result, error = _call(classify, *_copies([x, *weights]))
    wide = f"{name} on a network with 3 hidden units (W1 of shape (2, 3))"
    if error:
        findings.add(wide, f" {error}. {UNITS_HINT}")
    elif (answer := _class_of(result, name, 2)) != reference_class(x, *weights):
        findings.add(wide, f" returned {answer}, expected {reference_class(x, *weights)}. "
                           "Hint: use the arguments, not the notebook's W1, b1, W2, b2 or a "
                           "fixed number of units.")
    return findings


def check_classify(classify, *, strict=False):
    """Check a learner's ``classify(x, W1, b1, W2, b2)``: one point through notebook 04's net."""
    findings = classify_findings(classify)
    cases = [f"{len(CLASSIFY_POINTS)} points through 2 hidden units",
             "1 point through 3 hidden units"]
    _report("check_classify", _name(classify), findings, cases, strict)


# --- 06: exact_loss -------------------------------------------------------------------

#: (description, logits Z, labels y): each typical mistake gives a different result.
EXACT_LOSS_CASES = [
    ("small logits", np.array([[1.0, 2.0, 0.5, -1.0], [0.0, -1.0, 3.0, 1.0],
                               [2.0, 2.0, 0.0, 1.0]]), np.array([1, 2, 3])),
    ("a confident mistake, logits (30, 0, -30, 0) and class 2",
     np.array([[30.0, 0.0, -30.0, 0.0]]), np.array([2])),
    ("large logits, as an unscaled model makes", np.array([[900.0, 1000.0, -500.0, 0.0],
                                                           [-800.0, 200.0, 700.0, 650.0]]),
     np.array([2, 3])),
]

EXACT_LOSS_HINT = ("Hint: the loss of example i is logsumexp(Z[i]) - Z[i, y[i]], with "
                   "logsumexp(z) = c + log(sum(exp(z - c))) and c = max(z).")


def reference_exact_loss(Z, y):
    """The loss ``check_exact_loss`` expects: mean of ``logsumexp(Z[i]) - Z[i, y[i]]``."""
    Z, y = np.asarray(Z, dtype=float), np.asarray(y)
    c = Z.max(axis=1)
    lse = c + np.log(np.exp(Z - c[:, None]).sum(axis=1))
    return float(np.mean(lse - Z[np.arange(len(y)), y]))


def _exact_loss_mistakes(Z, y):
    """What the typical wrong losses give for ``(Z, y)``: [(value, problem), ...]."""
    m = len(y)
    loss = reference_exact_loss(Z, y)
    rows = np.arange(m)
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        a = np.exp(Z - Z.max(axis=1, keepdims=True))
        a /= a.sum(axis=1, keepdims=True)
        return [
            (-np.mean(np.log(a[rows, y])),
             "the probability of a very confident mistake rounds to 0 and log(0) = -inf "
             "(without the shift, np.exp also overflows). Hint: never form the "
             "probabilities; use log-softmax, z - logsumexp(z), with c = max(z) subtracted "
             "before np.exp."),
            (-np.mean(np.log(np.clip(a[rows, y], EPSILON, 1 - EPSILON))),
             "that clips as Keras does, so no example costs more than -log(1e-7) = 16.118. "
             "Hint: the exact loss has no clip; use log-softmax, z - logsumexp(z)."),
            (m * loss, "that is the sum over the examples: the 1/m is missing. "
                       "Hint: take np.mean over the examples."),
            (-loss, "the sign is wrong. Hint: the loss is -log(probability), a positive number."),
            (loss * m / Z.size, "np.mean over the whole (m, N) array also divides by N. "
                                "Hint: one loss per example, then the mean over m."),
            (float(np.mean(np.log(e.sum(axis=1)) - Z[rows, y])),
             "np.exp overflows without the shift by the maximum. " + EXACT_LOSS_HINT),
            (float(np.mean(Z.max(axis=1) - Z[rows, y])),
             "that is max(z) - z[y], only the first term of logsumexp. " + EXACT_LOSS_HINT),
        ]


def _exact_loss_problem(name, Z, y, result):
    value = _numbers(result, name)
    if value.size != 1:
        return (f" returned an array of shape {value.shape}. Hint: the loss is one number, "
                "the mean of the per-example losses.")
    value, expected = float(value.reshape(())), reference_exact_loss(Z, y)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-6):
        return None
    for wrong, problem in _exact_loss_mistakes(Z, y):
        if np.isclose(value, wrong, rtol=1e-6, atol=1e-6, equal_nan=True):
            return f" returned {value:.6g}, expected {expected:.6g}: {problem}"
    return f" returned {value:.6g}, expected {expected:.6g}. {EXACT_LOSS_HINT}"


@_listing_problems
def exact_loss_findings(exact_loss):
    """Problems with ``exact_loss(Z, y)`` on `EXACT_LOSS_CASES`, one line each."""
    _need_callable(exact_loss, "check_exact_loss", "exact_loss")
    name, findings = _name(exact_loss), _Findings()
    for label, Z, y in EXACT_LOSS_CASES:
        where = f"{name}(Z, y) on {label}"
        result, error = _call(exact_loss, *_copies([Z, y]))
        if error:
            findings.add(where, f" {error}. Hint: Z holds logits, shape (m, N), and y "
                                "integer labels, shape (m,).")
            continue
        problem = _exact_loss_problem(name, Z, y, result)
        if problem:
            findings.add(where, problem)
    return findings


def check_exact_loss(exact_loss, *, strict=False):
    """Check a learner's NumPy ``exact_loss(Z, y)``: mean cross-entropy from logits, no clip.

    ``Z`` holds logits, shape ``(m, N)``; ``y`` integer labels, shape ``(m,)`` (notebook 06).
    """
    findings = exact_loss_findings(exact_loss)
    cases = [label for label, _, _ in EXACT_LOSS_CASES]
    _report("check_exact_loss", _name(exact_loss), findings, cases, strict)
