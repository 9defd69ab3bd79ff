"""Where the builder writes JavaScript or YAML source itself.

Prose, code and attribute strings never pass through here: they travel as
values of the mdast tree and the reference serializer writes them
(``mdx_writer``).  What is left is source the builder composes: string
literals (a Mermaid chart for the site's component, the text of a drawn
diagram, an attribute value MDX cannot hold as a string) and the scalars of
the front matter.  ``mdx_writer`` checks that every expression the builder
makes reads back as a plain string.
"""

from __future__ import annotations

import json
import re

_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


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


def string_literal(text: str) -> str:
    """A JS string literal for ``text``, fit for an MDX expression.

    MDX finds the end of an expression by counting braces before JavaScript
    reads it, so braces inside the string are written as escapes.
    """
    return json.dumps(text, ensure_ascii=False).replace("{", "\\u007b").replace("}", "\\u007d")


def jsx_attribute(name: str, value: str | dict | None) -> dict:
    """An mdast JSX attribute; a string value that MDX cannot hold as one
    (it has a `&`) becomes a template literal."""
    if isinstance(value, str):
        # MDX drops the white space after a line ending in an attribute
        # value, and a line break in a title shows as a space anyway.
        value = _LINE_BREAKS.sub(" ", value)
    if isinstance(value, str) and "&" in value:
        # A JSX string attribute decodes character references, so `&`
        # cannot be written in one as text: a string literal instead.
        value = {"type": "mdxJsxAttributeValueExpression", "value": "`" + template_literal(value) + "`"}
    return {"type": "mdxJsxAttribute", "name": name, "value": value}


def yaml_scalar(value: object) -> str:
    """A YAML flow scalar for a frontmatter value of a known JSON type.

    JSON is a subset of YAML 1.2, so a JSON dump keeps strings strings and
    numbers numbers for the site's schema, whatever the string contains.
    """
    return json.dumps(value, ensure_ascii=False)
