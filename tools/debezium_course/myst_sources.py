"""Reading lesson sources the way a Markdown parser does, for tests that
count or extract what a lesson contains (fences, headings)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

# CommonMark (plus front matter, which would otherwise end in a setext
# heading) is enough to find fences and headings: MyST's directives are
# fences whose info string names the directive.
_MARKDOWN = MarkdownIt("commonmark").use(front_matter_plugin)
_DIRECTIVE_OPTION = re.compile(r"^:[\w-]+:")


def myst_fences(source: str, name: str) -> list[tuple[int, list[str], str]]:
    """``(first line, options, body)`` of every fence of a MyST (or MDX) file
    whose info is ``name`` or ``{name}``; ``options`` are the directive's
    ``:option:`` lines, ``first line`` is the body's first line in the file."""
    fences = []
    for token in _MARKDOWN.parse(source):
        if token.type != "fence" or token.info.strip() not in (name, f"{{{name}}}"):
            continue
        lines = token.content.splitlines()
        first_line = token.map[0] + 2  # map is 0-based and starts at the opening fence
        options = []
        while lines and _DIRECTIVE_OPTION.match(lines[0]):
            options.append(lines.pop(0))
            first_line += 1
        while lines and not lines[0].strip():
            lines.pop(0)
            first_line += 1
        fences.append((first_line, options, "\n".join(lines).rstrip("\n")))
    return fences


def heading_count(source: str, level: int) -> int:
    """Headings of one level in a Markdown/MyST/MDX file (not lines inside code)."""
    return sum(1 for token in _MARKDOWN.parse(source) if token.type == "heading_open" and token.tag == f"h{level}")
