"""`make test`: run the stages (make targets) side by side, then print how long each took.

The stages start together: none waits for another, and on two cores one stage's waits (a
browser drawing, a hub spawning) are another's computing time. Each stage's output goes
to its own log, printed whole once it finishes, so the report reads stage by stage. Every
stage runs even when another fails, so one run shows all that is broken; the exit status
is non-zero if any stage failed.

    python tests/stages.py lint unit nbval browser hub floors newest
"""

import subprocess
import sys
import tempfile
import time


def start_stage(name, log):
    """The running ``make name``, writing to `log`."""
    return subprocess.Popen(
        ["make", "--no-print-directory", name], stdout=log, stderr=subprocess.STDOUT
    )


def run_together(stages):
    """``{name: (seconds, passed)}``, each stage's log printed as it finishes."""
    start = time.perf_counter()
    logs = {name: tempfile.TemporaryFile("w+") for name in stages}
    running = {name: start_stage(name, logs[name]) for name in stages}
    results = {}
    while running:
        for name, process in list(running.items()):
            if process.poll() is None:
                continue
            results[name] = time.perf_counter() - start, process.returncode == 0
            del running[name]
            logs[name].seek(0)
            print(f"\n== make {name}\n{logs[name].read()}", end="", flush=True)
            logs[name].close()
        time.sleep(0.5)
    return {name: results[name] for name in stages}


def main(stages):
    start = time.perf_counter()
    results = run_together(stages)
    print("\n== make test: stage times (all started at once; each until it finished)")
    for name, (seconds, passed) in results.items():
        print(f"  {name:<10} {seconds:7.1f} s  {'passed' if passed else 'FAILED'}")
    print(f"  {'total':<10} {time.perf_counter() - start:7.1f} s")
    failed = [name for name, (_, passed) in results.items() if not passed]
    if failed:
        print(f"== failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
