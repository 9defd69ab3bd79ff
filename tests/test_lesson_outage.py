"""Lesson 5.1's lab as a real test: the resilient consumer survives a broker
outage and resumes from its stored offset.

The consumer is not a copy: the lab gives ``resilient_consumer.py`` as one
complete code block (the one with ``main()``), and the test saves that block
as the file, exactly as the lab tells students to, and runs it as a separate
process with ``__name__ == '__main__'``.  The lab's second file,
``lab_tools.py`` (the block with ``cli()``), is saved and run the same way,
with the command lines the lab gives: it creates the topic, adds orders and
reports the committed offset.  Both files re-state definitions from earlier
sections of the lesson; a test checks they are the same code.  The broker
outage is real: the test stops and restarts the broker process while the
consumer runs.  Lab step 6 is real too: a ``fail-N`` file in the consumer's
directory makes it crash once on order N, and the restart processes N.
"""

from __future__ import annotations

import ast
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from debezium_course.myst_sources import myst_fences

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "docs" / "05-module-5" / "01-advanced-python-consumer.md"
TOPIC, GROUP = "m5l1-orders", "m5l1-lab"  # what the lab's main() uses

# The lab's complete files, identified by what they define.
LAB_MARKER = "def main("
TOOLS_MARKER = "def cli("

