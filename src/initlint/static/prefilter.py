"""The cheap textual prefilter: a file that matches none of these words cannot contain an
init that initlint reports, so it is never parsed (and libcst is never imported for it).

Every API in ``apis`` and every framework module must be reachable through one of these
words; ``tests/test_prefilter.py`` proves it over all of ``test_cases/``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from initlint.findings import Settings

#: zeros_/zero_/zeros/Zeros/init_zero_, ones_/Ones, constant_/Constant, fill_, torch.full,
#: Keras *_initializer, Flax/JAX *_init= and zeros_init(), Haiku w_init.
_WORDS = r"zero|Zero|ones|Ones|onst|fill_|full|nitializer|_init\b"


@lru_cache(maxsize=16)
def pattern(wrapper_names: tuple = ()) -> "re.Pattern[str]":
    extra = [re.escape(w.rsplit(".", 1)[-1]) for w in wrapper_names if w]
    return re.compile("|".join([_WORDS, *extra]))


def may_contain_init(text: str, settings: Settings) -> bool:
    """False only when the file certainly has nothing to report."""
    return pattern(tuple(w for w, _ in settings.init_wrappers)).search(text) is not None
