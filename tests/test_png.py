"""lab_utils._png: PNGs any reader decodes, and the figure formatter without the renderer."""

import subprocess
import sys
from io import BytesIO

import numpy as np
import pytest
from PIL import Image

from lab_utils._png import png_bytes, small_png


@pytest.mark.parametrize("channels", [3, 4])
def test_png_bytes_decode_to_the_same_pixels(channels):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (7, 5, channels), dtype=np.uint8)
    pixels[3:] = pixels[2]  # flat rows, as in a chart
    decoded = np.asarray(Image.open(BytesIO(png_bytes(pixels))))
    np.testing.assert_array_equal(decoded, pixels)


def test_small_png_is_reproducible():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (40, 30, 4), dtype=np.uint8)
    assert small_png(pixels) == small_png(pixels.copy())


def test_small_png_keeps_few_colours_and_drops_alpha():
    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, (5, 4), dtype=np.uint8)
    pixels = palette[rng.integers(0, 5, (20, 30))]
    decoded = np.asarray(Image.open(BytesIO(small_png(pixels))).convert("RGBA"))
    np.testing.assert_array_equal(decoded[..., :3], pixels[..., :3])
    assert (decoded[..., 3] == 255).all()


def modules_loaded_by(statement):
    code = f"import sys\n{statement}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("statement", ["import lab_utils", "import lab_utils.display"])
def test_the_figure_formatter_does_not_load_the_widget_renderer(statement):
    # the renderer leans on matplotlib's private text API; a notebook without widgets skips it
    loaded = modules_loaded_by(statement)
    assert "lab_utils.display" in loaded  # the probe saw lab_utils' modules
    assert "lab_utils.render" not in loaded
