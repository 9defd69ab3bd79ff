"""Sphinx extension: when each phase of a build began, for the benchmark.

Loaded by the synthetic course's conf.py when ``BENCH_PHASES_FILE`` names a
file; at the end of the build that file holds a JSON object of
``time.monotonic()`` readings (one clock for every process on the machine,
so the benchmark can set them against the moment it started the build),
and ``write_doc``: the seconds spent in the builder's ``write_doc`` in this
process, Sphinx's WRITING phase (translating and handing the tree to the
Node writer, and writing the files whose answers have arrived) without its
RESOLVING phase (loading doctrees, post-transforms); answers still pending
are written in ``finish()``, which is part of the write phase.  With ``-j`` the mdx
builder writes in worker processes, so it is missing there.  For mdx builds
also ``mdx_serialize``/``mdx_verify``: the seconds Node spent writing the MDX
and parsing it back to check it; and, when the build drew its diagrams as
SVG (``app.builder.diagram_store``), ``diagram_start`` (seconds starting
the renderer: Node and headless Chromium, 0 if every chart was in the
cache), ``diagram_draw`` (seconds the renderer spent drawing) and
``diagrams_drawn`` (charts drawn, not taken from the cache).  Recording a
handful of timestamps costs nothing next to a build.
"""

from __future__ import annotations

import json
import os
import time

from .course import PHASES_ENV

# Sphinx event -> the name of the phase it starts.
EVENTS = {
    "builder-inited": "inited",  # extensions loaded, environment unpickled or new
    "env-before-read-docs": "read",  # outdated documents known; reading starts
    "env-updated": "save",  # reading done; environment pickled, consistency checked next
    "write-started": "write",  # documents resolved and written from here on
}


def setup(app):
    stamps: dict[str, float] = {}

    def stamp(name):
        def record(*args):
            stamps.setdefault(name, time.monotonic())

        return record

    for event, name in EVENTS.items():
        app.connect(event, stamp(name))

    writing = [0.0]

    def time_write_doc(app):
        write_doc = app.builder.write_doc

        def timed(docname, doctree):
            began = time.monotonic()
            try:
                return write_doc(docname, doctree)
            finally:
                writing[0] += time.monotonic() - began

        app.builder.write_doc = timed

    app.connect("builder-inited", time_write_doc)

    def finished(app, exception):
        stamps["finished"] = time.monotonic()
        if writing[0]:
            stamps["write_doc"] = writing[0]
        # Node's share of writing MDX (serialise, parse back and compare):
        # seconds inside Node over all writer processes, whether or not they
        # ran while Sphinx was busy.
        for step, seconds in getattr(app.builder, "writer_seconds", {}).items():
            stamps[f"mdx_{step}"] = seconds
        store = getattr(app.builder, "diagram_store", None)
        if store is not None:
            stamps["diagram_start"] = store.seconds["start"]
            stamps["diagram_draw"] = store.seconds["draw"]
            stamps["diagrams_drawn"] = store.drawn_count
        with open(os.environ[PHASES_ENV], "w", encoding="utf-8") as handle:
            json.dump(stamps, handle)

    app.connect("build-finished", finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
