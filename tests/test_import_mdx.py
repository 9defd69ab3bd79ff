"""The MDX → MyST importer on the sample corpus (tests/mdx-corpus, lessons
written here the way the course site's pages are written).

Each lesson is imported into a project that uses the course's conf.py,
built back into MDX by the builder, and compared with its original by
rendering both with the real @mdx-js/mdx and React (sphinx_astro_mdx.importer
does the comparison; the tests here check that it is not blind either).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from course_builds import sphinx_build
from debezium_course.node_tools import compile_mdx
from sphinx_astro_mdx.importer import render_differences

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "mdx-corpus" / "src" / "content" / "course"
INVALID = REPO / "tests" / "mdx-corpus-invalid" / "src" / "content" / "course"
BASE = "/debezium-course"


def new_project(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Курс\n\n```{toctree}\n:glob:\n\n*/*\n```\n", encoding="utf-8")
    return docs


def import_mdx(content: Path, docs: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx_astro_mdx.importer", "-c", str(REPO), *options, str(content), str(docs)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )


def site_with_one_lesson(tmp_path: Path, name: str, title: str, body: str) -> Path:
    """A site's content folder holding ``01-module-1/<name>.mdx``: the
    course's front matter with ``title``, then ``body``."""
    content = tmp_path / "content"
    lesson = content / "01-module-1" / f"{name}.mdx"
    lesson.parent.mkdir(parents=True)
    lesson.write_text(
        f'---\ntitle: "{title}"\ndescription: "d"\norder: 1\ndifficulty: "beginner"\nestimatedTime: 1\ntopics: ["x"]\n---\n' + body,
        encoding="utf-8",
    )
    return content


