"""check_model_init on real Equinox modules and Haiku params."""

import equinox as eqx
import haiku as hk
import jax
import jax.numpy as jnp
import pytest

from initlint import check_model_init
from jax_models import IMAGES, X, EqxCNN, batched, copy_column, eqx_mlp, eqx_zero_hidden, haiku_cnn, haiku_mlp

EXONERATED = "a deliberate zero-init that trains"


def run(model, inputs=None, **kw):
    return check_model_init(model, example_inputs=inputs, raise_on_problem=False, **kw)


def problems(report):
    return {p.name: p.code for p in report.problems}


# -- Equinox: (out, in) weights, units on axis 0 -----------------------------------------------

def test_equinox_healthy_mlp_passes():
    report = check_model_init(eqx_mlp(), apply_fn=batched, example_inputs=X)
    assert report.ok and report.framework == "equinox" and report.checked == 6


def test_equinox_zero_hidden_layer_before_relu_is_dead():
    mlp = eqx_zero_hidden(eqx_mlp())
    assert problems(run(mlp)) == {"layers.0.weight": "INI001"}
    report = run(mlp, X, apply_fn=batched)
    (p,) = report.problems
    assert (p.name, p.code, p.shape) == ("layers.0.weight", "INI004", (16, 8))
    assert "16 units (dim 0)" in p.message and p.framework == "equinox"


def test_equinox_zero_weight_with_random_bias_kills_the_units_whose_bias_is_not_positive():
    mlp = eqx_zero_hidden(eqx_mlp(), zero_bias=False)  # Equinox's default bias is random
    bias = mlp.layers[0].bias
    dead = sorted(int(i) for i in jnp.flatnonzero(bias <= 0))
    assert 0 < len(dead) < 16
    (p,) = run(mlp, X, apply_fn=batched).problems
    assert p.code == "INI004" and f"{len(dead)} of 16 units (dim 0) never received a gradient" in p.message


def test_equinox_constant_conv_and_copied_row():
    cnn = EqxCNN(jax.random.key(0))
    (p,) = run(cnn, IMAGES.transpose(0, 3, 1, 2), apply_fn=batched).problems
    assert (p.name, p.code, p.shape) == ("conv1.weight", "INI002", (8, 3, 3, 3))
    mlp = eqx_mlp()
    w = mlp.layers[1].weight
    mlp = eqx.tree_at(lambda m: m.layers[1].weight, mlp, w.at[9].set(w[2]))
    mlp = eqx.tree_at(lambda m: m.layers[1].bias, mlp, mlp.layers[1].bias.at[9].set(mlp.layers[1].bias[2]))
    (p,) = run(mlp).problems
    assert (p.name, p.code) == ("layers.1.weight", "INI005") and "{2, 9}" in p.message
    assert run(mlp, allow="layers.*.weight").ok


def test_equinox_module_without_apply_fn_is_called_directly():
    linear = eqx.nn.Linear(8, 3, key=jax.random.key(0))  # a Linear takes one example
    zero = eqx.tree_at(lambda m: m.weight, linear, jnp.zeros((3, 8)))
    report = check_model_init(zero, example_inputs=X[0])
    assert report.ok and any(n.startswith("weight: all zeros, but it receives gradient") for n in report.notes)


# -- Haiku: (in, out) weights, units on the last axis -------------------------------------------

def test_haiku_zero_logits_train_and_a_zero_hidden_layer_is_dead():
    f, params = haiku_mlp(logits_init=jnp.zeros)
    report = run(params)  # `logits` says the zero is deliberate: a note asking for the probe
    assert report.ok and any(n.startswith("logits/w: all zeros, and its name says") for n in report.notes)
    assert problems(run(haiku_mlp(hidden_init=jnp.zeros)[1])) == {"hidden/w": "INI001"}
    report = check_model_init(params, apply_fn=f.apply, example_inputs=X)
    assert report.ok and report.framework == "haiku"
    assert any(n.startswith("logits/w: all zeros, and it receives gradient") and EXONERATED in n for n in report.notes)
    f, params = haiku_mlp(hidden_init=hk.initializers.Constant(0.0), logits_init=jnp.zeros)
    report = run(params, X, apply_fn=f.apply)
    # zero logits behind a dead layer get no gradient either: dead too, not a deliberate zero
    assert problems(report) == {"hidden/w": "INI004", "logits/w": "INI004"}
    assert "w_init" in report.problems[0].suggestion
    assert not any(n.startswith("logits/w: all zeros, but") for n in report.notes)


def test_haiku_constant_conv_and_copied_column():
    f, params = haiku_cnn()
    (p,) = run(params, IMAGES, apply_fn=f.apply).problems
    assert (p.name, p.code, p.shape) == ("conv2_d/w", "INI002", (3, 3, 3, 8))
    f, params = haiku_mlp()
    dup = {**params, "hidden2": {**params["hidden2"], "w": copy_column(params["hidden2"]["w"], 1, 4)}}
    (p,) = run(dup).problems
    assert (p.name, p.code) == ("hidden2/w", "INI005") and "{1, 4}" in p.message


@pytest.mark.parametrize("module,name,shape,axis_word", [
    ("transpose", "conv2_d_transpose/w", (2, 2, 5, 4), "5 units (dim 2)"),
    ("gru", "gru/w_i", (4, 15), "5 units (dim 1, 3 gate blocks)"),
])
def test_haiku_unit_axes_from_the_module_name(module, name, shape, axis_word):
    """Haiku's ConvNDTranspose stores (*k, out, in), its GRU three gate blocks: read from the name."""
    def forward(x):
        if module == "transpose":
            return hk.Conv2DTranspose(5, 2, w_init=jnp.zeros)(x[:, None, None, :4])
        core = hk.GRU(5, w_i_init=jnp.zeros)
        return core(x[:, :4], core.initial_state(x.shape[0]))[0]

    f = hk.without_apply_rng(hk.transform(forward))
    params = f.init(jax.random.key(0), X)
    report = run(params)
    p = next(p for p in report.problems if p.name == name)
    assert p.shape == shape and p.code == "INI001"
    dup_axis = -2 if module == "transpose" else -1
    w = params[name.split("/")[0]][name.split("/")[1]]
    if module == "transpose":
        w = jax.random.normal(jax.random.key(5), w.shape).at[:, :, 3, :].set(0.5).at[:, :, 1, :].set(0.5)
    else:  # unit 1 = unit 3 in every gate block
        w = jax.random.normal(jax.random.key(5), w.shape)
        w = w.at[:, [1, 6, 11]].set(w[:, [3, 8, 13]])
    params = {**params, name.split("/")[0]: {**params[name.split("/")[0]], name.split("/")[1]: w}}
    report = run(params)
    p = next(p for p in report.problems if p.name == name)
    assert p.code == "INI005" and axis_word in p.message and "{1, 3}" in p.message, (dup_axis, p.message)
