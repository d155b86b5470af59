"""Hostile input (issue 8): every bad file gives one clear diagnostic naming it, the other
files of the run are still checked, and the exit code is 2. Good-but-unusual files (BOM,
CRLF, mixed line endings, tabs, empty) lint normally.

Files are generated in tmp dirs. A bad file must pass the textual prefilter to be parsed at
all (a file with no init-like word is never parsed, so its syntax error is not ours to
report), hence the ``zeros`` sprinkled in the sources below.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from initlint.pipeline.config import Config
from initlint.pipeline.engine import check_paths

GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1


def _run(tmp_path: Path, *paths: str, **config) -> list:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = check_paths(list(paths) or ["."], Config(root=str(tmp_path), use_cache=False, **config))
    finally:
        os.chdir(cwd)
    return result


def _by_path(result) -> dict:
    out: dict = {}
    for f in result.findings:
        out.setdefault(f.path, []).append(f)
    return out


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)


# name -> (file contents, expected code, expected line or None, words the message must have)
BAD_FILES = {
    "syntax.py": ("import torch.nn as nn\nnn.init.zeros_(w\n", "INI900", None, "syntax error"),
    "py2.py": ('import torch\nprint "zeros"\n', "INI900", 2, "syntax error"),
    "undecodable.py": (b"# zeros\nx = '\xff'\n", "INI900", 2, "decode"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\nzeros = 1\n", "INI900", 1, "encoding"),
    "latin_bytes_no_cookie.py": (b"x = '\xe9'  # zeros\n", "INI900", 1, "decode"),
    "nul.py": (b"zeros = 1\0\n", "INI900", 1, "null byte"),
    "deep_parens.py": ("zeros = " + "(" * 5000 + ")" * 5000 + "\n", "INI901", None, "nested"),
    "deep_unary.py": ("zeros = " + "-" * 100_000 + "1\n", "INI901", None, "nested"),
    "deep_lists.py": ("zeros = " + "[" * 180 + "]" * 180 + "\n", None, None, ""),  # fine or INI901
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_one_diagnostic_and_the_run_goes_on(tmp_path, name):
    data, code, line, words = BAD_FILES[name]
    _write(tmp_path / name, data)
    _write(tmp_path / "good.py", GOOD)
    result = _run(tmp_path)
    found = _by_path(result)
    assert [(f.code, f.line, f.col) for f in found["good.py"]] == [("INI001", 3, 0)]
    if code is None:  # allowed to lint normally or to refuse, but not to crash
        assert all(f.code in ("INI901",) for f in found.get(name, [])), found.get(name)
        return
    assert len(found[name]) == 1, found[name]
    diag = found[name][0]
    assert diag.code == code
    assert words in diag.message
    if line is not None:
        assert diag.line == line
    assert result.exit_code() == 2


def test_very_long_expression_does_not_crash(tmp_path):
    # 100k `+` operators: a left-leaning tree 100k deep for libcst; the guard must stop it.
    _write(tmp_path / "long.py", "import torch.nn as nn\nw = " + " + ".join(["a"] * 100_000) + "\nnn.init.zeros_(w)\n")
    _write(tmp_path / "good.py", GOOD)
    found = _by_path(_run(tmp_path))
    assert [f.code for f in found["good.py"]] == ["INI001"]
    assert [f.code for f in found.get("long.py", [])] in ([], ["INI901"])


def test_huge_file_is_refused_without_reading_it(tmp_path):
    # A sparse 40 MB file of NUL bytes: had it been read, it would be "null byte" (INI900).
    with open(tmp_path / "huge.py", "wb") as f:
        f.truncate(40 * 1024 * 1024)
    _write(tmp_path / "good.py", GOOD)
    found = _by_path(_run(tmp_path))
    assert [(f.code, f.line) for f in found["huge.py"]] == [("INI901", 1)]
    assert "max-file-size" in found["huge.py"][0].message
    assert [f.code for f in found["good.py"]] == ["INI001"]


def test_huge_real_file_tens_of_mb(tmp_path):
    _write(tmp_path / "big.py", "zeros = 1\n" * 3_000_000)  # 30 MB of valid Python
    found = _by_path(_run(tmp_path, "big.py"))
    assert [f.code for f in found["big.py"]] == ["INI901"]


def test_max_file_size_is_configurable(tmp_path):
    _write(tmp_path / "good.py", GOOD)
    found = _by_path(_run(tmp_path, max_file_size=10))
    assert [f.code for f in found["good.py"]] == ["INI901"]


def test_directory_named_like_a_python_file_is_walked(tmp_path):
    _write(tmp_path / "pkg.py" / "inner.py", GOOD)
    for args in ((), ("pkg.py",)):
        found = _by_path(_run(tmp_path, *args))
        assert list(found) == [os.path.join("pkg.py", "inner.py")]
        assert [f.code for f in found[os.path.join("pkg.py", "inner.py")]] == ["INI001"]


def test_broken_symlink_and_symlink_loop(tmp_path):
    os.symlink("nowhere.py", tmp_path / "broken.py")
    os.symlink("loop.py", tmp_path / "loop.py")
    os.symlink(".", tmp_path / "again")  # a directory loop: must not hang the walk
    _write(tmp_path / "good.py", GOOD)
    for args in ((), ("broken.py", "loop.py", "good.py")):
        result = _run(tmp_path, *args)
        found = _by_path(result)
        assert [(f.code, f.message) for f in found["broken.py"]] == [("INI900", "broken symbolic link")]
        assert [(f.code, f.message) for f in found["loop.py"]] == [("INI900", "symbolic link loop")]
        assert [f.code for f in found["good.py"]] == ["INI001"]
        assert result.exit_code() == 2


def test_nonexistent_path(tmp_path):
    _write(tmp_path / "good.py", GOOD)
    result = _run(tmp_path, "missing.py", "missing_dir", "good.py")
    found = _by_path(result)
    assert [(f.code, f.message) for f in found["missing.py"]] == [("INI900", "no such file or directory")]
    assert [(f.code, f.message) for f in found["missing_dir"]] == [("INI900", "no such file or directory")]
    assert [f.code for f in found["good.py"]] == ["INI001"]
    assert result.exit_code() == 2


def test_fifo_is_not_opened(tmp_path):
    # Reading a FIFO would block forever: it must be refused from its stat alone.
    os.mkfifo(tmp_path / "pipe.py")
    _write(tmp_path / "good.py", GOOD)
    found = _by_path(_run(tmp_path))
    assert [(f.code, f.message) for f in found["pipe.py"]] == [("INI900", "not a regular file")]


def test_unreadable_file(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading (FIFO and loop cases cover open failures)")
    _write(tmp_path / "secret.py", GOOD)
    os.chmod(tmp_path / "secret.py", 0)
    try:
        found = _by_path(_run(tmp_path))
    finally:
        os.chmod(tmp_path / "secret.py", 0o644)
    assert [f.code for f in found["secret.py"]] == ["INI900"]
    assert "permission denied" in found["secret.py"][0].message


@pytest.mark.parametrize(
    "name,data",
    [
        ("bom.py", b"\xef\xbb\xbf" + GOOD.encode()),
        ("crlf.py", GOOD.replace("\n", "\r\n").encode()),
        ("cr_only.py", GOOD.replace("\n", "\r").encode()),
        ("mixed.py", b"import torch.nn as nn\r\nfc = nn.Linear(4, 4)\rnn.init.zeros_(fc.weight)\n"),
        ("latin1_cookie.py", b"# -*- coding: latin-1 -*-\n" + GOOD.replace("\nnn.init", "  # caf\xe9\nnn.init").encode("latin-1")),
    ],
)
def test_unusual_but_valid_files_lint_normally(tmp_path, name, data):
    _write(tmp_path / name, data)
    found = _by_path(_run(tmp_path))
    line = 4 if name == "latin1_cookie.py" else 3
    assert [(f.code, f.line, f.col) for f in found[name]] == [("INI001", line, 0)]


def test_tabs_and_empty_file(tmp_path):
    _write(tmp_path / "tabs.py", "import torch.nn as nn\n\ndef f():\n\tfc = nn.Linear(4, 4)\n\tnn.init.zeros_(fc.weight)\n")
    _write(tmp_path / "empty.py", "")
    _write(tmp_path / "only_comment.py", "# zeros\n")
    result = _run(tmp_path)
    found = _by_path(result)
    assert [(f.code, f.line, f.col) for f in found["tabs.py"]] == [("INI001", 5, 1)]
    assert set(found) == {"tabs.py"}
    assert result.exit_code() == 1


# -- worker crashes, timeouts and internal errors ---------------------------------------
# No input reliably crashes libcst once the ast guard is in front of it, so these tests
# replace the analyzer in *this* process; forked workers inherit the replacement. Nothing
# in initlint itself exists for tests.


def _hostile_analyze(source, path, settings):
    name = os.path.basename(path)
    if name.startswith(("segv", "abort")):
        # pytest's faulthandler, inherited by the forked worker, would print a "Fatal Python
        # error" thread dump into the test output for this crash on purpose: the worker still
        # dies of the signal, silently.
        faulthandler.disable()
    if name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("abort"):
        os.abort()
    if name.startswith("exit"):
        os._exit(3)
    if name.startswith("slow"):
        time.sleep(60)
    if name.startswith("recursion"):
        raise RecursionError("maximum recursion depth exceeded")
    if name.startswith("memory"):
        raise MemoryError()
    if name.startswith("buggy"):
        raise ValueError("boom\nsecond line")
    return _REAL_ANALYZE(source, path, settings)


from initlint.lint import analyzer as _analyzer_module  # noqa: E402

_REAL_ANALYZE = _analyzer_module.analyze


@pytest.fixture
def hostile_analyzer(monkeypatch):
    monkeypatch.setattr(_analyzer_module, "analyze", _hostile_analyze)


@pytest.mark.parametrize("jobs", [1, 2])
def test_worker_crash_becomes_ini901_and_the_run_goes_on(tmp_path, hostile_analyzer, jobs):
    for name in ("segv.py", "abort.py", "exit.py"):
        _write(tmp_path / name, GOOD)
    for i in range(4):
        _write(tmp_path / f"good{i}.py", GOOD)
    result = _run(tmp_path, jobs=jobs)
    found = _by_path(result)
    assert [f.code for f in found["segv.py"]] == ["INI901"]
    assert "SIGSEGV" in found["segv.py"][0].message
    assert "SIGABRT" in found["abort.py"][0].message
    assert "exited with status 3" in found["exit.py"][0].message
    for i in range(4):
        assert [f.code for f in found[f"good{i}.py"]] == ["INI001"]
    assert result.exit_code() == 2


def test_timeout_becomes_ini901(tmp_path, hostile_analyzer):
    _write(tmp_path / "slow.py", GOOD)
    _write(tmp_path / "good.py", GOOD)
    found = _by_path(_run(tmp_path, timeout=1.0, jobs=2))
    assert [f.code for f in found["slow.py"]] == ["INI901"]
    assert "timed out after 1 s" in found["slow.py"][0].message
    assert [f.code for f in found["good.py"]] == ["INI001"]


def test_python_errors_in_analysis(tmp_path, hostile_analyzer):
    for name in ("recursion.py", "memory.py", "buggy.py", "good.py"):
        _write(tmp_path / name, GOOD)
    found = _by_path(_run(tmp_path))
    assert [f.code for f in found["recursion.py"]] == ["INI901"]
    assert [f.code for f in found["memory.py"]] == ["INI901"]
    [buggy] = found["buggy.py"]
    assert buggy.code == "INI900"
    assert "internal error" in buggy.message and "ValueError: boom second line" in buggy.message
    assert [f.code for f in found["good.py"]] == ["INI001"]


# -- through the real CLI ----------------------------------------------------------------


def test_cli_reports_every_bad_file_in_one_run(tmp_path):
    for name, (data, code, _, _) in BAD_FILES.items():
        if code is not None:
            _write(tmp_path / name, data)
    _write(tmp_path / "good.py", GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "initlint", "--no-cache", "--format", "json", ".", "missing.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = json.loads(proc.stdout)
    per_path: dict = {}
    for row in rows:
        per_path.setdefault(row["path"], []).append(row["code"])
    expected = {name: [code] for name, (_, code, _, _) in BAD_FILES.items() if code is not None}
    expected.update({"good.py": ["INI001"], "missing.py": ["INI900"]})
    assert per_path == expected


_SIGINT_DRIVER = textwrap.dedent(
    """
    import os, sys, time
    from initlint.lint import analyzer
    def slow(source, path, settings):
        open(os.path.join(os.environ["MARKER_DIR"], str(os.getpid())), "w").close()
        time.sleep(60)
    analyzer.analyze = slow
    from initlint.faces.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_sigint_exits_130_with_one_line_and_no_workers_left(tmp_path):
    for i in range(3):
        _write(tmp_path / f"m{i}.py", GOOD)
    markers = tmp_path / "markers"
    markers.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", _SIGINT_DRIVER, "--no-cache", "-j", "2", "."],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "MARKER_DIR": str(markers)}, start_new_session=True,
        # a shell's background job starts with SIGINT ignored, and Python keeps it so: give the
        # command the terminal's default, which is what this test is about
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(os.listdir(markers)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker_pids = [int(p) for p in os.listdir(markers)]
    assert worker_pids, "workers never started"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == "initlint: interrupted\n"
    assert out == ""
    time.sleep(0.2)
    for pid in worker_pids:
        assert not _alive(pid), f"worker {pid} outlived the run"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
