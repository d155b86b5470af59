"""Interactive sessions in documents: ``>>>`` doctest examples and IPython ``In [1]:`` prompts.

The code is what follows the prompts; every other line is the session's output and is
dropped (it stays a blank line of the program). One example (a prompt line and its
continuation lines) is one block: an example that does not parse is left out alone, as
doctest would fail it alone. The rules are doctest's own: a prompt is followed by a space or
ends the line (``>>>x`` is output), and continuation lines may have any indentation. One
exception, xdoctest's: a run of examples with no output between them that parses only as a
whole (``>>>`` on every line of a ``def``) is one block.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Tuple

from initlint.pipeline.documents.magics import mask
from initlint.pipeline.documents.program import Block, CodeLine, parse_error

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
    for run in _runs(lines, ps1, ps2):
        if ipython:
            for example in run:
                for line, code in zip(example, mask([c.code for c in example])):
                    line.code = code
        blocks.extend(_run_blocks(run, what))
    return blocks


def _runs(lines, ps1, ps2) -> List[List[List[CodeLine]]]:
    """Runs of examples with no output between them; an example is a prompt line and its
    continuation lines."""
    runs: List[List[List[CodeLine]]] = []
    run: List[List[CodeLine]] = []
    for number, text in lines:
        first = ps1.match(text)
        m = first or (ps2.match(text) if run else None)
        if m is None:  # output, or prose between examples
            if run:
                runs.append(run)
                run = []
            continue
        if first is not None:
            run.append([])
        run[-1].append(CodeLine(number, text[m.end() :], m.end()))
    if run:
        runs.append(run)
    return runs


def _run_blocks(run: List[List[CodeLine]], what: str) -> List[Block]:
    """doctest's reading: each example alone. Many projects (PyTorch among them) write
    ``>>>`` on every line of a ``def`` or of a call split over lines, as xdoctest allows: when
    some example of a run does not parse alone but the whole run does, the run is one block."""
    if len(run) > 1 and any(parse_error(_text(example)) for example in run):
        whole = [line for example in run for line in example]
        if parse_error(_text(whole)) is None:
            return [Block(whole, what)]
    return [Block(example, what) for example in run]


def _text(lines: List[CodeLine]) -> str:
    return "".join(c.code + "\n" for c in lines)
