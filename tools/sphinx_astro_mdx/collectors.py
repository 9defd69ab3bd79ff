"""What reading records in the build environment for writing.

Kept in the environment, the records are pickled with it: an incremental
build re-reads only changed documents and still knows every lesson's front
matter and anchors.  The environment itself is kept small for mdx builds
(``LessonTocCollector``): it is loaded, saved and freed on every build.
"""

from __future__ import annotations

from collections.abc import Set

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector

from .anchors import section_anchors
from .builder import MdxBuilder
from .diagrams import chart_source
from .i18n import document_front_matter


class RecordCollector(EnvironmentCollector):
    """A collector whose records live in ``env.<attribute>``."""

    attribute: str
    new_record: type = dict


class PerDocumentCollector(RecordCollector):
    """Stores ``collect(app, doctree)`` per document in ``env.<attribute>``."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        getattr(env, self.attribute).pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
        mine, theirs = getattr(env, self.attribute), getattr(other, self.attribute)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        value = self.collect(app, doctree)
        if value is not None:
            getattr(app.env, self.attribute)[app.env.docname] = value

    def collect(self, app: Sphinx, doctree: nodes.document) -> object:
        raise NotImplementedError


class FrontMatterCollector(PerDocumentCollector):
    """Every lesson's front matter, checked, with its translations."""

    attribute = "mdx_front_matter"

    def collect(self, app: Sphinx, doctree: nodes.document) -> object:
        return document_front_matter(doctree)


class AnchorCollector(PerDocumentCollector):
    """Every document's section ids and the site anchors they become."""

    attribute = "mdx_anchors"

    def collect(self, app: Sphinx, doctree: nodes.document) -> object:
        matter = document_front_matter(doctree)
        return section_anchors(doctree, matter.title if matter else None)


class ComponentUseCollector(PerDocumentCollector):
    """What in each document needs a site component: its Mermaid charts
    (drawn before writing, in one browser session) and whether it has
    callouts (the site is checked only for components a lesson needs)."""

    attribute = "mdx_component_use"

    def collect(self, app: Sphinx, doctree: nodes.document) -> object:
        charts = [chart_source(node) for node in doctree.findall(lambda node: node.tagname == "mermaid")]
        callouts = next(doctree.findall(nodes.Admonition), None) is not None
        return {"mermaid": charts, "callout": callouts}


class LessonTocCollector(RecordCollector):
    """In mdx builds, a lesson's table of contents keeps only its title entry.

    Sphinx keeps every document's section tree (``env.tocs``) for toctrees
    and sidebars, which MDX lessons do not have.  In a 1000-lesson course
    those node trees were most of the pickled environment, and loading,
    saving and freeing them most of a one-lesson rebuild.  The title entry
    stays, so a toctree that lists a lesson still resolves.  The trimmed
    lessons are recorded: another builder that reuses this environment
    (a doctree directory shared with html) reads them again in full.
    """

    attribute = "mdx_trimmed_tocs"
    new_record = set

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        # Sphinx's own TocTreeCollector is set up before any extension, so
        # for the same event it has built this document's toc already.
        docname = app.env.docname
        toc = app.env.tocs.get(docname)
        if app.builder.name != MdxBuilder.name or toc is None or not app.builder.pages.is_page(docname):
            return
        for item in toc.children:
            for nested in [child for child in item.children if isinstance(child, nodes.bullet_list)]:
                item.remove(nested)
        app.env.mdx_trimmed_tocs.add(docname)

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        env.mdx_trimmed_tocs.discard(docname)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
        env.mdx_trimmed_tocs |= other.mdx_trimmed_tocs & set(docnames)

    def get_outdated_docs(self, app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]) -> list[str]:
        if app.builder.name == MdxBuilder.name:
            return []
        return sorted(env.mdx_trimmed_tocs - removed)


def register(app: Sphinx, collectors=(FrontMatterCollector, AnchorCollector, ComponentUseCollector, LessonTocCollector)) -> None:
    def init_env(app):
        for collector in collectors:
            if not hasattr(app.env, collector.attribute):
                setattr(app.env, collector.attribute, collector.new_record())

    app.connect("builder-inited", init_env)
    for collector in collectors:
        app.add_env_collector(collector)
