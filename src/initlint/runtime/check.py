"""``check_model_init``: the entry point. Chooses the back end from ``sys.modules`` (never by
importing a framework), runs the checks, applies select/ignore/allow, builds the report."""

from __future__ import annotations

import sys
import warnings
from fnmatch import fnmatchcase
from typing import Any, Callable, Iterable, Optional, Union

from initlint.catalog import RUNTIME_CODES, expand_codes
from initlint.runtime import crossrank, uninitialised
from initlint.runtime.facts import Entry
from initlint.runtime.judge import judge, model_view, pick
from initlint.runtime.report import InitCheckError, InitReport, make_problem

Codes = Union[str, Iterable[str], None]


def _as_tuple(value: Codes) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def detect_framework(model: Any) -> str:
    """"keras" or "torch". Keras first: on the torch backend a Keras model is also an nn.Module."""
    keras = sys.modules.get("keras")
    if keras is not None:
        layer_cls = getattr(keras, "Layer", None) or getattr(getattr(keras, "layers", None), "Layer", None)
        if layer_cls is not None and isinstance(model, layer_cls):
            return "keras"
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        return "torch"
    if "jax" in sys.modules:  # "flax", "haiku", "equinox" or "jax" (any pytree of arrays)
        from initlint.runtime.backends.jax import framework_of

        framework = framework_of(model)
        if framework is not None:
            return framework
    raise TypeError(
        f"check_model_init expects a torch.nn.Module or a Keras 3 model/layer, or a JAX model (Flax variables "
        f"or nnx Module, Equinox Module, Haiku params, a pytree of jax arrays), got {type(model).__name__}"
    )


def check_model_init(
    model: Any,
    *,
    example_inputs: Any = None,
    apply_fn: Optional[Callable] = None,
    steps: int = 3,
    allow: Codes = (),
    select: Codes = None,
    ignore: Codes = (),
    raise_on_problem: bool = True,
    rank0_only: bool = False,
) -> InitReport:
    """Check an instantiated model's weights for initialisation mistakes.

    Without ``example_inputs`` the check only reads the weights (INI001, INI002, INI003,
    INI005, INI006). With them, a probe of at most ``steps`` SGD steps in training mode, on copies
    of the suspicious tensors, tells zero inits that train from dead (INI004) and permanently
    symmetric (INI005) layers. ``allow``: glob patterns on tensor names whose problems are
    accepted (a pattern matching no tensor warns); ``select``/``ignore``: codes or prefixes
    ("INI00"). Raises ``InitCheckError`` (an AssertionError) listing every problem when
    ``raise_on_problem``, ``ProbeError`` when the model cannot run on ``example_inputs``; the
    model is never changed, not even an attribute. ``apply_fn``: for JAX, how to run the model
    in the probe, ``apply_fn(model, *inputs)`` (e.g. ``model.apply`` for Flax linen variables);
    nnx and Equinox modules are called directly. Sharded models (torch.distributed): call it on
    every rank; every rank gets the same report, or with ``rank0_only`` only rank 0 does (the
    others get an empty report and never raise).
    """
    __tracebackhide__ = True  # pytest: show the report, not initlint's frames
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (got {steps!r}): one step cannot show units coming apart")
    allow_patterns = _as_tuple(allow)
    codes = set(RUNTIME_CODES)
    if select is not None:
        codes &= expand_codes(list(_as_tuple(select)))
    codes -= expand_codes(list(_as_tuple(ignore)))

    framework = detect_framework(model)
    if apply_fn is not None and (framework in ("torch", "keras") or example_inputs is None):
        raise ValueError(
            "check_model_init: apply_fn= runs a JAX model in the probe, so it needs example_inputs= and a JAX model"
        )
    if framework == "keras":
        from initlint.runtime.backends import keras as backend
    elif framework == "torch":
        from initlint.runtime.backends import torch as backend
    else:
        from initlint.runtime.backends import jax as backend
    probe_options = {"apply_fn": apply_fn} if apply_fn is not None else {}

    entries, notes = backend.collect(model)
    notes.extend(backend.compute_facts(entries) or ())
    for e in entries:  # values per unit (the chance of identical units depends on it), any back end
        if e.facts is not None and e.facts.n_units:
            e.facts.fan_in = e.numel // e.facts.n_units
    view = model_view(entries)
    report = InitReport(model=type(model).__name__, framework=framework, checked=len(entries))

    def allowed(e: Entry) -> bool:
        return any(fnmatchcase(n, pat) for n in (e.name, *e.aliases) for pat in allow_patterns)

    if example_inputs is not None:
        report.probe_requested = True
        blocking = [e.name for e in entries if "INI006" in codes and "INI006" in judge(e, view)[0] and not allowed(e)]
        if blocking:
            notes.append("probe skipped: NaN/Inf in " + ", ".join(blocking))
        else:
            notes.extend(backend.probe(model, entries, example_inputs, steps, **probe_options))
            if any(e.probe is not None for e in entries):
                report.probe_steps = max(e.probe.steps for e in entries if e.probe is not None)

    memory = uninitialised.find(entries, framework) if uninitialised.CODE in codes else None
    unused = []
    for e in entries:
        cands, extra = judge(e, view)
        notes.extend(extra)
        if e.probe is not None and not e.probe.used:
            unused.append(e.name)
        chosen = pick(cands, codes)
        if chosen is None or (memory and e.name in memory[0]):  # folded into the one INI007
            continue
        problem = make_problem(chosen[0], e.name, chosen[1], e.shape, framework, e.aliases, e.kind)
        problem = crossrank.explain(e, problem)
        (report.allowed if allowed(e) else report.problems).append(problem)
    if memory:
        memory_allowed = any(fnmatchcase(memory[1].name, pat) for pat in allow_patterns)
        (report.allowed if memory_allowed else report.problems).insert(0, memory[1])
    if unused:
        notes.append(
            "not used by the forward for these example_inputs (no gradient), so the probe says nothing "
            "about them: " + ", ".join(unused)
        )
    if not entries:
        notes.append(
            "nothing was checked: the model has no parameter or floating buffer with values (empty, on the meta "
            "device, lazy or quantized: see above)"
        )
        warnings.warn(f"check_model_init: nothing was checked in {report.model} (0 tensors with values)", stacklevel=2)
    names = [n for e in entries for n in (e.name, *e.aliases)]
    for pat in allow_patterns:
        if not any(fnmatchcase(n, pat) for n in names):
            example = f" (names look like {names[0]!r})" if names else ""
            warnings.warn(f"check_model_init: allow pattern {pat!r} matches no tensor of {report.model}{example}",
                          stacklevel=2)
    report.notes = notes
    if rank0_only and framework == "torch":
        from initlint.runtime.backends.torch_sharded import rank

        if rank() != 0:
            report.problems, report.allowed = [], []
            report.notes = [f"rank {rank()}: the report is on rank 0 (rank0_only=True)"]
            return report
    if report.problems and raise_on_problem:
        raise InitCheckError(report)
    return report
