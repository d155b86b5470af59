"""``# noqa`` directives are not part of what the analysis reads.

A directive says which findings to *show*; it never says what the code does. The analysis
therefore reads every file with its directives taken out, and the result cache keys a file by
its bytes with the same directives taken out (``pipeline/cache.py``): adding, editing or
removing a ``# noqa`` comment (``initlint --add-noqa`` writes thousands) never costs a
re-analysis, and a cached result is exactly what a fresh analysis would give.

A directive here is flake8's (``# noqa`` or ``# noqa: CODE[, CODE...]``, any case) that ends
its comment: the line ends after it, or another comment starts (``# noqa: INI001  # why``).
It goes with the blanks before it, so that ``x`` and ``x  # noqa: INI001`` read alike. Columns
of code never move: a directive only ever follows the code on its line. Anything else that
mentions noqa (``# noqa: INI001 see PR 12``, ``#noqa``) is left in place and is read like any
comment; editing it is an ordinary edit.
"""

from __future__ import annotations

import re

_PATTERN = r"# [nN][oO][qQ][aA](?::[ \t]?(?:[A-Za-z]+[0-9]+(?:[, \t]+)?)+)?[ \t]*(?=#|\r|\n|\Z)"
# One line only ([ \t], never \s): a directive never swallows a line break. The search starts
# at a literal "#", which keeps it fast (about half the cost of hashing the file).
_TEXT = re.compile(_PATTERN, re.ASCII)
_BYTES = re.compile(_PATTERN.encode("ascii"))


def strip_noqa(text: str) -> str:
    """``text`` without its noqa directives (and the blanks before each)."""
    return _strip(text, _TEXT, " \t")


def strip_noqa_bytes(data: bytes) -> bytes:
    """The same, on a file's bytes (every encoding Python accepts for source keeps ``#``,
    blanks, ASCII letters and digits as themselves)."""
    return _strip(data, _BYTES, b" \t")


def _strip(text, pattern: "re.Pattern", blanks):
    pieces = []
    kept = 0  # the end of what is already copied (or dropped)
    for m in pattern.finditer(text):
        start = m.start()
        while start > kept and text[start - 1 : start] in blanks:
            start -= 1
        pieces.append(text[kept:start])
        kept = m.end()
    if not pieces:
        return text
    pieces.append(text[kept:])
    return text[:0].join(pieces)
