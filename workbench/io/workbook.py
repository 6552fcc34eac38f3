"""Look inside an ``.xlsx`` workbook: its sheet names and the formulas that have no stored value.

A workbook written by a program that does not calculate (a script, some ERP
exports) stores formulas without their results; a reader then sees empty
cells. :func:`formulas_without_values` finds those cells so the load can say so
instead of reporting the values as simply missing.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

__all__ = ["cell_position", "formulas_without_values", "sheet_names"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the archive, in workbook order."""
    wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = {}
    for s in wb.iter(f"{_MAIN}sheet"):
        t = target.get(s.get(f"{_REL}id"), "")
        out[s.get("name", "")] = t.lstrip("/") if t.startswith("/") else posixpath.normpath(
            posixpath.join("xl", t))
    return out


def sheet_names(path: Path) -> list[str]:
    """Return the sheet names of a workbook, in order (empty if it cannot be read)."""
    try:
        with zipfile.ZipFile(path) as z:
            return list(_sheet_paths(z))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []


def cell_position(ref: str) -> tuple[int, int]:
    """Return (row, column), both 1-based, of a cell reference such as ``"B12"``.

    Examples
    --------
    >>> cell_position("B12"), cell_position("AA1")
    ((12, 2), (1, 27))
    """
    letters = "".join(c for c in ref if c.isalpha())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]), col


def formulas_without_values(path: Path, sheet: str | int) -> list[tuple[int, int, str]]:
    """Return the cells of ``sheet`` that hold a formula but no stored value.

    Returns
    -------
    list of (row, column, formula)
        1-based sheet row and column, and the formula text with a leading ``=``.
    """
    try:
        with zipfile.ZipFile(path) as z:
            paths = _sheet_paths(z)
            names = list(paths)
            name = names[sheet] if isinstance(sheet, int) else sheet
            xml = z.read(paths[name])
    except (zipfile.BadZipFile, KeyError, IndexError, ElementTree.ParseError, OSError):
        return []
    if b"<f" not in xml and b":f" not in xml:
        return []
    out = []
    for m in _CELL.finditer(xml):
        inner = m.group(2) or b""
        f = _FORMULA.search(inner)
        if f is None or _VALUE.search(inner):
            continue
        ref = _REF.search(m.group(1))
        if ref is None:
            continue
        row, col = cell_position((ref.group(1) + ref.group(2)).decode())
        text = unescape((f.group(1) or b"").decode("utf-8", "replace"),
                        {"&quot;": '"', "&apos;": "'"})
        out.append((row, col, "=" + text if text else "(shared formula)"))
    return out
