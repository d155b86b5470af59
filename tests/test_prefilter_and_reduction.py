"""The speed layers never change the answer: the textual prefilter never drops a file with a
finding, and the ast reduction hands libcst a source with exactly the same findings."""

from __future__ import annotations

import bisect
import re

import pytest

from expectations import case_files
from initlint.finding import Settings
from initlint.lint import analyze_file, analyze_whole
from initlint.lint.analyzer import analyze
from initlint.lint.gate.reduce import reduce as locate
from initlint.lint.gate.textlines import line_starts, physical_lines
from initlint.lint.gate.prefilter import may_contain_init

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
def test_shipped_pipeline_equals_the_whole_file_analysis(path, strict):
    """What users run (prefilter, reduction, libcst) finds exactly what the analysis of the
    whole file finds: messages, columns and idiom reasons included."""
    text = path.read_text(encoding="utf-8")
    settings = Settings(strict=strict)
    full = analyze_whole(text, str(path), settings)
    assert _key(analyze_file(text, str(path), settings).findings) == _key(full)
    reduced = locate(text, str(path), settings)
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


def test_reduction_drops_module_level_tables_but_not_models():
    """A long module-level statement that calls nothing able to make a layer (timm's
    ``default_cfgs = generate_default_cfgs({...})``) is a table; one that builds a model, or
    instances of the file's classes, is kept (``test_cases/torch/module_level_tables.py``)."""
    path = next(p for p in FILES if p.name == "module_level_tables.py")
    reduced = locate(path.read_text(encoding="utf-8"), str(path), Settings())
    assert "default_cfgs = " not in reduced.source and "\"tiny.in1k\"" not in reduced.source
    assert "model = nn.Sequential(" in reduced.source and "nn.Linear(32, 10)," in reduced.source
    assert "small=Block(8)," in reduced.source


def test_prefilter_skips_files_without_init_words():
    assert not may_contain_init("import os\nprint(os.getcwd())\n", Settings())
    assert may_contain_init("nn.init.zeros_(w)\n", Settings())
    assert may_contain_init("my_fill(w)\n", Settings(init_wrappers=(("pkg.my_fill", "torch.nn.init.zeros_"),)))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_ast_positions_match_libcst_positions(path, monkeypatch):
    """Positions come from the stdlib ast by rank; libcst's PositionProvider must agree."""
    from initlint.lint import analyzer

    text = path.read_text(encoding="utf-8")
    settings = Settings(strict=True)
    fast = analyze(text, str(path), settings)
    monkeypatch.setattr(analyzer, "_ast_positions", lambda *a, **k: None)
    slow = analyze(text, str(path), settings)
    assert [(f.line, f.col, f.code) for f in fast] == [(f.line, f.col, f.code) for f in slow]


@pytest.mark.parametrize("extra", [(), ("my_zero_init",)])
def test_scanner_marks_the_lines_where_a_word_matches(extra):
    """The Scanner rewrites and groups the words for speed; it must mark exactly the lines
    where one of them, searched on its own, starts a match."""
    from initlint.knowledge import context_words, gate_words
    from initlint.lint.gate.prefilter import Scanner

    words = (*gate_words(), *context_words(), *(rf"\b{e}\b" for e in extra))
    scanner = Scanner(words)
    assert len(scanner.regexes) < len(words)  # grouped
    texts = [p.read_text(encoding="utf-8") for p in FILES]
    texts.append("x = my_zero_init(w); init . zeros_ (self . w)\n a ] . copy_ (b); 'zeros'; k_init : 1\n"
                 "nonzeros_ = 1; zeros_x = 2; constant (; \"one\"; 'Ones'")
    total = 0
    for text in texts:
        lines = physical_lines(text)
        starts = line_starts(lines)
        expected = set()
        for word in words:
            for m in re.finditer(f"(?=({word}))", text):  # every start, overlapping ones too
                expected.add(bisect.bisect_right(starts, m.start()))
        marked = bytearray(len(lines) + 1)
        scanner.mark_lines(text, starts, marked)
        assert {n for n, hit in enumerate(marked) if hit} == expected
        assert scanner.search(text) == bool(expected)
        total += len(expected)
    assert total > 500  # the corpus exercises the words


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_parsing_only_what_matters_reduces_like_the_whole_parse(path):
    """locate parses a file with its candidate-free top-level definitions blanked
    (lint/gate/regions.py); what it keeps must be exactly what the whole file's ast gives."""
    import ast

    text = path.read_text(encoding="utf-8")
    settings = Settings()
    assert locate(text, str(path), settings) == locate(text, str(path), settings, ast.parse(text))


