"""The linter's analysis of one file: the one pipeline that the CLI, the flake8 plugin, the
cache and every test run.

    text ─ prefilter (knowledge words) ─ ast guard + reduction ─ libcst: model → producers → judge

:func:`analyze_file` is that pipeline. The stages are public so that the worker pool can run
the cheap ``ast`` stage in one process and libcst in another (:func:`gate_file`, then
:func:`judge_file`); :func:`analyze_whole` skips the gates, which only the equivalence tests
(``tests/test_prefilter_and_reduction.py``, ``tests/test_equivalence_real.py``,
``benchmarks/equivalence.py``) use, to prove that
the gates never change a finding. Never imports torch, keras or jax.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gc
import sys
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional, Union

from initlint.finding import Finding, Settings
from initlint.lint.gate.directives import strip_noqa

if TYPE_CHECKING:
    from initlint.lint.gate.identifiers import Normalised
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
    ``ast`` if the caller has one already (flake8 does). ``# noqa`` directives are not read
    (``gate/directives.py``): they choose what is shown, after the analysis."""
    text = strip_noqa(text)  # (keeps every line and column: the renaming below maps back)
    renamed = _renamed(text)
    if renamed is not None:  # ｚｅｒｏｓ_ is zeros_ to Python (flake8's tree is of the text as written)
        outcome = _analyze(renamed.text, path, settings, None)
        return Outcome([_in_file(f, renamed) for f in outcome.findings], outcome.cacheable)
    return _analyze(text, path, settings, tree)


def _analyze(text: str, path: str, settings: Settings, tree: Optional[ast.Module]) -> Outcome:
    """The stages, on a text whose names are as Python reads them (renamed once, not again)."""
    if not _prefilter(text, settings):
        return Outcome([])
    located = gate_file(text, path, settings, tree)
    if isinstance(located, Outcome):
        return located
    return judge_file(located, path, settings)


def may_contain(text: str, settings: Settings) -> bool:
    """The textual prefilter: False only when the file certainly has nothing to report."""
    if _prefilter(text, settings):
        return True
    renamed = _renamed(text)
    return renamed is not None and _prefilter(renamed.text, settings)


def _prefilter(text: str, settings: Settings) -> bool:
    from initlint.lint.gate.prefilter import may_contain_init

    try:
        return bool(may_contain_init(text, settings))
    except Exception:
        return True  # a prefilter bug must cost time, never a finding


def _renamed(text: str) -> "Optional[Normalised]":
    """The text with its identifiers as Python reads them, when any differs (``identifiers``)."""
    if text.isascii():
        return None
    from initlint.lint.gate.identifiers import normalise

    try:
        return normalise(text)
    except Exception:
        return None  # the text as written is still analysed


def _in_file(finding: Finding, renamed: "Normalised") -> Finding:
    return dataclasses.replace(finding, col=renamed.column(finding.line, finding.col))


def gate_file(text: str, path: str, settings: Settings, tree: Optional[ast.Module] = None) -> "Union[Reduced, Outcome]":
    """The stdlib-``ast`` stage: the reduced source for libcst, or the final outcome."""
    try:
        from initlint.lint.gate.reduce import reduce

        with _no_cycle_collection(), _parser_warnings_silenced():
            reduced = reduce(text, path, settings, tree)
    except Exception as e:
        return stage_failure(path, e)
    return Outcome([]) if reduced is None else reduced


def judge_file(reduced: "Reduced", path: str, settings: Settings) -> Outcome:
    """The libcst stage on what the ``ast`` stage kept."""
    try:
        from initlint.lint import analyzer

        with _no_cycle_collection(), _parser_warnings_silenced():
            return Outcome(list(analyzer.analyze(reduced, path, settings)))
    except Exception as e:
        return stage_failure(path, e)


def analyze_whole(text: str, path: str, settings: Settings) -> "list[Finding]":
    """The findings of the whole file, without the prefilter and the reduction: what the gates
    must never change."""
    from initlint.lint import analyzer

    text = strip_noqa(text)
    renamed = _renamed(text)
    if renamed is not None:
        return [_in_file(f, renamed) for f in analyzer.analyze(renamed.text, path, settings)]
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


@contextlib.contextmanager
def _parser_warnings_silenced() -> Iterator[None]:
    """Python's parser warns about the code it reads (``"\\d"``, ``1if x else y``): those
    warnings are about the user's code, for their compiler to give, and never reach
    initlint's stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def stage_failure(path: str, e: Exception) -> Outcome:
    """A stage that raised: a source problem is the file's verdict (cacheable); running out
    of memory or stack, or a bug, is this run's (not cached)."""
    reduce_module = sys.modules.get("initlint.lint.gate.reduce")  # (no import: memory may be out)
    if reduce_module is not None and isinstance(e, reduce_module.SourceError):
        # Python 3.11's parser raises MemoryError for a stack overflow on deep nesting too,
        # and the guard reports it as "too deeply nested": true, unless memory ran out.
        if not (isinstance(e.__context__, MemoryError) and _memory_exhausted()):
            return Outcome([Finding(path, e.line, e.col, e.code, e.message)])
        return Outcome([out_of_memory(path)], cacheable=False)
    if isinstance(e, MemoryError):
        return Outcome([out_of_memory(path)], cacheable=False)
    if isinstance(e, RecursionError):
        return Outcome([_too_complex(path, e)], cacheable=False)
    return Outcome([internal_error(path, e)], cacheable=False)


def _memory_exhausted() -> bool:
    """Whether this process has come close to its address-space limit (``ulimit -v``): a
    MemoryError is then a real lack of memory. Without a limit, Linux overcommits, and a
    process out of memory is killed (an INI901 crash) rather than given a MemoryError."""
    try:
        import resource

        limits = [resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_DATA)]
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return True
    limits = [limit for limit in limits if limit != resource.RLIM_INFINITY]
    if not limits:
        return False
    return _peak_virtual_memory() > 0.75 * min(limits)


def _peak_virtual_memory() -> int:
    """Bytes: the peak size of this process's address space (Linux), else its peak RSS."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def out_of_memory(path: str) -> Finding:
    return Finding(path, 1, 0, "INI901", "not enough memory to analyse this file (MemoryError); not analysed")


def _too_complex(path: str, e: BaseException) -> Finding:
    return Finding(path, 1, 0, "INI901", f"too complex to analyse safely ({type(e).__name__}); not analysed")


def internal_error(path: str, e: BaseException) -> Finding:
    detail = " ".join(str(e).split())
    if len(detail) > 160:
        detail = detail[:157] + "..."
    what = f"{type(e).__name__}: {detail}" if detail else type(e).__name__
    return Finding(path, 1, 0, "INI900", f"internal error in initlint while analysing this file ({what}); please report it")
