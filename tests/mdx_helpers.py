"""Helpers the MDX builder tests share: reading outputs, golden files, warnings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"


def mdx_files(outdir: Path) -> dict[str, str]:
    """Every MDX file under ``outdir`` by relative path, with its text."""
    return {str(path.relative_to(outdir)): path.read_text(encoding="utf-8") for path in sorted(outdir.rglob("*.mdx"))}


def assert_matches_golden(name: str, outdir: Path) -> None:
    """Compare a build's MDX files with tests/golden/<name>/.

    ``UPDATE_GOLDEN=1`` rewrites the golden files from the build instead,
    for a reviewed change of the output, and fails the test: a run that
    rewrites what it compares with proves nothing.
    """
    produced = mdx_files(outdir)
    golden_dir = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for relpath, text in produced.items():
            target = golden_dir / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        pytest.fail(f"UPDATE_GOLDEN=1 rewrote tests/golden/{name}/: review `git diff tests/golden`, then run the tests without it")
    expected = mdx_files(golden_dir)
    assert sorted(produced) == sorted(expected)
    for relpath in expected:
        assert produced[relpath] == expected[relpath], f"{relpath} differs from tests/golden/{name}/{relpath}"


def warnings_of(app) -> list[str]:
    """The warnings a test application logged, colour codes removed, one per entry."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    return [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line]
