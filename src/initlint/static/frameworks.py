"""Event producers beyond PyTorch (Keras, Flax/JAX). Each module exposes
``events(facts, resolver) -> list[InitEvent]``; the analyzer asks all of them."""

from __future__ import annotations

from initlint.static import flax_events, keras_events
from initlint.static.collect import ModuleFacts

#: Keras (kernel_initializer=..., add_weight) and Flax/JAX/Haiku (kernel_init=..., self.param,
#: hk.get_parameter, nnx.Param).
PRODUCERS: tuple = (keras_events.events, flax_events.events)


def events(facts: ModuleFacts, resolver) -> list:
    out: list = []
    for produce in PRODUCERS:
        out.extend(produce(facts, resolver))
    return out
