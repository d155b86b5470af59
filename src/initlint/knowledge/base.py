"""The records every knowledge table is made of. Pure data: no libcst, no torch.

A framework is one :class:`Framework` record (``knowledge/torch.py``, ``keras.py``,
``flax.py``); everything the gates before libcst need (the prefilter's words, the reducer's
callees and keywords, the methods that wire a module) is derived from these records in
``knowledge/__init__.py``, never kept by hand.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

#: What an initializer produces: zeros, ones, or a constant read from an argument.
ZERO = "zero"
ONE = "one"
ARG = "arg"


@dataclass(frozen=True)
class ArgSpec:
    """Where an argument sits: positional index and keyword name; ``default`` if absent."""

    index: Optional[int]
    keyword: Optional[str]
    default: Optional[float] = None


@dataclass(frozen=True)
class InitFunction:
    """A callable that makes a constant: ``value`` is ``ZERO``, ``ONE`` or ``ARG`` (read from
    ``value_arg``). ``target`` is where the filled tensor (``on="tensor"``) or layer
    (``on="layer"``) is passed; None for factories and initializer objects, which make a
    value rather than fill one."""

    value: str
    target: Optional[ArgSpec] = ArgSpec(0, "tensor")
    value_arg: Optional[ArgSpec] = None
    on: str = "tensor"
    zeroes_bias: bool = False  # a layer-level helper that also zeroes the bias
    deprecated: bool = False


def value_of(kind: str, value_arg: Optional[ArgSpec] = None) -> InitFunction:
    """An initializer object or factory: it makes a value, it fills no target."""
    return InitFunction(kind, target=None, value_arg=value_arg)


class BiasState(enum.Enum):
    """How a layer's bias starts: what a zero weight leaves each unit's output at."""

    NONE = "none"  # bias=False / use_bias=False
    FRAMEWORK_ZERO = "default"  # the framework's own default is zeros (Keras, Flax, Haiku)
    ZERO = "zero"  # zeroed by the code
    POSITIVE = "positive"  # a chosen positive constant
    NEGATIVE = "negative"  # a chosen negative constant
    RANDOM = "random"  # PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)), or unknown
    CHOSEN = "chosen"  # a value the code chose (``bias.copy_(identity)``), sign unknown

    @property
    def is_zero(self) -> bool:
        """Every unit's output is exactly 0 under a zero weight."""
        return self in (BiasState.NONE, BiasState.FRAMEWORK_ZERO, BiasState.ZERO)

    @property
    def is_chosen_constant(self) -> bool:
        """The code chose a non-zero constant: the layer starts as that constant function."""
        return self in (BiasState.POSITIVE, BiasState.NEGATIVE, BiasState.CHOSEN)


#: Layer kinds: how a layer uses its kernel.
DENSE, ATTENTION, EMBEDDING, RECURRENT = "dense", "attention", "embedding", "recurrent"
#: The kinds whose zero weight outputs zeros (a product with the input, a lookup): before an
#: activation flat at 0 such a layer is dead (INI004).
ZERO_OUTPUT_KINDS = frozenset({DENSE, EMBEDDING})


@dataclass(frozen=True)
class LayerSpec:
    """How a layer uses its kernel: ``kind`` (``DENSE``: φ(W x + b); ``ATTENTION``: one
    initializer for the q/k/v/output projections; ``EMBEDDING``; ``RECURRENT``), its activation
    argument and default, the keywords that say whether it has a bias and how that bias starts,
    which of its kernel keywords feed the activation directly, and where its output width is."""

    kind: str
    activation: Optional[ArgSpec] = None
    default_activation: Optional[str] = None  # an activation string of the framework
    use_bias: Optional[str] = "use_bias"  # False there: no bias
    bias_init: Optional[str] = "bias_initializer"
    #: The bias exists only when this keyword is given (EinsumDense's ``bias_axes``).
    bias_only_with: Optional[str] = None
    default_bias: BiasState = BiasState.FRAMEWORK_ZERO
    dead_keywords: frozenset = frozenset({"kernel_initializer"})
    #: Keyword that gives the output projection its own initializer (Flax attention).
    out_kernel: Optional[str] = None
    #: The argument that sets how many units the layer outputs.
    width: Optional[ArgSpec] = None
    #: Called with its input, it returns its output (``slim.fully_connected(x, 10)``), instead
    #: of building a layer object that is applied later.
    functional: bool = False


@dataclass(frozen=True)
class Framework:
    """Everything initlint knows about one framework, as data.

    Names are canonical dotted names (after ``canonical``), except where a field says
    "short": the last segment of a name, matched whatever module it comes from."""

    name: str
    #: Functions that fill a tensor or a layer's weight in place: ``torch.nn.init.zeros_``.
    init_functions: dict = field(default_factory=dict)
    #: In-place tensor methods (short): ``w.zero_()``, ``w.fill_(v)``.
    tensor_methods: dict = field(default_factory=dict)
    #: Methods that copy their argument into the tensor (short): the argument decides.
    copy_methods: frozenset = frozenset()
    #: Array factories whose result is constant: ``torch.zeros``, ``jnp.ones``, ``tf.fill``.
    factories: dict = field(default_factory=dict)
    #: Initializer objects used uncalled (``kernel_init=zeros``, ``kernel_initializer=Zeros``),
    #: and callables that make one (``Zeros()``, ``zeros_init()``, ``Constant(0.5)``).
    initializers: dict = field(default_factory=dict)
    initializer_factories: dict = field(default_factory=dict)
    #: Functions and methods that fill a tensor with random values (short), by name: a
    #: constant they overwrite later was a dead store.
    random_inits: frozenset = frozenset()
    #: Keyword arguments that initialise a weight, with how messages name the tensor.
    kernel_keywords: dict = field(default_factory=dict)
    #: Keyword arguments that initialise a bias (read by INI004, never reported).
    bias_keywords: frozenset = frozenset()
    #: Constructors of custom parameters (short names) and the keyword of their initializer.
    parameter_makers: dict = field(default_factory=dict)
    #: Layers that hold a weight, by canonical name.
    layers: dict = field(default_factory=dict)
    #: Norm layers (their weight is γ).
    norms: frozenset = frozenset()
    #: Layers that pass a zero input on as zero (dropout, flatten, identity).
    passthrough: frozenset = frozenset()
    #: Containers whose elements run in sequence, and other containers of layers.
    sequential: frozenset = frozenset()
    containers: frozenset = frozenset()
    #: Classes a model is built from at module level (short): ``Sequential``, ``Model``.
    model_builders: frozenset = frozenset()
    #: Methods whose body says how a module is wired (its forward) and what its layers are.
    forward_methods: frozenset = frozenset()
    constructor_methods: frozenset = frozenset()
    #: Activations by dotted name (functions, classes) and by string spelling.
    activation_names: dict = field(default_factory=dict)
    activation_strings: dict = field(default_factory=dict)
    #: Activations whose flatness at 0 depends on an argument (see ``torch.CONDITIONAL_ACTIVATIONS``).
    conditional_activations: dict = field(default_factory=dict)
    #: Functions that split a tensor into chunks (dotted): ``shift, scale = torch.chunk(c, 2)``.
    split_functions: frozenset = frozenset()
    #: Shapes of code the prefilter looks for beyond names (literal-first regexes).
    gate_patterns: tuple = ()
    #: String spellings of a constant initializer (``"zeros"``): words the prefilter looks for.
    string_spellings: dict = field(default_factory=dict)
