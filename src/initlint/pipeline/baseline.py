"""Baselines: adopt initlint on an existing codebase, then see only the findings that are new.

``--write-baseline FILE`` records every current finding; ``--baseline FILE`` then reports only
the findings that are not in it. A finding is recognised by its *fingerprint*, never by its
line number, so that edits elsewhere do not bring old findings back:

    path from the project root | code | enclosing definition | the reported statement

The definition is the chain of enclosing class and function names (``Net._init_weights``);
the statement is the smallest statement holding the finding (the header alone for a compound
one), read by ``ast`` and printed back by ``ast.unparse``, so that its formatting, comments
(``# noqa`` too) and quotes do not count. Identical findings in one definition are told apart
by their order (``:1``, ``:2``). Moving code within a file, adding lines above it, reformatting
it and editing the rest of its function keep a fingerprint; changing the statement, renaming
its definition or moving it to another file make it a new finding. The same fingerprints go
into SARIF's ``partialFingerprints``, so that GitHub code scanning follows findings the same way.

INI900 and INI901 (files that could not be analysed) are never baselined. A run on some
paths only (pre-commit names the staged files) speaks for those paths only: the baseline's
other entries are neither counted as gone nor dropped when it is written again.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional

from initlint.catalog import RULES
from initlint.finding import Finding
from initlint.pipeline.cache import project_path
from initlint.pipeline.config import ConfigError

FORMAT = 1
_MARK = "initlint-baseline"
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: The statement recorded beside each fingerprint, for people reading the file, is cut here.
_SHOWN = 120


@dataclass(frozen=True)
class Print:
    """What identifies a finding, and its fingerprint (``hash:occurrence``)."""

    path: str  # from the project root, "/"-separated
    code: str
    scope: str  # "Net._init_weights", or "" at module level
    statement: str
    fingerprint: str


def fingerprints(findings: Iterable[Finding], sources: Mapping[str, str], root: str) -> "dict[Finding, Print]":
    """The print of every finding whose file's text is in ``sources`` (run diagnostics
    excluded). Each file is parsed once, with ``ast``."""
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if not _always_on(f.code) and f.path in sources:
            by_path.setdefault(f.path, []).append(f)
    out: dict[Finding, Print] = {}
    for path, found in by_path.items():
        out.update(_file_prints(path, sources[path], sorted(found), project_path(path, root)))
    return out


def _file_prints(path: str, text: str, found: "list[Finding]", rel: str) -> "dict[Finding, Print]":
    lines = text.split("\n")
    try:
        tree: Optional[ast.Module] = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None  # (a notebook's magics, say): the reported line stands for the statement
    seen: Counter = Counter()
    out = {}
    for f in found:
        scope, statement = _context(tree, lines, f)
        key = (f.code, scope, statement)
        seen[key] += 1
        digest = hashlib.blake2b("\0".join((rel, *key)).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        out[f] = Print(rel, f.code, scope, statement, f"{digest}:{seen[key]}")
    return out


def _context(tree: Optional[ast.Module], lines: "list[str]", f: Finding) -> "tuple[str, str]":
    """(enclosing definitions, normalised statement) of the finding's position."""
    line_text = lines[f.line - 1] if 1 <= f.line <= len(lines) else ""
    if tree is not None:
        where = (f.line, len(line_text[: f.col].encode("utf-8", "surrogatepass")))  # ast counts bytes
        found = _innermost(tree.body, where, ())
        if found is not None:
            try:
                return ".".join(found[1]), _statement_text(found[0])
            except (RecursionError, ValueError, MemoryError):
                pass
    return "", " ".join(line_text.split("#", 1)[0].split())


def _innermost(body: "list[ast.stmt]", where: "tuple[int, int]", names: tuple) -> "Optional[tuple[ast.stmt, tuple]]":
    """The smallest statement in ``body`` (or below) holding ``where``, with the names of the
    definitions around it."""
    for stmt in body:
        if not _holds(stmt, where):
            continue
        inside = names + (stmt.name,) if isinstance(stmt, _DEFINITIONS) else names
        for block in _blocks(stmt):
            found = _innermost(block, where, inside)
            if found is not None:
                return found
        return stmt, names
    return None


def _blocks(stmt: ast.stmt) -> "Iterable[list[ast.stmt]]":
    """The statement lists nested in ``stmt`` (an ``except`` or ``case`` clause holds one)."""
    for field in _BODIES:
        value = getattr(stmt, field, None) or []
        if field in ("handlers", "cases"):
            yield from (clause.body for clause in value)
        else:
            yield value


