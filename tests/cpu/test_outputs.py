"""Exact comparison sees every character and pixel; the skeleton sees all but the numbers."""

import base64
import io

import numpy as np
from nbformat.v4 import new_output
from PIL import Image

from cpu.outputs import differences, moved, skeleton, skeleton_differences


def png(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figure(pixels, alt="a figure"):
    return new_output("display_data", data={"image/png": png(pixels), "text/plain": alt})


def test_one_pixel_is_a_difference_although_nbval_skips_images():
    pixels = np.zeros((4, 6, 4), dtype=np.uint8)
    changed = pixels.copy()
    changed[2, 3, 0] = 1
    assert differences([figure(pixels)], [figure(pixels.copy())]) == []
    assert differences([figure(pixels)], [figure(changed)]) == ["image/png differs"]
    assert moved([figure(pixels)], [figure(changed)]) == {"image"}
    assert skeleton_differences([figure(pixels)], [figure(changed)]) == []
    assert skeleton_differences([figure(pixels)], [figure(pixels[:3])])


def test_the_same_pixels_in_other_png_bytes_are_the_same_figure():
    pixels = np.arange(96, dtype=np.uint8).reshape(4, 6, 4)
    other_bytes = io.BytesIO()
    Image.fromarray(pixels).save(other_bytes, format="PNG", compress_level=0)
    recompressed = new_output(
        "display_data",
        data={
            "image/png": base64.b64encode(other_bytes.getvalue()).decode(),
            "text/plain": "a figure",
        },
    )
    assert differences([figure(pixels)], [recompressed]) == []


def test_streams_are_compared_whole_however_they_were_chunked():
    whole = [new_output("stream", name="stdout", text="loss 0.16\naccuracy 0.98\n")]
    chunked = [
        new_output("stream", name="stdout", text="loss 0.16\n"),
        new_output("stream", name="stdout", text="accuracy 0.98\n"),
    ]
    assert differences(whole, chunked) == []
    assert differences(whole, [new_output("stream", name="stdout", text="loss 0.17\n")])


def test_the_skeleton_masks_numbers_and_their_padding_only():
    assert skeleton("sum = [ 0. -0.]\n    9 / 1331") == skeleton("sum = [0. 0.]\n   10 /  447")
    assert skeleton("final loss 0.16") != skeleton("final cost 0.16")
    assert skeleton("a\nb 1") != skeleton("a b 1")
    assert skeleton_differences(
        [new_output("stream", name="stdout", text="loss 0.1")],
        [new_output("stream", name="stderr", text="loss 0.1")],
    )