def test_partial_parse_blanks_definitions_without_candidates():
    from initlint.lint.gate.regions import blank_unneeded

    src = (
        "import torch.nn as nn\n"
        "@register\n"
        "@other(\n"
        "    1,\n"
        ")\n"
        "def big_unrelated_function(x):\n"
        "    return x\n"
        "\n"
        "# a comment about Net\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        nn.init.zeros_(self.fc.weight)\n"
        "async def g():\n"
        "    pass\n"
    )
    lines = physical_lines(src)
    blanked, skipped = blank_unneeded(src, line_starts(lines), lambda first, last: first <= 13 <= last)
    assert [(d.first, d.last, d.name) for d in skipped] == [(2, 7, "big_unrelated_function"), (14, 15, "g")]
    assert [line.strip() for line in physical_lines(blanked)[1:7]] == [""] * 6
    assert physical_lines(blanked)[9:13] == lines[9:13]
    reduced = locate(src, "m.py", Settings())
    assert reduced.source.splitlines()[1] == "pass"  # no import can be shadowed by its name


def test_a_dropped_definition_still_shadows_the_import_it_is_named_after():
    src = (
        "import torch.nn as nn\n"
        "from torch.nn import init\n"
        "def init(module):\n"
        "    return module\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.fc = nn.Linear(4, 4)\n"
        "        init.zeros_(self.fc.weight)\n"
    )
    """The reducer keeps ``name = None`` for a dropped definition whose name an import
    binds (the import table sees both bindings, as in the whole file), ``pass`` otherwise."""
    reduced = locate(src, "m.py", Settings())
    assert "init = None" in reduced.source.splitlines()
    assert analyze(reduced, "m.py", Settings()) == analyze(src, "m.py", Settings())


@pytest.mark.parametrize(
    "src",
    [
        # a template whose code sits at column 0, inside a function's string: the text
        # alone would take `class Net` for a real class
        'def template():\n    return """\nclass Net:\n    nn.init.zeros_(self.w)\ndef helper():\n    pass\n"""\n',
        "def template():\n    return '''\nclass Net:\n    nn.init.zeros_(self.w)\ndef helper():\n    pass'''\n",
        # the same, opened by a module-level assignment
        'T = """\nclass Net:\n    nn.init.zeros_(self.w)\ndef helper():\n    pass\n"""\n',
    ],
)
def test_code_inside_strings_is_never_analysed(src):
    import ast

    src = "import torch.nn as nn\n" + src
    settings = Settings(strict=True)
    reduced = locate(src, "m.py", settings)
    assert reduced == locate(src, "m.py", settings, ast.parse(src))
    assert reduced is None or analyze(reduced, "m.py", settings) == []


def test_a_syntax_error_in_a_definition_that_cannot_report_is_not_analysed():
    """Documented: like a file the prefilter skips, a definition without candidates is not
    parsed, so its syntax error is not reported; one in a definition with an init is."""
    from initlint.lint.gate.reduce import SourceError

    good = "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        nn.init.zeros_(self.w)\n"
    assert locate(good + "def broken(:\n    pass\n", "m.py", Settings()) is not None
    with pytest.raises(SourceError) as err:
        locate(good.replace("nn.init.zeros_(self.w)", "nn.init.zeros_(self.w"), "m.py", Settings())
    assert err.value.code == "INI900"


