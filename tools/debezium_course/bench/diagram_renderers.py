"""Two ways to draw the course's Mermaid diagrams as static SVG, measured here.

    .venv/bin/python tools/debezium_course/bench/diagram_renderers.py

A measurement, not a test: it prints tables and asserts nothing.  It needs
the project's Node packages (`make node`) and Chromium (`apt-get install
chromium`), and no network.

The candidates:

- beautiful-mermaid (npm): its own Mermaid parser and layout (elkjs) in
  plain Node, no DOM; driven by tools/debezium_course/bench/beautiful_mermaid_render.mjs.
- mermaid in headless Chromium: the real mermaid package in the system's
  browser; driven by tools/sphinx_astro_mdx/diagram_renderer.mjs, the renderer
  the mdx builder uses, with the builder's default theme.

The charts: every ```mermaid block of docs/**/*.md (the course lessons), then
a fixed set of probes: Mermaid syntax a course author writes.

Per chart and renderer it reports whether the renderer drew the chart or
reported an error (and whether that was right: the invalid probe must be an
error), how many of the chart's label words the SVG shows as text, how many
nodes it drew against how many the chart has, the words it drew that are no
label of the chart, whether the SVG fetches anything from the network, and
whether its CSS applies to the diagram only.  Then the speed of each (start,
first chart, later charts, the whole course) and what each needs installed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from debezium_course import REPO_ROOT

ROOT = REPO_ROOT
DOCS = ROOT / "docs"
NODE_MODULES = ROOT / "node_modules"
MERMAID_RENDERER = ROOT / "tools" / "sphinx_astro_mdx" / "diagram_renderer.mjs"
BEAUTIFUL_RENDERER = Path(__file__).with_name("beautiful_mermaid_render.mjs")
SETTINGS = ROOT / "tools" / "sphinx_astro_mdx" / "settings.py"
ROOT_ID = "mdx-diagram"

LAUNCHES = 3  # fresh processes per renderer, for start-up and course totals
REPEATS = 5  # draws of each course chart after warm-up, for the per-chart median

BEAUTIFUL = "beautiful-mermaid"
MERMAID = "mermaid+Chromium"
RENDERERS = (BEAUTIFUL, MERMAID)


@dataclass(frozen=True)
class Chart:
    name: str
    source: str
    course: bool
    invalid: bool = False
    # Nodes the chart has, when the rule in expected_nodes() cannot tell.
    nodes: int | None = None


# Common syntax a course author writes, each a few lines.  The node counts
# are what Mermaid's own documentation makes of them: a state diagram's
# [*] is a start and an end node, a pie's nodes are its slices.
PROBES = (
    Chart("graph A-->B (no spaces)", "graph TD\n    A-->B", course=False),
    Chart("flowchart edge label", "flowchart LR\n    P[Producer] -->|sends event| K[Kafka topic]\n    K --> C[Consumer]", course=False),
    Chart(
        "accTitle/accDescr",
        "flowchart TD\n    accTitle: Order flow\n    accDescr: Orders are written to Kafka\n    O[Order] --> K[Kafka]",
        course=False,
    ),
    Chart("invalid flowchart", "flowchart TD\n    A[Start --> B(\n    }}} ]]", course=False, invalid=True),
    Chart(
        "stateDiagram-v2",
        "stateDiagram-v2\n    [*] --> Snapshot\n    Snapshot --> Streaming : snapshot done\n    Streaming --> [*]",
        course=False,
        nodes=4,
    ),
    Chart(
        "erDiagram",
        "erDiagram\n    CUSTOMER ||--o{ ORDER : places\n    CUSTOMER {\n        int id PK\n        string email\n    }",
        course=False,
        nodes=2,
    ),
    Chart(
        "classDiagram",
        "classDiagram\n    Connector <|-- PostgresConnector\n    class Connector {\n        +String name\n        +start() void\n    }",
        course=False,
        nodes=2,
    ),
    Chart('pie (no "pie" in beautiful-mermaid)', 'pie title Operations\n    "create" : 40\n    "update" : 55\n    "delete" : 5', course=False, nodes=3),
)


# -- the charts --------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?:mermaid|\{mermaid\})\s*$")


def course_charts() -> list[Chart]:
    """Every ```mermaid (or MyST ```{mermaid}) block of docs/**/*.md."""
    charts = []
    for path in sorted(DOCS.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            opening = _FENCE.match(lines[index])
            index += 1
            if not opening:
                continue
            fence, start, body = opening["fence"], index, []
            while index < len(lines) and not (
                lines[index].strip().startswith(fence[0] * len(fence)) and not lines[index].strip().strip(fence[0])
            ):
                body.append(lines[index])
                index += 1
            index += 1
            indent = len(opening["indent"])
            source = "\n".join(line[indent:] if line[:indent].isspace() else line for line in body).strip("\n")
            charts.append(Chart(f"{path.relative_to(DOCS)}:{start}", source, course=True))
    return charts


# -- what a chart says: its label words and its nodes -------------------------
#
# The rule, applied to each line of the chart after its first word (the
# diagram type), skipping blank lines, %% comments, accTitle/accDescr (their
# text belongs in the SVG's <title>/<desc>, not drawn as a label) and styling
# lines (classDef, style, linkStyle, click):
#   1. in a sequence diagram, `participant|actor ID as ALIAS`: ALIAS is a
#      label, ID a labelled id;
#   2. outside flowcharts, the text after the line's first `:` is a label
#      (message, note, transition, relationship, pie slice value);
#   3. "quoted text", |edge labels| and the inside of a bracket shape
#      ([..], (..), {..}, [(..)], ((..)) ... on one line) are labels, and a
#      word right before a non-empty bracket shape is a labelled id;
#   4. what is left is ids, keywords and arrows: arrows and punctuation go,
#      and so do Mermaid's keywords (KEYWORDS) and the single-letter heads
#      o and x of arrows such as --o or |o--o{.
# The label words are the words of the labels (1-3) plus the words left by
# 4 that are no labelled id (a node written without a label shows its id).
# A word is a run of letters, digits and _ with at least one letter,
# compared case-insensitively; so "poll()" gives "poll", "81%" nothing.
# For flowcharts and sequence diagrams, the chart's nodes are its ids: the
# labelled ids plus the words left by 4.

KEYWORDS = {
    word.casefold()
    for word in (
        "participant actor as note over left right of loop alt else opt par and critical break rect end "
        "activate deactivate autonumber box create destroy links link state direction class subgraph title "
        "showData TB TD BT RL LR"
    ).split()
}
_WORD = re.compile(r"\w*[^\W\d_]\w*")
_SKIP = re.compile(r"^\s*(?:%%|accTitle\b|accDescr\b|classDef\b|style\b|linkStyle\b|click\b)")
_ALIAS = re.compile(r"^\s*(?:participant|actor)\s+(?P<id>\S+)\s+as\s+(?P<alias>.+)$")
_QUOTED = re.compile(r'"([^"]*)"')
_PIPE = re.compile(r"\|([^|]*)\|")
_SHAPE = re.compile(r"(?P<id>\w+)?\s*(?P<open>[\[({>]{1,2})(?P<text>[^\[\](){}]*)(?P<close>[\])}]{1,2})")
_ARROW_HEAD = re.compile(r"(?<=[-.=|{}])[ox](?=[\s{}|]|$)|(?:^|(?<=\s))[ox](?=[-.=|{}])")
_CLASS_SHORTHAND = re.compile(r":::\w+")


def words(text: str) -> set[str]:
    return {word.casefold() for word in _WORD.findall(text)}


def diagram_type(source: str) -> str:
    first = next((line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("%%")), "")
    return first.split()[0] if first.split() else ""


@dataclass
class ChartText:
    label_words: set[str]
    ids: set[str]


def chart_text(source: str) -> ChartText:
    kind = diagram_type(source)
    flowchart = kind in ("graph", "flowchart")
    labels: list[str] = []
    labelled: set[str] = set()
    plain: set[str] = set()
    lines = source.splitlines()
    header_seen = False
    in_acc_block = False
    for line in lines:
        if not line.strip() or _SKIP.match(line) or in_acc_block:
            if re.match(r"^\s*accDescr\s*\{", line):
                in_acc_block = "}" not in line
            elif in_acc_block and "}" in line:
                in_acc_block = False
            continue
        if not header_seen:
            header_seen = True
            line = line.strip()[len(kind) :]
        if kind == "sequenceDiagram" and (alias := _ALIAS.match(line)):
            labels.append(alias["alias"])
            labelled.add(alias["id"].casefold())
            continue
        line = _CLASS_SHORTHAND.sub(" ", line)
        if not flowchart and ":" in line:
            line, label = line.split(":", 1)
            labels.append(label)
        labels.extend(_QUOTED.findall(line))
        line = _QUOTED.sub('""', line)
        labels.extend(_PIPE.findall(line))
        line = _PIPE.sub(" ", line)
        for shape in _SHAPE.finditer(line):
            labels.append(shape["text"])
            if shape["id"] and shape["text"].strip():
                labelled.add(shape["id"].casefold())
        line = _SHAPE.sub(lambda shape: f" {shape['id'] or ''} ", line)
        line = _ARROW_HEAD.sub(" ", line)
        plain |= words(re.sub(r"[^\w\s]", " ", line)) - KEYWORDS
    label_words = set().union(*map(words, labels)) | (plain - labelled)
    return ChartText(label_words=label_words, ids=labelled | plain)


def expected_nodes(chart: Chart) -> int | None:
    if chart.nodes is not None:
        return chart.nodes
    if chart.invalid:
        return None
    if diagram_type(chart.source) in ("graph", "flowchart", "sequenceDiagram"):
        return len(chart_text(chart.source).ids)
    return None


# -- what an SVG shows -------------------------------------------------------
#
# Both renderers' SVGs are read as the same tree: {"name", "attributes":
# [[name, value]], "children": [element or text]}; diagram_renderer.mjs sends
# that already, beautiful-mermaid's markup is parsed with ElementTree.


def tree_from_markup(markup: str) -> dict:
    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    def convert(element: ET.Element) -> dict:
        children: list = [element.text] if element.text else []
        for child in element:
            children.append(convert(child))
            if child.tail:
                children.append(child.tail)
        return {"name": local(element.tag), "attributes": [[local(k), v] for k, v in element.attrib.items()], "children": children}

    return convert(ET.fromstring(markup))


def elements(tree: dict):
    yield tree
    for child in tree["children"]:
        if isinstance(child, dict):
            yield from elements(child)


def attribute(element: dict, name: str) -> str | None:
    return next((value for key, value in element["attributes"] if key == name), None)


def classes(element: dict) -> set[str]:
    return set((attribute(element, "class") or "").split())


def text_of(element: dict) -> str:
    return " ".join(child if isinstance(child, str) else text_of(child) for child in element["children"])


def drawn_words(tree: dict) -> set[str]:
    """Words of the SVG's <text> (and so <tspan>) content: what the reader
    sees, not the <title>/<desc> a screen reader gets."""
    return set().union(*(words(text_of(element)) for element in elements(tree) if element["name"] == "text"))


def count_nodes(tree: dict, renderer: str) -> int:
    """Nodes as each renderer marks them.  mermaid: <g class="node"> (flowchart,
    state, class and ER diagrams), one <rect class="actor-top"> per sequence
    participant, one <path class="pieCircle"> per pie slice.  beautiful-mermaid:
    <g data-id> of class node, actor, entity or class-node."""
    if renderer == MERMAID:
        marks = {"node", "actor-top", "pieCircle"}
        return sum(1 for element in elements(tree) if classes(element) & marks)
    marks = {"node", "actor", "entity", "class-node"}
    return sum(1 for element in elements(tree) if element["name"] == "g" and attribute(element, "data-id") is not None and classes(element) & marks)


# @import url('…') / @import "…": the target may hold ; and & (Google Fonts).
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<bare>[^\s;)]+))[^;]*;""")
_STRING = re.compile(r"'[^']*'" r'|"[^"]*"')


