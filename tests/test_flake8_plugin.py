"""The flake8 plugin through real ``flake8`` subprocesses: the same findings and columns as
the CLI, noqa, select/ignore/per-file-ignores, options from config files, ``-j``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1

# An annotated file in the style of the test_cases/: several findings, columns > 0, a
# multi-line call, noqa comments.
ANNOTATED = textwrap.dedent(
    '''\
    import torch
    import torch.nn as nn
    from torch.nn import init


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_a = nn.Linear(8, 8)
            self.enc_b = nn.Linear(8, 8)
            self.enc_c = nn.Linear(8, 8)
            nn.init.zeros_(self.enc_a.weight)  # expect: INI001
            init.constant_(  # expect: INI002
                self.enc_b.weight,
                0.5,
            )
            with torch.no_grad():
                self.enc_c.weight.fill_(0.1)  # expect: INI002
            nn.init.zeros_(self.enc_a.bias)
    '''
)


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def flake8_rows(proc: subprocess.CompletedProcess) -> "list[tuple[str, int, int, str]]":
    rows = []
    for line in proc.stdout.splitlines():
        path, row, col, rest = line.split(":", 3)
        rows.append((str(Path(path)), int(row), int(col), rest.split()[0]))
    return sorted(rows)


def cli_rows(cwd: Path, *args: str) -> "list[tuple[str, int, int, str]]":
    proc = subprocess.run(
        [sys.executable, "-m", "initlint", "--no-cache", "--isolated", "--format", "json", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1, 2), proc.stderr
    return sorted((str(Path(r["path"])), r["line"], r["column"], r["code"]) for r in json.loads(proc.stdout))


def expected_rows(path: Path, text: str) -> "list[tuple[str, int, int, str]]":
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if "# expect:" in line:
            code = line.split("# expect:")[1].split()[0]
            col = len(line) - len(line.lstrip()) + 1
            rows.append((str(path), n, col, code))
    return rows


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(ANNOTATED)
    return tmp_path


def test_flake8_matches_annotations_and_cli(annotated):
    proc = flake8(annotated, "--isolated", "--select", "INI", "model.py")
    assert proc.returncode == 1, proc.stderr
    got = flake8_rows(proc)
    assert got == expected_rows(Path("model.py"), ANNOTATED)
    assert got == cli_rows(annotated, "model.py")


def test_flake8_matches_cli_over_test_cases():
    """Parity over every annotated file the analyzer's own tests use."""
    cases = REPO / "test_cases"
    if not cases.is_dir():
        pytest.skip("no test_cases/ directory")
    proc = flake8(REPO, "--isolated", "--select", "INI", "-j", "2", "test_cases")
    assert proc.returncode in (0, 1), proc.stderr
    # syntax errors are flake8's E999; flake8 hands plugins .py files only, never notebooks
    cli = [r for r in cli_rows(REPO, "test_cases", "--include", "*.py") if r[3] != "INI900"]
    got = flake8_rows(proc)
    assert got, "expected findings in test_cases/"
    assert got == cli


@pytest.mark.parametrize(
    "comment,suppressed",
    [("  # noqa", True), ("  # noqa: INI001", True), ("  # noqa:INI001,E501", True), ("  # noqa: INI002", False)],
)
def test_noqa(tmp_path, comment, suppressed):
    (tmp_path / "m.py").write_text(GOOD.rstrip("\n") + comment + "\n")
    proc = flake8(tmp_path, "--isolated", "--select", "INI", "m.py")
    assert (proc.stdout == "") == suppressed, proc.stdout


def test_noqa_on_the_callee_line_of_a_multiline_call(annotated):
    text = ANNOTATED.replace("init.constant_(  # expect: INI002", "init.constant_(  # noqa: INI002")
    (annotated / "model.py").write_text(text)
    codes = [r[3] for r in flake8_rows(flake8(annotated, "--isolated", "--select", "INI", "model.py"))]
    assert codes == ["INI001", "INI002"]  # the multi-line one is gone


def test_select_extend_ignore_per_file_ignores(annotated):
    (annotated / "other.py").write_text(GOOD)

    def codes(*args: str) -> "list[tuple[str, str]]":
        return [(r[0], r[3]) for r in flake8_rows(flake8(annotated, "--isolated", *args, "model.py", "other.py"))]

    everything = codes("--select", "INI")
    assert everything == [("model.py", "INI001"), ("model.py", "INI002"), ("model.py", "INI002"), ("other.py", "INI001")]
    assert codes("--select", "INI", "--extend-ignore", "INI001") == [("model.py", "INI002")] * 2
    assert codes("--select", "INI002") == [("model.py", "INI002")] * 2
    assert codes("--select", "E999", "--extend-select", "INI001") == [("model.py", "INI001"), ("other.py", "INI001")]
    assert codes("--select", "INI", "--per-file-ignores", "model.py:INI002 other.py:INI") == [("model.py", "INI001")]
    # Default selection (no --select) includes plugin codes.
    default = [r[3] for r in flake8_rows(flake8(annotated, "--isolated", "other.py"))]
    assert "INI001" in default


