"""The result of ``check_model_init``: problems a person can act on, and notes for context.

The failure message is what a user sees in pytest's output when a test calls
``check_model_init(model)``; every problem names the parameter, its shape, the code, a fix, and
the exact ``allow=`` pattern that silences it, so nobody has to read initlint's source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional

from initlint.catalog import RULES, runtime_fix


def allow_pattern(name: str) -> str:
    """A glob for ``allow=`` that covers this parameter in every repeated block.

    Numeric path segments (``layers.3.lora_B.weight``, ``layers/3/kernel``) become ``*`` so that one pattern
    silences the same deliberate init in each block of a stack.
    """
    parts = re.split(r"([./])", name)  # JAX names use "/" (params/fc1/kernel, layers/0/kernel)
    general = ["*" if p.isdigit() else p for p in parts[::2]]
    if all(p == "*" for p in general[:-1]):  # "0.weight" -> "*.weight" would allow every weight
        return name
    parts[::2] = general
    return "".join(parts)


@dataclass(frozen=True)
class Problem:
    """One finding on one parameter (tied parameters are reported once, under their first name)."""

    code: str
    name: str
    message: str
    shape: tuple = ()
    rule: str = ""
    suggestion: str = ""
    aliases: tuple = ()
    framework: str = "torch"

    @property
    def allow(self) -> str:
        return allow_pattern(self.name)

    def to_dict(self) -> dict:
        return {
            "code": self.code, "rule": self.rule, "name": self.name, "shape": list(self.shape),
            "message": self.message, "suggestion": self.suggestion, "aliases": list(self.aliases),
            "allow": self.allow,
        }

    def __str__(self) -> str:
        shape = "(" + ", ".join(str(s) for s in self.shape) + ("," if len(self.shape) == 1 else "") + ")"
        alias = f" (shared with {', '.join(self.aliases)})" if self.aliases else ""
        exact = f'"{self.name}"'
        pattern = f'"{self.allow}"'
        silence = f"allow=[{exact}]" + (f" or allow=[{pattern}]" if self.allow != self.name else "")
        return (
            f"{self.name}{alias} shape {shape}: {self.code} {self.rule}\n"
            f"    {self.message}\n"
            f"    fix: {self.suggestion}\n"
            f"    if intended: {silence}"
        )


@dataclass
class InitReport:
    """What ``check_model_init`` found: ``problems`` to act on, ``notes`` for information."""

    model: str = ""
    framework: str = "torch"
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    allowed: list = field(default_factory=list)  # problems silenced by allow=
    checked: int = 0  # tensors whose values were examined
    probe_steps: Optional[int] = None  # None: no probe ran
    probe_requested: bool = False  # example_inputs were given

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        n = len(self.problems)
        what = f"{n} problem{'s' if n != 1 else ''}" if n else "no problems"
        if self.probe_steps:
            probe = f"probe: {self.probe_steps} step{'s' if self.probe_steps != 1 else ''}"
        elif self.probe_requested:
            probe = "probe skipped (see notes)"
        else:
            probe = "no probe (pass example_inputs= to run one)"
        allowed = f", {len(self.allowed)} allowed" if self.allowed else ""
        return f"check_model_init: {what} in {self.model} ({self.framework}, {self.checked} tensors checked, {probe}{allowed})"

    def to_dict(self) -> dict:
        """The report as plain data (``json.dumps``-able)."""
        return {
            "model": self.model, "framework": self.framework, "ok": self.ok, "checked": self.checked,
            "probe_steps": self.probe_steps, "summary": self.summary(),
            "problems": [p.to_dict() for p in self.problems],
            "allowed": [p.to_dict() for p in self.allowed],
            "notes": list(self.notes),
        }

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __str__(self) -> str:
        lines = [self.summary()]
        for group in group_problems(self.problems):
            lines += ["", *("  " + line for line in render_group(group).splitlines())]
        if self.notes:
            lines += ["", "notes:", *(f"  - {n}" for n in group_notes(self.notes))]
        return "\n".join(lines)


def _pattern_and_indices(names: list) -> str:
    """``["l.0.w", "l.3.w"]`` -> ``"l.{0, 3}.w"`` (``/`` separators too) when the names differ in
    one numeric segment."""
    if len(names) == 1:
        return names[0]
    split = [re.split(r"([./])", n) for n in names]
    if len({len(s) for s in split}) == 1:
        varying = [i for i in range(len(split[0])) if len({s[i] for s in split}) > 1]
        if len(varying) == 1 and all(s[varying[0]].isdigit() for s in split):
            from initlint.runtime.judge import fmt_indices

            i = varying[0]
            parts = list(split[0])
            parts[i] = "{" + fmt_indices([int(s[i]) for s in split]) + "}"
            return "".join(parts)
    return allow_pattern(names[0])


def group_problems(problems: list) -> list:
    """Problems that repeat in a stack of layers (same code, message, shape; names differing only
    in layer indices), as lists in order of first appearance."""
    groups: dict = {}
    for p in problems:
        key = (p.code, p.allow, p.shape, p.message, p.suggestion)
        groups.setdefault(key, []).append(p)
    return list(groups.values())


def render_group(group: list) -> str:
    if len(group) == 1:
        return str(group[0])
    first = group[0]
    shape = "(" + ", ".join(str(s) for s in first.shape) + ("," if len(first.shape) == 1 else "") + ")"
    name = _pattern_and_indices([p.name for p in group])
    return (
        f"{name} ({len(group)} tensors) shape {shape}: {first.code} {first.rule}\n"
        f"    {first.message}\n"
        f"    fix: {first.suggestion}\n"
        f'    if intended: allow=["{first.allow}"]'
    )


def group_notes(notes: list) -> list:
    """Notes that say the same of repeated layers (``name: text``), one line per group."""
    groups: dict = {}
    order = []
    for note in notes:
        name, sep, text = note.partition(": ")
        if not sep or " " in name:
            key = (None, note)
        else:
            key = (allow_pattern(name), text)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(name if key[0] is not None else note)
    out = []
    for key in order:
        names = groups[key]
        if key[0] is None:
            out.append(key[1])
        elif len(names) == 1:
            out.append(f"{names[0]}: {key[1]}")
        else:
            out.append(f"{_pattern_and_indices(names)} ({len(names)} tensors): {key[1]}")
    return out


class InitCheckError(AssertionError):
    """Raised when problems were found; an AssertionError so pytest shows it as a failed check."""

    def __init__(self, report: InitReport) -> None:
        self.report = report
        super().__init__(str(report))


class ProbeError(RuntimeError):
    """The probe could not run the model (its forward raised); the model is left unchanged."""


def make_problem(
    code: str, name: str, message: str, shape: tuple, framework: str, aliases: tuple = (), kind: str = "param"
) -> Problem:
    return Problem(
        code=code,
        name=name,
        message=message,
        shape=tuple(int(s) for s in shape),
        rule=RULES[code].name,
        suggestion=runtime_fix(code, framework, kind),
        aliases=tuple(aliases),
        framework=framework,
    )
