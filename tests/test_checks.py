"""The exercise checks: pass the solutions, explain the placeholder and the typical mistakes.

Every check is run the way a notebook runs it: printing, never raising on a mistake,
except with ``strict=True`` (nbgrader's autograded cells), where it raises
``AssertionError`` after printing the same explanation.
"""

import numpy as np
import pytest

from lab_utils import checks, one_hot, softmax
from lab_utils._learner_code import REASON_CHARS
from lab_utils.calibration import expected_calibration_error
from lab_utils.checks import (
    FAIL,
    NOT_WRITTEN,
    PASS,
    check_calibration_error,
    check_classify,
    check_cost,
    check_exact_loss,
    check_preferred_model,
    check_softmax,
    check_softmax_regression_gradient,
)

#: In lesson order.
EVERY_CHECK = [
    check_softmax,
    check_cost,
    check_preferred_model,
    check_classify,
    check_softmax_regression_gradient,
    check_exact_loss,
    check_calibration_error,
]


def run_check(check, learner_code, capsys, **kwargs):
    """What the check printed, run first leniently, then strictly (which must agree)."""
    check(learner_code, **kwargs)
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    if lines[0].startswith(PASS):
        check(learner_code, strict=True, **kwargs)
    else:
        with pytest.raises(AssertionError, match="explained above"):
            check(learner_code, strict=True, **kwargs)
    assert capsys.readouterr().out == printed, "strict mode must explain exactly the same"
    return printed


def assert_passes(printed):
    assert printed.startswith(PASS) and printed.count("\n") == 1, printed


def assert_explains(printed, *fragments):
    """Every line is a finding with a hint, and the fragments appear in the findings."""
    lines = printed.splitlines()
    assert lines, "a failing check must print something"
    for line in lines:
        assert line.startswith(FAIL), line
    hinted = [line for line in lines if "Hint:" in line or "not written yet" in line]
    assert hinted == lines, f"every finding needs a hint:\n{printed}"
    for fragment in fragments:
        assert fragment in printed, f"{fragment!r} not in:\n{printed}"


# --- the released placeholder (what nbgrader leaves in a solution cell) -------------------


