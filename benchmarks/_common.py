"""What every benchmark shares: a result row, timing, the machine, and table printing."""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table."""

    section: str  # which benchmark
    measurement: str  # what was measured
    result: str  # the median (and p95 or worst case), with units
    reference: str = ""  # what it is compared with
    ratio: float | None = None  # result / reference
    goal: str = ""
    met: bool | None = None  # None where there is no goal

    def cells(self):
        ratio = (
            ""
            if self.ratio is None
            else f"{self.ratio:.1e}"
            if 0 < self.ratio < 0.01
            else f"{self.ratio:.2f}"
        )
        met = {True: "yes", False: "**no**", None: ""}[self.met]
        return [self.section, self.measurement, self.result, self.reference, ratio, self.goal, met]


HEADER = ["benchmark", "measurement", "result", "reference", "ratio", "goal", "met"]


def p95(values):
    """The 95th percentile, interpolated as NumPy's default does."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def timed(fn, *args, **kwargs):
    """``(seconds, result)`` of one call, wall clock."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def load():
    """The 1-minute load average: other work on the machine slows every timing."""
    return os.getloadavg()[0]


def machine():
    """The machine the numbers come from, as ``{name: value}``."""
    import numpy

    info = {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": f"{_ram_gib():.0f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "NumPy": numpy.__version__,
    }
    for name, module in [
        ("SciPy", "scipy"),
        ("matplotlib", "matplotlib"),
        ("TensorFlow", "tensorflow"),
        ("Keras", "keras"),
    ]:
        info[name] = _version_of(module)
    return info


def _version_of(module):
    from importlib.metadata import PackageNotFoundError, version

    candidates = {"tensorflow": ["tensorflow-cpu", "tensorflow"]}.get(module, [module])
    for distribution in candidates:
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return "not installed"


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    parser.add_argument(
        "--json", action="store_true", help="print rows and details as JSON (what the runner reads)"
    )
    return parser.parse_args()


def report(rows, details=(), as_json=False):
    """Print a benchmark's rows (and detail tables) as markdown, or as JSON for the runner."""
    if as_json:
        json.dump({"rows": [asdict(row) for row in rows], "details": list(details)}, sys.stdout)
        return
    print(markdown_table(HEADER, [row.cells() for row in rows]))
    for title, header, table in details:
        print(f"\n{title}\n")
        print(markdown_table(header, table))
