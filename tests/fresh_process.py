"""Measurements taken in a fresh Python process, for facts that depend on Keras' backend.

Keras picks its backend once per process, when it is first imported, and the unit suite's
process has imported it on TensorFlow; a test file that must measure on another backend
runs itself as a program in a new process and hands its measurements back as JSON.
"""

import json
import os
import subprocess
import sys

from lab_utils._setup import notebook_environment


def run_fresh(script, *args, backend):
    """Run ``script`` with ``args`` where Keras starts on ``backend``; its last line, as JSON."""
    env = {**notebook_environment(os.environ), "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])
