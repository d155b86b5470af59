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
    proc = _try_repo(env, {"data.json": "{}\n", "notes.txt": "zeros_\n"}, "nopython")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no files to check" in proc.stdout or "Skipped" in proc.stdout


def test_markdown_prose_passes(env):
    """Markdown is handed to the hook now (types_or): prose and shell fences are not Python."""
    page = "# Setup\n\n```sh\npip install torch  # zeros_ everywhere\n```\n\nCall `nn.init.zeros_` on the head only.\n"
    proc = _try_repo(env, {"README.md": page}, "prose")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout + proc.stderr


def test_a_commit_of_a_buggy_notebook_is_blocked_and_a_clean_one_passes(env):
    """The real flow: `pre-commit install`, then `git commit` of a notebook (and a docs page)."""
    work = env["base"] / "notebooks"
    work.mkdir()
    _git(work, "init", "-q")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {env['hook_repo']}\n    rev: {env['rev']}\n    hooks:\n      - id: initlint\n"
    )
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=work, env=env["env"], check=True, capture_output=True, timeout=300)
    cases = REPO / "test_cases" / "documents"
    shutil.copy(cases / "tutorial_mlp_mnist.ipynb", work / "tutorial.ipynb")
    shutil.copy(cases / "docs_blank_.md", work / "blank.md")
    _git(work, "add", "-A")
    commit = [*GIT, "commit", "-q", "-m", "tutorial"]
    proc = subprocess.run(commit, cwd=work, env=env["env"], capture_output=True, text=True, timeout=1500)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Failed" in out, out
    assert "tutorial.ipynb:cell 9:3:5: INI004 model[1].weight" in out
    assert "blank.md:95:9: INI004" in out
    head = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=work, capture_output=True, timeout=60)
    assert head.returncode != 0, "the commit was made"
    shutil.copy(cases / "tutorial_mlp_mnist_fixed.ipynb", work / "tutorial.ipynb")
    (work / "blank.md").unlink()
    _git(work, "add", "-A")
    proc = subprocess.run(commit, cwd=work, env=env["env"], capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0 and "Passed" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


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


def test_the_readme_adoption_flow_with_a_baseline(env):
    """The README's adoption: a baseline committed beside the config, ``args: [--baseline ...]``;
    the old finding passes, a new file's finding fails alone (pre-commit names the files)."""
    from clirun import run_cli

    work = env["base"] / "adopted"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (work / "model.py").write_text(GOOD)
    assert run_cli(work, "--no-cache", "--write-baseline", ".initlint-baseline.json").returncode == 0
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {env['hook_repo']}\n    rev: {env['rev']}\n    hooks:\n      - id: initlint\n"
        "        args: [--baseline, .initlint-baseline.json]\n"
    )
    _git(work, "add", "-A")
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "pre_commit", "run", *a, "--color=never"],
        cwd=work, env=env["env"], capture_output=True, text=True, timeout=1500,
    )
    proc = run("--all-files")
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout + proc.stderr
    (work / "new.py").write_text(GOOD)
    _git(work, "add", "new.py")
    proc = run("--files", "new.py", "model.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "new.py:3:1: INI001" in proc.stdout and "model.py:3:1" not in proc.stdout.replace("new.py:3:1", "")
