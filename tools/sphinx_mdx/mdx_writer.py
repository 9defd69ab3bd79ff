"""The Node process that writes MDX from lesson trees and verifies it.

``mdx_writer.mjs`` (beside this file) serialises each lesson's intended
mdast tree with ``mdast-util-to-markdown`` and parses the result back with
micromark + GFM + MDX, as the course site does; a lesson whose MDX would read
back as anything but the intended tree is refused with the line of the
construct.  One process serves a whole build (one per ``-j`` worker).

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


class MdxWriter:
    """A running ``mdx_writer.mjs``; ``submit`` trees, ``drain`` before using the results."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise MdxWriterUnavailable(
                "the mdx builder writes MDX with Node (mdast-util-to-markdown, checked by the MDX parser), "
                "and `node` is not on PATH: install Node 20.19 or newer"
            )
        self._process = subprocess.Popen(
            [node, str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.pid = os.getpid()
        self._answers: queue.Queue = queue.Queue()
        self._pending: dict[int, Callback] = {}
        self._next_id = 0
        ready = self._process.stdout.readline()
        if not ready.strip():
            self._process.wait()
            raise MdxWriterUnavailable(
                f"{SCRIPT.name} did not start:\n{self._process.stderr.read().strip()}\n"
                "Its Node packages come from the project's package.json: run `make node` (npm ci)"
            )
        self._reader = threading.Thread(target=self._read_answers, name="mdx-writer-answers", daemon=True)
        self._reader.start()

    def _read_answers(self) -> None:
        # A thread of its own: if nobody read Node's answers while trees are
        # being sent, both pipes could fill up and each side wait for the other.
        for line in self._process.stdout:
            self._answers.put(json.loads(line))
        self._answers.put(None)

    def submit(self, tree: dict, on_written: Callback) -> None:
        """Send a tree; ``on_written`` runs in this thread, from ``poll`` or ``drain``."""
        self._next_id += 1
        self._pending[self._next_id] = on_written
        self._process.stdin.write(json.dumps({"id": self._next_id, "tree": tree}, ensure_ascii=False) + "\n")
        self._process.stdin.flush()
        self.poll()

    def poll(self) -> None:
        """Handle the answers that have arrived, without waiting."""
        while self._pending:
            try:
                answer = self._answers.get_nowait()
            except queue.Empty:
                return
            self._handle(answer)

    def drain(self) -> None:
        """Wait for every answer and handle it."""
        while self._pending:
            self._handle(self._answers.get())

    def _handle(self, answer: dict | None) -> None:
        if answer is None:
            self._process.wait()
            raise MdxWriterUnavailable(f"{SCRIPT.name} stopped (exit {self._process.returncode}):\n{self._process.stderr.read().strip()}")
        on_written = self._pending.pop(answer["id"])
        problems = tuple(Problem(item.get("line"), item["message"]) for item in answer.get("problems", ()))
        on_written(Written(answer.get("mdx"), problems))

    def close(self) -> None:
        self.drain()
        self._process.stdin.close()
        self._process.wait()
        self._reader.join()
