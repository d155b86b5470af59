"""Framework-neutral records passed between the back ends, the probe and the judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from initlint.runtime.roles import Spec


@dataclass(frozen=True)
class Layout:
    """Where a tensor's units are: dimension ``axis`` (non-negative, in the stored tensor).

    ``gates`` > 1 splits that dimension into gate blocks (unit j = row j of every block);
    ``groups`` > 1 partitions the units into contiguous groups compared only among themselves;
    ``compare`` False disables duplicate-unit detection (embeddings, frozen tensors, depthwise).
    """

    axis: int
    gates: int = 1
    groups: int = 1
    compare: bool = True


@dataclass
class Facts:
    """What the values of one tensor say, before any probe."""

    nan: int = 0
    inf: int = 0
    constant: Optional[float] = None  # the one repeated value, if the whole tensor is constant
    groups: list = field(default_factory=list)  # duplicate-unit groups: sorted lists of unit indices
    n_units: int = 0
    zero_units: int = 0  # units whose slice is all zeros (counted when duplicate units are found)
    absurd: Optional[int] = None  # values no initialiser makes (stats.combine TINY/HUGE); None: not counted
    unit_ranks: Optional[list] = None  # rank holding each unit, when duplicate groups span ranks

    @property
    def finite(self) -> bool:
        return self.nan == 0 and self.inf == 0


@dataclass
class ProbeInfo:
    """What the probe saw for one trainable tensor over all its steps."""

    steps: int
    used: bool = False  # got a gradient (not None) in some step
    any_grad: bool = False  # some non-zero gradient in some step
    dead_units: list = field(default_factory=list)  # units that never got a gradient (see probe.py)
    whole_dead: bool = False  # used, but no gradient reached any element in any step
    persistent: list = field(default_factory=list)  # initial duplicate groups still identical at the end
    separated: bool = False  # some initial duplicate group came apart


@dataclass
class Entry:
    """One tensor of the model (tied/shared tensors appear once, with their other names)."""

    name: str
    value: Any  # torch tensor or numpy array; never modified
    shape: tuple
    spec: Spec
    kind: str = "param"  # "param" or "buffer"
    trainable: bool = True
    layout: Optional[Layout] = None
    aliases: tuple = ()
    facts: Optional[Facts] = None
    probe: Optional[ProbeInfo] = None
    handle: Any = None  # back-end specific (e.g. the Keras variable)
    bias: Any = None  # the layer's bias, one value per unit, when it has one (for INI004)

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= int(s)
        return n


def resolve_layout(spec: Spec, shape: tuple, groups: int, trainable: bool) -> Optional[Layout]:
    """The Layout of a tensor with this spec and shape, or None when it has no unit structure."""
    if spec.axis is None or len(shape) < 2:
        return None
    ax = spec.axis % len(shape)
    n = int(shape[ax])
    gates = spec.gates if spec.gates > 1 and n % spec.gates == 0 else 1
    units = n // gates
    compare = spec.compare_units and spec.role == "weight" and trainable and units >= 2
    if groups > 1:
        if not spec.group_split or units % groups or units // groups < 2:
            compare = False  # depthwise / grouped transpose: no comparable units
            groups = 1
    return Layout(ax, gates, max(groups, 1), compare)
