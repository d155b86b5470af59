"""Real-world check: lint pinned releases of popular ML packages and print every finding.

    python benchmarks/realworld.py                 # all packages, default mode
    python benchmarks/realworld.py --strict        # also the recognised idioms, with reasons
    python benchmarks/realworld.py timm peft       # some packages only

Each package is fetched with ``pip download --no-deps`` into a temporary directory and its
``.py`` files are unpacked there; nothing downloaded is kept or committed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
import tarfile
from collections import Counter
from pathlib import Path

PACKAGES = {
    "timm": "timm==1.0.31",
    "torchvision": "torchvision==0.29.1",
    "transformers": "transformers==5.23.0",
    "diffusers": "diffusers==0.42.1",
    "peft": "peft==0.21.2",
    "keras-hub": "keras-hub==0.32.0",
    "flax": "flax==0.12.8",
}


def fetch(spec: str, dest: Path) -> Path:
    """Download one distribution and unpack its Python files under ``dest``."""
    dl = dest / "dl"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dl), spec],
                   check=True, stdout=subprocess.DEVNULL)
    name = spec.split("==")[0]
    archive = next(p for p in dl.iterdir() if p.name.lower().replace("_", "-").startswith(name))
    out = dest / name
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            z.extractall(out, [m for m in z.namelist() if m.endswith(".py")])
    else:
        with tarfile.open(archive) as t:
            t.extractall(out, [m for m in t.getmembers() if m.name.endswith(".py")], filter="data")
    archive.unlink()
    return out


def lint(tree: Path, strict: bool) -> tuple[list[dict], float]:
    cmd = [sys.executable, "-m", "initlint", str(tree), "--format", "json", "--exit-zero", "--no-cache"]
    if strict:
        cmd.append("--strict")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 2):
        sys.exit(f"initlint failed on {tree}: {proc.stderr.strip()}")
    return json.loads(proc.stdout or "[]"), elapsed


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(PACKAGES), help="names from: " + ", ".join(PACKAGES))
    parser.add_argument("--strict", action="store_true", help="also list recognised idioms")
    args = parser.parse_args(argv)
    totals: Counter = Counter()
    with tempfile.TemporaryDirectory(prefix="initlint-realworld-") as tmp:
        for name in args.packages:
            spec = PACKAGES[name]
            tree = fetch(spec, Path(tmp) / name)
            files = sum(1 for _ in tree.rglob("*.py"))
            findings, elapsed = lint(tree, args.strict)
            counts = Counter(f["code"] for f in findings)
            totals.update(counts)
            summary = ", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "no findings"
            print(f"\n## {spec}: {files} files, {elapsed:.1f}s, {summary}")
            for f in findings:
                rel = Path(f["path"]).relative_to(tree)
                idiom = f"  [idiom: {f['idiom']}]" if f.get("idiom") else ""
                print(f"{rel}:{f['line']}:{f['column']}: {f['code']} {f['message']}{idiom}")
    print("\n## total: " + (", ".join(f"{c} {n}" for c, n in sorted(totals.items())) or "no findings"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
