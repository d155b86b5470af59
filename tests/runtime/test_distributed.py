"""check_model_init on sharded models, in real torch.distributed process groups (gloo, CPU).

The cases live in distributed_cases.py. ``torchrun --standalone`` starts them once per group
(2 ranks; and a 2 x 2 mesh on 4 ranks), every rank writes its reports, and the tests below
read them. Under pytest-xdist the first worker that needs a group starts it and the others
wait for its results (a file lock), so each group runs once per session.

A sharded model must give the report of the same model unsharded (same codes, names and
messages) on every rank, leave every local shard untouched, and never crash on what it cannot
read yet (a note instead).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

CASES = Path(__file__).with_name("distributed_cases.py")

pytestmark = pytest.mark.skipif(
    not (torch.distributed.is_available() and torch.distributed.is_gloo_available()),
    reason="torch.distributed with gloo is not available in this torch build",
)


def _launch(out: Path, group: str, nproc: int) -> list:
    done = out / "done"
    if not done.exists():
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}",
               str(CASES), str(out), group]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "DS_ACCELERATOR": "cpu"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
        (out / "log.txt").write_text(proc.stdout + proc.stderr)
        assert proc.returncode == 0, f"{group} failed:\n{proc.stderr[-4000:]}"
        done.touch()
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(nproc)]


def _group(request, tmp_path_factory, group: str, nproc: int) -> list:
    from filelock import FileLock  # a torch dependency

    root = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # an xdist worker: share with the others
        root = root.parent
    out = root / f"initlint-{group}"
    out.mkdir(exist_ok=True)
    with FileLock(str(out) + ".lock"):
        return _launch(out, group, nproc)


@pytest.fixture(scope="module")
def world2(request, tmp_path_factory):
    return _group(request, tmp_path_factory, "world2", 2)


@pytest.fixture(scope="module")
def mesh2x2(request, tmp_path_factory):
    return _group(request, tmp_path_factory, "mesh2x2", 4)


def case(ranks: list, name: str) -> list:
    results = [r[name] for r in ranks]
    for r in results:
        assert "error" not in r, r["error"]
    return results


def problems(report: dict) -> list:
    return [(p["code"], p["name"], p["message"]) for p in report["problems"]]


def codes(report: dict) -> list:
    return [(p["code"], p["name"]) for p in report["problems"]]


ASSORTED = [
    ("INI005", "lin0.weight"),  # rows 1 and 7: on different Shard(0) halves
    ("INI001", "lin1.weight"),
    ("INI005", "attn.in_proj_weight"),  # q/k/v gate blocks, cut mid-gate by Shard(0)
    ("INI005", "convt.weight"),  # units on dim 1
]


@pytest.mark.parametrize("placement", ["shard0", "shard1", "replicate", "partial"])
def test_dtensor_reports_like_the_unsharded_model(world2, placement):
    for result in case(world2, "dtensor_placements"):
        assert codes(result["unsharded"]) == ASSORTED
        assert problems(result[placement]) == problems(result["unsharded"])
        assert result[placement]["checked"] == result["unsharded"]["checked"]
        assert result[placement]["untouched"]


@pytest.mark.parametrize("placement", ["shard0_shard1", "replicate_shard0"])
def test_2x2_mesh_reports_like_the_unsharded_model(mesh2x2, placement):
    for result in case(mesh2x2, "mesh"):
        assert codes(result["unsharded"]) == ASSORTED
        assert problems(result[placement]) == problems(result["unsharded"])
        assert result[placement]["untouched"]


def test_strided_shard_is_a_note_naming_the_tensor(world2):
    for result in case(world2, "strided"):
        report = result["sharded"]
        assert report["problems"] == [] and result["sharded"]["untouched"]
        for name in ("0.weight", "2.weight", "4.weight"):
            assert any(name in n and "_StridedShard" in n and "not supported yet" in n for n in report["notes"])


def test_fsdp2_zeroed_hidden_layer_like_unsharded(world2):
    for result in case(world2, "fsdp2"):
        assert codes(result["unsharded"]) == [("INI005", "0.weight"), ("INI001", "2.weight")]
        assert problems(result["sharded"]) == problems(result["unsharded"])
        assert result["sharded"]["untouched"]


def test_fsdp2_bfloat16_like_unsharded(world2):
    for result in case(world2, "fsdp2"):
        assert codes(result["unsharded_bf16"]) == [("INI005", "0.weight"), ("INI001", "2.weight")]
        assert problems(result["sharded_bf16"]) == problems(result["unsharded_bf16"])
        assert result["sharded_bf16"]["untouched"]


def test_fsdp2_probe_is_skipped_with_a_note(world2):
    for result in case(world2, "fsdp2"):
        report = result["probe"]
        assert report["probe_steps"] is None and report["untouched"]
        assert problems(report) == problems(result["unsharded"])
        assert any("probe skipped" in n and "sharded" in n for n in report["notes"])


def test_rank0_only_reports_on_rank_0(world2):
    rank0, rank1 = case(world2, "fsdp2")
    assert problems(rank0["rank0_only"]) == problems(rank0["sharded"])
    assert rank1["rank0_only"]["problems"] == [] and "rank 0" in rank1["rank0_only"]["notes"][0]


def test_same_seed_on_every_rank_is_a_cross_rank_duplicate(world2):
    for result in case(world2, "meta_seeds"):
        report = result["same_seed"]
        assert codes(report) == [("INI005", "0.weight"), ("INI005", "2.weight")]
        first = report["problems"][0]["message"]
        assert "identical shards on ranks 0 and 1" in first and "{0-5} on rank 0 repeat as {6-11} on rank 1" in first
        assert "same random numbers" in first and "manual_seed(seed + rank)" in report["problems"][0]["suggestion"]


def test_seed_per_rank_is_clean(world2):
    for result in case(world2, "meta_seeds"):
        assert result["rank_seed"]["problems"] == [] and result["rank_seed"]["checked"] == 6


def test_meta_device_is_a_note(world2):
    for result in case(world2, "meta_seeds"):
        report = result["meta"]
        assert report["problems"] == [] and report["checked"] == 0
        assert any("meta device" in n and "to_empty" in n for n in report["notes"])


def test_hsdp_same_seed_on_a_2x2_mesh(mesh2x2):
    for result in case(mesh2x2, "mesh"):
        report = result["hsdp_same_seed"]
        assert codes(report) == [("INI005", "0.weight"), ("INI005", "2.weight")]
        assert "identical shards on ranks 0 and 1" in report["problems"][0]["message"]


def test_to_empty_without_init_sharded_is_one_problem(world2):
    for result in case(world2, "to_empty"):
        (problem,) = result["sharded"]["problems"]
        assert problem["code"] == "INI007" and "to_empty" in problem["message"]
        assert result["sharded"]["untouched"]


@pytest.mark.parametrize("uop", [False, True])
def test_fsdp1_flat_parameters_like_unsharded(world2, uop):
    for result in case(world2, "fsdp1"):
        report = result[f"use_orig_params={uop}"]
        assert codes(result["unsharded"]) == [("INI005", "0.weight"), ("INI001", "2.weight")]
        assert problems(report) == problems(result["unsharded"])
        assert report["checked"] == result["unsharded"]["checked"] and report["untouched"]


def test_deepspeed_zero3_like_unsharded(world2):
    for result in case(world2, "zero3"):
        if "skipped" in result:
            pytest.skip(result["skipped"])
        assert result["ds_params"] == 6  # really partitioned by DeepSpeed
        assert codes(result["unsharded"]) == [("INI005", "0.weight"), ("INI001", "2.weight")]
        assert problems(result["sharded"]) == problems(result["unsharded"])
        assert result["sharded"]["untouched"]


def test_every_rank_gets_the_same_report(world2, mesh2x2):
    for ranks in (world2, mesh2x2):
        for name in ranks[0]:
            results = case(ranks, name)
            for key in results[0]:
                if key != "rank0_only" and isinstance(results[0][key], dict):
                    assert all(r[key] == results[0][key] for r in results), (name, key)
