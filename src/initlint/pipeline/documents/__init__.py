"""Python where ML people write it: notebooks, Markdown, reStructuredText and doctests.

Each reader turns a document into one :class:`Program`: the Python the analysis sees, and for
each of its lines the :class:`Origin` in the document, so that a finding can be reported at the
document's own line and column (and, in a notebook, at ``cell N:line:col`` as ruff prints it).
The readers use the standard library only (``json``, ``re``, ``tokenize``, and ``ast`` only to
decide whether a block parses), never run anything, and never copy a notebook's outputs.
"""

from __future__ import annotations

import os
from typing import Callable, Dict, Optional

from initlint.pipeline.documents.docstrings import docstring_examples
from initlint.pipeline.documents.markdown import read_markdown
from initlint.pipeline.documents.notebook import read_notebook
from initlint.pipeline.documents.program import Origin, Program, document_text
from initlint.pipeline.documents.rst import read_rst

__all__ = [
    "Origin", "Program", "document_kind", "document_text", "read_document", "read_text", "docstring_examples", "file_size_limit", "KINDS",
]

# suffix -> kind
KINDS: Dict[str, str] = {
    ".ipynb": "notebook",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
}

#: A notebook's outputs (plots, tables, logs) are scanned past, never analysed: the file may be
#: this many times ``max-file-size``, while the code it holds must fit in ``max-file-size``.
NOTEBOOK_SIZE_FACTOR = 20

_READERS: Dict[str, Callable[[str], Program]] = {
    "notebook": read_notebook,
    "markdown": read_markdown,
    "rst": read_rst,
}


def document_kind(path: str) -> Optional[str]:
    """``"notebook"``, ``"markdown"`` or ``"rst"`` by the path's suffix (any case), else None."""
    return KINDS.get(os.path.splitext(path)[1].lower())


def read_document(path: str, data: bytes) -> Program:
    """The program a document holds. Raises :class:`~initlint.pipeline.sources.SourceProblem` (INI900, with a line where
    one exists) for a document that cannot be read: undecodable text, malformed notebook JSON,
    an nbformat it cannot read. A path of no known kind is an error of the caller."""
    kind = document_kind(path)
    if kind is None:
        raise ValueError(f"not a document initlint reads: {path}")
    return read_text(kind, document_text(data))


def read_text(kind: str, text: str) -> Program:
    """The program of a document of ``kind`` already decoded (:func:`document_text`)."""
    return _READERS[kind](text)


def file_size_limit(kind: Optional[str], max_file_size: int) -> int:
    """The largest file of ``kind`` (None: Python) that is read: ``max_file_size``, except a
    notebook, whose outputs do not count (its code is held to ``max_file_size`` when read)."""
    return max_file_size * NOTEBOOK_SIZE_FACTOR if kind == "notebook" else max_file_size
