"""Output formats: text (``full`` on a terminal, ``concise`` elsewhere), json, sarif (GitHub
code scanning), github (workflow annotations), and ``--statistics``. Each returns the whole
document as a string; stdout stays machine-parsable (summaries go to stderr, in the CLI).

Paths are whatever bytes the file system holds. Python hands a name that is not UTF-8 over
with each undecodable byte as a lone surrogate (U+DC80..U+DCFF): text and github keep them
(the CLI writes them back as the original bytes), JSON writes each as a ``\\udcXX`` escape
(valid JSON; ``os.fsencode`` of the decoded string gives the bytes back), and SARIF's URIs
percent-encode the bytes themselves (``bad%FF.py``).
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import unicodedata
from collections import Counter
from typing import Iterable, Mapping, Optional
from urllib.parse import quote

from initlint import __version__
from initlint.finding import Finding
from initlint.catalog import RULES

#: ``text`` is the terminal's format: ``full`` (a code frame under each finding) when stdout is
#: a terminal, ``concise`` (one ``path:line:col: CODE message`` line each) anywhere else.
FORMATS = ("text", "full", "concise", "json", "sarif", "github")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: The ``partialFingerprints`` key GitHub code scanning reads (its only one).
SARIF_FINGERPRINT_KEY = "primaryLocationLineHash"


def level(code: str) -> str:
    """The rule's severity (``Rule.level``), for SARIF and GitHub annotations."""
    rule = RULES.get(code)
    return rule.level if rule is not None else "error"


def location(f: Finding) -> str:
    """``path:line:col``, the column 1-based as flake8 and ruff print it; in a notebook
    ``path:cell N:line:col``, the line and column in the cell (as ruff prints it): the one
    place the text formats spell where a finding is."""
    if f.cell is not None:
        return f"{f.path}:cell {f.cell.cell}:{f.cell.line}:{f.cell.col + 1}"
    return f"{f.path}:{f.line}:{f.col + 1}"


def format_text(findings: Iterable[Finding], colour: bool = False) -> str:
    """``concise``: ``path:line:col: CODE message``, one line each; with ``--strict``, the
    reason a deliberate idiom was recognised follows in parentheses."""
    paint = _Paint(colour)
    return "".join(f"{paint.bold(location(f) + ':')} {paint.code(f.code)} {f.message}{_idiom(f)}\n" for f in findings)


def _idiom(f: Finding) -> str:
    return f" (deliberate: {f.idiom})" if f.idiom else ""


# -- full: a code frame under each finding, as ruff prints it ---------------------------------

#: Source lines shown before and after the reported one.
CONTEXT = 2


def format_full(
    findings: Iterable[Finding], sources: "Optional[Mapping[str, str]]" = None, colour: bool = False, width: int = 100
) -> str:
    """Each finding's line with its message wrapped to ``width``, the source around it with
    the reported expression underlined, the recognised idiom (``--strict``), and where the
    rule's page is. ``sources``: path -> decoded text (no text, no frame)."""
    paint = _Paint(colour)
    split: dict = {}
    out = []
    for f in findings:
        text = (sources or {}).get(f.path)
        if text is not None and f.path not in split:
            split[f.path] = text.split("\n")  # decoded text: every line break is "\n"
        where = location(f) + ":"
        head = [
            line.replace(_KEPT_SPACE, " ")
            for line in textwrap.wrap(f"{where} {f.code} {_keep_code_spans(f.message)}", width=max(40, width),
                                      subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)
        ]
        first = head[0][len(where) + len(f.code) + 2 :]
        out.append(f"{paint.bold(where)} {paint.code(f.code)} {first}".rstrip() + "\n")
        out.extend(line + "\n" for line in head[1:])
        frame = _frame(split.get(f.path), f, paint)
        out.extend(frame)
        note = paint.gutter(" " * _gutter(split.get(f.path), f) + " =" if frame else "  =")
        if f.idiom:
            out.append(f"{note} {paint.bold('note')}: recognised as deliberate: {f.idiom}\n")
        if f.code in RULES:
            out.append(f"{note} {paint.bold('help')}: `initlint rule {f.code}` explains {RULES[f.code].name}\n")
        out.append("\n")
    return "".join(out)


_KEPT_SPACE = "\x00"


def _keep_code_spans(text: str) -> str:
    """``text`` with the blanks inside each `code span` held together, so that wrapping never
    splits `# noqa: INI001` over two lines."""
    parts = text.split("`")
    return "`".join(p.replace(" ", _KEPT_SPACE) if i % 2 else p for i, p in enumerate(parts))


def _shown(lines: "list[str]", f: Finding) -> "tuple[int, int]":
    """The first and last line of the frame: up to CONTEXT lines each side, blank ends cut."""
    first, last = max(1, f.line - CONTEXT), min(len(lines), f.line + CONTEXT)
    while first < f.line and not lines[first - 1].strip():
        first += 1
    while last > f.line and not lines[last - 1].strip():
        last -= 1
    return first, last


