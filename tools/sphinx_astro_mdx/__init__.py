"""Sphinx extension: write Sphinx/MyST pages as MDX for an Astro site.

Rooms: ``profile`` (the one place that describes the target site: which
documents are pages, their URLs, the front matter schema, the components,
the admonition map; the course's site and Astro Starlight come built in),
``builder`` (what to write, where, when outdated), ``translator`` (doctree
→ the intended mdast tree), ``mdx_writer`` (the tree → MDX by the reference
serializer in Node, verified by parsing it back), ``frontmatter`` (typed
YAML checked against the profile's schema), ``escaping`` (the JavaScript
and YAML the builder composes itself), ``paths`` (output paths, paths
between files), ``site_links`` (links written as site paths), ``anchors``/``slugs`` (heading ids as the site makes them),
``i18n`` (front matter and diagrams in the translation catalogs),
``collectors`` (what reading records for writing), ``outputs`` (atomic
writes into a shared directory), ``diagrams`` (Mermaid drawn as SVG at
build time), ``site`` (the target site's components, checked where the
output lies in the site), ``settings`` (the ``mdx_*`` settings, declared
once), ``node_packages`` (where the Node scripts run), ``live`` (a warm
process that rebuilds on every save).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

from pathlib import Path

from . import collectors, i18n, node_packages, site_links
from .builder import MdxBuilder
from .profile import ASTRO_COURSE, STARLIGHT, Component, Field, Pages, SiteProfile
from .settings import SETTINGS, site_of

__all__ = ["ASTRO_COURSE", "STARLIGHT", "Component", "Field", "MdxBuilder", "Pages", "SiteProfile", "setup"]


def _keep_typography(app: Sphinx, config: Config) -> None:
    # The site applies its own typography (smartypants); MDX keeps the
    # author's quotes and dashes as written.
    excludes = dict(config.smartquotes_excludes)
    excludes["builders"] = sorted({*excludes.get("builders", []), MdxBuilder.name})
    config.smartquotes_excludes = excludes


def _configure(app: Sphinx, config: Config) -> None:
    # A mistake in the site profile or its settings stops every build (the
    # preview and the catalogs read the profile too) before it reads a page.
    site_of(config)
    node_packages.configure(Path(app.confdir), config.mdx_node_modules)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_builder(MdxBuilder)
    for setting in SETTINGS:
        app.add_config_value(setting.name, setting.default, setting.rebuild, types=setting.types, description=setting.description)
    app.connect("config-inited", _keep_typography)
    # Last: after conf.py's own handlers (the course's sets its edition's
    # base and content root there).
    app.connect("config-inited", _configure, priority=900)
    i18n.setup(app)
    collectors.register(app)
    site_links.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 7}
