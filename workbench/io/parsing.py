"""Vectorized parsing of raw text values into typed columns.

Every parser takes a pandas Series of raw values (text, or already typed when
the source was Parquet/SQL/Excel) and returns a :class:`Parsed` result: the
typed values, a mask of values that were present but could not be used, and
per-value issue codes for values that were used but deserve a look (ambiguous
or inconsistent dates).

Parsing works on the *unique* raw values and maps the result back, so a
column of ten million dates with a few thousand distinct values costs a few
thousand regex matches, not ten million.
"""

from __future__ import annotations

import contextlib
import functools
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.exceptions import ChoiceError

__all__ = [
    "DateOptions",
    "FALSE_WORDS",
    "ISSUE_DATE_AMBIGUOUS",
    "ISSUE_DATE_EXCEL_SERIAL",
    "ISSUE_DATE_INCONSISTENT",
    "ISSUE_DATE_OUT_OF_RANGE",
    "ISSUE_NUMBER_AMBIGUOUS",
    "ISSUE_NUMBER_INCONSISTENT",
    "NA_MARKERS",
    "NumberContext",
    "Parsed",
    "TRUE_WORDS",
    "decimal_evidence",
    "factorize_text",
    "is_coded_text",
    "decoded_text",
    "flagged",
    "infer_number_context",
    "na_mask",
    "parse_bool",
    "parse_column",
    "parse_date",
    "parse_number",
    "parse_string",
    "sharing_flags",
]

NA_MARKERS: frozenset[str] = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "nat", "null", "none", "-", "--", "#n/a", "#na", "nil",
     "无", "空"}
)
"""Raw values read as *missing* (compared case-insensitively after stripping).

Anything else that does not parse — ``"Date Not Captured"``, ``"N/A - From RDC"``,
``"TBD"`` — is an *unusable* value and is reported, never silently dropped."""

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0", "x", "是", "有", "对"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0", "否", "无", "错"})

ISSUE_DATE_AMBIGUOUS = "date_ambiguous"
ISSUE_DATE_INCONSISTENT = "date_format_inconsistent"
ISSUE_DATE_OUT_OF_RANGE = "date_out_of_range"
ISSUE_DATE_EXCEL_SERIAL = "date_excel_serial"
ISSUE_NUMBER_AMBIGUOUS = "number_ambiguous"
ISSUE_NUMBER_INCONSISTENT = "number_format_inconsistent"


@dataclass
class Parsed:
    """Result of parsing one column.

    Attributes
    ----------
    values
        Typed values, missing where the raw value was missing or unusable.
    missing
        True where the raw value was empty or an NA marker.
    invalid
        True where a raw value was present but could not be read.
    issue
        Object array: issue code per value for values that *were* read but are
        doubtful (``date_ambiguous``, ``date_format_inconsistent``), else None.
    detail
        Object array: explanation per flagged value (invalid or issue), else None.
    info
        Column-level facts (e.g. detected date format).
    """

    values: pd.Series
    missing: np.ndarray
    invalid: np.ndarray
    issue: np.ndarray
    detail: np.ndarray
    info: dict = field(default_factory=dict)


def is_coded_text(values: pd.Series) -> bool:
    """Tell whether ``values`` is text held as codes: a pandas ``Categorical`` of strings.

    Readers hold the columns that repeat few values (dates, quantities, flags,
    sites) this way: one small table of texts and a code per row, instead of a
    text per row. Parsing reads the texts once and the codes row by row.

    >>> is_coded_text(pd.Series(["a", "b", "a"], dtype="category"))
    True
    >>> is_coded_text(pd.Series([1, 2, 1], dtype="category")), is_coded_text(pd.Series(["a"]))
    (False, False)
    """
    dtype = values.dtype
    return isinstance(dtype, pd.CategoricalDtype) and (
        pd.api.types.is_string_dtype(dtype.categories.dtype)
        and pd.api.types.infer_dtype(dtype.categories, skipna=True) in {"string", "empty"})


def decoded_text(values: pd.Series) -> pd.Series:
    """Return coded text (:func:`is_coded_text`) as a pandas ``str`` column; others unchanged.

    >>> decoded_text(pd.Series(["b", None, "b"], dtype="category")).tolist()
    ['b', nan, 'b']
    """
    if not is_coded_text(values):
        return values
    cats = values.cat.categories
    table = pd.Series(cats, dtype="str").array
    codes = values.array.codes
    return pd.Series(table.take(codes, allow_fill=True), index=values.index, name=values.name,
                     copy=False)


def _as_text(raw: pd.Series) -> pd.Series:
    """Raw values as stripped text (pandas ``str`` dtype), NaN for nulls."""
    raw = decoded_text(raw)
    if not pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        obj = raw.astype(object)
        raw = obj.where(obj.notna(), None).astype("str")
    stripped = raw.str.strip()
    if isinstance(raw.array, pd.arrays.ArrowStringArray):  # byte lengths: no pass over the text
        import pyarrow.compute as pc

        same = pc.all(pc.equal(pc.binary_length(stripped.array.__arrow_array__()),
                               pc.binary_length(raw.array.__arrow_array__())))
        if same.as_py() is not False:
            return raw  # nothing stripped: keep the column, not a copy of it
        return stripped
    if stripped.str.len().equals(raw.str.len()):
        return raw
    return stripped


def na_mask(text: pd.Series, extra_na: frozenset[str] = frozenset(),
            exclude: frozenset[str] = frozenset()) -> np.ndarray:
    """Return True where a value is null or one of the NA markers (case-insensitive).

    ``exclude`` names built-in markers that do not count (``nan`` for numbers).
    """
    markers = sorted((NA_MARKERS - exclude) | {m.strip().lower() for m in extra_na})
    if isinstance(text.array, pd.arrays.ArrowStringArray) and len(text):
        return _na_mask_arrow(text.array.__arrow_array__(), markers)
    isnull = text.isna().to_numpy()
    # lowercasing never shortens a text, so only values no longer than the longest
    # marker can be one: in a column of long identifiers only those few are compared
    short = (text.str.len() <= max(map(len, markers))).to_numpy(dtype=bool, na_value=False)
    if short.sum() > len(text) // 4:
        return isnull | text.str.lower().isin(markers).to_numpy(dtype=bool, na_value=False)
    found = isnull.copy()
    at = np.flatnonzero(short)
    found[at] |= text.iloc[at].str.lower().isin(markers).to_numpy(dtype=bool, na_value=False)
    return found


def _na_mask_arrow(text: pa.ChunkedArray, markers: list[str]) -> np.ndarray:
    """:func:`na_mask` of an Arrow text column with Arrow's kernels (no pandas wrappers).

    The same rule: null, or, lowercased (``utf8_lower``, as ``str.lower``), one of
    ``markers``; only values no longer than the longest marker are lowercased.
    """
    import pyarrow.compute as pc

    value_set = pa.array(markers, type=text.type)
    short = pc.less_equal(pc.utf8_length(text), max(map(len, markers)))
    found = pc.is_null(text).to_numpy()
    n_short = pc.sum(short).as_py() or 0
    if not n_short:
        return found
    if n_short > len(text) // 4:
        hit = pc.is_in(pc.utf8_lower(text), value_set=value_set)
        return found | hit.to_numpy(zero_copy_only=False)
    at = np.flatnonzero(pc.fill_null(short, False).to_numpy(zero_copy_only=False))
    hit = pc.is_in(pc.utf8_lower(text.take(at)), value_set=value_set)
    found[at] |= hit.to_numpy(zero_copy_only=False)
    return found


