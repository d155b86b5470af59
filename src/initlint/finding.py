"""The one record every face of initlint passes around: a finding at a place in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple, Optional


class CellPlace(NamedTuple):
    """Where a finding sits in a notebook, as ruff prints it (``cell 9:3:5``): the cell
    (1-based over every cell, Markdown and raw cells included), the 1-based line in that
    cell and the 0-based column in it."""

    cell: int
    line: int
    col: int


@dataclass(frozen=True, order=True)
class Finding:
    """A reported problem. ``line`` is 1-based, ``col`` is 0-based (flake8's convention);
    text output shows ``col + 1``. ``idiom`` is set when the init was recognised as a known
    deliberate pattern: such findings are shown only with ``strict``.

    In a document, ``line`` and ``col`` are the place in the file itself (for a notebook, the
    ``.ipynb`` JSON text, as SARIF and GitHub need it); a notebook's finding also carries its
    ``cell`` place, which the text format prints."""

    path: str
    line: int
    col: int
    code: str
    message: str
    idiom: Optional[str] = field(default=None, compare=False)
    cell: Optional[CellPlace] = field(default=None, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["column"] = d.pop("col") + 1
        if d.pop("cell") is not None:
            d["cell"], d["cell_line"], d["cell_column"] = self.cell.cell, self.cell.line, self.cell.col + 1
        return d


@dataclass(frozen=True)
class Settings:
    """Options that change what the analyzer reports (part of the cache key).

    ``intent_names``: extra target/helper names that mark a zero init as deliberate.
    ``init_wrappers``: extra dotted names that behave like a known init API, mapped to the
    canonical name they mirror (a module mirrors ``torch.nn.init``; a function mirrors
    e.g. ``zeta.utils.init_zero_``).
    ``doctests``: the pipeline also analyses a Python file's docstring examples
    (:mod:`initlint.pipeline.documents.analysis`; :func:`initlint.lint.analyze_file` never does).
    """

    strict: bool = False
    intent_names: tuple = ()
    init_wrappers: tuple = ()  # tuple of (wrapper, canonical) pairs: hashable and ordered
    doctests: bool = False  # also analyse the ``>>>`` examples in a Python file's docstrings

    def key(self) -> str:
        key = (self.strict, tuple(sorted(self.intent_names)), tuple(sorted(self.init_wrappers)))
        return repr(key + (("doctests",) if self.doctests else ()))
