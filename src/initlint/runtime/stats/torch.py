"""Read-only facts about one tensor, computed at memory bandwidth (used for PyTorch and for
Keras on the torch backend; imported only once torch is in ``sys.modules``).

The common (healthy) case costs one pass over a weight: a matrix-vector product of its unit
slices with a random vector (``torch.mv`` streams memory faster than ``tensor.sum()``). That
one projection answers three questions at once:

- NaN/Inf: any non-finite value makes its unit's projection non-finite (the random vector has
  no zeros), so only then are values counted exactly;
- constant: identical units have (nearly) identical projections, so only when *all* projections
  agree is ``aminmax`` run to confirm one repeated value;
- duplicate units: projections are sorted and units whose neighbours lie within a tolerance
  become candidates; only the candidates' slices are then read again, projected onto two more
  random vectors, and the survivors compared exactly.

Half-precision and non-contiguous tensors are converted or copied chunk by chunk (at most
``CHUNK`` elements at a time); no whole-tensor copy and no float64 upcast of a whole tensor.
The same code runs on CPU and CUDA.
"""

from __future__ import annotations

from typing import Optional

import torch

from initlint.runtime.facts import Facts, Layout

CHUNK = 1 << 20  # elements per chunk when a chunk must be converted or copied
# Identical units do not always get bit-identical float32 projections (BLAS kernels sum the
# tail rows of a matrix in another order): measured differences reach ~4e-7 of max |p|.
# Units closer than CANDIDATE_TOL * max|p| are candidates; exact comparison decides.
CANDIDATE_TOL = 2e-6
_SEED = 0x1517  # fixed: the check is deterministic and never touches the global RNG
_SIGMA = 1.04  # rms of the projection vectors' entries: |w . r| ~ _SIGMA * ||w||
_FEW_UNITS = 64  # below this, max|p| is a poor noise scale: measure the slices' norms


class Projector:
    """Random projection vectors, cached per (length, device, which), from a private generator."""

    def __init__(self) -> None:
        self._gen = torch.Generator(device="cpu").manual_seed(_SEED)
        self._cache: dict = {}

    def vector(self, length: int, device: torch.device, which: int = 0) -> torch.Tensor:
        key = (length, str(device), which)
        r = self._cache.get(key)
        if r is None:
            # magnitudes in [0.5, 1.5) with random signs: never zero, so NaN/Inf always show
            mag = torch.rand(length, generator=self._gen) + 0.5
            sign = torch.randint(0, 2, (length,), generator=self._gen).float() * 2 - 1
            r = (mag * sign).to(device=device)
            self._cache[key] = r
        return r


def unit_view(t: torch.Tensor, layout: Layout) -> tuple[torch.Tensor, int]:
    """A view of ``t`` whose dimension ``axis`` indexes units (gate blocks split off)."""
    if layout.gates > 1:
        n = t.shape[layout.axis] // layout.gates
        return t.unflatten(layout.axis, (layout.gates, n)), layout.axis + 1
    return t, layout.axis


def _f32(c: torch.Tensor) -> torch.Tensor:
    return c if c.dtype == torch.float32 else c.float()


