"""Jupyter notebooks (``.ipynb``): the code cells, in order, as one program.

Cells share one namespace when a notebook runs, so the program is their concatenation (a loop
in cell 9 over a model built in cell 4 is one finding). IPython syntax is masked
(:mod:`.magics`); a cell that still does not parse on its own (an exercise's ``lr = ``) is left
out with its syntax error, and the other cells are analysed. Markdown and raw cells hold no
code; a cell magic other than ``%%time``/``%%timeit``/``%%capture`` makes its cell not Python.

The JSON is read with the standard library's C scanner, walked by hand only down to each
cell's ``source``, so that every source string's offset in the file is known (SARIF needs the
``.ipynb`` line) while outputs and metadata are skipped by the scanner in one call each:
megabytes of base64 images cost a scan, never a copy into the program. nbformat 4 (every
current notebook) and 3 (``worksheets`` of cells with ``input``) are read; Jupyter numbers a v3
notebook's cells as its upgrade to v4 does, and so does this reader. Anything else, or JSON
that is not a notebook, is an INI900 with the line of the problem.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from initlint.pipeline.documents.magics import BODY_IS_PYTHON, cell_magic, mask
from initlint.pipeline.documents.program import Origin, Program, combine, dedent, parse_error, syntax_message
from initlint.pipeline.sources import SourceProblem

READABLE = (3, 4)
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class _Source:
    """A cell's source as the JSON holds it: each string with the offset of its opening quote
    and of its closing quote's end."""

    parts: List[Tuple[int, int, Any]]


class _Walker:
    """A JSON reader that knows where things are: objects and arrays on the notebook's path
    to the sources are walked here; every other value is handed to the C scanner whole."""

    def __init__(self, text: str):
        self.text = text
        self.scan = json.JSONDecoder().scan_once
        self.cells_read: List[Tuple[Any, int]] = []  # each cell read, with its offset
        self.version_offset = 0  # where the nbformat value is

    def problem(self, message: str, offset: int) -> SourceProblem:
        line = self.text.count("\n", 0, offset) + 1
        return SourceProblem("INI900", message, line, offset - (self.text.rfind("\n", 0, offset) + 1))

    def skip(self, i: int) -> int:
        return _WHITESPACE.match(self.text, i).end()

    def value(self, i: int) -> Tuple[Any, int]:
        try:
            return self.scan(self.text, i)
        except StopIteration:
            raise self.problem("not valid JSON (expecting a value); a notebook is a JSON file", i) from None

    def expect(self, i: int, char: str, what: str) -> int:
        i = self.skip(i)
        if self.text[i : i + 1] != char:
            raise self.problem(f"not valid JSON (expecting {what}); a notebook is a JSON file", i)
        return i + 1

    def obj(self, i: int, fields: Dict[str, Callable[[int], Tuple[Any, int]]]) -> Tuple[Any, int]:
        """An object whose ``fields`` are read by their own readers; another value is scanned."""
        i = self.skip(i)
        if self.text[i : i + 1] != "{":
            return self.value(i)
        result: Dict[str, Any] = {}
        i = self.skip(i + 1)
        if self.text[i : i + 1] == "}":
            return result, i + 1
        while True:
            i = self.skip(i)
            if self.text[i : i + 1] != '"':
                raise self.problem("not valid JSON (expecting a property name in double quotes); a notebook is a JSON file", i)
            key, i = self.value(i)
            i = self.skip(self.expect(i, ":", "':'"))
            reader = fields.get(key)
            result[key], i = reader(i) if reader is not None else self.value(i)
            i = self.skip(i)
            char = self.text[i : i + 1]
            if char == ",":
                i += 1
            elif char == "}":
                return result, i + 1
            else:
                raise self.problem("not valid JSON (expecting ',' or '}'); a notebook is a JSON file", i)

    def array(self, i: int, item: Callable[[int], Tuple[Any, int]]) -> Tuple[Any, int]:
        i = self.skip(i)
        if self.text[i : i + 1] != "[":
            return self.value(i)
        result: List[Any] = []
        i = self.skip(i + 1)
        if self.text[i : i + 1] == "]":
            return result, i + 1
        while True:
            value, i = item(self.skip(i))
            result.append(value)
            i = self.skip(i)
            char = self.text[i : i + 1]
            if char == ",":
                i += 1
            elif char == "]":
                return result, i + 1
            else:
                raise self.problem("not valid JSON (expecting ',' or ']'); a notebook is a JSON file", i)

    def source(self, i: int) -> Tuple[Any, int]:
        """A cell's source: a string or a list of strings, each with its offsets."""
        i = self.skip(i)
        if self.text[i : i + 1] == '"':
            value, end = self.value(i)
            return _Source([(i, end, value)]), end
        if self.text[i : i + 1] == "[":
            parts: List[Tuple[int, int, Any]] = []

            def part(j: int) -> Tuple[Any, int]:
                value, end = self.value(j)
                parts.append((j, end, value))
                return value, end

            _, end = self.array(i, part)
            return _Source(parts), end
        return self.value(i)

    def cell(self, i: int) -> Tuple[Any, int]:
        value, end = self.obj(i, {"source": self.source, "input": self.source})
        self.cells_read.append((value, i))
        return value, end

    def cell_offset(self, cell: Any) -> int:
        return next((i for value, i in self.cells_read if value is cell), 0)

    def version(self, i: int) -> Tuple[Any, int]:
        self.version_offset = i
        return self.value(i)

    def notebook(self) -> Dict[str, Any]:
        cell = self.cell
        cells = lambda i: self.array(i, cell)  # noqa: E731
        worksheet = lambda i: self.obj(i, {"cells": cells})  # noqa: E731
        start = self.skip(0)
        if self.text[start : start + 1] != "{":
            if start == len(self.text):
                raise self.problem("empty file: not a Jupyter notebook", start)
            self.value(start)  # a JSON syntax error is worth its own message
            raise self.problem("not a Jupyter notebook: the JSON is not an object", start)
        nb, end = self.obj(start, {"cells": cells, "worksheets": lambda i: self.array(i, worksheet), "nbformat": self.version})
        end = self.skip(end)
        if end != len(self.text):
            raise self.problem("not valid JSON (extra data after the notebook); a notebook is a JSON file", end)
        return nb


