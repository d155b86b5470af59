"""Sharded PyTorch tensors, checked where they live (torch.distributed).

Three kinds of sharded parameters are recognised, each turned into the blocks of its global
tensor that this rank holds (stats.combine does the rest, with the process group as its
communicator):

- a ``DTensor`` (tensor parallelism, FSDP2 ``fully_shard``): ``Shard(d)`` and ``Replicate`` on
  any number of mesh dimensions; a ``Partial`` dimension is first reduced to ``Replicate``
  (a copy the size of the local shard, never of the whole tensor); only the rank at
  coordinate 0 of each replicated dimension contributes, so replicas count once;
- an FSDP1 flat parameter (``FullyShardedDataParallel``, with or without
  ``use_orig_params``): each original parameter's run of the rank's flat shard;
- a DeepSpeed ZeRO-3 parameter (``ds_tensor``, a run of the flattened parameter).

Nothing here changes the model: local shards are read through views under ``no_grad``.
Every rank must call ``check_model_init`` (the checks are collective); every rank gets the
same facts. Placements not handled yet (``_StridedShard``, sub-meshes) become a note naming
the tensor. Imported only when torch is in ``sys.modules``; finds nothing unless
``torch.distributed`` is initialised.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import torch

from initlint.runtime import roles
from initlint.runtime.facts import Entry, resolve_layout
from initlint.runtime.stats import combine

#: path segments that FSDP1 and activation checkpointing insert into parameter names
WRAPPER_SEGMENTS = frozenset({"_fsdp_wrapped_module", "_checkpoint_wrapped_module"})


@dataclass
class Flat:
    """A tensor of ``shape`` of which this rank holds ``blocks`` (from a flat shard)."""

    shape: tuple
    blocks: list
    kind: str  # "FSDP flat parameter" or "DeepSpeed ZeRO-3 parameter"


def _dist() -> Any:
    """torch.distributed when it is initialised, else None (so nothing here runs)."""
    dist = sys.modules.get("torch.distributed")
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return None
    return dist


def rank() -> int:
    """This process's rank (0 without torch.distributed)."""
    dist = _dist()
    return dist.get_rank() if dist is not None else 0


def _dtensor_type() -> Any:
    mod = sys.modules.get("torch.distributed.tensor")
    return getattr(mod, "DTensor", None)


def is_sharded(value: Any) -> bool:
    dt = _dtensor_type()
    return isinstance(value, Flat) or (dt is not None and isinstance(value, dt))


def clean_name(name: str) -> str:
    """``_fsdp_wrapped_module.0.weight`` -> ``0.weight``: the name in the unwrapped model."""
    return ".".join(p for p in name.split(".") if p not in WRAPPER_SEGMENTS)


