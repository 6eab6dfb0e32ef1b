"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

Chromium is Debian's package (``apt-get install chromium``), driven through
Playwright's Python package; ``playwright install`` (which downloads its own
browser) is never needed. Without them the tests are skipped with a message
saying what to install, except under CI (``CI=true``), where they fail instead.
"""

import contextlib
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from ci import missing

from lab import JupyterLabServer, LabNotebook

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # git-ignored

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Playwright's default of 30 s per action is too short when the 2 cores are shared with
# a training notebook; this only guards against a hang, it measures nothing.
ACTION_TIMEOUT_S = 120
INSTALL_HINT = (
    "The browser tests need Debian's Chromium and Playwright's Python package:\n"
    "    sudo apt-get install chromium        (or set CHROMIUM=/path/to/chromium)\n"
    "    .venv/bin/pip install playwright     (never `playwright install`)"
)


def notebook_names():
    """Every notebook in notebooks/, so that a new one is tested without editing this file."""
    return sorted(path.name for path in NOTEBOOKS_DIR.glob("*.ipynb"))


WIDGET_IMPORT = re.compile(r"lab_utils\.\w*widget")  # lab_utils.widgets, lab_utils.digit_widget...


def has_controls(name):
    """Whether the notebook shows widgets from lab_utils (sliders, Play buttons, pickers)."""
    return WIDGET_IMPORT.search((NOTEBOOKS_DIR / name).read_text(encoding="utf-8")) is not None


def interactive_notebooks():
    """The notebooks a learner drives: each is run (Run All) and its controls moved.

    The others hold no controls; nbval already runs every one of them top to bottom, so
    the browser only opens them and checks what JupyterLab draws of their stored outputs.
    """
    return [name for name in notebook_names() if has_controls(name)]


def static_notebooks():
    return [name for name in notebook_names() if not has_controls(name)]


def missing_browser(reason):
    """Fail under CI, where the browser tests must run; skip elsewhere, saying what to install."""
    missing(f"{reason}\n{INSTALL_HINT}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("Playwright's Python package is not installed.")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing_browser(f"No Chromium at {CHROMIUM}.")
    # a CI timeout sends SIGTERM: end the session through the fixtures' teardown, so that
    # JupyterLab, its kernels and Chromium go too
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        signal.signal(signal.SIGTERM, previous)


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def lab_server(browser, tmp_path_factory):
    server = JupyterLabServer(NOTEBOOKS_DIR, tmp_path_factory.mktemp("jupyterlab")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


class RanNotebooks:
    """Each notebook with controls opened in its own page and run (Run All) once per session.

    Run All is the slow part, so every test of a notebook shares one run, and the first
    test starts them all at once: while one kernel trains, the browser draws another's
    outputs (as in a class, where many learners run at the same time). A screenshot of
    the whole notebook is saved once its run is over. Tests that move a widget must
    therefore not assume it is still where the notebook left it.
    """

    def __init__(self, browser, server, screenshots):
        self.browser, self.server, self.screenshots = browser, server, screenshots
        self.opened = {}

    def __call__(self, name):
        if not self.opened.keys() & set(interactive_notebooks()):
            self.run_all_at_once(interactive_notebooks())
        if name not in self.opened:
            self.run_all_at_once([name])
        notebook = self.opened[name]
        if notebook.failure:
            raise RuntimeError(f"{name} did not open and run in JupyterLab") from notebook.failure
        return notebook

    def run_all_at_once(self, names):
        started = []
        for name in names:
            self.opened[name] = notebook = self.open(name)
            if self.attempt(notebook, lambda nb: nb.open().start_run_all()):
                started.append(notebook)
        for notebook in started:
            self.attempt(
                notebook, lambda nb: nb.wait_for_run().screenshot(self.screenshot_path(nb.name))
            )

    def attempt(self, notebook, step):
        """Do ``step(notebook)``; on an error remember it (the notebook's tests fail fast)."""
        try:
            step(notebook)
        except Exception as error:
            notebook.failure = error
            with contextlib.suppress(Exception):  # what the page showed, if it can tell
                notebook.page.screenshot(path=self.screenshot_path(notebook.name))
            return False
        return True

    def stored(self, name):
        """The notebook opened in JupyterLab as it is stored, not run."""
        notebook = self.open(name).open()
        self.opened.setdefault(f"stored:{name}", notebook)
        return notebook

    def screenshot_path(self, name):
        return self.screenshots / name.replace(".ipynb", ".png")

    def open(self, name):
        context = self.browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.set_default_timeout(ACTION_TIMEOUT_S * 1000)
        page = context.new_page()
        notebook = LabNotebook(page, self.server, name)
        notebook.page_errors, notebook.failure = [], None
        page.on("pageerror", lambda error: notebook.page_errors.append(error))
        return notebook

    def close(self):
        for notebook in self.opened.values():
            with contextlib.suppress(OSError):  # the server's own shutdown ends it anyway
                notebook.shut_down_kernel()
            notebook.page.context.close()


@pytest.fixture(scope="session")
def ran_notebooks(browser, lab_server, screenshots):
    """``ran_notebooks(name)``: the notebook open in JupyterLab after Run All."""
    notebooks = RanNotebooks(browser, lab_server, screenshots)
    yield notebooks
    notebooks.close()


def save_copy(source, destination):
    Path(destination).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
