"""``>>>`` examples inside the docstrings of a ``.py`` file, as one program.

A docstring here is any string literal that is a statement of its own (module, class and
function docstrings, and the attribute docstrings Sphinx reads), found with :mod:`tokenize`.
Its lines are read as written in the file, so program line N is file line N; escape sequences
of a non-raw docstring are not interpreted (``"\\\\n"`` stays two characters), which changes
nothing an init analysis looks at.

doctest runs examples in the module's globals, so the examples use the module's imports
without repeating them (``>>> nn.init.zeros_(layer.weight)`` under ``import torch.nn as nn``).
The module's top-level ``import`` statements therefore stay in the program, on their own
lines, for name resolution; they never yield a finding.
"""

from __future__ import annotations

import io
import tokenize
from typing import List, Optional, Tuple

from initlint.pipeline.documents.program import AlignedProgram, Block, CodeLine, Program
from initlint.pipeline.documents.sessions import doctest_examples


def docstring_examples(text: str, path: str = "") -> Optional[Program]:
    """The ``>>>`` examples of ``text`` (a decoded ``.py`` file), or None if it has none (or
    does not tokenize: the file's own analysis reports that)."""
    if ">>>" not in text:
        return None
    try:
        strings, imports = _survey(text)
    except (tokenize.TokenError, SyntaxError, ValueError):  # IndentationError is a SyntaxError
        return None
    lines = text.split("\n")
    program = AlignedProgram(len(lines), "doctest")
    found = False
    for tok in strings:
        for block in doctest_examples(_string_lines(tok, lines)):
            program.add(block)
            found = True
    if not found:
        return None
    for first, last in imports:
        program.add(Block([CodeLine(n, lines[n - 1], 0) for n in range(first, last + 1)], "import"))
    result = program.build()
    result.blocks -= len(imports)
    return result


def _string_lines(tok: tokenize.TokenInfo, lines: List[str]) -> List[Tuple[int, str]]:
    """The file lines a string literal spans, with its prefix and quotes blanked out (spaces
    keep the columns)."""
    (first, start), (last, end) = tok.start, tok.end
    prefix = len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))
    quote = 3 if tok.string[prefix : prefix + 3] in ('"""', "'''") else 1
    body = [(n, lines[n - 1]) for n in range(first, last + 1)]
    opening = body[0][1]
    body[0] = (first, " " * (start + prefix + quote) + opening[start + prefix + quote :])
    closing = body[-1][1]
    body[-1] = (last, closing[: end - quote])
    return body


def _survey(text: str) -> Tuple[List[tokenize.TokenInfo], List[Tuple[int, int]]]:
    """Statement strings that may hold ``>>>``, and the (first, last) lines of the top-level
    import statements."""
    strings: List[tokenize.TokenInfo] = []
    imports: List[Tuple[int, int]] = []
    logical: List[tokenize.TokenInfo] = []
    depth = 0
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            if len(logical) == 1 and logical[0].type == tokenize.STRING and ">>>" in logical[0].string:
                strings.append(logical[0])
            elif depth == 0 and logical and logical[0].type == tokenize.NAME and logical[0].string in ("import", "from"):
                imports.append((logical[0].start[0], logical[-1].end[0]))
            logical = []
        elif tok.type == tokenize.INDENT:
            depth += 1
        elif tok.type == tokenize.DEDENT:
            depth -= 1
        elif tok.type not in (tokenize.NL, tokenize.COMMENT):
            logical.append(tok)
    return strings, imports
