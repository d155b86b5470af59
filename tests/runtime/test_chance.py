"""Duplicate units by chance (runtime/chance.py): the Poisson threshold, the collision model
against real random draws, and check_model_init on fan-in-1 and half-precision layers."""

import math

import pytest
import torch
from torch import nn

from initlint import check_model_init
from initlint.runtime import chance
from initlint.runtime.facts import Layout
from initlint.runtime.stats.torch import Projector, tensor_facts


def poisson_tail(mean: float, k: int) -> float:
    """P(X > k) for X ~ Poisson(mean), summed in log space (independent of chance.py's loop)."""
    below = sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(k + 1))
    return max(0.0, 1.0 - below)


@pytest.mark.parametrize("mean", [1e-9, 0.01, 0.5, 3.0, 40.0, 600.0])
def test_allowed_pairs_is_the_poisson_quantile(mean):
    k = chance.allowed_pairs(mean)
    assert poisson_tail(mean, k) < chance.ALPHA
    if k > 0:
        assert poisson_tail(mean, k - 1) >= chance.ALPHA


def test_allowed_pairs_for_large_means_and_zero():
    assert chance.allowed_pairs(0.0) == 0
    assert chance.allowed_pairs(10_000) == 10_000 + 500


def test_pools_count_pairs_only_within_each_pool():
    one = chance.expected_pairs([64], 1, 2.0**-7)
    four = chance.expected_pairs([16] * 4, 1, 2.0**-7)
    assert four == pytest.approx(one * (4 * 120) / 2016)
    assert chance.observed_pairs([[0, 1, 2], [5, 9]]) == 4


def _observed(w: torch.Tensor) -> int:
    return chance.observed_pairs(tensor_facts(w, Layout(0), True, Projector()).groups)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("fan_in", [1, 2, 3])
@pytest.mark.parametrize("init", ["uniform", "normal"])
def test_the_collision_model_bounds_real_draws(dtype, fan_in, init):
    """Random inits rounded to each dtype: the model's expected pairs bound the observed ones and,
    where there are many, are within a small factor of them (q = eps/2 against eps/6 for uniform and
    about eps/9 for normal draws, to the power fan_in)."""
    g = torch.Generator().manual_seed(fan_in)
    n = 4096
    w = torch.rand(n, fan_in, generator=g) * 2 - 1 if init == "uniform" else torch.randn(n, fan_in, generator=g) * 0.02
    observed = _observed(w.to(dtype))
    expected = chance.expected_pairs([n], fan_in, float(torch.finfo(dtype).eps))
    assert observed <= chance.allowed_pairs(expected)
    if expected >= 100:
        assert expected / 6**fan_in <= observed <= expected


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_healthy_fan_in_one_layers_pass(dtype):
    """Linear(1, 4096): thousands of identical rows by chance in bfloat16, and no bug."""
    model = nn.Sequential(nn.Linear(1, 4096), nn.ReLU(), nn.Linear(4096, 3)).to(dtype)
    assert _observed(model[0].weight.detach()) > 0 or dtype == torch.float32
    assert check_model_init(model).ok
    assert check_model_init(model, example_inputs=torch.randn(4, 1, dtype=dtype)).ok


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_copied_rows_are_still_found_at_a_real_fan_in(dtype):
    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 2)).to(dtype)
    with torch.no_grad():
        model[0].weight[1:4] = model[0].weight[0]
    (problem,) = check_model_init(model, raise_on_problem=False).problems
    assert problem.code == "INI005" and "{0-3}" in problem.message


def test_depthwise_and_tiny_fan_in_custom_weights_pass_in_bfloat16():
    class Scale(nn.Module):
        """A per-channel (C, 1, 1, 1) weight the role tables do not know: fan-in 1."""

        def __init__(self, c):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(c, 1, 1, 1))

        def forward(self, x):
            return x * self.weight.view(1, -1, 1, 1)

    model = nn.Sequential(nn.Conv2d(512, 512, 3, groups=512), Scale(512)).to(torch.bfloat16)
    assert check_model_init(model).ok
