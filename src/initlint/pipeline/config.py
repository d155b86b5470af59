"""``[tool.initlint]`` in pyproject.toml: find it, validate it, and merge CLI overrides.

Validation is strict on purpose: a misspelt key (``ignores = [...]``) silently doing nothing
is worse than an error. Every problem is one line naming the file and the key
(:class:`ConfigError`); the CLI prints it and exits 2.
"""

from __future__ import annotations

import os
import reprlib
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from initlint.finding import Settings
from initlint.catalog import FINDING_CODES, expand_codes
from initlint.pipeline.files import DEFAULT_INCLUDE
from initlint.pipeline.sources import DEFAULT_MAX_FILE_SIZE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_TIMEOUT = 60.0
DEFAULT_CACHE_DIR = ".initlint_cache"
#: Upper bounds: beyond them a value is a mistake, and overflows what it feeds (a wait in
#: whole milliseconds, a read buffer). A 1 GiB file would need some 600 GiB of memory for
#: the ``ast`` stage alone (the default limit, 5 MB, already needs about 3 GB).
MAX_TIMEOUT = 86400.0  # one day
MAX_FILE_SIZE_LIMIT = 1 << 30  # 1 GiB


class ConfigError(Exception):
    """A one-line, user-facing configuration problem."""


@dataclass(frozen=True)
class Config:
    """Everything that shapes a run. ``root`` anchors relative globs and the cache dir:
    the directory of the config file, else of the nearest pyproject.toml, else the cwd."""

    root: str = field(default_factory=os.getcwd)
    path: Optional[str] = None  # the config file used, if any
    select: frozenset = frozenset(FINDING_CODES)
    ignore: frozenset = frozenset()
    strict: bool = False
    intent_names: tuple = ()
    init_wrappers: tuple = ()  # sorted (wrapper, canonical) pairs
    per_file_ignores: tuple = ()  # (glob, frozenset of codes) pairs
    exclude: tuple = ()
    force_exclude: bool = False
    include: tuple = DEFAULT_INCLUDE  # globs a directory walk picks up
    extend_include: tuple = ()
    doctests: bool = False  # also analyse the >>> examples of docstrings
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: Optional[int] = None  # None: all available cores
    timeout: float = DEFAULT_TIMEOUT
    cache_dir: Optional[str] = None  # None: <root>/.initlint_cache
    use_cache: bool = True

    def settings(self) -> Settings:
        """The analyzer's view of this config (its ``key()`` is part of the cache key)."""
        return Settings(
            strict=self.strict, intent_names=self.intent_names, init_wrappers=self.init_wrappers, doctests=self.doctests
        )

    @property
    def enabled(self) -> frozenset:
        return self.select - self.ignore

    @property
    def included(self) -> tuple:
        """Every glob a directory walk picks up: ``include`` then ``extend-include``."""
        return self.include + self.extend_include

    def resolved_cache_dir(self) -> str:
        return os.path.join(self.root, self.cache_dir or DEFAULT_CACHE_DIR)

    def with_overrides(self, **changes: Any) -> "Config":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def find_config(start: str) -> "tuple[Optional[str], str, dict]":
    """Walk up from ``start``: return (the nearest pyproject.toml that has a [tool.initlint]
    table, or None; the project root; that table)."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    root: Optional[str] = None
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            root = root or here
            table = _read_table(candidate)
            if table is not None:
                return candidate, here, table
        parent = os.path.dirname(here)
        if parent == here:
            return None, root or os.getcwd(), {}
        here = parent


def load_config(explicit: Optional[str] = None, start: Optional[str] = None, isolated: bool = False) -> Config:
    """Load ``explicit`` (``--config``), else the nearest [tool.initlint] above ``start``."""
    if isolated:
        return Config()
    if explicit is not None:
        path = os.path.abspath(explicit)
        if not os.path.isfile(path):
            raise ConfigError(f"{explicit}: config file not found")
        table = _read_table(path)
        if table is None:  # a dedicated file (initlint.toml): keys at top level
            table = _load_toml(path) if os.path.basename(path) != "pyproject.toml" else {}
        return parse_table(table, path, os.path.dirname(path))
    path, root, table = find_config(start or os.getcwd())
    if path is None:
        return Config(root=root)
    return parse_table(table, path, root)


def _load_toml(path: str) -> dict:
    """The file's TOML; any way that reading it fails is a one-line ConfigError."""
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None
    except MemoryError:
        raise ConfigError(f"{path}: cannot read: too large to read") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {(e.strerror or str(e)).lower()}") from None


def _read_table(path: str) -> Optional[dict]:
    """The file's [tool.initlint] table, or None when it has none."""
    tool = _load_toml(path).get("tool")
    if not isinstance(tool, dict) or "initlint" not in tool:
        return None
    table = tool["initlint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.initlint] must be a table, got {_show(table)}")
    return table


