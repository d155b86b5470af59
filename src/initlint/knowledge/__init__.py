"""Everything initlint knows about ML frameworks, as data, and what the gates derive from it.

``FRAMEWORKS`` holds one :class:`~initlint.knowledge.base.Framework` record per framework.
The cheap stages before libcst (the textual prefilter, the ``ast`` reducer) never keep a list
of their own: their words, callees, keywords and context methods are computed here, once, from
the records, so that adding an init API, a layer or a forward-like method is one row in one
table. Import-light on purpose: no libcst, no torch.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from initlint.knowledge import flax, keras, tensorflow, torch
from initlint.knowledge.activations import ACTIVATIONS, Activation
from initlint.knowledge.base import Framework, InitFunction

FRAMEWORKS: tuple[Framework, ...] = (torch.FRAMEWORK, keras.FRAMEWORK, flax.FRAMEWORK, tensorflow.FRAMEWORK)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _all(field: str) -> dict:
    out: dict = {}
    for fw in FRAMEWORKS:
        out.update(getattr(fw, field))
    return out


def _union(field: str) -> frozenset:
    out: set = set()
    for fw in FRAMEWORKS:
        out |= set(getattr(fw, field))
    return frozenset(out)


# -- derived: what the gates look for ----------------------------------------------------------

#: API names that are common English words: in prose they say nothing, so they count only
#: where they look like code: called, or handed on as a value (``kernel_init=ones)``).
PROSE_NAMES = frozenset({"ones", "one", "zero", "full", "fill", "constant"})


def _word(name: str, called: bool) -> str:
    """The prefilter pattern for one API name. Every pattern starts with a literal
    (``prefilter.Scanner`` searches by it)."""
    escaped = re.escape(name)
    if name in PROSE_NAMES:
        return rf"\b{escaped}\s*\(" if called else rf"\b{escaped}\s*[(,)]"
    return rf"\b{escaped}\b"


@lru_cache(maxsize=None)
def gate_words() -> tuple[str, ...]:
    """Patterns of which one must occur in a file that can hold an init: the last segment of
    every init function, tensor method, factory, initializer and kernel keyword of every
    framework, and their string spellings (``"zeros"``, ``'ones'``)."""
    words: dict[str, None] = {}
    for fw in FRAMEWORKS:
        for name in fw.init_functions:
            words[_word(_short(name), called=False)] = None
        for name in fw.tensor_methods:
            words[_word(name, called=False)] = None
        for name in fw.factories:
            words[_word(_short(name), called=True)] = None
        for name in list(fw.initializers) + list(fw.initializer_factories):
            words[_word(_short(name), called=name not in fw.initializers)] = None
        for keyword in fw.kernel_keywords:
            words[_word(keyword, called=False)] = None
        for keyword in fw.parameter_makers.values():
            if keyword:
                words[rf"\b{re.escape(keyword)}\s*="] = None
        for shape in fw.gate_patterns:
            words[shape] = None
        for spelling in fw.string_spellings:
            # the quote is checked behind the literal (see prefilter.Scanner)
            words[rf"{re.escape(spelling)}(?<=[\"']{re.escape(spelling)})[\"']"] = None
    return tuple(words)


@lru_cache(maxsize=None)
def context_words() -> tuple[str, ...]:
    """Patterns of statements the judge reads beside the inits themselves, so that the gates
    keep them: a later random init or copy of a tensor (a constant before it was a dead
    store), a partial write (``w[:k].fill_(1)``), a callback handed to ``.apply``."""
    words = [rf"\b{re.escape(name)}\s*\(" for name in sorted(random_inits())]
    words += [rf"\b{re.escape(_short(name))}\s*\(" for name in sorted(torch.OVERWRITING_COLLECTIVES)]
    words += [rf"\.\s*{re.escape(m)}\s*\(" for m in sorted(torch.APPLY_METHODS)]
    words += [rf"\b{re.escape(f)}\s*\(" for f in sorted(torch.APPLY_FUNCTIONS)]
    words += [rf"\]\s*\.\s*{re.escape(m)}\s*\(" for m in sorted(torch.TENSOR_METHODS)]
    words += [rf"\.\s*{re.escape(m)}\s*\(" for m in sorted(torch.COPY_METHODS)]  # a copy overwrites a constant
    return tuple(words)


@lru_cache(maxsize=None)
def candidate_callees() -> frozenset:
    """Short names of the callables that can set a weight to a constant, in any framework."""
    names: set[str] = set()
    for fw in FRAMEWORKS:
        names |= {_short(n) for n in fw.init_functions}
        names |= set(fw.tensor_methods) | set(fw.copy_methods)
        names |= {_short(n) for n in fw.factories}
        names |= {_short(n) for n in fw.initializers} | {_short(n) for n in fw.initializer_factories}
        names |= set(fw.parameter_makers)
    return frozenset(names)


@lru_cache(maxsize=None)
def array_factories() -> frozenset:
    """Dotted names of the calls that make a plain array (``torch.zeros``, ``jax.numpy.ones``):
    bound to a local name, such an array is no weight."""
    return _union("factories")


@lru_cache(maxsize=None)
def first_arg_targets() -> frozenset:
    """Short names of init functions whose first argument is the tensor or layer they fill."""
    return frozenset(_short(n) for fw in FRAMEWORKS for n, f in fw.init_functions.items()
                     if f.target is not None and f.target.index == 0)


@lru_cache(maxsize=None)
def receiver_methods() -> frozenset:
    """Tensor methods that fill their receiver: ``w.zero_()``, ``w.copy_(torch.zeros_like(w))``."""
    return frozenset(set(_all("tensor_methods")) | _union("copy_methods"))


@lru_cache(maxsize=None)
def copy_methods() -> frozenset:
    """Tensor methods that copy their argument into their receiver: an init only when the
    argument is a constant array (``w.copy_(torch.zeros_like(w))``)."""
    return _union("copy_methods")


@lru_cache(maxsize=None)
def init_keywords() -> frozenset:
    """Keyword arguments (and dict keys) through which a layer's weight or bias is initialised."""
    out = set(_all("kernel_keywords")) | set(_union("bias_keywords"))
    out |= {k for fw in FRAMEWORKS for k in fw.parameter_makers.values() if k}
    return frozenset(out)


