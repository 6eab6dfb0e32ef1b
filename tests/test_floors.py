"""The lower bounds in pyproject.toml are the versions `make floors` installs and tests."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def floors():
    """``{name: version}`` of .ci/floors.txt."""
    pins = {}
    for line in (ROOT / ".ci" / "floors.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def lower_bounds():
    """``{name: version}``: the ``>=`` bound of every runtime and [test] dependency here."""
    bounds = {}
    for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue  # another platform's package (tensorflow off Linux x86-64)
        low = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert len(low) == 1, f"{text!r} needs one lower bound (>=)"
        bounds[canonicalize_name(requirement.name)] = low[0]
    return bounds


def test_every_lower_bound_is_installed_exactly_by_the_floors_stage():
    pins = floors()
    for name, low in lower_bounds().items():
        assert name in pins, f"{name} >= {low} is not in .ci/floors.txt"
        assert re.sub(r"(\.0)+$", "", pins[name]) == re.sub(r"(\.0)+$", "", low), (
            f"{name}: pyproject.toml says >= {low}, .ci/floors.txt installs {pins[name]}"
        )


def test_the_floors_stage_pins_nothing_else():
    extra = set(floors()) - set(lower_bounds())
    assert extra == {"jaxlib"}  # jax[cpu]'s binary half, at jax's version
    assert floors()["jaxlib"] == floors()["jax"]


def test_lint_targets_the_oldest_python_claimed():
    oldest = re.fullmatch(r">=3\.(\d+),<3\.\d+", PROJECT["requires-python"])[1]
    assert f'target-version = "py3{oldest}"' in (ROOT / "pyproject.toml").read_text()
