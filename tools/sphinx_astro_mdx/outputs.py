"""Writing into an output directory that other people's files share.

The MDX output directory is usually the course site's content collection, so
the builder must be a good neighbour: it writes only files it owns (listed in
a manifest), replaces them atomically, leaves a file alone when its bytes
would not change, and removes only files it wrote itself for lessons that no
longer exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

MANIFEST_NAME = ".sphinx-mdx-manifest.json"
# Temporary files are named so that a later build can tell its own leftovers
# (from a build that was killed mid-write) from anybody else's files.
TEMP_PREFIX = ".sphinx-mdx-"
TEMP_SUFFIX = ".tmp"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ForeignFileError(Exception):
    """The output path is taken by a file this builder did not write."""


class ReadOnlyOutputError(Exception):
    """Someone made an output file read-only; the builder respects that."""


class OutputDirectory:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest_path = root / MANIFEST_NAME
        # relpath -> {"sha256": digest of what was written, "source_read": when
        # Sphinx read the source it was written from}
        self.owned: dict[str, dict] = {}
        # What, besides the sources, the files were written for (the site's
        # forms, the diagram renderer): when it changes, every file is stale.
        self.written_for: str | None = None
        # Files this process wrote since the last ``forget_changes`` (a -j
        # worker's writes are not seen here).
        self.changed: set[str] = set()
        self._load_manifest()

    def _load_manifest(self) -> None:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        if not isinstance(data, dict):
            return
        files = data.get("files", {})
        self.owned = {str(path): entry for path, entry in files.items() if isinstance(entry, dict) and "sha256" in entry}
        self.written_for = data.get("written_for")

    def save_manifest(self) -> None:
        manifest = {"generator": "sphinx_astro_mdx", "written_for": self.written_for, "files": dict(sorted(self.owned.items()))}
        payload = json.dumps(manifest, indent=2, ensure_ascii=False)
        atomic_write(self.manifest_path, (payload + "\n").encode("utf-8"))

    def remove_interrupted_writes(self) -> list[str]:
        """Delete temporary files a killed build left; returns their paths."""
        removed = []
        if self.root.is_dir():
            for leftover in self.root.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
                leftover.unlink()
                removed.append(str(leftover.relative_to(self.root)))
        return removed

    def is_current(self, relpath: str, source_read: float | None) -> bool:
        """Whether an owned file still holds what was built from the source as last read."""
        entry = self.owned.get(relpath)
        if entry is None or source_read is None or entry.get("source_read") != source_read:
            return False
        try:
            return digest((self.root / relpath).read_bytes()) == entry["sha256"]
        except FileNotFoundError:
            return False

    def may_write(self, relpath: str) -> bool:
        """A path is ours to write if nobody else's file is there."""
        return relpath in self.owned or not (self.root / relpath).exists()

    def write(self, relpath: str, data: bytes) -> bool:
        """Write ``data`` to ``relpath`` unless it already holds exactly that.

        Returns whether the file changed.  Safe to call from parallel write
        workers: ownership is recorded afterwards, in the main process, by
        ``adopt``.
        """
        if not self.may_write(relpath):
            raise ForeignFileError(relpath)
        target = self.root / relpath
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            current = None
        if current == data:
            return False
        # Mode bits rather than os.access(): as root every file is writable.
        if current is not None and not target.stat().st_mode & 0o222:
            raise ReadOnlyOutputError(relpath)
        atomic_write(target, data)
        self.changed.add(relpath)
        return True

    def forget_changes(self) -> set[str]:
        """The files written since the last call, forgotten."""
        changed, self.changed = self.changed, set()
        return changed

    def needs_adopting(self, relpath: str, source_read: float | None) -> bool:
        """Whether the manifest's entry for a file is out of date: a file not
        yet recorded, one written from a source read again, or one written
        in this process (an image, a lesson rewritten for another site)."""
        entry = self.owned.get(relpath)
        return entry is None or entry.get("source_read") != source_read or relpath in self.changed

    def adopt(self, relpath: str, source_read: float | None = None) -> None:
        """Record a file this build wrote (or left identical) as ours."""
        self.owned[relpath] = {"sha256": digest((self.root / relpath).read_bytes()), "source_read": source_read}

    def remove_stale(self, keep: set[str]) -> tuple[list[str], list[str]]:
        """Delete owned files not in ``keep``; a file edited by hand since is kept.

        Returns (removed, kept because modified).
        """
        removed, modified = [], []
        for relpath in sorted(set(self.owned) - keep):
            target = self.root / relpath
            try:
                current = target.read_bytes()
            except FileNotFoundError:
                del self.owned[relpath]
                continue
            if digest(current) != self.owned[relpath]["sha256"]:
                modified.append(relpath)
                del self.owned[relpath]
                continue
            target.unlink()
            del self.owned[relpath]
            removed.append(relpath)
            _remove_empty_parents(target.parent, self.root)
        return removed, modified


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target`` so that readers see the old bytes or the new, never a mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _remove_empty_parents(directory: Path, root: Path) -> None:
    while directory != root and directory.is_relative_to(root):
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
