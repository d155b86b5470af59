"""A *different* module named `initialization`: segmentation_models_pytorch-style helpers.

Many segmentation repositories (qubvel/segmentation_models.pytorch and its copies) contain
`from . import initialization as init` next to a local initialization.py whose functions are
`initialize_decoder` and `initialize_head`. They are not torch.nn.init functions: calling them is
never a finding, even though the module is imported under the same alias that transformers uses.
The local definitions below only use random inits, so this file is silent.
"""

import torch
import torch.nn as nn

from . import initialization as init


def initialize_decoder(module):
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_uniform_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)


def initialize_head(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)


class SegmentationModel(torch.nn.Module):
    def __init__(self, encoder, decoder, segmentation_head):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.segmentation_head = segmentation_head

    def initialize(self):
        init.initialize_decoder(self.decoder)
        init.initialize_head(self.segmentation_head)
