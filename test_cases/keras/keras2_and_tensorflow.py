"""Keras 2 (tf-keras) and TensorFlow's own initializers (issue 4).

tf-keras accepts more strings than Keras 3: its `Constant()` defaults to 0 and its string
table has "constant"/"Constant", so `kernel_initializer="constant"` is a zero kernel there
(Keras 3 rejects that string: see initializer_spellings.py). `tf.keras` is Keras 3 from
TF 2.16 on, so only layers that certainly come from tf-keras get the wider table. Keras
layers also take TensorFlow's initializers (`tf.zeros_initializer()`...).
"""
import tensorflow as tf
import tf_keras
from tf_keras import layers as k2_layers
from tf_keras.initializers import zero

tf_keras.layers.Dense(32, kernel_initializer="constant")  # expect: INI001
k2_layers.Conv2D(16, 3, kernel_initializer="Constant")  # expect: INI001
k2_layers.Dense(32, kernel_initializer="ZerosV2")  # expect: INI001
k2_layers.Dense(32, kernel_initializer="zeros")  # expect: INI001
k2_layers.Dense(32, kernel_initializer=zero())  # expect: INI001
k2_layers.Dense(32, kernel_initializer=tf_keras.initializers.one())  # expect: INI002
k2_layers.Dense(32, kernel_initializer="glorot_uniform", bias_initializer="constant")

# TensorFlow's initializers
tf.keras.layers.Dense(32, kernel_initializer=tf.zeros_initializer())  # expect: INI001
tf.keras.layers.Dense(32, kernel_initializer=tf.ones_initializer())  # expect: INI002
tf.keras.layers.Dense(32, kernel_initializer=tf.constant_initializer(0.))  # expect: INI001
tf.keras.layers.Dense(32, kernel_initializer=tf.constant_initializer(0.05))  # expect: INI002
tf.keras.layers.Dense(32, kernel_initializer=tf.compat.v1.zeros_initializer())  # expect: INI001
tf.keras.layers.Dense(32, kernel_initializer=tf.initializers.zeros())  # expect: INI001
tf.keras.layers.Dense(32, kernel_initializer=lambda shape, dtype=None: tf.zeros(shape, dtype))  # expect: INI001
tf.keras.layers.Dense(32, kernel_initializer=tf.random_normal_initializer(stddev=0.02))
tf.keras.layers.Dense(32, bias_initializer=tf.constant_initializer(0.1))
# tf.keras may be Keras 3, which rejects "constant": silent
tf.keras.layers.Dense(32, kernel_initializer="constant")
