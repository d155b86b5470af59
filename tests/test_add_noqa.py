"""``--add-noqa`` through the real command: every reported line gets its ``# noqa: CODE``, each
file is rewritten once, atomically, in its own encoding, BOM and line endings; a second run
writes nothing and a plain run is then clean. The comments are honoured by the real flake8,
and the real ruff raises no RUF100/RUF102 over them once told that INI codes are external."""

from __future__ import annotations

import codecs
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.finding import Finding
from initlint.pipeline.noqa import add_noqa_to_files

ZERO = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1
FILES = {
    # name: (bytes on disk, the 1-based lines initlint reports)
    "plain.py": (ZERO.encode(), [3]),
    "crlf_bom.py": (codecs.BOM_UTF8 + ZERO.replace("\n", "\r\n").encode(), [3]),
    "latin1.py": (
        b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + ZERO.encode() + b"nn.init.ones_(fc.weight)  # noqa: E501\n",
        [5, 6],
    ),
    "string.py": (
        b'import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight); doc = """a\nb"""\nx = 1\n',
        [3],
    ),
    "continued.py": (b"import torch.nn as nn\nfc = nn.Linear(4, 4)\nw = nn.init.zeros_(fc.weight) + \\\n    0\n", [3]),
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for name, (data, _) in FILES.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(cwd, "--no-cache", *args)


def reported(proc: subprocess.CompletedProcess) -> "set[tuple[str, int]]":
    return {(line.split(":")[0], int(line.split(":")[1])) for line in proc.stdout.splitlines()}


def test_the_tree_reports_what_the_table_says(tree):
    proc = lint(tree)
    assert reported(proc) == {(name, line) for name, (_, lines) in FILES.items() for line in lines}


def test_add_noqa_edits_each_reported_line_once_and_nothing_else(tree):
    proc = lint(tree, "--add-noqa")
    assert (proc.returncode, proc.stdout) == (0, "")
    assert proc.stderr == "initlint: added noqa to 6 lines in 5 files\n"
    for name, (before, lines) in FILES.items():
        after = (tree / name).read_bytes()
        old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
        assert len(old) == len(new), name
        changed = [i for i, (a, b) in enumerate(zip(old, new), start=1) if a != b]
        assert len(changed) == len(lines), (name, changed)
        for i in changed:
            assert new[i - 1].rstrip(b"\r\n").endswith((b"# noqa: INI001", b"# noqa: INI002", b"# noqa: E501, INI002"))
            assert new[i - 1][len(new[i - 1].rstrip(b"\r\n")):] == old[i - 1][len(old[i - 1].rstrip(b"\r\n")):]
    assert (tree / "crlf_bom.py").read_bytes().startswith(codecs.BOM_UTF8)
    assert (tree / "crlf_bom.py").read_bytes().count(b"\r\n") == 3
    assert b"caf\xe9" in (tree / "latin1.py").read_bytes()  # still latin-1
    assert (tree / "string.py").read_text().splitlines()[3] == 'b"""  # noqa: INI001'  # after the string
    assert (tree / "continued.py").read_text().splitlines()[3] == "    0  # noqa: INI001"  # after the continuation


def test_second_run_writes_nothing_and_a_plain_run_is_clean(tree):
    lint(tree, "--add-noqa")
    snapshot = {name: ((tree / name).read_bytes(), (tree / name).stat().st_mtime_ns) for name in FILES}
    again = lint(tree, "--add-noqa")
    assert again.returncode == 0 and again.stderr == "initlint: added noqa to 0 lines in 0 files\n"
    assert {name: ((tree / name).read_bytes(), (tree / name).stat().st_mtime_ns) for name in FILES} == snapshot
    clean = lint(tree)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_a_reason_follows_the_directive_and_needs_the_equals_sign(tree):
    proc = lint(tree, "--add-noqa=zero init, reviewed", "plain.py")
    assert proc.returncode == 0
    assert (tree / "plain.py").read_text().splitlines()[2] == "nn.init.zeros_(fc.weight)  # noqa: INI001  # zero init, reviewed"
    assert (tree / "crlf_bom.py").read_bytes() == FILES["crlf_bom.py"][0]  # only the path named
    lint(tree, "--add-noqa", "latin1.py")  # "latin1.py" is a path, not a reason
    assert (tree / "latin1.py").read_bytes().splitlines()[4].endswith(b"# noqa: INI001")


def test_permissions_and_symlinks_are_kept(tree):
    target = tree / "plain.py"
    target.chmod(0o640)
    (tree / "link.py").symlink_to("plain.py")
    lint(tree, "--add-noqa", "link.py")
    assert (tree / "link.py").is_symlink() and "# noqa: INI001" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert not [p for p in os.listdir(tree) if p.endswith(".initlint")]  # no temporary file left


def test_run_diagnostics_stay_reported_and_untouched(tree):
    broken = b"import torch.nn as nn\nnn.init.zeros_(w\n"
    (tree / "broken.py").write_bytes(broken)
    proc = lint(tree, "--add-noqa")
    assert proc.returncode == 2 and [line.split()[1] for line in proc.stdout.splitlines()] == ["INI900"]
    assert (tree / "broken.py").read_bytes() == broken


def test_a_file_that_changed_since_it_was_read_is_not_edited(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(ZERO)
    done = add_noqa_to_files([Finding(str(path), 3, 0, "INI001", "m")], {str(path): ZERO.replace("fc", "other")})
    assert (done.lines, done.files) == (0, 0) and path.read_text() == ZERO
    assert done.failed and "not the text that was analysed" in done.failed[0][1]


def test_stdin_cannot_be_edited(tree):
    proc = lint(tree, "--add-noqa", "-")
    assert proc.returncode == 2 and "--add-noqa edits files: it cannot edit stdin" in proc.stderr


# -- the comments as the other tools read them ------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name, path=os.path.dirname(sys.executable))
    if path is None:
        pytest.fail(f"{name} is not installed in this environment (it is a test dependency)")
    return path


def test_flake8_honours_the_written_comments(tree):
    flake8 = [_tool("flake8"), "--select", "INI", "--isolated"]
    before = subprocess.run([*flake8, "."], cwd=tree, capture_output=True, text=True, timeout=300)
    assert before.returncode == 1 and len(before.stdout.splitlines()) == 6, before.stdout + before.stderr
    lint(tree, "--add-noqa")
    after = subprocess.run([*flake8, "."], cwd=tree, capture_output=True, text=True, timeout=300)
    assert (after.returncode, after.stdout) == (0, ""), after.stdout + after.stderr


def test_ruff_keeps_the_comments_when_told_ini_is_external(tree):
    lint(tree, "--add-noqa=deliberate")
    ruff = [_tool("ruff"), "check", "--no-cache", "--select", "RUF100,RUF102", "--output-format", "concise", "."]
    unconfigured = subprocess.run(ruff, cwd=tree, capture_output=True, text=True, timeout=120)
    assert unconfigured.returncode == 1 and "RUF102" in unconfigured.stdout  # it would delete them
    (tree / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.ruff]\nlint.external = [\"INI\"]\n")
    configured = subprocess.run(ruff, cwd=tree, capture_output=True, text=True, timeout=120)
    assert configured.returncode == 0, configured.stdout + configured.stderr
    assert "RUF10" not in configured.stdout and "Invalid `# noqa` directive" not in configured.stderr


def test_a_reason_also_follows_codes_merged_into_another_tools_directive():
    from initlint.pipeline.noqa import add_noqa

    text = "x = f(a)  # noqa: E501\ny = g(b)  # NOQA:E501,INI002\n"
    out = add_noqa(text, {1: ["INI002"], 2: ["INI002"]}, "reviewed: deliberate")
    assert out == "x = f(a)  # noqa: E501, INI002  # reviewed: deliberate\ny = g(b)  # NOQA:E501,INI002\n"


DOCUMENTS = Path(__file__).resolve().parent.parent / "test_cases" / "documents"


@pytest.mark.parametrize("name", ["tutorial_mlp_mnist.ipynb", "docs_blank_.md"])
def test_documents_get_the_directive_on_the_reported_code_line(tmp_path, name):
    """Issue 13 beside issue 14: in a notebook the directive goes inside the cell's source
    string (the JSON stays valid and as it was written around it), in Markdown at the end of
    the fenced code line; a plain run is then clean and a second --add-noqa changes nothing."""
    shutil.copy(DOCUMENTS / name, tmp_path / name)
    before = (tmp_path / name).read_text(encoding="utf-8")
    assert run_cli(tmp_path, "--no-cache", name).returncode == 1
    added = run_cli(tmp_path, "--no-cache", "--add-noqa=on purpose", name)
    assert added.returncode == 0, added.stderr
    after = (tmp_path / name).read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed and all("# noqa: INI00" in b and "# on purpose" in b for _, b in changed)
    assert len(before.splitlines()) == len(after.splitlines())
    if name.endswith(".ipynb"):
        import json

        json.loads(after)  # Jupyter can still open it
    clean = run_cli(tmp_path, "--no-cache", name)
    assert clean.returncode == 0 and clean.stdout == "", clean.stdout
    assert run_cli(tmp_path, "--no-cache", "--add-noqa", name).returncode == 0
    assert (tmp_path / name).read_text(encoding="utf-8") == after
