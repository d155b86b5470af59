"""``# noqa`` handling for the CLI, matching flake8 so a comment means the same in both.

flake8 looks for the comment on the reported physical line only (a multi-line *token*, such
as a triple-quoted string, counts as one line); it does not look at a call's closing line.
We reproduce its regex and its line mapping. One deliberate difference: codes in the comment
are compared case-insensitively here (``# noqa: ini001`` works), as the ``noqa`` word is.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Iterable

from initlint.finding import Finding
from initlint.lint.gate.textlines import physical_lines

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
