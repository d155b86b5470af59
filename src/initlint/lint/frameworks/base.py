"""What a producer hands the judge: an init event ("this code sets that target to this
constant") with the facts around it, never a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import libcst as cst

from initlint.knowledge.base import BiasState, Framework, LayerSpec
from initlint.lint.model.collect import CallSite, ClassInfo
from initlint.lint.model.paths import Path
from initlint.lint.model.scopes import Scope

if TYPE_CHECKING:
    from initlint.lint.model.collect import FunctionInfo


@dataclass(eq=False)
class LayerRef:
    """A layer, and how the code refers to it. ``kind``:

    - ``"element"``: element ``index`` of the container literal ``container`` (a Sequential);
    - ``"attr"``: ``self.<name>`` of class ``cls``;
    - ``"local"``: the local or module name ``name``, bound in ``scope``;
    - ``"inline"``: a constructor applied where it stands (``Dense(8)(x)``).

    ``ctor`` is the constructor call when the source shows it; ``spec`` and ``framework``
    what the knowledge tables say about its class."""

    kind: str
    scope: Scope
    ctor: Optional[cst.BaseExpression] = None
    spec: Optional[LayerSpec] = None
    framework: Optional[Framework] = None
    name: Optional[str] = None
    cls: Optional[ClassInfo] = None
    container: Optional[cst.Call] = None
    elements: tuple = ()
    index: int = -1
    container_text: str = ""
    site: Optional[CallSite] = None  # for "inline" and constructor-located layers: where the ctor sits
    #: a bare parameter (``self.W = nn.Parameter(...)``, ``add_weight``, ``self.param``) that the
    #: forward applies itself: ``x @ self.W``, ``F.linear(x, self.W)``, ``jnp.dot(x, W)``
    param: bool = False

    def key(self) -> tuple:
        """The identity of the layer, shared by every event that zeroes it."""
        if self.kind == "element":
            return ("element", id(self.container), self.index)
        if self.kind == "attr":
            return ("attr", id(self.cls), self.name)
        if self.ctor is not None:
            return ("ctor", id(self.ctor))
        return (self.kind, id(self.scope), self.name)

    def text(self) -> str:
        if self.kind == "element":
            return f"{self.container_text}[{self.index}]"
        if self.name:
            return self.name
        return "this layer"


@dataclass(eq=False)
class InitEvent:
    site: CallSite  # where to report, with its ancestors and scope
    report_node: cst.CSTNode
    api: str  # how the user spelled the init, for messages
    zero: bool  # True: zeros; False: a non-zero (or unknown) constant
    value_text: str  # "0", "1.0", "`init_value`"
    target: Optional[Path]  # the tensor, or the layer when on == "layer"
    on: str = "tensor"  # "tensor" | "layer" (the layer's weight)
    zeroes_bias: bool = False
    role: Optional[str] = None  # set by producers that know it (keras kernels, nn.Parameter ndim)
    target_label: Optional[str] = None  # how to name the target in messages
    framework: str = "torch"
    summarized: bool = False  # a helper's body: judged at the helper's call sites instead
    helper: "Optional[FunctionInfo]" = None  # the file's own helper this event came through
    number: Optional[float] = None  # the constant, when known
    #: the layer whose weight this is, when the source shows which (producers of layer
    #: frameworks know it; for torch targets the judge finds it from the path)
    layer: Optional[LayerRef] = None
    keyword: Optional[str] = None  # the kernel keyword of a layer constructor
    value_guard: Optional[str] = None  # ``zeros if self.zero_head else ...``: the test
    names: list = field(default_factory=list)  # names it is stored or created under (``name="head"``)
    #: how the layer's bias starts, when the producer read it from the constructor
    bias: Optional[BiasState] = None
    #: an attention layer whose output projection has an init of its own that is not zero
    output_init_random: bool = False
    #: set by producers when one init reaches every layer of a kind (``slim.arg_scope``)
    every: Optional[str] = None
    every_specs: tuple = ()
    #: a non-constant value the code chose for this tensor (``bias.copy_(identity)``): a bias
    #: the code sets on purpose
    chosen: bool = False

    def label(self) -> str:
        if self.target_label:
            return self.target_label
        if self.target is None:
            return "this tensor"
        text = self.target.short()
        return f"{text}.weight" if self.on == "layer" else text
