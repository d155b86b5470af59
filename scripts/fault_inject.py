#!/usr/bin/env python
"""Long fault-injection run of the ``initlint`` command (issue 19).

    python scripts/fault_inject.py --minutes 10            # every fault, round-robin
    python scripts/fault_inject.py --minutes 5 --only signal,fd-limit --seed 7
    python scripts/fault_inject.py --list

Each round copies a corpus (the repository's ``test_cases/``, several times over, plus
generated files) into a temporary directory, runs the real command in a subprocess and
injects one fault with random parameters: files deleted or swapped (for a FIFO, a directory,
a symlink loop, a symlink to /dev/zero, a growing file) while the run reads them; SIGTERM,
SIGHUP, SIGINT or SIGKILL mid-run; a low file-descriptor or address-space limit; a damaged
cache (truncated, random bytes, deep JSON, huge numbers, a FIFO, a symlink to /dev/zero, a
directory); a damaged pyproject.toml; a closed or full stdout, a reader that goes away; the
pathological files of the issue (a 5 MB one-line file) under default settings.

Invariants checked on every round, against a clean run of the same corpus: no traceback and
no "internal error" on stderr; no hang (every run has a deadline, and a signalled run must
close its pipes within seconds); no worker process left behind (the command runs in its own
session, which must be empty once it has exited); the exit code the fault allows; the same
findings as the clean run for every file the fault did not touch, and for a touched file
either its clean findings or one INI900/INI901 diagnostic. Every unexpected outcome is
printed and appended to ``--out`` (JSON lines, with the seed that reproduces it). Exit
status: 1 if anything unexpected happened, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
GOOD = "import torch.nn as nn\nfc = nn.Linear(4, 4)\nnn.init.zeros_(fc.weight)\n"
RUN_DEADLINE = 300.0  # seconds: a run that takes longer is a hang
PIPE_GRACE = 10.0  # seconds after a signal for the pipes to close


# -- running the command -----------------------------------------------------------------


@dataclass
class Run:
    returncode: Optional[int]
    stdout: str
    stderr: str
    seconds: float
    hung: bool = False
    orphans: "list[int]" = field(default_factory=list)


def run_cli(cwd: Path, args: "list[str]", *, limits: "dict[int, int] | None" = None, close: "tuple[int, ...]" = (),
            stdout_to: Optional[str] = None, during: Optional[Callable[[subprocess.Popen], None]] = None,
            deadline: float = RUN_DEADLINE) -> Run:
    """``initlint ARGS`` in its own session; ``during(proc)`` runs while it does (a signal,
    a file swap); afterwards the session must hold no process."""

    def child_setup() -> None:
        for which, soft in (limits or {}).items():
            resource.setrlimit(which, (soft, resource.getrlimit(which)[1]))
        for fd in close:
            os.close(fd)

    out = open(stdout_to, "w") if stdout_to else subprocess.PIPE  # noqa: SIM115
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "initlint", *args], cwd=cwd, stdout=out, stderr=subprocess.PIPE,
        text=True, errors="surrogateescape", preexec_fn=child_setup, start_new_session=True,
    )
    if during is not None:
        during(proc)
    hung = False
    try:
        stdout, stderr = proc.communicate(timeout=max(1.0, deadline - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        hung = True
        _kill_session(proc.pid)
        stdout, stderr = proc.communicate()
    finally:
        if stdout_to:
            out.close()
    seconds = time.monotonic() - started
    orphans = _session_members(proc.pid, wait=3.0)
    _kill_session(proc.pid)
    return Run(proc.returncode, stdout or "", stderr or "", seconds, hung, orphans)


def _session_members(sid: int, wait: float) -> "list[int]":
    """Live processes of session ``sid`` (the command's workers, if any outlived it)."""
    deadline = time.monotonic() + wait
    while True:
        members = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != b"Z":
                members.append(int(entry))
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.1)


