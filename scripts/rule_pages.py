#!/usr/bin/env python
"""Write docs/rules/<CODE>.md, one page per rule, from the catalog: the pages SARIF's
``helpUri`` links to (``tests/test_readme.py`` fails when they are out of step).

    python scripts/rule_pages.py
"""

from __future__ import annotations

from pathlib import Path

from initlint.catalog import RULES

PAGES = Path(__file__).resolve().parent.parent / "docs" / "rules"


def page(code: str) -> str:
    """A rule's page: its ``initlint rule CODE`` text under a title."""
    return "# " + RULES[code].doc()


def main() -> None:
    PAGES.mkdir(parents=True, exist_ok=True)
    for code in RULES:
        (PAGES / f"{code}.md").write_text(page(code), encoding="utf-8")
    print(f"wrote {len(RULES)} pages to {PAGES}")


if __name__ == "__main__":
    main()