def placeholder(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def forgot_return(*args):
    args[0] + 0  # computes something, returns nothing


def needing_keras(check, request):
    if check is check_preferred_model:
        request.getfixturevalue("keras")
    return check


@pytest.mark.parametrize("check", EVERY_CHECK, ids=lambda check: check.__name__)
def test_every_check_explains_the_placeholder_in_the_same_words(check, request, capsys):
    printed = run_check(needing_keras(check, request), placeholder, capsys)
    assert printed == f"{FAIL} placeholder {NOT_WRITTEN}.\n"


FIRST_LINE = "the first line of a long message, " + "and so on " * 20


def raises_value_error(*args):
    raise ValueError(f"{FIRST_LINE}\nthe second line")


@pytest.mark.parametrize("check", EVERY_CHECK, ids=lambda check: check.__name__)
def test_every_check_quotes_the_learners_exception_in_the_same_words(check, request, capsys):
    printed = run_check(needing_keras(check, request), raises_value_error, capsys)
    assert printed.startswith(FAIL) and len(printed.splitlines()) == 1, printed
    assert f" raised ValueError: {FIRST_LINE[:REASON_CHARS]}." in printed
    assert FIRST_LINE[: REASON_CHARS + 1] not in printed and "second line" not in printed


@pytest.mark.parametrize("check", [check_softmax, check_cost, check_softmax_regression_gradient])
def test_returning_nothing_is_explained(check, capsys):
    assert_explains(run_check(check, forgot_return, capsys), "returned None", "return")


@pytest.mark.parametrize("check", [check_softmax, check_cost, check_softmax_regression_gradient])
def test_passing_a_result_instead_of_the_function_is_explained(check, capsys):
    assert_explains(run_check(check, np.array([0.5, 0.5]), capsys), "no parentheses")


# --- 01: my_softmax ------------------------------------------------------------------------


def my_softmax(z):
    ez = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return ez / np.sum(ez, axis=-1, keepdims=True)


def textbook_softmax(z):
    """The original lab's version: 1-D only, and overflows."""
    ez = np.exp(z)
    return ez / np.sum(ez)


def naive_rowwise_softmax(z):
    ez = np.exp(z)
    return ez / np.sum(ez, axis=-1, keepdims=True)


def whole_batch_softmax(z):
    ez = np.exp(z - np.max(z))
    return ez / np.sum(ez)


def column_softmax(z):
    ez = np.exp(z - np.max(z, axis=0, keepdims=True))
    return ez / np.sum(ez, axis=0, keepdims=True)


def no_keepdims_softmax(z):
    ez = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return ez / np.sum(ez, axis=-1)


def batch_max_softmax(z):
    ez = np.exp(z - np.max(z))
    return ez / np.sum(ez, axis=-1, keepdims=True)


def in_place_softmax(z):
    z -= np.max(z, axis=-1, keepdims=True)
    ez = np.exp(z)
    return ez / np.sum(ez, axis=-1, keepdims=True)


def unnormalised_softmax(z):
    return np.exp(z - np.max(z, axis=-1, keepdims=True))


def test_softmax_solution_passes(capsys):
    assert_passes(run_check(check_softmax, my_softmax, capsys))


def test_lab_utils_softmax_passes(capsys):
    assert_passes(run_check(check_softmax, softmax, capsys))


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        (textbook_softmax, ["whole batch sums to 1", "overflows", "np.max(z, axis=-1"]),
        (naive_rowwise_softmax, ["overflows", "subtract the maximum"]),
        (whole_batch_softmax, ["whole batch sums to 1", "axis=-1, keepdims=True"]),
        (column_softmax, ["each column sums to 1", "not axis=0"]),
        (no_keepdims_softmax, ["broadcast", "keepdims=True"]),
        (batch_max_softmax, ["each row's own maximum"]),
        (in_place_softmax, ["in place"]),
        (unnormalised_softmax, ["not 1", "divide the exponentials by their sum"]),
    ],
)
def test_softmax_mistakes_are_explained(mistake, fragments, capsys):
    assert_explains(run_check(check_softmax, mistake, capsys), *fragments)


def test_softmax_findings_are_not_repeated_across_cases(capsys):
    lines = run_check(check_softmax, naive_rowwise_softmax, capsys).splitlines()
    assert len(lines) == 1, lines  # large, very negative and far-apart inputs: one finding


def test_a_warning_from_the_learners_code_is_explained_not_printed(recwarn, capsys):
    check_softmax(textbook_softmax)
    assert not recwarn.list
    assert capsys.readouterr().err == ""


# --- 02: the NumPy cost ---------------------------------------------------------------------


def my_cost(A, y):
    m = len(y)
    return -np.mean(np.log(np.clip(A[np.arange(m), y], 1e-7, 1 - 1e-7)))


def summed_cost(A, y):
    return -np.sum(np.log(np.clip(A[np.arange(len(y)), y], 1e-7, 1 - 1e-7)))


def unclipped_cost(A, y):
    return -np.mean(np.log(A[np.arange(len(y)), y]))


def one_hot_times_log_cost(A, y):
    return -np.sum(one_hot(y, A.shape[1]) * np.log(A)) / len(y)


def mean_over_classes_cost(A, y):
    return -np.mean(one_hot(y, A.shape[1]) * np.log(np.clip(A, 1e-7, 1 - 1e-7)))


def labels_as_one_hot_cost(A, y):
    return -np.sum(y * np.log(np.clip(A, 1e-7, 1 - 1e-7))) / len(y)


def rows_by_label_cost(A, y):
    return -np.mean(np.log(np.clip(A[y], 1e-7, 1 - 1e-7)))


def per_example_cost(A, y):
    return -np.log(np.clip(A[np.arange(len(y)), y], 1e-7, 1 - 1e-7))


