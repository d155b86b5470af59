"""The result cache: a warm run parses nothing, results are never stale, changes to content,
settings or the initlint build invalidate, select/ignore/noqa do not, and concurrent runs
are safe."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.pipeline import cache as cache_module
from initlint.pipeline.cache import Cache, digest
from initlint.pipeline.config import Config
from initlint.pipeline.engine import check_paths
from initlint.finding import Finding

GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1
STATS = re.compile(r"(\d+) files read: (\d+) analysed, (\d+) from cache, (\d+) skipped")


def run(cwd: Path, *args: str) -> "tuple[subprocess.CompletedProcess, tuple[int, ...]]":
    """``initlint -v ARGS`` in this process (fast); the stats line says what was parsed."""
    proc = run_cli(cwd, "-v", *args)
    match = STATS.search(proc.stderr)
    assert match, proc.stderr
    return proc, tuple(int(g) for g in match.groups())  # (read, analysed, cached, skipped)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text(GOOD)
    (tmp_path / "plain.py").write_text("def f():\n    return 1\n")
    (tmp_path / "broken.py").write_text("import torch.nn as nn\nnn.init.zeros_(w\n")
    return tmp_path


def test_warm_run_parses_nothing_and_gives_the_same_output(tree):
    cold, cold_stats = run(tree)
    warm, warm_stats = run(tree)
    assert cold_stats == (7, 6, 0, 1)
    assert warm_stats == (7, 0, 7, 0)  # syntax errors and prefilter verdicts are cached too
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout) == (2, warm.stdout)
    assert warm.stdout.count("INI001") >= 5 and "broken.py:2" in warm.stdout


def test_warm_run_does_not_import_libcst(tree):
    run(tree)
    driver = "import sys; from initlint.faces.cli import main; rc = main(['.']); print('libcst' in sys.modules, rc)"
    proc = subprocess.run([sys.executable, "-c", driver], cwd=tree, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split()[-2:] == ["False", "2"], proc.stderr


def test_cache_dir_layout(tree):
    run(tree)
    cache_dir = tree / ".initlint_cache"
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    [data_file] = list(cache_dir.glob("v*/*.json"))
    entries = json.loads(data_file.read_text())
    assert sorted(entries) == ["broken.py", "m0.py", "m1.py", "m2.py", "m3.py", "m4.py", "plain.py"]  # from the root


def test_cache_lives_in_project_root_not_cwd(tree):
    (tree / "sub").mkdir()
    (tree / "sub" / "x.py").write_text(GOOD)
    run(tree / "sub")
    assert (tree / ".initlint_cache").is_dir() and not (tree / "sub" / ".initlint_cache").exists()


def test_content_change_invalidates_even_with_same_size_and_mtime(tree):
    run(tree)
    target = tree / "m0.py"
    st = target.stat()
    target.write_text(GOOD.replace("zeros_(fc.weight)", "ones_(fc.weight) "))  # same length
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    proc, stats = run(tree)
    assert stats[1:3] == (1, 6)
    assert "m0.py:3:1: INI002" in proc.stdout


def test_settings_change_invalidates_but_select_does_not(tree):
    run(tree)
    assert run(tree, "--select", "INI002")[1][1] == 0
    assert run(tree, "--ignore", "INI001")[1][1] == 0
    assert run(tree, "--strict")[1][1] == 6  # strict is an analyzer setting
    assert run(tree, "--strict")[1][1] == 0
    assert run(tree)[1][1] == 0  # the non-strict entries are still there


def test_noqa_added_after_caching_is_honoured(tree):
    run(tree)
    (tree / "m1.py").write_text(GOOD.rstrip("\n") + "  # noqa\n")
    proc, _ = run(tree)
    assert "m1.py" not in proc.stdout


def test_editing_only_noqa_comments_needs_no_reanalysis(tree):
    """The cache key leaves noqa directives out (the analysis does not read them): writing,
    changing and removing them are cache hits, and each run shows what its comments say."""
    cold, cold_stats = run(tree)
    assert cold_stats[1] == 6 and "m1.py:3:1: INI001" in cold.stdout
    steps = [  # (the comment on the reported line, analysed again, still reported)
        ("  # noqa: INI001", False, False),
        ("  # noqa: INI002", False, True),  # another code
        ("  # NOQA:INI002,INI001", False, False),
        ("", False, True),  # removed
        ("  # noqa: INI001  # zero head, reviewed", True, False),  # a comment of its own is read
    ]
    for tail, analysed, reported in steps:
        (tree / "m1.py").write_text(GOOD.rstrip("\n") + tail + "\n")
        proc, stats = run(tree)
        assert stats[1:3] == ((1, 6) if analysed else (0, 7)), (tail, stats)
        assert ("m1.py:3:1: INI001" in proc.stdout) == reported, tail
    (tree / "m1.py").write_text(GOOD.replace("fc.weight", "fc.weight  ") + "  # noqa: INI001\n")  # code changed
    assert run(tree)[1][1] == 1


def test_add_noqa_then_a_plain_run_parses_nothing(tree):
    run(tree)
    added = run_cli(tree, "-v", "--add-noqa")
    assert STATS.search(added.stderr).groups()[1] == "0"  # the findings came from the cache
    proc, stats = run(tree)
    assert stats[1:3] == (0, 7) and proc.stdout.count("INI001") == 0 and "broken.py" in proc.stdout


def test_a_moved_or_recloned_checkout_stays_warm(tree, tmp_path_factory):
    cold, _ = run(tree)
    moved = tmp_path_factory.mktemp("moved") / "project"
    os.rename(tree, moved)
    proc, stats = run(moved)
    assert stats[1:3] == (0, 7) and proc.stdout == cold.stdout
    # a fresh clone (new files, new mtimes) with the cache restored, as CI caches restore it
    clone = tmp_path_factory.mktemp("clone") / "project"
    clone.mkdir()
    for name in os.listdir(moved):
        if name != ".initlint_cache":
            (clone / name).write_bytes((moved / name).read_bytes())
    shutil.copytree(moved / ".initlint_cache", clone / ".initlint_cache")
    proc, stats = run(clone)
    assert stats[1:3] == (0, 7) and proc.stdout == cold.stdout
    # run from outside the checkout, naming it by an absolute path: the same entries
    outside, stats = run(tmp_path_factory.mktemp("elsewhere"), str(clone))
    assert stats[1:3] == (0, 7) and outside.stdout.count("INI001") == cold.stdout.count("INI001")


def test_where_the_checkout_lives_does_not_make_it_test_code(tmp_path):
    """Files are analysed by their path from the project root: a checkout under a directory
    called ``tests`` is not test code (its zeros were taken for fixtures and never reported)."""
    project = tmp_path / "tests" / "project"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (project / "m.py").write_text(GOOD)
    (project / "tests").mkdir()
    (project / "tests" / "test_m.py").write_text(GOOD)
    proc = run_cli(tmp_path, "--no-cache", str(project))
    assert [line.split(": ")[0] for line in proc.stdout.splitlines()] == [f"{project / 'm.py'}:3:1"]


def test_version_change_invalidates(tmp_path, monkeypatch):
    path = str(tmp_path / "a.py")
    c = Cache(str(tmp_path / "c"), "key")
    c.put(path, "d1", [Finding(path, 3, 0, "INI001", "m")])
    c.save()
    assert Cache(str(tmp_path / "c"), "key").get(path, "d1") == [Finding(path, 3, 0, "INI001", "m")]
    assert Cache(str(tmp_path / "c"), "other-settings").get(path, "d1") is None
    assert Cache(str(tmp_path / "c"), "key").get(path, "d2") is None
    monkeypatch.setattr(cache_module, "__version__", "999.0")
    assert Cache(str(tmp_path / "c"), "key").get(path, "d1") is None


def test_build_fingerprint_tracks_the_package_files(tmp_path, monkeypatch):
    before = cache_module.build_fingerprint()
    fake = tmp_path / "initlint"
    fake.mkdir()
    (fake / "cache.py").write_text("")
    (fake / "analyzer.py").write_text("x = 1\n")
    monkeypatch.setattr(cache_module, "__file__", str(fake / "cache.py"))
    first = cache_module.build_fingerprint()
    (fake / "analyzer.py").write_text("x = 22\n")
    assert cache_module.build_fingerprint() != first != before


def test_no_cache_and_cache_dir(tree):
    run(tree, "--no-cache")
    assert not (tree / ".initlint_cache").exists()
    assert run(tree, "--no-cache")[1][2] == 0
    run(tree, "--cache-dir", "elsewhere")
    assert (tree / "elsewhere" / ".gitignore").exists() and not (tree / ".initlint_cache").exists()
    assert run(tree, "--cache-dir", "elsewhere")[1][1] == 0
    (tree / "pyproject.toml").write_text("[tool.initlint]\ncache-dir = '.cache/il'\n")
    run(tree)
    assert (tree / ".cache" / "il" / ".gitignore").exists()


def test_corrupt_or_unwritable_cache_is_ignored(tree):
    run(tree)
    [data_file] = list((tree / ".initlint_cache").glob("v*/*.json"))
    data_file.write_text("{not json")
    proc, stats = run(tree)
    assert stats[1] == 6 and proc.returncode == 2
    assert run(tree)[1][1] == 0  # rewritten
    data_file.write_text(json.dumps({"m0.py": "garbage", "m1.py": [1, [[1]]]}))
    proc, stats = run(tree)
    assert stats[1] == 6 and proc.stdout.count("INI001") >= 5
    (tree / "blocked").write_text("a file where the cache dir should be")
    proc, stats = run(tree, "--cache-dir", "blocked")
    assert proc.returncode == 2 and stats[1] == 6 and "Traceback" not in proc.stderr


def _damage(data_file: Path, how: str) -> None:
    text = data_file.read_text()
    if how == "huge-number":
        data_file.write_text(re.sub(r'\[\[3,0,"INI001"', '[[1e400,0,"INI001"', text, count=1))
    elif how == "nan":
        data_file.write_text(re.sub(r'\[\[3,0,"INI001"', '[[NaN,0,"INI001"', text, count=1))
    elif how == "unknown-code":
        data_file.write_text(text.replace('"INI001"', '"XYZ001"', 1))
    elif how == "deep-json":
        data_file.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    elif how == "fifo":
        data_file.unlink()
        os.mkfifo(data_file)
    elif how == "symlink-to-dev-zero":
        data_file.unlink()
        os.symlink("/dev/zero", data_file)


@pytest.mark.parametrize("how", ["huge-number", "nan", "unknown-code", "deep-json", "fifo", "symlink-to-dev-zero"])
def test_damaged_cache_is_ignored_then_rebuilt(tree, how):
    """Issue 19 row 8: each of these broke (or hung) every run until the cache was deleted.
    (A run that could block runs in a subprocess with a time limit.)"""
    blocking = how in ("fifo", "symlink-to-dev-zero")

    def run_checked() -> "tuple[subprocess.CompletedProcess, tuple[int, ...]]":
        if not blocking:
            proc, stats = run(tree)
        else:
            cmd = [sys.executable, "-m", "initlint", "-v", "."]
            proc = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=60)
            match = STATS.search(proc.stderr)
            assert match, proc.stderr
            stats = tuple(int(g) for g in match.groups())
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        return proc, stats

    clean, _ = run_checked()
    [data_file] = list((tree / ".initlint_cache").glob("v*/*.json"))
    _damage(data_file, how)
    damaged, stats = run_checked()
    assert (damaged.returncode, damaged.stdout) == (clean.returncode, clean.stdout)
    assert stats[1] >= 1  # what the damage hid was analysed again
    rebuilt, stats = run_checked()
    assert (rebuilt.returncode, rebuilt.stdout) == (clean.returncode, clean.stdout)
    assert stats[1] == 0 and data_file.is_file() and not data_file.is_symlink()


def test_concurrent_runs_are_safe(tree):
    for i in range(5, 40):
        (tree / f"m{i}.py").write_text(GOOD.replace("fc", f"fc{i}"))
    cmd = [sys.executable, "-m", "initlint", "-j", "1", "."]
    procs = [subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert {p.returncode for p in procs} == {2}
    assert len({out for out, _ in outs}) == 1
    [data_file] = list((tree / ".initlint_cache").glob("v*/*.json"))
    json.loads(data_file.read_text())  # intact
    assert not list((tree / ".initlint_cache").glob("v*/.tmp-*"))
    proc, stats = run(tree)
    assert stats[1] == 0 and proc.stdout == outs[0][0]


def test_in_process_cache_round_trip(tree, monkeypatch):
    monkeypatch.chdir(tree)
    config = Config(root=str(tree), jobs=1)
    first = check_paths(["."], config)
    second = check_paths(["."], config)
    assert first.findings == second.findings
    assert (second.stats.analysed, second.stats.cached) == (0, 7)
    assert digest(b"x") != digest(b"y")
