"""Lesson text never becomes code: the minimal inputs an independent fuzz
found, each read back through the real MDX compiler, and the build-time
verification that refuses a lesson whose MDX would read back otherwise."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from course_builds import sphinx_build
from mdx_helpers import warnings_of
from debezium_course.node_tools import compile_mdx, node_executable

from sphinx_astro_mdx import node_packages

LESSON = "05-module-5/01-injection.mdx"


@pytest.fixture(scope="module")
def injection(rootdir, tmp_path_factory):
    """The injection root built once: its warnings and the compiled lesson's record."""
    from sphinx.testing.util import SphinxTestApp

    source = tmp_path_factory.mktemp("injection") / "src"
    shutil.copytree(rootdir / "test-injection", source)
    app = SphinxTestApp("mdx", srcdir=source, status=None, warning=io.StringIO())
    try:
        app.build()
        record = compile_mdx([app.outdir / LESSON], tree=True, check=True)[0]
        yield warnings_of(app), record, (app.outdir / LESSON).read_text(encoding="utf-8")
    finally:
        app.cleanup()


# (what the case is, text the page must show exactly)
CASES = [
    ("carriage return in a paragraph", "cr-para x\r\rexport const a = 1"),
    ("carriage return in a heading", "cr-heading x\r\rexport const b = 1"),
    ("carriage return in a list item", "cr-item x\r\rexport const c = 1"),
    ("carriage return in a quote", "cr-quote x\r\rexport const d = 1"),
    ("carriage return in a definition term", "cr-term x\r\rexport const e = 1"),
    ("carriage return in a rubric", "cr-rubric x\r\rexport const f = 1"),
    ("carriage return in a caption", "cr-caption x\r\rexport const g = 1"),
    ("carriage return before a list marker", "foo\r- bar"),
    ("carriage return in a table cell", "x\ry"),
    ("URL after a digit", "url-digit 1http://e.com/ {globalThis.pwned = 1}"),
    ("URL after an underscore", "url-underscore _http://e.com/x {globalThis.pwned = 2}"),
    ("URL after a Cyrillic letter", 'url-cyrillic яhttp://e.com/x <div dangerouslySetInnerHTML={{__html:"<script>alert(1)</script>"}} />'),
    ("www and e-mail", "url-www адрес www.example.com и почта student@example.com"),
    ("bare URL", "url-plain see https://example.com/x as text"),
    ("backslash-pipe in code in a table cell", "grep 'a\\|b {1+1}'"),
    ("backslash-pipe in code in a csv-table cell", "x\\|y"),
    ("alt text of a missing image at a line start", "export const pwned = 1"),
    ("words of an unresolved link at a line start", "import fs from 'node:fs'"),
    ("alt text that looks like a list item", "- item"),
    ("strong where Markdown cannot form it", "Kafka(2.)Kafka"),
    ("emphasis starting with a space", " x"),
    ("strong starting with a no-break space", "\u00a0важно"),
    ("adjacent emphasis", "ab"),
    ("line feeds inside emphasis", "par\n\nsplit"),
    ("escaped colon after a footnote reference", "Ссылка на сноску и : text"),
    ("compound kbd keys", "a+ a"),
    ("unreferenced footnote keeps its text", "Сноска, на которую никто не ссылается."),
    # Found by review: a raw role (which a translation could use), a javascript: link.
    ("inline raw MDX and a script link stay text", "Роль raw-inline <b>{props.x}</b> остаётся текстом, ссылка script-link тоже."),
    ("list table with a two-paragraph cell", "второй абзац ячейки"),
]


@pytest.mark.parametrize("text", [text for _name, text in CASES], ids=[name for name, _text in CASES])
def test_each_minimal_input_reads_back_as_its_text(injection, text):
    # A whole block of the page (paragraph, heading, cell…): a text that is
    # only part of a block could hide a lost emphasis or a split.
    _warnings, record, mdx = injection
    page = "\n" + record["text"] + "\n"
    assert "\n" + text + "\n" in page, f"{text!r} is not a block of the page:\n{record['text']}\n--- mdx ---\n{mdx}"


