"""Issue 19 row 13: names Python reads NFKC-normalised are the names the linter matches, and
every reported position is the file's own."""

from __future__ import annotations

from initlint.finding import Settings
from initlint.lint import analyze_file, analyze_whole, may_contain
from initlint.lint.gate.identifiers import normalise

S = Settings()


def test_only_full_width_names_pass_the_prefilter():
    text = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nｎｎ.ｉｎｉｔ.ｚｅｒｏｓ_(fc.weight)\n"
    assert "zeros_" not in text
    assert may_contain(text, S)
    assert [(f.line, f.col, f.code) for f in analyze_file(text, "m.py", S).findings] == [(3, 0, "INI001")]


def test_a_column_after_a_longer_name_is_the_files_own():
    # ﬁ is one character in the file and two ("fi") to Python: the call starts at column 7
    text = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nﬁ = 1; nn.init.zeros_(fc.weight)\n"
    renamed = normalise(text)
    assert renamed is not None and renamed.text.splitlines()[2] == "fi = 1; nn.init.zeros_(fc.weight)"
    assert renamed.column(3, 8) == 7 and renamed.column(3, 1) == 0 and renamed.column(2, 5) == 5
    gated = [(f.line, f.col, f.code) for f in analyze_file(text, "m.py", S).findings]
    assert gated == [(3, 7, "INI001")] == [(f.line, f.col, f.code) for f in analyze_whole(text, "m.py", S)]


def test_strings_and_comments_keep_their_spelling():
    text = 'x = "ｚｅｒｏｓ"  # ｗｅｉｇｈｔ\nｙ = x\n'
    renamed = normalise(text)
    assert renamed is not None and renamed.text == 'x = "ｚｅｒｏｓ"  # ｗｅｉｇｈｔ\ny = x\n'


def test_nothing_to_normalise():
    assert normalise("x = 1\n") is None
    assert normalise("# 零初始化\nx = 'é'\n") is None  # NFKC leaves these as they are
    assert normalise("ｘ = (\n") is None  # does not tokenize: the parsers report it as written
