"""The Node test tools and the Astro fixture site, checked on two hand-written
lessons (tests/astro-site-samples/) before any generated MDX is fed to them.

If these fail, a failing MDX test elsewhere says nothing about the MDX.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from node_tools import (
    AstroBuildError,
    MdxCompileError,
    astro_build,
    astro_site_dir,
    compile_mdx,
    github_slugs,
)

SAMPLES = Path(__file__).resolve().parent / "astro-site-samples"
LESSON = SAMPLES / "05-module-5" / "01-sample.mdx"
PLAIN_LESSON = SAMPLES / "05-module-5" / "02-plain-sample.mdx"
BASE = "/debezium-course"

# What 01-sample.mdx says, as the reader and the components get it.
INTRO_HEADING = "Введение: от tutorial к production"
INTRO_TEXT = "Коннектор Debezium читает журнал транзакций PostgreSQL и публикует изменения в Kafka."
CALLOUT_TITLE = "Слот репликации"
CALLOUT_TEXT = "Неактивный слот репликации удерживает WAL на диске."
# The chart as the <Mermaid> component receives it. The lesson indents the
# second and third line of the template literal by two spaces; MDX removes
# that indentation from every line of a multi-line expression, and so does
# the site. Indentation-sensitive diagrams (mindmap) must not rely on it.
CHART = "flowchart LR\nPG[(PostgreSQL)] -->|WAL| DBZ[Debezium]\nDBZ --> K[Kafka]"


@pytest.fixture
def build_dir():
    """A directory for one fixture-site build, removed afterwards."""
    with astro_site_dir("test") as site:
        yield site


@pytest.fixture(scope="module")
def built_samples():
    """dist/ of the fixture site built from the samples (one build, ~20 s)."""
    with astro_site_dir("samples") as site:
        yield astro_build(SAMPLES, site_dir=site)


def read_page(dist: Path, url: str) -> str:
    assert url.startswith(BASE + "/") and url.endswith("/"), url
    page = dist / url[len(BASE) + 1 :] / "index.html"
    assert page.is_file(), f"{url} was not built; dist has {sorted(p.relative_to(dist).as_posix() for p in dist.rglob('index.html'))}"
    return page.read_text(encoding="utf-8")


# --- compile_mdx ----------------------------------------------------------


def test_samples_compile_with_the_mdx_compiler():
    records = compile_mdx([LESSON, PLAIN_LESSON], check=True)

    assert [record["file"] for record in records] == [str(LESSON), str(PLAIN_LESSON)]
    assert [record["ok"] for record in records] == [True, True]
    assert [record["errors"] for record in records] == [[], []]


def test_tree_gives_reader_text_and_mdx_nodes():
    (record,) = compile_mdx([LESSON], tree=True, check=True)

    assert record["text"].splitlines() == [
        INTRO_HEADING,
        INTRO_TEXT,
        CALLOUT_TEXT,
        "from confluent_kafka import Consumer",
        'consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "course"})',
    ]
    assert record["headings"] == [
        {
            "depth": 2,
            "text": INTRO_HEADING,
            "position": {
                "start": {"line": 16, "column": 1, "offset": 386},
                "end": {"line": 16, "column": 38, "offset": 423},
            },
        }
    ]
    assert record["frontmatter"].splitlines()[1] == 'title: "Пример урока: диаграмма и врезка"'

    nodes = record["mdx_nodes"]
    assert [(node["type"], node.get("name")) for node in nodes] == [
        ("mdxjsEsm", None),
        ("mdxJsxFlowElement", "Mermaid"),
        ("mdxJsxFlowElement", "Callout"),
    ]
    esm, mermaid, callout = nodes
    assert esm["value"].splitlines() == [
        "import { Mermaid } from '../../../components/Mermaid.tsx';",
        "import Callout from '../../../components/Callout.tsx';",
    ]
    assert esm["position"]["start"]["line"] == 13
    assert mermaid["attributes"] == [
        {"name": "chart", "value": None, "expression": f"`{CHART}`", "literal": CHART},
        {"name": "client:visible", "value": None, "expression": None, "literal": None},
    ]
    assert (mermaid["position"]["start"]["line"], mermaid["position"]["end"]["line"]) == (20, 22)
    assert callout["attributes"] == [
        {"name": "type", "value": "warning", "expression": None, "literal": "warning"},
        {"name": "title", "value": CALLOUT_TITLE, "expression": None, "literal": CALLOUT_TITLE},
    ]


def test_tree_records_links_and_inline_mdx(tmp_path):
    lesson = tmp_path / "inline.mdx"
    lesson.write_text(
        "Смотрите [урок](/debezium-course/course/05-module-5/01-sample/) и <Kbd>Ctrl</Kbd> {props.key}{`x`}.\n",
        encoding="utf-8",
    )

    (record,) = compile_mdx([lesson], tree=True, check=True)

    assert record["frontmatter"] is None
    # An expression's value is only known when it runs; a string literal's
    # is known, and it is text on the page.
    assert record["text"] == "Смотрите урок и Ctrl x."
    assert [(link["url"], link["text"]) for link in record["links"]] == [
        ("/debezium-course/course/05-module-5/01-sample/", "урок")
    ]
    assert [(node["type"], node.get("name"), node.get("value")) for node in record["mdx_nodes"]] == [
        ("mdxJsxTextElement", "Kbd", None),
        ("mdxTextExpression", None, "props.key"),
        ("mdxTextExpression", None, "`x`"),
    ]


def test_compile_error_has_file_line_and_column(tmp_path):
    # Frontmatter lines are kept (blanked, as Astro does), so line numbers
    # are those of the file an author edits.
    broken = tmp_path / "broken.mdx"
    broken.write_text("---\ntitle: x\n---\n\nТекст {1 + } дальше.\n", encoding="utf-8")

    records = compile_mdx([broken, LESSON])
    # One broken file does not stop the batch.
    assert [record["ok"] for record in records] == [False, True]
    record = records[0]
    assert record["errors"] == [
        {
            "message": "Could not parse expression with acorn",
            "line": 5,
            "column": 12,
            "rule": "micromark-extension-mdx-expression:acorn",
        }
    ]

    with pytest.raises(MdxCompileError) as raised:
        compile_mdx([LESSON, broken], check=True)
    assert str(raised.value).splitlines()[1:] == [
        f"{broken}:5:12: Could not parse expression with acorn [micromark-extension-mdx-expression:acorn]"
    ]
    assert [record["file"] for record in raised.value.records] == [str(broken)]


def test_unclosed_html_tag_is_a_compile_error(tmp_path):
    # The most common way Markdown that renders in Sphinx breaks in MDX.
    lesson = tmp_path / "br.mdx"
    lesson.write_text("Первая строка<br>вторая строка\n", encoding="utf-8")

    (record,) = compile_mdx([lesson])

    assert record["ok"] is False
    # MDX places this error at the start of the enclosing paragraph; the
    # tag's own place is only in the message.
    assert record["errors"] == [
        {
            "message": "Expected a closing tag for `<br>` (1:14-1:18) before the end of `paragraph`",
            "line": 1,
            "column": 1,
            "rule": "mdast-util-mdx-jsx:end-tag-mismatch",
        }
    ]


def test_missing_file_is_a_failed_record_not_a_crash(tmp_path):
    (record,) = compile_mdx([tmp_path / "absent.mdx"])

    assert record["ok"] is False
    assert "ENOENT" in record["errors"][0]["message"]


# --- github_slugs ---------------------------------------------------------


def test_github_slugs_match_the_documented_examples():
    # github-slugger 2.0.0 README: repeats are numbered, non-Latin letters
    # are kept and lowercased, an emoji is dropped.
    assert github_slugs(["foo", "foo", "bar", "foo", "Привет non-latin 你好", "😄 emoji"]) == [
        "foo",
        "foo-1",
        "bar",
        "foo-2",
        "привет-non-latin-你好",
        "-emoji",
    ]


def test_github_slugs_for_a_course_heading():
    # Lowercased, the colon dropped, each space a hyphen; a repeat gets -1.
    assert github_slugs([INTRO_HEADING, INTRO_HEADING]) == [
        "введение-от-tutorial-к-production",
        "введение-от-tutorial-к-production-1",
    ]


def test_each_call_is_a_new_page():
    assert github_slugs(["Итоги"]) == ["итоги"]
    assert github_slugs(["Итоги"]) == ["итоги"]


# --- astro build ----------------------------------------------------------


def test_lesson_page_is_built_at_its_course_url(built_samples):
    page = read_page(built_samples, f"{BASE}/course/05-module-5/01-sample/")

    assert "<title>Пример урока: диаграмма и врезка</title>" in page
    assert '<h1>Пример урока: диаграмма и врезка</h1>' in page
    assert 'data-entry-id="05-module-5/01-sample"' in page
    assert f"<p>{INTRO_TEXT}</p>" in page


def test_heading_ids_are_github_slugs(built_samples):
    page = read_page(built_samples, f"{BASE}/course/05-module-5/01-sample/")
    (slug,) = github_slugs([INTRO_HEADING])

    assert f'<h2 id="{slug}">{INTRO_HEADING}</h2>' in page


def test_mermaid_chart_source_is_in_the_static_html(built_samples):
    page = read_page(built_samples, f"{BASE}/course/05-module-5/01-sample/")

    sources = re.findall(r'<pre class="mermaid-source">(.*?)</pre>', page, flags=re.S)
    assert [html.unescape(source) for source in sources] == [CHART]
    # Hydrated when visible, from the Mermaid component's client bundle.
    assert re.search(r'<astro-island [^>]*component-url="/debezium-course/_astro/Mermaid\.[^"]+\.js"', page)
    assert 'client="visible"' in page


def test_callout_markup(built_samples):
    page = read_page(built_samples, f"{BASE}/course/05-module-5/01-sample/")

    assert (
        '<aside class="callout callout-warning" data-callout-type="warning">'
        f'<p class="callout-title">{CALLOUT_TITLE}</p>'
        f'<div class="callout-body"><p>{CALLOUT_TEXT}</p></div></aside>'
    ) in page


def test_index_links_every_lesson_in_order(built_samples):
    index = (built_samples / "index.html").read_text(encoding="utf-8")

    assert re.findall(r'<a href="([^"]+)">', index) == [
        f"{BASE}/course/05-module-5/01-sample/",
        f"{BASE}/course/05-module-5/02-plain-sample/",
    ]
    plain = read_page(built_samples, f"{BASE}/course/05-module-5/02-plain-sample/")
    # A GFM table, as on the site (remark-gfm is an @astrojs/mdx default).
    assert "<table>" in plain and "<code>snapshot.mode</code>" in plain


def test_string_order_fails_the_build_with_a_schema_error(tmp_path, build_dir):
    lessons = tmp_path / "lessons"
    shutil.copytree(SAMPLES, lessons)
    lesson = lessons / "05-module-5" / "01-sample.mdx"
    source = lesson.read_text(encoding="utf-8")
    assert "\norder: 1\n" in source
    lesson.write_text(source.replace("\norder: 1\n", '\norder: "1"\n'), encoding="utf-8")

    with pytest.raises(AstroBuildError) as raised:
        astro_build(lessons, site_dir=build_dir)

    output = raised.value.output
    assert "InvalidContentEntryDataError: Content entry data does not match schema." in output
    assert "**course → 05-module-5/01-sample** data does not match collection schema." in output
    assert '"message": "**order**: Expected type `\\"number\\"`, received `\\"string\\"`"' in output
    assert f"{build_dir}/src/content/course/05-module-5/01-sample.mdx:0:0:" in output
    assert not (build_dir / "dist").exists()
