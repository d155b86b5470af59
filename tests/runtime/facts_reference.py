"""The plain definition of a tensor's facts, for tests to compare the streaming and sharded
algorithms with: counts, min == max, and ``np.unique`` over the unit rows."""

import numpy as np

from initlint.runtime.facts import Facts


def reference_facts(a, layout, want_constant):
    """The plain definition: counts, min == max, and np.unique over the unit rows."""
    a = np.asarray(a, dtype=np.float64)
    facts = Facts(nan=int(np.isnan(a).sum()), inf=int(np.isinf(a).sum()))
    if not facts.finite or a.size == 0:
        return facts
    if want_constant and a.min() == a.max():
        facts.constant = float(a.flat[0]) + 0.0
        return facts
    if layout is None or a.ndim < 2 or not layout.compare:
        return facts
    v, ax = a, layout.axis
    if layout.gates > 1:
        n = a.shape[ax] // layout.gates
        v, ax = a.reshape(a.shape[:ax] + (layout.gates, n) + a.shape[ax + 1 :]), ax + 1
    n = v.shape[ax]
    rows = np.moveaxis(v, ax, 0).reshape(n, -1) + 0.0  # + 0.0 turns -0.0 into 0.0
    if layout.groups > 1:
        rows = np.concatenate([(np.arange(n) // (n // layout.groups))[:, None], rows], axis=1)
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    facts.groups = sorted(np.flatnonzero(inverse == k).tolist() for k in np.flatnonzero(counts >= 2))
    return facts
