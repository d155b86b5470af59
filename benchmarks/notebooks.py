"""initlint on real notebooks that nobody here wrote, run as a user would: no crash, the time
per notebook, and every finding to give a verdict on.

    python benchmarks/notebooks.py GIT_DIR_OR_FOLDER [...]           # every *.ipynb in them
    python benchmarks/notebooks.py --markdown docs-repo.git ...      # *.md and *.rst too
    python benchmarks/notebooks.py --peer ruff ...                   # and ruff on the same set

A source is a folder of notebooks, or a git directory (a clone or a bare mirror): the
notebooks of its HEAD are exported into a temporary directory (a blob the mirror lacks is
counted, not fatal), and nothing is kept. Each notebook is checked by its own
``initlint --no-cache --isolated --format json -v NB`` process, as a pre-commit hook checks
one staged notebook; then the whole set is checked by one run, as ``initlint .`` would, and
with ``--peer ruff`` ruff 0.17.6 (pinned, in a throw-away virtualenv) checks the same set in the
same run, for a ratio.

A run fails (exit 1) when any process crashes: a traceback, an internal error, an exit status
other than 0, 1 or 2, or status 2 without an INI900/INI901 line saying why.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUFFIXES = (".ipynb",)
DOC_SUFFIXES = (".md", ".rst")
RUFF = "ruff==0.17.6"


def export(source: Path, into: Path, suffixes: tuple) -> "tuple[list[Path], int]":
    """The documents of ``source`` copied under ``into`` (a git directory's HEAD, else the
    folder's files); returns them and the number of blobs the git directory lacks."""
    if not (source / "HEAD").exists() and not (source / ".git").exists():
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
        return files, 0
    git = ["git", "--git-dir", str(source if (source / "HEAD").exists() else source / ".git")]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True).stdout
    wanted = []
    for entry in filter(None, listing.split(b"\0")):
        meta, name = entry.split(b"\t", 1)
        if os.path.splitext(name.decode(errors="surrogateescape"))[1].lower() in suffixes and meta.split()[1] == b"blob":
            wanted.append((meta.split()[2].decode(), name.decode(errors="surrogateescape")))
    files, missing = [], 0
    for sha, name in wanted:
        proc = subprocess.run([*git, "cat-file", "blob", sha], capture_output=True)
        if proc.returncode != 0:
            missing += 1
            continue
        out = into / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(proc.stdout)
        files.append(out)
    return files, missing


def check_one(path: Path, cwd: Path) -> dict:
    cmd = [sys.executable, "-m", "initlint", "--no-cache", "--isolated", "--format", "json", "-v", str(path.relative_to(cwd))]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    try:
        findings = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        findings = None
    notes = [line for line in proc.stderr.splitlines() if ": note: " in line]
    crash = None
    if findings is None or "Traceback" in proc.stderr or "internal error" in proc.stderr + proc.stdout:
        crash = proc.stderr.strip()[-400:] or "unreadable output"
    elif proc.returncode not in (0, 1, 2):
        crash = f"exit status {proc.returncode}: {proc.stderr.strip()[-300:]}"
    elif proc.returncode == 2 and not any(f["code"] in ("INI900", "INI901") for f in findings):
        crash = f"exit status 2 without a diagnostic: {proc.stderr.strip()[-300:]}"
    return {"path": str(path.relative_to(cwd)), "seconds": seconds, "status": proc.returncode,
            "findings": findings or [], "notes": notes, "crash": crash, "bytes": path.stat().st_size}


def whole_run(cwd: Path, markdown: bool) -> float:
    cmd = [sys.executable, "-m", "initlint", "--no-cache", "--isolated", "--exit-zero", "-q", "."]
    if markdown:
        cmd[-1:-1] = ["--extend-include", "*.md,*.rst"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=3600)
    return time.perf_counter() - start


def ruff_run(cwd: Path, tmp: Path) -> float:
    venv = tmp / "ruff-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", RUFF], check=True)
    cmd = [str(venv / "bin" / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "-q", "."]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=3600)
    return time.perf_counter() - start


def location(f: dict) -> str:
    if "cell" in f:
        return f"{f['path']}:cell {f['cell']}:{f['cell_line']}:{f['cell_column']}"
    return f"{f['path']}:{f['line']}:{f['column']}"


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path, help="folders of notebooks or git directories")
    parser.add_argument("--markdown", action="store_true", help="also Markdown and reST documents")
    parser.add_argument("--peer", choices=["ruff"], help="also time ruff on the whole set")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    args = parser.parse_args(argv)
    suffixes = SUFFIXES + (DOC_SUFFIXES if args.markdown else ())
    with tempfile.TemporaryDirectory(prefix="initlint-notebooks-") as tmp_name:
        tmp = Path(tmp_name)
        work = tmp / "documents"
        results, missing = [], 0
        for source in args.sources:
            name = source.resolve().name if source.name not in ("repo", ".git") else source.resolve().parent.name
            files, lacking = export(source, work / name, suffixes)
            missing += lacking
            for path in files:
                if path.is_relative_to(work):
                    target = path
                else:
                    target = work / name / path.relative_to(source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(path.read_bytes())
                results.append(check_one(target, work))
        whole = whole_run(work, args.markdown)
        peer = ruff_run(work, tmp) if args.peer == "ruff" else None
    report(results, missing, whole, peer)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 1 if any(r["crash"] for r in results) else 0


def report(results: "list[dict]", missing: int, whole: float, peer: "float | None") -> None:
    times = sorted(r["seconds"] for r in results)
    print(f"{len(results)} documents checked ({missing} blobs missing from the mirrors, skipped)")
    if times:
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        print(f"time per document, one process each: median {statistics.median(times):.2f} s, "
              f"90th percentile {p90:.2f} s, max {times[-1]:.2f} s "
              f"({max(results, key=lambda r: r['seconds'])['path']})")
    line = f"the whole set in one run: {whole:.2f} s"
    if peer is not None:
        line += f"; ruff check on the same set: {peer:.2f} s (ratio {whole / peer:.1f}x)"
    print(line)
    crashes = [r for r in results if r["crash"]]
    print(f"crashes: {len(crashes)}")
    for r in crashes:
        print(f"  {r['path']}: {r['crash']}")
    by_status: dict = {}
    for r in results:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    print("exit status: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
    notes = sum(len(r["notes"]) for r in results)
    print(f"cells/blocks left out (do not parse, or not Python): {notes} in "
          f"{sum(1 for r in results if r['notes'])} documents")
    print("findings:")
    for r in results:
        for f in r["findings"]:
            idiom = f"  [idiom: {f['idiom']}]" if f.get("idiom") else ""
            print(f"  {location(f)}: {f['code']} {f['message']}{idiom}")


if __name__ == "__main__":
    sys.exit(main())
