"""Shared pytest setup: Sphinx test applications over tests/roots, the Kafka
broker fixtures, and one build of the course per kind for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from course_builds import LESSONS, make_course
from debezium_course.node_tools import astro_build, astro_site_dir, node_problem

pytest_plugins = ["sphinx.testing.fixtures", "fixtures_kafka"]

TESTS = Path(__file__).resolve().parent


# Test modules that never start Node (the broker, the captured events, the
# lessons' own Python); every other module builds MDX, and the builder
# writes MDX with Node.
NODE_FREE_MODULES = frozenset(
    {"test_cdc_fixtures", "test_cdc_fixtures_variants", "test_coverage", "test_kafka_broker", "test_lesson_eos", "test_lesson_event_variants", "test_lesson_outage"}
)


def pytest_collection_modifyitems(config, items):
    """Without Node (or its packages) the tests that need it are skipped,
    each saying why; with REQUIRE_NODE=1 (CI, `make test`) that is an error."""
    needs_node = [item for item in items if item.module.__name__ not in NODE_FREE_MODULES]
    problem = node_problem() if needs_node else None
    if problem is None:
        return
    if os.environ.get("REQUIRE_NODE") == "1":
        raise pytest.UsageError(f"these tests need Node, and REQUIRE_NODE=1 forbids skipping them: {problem}")
    skip = pytest.mark.skip(reason=f"needs Node 20+ and the project's node_modules (`make node`): {problem}")
    for item in needs_node:
        item.add_marker(skip)


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
