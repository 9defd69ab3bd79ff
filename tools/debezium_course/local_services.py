"""What every service our tools start on this machine needs: a free port on
the loopback interface, a child that dies with its parent and is stopped with
the signal it expects, a Java to run it and its jars from Maven Central."""

from __future__ import annotations

import ctypes
import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

# Marks a jar directory whose download finished; a half-copied one lacks it.
COMPLETE_MARKER = ".complete"


class ToolchainError(RuntimeError):
    """A tool a service needs (java, mvn) is missing, too old or failed."""


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


def service_preexec() -> Callable[[], None] | None:
    """The ``preexec_fn`` for a service started by the calling thread, or None.

    The kernel sends the death signal when the *thread* that forked the child
    exits, not the process: from any other thread than the main one a finished
    worker thread would kill a service that is still in use. Elsewhere than on
    Linux there is no such signal.
    """
    if threading.current_thread() is threading.main_thread() and sys.platform.startswith("linux"):
        return die_with_parent
    return None


def stop_service(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Ask a service to shut down with ``sig``; SIGKILL it after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("pid %s ignored %s for %.0f s; killing it", process.pid, signal.Signals(sig).name, timeout)
        process.kill()
        process.wait()


def require_tool(name: str, purpose: str, hint: str) -> str:
    """Path of ``name`` on PATH; the error says what it is for and how to get it."""
    path = shutil.which(name)
    if path is None:
        raise ToolchainError(f"`{name}` not found on PATH (needed {purpose}): {hint}")
    return path


def java_version(java: str) -> str:
    """The version ``java -version`` reports, e.g. "17.0.15" or "1.8.0_402"."""
    probe = subprocess.run([java, "-version"], capture_output=True, text=True)
    match = re.search(r'version "([^"]+)"', probe.stderr)
    if not match:
        raise ToolchainError(f"cannot read the Java version from `{java} -version`: {probe.stderr.strip()}")
    return match.group(1)


def java_executable(min_major: int, *, purpose: str, hint: str) -> str:
    """$JAVA_HOME/bin/java, else java on PATH, checked to be Java ``min_major`` or newer."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home, "bin", "java"), os.X_OK):
        java = str(Path(java_home, "bin", "java"))
    else:
        java = require_tool("java", purpose, hint)
    numbers = re.match(r"(\d+)(?:\.(\d+))?", java_version(java))
    if not numbers:
        raise ToolchainError(f"cannot read the Java version from `{java} -version`")
    major = int(numbers.group(1))
    if major == 1:  # "1.8.0_x" style numbering of Java 8 and older
        major = int(numbers.group(2) or 0)
    if major < min_major:
        raise ToolchainError(f"{java} is Java {major}; Java {min_major}+ is needed {purpose}: {hint}")
    return java


def fetch_maven_jars(
    pom: Path,
    target: Path,
    properties: Mapping[str, str],
    *,
    what: str,
    expected_jar: str,
    hint: str,
    quiet: bool = True,
) -> Path:
    """Return ``target`` holding the runtime jars of ``pom``, copied there by Maven if missing.

    ``properties`` become ``-D`` options (the versions the pom leaves open);
    ``expected_jar`` is a glob that must match a copied jar, so a pom that
    resolves to nothing useful fails here rather than when the service starts.
    """
    if (target / COMPLETE_MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # pytest workers and parallel make targets may race for the first download.
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / COMPLETE_MARKER).exists():
            return target
        mvn = require_tool("mvn", f"to download the {what}", hint)
        # Maven copies into a fresh directory that becomes ``target`` only when
        # complete, so an interrupted download never looks like a cache.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        cmd = [
            mvn, "-q", "-B", "-f", str(pom),
            *(f"-D{name}={value}" for name, value in properties.items()),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={staging}",
        ]
        if not quiet:
            print(f"fetching the {what} into {target}", file=sys.stderr, flush=True)
        result = subprocess.run(cmd, capture_output=quiet, text=True, cwd=target.parent)
        if result.returncode != 0 or not any(staging.glob(expected_jar)):
            shutil.rmtree(staging, ignore_errors=True)
            output = ((result.stdout or "") + (result.stderr or ""))[-4000:]
            raise ToolchainError(f"mvn could not fetch the {what} (exit {result.returncode}):\n{output}")
        (staging / COMPLETE_MARKER).write_text(" ".join(f"{k}={v}" for k, v in properties.items()) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target
