"""Keras 3 back end: variables from ``model.weights``, roles by identity, facts, optional probe.

Roles come from *identity*: a variable is a kernel because it is ``layer.kernel`` of a
``Dense`` (tables in roles.py), not because of its name; variables of custom layers fall back
to their name. Values are read through ``variable.value``: on the torch backend that is a
torch tensor and the fast torch path applies; on other backends values are converted to numpy
(one copy per variable; the speed target is for torch).

The probe runs on the torch backend (below) and on JAX (backends.keras_jax): ``model.stateless_call`` with copies of the
variables (so the model's variables never change), ``training=False`` (Keras has a single
training flag: dropout is off and BatchNormalization uses its moving statistics), and torch
autograd for the gradients.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from initlint.runtime import roles
from initlint.runtime.facts import Entry, resolve_layout
from initlint.runtime.vocabulary import intent_reason


def backend_name() -> str:
    keras = sys.modules["keras"]
    try:
        return str(keras.backend.backend())
    except Exception:  # pragma: no cover - very old/odd keras
        return "unknown"


def _is_variable(v: Any) -> bool:
    return hasattr(v, "path") and hasattr(v, "value") and hasattr(v, "trainable")


def _layers(model: Any) -> list:
    try:
        return list(model._flatten_layers(include_self=True, recursive=True))
    except Exception:  # private API moved: walk the public one
        out, todo = [], [model]
        while todo:
            layer = todo.pop()
            out.append(layer)
            todo.extend(getattr(layer, "layers", []) or [])
        return out


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _auto_names(layers: list) -> set:
    """Layer names Keras made up from the class name (``zero_initialized_layer_2``): they say what
    the class is called, not what the user meant, so they carry no intent."""
    out = set()
    for layer in layers:
        name = str(getattr(layer, "name", ""))
        if re.fullmatch(re.escape(_snake(type(layer).__name__)) + r"(_\d+)?", name):
            out.add(name)
    return out


def collect(model: Any) -> tuple[list, list]:
    notes: list = []
    variables = list(model.weights)
    if not variables:
        notes.append(
            "the Keras model has no weights yet (not built), so nothing was checked: build it first "
            "(keras.Input in a Sequential/functional model, model.build(shape), or one call on data)"
        )
        return [], notes
    owner: dict = {}
    all_layers = _layers(model)
    auto = _auto_names(all_layers)
    for layer in all_layers:
        for attr in roles.keras_spec_attrs(layer):  # properties such as Dense.kernel first
            v = getattr(layer, attr, None)
            if _is_variable(v):
                owner.setdefault(id(v), (layer, attr))
        for attr, v in list(vars(layer).items()):  # then every variable a layer holds itself
            if _is_variable(v):
                owner.setdefault(id(v), (layer, attr))
    torch_values = backend_name() == "torch"
    entries: list = []
    seen: dict = {}
    skipped: list = []
    for v in variables:
        if id(v) in seen:
            seen[id(v)].aliases += (v.path,)
            continue
        layer, attr = owner.get(id(v), (None, None))
        shape = tuple(int(s) for s in v.shape)
        dtype = str(v.dtype)
        if not ("float" in dtype):
            if v.trainable:
                skipped.append(v.path)
            continue
        spec = roles.keras_spec(layer, attr, v.path, len(shape), bool(v.trainable))
        if spec.role in (roles.BUFFER, roles.STATISTIC):
            kind = "buffer"
        else:
            kind = "param"
        groups = 1
        if spec.groups_attr and layer is not None:
            groups = int(getattr(layer, spec.groups_attr, 1) or 1)
        layout = resolve_layout(spec, shape, groups, bool(v.trainable))
        if torch_values:
            value = v.value
        else:
            value = sys.modules["keras"].ops.convert_to_numpy(v.value)
        e = Entry(v.path, value, shape, spec, kind, bool(v.trainable), layout, handle=v, module=layer)
        if spec.role in roles.CONSTANT_CHECKED:
            e.intent = intent_reason(".".join(p for p in v.path.split("/") if p not in auto))
        bias = getattr(layer, "bias", None) if layer is not None and attr != "bias" else None
        if torch_values and _is_variable(bias) and bias is not v:
            from initlint.runtime.backends.torch import unit_bias

            e.bias = unit_bias(bias.value, layout, value)
        seen[id(v)] = e
        entries.append(e)
    if skipped:
        notes.append("non-floating variables skipped: " + ", ".join(skipped))
    return entries, notes


def compute_facts(entries: list) -> None:
    if backend_name() == "torch":
        from initlint.runtime.backends import torch as torch_backend

        torch_backend.compute_facts(entries)
        return
    from initlint.runtime.stats.numpy import tensor_facts as np_facts

    for e in entries:
        want = e.trainable and e.spec.role in (*roles.CONSTANT_CHECKED, roles.NORM_SCALE)
        e.facts = np_facts(e.value, e.layout, want)


def split_inputs(example_inputs: Any) -> tuple:
    """Keras convention: a tuple is positional arguments; anything else (tensor, list of
    inputs, dict of named inputs) is the single ``inputs`` argument."""
    if isinstance(example_inputs, tuple):
        return example_inputs
    return (example_inputs,)


def _training_kwargs(model: Any) -> dict:
    """``training=True`` when the model's ``call`` takes it (Keras passes it on to every layer)."""
    import inspect

    try:
        params = inspect.signature(model.call).parameters
    except (TypeError, ValueError):
        return {"training": True}
    takes = "training" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return {"training": True} if takes else {}


def probe(model: Any, entries: list, example_inputs: Any, steps: int) -> list:
    __tracebackhide__ = True
    if backend_name() == "jax":
        from initlint.runtime.backends.keras_jax import probe as jax_probe

        return jax_probe(model, entries, example_inputs, steps)
    if backend_name() != "torch":
        return [f"probe skipped: the Keras probe needs the torch or jax backend (this is {backend_name()!r})"]
    import torch

    from initlint.runtime.backends.torch import PROBE_RNG_SEED, isolated
    from initlint.runtime.probe import run_probe
    from initlint.runtime.report import ProbeError
    from initlint.runtime.snapshot import cow_clone

    by_id = {id(e.handle): e for e in entries}
    trainable = list(model.trainable_variables)
    targets = [by_id.get(id(v)) for v in trainable]
    if any(t is None for t in targets):
        return ["probe skipped: some trainable variables are not floating point"]
    non_trainable = [cow_clone(v.value) for v in model.non_trainable_variables]
    args = split_inputs(example_inputs)
    kwargs = _training_kwargs(model)

    def forward(values: list) -> Any:
        __tracebackhide__ = True
        try:
            out, _ = model.stateless_call(values, non_trainable, *args, **kwargs)
        except Exception as exc:
            raise ProbeError(
                f"check_model_init: the probe's forward pass raised {type(exc).__name__}: {exc}. "
                "The probe calls model.stateless_call(..., training=True) with example_inputs= as the "
                "model's input (a tuple: positional arguments). The model was not changed."
            ) from exc
        return out

    with isolated([model], seed=PROBE_RNG_SEED), torch.inference_mode(False):
        return run_probe(targets, forward, steps)
