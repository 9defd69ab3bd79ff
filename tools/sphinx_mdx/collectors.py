"""Facts the builder needs about every document, gathered while Sphinx reads.

Kept in the build environment, they are pickled with it: an incremental
build re-reads only changed documents and still knows every lesson's front
matter and anchors.
"""

from __future__ import annotations

from sphinx.environment.collectors import EnvironmentCollector


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


def register(app, *collectors: type[PerDocumentCollector]) -> None:
    def init_env(app):
        for collector in collectors:
            if not hasattr(app.env, collector.attribute):
                setattr(app.env, collector.attribute, {})

    app.connect("builder-inited", init_env)
    for collector in collectors:
        app.add_env_collector(collector)
