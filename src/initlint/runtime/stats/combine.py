"""Per-tensor facts from the blocks of a tensor, wherever they live: one algorithm for a whole
tensor in one process, a tensor sharded over ranks (torch.distributed), and a ``jax.Array``
whose shards sit on several devices.

A tensor is given as the **blocks this process holds** (``Block``: a local array and the global
index of its first element; replicas left out, so replicated mesh dimensions count once) and
a **communicator** that all-gathers small float64 arrays (``Communicator``). Heavy work runs on
the local blocks through a framework **kernel** (``Kernel``: stats.torch, stats.numpy); only
small arrays cross processes:

- per-tensor facts (NaN/Inf counts, min/max, element counts, values of absurd magnitude) are
  reduced across blocks and processes;
- unit projections are linear, so each block projects its part of every unit slice onto the
  matching part of one random vector: a block on the unit axis contributes whole projections of
  its units, a block on another axis partial dot products, and their sum is the projection of
  the whole tensor (n_units numbers per process cross the wire);
- duplicate-unit candidates (close projections) are narrowed by two more projections of the
  candidates' slices only, then confirmed **exactly**: the first unit of each candidate group is
  fetched (each element written by the one block that holds it) and every block compares its
  parts of the other members with it. No process ever holds a whole sharded tensor.

Every reduction is computed from the gathered arrays in the same order on every process, so
every process takes the same decisions and runs the same rounds (a mismatch would deadlock).
Each tensor's algorithm is a generator that yields what it needs from the other processes
(``_Need``); ``facts`` runs all tensors' generators in lockstep, one gather per round.

A ``jax.Array`` sharded over the devices of one process, for example::

    blocks = [Block(as_float(s.data), tuple(i.start or 0 for i in s.index), s.device.id)
              for s in a.addressable_shards if s.replica_id == 0]
    (result,) = facts([Item(name, a.shape, layout, want_constant, blocks)], NumpyKernel())

(``as_float`` and ``NumpyKernel`` from stats.numpy; over several processes, pass a
Communicator whose ``all_gather`` is ``jax.experimental.multihost_utils.process_allgather``.)
"""

from __future__ import annotations

import functools
import math
import zlib
from dataclasses import dataclass, field
from typing import Any, Generator, Iterable, Optional, Protocol, Sequence, Union

import numpy as np

from initlint.runtime.facts import Facts, Layout

SEED = 0x1517  # fixed: the check is deterministic and never touches a framework's RNG
# Identical units do not always get bit-identical float32 projections (BLAS kernels sum the
# tail rows of a matrix in another order): measured differences reach ~4e-7 of max |p|.
# Units closer than CANDIDATE_TOL * max|p| are candidates; exact comparison decides.
CANDIDATE_TOL = 2e-6
SIGMA = 1.04  # rms of the random vectors' entries: |w . r| ~ SIGMA * ||w||
FEW_UNITS = 64  # below this, max|p| is a poor noise scale: measure the slices' norms
ROWS_CHUNK = 1 << 20  # elements of unit slices read (or fetched) at a time
# Values no initialiser produces, but uninitialised memory often holds (bit patterns of
# pointers and integers read as floats): non-zero |x| below TINY or finite |x| above HUGE.
TINY, HUGE = 1e-30, 1e15
SMALL = 1 << 16  # tensors with at most this many elements are always scanned for them


@dataclass
class Block:
    """``data`` holds ``global[offset[0]:offset[0]+data.shape[0], ...]`` of one tensor.

    ``rank`` is the process (or device) holding it, for reports of duplicates across ranks.
    Pass only one copy of replicated data: a replica would be counted twice.
    """

    data: Any
    offset: tuple
    rank: int = 0


@dataclass
class Item:
    """One tensor: its global shape, its layout, and the blocks of it this process holds."""

    name: str
    shape: tuple
    layout: Optional[Layout]
    want_constant: bool
    blocks: list = field(default_factory=list)


class Communicator(Protocol):
    """The only collective the combination needs: every process gets every process's array,
    in process order. (Sums, minima and maxima are then computed locally, in the same order on
    every process, so the results are bit-identical everywhere.)"""

    size: int

    def all_gather(self, a: np.ndarray) -> np.ndarray:
        """(size, len(a)) float64: row i is process i's ``a`` (same length on every process)."""
        ...


