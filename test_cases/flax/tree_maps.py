"""``jax.tree_util.tree_map(jnp.zeros_like, tree)`` zeroes every leaf of a tree: every
parameter when the tree is the model's (named so, or what ``init`` returned), and harmless
state otherwise (metrics reset at an episode's start, accumulated updates, perturbations that
capture an intermediate's gradient, dummy inputs for tracing)."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        return nn.Dense(2)(nn.relu(nn.Dense(16)(x)))


def fresh_start(rng, x):
    model = MLP()
    variables = model.init(rng, x)
    variables = jax.tree_util.tree_map(jnp.zeros_like, variables)  # expect: INI003
    return model, variables


def reset_from_init(rng, x):
    state = MLP().init(rng, x)
    return jax.tree.map(jnp.zeros_like, state)  # expect: INI003


def reset_metrics(metrics):
    return jax.tree_util.tree_map(jnp.zeros_like, metrics)


def accumulate(grads, accumulated):
    updates = jax.tree.map(jnp.zeros_like, grads)
    return updates, jax.tree.map(jnp.add, accumulated, grads)


def trace_shapes(model, specs, rng):
    dummy = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), specs)
    return model.init(rng, dummy)
