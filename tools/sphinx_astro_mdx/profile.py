"""The target site, described in one place: a site profile.

Everything the builder assumes about the site it writes for is here: which
documents are the site's pages and what their URLs are, the front matter
its content collection accepts, its components (file or package, export,
props, hydration) and how admonitions map onto its callout types.

Two profiles come with the builder: ``ASTRO_COURSE``, the course's own
Astro site (the default), and ``STARLIGHT``, a documentation site made with
Astro Starlight.  ``mdx_site`` in ``conf.py`` names one of them or is a
profile of its own, usually ``dataclasses.replace`` of one of them; the
deployment settings (``mdx_site_base``, ``mdx_content_root``, ...) adjust
the chosen profile without replacing it.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

# ----------------------------------------------------------------------
# pages


@dataclass(frozen=True)
class Pages:
    """Which documents are the site's pages, and how they are named.

    ``pattern`` is a regular expression a document name must match in full
    to be a page; its named groups can be used by ``url``, ``page_id`` and a
    front matter field's ``unique_within``.  A document that matches
    ``meant`` but not ``pattern`` is reported (it looks like a page with a
    name the site cannot take); any other document is not written.
    ``url`` is the page's address: ``{base}``, ``{docname}``, ``{route}``
    (the document name without a final ``index``, ending in ``/`` unless
    empty) and the pattern's groups.  ``page_id`` is how front matter names
    another page (fields of kind ``page-ids``), ``page_id_pattern`` what such
    a name looks like (for names of pages only the site has).
    """

    pattern: str
    meant: str
    url: str
    page_id: str = "{docname}"
    page_id_pattern: str = r".+"
    # What a page is called in messages.
    noun: str = "page"
    # What a name of a page looks like, for the message about one that is not.
    name_rule: str = "lower-case words joined by hyphens"

    def match(self, docname: str) -> re.Match[str] | None:
        return re.fullmatch(self.pattern, docname)

    def _page_match(self, docname: str) -> re.Match[str]:
        match = self.match(docname)
        if match is None:
            raise ValueError(f"{docname!r} is not a page of this site")
        return match

    def is_page(self, docname: str) -> bool:
        return self.match(docname) is not None

    def is_misnamed(self, docname: str) -> bool:
        """A document meant as a page whose name the site cannot take."""
        return re.fullmatch(self.meant, docname) is not None and not self.is_page(docname)

    def _values(self, docname: str) -> dict[str, str]:
        route = re.sub(r"(^|/)index$", r"\1", docname)
        if route and not route.endswith("/"):
            route += "/"
        return {**self._page_match(docname).groupdict(), "docname": docname, "route": route}

    def url_of(self, base: str, docname: str, anchor: str = "") -> str:
        url = self.url.format(**self._values(docname), base=base.rstrip("/"))
        return f"{url}#{anchor}" if anchor else url

    def id_of(self, docname: str) -> str:
        return self.page_id.format(**self._values(docname))

    def group_of(self, docname: str, group: str) -> str:
        return self._page_match(docname).group(group)

    def is_page_id(self, text: str) -> bool:
        return re.fullmatch(self.page_id_pattern, text) is not None

    def locate(self, path: str, base: str) -> tuple[list[str], str] | None:
        """The document names a site path may stand for (most likely first)
        and its anchor, or None if the path does not have the shape of a
        page's URL.  Whether a name is a page is for the caller to check.

        The path may leave out the base (hand-written pages often do), or
        have another edition's base (a link a translation kept as it was),
        and the final ``/``.  Only a ``url`` made of ``{base}``, ``{docname}``
        or ``{route}`` and fixed text can be read back.
        """
        match = _url_reader(self.url, base.rstrip("/")).fullmatch(path)
        if match is None:
            return None
        groups = match.groupdict()
        if groups.get("docname") is not None:
            candidates = [groups["docname"]]
        else:
            route = groups["route"].rstrip("/")
            candidates = [f"{route}/index" if route else "index", route] if route else ["index"]
        return candidates, groups["anchor"] or ""


@functools.lru_cache(maxsize=None)
def _url_reader(url: str, base: str) -> re.Pattern[str]:
    """A regular expression that reads a path written by ``url``."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(url):
        parts.append(re.escape(literal))
        if name == "base":
            parts.append(f"(?:{re.escape(base)}|/[^#?]*?)?")
        elif name in ("docname", "route"):
            parts.append(f"(?P<{name}>[^#?]*?)")
        elif name is not None:
            # A pattern group alone does not name the document.
            return re.compile(r"(?!)")
    body = "".join(parts)
    if body.endswith("/"):
        body = body[:-1] + "/?"
    return re.compile(body + "(?:#(?P<anchor>.*))?")


