"""The real-world corpus's verdict file is well formed (benchmarks/realworld.py measures against it).

Only the file's format is checked here: running the corpus downloads dozens of distributions
(``python benchmarks/realworld.py --set all --check``).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("realworld", ROOT / "benchmarks" / "realworld.py")
realworld = sys.modules.setdefault("realworld", importlib.util.module_from_spec(spec))
spec.loader.exec_module(realworld)


def rows() -> list[dict]:
    with realworld.VERDICTS.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_and_loader_accept_the_file():
    with realworld.VERDICTS.open(newline="") as fh:
        assert tuple(next(csv.reader(fh))) == realworld.VERDICT_FIELDS
    assert len(realworld.load_verdicts()) == len(rows()) > 0


def test_every_row_has_a_known_source_a_valid_verdict_and_a_reason():
    sources = set(realworld.SETS["all"].values())
    for n, row in enumerate(rows(), start=2):
        where = f"verdicts.csv:{n}"
        assert row["source"] in sources, where
        assert row["verdict"] in realworld.VERDICT_KINDS, where
        assert len(row["reason"].strip()) >= 15, where
        assert row["line"].isdigit() and int(row["line"]) > 0, where
        assert row["code"] and all(c.startswith("INI") for c in row["code"].split("/")), where
        assert row["modes"] in ("default", "strict"), where
        assert row["path"].endswith(".py") and not row["path"].startswith("/"), where
