"""Test-wide environment: Keras runs on the torch backend and writes into a temp dir, never ~."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="initlint-keras-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
