"""initlint's records in LSP terms: a finding as a diagnostic, a ``noqa`` comment as a text
edit, a rule's page as hover text.

Lines are split as Python (and LSP) split them, at ``\\n``, ``\\r\\n`` and ``\\r`` only
(:func:`physical_lines`); a finding's column counts code points, and the client's position
encoding (UTF-16 unless it asked for another) is applied by ``units``, which counts a
string in the client's units.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Callable, Optional, Sequence

from lsprotocol import types

from initlint.catalog import RULES
from initlint.finding import Finding
from initlint.lint.gate.textlines import physical_lines
from initlint.pipeline.noqa import add_noqa

SOURCE = "initlint"
Units = Callable[[str], int]

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning}
_CODE = re.compile(r"\bINI\d{3}\b", re.IGNORECASE)


def diagnostic(finding: Finding, lines: "Sequence[str]", units: Units) -> types.Diagnostic:
    """The finding on its line, from its column to the end of the code there (a trailing
    comment excluded): ``nn.init.zeros_(self.fc.weight)``, ``nn.init.constant_(``."""
    rule = RULES.get(finding.code)
    index = min(max(finding.line, 1), max(len(lines), 1)) - 1
    text = _body(lines[index]) if index < len(lines) else ""
    start = min(finding.col, len(text))
    end = max(start, _code_end(text))
    message = finding.message
    if finding.idiom:
        message += f" (recognised as deliberate: {finding.idiom})"
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=index, character=units(text[:start])),
            end=types.Position(line=index, character=units(text[:end])),
        ),
        message=message,
        severity=_SEVERITY.get(rule.level if rule else "error", types.DiagnosticSeverity.Error),
        code=finding.code,
        source=SOURCE,
    )


def noqa_edit(text: str, line: int, code: str, units: Units) -> "Optional[types.TextEdit]":
    """The edit that adds ``code`` to the ``noqa`` comment of 1-based ``line`` (where
    :func:`initlint.pipeline.noqa.add_noqa` puts it: that line, or the last line of a string
    that runs on from it), or None when a comment there covers it already."""
    old_lines = physical_lines(text)
    new_lines = physical_lines(add_noqa(text, {line: [code]}))
    for n, (old, new) in enumerate(zip(old_lines, new_lines)):
        if old != new:
            head = _common_prefix(old, new)
            tail = _common_prefix(old[head:][::-1], new[head:][::-1])
            return types.TextEdit(
                range=types.Range(
                    start=types.Position(line=n, character=units(old[:head])),
                    end=types.Position(line=n, character=units(old[: len(old) - tail])),
                ),
                new_text=new[head : len(new) - tail],
            )
    return None


def codes_at(line: str, character: int) -> "list[str]":
    """The rule code under a (code point) position of a line: ``# noqa: INI001``."""
    return [m.group().upper() for m in _CODE.finditer(line) if m.start() <= character <= m.end() and m.group().upper() in RULES]


def rule_pages(codes: "Sequence[str]") -> str:
    """The pages of ``codes`` (``initlint rule CODE``), one after the other, as Markdown:
    the pages are Markdown already (``##`` sections, indented examples)."""
    pages = []
    for code in dict.fromkeys(codes):
        rule = RULES[code]
        title, _, rest = rule.doc().partition("\n")
        pages.append(f"**{title}**\n{rest}")
    return "\n---\n\n".join(pages)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _code_end(text: str) -> int:
    """Where the code of a line ends: before its comment and the spaces that trail it."""
    end = len(text)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            if tok.type == tokenize.COMMENT:
                end = tok.start[1]
                break
    except (tokenize.TokenError, SyntaxError):
        pass  # a line inside brackets or a string: its comment, if any, was seen first
    return len(text[:end].rstrip())


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
