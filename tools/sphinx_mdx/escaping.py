"""The two places where the builder writes JavaScript or YAML source itself.

Prose, code and attribute strings never pass through here: they travel as
values of the mdast tree and the reference serializer writes them
(``mdx_writer``).  What is left is source the builder composes: the template
literal of a Mermaid chart and the scalars of the front matter.
"""

from __future__ import annotations

import json


def template_literal(text: str) -> str:
    """Body of a JS template literal (between backticks) that evaluates to ``text``.

    Line breaks are written as ``\\n``: MDX strips the indentation of every
    continuation line of an expression, which would change indentation-
    sensitive diagrams, so the literal stays on one line.
    """
    return (
        text.replace("\\", "\\\\")
        .replace("`", "\\`")
        .replace("${", "\\${")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )


def yaml_scalar(value: object) -> str:
    """A YAML flow scalar for a frontmatter value of a known JSON type.

    JSON is a subset of YAML 1.2, so a JSON dump keeps strings strings and
    numbers numbers for the site's schema, whatever the string contains.
    """
    return json.dumps(value, ensure_ascii=False)
