"""The cases of test_distributed.py, run on every rank of a real gloo process group.

Started by ``torchrun --standalone --nproc-per-node N distributed_cases.py OUT GROUP``; each
rank runs every case of GROUP ("world2" or "mesh2x2") and writes ``OUT/rank<r>.json``:
{case: result}. A result holds the sharded model's report and, where there is one, the report
of the same model unsharded (built the same way in the same process), so the test can compare
them; ``untouched`` says whether every local shard, ``requires_grad`` and the module tree were
the same after the check as before.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import traceback
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.tensor import DTensor, Partial, Replicate, Shard, distribute_tensor, init_device_mesh

from initlint import check_model_init

# -------------------------------------------------------------------- models


def assorted(seed: int = 0) -> nn.Module:
    """Layers with every kind of unit axis, and planted problems:
    lin0 rows 1 and 7 identical (INI005, on different Shard(0) halves), lin1 zero (INI001),
    attn unit 1 == unit 4 in all of q/k/v (INI005, gate blocks), convt output channel 0 == 3
    (units on dim 1: INI005)."""
    torch.manual_seed(seed)
    m = nn.ModuleDict(
        {
            "lin0": nn.Linear(16, 12),
            "lin1": nn.Linear(12, 7),
            "lin2": nn.Linear(7, 4),
            "attn": nn.MultiheadAttention(6, 2),
            "convt": nn.ConvTranspose1d(6, 5, 3),
            "emb": nn.Embedding(10, 6),
            "norm": nn.LayerNorm(6),
        }
    )
    with torch.no_grad():
        m["lin0"].weight[7] = m["lin0"].weight[1]
        m["lin1"].weight.zero_()
        w = m["attn"].in_proj_weight
        for gate in range(3):
            w[gate * 6 + 4] = w[gate * 6 + 1]
        m["convt"].weight[:, 3] = m["convt"].weight[:, 0]
    return m


def mlp(seed: int = 0, plant: bool = True) -> nn.Sequential:
    """A ReLU MLP; planted: a zero hidden layer (2.weight, INI001) and rows 2 and 9 of 0.weight
    identical (INI005; on different halves when sharded on dim 0)."""
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 7), nn.ReLU(), nn.Linear(7, 4))
    if plant:
        with torch.no_grad():
            m[2].weight.zero_()
            m[0].weight[9] = m[0].weight[2]
    return m


def distribute(model: nn.Module, mesh, placements_for) -> nn.Module:
    """A copy of ``model`` whose parameters are DTensors placed by ``placements_for(tensor)``."""
    model = copy.deepcopy(model)
    for mod in model.modules():
        for name, p in list(mod.named_parameters(recurse=False)):
            d = placements_for(p.detach(), mesh)
            mod.register_parameter(name, nn.Parameter(d, requires_grad=p.requires_grad))
    return model


def placed(*placements):
    """Place >= 2-D tensors with ``placements``; 1-D ones with Shard(0) where a Shard(1) was asked."""

    def place(t, mesh):
        pls = placements if t.ndim >= 2 else tuple(Shard(0) if isinstance(p, Shard) else p for p in placements)
        return distribute_tensor(t, mesh, list(pls))

    return place


def partial(t, mesh):
    """A Partial DTensor whose pending sum is ``t``: every rank holds t / size (exact)."""
    return DTensor.from_local(t / mesh.size(), mesh, [Partial()] * mesh.ndim, run_check=False)


def strided(t, mesh):
    from torch.distributed.tensor.placement_types import _StridedShard

    if t.ndim < 2:
        return distribute_tensor(t, mesh, [Shard(0)])
    local = t.chunk(mesh.size(), 0)[mesh.get_local_rank()].contiguous()
    return DTensor.from_local(local, mesh, [_StridedShard(0, split_factor=1)], run_check=False,
                              shape=t.shape, stride=t.stride())


# -------------------------------------------------------------------- bookkeeping


def report_dict(report) -> dict:
    return {
        "problems": [{"code": p.code, "name": p.name, "message": p.message, "shape": list(p.shape), "suggestion": p.suggestion}
                     for p in report.problems],
        "notes": list(report.notes),
        "checked": report.checked,
        "probe_steps": report.probe_steps,
    }


def snapshot(model: nn.Module) -> list:
    out = []
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        local = t.to_local() if isinstance(t, DTensor) else t
        out.append((name, local.detach().clone(), t.requires_grad, type(t).__name__))
    return out


def same(a: list, b: list) -> bool:
    """Same names, flags, shapes and bytes (uninitialised memory holds NaN, which != itself)."""

    def bits(t):
        return None if t.is_meta else t.contiguous().view(-1).view(torch.uint8)

    return len(a) == len(b) and all(
        x[0] == y[0] and x[2:] == y[2:] and x[1].shape == y[1].shape and x[1].device == y[1].device
        and (x[1].is_meta or torch.equal(bits(x[1]), bits(y[1])))
        for x, y in zip(a, b)
    )


def check(model: nn.Module, **kw) -> dict:
    before = snapshot(model)
    result = report_dict(check_model_init(model, raise_on_problem=False, **kw))
    result["untouched"] = same(before, snapshot(model))
    return result


def reference(model: nn.Module, **kw) -> dict:
    return report_dict(check_model_init(model, raise_on_problem=False, **kw))


# -------------------------------------------------------------------- cases: 2 ranks


def case_dtensor_placements(mesh) -> dict:
    model = assorted()
    out = {"unsharded": reference(model)}
    for key, place in [
        ("shard0", placed(Shard(0))),
        ("shard1", placed(Shard(1))),
        ("replicate", placed(Replicate())),
        ("partial", partial),
    ]:
        out[key] = check(distribute(model, mesh, place))
    return out


def case_strided(mesh) -> dict:
    return {"sharded": check(distribute(mlp(), mesh, strided))}


def case_fsdp2(mesh) -> dict:
    from torch.distributed.fsdp import fully_shard

    model = mlp()
    out = {"unsharded": reference(model)}
    sharded = copy.deepcopy(model)
    for layer in sharded:
        if isinstance(layer, nn.Linear):
            fully_shard(layer, mesh=mesh)
    fully_shard(sharded, mesh=mesh)
    out["sharded"] = check(sharded)
    out["probe"] = check(sharded, example_inputs=torch.randn(4, 16))
    out["rank0_only"] = check(sharded, rank0_only=True)
    half = mlp().to(torch.bfloat16)
    out["unsharded_bf16"] = reference(half)
    for layer in half:
        if isinstance(layer, nn.Linear):
            fully_shard(layer, mesh=mesh)
    fully_shard(half, mesh=mesh)
    out["sharded_bf16"] = check(half)
    return out


def meta_fsdp2(mesh, width: int = 16):
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(width, 12), nn.ReLU(), nn.Linear(12, 8), nn.LayerNorm(8))
    for layer in model:
        if not isinstance(layer, nn.ReLU):
            fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model


def reset(model: nn.Module, seed: int) -> None:
    torch.manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()


def case_meta_seeds(mesh) -> dict:
    out = {"meta": check(meta_fsdp2(mesh))}
    model = meta_fsdp2(mesh)
    model.to_empty(device="cpu")
    reset(model, 0)  # the same seed on every rank
    out["same_seed"] = check(model)
    model = meta_fsdp2(mesh)
    model.to_empty(device="cpu")
    reset(model, 1000 + dist.get_rank())
    out["rank_seed"] = check(model)
    return out


def case_to_empty(mesh) -> dict:
    model = meta_fsdp2(mesh, width=4096)  # 0.weight: 12 x 4096, half per rank: fresh pages
    model.to_empty(device="cpu")
    return {"sharded": check(model)}


def case_fsdp1(mesh) -> dict:
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    from torch.distributed.fsdp.wrap import ModuleWrapPolicy

    model = mlp()
    out = {"unsharded": reference(model)}
    for uop in (False, True):
        wrapped = FSDP(copy.deepcopy(model), use_orig_params=uop, device_id=torch.device("cpu"),
                       auto_wrap_policy=ModuleWrapPolicy({nn.Linear}))
        out[f"use_orig_params={uop}"] = check(wrapped)
    return out


def case_zero3(mesh) -> dict:
    try:
        import deepspeed
    except ImportError as exc:  # not installed: the test says so
        return {"skipped": f"deepspeed not importable: {exc}"}
    # DeepSpeed's CPU accelerator JIT-compiles a shared-memory all-reduce kernel (minutes on a
    # fresh machine) that ZeRO-3 does not need: mark it unavailable, as on non-Linux platforms,
    # so that collectives go through torch.distributed (gloo).
    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
    deepspeed.init_distributed(dist_backend="gloo")
    cfg = {"train_batch_size": dist.get_world_size(), "zero_optimization": {"stage": 3}}
    unsharded = reference(mlp())
    with deepspeed.zero.Init(config_dict_or_path=cfg):
        model = mlp(plant=False)
    with deepspeed.zero.GatheredParameters([model[0].weight, model[2].weight], modifier_rank=0):
        plant = mlp()  # the same values as the unsharded reference (same seed)
        with torch.no_grad():
            model[0].weight.copy_(plant[0].weight)
            model[2].weight.copy_(plant[2].weight)
    return {"unsharded": unsharded, "sharded": check(model), "ds_params": sum(hasattr(p, "ds_tensor") for p in model.parameters())}


# -------------------------------------------------------------------- cases: 2 x 2 mesh


def case_mesh(mesh) -> dict:
    model = assorted()
    out = {"unsharded": reference(model)}
    out["shard0_shard1"] = check(distribute(model, mesh, placed(Shard(0), Shard(1))))
    out["replicate_shard0"] = check(distribute(model, mesh, placed(Replicate(), Shard(0))))
    model = meta_fsdp2(mesh)
    model.to_empty(device="cpu")
    reset(model, 0)
    out["hsdp_same_seed"] = check(model)
    return out


GROUPS = {
    "world2": [case_dtensor_placements, case_strided, case_fsdp2, case_meta_seeds, case_to_empty, case_fsdp1, case_zero3],
    "mesh2x2": [case_mesh],
}


def main() -> None:
    out_dir, group = Path(sys.argv[1]), sys.argv[2]
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    dist.init_process_group("gloo", timeout=timedelta(seconds=90))
    rank, size = dist.get_rank(), dist.get_world_size()
    if group == "mesh2x2":  # names: fully_shard takes a 2-D mesh as (replicate, shard), i.e. HSDP
        mesh = init_device_mesh("cpu", (2, size // 2), mesh_dim_names=("replicate", "shard"))
    else:
        mesh = init_device_mesh("cpu", (size,))
    results = {}
    for case in GROUPS[group]:
        try:
            results[case.__name__[5:]] = case(mesh)
        except Exception:  # sent back to the test, which fails with it
            results[case.__name__[5:]] = {"error": traceback.format_exc()}
        dist.barrier()
    (out_dir / f"rank{rank}.json").write_text(json.dumps(results, indent=1))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
