"""Expected calibration error and temperature scaling, against hand-made cases and scikit-learn."""

import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.frozen import FrozenEstimator

from lab_utils import log_softmax, softmax
from lab_utils.calibration import (
    bin_edges,
    bin_indices,
    calibrated_eces,
    confidence_and_correct,
    expected_calibration_error,
    fit_temperature,
    reliability_table,
    temperature_cross_entropy,
    temperature_scale,
)

# confidences 0.95, 0.95, 0.55, 0.55: the first two right, one of the last two right
P = np.array([[0.95, 0.05], [0.05, 0.95], [0.55, 0.45], [0.45, 0.55]])
Y = np.array([0, 1, 0, 0])


def random_problem(m=300, n=10, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(m, n)) * scale
    y = np.where(rng.uniform(size=m) < 0.7, logits.argmax(axis=1), rng.integers(0, n, m))
    return logits, y


def test_confidence_is_the_largest_probability_and_correct_its_class():
    confidence, correct = confidence_and_correct(P, Y)
    np.testing.assert_allclose(confidence, [0.95, 0.95, 0.55, 0.55])
    np.testing.assert_array_equal(correct, [True, True, True, False])


def test_the_ece_of_a_hand_made_case():
    # bin (0.9, 1]: accuracy 1, confidence 0.95; bin (0.5, 0.6]: accuracy 0.5, confidence 0.55
    assert expected_calibration_error(P, Y) == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)


def test_one_bin_is_the_gap_between_mean_confidence_and_accuracy():
    logits, y = random_problem()
    p = softmax(logits)
    confidence, correct = confidence_and_correct(p, y)
    assert expected_calibration_error(p, y, n_bins=1) == pytest.approx(
        abs(confidence.mean() - correct.mean())
    )


def test_a_model_right_exactly_as_often_as_it_claims_has_no_error():
    # five examples at confidence 0.8, four of them right
    p = np.tile([0.8, 0.2], (5, 1))
    assert expected_calibration_error(p, np.array([0, 0, 0, 0, 1])) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_the_bins_are_scikit_learns(strategy):
    logits, y = random_problem(seed=3)
    p = softmax(logits)
    confidence, correct = confidence_and_correct(p, y)
    edges, count, mean_confidence, accuracy = reliability_table(p, y, strategy=strategy)
    accuracy_sk, confidence_sk = calibration_curve(
        correct, confidence, n_bins=10, strategy=strategy
    )
    filled = count > 0
    np.testing.assert_allclose(accuracy[filled], accuracy_sk)
    np.testing.assert_allclose(mean_confidence[filled], confidence_sk)
    assert np.isnan(accuracy[~filled]).all() and count.sum() == len(y)
    assert edges[0] <= confidence.min() and edges[-1] >= confidence.max()


def test_equal_mass_bins_hold_the_same_number_of_examples():
    logits, y = random_problem(m=400, seed=4)
    table = reliability_table(softmax(logits), y, n_bins=8, strategy="quantile")
    np.testing.assert_array_equal(table.count, np.full(8, 50))
    # equal-width bins of the same confidences do not
    assert np.ptp(reliability_table(softmax(logits), y, n_bins=8).count) > 20
    np.testing.assert_allclose(bin_edges([0.2, 0.4, 0.6, 0.8, 1.0], 2, "quantile"), [0.2, 0.6, 1.0])


def test_a_confidence_on_an_edge_goes_to_the_lower_bin_and_1_to_the_last():
    np.testing.assert_array_equal(bin_indices([0.0, 0.1, 0.1000001, 0.5, 1.0]), [0, 0, 1, 4, 9])


def test_the_ece_equals_its_definition_on_random_problems():
    for seed in range(5):
        logits, y = random_problem(seed=seed)
        p = softmax(logits)
        confidence, correct = confidence_and_correct(p, y)
        edges = np.linspace(0, 1, 16)
        expected = 0.0
        for low, high in zip(edges[:-1], edges[1:], strict=True):
            inside = (confidence > low) & (confidence <= high)
            if inside.any():
                expected += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
        assert expected_calibration_error(p, y, n_bins=15) == pytest.approx(expected)


