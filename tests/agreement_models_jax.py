"""Runtime twins of the Flax, nnx and Haiku cases in test_cases/flax/: model sources the linter judges.

As agreement_models.py does for PyTorch: each ``Case`` is a small, self-contained copy of a class
or function of a fixture (``mirrors`` names it), annotated like the fixtures (``# expect:`` /
``# expect-strict:``), shrunk to sizes that compile in a fraction of a second, and completed with
what a runnable model needs. ``make(ns)`` builds it from the ``exec``'d source and returns
``(model, example_inputs, apply_fn)``: Flax linen variables with ``model.apply``, an nnx module
(called directly: ``apply_fn`` None), Haiku params with the transformed ``apply``.

``runtime`` is the exact ``{name: code}`` the probe must report (``None``: only the verdict).
Where the probe sees more than the linter (a layer behind a dead one is dead too; two zero
projections of an attention never train), the pinned dict says so, with the reason beside it.
"""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp

from agreement_models import BUG, IDIOM, SILENT, SMELL, Case

LINEN = "import flax.linen as nn\nimport jax\nimport jax.numpy as jnp\n"
NNX = "import jax\nimport jax.numpy as jnp\nfrom flax import nnx\n"
HAIKU = "import haiku as hk\nimport jax\nimport jax.numpy as jnp\n"


def x(*shape, seed=0):
    return jax.random.normal(jax.random.key(seed), shape)


def linen(name, *inputs, **fields):
    """make(): Flax linen variables of ns[name](**fields), initialised (under jit) on ``inputs``."""
    def make(ns):
        module = ns[name](**fields)
        variables = jax.jit(module.init)(jax.random.key(0), *inputs)
        return variables, inputs if len(inputs) > 1 else inputs[0], module.apply
    return make


def nnx_module(build, *inputs):
    def make(ns):
        from flax import nnx

        return build(ns, nnx.Rngs(0)), inputs if len(inputs) > 1 else inputs[0], None
    return make


def haiku(name, *inputs, state=False):
    """make(): Haiku params of ns[name] transformed (with its state, if it has one) on ``inputs``."""
    def make(ns):
        if state:
            f = hk.transform_with_state(ns[name])
            params, st = jax.jit(f.init)(jax.random.key(0), *inputs)
            return params, inputs if len(inputs) > 1 else inputs[0], lambda p, *a: f.apply(p, st, None, *a)[0]
        f = hk.transform(lambda *a: ns[name](*a) if not isinstance(ns[name], type) else ns[name]()(*a))
        params = jax.jit(f.init)(jax.random.key(0), *inputs)
        return params, inputs if len(inputs) > 1 else inputs[0], lambda p, *a: f.apply(p, None, *a)
    return make


# ----------------------------------------------------------------------------------------------
# linen: dead layers (INI004)
# ----------------------------------------------------------------------------------------------

DEAD_MLP = LINEN + '''

class DeadMlp(nn.Module):
    hidden: int = 16

    @nn.compact
    def __call__(self, x):
        # nested: the output goes straight into ReLU
        y = nn.relu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x))  # expect: INI004
        # the next statement applies the activation
        z = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(y)  # expect: INI004
        z = nn.relu(z)
        # jax.nn.relu, relu6, and a convolution without bias
        c = nn.Conv(4, (3, 3), use_bias=False, kernel_init=nn.initializers.zeros)(x[..., None])  # expect: INI004
        c = jax.nn.relu6(c)
        # a random bias: the units whose bias is ≤ 0 stay dead
        r = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros, bias_init=nn.initializers.normal(0.1))(x)  # expect: INI004
        r = nn.relu(r)
        # a positive constant bias keeps the units alive (symmetric only)
        p = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros, bias_init=nn.initializers.constant(0.1))(x)  # expect: INI001
        p = nn.relu(p)
        # GELU/SiLU/tanh pass gradients at 0: symmetric, not dead
        g = nn.gelu(nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x))  # expect: INI001
        s = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        s = nn.silu(s)
        # a norm between the layer and the ReLU: not followed further
        n = nn.Dense(self.hidden, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        n = nn.LayerNorm()(n)
        n = nn.relu(n)
        n = n + r + p + g + s + z
        return n, c
'''