def _factorize(text: pd.Series, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (``-1`` where missing) and the distinct present values as a str array."""
    codes, uniq = pd.factorize(text.where(~missing))
    return np.asarray(codes), np.asarray(uniq, dtype=object)


def factorize_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return codes (``-1`` for nulls) and distinct values, as ``pd.factorize`` does.

    For an Arrow text column (the loaders' columns, in many chunks) the chunks
    are encoded with one table of distinct values (Arrow numbers them in order
    of first appearance, so the chunk dictionary with the most values holds
    them all) and their codes are joined; ``pd.factorize`` joins the encoded
    chunks themselves, comparing their dictionaries again (about a third of the
    time on a column of many distinct values). Other columns go to
    ``pd.factorize``. The distinct values are returned as an object array.

    >>> codes, uniq = factorize_text(pd.Series(["b", None, "a", "b"], dtype="str"))
    >>> codes.tolist(), uniq.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    if is_coded_text(values):
        return _category_codes(values)
    arr = values.array
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        codes, uniq = pd.factorize(values)
        return np.asarray(codes), np.asarray(uniq, dtype=object)
    import pyarrow.compute as pc

    chunks = arr.__arrow_array__().dictionary_encode().chunks
    if not chunks or not len(values):
        return np.zeros(len(values), dtype=np.intp), np.zeros(0, dtype=object)
    codes = np.concatenate([c.indices.to_numpy() if not c.null_count  # no copy
                            else pc.fill_null(c.indices, -1).to_numpy() for c in chunks])
    dictionary = max((c.dictionary for c in chunks), key=len)  # the last, unless it is empty
    return codes.astype(np.intp, copy=False), dictionary.to_numpy(zero_copy_only=False)


def _category_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`factorize_text` of coded text: its codes, renumbered only when needed.

    The distinct values are the categories that occur, in order of first
    appearance, as ``pd.factorize`` numbers them (a reader's categories already
    are: Arrow numbers a column's texts as it meets them); the codes are
    renumbered when the categories are in another order or some do not occur.

    >>> c = pd.Series(pd.Categorical(["b", "a", None, "b"], categories=["a", "b", "z"]))
    >>> codes, uniq = _category_codes(c)
    >>> codes.tolist(), uniq.tolist()
    ([0, 1, -1, 0], ['b', 'a'])
    """
    codes = values.array.codes
    cats = np.asarray(values.cat.categories, dtype=object)
    seen = pd.unique(codes)
    seen = seen[seen >= 0]
    if len(seen) == len(cats) and (seen == np.arange(len(cats))).all():
        return codes, cats
    renumber = np.full(len(cats) + 1, -1, dtype=codes.dtype)  # the last one: code -1
    renumber[seen] = np.arange(len(seen))
    return renumber[codes], cats[seen]


def _counts(codes: np.ndarray, width: int) -> np.ndarray:
    """Return how many of ``codes`` equal each of ``0 .. width-1`` (``-1``, a null, is skipped).

    Codes of one or two bytes (coded text) are counted as unsigned: a null
    falls in the last bin, beyond ``width``, so no mask or copy of the codes is
    needed (about a third less time on ten million).

    >>> _counts(np.array([1, -1, 1, 0], dtype=np.int8), 3).tolist()
    [1, 2, 0]
    """
    if codes.dtype.kind == "i" and codes.dtype.itemsize <= 2 and width < 2 ** (
            8 * codes.dtype.itemsize) - 1:
        unsigned = codes.view(np.uint8 if codes.dtype.itemsize == 1 else np.uint16)
        return np.bincount(unsigned, minlength=width)[:width]
    null = codes < 0
    return np.bincount(codes[~null] if null.any() else codes, minlength=width)


@dataclass(frozen=True)
class _Codes:
    """Each row's distinct value, through a table of the column's raw distinct values.

    ``rows`` holds per row an index into ``table`` (``-1``: null); ``table`` per
    raw distinct value an index into the distinct values parsed (``-1``:
    missing), or is ``None`` when ``rows`` index those directly. Spreading a
    per-value array through the small table first costs one pass over the rows
    instead of two.
    """

    rows: np.ndarray
    table: np.ndarray | None = None

    @functools.cached_property
    def takes(self) -> np.ndarray:
        """``rows`` as NumPy's index type: ``take`` converts narrower codes on every call.

        A column's several spreads then convert its one- or two-byte codes once
        (a take of a million with ``int16`` codes costs about four times one
        with ``intp`` codes).
        """
        return self.rows.astype(np.intp, copy=False)

    def spread(self, per_value: np.ndarray, fill: object) -> np.ndarray:
        """Map a per-distinct-value array to rows (``fill`` where missing); see :func:`_spread`."""
        if self.table is not None:
            per_value = _spread(per_value, self.table, fill)
        return _spread(per_value, self.takes, fill)

    def missing(self) -> np.ndarray:
        """Return True for the rows with no distinct value (null or a missing marker)."""
        if self.table is None:
            return self.rows < 0
        return _spread(self.table < 0, self.takes, True).astype(bool, copy=False)

    def weight(self, n: int) -> np.ndarray:
        """Return how many rows hold each of the ``n`` distinct values."""
        rows = self.rows
        width = n if self.table is None else len(self.table)
        counts = _counts(rows, width)
        if self.table is None:
            return counts
        ok = self.table >= 0
        return np.bincount(self.table[ok], weights=counts[ok], minlength=n).astype(np.int64)


class _Weights:
    """Rows per distinct value (:meth:`_Codes.weight`), counted on first use.

    Counting reads every row; a column whose distinct values settle a choice on
    their own (one date family, one decimal mark) never counts. Indexed as the
    counts array: ``weights[mask]``.
    """

    def __init__(self, codes: _Codes, n: int) -> None:
        self._codes, self._n = codes, n

    @functools.cached_property
    def counts(self) -> np.ndarray:
        """Return how many rows hold each distinct value."""
        return self._codes.weight(self._n)

    def __getitem__(self, key: object) -> np.ndarray:
        return self.counts[key]


def _distinct_text(raw: pd.Series, missing_of: Callable[[pd.Series], np.ndarray]
                   ) -> tuple[np.ndarray, _Codes, np.ndarray] | None:
    """Strip, mark missing and factorize the *distinct* raw values, then map to rows.

    Returns what ``_as_text`` + ``missing_of`` + ``_factorize`` return on the
    whole column (row missing mask, row codes, distinct present values in order
    of first appearance), computed on the distinct raw values only, so a column
    of a million repeated dates costs a few thousand strips. ``None`` when
    ``raw`` is not a text column (the caller takes the row-wise path).
    """
    if not is_coded_text(raw) and (raw.dtype == object
                                   or not pd.api.types.is_string_dtype(raw.dtype)):
        return None
    raw_codes, raw_uniq = factorize_text(raw)
    text_u = pd.Series(raw_uniq, dtype="str").str.strip()
    missing_u = np.asarray(missing_of(text_u), dtype=bool)
    codes_u, uniq = _factorize(text_u, missing_u)
    if len(uniq) == len(codes_u) and (codes_u == np.arange(len(codes_u))).all():
        return raw_codes < 0, _Codes(raw_codes), uniq  # raw values are the distinct values
    codes = _Codes(raw_codes, codes_u)
    return codes.missing(), codes, uniq


_NO_FLAGS: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()
"""The read-only all-``None`` flag array per length, shared while any parse holds it."""
_HELD: dict[int, np.ndarray] | None = None
"""Strong references to the shared arrays while :func:`sharing_flags` is active."""


@contextlib.contextmanager
def sharing_flags() -> Iterator[None]:
    """Keep the shared no-flags array of each length alive for the duration (a whole load).

    Between two columns no parse holds it; without this, each column would fill
    a new one. On exit the arrays are released with the last parse holding them.
    """
    global _HELD
    before, _HELD = _HELD, {}
    try:
        yield
    finally:
        _HELD = before


def _no_flags(n: int) -> np.ndarray:
    """Return a read-only array of ``n`` ``None``: no issue or detail for any value.

    Most columns flag nothing; they share one array instead of filling one
    each (millions of ``None`` per column). Code that flags values builds its own.
    """
    arr = _NO_FLAGS.get(n)
    if arr is None:
        arr = np.full(n, None, dtype=object)
        arr.flags.writeable = False
        _NO_FLAGS[n] = arr
    if _HELD is not None:
        _HELD[n] = arr
    return arr


def flagged(flags: np.ndarray) -> np.ndarray:
    """Return True where a per-row issue or detail array (``Parsed.issue``) holds a flag.

    >>> flagged(parse_date(pd.Series(["2024-01-31", "45352"])).issue).tolist()
    [False, True]
    """
    if flags is _NO_FLAGS.get(len(flags)):
        return np.zeros(len(flags), dtype=bool)
    return pd.notna(flags)


def _spread(per_value: np.ndarray, codes: np.ndarray, fill: object) -> np.ndarray:
    """Map a per-distinct-value array back to rows (``fill`` where the row is missing)."""
    if not len(per_value):
        return np.full(len(codes), fill, dtype=object if fill is None else None)
    if per_value.dtype == object and fill is None:
        flags = pd.notna(per_value)
        if not flags.any():
            return _no_flags(len(codes))  # the common case: nothing flagged
        rows = np.flatnonzero(np.concatenate([flags, [False]]).take(codes))
        if len(rows) * 16 < len(codes):  # few flagged rows: set those in an array of None
            out = np.empty(len(codes), dtype=object)  # NumPy fills object arrays with None
            out[rows] = per_value[codes[rows]]
            return out
    if per_value.dtype == bool and isinstance(fill, bool) and not per_value.any():
        # nothing flagged among the values: only the missing rows take the fill
        return codes < 0 if fill else np.zeros(len(codes), dtype=bool)
    ext = np.concatenate([per_value, np.asarray([fill], dtype=per_value.dtype)])
    return ext.take(codes)  # code -1 (missing) takes the fill at the end; take beats ext[codes]


def _finish(raw: pd.Series, values: pd.Series, missing: np.ndarray, invalid: np.ndarray,
            detail_invalid: str | np.ndarray, info: dict | None = None) -> Parsed:
    idx = raw.index
    missing = np.asarray(missing, dtype=bool)
    invalid = np.asarray(invalid, dtype=bool)
    detail = _no_flags(len(idx))
    if invalid.any():
        detail = np.full(len(idx), None, dtype=object)
        detail[invalid] = (detail_invalid if isinstance(detail_invalid, str)
                           else np.asarray(detail_invalid, dtype=object)[invalid])
    return Parsed(values, missing, invalid, _no_flags(len(idx)), detail,
                  info or {})


# --------------------------------------------------------------------------- strings
def parse_string(raw: pd.Series, extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse identifiers and free text: stripped; NA markers become missing.

    Integral floats coming from spreadsheets (``123.0``) are written ``123`` so
    identifiers match across sources. A float beyond 2**53 (where a float no
    longer holds every whole number, so the identifier may already be rounded),
    an infinity and a NaN-like value are unusable, never turned into text.
    """
    invalid = np.zeros(len(raw), dtype=bool)
    why: str | np.ndarray = ""
    if pd.api.types.is_float_dtype(raw.dtype):  # numbers read as identifiers
        v = raw.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            invalid = np.isinf(v) | (np.abs(v) >= 2.0 ** 53)
            why = np.where(np.isinf(v), "an infinite number is not an identifier",
                           "a number too large to be an exact identifier (floats keep 15-16 "
                           "digits); store identifiers as text")
            integral = np.isfinite(v) & ~invalid & (v % 1 == 0)
        obj = raw.astype(object).mask(invalid, None)
        raw = obj.where(~integral, pd.Series(np.where(integral, v, 0).astype(np.int64),
                                             index=raw.index).astype(str))
    elif is_coded_text(raw):
        return _parse_string_coded(raw, extra_na)
    else:
        fast = _parse_string_distinct(raw, extra_na)
        if fast is not None:
            return fast
    text = _as_text(raw)
    missing = na_mask(text, extra_na) & ~invalid
    drop = missing | invalid
    values = text.where(~drop) if drop.any() else text
    return _finish(raw, values, missing, invalid, why)


def _parse_string_coded(raw: pd.Series, extra_na: frozenset[str]) -> Parsed:
    """:func:`parse_string` of coded text: the distinct texts parsed, then taken per row.

    >>> p = _parse_string_coded(pd.Series([" a", "n/a", " a"], dtype="category"), frozenset())
    >>> p.values.tolist(), p.missing.tolist()
    (['a', nan, 'a'], [False, True, False])
    """
    codes, uniq = factorize_text(raw)
    p = parse_string(pd.Series(uniq, dtype="str"), extra_na)
    values = pd.Series(_take_text(pd.Series(p.values, dtype="str").array, codes),
                       index=raw.index, copy=False)
    missing = _spread(p.missing, codes, True).astype(bool, copy=False)
    return _finish(raw, values, missing, np.zeros(len(raw), dtype=bool), "")


def _take_text(table: pd.arrays.ArrowStringArray, codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Return ``table.take(codes, allow_fill=True)``: each row's text, missing where code -1.

    Rows without a value point at a missing text added at the table's end, so
    Arrow takes without a mask over the indices (a masked take of a million
    rows costs about twice as much).

    >>> t = pd.Series(["a", None, "c"], dtype="str").array
    >>> _take_text(t, np.array([2, -1, 0, 1], dtype=np.int8)).tolist()
    ['c', nan, 'a', nan]
    """
    texts = table.__arrow_array__()
    ext = pa.concat_arrays([*texts.chunks, pa.nulls(1, type=texts.type)])
    codes = np.asarray(codes)
    rows = np.where(codes < 0, len(texts), codes) if (codes < 0).any() else codes
    taken = ext.take(pa.array(rows.astype(np.int32 if len(ext) < 2**31 else np.int64,
                                          copy=False)))
    return pd.arrays.ArrowStringArray(pa.chunked_array([taken], type=texts.type),
                                      dtype=table.dtype)


_PROBE_ROWS = 50_000
"""Rows of an Arrow text column looked at to judge whether it repeats few values."""
_PROBE_DISTINCT = 1_000
"""At most this many distinct values in those rows (2 %) make it a column of few values."""


def _parse_string_distinct(raw: pd.Series, extra_na: frozenset[str]) -> Parsed | None:
    """:func:`parse_string` of an Arrow text column of few distinct values, on those values.

    Codes, sites, statuses, customer and item ids repeat a few values millions of
    times: the strip and missing-marker checks run on the distinct values; only
    a column with a marker is searched again for it (one pass), and nothing is
    copied when nothing is stripped. ``None`` (the row-wise path) for a column
    of many distinct values (judged on its first ``_PROBE_ROWS`` rows) or one
    whose values need stripping.
    """
    if len(raw) < 2 * _PROBE_ROWS or not isinstance(raw.array, pd.arrays.ArrowStringArray):
        return None
    import pyarrow.compute as pc

    arr = raw.array.__arrow_array__()
    if len(pc.unique(arr.slice(0, _PROBE_ROWS))) > _PROBE_DISTINCT:
        return None
    uniq = pc.unique(arr)
    if isinstance(uniq, pa.ChunkedArray):
        uniq = uniq.combine_chunks()
    present = uniq.filter(pc.is_valid(uniq))
    text_u = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([present]),
                                                  dtype=raw.dtype))
    if _as_text(text_u) is not text_u:
        return None  # something to strip: the row-wise path rebuilds the column
    missing_u = na_mask(text_u, extra_na)
    missing = pc.is_null(arr).to_numpy()
    if missing_u.any():
        hit = pc.is_in(arr, value_set=present.filter(pa.array(missing_u)))
        missing |= hit.to_numpy(zero_copy_only=False)
    values = raw.where(~missing) if missing.any() else raw
    return _finish(raw, values, missing, np.zeros(len(raw), dtype=bool), "")


