"""``# noqa`` handling for the CLI, matching flake8 so a comment means the same in both.

flake8 looks for the comment on the reported physical line only (a multi-line *token*, such
as a triple-quoted string, counts as one line); it does not look at a call's closing line.
We reproduce its regex and its line mapping. One deliberate difference: codes in the comment
are compared case-insensitively here (``# noqa: ini001`` works), as the ``noqa`` word is.

Writing them (``initlint --add-noqa``, an editor's quick fix): :func:`add_noqa` puts each
directive where flake8 and ruff read it, and :func:`add_noqa_to_files` edits the files.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping, Optional

from initlint.catalog import RULES
from initlint.finding import Finding
from initlint.lint.gate.textlines import physical_lines
from initlint.pipeline.documents import document_kind
from initlint.pipeline.rewrite import NotEditable, read_editable, write_atomically

# flake8.defaults.NOQA_INLINE_REGEXP (flake8 7), verbatim.
NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[,\s]")


def suppressed_by(line: str, code: str) -> bool:
    """True if ``line`` carries a noqa comment that covers ``code``."""
    match = NOQA_INLINE.search(line)
    if match is None:
        return False
    codes_str = match.group("codes")
    if codes_str is None:
        return True  # blanket ``# noqa``
    codes = tuple(c.strip().upper() for c in _SPLIT.split(codes_str) if c.strip())
    return code in codes or code.startswith(codes)


def noqa_lines(text: str) -> "dict[int, str]":
    """Map each line number to the text flake8 searches for its noqa comment."""
    lines = physical_lines(text)  # str.splitlines also breaks at \f, \x1c, \x85, \u2028...
    try:
        return _token_mapping(text, lines)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {i: line for i, line in enumerate(lines, start=1)}


def _token_mapping(text: str, lines: "list[str]") -> "dict[int, str]":
    # Mirrors flake8.processor.FileProcessor._noqa_line_mapping.
    out: dict[int, str] = {}
    lo, hi = len(lines) + 2, -1
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        lo, hi = min(lo, tok.start[0]), max(hi, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[lo - 1 : hi])
            out.update(dict.fromkeys(range(lo, hi + 1), joined))
            lo, hi = len(lines) + 2, -1
    # A last line without a newline still gets its own entry.
    for i in range(1, len(lines) + 1):
        out.setdefault(i, lines[i - 1])
    return out


def filter_noqa(findings: Iterable[Finding], text: str, always_on: "frozenset[str]") -> "list[Finding]":
    """Drop findings silenced by a noqa comment; codes in ``always_on`` are never dropped."""
    findings = list(findings)
    if not findings or "noqa" not in text.lower():
        return findings
    mapping = noqa_lines(text)
    return [
        f
        for f in findings
        if f.code in always_on or not suppressed_by(mapping.get(f.line, ""), f.code)
    ]


def add_noqa(text: str, codes_by_line: "Mapping[int, Collection[str]]", reason: Optional[str] = None) -> str:
    """``text`` with ``# noqa: CODE`` written where flake8 (and ruff) look for it for each
    line of ``codes_by_line`` (1-based): the end of the reported line or, when a comment cannot
    go there, of the line its statement goes on to (after a string that runs on, or a
    backslash continuation). An existing ``# noqa: E501`` gains the codes (``# noqa: E501,
    INI001``); a blanket ``# noqa`` or one that already covers a code is left as it is, so a
    second run changes nothing, and a line is edited once however many findings it holds.
    ``reason`` goes at the end of a line it edits, as a comment of its own (``# noqa: INI001  # zero
    head by design``): a word after the codes could read as a code. Line endings are kept. A
    file that does not tokenize is changed on the reported lines."""
    lines = physical_lines(text)
    where: dict[int, set] = {}
    moved = _comment_lines(text, lines)
    for line, codes in codes_by_line.items():
        if 1 <= line <= len(lines):
            where.setdefault(moved.get(line, line), set()).update(c.upper() for c in codes)
    reason = " ".join((reason or "").split()) or None  # one line, whatever was passed
    for n, codes in where.items():
        lines[n - 1] = _with_codes(lines[n - 1], sorted(codes), reason)
    return "".join(lines)


def _comment_lines(text: str, lines: "list[str]") -> "dict[int, int]":
    """Line -> the line a noqa comment for it goes on, for each line whose end cannot take a
    comment: inside a string that runs on to a later line (a comment cannot go in it), or
    continued by a backslash. flake8 and ruff read a comment there as the statement's."""
    blocked: set = set()
    comments: set = set()
    spans = []  # (first, last) lines of each multi-line string (an f-string is several tokens)
    try:
        opened = []
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                spans.append((tok.start[0], tok.end[0]))
            elif tok.type == _FSTRING_START:
                opened.append(tok.start[0])
            elif tok.type == _FSTRING_END and opened:
                first = opened.pop()
                if tok.end[0] > first and not opened:
                    spans.append((first, tok.end[0]))
            elif tok.type == tokenize.COMMENT:
                comments.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    for first, last in spans:
        blocked.update(range(first, last))
    for n, line in enumerate(lines, start=1):
        if n not in comments and line.rstrip("\r\n").endswith("\\"):
            blocked.add(n)  # (inside a string, a backslash ending a line continues it too)
    out = {}
    for n in sorted(blocked):
        target = n
        while target in blocked and target < len(lines):
            target += 1
        out[n] = target
    return out


