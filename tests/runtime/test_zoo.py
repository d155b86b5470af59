"""The model zoo (benchmarks/zoo.py): library models built from small configs, checked healthy
(no problem, with and without inputs; the model bit-identical afterwards) and with injected bugs
(the right code on the broken tensors).

By default a representative handful runs (a dense LM, a mixture of experts, RWKV with its
in-place rescaling, an encoder, a diffusion UNet, a LoRA model, a keras-hub backbone). The whole
zoo, every transformers model type and every diffusers, peft, keras.applications and keras-hub
model of the zoo, runs with the slow tests: ``pytest -m slow tests/runtime/test_zoo.py``
(``python benchmarks/zoo.py`` prints the same sweep as a table).
"""

import importlib.util

import pytest

import zoo

REPRESENTATIVE = [
    ("transformers", "llama"),
    ("transformers", "mixtral"),
    ("transformers", "bert"),
    ("diffusers", "AutoencoderTiny"),
    ("peft", "lora"),
]
#: the default run checks every injected bug without inputs, and these with the probe too
PROBED_KINDS = ("zero_gamma", "zero_experts")

_MODULES = {"transformers": "transformers", "diffusers": "diffusers", "peft": "peft", "keras": "keras",
            "keras-hub": "keras_hub"}


def _installed(source: str) -> bool:
    return importlib.util.find_spec(_MODULES[source]) is not None


def _every_model() -> list:
    out = []
    for source in zoo.SOURCES:
        if not _installed(source):
            out.append(pytest.param(source, "-", marks=pytest.mark.skip(reason=f"{_MODULES[source]} is not installed")))
            continue
        out += [(source, name) for name in zoo.model_names(source)]
    return out


def check(source: str, name: str, probe_kinds: tuple = zoo.KINDS) -> None:
    if not _installed(source):
        pytest.skip(f"{_MODULES[source]} is not installed")
    rec = zoo.run_one(zoo.zoo_model(source, name), cost=False, probe_kinds=probe_kinds)
    if "skip" in rec:
        pytest.skip(rec["skip"])
    assert rec.get("plain_problems") == [], rec
    assert rec.get("probe_problems", []) == [], rec
    for key in ("plain_crash", "probe_crash", "probe_error", "plain_changed", "probe_changed"):
        assert key not in rec, f"{key}: {rec[key]}"
    for kind, entry in rec["injected"].items():
        assert "error" not in entry, f"{kind}: {entry}"
        for mode in ("plain", "probe"):
            if mode in entry:
                assert entry[mode] == entry["tensors"], f"{kind} ({mode}): {entry.get(mode + '_codes')}"
    return rec


@pytest.mark.parametrize("source,name", REPRESENTATIVE, ids=[f"{s}/{n}" for s, n in REPRESENTATIVE])
def test_representative_models(source, name):
    rec = check(source, name, PROBED_KINDS)
    assert rec.get("probe_checked"), "the probe ran on the healthy model"
    # (a LoRA model's trainable weights are all adapters: named deliberate, no hidden layer to break)
    expected = {"every_constant"} | ({"zero_hidden", "duplicate_rows", "nan"} if source != "peft" else set())
    assert expected <= set(rec["injected"]), rec["injected"].keys()
    if name == "mixtral":
        assert {"zero_experts", "zero_gamma"} <= set(rec["injected"])


def pytest_generate_tests(metafunc):
    """The whole zoo is parametrised only when slow tests are selected (``-m slow``): it takes
    hours on 2 cores, and listing its models imports every library (the default run deselects
    ``slow``, but would still collect them)."""
    if metafunc.function.__name__ != "test_every_model_of_the_zoo":
        return
    markexpr = metafunc.config.getoption("markexpr") or ""
    if "slow" in markexpr and "not slow" not in markexpr:
        metafunc.parametrize("source,name", _every_model())
    else:
        reason = "the whole zoo runs with: pytest -m slow tests/runtime/test_zoo.py"
        metafunc.parametrize("source,name", [pytest.param("-", "-", marks=pytest.mark.skip(reason=reason))])


@pytest.mark.slow
def test_every_model_of_the_zoo(source, name):
    check(source, name)
