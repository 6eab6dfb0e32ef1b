"""A real class hub on 127.0.0.1, driven as a class uses it: tests/test_class_hub.py and
the load test (benchmarks/class_test.py) both run it.

`Hub` starts JupyterHub from this environment with class_hub_config.py (the class hub of
deploy/, with a local spawner) and configurable-http-proxy in front, and talks to its
REST API with an admin service token; `Learner` starts a learner's server and runs a
notebook in it cell by cell over the kernel's websocket (`KernelSocket`), as Run All in
JupyterLab does.
"""

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil
from ci import free_ports
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from softmax_lab_hub.handout import LEARNER_NOTEBOOKS as NOTEBOOKS_IN_HOME

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HUB_CONFIG = Path(__file__).with_name("class_hub_config.py")
DEFAULT_PROXY = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
LEARNER_NOTEBOOKS = NOTEBOOKS_IN_HOME.as_posix()  # where the hand-out copies them
HUB_START_TIMEOUT_S = 120
SPAWN_TIMEOUT_S = 600
CELL_TIMEOUT_S = 900
SHUTDOWN_TIMEOUT_S = 60


@dataclass
class NotebookRun:
    """One learner's Run All of one notebook."""

    learner: str
    notebook: str
    seconds: float = 0.0
    cells: int = 0
    error: str | None = None


class Hub:
    """A JupyterHub process on 127.0.0.1, driven through its REST API with an admin token."""

    def __init__(self, proxy_command, workdir):
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex
        self.token = secrets.token_hex(32)
        self.logins_path = workdir / "logins.json"  # softmax-lab-class writes it
        proxy_port, *other_ports = free_ports(3)
        self.url = f"http://127.0.0.1:{proxy_port}"
        env = {
            **os.environ,
            "CLASS_TEST_DIR": str(workdir),
            "CLASS_TEST_RUN": self.run_id,
            "CLASS_TEST_PORTS": ",".join(map(str, [proxy_port, *other_ports])),
            "CLASS_TEST_PROXY": str(proxy_command),
            "CLASS_TEST_TOKEN": self.token,
            "SOFTMAX_LAB_LOGINS": str(self.logins_path),
            "SOFTMAX_LAB_SERVE": "reverse-proxy",  # plain HTTP, on loopback only
        }
        self.log_path = workdir / "jupyterhub.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [BIN / "jupyterhub", "-f", HUB_CONFIG],
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.psutil = psutil.Process(self.process.pid)

    async def api(self, method, url, body=None, token=None, timeout=300):
        """JSON request to the hub (or through it) with `token`, the admin's by default."""
        if body is None and method in ("POST", "PATCH", "PUT"):
            body = {}
        request = HTTPRequest(
            url if url.startswith("http") else self.url + url,
            method=method,
            headers={"Authorization": f"token {token or self.token}"},
            body=None if body is None else json.dumps(body),
            connect_timeout=60,
            request_timeout=timeout,
        )
        response = await AsyncHTTPClient().fetch(request)
        return json.loads(response.body) if response.body else None

    async def wait_until_up(self):
        deadline, last_error = time.monotonic() + HUB_START_TIMEOUT_S, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.process.returncode}")
            try:
                return await self.api("GET", "/hub/api/", timeout=10)
            except Exception as err:  # refused, or 503 while the proxy waits for the hub
                last_error = err
                await asyncio.sleep(0.5)
        raise TimeoutError(f"hub not up after {HUB_START_TIMEOUT_S} s: {last_error}")

    async def shutdown(self):
        """Stop hub, proxy and servers through the API; kill the hub's group if it will not."""
        if self.process.poll() is None:
            try:
                await self.api(
                    "POST", "/hub/api/shutdown", {"servers": True, "proxy": True}, timeout=30
                )
            except Exception as err:
                print(f"shutdown request failed ({err}); killing the hub")
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT_S
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def leftovers(self, grace_s=15):
        """Processes this run started that are still alive after `grace_s`; they are killed."""
        deadline = time.monotonic() + grace_s
        while True:
            alive = [p for p in psutil.process_iter(["pid", "cmdline"]) if self._started(p)]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for proc in alive:
            proc.kill()
        return [f"pid {p.pid}: {' '.join(p.info['cmdline'] or [])[:120]}" for p in alive]

    def _started(self, proc):
        try:
            return proc.environ().get("CLASS_TEST_RUN") == self.run_id
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return False

    def server_process(self, learner):
        """The learner's single-user server: the hub's child started for them."""
        for child in self.psutil.children():
            try:
                env = child.environ()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if env.get("JUPYTERHUB_USER") == learner and "JUPYTERHUB_SERVICE_NAME" not in env:
                return child
        return None


