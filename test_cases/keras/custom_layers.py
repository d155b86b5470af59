"""Custom Keras layers: `add_weight` / `add_variable` / `keras.Variable` (issue 4).

The role of a variable comes from its name and its shape: `kernel`, `w`, `embeddings` or any
literal 2-D+ shape is a weight; biases, norm scales (γ) and shifts (β), moving statistics,
metric accumulators, class/mask/register tokens and learned position embeddings are meant
to start constant and are never reported, and neither is a variable with `trainable=False`.
"""
import keras
from keras import initializers, layers, ops


class Linear(layers.Layer):
    """The keras.io subclassing-guide layer, with the initializers a user might try."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(  # expect: INI001
            shape=(input_shape[-1], self.units),
            initializer="zeros",
            trainable=True,
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ConstantProjection(layers.Layer):
    def __init__(self, units, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel_initializer = initializers.get(kernel_initializer)  # configurable: unknown
        self.scale_initializer = initializers.Ones()
        self.fixed_initializer = initializers.Constant(0.5)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer=self.kernel_initializer)
        self.projection = self.add_weight(  # expect: INI002
            name="projection", shape=(self.units, self.units), initializer=self.fixed_initializer)
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer=self.scale_initializer)


class LegacyDense(layers.Layer):
    """Keras 2 style: `add_weight(name, shape, dtype, initializer)` with a positional name."""

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", [int(input_shape[-1]), 16], "float32", "zeros")  # expect: INI001
        self.bias = self.add_weight("bias", [16], "float32", "zeros")


class Mixer(layers.Layer):
    def build(self, input_shape):
        dim = input_shape[-1]
        self.spatial_mixing = self.add_variable((dim, dim), "ones")  # expect: INI002
        self.channel_mixing = self.add_weight((dim, dim), initializer=initializers.Zeros())  # expect: INI001
        self.mixing_kernel = keras.Variable(initializer="zeros", shape=(dim, dim), name="mixing_kernel")  # expect: INI001


class Normalized(layers.Layer):
    """What is meant to be constant: none of these lines may be reported."""

    def build(self, input_shape):
        dim = input_shape[-1]
        self.gamma = self.add_weight(name="gamma", shape=(dim,), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(dim,), initializer="zeros")
        self.moving_mean = self.add_weight(name="moving_mean", shape=(dim,), initializer="zeros", trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=(dim,), initializer="ones",
                                               trainable=False)
        # a (1 + w)-parametrised RMSNorm stores its scale as zeros
        self.scale = self.add_weight(name="scale", shape=(dim,), initializer="zeros")
        # a 2-D weight that never trains cannot lose its units
        self.frozen = self.add_weight(name="frozen_kernel", shape=(dim, dim), initializer="zeros",
                                      trainable=False)
        self.layer_scale = self.add_weight(name="layer_scale", shape=(dim,), initializer=initializers.Constant(1e-5))


class ViTEmbeddings(layers.Layer):
    """Tokens and position embeddings are added to the patch embeddings, not multiplied."""

    def __init__(self, hidden_dim, num_patches, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.num_patches = num_patches

    def build(self, input_shape):
        self.class_token = self.add_weight(shape=(1, 1, self.hidden_dim), initializer="zeros", name="class_token")
        self.mask_token = self.add_weight(shape=(1, 1, self.hidden_dim), initializer="zeros", name="mask_token")
        self.register_tokens = self.add_weight(
            shape=(1, 4, self.hidden_dim), initializer="zeros", name="register_tokens")
        self.position_embedding = self.add_weight(
            shape=(1, self.num_patches + 1, self.hidden_dim), initializer="zeros", name="position_embedding")
        self.rel_pos_h = self.add_weight(shape=(2 * 14 - 1, 64), initializer="zeros", name="rel_pos_h")


class MeanMetric(keras.metrics.Metric):
    """Metric accumulators are state."""

    def __init__(self, name="mean_metric", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        self.confusion = self.add_variable(shape=(10, 10), initializer="zeros", name="confusion_matrix")
