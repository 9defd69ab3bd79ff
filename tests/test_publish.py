"""Publishing into the course site as it is: `make mdx MDX_OUT=<site>/src/
content/course` (the README's command) into each component variant of the
Astro 5 fixture site, then `astro build`, then every lesson page in Chromium.

The variants mirror real states of the course site: (full) Mermaid and a
Callout with a title prop, (callout-type-only) a Callout that takes only
`type` and no Mermaid, (bare) no components.  With default settings every
one builds, every diagram is a static SVG with its labels as text, no
Mermaid script is loaded, and the site's search (Pagefind) finds words that
appear only in a diagram.
"""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest
from debezium_course.browser_tools import check_pages, page_problems, serve_directory
from course_builds import DOCS, LESSONS, ROOT
from debezium_course.myst_sources import myst_fences
from debezium_course.node_tools import FIXTURE_VARIANTS, astro_site_dir, build_site, copy_fixture_site, pagefind_search

BASE = "/debezium-course"
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
# Words of lesson 5.1 that appear only in its diagrams' labels.
DIAGRAM_ONLY_WORDS = ["невидимые", "Координатор"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Each variant: the site, the `make mdx` run into it and its dist/."""
    builddir = tmp_path_factory.mktemp("publish-build")
    empty = tmp_path_factory.mktemp("no-lessons")
    sites = {}
    with contextlib.ExitStack() as stack:
        for variant in FIXTURE_VARIANTS:
            site = copy_fixture_site(stack.enter_context(astro_site_dir(f"publish-{variant}")), empty, variant=variant)
            make = subprocess.run(
                ["make", "--no-print-directory", "mdx", f"MDX_OUT={site / 'src' / 'content' / 'course'}", f"BUILDDIR={builddir}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert make.returncode == 0, make.stdout + make.stderr
            sites[variant] = (site, make, build_site(site))
        yield sites


def lesson_url(lesson: str) -> str:
    return f"{BASE}/course/{lesson}/"


def diagram_count(lesson: str) -> int:
    return len(myst_fences((DOCS / f"{lesson}.md").read_text(encoding="utf-8"), "mermaid"))


def test_the_lessons_need_only_what_each_site_has(published):
    for variant, (site, make, _dist) in published.items():
        components = {path.name for path in (site / "src" / "components").glob("*")} if (site / "src" / "components").is_dir() else set()
        for lesson in LESSONS:
            mdx = (site / "src" / "content" / "course" / f"{lesson}.mdx").read_text(encoding="utf-8")
            imported = set(re.findall(r"^import .* from '[./]+/components/([A-Za-z]+\.tsx)';$", mdx, re.M))
            assert imported <= components, (variant, lesson, imported)
            assert "<Mermaid" not in mdx and mdx.count('<figure class="mdx-diagram"') == diagram_count(lesson)
        # The build log says once which callout form was chosen, and why.
        decisions = re.findall(r"mdx: callouts as .*", make.stdout)
        assert len(decisions) == 1, make.stdout
        assert {
            "full": "callouts as <Callout> from",
            "callout-type-only": "which takes no title: the title is the box's first line, in bold",
            "bare": "callouts as blockquotes with a bold title: the site has no Callout component",
        }[variant] in decisions[0]


def test_callout_titles_in_the_form_each_site_can_show(published):
    lesson = "05-module-5/02-pandas-integration"
    for variant, (_site, _make, dist) in published.items():
        page = (dist / "course" / lesson / "index.html").read_text(encoding="utf-8")
        if variant == "full":
            assert re.search(r'<aside class="callout callout-warning" data-callout-type="warning"><p class="callout-title">[^<]+</p>', page)
        elif variant == "callout-type-only":
            # The component's own English label, then the lesson's title in bold.
            assert re.search(r'<aside class="callout callout-warning"[^>]*><p class="callout-label">Warning</p>.*?<p><strong>[^<]+</strong></p>', page, re.S)
        else:
            assert "callout" not in page and re.search(r"<blockquote>\s*<p><strong>[^<]+</strong></p>", page)


@pytest.mark.parametrize("variant", FIXTURE_VARIANTS)
def test_lesson_pages_show_static_diagrams_and_load_no_mermaid(published, variant):
    _site, _make, dist = published[variant]
    shots = SCREENSHOTS / f"publish-{variant}"
    with serve_directory(dist, BASE) as server:
        pages = [{"url": server.url(lesson_url(lesson)[len(BASE) + 1 :]), "screenshot": shots / f"{lesson.replace('/', '__')}.png"} for lesson in LESSONS]
        records = check_pages(pages)["pages"]
    for lesson, record in zip(LESSONS, records):
        assert page_problems(record) == [], (lesson, page_problems(record))
        diagrams = record["diagrams"]
        assert len(diagrams) == diagram_count(lesson) and {diagram["kind"] for diagram in diagrams} == {"static"}, lesson
        for diagram in diagrams:
            assert diagram["role"] == "img" and diagram["name"], diagram
            assert diagram["labels"], diagram
        # No Mermaid and no client-side island at all: 0 bytes of its script.
        scripts = [request["url"] for request in record["requests"] if request["resourceType"] == "script"]
        assert not [url for url in scripts if "mermaid" in url.lower()], scripts
        html = (dist / "course" / lesson / "index.html").read_text(encoding="utf-8")
        assert "<astro-island" not in html


def test_the_site_search_finds_words_only_a_diagram_has(published):
    _site, _make, dist = published["full"]
    page = (dist / "course" / "05-module-5" / "01-advanced-python-consumer" / "index.html").read_text(encoding="utf-8")
    outside_diagrams = re.sub(r'<figure class="mdx-diagram".*?</figure>', "", page, flags=re.S)
    for word in DIAGRAM_ONLY_WORDS:
        assert word in page and word not in outside_diagrams, word

    found = pagefind_search(dist, BASE, [*DIAGRAM_ONLY_WORDS, "щъыфзюквжэ"])
    for word in DIAGRAM_ONLY_WORDS:
        assert found[word] == [lesson_url("05-module-5/01-advanced-python-consumer")], (word, found)
    assert found["щъыфзюквжэ"] == []
