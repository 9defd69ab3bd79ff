"""Docutils doctree → MDX body.

One visit/depart pair per node kind, grouped by kind (structure, blocks,
inline, links, media, tables, components, ignored).  Output is collected
as a stack of block lists: a container (list item, callout, quote) pushes a
new list, renders its children into it and, on departure, folds them into
one block of its parent.  Inline content goes to a string buffer that a
paragraph-like node turns into a block.  Every piece of author text goes
through ``escaping``; JSX and expressions are written only by the
component methods here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from docutils import nodes
from sphinx.locale import admonitionlabels
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator

from . import escaping, paths
from .anchors import document_title_section

logger = logging.getLogger(__name__)

DOC_LINK_SCHEME = "mdx-doc:"


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0]]
    out.extend((rest + line) if line else "" for line in lines[1:])
    return "\n".join(out)


@functools.cache
def _handlers(translator_class: type, node_class: type) -> tuple[Callable, Callable]:
    """The visit and depart methods for a node class: the first along its MRO.

    The same rule as ``SphinxTranslator.dispatch_visit``, looked up once per
    node class instead of once per node.
    """

    def first(prefix: str, fallback: Callable) -> Callable:
        for klass in node_class.__mro__:
            method = getattr(translator_class, prefix + klass.__name__, None)
            if method is not None:
                return method
        return fallback

    return first("visit_", translator_class.unknown_visit), first("depart_", translator_class.unknown_departure)


class MdxTranslator(SphinxTranslator):
    def __init__(self, document: nodes.document, builder) -> None:
        super().__init__(document, builder)
        self.docname = builder.current_docname
        self.settings_mdx = builder.mdx_settings
        self.components_used: set[str] = set()
        self.body = ""
        self._blocks: list[list[str]] = [[]]
        self._inline: list[str] | None = None
        # Whether the inline buffer was opened for text outside any paragraph.
        self._loose = False
        self._section_level = 0
        matter = builder.env.mdx_front_matter.get(self.docname)
        self._title_section = document_title_section(document, matter.title if matter else None)
        self._in_table_cell = False

    # ------------------------------------------------------------------
    # walking

    def walk(self, node: nodes.Node) -> None:
        """Visit ``node`` and its subtree, as ``node.walkabout(self)`` would.

        docutils' walkabout formats a debug message at every visit and
        departure and searches the node's MRO for the method each time; on a
        large course that was about half of the time spent in this
        translator.  The visit methods here only ever raise SkipNode.
        """
        visit, depart = _handlers(type(self), type(node))
        try:
            visit(self, node)
        except nodes.SkipNode:
            return
        for child in node.children:
            self.walk(child)
        depart(self, node)

    # ------------------------------------------------------------------
    # output plumbing

    def _add_block(self, text: str) -> None:
        self._end_loose_inline()
        self._blocks[-1].append(text)

    def _push(self) -> None:
        self._end_loose_inline()
        self._blocks.append([])

    def _pop(self) -> str:
        self._end_loose_inline()
        return "\n\n".join(block for block in self._blocks.pop() if block)

    def _start_inline(self) -> None:
        self._end_loose_inline()
        self._inline = []

    def _end_inline(self) -> str:
        text = "".join(self._inline or [])
        self._inline = None
        return text

    def _emit(self, text: str) -> None:
        """Append inline output; stray inline content outside a paragraph gets one."""
        if self._inline is None:
            self._inline = []
            self._loose = True
        self._inline.append(text)

    def _end_loose_inline(self) -> None:
        if self._loose and self._inline is not None:
            text = self._end_inline()
            self._loose = False
            if text.strip():
                self._blocks[-1].append(text)

    def _at_line_start(self) -> bool:
        if not self._inline:
            return True
        last = next((piece for piece in reversed(self._inline) if piece), "")
        return last.endswith("\n") or not last

    def render_inline(self, node: nodes.Node) -> str:
        """The inline Markdown of a node's children, on one line."""
        saved, saved_loose = self._inline, self._loose
        self._inline, self._loose = [], False
        for child in node.children:
            self.walk(child)
        text = "".join(self._inline)
        self._inline, self._loose = saved, saved_loose
        return text.replace("\n", " ").strip()

    def render_blocks(self, children) -> str:
        self._push()
        for child in children:
            self.walk(child)
        return self._pop()

    def _warn(self, message: str, node: nodes.Node) -> None:
        logger.warning(message, location=node, type="mdx", subtype="unsupported")

    # ------------------------------------------------------------------
    # structure

    def visit_document(self, node):
        pass

    def depart_document(self, node):
        self.body = self._pop() + "\n"

    def visit_section(self, node):
        if node is not self._title_section:
            self._section_level += 1

    def depart_section(self, node):
        if node is not self._title_section:
            self._section_level -= 1

    def visit_title(self, node):
        parent = node.parent
        if not isinstance(parent, nodes.section):
            self.unknown_visit(node)
        if parent is self._title_section:
            # The page title is the front matter's `title`; the site renders it.
            raise nodes.SkipNode
        level = min(self._section_level + 1, 6)
        self._add_block("#" * level + " " + self.render_inline(node))
        raise nodes.SkipNode

    def visit_paragraph(self, node):
        self._start_inline()

    def depart_paragraph(self, node):
        self._add_block(self._end_inline())

    def visit_compound(self, node):
        if "toctree-wrapper" in node["classes"]:
            if paths.is_lesson(self.docname):
                self._warn("a toctree has no place in a course lesson and is not written to MDX", node)
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

    def visit_bullet_list(self, node):
        self._render_list(node, lambda index: "- ")
        raise nodes.SkipNode

    def visit_enumerated_list(self, node):
        start = node.get("start", 1)
        self._render_list(node, lambda index: f"{start + index}. ")
        raise nodes.SkipNode

    def _render_list(self, node, marker_for) -> None:
        items = []
        loose = False
        for index, item in enumerate(node.children):
            content = self.render_blocks(item.children)
            loose = loose or "\n\n" in content
            marker = marker_for(index)
            items.append(_indent(content, marker, " " * len(marker)) if content else marker.rstrip())
        self._add_block(("\n\n" if loose else "\n").join(items))

    def visit_definition_list(self, node):
        # Markdown has no definition lists: each term becomes a list item in
        # bold with its definition below it.
        items = []
        for item in node.findall(nodes.definition_list_item):
            if item.parent is not node:
                continue
            term = " ".join(self.render_inline(term) for term in item.children if isinstance(term, (nodes.term, nodes.classifier)))
            definition = "\n\n".join(self.render_blocks(child.children) for child in item.children if isinstance(child, nodes.definition))
            content = f"**{term}**" + (f"\n\n{definition}" if definition else "")
            items.append(_indent(content, "- ", "  "))
        self._add_block("\n\n".join(items))
        raise nodes.SkipNode

    def visit_block_quote(self, node):
        self._push()

    def depart_block_quote(self, node):
        content = self._pop()
        self._add_block("\n".join(("> " + line) if line else ">" for line in content.split("\n")))

    def visit_attribution(self, node):
        self._add_block("— " + self.render_inline(node))
        raise nodes.SkipNode

    def visit_line_block(self, node):
        lines = [self.render_inline(line) for line in node.findall(nodes.line)]
        # A backslash at the end of a line is a Markdown hard break.
        self._add_block("\\\n".join(line for line in lines))
        raise nodes.SkipNode

    def visit_transition(self, node):
        if "footnotes" in node["classes"]:
            raise nodes.SkipNode
        self._add_block("---")
        raise nodes.SkipNode

    def visit_rubric(self, node):
        self._add_block("**" + self.render_inline(node) + "**")
        raise nodes.SkipNode

    def visit_literal_block(self, node):
        self._add_block(escaping.code_fence(node.astext(), self._code_language(node)))
        raise nodes.SkipNode

    def visit_doctest_block(self, node):
        self._add_block(escaping.code_fence(node.astext(), self.settings_mdx.language_aliases.get("pycon", "python")))
        raise nodes.SkipNode

    def _code_language(self, node) -> str:
        if node.get("testnodetype") == "testoutput":
            return self.settings_mdx.output_language
        language = node.get("language") or self.settings_mdx.default_language
        return self.settings_mdx.language_aliases.get(language, language)

    def visit_caption(self, node):
        self._add_block("*" + self.render_inline(node) + "*")
        raise nodes.SkipNode

    def visit_legend(self, node):
        pass

    def depart_legend(self, node):
        pass

    # ------------------------------------------------------------------
    # inline kinds

    def visit_Text(self, node):
        self._emit(escaping.escape_text(node.astext(), self._at_line_start()))

    def depart_Text(self, node):
        pass

    def visit_emphasis(self, node):
        self._emit("*")

    def depart_emphasis(self, node):
        self._emit("*")

    visit_title_reference = visit_emphasis
    depart_title_reference = depart_emphasis

    def visit_strong(self, node):
        self._emit("**")

    def depart_strong(self, node):
        self._emit("**")

    def visit_literal(self, node):
        span = escaping.code_span(node.astext())
        if self._in_table_cell:
            # GFM splits table rows on '|' even inside code spans.
            span = span.replace("|", "\\|")
        self._emit(span)
        raise nodes.SkipNode

    visit_literal_emphasis = visit_literal
    visit_literal_strong = visit_literal

    def visit_raw(self, node):
        fmt = node.get("format", "").split()
        if "mdx" in fmt:
            # The author opted in to raw MDX explicitly.
            if isinstance(node.parent, nodes.TextElement):
                self._emit(node.astext())
            else:
                self._add_block(node.astext().strip("\n"))
        elif "html" in fmt and node.astext().strip() in {"<br />", "<br>", "<br/>"}:
            self._emit("\\\n")
        elif fmt and not {"html", "mdx"} & set(fmt):
            pass  # written for another output format (e.g. LaTeX), like other builders skip it
        else:
            self._warn(
                "raw HTML is not copied into MDX (it would become JSX); use a ```{raw} mdx``` block if you really mean it",
                node,
            )
        raise nodes.SkipNode

    def visit_problematic(self, node):
        pass

    def depart_problematic(self, node):
        pass

    def visit_abbreviation(self, node):
        pass

    def depart_abbreviation(self, node):
        pass

    # ------------------------------------------------------------------
    # links and footnotes

    def visit_reference(self, node):
        self._emit("[")
        node["mdx_text_start"] = len(self._inline)

    def depart_reference(self, node):
        start = node.attributes.pop("mdx_text_start")
        target = self._link_target(node)
        if target is None:
            # Nowhere to point on the site: keep the words, drop the brackets.
            self._inline[start - 1] = ""
            return
        if not "".join(self._inline[start:]).strip():
            self._inline.append(escaping.escape_text(target, False))
        self._emit("](" + escaping.link_destination(target) + ")")

    def _link_target(self, node) -> str | None:
        if "refuri" in node:
            uri = node["refuri"]
            if uri.startswith(DOC_LINK_SCHEME):
                docname, _, node_id = uri[len(DOC_LINK_SCHEME):].partition("#")
                return self.builder.lesson_url(docname, node_id, node)
            return uri
        if "refid" in node:
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
        self._emit(f"[^{node['refid']}]")
        raise nodes.SkipNode

    def visit_footnote(self, node):
        content = self.render_blocks(child for child in node.children if not isinstance(child, nodes.label))
        self._add_block(_indent(content, f"[^{node['ids'][0]}]: ", "    "))
        raise nodes.SkipNode

    # ------------------------------------------------------------------
    # media

    def visit_image(self, node):
        uri = node["uri"]
        alt = escaping.escape_text(node.get("alt", ""), False).replace("\n", " ")
        if "://" in uri or uri.startswith("data:"):
            source = uri
        else:
            source = self.builder.image_reference(self.docname, uri, node)
            if source is None:
                # The file is missing: keep the words, lose nothing.
                self._emit(alt)
                raise nodes.SkipNode
        image = f"![{alt}]({escaping.link_destination(source)})"
        if isinstance(node.parent, nodes.TextElement):
            self._emit(image)
        else:
            self._add_block(image)
        raise nodes.SkipNode

    def visit_figure(self, node):
        pass

    def depart_figure(self, node):
        pass

    # ------------------------------------------------------------------
    # tables

    def visit_table(self, node):
        rows = []
        header_rows = 0
        for part in node.findall(nodes.thead):
            header_rows += len(part.children)
        for row in node.findall(nodes.row):
            rows.append([entry for entry in row.children if isinstance(entry, nodes.entry)])
        title = next((child for child in node.children if isinstance(child, nodes.title)), None)
        if title is not None:
            self._add_block("*" + self.render_inline(title) + "*")
        if self._is_pipe_table(rows):
            self._add_block(self._pipe_table(rows, header_rows))
        else:
            self._add_block(self._list_table(rows))
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

    def _cell(self, entry) -> str:
        self._in_table_cell = True
        try:
            return self.render_inline(entry.children[0]) if entry.children else ""
        finally:
            self._in_table_cell = False

    def _pipe_table(self, rows, header_rows: int) -> str:
        cells = [[self._cell(entry) for entry in row] for row in rows]
        width = len(cells[0])
        # GFM needs exactly one header row; a table without one gets an empty header.
        header = cells[0] if header_rows else [""] * width
        body = cells[1:] if header_rows else cells
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * width) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)

    def _list_table(self, rows) -> str:
        # Cells with block content cannot go into a pipe table: each row is a
        # list item holding a list of its cells.
        items = []
        for row in rows:
            cells = [self.render_blocks(entry.children) for entry in row]
            inner = "\n".join(_indent(cell, "- ", "  ") if cell else "-" for cell in cells)
            items.append(_indent(inner, "- ", "  "))
        return "\n".join(items)

    # ------------------------------------------------------------------
    # components: callouts and diagrams

    def visit_admonition(self, node):
        kind = node.tagname
        title_node = next((child for child in node.children if isinstance(child, nodes.title)), None)
        if title_node is not None:
            title = title_node.astext()
        elif kind in self.settings_mdx.callout_types:
            title = ""
        else:
            title = str(admonitionlabels.get(kind, kind.capitalize()))
        callout_type = self.settings_mdx.admonition_map.get(kind, "note")
        content = self.render_blocks(child for child in node.children if child is not title_node)
        if self.settings_mdx.admonition_style == "blockquote":
            heading = "**" + escaping.escape_text(title or str(admonitionlabels.get(kind, kind)), False) + "**"
            quoted = heading + ("\n\n" + content if content else "")
            self._add_block("\n".join(("> " + line) if line else ">" for line in quoted.split("\n")))
        else:
            component = self.settings_mdx.component("callout")
            self.components_used.add("callout")
            attributes = f"type={escaping.jsx_attribute_string(callout_type)}"
            if title:
                attributes += f" title={escaping.jsx_attribute_string(title)}"
            self._add_block(f"<{component.name} {attributes}>\n\n{content}\n\n</{component.name}>")
        raise nodes.SkipNode

    visit_attention = visit_caution = visit_danger = visit_error = visit_hint = visit_admonition
    visit_important = visit_note = visit_tip = visit_warning = visit_seealso = visit_admonition

    def visit_mermaid(self, node):
        component = self.settings_mdx.component("mermaid")
        self.components_used.add("mermaid")
        chart = escaping.template_literal(node["code"].strip("\n"))
        self._add_block(f"<{component.name} chart={{`{chart}`}} client:visible />")
        raise nodes.SkipNode

    # ------------------------------------------------------------------
    # nodes with nothing to write

    def visit_comment(self, node):
        # Comments, and testsetup/testcleanup/:hide: blocks, are not for readers.
        raise nodes.SkipNode

    def _skip(self, node):
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
        text = escaping.escape_text(node.astext(), self._at_line_start())
        if isinstance(node, nodes.Inline) or isinstance(node.parent, nodes.TextElement):
            self._emit(text)
        elif text.strip():
            self._add_block(text)
        raise nodes.SkipNode

    def unknown_departure(self, node):
        pass
