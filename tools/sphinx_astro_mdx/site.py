"""The site the lessons are published into, as far as the builder can see it.

A real course site changes by itself: a component the settings name may be
gone, or take other props.  When the output directory lies inside an Astro
project (an ``astro.config.*`` above it), the builder looks at the site's
components before writing: which exist with the export the settings give,
and which props they take.  Outside an Astro project it cannot look, and the
settings are taken as they are.

``decide`` turns the settings and the site into the forms the lessons are
written in: callouts as ``<Callout>`` or as blockquotes, a Callout title as a
prop or as a bold first line, diagrams as SVG or the site's component.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from sphinx.errors import ConfigError

from .profile import COMPONENT_ROLES, Component
from .settings import MdxSettings

ASTRO_CONFIGS = tuple(f"astro.config.{suffix}" for suffix in ("mjs", "js", "ts", "mts", "cjs", "cts"))
# Props of a Callout the builder can fill; the title goes into the box when
# the component has no prop for it.
CALLOUT_PROPS = COMPONENT_ROLES["callout"]


def astro_root(outdir: Path) -> Path | None:
    """The Astro project the output directory lies in, if any (looked for
    from the path as given and from where its symlinks lead)."""
    given = Path(os.path.abspath(outdir))
    for start in dict.fromkeys([given, given.resolve()]):
        for directory in [start, *start.parents]:
            if any((directory / name).is_file() for name in ASTRO_CONFIGS):
                return directory
    return None


# Component files whose default export is the component itself.
SINGLE_FILE_COMPONENTS = (".astro", ".vue", ".svelte")
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*|<!--.*?-->", re.S)


@dataclass(frozen=True)
class SiteComponent:
    """A component as the site has it: ``problem`` says why it cannot be used."""

    path: Path
    problem: str | None
    props: tuple[str, ...] | None


def _exports(source: str, component: Component) -> bool:
    """Whether the file (comments left out) exports the component as the
    settings say: a default export, or a named one under its name."""
    name = re.escape(component.name)
    if component.export == "default":
        return re.search(r"\bexport\s+default\s+(?!interface\b|type\b)", source) is not None or re.search(
            r"\bexport\s*\{[^}]*\bdefault\b[^}]*\}", source
        ) is not None
    declared = re.search(rf"\bexport\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+{name}\b", source)
    # `export { Mermaid }`, `export { Chart as Mermaid }`, not `export { Mermaid as Chart }`.
    listed = re.search(rf"\bexport\s*\{{[^}}]*?(?<![\w$]){name}\b(?!\s+as\b)[^}}]*\}}", source)
    return declared is not None or listed is not None


def _takes(source: str, prop: str) -> bool:
    """Whether the component's props name ``prop``: in a props type
    (``title?: string``) or in the destructured parameters (``{ type, title }``)."""
    prop = re.escape(prop)
    return re.search(rf"(?<![\w$.-]){prop}\s*\??\s*:", source) is not None or re.search(rf"[{{,]\s*{prop}\s*[,}}=]", source) is not None


def _package_dir(root: Path, module: str) -> Path | None:
    """Where Node would find the package of ``module`` from the site's root."""
    parts = module.split("/")
    package = "/".join(parts[:2] if module.startswith("@") else parts[:1])
    for directory in [root, *root.parents]:
        if (directory / "node_modules" / package / "package.json").is_file():
            return directory / "node_modules" / package
    return None