def project(v: torch.Tensor, ax: int, r: torch.Tensor) -> torch.Tensor:
    """float32 projections (n,) of the n unit slices of ``v`` along ``ax`` onto ``r`` (F,).

    ``r`` is laid out like the unit slice (the dims of ``v`` without ``ax``, flattened). A
    contiguous ``v`` is read as (outer, n, inner) without any copy: one mv when outer or inner
    is 1, else one bmm; only half-precision chunks are converted, CHUNK elements at a time.
    """
    n = v.shape[ax]
    f = v.numel() // n
    out = torch.empty(n, dtype=torch.float32, device=v.device)
    if not v.is_contiguous():
        w = v.movedim(ax, 0)  # strided view; each chunk below is copied (bounded by CHUNK)
        step = max(1, CHUNK // f)
        for i in range(0, n, step):
            torch.mv(_f32(w[i : i + step].reshape(-1, f)), r, out=out[i : i + step])
        return out
    outer = 1
    for d in v.shape[:ax]:
        outer *= int(d)
    inner = f // outer
    if outer == 1:  # units first: (n, inner)
        m = v.reshape(n, inner)
        if v.dtype == torch.float32:
            return torch.mv(m, r, out=out)
        step = max(1, CHUNK // inner)
        for i in range(0, n, step):
            torch.mv(_f32(m[i : i + step]), r, out=out[i : i + step])
        return out
    if inner == 1:  # units last: (outer, n); a transposed mv needs no copy
        m = v.reshape(outer, n)
        if v.dtype == torch.float32:
            return torch.mv(m.t(), r, out=out)
        out.zero_()
        step = max(1, CHUNK // n)
        for i in range(0, outer, step):
            out.addmv_(_f32(m[i : i + step]).t(), r[i : i + step])
        return out
    m = v.reshape(outer, n, inner)  # units in the middle (gates, ConvTranspose)
    r3 = r.reshape(outer, inner, 1)
    out.zero_()
    step = max(1, CHUNK // (n * inner))
    for i in range(0, outer, step):
        out += torch.bmm(_f32(m[i : i + step]), r3[i : i + step]).sum(0).flatten()
    return out


def _groups_of_close(
    s: torch.Tensor, order: torch.Tensor, tol: float, lab: Optional[torch.Tensor] = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Chains of sorted values ``s`` whose neighbours are <= tol apart (and share ``lab``).

    Returns (members, cid): ``order[...]`` of every value in a chain of >= 2, and its chain
    number 0..k-1 (chains are consecutive). A few vectorised ops, no Python loop.
    """
    empty = torch.empty(0, dtype=torch.long, device=s.device)
    if s.numel() < 2:
        return empty, empty
    close = (s[1:] - s[:-1]).abs() <= tol
    if lab is not None:
        close &= lab[1:] == lab[:-1]
    if not bool(close.any()):
        return empty, empty
    inside = torch.zeros(s.numel(), dtype=torch.bool, device=s.device)
    inside[1:] |= close
    inside[:-1] |= close
    start = torch.ones_like(inside)
    start[1:] = ~close
    chain = start.cumsum(0)[inside]
    _, cid = torch.unique_consecutive(chain, return_inverse=True)
    return order[inside], cid


def _regroup(values: torch.Tensor, cid: torch.Tensor, tol: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Split chains ``cid`` further by ``values`` (indices returned are positions in ``values``)."""
    order = torch.argsort(values)
    order = order[torch.argsort(cid[order], stable=True)]
    return _groups_of_close(values[order], order, tol, cid[order])


def _rows(w: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return w.index_select(0, idx).reshape(idx.numel(), -1)


def _confirm(w: torch.Tensor, cluster: torch.Tensor) -> list:
    """Exact duplicate groups inside one candidate cluster, one representative at a time."""
    groups = []
    remaining = cluster
    step = max(1, CHUNK // max(1, w[0].numel()))
    while remaining.numel() >= 2:
        rep = w[remaining[0]].reshape(1, -1)
        same = torch.cat([(_rows(w, remaining[i : i + step]) == rep).all(1) for i in range(0, remaining.numel(), step)])
        if int(same.sum()) >= 2:
            groups.append(sorted(remaining[same].tolist()))
        remaining = remaining[~same]
    return groups


def duplicate_groups(
    v: torch.Tensor,
    ax: int,
    p: torch.Tensor,
    s: torch.Tensor,
    order: torch.Tensor,
    scale: float,
    proj: Projector,
    labels: Optional[torch.Tensor] = None,
) -> list:
    """Groups of identical unit slices of ``v`` (unit axis ``ax``).

    ``p`` are the units' projections, ``s``/``order`` their sort, ``scale`` = max|p|.
    Candidates (close projections) are narrowed by two more projections of their slices
    only, then each survivor is compared exactly with the first member of its group.
    """
    w = v.movedim(ax, 0)
    f = max(1, w[0].numel())
    tol = CANDIDATE_TOL * scale
    lab = None
    if labels is not None:  # grouped conv: sort by (group, value), never join two groups
        order = order[torch.argsort(labels[order], stable=True)]
        s, lab = p[order], labels[order]
    members, cid = _groups_of_close(s, order, tol, lab)
    if members.numel() == 0:
        return []
    step = max(1, CHUNK // f)
    if members.numel() * 4 > p.numel():
        # Many units (a 100k-row vocabulary head) chain into clusters along one direction:
        # a second full projection pass is cheaper than reading the candidates' slices.
        p2 = project(v, ax, proj.vector(f, v.device, which=1))
        sub, cid = _regroup(p2[members], cid, CANDIDATE_TOL * float(p2.abs().max()))
        members = members[sub]
        if members.numel() == 0:
            return []
    r2 = torch.stack([proj.vector(f, v.device, which=2), proj.vector(f, v.device, which=3)], 1)
    qs, norms = [], []
    for i in range(0, members.numel(), step):
        c = _f32(_rows(w, members[i : i + step]))
        qs.append(c @ r2)
        norms.append(torch.linalg.vector_norm(c, dim=1))
    q = torch.cat(qs)
    # rounding noise scales with the slices' norms (|projection| ~ 1.04 * norm), not with the
    # projections of these few candidates, which may all be small by chance
    qtol = 4 * CANDIDATE_TOL * _SIGMA * float(torch.cat(norms).max())
    for k in range(2):
        # chains from the first pass keep their identity through cid: never joined
        sub, cid = _regroup(q[:, k], cid, qtol)
        members, q = members[sub], q[sub]
        if members.numel() == 0:
            return []
    starts = torch.ones_like(cid, dtype=torch.bool)
    starts[1:] = cid[1:] != cid[:-1]
    first = members[starts][cid]
    same = torch.cat(
        [
            (_rows(w, members[i : i + step]) == _rows(w, first[i : i + step])).all(1)
            for i in range(0, members.numel(), step)
        ]
    )
    mixed = set(cid[~same].tolist())
    groups = []
    for k, cluster in enumerate(torch.split(members, torch.bincount(cid).tolist())):
        if k in mixed:  # a coincidence in three projections: sort it out one at a time
            groups.extend(_confirm(w, cluster))
        else:
            groups.append(sorted(cluster.tolist()))
    groups.sort()
    return groups


def _aminmax(t: torch.Tensor) -> tuple[float, float]:
    try:
        lo, hi = torch.aminmax(t)
        return float(lo), float(hi)
    except (RuntimeError, NotImplementedError):  # e.g. float8 dtypes: convert chunk by chunk
        flat = t.reshape(-1)
        parts = [torch.aminmax(flat[i : i + CHUNK].float()) for i in range(0, flat.numel(), CHUNK)]
        return min(float(a) for a, _ in parts), max(float(b) for _, b in parts)


def count_nonfinite(t: torch.Tensor) -> tuple[int, int]:
    """(NaN count, Inf count), chunk by chunk (only run once something non-finite is suspected)."""
    if not t.is_contiguous():
        step = max(1, CHUNK // max(1, t[0].numel()))
        nan = inf = 0
        for i in range(0, t.shape[0], step):
            a, b = count_nonfinite(t[i : i + step].contiguous())
            nan, inf = nan + a, inf + b
        return nan, inf
    flat = t.reshape(-1)
    nan = inf = 0
    for i in range(0, flat.numel(), CHUNK):
        c = flat[i : i + CHUNK]
        if not c.is_floating_point() or c.dtype.itemsize == 1:
            c = c.float()
        nan += int(torch.isnan(c).sum())
        inf += int(torch.isinf(c).sum())
    return nan, inf


def _is_finite(x: float) -> bool:
    return x == x and x not in (float("inf"), float("-inf"))


def tensor_facts(t: torch.Tensor, layout: Optional[Layout], want_constant: bool, proj: Projector) -> Facts:
    """NaN/Inf counts, and (if asked) the repeated value and duplicate-unit groups of ``t``."""
    facts = Facts()
    if t.numel() == 0:
        return facts
    if layout is None or t.ndim < 2:
        lo, hi = _aminmax(t)
        if not (_is_finite(lo) and _is_finite(hi)):
            facts.nan, facts.inf = count_nonfinite(t)
        elif want_constant and lo == hi:
            facts.constant = hi + 0.0
        return facts
    v, ax = unit_view(t, layout)
    n = v.shape[ax]
    facts.n_units = n
    p = project(v, ax, proj.vector(v.numel() // n, v.device))
    compare = layout.compare and n >= 2

    def extremes(p: torch.Tensor) -> tuple:
        if not compare:  # no duplicate search: no sort needed
            lo, hi = _aminmax(p)
            return None, None, lo, hi
        s, order = torch.sort(p)  # NaN sorts last, -Inf first
        lo, hi = torch.stack((s[0], s[-1])).tolist()
        return s, order, lo, hi

    s, order, lo, hi = extremes(p)
    if not (_is_finite(lo) and _is_finite(hi)):
        facts.nan, facts.inf = count_nonfinite(t)
        if not facts.finite:
            return facts
        p = torch.nan_to_num(p)  # float32 overflow of huge finite values: carry on
        s, order, lo, hi = extremes(p)
    scale = max(abs(lo), abs(hi))
    if n < _FEW_UNITS and compare:
        # with few units all projections may be small by chance; the noise scale is the norm
        w = v.movedim(ax, 0)
        step = max(1, CHUNK // max(1, w[0].numel()))
        norm = max(float(torch.linalg.vector_norm(_f32(w[i : i + step].reshape(-1, w[0].numel())), dim=1).max()) for i in range(0, n, step))
        scale = max(scale, 4 * _SIGMA * norm)
    if want_constant and hi - lo <= 1e-3 * scale:
        a, b = _aminmax(t)
        if a == b:
            facts.constant = b + 0.0
            return facts
    if compare:
        labels = None
        if layout.groups > 1:
            labels = torch.arange(n, device=v.device) // (n // layout.groups)
        facts.groups = duplicate_groups(v, ax, p, s, order, scale, proj, labels)
    return facts
