"""Tensors without fan-in, read from structure and shape rather than names.

An embedding table is indexed, not applied to an input: a row is trained by the positions
that look it up, so a zero table (DETR-style reference points, value embeddings, codebooks)
starts as "no offset" and trains. A Parameter whose shape is one sized axis among broadcast
1s (``torch.ones(1, dim, 1, 1)``) is a per-channel vector, like ``torch.ones(dim)``.
A zero weight matrix applied to the input stays a finding, and a zero table feeding a ReLU
is still dead."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class QueryDecoder(nn.Module):
    def __init__(self, num_queries, dim):
        super().__init__()
        self.refpoint_embed = nn.Embedding(num_queries, 4)
        nn.init.constant_(self.refpoint_embed.weight, 0)  # expect-strict: INI001
        self.query_feat = nn.Embedding(num_queries, dim)
        self.channel_scale = nn.Parameter(torch.ones(1, dim, 1, 1))
        self.channel_temperature = nn.Parameter(torch.full((1, dim, 1, 1), 0.5))  # read by a loss elsewhere
        self.grid = nn.Parameter(torch.full((dim, 1, 3, 3), 0.5))  # expect: INI002
        self.mix = nn.Parameter(torch.zeros(dim, dim))  # expect: INI001
        self.proj = nn.Linear(dim, dim)

    def forward(self, feats, idx):
        ref = self.refpoint_embed(idx).sigmoid()
        q = self.proj(F.gelu(F.linear(feats.mean((2, 3)), self.mix))) + self.query_feat(idx)
        return q, ref, feats * self.channel_scale


class DeadLookup(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        nn.init.zeros_(self.tok.weight)  # expect: INI004
        self.out = nn.Linear(dim, vocab)

    def forward(self, ids):
        return self.out(F.relu(self.tok(ids)))


class PathWeights(nn.Module):
    """torch_geometric's PANConv: one coefficient per path length (``filter_size + 1`` is a
    number, so the Parameter is a vector), filled with 0.5: no units to be symmetric."""

    def __init__(self, filter_size):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(filter_size + 1))
        self.reset_parameters()

    def reset_parameters(self):
        self.weight.data.fill_(0.5)


class ComplexBatchNormScale(nn.Module):
    """espnet's complex BatchNorm: ``torch.Tensor(n)`` is a vector (the diagonal of the
    whitening scale, set to 1); the full mixing matrix filled with one value is still a finding."""

    def __init__(self, num_features):
        super().__init__()
        self.Wrr = nn.Parameter(torch.Tensor(num_features))
        self.mix = nn.Parameter(torch.Tensor(num_features, num_features))
        self.Wrr.data.fill_(1)
        self.mix.data.fill_(1)  # expect: INI002


class GaussianKernels(nn.Module):
    """dgl's GMMConv: per-kernel inverse standard deviations, set to 1 in reset_parameters and
    used squared, elementwise, in a Gaussian's exponent: a scale, not a fan-in weight."""

    def __init__(self, n_kernels, dim):
        super().__init__()
        self.mu = nn.Parameter(torch.Tensor(n_kernels, dim))
        self.inv_sigma = nn.Parameter(torch.Tensor(n_kernels, dim))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.normal_(self.mu, 0, 0.1)
        nn.init.constant_(self.inv_sigma, 1)  # expect-strict: INI002

    def forward(self, pseudo):
        gaussian = -0.5 * ((pseudo.unsqueeze(1) - self.mu) ** 2)
        gaussian = gaussian * (self.inv_sigma ** 2)
        return torch.exp(gaussian.sum(dim=-1))
