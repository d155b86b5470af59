"""IPython syntax in notebook cells (and ``ipython`` blocks of docs), masked so that what is
left is Python.

IPython reads a cell before Python does: ``%magic``, ``!shell``, ``?``/``??`` help, autocall
escapes (``/f x``, ``,f a b``, ``;f a b``), ``x = !cmd`` / ``x = %magic`` and automagic
commands (``pip install torch``, ``cd ..``) are turned into ``get_ipython()`` calls. None of
that is Python, and none of it initialises a weight, so each such line becomes ``pass`` at its
own indentation (a masked line inside a ``for`` body keeps the body valid) and its backslash
continuations become blank. The line count never changes, so line numbers hold.

Escapes count only at the start of a logical line, as in IPython: a ``%`` inside brackets or a
string is Python. A small scanner tracks brackets, strings and backslash continuations for
that; it is not a tokenizer and needs not be one, since the cell is parsed by ``ast`` after
masking and a cell that still does not parse is left out whole.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from initlint.pipeline.documents.program import parse_error

# IPython's line magics that run without a `%` while automagic is on (its default): the list
# ruff keeps for the same purpose (crates/ruff_notebook/src/cell.rs).
AUTOMAGIC = frozenset(
    "alias alias_magic autoawait autocall automagic bookmark cd code_wrap colors conda config debug dhist "
    "dirs doctest_mode edit env gui history killbgscripts load load_ext loadpy logoff logon logstart "
    "logstate logstop lsmagic macro magic mamba matplotlib micromamba notebook page pastebin pdb pdef pdoc "
    "pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall "
    "rehashx reload_ext rerun reset reset_selective run save sc set_env sx system tb time timeit unalias "
    "unload_ext who who_ls whos xdel xmode".split()
)

# Cell magics whose body IPython runs as ordinary Python in the notebook's namespace: the
# body is analysed (a training cell is often timed), only the ``%%`` line is masked. Every
# other cell magic (``%%bash``, ``%%writefile``, ``%%javascript``...) masks its whole cell.
BODY_IS_PYTHON = frozenset({"time", "timeit", "capture"})

_ESCAPES = tuple("%!?/,;")
_ASSIGN_FROM_MAGIC = re.compile(r"[\w.\[\]\s,()*]+?\s*=\s*[!%]")
_AUTOMAGIC_LINE = re.compile(r"([A-Za-z_]\w*)[ \t]+(?!=[^=])\S")
_INTEREST = re.compile(r"""[#'"()\[\]{}]""")
_CLOSE = {
    '"': re.compile(r'(?:[^"\\]|\\.)*"'),
    "'": re.compile(r"(?:[^'\\]|\\.)*'"),
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""'),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*'''"),
}


def cell_magic(lines: Sequence[str]) -> Optional[str]:
    """The name of the cell magic (``%%time`` -> ``time``) if the cell starts with one."""
    for line in lines:
        stripped = line.strip()
        if stripped:
            if stripped.startswith("%%"):
                return stripped[2:].split(None, 1)[0] if stripped[2:].strip() else ""
            return None
    return None


def mask(lines: Sequence[str]) -> List[str]:
    """``lines`` with every IPython-only line replaced (same number of lines)."""
    out: List[str] = []
    depth, quote, continued = 0, None, False
    blank_rest = False  # inside a masked logical line: its continuation lines go blank
    magic_continues = False  # a masked escape line ended with a backslash
    for line in lines:
        if magic_continues:
            out.append("")
            magic_continues = line.rstrip().endswith("\\")
            continue
        starts = depth == 0 and quote is None and not continued
        if starts:
            blank_rest = False
        elif blank_rest:
            depth, quote, continued, _ = _scan(line, depth, quote)
            out.append("")
            continue
        stripped = line.strip()
        if starts and stripped:
            indent = line[: len(line) - len(line.lstrip())]
            if _is_escape(stripped):
                out.append(indent + "pass")
                magic_continues = stripped.endswith("\\")
                continue
            if stripped.startswith("get_ipython()"):  # Python already: mask the whole logical line
                depth, quote, continued, _ = _scan(line, 0, None)
                out.append(indent + "pass")
                blank_rest = True
                continue
        depth, quote, continued, last = _scan(line, depth, quote)
        if starts and stripped and depth == 0 and quote is None and not continued:
            if last == "?" or _is_automagic(stripped):  # `model?`, `layer.weight??`; `pip install x`
                out.append(line[: len(line) - len(line.lstrip())] + "pass")
                continue
        out.append(line)
    return out


def _is_escape(stripped: str) -> bool:
    return stripped.startswith(_ESCAPES) or _ASSIGN_FROM_MAGIC.match(stripped) is not None


def _is_automagic(stripped: str) -> bool:
    """``pip install torch``, ``cd ..``: a magic's name followed by words, on a line that is
    not Python (``time = 5`` and ``run (x)`` are)."""
    m = _AUTOMAGIC_LINE.match(stripped)
    if m is None or m.group(1) not in AUTOMAGIC or stripped.endswith(":"):
        return False
    return parse_error(stripped + "\n") is not None


def _scan(line: str, depth: int, quote: Optional[str]) -> Tuple[int, Optional[str], bool, str]:
    """Carry bracket depth and an open string across one physical line. Returns the new depth,
    the string still open at the end (or None), whether a backslash continues the logical
    line, and the last character of code on the line (outside strings and comments)."""
    i, n, last = 0, len(line), ""
    while i < n:
        if quote is not None:
            m = _CLOSE[quote].match(line, i)
            if m is None:
                if len(quote) == 3 or line.endswith("\\"):
                    return depth, quote, False, last  # the string goes on
                return depth, None, False, last  # unterminated: Python will say so
            i, quote, last = m.end(), None, "'"
            continue
        m = _INTEREST.search(line, i)
        segment = line[i : m.start() if m else n].rstrip()
        if segment:
            last = segment[-1]
        if m is None:
            break
        ch = m.group()
        if ch == "#":
            return depth, None, False, last
        if ch in "'\"":
            quote = ch * 3 if line.startswith(ch * 3, m.start()) else ch
            i = m.start() + len(quote)
            continue
        depth = depth + 1 if ch in "([{" else max(depth - 1, 0)
        last, i = ch, m.end()
    continued = quote is None and line.endswith("\\")
    return depth, quote, continued, last
