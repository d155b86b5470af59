"""Every row of every knowledge table reaches a finding through the shipped pipeline.

The gates before libcst (prefilter words, the reducer's callees and keywords) are derived from
the tables; these tests prove the derivation, row by row: a snippet that uses the row's API the
way real code does goes through ``lint.analyze_file`` (prefilter, reduction, libcst, judge) and
comes out as the finding the row implies. Adding an API is one row, and its test is generated.
"""

from __future__ import annotations

import textwrap

import pytest

from initlint import knowledge
from initlint.finding import Settings
from initlint.knowledge import flax as F
from initlint.knowledge import keras as K
from initlint.knowledge import torch as T
from initlint.knowledge.activations import ACTIVATIONS
from initlint.knowledge.base import ARG, ATTENTION, ONE, ZERO, ZERO_OUTPUT_KINDS, InitFunction
from initlint.lint import analyze_file


def codes(source: str, strict: bool = True) -> list[str]:
    found = analyze_file(textwrap.dedent(source), "row.py", Settings(strict=strict)).findings
    return [f.code for f in found]


def _value_code(fn: InitFunction, value_text: str = "0") -> str:
    if fn.value == ONE or (fn.value == ARG and value_text not in ("0", "0.0")):
        return "INI002"
    return "INI001"


def _dotted(name: str) -> tuple[str, str]:
    """(import statement, how code spells the name) for a canonical dotted name."""
    module, _, attr = name.rpartition(".")
    return f"import {module} as lib", f"lib.{attr}"


# -- torch ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(T.INIT_FUNCTIONS))
def test_torch_init_function_row(name):
    fn = T.INIT_FUNCTIONS[name]
    imp, spelled = _dotted(name)
    target = "layer" if fn.on == "layer" else "layer.weight"
    value = ", 0.0" if fn.value == ARG else ""
    src = f"""
    import torch.nn as nn
    {imp}
    layer = nn.Linear(8, 8)
    {spelled}({target}{value})
    """
    assert codes(src) == [_value_code(fn, "0.0")]


@pytest.mark.parametrize("method", sorted(T.TENSOR_METHODS))
def test_torch_tensor_method_row(method):
    fn = T.TENSOR_METHODS[method]
    value = "0.0" if fn.value == ARG else ""
    src = f"""
    import torch.nn as nn
    layer = nn.Linear(8, 8)
    layer.weight.data.{method}({value})
    """
    assert codes(src) == [_value_code(fn, "0.0")]


@pytest.mark.parametrize("name", sorted(T.TENSOR_FACTORIES))
def test_torch_factory_row(name):
    """A factory in a Parameter and copied into a weight."""
    fn = T.TENSOR_FACTORIES[name]
    imp, spelled = _dotted(name)
    shape = "self.proj.weight" if name in T.SHAPE_OF_ARGUMENT else "(8, 8)"
    value = ", 0.0" if fn.value == ARG else ""
    src = f"""
    import torch
    import torch.nn as nn
    {imp}

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(8, 8)
            self.weight = nn.Parameter({spelled}({shape}{value}))
            self.proj.weight.data.copy_({spelled}({shape}{value}))
    """
    assert codes(src) == [_value_code(fn, "0.0")] * 2


@pytest.mark.parametrize("name", sorted(T.LAYERS))
def test_torch_layer_row(name):
    """A zero layer before a ReLU: dead for the kinds whose zero weight outputs zeros."""
    imp, spelled = _dotted(name)
    spec = T.LAYERS[name]
    src = f"""
    import torch.nn as nn
    {imp}
    net = nn.Sequential({spelled}(8, 8), nn.ReLU(), nn.Linear(8, 2))
    nn.init.zeros_(net[0].weight)
    """
    assert codes(src) == ["INI004" if spec.kind in ZERO_OUTPUT_KINDS else "INI001"]


@pytest.mark.parametrize("name", sorted(T.NORM_CLASSES))
def test_torch_norm_row(name):
    """A norm's weight is γ: zeroing one is never reported, zeroing every one is INI003."""
    imp, spelled = _dotted(name)
    src = f"""
    import torch.nn as nn
    {imp}
    norm = {spelled}(8)
    nn.init.zeros_(norm.weight)

    def init(model):
        for m in model.modules():
            if isinstance(m, {spelled}):
                nn.init.zeros_(m.weight)
    """
    assert codes(src) == ["INI003"]


