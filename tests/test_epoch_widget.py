"""The epoch slider: the pure frame function, and the widget driven without a browser."""

import base64
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from widget_charts import sharp_chart

from lab_utils.data import CENTERS, make_seed_blobs
from lab_utils.epoch_widget import EpochSlider, epoch_frame, epoch_slider
from lab_utils.snapshots import BoundarySnapshots
from lab_utils.style import CLASS_COLORS

CENTER_ARRAY = np.array(CENTERS)


def shifted_centers(shift):
    """Nearest-centre scores with every centre moved right by ``shift``."""
    centers = CENTER_ARRAY + [shift, 0.0]
    return lambda P: -((np.asarray(P)[:, None, :] - centers) ** 2).sum(axis=-1)


@pytest.fixture(scope="module")
def blobs():
    return make_seed_blobs(100)


@pytest.fixture(scope="module")
def snapshots(blobs):
    """Epoch 0 unlogged, as the Keras callback leaves it; epochs 1..8 logged, boundary moving."""
    snaps = BoundarySnapshots(blobs[0], grid_resolution=50)
    for epoch in range(9):
        logs = {"accuracy": epoch / 8, "loss": 2.0 / (epoch + 1)} if epoch else None
        snaps.record(epoch, shifted_centers(3.0 - 0.5 * epoch), logs)
    return snaps


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the pure function -------------------------------------------------------------


def test_epoch_frame_holds_the_recorded_regions_caption_and_loss(snapshots):
    frame = epoch_frame(snapshots, 4)
    assert frame.epoch == 4
    assert frame.regions is snapshots.regions[4]
    assert frame.caption == "epoch 4 of 8: loss 0.400, accuracy 0.500"
    assert frame.loss == pytest.approx(0.4)


def test_epoch_frame_before_training_has_no_loss(snapshots):
    frame = epoch_frame(snapshots, 0)
    assert frame.loss is None
    assert frame.caption == "epoch 0 of 8 (before training)"


@pytest.mark.parametrize("epoch", [-1, 9, 1.5, "3"])
def test_epoch_frame_rejects_an_epoch_that_was_not_recorded(snapshots, epoch):
    with pytest.raises(ValueError, match="epoch must be an integer from 0 to 8"):
        epoch_frame(snapshots, epoch)


# --- the widget ------------------------------------------------------------------------


def test_the_widget_opens_at_the_last_epoch(blobs, snapshots):
    view = epoch_slider(snapshots, *blobs)
    assert (view.slider.min, view.slider.max, view.slider.value) == (0, 8, 8)
    assert (view.play.min, view.play.max) == (0, 8)
    assert view.epoch == 8 and view.frame.epoch == 8
    assert view.sliders == [view.slider]


def test_dragging_the_slider_redraws_the_boundary_and_the_caption(blobs, snapshots):
    view = EpochSlider(snapshots, *blobs)
    before = view.chart.value
    view.slider.value = 2
    assert view.epoch == 2
    assert view.frame.caption == "epoch 2 of 8: loss 0.667, accuracy 0.250"
    assert view.chart.value != before
    assert sharp_chart(view).caption.get_text() == view.frame.caption
    assert np.array_equal(sharp_chart(view).regions.get_array(), snapshots.regions[2])
    assert list(sharp_chart(view).marker.get_xdata()) == [2]


def test_a_dragged_frame_looks_exactly_like_a_freshly_drawn_one(blobs, snapshots):
    """Blitting redraws only what moves: the result must equal a full draw of that epoch."""
    dragged = EpochSlider(snapshots, *blobs)
    for epoch in (0, 5, 3):
        dragged.slider.value = epoch
    fresh = EpochSlider(snapshots, *blobs, epoch=3)
    assert np.array_equal(decode(dragged.chart.value), decode(fresh.chart.value))


def test_the_regions_are_painted_in_the_class_colours(blobs, snapshots):
    view = EpochSlider(snapshots, *blobs, epoch=8)
    image = sharp_chart(view).regions
    rgba = image.to_rgba(image.get_array())
    for k in range(4):
        where = snapshots.regions[8] == k
        assert where.any()
        assert np.allclose(rgba[where][0][:3], to_rgb(CLASS_COLORS[k]))


def test_the_saved_output_carries_a_static_picture(blobs, snapshots):
    view = EpochSlider(snapshots, *blobs, epoch=6)
    bundle, metadata = view._repr_mimebundle_()
    assert bundle["text/plain"].startswith(
        "Decision boundary at epoch 6 of 8: loss 0.286, "
        "accuracy 0.750 (run the notebook to drag the slider)"
    )
    assert "Predicted class by share of the plane: class 0" in bundle["text/plain"]
    assert metadata["image/png"]["alt"] == bundle["text/plain"]
    picture = decode(base64.b64decode(bundle["image/png"]))
    assert picture.ndim == 3 and picture.shape[0] > 100 and picture.shape[1] > 300


def test_bad_input_is_named(blobs, snapshots):
    with pytest.raises(TypeError, match="snapshots must be a lab_utils.boundaries"):
        EpochSlider([1, 2, 3], *blobs)
    with pytest.raises(ValueError, match="snapshots is empty"):
        EpochSlider(BoundarySnapshots(blobs[0]), *blobs)
    with pytest.raises(ValueError, match="epoch must be an integer from 0 to 8"):
        EpochSlider(snapshots, *blobs, epoch=12)
