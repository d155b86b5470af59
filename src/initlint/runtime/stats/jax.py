"""Tensor facts for JAX arrays, computed where each array (or each of its shards) lives.

The same answers as stats.torch, by the same method: one pass over a weight projects each unit
slice onto a fixed random vector (a jitted matrix-vector product, read at memory bandwidth), and
those ``n_units`` numbers show NaN/Inf, a constant tensor and candidate duplicate units at once.
Only when they ask for it is more read: exact min/max for a constant candidate, NaN/Inf counts,
and, for candidate duplicate units, two more projections of their slices on the device, then
the slices of the few that still agree, fetched to the host and compared exactly.

Small arrays (``HOST_BELOW`` elements) on one device are copied to the host and read with
stats.numpy instead: compiling a kernel for their shape would cost more than reading them.

Every array is handled as a list of *pieces*, ``(data, index)`` pairs: a single-device block and
its slices in the whole array. An ordinary array is one piece; a sharded ``jax.Array``
(``NamedSharding`` over several devices) is its ``addressable_shards``, replicas counted once.
The projection is linear, so a piece contributes the partial dot products of the rows it holds
(on the unit axis: whole rows; on another axis: partial sums), combined on the host; min/max and
NaN/Inf counts combine the obvious way. A whole sharded array is never gathered.

Projection vectors come from a private numpy generator seeded per (shape, which), so the check
is deterministic and never touches JAX's or numpy's global RNG. The work for all tensors is
dispatched before any result is read, so the device never waits for the host in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from math import prod
from typing import Any, Optional

import jax
import jax.numpy as jnp
import numpy as np

from initlint.runtime.facts import Facts, Layout

# The constants of stats.torch (kept equal: the two back ends must agree on every verdict).
CANDIDATE_TOL = 2e-6  # units whose projections are closer than this * max|p| are candidates
_SEED = 0x1517
_SIGMA = 1.04  # rms of the projection vectors' entries: |w . r| ~ _SIGMA * ||w||
_FEW_UNITS = 64  # below this, max|p| is a poor noise scale: measure the slices' norms
_STRIDED_READ = 16  # float32s per cache line: gathering one column of a matrix reads this many per row


# -- reading results on the host: every device-to-host copy goes through _host -----------------

host_bytes = [0]  # bytes copied to the host so far (tests check that a whole array never is)


def _host(x: Any) -> np.ndarray:
    out = np.asarray(jax.device_get(x))
    host_bytes[0] += out.nbytes
    return out


# -- pieces ----------------------------------------------------------------------------------

Piece = tuple  # (single-device jax.Array, tuple of slices into the whole array)


def pieces(a: Any) -> list:
    """The blocks of ``a`` to read, each once: one for an ordinary array, one per distinct
    addressable shard for a sharded one (replicas of the same block are read once)."""
    full = tuple(slice(0, int(s)) for s in a.shape)
    shards = getattr(a, "addressable_shards", None)
    if not shards or len(shards) == 1 or a.sharding.is_fully_replicated:
        data = shards[0].data if shards and len(shards) > 1 else a
        return [(data, full)]
    out, seen = [], set()
    for shard in shards:
        index = tuple(_norm_slice(s, int(d)) for s, d in zip(shard.index, a.shape))
        key = tuple((s.start, s.stop) for s in index)
        if key not in seen:
            seen.add(key)
            out.append((shard.data, index))
    return out


def is_sharded(a: Any) -> bool:
    """A jax.Array split over several devices (not merely replicated)."""
    sharding = getattr(a, "sharding", None)
    return sharding is not None and len(sharding.device_set) > 1 and not sharding.is_fully_replicated


def _norm_slice(s: slice, dim: int) -> slice:
    start, stop, _ = s.indices(dim)
    return slice(start, stop)


# -- jitted kernels (one compilation per shape and dtype) -------------------------------------

def _f32(v: jax.Array) -> jax.Array:
    return v if v.dtype == jnp.float32 else v.astype(jnp.float32)


@jax.jit
def _minmax(a: jax.Array) -> tuple:
    return jnp.min(a), jnp.max(a)


@jax.jit
def _count_nonfinite(a: jax.Array) -> tuple:
    return jnp.isnan(a).sum(), jnp.isinf(a).sum()


@partial(jax.jit, static_argnames=("outer", "rows", "inner"))
def _row_projection(a: jax.Array, r: jax.Array, outer: int, rows: int, inner: int) -> jax.Array:
    """float32 dot products of the ``rows`` slices of ``a`` (read as (outer, rows, inner)) with ``r``."""
    v = a.reshape(outer, rows, inner)
    if inner == 1:  # units last (Flax/Haiku kernels): one transposed matrix-vector product
        return jnp.dot(r.reshape(outer), _f32(v.reshape(outer, rows)))
    if outer == 1:  # units first (Equinox): one matrix-vector product
        return jnp.dot(_f32(v.reshape(rows, inner)), r.reshape(inner))
    return jnp.einsum("oni,oi->n", _f32(v), r)


@partial(jax.jit, static_argnames=("outer", "rows", "inner"))
def _gated_row_projection(a: jax.Array, rho: jax.Array, gate: jax.Array, outer: int, rows: int, inner: int) -> jax.Array:
    """As _row_projection, with each row projected on the vector of its gate block."""
    v = a.reshape(outer, rows, inner)
    return jnp.einsum("oni,oni->n", _f32(v), jnp.take(rho, gate, axis=1))


@partial(jax.jit, static_argnames=("outer", "rows", "inner"))
def _selected_rows(a: jax.Array, take: jax.Array, rho: jax.Array, gate: jax.Array, outer: int, rows: int, inner: int) -> tuple:
    """For the rows ``take`` of ``a`` (read as (outer, rows, inner)): their dot products with the
    two vectors ``rho`` (2, outer, gates, inner) of their gate block, and their sums of squares."""
    v = _f32(jnp.take(a.reshape(outer, rows, inner), take, axis=1))  # (outer, k, inner)
    q = jnp.einsum("oki,zoki->zk", v, jnp.take(rho, gate, axis=2))
    return q, jnp.sum(v * v, axis=(0, 2))


@partial(jax.jit, static_argnames=("outer", "rows", "inner"))
def _row_sumsq(a: jax.Array, outer: int, rows: int, inner: int) -> jax.Array:
    v = _f32(a.reshape(outer, rows, inner))
    return jnp.sum(v * v, axis=(0, 2))


# -- projection vectors -----------------------------------------------------------------------

class Projector:
    """Random vectors with entries of magnitude [0.5, 1.5) and random sign (never zero, so
    NaN/Inf always show), one per (shape, which), from a private generator; the pieces used on
    a device are kept there, so repeated checks of a model move no vectors."""

    def __init__(self) -> None:
        self._cache: dict = {}
        self._placed: dict = {}

    def host(self, shape: tuple, which: int = 0) -> np.ndarray:
        key = (shape, which)
        r = self._cache.get(key)
        if r is None:
            rng = np.random.default_rng([_SEED, which, *shape])
            mag = rng.random(shape, dtype=np.float32) + np.float32(0.5)
            r = np.where(rng.random(shape) < 0.5, -mag, mag).astype(np.float32)
            self._cache[key] = r
        return r

    def on(self, device: Any, shape: tuple, which: int, local: tuple, as_shape: tuple) -> jax.Array:
        """``host(shape, which)[local]`` reshaped to ``as_shape``, on ``device``."""
        key = (device, shape, which, tuple((s.start, s.stop) for s in local), as_shape)
        r = self._placed.get(key)
        if r is None:
            r = self._placed[key] = jax.device_put(self.host(shape, which)[local].reshape(as_shape), device)
        return r


#: the projector of calls that bring none: its vectors stay on their devices between checks
_SHARED = Projector()


# -- one array's facts, in two phases: dispatch, then read -----------------------------------

@dataclass
class _Work:
    """What was dispatched for one array: the device results not yet read."""

    a: Any
    layout: Optional[Layout]
    want_constant: bool
    parts: list
    minmax: list = field(default_factory=list)  # per piece (min, max) when there is no unit axis
    proj: list = field(default_factory=list)  # per piece row projections


def _geometry(shape: tuple, ax: int) -> tuple[int, int, int]:
    return prod(shape[:ax]), int(shape[ax]), prod(shape[ax + 1 :])


def _piece_projection(data: jax.Array, index: tuple, whole: tuple, layout: Layout, proj: Projector, which: int) -> jax.Array:
    """Dot products of the rows (along the unit axis) that this piece holds, partial when the
    piece holds part of each row."""
    ax, gates = layout.axis, layout.gates
    slice_shape = whole[:ax] + whole[ax + 1 :]
    local = tuple(s for i, s in enumerate(index) if i != ax)
    outer, rows, inner = _geometry(tuple(data.shape), ax)
    device = next(iter(data.devices()))
    if gates == 1:
        r = proj.on(device, slice_shape, which, local, (outer, inner))
        return _row_projection(data, r, outer=outer, rows=rows, inner=inner)
    n = whole[ax] // gates
    rho = proj.host(whole[:ax] + (gates,) + whole[ax + 1 :], which)
    rho = rho[local[:ax] + (slice(None),) + local[ax:]].reshape(outer, gates, inner)
    gate = np.arange(index[ax].start, index[ax].stop) // n
    return _gated_row_projection(data, jax.device_put(rho, device), jax.device_put(gate, device),
                                 outer=outer, rows=rows, inner=inner)


def _units(rows: np.ndarray, layout: Layout, total_rows: int) -> np.ndarray:
    """Per-unit projections from per-row ones: a unit is one row of every gate block."""
    if layout.gates == 1:
        return rows
    return rows.reshape(layout.gates, total_rows // layout.gates).sum(0)


def _combine_rows(parts: list, values: list, layout: Layout, whole: tuple, dtype: Any = np.float32) -> np.ndarray:
    """Sum the pieces' partial row projections into one value per row of the unit axis."""
    total = np.zeros(whole[layout.axis], dtype)
    for (_, index), v in zip(parts, values):
        s = index[layout.axis]
        total[s.start : s.stop] += _host(v).astype(dtype)
    return total


