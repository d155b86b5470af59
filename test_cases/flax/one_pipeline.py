"""The Flax twin of `test_cases/torch/one_pipeline.py`'s policy head (issue 12): a layer sized
by `num_actions` is a policy head in every framework, through one vocabulary."""

import flax.linen as nn


class Policy(nn.Module):
    num_actions: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(64)(x))
        logits = nn.Dense(self.num_actions, kernel_init=nn.initializers.zeros)(h)  # expect-strict: INI001
        return nn.softmax(logits)
