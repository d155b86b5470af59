"""stats.combine on numpy blocks: the facts of a tensor cut into blocks (on the unit axis, on
other axes, on both, into flat runs as FSDP1 and ZeRO-3 cut them, across gate blocks) equal
the facts of the whole tensor; and the multi-process rounds, played by threads that each hold
some blocks and gather through a barrier, give every "process" the same facts.

The torch.distributed side (real gloo processes) is in test_distributed.py.
"""

import itertools
import threading

import numpy as np
import pytest

from facts_reference import reference_facts
from initlint.runtime.facts import Layout
from initlint.runtime.stats import combine
from initlint.runtime.stats.numpy import NumpyKernel

KERNEL = NumpyKernel()


def planted(shape, layout, seed=0):
    """A random array with two duplicate units (unit 1 == unit n-2) along the layout's units."""
    a = np.random.default_rng(seed).normal(size=shape).astype(np.float32)
    v, ax = a, layout.axis
    if layout.gates > 1:
        n = a.shape[ax] // layout.gates
        v, ax = a.reshape(a.shape[:ax] + (layout.gates, n) + a.shape[ax + 1 :]), ax + 1
    w = np.moveaxis(v, ax, 0)
    w[w.shape[0] - 2] = w[1]
    return a


def grid_blocks(a, cuts, rank_of=None):
    """Blocks of ``a`` cut at ``cuts[d]`` (sorted split points) along every dimension d."""
    edges = [[0, *c, a.shape[d]] for d, c in enumerate(cuts)]
    blocks = []
    for k, corner in enumerate(itertools.product(*[range(len(e) - 1) for e in edges])):
        lo = [edges[d][i] for d, i in enumerate(corner)]
        hi = [edges[d][i + 1] for d, i in enumerate(corner)]
        index = tuple(slice(x, y) for x, y in zip(lo, hi))
        blocks.append(combine.Block(a[index], tuple(lo), rank_of(k) if rank_of else k))
    return blocks


def flat_blocks(a, bounds):
    """Blocks of ``a`` from flat runs [bounds[i], bounds[i+1]) of its row-major elements."""
    flat = a.reshape(-1)
    blocks = []
    for r, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        for x, y, offset, shape in combine.flat_ranges(a.shape, start, stop):
            blocks.append(combine.Block(flat[x:y].reshape(shape), offset, r))
    return blocks


def facts_of(a, layout, blocks, want_constant=True):
    return combine.facts([combine.Item("t", a.shape, layout, want_constant, blocks)], KERNEL)[0]


def same_facts(got, ref):
    return (got.groups, got.constant, got.nan, got.inf) == (ref.groups, ref.constant, ref.nan, ref.inf)


SHAPES = [
    ((12, 7), Layout(0), [[5], []]),  # on the unit axis, uneven
    ((12, 7), Layout(0), [[], [3]]),  # off the unit axis: partial dot products
    ((12, 7), Layout(0), [[4, 9], [2, 5]]),  # both (a 3 x 3 grid)
    ((6, 9, 3), Layout(1), [[2], [4], [1]]),  # units in the middle
    ((18, 5), Layout(0, gates=3), [[7, 13], [2]]),  # cuts inside gate blocks
    ((4, 3, 10), Layout(2), [[1, 3], [], [6]]),  # units last
]


@pytest.mark.parametrize("shape,layout,cuts", SHAPES)
def test_grid_blocks_match_the_whole_tensor(shape, layout, cuts):
    a = planted(shape, layout)
    ref = reference_facts(a, layout, True)
    assert ref.groups  # the planted duplicate is there to be found
    assert same_facts(facts_of(a, layout, grid_blocks(a, cuts)), ref)


@pytest.mark.parametrize("shape,layout,cuts", SHAPES)
def test_flat_runs_match_the_whole_tensor(shape, layout, cuts):
    a = planted(shape, layout)
    size = a.size
    for parts in (2, 3, 5):
        bounds = [round(size * k / parts) for k in range(parts + 1)]
        assert same_facts(facts_of(a, layout, flat_blocks(a, bounds)), reference_facts(a, layout, True))


def test_flat_ranges_tile_the_range_exactly():
    rng = np.random.default_rng(1)
    for _ in range(200):
        shape = tuple(int(s) for s in rng.integers(1, 6, size=rng.integers(1, 5)))
        size = int(np.prod(shape))
        start = int(rng.integers(0, size))
        stop = int(rng.integers(start + 1, size + 1))
        seen = []
        runs = combine.flat_ranges(shape, start, stop)
        assert len(runs) <= 2 * len(shape)
        for x, y, offset, bshape in runs:
            assert y - x == int(np.prod(bshape))
            idx = np.ravel_multi_index(np.ix_(*[range(o, o + b) for o, b in zip(offset, bshape)]), shape).reshape(-1)
            assert idx.tolist() == list(range(x, y))  # contiguous, in order, where it says
            seen.extend(idx.tolist())
        assert seen == list(range(start, stop))


