"""`make class-test LEARNERS=N`: N learners run every notebook at once through a real JupyterHub.

1. Starts JupyterHub from this environment on 127.0.0.1 with class_hub_config.py (the
   class hub of deploy/, with a local spawner), configurable-http-proxy in front.
2. Creates N learners through the Hub REST API, gives each an API token and starts
   every learner's server at once, as a class logging in together does.
3. Every learner, at the same time, runs every notebook in notebooks/ (or those named with
   --notebooks) in turn, as Run All in JupyterLab does: a new session (kernel) in their own
   server, each code cell sent over the kernel websocket through the proxy, the kernel
   shut down after the notebook.
4. Checks every cell of every notebook ran without error for every learner; records wall
   time, each learner's memory (their server plus the running kernel: PSS, anonymous,
   RSS), kernel CPU time and failures.
5. Shuts the hub down through its API (which stops servers and proxy) and checks that
   no process it started is left; leftovers are killed and counted as a failure.

Exit status 0 only if everything passed. The measurements are kept in
benchmarks/results/class_test_N<learners>.json (`--json FILE` to keep them elsewhere);
`--table FILE...` prints the README's capacity table from kept runs.
"""

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from .procmem import Usage, maps_tensorflow, process_usage, tree_usage

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HUB_CONFIG = Path(__file__).with_name("class_hub_config.py")
DEFAULT_PROXY = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
RESULTS = ROOT / "benchmarks" / "results"
LEARNER_NOTEBOOKS = "softmax-lab/notebooks"  # where deploy's hook copies them, in each home
HUB_START_TIMEOUT_S = 120
SPAWN_TIMEOUT_S = 600
CELL_TIMEOUT_S = 900
SHUTDOWN_TIMEOUT_S = 60
SAMPLE_EVERY_S = 2.0


@dataclass
class NotebookRun:
    """One learner's Run All of one notebook."""

    learner: str
    notebook: str
    seconds: float = 0.0
    cells: int = 0
    error: str | None = None
    kernel: Usage = field(default_factory=Usage)  # after the last cell, before shutdown
    server: Usage = field(default_factory=Usage)
    tensorflow: bool = False


