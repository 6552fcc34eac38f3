"""Read raw tables from files, keeping every record.

A reader returns a :class:`RawTable`: the records as raw values under their
original headers, the row number of each record in its source, and the
records that could not even be split into fields (wrong field count, blank
lines), so that the validator can quarantine them instead of losing them.

Supported sources
-----------------
* CSV/TXT/TSV: encoding detection (UTF-8, UTF-8 with BOM, GBK/GB18030, then
  charset-normalizer's best guess), delimiter sniffing (``, ; TAB |``), a title
  block above the real header.
* Excel ``.xlsx``/``.xlsm``: a title row above the real header is detected.
* Parquet.

Databases are read by :mod:`workbench.io.sql_source`; :func:`workbench.io.sources.read_raw`
picks the reader for any source (file, URL or DataFrame).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.exceptions import DataSheetError, SourceError
from workbench.io.csv_records import (
    RecordScan,
    check_record_count,
    count_unquoted_bytes,
    iter_records,
    scan_offset,
    scan_records,
)
from workbench.io.encoding import EncodingChoice, detect_text_encoding
from workbench.io.workbook import formulas_without_values, sheet_names

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "arrow_frame",
    "typed_in_place",
    "CSV_SUFFIXES",
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "RawTable",
    "SQLITE_SUFFIXES",
    "detect_encoding",
    "find_header_row",
    "normalize_header",
    "read_csv_raw",
    "read_excel_raw",
    "read_parquet_raw",
    "is_url",
    "sniff_delimiter",
    "unique_headers",
]

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SQLITE_SUFFIXES = {".db", ".sqlite", ".sqlite3"}
_URL = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)


def is_url(text: object) -> bool:
    """Tell whether ``text`` is a URL (``scheme://...``) rather than a file path."""
    return isinstance(text, str) and bool(_URL.match(text))


@dataclass
class RawTable:
    """Records of one source, as read, before any typing.

    Attributes
    ----------
    frame
        One row per usable record; columns are the source headers (made unique).
        Text columns are pandas ``str``; read with ``coded=True`` (the loaders),
        a CSV or Parquet column that repeats few values is a ``Categorical`` of
        those texts (:func:`workbench.io.parsing.is_coded_text`; its values as
        text: :func:`workbench.io.parsing.decoded_text`).
    source_row
        Row number of each record of ``frame`` in its source (header = row 1
        for files; for Excel the real sheet row; 1-based position for
        Parquet, SQL and DataFrames).
    source
        Label of the source (path, or URL with password hidden plus table).
    rejected
        Records that could not be split into the header's fields:
        ``source_row``, ``reason`` (``empty_row`` / ``malformed_row``),
        ``detail``, ``raw`` (the record's fields joined by the delimiter).
    meta
        Facts about the read: format, encoding (with ``encoding_confidence``),
        delimiter, header_row, sheet, ``records_counted`` (the independent
        count of Python's ``csv``), ``notes`` (sentences for the summary).
    issues
        Value-level doubts found while reading (``encoding_guess``,
        ``formula_without_value``), with the columns of
        :data:`workbench.io.load.ISSUE_COLUMNS` (``column`` is the source header).
    """

    frame: pd.DataFrame
    source_row: np.ndarray
    source: str
    rejected: pd.DataFrame = field(default_factory=lambda: _rejected_frame([]))
    meta: dict = field(default_factory=dict)
    issues: pd.DataFrame = field(default_factory=lambda: _issue_frame())

    @property
    def rows_in(self) -> int:
        """Records read: the parsed rows plus the rejected ones."""
        return len(self.frame) + len(self.rejected)


def _rejected_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_row", "reason", "detail", "raw"]).astype(
        {"source_row": "int64"})


def _issue_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=["source_file", "source_row", "column", "source_column",
                                 "value", "reason", "detail"])


