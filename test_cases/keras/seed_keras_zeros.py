"""The seed documents' Keras examples (issue 4), copied so that a clone needs no ../shared.

Seed 003 ("Keras 3 - Zeros Initialization") builds `ZeroInitializedLayer`, whose kernel starts
at zero, and says itself that this "can lead to symmetry issues ... making them equivalent
and preventing effective learning": INI001 on the `add_weight` that makes the kernel. The
class name says zero, but this file uses the layer as a hidden layer of a plain chain
(`Sequential([..., ZeroInitializedLayer(), layers.Dense(1)])`), where no zero-init idiom
applies, so the finding is shown by default.

Seed 004 ("Constant & Identity Initializations") shows the safe uses: a zero bias next to a
random kernel, `Zeros()` and `Constant(value=0.1)` called to make a tensor, a constant bias
initializer, `Identity`, and a hand-written identity-like conv initializer: all silent.
"""
# --- seed 003 ---------------------------------------------------------------------------------
import tensorflow as tf
from tensorflow.keras import layers, models
from tensorflow.keras.initializers import Zeros


# Define a model with Zeros initialization
class ZeroInitializedLayer(layers.Layer):
    def __init__(self, **kwargs):
        super(ZeroInitializedLayer, self).__init__(**kwargs)
        self.kernel_initializer = Zeros()

    def build(self, input_shape):
        self.kernel = self.add_weight(  # expect: INI001
            shape=(input_shape[-1], 10),
            initializer=self.kernel_initializer,
            trainable=True,
            name='kernel'
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)


model = models.Sequential([
    layers.Input(shape=(20,)),
    ZeroInitializedLayer(),
    layers.Dense(1)
])

# Compile the model
model.compile(optimizer='adam', loss='mse')

# --- seed 004 ---------------------------------------------------------------------------------
import numpy as np  # noqa: E402

# In a layer — zeros for bias (the default), not for kernel
dense = tf.keras.layers.Dense(
    256,
    kernel_initializer='glorot_uniform',  # NOT zeros
    bias_initializer='zeros'  # safe
)
# Standalone
zero_init = tf.keras.initializers.Zeros()
values = zero_init(shape=(3, 4))  # tensor of zeros

batch_norm = tf.keras.layers.BatchNormalization()
# Keras defaults: gamma_initializer='ones', beta_initializer='zeros'

const_init = tf.keras.initializers.Constant(value=0.1)
bias = const_init(shape=(10,))
# In a layer
dense = tf.keras.layers.Dense(10, bias_initializer=tf.keras.initializers.Constant(0.1))

# Only valid for 2D square weight matrices
identity_init = tf.keras.initializers.Identity(gain=1.0)
w = identity_init(shape=(64, 64))
dense = tf.keras.layers.Dense(64, kernel_initializer='identity')  # square only


def dirac_initializer(shape, dtype=tf.float32):
    """Identity-like init for conv layers with in_channels == out_channels."""
    out_ch, kH, kW, in_ch = shape  # TF uses (kH, kW, in_ch, out_ch)
    kernel = np.zeros(shape, dtype=np.float32)
    min_ch = min(out_ch, in_ch)
    center_h, center_w = kH // 2, kW // 2
    for c in range(min_ch):
        kernel[center_h, center_w, c, c] = 1.0
    return tf.constant(kernel, dtype=dtype)


conv = tf.keras.layers.Conv2D(16, 3, padding='same',
                              kernel_initializer=dirac_initializer)
