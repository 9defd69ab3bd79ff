"""Benchmark of live authoring (``make livemdx``): how long after a save the
MDX is written, and how long until the open page shows it.

    .venv/bin/python -m debezium_course.bench.live [--saves 7] [--lessons 1000] [--quick] [--strict]   (make bench-live)

Three figures, each the median over --saves one-paragraph edits (a new
sentence appended to one lesson, a different one each time):

- the course (docs/ with conf.py): save → the lesson's MDX holds the sentence;
- a synthetic course of --lessons lessons (bench/course.py): the same;
- the course in the Astro fixture site under ``astro dev``, a Chromium page
  open on the lesson: save → the page shows the sentence, by Astro's own
  reload (tests/node/browser-livereload.mjs; the page is never navigated).

"Written" is seen by polling the file every 2 ms, so a figure is at most
that much late.  --quick: 3 saves, a 50-lesson course (or --lessons), no
browser.  --strict: exit 1 when a measured target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .course import generate
from .measure import ROOT

TARGETS = {"course_s": 0.3, "large_s": 0.6}
LESSON = Path("05-module-5", "01-advanced-python-consumer.md")


class LiveMdx:
    """``python -m sphinx_astro_mdx.live`` as a child process, its output read by a thread."""

    def __init__(
        self,
        source: Path,
        out: Path,
        doctrees: Path,
        confdir: Path | None = None,
        env: dict | None = None,
        extra: tuple[str, ...] = (),
        python: str = sys.executable,
    ):
        command = [python, "-m", "sphinx_astro_mdx.live", "-d", str(doctrees), *extra]
        if confdir is not None:
            command += ["-c", str(confdir)]
        self.process = subprocess.Popen(
            [*command, str(source), str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, **(env or {})},
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.stderr.append), daemon=True).start()

    @staticmethod
    def _read(stream, put) -> None:
        for line in stream:
            put(line)
        put(None)

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """The next line of output that contains ``text``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"livemdx printed no line with {text!r} in {timeout:.0f} s; stderr:\n{''.join(self.stderr)}") from None
            if line is None:
                raise RuntimeError(f"livemdx exited ({self.process.wait()}) before printing {text!r}; stderr:\n{''.join(self.stderr)}")
            if text in line:
                return line

    def children(self) -> list[int]:
        """The process ids of the watcher's child processes (the Node writer)."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(pid) for pid in (task / "children").read_text().split()]
        return found

    def stop(self, how: int = signal.SIGINT, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def live_mdx(*args, start_timeout: float = 120, **kwargs) -> Iterator[LiveMdx]:
    """The watcher, once its first build is done and it watches."""
    live = LiveMdx(*args, **kwargs)
    try:
        live.wait_for("watching", timeout=start_timeout)
        yield live
    finally:
        live.stop()


def save_and_wait(source_file: Path, mdx_file: Path, sentence: str, timeout: float = 30) -> float:
    """Append a paragraph with ``sentence``; seconds until the MDX holds it."""
    with source_file.open("a", encoding="utf-8") as file:
        file.write(f"\n{sentence}\n")
    return wait_for_text(mdx_file, sentence, timeout)


def wait_for_text(mdx_file: Path, sentence: str, timeout: float = 30) -> float:
    """Seconds until ``mdx_file`` holds ``sentence`` (looked at every 2 ms)."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        with contextlib.suppress(FileNotFoundError):
            if sentence in mdx_file.read_text(encoding="utf-8"):
                return time.perf_counter() - started
        time.sleep(0.002)
    raise TimeoutError(f"{mdx_file} did not get {sentence!r} in {timeout} s")


