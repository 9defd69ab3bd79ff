"""Smoke test of the benchmark's synthetic course (tools/debezium_course/bench): a handful of
lessons build with the mdx builder without a warning, every construct the
generator writes reaches the MDX, the MDX compiles, and the phase marks the
benchmark reads are recorded in order, with the time spent in write_doc;
with its diagrams drawn as SVG, every lesson gets its figure and the phases
count the charts drawn; and the benchmark's diagram section runs on tiny
courses and prints its table.  The benchmark itself is not a test:
``.venv/bin/python -m debezium_course.bench``.  Nothing here checks a time."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from debezium_course.bench.course import IMAGE, PHASES_ENV, generate
from debezium_course.bench.measure import MARKS
from course_builds import ROOT, sphinx_build
from debezium_course.node_tools import compile_mdx

LESSONS = 5
PER_MODULE = 2  # three modules, so links cross modules as in the real benchmark


def _constructs(lesson, neighbour, number: int) -> dict[str, str]:
    """What each construct of lesson ``number`` looks like in its MDX (regexes)."""
    site = re.escape(f"/debezium-course/course/{neighbour.docname}/")
    return {
        "typed front matter": rf'\norder: {lesson.number}\ndifficulty: "\w+"\nestimatedTime: \d+\ntopics: \[.*\]\nprerequisites: \["',
        "page title left to the front matter": r"\A---\n(?:(?!\n# ).)*\Z",
        "section heading": r"\n## Основные понятия\n",
        "subsection heading": r"\n### Итоги урока\n",
        "ESM words at a line start": r"\n&#x69;mport x from 'y' в начале строки остаётся текстом\.\n&#x65;xport const lag = 1",
        "braces and angle brackets in prose": r"\\\{любое\} \\<поле>",
        "bullet list with a nested ordered list": r"\n- Ключ сообщения — первичный ключ строки:\n  1\. для таблицы",
        "ordered list": r"\n1\. Запустите стенд курса\.\n2\. Проверьте",
        "definition list": r"\n- \*\*Смещение\*\*\n\n  Номер записи",
        "block quote": r"\n> Данные не теряются",
        "code block": r"\n```python\ndef route\(event: dict\) -> str:",
        "testcode": r"\n```python\nevents = \[",
        "testoutput": r"\n```text\n2\n```\n",
        "doctest block": r"\n```python\n>>> sorted\(",
        "Mermaid diagram": r"\nimport \{ Mermaid \} from '[./]+/components/Mermaid\.tsx';.*\n<Mermaid chart=\{`flowchart LR\\n",
        # Callouts without a title of their own get their kind's title in the lesson's language.
        "note": r'\n<Callout type="note" title="Примечание">\n  ' + f"Урок {number} можно",
        "warning": r'\n<Callout type="warning" title="Предупреждение">\n  Внутри docker-сети',
        "tip": r'\n<Callout type="tip" title="Совет">\n  Ставьте',
        "seealso": r'\n<Callout type="note" title="См\. также">\n  Документация Debezium о \\\{snapshot\.mode\}',
        "titled admonition": r'\n<Callout type="note" title="Итог раздела &#x22;' + str(number) + r'&#x22; и \{скобки\}">',
        "table": r"\n\| Операция \| Код \| Поле \|\n\| - \| - \| - \|\n.*`a\\\|b`",
        "link to another lesson": rf"\]\({site}\)",
        "link to a heading of another lesson": rf"\[итоги урока\]\({site}#итоги-урока\).*\[Итоги урока\]\({site}#итоги-урока\)",
        "links to headings of this lesson": r"\]\(#код-и-проверки\).*\]\(#таблица-операций\)",
        "external link": r"\[сайте Debezium\]\(https://debezium\.io/documentation/\)",
        "image": rf"\n!\[Схема \\<потока> {number}\]\(\.\./images/pixel\.png\)\n",
        "figure with caption": rf"\n!\[Рисунок {number}\]\(\.\./images/pixel\.png\)\n\n\*Подпись рисунка с \\{{фигурными}} скобками\.\*",
        "footnote": rf"\[\^source-{number}\].*\n\[\^source-{number}\]: Сноска урока {number}",
        "raw MDX": rf"\n\{{/\* raw MDX of lesson {number} \*/\}}\n",
    }


def test_generated_course_builds_cleanly_with_every_construct(tmp_path):
    source = tmp_path / "course"
    # The component form, as the benchmark's size section builds it; the
    # "Mermaid diagram" construct is the <Mermaid> element.
    course = generate(source, LESSONS, per_module=PER_MODULE, diagrams="component")
    assert len({lesson.module for lesson in course}) == 3

    phases = tmp_path / "phases.json"
    out = tmp_path / "mdx"
    result = sphinx_build("mdx", source, out, "-W", "--keep-going", env={PHASES_ENV: str(phases)})
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr

    missing = []
    for index, lesson in enumerate(course):
        neighbour = course[index - 1] if index else course[1]
        text = (out / f"{lesson.docname}.mdx").read_text(encoding="utf-8")
        for construct, pattern in _constructs(lesson, neighbour, index + 1).items():
            if not re.search(pattern, text, re.S):
                missing.append(f"{lesson.docname}: {construct}")
        # Hidden doctest setup never reaches the page.
        if "LESSON = " in text or "скрытая проверка" in text:
            missing.append(f"{lesson.docname}: hidden doctest code was written")
    assert missing == []
    assert (out / IMAGE).read_bytes() == (source / IMAGE).read_bytes()
    compile_mdx(sorted(out.rglob("*.mdx")), check=True)

    marks = json.loads(phases.read_text(encoding="utf-8"))
    assert [marks[mark] for mark in MARKS] == sorted(marks[mark] for mark in MARKS)
    # Time in write_doc: part of the write phase, which also resolves doctrees.
    assert 0 < marks["write_doc"] < marks["finished"] - marks["write"]


def test_with_svg_diagrams_every_lesson_gets_its_drawn_figure_and_the_phases_count_the_drawing(tmp_path):
    source = tmp_path / "course"
    course = generate(source, LESSONS, per_module=PER_MODULE, diagrams="svg")
    assert 'mdx_diagrams = "svg"' in (source / "conf.py").read_text(encoding="utf-8")

    phases = tmp_path / "phases.json"
    out = tmp_path / "mdx"
    result = sphinx_build("mdx", source, out, "-W", "--keep-going", env={PHASES_ENV: str(phases)})
    assert result.returncode == 0, result.stderr
    for lesson in course:
        text = (out / f"{lesson.docname}.mdx").read_text(encoding="utf-8")
        assert text.count('<figure class="mdx-diagram"') == 1, lesson.docname
        assert "<Mermaid" not in text, lesson.docname
    # A fresh doctree directory: an empty diagram cache, every lesson's chart
    # (each different) drawn once.
    marks = json.loads(phases.read_text(encoding="utf-8"))
    assert marks["diagrams_drawn"] == LESSONS
    assert {"diagram_start", "diagram_draw"} <= set(marks)


def test_the_diagram_section_runs_and_prints_its_rows_and_targets():
    # As the README runs it: make bench BENCH_ARGS=…
    result = subprocess.run(
        ["make", "--no-print-directory", "bench", "BENCH_ARGS=--only-diagrams --quick --diagram-lessons 2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    for course in ("course (docs/, 2 lessons)", "synthetic N=2"):
        for build in ("svg, cold", "svg, cached", "component"):
            assert re.search(rf"^{re.escape(course)} +{re.escape(build)} +\d+\.\d\d ", output, re.M), (course, build, output)
    assert "Renderer start-up apart from drawing" in output
    # Each target is reported, whichever way it goes.
    assert len(re.findall(r"^(?:PASS|FAIL)  (?:svg full build with the diagram cache|per diagram)", output, re.M)) == 2, output


def test_a_course_is_the_same_on_every_generation(tmp_path):
    generate(tmp_path / "a", LESSONS, per_module=PER_MODULE, diagrams="component")
    generate(tmp_path / "b", LESSONS, per_module=PER_MODULE, diagrams="component")
    files = sorted(path.relative_to(tmp_path / "a") for path in (tmp_path / "a").rglob("*") if path.is_file())
    assert len(files) == LESSONS + 3  # lessons, conf.py, index.md, the image
    assert all((tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes() for path in files)


def test_the_renderer_comparison_runs_as_the_readme_shows():
    # .venv/bin/python -m debezium_course.bench.diagram_renderers
    result = subprocess.run(
        [sys.executable, "-m", "debezium_course.bench.diagram_renderers"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    # Every course chart is measured with both renderers, and each gets its summary line.
    for line in re.findall(r"^(05-module-5/\S+\.md:\d+)", output, re.M):
        assert re.search(rf"^{re.escape(line)} +beautiful-mermaid +\S", output, re.M), line
    assert len(re.findall(r"^05-module-5/\S+\.md:\d+ ", output, re.M)) >= 3
    assert re.search(r"^beautiful-mermaid: faithful on \d+/\d+ charts", output, re.M)
    assert re.search(r"^mermaid\+Chromium: faithful on \d+/\d+ charts", output, re.M)


def test_make_bench_live_prints_its_figures():
    # As the README runs it, on a tiny synthetic course: the figures are printed, not judged.
    result = subprocess.run(
        ["make", "--no-print-directory", "bench-live", "BENCH_ARGS=--quick --lessons 4"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^save → MDX written, the course \(2 lessons\): median \d+\.\d{3} s over 3 saves \(", result.stdout, re.M), result.stdout
    assert re.search(r"^save → MDX written, 4-lesson course: median \d+\.\d{3} s over 3 saves", result.stdout, re.M), result.stdout
