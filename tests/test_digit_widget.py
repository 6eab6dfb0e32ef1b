"""The digit picker of notebook 07, driven without a browser."""

import base64

import numpy as np
import pytest
from widget_charts import assert_saved_image_is_the_sharp_chart, sharp_chart

from lab_utils import log_softmax, softmax
from lab_utils.digit_widget import digit_frame, digit_picker

RNG = np.random.default_rng(1)
IMAGES = RNG.integers(0, 17, size=(6, 64)).astype(float)
LOGITS = RNG.normal(size=(6, 10)) * 4
LABELS = np.array([3, 1, 4, 1, 5, 9])


def test_a_frame_is_the_softmax_of_the_logits_over_T_and_the_loss_of_the_label():
    frame = digit_frame(LOGITS, LABELS, 2, T=2.5)
    np.testing.assert_allclose(frame.probabilities, softmax(LOGITS[2] / 2.5))
    assert frame.label == 4 and frame.index == 2
    assert frame.predicted == int(np.argmax(LOGITS[2]))
    assert frame.loss == pytest.approx(-log_softmax(LOGITS[2] / 2.5)[4])


def test_temperature_changes_the_probabilities_but_not_the_prediction():
    cold, hot = digit_frame(LOGITS, LABELS, 0, T=0.2), digit_frame(LOGITS, LABELS, 0, T=8.0)
    assert cold.predicted == hot.predicted
    assert cold.probabilities.max() > hot.probabilities.max()


def test_the_picker_starts_at_the_given_image_and_temperature():
    w = digit_picker(IMAGES, LOGITS, LABELS, index=1, T=2.0)
    assert [c.description for c in w.controls] == ["test image", "T"]
    assert w.index == 1 and w.T == pytest.approx(2.0)
    np.testing.assert_allclose(w.frame.probabilities, softmax(LOGITS[1] / 2.0))


def test_the_picker_names_the_set_its_images_come_from():
    w = digit_picker(IMAGES, LOGITS, LABELS, which="validation")
    w.picker.value = 4
    assert w.picker.description == "validation image"
    assert sharp_chart(w).label_title.get_text() == "validation image 4, label 5"
    assert w._repr_mimebundle_()[0]["text/plain"].startswith("Validation image 4 (label 5)")


def test_moving_either_control_updates_frame_readout_and_chart():
    w = digit_picker(IMAGES, LOGITS, LABELS)
    for control, value in [(w.picker, 4), (w.temperature, 5.0)]:
        before_png, before_readout = w.chart.value, w.readout.value
        control.value = value
        assert w.chart.value != before_png and w.readout.value != before_readout
    np.testing.assert_allclose(w.frame.probabilities, softmax(LOGITS[4] / 5.0))
    assert f"loss = -log a5 = {w.frame.loss:.3f}" in w.readout.value
    chart = sharp_chart(w)
    np.testing.assert_allclose([bar.get_height() for bar in chart.bars], w.frame.probabilities)
    np.testing.assert_array_equal(chart.image.get_array(), IMAGES[4].reshape(8, 8))
    assert [k for k, bar in enumerate(chart.bars) if bar.get_hatch()] == [5]
    assert chart.label_title.get_text() == "test image 4, label 5"


def test_the_saved_output_has_a_stable_text_and_the_chart_png():
    w = digit_picker(IMAGES, LOGITS, LABELS, index=3)
    bundle, metadata = w._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Test image 3 (label 1) at T = 1.00: predicted")
    assert_saved_image_is_the_sharp_chart(base64.b64decode(bundle["image/png"]), w)
    assert bytes(w.chart.value).startswith(b"\x89PNG")
    assert "labelled 1, beside its 10 probabilities" in metadata["image/png"]["alt"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: digit_frame(LOGITS, LABELS, 6), ValueError, r"index must lie in 0..5"),
        (lambda: digit_frame(LOGITS, LABELS, 1.0), TypeError, "index must be an integer"),
        (lambda: digit_frame(LOGITS, LABELS, 0, T=0), ValueError, "positive, finite temperature"),
        (
            lambda: digit_frame(LOGITS[0], LABELS, 0),
            ValueError,
            r"logits must be 2-D of shape \(m, N",
        ),
        (lambda: digit_frame(LOGITS, LABELS[:5], 0), ValueError, "one class label per example"),
        (lambda: digit_picker(IMAGES[:5], LOGITS, LABELS), ValueError, "images has 5 entries"),
        (lambda: digit_picker(IMAGES, LOGITS, LABELS, T=20.0), ValueError, "slider's range"),
        (lambda: digit_picker(IMAGES, LOGITS, LABELS, index=-1), ValueError, "index must lie"),
        (lambda: digit_picker(IMAGES, LOGITS, LABELS, which=""), TypeError, "which must name"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
