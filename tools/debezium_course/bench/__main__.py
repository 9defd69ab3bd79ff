"""Benchmark of the mdx builder on synthetic courses (a measurement, not a test).

    .venv/bin/python -m debezium_course.bench [--sizes 50,200,1000] [--runs 3] [--quick]
                                              [--markdown-venv PATH] [--strict]
                                              [--diagram-lessons 200] [--no-diagrams | --only-diagrams]

For each course size N it generates a course (tools/debezium_course/bench/course.py; its
diagrams in the "component" form, so no build draws a chart and the figures
stay comparable with those measured before diagrams were drawn at build
time) and runs, as separate sphinx-build processes in this session, each in
fresh output and doctree directories, interleaved round by round:

  mdx -j1, mdx -j2, html (alabaster, no sidebars), markdown (sphinx-markdown-builder 0.6.x,
  from a separate venv: --markdown-venv, made from requirements.txt if missing)

and then, on one more full mdx build, a rebuild with nothing changed and
rebuilds after editing one lesson (checking that every other lesson's MDX
keeps its bytes and its mtime).  Times are medians over --runs, peak RSS the
highest ru_maxrss of the build's process tree.  At the largest N it profiles
one mdx build under cProfile and compiles every MDX file with @mdx-js/mdx in
one Node process (debezium_course.node_tools.compile_mdx).  It prints the targets,
PASS or FAIL.

Then the diagram section (tools/debezium_course/bench/diagram_builds.py; --no-diagrams
skips it, --only-diagrams runs nothing else): the course's own lessons and a
synthetic course of --diagram-lessons lessons (one chart each) built with
the charts drawn as SVG from an empty diagram cache and from a full one,
and in the component form, with the renderer's start-up apart from its time
per chart, and its own targets.  --strict exits 1 if any target fails.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import diagram_builds
from .course import generate
from .measure import PHASES, ROOT, TOOLS, Summary, ensure_markdown_venv, load, package_versions, sphinx_build

MIB = 1024
TARGETS = {
    "html_ratio": 0.3,  # mdx full / html full
    "markdown_ratio": 1.0,  # mdx full / sphinx-markdown-builder full
    "write_share": 0.15,  # mdx write phase / mdx total
    "parallel_speedup": 1.5,  # mdx -j1 / mdx -j2
    "incremental_s": 1.5,  # one edited lesson, 1000-lesson course
    "per_lesson_growth": 1.2,  # work per lesson, largest N / smallest N
    "rss_mib": 1024.0,  # mdx peak RSS, 1000 lessons
    "compile_s": 30.0,  # every MDX file of the 1000-lesson course, one Node process
    "verify_share": 0.20,  # Node parsing the MDX back and comparing trees / mdx total
}
QUICK_SIZES = (5, 20)
# --builds name: (row name, venv, sphinx builder, options)
BUILDS = {
    "mdx": ("mdx -j1", "project", "mdx", ()),
    "mdx-j2": ("mdx -j2", "project", "mdx", ("-j", "2")),
    "html": ("html", "project", "html", ()),
    "markdown": ("markdown", "markdown", "markdown", ()),
}
WORK_PHASES = ("read", "save", "write")


def machine_facts() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({model}), {int(memory) / MIB / MIB:.1f} GiB, {platform.platform()}"


def snapshot(outdir: Path) -> dict[str, tuple[str, int]]:
    """Every MDX file: digest of its bytes and its mtime in ns."""
    return {
        str(path.relative_to(outdir)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(outdir.rglob("*.mdx"))
    }


class SizeResult:
    def __init__(self, lessons: int) -> None:
        self.lessons = lessons
        self.builds: dict[str, Summary] = {}
        self.noop: Summary | None = None
        self.incremental: Summary | None = None
        self.untouched_ok = False
        self.untouched_detail = ""
        self.mdx_out: Path | None = None


def measure_size(lessons: int, work: Path, runs: int, kinds: dict[str, tuple[Path, str, tuple]], project_python: Path) -> SizeResult:
    source = work / f"course-{lessons}"
    # The component form: these builds measure the builder, not the diagram
    # renderer, and the README's earlier figures were taken without drawing
    # (the diagram section measures drawing).
    course = generate(source, lessons, diagrams="component")
    result = SizeResult(lessons)
    collected: dict[str, list] = {name: [] for name in kinds}
    # Round by round, so a change of machine load hits every kind alike.
    for round_number in range(1, runs + 1):
        for name, (python, builder, options) in kinds.items():
            scratch = Path(tempfile.mkdtemp(prefix="build-", dir=work))
            run = sphinx_build(python, builder, source, scratch / "out", scratch / "doctrees", *options)
            shutil.rmtree(scratch)
            collected[name].append(run)
            print(f"  N={lessons} round {round_number}/{runs} {name:<9} {run.wall:7.2f} s  {run.maxrss_kib / MIB:6.0f} MiB  ({load()})", flush=True)
    result.builds = {name: Summary(found) for name, found in collected.items()}

    # Rebuilds start from one more full build, kept for the compile check.
    out, doctrees = work / f"mdx-{lessons}", work / f"doctrees-{lessons}"
    sphinx_build(project_python, "mdx", source, out, doctrees)
    result.mdx_out = out
    result.noop = Summary([sphinx_build(project_python, "mdx", source, out, doctrees) for _ in range(runs)])
    edited = course[len(course) // 2]
    edited_output = f"{edited.docname}.mdx"
    lesson_file = source / f"{edited.docname}.md"
    incremental = []
    problems = []
    for round_number in range(1, runs + 1):
        before = snapshot(out)
        with lesson_file.open("a", encoding="utf-8") as handle:
            handle.write(f"\nПравка номер {round_number} для замера пересборки.\n")
        incremental.append(sphinx_build(project_python, "mdx", source, out, doctrees))
        after = snapshot(out)
        if set(after) != set(before):
            problems.append(f"files appeared or vanished: {sorted(set(after) ^ set(before))}")
        if after.get(edited_output, (None,))[0] == before.get(edited_output, (None,))[0]:
            problems.append(f"{edited_output} did not change after its lesson was edited")
        changed = [path for path in before if path != edited_output and after.get(path) != before[path]]
        if changed:
            problems.append(f"{len(changed)} unchanged lessons were rewritten or touched, e.g. {changed[:3]}")
    result.incremental = Summary(incremental)
    result.untouched_ok = not problems
    result.untouched_detail = "; ".join(problems) or f"{len(before) - 1} other lessons keep bytes and mtime over {runs} rebuilds"
    print(f"  N={lessons} rebuilds: nothing changed {result.noop.wall:.2f} s, one lesson edited {result.incremental.wall:.2f} s", flush=True)
    return result


def profile_mdx(source: Path, work: Path, python: Path) -> str:
    """One mdx build in a single process under cProfile: where its time goes."""
    scratch = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    output = scratch / "mdx.prof"
    subprocess.run(
        [str(python), "-m", "cProfile", "-o", str(output), "-m", "sphinx", "-b", "mdx", "-q",
         "-d", str(scratch / "doctrees"), str(source), str(scratch / "out")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stats = pstats.Stats(str(output))
    shutil.rmtree(scratch)
    ours = str(TOOLS / "sphinx_astro_mdx") + os.sep

    def keys(file_suffix: str, function: str) -> list:
        return [key for key in stats.stats if key[2] == function and key[0].endswith(file_suffix)]

    def cumulative(file_suffix: str, function: str, caller: tuple[str, str] | None = None) -> float:
        """Cumulative seconds of a function, only of its calls from ``caller`` if given."""
        if caller is None:
            return sum(stats.stats[key][3] for key in keys(file_suffix, function))
        callers = keys(*caller)
        return sum(
            timing[3] for key in keys(file_suffix, function) for source, timing in stats.stats[key][4].items() if source in callers
        )

    write_doc = ("sphinx_astro_mdx/builder.py", "write_doc")
    total = stats.total_tt
    own = sum(entry[2] for (file, _, _), entry in stats.stats.items() if file.startswith(ours))
    lines = [
        f"profiled total {total:.1f} s (cProfile slows the build; shares matter, not seconds)",
        f"  Sphinx read(): {cumulative('sphinx/builders/__init__.py', 'read'):.1f} s, "
        f"pickling the environment: {cumulative('~', '<built-in method _pickle.dump>', ('sphinx/builders/__init__.py', 'build')):.1f} s, "
        f"write(): {cumulative('sphinx/builders/__init__.py', 'write'):.1f} s, "
        f"finish(): {cumulative('sphinx_astro_mdx/builder.py', 'finish'):.2f} s",
        "  sphinx_astro_mdx while reading: front matter transform "
        f"{cumulative('sphinx_astro_mdx/i18n.py', 'apply'):.2f} s, collectors "
        f"{cumulative('sphinx_astro_mdx/collectors.py', 'process_doc'):.2f} s",
        "  while writing: Sphinx get_and_resolve_doctree "
        f"{cumulative('sphinx/environment/__init__.py', 'get_and_resolve_doctree'):.2f} s, sphinx_astro_mdx get_outdated_docs "
        f"{cumulative('sphinx_astro_mdx/builder.py', 'get_outdated_docs'):.2f} s, prepare_writing "
        f"{cumulative('sphinx_astro_mdx/builder.py', 'prepare_writing'):.2f} s, write_doc "
        f"{cumulative(*write_doc):.2f} s (translator walk {cumulative('sphinx_astro_mdx/translator.py', 'walk', write_doc):.2f} s, "
        f"assemble {cumulative('sphinx_astro_mdx/builder.py', 'assemble', write_doc):.2f} s, "
        f"file write {cumulative('sphinx_astro_mdx/outputs.py', 'write', write_doc):.2f} s)",
        f"  own time in tools/sphinx_astro_mdx: {own:.2f} s ({own / total:.1%} of the build)",
        "  top functions by own time:",
    ]
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:12]
    for (file, line, name), entry in ranked:
        where = file.replace(str(ROOT) + os.sep, "").split("site-packages" + os.sep)[-1]
        lines.append(f"    {entry[2]:7.2f} s  {entry[1]:>9} calls  {name}  ({where}:{line})")
    return "\n".join(lines)


def compile_all(outdir: Path) -> tuple[int, int, float]:
    """(files, files that compiled, seconds) for @mdx-js/mdx over every MDX file."""
    from debezium_course.node_tools import compile_mdx

    files = sorted(outdir.rglob("*.mdx"))
    began = time.monotonic()
    records = compile_mdx(files)
    return len(files), sum(record["ok"] for record in records), time.monotonic() - began


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratio(numerator: Summary, denominator: Summary | None) -> str:
    return f"{numerator.wall / denominator.wall:.2f}" if denominator else "n/a"


def print_tables(results: list[SizeResult]) -> None:
    header = f"{'N':>5}  {'build':<19} {'wall s':>7} {'ms/lesson':>9} {'work ms/l':>9} {'peak MiB':>8}  " + " ".join(
        f"{phase:>7}" for phase in (*PHASES, "write_doc")
    )
    print(header)
    print("-" * len(header))
    for result in results:
        rows = [*result.builds.items(), ("mdx rebuild, no-op", result.noop), ("mdx rebuild, 1 edit", result.incremental)]
        for name, summary in rows:
            work = sum(summary.phase(phase) for phase in WORK_PHASES)
            print(
                f"{result.lessons:>5}  {name:<19} {summary.wall:7.2f} {summary.wall / result.lessons * 1000:9.1f} "
                f"{work / result.lessons * 1000:9.1f} {summary.maxrss_mib:8.0f}  "
                + " ".join(f"{summary.phase(phase):7.2f}" for phase in (*PHASES, "write_doc"))
            )
    print()
    print(
        f"{'N':>5}  {'mdx/html':>8} {'mdx/markdown':>12} {'write_doc share':>15} {'write share':>11} {'-j2 speed-up':>12} "
        f"{'1-edit rebuild s':>16}  unchanged lessons untouched"
    )
    for result in results:
        builds = result.builds
        mdx = builds["mdx -j1"]
        print(
            f"{result.lessons:>5}  {ratio(mdx, builds.get('html')):>8} {ratio(mdx, builds.get('markdown')):>12} "
            f"{mdx.phase('write_doc') / mdx.wall:15.1%} {mdx.phase('write') / mdx.wall:11.1%} {ratio(mdx, builds.get('mdx -j2')):>12} "
            f"{result.incremental.wall:16.2f}  "
            f"{verdict(result.untouched_ok)}: {result.untouched_detail}"
        )


def work_per_lesson(result: SizeResult) -> float:
    mdx = result.builds["mdx -j1"]
    return sum(mdx.phase(phase) for phase in WORK_PHASES) / result.lessons


def print_targets(results: list[SizeResult], compiled: tuple[int, int, float]) -> bool:
    """Print every target with PASS, FAIL or SKIP (a build it needs was not run); True if none failed."""
    largest, smallest = results[-1], results[0]
    at = f"N={largest.lessons}"
    files, ok_files, compile_s = compiled

    def wall_ratios(other: str, limit: float):
        ratios = [r.builds["mdx -j1"].wall / r.builds[other].wall for r in results]
        return ", ".join(f"{value:.2f}" for value in ratios), all(value <= limit for value in ratios)

    def write_shares():
        # Judged on Sphinx's WRITING phase, what the builder itself does;
        # the whole write phase, with Sphinx resolving every doctree first,
        # is shown beside it.
        builds = [r.builds["mdx -j1"] for r in results]
        writing = [mdx.phase("write_doc") / mdx.wall for mdx in builds]
        whole = ", ".join(f"{mdx.phase('write') / mdx.wall:.1%}" for mdx in builds)
        return (
            ", ".join(f"{share:.1%}" for share in writing) + f" (with Sphinx resolving the doctrees: {whole})",
            all(share <= TARGETS["write_share"] for share in writing),
        )

    def verify_shares():
        # Seconds Node spent parsing back and comparing trees, over the wall
        # time of the build: an upper bound of what verifying costs, since
        # Node runs beside Sphinx while it resolves and translates.
        builds = [r.builds["mdx -j1"] for r in results]
        shares = [mdx.phase("mdx_verify") / mdx.wall for mdx in builds]
        serialize = ", ".join(f"{mdx.phase('mdx_serialize'):.1f}" for mdx in builds)
        return (
            ", ".join(f"{share:.1%} ({mdx.phase('mdx_verify'):.1f} s)" for share, mdx in zip(shares, builds))
            + f"; serialising took {serialize} s; 1-edit rebuild verified in {largest.incremental.phase('mdx_verify'):.2f} s",
            all(share <= TARGETS["verify_share"] for share in shares),
        )

    def speedup():
        value = largest.builds["mdx -j1"].wall / largest.builds["mdx -j2"].wall
        return f"{value:.2f}x", value >= TARGETS["parallel_speedup"]

    def growth():
        work = work_per_lesson(largest) / work_per_lesson(smallest)
        wall = (largest.builds["mdx -j1"].wall / largest.lessons) / (smallest.builds["mdx -j1"].wall / smallest.lessons)
        return f"{work:.2f}x read+write work per lesson ({wall:.2f}x wall per lesson)", work <= TARGETS["per_lesson_growth"]

    def peak_memory():
        peaks = {name: summary.maxrss_mib for name, summary in largest.builds.items() if name.startswith("mdx")}
        return ", ".join(f"{name} {mib:.0f} MiB" for name, mib in peaks.items()), max(peaks.values()) <= TARGETS["rss_mib"]

    checks = [
        (f"mdx full <= {TARGETS['html_ratio']} x html full, every N", lambda: wall_ratios("html", TARGETS["html_ratio"])),
        (f"mdx full <= {TARGETS['markdown_ratio']} x sphinx-markdown-builder, every N", lambda: wall_ratios("markdown", TARGETS["markdown_ratio"])),
        (f"mdx writing (write_doc) <= {TARGETS['write_share']:.0%} of mdx total, every N", write_shares),
        (f"MDX verification (Node parse-back) <= {TARGETS['verify_share']:.0%} of mdx total, every N", verify_shares),
        (f"-j 2 full mdx >= {TARGETS['parallel_speedup']}x faster than -j 1, {at}", speedup),
        (
            f"rebuild after editing one lesson <= {TARGETS['incremental_s']} s, {at}",
            lambda: (f"{largest.incremental.wall:.2f} s", largest.incremental.wall <= TARGETS["incremental_s"]),
        ),
        (f"time per lesson flat (<= {TARGETS['per_lesson_growth']}x), N={smallest.lessons} -> {largest.lessons}", growth),
        (f"mdx peak RSS <= {TARGETS['rss_mib']:.0f} MiB, {at}", peak_memory),
        (
            f"MDX compile of all {files} files in one Node process <= {TARGETS['compile_s']:.0f} s, {at}",
            lambda: (f"{compile_s:.1f} s, {ok_files}/{files} compiled", compile_s <= TARGETS["compile_s"] and ok_files == files),
        ),
        (
            "unchanged lessons byte-identical and untouched after a rebuild, every N",
            lambda: ("; ".join(f"N={r.lessons}: {verdict(r.untouched_ok)}" for r in results), all(r.untouched_ok for r in results)),
        ),
    ]
    return print_checks(checks)


def print_checks(checks: list) -> bool:
    """Run each (name, check) and print it with PASS, FAIL or SKIP; True if none failed."""
    width = max(len(name) for name, _ in checks)
    failed = False
    for name, check in checks:
        try:
            measured, ok = check()
        except KeyError as missing:
            print(f"SKIP  {name:<{width}}  needs the {missing} build (--builds)")
            continue
        failed = failed or not ok
        print(f"{verdict(ok)}  {name:<{width}}  {measured}")
    return not failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,1000", help="course sizes in lessons (default 50,200,1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each build; medians are reported (default 3)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: sizes {','.join(map(str, QUICK_SIZES))}, one run each")
    parser.add_argument("--markdown-venv", type=Path, default=ROOT / ".cache" / "bench-venv", help="venv with sphinx-markdown-builder (made if missing)")
    parser.add_argument("--builds", default=",".join(BUILDS), help=f"builds to time, of {','.join(BUILDS)} (default all; mdx is always run)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument(
        "--diagram-lessons",
        type=int,
        help=f"lessons of the diagram section's synthetic course (default {diagram_builds.DEFAULT_LESSONS}; {diagram_builds.QUICK_LESSONS} with --quick)",
    )
    sections = parser.add_mutually_exclusive_group()
    sections.add_argument("--no-diagrams", action="store_true", help="skip the diagram section")
    sections.add_argument("--only-diagrams", action="store_true", help="run the diagram section only")
    args = parser.parse_args()
    sizes = sorted(QUICK_SIZES if args.quick else {int(size) for size in args.sizes.split(",")})
    runs = 1 if args.quick else args.runs
    diagram_lessons = args.diagram_lessons or (diagram_builds.QUICK_LESSONS if args.quick else diagram_builds.DEFAULT_LESSONS)

    wanted = {"mdx", *args.builds.split(",")}
    if wanted - set(BUILDS):
        parser.error(f"unknown builds {sorted(wanted - set(BUILDS))}; choose from {','.join(BUILDS)}")

    project_python = Path(sys.executable)
    print(f"machine: {machine_facts()}")
    print(f"project venv: {package_versions(project_python, 'sphinx', 'myst-parser', 'docutils')}")
    all_ok = True
    if not args.only_diagrams:
        all_ok = size_section(args, sizes, runs, wanted, project_python)
    if not args.no_diagrams:
        all_ok = diagram_section(diagram_lessons, runs, project_python) and all_ok
    return 1 if args.strict and not all_ok else 0


def size_section(args, sizes: list[int], runs: int, wanted: set[str], project_python: Path) -> bool:
    """The builds of every course size, their tables and targets; True if no target failed."""
    pythons = {"project": project_python}
    if "markdown" in wanted:
        pythons["markdown"] = ensure_markdown_venv(args.markdown_venv.resolve())
        print(f"markdown venv: {package_versions(pythons['markdown'], 'sphinx', 'myst-parser', 'docutils', 'sphinx-markdown-builder')}")
    kinds = {BUILDS[build][0]: (pythons[BUILDS[build][1]], *BUILDS[build][2:]) for build in BUILDS if build in wanted}
    print(f"sizes {sizes}, {runs} run(s) each; {load()}", flush=True)

    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mdx-bench-") as scratch:
        work = Path(scratch)
        results = [measure_size(size, work, runs, kinds, project_python) for size in sizes]
        largest = results[-1]
        profile = None if args.no_profile else profile_mdx(work / f"course-{largest.lessons}", work, project_python)
        compiled = compile_all(largest.mdx_out)

    print(f"\nfinished in {time.monotonic() - began:.0f} s; {load()}\n")
    print("Phases (s, medians): start = process start to reading (imports, extensions, environment);")
    print("read = reading and parsing sources; save = pickling the environment, consistency check;")
    print("write = resolving and writing documents, finish(); exit = interpreter shutdown;")
    print("write_doc = within write, the builder's write_doc (Sphinx's WRITING phase: translating, handing trees to Node),")
    print("  without Sphinx's RESOLVING (loading doctrees, post-transforms); nan with -j2, where workers write.")
    print("work ms/l = (read + save + write) per lesson. Peak MiB = highest ru_maxrss of the build's processes.\n")
    print_tables(results)
    if profile:
        print(f"\ncProfile, one mdx -j1 build, N={largest.lessons}: {profile}")
    print("\nTargets (measured in this run):")
    return print_targets(results, compiled)


def diagram_section(lessons: int, runs: int, python: Path) -> bool:
    """Diagrams drawn as SVG against the component form; True if no target failed."""
    print(f"\nDiagram section: the course's own lessons and {lessons} synthetic lessons, {runs} run(s) each; {load()}", flush=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mdx-bench-diagrams-") as scratch:
        result = diagram_builds.measure(Path(scratch), lessons, runs, python)
    print(f"\ndiagram section finished in {time.monotonic() - began:.0f} s; {load()}\n")
    print("Full mdx builds, fresh output and doctree directories, wall time medians. svg, cold = empty diagram cache")
    print("(renderer started, every chart drawn); svg, cached = the cold build's diagram cache copied into the fresh")
    print("doctree directory (reads and writes every lesson, draws nothing); component = <Mermaid chart=...>, nothing drawn.")
    print("diagrams = figures (svg) or <Mermaid> elements in the MDX; drawn = files the build wrote into the diagram cache;")
    print("start/draw s = the renderer's start-up and drawing (debezium_course.bench.phases; — where the conf.py does not record phases);")
    print("verify s = Node parsing the MDX back; peak MiB = highest ru_maxrss of one process of the build.\n")
    diagram_builds.print_table(result)
    print("\nDiagram targets (measured in this run):")
    return print_checks(diagram_builds.targets(result))


if __name__ == "__main__":
    sys.exit(main())
