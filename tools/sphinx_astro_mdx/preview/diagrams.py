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

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import get_node_line

from sphinx_astro_mdx.diagrams import DiagramStore, UnsafeDiagram, chart_source, diagram_html, drawing_problem

logger = logging.getLogger(__name__)


def drawn_diagrams(app) -> bool:
    return app.config.mdx_diagrams == "svg"


def store_of(app) -> DiagramStore:
    """The build's diagram store (one renderer for the whole build)."""
    store = getattr(app.builder, "preview_diagram_store", None)
    if store is None:
        store = app.builder.preview_diagram_store = DiagramStore.for_app(app)
    return store


class StaticDiagramTransform(SphinxPostTransform):
    default_priority = 5
    formats = ("html",)

    def run(self, **kwargs) -> None:
        if not drawn_diagrams(self.app):
            return
        # Numbered as the site numbers them: only the diagrams drawn.
        drawn_so_far = 0
        for node in list(self.document.findall(lambda node: node.tagname == "mermaid")):
            drawing = self._drawing(node, drawn_so_far + 1)
            drawn_so_far += isinstance(drawing, nodes.raw)
            node.replace_self(drawing)

    def _drawing(self, node: nodes.Element, ordinal: int) -> nodes.Node:
        chart = chart_source(node)
        drawn = store_of(self.app).get(chart)
        problem = drawing_problem(drawn, node)
        if problem is None:
            try:
                return nodes.raw("", diagram_html(drawn.svg, ordinal), format="html")
            except UnsafeDiagram as error:
                problem = get_node_line(node), f"the diagram cannot be put in the page: {error}"
        where, message = problem
        logger.warning(message, location=(self.env.docname, where), type="mdx", subtype="diagram")
        # The author sees the chart that failed, where it is.
        return nodes.literal_block(chart, chart, classes=["mdx-diagram-error"])


def close_store(app, exception) -> None:
    store = getattr(app.builder, "preview_diagram_store", None)
    if store is not None:
        store.close()
