"""The suite's colours and matplotlib style."""

from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt

#: The original lab's palette, in class order (class 0 is blue, class 1 orange, ...).
BLUE, ORANGE, DARK_RED, MAGENTA, PURPLE = "#0096FF", "#FF9300", "#C00000", "#FF40FF", "#7030A0"
CLASS_COLORS = (BLUE, ORANGE, DARK_RED, MAGENTA, PURPLE)

STYLE_NAME = "softmax_lab.mplstyle"


def style_path():
    """Path of the suite's .mplstyle, found from the package, not the working directory."""
    try:  # installed: styles/ is shipped as lab_utils.styles
        path = Path(str(resources.files("lab_utils.styles") / STYLE_NAME))
    except ModuleNotFoundError:  # a source checkout used without installing
        path = Path(__file__).resolve().parent.parent / "styles" / STYLE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"the softmax-lab style file is missing: {path}")
    return path


def use_style():
    """Apply the suite's matplotlib style (from any working directory)."""
    plt.style.use(style_path())