# --------------------------------------------------------------------------- numbers
_CURRENCY = re.compile(r"^[\s$€£¥￥]+|[\s$€£¥￥]+$|^(?:rmb|cny|usd|eur)\s*|\s*(?:rmb|cny|usd|eur)$",
                       re.IGNORECASE)
_SPECIAL_NUMBER = re.compile(r"^[+-]?(?:inf|infinity|nan)$", re.IGNORECASE)
_GROUPED = {".": re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?$"),
            ",": re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?$")}
"""Numbers with thousands groups, per decimal mark (``1,234.5`` / ``1.234,5``)."""
_LABEL = {".": "decimal point", ",": "decimal comma"}
_PYTHON_NUMBERS = frozenset({"integer", "floating", "decimal", "mixed-integer-float"})
"""``infer_dtype`` kinds of object columns holding Python numbers rather than text."""
_INT64_MAX = "9223372036854775807"
_DECLARE = 'Declare the convention in the mapping (numbers: decimal: "," or ".").'
_NOT_FINITE = ("not a usable number ({v} is infinite or not-a-number); a quantity or price "
               "must be a finite number")
_OVERFLOW = "too large: overflows a 64-bit float"
_INT_OVERFLOW = ("whole number beyond the 64-bit integer range (+/-" + _INT64_MAX +
                 "); an identifier or a corrupt value, not a line number or count")


@dataclass(frozen=True)
class NumberContext:
    """What a file as a whole says about its decimal mark (see :func:`infer_number_context`).

    Attributes
    ----------
    decimal
        ``","`` or ``"."`` as the file suggests it, ``None`` when it says nothing.
    source
        Where the suggestion comes from, in words (shown in the summary and issues).
    settled
        True when values of the file's number columns settle it; False for mere
        hints (a ``;`` delimiter, dotted dates), with which values that read two
        ways are flagged as ``number_ambiguous``.
    """

    decimal: str | None = None
    source: str = ""
    settled: bool = False


def _strip_marks(u: pd.Series) -> pd.Series:
    """Strip currency marks, no-break and grouping spaces or apostrophes; ``(x)`` -> ``-x``."""
    marked = ~u.str.fullmatch(r"[+-]?[\d.,]*").to_numpy(dtype=bool, na_value=False)
    if not marked.any():  # the common case: plain digits and separators only
        return u
    s = u[marked].str.replace(_CURRENCY, "", regex=True).str.replace("\u00a0", "", regex=False)
    s = s.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    s = s.str.replace(r"(?<=\d)[ '\u202f](?=\d{3}\b)", "", regex=True)
    return u.where(~marked, s)


def _normalise(s: pd.Series, decimal: str) -> pd.Series:
    """Return the text with thousands groups removed, for ``decimal``; NaN if it cannot be one."""
    group = "," if decimal == "." else "."
    grouped = s.str.match(_GROUPED[decimal]).to_numpy(dtype=bool, na_value=False)
    out = s.where(~grouped, s.str.replace(group, "", regex=False))
    stray = out.str.contains(group, regex=False).to_numpy(dtype=bool, na_value=False)
    out = out.where(~stray)
    return out.str.replace(",", ".", regex=False) if decimal == "," else out


@dataclass
class _Readings:
    """Both readings of distinct number texts: with a decimal point and with a decimal comma."""

    text: pd.Series
    norm: dict[str, pd.Series]
    value: dict[str, np.ndarray]
    ok: dict[str, np.ndarray]

    @classmethod
    def of(cls, uniq: pd.Series) -> _Readings:
        text = _strip_marks(uniq)
        norm = {d: _normalise(text, d) for d in (".", ",")}
        value = {d: pd.to_numeric(norm[d], errors="coerce").to_numpy(dtype="float64",
                                                                       na_value=np.nan)
                 for d in norm}
        return cls(text, norm, value, {d: np.isfinite(v) for d, v in value.items()})

    def only(self, decimal: str) -> np.ndarray:
        """Texts readable with ``decimal`` but not with the other mark."""
        other = "," if decimal == "." else "."
        return self.ok[decimal] & ~self.ok[other]

    def ambiguous(self) -> np.ndarray:
        """Texts that read as two different numbers (``1.200``, ``1,200``)."""
        return self.ok["."] & self.ok[","] & (self.value["."] != self.value[","])


def _number_missing(text: pd.Series, extra_na: frozenset[str]) -> np.ndarray:
    """Return the missing mask for numbers: NA markers, except a literal ``NaN`` (unusable)."""
    return na_mask(text, extra_na, exclude=frozenset({"nan"}))


def decimal_evidence(raw: pd.Series, extra_na: frozenset[str] = frozenset()) -> tuple[int, int]:
    """Count the values readable only with a decimal point, and only with a decimal comma.

    ``"2.5"``, ``"1,234.50"`` and ``"1,234,567"`` count for the point; ``"2,5"``,
    ``"1.234,50"`` and ``"1.234.567"`` for the comma; ``"1.200"`` for neither.

    >>> decimal_evidence(pd.Series(["2,5", "1.234,50", "1.200", "7"]))
    (0, 2)
    """
    if pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype) or (
            raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) in _PYTHON_NUMBERS):
        return 0, 0  # typed numbers say nothing about how the file writes text
    fast = _distinct_text(raw, lambda t: _number_missing(t, extra_na))
    if fast is None:
        text = _as_text(raw)
        missing = _number_missing(text, extra_na)
        codes, uniq = _factorize(text, missing)
        weight = np.bincount(codes[codes >= 0], minlength=len(uniq))
    else:
        _, row_codes, uniq = fast
        weight = row_codes.weight(len(uniq))
    r = _Readings.of(pd.Series(uniq, dtype="str"))
    return int(weight[r.only(".")].sum()), int(weight[r.only(",")].sum())


