"""The style is found from the package, wherever the learner's notebook runs."""

import subprocess
import sys
from pathlib import Path

import matplotlib as mpl

import lab_utils
from lab_utils.style import CLASS_COLORS, style_path

ROOT = Path(__file__).resolve().parent.parent


def test_use_style_sets_the_suite_palette():
    with mpl.rc_context():
        lab_utils.use_style()
        cycle = [c.lower() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert cycle == [c.lower() for c in CLASS_COLORS]


def test_use_style_works_from_another_working_directory(tmp_path):
    code = (
        "import matplotlib as mpl, lab_utils; lab_utils.use_style(); "
        "print(mpl.rcParams['axes.prop_cycle'].by_key()['color'][0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().lower() in ("#0096ff", "0096ff")


def test_style_ships_inside_an_installed_wheel(tmp_path):
    """Install the package (no dependencies) into a folder and use the style from there."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    code = "import lab_utils, lab_utils.style as s; lab_utils.use_style(); print(s.style_path())"
    code = f"import sys; sys.path.insert(0, {str(target)!r}); {code}"
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(target))


def test_style_path_is_a_file():
    assert style_path().is_file()
