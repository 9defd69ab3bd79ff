"""Sphinx configuration for the Debezium/CDC course (Module 5 and onwards).

Build from the repository root with ``-c .`` and ``docs`` as the source
directory; the Makefile does exactly that.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

project = "Debezium CDC Course"
author = "Course authors"
copyright = "2026, Course authors"

# Russian is the source language; ``make html LANGUAGE=en`` builds a translation.
language = os.environ.get("SPHINX_LANGUAGE", "ru")
locale_dirs = [str(ROOT / "locale")]
gettext_compact = False
gettext_uuid = False

extensions = [
    "myst_parser",
    "sphinx.ext.doctest",
    "debezium_course.doctest_lines",
    "sphinxcontrib.mermaid",
    "sphinx_astro_mdx",
    "sphinx_astro_mdx.preview",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# --- MyST ---------------------------------------------------------------
# tasklist: `- [ ] item` check lists, as GFM has them on the site;
# linkify: a bare URL is a link, in the preview as on the site (GFM).
myst_enable_extensions = ["colon_fence", "deflist", "tasklist", "linkify"]
# Only URLs with a scheme or www., as GFM links them (not "example.com").
myst_linkify_fuzzy_links = False
# A plain ```mermaid fence is a diagram, not a code sample.
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
# HTML tags cannot reach MDX (they would become JSX), so in lessons they are
# text, in the preview as on the site.
myst_disable_syntax = ["html_inline", "html_block"]

# --- Preview (HTML) -----------------------------------------------------
html_theme = "furo"
html_title = "Debezium CDC — курс"
# sphinx_astro_mdx.preview (tools/sphinx_astro_mdx.preview) shows each lesson's front matter and
# doctest output, and copies Mermaid and d3 from node_modules (the versions
# package.json pins; `make node`) into _static: the preview works offline and
# stops with an error if a Mermaid setting would load a script from a CDN.
# Diagrams are drawn in the browser, by the same Mermaid as on the site.
mermaid_output_format = "raw"

# --- Doctests -----------------------------------------------------------
# Lesson code keeps the course addresses ('kafka:9092'); the hidden global
# setup points them at the broker the test harness started.
doctest_global_setup = """
from debezium_course.doctest_kafka import map_course_addresses as _map_course_addresses
_map_course_addresses()
"""
doctest_test_doctest_blocks = ""

# --- MDX builder (see tools/sphinx_astro_mdx) ----------------------------------
# The course's Astro site (the builder's default profile, spelled out).
mdx_site = "astro-course"
mdx_components_dir = "src/components"
mdx_external_lessons = [
    "module-1/05-python-consumer",
]


def _edition_settings(app, config):
    """Each edition is its own content collection of the site, with the same
    file names: the Russian course at /course/…, a translation at
    /<language>/course/….  Derived from the final ``language``, so
    ``-D language=en`` gets the English collection too."""
    if config.language in (None, "ru"):
        config.mdx_content_root = "src/content/course"
        config.mdx_site_base = "/debezium-course"
    else:
        config.mdx_content_root = f"src/content/course-{config.language}"
        config.mdx_site_base = f"/debezium-course/{config.language}"


def setup(app):
    app.connect("config-inited", _edition_settings)
