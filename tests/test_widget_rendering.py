"""The charts' fast text drawing: the same pixels as matplotlib's, only sooner."""

import matplotlib.style
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lab_utils import softmax
from lab_utils import widgets as w
from lab_utils.style import style_path


@pytest.fixture(autouse=True, params=["default", "suite"])
def style(request):
    """Every test under matplotlib's defaults and under the suite's style (bold titles...)."""
    with matplotlib.style.context("default" if request.param == "default" else style_path()):
        yield


def pixels(fig, canvas_class):
    canvas = canvas_class(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def text_figure():
    # no layout engine, as in the charts: constrained layout moves text a little on every draw
    fig = Figure(figsize=(4, 2), dpi=80, layout="none")
    ax = fig.subplots()
    ax.set_title("a = softmax(z),  sum = 1.000")
    ax.text(0.1, 0.3, "0.032", fontsize=9)
    ax.text(0.55, 0.61, "loss = 1.386", color="#C00000", ha="center", va="bottom")
    ax.text(0.2, 0.8, "$x_0$ and rotated", rotation=30)  # matplotlib's own path
    return fig


def test_cached_text_draws_the_same_pixels_as_matplotlib():
    fig = text_figure()
    plain = pixels(fig, FigureCanvasAgg)
    np.testing.assert_array_equal(pixels(fig, w._FastTextCanvas), plain)
    np.testing.assert_array_equal(pixels(fig, w._FastTextCanvas), plain)  # from the cache


@pytest.mark.skipif(not w._CAN_CACHE_GLYPHS,
                    reason="matplotlib < 3.11 has no per-glyph API: charts draw text its own way")
def test_the_cache_fills_and_is_reused():
    w._GlyphCacheRenderer.glyphs.clear()
    fig = text_figure()
    pixels(fig, w._FastTextCanvas)
    cached = len(w._GlyphCacheRenderer.glyphs)
    assert cached > 10
    pixels(fig, w._FastTextCanvas)
    assert len(w._GlyphCacheRenderer.glyphs) == cached


def test_softmax_chart_frames_match_a_plain_canvas():
    fast = w._SoftmaxChart(4, (-10, 10))
    plain = w._SoftmaxChart(4, (-10, 10))
    plain.canvas = FigureCanvasAgg(plain.fig)
    rng = np.random.default_rng(0)
    for _ in range(5):
        z = np.round(rng.uniform(-10, 10, 4), 1)
        fast.update(z, softmax(z))
        plain.update(z, softmax(z))
        np.testing.assert_array_equal(np.asarray(fast.canvas.buffer_rgba()),
                                      np.asarray(plain.canvas.buffer_rgba()))


@pytest.mark.parametrize("channels", [3, 4])
def test_png_bytes_decode_to_the_same_pixels(channels):
    from io import BytesIO

    from PIL import Image

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (7, 5, channels), dtype=np.uint8)
    pixels[3:] = pixels[2]  # flat rows, as in a chart
    decoded = np.asarray(Image.open(BytesIO(w.png_bytes(pixels))))
    np.testing.assert_array_equal(decoded, pixels)


def test_a_chart_frame_is_a_png_of_its_canvas():
    from io import BytesIO

    from PIL import Image

    chart = w._SoftmaxChart(4, (-10, 10))
    png = chart.update(np.array([1.0, 2.0, 3.0, 4.0]), softmax([1.0, 2.0, 3.0, 4.0]))
    decoded = np.asarray(Image.open(BytesIO(png)))
    np.testing.assert_array_equal(decoded, np.asarray(chart.canvas.buffer_rgba()))


def test_a_steady_title_is_redrawn_when_it_changes():
    z, a = np.zeros(4), np.full(4, 0.25)
    chart = w._SoftmaxChart(4, (-10, 10))
    chart.update(z, a)
    chart.update(z, a * 1.1)  # not probabilities: the title says "sum = 1.100"
    fresh = w._SoftmaxChart(4, (-10, 10))
    fresh.update(z, a * 1.1)
    assert chart.a_title.get_text().endswith("sum = 1.100")
    np.testing.assert_array_equal(np.asarray(chart.canvas.buffer_rgba()),
                                  np.asarray(fresh.canvas.buffer_rgba()))
    chart.update(z, a)
    assert not np.array_equal(np.asarray(chart.canvas.buffer_rgba()),
                              np.asarray(fresh.canvas.buffer_rgba()))
