"""``add_noqa``: the comment lands where flake8 looks for it, merges with other tools' codes,
keeps the file's meaning and line endings, and a second run changes nothing."""

from __future__ import annotations

import ast

import pytest

from initlint.pipeline.noqa import add_noqa, noqa_lines, suppressed_by

CASES = [
    # (source, {line: codes}, the line that must carry the comment afterwards)
    ("import torch.nn as nn\nnn.init.zeros_(w)\n", {2: ["INI001"]}, 2),
    ("nn.init.zeros_(v)  # noqa: E501\n", {1: ["INI001"]}, 1),
    ("zeros_(r)  # type: ignore\r\n", {1: ["INI001"]}, 1),
    ('x = f("""a\nb""")\n', {1: ["INI003"]}, 2),  # not inside the string: after it
    ("nn.init.zeros_(\n    w2)\n", {1: ["INI001"]}, 1),
    ("if True:\n\tnn.init.zeros_(w)\n", {2: ["ini004"]}, 2),
    ("zeros_(w)", {1: ["INI001"]}, 1),  # no final newline
]


@pytest.mark.parametrize("source,codes,line", CASES)
def test_each_code_is_then_suppressed_where_flake8_looks(source, codes, line):
    out = add_noqa(source, codes)
    mapping = noqa_lines(out)
    for reported, wanted in codes.items():
        for code in wanted:
            assert suppressed_by(mapping[reported], code.upper())
    assert "noqa" in out.splitlines()[line - 1]
    assert ast.dump(ast.parse(out)) == ast.dump(ast.parse(source))  # comments only
    assert out.count("\r\n") == source.count("\r\n") and out.count("\n") == source.count("\n")
    assert add_noqa(out, codes) == out  # idempotent


def test_other_tools_codes_are_kept_and_merged():
    out = add_noqa("f(x)  # noqa: E501\n", {1: ["INI001", "INI003"]})
    assert out == "f(x)  # noqa: E501, INI001, INI003\n"
    mapping = noqa_lines(out)
    assert all(suppressed_by(mapping[1], c) for c in ("E501", "INI001", "INI003"))


def test_a_blanket_noqa_is_left_alone():
    assert add_noqa("f(x)  # noqa\n", {1: ["INI001"]}) == "f(x)  # noqa\n"


def test_a_reason_is_a_comment_of_its_own():
    """A word after the codes could read as a code (``# noqa: INI001 PR123``): the reason is
    a second comment, which flake8 and ruff both ignore."""
    out = add_noqa("zeros_(w)\n", {1: ["INI001"]}, reason="zero head, see PR123")
    assert out == "zeros_(w)  # noqa: INI001  # zero head, see PR123\n"
    mapping = noqa_lines(out)
    assert suppressed_by(mapping[1], "INI001") and not suppressed_by(mapping[1], "E501")
