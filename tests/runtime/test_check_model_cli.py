"""``initlint check-model MODULE:FACTORY``: the real command, in a subprocess, on a user's module."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import initlint

SRC = str(Path(initlint.__file__).resolve().parents[1])

MODELS = '''
import torch
from torch import nn

def healthy():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

def zero_hidden():
    model = healthy()
    nn.init.zeros_(model[0].weight)
    return model

def zero_head():
    model = healthy()
    nn.init.zeros_(model[2].weight)
    return model

model = healthy()

def inputs(model):
    return torch.randn(3, 4)

def broken():
    raise RuntimeError("no weights today")
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "models.py").write_text(MODELS)
    return tmp_path


@pytest.fixture
def in_process(project, monkeypatch, capsys):
    """Run the command's main() here (faster than a subprocess for the many small cases)."""
    from initlint.runtime.cli import main

    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    sys.modules.pop("models", None)

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    sys.modules.pop("models", None)


def check_model(project, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "initlint", "check-model", *args],
        capture_output=True, text=True, cwd=project,
        env={"PYTHONPATH": SRC, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
    )


def test_healthy_model_exits_zero(project):
    proc = check_model(project, "models:healthy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("check_model_init: no problems in Sequential")


def test_a_model_object_instead_of_a_factory(in_process):
    assert in_process("models:model")[0] == 0


def test_problems_exit_one_with_the_report(project):
    proc = check_model(project, "models:zero_hidden")
    assert proc.returncode == 1
    assert "0.weight shape (8, 4): INI001 zero-weight" in proc.stdout and 'allow=["0.weight"]' in proc.stdout


def test_allow_and_ignore(in_process):
    assert in_process("models:zero_hidden", "--allow", "0.weight")[0] == 0
    assert in_process("models:zero_hidden", "--ignore", "INI001")[0] == 0
    assert in_process("models:zero_hidden", "--select", "INI005,INI006")[0] == 0


def test_inputs_run_the_probe(in_process):
    code, out, _ = in_process("models:zero_head")
    assert code == 1  # a zero weight, intent not evident without inputs
    for spec in ("3x4", "models:inputs"):
        code, out, err = in_process("models:zero_head", "--inputs", spec)
        assert code == 0, out + err
        assert "probe: 3 steps" in out and "zero-init that trains" in out


def test_json_output(in_process):
    code, out, _ = in_process("models:zero_hidden", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert [(p["name"], p["code"]) for p in data["problems"]] == [("0.weight", "INI001")]


@pytest.mark.parametrize(
    "args, message",
    [
        (["nomodule_x:x"], "cannot import 'nomodule_x': ModuleNotFoundError"),
        (["models:nothing"], "'models' has no attribute 'nothing'"),
        (["models"], "must look like MODULE:NAME"),
        (["models:broken"], "models:broken() raised RuntimeError: no weights today"),
        (["models:healthy", "--inputs", "dummy"], "Sequential has no dummy_inputs"),
        (["models:healthy", "--inputs", "7x9"], "the probe's forward pass raised RuntimeError"),
        (["models:healthy", "--steps", "1"], "steps must be an integer >= 2"),
        (["models:healthy", "--select", "XYZ9"], "unknown rule code"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(in_process, args, message):
    code, out, err = in_process(*args)
    assert code == 2, out + err
    assert err.startswith("initlint check-model: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_bad_input_through_the_real_command_has_no_traceback(project):
    proc = check_model(project, "models:broken")
    assert proc.returncode == 2
    assert proc.stderr == "initlint check-model: error: models:broken() raised RuntimeError: no weights today\n"


def test_keras_model(project):
    pytest.importorskip("keras")
    (project / "kmodels.py").write_text(
        "import keras\n"
        "def build():\n"
        "    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, kernel_initializer='zeros'),\n"
        "                             keras.layers.Dense(2)])\n"
    )
    proc = check_model(project, "kmodels:build", env={"KERAS_BACKEND": "torch", "KERAS_HOME": str(project / ".keras")})
    assert proc.returncode == 1, proc.stderr
    assert "INI001 zero-weight" in proc.stdout and "(keras," in proc.stdout
