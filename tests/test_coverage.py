"""Doctest coverage per lesson (debezium_course.coverage), run as the Makefile
runs it: on small MyST projects with known counts, and on the course itself.
Sphinx only reads the sources, so neither Kafka nor Node is needed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from course_builds import DOCS, ROOT

CONF = """\
extensions = ["myst_parser", "sphinx.ext.doctest"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
"""

INDEX = """\
# Course

```{toctree}
:glob:

*
```
"""

# Executed: 2 testcode + 1 doctest; shown: the bash fence and the bare one.
MIXED = """\
# Mixed

```{testsetup}
hidden = 1
```

```{testcode}
print(hidden)
```

```{testoutput}
1
```

```{testcode}
x = 2
```

```{doctest}
>>> 1 + 1
2
```

```bash
make doctest
```

```
plain text
```
"""

# Shown: three fences; the diagram is not code.
PLAIN = """\
# Plain

```bash
ls
```

```python
print("never run")
```

:::{code-block} sql
SELECT 1;
:::

```mermaid
graph LR
  a --> b
```
"""

ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)$")


def write_project(root: Path, lessons: dict[str, str], conf: str = CONF) -> Path:
    (root / "conf.py").write_text(conf, encoding="utf-8")
    (root / "index.md").write_text(INDEX, encoding="utf-8")
    for name, text in lessons.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def coverage(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "debezium_course.coverage", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def parse(stdout: str) -> tuple[dict[str, tuple[int, int]], str]:
    """The table's lesson rows, and its total line with whitespace collapsed."""
    lines = stdout.strip().splitlines()
    assert lines[0].split() == ["lesson", "executed", "shown", "only"], stdout
    assert lines[-1].startswith("total"), stdout
    rows = {}
    for line in lines[1:-1]:
        match = ROW.match(line)
        assert match, line
        rows[match[1]] = (int(match[2]), int(match[3]))
    return rows, " ".join(lines[-1].split())


def test_counts_per_lesson_and_total(tmp_path):
    project = write_project(tmp_path, {"01-mixed": MIXED, "02-plain": PLAIN})
    result = coverage("-c", project, project)
    assert result.returncode == 0, result.stderr
    rows, total = parse(result.stdout)
    # The index has no code block, so it is not listed.
    assert rows == {"01-mixed": (3, 2), "02-plain": (0, 3)}
    assert total == "total 3 5 (37 % executed)"


def test_numbers_end_under_their_headings(tmp_path):
    project = write_project(tmp_path, {"01-mixed": MIXED, "a-much-longer-lesson-name": PLAIN})
    header, *lines = coverage("-c", project, project).stdout.splitlines()
    ends = [header.index("executed") + len("executed"), len(header)]
    for line in lines:
        assert all(line[end - 1].isdigit() and line[end:end + 1] in ("", " ") for end in ends), line


@pytest.mark.parametrize(("setting", "executed", "shown"), [("'default'", 1, 0), ("''", 0, 1)])
def test_doctest_paragraphs_follow_doctest_test_doctest_blocks(tmp_path, setting, executed, shown):
    lesson = "# Paragraph\n\n```{eval-rst}\n>>> 1 + 1\n2\n```\n"
    conf = f"{CONF}doctest_test_doctest_blocks = {setting}\n"
    project = write_project(tmp_path, {"01-paragraph": lesson}, conf=conf)
    result = coverage("-c", project, project)
    assert result.returncode == 0, result.stderr
    assert parse(result.stdout)[0] == {"01-paragraph": (executed, shown)}


def test_fail_under(tmp_path):
    project = write_project(tmp_path, {"01-mixed": MIXED, "02-plain": PLAIN})
    below = coverage("-c", project, "--fail-under", "80", project)
    assert below.returncode == 1
    assert below.stderr.strip().splitlines()[-1] == "doctest coverage 37.5 % is below --fail-under 80 %"
    assert parse(below.stdout)[1] == "total 3 5 (37 % executed)"
    assert coverage("-c", project, "--fail-under", "37.5", project).returncode == 0


def test_unreadable_sources_are_not_a_coverage_failure(tmp_path):
    result = coverage(tmp_path / "missing")
    assert result.returncode == 2
    assert "missing" in result.stderr and "Traceback" not in result.stderr


def test_every_lesson_of_the_course_with_code_runs_some(course_lessons):
    # As `make coverage` runs it: from the repository root, relative paths.
    result = coverage("-c", ".", DOCS.relative_to(ROOT), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    rows, total = parse(result.stdout)
    assert rows, result.stdout
    assert set(rows) <= set(course_lessons), result.stdout
    assert all(executed > 0 for executed, _ in rows.values()), result.stdout
    assert re.fullmatch(r"total \d+ \d+ \(\d+ % executed\)", total), total
