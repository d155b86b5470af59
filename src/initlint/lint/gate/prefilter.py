"""The cheap textual prefilter: a file that matches none of the gate words cannot contain an
init that initlint reports, so it is never parsed (and libcst is never imported for it).

The words are derived from the knowledge tables (``knowledge.gate_words``): every API there
reaches the analysis through one of them, which ``tests/lint/test_knowledge.py`` proves row by
row through the shipped pipeline.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterator, Optional

from initlint.finding import Settings
from initlint.knowledge import context_words, gate_words, parameter_makers


class Scanner:
    """Where any of a set of word patterns matches, at the speed of a plain string search.

    Python's regex engine finds a pattern's leading literal with a fast string search
    (~700 MB/s here), but tries every alternative of ``a|b|c`` at every position (~25 MB/s,
    and ``\\b`` in front of a word hides the literal too). So each pattern is rewritten to
    start with its literal (``\\bzeros_\\b`` -> ``zeros_(?<=\\bzeros_)\\b``), and the patterns
    sharing their first three characters are searched together, one search per group.
    """

    def __init__(self, alternatives: "tuple[str, ...]"):
        groups: dict = {}
        for alt in alternatives:
            key, literal_first = _literal_first(alt)
            groups.setdefault(key, []).append(literal_first[len(key):])
        self.regexes = tuple(
            re.compile(key + (rests[0] if len(rests) == 1 else f"(?:{'|'.join(rests)})")) for key, rests in groups.items()
        )

    def search(self, text: str, lo: int = 0, hi: Optional[int] = None) -> bool:
        hi = len(text) if hi is None else hi
        return any(r.search(text, lo, hi) for r in self.regexes)

    def positions(self, text: str) -> "Iterator[int]":
        """The offsets where a match starts (by group, not in order)."""
        for regex in self.regexes:
            for m in regex.finditer(text):
                yield m.start()

    def mark_lines(self, text: str, starts: "list[int]", marked: bytearray, flag: int = 1,
                   spans: "Optional[list[tuple[int, int]]]" = None) -> None:
        """Set bit ``flag`` of ``marked[n]`` for every line ``n`` (1-based) where a match
        starts; ``starts`` holds each line's offset, then the text's length. A search resumes
        at the next line once a line has matched. ``spans``: the (start, end) offsets to
        search, the whole text by default."""
        last_line = len(starts) - 1
        for lo, hi in spans if spans is not None else ((0, len(text)),):
            for regex in self.regexes:
                search = regex.search
                m = search(text, lo, hi)
                while m:
                    line = bisect.bisect_right(starts, m.start())
                    marked[line] |= flag
                    if line >= last_line:
                        break
                    m = search(text, starts[line], hi)


_WORD_RUN = re.compile(r"\w+")  # identifiers may be any Unicode word


def _literal_first(alternative: str) -> "tuple[str, str]":
    """(group key, the pattern rewritten to start with its literal)."""
    boundary = alternative.startswith(r"\b")
    body = alternative[2:] if boundary else alternative
    if body[:1] == "\\" and len(body) > 1 and not body[1].isalnum() and not boundary:
        return body[:2], body  # an escaped punctuation character: \. \]
    m = _WORD_RUN.match(body)
    literal = m.group() if m else ""
    if body[len(literal):len(literal) + 1] in ("?", "*", "+", "{"):
        literal = literal[:-1]  # constant_?: the quantified character is not part of it
    if not literal:
        raise ValueError(f"{alternative!r}: a prefilter word must start with a literal")
    rest = body[len(literal):]
    return literal[:3], f"{literal}(?<=\\b{literal}){rest}" if boundary else body


@lru_cache(maxsize=16)
def pattern(wrapper_names: tuple = ()) -> Scanner:
    """The scanner for the gate words and the configured wrappers' names."""
    return Scanner((*gate_words(), *_names(wrapper_names)))


@lru_cache(maxsize=16)
def names_pattern(names: tuple) -> Scanner:
    """The scanner for a file's own init helpers (``def zero_module(m)``): calls to them are
    candidates too."""
    return Scanner(tuple(_names(names)))


@lru_cache(maxsize=1)
def context_pattern() -> Scanner:
    """The scanner for the statements the judge reads beside the inits
    (``knowledge.context_words``)."""
    return Scanner(context_words())


@lru_cache(maxsize=1)
def parameter_pattern() -> Scanner:
    """The scanner for the calls that make a Parameter (``nn.Parameter(``, ``self.param(``):
    where a constant may be a placeholder that another definition fills."""
    return Scanner(tuple(rf"\b{re.escape(name)}\s*\(" for name in sorted(parameter_makers())))


def _names(dotted: tuple) -> "list[str]":
    return [rf"\b{re.escape(w.rsplit('.', 1)[-1])}\b" for w in dotted if w]


def may_contain_init(text: str, settings: Settings) -> bool:
    """False only when the file certainly has nothing to report."""
    return pattern(tuple(w for w, _ in settings.init_wrappers)).search(text)
