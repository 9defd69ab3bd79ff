"""Benchmark of the doctest Kafka broker (a measurement, not a test).

    .venv/bin/python -m debezium_course.bench_kafka [--starts N] [--strict]

Prints:
  * broker cold start with the jars already cached (target <= 15 s),
  * the full doctest run of lesson 5.1 as `make doctest` runs it, broker
    start included (target <= 60 s),
  * the peak resident memory (VmHWM) of the broker JVM during that run
    (target <= 1 GiB).
--strict exits with status 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from debezium_course.kafka_broker import KafkaBroker, ensure_jars, kafka_version
from debezium_course import REPO_ROOT

ROOT = REPO_ROOT
LESSON = "docs/05-module-5/01-advanced-python-consumer.md"
START_TARGET_S = 15.0
DOCTEST_TARGET_S = 60.0
RSS_TARGET_KIB = 1024 * 1024


def vm_hwm_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) if match else None


def measure_cold_starts(count: int) -> list[float]:
    times = []
    for _ in range(count):
        broker = KafkaBroker()
        began = time.monotonic()
        try:
            broker.start()
            times.append(time.monotonic() - began)
        finally:
            broker.cleanup()
    return times


def measure_lesson_doctest() -> tuple[float, int | None, int]:
    """Run the lesson's doctests through `python -m debezium_course.kafka_broker exec`, as make does.

    Returns (seconds, peak broker RSS in KiB, exit code).
    """
    python = sys.executable
    sphinx_build = str(Path(python).with_name("sphinx-build"))
    with tempfile.TemporaryDirectory(prefix="bench-doctest-") as out:
        cmd = [python, "-m", "debezium_course.kafka_broker", "exec", "--",
               sphinx_build, "-q", "-c", str(ROOT), "-b", "doctest", "-d", f"{out}/doctrees",
               str(ROOT / "docs"), f"{out}/doctest", str(ROOT / LESSON)]
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        began = time.monotonic()
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        peak: dict[str, int | None] = {"kib": None}

        def watch_broker() -> None:
            # The exec wrapper announces the broker pid on stderr; VmHWM is the
            # process's high-water mark, so the last reading is the peak.
            for line in process.stderr:
                match = re.search(r"\(pid (\d+)\)", line)
                if match:
                    pid = int(match.group(1))
                    while (reading := vm_hwm_kib(pid)) is not None:
                        peak["kib"] = reading
                        time.sleep(0.2)

        watcher = threading.Thread(target=watch_broker, daemon=True)
        watcher.start()
        process.stdout.read()
        code = process.wait()
        elapsed = time.monotonic() - began
        watcher.join(timeout=5)
        report = Path(out, "doctest", "output.txt")
        if code != 0 or "0 failures in tests" not in (report.read_text() if report.exists() else ""):
            print(report.read_text() if report.exists() else "(no doctest report)", file=sys.stderr)
            code = code or 1
    return elapsed, peak["kib"], code


def verdict(ok: bool) -> str:
    return "within target" if ok else "OVER TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=3, help="cold starts to time (default 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    began = time.monotonic()
    ensure_jars()
    print(f"Kafka {kafka_version()} jars ready in {time.monotonic() - began:.1f} s (cached after the first fetch)")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

    starts = measure_cold_starts(args.starts)
    start_ok = max(starts) <= START_TARGET_S
    print(f"broker cold start, jars cached: median {statistics.median(starts):.1f} s, "
          f"max {max(starts):.1f} s over {len(starts)} starts "
          f"({', '.join(f'{t:.1f}' for t in starts)}) "
          f"[target <= {START_TARGET_S:.0f} s: {verdict(start_ok)}]")

    elapsed, peak_kib, code = measure_lesson_doctest()
    doctest_ok = code == 0 and elapsed <= DOCTEST_TARGET_S
    print(f"lesson 5.1 doctest run incl. broker start: {elapsed:.1f} s, exit code {code} "
          f"[target <= {DOCTEST_TARGET_S:.0f} s: {verdict(doctest_ok)}]")

    rss_ok = peak_kib is not None and peak_kib <= RSS_TARGET_KIB
    shown = f"{peak_kib / 1024:.0f} MiB" if peak_kib is not None else "not measured"
    print(f"broker JVM peak RSS (VmHWM) during that run: {shown} [target <= 1024 MiB: {verdict(rss_ok)}]")

    return 1 if args.strict and not (start_ok and doctest_ok and rss_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