def _activation_rows(framework) -> list:
    return sorted((name, key) for name, key in framework.activation_names.items())


@pytest.mark.parametrize("name, key", _activation_rows(T.FRAMEWORK))
def test_torch_activation_row(name, key):
    """A zero layer without bias whose output meets the activation: dead iff φ'(0) = 0."""
    imp, spelled = _dotted(name)
    act = ACTIVATIONS[key]
    applied = f"{spelled}()(self.a(x))" if name.rsplit(".", 1)[-1][0].isupper() else f"{spelled}(self.a(x))"
    src = f"""
    import torch.nn as nn
    {imp}

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(8, 8, bias=False)
            self.b = nn.Linear(8, 8)
            nn.init.zeros_(self.a.weight)

        def forward(self, x):
            return self.b({applied})
    """
    assert codes(src) == ["INI004" if act.kills_gradient_at_zero else "INI001"]


# -- Keras ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(K.INITIALIZERS))
def test_keras_initializer_row_uncalled_and_called(name):
    fn = K.INITIALIZERS[name]
    imp, spelled = _dotted(name)
    called = f"{spelled}(0.0)" if fn.value == ARG else f"{spelled}()"
    uncalled = spelled
    src = f"""
    import keras
    {imp}
    a = keras.layers.Dense(8, kernel_initializer={uncalled})
    b = keras.layers.Dense(8, kernel_initializer={called})
    """
    expected = "INI001" if fn.value in (ZERO, ARG) else "INI002"
    assert codes(src) == [expected, expected]


@pytest.mark.parametrize("name", sorted(K.TF_INITIALIZERS))
def test_tensorflow_initializer_row(name):
    imp, spelled = _dotted(name)
    fn = K.TF_INITIALIZERS[name]
    src = f"""
    import keras
    {imp}
    a = keras.layers.Dense(8, kernel_initializer={spelled}())
    """
    assert codes(src) == [_value_code(fn, "0")]


@pytest.mark.parametrize("spelling", sorted(K.KERAS3_STRINGS))
def test_keras_string_row(spelling):
    value = K.KERAS3_STRINGS[spelling]
    src = f"""
    import keras
    a = keras.layers.Dense(8, kernel_initializer="{spelling}")
    """
    assert codes(src) == ["INI001" if value == 0 else "INI002"]


@pytest.mark.parametrize("keyword", sorted(K.KERNEL_KEYWORDS))
def test_keras_kernel_keyword_row(keyword):
    src = f"""
    from keras import layers
    a = layers.Dense(8, {keyword}="zeros")
    """
    assert codes(src) == ["INI001"]


@pytest.mark.parametrize("name", sorted(K.LAYERS))
def test_keras_layer_row(name):
    spec = K.LAYERS[name]
    keyword = sorted(spec.dead_keywords)[0] if spec.dead_keywords else "kernel_initializer"
    src = f"""
    import keras
    net = keras.Sequential([{name}(8, 3, {keyword}="zeros", use_bias=False), keras.layers.ReLU(), keras.layers.Dense(2)])
    """
    expected = "INI004" if spec.kind in ZERO_OUTPUT_KINDS | {ATTENTION} and (spec.dead_keywords or spec.kind == ATTENTION) \
        else "INI001"
    assert codes(src) == [expected]


@pytest.mark.parametrize("string, key", sorted(K.ACTIVATION_STRINGS.items()))
def test_keras_activation_string_row(string, key):
    act = ACTIVATIONS[key]
    src = f"""
    import keras
    a = keras.layers.Dense(8, activation="{string}", kernel_initializer="zeros", use_bias=False)
    """
    assert codes(src) == ["INI004" if act.kills_gradient_at_zero else "INI001"]


