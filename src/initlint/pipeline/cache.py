"""The result cache: a second run over an unchanged tree parses nothing.

Like ruff's ``.ruff_cache``, but keyed by content rather than mtime, so it is never stale:
an entry is used only when the file's BLAKE2 digest matches. One JSON file holds every entry
of one (initlint build, Python version, analyzer settings) combination — one file to read on
a warm run instead of one per source file. What is cached is the analysis before
``select``/``ignore``/``noqa``/per-file-ignores, so changing those does not invalidate it.

Two things keep a warm cache warm. The digest leaves out ``# noqa`` directives, which the
analysis does not read either (``lint/gate/directives.py``): adding or editing one is a cache
hit, and the hit is exactly what a new analysis would give. And entries are keyed by the
path from the project root (the directory the cache lives in), so a checkout that is moved,
renamed or cloned again finds its entries where it left them.

Concurrent runs are safe: the file is replaced atomically (temp file + ``os.replace``), and a
writer merges the entries on disk into its own first, so the worst case is a lost entry (a
cache miss), never a torn file. A cache that cannot be read or written is ignored, and so is
a damaged one: it is opened only as a regular file of bounded size (a FIFO, or a symlink to
``/dev/zero``, is never read); a file that does not parse (nesting too deep for the JSON
parser, ``NaN``) counts as empty, and an entry that is not well formed (a position of
``1e400``, an unknown code) as a miss, so that the run re-analyses and the save rewrites it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from typing import Optional

from initlint import __version__
from initlint.catalog import RULES
from initlint.finding import CellPlace, Finding
from initlint.lint.gate.directives import strip_noqa_bytes
from initlint.pipeline.sources import SourceProblem, read_bytes

_FORMAT = 2
_GITIGNORE = "# Automatically created by initlint.\n*\n"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by initlint.\n"

#: A cache file larger than this is damaged (50,000 files of findings take some 10 MB).
MAX_CACHE_BYTES = 256 << 20
_MAX_POSITION = 1 << 31

Entry = "list[tuple[int, int, str, str, Optional[str]]]"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def content_key(data: bytes, document: bool = False) -> str:
    """What a cache entry is checked against: the digest of a Python file without its noqa
    directives, the only text the analysis never reads (the run applies them after the
    cache). A document's directives are applied in the worker, so they count."""
    return digest(data if document else strip_noqa_bytes(data))


