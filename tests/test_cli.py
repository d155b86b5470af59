"""The ``initlint`` command through a real subprocess: exit codes, filters, noqa, formats,
``initlint rule``, usage errors, and a closed stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

import initlint
import initlint.catalog

GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1
CLEAN = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.bias)\n"
LINE = "bad.py:3:1: INI001 "


def initlint_cmd(console: bool = False) -> "list[str]":
    if console:
        script = shutil.which("initlint", path=os.path.dirname(sys.executable)) or shutil.which("initlint")
        assert script, "console script 'initlint' not installed (pip install -e .)"
        return [script]
    return [sys.executable, "-m", "initlint"]


def run(cwd: Path, *args: str, console: bool = False) -> subprocess.CompletedProcess:
    if not args or args[0] != "rule":
        args = ("--no-cache", *args)
    return subprocess.run([*initlint_cmd(console), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def run_in_process(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The same command in this process: for the many small filter cases (fast)."""
    return run_cli(cwd, "--no-cache", *args)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(GOOD)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


@pytest.mark.parametrize("console", [False, True])
def test_findings_exit_1_with_text_lines(tree, console):
    proc = run(tree, console=console)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(LINE)
    assert "fc.weight" in lines[0]
    assert proc.stderr == "Found 1 problem in 1 file.\n"


