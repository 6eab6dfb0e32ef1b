"""Test helpers that read a widget view's chart, which the views keep to themselves."""

import io

from PIL import Image


def sharp_chart(view):
    """The chart ``view`` draws at 2x once a slider stops: its saved image and alt text."""
    return view._charts.sharp


def assert_saved_image_is_the_sharp_chart(png, view):
    """``png`` (a saved output's bytes) shows the sharp chart: its size, and a drawing."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == sharp_chart(view).canvas.get_width_height()
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 2  # not a blank frame
