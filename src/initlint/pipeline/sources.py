"""Reading and decoding source files, turning every way that can fail into one diagnostic.

A file initlint cannot read is a file it did not check, so each failure here becomes an
INI900 (cannot read/decode) or INI901 (too large) problem with a location where one exists,
instead of an exception: the run goes on with the other files.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import tokenize

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

# PEP 263: the cookie must sit in a comment on line 1 or 2.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class SourceProblem(Exception):
    """A file that cannot be analysed: ``code`` is INI900 or INI901; ``line`` is 1-based,
    ``col`` 0-based (as in :class:`initlint.finding.Finding`)."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 0):
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


def read_bytes(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """Read a regular file, refusing (without reading it) one larger than ``max_size``.

    Only a regular file is ever read: the path's stat says what it is before it is opened,
    and the opened descriptor's ``fstat`` says it again (the path may have been swapped for
    a FIFO in between: opened without blocking, it is then refused, never read)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise SourceProblem("INI900", _stat_message(path, e)) from None
    _check_kind(st, max_size)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _CLOEXEC)
    except OSError as e:
        raise SourceProblem("INI900", f"cannot read file: {_strerror(e)}") from None
    try:
        st = os.fstat(fd)
        _check_kind(st, max_size)
        data = _read_at_most(fd, st.st_size, max_size)
    except OSError as e:
        raise SourceProblem("INI900", f"cannot read file: {_strerror(e)}") from None
    finally:
        os.close(fd)
    if len(data) > max_size:  # the file grew since its stat
        raise SourceProblem("INI901", too_large_message(len(data), max_size))
    return data


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _check_kind(st: os.stat_result, max_size: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise SourceProblem("INI900", "is a directory")
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end: never read one.
        raise SourceProblem("INI900", "not a regular file")
    if st.st_size > max_size:
        raise SourceProblem("INI901", too_large_message(st.st_size, max_size))


def _read_at_most(fd: int, expected: int, max_size: int) -> bytes:
    """Up to ``max_size + 1`` bytes, in steps no larger than the file is (a large limit
    reserves nothing: the read asks for what the file holds, plus one byte to see growth)."""
    chunks = []
    total = 0
    want = min(expected, max_size) + 1
    while total <= max_size:
        chunk = os.read(fd, min(want, max_size + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 << 16  # (a short read, or a file that grew: read on in small steps)
    return b"".join(chunks)


def decode(data: bytes) -> str:
    """Decode source bytes as Python does (PEP 263 cookie, UTF-8 BOM), with newlines
    normalised to ``\\n``: line numbers are unchanged, and every later stage (the ``ast``
    guard, libcst, noqa) sees the same text."""
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        raise SourceProblem("INI900", "source contains a null byte (not a Python source file?)", line, col)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        cookie = _cookie_line(data)
        if cookie is not None:
            raise SourceProblem("INI900", f"bad encoding declaration: {e}", cookie) from None
        encoding = "utf-8"  # no cookie: undecodable UTF-8 in lines 1-2; locate it below
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        line, col = _byte_position(data, e.start)
        raise SourceProblem(
            "INI900", f"cannot decode source as {encoding}: invalid byte 0x{data[e.start]:02x}", line, col
        ) from None
    except (LookupError, TypeError, ValueError) as e:
        # e.g. a cookie naming a bytes-to-bytes codec, which Python itself rejects
        raise SourceProblem("INI900", f"bad encoding declaration: {encoding}: {e}", _cookie_line(data) or 1) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _byte_position(data: bytes, offset: int) -> "tuple[int, int]":
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1)
    return line, col


def _cookie_line(data: bytes) -> "int | None":
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for i, line in enumerate(data.splitlines()[:2], start=1):
        if _COOKIE.match(line):
            return i
    return None


def too_large_message(size: int, limit: int) -> str:
    return f"file is {size} bytes, over the max-file-size limit of {limit} bytes; not analysed"


def _strerror(e: OSError) -> str:
    return (e.strerror or str(e)).lower()


def _stat_message(path: str, e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symbolic link loop"
    if e.errno == errno.ENOENT:
        return "broken symbolic link" if os.path.islink(path) else "no such file or directory"
    if e.errno == errno.ENOTDIR:
        return "no such file or directory (a parent is not a directory)"
    return f"cannot read file: {_strerror(e)}"
