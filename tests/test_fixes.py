"""``--fix``, ``--unsafe-fixes`` and ``--diff`` through the real command, on the input/output
pairs of ``tests/data/fixes/`` (``x.py`` -> ``x.fixed.py``; no ``x.fixed.py``: left as it is),
the fixed files run with real torch and Keras, and the codemod's edge cases one by one."""

from __future__ import annotations

import ast
import difflib
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from clirun import run_cli

from initlint.catalog import RULES
from initlint.finding import Finding
from initlint.fix import Applicability, apply_edits, fix_text, fixes_for
from initlint.fix.codemod import DeleteStatement, RemoveArgument, ReplaceStatement, apply_actions
from initlint.pipeline.engine import check_source

DATA = Path(__file__).parent / "data" / "fixes"
INPUTS = sorted(p for p in DATA.glob("*.py") if p.name.count(".") == 1)


def expected_of(src: Path) -> str:
    fixed = src.with_name(src.stem + ".fixed.py")
    return (fixed if fixed.exists() else src).read_text()


def lint(cwd: Path, name: str) -> "list[dict]":
    r = run_cli(cwd, "--no-cache", "--format", "json", name)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def copy(tmp_path: Path):
    """A pair's input in a directory that is not a test directory (a test path's constants are
    fixtures, reported as idioms)."""

    def make(src: Path) -> Path:
        shutil.copy(src, tmp_path / src.name)
        return tmp_path / src.name

    return make


@pytest.mark.parametrize("src", INPUTS, ids=lambda p: p.stem)
def test_pair_fix_diff_and_relint(src: Path, copy):
    target = copy(src)
    cwd, name = target.parent, target.name
    original, expected = src.read_text(), expected_of(src)
    before = lint(cwd, name)
    assert before, "every pair has findings"

    # --diff: the patch, nothing written, exit 1 when there is one
    r = run_cli(cwd, "--no-cache", "--diff", "--unsafe-fixes", name)
    patch = "".join(difflib.unified_diff(original.splitlines(True), expected.splitlines(True), name, name))
    assert r.stdout == patch
    assert r.returncode == (1 if patch else 0)
    assert target.read_text() == original

    # --fix alone: every fix here is unsafe or display-only, so nothing is written
    r = run_cli(cwd, "--no-cache", "--fix", name)
    assert target.read_text() == original
    assert ("unsafe fix" in r.stderr) == (expected != original)

    # --fix --unsafe-fixes: exactly the expected file, which parses
    r = run_cli(cwd, "--no-cache", "--fix", "--unsafe-fixes", name)
    assert target.read_text() == expected
    ast.parse(expected)
    after = lint(cwd, name)
    assert r.returncode == (1 if after else 0)
    assert r.stdout.count(f"{name}:") == len(after)  # the report is what is left
    if expected != original:
        assert {f["code"] for f in after} <= {"INI001", "INI002"}  # every bug fixed...
        assert len(after) < len(before)
        assert f"Fixed {len(before) - len(after)} problem" in r.stderr
        made = [line for line in r.stderr.splitlines() if line.startswith(f"  {name}:")]
        assert len(made) == len(before) - len(after)  # each fix made, one line each, with its place
        assert {line.split()[1] for line in made} <= {f"{b['code']}" for b in before}
        assert all(any(line.startswith(f"  {name}:{b['line']}:{b['column']}: {b['code']} ") for b in before)
                   for line in made)
    else:
        assert after == before
    # ... and nothing is left to fix: a second run changes nothing
    r = run_cli(cwd, "--no-cache", "--diff", "--unsafe-fixes", name)
    assert (r.stdout, r.returncode) == ("", 1 if any(f["code"] in ("INI900", "INI901") for f in after) else 0)


def test_display_only_fixes_are_shown_with_their_edits_and_made_by_hand_give_the_shown_file():
    src = DATA / "display_only.py"
    text = src.read_text()
    findings = check_source(text, "model.py").findings
    fixes = fixes_for(text, "model.py", findings)
    assert [f.finding for f in fixes] == findings and len(findings) == 3
    assert {f.applicability for f in fixes} == {Applicability.DISPLAY_ONLY}
    assert [f.title.split()[0] for f in fixes] == ["Delete", "Delete", "Remove"]
    edits = [e for f in fixes for e in f.edits]
    assert apply_edits(text, edits) == (DATA / "display_only.shown.py").read_text()
    assert fix_text(text, "model.py", findings, unsafe=True).text == text


