"""A matplotlib chart redrawn fast enough for a slider: `BlitChart` and its glyph cache.

Draws the charts of the widget views in notebooks 01, 02, 04 and 07 (`lab_utils._views`
shows them). Two parts, each there because a slider frame was too slow without it:

- `BlitChart` draws a figure's static parts once and only its moving artists on each
  frame (matplotlib's blitting, without a GUI canvas), and encodes the frame with
  `lab_utils._png`: `png_bytes` while a slider moves, `small_png` for the saved output.
- `_GlyphCacheRenderer` remembers laid-out strings and rasterised glyphs across frames.
  It leans on matplotlib's **private** API (matplotlib >= 3.11): ``FT2Font._layout``,
  ``FT2Font._set_transform``, ``FT2Font._render_glyph``, ``ft2font.RenderMode``,
  ``RendererAgg._prepare_font`` and the Agg renderer's ``draw_text_image``. It can only
  make drawing faster, never break it. Once per kernel, `fast_text_works` draws a probe
  text both ways: the cache is used only if every name is there, takes the arguments it
  is given and gives matplotlib's very pixels. Otherwise ``_CAN_CACHE_GLYPHS`` is false
  and every frame draws text with matplotlib's own, public path (the same pixels,
  slower). An error on a later frame turns the cache off too; that text is drawn the
  public way.

Charts are drawn at ``pixel_ratio`` pixels per CSS pixel (``PIXEL_RATIO``, sharp on
HiDPI screens, or 1 while a slider moves); the widget shows them at ``css_size``.
"""

import numpy as np
from matplotlib import ft2font
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure

from ._png import png_bytes, small_png
from .style import PIXEL_RATIO

#: CSS pixels per inch of a figure on screen (matplotlib's figure.dpi in the suite's style).
CSS_DPI = 80

# FreeType's private per-glyph API, used by matplotlib >= 3.11's Agg text drawing:
# None until `fast_text_works` has tried it, then whether the glyph cache is used.
_CAN_CACHE_GLYPHS = None
#: Errors a changed private API raises: a name gone, another signature, another type.
_API_CHANGED = (AttributeError, TypeError, ValueError, IndexError, KeyError)
_UNROTATED = np.array([[0x10000, 0], [0, 0x10000]])  # FreeType's 16.16 identity matrix


class _GlyphCacheRenderer(RendererAgg):
    """An Agg renderer that remembers laid-out strings and rasterised glyphs.

    Matplotlib lays out and rasterises every glyph of every text on every draw, which
    is most of a slider frame, although a chart shows the same few characters again
    and again. The pixels are the same as matplotlib's (a test compares them); math
    text, rotated text and font features take matplotlib's own path.
    """

    layouts, glyphs = {}, {}  # shared by every chart in the kernel
    MAX_ENTRIES = 20_000

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        global _CAN_CACHE_GLYPHS
        if _CAN_CACHE_GLYPHS and not (
            ismath or angle or _special(mtext) or not gc.get_antialiased()
        ):
            try:
                return self._draw_cached(gc, x, y, s, prop)
            except _API_CHANGED:
                _CAN_CACHE_GLYPHS = False  # this text, and every later one, the public way
        return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    def _draw_cached(self, gc, x, y, s, prop):
        flags, size = get_hinting_flag(), prop.get_size_in_points()
        placed = []  # every private call made before the first pixel is drawn
        for font, glyph, dx, dy in self._layout(s, prop, flags):
            # positions are in 1/64 pixel: one bitmap per sub-pixel phase, moved by whole pixels
            px, py = round(64 * (x + dx)), round(64 * (self.height - y + dy))
            bitmap, left, top = self._glyph(font, size, glyph, px & 63, py & 63, flags)
            placed.append(
                (bitmap, left + (px >> 6), int(self.height) - top - (py >> 6) + bitmap.shape[0])
            )
        for bitmap, left, bottom in placed:
            self._renderer.draw_text_image(bitmap, left, bottom, 0, gc)

    def _layout(self, s, prop, flags):
        key = (s, prop.copy(), self.dpi, flags)
        if key not in self.layouts:
            _forget_if_full(self.layouts, self.MAX_ENTRIES)
            items = self._prepare_font(prop)._layout(s, flags=flags)
            self.layouts[key] = [(i.ft_object, i.glyph_index, i.x, i.y) for i in items]
        return self.layouts[key]

    def _glyph(self, font, size, glyph, phase_x, phase_y, flags):
        key = (font.fname, size, self.dpi, glyph, phase_x, phase_y, flags)
        if key not in self.glyphs:
            _forget_if_full(self.glyphs, self.MAX_ENTRIES)
            font.set_size(size, self.dpi)
            font._set_transform(_UNROTATED, [phase_x, phase_y])
            bitmap = font._render_glyph(glyph, flags, ft2font.RenderMode.NORMAL)
            self.glyphs[key] = (np.array(bitmap.buffer), bitmap.left, bitmap.top)
        return self.glyphs[key]