def network_uses(tree: dict) -> list[str]:
    """What the SVG would fetch: CSS @import and url() of another origin, and
    href/src attributes that point off the document."""
    uses = []
    for element in elements(tree):
        if element["name"] == "style":
            css = text_of(element)
            for statement in _IMPORT.finditer(css):
                uses.append(f"@import {statement['single'] or statement['double'] or statement['bare']}")
            css = _IMPORT.sub("", css)
            uses += [f"url({target})" for target in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")\s]+)", css)]
        for key, value in element["attributes"]:
            if key in ("href", "src") and not value.startswith(("#", "data:")):
                uses.append(f"{key}={value}")
    return uses


def css_rules(css: str) -> tuple[list[str], list[str]]:
    """The selectors of a style sheet's rules (inside @media/@supports too)
    and the names its @keyframes define (a name the whole page shares)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = _STRING.sub('""', css)  # a ; or { inside a string is no syntax
    selectors, keyframes = [], []
    position = 0
    while position < len(css):
        brace = css.find("{", position)
        semicolon = css.find(";", position)
        if brace < 0:
            break
        if 0 <= semicolon < brace and css[position:semicolon].strip().startswith("@"):
            position = semicolon + 1  # @import …; @charset …;
            continue
        prelude = css[position:brace].strip()
        depth, end = 1, brace + 1
        while end < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        block = css[brace + 1 : end - 1]
        if prelude.startswith("@keyframes") or prelude.startswith("@-webkit-keyframes"):
            keyframes.append(prelude.split(None, 1)[1] if len(prelude.split()) > 1 else "")
        elif prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner_selectors, inner_keyframes = css_rules(block)
            selectors += inner_selectors
            keyframes += inner_keyframes
        elif not prelude.startswith("@"):
            selectors += [selector.strip() for selector in prelude.split(",") if selector.strip()]
        position = end
    return selectors, keyframes


@dataclass
class CssScope:
    selectors: int = 0
    unscoped: list[str] = field(default_factory=list)
    keyframes: list[str] = field(default_factory=list)

    def short(self) -> str:
        if not self.selectors:
            return "none"
        return "#id" if not self.unscoped else f"global({len(self.unscoped)})"


def css_scope(tree: dict) -> CssScope:
    """A selector is scoped when it starts with the <svg>'s own id: then it
    can match nothing outside this diagram.  `#id :root` counts as scoped
    (it matches nothing at all)."""
    svg_id = attribute(tree, "id")
    scope = CssScope()
    for element in elements(tree):
        if element["name"] != "style":
            continue
        selectors, keyframes = css_rules(text_of(element))
        scope.selectors += len(selectors)
        scope.keyframes += keyframes
        for selector in selectors:
            if not (svg_id and re.match(rf"#{re.escape(svg_id)}(?![\w-])", selector)):
                scope.unscoped.append(selector)
    return scope


# -- the renderers -----------------------------------------------------------


def diagram_theme() -> dict:
    """DEFAULT_DIAGRAM_THEME from settings.py, read without importing Sphinx."""
    module = ast.parse(SETTINGS.read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == "DEFAULT_DIAGRAM_THEME" for target in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"no DEFAULT_DIAGRAM_THEME in {SETTINGS}")


def beautiful_options(theme: dict) -> dict:
    """The same dark theme in beautiful-mermaid's terms (colours do not change
    what is measured here, but both should draw the same page).  Its `font`
    is one family name, which it also puts into a Google Fonts URL: given
    the theme's whole font list, the quotes of 'Segoe UI' end the CSS
    string of its @import early; so it gets the list's first family."""
    variables = theme["themeVariables"]
    return {
        "transparent": True,
        "bg": variables["edgeLabelBackground"],
        "fg": variables["textColor"],
        "line": variables["lineColor"],
        "accent": variables["signalColor"],
        "surface": variables["mainBkg"],
        "border": variables["nodeBorder"],
        "font": theme["fontFamily"].split(",")[0].strip().strip("'\""),
    }


