"""What a test does when something it needs is missing: under CI it fails (everything
must run there), elsewhere it is skipped with what to install."""

import os

import pytest


def running_in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason):
    """Fail under CI, skip elsewhere, with `reason` (which says how to get what is missing)."""
    if running_in_ci():
        pytest.fail(f"CI is set, so this test must run: {reason}", pytrace=False)
    pytest.skip(reason)
