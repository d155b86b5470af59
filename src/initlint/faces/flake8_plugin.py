"""flake8 plugin: a thin adapter over :func:`initlint.pipeline.engine.check_source`.

- Source comes from flake8's ``lines`` (the file is never read twice).
- Columns are handed over 0-based (flake8 adds 1 when printing), so flake8 and the CLI show
  the same ``line:col``.
- flake8 applies ``# noqa``, select/ignore and per-file-ignores itself, so the plugin filters
  nothing but idioms (shown only with ``--initlint-strict``).
- A syntax error is flake8's own E999 (flake8 does not run tree plugins on a file that does
  not parse), so the plugin never reports INI900 for it. It does report INI901 (too deeply
  nested or too large to analyse) and INI900 for an internal error, instead of raising:
  an exception in a plugin aborts flake8's whole run.
- A file Python cannot decode (bytes that are not UTF-8, or not in the encoding its coding
  cookie names, or an unknown cookie) is INI900, as in the ``initlint`` command: flake8
  silently falls back to reading such a file as Latin-1, and findings on that mojibake would
  be findings on a file Python refuses to run. Only a file whose text flake8 got is not
  ASCII, or names a coding in its first two lines, is read again to check.
- Analysis runs in flake8's process (or its ``-j`` workers); the ``ast`` guard keeps the
  input libcst could crash on away from it, but there is no per-file timeout here.

Options (command line, or ``[flake8]`` in setup.cfg/tox.ini/.flake8)::

    initlint-strict = true
    initlint-intent-names = zero_head, my_gate
    initlint-init-wrappers = mylib.init=torch.nn.init, mylib.zero=zeta.utils.init_zero_
"""

from __future__ import annotations

import argparse
import ast
import os
from typing import Any, Iterator, Optional

from initlint import __version__
from initlint.pipeline.config import Config
from initlint.pipeline.sources import SourceProblem, decode, read_bytes


class InitLintChecker:
    name = "initlint"
    version = __version__
    _config = Config()

    def __init__(self, tree: ast.AST, filename: str, lines: "list[str]"):
        # flake8 runs a plugin once per file only when its first parameter is ``tree``;
        # initlint reuses it instead of parsing the file again.
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option(
            "--initlint-strict",
            action="store_true",
            parse_from_config=True,
            help="initlint: also report recognised deliberate idioms (zero heads, LoRA B, ...)",
        )
        parser.add_option(
            "--initlint-intent-names",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="initlint: extra names that mark a zero init as deliberate (comma-separated)",
        )
        parser.add_option(
            "--initlint-init-wrappers",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="initlint: wrapper=canonical pairs, e.g. mylib.init=torch.nn.init (comma-separated)",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls._config = Config(
            strict=bool(getattr(options, "initlint_strict", False)),
            intent_names=tuple(_as_list(getattr(options, "initlint_intent_names", ()))),
            init_wrappers=tuple(sorted(_parse_wrapper(w) for w in _as_list(getattr(options, "initlint_init_wrappers", ())))),
        )

    def run(self) -> Iterator["tuple[int, int, str, type]"]:
        from initlint.pipeline.engine import check_source

        source = "".join(self.lines)
        problem = _undecodable(source, self.filename, self._config.max_file_size)
        if problem is not None:
            yield problem.line, problem.col, f"{problem.code} {problem.message}", type(self)
            return
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        result = check_source(source, self.filename, self._config, cli_filters=False, tree=tree)
        for f in result.findings:
            if f.code == "INI900" and f.message.startswith("syntax error"):
                continue  # flake8's E999 already says it
            yield f.line, f.col, f"{f.code} {f.message}", type(self)


def _undecodable(source: str, filename: str, max_size: int) -> Optional[SourceProblem]:
    """Why Python cannot decode the file flake8 read as ``source``, if it cannot (flake8
    then read it as Latin-1: every byte is a Latin-1 character, so non-ASCII text or a
    coding cookie are the only signs). None when it can, or the file cannot be read again."""
    if source.isascii() and "coding" not in "".join(source.split("\n", 2)[:2]):
        return None
    if not os.path.isfile(filename):  # stdin
        return None
    try:
        data = read_bytes(filename, max_size)
    except SourceProblem:
        return None  # flake8 read it; its size is check_source's to judge
    try:
        decode(data)
    except SourceProblem as problem:
        return problem
    return None


def _as_list(value: Any) -> "list[str]":
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [v for v in (value or []) if v]


def _parse_wrapper(spec: str) -> "tuple[str, str]":
    sep = "=" if "=" in spec else ":"
    wrapper, _, canonical = spec.partition(sep)
    wrapper, canonical = wrapper.strip(), canonical.strip()
    if not wrapper or not canonical or not all(p.isidentifier() for p in (*wrapper.split("."), *canonical.split("."))):
        raise SystemExit(f"flake8: --initlint-init-wrappers: expected wrapper=canonical (dotted names), got {spec!r}")
    return wrapper, canonical