def unique_headers(headers: Iterable[object]) -> list[str]:
    """Return the headers as text, blanks named and repeats numbered, so every column is unique."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = "" if h is None or (isinstance(h, float) and np.isnan(h)) else str(h).strip()
        name = name.lstrip("\ufeff")
        if not name:
            name = f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def normalize_header(name: object) -> str:
    """Return the header key for matching.

    BOM and outer spaces removed, inner runs of white space collapsed, case
    folded, full-width spaces treated as spaces.
    """
    s = str(name).replace("\ufeff", "").replace("\u3000", " ")
    return re.sub(r"\s+", " ", s).strip().casefold()


def find_header_row(rows: list[list[object]], known: set[str], max_scan: int = 20) -> int:
    """Index of the header among the first rows.

    The header is the row with the most cells matching ``known`` header names
    (normalized), provided at least two match; otherwise the first row with at
    least two non-empty cells; otherwise the first row.
    """
    best, best_score = None, 1
    for i, row in enumerate(rows[:max_scan]):
        score = sum(1 for c in row if c is not None and normalize_header(c) in known)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    for i, row in enumerate(rows[:max_scan]):
        filled = sum(1 for c in row if c is not None and str(c).strip() not in ("", "nan"))
        if filled >= 2:
            return i
    return 0


# --------------------------------------------------------------------------- CSV
def detect_encoding(data: bytes) -> str:
    """Detect the encoding of a text file (see :func:`workbench.io.encoding.detect_text_encoding`).

    GBK and GB2312 files are read as GB18030, their superset.
    """
    return detect_text_encoding(data).encoding


def sniff_delimiter(text: str) -> str:
    """Delimiter among ``, ; TAB |`` that splits the first lines most consistently."""
    lines = [ln for ln in text[:65536].splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for d in (",", ";", "\t", "|"):
        counts = [ln.count(d) for ln in lines]
        if max(counts) == 0:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) + (0.01 * mode if mode else 0)
        if mode and score > best_score:
            best, best_score = d, score
    return best


def _decode(data: bytes, path: Path, encoding: str | None, choice: EncodingChoice | None = None
            ) -> tuple[str, EncodingChoice]:
    """Decode a text file; an encoding given by the caller is used as is."""
    if choice is None:
        choice = (EncodingChoice(encoding, 1.0, "given") if encoding
                  else detect_text_encoding(data))
    try:
        text = data.decode(choice.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode the file as {choice.encoding}: {exc}", source=str(path),
                          fix="pass the right encoding='...' to the loader.") from exc
    return text.lstrip("\ufeff"), choice


_HEAD = 65536
"""Characters read to find the delimiter and the header row."""
_BOM = b"\xef\xbb\xbf"
_UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig", "u8", "ascii", "us-ascii"}
_BYTES_PATH = True
"""Read UTF-8 files from their bytes (tests switch it off to compare with the decoding path)."""


def _blank_bytes(data: bytes, start: int = 0) -> bool:
    r"""Tell whether ``data[start:]`` is only ASCII whitespace, as ``not data[start:].strip()``.

    Looks at the bytes in windows of ``_HEAD`` and stops at the first that is not
    blank: no copy of the whole file (``strip`` copies it, seconds on a large file).

    >>> _blank_bytes(b"  \r\n"), _blank_bytes(b"a,b\n", 3), _blank_bytes(b"a,b\n1,2", 3)
    (True, True, False)
    """
    for k in range(start, len(data), _HEAD):
        if not data[k:k + _HEAD].isspace():
            return False
    return True


def _utf8_start(data: bytes, choice: EncodingChoice) -> int | None:
    """Byte offset after the leading BOMs when the file is read as UTF-8 bytes, else ``None``.

    Detection has already decoded the whole file as UTF-8 (or found it ASCII);
    a BOM found by detection or an encoding given by the caller is checked
    here, chunk by chunk without keeping the text, so invalid bytes anywhere
    in the file raise the same error as the decoding path.
    """
    if not _BYTES_PATH or choice.encoding.lower() not in _UTF8_NAMES:
        return None
    if choice.encoding.lower() in {"ascii", "us-ascii"} and not data.isascii():
        return None  # the decoding path reports the error
    if choice.method not in {"ascii", "utf-8"}:
        dec = codecs.getincrementaldecoder("utf-8")()
        step = 1 << 24
        try:
            for k in range(0, len(data), step):
                dec.decode(data[k:k + step], final=k + step >= len(data))
        except UnicodeDecodeError:
            return None  # the decoding path raises the error with its fix
    off = 0
    while data.startswith(_BOM, off):
        off += len(_BOM)
    return off


def _utf8_head(data: bytes, start: int) -> str:
    """Decode the head of a valid UTF-8 file from ``start``: over ``_HEAD`` characters if it has more.

    ``4 * _HEAD + 8`` bytes hold at least ``_HEAD + 1`` whole characters; only
    the last, cut character can be dropped.
    """
    return data[start:start + 4 * _HEAD + 8].decode("utf-8", errors="ignore")


def _read_utf8_body(data: bytes, start: int, delim: str, header: list[str], *,
                    coded: bool = False
                    ) -> tuple[pd.DataFrame | None, RecordScan, memoryview | str]:
    """Read the body ``data[start:]`` of a UTF-8 file with Arrow, from the bytes.

    The record count comes from the bytes' line endings when the body holds no
    quote (:func:`~workbench.io.csv_records.count_unquoted_bytes`); otherwise the
    body is decoded and scanned by ``csv`` as on the decoding path (and returned
    as text, for the exact reader). The frame is ``None`` when the exact reader
    must read the body. Without a quote, Arrow reads while the line endings are
    counted on another thread (NumPy releases the GIL): on 10M lines about half
    a second less than counting first.
    """
    import pyarrow as pa

    view = memoryview(data)[start:]
    blank = _blank_bytes(data, start)

    def arrow_read(quoted: bool) -> pd.DataFrame | None:
        try:
            return _read_clean_body(b"" if blank else pa.py_buffer(view), delim, header,
                                    quoted=quoted, coded=coded)
        except pa.ArrowException:  # the exact parser reads what Arrow cannot
            return None

    quoted = data.find(b'"', start) >= 0
    frame = None
    if not quoted:  # no value spans lines: Arrow splits the body in blocks on threads
        with ThreadPoolExecutor(max_workers=1) as pool:
            counting = pool.submit(count_unquoted_bytes, data, start)
            frame = arrow_read(quoted=False)
            count = counting.result()
        if count is not None and frame is not None:
            return frame, RecordScan(count, segments=[(0, -1)]), view  # nothing broken
    # a quote, a line longer than csv's field limit, or a body Arrow could not read:
    # csv counts the decoded text and sets broken records apart
    body = data[start:].decode("utf-8")
    scan = scan_records(body, delim, width=len(header))
    if scan.broken:
        return None, scan, body
    if quoted:
        frame = arrow_read(quoted=True)
    return frame, scan, body


def read_csv_raw(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                 known_headers: set[str] | None = None, header_scan: int = 20,
                 coded: bool = False) -> RawTable:
    """Read a delimited text file; see the module docstring.

    Records are split as Python's ``csv`` module splits them (any mix of CR,
    LF and CR LF line endings; a ``"`` inside an unquoted cell is a
    character). A record whose quote is never closed is quarantined alone
    (``unterminated_quote``) instead of swallowing the records after it. The
    number of records read is checked against an independent ``csv`` count
    (``meta["records_counted"]``); a difference raises
    :class:`~workbench.exceptions.RecordCountMismatchError`.

    With ``coded`` the columns that repeat few values are held as codes
    (:func:`_coded_columns`); the others, and every column of a file read by
    the exact parser, are text.
    """
    data = path.read_bytes()
    if _blank_bytes(data):
        raise SourceError("the file is empty: it has no header and no rows", source=str(path),
                          fix="check the export; an order history needs at least a header row.")
    choice = (EncodingChoice(encoding, 1.0, "given") if encoding
              else detect_text_encoding(data))
    utf8 = _utf8_start(data, choice)
    if utf8 is None:
        text, choice = _decode(data, path, encoding, choice)
    else:  # UTF-8: decode only the head; Arrow reads the original bytes (BOMs skipped)
        text = _utf8_head(data, utf8)
    delim = delimiter or sniff_delimiter(text)
    head_scan = scan_records(text[:_HEAD], delim)  # a title line with an open quote is set apart
    head_records = [[head_scan.broken[k].text] if rec is None else rec for k, rec in
                    zip(_broken_index(head_scan), iter_records(text[:_HEAD], delim, head_scan),
                        strict=True)]
    if len(text) > _HEAD and head_records:
        head_records = head_records[:-1]  # the last one may be cut
    hdr_idx = find_header_row(head_records[:header_scan], known_headers or set(),
                              max_scan=header_scan)
    header = unique_headers(head_records[hdr_idx]) if head_records else []
    body_start = scan_offset(text, delim, head_scan, hdr_idx + 1)
    first_row = hdr_idx + 2  # spreadsheet row number of the first record
    first_line = _line_count(text[:body_start]) + 1  # physical line of the body's first line
    if utf8 is not None:
        start = utf8 + len(text[:body_start].encode("utf-8"))
        frame, scan, body = _read_utf8_body(data, start, delim, header, coded=coded)
        del data, text
    else:
        body = text[body_start:]
        del data, text
        frame, scan = _read_and_count(body, delim, header, coded=coded)
    meta = {"format": "csv", "encoding": choice.encoding,
            "encoding_confidence": choice.confidence, "encoding_method": choice.method,
            "encoding_alternatives": list(choice.alternatives),
            "encoding_summary": choice.describe(), "delimiter": delim,
            "header_row": hdr_idx + 1, "records_counted": scan.count}
    if frame is not None and len(frame) != scan.count:
        meta["note"] = (f"Arrow's CSV reader found {len(frame)} records where Python's csv "
                        f"finds {scan.count}: read with the exact parser")
        frame = None
    if frame is not None:
        body = None  # the bytes can go
        src_rows = np.arange(len(frame), dtype=np.int64) + first_row
        rejected: list[tuple] = []
    else:  # a record with the wrong number of fields or a broken quote: split record by record
        if not isinstance(body, str):  # read from the bytes: decode and scan for the exact path
            body = bytes(body).decode("utf-8")
            scan = scan_records(body, delim, width=len(header))
        frame, src_rows, rejected = _read_ragged_body(body, delim, header, first_row, scan,
                                                      first_line)
    frame, src_rows, blank_rows = _drop_blank(frame, src_rows)
    rejected += [(r, "empty_row", "all fields empty", "") for r in blank_rows]
    raw = RawTable(frame, src_rows, str(path), _rejected_frame(sorted(rejected)), meta)
    check_record_count(raw.rows_in, scan.count, source=str(path))
    raw.issues = _encoding_issues(raw, choice)
    if choice.guess:
        raw.meta.setdefault("notes", []).append(f"encoding {choice.encoding} is a guess: "
                             f"{', '.join(choice.alternatives)} would read "
                             f"{len(raw.issues)} value(s) differently (see issues "
                             f"encoding_guess); pass encoding='...' if the text reads wrong")
    return raw


def _encoding_issues(raw: RawTable, choice: EncodingChoice) -> pd.DataFrame:
    """Issues for the values that another, equally plausible encoding would read differently.

    Works on the distinct non-ASCII values of each column, so the cost does not
    grow with repeated values.
    """
    parts = []
    for col in raw.frame.columns if choice.guess else ():
        values = raw.frame[col]
        mask = values.str.contains(r"[^\x00-\x7f]", regex=True, na=False).to_numpy(dtype=bool)
        if not mask.any():
            continue
        readings = {}
        for v in pd.unique(values[mask]):
            alt = [f"{enc}: {_reread(v, choice.encoding, enc)!r}" for enc in choice.alternatives
                   if _reread(v, choice.encoding, enc) != v]
            if alt:
                readings[v] = "read as " + choice.encoding + "; " + ", ".join(alt)
        detail = values[mask].map(readings)
        hit = detail.notna().to_numpy()
        idx = np.flatnonzero(mask)[hit]
        parts.append(pd.DataFrame({
            "source_file": raw.source, "source_row": raw.source_row[idx], "column": col,
            "source_column": col, "value": values.iloc[idx].to_numpy(dtype=object),
            "reason": "encoding_guess", "detail": detail[hit].to_numpy(dtype=object)}))
    return pd.concat(parts, ignore_index=True) if parts else _issue_frame()


def _reread(value: str, encoding: str, other: str) -> str:
    """How ``value`` (decoded with ``encoding``) reads when its bytes are decoded with ``other``."""
    return value.encode(encoding, errors="replace").decode(other, errors="replace")


def _read_and_count(body: str, delim: str, header: list[str], *, coded: bool = False
                    ) -> tuple[pd.DataFrame | None, RecordScan]:
    """Read the body with Arrow while Python's csv counts its records, in parallel.

    Arrow's reader releases the GIL, so the independent count costs little
    wall time. The Arrow frame is dropped (``None``) when the count finds a
    broken quote: such a body is read record by record.
    """
    if len(body) < 1_000_000:
        scan = scan_records(body, delim, width=len(header))
        frame = None if scan.broken else _read_clean_body(body.encode("utf-8"), delim, header,
                                                          quoted='"' in body, coded=coded)
        return frame, scan
    import pyarrow as pa

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_read_clean_body, body.encode("utf-8"), delim, header,
                             quoted='"' in body, coded=coded)
        scan = scan_records(body, delim, width=len(header))
        try:
            frame = future.result()
        except pa.ArrowException:  # the exact parser reads what Arrow cannot
            frame = None
    return (None if scan.broken else frame), scan


def _broken_index(scan: RecordScan) -> list[int]:
    """Index into ``scan.broken`` per record (-1 for clean records), in record order."""
    index = [-1] * scan.count
    for k, b in enumerate(scan.broken):
        index[b.record] = k
    return index


def _line_count(text: str) -> int:
    """Physical lines in ``text`` (CR, LF and CR LF each end one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


_CSV_BLOCK = 8 << 20
"""Bytes of CSV per block Arrow reads (and per chunk of the columns it returns): Arrow's 1 MB
gives 1,500 chunks per column on 10M lines, and every per-chunk step of a load pays for them."""


def _threaded_pool() -> pa.MemoryPool:
    """Arrow's bundled allocator (mimalloc, else jemalloc, else the default) for its CSV reader.

    The reader allocates from several threads at once, where the bundled
    allocators keep per-thread caches; the rest of a load uses the system
    allocator. In alternated runs on 10M lines the difference was within the
    machine's noise (18.1-19.6 s against 19.6-20.7 s for the whole load).

    >>> _threaded_pool().backend_name in {"mimalloc", "jemalloc", "system"}
    True
    """
    import pyarrow as pa

    for make in ("mimalloc_memory_pool", "jemalloc_memory_pool"):
        try:
            return getattr(pa, make)()
        except (AttributeError, NotImplementedError, pa.ArrowException):
            continue
    return pa.default_memory_pool()


_CODED_PROBE = 1 << 20
"""Bytes at the start of a CSV body read to choose the columns held as codes."""
_CODED_SHARE = 10
"""A column is held as codes when its probe has at most one distinct value in this many."""


def _csv_options(delim: str, names: list[str], quoted: bool, coded: Iterable[str] = (),
                 on_invalid: object = None) -> dict:
    """Arrow's CSV options of the fast path: every field text (or coded text), nothing guessed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    types = dict.fromkeys(names, pa.large_string())  # pandas' storage: no cast
    types.update(dict.fromkeys(coded, pa.dictionary(pa.int32(), pa.large_string())))
    return {"parse_options": pacsv.ParseOptions(
                delimiter=delim, quote_char='"', double_quote=True, newlines_in_values=quoted,
                ignore_empty_lines=False, invalid_row_handler=on_invalid),
            "convert_options": pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False)}


def _coded_columns(body: bytes | pa.Buffer, delim: str, names: list[str], quoted: bool
                   ) -> list[str]:
    r"""Columns of a CSV body to hold as codes: those repeating few values in its first MB.

    Dates, quantities, prices of a catalogue, flags, statuses and sites repeat a
    few thousand values over millions of lines: Arrow then reads each as one
    table of texts and a code per line (about half the reading time and a
    third of the memory of a text per line), and parsing reads each text once.
    A column with more than one distinct value in ``_CODED_SHARE`` lines of the
    probe (order numbers, free text) stays text. The choice only weighs speed:
    both forms hold the same values.

    >>> body = b"".join(b"site-%d,%d\n" % (i % 2, i) for i in range(40))
    >>> _coded_columns(body, ",", ["site", "order"], quoted=False)
    ['site']
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    head = bytes(memoryview(body)[:_CODED_PROBE])
    if len(body) > _CODED_PROBE:
        head = head[:max(head.rfind(b"\n"), head.rfind(b"\r")) + 1]
    if not head:
        return []
    try:
        probe = pacsv.read_csv(
            io.BytesIO(head), read_options=pacsv.ReadOptions(column_names=names),
            **_csv_options(delim, names, quoted, on_invalid=lambda row: "skip"))
    except pa.ArrowException:  # e.g. the probe ends inside a quoted value: no codes
        return []
    return [name for name, col in zip(names, probe.columns, strict=True)
            if _repeats_few(col, probe.num_rows)]


def _repeats_few(column: pa.ChunkedArray | pa.Array, rows: int) -> bool:
    """Tell whether a probe's column holds at most one distinct value in ``_CODED_SHARE`` rows."""
    import pyarrow.compute as pc

    return bool(rows) and pc.count_distinct(column).as_py() * _CODED_SHARE <= rows


def _read_clean_body(body: bytes | pa.Buffer, delim: str, header: list[str], *,
                     quoted: bool = True, coded: bool = False) -> pd.DataFrame | None:
    """Read a CSV body on the fast path, with Arrow's CSV reader.

    Every field is read as text (no type guessing, empty fields stay empty
    strings). Returns ``None`` as soon as one record has a field count other
    than the header's (blank lines included), so the caller can fall back to
    the exact record-by-record path and lose nothing. ``quoted=False`` says the
    body holds no quote character, so no value can hold a line break and Arrow
    splits the body into blocks on several threads (about half the time).
    ``coded`` holds the columns that repeat few values as codes
    (:func:`_coded_columns`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not (body.size if isinstance(body, pa.Buffer) else not _blank_bytes(body)):
        return pd.DataFrame({h: pd.Series([], dtype="str") for h in header})
    ragged: list[int] = []

    def on_invalid(row) -> str:
        ragged.append(row.actual_columns)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    codes = _coded_columns(body, delim, names, quoted) if coded else []
    table = pacsv.read_csv(
        pa.BufferReader(body) if isinstance(body, pa.Buffer) else io.BytesIO(body),
        read_options=pacsv.ReadOptions(column_names=names, block_size=_CSV_BLOCK),
        **_csv_options(delim, names, quoted, codes, on_invalid), memory_pool=_threaded_pool())
    if ragged:
        return None
    frame = arrow_frame(table)
    frame.columns = header
    return frame


def _coded_text(column: pa.ChunkedArray) -> pd.Categorical | None:
    """Return a dictionary column of text as a pandas ``Categorical`` (``None``: not one).

    Arrow's ``to_pandas`` does the same in about twice the time (it converts
    each chunk's codes before joining them); here the chunks share one table
    of texts (``unify_dictionaries``) and their codes are joined once.

    >>> import pyarrow as pa
    >>> col = pa.chunked_array([pa.array(["b", "a"]).dictionary_encode(),
    ...                         pa.array(["a", None, "c"]).dictionary_encode()])
    >>> cat = _coded_text(col)
    >>> cat.tolist(), cat.categories.tolist()
    (['b', 'a', 'a', nan, 'c'], ['b', 'a', 'c'])
    """
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_dictionary(kind) and (pa.types.is_string(kind.value_type)
                                              or pa.types.is_large_string(kind.value_type))):
        return None
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    if not column.num_chunks:
        return pd.Categorical.from_codes(np.zeros(0, dtype=np.int8), dtype=pd.CategoricalDtype(
            pd.Index(pd.array([], dtype=text_dtype))))
    unified = column.unify_dictionaries()
    texts = unified.chunk(0).dictionary
    if texts.null_count:  # a null among the texts: not a category; Arrow's own conversion
        return None
    # the codes in pandas' width for this many categories, written once from every chunk
    # (a null: -1), so that pandas keeps them as they are
    width = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                 if len(texts) < np.iinfo(t).max)
    codes = np.empty(len(column), dtype=width)
    at = 0
    for c in unified.chunks:
        if not len(c):  # an empty chunk may have no buffers at all
            continue
        part = codes[at:at + len(c)]
        at += len(c)
        idx = c.indices  # its buffer as it is: a null's slot holds any code, refilled below
        part[:] = np.frombuffer(idx.buffers()[1], dtype=idx.type.to_pandas_dtype(),
                                count=len(idx), offset=idx.offset * idx.type.byte_width)
        if c.null_count:
            part[~_valid(c)] = -1
    categories = pd.Index(pd.arrays.ArrowStringArray(
        pa.chunked_array([texts.cast(pa.large_string())]), dtype=text_dtype))
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories),
                                     validate=False)


def arrow_frame(table: pa.Table, ready: dict[int, object] | None = None,
                **to_pandas) -> pd.DataFrame:
    """Return ``table`` as a pandas frame: text as ``str``, dictionary text as ``Categorical``.

    Other columns convert as Arrow's ``to_pandas(**to_pandas)`` converts them,
    but those in ``ready`` (column position: its NumPy values, see
    :func:`typed_in_place`), which are taken as they are. Column names may repeat.

    >>> import pyarrow as pa
    >>> t = pa.table({"id": ["x", "y"], "site": pa.array(["SH", "SH"]).dictionary_encode(),
    ...               "qty": [1.5, 2.0]})
    >>> arrow_frame(t).dtypes.astype(str).tolist()
    ['str', 'category', 'float64']
    """
    import pyarrow as pa

    mapper = {pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get
    coded = {i: _coded_text(table.column(i)) for i in range(table.num_columns)
             if pa.types.is_dictionary(table.schema.field(i).type)}
    coded = {i: c for i, c in coded.items() if c is not None} | (ready or {})
    if not coded:
        return table.to_pandas(types_mapper=mapper, **to_pandas)
    rest = [i for i in range(table.num_columns) if i not in coded]
    other = table.select(rest).to_pandas(types_mapper=mapper, **to_pandas) if rest else None
    if other is not None and other.shape[1] != len(rest):  # pandas' index columns became the index
        return table.to_pandas(types_mapper=mapper, **to_pandas)
    columns = {i: coded[i] if i in coded else other.iloc[:, rest.index(i)].array
               for i in range(table.num_columns)}
    frame = pd.DataFrame(columns, index=None if other is None else other.index, copy=False)
    frame.columns = table.column_names
    return frame


def _read_ragged_body(body: str, delim: str, header: list[str], first_row: int,
                      scan: RecordScan, first_line: int = 1
                      ) -> tuple[pd.DataFrame, np.ndarray, list[tuple]]:
    """Slow path: split the records with ``csv``; wrong field counts and broken quotes are rejected."""
    width = len(header)
    broken = iter(scan.broken)
    keep_rows: list[int] = []
    good: list[list[str]] = []
    rejected: list[tuple] = []
    for i, rec in enumerate(iter_records(body, delim, scan)):
        if rec is None:
            b = next(broken)
            rejected.append((first_row + i, b.reason,
                             f"line {first_line + b.line - 1} of the file: {b.detail}; the line "
                             f"is set apart and reading resumes on the next line", b.text))
        elif len(rec) == width:
            keep_rows.append(i)
            good.append(rec)
        elif not any(f.strip() for f in rec):
            rejected.append((first_row + i, "empty_row", "blank line", ""))
        elif len(rec) > width and not any(f.strip() for f in rec[width:]):
            keep_rows.append(i)  # trailing empty fields from a trailing delimiter: nothing lost
            good.append(rec[:width])
        else:
            rejected.append((first_row + i, "malformed_row",
                             f"has {len(rec)} fields but the header has {width} "
                             f"(delimiter {delim!r})", delim.join(rec)))
    frame = pd.DataFrame(good, columns=header, dtype="str") if good else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in header})
    return frame, np.asarray(keep_rows, dtype=np.int64) + first_row, rejected


def _filled(values: pd.Series) -> np.ndarray:
    """Return True where a text value is not blank (empty, white space only, or null).

    On Arrow text without stripping it: empty or all white space (Arrow's
    ``utf8_is_space``, the characters its ``str.strip`` removes).

    >>> _filled(pd.Series(["a", " ", "", None, " b"], dtype="str")).tolist()
    [True, False, False, False, True]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):  # coded text: its texts, then the codes
        texts = _filled(pd.Series(values.cat.categories, dtype="str"))
        return np.concatenate([texts, [False]])[values.array.codes]
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        import pyarrow.compute as pc

        a = values.array.__arrow_array__()
        blank = pc.or_(pc.equal(pc.binary_length(a), 0), pc.utf8_is_space(a))
        return ~pc.fill_null(blank, True).to_numpy(zero_copy_only=False)
    return (values.str.strip().ne("") & values.notna()).to_numpy(dtype=bool, na_value=False)


