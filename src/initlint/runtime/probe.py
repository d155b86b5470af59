"""The probe: a few SGD steps on a *copy* of the trainable tensors, to see what training does.

Static facts cannot tell a LoRA ``B = 0`` (trains: its random neighbours give every unit its own
gradient) from ``init_zero_`` on every layer (dead or symmetric forever). A few steps can:

- loss = sum over all floating outputs of ``output * P`` with a fixed random ``P`` (a private
  generator). Never a plain sum: with a sum every output unit gets the same error signal, and a
  zero head would look symmetric;
- each step is SGD whose step is normalised per tensor (largest update = 1% of the tensor's
  largest value, or 1e-4 for a zero tensor), so a badly scaled model cannot blow up the probe
  while zero gradients still mean no update and identical gradient rows identical updates;
- per unit, whether it ever received a non-zero gradient (INI004), and whether units that
  started identical still receive identical gradients (INI005 persists) or come apart.

The back end supplies ``forward(values) -> outputs``; it is responsible for running that
forward on copies of buffers and restoring modes and RNG state (see backends.torch and backends.keras).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import torch

from initlint.runtime.facts import ProbeInfo
from initlint.runtime.report import ProbeError
from initlint.runtime.stats.torch import unit_view

_SEED = 0x1517
_REL_STEP = 1e-2  # largest update, relative to the tensor's largest |value|
_ZERO_STEP = 1e-4  # largest update of an all-zero tensor


def floating_leaves(out: Any, _depth: int = 0) -> list:
    """All floating-point tensors in a model output: tensor, tuple/list, dict, ModelOutput-like."""
    if _depth > 32:
        return []
    if isinstance(out, torch.Tensor):
        return [out] if out.is_floating_point() else []
    if isinstance(out, Mapping):
        items = list(out.values())
    elif isinstance(out, (list, tuple)):
        items = list(out)
    elif hasattr(out, "to_tuple") and callable(out.to_tuple):
        items = list(out.to_tuple())
    else:
        return []  # caches and other objects carry no trainable signal we can project
    leaves = []
    for item in items:
        leaves.extend(floating_leaves(item, _depth + 1))
    return leaves


def _grad_tol(dtype: torch.dtype) -> float:
    """Relative tolerance under which two gradient rows count as identical (rounding noise)."""
    return max(1e-4, 8 * torch.finfo(dtype).eps)


def _split(rows_of: Callable, group: torch.Tensor, tol: float) -> list:
    """Split one group of unit indices into sub-groups whose gradient rows agree."""
    out = []
    remaining = group
    while remaining.numel() >= 2:
        rows = rows_of(remaining).float()
        rep = rows[0:1]
        diff = (rows - rep).abs().amax(1)
        mag = torch.maximum(rows.abs().amax(1), rep.abs().amax())
        same = diff <= tol * mag
        if int(same.sum()) >= 2:
            out.append(remaining[same])
        remaining = remaining[~same]
    return out


def run_probe(entries: list, forward: Callable[[list], Any], steps: int) -> list:
    """Run ``steps`` probe steps; set ``entry.probe`` on every entry; return notes."""
    gen = torch.Generator(device="cpu").manual_seed(_SEED)
    values = [e.value.detach().clone().requires_grad_(True) for e in entries]
    sizes = []
    state = []
    for e, v in zip(entries, values):
        top = float(v.detach().abs().max()) if v.numel() else 0.0
        sizes.append(_REL_STEP * top if top > 0 else _ZERO_STEP)
        zero_units = alive = None
        whole_only = False
        groups = []
        if e.layout is not None and v.numel():
            uv, ax = unit_view(v.detach(), e.layout)
            other = tuple(d for d in range(uv.ndim) if d != ax)
            zero_units = uv.abs().amax(dim=other) == 0
            if e.bias is not None:  # a zero unit with a bias > 0 is active: not dead
                zero_units &= e.bias.detach().to(zero_units.device) <= 0
            else:  # no bias: zero units count as dead only if the whole layer is
                zero_units = zero_units if bool(zero_units.all()) else torch.zeros_like(zero_units)
                whole_only = True
            alive = torch.zeros_like(zero_units)
            n = uv.shape[ax]
            if not e.layout.compare:  # embeddings (rows are tokens), frozen tensors
                pass
            elif e.facts is not None and e.facts.constant is not None and n >= 2:
                groups = [torch.arange(n, device=v.device)]
            elif e.facts is not None:
                groups = [torch.tensor(g, device=v.device) for g in e.facts.groups]
        start = [sorted(g.tolist()) for g in groups]
        state.append({"zero": zero_units, "whole_only": whole_only, "alive": alive, "groups": groups, "start": start})
        e.probe = ProbeInfo(steps=steps)

    notes = []
    projections = None
    done = 0
    for step in range(steps):
        with torch.enable_grad():
            out = forward(values)
            leaves = floating_leaves(out)
            if projections is None:
                if not leaves:
                    raise ProbeError(
                        "check_model_init: the probe found no floating-point tensor in the model's output, "
                        "so it cannot compute a loss; call check_model_init without example_inputs="
                    )
                projections = [
                    torch.randn(tuple(leaf.shape), generator=gen, dtype=torch.float32).to(leaf.device) for leaf in leaves
                ]
            if len(leaves) != len(projections) or any(a.shape != p.shape for a, p in zip(leaves, projections)):
                raise ProbeError("check_model_init: the model's outputs changed shape between probe steps")
            loss = sum((leaf.float() * p).sum() for leaf, p in zip(leaves, projections))
            if not torch.isfinite(loss.detach()):
                notes.append(f"the probe's loss became non-finite at step {step + 1}; later steps were skipped")
                break
            if loss.requires_grad:
                try:
                    grads = torch.autograd.grad(loss, values, allow_unused=True)
                except RuntimeError as exc:
                    raise ProbeError(f"check_model_init: the probe's backward pass failed: {exc}") from exc
            else:
                grads = [None] * len(values)
        done += 1
        with torch.no_grad():
            for e, v, g, st, size in zip(entries, values, grads, state, sizes):
                if g is None:
                    continue
                info = e.probe
                info.used = True
                top = float(g.abs().max()) if g.numel() else 0.0
                if top == 0 or top != top or top == float("inf"):
                    continue
                info.any_grad = True
                if st["alive"] is not None:
                    gu, ax = unit_view(g, e.layout)
                    other = tuple(d for d in range(gu.ndim) if d != ax)
                    st["alive"] |= gu.abs().amax(dim=other) > 0
                    if st["groups"]:
                        w = gu.movedim(ax, 0)

                        def rows_of(idx, w=w):
                            return w.index_select(0, idx).reshape(idx.numel(), -1)

                        tol = _grad_tol(g.dtype)
                        st["groups"] = [sub for grp in st["groups"] for sub in _split(rows_of, grp, tol)]
                v.sub_(g * (size / top))
    if done == 0:
        for e in entries:
            e.probe = None
        notes.append("the probe was inconclusive (non-finite loss at the first step); only the checks without inputs apply")
        return notes

    for e, st in zip(entries, state):
        info = e.probe
        info.steps = done
        if not info.used:
            continue
        info.whole_dead = not info.any_grad
        if st["alive"] is not None:
            # Dead means structurally dead, not inactive on this batch by chance: a unit with
            # zero incoming weights and a bias <= 0 (it outputs a constant the activation
            # clamps), or every unit of a zero layer without bias. A random unit without
            # gradient may just be fed a zero input (an RNN's initial hidden state); a zero
            # layer causing that is reported on its own.
            dead = (~st["alive"]) & st["zero"]
            if st["whole_only"] and bool(st["alive"].any()):
                dead = torch.zeros_like(dead)
            info.dead_units = dead.nonzero().flatten().tolist()
        elif info.whole_dead and e.facts is not None and e.facts.constant == 0:
            info.dead_units = [0]  # no unit axis known: the whole tensor is one dead unit
        info.persistent = sorted(sorted(g.tolist()) for g in st["groups"])
        info.separated = info.persistent != sorted(st["start"])
    return notes