CHAINED_ZEROS = LINEN + '''

class ChainedZeros(nn.Module):
    """Two zero layers in a row, zero bias, φ(0) = 0 between them: neither gets a gradient."""

    @nn.compact
    def __call__(self, x):
        h = nn.Dense(16, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        h = nn.tanh(h)
        h = nn.Dense(16, kernel_init=nn.initializers.zeros)(h)  # expect: INI004
        return nn.Dense(4)(h)
'''

SETUP_MLP = LINEN + '''

class SetupMlp(nn.Module):
    """Submodules built in `setup` and applied in `__call__`."""

    def setup(self):
        self.fc1 = nn.Dense(16, kernel_init=nn.initializers.zeros)  # expect: INI004
        self.fc2 = nn.Dense(4)

    def __call__(self, x):
        return self.fc2(nn.relu(self.fc1(x)))
'''

SEQUENTIAL = LINEN + '''

mlp = nn.Sequential([
    nn.Dense(16, kernel_init=nn.initializers.zeros),  # expect: INI004
    nn.relu,
    nn.Dense(4),
])
'''

PROJECTOR = LINEN + '''

class Projector(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(self.features, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        return nn.relu(x)
'''

ATTENTION_ALL_ZERO = LINEN + '''

class Attention(nn.Module):
    num_heads: int = 2

    @nn.compact
    def __call__(self, x):
        # value and output projections both zero, with zero bias: neither ever trains
        a = nn.MultiHeadDotProductAttention(num_heads=self.num_heads, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        return x + a
'''

# ----------------------------------------------------------------------------------------------
# linen: smells (INI001/INI002, intent not evident)
# ----------------------------------------------------------------------------------------------

DENSE_FROM_SCRATCH = LINEN + '''

class DenseFromScratch(nn.Module):
    """The Flax docs' hand-written Dense, with the inits a user might try."""

    features: int

    @nn.compact
    def __call__(self, inputs):
        kernel = self.param("kernel", nn.initializers.zeros, (inputs.shape[-1], self.features))  # expect: INI001
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        w2 = self.param("w2", nn.initializers.constant(0.02), (self.features, self.features))  # expect: INI002
        mixing = self.param("mixing", jax.nn.initializers.zeros, (4, self.features, self.features))  # expect: INI001
        embedding = self.param("embedding", nn.initializers.zeros_init(), (10, self.features))  # expect-strict: INI001
        y = jnp.dot(inputs, kernel) + bias
        return (y @ w2) @ mixing[0] + embedding[0]
'''

EINSUM = LINEN + '''

class Einsum(nn.Module):
    """A configurable einsum whose default weight init is zeros (weights loaded later, or not)."""

    shape: tuple
    w_init: nn.initializers.Initializer = nn.initializers.zeros_init()

    @nn.compact
    def __call__(self, eqn, x):
        w = self.param("w", self.w_init, self.shape)  # expect: INI001
        return jnp.einsum(eqn, x, w)
'''

SPELLINGS = LINEN + '''

class Spellings(nn.Module):
    features: int = 8

    @nn.compact
    def __call__(self, x):
        a = nn.Dense(self.features, kernel_init=nn.initializers.zeros)(x)  # expect: INI001
        k = nn.Dense(self.features, kernel_init=nn.initializers.ones)(x)  # expect: INI002
        r = nn.Dense(self.features, kernel_init=nn.initializers.lecun_normal())(x)
        u = nn.LayerNorm(scale_init=nn.initializers.zeros, bias_init=nn.initializers.zeros)(x)
        return jnp.concatenate([a, k, r, u], axis=-1)
'''

