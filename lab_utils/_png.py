"""PNG encoders for every image the suite makes: widget frames and figures saved in notebooks.

Used by `lab_utils.display` (every figure of notebooks 01-07) and `lab_utils.render` (the
widgets' frames in notebooks 01, 02, 04 and 07). Two encoders, for two needs:
`png_bytes` writes a slider frame (fast, not small); `small_png` writes an image that is
saved in a notebook (small, not fast). Nothing here draws or imports matplotlib.
"""

import struct
import zlib
from io import BytesIO

import numpy as np
from numpy.typing import ArrayLike

#: Colours kept in an image saved into a notebook: a chart has few, plus antialiasing.
SAVED_COLORS = 256


def png_bytes(pixels: ArrayLike) -> bytes:
    """Encode an RGBA (or RGB) pixel array as PNG, fast rather than small.

    Written with zlib directly: Pillow chooses a filter for every row by trying them
    all, which took longer than redrawing the chart. Every row here is stored minus
    the row above (PNG's "Up" filter: a chart's flat areas become zeros) and lightly
    compressed; any PNG reader decodes it.
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width, channels = pixels.shape
    rows = pixels.reshape(height, width * channels)
    filtered = np.empty((height, 1 + width * channels), np.uint8)
    filtered[:, 0] = 2  # the filter type of each row: Up
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # modulo 256, as PNG wants
    color_type = {3: 2, 4: 6}[channels]  # RGB, RGBA
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(filtered, 1))
        + _png_chunk(b"IEND", b"")
    )


def small_png(pixels: ArrayLike, colors: int = SAVED_COLORS) -> bytes:
    """Encode an RGBA (or RGB) pixel array as a small PNG, for an image saved in a notebook.

    The image is reduced to ``colors`` colours (Pillow's median cut, which is
    deterministic: the same pixels always give the same bytes) and compressed hard.
    A chart drawn for a 2x screen then takes about the bytes of the 1x RGBA image.
    """
    from PIL import Image  # only when saving: a slider frame never needs it

    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    image = Image.fromarray(pixels[..., :3])  # charts are opaque: drop alpha
    quantised = image.quantize(
        colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = BytesIO()
    quantised.save(out, format="png", optimize=True)
    return out.getvalue()


def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