def test_a_perfectly_calibrated_model_still_shows_an_ece_of_about_one_over_root_m():
    logits, _ = random_problem(m=360, seed=5)
    p = softmax(logits)
    eces = calibrated_eces(p, draws=4000, seed=1)
    assert eces.shape == (4000,) and (eces > 0).all() and (eces <= 1).all()
    # one draw by hand: each example right with probability its confidence, then the ECE
    confidence = p.max(axis=1)
    right = np.random.default_rng(1).uniform(size=(4000, 360))[0] < confidence
    labels = np.where(right, p.argmax(axis=1), (p.argmax(axis=1) + 1) % p.shape[1])
    assert eces[0] == pytest.approx(expected_calibration_error(p, labels))
    # the mean per-bin gap is of the order of the binomial noise, sqrt(c(1 - c) / m_k)
    assert 0.5 * np.sqrt(np.mean(confidence * (1 - confidence)) / 36) < eces.mean() < 0.2
    assert np.array_equal(
        calibrated_eces(p, draws=10, seed=2), calibrated_eces(p, draws=10, seed=2)
    )


def test_the_noise_of_a_calibrated_model_falls_with_more_examples():
    logits, _ = random_problem(m=4000, seed=6)
    p = softmax(logits)
    assert calibrated_eces(p[:400], draws=500).mean() > 2 * calibrated_eces(p, draws=500).mean()


def test_a_miscalibrated_model_lies_outside_the_calibrated_range():
    # labels drawn from softmax(z / 2) but the model claims softmax(z): overconfident
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(2000, 5)) * 3
    y = (rng.uniform(size=(2000, 1)) > softmax(logits / 2).cumsum(axis=1)).sum(axis=1)
    ece = expected_calibration_error(softmax(logits), y)
    assert ece > np.percentile(calibrated_eces(softmax(logits)), 99.9)
    assert expected_calibration_error(softmax(logits / 2), y) < np.percentile(
        calibrated_eces(softmax(logits / 2)), 99.9
    )


def test_temperature_divides_the_logits():
    logits, _ = random_problem(m=5)
    np.testing.assert_allclose(temperature_scale(logits, 2.0), softmax(logits / 2))
    np.testing.assert_allclose(temperature_scale(logits, 1), softmax(logits))


def test_a_masked_logit_keeps_probability_zero_at_any_temperature():
    logits = np.array([[1.0, -np.inf, 0.0], [0.0, 2.0, -np.inf]])
    for T in (0.5, 3.0):
        p = temperature_scale(logits, T)
        assert p[0, 1] == 0 and p[1, 2] == 0
        np.testing.assert_allclose(p.sum(axis=1), 1)
    assert np.isfinite(temperature_cross_entropy(logits, np.array([0, 1]), 2.0))


def test_temperature_never_changes_the_predicted_class():
    logits, _ = random_problem()
    for T in (0.1, 0.7, 3.0, 20.0):
        np.testing.assert_array_equal(temperature_scale(logits, T).argmax(1), logits.argmax(1))


def test_temperature_cross_entropy_is_the_mean_loss():
    logits, y = random_problem(m=20)
    expected = -np.mean(log_softmax(logits / 1.5)[np.arange(20), y])
    assert temperature_cross_entropy(logits, y, 1.5) == pytest.approx(expected)


@pytest.mark.parametrize("true_T", [0.5, 2.0])
def test_fit_temperature_recovers_the_temperature_the_labels_were_drawn_with(true_T):
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(20000, 5)) * 2
    p = softmax(logits / true_T)
    y = (rng.uniform(size=(len(p), 1)) > p.cumsum(axis=1)).sum(axis=1)
    assert fit_temperature(logits, y) == pytest.approx(true_T, rel=0.05)


def test_fit_temperature_finds_the_minimum_of_the_cross_entropy():
    logits, y = random_problem(seed=11)
    T = fit_temperature(logits, y)
    best = temperature_cross_entropy(logits, y, T)
    for nearby in (T * 0.99, T * 1.01):
        assert temperature_cross_entropy(logits, y, nearby) > best
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 400))
    assert best <= min(temperature_cross_entropy(logits, y, t) for t in grid)