def test_constant_nan_and_absurd_across_blocks():
    a = np.zeros((8, 6), np.float32)
    got = facts_of(a, Layout(0), grid_blocks(a, [[3], [2]]))
    assert got.constant == 0.0 and got.absurd == 0
    a[6, 5] = np.nan
    a[0, 0] = np.inf
    got = facts_of(a, Layout(0), grid_blocks(a, [[3], [2]]))
    assert (got.nan, got.inf) == (1, 1)
    b = np.random.default_rng(0).normal(size=(8, 6)).astype(np.float32)
    b[7, 1] = 1e-40  # a subnormal: no initialiser makes it
    b[2, 2] = 3e20
    assert facts_of(b, Layout(0), grid_blocks(b, [[4], [3]])).absurd == 2
    assert facts_of(b[0], None, grid_blocks(b[0], [[2]])).absurd == 0


def test_missing_or_doubled_blocks_are_a_reason_not_wrong_facts():
    a = planted((12, 7), Layout(0))
    blocks = grid_blocks(a, [[6], []])
    assert "42 of its 84" in facts_of(a, Layout(0), blocks[:1])
    assert "168 of its 84" in facts_of(a, Layout(0), blocks + blocks)


class ThreadComm:
    """A communicator for ``size`` threads of one process: all_gather through a barrier."""

    def __init__(self, size):
        self.size = size
        self._slots = [None] * size
        self._barrier = threading.Barrier(size, timeout=20)

    def view(self, rank):
        comm = self

        class View:
            size = comm.size

            def all_gather(self, a):
                comm._slots[rank] = np.asarray(a, dtype=np.float64).copy()
                comm._barrier.wait()
                out = np.stack(comm._slots)
                comm._barrier.wait()
                return out

        return View()


def run_ranks(items_of_rank, size, kernel_of_rank=lambda r: KERNEL):
    comm = ThreadComm(size)
    results = [None] * size
    errors = []

    def work(r):
        try:
            results[r] = combine.facts(items_of_rank(r), kernel_of_rank(r), comm.view(r))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in range(size)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and all(not t.is_alive() for t in threads)
    return results


def test_ranks_in_step_get_the_same_facts():
    layouts = [Layout(0), Layout(1), Layout(0, gates=3)]
    arrays = [planted((12, 7), layouts[0]), planted((6, 9, 3), layouts[1], seed=1), planted((18, 5), layouts[2], seed=2)]
    arrays.append(np.zeros((10, 4), np.float32))  # constant: an extra round for min/max
    layouts.append(Layout(0))
    cuts = [[[4, 8], [3]], [[2], [5], []], [[9], [1, 3]], [[5], [2]]]

    def items(r):
        out = []
        for k, (a, lay, c) in enumerate(zip(arrays, layouts, cuts)):
            blocks = grid_blocks(a, c, rank_of=lambda i: i % 3)
            out.append(combine.Item(f"t{k}", a.shape, lay, True, [b for b in blocks if b.rank == r]))
        return out

    results = run_ranks(items, 3)
    for k, (a, lay) in enumerate(zip(arrays, layouts)):
        ref = reference_facts(a, lay, True)
        assert all(same_facts(res[k], ref) for res in results)
    assert results[0][3].constant == 0.0


def test_identical_shards_record_the_ranks_of_units():
    half = np.random.default_rng(3).normal(size=(4, 6)).astype(np.float32)
    a = np.concatenate([half, half])  # rank 1's shard repeats rank 0's
    blocks = grid_blocks(a, [[4], []])

    results = run_ranks(lambda r: [combine.Item("w", a.shape, Layout(0), True, [blocks[r]])], 2)
    for (got,) in results:
        assert got.groups == [[0, 4], [1, 5], [2, 6], [3, 7]]
        assert got.unit_ranks == [0, 0, 0, 0, 1, 1, 1, 1]


def test_a_rank_whose_local_work_fails_does_not_hang_the_others():
    a, b = planted((12, 7), Layout(0)), planted((12, 7), Layout(0), seed=5)
    blocks_a, blocks_b = grid_blocks(a, [[6], []]), grid_blocks(b, [[6], []])

    class Broken(NumpyKernel):
        def project(self, *args):
            raise MemoryError("out of memory on this rank")

    def items(r):
        return [combine.Item("a", a.shape, Layout(0), True, [blocks_a[r]]), combine.Item("b", b.shape, None, True, [blocks_b[r]])]

    results = run_ranks(items, 2, kernel_of_rank=lambda r: Broken() if r == 1 else KERNEL)
    assert "out of memory on this rank" in results[1][0] and "another process" in results[0][0]
    assert all(same_facts(res[1], reference_facts(b, None, True)) for res in results)


def test_ranks_with_different_tensors_get_a_reason():
    a = planted((12, 7), Layout(0))
    blocks = grid_blocks(a, [[6], []])
    results = run_ranks(lambda r: [combine.Item(f"w{r}", a.shape, Layout(0), True, [blocks[r]])], 2)
    assert all("same sharded tensors" in res[0] for res in results)