def _drop_blank(frame: pd.DataFrame, src_rows: np.ndarray
                ) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Remove records whose every field is blank; return their row numbers.

    Column by column, only the rows still blank so far are looked at: after the
    first column (usually an identifier that is always filled) few remain.
    """
    if not len(frame) or not len(frame.columns):
        return frame, src_rows, []
    cand = np.arange(len(frame))
    for col in frame.columns:
        if not len(cand):
            return frame, src_rows, []
        values = frame[col] if len(cand) == len(frame) else frame[col].iloc[cand]
        filled = _filled(values)
        cand = cand[~filled]
    if not len(cand):
        return frame, src_rows, []
    keep = np.ones(len(frame), dtype=bool)
    keep[cand] = False
    blank_rows = src_rows[cand].tolist()
    return frame.loc[keep].reset_index(drop=True), src_rows[keep], blank_rows


# --------------------------------------------------------------------------- Excel
def _excel_cell_text(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat(sep=" ")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float) and re.fullmatch(r"-?[1-9]\d{0,2}\.\d{3}", repr(v)):
        return repr(v) + "0"  # a number cell 1.234 has a decimal point: never read as 1234
    return str(v)


def _excel_grid(path: Path, sheet: str | int, sheets: list[str]) -> pd.DataFrame:
    """Read a sheet as a grid of raw cells; a missing sheet is named with the ones found."""
    if isinstance(sheet, str) and sheets and sheet not in sheets:
        raise DataSheetError(f"the workbook has no sheet {sheet!r}; sheets found: "
                             f"{', '.join(map(repr, sheets))}", sheets=sheets, source=str(path),
                             fix="pass sheet='<name>' with one of these names.")
    if isinstance(sheet, int) and sheets and not -len(sheets) <= sheet < len(sheets):
        raise DataSheetError(f"the workbook has no sheet number {sheet} (counting from 0); "
                             f"sheets found: {', '.join(map(repr, sheets))}", sheets=sheets,
                             source=str(path), fix="pass sheet='<name>' with one of these names.")
    try:
        return pd.read_excel(path, sheet_name=sheet, header=None, dtype=object,
                             engine="openpyxl")
    except ValueError as exc:
        raise SourceError(f"cannot read sheet {sheet!r}: {exc}", source=str(path),
                          fix="pass sheet='<name>' with an existing sheet name.") from exc
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise SourceError(f"cannot open the workbook: {exc}", source=str(path),
                          fix="check that it is a valid .xlsx file (not .xls or a renamed CSV).")\
            from exc


def _header_score(rows: list[list[object]], known: set[str]) -> int:
    """Most cells of one of the first rows that are known header names."""
    return max((sum(1 for c in row if c is not None and normalize_header(c) in known)
                for row in rows[:20]), default=0)


def _check_data_sheet(path: Path, sheet: str | int, sheets: list[str], rows: list[list[object]],
                      known: set[str]) -> None:
    """Raise :class:`DataSheetError` when the sheet is empty or another sheet holds the header."""
    label = sheets[sheet] if isinstance(sheet, int) and sheets else sheet
    found = f"sheets found: {', '.join(map(repr, sheets))}"
    if not rows:
        raise DataSheetError(f"sheet {label!r} is empty: it has no header and no rows; {found}",
                             sheets=sheets, source=str(path),
                             fix="pass sheet='<name>' with the sheet that holds the data.")
    if not known or len(sheets) < 2 or _header_score(rows, known) >= 2:
        return
    better = []
    for other in sheets:
        if other == label:
            continue
        head = pd.read_excel(path, sheet_name=other, header=None, dtype=object, nrows=20,
                             engine="openpyxl").map(_excel_cell_text).values.tolist()
        if _header_score(head, known) >= 2:
            better.append(other)
    if better:
        raise DataSheetError(
            f"sheet {label!r} has no header row with the expected column names, but sheet(s) "
            f"{', '.join(map(repr, better))} do; {found}", sheets=sheets, source=str(path),
            fix=f"pass sheet={better[0]!r} (command line: --sheet {better[0]!r}).")


def _formula_issues(path: Path, sheet: str | int, sheet_label: str, header: list[str],
                    src_rows: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """Issues and a note for the formula cells whose value the workbook does not store."""
    cells = formulas_without_values(path, sheet)
    if not cells:
        return _issue_frame(), []
    note = (f"{len(cells)} formula cell(s) of sheet {sheet_label!r} have no stored value "
            f"(e.g. {_column_letter(cells[0][1])}{cells[0][0]}: {cells[0][2]}): the workbook was "
            f"saved by a program that does not calculate, so these cells read as empty; open "
            f"and save it in Excel or LibreOffice to store the values")
    rows, cols, formulas = (np.array([c[i] for c in cells], dtype=object) for i in range(3))
    in_body = np.isin(rows.astype(np.int64), src_rows) & (cols.astype(np.int64) <= len(header))
    issues = pd.DataFrame({
        "source_file": str(path), "source_row": rows[in_body].astype(np.int64),
        "column": [header[c - 1] for c in cols[in_body]],
        "source_column": [header[c - 1] for c in cols[in_body]],
        "value": formulas[in_body], "reason": "formula_without_value",
        "detail": "the cell holds a formula but no stored value (read as empty); open and "
                  "save the workbook in Excel or LibreOffice to store it"})
    return issues, [note]


def _column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_excel_raw(path: Path, *, sheet: str | int | None = 0,
                   known_headers: set[str] | None = None, header_scan: int = 20) -> RawTable:
    """Read one sheet of an Excel workbook; a title block above the header is skipped.

    The sheet names are kept in ``meta["sheets"]``. An empty sheet, a missing
    one, or a sheet without the expected header while another sheet has it
    raise :class:`~workbench.exceptions.DataSheetError` naming the sheets found.
    Formula cells without a stored value are recorded as
    ``formula_without_value`` issues and a note.
    """
    sheet = 0 if sheet is None else sheet
    sheets = sheet_names(path)
    grid = _excel_grid(path, sheet, sheets)
    label = sheets[sheet] if isinstance(sheet, int) and sheets else str(sheet)
    grid = grid.map(_excel_cell_text)
    rows = grid.values.tolist()
    _check_data_sheet(path, sheet, sheets, rows, known_headers or set())
    hdr_idx = find_header_row(rows, known_headers or set(), max_scan=header_scan)
    header = unique_headers(rows[hdr_idx])
    body = grid.iloc[hdr_idx + 1:].reset_index(drop=True)
    body.columns = header
    first_row = hdr_idx + 2
    blank = body.isna().all(axis=1).to_numpy()
    rejected = [(first_row + int(i), "empty_row", "all cells empty", "") for i in np.flatnonzero(
        blank)]
    # trailing blank rows below the data are formatting, not records
    if blank.any() and not blank.all():
        last = int(np.flatnonzero(~blank).max())
        rejected = [r for r in rejected if r[0] - first_row < last]
    elif blank.all():
        rejected = []
    keep = ~blank
    frame = body.loc[keep].reset_index(drop=True)
    src_rows = np.flatnonzero(keep).astype(np.int64) + first_row
    issues, notes = _formula_issues(path, sheet, label, header, src_rows)
    meta = {"format": "excel", "sheet": sheet, "sheet_name": label, "sheets": sheets,
            "header_row": hdr_idx + 1, "notes": notes}
    return RawTable(frame, src_rows, str(path), _rejected_frame(rejected), meta, issues)


# --------------------------------------------------------------------------- Parquet / SQL
def read_parquet_raw(path: Path, columns: list[str] | None = None, *,
                     coded: bool = False) -> RawTable:
    """Read a Parquet file with typed columns (dates as ``datetime64``).

    With ``coded`` the text columns that repeat few values in the first
    ``_PARQUET_PROBE`` rows are read as codes (pandas ``Categorical``), straight
    from the file's own dictionary pages.
    """
    import pyarrow.parquet as pq

    try:
        kept = _parquet_coded_columns(path, columns) if coded else []
        # the file itself, not pq.read_table's dataset layer: a third of the time in a fresh
        # process (no pyarrow.dataset import, no batch scanning), one chunk per row group
        with pq.ParquetFile(path, read_dictionary=kept or None) as pf:
            table = pf.read(columns=columns)
    except Exception as exc:
        raise SourceError(f"cannot read the Parquet file: {exc}", source=str(path)) from exc
    ready = typed_in_place(table)
    frame = arrow_frame(_nanosecond_dates(table, skip=set(ready)), ready, date_as_object=False)
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), str(path),
                    meta={"format": "parquet"})


_PARQUET_PROBE = 16_384
"""Rows at the start of a Parquet file looked at to choose the text columns read as codes.

