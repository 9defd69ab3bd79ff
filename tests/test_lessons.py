"""The course's own lessons (docs/) end to end: doctests against the real
Kafka broker, the preview, MDX through the real compiler and a real Astro
build of the fixture site."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from node_tools import ASTRO_BUILDS, astro_build, compile_mdx

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LESSONS = sorted(path.relative_to(DOCS).with_suffix("").as_posix() for path in DOCS.glob("[0-9][0-9]-module-*/[0-9][0-9]-*.md"))

# What each lesson's MDX must contain (the lesson issues' "done when").
REQUIRED_IN_MDX = {
    "05-module-5/01-advanced-python-consumer": [
        "isolation.level",
        "'enable.auto.offset.store': False",
        "msg.error().fatal()",
        "import { Mermaid } from '../../../components/Mermaid.tsx';",
        "<Mermaid chart={`",
    ],
    "05-module-5/02-pandas-integration": [
        "json_normalize",
        re.compile(r"payload\[[\"']after[\"']\]"),
        re.compile(r"payload\[[\"']before[\"']\]"),
        "import Callout from '../../../components/Callout.tsx';",
        '<Callout type="warning"',
        "import { Mermaid } from '../../../components/Mermaid.tsx';",
        "<Mermaid chart={`",
    ],
}


def sphinx_build(builder: str, outdir: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """sphinx-build over docs/ with the project's conf.py, as the Makefile runs it."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-c", str(ROOT), "-W", "--keep-going", "-q",
         "-d", str(outdir.parent / f"doctrees-{builder}"), *extra, str(DOCS), str(outdir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tools"), **(env or {})},
        timeout=900,
    )


def test_the_course_has_the_module_5_lessons():
    assert LESSONS == sorted(REQUIRED_IN_MDX)


@pytest.fixture(scope="module")
def mdx_out(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("lessons") / "mdx"
    result = sphinx_build("mdx", outdir)
    assert result.returncode == 0, result.stderr
    return outdir


def test_lessons_build_to_mdx_without_warnings(mdx_out):
    written = sorted(path.relative_to(mdx_out).with_suffix("").as_posix() for path in mdx_out.rglob("*.mdx"))
    assert written == LESSONS


def test_lesson_mdx_compiles_and_has_what_the_lesson_promises(mdx_out):
    records = compile_mdx([mdx_out / f"{lesson}.mdx" for lesson in LESSONS], tree=True, check=True)
    for lesson, record in zip(LESSONS, records):
        source = (mdx_out / f"{lesson}.mdx").read_text(encoding="utf-8")
        for needle in REQUIRED_IN_MDX[lesson]:
            found = needle.search(source) if isinstance(needle, re.Pattern) else needle in source
            assert found, f"{lesson}.mdx lacks {needle!r}"
        # No hidden test plumbing reaches students.
        assert "KAFKA_BOOTSTRAP_SERVERS" not in source and "course_doctest" not in source
        assert record["headings"], f"{lesson} has no sections"


def test_astro_fixture_site_builds_the_lessons(mdx_out):
    ASTRO_BUILDS.mkdir(parents=True, exist_ok=True)
    site = Path(tempfile.mkdtemp(prefix="lessons-", dir=ASTRO_BUILDS)) / "site"
    try:
        dist = astro_build(mdx_out, site_dir=site)
        for lesson in LESSONS:
            page = dist / "course" / lesson / "index.html"
            assert page.is_file(), f"no page for {lesson}"
            text = html.unescape(page.read_text(encoding="utf-8"))
            source = (mdx_out / f"{lesson}.mdx").read_text(encoding="utf-8")
            title = re.search(r'^title: "(.*)"$', source, re.M).group(1)
            assert title in text
            assert 'class="mermaid-diagram"' in text
            first_heading = re.search(r"^## (.+)$", source, re.M).group(1)
            assert first_heading.replace("\\", "") in text
    finally:
        shutil.rmtree(site.parent, ignore_errors=True)


def test_preview_builds_without_warnings(tmp_path):
    result = sphinx_build("html", tmp_path / "html")
    assert result.returncode == 0, result.stderr
    for lesson in LESSONS:
        page = (tmp_path / "html" / f"{lesson}.html").read_text(encoding="utf-8")
        assert 'class="mermaid"' in page


def test_doctests_pass_against_the_real_broker(kafka_broker, tmp_path):
    result = sphinx_build("doctest", tmp_path / "doctest", env={"KAFKA_BOOTSTRAP_SERVERS": kafka_broker.bootstrap_servers})
    report = (tmp_path / "doctest" / "output.txt").read_text(encoding="utf-8") if (tmp_path / "doctest" / "output.txt").exists() else ""
    assert result.returncode == 0, result.stdout + result.stderr + report
    tests_run = sum(int(count) for count in re.findall(r"^\s*(\d+) tests?\b", report, re.M))
    assert tests_run > 0 and "0 failures in tests" in report, report
