"""How fast is ``check_model_init``, next to what the model costs anyway?

Without inputs the check is meant to be memory-bandwidth-bound: its cost is compared, in the
same process and on the same model, with ``p.sum()`` over every parameter (one pass over the
weights, the floor for anything that reads them). Target: at most 3x that pass.

With inputs, the probe is compared with one training step of the model itself: one forward and
backward (``model(x).sum().backward()``) on the same inputs. Targets: the probe (the check with
inputs minus the check without) at most 3x that time, and at most 1x the parameter memory on top
of the model (peak resident memory, measured in a fresh process per measurement). Two cases: the
model as built (nothing suspicious: one step), and with a zero head (a deliberate zero init the
probe follows: two steps). ``--baseline-src DIR`` measures another initlint in the same run (for
example the previous release) as the peer.

    python benchmarks/runtime_speed.py                 # ~108M-parameter transformer-like model
    python benchmarks/runtime_speed.py --gpt2          # transformers GPT-2 small (124M), from config
    python benchmarks/runtime_speed.py --dtype bfloat16 --repeat 9 --threads 1
    python benchmarks/runtime_speed.py --no-probe      # only the check without inputs

On a shared machine, compare with ``--threads 1`` as well: when another process holds a core,
every multi-threaded torch op waits for a descheduled thread, which penalises the check (a few
small ops per tensor) far more than ``p.sum()`` (one op per tensor).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn

SRC = Path(__file__).resolve().parents[1] / "src"
if "--baseline-src" in sys.argv[:-1] and "--worker" in sys.argv:  # a worker measuring another initlint
    sys.path.insert(0, sys.argv[sys.argv.index("--baseline-src") + 1])
try:
    from initlint import check_model_init
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(SRC))
    from initlint import check_model_init


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, 16, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))


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


def build(gpt2: bool, dtype: str, zero_head: bool = False) -> nn.Module:
    torch.manual_seed(0)
    if gpt2:
        import transformers

        model = transformers.GPT2LMHeadModel(transformers.GPT2Config())
        head = model.lm_head.weight
        if zero_head:  # GPT-2 ties its head to the token embedding: untie it first
            model.lm_head.weight = nn.Parameter(head.detach().clone())
    else:
        model = TransformerLike()
    if zero_head:
        nn.init.zeros_(model.lm_head.weight if gpt2 else model.head.weight)
    return model.to(getattr(torch, dtype))


def example_inputs(gpt2: bool) -> object:
    ids = torch.randint(0, 32000, (2, 64), generator=torch.Generator().manual_seed(0))
    return {"input_ids": ids} if gpt2 else ids


def forward_backward(model: nn.Module, x: object) -> None:
    model.zero_grad(set_to_none=True)
    out = model(**x) if isinstance(x, dict) else model(x)
    out = out.logits if hasattr(out, "logits") else out
    out.float().sum().backward()


def interleaved_medians(fns: list, repeat: int) -> list:
    """Median wall time of each function, run in turn so that all see the same machine load."""
    for fn in fns:
        fn()  # warm-up: caches, lazy kernels
    times: list = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


# -- memory: one measurement per fresh process -------------------------------------------------

def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def memory_worker(args: argparse.Namespace) -> None:
    """Peak resident memory added by one action, over the parameter bytes: printed as JSON."""
    if args.threads:
        torch.set_num_threads(args.threads)
    model = build(args.gpt2, args.dtype, args.zero_head)
    x = example_inputs(args.gpt2)
    params = sum(p.numel() * p.element_size() for p in model.parameters())
    if args.worker == "probe":
        check_model_init(model, raise_on_problem=False)  # imports and lazy set-up, outside the peak
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current size
    base = _rss_kib("VmRSS")
    if args.worker == "fb":
        forward_backward(model, x)
    else:
        check_model_init(model, example_inputs=x, raise_on_problem=False)
    peak = _rss_kib("VmHWM")
    print(json.dumps({"params_mib": params / 2**20, "peak_mib": (peak - base) / 1024}))


def measure_memory(args: argparse.Namespace, what: str, src: "str | None" = None) -> dict:
    cmd = [sys.executable, __file__, "--worker", what, "--dtype", args.dtype, "--threads", str(args.threads)]
    cmd += ["--gpt2"] * args.gpt2 + ["--zero-head"] * args.zero_head + (["--baseline-src", src] if src else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _baseline_times(args: argparse.Namespace) -> "tuple[float, float]":
    cmd = [sys.executable, __file__, "--worker", "times", "--dtype", args.dtype, "--threads", str(args.threads),
           "--repeat", str(args.repeat), "--baseline-src", args.baseline_src]
    cmd += ["--gpt2"] * args.gpt2 + ["--zero-head"] * args.zero_head
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["fb"], data["probe"]


def times_worker(args: argparse.Namespace) -> None:
    """(one forward+backward, the probe alone) for the initlint on sys.path: printed as JSON."""
    if args.threads:
        torch.set_num_threads(args.threads)
    model = build(args.gpt2, args.dtype, args.zero_head)
    x = example_inputs(args.gpt2)
    t_fb, t_plain, t_probe = interleaved_medians(
        [lambda: forward_backward(model, x), lambda: check_model_init(model, raise_on_problem=False),
         lambda: check_model_init(model, example_inputs=x, raise_on_problem=False)], args.repeat)
    print(json.dumps({"fb": t_fb, "probe": t_probe - t_plain}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpt2", action="store_true", help="use transformers' GPT-2 small instead")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--no-probe", action="store_true", help="only the check without inputs")
    ap.add_argument("--baseline-src", help="also measure the probe of the initlint in this src/ directory")
    ap.add_argument("--zero-head", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker", choices=["fb", "probe", "times"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker == "times":
        times_worker(args)
        return
    if args.worker:
        memory_worker(args)
        return
    if args.threads:
        torch.set_num_threads(args.threads)

    model = build(args.gpt2, args.dtype)
    params = list(model.parameters())
    n = sum(p.numel() for p in params)
    size = sum(p.numel() * p.element_size() for p in params)
    print(f"model: {type(model).__name__}, {n / 1e6:.1f}M parameters, {size / 2**20:.0f} MiB, {args.dtype}, "
          f"{torch.get_num_threads()} threads")
    assert n >= 1e8, "the benchmark needs at least 1e8 parameters"

    def one_pass() -> None:
        with torch.no_grad():
            for p in params:
                p.sum()

    def check() -> None:
        check_model_init(model)

    t_sum, t_check = interleaved_medians([one_pass, check], args.repeat)
    print(f"p.sum() over all parameters: median {t_sum * 1e3:8.1f} ms  ({size / t_sum / 1e9:.1f} GB/s)")
    print(f"check_model_init (no inputs): median {t_check * 1e3:8.1f} ms  ({size / t_check / 1e9:.1f} GB/s)")
    print(f"ratio check / sum: {t_check / t_sum:.2f}x  (target <= 3x)")
    if args.no_probe:
        return

    print("\nthe probe, against one forward+backward of the model (inputs: 2 x 64 tokens):")
    for zero_head in (False, True):
        args.zero_head = zero_head
        label = "with a zero head" if zero_head else "as built"
        model = build(args.gpt2, args.dtype, zero_head)
        x = example_inputs(args.gpt2)
        t_fb, t_plain, t_probe = interleaved_medians(
            [lambda: forward_backward(model, x), lambda: check_model_init(model, raise_on_problem=False),
             lambda: check_model_init(model, example_inputs=x, raise_on_problem=False)], args.repeat)
        mem_fb, mem_probe = measure_memory(args, "fb"), measure_memory(args, "probe")
        probe = t_probe - t_plain
        print(f"  {label}: forward+backward {t_fb * 1e3:7.1f} ms; check with inputs {t_probe * 1e3:7.1f} ms, "
              f"without {t_plain * 1e3:6.1f} ms")
        print(f"    probe / forward+backward: {probe / t_fb:.2f}x (target <= 3x); whole check with inputs: "
              f"{t_probe / t_fb:.2f}x")
        print(f"    peak memory on top of the model: probe {mem_probe['peak_mib']:.0f} MiB = "
              f"{mem_probe['peak_mib'] / mem_probe['params_mib']:.2f}x the parameters (target <= 1x); "
              f"forward+backward {mem_fb['peak_mib']:.0f} MiB = {mem_fb['peak_mib'] / mem_fb['params_mib']:.2f}x")
        if args.baseline_src:
            b_fb, b_probe = _baseline_times(args)
            b_mem = measure_memory(args, "probe", args.baseline_src)
            print(f"    baseline ({args.baseline_src}): probe / forward+backward {b_probe / b_fb:.2f}x, peak memory "
                  f"{b_mem['peak_mib'] / b_mem['params_mib']:.2f}x the parameters")


if __name__ == "__main__":
    main()
