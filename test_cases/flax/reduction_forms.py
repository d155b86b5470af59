"""Forms the ast reduction must keep for the Keras and Flax rules: init values in plain
assignments, init keywords held in a dict (big_vision's head_zeroinit), tuple targets."""
import flax.linen as nn
import keras
from keras import layers

KERNEL_INIT = "zeros"


class ViTHead(nn.Module):
    num_classes: int
    head_zeroinit: bool = True

    @nn.compact
    def __call__(self, x):
        kw = {"kernel_init": nn.initializers.zeros} if self.head_zeroinit else {}
        return nn.Dense(self.num_classes, **kw)(x)  # expect-strict: INI001


class Projector(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(self.features, kernel_init=nn.initializers.zeros)(x)  # expect: INI004
        return nn.relu(x)


def build_keras_block(units):
    init = KERNEL_INIT
    return layers.Dense(units, kernel_initializer=init)  # expect: INI001