@dataclass
class ClassRun:
    learners: int
    notebooks: list
    machine: str
    hub_start_s: float = 0.0
    spawn_s: float = 0.0
    run_s: float = 0.0
    shutdown_s: float = 0.0
    peak: Usage = field(default_factory=Usage)  # hub, proxy, culler, servers, kernels
    runs: list = field(default_factory=list)
    failures: list = field(default_factory=list)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class Hub:
    """A JupyterHub process on 127.0.0.1, driven through its REST API with an admin token."""

    def __init__(self, proxy_command, workdir):
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex
        self.token = secrets.token_hex(32)
        self.logins_path = workdir / "logins.json"  # deploy/class_admin.py writes it
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
                [BIN / "jupyterhub", "-f", HUB_CONFIG], cwd=workdir, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.psutil = psutil.Process(self.process.pid)

    async def api(self, method, url, body=None, token=None, timeout=300):
        """JSON request to the hub (or through it) with `token`, the admin's by default."""
        if body is None and method in ("POST", "PATCH", "PUT"):
            body = {}
        request = HTTPRequest(
            url if url.startswith("http") else self.url + url, method=method,
            headers={"Authorization": f"token {token or self.token}"},
            body=None if body is None else json.dumps(body),
            connect_timeout=60, request_timeout=timeout,
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
                await self.api("POST", "/hub/api/shutdown", {"servers": True, "proxy": True},
                               timeout=30)
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
        request = HTTPRequest(url, headers={"Authorization": f"token {token}"},
                              connect_timeout=60, request_timeout=300)
        return cls(await websocket_connect(request, max_message_size=256 * 1024 * 1024))

    async def request(self, msg_type, content):
        """Send a shell request; return its reply's content once the kernel is idle again."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                  "username": "class-test", "version": "5.3"}
        await self.connection.write_message(json.dumps({
            "header": header, "parent_header": {}, "metadata": {}, "content": content,
            "channel": "shell", "buffers": [],
        }))
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
        reply = await self.request("execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True,
        })
        if reply["status"] == "ok":
            return None
        return f"{reply.get('ename', reply['status'])}: {reply.get('evalue', '')}"[:300]

    def close(self):
        self.connection.close()


class Learner:
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
        run = NotebookRun(self.name, notebook)
        path = f"{LEARNER_NOTEBOOKS}/{notebook}"
        start = time.monotonic()
        session = await self.hub.api("POST", f"{self.base}/api/sessions", {
            "path": path, "name": notebook, "type": "notebook", "kernel": {"name": "python3"},
        }, token=self.token)
        try:
            content = await self.hub.api("GET", f"{self.base}/api/contents/{path}",
                                         token=self.token)
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
            await self.hub.api("DELETE", f"{self.base}/api/sessions/{session['id']}",
                               token=self.token)
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
        """The learner's server and this notebook's kernel, as Run All left them."""
        if self.server is None:
            return
        run.server = process_usage(self.server)
        for child in self.server.children():
            try:
                is_kernel = any(kernel_id in arg for arg in child.cmdline())
            except psutil.NoSuchProcess:
                continue
            if is_kernel:
                run.kernel = process_usage(child)
                run.tensorflow = maps_tensorflow(child.pid)


async def sample_peak(hub, result, stop):
    """Keep the peak memory of everything under the hub while the class works."""
    while not stop.is_set():
        usage = tree_usage(hub.psutil)
        if usage.pss > result.peak.pss:
            result.peak = usage
        await asyncio.sleep(SAMPLE_EVERY_S)


async def learner_session(learner, notebooks, start_together, result):
    await start_together.wait()
    for notebook in notebooks:
        try:
            run = await learner.run_all(notebook)
        except Exception as err:
            run = NotebookRun(learner.name, notebook, error=f"{type(err).__name__}: {err}")
        result.runs.append(run)
        if run.error:
            result.failures.append(f"{learner.name} {notebook}: {run.error}")


async def run_class(hub, learners, notebooks, result):
    names = [f"learner-{i:02d}" for i in range(1, learners + 1)]
    await hub.api("POST", "/hub/api/users", {"usernames": names})
    class_ = [Learner(hub, name) for name in names]

    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_peak(hub, result, stop))
    start = time.monotonic()
    logins = await asyncio.gather(*(learner.log_in() for learner in class_),
                                  return_exceptions=True)
    result.spawn_s = time.monotonic() - start
    ready = []
    for learner, outcome in zip(class_, logins, strict=True):
        if isinstance(outcome, Exception):
            result.failures.append(f"{learner.name} server: {type(outcome).__name__}: {outcome}")
        else:
            ready.append(learner)

    start_together = asyncio.Event()
    sessions = [asyncio.create_task(learner_session(learner, notebooks, start_together, result))
                for learner in ready]
    start = time.monotonic()
    start_together.set()
    await asyncio.gather(*sessions)
    result.run_s = time.monotonic() - start
    stop.set()
    await sampler
    await asyncio.gather(*(learner.log_out() for learner in ready))


async def class_test(learners, proxy, notebooks):
    AsyncHTTPClient.configure(None, max_clients=4 * learners + 10)
    workdir = Path(tempfile.mkdtemp(prefix="class-test-"))
    result = ClassRun(learners, notebooks, machine_description())
    start = time.monotonic()
    hub = Hub(proxy, workdir)
    try:
        await hub.wait_until_up()
        result.hub_start_s = time.monotonic() - start
        await run_class(hub, learners, notebooks, result)
    except Exception as err:
        result.failures.append(f"class test: {type(err).__name__}: {err}")
    finally:
        start = time.monotonic()
        await hub.shutdown()
        left = hub.leftovers()
        result.shutdown_s = time.monotonic() - start
        result.failures += [f"left running after shutdown: {p}" for p in left]
    if result.failures:
        print(f"hub log kept in {hub.log_path}; last lines:")
        print("".join(hub.log_path.read_text().splitlines(keepends=True)[-30:]))
    else:
        shutil.rmtree(workdir)
    return result


def machine_description():
    memory_gib = psutil.virtual_memory().total / 1024**3
    load = os.getloadavg()[0]
    return (f"{psutil.cpu_count()} cores, {memory_gib:.1f} GiB, {platform.python_version()}, "
            f"load {load:.1f} at start")


def per_learner_peaks(runs):
    """Each learner's largest server + kernel usage over their notebooks."""
    peaks = {}
    for run in runs:
        usage = run.server + run.kernel
        if usage.pss > peaks.get(run.learner, Usage()).pss:
            peaks[run.learner] = usage
    return list(peaks.values())


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def summary(result):
    peaks = per_learner_peaks(result.runs)
    ok = [run for run in result.runs if not run.error]
    per_learner_s = {}
    for run in result.runs:
        per_learner_s[run.learner] = per_learner_s.get(run.learner, 0.0) + run.seconds
    return {
        "learners": result.learners,
        "spawn_s": result.spawn_s,
        "run_s": result.run_s,
        "learner_s_mean": mean(per_learner_s.values()),
        "pss_mb": mean(p.pss for p in peaks),
        "anon_mb": mean(p.anon for p in peaks),
        "rss_mb": mean(p.rss for p in peaks),
        "class_peak_pss_mb": result.peak.pss,
        "kernel_cpu_s_per_learner": sum(run.kernel.cpu_s for run in result.runs)
        / max(1, len(per_learner_s)),
        "load_at_start": float(result.machine.rsplit("load ", 1)[1].split()[0]),
        "passed": len(ok),
        "failed": len(result.failures),
    }


CAPACITY_HEADER = (
    "| learners | load at start | servers ready (s) | Run All of every notebook, wall (s) "
    "| kernel CPU per learner (s) | per learner: PSS / anonymous / RSS (MB) "
    "| whole class peak PSS (GB) | failures |\n"
    "|---:|---:|---:|---:|---:|---|---:|---:|"
)


def capacity_row(s):
    return (f"| {s['learners']} | {s['load_at_start']:.1f} | {s['spawn_s']:.0f} | "
            f"{s['run_s']:.0f} | {s['kernel_cpu_s_per_learner']:.0f} | "
            f"{s['pss_mb']:.0f} / {s['anon_mb']:.0f} / {s['rss_mb']:.0f} | "
            f"{s['class_peak_pss_mb'] / 1024:.1f} | {s['failed']} |")


def load_run(path):
    """A ClassRun kept with --json."""
    data = json.loads(Path(path).read_text())
    data.pop("summary", None)
    runs = [NotebookRun(**{**run, "kernel": Usage(**run["kernel"]),
                           "server": Usage(**run["server"])}) for run in data.pop("runs")]
    return ClassRun(**{**data, "peak": Usage(**data["peak"]), "runs": runs})


def notebook_table(result):
    lines = ["| notebook | wall per learner (s) | kernel PSS / anonymous / RSS (MB) "
             "| kernel CPU (s) | TensorFlow |", "|---|---:|---|---:|:---:|"]
    for notebook in result.notebooks:
        runs = [r for r in result.runs if r.notebook == notebook and not r.error]
        if not runs:
            lines.append(f"| {notebook} | failed | | | |")
            continue
        lines.append(
            f"| {notebook} | {mean(r.seconds for r in runs):.1f} | "
            f"{mean(r.kernel.pss for r in runs):.0f} / {mean(r.kernel.anon for r in runs):.0f}"
            f" / {mean(r.kernel.rss for r in runs):.0f} | "
            f"{mean(r.kernel.cpu_s for r in runs):.1f} | "
            f"{'yes' if all(r.tensorflow for r in runs) else 'no'} |")
    return "\n".join(lines)


def report(result):
    s = summary(result)
    print(f"\nclass of {result.learners} learners x {len(result.notebooks)} notebooks "
          f"on {result.machine}")
    print(f"hub up after {result.hub_start_s:.1f} s; servers ready after {s['spawn_s']:.1f} s; "
          f"every notebook run after {s['run_s']:.1f} s (mean per learner "
          f"{s['learner_s_mean']:.1f} s); hub, proxy, servers stopped after "
          f"{result.shutdown_s:.1f} s")
    print(f"per learner (server + running kernel, mean of peaks): PSS {s['pss_mb']:.0f} MB, "
          f"anonymous {s['anon_mb']:.0f} MB, RSS {s['rss_mb']:.0f} MB; "
          f"whole class peak PSS {s['class_peak_pss_mb']:.0f} MB\n")
    print(notebook_table(result) + "\n")
    print(CAPACITY_HEADER + "\n" + capacity_row(s) + "\n")
    for failure in result.failures:
        print("FAILED", failure)
    print(f"class-test: {s['passed']} passed, {s['failed']} failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--proxy", type=Path, default=DEFAULT_PROXY,
                        help="configurable-http-proxy executable (make class-test installs it)")
    parser.add_argument("--json", type=Path,
                        help="write the measurements here, not to "
                             "benchmarks/results/class_test_N<learners>.json")
    parser.add_argument("--notebooks", nargs="+", metavar="NN",
                        help="the notebooks every learner runs, by number (01 03 ...); default all")
    parser.add_argument("--table", type=Path, nargs="+",
                        help="print the capacity table of runs kept with --json, and exit")
    args = parser.parse_args()
    if args.learners < 1:
        parser.error("--learners must be at least 1")
    if args.table:
        print(CAPACITY_HEADER)
        for result in sorted(map(load_run, args.table), key=lambda run: run.learners):
            print(capacity_row(summary(result)))
        return 0
    if not args.proxy.exists():
        parser.error(f"{args.proxy} not found: run `make class-test`, which installs it")
    notebooks = [p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
                 if not args.notebooks or p.name[:2] in args.notebooks]
    if args.notebooks and len(notebooks) != len(args.notebooks):
        parser.error(f"--notebooks {' '.join(args.notebooks)}: found only {notebooks}")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: still clean up
    result = asyncio.run(class_test(args.learners, args.proxy.resolve(), notebooks))
    report(result)
    kept = args.json or RESULTS / f"class_test_N{args.learners}.json"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps({"summary": summary(result), **asdict(result)}, indent=1) + "\n")
    print(f"measurements kept in {kept}")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
