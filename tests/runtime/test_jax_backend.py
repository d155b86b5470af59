"""The JAX back end's contract: what it accepts, how it names and classifies leaves, what it
never does (import a library to classify, change the model, touch a global RNG), bad input."""

import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from initlint import check_model_init
from initlint.runtime import roles
from initlint.runtime.backends.jax import flatten
from initlint.runtime.check import detect_framework
from initlint.runtime.roles_jax import EQUINOX, FLAX, HAIKU, PYTREE, dict_style, jax_spec

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run_isolated(code: str) -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("KERAS_BACKEND", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_a_pytree_is_checked_with_jax_alone_in_sys_modules():
    """Checking plain JAX arrays imports neither Flax, Equinox, Haiku, torch nor Keras."""
    _run_isolated(
        "import sys, jax, jax.numpy as jnp\n"
        "from initlint import check_model_init\n"
        "params = {'dense': {'kernel': jnp.zeros((4, 3)), 'bias': jnp.zeros(3)}}\n"
        "r = check_model_init(params, raise_on_problem=False)\n"
        "assert [(p.name, p.code) for p in r.problems] == [('dense/kernel', 'INI001')], r\n"
        "r = check_model_init(params, apply_fn=lambda p, x: x @ p['dense']['kernel'], example_inputs=jnp.ones((2, 4)),\n"
        "                     raise_on_problem=False)\n"
        "assert r.ok and r.probe_steps == 3, r\n"
        "loaded = {'flax', 'equinox', 'haiku', 'torch', 'keras'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )


def test_importing_initlint_never_imports_jax():
    _run_isolated("import sys, initlint.runtime\nassert 'jax' not in sys.modules\n")


def test_detection():
    assert detect_framework({"params": {"fc": {"kernel": jnp.ones((2, 2))}}}) == FLAX
    assert detect_framework({"linear": {"w": jnp.ones((2, 2)), "b": jnp.ones(2)}}) == HAIKU
    assert detect_framework([jnp.ones((2, 2))]) == PYTREE
    assert detect_framework(jnp.ones((2, 2))) == PYTREE
    with pytest.raises(TypeError, match="a JAX model"):
        detect_framework({"w": np.ones((2, 2))})  # numpy alone is no JAX model
    with pytest.raises(TypeError, match="a JAX model"):
        detect_framework({"w": torch.ones(2, 2)})


def test_names_follow_each_library():
    import equinox as eqx
    from flax import nnx

    assert flatten({"params": {"Dense_0": {"kernel": jnp.ones((2, 2))}}}).names == ["params/Dense_0/kernel"]
    assert flatten({"mlp/~/linear_0": {"w": jnp.ones((2, 2))}}).names == ["mlp/~/linear_0/w"]
    layers = nnx.List([nnx.Linear(2, 2, rngs=nnx.Rngs(0))])
    assert flatten(layers).names == ["0/bias", "0/kernel"]
    mlp = eqx.nn.MLP(2, 2, 2, depth=1, key=jax.random.key(0))
    assert [n for n in flatten(mlp).names if "weight" in n] == ["layers.0.weight", "layers.1.weight"]


@pytest.mark.parametrize("style,module,name,ndim,role,axis", [
    (FLAX, (), "kernel", 2, roles.WEIGHT, -1),
    (FLAX, (), "kernel", 4, roles.WEIGHT, -1),
    (FLAX, (), "embedding", 2, roles.EMBEDDING, 0),
    (FLAX, (), "bias", 1, roles.BIAS, None),
    (FLAX, (), "scale", 1, roles.NORM_SCALE, None),
    (FLAX, (), "kernel", 1, roles.SCALAR, None),  # 1-D leaves are never weights
    (FLAX, (), "pos_embedding", 3, roles.OTHER, None),  # additive tokens: zero by design
    (FLAX, (), "q_kernel", 2, roles.WEIGHT, -1),
    (FLAX, (), "w2", 2, roles.WEIGHT, -1),  # SwiGLU-style w1/w2/w3
    (FLAX, (), "w2b", 2, roles.OTHER, None),
    (HAIKU, ("net/~/conv2_d_transpose",), "w", 4, roles.WEIGHT, -2),
    (HAIKU, ("encoder/lstm/linear",), "w", 2, roles.WEIGHT, -1),
    (HAIKU, (), "offset", 1, roles.NORM_SHIFT, None),
    (HAIKU, (), "embeddings", 2, roles.EMBEDDING, 0),
    (EQUINOX, (), "weight", 2, roles.WEIGHT, 0),  # no owner known: Equinox stores (out, in)
])
def test_role_tables(style, module, name, ndim, role, axis):
    spec = jax_spec(style, module, name, ndim)
    assert (spec.role, spec.axis) == (role, axis)


def test_gates_and_groups_from_the_tables():
    assert jax_spec(HAIKU, ("lstm/linear",), "w", 2).gates == 4
    assert jax_spec(HAIKU, ("gru",), "w_h", 2).gates == 3
    assert not jax_spec(HAIKU, ("depthwise_conv2_d",), "w", 4).compare_units
    from flax import nnx

    conv = nnx.Conv(4, 4, (3, 3), feature_group_count=2, rngs=nnx.Rngs(0))
    assert jax_spec(FLAX, (), "kernel", 4, owner=conv).groups_attr == "feature_group_count"
    transposed = nnx.ConvTranspose(3, 5, (2, 2), transpose_kernel=True, rngs=nnx.Rngs(0))
    assert jax_spec(FLAX, (), "kernel", 4, owner=transposed).axis == -2
    assert dict_style(["w", "b", "w"]) == HAIKU and dict_style(["kernel", "bias"]) == FLAX
    assert dict_style(["x"]) == PYTREE


def test_nnx_grouped_conv_compares_units_within_their_group_only():
    from flax import nnx

    conv = nnx.Conv(4, 4, (1, 1), feature_group_count=2, rngs=nnx.Rngs(0))
    k = conv.kernel[...]  # (1, 1, 2, 4): units 0-1 in group 0, 2-3 in group 1
    conv.kernel[...] = k.at[..., 2].set(k[..., 0])
    assert check_model_init(conv, raise_on_problem=False).ok  # same filter, different inputs
    conv.kernel[...] = k.at[..., 1].set(k[..., 0])
    (p,) = check_model_init(conv, raise_on_problem=False).problems
    assert p.code == "INI005" and "{0-1}" in p.message


def test_the_model_and_the_global_rngs_are_untouched():
    kernel = jnp.zeros((4, 3))
    params = {"params": {"fc": {"kernel": kernel, "bias": jnp.zeros(3)}}}
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state()
    check_model_init(params, apply_fn=lambda v, x: x @ v["params"]["fc"]["kernel"], example_inputs=jnp.ones((2, 4)),
                     raise_on_problem=False)
    assert params["params"]["fc"]["kernel"] is kernel and set(params["params"]["fc"]) == {"kernel", "bias"}
    assert np.array_equal(np.asarray(kernel), np.zeros((4, 3)))
    assert np.array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_nan_is_reported_and_skips_the_probe():
    params = {"fc": {"kernel": jnp.ones((3, 4)).at[1, 2].set(jnp.nan), "bias": jnp.zeros(4)}}
    report = check_model_init(params, apply_fn=lambda p, x: x @ p["fc"]["kernel"], example_inputs=jnp.ones((2, 3)),
                              raise_on_problem=False)
    assert [(p.name, p.code) for p in report.problems] == [("fc/kernel", "INI006")]
    assert any(n.startswith("probe skipped: NaN/Inf in fc/kernel") for n in report.notes)


def test_unused_parameter_is_a_note_not_dead():
    params = {"used": {"kernel": jax.random.normal(jax.random.key(0), (3, 4))}, "spare": {"kernel": jnp.zeros((3, 4))}}
    report = check_model_init(params, apply_fn=lambda p, x: x @ p["used"]["kernel"], example_inputs=jnp.ones((2, 3)),
                              raise_on_problem=False)
    assert [(p.name, p.code) for p in report.problems] == [("spare/kernel", "INI001")]
    assert any(n.startswith("not used by the forward") and "spare/kernel" in n for n in report.notes)


def test_stop_gradient_counts_as_unused():
    params = {"frozen": {"kernel": jnp.zeros((3, 4))}}
    report = check_model_init(params, apply_fn=lambda p, x: x @ jax.lax.stop_gradient(p["frozen"]["kernel"]),
                              example_inputs=jnp.ones((2, 3)), raise_on_problem=False)
    assert [p.code for p in report.problems] == ["INI001"]  # not INI004: it is never trained here
    assert any("frozen/kernel" in n and n.startswith("not used by the forward") for n in report.notes)


def test_bad_input_is_a_one_line_error():
    params = {"fc": {"kernel": jnp.ones((3, 4))}}
    with pytest.raises(ValueError, match="apply_fn= runs a JAX model in the probe"):
        check_model_init(params, apply_fn=lambda p, x: x)  # no example_inputs
    with pytest.raises(ValueError, match="apply_fn= runs a JAX model"):
        check_model_init(torch.nn.Linear(2, 2), apply_fn=lambda p, x: x, example_inputs=torch.ones(1, 2))
    with pytest.raises(ValueError, match="needs apply_fn="):
        check_model_init(params, example_inputs=jnp.ones((2, 3)))
    from initlint.runtime import ProbeError

    with pytest.raises(ProbeError, match="no floating-point array in the model's output"):
        check_model_init(params, apply_fn=lambda p, x: jnp.argmax(x @ p["fc"]["kernel"], -1),
                         example_inputs=jnp.ones((2, 3)))


@pytest.mark.parametrize("doc", ["README.md", "docs/runtime.md"])
def test_the_jax_examples_in_the_docs_run_as_written(doc):
    import re

    text = (Path(__file__).resolve().parents[2] / doc).read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "import jax" in b]
    assert blocks, f"{doc} has no JAX example"
    for block in blocks:
        exec(compile(block, f"<{doc}>", "exec"), {"__name__": "doc_example"})  # raises if a check fails


def test_a_parameter_read_inside_a_scan_is_used():
    """A recurrent kernel inside lax.scan: used (and, zero, it still trains: the hidden state
    after the first step is not zero), never a 'not used' note."""
    def rnn(p, xs):
        def cell(h, x):
            h = jnp.tanh(h @ p["cell"]["kernel"] + x @ p["cell"]["w_in"])
            return h, h
        return jax.lax.scan(cell, jnp.zeros((2, 4)), xs)[1]

    params = {"cell": {"kernel": jnp.zeros((4, 4)), "w_in": jax.random.normal(jax.random.key(0), (3, 4))}}
    report = check_model_init(params, apply_fn=rnn, example_inputs=jnp.ones((5, 2, 3)), raise_on_problem=False)
    assert report.ok, report
    assert any(n.startswith("cell/kernel: all zeros, but it receives gradient") for n in report.notes)
    assert not any(n.startswith("not used by the forward") for n in report.notes)