@dataclass
class Drawing:
    ms: float  # wall time from request to answer, as the builder waits for it
    tree: dict | None = None
    error: str | None = None


class RendererProcess:
    def __init__(self, renderer: str, theme: dict) -> None:
        self.renderer = renderer
        script = MERMAID_RENDERER if renderer == MERMAID else BEAUTIFUL_RENDERER
        self.options = theme if renderer == MERMAID else beautiful_options(theme)
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [NODE, str(script)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "NO_COLOR": "1"},
        )
        ready = self.process.stdout.readline()
        self.startup_ms = (time.perf_counter() - began) * 1000
        if not ready.strip():
            self.process.wait()
            raise SystemExit(f"{script.name} did not start: {self.process.stderr.read().strip()}")
        self.ready = json.loads(ready)
        self.began = began
        self.next_id = 0

    @property
    def version(self) -> str:
        return self.ready.get("mermaid") or self.ready.get("beautifulMermaid") or "?"

    def draw(self, source: str) -> Drawing:
        self.next_id += 1
        request = {"id": self.next_id, "source": source}
        request |= {"config": self.options, "rootId": ROOT_ID} if self.renderer == MERMAID else {"options": self.options}
        began = time.perf_counter()
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        ms = (time.perf_counter() - began) * 1000
        if not line.strip():
            raise SystemExit(f"{self.renderer} stopped: {self.process.stderr.read().strip()}")
        answer = json.loads(line)
        if "error" in answer:
            return Drawing(ms, error=" ".join(str(answer["error"].get("message", answer["error"])).split()))
        if self.renderer == MERMAID:
            return Drawing(ms, tree=answer["svg"])
        try:
            return Drawing(ms, tree=tree_from_markup(answer["svg"]))
        except ET.ParseError as error:
            return Drawing(ms, error=f"SVG is not well-formed XML: {error}")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


