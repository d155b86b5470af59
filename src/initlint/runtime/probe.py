"""The probe: a few SGD steps on copies of the suspicious tensors, to see what training does to them.

Static facts cannot tell a LoRA ``B = 0`` (trains: its random neighbours give every unit its own
gradient) from ``init_zero_`` on every layer (dead or symmetric forever). A few steps can:

- loss = sum over all floating outputs of ``output * P`` with a fixed random ``P`` (a private
  generator, drawn again for each step's output shapes, so outputs whose shape depends on the
  weights are fine). Never a plain sum: with a sum every output unit gets the same error
  signal, and a zero head would look symmetric;
- every trainable tensor is a leaf of the first step, so that its gradient (or the lack of one)
  is seen. Only the *suspicious* tensors (constant, with zero units, with duplicate units, or
  near zero) are then updated and followed through the later steps: the probe's question is
  whether *they* train next to their random neighbours, and the neighbours' own small updates do
  not change the answer. The probe stops as soon as no later step can change a verdict (every
  suspicious tensor trains, its zero units all got gradient, its identical units came apart,
  and every used tensor got some gradient): a healthy model costs one forward and backward, a
  LoRA model two (A gets gradient once B has moved), a dead layer every step;
- each update is SGD normalised per tensor (largest update = 1% of the tensor's largest value,
  or 1e-4 for a zero tensor), so a badly scaled model cannot blow up the probe while zero
  gradients still mean no update and identical gradient rows identical updates;
- gradients are consumed as the backward pass produces them (a hook per tensor) and freed at
  once, except those of the suspicious tensors; values are copy-on-write clones, so only the
  updated tensors ever take memory of their own;
- per unit: whether it ever received a non-zero gradient (INI004), and whether units that started
  identical still receive identical gradients (INI005 persists) or come apart.

The back end supplies ``forward(values) -> outputs`` over the values of ``entries`` and is
responsible for everything around it: the other tensors, modes, attributes, RNG (see
backends.torch and backends.keras).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Callable, Optional

import torch

from initlint.runtime.facts import Entry, Layout, ProbeInfo, expert_layout
from initlint.runtime.report import ProbeError
from initlint.runtime.roles import BIAS, CONSTANT_CHECKED, NORM_SCALE, NORM_SHIFT
from initlint.runtime.snapshot import cow_clone
from initlint.runtime.stats.torch import unit_view

#: roles added to activations: a zero there blocks no gradient, nothing to follow
ADDITIVE = frozenset({BIAS, NORM_SHIFT})

_SEED = 0x1517
_REL_STEP = 1e-2  # largest update, relative to the tensor's largest |value|
_ZERO_STEP = 1e-4  # largest update of an all-zero tensor
_MAX_DEPTH = 32


def floating_leaves(out: Any, _depth: int = 0) -> list:
    """All floating-point tensors in a model output: tensors, tuples/lists, dicts, ``ModelOutput``,
    dataclasses, and the parameters of a ``torch.distributions`` distribution."""
    if _depth > _MAX_DEPTH:
        return []
    if isinstance(out, torch.Tensor):
        return [out] if out.is_floating_point() or out.is_complex() else []
    if isinstance(out, Mapping):
        items = list(out.values())
    elif isinstance(out, (list, tuple)):
        items = list(out)
    elif hasattr(out, "to_tuple") and callable(out.to_tuple):
        items = list(out.to_tuple())
    elif dataclasses.is_dataclass(out) and not isinstance(out, type):
        items = [getattr(out, f.name, None) for f in dataclasses.fields(out)]
    elif _is_distribution(out):
        items = [out.__dict__[k] for k in getattr(out, "arg_constraints", {}) if k in out.__dict__]
    else:
        return []  # caches and other objects carry no trainable signal we can project
    leaves = []
    for item in items:
        leaves.extend(floating_leaves(item, _depth + 1))
    return leaves


def _is_distribution(obj: Any) -> bool:
    return any(c.__name__ == "Distribution" and c.__module__.startswith("torch.distributions")
               for c in type(obj).__mro__)


def _grad_tol(dtype: torch.dtype) -> float:
    """Relative tolerance under which two gradient rows count as identical (rounding noise)."""
    return max(1e-4, 8 * torch.finfo(dtype).eps)


def unit_rows(t: torch.Tensor, layout: Layout) -> torch.Tensor:
    """A (units, features) matrix of ``t``: row j is unit j (gate blocks joined, experts stacked).

    A view when the layout allows it, else a copy (only suspicious tensors come here)."""
    if layout.experts > 1:
        sub = expert_layout(layout)
        return torch.cat([unit_rows(t[e], sub) for e in range(t.shape[0])])
    uv, ax = unit_view(t, layout)
    rows = uv.movedim(ax, 0)
    return rows.reshape(rows.shape[0], -1)


def _split(rows: torch.Tensor, group: torch.Tensor, tol: float) -> list:
    """Split one group of unit indices into sub-groups whose gradient rows agree (within ``tol``).

    Random projections sort the rows first: rows whose projections differ by more than the
    tolerance allows are certainly apart, so only runs of close projections in three directions
    are compared row by row (usually none: the units of a layer that trains all come apart)."""
    sel = rows.index_select(0, group).float()
    slack = tol * float(sel.abs().max())
    members = torch.arange(group.numel(), device=sel.device)
    chain = torch.zeros_like(members)
    for k in range(3):
        r = _direction(sel.shape[1], sel.device, k)
        members, chain = _close_runs(sel.index_select(0, members) @ r, members, chain, slack * float(r.abs().sum()))
        if members.numel() == 0:
            return []
    out = []
    for run in torch.split(members, torch.bincount(chain).tolist()):
        if run.numel() > _PAIRWISE:
            out.extend(_link_neighbours(sel, group, run, tol))
        elif run.numel() >= 2:
            out.extend(_split_rows(sel, group, run, tol))
    return out


def _link_neighbours(sel: torch.Tensor, group: torch.Tensor, run: torch.Tensor, tol: float) -> list:
    """Sub-groups of a long run (rows all parallel to one another, as a constant head's gradient
    rows are): neighbours in projection order whose rows agree are linked, in one vectorised pass
    (bit-identical rows always end up side by side)."""
    rows = sel.index_select(0, run)
    order = torch.argsort(rows @ _direction(rows.shape[1], rows.device, 3))
    rows, run = rows[order], run[order]
    mag = rows.abs().amax(1)
    same = (rows[1:] - rows[:-1]).abs().amax(1) <= tol * torch.maximum(mag[1:], mag[:-1])
    start = torch.ones(run.numel(), dtype=torch.bool, device=run.device)
    start[1:] = ~same
    label = start.cumsum(0)
    return [group[run[label == k]] for k in torch.unique(label[1:][same]).tolist()]


def _close_runs(p: torch.Tensor, members: torch.Tensor, chain: torch.Tensor, slack: float) -> tuple:
    """Members in runs of >= 2 whose projections ``p`` lie within ``slack`` of their neighbour,
    inside the same previous run; returned sorted by run, with new run numbers 0..k-1."""
    order = torch.argsort(p)
    order = order[torch.argsort(chain[order], stable=True)]
    p, members, chain = p[order], members[order], chain[order]
    close = (torch.diff(p) <= slack) & (chain[1:] == chain[:-1])
    inside = torch.zeros(p.numel(), dtype=torch.bool, device=p.device)
    inside[1:] |= close
    inside[:-1] |= close
    start = torch.ones_like(inside)
    start[1:] = ~close
    runs = start.cumsum(0)[inside]
    if runs.numel() == 0:
        return members[:0], chain[:0]
    return members[inside], torch.unique_consecutive(runs, return_inverse=True)[1]


def _split_rows(sel: torch.Tensor, group: torch.Tensor, run: torch.Tensor, tol: float) -> list:
    """Sub-groups of ``group[run]`` whose rows (``sel[run]``) agree, one representative at a time."""
    out = []
    remaining = run
    while remaining.numel() >= 2:
        rows = sel.index_select(0, remaining)
        rep = rows[0:1]
        diff = (rows - rep).abs().amax(1)
        mag = torch.maximum(rows.abs().amax(1), rep.abs().amax())
        same = diff <= tol * mag
        if int(same.sum()) >= 2:
            out.append(group[remaining[same]])
        remaining = remaining[~same]
    return out


_DIRECTIONS: dict = {}
_PAIRWISE = 64  # runs up to this long are split row by row; longer ones by linking neighbours


def _direction(length: int, device: torch.device, which: int = 0) -> torch.Tensor:
    """A fixed random direction (entries in [0.5, 1.5) with random signs) per length and index."""
    key = (length, str(device), which)
    if key not in _DIRECTIONS:
        gen = torch.Generator().manual_seed(_SEED + 3 * length + which)
        sign = torch.randint(0, 2, (length,), generator=gen) * 2 - 1
        _DIRECTIONS[key] = ((torch.rand(length, generator=gen) + 0.5) * sign).to(device)
    return _DIRECTIONS[key]


@dataclasses.dataclass(eq=False)
class _Track:
    """What the probe follows for one tensor."""

    entry: Entry
    value: torch.Tensor
    step_size: float
    suspicious: bool = False
    zero: Optional[torch.Tensor] = None  # units whose weights are all zero (and bias <= 0)
    whole_only: bool = False  # no bias: zero units count as dead only if the whole layer is
    alive: Optional[torch.Tensor] = None  # units that received a non-zero gradient
    groups: list = dataclasses.field(default_factory=list)  # duplicate groups not yet split
    start: list = dataclasses.field(default_factory=list)
    pending: Optional[torch.Tensor] = None  # this step's gradient, for the update


def _track(e: Entry) -> _Track:
    """The probe's view of one tensor. Only suspicious tensors get a per-unit view: reading every
    healthy weight again would cost as much as a forward pass."""
    v = cow_clone(e.value)
    tr = _Track(e, v, _ZERO_STEP)
    f = e.facts
    if f is None or v.is_complex() or not v.numel():
        return tr
    lay = e.layout
    if e.spec.role in CONSTANT_CHECKED:
        tr.suspicious = f.constant is not None or f.near_zero or bool(f.groups)
    elif e.spec.role == NORM_SCALE:
        tr.suspicious = f.constant == 0
    elif e.spec.role not in ADDITIVE and e.trainable:  # a zero scale, gate or adapter factor
        tr.suspicious = not bool(v.any())  # blocks the gradient of what it multiplies
    if not tr.suspicious:
        return tr
    top = float(v.abs().max())
    tr.step_size = _REL_STEP * top if top > 0 else _ZERO_STEP
    if lay is None:
        return tr
    rows = unit_rows(v, lay)
    zero = rows.abs().amax(1) == 0
    if e.bias is not None:  # a zero unit with a bias > 0 is active: not dead
        tr.zero = zero & (e.bias.detach().reshape(-1).to(zero.device) <= 0)
    else:
        tr.zero = zero if bool(zero.all()) else torch.zeros_like(zero)
        tr.whole_only = True
    tr.alive = torch.zeros_like(zero)
    n = rows.shape[0]
    if lay.compare and f.constant is not None and n >= 2:
        tr.groups = [torch.arange(n, device=v.device)]
    elif lay.compare and f.groups:
        tr.groups = [torch.tensor(g, device=v.device) for g in f.groups]
    tr.start = [sorted(g.tolist()) for g in tr.groups]
    return tr


def _observe(tr: _Track, g: torch.Tensor) -> None:
    """Take one step's gradient of one tensor into account (called from the backward pass)."""
    info = tr.entry.probe
    info.used = True
    if g.is_sparse:
        g = g.to_dense()
    top = float(g.abs().max()) if g.numel() else 0.0
    if top == 0 or top != top or top == float("inf"):
        return
    info.any_grad = True
    if tr.alive is not None:
        rows = unit_rows(g, tr.entry.layout)
        tr.alive |= rows.abs().amax(1) > 0
        if tr.groups:
            tol = _grad_tol(g.dtype)
            tr.groups = [sub for grp in tr.groups for sub in _split(rows, grp, tol)]
    if tr.suspicious:
        tr.pending = g * (tr.step_size / top)


