"""Sphinx extension: what only the HTML preview of the lessons needs.

Rooms: ``diagrams`` (Mermaid charts as the SVG the site gets, drawn at
build time), ``assets`` (Mermaid and d3 served from the repository's
node_modules when the site draws diagrams in the browser, so the preview
makes no request off the machine), ``lesson_panel`` (the lesson's front
matter shown above its content, doctest output marked as output). The
stylesheet is ``static/lesson-preview.css``.

Nothing here touches the doctrees other builders see: the panel and the
output class are added by a post-transform that runs for HTML builders only,
so the ``mdx`` builder never meets them. ``static/lesson-preview.js`` keeps a
linked section (``#anchor``) in view while Mermaid draws the diagrams above
it.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from . import assets, diagrams, lesson_panel

STATIC_DIR = Path(__file__).resolve().parent / "static"
STYLESHEET = "lesson-preview.css"
SCRIPT = "lesson-preview.js"


def _add_static_dir(app, config) -> None:
    # At config-inited, before the environment compares configurations: the
    # value is the same on every run, so it never looks like a change.
    if str(STATIC_DIR) not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]


def setup(app: Sphinx) -> dict[str, object]:
    # The preview reads lesson front matter with the mdx builder's reader and
    # knows the external lessons from its setting, mdx_external_lessons.
    app.setup_extension("sphinx_astro_mdx")
    app.setup_extension("sphinxcontrib.mermaid")
    app.add_config_value("preview_node_modules", "", "html", types=[str])
    app.connect("config-inited", _add_static_dir)
    app.connect("config-inited", assets.point_mermaid_at_local_copy)
    app.connect("builder-inited", assets.install_front_end_assets)
    app.add_post_transform(lesson_panel.LessonPreviewTransform)
    app.add_post_transform(diagrams.StaticDiagramTransform)
    app.connect("build-finished", diagrams.close_store)
    app.add_css_file(STYLESHEET)
    app.add_js_file(SCRIPT, loading_method="defer")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
