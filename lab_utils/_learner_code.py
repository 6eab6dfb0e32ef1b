"""Running a learner's function: quietly, and saying in one line how it failed.

Shared by the exercise checks (``lab_utils.checks``) and the widgets that run a
learner's own function (``widgets.softmax_sliders``).
"""

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

#: How much of an exception's first line a message quotes.
REASON_CHARS = 140


def quietly(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` with NumPy's warnings silenced: the caller explains what went wrong."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def raised(err: BaseException) -> str:
    """``"raised ValueError: <its first line>"``, cut at `REASON_CHARS`."""
    text = str(err).strip()
    detail = text.splitlines()[0][:REASON_CHARS] if text else ""
    return f"raised {type(err).__name__}" + (f": {detail}" if detail else "")