Decoding the probe costs most of the choice (a 1M-line file: about 4 ms for 16,384
rows, 15 ms for 65,536); a column of a few thousand distinct values met late is
then read as text, which holds the same values."""


def _parquet_coded_columns(path: Path, columns: list[str] | None) -> list[str]:
    """Return the text columns of a Parquet file that repeat few values in its first rows.

    As for CSV (:func:`_coded_columns`): at most one distinct value in
    ``_CODED_SHARE`` rows.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        names = [f.name for f in pf.schema_arrow
                 if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
                 and (columns is None or f.name in columns)]
        if not names or not pf.metadata.num_rows:
            return []
        probe = next(pf.iter_batches(batch_size=_PARQUET_PROBE, columns=names))
    return [name for name in names if _repeats_few(probe.column(name), probe.num_rows)]


_NS_FIRST_DAY = datetime.datetime(1677, 9, 22)
_NS_LAST_DAY = datetime.datetime(2262, 4, 11)
"""Whole days a nanosecond timestamp holds (the loaded frames' unit)."""


def _ns_bounds(column: pa.Array | pa.ChunkedArray) -> bool:
    """Tell whether every value of a date or timestamp column lies in the nanosecond range."""
    import pyarrow as pa
    import pyarrow.compute as pc

    bounds = pc.min_max(column.cast(pa.timestamp("s")) if pa.types.is_date(column.type)
                        else column)
    lo, hi = bounds["min"].as_py(), bounds["max"].as_py()
    return lo is None or (lo >= _NS_FIRST_DAY and hi <= _NS_LAST_DAY)


