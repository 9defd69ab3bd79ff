"""Which site anchor each section of a document gets.

Docutils gives sections ASCII ids (a Cyrillic heading becomes ``id3``) while
the Astro site slugs the heading text.  Every section id, and the ids of
targets attached to it, maps to the slug of its heading, so links into a
section can use the anchor the site really has.
"""

from __future__ import annotations

from docutils import nodes
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


def section_anchors(doctree: nodes.document, title: str | None) -> dict[str, str]:
    """Section id -> the site's anchor for it ('' for the page title's section)."""
    title_section = document_title_section(doctree, title)
    slugger = Slugger()
    anchors = {}
    for section in doctree.findall(nodes.section):
        slug = "" if section is title_section else slugger.slug(section[0].astext())
        for node_id in section["ids"]:
            anchors[node_id] = slug
    return anchors