class TorchComm:
    """stats.combine's Communicator over the default process group."""

    def __init__(self, dist: Any) -> None:
        self._dist = dist
        self.size = dist.get_world_size()
        backend = str(dist.get_backend())
        gpu = "nccl" in backend and "gloo" not in backend  # "cpu:gloo,cuda:nccl" takes CPU tensors
        self._device = torch.device("cuda", torch.cuda.current_device()) if gpu else torch.device("cpu")

    def all_gather(self, a: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(self._device)
        out = [torch.empty_like(t) for _ in range(self.size)]
        self._dist.all_gather(out, t)
        return torch.stack(out).cpu().numpy()


# --------------------------------------------------------------------------- flat shards


def _flat_blocks(shape: tuple, start: int, piece: torch.Tensor, owner_rank: int) -> list:
    """Blocks of a tensor of ``shape`` from ``piece``, its flat elements [start, start+len)."""
    out = []
    for a, b, offset, bshape in combine.flat_ranges(tuple(int(s) for s in shape), start, start + piece.numel()):
        out.append(combine.Block(piece[a - start : b - start].view(bshape), offset, owner_rank))
    return out


def _entry(name: str, owner: Any, local: str, shape: tuple, trainable: bool, value: Flat) -> Entry:
    spec = roles.torch_spec(owner, local, tuple(int(s) for s in shape))
    groups = int(getattr(owner, spec.groups_attr, 1) or 1) if spec.groups_attr else 1
    return Entry(name, value, tuple(shape), spec, "param", trainable, resolve_layout(spec, tuple(shape), groups, trainable))


def _fsdp1(path: str, module: Any, dist: Any) -> tuple[dict, list]:
    """{id(tensor): [Entry]} for the flat parameter of one FSDP1 module (and its views)."""
    handle = getattr(module, "_handle", None)
    fp = getattr(handle, "flat_param", None)
    if fp is None:
        return {}, []
    needed = ("_fqns", "_shapes", "_param_infos", "_shard_param_infos")
    if not all(hasattr(fp, a) for a in needed):
        return {}, [f"FSDP flat parameter of {clean_name(path) or 'the model'} not recognised (this torch version "
                    "keeps other internals), so its parameters were not checked"]
    sharded_size = getattr(fp, "_sharded_size", None)
    if sharded_size is not None and fp.numel() != sharded_size.numel():
        return {}, []  # unsharded right now (summon_full_params): the original parameters are visible
    me = dist.get_rank()
    holds = True
    if not getattr(handle, "uses_sharded_strategy", True):
        holds = getattr(handle, "rank", me) == 0  # NO_SHARD: every rank has it all; rank 0 speaks
    inter = getattr(module, "_inter_node_pg", None)
    if inter is not None and dist.get_world_size(inter) > 1:
        holds = holds and dist.get_rank(inter) == 0  # HYBRID_SHARD: replicas across nodes
    prefix = path + "._fsdp_wrapped_module." if path else "_fsdp_wrapped_module."
    views = getattr(fp, "_params", None) or [None] * len(fp._fqns)
    found: dict = {id(fp): []}
    by_param: dict = {}
    for fqn, shape, pinfo, sinfo, view in zip(fp._fqns, fp._shapes, fp._param_infos, fp._shard_param_infos, views):
        blocks = []
        if holds and sinfo.in_shard:
            piece = fp.detach()[sinfo.offset_in_shard : sinfo.offset_in_shard + sinfo.numel_in_shard]
            blocks = _flat_blocks(tuple(shape), sinfo.intra_param_start_idx, piece, me)
        trainable = bool(view.requires_grad if view is not None else fp.requires_grad)
        e = _entry(clean_name(prefix + fqn), pinfo.module, pinfo.param_name, tuple(shape), trainable,
                   Flat(tuple(shape), blocks, "FSDP flat parameter"))
        found[id(fp)].append(e)
        by_param[(id(pinfo.module), pinfo.param_name)] = e
        if view is not None:
            found[id(view)] = [e]
    for shared in getattr(fp, "_shared_param_infos", ()) or ():
        e = by_param.get((id(shared.prim_module), shared.prim_param_name))
        if e is not None:
            e.aliases += (clean_name(prefix + (shared.module_name + "." if shared.module_name else "") + shared.param_name),)
    return found, []


def _zero3(name: str, p: Any, modules: dict, dist: Any) -> tuple[Optional[Entry], Optional[str]]:
    """The Entry of one partitioned DeepSpeed ZeRO-3 parameter (None: not partitioned now)."""
    numel = int(p.ds_numel)
    if p.numel() == numel:
        return None, None  # gathered right now (GatheredParameters): an ordinary tensor
    group = getattr(p, "ds_process_group", None)
    if dist.get_world_size(group) != dist.get_world_size():
        return None, f"{name} (ZeRO-3 partitions over {dist.get_world_size(group)} of {dist.get_world_size()} ranks: not supported yet)"
    part = p.ds_tensor.detach().reshape(-1)
    per_rank = int(getattr(p.ds_tensor, "ds_numel", part.numel()))
    start = dist.get_rank(group) * per_rank
    piece = part[: max(0, min(per_rank, numel - start))]
    shape = tuple(int(s) for s in p.ds_shape)
    prefix, _, local = name.rpartition(".")
    return _entry(name, modules.get(prefix), local, shape, bool(p.requires_grad),
                  Flat(shape, _flat_blocks(shape, start, piece, dist.get_rank()), "DeepSpeed ZeRO-3 parameter")), None


def flat_parameters(model: torch.nn.Module, modules: dict) -> tuple[dict, list]:
    """Entries for FSDP1 flat parameters and ZeRO-3 parameters: {id(tensor): [Entry, ...]}
    (the tensor the model exposes; its entries carry the original names), and notes."""
    dist = _dist()
    if dist is None:
        return {}, []
    found: dict = {}
    notes: list = []
    for path, m in modules.items():
        if type(m).__name__ == "FullyShardedDataParallel":
            more, why = _fsdp1(path, m, dist)
            found.update(more)
            notes.extend(why)
    skipped = []
    for name, p in model.named_parameters():
        if hasattr(p, "ds_id") and hasattr(p, "ds_tensor") and id(p) not in found:
            e, why = _zero3(name, p, modules, dist)
            if why:
                skipped.append(why)
                found[id(p)] = []
            elif e is not None:
                found[id(p)] = [e]
    if skipped:
        notes.append("not checked: " + ", ".join(skipped))
    return found, notes


# --------------------------------------------------------------------------- DTensor


def _mesh_facts(mesh: Any, meshes: dict) -> tuple:
    """(ranks in the mesh, its shape, this rank's coordinate), asked once per mesh (DeviceMesh
    computes each of them anew, at ~0.1 ms a question)."""
    got = meshes.get(id(mesh))
    if got is None:
        got = meshes[id(mesh)] = (mesh.mesh.numel(), tuple(mesh.mesh.shape), mesh.get_coordinate(), mesh)
    return got[:3]


def _dtensor_blocks(t: Any, rank: int, world: int, meshes: dict) -> tuple[list, Optional[str]]:
    """This rank's block of DTensor ``t`` (none on a replica), or why it cannot be read."""
    from torch.distributed.tensor import Partial, Replicate, Shard

    mesh = t.device_mesh
    size, mesh_shape, coord = _mesh_facts(mesh, meshes)
    if size != world:
        return [], f"sharded over {size} of the {world} ranks: not supported yet"
    placements = tuple(t.placements)
    # exact types: _StridedShard (FSDP2 over tensor parallelism) was once a Shard subclass
    odd = [p for p in placements if type(p) not in (Shard, Replicate) and not isinstance(p, Partial)]
    if odd:
        return [], f"placement {type(odd[0]).__name__} {odd[0]} is not supported yet"
    if any(isinstance(p, Partial) for p in placements):  # pending sums: reduce them (shard-sized)
        placements = tuple(Replicate() if isinstance(p, Partial) else p for p in placements)
        t = t.redistribute(mesh, placements)
    if coord is None or any(isinstance(p, Replicate) and c != 0 for p, c in zip(placements, coord)):
        return [], None
    local = t.to_local()
    shape, offset = _local_block(tuple(t.shape), mesh, mesh_shape, placements, coord)
    if tuple(local.shape) != tuple(shape):
        return [], f"its local shard has shape {tuple(local.shape)}, placements {placements} say {tuple(shape)}"
    return [combine.Block(local, tuple(offset), rank)], None


def _local_block(shape: tuple, mesh: Any, mesh_shape: tuple, placements: tuple, coord: list) -> tuple:
    """(local shape, global offset) of this rank's block: each tensor dimension sharded by one
    mesh dimension is split as torch.chunk splits it (that is DTensor's rule); anything else is
    left to DTensor's own helper (a private one, and ~0.3 ms a call)."""
    from torch.distributed.tensor import Shard

    dims = [p.dim for p in placements if isinstance(p, Shard)]
    if len(dims) != len(set(dims)):
        from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

        return compute_local_shape_and_global_offset(shape, mesh, placements)
    size, offset = list(shape), [0] * len(shape)
    for i, p in enumerate(placements):
        if isinstance(p, Shard):
            d = p.dim % len(shape)
            chunk = -(-shape[d] // mesh_shape[i])
            start = min(coord[i] * chunk, shape[d])
            size[d], offset[d] = min(chunk, shape[d] - start), start
    return tuple(size), tuple(offset)


# --------------------------------------------------------------------------- facts


def compute_facts(entries: list, kernel: Any, wants_constant: Callable[[Entry], bool]) -> tuple[list, list]:
    """Facts of the sharded entries, computed together by every rank; returns the other
    entries (for the ordinary path) and notes."""
    sharded = [e for e in entries if is_sharded(e.value)]
    if not sharded:
        return entries, []
    rest = [e for e in entries if not is_sharded(e.value)]
    dist = _dist()
    rank, world = dist.get_rank(), dist.get_world_size()
    items, checked, notes, meshes = [], [], [], {}
    for e in sharded:
        if isinstance(e.value, Flat):
            blocks, why = e.value.blocks, None
        else:
            blocks, why = _dtensor_blocks(e.value, rank, world, meshes)  # (under no_grad: no autograd graph)
        if why:
            notes.append(f"not checked: {e.name} ({why})")
            continue
        items.append(combine.Item(e.name, e.shape, e.layout, wants_constant(e), blocks))
        checked.append(e)
    for e, result in zip(checked, combine.facts(items, kernel, TorchComm(dist))):
        if isinstance(result, str):
            notes.append(f"not checked: {e.name} ({result})")
        else:
            e.facts = result
    return rest, notes


def probe_note(entries: list) -> Optional[str]:
    """Why the probe cannot run on this model yet (sharded parameters), or None."""
    names = [e.name for e in entries if is_sharded(e.value)]
    if not names:
        return None
    return ("probe skipped: the model has sharded parameters (FSDP, DTensor, ZeRO-3), and the probe does not run "
            "sharded models yet; the checks without inputs ran on every shard")
