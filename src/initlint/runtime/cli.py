"""``initlint check-model MODULE:FACTORY``: check_model_init from the command line, for CI without a test.

``MODULE:FACTORY`` names a model, or a callable that builds one with no arguments
(``mypkg.models:build_model``, ``mypkg.models:MyNet``, ``mypkg.models:model``), imported with the
current directory on ``sys.path`` as ``python -m`` does. ``--inputs`` enables the probe:

- ``8x3x32x32``: a random float32 tensor of that shape (``torch.randn``);
- ``dummy``: the model's own ``dummy_inputs`` (transformers models);
- ``MODULE:NAME``: inputs, or a callable returning them (called with the model when it takes an
  argument).

Exit status: 0 no problems, 1 problems, 2 a usage error, a model that cannot be imported or
built, or a probe that cannot run (one line on stderr; ``INITLINT_DEBUG=1`` shows a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import sys
from typing import Any, Optional

_SHAPE = re.compile(r"\d+(x\d+)*")


class UsageError(Exception):
    """A bad argument, or a model or inputs that cannot be obtained: one line for the user."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="initlint check-model",
        description="Check an instantiated PyTorch or Keras model's initial weights (check_model_init).",
        epilog="Exit status: 0 no problems, 1 problems, 2 usage error or a model/probe that could not run.",
    )
    p.add_argument("model", metavar="MODULE:FACTORY", help="a model, or a callable that builds one (no arguments)")
    p.add_argument("--inputs", metavar="SPEC", help="example inputs for the probe: a shape (8x3x32x32), "
                   "'dummy' (the model's dummy_inputs), or MODULE:NAME (inputs or a callable returning them)")
    p.add_argument("--steps", type=int, default=3, help="probe steps (default 3)")
    p.add_argument("--allow", action="append", default=[], metavar="GLOB", help="accept problems on these tensors")
    p.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to report")
    p.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes not to report")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    return p


def resolve(spec: str, what: str) -> Any:
    """The object ``MODULE:NAME`` names (NAME may be dotted)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{what} must look like MODULE:NAME (e.g. mypkg.models:build_model), got {spec!r}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # the user's module: anything can happen on import
        raise UsageError(f"cannot import {module_name!r}: {type(exc).__name__}: {exc}") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"{module_name!r} has no attribute {attr!r}") from None
    return obj


def _is_model(obj: Any) -> bool:
    torch = sys.modules.get("torch")
    keras = sys.modules.get("keras")
    if torch is not None and isinstance(obj, torch.nn.Module):
        return True
    layer = getattr(keras, "Layer", None) if keras is not None else None
    return layer is not None and isinstance(obj, layer)


def build_model(spec: str) -> Any:
    obj = resolve(spec, "the model")
    if _is_model(obj):
        return obj
    if not callable(obj):
        raise UsageError(f"{spec} is neither a model nor a callable that builds one ({type(obj).__name__})")
    try:
        model = obj()
    except Exception as exc:  # the user's factory
        raise UsageError(f"{spec}() raised {type(exc).__name__}: {exc}") from exc
    if not _is_model(model):
        raise UsageError(f"{spec}() returned {type(model).__name__}, not a torch.nn.Module or a Keras model")
    return model


def example_inputs(spec: Optional[str], model: Any) -> Any:
    if spec is None:
        return None
    if _SHAPE.fullmatch(spec):
        import torch

        return torch.randn(*(int(d) for d in spec.split("x")), generator=torch.Generator().manual_seed(0))
    if spec == "dummy":
        dummy = getattr(model, "dummy_inputs", None)
        if dummy is None:
            raise UsageError(f"{type(model).__name__} has no dummy_inputs; give --inputs a shape or MODULE:NAME")
        return dummy
    obj = resolve(spec, "--inputs")
    if not callable(obj) or _is_model(obj):
        return obj
    try:
        takes_model = bool(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        takes_model = False
    try:
        return obj(model) if takes_model else obj()
    except Exception as exc:  # the user's input factory
        raise UsageError(f"{spec}() raised {type(exc).__name__}: {exc}") from exc


def main(argv: "list[str]") -> int:
    """Run ``initlint check-model``; returns the exit status."""
    args = _parser().parse_args(argv)
    from initlint.runtime.check import check_model_init
    from initlint.runtime.report import InitCheckError, ProbeError

    try:
        model = build_model(args.model)
        inputs = example_inputs(args.inputs, model)
        report = check_model_init(
            model, example_inputs=inputs, steps=args.steps, allow=args.allow, raise_on_problem=False,
            select=args.select.split(",") if args.select else None,
            ignore=args.ignore.split(",") if args.ignore else (),
        )
    except (UsageError, ProbeError, ValueError, TypeError) as exc:
        if os.environ.get("INITLINT_DEBUG"):
            raise
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"initlint check-model: error: {message}", file=sys.stderr)
        return 2
    except InitCheckError:  # pragma: no cover - raise_on_problem=False
        raise
    print(report.to_json() if args.format == "json" else str(report))
    return 0 if report.ok else 1
