"""What a measurement was made of: a digest of a notebook's code."""

import hashlib
import json


def code_digest(nb):
    """sha256 of the code cells (id and source, in order): outputs and prose excluded."""
    code = [[cell.get("id"), cell.source] for cell in nb.cells if cell.cell_type == "code"]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()[:16]
