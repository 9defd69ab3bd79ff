"""Links written as site paths: ``[text](/course/<module>/<lesson>#anchor)``.

Hand-written pages of the site link to each other by path, with or without
the site's base; imported lessons keep those links.  MyST sees a path it
cannot find among the documents and would warn "target not found" and leave
a dead link.  Here such a path, when it has the shape of the site's page
URLs (the profile's ``Pages.url``), is a link to that page:

- a page of this project: a link to the document (the builder writes its
  URL with the configured base; the preview links to its HTML page), its
  anchor checked against the headings the site will anchor;
- a page only the site has (``mdx_external_lessons``): the site URL;
- anything else: a warning at the link's line, and the words without a link.

Runs before MyST's own resolver, for every builder: the preview and the
site agree.
"""

from __future__ import annotations

from urllib.parse import unquote

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import NoUri
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from .settings import site_of

logger = logging.getLogger(__name__)


class SiteLinks(SphinxPostTransform):
    # MyST's resolver runs at 9 and would report the path as missing.
    default_priority = 8

    def run(self, **kwargs) -> None:
        site = site_of(self.config)
        for xref in list(self.document.findall(addnodes.pending_xref)):
            target = xref.get("reftarget", "")
            if xref.get("reftype") != "myst" or not target.startswith("/"):
                continue
            located = site.pages.locate(target, site.base)
            if located is None:
                continue
            candidates, anchor = located
            anchor = unquote(anchor)
            here = next((docname for docname in candidates if docname in self.env.found_docs and site.pages.is_page(docname)), None)
            if here is not None:
                self._link_to_document(xref, here, anchor, site.pages.noun)
                continue
            external = next(
                (docname for docname in candidates if site.pages.is_page(docname) and site.pages.id_of(docname) in self.config.mdx_external_lessons),
                None,
            )
            if external is not None:
                self._replace(xref, site.pages.url_of(site.base, external, anchor), internal=False)
                continue
            logger.warning(
                "link to the site path '%s', which names no %s of this project nor one of mdx_external_lessons; the link text is written without a link",
                target,
                site.pages.noun,
                location=xref,
                type="mdx",
                subtype="link",
            )
            xref.replace_self(xref.children)

    def _link_to_document(self, xref: addnodes.pending_xref, docname: str, anchor: str, noun: str) -> None:
        node_id = ""
        if anchor:
            anchors = getattr(self.env, "mdx_anchors", {}).get(docname, {})
            # The site's anchor of a heading; in a translation, the anchor
            # of the heading in the source language (the section's id).
            node_id = next((node_id for node_id, slug in anchors.items() if slug == anchor), "")
            if not node_id and anchor in anchors:
                node_id = anchor
            if not node_id:
                logger.warning(
                    "link to '#%s' in '%s', which has no heading with that anchor; the link leads to the top of the %s",
                    anchor,
                    docname,
                    noun,
                    location=xref,
                    type="mdx",
                    subtype="link",
                )
        try:
            # How Sphinx's own reference resolvers reach the builder (the
            # transform's ``app`` is deprecated).
            uri = self.env._app.builder.get_relative_uri(self.env.docname, docname)
        except NoUri:
            xref.replace_self(xref.children)
            return
        self._replace(xref, f"{uri}#{node_id}" if node_id else uri, internal=True)

    @staticmethod
    def _replace(xref: addnodes.pending_xref, uri: str, internal: bool) -> None:
        reference = nodes.reference("", "", *xref[0].children, refuri=uri, internal=internal)
        reference.source, reference.line = xref.source, xref.line
        xref.replace_self(reference)


def setup(app) -> None:
    app.add_post_transform(SiteLinks)