NODE = shutil.which("node") or "node"


# -- what each needs installed ----------------------------------------------


def package_dir(name: str, near: Path) -> Path | None:
    """Where Node finds package `name` from inside `near`."""
    for directory in (near, *near.parents):
        if directory.name == "node_modules":
            continue
        candidate = directory / "node_modules" / name
        if (candidate / "package.json").is_file():
            return candidate
        if directory == ROOT:
            break
    return None


def closure(root_packages: tuple[str, ...]) -> dict[str, Path]:
    """The installed packages these need at run time: dependencies,
    optionalDependencies and peerDependencies that are installed, followed
    the way Node resolves them.  name@dir -> dir."""
    found: dict[str, Path] = {}
    pending = [(name, ROOT) for name in root_packages]
    while pending:
        name, near = pending.pop()
        directory = package_dir(name, near)
        if directory is None:
            continue
        key = str(directory.relative_to(NODE_MODULES))
        if key in found:
            continue
        found[key] = directory
        manifest = json.loads((directory / "package.json").read_text(encoding="utf-8"))
        for section in ("dependencies", "optionalDependencies", "peerDependencies"):
            pending += [(dependency, directory) for dependency in manifest.get(section) or {}]
    return found


def disk_usage(directory: Path, seen: set[tuple[int, int]]) -> int:
    """Bytes on disk (allocated blocks, like du) of a package, without its
    own node_modules (those are packages of their own), each inode once."""
    total = 0
    for current, subdirectories, files in os.walk(directory):
        if Path(current) == directory and "node_modules" in subdirectories:
            subdirectories.remove("node_modules")
        for name in (*files, *subdirectories):
            stat = os.lstat(os.path.join(current, name))
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_blocks * 512
    return total


