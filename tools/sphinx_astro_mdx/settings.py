"""The ``mdx_*`` settings of ``conf.py``: defaults, checks, derived values."""

from __future__ import annotations

import dataclasses
import re
import weakref
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Literal

from sphinx.config import Config
from sphinx.errors import ConfigError

from . import paths
from .profile import COMPONENT_ROLES, FIELD_KINDS, PROFILES, Component, Field, SiteProfile

# Mermaid configuration for diagrams drawn at build time: made for the
# course's dark pages (transparent background, light text and lines, dark
# boxes with a visible border), in the page's own sans-serif font.
DEFAULT_DIAGRAM_THEME = {
    "theme": "base",
    "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "themeVariables": {
        "darkMode": True,
        "background": "transparent",
        "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        "fontSize": "15px",
        "primaryColor": "#1e293b",
        "primaryTextColor": "#e2e8f0",
        "primaryBorderColor": "#64748b",
        "secondaryColor": "#273449",
        "tertiaryColor": "#111827",
        "lineColor": "#94a3b8",
        "textColor": "#e2e8f0",
        "mainBkg": "#1e293b",
        "nodeBorder": "#64748b",
        "clusterBkg": "#111827",
        "clusterBorder": "#475569",
        "edgeLabelBackground": "#0f172a",
        "actorBkg": "#1e293b",
        "actorBorder": "#64748b",
        "actorTextColor": "#e2e8f0",
        "actorLineColor": "#64748b",
        "signalColor": "#cbd5e1",
        "signalTextColor": "#e2e8f0",
        "labelBoxBkgColor": "#1e293b",
        "labelBoxBorderColor": "#64748b",
        "labelTextColor": "#e2e8f0",
        "loopTextColor": "#e2e8f0",
        "noteBkgColor": "#3b3420",
        "noteBorderColor": "#a08a4a",
        "noteTextColor": "#f1e7c6",
        "activationBkgColor": "#334155",
        "activationBorderColor": "#94a3b8",
        "sequenceNumberColor": "#0f172a",
    },
}

DEFAULT_LANGUAGE_ALIASES = {
    # Sphinx's names for languages that the site's highlighter knows otherwise
    "pycon": "python",
    "python3": "python",
    "ipython3": "python",
    "none": "text",
}

ADMONITION_STYLES = ("auto", "callout", "blockquote")
DIAGRAM_FORMS = ("svg", "component")


@dataclass(frozen=True)
class Setting:
    """One ``mdx_*`` setting of ``conf.py``: the one place it is declared.

    It drives ``add_config_value`` (default, rebuild, types), the checks
    every setting gets (its type, one of ``choices``), the field of
    ``MdxSettings`` it fills (the name without ``mdx_``), and the README's
    settings table (``markdown_table``; a test compares the two).
    """

    name: str
    default: object
    types: tuple[type, ...]
    description: str
    choices: tuple[Any, ...] = ()
    # How the README shows a default too long for the table.
    shown_default: str | None = None
    rebuild: Literal["", "env", "html"] = "env"
    # A setting that adjusts the site profile's field of this name (None:
    # the profile's own value stands).
    adjusts_profile: str | None = None

    @property
    def field(self) -> str:
        return self.name.removeprefix("mdx_")

    def check(self, value: object) -> None:
        if value is None and self.adjusts_profile:
            return
        if not isinstance(value, self.types):
            wanted = " or ".join(kind.__name__ for kind in self.types)
            raise ConfigError(f"{self.name} must be a {wanted}, not {type(value).__name__} ({value!r})")
        if self.choices and value not in self.choices:
            raise ConfigError(f"{self.name} must be one of {self.choices}, not {value!r}")


SETTINGS = (
    Setting(
        "mdx_site",
        "astro-course",
        (str, SiteProfile),
        "the site written for: `astro-course` (the course's Astro site), `starlight` (an Astro Starlight site) "
        "or a `SiteProfile` of its own (see `tools/sphinx_astro_mdx/profile.py`)",
    ),
    Setting("mdx_site_base", None, (str,), "base of site URLs", shown_default="the profile's (`/debezium-course`)", adjusts_profile="base"),
    Setting(
        "mdx_content_root", None, (str,), "where the MDX lives in the site", shown_default="the profile's (`src/content/course`)", adjusts_profile="content_root"
    ),
    Setting(
        "mdx_components_dir",
        None,
        (str,),
        "where the components live in the site; imports are relative paths between the two",
        shown_default="the profile's (`src/components`)",
        adjusts_profile="components_dir",
    ),
    Setting(
        "mdx_components",
        None,
        (dict,),
        "by role (`callout`, `mermaid`): `name`, `file` (or a package `module`), `export`, and optionally `props` and `directive`; "
        "a role given here replaces the profile's (without `props`, a Callout's `title` prop is looked up in its file)",
        shown_default="the profile's: Mermaid (named export), Callout (default export)",
        adjusts_profile="components",
    ),
    Setting(
        "mdx_admonition_style",
        "auto",
        (str,),
        "`auto`: `<Callout>` when the site has it, else blockquotes with a bold title; `callout` (an error if the site lacks it) or `blockquote`",
        choices=ADMONITION_STYLES,
    ),
    Setting(
        "mdx_diagrams",
        "svg",
        (str,),
        "`svg`: Mermaid charts drawn at build time; `component`: the site's Mermaid component (an error if the site lacks it)",
        choices=DIAGRAM_FORMS,
    ),
    Setting(
        "mdx_diagram_theme",
        DEFAULT_DIAGRAM_THEME,
        (dict,),
        "Mermaid configuration (`theme`, `themeVariables`, `fontFamily`) for drawn diagrams",
        shown_default="dark, `DEFAULT_DIAGRAM_THEME` in `tools/sphinx_astro_mdx/settings.py`",
    ),
    Setting(
        "mdx_admonition_map",
        None,
        (dict,),
        "admonition kind → callout type (one of the profile's, for the course `note`, `tip`, `warning`, `danger`); entries here are added to the profile's",
        shown_default="the profile's",
        adjusts_profile="admonition_map",
    ),
    Setting("mdx_external_lessons", [], (list, tuple), "prerequisites that exist only on the site, like `module-1/05-python-consumer`"),
    Setting(
        "mdx_node_modules",
        "",
        (str,),
        "the `node_modules` (relative to `conf.py`) the builder's Node scripts take their packages from; "
        "needed only when the builder is installed outside the project (not editable)",
        shown_default="the first `node_modules` above the builder, else above `conf.py`",
    ),
    Setting("mdx_output_language", "text", (str,), "code-fence language of doctest output"),
    Setting(
        "mdx_language_aliases",
        DEFAULT_LANGUAGE_ALIASES,
        (dict,),
        "Sphinx's name of a code language → the one the site's highlighter knows; entries here are added to the defaults",
        shown_default="`pycon`, `python3`, `ipython3` → `python`; `none` → `text` (a fence without a language stays without one)",
    ),
)


SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def markdown_table() -> str:
    """The README's table of settings, from their declarations."""

    def default(setting: Setting) -> str:
        return setting.shown_default or f"`{setting.default!r}`".replace("'", "")

    rows = [f"| `{setting.name}` | {default(setting)} | {setting.description} |" for setting in SETTINGS]
    return "\n".join(["| setting | default | meaning |", "| --- | --- | --- |", *rows])


_IDENTIFIER = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class MdxSettings:
    """The settings of a build, checked: ``site`` is the profile with the
    settings that adjust it applied; every other ``Setting`` is a field
    (its name without ``mdx_``), plus what comes from Sphinx's own settings."""

    site: SiteProfile
    admonition_style: str
    diagrams: str
    diagram_theme: dict
    external_lessons: tuple[str, ...]
    node_modules: str
    output_language: str
    language_aliases: dict[str, str]
    default_language: str

    @classmethod
    def from_config(cls, config: Config) -> MdxSettings:
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.name != "mdx_site" and not setting.adjusts_profile:
                value = config[setting.name]
                setting.check(value)
                values[setting.field] = value
        site = site_of(config)
        values["external_lessons"] = tuple(values["external_lessons"])
        for page_id in values["external_lessons"]:
            if not site.pages.is_page_id(page_id):
                raise ConfigError(f"mdx_external_lessons: {page_id!r} is not a page id of the {site.name} site, like {site.pages.page_id!r}")
        values["language_aliases"] = {**DEFAULT_LANGUAGE_ALIASES, **values["language_aliases"]}
        return cls(site=site, **values, default_language=config.highlight_language or "python")

    def component(self, role: str) -> Component | None:
        return self.site.components.get(role)

    def import_lines(self, docname: str, roles_used: set[str]) -> list[str]:
        lines = []
        for role, component in self.site.components.items():
            if role not in roles_used:
                continue
            if component.module is not None:
                source = component.module
            else:
                assert component.file is not None  # a component has one or the other (_check_profile)
                source = paths.component_import_path(self.site.components_dir, self.site.content_root, docname, component.file)
            binding = f"{{ {component.name} }}" if component.export == "named" else component.name
            lines.append(f"import {binding} from '{source}';")
        return lines


# The profile of each configuration, once the settings are final (see site_of).
_SITES: weakref.WeakKeyDictionary[Config, SiteProfile] = weakref.WeakKeyDictionary()


def site_of(config: Config) -> SiteProfile:
    """The site profile ``mdx_site`` chooses, with the settings that adjust
    it applied, checked.  The preview and the translation catalogs ask for
    it for every page, so it is made once per configuration: the extension
    asks first, at the end of ``config-inited``, when conf.py's own handlers
    have set what they set."""
    site = _SITES.get(config)
    if site is None:
        site = _SITES[config] = _resolve_site(config)
    return site