def _gutter(lines: "Optional[list[str]]", f: Finding) -> int:
    return len(str(_shown(lines, f)[1])) if lines else 1


def _frame(lines: "Optional[list[str]]", f: Finding, paint: "_Paint") -> "list[str]":
    if not lines or not 1 <= f.line <= len(lines):
        return []
    first, last = _shown(lines, f)
    digits = len(str(last))
    bar = paint.gutter(" " * digits + " |")
    out = [bar + "\n"]
    for n in range(first, last + 1):
        shown = lines[n - 1].expandtabs(4).rstrip()
        out.append(paint.gutter(f"{n:>{digits}} |") + (" " + shown if shown else "") + "\n")
        if n == f.line:
            start, end = underline(lines[n - 1], f.col)
            pad = _cells(lines[n - 1][:start].expandtabs(4))
            marks = "^" * max(1, _cells(lines[n - 1][:end].expandtabs(4)) - pad)
            out.append(f"{bar} {' ' * pad}{paint.code(marks + ' ' + f.code, f.code)}\n")
    out.append(bar + "\n")
    return out


_OPENING, _CLOSING = "([{", ")]}"


def underline(line: str, col: int) -> "tuple[int, int]":
    """The span of the reported expression on its line, from ``col``: a dotted name and the
    brackets after it (``nn.init.zeros_(fc.weight)``); to the end of the line's code when the
    brackets run on to the next line."""
    col = min(max(col, 0), len(line))
    depth, i = 0, col
    while i < len(line):
        ch = line[i]
        if ch in "'\"":
            close = _string_end(line, i)
            if close is None:
                return col, _code_end(line, col)
            i = close
            continue
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            if depth == 0:
                break
            depth -= 1
        elif ch == "#":
            break
        elif depth == 0 and not (ch.isalnum() or ch in "_."):
            break
        i += 1
    if depth:
        return col, _code_end(line, col)
    return col, max(i, col + 1)


def _string_end(line: str, i: int) -> Optional[int]:
    """Where the string literal starting at ``line[i]`` ends on this line, or None."""
    quote = line[i : i + 3] if line[i : i + 3] in ("'''", '"""') else line[i]
    j = i + len(quote)
    while j < len(line):
        if line[j] == "\\":
            j += 2
            continue
        if line.startswith(quote, j):
            return j + len(quote)
        j += 1
    return None


def _code_end(line: str, col: int) -> int:
    """The end of the code on ``line`` (before a trailing comment, roughly), at least ``col + 1``."""
    hash_at = line.find("#", col)
    return max(len((line if hash_at < 0 else line[:hash_at]).rstrip()), col + 1)


def _cells(text: str) -> int:
    """Terminal cells ``text`` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Paint:
    """ANSI styles when ``on`` (see :func:`colour_wanted`), plain text otherwise."""

    _LEVELS = {"error": "1;31", "warning": "1;33"}

    def __init__(self, on: bool):
        self.on = on

    def _sgr(self, text: str, sgr: str) -> str:
        return f"\x1b[{sgr}m{text}\x1b[0m" if self.on and text else text

    def bold(self, text: str) -> str:
        return self._sgr(text, "1")

    def gutter(self, text: str) -> str:
        return self._sgr(text, "1;34")

    def code(self, text: str, code: Optional[str] = None) -> str:
        """``text`` in the colour of the rule's level (red errors, yellow warnings)."""
        return self._sgr(text, self._LEVELS.get(level(code or text), "1;31"))