def inspect_component(root: Path, settings: MdxSettings, role: str) -> SiteComponent:
    component = settings.component(role)
    if component is None:
        return SiteComponent(root, f"the {settings.site.name} site's profile has no {role} component", None)
    if component.module is not None:
        # A package's component is taken as the profile describes it, once
        # the package is installed.
        package = _package_dir(root, component.module)
        if package is None:
            return SiteComponent(root, f"{component.module} is not installed in {root} (no node_modules has its package)", None)
        return SiteComponent(package, None, component.props)
    path = root / settings.site.components_dir / component.file
    if not path.is_file():
        return SiteComponent(path, f"{path} does not exist", None)
    source = _COMMENTS.sub(" ", path.read_text(encoding="utf-8", errors="replace"))
    single_file = path.suffix in SINGLE_FILE_COMPONENTS and component.export == "default"
    if not single_file and not _exports(source, component):
        what = "default export" if component.export == "default" else f"named export {component.name}"
        return SiteComponent(path, f"{path} has no {what}", None)
    # Which props it takes, when the settings do not say: a prop the builder
    # fills is taken if the component's source names it.
    props = component.props
    if props is None and role == "callout":
        props = tuple(prop for prop in CALLOUT_PROPS if _takes(source, prop))
    return SiteComponent(path, None, props)


@dataclass(frozen=True)
class Forms:
    """How the lessons are written for this site."""

    callouts: str  # "callout" or "blockquote"
    callout_title_prop: bool
    diagrams: str  # "svg" or "component"
    # One line for the build log: what was chosen and why.
    explanation: str


def decide(settings: MdxSettings, outdir: Path, needs: dict[str, list[str]]) -> Forms:
    """The forms to write, checked against the site.

    ``needs`` maps a component role to the lessons that would use it.  A
    component the settings ask for explicitly that the site lacks is a
    ConfigError naming the file, those lessons and the two ways out.
    """
    root = astro_root(outdir)
    callout = settings.component("callout")
    callout_name = callout.name if callout is not None else "callout"
    if settings.diagrams == "component" and needs.get("mermaid") and settings.component("mermaid") is None:
        raise ConfigError(
            f"mdx_diagrams = 'component' needs the site's Mermaid component, but the {settings.site.name} site's profile has none; "
            f"lessons with diagrams: {', '.join(needs['mermaid'])}. Set mdx_diagrams = 'svg' to draw the diagrams at build time"
        )
    callout_props = CALLOUT_PROPS if callout is None or callout.props is None else callout.props
    if root is None:
        callouts = "callout" if settings.admonition_style == "auto" else settings.admonition_style
        if callout is None:
            callouts = "blockquote"
        form = f"<{callout.name}>" if callouts == "callout" else "blockquotes with a bold title"
        return Forms(
            callouts,
            "title" in callout_props,
            settings.diagrams,
            f"callouts as {form}: {outdir} is not inside an Astro project (no astro.config.* above it), so the settings are taken as they are",
        )

    if settings.diagrams == "component" and needs.get("mermaid"):
        found = inspect_component(root, settings, "mermaid")
        if found.problem:
            raise ConfigError(
                f"mdx_diagrams = 'component' needs the site's Mermaid component, but {found.problem}; "
                f"lessons with diagrams: {', '.join(needs['mermaid'])}. "
                f"Add the component to the site, or set mdx_diagrams = 'svg' to draw the diagrams at build time"
            )

    callouts = settings.admonition_style
    title_prop = "title" in callout_props
    explanation = f"callouts as blockquotes with a bold title (mdx_admonition_style = {callouts!r})"
    if callouts != "blockquote":
        found = inspect_component(root, settings, "callout")
        if found.problem and callouts == "callout" and needs.get("callout"):
            raise ConfigError(
                f"mdx_admonition_style = 'callout' needs the site's {callout_name} component, but {found.problem}; "
                f"lessons with callouts: {', '.join(needs['callout'])}. "
                f"Add the component to the site, or set mdx_admonition_style = 'auto' or 'blockquote' to write callouts as blockquotes"
            )
        if found.problem:
            callouts = "blockquote"
            explanation = f"callouts as blockquotes with a bold title: the site has no {callout_name} component ({found.problem})"
        else:
            callouts = "callout"
            title_prop = "title" in (found.props or ())
            explanation = (
                f"callouts as <{callout.name}> from {found.path}"
                + ("" if title_prop else ", which takes no title: the title is the box's first line, in bold")
            )
    return Forms(callouts, title_prop, settings.diagrams, explanation)
