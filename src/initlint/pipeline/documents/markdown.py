"""Python in Markdown: fenced code blocks.

Which fences hold Python (by the first word of the info string, case-insensitive):

- ``python``, ``py``, ``python3``, ``py3``: Python (IPython lines in them, such as a
  ``!pip install`` copied from a notebook, are masked rather than failing the block);
- ``pycon``/``python-console``, or any fence (tagged Python or untagged) whose first line
  starts with ``>>>``: a session, prompts stripped and output dropped;
- ``ipython``/``ipython3``: ``In [1]:`` prompts if it has them, else Python with magics;
- attribute and brace spellings: ``{.python .numberLines}``, ``{python}`` (Quarto,
  R Markdown), ``{code-cell} ipython3`` and ``{code-block} python`` (MyST; a code-cell's
  leading ``:tag:`` options or ``---`` front matter are skipped), ``python title="x.py"``.

An untagged fence, any other language, and indented (4-space) code blocks are not Python:
docs put shell, YAML and output there. Fences are recognised at any indentation, so a
fence inside a list item counts; its content loses the indentation it shares (the column
offset says how much). A fence that is never closed runs to the end of the document, as in
CommonMark. Fences inside block quotes (``> ```python``) are not read.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from initlint.pipeline.documents.magics import mask
from initlint.pipeline.documents.program import AlignedProgram, Block, CodeLine, Program, dedent
from initlint.pipeline.documents.sessions import (
    doctest_examples,
    ipython_examples,
    starts_ipython_session,
    starts_session,
)

PYTHON = frozenset({"python", "py", "python3", "py3"})
SESSION = frozenset({"pycon", "python-console"})
IPYTHON = frozenset({"ipython", "ipython3"})
_MYST_DIRECTIVES = frozenset({"code-cell", "code-block", "code", "sourcecode"})

_FENCE = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
_BRACED = re.compile(r"\{(?P<inner>[^}]*)\}[ \t]*(?P<rest>.*)")
_MYST_OPTION = re.compile(r"[ \t]*:[\w-]+:")


def read_markdown(text: str) -> Program:
    lines = text.split("\n")
    program = AlignedProgram(len(lines), "markdown")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            i += 1
            continue
        end = _closing(lines, i + 1, m.group("fence"))
        language, myst = fence_language(m.group("info"))
        body = [(n + 1, lines[n]) for n in range(i + 1, end)]
        if myst:
            body = _without_myst_options(body)
        for block in python_blocks(body, language, len(m.group("indent"))):
            program.add(block)
        i = end + 1
    return program.build()


def fence_language(info: str) -> Tuple[str, bool]:
    """The language an info string names (lower case, '' for none), and whether it is a MyST
    directive fence (``{code-cell} ipython3``)."""
    braced = _BRACED.match(info)
    if braced is not None:
        words = re.split(r"[\s,]+", braced.group("inner").strip())
        head = words[0].lstrip(".").lower() if words and words[0] else ""
        if head in _MYST_DIRECTIVES:
            rest = braced.group("rest").split()
            return (rest[0].lower() if rest else "python"), True
        return head, False
    words = re.split(r"[\s,{]+", info, maxsplit=1)
    return words[0].lower(), False


def python_blocks(body: List[Tuple[int, str]], language: str, fence_indent: int = 0) -> List[Block]:
    """The Python blocks of one code block's body ((document line, text) pairs), read as
    ``language`` says; shared by the Markdown and reST readers."""
    first = next((text for _, text in body if text.strip()), None)
    if first is None:
        return []
    if language in SESSION or ((language in PYTHON or language == "") and starts_session(first)):
        return doctest_examples(body)
    if language in IPYTHON and starts_ipython_session(first):
        return ipython_examples(body)
    if language in PYTHON or language in IPYTHON:
        return [_plain_block(body, fence_indent)]
    return []


def _plain_block(body: List[Tuple[int, str]], fence_indent: int) -> Block:
    texts = [_strip_indent(text, fence_indent) for _, text in body]
    stripped = [len(text) - len(t) for (_, text), t in zip(body, texts)]
    code, width = dedent(texts)
    code = mask(code)
    return Block(
        [CodeLine(n, c, s + width) for (n, _), c, s in zip(body, code, stripped)],
        "Python block",
    )


def _strip_indent(text: str, width: int) -> str:
    """CommonMark: a fence's content loses up to the fence's own indentation."""
    removed = 0
    while removed < width and removed < len(text) and text[removed] == " ":
        removed += 1
    return text[removed:]


def _closing(lines: List[str], start: int, fence: str) -> int:
    """Index of the line closing ``fence`` (same character, at least as long), or the end."""
    for n in range(start, len(lines)):
        stripped = lines[n].strip()
        if stripped and stripped[0] == fence[0] and len(stripped) >= len(fence) and stripped == fence[0] * len(stripped):
            return n
    return len(lines)


def _without_myst_options(body: List[Tuple[int, str]]) -> List[Tuple[int, str]]:
    """A MyST directive's options come first: ``:tags: [hide-input]`` lines, or a block of
    YAML between ``---`` lines. They are not code."""
    out = list(body)
    k = 0
    if out and out[0][1].strip() == "---":
        end: Optional[int] = next((j for j in range(1, len(out)) if out[j][1].strip() == "---"), None)
        if end is not None:
            for j in range(end + 1):
                out[j] = (out[j][0], "")
            return out
    while k < len(out) and _MYST_OPTION.match(out[k][1]):
        out[k] = (out[k][0], "")
        k += 1
    return out
