"""noqa directives are not read by the analysis, and the cache key leaves them out: both are
safe only if the analysis of a file is exactly the same with or without them, messages and
idiom reasons included. Checked on every test case, with a directive on every reported line."""

from __future__ import annotations

import random

import pytest
from expectations import case_files

from initlint.finding import Settings
from initlint.lint import analyze_file
from initlint.lint.gate.directives import strip_noqa, strip_noqa_bytes
from initlint.pipeline.cache import content_key
from initlint.pipeline.noqa import add_noqa


@pytest.mark.parametrize("before,after", [
    ("x = 1  # noqa\n", "x = 1\n"),
    ("x = 1  # noqa: INI001\n", "x = 1\n"),
    ("x = 1\t# NOQA:INI001,E501 \r\n", "x = 1\r\n"),
    ("x = 1  # noqa: INI001  # zero head\n", "x = 1# zero head\n"),
    ("x = 1  # type: ignore  # noqa: E501\n", "x = 1  # type: ignore\n"),
    ("    # noqa\n", "\n"),
    ("x = 1  # noqa: INI001", "x = 1"),  # no final newline
    # not a directive ending its comment: read like any comment
    ("x = 1  # noqa: INI001 see PR 12\n", None),
    ("x = 1  #noqa\n", None),
    ("x = 1  # noqa:\n", None),
    ('s = "# noqa"\n', None),
])
def test_strip(before, after):
    after = before if after is None else after
    assert strip_noqa(before) == after
    assert strip_noqa_bytes(before.encode()) == after.encode()


def test_strip_keeps_every_line_and_column():
    text = "a = 1  # noqa\nb = [  # noqa: E501\n    2,\n]\n"
    out = strip_noqa(text)
    assert out.count("\n") == text.count("\n") and out.splitlines()[2:] == text.splitlines()[2:]
    assert [line.rstrip() for line in out.splitlines()] == ["a = 1", "b = [", "    2,", "]"]


def _settings(strict: bool) -> Settings:
    return Settings(strict=strict)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_directives_change_nothing_the_analysis_says(path):
    text = path.read_text(encoding="utf-8")
    settings = _settings(strict=True)
    found = analyze_file(text, str(path), settings).findings
    rnd = random.Random(path.name)
    lines = {f.line: [f.code] for f in found if f.code.startswith("INI0")}
    lines.update({n: ["E501"] for n in rnd.sample(range(1, text.count("\n") + 1), min(5, text.count("\n")))})
    with_noqa = add_noqa(text, lines)
    assert with_noqa != text or not lines
    assert analyze_file(with_noqa, str(path), settings).findings == found  # messages and idioms too
    assert [f.idiom for f in analyze_file(with_noqa, str(path), settings).findings] == [f.idiom for f in found]
    assert content_key(with_noqa.encode()) == content_key(text.encode())


@pytest.mark.parametrize("text,line", [
    # an intent comment on the reported line: its reason quotes the comment, never the directive
    ("import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)  # zero init: starts as identity\n", 3),
    # a syntax error's column follows the code, not the comment after it
    ("import torch.nn as nn\nif nn\n    nn.init.zeros_(fc.weight)\n", 2),
])
def test_what_a_directive_would_have_changed(text, line):
    settings = _settings(strict=True)
    found = analyze_file(text, "m.py", settings).findings
    assert found
    with_noqa = add_noqa(text, {line: ["INI001"]})
    again = analyze_file(with_noqa, "m.py", settings).findings
    assert [(f.line, f.col, f.code, f.message, f.idiom) for f in again] == [
        (f.line, f.col, f.code, f.message, f.idiom) for f in found
    ]