def positive_log_cost(A, y):
    return np.mean(np.log(np.clip(A[np.arange(len(y)), y], 1e-7, 1 - 1e-7)))


def keras_order_cost(y, A):
    return my_cost(A, y)


def test_cost_solution_passes(capsys):
    assert_passes(run_check(check_cost, my_cost, capsys))


def test_the_reference_cost_is_keras_cross_entropy():
    from lab_utils import sparse_categorical_crossentropy

    for _, A, y in checks.COST_CASES:
        per_example = sparse_categorical_crossentropy(y, A)
        assert checks.reference_cost(A, y) == pytest.approx(per_example.mean(), rel=1e-6)


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        (summed_cost, ["1/m is missing"]),
        (unclipped_cost, ["log(0)", "np.clip(A, 1e-7, 1 - 1e-7)"]),
        (one_hot_times_log_cost, ["0 * log(0) = nan", "clip"]),
        (mean_over_classes_cost, ["number of classes N", "divide the sum by m only"]),
        (labels_as_one_hot_cost, ["broadcast", "integer labels", "A[np.arange(m), y]"]),
        (rows_by_label_cost, ["A[y] picks whole rows", "A[np.arange(m), y]"]),
        (per_example_cost, ["shape (3,)", "one number"]),
        (positive_log_cost, ["sign is wrong"]),
        (keras_order_cost, ["order (A, y)"]),
    ],
)
def test_cost_mistakes_are_explained(mistake, fragments, capsys):
    assert_explains(run_check(check_cost, mistake, capsys), *fragments)


# --- 03: the preferred model -------------------------------------------------------------


@pytest.fixture(scope="module")
def keras():
    import keras  # quieted and pinned by tests/conftest.py

    return keras


def model_with(keras, output=None, loss="preferred", extra=()):
    """Dense 25 relu -> 15 relu -> output, compiled with ``loss`` (never trained)."""
    from keras.layers import Dense

    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            Dense(25, activation="relu"),
            Dense(15, activation="relu"),
            output or Dense(4),
            *extra,
        ]
    )
    if loss == "preferred":
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if loss is not None:
        model.compile(loss=loss, optimizer=keras.optimizers.Adam(0.001))
    return model


def test_preferred_model_passes(keras, capsys):
    assert_passes(run_check(check_preferred_model, model_with(keras), capsys))


def test_a_function_building_the_preferred_model_passes(keras, capsys):
    def build_preferred_model():
        return model_with(keras)

    printed = run_check(check_preferred_model, build_preferred_model, capsys)
    assert_passes(printed)
    assert "build_preferred_model passes" in printed


def test_the_model_placeholder_is_explained(keras, capsys):
    assert_explains(run_check(check_preferred_model, placeholder, capsys), "not written yet")


def test_the_placeholder_named_is_the_one_to_write_not_its_caller(keras, capsys):
    def preferred_output_and_loss():
        raise NotImplementedError()

    def build_preferred():
        return model_with(keras, *preferred_output_and_loss())

    printed = run_check(check_preferred_model, build_preferred, capsys)
    assert_explains(printed, "preferred_output_and_loss is not written yet")


def test_a_library_that_raises_not_implemented_names_the_learners_function(capsys):
    import logging

    def my_softmax(z):
        logging.Handler().emit(None)  # the standard library's NotImplementedError

    assert_explains(run_check(check_softmax, my_softmax, capsys), "my_softmax is not written yet")


def test_a_builder_returning_nothing_is_explained(keras, capsys):
    def build_preferred_model():
        model_with(keras)

    printed = run_check(check_preferred_model, build_preferred_model, capsys)
    assert_explains(printed, "returned None", "return model")


