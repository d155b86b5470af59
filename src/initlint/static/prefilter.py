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
    """``a|b|c``, shaped for Python's backtracking regex engine, which tries every
    alternative at every position: a lookahead on the possible first characters skips most
    positions at once, and alternatives sharing a first character are grouped behind it
    (``\\bz(?:eros_\\b|ero_\\b)``), so a position costs one attempt per group, not one per word.
    The matches are those of the plain ``|`` join (tests/test_prefilter_and_reduction.py)."""
    groups: dict = {}  # (leading \b, first character) -> the rest of each alternative
    for alt in alternatives:
        boundary = alt.startswith(r"\b")
        body = alt[2:] if boundary else alt
        if body.startswith("\\") and len(body) > 1 and not body[1].isalnum():
            first, rest = body[:2], body[2:]  # an escaped punctuation character: \. \]
        elif body.startswith("[") and "]" in body and "-" not in body[1:body.index("]")]:
            first, rest = body[:body.index("]") + 1], body[body.index("]") + 1:]
        elif body and (body[0].isalnum() or body[0] == "_"):
            first, rest = body[0], body[1:]
        else:
            return re.compile("|".join(alternatives))  # cannot tell: no lookahead
        groups.setdefault((boundary, first), []).append(rest)
    parts, firsts = [], set()
    for (boundary, first), rests in groups.items():
        firsts.update(first[1:-1].replace("\\", "") if first.startswith("[") else first[-1])
        inner = rests[0] if len(rests) == 1 else f"(?:{'|'.join(rests)})"
        parts.append((r"\b" if boundary else "") + first + inner)
    chars = "".join(sorted(re.escape(c) for c in firsts))
    return re.compile(f"(?=[{chars}])(?:{'|'.join(parts)})")


@lru_cache(maxsize=16)
def pattern(wrapper_names: tuple = (), extra: tuple = ()) -> "re.Pattern[str]":
    names = [rf"\b{re.escape(w.rsplit('.', 1)[-1])}\b" for w in wrapper_names if w]
    return compile_alternatives((*WORDS, *names, *extra))


def may_contain_init(text: str, settings: Settings) -> bool:
    """False only when the file certainly has nothing to report."""
    return pattern(tuple(w for w, _ in settings.init_wrappers)).search(text) is not None
