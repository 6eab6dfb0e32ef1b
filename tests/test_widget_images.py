"""Chart frames reach the browser with or without binary comm buffers (lab_utils._views).

Colab's widget manager does not carry a comm message's binary buffers, in which an
``ipywidgets.Image`` sends its PNG; there (or on request) the frames go as a data URI in
an ``HTML`` widget. What the kernel sends is recorded here, message by message.
"""

import base64
import re
import sys
import types
from io import BytesIO
from pathlib import Path

import comm
import numpy as np
import pytest
from comm.base_comm import BaseComm
from PIL import Image
from widget_charts import sharp_chart

from lab_utils import _views, softmax
from lab_utils.widgets import CrossEntropyView, SoftmaxSliders

DATA_URI = re.compile(
    r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" '
    r'height="(\d+)" alt="([^"]*)">'
)


@pytest.fixture
def sent(monkeypatch):
    """Every comm message the widgets made from now on send: ``(type, data, buffers)``."""
    messages = []

    class RecordingComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            messages.append((msg_type, data, list(buffers or [])))

    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    return messages


def drag(view):
    for slider in view.sliders:
        slider.value = slider.value / 2 + 0.05


def test_html_frames_carry_no_binary_buffers(sent, monkeypatch):
    monkeypatch.setenv(_views.IMAGES_ENV, "html")
    views = [SoftmaxSliders(softmax), CrossEntropyView(0.2)]
    for view in views:
        drag(view)
    assert sent, "no comm message was recorded"
    assert [buffers for _, _, buffers in sent if buffers] == []
    frames = [DATA_URI.search(str(data)) for _, data, _ in sent]
    assert sum(frame is not None for frame in frames) >= 2 * len(views)


def test_binary_frames_do_carry_buffers(sent, monkeypatch):
    """The recorder sees buffers when there are some: the test above could fail."""
    monkeypatch.setenv(_views.IMAGES_ENV, "binary")
    drag(SoftmaxSliders(softmax))
    assert any(buffers for _, _, buffers in sent)


def test_an_html_frame_is_the_charts_png_at_its_size_with_its_description(monkeypatch):
    monkeypatch.setenv(_views.IMAGES_ENV, "html")
    view = SoftmaxSliders(softmax)
    drag(view)
    png, width, height, alt = DATA_URI.fullmatch(view.chart.value).groups()
    chart = sharp_chart(view)
    decoded = np.asarray(Image.open(BytesIO(base64.b64decode(png))))
    np.testing.assert_array_equal(decoded, np.asarray(chart.canvas.buffer_rgba()))
    assert (int(width), int(height)) == chart.css_size
    assert alt == chart.description and "softmax" in alt.lower()


def test_colab_gets_html_frames_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv(_views.IMAGES_ENV, raising=False)
    assert _views.image_transport() == "binary"
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert _views.image_transport() == "html"
    monkeypatch.setenv(_views.IMAGES_ENV, "binary")
    assert _views.image_transport() == "binary"


def test_an_unknown_transport_is_a_value_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv(_views.IMAGES_ENV, "jpeg")
    with pytest.raises(ValueError, match=_views.IMAGES_ENV):
        _views.chart_view()


def test_every_chart_widget_is_made_by_chart_view():
    """A chart shown in an ``ipywidgets.Image`` made elsewhere would need binary buffers."""
    package = Path(_views.__file__).parent
    for module in package.glob("*.py"):
        if module.name != "_views.py":
            assert "widgets.Image(" not in module.read_text(), module.name
