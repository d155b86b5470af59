"""INI003: a zero or constant init that reaches the weights of every layer, or γ = 0 on every norm.

Shapes: a function handed to `model.apply(fn)` (functions, methods, lambdas), `_init_weights(self,
module)` (applied to every submodule by transformers' `post_init`, and by convention elsewhere),
loops over `modules()`, `children()`, `named_modules()`, `parameters()`, `named_parameters()`, an
`nn.Sequential`/`ModuleList`, with a guard that selects a whole family (`isinstance(m, nn.Linear)`,
`hasattr(m, "weight")`, `classname.find('Linear') != -1`, `"weight" in name`, `p.dim() > 1`) or no
guard at all, where the target is the loop variable's own weight/parameter.

Real-world shapes this is modelled on (public code found through the code index):
* an RL policy whose `_init_weights` zeroes every Linear of a `nn.TransformerEncoder` "so early
  training is not destabilised" (the trajectory transformer then never learns: its zero q/k/v,
  output and FFN weights all get zero gradient);
* an actor whose `adapter` MLP is zeroed through `for module in actor.adapter.modules(): if
  isinstance(module, nn.Linear): zeros_(module.weight); zeros_(module.bias)`: only the last bias
  can ever move;
* DCGAN-tutorial-style `weights_init(m)` with `classname.find(...)` guards;
* zeta's docs loop (see seed_zeta_init_zero.py for the INI004 form of it).
The contrast cases (norm branches, biases, `p.dim() > 1` with random init) are silent.
"""

import torch
import torch.nn as nn
import torch.nn.init as init


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.weight)  # expect: INI003
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


def ones_everywhere(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.ones_(module.weight)  # expect: INI003


def init_model(model: nn.Module, scheme="legacy"):
    # The model's layers are not visible here, so these are every-layer inits (INI003), not
    # dead-layer findings.
    if scheme == "legacy":
        model.apply(init_weights)
    elif scheme == "v2":
        model.apply(ones_everywhere)
    else:
        model.apply(lambda m: nn.init.constant_(m.weight, 0.05) if isinstance(m, nn.Linear) else None)  # expect: INI003
    return model


def weights_init(m):
    """DCGAN-tutorial shape, but the Linear branch fills with zeros."""
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        m.weight.data.fill_(1)
        m.bias.data.fill_(0)
    elif classname.find("Linear") != -1:
        m.weight.data.fill_(0)  # expect: INI003
        m.bias.data.fill_(0)


class Generator(nn.Module):
    def __init__(self, nz=100, ngf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, 3, 4, 2, 1, bias=False),
            nn.Tanh(),
        )
        self.apply(weights_init)


class TrajectoryPolicy(nn.Module):
    def __init__(self, d_model=128, n_actions=9, n_layers=2):
        super().__init__()
        self.token_embed = nn.Embedding(512, d_model)
        layer = nn.TransformerEncoderLayer(d_model, 4, 4 * d_model, batch_first=True)
        self.traj_transformer = nn.TransformerEncoder(layer, n_layers)
        self.action_head = nn.Linear(d_model, n_actions)
        self.value_head = nn.Linear(d_model, 1)
        self._init_weights()

    def _init_weights(self):
        nn.init.trunc_normal_(self.token_embed.weight, std=0.02)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        nn.init.zeros_(self.value_head.weight)  # expect-strict: INI001
        nn.init.zeros_(self.value_head.bias)
        # "near-zero so the trajectory transformer starts as a pass-through" - it never trains.
        for module in self.traj_transformer.modules():
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.weight)  # expect: INI003
                if module.bias is not None:
                    nn.init.zeros_(module.bias)


def prepare_actor(actor: nn.Module, log_std_init=-2.0):
    # The name of the *iterated* module (an adapter) is not an intent signal for its layers.
    # (The real function this mirrors was itself named "..._init_zero_..._actor": under the
    # scope-name rule that name would turn this into an idiom; see the report.)
    for module in actor.adapter.modules():
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.weight)  # expect: INI003
            nn.init.zeros_(module.bias)
    with torch.no_grad():
        actor.log_std.fill_(log_std_init)
    return actor


class SmallCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, padding=1, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.linear = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                # Meant for the last BN of residual branches only; here every BN feeds a ReLU.
                nn.init.zeros_(m.weight)  # expect: INI003
                nn.init.zeros_(m.bias)


class SmallCNNGroupNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 32, 3), nn.GroupNorm(8, 32), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.GroupNorm(8, 32), nn.ReLU())
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.constant_(m.weight, 0)  # expect: INI003
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Conv2d):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")


class MLP(nn.Module):
    def __init__(self, dims=(32, 64, 64, 1)):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        for layer in self.layers:
            nn.init.constant_(layer.weight, 0.1)  # expect: INI003
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.tanh(layer(x))
        return self.layers[-1](x)


def reset_all_parameters(model: nn.Module):
    for p in model.parameters():
        nn.init.zeros_(p)  # expect: INI003


def reset_matrices(model: nn.Module):
    for p in model.parameters():
        if p.dim() > 1:
            init.zeros_(p)  # expect: INI003


def init_by_name(model: nn.Module):
    for name, param in model.named_parameters():
        if "weight" in name:
            init.constant_(param, 0.01)  # expect: INI003
        elif "bias" in name:
            init.zeros_(param)


def init_by_name_else_branch(model: nn.Module):
    for name, param in model.named_parameters():
        if "bias" in name:
            nn.init.zeros_(param)
        else:
            nn.init.ones_(param)  # expect: INI003


def reset_children(model: nn.Module):
    for child in model.children():
        if hasattr(child, "weight"):
            child.weight.data.zero_()  # expect: INI003


def reset_named_modules(model: nn.Module):
    for _, m in model.named_modules():
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            with torch.no_grad():
                m.weight.fill_(0.0)  # expect: INI003


class LegacyEncoder(nn.Module):
    """An `_init_weights(self, module)` method: a per-module callback even without `.apply`."""

    def __init__(self, vocab=1000, dim=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.proj1 = nn.Linear(dim, dim)
        self.proj2 = nn.Linear(dim, dim)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.zero_()  # expect: INI003
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=0.02)


def name_selected_is_not_every_layer(model: nn.Module):
    # Contrast: a name guard selects one layer; judged by intent (a head), not INI003.
    for name, param in model.named_parameters():
        if name.startswith("head") and param.dim() > 1:
            nn.init.zeros_(param)  # expect-strict: INI001


def random_matrices_constant_vectors(model: nn.Module):
    # Contrast: DETR-style `_reset_parameters`; the else branch only sees 1-D tensors.
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
        else:
            nn.init.zeros_(p)


def norms_to_identity(model: nn.Module):
    # Contrast: γ = 1, β = 0 on every norm is the default, not a bug.
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