def colour_wanted(stream: object, environ: "Optional[Mapping[str, str]]" = None) -> bool:
    """Whether to colour what goes to ``stream``: never with ``NO_COLOR``, always with
    ``FORCE_COLOR`` (each when set and not empty: https://no-color.org, and the order of
    Python 3.13's own colour), never on a ``TERM=dumb`` terminal, and otherwise only on a
    terminal: never in a pipe or a file."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def format_json(findings: Iterable[Finding]) -> str:
    """``line``/``column``: the place in the file (a notebook's ``.ipynb`` JSON text); a
    notebook's finding adds ``cell``, ``cell_line`` and ``cell_column``."""
    rows = []
    for f in findings:
        row = {
            "path": f.path,
            "line": f.line,
            "column": f.col + 1,
            "code": f.code,
            "name": RULES[f.code].name if f.code in RULES else None,
            "message": f.message,
            "idiom": f.idiom,
        }
        if f.cell is not None:
            row.update(cell=f.cell.cell, cell_line=f.cell.line, cell_column=f.cell.col + 1)
        rows.append(row)
    return _json_text(rows)


def _json_text(data: object) -> str:
    """JSON that any UTF-8 writer can write: a lone surrogate (an undecodable byte of a
    path) becomes its ``\\uXXXX`` escape instead of an unencodable character."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def format_github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands (``::warning`` or ``::error`` by the rule's level);
    values escaped as @actions/core does."""
    out = []
    for f in findings:
        props = f"file={_prop(f.path)},line={f.line},col={f.col + 1},title={_prop(f.code)}"
        out.append(f"::{level(f.code)} {props}::{_data(f.message)}\n")
    return "".join(out)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def format_sarif(
    findings: Iterable[Finding],
    base: Optional[str] = None,
    information_uri: Optional[str] = None,
    fingerprints: "Optional[Mapping[Finding, str]]" = None,
) -> str:
    """A SARIF 2.1.0 log with one run. URIs are relative to ``base`` (default: cwd) with
    forward slashes, under ``%SRCROOT%``, as GitHub code scanning expects. ``fingerprints``
    (``pipeline/baseline.py``, the baseline's own) become each result's
    ``partialFingerprints``, so that code scanning follows a finding across edits."""
    base = os.path.abspath(base or os.getcwd())
    home = information_uri or _homepage()
    codes = list(RULES)
    rules = [_sarif_rule(RULES[c], home) for c in codes]
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "level": level(f.code),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(f.path, base),
                        "region": {"startLine": max(f.line, 1), "startColumn": f.col + 1},
                    }
                }
            ],
        }
        if f.code in RULES:
            result["ruleIndex"] = codes.index(f.code)
        if fingerprints and f in fingerprints:
            result["partialFingerprints"] = {SARIF_FINGERPRINT_KEY: fingerprints[f]}
        properties = {"idiom": f.idiom} if f.idiom else {}
        if f.cell is not None:  # the region is the .ipynb line; the cell is for people
            properties.update(cell=f.cell.cell, cellLine=f.cell.line, cellColumn=f.cell.col + 1)
        if properties:
            result["properties"] = properties
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "initlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": home,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _file_uri(base) + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return _json_text(log)


def _sarif_rule(rule, home: str) -> dict:
    doc = rule.doc()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule_url(rule.code, home),
        "defaultConfiguration": {"level": level(rule.code)},
        "properties": {"tags": ["initialisation", "correctness"]},
    }


def _artifact(path: str, base: str) -> dict:
    full = os.path.abspath(path)
    rel = os.path.relpath(full, base) if _under(full, base) else None
    if rel is None:
        return {"uri": _file_uri(full)}
    return {"uri": quote(os.fsencode(rel.replace(os.sep, "/")), safe="/"), "uriBaseId": "%SRCROOT%"}


def _under(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:  # different drives
        return False


def _file_uri(path: str) -> str:
    posix = path.replace(os.sep, "/")
    if not posix.startswith("/"):
        posix = "/" + posix  # C:/x -> /C:/x
    return "file://" + quote(os.fsencode(posix), safe="/:")


def rule_url(code: str, home: Optional[str] = None) -> str:
    """The rule's page in the repository (``docs/rules/INI001.md``, generated from the catalog
    and kept in step by ``tests/test_readme.py``)."""
    home = (home or _homepage()).rstrip("/")
    if home.startswith("https://github.com/"):
        return f"{home}/blob/main/docs/rules/{code}.md"
    return f"{home}#rules"


def _homepage() -> str:
    try:
        from importlib.metadata import metadata

        meta = metadata("initlint")
        for entry in meta.get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("homepage", "home", "repository", "source"):
                return url.strip()
        if meta.get("Home-page"):
            return meta["Home-page"]
    except Exception:
        pass
    return "https://pypi.org/project/initlint/"


def statistics(findings: Iterable[Finding]) -> "list[tuple[str, int]]":
    """(code, count), most frequent first."""
    counts = Counter(f.code for f in findings)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def format_statistics(findings: Iterable[Finding], fmt: str = "text") -> str:
    rows = statistics(findings)
    if fmt == "json":
        data = [{"code": c, "name": RULES[c].name if c in RULES else None, "count": n} for c, n in rows]
        return _json_text(data)
    return "".join(f"{n:>5}  {c}  {RULES[c].name if c in RULES else ''}\n" for c, n in rows)


def render(
    findings: "list[Finding]",
    fmt: str,
    *,
    sources: "Optional[Mapping[str, str]]" = None,
    fingerprints: "Optional[Mapping[Finding, str]]" = None,
    colour: bool = False,
    width: int = 100,
) -> str:
    """The report in ``fmt``; ``text`` here is ``concise`` (the CLI picks ``full`` for a
    terminal). ``sources`` feed ``full``'s code frames, ``fingerprints`` SARIF's."""
    if fmt == "json":
        return format_json(findings)
    if fmt == "sarif":
        return format_sarif(findings, fingerprints=fingerprints)
    if fmt == "github":
        return format_github(findings)
    if fmt == "full":
        return format_full(findings, sources, colour, width)
    return format_text(findings, colour)