_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12+: an f-string is tokens
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)


def _with_codes(line: str, codes: "list[str]", reason: Optional[str]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    match = _comment_noqa(body)
    if match is not None:
        present = match.group("codes")
        if present is None:
            return line  # a blanket noqa covers everything already
        have = tuple(c.strip().upper() for c in _SPLIT.split(present) if c.strip())
        missing = [c for c in codes if not c.startswith(have)]
        if not missing:
            return line
        cut = match.start("codes") + len(present.rstrip(", \t"))
        merged = body[:cut] + ", " + ", ".join(missing) + body[cut:]
        return (merged.rstrip() + f"  # {reason}" if reason else merged) + ending
    comment = "# noqa: " + ", ".join(codes) + (f"  # {reason}" if reason else "")
    return body.rstrip() + "  " + comment + ending


def _comment_noqa(body: str) -> "Optional[re.Match]":
    """The noqa directive in the line's comment (not in a string before it)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(body + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = []
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            m = NOQA_INLINE.search(tok.string)
            if m is None:
                return None
            offset = tok.start[1]
            return NOQA_INLINE.search(body, offset)
    if not tokens:  # a line that does not tokenize alone (inside brackets): trust the text
        return NOQA_INLINE.search(body)
    return None


#: A notebook's JSON line holding one line of a cell's source: ``    "x = f(y)\n",``.
_JSON_SOURCE_LINE = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*")(\s*,?\s*)$')


def _document_with_noqa(text: str, codes_by_line: "Mapping[int, Collection[str]]", reason: Optional[str],
                        notebook: bool) -> str:
    """A document with ``# noqa: CODE`` at the end of each reported code line. In a
    notebook the reported line is the JSON line holding the cell's source line (Jupyter writes
    one string per line): the directive goes inside that string, and the JSON stays as it was
    written around it."""
    lines = physical_lines(text)
    reason = " ".join((reason or "").split()) or None
    for n, codes in sorted(codes_by_line.items()):
        if not 1 <= n <= len(lines):
            continue
        line = lines[n - 1]
        if not notebook:
            lines[n - 1] = _with_codes(line, sorted(c.upper() for c in codes), reason)
            continue
        body = line.rstrip("\r\n")
        m = _JSON_SOURCE_LINE.match(body)
        try:
            code = json.loads(m.group(2)) if m else None
        except ValueError:
            code = None
        if not isinstance(code, str):
            raise NotEditable(f"line {n} is not one line of a cell's source (a cell written as one string?)")
        ending = code[len(code.rstrip("\r\n")):]
        edited = _with_codes(code.rstrip("\r\n"), sorted(c.upper() for c in codes), reason) + ending
        spelled = json.dumps(edited, ensure_ascii="\\u" in m.group(2))
        lines[n - 1] = m.group(1) + spelled + m.group(3) + line[len(body):]
    new = "".join(lines)
    if notebook:
        try:
            json.loads(new)
        except ValueError as e:  # never write a notebook Jupyter cannot open
            raise NotEditable(f"the edit would not leave valid JSON ({e})") from None
    return new


@dataclass
class NoqaEdits:
    """What :func:`add_noqa_to_files` did: lines and files changed, files it could not edit."""

    lines: int = 0
    files: int = 0
    failed: "list[tuple[str, str]]" = field(default_factory=list)  # (path, why)


def add_noqa_to_files(
    findings: Iterable[Finding], sources: "Mapping[str, str]", reason: Optional[str] = None
) -> NoqaEdits:
    """Write ``# noqa: CODE`` for every finding into its file (``--add-noqa``), each file
    once and atomically, in its own encoding and line endings. ``sources``: the text each file
    had when it was analysed; a Python file that no longer reads the same (edited during the
    run) is left alone and reported. In a notebook, Markdown or reST document the directive goes
    at the end of the reported code line (in a notebook, inside its cell's source). INI900/INI901 cannot be
    silenced and are skipped."""
    wanted: dict[str, dict[int, set]] = {}
    for f in findings:
        rule = RULES.get(f.code)
        if rule is not None and not rule.always_on:
            wanted.setdefault(f.path, {}).setdefault(f.line, set()).add(f.code)
    done = NoqaEdits()
    for path in sorted(wanted):
        try:
            source = read_editable(path)
            kind = document_kind(path)
            if kind is not None:  # the reported lines are the document's own (a notebook's JSON lines)
                new = _document_with_noqa(source.text, wanted[path], reason, kind == "notebook")
            elif path not in sources or source.normalised != sources[path]:
                raise NotEditable("it is not the text that was analysed (changed during the run, or not Python source)")
            else:
                new = add_noqa(source.text, wanted[path], reason)
            if new == source.text:
                continue
            write_atomically(source, new)
        except NotEditable as e:
            done.failed.append((path, str(e)))
            continue
        done.files += 1
        done.lines += sum(a != b for a, b in zip(physical_lines(source.text), physical_lines(new)))
    return done