def report_of(output: str, docname: str) -> str:
    """The lines the importer printed for one lesson."""
    block = output.split(f"\n{docname}: ", 1)[1]
    return block.split("\n\n", 1)[0]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The corpus imported as the README shows it, into a new project."""
    docs = new_project(tmp_path_factory.mktemp("imported"))
    result = subprocess.run(
        ["make", "--no-print-directory", "import-mdx", f"SRC={CORPUS}", f"SOURCEDIR={docs}"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )
    return docs, result


def test_every_sample_lesson_round_trips(imported):
    docs, result = imported
    assert result.returncode == 0, result.stdout + result.stderr
    lessons = sorted(path.relative_to(CORPUS).with_suffix("").as_posix() for path in CORPUS.rglob("*.mdx"))
    assert len(lessons) == 6
    for docname in lessons:
        assert (docs / f"{docname}.md").is_file()
        assert "round trip: identical text, components and elements" in report_of(result.stdout, docname)
    assert "import-mdx: 6 lesson(s) written, 6 identical after the round trip, 0 not" in result.stdout
    # No warning but the one about lessons the toctree globs pick up later.
    assert "warning:" not in result.stdout


def test_the_report_lists_raw_mdx_code_and_lines(imported):
    _, result = imported
    architecture = report_of(result.stdout, "01-module-1/02-debezium-architecture")
    assert "code blocks not yet executed: 2, at lines 56 (bash), 63 (no language)" in architecture
    assert "kept as raw MDX: line 21: <ArchitectureDiagram>" in architecture
    assert "kept as raw MDX: line 30: paragraph with <Badge>" in architecture
    assert "kept as raw MDX: line 83: an MDX expression or comment" in architecture
    assert "kept as raw MDX: line 85: <details>" in architecture


def test_lessons_are_myst_the_builder_reads(imported):
    docs, _ = imported
    basics = (docs / "01-module-1/01-cdc-basics.md").read_text(encoding="utf-8")
    # Front matter as it was, the title as the first heading, components as MyST.
    original = (CORPUS / "01-module-1/01-cdc-basics.mdx").read_text(encoding="utf-8")
    assert basics.split("\n---\n", 1)[0] == original.split("\n---\n", 1)[0]
    assert "\n# Что такое Change Data Capture\n" in basics
    assert "```mermaid\nflowchart LR\n" in basics
    assert ":::{admonition} " in basics and ":class: note" in basics
    assert "import Callout" not in basics  # the builder writes its own imports
    # MDX escapes became the characters they stand for.
    assert "задержкой < 1 с" in basics and 'JSON вида {"op": "c"}' in basics
    # A no-break space (`&nbsp;` in the original) stays visible to an editor.
    assert "PostgreSQL&nbsp;16" in basics
    # Task lists and a fence without a language stay what they were.
    kafka = (docs / "02-module-2/02-kafka-topics.md").read_text(encoding="utf-8")
    assert ":::{tip}\n:class: untitled\n" in kafka
    assert "\n```\n" in (docs / "02-module-2/03-monitoring-lag.md").read_text(encoding="utf-8")
    assert "- [ ] " in basics


def test_make_mdx_of_imported_lessons_compiles_and_links_with_the_base(imported, tmp_path):
    docs, _ = imported
    out = tmp_path / "mdx"
    result = sphinx_build("mdx", docs, out, "-c", str(REPO))
    assert result.returncode == 0, result.stderr
    written = sorted(out.rglob("*.mdx"))
    assert len(written) == 6
    compile_mdx(written, check=True)
    basics = (out / "01-module-1/01-cdc-basics.mdx").read_text(encoding="utf-8")
    assert "](/debezium-course/course/01-module-1/02-debezium-architecture/#формат-события-изменения)" in basics


def test_invalid_mdx_is_imported_as_its_author_meant(tmp_path):
    docs = new_project(tmp_path)
    # The lessons it links to and names as prerequisites come first.
    assert import_mdx(CORPUS, docs, "--lessons", "0*/0[1-3]-*").returncode == 0
    result = import_mdx(INVALID, docs)
    assert result.returncode == 0, result.stdout + result.stderr
    report = report_of(result.stdout, "01-module-1/04-latency")
    assert 'not valid MDX, read as meant: line 14: "<1ms' in report
    assert 'not valid MDX, read as meant: line 22: "<5 сек' in report
    assert "round trip: identical" in report
    myst = (docs / "01-module-1/04-latency.md").read_text(encoding="utf-8")
    assert "<1ms" in myst.replace("\\<", "<")


def test_existing_lessons_are_kept_unless_forced(tmp_path):
    docs = new_project(tmp_path)
    lesson = docs / "01-module-1" / "01-cdc-basics.md"
    lesson.parent.mkdir()
    lesson.write_text("---\ntitle: мой урок\n---\n", encoding="utf-8")
    # Alone, its links to the other lessons lead nowhere: accepted here.
    kept = import_mdx(CORPUS, docs, "--lessons", "01-module-1/01-*", "--accept-differences")
    assert kept.returncode == 0
    assert "exists and is kept (--force, or FORCE=1, to overwrite it)" in kept.stdout
    assert lesson.read_text(encoding="utf-8") == "---\ntitle: мой урок\n---\n"
    assert not (docs / "01-module-1" / "02-debezium-architecture.md").exists()
    forced = import_mdx(CORPUS, docs, "--lessons", "01-module-1/01-*", "--force", "--accept-differences")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"replaces the existing {lesson} (--force)" in forced.stdout
    assert "Change Data Capture" in lesson.read_text(encoding="utf-8")


def test_a_loss_fails_the_import_unless_accepted(tmp_path):
    # A relative link between pages has no form here: the builder writes
    # its words without the link, which the comparison must notice.
    content = site_with_one_lesson(tmp_path, "01-links", "Ссылки", "\n## Раздел\n\nСм. [соседний урок](../02-other).\n")
    docs = new_project(tmp_path)
    result = import_mdx(content, docs)
    assert result.returncode == 1
    report = report_of(result.stdout, "01-module-1/01-links")
    assert "round trip: DIFFERENT" in report
    assert "the elements differ" in report and "<a href=../02-other>" in report
    assert "warning:" in report and "01-links.md:14: WARNING: link target '../02-other' was not found" in report
    accepted = import_mdx(content, docs, "--force", "--accept-differences")
    assert accepted.returncode == 0


LESSON = "---\ntitle: t\n---\n\n"


@pytest.mark.parametrize(
    "original, written",
    [
        ("Текст урока.\n", "Текст урока!\n"),
        ('<Diagram size={3} />\n', '<Diagram size={4} />\n'),
        ("<Callout type=\"tip\">\nx\n</Callout>\n", "<Callout type=\"note\">\nx\n</Callout>\n"),
        ("## Раздел\n", "### Раздел\n"),
        ("[a](https://a.example/)\n", "[a](https://b.example/)\n"),
        ("- [ ] a\n", "- [x] a\n"),
        ("```sql\nselect 1\n```\n", "```\nselect 1\n```\n"),
        ("| a |\n| - |\n| b |\n", "| a |\n| :-: |\n| b |\n"),
        # A tight list and the same list loose: paragraphs in the items.
        ("- a\n  - b\n- c\n", "- a\n\n  - b\n\n- c\n"),
    ],
)
def test_the_comparison_sees_what_a_reader_would(original, written):
    differences = render_differences([{"name": "x", "original": LESSON + original, "written": LESSON + written}], BASE)
    assert differences["x"], f"{original!r} and {written!r} were found the same"


def test_the_comparison_takes_footnotes_by_their_order_not_their_labels():
    original = LESSON + "Текст[^1].\n\n[^1]: Примечание.\n"
    written = LESSON + "Текст[^id2].\n\n[^id2]: Примечание.\n"
    assert render_differences([{"name": "x", "original": original, "written": written}], BASE) == {"x": []}


def test_the_comparison_takes_site_links_with_or_without_base_as_the_same():
    original = LESSON + "[урок](/course/01-module-1/02-x#раздел) и <Mermaid chart={`flowchart LR\n  A --> B`} client:visible />\n"
    written = LESSON + "[урок](/debezium-course/course/01-module-1/02-x/#раздел) и <Mermaid chart={`flowchart LR\n  A --> B`} client:visible />\n"
    assert render_differences([{"name": "x", "original": original, "written": written}], BASE) == {"x": []}


def test_a_lesson_mdx_cannot_read_is_not_imported_and_fails_even_when_accepting(tmp_path):
    content = site_with_one_lesson(tmp_path, "01-broken", "Сломанный", "\nТекст.\n\nВыражение {не закрыто.\n")
    docs = new_project(tmp_path)
    for options in ((), ("--accept-differences",)):
        result = import_mdx(content, docs, *options)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "01-broken.mdx:12: not valid MDX: Unexpected end of file in expression" in result.stdout
        assert "0 lesson(s) written" in result.stdout and "1 not imported (not readable as MDX)" in result.stdout
        assert not (docs / "01-module-1" / "01-broken.md").exists()


def test_a_lesson_glob_that_matches_nothing_is_an_error(tmp_path):
    result = import_mdx(CORPUS, new_project(tmp_path), "--lessons", "03-module-3/*")
    assert result.returncode == 2
    assert "matches --lessons '03-module-3/*'" in result.stderr


def test_the_preview_shows_raw_mdx_as_source_in_a_marked_box(imported, tmp_path):
    docs, _ = imported
    result = sphinx_build("html", docs, tmp_path / "html", "-c", str(REPO))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / "01-module-1" / "02-debezium-architecture.html").read_text(encoding="utf-8")
    # Each box's text: its label and the block's source, as a reader sees them.
    boxes = [html.unescape(re.sub(r"<[^>]+>", "", box)) for box in re.findall(r'<div class="raw-mdx docutils container">(.*?)</pre>', page, re.DOTALL)]
    assert len(boxes) == 5
    assert all(box.strip().startswith("MDX для сайта (предпросмотр его не показывает):") for box in boxes)
    assert any("<ArchitectureDiagram" in box for box in boxes)


def test_the_comparison_sees_a_component_that_lost_its_import():
    original = LESSON + "import Badge from './Badge.tsx';\n\nТекст <Badge text=\"новое\" />.\n"
    written = LESSON + "Текст <Badge text=\"новое\" />.\n"
    differences = render_differences([{"name": "x", "original": original, "written": written}], BASE)["x"]
    assert differences and "Expected component `Badge` to be defined" in differences[0]


RAW_USES_CALLOUT = """import Callout from '../../../components/Callout.tsx';

