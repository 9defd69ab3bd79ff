"""Docutils doctree → the intended MDX tree (mdast).

One visit/depart pair per node kind, grouped by kind (structure, blocks,
inline, links, media, tables, components, ignored).  The translator does
not write MDX text: it builds the page as an mdast tree.  Author text only
ever becomes node values (text, code, image alt, link and image URLs,
footnote labels) and JSX attribute values; MDX nodes (JSX elements,
expressions, ESM) are only made by methods here.  ``mdx_writer`` turns the tree into MDX with
the reference serializer and checks it by parsing it back.

Every node that comes from a located docutils node carries ``data.line``,
so a problem found in the tree is reported at the lesson's line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from docutils import nodes
from sphinx.locale import admonitionlabels
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.nodes import get_node_line

from . import escaping
from .anchors import document_title_section
from .diagrams import UnsafeDiagram, chart_source, diagram_jsx, drawing_problem
from .mdx_writer import Problem

logger = logging.getLogger(__name__)

DOC_LINK_SCHEME = "mdx-doc:"

# Containers whose children are blocks; inline content that lands in one
# directly (text outside any paragraph) is given a paragraph.
FLOW_PARENTS = frozenset({"root", "blockquote", "listItem", "footnoteDefinition", "mdxJsxFlowElement"})
PHRASING = frozenset(
    {"text", "emphasis", "strong", "inlineCode", "break", "link", "image", "footnoteReference", "mdxJsxTextElement"}
)
# URL schemes a link on the site may have; relative paths and anchors have none.
LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# A Markdown (ATX) heading line: up to three spaces, then 1–6 `#`.
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
ALIGNMENTS = {"text-left": "left", "text-center": "center", "text-right": "right"}
# The class that asks for a callout without a title (the site's component
# then shows its own label): what an imported titleless callout becomes.
UNTITLED_CLASS = "untitled"
# Characters a code fence's info string may carry (a language name).
_NOT_LANGUAGE = re.compile(r"[^A-Za-z0-9_+#.-]")


def text(value: str) -> dict:
    return {"type": "text", "value": value}


class MdxTranslator(SphinxTranslator):
    def __init__(self, document: nodes.document, builder) -> None:
        super().__init__(document, builder)
        self.docname = builder.current_docname
        self.settings_mdx = builder.mdx_settings
        self.components_used: set[str] = set()
        self._handlers: dict[type, tuple[Callable, Callable]] = {}
        self.forms = builder.forms
        # Why this lesson cannot be written (a diagram Mermaid cannot draw).
        self.problems: list[Problem] = []
        self._diagrams = 0
        self.tree: dict = {"type": "root", "children": []}
        # The mdast nodes being filled, innermost last.
        self._open: list[dict] = [self.tree]
        # The paragraph made for inline content found directly in a flow
        # container, while more such content may follow.
        self._loose_paragraph: dict | None = None
        self._section_level = 0
        # Source files' lines, for the level of each heading (path -> lines).
        self._source_lines: dict[str, list[str]] = {}
        matter = builder.env.mdx_front_matter.get(self.docname)
        self._title_section = document_title_section(document, matter.title if matter else None)

    # ------------------------------------------------------------------
    # walking

    def walk(self, node: nodes.Node) -> None:
        """Visit ``node`` and its subtree, as ``node.walkabout(self)`` would.

        docutils' walkabout formats a debug message at every visit and
        departure and searches the node's MRO for the method each time; on a
        large course that was about half of the time spent in this
        translator.  The visit methods here only ever raise SkipNode.
        """
        visit, depart = self._handlers.get(type(node)) or self._find_handlers(type(node))
        try:
            visit(node)
        except nodes.SkipNode:
            return
        for child in node.children:
            self.walk(child)
        depart(node)

    def _find_handlers(self, node_class: type) -> tuple[Callable, Callable]:
        """The visit and depart methods for a node class: the first along its
        MRO, as ``SphinxTranslator.dispatch_visit`` finds them, looked up once
        per node class.  ``getattr`` on the instance also finds the handlers
        another extension registers with ``app.add_node(..., mdx=(visit,
        depart))``, which Sphinx sets on the translator instance."""

        def first(prefix: str, fallback: Callable) -> Callable:
            for klass in node_class.__mro__:
                method = getattr(self, prefix + klass.__name__, None)
                if method is not None:
                    return method
            return fallback

        handlers = (first("visit_", self.unknown_visit), first("depart_", self.unknown_departure))
        self._handlers[node_class] = handlers
        return handlers

    def walk_children(self, node: nodes.Node) -> None:
        for child in node.children:
            self.walk(child)

    # ------------------------------------------------------------------
    # building the tree

    # The tree-building API, for this translator and for other extensions:
    # a handler registered with app.add_node(Node, mdx=(visit, depart)) is
    # called with this translator as ``self`` and builds its part of the
    # page with new/append/enter/leave (mdast nodes; author text only in
    # node values, which the writer verifies like everything else).

    def new(self, kind: str, source: nodes.Node | None = None, **fields) -> dict:
        """An mdast node that carries the lesson line of ``source``."""
        node = {"type": kind, **fields}
        line = get_node_line(source) if source is not None else None
        if line:
            node["data"] = {"line": line}
        return node

    def append(self, node: dict) -> dict:
        """Append a node to the one being filled (inline content directly in
        a block container gets a paragraph)."""
        parent = self._open[-1]
        if node["type"] in PHRASING and parent["type"] in FLOW_PARENTS:
            if not parent["children"] or parent["children"][-1] is not self._loose_paragraph:
                self._loose_paragraph = {"type": "paragraph", "children": []}
                parent["children"].append(self._loose_paragraph)
            parent = self._loose_paragraph
        parent["children"].append(node)
        return node

    def enter(self, node: dict) -> dict:
        """Append a node with children and make it the one being filled."""
        self.append(node)
        node.setdefault("children", [])
        self._open.append(node)
        return node

    def leave(self) -> dict:
        """Close the node ``enter`` opened."""
        return self._open.pop()

    @staticmethod
    def _append_to(parent: dict, child: dict) -> dict:
        parent["children"].append(child)
        return child

    def _styled_paragraph(self, source: nodes.Node, style: str, children) -> None:
        """A paragraph of ``children`` in emphasis or strong: rubrics, captions, table titles."""
        paragraph = self.enter(self.new("paragraph", source))
        self._inside(self._append_to(paragraph, {"type": style}), children)
        self.leave()

    def _skip(self, node):
        raise nodes.SkipNode

    def _inside(self, node: dict, children) -> dict:
        """``node`` filled with the translation of ``children``, without appending it."""
        node.setdefault("children", [])
        self._open.append(node)
        for child in children:
            self.walk(child)
        return self._open.pop()

    def _warn(self, message: str, node: nodes.Node) -> None:
        logger.warning(message, location=node, type="mdx", subtype="unsupported")

    # ------------------------------------------------------------------
    # structure

    def visit_document(self, node):
        pass

    def depart_document(self, node):
        pass

    # A heading keeps its level: the `#`s its author wrote (see
    # _written_depth), else its section's depth in the document.  Under the
    # page title (which the front matter carries) that is ## and below; a
    # lesson whose first heading is not the title keeps its # headings.

    def visit_section(self, node):
        self._section_level += 1

    def depart_section(self, node):
        self._section_level -= 1

    def visit_title(self, node):
        parent = node.parent
        if not isinstance(parent, nodes.section):
            self.unknown_visit(node)
        if parent is self._title_section:
            # The page title is the front matter's `title`; the site renders it.
            raise nodes.SkipNode
        self.enter(self.new("heading", node, depth=max(self._written_depth(node) or 0, min(self._section_level, 6))))

    def _written_depth(self, title: nodes.title) -> int | None:
        """The level the author wrote a Markdown heading at (its `#`s).

        MyST nests sections in the order headings come, so a `###` right
        under the `#` title becomes a second-level section (with MyST's
        warning); the page keeps the level the author wrote, as the site's
        hand-written pages have it, or the section's depth where that is
        deeper (an included file's `#` under a heading offset).  None for
        other headings (setext, reStructuredText).
        """
        line = self._markdown_line(title)
        match = _ATX_HEADING.match(line) if line is not None else None
        # Text after the `#`s: a line of `#` alone underlines a
        # reStructuredText title (in an {eval-rst} block), it is no heading.
        return len(match.group(1)) if match and line[match.end():].strip(" #") else None

    def _markdown_line(self, node: nodes.Node, before: int = 0) -> str | None:
        """The Markdown source line ``node`` starts at (or the one ``before``
        lines above it), None if unknown or not from a Markdown file."""
        source, line = node.source, get_node_line(node)
        if not source or not line or not source.endswith(".md") or line - before < 1:
            return None
        if source not in self._source_lines:
            try:
                with open(source, encoding="utf-8") as file:
                    self._source_lines[source] = file.read().splitlines()
            except OSError:
                self._source_lines[source] = []
        lines = self._source_lines[source]
        return lines[line - before - 1] if line - before <= len(lines) else None

    def _written_spread(self, node: nodes.Element) -> bool | None:
        """Whether the author wrote a Markdown list loose (CommonMark: a blank
        line between two of its items, or between two blocks of one item),
        None if the source does not say.  Docutils keeps no such thing, and
        the site shows a tight list without paragraphs in its items."""
        starts = list(node.children[1:])
        starts += [block for item in node.children for block in item.children[1:]]
        seen = False
        for start in starts:
            previous = self._markdown_line(start, before=1)
            if previous is None:
                return None
            seen = True
            if not previous.strip():
                return True
        return False if seen else None

    def depart_title(self, node):
        self.leave()

    def visit_paragraph(self, node):
        self.enter(self.new("paragraph", node))

    def depart_paragraph(self, node):
        self.leave()

    def visit_compound(self, node):
        if "toctree-wrapper" in node["classes"]:
            if self.settings_mdx.site.pages.is_page(self.docname):
                self._warn("a toctree has no place in a page of the site and is not written to MDX", node)
            raise nodes.SkipNode

    def depart_compound(self, node):
        pass

    def visit_container(self, node):
        pass

    def depart_container(self, node):
        pass

    def visit_inline(self, node):
        pass

    def depart_inline(self, node):
        pass

    # ------------------------------------------------------------------
    # block kinds

    # Whether a list is loose (blank lines between items, paragraphs in
    # <p>): as its author wrote it in Markdown, else for the writer to say,
    # once it knows which items hold more than one block.

    def _list(self, node, **fields) -> None:
        spread = self._written_spread(node)
        self.enter(self.new("list", node, **fields, **({} if spread is None else {"spread": spread})))

    def visit_bullet_list(self, node):
        self._list(node, ordered=False)

    def visit_enumerated_list(self, node):
        self._list(node, ordered=True, start=node.get("start", 1))

    def _depart_list(self, node):
        self.leave()

    depart_bullet_list = depart_enumerated_list = _depart_list

    def visit_list_item(self, node):
        item = self.enter(self.new("listItem", node))
        if "checked" in node:
            # A task list item (i18n.TaskListBoxes): GFM writes its box itself.
            item["checked"] = node["checked"]

    def depart_list_item(self, node):
        self.leave()

    def visit_definition_list(self, node):
        # Markdown has no definition lists: each term becomes a list item in
        # bold with its definition below it.
        self.enter(self.new("list", node, ordered=False))

    def depart_definition_list(self, node):
        self.leave()

    def visit_definition_list_item(self, node):
        item = self.enter(self.new("listItem", node))
        term = self.new("paragraph", node, children=[])
        strong = {"type": "strong", "children": []}
        term["children"].append(strong)
        item["children"].append(term)
        for child in node.children:
            if isinstance(child, nodes.term):
                self._inside(strong, child.children)
            elif isinstance(child, nodes.classifier):
                # As docutils' HTML writer shows it: "term : classifier".
                strong["children"].append(text(" : "))
                self._inside(strong, child.children)

    def depart_definition_list_item(self, node):
        self.leave()

    # Already written by visit_definition_list_item.
    visit_term = visit_classifier = _skip

    def visit_definition(self, node):
        pass

    def depart_definition(self, node):
        pass

    def visit_block_quote(self, node):
        self.enter(self.new("blockquote", node))

    def depart_block_quote(self, node):
        self.leave()

    def visit_attribution(self, node):
        self.enter(self.new("paragraph", node, children=[text("— ")]))

    def depart_attribution(self, node):
        self.leave()

    def visit_line_block(self, node):
        paragraph = self.enter(self.new("paragraph", node))
        for index, line in enumerate(node.findall(nodes.line)):
            if index:
                paragraph["children"].append({"type": "break"})
            # A nested line block is an indented line; Markdown has no
            # indentation inside a paragraph, so no-break spaces keep it.
            depth, block = 0, line.parent
            while block is not node:
                depth, block = depth + 1, block.parent
            if depth:
                paragraph["children"].append(text("\u00a0" * 4 * depth))
            self.walk_children(line)
        self.leave()
        raise nodes.SkipNode

    def visit_transition(self, node):
        if "footnotes" not in node["classes"]:
            self.append(self.new("thematicBreak", node))
        raise nodes.SkipNode

    def visit_rubric(self, node):
        self._styled_paragraph(node, "strong", node.children)
        raise nodes.SkipNode

    def visit_literal_block(self, node):
        if node.get("testnodetype") == "testoutput":
            language = self.settings_mdx.output_language
        else:
            language = node.get("language") or self.settings_mdx.default_language
        self._code(node, language)

    def visit_doctest_block(self, node):
        self._code(node, "pycon")

    def _code(self, node, language: str) -> None:
        # Sphinx's "default" is what a fence without a language gets (unless
        # conf.py sets highlight_language): shell output, configs, ASCII art
        # stay without a language, as their author wrote them.
        if language == "default":
            language = ""
        language = _NOT_LANGUAGE.sub("", self.settings_mdx.language_aliases.get(language, language))
        self.append(self.new("code", node, lang=language or None, meta=None, value=node.astext().rstrip("\n")))
        raise nodes.SkipNode

    def visit_caption(self, node):
        self._styled_paragraph(node, "emphasis", node.children)
        raise nodes.SkipNode

    def visit_legend(self, node):
        pass

    def depart_legend(self, node):
        pass

    # ------------------------------------------------------------------
    # inline kinds

    def visit_Text(self, node):
        self.append(text(node.astext()))

    def depart_Text(self, node):
        pass

    def visit_emphasis(self, node):
        self.enter({"type": "emphasis"})

    def depart_emphasis(self, node):
        self.leave()

    visit_title_reference = visit_emphasis
    depart_title_reference = depart_emphasis

    def visit_strong(self, node):
        self.enter({"type": "strong"})

    def depart_strong(self, node):
        self.leave()

    def visit_literal(self, node):
        # Inline code cannot hold emphasis: the variable parts that {samp}
        # and {file} mark keep the braces their author wrote around them.
        value = "".join(f"{{{part.astext()}}}" if isinstance(part, nodes.emphasis) else part.astext() for part in node.children)
        self.append({"type": "inlineCode", "value": value})
        raise nodes.SkipNode

    visit_literal_emphasis = visit_literal
    visit_literal_strong = visit_literal

    def visit_raw(self, node):
        if node.get("task_checkbox"):
            # Written as its item's `checked` (i18n.TaskListBoxes).
            raise nodes.SkipNode
        fmt = node.get("format", "").split()
        if "mdx" in fmt and isinstance(node.parent, nodes.TextElement):
            # Raw MDX inside a paragraph could come from a translation (a
            # role defined with the raw directive), and a translator's text is
            # untrusted: only a block is the way in.
            logger.warning(
                "inline raw MDX is written as text; use a ```{raw} mdx``` block for MDX",
                location=node,
                type="mdx",
                subtype="raw",
            )
            self.append(text(node.astext()))
        elif "mdx" in fmt:
            # The author opted in to raw MDX explicitly; the writer parses it.
            self.append(self.new("mdxRaw", node, value=node.astext()))
        elif "html" in fmt and node.astext().strip() in {"<br />", "<br>", "<br/>"}:
            self.append({"type": "break"})
        elif fmt and not {"html", "mdx"} & set(fmt):
            pass  # written for another output format (e.g. LaTeX), like other builders skip it
        else:
            self._warn(
                "raw HTML is not copied into MDX (it would become JSX); use a ```{raw} mdx``` block if you really mean it",
                node,
            )
        raise nodes.SkipNode

    def visit_subscript(self, node):
        # Markdown has no sub- or superscript; the HTML elements say it.
        self.enter(self.new("mdxJsxTextElement", node, name="sub", attributes=[]))

    def depart_subscript(self, node):
        self.leave()

    def visit_superscript(self, node):
        self.enter(self.new("mdxJsxTextElement", node, name="sup", attributes=[]))

    def depart_superscript(self, node):
        self.leave()

    def visit_problematic(self, node):
        pass

    def depart_problematic(self, node):
        pass

    def visit_abbreviation(self, node):
        attributes = [escaping.jsx_attribute("title", node["explanation"])] if node.get("explanation") else []
        self.enter(self.new("mdxJsxTextElement", node, name="abbr", attributes=attributes))

    def depart_abbreviation(self, node):
        self.leave()

    # ------------------------------------------------------------------
    # links and footnotes

    def visit_reference(self, node):
        target = self._link_target(node)
        # An author's link title (`[a](url "title")`); Sphinx's own titles
        # on internal references are its tooltips, not the author's.
        title = None if node.get("internal") else node.get("reftitle") or None
        link = self.new("link", node, url=target or "", title=title, children=[])
        self._inside(link, node.children)
        if target is None:
            # Nowhere to point on the site: keep the words, without a link.
            for child in link["children"]:
                self.append(child)
        else:
            if not link["children"]:
                link["children"].append(text(target))
            self.append(link)
        raise nodes.SkipNode

    def _link_target(self, node) -> str | None:
        if "refuri" in node:
            uri = node["refuri"]
            if uri.startswith(DOC_LINK_SCHEME):
                docname, _, node_id = uri[len(DOC_LINK_SCHEME):].partition("#")
                return self.builder.lesson_url(docname, node_id, node)
            scheme = _SCHEME.match(uri)
            if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
                # javascript: and the like would run in the reader's browser.
                logger.warning(
                    "link to '%s' is written as text: only %s links and site paths are written",
                    uri,
                    ", ".join(sorted(LINK_SCHEMES)),
                    location=node,
                    type="mdx",
                    subtype="link",
                )
                return None
            return uri
        if "refid" in node:
            if node["refid"] not in self.document.ids:
                # An unresolved reference (MyST leaves the author's target as
                # the refid): a lesson, file or label that does not exist.
                logger.warning(
                    "link target '%s' was not found (no lesson, file or heading of that name); the link text is written without a link",
                    unquote(node["refid"]),
                    location=node,
                    type="mdx",
                    subtype="link",
                )
                return None
            anchor = self.builder.anchor(self.docname, node["refid"], node)
            return None if anchor is None else "#" + anchor
        self._warn("link without a target is written as plain text", node)
        return None

    def visit_target(self, node):
        # Ids live on the section they label; the site anchors headings itself.
        if node.children:
            return
        raise nodes.SkipNode

    def depart_target(self, node):
        pass

    def visit_footnote_reference(self, node):
        self.append({"type": "footnoteReference", "identifier": node["refid"], "label": node["refid"]})
        raise nodes.SkipNode

    def visit_footnote(self, node):
        content = (child for child in node.children if not isinstance(child, nodes.label))
        if node.get("backrefs"):
            identifier = node["ids"][0]
            self._inside(self.append(self.new("footnoteDefinition", node, identifier=identifier, label=identifier)), content)
            raise nodes.SkipNode
        # Nothing refers to it: the site drops an unreferenced footnote
        # definition, while the preview shows it with its label.  Written as
        # text, label first, so nothing is lost.
        label = next((child.astext() for child in node.children if isinstance(child, nodes.label)), "")
        self.append(self.new("paragraph", node, children=[text(f"[{label}]")]))
        for child in content:
            self.walk(child)
        raise nodes.SkipNode

    # ------------------------------------------------------------------
    # media

    def visit_image(self, node):
        uri = node["uri"]
        alt = node.get("alt", "")
        if "://" in uri or uri.startswith("data:"):
            source = uri
        else:
            source = self.builder.image_reference(self.docname, uri, node)
            if source is None:
                # The file is missing: keep the words, lose nothing.
                self.append(text(alt))
                raise nodes.SkipNode
        self.append(self.new("image", node, url=source, alt=alt, title=node.get("title") or None))
        raise nodes.SkipNode

    def visit_figure(self, node):
        pass

    def depart_figure(self, node):
        pass

    # ------------------------------------------------------------------
    # tables

    def visit_table(self, node):
        # This table's own rows: a table nested in a cell has its own.
        parts = [part for group in node.children if isinstance(group, nodes.tgroup) for part in group.children if isinstance(part, (nodes.thead, nodes.tbody))]
        rows = [[entry for entry in row.children if isinstance(entry, nodes.entry)] for part in parts for row in part.children]
        header_rows = sum(len(part.children) for part in parts if isinstance(part, nodes.thead))
        title = next((child for child in node.children if isinstance(child, nodes.title)), None)
        if title is not None:
            self._styled_paragraph(title, "emphasis", title.children)
        if self._is_pipe_table(rows):
            self._pipe_table(node, rows, header_rows)
        else:
            self._jsx_table(node, parts)
        raise nodes.SkipNode

    @staticmethod
    def _is_pipe_table(rows) -> bool:
        for row in rows:
            for entry in row:
                if entry.get("morerows") or entry.get("morecols"):
                    return False
                if len(entry.children) > 1 or (entry.children and not isinstance(entry.children[0], nodes.paragraph)):
                    return False
        widths = {len(row) for row in rows}
        return len(widths) == 1

    def _pipe_table(self, node, rows, header_rows: int) -> None:
        width = len(rows[0])
        # MyST marks a column's alignment (:-: in the source) on each cell.
        align = [next((ALIGNMENTS[name] for name in entry["classes"] if name in ALIGNMENTS), None) for entry in rows[0]]
        table = self.enter(self.new("table", node, align=align))
        if not header_rows:
            # GFM needs exactly one header row; a table without one gets an empty header.
            table["children"].append({"type": "tableRow", "children": [{"type": "tableCell", "children": []} for _ in range(width)]})
        for row in rows:
            mdast_row = self._append_to(table, self.new("tableRow", row[0].parent, children=[]))
            for entry in row:
                self._inside(self._append_to(mdast_row, {"type": "tableCell"}), entry.children[0].children if entry.children else [])
        self.leave()

    def _jsx_table(self, node, parts) -> None:
        # Merged cells and cells with block content have no GFM form: an HTML
        # table written as JSX keeps the spans, and its cells hold Markdown.
        def element(name, source, attributes=()):
            return self.new("mdxJsxFlowElement", source, name=name, attributes=list(attributes), children=[])

        table = self.enter(element("table", node))
        for part in parts:
            section = self._append_to(table, element(part.tagname, part))
            cell_name = "th" if isinstance(part, nodes.thead) else "td"
            for row in part.children:
                mdast_row = self._append_to(section, element("tr", row))
                for entry in row.children:
                    spans = [escaping.jsx_attribute(name, str(entry[key] + 1)) for name, key in (("colSpan", "morecols"), ("rowSpan", "morerows")) if entry.get(key)]
                    self._inside(self._append_to(mdast_row, element(cell_name, entry, spans)), entry.children)
        self.leave()

    # ------------------------------------------------------------------
    # components: callouts and diagrams

    def visit_admonition(self, node):
        title_node = next((child for child in node.children if isinstance(child, nodes.title)), None)
        if title_node is not None and next(title_node.findall(nodes.reference), None) is not None:
            # The title is an attribute of the box: text only.
            self._warn("a link in a callout title is written as its words, without the link", title_node)
        kind = node.tagname
        # Every box says what it is in the lesson's language (a component's
        # own label would be in the site's), unless its class says untitled.
        untitled = UNTITLED_CLASS in node["classes"]
        title = title_node.astext() if title_node is not None else str(admonitionlabels.get(kind, kind.capitalize()))
        content = [child for child in node.children if child is not title_node]
        bold_title = [] if untitled else [{"type": "paragraph", "children": [{"type": "strong", "children": [text(title)]}]}]
        if self.forms.callouts == "blockquote":
            box = self.new("blockquote", node, children=bold_title)
        else:
            self.components_used.add("callout")
            attributes = [escaping.jsx_attribute("type", self._callout_type(node))]
            if self.forms.callout_title_prop and not untitled:
                attributes.append(escaping.jsx_attribute("title", title))
            children = [] if self.forms.callout_title_prop else bold_title
            box = self.new("mdxJsxFlowElement", node, name=self.settings_mdx.component("callout").name, attributes=attributes, children=children)
        self._inside(self.append(box), content)
        raise nodes.SkipNode

    def _callout_type(self, node) -> str:
        """The site's callout type for an admonition: its kind's, or for a
        generic ``admonition`` the first of its classes that names a kind or
        a callout type (``:class: danger``)."""
        site = self.settings_mdx.site
        kind = node.tagname
        if kind == "admonition":
            for name in node["classes"]:
                if name in site.callout_types:
                    return name
                if name in site.admonition_map and name != "admonition":
                    return site.admonition_map[name]
        if kind in site.admonition_map:
            return site.admonition_map[kind]
        self._warn(
            f"the site profile maps no callout type to '{kind}' admonitions; written as '{site.callout_types[0]}' (mdx_admonition_map can name one)",
            node,
        )
        return site.callout_types[0]

    visit_attention = visit_caution = visit_danger = visit_error = visit_hint = visit_admonition
    visit_important = visit_note = visit_tip = visit_warning = visit_seealso = visit_admonition

    def visit_mermaid(self, node):
        if self.forms.diagrams == "svg":
            self._drawn_diagram(node)
            raise nodes.SkipNode
        component = self.settings_mdx.component("mermaid")
        self.components_used.add("mermaid")
        chart = {"type": "mdxJsxAttributeValueExpression", "value": "`" + escaping.template_literal(chart_source(node)) + "`"}
        attributes = [escaping.jsx_attribute("chart", chart)]
        if component.directive:
            attributes.append(escaping.jsx_attribute(component.directive, None))
        self.append(self.new("mdxJsxFlowElement", node, name=component.name, attributes=attributes, children=[]))
        raise nodes.SkipNode

    def _drawn_diagram(self, node):
        line = get_node_line(node)
        drawn = self.builder.diagram_store.get(chart_source(node))
        problem = drawing_problem(drawn, node)
        if problem:
            self.problems.append(Problem(*problem))
            return
        if drawn.unlinked:
            self._warn("the diagram's click links are left out (their words stay): a page's links come from the lesson's text", node)
        self._diagrams += 1
        try:
            self.append(diagram_jsx(drawn.svg, self._diagrams, line))
        except UnsafeDiagram as error:
            self.problems.append(Problem(line, f"the diagram cannot be put in the page: {error}"))

    # ------------------------------------------------------------------
    # nodes with nothing to write

    def visit_comment(self, node):
        # Comments, and testsetup/testcleanup/:hide: blocks, are not for readers.
        raise nodes.SkipNode

    visit_substitution_definition = _skip
    visit_system_message = _skip  # already reported by docutils
    visit_index = _skip
    visit_meta = _skip
    visit_label = _skip
    visit_toctree = _skip
    visit_front_matter_messages = _skip  # written as the front matter itself

    # ------------------------------------------------------------------
    # anything else

    def unknown_visit(self, node):
        self._warn(f"no MDX form for '{node.tagname}' nodes; its text is written as plain text", node)
        if isinstance(node, nodes.Inline) or isinstance(node.parent, nodes.TextElement):
            self.append(text(node.astext()))
        elif node.astext().strip():
            self.append(self.new("paragraph", node, children=[text(node.astext())]))
        raise nodes.SkipNode

    def unknown_departure(self, node):
        pass
