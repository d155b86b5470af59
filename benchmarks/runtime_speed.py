"""How fast is ``check_model_init`` without inputs, next to one read of every parameter?

The check is meant to be memory-bandwidth-bound: its cost is compared, in the same process and
on the same model, with ``p.sum()`` over every parameter (one pass over the weights, the floor
for anything that reads them). Target: at most 3x that pass.

    python benchmarks/runtime_speed.py                 # ~108M-parameter transformer-like model
    python benchmarks/runtime_speed.py --gpt2          # transformers GPT-2 small (124M), from config
    python benchmarks/runtime_speed.py --dtype bfloat16 --repeat 9 --threads 1

With jax installed, a JAX row follows (benchmarks/runtime_speed_jax.py: the same shapes as a
Flax params tree, against one ``jnp.sum`` pass over its leaves); ``--no-jax`` skips it.

On a shared machine, compare with ``--threads 1`` as well: when another process holds a core,
every multi-threaded torch op waits for a descheduled thread, which penalises the check (a few
small ops per tensor) far more than ``p.sum()`` (one op per tensor).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

try:
    from initlint import check_model_init
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from initlint import check_model_init


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, 16, batch_first=True)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)


class TransformerLike(nn.Module):
    """Embedding 32000x1024 + 6 blocks (attention, MLP, norms) + an untied 1024->32000 head."""

    def __init__(self, vocab: int = 32000, d: int = 1024, n_blocks: int = 6) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n_blocks))
        self.head = nn.Linear(d, vocab, bias=False)


def build(gpt2: bool) -> nn.Module:
    if gpt2:
        import transformers

        return transformers.GPT2LMHeadModel(transformers.GPT2Config())
    return TransformerLike()


def interleaved_medians(fns: list, repeat: int) -> list:
    """Median wall time of each function, run in turn so that both see the same machine load."""
    for fn in fns:
        fn()  # warm-up: caches, lazy kernels
    times: list = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpt2", action="store_true", help="use transformers' GPT-2 small instead")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--no-jax", action="store_true", help="skip the JAX row (run when jax is installed)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    model = build(args.gpt2).to(getattr(torch, args.dtype))
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
    if not args.no_jax and importlib.util.find_spec("jax") is not None:
        from runtime_speed_jax import jax_row  # the same shapes as a Flax params tree

        jax_row(args.repeat, interleaved_medians)


if __name__ == "__main__":
    main()
