"""One parametrised test runs every annotated file in test_cases/, in default and strict mode."""

from __future__ import annotations

import pytest

from expectations import case_files, expected
from initlint.finding import Settings
from initlint.lint import analyze_file

FILES = case_files()


def lint(path, strict: bool) -> set:
    """What the shipped pipeline reports (the one the CLI and flake8 run)."""
    text = path.read_text(encoding="utf-8")
    outcome = analyze_file(text, str(path), Settings(strict=strict))
    return {(f.line, f.code) for f in outcome.findings if strict or not f.idiom}


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(p.parents[1])) for p in FILES])
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_case_file(path, strict):
    default, strict_expected = expected(path)
    want = strict_expected if strict else default
    got = lint(path, strict)
    assert sorted(got - want) == [], "unexpected findings (line, code)"
    assert sorted(want - got) == [], "missing findings (line, code)"


def test_there_are_cases():
    assert len(FILES) >= 5
