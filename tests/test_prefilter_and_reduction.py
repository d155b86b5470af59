"""The speed layers never change the answer: the textual prefilter never drops a file with a
finding, and the ast reduction hands libcst a source with exactly the same findings."""

from __future__ import annotations

import re

import pytest

from expectations import case_files
from initlint.findings import Settings
from initlint.static.analyzer import analyze
from initlint.static.locate import locate, physical_lines
from initlint.static.prefilter import may_contain_init

FILES = case_files()
IDS = [str(p.relative_to(p.parents[1])) for p in FILES]


def _key(findings):
    return sorted((f.line, f.col, f.code, f.message, f.idiom) for f in findings)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_prefilter_keeps_every_file_with_a_finding(path):
    text = path.read_text(encoding="utf-8")
    full = analyze(text, str(path), Settings(strict=True))
    if full:
        assert may_contain_init(text, Settings(strict=True))


@pytest.mark.parametrize("path", FILES, ids=IDS)
@pytest.mark.parametrize("strict", [False, True])
def test_reduction_keeps_findings_identical(path, strict):
    text = path.read_text(encoding="utf-8")
    settings = Settings(strict=strict)
    full = analyze(text, str(path), settings)
    reduced = locate(text, str(path), settings)
    got = analyze(reduced, str(path), settings) if reduced is not None else []
    assert _key(got) == _key(full)
    if reduced is not None:
        original = physical_lines(text)
        for line, number in zip(physical_lines(reduced.source), reduced.line_numbers):
            # a kept line is the file's own line; a stub stands where a statement was dropped
            assert line == original[number - 1] or line.strip() in ("pass", "") or line.strip().endswith(
                ("= None", ":")), (number, line)


def test_reduction_does_not_move_a_far_comment_closer():
    """Dropped lines are left out of what libcst sees; a comment kept for the first init
    must not become 'just above' the second one, 9 lines further (comments reach 5 lines)."""
    gap = "        print(\n" + "            1,\n" * 6 + "        )\n"
    src = (
        "import torch.nn as nn\n"
        "class Block(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.a = nn.Linear(4, 4)\n"
        "        self.b = nn.Linear(4, 4)\n"
        "        # zero-init: the block starts as the identity\n"
        "        nn.init.zeros_(self.a.weight)\n"
        + gap
        + "        nn.init.zeros_(self.b.weight)\n"
    )
    settings = Settings()
    reduced = locate(src, "m.py", settings)
    assert len(physical_lines(reduced.source)) < len(physical_lines(src)) - 6, "the gap was kept: no test"
    found = {f.line: f.idiom for f in analyze(reduced, "m.py", settings)}
    assert set(found) == {8, 17}
    assert found[8] and "comment" in found[8]
    assert found[17] is None
    assert found == {f.line: f.idiom for f in analyze(src, "m.py", settings)}


def test_reduction_drops_what_cannot_report():
    src = (
        "import torch.nn as nn\n"
        "def unrelated(x):\n"
        "    return x * 2\n"
        "class Model(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        nn.init.zeros_(self.fc.bias)\n"
    )
    assert locate(src, "m.py", Settings()) is None  # only a bias init: nothing can report


def test_prefilter_skips_files_without_init_words():
    assert not may_contain_init("import os\nprint(os.getcwd())\n", Settings())
    assert may_contain_init("nn.init.zeros_(w)\n", Settings())
    assert may_contain_init("my_fill(w)\n", Settings(init_wrappers=(("pkg.my_fill", "torch.nn.init.zeros_"),)))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_ast_positions_match_libcst_positions(path, monkeypatch):
    """Positions come from the stdlib ast by rank; libcst's PositionProvider must agree."""
    from initlint.static import analyzer

    text = path.read_text(encoding="utf-8")
    settings = Settings(strict=True)
    fast = analyze(text, str(path), settings)
    monkeypatch.setattr(analyzer, "_ast_positions", lambda *a, **k: None)
    slow = analyze(text, str(path), settings)
    assert [(f.line, f.col, f.code) for f in fast] == [(f.line, f.col, f.code) for f in slow]


@pytest.mark.parametrize("extra", [(), ("my_zero_init",)])
def test_grouped_alternatives_match_where_the_plain_join_matches(extra):
    """compile_alternatives regroups the words for speed; every match must start where the
    plain ``a|b|c`` join has one (the prefilter and locate's line hits rely on it)."""
    from initlint.static.locate import _CONTEXT_LINES
    from initlint.static.prefilter import WORDS, compile_alternatives

    words = (*WORDS, *_CONTEXT_LINES, *(rf"\b{e}\b" for e in extra))
    fast, plain = compile_alternatives(words), re.compile("|".join(words))
    assert fast.pattern != plain.pattern

    def starts(regex, text):
        out, m = [], regex.search(text)
        while m:
            out.append(m.start())
            m = regex.search(text, m.start() + 1)
        return out

    texts = [p.read_text(encoding="utf-8") for p in FILES]
    texts.append("x = my_zero_init(w); init . zeros_ (self . w) ; a ] . copy_ (b); 'zeros'; k_init : 1")
    total = 0
    for text in texts:
        expected = starts(plain, text)
        assert starts(fast, text) == expected
        total += len(expected)
    assert total > 500  # the corpus exercises the words
