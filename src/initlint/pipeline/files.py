"""Path discovery: which files a run checks.

Directories are walked for the files the ``include`` globs match (default: ``*.py`` and
``*.ipynb``, as ruff; ``extend-include`` adds ``*.md``, ``docs/**/*.rst``...), skipping VCS,
virtualenv, build and cache folders and the config's ``exclude`` globs. Stubs (``*.pyi``) hold
no init code and are not walked; name one explicitly to check it. Explicitly named files are
always checked, whatever their suffix, unless ``force-exclude`` is set (for pre-commit, which
names every staged file). What a file is read as (Python, a notebook, Markdown, reST) follows
from its suffix, not from how it was found. Symlinked directories are not followed, so a
symlink loop cannot hang a walk; a broken symlink or loop that the globs match becomes a
diagnostic instead of a silent skip.
"""

from __future__ import annotations

import errno
import itertools
import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable, Iterator, Optional

#: What a directory walk picks up when the config does not say (``include``).
DEFAULT_INCLUDE = ("*.py", "*.ipynb")

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", "build", "dist",
        "__pycache__", "node_modules", ".initlint_cache", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", ".eggs", "__pypackages__", "site-packages",
    }
)


@dataclass(frozen=True)
class Target:
    """A file to check (``problem`` is None) or a path that cannot be: (code, message)."""

    path: str
    problem: Optional["tuple[str, str]"] = None


class Globs:
    """Globs relative to the project root (``include`` and ``exclude``).

    A glob matches a path's name (``*_pb2.py``, ``fixtures``) or its root-relative path
    (``tests/hostile``, ``src/*/generated``); ``*`` crosses ``/`` as in flake8 and ruff, and
    ``**/`` also matches no directory at all (``docs/**/*.md`` matches ``docs/index.md``)."""

    def __init__(self, patterns: Iterable[str], root: str):
        self.patterns = tuple(dict.fromkeys(v for p in patterns if p.strip() for v in _variants(p.rstrip("/"))))
        self.root = os.path.abspath(root)
        # ``*.py``: a suffix test on the name settles it (a walk asks for every file).
        simple = [p for p in self.patterns if p.startswith("*.") and not any(c in p[2:] for c in "*?[/")]
        self.suffixes = tuple(p[1:] for p in simple)
        self.others = tuple(p for p in self.patterns if p not in simple)

    def __call__(self, path: str) -> bool:
        if self.suffixes and os.path.basename(path).endswith(self.suffixes):
            return True
        if not self.others:
            return False
        full = os.path.abspath(path)
        name = os.path.basename(full)
        rel = os.path.relpath(full, self.root).replace(os.sep, "/")
        for pat in self.others:
            if fnmatchcase(name, pat) or fnmatchcase(rel, pat) or fnmatchcase(full.replace(os.sep, "/"), pat):
                return True
        return False


def _variants(pattern: str) -> "list[str]":
    """``pattern`` and each spelling of it with some of its ``**/`` removed (at most 4 of them
    are expanded: 16 spellings)."""
    parts = pattern.split("**/")
    if len(parts) == 1 or len(parts) > 5:
        return [pattern]
    out = []
    for keep in itertools.product(("**/", ""), repeat=len(parts) - 1):
        out.append(parts[0] + "".join(k + part for k, part in zip(keep, parts[1:])))
    return out


class Excluder(Globs):
    """The ``exclude`` globs: a path is excluded when it, or a directory above it, matches."""

    def covers(self, path: str) -> bool:
        """The path or any directory above it (up to the root) is excluded: how an
        explicitly named ``generated/m.py`` meets ``exclude = ["generated"]``."""
        full = os.path.abspath(path)
        while True:
            if self(full):
                return True
            parent = os.path.dirname(full)
            if parent == full or full == self.root:
                return False
            full = parent


def discover(
    paths: "list[str]", excluder: Excluder, force_exclude: bool = False, included: Optional[Globs] = None
) -> "list[Target]":
    """Expand ``paths`` into targets, de-duplicated, in a stable (sorted) order. ``included``:
    the files a walk picks up (default: :data:`DEFAULT_INCLUDE`)."""
    if included is None:
        included = Globs(DEFAULT_INCLUDE, excluder.root)
    seen: dict[str, Target] = {}
    for arg in paths or ["."]:
        for target in _expand(arg, excluder, force_exclude, included):
            key = os.path.normcase(os.path.abspath(target.path))
            seen.setdefault(key, target)
    return sorted(seen.values(), key=lambda t: t.path)


def _expand(arg: str, excluder: Excluder, force_exclude: bool, included: Globs) -> Iterator[Target]:
    path = _display(arg)
    if force_exclude and excluder.covers(path):
        return
    try:
        is_dir = os.path.isdir(path)  # follows a symlink the user named explicitly
    except OSError:  # pragma: no cover - isdir swallows OSError on most platforms
        is_dir = False
    if is_dir:
        yield from _walk(path, excluder, included)
    elif os.path.lexists(path):
        yield Target(path)  # read_bytes reports broken links, loops, non-regular files
    else:
        yield Target(path, ("INI900", "no such file or directory"))


def _walk(top: str, excluder: Excluder, included: Globs) -> Iterator[Target]:
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as e:
            yield Target(directory, ("INI900", f"cannot list directory: {(e.strerror or str(e)).lower()}"))
            continue
        for entry in entries:
            path = _display(os.path.join(directory, entry.name))
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info") or excluder(path):
                    continue
                if os.path.exists(os.path.join(path, "pyvenv.cfg")):
                    continue  # a virtualenv under any name
                stack.append(path)
            elif included(path) and not excluder(path):
                problem = _link_problem(entry)
                if problem is not None or not entry.is_symlink():
                    yield Target(path, problem)
                elif os.path.isfile(path):  # a symlink to a file; one to a directory is skipped
                    yield Target(path)


def _link_problem(entry: os.DirEntry) -> "Optional[tuple[str, str]]":
    if not entry.is_symlink():
        return None
    try:
        os.stat(entry.path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return ("INI900", "symbolic link loop")
        return ("INI900", "broken symbolic link")
    return None


def _display(path: str) -> str:
    """``./a/../b.py`` -> ``b.py``: the path as users expect to read it."""
    return os.path.normpath(path) if path else "."
