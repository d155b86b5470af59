"""Meta and lazy tensors, tied and frozen weights, parametrizations, quantized and integer tensors."""

import warnings

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrizations, parametrize

from initlint import check_model_init
from test_model_untouched import assert_same, snapshot


def run(model, x=None, **kw):
    return check_model_init(model, example_inputs=x, raise_on_problem=False, **kw)


def test_meta_device_is_a_note_not_a_crash():
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))
    with pytest.warns(UserWarning, match="nothing was checked"):
        report = run(model)
    assert report.ok and report.checked == 0
    assert any("meta device" in n and "0.weight" in n for n in report.notes)
    with pytest.warns(UserWarning, match="nothing was checked"):
        report = run(model, torch.randn(2, 4, device="meta"))
    assert report.ok and any("probe skipped" in n for n in report.notes)


def test_lazy_modules_are_a_note_and_stay_lazy():
    model = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.Linear(8, 2))
    report = run(model, torch.randn(3, 5))
    assert report.ok
    assert any("lazy" in n and "0.weight" in n for n in report.notes)
    assert isinstance(model[0].weight, nn.parameter.UninitializedParameter)
    model(torch.randn(3, 5))  # materialised: now it is checked like any Linear
    assert run(model).checked == 4


def test_tied_weights_reported_once_with_aliases():
    class Tied(nn.Module):
        def __init__(self, mid):
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.mid = nn.Linear(4, 4) if mid else nn.Identity()
            self.head = nn.Linear(4, 10, bias=False)
            self.head.weight = self.emb.weight

        def forward(self, ids):
            return self.head(self.mid(self.emb(ids)))

    ids = torch.randint(0, 10, (3, 5))
    model = Tied(mid=False)
    nn.init.zeros_(model.emb.weight)
    (problem,) = run(model).problems
    assert problem.name == "emb.weight" and problem.aliases == ("head.weight",)
    assert "shared with head.weight" in str(problem)
    assert run(model, allow=["head.*"]).ok  # an alias pattern allows it too
    # E[ids] @ E.T with E = 0: no gradient ever, the zero table stays a problem
    assert [p.code for p in run(model, ids).problems] == ["INI001"]
    # with a biased layer in between, the head path gives the table a gradient: it trains
    model = Tied(mid=True)
    nn.init.zeros_(model.emb.weight)
    assert run(model, ids).ok


def test_frozen_constant_weights_are_not_flagged():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 4, 3))
    nn.init.constant_(model[0].weight, 1 / 9)  # a fixed box blur
    model[0].requires_grad_(False)
    assert run(model).ok
    assert run(model, torch.randn(2, 1, 8, 8)).ok
    with torch.no_grad():
        model[0].weight[0, 0, 0, 0] = float("nan")
    assert [p.code for p in run(model).problems] == ["INI006"]


def test_unused_parameter_is_a_note():
    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(4, 4)
            self.spare = nn.Linear(4, 4)
            nn.init.zeros_(self.spare.weight)

        def forward(self, x):
            return self.used(x)

    model = Unused()
    report = run(model, torch.randn(3, 4))
    assert [(p.name, p.code) for p in report.problems] == [("spare.weight", "INI001")]
    assert any("not used by the forward" in n and "spare.weight" in n for n in report.notes)


def test_parametrize_weight_norm():
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    parametrizations.weight_norm(model[0])
    names = dict(model.named_parameters())
    assert "0.parametrizations.weight.original0" in names
    x = torch.randn(4, 6)
    assert run(model).ok and run(model, x).ok
    with torch.no_grad():
        model[0].parametrizations.weight.original1[3] = model[0].parametrizations.weight.original1[1]
    (problem,) = run(model).problems
    assert problem.name == "0.parametrizations.weight.original1" and problem.code == "INI005"


def test_parametrize_spectral_norm_keeps_power_iteration_state():
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    parametrizations.spectral_norm(model[0])
    x = torch.randn(4, 6)
    before = snapshot(model)
    assert run(model, x).ok
    assert_same(before, snapshot(model))


def test_custom_parametrization_and_zero_original():
    class Symmetric(nn.Module):
        def forward(self, w):
            return w.triu() + w.triu(1).transpose(-1, -2)

    layer = nn.Linear(5, 5)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    assert run(layer).ok
    with torch.no_grad():
        layer.parametrizations.weight.original.zero_()
    assert [p.code for p in run(layer).problems] == ["INI001"]


