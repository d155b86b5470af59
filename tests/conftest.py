"""Test-wide environment: Keras runs on the torch backend and writes into a temp dir, never ~;
JAX gets two CPU devices and compiles at -O0."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="initlint-keras-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# JAX (read when it starts its CPU backend, not at import): two CPU devices for the sharded
# checks, and XLA at -O0, since the tests compile many small programs and time none of them.
_flags = os.environ.get("XLA_FLAGS", "")
for _flag in ("--xla_force_host_platform_device_count=2", "--xla_backend_optimization_level=0"):
    if _flag.split("=")[0] not in _flags:
        _flags += " " + _flag
os.environ["XLA_FLAGS"] = _flags.strip()