def measure_saves(source: Path, lesson: Path, out: Path, work: Path, saves: int, confdir: Path | None = None, env: dict | None = None) -> list[float]:
    seconds = []
    # The first build writes every lesson: minutes at 1000 lessons.
    with live_mdx(source, out, work / "doctrees", confdir=confdir, env=env, start_timeout=1800) as live:
        for number in range(saves):
            sentence = f"Правка номер {number} для замера."
            seconds.append(save_and_wait(source / lesson, out / lesson.with_suffix(".mdx"), sentence))
            live.wait_for("saved")
            # Apart, so that each save is one build.
            time.sleep(0.2)
    return seconds


def course_copy(work: Path) -> tuple[Path, Path]:
    """A copy of the course's sources and conf.py (the lessons get edited)."""
    confdir = work / "course"
    shutil.copytree(ROOT / "docs", confdir / "docs")
    shutil.copy(ROOT / "conf.py", confdir / "conf.py")
    if (ROOT / "locale").is_dir():
        shutil.copytree(ROOT / "locale", confdir / "locale")
    return confdir / "docs", confdir


def browser_saves(work: Path, saves: int) -> list[float]:
    """Save → the page in Chromium shows the sentence, the course under astro dev."""
    from debezium_course.browser_tools import watch_live_reload
    from debezium_course.node_tools import astro_dev, astro_site_dir, copy_fixture_site

    source, confdir = course_copy(work / "browser")
    seconds = []
    with astro_site_dir("bench-live") as site:
        empty = work / "empty"
        empty.mkdir()
        copy_fixture_site(site, empty)
        out = site / "src" / "content" / "course"
        with live_mdx(source, out, work / "browser-doctrees", confdir=confdir, env={"SPHINX_LANGUAGE": "ru"}), astro_dev(site) as origin:
            url = f"{origin}/debezium-course/course/{LESSON.with_suffix('').as_posix()}/"
            for number in range(saves):
                sentence = f"Страница увидела правку {number}."
                moments = {}

                def save() -> None:
                    with (source / LESSON).open("a", encoding="utf-8") as file:
                        file.write(f"\n{sentence}\n")
                    moments["saved"] = time.perf_counter()

                result = watch_live_reload(url, sentence, save, timeout=60, socket_match="?token=")
                if not result["found"]:
                    raise RuntimeError(f"the page never showed {sentence!r}: {result}")
                seconds.append(result["elapsedMs"] / 1000)
    return seconds


def report(name: str, seconds: list[float], target: float | None) -> bool:
    median = statistics.median(seconds)
    shown = ", ".join(f"{value:.3f}" for value in seconds)
    verdict = "" if target is None else (f"  target ≤ {target} s: " + ("PASS" if median <= target else "FAIL"))
    print(f"{name}: median {median:.3f} s over {len(seconds)} saves ({shown}){verdict}")
    return target is None or median <= target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m debezium_course.bench.live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--lessons", type=int, help="lessons of the synthetic course (default 1000; 50 with --quick)")
    parser.add_argument("--quick", action="store_true", help="3 saves, a 50-lesson course, no browser")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    saves = 3 if args.quick else args.saves
    lessons = args.lessons or (50 if args.quick else 1000)
    passed = True
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        work = Path(tmp)
        source, confdir = course_copy(work / "course")
        seconds = measure_saves(source, LESSON, work / "course-mdx", work / "course-work", saves, confdir=confdir, env={"SPHINX_LANGUAGE": "ru"})
        passed &= report("save → MDX written, the course (2 lessons)", seconds, TARGETS["course_s"])

        synthetic = work / "synthetic"
        planned = generate(synthetic, lessons, diagrams="component")
        lesson = Path(planned[len(planned) // 2].docname + ".md")
        seconds = measure_saves(synthetic, lesson, work / "synthetic-mdx", work / "synthetic-work", saves)
        passed &= report(f"save → MDX written, {lessons}-lesson course", seconds, TARGETS["large_s"] if lessons >= 1000 else None)

        if not args.quick:
            report("save → page updated in Chromium, the course under astro dev", browser_saves(work, saves), None)
    return 0 if passed or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
