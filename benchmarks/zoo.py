"""The model zoo: ``check_model_init`` on every library model that builds here from a small config.

Every transformers model type (one class per type, the task head when there is one), and the
diffusers, peft, keras-hub and ``keras.applications`` models that install beside torch, built
from small configs. Each model is checked

- healthy, without inputs and with dummy inputs (the probe): no problem may be reported;
- untouched: its state (state dict, buffers, every module attribute, grads, ``requires_grad``,
  training flags, RNG) is bit-identical after each check;
- with injected bugs: a zero hidden layer, every layer constant, duplicate rows, a NaN, γ = 0 on
  every norm, every MoE expert zero; the right code must be reported on the injected tensors.

The probe's cost is measured against one forward+backward of the same model in the same process.

    python benchmarks/zoo.py                       # the whole zoo (nice it: many minutes on 2 cores)
    python benchmarks/zoo.py --source transformers --only llama,mixtral,rwkv
    python benchmarks/zoo.py --jobs 2 --json zoo.jsonl

``tests/runtime/test_zoo.py`` runs a representative handful by default and the whole zoo when
slow tests are selected (``pytest -m slow tests/runtime/test_zoo.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="initlint-zoo-keras-"))
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keras-hub imports TensorFlow

try:
    import initlint  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402

from initlint import ProbeError, check_model_init  # noqa: E402

SEED = 0
MAX_PARAMS = 60_000_000  # a model built with its default widths must stay below this
KINDS = ("zero_hidden", "every_constant", "duplicate_rows", "nan", "zero_gamma", "zero_experts")


# ----------------------------------------------------------------------------------------------
# The corpus
# ----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class ZooModel:
    """One buildable model: ``build()`` returns it, ``inputs(model)`` example inputs (or None)."""

    source: str
    name: str
    build: Callable[[], Any]
    inputs: Optional[Callable[[Any], Any]] = None
    framework: str = "torch"
    #: the model as its library's default config builds it, when that differs from ``build`` in a
    #: way the check must report (transformers' SAM/BLIP vision towers: initializer_range 1e-10)
    library_default: Optional[Callable[[], Any]] = None


# -- transformers: every model type, from a shrunk default config ------------------------------

#: preferred mappings, most informative first (a head is checked too)
_TASK_MAPPINGS = (
    "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
    "MODEL_FOR_MASKED_LM_MAPPING_NAMES",
    "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES",
    "MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES",
    "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES",
    "MODEL_FOR_CTC_MAPPING_NAMES",
    "MODEL_FOR_MAPPING_NAMES",
    "MODEL_MAPPING_NAMES",
)

_WIDTH = 32
_HEADS = 2
_SMALL = {
    # widths
    "hidden_size": _WIDTH, "d_model": _WIDTH, "n_embd": _WIDTH, "embed_dim": _WIDTH, "n_embed": _WIDTH,
    "d_embed": _WIDTH, "model_dim": _WIDTH, "embedding_size": _WIDTH, "projection_dim": _WIDTH,
    "text_embed_dim": _WIDTH, "vision_embed_dim": _WIDTH, "hidden_dim": _WIDTH, "dim": _WIDTH,
    "out_hidden_size": _WIDTH, "encoder_hidden_size": _WIDTH, "decoder_hidden_size": _WIDTH,
    "projection_size": _WIDTH, "word_embed_proj_dim": _WIDTH, "d_latent": _WIDTH,
    # feed-forward widths
    "intermediate_size": 2 * _WIDTH, "ffn_dim": 2 * _WIDTH, "n_inner": 2 * _WIDTH, "encoder_ffn_dim": 2 * _WIDTH,
    "decoder_ffn_dim": 2 * _WIDTH, "d_ff": 2 * _WIDTH, "mlp_dim": 2 * _WIDTH, "moe_intermediate_size": _WIDTH,
    "shared_expert_intermediate_size": _WIDTH, "decoder_intermediate_size": 2 * _WIDTH,
    "encoder_intermediate_size": 2 * _WIDTH, "intermediate_size_mlp": 2 * _WIDTH,
    # heads
    "num_attention_heads": _HEADS, "n_head": _HEADS, "num_heads": _HEADS, "encoder_attention_heads": _HEADS,
    "decoder_attention_heads": _HEADS, "n_heads": _HEADS, "num_key_value_heads": _HEADS, "head_dim": _WIDTH // _HEADS,
    "decoder_num_attention_heads": _HEADS, "encoder_num_attention_heads": _HEADS, "num_kv_heads": _HEADS,
    "kv_lora_rank": 16, "q_lora_rank": 16, "qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 16,
    # depth
    "num_hidden_layers": 2, "n_layer": 2, "num_layers": 2, "n_layers": 2, "encoder_layers": 2, "decoder_layers": 2,
    "num_encoder_layers": 2, "num_decoder_layers": 2, "depth": 2, "decoder_num_hidden_layers": 2,
    "encoder_num_hidden_layers": 2, "num_blocks": 2,
    # mixtures of experts
    "num_experts": 4, "num_local_experts": 4, "n_routed_experts": 4, "num_experts_per_tok": 2, "moe_topk": 2,
    "n_group": 1, "topk_group": 1, "n_shared_experts": 1,
    # vocabularies
    "vocab_size": 512,
}
_DEPTH_KEYS = frozenset(k for k, v in _SMALL.items() if "layer" in k or k == "depth" or "expert" in k
                        or k in ("vocab_size", "moe_topk", "n_group", "topk_group")) | {"depths"}
_LAYER_LISTS = ("layer_types", "mlp_layer_types", "layers_block_type", "block_types", "attn_layer_indices")


def _small_list(name: str, value: list) -> list:
    if not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return value
    if name in ("depths", "num_layers_per_block", "layers", "block_repeats", "num_blocks"):
        return [1] * len(value)
    if name in ("num_heads", "num_attention_heads", "heads"):
        return [min(v, _HEADS) for v in value]
    if name in ("hidden_sizes", "embed_dims", "dims", "channels", "widths", "embedding_sizes", "out_channels",
                "neck_hidden_sizes", "hidden_dims", "encoder_hidden_sizes", "decoder_hidden_sizes"):
        top = max(value)
        if top <= 64:
            return value
        return [max(8, 8 * round(v * 64 / top / 8)) for v in value]
    return value


#: settings that would download weights or need a library that does not install here (timm)
_OFFLINE = {"use_timm_backbone": False, "use_pretrained_backbone": False}
#: initializer_range below this is numerically zero (SAM and BLIP vision towers default to 1e-10):
#: the sweep checks such models with 0.02, and that their default is reported, separately
NEAR_ZERO_RANGE = 1e-6


def near_zero_ranges(config: Any, _depth: int = 0) -> list:
    """The (sub)configs whose ``initializer_range`` initialises numerically zero weights."""
    from transformers import PretrainedConfig

    out = []
    value = getattr(config, "initializer_range", None)
    if isinstance(value, float) and value < NEAR_ZERO_RANGE:
        out.append(config)
    if _depth < 3:
        for sub in vars(config).values():
            if isinstance(sub, PretrainedConfig):
                out += near_zero_ranges(sub, _depth + 1)
    return out


def shrink_config(config: Any, _depth: int = 0, widths: bool = True) -> Any:
    """A small version of a transformers config (widths, depth, heads, experts, vocabulary).

    ``widths=False`` keeps the widths (some models tie them to other settings) and shrinks only
    depth, experts and vocabulary."""
    from transformers import PretrainedConfig

    for key, value in _OFFLINE.items():
        if hasattr(config, key):
            setattr(config, key, value)
    backbone = getattr(config, "backbone_config", None)
    if type(backbone).__name__ == "TimmBackboneConfig":  # timm does not install here: a small ResNet
        from transformers import ResNetConfig

        indices = list(getattr(backbone, "out_indices", None) or [4])
        config.backbone_config = ResNetConfig(depths=[1, 1, 1, 1], hidden_sizes=[16, 32, 64, 128], embedding_size=16,
                                              out_indices=indices)
    for key, value in list(vars(config).items()):
        if not widths and key not in _DEPTH_KEYS:
            if isinstance(value, PretrainedConfig) and _depth < 3:
                shrink_config(value, _depth + 1, widths)
            continue
        if isinstance(value, PretrainedConfig) and _depth < 3:
            shrink_config(value, _depth + 1, widths)
        elif isinstance(value, dict) and _depth < 3 and key.endswith("_config"):
            for k, v in value.items():
                if k in _SMALL and isinstance(v, int) and not isinstance(v, bool) and v > _SMALL[k]:
                    value[k] = _SMALL[k]
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and key in _SMALL and value > _SMALL[key]:
            setattr(config, key, _SMALL[key])
        elif isinstance(value, (list, tuple)):
            setattr(config, key, type(value)(_small_list(key, list(value))))
    layers = getattr(config, "num_hidden_layers", None)
    for key in _LAYER_LISTS:
        value = getattr(config, key, None)
        if isinstance(value, (list, tuple)) and isinstance(layers, int) and len(value) > layers:
            setattr(config, key, value[:layers])
    vocab = getattr(config, "vocab_size", None)
    if isinstance(vocab, int):
        for key, value in list(vars(config).items()):
            token = key.endswith("_token_id") or key.endswith("_token_index")
            if token and isinstance(value, int) and value >= vocab:
                setattr(config, key, vocab - 1 - (hash(key) % 16))
    return config


def _transformers_class(model_type: str, config: Any) -> Optional[type]:
    """The model class for a type: a task head if there is one, else the base model, else the
    class named after the config (``CLIPTextConfig`` -> ``CLIPTextModel``, for sub-models)."""
    import transformers
    from transformers.models.auto import modeling_auto

    for mapping in _TASK_MAPPINGS:
        names = getattr(modeling_auto, mapping, {})
        cls_name = names.get(model_type)
        if isinstance(cls_name, (list, tuple)):
            cls_name = cls_name[0]
        if cls_name and hasattr(transformers, cls_name):
            return getattr(transformers, cls_name)
    guess = type(config).__name__.replace("Config", "Model")
    return getattr(transformers, guess, None)


def transformers_inputs(model: Any) -> Any:
    """Dummy inputs for a transformers model: its ``dummy_inputs``, adapted to its main input."""
    cfg = model.config
    main = getattr(model, "main_input_name", "input_ids")
    g = torch.Generator().manual_seed(SEED)
    if main == "pixel_values":
        vision = getattr(cfg, "vision_config", None) or cfg
        size = getattr(vision, "image_size", 32)
        size = size[0] if isinstance(size, (list, tuple)) else size
        size = int(size) if isinstance(size, int) and size > 0 else 32
        channels = int(getattr(vision, "num_channels", 3) or 3)
        inputs = {"pixel_values": torch.randn(2, channels, size, size, generator=g)}
    elif main == "input_values":
        inputs = {"input_values": torch.randn(2, 4000, generator=g)}
    elif main == "input_features":
        bins = int(getattr(cfg, "num_mel_bins", 80) or 80)
        inputs = {"input_features": torch.randn(2, bins, 100, generator=g)}
    else:
        inputs = dict(model.dummy_inputs)
    if getattr(cfg, "is_encoder_decoder", False) and "decoder_input_ids" not in inputs:
        inputs["decoder_input_ids"] = torch.tensor([[1, 2, 3], [3, 2, 1]])
    return inputs


def transformers_zoo(only: Optional[set] = None) -> Iterator[ZooModel]:
    import transformers
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    for model_type in sorted(CONFIG_MAPPING_NAMES):
        if only and model_type not in only:
            continue

        def build(model_type: str = model_type, library_default: bool = False) -> Any:
            cls = _transformers_class(model_type, transformers.AutoConfig.for_model(model_type))
            if cls is None:
                raise Skip("no model class for this config (a processor or tokenizer config)")

            def config(widths: bool = True) -> Any:
                cfg = shrink_config(transformers.AutoConfig.for_model(model_type), widths=widths)
                if not library_default:
                    for sub in near_zero_ranges(cfg):
                        sub.initializer_range = 0.02
                return cfg

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    return cls(config())
                except Exception as first:  # noqa: BLE001 - widths tied to other settings: keep them
                    cfg = config(widths=False)
                    try:
                        with torch.device("meta"):
                            size = sum(p.numel() for p in cls(cfg).parameters())
                    except Exception:  # noqa: BLE001
                        raise first from None
                    if size > MAX_PARAMS:
                        raise Skip(f"too large without shrinking its widths ({size / 1e6:.0f}M parameters); "
                                   f"shrunk: {_short(first)}") from None
                    return cls(cfg)

        try:
            near_zero = bool(near_zero_ranges(transformers.AutoConfig.for_model(model_type)))
        except Exception:  # noqa: BLE001 - a default config that does not validate (build() says why)
            near_zero = False
        yield ZooModel("transformers", model_type, build, transformers_inputs,
                       library_default=(lambda b=build: b(library_default=True)) if near_zero else None)


class Skip(Exception):
    """A model that cannot be built or run here, with the reason."""


def _randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(SEED))


_T = torch.tensor([10, 500])


# -- diffusers: small configs of the model families the pipelines use -------------------------

def _diffusers() -> Any:
    import diffusers

    return diffusers


_DOWN2, _UP2 = ("DownEncoderBlock2D",) * 2, ("UpDecoderBlock2D",) * 2
#: name -> (build, inputs)
DIFFUSERS = {
    "UNet2DModel": (lambda: _diffusers().UNet2DModel(
        sample_size=16, in_channels=3, out_channels=3, layers_per_block=1, block_out_channels=(16, 32),
        norm_num_groups=8, down_block_types=("DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D"), attention_head_dim=8),
        lambda m: (_randn(2, 3, 16, 16), _T)),
    "UNet2DConditionModel": (lambda: _diffusers().UNet2DConditionModel(
        sample_size=16, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(16, 32),
        norm_num_groups=8, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=16, attention_head_dim=8),
        lambda m: (_randn(2, 4, 16, 16), _T, _randn(2, 5, 16))),
    "AutoencoderKL": (lambda: _diffusers().AutoencoderKL(
        in_channels=3, out_channels=3, block_out_channels=(16, 32), norm_num_groups=8, down_block_types=_DOWN2,
        up_block_types=_UP2, latent_channels=4, layers_per_block=1),
        lambda m: _randn(2, 3, 16, 16)),
    "VQModel": (lambda: _diffusers().VQModel(
        in_channels=3, out_channels=3, block_out_channels=(16, 32), norm_num_groups=8, down_block_types=_DOWN2,
        up_block_types=_UP2, latent_channels=4, layers_per_block=1, num_vq_embeddings=32),
        lambda m: _randn(2, 3, 16, 16)),
    "AutoencoderTiny": (lambda: _diffusers().AutoencoderTiny(
        encoder_block_out_channels=(16, 16), decoder_block_out_channels=(16, 16), num_encoder_blocks=(1, 1),
        num_decoder_blocks=(1, 1), latent_channels=4),
        lambda m: _randn(2, 3, 16, 16)),
    "ControlNetModel": (lambda: _diffusers().ControlNetModel(
        in_channels=4, layers_per_block=1, block_out_channels=(16, 32), norm_num_groups=8,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), cross_attention_dim=16, attention_head_dim=8,
        conditioning_embedding_out_channels=(8, 16)),
        lambda m: {"sample": _randn(2, 4, 16, 16), "timestep": _T, "encoder_hidden_states": _randn(2, 5, 16),
                   "controlnet_cond": _randn(2, 3, 32, 32)}),
    "DiTTransformer2DModel": (lambda: _diffusers().DiTTransformer2DModel(
        num_attention_heads=2, attention_head_dim=8, in_channels=4, out_channels=8, num_layers=2, sample_size=8,
        patch_size=2, num_embeds_ada_norm=10),
        lambda m: {"hidden_states": _randn(2, 4, 8, 8), "timestep": _T % 10, "class_labels": torch.tensor([1, 3])}),
    "PixArtTransformer2DModel": (lambda: _diffusers().PixArtTransformer2DModel(
        num_attention_heads=2, attention_head_dim=8, in_channels=4, out_channels=8, num_layers=2, sample_size=8,
        patch_size=2, cross_attention_dim=16, caption_channels=16, norm_num_groups=8),
        lambda m: {"hidden_states": _randn(2, 4, 8, 8), "timestep": _T, "encoder_hidden_states": _randn(2, 5, 16),
                   "added_cond_kwargs": {"resolution": None, "aspect_ratio": None}}),
    "SD3Transformer2DModel": (lambda: _diffusers().SD3Transformer2DModel(
        sample_size=8, patch_size=2, in_channels=4, num_layers=2, attention_head_dim=8, num_attention_heads=2,
        joint_attention_dim=16, caption_projection_dim=16, pooled_projection_dim=16, out_channels=4),
        lambda m: {"hidden_states": _randn(2, 4, 8, 8), "timestep": _T, "encoder_hidden_states": _randn(2, 5, 16),
                   "pooled_projections": _randn(2, 16)}),
    "FluxTransformer2DModel": (lambda: _diffusers().FluxTransformer2DModel(
        patch_size=1, in_channels=4, num_layers=1, num_single_layers=1, attention_head_dim=8, num_attention_heads=2,
        joint_attention_dim=16, pooled_projection_dim=16, axes_dims_rope=(2, 2, 4)),
        lambda m: {"hidden_states": _randn(2, 16, 4), "timestep": _T / 1000, "encoder_hidden_states": _randn(2, 5, 16),
                   "pooled_projections": _randn(2, 16), "img_ids": torch.zeros(16, 3), "txt_ids": torch.zeros(5, 3)}),
    "PriorTransformer": (lambda: _diffusers().PriorTransformer(
        num_attention_heads=2, attention_head_dim=8, num_layers=2, embedding_dim=16, num_embeddings=4,
        additional_embeddings=4),
        lambda m: {"hidden_states": _randn(2, 16), "timestep": _T, "proj_embedding": _randn(2, 16),
                   "encoder_hidden_states": _randn(2, 4, 16)}),
    "T2IAdapter": (lambda: _diffusers().T2IAdapter(
        in_channels=3, channels=(16, 32), num_res_blocks=1, downscale_factor=2, adapter_type="full_adapter"),
        lambda m: _randn(2, 3, 16, 16)),
    "SanaTransformer2DModel": (lambda: _diffusers().SanaTransformer2DModel(
        in_channels=4, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=1,
        num_cross_attention_heads=2, cross_attention_head_dim=8, cross_attention_dim=16, caption_channels=16,
        sample_size=8, patch_size=1),
        lambda m: {"hidden_states": _randn(2, 4, 8, 8), "timestep": _T, "encoder_hidden_states": _randn(2, 5, 16)}),
    "AuraFlowTransformer2DModel": (lambda: _diffusers().AuraFlowTransformer2DModel(
        sample_size=8, patch_size=2, in_channels=4, num_mmdit_layers=1, num_single_dit_layers=1,
        attention_head_dim=8, num_attention_heads=2, joint_attention_dim=16, caption_projection_dim=16,
        out_channels=4, pos_embed_max_size=64),
        lambda m: {"hidden_states": _randn(2, 4, 8, 8), "timestep": _T, "encoder_hidden_states": _randn(2, 5, 16)}),
}


def diffusers_zoo(only: Optional[set] = None) -> Iterator[ZooModel]:
    for name, (build, inputs) in DIFFUSERS.items():
        if not only or name in only:
            yield ZooModel("diffusers", name, build, inputs)


# -- peft: every tuner that applies to a small Llama --------------------------------------------

def _peft() -> Any:
    import peft

    return peft


_TM = ["q_proj", "v_proj"]
#: method -> its config (the base model is a small Llama)
PEFT = {
    "lora": lambda: _peft().LoraConfig(r=4, target_modules=_TM),
    "dora": lambda: _peft().LoraConfig(r=4, target_modules=_TM, use_dora=True),
    "rslora": lambda: _peft().LoraConfig(r=4, target_modules=_TM, use_rslora=True),
    "loha": lambda: _peft().LoHaConfig(r=4, target_modules=_TM),
    "lokr": lambda: _peft().LoKrConfig(r=4, target_modules=_TM),
    "oft": lambda: _peft().OFTConfig(r=0, oft_block_size=8, target_modules=_TM),
    "boft": lambda: _peft().BOFTConfig(boft_block_size=4, target_modules=_TM),
    "ia3": lambda: _peft().IA3Config(target_modules=[*_TM, "down_proj"], feedforward_modules=["down_proj"]),
    "adalora": lambda: _peft().AdaLoraConfig(r=4, target_modules=_TM, total_step=10),
    "vera": lambda: _peft().VeraConfig(r=4, target_modules=_TM),
    "fourierft": lambda: _peft().FourierFTConfig(n_frequency=16, target_modules=_TM),
    "hra": lambda: _peft().HRAConfig(r=4, target_modules=_TM),
    "ln_tuning": lambda: _peft().LNTuningConfig(target_modules=["input_layernorm"]),
    "prompt_tuning": lambda: _peft().PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4),
    "prefix_tuning": lambda: _peft().PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=4),
    "p_tuning": lambda: _peft().PromptEncoderConfig(task_type="CAUSAL_LM", num_virtual_tokens=4,
                                                    encoder_hidden_size=16),
    "vblora": lambda: _peft().VBLoRAConfig(r=4, target_modules=_TM, num_vectors=8, vector_length=8),
    "randlora": lambda: _peft().RandLoraConfig(r=4, target_modules=_TM),
    "c3a": lambda: _peft().C3AConfig(block_size=8, target_modules=_TM),
    "shira": lambda: _peft().ShiraConfig(r=4, target_modules=_TM),
    "miss": lambda: _peft().MissConfig(r=4, target_modules=_TM),
    "road": lambda: _peft().RoadConfig(variant="road_1", target_modules=_TM, group_size=8),
    "waveft": lambda: _peft().WaveFTConfig(n_frequency=16, target_modules=_TM),
    "delora": lambda: _peft().DeloraConfig(r=4, target_modules=_TM),
    "trainable_tokens": lambda: _peft().TrainableTokensConfig(token_indices=[1, 2]),
}


def _peft_base() -> Any:
    import transformers

    return transformers.LlamaForCausalLM(transformers.LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2))


def peft_zoo(only: Optional[set] = None) -> Iterator[ZooModel]:
    import peft

    ids = torch.randint(0, 64, (2, 6), generator=torch.Generator().manual_seed(SEED))
    for name, config in PEFT.items():
        if not only or name in only:
            yield ZooModel("peft", name, lambda c=config: peft.get_peft_model(_peft_base(), c()),
                           lambda m: {"input_ids": ids})


# -- Keras: keras.applications and keras-hub backbones (torch backend) -------------------------

_APPLICATIONS = {  # name -> smallest input side it accepts
    "ResNet50": 32, "ResNet50V2": 32, "MobileNet": 32, "MobileNetV2": 32, "MobileNetV3Small": 32,
    "EfficientNetB0": 32, "EfficientNetV2B0": 32, "ConvNeXtTiny": 32, "DenseNet121": 32, "VGG16": 32,
    "Xception": 71, "InceptionV3": 75, "InceptionResNetV2": 75, "NASNetMobile": 32,
}


def keras_applications_zoo(only: Optional[set] = None) -> Iterator[ZooModel]:
    import keras

    for name, side in _APPLICATIONS.items():
        if only and name not in only:
            continue

        def build(name: str = name, side: int = side) -> Any:
            return getattr(keras.applications, name)(weights=None, input_shape=(side, side, 3), classes=10)

        yield ZooModel("keras", name, build, lambda m, s=side: _randn(2, s, s, 3), framework="keras")


_KERAS_HUB_SMALL = dict(
    vocabulary_size=64, vocab_size=64, num_layers=2, num_heads=2, num_query_heads=2, num_key_value_heads=2,
    num_attention_heads=2, hidden_dim=32, hidden_size=32, intermediate_dim=64, head_dim=16, head_size=16,
    max_sequence_length=16, embedding_dim=32, num_experts=4, top_k=2, num_experts_per_tok=2, moe_intermediate_dim=32,
    shared_expert_intermediate_dim=32, num_groups=1, num_inner_repetitions=1, mlp_dim=64, key_value_dim=16,
    num_segments=2)
_KERAS_HUB = ("BertBackbone", "GPT2Backbone", "LlamaBackbone", "MistralBackbone", "GemmaBackbone", "QwenBackbone",
              "Qwen2Backbone", "Qwen3Backbone", "MixtralBackbone", "Qwen3MoeBackbone", "QwenMoeBackbone",
              "RobertaBackbone", "DistilBertBackbone", "AlbertBackbone", "ElectraBackbone", "DebertaV3Backbone",
              "FNetBackbone", "OPTBackbone", "BloomBackbone", "FalconBackbone", "GPTNeoXBackbone", "Phi3Backbone",
              "T5Backbone", "XLMRobertaBackbone", "GptOssBackbone", "ESM2Backbone")


def _keras_hub_inputs(model: Any) -> dict:
    out = {}
    gen = torch.Generator().manual_seed(SEED)
    for t in model.inputs:
        shape = [2 if d is None and i == 0 else (8 if d is None else int(d)) for i, d in enumerate(t.shape)]
        if "mask" in t.name:
            out[t.name] = torch.ones(*shape, dtype=torch.int32)
        elif "segment" in t.name:
            out[t.name] = torch.zeros(*shape, dtype=torch.int32)
        elif "ids" in t.name:
            out[t.name] = torch.randint(0, 60, shape, generator=gen, dtype=torch.int32)
        else:
            out[t.name] = torch.randn(*shape, generator=gen)
    return out


def keras_hub_zoo(only: Optional[set] = None) -> Iterator[ZooModel]:
    import inspect

    import keras_hub

    for name in _KERAS_HUB:
        if only and name not in only:
            continue

        def build(name: str = name) -> Any:
            cls = getattr(keras_hub.models, name)
            params = inspect.signature(cls.__init__).parameters
            missing = [p for p, v in params.items() if v.default is inspect.Parameter.empty
                       and v.kind is v.POSITIONAL_OR_KEYWORD and p != "self" and p not in _KERAS_HUB_SMALL]
            if missing:
                raise Skip(f"needs settings this sweep does not give ({', '.join(missing[:3])})")
            return cls(**{k: v for k, v in _KERAS_HUB_SMALL.items() if k in params})

        yield ZooModel("keras-hub", name, build, _keras_hub_inputs, framework="keras")


# ----------------------------------------------------------------------------------------------
# Running one model
# ----------------------------------------------------------------------------------------------


def deep_state(model: Any) -> dict:
    """Everything the checker promises not to touch, in comparable form (tensors as bytes)."""
    import torch

    def raw(t: torch.Tensor) -> bytes:
        if t.is_meta or not t.numel() or t.is_quantized:
            return b""
        t = t.detach().cpu().contiguous().reshape(-1)
        return t.view(torch.uint8).numpy().tobytes() if t.dtype != torch.bool else t.numpy().tobytes()

    def tensor(t: torch.Tensor) -> tuple:
        return (str(t.dtype), tuple(t.shape), t.requires_grad, t._version, id(t), raw(t),
                None if t.grad is None else (id(t.grad), raw(t.grad)))

    def value(v: Any, depth: int = 0) -> Any:
        if isinstance(v, torch.Tensor):
            return tensor(v)
        if isinstance(v, (int, float, str, bool, type(None), bytes)):
            return v
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [value(x, depth + 1) for x in v]) if depth < 6 else id(v)
        if isinstance(v, dict):
            return (type(v).__name__, {repr(k): value(x, depth + 1) for k, x in v.items()}) if depth < 6 else id(v)
        if isinstance(v, set):
            return ("set", sorted(repr(x) for x in v))
        if isinstance(v, torch.nn.Module):
            return ("module", id(v))
        return ("object", id(v))

    state: dict = {}
    for name, m in model.named_modules(remove_duplicate=False):
        state[name] = {k: value(v) for k, v in vars(m).items()}
    state["<rng>"] = {"cpu": torch.get_rng_state().numpy().tobytes()}
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Layer):
        state["<keras variables>"] = {v.path: raw(v.value) for v in model.weights}
    return state


def diff_state(before: dict, after: dict) -> list:
    """What differs between two ``deep_state`` snapshots: ``module.attribute`` names, "<rng>"."""
    out = []
    for mod in sorted(set(before) | set(after)):
        a, b = before.get(mod), after.get(mod)
        if a == b:
            continue
        if not isinstance(a, dict) or not isinstance(b, dict):
            out.append(f"{mod}: module appeared/disappeared")
            continue
        for k in sorted(set(a) | set(b)):
            if a.get(k, "<missing>") != b.get(k, "<missing>"):
                out.append(f"{mod}.{k}")
    return out


# ----------------------------------------------------------------------------------------------
# Injected bugs (torch models)
# ----------------------------------------------------------------------------------------------

#: names of hidden (not output) layers of an MLP branch, innermost module name
_HIDDEN_NAMES = ("fc1", "up_proj", "c_fc", "wi", "wi_0", "w1", "lin1", "dense_h_to_4h", "fc_in", "linear1",
                 "intermediate_dense", "ff1", "mlp_fc1", "in_proj", "gate_proj", "w_in")


def _weight_layers(model: Any) -> list:
    """(name, parameter, unit axis) of every trainable Linear/Conv/GPT-2 Conv1D weight."""
    from torch import nn

    out = []
    for mname, m in model.named_modules():
        w = getattr(m, "weight", None)
        if not isinstance(w, nn.Parameter) or not w.requires_grad or w.ndim < 2:
            continue
        if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)) and not isinstance(m, nn.modules.conv._ConvTransposeNd):
            if isinstance(m, nn.modules.conv._ConvNd) and m.groups > 1:
                continue
            out.append((f"{mname}.weight" if mname else "weight", w, 0))
        elif type(m).__name__ == "Conv1D":
            out.append((f"{mname}.weight", w, 1))
    return out


def hidden_layer(model: Any) -> Optional[tuple]:
    """A hidden layer to break: an MLP's first layer, else the first layer with >= 4 units whose
    name does not say that a zero there is deliberate (LoRA's matrices, adapters, heads)."""
    from initlint.runtime.vocabulary import intent_reason

    layers = [x for x in _weight_layers(model) if x[1].shape[x[2]] >= 4 and x[1].numel() // x[1].shape[x[2]] >= 2
              and intent_reason(x[0]) is None]
    for name, w, ax in layers:
        inner = name.rsplit(".", 2)[-2] if "." in name else ""
        if inner in _HIDDEN_NAMES or name.endswith("intermediate.dense.weight"):
            return name, w, ax
    return layers[0] if layers else None


def norm_scales(model: Any) -> list:
    """(module, γ) of every norm layer with a learnable scale."""
    from torch import nn

    out = []
    for m in model.modules():
        w = getattr(m, "weight", None)
        if isinstance(m, (nn.Embedding, nn.Linear, nn.modules.conv._ConvNd)):  # (NormedEmbedding...)
            continue
        if isinstance(w, nn.Parameter) and w.requires_grad and "norm" in type(m).__name__.lower() and w.ndim >= 1:
            out.append((m, w))
    return out


def _zeroes_output(module: Any, weight: Any) -> bool:
    """Whether this norm module outputs zeros (on a random input) with its current γ."""
    c = weight.shape[0]
    for shape in ((2, 3, c), (2, c, 3, 3), (2, c, 3)):
        try:
            with torch.no_grad():
                out = module(torch.randn(*shape))
            out = out[0] if isinstance(out, tuple) else out
            return bool((out == 0).all())
        except Exception:
            continue
    return False


def expert_tensors(model: Any) -> list:
    """(name, parameter) of every MoE expert tensor (3-D expert stacks or experts.N.* Linear weights)."""
    out = []
    for name, p in model.named_parameters():
        parts = name.split(".")
        if "experts" in parts and p.ndim >= 2 and p.requires_grad:
            out.append((name, p))
    return out


def inject(kind: str, model: Any) -> Optional[list]:
    """Break ``model`` in place; the names of the broken tensors, or None if the kind does not apply."""
    with torch.no_grad():
        if kind in ("zero_hidden", "duplicate_rows", "nan"):
            found = hidden_layer(model)
            if found is None:
                return None
            name, w, ax = found
            if kind == "zero_hidden":
                w.zero_()
            elif kind == "nan":
                w.view(-1)[w.numel() // 2] = float("nan")
            else:
                v = w.movedim(ax, 0)
                v[1:4] = v[0:1].clone()
            return [name]
        if kind == "every_constant":
            names = [n for n, w, _ in _weight_layers(model)]
            for _, w, _ in _weight_layers(model):
                w.fill_(0.05)  # noqa: INI002  (the injected bug)
            return names or None
        if kind == "zero_gamma":
            scales = norm_scales(model)
            if len(scales) < 2:
                return None
            for m, w in scales:
                w.zero_()
                if not _zeroes_output(m, w):
                    w.fill_(-1.0)  # a (1 + γ) norm: γ = -1 is its zero scale
                    if not _zeroes_output(m, w):
                        w.zero_()
            ids = {id(w) for _, w in scales}
            return [n for n, p in model.named_parameters() if id(p) in ids]
        if kind == "zero_experts":
            experts = expert_tensors(model)
            if not experts:
                return None
            for _, p in experts:
                p.zero_()
            return [n for n, _ in experts]
    raise ValueError(kind)


def _keras_layers(model: Any) -> list:
    return [x for x in model._flatten_layers(include_self=False, recursive=True)]


def inject_keras(kind: str, model: Any) -> Optional[list]:
    """``inject`` for a Keras model: kernels of Dense/Conv layers (units on the last axis), norm γ."""
    import keras
    import numpy as np

    from initlint.runtime.vocabulary import intent_reason

    layers = _keras_layers(model)
    kernels = [x.kernel for x in layers if isinstance(x, (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv1D))
               and not isinstance(x, keras.layers.DepthwiseConv2D) and getattr(x, "groups", 1) == 1
               and len(x.kernel.shape) >= 2 and x.kernel.shape[-1] >= 4 and x.kernel.trainable]
    if kind in ("zero_hidden", "duplicate_rows", "nan"):
        hidden = [k for k in kernels if intent_reason(k.path.replace("/", ".")) is None]
        if not hidden:
            return None
        k = hidden[0]
        value = keras.ops.convert_to_numpy(k.value).copy()
        if kind == "zero_hidden":
            value[...] = 0
        elif kind == "nan":
            value.reshape(-1)[value.size // 2] = np.nan
        else:
            value[..., 1:4] = value[..., 0:1]
        k.assign(value)
        return [k.path]
    if kind == "every_constant":
        for k in kernels:
            k.assign(np.full(tuple(k.shape), 0.05, dtype="float32"))
        return [k.path for k in kernels] or None
    if kind == "zero_gamma":
        norms = [(x, getattr(x, "gamma", None) or getattr(x, "scale", None)) for x in layers
                 if "normalization" in type(x).__name__.lower()]
        norms = [(x, g) for x, g in norms if g is not None and g.trainable]
        if len(norms) < 2:
            return None
        for layer, g in norms:
            for value in (0.0, -1.0):  # -1: the zero scale of a (1 + γ) norm
                g.assign(np.full(tuple(g.shape), value, dtype="float32"))
                x = _randn(2, 3, int(g.shape[-1]))
                if bool((keras.ops.convert_to_numpy(layer(x)) == keras.ops.convert_to_numpy(layer(x * 2))).all()):
                    break
        return [g.path for _, g in norms]
    return None


#: kinds found when any of the injected tensors is reported (zeroing every expert zeroes their
#: down projections too, which alone would be the zero-last-layer idiom)
ANY_OF = frozenset({"zero_experts"})
#: what counts as finding each injected bug: without inputs, and with the probe
EXPECTED = {
    "zero_hidden": ({"INI001"}, {"INI001", "INI004", "trains"}),
    "every_constant": ({"INI002", "INI005", "INI004"}, {"INI002", "INI005", "INI004"}),
    "duplicate_rows": ({"INI005"}, {"INI005", "apart"}),
    "nan": ({"INI006"}, {"INI006"}),  # (INI007 when it folds the NaN into "uninitialised memory": a miss)
    "zero_gamma": ({"INI003"}, {"INI003", "INI004"}),
    "zero_experts": ({"INI001"}, {"INI001", "INI004", "INI005"}),
}


# ----------------------------------------------------------------------------------------------
# Running one model
# ----------------------------------------------------------------------------------------------


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}"


def _call(model: Any, inputs: Any) -> Any:
    if isinstance(inputs, dict):
        return model(**inputs)
    if isinstance(inputs, tuple):
        return model(*inputs)
    return model(inputs)


def forward_backward(model: Any, inputs: Any) -> float:
    """Seconds for one forward+backward of ``model`` in the probe's modes (median of 3)."""
    from initlint.runtime.probe import floating_leaves

    times = []
    for _ in range(4):
        model.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        out = _call(model, inputs)
        leaves = [leaf for leaf in floating_leaves(out) if leaf.requires_grad]
        if not leaves:
            raise Skip("the output has no differentiable floating-point tensor")
        sum(leaf.float().sum() for leaf in leaves).backward()
        times.append(time.perf_counter() - t0)
    return sorted(times[1:])[1]


def _codes_on(report: Any, names: list) -> dict:
    """{name: code or note word} for each injected tensor (a problem, an allowed problem, or a note)."""
    out = {}
    wanted = set(names)
    for p in list(report.problems) + list(report.allowed):
        for n in (p.name, *p.aliases):
            if n in wanted:
                out[n] = p.code
        if p.code == "INI007":  # one problem for the whole model: the tensors it names
            out.update({n: "INI007" for n in wanted if n in p.message and n not in out})
    for n in wanted - set(out):
        for note in report.notes:
            if note.startswith(n + ":"):
                if "pass example_inputs=" in note:
                    out[n] = "named"
                elif "trains" in note:
                    out[n] = "trains"
                elif "come apart" in note:
                    out[n] = "apart"
    return out


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise TimeoutError(f"over {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_one(zm: ZooModel, kinds: tuple = KINDS, probe: bool = True, cost: bool = True,
            probe_kinds: tuple = KINDS) -> dict:
    """Check one zoo model healthy and broken; a JSON-able record.

    ``kinds``: the bugs to inject (each checked without inputs); ``probe_kinds``: those also
    checked with the probe; ``cost``: time the checks (median of 3) against a forward+backward."""
    rec: dict = {"source": zm.source, "name": zm.name}
    torch.manual_seed(SEED)
    if zm.framework == "keras":
        import keras

        keras.utils.set_random_seed(SEED)
    try:
        with time_limit(120):
            model = zm.build()
    except Skip as exc:
        rec["skip"] = f"build: {exc}"
        return rec
    except Exception as exc:  # noqa: BLE001 - a library model that does not build here
        rec["skip"] = f"build: {_short(exc)}"
        return rec
    rec["params"] = int(sum(p.numel() for p in model.parameters()) if zm.framework == "torch" else model.count_params())
    inputs = None
    if probe and zm.inputs is not None:
        try:
            with time_limit(120):
                inputs = zm.inputs(model)
                if zm.framework == "torch" and cost:
                    twin = copy.deepcopy(model).train()
                    rec["fb"] = forward_backward(twin, inputs)
                    del twin
                else:  # inputs that fit: a plain forward works (on a copy: forwards may write)
                    _call(copy.deepcopy(model) if zm.framework == "torch" else model, inputs)
        except Exception as exc:  # noqa: BLE001
            rec["no_inputs"] = _short(exc)
            inputs = None

    def check(m: Any, with_inputs: bool) -> Any:
        return check_model_init(m, example_inputs=inputs if with_inputs else None, raise_on_problem=False)

    modes = [False] + ([True] if inputs is not None else [])
    for with_inputs in modes:
        key = "probe" if with_inputs else "plain"
        before = deep_state(model)
        try:
            with time_limit(300):
                times = []
                for _ in range(3 if cost else 1):  # median of 3: the machine is shared
                    t0 = time.perf_counter()
                    report = check(model, with_inputs)
                    times.append(time.perf_counter() - t0)
                elapsed = sorted(times)[len(times) // 2]
        except ProbeError as exc:
            rec[f"{key}_error"] = _short(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a crash of the checker is a finding of the zoo
            rec[f"{key}_crash"] = _short(exc) + " | " + traceback.format_exc(limit=-3).replace("\n", " ")[-400:]
            continue
        finally:
            if before is not None:
                changed = diff_state(before, deep_state(model))
                if changed:
                    rec[f"{key}_changed"] = changed[:10]
        rec[f"{key}_checked"] = report.checked
        rec[f"{key}_problems"] = [f"{p.code} {p.name}: {p.message[:120]}" for p in report.problems]
        rec[f"{key}_seconds"] = elapsed
        if with_inputs and report.probe_steps is None:
            rec["probe_skipped"] = [n for n in report.notes if "probe" in n][:2]
    if zm.library_default is not None:
        torch.manual_seed(SEED)
        try:
            default = zm.library_default()
            report = check_model_init(default, raise_on_problem=False)
            rec["library_default_flagged"] = sum("numerically zero" in p.message for p in report.problems)
            del default
        except Exception as exc:  # noqa: BLE001
            rec["library_default_error"] = _short(exc)
    rec["injected"] = {}
    for kind in kinds:
        torch.manual_seed(SEED)
        try:
            if zm.framework == "torch":
                broken = copy.deepcopy(model)
                names = inject(kind, broken)
            else:  # Keras models do not deep-copy: build another one (same seed, same weights)
                import keras

                keras.utils.set_random_seed(SEED)
                broken = zm.build()
                names = inject_keras(kind, broken)
        except Exception as exc:  # noqa: BLE001
            rec["injected"][kind] = {"error": _short(exc)}
            continue
        if names is None:
            continue
        entry: dict = {"tensors": len(names)}
        for with_inputs in modes if kind in probe_kinds else [False]:
            key = "probe" if with_inputs else "plain"
            try:
                with time_limit(180):
                    report = check(broken, with_inputs)
            except ProbeError as exc:
                entry[f"{key}_error"] = _short(exc)
                continue
            except Exception as exc:  # noqa: BLE001
                entry[f"{key}_crash"] = _short(exc)
                continue
            found = _codes_on(report, names)
            want = EXPECTED[kind][1 if with_inputs else 0]
            hits = sum(1 for n in names if found.get(n) in want)
            entry[key] = hits if kind not in ANY_OF else (len(names) if hits else 0)
            entry[f"{key}_codes"] = dict(Counter(found.get(n, "-") for n in names))
        rec["injected"][kind] = entry
        del broken
    del model
    gc.collect()
    return rec


# ----------------------------------------------------------------------------------------------
# The sweep and its table
# ----------------------------------------------------------------------------------------------

SOURCES: dict = {
    "transformers": transformers_zoo,
    "diffusers": diffusers_zoo,
    "peft": peft_zoo,
    "keras": keras_applications_zoo,
    "keras-hub": keras_hub_zoo,
}


def model_names(source: str) -> list:
    """The names of a source's models, without building anything (cheap enough for test collection)."""
    if source == "transformers":
        from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

        return sorted(CONFIG_MAPPING_NAMES)
    if source == "diffusers":
        return list(DIFFUSERS)
    if source == "peft":
        return list(PEFT)
    if source == "keras":
        return list(_APPLICATIONS)
    return list(_KERAS_HUB)


def zoo_model(source: str, name: str) -> ZooModel:
    return next(SOURCES[source]({name}))


def zoo(sources: Optional[list] = None, only: Optional[set] = None) -> Iterator[ZooModel]:
    for source in sources or list(SOURCES):
        try:
            yield from SOURCES[source](only)
        except ImportError as exc:
            print(f"{source}: not installed ({exc})", file=sys.stderr)


def _reason_key(text: str) -> str:
    """A skip reason, shortened to its kind (the exception type and the start of its message)."""
    stage, _, rest = text.partition(": ")
    exc, _, msg = rest.partition(": ")
    words = " ".join(msg.split()[:6])
    return f"{stage}: {exc}: {words}" if msg else f"{stage}: {exc}"


def _percentile(values: list, q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def table(records: list) -> str:
    lines = []
    by_source = defaultdict(list)
    for r in records:
        by_source[r["source"]].append(r)
    head = (f"{'source':<13} {'tried':>5} {'built':>5} {'plain':>5} {'probe':>5} {'prob.plain':>10} {'prob.probe':>10} "
            f"{'probe err':>9} {'changed':>7}")
    lines += [head, "-" * len(head)]
    totals = Counter()
    for source, recs in sorted(by_source.items()):
        row = Counter()
        for r in recs:
            row["tried"] += 1
            if "skip" in r:
                continue
            row["built"] += 1
            row["plain"] += "plain_checked" in r
            row["probe"] += "probe_checked" in r
            row["prob.plain"] += bool(r.get("plain_problems"))
            row["prob.probe"] += bool(r.get("probe_problems"))
            row["probe err"] += "probe_error" in r or "probe_crash" in r or "plain_crash" in r
            row["changed"] += any(k.endswith("_changed") for k in r)
        totals.update(row)
        lines.append(f"{source:<13} " + " ".join(f"{row[k]:>{w}}" for k, w in
                     (("tried", 5), ("built", 5), ("plain", 5), ("probe", 5), ("prob.plain", 10), ("prob.probe", 10),
                      ("probe err", 9), ("changed", 7))))
    lines.append(f"{'total':<13} " + " ".join(f"{totals[k]:>{w}}" for k, w in
                 (("tried", 5), ("built", 5), ("plain", 5), ("probe", 5), ("prob.plain", 10), ("prob.probe", 10),
                  ("probe err", 9), ("changed", 7))))
    defaults = [r for r in records if "library_default_flagged" in r]
    if defaults:
        flagged = sum(1 for r in defaults if r["library_default_flagged"])
        lines += ["", f"library default configs that initialise numerically zero weights (initializer_range 1e-10; the "
                  f"sweep above uses 0.02): {len(defaults)} models, reported as INI001 'numerically zero': {flagged}"]
    lines += ["", "skipped, by reason (count, example):"]
    reasons = defaultdict(list)
    for r in records:
        if "skip" in r:
            reasons[_reason_key(r["skip"])].append(r["name"])
        elif "no_inputs" in r:
            reasons[_reason_key("inputs: " + r["no_inputs"])].append(r["name"])
    for key, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {len(names):4}  {key[:110]}  (e.g. {names[0]})")
    lines += ["", "injected bugs: models where the bug is found (every injected tensor; any for zero_experts),",
              "and what was said of the injected tensors (codes; 'trains'/'apart': the probe's verdict in a note)"]
    for kind in KINDS:
        row = []
        for mode in ("plain", "probe"):
            n = hit = 0
            said: Counter = Counter()
            for r in records:
                e = r.get("injected", {}).get(kind)
                if not e or mode not in e:
                    continue
                n += 1
                hit += e[mode] == e["tensors"]
                said.update(e.get(f"{mode}_codes", {}))
            what = ", ".join(f"{c} {k}" for c, k in sorted(said.items(), key=lambda kv: -kv[1]))
            row.append(f"{hit:4}/{n:<4} ({what})")
        lines.append(f"  {kind:<15} without inputs {row[0]}")
        lines.append(f"  {'':<15} with the probe {row[1]}")
    timed = [r for r in records if r.get("fb") and "probe_seconds" in r and "plain_seconds" in r]
    for label, ratio in (("probe (check with inputs - check without) / one forward+backward",
                          lambda r: (r["probe_seconds"] - r["plain_seconds"]) / r["fb"]),
                         ("whole check with inputs / one forward+backward", lambda r: r["probe_seconds"] / r["fb"])):
        ratios = [ratio(r) for r in timed]
        if ratios:
            lines += [f"{label}, {len(ratios)} models: median {_percentile(ratios, 0.5):.2f}x, "
                      f"p90 {_percentile(ratios, 0.9):.2f}x, max {max(ratios):.2f}x"]
    if timed:
        lines.insert(len(lines) - 2, "")
    return "\n".join(lines)


def failures(records: list) -> list:
    """One line per healthy model with a problem, a checker crash, a probe error or a changed model."""
    out = []
    for r in records:
        for key in ("plain_problems", "probe_problems"):
            for p in r.get(key, []):
                out.append(f"{r['source']}/{r['name']} {key.split('_')[0]}: {p}")
        for key in ("plain_crash", "probe_crash", "probe_error", "plain_changed", "probe_changed"):
            if key in r:
                out.append(f"{r['source']}/{r['name']} {key}: {r[key]}")
        for kind, e in r.get("injected", {}).items():
            for mode in ("plain", "probe"):
                if mode in e and e[mode] != e["tensors"]:
                    out.append(f"{r['source']}/{r['name']} missed {kind} ({mode}): {e.get(mode + '_codes')}")
    return out


def _worker(args: argparse.Namespace) -> None:
    os.nice(10)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    shard, count = (int(x) for x in args.shard.split("/"))
    only = set(args.only.split(",")) if args.only else None
    with open(args.out, "a") as fh:
        for i, zm in enumerate(zoo(args.source, only)):
            if i % count != shard:
                continue
            rec = run_one(zm, probe=not args.no_probe, cost=not args.no_cost)
            fh.write(json.dumps(rec) + "\n")
            fh.flush()


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", action="append", choices=sorted(SOURCES), help="only these sources (repeatable)")
    ap.add_argument("--only", help="comma-separated model names (transformers model types, class names)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (each single-threaded, nice'd)")
    ap.add_argument("--json", help="write one JSON record per model to this file")
    ap.add_argument("--no-probe", action="store_true", help="only the checks without inputs")
    ap.add_argument("--no-cost", action="store_true", help="no timing (one check each instead of a median of 3)")
    ap.add_argument("--failures", action="store_true", help="list every failure after the table")
    ap.add_argument("--shard", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.shard:
        _worker(args)
        return 0
    out = args.json or tempfile.mktemp(suffix=".jsonl", prefix="zoo-")
    Path(out).write_text("")
    cmd = [sys.executable, __file__, "--out", out]
    for s in args.source or []:
        cmd += ["--source", s]
    if args.only:
        cmd += ["--only", args.only]
    if args.no_probe:
        cmd.append("--no-probe")
    if args.no_cost:
        cmd.append("--no-cost")
    t0 = time.time()
    procs = [subprocess.Popen(cmd + ["--shard", f"{i}/{args.jobs}"]) for i in range(args.jobs)]
    for p in procs:
        p.wait()
    records = [json.loads(line) for line in Path(out).read_text().splitlines() if line.strip()]
    print(table(records))
    print(f"\n{len(records)} models in {time.time() - t0:.0f} s; records in {out}")
    if args.failures:
        print("\n".join(["", "failures:", *failures(records)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
