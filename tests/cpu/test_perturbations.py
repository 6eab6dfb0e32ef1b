"""A perturbation runs only where it changes something: the CPU can, and would pick otherwise."""

import pytest

from cpu import perturbations
from cpu.perturbations import BY_NAME


@pytest.mark.parametrize(
    ("flags", "why_not"),
    [
        ({"avx2", "avx512f"}, None),  # an AVX-512 CPU's OpenBLAS picks its own AVX-512 kernels
        ({"avx2"}, "these are this CPU's own kernels (it has no avx512f)"),
        ({"sse4_2"}, "this CPU has no avx2"),
    ],
)
def test_openblas_haswell_is_skipped_where_it_is_the_cpus_own_choice(monkeypatch, flags, why_not):
    monkeypatch.setattr(perturbations, "cpu_flags", lambda: flags)
    assert BY_NAME["openblas-haswell"].unavailable() == why_not


def test_an_instruction_set_the_cpu_lacks_is_skipped(monkeypatch):
    monkeypatch.setattr(perturbations, "cpu_flags", lambda: {"sse4_2", "avx", "avx2"})
    assert BY_NAME["native-avx512"].unavailable() == "this CPU has no avx512f"
    assert BY_NAME["native-sse4_2"].unavailable() is None
