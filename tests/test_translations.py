"""The English edition: catalogs complete and checked, translations applied to
text, front matter and diagrams, translated text as untrusted as any, and the
course built, compiled and published in English."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from course_builds import LESSONS, ROOT, build_course, run_course_doctests, sphinx_build
from debezium_course.node_tools import astro_build, astro_site_dir, compile_mdx

from debezium_course import check_translations

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
I18N_LESSON = "05-module-5/01-lesson"


# --- a small project with a hostile catalog -------------------------------------


@pytest.mark.sphinx("mdx", testroot="i18n", confoverrides={"language": "en"})
def test_front_matter_text_and_diagram_are_translated(app):
    app.build()
    mdx = (app.outdir / f"{I18N_LESSON}.mdx").read_text(encoding="utf-8")
    front = yaml.safe_load(mdx.split("---")[1])
    assert front["title"] == "Lesson translation"
    assert front["description"] == "Lesson {description} <b>"
    assert front["topics"] == ["Translations", "Kafka"]
    # The page heading equals the translated title, so it is the page title.
    assert "## First section" in mdx and "Lesson translation\n" not in mdx.split("---", 2)[2]
    record = compile_mdx([app.outdir / f"{I18N_LESSON}.mdx"], tree=True, check=True)[0]
    # The diagram is drawn from the translated chart.
    labels = [node["literal"].strip() for node in record["mdx_nodes"] if node["type"] == "mdxFlowExpression"]
    assert "Sink" in labels and "Source `${x}`" in labels
    assert not any(CYRILLIC.search(label) for label in labels)
    assert "A note inside." in record["text"]
    # A translation replaces a task item's paragraph; its box stays.
    assert "- [ ] an open task\n- [x] a task done\n" in mdx


@pytest.mark.sphinx("mdx", testroot="i18n", confoverrides={"language": "en"})
def test_a_hostile_translation_stays_text(app):
    app.build()
    record = compile_mdx([app.outdir / f"{I18N_LESSON}.mdx"], tree=True, check=True)[0]
    hostile = (
        "import fs from 'node:fs'\nexport const pwned = {process.exit(1)} "
        '<Callout type="danger">x</Callout> <!-- hidden --> {/* comment */} ${x}'
    )
    assert hostile in record["text"]
    kinds = {(node["type"], node.get("name")) for node in record["mdx_nodes"] if not node.get("name") or node["name"][0].isupper()}
    assert kinds == {("mdxjsEsm", None), ("mdxJsxFlowElement", "Callout"), ("mdxFlowExpression", None)}
    # The diagram's text is strings, whatever the translator wrote.
    assert None not in [node["literal"] for node in record["mdx_nodes"] if node["type"] == "mdxFlowExpression"]
    callouts = [node for node in record["mdx_nodes"] if node.get("name") == "Callout"]
    assert len(callouts) == 1  # the note; the translator's <Callout> is text


@pytest.mark.sphinx("gettext", testroot="i18n", srcdir="i18n-gettext")
def test_front_matter_and_diagrams_reach_the_catalog_templates(app):
    app.build()
    template = (app.outdir / f"{I18N_LESSON}.pot").read_text(encoding="utf-8")
    for message in ('msgid "Перевод урока"', 'msgid "Описание урока"', 'msgid "Переводы"', 'msgid "Kafka"', '"    A[\\"Источник\\"] --> B[\\"Приёмник\\"]"'):
        assert message in template


def _check(docs: Path, conf_dir: Path, locale: Path) -> tuple[int, str]:
    """check_translations for English: (exit status, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = check_translations.main(["--docs", str(docs), "--conf-dir", str(conf_dir), "--locale-dir", str(locale), "en"])
    return status, out.getvalue()


def test_catalog_check_passes_then_fails_on_a_changed_paragraph_and_a_fuzzy_entry(rootdir, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(rootdir / "test-i18n", project)
    status, report = _check(project, project, project / "locale")
    assert (status, report.strip()) == (0, "catalogs complete for: en")

    lesson = project / f"{I18N_LESSON}.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("Обычный абзац.", "Изменённый абзац."), encoding="utf-8")
    status, report = _check(project, project, project / "locale")
    assert status == 1
    assert "not in the catalog (new or changed source text at" in report and "Изменённый абзац." in report

    lesson.write_text(lesson.read_text(encoding="utf-8").replace("Изменённый абзац.", "Обычный абзац."), encoding="utf-8")
    catalog = project / "locale" / "en" / "LC_MESSAGES" / f"{I18N_LESSON}.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace('msgid "Обычный абзац."', '#, fuzzy\nmsgid "Обычный абзац."'), encoding="utf-8")
    status, report = _check(project, project, project / "locale")
    assert status == 1 and re.search(r"01-lesson\.po:\d+: fuzzy: Обычный абзац\.", report), report


# --- the course's English edition ----------------------------------------------


def test_every_english_catalog_is_complete_and_msgfmt_clean():
    status, report = _check(ROOT / "docs", ROOT, ROOT / "locale")
    assert status == 0, report


@pytest.fixture(scope="module")
def english_mdx(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("english") / "mdx"
    result = build_course("mdx", outdir, env={"SPHINX_LANGUAGE": "en"})
    assert result.returncode == 0, result.stderr
    return outdir


def test_english_mdx_is_english_and_compiles(english_mdx):
    files = sorted(english_mdx.rglob("*.mdx"))
    assert [path.relative_to(english_mdx).with_suffix("").as_posix() for path in files] == LESSONS
    compile_mdx(files, check=True)
    site_urls = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        leftovers = [line for line in text.splitlines() if CYRILLIC.search(line)]
        assert leftovers == [], f"{path.name} still has Russian:\n" + "\n".join(leftovers[:10])
        # Same file names, English edition's component paths and site URLs.
        assert "from '../../../components/" in text
        site_urls += re.findall(r"\]\((/debezium-course/[^)]*)\)", text)
    assert site_urls and all(url.startswith("/debezium-course/en/course/") for url in site_urls), site_urls


def test_english_edition_builds_in_the_astro_fixture(english_mdx):
    with astro_site_dir("english") as site:
        dist = astro_build(english_mdx, site_dir=site, collection="course-en")
        titles = {
            "05-module-5/01-advanced-python-consumer": "Advanced Python Consumer Patterns",
            "05-module-5/02-pandas-integration": "Integrating CDC Events with Pandas",
        }
        for lesson in LESSONS:
            page = dist / "en" / "course" / lesson / "index.html"
            assert page.is_file(), f"no English page for {lesson}"
            assert titles[lesson] in page.read_text(encoding="utf-8")


def test_english_preview_builds_without_warnings(tmp_path):
    result = build_course("html", tmp_path / "html", env={"SPHINX_LANGUAGE": "en"})
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / f"{LESSONS[0]}.html").read_text(encoding="utf-8")
    assert 'lang="en"' in page


def test_english_doctests_pass_against_the_real_broker(kafka_broker, tmp_path):
    run_course_doctests(tmp_path / "doctest", kafka_broker, language="en")


def test_catalog_templates_come_from_the_russian_sources(tmp_path):
    result = sphinx_build("gettext", ROOT / "docs", tmp_path / "gettext", conf=ROOT, env={"SPHINX_LANGUAGE": "ru"})
    assert result.returncode == 0, result.stderr
    template = (tmp_path / "gettext" / f"{LESSONS[0]}.pot").read_text(encoding="utf-8")
    assert 'msgid "Продвинутые паттерны Python Consumer"' in template