class Kernel(Protocol):
    """Local work on one framework array (a block, or a view of one). Results are numpy."""

    def shape(self, x: Any) -> tuple: ...

    def narrow(self, x: Any, axis: int, start: int, length: int) -> Any: ...

    def unflatten(self, x: Any, axis: int, sizes: tuple) -> Any: ...

    def vector(self, r: np.ndarray, like: Any, key: Optional[tuple] = None) -> Any:
        """``r`` (float32) as this framework's vector on ``like``'s device, cached under
        ``key`` when one is given (the whole vectors; parts of them are converted each time)."""
        ...

    def project(self, x: Any, axis: int, r: Any, parts: int, numel: Optional[int] = None) -> np.ndarray:
        """(units, parts): part k sums ``slice[j] * r[j - k*F/parts]`` over the k-th contiguous
        run of F/parts slice positions (slices: ``x`` without ``axis``, row-major); parts = 1 is
        the plain dot product with ``r``. Any NaN/Inf in ``x`` makes some result non-finite.

        ``numel`` (the whole tensor's size) is given only when every block of the tensor holds
        whole unit slices: the kernel may then project the same sample of every slice (a
        decision that depends on ``numel``, the slice shape and the dtype, so the same in every
        block), as long as identical slices still give identical numbers."""
        ...

    def aminmax(self, x: Any) -> tuple: ...

    def count_nonfinite(self, x: Any) -> tuple: ...

    def count_absurd(self, x: Any) -> int: ...

    def sq_norms(self, x: Any, axis: int) -> np.ndarray: ...

    def rows(self, x: Any, axis: int, idx: np.ndarray) -> np.ndarray:
        """(len(idx), slice numel) float64: the slices of units ``idx`` (exact values)."""
        ...


class _Local:
    """One process: gathering is the identity."""

    size = 1

    def all_gather(self, a: np.ndarray) -> np.ndarray:
        return a[None, :]


LOCAL: Communicator = _Local()


@functools.lru_cache(maxsize=256)
def random_vector(length: int, which: int = 0) -> np.ndarray:
    """The same vector on every process and framework: |r| in [0.5, 1.5), random signs, never
    zero (so NaN/Inf anywhere in a slice shows in its projection)."""
    g = np.random.Generator(np.random.PCG64([SEED, length, which]))
    r = g.random(length) + 0.5
    r = np.where(g.random(length) < 0.5, -r, r).astype(np.float32)
    r.setflags(write=False)  # cached: shared by every caller
    return r


def _vector(kernel: "Kernel", r: np.ndarray, seg: "_Segment", key: tuple) -> Any:
    """The part of random vector ``r`` that matches ``seg``'s part of the unit slice."""
    if seg.pos is None:
        return kernel.vector(r, seg.view, key)
    return kernel.vector(r[seg.pos], seg.view)


