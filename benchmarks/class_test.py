"""`make class-test LEARNERS=N`: N learners run every notebook at once through a real JupyterHub.

Run from the checkout as `PYTHONPATH=tests python -m benchmarks.class_test` (what make does).

1. Starts JupyterHub from this environment on 127.0.0.1 with tests/class_hub_config.py
   (the class hub of deploy/, with a local spawner), configurable-http-proxy in front,
   driven as tests/test_class_hub.py drives it (tests/hub_driver.py).
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
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import fmean

import psutil
from hub_driver import DEFAULT_PROXY, ROOT, Hub, Learner, NotebookRun
from tornado.httpclient import AsyncHTTPClient

from softmax_lab_hub.logins import INSTRUCTOR, Logins, hash_secret

from .procmem import Usage, maps_tensorflow, process_usage, tree_usage

RESULTS = ROOT / "benchmarks" / "results"
SAMPLE_EVERY_S = 2.0


@dataclass
class MeasuredRun(NotebookRun):
    """One learner's Run All of one notebook, with what it cost."""

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


class MeasuredLearner(Learner):
    """A learner whose runs record their server's and kernel's memory and CPU time."""

    run_type = MeasuredRun

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
            run = MeasuredRun(learner.name, notebook, error=f"{type(err).__name__}: {err}")
        result.runs.append(run)
        if run.error:
            result.failures.append(f"{learner.name} {notebook}: {run.error}")


def learner_names(learners):
    return [f"learner-{i:02d}" for i in range(1, learners + 1)]


def enrol(logins_path, names):
    """The logins file the hub needs to start and to keep sessions: the instructor and each
    learner with a password (unused: the learners act with tokens the admin service makes)."""
    logins = Logins(logins_path, rounds=4)
    logins.set_password(INSTRUCTOR, secrets.token_hex(16), create=True)
    hashed = hash_secret(secrets.token_hex(16), rounds=4)
    with logins.editing() as entries:
        entries.update({name: {"password": hashed} for name in names})


async def run_class(hub, learners, notebooks, result):
    names = learner_names(learners)
    await hub.api("POST", "/hub/api/users", {"usernames": names})
    class_ = [MeasuredLearner(hub, name) for name in names]

    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_peak(hub, result, stop))
    start = time.monotonic()
    logins = await asyncio.gather(*(learner.log_in() for learner in class_), return_exceptions=True)
    result.spawn_s = time.monotonic() - start
    ready = []
    for learner, outcome in zip(class_, logins, strict=True):
        if isinstance(outcome, Exception):
            result.failures.append(f"{learner.name} server: {type(outcome).__name__}: {outcome}")
        else:
            ready.append(learner)

    start_together = asyncio.Event()
    sessions = [
        asyncio.create_task(learner_session(learner, notebooks, start_together, result))
        for learner in ready
    ]
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
    enrol(workdir / "logins.json", learner_names(learners))
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
    return (
        f"{psutil.cpu_count()} cores, {memory_gib:.1f} GiB, {platform.python_version()}, "
        f"load {load:.1f} at start"
    )


def per_learner_peaks(runs):
    """Each learner's largest server + kernel usage over their notebooks."""
    peaks = {}
    for run in runs:
        usage = run.server + run.kernel
        if usage.pss > peaks.get(run.learner, Usage()).pss:
            peaks[run.learner] = usage
    return list(peaks.values())


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
        "learner_s_mean": fmean(per_learner_s.values()),
        "pss_mb": fmean(p.pss for p in peaks),
        "anon_mb": fmean(p.anon for p in peaks),
        "rss_mb": fmean(p.rss for p in peaks),
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
    return (
        f"| {s['learners']} | {s['load_at_start']:.1f} | {s['spawn_s']:.0f} | "
        f"{s['run_s']:.0f} | {s['kernel_cpu_s_per_learner']:.0f} | "
        f"{s['pss_mb']:.0f} / {s['anon_mb']:.0f} / {s['rss_mb']:.0f} | "
        f"{s['class_peak_pss_mb'] / 1024:.1f} | {s['failed']} |"
    )


def load_run(path):
    """A ClassRun kept with --json."""
    data = json.loads(Path(path).read_text())
    data.pop("summary", None)
    runs = [
        MeasuredRun(**{**run, "kernel": Usage(**run["kernel"]), "server": Usage(**run["server"])})
        for run in data.pop("runs")
    ]
    return ClassRun(**{**data, "peak": Usage(**data["peak"]), "runs": runs})


def notebook_table(result):
    lines = [
        "| notebook | wall per learner (s) | kernel PSS / anonymous / RSS (MB) "
        "| kernel CPU (s) | TensorFlow |",
        "|---|---:|---|---:|:---:|",
    ]
    for notebook in result.notebooks:
        runs = [r for r in result.runs if r.notebook == notebook and not r.error]
        if not runs:
            lines.append(f"| {notebook} | failed | | | |")
            continue
        lines.append(
            f"| {notebook} | {fmean(r.seconds for r in runs):.1f} | "
            f"{fmean(r.kernel.pss for r in runs):.0f} / {fmean(r.kernel.anon for r in runs):.0f}"
            f" / {fmean(r.kernel.rss for r in runs):.0f} | "
            f"{fmean(r.kernel.cpu_s for r in runs):.1f} | "
            f"{'yes' if all(r.tensorflow for r in runs) else 'no'} |"
        )
    return "\n".join(lines)


def report(result):
    s = summary(result)
    print(
        f"\nclass of {result.learners} learners x {len(result.notebooks)} notebooks "
        f"on {result.machine}"
    )
    print(
        f"hub up after {result.hub_start_s:.1f} s; servers ready after {s['spawn_s']:.1f} s; "
        f"every notebook run after {s['run_s']:.1f} s (mean per learner "
        f"{s['learner_s_mean']:.1f} s); hub, proxy, servers stopped after "
        f"{result.shutdown_s:.1f} s"
    )
    print(
        f"per learner (server + running kernel, mean of peaks): PSS {s['pss_mb']:.0f} MB, "
        f"anonymous {s['anon_mb']:.0f} MB, RSS {s['rss_mb']:.0f} MB; "
        f"whole class peak PSS {s['class_peak_pss_mb']:.0f} MB\n"
    )
    print(notebook_table(result) + "\n")
    print(CAPACITY_HEADER + "\n" + capacity_row(s) + "\n")
    for failure in result.failures:
        print("FAILED", failure)
    print(f"class-test: {s['passed']} passed, {s['failed']} failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument(
        "--proxy",
        type=Path,
        default=DEFAULT_PROXY,
        help="configurable-http-proxy executable (make class-test installs it)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="write the measurements here, not to benchmarks/results/class_test_N<learners>.json",
    )
    parser.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NN",
        help="the notebooks every learner runs, by number (01 03 ...); default all",
    )
    parser.add_argument(
        "--table",
        type=Path,
        nargs="+",
        help="print the capacity table of runs kept with --json, and exit",
    )
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
    notebooks = [
        p.name
        for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
        if not args.notebooks or p.name[:2] in args.notebooks
    ]
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