_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?:\s|$)")


def infer_number_context(numbers: list[pd.Series], dates: list[pd.Series] = (),
                         delimiter: str | None = None) -> NumberContext:
    """Infer a file's decimal mark from all its number columns, its dates and its delimiter.

    Values that settle it (``2,5``, ``1.234,50``; ``2.5``, ``1,234.50``) decide,
    the majority winning; failing those, a ``;`` delimiter or dates written
    ``31.12.2025`` hint at a decimal comma (a hint only: values that read two
    ways stay flagged).

    >>> infer_number_context([pd.Series(["1.200", "3"]), pd.Series(["2,5"])]).decimal
    ','
    >>> infer_number_context([pd.Series(["1.200"])], delimiter=";").settled
    False
    """
    w_dot = w_comma = 0
    for s in numbers:
        d, c = decimal_evidence(s)
        w_dot, w_comma = w_dot + d, w_comma + c
    if w_dot or w_comma:
        conv = "," if w_comma > w_dot else "."
        return NumberContext(conv, "inferred from the file's other number columns",
                             settled=not (w_dot and w_comma))
    hints = []
    if delimiter == ";":
        hints.append("the ';' delimiter")
    for s in dates:
        text = _as_text(s)
        text = text[~na_mask(text)]
        if len(text) and text.str.match(_DOTTED_DATE).mean() > 0.5:
            hints.append("dates written D.M.Y")
            break
    if hints:
        return NumberContext(",", "guessed from " + " and ".join(hints))
    return NumberContext()


def _decimal_convention(decimal: str | None, context: NumberContext | Callable | None,
                        w_dot: int, w_comma: int, needed: bool) -> tuple[str, str, bool]:
    """Choose the decimal mark of a column; return it, where it came from, and flag-ambiguous.

    ``context`` may be a function returning the :class:`NumberContext`; it is
    called only when the column has two-way values (``needed``) and no evidence.
    """
    if decimal in (".", ","):
        return decimal, "declared in the mapping", False
    if w_dot or w_comma:
        mixed = bool(w_dot and w_comma)
        return (("," if w_comma > w_dot else "."),
                "inferred from this column" + (", which mixes both" if mixed else ""), mixed)
    if callable(context) and needed:
        context = context()
    if isinstance(context, NumberContext) and context.decimal:
        return context.decimal, context.source, not context.settled
    return ".", "default: nothing in the file settles it", True


def _fmt(v: float) -> str:
    return f"{v:.15g}"


def _read_numbers(r: _Readings, weight: _Weights | np.ndarray, decimal: str | None,
                  context: NumberContext | Callable | None) -> tuple[np.ndarray, pd.Series, np.ndarray,
                                                          np.ndarray, dict]:
    """Read distinct texts by the column's decimal mark; flag two-way and contradicting ones.

    Returns values, the normalised text used, issue codes, details, and info.
    """
    amb = r.ambiguous()
    dot, comma = r.only("."), r.only(",")
    if dot.any() and comma.any():  # both marks: the rows weigh
        w_dot, w_comma = int(weight[dot].sum()), int(weight[comma].sum())
    else:  # one mark or none: which one, not how many rows (a distinct value has a row)
        w_dot, w_comma = int(dot.any()), int(comma.any())
    conv, source, flag_amb = _decimal_convention(decimal, context, w_dot, w_comma,
                                                 bool(amb.any()))
    other = "," if conv == "." else "."
    own = r.ok[conv]
    values = np.where(own, r.value[conv], r.value[other])
    norm = r.norm[conv].where(own, r.norm[other])
    n = len(values)
    issue = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    label = f"{_LABEL[conv]} ({source})"
    for i in np.flatnonzero(amb & flag_amb):
        issue[i] = ISSUE_NUMBER_AMBIGUOUS
        detail[i] = (f"read as {_fmt(values[i])} with a {label}; with a {_LABEL[other]} it "
                     f"would be {_fmt(r.value[other][i])}. {_DECLARE}")
    contra = r.only(other)
    for i in np.flatnonzero(contra):
        issue[i] = ISSUE_NUMBER_INCONSISTENT
        detail[i] = (f"only readable with a {_LABEL[other]} ({_fmt(values[i])}) but the column "
                     f"uses a {label}; read as {_fmt(values[i])}")
    info = {}
    if r.text.str.contains(r"\d[.,]\d", regex=True).any():
        info["number_convention"] = label
    return values, norm, issue, detail, info


