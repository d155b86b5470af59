"""Real-world check: lint pinned releases of ML packages and measure the findings against labels.

    python benchmarks/realworld.py                      # the seven tuned-on packages, default mode
    python benchmarks/realworld.py --strict             # list strict-mode findings instead
    python benchmarks/realworld.py --set wide --summary # the wide corpus: tables only
    python benchmarks/realworld.py --set all --check    # exit 1 if a finding has no verdict
    python benchmarks/realworld.py timm monai           # some sources only

Two sets of sources: ``tuned`` (the seven packages the linter was tuned on) and ``wide`` (more
than fifty torch, Keras/TF and JAX distributions it was not). Each is fetched with ``pip download
--no-deps`` and its ``.py`` files are unpacked in a temporary directory (``--downloads DIR``
keeps them between runs); nothing downloaded is committed.

Every source is linted in default and in ``--strict`` mode. Each finding site is looked up in
``benchmarks/corpus/verdicts.csv`` by (source, path, line), so a site keeps its verdict when the
linter's code for it changes: ``bug`` (the init really is a mistake), ``deliberate`` (a known
idiom: head, LoRA B, zero residual closer...) or ``harmless`` (constant on purpose and not a
fan-in weight, or a dead store). The tables give, per set: findings per mode and code, verdicts,
default-mode precision, the share of deliberate idioms flagged in default mode, harmless sites
flagged, what ``--strict`` shows, and every finding that has no verdict yet.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

#: The packages the linter's names and tables were tuned on.
TUNED = {
    "timm": "timm==1.0.31",
    "torchvision": "torchvision==0.29.1",
    "transformers": "transformers==5.23.0",
    "diffusers": "diffusers==0.42.1",
    "peft": "peft==0.21.2",
    "keras-hub": "keras-hub==0.32.0",
    "flax": "flax==0.12.8",
}
PACKAGES = TUNED  # the name benchmarks/speed.py imports

#: Distributions the linter was not tuned on: torch, Keras/TF and JAX model code.
WIDE = {
    # torch: libraries
    "sentence-transformers": "sentence-transformers==6.2.0",
    "speechbrain": "speechbrain==1.1.2",
    "monai": "monai==1.6.1",
    "torchrl": "torchrl==0.14.1",
    "kornia": "kornia==0.9.0",
    "segmentation-models-pytorch": "segmentation-models-pytorch==0.6.0",
    "ultralytics": "ultralytics==8.4.190",
    "xformers": "xformers==0.0.35",
    "trl": "trl==1.16.0",
    "deepspeed": "deepspeed==0.19.8",
    "fairscale": "fairscale==0.4.13",
    "nemo-toolkit": "nemo-toolkit==3.0.0",
    "espnet": "espnet==202511",
    "torchtitan": "torchtitan==0.3.0",
    "open-clip-torch": "open-clip-torch==3.3.0",
    "torch-geometric": "torch-geometric==2.8.1",
    "dgl": "dgl==2.1.0",
    "allennlp": "allennlp==2.10.1",
    "fairseq": "fairseq==0.12.2",
    "audiocraft": "audiocraft==1.3.0",
    "stable-baselines3": "stable-baselines3==2.9.2",
    "gluonts": "gluonts==0.17.0",
    "pytorch-forecasting": "pytorch-forecasting==1.8.0",
    "neuralforecast": "neuralforecast==3.3.0",
    "pytorch-tabnet": "pytorch-tabnet==4.1.0",
    "torchgeo": "torchgeo==0.8.1",
    "mmdet": "mmdet==3.3.0",
    "mmpretrain": "mmpretrain==1.2.0",
    "mmsegmentation": "mmsegmentation==1.2.2",
    "pyannote-audio": "pyannote-audio==4.0.7",
    "torchtune": "torchtune==0.6.1",
    "litgpt": "litgpt==0.5.13",
    "nnunetv2": "nnunetv2==2.8.1",
    # torch: lucidrains-style research code
    "x-transformers": "x-transformers==2.31.10",
    "vit-pytorch": "vit-pytorch==1.26.11",
    "denoising-diffusion-pytorch": "denoising-diffusion-pytorch==2.3.4",
    "imagen-pytorch": "imagen-pytorch==2.1.0",
    "vector-quantize-pytorch": "vector-quantize-pytorch==1.32.0",
    "alphafold3-pytorch": "alphafold3-pytorch==0.8.3",
    # Keras / TensorFlow
    "keras-cv": "keras-cv==0.9.0",
    "tf-models-official": "tf-models-official==2.20.0",
    "dm-sonnet": "dm-sonnet==2.0.2",
    "tensorflow-addons": "tensorflow-addons==0.23.0",
    "tf-agents": "tf-agents==0.19.0",
    "spektral": "spektral==1.3.1",
    "tensorflow-probability": "tensorflow-probability==0.25.0",
    "trax": "trax==1.4.1",
    # JAX
    "equinox": "equinox==0.13.8",
    "praxis": "praxis==1.4.0",
    "paxml": "paxml==1.4.0",
    "levanter": "levanter==1.1",
    "penzai": "penzai==0.2.5",
    "dm-haiku": "dm-haiku==0.0.17",
    "objax": "objax==1.8.0",
    "jraph": "jraph==0.0.6.dev0",
    "e3nn-jax": "e3nn-jax==0.21.0",
    "brax": "brax==0.14.2",
    "dopamine-rl": "dopamine-rl==4.1.2",
    "flaxmodels": "flaxmodels==0.1.3",
}
SETS = {"tuned": TUNED, "wide": WIDE, "all": {**TUNED, **WIDE}}
VERDICTS = Path(__file__).resolve().parent / "corpus" / "verdicts.csv"
VERDICT_FIELDS = ("source", "path", "line", "code", "modes", "verdict", "reason")
VERDICT_KINDS = ("bug", "deliberate", "harmless")
#: Diagnostics about the run (a file that does not parse...), not judgements of an init.
DIAGNOSTICS = ("INI900", "INI901")


def fetch(spec: str, dest: Path) -> Path:
    """Download one distribution and unpack its Python files under ``dest``/<name>."""
    out = dest / spec.split("==")[0]
    if out.is_dir():  # unpacked by an earlier run (--downloads)
        return out
    dest.mkdir(parents=True, exist_ok=True)
    dl = Path(tempfile.mkdtemp(prefix="dl-", dir=dest))
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dl), spec],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        (archive,) = list(dl.iterdir())
        partial = dest / (out.name + ".partial")
        if archive.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(archive) as z:
                z.extractall(partial, [m for m in z.namelist() if m.endswith(".py")])
        else:
            with tarfile.open(archive) as t:
                t.extractall(partial, [m for m in t.getmembers() if m.name.endswith(".py")], filter="data")
        partial.rename(out)
    finally:
        shutil.rmtree(dl, ignore_errors=True)
    return out


def lint(tree: Path, strict: bool) -> tuple[list[dict], float]:
    """initlint's JSON findings on ``tree`` (paths made relative to it) and the wall time."""
    cmd = [sys.executable, "-m", "initlint", str(tree), "--format", "json", "--exit-zero", "--no-cache",
           "--isolated", "-q"]
    if strict:
        cmd.append("--strict")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 2):
        sys.exit(f"initlint failed on {tree}: {proc.stderr.strip()}")
    findings = json.loads(proc.stdout or "[]")
    for f in findings:
        f["path"] = Path(f["path"]).resolve().relative_to(tree.resolve()).as_posix()
    return findings, elapsed


