"""Shapes seen in timm 1.0.31, transformers 5.23.0, diffusers 0.42.1 and peft 0.21.2 that must
stay silent (or be recognised as idioms): each class restates one real pattern in our words."""
import torch
import torch.nn as nn
from torch.nn import init


class GlobalResponseNormLike(nn.Module):
    """ConvNeXt-V2 GRN: γ and β are stored 4-D and start at zero (the block starts as identity)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, 1, 1, dim))
        self.bias = nn.Parameter(torch.zeros(1, 1, 1, dim))


class NoiseInjection(nn.Module):
    """LTX VAE: per-channel noise scales, 3-D but one value per channel."""

    def __init__(self, in_channels):
        super().__init__()
        self.per_channel_scale1 = nn.Parameter(torch.zeros(in_channels, 1, 1))
        self.per_channel_scale2 = nn.Parameter(torch.zeros(in_channels, 1, 1))


class FunnelLikeAttention(nn.Module):
    """Placeholders made in __init__ are initialised by the model's _init_weights below."""

    def __init__(self, d_model, n_head, d_head):
        super().__init__()
        self.r_kernel = nn.Parameter(torch.zeros([d_model, n_head, d_head]))
        self.proj_weight = nn.Parameter(torch.zeros(n_head * d_head, d_model))
        self.rel_pos_w = nn.Parameter(torch.zeros(2 * 14 - 1, d_head))
        self.relative_position_bias_table = nn.Parameter(torch.zeros(27, n_head))


class FunnelLikePreTrainedModel(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, FunnelLikeAttention):
            init.uniform_(module.r_kernel, b=0.1)
            module.proj_weight.data.normal_(std=0.02)
        elif isinstance(module, nn.Embedding):
            if module.embedding_dim == 1:  # a one-column table holds per-entity biases
                init.zeros_(module.weight)
        elif isinstance(module, (nn.LayerNorm, nn.GroupNorm)) or "RMSNorm" in module.__class__.__name__:
            init.ones_(module.weight)
            init.zeros_(module.bias)
        elif isinstance(module, ConvBufferHolder):
            init.constant_(module.kernel_size, module.kernel)


class ConvBufferHolder(nn.Module):
    def __init__(self, kernel):
        super().__init__()
        self.kernel = kernel
        self.register_buffer("kernel_size", torch.tensor(kernel))


class BottleneckInit(nn.Module):
    def init_block(self, module):
        for layer in [module.conv1, module.conv2, module.conv3]:
            init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")
        for layer in [module.norm1, module.norm2]:
            init.ones_(layer.weight)
            init.zeros_(layer.bias)
        for ln in (module.layer_norm1, module.pre_norm):
            init.ones_(ln.weight)


def initialize_projection(projection: nn.Linear, shadow_hidden: int) -> None:
    """A partial identity: zero background, identity block written right after."""
    with torch.no_grad():
        projection.weight.zero_()
        projection.weight[:shadow_hidden, :shadow_hidden].copy_(torch.eye(shadow_hidden))


def render_grid(fields, grid_size):
    full_grid = torch.zeros(fields.shape[0], grid_size, grid_size, grid_size)
    full_grid.fill_(-1.0)  # data, not a parameter
    return full_grid


class BaseTunerLayer:
    pass


class VeraLikeLayer(BaseTunerLayer):
    """peft tuners: adapter vectors and deltas in ParameterDicts start at zero or one."""

    def __init__(self):
        self.vera_lambda_b = nn.ParameterDict({})
        self.vera_lambda_d = nn.ParameterDict({})
        self.hira_B = nn.ParameterDict({})

    def reset(self, name):
        nn.init.zeros_(self.vera_lambda_b[name])  # expect-strict: INI001
        nn.init.ones_(self.vera_lambda_d[name])  # expect-strict: INI002
        nn.init.zeros_(self.hira_B[name])  # expect-strict: INI001


class GCBlockLike(nn.Module):
    def __init__(self, channels, mlp_add):
        super().__init__()
        self.mlp_add = mlp_add

    def reset_parameters(self):
        if self.mlp_add is not None:
            nn.init.zeros_(self.mlp_add.fc2.weight)  # expect-strict: INI001


class StableCascadeLike(nn.Module):
    def __init__(self, c, clip):
        super().__init__()
        self.clf = nn.Sequential(nn.LayerNorm(c), nn.Conv2d(c, clip, kernel_size=1))
        nn.init.constant_(self.clf[1].weight, 0)  # outputs  # expect-strict: INI001


class MambaLikeMixer(nn.Module):
    def __init__(self, rank, inner, scheme, dt_init_std):
        super().__init__()
        self.dt_proj = nn.Linear(rank, inner)
        if scheme == "constant":
            nn.init.constant_(self.dt_proj.weight, dt_init_std)  # expect-strict: INI002


class ConvNextV2GRN(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, 1, 1, dim))


class ConvNextV2PreTrainedModel(nn.Module):
    def _init_weights(self, module):
        if isinstance(module, ConvNextV2GRN):
            init.zeros_(module.weight)


class ResamplerLike(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.linear_1 = nn.Linear(hidden_size, 4 * intermediate_size)
        with torch.no_grad():
            self.linear_1.weight.data.zero_()
            for i in range(4):
                self.linear_1.weight.data[
                    i * intermediate_size: (i + 1) * intermediate_size,
                ].normal_()


class DocLayoutLike(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.closure = nn.Linear(4, 4)
        init.constant_(self.closure.weight, self.config.s2r_closure_weight_init)  # expect-strict: INI002
