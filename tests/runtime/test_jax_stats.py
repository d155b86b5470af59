"""stats.jax (facts of JAX arrays, whole or sharded) gives the answers of the plain numpy
reference (stats.numpy), and reads a sharded array shard by shard, never gathering it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from initlint.runtime.facts import Layout
from initlint.runtime.stats import jax as jstats
from initlint.runtime.stats.numpy import tensor_facts as numpy_facts

rng = np.random.default_rng(7)


def _random(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _dup_units_last(a, pairs):
    a = a.copy()
    for src, dst in pairs:
        a[..., dst] = a[..., src]
    return a


def _dup_units_first(a, pairs):
    a = a.copy()
    for src, dst in pairs:
        a[dst] = a[src]
    return a


def _with(a, index, value):
    a = a.copy()
    a[index] = value
    return a


def _gated_dup(a, gates, src, dst):
    """Unit dst = unit src in every gate block (units on axis 0)."""
    a = a.copy()
    n = a.shape[0] // gates
    for g in range(gates):
        a[g * n + dst] = a[g * n + src]
    return a


CASES = [
    ("dense_random", _random(12, 9), Layout(-1 % 2)),
    ("dense_zero", np.zeros((12, 9), np.float32), Layout(1)),
    ("dense_constant", np.full((12, 9), 0.25, np.float32), Layout(1)),
    ("dense_dup_columns", _dup_units_last(_random(12, 9), [(0, 3), (0, 5), (2, 7)]), Layout(1)),
    ("conv_hwio_dup", _dup_units_last(_random(3, 3, 4, 8), [(1, 6)]), Layout(3)),
    ("eqx_rows_dup", _dup_units_first(_random(8, 5, 3), [(0, 7)]), Layout(0)),
    ("middle_axis_dup", _dup_units_last(_random(4, 6, 5).transpose(0, 2, 1), [(1, 4)]).copy(), Layout(1)),
    ("gated_rows", _gated_dup(_random(12, 5), 3, 0, 2), Layout(0, gates=3)),
    ("gated_rows_one_block_only", _with(_random(12, 5), 2, _random(12, 5)[0]), Layout(0, gates=3)),
    ("grouped_same_across_groups", np.concatenate([_random(3, 2)] * 2, axis=1), Layout(1, groups=2)),
    ("grouped_within_group", _dup_units_last(_random(3, 4), [(0, 1)]), Layout(1, groups=2)),
    ("nan", _with(_random(6, 4), (2, 1), np.nan), Layout(1)),
    ("inf_and_nan", _with(_with(_random(6, 4), (0, 0), np.inf), (1, 1), np.nan), Layout(1)),
    ("negative_zero_is_zero", _with(np.zeros((4, 3), np.float32), (1, 1), -0.0), Layout(1)),
    ("no_compare", _dup_units_last(_random(5, 4), [(0, 1)]), Layout(1, compare=False)),
    ("vector", _random(7), None),
    ("vector_constant", np.full(7, 3.0, np.float32), None),
    ("vector_nan", _with(_random(7), 3, np.nan), None),
    ("many_units", _dup_units_last(_random(16, 600), [(5, 599), (10, 11)]), Layout(1)),
]


def facts_dict(f):
    return {"nan": f.nan, "inf": f.inf, "constant": f.constant, "groups": f.groups, "n_units": f.n_units,
            "zero_units": f.zero_units, "absurd": f.absurd}


@pytest.mark.parametrize("name,array,layout", CASES, ids=[c[0] for c in CASES])
def test_jax_facts_match_the_numpy_reference(name, array, layout):
    got = jstats.tensor_facts(jnp.asarray(array), layout, True)  # the device path
    want = numpy_facts(array, layout, True)
    assert facts_dict(got) == facts_dict(want)


def test_expected_answers_of_the_reference_itself():
    """The reference is right on the cases that matter (so agreement means something)."""
    by = {c[0]: c for c in CASES}
    f = numpy_facts(by["dense_dup_columns"][1], by["dense_dup_columns"][2], True)
    assert f.groups == [[0, 3, 5], [2, 7]]
    assert numpy_facts(by["grouped_same_across_groups"][1], Layout(1, groups=2), True).groups == []
    assert numpy_facts(by["gated_rows_one_block_only"][1], Layout(0, gates=3), True).groups == []
    assert numpy_facts(by["nan"][1], Layout(1), True).nan == 1


def test_bfloat16_weights():
    a = _dup_units_last(_random(8, 6), [(0, 4)])
    for host_below in (0, jstats.HOST_BELOW):
        (f, z) = jstats.array_facts([("a", jnp.asarray(a, dtype=jnp.bfloat16), Layout(1), True),
                                     ("z", jnp.zeros((8, 6), jnp.bfloat16), Layout(1), True)], host_below=host_below)
        assert f.groups == [[0, 4]] and f.constant is None
        assert z.constant == 0.0


def test_small_arrays_are_read_on_the_host_large_ones_on_the_device():
    small = jnp.zeros((4, 4))
    large = jnp.zeros((jstats.HOST_BELOW // 64 + 1, 64))
    start = jstats.host_bytes[0]
    facts = jstats.array_facts([("small", small, Layout(1), True), ("large", large, Layout(1), True)])
    assert [f.constant for f in facts] == [0.0, 0.0]
    assert jstats.host_bytes[0] - start < small.nbytes + large.nbytes / 10


# -- sharded arrays ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mesh():
    if jax.device_count() < 2:
        pytest.skip("needs XLA_FLAGS=--xla_force_host_platform_device_count=2 (set in conftest.py)")
    return Mesh(np.array(jax.devices()[:2]), ("d",))


SHARDED = [
    ("units_last_split_on_units", _dup_units_last(_random(6, 8), [(0, 5), (1, 2)]), Layout(1), P(None, "d")),
    ("units_last_split_on_inputs", _dup_units_last(_random(6, 8), [(0, 5), (1, 2)]), Layout(1), P("d", None)),
    ("units_first_split_on_units", _dup_units_first(_random(8, 6), [(0, 7)]), Layout(0), P("d", None)),
    ("gated_split_on_units", _gated_dup(_random(12, 5), 3, 1, 3), Layout(0, gates=3), P("d", None)),
    ("gated_split_on_inputs", _gated_dup(_random(12, 6), 3, 1, 3), Layout(0, gates=3), P(None, "d")),
    ("replicated", _dup_units_last(_random(4, 6), [(2, 3)]), Layout(1), P()),
    ("zero", np.zeros((4, 6), np.float32), Layout(1), P("d", None)),
    ("constant_split_on_units", np.full((4, 6), 0.5, np.float32), Layout(1), P(None, "d")),
    ("nan_in_second_shard", _with(_random(4, 6), (3, 5), np.nan), Layout(1), P("d", None)),
    ("conv_split_on_units", _dup_units_last(_random(3, 3, 2, 8), [(0, 7)]), Layout(3), P(None, None, None, "d")),
    ("vector_split", _with(_random(8), 6, np.inf), None, P("d")),
]


@pytest.mark.parametrize("name,array,layout,spec", SHARDED, ids=[c[0] for c in SHARDED])
def test_sharded_array_gives_the_facts_of_the_whole(mesh, name, array, layout, spec):
    a = jax.device_put(jnp.asarray(array), NamedSharding(mesh, spec))
    if spec != P():
        assert jstats.is_sharded(a) and len(jstats.blocks(a)) == 2
    else:
        assert len(jstats.blocks(a)) == 1  # replicas are read once
    (got,) = jstats.array_facts([(name, a, layout, True)])  # sharded: the device path, whatever the size
    assert facts_dict(got) == facts_dict(numpy_facts(array, layout, True))


def test_a_healthy_sharded_weight_is_never_copied_to_the_host(mesh):
    """Only per-unit projections and a few scalars cross to the host, not the weight."""
    array = _random(256, 512)
    a = jax.device_put(jnp.asarray(array), NamedSharding(mesh, P("d", None)))
    start = jstats.host_bytes[0]
    (f,) = jstats.array_facts([("w", a, Layout(1), True)])
    moved = jstats.host_bytes[0] - start
    assert f.groups == [] and f.constant is None
    # two shards' partial projections of 512 units, and at most a few chance candidates' columns
    assert moved <= 2 * 512 * 4 + 4 * 256 * 4 + 64, moved
    assert moved < array.nbytes / 20


def test_duplicate_candidates_fetch_only_their_rows(mesh):
    array = _dup_units_last(_random(128, 64), [(3, 40)])
    a = jax.device_put(jnp.asarray(array), NamedSharding(mesh, P(None, "d")))
    start = jstats.host_bytes[0]
    (f,) = jstats.array_facts([("w", a, Layout(1), True)])
    moved = jstats.host_bytes[0] - start
    assert f.groups == [[3, 40]]
    assert moved < array.nbytes / 4, moved


def test_a_sharded_model_gets_the_report_of_the_whole_one(mesh):
    """check_model_init on Flax variables whose kernels and biases are split over two devices:
    the same problems as the unsharded model, with and without the probe, found shard by shard
    (a duplicate unit whose twin lives on the other device included)."""
    import flax.linen as nn

    from initlint import check_model_init
    from jax_models import X, LinenMLP, copy_column, linen_variables

    model = LinenMLP(hidden_init=nn.initializers.zeros)
    variables = linen_variables(model, X)
    params = variables["params"]
    params = {**params, "fc2": {**params["fc2"], "kernel": copy_column(params["fc2"]["kernel"], 1, 12)}}
    whole = {"params": params}

    def spec(x):
        return P(None, "d") if x.ndim == 2 and x.shape[1] % 2 == 0 else P("d") if x.shape[0] % 2 == 0 else P()

    sharded = jax.tree_util.tree_map(lambda x: jax.device_put(x, NamedSharding(mesh, spec(x))), whole)
    assert jstats.is_sharded(sharded["params"]["fc2"]["kernel"])
    reference = check_model_init(whole, raise_on_problem=False)
    start = jstats.host_bytes[0]
    report = check_model_init(sharded, raise_on_problem=False)
    assert jstats.host_bytes[0] - start < 16 * 16 * 4  # per-unit numbers and two candidate columns
    assert [(p.name, p.code, p.message) for p in report.problems] == \
        [(p.name, p.code, p.message) for p in reference.problems] == [
            ("params/fc1/kernel", "INI001", reference.problems[0].message),
            ("params/fc2/kernel", "INI005", "2 of 16 units (dim 1) fall into 1 group of identical units: {1, 12}")]
    # behind the dead layer, the twins get no gradient: they stay identical (INI005 stands)
    probed = [check_model_init(v, apply_fn=model.apply, example_inputs=X, raise_on_problem=False) for v in (whole, sharded)]
    assert [{p.name: p.code for p in r.problems} for r in probed] == \
        [{"params/fc1/kernel": "INI004", "params/fc2/kernel": "INI005"}] * 2