1. шаг
2. <Callout type="note">внутри пункта</Callout>

<Callout type="tip">
Обычная заметка.
</Callout>

<!-- TODO: заметка автору -->
"""


def test_a_component_raw_mdx_uses_keeps_its_import_and_html_comments_become_mdx_comments(tmp_path):
    content = site_with_one_lesson(tmp_path, "01-raw", "Сырой MDX", RAW_USES_CALLOUT)
    docs = new_project(tmp_path)
    result = import_mdx(content, docs)
    assert result.returncode == 0, result.stdout + result.stderr
    report = report_of(result.stdout, "01-module-1/01-raw")
    assert "round trip: identical" in report
    assert "line 18: an HTML comment <!-- … --> is not MDX: read as the MDX comment {/* … */}" in report
    myst = (docs / "01-module-1" / "01-raw.md").read_text(encoding="utf-8")
    # The list holds a Callout, so every Callout stays MDX, and so does its import.
    assert "```{raw} mdx\nimport Callout from '../../../components/Callout.tsx';\n```" in myst
    assert "```{raw} mdx\n<Callout type=\"tip\">" in myst
    assert "{/* TODO: заметка автору */}" in myst
    out = tmp_path / "mdx"
    assert sphinx_build("mdx", docs, out, "-c", str(REPO)).returncode == 0
    compile_mdx(sorted(out.rglob("*.mdx")), check=True)
