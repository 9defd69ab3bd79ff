"""Python side of the Node tools the tests and benchmarks use: the real MDX
compiler, the real github-slugger, a real Astro build (and ``astro dev``)
of the fixture sites and a real Pagefind search over a built one.

The Node packages come from the repository's package-lock.json (``make node``
installs them into ``node_modules`` at the root). Node's module resolution
walks up from a file to the first ``node_modules`` that has the package, so
every script and every copy of the fixture site must live inside the
repository.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from . import REPO_ROOT

ROOT = REPO_ROOT  # the tests' Node scripts and fixture sites are in the checkout
NODE_MODULES = ROOT / "node_modules"
NODE_SCRIPTS = ROOT / "tests" / "node"
FIXTURE_SITE = ROOT / "tests" / "astro-site"
# The fixture site's src/components/ as the course site has had it. The base
# tests/astro-site has no components; a copy gets those of one variant,
# copied over it from tests/astro-site-variants/<variant>/ (a variant without
# a directory there, "bare", has none):
#   full               Mermaid.tsx (named export, `chart`) and Callout.tsx
#                      (default export, `type` and `title`);
#   callout-type-only  only Callout.tsx, taking only `type` and showing its
#                      own English label ("Note", "Warning", …);
#   bare               no components at all.
FIXTURE_VARIANTS_DIR = ROOT / "tests" / "astro-site-variants"
FIXTURE_VARIANTS = ("full", "callout-type-only", "bare")
# A bare Astro Starlight site (the builder's second site profile): a copy gets
# the pages in src/content/docs/.
STARLIGHT_SITE = ROOT / "tests" / "starlight-site"
STARLIGHT_CONTENT = Path("src", "content", "docs")
# Copies of the fixture site for builds; git-ignored with tests/artifacts/.
ASTRO_BUILDS = ROOT / "tests" / "artifacts" / "astro-builds"

# Parts of the fixture that are generated or filled in per build.
_NOT_COPIED = {"node_modules", "dist", ".astro"}
_CONTENT_DIR = Path("src", "content")
# Lesson collections of the fixture: the Russian course and its English edition.
COLLECTIONS = ("course", "course-en")


class NodeToolError(RuntimeError):
    """A Node tool could not run, or could not do its job."""


class MdxCompileError(NodeToolError):
    """At least one MDX file does not compile, or the compiler warned; the message lists them all."""

    def __init__(self, records: list[dict]):
        self.records = records
        super().__init__("MDX does not compile cleanly:\n" + "\n".join(format_mdx_errors(records)))


class AstroBuildError(NodeToolError):
    """``astro build`` failed; the message carries Astro's own output."""

    def __init__(self, message: str, output: str):
        self.output = output
        super().__init__(f"{message}\n{output}")


def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeToolError("node is not on PATH")
    return node


def require_node_modules() -> None:
    if not (NODE_MODULES / ".package-lock.json").is_file():
        raise NodeToolError(f"{NODE_MODULES} is not installed: run `make node` (npm ci) first")


def node_problem() -> str | None:
    """Why the Node side of the tests cannot run here, or None: Node 20 or
    later on PATH, and the repository's node_modules installed."""
    try:
        node = node_executable()
        require_node_modules()
    except NodeToolError as error:
        return str(error)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    major = int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0
    return None if major >= 20 else f"node {version or '(no version)'} is older than 20"


def node_env() -> dict[str, str]:
    env = dict(os.environ)
    # No usage reports from Astro; the test machines have no network anyway.
    env["ASTRO_TELEMETRY_DISABLED"] = "1"
    # Colour codes would end up in the error messages the tests assert on.
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    return env


