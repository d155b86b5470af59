"""Static and runtime agree on Flax, nnx and Haiku code: each runnable case of test_cases/flax/
has a runtime twin (agreement_models_jax.py), judged as test_static_runtime_agreement.py judges
the PyTorch ones (the table of verdicts is in that module's docstring):

1. the linter reports exactly the source's ``# expect`` annotations, in the case's category;
2. the source is ``exec``'d here (the linter never executes code), the model built, and
   ``check_model_init`` run without and with the probe;
3. bug -> the probe reports exactly the pinned problems; idiom/silent -> no problem, and every
   zero weight the check without inputs flags is exonerated by the probe ("trains"); smell ->
   the check without inputs flags a weight the linter flags, and the probe's verdict is pinned.
"""

from __future__ import annotations

import sys
import types
from functools import lru_cache

import pytest

from agreement_models import BUG, IDIOM, SILENT, SMELL, Case
from agreement_models_jax import CASES
from initlint import check_model_init
from initlint.finding import Settings
from initlint.lint import analyze_file
from test_static_runtime_agreement import annotations, exonerated, problems, static_kind

BY_ID = {c.id: c for c in CASES}
# Each case costs an XLA compilation or two (~1 s): a representative subset runs by default
# (every library, every category, the known disagreement); the rest is marked slow.
REPRESENTATIVE = {
    "linen_dead_mlp", "linen_attention_all_zero", "nnx_mlp", "haiku_mlp",  # bugs
    "linen_dense_from_scratch", "haiku_conv_tower",  # smells
    "linen_dit_block_and_final_layer", "linen_decoder_zero_label_embedding", "linen_attention_zero_qkv",  # idioms
    "linen_bit_zero_gamma_block", "linen_vit_stem_tokens",  # silent
}


@lru_cache(maxsize=None)
def judged(case_id: str):
    """(static findings, report without inputs, report with the probe) of one case, run once."""
    case = BY_ID[case_id]
    findings = analyze_file(case.source, f"{case.id}.py", Settings(strict=False)).findings
    # a real module: Flax modules are dataclasses, which look their module up in sys.modules
    module = sys.modules.setdefault(f"agreement_jax_{case.id}", types.ModuleType(f"agreement_jax_{case.id}"))
    ns = module.__dict__
    exec(compile(case.source, f"<{case.id}>", "exec"), ns)  # the test runs it; the linter never does
    model, inputs, apply_fn = case.make(ns)
    without = check_model_init(model, raise_on_problem=False)
    probed = check_model_init(model, example_inputs=inputs, apply_fn=apply_fn, raise_on_problem=False)
    return findings, without, probed


def _params(cases, xfail: bool = True):
    def marks(c):
        out = [] if c.id in REPRESENTATIVE else [pytest.mark.slow]
        return out + ([pytest.mark.xfail(strict=True, reason=c.xfail)] if xfail and c.xfail else [])

    return [pytest.param(c, id=c.id, marks=marks(c)) for c in cases]


@pytest.mark.parametrize("case", _params(CASES, xfail=False))
def test_static_verdict(case: Case):
    findings, _, _ = judged(case.id)
    got = {(f.line, f.code, f.idiom is not None) for f in findings}
    assert sorted(got) == sorted(annotations(case.source)), f"static findings of {case.mirrors}"
    assert static_kind(findings) == case.kind


@pytest.mark.parametrize("case", _params(CASES))
def test_runtime_twin_agrees(case: Case):
    findings, without, probed = judged(case.id)
    kind = static_kind(findings)
    report = f"\n--- without inputs ---\n{without}\n--- with the probe ---\n{probed}"
    if kind == BUG:
        assert probed.problems, f"static says {sorted({f.code for f in findings})}, the probe finds nothing{report}"
    elif kind in (IDIOM, SILENT):
        assert problems(probed) == {}, f"static says idiom/silent, the probe reports problems{report}"
        assert set(problems(without)) <= exonerated(probed), report
        if kind == SILENT:
            assert problems(without) == {}, report
    else:  # SMELL: the check without inputs sees a constant weight the linter flags too
        shown = {f.code for f in findings if f.idiom is None}
        assert shown & set(problems(without).values()), report
    if case.runtime is not None:
        assert problems(probed) == case.runtime, report


@pytest.mark.parametrize("case", _params(CASES, xfail=False))
def test_runtime_never_both_flags_and_exonerates(case: Case):
    _, _, probed = judged(case.id)
    assert set(problems(probed)) & exonerated(probed) == set(), str(probed)


def test_table_covers_every_family():
    kinds = [c.kind for c in CASES]
    assert kinds.count(BUG) >= 8 and kinds.count(IDIOM) >= 6
    assert kinds.count(SMELL) >= 4 and kinds.count(SILENT) >= 2
    assert len(BY_ID) == len(CASES), "case ids must be unique"
    sources = {c.mirrors.split("::")[0] for c in CASES}
    assert len(sources) == 7, sources  # every fixture file of test_cases/flax/
    assert REPRESENTATIVE <= set(BY_ID)
