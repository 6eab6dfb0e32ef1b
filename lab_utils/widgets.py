"""Interactive views, thin ipywidgets wrappers around pure, tested functions.

A chart is a matplotlib ``Figure`` drawn by `lab_utils.render` and shown as a PNG in an
``ipywidgets.Image`` (or, without binary comm buffers, in an ``HTML`` widget: see
`lab_utils.render.chart_view`): updates go through ``observe`` (printing from a callback would be
recorded as cell output), the figure is built once and only its artists change, and it
runs wherever ipywidgets does (JupyterLab, Notebook 7, VS Code, Colab) with no extra
front-end extension. Each view also carries a static PNG in its saved output, with alt
text saying what it shows, so the notebook still reads on GitHub or nbviewer.

Layers: widgets (this module: sliders, callbacks, what to draw) -> `lab_utils.render`
(how a chart is drawn, fast) -> `lab_utils.style` (colours, markers, pixel ratio).
"""

import warnings
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap

from ._views import SharpWhenIdle, chart_view, saved_bundle
from .render import BlitChart
from .style import CLASS_COLORS, CLASS_MARKERS, NEUTRAL, PIXEL_RATIO

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


class _SoftmaxChart(BlitChart):
    """Two bar charts, inputs z and outputs a, built once and updated in place."""

    def __init__(self, n, z_range, temperature=False, pixel_ratio=PIXEL_RATIO):
        super().__init__(figsize=(8, 3.5 if temperature else 3), pixel_ratio=pixel_ratio)
        bottom = 0.27 if temperature else 0.12
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=bottom, top=0.86, wspace=0.25)
        ax_z, ax_a = self.fig.subplots(1, 2)
        colors = [CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(n)]

        self.z_bars = ax_z.bar(range(n), np.zeros(n), color=colors)
        ax_z.set(title="inputs z / T" if temperature else "inputs z", ylim=z_range,
                 xticks=range(n))
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


def softmax_description(z, a, temperature=None):
    """Alt text of the softmax chart: the inputs, the outputs and which input wins."""
    z_text = ", ".join(f"{v:.2f}" for v in z)
    a_text = ", ".join(f"{p:.3f}" for p in a)
    top = int(np.argmax(a))
    start = ("Bar charts of the inputs z = [" + z_text + "]" if temperature is None else
             f"Temperature T = {temperature:.2f}. Bar charts of the inputs z / T = [{z_text}]")
    return (f"{start} and of the outputs a = softmax = [{a_text}], sum {a.sum():.3f}. "
            f"The largest output is a{top} = {a[top]:.3f}.")


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
        self.chart = chart_view()  # sized by chart_image()
        self.message = widgets.HTML()
        self._charts = SharpWhenIdle(lambda ratio: _SoftmaxChart(n, value_range, temperature,
                                                                 pixel_ratio=ratio))
        self._chart = self._charts.sharp
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
        z, a = self.z, self.probabilities
        temperature = self.temperature.value if self.temperature else None
        self._charts.show(self.chart, lambda chart: chart.update(z, a, temperature))
        self.chart.layout.display = None

    def _repr_mimebundle_(self, **kwargs):
        values = ", ".join(f"{s.value:.1f}" for s in self.sliders)
        what = f"Softmax sliders at z = [{values}]"
        if self.temperature:
            what += f", temperature T = {self.temperature.value:.2f}"
        return saved_bundle(self.widget, None if self.error else self._charts, self.chart,
                            f"{what} (run the notebook to drag them)", **kwargs)


def readout_html(a):
    """The probabilities as text, ``a0 = 0.032 ... sum = 1.000``, for the readout."""
    cells = "".join(f"<td class='softmax-a'>a{i} = {p:.3f}</td>" for i, p in enumerate(a))
    return (f"<table style='font-family:monospace'><tr>{cells}</tr>"
            f"<tr><td class='softmax-sum' colspan='{len(a)}'>sum = {a.sum():.3f}</td></tr></table>")


def softmax_sliders(softmax_fn, n=4, **kwargs):
    """Sliders for z0..z(n-1) and bar charts of z and ``softmax_fn(z)``; see `SoftmaxSliders`."""
    return SoftmaxSliders(softmax_fn, n=n, **kwargs)


# --- cross-entropy of one example as its target's probability moves --------------

#: The loss view's slider spans p = 10**P_EXPONENTS[0] .. 10**P_EXPONENTS[1].
P_EXPONENTS = (-8, 0)
#: A confident, correct prediction, for comparison with the current one.
REFERENCE_P = 0.9


