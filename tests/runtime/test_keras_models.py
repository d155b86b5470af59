"""Keras 3 models (torch backend, set in conftest.py): roles by identity, checks, probe."""

import keras
import numpy as np
import pytest
import torch

from initlint import check_model_init
from initlint.runtime.check import detect_framework
from test_model_untouched import assert_same, snapshot

layers = keras.layers

# keras' own Variable.numpy() (used by these tests, not by the checker) warns under numpy 2
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def run(model, x=None, **kw):
    return check_model_init(model, example_inputs=x, raise_on_problem=False, **kw)


def mlp(kernel_initializer="glorot_uniform"):
    return keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="relu", kernel_initializer=kernel_initializer), layers.Dense(3)]
    )


def test_keras_model_is_detected_before_torch_module():
    model = mlp()
    assert isinstance(model, torch.nn.Module)
    assert detect_framework(model) == "keras"


def test_keras_zero_kernel_is_flagged_by_path():
    model = mlp("zeros")
    report = run(model)
    (problem,) = report.problems
    assert problem.code == "INI001" and problem.name == model.layers[0].kernel.path and problem.shape == (8, 16)
    assert "kernel_initializer" in problem.suggestion
    assert report.framework == "keras"


def test_keras_seed_zero_initialised_custom_layer():
    class ZeroInitializedLayer(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 10), initializer="zeros", name="kernel")

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.kernel)

    model = keras.Sequential([keras.Input((20,)), ZeroInitializedLayer(), layers.Dense(1)])
    (problem,) = run(model).problems  # the class name says zero, but it is a hidden layer: no note
    assert problem.code == "INI001" and problem.name.endswith("/kernel")


def test_keras_identity_on_non_square_dense_is_symmetric():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(16, kernel_initializer="identity")])
    (problem,) = run(model).problems
    assert problem.code == "INI005" and "12 of 16 units" in problem.message


def test_keras_conv_and_transpose_unit_axes():
    model = keras.Sequential([keras.Input((6, 6, 3)), layers.Conv2D(4, 3), layers.Conv2DTranspose(5, 3)])
    assert run(model).ok
    conv, convt = model.layers
    k = convt.kernel.numpy()  # (kh, kw, out, in): units on axis -2
    k[:, :, 4, :] = k[:, :, 1, :]
    convt.kernel.assign(k)
    (problem,) = run(model).problems
    assert problem.name == convt.kernel.path and "{1, 4}" in problem.message


def test_keras_nan_in_moving_variance():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(4), layers.BatchNormalization()])
    bn = model.layers[1]
    bn.moving_variance.assign(np.array([1, np.nan, 1, 1], dtype="float32"))
    (problem,) = run(model).problems
    assert problem.code == "INI006" and problem.name.endswith("moving_variance")


HEALTHY = {
    "mlp_bn_dropout": lambda: keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="relu"), layers.BatchNormalization(), layers.Dropout(0.3), layers.Dense(3)]
    ),
    "cnn": lambda: keras.Sequential(
        [
            keras.Input((8, 8, 3)), layers.Conv2D(4, 3, activation="relu"), layers.DepthwiseConv2D(3),
            layers.SeparableConv2D(6, 2), layers.GlobalAveragePooling2D(), layers.LayerNormalization(), layers.Dense(2),
        ]
    ),
    "rnn": lambda: keras.Sequential(
        [keras.Input((5, 3)), layers.LSTM(6, return_sequences=True), layers.GRU(4), layers.Dense(2)]
    ),
    "embedding_attention": lambda: _attention_model(),
}


def _attention_model():
    inp = keras.Input((6,), dtype="int32")
    h = layers.Embedding(30, 8)(inp)
    h = layers.MultiHeadAttention(2, 4)(h, h)
    out = layers.Dense(2)(layers.GlobalAveragePooling1D()(h))
    return keras.Model(inp, out)


INPUTS = {
    "mlp_bn_dropout": lambda: np.random.default_rng(0).normal(size=(4, 8)).astype("float32"),
    "cnn": lambda: np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32"),
    "rnn": lambda: np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32"),
    "embedding_attention": lambda: np.random.default_rng(0).integers(0, 30, size=(2, 6)).astype("int32"),
}


@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_keras_healthy_models_are_silent(name):
    model = HEALTHY[name]()
    assert run(model).ok
    report = run(model, torch.as_tensor(INPUTS[name]()))
    assert report.ok, str(report)
    assert report.probe_steps == 3


def test_keras_probe_dead_and_exonerated():
    dead = keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="relu", kernel_initializer="zeros"), layers.Dense(3, kernel_initializer="zeros")]
    )
    x = torch.randn(6, 8)
    assert [p.code for p in run(dead, x).problems] == ["INI004", "INI004"]
    head = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(3, kernel_initializer="zeros")])
    assert [p.code for p in run(head).problems] == ["INI001"]
    report = run(head, x)
    assert report.ok and any("zero-init that trains" in n for n in report.notes)


def test_keras_model_unchanged_by_probe():
    model = HEALTHY["mlp_bn_dropout"]()
    x = torch.randn(4, 8)
    values = [v.numpy().copy() for v in model.weights]
    before = snapshot(model)
    check_model_init(model, example_inputs=x)
    assert all(np.array_equal(a, v.numpy()) for a, v in zip(values, model.weights))
    assert torch.equal(before["rng"], torch.get_rng_state())


def test_keras_unbuilt_model_is_a_note():
    model = keras.Sequential([layers.Dense(4)])
    with pytest.warns(UserWarning, match="nothing was checked"):
        report = run(model)
    assert report.ok and any("not built" in n for n in report.notes)


def test_keras_frozen_layer_not_judged():
    model = mlp("zeros")
    model.layers[0].trainable = False
    assert run(model).ok
