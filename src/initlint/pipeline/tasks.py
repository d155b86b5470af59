"""What a worker does with one file: a Python file, or a document (notebook, Markdown, reST).

A document is read into one :class:`~initlint.pipeline.documents.Program` (its code cells or
blocks in order), the program goes through the one pipeline,
:func:`initlint.lint.analyze_file`, and every finding is mapped back through the program's
origins to the document: its line and column in the file (the ``.ipynb`` JSON for a
notebook), and a notebook's cell place. ``# noqa`` is applied here, on the program's lines,
because the parent never holds the program; it depends on the content alone, so a cached
result stays right. A cell or block that does not parse is a :class:`Note` (``--verbose``),
never a finding. A Python file's docstring examples are analysed too when
``Settings.doctests`` says so; their ``# noqa`` sits inside the docstring, where the parent's
file-level noqa mapping (flake8's: a multi-line string is one line) finds it.

Reading happens in the worker, so that the per-file timeout covers it (the readers parse each
cell with ``ast``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import List, Optional, Union

from initlint.catalog import ALWAYS_ON
from initlint.finding import CellPlace, Finding, Settings
from initlint.lint import Outcome, analyze_file
from initlint.pipeline import noqa
from initlint.pipeline.documents import Program, docstring_examples, read_text
from initlint.pipeline.sources import DEFAULT_MAX_FILE_SIZE, SourceProblem


@dataclass(frozen=True)
class Task:
    """One file for a worker: its decoded text, and what it is (``kind`` None: Python; else a
    document kind, see :data:`initlint.pipeline.documents.KINDS`). ``max_code``: the most code
    a document may hold (``max-file-size``: a notebook's outputs do not count)."""

    path: str
    text: str
    kind: Optional[str] = None
    max_code: int = DEFAULT_MAX_FILE_SIZE


@dataclass
class Note:
    """Something of a document that was not analysed, for ``--verbose``: a cell or block that
    does not parse, a notebook whose kernel is not Python. Not a finding: the rest of the
    document was analysed, and the exit code does not change."""

    path: str
    line: int
    col: int  # 0-based
    message: str
    cell: Optional[CellPlace] = None
    left_out: bool = True  # a cell or block left out (else: the whole document was skipped)


@dataclass
class DocumentOutcome(Outcome):
    """An :class:`~initlint.lint.Outcome` with the notes of a document."""

    notes: List[Note] = field(default_factory=list)


def analyze_task(task: Union[Task, tuple], settings: Settings, tree=None) -> Outcome:
    """Every finding of one file, in the file's own places (what the worker pool runs)."""
    if not isinstance(task, Task):
        task = Task(*task)
    if task.kind is None:
        return analyze_python(task.text, task.path, settings, tree)
    return analyze_document(task, settings)


def analyze_python(text: str, path: str, settings: Settings, tree=None) -> Outcome:
    """:func:`~initlint.lint.analyze_file`, plus the docstring examples when asked."""
    outcome = analyze_file(text, path, settings, tree)
    if not settings.doctests:
        return outcome
    program = docstring_examples(text, path)
    if program is None:
        return outcome
    examples = analyze_file(program.text, path, settings)
    return DocumentOutcome(
        outcome.findings + [_mapped(f, program) for f in examples.findings],
        outcome.cacheable and examples.cacheable,
        _notes(program, path),
    )


def analyze_document(task: Task, settings: Settings) -> DocumentOutcome:
    """Read a document, analyse its program, map the findings back (noqa applied)."""
    path = task.path
    try:
        program = read_text(task.kind, task.text)
        size = len(program.text.encode("utf-8", "surrogatepass"))
        if size > task.max_code:
            raise SourceProblem(
                "INI901", f"the document holds {size} bytes of code, over the max-file-size limit of {task.max_code} bytes; not analysed"
            )
    except SourceProblem as p:
        return DocumentOutcome([Finding(path, p.line, p.col, p.code, p.message)])
    outcome = analyze_file(program.text, path, settings)
    kept = noqa.filter_noqa(outcome.findings, program.text, ALWAYS_ON)
    return DocumentOutcome([_mapped(f, program) for f in kept], outcome.cacheable, _notes(program, path))


def _mapped(f: Finding, program: Program) -> Finding:
    line, col, cell = program.place(f.line, f.col)
    return replace(f, line=line, col=col, cell=cell)


def _notes(program: Program, path: str) -> List[Note]:
    notes = []
    if program.skipped:
        notes.append(Note(path, 1, 0, f"{program.skipped}; not analysed", left_out=False))
    for o, reason in program.left_out:
        cell = CellPlace(o.cell, o.cell_line or 1, o.cell_col_offset or 0) if o.cell is not None else None
        notes.append(Note(path, o.line, o.col_offset, reason, cell))
    return notes
