"""The preview site and the course site in a real browser, offline.

Headless Chromium (the system's /usr/bin/chromium, driven by playwright-core
from node_modules) opens every page of

- the HTML preview of the course's lessons (docs/, the project's conf.py),
- the Astro fixture site built from the MDX of those lessons,
- the preview of tests/roots/test-preview, a small course whose content is
  known exactly,

served from 127.0.0.1, and checks what a reader meets: no request leaves
the machine, no console error, every Mermaid diagram is drawn, every h2
anchor works, the lesson's front matter and doctest output are shown as
such. Full-page screenshots of the lesson pages go to
tests/artifacts/screenshots/ (git-ignored) for a human to look at.

``make livehtml`` is checked too: sphinx-autobuild over a copy of the test
root, a saved edit, and the open page reloading by itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from debezium_course.browser_tools import (
    check_pages,
    copy_tree,
    format_problems,
    mermaid_charts_in_myst,
    mermaid_errors_in_lessons,
    mermaid_parse_errors,
    page_problems,
    serve_directory,
    watch_live_reload,
)
from course_builds import DOCS, LESSON_GLOB, ROOT, sphinx_build
from debezium_course.local_services import free_port
from debezium_course.myst_sources import heading_count, myst_fences
from debezium_course.node_tools import NODE_MODULES
from sphinx_astro_mdx import ASTRO_COURSE, frontmatter

TEST_ROOT = ROOT / "tests" / "roots" / "test-preview"
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
SITE_BASE = "/debezium-course"
# What package.json pins, the version the preview must serve.
MERMAID_VERSION = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["mermaid"]
PANEL_LABELS = {"difficulty": "Сложность", "estimatedTime": "Время", "topics": "Темы", "prerequisites": "Нужно знать"}
OUTPUT_LABEL = '"Вывод"'  # the computed `content` of the ::before label


def build_test_root(outdir: Path, *extra: str, source: Path = TEST_ROOT, builder: str = "html") -> subprocess.CompletedProcess:
    # The root's conf.py cannot find node_modules from a copy outside the
    # repository; the real one is named explicitly.
    return sphinx_build(builder, source, outdir, "-D", f"preview_node_modules={NODE_MODULES}", *extra)


def html_pages(outdir: Path) -> list[str]:
    """Every page of a Sphinx HTML build (not the copied sources or assets)."""
    return sorted(
        path.relative_to(outdir).as_posix()
        for path in outdir.rglob("*.html")
        if not path.relative_to(outdir).parts[0].startswith("_")
    )


def visible_testoutput_count(source: str) -> int:
    """``{testoutput}`` fences of a MyST file that the reader sees (no :hide:)."""
    return sum(":hide:" not in options for _line, options, _body in myst_fences(source, "testoutput"))


def assert_no_problems(records: list[dict]) -> None:
    problems = format_problems(records)
    assert not problems, "\n" + problems


def fresh_screenshot_dir(kind: str) -> Path:
    directory = SCREENSHOTS / kind
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory


# --- the preview build: Mermaid from node_modules, nothing from a CDN ---------


@pytest.fixture(scope="module")
def test_root_html(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("test-preview") / "html"
    result = build_test_root(outdir, "-W", "--keep-going")
    assert result.returncode == 0, result.stderr
    return outdir


def test_preview_serves_the_pinned_mermaid_from_static(test_root_html):
    release = test_root_html / "_static" / "mermaid" / MERMAID_VERSION
    dist = NODE_MODULES / "mermaid" / "dist"
    entry = release / "mermaid.esm.min.mjs"
    assert entry.read_bytes() == (dist / "mermaid.esm.min.mjs").read_bytes()
    chunks = sorted(path.name for path in (release / "chunks" / "mermaid.esm.min").iterdir())
    assert chunks == sorted(path.name for path in (dist / "chunks" / "mermaid.esm.min").glob("*.mjs"))
    # Every chunk the entry module imports statically or lazily is there.
    imported = set(re.findall(r'"\./(chunks/mermaid\.esm\.min/[^"]+\.mjs)"', entry.read_text(encoding="utf-8")))
    assert imported and all((release / name).is_file() for name in imported)
    d3 = sorted((test_root_html / "_static" / "d3").glob("*/d3.min.js"))
    assert [path.read_bytes() for path in d3] == [(NODE_MODULES / "d3" / "dist" / "d3.min.js").read_bytes()]

    page = (test_root_html / "05-module-5" / "01-offline-preview.html").read_text(encoding="utf-8")
    assert f'import mermaid from "../_static/mermaid/{MERMAID_VERSION}/mermaid.esm.min.mjs"' in page
    zoomable = (test_root_html / "05-module-5" / "02-zoomable-diagram.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="\.\./_static/d3/[\d.]+/d3\.min\.js\?v=\w+"></script>', zoomable)


def test_no_page_or_script_of_the_preview_names_a_cdn(test_root_html):
    offenders = []
    for path in test_root_html.rglob("*"):
        if path.suffix in {".html", ".js", ".css"} and "_static/mermaid" not in path.as_posix() and "_static/d3" not in path.as_posix():
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(test_root_html)}: {url}" for url in re.findall(r"https?://cdn[\w.-]*/\S*", text)]
    assert offenders == []


def test_html_build_without_node_modules_fails_and_says_make_node(tmp_path):
    result = sphinx_build("html", TEST_ROOT, tmp_path / "html", "-D", f"preview_node_modules={tmp_path / 'node_modules'}")

    assert result.returncode != 0
    assert "The preview cannot work offline (run `make node`?)!" in result.stderr
    assert f"The preview loads mermaid from {tmp_path / 'node_modules' / 'mermaid'}, which is not installed: run `make node`" in result.stderr
    assert not (tmp_path / "html" / "index.html").exists()


def test_a_cdn_url_in_the_mermaid_settings_is_refused(tmp_path):
    cdn = "https://cdn.jsdelivr.net/npm/mermaid@11.17.2/dist/mermaid.esm.min.mjs"
    result = build_test_root(tmp_path / "html", "-D", f"mermaid_use_local={cdn}")

    assert result.returncode != 0
    assert f"mermaid_use_local = '{cdn}' is on another host; the preview must work offline" in result.stderr


def test_other_builders_need_no_node_modules_and_see_no_preview_markup(tmp_path):
    # The mdx builder is the site's; the panel and the output label are the
    # preview's alone.
    result = sphinx_build("mdx", TEST_ROOT, tmp_path / "mdx", "-W", "-D", f"preview_node_modules={tmp_path / 'absent'}")

    assert result.returncode == 0, result.stderr
    lesson = (tmp_path / "mdx" / "05-module-5" / "01-offline-preview.mdx").read_text(encoding="utf-8")
    assert "Сложность" not in lesson and "Нужно знать" not in lesson and "doctest-output" not in lesson
    assert re.search(r"```\w*\n6\n```", lesson)


# --- the preview build: front matter panel and doctest output ---------------


def test_front_matter_panel_follows_the_title(test_root_html):
    page = (test_root_html / "05-module-5" / "01-offline-preview.html").read_text(encoding="utf-8")
    panel = re.search(r'</h1>\s*<div class="lesson-meta docutils container">(.*?)</div>\s*<section', page, re.S)
    assert panel, "no front matter panel right under the h1"
    fields = re.findall(r"<dt[^>]*>(.*?)<span class=\"colon\">:</span></dt>\s*<dd[^>]*><p>(.*?)</p>", panel.group(1), re.S)
    assert fields == [
        ("Сложность", '<span class="lesson-difficulty-intermediate">средний</span>'),
        ("Время", "<span>20 мин</span>"),
        ("Темы", '<span class="lesson-topic">Mermaid</span> <span class="lesson-topic">Sphinx</span>'),
        (
            "Нужно знать",
            '<span class="lesson-prerequisite lesson-prerequisite-external">module-1/05-python-consumer</span>, '
            '<a class="lesson-prerequisite reference internal" href="02-zoomable-diagram.html">'
            '<span class="doc">Диаграмма с масштабом</span></a>',
        ),
    ]
    other = (test_root_html / "05-module-5" / "02-zoomable-diagram.html").read_text(encoding="utf-8")
    assert "<span>5,5 мин</span>" in other
    assert '<a class="lesson-prerequisite reference internal" href="01-offline-preview.html">' in other
    # Not a lesson: no panel.
    assert "lesson-meta" not in (test_root_html / "index.html").read_text(encoding="utf-8")


def test_only_visible_testoutput_is_marked_as_output(test_root_html):
    page = (test_root_html / "05-module-5" / "01-offline-preview.html").read_text(encoding="utf-8")
    outputs = re.findall(r'<div class="doctest-output highlight-none notranslate"><div class="highlight"><pre><span></span>(.*?)</pre>', page, re.S)
    # Two visible {testoutput} blocks; the :hide: one is not on the page, and
    # a {doctest} block (input and output together) is code, not output.
    assert [output.split("\n")[0] for output in outputs] == ["6", "1"]
    assert page.count("doctest-output") == 2
    assert '<div class="highlight-pycon notranslate">' in page


def test_an_english_build_labels_the_panel_in_english(tmp_path):
    result = build_test_root(tmp_path / "html", "-D", "language=en")

    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / "05-module-5" / "02-zoomable-diagram.html").read_text(encoding="utf-8")
    panel = re.search(r'<div class="lesson-meta docutils container">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r"<dt[^>]*>(.*?)<span", panel) == ["Difficulty", "Time", "Topics", "Prerequisites"]
    assert "<span>5.5 min</span>" in panel and ">beginner</span>" in panel
    assert re.search(r'<html [^>]*lang="en"', page)  # what the stylesheet's "Output" label keys on


def test_unknown_prerequisite_is_plain_text_and_a_warning_at_its_line(tmp_path):
    source = copy_tree(TEST_ROOT, tmp_path / "src")
    lesson = source / "05-module-5" / "01-offline-preview.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace('"module-5/02-zoomable-diagram"]', '"module-9/01-missing"]'), encoding="utf-8")

    result = build_test_root(tmp_path / "html", source=source)

    assert result.returncode == 0, result.stderr
    assert (
        f"{lesson}:8: WARNING: prerequisites: 'module-9/01-missing' is neither a lesson of this project "
        "nor listed in mdx_external_lessons; shown as plain text [preview.prerequisite]"
    ) in result.stderr
    page = (tmp_path / "html" / "05-module-5" / "01-offline-preview.html").read_text(encoding="utf-8")
    assert '<span class="lesson-prerequisite lesson-prerequisite-unknown">module-9/01-missing</span>' in page


def test_front_matter_problem_is_warned_and_the_field_left_out(tmp_path):
    source = copy_tree(TEST_ROOT, tmp_path / "src")
    lesson = source / "05-module-5" / "01-offline-preview.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("estimatedTime: 20", 'estimatedTime: "20"'), encoding="utf-8")

    result = build_test_root(tmp_path / "html", source=source)

    assert f"{lesson}:6: WARNING: front matter field 'estimatedTime' must be a number of minutes, got '20'" in result.stderr
    page = (tmp_path / "html" / "05-module-5" / "01-offline-preview.html").read_text(encoding="utf-8")
    assert "Сложность" in page and "Время" not in page


# --- in the browser: the test root ---------------------------------------------


def test_test_root_preview_in_the_browser(test_root_html):
    pages = html_pages(test_root_html)
    with serve_directory(test_root_html) as site:
        result = check_pages([{"url": site.url(page)} for page in pages])
    records = dict(zip(pages, result["pages"]))

    assert_no_problems(result["pages"])
    assert result["blocked"] == []
    first = records["05-module-5/01-offline-preview.html"]
    assert [(field["label"], field["text"]) for field in first["lessonMeta"]] == [
        ("Сложность", "средний"),
        ("Время", "20 мин"),
        ("Темы", "Mermaid Sphinx"),
        ("Нужно знать", "module-1/05-python-consumer, Диаграмма с масштабом"),
    ]
    (prerequisites,) = [field for field in first["lessonMeta"] if field["label"] == "Нужно знать"]
    assert prerequisites["links"] == [{"text": "Диаграмма с масштабом", "href": site.url("05-module-5/02-zoomable-diagram.html")}]
    assert prerequisites["plain"] == ["module-1/05-python-consumer"]
    assert [output["label"] for output in first["doctestOutputs"]] == [OUTPUT_LABEL, OUTPUT_LABEL]
    assert [diagram["state"] for diagram in first["diagrams"]] == ["rendered"]
    assert [admonition["title"] for admonition in first["admonitions"]] == ["Предупреждение"]
    # Four h2, each reachable by the section id and by the MyST slug.
    assert len(first["anchors"]) == 8 and all(anchor["scrolledTo"] for anchor in first["anchors"])
    assert first["freshAnchor"]["id"] == "id5" and first["freshAnchor"]["scrolledTo"]
    # Mermaid came from this server, and d3 for the zoomable diagram too.
    assert site.url(f"_static/mermaid/{MERMAID_VERSION}/mermaid.esm.min.mjs") in {r["url"] for r in first["requests"]}
    zoomable = records["05-module-5/02-zoomable-diagram.html"]
    assert any(re.search(r"/_static/d3/[\d.]+/d3\.min\.js", r["url"]) for r in zoomable["requests"])
    assert [diagram["state"] for diagram in zoomable["diagrams"]] == ["rendered"]


def test_the_browser_check_catches_a_broken_diagram_and_a_foreign_request(tmp_path):
    # The checks above pass because the pages are right, not because the
    # checker cannot fail: here is a page that is wrong in both ways.
    source = copy_tree(TEST_ROOT, tmp_path / "src")
    (source / "05-module-5" / "03-broken-page.md").write_text(
        "---\n"
        'title: "Сломанная страница"\n'
        'description: "Диаграмма с ошибкой и картинка с чужого сервера"\n'
        "order: 3\n"
        'difficulty: "beginner"\n'
        "estimatedTime: 1\n"
        'topics: ["ошибки"]\n'
        "---\n\n"
        "# Сломанная страница\n\n"
        "## Диаграмма с ошибкой\n\n"
        "```mermaid\nflowchart LR\n    A -->\n```\n\n"
        "## Чужой сервер\n\n"
        '```{raw} html\n<img src="http://example.invalid/pixel.png" alt="pixel">\n```\n',
        encoding="utf-8",
    )
    result = build_test_root(tmp_path / "html", source=source)
    assert result.returncode == 0, result.stderr

    with serve_directory(tmp_path / "html") as site:
        (record,) = check_pages([{"url": site.url("05-module-5/03-broken-page.html")}])["pages"]

    problems = page_problems(record)
    assert "request left the machine: http://example.invalid/pixel.png" in problems
    assert "refers to another host: img http://example.invalid/pixel.png" in problems
    assert any(problem.startswith("console error: Mermaid rendering failed:") for problem in problems), problems
    assert "diagram 1 (sphinxcontrib-mermaid) is error: Syntax error in text mermaid version " + MERMAID_VERSION in problems


# --- in the browser: the course's own lessons -----------------------------------


def test_course_preview_in_the_browser(course_html, course_lessons):
    pages = html_pages(course_html)
    lesson_pages = {f"{lesson}.html": lesson for lesson in course_lessons}
    assert set(lesson_pages) <= set(pages)
    screenshots = fresh_screenshot_dir("preview")
    with serve_directory(course_html) as site:
        result = check_pages(
            [{"url": site.url(page), "screenshot": screenshots / f"{lesson_pages[page]}.png" if page in lesson_pages else None} for page in pages]
            # A search runs the search index and the Russian stemmer, loaded on demand.
            + [{"url": site.url("search.html?q=consumer")}]
        )
    records = dict(zip(pages, result["pages"]))

    assert_no_problems(result["pages"])
    search_requests = {urlsplit(request["url"]).path for request in result["pages"][-1]["requests"]}
    assert "/searchindex.js" in search_requests
    for page, lesson in lesson_pages.items():
        record = records[page]
        source = (DOCS / f"{lesson}.md").read_text(encoding="utf-8")
        assert len(record["diagrams"]) == len(mermaid_charts_in_myst(source)), lesson
        assert [output["label"] for output in record["doctestOutputs"]] == [OUTPUT_LABEL] * visible_testoutput_count(source), lesson
        labels = [field["label"] for field in record["lessonMeta"] or []]
        assert labels[:3] == [PANEL_LABELS["difficulty"], PANEL_LABELS["estimatedTime"], PANEL_LABELS["topics"]], lesson
        prerequisites = frontmatter.read(DOCS / f"{lesson}.md", ASTRO_COURSE).values.get("prerequisites") or []
        if prerequisites:
            (shown,) = [field for field in record["lessonMeta"] if field["label"] == PANEL_LABELS["prerequisites"]]
            linked = [site.url(f"{other}.html") for other in course_lessons if ASTRO_COURSE.pages.id_of(other) in prerequisites]
            assert sorted(link["href"] for link in shown["links"]) == sorted(linked), lesson
            assert len(shown["links"]) + len(shown["plain"]) == len(prerequisites), lesson
        assert record["anchors"] and len(record["headings"]) == heading_count(source, 2), lesson
        assert Path(record["screenshot"]).stat().st_size > 10_000


def test_course_site_in_the_browser(course_site, course_mdx, course_lessons):
    dist, mdx = course_site, course_mdx
    urls = {lesson: f"course/{lesson}/" for lesson in course_lessons}
    screenshots = fresh_screenshot_dir("site")
    with serve_directory(dist, base=SITE_BASE) as site:
        pages = [{"url": site.url("")}] + [{"url": site.url(url), "screenshot": screenshots / f"{lesson}.png"} for lesson, url in urls.items()]
        result = check_pages(pages)
    index, *lessons = result["pages"]

    assert_no_problems(result["pages"])
    assert index["h1"] == "Уроки"
    for lesson, record in zip(course_lessons, lessons):
        source = (mdx / f"{lesson}.mdx").read_text(encoding="utf-8")
        # Diagrams drawn at build time, callouts from Callout.
        assert len(record["diagrams"]) == source.count('<figure class="mdx-diagram"') > 0, lesson
        assert all(diagram["kind"] == "static" and diagram["labels"] for diagram in record["diagrams"]), lesson
        assert len(record["callouts"]) == source.count("<Callout "), lesson
        assert all(callout["type"] in {"note", "tip", "warning", "danger"} and callout["text"] for callout in record["callouts"]), lesson
        assert len(record["anchors"]) == heading_count(source, 2) > 0, lesson
        assert Path(record["screenshot"]).stat().st_size > 10_000


# --- Mermaid charts checked by the real library ---------------------------------


def test_mermaid_check_reports_errors_with_their_line():
    records = mermaid_parse_errors(
        [
            "flowchart LR\n    A --> B",
            "classDiagram\n    Consumer <|-- Producer",  # needs a DOM (DOMPurify): fails in plain Node
            "flowchart LR\n    A -->",
            'pie\n    "a": x',
            "not a diagram",
        ]
    )

    assert [(record["ok"], record["diagramType"]) for record in records] == [
        (True, "flowchart-v2"),
        (True, "classDiagram"),
        (False, None),
        (False, None),
        (False, None),
    ]
    flowchart, pie, unknown = (record["error"] for record in records[2:])
    assert flowchart["message"].startswith("Parse error on line") and flowchart["line"] == 2
    assert (pie["line"], pie["column"]) == (2, 10)
    assert unknown == {"message": "No diagram type detected matching given configuration for text: not a diagram", "line": None, "column": None}


def test_every_mermaid_chart_of_the_lessons_parses(course_lessons):
    paths = sorted([*DOCS.glob(LESSON_GLOB), *TEST_ROOT.glob("*/*.md")])
    assert sum(len(mermaid_charts_in_myst(path.read_text(encoding="utf-8"))) for path in paths) >= 2
    assert mermaid_errors_in_lessons(paths) == []


def test_a_broken_chart_is_reported_at_its_file_and_line(tmp_path):
    lesson = tmp_path / "01-broken.md"
    lesson.write_text(
        "# Урок\n\nТекст.\n\n```mermaid\nflowchart LR\n    A --> B\n    B --> --> C\n```\n\n```mermaid\nflowchart LR\n    X --> Y\n```\n",
        encoding="utf-8",
    )
    errors = mermaid_errors_in_lessons([lesson])
    assert len(errors) == 1
    assert errors[0].startswith(f"{lesson}:8: Mermaid: Parse error on line"), errors


# --- make livehtml ----------------------------------------------------------------


def wait_for_http(url: str, timeout: float, process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"sphinx-autobuild exited with {process.returncode}:\n{log.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} was not served within {timeout} s:\n{log.read_text(encoding='utf-8')}")


def test_livehtml_rebuilds_and_reloads_the_open_page_on_save(tmp_path):
    source = copy_tree(TEST_ROOT, tmp_path / "src")
    lesson = source / "05-module-5" / "01-offline-preview.md"
    marker = f"Правка {uuid.uuid4().hex[:8]}"
    port = free_port()
    log = tmp_path / "autobuild.log"
    with log.open("w", encoding="utf-8") as log_file:
        # As `make livehtml` runs it, on a port of its own. A new session, so
        # that the builder processes it forks go down with it.
        process = subprocess.Popen(
            [sys.executable, "-m", "sphinx_autobuild", str(source), str(tmp_path / "html"), "--host", "127.0.0.1",
             "--port", str(port), "-D", f"preview_node_modules={NODE_MODULES}"],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/05-module-5/01-offline-preview.html"
        first = wait_for_http(url, timeout=60, process=process, log=log)
        assert marker not in first and "/websocket-reload" in first

        def save() -> None:
            text = lesson.read_text(encoding="utf-8")
            lesson.write_text(text.replace("## Итоги\n", f"## Итоги\n\n{marker}\n"), encoding="utf-8")

        result = watch_live_reload(url, marker, save, timeout=45)
        served = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    assert result["loaded"]["h1"].startswith("Предпросмотр без сети")
    assert any(url.endswith("/websocket-reload") for url in result["loaded"]["websockets"])
    assert result["found"], f"the page did not show the edit within 45 s:\n{log.read_text(encoding='utf-8')}"
    assert result["reloads"] >= 1
    assert marker in served
    assert result["externalRequests"] == [] and result["consoleErrors"] == [] and result["pageErrors"] == []
    print(f"livehtml: edit shown {result['elapsedMs']} ms after the save")
