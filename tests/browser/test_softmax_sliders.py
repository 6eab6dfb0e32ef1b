"""The softmax sliders of notebook 01, dragged and keyed the way a learner does.

What is checked is what the learner reads: the probabilities in the readout must be
the softmax of the slider values shown, to the precision shown, and the chart must redraw.
Set UPDATE_README_SCREENSHOT=1 to also refresh the README's picture of the sliders.
"""

import os
import re

import numpy as np
import pytest
from conftest import REPO, save_copy

from lab import differs, direction_with_more_room, wait_until

NOTEBOOK = "01_softmax_function.ipynb"
README_SCREENSHOT = REPO / "notebooks" / "images" / "softmax_sliders_jupyterlab.png"
UPDATE_TIMEOUT_S = 60  # hang guard for the round trip through the kernel
DRAG_PX = 20
PROBABILITY_DECIMALS = 3  # readout_html shows a0 = 0.032


@pytest.fixture
def sliders(ran_notebooks):
    """The first softmax-sliders widget of notebook 01, after Run All."""
    notebook = ran_notebooks(NOTEBOOK)
    views = notebook.widget_views().filter(has=notebook.page.locator(".softmax-a"))
    if not wait_until(lambda: views.count() > 0, UPDATE_TIMEOUT_S, notebook.page):
        pytest.fail(
            f"{NOTEBOOK} shows no softmax sliders with a probability readout "
            "(td.softmax-a from lab_utils.widgets.readout_html)"
        )
    views.first.scroll_into_view_if_needed()
    return SoftmaxSlidersView(notebook.page, views.first)


class SoftmaxSlidersView:
    """Reads the widget as shown on screen: slider readouts, probability readout, chart."""

    def __init__(self, page, view):
        self.page, self.view = page, view
        self.chart = view.locator("img.widget-image")

    def slider(self, name):
        return self.view.locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=re.compile(f"^{name}$"))
        )

    def z(self):
        texts = self.view.locator(".widget-readout").all_inner_texts()
        return [float(text.replace("\N{MINUS SIGN}", "-")) for text in texts]  # d3-format's −2.7

    def probabilities(self):
        return [
            float(text.split("=")[1]) for text in self.view.locator(".softmax-a").all_inner_texts()
        ]

    def sum_text(self):
        return self.view.locator(".softmax-sum").inner_text().strip()

    def mismatch(self):
        """Why the readout disagrees with softmax(z shown), or '' when it agrees."""
        z, shown = np.array(self.z()), np.array(self.probabilities())
        expected = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        # a value printed with 3 decimals is within half a unit of the last place
        if shown.shape != z.shape or np.abs(shown - expected).max() > 0.5e-3 + 1e-9:
            return f"z shown {z.tolist()}, a shown {shown.tolist()}, softmax(z) {expected.round(4)}"
        if self.sum_text() != "sum = 1.000":
            return f"the sum reads {self.sum_text()!r}"
        return ""

    def towards_the_middle(self, name):
        return direction_with_more_room(self.slider(name).locator(".noUi-handle"))

    def drag(self, name, dx):
        box = self.slider(name).locator(".noUi-handle").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + dx, y, steps=10)
        self.page.mouse.up()

    def press(self, name, key, times):
        handle = self.slider(name).locator(".noUi-handle")
        handle.focus()
        for _ in range(times):
            handle.press(key)


def test_readout_is_the_softmax_of_the_sliders_shown(sliders):
    assert len(sliders.z()) == 4, "expected sliders z0..z3"
    assert sliders.mismatch() == ""


def test_drag_and_keys_update_probabilities_and_chart(sliders, screenshots):
    z_before, chart_before = sliders.z(), sliders.chart.screenshot()

    up = sliders.towards_the_middle("z0")  # mouse: drag z0, towards the side with more room
    sliders.drag("z0", up * DRAG_PX)
    assert wait_until(
        lambda: up * (sliders.z()[0] - z_before[0]) > 0.5, UPDATE_TIMEOUT_S, sliders.page
    ), f"dragging z0 by {up * DRAG_PX} px did not move it: z shown {sliders.z()}"
    up = sliders.towards_the_middle("z2")  # keyboard: z2 by 7 steps of 0.1
    sliders.press("z2", "ArrowRight" if up > 0 else "ArrowLeft", 7)
    assert wait_until(
        lambda: up * (sliders.z()[2] - z_before[2]) > 0.5, UPDATE_TIMEOUT_S, sliders.page
    ), f"the arrow keys did not move z2: z shown {sliders.z()}"
    z_after = sliders.z()
    assert z_after[1] == z_before[1] and z_after[3] == z_before[3], z_after

    agreed = wait_until(lambda: sliders.mismatch() == "", UPDATE_TIMEOUT_S, sliders.page)
    assert agreed, f"after moving z0 and z2, the readout is not softmax(z): {sliders.mismatch()}"
    assert wait_until(
        lambda: differs(chart_before, sliders.chart.screenshot()), UPDATE_TIMEOUT_S, sliders.page
    ), "the chart did not redraw"

    sliders.page.mouse.move(0, 0)  # no hover highlight in the picture
    cell = sliders.view.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')]")
    picture = screenshots / "softmax_sliders_jupyterlab.png"
    cell.screenshot(path=picture, animations="disabled")
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
        save_copy(picture, README_SCREENSHOT)
