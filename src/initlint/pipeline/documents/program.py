"""The one shape every document reader returns: the Python a document holds, with the place
each line came from.

A document is one program (a notebook's cells share one namespace; a docs page defines
``model`` in one block and loops over it in the next), so every reader joins the code it
finds into one text. Markdown, reST and docstrings are *aligned*: program line N is document
line N, padded with blank lines, so that line numbers need no translation there and only
columns move (a prompt, a list item's indentation). A notebook cannot be aligned (a cell's
lines sit in JSON strings), so its lines follow one another and ``origins`` says where each
came from.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from initlint.finding import CellPlace
from initlint.pipeline.sources import SourceProblem


@dataclass(frozen=True)
class Origin:
    """Where one line of the extracted program came from.

    ``line`` is the 1-based line in the document file (for a notebook: the line of the
    ``.ipynb`` JSON text on which this source line starts, so that SARIF regions point at the
    real file). ``col_offset`` is what to add to a program column to get the column on that
    file line: a ``>>> `` prompt, a fence indented inside a list item, a reST block's
    indentation, or for a notebook the JSON string's opening quote and the escapes before the
    code (exact unless escapes sit between the line's start and the column).

    Notebooks only: ``cell`` is the cell number as ruff prints it (1-based over *all* cells,
    Markdown and raw cells included, so that ``cell 9`` is the ninth cell a reader sees in
    Jupyter); ``cell_line`` the 1-based line inside the cell; and ``cell_col_offset`` what to
    add to a program column to get the column in the cell (IPython strips a cell's common
    indentation, and so does the reader).
    """

    line: int
    col_offset: int
    cell: Optional[int] = None
    cell_line: Optional[int] = None
    cell_col_offset: Optional[int] = None


@dataclass
class Program:
    """The Python a document holds, as one program.

    ``origins`` has one entry per line of ``text``. ``left_out`` lists what was not analysed,
    with the reason: a block or cell that does not parse on its own (its origin is the line of
    the syntax error, and there ``col_offset`` is the document column of the error). For a
    notebook such a cell deserves a diagnostic (INI900-style) for that cell; for Markdown,
    reST and docstrings a count under ``--verbose``. ``skipped`` says why a whole document
    holds no Python to analyse although it was read (a notebook whose kernel is R): not an
    error.
    """

    text: str
    origins: List[Origin]
    left_out: List[Tuple[Origin, str]]
    kind: str
    blocks: int = 0  # blocks/cells analysed (in ``text``)
    skipped: Optional[str] = None
    #: (program line, program column) -> (file line, file column), exact where ``col_offset``
    #: is not (a notebook line with JSON escapes before the column); None: ``col_offset``.
    locate: Optional[Callable[[int, int], Tuple[int, int]]] = field(default=None, repr=False, compare=False)

    def origin(self, line: int) -> Origin:
        """The origin of 1-based program ``line``; a line past the end (a finding at EOF)
        takes the last line's origin."""
        if not self.origins:
            return Origin(1, 0)
        return self.origins[min(max(line, 1), len(self.origins)) - 1]

    def place(self, line: int, col: int) -> Tuple[int, int, Optional[CellPlace]]:
        """Where program ``line`` (1-based), ``col`` (0-based) is in the document: the file's
        line and 0-based column, and in a notebook the cell place too."""
        o = self.origin(line)
        file_line, file_col = self.locate(line, col) if self.locate is not None else (o.line, col + o.col_offset)
        if o.cell is None:
            return file_line, file_col, None
        return file_line, file_col, CellPlace(o.cell, o.cell_line or 1, col + (o.cell_col_offset or 0))


def parse_error(source: str) -> Optional[SyntaxError]:
    """None if ``source`` parses as a Python module, else the error (a SyntaxError; too deep
    nesting and the like are turned into one). SyntaxWarnings (``"\\d"`` in a docs snippet)
    are not the reader's business and are silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as e:
        return e
    except (ValueError, RecursionError, MemoryError, OverflowError) as e:
        err = SyntaxError(f"cannot be parsed ({type(e).__name__}: {e})")
        err.lineno, err.offset = 1, 1
        return err
    return None


_LINE_REF = re.compile(r"\bon line (\d+)")


def syntax_message(err: SyntaxError, line_shift: int = 0) -> str:
    """The error's message, with the line numbers it mentions (``... after 'for' statement on
    line 3``) moved by ``line_shift`` to the document's numbering."""
    msg = (err.msg or "invalid syntax").splitlines()[0]
    if line_shift:
        msg = _LINE_REF.sub(lambda m: f"on line {int(m.group(1)) + line_shift}", msg)
    return msg


