"""check_model_init on real Flax models, linen (variables dicts) and nnx (modules)."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from initlint import InitCheckError, check_model_init
from jax_models import (
    COND,
    IMAGES,
    TOKENS,
    X,
    LinenCNN,
    LinenDiTBlock,
    LinenMLP,
    NnxCNN,
    NnxDiTBlock,
    NnxMLP,
    copy_column,
    copy_row,
    linen_variables,
)

EXONERATED = "a deliberate zero-init that trains"


def run(model, inputs=None, **kw):
    return check_model_init(model, example_inputs=inputs, raise_on_problem=False, **kw)


def problems(report):
    return {p.name: p.code for p in report.problems}


def exonerated(report):
    return {n.split(":", 1)[0] for n in report.notes if EXONERATED in n}


def deliberate_without_inputs(report):
    """Zero weights whose names say they are deliberate: notes asking for the probe, not problems."""
    return {n.split(":", 1)[0] for n in report.notes if "its name says that is deliberate" in n}


# -- linen -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def linen_dead():
    model = LinenMLP(hidden_init=nn.initializers.zeros)
    return model, linen_variables(model, X)


def test_linen_healthy_mlp_passes_with_and_without_probe():
    model = LinenMLP()
    variables = linen_variables(model, X)
    check_model_init(variables)
    report = check_model_init(variables, apply_fn=model.apply, example_inputs=X)
    assert report.ok and report.framework == "flax" and report.probe_steps == 3
    assert report.checked == 6  # three kernels, three biases


def test_linen_zero_hidden_layer_before_relu_is_dead(linen_dead):
    model, variables = linen_dead
    assert problems(run(variables)) == {"params/fc1/kernel": "INI001"}
    report = run(variables, X, apply_fn=model.apply)
    assert problems(report) == {"params/fc1/kernel": "INI004"}
    (p,) = report.problems
    assert p.shape == (8, 16) and "16 units (dim 1)" in p.message
    assert "kernel_init" in p.suggestion
    assert any(n.startswith("params/fc2/kernel: received no gradient") for n in report.notes)


def test_linen_failure_message_names_the_parameter(linen_dead):
    _, variables = linen_dead
    with pytest.raises(InitCheckError) as err:
        check_model_init(variables)
    text = str(err.value)
    assert "params/fc1/kernel shape (8, 16): INI001 zero-weight" in text
    assert 'allow=["params/fc1/kernel"]' in text and "fix: use a random kernel_init" in text


def test_linen_constant_conv_kernel_drifts_apart_but_keeps_ini002():
    model = LinenCNN()
    variables = linen_variables(model, IMAGES)
    assert problems(run(variables)) == {"params/conv1/kernel": "INI002"}
    report = run(variables, IMAGES, apply_fn=model.apply)
    (p,) = report.problems
    assert (p.name, p.code, p.shape) == ("params/conv1/kernel", "INI002", (3, 3, 3, 8))
    assert "drifting apart" in p.message


def test_linen_dit_zero_head_and_adaln_zero_are_notes_with_the_probe():
    model = LinenDiTBlock()
    variables = linen_variables(model, TOKENS, COND)
    zeroed = {"params/head/kernel", "params/adaLN_modulation/kernel"}
    report = run(variables)
    assert report.ok and deliberate_without_inputs(report) == zeroed
    report = check_model_init(variables, apply_fn=model.apply, example_inputs=(TOKENS, COND))
    assert report.ok
    assert exonerated(report) == zeroed
    assert not any("received no gradient" in n for n in report.notes), report.notes


def test_linen_copied_column_is_a_duplicate_unit_until_its_neighbours_separate_it():
    model = LinenMLP()
    variables = linen_variables(model, X)
    params = variables["params"]
    dup = {**params, "fc1": {**params["fc1"], "kernel": copy_column(params["fc1"]["kernel"], 3, 11)}}
    variables_dup = {"params": dup}
    report = run(variables_dup)
    (p,) = report.problems
    assert (p.name, p.code) == ("params/fc1/kernel", "INI005") and "{3, 11}" in p.message
    # the next layer's random rows 3 and 11 give the two units different gradients
    probed = run(variables_dup, X, apply_fn=model.apply)
    assert probed.ok and any("params/fc1/kernel: duplicate units come apart" in n for n in probed.notes)
    # copy the outgoing row too: the two units are interchangeable forever
    tied = {**dup, "fc2": {**dup["fc2"], "kernel": copy_row(dup["fc2"]["kernel"], 3, 11)}}
    probed = run({"params": tied}, X, apply_fn=model.apply)
    assert problems(probed) == {"params/fc1/kernel": "INI005"}
    assert "stay identical" in probed.problems[0].message


def test_linen_batch_stats_are_state_and_never_trained():
    class WithBatchNorm(nn.Module):
        @nn.compact
        def __call__(self, x, train: bool = False):
            x = nn.Dense(16, name="fc")(x)
            x = nn.BatchNorm(use_running_average=not train, scale_init=nn.initializers.zeros, name="bn")(x)
            return nn.Dense(3, name="head")(x)

    model = WithBatchNorm()
    variables = linen_variables(model, X)
    report = check_model_init(variables, apply_fn=model.apply, example_inputs=X)
    assert report.ok  # a zero γ in front of a random head trains (before a ReLU it would be dead)
    variables = {**variables, "batch_stats": {"bn": {**variables["batch_stats"]["bn"],
                                                     "var": jnp.full((16,), jnp.nan)}}}
    report = run(variables)
    assert problems(report) == {"batch_stats/bn/var": "INI006"}


def test_linen_without_apply_fn_the_probe_asks_for_it(linen_dead):
    _, variables = linen_dead
    with pytest.raises(ValueError, match="apply_fn=model.apply"):
        check_model_init(variables, example_inputs=X)


def test_linen_forward_error_is_a_probe_error(linen_dead):
    from initlint.runtime import ProbeError

    model, variables = linen_dead
    with pytest.raises(ProbeError, match="forward pass raised"):
        check_model_init(variables, apply_fn=model.apply, example_inputs=jnp.ones((2, 5)))


def test_linen_eval_shape_is_a_note_not_a_check():
    abstract = jax.eval_shape(LinenMLP().init, jax.random.key(0), X)
    with pytest.warns(UserWarning, match="nothing was checked"):
        report = check_model_init(abstract)
    assert report.ok and report.checked == 0
    note, nothing = report.notes
    assert nothing.startswith("nothing was checked")
    assert note.startswith("abstract (jax.eval_shape") and "params/fc1/kernel" in note


# -- nnx ---------------------------------------------------------------------------------------

def test_nnx_healthy_mlp_passes():
    model = NnxMLP(rngs=nnx.Rngs(0))
    report = check_model_init(model, example_inputs=X)
    assert report.ok and report.framework == "flax"
    assert {p for p in ("fc1/kernel", "norm/mean")} <= set(_names(model))


def _values(model):
    """Every leaf of the model's state as numpy (RNG keys as their key data)."""
    keys = jax.dtypes.prng_key
    return {n: np.asarray(jax.random.key_data(a) if jnp.issubdtype(a.dtype, keys) else a)
            for n, a in zip(_names(model), jax.tree_util.tree_leaves(nnx.state(model)))}


