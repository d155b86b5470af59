"""The probe for JAX (Flax, Haiku, Equinox, Keras on the JAX backend): the method of probe.py.

A few steps of SGD on new arrays (JAX arrays are immutable: the model's own are never
touched), with loss = sum over every floating output of ``output * P``, ``P`` fixed random
(a private numpy generator), each step normalised per tensor (largest update 1% of its largest
value, 1e-4 for a zero tensor). One ``jax.jit`` compilation serves every step: it returns the
new values, and per tensor its largest gradient and, per unit, whether any of its gradient is
non-zero, so only ``n_units`` numbers per tensor come back to the host (plus the gradient rows
of units that started identical, to see whether they still get identical gradients).

JAX gives every input a gradient, zero when unused; "used by the forward" (torch: a gradient
that is not None) is read from the traced program instead: an input no live equation reads,
or reads only through ``stop_gradient``, is unused.
"""

from __future__ import annotations

from functools import partial
from math import prod
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend.core import Literal

from initlint.runtime.facts import ProbeInfo
from initlint.runtime.report import ProbeError

_SEED = 0x1517  # the probe constants of probe.py
_REL_STEP = 1e-2
_ZERO_STEP = 1e-4
# primitives through which no gradient flows: an input read only by them is unused
_NO_GRADIENT = frozenset({"stop_gradient"})
# call-like primitives whose inner program maps its inputs and outputs one to one (followed
# inside); loops and conditionals are not (their carries feed back): all their inputs count
_CALLS = frozenset({"jit", "pjit", "closed_call", "core_call", "remat", "remat2", "checkpoint"})
# The probe runs its step 3 times: on CPU, XLA's compilation (seconds for a transformer block)
# costs far more than the unoptimised code loses; -O0 compiles ~40% faster.
_CPU_COMPILER_OPTIONS = {"xla_backend_optimization_level": 0}
_HOST_SUMMARY = 1 << 22  # elements: below this the starting values are summarised with numpy


def _live_inputs(jaxpr: Any, live_out: list) -> list:
    """For each input of ``jaxpr``, whether an output in ``live_out`` depends on it (through
    anything but ``stop_gradient``); the programs of calls (jit, remat) are followed inside."""
    live = {id(v) for v, keep in zip(jaxpr.outvars, live_out) if keep and not isinstance(v, Literal)}
    for eqn in reversed(jaxpr.eqns):
        outs = [id(v) in live for v in eqn.outvars]
        if not any(outs) and not eqn.effects:
            continue
        if eqn.primitive.name in _NO_GRADIENT:
            continue
        inner = getattr(eqn.params.get("jaxpr"), "jaxpr", eqn.params.get("jaxpr"))
        if eqn.primitive.name in _CALLS and len(getattr(inner, "invars", ())) == len(eqn.invars):
            uses = _live_inputs(inner, outs)
        else:
            uses = [True] * len(eqn.invars)
        for v, use in zip(eqn.invars, uses):
            if use and not isinstance(v, Literal):
                live.add(id(v))
    return [id(v) in live for v in jaxpr.invars]


def _floating_leaves(out: Any) -> list:
    return [x for x in jax.tree_util.tree_leaves(out) if hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.floating)]


def _geometry(shape: tuple, axis: int) -> tuple[int, int, int]:
    return prod(shape[:axis]), int(shape[axis]), prod(shape[axis + 1 :])


