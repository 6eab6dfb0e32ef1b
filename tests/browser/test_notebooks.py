"""Every notebook, the way a learner meets it: open in JupyterLab, Run All, look, move sliders."""

import pytest
from conftest import notebook_names
from lab import differs, wait_until

CHANGE_TIMEOUT_S = 30  # hang guard for a slider's round trip through the kernel
KEY_PRESSES = 5


@pytest.fixture(params=notebook_names())
def notebook(request, ran_notebooks):
    return ran_notebooks(request.param)


def describe(output):
    return f"cell {output['cell']}: {output['text'].strip()[:2000]}"


def test_there_are_notebooks_to_test():
    assert notebook_names(), "no notebooks found in notebooks/"


def test_no_cell_shows_an_error(notebook):
    outputs = notebook.outputs()
    errors = [o for o in outputs if o["drawnAs"] == "application/vnd.jupyter.stderr"]
    assert not errors, "error or stderr output:\n" + "\n\n".join(map(describe, errors))
    assert outputs, f"{notebook.name} shows no output at all after Run All"


def test_every_widget_rendered(notebook):
    outputs = notebook.outputs()
    widgets = [o for o in outputs if o["isWidget"]]
    broken = [
        o for o in widgets
        if not o["hasWidgetNodes"] or o["height"] == 0 or not o["imagesLoaded"]
        or "Error displaying widget" in o["text"] or "model not found" in o["text"].lower()
    ]
    assert not broken, "widgets not rendered:\n" + "\n\n".join(map(describe, broken))
    assert not notebook.page_errors, f"JavaScript errors: {notebook.page_errors}"


def press_towards_the_middle(handle, presses):
    """Move a slider by keyboard, towards whichever end leaves it more room."""
    low, high, now = (float(handle.get_attribute(f"aria-value{end}"))
                      for end in ("min", "max", "now"))
    key = "ArrowRight" if now - low <= high - now else "ArrowLeft"
    handle.focus()
    for _ in range(presses):
        handle.press(key)


def test_every_slider_changes_what_is_shown(notebook):
    """Each slider in each widget, moved with the keyboard, changes the rest of its widget."""
    views = notebook.widget_views()
    for v in range(views.count()):
        sliders = views.nth(v).locator(".widget-slider")
        for s in range(sliders.count()):
            problem = move_and_compare(notebook.page, views.nth(v), sliders, sliders.nth(s))
            assert not problem, f"{notebook.name}, widget {v}: {problem}"


def move_and_compare(page, view, sliders, slider):
    """Move ``slider`` a few steps; say what went wrong, or return '' if its widget changed."""
    name = slider.locator(".widget-label").inner_text()
    readout = slider.locator(".widget-readout")

    def shown():
        # the sliders themselves are masked out: only what they drive counts
        return view.screenshot(mask=[sliders], animations="disabled")

    before_value, before_view = readout.inner_text(), shown()
    press_towards_the_middle(slider.locator(".noUi-handle").first, KEY_PRESSES)
    if not wait_until(lambda: readout.inner_text() != before_value, CHANGE_TIMEOUT_S, page):
        return f"slider {name} did not move with the keyboard"
    if not wait_until(lambda: differs(before_view, shown()), CHANGE_TIMEOUT_S, page):
        return (f"moving slider {name} from {before_value} to {readout.inner_text()} "
                "changed nothing that the widget shows")
    return ""
