"""INI007 on real ``to_empty()`` output: a model materialised and never initialised gets one
problem that names ``to_empty`` and the fix; initialised models, a lone NaN and a lone zero
layer do not. (The sharded case is in test_distributed.py.)"""

import pytest
import torch
from torch import nn

from initlint import check_model_init


def run(model, **kw):
    return check_model_init(model, raise_on_problem=False, **kw)


def materialised(init: bool = False) -> nn.Module:
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(64, 512), nn.ReLU(), nn.Linear(512, 512), nn.LayerNorm(512), nn.Linear(512, 10))
    model.to_empty(device="cpu")
    if init:
        for m in model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
    return model


def test_to_empty_without_init_is_one_problem_naming_to_empty():
    for _ in range(10):  # memory differs each time: zeros, NaN, garbage, in changing places
        keep = torch.randn(int(torch.randint(1000, 200_000, (1,))))  # churn the allocator
        (problem,) = run(materialised()).problems
        assert problem.code == "INI007" and problem.rule == "uninitialised-memory"
        assert "to_empty" in problem.message and "uninitialised memory" in problem.message
        assert "init_weights()" in problem.suggestion and "reset_parameters" in problem.suggestion
        del keep


def test_to_empty_then_reset_parameters_is_clean():
    assert run(materialised(init=True)).ok


def test_ignoring_ini007_gives_the_per_tensor_problems_back():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 4))
    with torch.no_grad():
        model[0].weight.zero_()
        model[2].bias[0] = float("nan")
    assert [(p.code, p.name) for p in run(model).problems] == [("INI007", "0.weight")]
    report = run(model, ignore=["INI007"])
    assert [(p.code, p.name) for p in report.problems] == [("INI001", "0.weight"), ("INI006", "2.bias")]


def test_allow_silences_it_by_the_name_it_reports():
    model = materialised()
    (problem,) = run(model).problems
    report = run(model, allow=[problem.name])
    assert report.ok and [p.code for p in report.allowed] == ["INI007"]


@pytest.mark.parametrize("value", [1e-40, -3e-35, 2e20, -1e30])
def test_one_absurd_value_is_uninitialised_memory_of_that_tensor(value):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    with torch.no_grad():
        model[2].bias[1] = value  # torch.empty never filled: pointers and integers read as floats
    (problem,) = run(model).problems
    assert (problem.code, problem.name) == ("INI007", "2.bias")
    assert "2.bias" in problem.message and "0.weight" not in problem.message


def test_nan_alone_and_zeros_alone_keep_their_own_codes():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 4))
    with torch.no_grad():
        model[0].bias[3] = float("nan")  # a diverged checkpoint, not to_empty
    assert [p.code for p in run(model).problems] == ["INI006"]
    with torch.no_grad():
        model[0].bias[3] = 0.0
        model[2].weight.zero_()  # a large zero layer beside healthy values
    assert [(p.code, p.name) for p in run(model).problems] == [("INI001", "2.weight")]
    with torch.no_grad():
        model[0].bias[3] = float("nan")  # both: the to_empty signature
    assert [p.code for p in run(model).problems] == ["INI007"]


def test_masks_in_buffers_are_not_evidence():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    model.register_buffer("mask", torch.full((4, 4), torch.finfo(torch.float32).min).triu(1))
    model.register_buffer("tiny", torch.full((3,), 1e-38))
    assert run(model).ok
