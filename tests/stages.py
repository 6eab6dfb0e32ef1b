"""`make test`: run each stage (a make target) in turn, then print how long each took.

Every stage runs even when an earlier one failed, so one run shows all that is broken;
the exit status is non-zero if any stage failed.

    python tests/stages.py lint unit nbval browser hub
"""

import subprocess
import sys
import time


def run_stage(name):
    """``(seconds, passed)`` of ``make name``."""
    print(f"\n== make {name}", flush=True)
    start = time.perf_counter()
    passed = subprocess.run(["make", "--no-print-directory", name], check=False).returncode == 0
    return time.perf_counter() - start, passed


def main(stages):
    results = {name: run_stage(name) for name in stages}
    total = sum(seconds for seconds, _ in results.values())
    print("\n== make test: stage times")
    for name, (seconds, passed) in results.items():
        print(f"  {name:<10} {seconds:7.1f} s  {'passed' if passed else 'FAILED'}")
    print(f"  {'total':<10} {total:7.1f} s")
    failed = [name for name, (_, passed) in results.items() if not passed]
    if failed:
        print(f"== failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
