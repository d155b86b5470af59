"""From facts (and probe results) to at most one problem per tensor, plus notes.

The rules of DESIGN.md §1 and §2, in one place:

- INI006 for any non-finite value, in any parameter or floating buffer;
- only trainable weights and embeddings are judged for being constant; biases, norm scales and
  shifts, scalars/1-D tensors, frozen tensors and buffers are meant to be constant;
- INI005 only when the duplicate units are not simply one constant tensor (that is INI001/2);
- with a probe: INI004 for dead units of a weight; a zero weight that receives gradient is a
  deliberate zero-init (a note, not a problem); a constant tensor whose units stay identical
  through every step is a permanent collapse and is reported as INI005; duplicate units that
  come apart are a note;
- precedence INI006 > INI004 > INI001/INI002 > INI005, applied after select/ignore.
"""

from __future__ import annotations

from initlint.runtime.facts import Entry
from initlint.runtime.report import PRECEDENCE
from initlint.runtime.roles import CONSTANT_CHECKED, EMBEDDING, NORM_SCALE, WEIGHT


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
    return f"units ({where})"


def _groups_text(groups: list) -> str:
    shown = "; ".join("{" + fmt_indices(g) + "}" for g in groups[:4])
    return shown + ("; ..." if len(groups) > 4 else "")


def _value(c: float) -> str:
    return f"{c:.6g}"


def judge(e: Entry) -> tuple[dict, list]:
    """Candidate problems ({code: message}) and notes for one tensor."""
    cands: dict = {}
    notes: list = []
    f = e.facts
    if f is None:
        return cands, notes
    if not f.finite:
        parts = [f"{f.nan} NaN" if f.nan else "", f"{f.inf} Inf" if f.inf else ""]
        cands["INI006"] = f"{' and '.join(p for p in parts if p)} among its {e.numel} values"
    p = e.probe
    if e.kind == "param" and e.trainable and e.spec.role == NORM_SCALE and f.finite and f.constant == 0 \
            and p is not None and p.used and p.whole_dead:
        # One zero γ at the end of a residual branch still gets gradient through the skip sum;
        # a zero γ that gets none sits in a chain whose every gradient dies (DESIGN §1).
        cands["INI004"] = (
            f"this norm scale (γ) is zero and no gradient reached it in {p.steps} probe step"
            f"{'s' if p.steps != 1 else ''}: the norm outputs its shift only and the ReLU-like activation "
            "after it passes no gradient back, so this norm and the layers before it are dead "
            "(γ = 0 on every norm of a chain)"
        )
        return cands, notes
    judged = e.kind == "param" and e.trainable and e.spec.role in CONSTANT_CHECKED and len(e.shape) >= 2
    if not judged or not f.finite:
        return cands, notes
    n = f.n_units
    units = _units_word(e)
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
    elif f.groups and e.spec.role == WEIGHT:
        k = sum(len(g) for g in f.groups)
        cands["INI005"] = (
            f"{k} of {n} {units} fall into {len(f.groups)} group{'s' if len(f.groups) != 1 else ''} "
            f"of identical units: {_groups_text(f.groups)}"
        )

    p = e.probe
    if p is None:
        return cands, notes
    if not p.used:
        return cands, notes  # reported once, in a combined note, by the caller
    steps = f"{p.steps} probe step{'s' if p.steps != 1 else ''}"
    if e.spec.role == WEIGHT and p.dead_units:
        d = p.dead_units
        if p.whole_dead and (len(d) == n or e.layout is None):
            cands["INI004"] = (
                f"its weights are zero and no gradient reached any of its {n or e.numel} "
                f"{units if n else 'values'} in {steps}: its input is always zero or no error signal flows "
                "back (a zero weight feeding ReLU-like units, here or in a neighbouring layer)"
            )
        else:
            cands["INI004"] = (
                f"{len(d)} of {n} {units} never received a gradient in {steps}: {{{fmt_indices(d)}}}; their "
                "weights are zero, so each outputs a constant that the activation clamps (e.g. ReLU of a bias <= 0)"
            )
    elif e.spec.role == WEIGHT and p.whole_dead:
        notes.append(
            f"{e.name}: received no gradient in the probe although its weights are not zero "
            "(its input may be zero, e.g. an initial hidden state, or a layer next to it is dead)"
        )
    symmetric_all = n >= 2 and any(len(g) == n for g in p.persistent)
    if f.constant is not None:
        if symmetric_all and p.any_grad:
            cands.pop("INI001", None)
            cands.pop("INI002", None)
            cands["INI005"] = (
                f"all {n} {units} are identical (every value {_value(f.constant)}) and stay identical "
                f"through {steps}: the layer behaves as if it had one unit"
            )
        elif "INI001" in cands and p.any_grad and "INI004" not in cands:
            # (a zero layer whose negative-bias units died is a problem, not a deliberate zero-init)
            cands.pop("INI001")
            apart = " and its units come apart" if n >= 2 and e.layout is not None and e.layout.compare else ""
            notes.append(
                f"{e.name}: all zeros, but it receives gradient in the probe{apart}: "
                "a deliberate zero-init that trains (LoRA B, zero head, residual branch)"
            )
        elif "INI002" in cands and p.any_grad and n >= 2:
            cands["INI002"] += (
                f"; the probe shows its units drifting apart, so this is a scaling smell rather than "
                "a permanent collapse"
            )
    elif "INI005" in cands:
        if p.persistent:
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
    for code in PRECEDENCE:
        if code in cands and code in codes:
            return code, cands[code]
    return None