ATTENTION_ZERO_QKV = LINEN + '''

class Attention(nn.Module):
    num_heads: int = 2

    @nn.compact
    def __call__(self, x):
        # a random output projection gives the value projection a gradient, but the query and
        # key start at zero together: each one's gradient is the other's output, so neither
        # ever trains and the attention stays uniform
        c = nn.MultiHeadDotProductAttention(  # expect: INI004
            num_heads=self.num_heads,
            kernel_init=nn.initializers.zeros,
            out_kernel_init=nn.initializers.xavier_uniform(),
        )(x)
        return x + c
'''

CONFIGURED_DENSE = LINEN + '''
from typing import Callable


class ConfiguredDense(nn.Module):
    """A module whose kernel initializer is a field: its default is what the class does."""

    features: int
    kernel_init: Callable = nn.initializers.zeros_init()
    bias_init: Callable = nn.initializers.zeros_init()

    @nn.compact
    def __call__(self, x):
        # added back to its input: a residual branch that starts as the identity
        return nn.Dense(self.features, kernel_init=self.kernel_init, bias_init=self.bias_init)(x) + x  # expect-strict: INI001
'''

# ----------------------------------------------------------------------------------------------
# linen: idioms (silent by default) and norms/tokens (never reported)
# ----------------------------------------------------------------------------------------------

VIT_HEAD = LINEN + '''
from typing import Optional


class VisionTransformerHead(nn.Module):
    num_classes: Optional[int] = 10
    head_bias_init: float = 0.0

    @nn.compact
    def __call__(self, x):
        x = nn.LayerNorm(name="encoder_norm")(x)
        x = x[:, 0]
        if self.num_classes:
            x = nn.Dense(  # expect-strict: INI001
                features=self.num_classes,
                name="head",
                kernel_init=nn.initializers.zeros,
                bias_init=nn.initializers.constant(self.head_bias_init))(x)
        return x
'''

MIXER_HEAD = LINEN + '''

class MixerHead(nn.Module):
    num_classes: int

    @nn.compact
    def __call__(self, x):
        x = nn.LayerNorm(name="pre_head_layer_norm")(x)
        x = jnp.mean(x, axis=1)
        return nn.Dense(self.num_classes, kernel_init=nn.initializers.zeros)(x)  # expect-strict: INI001
'''

RESNET_V2_HEAD = LINEN + '''

class ResNetV2(nn.Module):
    num_classes: int = 0
    head_zeroinit: bool = True

    @nn.compact
    def __call__(self, x):
        out = {}
        x = out["pre_logits"] = jnp.mean(x, axis=(1, 2))
        if self.num_classes:
            head = nn.Dense(self.num_classes, name="head", kernel_init=nn.initializers.zeros)  # expect-strict: INI001
            x = out["logits"] = head(x)
        return x, out
'''

DECODER = LINEN + '''

class Decoder(nn.Module):
    output_vocab_size: int
    num_labels: int = 10
    zero_embedding_init: bool = False

    @nn.compact
    def __call__(self, y, labels):
        emb = nn.Embed(  # expect-strict: INI001
            self.num_labels,
            16,
            name="EmbedLabels",
            embedding_init=nn.initializers.zeros if self.zero_embedding_init else nn.initializers.normal(stddev=1.0),
        )(labels)
        y = nn.LayerNorm(name="LayerNorm")(y + emb)
        logits = nn.Dense(self.output_vocab_size, kernel_init=nn.initializers.zeros, name="LogitsDense")(y)  # expect-strict: INI001
        return logits
'''

COUPLING_NET = LINEN + '''

class CouplingNet(nn.Module):
    num_heads: int = 2
    emb_dim: int = 16

    @nn.compact
    def __call__(self, x, context):
        out_dim = x.shape[-1]
        x = nn.Dense(self.emb_dim, name="init_proj")(x)
        y = nn.MultiHeadDotProductAttention(  # expect-strict: INI001
            num_heads=self.num_heads,
            qkv_features=self.emb_dim,
            out_kernel_init=nn.initializers.zeros,
            out_features=x.shape[-1])(x, context)
        x = x + y
        bias, scale = jnp.split(
            nn.Dense(2 * out_dim, kernel_init=nn.initializers.zeros, name="final_proj")(x),  # expect-strict: INI001
            2, axis=-1)
        return bias, scale
'''

