r"""Tell what a file really is from its first bytes, whatever its name says.

An export saved with the wrong extension (an ``.xlsx`` renamed to ``.csv``, a
legacy ``.xls`` or an HTML page named ``.csv``, a CSV named ``.xlsx``) is
recognised here so that the right reader runs, or the error names the real
cause instead of a decoding failure.

Examples
--------
>>> sniff_bytes(b"PK\x03\x04...", names=["xl/workbook.xml"])
'xlsx'
>>> sniff_bytes(b"order_id,qty\n")
'text'
"""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["CONTENT_NAMES", "sniff_bytes", "sniff_file"]

CONTENT_NAMES = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "a legacy Excel .xls workbook (or a password-protected .xlsx)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "zip": "a ZIP archive",
    "parquet": "a Parquet file",
    "sqlite": "an SQLite database",
    "gzip": "a gzip-compressed file",
    "pdf": "a PDF document",
    "html": "an HTML page (a web export saved under another name)",
    "text": "delimited text",
}
"""Readable names of the kinds :func:`sniff_bytes` returns."""

_MAGIC = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"PAR1", "parquet"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"\x1f\x8b", "gzip"),
    (b"%PDF", "pdf"),
]


def sniff_bytes(head: bytes, names: list[str] | None = None) -> str:
    """Return the kind of content (a key of :data:`CONTENT_NAMES`) from the first bytes.

    Parameters
    ----------
    head
        The first bytes of the file (a few hundred are enough).
    names
        For a ZIP archive: the names of its members.
    """
    if head.startswith(b"PK\x03\x04"):
        names = names or []
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "mimetype" in names or any(n == "content.xml" for n in names):
            return "ods"
        return "zip"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return "html"
    return "text"


def sniff_file(path: Path) -> str:
    """Return the kind of content of the file at ``path`` (see :func:`sniff_bytes`)."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    names = None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            names = []
    return sniff_bytes(head, names)