def _names(model):
    from initlint.runtime.backends.jax import flatten

    return flatten(model).names


def test_nnx_zero_hidden_layer_before_relu_is_dead_and_the_module_is_untouched():
    model = NnxMLP(rngs=nnx.Rngs(0), hidden_init=nnx.initializers.zeros)
    before = _values(model)
    flags = (model.dropout.deterministic, model.norm.use_running_average)
    assert problems(run(model)) == {"fc1/kernel": "INI001"}
    report = run(model, X)
    assert problems(report) == {"fc1/kernel": "INI004"}
    after = _values(model)
    assert before.keys() == after.keys()
    for n in before:  # BatchNorm's running statistics and the RNG counts included
        np.testing.assert_array_equal(before[n], after[n], err_msg=n)
    assert (model.dropout.deterministic, model.norm.use_running_average) == flags


def test_nnx_constant_conv_kernel():
    model = NnxCNN(rngs=nnx.Rngs(0))
    report = run(model, IMAGES)
    (p,) = report.problems
    assert (p.name, p.code, p.shape) == ("conv1/kernel", "INI002", (3, 3, 3, 8))


def test_nnx_dit_zero_head_and_adaln_zero_are_notes_with_the_probe():
    model = NnxDiTBlock(rngs=nnx.Rngs(0))
    zeroed = {"head/kernel", "adaLN_modulation/kernel"}
    report = run(model)
    assert report.ok and deliberate_without_inputs(report) == zeroed
    report = check_model_init(model, example_inputs=(TOKENS, COND))
    assert report.ok and exonerated(report) == zeroed


def test_nnx_copied_column_and_allow_patterns():
    model = NnxMLP(rngs=nnx.Rngs(0))
    model.fc2.kernel[...] = copy_column(model.fc2.kernel[...], 0, 5)
    report = run(model)
    assert problems(report) == {"fc2/kernel": "INI005"}
    assert run(model, allow=["fc2/*"]).ok
    assert run(model, ignore="INI005").ok


def test_nnx_state_and_eval_shape():
    model = NnxMLP(rngs=nnx.Rngs(0), hidden_init=nnx.initializers.zeros)
    assert problems(run(nnx.state(model))) == {"fc1/kernel": "INI001"}
    abstract = nnx.eval_shape(lambda: NnxMLP(rngs=nnx.Rngs(0)))
    with pytest.warns(UserWarning, match="nothing was checked in NnxMLP"):
        report = run(abstract)
    assert report.ok and report.checked == 0 and "fc1/kernel" in report.notes[0]
