"""Name resolution: every way real code imports torch.nn.init, and what shadows it (issue 2)."""
import torch
import torch.nn as nn
from torch import nn as tnn
from torch.nn import init
import torch.nn.init as I
from torch.nn.init import zeros_ as z
from torch.nn.init import constant_, ones_

try:
    from torch.nn.init import trunc_normal_ as fill_weights
except ImportError:  # an old torch: every candidate is considered, not just the first
    from torch.nn.init import zeros_ as fill_weights

proj = nn.Linear(16, 16)

torch.nn.init.zeros_(proj.weight)  # expect: INI001
nn.init.zeros_(proj.weight)  # expect: INI001
tnn.init.zeros_(proj.weight)  # expect: INI001
init.zeros_(proj.weight)  # expect: INI001
I.zeros_(proj.weight)  # expect: INI001
z(proj.weight)  # expect: INI001
constant_(proj.weight, 0.3)  # expect: INI002
ones_(proj.weight)  # expect: INI002
fill_weights(proj.weight)  # expect: INI001


def build_inside_function():
    from torch.nn.init import zeros_ as zero_it

    layer = nn.Linear(8, 8)
    zero_it(layer.weight)  # expect: INI001
    return layer


def with_init_parameter(init, layer):
    # `init` is this function's parameter, not torch.nn.init
    init.zeros_(layer.weight)
    return layer


def zeros_(t):
    """A local helper that happens to share torch's name."""
    return t


class Builder:
    def run(self, layer):
        zeros_(layer.weight)  # the module-level def above, not torch's


def unrelated_libraries(layer):
    import numpy as np

    table = np.zeros((4, 4))
    table.fill(0)
    return table
