"""How fast is ``check_model_init``, next to one read of every parameter and one training step?

Without inputs, the check is meant to be memory-bandwidth-bound: its cost is compared, in the same process and
on the same model, with ``p.sum()`` over every parameter (one pass over the weights, the floor
for anything that reads them), for float32, bfloat16 and float16 in one run. Targets: float32
at most ~1.6x that pass, bfloat16/float16 at most 2x.

Then the same model sharded over 2 ranks (FSDP2 ``fully_shard`` on a gloo process group,
started with ``torchrun --standalone``): the check, run by both ranks together, next to each
rank's ``sum()`` over its own local shards.

With inputs, the probe is compared with one training step of the model itself: one forward and
backward (``model(x).sum().backward()``, 2 x 64 tokens). Targets: the probe (the check with
inputs minus the check without) at most 3x that time, and at most 1x the parameter memory on
top of the model (peak resident memory, each measured in a fresh process). Two cases: the model
as built (nothing suspicious: one step) and with a zero head (a zero init the probe follows: two
steps). ``--baseline-src DIR`` also measures the initlint in that ``src/`` directory (a previous
release, say) in the same run.

    python benchmarks/runtime_speed.py                 # ~141M-parameter transformer-like model
    python benchmarks/runtime_speed.py --gpt2          # transformers GPT-2 small (124M), from config
    python benchmarks/runtime_speed.py --repeat 9 --threads 0 --no-sharded
    python benchmarks/runtime_speed.py --no-sharded --only-probe --baseline-src ../old/src

With jax installed, a JAX row follows (benchmarks/runtime_speed_jax.py: the same shapes as a
Flax params tree, against one ``jnp.sum`` pass over its leaves); ``--no-jax`` skips it.

Threads default to 1: on a shared machine, when another process holds a core, every
multi-threaded torch op waits for a descheduled thread, which penalises the check (a few
small ops per tensor) far more than ``p.sum()`` (one op per tensor). ``--threads 0`` keeps
torch's default.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import torch
from torch import nn

if "--baseline-src" in sys.argv[:-1] and "--worker" in sys.argv:  # a worker measuring another initlint
    sys.path.insert(0, sys.argv[sys.argv.index("--baseline-src") + 1])
try:
    from initlint import check_model_init
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from initlint import check_model_init

DTYPES = ("float32", "bfloat16", "float16")


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, 16, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class TransformerLike(nn.Module):
    """Embedding 32000x1024 + 6 blocks (attention, MLP, norms) + an untied 1024->32000 head."""

    def __init__(self, vocab: int = 32000, d: int = 1024, n_blocks: int = 6) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n_blocks))
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def build(gpt2: bool, zero_head: bool = False) -> nn.Module:
    if gpt2:
        import transformers

        model = transformers.GPT2LMHeadModel(transformers.GPT2Config())
        if zero_head:  # GPT-2 ties its head to the token embedding: untie it first
            model.lm_head.weight = nn.Parameter(torch.zeros_like(model.lm_head.weight))
        return model
    model = TransformerLike()
    if zero_head:
        nn.init.zeros_(model.head.weight)
    return model


def interleaved_medians(fns: list, repeat: int, sync=lambda: None) -> list:
    """Median wall time of each function, run in turn so that both see the same machine load."""
    for fn in fns:
        fn()  # warm-up: caches, lazy kernels
    times: list = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            sync()
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def sum_pass(tensors: list):
    def one_pass() -> None:
        with torch.no_grad():
            for t in tensors:
                t.sum()

    return one_pass


def unsharded(args: argparse.Namespace) -> None:
    print(f"{'dtype':9} {'p.sum()':>10} {'check':>10} {'ratio':>7}   (medians of {args.repeat}, in the same process)")
    for name in DTYPES:
        torch.manual_seed(0)
        model = build(args.gpt2).to(getattr(torch, name))
        params = list(model.parameters())
        size = sum(p.numel() * p.element_size() for p in params)
        t_sum, t_check = interleaved_medians([sum_pass(params), partial(check_model_init, model)], args.repeat)
        print(f"{name:9} {t_sum * 1e3:8.1f}ms {t_check * 1e3:8.1f}ms {t_check / t_sum:6.2f}x   "
              f"({size / t_sum / 1e9:.1f} and {size / t_check / 1e9:.1f} GB/s)")
        del model, params


def initialise(model: nn.Module, seed: int) -> None:
    """What an FSDP2 user runs after to_empty(): every module's own init, a seed per shard."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            for method in ("reset_parameters", "_reset_parameters"):
                if hasattr(m, method):
                    getattr(m, method)()
                    break


def sharded_worker(args: argparse.Namespace) -> None:
    """One rank of the sharded run (under torchrun)."""
    import torch.distributed as dist
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    for name in DTYPES[:2]:
        with torch.device("meta"):
            model = TransformerLike().to(getattr(torch, name))
        for block in model.blocks:
            fully_shard(block)
        fully_shard(model)
        model.to_empty(device="cpu")
        initialise(model, seed=1000 + rank)
        local = [p.to_local() if isinstance(p, DTensor) else p for p in model.parameters()]
        size = sum(t.numel() * t.element_size() for t in local)
        report = check_model_init(model, raise_on_problem=False)
        assert report.ok, str(report)
        t_sum, t_check = interleaved_medians([sum_pass(local), partial(check_model_init, model)], args.repeat, dist.barrier)
        rows = [None] * dist.get_world_size()
        dist.all_gather_object(rows, (rank, size, t_sum, t_check))
        if rank == 0:
            for r, sz, s, c in rows:
                print(f"{name:9} rank {r}  {sz / 2**20:5.0f} MiB local  sum() {s * 1e3:7.1f}ms  "
                      f"check {c * 1e3:7.1f}ms  ratio {c / s:5.2f}x")
        del model, local
    dist.destroy_process_group()


