"""The builder as an installed package: ``pip install -e .`` into a clean
venv, then ``sphinx-build -b mdx`` on a project that does not list the
extension, as the README's "The builder in another Sphinx project" shows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from course_builds import ROOT
from mdx_helpers import GOLDEN, mdx_files


def test_pip_install_e_then_b_mdx_needs_no_extension_listed(rootdir, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The same versions as the project's venv (constraints.txt), from pip's cache.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-e", str(ROOT), "-c", str(ROOT / "constraints.txt")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    project = tmp_path / "project"
    shutil.copytree(rootdir / "test-constructs", project)
    conf = project / "conf.py"
    listed = conf.read_text(encoding="utf-8")
    conf.write_text(listed.replace(', "sphinx_astro_mdx"]', "]"), encoding="utf-8")
    assert "sphinx_astro_mdx" not in re.search(r"^extensions = .*$", conf.read_text(encoding="utf-8"), re.M).group(0)

    build = subprocess.run(
        [str(venv / "bin" / "sphinx-build"), "-b", "mdx", "-W", str(project), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    # The same pages as the builder tests' golden files: the mdx_* settings
    # of this conf.py (mdx_diagrams = "component") were applied too.
    assert mdx_files(tmp_path / "out") == mdx_files(GOLDEN / "constructs")
    assert str(ROOT / "tools" / "sphinx_astro_mdx") in subprocess.run(
        [str(python), "-c", "import sphinx_astro_mdx; print(sphinx_astro_mdx.__file__)"], capture_output=True, text=True, check=True
    ).stdout
