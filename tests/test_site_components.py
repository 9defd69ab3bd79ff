"""Components checked against the site: when the output lies in an Astro
project, the builder looks for every component a lesson would import before
writing, picks the forms the site can show, and refuses, with the way out,
a component the settings ask for that the site lacks.

The sites here are component files only (no Astro build); the three
fixture variants are built by Astro in tests/test_publish.py.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from sphinx.errors import ConfigError
from sphinx.testing.util import SphinxTestApp

CALLOUTS = "05-module-5/03-callouts.mdx"
DIAGRAMS = "05-module-5/01-diagrams.mdx"

CALLOUT_WITH_TITLE = """export default function Callout({ type, title, children }) {
  return <aside className={`callout callout-${type}`}>{title}{children}</aside>;
}
"""
CALLOUT_TYPE_ONLY = """const LABELS = { note: 'Note', tip: 'Tip', warning: 'Warning', danger: 'Danger' };
export default function Callout({ type, children }) {
  return <aside className={`callout callout-${type}`}><p>{LABELS[type]}</p>{children}</aside>;
}
"""
MERMAID_NAMED = "export function Mermaid({ chart }) { return <pre>{chart}</pre>; }\n"
MERMAID_DEFAULT = "export default function Mermaid({ chart }) { return <pre>{chart}</pre>; }\n"


def make_site(root: Path, components: dict[str, str]) -> Path:
    """An Astro project as far as the builder looks: its config and components."""
    (root / "src" / "components").mkdir(parents=True)
    (root / "astro.config.mjs").write_text("export default {};\n", encoding="utf-8")
    for name, source in components.items():
        (root / "src" / "components" / name).write_text(source, encoding="utf-8")
    return root


def build_into(site: Path, rootdir: Path, tmp_path: Path, **overrides):
    """Build the diagrams root (its valid lessons) into the site's content directory."""
    source = tmp_path / "src"
    shutil.copytree(rootdir / "test-diagrams", source)
    (source / "05-module-5" / "02-broken.md").unlink()
    status, warnings = io.StringIO(), io.StringIO()
    app = SphinxTestApp("mdx", srcdir=source, builddir=site / "src" / "content", confoverrides=overrides, status=status, warning=warnings)
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir), status.getvalue(), warnings.getvalue()


def decisions(status: str) -> list[str]:
    """The build log's word on the callout form (colours stripped)."""
    return [re.sub(r"\x1b\[[0-9;]*m", "", line).split("mdx: ", 1)[1] for line in status.splitlines() if "mdx: callouts" in line]


def test_a_callout_with_a_title_prop_gets_the_title_as_a_prop(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {"Callout.tsx": CALLOUT_WITH_TITLE, "Mermaid.tsx": MERMAID_NAMED})
    out, status, warnings = build_into(site, rootdir, tmp_path)

    mdx = (out / CALLOUTS).read_text(encoding="utf-8")
    # A note without a title of its own is named in the lesson's language.
    assert '<Callout type="note" title="Примечание">' in mdx
    assert '<Callout type="note" title="Свой заголовок {x} <b>">' in mdx
    assert decisions(status) == [f"callouts as <Callout> from {site / 'src' / 'components' / 'Callout.tsx'}"]
    # Diagrams are drawn whatever the site has.
    assert "<svg" in (out / DIAGRAMS).read_text(encoding="utf-8")
    assert "[mdx" not in warnings


def test_a_callout_without_a_title_prop_gets_the_title_as_its_first_line(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {"Callout.tsx": CALLOUT_TYPE_ONLY})
    out, status, _warnings = build_into(site, rootdir, tmp_path)

    mdx = (out / CALLOUTS).read_text(encoding="utf-8")
    assert '<Callout type="note">\n  **Примечание**\n\n  Слот репликации удерживает WAL.\n</Callout>' in mdx
    assert "title=" not in mdx
    assert decisions(status) == [
        f"callouts as <Callout> from {site / 'src' / 'components' / 'Callout.tsx'}, "
        "which takes no title: the title is the box's first line, in bold"
    ]