@pytest.mark.parametrize("src", [p for p in INPUTS if p.with_name(p.stem + ".fixed.py").exists()], ids=lambda p: p.stem)
def test_each_fix_alone_parses_and_removes_its_finding(src: Path):
    text = src.read_text()
    findings = check_source(text, "model.py").findings
    fixes = fixes_for(text, "model.py", findings)
    assert fixes
    for fix in fixes:
        assert fix.applicability is Applicability.UNSAFE and fix.finding.code in ("INI003", "INI004")
        fixed = apply_edits(text, fix.edits)
        ast.parse(fixed)
        assert len(check_source(fixed, "model.py").findings) == len(findings) - 1


def test_a_deliberate_idiom_is_never_applied(tmp_path: Path):
    """In a test file the same dead layers are fixtures (idioms): with --strict they are shown,
    and their fixes are display-only."""
    (tmp_path / "tests").mkdir()
    target = tmp_path / "tests" / "test_model.py"
    shutil.copy(DATA / "torch_statements.py", target)
    r = run_cli(tmp_path, "--no-cache", "--strict", "--fix", "--unsafe-fixes", "tests/test_model.py")
    assert target.read_text() == (DATA / "torch_statements.py").read_text()
    assert r.returncode == 1 and "INI004" in r.stdout and "display-only" in r.stderr


# -- bytes on disk: newlines, indentation, encoding, symlinks, permissions ---------------------


def test_crlf_newlines_are_kept(copy):
    target = copy(DATA / "torch_statements.py")
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    assert target.read_bytes() == expected_of(DATA / "torch_statements.py").encode().replace(b"\n", b"\r\n")


def test_a_replacement_block_takes_the_files_indentation(copy):
    target = copy(DATA / "zeta_init_zero.py")
    tabbed = "".join(_tabs(line) for line in target.read_text().splitlines(True))
    target.write_text(tabbed)
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    expected = "".join(_tabs(line) for line in expected_of(DATA / "zeta_init_zero.py").splitlines(True))
    assert target.read_text() == expected and "\tif self.lin1.bias is not None:\n\t\t\tnn.init" in expected


