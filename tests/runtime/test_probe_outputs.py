"""The probe survives real forwards: dataclass and distribution outputs, outputs whose shape
depends on the weights, TorchScript, Keras ``call()`` without ``training``; it is
deterministic in training mode (dropout) and costs one step on a healthy model."""

import dataclasses

import pytest
import torch
from torch import nn

from initlint import check_model_init
from initlint.runtime.probe import floating_leaves


def run(model, x=None, **kw):
    return check_model_init(model, example_inputs=x, raise_on_problem=False, **kw)


@dataclasses.dataclass
class Prediction:
    mean: torch.Tensor
    spread: torch.distributions.Distribution
    label: str = "x"


class Probabilistic(nn.Module):
    """Returns a dataclass holding a tensor and a torch distribution, as policy heads do."""

    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.mu = nn.Linear(8, 2)
        self.sigma = nn.Linear(8, 2)

    def forward(self, x):
        h = torch.relu(self.body(x))
        return Prediction(self.mu(h), torch.distributions.Normal(self.mu(h), nn.functional.softplus(self.sigma(h))))


def test_dataclass_and_distribution_outputs_are_projected():
    model = Probabilistic()
    out = model(torch.randn(3, 4))
    assert len(floating_leaves(out)) == 3  # mean, and the distribution's loc and scale
    nn.init.zeros_(model.sigma.weight)  # reached only through the distribution
    report = run(model, torch.randn(3, 4))
    assert report.ok and any(n.startswith("sigma.weight: all zeros, but it receives gradient") for n in report.notes)


def test_nested_outputs():
    class Nested(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 3)

        def forward(self, x):
            return {"deep": [(self.a(x), {"more": self.a(x).sum(-1)})], "ids": torch.arange(3), "name": "n"}

    assert run(Nested(), torch.randn(2, 3)).ok


class Lengths(nn.Module):
    """Output length decided by the weights (duration predictors: VITS, FastSpeech2)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(4, 8)
        self.duration = nn.Linear(8, 1)
        self.dec = nn.Linear(8, 3)
        nn.init.zeros_(self.dec.weight)
        self.dead = nn.Linear(8, 3)  # zero and dead under ReLU: keeps the probe going every step
        nn.init.zeros_(self.dead.weight)
        nn.init.constant_(self.dead.bias, -1.0)
        self.lengths = []  # the model's own record: put back by the probe
        self.spy = lambda n: None

    def forward(self, x):
        h = torch.tanh(self.enc(x))
        repeats = 1 + int(bool(self.duration.weight.detach().any()))  # 1, then 2 once the probe updated it
        self.lengths.append(repeats)
        self.spy(repeats)
        h = h.repeat_interleave(repeats, dim=0)
        return self.dec(h * self.duration(h)) + torch.relu(self.dead(h))


def test_outputs_whose_shape_changes_between_steps():
    model = Lengths()
    nn.init.zeros_(model.duration.weight)  # suspicious: updated, so the length changes
    seen = []
    model.spy = seen.append
    report = run(model, torch.randn(5, 4))
    assert report.probe_steps == 3 and len(seen) == 3, str(report)
    assert len(set(seen)) > 1 and model.lengths == []  # (the probe's appends are undone)
    assert [(p.name, p.code) for p in report.problems] == [("dead.weight", "INI004")]


def test_torchscript_is_checked_without_inputs_and_the_probe_is_a_note():
    model = torch.jit.script(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    report = run(model, torch.randn(3, 4))
    assert report.ok and report.checked == 4 and "probe skipped (see notes)" in report.summary()
    assert any("TorchScript" in n for n in report.notes)
    with torch.no_grad():
        model[0].weight.zero_()
    assert [(p.name, p.code) for p in run(model).problems] == [("0.weight", "INI001")]  # roles from original_name


def test_probe_runs_in_training_mode_and_is_deterministic():
    """Dropout is active (a fixed seed), so the probe sees what training sees; same answer twice."""
    seen = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append(self.training)
            return x

    model = nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.5), Spy(), nn.Linear(16, 2)).eval()
    nn.init.zeros_(model[3].weight)
    x = torch.randn(6, 8)
    first, second = str(run(model, x)), str(run(model, x))
    assert seen and all(seen) and first == second
    assert not model.training and not model[1].training


def test_the_probe_stops_once_every_verdict_is_in():
    calls = []

    class Counter(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x

    model = nn.Sequential(nn.Linear(4, 4), Counter(), nn.Linear(4, 2))
    assert run(model, torch.randn(3, 4)).probe_steps == 3
    assert len(calls) == 1  # nothing suspicious: the later steps would repeat the first
    calls.clear()
    nn.init.zeros_(model[2].weight)  # a zero head: trains from step 1, and the layer before it
    assert run(model, torch.randn(3, 4)).ok  # gets gradient once the head has moved (step 2)
    assert len(calls) == 2
    calls.clear()
    nn.init.zeros_(model[0].weight)  # a zero layer before a zero head: the same two steps
    assert run(model, torch.randn(3, 4)).ok
    assert len(calls) == 2
    calls.clear()
    nn.init.constant_(model[0].bias, -1.0)
    model.insert(1, nn.ReLU())  # now its units are dead: every step runs
    assert not run(model, torch.randn(3, 4)).ok
    assert len(calls) == 3


def test_keras_call_without_a_training_argument():
    keras = pytest.importorskip("keras")

    class Plain(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1, self.d2 = keras.layers.Dense(8), keras.layers.Dense(2, kernel_initializer="zeros")

        def call(self, x):
            return self.d2(self.d1(x))

    model = Plain()
    x = torch.randn(3, 4)
    model(x)
    report = run(model, x)
    assert report.ok and report.probe_steps == 3, str(report)
    assert any("zero-init that trains" in n for n in report.notes)


def test_a_wide_constant_head_comes_apart():
    """A constant 20000-unit output layer: its gradient rows are all parallel (one hidden vector
    times each unit's error), so only their lengths tell them apart; they come apart."""
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 20000))
    nn.init.constant_(model[2].weight, 0.05)  # noqa: INI002
    (problem,) = run(model, torch.randn(4, 8)).problems
    assert problem.code == "INI002" and "drifting apart" in problem.message
