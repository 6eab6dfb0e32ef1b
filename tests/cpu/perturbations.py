"""Other CPUs, simulated on this one: environments that make the libraries pick other kernels.

Each perturbation changes what one library computes with, the way another CPU would:
oneDNN's and XLA's instruction set (an older or a newer x86-64), TensorFlow's oneDNN graph
rewrites, OpenBLAS's kernel family, NumPy's SIMD dispatch, and the number of cores (one core:
every library runs one thread).
"""

import os
from dataclasses import dataclass, field

from lab_utils._setup import NATIVE_KERNELS_ENV


@dataclass(frozen=True)
class Perturbation:
    name: str
    stands_for: str
    env: dict = field(default_factory=dict)
    #: Run on this many cores only (``taskset``); None: all of them.
    cores: int | None = None
    #: A /proc/cpuinfo flag this CPU must have for the perturbation to mean anything.
    needs: str | None = None
    #: A flag without which these kernels are this CPU's own choice anyway (nothing to perturb).
    own_without: str | None = None
    #: A setting a learner must choose (not what any CPU does by default): such runs earn
    #: tags, but the claims are not promised under them (docs/reproducibility.md lists where
    #: they fail).
    opt_in: bool = False
    #: Lines the setting itself prints on stderr (TensorFlow's log, not a result): left out
    #: of the run's outputs before they are compared.
    prints: str | None = None

    def unavailable(self):
        """Why this CPU cannot run the perturbation, or None."""
        if self.needs and self.needs not in cpu_flags():
            return f"this CPU has no {self.needs}"
        if self.own_without and self.own_without not in cpu_flags():
            return f"these are this CPU's own kernels (it has no {self.own_without})"
        if self.cores and len(os.sched_getaffinity(0)) <= self.cores:
            return f"this machine has only {self.cores} core(s) already"
        return None

    def command_prefix(self):
        """What to put before the command: ``taskset`` for fewer cores."""
        if self.cores is None:
            return []
        cores = sorted(os.sched_getaffinity(0))[: self.cores]
        return ["taskset", "-c", ",".join(map(str, cores))]


def native(onednn_isa, xla_isa, stands_for, needs=None):
    return Perturbation(
        f"native-{xla_isa.lower()}",
        stands_for,
        {
            NATIVE_KERNELS_ENV: "1",
            "ONEDNN_MAX_CPU_ISA": onednn_isa,
            "XLA_FLAGS": f"--xla_cpu_max_isa={xla_isa}",
        },
        needs=needs,
        opt_in=True,
    )


def cpu_flags():
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def numpy_dispatch_targets():
    """NumPy's SIMD dispatch targets this CPU supports, beyond the build's baseline."""
    from numpy._core import _multiarray_umath as umath

    return [name for name in umath.__cpu_dispatch__ if umath.__cpu_features__.get(name)]


def numpy_without(first):
    """NumPy dispatching as a CPU without ``first`` and what comes after it would."""
    targets = numpy_dispatch_targets()
    disabled = targets[targets.index(first) :] if first in targets else []
    return {"NPY_DISABLE_CPU_FEATURES": " ".join(disabled)} if disabled else {}


PERTURBATIONS = [
    native(
        "AVX512_CORE",
        "AVX512",
        "an AVX-512 CPU (Intel since Skylake-X, AMD since Zen 4) with its own kernels",
        needs="avx512f",
    ),
    Perturbation("one-core", "a one-core machine: every library runs one thread", cores=1),
    Perturbation(
        "numpy-avx2", "NumPy on a CPU without AVX-512", numpy_without("X86_V4"), needs="avx512f"
    ),
    Perturbation(
        "numpy-sse42", "NumPy on a CPU without AVX2", numpy_without("X86_V3"), needs="avx2"
    ),
    Perturbation(
        "openblas-haswell",
        "OpenBLAS's AVX2 kernels (Haswell to Zen 3)",
        {"OPENBLAS_CORETYPE": "Haswell"},
        needs="avx2",
        own_without="avx512f",
    ),
    Perturbation(
        "openblas-sandybridge",
        "OpenBLAS's AVX kernels (Sandy Bridge)",
        {"OPENBLAS_CORETYPE": "Sandybridge"},
        needs="avx",
    ),
    Perturbation(
        "onednn-opts",
        "TensorFlow with its oneDNN graph rewrites on",
        {"TF_ENABLE_ONEDNN_OPTS": "1"},
        opt_in=True,
        prints=r"^(WARNING: All log messages before absl::InitializeLog\(\) is called "
        r"are written to STDERR|I0000 .* oneDNN custom operations are on\. .*)\n",
    ),
    native("SSE41", "SSE4_2", "an x86-64 CPU without AVX (oneDNN, XLA)", needs="sse4_2"),
    native("AVX", "AVX", "an x86-64 CPU with AVX, without AVX2 (oneDNN, XLA)", needs="avx"),
    native("AVX2", "AVX2", "the pinned instruction set, set by hand (oneDNN, XLA)", needs="avx2"),
    Perturbation(
        "native", "the CPU's own kernels, nothing pinned", {NATIVE_KERNELS_ENV: "1"}, opt_in=True
    ),
]

BY_NAME = {p.name: p for p in PERTURBATIONS}
#: What every notebook's record must cover (run, or skipped because this CPU cannot): the
#: instruction sets below and above the pin, one core, each library's own kernel choice.
REQUIRED = (
    "native-avx512",
    "one-core",
    "numpy-avx2",
    "openblas-haswell",
    "onednn-opts",
    "native-sse4_2",
)