INTENT = "import torch.nn as nn\nfrobnicator = nn.Linear(4, 4)\nnn.init.zeros_(frobnicator.weight)\n"
WRAPPED = "from mylib import init\nimport torch.nn as nn\nfc = nn.Linear(4, 4)\ninit.zeros_(fc.weight)\n"


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_options_from_config_files(tmp_path, config_name):
    (tmp_path / "intent.py").write_text(INTENT)
    (tmp_path / "wrapped.py").write_text(WRAPPED)

    def codes() -> "list[tuple[str, str]]":
        return [(r[0], r[3]) for r in flake8_rows(flake8(tmp_path, "--select", "INI", "intent.py", "wrapped.py"))]

    assert codes() == [("intent.py", "INI001")]
    (tmp_path / config_name).write_text(
        "[flake8]\ninitlint-intent-names = frobnicator, other_name\n"
        "initlint-init-wrappers = mylib.init=torch.nn.init\n"
    )
    assert codes() == [("wrapped.py", "INI001")]  # intent.py is now an idiom: hidden
    (tmp_path / config_name).write_text(
        "[flake8]\ninitlint-intent-names = frobnicator\ninitlint-strict = true\n"
    )
    assert codes() == [("intent.py", "INI001")]  # strict shows the idiom


def test_command_line_options(tmp_path):
    (tmp_path / "intent.py").write_text(INTENT)
    proc = flake8(tmp_path, "--isolated", "--select", "INI", "--initlint-intent-names=frobnicator", "intent.py")
    assert proc.stdout == ""
    proc = flake8(
        tmp_path, "--isolated", "--select", "INI", "--initlint-intent-names=frobnicator", "--initlint-strict", "intent.py"
    )
    assert "INI001" in proc.stdout


def test_bad_wrapper_option_is_one_line(tmp_path):
    (tmp_path / "m.py").write_text(GOOD)
    proc = flake8(tmp_path, "--isolated", "--initlint-init-wrappers=not a spec", "m.py")
    assert proc.returncode != 0
    assert "initlint-init-wrappers" in proc.stderr and "Traceback" not in proc.stderr


def test_parallel_flake8_on_many_files(tmp_path):
    for i in range(60):
        (tmp_path / f"m{i:02}.py").write_text(GOOD if i % 2 else ANNOTATED)
    serial = flake8_rows(flake8(tmp_path, "--isolated", "--select", "INI", "-j", "1", "."))
    parallel = flake8_rows(flake8(tmp_path, "--isolated", "--select", "INI", "-j", "2", "."))
    assert len(serial) == 30 * 1 + 30 * 3
    assert parallel == serial
    assert parallel == cli_rows(tmp_path, ".")


def test_syntax_error_is_e999_only(tmp_path):
    (tmp_path / "broken.py").write_text("import torch.nn as nn\nnn.init.zeros_(w\n")
    proc = flake8(tmp_path, "--isolated", "broken.py")
    assert "E999" in proc.stdout and "INI" not in proc.stdout


def test_too_deep_is_ini901_not_a_crash(tmp_path):
    # Deep enough for the ast guard to refuse it for libcst, shallow enough for flake8's
    # own parser and pyflakes (which crash on deeper input before any plugin runs).
    (tmp_path / "deep.py").write_text("import torch.nn as nn\nnn.init.zeros_(" + "[" * 190 + "]" * 190 + ")\n")
    proc = flake8(tmp_path, "--isolated", "--select", "INI", "deep.py")
    assert "Traceback" not in proc.stderr
    assert [r[3] for r in flake8_rows(proc)] == ["INI901"]


UNDECODABLE = {
    "latin1_no_cookie.py": GOOD.replace("\nnn.init", "  # caf\xe9\nnn.init").encode("latin-1"),
    "mojibake_name.py": b"import torch.nn as nn\n\xff\xfe = 1\n" + GOOD.encode(),
    "unknown_cookie.py": b"# -*- coding: klingon -*-\n" + GOOD.encode(),
    "cookie_says_ascii.py": b"# coding: ascii\n" + GOOD.replace("\nnn.init", "  # caf\xe9\nnn.init").encode("latin-1"),
}


def test_undecodable_files_are_ini900_as_in_the_cli(tmp_path):
    """Issue 19 row 15: flake8 reads a file Python cannot decode as Latin-1, and the plugin
    reported on that mojibake (here a real INI001 each) where the CLI says INI900. Files that
    decode (a Latin-1 cookie, UTF-8 text) are analysed as usual."""
    for name, data in UNDECODABLE.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "latin1_cookie.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n" + GOOD.replace("\nnn.init", "  # caf\xe9\nnn.init").encode("latin-1")
    )
    (tmp_path / "utf8.py").write_text(GOOD.replace("\nnn.init", "  # caf\u00e9 \u03c6\nnn.init"), encoding="utf-8")
    proc = flake8(tmp_path, "--isolated", "--select", "INI", ".")
    assert "Traceback" not in proc.stderr
    got = flake8_rows(proc)
    assert got == cli_rows(tmp_path, ".")
    assert {(path, code) for path, _, _, code in got} == {
        *((name, "INI900") for name in UNDECODABLE),
        ("latin1_cookie.py", "INI001"),
        ("utf8.py", "INI001"),
    }


def test_plugin_registered():
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, timeout=60)
    assert "initlint:" in proc.stdout


def test_plugin_reuses_flake8s_tree(monkeypatch):
    """flake8 has parsed the file already: the plugin hands that tree on instead of parsing
    again (in-process here, because only this way can a second parse be forbidden)."""
    import ast

    from initlint.faces.flake8_plugin import InitLintChecker
    from initlint.lint.gate import reduce

    lines = ANNOTATED.splitlines(True)
    tree = ast.parse(ANNOTATED)

    def no_second_parse(*args, **kwargs):
        raise AssertionError("the plugin parsed the file a second time")

    monkeypatch.setattr(reduce, "parse_guarded", no_second_parse)
    monkeypatch.setattr(reduce, "parse", no_second_parse)
    found = [(row, col, text.split()[0]) for row, col, text, _ in InitLintChecker(tree, "model.py", lines).run()]
    assert found == [(12, 8, "INI001"), (13, 8, "INI002"), (18, 12, "INI002")]
