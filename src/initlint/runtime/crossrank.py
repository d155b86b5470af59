"""INI005 across ranks: duplicate units that live on different ranks say *how* they came to be.

A sharded model initialised shard by shard with the same seed on every rank (the usual
``torch.manual_seed(0)``; meta device -> ``fully_shard`` -> ``to_empty`` -> ``reset_parameters``)
gives every rank the same random numbers, so rank j's shard repeats rank i's. On one rank
nothing looks wrong; stats.combine records each unit's rank (``Facts.unit_ranks``) when a
duplicate group spans ranks, and the message names them and the fix.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import combinations

from initlint.catalog import runtime_fix
from initlint.runtime.facts import Entry
from initlint.runtime.judge import fmt_indices
from initlint.runtime.report import Problem

CAUSE = (
    "the ranks drew the same random numbers when they initialised their shards (the same seed on every "
    "rank; DTensor does not offset its random numbers per shard on CPU meshes or offloaded parameters)"
)


def explain(e: Entry, problem: Problem) -> Problem:
    """``problem``, naming the ranks, the cause and the fix when two ranks hold identical shards
    (every unit of the smaller shard repeats the unit at the same position of the other: the
    signature of the same random numbers, not of a chance duplicate)."""
    f = e.facts
    if problem.code != "INI005" or f is None or not f.unit_ranks:
        return problem
    ranks = f.unit_ranks
    on: dict = {}
    for u, r in enumerate(ranks):
        if r >= 0:
            on.setdefault(r, []).append(u)
    where = {u: (r, i) for r, units in on.items() for i, u in enumerate(units)}  # unit -> (rank, position)
    aligned: Counter = Counter()
    for g in f.groups:
        for x, y in combinations(sorted(g), 2):
            (a, i), (b, j) = where.get(x, (-1, -1)), where.get(y, (-2, -2))
            if a >= 0 and b >= 0 and a != b and i == j:
                aligned[(min(a, b), max(a, b))] += 1
    pairs = sorted(p for p, k in aligned.items() if k == min(len(on[p[0]]), len(on[p[1]])))
    if not pairs:
        return problem
    a, b = pairs[0]
    k = min(len(on[a]), len(on[b]))
    what = (
        f"identical shards on ranks {a} and {b}: units {{{fmt_indices(on[a][:k])}}} on rank {a} repeat as "
        f"{{{fmt_indices(on[b][:k])}}} on rank {b}"
    )
    if len(pairs) > 1:
        what += f" (and {len(pairs) - 1} more pair{'s' if len(pairs) > 2 else ''} of ranks)"
    return dataclasses.replace(problem, message=f"{what}: {CAUSE} ({problem.message})", suggestion=runtime_fix("INI005", problem.framework, "shards"))
