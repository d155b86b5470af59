"""Roles learnt from the model zoo: MoE expert stacks and routers, norms the tables do not know
(LlamaRMSNorm, Gemma's (1 + γ), GRN), γ = 0 on every norm (INI003), mask and bound buffers,
complex parameters, near-zero weights, broadcast scales and deformable-attention offsets."""

import pytest
import torch
import transformers
from torch import nn

from initlint import check_model_init


def run(model, x=None, **kw):
    return check_model_init(model, example_inputs=x, raise_on_problem=False, **kw)


def codes(report):
    return {p.name: p.code for p in report.problems}


def confirm_notes(report):
    return sorted(n.split(":")[0] for n in report.notes if "pass example_inputs= to check_model_init" in n)


IDS = torch.randint(0, 64, (2, 6), generator=torch.Generator().manual_seed(0))
_SMALL = dict(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
              num_key_value_heads=2)


def mixtral():
    torch.manual_seed(0)
    cfg = transformers.MixtralConfig(**_SMALL, num_local_experts=4, num_experts_per_tok=2)
    return transformers.MixtralForCausalLM(cfg)


def gpt_oss():
    torch.manual_seed(0)
    cfg = transformers.GptOssConfig(**_SMALL, head_dim=16, num_local_experts=4, num_experts_per_tok=2)
    return transformers.GptOssForCausalLM(cfg)


# -- mixtures of experts ---------------------------------------------------------------------

@pytest.mark.parametrize("build", [mixtral, gpt_oss])
def test_healthy_moe_passes_with_and_without_inputs(build):
    model = build()
    assert run(model).ok
    assert run(model, {"input_ids": IDS}).ok


@pytest.mark.parametrize("build", [mixtral, gpt_oss])
def test_zero_experts_are_found(build):
    model = build()
    with torch.no_grad():
        model.model.layers[1].mlp.experts.gate_up_proj.zero_()
    assert codes(run(model)) == {"model.layers.1.mlp.experts.gate_up_proj": "INI001"}


@pytest.mark.parametrize("build,axis", [(mixtral, 1), (gpt_oss, 2)])
def test_duplicate_units_inside_one_expert_are_found_on_the_right_axis(build, axis):
    """transformers stores (experts, out, in), or (experts, in, out) when ``is_transposed``."""
    model = build()
    w = model.model.layers[0].mlp.experts.down_proj
    with torch.no_grad():
        rows = w[2].movedim(axis - 1, 0)
        rows[5] = rows[3]
    (problem,) = run(model).problems
    n = w.shape[axis]
    assert problem.code == "INI005" and problem.name.endswith("experts.down_proj")
    assert f"{{{2 * n + 3}, {2 * n + 5}}}" in problem.message and "4 experts" in problem.message


def test_identical_experts_are_upcycling_not_symmetry():
    """Sparse upcycling copies one MLP into every expert: the experts are separate layers."""
    model = mixtral()
    with torch.no_grad():
        for p in (model.model.layers[0].mlp.experts.gate_up_proj, model.model.layers[0].mlp.experts.down_proj):
            p[1:] = p[0]
    assert run(model).ok


def test_zero_router_is_a_note_and_gate_proj_is_a_hidden_layer():
    model = mixtral()
    with torch.no_grad():
        model.model.layers[0].mlp.gate.weight.zero_()
    report = run(model)
    assert report.ok and confirm_notes(report) == ["model.layers.0.mlp.gate.weight"]
    assert "named like a gate" in report.notes[0]
    llama = transformers.LlamaForCausalLM(transformers.LlamaConfig(**_SMALL))
    with torch.no_grad():
        llama.model.layers[0].mlp.gate_proj.weight.zero_()
    assert codes(run(llama)) == {"model.layers.0.mlp.gate_proj.weight": "INI001"}


def test_zero_adapters_heads_and_offsets_without_inputs_are_notes():
    peft = pytest.importorskip("peft")
    base = transformers.LlamaForCausalLM(transformers.LlamaConfig(**_SMALL))
    model = peft.get_peft_model(base, peft.LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    report = run(model)
    assert report.ok
    assert len(confirm_notes(report)) == 4 and all("lora_B" in n for n in confirm_notes(report))
    text = str(report)
    assert "model.model.layers.{0-1}.self_attn.q_proj.lora_B.default.weight (2 tensors)" in text  # grouped
    assert run(model, {"input_ids": IDS}).ok


# -- norms --------------------------------------------------------------------------------------

def _zero_every_norm(model, value=0.0):
    with torch.no_grad():
        for m in model.modules():
            if "norm" in type(m).__name__.lower():
                m.weight.fill_(value)


def test_zero_gamma_on_every_norm_is_ini003_with_and_without_the_probe():
    model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**_SMALL))
    _zero_every_norm(model)
    report = run(model)
    assert set(codes(report).values()) == {"INI003"} and len(report.problems) == 5, str(report)
    assert "every norm of the model (5 norms)" in report.problems[0].message
    # with the probe, the norms before a gated MLP (whose two zero inputs multiply) get no gradient: INI004
    report = run(model, {"input_ids": IDS})
    assert set(codes(report).values()) <= {"INI003", "INI004"} and len(report.problems) == 5, str(report)


