"""The suite's colours, marker shapes, hatches and matplotlib style.

Why the palette differs from the original lab's: its class 3 was magenta (#FF40FF),
which a viewer without red or green cones sees as nearly the blue of class 0 (#0096FF):
under the Machado (2009) simulation the two are only ΔE2000 7.0 apart for protanopia
and 8.7 for deuteranopia, and in a region fill or an output strip nothing but colour
told them apart. Class 3 now takes the lab's own purple (#7030A0), which was its fifth
colour, and the fifth is a green (#228866). Every pair of class colours stays at least
``MIN_DELTA_E`` apart under protanopia, deuteranopia and tritanopia
(tests/test_colour_vision.py). Colour is never the only cue either: each class also
has a marker shape and a hatch pattern.
"""

from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt

#: The palette, in class order: the original lab's blue, orange and dark red, then purple, green.
BLUE, ORANGE, DARK_RED, PURPLE, GREEN = "#0096FF", "#FF9300", "#C00000", "#7030A0", "#228866"
CLASS_COLORS = (BLUE, ORANGE, DARK_RED, PURPLE, GREEN)
#: A marker shape per class, so a scatter reads without colour (circle, square, triangle...).
CLASS_MARKERS = ("o", "s", "^", "D", "v")
#: Their names, for descriptions of a figure (alt text).
MARKER_NAMES = {
    "o": "circles",
    "s": "squares",
    "^": "triangles",
    "D": "diamonds",
    "v": "downward triangles",
}
#: A hatch per class, for areas coloured by class (region fills, legend patches).
CLASS_HATCHES = ("", "////", "\\\\\\\\", "xxxx", "....")
#: The smallest CIEDE2000 distance allowed between two class colours, under any simulated
#: colour-vision deficiency (about 2.3 is "just noticeable"; 15 is plainly different).
MIN_DELTA_E = 15

#: Colour of reference lines, unit maps that belong to no class, and neutral text.
NEUTRAL = "#555555"

#: Figures are drawn at this many pixels per CSS pixel, for sharp text on HiDPI (2x)
#: screens, and shown at their 1x size (see lab_utils.display).
PIXEL_RATIO = 2

STYLE_NAME = "softmax_lab.mplstyle"


def style_path() -> Path:
    """Path of the suite's .mplstyle, found from the package, not the working directory."""
    try:  # installed: styles/ is shipped as lab_utils.styles
        path = Path(str(resources.files("lab_utils.styles") / STYLE_NAME))
    except ModuleNotFoundError:  # a source checkout used without installing
        path = Path(__file__).resolve().parent.parent / "styles" / STYLE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"the softmax-lab style file is missing: {path}")
    return path


def use_style() -> None:
    """Apply the suite's matplotlib style (from any working directory)."""
    plt.style.use(style_path())
