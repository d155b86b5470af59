"""From facts (and probe results) to at most one problem per tensor, plus notes.

The rules of DESIGN.md §1 and §2, in one place:

- INI006 for NaN in any parameter or floating buffer, and for Inf in a parameter (a buffer may
  hold ``-inf``/``inf`` on purpose: causal masks, clamp bounds);
- only trainable weights and embeddings are judged for being constant; biases, norm scales and
  shifts, scalars/1-D tensors, frozen tensors and buffers are meant to be constant;
- a zero (or numerically zero) weight whose name says it is deliberate (a head, an adapter, a
  gate, a modulation: the linter's vocabulary) is a note without inputs, asking for the probe;
- γ = 0 on every norm of the model is INI003, the runtime twin of the linter's rule;
- INI005 only when the duplicate units are not simply one constant tensor (that is INI001/2),
  and only when there are more of them than a random init gives by chance at that fan-in and
  dtype (see chance.py);
- with a probe: INI004 for structurally dead units of a weight; a zero weight that receives
  gradient is a zero-init that trains (a note, not a problem); a constant tensor whose units stay
  identical through every step is a permanent collapse, reported as INI005; duplicate units
  that come apart are a note;
- precedence INI006 > INI004 > INI003 > INI001/INI002 > INI005, applied after select/ignore.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from initlint.catalog import RUNTIME_PRECEDENCE
from initlint.runtime import chance
from initlint.runtime.facts import Entry
from initlint.runtime.roles import BUFFER, CONSTANT_CHECKED, EMBEDDING, NORM_SCALE, WEIGHT


@dataclass(frozen=True)
class ModelView:
    """What the judgement of one tensor needs to know about the whole model."""

    zero_norms: frozenset = field(default_factory=frozenset)  # γ of every norm, all zero (INI003)
    norm_count: int = 0


def model_view(entries: list) -> ModelView:
    """Model-wide facts: whether every norm of the model scales its output to zero (INI003).

    A norm kills its input when its γ is 0 (``x̂·γ + β``) or -1 (``x̂·(1 + γ)``), as the back end
    found by calling it; a ``(1 + γ)`` norm storing γ = 0 (Gemma) or a norm with a residual inside
    (GRN) is at its identity and does not count."""
    norms = [e for e in entries if e.kind == "param" and e.trainable and e.spec.role == NORM_SCALE and e.facts]
    counted = [e for e in norms if not (e.facts.constant == 0 and e.facts.zero_scale is False)]
    killing = [e for e in counted if e.facts.zero_scale or (e.facts.zero_scale is None and e.facts.constant == 0)]
    if len(killing) >= 2 and len(killing) == len(counted):
        return ModelView(frozenset(e.name for e in killing), len(killing))
    return ModelView()


def fmt_indices(idx: list, limit: int = 8) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0-2, 5, 7-8"`` (at most ``limit`` runs)."""
    runs = []
    for i in sorted(idx):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    text = [f"{a}-{b}" if b > a else f"{a}" for a, b in runs[:limit]]
    if len(runs) > limit:
        text.append("...")
    return ", ".join(text)


def _units_word(e: Entry) -> str:
    lay = e.layout
    where = f"dim {lay.axis}" if lay is not None else "dim 0"
    if lay is not None and lay.gates > 1:
        where += f", {lay.gates} gate blocks"
    if lay is not None and lay.experts > 1:
        where += f", {lay.experts} experts numbered one after the other"
    return f"units ({where})"


def _groups_text(groups: list) -> str:
    shown = "; ".join("{" + fmt_indices(g) + "}" for g in groups[:4])
    return shown + ("; ..." if len(groups) > 4 else "")


def _value(c: float) -> str:
    return f"{c:.6g}"


