"""Reads the `# expect: CODE` annotations of the files in test_cases/ (flake8-bugbear style)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "test_cases"
_EXPECT = re.compile(r"#\s*expect(?P<strict>-strict)?:\s*(?P<codes>INI\d{3}(?:\s*,\s*INI\d{3})*)")


def case_files() -> list[Path]:
    return sorted(p for p in CASES.rglob("*.py"))


def expected(path: Path) -> tuple[set, set]:
    """(default, strict): sets of (line, code). Strict-only lines appear in `strict` alone."""
    with open(path, "rb") as fh:
        return _expected(tokenize.tokenize(fh.readline))


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
