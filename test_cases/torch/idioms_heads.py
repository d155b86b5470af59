"""Zero-initialised classifier / output heads.

Output units are never interchangeable (each gets its own error signal), so a zero head trains;
big_transfer's authors confirm it helps few-shot transfer (google-research/big_transfer#10).

Modelled on:
* huggingface/pytorch-image-models timm/models/vision_transformer.py (`init_weights_vit_jax`:
  `if name.startswith('head'): zeros_(module.weight)`), timm/models/mlp_mixer.py (same shape),
  timm/models/swin_transformer_v2_cr.py (`elif 'head' in name`);
* timm/models/nfnet.py (`for n, m in self.named_modules(): if 'fc' in n and isinstance(m,
  nn.Linear): if cfg.zero_init_fc: zeros_(m.weight)`);
* pytorch/vision torchvision/models/vision_transformer.py (`zeros_(self.heads.head.weight)`);
* google-research/big_transfer bit_pytorch/models.py (`zero_head`);
* modded-nanogpt-style trainers (`self.lm_head._zero_init = True` + a flag check in the init loop);
* RL actor-critic code that zeroes the value head.

Expected: heads are idioms (`expect-strict`); biases silent.
"""

import math

import torch
import torch.nn as nn
from torch.nn.init import trunc_normal_


def lecun_normal_(tensor):
    fan_in = tensor.shape[1] * tensor[0][0].numel()
    nn.init.trunc_normal_(tensor, std=math.sqrt(1.0 / fan_in) / 0.8796)


def init_vit_weights_jax_style(module: nn.Module, name: str = "", head_bias: float = 0.0):
    """Per-module callback, applied through named_apply (module, qualified name)."""
    if isinstance(module, nn.Linear):
        if name.startswith("head"):
            nn.init.zeros_(module.weight)  # expect-strict: INI001
            nn.init.constant_(module.bias, head_bias)
        else:
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                if "mlp" in name:
                    nn.init.normal_(module.bias, std=1e-6)
                else:
                    nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Conv2d):
        lecun_normal_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.LayerNorm, nn.GroupNorm)):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


def init_swin_weights(module: nn.Module, name: str = ""):
    if isinstance(module, nn.Linear):
        if "qkv" in name:
            bound = math.sqrt(6.0 / float(module.weight.shape[0] // 3 + module.weight.shape[1]))
            nn.init.uniform_(module.weight, -bound, bound)
        elif "head" in name:
            nn.init.zeros_(module.weight)  # expect-strict: INI001
        else:
            nn.init.xavier_uniform_(module.weight)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def named_apply(fn, module: nn.Module, name: str = "", depth_first: bool = True):
    if not depth_first:
        fn(module=module, name=name)
    for child_name, child in module.named_children():
        child_name = ".".join((name, child_name)) if name else child_name
        named_apply(fn=fn, module=child, name=child_name, depth_first=depth_first)
    if depth_first:
        fn(module=module, name=name)
    return module


class NormFreeNet(nn.Module):
    def __init__(self, cfg, num_classes=1000, width=1536):
        super().__init__()
        self.cfg = cfg
        self.stem = nn.Conv2d(3, 64, 3, stride=2, padding=1)
        self.stages = nn.Sequential(nn.Conv2d(64, width, 3, padding=1), nn.GELU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head_fc = nn.Linear(width, num_classes)
        for n, m in self.named_modules():
            if "fc" in n and isinstance(m, nn.Linear):
                if cfg.zero_init_fc:
                    nn.init.zeros_(m.weight)  # expect-strict: INI001
                else:
                    nn.init.normal_(m.weight, 0.0, 0.01)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="linear")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


class SimpleViT(nn.Module):
    def __init__(self, dim=384, num_classes=1000, representation_size=None, weight_init="jax"):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=16, stride=16)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.blocks = nn.Sequential(*[nn.TransformerEncoderLayer(dim, 6, batch_first=True) for _ in range(4)])
        self.norm = nn.LayerNorm(dim)
        heads = {}
        if representation_size is not None:
            heads["pre_logits"] = nn.Linear(dim, representation_size)
            heads["act"] = nn.Tanh()
            dim = representation_size
        heads["head"] = nn.Linear(dim, num_classes)
        self.heads = nn.ModuleDict(heads)
        trunc_normal_(self.cls_token, std=0.02)
        if weight_init == "jax":
            named_apply(lambda module, name: init_vit_weights_jax_style(module, name), self)
        # torchvision-style explicit head init
        if isinstance(self.heads["head"], nn.Linear):
            nn.init.zeros_(self.heads["head"].weight)  # expect-strict: INI001
            nn.init.zeros_(self.heads["head"].bias)


class VisionTransformerTV(nn.Module):
    """torchvision-like: `heads` is a Sequential built from an OrderedDict with a `head` entry."""

    def __init__(self, hidden_dim=768, num_classes=1000):
        super().__init__()
        from collections import OrderedDict

        self.heads = nn.Sequential(OrderedDict([("head", nn.Linear(hidden_dim, num_classes))]))
        if isinstance(self.heads.head, nn.Linear):
            nn.init.zeros_(self.heads.head.weight)  # expect-strict: INI001
            nn.init.zeros_(self.heads.head.bias)


class BiTResNet(nn.Module):
    def __init__(self, width=2048, head_size=21843, zero_head=False):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, width, 7, stride=2, padding=3), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(width, head_size, kernel_size=1, bias=True))
        if zero_head:
            nn.init.zeros_(self.head[-1].weight)  # expect-strict: INI001
            nn.init.zeros_(self.head[-1].bias)