class KernelSocket:
    """A kernel's websocket (the `/api/kernels/<id>/channels` JupyterLab uses)."""

    def __init__(self, connection):
        self.connection = connection
        self.session = uuid.uuid4().hex

    @classmethod
    async def connect(cls, url, token):
        request = HTTPRequest(
            url,
            headers={"Authorization": f"token {token}"},
            connect_timeout=60,
            request_timeout=300,
        )
        return cls(await websocket_connect(request, max_message_size=256 * 1024 * 1024))

    async def request(self, msg_type, content):
        """Send a shell request; return its reply's content once the kernel is idle again."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "class-test",
            "version": "5.3",
        }
        await self.connection.write_message(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        reply, idle = None, False
        while reply is None or not idle:
            message = await asyncio.wait_for(self.connection.read_message(), CELL_TIMEOUT_S)
            if message is None:
                raise ConnectionError("kernel websocket closed (did the kernel die?)")
            if isinstance(message, bytes):  # binary frames carry widget buffers only
                continue
            message = json.loads(message)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["channel"] == "shell":
                reply = message["content"]
            elif message["header"]["msg_type"] == "status":
                idle = message["content"]["execution_state"] == "idle"
        return reply

    async def run_cell(self, code):
        """Execute `code`; return None, or the error it raised as 'Name: value'."""
        reply = await self.request(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        if reply["status"] == "ok":
            return None
        return f"{reply.get('ename', reply['status'])}: {reply.get('evalue', '')}"[:300]

    def close(self):
        self.connection.close()


class Learner:
    """One learner's server, driven with their API token as JupyterLab drives it."""

    #: What run_all returns (the load test's records measurements too).
    run_type = NotebookRun

    def __init__(self, hub, name):
        self.hub, self.name = hub, name
        self.base = f"{hub.url}/user/{name}"
        self.token = None
        self.server = None

    async def log_in(self):
        """Create the learner's API token and start their server; wait until it is ready."""
        tokens = f"/hub/api/users/{self.name}/tokens"
        self.token = (await self.hub.api("POST", tokens, {"note": "class-test"}))["token"]
        await self.start_server()

    async def start_server(self):
        """Start the learner's server with their own token; wait until it is ready."""
        await self.hub.api("POST", f"/hub/api/users/{self.name}/server", token=self.token)
        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        while time.monotonic() < deadline:
            user = await self.hub.api("GET", f"/hub/api/users/{self.name}", token=self.token)
            server = user["servers"].get("", {})
            if server.get("ready"):
                self.server = self.hub.server_process(self.name)
                return
            if not server and not user.get("pending"):
                raise RuntimeError(f"{self.name}'s server stopped while starting")
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server not ready after {SPAWN_TIMEOUT_S} s")

    async def run_all(self, notebook):
        """Run All on the learner's copy of `notebook` in a new kernel, then shut it down."""
        run = self.run_type(self.name, notebook)
        path = f"{LEARNER_NOTEBOOKS}/{notebook}"
        start = time.monotonic()
        session = await self.hub.api(
            "POST",
            f"{self.base}/api/sessions",
            {
                "path": path,
                "name": notebook,
                "type": "notebook",
                "kernel": {"name": "python3"},
            },
            token=self.token,
        )
        try:
            content = await self.hub.api(
                "GET", f"{self.base}/api/contents/{path}", token=self.token
            )
            kernel_id = session["kernel"]["id"]
            ws_url = self.base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
            kernel = await KernelSocket.connect(ws_url, self.token)
            try:
                await kernel.request("kernel_info_request", {})
                for index, cell in enumerate(content["content"]["cells"]):
                    if cell["cell_type"] != "code":
                        continue
                    run.cells += 1
                    error = await kernel.run_cell(cell["source"])
                    if error:
                        run.error = f"cell {index}: {error}"
                        break
                self.measure(run, kernel_id)
            finally:
                kernel.close()
        finally:
            run.seconds = time.monotonic() - start
            await self.hub.api(
                "DELETE", f"{self.base}/api/sessions/{session['id']}", token=self.token
            )
        return run

    async def log_out(self):
        """File > Shut Down: the learner stops their own server (the hub's stop waits 10 s)."""
        if self.server is None:
            return
        try:
            await self.hub.api("POST", f"{self.base}/api/shutdown", token=self.token, timeout=30)
            await asyncio.to_thread(self.server.wait, SHUTDOWN_TIMEOUT_S)
        except Exception as err:  # the hub's shutdown stops it anyway
            print(f"{self.name}: shutting down their own server failed ({err})")

    def measure(self, run, kernel_id):
        """Called after the last cell of `run`, before its kernel shuts down (the load test
        measures the server and the kernel here)."""