def dispatch(a: Any, layout: Optional[Layout], want_constant: bool, proj: Projector) -> _Work:
    """Start the device work for one array (asynchronous: nothing is read yet)."""
    w = _Work(a, layout, want_constant, pieces(a))
    if a.size == 0:
        return w
    if layout is None or a.ndim < 2:
        w.minmax = [_minmax(data) for data, _ in w.parts]
    else:
        whole = tuple(int(s) for s in a.shape)
        w.proj = [_piece_projection(data, index, whole, layout, proj, 0) for data, index in w.parts]
    return w


def _is_finite(x: float) -> bool:
    return x == x and x not in (float("inf"), float("-inf"))


def _nonfinite(parts: list) -> tuple[int, int]:
    counts = _host([_count_nonfinite(data) for data, _ in parts])
    return int(counts[:, 0].sum()), int(counts[:, 1].sum())


def _exact_minmax(parts: list) -> tuple[float, float]:
    pairs = _host([_minmax(data) for data, _ in parts]).astype(np.float64)
    return float(pairs[:, 0].min()), float(pairs[:, 1].max())


def finish(w: _Work, proj: Projector) -> Facts:
    """Read the dispatched results and decide; fetch more only where they ask for it."""
    facts = Facts()
    a, layout = w.a, w.layout
    if a.size == 0:
        return facts
    if layout is None or a.ndim < 2:
        pairs = _host(w.minmax).astype(np.float64)
        lo, hi = float(pairs[:, 0].min()), float(pairs[:, 1].max())
        if not (_is_finite(lo) and _is_finite(hi)):
            facts.nan, facts.inf = _nonfinite(w.parts)
        elif w.want_constant and lo == hi:
            facts.constant = hi + 0.0
        return facts
    whole = tuple(int(s) for s in a.shape)
    total_rows = whole[layout.axis]
    n = total_rows // layout.gates
    facts.n_units = n
    p = _units(_combine_rows(w.parts, w.proj, layout, whole), layout, total_rows)
    compare = layout.compare and n >= 2
    if not np.isfinite(p).all():
        facts.nan, facts.inf = _nonfinite(w.parts)
        if not facts.finite:
            return facts
        p = np.nan_to_num(p)  # float32 overflow of huge finite values: carry on
    lo, hi = float(p.min()), float(p.max())
    scale = max(abs(lo), abs(hi))
    if n < _FEW_UNITS and compare:
        # with few units all projections may be small by chance; the noise scale is the norm
        sumsq = []
        for data, _ in w.parts:
            outer, rows, inner = _geometry(tuple(data.shape), layout.axis)
            sumsq.append(_row_sumsq(data, outer=outer, rows=rows, inner=inner))
        norm = float(np.sqrt(_units(_combine_rows(w.parts, sumsq, layout, whole), layout, total_rows)).max())
        scale = max(scale, 4 * _SIGMA * norm)
    if w.want_constant and hi - lo <= 1e-3 * scale:
        a_lo, a_hi = _exact_minmax(w.parts)
        if a_lo == a_hi:
            facts.constant = a_hi + 0.0
            return facts
    if compare:
        facts.groups = _duplicate_groups(w, p, scale, proj)
    return facts


