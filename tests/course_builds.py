"""Running Sphinx over the course (docs/) or a test project, as the Makefile does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TOOLS = ROOT / "tools"
LESSON_GLOB = "[0-9][0-9]-module-*/[0-9][0-9]-*.md"
LESSONS = sorted(path.relative_to(DOCS).with_suffix("").as_posix() for path in DOCS.glob(LESSON_GLOB))


def sphinx_build(
    builder: str, source: Path, outdir: Path, *extra: str, conf: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """sphinx-build in a subprocess; ``conf`` is the -c directory (default: ``source``).

    Each output directory gets its own doctree cache beside it, so builds of
    different builders never share a pickled environment.
    """
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-d", str(outdir.parent / f".doctrees-{outdir.name}")]
    if conf is not None:
        command += ["-c", str(conf)]
    return subprocess.run(
        [*command, *extra, str(source), str(outdir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(TOOLS), **(env or {})},
        timeout=900,
    )


def build_course(builder: str, outdir: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The course with the project's conf.py, every warning an error."""
    return sphinx_build(builder, DOCS, outdir, "-W", "--keep-going", *extra, conf=ROOT, env=env)
