"""Page front matter: read with its YAML types, checked against the site's schema.

myst-parser keeps front matter in ``env.metadata`` as strings (``order: 1``
becomes ``"1"``), and a site's zod schema rejects that.  So the front
matter is read again from the source with a YAML parser that keeps types
and remembers the line of every key, for warnings that point at it.  The
schema is the site profile's (``profile.Field``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import escaping
from .profile import Field, SiteProfile

_FENCE = re.compile(r"^---[ \t]*$")


@dataclass
class Problem:
    message: str
    line: int
    # A problem the site's schema would reject stops the lesson from being
    # written; anything else is only reported.
    blocks_lesson: bool = True


@dataclass
class FrontMatter:
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # key -> source line (1-based)
    start_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    # original text -> text in the build's language (from the catalogs)
    translations: dict = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.start_line)

    def messages(self, schema: tuple[Field, ...]) -> list[str]:
        """The prose of the schema's translatable fields, each text once."""
        texts: list[object] = []

        def collect(values: dict, fields: tuple[Field, ...]) -> None:
            for item in fields:
                value = values.get(item.name)
                if item.fields and isinstance(value, dict):
                    collect(value, item.fields)
                elif item.translatable:
                    texts.extend(value if isinstance(value, list) else [value])

        collect(self.values, schema)
        return list(dict.fromkeys(text for text in texts if isinstance(text, str) and text))

    def translate(self, text: str) -> str:
        return self.translations.get(text, text)

    @property
    def title(self) -> str | None:
        """The title in the build's language."""
        title = self.values.get("title")
        return self.translate(title) if isinstance(title, str) else None


def read(source_path: Path, site: SiteProfile) -> FrontMatter:
    """Parse the YAML front matter at the top of a MyST file and check it
    against the site's schema."""
    text = source_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    matter = FrontMatter()
    if not lines or not _FENCE.match(lines[0]):
        matter.problems.append(Problem(f"no YAML front matter: a {site.pages.noun} starts with '---' and the fields of the site's schema", 1))
        return matter
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        matter.problems.append(Problem("front matter is not closed by a '---' line", 1))
        return matter
    source = "\n".join(lines[1:end])
    try:
        node, values = _parse_yaml(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        matter.problems.append(Problem(f"invalid YAML front matter: {problem}", line))
        return matter
    if values is None:
        values = {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        matter.problems.append(Problem("front matter must be a mapping of field names to values", 2))
        return matter
    matter.values = values
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 2
        if key.value in matter.lines:
            matter.problems.append(Problem(f"front matter field '{key.value}' is given twice (first on line {matter.lines[key.value]})", line))
        matter.lines[key.value] = line
    matter.problems.extend(_check_schema(matter, site))
    return matter


# libyaml when PyYAML has it: front matter is read for every lesson on every build.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(source: str):
    """The YAML node tree (for key lines) and the values it stands for, in one parse."""
    loader = _YamlLoader(source)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _same_line(line: int, _key: str) -> int:
    return line


def _check_schema(matter: FrontMatter, site: SiteProfile) -> list[Problem]:
    problems = []

    def check(values: dict, fields: tuple[Field, ...], prefix: str, line_of: Callable[[str], int], ignored: frozenset[str]) -> None:
        for item in fields:
            name, line = prefix + item.name, line_of(item.name)
            if item.name not in values:
                if item.required:
                    problems.append(Problem(f"front matter field '{name}' is missing", line))
                continue
            problem = item.problem_with(values[item.name])
            if problem:
                problems.append(Problem(f"front matter field '{name}' {problem}", line))
            elif item.fields:
                # The keys of a mapping are reported at the mapping's line.
                check(values[item.name], item.fields, name + ".", functools.partial(_same_line, line), frozenset())
        listed = ", ".join(prefix + item.name for item in fields)
        for key in values:
            if key not in {item.name for item in fields} and key not in ignored:
                message = f"front matter field '{prefix}{key}' is not in the site's schema ({listed}) and is not written"
                problems.append(Problem(message, line_of(key), blocks_lesson=False))

    check(matter.values, site.front_matter, "", matter.line_of, site.sphinx_keys)
    return problems


def render(matter: FrontMatter, site: SiteProfile) -> str:
    """The YAML of the MDX front matter (between its fences): keys in schema
    order, types kept, prose translated, keys the schema lacks left out."""

    def written(values: dict, fields: tuple[Field, ...]) -> dict:
        out = {}
        for item in fields:
            if item.name not in values:
                continue
            value = values[item.name]
            if item.fields and isinstance(value, dict):
                value = written(value, item.fields)
            elif item.translatable:
                value = [matter.translate(text) for text in value] if isinstance(value, list) else matter.translate(value)
            out[item.name] = value
        return out

    return "\n".join(f"{key}: {escaping.yaml_scalar(value)}" for key, value in written(matter.values, site.front_matter).items())
