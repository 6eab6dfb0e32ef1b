"""setup() pins oneDNN's instruction set, so every x86-64 CPU computes the stored bits.

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
    reason="oneDNN's instruction sets (SSE4.1 ... AVX-512) exist on x86-64 only")

PROBE = """
import hashlib, sys
if sys.argv[1] == "setup":
    from lab_utils import setup
    setup()
import numpy as np
import tensorflow as tf
rng = np.random.default_rng(0)
a = rng.standard_normal((64, 300)).astype(np.float32)
b = rng.standard_normal((300, 25)).astype(np.float32)
print(hashlib.sha1(tf.matmul(a, b).numpy().tobytes()).hexdigest())
"""


def matmul_fingerprint(*, call_setup, **env):
    """The hash of one TensorFlow matmul, computed in a fresh process with ``env``."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("ONEDNN_MAX_CPU_ISA", "XLA_FLAGS", NATIVE_KERNELS_ENV)}
    environ.update(env, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
    result = subprocess.run([sys.executable, "-c", PROBE, "setup" if call_setup else "bare"],
                            env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def pinned_bits():
    return matmul_fingerprint(call_setup=False, ONEDNN_MAX_CPU_ISA=PINNED_ISA)


def test_another_instruction_set_changes_the_bits(pinned_bits):
    """Without the pin, SSE4.1 kernels give other bits: what a different CPU would see."""
    assert matmul_fingerprint(call_setup=False, ONEDNN_MAX_CPU_ISA="SSE41") != pinned_bits


def test_setup_overrides_the_environment(pinned_bits):
    assert matmul_fingerprint(call_setup=True, ONEDNN_MAX_CPU_ISA="SSE41") == pinned_bits


def test_native_kernels_opt_out_is_honoured(pinned_bits):
    opted_out = matmul_fingerprint(call_setup=True, ONEDNN_MAX_CPU_ISA="SSE41",
                                   **{NATIVE_KERNELS_ENV: "1"})
    assert opted_out != pinned_bits


def test_xla_flags_keep_other_flags_and_one_pin(monkeypatch):
    from lab_utils._setup import pin_instruction_set

    monkeypatch.delenv(NATIVE_KERNELS_ENV, raising=False)
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_max_isa=SSE4_2 --xla_dump_to=/tmp/x")
    pin_instruction_set()
    assert os.environ["XLA_FLAGS"].split() == ["--xla_dump_to=/tmp/x",
                                               f"--xla_cpu_max_isa={PINNED_ISA}"]
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == PINNED_ISA