def _projections(leaves: list) -> list:
    gen = torch.Generator(device="cpu").manual_seed(_SEED)
    return [torch.randn(tuple(leaf.shape), generator=gen, dtype=torch.float32).to(leaf.device) for leaf in leaves]


def _loss(out: Any) -> Optional[torch.Tensor]:
    leaves = floating_leaves(out)
    if not leaves:
        return None
    total = None
    for leaf, p in zip(leaves, _projections(leaves)):
        part = (torch.view_as_real(leaf).sum(-1) if leaf.is_complex() else leaf).float().mul(p).sum()
        total = part if total is None else total + part
    return total


def run_probe(entries: list, forward: Callable[[list], Any], steps: int) -> list:
    """Run up to ``steps`` probe steps; set ``entry.probe`` on every entry; return notes."""
    tracks = [_track(e) for e in entries]
    for e in entries:
        e.probe = ProbeInfo(steps=steps)
    notes: list = []
    done = 0
    moved = False  # some tensor was updated by the last step
    for step in range(steps):
        if step == 0:
            active = tracks
        else:
            active = [t for t in tracks if (t.suspicious and not _answered(t)) or (moved and _waiting(t))]
            if not active:
                done = steps  # no later step can change a verdict: as if they had run
                break
        for t in tracks:
            t.value.requires_grad_(t in active)
        with torch.enable_grad():
            out = forward([t.value for t in tracks])
            loss = _loss(out)
            if loss is None:
                raise ProbeError(
                    "check_model_init: the probe found no floating-point tensor in the model's output, "
                    "so it cannot compute a loss; call check_model_init without example_inputs="
                )
            if not torch.isfinite(loss.detach()):
                notes.append(f"the probe's loss became non-finite at step {step + 1}; later steps were skipped")
                break
            if loss.requires_grad:
                _backward(loss, active)
        done += 1
        moved = False
        with torch.no_grad():
            for t in active:
                if t.pending is not None:
                    t.value.sub_(t.pending)  # copy-on-write: the first update gives it memory of its own
                    t.pending = None
                    moved = True
    for t in tracks:
        t.value.requires_grad_(False)
    if done == 0:
        for e in entries:
            e.probe = None
        notes.append("the probe was inconclusive (non-finite loss at the first step); only the checks without inputs apply")
        return notes
    for t in tracks:
        _conclude(t, done)
    return notes