def target_loss(p):
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
        low, high = (10.0 ** e for e in P_EXPONENTS)
        p = np.unique(np.concatenate([np.logspace(*P_EXPONENTS, 400), np.linspace(low, high, 400)]))
        top = 1.08 * target_loss(low)
        for ax in (ax_lin, ax_log):
            ax.plot(p, target_loss(p), color=CLASS_COLORS[0])
            ax.plot([REFERENCE_P], [target_loss(REFERENCE_P)], "o", markersize=8,
                    markerfacecolor="none", markeredgecolor=NEUTRAL, label=f"p = {REFERENCE_P}",
                    clip_on=False, zorder=3)  # near the axes' edges: drawn whole
            ax.set(xlabel="p, the probability given to the target class", ylim=(0, top))
        ax_lin.set(xlim=(0, 1), ylabel="loss  $-\\log p$")
        ax_log.set(xscale="log", xlim=(low, high), title="same curve, log scale for p")
        ax_log.legend(loc="upper right")
        self.markers = [ax.plot([], [], "o", color=CLASS_COLORS[2], markersize=8)[0]
                        for ax in (ax_lin, ax_log)]
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
            f"p = {REFERENCE_P}, loss {target_loss(REFERENCE_P):.3f}.")
        return self.render()


class CrossEntropyView:
    """A slider for the probability ``p`` a model gives the target class, and its loss.

    ``.slider`` is the ipywidgets slider (log scale), ``.p`` its value, ``.loss`` the
    cross-entropy ``-log(p)``, ``.reference_ratio`` how many confident, correct examples
    (p = 0.9) add up to the same loss. Display the object to show the widget.
    """

    def __init__(self, p=0.1):
        low, high = P_EXPONENTS
        target_loss(p)  # validates p
        if not 10.0 ** low <= p <= 10.0 ** high:
            raise ValueError(f"p must lie within the slider's range [1e{low}, 1], got {p}")
        self.slider = widgets.FloatLogSlider(
            value=p, base=10, min=low, max=high, step=0.01, description="p",
            readout_format=".3g", continuous_update=True,
            layout=widgets.Layout(width="480px"),
        )
        self.readout = widgets.HTML()
        self.chart = chart_view()
        self._charts = SharpWhenIdle(lambda ratio: _LossChart(pixel_ratio=ratio))
        self._chart = self._charts.sharp
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.slider, self.readout]), self.chart])
        self._on_change()

    @property
    def sliders(self):
        return [self.slider]

    @property
    def p(self):
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
        return saved_bundle(self.widget, self._charts, self.chart,
                            f"Cross-entropy view at p = {self.p:.3g}, loss = {self.loss:.3f}"
                            " (run the notebook to drag the slider)", **kwargs)


def cross_entropy_view(p=0.1):
    """Drag the target's probability ``p`` and watch the loss ``-log p``; see `CrossEntropyView`."""
    return CrossEntropyView(p=p)


# --- the decision boundary, epoch by epoch --------------------------------------------
# lab_utils.boundaries imports scikit-learn (about 2 s and 90 MB): it is imported inside
# these functions so that notebooks using only the sliders above do not pay for it.


class EpochFrame(NamedTuple):
    """What the epoch slider shows: the recorded epoch, its class regions, caption and loss."""

    epoch: int
    regions: np.ndarray
    caption: str
    loss: float | None


def epoch_frame(snapshots, epoch):
    """The frame the epoch slider shows at ``epoch``, from a ``BoundarySnapshots``."""
    from .boundaries import epoch_caption, snapshot_index

    index = snapshot_index(snapshots, epoch)
    return EpochFrame(snapshots.epochs[index], snapshots.regions[index],
                      epoch_caption(snapshots, epoch), snapshots.logs[index].get("loss"))