def test_a_docstring_line_that_looks_like_a_class_binds_nothing():
    """'class nn of layers' at column 0 of a docstring is no definition: no `nn = None`
    stub may shadow the import (the finding below would be lost)."""
    import ast

    src = (
        'import torch.nn as nn\n"""Notes.\n\nclass nn of layers, all initialised\nby hand.\n"""\n'
        "class Net(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(4, 4)\n"
        "        nn.init.zeros_(self.fc.weight)\n"
    )
    reduced = locate(src, "m.py", Settings())
    assert reduced == locate(src, "m.py", Settings(), ast.parse(src))
    assert [(f.line, f.code) for f in analyze(reduced, "m.py", Settings())] == [(10, "INI001")]


def test_node_validation_is_skipped_only_while_parsing():
    """analyze parses without libcst's per-node validation, and puts it back afterwards:
    a node built by hand must still be validated."""
    import libcst as cst

    from initlint.lint import analyzer

    original = cst.CSTNode.__dict__["__post_init__"]
    with analyzer._trusting_parser():
        assert cst.CSTNode.__dict__["__post_init__"] is not original
        cst.Name("not an identifier")  # no validation while the parser is trusted
    assert cst.CSTNode.__dict__["__post_init__"] is original
    analyze("import torch.nn as nn\nnn.init.zeros_(nn.Linear(2, 2).weight)\n", "m.py", Settings())
    assert cst.CSTNode.__dict__["__post_init__"] is original
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")


MEMBERS = '''\
import torch.nn as nn


class Net(
    nn.Module,
):
    """A net.

    def example(self): this line is docstring text at member indentation
    """

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        nn.init.zeros_(self.fc.weight)

    @property
    def width(self):
        return 4

    def forward(self, x):
        return self.fc(x)

    def extra_repr(self) -> str:
        return "net"


class OnlyBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        nn.init.zeros_(self.fc.bias)

    def unrelated(self):
        return 1
'''


def test_members_without_candidates_are_blanked_too():
    """Methods of a class with a candidate, other than the context the reducer keeps
    (__init__, forward...), are blanked before parsing; the reduction is unchanged, also
    for a class dropped as a whole after its last member was blanked."""
    import ast

    from initlint.knowledge import context_methods
    from initlint.lint.gate.prefilter import pattern
    from initlint.lint.gate.reduce import _Reducer
    from initlint.lint.gate.regions import blank_unneeded

    lines = physical_lines(MEMBERS)
    reducer = _Reducer(MEMBERS, lines, pattern(()))
    _, skipped = blank_unneeded(MEMBERS, reducer.starts, reducer.matches, context_methods())
    assert [(d.name, d.indent, d.owner) for d in skipped] == [
        ("width", "    ", 4), ("extra_repr", "    ", 4), ("unrelated", "    ", 28)]
    reduced = locate(MEMBERS, "m.py", Settings())
    assert reduced == locate(MEMBERS, "m.py", Settings(), ast.parse(MEMBERS))
    assert "width" not in reduced.source and "    pass" in reduced.source.splitlines()  # no import named width
    assert "unrelated" not in reduced.source  # its class went as a whole
    assert [(f.line, f.code) for f in analyze(reduced, "m.py", Settings())] == [(15, "INI001")]


@pytest.mark.parametrize(
    "nest, deepest_ok",
    [(lambda k: "[" * k + "]" * k, 147), (lambda k: "a." * k + "w", 146)],
    ids=["lists", "attributes"],
)
def test_depth_guard_limit_is_exact(nest, deepest_ok):
    """The nesting guard counts AST levels like ``ast.iter_child_nodes`` would (the call,
    its arguments and each nested level): pinned where it starts to refuse (INI901)."""
    from initlint.lint.gate.reduce import SourceError

    def source(k):
        return f"import torch.nn as nn\nnn.init.zeros_({nest(k)})\n"

    locate(source(deepest_ok), "m.py", Settings())
    with pytest.raises(SourceError) as err:
        locate(source(deepest_ok + 1), "m.py", Settings())
    assert err.value.code == "INI901"


