"""Every notebook, the way a learner meets it in JupyterLab.

A notebook with controls is run (Run All), looked at, and its sliders moved; one without
is opened as stored and what JupyterLab draws of its outputs is checked (nbval runs every
notebook top to bottom already).
"""

import json

import pytest
from conftest import NOTEBOOKS_DIR, interactive_notebooks, notebook_names, static_notebooks

from lab import differs, direction_with_more_room, wait_until

CHANGE_TIMEOUT_S = 60  # hang guard for a slider's round trip through the kernel
KEY_PRESSES = 5
CONTROLS = ".widget-slider, .widget-play"  # what a learner moves


@pytest.fixture(params=interactive_notebooks())
def notebook(request, ran_notebooks):
    return ran_notebooks(request.param)


def stored_output_count(name):
    cells = json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))["cells"]
    return sum(len(cell.get("outputs", [])) for cell in cells)


@pytest.mark.parametrize("name", static_notebooks())
def test_stored_outputs_are_drawn(ran_notebooks, name):
    notebook = ran_notebooks.stored(name)
    outputs = notebook.outputs()
    assert len(outputs) == stored_output_count(name), "JupyterLab shows another number of outputs"
    errors = [o for o in outputs if o["drawnAs"] == "application/vnd.jupyter.stderr"]
    assert not errors, "error or stderr output:\n" + "\n\n".join(map(describe, errors))
    unloaded = [o for o in outputs if not o["imagesLoaded"]]
    assert not unloaded, "images not drawn:\n" + "\n\n".join(map(describe, unloaded))
    assert not notebook.page_errors, f"JavaScript errors: {notebook.page_errors}"


def describe(output):
    return f"cell {output['cell']}: {output['text'].strip()[:2000]}"


def test_there_are_notebooks_to_test():
    assert notebook_names(), "no notebooks found in notebooks/"
    assert interactive_notebooks(), "no notebook with controls: the sliders go untested"


def test_no_cell_shows_an_error(notebook):
    outputs = notebook.outputs()
    errors = [o for o in outputs if o["drawnAs"] == "application/vnd.jupyter.stderr"]
    assert not errors, "error or stderr output:\n" + "\n\n".join(map(describe, errors))
    assert outputs, f"{notebook.name} shows no output at all after Run All"


def test_every_widget_rendered(notebook):
    broken = notebook.unrendered_widgets()
    assert not broken, "widgets not rendered:\n" + "\n\n".join(map(describe, broken))
    assert not notebook.page_errors, f"JavaScript errors: {notebook.page_errors}"


def press_towards_the_middle(handle, presses):
    """Move a slider by keyboard, towards whichever end leaves it more room."""
    key = "ArrowRight" if direction_with_more_room(handle) > 0 else "ArrowLeft"
    for _ in range(presses):
        handle.press(key)


def test_every_control_changes_what_is_shown(notebook):
    """Each slider moved with the keyboard and each Play button pressed changes its widget."""
    views, problems = notebook.widget_views(), []
    for v in range(views.count()):
        view = views.nth(v)
        sliders, plays = view.locator(".widget-slider"), view.locator(".widget-play")
        found = [move_slider(notebook.page, view, sliders.nth(s)) for s in range(sliders.count())]
        found += [press_play(notebook.page, view, plays.nth(p)) for p in range(plays.count())]
        problems += [f"widget {v}, {problem}" for problem in found if problem]
    assert not problems, f"{notebook.name}:\n" + "\n".join(problems)


def picture_without_controls(view):
    # the controls are masked out: only what they drive counts
    return view.screenshot(mask=[view.locator(CONTROLS)], animations="disabled")


def move_slider(page, view, slider):
    """Move ``slider`` a few steps; say what went wrong, or return '' if its widget changed."""
    name = slider.locator(".widget-label").inner_text()
    readout = slider.locator(".widget-readout")
    handle = slider.locator(".noUi-handle").first
    handle.focus()  # selects the cell, which restyles it: part of the picture before, too
    before_value, before = readout.inner_text(), picture_without_controls(view)
    press_towards_the_middle(handle, KEY_PRESSES)
    if not wait_until(lambda: readout.inner_text() != before_value, CHANGE_TIMEOUT_S, page):
        return f"slider {name}: did not move with the keyboard"
    if not wait_until(
        lambda: differs(before, picture_without_controls(view)), CHANGE_TIMEOUT_S, page
    ):
        return (
            f"slider {name}: moving it from {before_value} to {readout.inner_text()} "
            "changed nothing that the widget shows"
        )
    return ""


def press_play(page, view, play):
    """Press Play (at the end it starts over) and see the widget change; then press Stop."""
    play_pause, stop = play.locator("button").nth(0), play.locator("button").nth(1)
    before = picture_without_controls(view)
    play_pause.click()
    changed = wait_until(
        lambda: differs(before, picture_without_controls(view)), CHANGE_TIMEOUT_S, page
    )
    stop.click()
    return "" if changed else "Play button: pressing it changed nothing that the widget shows"