def test_old_style_weight_norm():
    layer = nn.Linear(6, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = nn.utils.weight_norm(layer)
    assert run(layer).ok  # weight_g is a magnitude (a scale), weight_v a weight
    with torch.no_grad():
        layer.weight_v.zero_()
    assert [(p.name, p.code) for p in run(layer).problems] == [("weight_v", "INI001")]


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")
def test_integer_and_quantized_tensors_are_skipped():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.table = nn.Parameter(torch.zeros(4, 4, dtype=torch.int64), requires_grad=False)
            self.register_buffer("qbuf", torch.quantize_per_tensor(torch.zeros(4, 4), 0.1, 0, torch.qint8))
            self.register_buffer("steps", torch.zeros((), dtype=torch.long))

        def forward(self, x):
            return self.fc(x)

    report = run(Odd(), torch.randn(2, 4))
    assert report.ok
    assert any("integer/bool parameters skipped: table" in n for n in report.notes)
    assert any("quantized tensors skipped: qbuf" in n for n in report.notes)
    assert not any("steps" in n for n in report.notes)  # integer buffers are counters: silent


def test_quantized_modules_are_a_note():
    qlinear = torch.ao.nn.quantized.Linear(4, 4)
    model = nn.Sequential(nn.Linear(4, 4), qlinear)
    report = run(model)
    assert report.ok and any("quantized modules skipped" in n and "1" in n for n in report.notes)


def test_float8_weights():
    layer = nn.Linear(8, 16)
    with torch.no_grad():
        w = layer.weight.to(torch.float8_e4m3fn)
    layer.weight = nn.Parameter(w, requires_grad=False)
    assert run(layer).ok
    layer.weight = nn.Parameter(torch.zeros(16, 8).to(torch.float8_e4m3fn), requires_grad=False)
    assert run(layer).ok  # frozen: not judged for being constant


def test_rnn_gate_blocks_are_one_unit():
    lstm = nn.LSTM(3, 4)
    w = lstm.weight_ih_l0  # (4 gates * 4 units, 3)
    with torch.no_grad():
        w[4:8] = w[0:4]  # forget-gate rows copy input-gate rows: units still differ
    assert run(lstm).ok
    with torch.no_grad():
        for g in range(4):
            w[g * 4 + 3] = w[g * 4 + 1]  # unit 3 == unit 1 in every gate
    (problem,) = run(lstm).problems
    assert problem.code == "INI005" and "{1, 3}" in problem.message and "4 gate blocks" in problem.message


def test_mha_in_proj_is_split_in_qkv():
    mha = nn.MultiheadAttention(4, 1)
    with torch.no_grad():
        mha.in_proj_weight[4:8] = mha.in_proj_weight[0:4]  # k rows == q rows
    assert run(mha).ok


def test_grouped_conv_compares_units_within_groups_only():
    conv = nn.Conv2d(2, 4, 1, groups=2, bias=False)
    with torch.no_grad():
        conv.weight[2] = conv.weight[0]  # same kernel, different groups: different inputs
    assert run(conv).ok
    with torch.no_grad():
        conv.weight[1] = conv.weight[0]
    (problem,) = run(conv).problems
    assert "{0-1}" in problem.message


def test_depthwise_identical_kernels_are_fine():
    conv = nn.Conv2d(4, 4, 3, groups=4)
    nn.init.constant_(conv.weight, 1 / 9)
    (problem,) = run(conv).problems  # constant: INI002 still applies
    assert problem.code == "INI002"
    with torch.no_grad():
        conv.weight[:] = torch.randn(1, 1, 3, 3)
    assert run(conv).ok


def test_conv_transpose_units_are_dim_1():
    conv = nn.ConvTranspose2d(3, 5, 2)
    with torch.no_grad():
        conv.weight[:, 4] = conv.weight[:, 0]
    (problem,) = run(conv).problems
    assert problem.code == "INI005" and "{0, 4}" in problem.message and "dim 1" in problem.message


def test_unknown_module_fallback():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj_weight = nn.Parameter(torch.zeros(4, 4))  # weight-like name: a weight
            self.cls_token = nn.Parameter(torch.zeros(1, 1, 4))  # additive token: meant to start at 0
            self.pos_embed = nn.Parameter(torch.zeros(1, 5, 4))

    (problem,) = run(Custom()).problems
    assert problem.name == "proj_weight" and problem.code == "INI001"


def test_strided_and_non_contiguous_weights():
    layer = nn.Linear(6, 8)
    layer.weight = nn.Parameter(torch.randn(6, 8).t())  # a transposed view
    assert not layer.weight.is_contiguous()
    assert run(layer).ok
    with torch.no_grad():
        layer.weight[5] = layer.weight[2]
    assert "{2, 5}" in run(layer).problems[0].message
