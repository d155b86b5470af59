"""Event producers beyond PyTorch (Keras, Flax/JAX). Each module exposes
``events(facts, resolver) -> list[InitEvent]``; the analyzer asks all of them."""

from __future__ import annotations

from initlint.static.collect import ModuleFacts

PRODUCERS: tuple = ()


def events(facts: ModuleFacts, resolver) -> list:
    out: list = []
    for produce in PRODUCERS:
        out.extend(produce(facts, resolver))
    return out
