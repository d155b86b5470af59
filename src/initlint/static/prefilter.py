"""The cheap textual prefilter: a file that matches none of these words cannot contain an
init that initlint reports, so it is never parsed (and libcst is never imported for it).

Every API in ``apis`` and every framework module must be reachable through one of these
words; ``tests/test_prefilter.py`` proves it over all of ``test_cases/``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from initlint.findings import Settings

#: Words an init cannot be written without, shaped like code rather than prose
#: ("constant" and "full" are common English; "zero_init_last: bool" is a flag, not an init):
#: torch.nn.init zeros_/ones_/constant_, w.zero_()/fill_(), torch.zeros/ones/full(_like),
#: zeta init_zero_, Keras Zeros/Ones/Constant/"zeros"/*_initializer, Flax kernel_init=/zeros_init.
WORDS = (
    r"\bzeros_\b", r"\bones_\b", r"\bconstant_?\s*\(", r"\bconstant_\b", r"\bzero_\b", r"\bfill_\b",
    r"\binit_zeros?_?\b", r"\bzeros(?:_like)?\b", r"\bones(?:_like)?\s*[(,)]", r"\bfull(?:_like)?\s*\(",
    r"\bzeros_init\b", r"\bones_init\b", "Zeros", "Ones", "Constant", r"[\"'](?:zeros?|ones?|constant)[\"']",
    "nitializer", r"_init\s*[=:]", r"_init[\"']\s*:",
)


def compile_alternatives(alternatives: "tuple[str, ...] | list[str]") -> "re.Pattern[str]":
    """``a|b|c`` behind a lookahead on their possible first characters: Python's regex engine
    tries every alternative at every position, the lookahead skips most positions at once."""
    firsts = set()
    for alt in alternatives:
        body = alt[2:] if alt.startswith(r"\b") else alt
        if body.startswith("\\") and len(body) > 1 and not body[1].isalnum():
            firsts.add(body[1])
        elif body.startswith("[") and "]" in body and "-" not in body[1:body.index("]")]:
            firsts.update(body[1:body.index("]")].replace("\\", ""))
        elif body and (body[0].isalnum() or body[0] == "_"):
            firsts.add(body[0])
        else:
            return re.compile("|".join(alternatives))  # cannot tell: no lookahead
    chars = "".join(sorted(re.escape(c) for c in firsts))
    return re.compile(f"(?=[{chars}])(?:{'|'.join(alternatives)})")


@lru_cache(maxsize=16)
def pattern(wrapper_names: tuple = (), extra: tuple = ()) -> "re.Pattern[str]":
    names = [rf"\b{re.escape(w.rsplit('.', 1)[-1])}\b" for w in wrapper_names if w]
    return compile_alternatives((*WORDS, *names, *extra))


def may_contain_init(text: str, settings: Settings) -> bool:
    """False only when the file certainly has nothing to report."""
    return pattern(tuple(w for w, _ in settings.init_wrappers)).search(text) is not None
