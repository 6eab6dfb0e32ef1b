"""What every test process shares: the kernels the notebooks' setup() pins, and fixtures.

Tests that train a model or compare with stored numbers must see the same bits on
every x86-64 CPU, so the instruction set is pinned here, before any test module
imports TensorFlow or JAX.
"""

import pytest

from lab_utils._setup import pin_instruction_set, quiet_tensorflow

quiet_tensorflow()
pin_instruction_set()


@pytest.fixture
def close_figures():
    """Close every figure a test drew (modules that draw use it on all their tests)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
