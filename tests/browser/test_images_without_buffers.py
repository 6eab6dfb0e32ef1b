"""The widgets' fallback for front ends without binary comm buffers, drawn in JupyterLab.

With ``SOFTMAX_LAB_WIDGET_IMAGES=html`` (what Colab gets by itself) a chart's frames come
as a data URI in an HTML widget instead of an ``ipywidgets.Image``: the chart must show,
and redraw when a slider moves. A notebook of its own, in a JupyterLab of its own.
"""

import nbformat
import pytest
from conftest import ACTION_TIMEOUT_S, VIEWPORT

from lab import JupyterLabServer, LabNotebook, differs, wait_until

NOTEBOOK = "images_without_buffers.ipynb"
CELLS = [
    'import os\nos.environ["SOFTMAX_LAB_WIDGET_IMAGES"] = "html"',
    "from lab_utils import setup, softmax\nfrom lab_utils.widgets import softmax_sliders\n\n"
    "setup()\nsoftmax_sliders(softmax)",
]
UPDATE_TIMEOUT_S = 60  # hang guard for the round trip through the kernel
DATA_URI_IMG = "img[src^='data:image/png;base64,']"


@pytest.fixture(scope="module")
def notebook(browser, tmp_path_factory):
    source = tmp_path_factory.mktemp("fallback")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, source / NOTEBOOK)
    server = JupyterLabServer(source, tmp_path_factory.mktemp("jupyterlab")).start()
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(ACTION_TIMEOUT_S * 1000)
    lab = LabNotebook(context.new_page(), server, NOTEBOOK)
    lab.page_errors = []
    lab.page.on("pageerror", lambda error: lab.page_errors.append(error))
    yield lab.open().run_all()
    lab.shut_down_kernel()
    context.close()
    server.stop()


def drawn_size(image):
    """The picture's decoded size in pixels: (0, 0) for an image the browser could not draw."""
    return image.evaluate("img => [img.complete ? img.naturalWidth : 0, img.naturalHeight]")


def test_the_chart_is_drawn_from_a_data_uri(notebook):
    views = notebook.widget_views()
    assert views.count() == 1, f"expected one widget view, found {views.count()}"
    chart = views.first.locator(DATA_URI_IMG)
    assert chart.count() == 1, "no <img> with a data URI in the widget"
    assert views.first.locator("img.widget-image").count() == 0, "an ipywidgets.Image is shown"
    width, height = drawn_size(chart)
    assert (width, height) == (640, 240) or (width, height) == (1280, 480), (width, height)
    assert chart.bounding_box()["width"] == 640  # shown at its CSS size, as the Image was
    assert "softmax" in chart.get_attribute("alt").lower()
    assert not notebook.page_errors, f"JavaScript errors: {notebook.page_errors}"


def test_the_chart_redraws_when_a_slider_moves(notebook):
    view = notebook.widget_views().first
    chart = view.locator(DATA_URI_IMG)
    # each frame is a new <img>: the picture on screen is that of the HTML widget holding it
    box = view.locator(".widget-html").filter(has=notebook.page.locator(DATA_URI_IMG))
    before_src, before_pixels = chart.get_attribute("src"), box.screenshot()
    handle = view.locator(".widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(10):
        handle.press("ArrowLeft")
    assert wait_until(
        lambda: chart.get_attribute("src") != before_src, UPDATE_TIMEOUT_S, notebook.page
    ), "the data URI did not change after moving z0"
    assert wait_until(
        lambda: differs(before_pixels, box.screenshot()), UPDATE_TIMEOUT_S, notebook.page
    ), "the chart on screen did not change"
    assert drawn_size(chart)[0] > 0
