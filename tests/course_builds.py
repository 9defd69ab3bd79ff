"""Running Sphinx over the course (docs/) or a test project, as the Makefile does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LESSON_GLOB = "[0-9][0-9]-module-*/[0-9][0-9]-*.md"
LESSONS = sorted(path.relative_to(DOCS).with_suffix("").as_posix() for path in DOCS.glob(LESSON_GLOB))


def sphinx_command(builder: str, source: Path, outdir: Path, *extra: str, conf: Path | None = None) -> list[str]:
    """The sphinx-build command line; ``conf`` is the -c directory (default: ``source``).

    Each output directory gets its own doctree cache beside it, so builds of
    different builders never share a pickled environment.
    """
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-d", str(outdir.parent / f".doctrees-{outdir.name}")]
    if conf is not None:
        command += ["-c", str(conf)]
    return [*command, *extra, str(source), str(outdir)]


def sphinx_build(
    builder: str, source: Path, outdir: Path, *extra: str, conf: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """sphinx-build in a subprocess, its output captured."""
    return subprocess.run(
        sphinx_command(builder, source, outdir, *extra, conf=conf),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


def build_course(builder: str, outdir: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The course with the project's conf.py, every warning an error."""
    return sphinx_build(builder, DOCS, outdir, "-W", "--keep-going", *extra, conf=ROOT, env=env)


def make_course(target: str, builddir: Path, *extra: str) -> subprocess.CompletedProcess:
    """`make <target>` for the course, as the README shows it, every warning
    an error; build outputs under ``builddir`` (the preview in
    ``builddir/html/ru``)."""
    return subprocess.run(
        ["make", "--no-print-directory", target, f"BUILDDIR={builddir}", "SPHINXOPTS=-W --keep-going", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def run_course_doctests(outdir: Path, broker, language: str = "ru") -> str:
    """Every doctest of the course against ``broker``, by the README's own
    command (`make doctest`), every warning an error; fails unless all pass
    and there were tests to run.  Returns the doctest builder's report."""
    result = subprocess.run(
        ["make", "--no-print-directory", "doctest", f"BUILDDIR={outdir}", f"LANGUAGE={language}", "SPHINXOPTS=-W --keep-going"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers},
        timeout=900,
    )
    report_path = outdir / "doctest" / language / "output.txt"
    report = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
    assert result.returncode == 0, result.stdout + result.stderr + report
    tests_run = sum(int(count) for count in re.findall(r"^\s*(\d+) tests?\b", report, re.M))
    assert tests_run > 0 and "0 failures in tests" in report, report
    return report
