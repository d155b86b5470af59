"""Test set-up for the runtime checker.

Keras reads KERAS_BACKEND and writes into KERAS_HOME when first imported: both are set here,
before any test module can import it (torch backend; a throw-away home, never ``~``).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="initlint-keras-"))

_SRC = Path(__file__).resolve().parents[2] / "src"
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # zoo.py: the model zoo
try:
    import initlint  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(_SRC))

import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same global RNG state (the checker never consumes it)."""
    torch.manual_seed(0)
    yield