@lru_cache(maxsize=None)
def random_inits() -> frozenset:
    return _union("random_inits")


@lru_cache(maxsize=None)
def forward_methods() -> frozenset:
    """Methods that say how a module is wired, in any framework (a method they call on
    ``self`` says so too)."""
    return _union("forward_methods")


@lru_cache(maxsize=None)
def constructor_methods() -> frozenset:
    return _union("constructor_methods")


@lru_cache(maxsize=None)
def context_methods() -> frozenset:
    """Methods kept whole or as bindings by the reducer: constructors and forwards."""
    return forward_methods() | constructor_methods()


@lru_cache(maxsize=None)
def parameter_makers() -> frozenset:
    """Short names of the callables that make a bare trainable parameter."""
    return frozenset(name for fw in FRAMEWORKS for name in fw.parameter_makers)


@lru_cache(maxsize=None)
def model_builders() -> tuple[str, ...]:
    return tuple(sorted(_union("model_builders")))


@lru_cache(maxsize=None)
def module_makers() -> frozenset:
    """Short names of what makes a layer or a model in any framework (layers, norms,
    containers, model builders): a module-level table that calls none of them, nor a class or
    function of its own file, holds nothing whose flow the judge reads."""
    names: set[str] = set()
    for field in ("layers", "norms", "passthrough", "sequential", "containers", "model_builders"):
        names |= {_short(name) for name in _union(field)}
    return frozenset(names)


def refresh() -> None:
    """Forget what was derived from the tables: call after changing a table at run time (the
    tests add a made-up row this way)."""
    for derived in (gate_words, context_words, candidate_callees, array_factories, first_arg_targets, receiver_methods,
                    copy_methods, init_keywords, random_inits, forward_methods, constructor_methods, context_methods,
                    parameter_makers, model_builders, module_makers):
        derived.cache_clear()
    from initlint.lint.gate.prefilter import context_pattern, names_pattern, pattern

    for scanner in (pattern, names_pattern, context_pattern):
        scanner.cache_clear()


def init_function(name: str) -> Optional[InitFunction]:
    """The init function (any framework) with this canonical dotted name."""
    return _all("init_functions").get(name)


def activation(key: str) -> Activation:
    return ACTIVATIONS[key]
