"""Cell outputs compared two ways: exactly, or by their skeleton (everything but the numbers).

Outputs are grouped by key as nbval groups them (each stream by name, each MIME type of
display data), after nbval's own stream coalescing. Images are compared by their decoded
pixels, which nbval skips: it leaves ``image/png`` out unless run with ``--nbdime``.
"""

import base64
import io
import re
from collections import defaultdict

import numpy as np
from nbval.plugin import coalesce_streams
from PIL import Image

#: Random model ids, never the same twice (nbval skips them too).
UNCOMPARED = {"application/vnd.jupyter.widget-view+json"}
IMAGES = {"image/png", "image/jpeg"}
#: A printed number: sign, digits, decimal point, exponent (``-0.``, ``3.9e-07``, ``1904``).
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def by_key(outputs):
    """``{key: [value, ...]}``: each stream's text by name, each MIME type's data, errors."""
    grouped = defaultdict(list)
    for output in coalesce_streams([o.copy() for o in outputs]):
        if output.output_type == "stream":
            grouped[f"stream:{output.name}"].append(output.text)
        elif output.output_type == "error":
            grouped["error"].append(f"{output.ename}: {output.evalue}")
        else:
            for mime, value in output.get("data", {}).items():
                if mime not in UNCOMPARED:
                    grouped[mime].append(value)
    return dict(grouped)


def pixels(value):
    """The RGBA pixels of a base64-encoded image."""
    with Image.open(io.BytesIO(base64.b64decode(value))) as image:
        return np.asarray(image.convert("RGBA"))


def same_value(mime, stored, run):
    if mime in IMAGES:
        a, b = pixels(stored), pixels(run)
        return a.shape == b.shape and np.array_equal(a, b)
    return stored == run


def skeleton(text):
    """``text`` with every number replaced by ``#``, without spaces: what digits do not change."""
    return "\n".join(re.sub(r"[ \t]+", "", NUMBER.sub("#", line)) for line in text.splitlines())


def same_skeleton(mime, stored, run):
    if mime in IMAGES:
        return pixels(stored).shape == pixels(run).shape
    if isinstance(stored, str) and isinstance(run, str):
        return skeleton(stored) == skeleton(run)
    return stored == run


def differences(stored, run, same=same_value):
    """What differs between two cells' outputs, in words; [] when they agree."""
    stored, run = by_key(stored), by_key(run)
    if stored.keys() != run.keys():
        return [f"outputs {sorted(stored)} stored, {sorted(run)} now"]
    problems = []
    for key in stored:
        if len(stored[key]) != len(run[key]):
            problems.append(f"{key}: {len(stored[key])} outputs stored, {len(run[key])} now")
        elif not all(same(key, a, b) for a, b in zip(stored[key], run[key], strict=True)):
            problems.append(f"{key} differs")
    return problems


def skeleton_differences(stored, run):
    """What differs besides the numbers (and images' pixels: only their size is compared)."""
    return [
        f"{problem} (besides its numbers)" if problem.endswith("differs") else problem
        for problem in differences(stored, run, same_skeleton)
    ]


def moved(stored, run):
    """Which kinds of output moved: a subset of {"text", "image"} (empty: nothing moved)."""
    kinds = set()
    for problem in differences(stored, run):
        key = problem.split(" ")[0].rstrip(":")
        kinds.add("image" if key in IMAGES else "text")
    return kinds


def text_of(outputs):
    """All the text a cell printed or showed (streams, then text/plain), for claims to read."""
    grouped = by_key(outputs)
    parts = [*grouped.get("stream:stdout", []), *grouped.get("text/plain", [])]
    return "\n".join(parts)
