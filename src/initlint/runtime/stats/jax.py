"""Tensor facts for JAX arrays, whole or sharded: the local work of stats.combine on the device
where each block lives. Imported only once ``jax`` is in ``sys.modules``.

A ``jax.Array`` is given to stats.combine as its blocks: one for an array on one device, one
per distinct addressable shard of a sharded one (``NamedSharding`` over several devices;
replicas of a block read once), each with the global index of its first element. All blocks
are local to this process, so combine's communicator is the identity (``combine.LOCAL``): the
partial results of the shards are combined on the host exactly as torch.distributed ranks'
are, and no shard, let alone the whole array, is ever copied to the host: only per-unit
projections, a few scalars, and the slices of candidate duplicate units.

The kernels are jitted, one compilation per shape: the common (healthy) case is one
matrix-vector product per weight at memory bandwidth (see stats.combine for the method). The
views combine asks for (gate blocks split off, a run of rows) are applied inside the kernels,
so they never copy. Small arrays on one device (``HOST_BELOW`` elements) are copied to the
host and read with stats.numpy instead: compiling a kernel for their shape would cost more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from math import prod
from typing import Any, Optional

import jax
import jax.numpy as jnp
import numpy as np

from initlint.runtime.facts import Facts, Layout
from initlint.runtime.stats import combine
from initlint.runtime.stats.numpy import tensor_facts as numpy_facts

#: arrays with at most this many elements (and on one device) are read with numpy on the host
HOST_BELOW = 1 << 16

host_bytes = [0]  # bytes copied to the host so far (tests check that a whole array never is)


def _host(x: Any) -> np.ndarray:
    """Every device-to-host copy of this module goes through here."""
    out = np.asarray(jax.device_get(x))
    host_bytes[0] += out.nbytes
    return out


# -- views: reshapes and slices applied inside the kernels ------------------------------------

@dataclass(frozen=True)
class View:
    """``base`` seen through ``steps`` (("unflatten", axis, sizes) or ("narrow", axis, start,
    length)), which the kernels apply when they read it, so a view costs no copy."""

    base: jax.Array
    steps: tuple
    shape: tuple


def _parts_of(x: Any) -> tuple:
    return (x.base, x.steps) if isinstance(x, View) else (x, ())


def _apply(x: jax.Array, steps: tuple) -> jax.Array:
    for op in steps:
        if op[0] == "unflatten":
            _, ax, sizes = op
            x = x.reshape(x.shape[:ax] + tuple(sizes) + x.shape[ax + 1 :])
        else:
            _, ax, start, length = op
            x = jax.lax.slice_in_dim(x, start, start + length, axis=ax)
    return x


def _acc(dtype: Any) -> Any:
    """The dtype projections are computed in: float64 for float64 arrays, else float32."""
    return jnp.float64 if dtype == jnp.float64 else jnp.float32


# -- jitted kernels ---------------------------------------------------------------------------

@partial(jax.jit, static_argnames=("steps", "ax", "parts"))
def _project(base: jax.Array, r: jax.Array, steps: tuple, ax: int, parts: int) -> jax.Array:
    """(units, parts) dot products of the unit slices' parts with ``r[:F/parts]``."""
    v = _apply(base, steps)
    outer, n, inner = prod(v.shape[:ax]), v.shape[ax], prod(v.shape[ax + 1 :])
    fp = outer * inner // parts
    rp = r[:fp]
    v = v.astype(_acc(v.dtype)).reshape(outer, n, inner)
    if outer == 1:  # units first (Equinox): (n * parts, F/parts), one matrix-vector product
        return jnp.dot(v.reshape(n * parts, fp), rp).reshape(n, parts)
    # Otherwise part k is a run of `outer`: a dot product batched over the parts (XLA's CPU
    # backend runs this at the speed of one matrix-vector product; a stack of per-part products
    # or an einsum without the batch dimension is 7-15x slower).
    op = outer // parts
    if inner == 1:  # units last (Flax, Haiku): (parts, F/parts, n)
        m, r3, contract = v.reshape(parts, op, n), jnp.broadcast_to(rp, (parts, op)), ((1,), (1,))
    else:  # units in the middle (gate blocks, transposed convolutions)
        m, contract = v.reshape(parts, op, n, inner), ((1, 3), (1, 2))
        r3 = jnp.broadcast_to(rp.reshape(1, op, inner), (parts, op, inner))
    return jax.lax.dot_general(m, r3, (contract, ((0,), (0,)))).T


@partial(jax.jit, static_argnames=("steps", "ax"))
def _sq_norms(base: jax.Array, steps: tuple, ax: int) -> jax.Array:
    v = _apply(base, steps).astype(jnp.float32)
    return jnp.sum(v * v, axis=tuple(d for d in range(v.ndim) if d != ax))


@partial(jax.jit, static_argnames=("steps", "ax"))
def _rows(base: jax.Array, idx: jax.Array, steps: tuple, ax: int) -> jax.Array:
    picked = jnp.take(_apply(base, steps), idx, axis=ax)  # gather first: only the few slices move
    return jnp.moveaxis(picked, ax, 0).reshape(idx.shape[0], -1)


@jax.jit
def _aminmax(x: jax.Array) -> tuple:
    return jnp.min(x), jnp.max(x)


@jax.jit
def _count_nonfinite(x: jax.Array) -> tuple:
    return jnp.isnan(x).sum(), jnp.isinf(x).sum()


