"""The gates never change a finding, on real trees: the shipped pipeline against the analysis
of the whole file, file by file; and (``--against REV``) the findings of another revision,
so that every change of verdict a rewrite brings is listed.

    python benchmarks/equivalence.py                      # the seven tuned-on packages
    python benchmarks/equivalence.py timm peft            # some of them
    python benchmarks/equivalence.py --against f2001a3    # also: what changed since that commit
    python benchmarks/equivalence.py --tree .venv/lib/python3.11/site-packages   # any directory

Each file is analysed three ways: as the CLI does (text gates, regions blanked before ``ast``),
as flake8 does (with the whole file's ``ast`` handed in), and whole, with no gates at all.

Trees come from ``pip download --no-deps`` (``realworld.fetch``); nothing is kept. Exits 1
when the pipeline and the whole-file analysis disagree on any file.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realworld import PACKAGES, fetch  # noqa: E402

from initlint.finding import Settings  # noqa: E402
from initlint.lint import analyze_file, analyze_whole, may_contain  # noqa: E402
from initlint.lint.gate.reduce import SourceError  # noqa: E402
from initlint.pipeline.sources import SourceProblem, decode  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _key(findings) -> list:
    return sorted((f.line, f.col, f.code, f.message, f.idiom) for f in findings if f.code not in ("INI900", "INI901"))


def compare_tree(tree: Path, strict: bool) -> tuple[int, list]:
    """(files compared, [(file, gated only, whole only)]): a file differs when the CLI's or
    flake8's way of running the gates finds anything the whole-file analysis does not, or
    misses anything it finds; an INI900 on a file ``ast`` parses is a difference too."""
    settings = Settings(strict=strict)
    files, diffs = 0, []
    for path in sorted(tree.rglob("*.py")):
        try:
            text = decode(path.read_bytes())
        except (OSError, SourceProblem, ValueError):
            continue
        try:
            tree_ast = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # not valid Python: INI900 is right
        files += 1
        shipped = analyze_file(text, str(path), settings).findings
        as_flake8 = analyze_file(text, str(path), settings, tree_ast).findings
        if any(f.code == "INI901" for f in shipped):
            continue  # too deep or too slow for libcst: the whole parse would fail the same way
        try:
            whole = analyze_whole(text, str(path), settings) if may_contain(text, settings) else []
        except (SourceError, SyntaxError, RecursionError):
            continue
        b = _key(whole)
        for gated in (shipped, as_flake8):
            a = _key(gated) + [(f.line, f.col, f.code) for f in gated if f.code == "INI900"]
            if a != b:
                diffs.append((path.relative_to(tree), sorted(set(a) - set(b)), sorted(set(b) - set(a))))
                break
    return files, diffs


def cli_findings(src: Path, tree: Path) -> set:
    """Every finding (strict) of the initlint whose sources are at ``src``, on ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run([sys.executable, "-m", "initlint", str(tree), "--format", "json", "--strict",
                           "--no-cache", "--exit-zero", "--isolated"], capture_output=True, text=True, env=env)
    rows = json.loads(proc.stdout or "[]")
    return {(str(Path(r["path"]).relative_to(tree)), r["line"], r["code"], bool(r.get("idiom"))) for r in rows}


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(PACKAGES), help="names from: " + ", ".join(PACKAGES))
    parser.add_argument("--against", metavar="REV", help="also list the findings that differ from this revision")
    parser.add_argument("--tree", metavar="DIR", type=Path, help="compare every .py file under DIR instead")
    args = parser.parse_args(argv)
    if args.tree is not None:
        return _report(str(args.tree), args.tree)
    failed = False
    with tempfile.TemporaryDirectory(prefix="initlint-equivalence-") as tmp:
        old_src = None
        if args.against:
            wt = Path(tmp) / "against"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(wt), args.against],
                           check=True)
            old_src = wt / "src"
        try:
            for name in args.packages:
                tree = fetch(PACKAGES[name], Path(tmp) / name)
                failed = bool(_report(PACKAGES[name], tree)) or failed
                if old_src is not None:
                    before, after = cli_findings(old_src, tree), cli_findings(ROOT / "src", tree)
                    print(f"  against {args.against}: {len(before)} findings before, {len(after)} now; "
                          f"{len(before - after)} gone, {len(after - before)} new")
                    for row in sorted(before - after):
                        print(f"    gone: {row}")
                    for row in sorted(after - before):
                        print(f"    new:  {row}")
        finally:
            if old_src is not None:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_src.parent)])
    return 1 if failed else 0


def _report(name: str, tree: Path) -> int:
    started = time.perf_counter()
    failed = False
    for strict in (False, True):
        files, diffs = compare_tree(tree, strict)
        for rel, only_gated, only_whole in diffs:
            failed = True
            print(f"  DIFF {'strict' if strict else 'default'} {rel}")
            for row in only_gated:
                print(f"    gated only: {row}")
            for row in only_whole:
                print(f"    whole only: {row}")
        print(f"{name} ({'strict' if strict else 'default'}): {files} files, {len(diffs)} differing")
    print(f"{time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
