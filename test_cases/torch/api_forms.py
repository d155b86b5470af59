"""Every PyTorch API form that zeroes or fills a weight (issue 2).

Each line with `# expect: CODE` must be reported with that code; other lines must stay silent.
"""
import torch
import torch.nn as nn

encoder = nn.Linear(128, 64)
decoder = nn.Conv2d(3, 16, 3)
projector = nn.Linear(64, 64)

# torch.nn.init: zeros_, ones_, constant_ (value positional or keyword; every spelling of zero)
nn.init.zeros_(encoder.weight)  # expect: INI001
nn.init.ones_(encoder.weight)  # expect: INI002
nn.init.constant_(encoder.weight, 0)  # expect: INI001
nn.init.constant_(encoder.weight, 0.0)  # expect: INI001
nn.init.constant_(encoder.weight, -0.0)  # expect: INI001
nn.init.constant_(encoder.weight, 0.)  # expect: INI001
nn.init.constant_(encoder.weight, val=0)  # expect: INI001
nn.init.constant_(tensor=encoder.weight, val=0.5)  # expect: INI002
nn.init.constant_(encoder.weight, 1e-3)  # expect: INI002
nn.init.constant_(decoder.weight, val=0.1)  # expect: INI002
nn.init.constant(encoder.weight, 0)  # expect: INI001
torch.nn.init.zeros_(decoder.weight)  # expect: INI001

# a multi-line call is reported on the line of its callee, where a noqa comment goes
nn.init.constant_(  # expect: INI002
    encoder.weight,
    0.02,
)

# in-place tensor methods, with or without .data / .detach() / torch.no_grad()
encoder.weight.zero_()  # expect: INI001
encoder.weight.data.zero_()  # expect: INI001
encoder.weight.detach().zero_()  # expect: INI001
encoder.weight.fill_(0.5)  # expect: INI002
encoder.weight.data.fill_(0)  # expect: INI001
encoder.weight.data.copy_(torch.zeros_like(encoder.weight))  # expect: INI001
encoder.weight.copy_(torch.ones_like(encoder.weight))  # expect: INI002
encoder.weight.data = torch.zeros_like(encoder.weight)  # expect: INI001
with torch.no_grad():
    decoder.weight.zero_()  # expect: INI001
    decoder.weight.fill_(1.0)  # expect: INI002

# an init with a value the linter cannot read is still a constant
scale = 0.25
nn.init.constant_(encoder.weight, scale)  # expect: INI002

# random inits and the inits of biases are fine (a random init of encoder.weight here would
# overwrite every constant above: dead stores, not findings)
nn.init.kaiming_uniform_(projector.weight)
nn.init.xavier_normal_(projector.weight)
nn.init.zeros_(encoder.bias)
nn.init.constant_(decoder.bias, 0.1)
encoder.bias.data.zero_()
decoder.bias.data.fill_(0.01)