def test_carriage_return_in_a_footnote(injection):
    # Footnote definitions are not in the compiler record's page text (the
    # site renders them in a section of their own); the definition is there,
    # its line ending a character reference.
    _warnings, _record, mdx = injection
    assert "[^cr]: cr-footnote x&#xD;&#xD;&#x65;xport const h = 1\n" in mdx


def test_nothing_in_the_lesson_becomes_code(injection):
    _warnings, record, mdx = injection
    # The builder's own MDX here, and nothing else: empty <span /> elements
    # that keep text GFM would autolink apart, <code> for code spans
    # Markdown cannot hold, and an HTML table for the list table whose
    # cell has two paragraphs.  No expression, no import.
    table = {("mdxJsxFlowElement", name) for name in ("table", "tbody", "tr", "td")}
    assert {(node["type"], node["name"]) for node in record["mdx_nodes"]} == {("mdxJsxTextElement", "span"), ("mdxJsxTextElement", "code")} | table, mdx
    assert all(node["attributes"] == [] for node in record["mdx_nodes"]), mdx
    assert "<span />" in mdx and "<code>grep 'a\\\\\\|b \\{1+1}'</code>" in mdx, mdx
    # The only link is the one the author wrote.
    assert [(link["url"], link["text"]) for link in record["links"]] == [("https://example.com/", "link\n\ntext")]


def test_warnings_say_what_is_missing_with_the_target_as_written(injection):
    warnings, _record, _mdx = injection
    mdx_warnings = [w for w in warnings if "[mdx." in w]
    assert any("01-injection.md:70" in w and "link target 'missing-lesson.md' was not found (no lesson, file or heading" in w for w in mdx_warnings), mdx_warnings
    assert sum("image file not found: 05-module-5/missing.png" in w for w in mdx_warnings) == 2
    assert not any("not a heading" in w for w in mdx_warnings)
    assert any("inline raw MDX is written as text" in w for w in mdx_warnings)
    assert any("link to 'javascript:alert(1)' is written as text" in w for w in mdx_warnings)
    assert len(mdx_warnings) == 5, mdx_warnings


def test_a_url_in_a_heading_keeps_the_heading_text(injection):
    # The element that keeps the URL from becoming a link adds nothing to
    # the heading's text, from which the site makes the anchor.
    _warnings, record, _mdx = injection
    assert "Заголовок со ссылкой https://debezium.io/docs внутри" in [heading["text"] for heading in record["headings"]]


def _write_with_node(tree: dict) -> dict:
    request = json.dumps({"id": 1, "tree": tree}, ensure_ascii=False) + "\n"
    process = subprocess.run([node_executable(), str(node_packages.script("mdx_writer.mjs"))], input=request, capture_output=True, text=True, timeout=60, check=True)
    ready, answer = process.stdout.splitlines()
    assert json.loads(ready) == {"ready": True}
    return json.loads(answer)


def test_the_writer_refuses_a_tree_that_would_read_back_differently():
    # Markdown has no hard break at the end of a paragraph: the serializer
    # writes a backslash, which reads back as text.  The tree read back is
    # not the tree meant, and the line of the node is reported.
    paragraph = {"type": "paragraph", "children": [{"type": "text", "value": "a"}, {"type": "break"}], "data": {"line": 7}}
    answer = _write_with_node({"type": "root", "children": [paragraph]})
    assert "mdx" not in answer
    [problem] = answer["problems"]
    assert problem["line"] == 7
    assert problem["message"].startswith('MDX would lose break (in paragraph)') or problem["message"].startswith("MDX would change text"), problem


