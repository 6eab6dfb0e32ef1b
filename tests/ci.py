"""What the tests share about their machine: what to do when something they need is missing
(under CI fail, since everything must run there; elsewhere skip, saying what to install), and
free ports for the servers they start."""

import os
import socket

import pytest


def running_in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason):
    """Fail under CI, skip elsewhere, with `reason` (which says how to get what is missing)."""
    if running_in_ci():
        pytest.fail(f"CI is set, so this test must run: {reason}", pytrace=False)
    pytest.skip(reason)


def free_ports(count=1):
    """``count`` distinct TCP ports on 127.0.0.1 that nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports
