"""Tensor facts with numpy, for Keras models on a backend other than torch (JAX, TensorFlow).

Same answers as stats.torch, computed plainly (``np.unique`` over unit rows): these backends
hand us a numpy copy of each variable anyway, so the chunked streaming of stats.torch buys
nothing here.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from initlint.runtime.facts import Facts, Layout


def tensor_facts(a: np.ndarray, layout: Optional[Layout], want_constant: bool) -> Facts:
    a = np.asarray(a)
    facts = Facts()
    if a.size == 0:
        return facts
    if a.dtype.kind != "f":
        a = a.astype(np.float32)  # e.g. ml_dtypes bfloat16
    facts.nan = int(np.isnan(a).sum())
    facts.inf = int(np.isinf(a).sum())
    if not facts.finite:
        return facts
    if layout is None or a.ndim < 2:
        if want_constant and a.min() == a.max():
            facts.constant = float(a.flat[0]) + 0.0
        return facts
    v, ax = a, layout.axis
    if layout.gates > 1:
        n = a.shape[ax] // layout.gates
        v = a.reshape(a.shape[:ax] + (layout.gates, n) + a.shape[ax + 1 :])
        ax += 1
    n = v.shape[ax]
    facts.n_units = n
    if want_constant and a.min() == a.max():
        facts.constant = float(a.flat[0]) + 0.0
        return facts
    if not layout.compare or n < 2:
        return facts
    rows = np.moveaxis(v, ax, 0).reshape(n, -1) + 0.0  # + 0.0 turns -0.0 into 0.0
    if layout.groups > 1:
        label = (np.arange(n) // (n // layout.groups)).astype(rows.dtype)[:, None]
        rows = np.concatenate([label, rows], axis=1)
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    groups = [np.flatnonzero(inverse == k).tolist() for k in np.flatnonzero(counts >= 2)]
    facts.groups = sorted(groups)
    return facts
