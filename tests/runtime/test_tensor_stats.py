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


def test_bfloat16_pairs_see_every_value(monkeypatch):
    """bfloat16 rows are projected as float32 pairs (no conversion): a NaN in the low half of a
    pair and rows whose pairs are denormal floats must not change a single fact, and the
    thread's floating-point mode and torch's thread count are restored."""
    monkeypatch.setattr(torch_stats, "CONVERT", 64)
    threads = torch.get_num_threads()
    t = torch.randn(40, 16).bfloat16()
    t[:, 1::2] = 0  # every pair's high half zero: the float32 pairs are denormals
    t[9] = t[3]
    t[30, 0::2] = t[31, 0::2]  # equal where the pairs are denormal, different elsewhere:
    t[30, 1] = 1.0  # not a duplicate
    facts = torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector())
    assert facts.groups == reference_facts(t.float().numpy(), Layout(0), True).groups == [[3, 9]]
    t[17, 4] = float("nan")  # the low half of a pair
    t[22, 6] = float("-inf")
    facts = torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector())
    assert (facts.nan, facts.inf) == (1, 1)
    assert torch.get_num_threads() == threads and float(torch.tensor([1e-40]) * 1.0) != 0.0


def test_signed_zero_rows_are_duplicates_in_every_precision():
    for dtype in (torch.float32, torch.bfloat16, torch.float16):
        t = torch.randn(8, 6).to(dtype)
        t[2] = 0.0
        t[5] = -0.0
        t[5, 1] = 0.0  # mixed signs: equal values, different bytes
        assert torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector()).groups == [[2, 5]]


def test_bfloat16_pairs_of_strided_and_odd_offset_views():
    base = torch.randn(41, 33).bfloat16()
    t = base[1:, 1:]  # rows start at odd element offsets: the float32 view needs a copy
    t[5] = t[20]
    assert torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector()).groups == [[5, 20]]
    u = torch.randn(32, 40).bfloat16().t()  # (40, 32), strided
    u[7] = u[2]
    assert torch_stats.tensor_facts(u, Layout(0), True, torch_stats.Projector()).groups == [[2, 7]]


def test_bfloat16_pairs_in_gate_blocks_contiguous_or_not():
    layout = Layout(0, gates=4)  # (4 gates x 8 units, 64): each gate block a units-first matrix
    t = torch.randn(32, 64).bfloat16()
    for gate in range(4):
        t[gate * 8 + 5] = t[gate * 8 + 1]
    strided = t.t().contiguous().t()  # the same values, column-major
    for x in (t, strided):
        assert torch_stats.tensor_facts(x, layout, True, torch_stats.Projector()).groups == [[1, 5]]
    t[17, 10] = float("nan")  # the low half of a pair, in gate block 2
    assert torch_stats.tensor_facts(t, layout, True, torch_stats.Projector()).nan == 1


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("units", [1 << 13, 1 << 16])
def test_many_units_use_parts_of_each_slice(units, dtype):
    """From 2^13 units on, each slice is projected in 2 (4 from 2^16) parts: planted duplicates
    are still found, and no chance candidates survive."""
    t = torch.randn(units, 256).to(dtype)
    t[units - 1] = t[3]
    t[100] = t[7]
    assert combine._parts(tuple(t.shape), Layout(0)) == (2 if units == 1 << 13 else 4)
    assert torch_stats.tensor_facts(t, Layout(0), True, torch_stats.Projector()).groups == [[3, units - 1], [7, 100]]
