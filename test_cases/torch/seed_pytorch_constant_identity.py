"""Seed document 004 ("Constant & Identity Initializations"), PyTorch parts.

Source: the project's seed document `shared/seeds/004_*.txt`, a course page on zeros_, ones_,
constant_, eye_ and dirac_. Its TensorFlow/Keras snippets belong to the Keras fixtures, not here.
The `variant_*` functions at the end are not in the seed: they are the same calls aimed at
weights, to pin the boundary between "never flagged" and INI001/INI002.

Function names deliberately avoid the word "zero": an enclosing name that says zero is an intent
signal and would turn these findings into idioms.

Expected:
* `nn.init.zeros_` on a 2-D tensor that stands for a weight matrix: INI001;
* biases, BatchNorm γ/β, 1-D tensors, identity (eye_/dirac_) inits: silent.
"""

import torch
import torch.nn as nn


def section_1_all_weights_set_to_0():
    # Weight tensor
    w = torch.empty(256, 128)
    nn.init.zeros_(w)  # expect: INI001
    # Correct use: bias only
    linear = nn.Linear(128, 256)
    nn.init.zeros_(linear.bias)
    return w, linear


def section_2_all_weights_set_to_1():
    bn = nn.BatchNorm1d(128)
    # PyTorch does this internally:
    nn.init.ones_(bn.weight)
    nn.init.zeros_(bn.bias)
    return bn


def section_3_arbitrary_fixed_value(class_counts: torch.Tensor, output_layer: nn.Linear):
    w = torch.empty(10)
    nn.init.constant_(w, val=0.1)
    # Use case: output layer bias initialized to class log-frequencies
    log_freq = torch.log(class_counts / class_counts.sum())
    nn.init.constant_(output_layer.bias, val=0.0)
    with torch.no_grad():
        output_layer.bias.copy_(log_freq)
    return w


def section_4_identity_matrix():
    w = torch.empty(64, 64)
    nn.init.eye_(w)
    return w


def section_5_dirac():
    conv_weight = torch.empty(8, 8, 3, 3)
    nn.init.dirac_(conv_weight)
    conv = nn.Conv2d(in_channels=16, out_channels=16, kernel_size=3, padding=1)
    nn.init.dirac_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv_weight, conv


def variant_constant_on_matrix():
    w2 = torch.empty(10, 20)
    nn.init.constant_(w2, val=0.1)  # expect: INI002
    return w2


def variant_ones_on_layer_weight():
    linear = nn.Linear(128, 256)
    nn.init.ones_(linear.weight)  # expect: INI002
    nn.init.zeros_(linear.bias)
    return linear


def variant_conv_weight_literal():
    conv = nn.Conv2d(16, 32, kernel_size=3, padding=1)
    nn.init.constant_(conv.weight, 0.0)  # expect: INI001
    return conv


def variant_negative_literal_and_keywords():
    proj = nn.Linear(64, 64)
    torch.nn.init.constant_(tensor=proj.weight, val=-0.0)  # expect: INI001
    return proj
