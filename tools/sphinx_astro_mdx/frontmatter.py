"""Lesson front matter: read with its YAML types, checked against the site's schema.

myst-parser keeps front matter in ``env.metadata`` as strings (``order: 1``
becomes ``"1"``), and the course's zod schema rejects that.  So the front
matter is read again from the source with a YAML parser that keeps types
and remembers the line of every key, for warnings that point at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import escaping

DIFFICULTIES = ("beginner", "intermediate", "advanced")
# Keys Sphinx or MyST read themselves; they are not part of the site's schema.
SPHINX_KEYS = frozenset({"orphan", "nocomments", "nosearch", "tocdepth", "myst", "html_meta", "jupytext", "kernelspec"})
# Schema order, which is also the order of keys in the written MDX.
FIELD_ORDER = ("title", "description", "order", "difficulty", "estimatedTime", "topics", "prerequisites")
REQUIRED = frozenset(FIELD_ORDER) - {"prerequisites"}
# Fields whose text is prose and goes through translation catalogs.
TRANSLATABLE = ("title", "description", "topics")

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

    def messages(self) -> list[str]:
        """The prose of the translatable fields, each text once."""
        texts = []
        for key in TRANSLATABLE:
            value = self.values.get(key)
            texts.extend(value if isinstance(value, list) else [value])
        return list(dict.fromkeys(text for text in texts if isinstance(text, str) and text))

    def translate(self, text: str) -> str:
        return self.translations.get(text, text)

    @property
    def title(self) -> str | None:
        """The title in the build's language."""
        title = self.values.get("title")
        return self.translate(title) if isinstance(title, str) else None


def read(source_path: Path) -> FrontMatter:
    """Parse the YAML front matter at the top of a MyST file and check it."""
    text = source_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    matter = FrontMatter()
    if not lines or not _FENCE.match(lines[0]):
        matter.problems.append(Problem("no YAML front matter: a lesson starts with '---' and the fields of the course schema", 1))
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
    matter.problems.extend(_check_schema(matter))
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


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_CHECKS: dict[str, tuple[Callable[[object], bool], str]] = {
    "title": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "description": (lambda v: isinstance(v, str), "a string"),
    "order": (_is_number, "a number (write order: 1, not order: \"1\")"),
    "difficulty": (lambda v: v in DIFFICULTIES, "one of " + ", ".join(f"'{d}'" for d in DIFFICULTIES)),
    "estimatedTime": (_is_number, "a number of minutes"),
    "topics": (_is_string_list, "a list of strings"),
    "prerequisites": (_is_string_list, "a list of lesson ids like 'module-1/05-python-consumer'"),
}


def _check_schema(matter: FrontMatter) -> list[Problem]:
    problems = []
    for key in FIELD_ORDER:
        if key not in matter.values:
            if key in REQUIRED:
                problems.append(Problem(f"front matter field '{key}' is missing", matter.start_line))
            continue
        is_valid, expected = _CHECKS[key]
        value = matter.values[key]
        if not is_valid(value):
            problems.append(Problem(f"front matter field '{key}' must be {expected}, got {value!r}", matter.line_of(key)))
    for key in matter.values:
        if key not in FIELD_ORDER and key not in SPHINX_KEYS:
            problems.append(
                Problem(
                    f"front matter field '{key}' is not in the course schema ({', '.join(FIELD_ORDER)}) and is not written",
                    matter.line_of(key),
                    blocks_lesson=False,
                )
            )
    return problems


def render(matter: FrontMatter) -> str:
    """The YAML of the MDX front matter (between its fences): keys in schema
    order, types kept, prose translated."""
    out = []
    for key in FIELD_ORDER:
        if key not in matter.values:
            continue
        value = matter.values[key]
        if key in TRANSLATABLE:
            value = [matter.translate(item) for item in value] if isinstance(value, list) else matter.translate(value)
        if isinstance(value, list):
            rendered = "[" + ", ".join(escaping.yaml_scalar(item) for item in value) + "]"
        else:
            rendered = escaping.yaml_scalar(value)
        out.append(f"{key}: {rendered}")
    return "\n".join(out)