class _Logits(ClassifierMixin, BaseEstimator):
    """A fitted "classifier" whose decision function returns its input: the logits themselves."""

    def fit(self, X, y):
        self.classes_ = np.arange(X.shape[1])
        return self

    def decision_function(self, X):
        return X

    def predict(self, X):
        return X.argmax(axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_temperature_agrees_with_scikit_learns_temperature_scaling(seed):
    # an independent minimiser (scipy's bounded Brent on log 1/T, scikit-learn >= 1.8)
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(500, 5)) * rng.uniform(1, 4)
    y = (rng.uniform(size=(500, 1)) > softmax(logits / rng.uniform(0.4, 2.5)).cumsum(axis=1)).sum(
        axis=1
    )
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(_Logits().fit(logits, y)), method="temperature"
    )
    calibrated.fit(logits, y)
    beta = calibrated.calibrated_classifiers_[0].calibrators[0].beta_
    assert fit_temperature(logits, y) == pytest.approx(1 / float(beta), rel=1e-5)
    np.testing.assert_allclose(
        calibrated.predict_proba(logits),
        temperature_scale(logits, fit_temperature(logits, y)),
        atol=1e-5,
    )


def test_fit_temperature_stops_at_the_range_when_sharper_is_always_better():
    logits = np.array([[5.0, 0.0], [0.0, 5.0]])
    assert fit_temperature(logits, np.array([0, 1]), t_range=(0.5, 4.0)) == pytest.approx(
        0.5, rel=1e-6
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: expected_calibration_error(P[0], Y), ValueError, r"shape \(m, N\)"),
        (
            lambda: expected_calibration_error(P * 2, Y),
            ValueError,
            "in \\[0, 1\\], got "
            r"probabilities\[0, 0\] = 1.9; if "
            "these are logits",
        ),
        (
            lambda: expected_calibration_error(P * 0.9, Y),
            ValueError,
            r"probabilities must have rows that sum to 1, got probabilities\[0, :\] summing to 0.9",
        ),
        (
            lambda: expected_calibration_error(np.where(P == 0.55, np.nan, P), Y),
            ValueError,
            r"must be finite, got probabilities\[2, 0\] = nan",
        ),
        (
            lambda: expected_calibration_error("abc", Y),
            TypeError,
            "probabilities must hold real numbers, got str",
        ),
        (
            lambda: expected_calibration_error(P, Y[:3]),
            ValueError,
            r"y must have shape \(4,\), one class label per example",
        ),
        (lambda: expected_calibration_error(P, Y + 0.5), ValueError, "whole-number class labels"),
        (
            lambda: expected_calibration_error(P, np.array([0, 1, 2, 0])),
            ValueError,
            r"y must hold class labels in 0..1, got y\[2\] = 2",
        ),
        (
            lambda: expected_calibration_error(P, Y, n_bins=0),
            ValueError,
            "n_bins must be at least 1",
        ),
        (
            lambda: expected_calibration_error(P, Y, n_bins=2.5),
            TypeError,
            "n_bins must be an integer",
        ),
        (
            lambda: expected_calibration_error(P, Y, strategy="equal"),
            ValueError,
            "strategy must be one of",
        ),
        (lambda: calibrated_eces(P, draws=0), ValueError, "draws must be at least 1"),
        (lambda: calibrated_eces(P, draws=2.0), TypeError, "draws must be an integer"),
        (lambda: calibrated_eces(P * 2), ValueError, "must hold probabilities in \\[0, 1\\]"),
        (lambda: temperature_scale(P, 0), ValueError, "positive, finite temperature"),
        (lambda: temperature_scale(P, math.inf), ValueError, "positive, finite temperature"),
        (lambda: temperature_scale(P, "1"), TypeError, "T must be a number"),
        (lambda: temperature_cross_entropy(P, Y, -1.0), ValueError, "positive"),
        (lambda: fit_temperature(P, Y, t_range=(2.0, 1.0)), ValueError, "low < high"),
        (
            lambda: fit_temperature(P, Y, t_range=(0, 1.0)),
            ValueError,
            r"t_range\[0\] must be a positive, finite temperature",
        ),
        (lambda: fit_temperature(P, Y, t_range=1.0), TypeError, "t_range must be a pair"),
        (lambda: fit_temperature(P, Y, tol=0), ValueError, "tol must be a number strictly between"),
        (lambda: fit_temperature(P, Y, tol="1e-7"), TypeError, "tol must be a number"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