def _tabs(line: str) -> str:
    body = line.lstrip(" ")
    return "\t" * ((len(line) - len(body)) // 4) + body


def test_encoding_cookie_and_bom_are_kept(copy):
    target = copy(DATA / "torch_statements.py")
    text = target.read_text()
    target.write_bytes(("# -*- coding: latin-1 -*-\n# café\n" + text).encode("latin-1"))
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    assert target.read_bytes() == ("# -*- coding: latin-1 -*-\n# café\n" + expected_of(DATA / "torch_statements.py")).encode("latin-1")
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    assert target.read_bytes() == b"\xef\xbb\xbf" + expected_of(DATA / "torch_statements.py").encode()


def test_a_symlink_is_fixed_in_the_file_it_names_and_modes_are_kept(tmp_path: Path):
    real = tmp_path / "real.py"
    shutil.copy(DATA / "torch_statements.py", real)
    real.chmod(0o640)
    (tmp_path / "link.py").symlink_to(real)
    run_cli(tmp_path, "--no-cache", "--fix", "--unsafe-fixes", "link.py")
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_text() == expected_of(DATA / "torch_statements.py")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_file_that_cannot_be_written_is_an_error_and_the_others_are_fixed(tmp_path: Path):
    """A file-size limit makes writing the fixed file fail (for root too): one error line,
    exit 2, the file as it was and no temporary file left; the small file is fixed."""
    big = (DATA / "torch_statements.py").read_text()
    (tmp_path / "big.py").write_text(big + "#" * 4000 + "\n")
    shutil.copy(DATA / "zeta_no_torch_name.py", tmp_path / "small.py")
    limit = len(expected_of(DATA / "zeta_no_torch_name.py").encode()) + 100
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from initlint.faces.cli import main\n"
        "sys.exit(main(['--no-cache', '-j', '1', '--fix', '--unsafe-fixes', 'big.py', 'small.py']))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "initlint: error: big.py: cannot write the fixes: file too large" in r.stderr
    assert (tmp_path / "big.py").read_text() == big + "#" * 4000 + "\n"
    assert (tmp_path / "small.py").read_text() == expected_of(DATA / "zeta_no_torch_name.py")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.py", "small.py"]


def test_diff_through_the_console_script(tmp_path: Path):
    shutil.copy(DATA / "keras_keywords.py", tmp_path / "model.py")
    script = shutil.which("initlint", path=os.path.dirname(sys.executable))
    r = subprocess.run([script, "--no-cache", "--diff", "--unsafe-fixes", "model.py"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stdout.startswith("--- model.py\n+++ model.py\n@@ ")
    assert "Would fix 7 problems in 1 file." in r.stderr
    r = subprocess.run([script, "--no-cache", "--diff", "model.py"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=120)
    assert (r.returncode, r.stdout) == (0, "") and "7 unsafe fixes available with `--unsafe-fixes`." in r.stderr


def test_rule_pages_say_what_each_fix_does_and_its_applicability(tmp_path: Path):
    assert {c: r.fix.applicability for c, r in RULES.items() if r.fix} == {
        "INI001": "display-only", "INI002": "display-only", "INI003": "unsafe", "INI004": "unsafe"}
    page = run_cli(tmp_path, "rule", "INI004").stdout
    assert "## Fix\nUnsafe fix, applied by `initlint --fix --unsafe-fixes`" in page
    assert "## Fix\nDisplay-only fix" in run_cli(tmp_path, "rule", "INI001").stdout
    assert "## Fix" not in run_cli(tmp_path, "rule", "INI900").stdout


# -- the fixed code runs: real torch and Keras models ------------------------------------------


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("pair", ["torch_statements", "torch_every_layer"])
def test_fixed_torch_models_pass_check_model_init(pair: str, copy):
    pytest.importorskip("torch")
    from initlint import InitCheckError, check_model_init

    original = _load(DATA / f"{pair}.py", f"{pair}_original")
    target = copy(DATA / f"{pair}.py")
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    fixed = _load(target, f"{pair}_fixed")
    for module, healthy in ((original, False), (fixed, True)):
        for model in _models(module):
            if healthy:
                check_model_init(model)
            else:
                with pytest.raises(InitCheckError):
                    check_model_init(model)


def _models(module) -> list:
    if hasattr(module, "MODELS"):
        return [cls() for cls in module.MODELS]
    return [module.model, module.Encoder()]


def test_fixed_keras_model_passes_check_model_init(copy):
    pytest.importorskip("keras")
    from initlint import InitCheckError, check_model_init

    original = _load(DATA / "keras_keywords.py", "keras_keywords_original")
    target = copy(DATA / "keras_keywords.py")
    run_cli(target.parent, "--no-cache", "--fix", "--unsafe-fixes", target.name)
    fixed = _load(target, "keras_keywords_fixed")
    with pytest.raises(InitCheckError):
        check_model_init(original.build())
    check_model_init(fixed.build())


# -- the codemod, edge by edge ------------------------------------------------------------------

ARGUMENTS = [
    ("f(a, k=v)", "f(a)"),
    ("f(k=v, b=1)", "f(b=1)"),
    ("f(a, k=v, b=1)", "f(a, b=1)"),
    ("f(k=v)", "f()"),
    ("f(a, k=v,)", "f(a,)"),
    ("f(a, k=v, )", "f(a, )"),
    ("f(a,\n  k=v)", "f(a)"),
    ("f(a,\n  k=v,\n  b=1)", "f(a,\n  b=1)"),
    ("f(\n    a,\n    k=v,\n)", "f(\n    a,\n)"),
    ("f(\n    a,\n    k=v\n)", "f(\n    a\n)"),
    ("f(\n    a,  # about a\n    k=v\n)", "f(\n    a  # about a\n)"),
    ("f(\n    a,\n    k=v,  # about k\n    b=1,\n)", "f(\n    a,\n    b=1,\n)"),
    ("f(\n    a,\n    # above k\n    k=v,\n    # below k\n    b=1,\n)",
     "f(\n    a,\n    # above k\n    # below k\n    b=1,\n)"),
    ("f(\n    k=v,\n    b=1,\n)", "f(\n    b=1,\n)"),
    ("f(a, k=v,  # on a's line too\n  b=1)", "f(a,  # on a's line too\n  b=1)"),
]


@pytest.mark.parametrize("source,expected", ARGUMENTS)
def test_removing_a_keyword_keeps_commas_and_layout(source: str, expected: str):
    module = cst.parse_module(f"x = {source}\n")
    call = module.body[0].body[0].value
    arg = next(a for a in call.args if a.keyword is not None and a.keyword.value == "k")
    out = apply_actions(module, [RemoveArgument(call, arg)]).code
    assert out == f"x = {expected}\n"
    ast.parse(out)


STATEMENTS = [
    ("a = 1; zeros_(w)\n", "a = 1\n"),
    ("zeros_(w); a = 1\n", "a = 1\n"),
    ("a = 1; zeros_(w); b = 2\n", "a = 1; b = 2\n"),
    ("a = 1; zeros_(w);\n", "a = 1;\n"),
    ("if c: zeros_(w)\n", "if c: pass\n"),
    ("if c: a = 1; zeros_(w)\n", "if c: a = 1\n"),
    ("if c:\n    zeros_(w)\nelse:\n    b = 2\n", "if c:\n    pass\nelse:\n    b = 2\n"),
    ("if c:\n    # why\n    zeros_(w)  # gone\n    b = 2\n", "if c:\n    # why\n    b = 2\n"),
    ("if c:\n    b = 2\n    # why\n    zeros_(w)\n    # after\nd = 3\n", "if c:\n    b = 2\n    # why\n    # after\nd = 3\n"),
    ("a = 1\n\n# why\nzeros_(w)\n", "a = 1\n\n# why\n"),
    ("zeros_(w)\n", "\n"),
]


@pytest.mark.parametrize("source,expected", STATEMENTS)
def test_deleting_a_statement_keeps_the_rest(source: str, expected: str):
    module = cst.parse_module(source)
    target = _find(module, lambda n: isinstance(n, cst.Expr) and isinstance(n.value, cst.Call)
                   and getattr(n.value.func, "value", None) == "zeros_")
    out = apply_actions(module, [DeleteStatement(target)]).code
    assert out == expected
    ast.parse(out)


@pytest.mark.parametrize("source,expected", [
    ("class A:\n  def f(self):\n    z(self.l)  # c\n", "class A:\n  def f(self):\n    if self.l.bias is not None:\n      k(self.l.bias)\n"),
    ("x = 1; z(l)\n", "x = 1; k(l.bias) if l.bias is not None else None\n"),
    ("for l in ls: z(l)\n", "for l in ls: k(l.bias) if l.bias is not None else None\n"),
    ("a = 1\r\nz(l)\r\n", "a = 1\r\nif l.bias is not None:\r\n    k(l.bias)\r\n"),
])
def test_replacing_a_statement_takes_the_files_style(source: str, expected: str):
    module = cst.parse_module(source)
    target = _find(module, lambda n: isinstance(n, cst.Expr) and getattr(n.value.func, "value", None) == "z")
    layer = cst.Module([]).code_for_node(target.value.args[0].value)
    action = ReplaceStatement(target, f"if {layer}.bias is not None:\n    k({layer}.bias)\n",
                              f"k({layer}.bias) if {layer}.bias is not None else None\n")
    out = apply_actions(module, [action]).code
    assert out == expected
    ast.parse(out)


def _find(module: cst.Module, wanted):
    found = []

    class Finder(cst.CSTVisitor):
        def on_visit(self, node):
            if wanted(node):
                found.append(node)
            return True

    module.visit(Finder())
    assert len(found) == 1
    return found[0]


def test_fix_text_is_a_fixed_point_and_counts_what_it_left(tmp_path: Path):
    text = (DATA / "torch_statements.py").read_text()
    findings = check_source(text, "model.py").findings
    safe = fix_text(text, "model.py", findings)
    assert safe.text == text and not safe.fixed and len(safe.left) == len(findings)
    done = fix_text(text, "model.py", findings, unsafe=True)
    assert done.text == expected_of(DATA / "torch_statements.py")
    assert sorted(done.fixed) == sorted(findings) and not done.findings and not done.left
    again = fix_text(done.text, "model.py", done.findings, unsafe=True)
    assert again.text == done.text and not again.fixed


def test_findings_that_do_not_match_the_text_get_no_fix():
    text = (DATA / "torch_statements.py").read_text()
    moved = [Finding("model.py", 1, 0, "INI004", "elsewhere")]
    assert fixes_for(text, "model.py", moved) == []
    assert fixes_for("def broken(:\n", "model.py", moved) == []


def test_the_readme_shows_the_real_diff(tmp_path: Path):
    """The README's ``--diff`` example is what the command prints for readme_model.py."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("### Fixes:", 1)[1].split("```diff\n", 1)[1].split("```", 1)[0]
    shutil.copy(DATA / "readme_model.py", tmp_path / "model.py")
    r = run_cli(tmp_path, "--no-cache", "--diff", "--unsafe-fixes", "model.py")
    assert r.stdout == shown and r.returncode == 1
    report = readme.split("each fix it made, where the finding was:\n\n```text\n", 1)[1].split("```", 1)[0]
    r = run_cli(tmp_path, "--no-cache", "--fix", "--unsafe-fixes", "model.py")
    assert r.stderr == report and r.returncode == 0
