"""Scale run: lint a whole tree (by default this interpreter's site-packages) with the real
``initlint`` command, and check what it says about the files it could not analyse.

    python benchmarks/scale.py                          # this venv's site-packages
    python benchmarks/scale.py /usr/lib/python3.11 ~/src --jobs 2
    python benchmarks/scale.py --json scale.json        # also write the numbers

Reported: files read and analysed, findings by code, every INI900/INI901 grouped by reason,
wall time, and peak memory (the largest single process, and the whole process tree sampled
every 0.1 s). Each INI900 is checked against Python itself: ``ast.parse`` of the file's bytes
(PEP 263 decoding included) must fail, or the file is listed as a false INI900. The stdlib
parser over the same files is the peer: "initlint took N x the time of one ``ast.parse`` per
file" (measured after the run, in this process). Exit status: 1 if there was a traceback, an
internal error, or an INI900 on a file that ``ast.parse`` accepts; else 0.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import resource
import subprocess
import sys
import sysconfig
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

STATS = re.compile(r"(\d+) files read(?: \([^)]*\))?: (\d+) analysed, (\d+) from cache, (\d+) skipped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", help="directories to lint (default: this interpreter's site-packages)")
    parser.add_argument("--jobs", "-j", type=int, help="passed to initlint (default: its own)")
    parser.add_argument("--timeout", type=float, help="passed to initlint (default: its own, 60 s)")
    parser.add_argument("--json", metavar="FILE", help="write the numbers and lists as JSON")
    parser.add_argument("--no-peer", action="store_true", help="skip the ast.parse peer timing")
    ns = parser.parse_args()
    trees = [os.path.abspath(t) for t in ns.trees] or [sysconfig.get_paths()["purelib"]]

    cmd = [sys.executable, "-m", "initlint", "--no-cache", "--isolated", "--format", "json", "-v"]
    if ns.jobs:
        cmd += ["-j", str(ns.jobs)]
    if ns.timeout:
        cmd += ["--timeout", str(ns.timeout)]
    run = run_measured([*cmd, *trees])
    rows = json.loads(run["stdout"]) if run["stdout"].strip() else []
    stats = STATS.search(run["stderr"])
    files_read, analysed = (int(stats.group(1)), int(stats.group(2))) if stats else (None, None)

    by_code = Counter(r["code"] for r in rows)
    ini900 = [r for r in rows if r["code"] == "INI900"]
    ini901 = [r for r in rows if r["code"] == "INI901"]
    false_ini900 = [r for r in ini900 if parses(r["path"])]
    broken_stderr = [line for line in run["stderr"].splitlines() if "Traceback" in line or "internal error" in line]
    internal = [r for r in rows if "internal error" in r["message"]]
    peer = None if ns.no_peer else ast_peer(trees)

    report = {
        "trees": trees,
        "command": " ".join(cmd),
        "exit_code": run["returncode"],
        "files_read": files_read,
        "files_analysed": analysed,
        "findings_by_code": dict(sorted(by_code.items())),
        "ini900_by_reason": reasons(ini900),
        "ini901_by_reason": reasons(ini901),
        "ini900_on_files_ast_accepts": [f"{r['path']}:{r['line']}: {r['message']}" for r in false_ini900],
        "internal_errors": [f"{r['path']}: {r['message']}" for r in internal],
        "stderr_tracebacks": broken_stderr,
        "seconds": round(run["seconds"], 2),
        "peak_rss_one_process_mb": round(run["peak_one"] / 2**20),
        "peak_rss_process_tree_mb": round(run["peak_tree"] / 2**20),
        "peer_ast_parse": peer,
    }
    print_report(report)
    if ns.json:
        Path(ns.json).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if (false_ini900 or internal or broken_stderr) else 0


def run_measured(cmd: "list[str]") -> dict:
    """Run ``cmd``; wall time, and peak RSS of its largest process and of its whole tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    one = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"stdout": stdout, "stderr": stderr, "returncode": proc.returncode, "seconds": seconds,
            "peak_one": one, "peak_tree": max(peak[0], one)}


def tree_rss(root: int) -> int:
    """Bytes: the resident memory of ``root`` and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def parses(path: str) -> bool:
    """Whether Python's own parser accepts the file (bytes: its coding cookie applies)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeError, LookupError):
        return False
    return True


def reasons(rows: "list[dict]") -> "dict[str, int]":
    """Messages with their details (positions, sizes, names) stripped, counted."""
    kinds = Counter()
    for r in rows:
        kind = re.sub(r"\d+", "N", r["message"].split(":")[0] if "syntax error" in r["message"] else r["message"])
        kinds[re.sub(r"\(.*?\)", "(...)", kind)] += 1
    return dict(kinds.most_common())


def ast_peer(trees: "list[str]") -> dict:
    """The stdlib parser alone over the same ``*.py`` files (one process, no workers)."""
    files = [p for t in trees for p in Path(t).rglob("*.py") if p.is_file()]
    started = time.perf_counter()
    for p in files:
        parses(str(p))
    return {"files": len(files), "seconds": round(time.perf_counter() - started, 2)}


def print_report(r: dict) -> None:
    print(f"trees: {', '.join(r['trees'])}")
    print(f"command: {r['command']} (exit {r['exit_code']})")
    print(f"files read: {r['files_read']}, analysed (passed the prefilter): {r['files_analysed']}")
    print("findings by code: " + ", ".join(f"{c} {n}" for c, n in r["findings_by_code"].items()))
    for code in ("ini900", "ini901"):
        print(f"{code.upper()} by reason:")
        for kind, n in r[f"{code}_by_reason"].items():
            print(f"  {n:6}  {kind}")
    print(f"INI900 on files that ast.parse accepts: {len(r['ini900_on_files_ast_accepts'])}")
    for line in r["ini900_on_files_ast_accepts"]:
        print(f"  {line}")
    print(f"internal errors: {len(r['internal_errors'])}; tracebacks on stderr: {len(r['stderr_tracebacks'])}")
    for line in r["internal_errors"] + r["stderr_tracebacks"]:
        print(f"  {line}")
    print(f"time: {r['seconds']} s; peak RSS: {r['peak_rss_one_process_mb']} MB (largest process), "
          f"{r['peak_rss_process_tree_mb']} MB (process tree, sampled)")
    if r["peer_ast_parse"]:
        p = r["peer_ast_parse"]
        print(f"peer: ast.parse of {p['files']} files in one process: {p['seconds']} s "
              f"(initlint: {r['seconds'] / max(p['seconds'], 1e-9):.2f}x)")


if __name__ == "__main__":
    sys.exit(main())