def start_node_script(script: str, args: Sequence[str] = (), stderr: int = subprocess.PIPE) -> subprocess.Popen:
    """Start ``tests/node/<script>`` with pipes for stdin and stdout (and
    stderr, unless ``stderr`` says where it goes), text in UTF-8."""
    require_node_modules()
    return subprocess.Popen(
        [node_executable(), str(NODE_SCRIPTS / script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=node_env(),
    )


def run_node_script(
    script: str, args: Sequence[str] = (), stdin: str | None = None, timeout: float = 600, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Run ``tests/node/<script>`` and return the finished process, whatever its exit status."""
    require_node_modules()
    return subprocess.run(
        [node_executable(), str(NODE_SCRIPTS / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=cwd,
        env=node_env(),
    )


def json_output(script: str, process: subprocess.CompletedProcess):
    if process.returncode != 0:
        raise NodeToolError(f"{script} exited with {process.returncode}:\n{process.stderr}")
    try:
        return json.loads(process.stdout)
    except json.JSONDecodeError as error:
        raise NodeToolError(f"{script} printed no JSON ({error}):\n{process.stdout}\n{process.stderr}") from None


def format_mdx_errors(records: list[dict]) -> list[str]:
    """``file:line:column: message`` for every error and warning in compile_mdx records."""
    lines = []
    for record in records:
        for error in [*record["errors"], *record["warnings"]]:
            line = error["line"] if error["line"] is not None else 0
            column = error["column"] if error["column"] is not None else 0
            rule = f" [{error['rule']}]" if error.get("rule") else ""
            lines.append(f"{record['file']}:{line}:{column}: {error['message']}{rule}")
    return lines


def compile_mdx(paths, tree: bool = False, check: bool = False) -> list[dict]:
    """Compile MDX files with @mdx-js/mdx in one Node process.

    Returns one record per path, in order (see tests/node/compile-mdx.mjs for
    the fields; ``tree=True`` adds text, headings, links and mdx_nodes).
    With ``check=True`` raises MdxCompileError if any file fails or the
    compiler warns about it.
    """
    paths = [str(Path(p)) for p in paths]
    if not paths:
        return []
    process = run_node_script("compile-mdx.mjs", ["--tree"] if tree else [], stdin=json.dumps(paths))
    records = json_output("compile-mdx.mjs", process)
    if check:
        failed = [record for record in records if not record["ok"] or record["warnings"]]
        if failed:
            raise MdxCompileError(failed)
    return records


def github_slugs(headings: list[str]) -> list[str]:
    """Slugs github-slugger gives these headings on one page (repeats get -1, -2, …)."""
    process = run_node_script("slug.mjs", stdin=json.dumps(list(headings)))
    return json_output("slug.mjs", process)


def copy_starlight_site(site_dir: Path) -> Path:
    """Make ``site_dir`` a copy of tests/starlight-site without pages; return
    the directory its pages go in (``src/content/docs``)."""
    site_dir = Path(site_dir).resolve()
    if ROOT not in site_dir.parents:
        raise NodeToolError(f"an Astro site must be inside {ROOT} to find node_modules, not {site_dir}")
    if site_dir.exists():
        shutil.rmtree(site_dir)
    shutil.copytree(STARLIGHT_SITE, site_dir, ignore=shutil.ignore_patterns(*_NOT_COPIED))
    shutil.rmtree(site_dir / STARLIGHT_CONTENT, ignore_errors=True)
    return site_dir / STARLIGHT_CONTENT


def copy_fixture_site(site_dir: Path, mdx_root: Path, collection: str = "course", variant: str = "full") -> Path:
    """Make ``site_dir`` a copy of the fixture site whose ``collection``
    holds the ``<NN-module-N>/<NN-slug>.mdx`` tree under ``mdx_root`` (the
    other collections stay empty) and whose src/components/ holds exactly
    the components of ``variant`` (one of FIXTURE_VARIANTS)."""
    if collection not in COLLECTIONS:
        raise NodeToolError(f"the fixture site has no collection {collection!r} ({', '.join(COLLECTIONS)})")
    if variant not in FIXTURE_VARIANTS:
        raise NodeToolError(f"the fixture site has no variant {variant!r} ({', '.join(FIXTURE_VARIANTS)})")
    site_dir = Path(site_dir).resolve()
    if ROOT not in site_dir.parents:
        # The copy's imports (astro/config, react, …) resolve only through
        # the repository's node_modules.
        raise NodeToolError(f"an Astro site must be inside {ROOT} to find node_modules, not {site_dir}")
    mdx_root = Path(mdx_root)
    if not mdx_root.is_dir():
        raise NodeToolError(f"no MDX tree at {mdx_root}")
    if site_dir.exists():
        shutil.rmtree(site_dir)
    shutil.copytree(
        FIXTURE_SITE,
        site_dir,
        ignore=lambda directory, names: [
            name
            for name in names
            if (Path(directory) == FIXTURE_SITE and name in _NOT_COPIED)
            or (Path(directory) == FIXTURE_SITE / _CONTENT_DIR and name in COLLECTIONS)
        ],
    )
    overlay = FIXTURE_VARIANTS_DIR / variant
    if overlay.is_dir():
        shutil.copytree(overlay, site_dir, dirs_exist_ok=True)
    shutil.copytree(mdx_root, site_dir / _CONTENT_DIR / collection)
    for other in COLLECTIONS:
        (site_dir / _CONTENT_DIR / other).mkdir(exist_ok=True)
    return site_dir


@contextlib.contextmanager
def astro_site_dir(prefix: str):
    """A fresh directory for one copy of the fixture site, removed afterwards.

    It lies inside the repository (under tests/artifacts/, git-ignored) because
    Node must find node_modules from it; the unique name keeps concurrent
    runs apart.
    """
    ASTRO_BUILDS.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=ASTRO_BUILDS))
    try:
        yield directory / "site"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def astro_build(
    mdx_root: Path, site_dir: Path, timeout: float = 900, collection: str = "course", variant: str = "full"
) -> Path:
    """Build the fixture site with the lessons under ``mdx_root``; return its dist directory.

    The build runs in a fresh copy of tests/astro-site at ``site_dir`` (see
    ``astro_site_dir``) with the components of ``variant`` (see
    FIXTURE_VARIANTS), never in the fixture itself, so builds of different
    lesson trees cannot see each other's lessons or caches. Raises
    AstroBuildError with Astro's output if the build fails.
    """
    return build_site(copy_fixture_site(site_dir, mdx_root, collection, variant), timeout)


def build_site(site_dir: Path, timeout: float = 900) -> Path:
    """`astro build` of a site directory as it is; return its dist directory."""
    process = run_node_script("astro-build.mjs", ["--root", str(site_dir)], timeout=timeout)
    output = process.stdout + process.stderr
    if process.returncode != 0:
        raise AstroBuildError(f"astro build failed (exit {process.returncode}) in {site_dir}", output)
    dist = site_dir / "dist"
    if not dist.is_dir():
        raise AstroBuildError(f"astro build of {site_dir} reported success but wrote no {dist}", output)
    return dist


@contextlib.contextmanager
def astro_dev(site_dir: Path, timeout: float = 120):
    """``astro dev`` serving ``site_dir`` on 127.0.0.1 (a free port); yields
    its origin (``http://127.0.0.1:PORT``).  Stopped, with its Vite
    watchers, when the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = start_node_script("astro-dev.mjs", ["--root", str(site_dir), "--port", str(port)], stderr=subprocess.STDOUT)
    output: list[str] = []
    ready: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        # Astro logs on stdout too: every line is kept for the error message.
        for line in process.stdout:
            output.append(line)
            if line.startswith("{") and '"ready"' in line:
                ready.put(json.loads(line)["url"])
        ready.put(None)

    threading.Thread(target=read, name="astro dev output", daemon=True).start()
    try:
        try:
            origin = ready.get(timeout=timeout)
        except queue.Empty:
            origin = None
        if origin is None:
            raise NodeToolError(f"astro dev did not start in {site_dir}:\n{''.join(output)}")
        yield origin
    finally:
        # Closing stdin is the script's signal to stop the server.
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pagefind_search(dist: Path, base: str, terms: Sequence[str], timeout: float = 300) -> dict[str, list[str]]:
    """Index a built site with Pagefind and search it in headless Chromium.

    Writes the Pagefind bundle into ``dist/pagefind/`` (replacing an earlier
    one), serves ``dist`` on 127.0.0.1 under ``base`` (the site's base, e.g.
    ``/debezium-course``) and runs each term through the bundle's
    pagefind.js on the site's front page (tests/node/pagefind-search.mjs),
    so in the index of that page's language (the Russian course). Returns,
    per term, the URLs of the pages found (``<base>/course/…/``), best match
    first; a term found nowhere maps to ``[]``. No request leaves the
    machine: one that tries fails the search, like a page or console error.

    Pagefind (1.6.0) does not index anything inside an ``<svg>``: labels of
    an inline diagram are found only if they are also outside it, e.g. in
    the svg's ``aria-label`` with ``data-pagefind-index-attrs="aria-label"``.
    """
    # browser_tools imports this module, so it is imported only when needed.
    from debezium_course.browser_tools import require_chromium, serve_directory

    require_chromium()
    dist = Path(dist).resolve()
    if not (dist / "index.html").is_file():
        raise NodeToolError(f"{dist} is not a built site: it has no index.html")
    base = "/" + base.strip("/") if base.strip("/") else ""
    with serve_directory(dist, base) as site:
        payload = {
            "dist": str(dist),
            "pageUrl": site.url(),
            "baseUrl": f"{base}/",
            "terms": list(terms),
        }
        process = run_node_script("pagefind-search.mjs", stdin=json.dumps(payload), timeout=timeout)
    found = json_output("pagefind-search.mjs", process)
    return {term: found["results"][term] for term in terms}
