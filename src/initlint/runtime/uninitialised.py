"""INI007: a model that was never initialised gets one problem that says so, not one INI001
or INI006 per tensor.

``module.to_empty(device=...)`` (and ``torch.empty``) allocate memory and write nothing. What
the memory then holds is recognisable: large tensors come from fresh pages and are exactly
zero, small ones reuse freed memory and hold whatever was there, read as floats (NaN/Inf,
pointers and small integers as values below 1e-30, other bit patterns above 1e15). The
decision is made from the values (stats.combine counts the absurd ones), on parameters only:
buffers may hold masks such as ``finfo.min`` on purpose.

- values no initialiser makes (|x| < 1e-30 non-zero, or > 1e15) in some parameter: uninitialised;
- NaN/Inf in some parameter beside a large parameter that is exactly zero (or whose units are
  mostly all-zero: a fresh page with a few bytes written): uninitialised (NaN alone is INI006:
  a diverged checkpoint; zeros alone are INI001).

When the whole model shows it (zeros beside garbage, or garbage in most parameters), every
parameter is covered: reused memory can also hold plausible floats (freed activations, repeated
rows), whose INI001/INI005 would only be noise until the model is initialised. Otherwise only
the tensors with garbage are (a ``torch.empty`` that one ``__init__`` forgot to fill).
"""

from __future__ import annotations

from typing import Optional

from initlint.catalog import RULES, runtime_fix
from initlint.runtime.facts import Entry
from initlint.runtime.report import Problem

CODE = "INI007"
LARGE = 1 << 15  # elements: tensors this large come from fresh, zeroed pages


def _names(entries: list, limit: int = 6) -> str:
    names = [e.name for e in entries]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _zeros(e: Entry) -> bool:
    f = e.facts
    return f.constant == 0 or (f.n_units > 0 and 2 * f.zero_units >= f.n_units)


def find(entries: list, framework: str) -> Optional[tuple[frozenset, Problem]]:
    """(names of the tensors the problem covers, the problem), or None for an initialised model."""
    facts = [e for e in entries if e.facts is not None]
    params = [e for e in facts if e.kind == "param"]
    absurd = [e for e in params if e.facts.absurd]
    nonfinite = [e for e in params if not e.facts.finite]
    zeros = [e for e in params if _zeros(e)]
    if not absurd and not (nonfinite and any(e.numel >= LARGE for e in zeros)):
        return None
    garbage = [e for e in facts if e.facts.absurd or not e.facts.finite or (e.kind == "param" and _zeros(e))]
    whole_model = any(e.numel >= LARGE for e in zeros) or 2 * len([e for e in garbage if e.kind == "param"]) >= len(params)
    shown = {id(e) for e in garbage}
    covered = [e for e in facts if e.kind == "param" or id(e) in shown] if whole_model else garbage
    what = []
    if zeros:
        what.append(f"zeros in {_names(zeros)}")
    if nonfinite:
        what.append(f"NaN/Inf in {_names(nonfinite)}")
    if absurd:
        what.append(f"values no initialiser makes (non-zero |x| < 1e-30 or |x| > 1e15) in {_names(absurd)}")
    buffers = [e for e in covered if e.kind != "param"]
    if buffers:
        what.append(f"garbage in the buffers {_names(buffers)}")
    held = len([e for e in garbage if e.kind == "param"])
    message = (
        (f"the model holds uninitialised memory ({held} of {len(params)} parameters show it): " if whole_model
         else f"{held} of {len(params)} parameters hold uninitialised memory: ")
        + "; ".join(what)
        + ". This is what model.to_empty(device=...) (or torch.empty) leaves when nothing initialises the "
        "weights afterwards: fresh pages read as zeros, reused memory as garbage"
    )
    first: Entry = covered[0]
    problem = Problem(
        code=CODE,
        name=first.name,
        message=message,
        shape=tuple(int(s) for s in first.shape),
        rule=RULES[CODE].name,
        suggestion=runtime_fix(CODE, framework),
        framework=framework,
    )
    return frozenset(e.name for e in covered), problem
