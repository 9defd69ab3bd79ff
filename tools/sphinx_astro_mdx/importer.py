"""Bring hand-written MDX lessons into the project as MyST, with a round trip check.

    python -m sphinx_astro_mdx.importer [-c CONFDIR] [--lessons GLOB] [--force]
                                        [--accept-differences] SITE_CONTENT SOURCEDIR

``SITE_CONTENT`` is the site's content folder (``src/content/course`` of the
course site): every ``<page>.mdx`` under it whose name is a page of the
site profile becomes ``SOURCEDIR/<page>.md``.  A lesson that exists already
is kept unless ``--force``.

What each lesson becomes (``mdx_importer.mjs`` reads it with the site's own
MDX syntax and writes MyST with the CommonMark serializer):

- front matter: kept as it is;
- prose: MyST that reads as the same text (MDX escapes and entities become
  the characters they stand for; what MyST reads as markup is escaped);
- the site's callouts: admonitions (``:class:`` carries the callout type;
  ``untitled`` where the callout had no title); its Mermaid component: a
  ``mermaid`` diagram; imports of these: left out (the builder writes them);
- every other piece of MDX (components, comments, other imports, a
  paragraph with inline JSX): a ``{raw} mdx`` block with its exact source;
- code fences: code blocks, counted as "code not yet executed";
- a ``<`` that does not start a tag (``<1ms``, not valid MDX): the character.

Then the project is built with the ``mdx`` builder into a temporary folder
(diagrams as the site's component, so their charts can be compared), and
each written lesson is compared with its original: both are rendered with
the real ``@mdx-js/mdx`` and React, components as stubs that show their
name and props.  The visible text, the components and the meaningful
elements (headings, lists, links, code, tables…) must be the same.  The
exit status is 1 when a lesson could not be read or differs, unless
``--accept-differences``.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util.console import nocolor
from sphinx.util.docutils import docutils_namespace, patch_docutils

from . import node_packages
from .profile import SiteProfile
from .settings import site_of
from .translator import UNTITLED_CLASS

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass
class Lesson:
    docname: str
    source: Path
    target: Path
    # What happened, line by line, for the report.
    outcome: str = ""
    lines: list[str] = field(default_factory=list)
    read: str = ""
    written: bool = False
    # Written, and its round trip shows a difference (or it was not built).
    differs: bool = False


def site_description(site: SiteProfile, fence_directives: list[str]) -> dict:
    """What the Node side needs to know of the site profile."""
    callout = site.components.get("callout")
    mermaid = site.components.get("mermaid")
    kinds: dict[str, str] = {}
    for kind, callout_type in site.admonition_map.items():
        # The admonition named like the type, else the first that maps to it.
        if kind == callout_type or callout_type not in kinds:
            kinds[callout_type] = kind
    return {
        "callout": {"name": callout.name, "kinds": kinds} if callout else None,
        "mermaid": {"name": mermaid.name} if mermaid else None,
        "builderComponents": [component.name for component in site.components.values()],
        "fenceDirectives": fence_directives,
        "untitledClass": UNTITLED_CLASS,
    }


def run_node(request: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("the importer needs Node.js (node on PATH) and the project's node_modules (npm ci)")
    script = node_packages.script("mdx_importer.mjs")
    result = subprocess.run([node, str(script)], input=json.dumps(request), capture_output=True, text=True, encoding="utf-8")
    if result.returncode != 0:
        raise SystemExit(f"the importer's Node script failed:\n{result.stderr}")
    return json.loads(result.stdout)


def front_matter(text: str) -> object:
    """The page's front matter as YAML values (None: none, or not YAML)."""
    match = _FRONT_MATTER.match(text.removeprefix("\ufeff"))
    if not match:
        return None
    try:
        return yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None


def title_of(text: str) -> str | None:
    matter = front_matter(text)
    title = matter.get("title") if isinstance(matter, dict) else None
    return title if isinstance(title, str) else None


