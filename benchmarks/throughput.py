"""Softmax throughput on a (1_000_000, 4) batch, as a ratio to scipy.special in the same run.

Calls alternate (ours, scipy, ours, scipy, ...) so that other work on the machine
slows both alike; the median of each is reported.

    python -m benchmarks.throughput [--quick]
"""

import time
from statistics import median

import numpy as np
import scipy.special

import lab_utils

from ._common import Row, arguments, load, report

SHAPE = (1_000_000, 4)

CONTENDERS = {
    "softmax": (lab_utils.precise_softmax, lambda z: scipy.special.softmax(z, axis=-1)),
    "log_softmax": (lab_utils.log_softmax, lambda z: scipy.special.log_softmax(z, axis=-1)),
}


def alternate(ours, theirs, z, repeats):
    """Median seconds of ``ours(z)`` and ``theirs(z)``, called in turn ``repeats`` times."""
    times = {ours: [], theirs: []}
    for _ in range(repeats):
        for fn in (ours, theirs):
            start = time.perf_counter()
            fn(z)
            times[fn].append(time.perf_counter() - start)
    return median(times[ours]), median(times[theirs])


def measure(repeats):
    rng = np.random.default_rng(0)
    rows = []
    for function, (ours, theirs) in CONTENDERS.items():
        for dtype in (np.float32, np.float64):
            z = rng.normal(0, 3, SHAPE).astype(dtype)
            ours(z), theirs(z)  # warm up
            before = load()
            mine, scipy_s = alternate(ours, theirs, z, repeats)
            goal = function == "softmax"
            rows.append(
                Row(
                    "throughput",
                    f"lab_utils.{function}, {SHAPE} {np.dtype(dtype).name} (load {before:.1f})",
                    f"{mine * 1e3:.0f} ms ({SHAPE[0] * SHAPE[1] / mine / 1e6:.0f} M values/s)",
                    f"scipy.special.{function} {scipy_s * 1e3:.0f} ms",
                    mine / scipy_s,
                    "ratio <= 1" if goal else "",
                    mine <= scipy_s if goal else None,
                )
            )
    return rows


def main():
    args = arguments(__doc__.splitlines()[0])
    report(measure(repeats=5 if args.quick else 21), as_json=args.json)


if __name__ == "__main__":
    main()
