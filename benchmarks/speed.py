"""Speed benchmark: initlint against its peers, measured in the same run on the same trees.

    python benchmarks/speed.py                 # timm 1.0.31 and transformers 5.23.0
    python benchmarks/speed.py --runs 7 --packages timm
    python benchmarks/speed.py --torchfix      # also TorchFix 0.7.0, once (takes minutes)

Trees come from ``pip download --no-deps`` into a temporary directory (nothing is kept).
Every figure is the median wall time of several runs; what matters are the ratios printed
at the end, because the machine is shared and absolute times drift.

"plain flake8" runs in a throw-away virtualenv that holds flake8 only, so that the
initlint plugin (installed here) cannot add its cost to the baseline; ruff (pinned) gets a
throw-away virtualenv too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realworld import PACKAGES, fetch  # noqa: E402

#: Targets from issue 7, as (label, numerator, denominator, limit).
TARGETS = (
    ("cold initlint / ruff --no-cache", "initlint cold", "ruff cold", 3.0),
    ("warm initlint / warm ruff", "initlint warm", "ruff warm", 1.0),
    ("flake8 + initlint / plain flake8", "flake8 + initlint", "flake8 plain", 1.3),
)
FLAKE8_SELECT = "E,F,W,C90"
TORCHFIX = "torchfix==0.7.0"
RUFF = "ruff==0.17.6"  # pinned: the peer's speed moves between releases


def timed(cmd: list[str], runs: int, env=None, setup=None) -> float:
    """Median wall time of ``cmd`` over ``runs`` runs (``setup`` runs before each, untimed)."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return statistics.median(times)


def tool_venv(tmp: Path, name: str, requirement: str) -> Path:
    """A throw-away virtualenv holding one tool: its bin directory."""
    venv = tmp / name
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", requirement], check=True)
    return venv / "bin"


def plain_flake8(tmp: Path) -> str:
    import flake8  # the same version as the one initlint's plugin runs under

    return str(tool_venv(tmp, "plain-flake8", f"flake8=={flake8.__version__}") / "flake8")


def bench_tree(name: str, tree: Path, runs: int, flake8_plain: str, tmp: Path, torchfix: bool) -> dict:
    py = sys.executable
    cache = tmp / f"cache-{name}"
    ruff_cache = tmp / f"ruff-cache-{name}"
    results = {}
    results["initlint cold"] = timed([py, "-m", "initlint", str(tree), "--no-cache", "--exit-zero", "-q"], runs)
    subprocess.run([py, "-m", "initlint", str(tree), "--cache-dir", str(cache), "--exit-zero", "-q"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results["initlint warm"] = timed([py, "-m", "initlint", str(tree), "--cache-dir", str(cache), "--exit-zero", "-q"], runs)
    ruff = str(tmp / "ruff" / "bin" / "ruff")
    if not Path(ruff).exists():
        ruff = str(tool_venv(tmp, "ruff", RUFF) / "ruff")
    results["ruff cold"] = timed([ruff, "check", "--no-cache", "--exit-zero", "--isolated", "-q", str(tree)], runs)
    subprocess.run([ruff, "check", "--cache-dir", str(ruff_cache), "--exit-zero", "--isolated", "-q", str(tree)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results["ruff warm"] = timed([ruff, "check", "--cache-dir", str(ruff_cache), "--exit-zero", "--isolated", "-q",
                                  str(tree)], runs)
    flake_runs = max(1, runs // 2)
    results["flake8 plain"] = timed([flake8_plain, "--isolated", f"--select={FLAKE8_SELECT}", "--exit-zero", "-q",
                                     str(tree)], flake_runs)
    results["flake8 + initlint"] = timed([py, "-m", "flake8", "--isolated", f"--select={FLAKE8_SELECT},INI",
                                          "--exit-zero", "-q", str(tree)], flake_runs)
    if torchfix:  # its own venv: TorchFix 0.7.0 pins libcst < 1.6
        results["torchfix (1 run)"] = timed([str(tool_venv(tmp, f"torchfix-{name}", TORCHFIX) / "torchfix"), str(tree)], 1)
    return results


def single_files(tree: Path, runs: int) -> dict:
    """A pre-commit-style call on one file: one without inits, one model file with inits."""
    py = sys.executable
    files = sorted(tree.rglob("*.py"), key=lambda p: p.stat().st_size)
    plain = next(p for p in files if p.stat().st_size > 2000 and "zero" not in p.read_text(errors="ignore"))
    model = max((p for p in files if "nn.init.zeros_" in p.read_text(errors="ignore")), key=lambda p: p.stat().st_size)
    out = {}
    for label, f in (("one file without inits", plain), ("one model file with inits", model)):
        out[f"{label} ({f.name}, {f.stat().st_size // 1024} KB)"] = timed(
            [py, "-m", "initlint", str(f), "--no-cache", "--exit-zero", "-q"], runs)
    return out


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", nargs="*", default=["timm", "transformers"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--torchfix", action="store_true", help=f"also time {TORCHFIX} once (own venv; minutes)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.runs} runs "
          f"(flake8: {max(1, args.runs // 2)})")
    with tempfile.TemporaryDirectory(prefix="initlint-speed-") as tmpdir:
        tmp = Path(tmpdir)
        flake8_plain = plain_flake8(tmp)
        for name in args.packages:
            tree = fetch(PACKAGES[name], tmp / name)
            n = sum(1 for _ in tree.rglob("*.py"))
            size = sum(p.stat().st_size for p in tree.rglob("*.py")) / 1e6
            print(f"\n## {PACKAGES[name]}: {n} files, {size:.1f} MB")
            results = bench_tree(name, tree, args.runs, flake8_plain, tmp, args.torchfix)
            for label, t in results.items():
                print(f"  {label:<22} {t:8.3f} s")
            for label, num, den, limit in TARGETS:
                ratio = results[num] / results[den]
                if num == "initlint cold" and name != "timm":
                    print(f"  {label:<36} {ratio:6.2f}x  (for information: the {limit}x target is on timm)")
                    continue
                verdict = "ok" if ratio <= limit else "MISSED"
                print(f"  {label:<36} {ratio:6.2f}x  (target <= {limit}x: {verdict})")
            if "torchfix (1 run)" in results:
                ratio = results["torchfix (1 run)"] / results["initlint cold"]
                print(f"  {'torchfix / cold initlint':<36} {ratio:6.2f}x  (for scale: the other libcst linter)")
            if name == args.packages[0]:
                for label, t in single_files(tree, args.runs).items():
                    limit = 0.5 if "without" in label else 1.0
                    print(f"  {label:<60} {t:6.3f} s  (target < {limit} s: {'ok' if t < limit else 'MISSED'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