@dataclass
class CodeLine:
    """One line of code found in a document: its 1-based document line, the code, and the
    document column at which the code starts."""

    line: int
    code: str
    col_offset: int


@dataclass
class Block:
    """Consecutive code of one block (a fence, a directive, one ``>>>`` example)."""

    lines: List[CodeLine] = field(default_factory=list)
    what: str = "block"  # for messages: "Python block", "doctest example"


def dedent(lines: Sequence[str]) -> Tuple[List[str], int]:
    """Remove the indentation every non-blank line shares (as IPython does for a cell, and a
    reader must for a fence inside a list item); returns the lines and the width removed."""
    indents = [text[: len(text) - len(text.lstrip(" \t"))] for text in lines if text.strip()]
    width = len(os.path.commonprefix(indents)) if indents else 0
    if not width:
        return list(lines), 0
    return [text[width:] if text.strip() else "" for text in lines], width


class AlignedProgram:
    """Builds a program whose line N is document line N (Markdown, reST, docstrings)."""

    def __init__(self, line_count: int, kind: str):
        self.kind = kind
        self.code: List[str] = [""] * line_count
        self.offsets: List[int] = [0] * line_count
        self.blocks: List[Block] = []
        self.left_out: List[Tuple[Origin, str]] = []

    def add(self, block: Block) -> None:
        """Keep ``block`` if it parses on its own (blank lines between its lines are
        allowed: a session's output lines are dropped); otherwise note it as left out."""
        lines = block.lines
        if not lines or not any(c.code.strip() for c in lines):
            return
        first = lines[0].line
        body = [""] * (lines[-1].line - first + 1)
        for c in lines:
            body[c.line - first] = c.code
        err = parse_error("\n".join(body) + "\n")
        if err is not None:
            self._leave_out(block, err, first)
            return
        self.blocks.append(block)

    def _leave_out(self, block: Block, err: SyntaxError, first: int, why: str = "does not parse on its own") -> None:
        line = min(max(first + (err.lineno or 1) - 1, block.lines[0].line), block.lines[-1].line)
        at = next((c for c in block.lines if c.line == line), block.lines[0])
        col = at.col_offset + max((err.offset or 1) - 1, 0)
        self.left_out.append((Origin(line, col), f"{block.what} {why} ({syntax_message(err, first - 1)}); not analysed"))

    def build(self) -> Program:
        together = "does not parse together with the blocks before it"
        kept = combine(self.blocks, self._render, lambda block, err: self._leave_out(block, err, 1, together))
        code, offsets = self._render(kept)
        origins = [Origin(i + 1, offsets[i]) for i in range(len(code))]
        self.left_out.sort(key=lambda item: item[0].line)
        text = "".join(line + "\n" for line in code)
        return Program(text, origins, self.left_out, self.kind, blocks=len(kept))

    def _render(self, blocks: Iterable[Block]) -> Tuple[List[str], List[int]]:
        code, offsets = list(self.code), list(self.offsets)
        for block in blocks:
            for c in block.lines:
                code[c.line - 1] = c.code
                offsets[c.line - 1] = c.col_offset
        return code, offsets


def combine(blocks, render, reject) -> list:
    """Blocks that each parse alone nearly always parse together; where they do not (a rare
    ``from __future__`` or a dangling decorator is not enough, but Python's grammar has
    corners), keep them in order and drop each block that breaks what came before."""
    if not blocks:
        return []
    code, _ = render(blocks)
    if parse_error("\n".join(code) + "\n") is None:
        return list(blocks)
    kept: list = []
    for block in blocks:
        code, _ = render(kept + [block])
        err = parse_error("\n".join(code) + "\n")
        if err is None:
            kept.append(block)
        else:
            reject(block, err)
    return kept


def document_text(data: bytes) -> str:
    """Decode a text document (Markdown, reST, notebook JSON) as UTF-8, with or without a
    BOM, newlines normalised to ``\\n``; anything else is an INI900 with the place of the
    first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _byte_place(data, nul)
        raise SourceProblem("INI900", "document contains a null byte (not a text file?)", line, col)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _byte_place(data, e.start)
        raise SourceProblem("INI900", f"cannot decode document as UTF-8: invalid byte 0x{data[e.start]:02x}", line, col) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _byte_place(data: bytes, offset: int) -> Tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1)
