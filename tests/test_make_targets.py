"""Every `make` command the README shows is a target that works.

Each target the README names is either run for real by a test (listed in
RUN_BY with the file that runs it, which must contain that `make` call) or,
for targets that rewrite committed files or serve until stopped, checked in
a dry run (`make -n`) whose commands must be runnable as printed; their
recipe's own command runs for real elsewhere (DRY_ONLY says where).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from course_builds import ROOT

README = ROOT / "README.md"
# target -> the file that runs `make <target>` for real, and how it calls it
RUN_BY = {
    "mdx": ("tests/test_publish.py", '["make", "--no-print-directory", "mdx",'),
    "html": ("tests/conftest.py", 'make_course("html",'),
    "doctest": ("tests/course_builds.py", '["make", "--no-print-directory", "doctest",'),
    "test": (".ci/run", "\nmake test "),
    "bench": ("tests/test_bench.py", '["make", "--no-print-directory", "bench",'),
    "bench-live": ("tests/test_bench.py", '["make", "--no-print-directory", "bench-live",'),
    "gettext": ("tests/test_make_targets.py", 'make("gettext",'),
    "intl-check": ("tests/test_make_targets.py", 'make("intl-check")'),
    "clean": ("tests/test_make_targets.py", 'make("clean",'),
    "coverage": ("tests/test_make_targets.py", 'make("coverage")'),
    "import-mdx": ("tests/test_import_mdx.py", '["make", "--no-print-directory", "import-mdx",'),
}
# target -> why only a dry run, and where its recipe's command runs for real
DRY_ONLY = {
    "lesson-figures": "rewrites the committed lesson images; its doctest command is `make doctest`'s",
    "intl-update": "rewrites the committed catalogs; tests/test_translations.py checks them",
    "cdc-fixtures": "rewrites the committed events; tests/test_cdc_fixtures.py reruns the capture (CDC_CAPTURE_E2E=1)",
    "livehtml": "serves until stopped; tests/test_browser.py runs sphinx-autobuild as the recipe does",
    "livemdx": "watches until stopped; tests/test_live.py runs sphinx_astro_mdx.live as the recipe does",
    "test-fast": "its tests are a part of `make test`",
}


def readme_targets() -> list[str]:
    return sorted(set(re.findall(r"\bmake ([a-z][a-z-]*)", README.read_text(encoding="utf-8"))))


def make(*arguments: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_every_readme_target_is_run_or_dry_run_by_a_test():
    targets = readme_targets()
    assert {"mdx", "test", "doctest", "html"} <= set(targets)
    assert sorted(set(RUN_BY) | set(DRY_ONLY)) == targets
    for target, (runner, call) in RUN_BY.items():
        assert call in (ROOT / runner).read_text(encoding="utf-8"), (target, runner, call)


@pytest.mark.parametrize("target", sorted(DRY_ONLY))
def test_dry_run_commands_are_runnable_as_printed(target, tmp_path):
    result = make("-n", target, f"BUILDDIR={tmp_path}")
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if line.strip()]
    assert commands, result.stdout
    for command in commands:
        words = shlex.split(command)
        # A command run through the broker wrapper is a program, not a
        # variable assignment (the fault `make doctest` once had).
        if "exec" in words and "--" in words:
            after = words[words.index("--") + 1]
            assert "=" not in after or after == "env", command
        # The program exists, after any leading VAR=value assignments.
        program = next(word for word in words if "=" not in word)
        assert shutil.which(program) or Path(ROOT, program).exists(), command


def test_make_coverage_lists_the_course_lessons():
    result = make("coverage")
    assert result.returncode == 0, result.stderr
    assert "05-module-5/01-advanced-python-consumer" in result.stdout
    assert re.search(r"^total +\d+ +\d+ +\(\d+ % executed\)$", result.stdout, re.MULTILINE), result.stdout


def test_make_gettext_writes_catalog_templates(tmp_path):
    result = make("gettext", f"BUILDDIR={tmp_path}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "gettext" / "05-module-5" / "01-advanced-python-consumer.pot").is_file()


def test_make_intl_check_passes_on_the_committed_catalogs():
    result = make("intl-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "catalogs complete for: en" in result.stdout


def test_make_clean_removes_the_build_directory_and_only_it(tmp_path):
    build = tmp_path / "build"
    (build / "html").mkdir(parents=True)
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = make("clean", f"BUILDDIR={build}")
    assert result.returncode == 0, result.stderr
    assert not build.exists() and (tmp_path / "keep.txt").is_file()