def read_notebook(text: str) -> Program:
    nb, cells, walker = _structure(text)
    language = _language(nb)
    if language is not None and not language.lower().startswith(("python", "ipython")):
        return Program("", [], [], "notebook", skipped=f"not a Python notebook (its kernel's language is {language})")
    return _program(cells, walker)


def check_notebook(text: str) -> None:
    """Raise the :class:`SourceProblem` that reading ``text`` would, without parsing any cell:
    a notebook with no word of an init in it is never read, but one that cannot be read at
    all is still an INI900 (a commit of a truncated notebook must not pass silently)."""
    _structure(text)


def _structure(text: str) -> Tuple[Dict[str, Any], List[Dict[str, Any]], _Walker]:
    walker = _Walker(text)
    try:
        nb = walker.notebook()
    except json.JSONDecodeError as e:
        raise SourceProblem("INI900", f"not valid JSON ({e.msg}); a notebook is a JSON file", e.lineno, e.colno - 1) from None
    except RecursionError:
        raise SourceProblem("INI901", "notebook JSON nested too deeply to read") from None
    cells = _cells(nb, walker)
    for number, cell in enumerate(cells, start=1):
        if _is_python_code(cell) and not _is_text(cell.get("source", cell.get("input"))):
            raise walker.problem(f"not a Jupyter notebook: the source of cell {number} is not text", walker.cell_offset(cell))
    return nb, cells, walker


def _is_python_code(cell: Dict[str, Any]) -> bool:
    """A code cell, and not one in another language (nbformat 3 says so per cell)."""
    return cell.get("cell_type") == "code" and cell.get("language", "python") in ("python", None)


def _is_text(src: Any) -> bool:
    return isinstance(src, _Source) and all(isinstance(v, str) for _, _, v in src.parts)