def _unusable_detail(text: pd.Series, values: np.ndarray) -> np.ndarray:
    """Explain why each distinct text is not a usable number."""
    special = text.str.match(_SPECIAL_NUMBER).to_numpy(dtype=bool, na_value=False)
    overflow = np.isinf(values) & ~special
    out = np.full(len(text), "not a number", dtype=object)
    out[overflow] = _OVERFLOW
    for i in np.flatnonzero(special):
        out[i] = _NOT_FINITE.format(v=repr(text.iloc[i]))
    return out


def _whole_numbers(values: np.ndarray, norm: pd.Series, invalid: np.ndarray,
                   detail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact 64-bit integers of distinct values; marks fractions and overflows invalid in place.

    Digit strings are converted exactly (no detour through float, which rounds
    beyond 2**53); returns the integers and the mask of usable ones.
    """
    digits = norm.str.fullmatch(r"[+-]?\d+(?:\.0*)?").to_numpy(dtype=bool, na_value=False)
    text = norm.str.replace(r"\.0*$", "", regex=True).str.lstrip("+")
    mag = text.str.lstrip("-").str.lstrip("0")
    length = mag.str.len().to_numpy(dtype="float64", na_value=0)
    beyond = (mag > _INT64_MAX).to_numpy(dtype=bool, na_value=False)
    big = digits & ((length > 19) | ((length == 19) & beyond))
    finite = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        frac = ~digits & finite & (values % 1 != 0)
        big |= ~digits & finite & (np.abs(values) >= 2.0 ** 63)
    fresh = ~invalid
    detail[fresh & frac] = "not a whole number"
    detail[fresh & big] = _INT_OVERFLOW
    invalid |= frac | big
    ints = np.zeros(len(values), dtype=np.int64)
    exact = digits & ~invalid
    if exact.any():
        ints[exact] = text[exact].astype("int64").to_numpy()
    rounded = ~digits & ~invalid
    ints[rounded] = values[rounded].astype(np.int64)
    return ints, ~invalid


def _details(n: int, *flagged_as: tuple[np.ndarray, str]) -> np.ndarray:
    """Per-row details: each text where its mask is true (a later one wins), else ``None``.

    >>> _details(3, (np.array([True, True, False]), "a"), (np.array([False, True, False]), "b"))
    array(['a', 'b', None], dtype=object)
    """
    if not any(mask.any() for mask, _ in flagged_as):
        return _no_flags(n)
    detail = np.full(n, None, dtype=object)
    for mask, text in flagged_as:
        detail[mask] = text
    return detail


def _typed_number(raw: pd.Series, integer: bool) -> Parsed:
    """Numbers already typed by the source: infinities and integer overflow are unusable.

    A float column without an infinity is used as it is (no copy).
    """
    n = len(raw)
    missing = raw.isna().to_numpy()
    if raw.dtype.kind in "iu":
        big = (raw > np.iinfo(np.int64).max).to_numpy(dtype=bool, na_value=False) if \
            raw.dtype.kind == "u" else np.zeros(n, dtype=bool)
        invalid = big & integer
        if integer:  # a signed column is its own values (no copy when already Int64)
            values = (raw.where(~big) if big.any() else raw).astype("Int64")
        else:
            values = raw.astype("float64")
        return Parsed(values, missing, invalid, _no_flags(n), _details(n, (invalid, _INT_OVERFLOW)))
    if raw.dtype == np.float64:
        arr = raw.to_numpy()  # the column's own array: no copy
    else:
        arr = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
    invalid = np.isinf(arr)
    infinite = invalid.copy()
    if invalid.any():
        arr = np.where(invalid, np.nan, arr)
    if integer:
        finite = np.isfinite(arr)
        frac = finite & (arr % 1 != 0)
        big = finite & (np.abs(arr) >= 2.0 ** 63)
        invalid |= frac | big
        ok = finite & ~frac & ~big
        values = pd.arrays.IntegerArray(np.where(ok, arr, 0).astype(np.int64), ~ok)
        detail = _details(n, (infinite, _NOT_FINITE.format(v="the value")),
                          (frac, "not a whole number"), (big, _INT_OVERFLOW))
        return Parsed(pd.Series(values, index=raw.index, copy=False), missing, invalid,
                      _no_flags(n), detail)
    return Parsed(pd.Series(arr, index=raw.index, copy=False), missing, invalid, _no_flags(n),
                  _details(n, (infinite, _NOT_FINITE.format(v="the value"))))


def parse_number(raw: pd.Series, *, integer: bool = False, decimal: str | None = None,
                 context: NumberContext | Callable[[], NumberContext] | None = None,
                 extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse numbers with thousands separators, currency marks and ``(x)`` negatives.

    ``"1,234.50"`` -> 1234.5; ``"¥1,200"`` -> 1200; ``"(5)"`` -> -5;
    ``"1.234,5"`` -> 1234.5. ``"12 pcs"``, ``"TBD"``, ``"inf"``, ``"NaN"`` and
    ``"1e400"`` are unusable.

    Rules
    -----
    * ``decimal`` (``"."`` or ``","``) declares the decimal mark. Without it the
      column's values decide (``2,5`` and ``1.234,50`` mean a decimal comma,
      ``2.5`` and ``1,234.50`` a decimal point; the majority wins), then the
      file (``context``, or a function returning it, called only when needed),
      then the default, a decimal point.
    * A value that reads two ways (``1.200``: 1.2 or 1200) is read by that
      convention, and recorded as ``number_ambiguous`` unless the convention is
      declared or settled by values of the column or the file.
    * A value readable only the other way (``3.75`` in a decimal-comma column)
      keeps its only reading and is recorded as ``number_format_inconsistent``.
    * With ``integer=True`` whole numbers are read exactly as 64-bit integers;
      fractions and values beyond the 64-bit range are unusable.

    >>> parse_number(pd.Series(["2,5", "1.200"])).values.tolist()
    [2.5, 1200.0]
    """
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return _typed_number(raw, integer)
    python_numbers = raw.dtype == object and pd.api.types.infer_dtype(
        raw, skipna=True) in _PYTHON_NUMBERS
    if python_numbers:  # Decimal / int / float objects (SQL, DataFrames): a point, never a comma
        decimal, context = ".", None
    fast = _distinct_text(raw, lambda t: _number_missing(t, extra_na))
    if fast is None:
        text = _as_text(raw)
        missing = _number_missing(text, extra_na)
        row_codes, uniq_arr = _factorize(text, missing)
        codes = _Codes(row_codes)
    else:
        missing, codes, uniq_arr = fast
    uniq = pd.Series(uniq_arr, dtype="str")
    weight = _Weights(codes, len(uniq))
    r = _Readings.of(uniq)
    vals, norm, issue, detail, info = _read_numbers(r, weight, decimal, context)
    if python_numbers:
        info = {}
    invalid = ~np.isfinite(vals)
    detail = np.where(invalid, _unusable_detail(r.text, vals), detail)
    issue[invalid] = None
    if integer:
        ints, ok = _whole_numbers(vals, norm, invalid, detail)
        issue[invalid] = None
        arr = pd.arrays.IntegerArray(codes.spread(ints, 0).astype(np.int64, copy=False),
                                     ~codes.spread(ok, False).astype(bool, copy=False))
        values = pd.Series(arr, index=raw.index, copy=False)
    else:  # rows take the values of their distinct texts: no second copy
        values = pd.Series(codes.spread(np.where(invalid, np.nan, vals), np.nan),
                           index=raw.index, dtype="float64", copy=False)
    return Parsed(values, missing, codes.spread(invalid, False).astype(bool, copy=False),
                  codes.spread(issue, None).astype(object, copy=False),
                  codes.spread(detail, None).astype(object, copy=False), info)


# --------------------------------------------------------------------------- booleans
def parse_bool(raw: pd.Series, *, value_map: dict | None = None,
               extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse flags: true/false, yes/no, y/n, 1/0, 是/否, or an explicit ``value_map``.

    ``value_map`` maps raw values (case-insensitive) to True/False, e.g.
    ``{"From RDC": True, "Direct Drop": False}``; with a map, only its keys
    are read and anything else is unusable.
    """
    if pd.api.types.is_bool_dtype(raw.dtype) and not value_map:
        values = raw.astype("boolean")
        return _finish(raw, values, values.isna().to_numpy(), np.zeros(len(raw), bool), "")
    if is_coded_text(raw) or (len(raw) > 1000 and raw.dtype != object
                              and pd.api.types.is_string_dtype(raw.dtype)):
        return _parse_bool_distinct(raw, value_map, extra_na)
    text = _as_text(raw)
    low = text.str.lower()
    if value_map:
        lookup = {str(k).strip().lower(): bool(v) for k, v in value_map.items()}
        missing = text.isna().to_numpy() | (text == "").to_numpy(dtype=bool, na_value=False)
        allowed = ", ".join(repr(k) for k in value_map)
        detail = f"not one of the mapped values ({allowed})"
    else:
        lookup = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}
        missing = na_mask(text, extra_na) & ~low.isin(list(lookup)).to_numpy(
            dtype=bool, na_value=False)
        detail = "not a yes/no value (true/false, yes/no, y/n, 1/0, 是/否)"
    mapped = low.map(lookup)
    values = mapped.astype("boolean")
    invalid = (~missing) & values.isna().to_numpy()
    return _finish(raw, values, missing, invalid, detail)


def _parse_bool_distinct(raw: pd.Series, value_map: dict | None,
                         extra_na: frozenset[str]) -> Parsed:
    """:func:`parse_bool` on the distinct values of a text column, mapped back to rows."""
    codes, uniq = factorize_text(raw)
    p = parse_bool(pd.Series(uniq, dtype="str"),
                   value_map=value_map, extra_na=extra_na)
    codes = np.asarray(codes).astype(np.intp, copy=False)  # converted once for its takes
    flags = p.values.array  # per distinct value: True / False / NA
    data = _spread(flags.to_numpy(dtype=bool, na_value=False), codes, False)
    unknown = _spread(np.asarray(flags.isna(), dtype=bool), codes, True)
    values = pd.Series(pd.arrays.BooleanArray(data.astype(bool, copy=False),
                                              unknown.astype(bool, copy=False)),
                       index=raw.index, copy=False)
    missing = _spread(p.missing, codes, True).astype(bool, copy=False)
    invalid = _spread(p.invalid, codes, False).astype(bool, copy=False)
    detail = _spread(p.detail, codes, None).astype(object, copy=False)
    return Parsed(values, missing, invalid, _no_flags(len(raw)), detail, p.info)


# --------------------------------------------------------------------------- dates
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?$"

# family name -> (regex, human label). Groups are named y/m/d/mon.
_DATE_FAMILIES: dict[str, tuple[re.Pattern, str]] = {
    "ymd": (re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME),
            "YYYY-MM-DD"),
    "ymd_cn": (re.compile(r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?" + _TIME),
               "YYYY年M月D日"),
    "ymd_compact": (re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$"), "YYYYMMDD"),
    "d_mon_y": (re.compile(r"^(?P<d>\d{1,2})[-/ .](?P<mon>[A-Za-z]{3,9})\.?[-/ .,]+(?P<y>\d{4}|\d{2})"
                           + _TIME), "D-Mon-YY"),
    "mon_d_y": (re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?[-/ .](?P<d>\d{1,2})(?:st|nd|rd|th)?,?[-/ .]+"
                           r"(?P<y>\d{4}|\d{2})" + _TIME), "Mon D, YYYY"),
    "numeric": (re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME),
                "M/D/Y or D/M/Y"),
    "excel_serial": (re.compile(r"^(?P<serial>\d{1,7})(?:\.\d+)?$"), "Excel serial number"),
}

_DAY_MIN = np.datetime64("1677-09-22", "s")
_DAY_MAX = np.datetime64("2262-04-11", "s")
"""First and last whole days pandas holds at nanosecond resolution (the loaded frames' unit)."""
_SERIAL_MAX = 2958465  # 9999-12-31
_SERIAL_60 = ("Excel serial 60 is 1900-02-29, a day that does not exist (Excel's 1900 leap-year "
              "bug); check the cell")


def _year(y: pd.Series) -> pd.Series:
    """Written with 3+ digits: as is (``0001`` is year 1); 2 digits: 00-68 -> 2000s, 69-99 -> 1900s.

    The two-digit rule is strptime's; it applies by the number of digits written,
    never by the value, so ``0001-01-01`` is not 2001.
    """
    n = pd.to_numeric(y, errors="coerce")
    two = (y.astype("str").str.len() <= 2).to_numpy(dtype=bool, na_value=False)
    return n.where(~two, np.where(n < 69, 2000 + n, 1900 + n))


def _make_dates(y, m, d) -> pd.Series:
    """Return calendar dates (``datetime64[s]``, years 1-9999; NaT where not a real day)."""
    def num(v) -> np.ndarray:
        return pd.to_numeric(pd.Series(np.asarray(v, dtype=object)), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)

    index = y.index if isinstance(y, pd.Series) else None
    yy, mm, dd = num(y), num(m), num(d)
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(yy) & np.isfinite(mm) & np.isfinite(dd) & (yy >= 1) & (yy <= 9999)
              & (mm >= 1) & (mm <= 12) & (dd >= 1) & (dd <= 31))
    months = np.where(ok, (yy - 1970) * 12 + mm - 1, 0).astype(np.int64).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    day = first + np.where(ok, dd - 1, 0).astype(np.int64).astype("timedelta64[D]")
    ok &= day < (months + 1).astype("datetime64[D]")
    out = np.where(ok, day, np.datetime64("NaT")).astype("datetime64[s]")
    return pd.Series(out, index=index, dtype="datetime64[s]")


def _serial_dates(serial: pd.Series) -> pd.Series:
    """Read Excel 1900-system serial numbers as dates (``datetime64[s]``).

    Serial 1 is 1900-01-01. Excel counts a 1900-02-29 that never was (serial
    60), so from serial 61 (1900-03-01) on the day is 1899-12-30 + serial;
    serials 0, 60 and beyond 9999-12-31 are NaT.
    """
    s = pd.to_numeric(serial, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    ok = np.isfinite(s) & (s >= 1) & (s != 60) & (s <= _SERIAL_MAX)
    base = np.where(s >= 61, np.datetime64("1899-12-30"), np.datetime64("1899-12-31"))
    day = base + np.where(ok, s, 0).astype(np.int64).astype("timedelta64[D]")
    return pd.Series(np.where(ok, day, np.datetime64("NaT")).astype("datetime64[s]"),
                     index=serial.index, dtype="datetime64[s]")


@dataclass(frozen=True)
class DateOptions:
    """How to read dates in one column.

    Attributes
    ----------
    dayfirst
        ``True`` reads ``03/04/2024`` as 3 April, ``False`` as March 4. ``None``
        (default) infers it from the column (a value like ``25/03/2024``
        settles it); values that stay ambiguous are read month-first and each
        one is recorded as ``date_ambiguous``.
    mixed_formats
        What to do with a value whose format contradicts the column's format
        (a ``2012-01-06`` in a column of ``12/1/06`` values, a ``13/01/2024`` in
        an ``M/D/Y`` column): ``"drop"`` (default) records it and leaves the
        value missing, because such values are typically misreads by an earlier
        tool; ``"keep"`` records it and keeps its own reading.
    """

    dayfirst: bool | None = None
    mixed_formats: str = "drop"


def _out_of_range_detail(day: pd.Timestamp) -> str:
    iso = np.datetime_as_string(np.datetime64(day.to_datetime64(), "D"))  # 0001-01-01, not 1-01-01
    return (f"{iso} is outside the dates the workbench holds "
            f"({_DAY_MIN.astype('datetime64[D]')} to {_DAY_MAX.astype('datetime64[D]')}): "
            f"an open-ended or placeholder date (such as 9999-12-31), read as missing")


def _typed_dates(raw: pd.Series) -> Parsed:
    """Pass already-typed datetimes through: timezone dropped, normalized to midnight.

    Dates a nanosecond frame cannot hold (Parquet ``date32`` 9999-12-31) become
    missing with a ``date_out_of_range`` issue. A column of whole days within
    that range (the usual case) is only converted to nanoseconds.
    """
    fast = _whole_days(raw)
    if fast is not None:
        return Parsed(fast, raw.isna().to_numpy(), np.zeros(len(raw), bool),
                      _no_flags(len(raw)), _no_flags(len(raw)))
    values = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
    try:
        values = values.dt.floor("D")
    except OverflowError:  # the day falls before the first whole nanosecond day: in seconds
        values = values.astype("datetime64[s]").dt.floor("D")
    oor = (values.notna() & ((values < _DAY_MIN) | (values > _DAY_MAX))).to_numpy()
    missing = values.isna().to_numpy()
    issue = detail = _no_flags(len(raw))
    if oor.any():
        issue = np.full(len(raw), None, dtype=object)
        detail = np.full(len(raw), None, dtype=object)
        issue[oor] = ISSUE_DATE_OUT_OF_RANGE
        codes, uniq = pd.factorize(values[oor])
        detail[oor] = np.asarray([_out_of_range_detail(d) for d in uniq], dtype=object)[codes]
        values = values.mask(oor)
    values = values.astype("datetime64[ns]")  # no copy when already in nanoseconds
    return Parsed(values, missing, np.zeros(len(raw), bool), issue, detail)


_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def _whole_days(raw: pd.Series) -> pd.Series | None:
    """``raw`` in nanoseconds when every value is a whole day within the nanosecond range.

    Only a NumPy ``datetime64`` column (no timezone) qualifies; ``None`` otherwise,
    or when some value has a time of day or lies out of range (the general path
    floors and flags them).
    """
    if not isinstance(raw.dtype, np.dtype) or raw.dtype.kind != "M":
        return None
    arr = raw.to_numpy()  # the column's own array
    unit = np.datetime_data(arr.dtype)[0]
    if unit not in _PER_DAY:
        return None
    i8 = arr.view("i8")
    # whole days: q * per == value; NumPy divides by a scalar with multiplications
    # (libdivide), about 4x faster than the remainder
    whole = i8 // _PER_DAY[unit]
    whole *= _PER_DAY[unit]
    off = whole != i8
    del whole
    nat = None  # NaT is the smallest integer: compared as integers (NumPy's isnat is slower)
    if off.any():  # a time of day, or a missing date (NaT is no whole day)
        nat = i8 == np.iinfo(np.int64).min
        if np.greater(off, nat).any():  # off & ~nat
            return None
    if unit != "ns":
        nat = i8 == np.iinfo(np.int64).min if nat is None else nat
        lo, hi = (d.astype(arr.dtype).view("i8") for d in (_DAY_MIN, _DAY_MAX))
        if (i8 > hi).any() or np.greater(i8 < lo, nat).any():
            return None
    return pd.Series(arr.astype("datetime64[ns]", copy=False), index=raw.index, copy=False)


def _read_numeric_dates(ext: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read ``a/b/y`` matches both ways: kind per value, month-first and day-first dates.

    The kind is ``'mdy_only'``, ``'dmy_only'``, ``'ambiguous'``, ``'same'`` (a == b)
    or ``''`` (neither reading is a date).
    """
    a = pd.to_numeric(ext["a"]).to_numpy()
    b = pd.to_numeric(ext["b"]).to_numpy()
    y = _year(ext["y"])
    mdy = _make_dates(y, a, b).to_numpy()
    dmy = _make_dates(y, b, a).to_numpy()
    ok_m = ~np.isnat(mdy)
    ok_d = ~np.isnat(dmy)
    kind = np.where(ok_m & ok_d, np.where(a == b, "same", "ambiguous"),
                    np.where(ok_m, "mdy_only", np.where(ok_d, "dmy_only", "")))
    return kind, mdy, dmy


def _read_ymd_dates(ext: pd.DataFrame) -> pd.Series:
    """Read year, month (number or name) and day matches into dates (NaT if invalid)."""
    if "mon" in ext:
        mon = ext["mon"].str.casefold().map(_MONTHS)
        return _make_dates(_year(ext["y"]), mon, ext["d"])
    return _make_dates(_year(ext["y"]), ext["m"], ext["d"])


def _date_families(uniq: pd.Series) -> tuple[np.ndarray, pd.Series, pd.Series, np.ndarray]:
    """Classify distinct values by date family (first family that reads them) and read them.

    Returns the family per value (``''`` when none), the reading (month-first
    for numeric values), the other reading (numeric values only) and the
    numeric kind (see :func:`_read_numeric_dates`).
    """
    n = len(uniq)
    fam = np.full(n, "", dtype=object)
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    alt = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")  # other reading, numeric only
    num_kind = np.full(n, "", dtype=object)  # 'mdy_only', 'dmy_only', 'ambiguous', 'same'

    for name, (rx, _label) in _DATE_FAMILIES.items():
        todo = fam == ""
        if not todo.any():
            break
        sub = uniq[todo]
        ext = sub.str.extract(rx)
        hit = ext.notna().any(axis=1).to_numpy()
        if not hit.any():
            continue
        ext = ext[hit]
        rows = np.flatnonzero(todo)[hit]
        if name == "numeric":
            kind, mdy, dmy = _read_numeric_dates(ext)
            good = kind != ""
            fam[rows[good]] = name
            num_kind[rows] = kind
            parsed.iloc[rows] = mdy
            alt.iloc[rows] = dmy
        else:
            dates = (_serial_dates(ext["serial"]) if name == "excel_serial"
                     else _read_ymd_dates(ext))
            good = dates.notna().to_numpy()
            fam[rows[good]] = name
            parsed.iloc[rows[good]] = dates.to_numpy()[good]
    return fam, parsed, alt, num_kind


def _dominant_family(fam: np.ndarray, weight: _Weights | np.ndarray, info: dict,
                     known_rows: Callable[[], int] | None = None) -> str | None:
    """Return the family most values use (None if no value is a date); record it in ``info``.

    ``known_rows`` gives the rows holding a date of any family: when all are of one
    family, that count is its weight and the rows need no counting per value.
    """
    known = fam != ""
    if not known.any():
        return None
    families = pd.unique(fam[known])
    if len(families) == 1 and known_rows is not None:
        fam_weight = pd.Series({families[0]: known_rows()})
    else:
        fam_weight = pd.Series(weight[known], index=fam[known]).groupby(level=0).sum()
    written = fam_weight.drop("excel_serial", errors="ignore")  # serials never set the format
    dominant = (written if len(written) else fam_weight).idxmax()
    info["date_format"] = _DATE_FAMILIES[dominant][1]
    info["date_formats_seen"] = {_DATE_FAMILIES[f][1]: int(w) for f, w in fam_weight.items()}
    return dominant


def _numeric_convention(options: DateOptions, fam: np.ndarray, num_kind: np.ndarray,
                        weight: _Weights | np.ndarray, parsed: pd.Series, alt: pd.Series,
                        issue: np.ndarray, detail: np.ndarray, info: dict) -> bool:
    """Settle M/D/Y versus D/M/Y for the numeric values; return ``dayfirst``.

    Rereads ``parsed`` day-first where the convention says so and records
    ambiguous and contradicting values in ``issue`` / ``detail``.
    """
    is_num = fam == "numeric"
    if not is_num.any():
        return bool(options.dayfirst)
    w_m = weight[is_num & (num_kind == "mdy_only")].sum()
    w_d = weight[is_num & (num_kind == "dmy_only")].sum()
    if options.dayfirst is not None:
        dayfirst, source = options.dayfirst, "declared"
    elif w_m or w_d:
        dayfirst, source = bool(w_d > w_m), "inferred"
    else:
        dayfirst, source = False, "default"
    conv = "D/M/Y" if dayfirst else "M/D/Y"
    info["numeric_date_convention"] = f"{conv} ({source})"
    take_alt = is_num & ((num_kind == "dmy_only") | ((num_kind == "ambiguous") & dayfirst))
    first, second = parsed.copy(), alt.copy()
    parsed[take_alt] = second[take_alt]
    other = first.where(take_alt, second)
    amb = is_num & (num_kind == "ambiguous")
    if source == "default" or (w_m and w_d):
        why = ("no value in this column settles whether it is M/D/Y or D/M/Y"
               if source == "default" else
               "this column mixes M/D/Y and D/M/Y values")
        for i in np.flatnonzero(amb):
            issue[i] = ISSUE_DATE_AMBIGUOUS
            detail[i] = (f"read as {parsed.iloc[i]:%Y-%m-%d} ({conv}); could also be "
                         f"{other.iloc[i]:%Y-%m-%d}: {why}. Declare the convention in the "
                         f"mapping (dates: dayfirst: true/false).")
    contra = is_num & (num_kind == ("mdy_only" if dayfirst else "dmy_only"))
    for i in np.flatnonzero(contra):
        issue[i] = ISSUE_DATE_INCONSISTENT
        detail[i] = (f"only readable as {'M/D/Y' if dayfirst else 'D/M/Y'} "
                     f"({parsed.iloc[i]:%Y-%m-%d}) but the column is {conv} ({source})")
    return dayfirst


def _misread_hint(date: pd.Timestamp, dayfirst: bool) -> str:
    """Return a note if a year-first date may be a misread numeric date, else ``''``.

    A common corruption: ``"12/1/06"`` misread year-first as 2012-01-06.
    """
    y, m, d = date.year, date.month, date.day
    if 2000 < y <= 2031 and m <= 12:
        a, b, yy = y - 2000, m, d
        mm, dd = (b, a) if dayfirst else (a, b)
        try:
            orig = pd.Timestamp(year=2000 + yy if yy < 69 else 1900 + yy, month=mm, day=dd)
            return f"; possibly a misread of {a}/{b}/{yy:02d} ({orig:%Y-%m-%d})"
        except ValueError:
            pass
    return ""


def _flag_other_formats(dominant: str, fam: np.ndarray, parsed: pd.Series, dayfirst: bool,
                        issue: np.ndarray, detail: np.ndarray) -> None:
    """Record values in a family other than the column's as ``date_format_inconsistent``.

    Excel serial numbers are not: they are read wherever they appear (see
    :func:`_flag_serials`).
    """
    known = (fam != "") & (fam != "excel_serial")
    odd = known & (fam != dominant) & (issue == None)  # noqa: E711
    dom_label = _DATE_FAMILIES[dominant][1]
    for i in np.flatnonzero(odd):
        issue[i] = ISSUE_DATE_INCONSISTENT
        detail[i] = (f"format {_DATE_FAMILIES[fam[i]][1]} differs from the column's "
                     f"format {dom_label}; on its own it reads {parsed.iloc[i]:%Y-%m-%d}")
        if dominant == "numeric" and fam[i] == "ymd":
            detail[i] += _misread_hint(parsed.iloc[i], dayfirst)
    amb_odd = known & (fam != dominant) & (issue == ISSUE_DATE_AMBIGUOUS)
    for i in np.flatnonzero(amb_odd):
        detail[i] += f" The column's format is otherwise {dom_label}."


def _drop_inconsistent(options: DateOptions, parsed: pd.Series, issue: np.ndarray,
                       detail: np.ndarray) -> np.ndarray:
    """Leave inconsistent values missing when ``mixed_formats == "drop"``; return them."""
    dropped = np.zeros(len(issue), dtype=bool)
    if options.mixed_formats == "drop":
        dropped = issue == ISSUE_DATE_INCONSISTENT
        for i in np.flatnonzero(dropped):
            detail[i] += "; value not used (mapping option dates: mixed_formats: keep reads it)"
        parsed[dropped] = pd.NaT
    return dropped


def _flag_serials(uniq: pd.Series, fam: np.ndarray, parsed: pd.Series, issue: np.ndarray,
                  detail: np.ndarray) -> None:
    """Record each Excel serial read as a date; explain serial 60 (1900-02-29, never was)."""
    serial = (fam == "excel_serial") & (issue == None)  # noqa: E711
    for i in np.flatnonzero(serial):
        issue[i] = ISSUE_DATE_EXCEL_SERIAL
        detail[i] = (f"Excel serial number {uniq.iloc[i]} read as {parsed.iloc[i]:%Y-%m-%d} "
                     f"(1900 date system, as Windows Excel stores dates)")
    sixty = (fam == "") & uniq.str.fullmatch(r"0*60(?:\.\d+)?").to_numpy(dtype=bool,
                                                                         na_value=False)
    detail[sixty] = _SERIAL_60


def _drop_out_of_range(parsed: pd.Series, issue: np.ndarray, detail: np.ndarray) -> None:
    """Leave real days a nanosecond frame cannot hold (9999-12-31, 0001-01-01) missing, recorded."""
    oor = (parsed.notna() & ((parsed < _DAY_MIN) | (parsed > _DAY_MAX))).to_numpy()
    for i in np.flatnonzero(oor):
        issue[i] = ISSUE_DATE_OUT_OF_RANGE
        detail[i] = _out_of_range_detail(parsed.iloc[i])
    parsed[oor] = pd.NaT


def parse_date(raw: pd.Series, options: DateOptions | None = None,
               extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse a date column, detecting its format and flagging mixed formats.

    Recognised formats: ``YYYY-MM-DD`` (also ``/`` or ``.``, with optional time),
    ``YYYY年M月D日``, ``YYYYMMDD``, ``D-Mon-YY(YY)``, ``Mon D, YYYY``, numeric
    ``M/D/Y`` or ``D/M/Y`` (2- or 4-digit year) and Excel serial numbers.
    Already-typed datetimes pass through.

    Rules
    -----
    * The column's format is the family most of its values use.
    * Values in another family are recorded as ``date_format_inconsistent`` and,
      with ``options.mixed_formats == "drop"`` (default), left missing.
    * Numeric ``a/b/y`` values are ambiguous when both ``a`` and ``b`` are <= 12 and differ.
      The convention comes from ``options.dayfirst`` or, failing that, from the
      column's unambiguous values. If the column gives no evidence, ambiguous
      values are read month-first and each is recorded as ``date_ambiguous``;
      if it gives evidence both ways, the majority wins and the minority is
      treated as ``date_format_inconsistent``.
    * A year written with four digits is that year (``0001-01-01`` is year 1,
      not 2001); only two-digit years get a century (00-68 -> 20xx, 69-99 -> 19xx).
    * A real day outside 1677-09-22 .. 2262-04-11 (ERP placeholders such as
      ``9999-12-31``, ``31.12.9999``) is left missing and recorded as ``date_out_of_range``.
    * A whole number (``45352``) is an Excel serial date, 1900 system with
      Excel's phantom 1900-02-29 (serial 60, unusable) skipped; each one read is
      recorded as ``date_excel_serial``, whatever the column's format.
    * Anything else (``"Date Not Captured"``, ``2024-02-30``) is unusable.

    >>> parse_date(pd.Series(["45352", "9999-12-31"])).issue.tolist()
    ['date_excel_serial', 'date_out_of_range']
    """
    options = options or DateOptions()
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _typed_dates(raw)
    fast = _distinct_text(raw, lambda t: na_mask(t, extra_na))
    if fast is None:
        text = _as_text(raw)
        missing = na_mask(text, extra_na)
        row_codes, uniq_arr = _factorize(text, missing)
        codes = _Codes(row_codes)
    else:
        missing, codes, uniq_arr = fast
    uniq = pd.Series(uniq_arr, dtype="str")
    weight = _Weights(codes, len(uniq))

    n = len(uniq)
    fam, parsed, alt, num_kind = _date_families(uniq)
    issue = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    info: dict = {}
    known = fam != ""
    unknown = ~known
    invalid = codes.spread(unknown, False).astype(bool, copy=False)
    dominant = _dominant_family(  # rows with a date: rows with a value, less the unusable ones
        fam, weight, info, lambda: len(raw) - int(np.count_nonzero(missing))
        - int(np.count_nonzero(invalid)))
    dayfirst = _numeric_convention(options, fam, num_kind, weight, parsed, alt, issue, detail,
                                   info)
    detail[unknown] = "not a date in any recognised format"
    _flag_serials(uniq, fam, parsed, issue, detail)
    _drop_out_of_range(parsed, issue, detail)  # a placeholder says so, whatever its format
    if dominant is not None:
        _flag_other_formats(dominant, fam, parsed, dayfirst, issue, detail)
    dropped = _drop_inconsistent(options, parsed, issue, detail)

    # map back from distinct values to rows
    values = pd.Series(codes.spread(parsed.to_numpy().astype("datetime64[ns]"),
                                    np.datetime64("NaT", "ns")), index=raw.index, copy=False)
    info["dropped_inconsistent"] = int(weight[dropped].sum()) if dropped.any() else 0
    return Parsed(values, missing, invalid, codes.spread(issue, None).astype(object, copy=False),
                  codes.spread(detail, None).astype(object, copy=False), info)


def parse_column(raw: pd.Series, type_: str, *, value_map: dict | None = None,
                 date_options: DateOptions | None = None, decimal: str | None = None,
                 number_context: NumberContext | Callable[[], NumberContext] | None = None,
                 extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Dispatch to the parser for a data-model column type."""
    if type_ == "string":
        return parse_string(raw, extra_na)
    if type_ in ("float", "int"):
        return parse_number(raw, integer=type_ == "int", decimal=decimal,
                            context=number_context, extra_na=extra_na)
    if type_ == "bool":
        return parse_bool(raw, value_map=value_map, extra_na=extra_na)
    if type_ == "date":
        return parse_date(raw, date_options, extra_na)
    raise ChoiceError(f"unknown column type {type_!r}", key="type", value=type_,
                      fix="use one of 'string', 'float', 'int', 'bool', 'date' "
                          "(workbench.io.schema.COLUMN_TYPES).")