def test_the_obvious_model_is_explained(keras, capsys):
    from keras.layers import Dense

    obvious = model_with(
        keras, Dense(4, activation="softmax"), loss=keras.losses.SparseCategoricalCrossentropy()
    )
    printed = run_check(check_preferred_model, obvious, capsys)
    assert_explains(printed, "applies a softmax", "from_logits=True")
    assert len(printed.splitlines()) == 2  # the output layer and the loss


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        ("softmax_output", ["applies a softmax", "activation='linear'"]),
        ("softmax_layer", ["applies a softmax"]),
        ("hidden_softmax", ["outputs sum to 1 in every row"]),
        ("relu_output", ["activation 'relu'", "activation='linear'"]),
        ("three_units", ["3 unit(s)", "Dense(4)"]),
        ("loss_without_from_logits", ["expects probabilities", "from_logits=True"]),
        ("loss_by_name", ["expects probabilities", "from_logits=True"]),
        ("one_hot_loss", ["CategoricalCrossentropy", "one-hot", "integers 0..3"]),
        ("not_compiled", ["not compiled"]),
    ],
)
def test_preferred_model_mistakes_are_explained(keras, mistake, fragments, capsys):
    from keras.layers import Dense

    models = {
        "softmax_output": lambda: model_with(keras, Dense(4, activation="softmax")),
        "softmax_layer": lambda: model_with(keras, extra=[keras.layers.Softmax()]),
        "hidden_softmax": lambda: model_with(
            keras, extra=[keras.layers.Lambda(lambda t: keras.ops.softmax(t))]
        ),
        "relu_output": lambda: model_with(keras, Dense(4, activation="relu")),
        "three_units": lambda: model_with(keras, Dense(3)),
        "loss_without_from_logits": lambda: model_with(
            keras, loss=keras.losses.SparseCategoricalCrossentropy()
        ),
        "loss_by_name": lambda: model_with(keras, loss="sparse_categorical_crossentropy"),
        "one_hot_loss": lambda: model_with(
            keras, loss=keras.losses.CategoricalCrossentropy(from_logits=True)
        ),
        "not_compiled": lambda: model_with(keras, loss=None),
    }
    assert_explains(run_check(check_preferred_model, models[mistake](), capsys), *fragments)


def test_checking_the_model_does_not_train_it(keras):
    model = model_with(keras)
    before = [w.copy() for w in model.get_weights()]
    check_preferred_model(model)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


# --- 05: the softmax-regression gradient ------------------------------------------------


def my_gradient(X, y, W, b):
    dz = (softmax(X @ W + b) - one_hot(y, W.shape[1])) / len(y)
    return X.T @ dz, dz.sum(axis=0)


def gradient_with(dz_of, dW_of=lambda X, dz: X.T @ dz, db_of=lambda dz: dz.sum(axis=0)):
    def wrong_gradient(X, y, W, b):
        dz = dz_of(X @ W + b, y, W.shape[1], len(y))
        return dW_of(X, dz), db_of(dz)

    return wrong_gradient


def right_dz(z, y, n_classes, m):
    return (softmax(z) - one_hot(y, n_classes)) / m


GRADIENT_MISTAKES = {
    "no_1_over_m": gradient_with(lambda z, y, n, m: softmax(z) - one_hot(y, n)),
    "wrong_sign": gradient_with(lambda z, y, n, m: (one_hot(y, n) - softmax(z)) / m),
    "labels_not_one_hot": gradient_with(lambda z, y, n, m: (softmax(z) - y[:, None]) / m),
    "labels_broadcast": gradient_with(lambda z, y, n, m: (softmax(z) - y) / m),
    "logits_not_probabilities": gradient_with(lambda z, y, n, m: (z - one_hot(y, n)) / m),
    "targets_not_subtracted": gradient_with(lambda z, y, n, m: softmax(z) / m),
    "transposed_dW": gradient_with(right_dz, dW_of=lambda X, dz: dz.T @ X),
    "db_keepdims": gradient_with(right_dz, db_of=lambda dz: dz.sum(axis=0, keepdims=True)),
}


def test_gradient_solution_passes(capsys):
    assert_passes(run_check(check_softmax_regression_gradient, my_gradient, capsys))