def find_lessons(content: Path, srcdir: Path, site: SiteProfile, pattern: str | None, suffix: str, force: bool) -> tuple[list[Lesson], list[str]]:
    """The lessons to import, and a line for each file matched but left."""
    lessons, skipped = [], []
    for path in sorted(content.rglob("*.mdx")):
        docname = path.relative_to(content).with_suffix("").as_posix()
        if pattern and not fnmatch.fnmatch(docname, pattern):
            continue
        if not site.pages.is_page(docname):
            skipped.append(f"{docname}: not a {site.pages.noun} name the site takes ({site.pages.name_rule}); not imported")
            continue
        target = srcdir / (docname + suffix)
        if target.exists() and not force:
            skipped.append(f"{docname}: {target} exists and is kept (--force, or FORCE=1, to overwrite it)")
            continue
        lesson = Lesson(docname, path, target)
        if target.exists():
            lesson.lines.append(f"replaces the existing {target} (--force)")
        lessons.append(lesson)
    return lessons, skipped


def convert(lessons: list[Lesson], site: dict) -> None:
    texts = {lesson.docname: lesson.source.read_text(encoding="utf-8") for lesson in lessons}
    request = {"convert": [{"name": name, "text": text, "title": title_of(text)} for name, text in texts.items()], "site": site}
    answers = {answer["name"]: answer for answer in run_node(request)["lessons"]}
    for lesson in lessons:
        answer = answers[lesson.docname]
        if "error" in answer:
            error = answer["error"]
            lesson.outcome = f"NOT IMPORTED: {lesson.source}:{error['line']}: {error['message']}"
            continue
        lesson.read = answer["read"]
        lesson.target.parent.mkdir(parents=True, exist_ok=True)
        lesson.target.write_text(answer["myst"], encoding="utf-8")
        lesson.written = True
        report = answer["report"]
        code = ", ".join(f"{block['line']} ({block['lang'] or 'no language'})" for block in report["code"])
        lesson.lines.append(f"code blocks not yet executed: {len(report['code'])}" + (f", at lines {code}" if code else ""))
        for raw in report["raw"]:
            lesson.lines.append(f"kept as raw MDX: line {raw['line']}: {raw['what']}")
        for repair in report["repairs"]:
            lesson.lines.append(f"not valid MDX, read as meant: line {repair['line']}: {repair['message']}")
        for note in report["notes"]:
            lesson.lines.append(f"note: line {note['line']}: {note['message']}")


def project(srcdir: Path, confdir: Path, work: Path, warnings: io.StringIO) -> Sphinx:
    """The project as an ``mdx`` build into ``work``: its configuration gives
    the site profile, and it builds the imported lessons for the comparison
    (its sources are looked for when it builds, after the import)."""
    return Sphinx(
        str(srcdir),
        str(confdir),
        str(work / "mdx"),
        str(work / "doctrees"),
        "mdx",
        # Diagrams as the site's component: their charts are compared as
        # the original's are.  (`make mdx` draws them as the site wants.)
        confoverrides={"mdx_diagrams": "component"},
        status=None,
        warning=warnings,
        freshenv=True,
    )


def render_differences(pairs: list[dict], base: str) -> dict[str, list[str]]:
    """For each ``{"name", "original", "written"}``: how what a reader gets
    from ``written`` differs from ``original`` (empty: the same)."""
    if not pairs:
        return {}
    return {answer["name"]: answer["differences"] for answer in run_node({"compare": pairs, "base": base})["lessons"]}