def _answered(t: _Track) -> bool:
    """Whether later steps can no longer change this suspicious tensor's verdict: it trains, no
    zero unit is still without gradient, and no group of identical units is left."""
    if not t.entry.probe.any_grad or t.groups:
        return False
    return t.alive is None or t.zero is None or bool((t.alive | ~t.zero).all())


def _waiting(t: _Track) -> bool:
    """A used tensor without any gradient yet (LoRA's A behind B = 0): an update elsewhere may
    open its way, and it should not be reported as cut off for want of a step."""
    return t.entry.probe.used and not t.entry.probe.any_grad


def _backward(loss: torch.Tensor, active: list) -> None:
    """Backward pass whose gradients are observed and freed tensor by tensor."""
    handles = []
    for t in active:

        def hook(v: torch.Tensor, t: _Track = t) -> None:
            g, v.grad = v.grad, None
            if g is not None:
                _observe(t, g)

        handles.append(t.value.register_post_accumulate_grad_hook(hook))
    try:
        torch.autograd.backward(loss, inputs=[t.value for t in active])
    except RuntimeError as exc:
        raise ProbeError(f"check_model_init: the probe's backward pass failed: {exc}") from exc
    finally:
        for h in handles:
            h.remove()
        for t in active:
            t.value.grad = None


