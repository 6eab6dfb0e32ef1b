"""The style is found from the package, wherever the learner's notebook runs."""

import subprocess
import sys

import matplotlib as mpl

import lab_utils
from lab_utils.style import CLASS_COLORS, style_path


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


def test_style_path_is_a_file():
    assert style_path().is_file()