def _pools(e: Entry, n: int) -> list:
    """Sizes of the sets of units compared with each other (per conv group, per expert)."""
    parts = 1
    if e.layout is not None:
        parts = max(1, e.layout.groups) * max(1, e.layout.experts)
    return [n // parts] * parts


def _by_chance(e: Entry, groups: list) -> bool:
    f = e.facts
    eps = chance.machine_eps(getattr(e.value, "dtype", None))
    return chance.by_chance(groups, _pools(e, f.n_units), f.fan_in or 1, eps)


def _steps(n: int) -> str:
    return f"{n} probe step{'s' if n != 1 else ''}"


def _nonfinite(e: Entry, cands: dict) -> None:
    f = e.facts
    if e.spec.role == BUFFER and f.nan == 0:
        return  # ±inf in a buffer: a mask or a bound (not in a running statistic)
    parts = [f"{f.nan} NaN" if f.nan else "", f"{f.inf} Inf" if f.inf else ""]
    what = " and ".join(p for p in parts if p)
    cands["INI006"] = f"{what} among its {e.numel} values" + (
        " (Inf alone would be fine in a mask or bound buffer; NaN is not)" if e.spec.role == BUFFER and f.inf else ""
    )


def judge(e: Entry, view: ModelView = ModelView()) -> tuple[dict, list]:
    """Candidate problems ({code: message}) and notes for one tensor."""
    cands: dict = {}
    notes: list = []
    f = e.facts
    if f is None:
        return cands, notes
    if not f.finite:
        _nonfinite(e, cands)
    p = e.probe
    if e.name in view.zero_norms and f.finite:
        cands["INI003"] = (
            f"this norm scale (γ = {_value(f.constant)}) makes the norm output its shift alone, and so does every "
            f"norm of the model ({view.norm_count} norms): "
            "whatever their input, so no layer before the last norm shapes the output until the scales grow back; "
            "a zero scale is the trick for the last norm of each residual branch, not for every norm"
        )
    if e.kind == "param" and e.trainable and e.spec.role == NORM_SCALE and f.finite and f.constant == 0 \
            and p is not None and p.used and p.whole_dead:
        # One zero γ at the end of a residual branch still gets gradient through the skip sum;
        # a zero γ that gets none sits in a chain whose every gradient dies (DESIGN §1).
        cands["INI004"] = (
            f"this norm scale (γ) is zero and no gradient reached it in {_steps(p.steps)}: the norm outputs its "
            "shift only and nothing after it passes gradient back (an activation with zero slope at that constant, "
            "such as ReLU, or a product of two zeros, as in a gated MLP), so this norm and the layers before it "
            "are dead (γ = 0 on every norm of a chain)"
        )
        return cands, notes
    judged = e.kind == "param" and e.trainable and e.spec.role in CONSTANT_CHECKED and len(e.shape) >= 2
    if not judged or not f.finite:
        return cands, notes
    n = f.n_units
    units = _units_word(e)
    zero_like = f.constant == 0 or f.near_zero
    if f.constant is not None:
        if f.constant == 0:
            cands["INI001"] = (
                f"all {e.numel} values are 0: every unit computes the same output and gets the same "
                "gradient unless its neighbours are random; nothing shows that this is deliberate"
            )
        else:
            cands["INI002"] = (
                f"all {e.numel} values are {_value(f.constant)}: every unit starts identical, and a "
                "constant scale is rarely the intended one"
            )
    elif f.near_zero:
        scale = 1 / math.sqrt(max(1, f.fan_in))
        cands["INI001"] = (
            f"every value is within ±{f.tiny:.1e}, {f.tiny / scale:.0e} of the usual init scale "
            f"1/sqrt(fan_in) = {scale:.2g}: numerically zero (float16 rounds all of it to 0), so every unit "
            "starts as if it were 0; nothing shows that this is deliberate"
        )
    elif f.groups and e.spec.role == WEIGHT and not _by_chance(e, f.groups):
        k = sum(len(g) for g in f.groups)
        cands["INI005"] = (
            f"{k} of {n} {units} fall into {len(f.groups)} group{'s' if len(f.groups) != 1 else ''} "
            f"of identical units: {_groups_text(f.groups)}"
        )

    if p is None or not p.used:  # (unused: reported once, in a combined note, by the caller)
        if "INI001" in cands and e.intent:
            cands.pop("INI001")
            confirm = ("pass example_inputs= to check_model_init to confirm that it trains" if p is None else
                       "example_inputs that use it would confirm that it trains")
            notes.append(
                f"{e.name}: {'all zeros' if f.constant == 0 else 'numerically zero'}, and its name says that is "
                f"deliberate ({e.intent}); {confirm}"
            )
        return cands, notes
    steps = _steps(p.steps)
    if e.spec.role == WEIGHT and p.dead_units and p.whole_dead:
        cands["INI004"] = (
            f"its weights are zero and no gradient reached any of its {n or e.numel} "
            f"{units if n else 'values'} in {steps}: its input is always zero, or whatever uses its output "
            "passes no gradient back (an activation with zero slope at its constant output, such as ReLU, or "
            "another zero tensor it is multiplied with, here or in a neighbouring layer)"
        )
    elif e.spec.role == WEIGHT and p.dead_units and not p.bias_explains:
        if not e.intent:  # (sampling offsets say what they are: that some get no signal is expected)
            notes.append(
                f"{e.name}: {len(p.dead_units)} of {n} zero units received no gradient in {steps}, but their "
                "bias sign does not explain it (units with a bias > 0 got none either, or some with a bias <= 0 "
                "did): these inputs give them no error signal (e.g. sampling offsets that point outside a small "
                "feature map); try larger example_inputs"
            )
    elif e.spec.role == WEIGHT and p.dead_units:
        d = p.dead_units
        cands["INI004"] = (
            f"{len(d)} of {n} {units} never received a gradient in {steps}: {{{fmt_indices(d)}}}; their "
            "weights are zero and their bias is <= 0, while the zero units with a bias > 0 did receive one: "
            "each outputs a constant the activation clamps (e.g. ReLU of a bias <= 0)"
        )
    elif e.spec.role == WEIGHT and p.whole_dead:
        notes.append(
            f"{e.name}: received no gradient in the probe although its weights are not zero "
            "(its input may be zero, e.g. an initial hidden state, or a layer next to it is dead)"
        )
    symmetric_all = n >= 2 and any(len(g) == n for g in p.persistent)
    if f.constant is not None or f.near_zero:
        if f.constant is not None and symmetric_all and p.any_grad:
            cands.pop("INI001", None)
            cands.pop("INI002", None)
            cands["INI005"] = (
                f"all {n} {units} are identical (every value {_value(f.constant)}) and stay identical "
                f"through {steps}: the layer behaves as if it had one unit"
            )
        elif zero_like and "INI001" in cands and p.any_grad and "INI004" not in cands:
            # (a zero layer whose negative-bias units died is a problem, not a zero-init that trains)
            cands.pop("INI001")
            apart = " and its units come apart" if f.constant is not None and n >= 2 and e.layout is not None \
                and e.layout.compare else ""
            what = "all zeros" if f.constant == 0 else "numerically zero"
            if e.intent:
                notes.append(f"{e.name}: {what}, and it receives gradient in the probe{apart}: a deliberate "
                             f"zero-init that trains ({e.intent})")
            else:
                notes.append(
                    f"{e.name}: {what}, but it receives gradient in the probe{apart}: a zero-init that trains, as "
                    "a head or the last layer of a residual branch does (as a hidden layer it starts with every "
                    "unit alike: prefer a random init there)"
                )
        elif "INI002" in cands and p.any_grad and n >= 2:
            cands["INI002"] += (
                "; the probe shows its units drifting apart, so this is a scaling smell rather than "
                "a permanent collapse"
            )
    elif "INI005" in cands:
        if p.persistent and not _by_chance(e, p.persistent):
            k = sum(len(g) for g in p.persistent)
            cands["INI005"] = (
                f"{k} of {n} {units} are identical and stay identical through {steps} "
                f"({len(p.persistent)} group{'s' if len(p.persistent) != 1 else ''}: {_groups_text(p.persistent)})"
            )
        else:
            cands.pop("INI005")
            notes.append(f"{e.name}: duplicate units come apart in the probe (their neighbours tell them apart)")
    if e.spec.role == EMBEDDING:
        cands.pop("INI004", None)
    return cands, notes


def pick(cands: dict, codes: set) -> "tuple[str, str] | None":
    """The highest-precedence candidate whose code is enabled."""
    for code in RUNTIME_PRECEDENCE:
        if code in cands and code in codes:
            return code, cands[code]
    return None
