"""Reads the `# expect: CODE` annotations of the files in test_cases/ (flake8-bugbear style).

In a document (notebook, Markdown, reST) and in a Python file's docstring examples, the
comments sit in the code the reader extracts: they are found by tokenizing that program, and
each is placed where its program line came from (a notebook: the cell and the line in it).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Union

from initlint.finding import Finding
from initlint.pipeline.documents import docstring_examples, document_kind, read_document

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "test_cases"
_EXPECT = re.compile(r"#\s*expect(?P<strict>-strict)?:\s*(?P<codes>INI\d{3}(?:\s*,\s*INI\d{3})*)")

#: A place in a case file: a line, or in a notebook (cell, line in the cell).
Place = Union[int, "tuple[int, int]"]


def case_files(documents: bool = False) -> list[Path]:
    """The annotated Python files; with ``documents``, the notebooks, Markdown and reST
    cases too (a folder's README.md is prose, not a case)."""
    return sorted(
        p for p in CASES.rglob("*") if p.suffix == ".py" or (documents and document_kind(p.name) and p.name != "README.md")
    )


def expected(path: Path) -> tuple[set, set]:
    """(default, strict): sets of (place, code). Strict-only lines appear in `strict` alone."""
    if document_kind(path.name) is not None:
        return _in_program(read_document(str(path), path.read_bytes()))
    with open(path, "rb") as fh:
        default, strict = _expected(tokenize.tokenize(fh.readline))
    examples = docstring_examples(path.read_text(encoding="utf-8"), str(path))
    if examples is not None:
        more = _in_program(examples)
        default, strict = default | more[0], strict | more[1]
    return default, strict


def place(finding: Finding) -> Place:
    """Where a finding is, in the terms of :func:`expected`."""
    return (finding.cell.cell, finding.cell.line) if finding.cell is not None else finding.line


def _in_program(program) -> tuple[set, set]:
    def where(line: int) -> Place:
        o = program.origin(line)
        return (o.cell, o.cell_line) if o.cell is not None else o.line

    default, strict = expected_in_text(program.text)
    return {(where(n), c) for n, c in default}, {(where(n), c) for n, c in strict}


def expected_in_text(text: str) -> tuple[set, set]:
    """The same for Python source held in memory (the program a document reader extracted)."""
    return _expected(tokenize.generate_tokens(io.StringIO(text).readline))


def _expected(tokens) -> tuple[set, set]:
    default, strict = set(), set()
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        m = _EXPECT.search(tok.string)
        if not m:
            continue
        codes = {c.strip() for c in m.group("codes").split(",")}
        for code in codes:
            strict.add((tok.start[0], code))
            if not m.group("strict"):
                default.add((tok.start[0], code))
    return default, strict
