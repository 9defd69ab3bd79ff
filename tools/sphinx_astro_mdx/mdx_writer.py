"""The Node processes that write MDX from lesson trees and verify it.

``mdx_writer.mjs`` (beside this file) serialises each lesson's intended
mdast tree with ``mdast-util-to-markdown`` and parses the result back with
micromark + GFM + MDX, as the course site does; a lesson whose MDX would read
back as anything but the intended tree is refused with the line of the
construct.  A build keeps its processes for all its lessons (a ``-j``
worker starts its own).

Trees are sent as they are translated and answers are taken as they come,
so Sphinx resolves and translates the next lesson while Node writes the
last one.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sphinx.errors import SphinxError

from . import node_packages



class MdxWriterUnavailable(SphinxError):
    category = "MDX writer unavailable"


@dataclass(frozen=True)
class Problem:
    """Why a lesson's MDX was refused; ``line`` is the lesson's line, if known."""

    line: int | None
    message: str


@dataclass(frozen=True)
class Written:
    mdx: str | None
    problems: tuple[Problem, ...]


Callback = Callable[[Written], None]


def usable_cores() -> int:
    """Cores this process may run on (affinity and CPU sets, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def start_node_script(node: str, script: Path) -> tuple[subprocess.Popen, IO[str]]:
    """A Node script that talks JSON lines on stdin/stdout, and the file its
    stderr goes to (nobody reads a pipe while Node runs, and a full pipe
    would stop Node)."""
    stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    process = subprocess.Popen(
        [node, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        encoding="utf-8",
        bufsize=1,
        env={**os.environ, "NO_COLOR": "1"},
        # Not in the terminal's process group: Ctrl-C reaches the build
        # (or the watcher), which then ends its Node processes in order,
        # instead of killing them under a build that still talks to them.
        start_new_session=True,
    )
    return process, stderr


def how_it_stopped(script: Path, process: subprocess.Popen, stderr: IO[str], what: str) -> str:
    """What to tell the author about a Node script that ended: its exit status and stderr."""
    process.wait()
    stderr.seek(0)
    return f"{script.name} {what} (exit {process.returncode}):\n{stderr.read().strip()}\n"


class _NodeProcess:
    """One ``mdx_writer.mjs``; its answers go to a queue shared with its siblings.

    Started without waiting: Node loads its modules (about half a second)
    while Sphinx goes on; ``send`` waits for the process to be ready.
    """

    def __init__(self, node: str, answers: queue.Queue) -> None:
        self.script = node_packages.script("mdx_writer.mjs")
        self.process, self._stderr = start_node_script(node, self.script)
        self.pending = 0
        self.used = False
        self._answers = answers
        self._reader: threading.Thread | None = None

    def _start_reading(self) -> None:
        if not self.process.stdout.readline().strip():
            raise self.stopped("did not start")
        self._reader = threading.Thread(target=self._read_answers, name="mdx-writer-answers", daemon=True)
        self._reader.start()

    def _read_answers(self) -> None:
        # A thread of its own: if nobody read Node's answers while trees are
        # being sent, both pipes could fill up and each side wait for the other.
        try:
            for line in self.process.stdout:
                self._answers.put((self, json.loads(line)))
        finally:
            # Whatever ended the stream, the builder must not wait for more.
            self._answers.put((self, None))

    def send(self, request: dict) -> None:
        if self._reader is None:
            self._start_reading()
        self.used = True
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self.process.stdin.flush()
        except OSError:
            raise self.stopped("stopped") from None
        self.pending += 1

    def stopped(self, what: str) -> MdxWriterUnavailable:
        return MdxWriterUnavailable(
            how_it_stopped(self.script, self.process, self._stderr, what)
            + "Its Node packages come from the project's package.json: run `make node` (npm ci)"
        )

    def close(self) -> None:
        if not self.used:
            # Never needed (nothing to write): no reason to wait for it to load.
            self.process.kill()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.process.wait()
        if self._reader is not None:
            self._reader.join()
        self.process.stdout.close()
        self._stderr.close()


class MdxWriter:
    """Running ``mdx_writer.mjs`` processes; ``submit`` trees, ``drain`` before using the results.

    Parsing the MDX back is most of the writer's work and is single-threaded
    in Node; with more lessons than one process keeps up with, ``grow``
    adds processes, one per usable core at most, and each tree goes to the
    process with the fewest trees waiting.
    """

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise MdxWriterUnavailable(
                "the mdx builder writes MDX with Node (mdast-util-to-markdown, checked by the MDX parser), "
                "and `node` is not on PATH: install Node 20.19 or newer"
            )
        modules = node_packages.node_modules()
        if modules is None:
            raise MdxWriterUnavailable(
                "the mdx builder writes MDX with Node packages (mdast-util-to-markdown, the MDX parser), and no node_modules "
                f"is above the builder ({node_packages.HERE}) or conf.py: install the project's package.json there (npm ci), "
                "or set mdx_node_modules to the node_modules that has them"
            )
        missing = node_packages.missing_writer_packages()
        if missing:
            raise MdxWriterUnavailable(
                f"the mdx builder writes MDX with Node packages that {modules} lacks ({', '.join(missing)}): "
                "install the project's package.json there (npm ci), or set mdx_node_modules to the node_modules that has them"
            )
        self._node = node
        self.pid = os.getpid()
        self._answers: queue.Queue = queue.Queue()
        self._processes = [_NodeProcess(node, self._answers)]
        self._pending: dict[int, Callback] = {}
        self._next_id = 0
        # Seconds Node spent serialising and parsing back, over all processes.
        self.node_seconds = {"serialize": 0.0, "verify": 0.0}

    def grow(self, processes: int) -> None:
        """Run up to ``processes`` processes (never more than the usable cores)."""
        while len(self._processes) < min(processes, usable_cores()):
            self._processes.append(_NodeProcess(self._node, self._answers))

    def submit(self, tree: dict, on_written: Callback) -> None:
        """Send a tree; ``on_written`` runs in this thread, from ``poll`` or ``drain``."""
        self._next_id += 1
        self._pending[self._next_id] = on_written
        min(self._processes, key=lambda process: process.pending).send({"id": self._next_id, "tree": tree})
        self.poll()

    def poll(self) -> None:
        """Handle the answers that have arrived, without waiting."""
        while self._pending:
            try:
                process, answer = self._answers.get_nowait()
            except queue.Empty:
                return
            self._handle(process, answer)

    def drain(self) -> None:
        """Wait for every answer and handle it."""
        while self._pending:
            self._handle(*self._answers.get())

    def _handle(self, process: _NodeProcess, answer: dict | None) -> None:
        if answer is None:
            # Its trees will never be answered: nobody may wait for them
            # (closing the writer after this error must not hang).
            self._pending.clear()
            raise process.stopped("stopped")
        process.pending -= 1
        for step, milliseconds in answer["timing"].items():
            self.node_seconds[step] += milliseconds / 1000
        on_written = self._pending.pop(answer["id"])
        problems = tuple(Problem(item.get("line"), item["message"]) for item in answer.get("problems", ()))
        on_written(Written(answer.get("mdx"), problems))

    def close(self) -> None:
        try:
            self.drain()
        finally:
            for process in self._processes:
                process.close()
