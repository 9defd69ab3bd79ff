"""Output paths and the paths between files of the site.

Which documents are pages and what their URLs are is the site profile's
(``profile.Pages``); here is what follows from it for files: a page's output
path is its document name with ``.mdx`` (the site's entry id is the same
name), and links between files are relative POSIX paths.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass

from .profile import Pages

OUT_SUFFIX = ".mdx"


def output_path(docname: str) -> str:
    """Output file of a page, relative to the output root (POSIX separators)."""
    return docname + OUT_SUFFIX


def relative_to_output(docname: str, target: str) -> str:
    """Path from a page's output file to ``target`` (both relative to the output root)."""
    rel = posixpath.relpath(target, posixpath.dirname(docname) or ".")
    return rel if rel.startswith("../") else "./" + rel


def component_import_path(components_dir: str, content_root: str, docname: str, component_file: str) -> str:
    """Import path of a site component from a page's output file.

    Both directories are relative to the Astro site root, so the result does
    not depend on where this build happens to write.
    """
    page_dir = posixpath.join(content_root, posixpath.dirname(docname))
    return posixpath.relpath(posixpath.join(components_dir, component_file), page_dir)


@dataclass(frozen=True)
class PageIds:
    """Where a page id of the front matter (a prerequisite) points: a page
    of this project, a page only the site has (``mdx_external_lessons``),
    or nowhere.  The builder's checks and the preview's panel both ask here."""

    pages: dict[str, str]  # page id -> docname
    external: frozenset[str]

    @classmethod
    def of(cls, scheme: Pages, docnames: Iterable[str], external: Iterable[str]) -> PageIds:
        return cls({scheme.id_of(name): name for name in docnames if scheme.is_page(name)}, frozenset(external))

    def docname(self, page_id: str) -> str | None:
        """The document of an id that names a page of this project."""
        return self.pages.get(page_id)

    def is_external(self, page_id: str) -> bool:
        return page_id in self.external

    def is_known(self, page_id: str) -> bool:
        return page_id in self.pages or page_id in self.external

    @staticmethod
    def unknown_message(page_id: str, noun: str) -> str:
        return f"'{page_id}' is neither a {noun} of this project nor listed in mdx_external_lessons"