_TO_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _valid(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Return True for each present value of ``column``, from its validity bitmaps."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        return (np.concatenate([_valid(c) for c in column.chunks]) if column.num_chunks != 1
                else _valid(column.chunk(0)))
    if not column.null_count:
        return np.ones(len(column), dtype=bool)
    return _bits(column, 0)


def _bits(chunk: pa.Array, buffer: int) -> np.ndarray:
    """Return one of ``chunk``'s bitmaps (0: validity, 1: a boolean array's values) as bools."""
    if not len(chunk):  # an empty chunk may have no buffers at all
        return np.zeros(0, dtype=bool)
    bits = np.frombuffer(chunk.buffers()[buffer], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little",
                         count=chunk.offset + len(chunk))[chunk.offset:].view(bool)


def _typed_kind(t: pa.DataType, wanted: str | None, nulls: int) -> str | None:
    """Return how :func:`typed_in_place` converts a column of type ``t``, or ``None``.

    ``wanted`` is the NumPy type pandas' metadata stored for the column (if any).
    """
    import pyarrow as pa

    if pa.types.is_boolean(t):  # pandas' boolean, or NumPy's when there is no null
        return ("boolean" if wanted == "boolean" else
                "bool" if wanted in (None, "bool") and not nulls else None)
    if pa.types.is_int64(t):  # Arrow's own makes NumPy floats of an int64 column with nulls
        return ("Int64" if wanted == "Int64" else
                "int64" if wanted in (None, "int64") and not nulls else None)
    if pa.types.is_float64(t):  # not when the metadata asks for another type (Float64, ...)
        return "float" if wanted in (None, "float64") else None
    if pa.types.is_timestamp(t) and t.tz is None and (wanted is None
                                                       or wanted.startswith("datetime64")):
        return "stamp"
    return None