def test_a_site_without_a_callout_gets_blockquotes(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {})
    out, status, _warnings = build_into(site, rootdir, tmp_path)

    mdx = (out / CALLOUTS).read_text(encoding="utf-8")
    assert "> **Примечание**\n>\n> Слот репликации удерживает WAL." in mdx
    assert "Callout" not in mdx.split("---", 2)[2]
    callout = site / "src" / "components" / "Callout.tsx"
    assert decisions(status) == [f"callouts as blockquotes with a bold title: the site has no Callout component ({callout} does not exist)"]


def test_an_explicit_callout_the_site_lacks_is_an_error_with_the_ways_out(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {})
    with pytest.raises(ConfigError) as raised:
        build_into(site, rootdir, tmp_path, mdx_admonition_style="callout")
    message = str(raised.value)
    assert f"mdx_admonition_style = 'callout' needs the site's Callout component, but {site / 'src' / 'components' / 'Callout.tsx'} does not exist" in message
    assert "lessons with callouts: 05-module-5/03-callouts." in message
    assert "Add the component to the site, or set mdx_admonition_style = 'auto' or 'blockquote'" in message
    assert not (site / "src" / "content" / "mdx" / CALLOUTS).exists()


@pytest.mark.parametrize(
    "components, problem",
    [
        ({}, "{components}/Mermaid.tsx does not exist"),
        ({"Mermaid.tsx": MERMAID_DEFAULT}, "{components}/Mermaid.tsx has no named export Mermaid"),
    ],
)
def test_an_explicit_mermaid_component_the_site_lacks_is_an_error(rootdir, tmp_path, components, problem):
    site = make_site(tmp_path / "site", components)
    with pytest.raises(ConfigError) as raised:
        build_into(site, rootdir, tmp_path, mdx_diagrams="component")
    message = str(raised.value)
    assert problem.format(components=site / "src" / "components") in message
    assert "lessons with diagrams: 05-module-5/01-diagrams." in message
    assert "Add the component to the site, or set mdx_diagrams = 'svg' to draw the diagrams at build time" in message


def test_the_mermaid_component_when_the_site_has_it(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {"Mermaid.tsx": MERMAID_NAMED})
    out, _status, _warnings = build_into(site, rootdir, tmp_path, mdx_diagrams="component")
    assert "<Mermaid chart={`" in (out / DIAGRAMS).read_text(encoding="utf-8")


def test_props_in_the_settings_win_over_the_site_file(rootdir, tmp_path):
    # The component's source names `title` (in a comment), but the settings say it takes only `type`.
    site = make_site(tmp_path / "site", {"Callout.tsx": "// no title prop here\n" + CALLOUT_TYPE_ONLY})
    callout = {"name": "Callout", "file": "Callout.tsx", "export": "default", "props": ["type"]}
    out, _status, _warnings = build_into(site, rootdir, tmp_path, mdx_components={"callout": callout})
    assert "title=" not in (out / CALLOUTS).read_text(encoding="utf-8")


def test_lessons_are_rewritten_when_the_site_loses_a_component(rootdir, tmp_path):
    site = make_site(tmp_path / "site", {"Callout.tsx": CALLOUT_WITH_TITLE})
    out, _status, _warnings = build_into(site, rootdir, tmp_path)
    assert "import Callout from" in (out / CALLOUTS).read_text(encoding="utf-8")

    # The sources did not change, the site did: an incremental build
    # writes the lessons for the site as it is now.
    (site / "src" / "components" / "Callout.tsx").unlink()
    shutil.rmtree(tmp_path / "src")
    out, status, _warnings = build_into(site, rootdir, tmp_path)
    mdx = (out / CALLOUTS).read_text(encoding="utf-8")
    assert "Callout" not in mdx.split("---", 2)[2] and "> **Примечание**" in mdx


