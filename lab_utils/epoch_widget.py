"""A slider over training epochs, showing the decision boundary recorded at each (notebook 04).

`epoch_slider` draws what a `lab_utils.snapshots.BoundarySnapshots` recorded during
training: the class regions at the chosen epoch, the data on top, and the loss curve with
a dot at that epoch; `epoch_frame` is the pure, tested function it shows. Built like
every view (`lab_utils._views`). Importing it imports scikit-learn (`lab_utils.boundaries`).
"""

from __future__ import annotations

from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from numpy.typing import ArrayLike

from ._views import SharpWhenIdle, chart_view, saved_bundle
from .region_drawing import REGION_ALPHA, class_legend_handles
from .regions import region_label_positions, regions_description
from .render import BlitChart
from .snapshots import BoundarySnapshots, epoch_caption, snapshot_index
from .style import CLASS_COLORS, CLASS_MARKERS, NEUTRAL, PIXEL_RATIO


class EpochFrame(NamedTuple):
    """What the epoch slider shows: the recorded epoch, its class regions, caption and loss."""

    epoch: int
    regions: np.ndarray
    caption: str
    loss: float | None


def epoch_frame(snapshots: BoundarySnapshots, epoch: int) -> EpochFrame:
    """The frame the epoch slider shows at ``epoch``, from a ``BoundarySnapshots``."""
    index = snapshot_index(snapshots, epoch)
    return EpochFrame(
        snapshots.epochs[index],
        snapshots.regions[index],
        epoch_caption(snapshots, epoch),
        snapshots.logs[index].get("loss"),
    )


class _BoundaryChart(BlitChart):
    """Class regions with the data on top, and the loss curve with a dot at the current epoch."""

    def __init__(self, snapshots, X, y, pixel_ratio=PIXEL_RATIO, region_labels=True):
        super().__init__(figsize=(8.5, 3.4), pixel_ratio=pixel_ratio)
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.85, wspace=0.22)
        ax_plane, ax_loss = self.fig.subplots(1, 2, width_ratios=(1.3, 1))
        n, xx0, xx1 = snapshots.n_classes, snapshots.xx0, snapshots.xx1
        self.snapshots, self.n_points, self._label_positions = snapshots, len(X), {}
        # an image, not scikit-learn's mesh of 10,000 cells: it redraws in a few milliseconds
        self.regions = ax_plane.imshow(
            snapshots.regions[-1],
            origin="lower",
            extent=(xx0[0, 0], xx0[0, -1], xx1[0, 0], xx1[-1, 0]),
            cmap=ListedColormap(CLASS_COLORS[:n]),
            vmin=-0.5,
            vmax=n - 0.5,
            alpha=REGION_ALPHA,
            interpolation="nearest",
            aspect="auto",
            zorder=-1,
        )
        # lines of markers, not scatter collections: they redraw several times faster
        points = [
            ax_plane.plot(
                *X[y == k].T,
                CLASS_MARKERS[k],
                color=CLASS_COLORS[k],
                markersize=4.5,
                markeredgecolor="white",
                markeredgewidth=0.5,
            )[0]
            for k in range(n)
        ]
        # each region named where it is widest, so the classes read without colour
        self.region_labels = (
            [
                ax_plane.text(
                    0,
                    0,
                    f"class {k}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    fontweight="bold",
                    color="#222222",
                )
                for k in range(n)
            ]
            if region_labels
            else []
        )
        ax_plane.set(xlabel="$x_0$", ylabel="$x_1$")
        if any("loss" in log for log in snapshots.logs):
            ax_loss.plot(*snapshots.history("loss"), color=NEUTRAL)
        ax_loss.set(xlabel="epoch", ylabel="loss", title="training loss")
        ax_loss.legend(
            handles=class_legend_handles(n),
            loc="upper right",
            fontsize=8,
            title="points",
            title_fontsize=8,
        )
        (self.marker,) = ax_loss.plot([], [], "o", color=CLASS_COLORS[2], markersize=8)
        self.caption = self.fig.suptitle(" ", fontsize=11)
        # the points are redrawn after the regions, which would otherwise cover them
        self.moving(self.regions, *points, *self.region_labels, self.marker, self.caption)

    def update(self, frame):
        self.regions.set_data(frame.regions)
        if self.region_labels and frame.epoch not in self._label_positions:
            self._label_positions[frame.epoch] = region_label_positions(
                frame.regions, self.snapshots.xx0, self.snapshots.xx1
            )
        where = self._label_positions.get(frame.epoch, {})
        for k, label in enumerate(self.region_labels):
            label.set_visible(k in where)
            if k in where:
                label.set_position(where[k])
        self.marker.set_data(
            [frame.epoch] if frame.loss is not None else [],
            [frame.loss] if frame.loss is not None else [],
        )
        self.caption.set_text(frame.caption)
        self.frame = frame
        return self.render()

    @property
    def description(self):
        """Worked out when asked (for the saved image), not on every frame of a drag."""
        return (
            f"The model's class regions over the plane at {self.frame.caption}, "
            f"with the {self.n_points} training points on top; "
            + regions_description(self.frame.regions)
            + " Beside it, the training loss per epoch."
        )


