"""What a fix is, for every face that shows or applies one (the CLI, an editor, a report)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from initlint.finding import Finding


class Applicability(str, enum.Enum):
    """ruff's three levels. ``SAFE``: keeps the code's meaning, applied by ``--fix``.
    ``UNSAFE``: changes behaviour on purpose, applied only with ``--unsafe-fixes``.
    ``DISPLAY_ONLY``: shown for a person to apply by hand, never applied by initlint."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"

    def applies(self, unsafe: bool) -> bool:
        """Whether ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) applies a fix of this level."""
        return self is Applicability.SAFE or (unsafe and self is Applicability.UNSAFE)


@dataclass(frozen=True)
class Edit:
    """Replace the text from ``start`` to ``end`` with ``content``. Positions are (line,
    column): lines 1-based, columns 0-based in characters (code points), as in
    :class:`~initlint.finding.Finding`; ``end`` is exclusive."""

    start: "tuple[int, int]"
    end: "tuple[int, int]"
    content: str


@dataclass(frozen=True)
class Fix:
    """The fix of one finding: a title for people (``Remove `kernel_init=...```), its
    applicability, and the edits that make it, on the text it was computed from, alone."""

    finding: Finding
    title: str
    applicability: Applicability
    edits: "tuple[Edit, ...]"


def apply_edits(text: str, edits: "list[Edit] | tuple[Edit, ...]") -> str:
    """``text`` with non-overlapping ``edits`` made (in any order)."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)

    def offset(pos: "tuple[int, int]") -> int:
        line, col = pos
        return (starts[line - 1] if line - 1 < len(starts) else len(text)) + col

    out = text
    for edit in sorted(edits, key=lambda e: offset(e.start), reverse=True):
        out = out[: offset(edit.start)] + edit.content + out[offset(edit.end):]
    return out
