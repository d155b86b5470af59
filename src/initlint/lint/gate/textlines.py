"""Lines as Python counts them: the unit of every line number initlint reports."""

from __future__ import annotations

import itertools
import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def physical_lines(text: str) -> "list[str]":
    """Lines with their endings, split where Python's tokenizer splits them (``str.splitlines``
    also splits at \\f, \\x1c, \\x85, \\u2028..., which would shift every line number after)."""
    return _LINE.findall(text)


def line_starts(lines: "list[str]") -> "list[int]":
    """Each line's offset in the text, then the text's length: ``starts[n - 1]`` is where line
    ``n`` (1-based) begins, and ``bisect_right(starts, offset)`` is the line of an offset."""
    return list(itertools.accumulate(map(len, lines), initial=0))


def line_ending(line: str) -> str:
    """The ending of ``line``; LF for a last line without one."""
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return "\n"