class EpochSlider:
    """A slider over training epochs, showing the decision boundary recorded at each.

    ``.slider`` is the ipywidgets IntSlider (``.play`` animates it), ``.epoch`` its
    value and ``.frame`` what the chart shows (see `epoch_frame`). Display the object
    to show the widget.
    """

    def __init__(
        self, snapshots: BoundarySnapshots, X: ArrayLike, y: ArrayLike, epoch: int | None = None
    ) -> None:
        if not hasattr(snapshots, "regions") or not hasattr(snapshots, "epochs"):
            raise TypeError(
                f"snapshots must be a lab_utils.boundaries.BoundarySnapshots, "
                f"got {type(snapshots).__name__}"
            )
        if not snapshots.epochs:
            raise ValueError("snapshots is empty: pass snapshots.keras_callback() to fit() first")
        first, last = snapshots.epochs[0], snapshots.epochs[-1]
        epoch = last if epoch is None else epoch
        epoch_frame(snapshots, epoch)  # validates epoch
        self.snapshots = snapshots
        self.slider = widgets.IntSlider(
            value=epoch,
            min=first,
            max=last,
            description="epoch",
            continuous_update=True,
            layout=widgets.Layout(width="480px"),
        )
        self.play = widgets.Play(
            value=epoch, min=first, max=last, interval=80, description="play the training"
        )
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.chart = chart_view()
        # while the slider moves, the regions go unlabelled: a frame's text costs the most
        self._charts = SharpWhenIdle(
            lambda ratio: _BoundaryChart(
                snapshots, X, y, pixel_ratio=ratio, region_labels=ratio > 1
            )
        )
        self.slider.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.chart])
        self._on_change()

    @property
    def sliders(self) -> list[widgets.IntSlider]:
        """The view's one slider, in a list as every view gives them (the latency benchmark)."""
        return [self.slider]

    @property
    def epoch(self) -> int:
        return int(self.slider.value)

    def _on_change(self, _change=None):
        self.frame = epoch_frame(self.snapshots, self.epoch)
        frame = self.frame
        self._charts.show(self.chart, lambda chart: chart.update(frame))

    def _repr_mimebundle_(self, **kwargs):
        return saved_bundle(
            self.widget,
            self._charts,
            self.chart,
            f"Decision boundary at {self.frame.caption} (run the notebook to drag the slider)",
            **kwargs,
        )


def epoch_slider(
    snapshots: BoundarySnapshots, X: ArrayLike, y: ArrayLike, epoch: int | None = None
) -> EpochSlider:
    """Drag through training and watch the decision boundary move; see `EpochSlider`."""
    return EpochSlider(snapshots, X, y, epoch=epoch)
