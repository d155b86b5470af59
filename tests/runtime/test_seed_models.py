"""The models the seed documents describe, and the idioms they must not be confused with."""

import math

import pytest
import torch
from torch import nn

from initlint import InitCheckError, check_model_init
from runtime_models import DiT, LoRANet, ZeroConvControl, ZeroGammaResNet, ZeroHeadNet, init_zero_, mlp


def codes(report):
    return {p.name: p.code for p in report.problems}


def run(model, x=None, **kw):
    return check_model_init(model, example_inputs=x, raise_on_problem=False, **kw)


def test_init_zero_on_every_layer_is_flagged_without_inputs():
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    for layer in model:
        if hasattr(layer, "weight"):
            init_zero_(layer)
    assert codes(run(model)) == {"0.weight": "INI001", "2.weight": "INI001"}


def test_init_zero_on_every_layer_is_dead_with_probe():
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
    for layer in (model[0], model[2]):
        init_zero_(layer)
    report = run(model, torch.randn(8, 10))
    assert codes(report) == {"0.weight": "INI004", "2.weight": "INI004"}
    assert report.probe_steps == 3


def test_init_zero_single_layer_from_seed_example():
    layer = nn.Linear(10, 5)
    init_zero_(layer)
    with pytest.raises(InitCheckError) as err:
        check_model_init(layer)
    assert "weight" in str(err.value) and "INI001" in str(err.value)


def confirm_notes(report):
    """Tensors the check without inputs calls deliberate by name, asking for the probe."""
    return sorted(n.split(":")[0] for n in report.notes if "pass example_inputs= to check_model_init" in n)


def test_lora_zero_b_is_a_note_without_inputs_and_exonerated_by_probe():
    model = LoRANet()
    report = run(model)
    assert report.ok and confirm_notes(report) == ["l1.lora_B.weight", "l2.lora_B.weight"]
    assert all("LoRA's B matrix" in n for n in report.notes)
    report = run(model, torch.randn(8, 8))
    assert report.ok, str(report)
    exonerated = [n for n in report.notes if "deliberate zero-init that trains" in n]
    assert len(exonerated) == 2


def test_zero_head_trains():
    model = ZeroHeadNet()
    assert confirm_notes(run(model)) == ["head.weight"]
    assert run(model, torch.randn(6, 8)).ok


def _constant_mlp(widths, value=0.1):
    model = mlp(*widths)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.constant_(layer.weight, value)
            nn.init.zeros_(layer.bias)
    return model


def test_constant_every_hidden_layer_stays_symmetric():
    model = _constant_mlp((8, 16, 16, 4))
    assert set(codes(run(model)).values()) == {"INI002"}
    report = run(model, torch.randn(8, 8))
    c = codes(report)
    assert c["0.weight"] == "INI005" and c["2.weight"] == "INI005"
    assert "stay identical through 3 probe steps" in report.problems[0].message
    # the output layer's units each get their own error signal: not symmetric
    assert c["4.weight"] == "INI002"


def test_one_constant_layer_between_random_ones_is_not_symmetric():
    model = mlp(8, 16, 16, 4)
    nn.init.constant_(model[2].weight, 0.1)
    assert codes(run(model)) == {"2.weight": "INI002"}
    report = run(model, torch.randn(8, 8))
    assert codes(report) == {"2.weight": "INI002"}
    assert "drifting apart" in report.problems[0].message


def test_eye_on_non_square_linear_is_symmetric():
    layer = nn.Linear(4, 16)
    nn.init.eye_(layer.weight)
    (problem,) = run(layer).problems
    assert problem.code == "INI005"
    assert "12 of 16 units" in problem.message and "{4-15}" in problem.message


def test_eye_on_square_linear_is_fine():
    layer = nn.Linear(16, 16)
    nn.init.eye_(layer.weight)
    assert run(layer).ok


def test_zero_weight_with_default_bias_before_relu_has_some_dead_units():
    torch.manual_seed(3)
    model = mlp(8, 16, 4)
    nn.init.zeros_(model[0].weight)  # the bias keeps PyTorch's random default
    negative = int((model[0].bias <= 0).sum())
    assert 0 < negative < 16
    report = run(model, torch.randn(32, 8))
    (problem,) = report.problems
    assert problem.code == "INI004" and problem.name == "0.weight"
    assert f"{negative} of 16 units" in problem.message


