"""Default-initialised models of many layer types are silent, with and without the probe."""

import pytest
import torch
from torch import nn

from initlint import check_model_init


class Seq2Vec(nn.Module):
    """Wraps a recurrent/attention module so that every model returns one tensor."""

    def __init__(self, inner, kind):
        super().__init__()
        self.inner, self.kind = inner, kind

    def forward(self, x):
        if self.kind == "mha":
            return self.inner(x, x, x)[0]
        if self.kind == "decoder":
            return self.inner(x, x)
        return self.inner(x)[0]


def _healthy():
    return {
        "linear": (lambda: nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4)), lambda: torch.randn(6, 8)),
        "bilinear": (lambda: nn.Bilinear(4, 5, 3), lambda: (torch.randn(6, 4), torch.randn(6, 5))),
        "conv1d": (lambda: nn.Sequential(nn.Conv1d(3, 8, 3), nn.ReLU(), nn.Conv1d(8, 4, 3)), lambda: torch.randn(2, 3, 16)),
        "conv2d_bn": (
            lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 8, 3, groups=2)),
            lambda: torch.randn(2, 3, 10, 10),
        ),
        "depthwise": (lambda: nn.Conv2d(8, 8, 3, groups=8), lambda: torch.randn(2, 8, 6, 6)),
        "conv3d": (lambda: nn.Conv3d(2, 4, 2), lambda: torch.randn(2, 2, 4, 4, 4)),
        "convtranspose2d": (
            lambda: nn.Sequential(nn.ConvTranspose2d(4, 6, 3), nn.ReLU(), nn.ConvTranspose2d(6, 4, 3, groups=2)),
            lambda: torch.randn(2, 4, 5, 5),
        ),
        "lstm": (lambda: Seq2Vec(nn.LSTM(5, 7, num_layers=2, bidirectional=True), "rnn"), lambda: torch.randn(4, 3, 5)),
        "lstm_proj": (lambda: Seq2Vec(nn.LSTM(5, 8, proj_size=3), "rnn"), lambda: torch.randn(4, 3, 5)),
        "gru": (lambda: Seq2Vec(nn.GRU(5, 7, batch_first=True), "rnn"), lambda: torch.randn(3, 4, 5)),
        "rnn": (lambda: Seq2Vec(nn.RNN(5, 7), "rnn"), lambda: torch.randn(4, 3, 5)),
        "lstmcell": (lambda: Seq2Vec(nn.LSTMCell(5, 6), "rnn"), lambda: torch.randn(3, 5)),
        "mha": (lambda: Seq2Vec(nn.MultiheadAttention(8, 2), "mha"), lambda: torch.randn(5, 2, 8)),
        "mha_kdim": (
            lambda: Seq2Vec(nn.MultiheadAttention(8, 2, kdim=8, vdim=8, add_bias_kv=True), "mha"),
            lambda: torch.randn(5, 2, 8),
        ),
        "embedding": (
            lambda: nn.Sequential(nn.Embedding(20, 8, padding_idx=0), nn.Flatten(), nn.Linear(24, 2)),
            lambda: torch.randint(0, 20, (4, 3)),
        ),
        "embeddingbag": (lambda: nn.EmbeddingBag(20, 8), lambda: torch.randint(0, 20, (4, 3))),
        "norms": (
            lambda: nn.Sequential(
                nn.Conv2d(3, 8, 1), nn.GroupNorm(2, 8), nn.InstanceNorm2d(8, affine=True), nn.Flatten(),
                nn.LayerNorm(8 * 4 * 4), nn.Linear(128, 3), nn.RMSNorm(3),
            ),
            lambda: torch.randn(2, 3, 4, 4),
        ),
        "prelu": (lambda: nn.Sequential(nn.Linear(4, 4), nn.PReLU(4), nn.Linear(4, 2)), lambda: torch.randn(3, 4)),
        "transformer_encoder": (
            lambda: nn.TransformerEncoder(
                nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1, batch_first=True), num_layers=2,
                enable_nested_tensor=False,
            ),
            lambda: torch.randn(2, 5, 16),
        ),
        "transformer_decoder_layer": (
            lambda: Seq2Vec(nn.TransformerDecoderLayer(16, 2, 32, batch_first=True), "decoder"),
            lambda: torch.randn(2, 5, 16),
        ),
    }


HEALTHY = _healthy()


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@pytest.mark.parametrize("name", sorted(HEALTHY))
def test_healthy_default_model_is_silent(name):
    build, inputs = HEALTHY[name]
    model = build()
    report = check_model_init(model)
    assert report.ok and not report.allowed
    report = check_model_init(model, example_inputs=inputs())
    assert report.ok, str(report)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_healthy_low_and_high_precision(dtype):
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 8)).to(dtype)
    assert check_model_init(model).ok
    assert check_model_init(model, example_inputs=torch.randn(4, 16, dtype=dtype)).ok


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_problems_are_found(dtype):
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)).to(dtype)
    nn.init.eye_(model[0].weight)
    nn.init.zeros_(model[2].weight)
    report = check_model_init(model, raise_on_problem=False)
    assert {p.name: p.code for p in report.problems} == {"0.weight": "INI005", "2.weight": "INI001"}


def test_gpt2_from_config():
    import transformers
    config = transformers.GPT2Config(n_layer=2, n_head=2, n_embd=32, vocab_size=97, n_positions=16)
    model = transformers.GPT2LMHeadModel(config)
    report = check_model_init(model)
    assert report.ok
    ids = torch.randint(0, 97, (2, 8))
    report = check_model_init(model, example_inputs={"input_ids": ids, "attention_mask": torch.ones_like(ids)})
    assert report.ok, str(report)


def test_gpt2_conv1d_units_are_columns():
    import transformers

    config = transformers.GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=31, n_positions=8)
    model = transformers.GPT2LMHeadModel(config)
    w = model.transformer.h[0].mlp.c_fc.weight  # Conv1D: (in, out) = (8, 32)
    with torch.no_grad():
        w[:, 7] = w[:, 3]
    report = check_model_init(model, raise_on_problem=False)
    (problem,) = report.problems
    assert problem.name == "transformer.h.0.mlp.c_fc.weight" and problem.code == "INI005"
    assert "{3, 7}" in problem.message and "dim 1" in problem.message


def test_bert_from_config():
    import transformers

    config = transformers.BertConfig(
        vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=16,
    )
    model = transformers.BertForSequenceClassification(config)
    ids = torch.randint(0, 50, (2, 6))
    assert check_model_init(model, example_inputs={"input_ids": ids}).ok
