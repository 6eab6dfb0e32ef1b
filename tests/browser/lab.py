"""A throwaway JupyterLab server and a page object for driving it from Playwright.

The server runs from this environment's Python, on 127.0.0.1, a free port and a
random token, with its own config, data, settings and workspace folders, so
nothing on the machine (a user's extensions, settings or kernels) changes what
the tests see. It serves a *copy* of the notebooks: running them in the browser
never touches the committed files.
"""

import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
from ci import free_ports
from PIL import Image, ImageChops

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STDERR = "application/vnd.jupyter.stderr"  # JupyterLab renders tracebacks with this type too

# Settings a learner's JupyterLab would have, minus what gets in the way of a screenshot.
LAB_SETTINGS = {
    # no news / update toast covering the outputs
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    # no autosave: nothing is written back, even to the copy
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    # every cell stays in the DOM, so every output can be inspected and photographed
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

STARTUP_TIMEOUT_S = 120  # hang guards, not performance assertions
SHUTDOWN_TIMEOUT_S = 30


def write_settings(settings_dir):
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        path = Path(settings_dir, package, f"{name}.jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def descendants(pid):
    """Every process started by ``pid``, at any depth, as ``psutil.Process`` objects.

    Kernels run in sessions of their own, outside the server's process group. A
    ``psutil.Process`` remembers its start time, so a later process that reuses the pid
    is never mistaken for ours.
    """
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kill_if_still_ours(processes):
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.is_running():  # false once the pid belongs to another process
                process.kill()


class JupyterLabServer:
    """A JupyterLab serving a copy of ``notebooks_dir``, kept below ``workdir``."""

    def __init__(self, notebooks_dir, workdir):
        self.workdir = Path(workdir)
        self.root = self.workdir / "notebooks"
        shutil.copytree(
            notebooks_dir, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
        self.port, self.token = free_ports()[0], secrets.token_hex(24)
        self.log_path = self.workdir / "jupyterlab.log"
        self.process = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path):
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{separator}token={self.token}"

    def environment(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        for name, folder in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ]:
            env[name] = str(self.workdir / folder)
            Path(env[name]).mkdir(parents=True, exist_ok=True)
        write_settings(env["JUPYTERLAB_SETTINGS_DIR"])
        return env

    def command(self):
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            # window.jupyterapp: lets a test read the outputs the kernel actually sent
            "--LabApp.expose_app_in_browser=True",
            # safety net if pytest itself is killed: kernels nobody uses go away,
            # and then the server, instead of lingering
            "--MappingKernelManager.cull_idle_timeout=900",
            "--ServerApp.shutdown_no_activity_timeout=900",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root; learners do not
        return command

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.environment(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, which stop() can end
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {self.process.returncode}:\n" + self.log_tail()
                )
            if self.api("status", quiet=True) is not None:
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"JupyterLab did not answer within {STARTUP_TIMEOUT_S} s:\n" + self.log_tail()
        )

    def api(self, path, method="GET", quiet=False):
        request = urllib.request.Request(
            f"{self.base_url}api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body = response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if quiet:
                return None
            raise
        return json.loads(body) if body else {}

    def stop(self):
        """Shut down through the REST API (kernels included), then end what is left of ours."""
        if self.process is None:
            return
        ours = descendants(self.process.pid)
        self.api("shutdown", method="POST", quiet=True)
        try:
            self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:  # the group is empty: the clean case
            pass
        kill_if_still_ours(ours)
        self.process.wait()
        self.process = None

    def log_tail(self, lines=40):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# One entry per output of every code cell, read from the notebook model (what the kernel
# sent) next to its DOM node (what JupyterLab drew). Widget views get a data attribute
# so that Playwright locators can find them.
OUTPUTS_JS = """([path, widgetView]) => {
  const panel = [...window.jupyterapp.shell.widgets('main')]
    .find(w => w.context && w.context.path === path);
  const found = [];
  panel.content.widgets.forEach((cell, cellIndex) => {
    if (cell.model.type !== 'code') return;
    const area = cell.outputArea;
    for (let i = 0; i < area.model.length; i++) {
      const mimeTypes = Object.keys(area.model.get(i).data);
      const child = area.widgets[i].node;  // the output and its prompt, [4]:
      const node = child.querySelector(':scope > .jp-OutputArea-output') ?? child;
      const isWidget = mimeTypes.includes(widgetView);
      if (isWidget) node.dataset.browserTest = 'widget-view';
      const images = [...node.querySelectorAll('img')].filter(img => img.offsetParent);
      found.push({
        cell: cellIndex, mimeTypes, isWidget,
        text: node.innerText,
        drawnAs: node.querySelector('[data-mime-type]')?.dataset.mimeType ?? null,
        hasWidgetNodes: node.querySelector('.jupyter-widgets') !== null,
        height: node.getBoundingClientRect().height,
        imagesLoaded: images.every(img => img.complete && img.naturalWidth > 0),
      });
    }
  });
  return found;
}"""

# Run All is over when no cell is queued or running, and either every code cell has an
# execution count or the run stopped at an error (JupyterLab then leaves the rest unrun).
RUN_FINISHED_JS = """(stderr) => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim());
  if (prompts.length === 0 || prompts.includes('[*]:')) return false;
  return prompts.every(p => /^\\[\\d+\\]:$/.test(p))
    || document.querySelector(`.jp-Notebook [data-mime-type="${stderr}"]`) !== null;
}"""

KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
  .some(item => /\\| Idle$/.test(item.textContent.trim()))"""

OPEN_TIMEOUT_S = 300
RUN_TIMEOUT_S = 900  # generous: notebooks that train models share 2 cores with the browser
WIDGET_TIMEOUT_S = 60
LONGEST_SCREENSHOT_PX = 16000  # Chromium's limit is 16384


class LabNotebook:
    """A notebook opened in JupyterLab in a browser page, driven the way a learner does."""

    def __init__(self, page, server, name):
        self.page, self.server, self.name = page, server, name

    def open(self):
        workspace = f"{Path(self.name).stem}-{secrets.token_hex(4)}"
        self.page.goto(self.server.url(f"lab/workspaces/{workspace}/tree/{self.name}?reset"))
        self.page.wait_for_function(KERNEL_IDLE_JS, timeout=OPEN_TIMEOUT_S * 1000)
        # more room for the notebook: close the file browser
        self.command("application:toggle-left-area")
        return self

    def command(self, command):
        self.page.evaluate("(id) => window.jupyterapp.commands.execute(id)", command)

    def menu(self, menu, command):
        self.page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
        self.page.locator(f"li.lm-Menu-item[data-command='{command}']").click()

    def run_all(self):
        """Clear every output, then Run > Run All Cells, and wait until the run is over."""
        return self.start_run_all().wait_for_run()

    def start_run_all(self):
        """Clear every output, then Run > Run All Cells; the kernel runs on while we return."""
        self.menu("Edit", "editmenu:clear-all")  # old outputs must not pass for new ones
        self.menu("Run", "runmenu:run-all")
        return self

    def wait_for_run(self):
        """Wait until Run All is over and the widgets are drawn."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # optional dep

        try:
            self.page.wait_for_function(RUN_FINISHED_JS, arg=STDERR, timeout=RUN_TIMEOUT_S * 1000)
        except PlaywrightTimeoutError:
            prompts = self.page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            raise AssertionError(
                f"Run All did not finish within {RUN_TIMEOUT_S} s; "
                f"cell prompts: {' '.join(p.strip() for p in prompts)}"
            ) from None
        self.page.wait_for_function(KERNEL_IDLE_JS, timeout=OPEN_TIMEOUT_S * 1000)
        # widget views render a moment after their cell has run; the tests judge the result
        wait_until(lambda: not self.unrendered_widgets(), WIDGET_TIMEOUT_S, self.page)
        return self

    def outputs(self):
        return self.page.evaluate(OUTPUTS_JS, [self.name, WIDGET_VIEW])

    def unrendered_widgets(self):
        """Widget outputs that JupyterLab did not draw as a live widget."""
        return [
            o
            for o in self.outputs()
            if o["isWidget"]
            and (
                not o["hasWidgetNodes"]
                or o["height"] == 0
                or not o["imagesLoaded"]
                or "Error displaying widget" in o["text"]
                or "model not found" in o["text"]
            )
        ]

    def widget_views(self):
        self.outputs()  # tags the widget views
        return self.page.locator("[data-browser-test='widget-view']")

    def screenshot(self, path):
        """The whole notebook, not only the visible part, in one picture."""
        viewport = self.page.viewport_size
        heights = self.page.evaluate("""() => {
          const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) '
                                                + '.jp-WindowedPanel-outer');
          outer.scrollTop = 0;
          return [outer.scrollHeight, outer.clientHeight];
        }""")
        content, visible = heights
        tall = min(viewport["height"] + content - visible, LONGEST_SCREENSHOT_PX)
        self.page.set_viewport_size({"width": viewport["width"], "height": max(tall, 1)})
        try:
            self.page.wait_for_timeout(300)  # let JupyterLab lay out the taller window
            self.page.screenshot(path=path)
        finally:
            self.page.set_viewport_size(viewport)

    def shut_down_kernel(self):
        for session in self.server.api("sessions"):
            if session["path"] == self.name:
                self.server.api(f"sessions/{session['id']}", method="DELETE")


def differs(png_before, png_after):
    """True when two screenshots differ in at least one pixel."""
    before, after = (Image.open(io.BytesIO(png)).convert("RGB") for png in (png_before, png_after))
    return before.size != after.size or ImageChops.difference(before, after).getbbox() is not None


def wait_until(condition, timeout_s, page):
    """Poll ``condition()`` until it is true or ``timeout_s`` has passed; return its last value.

    The timeout only guards against a hang (a round trip through the kernel that
    never comes back); nothing here measures speed.
    """
    deadline = time.monotonic() + timeout_s
    while not (result := condition()) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return result


def direction_with_more_room(handle):
    """+1 if a slider (its ``.noUi-handle``) has more room above its value than below, else -1."""
    low, high, now = (
        float(handle.get_attribute(f"aria-value{end}")) for end in ("min", "max", "now")
    )
    return 1 if now - low <= high - now else -1