def sharded(args: argparse.Namespace) -> None:
    print(f"\nsharded over 2 ranks (FSDP2 fully_shard, gloo, {args.threads or 'default'} thread(s) each): "
          "the check by both ranks together vs each rank's sum() over its local shards")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", __file__,
           "--sharded-worker", "--repeat", str(args.repeat), "--threads", str(args.threads)]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads or 1)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    print(proc.stdout.rstrip())
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
        sys.exit(proc.returncode)


# -- the probe against one training step --------------------------------------------------------

def example_inputs(gpt2: bool) -> object:
    ids = torch.randint(0, 32000, (2, 64), generator=torch.Generator().manual_seed(0))
    return {"input_ids": ids} if gpt2 else ids


def forward_backward(model: nn.Module, x: object) -> None:
    model.zero_grad(set_to_none=True)
    out = model(**x) if isinstance(x, dict) else model(x)
    (out.logits if hasattr(out, "logits") else out).float().sum().backward()


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def worker(args: argparse.Namespace) -> None:
    """One measurement in a fresh process, printed as JSON: peak memory added by one forward+backward
    or one check with inputs ("fb", "probe"), or the medians of both timings ("times")."""
    torch.manual_seed(0)
    model = build(args.gpt2, args.zero_head)
    x = example_inputs(args.gpt2)
    if args.worker == "times":
        t_fb, t_plain, t_probe = interleaved_medians(
            [partial(forward_backward, model, x), partial(check_model_init, model, raise_on_problem=False),
             partial(check_model_init, model, example_inputs=x, raise_on_problem=False)], args.repeat)
        print(json.dumps({"fb": t_fb, "plain": t_plain, "probe": t_probe}))
        return
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    if args.worker == "probe":
        check_model_init(model, raise_on_problem=False)  # imports and lazy set-up, outside the peak
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    base = _kib("VmRSS")
    if args.worker == "fb":
        forward_backward(model, x)
    else:
        check_model_init(model, example_inputs=x, raise_on_problem=False)
    print(json.dumps({"params_mib": params / 2**20, "peak_mib": (_kib("VmHWM") - base) / 1024}))


def _measure(args: argparse.Namespace, what: str, zero_head: bool, src: "str | None" = None) -> dict:
    cmd = [sys.executable, __file__, "--worker", what, "--repeat", str(args.repeat), "--threads", str(args.threads)]
    cmd += ["--gpt2"] * args.gpt2 + ["--zero-head"] * zero_head + (["--baseline-src", src] if src else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def probe(args: argparse.Namespace) -> None:
    print("\nthe probe (the check with inputs minus the check without), against one forward+backward of the "
          "model, 2 x 64 tokens, float32; each measurement in a fresh process")
    for zero_head in (False, True):
        print(f"  {'with a zero head' if zero_head else 'as built'}:")
        for label, src in (("this initlint", None), ("baseline", args.baseline_src)):
            if label == "baseline" and not src:
                continue
            t = _measure(args, "times", zero_head, src)
            fb, mem = _measure(args, "fb", zero_head, src), _measure(args, "probe", zero_head, src)
            probe_t = t["probe"] - t["plain"]
            print(f"    {label:13} forward+backward {t['fb'] * 1e3:7.0f} ms, probe {probe_t * 1e3:7.0f} ms = "
                  f"{probe_t / t['fb']:.2f}x (target <= 3x); peak memory on top: probe "
                  f"{mem['peak_mib'] / mem['params_mib']:.2f}x the parameters (target <= 1x), "
                  f"forward+backward {fb['peak_mib'] / fb['params_mib']:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpt2", action="store_true", help="use transformers' GPT-2 small instead")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    ap.add_argument("--no-sharded", action="store_true", help="skip the 2-rank sharded run")
    ap.add_argument("--no-probe", action="store_true", help="skip the probe's cost")
    ap.add_argument("--only-probe", action="store_true", help="only the probe's cost")
    ap.add_argument("--baseline-src", help="also measure the probe of the initlint in this src/ directory")
    ap.add_argument("--no-jax", action="store_true", help="skip the JAX row (run when jax is installed)")
    ap.add_argument("--sharded-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker", choices=["fb", "probe", "times"], help=argparse.SUPPRESS)
    ap.add_argument("--zero-head", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.sharded_worker:
        sharded_worker(args)
        return
    if args.worker:
        worker(args)
        return
    torch.manual_seed(0)
    n = sum(p.numel() for p in build(args.gpt2).parameters())
    print(f"model: {'GPT-2 small' if args.gpt2 else 'TransformerLike'}, {n / 1e6:.1f}M parameters, "
          f"{torch.get_num_threads()} thread(s)")
    assert n >= 1e8, "the benchmark needs at least 1e8 parameters"
    if not args.only_probe:
        unsharded(args)
    if not args.no_sharded and not args.only_probe:
        sharded(args)
    if not args.no_probe:
        probe(args)
    if not args.no_jax and not args.only_probe and importlib.util.find_spec("jax") is not None:
        from runtime_speed_jax import jax_row  # the same shapes as a Flax params tree

        jax_row(args.repeat, interleaved_medians)


if __name__ == "__main__":
    main()
