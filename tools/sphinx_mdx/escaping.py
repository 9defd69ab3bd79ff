"""Every way author or translator text is made literal in MDX.

MDX reads ``{`` as the start of a JavaScript expression, ``<`` as JSX and
``import``/``export`` at the start of a line as ES modules, on top of all of
CommonMark's own syntax.  Escaping is therefore a security boundary: the
functions here are the only place where text from a lesson or a ``.po`` file
is turned into MDX source, and each one produces text that the MDX compiler
reads back as exactly the characters it was given.
"""

from __future__ import annotations

import json
import re

# ASCII punctuation that has a meaning somewhere in CommonMark, GFM or MDX
# wherever it stands in a line.  Every ASCII punctuation character may be
# backslash-escaped in CommonMark, so escaping one too many is harmless.
# str.translate rather than a Python loop over the characters or a regex
# with a replacement callback: all prose of every lesson passes through
# here, and each of those was once the builder's largest cost.
_ALWAYS = str.maketrans({char: "\\" + char for char in "\\`*_{}[]<>!|~&#$"})
# Characters that only start a construct at the beginning of a line: list
# bullets, setext underlines, ordered-list numbers ("1." / "1)"), block quotes.
_LINE_START = frozenset("-+=>:")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
# ES module statements are recognised by MDX only at a line start.  A
# character reference keeps the word readable and plain text to the parser.
_ESM_WORD = re.compile(r"^(import|export)\b")
# GFM turns bare URLs into links and takes their characters raw, escapes
# included; breaking the trigger keeps a URL in prose plain text, as MyST
# (without linkify) shows it in the preview.
_AUTOLINK_TRIGGER = re.compile(r"(?i)\b(https?)(:)(?=//)|\b(www)(\.)")


def escape_text(text: str, at_line_start: bool) -> str:
    """Escape prose so that MDX renders exactly ``text``.

    ``at_line_start`` tells whether the text begins a new line of Markdown
    (start of a paragraph, heading or after a soft break) where block syntax
    would be recognised.  Soft line breaks are kept as line breaks; white
    space at the start and end of each line is not significant in Markdown
    and is trimmed so it can never form an indented code block or a hard
    break.
    """
    if "\n" not in text:
        # Most text nodes: one line, nothing to trim.
        return _escape_line(text, at_line_start)
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        starts_line = at_line_start or index > 0
        if index > 0:
            line = line.lstrip(" \t")
        if index < len(lines) - 1:
            line = line.rstrip(" \t")
        out.append(_escape_line(line, starts_line))
    return "\n".join(out)


def _escape_line(line: str, starts_line: bool) -> str:
    prefix = ""
    if starts_line:
        stripped = line.lstrip(" \t")
        # Leading blanks at a line start are insignificant but four of them
        # would open an indented code block.
        line = stripped
        esm = _ESM_WORD.match(line)
        ordered = _ORDERED_MARKER.match(line)
        if esm:
            prefix = "&#x%x;" % ord(line[0])
            line = line[1:]
        elif ordered:
            prefix = ordered.group(1) + "\\" + ordered.group(2)
            line = line[ordered.end():]
        elif line[:1] in _LINE_START:
            prefix = "\\" + line[0]
            line = line[1:]
    escaped = _AUTOLINK_TRIGGER.sub(_break_autolink, line.translate(_ALWAYS))
    return prefix + escaped


def _break_autolink(match: re.Match) -> str:
    return (match.group(1) or match.group(3)) + "\\" + (match.group(2) or match.group(4))


def code_span(text: str) -> str:
    """Inline code: MDX keeps the inside of a code span literal."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick, or with a space on both
    # sides, needs a padding space that CommonMark strips again.
    if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip(" ")
    ):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def code_fence(code: str, language: str = "") -> str:
    """A fenced code block whose fence no line of ``code`` can close."""
    longest = max((len(run) for run in re.findall(r"^[ \t]*(`{3,})", code, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^A-Za-z0-9_+#.-]", "", language)
    body = code.rstrip("\n")
    return f"{fence}{info}\n{body}\n{fence}" if body else f"{fence}{info}\n{fence}"


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


def jsx_attribute_string(text: str) -> str:
    """A JSX attribute value in double quotes that reads back as ``text``.

    JSX string attributes have no backslash escapes but decode character
    references, so every character that could end the string or be read as a
    reference is written as one.
    """
    replacements = {"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;"}
    return '"' + "".join(replacements.get(ch, ch) for ch in text.replace("\n", " ")) + '"'


def link_destination(url: str) -> str:
    """A Markdown link destination; characters that would end it are percent-encoded."""
    encoded = []
    for ch in url:
        if ch in " ()<>\\{}`\"'" or ord(ch) < 0x20:
            encoded.append("%%%02X" % ord(ch))
        else:
            encoded.append(ch)
    return "".join(encoded)


def yaml_scalar(value: object) -> str:
    """A YAML flow scalar for a frontmatter value of a known JSON type.

    JSON is a subset of YAML 1.2, so a JSON dump keeps strings strings and
    numbers numbers for the site's schema, whatever the string contains.
    """
    return json.dumps(value, ensure_ascii=False)