def test_the_reference_gradient_matches_finite_differences():
    from lab_utils import sparse_categorical_crossentropy

    _, (X, y, W, b) = checks.GRADIENT_CASES[0]
    dW, db = checks.reference_gradient(X, y, W, b)

    def cost(W, b):
        return sparse_categorical_crossentropy(y, X @ W + b, from_logits=True).mean()

    h = 1e-6
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        assert (cost(W + step, b) - cost(W - step, b)) / (2 * h) == pytest.approx(
            dW[index], abs=1e-7
        )
    for j in range(len(b)):
        step = np.eye(len(b))[j] * h
        assert (cost(W, b + step) - cost(W, b - step)) / (2 * h) == pytest.approx(db[j], abs=1e-7)


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        ("no_1_over_m", ["1/m is missing"]),
        ("wrong_sign", ["sign is wrong"]),
        ("labels_not_one_hot", ["subtracted from every column", "one_hot(y, N)"]),
        ("labels_broadcast", ["broadcast", "one_hot(y, N)"]),
        ("logits_not_probabilities", ["uses the logits", "softmax(X @ W + b)"]),
        ("targets_not_subtracted", ["targets are missing", "a - one_hot(y, N)"]),
        ("transposed_dW", ["transposed", "X.T @ dz"]),
        ("db_keepdims", ["db has shape (1, 4)", "keepdims"]),
    ],
)
def test_gradient_mistakes_are_explained(mistake, fragments, capsys):
    printed = run_check(check_softmax_regression_gradient, GRADIENT_MISTAKES[mistake], capsys)
    assert_explains(printed, *fragments)


def test_a_silently_transposed_dW_is_caught_where_it_has_Ws_shape(monkeypatch, capsys):
    square = [case for case in checks.GRADIENT_CASES if case[1][2].shape == (3, 3)]
    monkeypatch.setattr("lab_utils.checks.gradient.GRADIENT_CASES", square)
    printed = run_check(
        check_softmax_regression_gradient, GRADIENT_MISTAKES["transposed_dW"], capsys
    )
    assert_explains(printed, "3 classes", "transposed")


def test_a_square_batch_without_keepdims_is_caught_where_it_does_not_raise(monkeypatch, capsys):
    square = [case for case in checks.SOFTMAX_CASES if case[0] == "a square batch"]
    monkeypatch.setattr("lab_utils.checks.softmax.SOFTMAX_CASES", square)
    assert_explains(
        run_check(check_softmax, no_keepdims_softmax, capsys),
        "divided by the wrong sums",
        "keepdims=True",
    )


def test_dW_and_db_swapped_is_explained(capsys):
    def swapped(X, y, W, b):
        return my_gradient(X, y, W, b)[::-1]

    assert_explains(run_check(check_softmax_regression_gradient, swapped, capsys), "swapped")


def test_a_learner_changing_its_arguments_cannot_change_the_cases(capsys):
    before = [(A.copy(), y.copy()) for _, A, y in checks.COST_CASES]

    def clipping_in_place(A, y):
        np.clip(A, 1e-7, 1 - 1e-7, out=A)
        y[:] = 0
        return 0.0

    check_cost(clipping_in_place)
    check_cost(my_cost)
    assert capsys.readouterr().out.splitlines()[-1].startswith(PASS)
    for (A0, y0), (_, A, y) in zip(before, checks.COST_CASES, strict=True):
        assert np.array_equal(A0, A) and np.array_equal(y0, y)


# --- 07: the expected calibration error -------------------------------------------------


