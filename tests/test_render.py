"""lab_utils.render: the same pixels as matplotlib's, only sooner."""

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import matplotlib.style
import numpy as np
import pytest
from matplotlib import ft2font
from matplotlib.backends import _backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from lab_utils import render as r
from lab_utils import softmax
from lab_utils import widgets as w
from lab_utils.style import PIXEL_RATIO, style_path


@pytest.fixture(autouse=True, params=["default", "suite"])
def style(request):
    """Every test under matplotlib's defaults and under the suite's style (bold titles...)."""
    with matplotlib.style.context("default" if request.param == "default" else style_path()):
        yield


def pixels(fig, canvas_class):
    canvas = canvas_class(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def text_figure(dpi=80):
    # no layout engine, as in the charts: constrained layout moves text a little on every draw
    fig = Figure(figsize=(4, 2), dpi=dpi, layout="none")
    ax = fig.subplots()
    ax.set_title("a = softmax(z),  sum = 1.000")
    ax.text(0.1, 0.3, "0.032", fontsize=9)
    ax.text(0.55, 0.61, "loss = 1.386", color="#C00000", ha="center", va="bottom")
    ax.text(0.2, 0.8, "$x_0$ and rotated", rotation=30)  # matplotlib's own path
    return fig


@pytest.mark.parametrize("dpi", [80, 160])  # 1x and 2x screens
def test_cached_text_draws_the_same_pixels_as_matplotlib(dpi):
    fig = text_figure(dpi)
    plain = pixels(fig, FigureCanvasAgg)
    np.testing.assert_array_equal(pixels(fig, r._FastTextCanvas), plain)
    np.testing.assert_array_equal(pixels(fig, r._FastTextCanvas), plain)  # from the cache


def pinned_matplotlib():
    """The matplotlib version of constraints.txt, which `make install` installs."""
    text = (Path(__file__).parents[1] / "constraints.txt").read_text()
    return re.search(r"^matplotlib==(\S+)$", text, re.MULTILINE).group(1)


def needs_the_pinned_matplotlib():
    if matplotlib.__version__ != pinned_matplotlib():
        pytest.skip(
            f"matplotlib {matplotlib.__version__} is not the pinned "
            f"{pinned_matplotlib()}: the glyph cache may rightly be off"
        )


def test_the_fast_path_is_the_one_in_use_on_the_pinned_matplotlib():
    needs_the_pinned_matplotlib()
    assert r.fast_text_works()
    assert type(r._FastTextCanvas(text_figure()).get_renderer()) is r._GlyphCacheRenderer


def test_the_cache_fills_and_is_reused():
    needs_the_pinned_matplotlib()
    r._GlyphCacheRenderer.glyphs.clear()
    fig = text_figure()
    pixels(fig, r._FastTextCanvas)
    cached = len(r._GlyphCacheRenderer.glyphs)
    assert cached > 10
    pixels(fig, r._FastTextCanvas)
    assert len(r._GlyphCacheRenderer.glyphs) == cached


@pytest.fixture
def untried(monkeypatch):
    """The glyph cache as in a fresh kernel: not tried yet, nothing cached."""
    monkeypatch.setattr(r, "_CAN_CACHE_GLYPHS", None)
    monkeypatch.setattr(r._GlyphCacheRenderer, "layouts", {})
    monkeypatch.setattr(r._GlyphCacheRenderer, "glyphs", {})


# Every private method the glyph cache calls. matplotlib's own text drawing calls some of
# them too, so a test changes them only as lab_utils.render sees them (`changed_for_render`).
PRIVATE_METHODS = [
    (ft2font.FT2Font, "_layout"),
    (ft2font.FT2Font, "_set_transform"),
    (ft2font.FT2Font, "_render_glyph"),
    (RendererAgg, "_prepare_font"),
    (_backend_agg.RendererAgg, "draw_text_image"),
]
NAMES = lambda v: getattr(v, "__name__", v)  # noqa: E731


def changed_for_render(monkeypatch, owner, name, change):
    """``owner.name`` as a matplotlib that changed it would give it to lab_utils.render:
    ``change(original, self, *args)`` for calls from there, the original for any other.
    A matplotlib without that name (older, newer) is already such a matplotlib."""
    if not hasattr(owner, name):
        return
    original = getattr(owner, name)

    def method(self, *args, **kwargs):
        if sys._getframe(1).f_globals["__name__"] == r.__name__:
            return change(original, self, *args, **kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, method)


def draws_like_matplotlib():
    fig = text_figure()
    canvas = r._FastTextCanvas(fig)
    assert type(canvas.get_renderer()) is not r._GlyphCacheRenderer
    canvas.draw()
    np.testing.assert_array_equal(
        np.asarray(canvas.buffer_rgba()), pixels(text_figure(), FigureCanvasAgg)
    )


@pytest.mark.parametrize(("owner", "name"), PRIVATE_METHODS, ids=NAMES)
def test_without_a_private_method_text_is_drawn_the_public_way(untried, monkeypatch, owner, name):
    def missing(original, self, *args, **kwargs):
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    changed_for_render(monkeypatch, owner, name, missing)
    assert r.fast_text_works() is False
    draws_like_matplotlib()


def test_without_render_mode_text_is_drawn_the_public_way(untried, monkeypatch):
    # matplotlib's renderer holds its own reference
    monkeypatch.delattr(ft2font, "RenderMode", raising=False)
    assert r.fast_text_works() is False
    draws_like_matplotlib()


@pytest.mark.parametrize(("owner", "name"), PRIVATE_METHODS, ids=NAMES)
def test_a_private_method_with_another_signature_is_not_used(untried, monkeypatch, owner, name):
    def other_signature(original, self, *args, **kwargs):
        raise TypeError(f"{name}(): incompatible function arguments")

    changed_for_render(monkeypatch, owner, name, other_signature)
    assert r.fast_text_works() is False
    draws_like_matplotlib()


def test_a_private_method_giving_other_pixels_is_not_used(untried, monkeypatch):
    def shifted(render_glyph, font, *args):
        bitmap = render_glyph(font, *args)
        return SimpleNamespace(buffer=bitmap.buffer, left=bitmap.left + 1, top=bitmap.top)

    changed_for_render(monkeypatch, ft2font.FT2Font, "_render_glyph", shifted)
    assert r.fast_text_works() is False
    draws_like_matplotlib()


def test_an_error_on_a_later_frame_turns_the_cache_off_and_draws_that_text(untried, monkeypatch):
    needs_the_pinned_matplotlib()
    canvas = r._FastTextCanvas(text_figure())
    canvas.draw()  # with the cache
    assert r._CAN_CACHE_GLYPHS is True

    def broken(*args, **kwargs):
        raise TypeError("a private API changed")

    monkeypatch.setattr(r._GlyphCacheRenderer, "_layout", broken)
    canvas.figure.axes[0].set_title("a new title")
    canvas.draw()
    assert r._CAN_CACHE_GLYPHS is False
    fig = text_figure()
    fig.axes[0].set_title("a new title")
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), pixels(fig, FigureCanvasAgg))


