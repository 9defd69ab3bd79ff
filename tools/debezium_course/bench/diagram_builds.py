"""The benchmark's diagram section: what drawing Mermaid charts as SVG at
build time (``mdx_diagrams = "svg"``) adds to an mdx build.

Two courses, each built round by round (--runs rounds) in fresh output and
doctree directories, three ways:

- svg, cold: an empty doctree directory, so an empty diagram cache: the
  builder starts its renderer (Node + headless Chromium) and draws every
  chart;
- svg, cached: a fresh doctree directory with the cold build's diagram
  cache (``<doctrees>/mdx-diagrams``) copied in, so the build reads and
  writes every lesson as a full build does and only the drawing is skipped;
- component: ``mdx_diagrams = "component"`` (each chart handed to the
  site's ``<Mermaid>``), the build without diagrams to draw, for reference.

The courses: the course's own two lessons (docs/, with the project's
conf.py, as ``make mdx`` builds them), and a synthetic course of N lessons
(tools/debezium_course/bench/course.py) with one chart per lesson, a different chart in
every lesson.  The synthetic course records its phases (debezium_course.bench.phases),
among them the renderer's start-up and drawing seconds; the course's own
conf.py does not load debezium_course.bench.phases, so its rows have wall time and memory
only.
"""

from __future__ import annotations

import math
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .course import generate
from .measure import ROOT, Run, Summary, load, sphinx_build

DEFAULT_LESSONS = 200
QUICK_LESSONS = 10
TARGETS = {
    "cached_overhead": 0.05,  # (svg cached full build - component full build) / component full build
    "per_diagram_s": 0.1,  # renderer's drawing seconds / charts drawn, cold build, after start-up
}
DOCS = ROOT / "docs"
# The builder's diagram cache, inside the doctree directory (tools/sphinx_astro_mdx/builder.py).
CACHE_DIR = "mdx-diagrams"
FIGURE = '<figure class="mdx-diagram"'
COMPONENT = "<Mermaid chart="
BUILDS = ("svg, cold", "svg, cached", "component")


@dataclass
class CourseBuilds:
    """One course's three builds over every round."""

    name: str
    lessons: int
    runs: dict[str, list[Run]] = field(default_factory=lambda: {build: [] for build in BUILDS})
    # Per build, from its last round: diagrams in the MDX (figures or
    # <Mermaid> elements), charts drawn (files the build wrote into the
    # diagram cache), the MDX's size in bytes.
    diagrams: dict[str, int] = field(default_factory=dict)
    drawn: dict[str, list[int]] = field(default_factory=lambda: {build: [] for build in BUILDS})
    mdx_bytes: dict[str, int] = field(default_factory=dict)

    def summary(self, build: str) -> Summary:
        return Summary(self.runs[build])


@dataclass
class DiagramResult:
    real: CourseBuilds
    synthetic: CourseBuilds


def _cache_files(doctrees: Path) -> dict[str, int]:
    cache = doctrees / CACHE_DIR
    return {path.name: path.stat().st_mtime_ns for path in cache.glob("*.json")} if cache.is_dir() else {}


def _one_course_round(course: CourseBuilds, source: Path, work: Path, python: Path, how: dict, round_label: str) -> None:
    """The cold, cached and component builds of ``course`` once."""
    scratch = Path(tempfile.mkdtemp(prefix="diagrams-", dir=work))
    try:
        for build in BUILDS:
            out, doctrees = scratch / build.replace(", ", "-") / "out", scratch / build.replace(", ", "-") / "doctrees"
            if build == "svg, cached":
                # copy2 keeps the files' mtimes, so a file the build wrote again shows.
                shutil.copytree(scratch / "svg-cold" / "doctrees" / CACHE_DIR, doctrees / CACHE_DIR)
            before = _cache_files(doctrees)
            form = "component" if build == "component" else "svg"
            # The synthetic course's conf.py says "svg" already; -D for both
            # courses, so each is built the same way.
            run = sphinx_build(python, "mdx", source, out, doctrees, "-D", f"mdx_diagrams={form}", **how)
            after = _cache_files(doctrees)
            course.runs[build].append(run)
            course.drawn[build].append(sum(1 for name, mtime in after.items() if before.get(name) != mtime))
            texts = [path.read_text(encoding="utf-8") for path in sorted(out.rglob("*.mdx"))]
            course.diagrams[build] = sum(text.count(COMPONENT if form == "component" else FIGURE) for text in texts)
            course.mdx_bytes[build] = sum(len(text.encode("utf-8")) for text in texts)
            print(
                f"  {course.name} {round_label} {build:<11} {run.wall:7.2f} s  {run.maxrss_kib / 1024:6.0f} MiB  "
                f"drawn {course.drawn[build][-1]}  ({load()})",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch)


