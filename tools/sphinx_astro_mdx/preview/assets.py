"""Mermaid (and d3, for zoomable diagrams) served by the preview itself.

sphinxcontrib-mermaid loads mermaid and d3 from cdn.jsdelivr.net unless
``mermaid_use_local``/``d3_use_local`` name files under ``_static``. The
preview must work with no network, and must draw diagrams with the Mermaid
version the repository pins (package.json, the same the course site's
component uses), so both come from ``node_modules``:

- ``mermaid/dist/mermaid.esm.min.mjs`` and the chunks it imports
  (``dist/chunks/mermaid.esm.min/*.mjs``, relative ES module imports) go to
  ``_static/mermaid/<version>/``;
- ``d3/dist/d3.min.js`` goes to ``_static/d3/<version>/``.

The version is part of the URL so that a browser never mixes a cached entry
module with the chunks of another release; a version change also changes
the HTML builder's configuration hash, so every page is rewritten to the new
URL.

Without node_modules an HTML build stops and says to run ``make node``; a
setting that would load anything from another host stops it too. Other
builders (mdx, doctest, gettext) need none of this and are not affected.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.errors import SphinxError
from sphinx.util import logging

logger = logging.getLogger(__name__)


class PreviewAssetError(SphinxError):
    # Sphinx prints the category first, in red, above its error report.
    category = "The preview cannot work offline (run `make node`?)"

MERMAID_ENTRY = Path("dist", "mermaid.esm.min.mjs")
MERMAID_CHUNKS = Path("dist", "chunks", "mermaid.esm.min")
D3_BUNDLE = Path("dist", "d3.min.js")


def node_modules_dir(app) -> Path:
    """``preview_node_modules`` (relative to the configuration directory), or ``<confdir>/node_modules``."""
    configured = app.config.preview_node_modules
    return (Path(app.confdir) / configured if configured else Path(app.confdir) / "node_modules").resolve()


def installed_version(node_modules: Path, package: str) -> str | None:
    manifest = node_modules / package / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def mermaid_static_path(version: str) -> str:
    """Where the Mermaid entry module lives, relative to ``_static``."""
    return f"mermaid/{version}/{MERMAID_ENTRY.name}"


def d3_static_path(version: str) -> str:
    return f"d3/{version}/{D3_BUNDLE.name}"


def is_remote(url: str) -> bool:
    return url.startswith("//") or "://" in url


def point_mermaid_at_local_copy(app, config) -> None:
    """config-inited: unless conf.py chose local files itself, load Mermaid and
    d3 from the copies this extension puts into ``_static``.

    Done this early (not when the builder starts) so that the URLs are part
    of the configuration the HTML builder hashes: pages are rewritten when
    the pinned version changes.
    """
    node_modules = node_modules_dir(app)
    mermaid_version = installed_version(node_modules, "mermaid")
    if mermaid_version and not config.mermaid_use_local:
        config.mermaid_use_local = mermaid_static_path(mermaid_version)
        # Not used to build a URL once mermaid_use_local is set; kept equal
        # to what is served so that the setting does not mislead.
        config.mermaid_version = mermaid_version
    d3_version = installed_version(node_modules, "d3")
    if d3_version and not config.d3_use_local:
        config.d3_use_local = d3_static_path(d3_version)
        config.d3_version = d3_version


def install_front_end_assets(app) -> None:
    """builder-inited: for HTML builders, check that nothing would be loaded
    from another host and copy Mermaid and d3 into the output's ``_static``."""
    if app.builder.format != "html":
        return
    config = app.config
    if config.mermaid_output_format != "raw":
        # Diagrams are drawn at build time by mmdc; the pages load no Mermaid.
        return
    node_modules = node_modules_dir(app)
    mermaid_version = _require_package(node_modules, "mermaid")
    d3_version = _require_package(node_modules, "d3")
    _require_pinned_version(node_modules, "mermaid", mermaid_version)
    _refuse_remote_assets(config)
    static = Path(app.outdir) / "_static"
    if config.mermaid_use_local == mermaid_static_path(mermaid_version):
        package = node_modules / "mermaid"
        files = [package / MERMAID_ENTRY, *sorted((package / MERMAID_CHUNKS).glob("*.mjs"))]
        _copy_release(files, package / "dist", static / "mermaid", mermaid_version)
    if config.d3_use_local == d3_static_path(d3_version):
        package = node_modules / "d3"
        _copy_release([package / D3_BUNDLE], package / "dist", static / "d3", d3_version)


def _require_package(node_modules: Path, package: str) -> str:
    version = installed_version(node_modules, package)
    if version is None:
        raise PreviewAssetError(
            f"The preview loads {package} from {node_modules / package}, which is not installed: "
            "run `make node` (npm ci) first. The preview never falls back to a CDN."
        )
    return version


def _require_pinned_version(node_modules: Path, package: str, installed: str) -> None:
    """node_modules must hold the version package.json pins (a stale install
    would draw diagrams with another Mermaid than the course site)."""
    manifest = node_modules.parent / "package.json"
    if not manifest.is_file():
        return
    pinned = json.loads(manifest.read_text(encoding="utf-8")).get("dependencies", {}).get(package)
    if pinned is not None and pinned != installed:
        raise PreviewAssetError(
            f"{manifest} pins {package} {pinned}, but {node_modules / package} is {installed}: "
            "run `make node` (npm ci) to install the pinned version."
        )


def _refuse_remote_assets(config) -> None:
    """Every script the Mermaid integration can load must be a local file."""
    urls = {"mermaid_use_local": config.mermaid_use_local, "d3_use_local": config.d3_use_local}
    if config.mermaid_include_elk:
        urls["mermaid_elk_use_local"] = config.mermaid_elk_use_local
    if config.mermaid_include_zenuml:
        urls["mermaid_zenuml_use_local"] = config.mermaid_zenuml_use_local
    for name, url in config.mermaid_icon_packs.items():
        urls[f"mermaid_icon_packs[{name!r}]"] = url
    for setting, url in urls.items():
        if not url:
            # An empty *_use_local means sphinxcontrib-mermaid's CDN URL.
            raise PreviewAssetError(f"{setting} is empty, so the preview would load it from a CDN; give a file under _static")
        if is_remote(url):
            raise PreviewAssetError(f"{setting} = {url!r} is on another host; the preview must work offline")


def _copy_release(files: list[Path], source_root: Path, target_root: Path, version: str) -> None:
    """Copy ``files`` (below ``source_root``) to ``target_root/<version>/``,
    skipping files already there, and remove other versions' directories."""
    release_dir = target_root / version
    for source in files:
        target = release_dir / source.relative_to(source_root)
        stat = source.stat()
        if target.is_file() and target.stat().st_size == stat.st_size and target.stat().st_mtime_ns == stat.st_mtime_ns:
            # Unchanged since the last build: livehtml rebuilds stay fast.
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for other in target_root.iterdir():
        if other != release_dir and other.is_dir():
            # Pages are rewritten when the version changes (see
            # point_mermaid_at_local_copy), so nothing links there any more.
            logger.info("removing %s (another release than %s)", other, version)
            shutil.rmtree(other)