DIT = LINEN + '''

def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class DiTBlock(nn.Module):
    """A DiT block with adaptive layer norm zero (adaLN-Zero) conditioning."""

    hidden_size: int
    num_heads: int

    @nn.compact
    def __call__(self, x, c):
        c = nn.silu(c)
        c = nn.Dense(6 * self.hidden_size, kernel_init=nn.initializers.constant(0.))(c)  # expect-strict: INI001
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = jnp.split(c, 6, axis=-1)
        x_norm = nn.LayerNorm(use_bias=False, use_scale=False)(x)
        attn_x = nn.MultiHeadDotProductAttention(kernel_init=nn.initializers.xavier_uniform(),
                                                 num_heads=self.num_heads)(modulate(x_norm, shift_msa, scale_msa),
                                                                           modulate(x_norm, shift_msa, scale_msa))
        x = x + gate_msa[:, None] * attn_x
        mlp_x = nn.Dense(self.hidden_size)(modulate(nn.LayerNorm()(x), shift_mlp, scale_mlp))
        return x + gate_mlp[:, None] * mlp_x


class FinalLayer(nn.Module):
    patch_size: int
    out_channels: int
    hidden_size: int

    @nn.compact
    def __call__(self, x, c):
        c = nn.silu(c)
        c = nn.Dense(2 * self.hidden_size, kernel_init=nn.initializers.constant(0))(c)  # expect-strict: INI001
        shift, scale = jnp.split(c, 2, axis=-1)
        x = modulate(nn.LayerNorm(use_bias=False, use_scale=False)(x), shift, scale)
        x = nn.Dense(self.patch_size * self.patch_size * self.out_channels,  # expect-strict: INI001
                     kernel_init=nn.initializers.constant(0))(x)
        return x


class DiT(nn.Module):
    """Not in the fixture: one DiTBlock and the FinalLayer, as DiT stacks them."""

    @nn.compact
    def __call__(self, x, c):
        x = DiTBlock(hidden_size=16, num_heads=2)(x, c)
        return FinalLayer(patch_size=2, out_channels=3, hidden_size=16)(x, c)
'''

ATTENTION_ZERO_OUT = LINEN + '''

class Attention(nn.Module):
    num_heads: int = 2

    @nn.compact
    def __call__(self, x):
        # a zero output projection alone is the end of a residual branch
        d = nn.MultiHeadDotProductAttention(num_heads=self.num_heads, out_kernel_init=nn.initializers.zeros)(x)  # expect-strict: INI001
        return x + d
'''

VIT_HEAD_KWARGS = LINEN + '''

class ViTHead(nn.Module):
    num_classes: int
    head_zeroinit: bool = True

    @nn.compact
    def __call__(self, x):
        kw = {"kernel_init": nn.initializers.zeros} if self.head_zeroinit else {}
        return nn.Dense(self.num_classes, **kw)(x)  # expect-strict: INI001
'''

POLICY = LINEN + '''

class Policy(nn.Module):
    num_actions: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(16)(x))
        logits = nn.Dense(self.num_actions, kernel_init=nn.initializers.zeros)(h)  # expect-strict: INI001
        return nn.softmax(logits)
'''

BOTTLENECK = LINEN + '''

class BottleneckBlock(nn.Module):
    """BiT: the last GroupNorm of each residual branch starts at γ = 0 (a norm: silent)."""

    features: int

    @nn.compact
    def __call__(self, x):
        y = nn.Conv(self.features, (1, 1), use_bias=False, name="conv1")(x)
        y = nn.relu(nn.GroupNorm(num_groups=2, name="gn1")(y))
        y = nn.Conv(self.features * 4, (1, 1), use_bias=False, name="conv3")(y)
        y = nn.GroupNorm(num_groups=2, name="gn3", scale_init=nn.initializers.zeros)(y)
        return nn.relu(x + y)
'''