def test_gemma_one_plus_gamma_norms_store_zero_and_are_healthy():
    """GemmaRMSNorm computes x̂·(1 + γ) and stores γ = 0: its identity. γ = -1 is its zero scale."""
    model = transformers.GemmaForCausalLM(transformers.GemmaConfig(**_SMALL, head_dim=16))
    assert all(float(m.weight.detach().abs().max()) == 0 for m in model.modules() if "RMSNorm" in type(m).__name__)
    assert run(model).ok
    _zero_every_norm(model, -1.0)
    assert set(codes(run(model)).values()) == {"INI003"}


def test_one_zero_norm_is_not_every_norm():
    model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**_SMALL))
    with torch.no_grad():
        model.model.norm.weight.zero_()
    assert run(model).ok


def test_convnext_v2_grn_zero_scales_are_its_identity():
    cfg = transformers.ConvNextV2Config(depths=[1, 1], hidden_sizes=[8, 16], num_stages=2, image_size=32, num_labels=3)
    model = transformers.ConvNextV2ForImageClassification(cfg)
    grn = model.convnextv2.encoder.stages[0].layers[0].grn.weight
    assert grn.shape == (1, 1, 1, 32) and float(grn.abs().max()) == 0
    assert run(model).ok
    assert run(model, torch.randn(2, 3, 32, 32)).ok


def test_broadcast_scale_of_an_unknown_module_is_not_a_weight():
    class ChannelScale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(1, 1, 1, 8))

    assert run(nn.Sequential(nn.Conv2d(3, 8, 1), ChannelScale())).ok


# -- buffers, complex and near-zero values -----------------------------------------------------

class Masked(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.register_buffer("causal", torch.full((4, 4), float("-inf")).triu(1))
        self.register_buffer("bounds", torch.tensor([float("-inf"), float("inf")]))
        self.register_buffer("scratch", torch.zeros(3))  # not used by the forward

    def forward(self, x):
        h = self.fc(x).clamp(*self.bounds.tolist())
        return h @ torch.softmax(self.causal, -1)


def test_infinite_masks_and_bounds_in_buffers_are_fine_nan_is_not():
    model = Masked()
    x = torch.randn(3, 4)
    report = run(model, x)
    assert report.ok and report.probe_steps == 3
    model.causal[0, 0] = float("nan")
    report = run(model, x)
    (problem,) = report.problems
    assert problem.code == "INI006" and problem.name == "causal"
    assert "recompute this buffer" in problem.suggestion and "torch.empty" not in problem.suggestion
    assert "probe skipped (see notes)" in report.summary()


def test_nan_allowed_lets_the_probe_run():
    model = Masked()
    model.scratch[0] = float("nan")
    assert "probe skipped (see notes)" in run(model, torch.randn(3, 4)).summary()
    report = run(model, torch.randn(3, 4), allow=["scratch"])
    assert report.ok and [p.name for p in report.allowed] == ["scratch"]
    assert report.probe_steps == 3 and not any("probe skipped" in n for n in report.notes)


def test_complex_parameters_are_checked_for_nan():
    class Spectral(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(4, 4, dtype=torch.cfloat))

        def forward(self, x):
            return (x.to(torch.cfloat) @ self.w).real

    model = Spectral()
    assert run(model, torch.randn(2, 4)).ok
    with torch.no_grad():
        model.w[1, 2] = complex(0.0, float("nan"))
    assert codes(run(model)) == {"w": "INI006"}


def test_near_zero_weights_are_numerically_zero():
    model = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 4))
    nn.init.normal_(model[0].weight, std=1e-10)
    (problem,) = run(model).problems
    assert problem.code == "INI001" and "numerically zero" in problem.message
    assert "1/sqrt(fan_in) = 0.25" in problem.message
    assert not model[0].weight.half().any()  # what float16 makes of it
    report = run(model, torch.randn(4, 16))  # like a zero hidden layer: it trains, as a note
    assert report.ok and any("numerically zero, but it receives gradient" in n for n in report.notes)


