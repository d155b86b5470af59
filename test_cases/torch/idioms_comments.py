"""Intent written in a comment on the init or just above it (diffusers' stable-audio style)."""
import torch.nn as nn


class AudioWrapper(nn.Module):
    def __init__(self, io_channels, patch_size):
        super().__init__()
        # Audio in/out: zero-initialised residual convs around the transformer.
        dim_in = io_channels * patch_size
        self.preprocess_conv = nn.Conv1d(io_channels, io_channels, 1, bias=False)
        nn.init.zeros_(self.preprocess_conv.weight)  # expect-strict: INI001
        self.mixer = nn.Conv1d(io_channels, io_channels, 1, bias=False)
        nn.init.zeros_(self.mixer.weight)  # zero init: the block starts as identity  # expect-strict: INI001


class NoReason(nn.Module):
    def __init__(self, d):
        super().__init__()
        # project the features
        self.mixer = nn.Linear(d, d)
        nn.init.zeros_(self.mixer.weight)  # expect: INI001
