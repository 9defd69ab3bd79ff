"""Doctest coverage per lesson: how many of each lesson's code blocks run.

    python -m debezium_course.coverage [-c CONFDIR] [--fail-under PERCENT] SOURCEDIR

A lesson migrated from hand-written Markdown keeps code that nobody runs
until its author turns each block into a ``testcode`` or ``doctest``.  This
lists, per document, the visible code blocks ``sphinx.ext.doctest`` executes
against those only shown, so the author sees what is left to convert.

Executed: ``doctest`` and ``testcode`` blocks, and ``>>>`` paragraphs when
``doctest_test_doctest_blocks`` is set.  Shown only: every other literal
block (code fences, ``code-block``, any language).  Not counted: a
``testoutput`` (the output of its ``testcode``), hidden blocks
(``testsetup``, ``testcleanup``, ``:hide:``; the reader never sees them),
Mermaid diagrams.

Sphinx only reads the sources (the ``dummy`` builder, doctrees in a
temporary directory): nothing is executed and no broker is needed.  Exit
status 0, or 1 when ``--fail-under`` is given and the executed share of all
code blocks is below it, or 2 when Sphinx cannot read the sources.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError

EXECUTED_KINDS = frozenset({"doctest", "testcode"})


@dataclass(frozen=True)
class Count:
    executed: int = 0
    shown: int = 0

    def __add__(self, other: Count) -> Count:
        return Count(self.executed + other.executed, self.shown + other.shown)

    @property
    def blocks(self) -> int:
        return self.executed + self.shown


def count_blocks(doctree: nodes.Node, test_doctest_blocks: bool) -> Count:
    executed = shown = 0
    # Hidden doctest blocks are comment nodes, so they are never visited.
    for node in doctree.findall(lambda n: isinstance(n, (nodes.literal_block, nodes.doctest_block))):
        assert isinstance(node, nodes.Element)
        kind = node.get("testnodetype")
        if kind in EXECUTED_KINDS or (isinstance(node, nodes.doctest_block) and test_doctest_blocks):
            executed += 1
        elif kind is None and node.get("language") != "mermaid":
            # Without sphinxcontrib.mermaid (or myst_fence_as_directive) a
            # diagram stays a literal block; it is still not code.
            shown += 1
    return Count(executed, shown)


def lesson_counts(sourcedir: Path, confdir: Path | None) -> dict[str, Count]:
    """Counts for every document with at least one code block, by document name."""
    with tempfile.TemporaryDirectory(prefix="doctest-coverage-") as work:
        app = Sphinx(
            sourcedir,
            confdir if confdir is not None else sourcedir,
            Path(work) / "out",
            Path(work) / "doctrees",
            "dummy",
            status=None,
            warning=sys.stderr,
            freshenv=True,
        )
        app.build(force_all=True)
        # sphinx.ext.doctest tests '>>>' paragraphs whenever this is non-empty.
        test_doctest_blocks = bool(app.config.doctest_test_doctest_blocks)
        counts = {name: count_blocks(app.env.get_doctree(name), test_doctest_blocks) for name in sorted(app.env.found_docs)}
    return {name: count for name, count in counts.items() if count.blocks}


def executed_percent(total: Count) -> float:
    # No code at all leaves nothing to convert: nothing is missing.
    return 100.0 * total.executed / total.blocks if total.blocks else 100.0


def format_table(counts: dict[str, Count]) -> str:
    total = sum(counts.values(), Count())
    width = max([len("lesson"), len("total"), *map(len, counts)])
    lines = [f"{'lesson':<{width}}  executed  shown only"]
    lines += [f"{name:<{width}}  {count.executed:>8}  {count.shown:>10}" for name, count in counts.items()]
    # Rounded down: "100 %" only when every block runs.
    share = f"({math.floor(executed_percent(total))} % executed)" if total.blocks else "(no code blocks)"
    lines.append(f"{'total':<{width}}  {total.executed:>8}  {total.shown:>10}   {share}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debezium_course.coverage", description=__doc__.splitlines()[0])
    parser.add_argument("-c", dest="confdir", type=Path, help="directory of conf.py (default: SOURCEDIR)")
    parser.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 when less than PERCENT %% of the code blocks are executed")
    parser.add_argument("sourcedir", type=Path)
    args = parser.parse_args(argv)

    try:
        counts = lesson_counts(args.sourcedir, args.confdir)
    except SphinxError as error:
        # As sphinx-build: 2 when the sources cannot be read, so that it is
        # not taken for coverage below --fail-under.
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 2
    print(format_table(counts))
    percent = executed_percent(sum(counts.values(), Count()))
    if args.fail_under is not None and percent < args.fail_under:
        print(f"doctest coverage {percent:.1f} % is below --fail-under {args.fail_under:g} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
