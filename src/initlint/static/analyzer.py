"""The libcst pass: source → findings. One parse, one collecting visit, then judgement.

Positions are computed only when there is something to report (PositionProvider costs a
second walk of the tree), on the very nodes the collector saw (``unsafe_skip_copy``).
"""

from __future__ import annotations

from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from initlint.findings import Finding, Settings
from initlint.static import apis, frameworks, intent
from initlint.static.collect import collect
from initlint.static.judge import Judge
from initlint.static.torch_events import Resolver, events as torch_events, parameter_events


def analyze(source: str, path: str, settings: Settings) -> "list[Finding]":
    """All findings of one file, idioms included (the engine hides those unless strict)."""
    module = cst.parse_module(source)
    facts = collect(module)
    # A wrapper of a known function is an alias of it; any other wrapper mirrors a module.
    functions = {w: c for w, c in settings.init_wrappers if c in apis.INIT_FUNCTIONS}
    wrappers = {w: c for w, c in settings.init_wrappers if c not in apis.INIT_FUNCTIONS}
    resolver = Resolver(wrappers, functions)
    resolve: Callable = resolver.qualnames
    found = torch_events(facts, resolver) + parameter_events(facts, resolver)
    found += frameworks.events(facts, resolver)
    judge = Judge(facts, resolve, found, tuple(settings.intent_names))
    verdicts = []
    seen: set[int] = set()
    for ev in found:
        v = judge.judge(ev)
        if v is not None and id(v.node) not in seen:
            seen.add(id(v.node))
            verdicts.append(v)
    if not verdicts:
        return []
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = source.splitlines()
    out = []
    for v in verdicts:
        pos = positions[v.node].start
        idiom = v.idiom
        if idiom is None and v.code in ("INI001", "INI002"):
            idiom = intent.comment_reason(lines, pos.line)
        out.append(Finding(path, pos.line, pos.column, v.code, v.message, idiom))
    return sorted(out)
