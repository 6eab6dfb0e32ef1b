"""Pick an image and a temperature T; see the image beside softmax(z / T) (notebook 07).

Built like every view (`lab_utils._views`): the callback calls the pure, tested
`digit_frame`, updates go through ``observe``, the chart is drawn once and only its
moving parts are redrawn (`lab_utils.render`), and the saved output carries a static PNG.
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_images, as_labels, as_logits, as_temperature
from ._views import SharpWhenIdle, chart_view, saved_bundle
from .calibration import temperature_scale
from .digit_plots import draw_digit_and_probabilities, update_probability_bars
from .numerics import log_softmax
from .render import BlitChart

#: The temperature slider spans T = 10**-1 .. 10**1, as notebook 01's does.
T_EXPONENTS = (-1, 1)


class DigitFrame(NamedTuple):
    """What the picker shows for one image at one temperature."""

    index: int
    label: int
    probabilities: np.ndarray
    predicted: int
    loss: float


def digit_frame(logits: ArrayLike, y: ArrayLike, index: int, T: float = 1.0) -> DigitFrame:
    """Image ``index``'s probabilities ``softmax(z / T)``, predicted class and loss ``-log a_y``."""
    z = as_logits(logits, "logits", matrix=True, dtype=np.float64)[0]
    labels = as_labels(y, "y", length=z.shape[0], n_classes=z.shape[1])
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"index must be an integer, got {index!r}")
    if not 0 <= index < len(z):
        raise ValueError(f"index must lie in 0..{len(z) - 1}, got {index}")
    row = z[index : index + 1]
    probabilities = temperature_scale(row, T)[0]
    label = int(labels[index])
    loss = float(-log_softmax(row / as_temperature(T), axis=1)[0, label])
    return DigitFrame(int(index), label, probabilities, int(np.argmax(probabilities)), loss)


class _DigitChart(BlitChart):
    """The image on the left, its ten probabilities on the right, updated in place."""

    def __init__(self, image, frame, pixel_ratio, which):
        self.which = which
        super().__init__(figsize=(8, 2.8), pixel_ratio=pixel_ratio)
        self.fig.subplots_adjust(left=0.02, right=0.98, bottom=0.17, top=0.86, wspace=0.15)
        ax_image, ax_bars = self.fig.subplots(1, 2, width_ratios=(1, 3.2))
        self.image, self.bars, self.title = draw_digit_and_probabilities(
            ax_image, ax_bars, image, frame.probabilities, frame.label
        )
        self.label_title = ax_image.title
        self.moving(self.image, *self.bars, self.title, self.label_title)

    def update(self, image, frame):
        self.image.set_data(image)
        self.image.set_clim(0, float(image.max()) or 1.0)
        self.label_title.set_text(f"{self.which} image {frame.index}, label {frame.label}")
        update_probability_bars(self.bars, frame.probabilities, frame.label, self.title)
        self.description = (
            f"{self.which.capitalize()} image {frame.index}, an 8 by 8 handwritten digit "
            f"labelled {frame.label}, "
            f"beside its 10 probabilities: the largest, {frame.probabilities[frame.predicted]:.3f},"
            f" is for {frame.predicted}; the true class {frame.label} gets "
            f"{frame.probabilities[frame.label]:.3f}."
        )
        return self.render()


class DigitPicker:
    """A slider choosing an image and a temperature slider, showing softmax(z / T).

    ``which`` names the set the images come from ("validation", "test"), as the labels
    say it. ``.picker`` (an IntSlider over the images) and ``.temperature`` (a log slider
    for T) are the controls, ``.index`` and ``.T`` their values, ``.frame`` what is
    shown (see `digit_frame`). Display the object to show the widget.
    """

    def __init__(
        self,
        images: ArrayLike,
        logits: ArrayLike,
        y: ArrayLike,
        index: int = 0,
        T: float = 1.0,
        which: str = "test",
    ) -> None:
        if not isinstance(which, str) or not which.strip():
            raise TypeError(f"which must name the set of images, e.g. 'validation', got {which!r}")
        self.which = which.strip()
        self.images = as_images(images)
        self.logits = as_logits(logits, "logits", matrix=True, dtype=np.float64)[0]
        self.y = as_labels(y, "y", length=self.logits.shape[0], n_classes=self.logits.shape[1])
        if len(self.images) != len(self.logits):
            raise ValueError(
                f"images has {len(self.images)} entries but logits has "
                f"{len(self.logits)} rows: pass the same images"
            )
        low, high = T_EXPONENTS
        if not 10.0**low <= as_temperature(T) <= 10.0**high:
            raise ValueError(f"T must lie within the slider's range [0.1, 10], got {T}")
        frame = digit_frame(self.logits, self.y, index, T)  # validates index
        self.picker = widgets.IntSlider(
            value=index,
            min=0,
            max=len(self.logits) - 1,
            description=f"{self.which} image",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.temperature = widgets.FloatLogSlider(
            value=T,
            base=10,
            min=low,
            max=high,
            step=0.02,
            description="T",
            readout_format=".2f",
            layout=widgets.Layout(width="420px"),
        )
        self.readout = widgets.HTML()
        self.chart = chart_view()
        self._charts = SharpWhenIdle(
            lambda ratio: _DigitChart(
                self.images[index], frame, pixel_ratio=ratio, which=self.which
            )
        )
        for control in self.controls:
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox(
            [widgets.HBox([widgets.VBox(self.controls), self.readout]), self.chart]
        )
        self._on_change()

    @property
    def controls(self) -> list[widgets.IntSlider | widgets.FloatLogSlider]:
        """The image slider and the temperature slider."""
        return [self.picker, self.temperature]

    @property
    def sliders(self) -> list[widgets.IntSlider | widgets.FloatLogSlider]:
        """The controls, under the name every view gives them (the latency benchmark)."""
        return self.controls

    @property
    def index(self) -> int:
        return int(self.picker.value)

    @property
    def T(self) -> float:
        return float(self.temperature.value)

    def _on_change(self, _change=None):
        self.frame = digit_frame(self.logits, self.y, self.index, self.T)
        f = self.frame
        self.readout.value = (
            "<span style='font-family:monospace'>"
            f"a{f.predicted} = {f.probabilities[f.predicted]:.3f} (predicted), "
            f"a{f.label} = {f.probabilities[f.label]:.3f} (true class)<br>"
            f"loss = -log a{f.label} = {f.loss:.3f} at T = {self.T:.2f}</span>"
        )
        image = self.images[self.index]
        self._charts.show(self.chart, lambda chart: chart.update(image, f))

    def _repr_mimebundle_(self, **kwargs):
        f = self.frame
        return saved_bundle(
            self.widget,
            self._charts,
            self.chart,
            f"{self.which.capitalize()} image {f.index} (label {f.label}) "
            f"at T = {self.T:.2f}: "
            f"predicted {f.predicted} with probability "
            f"{f.probabilities[f.predicted]:.3f} (run the notebook to pick "
            "another image or temperature)",
            **kwargs,
        )


def digit_picker(
    images: ArrayLike,
    logits: ArrayLike,
    y: ArrayLike,
    index: int = 0,
    T: float = 1.0,
    which: str = "test",
) -> DigitPicker:
    """Pick an image and a temperature and watch its probabilities; see `DigitPicker`."""
    return DigitPicker(images, logits, y, index=index, T=T, which=which)