# -- duplicate units --------------------------------------------------------------------------

def _chains(s: np.ndarray, order: np.ndarray, tol: float, lab: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
    """Chains of sorted values ``s`` whose neighbours are <= tol apart (and share ``lab``):
    (``order`` of every member of a chain of >= 2, its chain number 0..k-1, consecutive)."""
    empty = np.empty(0, dtype=np.int64)
    if s.size < 2:
        return empty, empty
    close = np.abs(np.diff(s)) <= tol
    if lab is not None:
        close &= lab[1:] == lab[:-1]
    if not close.any():
        return empty, empty
    inside = np.zeros(s.size, dtype=bool)
    inside[1:] |= close
    inside[:-1] |= close
    start = np.ones(s.size, dtype=bool)
    start[1:] = ~close
    _, cid = np.unique(np.cumsum(start)[inside], return_inverse=True)
    return order[inside], cid.reshape(-1)


def _unit_slices(w: _Work, units: np.ndarray) -> np.ndarray:
    """The slices of these units, (len(units), slice size), fetched piece by piece: only their rows."""
    layout = w.layout
    ax, gates = layout.axis, layout.gates
    whole = tuple(int(s) for s in w.a.shape)
    n = whole[ax] // gates
    out = np.zeros((len(units), gates) + whole[:ax] + whole[ax + 1 :], dtype=np.float32)
    position = {int(u): k for k, u in enumerate(units)}
    for data, index in w.parts:
        rows = np.arange(index[ax].start, index[ax].stop)
        keep = np.flatnonzero(np.isin(rows % n, units))
        if keep.size == 0:
            continue
        block = _host(jnp.take(data, jnp.asarray(keep), axis=ax)).astype(np.float32)
        block = np.moveaxis(block, ax, 0)  # (kept rows, *other dims of the piece)
        other = tuple(s for i, s in enumerate(index) if i != ax)
        held = rows[keep]
        at = np.array([position[int(u)] for u in held % n])
        out[(at, held // n) + other] = block
    return out.reshape(len(units), -1) + 0.0  # + 0.0 turns -0.0 into 0.0


def _duplicate_groups(w: _Work, p: np.ndarray, scale: float, proj: Projector) -> list:
    layout = w.layout
    n = p.size
    labels = None
    if layout.groups > 1:  # grouped conv: units of different groups see different inputs
        labels = np.arange(n) // (n // layout.groups)
    order = np.lexsort((p, labels)) if labels is not None else np.argsort(p, kind="stable")
    members, cid = _chains(p[order], order, CANDIDATE_TOL * scale, None if labels is None else labels[order])
    if members.size == 0:
        return []
    whole = tuple(int(s) for s in w.a.shape)
    strided = prod(whole[layout.axis + 1 :]) == 1  # units last: a unit's slice is a strided column
    if members.size * (_STRIDED_READ if strided else 1) * 4 > n:
        # Many units (a 32k-unit vocabulary head) chain by chance along one direction: a second
        # full projection, one streaming read, separates the coincidences more cheaply than
        # gathering their slices (for units last, a gather of a few columns reads whole lines).
        rows = _combine_rows(w.parts, [_piece_projection(d, i, whole, layout, proj, 1) for d, i in w.parts], layout, whole)
        p2 = _units(rows, layout, whole[layout.axis])[members]
        sub_order = np.lexsort((p2, cid))
        sub, cid = _chains(p2[sub_order], sub_order, CANDIDATE_TOL * float(np.abs(p2).max()), cid[sub_order])
        members = members[sub]
        if members.size == 0:
            return []
    members, cid = _narrow(w, members, cid, proj)
    if members.size == 0:
        return []
    slices = _unit_slices(w, members)
    groups = []
    for k in np.unique(cid):
        at = np.flatnonzero(cid == k)
        rows = np.ascontiguousarray(slices[at])
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()  # exact: bytes
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        for g in np.flatnonzero(counts >= 2):
            groups.append(sorted(int(u) for u in members[at[inverse == g]]))
    return sorted(groups)


def _narrow(w: _Work, members: np.ndarray, cid: np.ndarray, proj: Projector) -> tuple[np.ndarray, np.ndarray]:
    """Split candidate chains by two more projections of the candidates' slices, computed where
    the slices live (only 3 numbers per candidate come back): what survives is, but for a
    coincidence in three random directions, a true duplicate."""
    layout = w.layout
    ax, gates = layout.axis, layout.gates
    whole = tuple(int(s) for s in w.a.shape)
    n = whole[ax] // gates
    position = np.full(n, -1)
    position[members] = np.arange(members.size)
    q = np.zeros((members.size, 2))
    sumsq = np.zeros(members.size)
    rho_shape = whole[:ax] + (gates,) + whole[ax + 1 :]
    rho_whole = np.stack([proj.host(rho_shape, 2), proj.host(rho_shape, 3)])
    for data, index in w.parts:
        rows = np.arange(index[ax].start, index[ax].stop)
        keep = np.flatnonzero(position[rows % n] >= 0)
        if keep.size == 0:
            continue
        held = rows[keep]
        bucket = 1 << int(keep.size - 1).bit_length()  # few shapes, few compilations
        take, gate = np.zeros(bucket, np.int32), np.zeros(bucket, np.int32)
        take[: keep.size], gate[: keep.size] = keep, held // n
        local = tuple(s for i, s in enumerate(index) if i != ax)
        outer, rows_here, inner = _geometry(tuple(data.shape), ax)
        rho = rho_whole[(slice(None),) + local[:ax] + (slice(None),) + local[ax:]].reshape(2, outer, gates, inner)
        device = next(iter(data.devices()))
        qk, sk = map(_host, _selected_rows(data, jax.device_put(take, device), jax.device_put(rho, device),
                                           jax.device_put(gate, device), outer=outer, rows=rows_here, inner=inner))
        at = position[held % n]
        np.add.at(q, at, qk[:, : keep.size].T)
        np.add.at(sumsq, at, sk[: keep.size])
    # rounding noise scales with the slices' norms (|projection| ~ 1.04 * norm), not with the
    # projections of these few candidates, which may all be small by chance
    qtol = 4 * CANDIDATE_TOL * _SIGMA * float(np.sqrt(sumsq.max()))
    for k in range(2):  # chains keep their identity through cid: never joined
        order = np.lexsort((q[:, k], cid))
        sub, cid = _chains(q[order, k], order, qtol, cid[order])
        members, q = members[sub], q[sub]
        if members.size == 0:
            break
    return members, cid


#: arrays with at most this many elements (and on one device) are copied to the host and read
#: with numpy: cheaper than compiling a kernel for their shape, which costs ~50 ms each
HOST_BELOW = 1 << 16


def array_facts(arrays: list, proj: Optional[Projector] = None, host_below: int = HOST_BELOW) -> list:
    """Facts for many ``(array, layout, want_constant)``: every array's work is dispatched first."""
    from initlint.runtime.stats.numpy import tensor_facts as numpy_facts

    proj = proj or _SHARED
    small = [a.size <= host_below and len(pieces(a)) == 1 for a, _, _ in arrays]
    works = [None if s else dispatch(a, layout, want, proj) for s, (a, layout, want) in zip(small, arrays)]
    return [
        numpy_facts(_host(a), layout, want) if w is None else finish(w, proj)
        for w, (a, layout, want) in zip(works, arrays)
    ]
