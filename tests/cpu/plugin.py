"""nbval, strict, figures included, and true across CPUs: ``pytest -p cpu.plugin --nbval-cpu``.

nbval runs each notebook in a kernel and compares every cell's outputs with the stored ones,
but leaves images out (it adds ``image/png`` to its skip list unless ``--nbdime``). This
plugin collects the notebooks with nbval's own classes and replaces only the comparison
(cpu.verdict): where the kernels are the ones the outputs were made with (the fingerprint
cpu.fingerprint records in each notebook), every output, images by pixels; elsewhere the
cells tagged ``cpu-dependent`` by their claims, every other cell exactly.

    PYTHONPATH=tests pytest -p cpu.plugin --nbval-cpu --nbval-current-env notebooks/*.ipynb
"""

import json
import os
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell, IPyNbFile

from . import fingerprint
from .verdict import REPOSITORY, Policy, Suite, cell_problems

WORKER_KEY = "softmax_lab_kernels"


def pytest_addoption(parser):
    group = parser.getgroup("nbval")
    group.addoption(
        "--nbval-cpu",
        action="store_true",
        help="strict nbval, images by pixels, CPU-dependent cells by their claims "
        "where the kernels differ from the stored outputs'",
    )
    group.addoption(
        "--nbval-cpu-claims",
        type=Path,
        default=REPOSITORY.claims,
        help="folder of the claims files (<notebook>.toml)",
    )
    group.addoption(
        "--nbval-cpu-across",
        action="store_true",
        help="compare across CPUs even if the kernels are the stored outputs'",
    )
    group.addoption(
        "--nbval-cpu-kernels",
        type=Path,
        help="a JSON file with the kernel fingerprint to assume instead of "
        "measuring it (for the plugin's own tests)",
    )
    group.addoption(
        "--nbval-cpu-expect",
        choices=("same", "other"),
        help="fail unless the kernels are the same as / other than the stored "
        "outputs' (to check that the fingerprint sees a perturbation)",
    )


def pytest_configure(config):
    if not config.option.nbval_cpu:
        return
    if config.option.nbval or config.option.nbval_lax:
        raise pytest.UsageError("--nbval-cpu replaces --nbval and --nbval-lax")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: measured by the controller
        config._softmax_lab_kernels = json.loads(config.workerinput[WORKER_KEY])
    elif config.option.nbval_cpu_kernels:
        config._softmax_lab_kernels = json.loads(config.option.nbval_cpu_kernels.read_text())
    else:
        config._softmax_lab_kernels = fingerprint.measure(dict(os.environ))
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks())


class XdistHooks:
    def pytest_configure_node(self, node):
        node.workerinput[WORKER_KEY] = json.dumps(node.config._softmax_lab_kernels)


def pytest_report_header(config):
    if config.option.nbval_cpu:
        kernels = config._softmax_lab_kernels
        return [
            f"kernels here: {json.dumps(kernels['cpu'])}, {kernels['cores']} core(s), "
            f"{json.dumps(kernels['kernels'])}"
        ]
    return None


def pytest_collect_file(file_path, parent):
    if parent.config.option.nbval_cpu and file_path.suffix == ".ipynb":
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(IPyNbFile):
    """nbval's notebook, compared by cpu.verdict; images left to it (by pixels)."""

    def collect(self):
        config = self.config
        for item in super().collect():  # reads self.nb
            yield NotebookCell.from_parent(
                self, name=item.name, cell_num=item.cell_num, cell=item.cell, options=item.options
            )
        suite = Suite(self.path.parent, config.option.nbval_cpu_claims, REPOSITORY.measured)
        self.policy = Policy.for_notebook(
            self.nb,
            config._softmax_lab_kernels,
            suite.claims_of(self.path),
            force_other=config.option.nbval_cpu_across,
        )

    def setup(self):
        expect = self.config.option.nbval_cpu_expect
        if expect and (expect == "same") != self.policy.exact:
            pytest.fail(
                f"{self.path.name}: expected {expect} kernels; {self.policy.describe()}",
                pytrace=False,
            )
        super().setup()


class NotebookCell(IPyNbCell):
    def compare_outputs(self, test, ref, skip_compare=None):
        policy = self.parent.policy
        exact = policy.exact or self.cell.id not in policy.dependent
        if exact and not super().compare_outputs(test, ref, skip_compare):
            return False  # nbval's own comparison, with its diff
        problems = cell_problems(policy, self.cell, test)
        if problems:
            self.comparison_traceback = [policy.describe(), *problems]
            return False
        return True
