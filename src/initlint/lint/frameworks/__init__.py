"""The framework producers: each turns one module's facts into init events (facts, no
verdicts) through ``events(facts, resolver) -> list[InitEvent]``. A new framework is a
knowledge module plus a producer listed here; the judge, INI004 and intent come free."""

from __future__ import annotations

from initlint.lint.frameworks import flax, keras, tensorflow, torch
from initlint.lint.frameworks.base import InitEvent
from initlint.lint.model.collect import ModuleFacts
from initlint.lint.model.resolve import Resolver

#: PyTorch (nn.init, in-place fills, Parameters), Keras (kernel_initializer=..., add_weight),
#: Flax/JAX/Haiku (kernel_init=..., self.param, hk.get_parameter, nnx.Param) and TensorFlow 1 /
#: TF-slim (weights_initializer=..., tf.get_variable, tf.Variable).
PRODUCERS: tuple = (torch.events, keras.events, flax.events, tensorflow.events)


def events(facts: ModuleFacts, resolver: Resolver) -> "list[InitEvent]":
    out: list[InitEvent] = []
    for produce in PRODUCERS:
        out.extend(produce(facts, resolver))
    return out
