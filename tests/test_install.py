"""The builder as an installed package: ``pip install -e .`` (and a plain
``pip install``) into a clean venv, then ``sphinx-build -b mdx`` on a
project that does not list the extension, as the README's "The builder in
another Sphinx project" shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from course_builds import ROOT
from mdx_helpers import GOLDEN, mdx_files


# What the test root's conf.py uses beyond the package's own dependencies
# (MyST's linkify extension).
ROOT_NEEDS = ("linkify-it-py",)


def install_into_new_venv(venv, *requirement: str):
    """A clean venv with ``requirement`` (and what the test root needs)
    installed; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The same versions as the project's venv (constraints.txt), from pip's cache.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *requirement, *ROOT_NEEDS, "-c", str(ROOT / "constraints.txt")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return python


def project_without_the_extension_listed(rootdir, project):
    shutil.copytree(rootdir / "test-constructs", project)
    conf = project / "conf.py"
    listed = conf.read_text(encoding="utf-8")
    conf.write_text(listed.replace(', "sphinx_astro_mdx"]', "]"), encoding="utf-8")
    assert "sphinx_astro_mdx" not in re.search(r"^extensions = .*$", conf.read_text(encoding="utf-8"), re.M).group(0)
    return project


def build_mdx(venv, project, out, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "sphinx-build"), "-b", "mdx", "-W", *extra, str(project), str(out)], capture_output=True, text=True, timeout=600)


def test_pip_install_e_then_b_mdx_needs_no_extension_listed(rootdir, tmp_path):
    venv = tmp_path / "venv"
    python = install_into_new_venv(venv, "-e", str(ROOT))
    project = project_without_the_extension_listed(rootdir, tmp_path / "project")

    build = build_mdx(venv, project, tmp_path / "out")
    assert build.returncode == 0, build.stdout + build.stderr
    # The same pages as the builder tests' golden files: the mdx_* settings
    # of this conf.py (mdx_diagrams = "component") were applied too.
    assert mdx_files(tmp_path / "out") == mdx_files(GOLDEN / "constructs")
    assert str(ROOT / "tools" / "sphinx_astro_mdx") in subprocess.run(
        [str(python), "-c", "import sphinx_astro_mdx; print(sphinx_astro_mdx.__file__)"], capture_output=True, text=True, check=True
    ).stdout


def test_a_plain_install_finds_the_node_packages_it_is_told_of(rootdir, tmp_path):
    # The package's files alone, so that building the wheel leaves nothing in the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "tools", source / "tools", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", source)
    venv = tmp_path / "venv"
    python = install_into_new_venv(venv, str(source))
    installed = subprocess.run(
        [str(python), "-c", "import sphinx_astro_mdx; print(sphinx_astro_mdx.__file__)"], capture_output=True, text=True, check=True
    ).stdout
    assert installed.startswith(str(venv)), installed
    project = project_without_the_extension_listed(rootdir, tmp_path / "project")

    # Neither the installed builder nor the project has a node_modules above it.
    lost = build_mdx(venv, project, tmp_path / "lost")
    assert lost.returncode != 0
    assert "no node_modules is above the builder" in lost.stderr and "set mdx_node_modules" in lost.stderr, lost.stderr

    # A node_modules of its own (links to the checkout's packages), so the
    # copy of the scripts lands here and not in the checkout; beside the
    # venv, not above it, where Node would find it from the package itself.
    modules = tmp_path / "elsewhere" / "node_modules"
    modules.mkdir(parents=True)
    for package in (ROOT / "node_modules").iterdir():
        if package.name != ".cache":
            (modules / package.name).symlink_to(package)
    build = build_mdx(venv, project, tmp_path / "out", "-D", f"mdx_node_modules={modules}")
    assert build.returncode == 0, build.stdout + build.stderr
    assert mdx_files(tmp_path / "out") == mdx_files(GOLDEN / "constructs")
    # The scripts ran from a copy where Node finds the packages.
    copied = modules / ".cache" / "sphinx-astro-mdx" / "mdx_writer.mjs"
    assert copied.read_bytes() == (ROOT / "tools" / "sphinx_astro_mdx" / "mdx_writer.mjs").read_bytes()

    wrong = build_mdx(venv, project, tmp_path / "wrong", "-D", f"mdx_node_modules={tmp_path / 'nowhere'}")
    assert wrong.returncode != 0
    assert f"mdx_node_modules = '{tmp_path / 'nowhere'}': {tmp_path / 'nowhere'} is not a directory" in wrong.stderr, wrong.stderr


def test_without_node_the_builder_tests_skip_saying_why_and_make_test_forbids_it(tmp_path):
    # A PATH with Python but no Node: the machine of a contributor who has
    # not installed Node yet.
    bare = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_slugs.py"]
    skipped = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=bare, timeout=300)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "needs Node 20+ and the project's node_modules (`make node`): node is not on PATH" in skipped.stdout
    assert re.search(r"\b\d+ skipped\b", skipped.stdout) and "passed" not in skipped.stdout

    required = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**bare, "REQUIRE_NODE": "1"}, timeout=300)
    assert required.returncode != 0
    assert "REQUIRE_NODE=1 forbids skipping them: node is not on PATH" in required.stderr