def closure_size(packages: dict[str, Path]) -> int:
    seen: set[tuple[int, int]] = set()
    return sum(disk_usage(directory, seen) for directory in packages.values())


def chromium_installed_kib() -> dict[str, int] | None:
    if not shutil.which("dpkg-query"):
        return None
    result = subprocess.run(
        ["dpkg-query", "-Wf", "${Package} ${Installed-Size}\n", "chromium", "chromium-common"],
        capture_output=True,
        text=True,
    )
    sizes = {}
    for line in result.stdout.splitlines():
        package, _, size = line.partition(" ")
        if size.strip().isdigit():
            sizes[package] = int(size)
    return sizes or None


# -- the run -----------------------------------------------------------------


@dataclass
class Result:
    chart: Chart
    renderer: str
    drawing: Drawing
    covered: int = 0
    label_total: int = 0
    missing: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)
    nodes: int | None = None
    expected: int | None = None
    network: list[str] = field(default_factory=list)
    scope: CssScope | None = None

    @property
    def drew(self) -> bool:
        return self.drawing.tree is not None

    @property
    def outcome_right(self) -> bool:
        return self.drew != self.chart.invalid

    @property
    def faithful(self) -> bool:
        """Right outcome, and when drawn: every label word, no stray word, the
        chart's number of nodes."""
        if not self.outcome_right:
            return False
        if not self.drew:
            return True
        return self.covered == self.label_total and not self.stray and (self.expected is None or self.nodes == self.expected)