def flat_ranges(shape: tuple, start: int, stop: int) -> list:
    """Split the row-major flat range [start, stop) of a tensor of ``shape`` into blocks:
    ``(flat_start, flat_stop, offset, block_shape)``, at most 2 * ndim of them, each a
    contiguous run of the flat range (so a slice of a flat shard reshapes into it)."""
    nd = len(shape)
    strides = [1] * nd
    for d in range(nd - 2, -1, -1):
        strides[d] = strides[d + 1] * int(shape[d + 1])
    total = strides[0] * int(shape[0]) if nd else 1
    out = []
    a = start
    while a < stop:
        d = next(k for k in range(nd) if a % strides[k] == 0 and a + strides[k] <= stop or k == nd - 1)
        parent_end = (a // (strides[d - 1]) + 1) * strides[d - 1] if d > 0 else total
        count = max(1, min((stop - a) // strides[d], (parent_end - a) // strides[d]))
        offset = tuple(int(i) for i in np.unravel_index(a, shape))
        bshape = (1,) * d + (count,) + tuple(int(s) for s in shape[d + 1 :])
        out.append((a, a + count * strides[d], offset, bshape))
        a += count * strides[d]
    return out


# --------------------------------------------------------------------------- candidate math


def close_chains(values: np.ndarray, order: np.ndarray, tol: float, labels: Optional[np.ndarray] = None) -> tuple:
    """Chains of sorted ``values[order]`` whose neighbours are <= tol apart (and share a label).

    Returns (members, cid): the ``order`` entries of every value in a chain of >= 2, and its
    chain number 0..k-1 (chains are consecutive)."""
    s = values[order]
    if s.size < 2:
        return order[:0], order[:0]
    close = np.abs(np.diff(s)) <= tol
    if labels is not None:
        lab = labels[order]
        close &= lab[1:] == lab[:-1]
    if not close.any():
        return order[:0], order[:0]
    inside = np.zeros(s.size, dtype=bool)
    inside[1:] |= close
    inside[:-1] |= close
    start = np.ones(s.size, dtype=bool)
    start[1:] = ~close
    chain = np.cumsum(start)[inside]
    _, cid = np.unique(chain, return_inverse=True)
    return order[inside], cid.reshape(-1)


def regroup(members: np.ndarray, cid: np.ndarray, values: np.ndarray, tol: float) -> tuple:
    """Split chains ``cid`` of ``members`` further by ``values`` (one per member): never joins."""
    order = np.lexsort((values, cid))
    sub, new = close_chains(values, order, tol, cid)
    return members[sub], new, sub


# --------------------------------------------------------------------------- one tensor


class _Skip(Exception):
    """This tensor cannot be checked; the message says why (becomes a note)."""


@dataclass
class _Need:
    """What a tensor's generator needs reduced over every process, per round."""

    sum: Sequence = ()
    min: Sequence = ()
    max: Sequence = ()


@dataclass
class _Segment:
    """A view of a block in which ``axis`` indexes units ``u0 .. u0+count-1`` of the tensor."""

    view: Any
    axis: int
    u0: int
    count: int
    pos: Optional[np.ndarray]  # positions of its slice part in the unit slice (None: whole)
    rank: int


def _segments(item: Item, kernel: Kernel, layout: Layout) -> list:
    shape = tuple(int(s) for s in item.shape)
    ax, g = layout.axis, layout.gates
    n = shape[ax] // g
    slice_shape = shape[:ax] + ((g,) if g > 1 else ()) + shape[ax + 1 :]
    segs = []
    for b in item.blocks:
        bshape = tuple(int(s) for s in kernel.shape(b.data))
        if 0 in bshape:
            continue
        off = tuple(int(o) for o in b.offset)
        if bshape == shape:  # the whole tensor: gate blocks unflattened, whole slices
            view, vax = (kernel.unflatten(b.data, ax, (g, n)), ax + 1) if g > 1 else (b.data, ax)
            segs.append(_Segment(view, vax, 0, n, None, b.rank))
            continue
        lo, hi = off[ax], off[ax] + bshape[ax]
        for gate in range(lo // n, (hi - 1) // n + 1):
            a, z = max(lo, gate * n), min(hi, (gate + 1) * n)
            view = kernel.narrow(b.data, ax, a - lo, z - a) if (a, z) != (lo, hi) else b.data
            ranges = [range(off[d], off[d] + bshape[d]) for d in range(len(shape)) if d != ax]
            if g > 1:
                ranges.insert(ax, range(gate, gate + 1))
            whole = all(len(r) == s for r, s in zip(ranges, slice_shape))
            pos = None if whole else np.ravel_multi_index(np.ix_(*ranges), slice_shape).reshape(-1)
            segs.append(_Segment(view, ax, a - gate * n, z - a, pos, b.rank))
    return segs


def _parts(shape: tuple, layout: Layout) -> int:
    """How many sub-projections per unit (when every block holds whole slices): 1, 2 or 4.

    A float32 projection alone cannot tell 10^4 units apart at the tolerance identical units
    need (the share of candidates grows with the number of units); disjoint parts of each slice
    give independent numbers from the same product, so distinct units rarely stay candidates.
    Fewer units need no parts (shorter rows make the product slower)."""
    ax, g = layout.axis, layout.gates
    n = int(shape[ax]) // g
    before = math.prod(int(s) for s in shape[:ax]) * g
    after = math.prod(int(s) for s in shape[ax + 1 :])
    for parts, units in ((4, 1 << 16), (2, 1 << 13)):
        if n >= units and (before % parts == 0 if before > 1 else after % parts == 0) and before * after >= 64 * parts:
            return parts
    return 1


Gen = Generator[_Need, dict, Facts]


def _flat_facts(item: Item, kernel: Kernel, numel: int) -> Gen:
    """A tensor without units (biases, norms, buffers, scalars): min/max and counts."""
    lo, hi, local_numel, absurd = math.inf, -math.inf, 0, 0
    for x in _arrays(item, kernel):
        a, z = kernel.aminmax(x)
        lo, hi = _min(lo, a), _max(hi, z)
        local_numel += math.prod(kernel.shape(x))
        if numel <= SMALL:
            absurd += kernel.count_absurd(x)
    got = yield _Need(sum=[local_numel, absurd], min=[lo], max=[hi])
    _covered(item, got["sum"][0], numel)
    facts = Facts()
    lo, hi = got["min"][0], got["max"][0]
    if not (math.isfinite(lo) and math.isfinite(hi)):
        facts.nan, facts.inf = yield from _count_nonfinite(item, kernel)
        if not facts.finite:
            return facts
    if numel <= SMALL:
        facts.absurd = int(got["sum"][1])
    elif max(abs(lo), abs(hi)) > HUGE:
        facts.absurd = yield from _count_absurd(item, kernel)
    if item.want_constant and lo == hi:
        facts.constant = float(hi) + 0.0
    return facts


def _arrays(item: Item, kernel: Kernel) -> list:
    """This process's non-empty blocks of ``item``."""
    return [b.data for b in item.blocks if math.prod(kernel.shape(b.data))]


def _min(a: float, b: float) -> float:
    return b if b != b or b < a else a  # NaN wins: it must show in the reduction


def _max(a: float, b: float) -> float:
    return b if b != b or b > a else a


def _covered(item: Item, got: float, numel: int) -> None:
    if int(got) != numel:
        raise _Skip(f"its blocks hold {int(got)} of its {numel} elements")


def _count_nonfinite(item: Item, kernel: Kernel) -> Generator[_Need, dict, tuple]:
    nan = inf = 0
    for x in _arrays(item, kernel):
        a, z = kernel.count_nonfinite(x)
        nan, inf = nan + a, inf + z
    got = yield _Need(sum=[nan, inf])
    return int(got["sum"][0]), int(got["sum"][1])


def _count_absurd(item: Item, kernel: Kernel) -> Generator[_Need, dict, int]:
    k = sum(kernel.count_absurd(x) for x in _arrays(item, kernel))
    got = yield _Need(sum=[k])
    return int(got["sum"][0])


def _unit_facts(item: Item, kernel: Kernel, numel: int, whole: bool) -> Gen:
    layout = item.layout
    shape = tuple(int(s) for s in item.shape)
    n = shape[layout.axis] // layout.gates
    f = numel // n
    compare = layout.compare and n >= 2
    segs = _segments(item, kernel, layout)
    parts = _parts(shape, layout) if whole else 1
    r = random_vector(f, 0)
    P = np.zeros((n, parts))
    sq = np.zeros(n if compare and n < FEW_UNITS else 0)
    for s in segs:
        P[s.u0 : s.u0 + s.count] += kernel.project(s.view, s.axis, _vector(kernel, r, s, (f, 0)), parts, numel if whole else None)
        if sq.size:
            sq[s.u0 : s.u0 + s.count] += kernel.sq_norms(s.view, s.axis)
    arrays = _arrays(item, kernel)
    local_numel = sum(math.prod(kernel.shape(x)) for x in arrays)
    absurd = sum(kernel.count_absurd(x) for x in arrays) if numel <= SMALL else 0
    got = yield _Need(sum=[P.reshape(-1), sq, local_numel, absurd])
    total = got["sum"]
    _covered(item, total[P.size + sq.size], numel)
    P = total[: P.size].reshape(n, parts)
    sq = total[P.size : P.size + sq.size]
    facts = Facts(n_units=n)
    p = P.sum(1)
    if not np.isfinite(p).all():
        facts.nan, facts.inf = yield from _count_nonfinite(item, kernel)
        if not facts.finite:
            return facts
        P = np.nan_to_num(P)  # float32 overflow of huge finite values: carry on
        p = P.sum(1)
    lo, hi = float(p.min()), float(p.max())
    few = 4 * SIGMA * math.sqrt(float(sq.max())) if sq.size else 0.0
    scale = max(abs(lo), abs(hi), few)
    if numel <= SMALL:
        facts.absurd = int(total[-1])
    elif scale > HUGE:
        facts.absurd = yield from _count_absurd(item, kernel)
    if item.want_constant and hi - lo <= 1e-3 * scale:
        a, z = math.inf, -math.inf
        for x in arrays:
            u, v = kernel.aminmax(x)
            a, z = _min(a, u), _max(z, v)
        got = yield _Need(min=[a], max=[z])
        if got["min"][0] == got["max"][0]:
            facts.constant = float(got["max"][0]) + 0.0
            return facts
    if compare:
        facts.groups, facts.zero_units, facts.unit_ranks = yield from _duplicates(item, kernel, segs, P, few, f)
    return facts


def _duplicates(item: Item, kernel: Kernel, segs: list, P: np.ndarray, few: float, f: int) -> Generator:
    """Groups of identical units (sorted lists of unit indices), how many units are all zero,
    and each unit's rank when the groups join units held whole on different ranks (else None)."""
    layout = item.layout
    n, parts = P.shape
    labels = np.arange(n) // (n // layout.groups) if layout.groups > 1 else None
    order = np.argsort(P[:, 0])
    if labels is not None:  # grouped conv: sort by (group, value), never join two groups
        order = order[np.argsort(labels[order], kind="stable")]
    members, cid = close_chains(P[:, 0], order, CANDIDATE_TOL * max(float(np.abs(P[:, 0]).max()), few), labels)
    for k in range(1, parts):
        if members.size == 0:
            return [], 0, None
        members, cid, _ = regroup(members, cid, P[members, k], CANDIDATE_TOL * max(float(np.abs(P[:, k]).max()), few))
    if members.size == 0:
        return [], 0, None
    if parts == 1 and members.size * 4 > n:
        # Many units (a 100k-row vocabulary head sharded off its unit axis) chain into clusters
        # along one direction: a second full projection is cheaper than reading their slices.
        r1 = random_vector(f, 1)
        p1 = np.zeros(n)
        for s in segs:
            p1[s.u0 : s.u0 + s.count] += kernel.project(s.view, s.axis, _vector(kernel, r1, s, (f, 1)), 1)[:, 0]
        p1 = (yield _Need(sum=[p1]))["sum"]
        members, cid, _ = regroup(members, cid, p1[members], CANDIDATE_TOL * max(float(np.abs(p1).max()), few))
        if members.size == 0:
            return [], 0, None
    # two more projections of the candidates' slices only, and their norms (the noise scale)
    r2 = np.stack([random_vector(f, 2), random_vector(f, 3)], 1).astype(np.float64)
    q = np.zeros((members.size, 2))
    norms = np.zeros(members.size)
    for s, local, where in _member_rows(kernel, segs, members):
        rows = kernel.rows(s.view, s.axis, local)
        q[where] += rows @ (r2 if s.pos is None else r2[s.pos])
        norms[where] += np.einsum("ij,ij->i", rows, rows)
    got = (yield _Need(sum=[q.reshape(-1), norms]))["sum"]
    q = got[: q.size].reshape(-1, 2)
    qtol = 4 * CANDIDATE_TOL * SIGMA * math.sqrt(float(got[q.size :].max()))
    for k in range(2):
        members, cid, sub = regroup(members, cid, q[:, k], qtol)
        q = q[sub]
        if members.size == 0:
            return [], 0, None
    groups, zero = yield from _confirm(kernel, segs, members, cid, f)
    ranks = yield from _unit_ranks(segs, n, groups)
    return groups, zero, ranks


def _member_rows(kernel: Kernel, segs: list, members: np.ndarray) -> Iterable:
    """(segment, local unit indices, positions in ``members``) in chunks of ROWS_CHUNK elements."""
    for s in segs:
        inside = np.flatnonzero((members >= s.u0) & (members < s.u0 + s.count))
        if inside.size == 0:
            continue
        width = max(1, s.pos.size if s.pos is not None else math.prod(kernel.shape(s.view)) // s.count)
        step = max(1, ROWS_CHUNK // width)
        for i in range(0, inside.size, step):
            where = inside[i : i + step]
            yield s, members[where] - s.u0, where


def _confirm(kernel: Kernel, segs: list, members: np.ndarray, cid: np.ndarray, f: int) -> Generator:
    """Exact groups: fetch the first unit of each cluster whole, compare every member with it.
    Also counts the units that are all zero (the group whose first unit is zero)."""
    clusters = [c for c in np.split(members, np.flatnonzero(np.diff(cid)) + 1) if c.size >= 2]
    groups = []
    zero = 0
    per_round = max(1, ROWS_CHUNK // max(1, f))
    while clusters:
        batch, clusters = clusters[:per_round], clusters[per_round:]
        reps = np.array([c[0] for c in batch])
        buf = np.zeros((reps.size, f))
        for s, local, where in _member_rows(kernel, segs, reps):
            rows = kernel.rows(s.view, s.axis, local)
            if s.pos is None:
                buf[where] = rows
            else:
                buf[np.ix_(where, s.pos)] = rows
        rep_rows = (yield _Need(sum=[buf.reshape(-1)]))["sum"].reshape(reps.size, f)
        flat = np.concatenate(batch)
        which = np.repeat(np.arange(len(batch)), [c.size for c in batch])
        differ = np.zeros(flat.size)
        for s, local, where in _member_rows(kernel, segs, flat):
            rows = kernel.rows(s.view, s.axis, local)
            ref = rep_rows[which[where]] if s.pos is None else rep_rows[which[where]][:, s.pos]
            differ[where] += (rows != ref).sum(1)
        same = (yield _Need(sum=[differ]))["sum"] == 0
        for k, c in enumerate(batch):
            mask = same[which == k]
            if mask.sum() >= 2:
                groups.append(sorted(int(u) for u in c[mask]))
                zero += int(mask.sum()) if not rep_rows[k].any() else 0
            if (~mask).sum() >= 2:
                clusters.append(c[~mask])  # a coincidence in three projections: go round again
    groups.sort()
    return groups, zero


def _unit_ranks(segs: list, n: int, groups: list) -> Generator:
    """Each unit's rank when a block holds its whole slice (-1: spread over ranks), returned
    only if some group joins units of different ranks."""
    if not groups:
        return None
    home = np.full(n, -1.0)
    for s in segs:
        if s.pos is None:
            home[s.u0 : s.u0 + s.count] = s.rank
    home = (yield _Need(max=[home]))["max"].astype(int)
    if not any(len({int(home[u]) for u in g} - {-1}) >= 2 for g in groups):
        return None
    return home.tolist()


def _tensor(item: Item, kernel: Kernel, whole: bool) -> Gen:
    numel = math.prod(int(s) for s in item.shape)
    if numel == 0:
        return Facts()
    if item.layout is None or len(item.shape) < 2:
        return (yield from _flat_facts(item, kernel, numel))
    return (yield from _unit_facts(item, kernel, numel, whole))


# --------------------------------------------------------------------------- many tensors


def _whole_slices(item: Item, kernel: Kernel) -> bool:
    """Does every block here hold whole unit slices (so sub-projections are possible)?"""
    if item.layout is None or len(item.shape) < 2:
        return True
    ax, g = item.layout.axis, item.layout.gates
    shape = tuple(int(s) for s in item.shape)
    for b in item.blocks:
        bshape = tuple(int(s) for s in kernel.shape(b.data))
        if 0 in bshape or bshape == shape:
            continue
        if g > 1 or any(bshape[d] != shape[d] for d in range(len(shape)) if d != ax):
            return False
    return True


def _pack(needs: list) -> tuple:
    parts = {"sum": [], "min": [], "max": []}
    sizes = []
    for need in needs:
        row = []
        for kind in ("sum", "min", "max"):
            arrays = [np.atleast_1d(np.asarray(a, dtype=np.float64)).reshape(-1) for a in getattr(need, kind)]
            parts[kind].extend(arrays)
            row.append([a.size for a in arrays])
        sizes.append(row)
    flat = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    return flat, sizes


def _unpack(flat: dict, sizes: list) -> list:
    out = []
    pos = {"sum": 0, "min": 0, "max": 0}
    for row in sizes:
        reply = {}
        for kind, lengths in zip(("sum", "min", "max"), row):
            total = sum(lengths)
            reply[kind] = flat[kind][pos[kind] : pos[kind] + total]
            pos[kind] += total
        out.append(reply)
    return out


def _reduce(comm: Communicator, flat: dict) -> dict:
    if comm.size == 1:
        return flat
    s, lo, hi = flat["sum"], flat["min"], flat["max"]
    g = comm.all_gather(np.concatenate([s, -lo, hi, [0.0]]))
    a, b = s.size, s.size + lo.size
    return {"sum": g[:, :a].sum(0), "min": -g[:, a:b].max(0), "max": g[:, b:-1].max(0)}


def _fingerprint(items: Sequence[Item]) -> float:
    text = repr([(i.name, tuple(int(s) for s in i.shape), i.layout, i.want_constant) for i in items])
    return float(zlib.crc32(text.encode()))


class _Failed:
    """A generator raised while doing local work: a reason, and the round is still played."""

    def __init__(self, exc: BaseException) -> None:
        self.reason = f"reading it failed ({type(exc).__name__}: {exc})"


def facts(items: Sequence[Item], kernel: Kernel, comm: Communicator = LOCAL) -> list:
    """Facts of every tensor, or a reason (str) why one could not be checked.

    Every process must call this with the same tensors (names, shapes, layouts) in the same
    order; each passes the blocks it holds. With ``comm.size > 1`` that is checked first, and
    a failure of local work on one process (which would leave the others waiting) is shared
    before every round, so that all drop that tensor together.
    """
    with np.errstate(all="ignore"):  # garbage values overflow float64 sums of squares: expected
        return _facts(items, kernel, comm)


def _facts(items: Sequence[Item], kernel: Kernel, comm: Communicator) -> list:
    whole = [_whole_slices(i, kernel) for i in items]
    if comm.size > 1:
        g = comm.all_gather(np.array([_fingerprint(items), len(items)] + [0.0 if w else 1.0 for w in whole]))
        if not (g[:, :2] == g[0, :2]).all():
            return ["the processes do not hold the same sharded tensors (call check_model_init on every rank, "
                    "with the same model)"] * len(items)
        whole = list(g[:, 2:].max(0) == 0)
    results: list = [None] * len(items)
    if comm.size == 1:  # no rounds to keep in step: run each tensor's algorithm to its end
        for k, item in enumerate(items):
            gen = _tensor(item, kernel, whole[k])
            need = _step(gen, None, results, k)
            while need is not None:
                if isinstance(need, _Failed):
                    results[k] = need.reason
                    break
                need = _step(gen, _unpack(*_pack([need]))[0], results, k)
        return results
    gens = {k: _tensor(item, kernel, whole[k]) for k, item in enumerate(items)}
    live = {k: _step(gens[k], None, results, k) for k in gens}
    live = {k: v for k, v in live.items() if v is not None}
    while live:
        keys = sorted(live)
        failed = comm.all_gather(np.array([isinstance(live[k], _Failed) for k in keys], dtype=np.float64)).max(0)
        for k, bad in zip(keys, failed):
            if bad:
                mine = live.pop(k)
                results[k] = mine.reason if isinstance(mine, _Failed) else "reading it failed on another process"
                gens[k].close()
        keys = sorted(live)
        flat, sizes = _pack([live[k] for k in keys])
        replies = _unpack(_reduce(comm, flat), sizes)
        live = {k: _step(gens[k], reply, results, k) for k, reply in zip(keys, replies)}
        live = {k: v for k, v in live.items() if v is not None}
    return results


def _step(gen: Gen, reply: Optional[dict], results: list, k: int) -> "Union[_Need, _Failed, None]":
    """Run one tensor's generator to its next need (None: it finished, its result is stored)."""
    try:
        return gen.send(reply) if reply is not None else next(gen)
    except StopIteration as stop:
        results[k] = stop.value
    except _Skip as skip:
        results[k] = str(skip)
    except Exception as exc:  # local work on this process's blocks (a dtype a kernel cannot read)
        return _Failed(exc)
    return None
