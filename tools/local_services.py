"""What every service our tools start on this machine needs: a free port on
the loopback interface, and a child that dies with its parent."""

from __future__ import annotations

import ctypes
import signal
import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_parent() -> None:
    """``preexec_fn`` for a service process (a JVM, a database server).

    Runs in the child before exec: should the Python process that owns the
    service die without stopping it, the kernel sends the child SIGTERM
    instead of leaving an orphan holding ports and memory.
    """
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass
