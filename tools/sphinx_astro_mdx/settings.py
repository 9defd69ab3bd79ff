"""The ``mdx_*`` settings of ``conf.py``: defaults, checks, derived values."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sphinx.errors import ConfigError

from . import paths

CALLOUT_TYPES = ("note", "tip", "warning", "danger")

DEFAULT_COMPONENTS = {
    # role -> how the site's component is named, where it lives, how it is exported
    "mermaid": {"name": "Mermaid", "file": "Mermaid.tsx", "export": "named"},
    "callout": {"name": "Callout", "file": "Callout.tsx", "export": "default"},
}

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

DEFAULT_ADMONITION_MAP = {
    "note": "note",
    "seealso": "note",
    "admonition": "note",
    "tip": "tip",
    "hint": "tip",
    "important": "warning",
    "attention": "warning",
    "caution": "warning",
    "warning": "warning",
    "error": "danger",
    "danger": "danger",
}

DEFAULT_LANGUAGE_ALIASES = {
    # Sphinx's names for languages that the site's highlighter knows otherwise
    "pycon": "python",
    "python3": "python",
    "ipython3": "python",
    "none": "text",
    "default": "python",
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
    types: tuple
    description: str
    choices: tuple = ()
    # How the README shows a default too long for the table.
    shown_default: str | None = None
    rebuild: str = "env"

    @property
    def field(self) -> str:
        return self.name.removeprefix("mdx_")

    def check(self, value: object) -> None:
        if not isinstance(value, self.types):
            wanted = " or ".join(kind.__name__ for kind in self.types)
            raise ConfigError(f"{self.name} must be a {wanted}, not {type(value).__name__} ({value!r})")
        if self.choices and value not in self.choices:
            raise ConfigError(f"{self.name} must be one of {self.choices}, not {value!r}")


SETTINGS = (
    Setting("mdx_site_base", "/debezium-course", (str,), "base of site URLs"),
    Setting("mdx_content_root", "src/content/course", (str,), "where the MDX lives in the site"),
    Setting("mdx_components_dir", "src/components", (str,), "where the components live in the site; imports are relative paths between the two"),
    Setting(
        "mdx_components",
        DEFAULT_COMPONENTS,
        (dict,),
        "names, files, export style and, optionally, `props` of the components, by role; a role given here replaces its default "
        "(without `props`, a Callout's `title` prop is looked up in its source)",
        shown_default="Mermaid (named export), Callout (default export)",
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
        DEFAULT_ADMONITION_MAP,
        (dict,),
        "admonition kind → Callout type (`note`, `tip`, `warning`, `danger`); entries here are added to the defaults",
        shown_default="`DEFAULT_ADMONITION_MAP` in `tools/sphinx_astro_mdx/settings.py`",
    ),
    Setting("mdx_external_lessons", [], (list, tuple), "prerequisites that exist only on the site, like `module-1/05-python-consumer`"),
    Setting("mdx_output_language", "text", (str,), "code-fence language of doctest output"),
    Setting(
        "mdx_language_aliases",
        DEFAULT_LANGUAGE_ALIASES,
        (dict,),
        "Sphinx's name of a code language → the one the site's highlighter knows; entries here are added to the defaults",
        shown_default="`pycon`, `python3`, `ipython3`, `default` → `python`; `none` → `text`",
    ),
)


def markdown_table() -> str:
    """The README's table of settings, from their declarations."""

    def default(setting: Setting) -> str:
        return setting.shown_default or f"`{setting.default!r}`".replace("'", "")

    rows = [f"| `{setting.name}` | {default(setting)} | {setting.description} |" for setting in SETTINGS]
    return "\n".join(["| setting | default | meaning |", "| --- | --- | --- |", *rows])


_IDENTIFIER = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Component:
    name: str
    file: str
    export: str
    # The props the component takes, when the settings say so; None: read
    # from the site's component file when it can be seen (see ``site``).
    props: tuple | None = None


@dataclass(frozen=True)
class MdxSettings:
    """The settings of a build, checked: one field per ``Setting`` (its
    name without ``mdx_``), plus what comes from Sphinx's own settings."""

    site_base: str
    content_root: str
    components_dir: str
    components: dict
    admonition_style: str
    diagrams: str
    diagram_theme: dict
    admonition_map: dict
    external_lessons: tuple
    output_language: str
    language_aliases: dict
    default_language: str

    @classmethod
    def from_config(cls, config) -> MdxSettings:
        values = {}
        for setting in SETTINGS:
            value = config[setting.name]
            setting.check(value)
            values[setting.field] = value
        values["components"] = cls._components(values["components"])
        values["admonition_map"] = admonition_map = {**DEFAULT_ADMONITION_MAP, **values["admonition_map"]}
        for kind, callout_type in admonition_map.items():
            if callout_type not in CALLOUT_TYPES:
                raise ConfigError(f"mdx_admonition_map[{kind!r}] = {callout_type!r}: the Callout component takes {CALLOUT_TYPES}")
        values["external_lessons"] = tuple(values["external_lessons"])
        for lesson in values["external_lessons"]:
            if not paths.COURSE_LESSON_ID.match(lesson):
                raise ConfigError(f"mdx_external_lessons: {lesson!r} is not a course lesson id like 'module-1/05-python-consumer'")
        values["language_aliases"] = {**DEFAULT_LANGUAGE_ALIASES, **values["language_aliases"]}
        return cls(**values, default_language=config.highlight_language or "python")

    @staticmethod
    def _components(configured: dict) -> dict[str, Component]:
        components = {}
        for role, spec in {**DEFAULT_COMPONENTS, **configured}.items():
            spec = dict(spec)
            if spec.get("props") is not None:
                spec["props"] = tuple(spec["props"])
            try:
                component = Component(**spec)
            except TypeError as error:
                raise ConfigError(f"mdx_components[{role!r}]: {error}") from None
            if not _IDENTIFIER.match(component.name):
                raise ConfigError(f"mdx_components[{role!r}]: {component.name!r} is not a JSX component name")
            if component.export not in ("named", "default"):
                raise ConfigError(f"mdx_components[{role!r}]: export must be 'named' or 'default'")
            components[role] = component
        return components

    def component(self, role: str) -> Component:
        return self.components[role]

    def import_lines(self, docname: str, roles_used: set[str]) -> list[str]:
        lines = []
        for role, component in self.components.items():
            if role not in roles_used:
                continue
            source = paths.component_import_path(self.components_dir, self.content_root, docname, component.file)
            binding = f"{{ {component.name} }}" if component.export == "named" else component.name
            lines.append(f"import {binding} from '{source}';")
        return lines
