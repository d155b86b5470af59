"""``[tool.initlint]``: discovery, every key, validation errors (one line naming file and key,
exit 2, no traceback), and CLI flags overriding the file."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import run_cli

from initlint.pipeline.config import Config, ConfigError, find_config, load_config, parse_table
from initlint.finding import Settings

GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``initlint --no-cache ARGS`` in this process (fast); test_cli covers real processes."""
    return run_cli(cwd, "--no-cache", *args)


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "initlint", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def project(tmp_path: Path, toml: str, files: "dict[str, str] | None" = None) -> Path:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
    for rel, text in (files or {"bad.py": GOOD}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


# -- validation errors through the CLI ---------------------------------------------------


@pytest.mark.parametrize(
    "toml,key,words",
    [
        ("[tool.initlint]\nignores = ['INI001']\n", "ignores", "unknown key 'ignores' (did you mean 'ignore'?)"),
        ("[tool.initlint]\nselect = 'INI001'\n", "select", "expected a list of strings"),
        ("[tool.initlint]\nselect = ['INI001', 'XYZ9']\n", "select", "unknown rule code 'XYZ9'"),
        ("[tool.initlint]\nstrict = 'yes'\n", "strict", "expected true or false"),
        ("[tool.initlint]\njobs = 0\n", "jobs", "positive integer"),
        ("[tool.initlint]\njobs = true\n", "jobs", "positive integer"),
        ("[tool.initlint]\ntimeout = -5\n", "timeout", "above 0 and at most 86400"),
        ("[tool.initlint]\nmax-file-size = 1.5\n", "max-file-size", "whole number of bytes"),
        # issue 19 row 5: values past the bounds used to pass and crash the run
        ("[tool.initlint]\ntimeout = inf\n", "timeout", "at most 86400 (one day), got float inf"),
        ("[tool.initlint]\ntimeout = nan\n", "timeout", "at most 86400"),
        ("[tool.initlint]\ntimeout = 1e300\n", "timeout", "at most 86400"),
        ("[tool.initlint]\ntimeout = 3000000\n", "timeout", "at most 86400"),
        ("[tool.initlint]\nmax-file-size = 100000000000\n", "max-file-size", "from 1 to 1073741824 (1 GiB)"),
        # issue 19 row 9: a NUL in cache-dir was an internal error
        ('[tool.initlint]\ncache-dir = "cache\\u0000dir"\n', "cache-dir", "NUL character"),
        ("[tool.initlint]\nintent-names = [1, 2]\n", "intent-names", "list of strings"),
        ("[tool.initlint]\ninit-wrappers = ['mylib.init']\n", "init-wrappers", "expected a table"),
        ("[tool.initlint.init-wrappers]\n'mylib.init' = 3\n", "init-wrappers", "dotted names"),
        ("[tool.initlint.per-file-ignores]\n'tests/*' = 'INI001'\n", "per-file-ignores", "list of strings"),
        ("[tool.initlint.per-file-ignores]\n'tests/*' = ['NOPE1']\n", "per-file-ignores", "unknown rule code"),
        ("[tool.initlint]\nexclude = 'build'\n", "exclude", "list of strings"),
        ("[tool.initlint]\ncache-dir = 7\n", "cache-dir", "non-empty string"),
        ("[tool]\ninitlint = 3\n", "[tool.initlint]", "must be a table"),
        ("[tool.initlint\nselect = []\n", "", "invalid TOML"),
    ],
)
def test_config_errors_are_one_line_naming_file_and_key(tmp_path, toml, key, words):
    project(tmp_path, toml)
    proc = run(tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(tmp_path / "pyproject.toml") in lines[0]
    assert key in lines[0] and words in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "data,words",
    [
        (b"[tool.initlint]\nstrict = true  # caf\xe9\n", "invalid TOML: not UTF-8 (byte 0xe9"),
        (b"[tool.initlint]\nselect = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "invalid TOML: nested too deeply"),
        (b"[tool.initlint]\nselect = " + b"[" * 100 + b"]" * 100 + b"\n", "select: expected a list of strings, got list [[[[...]]]]"),
    ],
    ids=["invalid-utf8", "deep-array", "deep-but-readable"],
)
def test_config_read_failures_are_one_line_config_errors(tmp_path, data, words):
    """Issue 19 row 9: each was "internal error ... please report it"."""
    (tmp_path / "pyproject.toml").write_bytes(data)
    (tmp_path / "m.py").write_text(GOOD)
    proc = run(tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [proc.stderr.rstrip("\n")], proc.stderr
    assert proc.stderr.startswith(f"initlint: error: {tmp_path / 'pyproject.toml'}: ")
    assert words in proc.stderr and "internal error" not in proc.stderr


@pytest.mark.parametrize(
    "args,words",
    [
        (["--timeout", "inf"], "at most 86400 (one day), got 'inf'"),
        (["--timeout", "1e300"], "at most 86400"),
        (["--timeout", "nan"], "above 0"),
        (["--max-file-size", "100000000000"], "from 1 to 1073741824"),
    ],
)
def test_cli_values_have_the_config_bounds(tmp_path, args, words):
    """Issue 19 row 5: ``--timeout inf`` and a huge ``--max-file-size`` crashed the run."""
    (tmp_path / "m.py").write_text(GOOD)
    proc = run_process(tmp_path, *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert words in proc.stderr and "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_config_error_in_a_real_process(tmp_path):
    project(tmp_path, "[tool.initlint]\nselect = 'INI001'\n")
    proc = run_process(tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"initlint: error: {tmp_path / 'pyproject.toml'}: [tool.initlint]: select: expected a list of strings, got str 'INI001'\n"


def test_missing_explicit_config(tmp_path):
    proc = run(tmp_path, "--config", "nope.toml")
    assert proc.returncode == 2 and proc.stderr.strip() == "initlint: error: nope.toml: config file not found"


# -- keys through the CLI ----------------------------------------------------------------


def test_select_and_ignore_from_config_and_cli_override(tmp_path):
    project(tmp_path, "[tool.initlint]\nignore = ['INI001']\n")
    assert run(tmp_path).returncode == 0
    assert run(tmp_path, "--ignore", "INI002").returncode == 1  # --ignore replaces the config's
    assert run(tmp_path, "--extend-ignore", "INI002").returncode == 0  # --extend-ignore adds
    assert run(tmp_path, "--isolated").returncode == 1
    project(tmp_path, "[tool.initlint]\nselect = ['INI002']\n")
    assert run(tmp_path).returncode == 0
    assert run(tmp_path, "--select", "INI001").returncode == 1
    assert run(tmp_path, "--extend-select", "INI001").returncode == 1


def test_per_file_ignores(tmp_path):
    project(
        tmp_path,
        """
        [tool.initlint.per-file-ignores]
        "tests/*" = ["INI001"]
        "scripts/gen_*.py" = ["INI"]
        """,
        {"tests/test_x.py": GOOD, "scripts/gen_a.py": GOOD, "src/model.py": GOOD},
    )
    proc = run(tmp_path)
    assert proc.returncode == 1
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["src/model.py"]


def test_per_file_ignores_relative_to_config_not_cwd(tmp_path):
    project(tmp_path, '[tool.initlint.per-file-ignores]\n"tests/*" = ["INI001"]\n', {"tests/t.py": GOOD})
    proc = run(tmp_path / "tests", ".")
    assert proc.returncode == 0, proc.stdout


def test_exclude_and_force_exclude(tmp_path):
    project(
        tmp_path,
        "[tool.initlint]\nexclude = ['generated', '*_pb2.py']\n",
        {"generated/m.py": GOOD, "x_pb2.py": GOOD, "model.py": GOOD},
    )
    proc = run(tmp_path)
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["model.py"]
    # Named explicitly, an excluded file is checked, unless --force-exclude (pre-commit).
    assert run(tmp_path, "x_pb2.py").returncode == 1
    assert run(tmp_path, "--force-exclude", "x_pb2.py", "generated/m.py").returncode == 0
    assert len(run(tmp_path, "--exclude", "model.py").stdout.splitlines()) == 2
    assert run(tmp_path, "--extend-exclude", "model.py").returncode == 0


def test_force_exclude_from_config(tmp_path):
    project(tmp_path, "[tool.initlint]\nexclude = ['x.py']\nforce-exclude = true\n", {"x.py": GOOD})
    assert run(tmp_path, "x.py").returncode == 0


def test_default_skipped_directories(tmp_path):
    files = {f"{d}/m.py": GOOD for d in (".git", ".venv", "venv", "build", "dist", "__pycache__", ".tox", "node_modules")}
    files.update({"myenv/pyvenv.cfg": "home = /usr\n", "myenv/lib/m.py": GOOD, "pkg.egg-info/m.py": GOOD, "src/m.py": GOOD})
    project(tmp_path, "", files)
    proc = run(tmp_path)
    assert [line.split(":")[0] for line in proc.stdout.splitlines()] == ["src/m.py"]
    assert run(tmp_path, "build").returncode == 1  # named explicitly: walked


def test_max_file_size_and_strict_from_config(tmp_path):
    project(tmp_path, "[tool.initlint]\nmax-file-size = 20\n")
    proc = run(tmp_path)
    assert proc.returncode == 2 and "INI901" in proc.stdout and "limit of 20 bytes" in proc.stdout
    assert run(tmp_path, "--max-file-size", "100000").returncode == 1


def test_config_found_walking_up_from_the_first_path(tmp_path):
    project(tmp_path, "[tool.initlint]\nignore = ['INI001']\n", {"pkg/sub/bad.py": GOOD})
    other = tmp_path.parent / (tmp_path.name + "_elsewhere")
    other.mkdir()
    proc = run(other, str(tmp_path / "pkg" / "sub" / "bad.py"))
    assert proc.returncode == 0, proc.stdout


def test_nearest_pyproject_without_table_is_skipped(tmp_path):
    project(tmp_path, "[tool.initlint]\nignore = ['INI001']\n", {"sub/bad.py": GOOD})
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'sub'\n")
    assert run(tmp_path / "sub").returncode == 0


def test_explicit_config_file(tmp_path):
    (tmp_path / "bad.py").write_text(GOOD)
    (tmp_path / "custom.toml").write_text("[tool.initlint]\nignore = ['INI001']\n")
    (tmp_path / "initlint.toml").write_text("ignore = ['INI001']\n")
    assert run(tmp_path).returncode == 1
    assert run(tmp_path, "--config", "custom.toml").returncode == 0
    assert run(tmp_path, "--config", "initlint.toml").returncode == 0


INTENT = "import torch.nn as nn\nfrobnicator = nn.Linear(4, 4)\nnn.init.zeros_(frobnicator.weight)\n"


def test_intent_names_and_strict(tmp_path):
    project(tmp_path, "[tool.initlint]\nintent-names = ['frobnicator']\n", {"m.py": INTENT})
    assert run(tmp_path, "--isolated").returncode == 1
    assert run(tmp_path).returncode == 0  # deliberate: an idiom, hidden
    assert run(tmp_path, "--strict").returncode == 1  # idioms shown
    project(tmp_path, "[tool.initlint]\nintent-names = ['frobnicator']\nstrict = true\n", {"m.py": INTENT})
    assert run(tmp_path).returncode == 1


WRAPPED = "from mylib import init\nimport torch.nn as nn\nfc = nn.Linear(4, 4)\ninit.zeros_(fc.weight)\n"


def test_init_wrappers(tmp_path):
    project(tmp_path, '[tool.initlint.init-wrappers]\n"mylib.init" = "torch.nn.init"\n', {"m.py": WRAPPED})
    assert run(tmp_path, "--isolated").returncode == 0
    proc = run(tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith("m.py:4:1: INI001")


# -- the loader in-process -----------------------------------------------------------------


def test_parse_table_all_keys(tmp_path):
    table = {
        "select": ["INI00"],
        "ignore": ["INI002"],
        "strict": True,
        "intent-names": ["gate_x"],
        "init-wrappers": {"mylib.init": "torch.nn.init", "a.b": "zeta.utils.init_zero_"},
        "per-file-ignores": {"tests/*": ["INI001"]},
        "exclude": ["gen"],
        "force-exclude": True,
        "max-file-size": 1000,
        "jobs": 3,
        "timeout": 5,
        "cache-dir": ".cache/initlint",
    }
    cfg = parse_table(table, "pyproject.toml", str(tmp_path))
    assert cfg.select == {"INI001", "INI002", "INI003", "INI004", "INI005", "INI006", "INI007"}
    assert cfg.enabled == cfg.select - {"INI002"}
    assert cfg.per_file_ignores == (("tests/*", frozenset({"INI001"})),)
    assert (cfg.jobs, cfg.timeout, cfg.max_file_size, cfg.force_exclude) == (3, 5.0, 1000, True)
    assert cfg.resolved_cache_dir() == os.path.join(str(tmp_path), ".cache/initlint")
    assert cfg.settings() == Settings(
        strict=True,
        intent_names=("gate_x",),
        init_wrappers=(("a.b", "zeta.utils.init_zero_"), ("mylib.init", "torch.nn.init")),
    )


def test_defaults_without_config(tmp_path):
    cfg = load_config(start=str(tmp_path))
    assert cfg.path is None and cfg.settings() == Settings()
    assert "INI900" not in cfg.select  # run diagnostics are not selectable: always on


def test_project_root_is_nearest_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "a" / "b").mkdir(parents=True)
    path, root, table = find_config(str(tmp_path / "a" / "b"))
    assert (path, root, table) == (None, str(tmp_path), {})
    assert load_config(start=str(tmp_path / "a" / "b")).resolved_cache_dir() == str(tmp_path / ".initlint_cache")


def test_config_error_type(tmp_path):
    with pytest.raises(ConfigError, match=r"pyproject.toml: \[tool.initlint\]: unknown key 'bogus'"):
        parse_table({"bogus": 1}, "pyproject.toml", str(tmp_path))


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().strict = True  # type: ignore[misc]