def ece_with(
    confidence_of=lambda P, y: P.max(axis=1),
    weight="share",
    absolute=True,
    nan_for_empty=False,
    clip_last=True,
    bins_used=None,
    combine=np.sum,
):
    """A learner's my_ece with floor binning ([low, high) bins), varied one way at a time."""

    def my_ece(P, y, n_bins=10):
        n = bins_used or n_bins
        confidence, correct = confidence_of(P, y), P.argmax(axis=1) == y
        bins = (confidence * n).astype(int)
        if clip_last:
            bins = np.minimum(bins, n - 1)
        parts = []
        for k in range(n):
            inside = bins == k
            if not inside.any() and not nan_for_empty:
                continue
            gap = correct[inside].mean() - confidence[inside].mean()
            gap = abs(gap) if absolute else gap
            share = {"share": inside.mean(), "count": inside.sum(), "equal": 1.0}[weight]
            parts.append(share * gap)
        return abs(combine(parts)) if not absolute else combine(parts)

    return my_ece


ECE_MISTAKES = {
    "unweighted": ece_with(weight="equal", combine=np.mean),
    "over_n_bins": ece_with(weight="equal", combine=lambda parts: np.sum(parts) / 10),
    "counts": ece_with(weight="count"),
    "signed": ece_with(absolute=False),
    "true_class": ece_with(confidence_of=lambda P, y: P[np.arange(len(y)), y]),
    "one_lost": ece_with(clip_last=False),
    "always_10_bins": ece_with(bins_used=10),
    "nan_for_empty": ece_with(nan_for_empty=True),
}


def test_ece_solutions_with_either_edge_convention_pass(capsys):
    assert_passes(run_check(check_calibration_error, ece_with(), capsys))
    assert_passes(run_check(check_calibration_error, expected_calibration_error, capsys))


def test_no_ece_case_puts_a_confidence_on_an_inner_bin_edge():
    for _, P, _, n_bins in checks.ECE_CASES:
        scaled = P.max(axis=1) * n_bins
        on_edge = (scaled == np.round(scaled)) & (scaled > 0) & (scaled < n_bins)
        assert not on_edge.any()
    assert any((P.max(axis=1) == 1.0).any() for _, P, _, _ in checks.ECE_CASES)


def on_the_edges(n_bins, seed=0):
    """Two-class (P, y, n_bins) whose confidences include every bin edge from 0.5 to 1."""
    rng = np.random.default_rng(seed)
    edges = np.linspace(0, 1, n_bins + 1)
    confidence = np.concatenate([edges[edges >= 0.5], rng.uniform(0.5, 1, 30)])
    P = np.column_stack([confidence, 1 - confidence])
    return P, rng.integers(0, 2, len(confidence)), n_bins


@pytest.mark.parametrize(
    ("P", "y", "n_bins"),
    [on_the_edges(n) for n in (4, 5, 10)] + [case[1:] for case in checks.ECE_CASES],
)
def test_the_ece_check_judges_with_the_bins_of_the_reference(P, y, n_bins):
    # the right bins the check holds a learner's ECE against are calibration's own
    from lab_utils.calibration import reliability_table
    from lab_utils.checks.calibration_error import _ece_parts

    table = reliability_table(P, y, n_bins)
    filled = table.count > 0
    parts = _ece_parts(P.max(axis=1), P.argmax(axis=1) == y, n_bins)
    for part, column in zip(parts, (table.count, table.confidence, table.accuracy), strict=True):
        assert np.array_equal(part, column[filled])


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        ("unweighted", ["every bin counts the same", "n_k / m"]),
        ("over_n_bins", ["divides by the number of bins"]),
        ("counts", ["counts, not shares"]),
        ("signed", ["cancel out", "absolute value"]),
        ("true_class", ["probability of the true class", "P.max(axis=1)"]),
        ("one_lost", ["exactly 1.0 ended up in no bin"]),
        ("always_10_bins", ["10 bins whatever n_bins says"]),
        ("nan_for_empty", ["returned nan", "empty bin"]),
    ],
)
def test_ece_mistakes_are_explained(mistake, fragments, capsys):
    assert_explains(run_check(check_calibration_error, ECE_MISTAKES[mistake], capsys), *fragments)


