"""Which site anchor each section of each document gets.

Docutils gives sections ASCII ids (a Cyrillic heading becomes ``id3``) while
the Astro site slugs the heading text.  This collector records, per
document, the slug of every section id and of the targets attached to it,
so links into a section can use the anchor the site really has.
"""

from __future__ import annotations

from docutils import nodes
from .collectors import PerDocumentCollector
from .slugs import Slugger


def document_title_section(doctree: nodes.document, title: str | None) -> nodes.section | None:
    """The section headed by the page title, which the site renders from front matter.

    Only a first top-level heading that says exactly the front matter title
    is that; any other heading is content and is written.
    """
    first = next((child for child in doctree.children if isinstance(child, nodes.section)), None)
    if first is not None and title is not None and first[0].astext() == title:
        return first
    return None


class AnchorCollector(PerDocumentCollector):
    attribute = "mdx_anchors"

    def collect(self, app, doctree):
        title_section = document_title_section(doctree, app.env.metadata[app.env.docname].get("title"))
        slugger = Slugger()
        anchors = {}
        for section in doctree.findall(nodes.section):
            slug = "" if section is title_section else slugger.slug(section[0].astext())
            for node_id in section["ids"]:
                anchors[node_id] = slug
        return anchors