class ResNetClassifier(nn.Module):
    def __init__(self, backbone: nn.Module, feat_dim=512, num_classes=10):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(feat_dim, num_classes)
        nn.init.zeros_(self.fc.weight)  # expect-strict: INI001
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(torch.flatten(self.backbone(x), 1))


class MobileClassifier(nn.Module):
    def __init__(self, last_channel=1280, num_classes=1000, dropout=0.2):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, last_channel, 3, stride=2), nn.Hardswish())
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(last_channel, num_classes))
        nn.init.zeros_(self.classifier[-1].weight)  # expect-strict: INI001
        nn.init.zeros_(self.classifier[1].bias)


class SequenceClassifier(nn.Module):
    def __init__(self, hidden=768, num_labels=3):
        super().__init__()
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(hidden, 12, batch_first=True), 2)
        self.score = nn.Linear(hidden, num_labels, bias=False)
        self.score.weight.data.zero_()  # expect-strict: INI001


class TinyGPT(nn.Module):
    """lm_head marked with a flag and zeroed by the generic init loop."""

    def __init__(self, vocab_size=50304, model_dim=512, tie_embeddings=False):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, model_dim)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(model_dim, 8, batch_first=True) for _ in range(4)])
        self.tie_embeddings = tie_embeddings
        self.lm_head = None if tie_embeddings else nn.Linear(model_dim, vocab_size, bias=False)
        if self.lm_head is not None:
            self.lm_head._zero_init = True
        self._init_weights()

    def _init_weights(self):
        nn.init.normal_(self.tok_emb.weight, mean=0.0, std=0.005)
        for module in self.modules():
            if isinstance(module, nn.Linear) and getattr(module, "_zero_init", False):
                nn.init.zeros_(module.weight)  # expect-strict: INI001
            elif isinstance(module, nn.Linear):
                nn.init.orthogonal_(module.weight)


class ActorCritic(nn.Module):
    def __init__(self, obs_dim=64, hidden=256, n_actions=9):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.action_head = nn.Linear(hidden, n_actions)
        self.value_head = nn.Linear(hidden, 1)
        for m in self.trunk:
            if isinstance(m, nn.Linear):
                nn.init.orthogonal_(m.weight, gain=math.sqrt(2))
                nn.init.zeros_(m.bias)
        nn.init.orthogonal_(self.action_head.weight, gain=0.01)
        # Large returns would give the untrained critic huge gradients: start it at zero.
        nn.init.zeros_(self.value_head.weight)  # expect-strict: INI001
        nn.init.zeros_(self.value_head.bias)

    def forward(self, obs):
        h = self.trunk(obs)
        return self.action_head(h), self.value_head(h)