# Runs the saved file as `python resilient_consumer.py` would, with the
# course address kafka:9092 mapped to the test broker (as in the doctests).
RUNNER = (
    "import runpy, sys\n"
    "from debezium_course.doctest_kafka import map_course_addresses\n"
    "map_course_addresses()\n"
    "runpy.run_path(sys.argv[1], run_name='__main__')\n"
)
# The same for `python lab_tools.py ARGS...`: the script sees its own argv.
TOOLS_RUNNER = (
    "import runpy, sys\n"
    "from debezium_course.doctest_kafka import map_course_addresses\n"
    "map_course_addresses()\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def lesson_testcode_blocks() -> list[str]:
    return [body for _line, _options, body in myst_fences(LESSON.read_text(encoding="utf-8"), "testcode")]


def lab_block(marker: str = LAB_MARKER) -> str:
    matching = [block for block in lesson_testcode_blocks() if marker in block]
    assert len(matching) == 1, f"expected one lesson block with {marker!r}, found {len(matching)}"
    return matching[0]


def save_lab_script(path: Path, marker: str = LAB_MARKER) -> Path:
    path.write_text(lab_block(marker) + "\n", encoding="utf-8")
    return path


def top_level_definitions(source: str) -> dict[str, str]:
    """Module-level functions and assignments: name -> their AST dump."""
    definitions = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            definitions[node.name] = ast.dump(node)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            for target in node.targets:
                definitions[target.id] = ast.dump(node)
    return definitions


def test_lab_files_restate_the_lessons_code_unchanged():
    """What the lab files repeat from earlier sections is the code those sections ran."""
    earlier = {}
    for block in lesson_testcode_blocks():
        if LAB_MARKER not in block and TOOLS_MARKER not in block:
            earlier.update(top_level_definitions(block))
    restated = {
        LAB_MARKER: ("log", "AT_LEAST_ONCE_CONFIG", "consume_at_least_once", "_last_logged", "log_kafka_error"),
        TOOLS_MARKER: ("produce_orders", "committed_offset"),
    }
    for marker, names in restated.items():
        lab = top_level_definitions(lab_block(marker))
        for name in names:
            assert name in lab, f"the lab file with {marker!r} does not define {name}"
            assert lab[name] == earlier.get(name), f"the lab's {name} differs from the lesson's"


class LabConsumer:
    """The lab script in its own process; its stdout lines arrive on a queue."""

    def __init__(self, script: Path, bootstrap: str, stderr_path: Path):
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr_path = stderr_path
        self._stderr = open(stderr_path, "ab")
        self.process = subprocess.Popen(  # in the files' directory, as the lab runs it
            [sys.executable, "-u", "-c", RUNNER, str(script)], cwd=script.parent,
            stdout=subprocess.PIPE, stderr=self._stderr, text=True,
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.orders: list[int] = []

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_orders(self, expected: set[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not expected <= set(self.orders):
            assert self.process.poll() is None, f"consumer exited early:\n{self.stderr()}"
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                missing = sorted(expected - set(self.orders))
                pytest.fail(f"orders {missing} not processed within {timeout} s\n{self.stderr()}")
            self._take(line)

    def _take(self, line: str) -> None:
        match = re.fullmatch(r"processed order (\d+) \(offset (\d+)\)", line)
        if match:
            self.orders.append(int(match.group(1)))

    def wait_for_exit(self, timeout: float) -> int:
        """The exit code of a consumer that ends by itself; takes its last orders."""
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        while not self.lines.empty():
            self._take(self.lines.get())
        return code

    def stop(self) -> list[str]:
        """SIGTERM, as `docker compose stop` sends; returns the remaining output."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        assert code == 0, f"consumer exited with {code}\n{self.stderr()}"
        # The process has exited, but its last lines may still be on their way
        # from the pipe to the queue: the reader thread ends at end of file.
        self._reader.join(timeout=10)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return rest

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        """Ends the process if stop() did not, and closes our stderr handle."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


class LabTools:
    """`python lab_tools.py ARGS...` with the lab's own file."""

    def __init__(self, script: Path, bootstrap: str):
        self.script, self.bootstrap = script, bootstrap

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", TOOLS_RUNNER, str(self.script), *args], cwd=self.script.parent,
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap},
        )
        assert done.returncode == 0, f"lab_tools.py {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout.strip()


def wait_for_text(path: Path, pattern: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"))
        if found:
            return found.group(0)
        time.sleep(0.2)
    pytest.fail(f"{pattern!r} did not appear in {path} within {timeout} s:\n{path.read_text(errors='replace')}")


def test_lab_consumer_survives_outage_and_resumes_from_stored_offset(restartable_kafka_broker, tmp_path):
    broker = restartable_kafka_broker
    bootstrap = broker.bootstrap_servers
    script = save_lab_script(tmp_path / "resilient_consumer.py")
    tools = LabTools(save_lab_script(tmp_path / "lab_tools.py", TOOLS_MARKER), bootstrap)

    # Lab step 1: the topic, then the commands a student runs.
    assert tools("create-topic") == f"created {TOPIC}, partitions: 1"
    assert tools("create-topic") == f"{TOPIC} already exists"
    assert tools("produce", "0", "10") == "produced orders 0..9"

    # Run 1: the consumer is running when the broker goes down.
    first = LabConsumer(script, bootstrap, tmp_path / "run1.stderr")
    try:
        first.wait_for_orders(set(range(10)), timeout=60)
        broker.stop()
        # error_cb reports the outage as a non-fatal error; the process lives on.
        wait_for_text(first.stderr_path, r"WARNING Kafka error, the client retries by itself: .*(_TRANSPORT|_ALL_BROKERS_DOWN)", 30)
        time.sleep(2)
        assert first.process.poll() is None, f"the consumer died during the outage:\n{first.stderr()}"
        assert "FATAL" not in first.stderr()

        broker.start()  # same port, same data
        assert tools("produce", "10", "10") == "produced orders 10..19"
        first.wait_for_orders(set(range(20)), timeout=90)
        tail = first.stop()
    finally:
        first.kill()
    assert any(re.fullmatch(r"stopped after \d+ messages", line) for line in tail), tail
    # close() committed everything run 1 processed.
    assert tools("committed") == f"{GROUP} resumes at 20"

    # Broker and consumer both down, new orders arrive after the broker is back.
    broker.restart()
    assert tools("produce", "20", "5") == "produced orders 20..24"

    # Run 2: a new process resumes from the stored offset, not from the beginning.
    second = LabConsumer(script, bootstrap, tmp_path / "run2.stderr")
    try:
        second.wait_for_orders(set(range(20, 25)), timeout=60)
        second.stop()
    finally:
        second.kill()
    assert second.orders == list(range(20, 25)), "run 2 must start at the stored offset 20"
    assert tools("committed") == f"{GROUP} resumes at 25"

    # Lab step 6: order 27 fails once; the consumer crashes and commits what it handled.
    (tmp_path / "fail-27").touch()
    assert tools("produce", "25", "5") == "produced orders 25..29"
    third = LabConsumer(script, bootstrap, tmp_path / "run3.stderr")
    try:
        code = third.wait_for_exit(timeout=60)
    finally:
        third.kill()
    assert code == 1, f"the consumer should crash on order 27:\n{third.stderr()}"
    assert "RuntimeError: order 27: simulated failure" in third.stderr()
    assert third.orders == [25, 26]
    assert not (tmp_path / "fail-27").exists(), "the handler removes the marker"
    assert tools("committed") == f"{GROUP} resumes at 27"

    # The restart gets order 27 again, and this time it is processed.
    fourth = LabConsumer(script, bootstrap, tmp_path / "run4.stderr")
    try:
        fourth.wait_for_orders({27, 28, 29}, timeout=60)
        fourth.stop()
    finally:
        fourth.kill()
    assert fourth.orders == [27, 28, 29]

    processed = first.orders + second.orders + third.orders + fourth.orders
    assert set(processed) == set(range(30)), "an order was lost"
    assert tools("committed") == f"{GROUP} resumes at 30"
