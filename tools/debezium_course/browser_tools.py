"""Python side of the browser tools: a static server on 127.0.0.1 for a built
site, and the Node scripts that drive the system's Chromium through
playwright-core (tests/node/browser-check.mjs, browser-livereload.mjs,
mermaid-check.mjs; browser-common.mjs is what they share).

Chromium is /usr/bin/chromium (``apt-get install chromium``), or the
``CHROMIUM_PATH`` environment variable; it is never downloaded.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .myst_sources import myst_fences
from .node_tools import NodeToolError, json_output, run_node_script, start_node_script

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def require_chromium() -> None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        raise NodeToolError(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM_PATH)")



# --- static server ----------------------------------------------------------


@dataclass
class StaticSite:
    """A directory served over HTTP on 127.0.0.1, under a URL prefix."""

    root: Path
    base: str
    port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, relative: str = "") -> str:
        """URL of ``relative`` (a path below the served root, POSIX separators)."""
        return f"{self.origin}{self.base}/{relative.lstrip('/')}"


class _Handler(http.server.SimpleHTTPRequestHandler):
    site: StaticSite

    # Module scripts must come with a JavaScript MIME type or the browser
    # refuses them; do not depend on the machine's /etc/mime.types.
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".json": "application/json",
        ".woff2": "font/woff2",
    }

    def _below_base(self) -> bool:
        path = unquote(urlsplit(self.path).path)
        return not self.site.base or path == self.site.base or path.startswith(self.site.base + "/")

    def send_head(self):
        # Only URLs below the base exist, as on the real site: a page that
        # links outside it gets a 404 here too.
        if not self._below_base():
            self.send_error(404, f"not below {self.site.base}/")
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        request_path = unquote(urlsplit(path).path)[len(self.site.base) :]
        # The base class resolves the rest against `directory` and drops
        # ".." segments, so nothing outside the root is reachable.
        return super().translate_path(request_path or "/")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        # Failed requests reach the test through the browser's record.
        pass


@contextlib.contextmanager
def serve_directory(root: Path, base: str = "") -> Iterator[StaticSite]:
    """Serve ``root`` at ``http://127.0.0.1:<port><base>/`` while the block runs.

    ``base`` is a URL prefix such as ``/debezium-course`` (the Astro site's
    ``base``): ``<base>/course/x/`` is ``root/course/x/index.html``.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise NodeToolError(f"nothing to serve: {root} is not a directory")
    base = "/" + base.strip("/") if base.strip("/") else ""
    site = StaticSite(root=root, base=base, port=0)
    handler = type("SiteHandler", (_Handler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name=f"static {root}", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- browser-check.mjs --------------------------------------------------------


def check_pages(pages: Sequence[dict], timeout_ms: int = 20000, concurrency: int = 4, timeout: float = 600) -> dict:
    """Open every page in headless Chromium; see tests/node/browser-check.mjs.

    ``pages`` are ``{"url": ..., "screenshot": path or None}``. Returns
    ``{"pages": [record, ...], "blocked": [url, ...]}``, records in input order.
    """
    require_chromium()
    payload = {"pages": [dict(page) for page in pages], "timeoutMs": timeout_ms, "concurrency": concurrency}
    for page in payload["pages"]:
        if page.get("screenshot") is not None:
            page["screenshot"] = str(page["screenshot"])
    process = run_node_script("browser-check.mjs", stdin=json.dumps(payload), timeout=timeout)
    return json_output("browser-check.mjs", process)


def page_problems(record: dict) -> list[str]:
    """What went wrong on a page, as reader-facing facts; empty when all is well.

    Covers what every page must satisfy: it loaded, nothing left the
    machine, no console error or uncaught exception, no failed local request,
    every diagram rendered, every heading anchor is the :target and is
    scrolled to.
    """
    problems = []
    if record.get("checkError"):
        problems.append(f"could not be checked: {record['checkError']}")
    if record.get("status") != 200:
        problems.append(f"HTTP status {record.get('status')}")
    problems += [f"request left the machine: {url}" for url in record["externalRequests"]]
    problems += [f"refers to another host: {reference}" for reference in record.get("externalReferences", [])]
    problems += [f"console error: {entry['text']} at {entry['location'].get('url')}" for entry in record["consoleErrors"]]
    problems += [f"uncaught error: {error}" for error in record["pageErrors"]]
    problems += [f"HTTP {entry['status']} for {entry['url']}" for entry in record["failedResponses"]]
    problems += [f"request failed ({entry['error']}): {entry['url']}" for entry in record["failedRequests"]]
    for index, diagram in enumerate(record.get("diagrams", [])):
        if diagram["state"] != "rendered":
            problems.append(f"diagram {index + 1} ({diagram['kind']}) is {diagram['state']}: {diagram['error']}".rstrip(": "))
    if record.get("strayErrorSvgs"):
        problems.append(f"{record['strayErrorSvgs']} Mermaid error picture(s) outside any diagram")
    for anchor in record.get("anchors", []) + ([record["freshAnchor"]] if record.get("freshAnchor") else []):
        if not (anchor["exists"] and anchor["isTarget"] and anchor["scrolledTo"]):
            problems.append(
                f"anchor #{anchor['id']} of {anchor['heading']!r}: exists={anchor['exists']} :target={anchor['isTarget']} "
                f"top={anchor['top']} scrollY={anchor['scrollY']} of {anchor['maxScrollY']}"
            )
    return problems


def format_problems(records: Sequence[dict]) -> str:
    lines = []
    for record in records:
        lines += [f"{record['url']}: {problem}" for problem in page_problems(record)]
    return "\n".join(lines)


# --- browser-livereload.mjs ----------------------------------------------------


def watch_live_reload(url: str, expect_text: str, save: Callable[[], None], timeout: float = 60, socket_match: str = "/websocket-reload") -> dict:
    """Open ``url`` in Chromium, call ``save()`` once the page is loaded, and
    wait (at most ``timeout`` seconds) until the page shows ``expect_text``
    without being navigated by the test; see tests/node/browser-livereload.mjs
    (``socket_match``: part of the URL of the server's reload WebSocket).

    Returns the script's result: ``found``, ``reloads``, ``elapsedMs``,
    ``h1``, ``websockets``, ``externalRequests``, ``consoleErrors``,
    ``pageErrors``, plus ``loaded`` (the first report, before the save).
    """
    require_chromium()
    process = start_node_script("browser-livereload.mjs")
    lines: queue.Queue[str | None] = queue.Queue()

    def read_lines() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read_lines, name="browser-livereload stdout", daemon=True).start()

    def next_event(expected: str, wait: float) -> dict:
        try:
            line = lines.get(timeout=wait)
        except queue.Empty:
            raise NodeToolError(f"browser-livereload.mjs said nothing for {wait:.0f} s (waiting for {expected!r})") from None
        if line is None:
            process.wait(timeout=10)
            raise NodeToolError(f"browser-livereload.mjs exited with {process.returncode} before {expected!r}:\n{process.stderr.read()}")
        event = json.loads(line)
        if event.get("event") != expected:
            raise NodeToolError(f"browser-livereload.mjs reported {event!r}, expected {expected!r}")
        return event

    try:
        process.stdin.write(json.dumps({"url": url, "expectText": expect_text, "timeoutMs": int(timeout * 1000), "socketMatch": socket_match}))
        process.stdin.close()
        loaded = next_event("loaded", wait=60)
        save()
        result = next_event("result", wait=timeout + 30)
        process.wait(timeout=30)
        return {**result, "loaded": loaded}
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


# --- mermaid-check.mjs --------------------------------------------------------


def mermaid_parse_errors(charts: Sequence[str], timeout: float = 300) -> list[dict]:
    """Parse Mermaid charts with the real mermaid library (node_modules), in
    headless Chromium; see tests/node/mermaid-check.mjs.

    Returns one record per chart, in order:
    ``{"ok": bool, "diagramType": str | None, "error": None | {"message", "line", "column"}}``.
    """
    charts = list(charts)
    if not all(isinstance(chart, str) for chart in charts):
        raise TypeError("charts must be strings")
    if not charts:
        return []
    require_chromium()
    process = run_node_script("mermaid-check.mjs", stdin=json.dumps(charts), timeout=timeout)
    return json_output("mermaid-check.mjs", process)


# --- lesson sources ------------------------------------------------------------

def mermaid_charts_in_myst(source: str) -> list[tuple[int, str]]:
    """``(line, chart)`` for the ```mermaid / ```{mermaid} fences of a MyST
    file (directive options such as ``:zoom:`` are not part of the chart)."""
    return [(line, body) for line, _options, body in myst_fences(source, "mermaid")]


def mermaid_errors_in_lessons(paths) -> list[str]:
    """``file:line: message`` for every chart in these MyST files that the real
    Mermaid cannot parse; the line is the chart's line where Mermaid names one."""
    located = [(Path(path), line, chart) for path in paths for line, chart in mermaid_charts_in_myst(Path(path).read_text(encoding="utf-8"))]
    records = mermaid_parse_errors([chart for _path, _line, chart in located])
    errors = []
    for (path, first_line, _chart), record in zip(located, records):
        if not record["ok"]:
            error = record["error"]
            line = first_line + error["line"] - 1 if error.get("line") else first_line
            errors.append(f"{path}:{line}: Mermaid: {error['message']}")
    return errors


def copy_tree(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target
