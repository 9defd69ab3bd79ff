"""Sphinx extension: write course lessons as MDX for the Astro course site.

Rooms: ``builder`` (what to write, where, when outdated), ``translator``
(doctree → the intended mdast tree), ``mdx_writer`` (the tree → MDX by the
reference serializer in Node, verified by parsing it back),
``frontmatter`` (typed YAML and the site's schema), ``escaping`` (the
JavaScript and YAML the builder composes itself), ``paths`` (lesson names, output paths,
site URLs), ``anchors``/``slugs`` (heading ids as the site makes them),
``i18n`` (front matter and diagrams in the translation catalogs),
``collectors`` (what reading records for writing), ``outputs`` (atomic
writes into a shared directory), ``diagrams`` (Mermaid drawn as SVG at
build time), ``site`` (the target site's components, checked),
``settings``.
"""

from __future__ import annotations

from . import collectors, i18n
from .builder import MdxBuilder
from .settings import SETTINGS


def _keep_typography(app, config) -> None:
    # The site applies its own typography (smartypants); MDX keeps the
    # author's quotes and dashes as written.
    excludes = dict(config.smartquotes_excludes)
    excludes["builders"] = sorted({*excludes.get("builders", []), MdxBuilder.name})
    config.smartquotes_excludes = excludes


def setup(app):
    app.add_builder(MdxBuilder)
    for setting in SETTINGS:
        app.add_config_value(setting.name, setting.default, setting.rebuild, types=setting.types)
    app.connect("config-inited", _keep_typography)
    i18n.setup(app)
    collectors.register(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 5}
