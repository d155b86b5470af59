"""INI004 in Keras: a zero kernel whose output meets an activation with φ'(0) = 0 (issue 4).

Keras's default bias is zero, so a zero-kernel Dense with ReLU outputs relu(0) = 0 for every
input and gets no gradient, ever: the whole layer is dead. With `use_bias=False` too. With a
random bias, the units whose bias is ≤ 0 stay dead; with a positive constant bias each unit
outputs relu(b) > 0 and trains (symmetric, INI001); leaky ReLU, GELU, tanh, ELU have
φ'(0) ≠ 0 and only make a symmetric layer (INI001).
"""
import keras
import tensorflow as tf
from keras import activations, layers, ops

hidden = 128

# the layer's own activation: every spelling keras.activations.get accepts, and objects
layers.Dense(hidden, activation="relu", kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, "relu", kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, activation="relu6", kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, activation=tf.nn.relu, kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, activation=keras.activations.relu, kernel_initializer=keras.initializers.Zeros())  # expect: INI004
layers.Dense(hidden, activation=activations.relu6, kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, activation=layers.ReLU(), kernel_initializer="zeros")  # expect: INI004
layers.Dense(hidden, activation="hard_shrink", kernel_initializer="zeros")  # expect: INI004
layers.Conv2D(32, 3, activation="relu", kernel_initializer="zeros")  # expect: INI004
layers.Conv2D(32, 3, activation="relu", use_bias=False, kernel_initializer="zeros")  # expect: INI004
layers.SeparableConv2D(32, 3, activation="relu", pointwise_initializer="zeros")  # expect: INI004
layers.DepthwiseConv2D(3, activation="relu", depthwise_initializer="zeros")  # expect: INI004
layers.EinsumDense("ab,bc->ac", output_shape=hidden, bias_axes="c", activation="relu",  # expect: INI004
                   kernel_initializer="zeros")
layers.SimpleRNN(hidden, activation="relu", kernel_initializer="zeros")  # expect: INI004
# a random bias: the units whose bias is ≤ 0 are dead (still INI004)
layers.Dense(hidden, activation="relu", kernel_initializer="zeros", bias_initializer="random_normal")  # expect: INI004
# a negative constant bias: all dead
layers.Dense(hidden, activation="relu", kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(-0.1))  # expect: INI004
# a positive constant bias keeps every unit alive (but identical)
layers.Dense(hidden, activation="relu", kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(0.1))  # expect: INI001
# activations whose derivative at 0 is not 0: symmetric, not dead
layers.Dense(hidden, activation="gelu", kernel_initializer="zeros")  # expect: INI001
layers.Dense(hidden, activation="tanh", kernel_initializer="zeros")  # expect: INI001
layers.Dense(hidden, activation="leaky_relu", kernel_initializer="zeros")  # expect: INI001
layers.Dense(hidden, activation=layers.ReLU(negative_slope=0.1), kernel_initializer="zeros")  # expect: INI001
layers.SimpleRNN(hidden, kernel_initializer="zeros")  # expect: INI001
# a constant non-zero kernel is never dead: relu(c * sum(x)) passes gradients
layers.Dense(hidden, activation="relu", kernel_initializer="ones")  # expect: INI002
# the recurrent kernel does not feed the activation alone: the input kernel does
layers.SimpleRNN(hidden, activation="relu", recurrent_initializer="zeros")  # expect: INI001

# the next element of a Sequential
mlp = keras.Sequential([
    layers.Dense(hidden, kernel_initializer="zeros"),  # expect: INI004
    layers.ReLU(),
    layers.Dense(10),
])
conv_stack = keras.Sequential([
    layers.Conv2D(32, 3, kernel_initializer="zeros", use_bias=False),  # expect: INI004
    layers.Dropout(0.1),
    layers.Activation("relu"),
    layers.Conv2D(32, 3),
])
tanh_stack = keras.Sequential([
    layers.Dense(hidden, kernel_initializer="zeros"),  # expect: INI001
    layers.Activation("tanh"),
    layers.Dense(10),
])


# the functional API: the output goes straight into the activation
def build_classifier(num_features):
    inputs = keras.Input(shape=(num_features,))
    x = layers.Dense(hidden, kernel_initializer="zeros")(inputs)  # expect: INI004
    x = layers.Activation("relu")(x)
    h = layers.Dense(hidden, kernel_initializer="zeros")(x)  # expect: INI004
    h = ops.relu(h)
    g = tf.nn.relu(layers.Dense(hidden, kernel_initializer="zeros")(h))  # expect: INI004
    y = layers.Dense(hidden, kernel_initializer="zeros")(g)  # expect: INI004 (its input g stays relu(0) = 0)
    y = layers.LayerNormalization()(y)
    y = layers.ReLU()(y)
    logits = layers.Dense(10)(y)
    return keras.Model(inputs, logits)


# two zero layers in a row, with zero bias and φ(0) = 0 between them: neither trains
deep = keras.Sequential([
    layers.Dense(hidden, kernel_initializer="zeros"),  # expect: INI004
    layers.Activation("tanh"),
    layers.Dense(hidden, kernel_initializer="zeros"),  # expect: INI004
    layers.Activation("sigmoid"),
    layers.Dense(10),
])


# a subclassed layer: the activation is applied in call()
class FeedForward(layers.Layer):
    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.fc1 = layers.Dense(4 * dim, kernel_initializer="zeros")  # expect: INI004
        self.fc2 = layers.Dense(dim)
        self.act = layers.ReLU()

    def call(self, x):
        return self.fc2(self.act(self.fc1(x)))


class GatedBlock(layers.Layer):
    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(dim, kernel_initializer="zeros")  # expect: INI004
        self.mix = layers.Dense(dim)

    def call(self, x):
        h = self.proj(x)
        h = tf.nn.relu(h)
        return x + self.mix(h)


# MultiHeadAttention takes one kernel_initializer for its query, key, value and output
# projections: zero means the value and output projections are two chained zero layers with
# zero bias, and neither ever receives a gradient.
attn = layers.MultiHeadAttention(num_heads=8, key_dim=64, kernel_initializer="zeros")  # expect: INI004
attn_no_bias = layers.MultiHeadAttention(8, 64, use_bias=False, kernel_initializer=keras.initializers.Zeros())  # expect: INI004
gqa = layers.GroupQueryAttention(64, 8, 2, kernel_initializer="zeros")  # expect: INI004
# with a non-zero bias the value projection outputs its bias and the chain trains
attn_bias = layers.MultiHeadAttention(8, 64, kernel_initializer="zeros", bias_initializer="ones")  # expect: INI001