def test_small_but_normal_inits_are_not_near_zero():
    layer = nn.Linear(4096, 64)
    nn.init.normal_(layer.weight, std=1e-3)  # small, but a real init scale
    assert run(layer).ok


# -- deformable attention ------------------------------------------------------------------------

def test_deformable_detr_offsets_on_test_sized_images_are_not_dead():
    """At 64 px many sampling points fall outside the feature map and get no gradient: that is
    not a dead layer (no ReLU), and the offsets' zero init is deliberate."""
    backbone = transformers.ResNetConfig(depths=[1, 1, 1, 1], hidden_sizes=[16, 32, 64, 128], embedding_size=16,
                                         out_indices=[2, 3, 4])
    cfg = transformers.DeformableDetrConfig(backbone_config=backbone, d_model=32, encoder_layers=1, decoder_layers=1,
                                            encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                                            decoder_ffn_dim=32, num_queries=8, use_timm_backbone=False)
    torch.manual_seed(0)
    model = transformers.DeformableDetrModel(cfg)
    report = run(model)
    assert report.ok and any("sampling_offsets" in n for n in confirm_notes(report))
    report = run(model, {"pixel_values": torch.randn(2, 3, 64, 64)})
    assert report.ok, str(report)
    assert not any("INI004" in str(p) for p in report.problems)


# -- more names and shapes that say deliberate -------------------------------------------------

class Detector(nn.Module):
    """D-FINE's quality head: an MLP (a nested ModuleList) whose last layer starts at zero."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(8, 16)
        self.reg_conf = nn.Module()
        self.reg_conf.layers = nn.ModuleList([nn.Linear(16, 16), nn.Linear(16, 1)])
        nn.init.zeros_(self.reg_conf.layers[-1].weight)


def test_the_last_layer_of_a_nested_branch_is_a_note():
    model = Detector()
    report = run(model)
    assert report.ok and confirm_notes(report) == ["reg_conf.layers.1.weight"]
    assert "the last layer of `reg_conf.layers`" in report.notes[0]
    nn.init.zeros_(model.reg_conf.layers[0].weight)  # its first layer is a hidden layer
    assert codes(run(model)) == {"reg_conf.layers.0.weight": "INI001"}
    top = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))  # the model itself: not a branch
    nn.init.zeros_(top[2].weight)
    assert codes(run(top)) == {"2.weight": "INI001"}


def test_names_the_zoo_taught():
    class Projector(nn.Module):
        def __init__(self):
            super().__init__()
            self.mm_input_projection_weight = nn.Parameter(torch.zeros(16, 32))  # Gemma 3

    class MLSTMLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.igate_preact, self.ogate_preact = nn.Linear(32, 4), nn.Linear(32, 32)  # xLSTM
            nn.init.zeros_(self.igate_preact.weight)
            nn.init.zeros_(self.ogate_preact.weight)

    model = nn.Module()
    model.multi_modal_projector, model.mlstm_layer = Projector(), MLSTMLayer()
    report = run(model)
    assert report.ok and len(confirm_notes(report)) == 3, str(report)


def test_weight_norm_magnitudes_are_not_norm_layers():
    """γ = 0 on every norm counts norm layers, not weight_norm's per-unit lengths."""
    from torch.nn.utils import parametrizations

    model = nn.Sequential(parametrizations.weight_norm(nn.Conv1d(4, 8, 3)), nn.LayerNorm(6),
                          parametrizations.weight_norm(nn.Conv1d(8, 8, 3)), nn.LayerNorm(4))
    nn.init.zeros_(model[1].weight)
    nn.init.zeros_(model[3].weight)
    assert set(codes(run(model)).values()) == {"INI003"}


def test_a_named_zero_the_inputs_do_not_use_stays_a_note():
    """Gemma 3's image projector with text-only inputs: no gradient, so the probe says nothing;
    its name still says the zero is deliberate."""
    class Projector(nn.Module):
        def __init__(self):
            super().__init__()
            self.mm_input_projection_weight = nn.Parameter(torch.zeros(16, 32))

    class TextAndImage(nn.Module):
        def __init__(self):
            super().__init__()
            self.text = nn.Linear(8, 8)
            self.multi_modal_projector = Projector()

        def forward(self, x):
            return self.text(x)

    report = run(TextAndImage(), torch.randn(3, 8))
    assert report.ok, str(report)
    assert any("example_inputs that use it would confirm" in n for n in report.notes)
