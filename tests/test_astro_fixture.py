"""The Node test tools and the Astro fixture site, checked on hand-written
lessons (tests/astro-site-samples/) before any generated MDX is fed to them:
the site in each of its component variants, and Pagefind's search over it.

If these fail, a failing MDX test elsewhere says nothing about the MDX.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from debezium_course.node_tools import (
    FIXTURE_VARIANTS,
    AstroBuildError,
    MdxCompileError,
    NodeToolError,
    astro_build,
    astro_site_dir,
    compile_mdx,
    copy_fixture_site,
    github_slugs,
    pagefind_search,
)

SAMPLES = Path(__file__).resolve().parent / "astro-site-samples"
LESSON = SAMPLES / "05-module-5" / "01-sample.mdx"
PLAIN_LESSON = SAMPLES / "05-module-5" / "02-plain-sample.mdx"
SVG_LESSON = SAMPLES / "05-module-5" / "03-svg-sample.mdx"
BASE = "/debezium-course"
LESSON_URL = f"{BASE}/course/05-module-5/01-sample/"
PLAIN_URL = f"{BASE}/course/05-module-5/02-plain-sample/"
SVG_URL = f"{BASE}/course/05-module-5/03-svg-sample/"

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
# Words of 03-svg-sample.mdx that occur in no other sample: one in its text,
# one only in the <text> of an inline SVG, one in the <text> of another SVG
# and in that SVG's aria-label, which data-pagefind-index-attrs names.
SVG_LESSON_TEXT_WORD = "позицию"
SVG_TEXT_WORD = "слововдиаграмме"
SVG_ARIA_LABEL_WORD = "меткавподписи"

# What src/components/ holds in each variant of the fixture site.
VARIANT_COMPONENTS = {
    "full": ["Callout.tsx", "Mermaid.tsx"],
    "callout-type-only": ["Callout.tsx"],
    "bare": [],
}
# A lesson for the callout-type-only variant: its Callout takes only `type`.
TYPE_ONLY_CALLOUTS = """---
title: "Врезки без заголовка"
description: "Врезки всех четырёх типов, как их принимает компонент сайта без заголовка."
order: 4
difficulty: beginner
estimatedTime: 3
topics:
  - kafka
---
import Callout from '../../../components/Callout.tsx';

<Callout type="note">
Заметка о топиках.
</Callout>

<Callout type="tip">
Совет о партициях.
</Callout>

<Callout type="warning">
Неактивный слот репликации удерживает WAL на диске.
</Callout>

<Callout type="danger">
Удаление слота теряет позицию чтения.
</Callout>
"""
TYPE_ONLY_URL = f"{BASE}/course/05-module-5/04-callout-type-only/"


@pytest.fixture
def build_dir():
    """A directory for one fixture-site build, removed afterwards."""
    with astro_site_dir("test") as site:
        yield site


@pytest.fixture(scope="module")
def built_samples():
    """dist/ of the fixture site ("full" variant) built from the samples (one build, ~30 s)."""
    with astro_site_dir("samples") as site:
        yield astro_build(SAMPLES, site_dir=site)


@pytest.fixture(scope="module")
def variant_builds(tmp_path_factory, built_samples):
    """dist/ of the fixture site in each variant, all with the plain sample.

    "full" is ``built_samples``; the two others are built here (~30 s each),
    callout-type-only with a lesson of its Callouts as well.
    """
    lessons = {}
    for variant in ("callout-type-only", "bare"):
        module = tmp_path_factory.mktemp(variant) / "lessons" / "05-module-5"
        module.mkdir(parents=True)
        shutil.copy(PLAIN_LESSON, module)
        if variant == "callout-type-only":
            (module / "04-callout-type-only.mdx").write_text(TYPE_ONLY_CALLOUTS, encoding="utf-8")
        lessons[variant] = module.parent
    with contextlib.ExitStack() as stack:
        builds = {"full": built_samples}
        for variant, root in lessons.items():
            site = stack.enter_context(astro_site_dir(variant))
            builds[variant] = astro_build(root, site_dir=site, variant=variant)
        yield builds


@pytest.fixture(scope="module")
def searched_samples(built_samples):
    """Pagefind's answers over the built samples, for the words the tests look up."""
    return pagefind_search(
        built_samples,
        BASE,
        [SVG_LESSON_TEXT_WORD, SVG_TEXT_WORD, SVG_ARIA_LABEL_WORD, "несуществующееслово", "Kafka", "пример"],
    )


def read_page(dist: Path, url: str) -> str:
    assert url.startswith(BASE + "/") and url.endswith("/"), url
    page = dist / url[len(BASE) + 1 :] / "index.html"
    assert page.is_file(), f"{url} was not built; dist has {sorted(p.relative_to(dist).as_posix() for p in dist.rglob('index.html'))}"
    return page.read_text(encoding="utf-8")


# --- compile_mdx ----------------------------------------------------------