# ----------------------------------------------------------------------
# front matter


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# kind -> (check, what a valid value is, for messages)
FIELD_KINDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "title": (lambda value: isinstance(value, str) and value.strip() != "", "a non-empty string"),
    "text": (lambda value: isinstance(value, str), "a string"),
    "number": (_is_number, "a number"),
    "boolean": (lambda value: isinstance(value, bool), "true or false"),
    "choice": (lambda value: isinstance(value, str), "one of the choices"),
    "strings": (_is_string_list, "a list of strings"),
    "page-ids": (_is_string_list, "a list of page names"),
    "mapping": (lambda value: isinstance(value, dict), "a mapping of field names to values"),
}


@dataclass(frozen=True)
class Field:
    """One field of the site's front matter schema.

    ``kind`` is one of ``FIELD_KINDS``.  ``translatable`` fields are prose
    and go through the translation catalogs.  A ``mapping`` has ``fields``
    of its own.  ``unique_within`` names a group of the page pattern: two
    pages of one group may not share the value (the order of lessons in a
    module).  ``expected`` replaces the kind's description in messages.
    """

    name: str
    kind: str
    required: bool = False
    translatable: bool = False
    choices: tuple[Any, ...] = ()
    fields: tuple[Field, ...] = ()
    unique_within: str | None = None
    expected: str | None = None

    def problem_with(self, value: object) -> str | None:
        """What is wrong with a value, or None."""
        is_valid, expected = FIELD_KINDS[self.kind]
        if self.choices:
            is_valid, expected = (lambda item: item in self.choices), "one of " + ", ".join(f"'{choice}'" for choice in self.choices)
        if is_valid(value):
            return None
        return f"must be {self.expected or expected}, got {value!r}"


# ----------------------------------------------------------------------
# components


@dataclass(frozen=True)
class Component:
    """A component of the site, for one role the builder fills.

    It comes either from a ``file`` in the site's components directory or
    from a package ``module`` (``@astrojs/starlight/components``).
    ``props``: what it takes, when known; None lets the builder read them
    from the component's file.  ``directive``: the Astro directive it is
    written with, for a component that runs in the browser
    (``client:visible``).
    """

    name: str
    file: str | None = None
    export: str = "default"
    module: str | None = None
    props: tuple[str, ...] | None = None
    directive: str | None = None


# Roles the builder writes components for, and the props it can fill.
COMPONENT_ROLES = {"callout": ("type", "title"), "mermaid": ("chart",)}


# ----------------------------------------------------------------------
# admonitions

# Sphinx's admonition kinds by how strongly they speak: 0 a remark, 1 advice,
# 2 a warning, 3 a danger.  A site names the four levels its own way.
ADMONITION_LEVELS = {
    "note": 0,
    "seealso": 0,
    "admonition": 0,
    "tip": 1,
    "hint": 1,
    "important": 2,
    "attention": 2,
    "caution": 2,
    "warning": 2,
    "error": 3,
    "danger": 3,
}


def admonitions_by_level(types: tuple[str, str, str, str]) -> dict[str, str]:
    """An admonition map from a site's four callout types, mildest first."""
    return {kind: types[level] for kind, level in ADMONITION_LEVELS.items()}


# ----------------------------------------------------------------------
# the profile


