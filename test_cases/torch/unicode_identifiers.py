"""Identifiers Python reads NFKC-normalised (PEP 3131): full-width letters and ligatures run
as their ASCII names, so the inits below are the ones they look like. Strings and comments
keep their own spelling: a Keras ``"ｚｅｒｏｓ"`` is no initializer Keras knows."""

import torch.nn as nn

ﬁrst = nn.Linear(8, 8)  # the ligature ﬁ: ``first`` to Python
ｎｎ.ｉｎｉｔ.ｚｅｒｏｓ_(first.weight)  # expect: INI001

scale = nn.Linear(8, 8)
scale.weight.data.ﬁll_(0.5)  # expect: INI002

proj = nn.Linear(8, 8)
nn.init.zeros_(proj.ｗｅｉｇｈｔ)  # expect: INI001

bias_only = nn.Linear(8, 8)
nn.init.zeros_(bias_only.ｂｉａｓ)

spelled = nn.Linear(8, 8)
note = "ｚｅｒｏｓ_(spelled.weight)"  # only text
