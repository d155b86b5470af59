"""Tensor facts with numpy: the local work of stats.combine on numpy arrays, for Keras models
on a backend other than torch (JAX, TensorFlow) and for the shards of a ``jax.Array``.

These backends hand us a numpy copy of each variable (or shard) anyway, so the chunked
streaming of stats.torch buys nothing here: each operation is one plain numpy expression.
bfloat16 (ml_dtypes) and other non-native floats are read as float32.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from initlint.runtime.facts import Facts, Layout
from initlint.runtime.stats import combine


def as_float(a: Any) -> np.ndarray:
    """``a`` as a numpy float array (float32 for ml_dtypes' bfloat16 and other odd floats)."""
    a = np.asarray(a)
    if a.dtype.kind != "f" or a.dtype.itemsize < 2:
        return a.astype(np.float32)
    return a


def _acc(x: np.ndarray) -> type:
    return np.float64 if x.dtype == np.float64 else np.float32


def _slices(v: np.ndarray, ax: int) -> np.ndarray:
    n = v.shape[ax]
    return np.moveaxis(v, ax, 0).reshape(n, -1)


class NumpyKernel:
    """stats.combine's Kernel on numpy arrays (pass arrays through ``as_float`` first)."""

    def shape(self, x: np.ndarray) -> tuple:
        return tuple(x.shape)

    def narrow(self, x: np.ndarray, axis: int, start: int, length: int) -> np.ndarray:
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, start + length)
        return x[tuple(index)]

    def unflatten(self, x: np.ndarray, axis: int, sizes: tuple) -> np.ndarray:
        return x.reshape(x.shape[:axis] + tuple(sizes) + x.shape[axis + 1 :])

    def vector(self, r: np.ndarray, like: np.ndarray, key: Optional[tuple] = None) -> np.ndarray:
        return r.astype(_acc(like))

    def project(self, v: np.ndarray, ax: int, r: np.ndarray, parts: int, numel: Optional[int] = None) -> np.ndarray:
        s = _slices(v, ax).astype(_acc(v), copy=False)
        n, f = s.shape
        return (s.reshape(n, parts, f // parts) @ r[: f // parts]).astype(np.float64)

    def aminmax(self, x: np.ndarray) -> tuple:
        return float(x.min()), float(x.max())

    def count_nonfinite(self, x: np.ndarray) -> tuple:
        return int(np.isnan(x).sum()), int(np.isinf(x).sum())

    def count_absurd(self, x: np.ndarray) -> int:
        a = np.abs(x.astype(_acc(x), copy=False))
        return int((((a < combine.TINY) & (a > 0)) | ((a > combine.HUGE) & np.isfinite(a))).sum())

    def sq_norms(self, v: np.ndarray, ax: int) -> np.ndarray:
        s = _slices(v, ax).astype(np.float64)
        return np.einsum("ij,ij->i", s, s)

    def rows(self, v: np.ndarray, ax: int, idx: np.ndarray) -> np.ndarray:
        return np.take(np.moveaxis(v, ax, 0), idx, axis=0).reshape(len(idx), -1).astype(np.float64)


def tensor_facts(a: Any, layout: Optional[Layout], want_constant: bool) -> Facts:
    """NaN/Inf counts, and (if asked) the repeated value and duplicate-unit groups of ``a``."""
    a = as_float(a)
    item = combine.Item("", a.shape, layout, want_constant, [combine.Block(a, (0,) * a.ndim)])
    result = combine.facts([item], NumpyKernel())[0]
    if isinstance(result, str):
        raise RuntimeError(f"check_model_init could not read an array of shape {a.shape}: {result}")
    return result
