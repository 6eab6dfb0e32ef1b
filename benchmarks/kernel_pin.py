"""What pinning oneDNN to AVX2 kernels costs: seed-model training with and without the pin.

setup() pins TensorFlow's oneDNN to AVX2 kernels (lab_utils._setup.pin_instruction_set)
so that every x86-64 CPU computes the stored outputs' bits. Each measurement trains the
seed lab's preferred model in a fresh process, pinned or with the CPU's native kernels
(SOFTMAX_LAB_NATIVE_KERNELS=1), alternating, so both see the same machine load.

    python -m benchmarks.kernel_pin [--quick]
"""

import json
import os
import subprocess
import sys
from statistics import median

from ._common import ROOT, Row, arguments, load, report

CHILD = """
import json, sys
from lab_utils import setup
from lab_utils.data import make_seed_blobs
setup()
from benchmarks.training import train_once
X, y = make_seed_blobs()
print(json.dumps(train_once("preferred", X, y)[1]))
"""
MODES = {"pinned to AVX2": {}, "native kernels": {"SOFTMAX_LAB_NATIVE_KERNELS": "1"}}


def seconds_per_step(extra_env):
    env = {k: v for k, v in os.environ.items() if k != "SOFTMAX_LAB_NATIVE_KERNELS"}
    env.update(extra_env)
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(runs):
    before = load()
    samples = {mode: [] for mode in MODES}
    for _ in range(runs):
        for mode, env in MODES.items():
            samples[mode].append(seconds_per_step(env))
    native = median(samples["native kernels"])
    return [
        Row(
            "kernel pin",
            f"preferred model, {mode}: steady state, {runs} fresh processes "
            f"alternating (load {before:.1f})",
            f"{median(values) * 1e3:.2f} ms/step",
            "native kernels",
            median(values) / native,
        )
        for mode, values in samples.items()
    ]


def main():
    args = arguments(__doc__.splitlines()[0])
    report(measure(runs=2 if args.quick else 5), as_json=args.json)


if __name__ == "__main__":
    main()
