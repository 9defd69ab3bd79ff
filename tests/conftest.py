"""Shared pytest setup: Sphinx test applications over tests/roots, the Kafka
broker fixtures, and one build of the course per kind for the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_builds import LESSONS, make_course
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


@pytest.fixture(scope="session")
def course_mdx(tmp_path_factory, course_lessons) -> Path:
    """The course's MDX by `make mdx` (with -W: any warning fails every test using it)."""
    build = tmp_path_factory.mktemp("course")
    result = make_course("mdx", build, f"MDX_OUT={build / 'mdx'}")
    assert result.returncode == 0, result.stdout + result.stderr
    return build / "mdx"


@pytest.fixture(scope="session")
def course_html(tmp_path_factory, course_lessons) -> Path:
    """The course's preview site by `make html` (with -W)."""
    build = tmp_path_factory.mktemp("course")
    result = make_course("html", build)
    assert result.returncode == 0, result.stdout + result.stderr
    return build / "html" / "ru"


@pytest.fixture(scope="session")
def course_site(course_mdx):
    """dist/ of the Astro fixture site built from the course's MDX."""
    with astro_site_dir("course") as site:
        yield astro_build(course_mdx, site_dir=site)
