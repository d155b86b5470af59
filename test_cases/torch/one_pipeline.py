"""Cases where the shipped pipeline (prefilter, reduction, libcst) once disagreed with the
analysis of the whole file, or one framework with another (issue 12).

* A ReLU applied in `forward_features`, which `forward` calls: the gates kept `forward` only,
  and the CLI said INI001 where the whole file says INI004.
* A policy head sized by `num_actions`: Flax read the width, torch did not (see
  `test_cases/flax/one_pipeline.py` for its twin: both are the same idiom now).
* `up(relu(down(x)))` with both zeroed: each message names the other layer on its own side.
* `fc2` is the last layer of a two-layer MLP by name, but here `fc3` follows it: the position,
  not the name, decides.
"""

import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8, bias=False)
        self.out = nn.Linear(8, 2)
        nn.init.zeros_(self.fc.weight)  # expect: INI004

    def forward_features(self, x):
        return F.relu(self.fc(x))

    def forward(self, x):
        return self.out(self.forward_features(x))


class Policy(nn.Module):
    def __init__(self, d, num_actions):
        super().__init__()
        self.body = nn.Linear(d, d)
        self.pi = nn.Linear(d, num_actions)
        nn.init.zeros_(self.pi.weight)  # expect-strict: INI001

    def forward(self, x):
        return F.softmax(self.pi(F.relu(self.body(x))), dim=-1)


class Bottleneck(nn.Module):
    def __init__(self, d, r):
        super().__init__()
        self.down = nn.Linear(d, r, bias=False)
        self.up = nn.Linear(r, d, bias=False)
        nn.init.zeros_(self.down.weight)  # expect: INI004
        nn.init.zeros_(self.up.weight)  # expect: INI004

    def forward(self, x):
        return self.up(F.relu(self.down(x)))


class ThreeLayerMLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, d)
        self.fc3 = nn.Linear(d, d)
        nn.init.zeros_(self.fc2.weight)  # expect: INI001

    def forward(self, x):
        return self.fc3(F.gelu(self.fc2(F.gelu(self.fc1(x)))))
