"""Diagrams in the preview: the very SVG the site gets.

With ``mdx_diagrams = "svg"`` (the default), each Mermaid chart is drawn
once at build time by the mdx builder's renderer and the same drawing (the
same theme, from the same cache) goes into the preview page as inline SVG,
so the author sees what a student will.  A lesson page then loads no
Mermaid (sphinxcontrib-mermaid still adds its script to pages it cannot
look into, such as the index and search pages, from ``assets``' local copy).
With ``mdx_diagrams = "component"`` the site draws diagrams in the browser,
and so does the preview (sphinxcontrib-mermaid, assets from ``assets``).

The charts are swapped for HTML by a post-transform, for HTML builders only,
before sphinxcontrib-mermaid looks for charts on a page (it adds its script
only to pages that still have one).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import get_node_line

from sphinx_mdx.diagrams import DiagramStore, UnsafeDiagram, chart_source, diagram_html

logger = logging.getLogger(__name__)


def drawn_diagrams(app) -> bool:
    return app.config.mdx_diagrams == "svg"


def store_of(app) -> DiagramStore:
    """The build's diagram store (one renderer for the whole build)."""
    store = getattr(app.builder, "preview_diagram_store", None)
    if store is None:
        store = DiagramStore(Path(app.doctreedir) / "mdx-diagrams", app.config.mdx_diagram_theme)
        app.builder.preview_diagram_store = store
    return store


class StaticDiagramTransform(SphinxPostTransform):
    default_priority = 5
    formats = ("html",)

    def run(self, **kwargs) -> None:
        if not drawn_diagrams(self.app):
            return
        charts = [node for node in self.document.findall(lambda node: node.tagname == "mermaid")]
        for ordinal, node in enumerate(charts, start=1):
            node.replace_self(self._drawing(node, ordinal))

    def _drawing(self, node: nodes.Element, ordinal: int) -> nodes.Node:
        chart = chart_source(node)
        drawn = store_of(self.app).get(chart)
        line = get_node_line(node)
        try:
            if drawn.error is None:
                return nodes.raw("", diagram_html(drawn.svg, ordinal), format="html")
            problem = f"Mermaid cannot draw this diagram: {drawn.error}"
            where = line + drawn.line if line and drawn.line else line
        except UnsafeDiagram as error:
            problem, where = f"the diagram cannot be put in the page: {error}", line
        logger.warning(problem, location=(self.env.docname, where), type="mdx", subtype="diagram")
        # The author sees the chart that failed, where it is.
        return nodes.literal_block(chart, chart, classes=["mdx-diagram-error"])


def close_store(app, exception) -> None:
    store = getattr(app.builder, "preview_diagram_store", None)
    if store is not None:
        store.close()