@dataclass
class Site:
    """One finding site (path, line) of one source, as seen in both modes."""

    source: str
    path: str
    line: int
    default: list[dict] = field(default_factory=list)
    strict: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source, self.path, self.line)

    @property
    def codes(self) -> str:
        return "/".join(sorted({f["code"] for f in self.strict + self.default}))

    @property
    def modes(self) -> str:
        return "default" if self.default else "strict"

    @property
    def idiom(self) -> str:
        return "; ".join(f["idiom"] for f in self.strict if f.get("idiom"))


@dataclass
class SourceRun:
    name: str
    spec: str
    files: int
    seconds: float
    findings: dict[str, list[dict]]  # mode -> findings
    sites: list[Site]


def load_verdicts(path: Path = VERDICTS) -> dict[tuple[str, str, int], dict]:
    """The verdict file, keyed by (source, path, line); a malformed row is a one-line error."""
    if not path.exists():
        return {}
    verdicts = {}
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != VERDICT_FIELDS:
            sys.exit(f"{path}: header must be {','.join(VERDICT_FIELDS)}")
        for n, row in enumerate(reader, start=2):
            if row["verdict"] not in VERDICT_KINDS or not row["reason"].strip() or not row["line"].isdigit():
                sys.exit(f"{path}:{n}: needs a verdict ({'/'.join(VERDICT_KINDS)}), a line number and a reason")
            key = (row["source"], row["path"], int(row["line"]))
            if key in verdicts:
                sys.exit(f"{path}:{n}: a second row for {key}")
            verdicts[key] = row
    return verdicts


