"""Interactive sessions in documents: ``>>>`` doctest examples and IPython ``In [1]:`` prompts.

The code is what follows the prompts; every other line is the session's output and is
dropped (it stays a blank line of the program). One example (a prompt line and its
continuation lines) is one block: an example that does not parse is left out alone, as
doctest would fail it alone. The rules are doctest's own: a prompt is followed by a space or
ends the line (``>>>x`` is output), and continuation lines may have any indentation.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from initlint.pipeline.documents.magics import mask
from initlint.pipeline.documents.program import Block, CodeLine

_DOCTEST_PS1 = re.compile(r"[ \t]*>>>(?: |$)")
_DOCTEST_PS2 = re.compile(r"[ \t]*\.\.\.(?: |$)")
_IPYTHON_PS1 = re.compile(r"[ \t]*In \[\d*\]: ?")
_IPYTHON_PS2 = re.compile(r"[ \t]*\.\.\.+: ?")


def starts_session(text: str) -> bool:
    """Whether a block whose first non-blank line is ``text`` is a ``>>>`` session."""
    return _DOCTEST_PS1.match(text) is not None


def starts_ipython_session(text: str) -> bool:
    return _IPYTHON_PS1.match(text) is not None


def doctest_examples(lines: Sequence[Tuple[int, str]]) -> List[Block]:
    """One block per ``>>>`` example in ``lines`` ((document line, text) pairs)."""
    return _examples(lines, _DOCTEST_PS1, _DOCTEST_PS2, "doctest example", ipython=False)


def ipython_examples(lines: Sequence[Tuple[int, str]]) -> List[Block]:
    """One block per ``In [n]:`` input, IPython syntax masked."""
    return _examples(lines, _IPYTHON_PS1, _IPYTHON_PS2, "IPython example", ipython=True)


def _examples(lines, ps1, ps2, what: str, ipython: bool) -> List[Block]:
    blocks: List[Block] = []
    current: List[CodeLine] = []
    for number, text in lines:
        m = ps1.match(text)
        if m is None and current:
            m = ps2.match(text)
        if m is None:  # output, or prose between examples
            if current:
                blocks.append(_block(current, what, ipython))
                current = []
            continue
        if ps1.match(text) is not None and current:
            blocks.append(_block(current, what, ipython))
            current = []
        current.append(CodeLine(number, text[m.end() :], m.end()))
    if current:
        blocks.append(_block(current, what, ipython))
    return blocks


def _block(lines: List[CodeLine], what: str, ipython: bool) -> Block:
    if ipython:
        for line, code in zip(lines, mask([c.code for c in lines])):
            line.code = code
    return Block(lines, what)