VIT_STEM = LINEN + '''

class ViTStem(nn.Module):
    """Tokens, position embeddings, scales and temperatures: never reported."""

    hidden: int = 16

    @nn.compact
    def __call__(self, x):
        n, length, c = x.shape
        cls = self.param("cls", nn.initializers.zeros, (1, 1, c))
        pos_embedding = self.param("pos_embedding", nn.initializers.zeros, (1, length + 1, c))
        registers = self.param("registers", nn.initializers.zeros, (1, 4, c), x.dtype)
        t = self.param("t", nn.initializers.zeros, (1,), jnp.float32)
        scale = self.param("scale", nn.initializers.zeros_init(), (c,))
        gamma = self.param("layerscale", nn.initializers.constant(1e-5), (c,))
        x = jnp.concatenate([jnp.tile(cls, [n, 1, 1]), x], axis=1) + pos_embedding
        return x * (1 + scale) * gamma * jnp.exp(t), registers
'''

# ----------------------------------------------------------------------------------------------
# nnx
# ----------------------------------------------------------------------------------------------

NNX_MLP = NNX + '''

class MLP(nnx.Module):
    def __init__(self, din, dmid, dout, *, rngs: nnx.Rngs):
        # zero kernel, zero bias, then ReLU in __call__: dead
        self.linear1 = nnx.Linear(din, dmid, kernel_init=nnx.initializers.zeros, rngs=rngs)  # expect: INI004
        # its input is relu(0) from the dead layer before it, for good: dead too
        self.linear2 = nnx.Linear(dmid, dmid, kernel_init=nnx.initializers.zeros_init(), rngs=rngs)  # expect: INI004
        self.linear3 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x):
        x = nnx.relu(self.linear1(x))
        x = nnx.gelu(self.linear2(x))
        return self.linear3(x)
'''

NNX_CONVNET = NNX + '''

class ConvNet(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.conv1 = nnx.Conv(3, 8, kernel_size=(3, 3), kernel_init=nnx.initializers.constant(0.1), rngs=rngs)  # expect: INI002
        self.conv2 = nnx.Conv(8, 16, kernel_size=(3, 3), kernel_init=nnx.initializers.zeros, rngs=rngs)  # expect: INI004
        self.embed = nnx.Embed(10, 16, embedding_init=nnx.initializers.zeros, rngs=rngs)  # expect-strict: INI001
        self.proj = nnx.LinearGeneral(16, (2, 8), kernel_init=nnx.initializers.ones, rngs=rngs)  # expect: INI002
        self.attn = nnx.MultiHeadAttention(num_heads=2, in_features=16, kernel_init=nnx.initializers.zeros,  # expect: INI004
                                           decode=False, rngs=rngs)
        self.norm = nnx.LayerNorm(16, scale_init=nnx.initializers.zeros, rngs=rngs)
        self.head = nnx.Linear(16, 10, bias_init=nnx.initializers.zeros, rngs=rngs)

    def __call__(self, x):
        x = jax.nn.relu(self.conv1(x))
        h = self.conv2(x)
        h = nnx.relu(h)
        return self.head(self.norm(h.mean(axis=(1, 2))))
'''

NNX_FROM_SCRATCH = NNX + '''

class LinearFromScratch(nnx.Module):
    """The nnx basics tutorial's custom Linear, with the inits a user might try."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs):
        self.w = nnx.Param(jnp.zeros((din, dout)))  # expect: INI001
        self.b = nnx.Param(jnp.zeros((dout,)))
        self.v = nnx.Param(jnp.ones((din, dout)))  # expect: INI002
        self.u = nnx.Param(nnx.initializers.zeros(rngs.params(), (din, dout)))  # expect: INI001
        self.k = nnx.Param(nnx.initializers.lecun_normal()(rngs.params(), (din, dout)))
        self.scale = nnx.Param(jnp.ones((dout,)))
        self.count = nnx.BatchStat(jnp.zeros((), jnp.uint32))

    def __call__(self, x):
        return x @ (self.w + self.v + self.u + self.k) + self.b
'''

