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
