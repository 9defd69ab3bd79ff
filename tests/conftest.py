"""Shared pytest setup: Sphinx test applications over tests/roots, the Kafka
broker fixtures, and one build of the course per kind for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_builds import LESSONS, build_course
from node_tools import astro_build, astro_site_dir

pytest_plugins = ["sphinx.testing.fixtures", "fixtures_kafka"]

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return TESTS / "roots"


@pytest.fixture(scope="session")
def course_lessons() -> list[str]:
    assert LESSONS, "docs/ has no lessons"
    return LESSONS


def _built_course(tmp_path_factory, builder: str) -> Path:
    outdir = tmp_path_factory.mktemp("course") / builder
    result = build_course(builder, outdir)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="session")
def course_mdx(tmp_path_factory, course_lessons) -> Path:
    """The course's MDX (built with -W: any warning fails every test using it)."""
    return _built_course(tmp_path_factory, "mdx")


@pytest.fixture(scope="session")
def course_html(tmp_path_factory, course_lessons) -> Path:
    """The course's preview site (built with -W)."""
    return _built_course(tmp_path_factory, "html")


@pytest.fixture(scope="session")
def course_site(course_mdx):
    """dist/ of the Astro fixture site built from the course's MDX."""
    with astro_site_dir("course") as site:
        yield astro_build(course_mdx, site_dir=site)