def build_fingerprint() -> str:
    """Identifies the analyzer build: the version plus the size and mtime of every module of
    the installed package, so an editable install being worked on never serves old results."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{_FORMAT}|{__version__}|{sys.implementation.cache_tag}".encode())
    pkg = os.path.dirname(os.path.abspath(__file__))
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                h.update(f"{os.path.relpath(dirpath, pkg)}/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def project_path(path: str, root: str) -> str:
    """``path`` as seen from the project root, ``/``-separated (``src/model.py``): how the
    cache, the analysis and baselines name a file wherever the checkout lives. A file outside
    the root keeps its absolute path."""
    full, root = os.path.abspath(path), os.path.abspath(root)
    inside = full.startswith(root if root.endswith(os.sep) else root + os.sep)
    return (os.path.relpath(full, root) if inside else full).replace(os.sep, "/")


class Cache:
    """Entries: path from ``root`` (``/``-separated) -> [content key, findings as tuples]."""

    def __init__(self, directory: str, settings_key: str, root: Optional[str] = None):
        self.directory = directory
        self.root = os.path.abspath(root or os.getcwd())
        key = hashlib.blake2b(settings_key.encode(), digest_size=8).hexdigest()
        self.file = os.path.join(directory, f"v{__version__}", f"{build_fingerprint()}-{key}.json")
        self.entries: dict[str, list] = self._read()
        self.dirty: dict[str, list] = {}
        self.hits = 0

    def get(self, path: str, content_digest: str) -> "Optional[list[Finding]]":
        entry = self.entries.get(self._key(path))
        if not _valid_entry(entry) or entry[0] != content_digest:
            return None  # a damaged entry is a miss
        findings = [
            Finding(path, line, col, code, message, idiom, CellPlace(*cell[0]) if cell else None)
            for line, col, code, message, idiom, *cell in entry[1]
        ]
        self.hits += 1
        return findings

    def put(self, path: str, content_digest: str, findings: "list[Finding]") -> None:
        # A notebook's finding carries its cell place as a sixth item: [cell, line, col].
        rows = [[f.line, f.col, f.code, f.message, f.idiom, *([list(f.cell)] if f.cell else [])] for f in findings]
        entry = [content_digest, rows]
        key = self._key(path)
        self.entries[key] = entry
        self.dirty[key] = entry

    def _key(self, path: str) -> str:
        return project_path(path, self.root)

    def save(self) -> None:
        """Merge with what is on disk now and replace the file atomically; errors are ignored
        (a read-only checkout simply runs without a cache)."""
        if not self.dirty:
            return
        try:
            self._ensure_dir()
            merged = self._read()
            merged.update(self.dirty)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=os.path.dirname(self.file))
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(merged, f, separators=(",", ":"))
                os.replace(tmp, self.file)
            except BaseException:
                _unlink(tmp)
                raise
            self._prune()
        except OSError:
            return
        self.dirty = {}

    def _prune(self, keep: int = 8) -> None:
        """Keep the most recent cache files of this version: every settings or build change
        starts a new file, and old ones would otherwise pile up."""
        folder = os.path.dirname(self.file)
        files = []
        now = time.time()
        for name in os.listdir(folder):
            full = os.path.join(folder, name)
            try:
                mtime = os.stat(full).st_mtime
            except OSError:
                continue
            if name.startswith(".tmp-") and now - mtime < 3600:
                continue  # another run is writing it
            files.append((mtime, full))
        for _, full in sorted(files, reverse=True)[keep:]:
            if full != self.file:
                _unlink(full)

    def _read(self) -> dict:
        """The entries on disk; {} for a cache that is missing, unreadable or damaged."""
        try:  # (read_bytes opens only a regular file, without blocking, and bounds the read)
            data = json.loads(read_bytes(self.file, MAX_CACHE_BYTES), parse_constant=_reject)
        except (SourceProblem, ValueError, RecursionError, MemoryError):
            return {}
        return data if isinstance(data, dict) else {}

    def _ensure_dir(self) -> None:
        os.makedirs(os.path.dirname(self.file), exist_ok=True)
        for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _TAG)):
            marker = os.path.join(self.directory, name)
            if not os.path.exists(marker):
                try:
                    with open(marker, "x", encoding="utf-8") as f:
                        f.write(text)
                except FileExistsError:
                    pass


def _reject(constant: str) -> None:
    raise ValueError(f"not a cache value: {constant}")  # NaN, Infinity: never written by save()


def _valid_entry(entry: object) -> bool:
    """``[digest, [[line, col, code, message, idiom(, [cell, line, col])], ...]]`` with sane
    values; anything else is damage (a hand edit, a disk error) and must not reach the report."""
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], list)):
        return False
    return all(_valid_row(row) for row in entry[1])


def _valid_row(row: object) -> bool:
    if not (isinstance(row, list) and len(row) in (5, 6)):
        return False
    line, col, code, message, idiom = row[:5]
    return (
        _position(line, 0)
        and _position(col, 0)
        and code in RULES
        and isinstance(message, str)
        and (idiom is None or isinstance(idiom, str))
        and (len(row) == 5 or _cell_place(row[5]))
    )


def _position(value: object, least: int) -> bool:
    return type(value) is int and least <= value < _MAX_POSITION


def _cell_place(value: object) -> bool:
    return isinstance(value, list) and len(value) == 3 and _position(value[0], 1) and _position(value[1], 1) and _position(value[2], 0)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