def compare(lessons: list[Lesson], outdir: Path, base: str) -> None:
    pairs = []
    for lesson in lessons:
        written = outdir / (lesson.docname + ".mdx")
        if not lesson.written:
            continue
        if not written.is_file():
            lesson.differs = True
            lesson.outcome = "round trip: the builder did not write it (see its warnings above)"
            continue
        pairs.append({"name": lesson.docname, "original": lesson.read, "written": written.read_text(encoding="utf-8")})
    differences = render_differences(pairs, base)
    for pair in pairs:
        # The site reads the front matter too (a lost `draft: true` publishes a draft).
        before, after = front_matter(pair["original"]), front_matter(pair["written"])
        if before != after:
            differences[pair["name"]].append(f"the front matter differs: the original has {before!r}, the lesson written from MyST has {after!r}")
    for lesson in lessons:
        if lesson.docname not in differences:
            continue
        if differences[lesson.docname]:
            lesson.differs = True
            lesson.outcome = "round trip: DIFFERENT\n" + "\n".join(f"  {difference}" for difference in differences[lesson.docname])
        else:
            lesson.outcome = "round trip: identical text, components and elements"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sphinx_astro_mdx.importer", description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path, help="the site's content folder, e.g. ../course-site/src/content/course")
    parser.add_argument("srcdir", type=Path, help="the project's source folder (docs)")
    parser.add_argument("-c", dest="confdir", type=Path, default=None, help="where conf.py is (default: SRCDIR)")
    parser.add_argument("--lessons", default=None, help="only pages whose name matches this glob, e.g. '03-module-3/*'")
    parser.add_argument("--force", action="store_true", help="overwrite lessons that exist already")
    parser.add_argument("--accept-differences", action="store_true", help="exit 0 even when a round trip differs")
    args = parser.parse_args(argv)
    confdir = args.confdir or args.srcdir
    nocolor()
    if not args.content.is_dir():
        parser.error(f"{args.content} is not a folder")

    # As sphinx-build does: the application's docutils registrations end with
    # it (the importer also runs inside other processes, such as the tests).
    with patch_docutils(str(confdir)), docutils_namespace(), tempfile.TemporaryDirectory(prefix="import-mdx-") as work_name:
        work = Path(work_name)
        warnings = io.StringIO()
        try:
            app = project(args.srcdir, confdir, work, warnings)
        except SphinxError as error:
            print(f"import-mdx: {error}", file=sys.stderr)
            return 2
        site = site_of(app.config)
        suffix = next((suffix for suffix, kind in app.config.source_suffix.items() if kind == "markdown"), ".md")
        fence_directives = list(getattr(app.config, "myst_fence_as_directive", []) or [])
        lessons, skipped = find_lessons(args.content, args.srcdir, site, args.lessons, suffix, args.force)
        for line in skipped:
            print(f"import-mdx: {line}")
        if not lessons and not skipped:
            print(f"import-mdx: no .mdx file under {args.content}" + (f" matches --lessons {args.lessons!r}" if args.lessons else ""), file=sys.stderr)
            return 2
        if not lessons:
            print("import-mdx: no lesson to import")
            return 0
        convert(lessons, site_description(site, fence_directives))
        app.build()
        compare(lessons, Path(app.outdir), site.base)

    for lesson in lessons:
        print(f"\n{lesson.docname}: {lesson.source}" + (f" → {lesson.target}" if lesson.written else ""))
        for line in lesson.lines:
            print(f"  {line}")
        where = f"{lesson.target.resolve()}:"
        for warning in warnings.getvalue().splitlines():
            if warning.startswith(where) or warning.startswith(f"{lesson.target.resolve()}: "):
                print(f"  warning: {warning}")
        print(f"  {lesson.outcome}")
    written = [lesson for lesson in lessons if lesson.written]
    differing = sum(lesson.differs for lesson in written)
    unread = len(lessons) - len(written)
    print(
        f"\nimport-mdx: {len(written)} lesson(s) written, {len(written) - differing} identical after the round trip, {differing} not"
        + (f"; {unread} not imported (not readable as MDX)" if unread else "")
    )
    if unread:
        print("import-mdx: fix the lessons that were not imported at the line given, then run again", file=sys.stderr)
    if differing and not args.accept_differences:
        print(
            "import-mdx: the lessons are written; fix them or the differences, "
            "or accept the differences with --accept-differences (make import-mdx … ACCEPT=1)",
            file=sys.stderr,
        )
    return 1 if unread or (differing and not args.accept_differences) else 0


if __name__ == "__main__":
    sys.exit(main())
