"""initlint never imports or runs the code it checks (issue 8).

A project full of files whose import (or execution) would have a side effect: each writes its
own marker file. The project is linted through the real command-line faces, in subprocesses
(the console script from inside the project, as pre-commit runs it; ``python -m initlint``
from elsewhere; the flake8 plugin). ``python -m initlint`` (or ``python -c``) run from *inside*
the project is not tested: Python itself puts the working directory first on ``sys.path``
for ``-m``/``-c``, so a project file named ``re.py`` is imported by the interpreter's own
start-up before initlint runs a line. Afterwards no marker may exist, and the findings in
those very files must still be reported (the files were read, not skipped).

Vectors: module top level; a package ``__init__`` (and a module importing a sibling); a
class body; a decorator; a default argument; an ``if __name__ == "__main__"`` block; a
metaclass; files whose names Python, pytest or setuptools run by themselves
(``sitecustomize.py``, ``usercustomize.py``, ``conftest.py``, ``setup.py``, ``__main__.py``);
a ``.pth`` file; files that shadow modules initlint itself imports (``ast.py``,
``tokenize.py``, ``libcst.py``, ``re.py``...) and the frameworks it reads about
(``torch.py``, ``keras.py``); a PEP 263 coding cookie naming a codec module of the project;
``init-wrappers`` in ``pyproject.toml`` naming a module of the project.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

#: ``{MARK}`` is replaced by an absolute marker path per file; ``# expect: CODE`` marks the
#: line where the finding must still be reported.
INIT = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)  # expect: INI001\n"

FILES = {
    "top_level.py": """
        open(r"{MARK}", "w").close()
        import torch.nn as nn
        fc = nn.Linear(4, 4)
        nn.init.zeros_(fc.weight)  # expect: INI001
    """,
    "pkg/__init__.py": """
        import pathlib
        pathlib.Path(r"{MARK}").touch()
        from . import evil_sibling  # noqa: F401
        import torch.nn as nn
        fc = nn.Linear(4, 4)
        nn.init.zeros_(fc.weight)  # expect: INI001
    """,
    "pkg/evil_sibling.py": """
        __import__("pathlib").Path(r"{MARK}").touch()
    """,
    "pkg/uses_sibling.py": """
        from pkg import evil_sibling  # noqa: F401
        from .evil_sibling import *  # noqa: F401,F403
        import torch.nn as nn
        fc = nn.Linear(4, 4)
        nn.init.zeros_(fc.weight)  # expect: INI001
    """,
    "class_body.py": """
        import torch.nn as nn


        class Net(nn.Module):
            _ = open(r"{MARK}", "w").close()

            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
                self.act = nn.Tanh()
                nn.init.zeros_(self.fc.weight)  # expect: INI001
    """,
    "decorator.py": """
        import torch.nn as nn


        def mark(fn):
            open(r"{MARK}", "w").close()
            return fn


        @mark
        def build():
            fc = nn.Linear(4, 4)
            nn.init.zeros_(fc.weight)  # expect: INI001
            return fc
    """,
    "default_argument.py": """
        import torch.nn as nn


        def build(flag=open(r"{MARK}", "w").close()):
            fc = nn.Linear(4, 4)
            nn.init.zeros_(fc.weight)  # expect: INI001
            return fc
    """,
    "main_block.py": """
        import torch.nn as nn

        if __name__ == "__main__":
            open(r"{MARK}", "w").close()
            fc = nn.Linear(4, 4)
            nn.init.zeros_(fc.weight)  # expect: INI001
    """,
    "metaclass.py": """
        import torch.nn as nn


        class Meta(type):
            def __new__(mcs, name, bases, ns):
                open(r"{MARK}", "w").close()
                return super().__new__(mcs, name, bases, ns)


        class Holder(metaclass=Meta):
            pass


        fc = nn.Linear(4, 4)
        nn.init.zeros_(fc.weight)  # expect: INI001
    """,
    "sitecustomize.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "usercustomize.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "conftest.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "setup.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "__main__.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    # Modules initlint (or Python itself) imports: found first if the project dir were on
    # sys.path. Each also holds a finding, so it must be read as a file.
    "ast.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "tokenize.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "re.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "typing.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "libcst.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "tomli.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "tomllib.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "json.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "torch.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "keras.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    "flax.py": "open(r\"{MARK}\", \"w\").close()\n" + INIT,
    # Named by init-wrappers in pyproject.toml: a name to match, never a module to import.
    "evil_wrappers.py": """
        open(r"{MARK}", "w").close()
        import torch.nn as nn


        def zero_it(t):
            nn.init.zeros_(t)
    """,
    "uses_wrapper.py": """
        import torch.nn as nn
        from evil_wrappers import zero_it

        fc = nn.Linear(4, 4)
        zero_it(fc.weight)  # expect: INI001
    """,
    # A PEP 263 cookie naming a "codec" that is a module of the project: never imported,
    # an unknown encoding is an INI900 on the cookie's line.
    "evilcodec.py": "open(r\"{MARK}\", \"w\").close()\n",
    "cookie.py": "# -*- coding: evilcodec -*-  # expect: INI900\n" + INIT.replace("  # expect: INI001", ""),
}

#: Not Python files: never read as code, never executed.
OTHER_FILES = {
    "hook.pth": "import os; open(r\"{MARK}\", \"w\").close()\n",
    "pyproject.toml": '[tool.initlint]\ninit-wrappers = {{ "evil_wrappers.zero_it" = "torch.nn.init.zeros_" }}\n',
}


def _marker(markers: Path, name: str) -> str:
    return str(markers / (name.replace("/", "__") + ".ran"))


@pytest.fixture()
def project(tmp_path):
    """(project dir, marker dir, expected {(relative path, line, code)})."""
    proj, markers = tmp_path / "proj", tmp_path / "markers"
    proj.mkdir()
    markers.mkdir()
    expected = set()
    for name, body in {**FILES, **OTHER_FILES}.items():
        text = textwrap.dedent(body).lstrip("\n").replace("{MARK}", _marker(markers, name))
        if name.endswith(".toml"):
            text = text.replace("{{", "{").replace("}}", "}")
        path = proj / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for i, line in enumerate(text.splitlines(), start=1):
            if "# expect: " in line:
                expected.add((name, i, line.split("# expect: ")[1].split()[0]))
    return proj, markers, expected


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INITLINT"))}
    env.update(extra)
    return env


def _findings(stdout: str, proj: Path) -> set:
    out = set()
    for row in json.loads(stdout or "[]"):
        path = Path(row["path"])
        rel = (path if path.is_absolute() else (Path.cwd() / path)).resolve()
        try:
            rel_name = str(rel.relative_to(proj.resolve()))
        except ValueError:
            rel_name = row["path"]
        out.add((rel_name.replace(os.sep, "/"), row["line"], row["code"]))
    return out


def _check(proj: Path, markers: Path, expected: set, result: subprocess.CompletedProcess, cwd: Path) -> None:
    ran = sorted(p.name for p in markers.iterdir())
    assert ran == [], f"linting executed project code: {ran}\nstderr: {result.stderr}"
    assert result.returncode == 2, (result.returncode, result.stderr)  # cookie.py: INI900 wins
    old = os.getcwd()
    os.chdir(cwd)
    try:
        got = _findings(result.stdout, proj)
    finally:
        os.chdir(old)
    missing = expected - got
    assert not missing, f"findings not reported: {sorted(missing)}\nstderr: {result.stderr}"


def _console_script() -> str:
    script = Path(sys.executable).with_name("initlint")
    if not script.exists():
        found = shutil.which("initlint")
        if found is None:
            pytest.skip("the initlint console script is not installed")
        script = Path(found)
    return str(script)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_console_script_inside_the_project(project, jobs):
    """As pre-commit runs it: the console script, with the project as the working dir."""
    proj, markers, expected = project
    result = subprocess.run(
        [_console_script(), "--format", "json", "--no-cache", "--strict", "-j", jobs, "."],
        cwd=proj, capture_output=True, text=True, env=_env(), timeout=120,
    )
    _check(proj, markers, expected, result, proj)


def test_python_m_from_elsewhere(project, tmp_path):
    """``python -m initlint /abs/path/proj`` from another working directory."""
    proj, markers, expected = project
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "initlint", "--format", "json", "--no-cache", "--strict", str(proj)],
        cwd=elsewhere, capture_output=True, text=True, env=_env(), timeout=120,
    )
    _check(proj, markers, expected, result, elsewhere)


def test_named_files_and_pre_commit_style_arguments(project):
    """pre-commit passes file names, not directories; --force-exclude as the hook does."""
    proj, markers, expected = project
    names = sorted(n for n in FILES)
    result = subprocess.run(
        [_console_script(), "--format", "json", "--no-cache", "--strict", "--force-exclude", *names],
        cwd=proj, capture_output=True, text=True, env=_env(), timeout=120,
    )
    _check(proj, markers, expected, result, proj)


def test_flake8_plugin(project):
    """The flake8 face (in-process ``check_source``) imports nothing of the project either."""
    pytest.importorskip("flake8")
    proj, markers, expected = project
    py_files = sorted(n for n in FILES)
    # The console script, as users run it: ``python -m flake8`` or ``python -c`` from the
    # project dir would put the project itself first on sys.path (Python's rule, not ours).
    flake8 = Path(sys.executable).with_name("flake8")
    if not flake8.exists():
        pytest.skip("the flake8 console script is not installed")
    result = subprocess.run(
        [str(flake8), "--select", "INI", "--initlint-strict",
         "--initlint-init-wrappers", "evil_wrappers.zero_it=torch.nn.init.zeros_",
         *py_files],
        cwd=proj, capture_output=True, text=True, env=_env(), timeout=120,
    )
    ran = sorted(p.name for p in markers.iterdir())
    assert ran == [], f"flake8 with initlint executed project code: {ran}\n{result.stderr}"
    reported = {(ln.split(":")[0], int(ln.split(":")[1]), ln.split()[1]) for ln in result.stdout.splitlines()
                if ln.count(":") >= 3 and " INI" in ln}
    want_findings = {e for e in expected if e[2] != "INI900"}
    missing = want_findings - reported
    assert not missing, f"flake8 did not report: {sorted(missing)}\n{result.stdout}\n{result.stderr}"
