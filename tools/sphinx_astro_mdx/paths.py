"""How lesson documents map to output files, course ids and site URLs.

A lesson is a document ``NN-module-N/NN-slug`` in the source tree.  The same
name is its output path (``NN-module-N/NN-slug.mdx``) and its Astro entry id;
the course refers to it as ``module-N/NN-slug`` (prerequisites).  Every such
translation lives here so that the builder, the translator and the
frontmatter checks agree.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

LESSON_DOCNAME = re.compile(r"^(?P<module_dir>\d{2}-module-(?P<module>\d+))/(?P<slug>\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)$")
COURSE_LESSON_ID = re.compile(r"^module-(?P<module>\d+)/(?P<slug>\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)$")
OUT_SUFFIX = ".mdx"


def is_lesson(docname: str) -> bool:
    return LESSON_DOCNAME.match(docname) is not None


def in_module_folder(docname: str) -> bool:
    """Documents below a module folder are meant to be lessons."""
    return re.match(r"^\d{2}-module-\d+/", docname) is not None


def module_of(docname: str) -> str:
    """The module folder of a lesson, e.g. ``05-module-5``."""
    return LESSON_DOCNAME.match(docname).group("module_dir")


def course_id(docname: str) -> str:
    """``05-module-5/01-x`` → ``module-5/01-x``, the form prerequisites use."""
    match = LESSON_DOCNAME.match(docname)
    return f"module-{int(match.group('module'))}/{match.group('slug')}"


@dataclass(frozen=True)
class Prerequisites:
    """Where a prerequisite (a course id) points: a lesson of this project,
    a lesson that only the course site has (``mdx_external_lessons``), or
    nowhere.  The builder's checks and the preview's panel both ask here."""

    lessons: dict[str, str]  # course id -> docname
    external: frozenset[str]

    @classmethod
    def of(cls, docnames: Iterable[str], external: Iterable[str]) -> Prerequisites:
        return cls({course_id(name): name for name in docnames if is_lesson(name)}, frozenset(external))

    def docname(self, lesson_id: str) -> str | None:
        """The document of a prerequisite that is a lesson of this project."""
        return self.lessons.get(lesson_id)

    def is_external(self, lesson_id: str) -> bool:
        return lesson_id in self.external

    def is_known(self, lesson_id: str) -> bool:
        return lesson_id in self.lessons or lesson_id in self.external

    @staticmethod
    def unknown_message(lesson_id: str) -> str:
        return f"prerequisite '{lesson_id}' is neither a lesson of this project nor listed in mdx_external_lessons"


def output_path(docname: str) -> str:
    """Output file of a lesson, relative to the output root (POSIX separators)."""
    return docname + OUT_SUFFIX


def site_url(base: str, docname: str, anchor: str = "") -> str:
    """URL of a lesson page on the course site: ``<base>/course/<entry-id>/``."""
    url = f"{base.rstrip('/')}/course/{docname}/"
    return f"{url}#{anchor}" if anchor else url


def relative_to_output(docname: str, target: str) -> str:
    """Path from a lesson's output file to ``target`` (both relative to the output root)."""
    rel = posixpath.relpath(target, posixpath.dirname(docname) or ".")
    return rel if rel.startswith("../") else "./" + rel


def component_import_path(components_dir: str, content_root: str, docname: str, component_file: str) -> str:
    """Import path of a site component from a lesson's output file.

    Both directories are relative to the Astro site root, so the result does
    not depend on where this build happens to write.
    """
    lesson_dir = posixpath.join(content_root, posixpath.dirname(docname))
    return posixpath.relpath(posixpath.join(components_dir, component_file), lesson_dir)
