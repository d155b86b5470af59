"""Realistic code full of zeros and constants that must stay silent, in both modes.

Covers: biases (incl. a detection head's prior bias and an LSTM forget-gate bias written through a
slice), norm γ/β (single norms, a BatchNorm named `bn`, norms found by `isinstance`, zero-γ of the
last BN of a branch), scalars and 1-D parameters (temperatures, logit scales, ReZero/SkipInit
gates, LayerScale, per-channel `(1, C, 1, 1)` scales), tokens (`cls_token`, `mask_token`),
placeholders re-initialised randomly later in the class (timm's `pos_embed`, Swin's
`relative_position_bias_table`), frozen tables, buffers (`register_buffer`, running stats),
gradients, optimizer/model `zero_grad`, slices (`weight[padding_idx]`, `weight[:, 3:]`), metric
accumulators and RNN states, numpy/JAX arrays, identity inits (eye_, dirac_, orthogonal_), copies
from pretrained weights, a local `def zeros_` that shadows torch's, and a parameter named `init`.

Modelled on common code in huggingface/pytorch-image-models (vision_transformer.py, swin_transformer.py,
beit.py, levit.py, layers/layer_scale.py), pytorch/vision (detection/retinanet.py,
models/resnet.py), openai/CLIP model.py (`logit_scale`), facebookresearch/detr
(`_reset_parameters` with `p.dim() > 1`), PyTorch's word_language_model and LSTM examples.
"""

import math

import jax.numpy as jnp
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init
from torch.nn.init import trunc_normal_


class PatchEmbedViT(nn.Module):
    def __init__(self, img_size=224, patch=16, dim=384, num_heads=6):
        super().__init__()
        num_patches = (img_size // patch) ** 2
        self.patch_embed = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim))
        # Placeholder: re-initialised with trunc_normal_ in init_weights below.
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, dim))
        window = 7
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window - 1) * (2 * window - 1), num_heads))
        self.attention_biases = nn.Parameter(torch.zeros(num_heads, 49))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 1000)
        self.init_weights()

    def init_weights(self):
        trunc_normal_(self.pos_embed, std=0.02)
        trunc_normal_(self.relative_position_bias_table, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        nn.init.zeros_(self.head.bias)
        nn.init.ones_(self.norm.weight)
        nn.init.zeros_(self.norm.bias)


class ContrastiveModel(nn.Module):
    def __init__(self, embed_dim=512):
        super().__init__()
        self.visual_proj = nn.Parameter(torch.empty(768, embed_dim))
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))
        self.temperature = nn.Parameter(torch.tensor(0.07))
        nn.init.normal_(self.visual_proj, std=768 ** -0.5)
        nn.init.constant_(self.logit_scale, np.log(1 / 0.07))


class DetectionHead(nn.Module):
    def __init__(self, in_channels=256, num_anchors=9, num_classes=91, prior_probability=0.01):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, in_channels, 3, padding=1)
        self.cls_logits = nn.Conv2d(in_channels, num_anchors * num_classes, 3, padding=1)
        self.bbox_reg = nn.Conv2d(in_channels, num_anchors * 4, 3, padding=1)
        for layer in (self.conv, self.cls_logits, self.bbox_reg):
            nn.init.normal_(layer.weight, std=0.01)
            nn.init.constant_(layer.bias, 0)
        nn.init.constant_(self.cls_logits.bias, -math.log((1 - prior_probability) / prior_probability))


class ConvBN(nn.Module):
    def __init__(self, c_in, c_out, zero_gamma=False):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        nn.init.constant_(self.bn.weight, 0.0 if zero_gamma else 1.0)
        nn.init.constant_(self.bn.bias, 0.0)
        if zero_gamma:
            self.bn.weight.data.zero_()


class PreNormBlock(nn.Module):
    def __init__(self, dim, init_values=None):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, 8, batch_first=True)
        self.ls1 = nn.Parameter(1e-5 * torch.ones(dim))
        self.gamma = nn.Parameter(torch.zeros(1, 8, 1, 1))
        self.res_scale = nn.Parameter(torch.zeros(1))
        self.register_buffer("attn_mask", torch.zeros(64, 64))
        self.register_buffer("running_var", torch.ones(dim))
        nn.init.ones_(self.ln_1.weight)
        self.ln_1.weight.data.fill_(1.0)
        nn.init.zeros_(self.ln_1.bias)
        nn.init.zeros_(self.attn_mask)
        if init_values is not None:
            nn.init.constant_(self.ls1, init_values)


