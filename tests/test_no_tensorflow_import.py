"""Importing lab_utils never imports TensorFlow: a kernel pays for it only where a lesson does.

A kernel that imported TensorFlow holds several hundred MB more (benchmarks/RESULTS.md),
which a class hub pays once per learner. Each import runs in a fresh interpreter,
because this test process may already have TensorFlow loaded.
"""

import json
import subprocess
import sys

HEAVY = ("tensorflow", "keras")

PROBE = """
import importlib, json, pkgutil, sys
import lab_utils
found = {"lab_utils": [m for m in %(heavy)r if m in sys.modules]}
for info in pkgutil.walk_packages(lab_utils.__path__, "lab_utils."):
    importlib.import_module(info.name)
    found[info.name] = [m for m in %(heavy)r if m in sys.modules]
print(json.dumps(found))
"""


def heavy_modules_after_each_import():
    """{module imported in order: heavy modules loaded by then}, from a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE % {"heavy": HEAVY}],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def test_lab_utils_and_every_submodule_import_without_tensorflow():
    found = heavy_modules_after_each_import()
    assert "lab_utils.numerics" in found  # the walk did reach the submodules
    loaded_by = {module: heavy for module, heavy in found.items() if heavy}
    assert loaded_by == {}, f"these imports loaded TensorFlow/Keras: {loaded_by}"