def test_softmax_chart_frames_match_a_plain_canvas():
    fast = w._SoftmaxChart(4, (-10, 10))
    plain = w._SoftmaxChart(4, (-10, 10))
    plain.canvas = FigureCanvasAgg(plain.fig)
    rng = np.random.default_rng(0)
    for _ in range(5):
        z = np.round(rng.uniform(-10, 10, 4), 1)
        fast.update(z, softmax(z))
        plain.update(z, softmax(z))
        np.testing.assert_array_equal(
            np.asarray(fast.canvas.buffer_rgba()), np.asarray(plain.canvas.buffer_rgba())
        )


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
    np.testing.assert_array_equal(
        np.asarray(chart.canvas.buffer_rgba()), np.asarray(fresh.canvas.buffer_rgba())
    )
    chart.update(z, a)
    assert not np.array_equal(
        np.asarray(chart.canvas.buffer_rgba()), np.asarray(fresh.canvas.buffer_rgba())
    )


def test_a_frame_is_drawn_for_a_2x_screen_and_shown_at_its_1x_size():
    from io import BytesIO

    from PIL import Image

    chart = w._SoftmaxChart(4, (-10, 10))
    png = chart.update(np.array([1.0, 2.0, 3.0, 4.0]), softmax([1.0, 2.0, 3.0, 4.0]))
    width, height = Image.open(BytesIO(png)).size
    assert chart.css_size == (640, 240)  # 8 x 3 inches at 80 CSS pixels per inch
    assert (width, height) == (PIXEL_RATIO * 640, PIXEL_RATIO * 240)


def test_a_1x_chart_is_half_as_wide_in_pixels():
    assert r.BlitChart(figsize=(8, 3), pixel_ratio=1).canvas.get_width_height() == (640, 240)


@pytest.mark.parametrize("ratio", [0, 1.5, "2"])
def test_a_pixel_ratio_must_be_a_small_integer(ratio):
    with pytest.raises(ValueError, match="pixel_ratio"):
        r.BlitChart(pixel_ratio=ratio)


def test_small_png_keeps_a_charts_pixels_and_is_smaller():
    from io import BytesIO

    from PIL import Image

    chart = w._SoftmaxChart(4, (-10, 10))
    fast = chart.update(np.array([1.0, 2.0, 3.0, 4.0]), softmax([1.0, 2.0, 3.0, 4.0]))
    small = chart.saved_png()
    assert len(small) < len(fast)
    decoded = np.asarray(Image.open(BytesIO(small)).convert("RGB")).astype(int)
    original = np.asarray(chart.canvas.buffer_rgba())[..., :3].astype(int)
    assert decoded.shape == original.shape
    # 256 colours: antialiased edges move a little, flat areas and text stay
    assert np.abs(decoded - original).mean() < 1.0
    assert (np.abs(decoded - original).max(axis=2) <= 8).mean() > 0.99


def test_the_renderer_names_the_private_api_it_leans_on():
    doc = r.__doc__
    for name in ("_layout", "_set_transform", "_render_glyph", "_CAN_CACHE_GLYPHS"):
        assert name in doc


def test_without_the_private_api_the_canvas_uses_matplotlibs_renderer(monkeypatch):
    monkeypatch.setattr(r, "_CAN_CACHE_GLYPHS", False)
    draws_like_matplotlib()