@jax.jit
def _count_absurd(x: jax.Array) -> jax.Array:
    a = jnp.abs(x.astype(jnp.float32))
    return (((a < combine.TINY) & (a > 0)) | ((a > combine.HUGE) & jnp.isfinite(a))).sum()


# -- combine.Kernel on JAX arrays -------------------------------------------------------------

class JaxKernel:
    """stats.combine's Kernel on JAX arrays and their views; the whole random vectors are kept
    on each device they are used on, so repeated checks of one model move no vectors."""

    def __init__(self) -> None:
        self._vectors: dict = {}

    def shape(self, x: Any) -> tuple:
        return tuple(int(s) for s in x.shape)

    def narrow(self, x: Any, axis: int, start: int, length: int) -> View:
        base, steps = _parts_of(x)
        shape = self.shape(x)
        return View(base, steps + (("narrow", axis, start, length),), shape[:axis] + (length,) + shape[axis + 1 :])

    def unflatten(self, x: Any, axis: int, sizes: tuple) -> View:
        base, steps = _parts_of(x)
        shape = self.shape(x)
        return View(base, steps + (("unflatten", axis, tuple(sizes)),), shape[:axis] + tuple(sizes) + shape[axis + 1 :])

    def vector(self, r: np.ndarray, like: Any, key: Optional[tuple] = None) -> jax.Array:
        base, _ = _parts_of(like)
        device = next(iter(base.devices()))
        dtype = np.float64 if base.dtype == jnp.float64 else np.float32
        k = (key, device, dtype) if key is not None else None
        v = self._vectors.get(k) if k else None
        if v is None:
            v = jax.device_put(np.asarray(r, dtype=dtype), device)
            if k:
                self._vectors[k] = v
        return v

    def project(self, v: Any, ax: int, r: jax.Array, parts: int, numel: Optional[int] = None) -> np.ndarray:
        """(units, parts) projections (every slice read whole: ``numel`` is not needed)."""
        base, steps = _parts_of(v)
        return _host(_project(base, r, steps=steps, ax=ax, parts=parts)).astype(np.float64)

    def aminmax(self, x: Any) -> tuple:
        lo, hi = _host(_aminmax(x)).astype(np.float64)
        return float(lo), float(hi)

    def count_nonfinite(self, x: Any) -> tuple:
        nan, inf = _host(_count_nonfinite(x))
        return int(nan), int(inf)

    def count_absurd(self, x: Any) -> int:
        return int(_host(_count_absurd(x)))

    def sq_norms(self, v: Any, ax: int) -> np.ndarray:
        base, steps = _parts_of(v)
        return _host(_sq_norms(base, steps=steps, ax=ax)).astype(np.float64)

    def rows(self, v: Any, ax: int, idx: np.ndarray) -> np.ndarray:
        base, steps = _parts_of(v)
        k = len(idx)
        padded = np.zeros(1 << max(0, int(k - 1).bit_length()), np.int32)  # few shapes, few compilations
        padded[:k] = idx
        device = next(iter(base.devices()))
        out = _host(_rows(base, jax.device_put(padded, device), steps=steps, ax=ax))[:k]
        return out.astype(np.float64)


_KERNEL = JaxKernel()


# -- arrays as blocks -------------------------------------------------------------------------

def is_sharded(a: Any) -> bool:
    """A jax.Array split over several devices (not merely replicated)."""
    sharding = getattr(a, "sharding", None)
    return sharding is not None and len(sharding.device_set) > 1 and not sharding.is_fully_replicated


def blocks(a: jax.Array) -> list:
    """The blocks of ``a`` to read, each once: the array itself on one device, else one per
    distinct addressable shard (replicas skipped), with the index of its first element."""
    if not is_sharded(a):
        shards = getattr(a, "addressable_shards", None)
        data = shards[0].data if shards and len(shards) > 1 else a  # replicated: read one copy
        return [combine.Block(data, (0,) * a.ndim)]
    return [
        combine.Block(shard.data, tuple(s.indices(int(d))[0] for s, d in zip(shard.index, a.shape)), shard.device.id)
        for shard in a.addressable_shards
        if shard.replica_id == 0
    ]


def array_facts(arrays: list, host_below: int = HOST_BELOW) -> list:
    """Facts for many ``(name, array, layout, want_constant)``, or a reason (str) why one
    could not be checked (a multi-host array whose shards are not all here)."""
    out: list = [None] * len(arrays)
    items, where = [], []
    for k, (name, a, layout, want) in enumerate(arrays):
        if not is_sharded(a) and a.size <= host_below:
            out[k] = numpy_facts(_host(a), layout, want)
        elif not getattr(a, "is_fully_addressable", True):
            out[k] = "its shards are spread over several processes (multi-host): check it on each host's shards"
        else:
            items.append(combine.Item(name, tuple(int(s) for s in a.shape), layout, want, blocks(a)))
            where.append(k)
    for k, result in zip(where, combine.facts(items, _KERNEL, combine.LOCAL)):
        out[k] = result
    return out


def tensor_facts(a: jax.Array, layout: Optional[Layout], want_constant: bool) -> Facts:
    """Facts of one array (the device path, whatever its size)."""
    (result,) = array_facts([("", a, layout, want_constant)], host_below=0)
    if isinstance(result, str):
        raise RuntimeError(f"check_model_init could not read an array of shape {a.shape}: {result}")
    return result
