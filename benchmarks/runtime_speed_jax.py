"""The JAX row of runtime_speed.py: ``check_model_init`` without inputs on a JAX parameter tree,
next to one ``jnp.sum`` pass over the same leaves, in the same process.

The tree is the transformer-like model of runtime_speed.py written as Flax linen ``params``
(embedding 32000x1024, 6 blocks of attention and MLP kernels with their biases and LayerNorms,
an untied 1024->32000 head): 141M float32 parameters. Both sides are warmed up first (XLA
compiles each kernel once per shape), then timed in turn.

    python benchmarks/runtime_speed_jax.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

import jax
import jax.numpy as jnp

try:
    from initlint import check_model_init
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from initlint import check_model_init


def transformer_like(vocab: int = 32000, d: int = 1024, n_blocks: int = 6) -> dict:
    """Flax-style params of the same shapes as runtime_speed.TransformerLike, random normal."""
    shapes = {"emb": {"embedding": (vocab, d)}, "head": {"kernel": (d, vocab)}}
    for i in range(n_blocks):
        shapes[f"block_{i}"] = {
            "ln1": {"scale": (d,), "bias": (d,)},
            "ln2": {"scale": (d,), "bias": (d,)},
            "attn": {"qkv": {"kernel": (d, 3 * d), "bias": (3 * d,)}, "out": {"kernel": (d, d), "bias": (d,)}},
            "fc1": {"kernel": (d, 4 * d), "bias": (4 * d,)},
            "fc2": {"kernel": (4 * d, d), "bias": (d,)},
        }
    leaves, treedef = jax.tree_util.tree_flatten(shapes, is_leaf=lambda s: isinstance(s, tuple))
    keys = jax.random.split(jax.random.key(0), len(leaves))
    values = [0.02 * jax.random.normal(k, s, jnp.float32) for k, s in zip(keys, leaves)]
    return {"params": jax.tree_util.tree_unflatten(treedef, values)}


def jax_row(repeat: int, medians: Callable) -> float:
    """Print the JAX lines and return the ratio check / sum (``medians``: runtime_speed's
    interleaved_medians, so that both rows are timed alike)."""
    variables = transformer_like()
    leaves = jax.tree_util.tree_leaves(variables)
    n = sum(x.size for x in leaves)
    size = sum(x.nbytes for x in leaves)
    jax.block_until_ready(leaves)
    print(f"JAX {jax.__version__} ({jax.default_backend()}, {jax.device_count()} devices): "
          f"{n / 1e6:.1f}M parameters, {size / 2**20:.0f} MiB, float32")

    def one_pass() -> None:
        jax.block_until_ready([jnp.sum(x) for x in leaves])

    def check() -> None:
        check_model_init(variables)

    t_sum, t_check = medians([one_pass, check], repeat)
    print(f"JAX jnp.sum over all leaves:  median {t_sum * 1e3:8.1f} ms  ({size / t_sum / 1e9:.1f} GB/s)")
    print(f"JAX check_model_init (no inputs): median {t_check * 1e3:8.1f} ms  ({size / t_check / 1e9:.1f} GB/s)")
    print(f"JAX ratio check / sum: {t_check / t_sum:.2f}x  (target <= 3x)")
    return t_check / t_sum


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from runtime_speed import interleaved_medians

    jax_row(ap.parse_args().repeat, interleaved_medians)
