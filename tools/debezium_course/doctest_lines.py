"""Sphinx extension: doctest failures of ``testcode`` blocks at the right line.

``sphinx.ext.doctest`` gives a ``testcode`` example the block's line both as
the test's line and as the example's line, and Python's doctest adds the two
when it reports a failure, so a block at line 13 is reported at line 25.  The
runner here reports such a failure at the line of the block itself.
"""

from __future__ import annotations

import copy

from sphinx.ext.doctest import DocTestBuilder, SphinxDocTestRunner


class BlockLineRunner(SphinxDocTestRunner):
    def _failure_header(self, test, example):
        if len(test.examples) == 1 and example.lineno == test.lineno:
            # Sphinx counts lines from 0 (the block's line minus one) and
            # doctest adds one: with the example at offset 0 that is the
            # block's own line.
            example = copy.copy(example)
            example.lineno = 0
        return super()._failure_header(test, example)


class CourseDocTestBuilder(DocTestBuilder):
    # DocTestBuilder makes a new SphinxDocTestRunner for every document inside
    # test_doc(); the property turns each one into a BlockLineRunner as it
    # is assigned (the subclass only overrides a method, so the runner's
    # state is untouched).
    @property
    def test_runner(self) -> BlockLineRunner:
        return self._block_line_runner

    @test_runner.setter
    def test_runner(self, runner: SphinxDocTestRunner) -> None:
        runner.__class__ = BlockLineRunner
        self._block_line_runner = runner


def setup(app):
    app.setup_extension("sphinx.ext.doctest")
    app.add_builder(CourseDocTestBuilder, override=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