def _holds(node: ast.stmt, where: "tuple[int, int]") -> bool:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", ())])
    start = (first, node.col_offset if first == node.lineno else 0)
    end = (node.end_lineno or node.lineno, node.end_col_offset if node.end_col_offset is not None else 1 << 30)
    return start <= where < end


def _statement_text(node: ast.stmt) -> str:
    """The statement as ``ast`` reads it (formatting and comments gone); a compound statement
    is its header alone (``for m in self.modules():``)."""
    if any(getattr(node, field, None) for field in _BODIES) or isinstance(node, _DEFINITIONS):
        node = copy.copy(node)
        for field in _BODIES:
            if hasattr(node, field):
                setattr(node, field, [])
        if hasattr(node, "decorator_list"):
            node.decorator_list = []
    return ast.unparse(node).strip()


def _always_on(code: str) -> bool:
    rule = RULES.get(code)
    return rule is not None and rule.always_on


# -- the baseline file ------------------------------------------------------------------------


def write(path: str, prints: Iterable[Print], kept: "Iterable[dict]" = ()) -> int:
    """Write the baseline atomically (a run that fails leaves the old one); returns the
    number of findings recorded. ``kept``: entries of the old baseline for paths this run did
    not check. The order is stable, so that the file diffs cleanly."""
    rows = {
        (p.path, p.scope, p.statement, p.code, p.fingerprint): {
            "path": p.path,
            "code": p.code,
            "scope": p.scope,
            "statement": p.statement if len(p.statement) <= _SHOWN else p.statement[: _SHOWN - 3] + "...",
            "fingerprint": p.fingerprint,
        }
        for p in prints
    }
    for row in kept:
        rows.setdefault(tuple(str(row.get(k, "")) for k in ("path", "scope", "statement", "code", "fingerprint")), row)
    rows = sorted(rows.items())
    document = {_MARK: FORMAT, "findings": [row for _, row in rows]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".initlint-baseline-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            _unlink(tmp)
            raise
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the baseline: {(e.strerror or str(e)).lower()}") from None
    return len(rows)


def load(path: str) -> "list[dict]":
    """The entries a baseline file records (each with its ``path`` and ``fingerprint``); a
    missing or malformed file is a one-line error."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline not found (write one with --write-baseline {path})") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the baseline: {(e.strerror or str(e)).lower()}") from None
    except (ValueError, RecursionError):
        raise ConfigError(f"{path}: not an initlint baseline (not JSON)") from None
    rows = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get(_MARK) != FORMAT or not isinstance(rows, list):
        raise ConfigError(f"{path}: not an initlint baseline (expected {{\"{_MARK}\": {FORMAT}, \"findings\": [...]}})")
    if not all(isinstance(r, dict) and isinstance(r.get("fingerprint"), str) and isinstance(r.get("path"), str) for r in rows):
        raise ConfigError(f"{path}: not an initlint baseline (a finding without a path or fingerprint)")
    return rows


def covering(paths: "Iterable[str]", root: str) -> "Callable[[str], bool]":
    """Whether a baseline entry's path (from the project root) is under one of the ``paths``
    a run checked."""
    if any(os.path.abspath(p) == os.path.abspath(root) for p in paths):
        return lambda rel: True
    from_root = [project_path(p, root) for p in paths]
    return lambda rel: any(rel == p or rel.startswith(p + "/") for p in from_root)


@dataclass
class Filtered:
    findings: "list[Finding]"  # what the baseline does not hold, run diagnostics included
    known: int  # findings the baseline holds (not shown)
    gone: int  # baseline entries no longer found (fixed, or changed): rewrite the baseline


def apply(
    findings: "list[Finding]", prints: "Mapping[Finding, Print]", recorded: "list[dict]", checked: "Callable[[str], bool]"
) -> Filtered:
    """The findings ``recorded`` does not hold; entries under the ``checked`` paths that no
    finding matched are gone."""
    known = {r["fingerprint"] for r in recorded}
    new, matched = [], set()
    for f in findings:
        p = prints.get(f)
        if p is not None and p.fingerprint in known:
            matched.add(p.fingerprint)
        else:
            new.append(f)
    gone = {r["fingerprint"] for r in recorded if checked(r["path"])} - matched
    return Filtered(new, len(findings) - len(new), len(gone))


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
