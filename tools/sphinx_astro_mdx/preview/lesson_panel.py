"""What a lesson page of the preview shows besides its body.

- The front matter (difficulty, estimated time, topics, prerequisites) in a
  panel right under the page title, as the course site shows it above the
  lesson. myst-parser keeps front matter in ``env.metadata`` as strings, so
  the values come from what sphinx_astro_mdx recorded while reading the lesson
  (``env.mdx_front_matter``): YAML types kept, the line of each field known
  for warnings, topics translated in a translated build.
- Doctest output (``{testoutput}`` blocks) gets the ``doctest-output`` class,
  which the stylesheet labels "Вывод", so a reader tells program output from
  code.

Prerequisites that are lessons of this project become links to their pages
(``pending_xref`` nodes of the ``doc`` role, resolved by Sphinx like any
``{doc}`` link, with the lesson's title as text); lessons listed in
``mdx_external_lessons`` live only on the course site and stay plain text;
anything else is plain text and a warning at the front matter line.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx_astro_mdx import paths
from sphinx_astro_mdx.settings import site_of

logger = logging.getLogger(__name__)

PANEL_CLASS = "lesson-meta"
OUTPUT_CLASS = "doctest-output"
# The box that shows a raw MDX block's source in the preview.
RAW_MDX_CLASS = "raw-mdx"

# The preview speaks the language of the build; Russian is the course's.
LABELS = {
    "ru": {
        "difficulty": "Сложность",
        "estimatedTime": "Время",
        "topics": "Темы",
        "prerequisites": "Нужно знать",
        "minutes": "{} мин",
        "decimal_separator": ",",
        "beginner": "начальный",
        "intermediate": "средний",
        "advanced": "продвинутый",
        "raw_mdx": "MDX для сайта (предпросмотр его не показывает):",
    },
    "en": {
        "difficulty": "Difficulty",
        "estimatedTime": "Time",
        "topics": "Topics",
        "prerequisites": "Prerequisites",
        "minutes": "{} min",
        "decimal_separator": ".",
        "beginner": "beginner",
        "intermediate": "intermediate",
        "advanced": "advanced",
        "raw_mdx": "MDX for the site (the preview does not render it):",
    },
}


def labels_for(language: str | None) -> dict[str, str]:
    return LABELS.get((language or "ru").split("_")[0], LABELS["ru"])


class LessonPreviewTransform(SphinxPostTransform):
    # Before ReferencesResolver (priority 10), which turns the prerequisite
    # pending_xrefs into links.
    default_priority = 5
    formats = ("html",)

    def run(self, **kwargs) -> None:
        docname = self.env.docname
        self.mark_doctest_output()
        self.show_raw_mdx()
        if site_of(self.config).pages.is_page(docname):
            self.add_front_matter_panel(docname)

    def mark_doctest_output(self) -> None:
        for block in self.document.findall(nodes.literal_block):
            if block.get("testnodetype") == "testoutput" and OUTPUT_CLASS not in block["classes"]:
                block["classes"].append(OUTPUT_CLASS)

    def show_raw_mdx(self) -> None:
        """A ``{raw} mdx`` block reaches only the site; the preview shows its
        source in a marked box, so an author sees that something is there
        (an imported lesson's components, comments, details)."""
        label = labels_for(self.config.language)["raw_mdx"]
        for raw in list(self.document.findall(nodes.raw)):
            if "mdx" not in raw.get("format", "").split() or isinstance(raw.parent, nodes.TextElement):
                continue
            source = nodes.literal_block(raw.astext(), raw.astext(), language="text")
            box = nodes.container("", nodes.paragraph("", label), source, classes=[RAW_MDX_CLASS])
            box.source, box.line = raw.source, raw.line
            raw.replace_self(box)

    def add_front_matter_panel(self, docname: str) -> None:
        source = Path(self.env.doc2path(docname))
        # Read and checked by sphinx_astro_mdx while Sphinx read the lesson, with the
        # translations of its prose in a translated build.
        matter = self.env.mdx_front_matter[docname]
        for problem in matter.problems:
            # The panel leaves out a field it cannot show; this says why.
            logger.warning(problem.message, location=(docname, problem.line), type="preview", subtype="frontmatter")
        labels = labels_for(self.config.language)
        values = matter.values
        fields = nodes.field_list()
        difficulty = values.get("difficulty")
        difficulty_field = site_of(self.config).field_named("difficulty")
        if difficulty_field is not None and isinstance(difficulty, str) and difficulty in difficulty_field.choices and difficulty in labels:
            fields += _field(labels["difficulty"], nodes.inline("", labels[difficulty], classes=[f"lesson-difficulty-{difficulty}"]))
        minutes = values.get("estimatedTime")
        if isinstance(minutes, (int, float)) and not isinstance(minutes, bool):
            shown = str(int(minutes)) if float(minutes).is_integer() else str(minutes).replace(".", labels["decimal_separator"])
            fields += _field(labels["estimatedTime"], nodes.inline("", labels["minutes"].format(shown)))
        topics = values.get("topics")
        if isinstance(topics, list) and topics:
            chips = [nodes.inline("", matter.translate(str(topic)), classes=["lesson-topic"]) for topic in topics]
            fields += _field(labels["topics"], *_separated(chips, " "))
        prerequisites = values.get("prerequisites")
        if isinstance(prerequisites, list) and prerequisites:
            line = matter.line_of("prerequisites")
            known = paths.PageIds.of(site_of(self.config).pages, self.env.found_docs, self.config.mdx_external_lessons)
            items = [self.prerequisite(docname, source, line, str(item), known) for item in prerequisites]
            fields += _field(labels["prerequisites"], *_separated(items, ", "))
        if not fields.children:
            return
        panel = nodes.container("", fields, classes=[PANEL_CLASS])
        self.insert_under_title(panel)

    def prerequisite(self, docname: str, source: Path, line: int, course_id: str, known: paths.PageIds) -> nodes.Node:
        """A link to the lesson ``course_id`` if it is one of this project, or plain text."""
        target = known.docname(course_id)
        if target is not None:
            xref = addnodes.pending_xref(
                "",
                nodes.inline(course_id, course_id),
                refdomain="std",
                reftype="doc",
                # Absolute docname: resolved from the site root, not from
                # this lesson's folder.
                reftarget="/" + target,
                refexplicit=False,
                refwarn=True,
                refdoc=docname,
                classes=["lesson-prerequisite"],
            )
            xref.source, xref.line = str(source), line
            return xref
        if known.is_external(course_id):
            return nodes.inline(course_id, course_id, classes=["lesson-prerequisite", "lesson-prerequisite-external"])
        logger.warning(
            "%s; shown as plain text",
            f"prerequisites: {known.unknown_message(course_id, 'lesson')}",
            location=(docname, line),
            type="preview",
            subtype="prerequisite",
        )
        return nodes.inline(course_id, course_id, classes=["lesson-prerequisite", "lesson-prerequisite-unknown"])

    def insert_under_title(self, panel: nodes.Element) -> None:
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is not None and section.children and isinstance(section[0], nodes.title):
            section.insert(1, panel)
        else:
            # A lesson without a "# Title" (the mdx builder warns about it):
            # the panel opens the page.
            self.document.insert(0, panel)


def _field(label: str, *content: nodes.Node) -> nodes.field:
    return nodes.field("", nodes.field_name(label, label), nodes.field_body("", nodes.paragraph("", "", *content)))


def _separated(items: list[nodes.Node], separator: str) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for index, item in enumerate(items):
        if index:
            out.append(nodes.Text(separator))
        out.append(item)
    return out
