"""setup() pins oneDNN's instruction set: TensorFlow's matmul gets the same kernels on every
x86-64 CPU with AVX2 (what else still differs between CPUs is measured: tests/cpu/).

A float32 matrix product is summed in another order by SSE4.1, AVX and AVX2 kernels, so
its bytes tell which kernels oneDNN (TensorFlow's matmul) ran. Each case runs in its own
process, because oneDNN reads the setting once, before its first computation.
"""

import os
import platform
import subprocess
import sys

import pytest

from lab_utils._setup import NATIVE_KERNELS_ENV, PINNED_ISA

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"),
    reason="oneDNN's instruction sets (SSE4.1 ... AVX-512) exist on x86-64 only",
)


def matmul_hash():
    """The hash of one float32 TensorFlow matmul's bytes."""
    import hashlib

    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 300)).astype(np.float32)
    b = rng.standard_normal((300, 25)).astype(np.float32)
    return hashlib.sha1(tf.matmul(a, b).numpy().tobytes()).hexdigest()


def probe_environment(**env):
    """This environment with the instruction-set settings replaced by ``env``."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ONEDNN_MAX_CPU_ISA", "XLA_FLAGS", NATIVE_KERNELS_ENV)
    }
    return environ | env | {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


#: The processes, by case: (whether the probe calls setup(), its environment).
CASES = {
    "SSE4.1": (False, {"ONEDNN_MAX_CPU_ISA": "SSE41"}),
    "SSE4.1, setup()": (True, {"ONEDNN_MAX_CPU_ISA": "SSE41"}),
    "SSE4.1, setup(), opted out": (True, {"ONEDNN_MAX_CPU_ISA": "SSE41", NATIVE_KERNELS_ENV: "1"}),
}


@pytest.fixture(scope="module")
def fingerprints():
    """``{case: hash of one TensorFlow matmul}``, each case in a fresh process, all at once."""
    running = {
        case: subprocess.Popen(
            [sys.executable, __file__, "setup" if call_setup else "bare"],
            env=probe_environment(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for case, (call_setup, env) in CASES.items()
    }
    hashes = {}
    for case, process in running.items():
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, f"{case}: {err}"
        hashes[case] = out.strip()
    return hashes


@pytest.fixture(scope="module")
def pinned_bits():
    """The same matmul in this process, which tests/conftest.py pinned as setup() does."""
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == PINNED_ISA
    return matmul_hash()


def test_another_instruction_set_changes_the_bits(fingerprints, pinned_bits):
    """Without the pin, SSE4.1 kernels give other bits: what a different CPU would see."""
    assert fingerprints["SSE4.1"] != pinned_bits


def test_setup_overrides_the_environment(fingerprints, pinned_bits):
    assert fingerprints["SSE4.1, setup()"] == pinned_bits


def test_native_kernels_opt_out_is_honoured(fingerprints):
    assert fingerprints["SSE4.1, setup(), opted out"] == fingerprints["SSE4.1"]


def test_xla_flags_keep_other_flags_and_one_pin(monkeypatch):
    from lab_utils._setup import pin_instruction_set

    monkeypatch.delenv(NATIVE_KERNELS_ENV, raising=False)
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_max_isa=SSE4_2 --xla_dump_to=/tmp/x")
    pin_instruction_set()
    assert os.environ["XLA_FLAGS"].split() == [
        "--xla_dump_to=/tmp/x",
        f"--xla_cpu_max_isa={PINNED_ISA}",
    ]
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == PINNED_ISA


if __name__ == "__main__":  # one probe process
    if sys.argv[1] == "setup":
        from lab_utils import setup

        setup(style=False)
    print(matmul_hash())
