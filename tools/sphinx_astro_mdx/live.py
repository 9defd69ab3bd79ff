"""Live authoring: write the MDX of what changed on every save.

    python -m sphinx_astro_mdx.live [-c CONFDIR] [-d DOCTREES] [-D name=value]... [--watch PATH]... SOURCEDIR OUTDIR

One process stays up with Sphinx, MyST and the project's configuration
loaded, one Sphinx application with its environment in memory, and the Node
writer started and warm.  A save is then an incremental build of that
application: only the changed pages are read and written, with everything
an ``mdx`` build guarantees (atomic writes, the manifest, files that did not
change left untouched, warnings at file:line, a page with errors keeps its
last good MDX).  A new process per save (``sphinx-build``) spends most of a
second starting Python, importing Sphinx, loading the environment and
starting Node before it reads one line; the warm application spends that
once.

``conf.py`` changed: a new application (every page is written again).  A
build that fails with an exception: the error is shown, the published
files stay as they were, and the next save starts a new application.
Ctrl-C stops the watcher, the Node writer and any half-written file.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import logging
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sphinx.locale
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util.console import nocolor
from sphinx.util.docutils import docutils_namespace, patch_docutils

from .builder import MdxBuilder
from .outputs import OutputDirectory

# Changes to ignore: editors' swap and backup files, and what builds write.
IGNORED_SUFFIXES = (".swp", ".swx", "~", ".tmp", ".pyc", ".mo")
IGNORED_PARTS = frozenset({"_build", "__pycache__", ".git", "node_modules"})
# How long a burst of changes (an editor writing a file in several steps)
# is waited for before building, in milliseconds.
QUIET_MS = 30
# How often the watcher wakes up when nothing changes, in milliseconds.
READY_MS = 200
# Written files named in a build's line; the others are counted.
SHOWN_FILES = 5


@dataclass
class Options:
    sourcedir: Path
    outdir: Path
    confdir: Path
    doctreedir: Path
    overrides: dict[str, str] = field(default_factory=dict)
    watched: list[Path] = field(default_factory=list)


def parse_args(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m sphinx_astro_mdx.live", description="Rebuild the MDX of the pages that change, on every save.")
    parser.add_argument("sourcedir", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("-c", dest="confdir", type=Path, help="the directory of conf.py (default: SOURCEDIR)")
    parser.add_argument("-d", dest="doctreedir", type=Path, help="the doctree cache (default: CONFDIR/_build/doctrees/livemdx)")
    parser.add_argument("-D", dest="overrides", action="append", default=[], metavar="name=value", help="override a setting of conf.py")
    parser.add_argument("--watch", dest="watched", action="append", type=Path, default=[], help="another path whose changes rebuild (translations: locale/)")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.overrides:
        name, equals, value = item.partition("=")
        if not equals:
            parser.error(f"-D {item}: write -D name=value")
        overrides[name] = value
    confdir = (args.confdir or args.sourcedir).resolve()
    return Options(
        sourcedir=args.sourcedir.resolve(),
        outdir=args.outdir.resolve(),
        confdir=confdir,
        # Not below OUTDIR, as sphinx-build's default: that is the site's
        # content folder.
        doctreedir=(args.doctreedir or confdir / "_build" / "doctrees" / "livemdx").resolve(),
        overrides=overrides,
        watched=[path.resolve() for path in args.watched],
    )


def is_ignored(path: Path, options: Options) -> bool:
    """Editors' scratch files, and what builds write (below the watched
    folders: a checkout inside some `_build/` still counts)."""
    if path.name.endswith(IGNORED_SUFFIXES) or path.name.startswith(".#"):
        return True
    for written in (options.outdir, options.doctreedir):
        if path == written or written in path.parents:
            return True
    for root in (options.sourcedir, options.confdir, *options.watched):
        if root in path.parents:
            return bool(IGNORED_PARTS & set(path.relative_to(root).parts))
    return False


class LiveBuild:
    """The warm application and what a save does with it."""

    def __init__(self, options: Options, status=sys.stdout, warning=sys.stderr) -> None:
        self.options = options
        self.status = status
        self.warning = warning
        self.app: Sphinx | None = None
        # What the application registered with docutils, undone when it goes.
        self._namespace = contextlib.ExitStack()
        self.conf_file = options.confdir / "conf.py"
        self._fresh = False

    def _new_app(self) -> Sphinx:
        options = self.options
        # As sphinx-build does: an application's roles, directives and nodes
        # live in a docutils namespace of its own, so the next application
        # (conf.py changed) registers them again without a clash.
        self._namespace.enter_context(patch_docutils(str(options.confdir)))
        self._namespace.enter_context(docutils_namespace())
        app = Sphinx(
            str(options.sourcedir),
            str(options.confdir),
            str(options.outdir),
            str(options.doctreedir),
            "mdx",
            confoverrides=options.overrides,
            status=None,
            warning=self.warning,
            freshenv=self._fresh,
        )
        self._fresh = False
        if not isinstance(app.builder, MdxBuilder):
            raise SystemExit("the mdx builder did not load")
        app.builder.keep_writer = True
        return app

    def build(self, reason: str, changed_sources: Iterable[Path] = ()) -> list[str]:
        """Build what is outdated (and ``changed_sources``); returns the
        output files that changed."""
        started = time.perf_counter()
        try:
            if self.app is None:
                self.app = self._new_app()
            else:
                self._reread(changed_sources)
            builder = self.app.builder
            # The site is looked at again on every build: a component added
            # to it meanwhile changes how pages are written.
            builder.__dict__.pop("written_for", None)
            self.app.statuscode = 0
            _forget_page_catalogs()
            self.app.build()
        except Exception as error:  # noqa: BLE001 - any failure is shown, and the watch goes on
            what = str(error) if isinstance(error, SphinxError) else traceback.format_exc()
            self.warning.write(f"mdx live: the build after {reason} failed; the published files stay as they were:\n{what}\n")
            self._record_partial_writes()
            self.close()
            return []
        changed = sorted(self.app.builder.output.forget_changes())
        seconds = time.perf_counter() - started
        shown = ", ".join(changed[:SHOWN_FILES]) + (f" and {len(changed) - SHOWN_FILES} more" if len(changed) > SHOWN_FILES else "")
        self.status.write(f"mdx live: {reason}: {shown or 'nothing changed'} ({seconds:.2f} s)\n")
        self.status.flush()
        return changed

    def _reread(self, sources: Iterable[Path]) -> None:
        """Read the saved sources again even if their time did not move on:
        a save while Sphinx was parsing that file has an earlier time than
        the one Sphinx recorded when it finished reading."""
        env = self.app.env
        for path in sources:
            docname = env.path2doc(str(path))
            if docname in env.all_docs:
                env.all_docs[docname] = 0

    def _record_partial_writes(self) -> None:
        """Files a failed build wrote stay this builder's (a new lesson
        written just before the failure must not look foreign next time)."""
        if self.app is None:
            return
        with contextlib.suppress(Exception):
            output = self.app.builder.output
            for relpath in output.forget_changes():
                output.adopt(relpath, None)
            output.save_manifest()

    def on_changes(self, paths: Iterable[Path]) -> list[str]:
        paths = sorted({path for path in paths if not is_ignored(path, self.options)})
        if not paths:
            return []
        if self.conf_file in paths:
            # New settings, perhaps new extensions or code Sphinx cannot
            # compare: a new application, and every page read again (a page
            # whose MDX comes out the same is not rewritten).
            self.close()
            self._fresh = True
        shown = ", ".join(_relative(path, self.options) for path in paths[:3]) + (" …" if len(paths) > 3 else "")
        return self.build(f"saved {shown}", paths)

    def watched_paths(self) -> list[Path]:
        return list(dict.fromkeys([self.options.sourcedir, self.conf_file, *self.options.watched]))

    def close(self) -> None:
        """Stop the Node writer and forget the application."""
        app, self.app = self.app, None
        if app is not None:
            # Each step on its own: a writer that crashed must not keep the
            # diagram renderer running, nor the watcher from going on.
            with contextlib.suppress(Exception):
                app.builder._close_writer()
            if app.builder.diagram_store is not None:
                with contextlib.suppress(Exception):
                    app.builder.diagram_store.close()
        self._namespace.close()
        # A write cut short by Ctrl-C leaves a temporary file; never a
        # half-written page.
        OutputDirectory(self.options.outdir).remove_interrupted_writes()


def _forget_page_catalogs() -> None:
    """Make a translated page read its catalog again.

    Python's gettext keeps every catalog file it loaded, and Sphinx every
    translator it made, for the life of the process; in this one a
    translator's save would otherwise never reach the MDX.  Sphinx's own
    catalog (its labels) stays.
    """
    for key in [key for key in sphinx.locale.translators if key[1] != "sphinx"]:
        del sphinx.locale.translators[key]
    gettext._translations.clear()


def _relative(path: Path, options: Options) -> str:
    for root in (options.sourcedir, options.confdir):
        if root in path.parents or path == root:
            return path.relative_to(root).as_posix()
    return str(path)


def watch(live: LiveBuild, stop: threading.Event | None = None) -> None:
    import watchfiles

    live.build("start")
    existing = [str(path) for path in live.watched_paths() if path.exists()]
    announced = False
    # The first answer of the watcher (a change, or none within
    # READY_MS) comes once it watches: only then is "watching" true.
    for changes in watchfiles.watch(
        *existing, debounce=1000, step=QUIET_MS, stop_event=stop, raise_interrupt=False, rust_timeout=READY_MS, yield_on_timeout=True
    ):
        if not announced:
            live.status.write(f"mdx live: watching {', '.join(str(path) for path in live.watched_paths())} (Ctrl-C stops)\n")
            live.status.flush()
            announced = True
        if changes:
            live.on_changes(Path(changed) for _change, changed in changes)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv)
    # Ctrl-C, also in a process started in the background (which inherits
    # SIGINT ignored), and a plain `kill` stop it the same clean way.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    if not sys.stderr.isatty():
        # As sphinx-build does: colour codes only for a terminal.
        nocolor()
    live = LiveBuild(options)
    # watchfiles says it stopped on Ctrl-C; this module says so itself.
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    try:
        watch(live)
    except KeyboardInterrupt:
        pass
    finally:
        live.close()
    live.status.write("mdx live: stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
