"""Slider latency: kernel-side time from a slider value change to the chart and readout updated.

Each widget of ``lab_utils.widgets`` is built in a real IPython kernel (so its comm
messages are really serialised and sent), then every slider is dragged across its
range the way JupyterLab's messages set it: ``set_state({"value": v})``. The time is
that call's, which runs the widget's callbacks: compute, redraw, PNG, messages out.
The first drag starts cold, as a learner's does.

    python -m benchmarks.latency [--quick]
"""

import functools
import json
import time
from statistics import median

from ._common import ROOT, Row, arguments, load, p95, report

GOAL_MEDIAN_MS, GOAL_P95_MS = 30, 50
FRAMES_PER_SLIDER = 200


# --- what runs inside the kernel ---------------------------------------------------------


def sweep(slider, frames):
    """Values of a drag from the slider's value down to its minimum and up to its maximum."""
    import numpy as np

    low, high = slider.min, slider.max
    if type(slider).__name__ == "FloatLogSlider":  # min/max are exponents
        low, high = slider.base**low, slider.base**high
        path = np.concatenate(
            [
                np.geomspace(slider.value, low, frames // 4),
                np.geomspace(low, high, frames - frames // 4),
            ]
        )
    else:
        path = np.concatenate(
            [
                np.linspace(slider.value, low, frames // 4),
                np.linspace(low, high, frames - frames // 4),
            ]
        )
        if type(slider).__name__ == "IntSlider":
            path = np.round(path)
    step = getattr(slider, "step", None) or 1
    if type(slider).__name__ != "FloatLogSlider":
        path = np.round(path / step) * step
    return [float(v) if isinstance(slider.value, float) else int(v) for v in path]


class Stopwatch:
    """Adds up the time spent in ``owner.name`` (a function or a method) from now on."""

    def __init__(self, owner, name):
        original, self.seconds = getattr(owner, name), 0.0

        @functools.wraps(original)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        setattr(owner, name, timed)

    def take(self):
        seconds, self.seconds = self.seconds, 0.0
        return seconds


def drag(slider, frames, watches):
    """Per-frame ``(total, redraw, png, cpu)`` seconds of a drag across the slider's range.

    ``cpu`` is the kernel thread's CPU time: what the change costs on an idle machine.
    """
    out = []
    for value in sweep(slider, frames):
        if value == slider.value:
            continue
        for watch in watches:
            watch.take()
        start, start_cpu = time.perf_counter(), time.thread_time()
        slider.set_state({"value": value})  # what a message from JupyterLab does
        total, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        png = watches[1].take()
        out.append((total, watches[0].take() - png, png, cpu))
    return out


def synthetic_snapshots(epochs=200):
    """Boundary snapshots of a linear model turning epoch by epoch (no training needed)."""
    import numpy as np

    from lab_utils.data import make_seed_blobs
    from lab_utils.snapshots import BoundarySnapshots

    X, y = make_seed_blobs(100)
    snapshots = BoundarySnapshots(X)
    centres = np.array([[-5, 2], [-2, -2], [1, 2], [5, -2]], dtype=float)
    for epoch in range(epochs + 1):
        angle = 0.02 * epoch
        turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        weights = centres @ turn
        logs = {} if epoch == 0 else {"loss": 1.5 * np.exp(-epoch / 40), "accuracy": 0.9}
        snapshots.record(epoch, lambda points, w=weights: points @ w.T, logs)
    return snapshots, X, y


def widgets_to_drive():
    """``{name: (widget object, its sliders)}`` for every widget in lab_utils.widgets."""
    import numpy as np

    from lab_utils import widgets as w

    def my_softmax(z):
        ez = np.exp(z)
        return ez / ez.sum()

    found = {}
    sliders = w.softmax_sliders(my_softmax, temperature=True)
    found["softmax sliders z0..z3"] = (sliders, sliders.sliders)
    found["softmax temperature T"] = (sliders, [sliders.temperature])
    if hasattr(w, "cross_entropy_view"):
        view = w.cross_entropy_view()
        found["cross-entropy p"] = (view, view.sliders)
    if hasattr(w, "epoch_slider"):
        snapshots, X, y = synthetic_snapshots()
        view = w.epoch_slider(snapshots, X, y, epoch=0)
        found["epoch slider (decision boundary)"] = (view, view.sliders)
    return found


def drive_widgets(frames):
    """Drag every slider of every widget; print the timings as JSON (run in a kernel)."""
    from lab_utils import render, setup

    setup()
    watches = [Stopwatch(render.BlitChart, "render"), Stopwatch(render, "png_bytes")]
    results = {}
    for name, (_widget, sliders) in widgets_to_drive().items():
        results[name] = [frame for s in sliders for frame in drag(s, frames, watches)]
    print(json.dumps(results))


# --- what runs outside ---------------------------------------------------------------------


def in_kernel(frames):
    """Run `drive_widgets` in a fresh IPython kernel and return its timings."""
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3", transport="ipc")
    manager.start_kernel(cwd=str(ROOT))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    printed = []

    def collect(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))

    try:
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            f"from benchmarks.latency import drive_widgets\ndrive_widgets({frames})"
        )
        client.execute_interactive(code, output_hook=collect, timeout=1800)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return json.loads("".join(printed))


def measure(frames):
    before = load()
    results = in_kernel(frames)
    rows, detail = [], []
    for name, frames_ in results.items():
        totals = [1e3 * frame[0] for frame in frames_]
        mid, high = median(totals), p95(totals)
        cpu = [1e3 * frame[3] for frame in frames_]
        rows.append(
            Row(
                "slider latency",
                f"{name} ({len(totals)} changes, load {before:.1f})",
                f"median {mid:.1f} ms, p95 {high:.1f} ms (CPU: {median(cpu):.1f} / "
                f"{p95(cpu):.1f} ms)",
                f"goal {GOAL_MEDIAN_MS} / {GOAL_P95_MS} ms",
                mid / GOAL_MEDIAN_MS,
                f"median < {GOAL_MEDIAN_MS} ms, p95 < {GOAL_P95_MS} ms",
                mid < GOAL_MEDIAN_MS and high < GOAL_P95_MS,
            )
        )
        draw = median([1e3 * frame[1] for frame in frames_])
        png = median([1e3 * frame[2] for frame in frames_])
        detail.append(
            [
                name,
                f"{mid:.1f}",
                f"{p95:.1f}",
                f"{max(totals):.1f}",
                f"{median(cpu):.1f}",
                f"{p95(cpu):.1f}",
                f"{draw:.1f}",
                f"{png:.1f}",
                f"{mid - draw - png:.1f}",
            ]
        )
    header = [
        "widget",
        "median ms",
        "p95 ms",
        "max ms",
        "CPU median ms",
        "CPU p95 ms",
        "redraw (median)",
        "PNG (median)",
        "the rest: callback, readout, messages",
    ]
    return rows, [("Slider latency, kernel side, per change", header, detail)]


def main():
    args = arguments(__doc__.splitlines()[0])
    rows, details = measure(frames=60 if args.quick else FRAMES_PER_SLIDER)
    report(rows, details, as_json=args.json)


if __name__ == "__main__":
    main()