def _resolve_site(config: Config) -> SiteProfile:
    chosen = config.mdx_site
    SETTINGS_BY_NAME["mdx_site"].check(chosen)
    if isinstance(chosen, str):
        if chosen not in PROFILES:
            raise ConfigError(f"mdx_site must be one of {tuple(PROFILES)} or a SiteProfile, not {chosen!r}")
        chosen = PROFILES[chosen]
    adjustments: dict[str, Any] = {}
    for setting in SETTINGS:
        value = config[setting.name]
        if setting.adjusts_profile and value is not None:
            setting.check(value)
            adjustments[setting.adjusts_profile] = value
    if "components" in adjustments:
        adjustments["components"] = {**chosen.components, **_components(adjustments["components"])}
    if "admonition_map" in adjustments:
        adjustments["admonition_map"] = {**chosen.admonition_map, **adjustments["admonition_map"]}
    site = dataclasses.replace(chosen, **adjustments)
    _check_profile(site)
    return site


def _components(configured: dict) -> dict[str, Component]:
    components = {}
    for role, spec in configured.items():
        spec = dict(spec)
        if spec.get("props") is not None:
            spec["props"] = tuple(spec["props"])
        try:
            components[role] = Component(**spec)
        except TypeError as error:
            raise ConfigError(f"mdx_components[{role!r}]: {error}") from None
    return components


def _check_profile(site: SiteProfile) -> None:
    """What a profile (the course's, or one written in conf.py) must get
    right, said before any page is read rather than as a crash on one."""
    where = f"the {site.name} site's profile"
    pages = site.pages
    groups: dict[str, int] = {}
    for name in ("pattern", "meant", "page_id_pattern"):
        try:
            compiled = re.compile(getattr(pages, name))
        except re.error as error:
            raise ConfigError(f"{where}: pages.{name} is not a regular expression: {error}") from None
        if name == "pattern":
            groups = compiled.groupindex
    reserved = {"base", "docname", "route"} & set(groups)
    if reserved:
        raise ConfigError(f"{where}: pages.pattern may not name a group {', '.join(sorted(reserved))} (a placeholder of its own)")
    placeholders = {**{group: "x" for group in groups}, "docname": "x", "route": "x/"}
    for name, template in (("url", pages.url), ("page_id", pages.page_id)):
        try:
            template.format(**placeholders, base="")
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(f"{where}: pages.{name} {template!r} uses {error}, which is neither a group of pages.pattern nor base, docname or route") from None
    _check_fields(site.front_matter, where, groups, top_level=True)
    if not site.callout_types:
        raise ConfigError(f"{where}: callout_types is empty")
    for role, component in site.components.items():
        if role not in COMPONENT_ROLES:
            raise ConfigError(f"{where}: no component role {role!r} (the roles are {', '.join(COMPONENT_ROLES)})")
        if not _IDENTIFIER.match(component.name):
            raise ConfigError(f"{where}: component {role!r}: {component.name!r} is not a JSX component name")
        if component.export not in ("named", "default"):
            raise ConfigError(f"{where}: component {role!r}: export must be 'named' or 'default'")
        if (component.file is None) == (component.module is None):
            raise ConfigError(f"{where}: component {role!r} needs either a file (in the components directory) or a package module")
        if component.module is not None and component.props is None:
            # A package's component cannot be read for its props.
            raise ConfigError(f"{where}: component {role!r} from {component.module} needs its props listed")
    for kind, callout_type in site.admonition_map.items():
        if callout_type not in site.callout_types:
            raise ConfigError(f"{where}: admonition {kind!r} maps to {callout_type!r}; the site's callout types are {site.callout_types}")


def _check_fields(fields: tuple[Field, ...], where: str, groups: Mapping[str, int], top_level: bool) -> None:
    for item in fields:
        what = f"{where}: front matter field {item.name!r}"
        if item.kind not in FIELD_KINDS:
            raise ConfigError(f"{what}: no kind {item.kind!r} (the kinds are {', '.join(FIELD_KINDS)})")
        if item.fields and item.kind != "mapping":
            raise ConfigError(f"{what}: only a mapping has fields")
        if item.choices and item.kind != "choice" or item.kind == "choice" and not item.choices:
            raise ConfigError(f"{what}: a choice, and only a choice, has choices")
        if not top_level and (item.unique_within or item.kind == "page-ids"):
            raise ConfigError(f"{what}: unique_within and page-ids are for top-level fields")
        if item.unique_within is not None:
            if item.unique_within not in groups:
                raise ConfigError(f"{what}: unique_within names {item.unique_within!r}, which is not a group of pages.pattern")
            if item.kind in ("mapping", "strings", "page-ids"):
                raise ConfigError(f"{what}: unique_within needs a single value, not a {item.kind}")
        _check_fields(item.fields, where, groups, top_level=False)
