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

CONFIG_VALUES = {
    # name: (default, rebuild)
    "mdx_site_base": ("/debezium-course", "env"),
    "mdx_content_root": ("src/content/course", "env"),
    "mdx_components_dir": ("src/components", "env"),
    "mdx_components": (DEFAULT_COMPONENTS, "env"),
    "mdx_admonition_style": ("auto", "env"),
    "mdx_diagrams": ("svg", "env"),
    "mdx_diagram_theme": (DEFAULT_DIAGRAM_THEME, "env"),
    "mdx_admonition_map": (DEFAULT_ADMONITION_MAP, "env"),
    "mdx_external_lessons": ([], "env"),
    "mdx_output_language": ("text", "env"),
    "mdx_language_aliases": (DEFAULT_LANGUAGE_ALIASES, "env"),
}

_IDENTIFIER = re.compile(r"^[A-Z][A-Za-z0-9_]*$")


ADMONITION_STYLES = ("auto", "callout", "blockquote")
DIAGRAM_FORMS = ("svg", "component")


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
    default_language: str
    language_aliases: dict
    callout_types: tuple = CALLOUT_TYPES

    @classmethod
    def from_config(cls, config) -> MdxSettings:
        components = {}
        for role, spec in {**DEFAULT_COMPONENTS, **config.mdx_components}.items():
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
        if config.mdx_admonition_style not in ADMONITION_STYLES:
            raise ConfigError(f"mdx_admonition_style must be one of {ADMONITION_STYLES}, not {config.mdx_admonition_style!r}")
        if config.mdx_diagrams not in DIAGRAM_FORMS:
            raise ConfigError(f"mdx_diagrams must be one of {DIAGRAM_FORMS}, not {config.mdx_diagrams!r}")
        if not isinstance(config.mdx_diagram_theme, dict):
            raise ConfigError("mdx_diagram_theme must be a dict of Mermaid configuration (theme, themeVariables, …)")
        admonition_map = {**DEFAULT_ADMONITION_MAP, **config.mdx_admonition_map}
        for kind, callout_type in admonition_map.items():
            if callout_type not in CALLOUT_TYPES:
                raise ConfigError(f"mdx_admonition_map[{kind!r}] = {callout_type!r}: the Callout component takes {CALLOUT_TYPES}")
        for lesson in config.mdx_external_lessons:
            if not paths.COURSE_LESSON_ID.match(lesson):
                raise ConfigError(f"mdx_external_lessons: {lesson!r} is not a course lesson id like 'module-1/05-python-consumer'")
        return cls(
            site_base=config.mdx_site_base,
            content_root=config.mdx_content_root,
            components_dir=config.mdx_components_dir,
            components=components,
            admonition_style=config.mdx_admonition_style,
            diagrams=config.mdx_diagrams,
            diagram_theme=config.mdx_diagram_theme,
            admonition_map=admonition_map,
            external_lessons=tuple(config.mdx_external_lessons),
            output_language=config.mdx_output_language,
            default_language=config.highlight_language or "python",
            language_aliases={**DEFAULT_LANGUAGE_ALIASES, **config.mdx_language_aliases},
        )

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