def assess(chart: Chart, renderer: str, drawing: Drawing) -> Result:
    result = Result(chart, renderer, drawing, expected=expected_nodes(chart))
    if drawing.tree is None:
        return result
    expected_words = chart_text(chart.source).label_words
    shown = drawn_words(drawing.tree)
    result.label_total = len(expected_words)
    result.covered = len(expected_words & shown)
    result.missing = sorted(expected_words - shown)
    result.stray = sorted(shown - expected_words)
    result.nodes = count_nodes(drawing.tree, renderer)
    result.network = network_uses(drawing.tree)
    result.scope = css_scope(drawing.tree)
    return result


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    began = time.perf_counter()
    theme = diagram_theme()
    course = course_charts()
    charts = [*course, *PROBES]

    results: dict[str, list[Result]] = {renderer: [] for renderer in RENDERERS}
    startup: dict[str, list[float]] = {renderer: [] for renderer in RENDERERS}
    first_chart: dict[str, list[float]] = {renderer: [] for renderer in RENDERERS}
    course_total: dict[str, list[float]] = {renderer: [] for renderer in RENDERERS}
    warm: dict[str, dict[str, list[float]]] = {renderer: {chart.name: [] for chart in course} for renderer in RENDERERS}
    versions: dict[str, str] = {}

    # Launches alternate between the renderers so that both see the same
    # machine.  Each launch draws the course once, as `make mdx` would (that
    # is the course total, from process start); the first launch then draws
    # the probes and the course REPEATS times more, for the per-chart median.
    for launch in range(LAUNCHES):
        for renderer in RENDERERS:
            process = RendererProcess(renderer, theme)
            versions[renderer] = process.version
            startup[renderer].append(process.startup_ms)
            try:
                drawings = [process.draw(chart.source) for chart in course]
                course_total[renderer].append((time.perf_counter() - process.began) * 1000)
                if drawings:
                    first_chart[renderer].append(drawings[0].ms)
                if launch == 0:
                    results[renderer] += [assess(chart, renderer, drawing) for chart, drawing in zip(course, drawings)]
                    results[renderer] += [assess(chart, renderer, process.draw(chart.source)) for chart in PROBES]
                    for _ in range(REPEATS):
                        for chart in course:
                            warm[renderer][chart.name].append(process.draw(chart.source).ms)
            finally:
                process.close()

    print(f"Diagram renderers on this machine ({os.cpu_count()} cores, Node {subprocess.run([NODE, '--version'], capture_output=True, text=True).stdout.strip()})")
    print(f"  {BEAUTIFUL} {versions[BEAUTIFUL]}: tools/debezium_course/bench/beautiful_mermaid_render.mjs, in Node, no DOM")
    print(f"  {MERMAID}: mermaid {versions[MERMAID]} in headless Chromium ({chromium_version()}), tools/sphinx_astro_mdx/diagram_renderer.mjs")
    print(f"Charts: {len(course)} from the course (docs/**/*.md), {len(PROBES)} probes of common syntax")
    print()

    print("Fidelity (labels: label words of the chart shown as SVG text; nodes: drawn/in the chart;")
    print("stray: words drawn that are no label of the chart; net: what the SVG fetches; css: #id = every")
    print("selector under the svg's own id, global(N) = N selectors that reach the whole page)")
    rows = []
    for index, chart in enumerate(charts):
        for renderer in RENDERERS:
            result = results[renderer][index]
            if result.drew:
                outcome = "drew" if not chart.invalid else "drew: NO ERROR"
                labels = f"{result.covered}/{result.label_total} {100 * result.covered / max(result.label_total, 1):.0f}%"
                nodes = f"{result.nodes}/{result.expected if result.expected is not None else '?'}"
                stray = shorten(" ".join(result.stray), 24) or "-"
                network = "@import" if any(use.startswith("@import") for use in result.network) else ("yes" if result.network else "no")
                css = result.scope.short()
            else:
                outcome = ("error (right)" if chart.invalid else "error") + ": " + shorten(result.drawing.error or "", 40)
                labels = nodes = stray = network = css = "-"
            rows.append([shorten(chart.name, 48) if renderer == BEAUTIFUL else "", renderer, outcome, labels, nodes, stray, network, css])
    print(table(rows, ["chart", "renderer", "result", "labels", "nodes", "stray", "net", "css"]))
    print()

    print("Label words missing from the drawing:")
    for renderer in RENDERERS:
        for result in results[renderer]:
            if result.drew and result.missing:
                print(f"  {renderer:18} {shorten(result.chart.name, 48):48} {shorten(' '.join(result.missing), 60)}")
    print()
    print("What the SVGs fetch and where their CSS applies:")
    for renderer in RENDERERS:
        drawn = [result for result in results[renderer] if result.drew]
        uses = sorted({use for result in drawn for use in result.network})
        unscoped = sorted({selector for result in drawn for selector in result.scope.unscoped})
        keyframes = sorted({name for result in drawn for name in result.scope.keyframes})
        fetching = sum(1 for result in drawn if result.network)
        print(f"  {renderer}: {fetching}/{len(drawn)} SVGs fetch from the network" + (f" ({'; '.join(uses)})" if uses else ""))
        print(f"    selectors outside the diagram's id: {', '.join(unscoped) if unscoped else 'none'}" + (f"; @keyframes names (page-wide): {', '.join(keyframes)}" if keyframes else ""))
    print()

    print(f"Speed (wall time as the caller waits; start-up and course total: median of {LAUNCHES} fresh processes;")
    print(f"per chart after warm-up: median of {REPEATS} draws of each course chart in one process)")
    speed_rows = [
        ["start-up: process start to ready"] + [f"{median(startup[renderer]):.0f} ms" for renderer in RENDERERS],
        ["first course chart, right after start"] + [f"{median(first_chart[renderer]):.0f} ms" for renderer in RENDERERS],
    ]
    for chart in course:
        speed_rows.append([f"  warm: {shorten(chart.name, 48)}"] + [f"{median(warm[renderer][chart.name]):.1f} ms" for renderer in RENDERERS])
    all_warm = {renderer: [ms for values in warm[renderer].values() for ms in values] for renderer in RENDERERS}
    speed_rows.append(["per chart after warm-up (all course charts)"] + [f"{median(all_warm[renderer]):.1f} ms" for renderer in RENDERERS])
    speed_rows.append([f"course total ({len(course)} charts, from process start)"] + [f"{median(course_total[renderer]):.0f} ms" for renderer in RENDERERS])
    print(table(speed_rows, ["", *RENDERERS]))
    print()

    print("Weight: what `make mdx` needs installed to draw diagrams (Node itself in both cases)")
    beautiful_packages = closure(("beautiful-mermaid",))
    mermaid_packages = closure(("mermaid", "playwright-core"))
    shared = set(beautiful_packages) & set(mermaid_packages)
    chromium = chromium_installed_kib()
    chromium_text = (
        " + ".join(f"{package} {kib / 1024:.0f} MiB" for package, kib in sorted(chromium.items()))
        + f" = {sum(chromium.values()) / 1024:.0f} MiB"
        if chromium
        else "n/a (no dpkg here)"
    )
    weight_rows = [
        ["npm packages (the package and all it depends on)", f"{len(beautiful_packages)}", f"{len(mermaid_packages)} (mermaid + playwright-core)"],
        ["their size in node_modules (on disk, like du)", mib(closure_size(beautiful_packages)), mib(closure_size(mermaid_packages))],
        ["  of which playwright-core (and its deps)", "-", mib(closure_size(closure(("playwright-core",))))],
        ["apt package: Debian's chromium + chromium-common (Installed-Size)", "-", chromium_text],
    ]
    print(table(weight_rows, ["", *RENDERERS]))
    print(f"  beautiful-mermaid's packages: {', '.join(sorted(beautiful_packages))}; shared with the mermaid route: {', '.join(sorted(shared)) or 'none'}")
    print("  chromium's own shared-library dependencies (apt pulls them in) are not counted")
    print()

    for renderer in RENDERERS:
        rs = results[renderer]
        drawn = [result for result in rs if result.drew]
        invalid = [result for result in rs if result.chart.invalid]
        course_results = [result for result in rs if result.chart.course]
        coverage = sum(result.covered for result in drawn) / max(sum(result.label_total for result in drawn), 1)
        wrong_nodes = sum(1 for result in drawn if result.expected is not None and result.nodes != result.expected)
        weight = mib(closure_size(beautiful_packages if renderer == BEAUTIFUL else mermaid_packages))
        if renderer == MERMAID and chromium:
            weight += f" + {sum(chromium.values()) / 1024:.0f} MiB chromium (apt)"
        print(
            f"{renderer}: faithful on {sum(result.faithful for result in rs)}/{len(rs)} charts "
            f"({sum(result.faithful for result in course_results)}/{len(course_results)} of the course's), "
            f"{len(drawn)} drawn, invalid chart {'reported as an error' if all(not result.drew for result in invalid) else 'drawn without error'}, "
            f"{100 * coverage:.0f}% of label words shown, {wrong_nodes} drawing(s) with the wrong node count; "
            f"start-up {median(startup[renderer]):.0f} ms, {median(all_warm[renderer]):.1f} ms/chart warm, "
            f"course {median(course_total[renderer]):.0f} ms; {weight}"
        )
    print(f"(measured in {time.perf_counter() - began:.0f} s)")
    return 0


def chromium_version() -> str:
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    try:
        output = subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return chromium
    return " ".join(output.split()) or chromium


if __name__ == "__main__":
    sys.exit(main())
