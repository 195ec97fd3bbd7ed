"""A statement's bytes as text and records: at most MAX_BYTES, no NUL byte unless UTF-16 with
its mark; strict UTF-8 (a byte-order mark dropped), else each single-byte encoding a layout
declares; CSV records by the line they start on; text as one clean line (``_clean``) and
header names as compared (``_key``: ``Комiсiя`` with a Latin i is ``комісія``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..layouts import Layout
from .rows import StatementError

MAX_BYTES = 64 * 1024 * 1024  # larger than any statement a bank exports


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise StatementError(f"{name}: cannot read it: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise StatementError(f"{name}: not a bank statement: larger than {MAX_BYTES // 2**20} MB")
    if not data.strip():
        raise StatementError(f"{name}: not a bank statement: the file is empty")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StatementError(f"{name}: not a bank statement: a binary file, not text")
    return data


class _Bytes:
    """A file's bytes and their Unicode text, decoded once: UTF-8, or UTF-16 with its mark."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        self.encoding = "utf-16" if utf16 else "utf-8"
        try:
            self.text: str | None = data.decode("utf-16" if utf16 else "utf-8-sig")
        except UnicodeDecodeError:
            self.text = None

    def texts(self, layout: Layout) -> Iterator[tuple[str, str]]:
        """(encoding, text): UTF-8 if it decodes, else each single-byte encoding of the layout."""
        if self.text is not None:
            yield self.encoding, self.text
            return
        for encoding in layout.encodings:
            try:
                yield encoding, self.data.decode(encoding)
            except UnicodeDecodeError:
                continue


class _CsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of each CSV record; a quoted field may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise _CsvError(line, str(err)) from None
        yield line, fields
        line = reader.line_num + 1


def _clean(text: str) -> str:
    """Text as one line: control and format characters and whitespace runs become one space."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    kept = (
        " " if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else char
        for char in text
    )
    return " ".join("".join(kept).split())


_CYRILLIC = re.compile("[\u0400-\u04ff]")


_LONE_I = re.compile(r"(?<![a-z])i(?![a-z])")


def _key(text: str) -> str:
    """A header name as compared: one line, casefolded, a lone Latin i in a Cyrillic name as і."""
    key = _clean(unicodedata.normalize("NFC", text)).casefold()
    return _LONE_I.sub("і", key) if _CYRILLIC.search(key) else key


def _blank(fields: Sequence[str]) -> bool:
    return not any(field.strip() for field in fields)