def _forget_if_full(cache, limit):
    if len(cache) >= limit:
        cache.clear()


def _special(mtext):
    """Whether a text asks for font features or a language (matplotlib's own path does them)."""
    if mtext is None:
        return False
    features = getattr(mtext, "get_fontfeatures", None)  # matplotlib >= 3.11
    language = getattr(mtext, "get_language", None)
    return bool((features and features()) or (language and language()))


def fast_text_works() -> bool:
    """Whether the glyph cache draws text on this matplotlib: tried once, then remembered.

    A probe text is drawn with the cache and with matplotlib's own renderer; the cache is
    used only if that raised nothing and the pixels are the same.
    """
    global _CAN_CACHE_GLYPHS
    if _CAN_CACHE_GLYPHS is None:
        _CAN_CACHE_GLYPHS = True  # for the probe's own draw
        try:
            _CAN_CACHE_GLYPHS = _probe_matches_matplotlib()
        except _API_CHANGED:
            _CAN_CACHE_GLYPHS = False
    return _CAN_CACHE_GLYPHS


def _probe_matches_matplotlib():
    fig = Figure(figsize=(1.2, 0.4), dpi=CSS_DPI, layout="none")
    fig.text(0.05, 0.3, "a = 0.25", fontsize=9)
    plain = FigureCanvasAgg(fig)
    plain.draw()
    expected = np.asarray(plain.buffer_rgba()).copy()
    renderer = _GlyphCacheRenderer(*plain.get_width_height(physical=True), fig.dpi)
    fig.draw(renderer)
    drawn = np.asarray(renderer.buffer_rgba())
    # a failed glyph falls back to the public path, which turns the flag off
    return bool(_CAN_CACHE_GLYPHS) and np.array_equal(drawn, expected)


class _FastTextCanvas(FigureCanvasAgg):
    """A FigureCanvasAgg that draws with `_GlyphCacheRenderer` where matplotlib allows it."""

    _size = None

    def get_renderer(self):
        if not fast_text_works():
            return super().get_renderer()
        # asked for every artist of every frame: compare the figure's size cheaply
        size = (self.figure.dpi, *self.figure.bbox_inches.size)
        if size != self._size:
            width, height = self.get_width_height(physical=True)
            self.renderer = _GlyphCacheRenderer(width, height, self.figure.dpi)
            self._size = size
        return self.renderer


class BlitChart:
    """A figure whose static parts are drawn once; ``render()`` redraws only the moving ones.

    Subclasses create ``self.fig`` and mark their changing artists with
    ``self.moving(artist, ...)`` (and those that change seldom, such as a title, with
    ``self.steady(artist, ...)``); after updating them, ``render()`` returns the PNG
    and ``self.description`` should say in words what the frame shows (its alt text).
    Redrawing only what moves keeps a slider responsive.
    """

    def __init__(
        self, figsize: tuple[float, float] = (8, 3), pixel_ratio: int = PIXEL_RATIO
    ) -> None:
        if pixel_ratio not in (1, 2, 3):
            raise ValueError(
                f"pixel_ratio must be 1, 2 or 3 (pixels per CSS pixel), got {pixel_ratio!r}"
            )
        # a fixed layout, so that the cached background stays valid
        self.fig = Figure(figsize=figsize, dpi=CSS_DPI * pixel_ratio, layout="none")
        self.canvas = _FastTextCanvas(self.fig)
        self.pixel_ratio = pixel_ratio
        self._moving, self._steady, self._background = [], [], None

    @property
    def css_size(self) -> tuple[int, int]:
        """``(width, height)`` the chart is shown at, in CSS pixels."""
        width, height = self.canvas.get_width_height(physical=True)
        return width // self.pixel_ratio, height // self.pixel_ratio

    #: What the current frame shows, in words (its alt text); set by a subclass's update.
    description: str = ""

    def moving(self, *artists: Artist) -> None:
        """Artists redrawn on every frame, over the background."""
        for artist in artists:
            artist.set_animated(True)  # canvas.draw() skips it: it is not in the background
            self._moving.append(artist)

    def steady(self, *artists: Artist) -> None:
        """Artists drawn into the background, which is redrawn when one of them changes."""
        self._steady.extend(artists)

    def render(self) -> bytes:
        """The current frame as a PNG, fast: only what moved, or what changed, is redrawn."""
        # matplotlib marks an artist stale when a property really changes
        if self._background is None or any(artist.stale for artist in self._steady):
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist) if artist.axes else self.fig.draw_artist(artist)
        # RGBA as Agg holds it: dropping alpha would cost a copy that zlib does not win back
        return png_bytes(self.canvas.buffer_rgba())

    def saved_png(self) -> bytes:
        """The current frame as a small PNG, for the notebook's saved output."""
        return small_png(self.canvas.buffer_rgba())