def parse_table(table: dict, path: str, root: str) -> Config:
    """Validate a ``[tool.initlint]`` table into a :class:`Config`."""
    where = f"{path}: [tool.initlint]"
    out: dict[str, Any] = {"root": root, "path": path}
    for key, value in table.items():
        parser = _KEYS.get(key)
        if parser is None:
            hint = _suggest(key)
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        try:
            out[parser[0]] = parser[1](value)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{where}: {key}: {e}") from None
    return Config(**out)


# -- value parsers: each raises TypeError/ValueError with a short reason --------------------


def _str_list(value: Any) -> tuple:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of strings, got {_show(value)}")
    return tuple(value)


def _globs(value: Any) -> tuple:
    globs = _str_list(value)
    for glob in globs:
        if not glob.strip() or "\0" in glob:
            raise ValueError(f"expected globs such as \"*.md\" or \"docs/**/*.rst\", got {_show(glob)}")
    return globs


def _codes(value: Any) -> frozenset:
    return frozenset(expand_codes(_str_list(value)))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_show(value)}")
    return value


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TypeError(f"expected a positive integer, got {_show(value)}")
    return value


def jobs_value(value: Any) -> int:
    """``jobs``: any positive integer (a run caps it at the files and twice the cores)."""
    return _positive_int(value)


def file_size_value(value: Any) -> int:
    """``max-file-size`` in bytes: from 1 to MAX_FILE_SIZE_LIMIT."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FILE_SIZE_LIMIT:
        raise TypeError(f"expected a whole number of bytes from 1 to {MAX_FILE_SIZE_LIMIT} (1 GiB), got {_show(value)}")
    return value


def timeout_value(value: Any) -> float:
    """``timeout`` in seconds: more than 0, at most MAX_TIMEOUT (``inf`` and ``nan`` are not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        raise TypeError(f"expected a number of seconds above 0 and at most {MAX_TIMEOUT:g} (one day), got {_show(value)}")
    return float(value)


def _directory(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"expected a non-empty string, got {_show(value)}")
    if "\0" in value:
        raise ValueError(f"expected a directory name, got {_show(value)} (it holds a NUL character)")
    return value


def _wrappers(value: Any) -> tuple:
    if not isinstance(value, dict):
        raise TypeError(f'expected a table like {{"mylib.init" = "torch.nn.init"}}, got {_show(value)}')
    pairs = []
    for k, v in value.items():
        if not isinstance(v, str) or not _is_dotted(k) or not _is_dotted(v):
            raise ValueError(f"{k!r} = {_show(v)}: expected dotted names on both sides")
        pairs.append((k, v))
    return tuple(sorted(pairs))


def _per_file_ignores(value: Any) -> tuple:
    if not isinstance(value, dict):
        raise TypeError(f'expected a table like {{"tests/*" = ["INI001"]}}, got {_show(value)}')
    out = []
    for glob, codes in value.items():
        try:
            out.append((glob, frozenset(expand_codes(_str_list(codes)))))
        except (TypeError, ValueError) as e:
            raise type(e)(f"{glob!r}: {e}") from None
    return tuple(out)


def _is_dotted(name: Any) -> bool:
    return isinstance(name, str) and bool(name) and all(part.isidentifier() for part in name.split("."))


def _show(value: Any) -> str:
    text = _SHORT_REPR.repr(value)  # bounded in depth and length, whatever TOML held
    return f"{type(value).__name__} {text if len(text) < 40 else text[:37] + '...'}"


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel = 3
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 40


_KEYS: dict[str, tuple] = {
    "select": ("select", _codes),
    "ignore": ("ignore", _codes),
    "strict": ("strict", _bool),
    "intent-names": ("intent_names", _str_list),
    "init-wrappers": ("init_wrappers", _wrappers),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "exclude": ("exclude", _str_list),
    "force-exclude": ("force_exclude", _bool),
    "include": ("include", _globs),
    "extend-include": ("extend_include", _globs),
    "doctests": ("doctests", _bool),
    "max-file-size": ("max_file_size", file_size_value),
    "jobs": ("jobs", jobs_value),
    "timeout": ("timeout", timeout_value),
    "cache-dir": ("cache_dir", _directory),
}


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key.replace("_", "-"), list(_KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(_KEYS)})"


def parse_codes_arg(text: str) -> frozenset:
    """A CLI ``--select INI001,INI00`` value; raises ConfigError for an unknown code."""
    try:
        return frozenset(expand_codes([c for c in text.split(",") if c.strip()]))
    except ValueError as e:
        raise ConfigError(str(e)) from None