def test_nan_weights():
    layer = nn.Linear(8, 8)
    with torch.no_grad():
        layer.weight[2, 3] = float("nan")
        layer.weight[5, 0] = float("inf")
    (problem,) = run(layer).problems
    assert problem.code == "INI006" and "1 NaN and 1 Inf" in problem.message


def test_nan_beats_everything_and_skips_probe():
    model = mlp(4, 4, 2)
    with torch.no_grad():
        model[0].weight.fill_(float("nan"))
    report = run(model, torch.randn(3, 4))
    assert codes(report) == {"0.weight": "INI006"}
    assert any("probe skipped" in n for n in report.notes)


def test_nan_in_buffer():
    bn = nn.BatchNorm1d(4)
    bn.running_var[1] = float("inf")
    assert codes(run(bn)) == {"running_var": "INI006"}


def test_zero_gamma_residual_norms_are_silent():
    model = ZeroGammaResNet()
    assert run(model).ok
    assert run(model, torch.randn(4, 3, 8, 8)).ok


def test_zero_biases_and_norm_params_are_never_flagged():
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    with torch.no_grad():
        model[0].bias.zero_()
        model[1].weight.fill_(0.0)
        model[1].bias.fill_(3.0)
    assert run(model).ok


def test_partial_copy_of_units_persists_only_when_neighbours_agree():
    model = mlp(6, 8, 3)
    with torch.no_grad():
        model[0].weight[5] = model[0].weight[1]
        model[0].bias[5] = model[0].bias[1]
    (problem,) = run(model).problems
    assert problem.code == "INI005" and "{1, 5}" in problem.message
    # the outgoing columns differ: the two units come apart in the probe
    report = run(model, torch.randn(8, 6))
    assert report.ok and any("come apart" in n for n in report.notes)
    with torch.no_grad():
        model[2].weight[:, 5] = model[2].weight[:, 1]
    (problem,) = run(model, torch.randn(8, 6)).problems
    assert problem.code == "INI005" and "stay identical" in problem.message


def test_rezero_style_gate_lets_the_branch_train():
    class ReZero(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = mlp(8, 8, 8)
            self.alpha = nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x + self.alpha * self.f(x)

    assert run(ReZero(), torch.randn(4, 8)).ok


def test_lone_zero_layer_with_tanh_trains():
    model = mlp(8, 16, 4, act=nn.Tanh)
    nn.init.zeros_(model[0].weight)
    assert run(model, torch.randn(8, 8)).ok


def test_default_kaiming_is_math_sqrt5_and_silent():
    layer = nn.Linear(32, 32)
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    assert run(layer).ok


def test_dit_adaln_zero_trains():
    model = DiT()
    assert len(confirm_notes(run(model))) == 4  # four zero weights, named like modulations and a final layer
    report = run(model, (torch.randn(3, 5, 16), torch.randn(3, 16)))
    assert report.ok, str(report)
    assert sum("deliberate zero-init" in n for n in report.notes) == 4


def test_controlnet_zero_conv_trains():
    model = ZeroConvControl()
    assert confirm_notes(run(model)) == ["zero_conv.weight"]
    assert run(model, torch.randn(2, 3, 8, 8)).ok


def test_zero_last_layer_of_residual_branch_trains():
    class Branch(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(8, 32), nn.Linear(32, 8)
            nn.init.zeros_(self.fc2.weight)
            nn.init.zeros_(self.fc2.bias)

        def forward(self, x):
            return x + self.fc2(torch.relu(self.fc1(x)))

    assert run(nn.Sequential(Branch(), Branch(), nn.Linear(8, 2)), torch.randn(4, 8)).ok


def test_zero_first_layer_of_residual_branch_is_dead():
    class Branch(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(8, 32), nn.Linear(32, 8)
            nn.init.zeros_(self.fc1.weight)
            nn.init.zeros_(self.fc1.bias)

        def forward(self, x):
            return x + self.fc2(torch.relu(self.fc1(x)))

    report = run(nn.Sequential(Branch(), nn.Linear(8, 2)), torch.randn(4, 8))
    assert [(p.name, p.code) for p in report.problems] == [("0.fc1.weight", "INI004")]