def measure(work: Path, lessons: int, runs: int, python: Path) -> DiagramResult:
    synthetic_source = work / f"diagram-course-{lessons}"
    generate(synthetic_source, lessons, diagrams="svg")
    real_lessons = len(list(DOCS.glob("[0-9][0-9]-module-*/[0-9][0-9]-*.md")))
    result = DiagramResult(CourseBuilds(f"course (docs/, {real_lessons} lessons)", real_lessons), CourseBuilds(f"synthetic N={lessons}", lessons))
    courses = [
        # As `make mdx` builds the course: its conf.py (-c the repository), Russian.
        (result.real, DOCS, {"conf": ROOT, "env": {"SPHINX_LANGUAGE": "ru"}}),
        (result.synthetic, synthetic_source, {}),
    ]
    for round_number in range(1, runs + 1):
        for course, source, how in courses:
            _one_course_round(course, source, work, python, how, f"round {round_number}/{runs}")
    return result


def _seconds(value: float, digits: int = 2) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def per_diagram(course: CourseBuilds) -> tuple[float, float, float]:
    """(start-up s, drawing s, charts drawn) of the cold build, medians; NaN unrecorded."""
    cold = course.summary("svg, cold")
    return cold.phase("diagram_start"), cold.phase("diagram_draw"), cold.phase("diagrams_drawn")


def print_table(result: DiagramResult) -> None:
    header = (
        f"{'course':<26} {'build':<11} {'wall s':>7} {'vs component':>12} {'diagrams':>8} {'drawn':>5} "
        f"{'start s':>7} {'draw s':>7} {'ms/chart':>8} {'verify s':>8} {'MDX KiB':>8} {'peak MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for course in (result.real, result.synthetic):
        reference = course.summary("component").wall
        for build in BUILDS:
            summary = course.summary(build)
            start, draw, drawn = (summary.phase(name) for name in ("diagram_start", "diagram_draw", "diagrams_drawn"))
            per_chart = draw / drawn * 1000 if drawn and not math.isnan(drawn) else math.nan
            change = "" if build == "component" else f"{(summary.wall - reference) / reference:+.1%}"
            print(
                f"{course.name:<26} {build:<11} {summary.wall:7.2f} {change:>12} {course.diagrams[build]:>8} "
                f"{statistics.median(course.drawn[build]):>5g} {_seconds(start):>7} {_seconds(draw):>7} {_seconds(per_chart, 0):>8} "
                f"{_seconds(summary.phase('mdx_verify')):>8} {course.mdx_bytes[build] / 1024:8.0f} {summary.maxrss_mib:8.0f}"
            )
    synthetic = result.synthetic
    start, draw, drawn = per_diagram(synthetic)
    cold, cached, component = (synthetic.summary(build).wall for build in BUILDS)
    print(
        f"\nRenderer start-up apart from drawing, cold build of {synthetic.name}: start-up {_seconds(start)} s "
        f"(Node + headless Chromium, once a build), then {_seconds(draw)} s drawing {drawn:g} charts = "
        f"{_seconds(draw / drawn * 1000 if drawn else math.nan, 0)} ms a chart."
    )
    print(
        f"Cold svg build over the component build: +{cold - component:.2f} s = start-up {_seconds(start)} + drawing {_seconds(draw)} "
        f"+ {_seconds(cold - component - start - draw)} s else (SVG into the MDX, longer MDX to write and verify, run-to-run noise); "
        f"cached: {cached - component:+.2f} s."
    )


def targets(result: DiagramResult) -> list:
    """(name, check) pairs as __main__.print_targets runs them."""
    synthetic = result.synthetic
    at = f"N={synthetic.lessons}"

    def cached_overhead():
        cached, component = synthetic.summary("svg, cached").wall, synthetic.summary("component").wall
        overhead = (cached - component) / component
        return f"{overhead:+.1%} ({cached:.2f} s cached svg vs {component:.2f} s component)", overhead <= TARGETS["cached_overhead"]

    def drawing():
        start, draw, drawn = per_diagram(synthetic)
        if not drawn or math.isnan(drawn):
            return "no chart drawn in the cold build", False
        seconds = draw / drawn
        return f"{seconds * 1000:.0f} ms ({draw:.2f} s for {drawn:g} charts; start-up {start:.2f} s apart)", seconds <= TARGETS["per_diagram_s"]

    return [
        (f"svg full build with the diagram cache adds <= {TARGETS['cached_overhead']:.0%} to the component build, {at}", cached_overhead),
        (f"per diagram <= {TARGETS['per_diagram_s'] * 1000:.0f} ms after renderer start-up, cold build, {at}", drawing),
    ]
