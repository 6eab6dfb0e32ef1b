"""Interactive views, thin ipywidgets wrappers around pure, tested functions.

A chart is a matplotlib ``Figure`` rendered to PNG into an ``ipywidgets.Image``:
updates go through ``observe`` (printing from a callback would be recorded as
cell output), the figure is built once and only its artists change, and it runs
wherever ipywidgets does (JupyterLab, Notebook 7, VS Code, Colab) with no
extra front-end extension. Each view also carries a static PNG in its saved
output, so the notebook still shows the chart on GitHub or nbviewer.
"""

import base64
import io
import warnings

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from .style import CLASS_COLORS

#: Outputs that sum to 1 within this are accepted as a probability vector.
SUM_TOLERANCE = 1e-5


def softmax_outputs(softmax_fn, z):
    """Call ``softmax_fn(z)`` and check it returned a probability vector.

    Returns ``(probabilities, None)``, or ``(None, message)`` explaining in one
    line what went wrong, so a widget can show the message instead of a traceback.
    """
    name = getattr(softmax_fn, "__name__", "softmax_fn")
    z = np.asarray(z, dtype=float)
    try:
        # NumPy's overflow warnings would land in the notebook; the check below explains.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = softmax_fn(z)
    except Exception as err:  # the learner's code: any error becomes a message
        detail = str(err).splitlines()[0][:160] if str(err) else ""
        return None, f"{name} raised {type(err).__name__}" + (f": {detail}" if detail else "")
    try:
        a = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return None, f"{name} returned {type(result).__name__}, not an array of numbers"
    if a.shape != z.shape:
        return None, f"{name} returned shape {a.shape}; expected {z.shape}, one output per input"
    if not np.isfinite(a).all():
        i = int(np.argmax(~np.isfinite(a)))
        return None, f"{name} returned a{i} = {a[i]}: outputs must be finite"
    if abs(a.sum() - 1) > SUM_TOLERANCE:
        return None, (
            f"{name}'s outputs sum to {a.sum():.4g}, not 1: "
            "did you divide by the sum of the exponentials?"
        )
    if ((a < 0) | (a > 1)).any():
        i = int(np.argmax((a < 0) | (a > 1)))
        return None, f"{name} returned a{i} = {a[i]:.4g}: probabilities lie in [0, 1]"
    return a, None


