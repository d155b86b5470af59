"""Residual-branch idioms: the last layer (or last norm) of each branch starts at zero, or a scalar
gate starts at zero, so every block starts as the identity.

Modelled on:
* huggingface/pytorch-image-models timm/models/resnet.py (`Bottleneck.zero_init_last`:
  `zeros_(self.bn3.weight)`; `ResNet.init_weights(zero_init_last=True)` calling `m.zero_init_last()`),
  timm/models/resnetv2.py (pre-activation blocks zero the last *conv*), timm/models/regnet.py and
  cspnet.py (`zero_init_last` methods, `named_apply(partial(_init_weights, zero_init_last=...))`),
  timm/models/byobnet.py (`if zero_init_last and ...: zeros_(self.conv3_1x1.bn.weight)`),
  timm/models/nfnet.py (`skipinit_gain = nn.Parameter(torch.tensor(0.))`), timm/layers/layer_scale.py;
* pytorch/vision torchvision/models/resnet.py (`if zero_init_residual: ... constant_(m.bn3.weight, 0)`);
* hongyi-zhang/Fixup (FixupResNet: `constant_(m.conv2.weight, 0)` for every FixupBasicBlock and a
  zero classifier found through `isinstance(m, nn.Linear)`; scalar biases/scales);
* majumderb/rezero (ReZero: `resweight = nn.Parameter(torch.Tensor([0]))`);
* kyegomez/zeta zeta/nn/modules/feedforward.py (`if zero_init_output: init_zero_(self.ff[-1])`)
  and zeta/structs/transformer.py (`init_zero_(self.to_out)`, `to_v_gate` weight 0 / bias 1);
* KellerJordan/modded-nanogpt-style GPTs (`self.c_proj.weight.data.zero_()` after a squared ReLU).

Norm γ = 0 on the last norm of a branch is a *norm* parameter: silent even with --strict.
"""

import math
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F
from zeta.utils import init_zero_


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, norm_layer=nn.BatchNorm2d):
        super().__init__()
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, kernel_size=1, bias=False)
        self.bn1 = norm_layer(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = norm_layer(width)
        self.conv3 = nn.Conv2d(width, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = norm_layer(planes * self.expansion)
        self.act = nn.ReLU(inplace=True)
        self.downsample = downsample

    def zero_init_last(self):
        if getattr(self.bn3, "weight", None) is not None:
            nn.init.zeros_(self.bn3.weight)

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        x = self.act(self.bn1(self.conv1(x)))
        x = self.act(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        return self.act(x + shortcut)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)


class ResNet(nn.Module):
    def __init__(self, layers=(3, 4, 6, 3), num_classes=1000, zero_init_residual=False, zero_init_last=True):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = nn.Sequential(*[Bottleneck(64 if i == 0 else 256, 64) for i in range(layers[0])])
        self.fc = nn.Linear(2048, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

        # torchvision style: zero γ of the last BN in each residual branch.
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

        self.init_weights(zero_init_last=zero_init_last)

    def init_weights(self, zero_init_last=True):
        for n, m in self.named_modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if zero_init_last:
            for m in self.modules():
                if hasattr(m, "zero_init_last"):
                    m.zero_init_last()


class PreActBottleneck(nn.Module):
    """Pre-activation block: no norm after the last conv, so the conv itself is zeroed."""

    def __init__(self, in_chs, out_chs, mid_chs):
        super().__init__()
        self.norm1 = nn.GroupNorm(32, in_chs)
        self.conv1 = nn.Conv2d(in_chs, mid_chs, 1, bias=False)
        self.norm2 = nn.GroupNorm(32, mid_chs)
        self.conv2 = nn.Conv2d(mid_chs, mid_chs, 3, padding=1, bias=False)
        self.norm3 = nn.GroupNorm(32, mid_chs)
        self.conv3 = nn.Conv2d(mid_chs, out_chs, 1, bias=False)

    def zero_init_last(self):
        nn.init.zeros_(self.conv3.weight)  # expect-strict: INI001

    def forward(self, x):
        x_pre = F.relu(self.norm1(x))
        x = self.conv1(x_pre)
        x = self.conv2(F.relu(self.norm2(x)))
        x = self.conv3(F.relu(self.norm3(x)))
        return x + x_pre


class ConvNormAct(nn.Module):
    def __init__(self, in_chs, out_chs, k=1):
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(out_chs)


class ByobBottleneck(nn.Module):
    def __init__(self, in_chs, out_chs, mid_chs):
        super().__init__()
        self.conv1_1x1 = ConvNormAct(in_chs, mid_chs)
        self.conv2_kxk = ConvNormAct(mid_chs, mid_chs, 3)
        self.conv3_1x1 = ConvNormAct(mid_chs, out_chs)
        self.shortcut = nn.Identity()

    def init_weights(self, zero_init_last: bool = False):
        if zero_init_last and self.shortcut is not None and getattr(self.conv3_1x1.bn, "weight", None) is not None:
            nn.init.zeros_(self.conv3_1x1.bn.weight)


def _init_weights(module: nn.Module, name: str = "", zero_init_last: bool = False) -> None:
    if isinstance(module, nn.Conv2d):
        fan_out = module.kernel_size[0] * module.kernel_size[1] * module.out_channels // module.groups
        module.weight.data.normal_(0, math.sqrt(2.0 / fan_out))
        if module.bias is not None:
            module.bias.data.zero_()
    elif isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=0.01)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif zero_init_last and hasattr(module, "zero_init_last"):
        module.zero_init_last()


def build_regnet_like(model: nn.Module, named_apply, zero_init_last=True):
    named_apply(partial(_init_weights, zero_init_last=zero_init_last), model)
    return model


class FixupBasicBlock(nn.Module):
    def __init__(self, inplanes, planes):
        super().__init__()
        self.bias1a = nn.Parameter(torch.zeros(1))
        self.conv1 = nn.Conv2d(inplanes, planes, 3, padding=1, bias=False)
        self.bias1b = nn.Parameter(torch.zeros(1))
        self.bias2a = nn.Parameter(torch.zeros(1))
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.scale = nn.Parameter(torch.ones(1))
        self.bias2b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        out = F.relu(self.conv1(x + self.bias1a) + self.bias1b)
        out = self.conv2(out + self.bias2a)
        return F.relu(out * self.scale + self.bias2b + x)


class FixupResNet(nn.Module):
    def __init__(self, layers=(3, 3, 3), num_classes=10):
        super().__init__()
        self.num_layers = sum(layers)
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bias1 = nn.Parameter(torch.zeros(1))
        self.stages = nn.Sequential(*[FixupBasicBlock(16, 16) for _ in range(sum(layers))])
        self.bias2 = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(16, num_classes)

        for m in self.modules():
            if isinstance(m, FixupBasicBlock):
                std = math.sqrt(2 / (m.conv1.weight.shape[0] * math.prod(m.conv1.weight.shape[2:])))
                nn.init.normal_(m.conv1.weight, mean=0, std=std * self.num_layers ** (-0.5))
                nn.init.constant_(m.conv2.weight, 0)  # expect-strict: INI001
            elif isinstance(m, nn.Linear):
                # The only Linear here is the classifier (judged as itself, not as every Linear);
                # the class name says Fixup.
                nn.init.constant_(m.weight, 0)  # expect-strict: INI001
                nn.init.constant_(m.bias, 0)


class ReZeroEncoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.resweight = nn.Parameter(torch.Tensor([0]))

    def forward(self, src):
        src = src + self.resweight * self.self_attn(src, src, src, need_weights=False)[0]
        return src + self.resweight * self.linear2(F.relu(self.linear1(src)))


class SkipInitBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)
        self.skipinit_gain = nn.Parameter(torch.tensor(0.0))
        self.alpha = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return x + self.alpha * self.skipinit_gain * self.conv(x)


class LayerScale(nn.Module):
    def __init__(self, dim, init_values=1e-5, inplace=False):
        super().__init__()
        self.init_values = init_values
        self.inplace = inplace
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def reset_parameters(self):
        nn.init.constant_(self.gamma, self.init_values)

    def forward(self, x):
        return x.mul_(self.gamma) if self.inplace else x * self.gamma


class LayerScale2d(nn.Module):
    def __init__(self, dim, init_values=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim, 1, 1))


