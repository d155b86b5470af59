"""The engine in-process: check_source/check_paths, filters, noqa (flake8 parity), discovery,
decoding, exit codes and the worker pool."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from initlint.pipeline import noqa, sources
from initlint.pipeline.config import Config
from initlint.pipeline.engine import ALWAYS_ON, RunResult, _Filter, check_paths, check_source
from initlint.pipeline.files import Excluder, discover
from initlint.finding import Finding, Settings
from initlint.pipeline.workers import run_tasks

GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1
IDIOM = "import torch.nn as nn\nhead = nn.Linear(4, 4)\nnn.init.zeros_(head.weight)\n"  # a zero head: idiom


def codes(findings) -> "list[tuple[str, int, int]]":
    return [(f.code, f.line, f.col) for f in findings]


# -- check_source ---------------------------------------------------------------------------


def test_check_source_str_and_bytes_agree():
    a = check_source(GOOD, "m.py")
    b = check_source(GOOD.encode(), "m.py")
    c = check_source(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(), "m.py")
    assert codes(a.findings) == codes(b.findings) == codes(c.findings) == [("INI001", 3, 0)]
    assert a.findings[0].path == "m.py"


def test_check_source_idioms_need_strict():
    raw = check_source(IDIOM, "m.py", Config(strict=True))
    assert [f.code for f in raw.findings] == ["INI001"] and raw.findings[0].idiom
    assert check_source(IDIOM, "m.py").findings == []
    assert check_source(IDIOM, "m.py", cli_filters=False).findings == []
    assert len(check_source(IDIOM, "m.py", Config(strict=True), cli_filters=False).findings) == 1


def test_check_source_cli_filters_off_keeps_noqa_and_ignored_codes():
    text = GOOD.rstrip("\n") + "  # noqa\n"
    assert check_source(text, "m.py").findings == []
    assert codes(check_source(text, "m.py", Config(ignore=frozenset({"INI001"})), cli_filters=False).findings) == [
        ("INI001", 3, 0)
    ]


def test_check_source_problems():
    assert codes(check_source(b"zeros = '\xff'\n", "m.py").findings) == [("INI900", 1, 9)]
    assert codes(check_source(GOOD, "m.py", Config(max_file_size=10)).findings) == [("INI901", 1, 0)]
    assert codes(check_source(GOOD.encode(), "m.py", Config(max_file_size=10)).findings) == [("INI901", 1, 0)]
    assert check_source("", "m.py").findings == []
    assert check_source("def f():\n    return 1\n", "m.py").findings == []


# -- filters --------------------------------------------------------------------------------


def _synthetic(path: str = "tests/t.py") -> "list[Finding]":
    return [
        Finding(path, 1, 0, "INI900", "cannot parse"),
        Finding(path, 2, 0, "INI901", "too deep"),
        Finding(path, 3, 0, "INI001", "zero"),
        Finding(path, 4, 0, "INI002", "constant"),
        Finding(path, 5, 0, "INI001", "zero head", idiom="head"),
    ]


@pytest.mark.parametrize(
    "config",
    [
        Config(select=frozenset({"INI003"})),
        Config(ignore=frozenset({"INI001", "INI002", "INI900", "INI901"})),
        Config(per_file_ignores=(("tests/*", frozenset({"INI001", "INI002", "INI900", "INI901"})),)),
    ],
)
def test_run_diagnostics_pass_every_filter(tmp_path, config):
    text = "\n".join(["x = 1  # noqa"] * 5) + "\n"
    kept = _Filter(Config(**{**config.__dict__, "root": str(tmp_path)}))(
        _synthetic(str(tmp_path / "tests" / "t.py")), str(tmp_path / "tests" / "t.py"), text
    )
    assert sorted(f.code for f in kept) == ["INI900", "INI901"]
    assert ALWAYS_ON == {"INI900", "INI901"}


def test_filter_idioms_and_per_file_ignores(tmp_path):
    path = str(tmp_path / "tests" / "t.py")
    keep = _Filter(Config(root=str(tmp_path)))
    assert [f.message for f in keep(_synthetic(path), path, None)] == ["cannot parse", "too deep", "zero", "constant"]
    strict = _Filter(Config(root=str(tmp_path), strict=True))
    assert len(strict(_synthetic(path), path, None)) == 5
    pfi = _Filter(Config(root=str(tmp_path), per_file_ignores=(("tests/*", frozenset({"INI002"})),)))
    assert [f.code for f in pfi(_synthetic(path), path, None)] == ["INI900", "INI901", "INI001"]
    other = str(tmp_path / "src" / "t.py")
    assert [f.code for f in pfi(_synthetic(other), other, None)] == ["INI900", "INI901", "INI001", "INI002"]


# -- noqa -----------------------------------------------------------------------------------


def test_noqa_regex_is_flake8s():
    from flake8 import defaults

    assert noqa.NOQA_INLINE.pattern == defaults.NOQA_INLINE_REGEXP.pattern
    assert noqa.NOQA_INLINE.flags == defaults.NOQA_INLINE_REGEXP.flags


@pytest.mark.parametrize(
    "line,code,expected",
    [
        ("x  # noqa", "INI001", True),
        ("x  # NoQA", "INI001", True),
        ("x  # noqa: INI001", "INI001", True),
        ("x  # noqa:INI002,INI001", "INI001", True),
        ("x  # noqa: INI002 INI001", "INI001", True),
        ("x  # noqa: INI0", "INI001", True),
        ("x  # noqa: ini001", "INI001", True),
        ("x  # noqa: INI002", "INI001", False),
        ("x  # noqa : INI002", "INI001", True),  # flake8: not a code list, so a blanket noqa
        ("x  # noqa:INI002 because reasons", "INI001", False),
        ("x  # no qa", "INI001", False),
        ("x", "INI001", False),
    ],
)
def test_suppressed_by(line, code, expected):
    assert noqa.suppressed_by(line, code) is expected


def test_noqa_line_mapping_matches_flake8_for_multiline_strings():
    text = 'x = 1\ny = """\nzeros\n"""  # noqa\nz = f(\n    a,\n)  # noqa\n'
    mapping = noqa.noqa_lines(text)
    assert all("# noqa" in mapping[n] for n in (2, 3, 4))  # one multi-line token: one line
    assert "# noqa" not in mapping[5] and "# noqa" not in mapping[6]  # brackets: physical lines
    assert "# noqa" in mapping[7]
    assert noqa.noqa_lines("x = (\n")[1] == "x = (\n"  # untokenizable: physical lines


# -- sources --------------------------------------------------------------------------------


def test_decode_normalises_newlines_and_bom():
    assert sources.decode(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"
    assert sources.decode("# coding: latin-1\nx = '\xe9'\n".encode("latin-1")).endswith("'\xe9'\n")


@pytest.mark.parametrize(
    "data,line,col,words",
    [
        (b"x = 1\ny = '\xff'\n", 2, 5, "invalid byte 0xff"),
        (b"\xff\n", 1, 0, "cannot decode"),
        (b"#!/bin/python\n# coding: nope\n", 2, 0, "unknown encoding: nope"),
        (b"# coding: rot13\nx\n", 1, 0, "encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\n", 1, 0, "encoding"),
        (b"a\nbc\0\n", 2, 2, "null byte"),
    ],
)
def test_decode_problems(data, line, col, words):
    with pytest.raises(sources.SourceProblem) as info:
        sources.decode(data)
    p = info.value
    assert (p.code, p.line, p.col) == ("INI900", line, col)
    assert words in p.message


# -- discovery ------------------------------------------------------------------------------


def _tree(root: Path, files: "list[str]") -> None:
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n")


def test_discover_walks_python_files_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, ["a.py", "b.pyi", "c.txt", "sub/d.py", ".git/e.py", "venv/f.py", "env/pyvenv.cfg", "env/g.py",
                     "x.egg-info/h.py", "node_modules/i.py", ".initlint_cache/j.py"])
    assert [t.path for t in discover(["."], Excluder((), str(tmp_path)))] == ["a.py", os.path.join("sub", "d.py")]
    explicit = discover(["b.pyi", "c.txt", "./a.py", "a.py", "sub/../a.py"], Excluder((), str(tmp_path)))
    assert [t.path for t in explicit] == ["a.py", "b.pyi", "c.txt"]  # de-duplicated, normalised


def test_discover_excludes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, ["keep.py", "gen/a.py", "src/gen/b.py", "src/m_pb2.py", "docs/conf.py"])
    ex = Excluder(["gen", "*_pb2.py", "docs/conf.py"], str(tmp_path))
    assert [t.path for t in discover(["."], ex)] == ["keep.py"]
    assert [t.path for t in discover(["gen/a.py"], ex)] == [os.path.join("gen", "a.py")]
    assert discover(["gen/a.py", "src/m_pb2.py"], ex, force_exclude=True) == []


def test_discover_does_not_follow_directory_symlinks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, ["real/a.py"])
    os.symlink("real", tmp_path / "link")
    os.symlink("real/a.py", tmp_path / "alias.py")
    os.symlink(str(tmp_path), tmp_path / "real" / "up")  # a loop
    got = [t.path for t in discover(["."], Excluder((), str(tmp_path)))]
    assert got == ["alias.py", os.path.join("real", "a.py")]
    assert [t.path for t in discover(["link"], Excluder((), str(tmp_path)))] == [os.path.join("link", "a.py")]


# -- runs -----------------------------------------------------------------------------------


def test_exit_codes():
    f = Finding("a.py", 1, 0, "INI001", "m")
    e = Finding("a.py", 1, 0, "INI900", "m")
    assert RunResult([]).exit_code() == 0
    assert RunResult([f]).exit_code() == 1
    assert RunResult([f]).exit_code(exit_zero=True) == 0
    assert RunResult([f, e]).exit_code() == 2
    assert RunResult([e]).exit_code(exit_zero=True) == 2


def test_check_paths_order_and_stats(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.py", "a.py", "c.py"):
        (tmp_path / name).write_text(GOOD + GOOD.replace("fc", "enc"))
    (tmp_path / "plain.py").write_text("def f():\n    return 1\n")
    result = check_paths(["."], Config(root=str(tmp_path), use_cache=False, jobs=2))
    assert [(f.path, f.line) for f in result.findings] == [(p, n) for p in ("a.py", "b.py", "c.py") for n in (3, 6)]
    s = result.stats
    assert (s.files, s.skipped, s.analysed, s.cached) == (4, 1, 3, 0)


def test_run_tasks_directly():
    settings = Settings()
    assert run_tasks([], settings, jobs=4, timeout=10).outcomes == []
    broken = "nn.init.zeros_(w)\nx = (\n"  # an init word, then a syntax error
    outcomes = run_tasks([("a.py", GOOD), ("b.py", broken), ("c.py", "")], settings, jobs=8, timeout=30).outcomes
    assert [f.code for f in outcomes[0].findings] == ["INI001"]
    assert [f.code for f in outcomes[1].findings] == ["INI900"] and outcomes[1].cacheable
    assert outcomes[2].findings == []