class _BoundaryChart(BlitChart):
    """Class regions with the data on top, and the loss curve with a dot at the current epoch."""

    def __init__(self, snapshots, X, y, pixel_ratio=PIXEL_RATIO, region_labels=True):
        from .boundaries import REGION_ALPHA, class_legend_handles

        super().__init__(figsize=(8.5, 3.4), pixel_ratio=pixel_ratio)
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.85, wspace=0.22)
        ax_plane, ax_loss = self.fig.subplots(1, 2, width_ratios=(1.3, 1))
        n, xx0, xx1 = snapshots.n_classes, snapshots.xx0, snapshots.xx1
        self.snapshots, self.n_points, self._label_positions = snapshots, len(X), {}
        # an image, not scikit-learn's mesh of 10,000 cells: it redraws in a few milliseconds
        self.regions = ax_plane.imshow(
            snapshots.regions[-1], origin="lower", extent=(xx0[0, 0], xx0[0, -1], xx1[0, 0],
                                                           xx1[-1, 0]),
            cmap=ListedColormap(CLASS_COLORS[:n]), vmin=-0.5, vmax=n - 0.5, alpha=REGION_ALPHA,
            interpolation="nearest", aspect="auto", zorder=-1,
        )
        # lines of markers, not scatter collections: they redraw several times faster
        points = [ax_plane.plot(*X[y == k].T, CLASS_MARKERS[k], color=CLASS_COLORS[k],
                                markersize=4.5, markeredgecolor="white",
                                markeredgewidth=0.5)[0] for k in range(n)]
        # each region named where it is widest, so the classes read without colour
        self.region_labels = [ax_plane.text(0, 0, f"class {k}", ha="center", va="center",
                                            fontsize=9, fontweight="bold", color="#222222")
                              for k in range(n)] if region_labels else []
        ax_plane.set(xlabel="$x_0$", ylabel="$x_1$")
        if any("loss" in log for log in snapshots.logs):
            ax_loss.plot(*snapshots.history("loss"), color=NEUTRAL)
        ax_loss.set(xlabel="epoch", ylabel="loss", title="training loss")
        ax_loss.legend(handles=class_legend_handles(n), loc="upper right", fontsize=8,
                       title="points", title_fontsize=8)
        (self.marker,) = ax_loss.plot([], [], "o", color=CLASS_COLORS[2], markersize=8)
        self.caption = self.fig.suptitle(" ", fontsize=11)
        # the points are redrawn after the regions, which would otherwise cover them
        self.moving(self.regions, *points, *self.region_labels, self.marker, self.caption)

    def update(self, frame):
        from .boundaries import region_label_positions

        self.regions.set_data(frame.regions)
        if self.region_labels and frame.epoch not in self._label_positions:
            self._label_positions[frame.epoch] = region_label_positions(
                frame.regions, self.snapshots.xx0, self.snapshots.xx1)
        where = self._label_positions.get(frame.epoch, {})
        for k, label in enumerate(self.region_labels):
            label.set_visible(k in where)
            if k in where:
                label.set_position(where[k])
        self.marker.set_data([frame.epoch] if frame.loss is not None else [],
                             [frame.loss] if frame.loss is not None else [])
        self.caption.set_text(frame.caption)
        self.frame = frame
        return self.render()

    @property
    def description(self):
        """Worked out when asked (for the saved image), not on every frame of a drag."""
        from .boundaries import regions_description

        return (f"The model's class regions over the plane at {self.frame.caption}, "
                f"with the {self.n_points} training points on top; "
                + regions_description(self.frame.regions)
                + " Beside it, the training loss per epoch.")


class EpochSlider:
    """A slider over training epochs, showing the decision boundary recorded at each.

    ``.slider`` is the ipywidgets IntSlider (``.play`` animates it), ``.epoch`` its
    value and ``.frame`` what the chart shows (see `epoch_frame`). Display the object
    to show the widget.
    """

    def __init__(self, snapshots, X, y, epoch=None):
        if not hasattr(snapshots, "regions") or not hasattr(snapshots, "epochs"):
            raise TypeError(f"snapshots must be a lab_utils.boundaries.BoundarySnapshots, "
                            f"got {type(snapshots).__name__}")
        if not snapshots.epochs:
            raise ValueError("snapshots is empty: pass snapshots.keras_callback() to fit() first")
        first, last = snapshots.epochs[0], snapshots.epochs[-1]
        epoch = last if epoch is None else epoch
        epoch_frame(snapshots, epoch)  # validates epoch
        self.snapshots = snapshots
        self.slider = widgets.IntSlider(value=epoch, min=first, max=last, description="epoch",
                                        continuous_update=True,
                                        layout=widgets.Layout(width="480px"))
        self.play = widgets.Play(value=epoch, min=first, max=last, interval=80,
                                 description="play the training")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.chart = chart_view()
        # while the slider moves, the regions go unlabelled: a frame's text costs the most
        self._charts = SharpWhenIdle(lambda ratio: _BoundaryChart(
            snapshots, X, y, pixel_ratio=ratio, region_labels=ratio > 1))
        self._chart = self._charts.sharp
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.chart])
        self._on_change()

    @property
    def sliders(self):
        return [self.slider]

    @property
    def epoch(self):
        return int(self.slider.value)

    def _on_change(self, _change=None):
        self.frame = epoch_frame(self.snapshots, self.epoch)
        frame = self.frame
        self._charts.show(self.chart, lambda chart: chart.update(frame))

    def _repr_mimebundle_(self, **kwargs):
        return saved_bundle(self.widget, self._charts, self.chart,
                            f"Decision boundary at {self.frame.caption} "
                            "(run the notebook to drag the slider)", **kwargs)


def epoch_slider(snapshots, X, y, epoch=None):
    """Drag through training and watch the decision boundary move; see `EpochSlider`."""
    return EpochSlider(snapshots, X, y, epoch=epoch)