def test_samples_compile_with_the_mdx_compiler():
    records = compile_mdx([LESSON, PLAIN_LESSON, SVG_LESSON], check=True)

    assert [record["file"] for record in records] == [str(LESSON), str(PLAIN_LESSON), str(SVG_LESSON)]
    assert [record["ok"] for record in records] == [True, True, True]
    assert [record["errors"] for record in records] == [[], [], []]


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

    assert re.findall(r'<a href="([^"]+)">', index) == [LESSON_URL, PLAIN_URL, SVG_URL]
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
    # Astro 5 names the key twice (its path, then zod's message that starts with it).
    lines = [line.strip() for line in output.splitlines()]
    assert "**order**: **order**: Expected type `\"number\"`, received `\"string\"`" in lines
    assert f"{build_dir}/src/content/course/05-module-5/01-sample.mdx:0:0:" in output
    assert not (build_dir / "dist").exists()


# --- component variants ---------------------------------------------------


def components_of(site: Path) -> list[str]:
    directory = site / "src" / "components"
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file())


def test_a_copy_holds_only_its_variants_components(build_dir):
    assert FIXTURE_VARIANTS == ("full", "callout-type-only", "bare")
    for variant in FIXTURE_VARIANTS:
        site = copy_fixture_site(build_dir, SAMPLES, variant=variant)

        assert components_of(site) == VARIANT_COMPONENTS[variant], variant
        assert (site / "src" / "content" / "config.ts").is_file()
    # The default is today's site.
    assert components_of(copy_fixture_site(build_dir, SAMPLES)) == VARIANT_COMPONENTS["full"]
    # "bare" has no components directory at all.
    assert not (copy_fixture_site(build_dir, SAMPLES, variant="bare") / "src" / "components").exists()


def test_unknown_variant_is_refused(build_dir):
    with pytest.raises(NodeToolError, match="no variant 'minimal'"):
        copy_fixture_site(build_dir, SAMPLES, variant="minimal")


@pytest.mark.parametrize("variant", FIXTURE_VARIANTS)
def test_every_variant_builds_the_plain_lesson(variant_builds, variant):
    dist = variant_builds[variant]
    plain = read_page(dist, PLAIN_URL)

    assert "<h1>Второй пример: урок без компонентов</h1>" in plain
    assert "<table>" in plain and "<code>snapshot.mode</code>" in plain
    # The build ran in a copy with exactly this variant's components.
    assert components_of(dist.parent) == VARIANT_COMPONENTS[variant]


def test_type_only_callout_shows_its_english_label_and_no_title(variant_builds):
    page = read_page(variant_builds["callout-type-only"], TYPE_ONLY_URL)

    labels = re.findall(
        r'<aside class="callout callout-(\w+)" data-callout-type="\1"><p class="callout-label">([^<]*)</p>', page
    )
    assert labels == [("note", "Note"), ("tip", "Tip"), ("warning", "Warning"), ("danger", "Danger")]
    assert (
        '<aside class="callout callout-warning" data-callout-type="warning">'
        '<p class="callout-label">Warning</p>'
        '<div class="callout-body"><p>Неактивный слот репликации удерживает WAL на диске.</p></div></aside>'
    ) in page
    assert "callout-title" not in page


# --- Pagefind ---------------------------------------------------------------


def test_pagefind_finds_a_lesson_by_a_word_of_its_text(searched_samples):
    assert searched_samples[SVG_LESSON_TEXT_WORD] == [SVG_URL]
    assert sorted(searched_samples["Kafka"]) == [LESSON_URL, PLAIN_URL]
    assert searched_samples["несуществующееслово"] == []


def test_pagefind_does_not_index_text_inside_an_inline_svg(built_samples, searched_samples):
    # The label is in the page, as the reader sees it...
    page = read_page(built_samples, SVG_URL)
    assert f'<text x="0" y="15">{SVG_TEXT_WORD}</text></svg>' in page
    # ...but Pagefind leaves out every <svg> element (Pagefind issue #245):
    # a diagram's labels are not searchable by themselves.
    assert searched_samples[SVG_TEXT_WORD] == []
    # An attribute of the svg that data-pagefind-index-attrs names is indexed.
    assert f'aria-label="Схема: {SVG_ARIA_LABEL_WORD}" data-pagefind-index-attrs="aria-label"' in page
    assert searched_samples[SVG_ARIA_LABEL_WORD] == [SVG_URL]


def test_pagefind_indexes_lesson_articles_only(built_samples, searched_samples):
    # data-pagefind-body on the lesson <article>: the front page, which lists
    # every lesson title ("Пример урока…", "Второй пример…", "Третий
    # пример…"), is not indexed, and not a result.
    entry = json.loads((built_samples / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert {language: index["page_count"] for language, index in entry["languages"].items()} == {"ru": 3}
    assert sorted(searched_samples["пример"]) == [LESSON_URL, PLAIN_URL, SVG_URL]
