"""Activation facts as data: φ(0) and φ'(0), as PyTorch, TensorFlow and JAX define them.
Which names stand for which activation is each framework's knowledge (``torch.py``,
``keras.py``, ``flax.py``); the facts are framework-neutral.

φ'(0) = 0 means a unit whose pre-activation is exactly 0 gets no gradient: a zero weight
with a zero (or absent) bias feeding such an activation is dead for good (INI004).
φ(0) decides whether two chained zero layers are dead (φ(0) = 0) or merely symmetric.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Activation:
    name: str
    phi0: float  # φ(0)
    dphi0: float  # φ'(0) as the frameworks' autograd computes it
    label: str = ""  # how messages name it

    @property
    def kills_gradient_at_zero(self) -> bool:
        return self.dphi0 == 0.0

    def describe(self) -> str:
        return self.label or self.name


_FACTS = (
    Activation("relu", 0.0, 0.0, "ReLU"),
    Activation("relu6", 0.0, 0.0, "ReLU6"),
    Activation("hardtanh(0, ·)", 0.0, 0.0),  # hardtanh with min_val=0: a clipped ReLU
    Activation("threshold", 0.0, 0.0, "a threshold"),  # threshold(x, t >= 0, 0)
    Activation("squared relu", 0.0, 0.0, "a squared ReLU"),
    Activation("leaky relu", 0.0, 1.0),  # autograd takes the positive slope at exactly 0
    Activation("prelu", 0.0, 1.0),
    Activation("elu", 0.0, 1.0),
    Activation("selu", 0.0, 1.0507),
    Activation("celu", 0.0, 1.0),
    Activation("gelu", 0.0, 0.5),
    Activation("silu", 0.0, 0.5),
    Activation("mish", 0.0, 0.6),
    Activation("hardswish", 0.0, 0.5),
    Activation("tanh", 0.0, 1.0),
    Activation("softsign", 0.0, 1.0),
    Activation("sigmoid", 0.5, 0.25),
    Activation("hardsigmoid", 0.5, 1.0 / 6.0),
    Activation("softplus", 0.6931, 0.5),
    Activation("identity", 0.0, 1.0),
    # a softmax of equal inputs is uniform (1/n), with a non-zero Jacobian
    Activation("softmax", 0.5, 0.25),
    # Keras 3 / JAX (values measured with keras.activations under the torch backend):
    # the shrink functions are flat around 0, so a zero pre-activation gets no gradient.
    Activation("hard shrink", 0.0, 0.0),
    Activation("soft shrink", 0.0, 0.0),
    Activation("tanh shrink", 0.0, 0.0),
    Activation("hard tanh", 0.0, 1.0),
    Activation("exponential", 1.0, 1.0),
    Activation("log sigmoid", -0.6931, 0.5),
    Activation("sparse plus", 0.25, 0.5),
    Activation("squareplus", 1.0, 0.5),
    Activation("sparse sigmoid", 0.5, 0.5),
)
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in _FACTS}

#: Tensor methods that keep a zero input at zero and pass its gradient on as the activation
#: before them does (``F.relu(h).square()``: squared ReLU).
SQUARING_METHODS = frozenset({"square", "pow"})
