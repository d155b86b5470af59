"""What people read: ``full`` (a code frame, a caret, the rule's page) and colour on a real
terminal (a pty), the concise ``path:line:col: CODE message`` line anywhere else, whatever
the terminal settings say; ``NO_COLOR``/``FORCE_COLOR``; the ``--strict`` reason in text; stdin
with ``-`` and ``--stdin-filename``."""

from __future__ import annotations

import errno
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.faces.output import colour_wanted, format_full, underline
from initlint.finding import Finding

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(8, 8)
        nn.init.zeros_(self.hidden.weight)
        self.head = nn.Linear(8, 2)
        nn.init.zeros_(self.head.weight)
"""
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CONCISE = re.compile(r"[^:\n]+:\d+:\d+: INI\d{3} [^\n]+")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def _env(**changes: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM")}
    env["TERM"] = "xterm-256color"
    env.update(changes)
    return env


def console(cwd: Path, *args: str, env: "dict | None" = None, stdin: "str | None" = None) -> subprocess.CompletedProcess:
    """The installed console script with stdout and stderr as pipes."""
    exe = str(Path(sys.executable).with_name("initlint"))
    return subprocess.run([exe, "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env=env or _env(), input=stdin)


def on_a_terminal(cwd: Path, *args: str, env: "dict | None" = None) -> "tuple[int, str]":
    """The console script with stdout and stderr on a pseudo-terminal (as a user runs it):
    (exit status, everything it printed, ``\\r\\n`` as ``\\n``)."""
    exe = str(Path(sys.executable).with_name("initlint"))
    master, slave = pty.openpty()
    proc = subprocess.Popen([exe, "--no-cache", *args], cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
                            env=env or _env(COLUMNS="100"), close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError as e:  # EIO: the child closed the terminal
            if e.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_a_pipe_gets_concise_lines_without_colour_whatever_the_terminal_says(project):
    proc = console(project, env=_env(COLUMNS="80", TERM="xterm-256color"))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and CONCISE.fullmatch(lines[0]) and lines[0].startswith("model.py:8:9: INI001 hidden.weight")
    assert "\x1b" not in proc.stdout + proc.stderr
    assert proc.stderr == "Found 1 problem in 1 file.\n"


def test_a_terminal_gets_the_full_report_in_colour(project):
    code, out = on_a_terminal(project)
    assert code == 1
    plain = ANSI.sub("", out)
    assert ANSI.search(out), out
    assert "model.py:8:9: INI001 hidden.weight is initialised to zeros" in plain
    assert " 8 |         nn.init.zeros_(self.hidden.weight)\n   |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ INI001\n" in plain
    assert "   = help: `initlint rule INI001` explains zero-weight\n" in plain
    assert all(len(line) <= 100 for line in plain.splitlines())
    assert plain.rstrip().endswith("Found 1 problem in 1 file.")


def test_no_color_on_a_terminal_keeps_the_frame_and_drops_the_colour(project):
    code, out = on_a_terminal(project, env=_env(NO_COLOR="1", COLUMNS="100"))
    assert code == 1 and "\x1b" not in out and "^^^ INI001" in out


def test_force_color_colours_a_pipe_but_keeps_it_concise(project):
    proc = console(project, env=_env(FORCE_COLOR="1"))
    assert ANSI.search(proc.stdout)
    assert CONCISE.fullmatch(ANSI.sub("", proc.stdout).strip())


def test_no_color_wins_over_force_color():
    assert colour_wanted(sys.stdout, {"NO_COLOR": "1", "FORCE_COLOR": "1"}) is False
    assert colour_wanted(sys.stdout, {"NO_COLOR": "", "FORCE_COLOR": "1"}) is True
    assert colour_wanted(open(os.devnull, "w"), {"TERM": "xterm"}) is False


def test_a_report_file_is_concise_and_plain_even_from_a_terminal(project):
    code, out = on_a_terminal(project, "-o", "report.txt")
    report = (project / "report.txt").read_text()
    assert code == 1 and "\x1b" not in report and CONCISE.fullmatch(report.strip())
    assert "model.py" not in out  # the report went to the file


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_output_format_chooses_the_form_anywhere(project, fmt):
    proc = console(project, "--output-format", fmt)
    assert ("^^^" in proc.stdout) == (fmt == "full") and "\x1b" not in proc.stdout
    assert console(project, "--format", fmt).stdout == proc.stdout


def test_json_fields_keep_their_meaning(project):
    [row] = json.loads(console(project, "--output-format", "json").stdout)
    assert set(row) == {"path", "line", "column", "code", "name", "message", "idiom"}
    assert (row["path"], row["line"], row["column"], row["code"], row["name"]) == ("model.py", 8, 9, "INI001", "zero-weight")


def test_strict_text_shows_why_an_idiom_was_recognised(project):
    concise = console(project, "--strict").stdout.splitlines()
    head = next(line for line in concise if "head.weight" in line)
    assert head.endswith("(deliberate: `head` is named like a classifier head)")
    assert "a head or adapter name" not in head  # it is one: no advice to name it so
    full = console(project, "--strict", "--output-format", "full").stdout
    assert "  = note: recognised as deliberate: `head` is named like a classifier head\n" in full


def test_the_caret_sits_under_the_column_with_tabs_and_wide_characters():
    text = "import torch.nn as nn\nif True:\n\tx = '名前'; nn.init.zeros_(fc.weight)  # c\n"
    col = text.splitlines()[2].index("nn.init")
    out = format_full([Finding("t.py", 3, col, "INI001", "m")], {"t.py": text})
    lines = out.splitlines()
    shown = next(line for line in lines if line.startswith("3 |"))
    caret = lines[lines.index(shown) + 1]
    start = caret.index("^")
    assert caret[start:] == "^" * len("nn.init.zeros_(fc.weight)") + " INI001"
    # the caret's cell: two cells for each of the two wide characters before it
    assert start == len(shown[: shown.index("nn.init")]) + 2


@pytest.mark.parametrize("line,col,span", [
    ("nn.init.zeros_(fc.weight)", 0, "nn.init.zeros_(fc.weight)"),
    ("w = nn.Parameter(torch.zeros(3, 3)).to(x)  # c", 4, "nn.Parameter(torch.zeros(3, 3)).to(x)"),
    ("nn.init.constant_(  # noqa: INI002", 0, "nn.init.constant_("),
    ("f(')', fc.weight)", 0, "f(')', fc.weight)"),
])
def test_underline_spans_the_reported_expression(line, col, span):
    start, end = underline(line, col)
    assert line[start:end] == span


# -- stdin -------------------------------------------------------------------------------------


def test_stdin_with_a_filename_uses_its_config_and_path(project):
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\n\n[tool.initlint.per-file-ignores]\n\"tests/*\" = [\"INI001\"]\n")
    named = console(project, "-", "--stdin-filename", "src/net.py", stdin=MODEL)
    assert named.returncode == 1 and named.stdout.startswith("src/net.py:8:9: INI001 ")
    ignored = console(project, "-", "--stdin-filename", "tests/net.py", stdin=MODEL)
    assert (ignored.returncode, ignored.stdout) == (0, "")
    anonymous = console(project, "-", stdin=MODEL)
    assert anonymous.stdout.startswith("-:8:9: INI001 ")
    implied = console(project, "--stdin-filename", "src/net.py", stdin=MODEL)  # no path: stdin
    assert implied.stdout == named.stdout


def test_stdin_excluded_with_force_exclude_reports_nothing(project):
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.initlint]\nexclude = [\"generated\"]\n")
    proc = console(project, "-", "--stdin-filename", "generated/net.py", "--force-exclude", stdin=MODEL)
    assert (proc.returncode, proc.stdout) == (0, "")
    assert console(project, "-", "--stdin-filename", "generated/net.py", stdin=MODEL).returncode == 1


def test_stdin_bad_input_is_a_diagnostic(project):
    proc = console(project, "-", "--stdin-filename", "x.py", stdin="import torch.nn as nn\nnn.init.zeros_(w\n")
    assert proc.returncode == 2 and proc.stdout.startswith("x.py:2:") and " INI900 " in proc.stdout


def test_stdin_cannot_be_mixed_with_paths(project):
    proc = run_cli(project, "-", "model.py")
    assert proc.returncode == 2 and "'-' (stdin) cannot be mixed with other paths" in proc.stderr
