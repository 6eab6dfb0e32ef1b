"""What every widget view shares: where its chart is shown, when it is drawn sharp, what is saved.

The plumbing of the views in notebooks 01 (`lab_utils.widgets`), 02 (`lab_utils.loss_widget`),
04 (`lab_utils.epoch_widget`) and 07 (`lab_utils.digit_widget`); `lab_utils.render` draws
their charts. Three parts:

- `chart_view` makes the widget a chart is shown in: an ``ipywidgets.Image``, whose PNG
  travels in the comm message's binary buffers, or, where a front end has no binary
  buffers (Colab) or on request, an ``ipywidgets.HTML`` holding an ``<img>`` with the PNG
  as a data URI (`image_transport`).
- `SharpWhenIdle` keeps a chart twice, at 1x and 2x, and shows the 1x one while a slider
  moves, the 2x one once it stops.
- `saved_bundle` is a view's output: the live widget, plus the 2x frame and a text for
  where widgets do not run (GitHub, nbviewer, nbval).
"""

from __future__ import annotations

import asyncio
import base64
import html
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .display import image_output
from .style import PIXEL_RATIO

if TYPE_CHECKING:
    from .render import BlitChart

#: How chart frames reach the browser: "binary" (``ipywidgets.Image``) or "html" (a data URI
#: in ``ipywidgets.HTML``, no binary buffers). Unset: "html" in Colab, "binary" elsewhere.
IMAGES_ENV = "SOFTMAX_LAB_WIDGET_IMAGES"


def image_transport() -> str:
    """``"binary"`` or ``"html"``: how the widgets made from now on send their chart frames."""
    value = os.environ.get(IMAGES_ENV, "").strip().lower()
    if value in ("binary", "html"):
        return value
    if value:
        raise ValueError(f"{IMAGES_ENV} must be 'binary' or 'html', got {value!r}")
    return "html" if "google.colab" in sys.modules else "binary"


def chart_view() -> widgets.Image | widgets.HTML:
    """The widget a chart's frames are shown in, by `image_transport`; `SharpWhenIdle` fills it."""
    if image_transport() == "html":
        return widgets.HTML()
    return widgets.Image(format="png")


def img_tag(png: bytes, width: int, height: int, alt: str) -> str:
    """An ``<img>`` showing ``png`` at ``width`` x ``height`` CSS pixels, from a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" width="{int(width)}" '
        f'height="{int(height)}" alt="{html.escape(alt)}">'
    )


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class SharpWhenIdle:
    """A chart twice: drawn at 1x on every change while a slider moves, at 2x once it stops.

    A 2x frame has four times the pixels to draw and compress: too slow for every step
    of a drag on a shared class machine, and the eye does not need it while the bars move.
    ``show(image, draw)`` puts ``draw(fast)`` into the `chart_view` ``image`` at once and
    ``draw(sharp)`` ``IDLE_S`` seconds after the last change (on the kernel's event loop;
    without a running loop, as in a script or a test, the sharp frame is drawn at once).
    ``make_chart(pixel_ratio)`` builds one chart; both have the same on-screen size.
    """

    IDLE_S = 0.15

    def __init__(self, make_chart: Callable[[int], BlitChart]) -> None:
        self.fast, self.sharp = make_chart(1), make_chart(PIXEL_RATIO)
        self._pending, self._timer = None, None

    def show(self, image: widgets.Image | widgets.HTML, draw: Callable[[BlitChart], bytes]) -> None:
        """Show ``draw(chart)``, the PNG of the current state, in ``image``: 1x now, 2x soon."""
        self._pending = draw
        loop = _running_loop()
        if loop is None:
            self.flush(image)
            return
        _put(image, self.fast, draw(self.fast))
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.IDLE_S, self.flush, image)

    def flush(self, image: widgets.Image | widgets.HTML) -> None:
        """Draw the sharp frame now, if a change has not been drawn sharp yet."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending is not None:
            draw, self._pending = self._pending, None
            _put(image, self.sharp, draw(self.sharp))


def _put(image, chart, png):
    """A chart's frame into its `chart_view`, at the chart's on-screen size."""
    width, height = chart.css_size
    if isinstance(image, widgets.HTML):  # the frame as a data URI, with its alt text
        image.value = img_tag(png, width, height, chart.description)
        return
    if image.width != str(width):
        image.width, image.height = str(width), str(height)
    image.value = png


def saved_bundle(
    widget: widgets.Widget,
    charts: SharpWhenIdle | None,
    image: widgets.Image | widgets.HTML,
    text: str,
    **kwargs: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A view's output: the live widget, a stable text, and the chart's current frame.

    The frame (a small PNG, 2x, with the chart's description as alt text) is what GitHub,
    nbviewer and an unexecuted notebook show, where widgets do not run; the text (the
    view's state, then the description) is what nbval compares and a screen reader reads.
    ``charts=None`` (a view whose chart is hidden) saves the text alone. Returns
    ``(data, metadata)``, as IPython allows.
    """
    bundle = widget._repr_mimebundle_(**kwargs)
    if charts is None:
        bundle["text/plain"] = text
        return bundle, {}
    charts.flush(image)  # the last change, drawn sharp
    chart = charts.sharp
    alt = f"{text}. {chart.description}"
    data, metadata = image_output(chart.saved_png(), *chart.css_size, alt)
    bundle.update(data)
    return bundle, metadata
