"""The streaming tensor checks: every code path (chunked, strided, transposed, gated, grouped,
half precision, sub-projections, the second projection pass) agrees with a plain numpy
reference (``np.unique`` over unit rows), for the torch and the numpy kernels."""

import numpy as np
import pytest
import torch

from facts_reference import reference_facts
from initlint.runtime.facts import Layout
from initlint.runtime.stats import combine, numpy as numpy_stats, torch as torch_stats

CASES = [
    # shape, layout, planted duplicates (pairs of unit indices along the layout's units)
    ((40, 7), Layout(0), [(3, 17), (3, 30), (5, 6)]),
    ((7, 40), Layout(1), [(0, 39), (12, 13)]),
    ((6, 9, 3, 3), Layout(1), [(2, 8)]),
    ((24, 5), Layout(0, gates=4), [(1, 4)]),
    ((5, 3, 24), Layout(2, gates=3), [(0, 7)]),
    ((3, 3, 4, 12), Layout(3, groups=3), [(0, 1), (4, 9)]),
    ((12, 2, 3), Layout(0, groups=2), [(0, 5), (6, 11), (2, 8)]),
]


def _plant(shape, layout, pairs, dtype):
    t = torch.randn(shape, dtype=torch.float32).to(dtype)
    v, ax = torch_stats.unit_view(t, layout)
    w = v.movedim(ax, 0)
    for a, b in pairs:
        w[b] = w[a]
    return t


def _reference(t, layout):
    return reference_facts(t.double().numpy(), layout, True)


@pytest.mark.parametrize("chunk", [torch_stats.CONVERT, 16])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.float64])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_duplicates_match_numpy(case, dtype, chunk, monkeypatch):
    monkeypatch.setattr(torch_stats, "CONVERT", chunk)
    monkeypatch.setattr(torch_stats, "CHUNK", chunk)
    shape, layout, pairs = CASES[case]
    t = _plant(shape, layout, pairs, dtype)
    facts = torch_stats.tensor_facts(t, layout, True, torch_stats.Projector())
    ref = _reference(t, layout)
    assert facts.groups == ref.groups and facts.groups
    assert facts.constant is None and facts.finite
    a = t.float().numpy() if dtype == torch.bfloat16 else t.numpy()
    assert numpy_stats.tensor_facts(a, layout, True).groups == ref.groups


def test_non_contiguous_views_are_chunked(monkeypatch):
    monkeypatch.setattr(torch_stats, "CONVERT", 8)
    monkeypatch.setattr(torch_stats, "CHUNK", 8)
    base = torch.randn(30, 20)
    t = base.t()  # (20, 30) strided, units on dim 0
    t[7] = t[3]
    facts = torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector())
    assert facts.groups == [[3, 7]]
    t[4, 4] = float("nan")
    facts = torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector())
    assert (facts.nan, facts.inf) == (1, 0)


def test_second_projection_pass_for_chained_candidates(monkeypatch):
    monkeypatch.setattr(combine, "CANDIDATE_TOL", 0.5)  # force heavy chaining
    t = torch.randn(500, 6)
    t[[10, 20, 30]] = t[0].clone()
    facts = torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector())
    assert facts.groups == [[0, 10, 20, 30]]


def test_float32_rounding_does_not_hide_duplicates():
    # identical rows can project to slightly different float32 values (BLAS tail kernels)
    proj = torch_stats.Projector()
    for seed in range(50):
        g = torch.Generator().manual_seed(seed)
        t = torch.randn(5, 7, 3, 3, generator=g)
        t[:, 2] = t[:, 6]
        assert torch_stats.tensor_facts(t, Layout(1), True, proj).groups == [[2, 6]]


def test_constant_and_signed_zero():
    proj = torch_stats.Projector()
    t = torch.zeros(6, 4)
    t[2, 1] = -0.0
    assert torch_stats.tensor_facts(t, Layout(0), True, proj).constant == 0.0
    assert torch_stats.tensor_facts(torch.full((3, 3), 2.5), Layout(0), True, proj).constant == 2.5
    assert torch_stats.tensor_facts(torch.full((3, 3), 2.5), Layout(0), False, proj).constant is None
    one_unit = torch.zeros(1, 9)
    assert torch_stats.tensor_facts(one_unit, Layout(0), True, proj).constant == 0.0


def test_nonfinite_counts():
    proj = torch_stats.Projector()
    t = torch.randn(10, 10)
    t[1, 1] = float("nan")
    t[2, 2] = float("inf")
    t[3, 3] = float("-inf")
    f = torch_stats.tensor_facts(t, Layout(0), True, proj)
    assert (f.nan, f.inf) == (1, 2)
    f = torch_stats.tensor_facts(t[0:4, 0:4], None, False, proj)
    assert (f.nan, f.inf) == (1, 2)
    huge = torch.full((4, 4), 3e38)
    huge[0, 0] = 1.0  # float32 projection overflows, but every value is finite
    assert torch_stats.tensor_facts(huge.double() * 10, Layout(0), True, proj).finite


def test_numpy_reference_handles_constant_nan_and_labels():
    a = np.zeros((4, 3), dtype="float32")
    assert numpy_stats.tensor_facts(a, Layout(0), True).constant == 0.0
    a[1, 1] = np.nan
    assert numpy_stats.tensor_facts(a, Layout(0), True).nan == 1
    b = np.random.default_rng(0).normal(size=(4, 3))
    b[2] = b[0]
    assert numpy_stats.tensor_facts(b, Layout(0, groups=2), True).groups == []
    assert numpy_stats.tensor_facts(b, Layout(0), True).groups == [[0, 2]]
