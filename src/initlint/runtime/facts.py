"""Framework-neutral records passed between the back ends, the probe and the judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from initlint.runtime.roles import Spec

#: ``max |w| * sqrt(fan_in)`` below this is "near zero": the usual inits give 0.1-5 (uniform
#: kaiming, xavier, normal(0, 0.02) on widths up to 10^5); a std-1e-10 init gives ~1e-8.
NEAR_ZERO = 1e-5


@dataclass(frozen=True)
class Layout:
    """Where a tensor's units are: dimension ``axis`` (non-negative, in the stored tensor).

    ``gates`` > 1 splits that dimension into gate blocks (unit j = row j of every block);
    ``groups`` > 1 partitions the units into contiguous groups compared only among themselves;
    ``compare`` False disables duplicate-unit detection (embeddings, frozen tensors, depthwise);
    ``experts`` > 1: dimension 0 stacks that many experts of a mixture of experts, each a layer
    of its own (``axis`` counts that dimension; units are compared within an expert only).
    """

    axis: int
    gates: int = 1
    groups: int = 1
    compare: bool = True
    experts: int = 1


def expert_layout(layout: Layout) -> Layout:
    """The layout of one expert's slice ``t[e]`` of an expert stack."""
    return Layout(layout.axis - 1, layout.gates, layout.groups, layout.compare)


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
    fan_in: int = 0  # values per unit (all gate blocks of a unit together)
    tiny: Optional[float] = None  # max |value|, when it lies far below 1/sqrt(fan_in) (else None)
    zero_scale: Optional[bool] = None  # a norm's zero γ: True if the norm's output ignores its input

    @property
    def near_zero(self) -> bool:
        """Not zero, but far below any init's scale: numerically zero (and 0 after ``.half()``)."""
        return self.tiny is not None

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
    bias_explains: bool = True  # dead units are exactly the zero units whose bias is <= 0


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
    module: Any = None  # the module or layer that owns it (for norms: called to see what γ does)
    bias: Any = None  # the layer's bias, one value per unit, when it has one (for INI004)
    intent: Optional[str] = None  # why its name says a zero is deliberate (the linter's vocabulary)

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
    if spec.experts:
        if len(shape) < 3:
            return None
        inner = resolve_layout(Spec(spec.role, spec.axis, spec.gates), shape[1:], 1, trainable)
        if inner is None:
            return None
        return Layout(inner.axis + 1, inner.gates, 1, inner.compare, experts=int(shape[0]))
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
