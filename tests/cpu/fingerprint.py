"""The kernels a notebook's outputs were computed with, as a fingerprint.

``make outputs`` records it in each notebook's metadata; at test time it is measured again,
in a fresh process under the test's environment (after ``setup()``, as a notebook's kernel
runs). Equal fingerprints: the same kinds of kernels, and every output must be reproduced
exactly. It holds

- the CPU: vendor, family and model (its microarchitecture), a digest of its feature flags,
  and how many cores the process may use. On a 2-core Sapphire Rapids the 7 cells that
  differed from this AMD EPYC's outputs did so under the instruction-set pin, while a
  TensorFlow training of notebook 03 matched to the bit: no small computation is known to
  tell those CPUs apart, so the CPU itself is part of the fingerprint;
- digests of the bytes of small computations by each library that picks kernels by CPU
  or by setting: NumPy (OpenBLAS's matmul, SIMD-dispatched exp, log and sums), TensorFlow
  (eager and graph matmul, softmax, log, a gradient) and JAX (a jitted matmul, softmax and
  gradient): they change when an environment variable makes a library pick other kernels;
- the versions of the libraries that compute or draw the outputs.

    python -m cpu.fingerprint      # (PYTHONPATH=tests) prints this process's fingerprint
"""

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

#: Where make outputs records the fingerprint, in the notebook's metadata.
METADATA_KEY = "softmax_lab"
#: The distributions that compute or draw outputs (either name of TensorFlow's).
LIBRARIES = (
    "numpy",
    ("tensorflow", "tensorflow-cpu"),
    "keras",
    "jax",
    "jaxlib",
    "matplotlib",
    "pillow",
)


def digest(*arrays):
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(array.tobytes())
    return sha.hexdigest()[:16]


def cpu():
    """``{vendor, family, model, flags}`` of this CPU, as the operating system reports it."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                key, _, value = line.partition(":")
                key = key.strip()
                if (
                    key
                    in (
                        "vendor_id",
                        "cpu family",
                        "model",
                        "flags",
                        "CPU implementer",
                        "CPU part",
                        "Features",
                    )
                    and key not in fields
                ):
                    fields[key] = value.strip()
                if not line.strip() and fields:
                    break
    except OSError:
        fields["processor"] = platform.processor()
    flags = fields.pop("flags", None) or fields.pop("Features", "")
    return {
        "machine": platform.machine(),
        "system": platform.system(),
        **{key.replace(" ", "_"): value for key, value in fields.items()},
        "flags": hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:16],
    }


def inputs():
    import numpy as np

    rng = np.random.default_rng(0)
    return (
        rng.standard_normal((64, 300)),
        rng.standard_normal((300, 25)),
        rng.standard_normal(10_001) * 4,
    )


def numpy_kernels():
    import numpy as np

    a, b, v = inputs()
    v32 = v.astype(np.float32)
    return digest(
        a @ b,
        a.astype(np.float32) @ b.astype(np.float32),
        np.exp(v32),
        np.log(np.abs(v32) + 1),
        np.tanh(v32),
        np.sum(v32),
        np.exp(v),
        np.sum(v),
    )


def tensorflow_kernels():
    import numpy as np
    import tensorflow as tf

    a, b, _ = (x.astype(np.float32) for x in inputs())

    @tf.function
    def graph(a, b):
        with tf.GradientTape() as tape:
            tape.watch(b)
            loss = -tf.reduce_mean(tf.math.log(tf.nn.softmax(tf.nn.relu(tf.matmul(a, b)))))
        return loss, tape.gradient(loss, b)

    eager = tf.nn.softmax(tf.matmul(a, b))
    return digest(
        eager.numpy(),
        tf.math.log(eager).numpy(),
        *(t.numpy() for t in graph(tf.constant(a), tf.constant(b))),
    )


def jax_kernels():
    import jax
    import jax.numpy as jnp
    import numpy as np

    a, b, _ = (x.astype(np.float32) for x in inputs())

    def loss(b):
        return -jnp.mean(jax.nn.log_softmax(jax.nn.relu(a @ b)))

    return digest(
        np.asarray(jax.jit(jax.nn.softmax)(a @ b)),
        *(np.asarray(x) for x in jax.jit(jax.value_and_grad(loss))(b)),
    )


def versions():
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for names in LIBRARIES:
        names = (names,) if isinstance(names, str) else names
        found[names[0]] = None
        for name in names:
            try:
                found[names[0]] = version(name)
                break
            except PackageNotFoundError:
                continue
    return found


def measure_here():
    """This process's fingerprint; call it in a fresh process (it calls setup())."""
    from lab_utils import setup

    setup(style=False)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return {
        "cpu": cpu(),
        "cores": len(os.sched_getaffinity(0)),
        "kernels": {
            "numpy": numpy_kernels(),
            "tensorflow": tensorflow_kernels(),
            "jax": jax_kernels(),
        },
        "versions": versions(),
    }


def measure(env=None):
    """The fingerprint a notebook kernel started with ``env`` (default: this one's) gets."""
    process = subprocess.run(
        [sys.executable, "-m", "cpu.fingerprint"],
        env=env or os.environ | {"PYTHONPATH": pythonpath(env)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if process.returncode:
        raise RuntimeError(f"measuring the kernel fingerprint failed:\n{process.stderr}")
    return json.loads(process.stdout)


def pythonpath(env):
    """The environment's PYTHONPATH with this package's folder in front."""
    here = str(Path(__file__).resolve().parents[1])
    rest = (env or os.environ).get("PYTHONPATH")
    return os.pathsep.join([here, rest] if rest else [here])


def recorded(nb):
    """The fingerprint stored in a notebook by make outputs, or None."""
    return nb.metadata.get(METADATA_KEY, {}).get("kernels")


def record(nb, fingerprint):
    nb.metadata.setdefault(METADATA_KEY, {})["kernels"] = fingerprint


def differences(stored, current):
    """Which parts of two fingerprints differ, e.g. ``["cpu", "kernels.jax"]``."""
    if stored is None:
        return ["not recorded"]
    found = []
    for key in sorted(set(stored) | set(current)):
        a, b = stored.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and key != "cpu":
            found += [f"{key}.{sub}" for sub in sorted(set(a) | set(b)) if a.get(sub) != b.get(sub)]
        elif a != b:
            found.append(key)
    return found


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    print(json.dumps(measure_here()))
