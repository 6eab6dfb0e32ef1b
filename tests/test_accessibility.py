"""Alt text and HiDPI output (lab_utils.display), and every notebook's images and headings."""

import asyncio
import base64
import re
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image
from widget_charts import sharp_chart

from lab_utils import display as d
from lab_utils import softmax
from lab_utils import widgets as w
from lab_utils.plots import plot_blobs, plot_loss_curves

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0]])
Y = np.array([0, 1, 0, 1])


pytestmark = pytest.mark.usefixtures("close_figures")


# --- descriptions -----------------------------------------------------------------


def test_a_lab_utils_plot_is_described_by_its_data():
    fig, _ = plot_blobs(X, Y, title="four points")
    text = d.alt_text(fig)
    assert text.startswith('"four points": a scatter plot of 4 points')
    assert "class 0: 2 circles around (1.0, 0.0)" in text
    assert "class 1: 2 squares around (2.0, 1.0)" in text


def test_loss_curves_say_where_they_start_and_end():
    fig, _ = plot_loss_curves({"a": [1.0, 0.5, 0.25]})
    assert "a (solid line, circles) from 1 at epoch 1 to 0.25 at epoch 3" in d.alt_text(fig)


def test_a_figure_drawn_by_hand_gets_a_generic_description():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1], label="ours")
    ax.scatter([0, 1], [1, 1])
    ax.set(title="A $z_1$ curve", xlabel="epoch", ylabel="$-\\log p$", xlim=(0, 2), ylim=(0, 2))
    ax.legend()
    assert d.alt_text(fig) == (
        '"A z1 curve": 1 line, 2 points; x axis "epoch" from 0 to 2; '
        'y axis "-log p" from 0 to 2; legend: ours.'
    )


def test_panels_are_numbered_and_colorbars_skipped():
    fig, (left, right) = plt.subplots(1, 2)
    fig.colorbar(right.imshow(np.eye(2)), ax=right)
    d.describe(left, "the left one.")
    fig.suptitle("Two")
    text = d.alt_text(fig)
    assert text.startswith("Two. Panel 1 of 2: the left one. Panel 2 of 2: A chart: 1 image")


def test_spoken_text_reads_math_text():
    assert d.spoken_text("$x_0$ and $\\mathrm{softmax}(z)_{j}$") == "x0 and softmax(z)j"


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        d.describe("not axes", "text")
    with pytest.raises(ValueError, match="text must be a non-empty description"):
        d.describe(plt.subplots()[1], "  ")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        d.alt_text(None)
    with pytest.raises(ValueError, match="pixel_ratio must be 1, 2 or 3"):
        d.figure_png(plt.figure(), pixel_ratio=4)


# --- the output a notebook stores -----------------------------------------------------


def test_a_figure_is_output_at_2x_shown_at_1x_with_alt_text():
    fig, _ = plot_blobs(X, Y)
    data, metadata = d.figure_output(fig)
    width, height = Image.open(BytesIO(base64.b64decode(data["image/png"]))).size
    meta = metadata["image/png"]
    assert abs(width - 2 * meta["width"]) <= 1 and abs(height - 2 * meta["height"]) <= 1
    assert 500 < meta["width"] < 700  # 8 inches at 80 CSS pixels per inch, cropped
    assert meta["alt"] == data["text/plain"] == d.alt_text(fig)


def test_the_same_figure_gives_the_same_bytes():
    assert d.figure_png(plot_blobs(X, Y)[0]) == d.figure_png(plot_blobs(X, Y)[0])


def test_the_formatter_is_registered_in_an_ipython_shell():
    shell = InteractiveShell.instance()
    try:
        assert d.register_figure_formatter(shell)
        fig, _ = plot_blobs(X, Y)
        data, metadata = shell.display_formatter.format(fig)
        assert data["text/plain"] == d.alt_text(fig)
        assert metadata["image/png"]["alt"] == d.alt_text(fig)
    finally:
        InteractiveShell.clear_instance()


def test_outside_ipython_nothing_is_registered():
    assert d.register_figure_formatter() is False


# --- widget frames: fast while dragging, sharp when still -----------------------------


def test_a_slider_draws_1x_while_moving_and_2x_once_still():
    async def drag():
        sliders = w.softmax_sliders(softmax)
        sizes = []
        for value in (1.5, 2.0, 2.5):
            sliders.sliders[0].value = value
            sizes.append(Image.open(BytesIO(sliders.chart.value)).size)
        await asyncio.sleep(sliders._charts.IDLE_S + 0.3)
        return sliders, sizes, Image.open(BytesIO(sliders.chart.value)).size

    sliders, moving, still = asyncio.run(drag())
    assert moving == [(640, 240)] * 3
    assert still == (1280, 480)
    assert (sliders.chart.width, sliders.chart.height) == ("640", "240")
    assert "z = [2.50, 2.00, 3.00, 4.00]" in sharp_chart(sliders).description


# --- the notebooks: every stored figure has its description ---------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_image_output_has_alt_text(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
            text = output["data"].get("text/plain", "")
            where = f"{path.name} cell [{index}]"
            assert len(alt) > 20, f"{where}: an image without alt text"
            assert not text.startswith("<Figure size"), f"{where}: text/plain is not a description"


def headings(nb):
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        in_code = False
        for line in cell.source.splitlines():
            in_code ^= line.lstrip().startswith("```")
            match = None if in_code else re.match(r"(#{1,6})\s", line)
            if match:
                yield index, len(match.group(1)), line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_h1_and_heading_levels_in_order(path):
    found = list(headings(nbformat.read(path, as_version=4)))
    assert [level for _, level, _ in found].count(1) == 1, f"{path.name}: not exactly one H1"
    assert found[0][1] == 1, f"{path.name}: the first heading is not the H1"
    for (_, before, _), (index, level, line) in zip(found, found[1:], strict=False):
        assert level <= before + 1, f"{path.name} cell [{index}]: {line!r} skips a level"