def run_source(name: str, spec: str, tree: Path) -> SourceRun:
    found, seconds = {}, 0.0
    for mode in ("default", "strict"):
        findings, elapsed = lint(tree, strict=(mode == "strict"))
        found[mode], seconds = findings, seconds + elapsed
    sites: dict[tuple[str, int], Site] = {}
    for mode, findings in found.items():
        for f in findings:
            if f["code"] in DIAGNOSTICS:
                continue
            site = sites.setdefault((f["path"], f["line"]), Site(spec, f["path"], f["line"]))
            getattr(site, mode).append(f)
    files = sum(1 for _ in tree.rglob("*.py"))
    return SourceRun(name, spec, files, seconds, found, sorted(sites.values(), key=lambda s: (s.path, s.line)))


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else f"{part}/0 (-)"


def by_code(findings: list[dict]) -> str:
    return ", ".join(f"{c} {n}" for c, n in sorted(Counter(f["code"] for f in findings).items())) or "none"


def summarise(label: str, runs: list[SourceRun], verdicts: dict) -> list[Site]:
    """Print one set's table; return its unlabelled sites."""
    sites = [s for r in runs for s in r.sites]
    labelled = [(s, verdicts[s.key]["verdict"]) for s in sites if s.key in verdicts]
    unlabelled = [s for s in sites if s.key not in verdicts]
    default = Counter(v for s, v in labelled if s.default)
    strict = Counter(v for s, v in labelled)
    idiom_shown = sum(1 for s, v in labelled if v == "deliberate" and not s.default and s.idiom)
    n_default = sum(1 for s in sites if s.default)
    specs = {r.spec for r in runs}
    lost = [k for k, row in verdicts.items() if k[0] in specs and row["verdict"] == "bug"
            and k not in {s.key for s in sites if s.default}]
    print(f"\n=== {label}: {len(runs)} sources, {sum(r.files for r in runs)} files, "
          f"{sum(r.seconds for r in runs):.0f} s of linting (both modes)")
    print(f"findings, default: {by_code([f for r in runs for f in r.findings['default']])}")
    print(f"findings, strict:  {by_code([f for r in runs for f in r.findings['strict']])}")
    print(f"sites: {len(sites)} ({n_default} in default mode), labelled {len(labelled)}, unlabelled {len(unlabelled)}")
    print("verdicts, default: " + ", ".join(f"{k} {default[k]}" for k in VERDICT_KINDS))
    print("verdicts, strict:  " + ", ".join(f"{k} {strict[k]}" for k in VERDICT_KINDS))
    print(f"default-mode precision (bug / default findings): {pct(default['bug'], sum(default.values()))}")
    print(f"deliberate idioms flagged in default mode: {pct(default['deliberate'], strict['deliberate'])}")
    print(f"harmless sites flagged in default mode: {default['harmless']} (of {strict['harmless']} seen in strict)")
    print(f"strict mode: idioms among its findings {pct(strict['deliberate'], sum(strict.values()))}; "
          f"deliberate sites shown as idioms with a reason {pct(idiom_shown, strict['deliberate'])}")
    print(f"bugs reported in default mode: {pct(default['bug'], strict['bug'])} of the bug sites seen"
          f" (the rest are shown as idioms in --strict only)")
    diagnostics = [(r.spec, f) for r in runs for f in r.findings["default"] if f["code"] in DIAGNOSTICS]
    for spec, f in diagnostics:
        print(f"diagnostic (not judged): {spec} {f['path']}:{f['line']} {f['code']} {f['message'][:100]}")
    if lost:
        print(f"bug sites not reported in default mode (idioms in --strict, or no longer found): {len(lost)}")
        for k in lost:
            print(f"  {k[0]} {k[1]}:{k[2]}")
    return unlabelled