def _typed_column(column: pa.ChunkedArray, wanted: str | None) -> np.ndarray | object | None:
    """Return pandas' array for one typed column (see :func:`typed_in_place`), else ``None``."""
    kind = _typed_kind(column.type, wanted, column.null_count)
    if kind is None or not len(column):  # an empty column: Arrow's own conversion
        return None
    chunks = [c for c in column.chunks if len(c)]  # an empty chunk may have no buffers
    if kind in ("bool", "boolean"):  # bits to bytes
        flags = np.concatenate([_bits(c, 1) for c in chunks])
        return pd.arrays.BooleanArray(flags, ~_valid(column)) if kind == "boolean" else flags
    dtype = np.float64 if kind == "float" else np.int64
    views = []
    for c in chunks:
        data = c.buffers()[1]
        if data is None:
            return None
        v = np.frombuffer(data, dtype=dtype, count=len(c), offset=c.offset * 8)
        if kind == "stamp" and len(v):  # every slot (a null's too: stricter) in range
            lo, hi = (np.datetime64(d, c.type.unit).astype(np.int64)
                      for d in (_NS_FIRST_DAY, _NS_LAST_DAY))
            if v.min() < lo or v.max() > hi:
                return None
        views.append(v)
    if len(chunks) == 1:  # in the column's own buffer, when it is writeable
        if not (chunks[0].buffers()[1].is_mutable and views[0].flags.writeable):
            return None
        values = views[0]
    else:  # one new array for all chunks (Arrow's would cast each, then join them)
        values = np.empty(len(column), dtype=dtype)
    if kind in ("Int64", "int64"):
        if len(chunks) > 1:
            np.concatenate(views, out=values)
        return pd.arrays.IntegerArray(values, ~_valid(column)) if kind == "Int64" else values
    fill = np.iinfo(np.int64).min if kind == "stamp" else np.nan
    scale = _TO_NS[column.type.unit] if kind == "stamp" else 1
    at = 0
    for c, v in zip(chunks, views, strict=True):
        part = values[at:at + len(c)]
        at += len(c)
        if scale != 1:
            np.multiply(v, scale, out=part)  # null slots may wrap: refilled below
        elif part is not v:
            np.copyto(part, v)
        if c.null_count:
            part[~_valid(c)] = fill
    return values.view("datetime64[ns]") if kind == "stamp" else values


