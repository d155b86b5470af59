"""The stdlib ``ast`` guard in front of libcst, which is ~10x slower and can crash or take
minutes on pathological nesting: syntax errors become INI900, too-deep nesting INI901."""

from __future__ import annotations

import ast
import warnings

#: Deeper expressions than this make libcst's recursive visitors overflow or crawl.
MAX_DEPTH = 150


class SourceError(Exception):
    """A file that cannot be analysed: ``code`` is INI900 or INI901; ``line`` 1-based,
    ``col`` 0-based."""

    def __init__(self, code: str, line: int, col: int, message: str):
        super().__init__(message)
        self.code, self.line, self.col, self.message = code, line, col, message


def parse(text: str, path: str) -> ast.Module:
    """``ast.parse`` without the warnings Python prints about the code it reads
    (``SyntaxWarning: invalid escape sequence``): they are the linted file's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def parse_guarded(text: str, path: str) -> ast.Module:
    """The file's ``ast``, or a :class:`SourceError` saying why there is none."""
    try:
        return parse(text, path)
    except SyntaxError as e:
        code = "INI901" if "too many nested" in (e.msg or "") or "too complex" in (e.msg or "") else "INI900"
        kind = "too deeply nested" if code == "INI901" else "syntax error"
        raise SourceError(code, e.lineno or 1, max((e.offset or 1) - 1, 0), f"{kind}: {e.msg}") from None
    except (RecursionError, MemoryError):
        # CPython's parser raises MemoryError when its own stack overflows on deep nesting
        raise SourceError("INI901", 1, 0, "too deeply nested to analyse safely (the parser ran out of stack)") from None
    except ValueError as e:  # null bytes on older Pythons
        raise SourceError("INI900", 1, 0, f"cannot parse: {e}") from None


def check_depth_header(node: ast.stmt) -> None:
    """``check_depth`` on the expressions of a compound statement's header."""
    for field in ("test", "iter", "items", "decorator_list", "args", "bases", "subject"):
        value = getattr(node, field, None)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, ast.AST):
                check_depth(v)


def check_depth(node: ast.AST) -> None:
    """Raise INI901 when the statement nests deeper than libcst can walk safely (the same
    depth as a walk with ``ast.iter_child_nodes``, 3x faster: fields read from a table)."""
    stack = [(node, 1)]
    child_fields = _CHILD_FIELDS
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            line = getattr(current, "lineno", getattr(node, "lineno", 1))
            raise SourceError("INI901", line, getattr(current, "col_offset", 0),
                              f"expression nested more than {MAX_DEPTH} levels deep: too deep to analyse safely")
        depth += 1
        for name in child_fields[type(current)]:
            value = getattr(current, name, None)
            if type(value) is list:
                stack.extend((item, depth) for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append((value, depth))


class _ChildFields(dict):
    """AST class -> the fields that may hold nodes (not names, flags or positions)."""

    _SCALARS = frozenset({"id", "attr", "arg", "name", "kind", "type_comment", "asname", "module", "level",
                          "is_async", "conversion"})

    def __missing__(self, cls: type) -> "tuple[str, ...]":
        fields = self[cls] = tuple(f for f in cls._fields if f not in self._SCALARS)
        return fields


_CHILD_FIELDS = _ChildFields()
