"""The softmax sliders driven without a browser, and the view names notebooks import here."""

import base64
import re
import subprocess
import sys

import numpy as np
import pytest
from widget_charts import sharp_chart

from lab_utils import softmax
from lab_utils.widgets import readout_html, softmax_outputs, softmax_sliders


def my_softmax(z):
    ez = np.exp(z)
    return ez / np.sum(ez)


def test_initial_state_is_the_lab_example():
    w = softmax_sliders(my_softmax)
    assert [s.description for s in w.sliders] == ["z0", "z1", "z2", "z3"]
    np.testing.assert_array_equal(w.z, [1, 2, 3, 4])
    np.testing.assert_allclose(w.probabilities, softmax([1.0, 2.0, 3.0, 4.0]))
    assert w.error is None


def test_moving_a_slider_updates_probabilities_readout_and_chart():
    w = softmax_sliders(my_softmax)
    before_png, before_readout = w.chart.value, w.readout.value
    w.sliders[0].value = -3.5
    np.testing.assert_allclose(w.probabilities, softmax([-3.5, 2.0, 3.0, 4.0]))
    assert w.chart.value != before_png
    assert w.readout.value != before_readout
    assert f"a0 = {w.probabilities[0]:.3f}" in w.readout.value
    assert "sum = 1.000" in w.readout.value


def test_chart_bars_show_the_values():
    w = softmax_sliders(my_softmax, n=3, values=[0.0, 0.0, -2.0])
    chart = sharp_chart(w)
    assert [b.get_height() for b in chart.z_bars] == [0.0, 0.0, -2.0]
    np.testing.assert_allclose([b.get_height() for b in chart.a_bars], w.probabilities)
    assert [t.get_text() for t in chart.a_labels] == [f"{p:.3f}" for p in w.probabilities]
    assert chart.a_title.get_text() == "a = softmax(z),  sum = 1.000"


def test_temperature_chart_titles_the_outputs_softmax_of_z_over_t():
    w = softmax_sliders(my_softmax, temperature=True)
    w.temperature.value = 2.0
    assert sharp_chart(w).a_title.get_text().startswith("a = softmax(z/T),")


def test_temperature_divides_the_inputs():
    w = softmax_sliders(my_softmax, temperature=True)
    w.temperature.value = 2.0
    np.testing.assert_allclose(w.probabilities, softmax(np.array([1.0, 2, 3, 4]) / 2))


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda z: 1 / 0, "raised ZeroDivisionError: division by zero"),
        (lambda z: np.exp(z), "outputs sum to 84.79, not 1: did you divide by the sum"),
        (lambda z: z[:2] / z[:2].sum(), r"returned shape \(2,\); expected \(4,\)"),
        (lambda z: np.full(4, np.nan), "returned a0 = nan: outputs must be finite"),
        (lambda z: z - z.mean() + 0.25, "returned a0 = -1.25: probabilities lie in"),
        (lambda z: "hello", "returned str, not an array of numbers"),
    ],
)
def test_a_broken_softmax_shows_a_message_instead_of_the_chart(fn, message):
    w = softmax_sliders(fn)
    assert w.probabilities is None
    assert re.search(message, w.error), w.error
    assert w.chart.layout.display == "none"
    assert "&#9888;" in w.message.value


def test_recovers_when_the_function_starts_working():
    broken = {"on": True}

    def flaky(z):
        if broken["on"]:
            raise RuntimeError("not yet")
        return my_softmax(z)

    w = softmax_sliders(flaky)
    assert w.error == "flaky raised RuntimeError: not yet"
    broken["on"] = False
    w.sliders[1].value = 0.0
    assert w.error is None and w.chart.layout.display is None and w.message.value == ""


def test_textbook_softmax_overflow_is_explained_not_drawn():
    a, message = softmax_outputs(my_softmax, [1000.0, 1.0])
    assert a is None and "my_softmax returned a0 = nan" in message


def test_saved_output_carries_a_static_png_and_stable_text():
    bundle, metadata = softmax_sliders(my_softmax)._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG")
    assert bundle["text/plain"] == (
        "Softmax sliders at z = [1.0, 2.0, 3.0, 4.0] (run the notebook to drag them). "
        "Bar charts of the inputs z = [1.00, 2.00, 3.00, 4.00] and of the outputs "
        "a = softmax = [0.032, 0.087, 0.237, 0.644], sum 1.000. "
        "The largest output is a3 = 0.644."
    )
    assert metadata["image/png"] == {"width": 640, "height": 240, "alt": bundle["text/plain"]}
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_temperature_widgets_saved_image_shows_t():
    plain, _ = softmax_sliders(my_softmax)._repr_mimebundle_()
    sliders = softmax_sliders(my_softmax, temperature=True)
    hot, metadata = sliders._repr_mimebundle_()
    assert hot["image/png"] != plain["image/png"]  # at T = 1 the bars are the same; T is drawn
    assert "temperature T = 1.00" in metadata["image/png"]["alt"]
    assert sharp_chart(sliders).temperature.label.get_text() == "temperature T = 1.00"
    sliders.temperature.value = 10**0.5
    assert sharp_chart(sliders).temperature.handle.get_xdata()[0] == pytest.approx(10**0.5)
    assert "T = 3.16" in sliders._repr_mimebundle_()[0]["text/plain"]


def test_a_failing_softmax_saves_no_image():
    bundle, metadata = softmax_sliders(lambda z: z)._repr_mimebundle_()
    assert "image/png" not in bundle and metadata == {}


def test_readout_html_lists_every_probability_and_the_sum():
    html = readout_html(np.array([0.25, 0.75]))
    assert "a0 = 0.250" in html and "a1 = 0.750" in html and "sum = 1.000" in html


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"softmax_fn": None}, TypeError, "softmax_fn must be a function"),
        ({"n": 1}, ValueError, "n must be an integer of at least 2"),
        ({"values": [1, 2]}, ValueError, "values must have n=4 entries"),
        ({"value_range": (5, -5)}, ValueError, "value_range must be"),
        ({"values": [1, 2, 3, 40]}, ValueError, "must lie within value_range"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    kwargs = {"softmax_fn": my_softmax, **kwargs}
    with pytest.raises(error, match=message):
        softmax_sliders(**kwargs)


# --- the names the notebooks import from lab_utils.widgets ------------------------------


def test_each_notebooks_view_is_imported_from_widgets_as_before():
    from lab_utils import epoch_widget, loss_widget, widgets

    assert widgets.cross_entropy_view is loss_widget.cross_entropy_view  # notebook 02
    assert widgets.epoch_slider is epoch_widget.epoch_slider  # notebook 04
    for name in ("EpochSlider", "EpochFrame", "epoch_frame", "CrossEntropyView", "target_loss"):
        assert name in dir(widgets) and getattr(widgets, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        widgets.nothing_here  # noqa: B018


def test_importing_widgets_loads_the_epoch_slider_and_scikit_learn_only_when_asked():
    probe = (
        "import sys\nimport lab_utils.widgets\n"
        "before = [m in sys.modules for m in ('lab_utils.epoch_widget', 'sklearn')]\n"
        "from lab_utils.widgets import epoch_slider\n"
        "print(before, [m in sys.modules for m in ('lab_utils.epoch_widget', 'sklearn')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.split() == ["[False,", "False]", "[True,", "True]"]