def typed_in_place(table: pa.Table) -> dict[int, np.ndarray | object]:
    """Convert the typed columns of ``table`` to pandas' arrays from their own Arrow buffers.

    Returns, per column position, the array pandas holds for the column, as
    Arrow's ``to_pandas`` (with the file's pandas metadata) makes it, but made
    in the column's own buffer where the values are already pandas' form:

    - ``float64``: NaN written into the null slots;
    - timestamps without a time zone: scaled to nanoseconds where they lie,
      NaT in the null slots (``datetime64[ns]``);
    - ``int64``: the values as they are (``Int64`` with its nulls where the
      metadata asks for it, else only a column without a null);
    - booleans: the bits unpacked (``boolean`` where the metadata asks for it,
      else only a column without a null).

    Arrow's cast and ``to_pandas`` would each fill a new array; on a million
    rows the new arrays' first touches of memory cost more than the
    conversions. A column of one chunk is converted in its own buffer when
    that is writeable (read from a file, not mapped); a column of several
    chunks (row groups) is written once into one new array. Every timestamp
    must lie in the nanosecond range. Pass a table nothing else holds (one
    just read from a file): its converted columns, and any array sharing their
    buffers, are not to be read again.

    >>> import pyarrow as pa
    >>> t = pa.table({"d": pa.array([86_400_000_000, None], pa.timestamp("us")),
    ...               "q": pa.array([1.5, None]), "s": ["a", "b"], "f": [True, False]})
    >>> t = pa.table({c: pa.concat_arrays([t.column(c).chunk(0)]) for c in t.column_names})
    >>> out = typed_in_place(t)
    >>> sorted(out), out[0].astype(str).tolist(), out[1].tolist(), out[3].tolist()
    ([0, 1, 3], ['1970-01-02T00:00:00.000000000', 'NaT'], [1.5, nan], [True, False])
    """
    wanted = {c.get("field_name", c.get("name")): c.get("numpy_type")
              for c in (table.schema.pandas_metadata or {}).get("columns", [])}
    out: dict[int, np.ndarray | object] = {}
    for i, fld in enumerate(table.schema):
        got = _typed_column(table.column(i), wanted.get(fld.name))
        if got is not None:
            out[i] = got
    return out


def _nanosecond_dates(table: pa.Table, skip: set[int] = frozenset()) -> pa.Table:
    """Cast date and timestamp columns (no timezone) to nanoseconds where every value fits.

    pandas then holds them in the data model's unit, and staging uses them
    without another copy; a column with a day beyond 1677-09-22 .. 2262-04-11
    (a ``9999-12-31`` placeholder) keeps its unit, and staging records the value.
    Columns at the positions in ``skip`` are left as they are.
    """
    import pyarrow as pa

    for i, fld in enumerate(table.schema):
        t = fld.type
        if i in skip:
            continue
        if not (pa.types.is_date(t) or (pa.types.is_timestamp(t) and t.tz is None
                                        and t.unit != "ns")):
            continue
        col = table.column(i)
        if not _ns_bounds(col):
            continue
        target = pa.timestamp("ns")
        table = table.set_column(i, fld.with_type(target), col.cast(target))
    return table