@pytest.mark.parametrize("name, key", _activation_rows(K.FRAMEWORK))
def test_keras_activation_name_row(name, key):
    imp, spelled = _dotted(name)
    act = ACTIVATIONS[key]
    applied = f"{spelled}()" if name.rsplit(".", 1)[-1][0].isupper() else spelled
    src = f"""
    import keras
    {imp}
    a = keras.layers.Dense(8, activation={applied}, kernel_initializer="zeros", use_bias=False)
    """
    assert codes(src) == ["INI004" if act.kills_gradient_at_zero else "INI001"]


# -- Flax, JAX, Haiku -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(F.INITIALIZERS))
def test_flax_initializer_row(name):
    imp, spelled = _dotted(name)
    fn = F.INITIALIZERS[name]
    src = f"""
    import flax.linen as nn
    {imp}
    a = nn.Dense(8, kernel_init={spelled})
    """
    assert codes(src) == [_value_code(fn, "0")]


@pytest.mark.parametrize("name", sorted(F.INITIALIZER_FACTORIES))
def test_flax_initializer_factory_row(name):
    imp, spelled = _dotted(name)
    fn = F.INITIALIZER_FACTORIES[name]
    value = "0.0" if fn.value == ARG else ""
    keyword = "w_init" if name.startswith("haiku") else "kernel_init"
    layer = "hk.Linear" if name.startswith("haiku") else "nn.Dense"
    src = f"""
    import flax.linen as nn
    import haiku as hk
    {imp}
    a = {layer}(8, {keyword}={spelled}({value}))
    """
    assert codes(src) == [_value_code(fn, "0.0")]


@pytest.mark.parametrize("keyword", sorted(F.KERNEL_KEYWORDS))
def test_flax_kernel_keyword_row(keyword):
    src = f"""
    import flax.linen as nn
    a = nn.Dense(8, {keyword}=nn.initializers.zeros)
    """
    assert codes(src) == ["INI001"]


@pytest.mark.parametrize("name", sorted(F.LAYERS))
def test_flax_layer_row(name):
    imp, spelled = _dotted(name)
    spec = F.LAYERS[name]
    keyword = sorted(spec.dead_keywords)[0] if spec.dead_keywords else "kernel_init"
    bias = spec.use_bias or "use_bias"
    src = f"""
    import flax.linen as nn
    import jax
    {imp}

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            y = {spelled}(8, {keyword}=nn.initializers.zeros, {bias}=False)(x)
            return nn.Dense(2)(jax.nn.relu(y))
    """
    expected = "INI004" if spec.kind in ZERO_OUTPUT_KINDS | {ATTENTION} else "INI001"
    assert codes(src) == [expected]


@pytest.mark.parametrize("name, key", _activation_rows(F.FRAMEWORK))
def test_flax_activation_row(name, key):
    imp, spelled = _dotted(name)
    act = ACTIVATIONS[key]
    applied = f"{spelled}()(y)" if name.rsplit(".", 1)[-1][0].isupper() else f"{spelled}(y)"
    src = f"""
    import flax.linen as nn
    {imp}

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            y = nn.Dense(8, kernel_init=nn.initializers.zeros, use_bias=False)(x)
            return nn.Dense(2)({applied})
    """
    assert codes(src) == ["INI004" if act.kills_gradient_at_zero else "INI001"]


# -- one row is all it takes ------------------------------------------------------------------

@pytest.fixture
def made_up_row(monkeypatch):
    """A new torch.nn.init function, added the way a contributor would: one row."""
    monkeypatch.setitem(T.INIT_FUNCTIONS, "torch.nn.init.zerolike_", InitFunction(ZERO))
    knowledge.refresh()
    yield
    monkeypatch.undo()
    knowledge.refresh()


def test_a_new_init_function_is_one_row(made_up_row):
    src = """
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 8)
            nn.init.zerolike_(self.fc.weight)
    """
    assert knowledge.gate_words() and any("zerolike_" in w for w in knowledge.gate_words())
    assert codes(src) == ["INI001"]


def test_without_the_row_the_made_up_function_is_unknown():
    src = """
    import torch.nn as nn
    layer = nn.Linear(8, 8)
    nn.init.zerolike_(layer.weight)
    """
    assert codes(src) == []