def _unit_absmax(x: Any, layout: Any, xp: Any = jnp) -> Any:
    """Per unit (gate blocks folded), the largest |value| of its slice (``xp``: jnp, traced, or np)."""
    outer, rows, inner = _geometry(tuple(x.shape), layout.axis)
    m = xp.abs(x.reshape(outer, rows, inner).astype(xp.float32)).max(axis=(0, 2))
    return m.reshape(layout.gates, rows // layout.gates).max(0)


def _grad_tol(dtype: Any) -> float:
    """Relative tolerance under which two gradient rows count as identical (rounding noise)."""
    return max(1e-4, 8 * float(jnp.finfo(dtype).eps))


def _member_rows(x: jax.Array, layout: Any, members: tuple) -> jax.Array:
    """The slices of units ``members`` (a static tuple), (len(members), slice size) (traced)."""
    outer, rows, inner = _geometry(tuple(x.shape), layout.axis)
    v = x.reshape(outer, layout.gates, rows // layout.gates, inner)
    picked = jnp.take(v, jnp.asarray(members, dtype=jnp.int32), axis=2)  # (outer, gates, k, inner)
    return jnp.moveaxis(picked, 2, 0).reshape(len(members), -1).astype(jnp.float32)


def _split(rows: np.ndarray, group: list, tol: float) -> list:
    """Split one group of unit indices into sub-groups whose gradient rows agree."""
    out = []
    remaining = np.arange(len(group))
    while remaining.size >= 2:
        r = rows[remaining]
        rep = r[0:1]
        diff = np.abs(r - rep).max(1)
        mag = np.maximum(np.abs(r).max(1), np.abs(rep).max())
        same = diff <= tol * mag
        if int(same.sum()) >= 2:
            out.append([group[k] for k in remaining[same]])
        remaining = remaining[~same]
    return out


def _trace(forward: Callable, values: list) -> tuple[list, list]:
    """(the floating outputs' shapes, whether each value is used by the forward), from one trace."""
    try:
        closed, out_shape = jax.make_jaxpr(forward, return_shape=True)(values)
    except ProbeError:
        raise
    except Exception as exc:  # tracing failed outside the user's forward
        raise ProbeError(f"check_model_init: the probe could not trace the model: {type(exc).__name__}: {exc}") from exc
    outs = _floating_leaves(out_shape)
    if not outs:
        raise ProbeError(
            "check_model_init: the probe found no floating-point array in the model's output, "
            "so it cannot compute a loss; call check_model_init without example_inputs="
        )
    used = _live_inputs(closed.jaxpr, [True] * len(closed.jaxpr.outvars))
    return outs, used[: len(values)]  # the first inputs are the values, one array each


def _summary(values: list, layouts: list, jit: Callable) -> tuple[list, list]:
    """Each value's largest |value| and, per unit, the largest |value| of its slice."""
    if sum(v.size for v in values) <= _HOST_SUMMARY and all(len(v.devices()) == 1 for v in values):
        host = [np.asarray(v, dtype=np.float32) for v in values]  # small: cheaper than compiling
        tops = [float(np.abs(h).max()) if h.size else 0.0 for h in host]
        return tops, [_unit_absmax(h, lay, np) if lay is not None else None for h, lay in zip(host, layouts)]
    return jax.device_get(jit(lambda vals: (
        [jnp.abs(v).max().astype(jnp.float32) if v.size else jnp.float32(0) for v in vals],
        [_unit_absmax(v, lay) if lay is not None else None for v, lay in zip(vals, layouts)]))(values))


def _start(e: Any, layout: Any, unit_max: Any) -> dict:
    """What the probe tracks for one tensor: its structurally zero units, the units seen alive,
    and the groups of identical units still receiving identical gradients."""
    zero = alive = None
    whole_only = False
    groups: list = []
    if layout is not None:
        zero = np.asarray(unit_max) == 0
        if e.bias is not None:  # a zero unit with a bias > 0 is active: not dead
            zero &= np.asarray(e.bias) <= 0
        else:  # no bias: zero units count as dead only if the whole layer is
            zero = zero if zero.all() else np.zeros_like(zero)
            whole_only = True
        alive = np.zeros_like(zero)
        if layout.compare and e.facts is not None:
            if e.facts.constant is not None and zero.size >= 2:
                groups = [list(range(zero.size))]
            else:
                groups = [list(g) for g in e.facts.groups]
    return {"zero": zero, "whole_only": whole_only, "alive": alive, "groups": groups,
            "start": sorted(sorted(g) for g in groups), "members": tuple(sorted({u for g in groups for u in g}))}


def run_probe(entries: list, values: list, forward: Callable[[list], Any], steps: int) -> list:
    """Run ``steps`` probe steps from ``values`` (one per entry); set ``entry.probe``; return notes."""
    outs, used = _trace(forward, values)
    rng = np.random.default_rng(_SEED)
    projections = [jnp.asarray(rng.standard_normal(tuple(o.shape), dtype=np.float32)) for o in outs]
    layouts = [e.layout if e.layout is not None and v.size else None for e, v in zip(entries, values)]
    on_cpu = all(d.platform == "cpu" for v in values for d in v.devices())
    jit = partial(jax.jit, compiler_options=_CPU_COMPILER_OPTIONS if on_cpu else None)
    tops, unit_max = _summary(values, layouts, jit)
    sizes = [_REL_STEP * float(t) if t > 0 else _ZERO_STEP for t in tops]
    state = [_start(e, lay, umax) for e, lay, umax in zip(entries, layouts, unit_max)]
    for e in entries:
        e.probe = ProbeInfo(steps=steps)

    def loss(vals: list) -> jax.Array:
        leaves = _floating_leaves(forward(vals))
        return sum(jnp.sum(leaf.astype(jnp.float32) * p) for leaf, p in zip(leaves, projections))

    @jit
    def step(vals: list) -> tuple:
        """One SGD step: the loss, the new values, and per tensor the few numbers the host reads."""
        value, grads = jax.value_and_grad(loss)(vals)
        tops, units, rows, new = [], [], [], []
        for v, g, size, lay, st in zip(vals, grads, sizes, layouts, state):
            top = jnp.abs(g).max().astype(jnp.float32) if g.size else jnp.float32(0)
            ok = (top > 0) & jnp.isfinite(top)
            new.append(jnp.where(ok, v - g * (size / jnp.where(ok, top, 1.0)).astype(g.dtype), v))
            tops.append(top)
            units.append(_unit_absmax(g, lay) if lay is not None else None)
            rows.append(_member_rows(g, lay, st["members"]) if st["members"] else None)
        return value, new, (tops, units, rows)

    notes = []
    done = 0
    vals = list(values)
    for k in range(steps):
        try:
            value, new, small = step(vals)
            tops, units, rows = jax.device_get(small)
        except ProbeError:
            raise
        except Exception as exc:
            raise ProbeError(f"check_model_init: the probe's gradient step failed: {type(exc).__name__}: {exc}") from exc
        if not np.isfinite(float(value)):
            notes.append(f"the probe's loss became non-finite at step {k + 1}; later steps were skipped")
            break
        done += 1
        for e, v, top, unit, grad_rows, st, use in zip(entries, vals, tops, units, rows, state, used):
            if use:
                _observe(e.probe, st, float(top), unit, grad_rows, _grad_tol(v.dtype))
        vals = new
    if done == 0:
        for e in entries:
            e.probe = None
        notes.append("the probe was inconclusive (non-finite loss at the first step); only the checks without inputs apply")
        return notes
    for e, st in zip(entries, state):
        _conclude(e, st, done)
    return notes


def _observe(info: ProbeInfo, st: dict, top: float, unit: Any, grad_rows: Any, tol: float) -> None:
    """Record one step's gradient of one used tensor."""
    info.used = True
    if top == 0 or top != top or top == float("inf"):
        return
    info.any_grad = True
    if st["alive"] is not None:
        st["alive"] |= np.asarray(unit) > 0
        if st["groups"]:
            at = {u: k for k, u in enumerate(st["members"])}
            st["groups"] = [sub for grp in st["groups"] for sub in _split(grad_rows[[at[u] for u in grp]], grp, tol)]


def _conclude(e: Any, st: dict, done: int) -> None:
    info = e.probe
    info.steps = done
    if not info.used:
        return
    info.whole_dead = not info.any_grad
    if st["alive"] is not None:
        # Structurally dead, as in probe.py: zero incoming weights and a bias <= 0, or every
        # unit of a zero layer without bias; a random unit merely inactive on this batch, or
        # fed a zero input, is not dead.
        dead = ~st["alive"] & st["zero"]
        if st["whole_only"] and st["alive"].any():
            dead = np.zeros_like(dead)
        info.dead_units = np.flatnonzero(dead).tolist()
    elif info.whole_dead and e.facts is not None and e.facts.constant == 0:
        info.dead_units = [0]  # no unit axis known: the whole tensor is one dead unit
    info.persistent = sorted(sorted(g) for g in st["groups"])
    info.separated = info.persistent != st["start"]
