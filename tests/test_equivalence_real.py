"""The gates never change a finding on real code nobody here wrote (issue 19, row 1): the
installed packages, analysed as the CLI does, as flake8 does, and whole (no gates), must agree
file by file, and no file that ``ast`` parses may get an INI900. ``benchmarks/equivalence.py``
is the same check as a command (``--tree DIR``)."""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from equivalence import compare_tree  # noqa: E402


def _package_dir(name: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("package", [("torch", "nn", "modules"), ("equinox", "nn"), ("keras", "src", "layers", "core")],
                         ids=lambda p: "/".join(p))
def test_installed_modules_agree_gated_and_whole(package, strict):
    tree = _package_dir(*package)
    files, diffs = compare_tree(tree, strict)
    assert files > 5
    assert diffs == []


@pytest.mark.slow
@pytest.mark.parametrize("strict", [False, True])
def test_site_packages_agree_gated_and_whole(strict):
    """Every installed package of the test environment (some 40,000 files; minutes)."""
    tree = Path(sysconfig.get_paths()["purelib"])
    files, diffs = compare_tree(tree, strict)
    assert files > 1000
    assert diffs == [], diffs[:20]
