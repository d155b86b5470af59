"""Keras and Flax/JAX/Haiku producers (issue 4): tables checked against the real Keras, and
engine cases that the annotated fixtures cannot hold yet.

The snippets run through the shipped pipeline (``lint.analyze_file``: prefilter, reduction,
libcst), the one the CLI and flake8 run, so that nothing passes here that users never get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from initlint.finding import Settings
from initlint.knowledge import keras as K
from initlint.knowledge.activations import ACTIVATIONS
from initlint.knowledge.keras import ACTIVATION_STRINGS as KERAS_ACTIVATION_STRINGS
from initlint.lint import analyze_file

ROOT = Path(__file__).resolve().parent.parent


def findings(source: str, strict: bool = True) -> list[tuple[int, str, str]]:
    out = analyze_file(textwrap.dedent(source), "snippet.py", Settings(strict=strict)).findings
    return [(f.line, f.code, f.idiom or "") for f in out]


def codes(source: str) -> list[tuple[int, str]]:
    """Findings shown by default (no idiom)."""
    return [(line, code) for line, code, idiom in findings(source) if not idiom]


# -- values through bindings -----------------------------------------------------------------

def test_keras_string_bound_to_a_module_constant_and_an_attribute():
    src = '''
    import keras
    from keras import layers

    KERNEL_INIT = "zeros"
    ALIAS = keras.initializers.Zeros

    class Block(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.kernel_initializer = "ones"
            self.mixer = layers.Dense(units, kernel_initializer=KERNEL_INIT)
            self.expand = layers.Dense(units, kernel_initializer=ALIAS)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 4), initializer=self.kernel_initializer, name="w")
    '''
    assert codes(src) == [(12, "INI001"), (13, "INI001"), (16, "INI002")]


def test_flax_dataclass_field_default_reaches_the_layer():
    src = '''
    from typing import Callable
    import flax.linen as nn

    class MlpBlock(nn.Module):
        mlp_dim: int
        kernel_init: Callable = nn.initializers.zeros

        @nn.compact
        def __call__(self, x):
            y = nn.Dense(self.mlp_dim, kernel_init=self.kernel_init)(x)
            return x + nn.Dense(x.shape[-1], kernel_init=nn.initializers.xavier_uniform())(nn.gelu(y))
    '''
    assert codes(src) == [(11, "INI001")]


def test_big_vision_head_zeroinit_kwargs_dict_is_an_idiom():
    src = '''
    import flax.linen as nn

    class Head(nn.Module):
        num_classes: int
        head_zeroinit: bool = True

        @nn.compact
        def __call__(self, x):
            kw = {"kernel_init": nn.initializers.zeros} if self.head_zeroinit else {}
            return nn.Dense(self.num_classes, name="head", **kw)(x)
    '''
    (line, code, idiom), = findings(src)
    assert (line, code) == (11, "INI001")
    assert "head_zeroinit" in idiom


def test_kwargs_dict_without_intent_is_reported():
    src = '''
    import keras
    from keras import layers

    def build(units):
        layer_kwargs = dict(kernel_initializer="zeros", bias_initializer="zeros")
        hidden = {"kernel_initializer": keras.initializers.Ones()}
        return layers.Dense(units, **layer_kwargs), layers.Dense(units, **hidden)
    '''
    assert codes(src) == [(8, "INI001"), (8, "INI002")]


def test_modulation_split_in_a_plain_function():
    src = '''
    import keras
    from keras import layers, ops

    def film(x, cond, channels):
        params = layers.Dense(2 * channels, kernel_initializer="zeros")(cond)
        gamma, beta = ops.split(params, 2, axis=-1)
        return x * (1 + gamma) + beta
    '''
    (line, code, idiom), = findings(src)
    assert (line, code) == (6, "INI001") and "gamma, beta" in idiom


def test_hidden_use_of_a_zero_named_class_vetoes_the_class_name_intent():
    """`ZeroLayer` used before another weight layer is a hidden layer: its name excuses
    nothing; `ZeroConv`, the last layer of its Sequential, is deliberate by its position."""
    src = textwrap.dedent('''
    import keras
    from keras import layers

    class ZeroLayer(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 8), initializer="zeros", name="kernel")

    hidden = keras.Sequential([ZeroLayer(), layers.Dense(1)])

    class ZeroConv(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(3, 3, input_shape[-1], 8), initializer="zeros", name="kernel")

    last = keras.Sequential([layers.Dense(8), ZeroConv()])
    ''')
    (hidden, _, no_idiom), (last, _, idiom) = findings(src)
    assert (hidden, no_idiom) == (7, "")
    assert last == 13 and "last layer" in idiom


def test_keras2_string_table_only_for_tf_keras():
    src = '''
    import keras
    import tf_keras

    a = tf_keras.layers.Dense(4, kernel_initializer="constant")
    b = keras.layers.Dense(4, kernel_initializer="constant")
    '''
    assert codes(src) == [(5, "INI001")]


# -- the analyzer stays framework-free ---------------------------------------------------------

def test_analyzing_keras_and_flax_code_imports_no_framework():
    snippet = (ROOT / "test_cases" / "flax" / "linen_params_and_dead_layers.py").read_text()
    snippet += (ROOT / "test_cases" / "keras" / "dead_layers.py").read_text()
    code = textwrap.dedent(f'''
        import sys
        from initlint.finding import Settings
        from initlint.lint import analyze_file
        found = analyze_file({snippet!r}, "x.py", Settings()).findings
        assert found, "expected findings"
        bad = [m for m in ("keras", "tensorflow", "flax", "jax", "haiku", "torch", "tf_keras") if m in sys.modules]
        print(bad)
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the tables against the real Keras -------------------------------------------------------

_KERAS_PROBE = r'''
import json, sys
import keras
import numpy as np
from keras import initializers

out = {"strings": {}, "names": {}, "activations": {}}
for s in sys.argv[1:]:
    try:
        init = initializers.get(s)
        out["strings"][s] = float(np.unique(keras.ops.convert_to_numpy(init(shape=(3, 4))))[0]) \
            if len(np.unique(keras.ops.convert_to_numpy(init(shape=(3, 4))))) == 1 else "random"
    except Exception as e:  # noqa: BLE001
        out["strings"][s] = "rejected"
for name in ("Zeros", "zeros", "zero", "Ones", "ones", "one", "Constant", "constant"):
    obj = getattr(initializers, name, None)
    out["names"][name] = None if obj is None else float(keras.ops.convert_to_numpy(obj()(shape=(2,)))[0])
import torch
for name in ACTS:
    x = torch.zeros(4, requires_grad=True)
    y = keras.activations.get(name)(x)
    y.sum().backward()
    out["activations"][name] = [float(y[0]), float(x.grad[0])]
print(json.dumps(out))
'''


def _keras_env(tmp_path) -> dict:
    return {**os.environ, "KERAS_BACKEND": "torch", "KERAS_HOME": str(tmp_path)}


@pytest.fixture(scope="module")
def keras_facts(tmp_path_factory):
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    tmp = tmp_path_factory.mktemp("keras_home")
    rejected = ["constant", "Constant", "ZEROS", "Zero", "One", "ZerosV2"]
    acts = [a for a in KERAS_ACTIVATION_STRINGS]
    code = f"ACTS = {acts!r}\n" + _KERAS_PROBE
    out = subprocess.run([sys.executable, "-c", code, *K.KERAS3_STRINGS, *rejected], capture_output=True,
                         text=True, env=_keras_env(tmp), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), rejected


def test_keras3_string_table_is_what_keras_accepts(keras_facts):
    facts, rejected = keras_facts
    for s, value in K.KERAS3_STRINGS.items():
        assert facts["strings"][s] == value, s
    for s in rejected:
        assert facts["strings"][s] == "rejected", s


def test_keras_initializer_names(keras_facts):
    facts, _ = keras_facts
    for qualname, v in K.INITIALIZERS.items():
        name = qualname.rsplit(".", 1)[-1]
        real = facts["names"][name]
        if name in ("zero", "one"):
            assert real is None  # Keras 2 only
            continue
        expected = 0.0 if v.value == "zero" else 1.0 if v.value == "one" else v.value_arg.default
        assert real == expected, name


def test_keras_activation_strings_match_the_facts(keras_facts):
    facts, _ = keras_facts
    for s, key in KERAS_ACTIVATION_STRINGS.items():
        phi0, dphi0 = facts["activations"][s]
        act = ACTIVATIONS[key]
        assert abs(act.phi0 - phi0) < 1e-3, s
        assert (act.dphi0 == 0) == (dphi0 == 0), s


_SPELLINGS_RUNNER = r'''
import ast, json, sys
import keras
import numpy as np

path = sys.argv[1]
source = open(path).read()
ns = {"__name__": "fixture"}
result = {}
for node in ast.parse(source).body:
    code = compile(ast.Module([node], []), path, "exec")
    value = node.value if isinstance(node, (ast.Assign, ast.Expr)) else None
    is_layer = isinstance(value, ast.Call) and ast.unparse(value.func).endswith(("Dense",))
    try:
        if not is_layer:
            exec(code, ns)
            continue
        layer = eval(compile(ast.Expression(value), path, "eval"), ns)
        layer.build((None, 8))
        k = np.unique(keras.ops.convert_to_numpy(layer.kernel))
        result[node.lineno] = "zero" if len(k) == 1 and k[0] == 0 else "const" if len(k) == 1 else "random"
    except Exception as e:  # noqa: BLE001
        if not is_layer:
            raise
        result[node.lineno] = "rejected"
print(json.dumps(result))
'''


def test_spellings_fixture_builds_what_its_annotations_say(tmp_path):
    """Run test_cases/keras/initializer_spellings.py under Keras 3: every INI001 line builds an
    all-zero kernel, every INI002 line a constant one, every silent Dense line is rejected by
    Keras or random."""
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "tests"))
    from expectations import expected

    path = ROOT / "test_cases" / "keras" / "initializer_spellings.py"
    out = subprocess.run([sys.executable, "-c", _SPELLINGS_RUNNER, str(path)], capture_output=True, text=True,
                         env=_keras_env(tmp_path), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    built = {int(k): v for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    default, _ = expected(path)
    want = {line: code for line, code in default}
    assert len(built) > 30
    for line, outcome in built.items():
        code = want.get(line)
        if code == "INI001":
            assert outcome == "zero", line
        elif code == "INI002":
            assert outcome == "const", line
        else:
            assert outcome in ("rejected", "random"), line
