"""The checked model is exactly as before: values, buffers, grads, flags, modes, RNG (DESIGN §4)."""

import copy

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
    nn.init.zeros_(model.l1.base.weight)  # a zero hidden layer: a problem without inputs
    x = torch.randn(3, 8)
    before = snapshot(model)
    with pytest.raises(AssertionError):
        check_model_init(model)
    assert_same(before, snapshot(model))
    with pytest.raises(AssertionError):  # its units with a bias <= 0 are dead (INI004)
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


# -- every attribute, for real: forwards that write ---------------------------------------------

class Config:
    def __init__(self):
        self.steps = 0
        self.history = []


class Scribbler(nn.Module):
    """A forward that writes everywhere it can: attributes, caches, buffers, plain tensors, a
    frozen weight through .data, a trainable weight in place, a shared config object."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.frozen = nn.Linear(4, 4).requires_grad_(False)
        self.register_buffer("running", torch.zeros(4))
        self.plain = torch.ones(3)
        self.calls = 0
        self.cache = {}
        self.seen = []
        self.config = Config()

    def forward(self, x):
        self.calls += 1
        self.flag = True
        self.seen.append(tuple(x.shape))
        self.cache["last"] = x.sum()
        self.config.steps += 1
        self.config.history.append(self.calls)
        with torch.no_grad():
            self.running.mul_(0.9).add_(x.mean(0))
            self.plain.add_(1)
            self.frozen.weight.data.mul_(2)
            self.fc.weight.mul_(1.5)  # an eval-style rescale, as RWKV does
        self.register_buffer("made_in_forward", x.detach().clone())
        self.running = self.running + 0  # re-assigns the buffer slot
        return self.fc(torch.relu(self.frozen(x)))


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_a_forward_that_writes_everywhere_leaves_the_model_bit_identical(mode):
    from zoo import deep_state, diff_state

    model = Scribbler().train(mode == "train")
    twin = Scribbler().train(mode == "train")
    twin.load_state_dict(model.state_dict())
    x = torch.randn(5, 4)
    before = deep_state(model)
    report = check_model_init(model, example_inputs=x)
    assert report.probe_steps == 3
    assert diff_state(before, deep_state(model)) == []
    assert model.calls == 0 and model.cache == {} and model.seen == [] and not hasattr(model, "flag")
    assert model.config.steps == 0 and model.config.history == []
    assert torch.equal(model(x), twin(x))  # and it behaves as the twin that was never checked


def _rwkv():
    import transformers

    cfg = transformers.RwkvConfig(vocab_size=64, hidden_size=32, num_hidden_layers=4, attention_hidden_size=32,
                                  intermediate_size=64, context_length=32, rescale_every=2)
    return transformers.RwkvForCausalLM(cfg), {"input_ids": torch.randint(0, 64, (2, 8))}


def _levit():
    import transformers

    cfg = transformers.LevitConfig(image_size=64, hidden_sizes=[32, 48, 64], num_attention_heads=[1, 2, 2],
                                   depths=[1, 1, 1], key_dim=[8, 8, 8], num_labels=3)
    return transformers.LevitForImageClassification(cfg), torch.randn(2, 3, 64, 64)


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("build", [_rwkv, _levit], ids=["rwkv_rescale", "levit_bias_cache"])
def test_library_models_with_side_effects_pass_and_stay_bit_identical(build, mode):
    """RWKV's eval forward rescales its weights in place and sets layers_are_rescaled; LeViT's eval
    forward caches attention biases. Checked in either mode, each passes and is left as it was."""
    from zoo import deep_state, diff_state

    model, x = build()
    model.train(mode == "train")
    twin = copy.deepcopy(model)
    before = deep_state(model)
    report = check_model_init(model, example_inputs=x)
    assert report.ok and report.probe_steps == 3, str(report)
    assert diff_state(before, deep_state(model)) == []
    # the next forward (and, for RWKV, its rescaling) is exactly the twin's
    for m in (model, twin):
        m.train()
    out, twin_out = (m(**x) if isinstance(x, dict) else m(x) for m in (model, twin))
    assert torch.equal(out.logits, twin_out.logits)
