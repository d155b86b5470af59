"""The pre-commit hook, end to end with the real ``pre-commit try-repo``.

The hook repository is a committed copy of this working tree (``try-repo`` installs from a
git commit, and the tree under test may hold uncommitted work). Building the hook's
virtualenv installs initlint and libcst from scratch, so this takes a minute (still
part of the default run: the hook is a product face); one PRE_COMMIT_HOME is shared by the scenarios so it is built once.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"  # INI001 at 3:1
CLEAN = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.bias)\n"
GIT = ["git", "-c", "user.name=initlint-test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]

def _git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = base / "hook-repo"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True, timeout=120,
    ).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (hook_repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, hook_repo / rel)
    if not (hook_repo / "README.md").exists():  # pyproject.toml names it
        (hook_repo / "README.md").write_text("initlint\n")
    _git(hook_repo, "init", "-q")
    _git(hook_repo, "add", "-A")
    _git(hook_repo, "commit", "-q", "-m", "snapshot for the pre-commit test")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True, capture_output=True, text=True).stdout
    return {
        "hook_repo": hook_repo,
        "rev": rev.strip(),
        "base": base,
        "env": {
            **os.environ,
            "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
            "VIRTUALENV_OVERRIDE_APP_DATA": str(base / "virtualenv-app-data"),
            "PIP_NO_INPUT": "1",
        },
    }


def _try_repo(env: dict, files: "dict[str, str]", name: str) -> subprocess.CompletedProcess:
    work = env["base"] / name
    work.mkdir()
    _git(work, "init", "-q")
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    if files:
        _git(work, "add", "-A")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(env["hook_repo"]), "initlint", "--all-files", "--color=never"],
        cwd=work, env=env["env"], capture_output=True, text=True, timeout=1500,
    )


def test_bad_file_fails_with_the_finding(env):
    proc = _try_repo(env, {"model.py": GOOD, "ok.py": CLEAN, "notes.txt": "zeros_\n"}, "bad")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "initlint" in out and "Failed" in out
    assert "model.py:3:1: INI001 fc.weight" in out
    assert "ok.py" not in out.split("Failed", 1)[1]


def test_clean_repository_passes(env):
    proc = _try_repo(env, {"model.py": CLEAN, "pkg/util.py": "def f():\n    return 1\n"}, "clean")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_repository_without_python_passes(env):
    proc = _try_repo(env, {"README.md": "# nothing here\n", "data.json": "{}\n"}, "nopython")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no files to check" in proc.stdout or "Skipped" in proc.stdout


def test_config_flow_and_hook_environment_without_torch(env):
    """The README's .pre-commit-config.yaml flow (``repo`` + ``rev``), which keeps its hook
    environment in PRE_COMMIT_HOME (try-repo's is temporary): inspect it for torch."""
    work = env["base"] / "configured"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "model.py").write_text(GOOD)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {env['hook_repo']}\n    rev: {env['rev']}\n    hooks:\n      - id: initlint\n"
    )
    _git(work, "add", "-A")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color=never"],
        cwd=work, env=env["env"], capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 1 and "model.py:3:1: INI001" in proc.stdout, proc.stdout + proc.stderr
    pythons = glob.glob(os.path.join(env["env"]["PRE_COMMIT_HOME"], "repo*", "py_env-*", "bin", "python"))
    assert pythons, "hook environment not found"
    probe = "import importlib.util as u; print(u.find_spec('libcst') is not None, u.find_spec('torch') is not None)"
    for python in pythons:
        out = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60).stdout.split()
        assert out == ["True", "False"], python