@pytest.mark.parametrize(
    ("learner", "fragments"),
    [
        (placeholder, ["not written yet"]),
        (forgot_return, ["returned None", "return"]),
        (np.array([0.5]), ["no parentheses"]),
        (lambda P, y, n_bins: np.zeros(n_bins), ["array of shape (10,)", "one number"]),
        (lambda y, P, n_bins: P.max(axis=1), ["raised", "(P, y, n_bins)"]),
    ],
)
def test_ece_placeholder_and_misuse_are_explained(learner, fragments, capsys):
    assert_explains(run_check(check_calibration_error, learner, capsys), *fragments)


# --- 04: one point through the network, by hand -------------------------------------------


def classify(x, W1, b1, W2, b2):
    h = np.maximum(0, x @ W1 + b1)
    return np.argmax(h @ W2 + b2)


def classify_with(z_of):
    def wrong_classify(x, W1, b1, W2, b2):
        return z_of(x, W1, b1, W2, b2)

    return wrong_classify


CLASSIFY_MISTAKES = {
    "no_relu": classify_with(lambda x, W1, b1, W2, b2: np.argmax((x @ W1 + b1) @ W2 + b2)),
    "rows_as_units": classify_with(
        lambda x, W1, b1, W2, b2: np.argmax(np.maximum(0, W1 @ x + b1) @ W2 + b2)
    ),
    "no_b1": classify_with(lambda x, W1, b1, W2, b2: np.argmax(np.maximum(0, x @ W1) @ W2 + b2)),
    "no_b2": classify_with(lambda x, W1, b1, W2, b2: np.argmax(np.maximum(0, x @ W1 + b1) @ W2)),
    "argmin": classify_with(
        lambda x, W1, b1, W2, b2: np.argmin(np.maximum(0, x @ W1 + b1) @ W2 + b2)
    ),
    "counted_from_1": classify_with(lambda x, W1, b1, W2, b2: classify(x, W1, b1, W2, b2) + 1),
    "logits_returned": classify_with(
        lambda x, W1, b1, W2, b2: np.maximum(0, x @ W1 + b1) @ W2 + b2
    ),
    "global_weights": classify_with(  # notebook 04's trained weights, not the arguments
        lambda x, W1, b1, W2, b2: classify(
            x,
            np.array([[0.47, 1.41], [-1.78, 0.75]]),
            np.array([1.53, 1.73]),
            np.array([[-1.44, 2.21, -0.98, 1.67], [-2.63, -2.41, 0.52, -0.08]]),
            np.array([4.1, 0.33, -0.08, -2.24]),
        )
    ),
}


def test_classify_solution_passes(capsys):
    assert_passes(run_check(check_classify, classify, capsys))


def test_classify_placeholder_and_missing_return_are_explained(capsys):
    assert_explains(run_check(check_classify, placeholder, capsys), "not written yet")
    assert_explains(run_check(check_classify, forgot_return, capsys), "returned None")


def test_every_classify_mistake_gives_its_own_classes():
    # otherwise the check could not tell them apart (and might call a mistake by another name)
    W1, b1, W2, b2 = checks.CLASSIFY_WEIGHTS
    answers = [
        tuple(mistake(x, W1, b1, W2, b2) for x in checks.CLASSIFY_POINTS)
        for mistake, _ in checks.CLASSIFY_MISTAKES
    ]
    answers.append(tuple(checks.reference_class(x, W1, b1, W2, b2) for x in checks.CLASSIFY_POINTS))
    assert len(set(answers)) == len(answers)


def test_the_reference_class_is_the_networks_largest_logit():
    x, W1, b1, W2, b2 = checks.CLASSIFY_WIDE
    z = np.maximum(0, x @ W1 + b1) @ W2 + b2
    assert checks.reference_class(x, W1, b1, W2, b2) == int(np.argmax(z))
    assert np.sort(z)[-1] - np.sort(z)[-2] > 0.1  # a clear winner, no tie


