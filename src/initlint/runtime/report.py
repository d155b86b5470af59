"""The result of ``check_model_init``: problems a person can act on, and notes for context.

The failure message is what a user sees in pytest's output when a test calls
``check_model_init(model)``; every problem names the parameter, its shape, the code, a fix, and
the exact ``allow=`` pattern that silences it, so nobody has to read initlint's source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from initlint.catalog import RULES
from initlint.runtime.fixes_jax import JAX_SUGGESTIONS

#: one problem per parameter, the most specific code first (DESIGN.md §2)
PRECEDENCE = ("INI006", "INI004", "INI001", "INI002", "INI005")

# Suggested fixes, per code and framework.  {name} is the parameter's name.
SUGGESTIONS: dict[tuple[str, str], str] = {
    ("INI001", "torch"): (
        "initialise it randomly, e.g. nn.init.kaiming_uniform_(w, a=math.sqrt(5)) (the nn.Linear "
        "default); if the zero is deliberate (LoRA B, a zero head, the last layer of a residual "
        "branch), pass example_inputs= so the probe can confirm that it trains"
    ),
    ("INI001", "keras"): (
        "use a random kernel_initializer (e.g. 'glorot_uniform', the Dense default); keep 'zeros' "
        "for biases"
    ),
    ("INI002", "torch"): (
        "use a random init (e.g. nn.init.xavier_uniform_); a fixed filter should be frozen with "
        "requires_grad_(False)"
    ),
    ("INI002", "keras"): "use a random kernel_initializer (e.g. 'glorot_uniform'); a fixed filter should be trainable=False",
    ("INI004", "torch"): (
        "do not zero a layer that feeds ReLU-like activations: zero the *last* layer of the "
        "branch instead, or use a random init (and no bias <= 0 on a zero weight)"
    ),
    ("INI004", "keras"): "zero the last layer of the branch instead, or use a random kernel_initializer",
    ("INI005", "torch"): (
        "use a random init; eye_/dirac_ only on square weights; do not copy one unit's weights "
        "into another"
    ),
    ("INI005", "keras"): "use a random kernel_initializer; 'identity' only on square kernels",
    ("INI006", "torch"): (
        "initialise it (torch.empty leaves memory unfilled; check fan-in divisions for 0), or "
        "load a checkpoint saved before training diverged"
    ),
    ("INI006", "keras"): "initialise it with a finite initializer, or load weights saved before training diverged",
}
SUGGESTIONS.update(JAX_SUGGESTIONS)  # flax, haiku, equinox, jax


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

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        n = len(self.problems)
        what = f"{n} problem{'s' if n != 1 else ''}" if n else "no problems"
        probe = f"probe: {self.probe_steps} steps" if self.probe_steps else "no probe (pass example_inputs= to run one)"
        allowed = f", {len(self.allowed)} allowed" if self.allowed else ""
        return f"check_model_init: {what} in {self.model} ({self.framework}, {self.checked} tensors checked, {probe}{allowed})"

    def __str__(self) -> str:
        lines = [self.summary()]
        for p in self.problems:
            lines += ["", *("  " + line for line in str(p).splitlines())]
        if self.notes:
            lines += ["", "notes:", *(f"  - {n}" for n in self.notes)]
        return "\n".join(lines)


class InitCheckError(AssertionError):
    """Raised when problems were found; an AssertionError so pytest shows it as a failed check."""

    def __init__(self, report: InitReport) -> None:
        self.report = report
        super().__init__(str(report))


class ProbeError(RuntimeError):
    """The probe could not run the model (its forward raised); the model is left unchanged."""


def make_problem(code: str, name: str, message: str, shape: tuple, framework: str, aliases: tuple = ()) -> Problem:
    return Problem(
        code=code,
        name=name,
        message=message,
        shape=tuple(int(s) for s in shape),
        rule=RULES[code].name,
        suggestion=SUGGESTIONS.get((code, framework)) or SUGGESTIONS[(code, "torch")],
        aliases=tuple(aliases),
        framework=framework,
    )
