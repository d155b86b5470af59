"""Editing a source file in place without changing anything but the edit.

A file is read as its bytes and decoded as Python does (PEP 263 cookie, UTF-8 BOM) *without*
normalising its newlines, so that the text written back keeps its encoding, BOM, and every
line ending (CRLF, LF, CR, mixed) where it was. The new bytes replace the file atomically (a
temporary file in the same directory, then ``os.replace``): a reader, or a run that is
interrupted, sees the old file or the new one, never half of one. The file's permission bits
are kept; a symlink is followed and its target rewritten.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass

from initlint.pipeline.sources import DEFAULT_MAX_FILE_SIZE, SourceProblem, read_bytes


class NotEditable(Exception):
    """The file cannot be edited safely (its reason, one line)."""


@dataclass(frozen=True)
class EditableSource:
    path: str  # the real file (symlinks followed)
    encoding: str  # as Python reads it: "utf-8-sig" for a BOM
    text: str  # decoded, line endings as they are on disk

    @property
    def normalised(self) -> str:
        """The text with ``\\n`` line endings: what the analysis read."""
        return self.text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in self.text else self.text


def read_editable(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> EditableSource:
    real = os.path.realpath(path)
    try:
        data = read_bytes(real, max_size)
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except SourceProblem as p:
        raise NotEditable(p.message) from None
    except (SyntaxError, LookupError, UnicodeDecodeError, TypeError, ValueError) as e:
        raise NotEditable(f"cannot decode it ({e})") from None
    if text.encode(encoding) != data:  # a codec that does not round-trip: never risk the bytes
        raise NotEditable(f"its {encoding} bytes would not be written back as they are")
    return EditableSource(real, encoding, text)


def write_atomically(source: EditableSource, text: str) -> None:
    """Replace the file's contents with ``text`` in its own encoding."""
    try:
        data = text.encode(source.encoding)
    except UnicodeEncodeError as e:
        raise NotEditable(f"the edit cannot be written in its encoding ({source.encoding}: {e.reason})") from None
    directory = os.path.dirname(source.path)
    try:
        mode = stat.S_IMODE(os.stat(source.path).st_mode)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(source.path)}.", suffix=".initlint", dir=directory)
    except OSError as e:
        raise NotEditable(f"cannot write it: {(e.strerror or str(e)).lower()}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, source.path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise NotEditable(f"cannot write it: {(e.strerror or str(e)).lower()}") from None
        raise
