"""Every Keras layer family with a kernel-like initializer, in Keras 3 and tf.keras spellings
(issue 4). A zero kernel on a layer with no activation is INI001; a constant one INI002.
Recurrent and embedding tables count as weights: an all-zero embedding starts every token
identical, so the model's input carries no token identity until the gradients separate
the rows (INI001, like any other zero weight whose intent is not evident).
"""
import keras
import tensorflow as tf
from keras import layers
from keras.src.layers import Dense as SrcDense
from tensorflow.keras import layers as tfl


def build_encoder(vocab_size, hidden, num_heads):
    # Dense and EinsumDense
    dense = layers.Dense(hidden, kernel_initializer="zeros")  # expect: INI001
    einsum = layers.EinsumDense("abc,cd->abd", output_shape=(None, hidden), kernel_initializer="zeros")  # expect: INI001
    src_dense = SrcDense(hidden, kernel_initializer="ones")  # expect: INI002
    # convolutions and their transposes
    conv1 = layers.Conv1D(hidden, 3, kernel_initializer="zeros")  # expect: INI001
    conv2 = layers.Conv2D(hidden, 3, padding="same", kernel_initializer="zeros")  # expect: INI001
    conv3 = layers.Conv3D(hidden, 3, kernel_initializer=keras.initializers.Ones())  # expect: INI002
    deconv = layers.Conv2DTranspose(hidden, 3, strides=2, kernel_initializer="zeros")  # expect: INI001
    deconv1 = layers.Conv1DTranspose(hidden, 3, kernel_initializer="zeros")  # expect: INI001
    # separable and depthwise convolutions: their kernels have their own keywords
    sep = layers.SeparableConv2D(hidden, 3, depthwise_initializer="zeros")  # expect: INI001
    sep_pw = layers.SeparableConv2D(hidden, 3, pointwise_initializer="zeros")  # expect: INI001
    sep1 = layers.SeparableConv1D(hidden, 3, pointwise_initializer="ones")  # expect: INI002
    dw = layers.DepthwiseConv2D(3, depthwise_initializer="zeros")  # expect: INI001
    # recurrent layers and cells: input and recurrent kernels
    rnn = layers.SimpleRNN(hidden, kernel_initializer="zeros")  # expect: INI001
    rnn_rec = layers.SimpleRNN(hidden, recurrent_initializer="zeros")  # expect: INI001
    lstm = layers.LSTM(hidden, recurrent_initializer="zeros")  # expect: INI001
    lstm_k = layers.LSTM(hidden, kernel_initializer=keras.initializers.Constant(0.1))  # expect: INI002
    gru = layers.GRU(hidden, kernel_initializer="zeros", recurrent_initializer="orthogonal")  # expect: INI001
    cell = layers.GRUCell(hidden, recurrent_initializer="zeros")  # expect: INI001
    lstm_cell = layers.LSTMCell(hidden, kernel_initializer="zeros")  # expect: INI001
    # embeddings
    embed = layers.Embedding(vocab_size, hidden, embeddings_initializer="zeros")  # expect-strict: INI001
    embed_tf = tfl.Embedding(vocab_size, hidden, embeddings_initializer="uniform")
    # the same layers through tf.keras
    tf_dense = tf.keras.layers.Dense(hidden, kernel_initializer=tf.keras.initializers.Zeros())  # expect: INI001
    tfl_conv = tfl.Conv2D(hidden, 1, kernel_initializer=tf.keras.initializers.constant(0.5))  # expect: INI002
    return (dense, einsum, src_dense, conv1, conv2, conv3, deconv, deconv1, sep, sep_pw, sep1, dw, rnn, rnn_rec,
            lstm, lstm_k, gru, cell, lstm_cell, embed, embed_tf, tf_dense, tfl_conv)


class PatchEncoder(layers.Layer):
    """A custom layer that forwards Keras's keyword to its sublayer."""

    def __init__(self, num_patches, projection_dim, kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.projection = layers.Dense(projection_dim, kernel_initializer=kernel_initializer)
        self.position_embedding = layers.Embedding(num_patches, projection_dim)


# a custom layer called with a constant kernel is reported at the call
patches = PatchEncoder(196, 768, kernel_initializer="zeros")  # expect: INI001

# the initializers of a layer's bias and norm are never findings
layers.Conv2D(32, 3, kernel_initializer="he_normal", bias_initializer="zeros")
layers.LSTM(32, bias_initializer="ones", unit_forget_bias=False)
layers.Embedding(1000, 32, embeddings_initializer="uniform")
layers.GroupNormalization(groups=8, gamma_initializer="zeros")
