"""Fixes on one file's text: the edits of each fix alone (for an editor's quick fixes and for
showing them), and all applicable fixes made together, round after round (for ``--fix``)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from initlint.finding import Finding, Settings
from initlint.fix.codemod import apply_actions
from initlint.fix.model import Edit, Fix
from initlint.fix.offer import Offer, offers

#: ruff stops after 100; here a round can only remove what the next round would fix, and one
#: finding per layer is reported, so a file settles in two or three.
MAX_ROUNDS = 10

Recheck = Callable[[str], "list[Finding]"]


def fixes_for(text: str, path: str, findings: "list[Finding]", settings: Optional[Settings] = None) -> "list[Fix]":
    """The fix of each of ``findings`` that has one, each with the edits it makes alone on
    ``text`` (the decoded text with ``\\n`` newlines that the findings were computed from)."""
    module = _parse(text)
    if module is None:
        return []
    out = []
    for offer in offers(module, text, path, findings, settings or Settings()):
        new = apply_actions(module, [offer.action]).code
        if new != text and _parses(new):
            out.append(Fix(offer.finding, offer.title, offer.applicability, (line_edit(text, new),)))
    return out


@dataclass
class FixedText:
    """``text`` after the applicable fixes; ``fixed``: the findings they fixed (as reported
    in the round that fixed them), ``applied``: those fixes; ``findings``: what the last
    check of ``text`` found; ``left``: the fixes offered for those that were not applicable."""

    text: str
    fixed: "list[Finding]" = field(default_factory=list)
    applied: "list[Offer]" = field(default_factory=list)
    findings: "list[Finding]" = field(default_factory=list)
    left: "list[Offer]" = field(default_factory=list)


def fix_text(text: str, path: str, findings: "list[Finding]", settings: Optional[Settings] = None, *,
             unsafe: bool = False, recheck: Optional[Recheck] = None) -> FixedText:
    """Make every fix of ``findings`` that applies (safe ones; unsafe ones too with
    ``unsafe``), check the result again with ``recheck`` (default: the analysis, idioms
    shown only with ``settings.strict``), and repeat while the new findings have fixes that
    apply. A round whose result would not parse is not made."""
    settings = settings or Settings()
    if recheck is None:
        recheck = _analysis(path, settings)
    result = FixedText(text, findings=list(findings))
    for _ in range(MAX_ROUNDS):
        module = _parse(result.text)
        if module is None:
            break
        offered = offers(module, result.text, path, result.findings, settings)
        applying = [o for o in offered if o.applicability.applies(unsafe)]
        result.left = [o for o in offered if not o.applicability.applies(unsafe)]
        if not applying:
            break
        new = apply_actions(module, [o.action for o in applying]).code
        if new == result.text or not _parses(new):
            result.left = offered
            break
        result.fixed += [o.finding for o in applying]
        result.applied += applying
        result.text = new
        result.findings = recheck(new)
    return result


def line_edit(old: str, new: str) -> Edit:
    """One edit that turns ``old`` into ``new``, on whole lines: the lines they do not share
    at either end."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    content = "".join(b[head:len(b) - tail])
    return Edit((head + 1, 0), (len(a) - tail + 1, 0), content)


def _analysis(path: str, settings: Settings) -> Recheck:
    def recheck(text: str) -> "list[Finding]":
        from initlint.lint import analyze_file

        found = analyze_file(text, path, settings).findings
        return [f for f in found if f.idiom is None or settings.strict]

    return recheck


def _parse(text: str) -> Optional[cst.Module]:
    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return None


def _parses(text: str) -> bool:
    """The fixed text is Python that compiles (a fix must never break a file)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