def _cells(nb: Dict[str, Any], walker: _Walker) -> List[Dict[str, Any]]:
    version = nb.get("nbformat")
    if version is None:
        raise walker.problem("not a Jupyter notebook: the JSON has no 'nbformat' field", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version not in READABLE:
        raise walker.problem(
            f"notebook format {version!r} cannot be read (initlint reads nbformat 4 and 3); "
            "convert it with `jupyter nbconvert --to notebook --nbformat 4`",
            walker.version_offset,
        )
    if version == 3:
        sheets = nb.get("worksheets")
        if not isinstance(sheets, list) or not all(isinstance(s, dict) and isinstance(s.get("cells", []), list) for s in sheets):
            raise walker.problem("not a Jupyter notebook: nbformat 3 without a 'worksheets' list of cells", 0)
        cells = [c for s in sheets for c in s.get("cells", [])]
    else:
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise walker.problem("not a Jupyter notebook: no 'cells' list", 0)
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise walker.problem(f"not a Jupyter notebook: cell {number} is not an object", walker.cell_offset(cell))
    return cells


def _language(nb: Dict[str, Any]) -> Optional[str]:
    """The kernel's language if the notebook says (``language_info.name``, as ruff reads it,
    else ``kernelspec.language``); None when it does not (then it is taken to be Python)."""
    meta = nb.get("metadata")
    if not isinstance(meta, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        entry = meta.get(key)
        if isinstance(entry, dict) and isinstance(entry.get(field), str) and entry[field].strip():
            return entry[field].strip()
    return None


class _Lines:
    """1-based line and 0-based column of an offset of the JSON text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(self, offset: int) -> Tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]


def _program(cells: List[Dict[str, Any]], walker: _Walker) -> Program:
    json_lines = _Lines(walker.text)
    chunks: List[Tuple[List[str], List[Origin], List[Tuple[_CellText, int, int]]]] = []
    left_out: List[Tuple[Origin, str]] = []
    for number, cell in enumerate(cells, start=1):
        if not _is_python_code(cell):
            continue
        text = _CellText(cell.get("source", cell.get("input")), json_lines)
        lines = text.lines
        if not any(line.strip() for line in lines):
            continue
        magic = cell_magic(lines)
        if magic is not None and magic not in BODY_IS_PYTHON:
            continue
        code, width = dedent(lines)
        code = mask(code)
        err = parse_error("".join(line + "\n" for line in code))
        if err is not None:
            k = min(max(err.lineno or 1, 1), len(lines)) - 1
            col = min(width + max((err.offset or 1) - 1, 0), len(lines[k]))
            reason = f"cell {number} does not parse on its own ({syntax_message(err)}): it was left out and the other cells were analysed"
            left_out.append((text.origin(number, k, col), reason))
            continue
        chunks.append(
            (
                code,
                [text.origin(number, k, width if lines[k].strip() else 0) for k in range(len(lines))],
                [(text, number, k) for k in range(len(lines))],
            )
        )

    def render(kept: list) -> Tuple[List[str], List[Origin]]:
        return [line for code, _, _ in kept for line in code], [o for _, origins, _ in kept for o in origins]

    def reject(chunk: tuple, err: SyntaxError) -> None:
        o = chunk[1][0]
        left_out.append((o, f"cell {o.cell} does not parse together with the cells before it ({syntax_message(err)}); not analysed"))

    kept = combine(chunks, render, reject)
    code, origins = render(kept)
    cells = [where for _, _, lines_of in kept for where in lines_of]

    def locate(line: int, col: int) -> Tuple[int, int]:
        """The exact ``.ipynb`` line and column of a program place (escapes counted)."""
        i = min(max(line, 1), len(cells)) - 1
        text, number, k = cells[i]
        o = text.origin(number, k, min(origins[i].cell_col_offset + col, len(text.lines[k])))
        return o.line, o.col_offset

    left_out.sort(key=lambda item: (item[0].cell or 0, item[0].cell_line or 0))
    program = Program("".join(line + "\n" for line in code), origins, left_out, "notebook", blocks=len(kept))
    program.locate = locate if cells else None
    return program


class _CellText:
    """A code cell's source: its lines, and where in the JSON text each character sits."""

    def __init__(self, src: _Source, json_lines: _Lines):
        self.src, self.json_lines = src, json_lines
        joined = "".join(v for _, _, v in src.parts)
        self.part_starts: List[int] = []
        total = 0
        for _, _, value in src.parts:
            self.part_starts.append(total)
            total += len(value)
        self.lines: List[str] = []
        self.starts: List[int] = []  # offset in the joined source of each line's start
        start = 0
        for m in _NEWLINE.finditer(joined):
            self.lines.append(joined[start : m.start()])
            self.starts.append(start)
            start = m.end()
        if start < len(joined):  # the newline that ends the last line ends the cell
            self.lines.append(joined[start:])
            self.starts.append(start)

    def origin(self, cell: int, k: int, col: int) -> Origin:
        """The origin of line ``k`` (0-based) whose program column 0 is cell column ``col``."""
        offset = self.starts[k] + col
        part = max(bisect.bisect_right(self.part_starts, offset) - 1, 0)
        quote, close, _ = self.src.parts[part]
        raw = _raw_offset(self.json_lines.text, quote + 1, close - 1, offset - self.part_starts[part])
        line, json_col = self.json_lines.place(raw)
        return Origin(line, json_col, cell, k + 1, col)


def _raw_offset(text: str, begin: int, end: int, index: int) -> int:
    """The offset in the JSON text of character ``index`` of the string whose escaped body
    is ``text[begin:end]`` (an escape is 2 or 6 characters there; a surrogate pair, 12 for
    one character)."""
    if "\\" not in text[begin:end]:
        return begin + index
    decoded, raw, high = 0, begin, False
    for m in _ESCAPE.finditer(text, begin, end):
        plain = m.start() - raw
        if decoded + plain >= index:
            return raw + (index - decoded)
        decoded += plain
        unit = int(m.group(1), 16) if m.group(1) else None
        if high and not plain and unit is not None and 0xDC00 <= unit <= 0xDFFF:
            high = False  # the second half of a pair: the same character
        else:
            decoded += 1
            high = unit is not None and 0xD800 <= unit <= 0xDBFF
        raw = m.end()
    return raw + (index - decoded)
