"""Diagrams drawn at build time: each ```mermaid block becomes a static SVG in
the MDX, drawn by the real mermaid in headless Chromium, with its labels as
text that can never become code, an accessible name, ids unique on the page,
the same bytes for the same chart, a cache, and errors at the lesson's line.

The SVG is checked through the real MDX compiler here; tests/test_publish.py
builds it into Astro sites and opens the pages in Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from course_builds import sphinx_build
from debezium_course.node_tools import compile_mdx

from sphinx_astro_mdx import diagrams

LESSON = "05-module-5/01-diagrams.mdx"
BROKEN = "05-module-5/02-broken.mdx"
# The labels of the first chart, as Mermaid shows them (it splits them into
# one <tspan> per word; `&lt;` is Mermaid's entity for `<`).
HOSTILE_LABELS = ["import x from 'y'", "PostgreSQL {wal}", "Debezium <1 с", "Kafka ${topic} }{", "export const a = 1"]


@pytest.fixture(scope="module")
def built(rootdir, tmp_path_factory):
    """The diagrams root built once with an empty diagram cache."""
    work = tmp_path_factory.mktemp("diagrams")
    source = work / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    result = sphinx_build("mdx", source, work / "out", "-d", str(work / "doctrees"))
    record = compile_mdx([work / "out" / LESSON], tree=True, check=True)[0]
    return work, result, record


def svg_elements(record) -> list[dict]:
    return [node for node in record["mdx_nodes"] if node["type"] == "mdxJsxFlowElement" and node["name"] == "svg"]


def attribute(node: dict, name: str) -> str | None:
    return next((item["literal"] for item in node["attributes"] if item["name"] == name), None)


def shown_strings(record) -> list[str]:
    """Every string the diagrams show (labels, titles, CSS), in order."""
    return [node["literal"] for node in record["mdx_nodes"] if node["type"] == "mdxFlowExpression"]


def test_diagrams_are_static_svg_and_need_no_component(built):
    work, result, record = built
    mdx = (work / "out" / LESSON).read_text(encoding="utf-8")

    assert len(svg_elements(record)) == 3
    assert mdx.count("<figure class=\"mdx-diagram\" data-pagefind-index-attrs=\"data-diagram-text\"") == 3
    # Nothing to import and nothing that runs in the browser.
    assert not re.search(r"^import ", mdx, re.M) and "<Mermaid" not in mdx
    assert {node["type"] for node in record["mdx_nodes"]} == {"mdxJsxFlowElement", "mdxFlowExpression"}


def test_labels_stay_text(built):
    _work, _result, record = built
    # Every expression is a plain string (no code runs), and each hostile
    # label is on the page exactly, word by word.
    strings = shown_strings(record)
    assert None not in strings
    words = [string.strip() for string in strings]
    for label in HOSTILE_LABELS:
        assert " ".join(label.split()) in " ".join(words), label
    names = {node["name"] for node in record["mdx_nodes"] if node["type"] == "mdxJsxFlowElement"}
    # Only the SVG Mermaid draws, inside the builder's <figure>: no
    # component, no script, no HTML island.
    assert not {name for name in names if name[0].isupper()}, names
    assert not names & {"script", "foreignObject", "iframe", "a", "object"}, names
    assert {"figure", "svg", "text", "tspan", "style"} <= names


def test_labels_are_in_an_attribute_site_search_indexes(built):
    _work, _result, record = built
    figures = [node for node in record["mdx_nodes"] if node.get("name") == "figure"]
    assert [attribute(figure, "data-pagefind-index-attrs") for figure in figures] == ["data-diagram-text"] * 3
    assert attribute(figures[0], "data-diagram-text") == "import x from 'y' PostgreSQL {wal} Debezium <1 с Kafka ${topic} }{ export const a = 1"
    assert attribute(figures[1], "data-diagram-text") == "Потребитель Kafka сообщение коммит offset"


def test_each_diagram_has_an_accessible_name(built):
    _work, _result, record = built
    first, sequence, again = svg_elements(record)
    for svg in (first, sequence, again):
        assert attribute(svg, "role") == "img"
        assert attribute(svg, "aria-labelledby")
    # accTitle/accDescr of the chart are its <title> and <desc>.
    strings = shown_strings(record)
    assert "Обмен сообщениями" in strings and "Потребитель читает сообщение и подтверждает его" in strings
    assert attribute(sequence, "aria-describedby") == "mdx-diagram-2-2"
    # Without them, the title lists the labels (a screen reader does not read inside an image).
    assert "import x from 'y'; PostgreSQL {wal}; Debezium <1 с; Kafka ${topic} }{; export const a = 1" in strings


def test_ids_are_unique_on_the_page(built):
    work, _result, _record = built
    mdx = (work / "out" / LESSON).read_text(encoding="utf-8")
    ids = re.findall(r'\sid="([^"]+)"', mdx)
    assert len(ids) == len(set(ids)) > 10
    # The same chart twice: the same drawing, under its own ids.
    assert [svg_id for svg_id in ids if svg_id.startswith("mdx-diagram-") and "-" not in svg_id[len("mdx-diagram-") :]] == [
        "mdx-diagram-1",
        "mdx-diagram-2",
        "mdx-diagram-3",
    ]
    first, third = mdx.split('<svg id="mdx-diagram-1"')[1].split("</svg>")[0], mdx.split('<svg id="mdx-diagram-3"')[1].split("</svg>")[0]
    assert first.replace("mdx-diagram-1", "X") == third.replace("mdx-diagram-3", "X")
    # Every reference of an attribute (markers of edges) points into its own diagram.
    references = re.findall(r'="url\(#([^)]+)\)"', mdx)
    assert references and set(references) <= set(ids)


def test_a_chart_mermaid_cannot_parse_is_an_error_at_its_line(built):
    work, result, _record = built
    assert result.returncode == 1
    # The broken chart's third line is line 21 of the lesson; in the callout,
    # whose chart docutils gives only the callout's line, line 30.
    assert re.search(r"02-broken\.md:21: ERROR: Mermaid cannot draw this diagram: Parse error on line 3:", result.stderr), result.stderr
    assert re.search(r"02-broken\.md:30: ERROR: Mermaid cannot draw this diagram: Parse error on line 3:", result.stderr), result.stderr
    assert not (work / "out" / BROKEN).exists()
    # The other lesson is written.
    assert (work / "out" / LESSON).is_file()


def cache_files(doctrees: Path) -> dict[str, int]:
    """The diagram cache: file name -> mtime (a drawing is saved when drawn)."""
    return {path.name: path.stat().st_mtime_ns for path in (doctrees / "mdx-diagrams").iterdir()}


def test_same_chart_same_bytes_and_a_rebuild_draws_only_changed_charts(built, rootdir, tmp_path):
    work, _result, _record = built
    # Another build with its own empty cache draws the same bytes.
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    (source / "05-module-5" / "02-broken.md").unlink()
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    first = sphinx_build("mdx", source, out, "-d", str(doctrees))
    assert first.returncode == 0, first.stderr
    assert (out / LESSON).read_bytes() == (work / "out" / LESSON).read_bytes()
    # Three diagrams, two different charts.
    drawn = cache_files(doctrees)
    assert len(drawn) == 2

    # Nothing changed (the environment read afresh): nothing drawn, the file untouched.
    mtime = (out / LESSON).stat().st_mtime_ns
    again = sphinx_build("mdx", source, out, "-d", str(doctrees), "-E")
    assert again.returncode == 0, again.stderr
    assert cache_files(doctrees) == drawn
    assert (out / LESSON).stat().st_mtime_ns == mtime

    # One chart changed: only it is drawn.
    lesson = source / "05-module-5" / "01-diagrams.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("C-->>K: коммит offset", "C-->>K: коммит"), encoding="utf-8")
    changed = sphinx_build("mdx", source, out, "-d", str(doctrees))
    assert changed.returncode == 0, changed.stderr
    now = cache_files(doctrees)
    assert {name: mtime for name, mtime in now.items() if name in drawn} == drawn
    assert len(now) == 3


def test_without_chromium_the_error_says_what_to_install_and_what_avoids_it(rootdir, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    result = sphinx_build("mdx", source, tmp_path / "out", "-d", str(tmp_path / "doctrees"), env={"CHROMIUM_PATH": str(tmp_path / "no-chromium")})

    assert result.returncode != 0
    assert f"there is no Chromium at {tmp_path / 'no-chromium'}: install it (`apt-get install chromium`" in result.stderr
    assert "set mdx_diagrams = 'component'" in result.stderr
    assert not (tmp_path / "out" / LESSON).exists()


def test_the_component_form_stays_available(rootdir, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    (source / "05-module-5" / "02-broken.md").unlink()
    result = sphinx_build("mdx", source, tmp_path / "out", "-D", "mdx_diagrams=component")
    assert result.returncode == 0, result.stderr
    mdx = (tmp_path / "out" / LESSON).read_text(encoding="utf-8")
    assert "import { Mermaid } from '../../../components/Mermaid.tsx';" in mdx
    assert mdx.count("<Mermaid chart={`") == 3 and "<svg" not in mdx


def test_css_that_would_end_the_style_element_is_refused():
    drawn = {"name": "svg", "attributes": [["id", diagrams.ROOT_ID]], "children": [{"name": "style", "attributes": [], "children": ["a{}</style><script>x</script>"]}]}
    with pytest.raises(diagrams.UnsafeDiagram, match="</style"):
        diagrams.diagram_jsx(drawn, 1, 3)


def test_the_renderer_draws_deterministically(tmp_path):
    store = diagrams.DiagramStore(tmp_path / "cache", {"theme": "dark"})
    try:
        chart = "flowchart TD\n    A[Один] --> B{Два}\n    B -->|да| C[Три]"
        first = store.get(chart)
        assert first.error is None
        # A new browser session draws the same SVG.
        second = diagrams.DiagramStore(tmp_path / "other", {"theme": "dark"})
        try:
            assert json.dumps(second.get(chart).svg) == json.dumps(first.svg)
        finally:
            second.close()
        assert [path.suffix for path in (tmp_path / "cache").iterdir()] == [".json"]
    finally:
        store.close()


def test_cache_key_follows_theme_and_source(tmp_path):
    chart = "flowchart LR\n    A --> B"
    dark = diagrams.DiagramStore(tmp_path, {"theme": "dark"})
    light = diagrams.DiagramStore(tmp_path, {"theme": "default"})
    assert dark._key(chart) != light._key(chart)
    assert dark._key(chart) != dark._key(chart + "\n    B --> C")
    assert dark._key(chart) == diagrams.DiagramStore(Path(tmp_path), {"theme": "dark"})._key(chart)


def drawn_names(element, found=None) -> set[str]:
    found = set() if found is None else found
    found.add(element["name"])
    for child in element["children"]:
        if isinstance(child, dict):
            drawn_names(child, found)
    return found


def drawn_strings(element) -> list[str]:
    return [piece for child in element["children"] for piece in ([child] if isinstance(child, str) else drawn_strings(child))]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = diagrams.DiagramStore(tmp_path_factory.mktemp("store"), {"theme": "dark"})
    yield store
    store.close()


@pytest.mark.parametrize(
    "chart",
    [
        '%%{init: {"htmlLabels": true}}%%\nflowchart LR\n    A["<b>bold</b> <img src=https://evil.example/x.png>"] --> B',
        '%%{init: {"flowchart": {"htmlLabels": true}}}%%\nflowchart LR\n    A["<b>bold</b>"] --> B',
        '---\nconfig:\n  htmlLabels: true\n  themeCSS: ".node rect{fill:url(https://evil.example/q)}"\n---\nflowchart LR\n    A["<i>x</i>"] --> B',
        '%%{init: {"themeCSS": ".node rect{fill:url(https://evil.example/q)}", "fontFamily": "x;position:fixed"}}%%\nflowchart LR\n    A --> B',
    ],
)
def test_a_chart_cannot_bring_html_or_css_of_its_own(store, chart):
    drawn = store.get(chart)
    assert drawn.error is None, drawn.error
    # Only SVG, labels as text, nothing fetched from elsewhere.
    names = drawn_names(drawn.svg)
    assert not names & {"foreignObject", "div", "span", "img", "b", "i", "p"}, names
    text = json.dumps(drawn.svg)
    assert "evil.example" not in text and "position:fixed" not in text


def test_click_links_are_left_out_with_a_warning_and_their_words_stay(store, rootdir, tmp_path):
    chart = 'flowchart LR\n    A --> B["Документация"]\n    click B "https://example.com/mdx-diagram/x"'
    drawn = store.get(chart)
    assert drawn.unlinked == 1 and "a" not in drawn_names(drawn.svg)
    assert "Документация" in drawn_strings(drawn.svg)

    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    (source / "05-module-5" / "02-broken.md").unlink()
    lesson = source / "05-module-5" / "01-diagrams.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n```mermaid\n" + chart + "\n```\n", encoding="utf-8")
    result = sphinx_build("mdx", source, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "WARNING: the diagram's click links are left out (their words stay)" in result.stderr
    assert "example.com" not in (tmp_path / "out" / LESSON).read_text(encoding="utf-8")


def test_the_same_sequence_chart_is_the_same_drawing_whatever_came_before(store, tmp_path):
    # Mermaid numbers a sequence diagram's actors with a counter that runs
    # over the browser session; the drawing must not show it.
    chart = "sequenceDiagram\n    participant A as Один\n    participant B as Два\n    A->>B: сообщение"
    store.get("sequenceDiagram\n    participant X as Другой\n    X->>X: раз")
    after_another = store.get(chart)
    fresh = diagrams.DiagramStore(tmp_path / "fresh", {"theme": "dark"})
    try:
        assert json.dumps(fresh.get(chart).svg) == json.dumps(after_another.svg)
    finally:
        fresh.close()


def test_for_page_renames_ids_and_references_only():
    drawn = {
        "name": "svg",
        "attributes": [["id", "mdx-diagram"], ["aria-labelledby", "mdx-diagram-1"], ["class", "mdx-diagram-like"]],
        "children": [
            {"name": "title", "attributes": [["id", "mdx-diagram-1"]], "children": ["mdx-diagram in a label"]},
            {"name": "path", "attributes": [["marker-end", "url(#mdx-diagram-2)"], ["data-note", "see mdx-diagram"]], "children": []},
            {"name": "style", "attributes": [], "children": ["#mdx-diagram .node{fill:red}#mdx-diagram-2{x:y}"]},
        ],
    }
    page = diagrams.for_page(drawn, 3)
    assert page["attributes"] == [["id", "mdx-diagram-3"], ["aria-labelledby", "mdx-diagram-3-1"], ["class", "mdx-diagram-like"]]
    title, path, style = page["children"]
    assert title == {"name": "title", "attributes": [["id", "mdx-diagram-3-1"]], "children": ["mdx-diagram in a label"]}
    assert path["attributes"] == [["marker-end", "url(#mdx-diagram-3-2)"], ["data-note", "see mdx-diagram"]]
    assert style["children"] == ["#mdx-diagram-3 .node{fill:red}#mdx-diagram-3-2{x:y}"]
