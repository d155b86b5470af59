"""initlint: catch weight-initialisation mistakes before they cost a training run.

The linter (``initlint`` CLI, flake8 plugin, pre-commit hook) never imports torch, keras or
jax. ``check_model_init`` is imported lazily so that ``import initlint`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check_model_init", "InitCheckError", "InitReport", "Problem", "ProbeError"]


def __getattr__(name: str):
    if name in ("check_model_init", "InitCheckError", "InitReport", "Problem", "ProbeError"):
        from initlint import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'initlint' has no attribute {name!r}")