class LanguageModel(nn.Module):
    def __init__(self, ntoken=10000, ninp=512, nhid=512, nlayers=2, padding_idx=0):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp, padding_idx=padding_idx)
        self.rnn = nn.LSTM(ninp, nhid, nlayers)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nhid = nhid
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        with torch.no_grad():
            self.encoder.weight[self.encoder.padding_idx].fill_(0)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)
        for name, param in self.rnn.named_parameters():
            if "bias" in name:
                nn.init.constant_(param, 0.0)
                n = param.size(0)
                param.data[n // 4 : n // 2].fill_(1.0)
            elif "weight_hh" in name:
                nn.init.orthogonal_(param)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(param)

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(2, bsz, self.nhid), weight.new_zeros(2, bsz, self.nhid))


class PartiallyFrozenStem(nn.Module):
    def __init__(self, pretrained: torch.Tensor):
        super().__init__()
        self.conv = nn.Conv2d(6, 64, 7, stride=2, padding=3, bias=False)
        with torch.no_grad():
            self.conv.weight[:, :3].copy_(pretrained)
            self.conv.weight[:, 3:].zero_()


class IdentityInits(nn.Module):
    def __init__(self, c=64):
        super().__init__()
        self.mix = nn.Linear(c, c)
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.rec = nn.Linear(c, c, bias=False)
        self.extra = nn.Linear(c, c)
        init.kaiming_uniform_(self.extra.weight, a=math.sqrt(5))
        nn.init.eye_(self.mix.weight)
        nn.init.dirac_(self.conv.weight)
        nn.init.orthogonal_(self.rec.weight)
        nn.init.zeros_(self.mix.bias)
        nn.init.zeros_(self.conv.bias)


def load_pretrained(model: nn.Module, state: dict):
    with torch.no_grad():
        model.fc.weight.copy_(state["fc.weight"])
        model.fc.bias.zero_()


def train_step(model, optimizer, batch, loss_fn):
    optimizer.zero_grad(set_to_none=True)
    model.zero_grad()
    loss = loss_fn(model(batch["x"]), batch["y"])
    loss.backward()
    for p in model.parameters():
        if p.grad is not None and not torch.isfinite(p.grad).all():
            p.grad.zero_()
            p.grad.data.zero_()
    optimizer.step()
    return loss


class ConfusionMeter:
    def __init__(self, num_classes):
        self.num_classes = num_classes
        self.matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
        self.total = torch.zeros(())

    def reset(self):
        self.matrix.zero_()
        self.total.fill_(0)


def rnn_rollout(cell: nn.GRUCell, inputs: torch.Tensor):
    h = torch.zeros(inputs.size(1), cell.hidden_size)
    outputs = []
    for x_t in inputs:
        h = cell(x_t, h)
        outputs.append(h)
    return torch.stack(outputs), torch.zeros_like(h)


def numpy_and_jax_kernels(shape=(3, 3, 16, 16)):
    kernel = np.zeros(shape, dtype=np.float32)
    for c in range(shape[2]):
        kernel[1, 1, c, c] = 1.0
    w = jnp.zeros((256, 128))
    b = np.ones((128,))
    return kernel, w, b


def zeros_(tensor):
    """Project-local helper that shadows torch's name: it draws small noise."""
    with torch.no_grad():
        return tensor.normal_(0.0, 1e-3)


def build_small_noise_layer():
    layer = nn.Linear(64, 64)
    zeros_(layer.weight)
    return layer


def apply_initializer(layer: nn.Linear, init):
    # `init` is a parameter (a user-supplied object) that shadows the module-level
    # `from torch.nn import init`: these calls are not torch.nn.init's.
    init.zeros_(layer.weight)
    init.constant_(layer.weight, 0.0)
    return layer


class TransformerDETR(nn.Module):
    def __init__(self, d_model=256):
        super().__init__()
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, 8), 6)
        self.query_pos = nn.Parameter(torch.zeros(100, d_model), requires_grad=False)
        self._reset_parameters()

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)


def attention_with_masks(q, k, v, causal=True):
    T = q.size(-2)
    mask = torch.zeros(T, T, device=q.device)
    if causal:
        mask = mask.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    return F.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)) + mask, dim=-1) @ v