def _kill_session(sid: int) -> None:
    try:
        os.killpg(sid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# -- the corpus and its clean findings ------------------------------------------------------


Findings = "dict[str, list[tuple[int, int, str]]]"


def parse_json(stdout: str) -> "Optional[Findings]":
    try:
        rows = json.loads(stdout)
    except ValueError:
        return None
    out: dict = {}
    for r in rows:
        out.setdefault(os.path.normpath(r["path"]), []).append((r["line"], r["column"], r["code"]))
    return {k: sorted(v) for k, v in out.items()}


@dataclass
class Corpus:
    template: Path
    files: "list[str]"  # relative paths of the *.py files
    clean: "dict[str, list]"  # path -> clean findings (absent: none)

    def copy(self, dest: Path) -> Path:
        shutil.copytree(self.template, dest, symlinks=True)
        return dest


def build_corpus(work: Path, copies: int) -> Corpus:
    template = work / "corpus"
    for i in range(copies):
        shutil.copytree(ROOT / "test_cases", template / f"copy{i}", ignore=shutil.ignore_patterns("*.md"))
    for i in range(copies * 10):
        (template / "gen" / f"m{i:04}.py").parent.mkdir(parents=True, exist_ok=True)
        (template / "gen" / f"m{i:04}.py").write_text(GOOD.replace("fc", f"fc{i}"))
    (template / "pyproject.toml").write_text("[project]\nname = 'corpus'\n")
    files = sorted(str(p.relative_to(template)) for p in template.rglob("*.py"))
    first = run_cli(template, ["--no-cache", "--format", "json", "."])
    clean = parse_json(first.stdout)
    if clean is None or first.hung or "Traceback" in first.stderr:
        raise SystemExit(f"the clean run of the corpus failed: exit {first.returncode}\n{first.stderr}")
    return Corpus(template, files, clean)


# -- invariants ---------------------------------------------------------------------------


def common_problems(run: Run, allowed_exits: "set[Optional[int]]") -> "list[str]":
    problems = []
    if run.hung:
        problems.append(f"hang: no exit within {RUN_DEADLINE:g} s")
    if run.orphans:
        problems.append(f"{len(run.orphans)} process(es) of the run still alive after it exited")
    for marker in ("Traceback", "internal error", "Exception ignored"):
        if marker in run.stderr:
            problems.append(f"{marker!r} on stderr: {run.stderr[-600:]!r}")
    if run.returncode not in allowed_exits:
        problems.append(f"exit {run.returncode}, expected one of {sorted(allowed_exits, key=str)}; stderr: {run.stderr[-300:]!r}")
    return problems


def findings_problems(corpus: Corpus, got: "Optional[dict]", touched: "set[str]") -> "list[str]":
    """Untouched files: exactly the clean findings; touched ones (deleted, swapped, or out of
    memory): their clean findings, none (gone before the walk, or now empty), or one
    INI900/INI901 diagnostic."""
    if got is None:
        return ["stdout is not the JSON report"]
    problems = []
    for path in corpus.files:
        found, clean = got.get(path, []), corpus.clean.get(path, [])
        if path not in touched:
            if found != clean:
                problems.append(f"{path}: {found} instead of its clean findings {clean}")
        elif found not in (clean, []) and not (len(found) == 1 and found[0][2] in ("INI900", "INI901")):
            problems.append(f"{path} (touched): {found}, neither its clean findings, nor none, nor one diagnostic")
    extra = set(got) - set(corpus.files) - touched
    if extra:
        problems.append(f"findings for paths not in the corpus: {sorted(extra)[:5]}")
    return problems


# -- the faults ---------------------------------------------------------------------------


def fault_files_changing(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    """Delete or swap files while the run reads them."""
    tree = corpus.copy(tmp / "tree")
    victims = rng.sample(corpus.files, k=min(len(corpus.files), rng.randint(1, 40)))
    kinds = ["delete", "fifo", "directory", "loop", "dev-zero", "empty", "grow", "binary"]
    plan = [(v, rng.choice(kinds), rng.uniform(0.0, 1.5)) for v in victims]

    def swap(proc: subprocess.Popen) -> None:
        def worker() -> None:
            started = time.monotonic()
            for rel, kind, at in sorted(plan, key=lambda p: p[2]):
                time.sleep(max(0.0, at - (time.monotonic() - started)))
                _swap(tree / rel, kind)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()

    run = run_cli(tree, ["--no-cache", "--format", "json", "-j", str(rng.randint(1, 4)), "."], during=swap)
    problems = common_problems(run, {0, 1, 2})
    if not problems:
        got = parse_json(run.stdout)
        problems += findings_problems(corpus, got, {rel for rel, _, _ in plan})
    return f"{len(plan)} files: " + ", ".join(sorted({k for _, k, _ in plan})), problems


def _swap(path: Path, kind: str) -> None:
    try:
        if kind == "grow":
            with open(path, "a") as f:
                f.write("x = 1\n" * 200_000)
            return
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
        elif kind == "loop":
            os.symlink(path.name, path)
        elif kind == "dev-zero":
            os.symlink("/dev/zero", path)
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "binary":
            path.write_bytes(os.urandom(4096))
    except OSError:
        pass


def fault_signal(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    """A signal to the command alone, mid-run: it must end, close its pipes, leave no worker."""
    tree = corpus.copy(tmp / "tree")
    layers = "".join(f"layer{i} = nn.Linear({i}, 4)\n" for i in range(rng.randint(20_000, 60_000)))
    (tree / "busy_model.py").write_text(GOOD + layers)  # keeps a worker busy for seconds
    sig = rng.choice([signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
    delay = rng.uniform(0.05, 2.0)
    sent: dict = {}

    def send(proc: subprocess.Popen) -> None:
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, sig)
            sent["at"] = time.monotonic()

    run = run_cli(tree, ["--no-cache", "-j", str(rng.randint(1, 4)), "."], during=send, deadline=delay + PIPE_GRACE + 60)
    if "at" not in sent:  # finished before the signal: an ordinary run
        return f"{sig.name} after {delay:.2f} s (too late)", common_problems(run, {0, 1, 2})
    expected = {signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}.get(sig, 128 + sig)
    # Before the workers start, SIGTERM/SIGHUP keep their default action (-N): nothing to stop.
    problems = common_problems(run, {expected, -sig, 0, 1, 2})  # (or it finished meanwhile)
    if run.seconds - delay > PIPE_GRACE:
        problems.append(f"stdout/stderr closed {run.seconds - delay:.1f} s after the signal")
    if run.returncode == expected and sig != signal.SIGKILL:
        want = "initlint: interrupted\n" if sig == signal.SIGINT else f"initlint: terminated by {sig.name}\n"
        if not run.stderr.endswith(want):
            problems.append(f"stderr {run.stderr[-200:]!r}, expected it to end with {want!r}")
    return f"{sig.name} after {delay:.2f} s", problems


def fault_fd_limit(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    tree = corpus.copy(tmp / "tree")
    limit, jobs = rng.randint(8, 64), rng.choice([1, 2, 4, 16, 64])
    run = run_cli(tree, ["--no-cache", "--format", "json", "-j", str(jobs), "."], limits={resource.RLIMIT_NOFILE: limit})
    problems = common_problems(run, {0, 1, 2})
    if not problems:
        problems += findings_problems(corpus, parse_json(run.stdout), set())
    return f"ulimit -n {limit}, -j {jobs}", problems


def fault_memory_limit(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    tree = corpus.copy(tmp / "tree")
    heavy = "big_model.py"
    (tree / heavy).write_text(GOOD + "".join(f"layer{i} = nn.Linear({i}, 4)\n" for i in range(rng.randint(1_000, 120_000))))
    mb = rng.choice([128, 192, 256, 384, 512, 1024, 2048])  # (below ~100 MB Python may not start)
    run = run_cli(tree, ["--no-cache", "--format", "json", "-j", str(rng.randint(1, 4)), "."],
                  limits={resource.RLIMIT_AS: mb << 20})
    problems = common_problems(run, {0, 1, 2})
    if problems or run.returncode == 2 and run.stderr.startswith("initlint: error: out of memory"):
        return f"ulimit -v {mb} MB", problems  # the command itself may not fit: one line is fine
    got = parse_json(run.stdout)
    if got is not None:
        got.pop(heavy, None)
        memory = {p for p, f in got.items() if len(f) == 1 and f[0][2] == "INI901"}
        problems += findings_problems(corpus, got, memory)  # a file may run out of memory
    else:
        problems.append("stdout is not the JSON report")
    return f"ulimit -v {mb} MB", problems


def fault_damaged_cache(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    tree = corpus.copy(tmp / "tree")
    warm = run_cli(tree, ["--format", "json", "."])
    problems = common_problems(warm, {0, 1, 2})
    caches = list((tree / ".initlint_cache").glob("v*/*.json"))
    if not caches:
        return "no cache written", problems + ["the warm run wrote no cache file"]
    how = rng.choice(["truncate", "random-bytes", "deep-json", "huge-number", "nan", "wrong-shape", "fifo",
                      "dev-zero", "directory", "huge-file", "empty"])
    _damage(caches[0], how, rng)
    for _ in range(2):  # the damaged run, then the rebuilt one
        run = run_cli(tree, ["--format", "json", "."], deadline=120)
        problems += common_problems(run, {0, 1, 2})
        if not run.hung:
            problems += findings_problems(corpus, parse_json(run.stdout), set())
    return how, problems


def _damage(cache: Path, how: str, rng: random.Random) -> None:
    text = cache.read_text()
    if how == "truncate":
        cache.write_text(text[: rng.randint(0, len(text))])
    elif how == "random-bytes":
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        cache.write_bytes(bytes(data))
    elif how == "deep-json":
        cache.write_text("[" * 200_000 + "]" * 200_000)
    elif how == "huge-number":
        cache.write_text(re.sub(r"\[(\d+),(\d+),\"INI", lambda m: f'[1e400,{m.group(2)},"INI', text))
    elif how == "nan":
        cache.write_text(re.sub(r"\[(\d+),", "[NaN,", text))
    elif how == "wrong-shape":
        cache.write_text(json.dumps({k: rng.choice([None, 1, "x", [], [1], [[]], {"a": 1}]) for k in json.loads(text)}))
    elif how == "empty":
        cache.write_text("")
    elif how == "huge-file":
        with open(cache, "wb") as f:
            f.truncate(2 << 30)  # sparse 2 GiB
    else:
        cache.unlink()
        if how == "fifo":
            os.mkfifo(cache)
        elif how == "dev-zero":
            os.symlink("/dev/zero", cache)
        elif how == "directory":
            cache.mkdir()


def fault_damaged_config(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    tree = corpus.copy(tmp / "tree")
    variants = {
        "not-utf8": b"[tool.initlint]\nstrict = false # \xff\xfe\n",
        "deep-array": b"[tool.initlint]\nselect = " + b"[" * 50_000 + b"]" * 50_000 + b"\n",
        "random-bytes": os.urandom(rng.randint(1, 400)),
        "nul-cache-dir": b'[tool.initlint]\ncache-dir = "a\\u0000b"\n',
        "timeout-inf": b"[tool.initlint]\ntimeout = inf\n",
        "timeout-huge": b"[tool.initlint]\ntimeout = 1e300\n",
        "size-huge": b"[tool.initlint]\nmax-file-size = 100000000000\n",
        "jobs-huge": b"[tool.initlint]\njobs = 100000\n",
        "table-not-table": b"[tool]\ninitlint = [1, 2]\n",
    }
    name = rng.choice(sorted(variants))
    (tree / "pyproject.toml").write_bytes(variants[name])
    run = run_cli(tree, ["--format", "json", "."])
    problems = common_problems(run, {0, 1, 2})
    if not problems and run.returncode == 2 and not run.stdout.strip():
        lines = run.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("initlint: error: "):
            problems.append(f"a config problem must be one 'initlint: error:' line, got {run.stderr[-300:]!r}")
    elif not problems:
        problems += findings_problems(corpus, parse_json(run.stdout), set())
    return name, problems


def fault_stdout(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    tree = corpus.copy(tmp / "tree")
    how = rng.choice(["closed", "full", "both-closed", "reader-leaves"])
    if how == "reader-leaves":
        cmd = f"{sys.executable} -m initlint --no-cache . | head -c {rng.randint(0, 2000)} > /dev/null"
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tree, capture_output=True, text=True, timeout=RUN_DEADLINE)
        run = Run(proc.returncode, "", proc.stderr, 0.0)
        return how, common_problems(run, {0, 1, 2, 141})  # 141: head's SIGPIPE seen by pipefail
    if how == "full":
        run = run_cli(tree, ["--no-cache", "."], stdout_to="/dev/full")
        problems = common_problems(run, {2})
        if run.stderr != "initlint: error: cannot write the report to stdout: no space left on device\n":
            problems.append(f"stderr {run.stderr!r}")
        return how, problems
    run = run_cli(tree, ["--no-cache", "."], close=(1,) if how == "closed" else (1, 2))
    problems = common_problems(run, {2})
    if how == "closed" and run.stderr != "initlint: error: cannot write the report: stdout is closed\n":
        problems.append(f"stderr {run.stderr!r}")
    return how, problems


def fault_pathological_file(corpus: Corpus, tmp: Path, rng: random.Random) -> "tuple[str, list[str]]":
    """The issue's heavy files, alone (a pre-commit run) under default settings."""
    tree = tmp / "tree"
    tree.mkdir()
    kind = rng.choice(["one-line", "many-lines", "long-line-expression"])
    size = rng.randint(1_000_000, 5_000_000)
    if kind == "one-line":
        text = "import torch.nn as nn\nnn.init.zeros_(w)\n" + "x=1;" * (size // 4) + "\n"
    elif kind == "many-lines":
        text = "import torch.nn as nn\nnn.init.zeros_(w)\n" + "x = 1\n" * (size // 6)
    else:
        text = "import torch.nn as nn\nw = " + " + ".join(["a"] * (size // 4)) + "\nnn.init.zeros_(w)\n"
    (tree / "heavy.py").write_text(text)
    timeout = rng.choice([2, 10, 60])
    run = run_cli(tree, ["--no-cache", "--timeout", str(timeout), "heavy.py"], deadline=timeout + 60)
    problems = common_problems(run, {1, 2})
    if run.seconds > timeout + 30:
        problems.append(f"took {run.seconds:.1f} s with --timeout {timeout}")
    return f"{kind}, {len(text) / 1e6:.1f} MB, --timeout {timeout} ({run.seconds:.1f} s)", problems


FAULTS: "dict[str, Callable]" = {
    "files-changing": fault_files_changing,
    "signal": fault_signal,
    "fd-limit": fault_fd_limit,
    "memory-limit": fault_memory_limit,
    "damaged-cache": fault_damaged_cache,
    "damaged-config": fault_damaged_config,
    "stdout": fault_stdout,
    "pathological-file": fault_pathological_file,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--only", help="comma-separated faults (see --list)")
    parser.add_argument("--seed", type=int, default=None, help="first round's seed (default: random)")
    parser.add_argument("--copies", type=int, default=6, help="copies of test_cases/ in the corpus (default 6)")
    parser.add_argument("--out", default="fault_inject_failures.jsonl", help="unexpected outcomes are appended here")
    parser.add_argument("--list", action="store_true")
    ns = parser.parse_args()
    if ns.list:
        for name, fn in FAULTS.items():
            print(f"{name:18} {(fn.__doc__ or '').strip().splitlines()[0] if fn.__doc__ else ''}")
        return 0
    names = ns.only.split(",") if ns.only else list(FAULTS)
    unknown = set(names) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)} (see --list)")
    seed = ns.seed if ns.seed is not None else random.randrange(1 << 30)
    end = time.monotonic() + ns.minutes * 60
    counts = {n: [0, 0] for n in names}  # rounds, unexpected
    with tempfile.TemporaryDirectory(prefix="initlint-faults-") as work:
        corpus = build_corpus(Path(work), ns.copies)
        print(f"corpus: {len(corpus.files)} files; first seed {seed}", flush=True)
        round_no = 0
        while time.monotonic() < end:
            name = names[round_no % len(names)]
            round_seed = seed + round_no
            round_no += 1
            with tempfile.TemporaryDirectory(dir=work) as tmp:
                started = time.monotonic()
                what, problems = FAULTS[name](corpus, Path(tmp), random.Random(round_seed))
            counts[name][0] += 1
            status = "ok" if not problems else "UNEXPECTED"
            print(f"[{round_no:4}] {name:18} {what} -> {status} ({time.monotonic() - started:.1f} s)", flush=True)
            if problems:
                print(f"       reproduce: --only {name} --seed {round_seed} --minutes 0.01", flush=True)
            if problems:
                counts[name][1] += 1
                for p in problems:
                    print(f"       {p}", flush=True)
                with open(ns.out, "a") as f:
                    f.write(json.dumps({"fault": name, "seed": round_seed, "what": what, "problems": problems}) + "\n")
    print("\nfault               rounds  unexpected")
    for name, (rounds, bad) in counts.items():
        print(f"{name:18} {rounds:7} {bad:11}")
    failed = sum(bad for _, bad in counts.values())
    print(f"\n{failed} unexpected outcome(s)" + (f"; details in {ns.out}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
