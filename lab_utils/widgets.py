"""The softmax sliders of notebook 01, and the names every notebook imports its views by.

`softmax_sliders` drives a learner's own softmax function: sliders z0..z(n-1) (and,
optionally, a temperature T), bar charts of z and of the outputs, and a one-line message
instead of a traceback when the function fails (`softmax_outputs`, the pure, tested check).

Every view is a thin ipywidgets wrapper around pure, tested functions: updates go through
``observe`` (printing from a callback would be recorded as cell output), the chart is
built once and only its artists change (`lab_utils.render`), and it is shown as a PNG in
an ``ipywidgets.Image`` or ``HTML`` widget (`lab_utils._views`), so it runs wherever
ipywidgets does (JupyterLab, Notebook 7, VS Code, Colab) with no extra front-end
extension. Each view's saved output carries a static PNG with alt text saying what it
shows, so the notebook still reads on GitHub or nbviewer.

Notebooks 02 and 04 import their views from here too: `cross_entropy_view`
(`lab_utils.loss_widget`) and `epoch_slider` (`lab_utils.epoch_widget`). The epoch slider
needs scikit-learn (about 90 MB more in a kernel), so it is imported when first asked
for: notebooks 01 and 02 never pay for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from ._learner_code import quietly, raised
from ._views import SharpWhenIdle, chart_view, saved_bundle
from .loss_widget import (
    P_EXPONENTS,
    REFERENCE_P,
    CrossEntropyView,
    cross_entropy_view,
    target_loss,
)
from .render import BlitChart
from .style import CLASS_COLORS, NEUTRAL, PIXEL_RATIO

#: Names of `lab_utils.epoch_widget` that can be imported from here, loaded on first use.
_EPOCH_WIDGET_NAMES = ("EpochFrame", "EpochSlider", "epoch_frame", "epoch_slider")

__all__ = [
    "P_EXPONENTS",
    "REFERENCE_P",
    "SOFTMAX_SUM_TOLERANCE",
    "CrossEntropyView",
    "SoftmaxSliders",
    "cross_entropy_view",
    "readout_html",
    "softmax_description",
    "softmax_outputs",
    "softmax_sliders",
    "target_loss",
    *_EPOCH_WIDGET_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _EPOCH_WIDGET_NAMES:
        return getattr(importlib.import_module(".epoch_widget", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EPOCH_WIDGET_NAMES})


#: A learner's softmax outputs that sum to 1 within this are accepted as probabilities.
SOFTMAX_SUM_TOLERANCE = 1e-5


def softmax_outputs(
    softmax_fn: Callable[[np.ndarray], ArrayLike], z: ArrayLike
) -> tuple[np.ndarray | None, str | None]:
    """Call ``softmax_fn(z)`` and check it returned a probability vector.

    Returns ``(probabilities, None)``, or ``(None, message)`` explaining in one
    line what went wrong, so a widget can show the message instead of a traceback.
    """
    name = getattr(softmax_fn, "__name__", "softmax_fn")
    z = np.asarray(z, dtype=float)
    try:
        result = quietly(softmax_fn, z)  # NumPy's warnings would land in the notebook
    except Exception as err:  # the learner's code: any error becomes a message
        return None, f"{name} {raised(err)}"
    try:
        a = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return None, f"{name} returned {type(result).__name__}, not an array of numbers"
    if a.shape != z.shape:
        return None, f"{name} returned shape {a.shape}; expected {z.shape}, one output per input"
    if not np.isfinite(a).all():
        i = int(np.argmax(~np.isfinite(a)))
        return None, f"{name} returned a{i} = {a[i]}: outputs must be finite"
    if abs(a.sum() - 1) > SOFTMAX_SUM_TOLERANCE:
        return None, (
            f"{name}'s outputs sum to {a.sum():.4g}, not 1: "
            "did you divide by the sum of the exponentials?"
        )
    if ((a < 0) | (a > 1)).any():
        i = int(np.argmax((a < 0) | (a > 1)))
        return None, f"{name} returned a{i} = {a[i]:.4g}: probabilities lie in [0, 1]"
    return a, None


class _SoftmaxChart(BlitChart):
    """Two bar charts, inputs z and outputs a, built once and updated in place."""

    def __init__(self, n, z_range, temperature=False, pixel_ratio=PIXEL_RATIO):
        super().__init__(figsize=(8, 3.5 if temperature else 3), pixel_ratio=pixel_ratio)
        bottom = 0.27 if temperature else 0.12
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=bottom, top=0.86, wspace=0.25)
        ax_z, ax_a = self.fig.subplots(1, 2)
        colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(n)]

        self.z_bars = ax_z.bar(range(n), np.zeros(n), color=colors)
        ax_z.set(title="inputs z / T" if temperature else "inputs z", ylim=z_range, xticks=range(n))
        ax_z.set_xticklabels([f"z{i}" + ("/T" if temperature else "") for i in range(n)])
        ax_z.axhline(0, color=NEUTRAL, linewidth=0.8)
        self.temperature = _TemperatureGauge(self) if temperature else None

        self.a_bars = ax_a.bar(range(n), np.zeros(n), color=colors)
        ax_a.set(ylim=(0, 1.15), xticks=range(n))
        ax_a.set_xticklabels([f"a{i}" for i in range(n)])
        self.a_labels = [ax_a.text(i, 0, "", ha="center", va="bottom") for i in range(n)]
        self.a_title = ax_a.set_title(" ")
        self.moving(*self.z_bars, *self.a_bars, *self.a_labels)
        self.steady(self.a_title)  # "sum = 1.000" whenever the outputs are probabilities

    def update(self, z, a, temperature=None):
        """Draw inputs ``z`` (already divided by the temperature) and outputs ``a``; PNG out."""
        if (temperature is None) != (self.temperature is None):
            raise ValueError("temperature must be given exactly when the chart shows it")
        if self.temperature is not None:
            self.temperature.update(temperature)
        self.description = softmax_description(z, a, temperature)
        for bar, value in zip(self.z_bars, z, strict=True):
            bar.set_height(value)
        for bar, label, p in zip(self.a_bars, self.a_labels, a, strict=True):
            bar.set_height(p)
            label.set_y(p + 0.01)
            label.set_text(f"{p:.3f}")
        argument = "z" if self.temperature is None else "z/T"
        self.a_title.set_text(f"a = softmax({argument}),  sum = {a.sum():.3f}")
        return self.render()


class _TemperatureGauge:
    """The T slider drawn into the chart (log scale 0.1..10), so a saved image shows T too."""

    def __init__(self, chart):
        ax = chart.fig.add_axes((0.08, 0.09, 0.4, 0.05))
        ax.set(xscale="log", xlim=(0.1, 10), ylim=(-1, 1), yticks=[])
        ax.set_xticks([0.1, 1, 10], ["0.1", "1", "10"])
        ax.tick_params(axis="x", labelsize=9, length=3)
        ax.grid(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.plot([0.1, 10], [0, 0], color="#BBBBBB", linewidth=4, solid_capstyle="round")
        (self.handle,) = ax.plot([1], [0], "o", color=NEUTRAL, markersize=9)
        self.label = ax.text(1.04, 0.5, " ", transform=ax.transAxes, va="center", fontsize=11)
        chart.moving(self.handle, self.label)

    def update(self, temperature):
        self.handle.set_xdata([temperature])
        self.label.set_text(f"temperature T = {temperature:.2f}")


def softmax_description(z: Sequence[float], a: np.ndarray, temperature: float | None = None) -> str:
    """Alt text of the softmax chart: the inputs, the outputs and which input wins."""
    z_text = ", ".join(f"{v:.2f}" for v in z)
    a_text = ", ".join(f"{p:.3f}" for p in a)
    top = int(np.argmax(a))
    start = (
        "Bar charts of the inputs z = [" + z_text + "]"
        if temperature is None
        else f"Temperature T = {temperature:.2f}. Bar charts of the inputs z / T = [{z_text}]"
    )
    return (
        f"{start} and of the outputs a = softmax = [{a_text}], sum {a.sum():.3f}. "
        f"The largest output is a{top} = {a[top]:.3f}."
    )


class SoftmaxSliders:
    """Sliders z0..z(n-1) driving a learner's softmax function.

    ``.sliders`` are the ipywidgets sliders, ``.z`` their values, ``.probabilities``
    what ``softmax_fn`` returned for them (``None`` while it fails, and then
    ``.error`` says why). Display the object to show the widget.
    """

    def __init__(
        self,
        softmax_fn: Callable[[np.ndarray], ArrayLike],
        n: int = 4,
        values: Sequence[float] | None = None,
        value_range: tuple[float, float] = (-10.0, 10.0),
        step: float = 0.1,
        temperature: bool = False,
    ) -> None:
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
            widgets.FloatSlider(
                value=v,
                min=low,
                max=high,
                step=step,
                description=f"z{i}",
                readout_format=".1f",
                continuous_update=True,
            )
            for i, v in enumerate(values)
        ]
        self.temperature = (
            widgets.FloatLogSlider(
                value=1.0, base=10, min=-1, max=1, step=0.05, description="T", readout_format=".2f"
            )
            if temperature
            else None
        )
        self.readout = widgets.HTML()
        self.chart = chart_view()
        self.message = widgets.HTML()
        self._charts = SharpWhenIdle(
            lambda ratio: _SoftmaxChart(n, value_range, temperature, pixel_ratio=ratio)
        )
        self.probabilities, self.error = None, None

        controls = self.sliders + ([self.temperature] if self.temperature else [])
        for control in controls:
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([widgets.VBox(controls), self.readout]),
                self.message,
                self.chart,
            ]
        )
        self._on_change()

    @property
    def z(self) -> np.ndarray:
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
        z, a = self.z, self.probabilities
        temperature = self.temperature.value if self.temperature else None
        self._charts.show(self.chart, lambda chart: chart.update(z, a, temperature))
        self.chart.layout.display = None

    def _repr_mimebundle_(self, **kwargs):
        values = ", ".join(f"{s.value:.1f}" for s in self.sliders)
        what = f"Softmax sliders at z = [{values}]"
        if self.temperature:
            what += f", temperature T = {self.temperature.value:.2f}"
        return saved_bundle(
            self.widget,
            None if self.error else self._charts,
            self.chart,
            f"{what} (run the notebook to drag them)",
            **kwargs,
        )


def readout_html(a: np.ndarray) -> str:
    """The probabilities as text, ``a0 = 0.032 ... sum = 1.000``, for the readout."""
    cells = "".join(f"<td class='softmax-a'>a{i} = {p:.3f}</td>" for i, p in enumerate(a))
    return (
        f"<table style='font-family:monospace'><tr>{cells}</tr>"
        f"<tr><td class='softmax-sum' colspan='{len(a)}'>sum = {a.sum():.3f}</td></tr></table>"
    )


def softmax_sliders(
    softmax_fn: Callable[[np.ndarray], ArrayLike], n: int = 4, **kwargs: Any
) -> SoftmaxSliders:
    """Sliders for z0..z(n-1) and bar charts of z and ``softmax_fn(z)``; see `SoftmaxSliders`."""
    return SoftmaxSliders(softmax_fn, n=n, **kwargs)
