"""Where the Node scripts of the builder run, so that Node finds their packages.

The builder's Node scripts (``mdx_writer.mjs``, ``mdx_importer.mjs``,
``diagram_renderer.mjs`` and ``chromium.mjs`` beside this file, and the
``mdx_syntax.mjs`` they share) import packages such as
``mdast-util-to-markdown`` by name, and Node looks for those in the
``node_modules`` folders above the script.  In a checkout, or an editable
install, the project's ``node_modules`` is above them.  Installed into a
virtualenv's site-packages it is not: then the scripts are copied into
``<node_modules>/.cache/sphinx-astro-mdx/`` (the place Node tools keep
their caches), where Node finds the packages, and run from there.

Which ``node_modules``: ``mdx_node_modules`` (relative to the configuration
directory), else the first one above these files, else the first one
above the configuration directory.  ``configure`` records it for the
process (``-j`` workers inherit it).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sphinx.errors import ConfigError

HERE = Path(__file__).resolve().parent
SCRIPTS = ("mdx_syntax.mjs", "mdx_writer.mjs", "mdx_importer.mjs", "diagram_renderer.mjs", "chromium.mjs")
CACHE = Path(".cache", "sphinx-astro-mdx")

_node_modules: Path | None = None


def _first_above(start: Path) -> Path | None:
    return next((directory / "node_modules" for directory in [start, *start.parents] if (directory / "node_modules").is_dir()), None)


# Packages the MDX writer imports: a node_modules without them is the wrong one.
WRITER_PACKAGES = ("mdast-util-to-markdown", "mdast-util-from-markdown", "micromark-extension-mdxjs")


def find(confdir: Path, configured: str = "") -> Path | None:
    if configured:
        chosen = (confdir / configured).resolve()
        if not chosen.is_dir():
            raise ConfigError(f"mdx_node_modules = {configured!r}: {chosen} is not a directory")
        return chosen
    return _first_above(HERE) or _first_above(confdir.resolve())


def missing_writer_packages() -> list[str]:
    """The writer's packages the chosen node_modules lacks."""
    return [package for package in WRITER_PACKAGES if installed(package) is None]


def configure(confdir: Path, configured: str = "") -> None:
    global _node_modules
    _node_modules = find(confdir, configured)


def node_modules() -> Path | None:
    """The ``node_modules`` the scripts' packages come from (None: none found)."""
    return _node_modules if _node_modules is not None else _first_above(HERE)


def installed(package: str) -> Path | None:
    """A package's directory as Node finds it from the scripts."""
    modules = node_modules()
    if modules is None or not (modules / package / "package.json").is_file():
        return None
    return modules / package


def script(name: str) -> Path:
    """The path to run script ``name`` from."""
    modules = node_modules()
    if modules is None or modules.parent in (HERE, *HERE.parents):
        return HERE / name
    cache = modules / CACHE
    cache.mkdir(parents=True, exist_ok=True)
    for each in SCRIPTS:
        source = (HERE / each).read_bytes()
        target = cache / each
        if not target.is_file() or target.read_bytes() != source:
            # Atomic: a -j worker or a second build may start the same script now.
            handle, temporary = tempfile.mkstemp(dir=cache, prefix=f".{each}.")
            with os.fdopen(handle, "wb") as file:
                file.write(source)
            os.replace(temporary, target)
    return cache / name