class FeedForward(nn.Module):
    """zeta-style FeedForward with a zero-initialised output layer behind a flag."""

    def __init__(self, dim, mult=4, dropout=0.0, no_bias=False, zero_init_output=False):
        super().__init__()
        inner_dim = int(dim * mult)
        self.ff = nn.Sequential(
            nn.Sequential(nn.Linear(dim, inner_dim, bias=not no_bias), nn.GELU()),
            nn.Dropout(dropout),
            nn.Linear(inner_dim, dim, bias=not no_bias),
        )
        if zero_init_output:
            init_zero_(self.ff[-1])  # expect-strict: INI001

    def forward(self, x):
        return self.ff(x)


class GatedAttention(nn.Module):
    """x-transformers/zeta-style attention: gated values and a zero output projection."""

    def __init__(self, dim, heads=8, dim_head=64, gate_values=True, zero_init_output=False):
        super().__init__()
        inner = heads * dim_head
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_kv = nn.Linear(dim, inner * 2, bias=False)
        self.to_v_gate = None
        if gate_values:
            self.to_v_gate = nn.Linear(dim, inner)
            nn.init.constant_(self.to_v_gate.weight, 0)  # expect-strict: INI001
            nn.init.constant_(self.to_v_gate.bias, 1)
        self.to_out = nn.Linear(inner, dim, bias=False)
        if zero_init_output:
            init_zero_(self.to_out)  # expect-strict: INI001


class NanoMLP(nn.Module):
    """relu² MLP whose output projection starts at zero (after the activation, not before it)."""

    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        self.c_proj.weight.data.zero_()  # expect-strict: INI001

    def forward(self, x):
        x = F.relu(self.c_fc(x)).square()
        return self.c_proj(x)


class NanoAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.c_proj.weight.data.zero_()  # expect-strict: INI001


class ViTBlock(nn.Module):
    def __init__(self, dim, mlp_ratio=4.0):
        super().__init__()
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, int(dim * mlp_ratio))
        self.mlp.act = nn.GELU()
        self.mlp.fc2 = nn.Linear(int(dim * mlp_ratio), dim)


class ResidualViT(nn.Module):
    def __init__(self, dim=384, depth=12, zero_init_mlp=True):
        super().__init__()
        self.blocks = nn.ModuleList([ViTBlock(dim) for _ in range(depth)])
        if zero_init_mlp:
            for blk in self.blocks:
                nn.init.zeros_(blk.mlp.fc2.weight)  # expect-strict: INI001
                nn.init.zeros_(blk.mlp.fc2.bias)
