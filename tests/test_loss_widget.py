"""The cross-entropy view: the pure loss function, and the widget driven without a browser."""

import base64
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from widget_charts import assert_saved_image_is_the_sharp_chart, sharp_chart

from lab_utils.loss_widget import (
    P_EXPONENTS,
    REFERENCE_P,
    CrossEntropyView,
    cross_entropy_view,
    target_loss,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- target_loss: the numbers -------------------------------------------------------


def test_known_values():
    assert target_loss(1.0) == 0.0
    assert math.copysign(1.0, target_loss(1.0)) == 1.0  # +0.0, not -0.0 (prints as 0.000)
    assert target_loss(0.5) == pytest.approx(math.log(2))
    assert target_loss(math.exp(-3)) == pytest.approx(3.0)
    assert target_loss(1e-7) == pytest.approx(16.118095651)


def test_arrays_give_arrays():
    p = np.array([1.0, 0.1, 0.01])
    np.testing.assert_allclose(target_loss(p), [0.0, math.log(10), 2 * math.log(10)])


@given(st.floats(min_value=1e-300, max_value=1.0), st.floats(min_value=1e-3, max_value=1.0))
def test_a_factor_less_probability_adds_its_log(p, factor):
    # -log(p * f) = -log(p) - log(f): each factor of 10 less confidence costs log(10) more
    # p * factor >= 1e-303 > 0: a subnormal at worst, whose log is still exact enough
    assert target_loss(p * factor) == pytest.approx(target_loss(p) - math.log(factor))


@given(st.floats(min_value=1e-300, max_value=1.0), st.floats(min_value=1e-300, max_value=1.0))
def test_less_probability_never_costs_less(p, q):
    low, high = sorted((p, q))
    assert target_loss(low) >= target_loss(high) >= 0.0


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan"), float("inf"), [0.5, 0.0]])
def test_outside_zero_one_is_a_value_error_naming_p(bad):
    with pytest.raises(ValueError, match=r"p must lie in \(0, 1\]"):
        target_loss(bad)


def test_zero_says_why():
    with pytest.raises(ValueError, match="infinite"):
        target_loss(0)


def test_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="p must be a probability"):
        target_loss("half")


# --- the widget ---------------------------------------------------------------------


def test_initial_state():
    view = cross_entropy_view()
    assert isinstance(view, CrossEntropyView)
    assert view.sliders == [view.slider]
    assert view.slider.description == "p"
    assert (view.slider.min, view.slider.max) == P_EXPONENTS
    assert view.p == pytest.approx(0.1)
    assert view.loss == pytest.approx(math.log(10))
    assert bytes(view.chart.value).startswith(PNG_SIGNATURE)


def test_moving_the_slider_updates_loss_readout_and_chart():
    view = cross_entropy_view(p=0.5)
    before_png, before_readout = view.chart.value, view.readout.value
    view.slider.value = 1e-6
    assert view.p == pytest.approx(1e-6)
    assert view.loss == pytest.approx(-math.log(1e-6))
    assert view.reference_ratio == pytest.approx(-math.log(1e-6) / -math.log(REFERENCE_P))
    assert view.chart.value != before_png
    assert view.readout.value != before_readout
    assert f"{view.loss:.3f}" in view.readout.value


def test_chart_marks_the_current_point_on_both_panels():
    view = cross_entropy_view(p=0.25)
    for marker in sharp_chart(view).markers:
        x, y = marker.get_data()
        assert x[0] == pytest.approx(0.25)
        assert y[0] == pytest.approx(math.log(4))
    assert sharp_chart(view).title.get_text() == "p = 0.25:  loss = 1.386"
    ax_lin, ax_log = sharp_chart(view).fig.axes
    assert ax_lin.get_xscale() == "linear" and ax_log.get_xscale() == "log"


def test_confident_mistake_costs_many_confident_right_answers():
    view = cross_entropy_view(p=1e-6)
    assert view.reference_ratio > 100


def test_static_png_and_text_in_the_saved_output():
    view = cross_entropy_view(p=0.01)
    bundle, metadata = view._repr_mimebundle_()
    assert_saved_image_is_the_sharp_chart(base64.b64decode(bundle["image/png"]), view)
    assert bundle["text/plain"].startswith(
        "Cross-entropy view at p = 0.01, loss = 4.605 (run the notebook to drag the slider). "
        "The loss -log p against p"
    )
    assert "p = 0.01, loss 4.605" in metadata["image/png"]["alt"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_rendering_twice_gives_the_same_png():
    assert cross_entropy_view(p=0.3).chart.value == cross_entropy_view(p=0.3).chart.value


@pytest.mark.parametrize("bad", [0.0, 2.0, 1e-9])
def test_start_outside_the_slider_is_rejected(bad):
    with pytest.raises(ValueError, match="p must lie"):
        cross_entropy_view(p=bad)
