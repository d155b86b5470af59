"""The stdlib ``ast`` guard in front of libcst (which is ~10x slower and can crash or take
minutes on pathological nesting).

``locate`` parses with ``ast`` (syntax errors become INI900, too-deep nesting INI901) and
returns the source libcst should see: the same lines, with every top-level function or
class (and every method of a kept class) that cannot hold an init blanked out. A blanked
definition leaves ``name = None`` behind, so that its name still shadows imports.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from initlint.findings import Settings
from initlint.static.prefilter import pattern

#: Deeper expressions than this make libcst's recursive visitors overflow or crawl.
MAX_DEPTH = 150
#: Methods kept in a class that has an init anywhere: they say what the layers are and how
#: they are wired (constructors, forward), which INI004 and the role rules read.
CONTEXT_METHODS = frozenset({"__init__", "forward", "__call__", "call", "build", "setup", "_forward"})


class SourceError(Exception):
    """A file that cannot be analysed: ``code`` is INI900 or INI901."""

    def __init__(self, code: str, line: int, col: int, message: str):
        super().__init__(message)
        self.code, self.line, self.col, self.message = code, line, col, message


def parse_guarded(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as e:
        code = "INI901" if "too many nested" in (e.msg or "") or "too complex" in (e.msg or "") else "INI900"
        kind = "too deeply nested" if code == "INI901" else "syntax error"
        return _raise(code, e.lineno or 1, max((e.offset or 1) - 1, 0), f"{kind}: {e.msg}")
    except (RecursionError, MemoryError):
        return _raise("INI901", 1, 0, "too deeply nested to analyse safely (the parser ran out of stack)")
    except ValueError as e:  # null bytes on older Pythons
        return _raise("INI900", 1, 0, f"cannot parse: {e}")


def _raise(code: str, line: int, col: int, message: str):
    raise SourceError(code, line, col, message)


def locate(text: str, path: str, settings: Settings) -> Optional[str]:
    """The source to hand to libcst (same line numbers), or None when nothing can matter."""
    tree = parse_guarded(text, path)
    regex = pattern(tuple(w for w, _ in settings.init_wrappers))
    lines = physical_lines(text)
    keep_any = False
    edits: list[tuple[int, int, str]] = []  # (first line, last line, replacement), 1-based

    def segment(node: ast.stmt) -> tuple[int, int]:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        return first, node.end_lineno or node.lineno

    def matches(first: int, last: int) -> bool:
        return any(regex.search(lines[i]) for i in range(first - 1, min(last, len(lines))))

    for node in tree.body:
        first, last = segment(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not matches(first, last):
                edits.append((first, last, f"{node.name} = None"))
                continue
            keep_any = True
            _check_depth(node)
            if isinstance(node, ast.ClassDef):
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.name not in CONTEXT_METHODS:
                        mf, ml = segment(member)
                        if not matches(mf, ml):
                            edits.append((mf, ml, " " * member.col_offset + f"{member.name} = None"))
        else:
            _check_depth(node)
            if matches(first, last):
                keep_any = True
    if not keep_any:
        return None
    if not edits:
        return text
    out = list(lines)
    for first, last, replacement in edits:
        ending = _ending(out[first - 1])
        out[first - 1] = replacement + ending
        for i in range(first, last):
            out[i] = _ending(out[i])
    return "".join(out)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def physical_lines(text: str) -> list[str]:
    """Lines as Python's tokenizer counts them (str.splitlines also splits on \\f, \\x1c...)."""
    return _LINE.findall(text)


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return "\n"


def _check_depth(node: ast.AST) -> None:
    """Raise INI901 when the statement nests deeper than libcst can walk safely."""
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            line = getattr(current, "lineno", getattr(node, "lineno", 1))
            raise SourceError("INI901", line, getattr(current, "col_offset", 0),
                              f"expression nested more than {MAX_DEPTH} levels deep: too deep to analyse safely")
        for child in ast.iter_child_nodes(current):
            stack.append((child, depth + 1))
