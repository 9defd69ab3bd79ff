"""Shared pytest setup: Sphinx test applications over the roots in tests/roots."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["sphinx.testing.fixtures", "fixtures_kafka"]

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return TESTS / "roots"