def test_component_files_the_site_may_have(rootdir, tmp_path):
    site = make_site(
        tmp_path / "site",
        {
            # An Astro component: its default export is the component itself.
            "Callout.astro": "---\nconst { type, title } = Astro.props;\n---\n<aside class={type}><p>{title}</p><slot /></aside>\n",
            # A re-export under the right name.
            "Mermaid.tsx": "export { Chart as Mermaid } from './Chart';\n",
        },
    )
    callout = {"name": "Callout", "file": "Callout.astro", "export": "default"}
    out, status, _warnings = build_into(site, rootdir, tmp_path, mdx_components={"callout": callout}, mdx_diagrams="component")
    assert '<Callout type="note" title="Примечание">' in (out / CALLOUTS).read_text(encoding="utf-8")
    assert "<Mermaid chart={`" in (out / DIAGRAMS).read_text(encoding="utf-8")


# --- settings --------------------------------------------------------------


def test_the_readme_settings_table_is_the_declaration():
    from sphinx_astro_mdx.settings import markdown_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme


def test_every_setting_fills_its_field_or_adjusts_the_profile():
    import dataclasses

    from sphinx_astro_mdx.profile import SiteProfile
    from sphinx_astro_mdx.settings import SETTINGS, MdxSettings

    fields = {field.name for field in dataclasses.fields(MdxSettings)}
    profile_fields = {field.name for field in dataclasses.fields(SiteProfile)}
    assert {setting.field for setting in SETTINGS if not setting.adjusts_profile} <= fields
    assert {setting.adjusts_profile for setting in SETTINGS if setting.adjusts_profile} <= profile_fields


@pytest.mark.parametrize(
    "override, message",
    [
        ({"mdx_diagrams": "png"}, "mdx_diagrams must be one of ('svg', 'component'), not 'png'"),
        ({"mdx_admonition_style": "box"}, "mdx_admonition_style must be one of ('auto', 'callout', 'blockquote'), not 'box'"),
        ({"mdx_site_base": 1}, "mdx_site_base must be a str, not int (1)"),
        ({"mdx_site": "hugo"}, "mdx_site must be one of ('astro-course', 'starlight') or a SiteProfile, not 'hugo'"),
        (
            {"mdx_admonition_map": {"note": "caution"}},
            "the astro-course site's profile: admonition 'note' maps to 'caution'; the site's callout types are ('note', 'tip', 'warning', 'danger')",
        ),
        (
            {"mdx_components": {"callout": {"name": "Box"}}},
            "the astro-course site's profile: component 'callout' needs either a file (in the components directory) or a package module",
        ),
        ({"mdx_components": {"chart": {"name": "Chart", "file": "Chart.tsx"}}}, "no component role 'chart' (the roles are callout, mermaid)"),
    ],
)
def test_a_wrong_setting_stops_the_build_naming_it(rootdir, tmp_path, override, message):
    site = make_site(tmp_path / "site", {})
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_into(site, rootdir, tmp_path, **override)



def _broken(**changes):
    """The course's profile with one thing wrong."""
    import dataclasses

    from sphinx_astro_mdx import ASTRO_COURSE

    pages = changes.pop("pages", {})
    return dataclasses.replace(ASTRO_COURSE, pages=dataclasses.replace(ASTRO_COURSE.pages, **pages), **changes)


def _fields(*fields):
    from sphinx_astro_mdx import ASTRO_COURSE, Field

    return (*ASTRO_COURSE.front_matter, *(Field(*field[:2], **field[2]) for field in fields))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"pages": {"pattern": "(unclosed"}}, "pages.pattern is not a regular expression"),
        ({"pages": {"url": "{base}/{lang}/{docname}/"}}, "pages.url '{base}/{lang}/{docname}/' uses 'lang', which is neither a group"),
        ({"callout_types": ()}, "callout_types is empty"),
        ({"front_matter": _fields(("level", "string", {}))}, "front matter field 'level': no kind 'string'"),
        ({"front_matter": _fields(("rank", "number", {"unique_within": "chapter"}))}, "unique_within names 'chapter', which is not a group"),
        ({"front_matter": _fields(("tags", "strings", {"choices": ("a",)}))}, "front matter field 'tags': a choice, and only a choice, has choices"),
    ],
)
def test_a_profile_with_a_mistake_stops_the_build_before_any_page_is_read(rootdir, tmp_path, changes, message):
    site = make_site(tmp_path / "site", {})
    with pytest.raises(ConfigError, match=re.escape(message)):
        build_into(site, rootdir, tmp_path, mdx_site=_broken(**changes))