def test_the_writer_writes_what_it_verified():
    tree = {"type": "root", "children": [{"type": "paragraph", "children": [{"type": "text", "value": "export const a = 1 {x} <b>"}]}]}
    answer = _write_with_node(tree)
    assert answer["mdx"] == "&#x65;xport const a = 1 \\{x} \\<b>\n" and "problems" not in answer
    assert set(answer["timing"]) == {"serialize", "verify"}


def test_a_callout_title_with_an_ampersand_reads_back_as_written(rootdir, tmp_path):
    # A JSX string attribute decodes character references: a title with `&`
    # is written as a string literal, and reads back with "&amp;" intact.
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-constructs", source)
    lesson = source / "05-module-5" / "02-second.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n```{admonition} Tom \\&amp; Jerry & co\nТекст.\n```\n", encoding="utf-8")
    result = sphinx_build("mdx", source, tmp_path / "out", "-W")
    assert result.returncode == 0, result.stderr
    record = compile_mdx([tmp_path / "out" / "05-module-5" / "02-second.mdx"], tree=True, check=True)[0]
    [callout] = [node for node in record["mdx_nodes"] if node.get("name") == "Callout"]
    assert [(item["name"], item["literal"]) for item in callout["attributes"]] == [("type", "note"), ("title", "Tom &amp; Jerry & co")]


def test_the_writer_refuses_a_builder_expression_that_is_not_a_plain_string():
    chart = {"type": "mdxJsxAttributeValueExpression", "value": "`a${process.exit(1)}`"}
    mermaid = {"type": "mdxJsxFlowElement", "name": "Mermaid", "attributes": [{"type": "mdxJsxAttribute", "name": "chart", "value": chart}], "children": [], "data": {"line": 3}}
    [problem] = _write_with_node({"type": "root", "children": [mermaid]})["problems"]
    assert problem["line"] == 3 and problem["message"].startswith("MDX would run"), problem


def test_a_refused_lesson_keeps_its_published_file_and_is_tried_again(rootdir, tmp_path):
    source, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(rootdir / "test-constructs", source)
    lesson = source / "05-module-5" / "02-second.md"
    original = lesson.read_text(encoding="utf-8")
    assert sphinx_build("mdx", source, out).returncode == 0
    published = (out / "05-module-5" / "02-second.mdx").read_bytes()

    # Raw MDX is the one way in, and it must be MDX.
    lesson.write_text(original + "\nНовый текст.\n\n```{raw} mdx\n<div>\n```\n", encoding="utf-8")
    refused = sphinx_build("mdx", source, out)
    assert "02-second.md:" in refused.stderr and "the raw MDX block is not valid MDX" in refused.stderr, refused.stderr
    assert "the lesson is not written" in refused.stderr
    assert refused.returncode != 0
    assert (out / "05-module-5" / "02-second.mdx").read_bytes() == published

    # Nothing changed in the source, but the lesson was refused: the next
    # build tries it again instead of taking the old file as current.
    again = sphinx_build("mdx", source, out)
    assert "the raw MDX block is not valid MDX" in again.stderr and again.returncode != 0
    assert (out / "05-module-5" / "02-second.mdx").read_bytes() == published

    lesson.write_text(original + "\nНовый текст.\n\n```{raw} mdx\n<div>сырой MDX</div>\n```\n", encoding="utf-8")
    fixed = sphinx_build("mdx", source, out)
    assert fixed.returncode == 0, fixed.stderr
    written = (out / "05-module-5" / "02-second.mdx").read_text(encoding="utf-8")
    assert "Новый текст." in written and "<div>сырой MDX</div>" in written


def test_without_node_the_build_says_what_to_install(rootdir, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-constructs", source)
    result = sphinx_build("mdx", source, tmp_path / "out", env={"PATH": str(tmp_path / "no-tools-here")})
    assert result.returncode != 0
    assert "`node` is not on PATH: install Node 20.19 or newer" in result.stderr, result.stderr