def _conclude(t: _Track, done: int) -> None:
    info = t.entry.probe
    info.steps = done
    if not info.used:
        return
    info.whole_dead = not info.any_grad
    f = t.entry.facts
    if t.alive is not None:
        # Dead means structurally dead, not inactive on this batch by chance: a unit with zero
        # incoming weights and a bias <= 0 (it outputs a constant the activation clamps), or
        # every unit of a zero layer without bias. A random unit without gradient may just be
        # fed a zero input (an RNN's initial hidden state); a zero layer causing that is
        # reported on its own.
        dead = (~t.alive) & t.zero
        if t.whole_only and bool(t.alive.any()):
            dead = torch.zeros_like(dead)
        info.dead_units = dead.nonzero().flatten().tolist()
        if info.dead_units and t.entry.bias is not None and not t.whole_only:
            # The bias sign explains dead units (ReLU of a constant bias) only when every zero
            # unit with a bias <= 0 got no gradient and every one with a bias > 0 did; otherwise
            # these units just got no error signal from these inputs (sampling offsets that
            # point outside a small feature map).
            zero_all = unit_rows(t.entry.value.detach(), t.entry.layout).abs().amax(1) == 0
            positive = t.entry.bias.detach().reshape(-1).to(zero_all.device) > 0
            info.bias_explains = bool(t.alive[zero_all & positive].all()) and not bool(t.alive[t.zero].any())
    elif info.whole_dead and f is not None and f.constant == 0:
        info.dead_units = [0]  # no unit axis known: the whole tensor is one dead unit
    info.persistent = sorted(sorted(g.tolist()) for g in t.groups)
    info.separated = info.persistent != sorted(t.start)
