"""The one record every face of initlint passes around: a finding at a place in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional


@dataclass(frozen=True, order=True)
class Finding:
    """A reported problem. ``line`` is 1-based, ``col`` is 0-based (flake8's convention);
    text output shows ``col + 1``. ``idiom`` is set when the init was recognised as a known
    deliberate pattern: such findings are shown only with ``strict``."""

    path: str
    line: int
    col: int
    code: str
    message: str
    idiom: Optional[str] = field(default=None, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["column"] = d.pop("col") + 1
        return d


@dataclass(frozen=True)
class Settings:
    """Options that change what the analyzer reports (part of the cache key).

    ``intent_names``: extra target/helper names that mark a zero init as deliberate.
    ``init_wrappers``: extra dotted names that behave like a known init API, mapped to the
    canonical name they mirror (a module mirrors ``torch.nn.init``; a function mirrors
    e.g. ``zeta.utils.init_zero_``).
    """

    strict: bool = False
    intent_names: tuple = ()
    init_wrappers: tuple = ()  # tuple of (wrapper, canonical) pairs: hashable and ordered

    def key(self) -> str:
        return repr((self.strict, tuple(sorted(self.intent_names)), tuple(sorted(self.init_wrappers))))
