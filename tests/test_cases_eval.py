"""One parametrised test runs every annotated file in test_cases/, in default and strict mode:
Python files (with their docstring examples) and documents (notebooks, Markdown, reST)."""

from __future__ import annotations

import pytest

from expectations import case_files, expected, place
from initlint.finding import Settings
from initlint.pipeline.documents import document_kind, document_text
from initlint.pipeline.tasks import Task, analyze_task

FILES = case_files(documents=True)


def lint(path, strict: bool) -> set:
    """What the shipped pipeline reports: :func:`initlint.lint.analyze_file` on a Python file
    (what the CLI and flake8 run), and on the program of a document, mapped back to it (what
    the CLI's workers run)."""
    kind = document_kind(path.name)
    text = path.read_text(encoding="utf-8") if kind is None else document_text(path.read_bytes())
    outcome = analyze_task(Task(str(path), text, kind), Settings(strict=strict, doctests=True))
    return {(place(f), f.code) for f in outcome.findings if strict or not f.idiom}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(p.parents[1])) for p in FILES])
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_case_file(path, strict):
    default, strict_expected = expected(path)
    want = strict_expected if strict else default
    got = lint(path, strict)
    assert sorted(got - want, key=str) == [], "unexpected findings (place, code)"
    assert sorted(want - got, key=str) == [], "missing findings (place, code)"


def test_there_are_cases():
    assert len(FILES) >= 5
    assert {document_kind(p.name) for p in FILES} >= {None, "notebook", "markdown", "rst"}
