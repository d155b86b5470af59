"""The checked model is exactly as before: values, buffers, grads, flags, modes, RNG (DESIGN §4)."""

import pytest
import torch
from torch import nn

from initlint import check_model_init
from runtime_models import LoRANet, ZeroGammaResNet


class Everything(nn.Module):
    """BatchNorm (running stats, num_batches_tracked), dropout, a frozen layer, a tied weight."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(11, 8)
        self.conv = nn.Conv1d(8, 8, 3, padding=1)
        self.bn = nn.BatchNorm1d(8)
        self.drop = nn.Dropout(0.5)
        self.frozen = nn.Linear(8, 8)
        self.frozen.requires_grad_(False)
        self.out = nn.Linear(8, 11, bias=False)
        self.out.weight = self.emb.weight  # tied

    def forward(self, ids):
        h = self.emb(ids).transpose(1, 2)
        h = self.drop(torch.relu(self.bn(self.conv(h)))).transpose(1, 2)
        return self.out(self.frozen(h))


def snapshot(model):
    return {
        "state": {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()},
        "grads": {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()},
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
        "training": {n: m.training for n, m in model.named_modules()},
        "ids": {n: id(p) for n, p in model.named_parameters()},
        "rng": torch.get_rng_state(),
    }


def assert_same(before, after):
    assert before["state"].keys() == after["state"].keys()
    for k in before["state"]:
        assert torch.equal(before["state"][k], after["state"][k]), k
    for n, g in before["grads"].items():
        if g is None:
            assert after["grads"][n] is None, n
        else:
            assert torch.equal(g, after["grads"][n]), n
    assert before["requires_grad"] == after["requires_grad"]
    assert before["training"] == after["training"]
    assert before["ids"] == after["ids"]
    assert torch.equal(before["rng"], after["rng"])


def _build_with_grads():
    model = Everything()
    ids = torch.randint(0, 11, (4, 6))
    model(ids).sum().backward()  # some .grad present, some None (frozen)
    return model, ids


@pytest.mark.parametrize("mode", ["train", "eval", "mixed"])
def test_model_unchanged_after_probe(mode):
    model, ids = _build_with_grads()
    if mode == "eval":
        model.eval()
    elif mode == "mixed":
        model.bn.eval()
    before = snapshot(model)
    report = check_model_init(model, example_inputs=ids, raise_on_problem=False)
    assert report.probe_steps == 3
    assert_same(before, snapshot(model))


def test_model_unchanged_without_probe():
    model, _ = _build_with_grads()
    before = snapshot(model)
    check_model_init(model)
    assert_same(before, snapshot(model))


def test_model_unchanged_when_problems_raise():
    model = LoRANet()
    x = torch.randn(3, 8)
    before = snapshot(model)
    with pytest.raises(AssertionError):
        check_model_init(model)
    assert_same(before, snapshot(model))
    check_model_init(model, example_inputs=x)
    assert_same(before, snapshot(model))


def test_batchnorm_running_stats_and_counter_untouched():
    model = ZeroGammaResNet().train()
    bn = model.blocks[0].bn1
    mean, var, count = bn.running_mean.clone(), bn.running_var.clone(), bn.num_batches_tracked.clone()
    check_model_init(model, example_inputs=torch.randn(4, 3, 8, 8))
    assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
    assert torch.equal(bn.num_batches_tracked, count)
    assert model.training and bn.training


def test_under_no_grad_and_inference_mode():
    model = LoRANet()
    x = torch.randn(3, 8)
    with torch.no_grad():
        assert check_model_init(model, example_inputs=x).ok
    with torch.inference_mode():
        assert check_model_init(model, example_inputs=x).ok
    assert all(p.grad is None for p in model.parameters())


def test_forward_raising_names_the_probe_and_leaves_model_untouched():
    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.bn = nn.BatchNorm1d(4)

        def forward(self, x):
            h = self.bn(self.fc(x))
            raise ValueError("boom in forward")

    model = Broken()
    model.bn.eval()
    x = torch.randn(3, 4)
    before = snapshot(model)
    from initlint.runtime import ProbeError

    with pytest.raises(ProbeError, match="probe's forward pass raised ValueError: boom in forward"):
        check_model_init(model, example_inputs=x)
    assert_same(before, snapshot(model))


def test_batchnorm_batch_of_one_gets_a_hint():
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))
    from initlint.runtime import ProbeError

    with pytest.raises(ProbeError, match="batch of at least 2"):
        check_model_init(model, example_inputs=torch.randn(1, 4))
    assert model.training and model[1].training