def write_template(sites: list[Site], path: Path) -> None:
    """Unlabelled sites as verdict rows to fill in (the reason column holds the linter's text)."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(VERDICT_FIELDS + ("message",))
        for s in sites:
            f = (s.default or s.strict)[0]
            w.writerow([s.source, s.path, s.line, s.codes, s.modes, "", s.idiom, f["message"]])


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", help="source names (default: the whole --set)")
    parser.add_argument("--set", choices=SETS, default="tuned", help="tuned (the 7), wide, or all")
    parser.add_argument("--strict", action="store_true", help="list the strict-mode findings (idioms with reasons)")
    parser.add_argument("--summary", action="store_true", help="print the tables only, not every finding")
    parser.add_argument("--check", action="store_true", help="exit 1 if a finding has no verdict")
    parser.add_argument("--downloads", type=Path, help="keep unpacked distributions here between runs")
    parser.add_argument("--template", type=Path, help="write the unlabelled sites to this CSV")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS, help="verdict file (default: %(default)s)")
    args = parser.parse_args(argv)
    every = SETS["all"]
    unknown = [s for s in args.sources if s not in every]
    if unknown:
        parser.error(f"unknown source {', '.join(unknown)}; known: {', '.join(every)}")
    chosen = {n: every[n] for n in args.sources} if args.sources else SETS[args.set]
    verdicts = load_verdicts(args.verdicts)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="initlint-realworld-") as tmp:
        root = args.downloads or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(4) as pool:  # downloads are network-bound
            trees = dict(zip(chosen, pool.map(lambda spec: fetch(spec, root), chosen.values())))
        runs = []
        for name, spec in chosen.items():
            run = run_source(name, spec, trees[name])
            runs.append(run)
            if args.summary:
                continue
            mode = "strict" if args.strict else "default"
            print(f"\n## {spec}: {run.files} files, {run.seconds:.1f}s, {by_code(run.findings[mode])}")
            for f in run.findings[mode]:
                row = verdicts.get((spec, f["path"], f["line"]))
                label = f"  <{row['verdict']}: {row['reason']}>" if row else "  <UNLABELLED>"
                idiom = f"  [idiom: {f['idiom']}]" if f.get("idiom") else ""
                print(f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}{idiom}{label}")
    groups = [("tuned", [r for r in runs if r.name in TUNED]), ("wide", [r for r in runs if r.name in WIDE])]
    for label, group in groups:
        if group and len(group) < len(runs):
            summarise(label, group, verdicts)
    unlabelled = summarise("overall", runs, verdicts)
    print(f"\nwall time: {time.perf_counter() - start:.0f} s")
    if unlabelled:
        print(f"\nUNLABELLED findings ({len(unlabelled)}): add them to {args.verdicts}")
        for s in unlabelled:
            print(f"  {s.source} {s.path}:{s.line} {s.codes} ({s.modes})")
    if args.template:
        write_template(unlabelled, args.template)
    return 1 if args.check and unlabelled else 0


if __name__ == "__main__":
    raise SystemExit(main())
