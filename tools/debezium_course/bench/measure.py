"""Running one sphinx-build as a measured subprocess.

Each build is its own process, started the way ``make mdx`` starts it, so a
measurement includes the interpreter start and the extension imports a user
waits for.  Wall time is taken around the process; peak memory is the
``ru_maxrss`` that ``wait4`` reports for it, which on Linux covers the
process and every child it waited for (the ``-j`` workers), as the largest
of them; the phase split comes from ``debezium_course.bench.phases`` inside the build.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .course import PHASES_ENV
from debezium_course import REPO_ROOT

ROOT = REPO_ROOT
TOOLS = ROOT / "tools"
# Phases in build order, each from its mark to the next ("end" is the exit
# of the process): interpreter start to reading, reading, pickling the
# environment and the consistency check, resolving and writing documents
# (with finish()), shutdown.  Runs also have "write_doc" (see debezium_course.bench.phases).
PHASES = ("start", "read", "save", "write", "exit")
MARKS = ("read", "save", "write", "finished")


class BuildFailed(RuntimeError):
    pass


@dataclass
class Run:
    wall: float
    maxrss_kib: int
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds


@dataclass
class Summary:
    """Several runs of one build: medians of times, the highest peak memory."""

    runs: list[Run]

    @property
    def wall(self) -> float:
        return statistics.median(run.wall for run in self.runs)

    @property
    def maxrss_mib(self) -> float:
        return max(run.maxrss_kib for run in self.runs) / 1024

    def phase(self, name: str) -> float:
        """Median seconds of a phase; NaN if a run did not record it."""
        return statistics.median(run.phases.get(name, math.nan) for run in self.runs)


def sphinx_build(
    python: Path, builder: str, source: Path, outdir: Path, doctrees: Path, *options: str, conf: Path | None = None, env: dict | None = None
) -> Run:
    """Run ``python -m sphinx`` once; raises BuildFailed with its output if it fails.

    ``conf`` is the -c directory (default: the source's own conf.py), ``env``
    more environment variables.  The phases are recorded only if the conf.py
    loads ``debezium_course.bench.phases`` (the synthetic course's does, the course's own
    does not: then the run has its wall time and peak memory only).
    """
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        phases_file = Path(scratch, "phases.json")
        log = Path(scratch, "log.txt")
        env = {**os.environ, PHASES_ENV: str(phases_file), **(env or {})}
        conf_options = ["-c", str(conf)] if conf is not None else []
        command = [str(python), "-m", "sphinx", "-b", builder, "-q", "-d", str(doctrees), *conf_options, *options, str(source), str(outdir)]
        with log.open("wb") as output:
            began = time.monotonic()
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env, cwd=source)
            _, status, usage = os.wait4(process.pid, 0)
            ended = time.monotonic()
        # wait4 reaped it; tell Popen so it does not wait again.
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise BuildFailed(f"{' '.join(command)} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        marks = json.loads(phases_file.read_text(encoding="utf-8")) if phases_file.is_file() else None
    if marks is None:
        return Run(ended - began, usage.ru_maxrss)
    times = [began, *(marks[mark] for mark in MARKS), ended]
    phases = dict(zip(PHASES, (b - a for a, b in zip(times, times[1:]))))
    # Seconds (and, for diagrams_drawn, a count) as bench.phases recorded them.
    for mark in ("write_doc", "mdx_serialize", "mdx_verify", "diagram_start", "diagram_draw", "diagrams_drawn"):
        if mark in marks:
            phases[mark] = marks[mark]
    return Run(ended - began, usage.ru_maxrss, phases)


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_markdown_venv(venv: Path) -> Path:
    """The separate venv with sphinx-markdown-builder 0.6.x, made if missing.

    The project's requirements and its own package go in too, so the
    markdown build runs on the same Sphinx and MyST versions and the same
    conf.py as the mdx build; the project's own venv never gets
    sphinx-markdown-builder.
    """
    python = python_of(venv)
    marker = venv / ".bench-installed-2"  # 2: with the project package
    if marker.is_file():
        return python
    print(f"creating {venv} (requirements.txt + sphinx-markdown-builder 0.6.x) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt"), "sphinx-markdown-builder>=0.6,<0.7"],
        check=True,
    )
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)], check=True)
    marker.touch()
    return python


def package_versions(python: Path, *packages: str) -> str:
    code = "import importlib.metadata as m, sys; print(', '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))"
    return subprocess.run([str(python), "-c", code, *packages], capture_output=True, text=True, check=True).stdout.strip()
