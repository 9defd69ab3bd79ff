"""Heading anchors exactly as the Astro site makes them.

Astro gives every Markdown heading the id that ``github-slugger`` computes from
its text: lower-cased, with every character removed that is not a letter, a
mark, a decimal digit or letter-like number, connector punctuation, an
alphabetic symbol (the circled Latin letters), a space or an ASCII hyphen,
and spaces turned into hyphens.  Repeated slugs in one page get ``-1``, ``-2``, …
(``tests/test_slugs.py`` checks this port against the real npm package).
"""

from __future__ import annotations

import unicodedata


def _kept(ch: str) -> bool:
    if ch in " -":
        return True
    category = unicodedata.category(ch)
    if category[0] in "LM" or category in ("Nd", "Nl", "Pc"):
        return True
    # Symbols that Unicode counts as alphabetic: Ⓐ … ⓩ.
    return category == "So" and unicodedata.name(ch, "").startswith("CIRCLED LATIN")


def slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if _kept(ch)).replace(" ", "-")


class Slugger:
    """Slugs for the headings of one page, in document order."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        original = result = slug(text)
        while result in self._occurrences:
            self._occurrences[original] += 1
            result = f"{original}-{self._occurrences[original]}"
        self._occurrences[result] = 0
        return result
