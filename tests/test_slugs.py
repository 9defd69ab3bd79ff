"""The Python port of github-slugger against the real npm package."""

from __future__ import annotations

import sys
import unicodedata

from debezium_course.node_tools import github_slugs
from sphinx_astro_mdx.slugs import Slugger


def _python_slugs(headings):
    slugger = Slugger()
    return [slugger.slug(heading) for heading in headings]


def test_course_headings_slug_like_the_site():
    headings = [
        "Введение: от tutorial к production",
        "At-Least-Once vs Exactly-Once семантика",
        "Pandas 3.0: Важные изменения",
        "json_normalize для сложных структур",
        "Лабораторная работа: CDC Analytics",
        "Лабораторная работа: CDC Analytics",
        "`max.poll.interval.ms` и {rebalance} <1>",
        "Ёлка — ёж… «кавычки» 🚀 emoji",
    ]
    assert _python_slugs(headings) == github_slugs(headings)


def _settled(ch: str) -> bool:
    """Characters whose category is the same in Unicode 3.2 and today.

    Python 3.11 knows Unicode 14 while github-slugger's table is older, so
    characters assigned since differ for reasons of vintage, not of rule.
    """
    old = unicodedata.ucd_3_2_0.category(ch)
    return old != "Cn" and old == unicodedata.category(ch)


def test_every_settled_basic_plane_character_is_kept_or_dropped_like_github_slugger():
    # One heading per code point, numbered so that no two slugs collide;
    # surrogates cannot stand alone in a JSON string.
    characters = [chr(code) for code in range(0x20, 0x10000) if not 0xD800 <= code <= 0xDFFF and _settled(chr(code))]
    characters += ["\U0001F680", "\U0001D400", "\U00020000", "\U0001F1F7"]
    assert len(characters) > 50_000
    headings = [f"x{index}x{ch}x" for index, ch in enumerate(characters)]
    expected = github_slugs(headings)
    produced = _python_slugs(headings)
    mismatches = [(hex(ord(ch)), want, got) for ch, want, got in zip(characters, expected, produced) if want != got]
    assert mismatches == [], f"{len(mismatches)} differences (Python {sys.version_info[:2]}), first: {mismatches[:10]}"