NNX_STACK = NNX + '''

def make_stack(rngs):
    return nnx.Sequential(
        nnx.Linear(8, 16, kernel_init=nnx.initializers.zeros, rngs=rngs),  # expect: INI004
        nnx.relu,
        nnx.Linear(16, 4, rngs=rngs),
    )
'''

# ----------------------------------------------------------------------------------------------
# Haiku
# ----------------------------------------------------------------------------------------------

HAIKU_MLP = HAIKU + '''

class Mlp(hk.Module):
    def __init__(self, hidden, num_classes, name=None):
        super().__init__(name=name)
        self.hidden = hidden
        self.num_classes = num_classes

    def __call__(self, x):
        x = hk.Linear(self.hidden, w_init=hk.initializers.Constant(0))(x)  # expect: INI004
        x = jax.nn.relu(x)
        x = hk.Linear(self.hidden, w_init=hk.initializers.Constant(0.5))(x)  # expect: INI002
        x = jax.nn.gelu(x)
        x = hk.Linear(self.hidden, w_init=jnp.zeros, b_init=jnp.zeros)(x)  # expect: INI001
        x = jnp.tanh(x)
        x = hk.Linear(self.hidden, b_init=hk.initializers.Constant(0.1))(x)
        return hk.Linear(self.num_classes, w_init=jnp.zeros, name="logits")(x)  # expect-strict: INI001


def forward(x):
    return Mlp(16, 4)(x)
'''

HAIKU_CONV_TOWER = HAIKU + '''

def conv_tower(images):
    x = hk.Conv2D(8, kernel_shape=3, w_init=hk.initializers.Constant(constant=0.0))(images)  # expect: INI001
    x = hk.BatchNorm(create_scale=True, create_offset=True, decay_rate=0.9, scale_init=jnp.zeros)(x, True)
    x = hk.Conv2D(8, kernel_shape=3, w_init=hk.initializers.VarianceScaling(2.0))(x)
    tokens = hk.Embed(vocab_size=10, embed_dim=8, w_init=hk.initializers.Constant(0.0))(jnp.zeros((4,), jnp.int32))  # expect-strict: INI001
    return x, tokens
'''

HAIKU_SCALED_LINEAR = HAIKU + '''

class ScaledLinear(hk.Module):
    def __call__(self, x):
        din = x.shape[-1]
        w = hk.get_parameter("w", [din, 16], init=jnp.zeros)  # expect: INI001
        b = hk.get_parameter("b", [16], init=jnp.zeros)
        scale = hk.get_parameter("scale", [], init=jnp.ones)
        counter = hk.get_state("counter", [], init=jnp.zeros)
        hk.set_state("counter", counter + 1)
        return scale * (x @ w + b)


def forward(x):
    return ScaledLinear()(x)
'''

