"""Every test process computes with the kernels the notebooks' setup() pins.

Tests that train a model or compare with stored numbers must see the same bits on
every x86-64 CPU, so the instruction set is pinned here, before any test module
imports TensorFlow or JAX.
"""

from lab_utils._setup import pin_instruction_set, quiet_tensorflow

quiet_tensorflow()
pin_instruction_set()
