"""The probe for Keras 3 on the JAX backend: ``model.stateless_call`` under ``jax.grad``.

Keras on JAX is functional underneath: ``stateless_call(trainable, non_trainable, *inputs)``
runs the model on the arrays it is given and never assigns to its variables. The probe hands it
new arrays (copies by construction: JAX arrays are immutable) and runs probe_jax's jitted SGD
steps, with ``training=False`` as on the torch backend (dropout off, BatchNormalization on its
moving statistics). Roles, layouts and facts come from backends.keras as for any backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from initlint.runtime.backends.keras import _is_variable, _layers, split_inputs
from initlint.runtime.report import ProbeError


def _unit_biases(model: Any, entries: list) -> None:
    """Give each kernel entry its layer's bias, one value per unit (INI004 spares a zero unit
    whose bias is > 0: it is active)."""
    bias_of = {}
    for layer in _layers(model):
        kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
        if _is_variable(kernel) and _is_variable(bias):
            bias_of[id(kernel)] = bias
    for e in entries:
        bias = bias_of.get(id(e.handle))
        if bias is None or e.layout is None or e.layout.gates > 1:
            continue
        b = np.asarray(bias.value, dtype=np.float32)
        if b.ndim == 1 and b.shape[0] == e.shape[e.layout.axis]:
            e.bias = b


def probe(model: Any, entries: list, example_inputs: Any, steps: int) -> list:
    from initlint.runtime.probe_jax import run_probe

    by_id = {id(e.handle): e for e in entries}
    trainable = list(model.trainable_variables)
    targets = [by_id.get(id(v)) for v in trainable]
    if any(t is None for t in targets):
        return ["probe skipped: some trainable variables are not floating point"]
    _unit_biases(model, targets)
    non_trainable = [v.value for v in model.non_trainable_variables]
    args = split_inputs(example_inputs)

    def forward(values: list) -> Any:
        try:
            out, _ = model.stateless_call(values, non_trainable, *args, training=False)
        except Exception as exc:
            raise ProbeError(
                f"check_model_init: the probe's forward pass raised {type(exc).__name__}: {exc}. "
                "The probe calls model.stateless_call(..., training=False) under jax.jit with example_inputs= as the "
                "model's input (a tuple: positional arguments). The model was not changed."
            ) from exc
        return out

    notes = run_probe(targets, [v.value for v in trainable], forward, steps)
    notes.append("Keras probe: training=False (dropout off; BatchNormalization uses its moving statistics)")
    return notes
