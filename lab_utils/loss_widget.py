"""The cross-entropy of one example as its target's probability moves (notebook 02).

`cross_entropy_view` shows a slider for ``p``, the probability the model gives the target
class, and the loss ``-log p`` on a linear and a log axis; `target_loss` is the pure,
tested function it draws. Built like every view (`lab_utils._views`).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from ._views import SharpWhenIdle, chart_view, saved_bundle
from .render import BlitChart
from .style import CLASS_COLORS, NEUTRAL, PIXEL_RATIO

#: The loss view's slider spans p = 10**P_EXPONENTS[0] .. 10**P_EXPONENTS[1].
P_EXPONENTS = (-8, 0)
#: A confident, correct prediction, for comparison with the current one.
REFERENCE_P = 0.9


def target_loss(p: ArrayLike) -> float | np.ndarray:
    """Cross-entropy ``-log(p)`` of an example whose target class was given probability ``p``.

    ``p`` is a number, or an array of numbers, in (0, 1]. Returns a float (or an array).
    """
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"p must be a probability or an array of them, got {p!r}") from None
    bad = ~np.isfinite(arr) | (arr <= 0) | (arr > 1)
    if bad.any():
        value = arr.flat[int(np.argmax(bad))]
        hint = " (the loss of a target given probability 0 is infinite)" if value == 0 else ""
        raise ValueError(f"p must lie in (0, 1], got {value}{hint}")
    loss = -np.log(arr) + 0.0  # + 0.0 turns -log(1) = -0.0 into 0.0
    return float(loss) if loss.ndim == 0 else loss


class _LossChart(BlitChart):
    """-log(p) against p twice: on a linear axis (the wall near 0) and a log axis (a line)."""

    def __init__(self, pixel_ratio=PIXEL_RATIO):
        super().__init__(figsize=(8, 3), pixel_ratio=pixel_ratio)
        self.fig.subplots_adjust(left=0.08, right=0.95, bottom=0.17, top=0.84, wspace=0.22)
        ax_lin, ax_log = self.fig.subplots(1, 2, sharey=True)
        low, high = (10.0**e for e in P_EXPONENTS)
        p = np.unique(np.concatenate([np.logspace(*P_EXPONENTS, 400), np.linspace(low, high, 400)]))
        top = 1.08 * target_loss(low)
        for ax in (ax_lin, ax_log):
            ax.plot(p, target_loss(p), color=CLASS_COLORS[0])
            ax.plot(
                [REFERENCE_P],
                [target_loss(REFERENCE_P)],
                "o",
                markersize=8,
                markerfacecolor="none",
                markeredgecolor=NEUTRAL,
                label=f"p = {REFERENCE_P}",
                clip_on=False,
                zorder=3,
            )  # near the axes' edges: drawn whole
            ax.set(xlabel="p, the probability given to the target class", ylim=(0, top))
        ax_lin.set(xlim=(0, 1), ylabel="loss  $-\\log p$")
        ax_log.set(xscale="log", xlim=(low, high), title="same curve, log scale for p")
        ax_log.legend(loc="upper right")
        self.markers = [
            ax.plot([], [], "o", color=CLASS_COLORS[2], markersize=8)[0] for ax in (ax_lin, ax_log)
        ]
        self.title = ax_lin.set_title(" ")
        self.moving(*self.markers, self.title)

    def update(self, p, loss):
        for marker in self.markers:
            marker.set_data([p], [loss])
        self.title.set_text(f"p = {p:.3g}:  loss = {loss:.3f}")
        self.description = (
            f"The loss -log p against p, the probability given to the target class, on a "
            f"linear and on a log axis for p; the loss rises without bound as p falls to 0. "
            f"The filled dot marks p = {p:.3g}, loss {loss:.3f}; the hollow circle marks "
            f"p = {REFERENCE_P}, loss {target_loss(REFERENCE_P):.3f}."
        )
        return self.render()


class CrossEntropyView:
    """A slider for the probability ``p`` a model gives the target class, and its loss.

    ``.slider`` is the ipywidgets slider (log scale), ``.p`` its value, ``.loss`` the
    cross-entropy ``-log(p)``, ``.reference_ratio`` how many confident, correct examples
    (p = 0.9) add up to the same loss. Display the object to show the widget.
    """

    def __init__(self, p: float = 0.1) -> None:
        low, high = P_EXPONENTS
        target_loss(p)  # validates p
        if not 10.0**low <= p <= 10.0**high:
            raise ValueError(f"p must lie within the slider's range [1e{low}, 1], got {p}")
        self.slider = widgets.FloatLogSlider(
            value=p,
            base=10,
            min=low,
            max=high,
            step=0.01,
            description="p",
            readout_format=".3g",
            continuous_update=True,
            layout=widgets.Layout(width="480px"),
        )
        self.readout = widgets.HTML()
        self.chart = chart_view()
        self._charts = SharpWhenIdle(lambda ratio: _LossChart(pixel_ratio=ratio))
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.slider, self.readout]), self.chart])
        self._on_change()

    @property
    def sliders(self) -> list[widgets.FloatLogSlider]:
        """The view's one slider, in a list as every view gives them (the latency benchmark)."""
        return [self.slider]

    @property
    def p(self) -> float:
        return float(self.slider.value)

    def _on_change(self, _change=None):
        self.loss = target_loss(self.p)
        self.reference_ratio = self.loss / target_loss(REFERENCE_P)
        self.readout.value = (
            f"<span style='font-family:monospace'>loss = -log({self.p:.3g}) = {self.loss:.3f}"
            f" &nbsp;= {self.reference_ratio:.1f} &times; the loss at p = {REFERENCE_P}</span>"
        )
        p, loss = self.p, self.loss
        self._charts.show(self.chart, lambda chart: chart.update(p, loss))

    def _repr_mimebundle_(self, **kwargs):
        return saved_bundle(
            self.widget,
            self._charts,
            self.chart,
            f"Cross-entropy view at p = {self.p:.3g}, loss = {self.loss:.3f}"
            " (run the notebook to drag the slider)",
            **kwargs,
        )


def cross_entropy_view(p: float = 0.1) -> CrossEntropyView:
    """Drag the target's probability ``p`` and watch the loss ``-log p``; see `CrossEntropyView`."""
    return CrossEntropyView(p=p)
