"""The Node process that writes MDX from lesson trees and verifies it.

``mdx_writer.mjs`` (beside this file) serialises each lesson's intended
mdast tree with ``mdast-util-to-markdown`` and parses the result back with
micromark + GFM + MDX, as the course site does; a lesson whose MDX would read
back as anything but the intended tree is refused with the line of the
construct.  A build keeps its processes for all its lessons (a ``-j``
worker starts its own).

Trees are sent as they are translated and answers are taken as they come,
so Sphinx translates the next lesson while Node writes the last one: on two
cores the verification mostly overlaps the rest of the build.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sphinx.errors import SphinxError

SCRIPT = Path(__file__).with_name("mdx_writer.mjs")


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


class _NodeProcess:
    """One ``mdx_writer.mjs``; its answers go to a queue shared with its siblings."""

    def __init__(self, node: str, answers: queue.Queue) -> None:
        self.process = subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.pending = 0
        if not self.process.stdout.readline().strip():
            self.process.wait()
            raise MdxWriterUnavailable(
                f"{SCRIPT.name} did not start:\n{self.process.stderr.read().strip()}\n"
                "Its Node packages come from the project's package.json: run `make node` (npm ci)"
            )
        self.reader = threading.Thread(target=self._read_answers, args=(answers,), name="mdx-writer-answers", daemon=True)
        self.reader.start()

    def _read_answers(self, answers: queue.Queue) -> None:
        # A thread of its own: if nobody read Node's answers while trees are
        # being sent, both pipes could fill up and each side wait for the other.
        for line in self.process.stdout:
            answers.put((self, json.loads(line)))
        answers.put((self, None))

    def send(self, request: dict) -> None:
        self.pending += 1
        self.process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def stopped(self) -> MdxWriterUnavailable:
        self.process.wait()
        return MdxWriterUnavailable(f"{SCRIPT.name} stopped (exit {self.process.returncode}):\n{self.process.stderr.read().strip()}")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.reader.join()


class MdxWriter:
    """Running ``mdx_writer.mjs`` processes; ``submit`` trees, ``drain`` before using the results.

    Parsing the MDX back is most of the writer's work and is single-threaded
    in Node, so a build with cores to spare runs more than one process; each
    tree goes to the one with the fewest trees waiting.
    """

    def __init__(self, processes: int = 1) -> None:
        node = shutil.which("node")
        if node is None:
            raise MdxWriterUnavailable(
                "the mdx builder writes MDX with Node (mdast-util-to-markdown, checked by the MDX parser), "
                "and `node` is not on PATH: install Node 20.19 or newer"
            )
        self.pid = os.getpid()
        self._answers: queue.Queue = queue.Queue()
        self._processes = [_NodeProcess(node, self._answers) for _ in range(max(1, processes))]
        self._pending: dict[int, Callback] = {}
        self._next_id = 0
        # Seconds Node spent serialising and parsing back, over all processes.
        self.node_seconds = {"serialize": 0.0, "verify": 0.0}

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
            raise process.stopped()
        process.pending -= 1
        for step, milliseconds in answer["timing"].items():
            self.node_seconds[step] += milliseconds / 1000
        on_written = self._pending.pop(answer["id"])
        problems = tuple(Problem(item.get("line"), item["message"]) for item in answer.get("problems", ()))
        on_written(Written(answer.get("mdx"), problems))

    def close(self) -> None:
        self.drain()
        for process in self._processes:
            process.close()
