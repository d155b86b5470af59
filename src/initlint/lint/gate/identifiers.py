"""Identifiers as Python reads them: NFKC-normalised (PEP 3131).

Python runs ``ｎｎ.ｉｎｉｔ.ｚｅｒｏｓ_(fc.ｗｅｉｇｈｔ)`` and ``w.ﬁll_(0.5)`` as the ASCII names, while
the prefilter's words and libcst see the raw text. So a file whose identifiers change under
NFKC is analysed with those names normalised (strings and comments are left as written: a
Keras ``"ｚｅｒｏｓ"`` is not an initializer's name). Line numbers never move; a column after
a name that changed length on its line is mapped back to the file's own column.
"""

from __future__ import annotations

import io
import re
import tokenize
import unicodedata
from typing import NamedTuple, Optional

from initlint.lint.gate.textlines import physical_lines

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class Normalised(NamedTuple):
    """The text Python reads, and per changed line its edits: (column in the normalised
    line, length there, length in the file), left to right."""

    text: str
    edits: "dict[int, list[tuple[int, int, int]]]"

    def column(self, line: int, col: int) -> int:
        """The file's column of ``col`` on ``line`` of the normalised text (the start of a
        changed name for a column inside it)."""
        shift = 0
        for start, new, old in self.edits.get(line, ()):
            if col >= start + new:
                shift += new - old
            else:
                if col > start:
                    col = start
                break
        return col - shift


def normalise(text: str) -> Optional[Normalised]:
    """The text with every identifier NFKC-normalised, or None when none changes (every
    ASCII file, and most others: the check costs one scan for non-ASCII characters) or the
    text does not tokenize (the parsers then say what is wrong with it as written)."""
    if text.isascii():
        return None
    odd = set(_NON_ASCII.findall(text))
    if unicodedata.is_normalized("NFKC", "".join(odd)):
        return None
    if not any(("a" + c).isidentifier() for c in odd if not unicodedata.is_normalized("NFKC", c)):
        return None  # what NFKC changes ("…" in a docstring) cannot be part of a name: no tokenizing
    changes: dict[int, list[tuple[int, str, int]]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            if tok.type == tokenize.NAME and not tok.string.isascii():
                name = unicodedata.normalize("NFKC", tok.string)
                if name != tok.string:
                    changes.setdefault(tok.start[0], []).append((tok.start[1], name, len(tok.string)))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    if not changes:
        return None
    lines = physical_lines(text)
    edits: dict[int, list[tuple[int, int, int]]] = {}
    for row, found in changes.items():
        line, shift, kept = lines[row - 1], 0, []
        pieces, at = [], 0
        for col, name, old in found:
            pieces += [line[at:col], name]
            at = col + old
            kept.append((col + shift, len(name), old))
            shift += len(name) - old
        lines[row - 1] = "".join(pieces) + line[at:]
        edits[row] = kept
    return Normalised("".join(lines), edits)
