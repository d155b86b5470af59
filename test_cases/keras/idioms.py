"""Deliberate zero kernels in Keras code (issue 4): silent by default, reported with the
recognised reason under --strict (`expect-strict`).

Output layers (a classifier head, the last layer of a model, `outputs = ...`), LoRA's B, gates,
deformable-attention offsets and weights (keras-hub's D-FINE), adaLN-Zero modulations whose
output is split into shift/scale/gate, and inits guarded by a flag whose name says zero.
"""
import keras
from keras import layers, ops


class ImageClassifierHead(layers.Layer):
    def __init__(self, num_classes, zero_init_head=True, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.GlobalAveragePooling2D()
        self.head = layers.Dense(num_classes, kernel_initializer="zeros", name="head")  # expect-strict: INI001
        self.predictions = layers.Dense(  # expect-strict: INI001
            num_classes,
            kernel_initializer="zeros" if zero_init_head else "glorot_uniform",
        )

    def call(self, x):
        return self.predictions(self.pool(x))


def build_mlp(num_features, num_classes):
    inputs = keras.Input(shape=(num_features,))
    x = layers.Dense(256, activation="gelu")(inputs)
    outputs = layers.Dense(num_classes, kernel_initializer="zeros")(x)  # expect-strict: INI001
    return keras.Model(inputs, outputs)


regressor = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(64, activation="relu"),
    layers.Dense(1, kernel_initializer="zeros"),  # expect-strict: INI001
])
policy = keras.Sequential([layers.Dense(64, activation="tanh"), layers.Dense(18, kernel_initializer="zeros")])  # expect-strict: INI001


class DeformableAttention(layers.Layer):
    """keras-hub's D-FINE starts its sampling offsets and attention weights at zero."""

    def __init__(self, n_heads, n_points, hidden_dim, **kwargs):
        super().__init__(**kwargs)
        self.sampling_offsets = layers.EinsumDense(  # expect-strict: INI001
            "abc,cdef->abdef",
            output_shape=(None, n_heads, n_points, 2),
            bias_axes="def",
            kernel_initializer="zeros",
            bias_initializer="zeros",
            name="sampling_offsets",
        )
        self.attention_weights = layers.EinsumDense(  # expect-strict: INI001
            "abc,cde->abde",
            output_shape=(None, n_heads, n_points),
            bias_axes="de",
            kernel_initializer="zeros",
            name="attention_weights",
        )
        self.gate = layers.Dense(2 * hidden_dim, name="gate", kernel_initializer="zeros")  # expect-strict: INI001


class LoRADense(layers.Layer):
    """LoRA: B starts at zero so that the adapted layer starts as the frozen one."""

    def __init__(self, units, rank=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.rank = rank
        self.lora_a = layers.Dense(rank, use_bias=False, kernel_initializer="he_uniform")
        self.lora_b = layers.Dense(units, use_bias=False, kernel_initializer="zeros")  # expect-strict: INI001

    def build(self, input_shape):
        self.lora_kernel_b = self.add_weight(  # expect-strict: INI001
            name="lora_kernel_b", shape=(self.rank, self.units), initializer="zeros")


class DiTBlock(layers.Layer):
    """DiT's adaLN-Zero: the conditioning projection starts at zero, and its output is split
    into shift/scale/gate, so each block starts as the identity."""

    def __init__(self, dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.norm1 = layers.LayerNormalization(epsilon=1e-6, center=False, scale=False)
        self.attn = layers.MultiHeadAttention(num_heads, dim // num_heads)
        self.cond_proj = layers.Dense(6 * dim, kernel_initializer="zeros")  # expect-strict: INI001

    def call(self, x, c):
        c = self.cond_proj(ops.silu(c))
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = ops.split(c, 6, axis=-1)
        h = self.norm1(x) * (1 + scale_msa[:, None]) + shift_msa[:, None]
        return x + gate_msa[:, None] * self.attn(h, h)


class FiLM(layers.Layer):
    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.to_params = layers.Dense(2 * channels, kernel_initializer="zeros")  # expect-strict: INI001

    def call(self, x, cond):
        gamma, beta = ops.split(self.to_params(cond), 2, axis=-1)
        return x * (1 + gamma) + beta


class ResidualBlock(layers.Layer):
    def __init__(self, filters, zero_init_residual=False, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = layers.Conv2D(filters, 3, padding="same", activation="relu")
        if zero_init_residual:
            self.conv2 = layers.Conv2D(filters, 3, padding="same", kernel_initializer="zeros")  # expect-strict: INI001
        else:
            self.conv2 = layers.Conv2D(filters, 3, padding="same")
