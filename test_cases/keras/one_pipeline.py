"""Where the shipped pipeline once lost what the whole file says (issue 12): layers applied in
a `return`, through `**kwargs` dicts bound in the same function. The reduction kept the
bindings and dropped the `return`; a function that holds an init is now read whole."""

import keras
from keras import layers


def build(units):
    layer_kwargs = dict(kernel_initializer="zeros", bias_initializer="zeros")
    hidden = {"kernel_initializer": keras.initializers.Ones()}
    return layers.Dense(units, **layer_kwargs), layers.Dense(units, **hidden)  # expect: INI001, INI002
