"""The builder with a second site profile: an Astro Starlight documentation site.

The test root tests/roots/test-starlight is written for ``mdx_site =
"starlight"``: Starlight's front matter (``sidebar``, ``tableOfContents``),
pages named by their path (``index`` is the front page), callouts as
Starlight's ``<Aside>``, links under the site's base, a Mermaid chart drawn
as SVG (Starlight has no Mermaid component).  Its MDX is compared with
golden files, and published into tests/starlight-site, a real Starlight
site that ``astro build`` turns into pages read back here.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from course_builds import sphinx_build
from mdx_helpers import assert_matches_golden, warnings_of
from debezium_course.node_tools import astro_site_dir, build_site, compile_mdx, copy_starlight_site

ROOT = Path(__file__).resolve().parent / "roots" / "test-starlight"
# The chart is drawn with the machine's fonts: its SVG is checked in the
# built site, not against a golden file.
WITHOUT_DIAGRAM = {"exclude_patterns": ["_build", "guides/architecture.md"]}


@pytest.mark.sphinx("mdx", testroot="starlight", confoverrides=WITHOUT_DIAGRAM)
def test_starlight_pages_match_golden_files(app):
    app.build()
    assert warnings_of(app) == []
    assert_matches_golden("starlight", app.outdir)
    assert compile_mdx(sorted(app.outdir.rglob("*.mdx")), check=True)


@pytest.mark.sphinx("mdx", testroot="starlight", srcdir="starlight-bad", confoverrides=WITHOUT_DIAGRAM)
def test_the_starlight_schema_and_page_names_are_checked(app):
    source = Path(app.srcdir)
    (source / "guides" / "Odd Name.md").write_text("---\ntitle: Odd\n---\n\n# Odd\n\nText.\n", encoding="utf-8")
    (source / "guides" / "extra.md").write_text(
        "---\ntitle: Extra\ndifficulty: beginner\nsidebar:\n  order: \"2\"\n  badge: New\n---\n\n# Extra\n\nText.\n", encoding="utf-8"
    )
    (source / "guides" / "untitled.md").write_text("---\ndescription: No title.\n---\n\nText.\n", encoding="utf-8")
    app.build()
    warnings = "\n".join(warnings_of(app))
    assert re.search(r"'guides/Odd Name' is meant as a page but its name is not one the site takes \(lower-case words joined by hyphens\)", warnings)
    assert re.search(r"extra\.md:3: WARNING: front matter field 'difficulty' is not in the site's schema \(title, description, sidebar, ", warnings)
    assert re.search(r"extra\.md:4: WARNING: front matter field 'sidebar\.order' must be a number, got '2' — the page is not written", warnings)
    assert re.search(r"untitled\.md:1: WARNING: front matter field 'title' is missing — the page is not written", warnings)
    written = sorted(path.relative_to(app.outdir).as_posix() for path in app.outdir.rglob("*.mdx"))
    assert written == ["guides/first-steps.mdx", "guides/index.mdx", "index.mdx"]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.site_build
def test_starlight_site_builds_and_shows_the_pages(tmp_path):
    with astro_site_dir("starlight") as site:
        content = copy_starlight_site(site)
        result = sphinx_build("mdx", ROOT, content, "-W", "--keep-going", "-d", str(tmp_path / "doctrees"))
        assert result.returncode == 0, result.stdout + result.stderr
        dist = build_site(site)
        pages = {path.relative_to(dist).as_posix(): path.read_text(encoding="utf-8") for path in dist.rglob("index.html")}
        shutil.rmtree(site, ignore_errors=True)

    assert sorted(pages) == ["guides/architecture/index.html", "guides/first-steps/index.html", "guides/index.html", "index.html"]
    steps = pages["guides/first-steps/index.html"]
    assert "<title>First steps | Handbook fixture</title>" in steps
    assert '<meta name="description" content="Installing the tools and checking them."/>' in steps
    asides = re.findall(r'<aside aria-label="([^"]*)" class="starlight-aside starlight-aside--(\w+)"', steps)
    assert asides == [("Warning", "caution"), ("Mind the version", "note"), ("Tip", "tip"), ("Important", "caution"), ("Danger", "danger")]
    assert "(a version <4 lacks KRaft-only mode)" in _text(steps)
    assert '<h2 id="install-the-tools">Install the tools</h2>' in steps
    # The sidebar takes its label and order from the front matter.
    sidebar = _text(re.search(r'<ul class="top-level[^"]*">.*?</details>', pages["index.html"], re.S).group(0))
    assert sidebar == "guides Guides Getting started How the parts fit"
    # The front page has no table of contents (tableOfContents: false).
    assert "starlight-toc" not in pages["index.html"]
    assert "starlight-toc" in steps
    # The diagram is in the page as SVG, readable as text.
    assert re.search(r'<figure class="mdx-diagram"[^>]*data-diagram-text="Client Broker"[^>]*>\s*<svg', pages["guides/architecture/index.html"])

    # Every link the builder wrote into a page leads to a page of the site
    # and, with an anchor, to a heading there.
    links = {(name, href) for name, page in pages.items() for href in re.findall(r'<a href="(/handbook/[^"]*)"', page)}
    written = {href for _name, href in links if "/_astro/" not in href}
    assert {"/handbook/guides/first-steps/#install-the-tools", "/handbook/guides/first-steps/", "/handbook/#welcome-aboard", "/handbook/guides/"} <= written
    for href in written:
        path, _, anchor = href.removeprefix("/handbook/").partition("#")
        target = pages.get(path + "index.html")
        assert target is not None, f"{href} leads to no page"
        if anchor:
            assert f'id="{anchor}"' in target, f"{href}: no heading with that id"


PROFILE_CONF = """
import dataclasses
from sphinx_astro_mdx import STARLIGHT

mdx_site = dataclasses.replace(STARLIGHT, name="handbook", admonition_map={**STARLIGHT.admonition_map, "warning": "CAUTION"})
"""


def test_a_profile_written_in_conf_py_is_kept_and_a_change_to_it_rebuilds(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source)
    # Without the diagram page: no Chromium needed.
    (source / "guides" / "architecture.md").unlink()
    conf = source / "conf.py"
    base_conf = conf.read_text(encoding="utf-8").replace('mdx_site = "starlight"\n', "")
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"

    def build(danger_type: str) -> str:
        conf.write_text(base_conf + PROFILE_CONF.replace("CAUTION", danger_type), encoding="utf-8")
        result = sphinx_build("mdx", source, out, "-W", "-d", str(doctrees))
        assert result.returncode == 0, result.stdout + result.stderr
        return (out / "guides" / "first-steps.mdx").read_text(encoding="utf-8")

    assert '<Aside type="caution" title="Warning">' in build("caution")
    mtimes = {path: path.stat().st_mtime_ns for path in out.rglob("*.mdx")}
    # The same profile again: the environment kept it, nothing is rewritten.
    build("caution")
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*.mdx")} == mtimes
    assert '<Aside type="danger" title="Warning">' in build("danger")