def test_clean_exit_0_and_silent(tree):
    proc = run(tree, "clean.py")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_default_path_is_cwd_and_output_is_sorted(tmp_path):
    for rel in ("b.py", "a.py", "sub/c.py", "sub/a.py"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(GOOD)
    proc = run(tmp_path, "-j", "2")
    paths = [line.split(":")[0] for line in proc.stdout.splitlines()]
    assert paths == ["a.py", "b.py", "sub/a.py", "sub/c.py"]


@pytest.mark.parametrize(
    "args,code",
    [
        (["--select", "INI002"], 0),
        (["--select", "INI001"], 1),
        (["--select", "ini00"], 1),  # prefix, case-insensitive
        (["--ignore", "INI001"], 0),
        (["--ignore", "INI"], 0),
        (["--select", "INI001", "--ignore", "INI001"], 0),
        (["--select", "INI002", "--extend-select", "INI001"], 1),
        (["--extend-ignore", "INI001"], 0),
        (["--exit-zero"], 0),
    ],
)
def test_select_ignore_exit_zero(tree, args, code):
    proc = run_in_process(tree, *args)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert (LINE in proc.stdout) == (code == 1 or "--exit-zero" in args)


def test_exit_zero_does_not_hide_unanalysable_files(tree):
    proc = run(tree, "--exit-zero", "missing.py", "bad.py")
    assert proc.returncode == 2
    assert "missing.py:1:1: INI900 no such file or directory" in proc.stdout
    assert LINE in proc.stdout


def test_run_diagnostics_survive_select_and_ignore(tree):
    proc = run(tree, "--select", "INI002", "--ignore", "INI9", "missing.py", "bad.py")
    assert proc.returncode == 2
    assert proc.stdout.startswith("missing.py:1:1: INI900")


@pytest.mark.parametrize(
    "comment,suppressed",
    [
        ("  # noqa", True),
        ("  # noqa: INI001", True),
        ("  # noqa:INI001,INI002", True),
        ("  # NOQA: ini001", True),
        ("  # noqa: INI", True),  # prefix, like flake8
        ("  # noqa: INI002", False),
        ("  # noqa: E501", False),
        ("  # type: ignore", False),
    ],
)
def test_noqa(tmp_path, comment, suppressed):
    (tmp_path / "bad.py").write_text(GOOD.rstrip("\n") + comment + "\n")
    proc = run_in_process(tmp_path)
    assert proc.returncode == (0 if suppressed else 1), proc.stdout


def test_noqa_must_be_on_the_reported_line(tmp_path):
    source = "import torch.nn as nn\nfc = nn.Linear(4, 4)  # noqa\nnn.init.zeros_(\n    fc.weight,\n)  # noqa\n"
    (tmp_path / "bad.py").write_text(source)
    proc = run(tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith(LINE)
    (tmp_path / "bad.py").write_text(source.replace("nn.init.zeros_(\n", "nn.init.zeros_(  # noqa: INI001\n"))
    assert run(tmp_path).returncode == 0


def test_noqa_never_hides_run_diagnostics(tmp_path):
    (tmp_path / "bad.py").write_text("import torch.nn as nn\nnn.init.zeros_(w  # noqa\n")
    proc = run(tmp_path)
    assert proc.returncode == 2 and "INI900" in proc.stdout


def test_json_format(tree):
    proc = run(tree, "--format", "json", ".", "missing.py")
    assert proc.returncode == 2
    rows = json.loads(proc.stdout)
    assert [(r["path"], r["line"], r["column"], r["code"]) for r in rows] == [
        ("bad.py", 3, 1, "INI001"),
        ("missing.py", 1, 1, "INI900"),
    ]
    assert rows[0]["name"] == "zero-weight" and "fc.weight" in rows[0]["message"]
    assert set(rows[0]) >= {"path", "line", "column", "code", "message"}
    assert proc.stderr == ""  # no summary outside text format


def test_json_empty_list_when_clean(tree):
    proc = run(tree, "--format", "json", "clean.py")
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [])


def test_github_format(tree):
    proc = run(tree, "--format", "github")
    assert proc.returncode == 1
    [line] = proc.stdout.splitlines()
    assert line.startswith("::warning file=bad.py,line=3,col=1,title=INI001::fc.weight")


def test_statistics(tmp_path):
    for i in range(3):
        (tmp_path / f"bad{i}.py").write_text(GOOD)
    proc = run(tmp_path, "--statistics")
    assert proc.returncode == 1
    assert proc.stdout.split() == ["3", "INI001", "zero-weight"]
    proc = run(tmp_path, "--statistics", "--format", "json")
    assert json.loads(proc.stdout) == [{"code": "INI001", "name": "zero-weight", "count": 3}]
    assert run(tmp_path, "--statistics", "--format", "sarif").returncode == 2


def test_output_file(tree):
    proc = run(tree, "--format", "json", "-o", "report.json")
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads((tree / "report.json").read_text())[0]["code"] == "INI001"


def test_rule_subcommand(tmp_path):
    proc = run(tmp_path, "rule", "INI001")
    assert proc.returncode == 0
    assert proc.stdout.startswith("INI001 zero-weight\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Known false positives"):
        assert heading in proc.stdout
    assert run(tmp_path, "rule", "zero-weight").stdout == proc.stdout
    assert run(tmp_path, "rule", "ini001").stdout == proc.stdout


def test_rule_unknown_and_listing(tmp_path):
    proc = run(tmp_path, "rule", "INI999")
    assert proc.returncode == 2 and "unknown rule 'INI999'" in proc.stderr and proc.stdout == ""
    listing = run(tmp_path, "rule")
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(initlint.catalog.RULES)
    everything = run(tmp_path, "rule", "--all")
    assert everything.returncode == 0 and everything.stdout.count("## What it does") == len(initlint.catalog.RULES)


def test_a_path_named_rule_is_linted(tmp_path):
    (tmp_path / "rule").mkdir()
    (tmp_path / "rule" / "bad.py").write_text(GOOD)
    for args in (["rule"], ["./rule"], ["--", "rule"]):
        proc = run(tmp_path, *args)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "bad.py:3:1: INI001" in proc.stdout


def test_version(tmp_path):
    proc = run(tmp_path, "--version")
    assert (proc.returncode, proc.stdout) == (0, f"initlint {initlint.__version__}\n")


@pytest.mark.parametrize(
    "args,words",
    [
        (["--format", "xml"], "invalid choice"),
        (["--select", "XYZ1"], "unknown rule code"),
        (["--ignore", "INI001,NOPE"], "unknown rule code"),
        (["-j", "0"], "positive integer"),
        (["--timeout", "-1"], "above 0"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(tree, args, words):
    proc = run(tree, *args)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_closed_stdout_is_not_an_error(tmp_path):
    for i in range(300):
        (tmp_path / f"bad{i:03}.py").write_text(GOOD)
    proc = subprocess.Popen(
        [*initlint_cmd(), "--no-cache", "."], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b"bad000.py:3:1: INI001")
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize(
    "redirect,message",
    [
        (">&-", "initlint: error: cannot write the report: stdout is closed\n"),
        (">/dev/full", "initlint: error: cannot write the report to stdout: no space left on device\n"),
        (">&- 2>&-", None),
    ],
    ids=["stdout-closed", "stdout-full", "stdout-and-stderr-closed"],
)
def test_stdout_that_cannot_take_the_report_exits_2(tree, redirect, message):
    """Issue 19 row 10: a closed stdout or one on /dev/full was "internal error", and with
    stderr closed too the exit code was 1 (which reads as "findings"). A reader that went
    away (``| head``, above) is different: there the exit code stays the lint's."""
    cmd = " ".join(initlint_cmd()) + f" --no-cache . {redirect}"
    proc = subprocess.run(["bash", "-c", cmd], cwd=tree, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    if message is not None:
        assert proc.stderr == message
    assert "Traceback" not in proc.stderr


def test_python_syntax_warnings_never_reach_stderr(tmp_path):
    """Issue 19 row 14: the parser's warnings about the linted code leaked to stderr, some
    twice (each parse warns). ``PYTHONWARNINGS=always`` also shows the DeprecationWarning
    that Python 3.12 turns into a SyntaxWarning (``"\\d"``)."""
    (tmp_path / "decimal.py").write_text(GOOD + "x = [1if y else 2 for y in z]\n")
    (tmp_path / "escape.py").write_text(GOOD + 'x = "\\d"\n')
    (tmp_path / "broken.py").write_text(GOOD + "z = 0x1for\n")  # a warning, then a syntax error
    env = {**os.environ, "PYTHONWARNINGS": "always"}
    for jobs in ("1", "4"):  # more files than workers, and as many workers as files
        proc = subprocess.run(
            [*initlint_cmd(), "--no-cache", "-j", jobs, "."], cwd=tmp_path, capture_output=True, text=True,
            timeout=120, env=env,
        )
        assert proc.returncode == 2
        assert sorted(line.split(":")[0] for line in proc.stdout.splitlines()) == ["broken.py", "decimal.py", "escape.py"]
        assert proc.stderr == "Found 3 problems in 3 files.\n"


def test_deleted_working_directory_is_a_one_line_error(tmp_path):
    """Found by scripts/fault_inject.py: a current directory deleted under the command was
    "internal error: FileNotFoundError"."""
    gone = tmp_path / "gone"
    gone.mkdir()
    cmd = f"cd {gone} && rmdir {gone} && " + " ".join(initlint_cmd()) + " --no-cache"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == "initlint: error: cannot use the current directory: no such file or directory (was it deleted?)\n"


def test_shell_pipe_into_head(tmp_path):
    for i in range(300):
        (tmp_path / f"bad{i:03}.py").write_text(GOOD)
    cmd = " ".join(initlint_cmd()) + " --no-cache . | head -1"
    proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("bad000.py:3:1: INI001") and len(proc.stdout.splitlines()) == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_no_python_files(tmp_path):
    (tmp_path / "README.md").write_text("zeros_\n")
    proc = run(tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_explicit_non_python_file_is_checked(tmp_path):
    (tmp_path / "script").write_text(GOOD)
    proc = run(tmp_path, "script")
    assert proc.returncode == 1 and proc.stdout.startswith("script:3:1: INI001")


def test_libcst_not_imported_when_nothing_needs_parsing(tmp_path):
    (tmp_path / "plain.py").write_text("def f(x):\n    return x + 1\n")
    driver = "import sys; from initlint.faces.cli import main; rc = main(['--no-cache', '.']); print('libcst' in sys.modules, rc)"
    proc = subprocess.run([sys.executable, "-c", driver], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["False", "0"], proc.stderr