FIX = "test_cases/flax/"
CASES: list[Case] = [
    # --- bugs: dead layers (INI004) ---
    Case("linen_dead_mlp", FIX + "linen_params_and_dead_layers.py::DeadMlp", BUG, DEAD_MLP, linen("DeadMlp", x(6, 8)),
         {"params/Dense_0/kernel": "INI004", "params/Dense_1/kernel": "INI004", "params/Conv_0/kernel": "INI004",
          "params/Dense_2/kernel": "INI004",
          # a zero layer into LayerNorm into ReLU: LayerNorm of identical units is exactly 0, ReLU'(0) = 0
          "params/Dense_6/kernel": "INI004"}),
    Case("linen_chained_zeros", FIX + "linen_params_and_dead_layers.py::ChainedZeros", BUG, CHAINED_ZEROS,
         linen("ChainedZeros", x(6, 8)), {"params/Dense_0/kernel": "INI004", "params/Dense_1/kernel": "INI004"}),
    Case("linen_setup_mlp", FIX + "linen_params_and_dead_layers.py::SetupMlp", BUG, SETUP_MLP,
         linen("SetupMlp", x(6, 8)), {"params/fc1/kernel": "INI004"}),
    Case("linen_sequential", FIX + "linen_params_and_dead_layers.py::mlp", BUG, SEQUENTIAL,
         lambda ns: (jax.jit(ns["mlp"].init)(jax.random.key(0), x(6, 8)), x(6, 8), ns["mlp"].apply),
         {"params/layers_0/kernel": "INI004"}),
    Case("linen_projector_relu_output", FIX + "reduction_forms.py::Projector", BUG, PROJECTOR,
         linen("Projector", x(6, 8), features=4), {"params/Dense_0/kernel": "INI004"}),
    Case("linen_attention_all_zero", FIX + "linen_spellings.py::Attention (a)", BUG, ATTENTION_ALL_ZERO,
         linen("Attention", x(2, 3, 8)),
         {f"params/MultiHeadDotProductAttention_0/{n}/kernel": "INI004" for n in ("query", "key", "value", "out")}),
    Case("nnx_mlp", FIX + "nnx_modules.py::MLP", BUG, NNX_MLP,
         nnx_module(lambda ns, rngs: ns["MLP"](8, 16, 4, rngs=rngs), x(6, 8)),
         {"linear1/kernel": "INI004", "linear2/kernel": "INI004"}),
    Case("nnx_convnet", FIX + "nnx_modules.py::ConvNet", BUG, NNX_CONVNET,
         nnx_module(lambda ns, rngs: ns["ConvNet"](rngs=rngs), x(2, 5, 5, 3)),
         # conv1's constant units feed the dead conv2: no gradient reaches them (INI002 stands); the zero
         # γ of the norm behind the dead conv never trains; embed/proj/attn are not used by __call__ (the zero
         # attn/out is named like an output projection: a note asking for inputs that use it)
         {"conv1/kernel": "INI002", "conv2/kernel": "INI004", "norm/scale": "INI004", "embed/embedding": "INI001",
          "proj/kernel": "INI002", **{f"attn/{n}/kernel": "INI001" for n in ("query", "key", "value")}}),
    Case("nnx_sequential", FIX + "nnx_modules.py::make_stack", BUG, NNX_STACK,
         nnx_module(lambda ns, rngs: ns["make_stack"](rngs), x(6, 8)), {"layers/0/kernel": "INI004"}),
    Case("haiku_mlp", FIX + "haiku_modules.py::Mlp", BUG, HAIKU_MLP, haiku("forward", x(6, 8)),
         # everything behind the dead first layer sees a constant input: the second (constant) layer
         # gets no gradient (INI002 stands), the third (zero) is dead; the logits still train
         {"mlp/linear/w": "INI004", "mlp/linear_1/w": "INI002", "mlp/linear_2/w": "INI004"}),
    # --- smells: INI001/INI002 without evident intent ---
    Case("linen_dense_from_scratch", FIX + "linen_params_and_dead_layers.py::DenseFromScratch", SMELL,
         DENSE_FROM_SCRATCH, linen("DenseFromScratch", x(6, 8), features=8),
         # kernel and mixing are two zero factors of one product: neither ever gets a gradient (the
         # runtime knows "mixing" by no name, so it judges the kernel only); w2's input is always zero
         {"params/kernel": "INI004", "params/w2": "INI002"}),
    Case("linen_einsum", FIX + "linen_params_and_dead_layers.py::Einsum", SMELL, EINSUM,
         lambda ns: _einsum(ns), {}),
    Case("linen_spellings", FIX + "linen_spellings.py::Spellings", SMELL, SPELLINGS, linen("Spellings", x(6, 8)),
         {"params/Dense_1/kernel": "INI002"}),
    Case("nnx_linear_from_scratch", FIX + "nnx_modules.py::LinearFromScratch", SMELL, NNX_FROM_SCRATCH,
         nnx_module(lambda ns, rngs: ns["LinearFromScratch"](8, 4, rngs=rngs), x(6, 8)),
         # w trains (a note); v, u and k are weights to the linter by their literal 2-D shapes, to the
         # runtime unknown names, which it never judges (tokens and gates are zero by design)
         {}),
    Case("haiku_conv_tower", FIX + "haiku_modules.py::conv_tower", SMELL, HAIKU_CONV_TOWER,
         haiku("conv_tower", x(2, 6, 6, 3), state=True),
         # the zero conv feeds a BatchNorm whose γ is 0: the norm's input is 0, so its γ gets no
         # gradient (dead), and no gradient passes back to the conv through γ = 0
         {"conv2_d/w": "INI004", "batch_norm/scale": "INI004"}),
    Case("haiku_scaled_linear", FIX + "haiku_modules.py::ScaledLinear", SMELL, HAIKU_SCALED_LINEAR,
         haiku("forward", x(6, 8), state=True), {}),
    # --- idioms ---
    Case("linen_vit_head", FIX + "idioms_vit_mixer_dit.py::VisionTransformerHead", IDIOM, VIT_HEAD,
         linen("VisionTransformerHead", x(2, 5, 8))),
    Case("linen_mixer_head", FIX + "idioms_vit_mixer_dit.py::MixerHead", IDIOM, MIXER_HEAD,
         linen("MixerHead", x(2, 5, 8), num_classes=4)),
    Case("linen_resnet_v2_head", FIX + "idioms_vit_mixer_dit.py::ResNetV2", IDIOM, RESNET_V2_HEAD,
         linen("ResNetV2", x(2, 3, 3, 8), num_classes=4)),
    Case("linen_decoder_zero_label_embedding", FIX + "idioms_vit_mixer_dit.py::Decoder", IDIOM, DECODER,
         linen("Decoder", x(2, 16), jnp.array([1, 7]), output_vocab_size=6, zero_embedding_init=True)),
    Case("linen_coupling_net", FIX + "idioms_vit_mixer_dit.py::CouplingNet", IDIOM, COUPLING_NET,
         linen("CouplingNet", x(2, 3, 4), x(2, 5, 16, seed=1))),
    Case("linen_dit_block_and_final_layer", FIX + "idioms_vit_mixer_dit.py::DiTBlock, FinalLayer", IDIOM, DIT,
         linen("DiT", x(2, 4, 16), x(2, 16, seed=1))),
    Case("linen_attention_zero_out", FIX + "linen_spellings.py::Attention (d)", IDIOM, ATTENTION_ZERO_OUT,
         linen("Attention", x(2, 3, 8))),
    Case("linen_vit_head_kwargs", FIX + "reduction_forms.py::ViTHead", IDIOM, VIT_HEAD_KWARGS,
         linen("ViTHead", x(6, 8), num_classes=4)),
    Case("linen_attention_zero_qkv", FIX + "linen_spellings.py::Attention (c)", BUG, ATTENTION_ZERO_QKV,
         linen("Attention", x(2, 3, 8)),
         # query and key never train; the value does, through the random output projection
         {"params/MultiHeadDotProductAttention_0/query/kernel": "INI004",
          "params/MultiHeadDotProductAttention_0/key/kernel": "INI004"}),
    Case("linen_configured_dense", FIX + "linen_spellings.py::ConfiguredDense", IDIOM, CONFIGURED_DENSE,
         linen("ConfiguredDense", x(6, 8), features=8)),
    Case("linen_policy_head", FIX + "one_pipeline.py::Policy", IDIOM, POLICY, linen("Policy", x(6, 8), num_actions=4)),
    # --- silent: norms, tokens and scalars ---
    Case("linen_bit_zero_gamma_block", FIX + "idioms_vit_mixer_dit.py::BottleneckBlock", SILENT, BOTTLENECK,
         linen("BottleneckBlock", x(2, 3, 3, 8), features=2)),
    Case("linen_vit_stem_tokens", FIX + "linen_params_and_dead_layers.py::ViTStem", SILENT, VIT_STEM,
         linen("ViTStem", x(2, 4, 8))),
]


def _einsum(ns):
    module = ns["Einsum"](shape=(8, 4))
    inputs = ("bd,dk->bk", x(6, 8))
    variables = jax.jit(module.init, static_argnums=1)(jax.random.key(0), *inputs)
    # the equation is a static string: close over it, pass the array
    return variables, inputs[1], lambda v, a: module.apply(v, inputs[0], a)
