"""Keras 3 on the JAX backend: the checks without inputs and the probe (stateless_call + jax.grad).

KERAS_BACKEND is fixed when Keras is first imported, and this test process runs Keras on torch
(conftest.py), so the Keras-on-JAX models are built and checked in one subprocess that prints
its reports as JSON; the assertions are made here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

SCRIPT = r'''
import json
import keras
import numpy as np
from initlint import check_model_init
from initlint.runtime.check import detect_framework

layers = keras.layers
x = np.random.default_rng(0).standard_normal((6, 8)).astype("float32")


def mlp(hidden="glorot_uniform", head="glorot_uniform"):
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8,)),
        layers.Dense(16, activation="relu", kernel_initializer=hidden, name="hidden"),
        layers.Dense(16, activation="relu", name="hidden2"),
        layers.Dense(3, kernel_initializer=head, name="head"),
    ])


def summary(report):
    return {"problems": {p.name: p.code for p in report.problems}, "messages": [p.message for p in report.problems],
            "suggestions": [p.suggestion for p in report.problems], "notes": report.notes,
            "probe_steps": report.probe_steps, "framework": report.framework}


out = {"backend": keras.backend.backend()}
healthy = mlp()
out["detected"] = detect_framework(healthy)
out["healthy"] = summary(check_model_init(healthy, example_inputs=x, raise_on_problem=False))
dead = mlp(hidden="zeros")
before = [np.array(v.value) for v in dead.weights]
out["dead_without"] = summary(check_model_init(dead, raise_on_problem=False))
out["dead_probe"] = summary(check_model_init(dead, example_inputs=x, raise_on_problem=False))
out["untouched"] = all(np.array_equal(a, np.array(v.value)) for a, v in zip(before, dead.weights))
out["zero_head"] = summary(check_model_init(mlp(head="zeros"), example_inputs=x, raise_on_problem=False))
dup = mlp()
k = np.array(dup.get_layer("hidden").kernel.value)
k[:, 5] = k[:, 2]
dup.get_layer("hidden").kernel.assign(k)
out["dup_without"] = summary(check_model_init(dup, raise_on_problem=False))
out["dup_probe"] = summary(check_model_init(dup, example_inputs=x, raise_on_problem=False))
print("JSON" + json.dumps(out))
'''


@pytest.fixture(scope="module")
def keras_jax(tmp_path_factory):
    env = {**os.environ, "KERAS_BACKEND": "jax", "KERAS_HOME": str(tmp_path_factory.mktemp("keras-home")),
           "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("JSON"))
    return json.loads(line[4:])


def test_runs_on_the_jax_backend(keras_jax):
    assert keras_jax["backend"] == "jax" and keras_jax["detected"] == "keras"


def test_healthy_model_passes_the_probe(keras_jax):
    report = keras_jax["healthy"]
    assert report["problems"] == {} and report["probe_steps"] == 3
    assert not any("probe skipped" in n for n in report["notes"])


def test_zero_hidden_layer_is_dead_with_the_probe_and_the_model_is_untouched(keras_jax):
    assert list(keras_jax["dead_without"]["problems"].values()) == ["INI001"]
    report = keras_jax["dead_probe"]
    (name,) = report["problems"]
    assert name.endswith("/hidden/kernel") and report["problems"] == {name: "INI004"}
    assert "kernel_initializer" in report["suggestions"][0]
    assert keras_jax["untouched"]


def test_zero_head_trains(keras_jax):
    report = keras_jax["zero_head"]
    assert report["problems"] == {}
    assert any("head/kernel: all zeros, and it receives gradient" in n and "deliberate zero-init that trains" in n
               for n in report["notes"])


def test_copied_column_is_a_duplicate_until_the_probe_separates_it(keras_jax):
    (message,) = keras_jax["dup_without"]["messages"]
    assert list(keras_jax["dup_without"]["problems"].values()) == ["INI005"] and "{2, 5}" in message
    probed = keras_jax["dup_probe"]
    assert probed["problems"] == {} and any("duplicate units come apart" in n for n in probed["notes"])
