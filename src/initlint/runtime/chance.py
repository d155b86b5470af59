"""How many identical units a healthy random init produces by chance, at a fan-in and a dtype.

Two units are duplicates when all ``fan_in`` values of their slices are equal. Drawn from a
continuous init and rounded to a dtype with machine epsilon ``eps`` (2^-p for p mantissa bits),
two values are equal with probability ``q = Σ_v P(v)^2 ≈ ∫ f(x)^2 ulp(x) dx``: for U(-a, a) that is
``eps / 6``, for a normal ``≈ eps / 9``, whatever the scale. We take ``q = eps / 2``, a margin over
every usual init (uniform, normal, truncated normal), so the estimate errs towards calling
duplicates chance. Units are then identical with probability ``q ** fan_in``, and among ``n``
comparable units the number of identical pairs is Poisson with mean ``C(n, 2) · q ** fan_in``.

Duplicates are a problem only when there are more identical pairs than that Poisson law allows
at probability 1e-6. In float32 this changes nothing above a fan-in of 1 (a pair by chance has
probability ~1e-8 per unit pair); at fan-in 1 (``Linear(1, N)``), or in bfloat16 at fan-in 1-2,
thousands of healthy units coincide, and that is no bug.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Iterable

#: the tail probability under which duplicates are too many to be chance
ALPHA = 1e-6


def value_collision(eps: float) -> float:
    """Probability that two values of a continuous init, rounded to a dtype with this eps, are equal."""
    return eps / 2


def expected_pairs(pool_sizes: Iterable[int], fan_in: int, eps: float) -> float:
    """Mean number of identical unit pairs by chance, over pools of mutually comparable units."""
    p_unit = value_collision(eps) ** max(1, fan_in)
    return sum(n * (n - 1) / 2 for n in pool_sizes) * p_unit


def allowed_pairs(mean: float, alpha: float = ALPHA) -> int:
    """The smallest k with P(Poisson(mean) > k) < alpha: more pairs than this are not chance."""
    if mean <= 0:
        return 0
    if mean > 1000:  # normal approximation; 5 sigma is below 1e-6
        return int(math.ceil(mean + 5 * math.sqrt(mean)))
    k, term = 0, math.exp(-mean)
    cdf = term
    while 1 - cdf >= alpha:
        k += 1
        term *= mean / k
        cdf += term
        if k > 10_000:  # pragma: no cover - unreachable for mean <= 1000
            break
    return k


def observed_pairs(groups: Iterable[list]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups)


def by_chance(groups: list, pool_sizes: Iterable[int], fan_in: int, eps: float) -> bool:
    """Whether these duplicate groups are within what chance gives a healthy init."""
    return observed_pairs(groups) <= allowed_pairs(expected_pairs(pool_sizes, fan_in, eps))


def machine_eps(dtype: Any) -> float:
    """Machine epsilon of a torch or numpy floating dtype (float32's when unknown)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(dtype, torch.dtype):
        try:
            return float(torch.finfo(dtype).eps)
        except TypeError:
            return 2.0**-23
    try:
        import numpy as np

        return float(np.finfo(dtype).eps)
    except (TypeError, ValueError, ImportError):
        name = str(dtype)
        return {"bfloat16": 2.0**-7, "float16": 2.0**-10, "float64": 2.0**-52}.get(name.rsplit(".", 1)[-1], 2.0**-23)
