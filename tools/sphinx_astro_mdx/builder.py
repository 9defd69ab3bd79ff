"""The ``mdx`` builder: which pages to write, where, and when.

The site's pages (the profile says which documents they are; for the
course, lessons ``NN-module-N/NN-slug``) become ``<outdir>/<docname>.mdx``
with typed front matter, imports of the site components they use and the
body from ``MdxTranslator``.  Other documents (the preview's index) belong to
the HTML preview only.  The output directory is shared with the site, see
``outputs``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterator, Set
from urllib.parse import unquote
from pathlib import Path

from docutils import nodes
from sphinx.builders import Builder
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase
from sphinx.util.parallel import ParallelTasks

from . import frontmatter, paths, site
from .diagrams import DiagramStore, renderer_identity
from .mdx_writer import MdxWriter, Written
from .outputs import ForeignFileError, OutputDirectory, ReadOnlyOutputError
from .profile import Pages
from .settings import MdxSettings
from .translator import DOC_LINK_SCHEME, MdxTranslator

logger = logging.getLogger(__name__)

# Lessons one MDX writer process is given before another one helps.
LESSONS_PER_WRITER = 20


class MdxBuilder(Builder):
    name = "mdx"
    format = "mdx"
    epilog = __("The MDX pages are in %(outdir)s.")
    out_suffix = paths.OUT_SUFFIX
    allow_parallel = True
    default_translator_class = MdxTranslator
    supported_image_types = ["image/svg+xml", "image/png", "image/gif", "image/jpeg", "image/webp", "image/avif"]
    supported_remote_images = True

    current_docname: str | None = None
    # Live authoring (``live``) builds again and again with one application:
    # the Node writer, warm, stays for the next build.
    keep_writer = False

    def init(self) -> None:
        self.mdx_settings = MdxSettings.from_config(self.config)
        self.output = OutputDirectory(Path(self.outdir))
        for leftover in self.output.remove_interrupted_writes():
            logger.info(__("removed %s, left by an interrupted build"), leftover)
        self.front_matter: dict[str, frontmatter.FrontMatter] = {}
        self.writable: set[str] = set()
        # Lessons this build handed to write_doc (theirs or -j workers').
        self.asked_to_write: set[str] = set()
        self.allowed_paths: set[str] = set()
        self._writer: MdxWriter | None = None
        if self._app.parallel <= 1:
            # Node loads its modules while Sphinx loads the environment and
            # reads: on a one-lesson rebuild that start-up is most of the
            # writer's cost.  (-j workers fork and start their own.)
            self._writer = MdxWriter()
        # Lessons whose MDX was refused: their published file, if any, is
        # not adopted as current, so the next build tries them again.
        self.refused: set[str] = set()
        # Seconds the MDX writers spent serialising and verifying (benchmark).
        self.writer_seconds = {"serialize": 0.0, "verify": 0.0}
        # How lessons are written for this site (decided in prepare_writing).
        self.forms: site.Forms | None = None
        self.diagram_store: DiagramStore | None = None

    # ------------------------------------------------------------------
    # what is outdated

    @property
    def pages(self) -> Pages:
        return self.mdx_settings.site.pages

    def lessons(self) -> list[str]:
        """The documents that are pages of the site, sorted."""
        return sorted(docname for docname in self.env.found_docs if self.pages.is_page(docname))

    def get_outdated_docs(self) -> Iterator[str]:
        # Written for another site (a component added or removed) or drawn
        # by another renderer: every lesson again.
        everything = self.output.written_for != self.written_for
        for docname in self.lessons():
            relpath = paths.output_path(docname)
            if everything or not self.output.is_current(relpath, self.env.all_docs.get(docname)):
                yield docname

    @functools.cached_property
    def written_for(self) -> str:
        """What the lessons are written for besides their sources: the forms
        the site gets, and the renderer that draws the diagrams (looked at
        once per build: the site is inspected and the renderer hashed)."""
        forms = site.decide(self.mdx_settings, Path(self.outdir), needs={})
        renderer = renderer_identity() if forms.diagrams == "svg" else None
        described = json.dumps([forms.callouts, forms.callout_title_prop, forms.diagrams, renderer], sort_keys=True)
        return hashlib.sha256(described.encode("utf-8")).hexdigest()

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        # Resolved to a site URL by the translator, which knows the anchors.
        return DOC_LINK_SCHEME + docname

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        # Site URLs are absolute (they start with the site base), never relative.
        return self.get_target_uri(to, typ)

    # ------------------------------------------------------------------
    # checks over all lessons, before writing

    def prepare_writing(self, docnames: Set[str]) -> None:
        # Per build (a live session builds many times with one builder).
        self.refused = set()
        self.asked_to_write = set()
        for docname in sorted(self.env.found_docs):
            if self.pages.is_misnamed(docname):
                logger.warning(
                    __("'%s' is meant as a %s but its name is not one the site takes (%s); it is not written to MDX"),
                    docname,
                    self.pages.noun,
                    self.pages.name_rule,
                    location=(docname, 1),
                    type="mdx",
                    subtype="lesson",
                )
        # Copies with their own list of problems: the cross-lesson checks add
        # problems that must not stick to the environment's record of a lesson
        # that was not re-read, and problems are all they change (a deep copy
        # of every lesson's front matter was a noticeable part of a rebuild).
        recorded = self.env.mdx_front_matter
        self.front_matter = {
            docname: dataclasses.replace(recorded[docname], problems=list(recorded[docname].problems)) for docname in self.lessons()
        }
        self._check_course()
        self._decide_forms()
        self.writable = set()
        self.allowed_paths = set()
        for docname, matter in self.front_matter.items():
            for problem in matter.problems:
                self._warn_front_matter(docname, problem)
            relpath = paths.output_path(docname)
            if not self.output.may_write(relpath):
                logger.warning(
                    __("%s already exists in the output directory and was not written by this builder; remove it to publish this %s"),
                    self.output.root / relpath,
                    self.pages.noun,
                    location=(docname, 1),
                    type="mdx",
                    subtype="foreign",
                )
                continue
            if not any(problem.blocks_lesson for problem in matter.problems):
                self.writable.add(docname)
                self.allowed_paths.add(relpath)
        if self.forms.diagrams == "svg":
            self._draw_diagrams(sorted(self.writable & set(docnames)))

    def _decide_forms(self) -> None:
        """Callouts and diagrams in the forms the site can show (see ``site``)."""
        use = self.env.mdx_component_use
        needs = {
            role: [docname for docname in self.lessons() if use.get(docname, {}).get(role)]
            for role in ("mermaid", "callout")
        }
        self.forms = site.decide(self.mdx_settings, Path(self.outdir), needs)
        logger.info(__("mdx: %s"), self.forms.explanation)

    def _draw_diagrams(self, docnames: list[str]) -> None:
        """Draw every chart of the lessons to write that is not in the cache
        (one browser session for the build; -j workers inherit the drawings)."""
        self.diagram_store = DiagramStore.for_app(self._app)
        charts = [chart for docname in docnames for chart in self.env.mdx_component_use.get(docname, {}).get("mermaid", [])]
        try:
            self.diagram_store.prepare(charts)
        finally:
            self.diagram_store.close()
        if charts:
            logger.info(__("mdx: %d diagrams, %d drawn now (the others were in the cache)"), len(charts), self.diagram_store.drawn_count)

    def _warn_front_matter(self, docname: str, problem: frontmatter.Problem) -> None:
        suffix = f" — the {self.pages.noun} is not written" if problem.blocks_lesson else ""
        logger.warning(problem.message + suffix, location=(docname, problem.line), type="mdx", subtype="frontmatter")

    def _check_course(self) -> None:
        """Checks that need every page: ids of other pages in the front
        matter (prerequisites) and values unique within a group of pages
        (the order of lessons in a module)."""
        site = self.mdx_settings.site
        known = paths.PageIds.of(self.pages, self.front_matter, self.mdx_settings.external_lessons)
        taken: dict[tuple[str, str, object], list[str]] = defaultdict(list)
        for docname, matter in self.front_matter.items():
            for field in site.front_matter:
                value = matter.values.get(field.name)
                if field.kind == "page-ids" and isinstance(value, list):
                    for page_id in value:
                        if isinstance(page_id, str) and not known.is_known(page_id):
                            message = f"{field.name}: {known.unknown_message(page_id, self.pages.noun)}"
                            matter.problems.append(frontmatter.Problem(message, matter.line_of(field.name), blocks_lesson=False))
                if field.unique_within and field.problem_with(value) is None:
                    taken[(field.name, self.pages.group_of(docname, field.unique_within), value)].append(docname)
        for (name, group, value), docnames in taken.items():
            for docname in docnames[1:]:
                matter = self.front_matter[docname]
                message = f"{name} {value} is already used by {docnames[0]} in {group}"
                matter.problems.append(frontmatter.Problem(message, matter.line_of(name), blocks_lesson=False))

    # ------------------------------------------------------------------
    # writing

    def write_documents(self, docnames: Set[str]) -> None:
        # Only lessons become MDX.  Sphinx also hands over every page whose
        # toctree may have changed, the preview's index above all: resolving
        # its toctree of every lesson took seconds in a 1000-lesson course,
        # most of a one-lesson rebuild, for a page this builder never writes.
        # Such pages are left to the html build, which renders them and so
        # reports what only resolving them finds (a broken link in the index).
        lessons = sorted(docname for docname in docnames if self.pages.is_page(docname))
        self.asked_to_write |= set(lessons) & self.writable
        if self.parallel_ok and len(lessons) > 1:
            self._write_in_workers(lessons)
        elif lessons:
            # Node's parse-back is the larger half of writing MDX: with many
            # lessons it gets the cores Sphinx leaves idle while it resolves
            # and translates.
            self.writer.grow(len(lessons) // LESSONS_PER_WRITER)
            super().write_documents(set(lessons))

    def _write_in_workers(self, docnames: list[str]) -> None:
        """Resolve and write lessons in ``-j`` worker processes.

        Sphinx's own parallel write loads and resolves every doctree in the
        main process and hands only the translation to workers; for MDX,
        loading and resolving are most of the writing, so that took twice as
        long as writing serially.  Here each worker loads, resolves and
        writes its share.  Only the log comes back: the files are on disk,
        and finish() records them in the manifest.
        """

        def write_share(share: list[str]) -> tuple[set[str], dict[str, float]]:
            for docname in share:
                self.phase = BuildPhase.RESOLVING
                doctree = self.env.get_and_resolve_doctree(docname, self, tags=self.tags)
                self.phase = BuildPhase.WRITING
                self.write_doc(docname, doctree)
            self._close_writer()
            # A chart drawn here (one the collector did not record) started
            # a renderer of this worker's own.
            if self.diagram_store is not None:
                self.diagram_store.close()
            return self.refused, self.writer_seconds

        def share_written(share: list[str], result: tuple[set[str], dict[str, float]]) -> None:
            refused, seconds = result
            self.refused |= refused
            self._count_writer_seconds(seconds)

        # One share per worker: each share starts a Node process of its own.
        workers = min(self._app.parallel, len(docnames))
        tasks = ParallelTasks(workers)
        for worker in range(workers):
            tasks.add_task(write_share, docnames[worker::workers], share_written)
        tasks.join()

    @property
    def writer(self) -> MdxWriter:
        """This process's MDX writer (a ``-j`` worker starts its own)."""
        if self._writer is None or self._writer.pid != os.getpid():
            self._writer = MdxWriter()
        return self._writer

    def _close_writer(self) -> None:
        if self._writer is not None and self._writer.pid == os.getpid():
            self._writer.close()
            self._count_writer_seconds(self._writer.node_seconds)
        self._writer = None

    def _count_writer_seconds(self, seconds: dict[str, float]) -> None:
        for step, value in seconds.items():
            self.writer_seconds[step] += value

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        if docname not in self.writable:
            return
        self.current_docname = docname
        translator: MdxTranslator = self.create_translator(doctree, self)
        translator.walk(doctree)
        if translator.problems:
            self._write_lesson(docname, Written(None, tuple(translator.problems)))
            return
        tree = self.assemble(docname, translator)
        self.writer.submit(tree, lambda written: self._write_lesson(docname, written))

    def assemble(self, docname: str, translator: MdxTranslator) -> dict:
        """The lesson's whole intended tree: front matter, imports, body."""
        head = [{"type": "yaml", "value": frontmatter.render(self.front_matter[docname], self.mdx_settings.site)}]
        imports = self.mdx_settings.import_lines(docname, translator.components_used)
        if imports:
            head.append({"type": "mdxjsEsm", "value": "\n".join(imports)})
        return {"type": "root", "children": head + translator.tree["children"]}

    def _write_lesson(self, docname: str, written: Written) -> None:
        relpath = paths.output_path(docname)
        if written.problems:
            self.refused.add(docname)
            for problem in written.problems:
                logger.error(
                    __("%s — the %s is not written (a file published before stays as it was)"),
                    problem.message,
                    self.pages.noun,
                    location=(docname, problem.line or 1),
                    type="mdx",
                    subtype="verify",
                )
            return
        try:
            self.output.write(relpath, written.mdx.encode("utf-8"))
        except ForeignFileError:
            self._leave_foreign_file(relpath, (docname, 1))
        except ReadOnlyOutputError:
            logger.warning(__("%s is read-only; it was left as it is"), self.output.root / relpath, location=(docname, 1), type="mdx", subtype="write")
        except OSError as error:
            logger.warning(__("cannot write %s: %s"), self.output.root / relpath, error, location=(docname, 1), type="mdx", subtype="write")

    def _leave_foreign_file(self, relpath: str, location) -> None:
        """A file someone put at an output path while this build ran: it is
        left as it is and never recorded as this builder's."""
        self.allowed_paths.discard(relpath)
        logger.warning(
            __("%s appeared in the output directory during the build and was not written by this builder; it was left as it is"),
            self.output.root / relpath,
            location=location,
            type="mdx",
            subtype="foreign",
        )

    def finish(self) -> None:
        if self.keep_writer:
            self.writer.drain()
        else:
            self._close_writer()
        if self.diagram_store is not None:
            self.diagram_store.close()
        lesson_paths = {paths.output_path(docname) for docname in self.lessons()}
        image_paths = self._copy_images()
        refused_paths = {paths.output_path(docname) for docname in self.refused}
        # Reading and hashing every file on every build was most of a
        # one-lesson rebuild's finish in a large course: only the lessons
        # this build was asked to write (by this process or its -j workers)
        # and files whose entry is out of date are hashed again; all of them
        # when the lessons were written for another site.
        everything = self.output.written_for != self.written_for
        for relpath in sorted((self.allowed_paths & (lesson_paths | image_paths)) - refused_paths):
            docname = self._docname_of(relpath)
            source_read = self.env.all_docs.get(docname)
            stale = everything or docname in self.asked_to_write or self.output.needs_adopting(relpath, source_read)
            if stale and (self.output.root / relpath).exists():
                self.output.adopt(relpath, source_read)
        removed, modified = self.output.remove_stale(keep=lesson_paths | image_paths)
        for relpath in removed:
            logger.info(__("removed %s: its %s no longer exists"), relpath, self.pages.noun)
        for relpath in modified:
            logger.warning(
                __("%s belongs to a deleted %s but was changed by hand since it was written; it was kept"),
                self.output.root / relpath,
                self.pages.noun,
                type="mdx",
                subtype="write",
            )
        self.output.written_for = self.written_for
        self.output.save_manifest()
        if self.refused:
            # The other lessons are written, but the build did not publish
            # everything it was asked to: it fails, with or without -W.
            self._app.statuscode = 1

    @staticmethod
    def _docname_of(relpath: str) -> str:
        return relpath[: -len(paths.OUT_SUFFIX)] if relpath.endswith(paths.OUT_SUFFIX) else ""

    # ------------------------------------------------------------------
    # images

    def _copy_images(self) -> set[str]:
        """Copy every image a lesson uses to the same relative path in the output."""
        copied = set()
        for uri, (docnames, _unique_name) in self.env.images.items():
            if not any(self.pages.is_page(docname) for docname in docnames):
                continue
            source = Path(self.srcdir) / uri
            if not source.is_file():
                continue
            copied.add(uri)
            if not self.output.may_write(uri):
                if uri not in self.allowed_paths:
                    logger.warning(__("%s already exists in the output directory and was not written by this builder; it was left as it is"), self.output.root / uri, type="mdx", subtype="foreign")
                continue
            self.allowed_paths.add(uri)
            try:
                self.output.write(uri, source.read_bytes())
            except ForeignFileError:
                self._leave_foreign_file(uri, None)
            except (ReadOnlyOutputError, OSError) as error:
                logger.warning(__("cannot copy image %s: %s"), uri, error, type="mdx", subtype="write")
        return copied

    # ------------------------------------------------------------------
    # called by the translator

    def image_reference(self, docname: str, uri: str, node: nodes.Node) -> str | None:
        if not (Path(self.srcdir) / uri).is_file():
            logger.warning(__("image file not found: %s (only its alt text is written)"), uri, location=node, type="mdx", subtype="image")
            return None
        return paths.relative_to_output(docname, uri)

    def anchor(self, docname: str, node_id: str, node: nodes.Node) -> str | None:
        """The site's anchor for a section id ('' for the page title), None if it has none."""
        anchors = self.env.mdx_anchors.get(docname, {})
        if node_id not in anchors:
            logger.warning(
                __("link target '%s' is not a heading (the site has anchors only for headings); the link text is written without a link"),
                unquote(node_id),
                location=node,
                type="mdx",
                subtype="link",
            )
            return None
        return anchors[node_id]

    def lesson_url(self, docname: str, node_id: str, node: nodes.Node) -> str | None:
        if not self.pages.is_page(docname):
            logger.warning(
                __("link to '%s', which is not a %s of the site; the link text is written without a link"),
                docname,
                self.pages.noun,
                location=node,
                type="mdx",
                subtype="link",
            )
            return None
        anchor = self.anchor(docname, node_id, node) if node_id else ""
        if anchor is None:
            return None
        return self.pages.url_of(self.mdx_settings.site.base, docname, anchor)
