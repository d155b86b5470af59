"""The README is the front door: its rule table and commands must stay true."""

from __future__ import annotations

import re
from pathlib import Path

from initlint.catalog import RULES, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_catalog():
    m = re.search(r"<!-- rules-table:start.*?-->\n(.*?)\n<!-- rules-table:end -->", README, re.S)
    assert m, "README has no generated rule table"
    assert m.group(1).strip() == markdown_table().strip()


def test_every_code_documented():
    for code, rule in RULES.items():
        assert code in README
        doc = rule.doc()
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Known false positives"):
            assert heading in doc, (code, heading)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    last = ci[-1].strip()
    assert last in README
    assert "torch==2.13.0" in last, "torch must be pinned to the CPU build on this machine"


def test_rule_pages_match_the_catalog():
    """docs/rules/<CODE>.md are SARIF's helpUri targets: `python scripts/rule_pages.py` writes them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rule_pages", ROOT / "scripts" / "rule_pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    on_disk = {p.stem for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert on_disk == set(RULES), "run python scripts/rule_pages.py"
    for code in RULES:
        text = (ROOT / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
        assert text == pages.page(code), f"docs/rules/{code}.md is stale: run python scripts/rule_pages.py"
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in text, (code, heading)


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str, lang: str) -> "list[str]":
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_adoption_section_runs_as_written(tmp_path):
    """The README's baseline commands and the lines its --add-noqa example shows, through the
    installed console script."""
    import shlex
    import shutil
    import subprocess
    import sys

    section = _section("Adopting initlint on an existing codebase")
    write, check = [shlex.split(line, comments=True) for line in _blocks(section, "sh")[0].strip().splitlines()]
    add_noqa = shlex.split(_blocks(section, "sh")[1], comments=True)
    shown = _blocks(section, "python")[0].strip().splitlines()
    body = "".join(f"        {line.split('  # noqa')[0]}\n" for line in shown)
    head = "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    layers = "        self.body = nn.Linear(8, 8)\n        self.proj = nn.Linear(8, 8)\n"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    model = tmp_path / "model.py"
    model.write_text(head + layers + body.replace("0.5)", "0.5)  # noqa: E501"))
    exe = shutil.which("initlint", path=str(Path(sys.executable).parent))
    run = lambda argv: subprocess.run([exe, "--no-cache", *argv[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)  # noqa: E731
    assert run(write).returncode == 0 and (tmp_path / ".initlint-baseline.json").exists()
    assert (run(check).returncode, run(check).stdout) == (0, "")
    (tmp_path / "new.py").write_text("import torch.nn as nn\nfc = nn.Linear(2, 2)\nnn.init.zeros_(fc.weight)\n")
    proc = run(check)
    assert proc.returncode == 1 and [line.split(":")[0] for line in proc.stdout.splitlines()] == ["new.py"]
    (tmp_path / "new.py").unlink()
    assert run(add_noqa).returncode == 0
    assert model.read_text().splitlines()[-2:] == [f"        {line}" for line in shown]
    assert run(["initlint"]).returncode == 0
