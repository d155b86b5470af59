"""The linter's analysis of one file: the one pipeline that the CLI, the flake8 plugin, the
cache and every test run.

    text ─ prefilter (knowledge words) ─ ast guard + reduction ─ libcst: model → producers → judge

:func:`analyze_file` is that pipeline. The stages are public so that the worker pool can run
the cheap ``ast`` stage in one process and libcst in another (:func:`gate_file`, then
:func:`judge_file`); :func:`analyze_whole` skips the gates, which only the equivalence tests
(``tests/lint/test_gates.py``, ``benchmarks/realworld.py --equivalence``) use, to prove that
the gates never change a finding. Never imports torch, keras or jax.
"""

from __future__ import annotations

import ast
import contextlib
import gc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional, Union

from initlint.finding import Finding, Settings

if TYPE_CHECKING:
    from initlint.lint.gate.reduce import Reduced


@dataclass
class Outcome:
    """What analysing one file produced; ``cacheable`` is False for results that might not
    repeat (crashes, timeouts, internal errors)."""

    findings: "list[Finding]" = field(default_factory=list)
    cacheable: bool = True


def analyze_file(text: str, path: str, settings: Settings, tree: Optional[ast.Module] = None) -> Outcome:
    """Every finding of one decoded file, idioms included (the engine shows those only with
    ``strict``), every failure mapped to a diagnostic for ``path``. ``tree``: the file's
    ``ast`` if the caller has one already (flake8 does)."""
    if not may_contain(text, settings):
        return Outcome([])
    located = gate_file(text, path, settings, tree)
    if isinstance(located, Outcome):
        return located
    return judge_file(located, path, settings)


def may_contain(text: str, settings: Settings) -> bool:
    """The textual prefilter: False only when the file certainly has nothing to report."""
    from initlint.lint.gate.prefilter import may_contain_init

    try:
        return bool(may_contain_init(text, settings))
    except Exception:
        return True  # a prefilter bug must cost time, never a finding


def gate_file(text: str, path: str, settings: Settings, tree: Optional[ast.Module] = None) -> "Union[Reduced, Outcome]":
    """The stdlib-``ast`` stage: the reduced source for libcst, or the final outcome."""
    from initlint.lint.gate.reduce import SourceError, reduce

    try:
        with _no_cycle_collection():
            reduced = reduce(text, path, settings, tree)
    except SourceError as e:
        return Outcome([Finding(path, e.line, e.col, e.code, e.message)])
    except RecursionError as e:
        return Outcome([_too_complex(path, e)], cacheable=False)
    except MemoryError:
        return Outcome([_out_of_memory(path)], cacheable=False)
    except Exception as e:
        return Outcome([_internal_error(path, e)], cacheable=False)
    return Outcome([]) if reduced is None else reduced


def judge_file(reduced: "Reduced", path: str, settings: Settings) -> Outcome:
    """The libcst stage on what the ``ast`` stage kept."""
    try:
        from initlint.lint import analyzer

        with _no_cycle_collection():
            return Outcome(list(analyzer.analyze(reduced, path, settings)))
    except RecursionError as e:
        return Outcome([_too_complex(path, e)], cacheable=False)
    except MemoryError:
        return Outcome([_out_of_memory(path)], cacheable=False)
    except Exception as e:
        return Outcome([_internal_error(path, e)], cacheable=False)


def analyze_whole(text: str, path: str, settings: Settings) -> "list[Finding]":
    """The findings of the whole file, without the prefilter and the reduction: what the gates
    must never change."""
    from initlint.lint import analyzer

    return analyzer.analyze(text, path, settings)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The parsers build hundreds of thousands of acyclic nodes per file, and each batch
    of them triggers a garbage-collection pass over every live object (a flake8 worker
    holds many): collect once afterwards instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _too_complex(path: str, e: BaseException) -> Finding:
    return Finding(path, 1, 0, "INI901", f"too complex to analyse safely ({type(e).__name__}); not analysed")


def _out_of_memory(path: str) -> Finding:
    return Finding(path, 1, 0, "INI901", "ran out of memory while analysing this file; not analysed")


def _internal_error(path: str, e: BaseException) -> Finding:
    detail = " ".join(str(e).split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    what = f"{type(e).__name__}: {detail}" if detail else type(e).__name__
    return Finding(path, 1, 0, "INI900", f"internal error in initlint while analysing this file ({what}); please report it")
