"""Seed documents 000/001/002: zeta's `init_zero_` helper, as its documentation uses it.

Source: the project's seed documents (`shared/seeds/000_*.txt`, `001_*.txt`, `002_*.txt`), which
are zeta's docs for `zeta.utils.init_zero_` (kyegomez/zeta: docs/zeta/utils/init_zero_.md and
docs/zeta/utils/main.md). zeta defines the helper in zeta/utils/main.py and re-exports it from
`zeta.utils` (and, through `from zeta.utils import *`, from `zeta`). It sets the layer's weight
and bias to 0 with `nn.init.constant_(layer.weight, 0.0)`.

Expected:
* a lone Linear or Conv2d zeroed with no sign of intent: INI001;
* the docs' "initialise all layers" loop over `nn.Sequential(Linear, ReLU, Linear)`: the first
  Linear feeds a visible ReLU with a zeroed bias (every unit dead) and the second is chained after
  it, so the loop's call site is INI004 (more specific than INI003).
"""

import torch
import torch.nn as nn
import zeta.utils as utils
from zeta.utils import exists, init_zero_


def example_linear_via_module_alias():
    # "Example 1: Initializing a Linear Layer with init_zero_"
    linear_layer = nn.Linear(10, 5)
    utils.init_zero_(linear_layer)  # expect: INI001
    print(linear_layer.weight)
    print(linear_layer.bias)


def example_conv_via_module_alias():
    # "Example 2: Initializing a Convolutional Layer with init_zero_"
    conv_layer = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1)
    utils.init_zero_(conv_layer)  # expect: INI001
    print(conv_layer.weight)
    print(conv_layer.bias)


def example_single_linear_from_import():
    # 001 "Example 1: Initializing a Single Linear Layer"
    layer = nn.Linear(10, 5)
    init_zero_(layer)  # expect: INI001
    print("Weights:", layer.weight)
    print("Bias:", layer.bias)


def example_all_layers_of_a_model():
    # 001/002 "Example 2: Initializing All Layers in a Neural Network Model"
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))

    # Loop through each layer in the model
    for layer in model:
        # Check if the layer has a weight, i.e., is a nn.Linear() layer
        if exists(layer, "weight"):
            init_zero_(layer)  # expect: INI004

    print("Weights of First Layer:", model[0].weight)
    print("Bias of First Layer:", model[0].bias)
    print("Weights of Third Layer:", model[2].weight)
    print("Bias of Third Layer:", model[2].bias)


def example_from_main_module():
    # docs/zeta/utils/main.md imports the helper from its defining module.
    from zeta.utils.main import init_zero_

    layer = nn.Linear(10, 5)
    init_zero_(layer)  # expect: INI001
    print(layer.weight)
    print(layer.bias)


def example_top_level_package():
    # `zeta/__init__.py` star-imports zeta.utils, whose __all__ lists init_zero_.
    import zeta

    proj = nn.Linear(32, 32)
    zeta.init_zero_(proj)  # expect: INI001
    return proj


def not_zeta_at_all():
    # A project-local function that happens to share the name: it fills with small noise,
    # so calling it is not a zero init (and its body is not one either).
    def init_zero_(layer):
        with torch.no_grad():
            layer.weight.normal_(0.0, 1e-3)

    layer = nn.Linear(10, 5)
    init_zero_(layer)
    return layer
