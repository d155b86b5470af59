"""Run the CLI in this process (fast): the many small CLI, config and cache cases use it;
tests/test_cli.py also runs the real console script in subprocesses."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path

from initlint.faces.cli import main


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``initlint ARGS`` with ``cwd`` as the working directory; stdout/stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's usage errors, --help, --version
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    finally:
        os.chdir(old)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
