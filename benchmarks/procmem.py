"""Memory and CPU time of processes, as Linux accounts them.

- RSS counts every resident page a process maps, shared library pages included, so
  the RSS of ten kernels adds up to far more than they use together.
- PSS splits each shared page between the processes that map it: the PSS of ten
  kernels adds up to what they really cost the machine.
- Anonymous is the process's own heap and stacks (no file pages): what a second,
  identical kernel adds at least.
"""

from dataclasses import dataclass

import psutil

MB = 1024 * 1024
ROLLUP_FIELDS = {"Rss:": "rss", "Pss:": "pss", "Anonymous:": "anon"}


@dataclass(frozen=True)
class Usage:
    """Memory in MB and CPU time in seconds of one process or a group of processes."""

    pss: float = 0.0
    anon: float = 0.0
    rss: float = 0.0
    cpu_s: float = 0.0

    def __add__(self, other):
        return Usage(
            self.pss + other.pss,
            self.anon + other.anon,
            self.rss + other.rss,
            self.cpu_s + other.cpu_s,
        )


def process_usage(proc):
    """Usage of one `psutil.Process` (zero if it has exited), from /proc/PID/smaps_rollup."""
    try:
        with open(f"/proc/{proc.pid}/smaps_rollup") as rollup:
            kib = {
                ROLLUP_FIELDS[key]: int(value)
                for key, value, *_ in (line.split() for line in rollup)
                if key in ROLLUP_FIELDS
            }
        times = proc.cpu_times()
    except (FileNotFoundError, ProcessLookupError, psutil.NoSuchProcess):
        return Usage()
    return Usage(cpu_s=times.user + times.system, **{k: v * 1024 / MB for k, v in kib.items()})


def tree(proc):
    """`proc` and all its living descendants."""
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_usage(proc):
    """Summed usage of `proc` and its descendants."""
    return sum((process_usage(p) for p in tree(proc)), Usage())


def maps_tensorflow(pid):
    """Whether process `pid` has TensorFlow's native libraries loaded (it imported TensorFlow)."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return any("/tensorflow/" in line for line in maps)
    except (FileNotFoundError, ProcessLookupError):
        return False
