"""Facts the builder needs about every document, gathered while Sphinx reads.

Kept in the build environment, they are pickled with it: an incremental
build re-reads only changed documents and still knows every lesson's front
matter and anchors.
"""

from __future__ import annotations

from sphinx.environment.collectors import EnvironmentCollector

from .anchors import section_anchors
from .i18n import document_front_matter


class PerDocumentCollector(EnvironmentCollector):
    """Stores ``collect(app, doctree)`` per document in ``env.<attribute>``."""

    attribute: str

    def clear_doc(self, app, env, docname):
        getattr(env, self.attribute).pop(docname, None)

    def merge_other(self, app, env, docnames, other):
        mine, theirs = getattr(env, self.attribute), getattr(other, self.attribute)
        for docname in docnames:
            if docname in theirs:
                mine[docname] = theirs[docname]

    def process_doc(self, app, doctree):
        value = self.collect(app, doctree)
        if value is not None:
            getattr(app.env, self.attribute)[app.env.docname] = value

    def collect(self, app, doctree):
        raise NotImplementedError


class FrontMatterCollector(PerDocumentCollector):
    """Every lesson's front matter, checked, with its translations."""

    attribute = "mdx_front_matter"

    def collect(self, app, doctree):
        return document_front_matter(doctree)


class AnchorCollector(PerDocumentCollector):
    """Every document's section ids and the site anchors they become."""

    attribute = "mdx_anchors"

    def collect(self, app, doctree):
        matter = document_front_matter(doctree)
        return section_anchors(doctree, matter.title if matter else None)


def register(app, collectors=(FrontMatterCollector, AnchorCollector)) -> None:
    def init_env(app):
        for collector in collectors:
            if not hasattr(app.env, collector.attribute):
                setattr(app.env, collector.attribute, {})

    app.connect("builder-inited", init_env)
    for collector in collectors:
        app.add_env_collector(collector)
