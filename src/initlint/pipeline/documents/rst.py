"""Python in reStructuredText.

What is read as Python:

- ``.. code-block:: LANG``, ``.. code:: LANG``, ``.. sourcecode:: LANG`` with a Python
  language (the Markdown reader's list: ``python``, ``py``, ``python3``, ``pycon``,
  ``ipython``...); options (``:linenos:``, ``:caption:``) are skipped;
- ``.. ipython::`` (IPython's Sphinx directive: ``In [1]:`` prompts, or plain Python with
  ``@suppress``/``@verbatim``-style pseudo-decorators, which are dropped), ``.. doctest::``,
  ``.. testcode::``, ``.. testsetup::``, ``.. testcleanup::`` (sphinx.ext.doctest) and
  ``.. jupyter-execute::``;
- doctest blocks: a paragraph that starts with ``>>>``;
- ``::`` literal blocks, and a ``code-block`` with no language, which Sphinx highlights in the
  document's ``.. highlight::`` language: read when that language is Python; never when it is
  another one (``console``, ``none``...); with no ``highlight`` directive (Sphinx's default
  guesses), only when the block is clearly Python: a ``>>>`` session, or code that parses and
  imports, defines or calls something. Prose, shell commands and file trees do not pass that
  test, and a missed ``::`` block costs less than an analysed paragraph of prose.

A comment (``..`` followed by anything that is not a directive) hides its indented body:
commented-out code is not analysed.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from initlint.pipeline.documents.markdown import IPYTHON, PYTHON, SESSION, python_blocks
from initlint.pipeline.documents.program import AlignedProgram, Block, Program, parse_error
from initlint.pipeline.documents.sessions import doctest_examples, starts_session

_LANGUAGE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode"})
# Directives whose body is Python whatever their argument, and how to read it.
_PYTHON_DIRECTIVES = {
    "ipython": "ipython",
    "doctest": "pycon",
    "testcode": "python",
    "testsetup": "python",
    "testcleanup": "python",
    "jupyter-execute": "python",
}
_DIRECTIVE = re.compile(r"(?P<indent>[ \t]*)\.\.[ \t]+(?P<name>[\w:.+-]+?)[ \t]*::(?:[ \t]+(?P<arg>.*?))?[ \t]*$")
_COMMENT = re.compile(r"[ \t]*\.\.(?:[ \t]|$)")
_OPTION = re.compile(r"[ \t]*:[^:\s][^:]*:(?:[ \t]|$)")
_IPYTHON_PSEUDO = re.compile(r"[ \t]*@(?:suppress|verbatim|savefig|doctest|okexcept|okwarning)\b")
_CLEARLY_PYTHON = re.compile(r"^[ \t]*(?:import\s|from\s+\S+\s+import\s|def\s|class\s|@\w)|\w[ \t]*\(", re.M)


def read_rst(text: str) -> Program:
    lines = text.split("\n")
    program = AlignedProgram(len(lines), "rst")
    highlight: Optional[str] = None  # the `.. highlight::` language in force; None: Sphinx's guess
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _DIRECTIVE.match(line)
        if directive is not None:
            name = directive.group("name").lower()
            arg = (directive.group("arg") or "").split()
            indent = _width(directive.group("indent"))
            if name == "highlight":
                highlight = arg[0].lower() if arg else highlight
                i += 1
                continue
            if name in _LANGUAGE_DIRECTIVES or name in _PYTHON_DIRECTIVES:
                start, end = _body(lines, i + 1, indent, skip_options=True)
                body = [(n + 1, lines[n]) for n in range(start, end)]
                if name in _PYTHON_DIRECTIVES:
                    language = _PYTHON_DIRECTIVES[name]
                    if name == "ipython":
                        body = [(n, "" if _IPYTHON_PSEUDO.match(t) else t) for n, t in body]
                    _add(program, python_blocks(body, language))
                elif arg:
                    _add(program, python_blocks(body, arg[0].lower()))
                else:
                    _add(program, _literal(body, highlight))
                i = max(end, i + 1)
                continue
            i += 1  # any other directive: its body is prose that may hold blocks
            continue
        if _COMMENT.match(line):
            _, end = _body(lines, i + 1, _indent(line), skip_options=False)
            i = max(end, i + 1)
            continue
        stripped = line.strip()
        if starts_session(line) and (i == 0 or not lines[i - 1].strip()):
            end = i
            while end < len(lines) and lines[end].strip():
                end += 1
            _add(program, doctest_examples([(n + 1, lines[n]) for n in range(i, end)]))
            i = end
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            start, end = _body(lines, i + 1, _indent(line), skip_options=False)
            if start > i + 1 and start < end:  # a blank line, then an indented block
                _add(program, _literal([(n + 1, lines[n]) for n in range(start, end)], highlight))
                i = end
                continue
        i += 1
    return program.build()


def _add(program: AlignedProgram, blocks: List[Block]) -> None:
    for block in blocks:
        program.add(block)


def _literal(body: List[Tuple[int, str]], highlight: Optional[str]) -> List[Block]:
    """A block whose language is Sphinx's to guess (see the module docstring)."""
    if highlight is not None and highlight != "default":
        if highlight in PYTHON or highlight in SESSION or highlight in IPYTHON:
            return python_blocks(body, highlight)
        return []
    first = next((t for _, t in body if t.strip()), "")
    if starts_session(first):
        return python_blocks(body, "pycon")
    blocks = python_blocks(body, "python")
    if not blocks:
        return []
    code = "\n".join(c.code for c in blocks[0].lines)
    if parse_error(code + "\n") is None and _CLEARLY_PYTHON.search(code):
        return blocks
    return []


def _body(lines: List[str], start: int, indent: int, skip_options: bool) -> Tuple[int, int]:
    """The indented body after a directive/comment/``::`` line at ``indent``: (first content
    line, end), both indices; trailing blank lines excluded."""
    n = start
    if skip_options:
        while n < len(lines) and lines[n].strip() and _indent(lines[n]) > indent and _OPTION.match(lines[n]):
            n += 1
    while n < len(lines) and not lines[n].strip():
        n += 1
    first = n
    end = n
    while n < len(lines) and (not lines[n].strip() or _indent(lines[n]) > indent):
        n += 1
        if lines[n - 1].strip():
            end = n
    return first, end


def _indent(line: str) -> int:
    return _width(line[: len(line) - len(line.lstrip())])


def _width(indent: str) -> int:
    return len(indent.expandtabs(8))