REFERENCE_CLASSES = [
    checks.reference_class(x, *checks.CLASSIFY_WEIGHTS) for x in checks.CLASSIFY_POINTS
]


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        ("no_relu", ["no ReLU"]),
        ("rows_as_units", ["W1 @ x", "columns are the hidden units"]),
        ("no_b1", ["b1 is missing"]),
        ("no_b2", ["b2 is missing"]),
        ("argmin", ["smallest logit"]),
        ("counted_from_1", ["from 1", "counts from 0"]),
        ("logits_returned", ["returned 4 numbers", "np.argmax(z)"]),
        ("global_weights", [f"expected {REFERENCE_CLASSES}", "z = h @ W2 + b2"]),
    ],
)
def test_classify_mistakes_are_explained(mistake, fragments, capsys):
    assert_explains(run_check(check_classify, CLASSIFY_MISTAKES[mistake], capsys), *fragments)


def test_a_classify_that_assumes_two_hidden_units_is_explained(capsys):
    def two_units_only(x, W1, b1, W2, b2):
        h = np.maximum(0, x @ W1[:, :2] + b1[:2])
        return np.argmax(h @ W2[:2] + b2)

    assert_explains(run_check(check_classify, two_units_only, capsys), "3 hidden units")


def test_a_classify_that_raises_on_a_shape_says_which_way_W1_goes(capsys):
    def rows_as_units_raising(x, W1, b1, W2, b2):
        return np.argmax(np.maximum(0, W1 @ x.reshape(1, 2) + b1) @ W2 + b2)

    assert_explains(
        run_check(check_classify, rows_as_units_raising, capsys), "columns are the hidden units"
    )


# --- 06: exact_loss ----------------------------------------------------------------------


def exact_loss(Z, y):
    c = Z.max(axis=1, keepdims=True)
    log_a = Z - c - np.log(np.exp(Z - c).sum(axis=1, keepdims=True))
    return -np.mean(log_a[np.arange(len(y)), y])


def softmax_then_log_loss(Z, y):
    return -np.mean(np.log(softmax(Z)[np.arange(len(y)), y]))


def keras_clipped_loss(Z, y):
    return -np.mean(np.log(np.clip(softmax(Z)[np.arange(len(y)), y], 1e-7, 1 - 1e-7)))


def summed_exact_loss(Z, y):
    return len(y) * exact_loss(Z, y)


def max_minus_true_logit_loss(Z, y):
    return np.mean(Z.max(axis=1) - Z[np.arange(len(y)), y])


def per_example_exact_loss(Z, y):
    return np.full(len(y), exact_loss(Z, y))


def test_exact_loss_solution_passes(capsys):
    assert_passes(run_check(checks.check_exact_loss, exact_loss, capsys))


def test_the_reference_exact_loss_is_cross_entropy_from_logits():
    from lab_utils import sparse_categorical_crossentropy

    for _, Z, y in checks.EXACT_LOSS_CASES:
        per_example = sparse_categorical_crossentropy(y, Z, from_logits=True)
        assert checks.reference_exact_loss(Z, y) == pytest.approx(per_example.mean(), rel=1e-9)
    assert checks.reference_exact_loss(*checks.EXACT_LOSS_CASES[1][1:]) == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("mistake", "fragments"),
    [
        (softmax_then_log_loss, ["rounds to 0", "log-softmax"]),
        (keras_clipped_loss, ["clips as Keras does", "16.118"]),
        (summed_exact_loss, ["1/m is missing"]),
        (max_minus_true_logit_loss, ["only the first term of logsumexp"]),
        (per_example_exact_loss, ["shape (3,)", "one number"]),
    ],
)
def test_exact_loss_mistakes_are_explained(mistake, fragments, capsys):
    assert_explains(run_check(checks.check_exact_loss, mistake, capsys), *fragments)


def test_check_exact_loss_strict_fails_after_explaining(capsys):
    with pytest.raises(AssertionError, match="check_exact_loss: 1 problem"):
        checks.check_exact_loss(keras_clipped_loss, strict=True)
    assert "Hint:" in capsys.readouterr().out
