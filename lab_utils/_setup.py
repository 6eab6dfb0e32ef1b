"""``setup()``: the first code cell of every notebook."""

import os
import random
import sys
import warnings
from collections.abc import Mapping

import numpy as np

from .display import register_figure_formatter
from .style import use_style

#: The seed every notebook uses unless it says otherwise.
SEED = 1234

#: The instruction set the stored outputs were computed with; see pin_instruction_set().
PINNED_ISA = "AVX2"
#: Set this environment variable to 1 to let oneDNN and XLA use the CPU's own kernels.
NATIVE_KERNELS_ENV = "SOFTMAX_LAB_NATIVE_KERNELS"


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs; only effective before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # oneDNN's message is noise, and its reordered sums change the last bits of results.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def pinned_environment(environ: Mapping[str, str], isa: str = PINNED_ISA) -> dict[str, str]:
    """The variables that pin oneDNN and XLA to ``isa`` kernels, given the environment."""
    flags = [
        flag
        for flag in environ.get("XLA_FLAGS", "").split()
        if not flag.startswith("--xla_cpu_max_isa")
    ]
    return {"ONEDNN_MAX_CPU_ISA": isa, "XLA_FLAGS": " ".join([*flags, f"--xla_cpu_max_isa={isa}"])}


def pin_instruction_set(isa: str = PINNED_ISA) -> None:
    """Make oneDNN (inside TensorFlow) and XLA (JAX) use ``isa`` kernels at most.

    Both pick their kernels by the CPU they run on, and an AVX-512 kernel sums in another
    order than an AVX2 one, so the last digits of a training run would depend on the
    learner's CPU. Pinned, oneDNN computes TensorFlow's matrix products with the same
    kernels on every x86-64 CPU with AVX2 or newer. That is not every difference between
    CPUs (NumPy, OpenBLAS and XLA's code for the host still choose by CPU): which outputs
    still depend on the CPU is measured, not assumed (docs/reproducibility.md). Overrides
    what the environment says, unless SOFTMAX_LAB_NATIVE_KERNELS=1. Only effective before
    TensorFlow or JAX computes anything.
    """
    if os.environ.get(NATIVE_KERNELS_ENV) == "1":
        return
    late = [name for name in ("tensorflow", "jax") if name in sys.modules]
    if late and os.environ.get("ONEDNN_MAX_CPU_ISA") != isa:
        warnings.warn(
            f"{' and '.join(late)} was imported before setup(): its kernels may "
            "not be pinned; call setup() first",
            stacklevel=3,
        )
    os.environ.update(pinned_environment(os.environ, isa))


def notebook_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` as ``setup()`` leaves it: for a process that should compute as a notebook."""
    quiet = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    pinned = {} if environ.get(NATIVE_KERNELS_ENV) == "1" else pinned_environment(environ)
    return {**quiet, **environ, **pinned}


def seed_everything(seed: int = SEED) -> None:
    """Seed Python, NumPy and, if it is already imported, Keras/TensorFlow."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the global state is what learners' code draws from
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)


def setup(seed: int = SEED, *, style: bool = True) -> None:
    """Prepare a notebook: quiet TensorFlow, pin its kernels, seed everything, apply the style.

    TensorFlow is not imported here: a notebook that needs it imports it itself,
    so the lessons that do not need it keep a small kernel.
    """
    quiet_tensorflow()
    pin_instruction_set()
    seed_everything(seed)
    if style:
        use_style()
    register_figure_formatter()  # every figure: a 2x PNG with alt text