@dataclass(frozen=True)
class SiteProfile:
    """Everything about the site the MDX is written for."""

    name: str
    pages: Pages
    front_matter: tuple[Field, ...]
    # Where things are in the site (relative to its root) and the base of
    # its URLs; ``mdx_site_base``, ``mdx_content_root`` and
    # ``mdx_components_dir`` change them for one deployment.
    base: str
    content_root: str
    components_dir: str
    components: Mapping[str, Component]
    callout_types: tuple[str, ...]
    # admonition kind (Sphinx's node name) -> callout type
    admonition_map: Mapping[str, str] = field(default_factory=dict)
    # Front matter keys Sphinx or MyST read themselves: never written, never reported.
    sphinx_keys: frozenset[str] = frozenset({"orphan", "nocomments", "nosearch", "tocdepth", "myst", "html_meta", "jupytext", "kernelspec"})

    def field_named(self, name: str) -> Field | None:
        return next((item for item in self.front_matter if item.name == name), None)


# The callout types of each site, mildest first.
COURSE_CALLOUTS = ("note", "tip", "warning", "danger")
STARLIGHT_ASIDES = ("note", "tip", "caution", "danger")

ASTRO_COURSE = SiteProfile(
    name="astro-course",
    pages=Pages(
        # A lesson: NN-module-N/NN-slug, its Astro entry id is the same name.
        # (A module number written with a leading zero names the same module.)
        pattern=r"(?P<module_dir>\d{2}-module-0*(?P<module>\d+))/(?P<slug>\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*)",
        meant=r"\d{2}-module-\d+/.*",
        url="{base}/course/{docname}/",
        page_id="module-{module}/{slug}",
        page_id_pattern=r"module-\d+/\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*",
        noun="lesson",
        name_rule="NN-slug in lower case",
    ),
    front_matter=(
        Field("title", "title", required=True, translatable=True),
        Field("description", "text", required=True, translatable=True),
        Field("order", "number", required=True, unique_within="module_dir", expected='a number (write order: 1, not order: "1")'),
        Field("difficulty", "choice", required=True, choices=("beginner", "intermediate", "advanced")),
        Field("estimatedTime", "number", required=True, expected="a number of minutes"),
        Field("topics", "strings", required=True, translatable=True),
        Field("prerequisites", "page-ids", expected="a list of lesson ids like 'module-1/05-python-consumer'"),
    ),
    base="/debezium-course",
    content_root="src/content/course",
    components_dir="src/components",
    components={
        "mermaid": Component("Mermaid", file="Mermaid.tsx", export="named", directive="client:visible"),
        "callout": Component("Callout", file="Callout.tsx", export="default"),
    },
    callout_types=COURSE_CALLOUTS,
    admonition_map=admonitions_by_level(COURSE_CALLOUTS),
)

STARLIGHT = SiteProfile(
    name="starlight",
    pages=Pages(
        # Every document is a page of the docs collection; its route is its
        # name, and index pages are their folder's route.
        pattern=r"(?:[a-z0-9]+(?:-[a-z0-9]+)*/)*[a-z0-9]+(?:-[a-z0-9]+)*",
        meant=r".+",
        url="{base}/{route}",
        page_id="{docname}",
        page_id_pattern=r"(?:[a-z0-9]+(?:-[a-z0-9]+)*/)*[a-z0-9]+(?:-[a-z0-9]+)*",
    ),
    # The part of Starlight's docsSchema() a lesson written here can use.
    front_matter=(
        Field("title", "title", required=True, translatable=True),
        Field("description", "text", translatable=True),
        Field(
            "sidebar",
            "mapping",
            fields=(
                Field("order", "number"),
                Field("label", "text", translatable=True),
                Field("hidden", "boolean"),
            ),
        ),
        Field("tableOfContents", "boolean"),
        Field("template", "choice", choices=("doc", "splash")),
        Field("draft", "boolean"),
        Field("pagefind", "boolean"),
    ),
    base="",
    content_root="src/content/docs",
    components_dir="src/components",
    components={"callout": Component("Aside", module="@astrojs/starlight/components", export="named", props=("type", "title"))},
    callout_types=STARLIGHT_ASIDES,
    admonition_map=admonitions_by_level(STARLIGHT_ASIDES),
)

PROFILES = {profile.name: profile for profile in (ASTRO_COURSE, STARLIGHT)}