#: A string statement whose lines look like code at the indentation where it is inserted.
CODE_IN_A_STRING = (
    '"""\n'
    "class Fake(nn.Module):\n"
    "    def __init__(self):\n"
    "        nn.init.zeros_(self.w)\n"
    "@register\n"
    "def helper(m):\n"
    "    nn.init.constant_(m.weight, 0.5)\n"
    "def {name}(m):\n"
    "    return m\n"
    "class {name}:\n"
    "    pass\n"
    '"""\n'
)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_code_like_strings_between_statements_change_nothing(path):
    """Strings holding code-like lines, put between top-level statements and between the
    members of a class (at their indentation), are never taken for definitions: the
    partial parse reduces as the whole parse does and every finding stays, moved down."""
    import ast

    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    settings = Settings(strict=True)
    before = {(f.line, f.code) for f in analyze(text, str(path), settings)}
    lines = physical_lines(text)
    spots = [(node.lineno, "") for node in tree.body[1::3]]  # before every third statement
    spots += [(member.lineno, " " * member.col_offset) for node in tree.body if isinstance(node, ast.ClassDef)
              for member in node.body[1:2] if not getattr(member, "decorator_list", None)]
    # the fake definitions take the name of an import: a stub for one would shadow it
    imported = [(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names if a.name != "*"]
    insert = physical_lines(CODE_IN_A_STRING.replace("{name}", (imported or ["nn"])[0]))
    for line, indent in spots:
        if lines[line - 1][: len(indent)] != indent:
            continue
        block = [indent + piece if piece.strip() else piece for piece in insert]
        mutated = "".join(lines[: line - 1] + block + lines[line - 1 :])
        reduced = locate(mutated, str(path), settings)
        assert reduced == locate(mutated, str(path), settings, ast.parse(mutated)), (line, indent)
        after = {(f.line - len(block) if f.line >= line + len(block) else f.line, f.code)
                 for f in (analyze(reduced, str(path), settings) if reduced else [])}
        assert after == before, (line, indent)


# Reproducers from scripts/fuzz_long.py (shrunk, then cut to what matters).
PARTIAL_PARSE_REPRODUCERS = {
    # blanking removed the space of "\\r \\n": two line breaks became one "\\r\\n"
    "cr-then-space-in-a-blanked-class": "class A:\\\r \n pass\n" + (
        "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        self.fc = nn.Linear(4, 4)\n        nn.init.zeros_(self.fc.weight)\n"),
    # a class's first member blanked: the class header ran on over its lines
    "first-member-blanked": (
        "import torch.nn as nn\nclass Mlp(nn.Module):\n    class Expert(nn.Module):\n"
        "        def forward(self, x):\n            return x\n\n    # about __init__\n"
        "    def __init__(self):\n        self.fc = nn.Linear(4, 4)\n        nn.init.zeros_(self.fc.weight)\n"),
}


@pytest.mark.parametrize("src", PARTIAL_PARSE_REPRODUCERS.values(), ids=PARTIAL_PARSE_REPRODUCERS.keys())
def test_partial_parse_reproducers(src):
    import ast

    reduced = locate(src, "m.py", Settings())
    assert reduced == locate(src, "m.py", Settings(), ast.parse(src))
    assert [f.code for f in analyze(reduced, "m.py", Settings())] == ["INI001"]


def test_unicode_wrapper_names_are_scanned():
    """init-wrappers may name any Python identifier; the Scanner must take it as a literal."""
    settings = Settings(init_wrappers=(("mylib.初期化", "torch.nn.init.zeros_"),))
    assert may_contain_init("from mylib import 初期化\n初期化(w)\n", settings)
    assert not may_contain_init("from mylib import other\nother(w)\n", settings)
