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
import math
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
    "encoder_num_hidden_layers": 2,
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
            if (key.endswith("_token_id") or key.endswith("_token_index")) and isinstance(value, int) and value >= vocab:
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

        def build(model_type: str = model_type) -> Any:
            cls = _transformers_class(model_type, transformers.AutoConfig.for_model(model_type))
            if cls is None:
                raise Skip("no model class for this config (a processor or tokenizer config)")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    return cls(shrink_config(transformers.AutoConfig.for_model(model_type)))
                except Exception as first:  # noqa: BLE001 - widths tied to other settings: keep them
                    config = shrink_config(transformers.AutoConfig.for_model(model_type), widths=False)
                    try:
                        with torch.device("meta"):
                            size = sum(p.numel() for p in cls(config).parameters())
                    except Exception:  # noqa: BLE001
                        raise first from None
                    if size > MAX_PARAMS:
                        raise Skip(f"too large without shrinking its widths ({size / 1e6:.0f}M parameters); "
                                   f"shrunk: {_short(first)}") from None
                    return cls(config)

        yield ZooModel("transformers", model_type, build, transformers_inputs)


class Skip(Exception):
    """A model that cannot be built or run here, with the reason."""


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

    seen: set = set()

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
    """A hidden layer to break: an MLP's first layer, else the first layer with >= 4 units."""
    layers = [x for x in _weight_layers(model) if x[1].shape[x[2]] >= 4 and x[1].numel() // x[1].shape[x[2]] >= 2]
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
                w.fill_(0.05)
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


#: kinds found when any of the injected tensors is reported (zeroing every expert zeroes their
#: down projections too, which alone would be the zero-last-layer idiom)
ANY_OF = frozenset({"zero_experts"})
#: what counts as finding each injected bug: without inputs, and with the probe
EXPECTED = {
    "zero_hidden": ({"INI001"}, {"INI001", "INI004", "trains"}),
    "every_constant": ({"INI002", "INI005", "INI004"}, {"INI002", "INI005", "INI004"}),
    "duplicate_rows": ({"INI005"}, {"INI005", "apart"}),
    "nan": ({"INI006"}, {"INI006"}),
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
    for n in wanted - set(out):
        for note in report.notes:
            if n in note:
                if "trains" in note:
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


def run_one(zm: ZooModel, kinds: tuple = KINDS, probe: bool = True, cost: bool = True) -> dict:
    """Check one zoo model healthy and broken; a JSON-able record."""
    rec: dict = {"source": zm.source, "name": zm.name}
    torch.manual_seed(SEED)
    try:
        with time_limit(120):
            model = zm.build()
    except Skip as exc:
        rec["skip"] = f"build: {exc}"
        return rec
    except Exception as exc:  # noqa: BLE001 - a library model that does not build here
        rec["skip"] = f"build: {_short(exc)}"
        return rec
    rec["params"] = sum(p.numel() for p in model.parameters()) if zm.framework == "torch" else None
    inputs = None
    if probe and zm.inputs is not None:
        try:
            with time_limit(60):
                inputs = zm.inputs(model)
                if zm.framework == "torch":
                    twin = copy.deepcopy(model).train()
                    rec["fb"] = forward_backward(twin, inputs)
                    del twin
        except Exception as exc:  # noqa: BLE001
            rec["no_inputs"] = _short(exc)
            inputs = None

    def check(m: Any, with_inputs: bool) -> Any:
        return check_model_init(m, example_inputs=inputs if with_inputs else None, raise_on_problem=False)

    modes = [False] + ([True] if inputs is not None else [])
    for with_inputs in modes:
        key = "probe" if with_inputs else "plain"
        before = deep_state(model) if zm.framework == "torch" else None
        try:
            with time_limit(180):
                t0 = time.perf_counter()
                report = check(model, with_inputs)
                elapsed = time.perf_counter() - t0
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
    if zm.framework != "torch":
        return rec
    rec["injected"] = {}
    for kind in kinds:
        torch.manual_seed(SEED)
        try:
            broken = copy.deepcopy(model)
            names = inject(kind, broken)
        except Exception as exc:  # noqa: BLE001
            rec["injected"][kind] = {"error": _short(exc)}
            continue
        if names is None:
            continue
        entry: dict = {"tensors": len(names)}
        for with_inputs in modes:
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

SOURCES: dict = {"transformers": transformers_zoo}


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
    head = f"{'source':<13} {'tried':>5} {'built':>5} {'plain':>5} {'probe':>5} {'prob.plain':>10} {'prob.probe':>10} {'probe err':>9} {'changed':>7}"
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
    lines += ["", "skipped, by reason (count, example):"]
    reasons = defaultdict(list)
    for r in records:
        if "skip" in r:
            reasons[_reason_key(r["skip"])].append(r["name"])
        elif "no_inputs" in r:
            reasons[_reason_key("inputs: " + r["no_inputs"])].append(r["name"])
    for key, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"  {len(names):4}  {key[:110]}  (e.g. {names[0]})")
    lines += ["", "injected bugs: models where every injected tensor is reported (without inputs | with the probe)"]
    for kind in KINDS:
        n_plain = hit_plain = n_probe = hit_probe = 0
        for r in records:
            e = r.get("injected", {}).get(kind)
            if not e or "tensors" not in e:
                continue
            if "plain" in e:
                n_plain += 1
                hit_plain += e["plain"] == e["tensors"]
            if "probe" in e:
                n_probe += 1
                hit_probe += e["probe"] == e["tensors"]
        lines.append(f"  {kind:<15} {hit_plain:4}/{n_plain:<4} | {hit_probe:4}/{n_probe:<4}")
    ratios = [r["probe_seconds"] / r["fb"] for r in records if r.get("fb") and "probe_seconds" in r]
    if ratios:
        lines += ["", f"check with inputs / one forward+backward, {len(ratios)} models: median "
                  f"{_percentile(ratios, 0.5):.2f}x, p90 {_percentile(ratios, 0.9):.2f}x, max {max(ratios):.2f}x"]
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
            rec = run_one(zm, probe=not args.no_probe)
            fh.write(json.dumps(rec) + "\n")
            fh.flush()


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", action="append", choices=sorted(SOURCES), help="only these sources (repeatable)")
    ap.add_argument("--only", help="comma-separated model names (transformers model types, class names)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (each single-threaded, nice'd)")
    ap.add_argument("--json", help="write one JSON record per model to this file")
    ap.add_argument("--no-probe", action="store_true", help="only the checks without inputs")
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
