"""Every spelling of a constant kernel initializer that Keras 3 accepts (issue 4).

The strings are exactly the ones `keras.initializers.get` resolves in Keras 3.15
("zeros", "zero", "Zeros", "ones", "one", "Ones"); Keras rejects "constant", "Constant",
"ZEROS", "Zero" and "One", so those lines must stay silent. `Constant()` defaults to 0.
This file runs under Keras 3: every `# expect` line really builds a constant kernel.
"""
import keras
from keras import initializers, layers
from keras.initializers import Constant, Ones, Zeros

UNITS = 64

# strings
a = layers.Dense(UNITS, kernel_initializer="zeros")  # expect: INI001
b = layers.Dense(UNITS, kernel_initializer="zero")  # expect: INI001
c = layers.Dense(UNITS, kernel_initializer="Zeros")  # expect: INI001
d = layers.Dense(UNITS, kernel_initializer="ones")  # expect: INI002
e = layers.Dense(UNITS, kernel_initializer="one")  # expect: INI002
f = layers.Dense(UNITS, kernel_initializer="Ones")  # expect: INI002

# classes, used as they are (Keras instantiates them) or called
g = layers.Dense(UNITS, kernel_initializer=Zeros())  # expect: INI001
h = layers.Dense(UNITS, kernel_initializer=Zeros)  # expect: INI001
i = layers.Dense(UNITS, kernel_initializer=Ones())  # expect: INI002
j = layers.Dense(UNITS, kernel_initializer=keras.initializers.Constant(0.5))  # expect: INI002
k = layers.Dense(UNITS, kernel_initializer=Constant(value=0))  # expect: INI001
m = layers.Dense(UNITS, kernel_initializer=Constant(value=0.0))  # expect: INI001
n = layers.Dense(UNITS, kernel_initializer=Constant())  # expect: INI001
o = layers.Dense(UNITS, kernel_initializer=Constant(-0.0))  # expect: INI001
p = layers.Dense(UNITS, kernel_initializer=Constant(1e-3))  # expect: INI002

# the lowercase aliases (in Keras 3 they are the classes themselves)
q = layers.Dense(UNITS, kernel_initializer=initializers.zeros)  # expect: INI001
r = layers.Dense(UNITS, kernel_initializer=initializers.zeros())  # expect: INI001
s = layers.Dense(UNITS, kernel_initializer=initializers.ones())  # expect: INI002
t = layers.Dense(UNITS, kernel_initializer=initializers.constant(0.))  # expect: INI001
u = layers.Dense(UNITS, kernel_initializer=keras.initializers.constant(2.0))  # expect: INI002

# initializers.get, serialized configs, and an inline callable
v = layers.Dense(UNITS, kernel_initializer=initializers.get("zeros"))  # expect: INI001
w = layers.Dense(UNITS, kernel_initializer=keras.initializers.get("Ones"))  # expect: INI002
x = layers.Dense(UNITS, kernel_initializer={"class_name": "Zeros", "config": {}})  # expect: INI001
y = layers.Dense(UNITS, kernel_initializer={"class_name": "Constant", "config": {"value": 0.5}})  # expect: INI002
z = layers.Dense(UNITS, kernel_initializer=lambda shape, dtype=None: keras.ops.zeros(shape, dtype))  # expect: INI001

# through a module-level or local variable (attributes: see custom_layers.py)
zero_init = Zeros()
layers.Dense(UNITS, kernel_initializer=zero_init)  # expect: INI001
CONFIGURED_INIT = keras.initializers.get("zeros")


def make_projection(units):
    init = keras.initializers.Zeros()
    proj = layers.Dense(units, kernel_initializer=init)  # expect: INI001
    other = layers.Dense(units, kernel_initializer=CONFIGURED_INIT)  # expect: INI001
    return proj, other


def make_projection_from(units, kernel_initializer="glorot_uniform"):
    # a parameter: whatever the caller passes, so nothing to report here
    return layers.Dense(units, kernel_initializer=kernel_initializer)


# multi-line calls are reported where the callee starts
wide = layers.Dense(  # expect: INI001
    4 * UNITS,
    use_bias=True,
    kernel_initializer="zeros",
)

# --- silent: what Keras rejects, random inits, biases, standalone tensors ---
layers.Dense(UNITS, kernel_initializer="constant")  # KeyError 'value' in Keras 3
layers.Dense(UNITS, kernel_initializer="Constant")
layers.Dense(UNITS, kernel_initializer="ZEROS")
layers.Dense(UNITS, kernel_initializer="Zero")
layers.Dense(UNITS, kernel_initializer="One")
layers.Dense(UNITS, kernel_initializer={"class_name": "Constant", "config": {}})
layers.Dense(UNITS, kernel_initializer="glorot_uniform")
layers.Dense(UNITS, kernel_initializer="he_normal")
layers.Dense(UNITS, kernel_initializer="identity")
layers.Dense(UNITS, kernel_initializer=initializers.RandomNormal(stddev=0.02))
layers.Dense(UNITS, kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02))
layers.Dense(UNITS, kernel_initializer="glorot_uniform", bias_initializer="zeros")
layers.Dense(UNITS, bias_initializer=Constant(0.1))
layers.Dense(UNITS, bias_initializer="ones")
layers.BatchNormalization(gamma_initializer="zeros", beta_initializer="zeros")
layers.BatchNormalization(moving_mean_initializer="zeros", moving_variance_initializer="ones")
layers.LayerNormalization(gamma_initializer="ones", beta_initializer="zeros")
zeros_tensor = Zeros()(shape=(3, 4))
ones_tensor = keras.initializers.Ones()(shape=(3, 4))
constant_tensor = keras.initializers.Constant(value=0.1)(shape=(10,))
