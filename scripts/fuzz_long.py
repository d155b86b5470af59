#!/usr/bin/env python
"""Long fuzz run over the properties of ``tests/test_fuzz.py`` (issue 8).

    python scripts/fuzz_long.py --minutes 10            # every property, round-robin
    python scripts/fuzz_long.py --minutes 30 --only whitespace-everywhere,rename
    python scripts/fuzz_long.py --list

Each property runs in batches of fresh random examples (no example database) until the time
is up. A failure is reduced (hypothesis shrinks crash inputs; mutation failures are reduced to
their minimal edits by delta debugging), written to ``--out`` as a reproducer, and then
*remembered*: later examples that fail the same way (same exception and crash site, or same
changed findings) count as known, so that the run goes on looking for new bugs instead of
finding the first one a thousand times. Examples slower than ``--slow`` seconds are written
too (a pre-commit hook must not hang). Exit status: 1 if anything failed, else 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import test_fuzz as F  # noqa: E402


@dataclass
class Prop:
    name: str
    strategy: Callable[[], st.SearchStrategy]
    check: Callable  # (example) -> None, raises on failure
    shrink: bool = True
    describe: Callable = repr  # example -> text written to the reproducer file
    examples: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)
    known: int = 0
    slow: list = field(default_factory=list)  # (seconds, description)


def _mutation(kind: str, everywhere: bool = False) -> Callable:
    def check(example):
        path, seed = example
        F.check_mutation(path, kind, seed, everywhere)
    return check


def _tmp_check(blobs):
    with tempfile.TemporaryDirectory(prefix="initlint-fuzz-") as tmp:
        F.check_paths_agree_with_check_source(blobs, tmp)


def _crash_check(valid: Optional[bool]) -> Callable:
    def check(text):
        if isinstance(text, bytes):
            F.check_engine_never_raises(text, valid_python=False)
            return
        if not any("\ud800" <= c <= "\udfff" for c in text):
            F.check_pipeline_only_source_errors(text)
        F.check_engine_never_raises(text, valid_python=F._parses(text) if valid is None else valid)
    return check


def _mutation_input(example) -> str:
    if example is None:
        return "(not recorded)"
    path, seed = example
    return f"{path.relative_to(ROOT)} seed={seed}"


def properties() -> "list[Prop]":
    cases = st.tuples(F.case_paths, F.seeds)
    return [
        Prop("random-programs", F.random_programs, _crash_check(True)),
        Prop("programs-with-inits", F.programs_with_inits, _crash_check(None)),
        Prop("cases-with-random-code", F.cases_with_random_code, _crash_check(None)),
        Prop("crossover", F.crossover_cases, _crash_check(None)),
        Prop("whitespace", lambda: cases, _mutation("whitespace"), False, _mutation_input),
        Prop("whitespace-everywhere", lambda: cases, _mutation("whitespace", True), False, _mutation_input),
        Prop("trailing-comment", lambda: cases, _mutation("trailing-comment"), False, _mutation_input),
        Prop("comment-lines", lambda: cases, _mutation("comment-lines"), False, _mutation_input),
        Prop("rename", lambda: cases, _mutation("rename"), False, _mutation_input),
        Prop("reindent", lambda: cases, _mutation("reindent"), False, _mutation_input),
        Prop("noqa", lambda: cases, lambda ex: F.check_noqa(*ex), False, _mutation_input),
        Prop("line-endings", lambda: cases, lambda ex: F.check_line_endings(*ex), False, _mutation_input),
        Prop("corrupt-text", F.corrupted_cases, _crash_check(False)),
        Prop("corrupt-bytes", F.corrupted_bytes, _crash_check(False)),
        Prop("check-paths", F.corrupted_blobs, _tmp_check),
    ]


#: Line boundaries for ``str.splitlines`` that are not line breaks in Python source.
SPLITLINES_ONLY = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def signature(prop: Prop, exc: BaseException) -> str:
    """What makes two failures the same bug: the exception and where initlint raised it, or
    (for invariance failures) the findings that changed."""
    if isinstance(exc, AssertionError) and "changes the findings" in str(exc):
        # the message starts with what changed (reduced to the minimal edits)
        lines = str(exc).splitlines()
        crash = re.search(r"\('crash', '([^']*)'\)", str(exc))
        if crash:  # the mutated file crashes the analyzer: one bug, whichever file
            return f"{prop.name}: crash: {crash.group(1)[:120]}"
        edits = next((ln for ln in lines if "minimal edits:" in ln), "")
        odd = sorted({c for c in edits.encode().decode("unicode_escape", "ignore") if c in SPLITLINES_ONLY})
        if odd:  # a character str.splitlines breaks at but Python does not: one bug, whichever file
            return f"{prop.name}: fails with {odd!r} in a comment"
        head = re.sub(r" \((default|strict)\)", "", " ".join(ln.strip() for ln in lines[:3]))
        return prop.name + ": " + head
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/initlint/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    head = str(exc).splitlines()[0][:120] if str(exc) else ""
    if isinstance(exc, AssertionError):
        # an assertion of the property itself: the message says which one
        head = head.split(":")[0]
    return f"{prop.name}: {type(exc).__name__} at {where}: {head}"


class Runner:
    def __init__(self, out: Path, batch: int, slow: float):
        self.out = out
        self.batch = batch
        self.slow = slow
        self.known: set = set()
        self.last: dict = {}  # signature -> (example, exception) of the latest failing call

    def run_batch(self, prop: Prop, deadline: float) -> None:
        phases = [Phase.generate] + ([Phase.shrink] if prop.shrink else [])
        pending = []  # a new failure in this batch: hypothesis replays it, never skip then

        @settings(max_examples=self.batch, deadline=None, database=None, derandomize=False,
                  phases=phases, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
        @given(prop.strategy())
        def body(example):
            if time.monotonic() > deadline and not pending:
                return  # the time is up: let the batch end quickly
            prop.examples += 1
            t0 = time.perf_counter()
            try:
                prop.check(example)
            except Exception as exc:  # noqa: BLE001 - every failure is a finding here
                sig = signature(prop, exc)
                if sig in self.known:
                    prop.known += 1
                    return
                self.last[sig] = (example, exc)
                pending.append(sig)
                raise
            finally:
                dt = time.perf_counter() - t0
                if dt > self.slow:
                    prop.slow.append((dt, example))

        t0 = time.monotonic()
        try:
            body()
        except Exception as exc:  # noqa: BLE001
            sig = signature(prop, exc)
            if sig not in self.last and pending:  # e.g. hypothesis wrapped it (Flaky)
                sig = pending[-1]
            example, final = self.last.get(sig, (None, exc))
            self.known.add(sig)
            self.record(prop, sig, example, final)
        finally:
            prop.seconds += time.monotonic() - t0

    def record(self, prop: Prop, sig: str, example, exc: BaseException) -> None:
        n = sum(len(p.failures) for p in PROPS) + 1
        stem = self.out / f"failure-{n:03d}-{prop.name}"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        blobs = example if isinstance(example, list) else [example]
        for i, blob in enumerate(blobs):  # the full inputs, byte for byte
            if isinstance(blob, (str, bytes)):
                data = blob if isinstance(blob, bytes) else blob.encode("utf-8", "surrogatepass")
                Path(f"{stem}{'' if len(blobs) == 1 else f'-{i}'}.py").write_bytes(data)
        (Path(str(stem) + ".txt")).write_text(
            f"property: {prop.name}\nsignature: {sig}\ninput: {prop.describe(example)!s:.2000}\n\n{text}",
            encoding="utf-8", errors="backslashreplace")
        prop.failures.append((sig, str(stem)))
        print(f"\n!! NEW FAILURE in {prop.name}: {sig}\n   reproducer: {stem}.*", flush=True)


PROPS: "list[Prop]" = []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0, help="total wall-clock budget (default 10)")
    ap.add_argument("--only", default="", help="comma-separated property names (see --list)")
    ap.add_argument("--batch", type=int, default=100, help="examples per hypothesis run (default 100)")
    ap.add_argument("--slow", type=float, default=5.0, help="report examples slower than this (seconds)")
    ap.add_argument("--out", default="", help="directory for reproducers (default: a new temp dir)")
    ap.add_argument("--list", action="store_true", help="list the properties and exit")
    args = ap.parse_args(argv)

    PROPS[:] = properties()
    if args.list:
        for p in PROPS:
            print(p.name)
        return 0
    if args.only:
        wanted = {w.strip() for w in args.only.split(",") if w.strip()}
        unknown = wanted - {p.name for p in PROPS}
        if unknown:
            ap.error(f"unknown properties: {', '.join(sorted(unknown))}")
        PROPS[:] = [p for p in PROPS if p.name in wanted]
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="initlint-fuzz-long-"))
    out.mkdir(parents=True, exist_ok=True)
    runner = Runner(out, args.batch, args.slow)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    print(f"fuzzing {len(PROPS)} properties for {args.minutes:g} min; reproducers in {out}", flush=True)
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        for prop in PROPS:
            if time.monotonic() >= deadline:
                break
            runner.run_batch(prop, deadline)
        total = sum(p.examples for p in PROPS)
        print(f"[{(time.monotonic() - started) / 60:5.1f} min] round {rounds}: {total} examples, "
              f"{sum(len(p.failures) for p in PROPS)} distinct failures", flush=True)

    elapsed = time.monotonic() - started
    summary = {
        "minutes": round(elapsed / 60, 2),
        "rounds": rounds,
        "examples": sum(p.examples for p in PROPS),
        "properties": {
            p.name: {
                "examples": p.examples,
                "seconds": round(p.seconds, 1),
                "distinct_failures": [s for s, _ in p.failures],
                "reproducers": [f for _, f in p.failures],
                "repeats_of_known_failures": p.known,
                "slow_examples": len(p.slow),
                "slowest_seconds": round(max((t for t, _ in p.slow), default=0.0), 2),
            }
            for p in PROPS
        },
        "out": str(out),
    }
    for p in PROPS:
        for i, (dt, example) in enumerate(sorted(p.slow, key=lambda x: -x[0])[:3]):
            if isinstance(example, (str, bytes)):
                data = example if isinstance(example, bytes) else example.encode("utf-8", "surrogatepass")
                (out / f"slow-{p.name}-{i}-{dt:.1f}s.py").write_bytes(data)
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print("\n== summary ==")
    print(f"ran {summary['examples']} examples in {summary['minutes']} min ({rounds} rounds)")
    for name, s in summary["properties"].items():
        print(f"  {name:24} {s['examples']:7d} examples {s['seconds']:8.1f}s  "
              f"{len(s['distinct_failures'])} failures ({s['repeats_of_known_failures']} repeats)  "
              f"slow: {s['slow_examples']} (max {s['slowest_seconds']}s)")
        for sig, path in zip(s["distinct_failures"], s["reproducers"]):
            print(f"      - {sig}\n        {path}.*")
    print(f"summary: {out / 'summary.json'}")
    return 1 if any(p.failures for p in PROPS) else 0


if __name__ == "__main__":
    sys.exit(main())
