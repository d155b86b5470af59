"""Keras layers whose kernel starts at zero behind a ReLU (INI004): the keyword is removed, and
the commas, line breaks and comments around it stay right."""

import keras
from keras import layers


def build(hidden=32):
    return keras.Sequential([
        keras.Input((8,)),
        layers.Dense(hidden, activation="relu", kernel_initializer="zeros"),
        layers.Dense(hidden, kernel_initializer="zeros", activation="relu"),
        layers.Dense(hidden, activation="relu", kernel_initializer="zeros", ),
        layers.Dense(
            hidden,
            activation="relu",
            # the kernel starts at zero
            kernel_initializer=keras.initializers.Zeros(),  # this comment goes with its line
        ),
        layers.Dense(
            hidden,
            kernel_initializer="zeros",
            activation="relu",  # relu
        ),
        layers.Dense(hidden, activation="relu",
                     kernel_initializer="zeros"),
        layers.Dense(2),
    ])


def conv(x):
    x = layers.SeparableConv2D(8, 3, activation="relu", pointwise_initializer="zeros")(x)
    return layers.Conv2D(4, 3)(x)
