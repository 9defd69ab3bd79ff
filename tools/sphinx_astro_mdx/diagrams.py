"""Mermaid diagrams drawn at build time, as static SVG in the page.

The course site shows diagrams without client JavaScript: each ```mermaid
block becomes an inline ``<svg>`` whose labels are real text.  The real
mermaid library draws them in headless Chromium (``diagram_renderer.mjs``,
one browser per build, started only when a diagram is not in the cache).

- ``DiagramStore``: drawn diagrams by chart, theme and renderer; a disk
  cache under the doctree directory keeps them between builds, so a rebuild
  draws only changed charts.
- ``diagram_jsx``: a drawn diagram as MDX JSX nodes of the intended tree.
  Every piece of text (labels, the accessible name, Mermaid's CSS) is a
  string literal, so no label can become markup, an expression or ESM;
  ``mdx_writer`` verifies that.  Ids get a per-page prefix, so two diagrams
  on one page never share one.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sphinx.errors import SphinxError
from sphinx.util.nodes import get_node_line

from . import escaping, node_packages
from .mdx_writer import how_it_stopped, start_node_script

# The id Mermaid's SVG and everything in it is named after (the renderer
# draws every chart under it); a page's n-th diagram gets ROOT_ID-n.
ROOT_ID = "mdx-diagram"
# Bumped when what is drawn for the same chart changes for a reason the
# cache key does not see.
CACHE_FORMAT = 2
# How long the renderer may take to start or to draw one chart (a large
# chart takes a second or two).
DRAW_TIMEOUT_S = 120
# The class of the <figure> around each diagram, for the site's CSS.
FIGURE_CLASS = "mdx-diagram"


def figure_attributes(svg: dict) -> list[tuple[str, str]]:
    """The <figure>'s attributes: its class, and the diagram's labels for
    site search.  Pagefind (the course's search) skips everything inside an
    <svg>; it indexes an attribute that data-pagefind-index-attrs names.
    (Screen readers get the labels from the <svg>'s accessible name.)"""
    return [("class", FIGURE_CLASS), ("data-pagefind-index-attrs", "data-diagram-text"), ("data-diagram-text", " ".join(labels(svg)))]


def labels(svg: dict) -> list[str]:
    """The text of each <text> element, distinct, in drawing order."""
    found: dict[str, None] = {}

    def strings(element: dict) -> str:
        return "".join(child if isinstance(child, str) else strings(child) for child in element["children"])

    def visit(element: dict) -> None:
        if element["name"] == "text":
            # A wrapped label is one <tspan> per line: lines are words apart.
            label = " ".join(" ".join(strings(child) if isinstance(child, dict) else child for child in element["children"]).split())
            if label:
                found.setdefault(label)
            return
        for child in element["children"]:
            if isinstance(child, dict):
                visit(child)

    visit(svg)
    return list(found)


class DiagramRendererUnavailable(SphinxError):
    category = "Diagram renderer unavailable"


@dataclass(frozen=True)
class Drawn:
    """A chart as Mermaid drew it (``svg``), or why it could not (``error``,
    ``line`` within the chart when Mermaid names one)."""

    svg: dict | None = None
    error: str | None = None
    line: int | None = None
    # `click` links Mermaid drew, left out (their words stay).
    unlinked: int = 0


def chart_source(node) -> str:
    """The Mermaid chart of a ``mermaid`` node, without blank lines around it."""
    return node["code"].strip("\n")


def chart_line(node) -> int | None:
    """The lesson line where the chart's first line is.

    docutils gives a chart in a callout (or another container) no line of
    its own, only the container's; the chart is looked for in the lesson
    from there.  A translated chart is not in the file: then the line after
    the node's, where the fence's first chart line is."""
    line = get_node_line(node)
    chart = [row.strip() for row in chart_source(node).splitlines()]
    lines = _source_lines(node.document.get("source", "") if node.document else "")
    for start in range((line or 1) - 1, len(lines) - len(chart) + 1):
        if [row.strip() for row in lines[start : start + len(chart)]] == chart:
            return start + 1
    return line + 1 if line else None


@functools.lru_cache(maxsize=8)
def _lines_of(path: str, mtime_ns: int) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines()


def _source_lines(path: str) -> list[str]:
    try:
        return _lines_of(path, os.stat(path).st_mtime_ns)
    except (OSError, UnicodeDecodeError):
        return []


def drawing_problem(drawn: Drawn, node) -> tuple[int | None, str] | None:
    """Where and why a chart could not be drawn (None when it was)."""
    if drawn.error is None:
        return None
    start = chart_line(node)
    return (start + drawn.line - 1 if start and drawn.line else start), f"Mermaid cannot draw this diagram: {drawn.error}"


def chromium_path() -> Path:
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def renderer_identity() -> dict:
    """What else decides the drawing: mermaid's version, the browser that
    measures the text, and the renderer's own code."""
    mermaid = node_packages.installed("mermaid")
    browser = chromium_path()
    browser_stat = browser.stat() if browser.exists() else None
    return {
        "format": CACHE_FORMAT,
        "renderer": hashlib.sha256(b"".join((node_packages.HERE / name).read_bytes() for name in ("diagram_renderer.mjs", "chromium.mjs"))).hexdigest(),
        "mermaid": json.loads((mermaid / "package.json").read_text(encoding="utf-8"))["version"] if mermaid else None,
        "chromium": [str(browser), browser_stat.st_size, browser_stat.st_mtime_ns] if browser_stat else None,
    }


class _RendererProcess:
    """``diagram_renderer.mjs``, asked one chart at a time."""

    def __init__(self) -> None:
        node = shutil.which("node")
        missing = [package for package in ("mermaid", "playwright-core") if node_packages.installed(package) is None]
        if node is None or missing:
            raise DiagramRendererUnavailable(
                "diagrams are drawn at build time with Mermaid in Chromium, driven by Node; "
                + ("`node` is not on PATH: install Node 20.19 or newer" if node is None else f"{', '.join(missing)} not installed: run `make node` (npm ci)")
                + "; or set mdx_diagrams = 'component' to leave drawing to the site's Mermaid component"
            )
        if not os.access(chromium_path(), os.X_OK):
            raise DiagramRendererUnavailable(
                f"diagrams are drawn at build time with Mermaid in Chromium, and there is no Chromium at {chromium_path()}: "
                "install it (`apt-get install chromium`, or point CHROMIUM_PATH at one), "
                "or set mdx_diagrams = 'component' to leave drawing to the site's Mermaid component"
            )
        self.script = node_packages.script("diagram_renderer.mjs")
        self.process, self._stderr = start_node_script(node, self.script)
        self._next_id = 0
        if not self._read():
            raise self._stopped("did not start")

    def _read(self) -> dict | None:
        """The renderer's next line; a renderer that hangs (a browser that
        stopped answering) is killed after DRAW_TIMEOUT_S, and the build
        stops with its stderr instead of waiting forever."""
        watchdog = threading.Timer(DRAW_TIMEOUT_S, self.process.kill)
        watchdog.start()
        try:
            line = self.process.stdout.readline()
        finally:
            watchdog.cancel()
        return json.loads(line) if line.strip() else None

    def _stopped(self, what: str) -> DiagramRendererUnavailable:
        return DiagramRendererUnavailable(
            how_it_stopped(self.script, self.process, self._stderr, what)
            + "It needs the project's Node packages (`make node`) and Chromium (`apt-get install chromium`); "
            "mdx_diagrams = 'component' avoids both"
        )

    def draw(self, source: str, config: dict) -> tuple[Drawn, float]:
        self._next_id += 1
        try:
            self.process.stdin.write(json.dumps({"id": self._next_id, "source": source, "config": config, "rootId": ROOT_ID}, ensure_ascii=False) + "\n")
            self.process.stdin.flush()
        except OSError:
            raise self._stopped("stopped") from None
        answer = self._read()
        if answer is None:
            raise self._stopped(f"stopped (or gave no answer within {DRAW_TIMEOUT_S} s)")
        error = answer.get("error")
        drawn = Drawn(error=error["message"], line=error.get("line")) if error else Drawn(svg=answer["svg"], unlinked=answer["unlinked"])
        return drawn, answer["ms"] / 1000

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.process.stdout.close()
        self._stderr.close()


class DiagramStore:
    """Drawn diagrams for one build: in memory, on disk, drawn on demand."""

    @classmethod
    def for_app(cls, app) -> DiagramStore:
        """The store of a Sphinx build: its cache beside the doctrees, the
        theme of ``mdx_diagram_theme``."""
        return cls(Path(app.doctreedir) / "mdx-diagrams", app.config.mdx_diagram_theme)

    def __init__(self, cache_dir: Path, config: dict) -> None:
        self.cache_dir = Path(cache_dir)
        self.config = config
        self._identity = json.dumps([renderer_identity(), config], sort_keys=True)
        self._drawn: dict[str, Drawn] = {}
        self._renderer: _RendererProcess | None = None
        # For the benchmark: seconds spent starting the renderer and drawing.
        self.seconds = {"start": 0.0, "draw": 0.0}
        self.drawn_count = 0

    def _key(self, source: str) -> str:
        return hashlib.sha256((self._identity + "\0" + source).encode("utf-8")).hexdigest()

    def prepare(self, sources) -> None:
        """Draw every chart not drawn before, in one browser session."""
        for source in sources:
            self.get(source)

    def get(self, source: str) -> Drawn:
        key = self._key(source)
        if key in self._drawn:
            return self._drawn[key]
        cached = self.cache_dir / f"{key}.json"
        try:
            drawn = Drawn(**json.loads(cached.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            drawn = self._draw(source)
            if drawn.svg is not None:
                self._save(cached, drawn)
        self._drawn[key] = drawn
        return drawn

    def _draw(self, source: str) -> Drawn:
        if self._renderer is None:
            started = time.perf_counter()
            self._renderer = _RendererProcess()
            self.seconds["start"] += time.perf_counter() - started
        drawn, seconds = self._renderer.draw(source, self.config)
        self.seconds["draw"] += seconds
        self.drawn_count += 1
        return drawn

    def _save(self, path: Path, drawn: Drawn) -> None:
        # Written whole under a temporary name: a parallel build never reads
        # half a file.
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(json.dumps({"svg": drawn.svg, "unlinked": drawn.unlinked}, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None


class UnsafeDiagram(ValueError):
    """A drawn diagram that cannot be put in the page as it is."""


def for_page(svg: dict, ordinal: int) -> dict:
    """The drawn SVG as the page's ``ordinal``-th diagram: its ids (all
    ROOT_ID or ROOT_ID-k, see the renderer) become ROOT_ID-n and ROOT_ID-n-k,
    and so do the references to them (``#id`` in attributes and CSS, id
    lists of aria attributes); nothing else changes."""
    page_id = f"{ROOT_ID}-{ordinal}"
    reference = re.compile(rf"#{re.escape(ROOT_ID)}(?![\w])")

    def renamed(identifier: str) -> str:
        return page_id + identifier[len(ROOT_ID) :] if identifier.startswith(ROOT_ID) else identifier

    def attribute(name: str, value: str) -> str:
        if name == "id":
            return renamed(value)
        if name in ("aria-labelledby", "aria-describedby"):
            return " ".join(renamed(identifier) for identifier in value.split())
        return reference.sub("#" + page_id, value)

    def element(drawn: dict) -> dict:
        children = []
        for child in drawn["children"]:
            if isinstance(child, dict):
                children.append(element(child))
            elif drawn["name"] == "style":
                child = reference.sub("#" + page_id, child)
                if "</style" in child.lower():
                    # A <style> is raw text in HTML: this would end it.
                    raise UnsafeDiagram("the diagram's CSS contains '</style'")
                children.append(child)
            else:
                children.append(child)
        attributes = [[name, attribute(name, value)] for name, value in drawn["attributes"]]
        return {"name": drawn["name"], "attributes": attributes, "children": children}

    return element(svg)


def diagram_jsx(svg: dict, ordinal: int, line: int | None) -> dict:
    """The page's ``ordinal``-th diagram as an MDX JSX tree: ``<figure>``
    around the ``<svg>``; all text as string literals."""
    data = {"line": line} if line else {}

    def element(drawn: dict) -> dict:
        children = [
            element(child) if isinstance(child, dict) else {"type": "mdxFlowExpression", "value": escaping.string_literal(child), "data": data}
            for child in drawn["children"]
        ]
        attributes = [escaping.jsx_attribute(name, value) for name, value in drawn["attributes"]]
        return {"type": "mdxJsxFlowElement", "name": drawn["name"], "attributes": attributes, "children": children, "data": data}

    return {
        "type": "mdxJsxFlowElement",
        "name": "figure",
        "attributes": [escaping.jsx_attribute(name, value) for name, value in figure_attributes(svg)],
        "children": [element(for_page(svg, ordinal))],
        "data": data,
    }


def diagram_html(svg: dict, ordinal: int) -> str:
    """The same diagram as HTML, for the preview."""

    def attributes(pairs) -> str:
        return "".join(f' {name}="{html.escape(value)}"' for name, value in pairs)

    def element(drawn: dict) -> str:
        # <style> is raw text in HTML: written as it is (checked by for_page).
        inner = "".join(
            element(child) if isinstance(child, dict) else child if drawn["name"] == "style" else html.escape(child, quote=False)
            for child in drawn["children"]
        )
        return f"<{drawn['name']}{attributes(drawn['attributes'])}>{inner}</{drawn['name']}>"

    return f"<figure{attributes(figure_attributes(svg))}>{element(for_page(svg, ordinal))}</figure>"