def png_bytes(rgba):
    """Encode an RGBA pixel array as PNG, lightly compressed (speed matters more here)."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgba)).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class BlitChart:
    """A figure whose static parts are drawn once; ``render()`` redraws only the moving ones.

    Subclasses create ``self.fig`` and mark their changing artists with
    ``self.moving(artist, ...)``; after updating those artists, ``render()`` returns
    the PNG. Redrawing only what moves keeps a slider responsive.
    """

    def __init__(self, figsize=(8, 3), dpi=80):
        # a fixed layout, so that the cached background stays valid
        self.fig = Figure(figsize=figsize, dpi=dpi, layout="none")
        self.canvas = FigureCanvasAgg(self.fig)
        self._moving, self._background = [], None

    def moving(self, *artists):
        for artist in artists:
            artist.set_animated(True)  # canvas.draw() skips it: it is not in the background
            self._moving.append(artist)

    def render(self):
        if self._background is None:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist) if artist.axes else self.fig.draw_artist(artist)
        return png_bytes(self.canvas.buffer_rgba())


class _SoftmaxChart(BlitChart):
    """Two bar charts, inputs z and outputs a, built once and updated in place."""

    def __init__(self, n, z_range):
        super().__init__(figsize=(8, 3))
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.86, wspace=0.25)
        ax_z, ax_a = self.fig.subplots(1, 2)
        colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(n)]

        self.z_bars = ax_z.bar(range(n), np.zeros(n), color=colors)
        ax_z.set(title="inputs z", ylim=z_range, xticks=range(n))
        ax_z.set_xticklabels([f"z{i}" for i in range(n)])
        ax_z.axhline(0, color="#555555", linewidth=0.8)

        self.a_bars = ax_a.bar(range(n), np.zeros(n), color=colors)
        ax_a.set(ylim=(0, 1.15), xticks=range(n))
        ax_a.set_xticklabels([f"a{i}" for i in range(n)])
        self.a_labels = [ax_a.text(i, 0, "", ha="center", va="bottom") for i in range(n)]
        self.a_title = ax_a.set_title(" ")
        self.moving(*self.z_bars, *self.a_bars, *self.a_labels, self.a_title)

    def update(self, z, a):
        for bar, value in zip(self.z_bars, z, strict=True):
            bar.set_height(value)
        for bar, label, p in zip(self.a_bars, self.a_labels, a, strict=True):
            bar.set_height(p)
            label.set_y(p + 0.01)
            label.set_text(f"{p:.3f}")
        self.a_title.set_text(f"a = softmax(z),  sum = {a.sum():.3f}")
        return self.render()


class SoftmaxSliders:
    """Sliders z0..z(n-1) driving a learner's softmax function.

    ``.sliders`` are the ipywidgets sliders, ``.z`` their values, ``.probabilities``
    what ``softmax_fn`` returned for them (``None`` while it fails, and then
    ``.error`` says why). Display the object to show the widget.
    """

    def __init__(self, softmax_fn, n=4, values=None, value_range=(-10.0, 10.0), step=0.1,
                 temperature=False):
        if not callable(softmax_fn):
            raise TypeError(f"softmax_fn must be a function, got {softmax_fn!r}")
        if not isinstance(n, int) or isinstance(n, bool) or n < 2:
            raise ValueError(f"n must be an integer of at least 2, got {n!r}")
        values = list(range(1, n + 1)) if values is None else list(values)
        if len(values) != n:
            raise ValueError(f"values must have n={n} entries, got {len(values)}")
        low, high = value_range
        if not low < high:
            raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
        if any(not low <= v <= high for v in values):
            raise ValueError(f"values {values} must lie within value_range {value_range}")

        self.softmax_fn = softmax_fn
        self.sliders = [
            widgets.FloatSlider(value=v, min=low, max=high, step=step, description=f"z{i}",
                                readout_format=".1f", continuous_update=True)
            for i, v in enumerate(values)
        ]
        self.temperature = (
            widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05,
                                   description="T", readout_format=".2f")
            if temperature else None
        )
        self.readout = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self.message = widgets.HTML()
        self._chart = _SoftmaxChart(n, value_range)
        self.probabilities, self.error = None, None

        controls = self.sliders + ([self.temperature] if self.temperature else [])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([widgets.VBox(controls), self.readout]), self.message, self.chart,
        ])
        self._on_change()

    @property
    def z(self):
        """The slider values (divided by the temperature T, when there is one)."""
        z = np.array([s.value for s in self.sliders])
        return z / self.temperature.value if self.temperature else z

    def _on_change(self, _change=None):
        self.probabilities, self.error = softmax_outputs(self.softmax_fn, self.z)
        if self.error:
            self.message.value = f"<b style='color:#C00000'>&#9888; {self.error}</b>"
            self.readout.value = ""
            self.chart.layout.display = "none"
            return
        self.message.value = ""
        self.readout.value = readout_html(self.probabilities)
        self.chart.value = self._chart.update(self.z, self.probabilities)
        self.chart.layout.display = None

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        values = ", ".join(f"{s.value:.1f}" for s in self.sliders)
        bundle["text/plain"] = f"Softmax sliders at z = [{values}] (run the notebook to drag them)"
        if self.chart.value:  # static picture for viewers where widgets do not run
            bundle["image/png"] = base64.b64encode(self.chart.value).decode("ascii")
        return bundle


def readout_html(a):
    """The probabilities as text, ``a0 = 0.032 ... sum = 1.000``, for the readout."""
    cells = "".join(f"<td class='softmax-a'>a{i} = {p:.3f}</td>" for i, p in enumerate(a))
    return (f"<table style='font-family:monospace'><tr>{cells}</tr>"
            f"<tr><td class='softmax-sum' colspan='{len(a)}'>sum = {a.sum():.3f}</td></tr></table>")


def softmax_sliders(softmax_fn, n=4, **kwargs):
    """Sliders for z0..z(n-1) and bar charts of z and ``softmax_fn(z)``; see `SoftmaxSliders`."""
    return SoftmaxSliders(softmax_fn, n=n, **kwargs)
