"""Property test of the importer: whatever a hand-written lesson says, it
comes back from MyST the same.

One Hypothesis example is a small course: lessons generated as mdast trees
of what the site's pages use (tricky text, headings, lists and check lists,
tables with alignment, code with and without a language, callouts with and
without a title, Mermaid charts, site components, comments, inline JSX,
site links between the lessons), written as MDX by the builder's own writer
(mdast-util-to-markdown, verified by parsing back), imported with
``sphinx_astro_mdx.importer`` and required to round-trip: the same text,
components and elements when both are rendered by @mdx-js/mdx.
``HYPOTHESIS_PROFILE=long`` runs ten times as many examples.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from debezium_course.node_tools import node_executable
from sphinx_astro_mdx import importer
from sphinx_astro_mdx.escaping import jsx_attribute

REPO = Path(__file__).resolve().parents[1]
WRITER = REPO / "tools" / "sphinx_astro_mdx" / "mdx_writer.mjs"
EXAMPLES = 6 * (10 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1)
LESSONS = ["01-module-1/01-first", "01-module-1/02-second", "02-module-2/01-third", "02-module-2/02-fourth"]

# Text that means something to MDX, CommonMark, GFM or MyST.
TRICKY = [
    "{", "}", "<", ">", "<1", "</x>", "<b>", "&", "&amp;", "&lt;", "`", "\\", "*", "**", "_", "~", "#", "# ", ":", ": ",
    ":::", "%", "(x)=", "+++", "{role}", "|", "[", "]", "(", ")", "!", "$", "^", "---", "1.", "- ", "> ", "import x",
    "export y", "«", "»", "—", "\u00a0",
]
WORDS = ["Kafka", "консьюмер", "смещение", "Debezium", "ёж", "слот", "WAL", "42", "x", "🚀"]
URLS = ["https://debezium.io/documentation/", "http://localhost:8083/connectors", "https://example.com/a?b=1&c=2"]

text_value = st.lists(st.one_of(st.sampled_from(TRICKY), st.sampled_from(WORDS)), min_size=1, max_size=8).map(
    lambda parts: " ".join(parts).strip() or "слово"
)
word_value = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


def text(value: str) -> dict:
    return {"type": "text", "value": value}


def attribute(name: str, value) -> dict:
    # As the builder writes one: `&` cannot be text in a JSX string.
    return jsx_attribute(name, value)


def site_link(target: str) -> dict:
    return {"type": "link", "url": f"/course/{target}", "title": None, "children": [text("урок")]}


inline = st.one_of(
    text_value.map(text),
    text_value.map(lambda value: {"type": "emphasis", "children": [text(value)]}),
    text_value.map(lambda value: {"type": "strong", "children": [text(value)]}),
    text_value.map(lambda value: {"type": "inlineCode", "value": value}),
    st.tuples(word_value, st.sampled_from(URLS)).map(lambda pair: {"type": "link", "url": pair[1], "title": None, "children": [text(pair[0])]}),
    st.sampled_from(URLS).map(lambda url: {"type": "link", "url": url, "title": None, "children": [text(url)]}),
    st.sampled_from(LESSONS).map(site_link),
    word_value.map(lambda value: {"type": "mdxJsxTextElement", "name": "Badge", "attributes": [attribute("text", value)], "children": []}),
)


def spaced(children: list[dict]) -> list[dict]:
    """Inline nodes with a space between each two (as prose has them)."""
    result: list[dict] = []
    for child in children:
        if result:
            result.append(text(" "))
        result.append(child)
    return result


# Text first: a paragraph of nothing but a component is a block component.
paragraph = st.tuples(text_value, st.lists(inline, max_size=5)).map(
    lambda parts: {"type": "paragraph", "children": spaced([text(parts[0]), *parts[1]])}
)
code = st.tuples(st.sampled_from([None, "bash", "sql", "json", "python", "mermaid"]), st.lists(text_value, min_size=1, max_size=4)).map(
    lambda pair: {"type": "code", "lang": pair[0], "meta": None, "value": "\n".join(pair[1])}
)


def list_of(items, ordered: bool, start: int, checked):
    return {
        "type": "list",
        "ordered": ordered,
        "start": start if ordered else None,
        "spread": False,
        "children": [{"type": "listItem", "spread": False, "checked": checked(index), "children": [item]} for index, item in enumerate(items)],
    }


lists = st.one_of(
    st.lists(paragraph, min_size=1, max_size=3).map(lambda items: list_of(items, False, 1, lambda _: None)),
    st.tuples(st.lists(paragraph, min_size=1, max_size=3), st.sampled_from([1, 3])).map(lambda pair: list_of(pair[0], True, pair[1], lambda _: None)),
    st.tuples(st.lists(paragraph, min_size=1, max_size=3), st.lists(st.booleans(), min_size=3, max_size=3)).map(
        lambda pair: list_of(pair[0], False, 1, lambda index: pair[1][index])
    ),
)


def table_of(header, rows, align):
    def row(cells):
        return {"type": "tableRow", "children": [{"type": "tableCell", "children": [text(cell)]} for cell in cells]}

    return {"type": "table", "align": align, "children": [row(header), *(row(cells) for cells in rows)]}


table = st.tuples(
    st.lists(word_value, min_size=2, max_size=2),
    st.lists(st.lists(text_value, min_size=2, max_size=2), min_size=1, max_size=2),
    st.lists(st.sampled_from([None, "left", "center", "right"]), min_size=2, max_size=2),
).map(lambda parts: table_of(*parts))

callout = st.tuples(st.sampled_from(["note", "tip", "warning", "danger"]), st.one_of(st.none(), text_value), st.lists(st.one_of(paragraph, code, lists), min_size=1, max_size=2)).map(
    lambda parts: {
        "type": "mdxJsxFlowElement",
        "name": "Callout",
        "attributes": [attribute("type", parts[0]), *([attribute("title", parts[1])] if parts[1] is not None else [])],
        "children": parts[2],
    }
)
mermaid = st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from("ABCDE"), word_value), min_size=1, max_size=3).map(
    lambda edges: {
        "type": "mdxJsxFlowElement",
        "name": "Mermaid",
        "attributes": [
            attribute("chart", {"type": "mdxJsxAttributeValueExpression", "value": "`flowchart LR\n" + "\n".join(f"  {a} -->|{label}| {b}" for a, b, label in edges) + "`"}),
            attribute("client:visible", None),
        ],
        "children": [],
    }
)
raw_mdx = st.sampled_from(
    [
        "<Diagram size={3} items={['orders', 'customers']} client:visible />",
        "{/* TODO: заменить схему */}",
        "<details>\n<summary>Подробнее</summary>\n\nТекст **внутри**.\n\n</details>",
    ]
).map(lambda value: {"type": "mdxRaw", "value": value})

block = st.one_of(
    paragraph,
    st.tuples(st.sampled_from([2, 3]), st.lists(inline.filter(lambda node: node["type"] != "mdxJsxTextElement"), min_size=1, max_size=3)).map(
        lambda pair: {"type": "heading", "depth": pair[0], "children": spaced(pair[1])}
    ),
    code,
    lists,
    table,
    callout,
    mermaid,
    raw_mdx,
    st.lists(paragraph, min_size=1, max_size=2).map(lambda children: {"type": "blockquote", "children": children}),
    st.just({"type": "thematicBreak"}),
)
lesson = st.tuples(text_value, st.lists(block, min_size=1, max_size=8))


def lesson_tree(docname: str, title: str, blocks: list[dict]) -> dict:
    module, slug = docname.split("/")
    matter = {
        "title": title,
        "description": "Описание",
        "order": int(slug[:2]),
        "difficulty": "beginner",
        "estimatedTime": 5,
        "topics": ["CDC"],
    }
    front = yaml.safe_dump(matter, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return {"type": "root", "children": [{"type": "yaml", "value": front}, *blocks]}


def write_mdx(trees: list[dict]) -> list[str]:
    """The lessons' MDX, written and verified by the builder's writer."""
    requests = "".join(json.dumps({"id": index, "tree": tree}) + "\n" for index, tree in enumerate(trees))
    result = subprocess.run([node_executable(), str(WRITER)], input=requests, capture_output=True, text=True, encoding="utf-8", check=True)
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()][1:]
    for answer in answers:
        assert "mdx" in answer, answer["problems"]
    return [answer["mdx"] for answer in answers]


# No shrinking: an example is a build of a small course, and shrinking one
# took over five minutes; the failing example is printed as generated.
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(lesson, min_size=len(LESSONS), max_size=len(LESSONS)))
def test_generated_lessons_round_trip_through_myst(lessons):
    trees = [lesson_tree(docname, title, blocks) for docname, (title, blocks) in zip(LESSONS, lessons)]
    with tempfile.TemporaryDirectory(prefix="import-property-") as work_name:
        work = Path(work_name)
        content, docs = work / "content", work / "docs"
        for docname, mdx in zip(LESSONS, write_mdx(trees)):
            path = content / f"{docname}.mdx"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(mdx, encoding="utf-8")
        docs.mkdir()
        (docs / "index.md").write_text("# Курс\n\n```{toctree}\n:glob:\n\n*/*\n```\n", encoding="utf-8")
        report = io.StringIO()
        with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
            status = importer.main(["-c", str(REPO), str(content), str(docs)])
        output = report.getvalue()
        if status != 0:
            # The lessons as written, to see the failure without a rerun.
            for docname in LESSONS:
                output += f"\n--- {docname}.mdx\n" + (content / f"{docname}.mdx").read_text(encoding="utf-8")
                output += f"\n--- {docname}.md\n" + (docs / f"{docname}.md").read_text(encoding="utf-8")
        assert status == 0, output
        assert f"{len(LESSONS)} identical after the round trip, 0 not" in output, output
