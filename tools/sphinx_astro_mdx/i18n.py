"""Prose that lives outside the doctree's text, made translatable.

Sphinx's gettext machinery extracts and translates text nodes.  Two kinds of
page prose are not text nodes: the front matter's translatable fields (the
course's ``title``, ``description`` and ``topics``; YAML, not Markdown) and the labels of
Mermaid diagrams (the chart source is a node attribute).  Each gets an
invisible ``addnodes.translatable`` node, added before Sphinx's ``Locale``
transform runs: ``make gettext`` then puts them in the catalogs, and a
translated build applies the catalog's text to them.  A chart is one
message (its whole source), so a translator sees labels in their context
and keeps the diagram syntax around them.

The check box of a task list item is markup MyST puts in the item's first
paragraph; a translation replaces that paragraph, box and all.
``TaskListBoxes`` records each box on its item before that happens, and
marks the box (``task_checkbox``), which the MDX leaves to GFM's ``[ ]``.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinxcontrib.mermaid import mermaid

from . import frontmatter
from .settings import site_of


class front_matter_messages(nodes.Element, nodes.Invisible):
    """A lesson's front matter; its children are the prose to translate."""


class front_matter_text(nodes.Element, nodes.Invisible, addnodes.translatable):
    """One text of the front matter's prose fields, as one message.

    One node per message: Sphinx's Locale transform keeps one "translated"
    flag per node, so a node with several messages would get some of them
    skipped.
    """

    def preserve_original_messages(self) -> None:
        pass  # the original stays in "original"

    def extract_original_messages(self) -> list[str]:
        return [self["original"]]

    def apply_translated_message(self, original_message: str, translated_message: str) -> None:
        self.parent["front_matter"].translations[original_message] = translated_message


class chart_message(nodes.Element, nodes.Invisible, addnodes.translatable):
    """The source of the Mermaid chart this node sits in, as one message."""

    def preserve_original_messages(self) -> None:
        pass

    def extract_original_messages(self) -> list[str]:
        return [self["original"]]

    def apply_translated_message(self, original_message: str, translated_message: str) -> None:
        self.parent["code"] = translated_message


class AttachMessages(SphinxTransform):
    # After PreserveTranslatableMessages (10), before Locale (20).
    default_priority = 15

    def apply(self, **kwargs) -> None:
        docname = self.env.current_document.docname
        source = str(self.env.doc2path(docname))
        site = site_of(self.config)
        if site.pages.is_page(docname):
            matter = frontmatter.read(Path(source), site)
            node = front_matter_messages(front_matter=matter)
            for text in matter.messages(site.front_matter):
                message = front_matter_text(original=text)
                message.source, message.line = source, matter.line_of("title")
                node.append(message)
            self.document.append(node)
        for chart in self.document.findall(mermaid):
            message = chart_message(original=chart["code"])
            message.source = source
            # The mermaid directive does not record its line; its parent does.
            message.line = chart.line or chart.parent.line
            chart.append(message)


def document_front_matter(doctree: nodes.document) -> frontmatter.FrontMatter | None:
    """The front matter of a lesson's doctree, translations applied."""
    # AttachMessages appends the node to the document itself: looking among
    # the document's children, from the end, spares a walk over every node
    # (the collectors ask for it twice for every document read).
    node = next((child for child in reversed(doctree.children) if isinstance(child, front_matter_messages)), None)
    return None if node is None else node["front_matter"]


def _task_checkbox(item: nodes.Element) -> nodes.raw | None:
    """The check box MyST's tasklist extension puts first in a task list
    item's paragraph (markup MyST writes, not the author), if it is one."""
    if "task-list-item" not in item.get("classes", []) or not item.children or not isinstance(item[0], nodes.paragraph):
        return None
    first = item[0].children[0] if item[0].children else None
    if isinstance(first, nodes.raw) and first.astext().startswith('<input class="task-list-item-checkbox"'):
        return first
    return None


class TaskListBoxes(SphinxTransform):
    """Each task list item says whether it is checked (``item["checked"]``),
    whatever a translation does to its paragraph; its box is marked."""

    # Before Sphinx's Locale transform (20).
    default_priority = 15

    def apply(self, **kwargs) -> None:
        for item in self.document.findall(nodes.list_item):
            box = _task_checkbox(item)
            if box is not None:
                item["checked"] = "checked=" in box.astext()
                box["task_checkbox"] = True


def skip(translator, node) -> None:
    raise nodes.SkipNode


def setup(app) -> None:
    app.add_transform(AttachMessages)
    app.add_transform(TaskListBoxes)
    writers = {name: (skip, None) for name in ("html", "latex", "text", "man", "texinfo")}
    app.add_node(front_matter_messages, **writers)
    app.add_node(chart_message, **writers)
