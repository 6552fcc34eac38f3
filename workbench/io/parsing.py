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

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError

__all__ = [
    "DateOptions",
    "FALSE_WORDS",
    "ISSUE_DATE_AMBIGUOUS",
    "ISSUE_DATE_INCONSISTENT",
    "NA_MARKERS",
    "Parsed",
    "TRUE_WORDS",
    "na_mask",
    "parse_bool",
    "parse_column",
    "parse_date",
    "parse_number",
    "parse_string",
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


def _as_text(raw: pd.Series) -> pd.Series:
    """Raw values as stripped text (pandas ``str`` dtype), NaN for nulls."""
    if not pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        obj = raw.astype(object)
        raw = obj.where(obj.notna(), None).astype("str")
    return raw.str.strip()


def na_mask(text: pd.Series, extra_na: frozenset[str] = frozenset()) -> np.ndarray:
    """Return True where a value is null or one of the NA markers (case-insensitive)."""
    markers = sorted(NA_MARKERS | {m.strip().lower() for m in extra_na})
    isnull = text.isna().to_numpy()
    return isnull | text.str.lower().isin(markers).to_numpy(dtype=bool, na_value=False)


def _factorize(text: pd.Series, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (``-1`` where missing) and the distinct present values as a str array."""
    codes, uniq = pd.factorize(text.where(~missing))
    return np.asarray(codes), np.asarray(uniq, dtype=object)


def _no_flags(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _finish(raw: pd.Series, values: pd.Series, missing: np.ndarray, invalid: np.ndarray,
            detail_invalid: str | np.ndarray, info: dict | None = None) -> Parsed:
    idx = raw.index
    missing = np.asarray(missing, dtype=bool)
    invalid = np.asarray(invalid, dtype=bool)
    detail = np.full(len(idx), None, dtype=object)
    if invalid.any():
        detail[invalid] = (detail_invalid if isinstance(detail_invalid, str)
                           else np.asarray(detail_invalid, dtype=object)[invalid])
    return Parsed(values, missing, invalid, _no_flags(len(idx)), detail,
                  info or {})


# --------------------------------------------------------------------------- strings
def parse_string(raw: pd.Series, extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse identifiers and free text: stripped; NA markers become missing.

    Integral floats coming from spreadsheets (``123.0``) are written ``123`` so
    identifiers match across sources.
    """
    if pd.api.types.is_float_dtype(raw.dtype):
        obj = raw.astype(object)
        integral = raw.notna() & (raw % 1 == 0)
        obj = obj.where(~integral, raw.where(integral, 0).astype("int64").astype(str))
        raw = obj
    text = _as_text(raw)
    missing = na_mask(text, extra_na)
    values = text.where(~missing)
    return _finish(raw, values, missing, np.zeros(len(raw), dtype=bool), "")


# --------------------------------------------------------------------------- numbers
_CURRENCY = re.compile(r"^[\s$€£¥￥]+|[\s$€£¥￥]+$|^(?:rmb|cny|usd|eur)\s*|\s*(?:rmb|cny|usd|eur)$",
                       re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_THOUSANDS_EU = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")


def _clean_number_text(u: pd.Series, decimal: str) -> pd.Series:
    """Strip currency marks, thousands separators, spaces; (x) -> -x."""
    s = u.str.replace(_CURRENCY, "", regex=True).str.replace("\u00a0", "", regex=False)
    s = s.str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    s = s.str.replace(r"(?<=\d)[ '](?=\d{3}\b)", "", regex=True)
    if decimal == ",":
        eu = s.str.match(_THOUSANDS_EU)
        s = s.where(~eu, s.str.replace(".", "", regex=False))
        s = s.str.replace(",", ".", regex=False)
    else:
        th = s.str.match(_THOUSANDS)
        s = s.where(~th, s.str.replace(",", "", regex=False))
    return s


def parse_number(raw: pd.Series, *, integer: bool = False, decimal: str = ".",
                 extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Numbers with thousands separators, currency marks and ``(x)`` negatives.

    ``"1,234.50"`` -> 1234.5; ``"¥1,200"`` -> 1200; ``"(5)"`` -> -5. With
    ``decimal=","``: ``"1.234,5"`` -> 1234.5. ``"12 pcs"``, ``"TBD"`` are unusable.
    """
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        missing = values.isna().to_numpy()
        invalid = np.zeros(len(raw), dtype=bool)
    else:
        text = _as_text(raw)
        missing = na_mask(text, extra_na)
        codes, uniq = _factorize(text, missing)
        cleaned = _clean_number_text(pd.Series(uniq, dtype="str"), decimal)
        nums = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64",
                                                                 na_value=np.nan)
        arr = np.where(codes >= 0, nums[np.clip(codes, 0, None)] if len(nums) else np.nan,
                       np.nan)
        values = pd.Series(arr, index=raw.index, dtype="float64")
        invalid = (~missing) & np.isnan(arr)
    if integer:
        v = values.to_numpy()
        frac = ~np.isnan(v) & (v % 1 != 0)
        detail = np.where(frac, "not a whole number", "not a number")
        invalid = invalid | frac
        values = values.mask(frac)
        return _finish(raw, values.round().astype("Int64"), missing, invalid, detail)
    return _finish(raw, values, missing, invalid, "not a number")


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
}


def _year(y: pd.Series) -> pd.Series:
    """4-digit years as is; 2-digit: 00-68 -> 2000s, 69-99 -> 1900s (strptime's rule)."""
    y = pd.to_numeric(y, errors="coerce")
    two = y < 100
    return y.where(~two, np.where(y < 69, 2000 + y, 1900 + y))


def _make_dates(y, m, d) -> pd.Series:
    frame = pd.DataFrame({"year": pd.to_numeric(y, errors="coerce"),
                          "month": pd.to_numeric(m, errors="coerce"),
                          "day": pd.to_numeric(d, errors="coerce")})
    ok = frame.notna().all(axis=1) & frame["month"].between(1, 12) & frame["day"].between(1, 31)
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype("int64"), errors="coerce")
    return out


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


def _typed_dates(raw: pd.Series) -> Parsed:
    """Pass already-typed datetimes through: timezone dropped, normalized to midnight."""
    values = pd.to_datetime(raw).dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
    values = values.astype("datetime64[ns]").dt.normalize()
    missing = values.isna().to_numpy()
    return _finish(raw, values, missing, np.zeros(len(raw), bool), "")


def _read_numeric_dates(ext: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read ``a/b/y`` matches both ways: kind per value, month-first and day-first dates.

    The kind is ``'mdy_only'``, ``'dmy_only'``, ``'ambiguous'``, ``'same'`` (a == b)
    or ``''`` (neither reading is a date).
    """
    a = pd.to_numeric(ext["a"]).to_numpy()
    b = pd.to_numeric(ext["b"]).to_numpy()
    y = _year(ext["y"]).to_numpy()
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
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    alt = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")  # other reading, numeric only
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
            dates = _read_ymd_dates(ext)
            good = dates.notna().to_numpy()
            fam[rows[good]] = name
            parsed.iloc[rows[good]] = dates.to_numpy()[good]
    return fam, parsed, alt, num_kind


def _dominant_family(fam: np.ndarray, weight: np.ndarray, info: dict) -> str | None:
    """Return the family most values use (None if no value is a date); record it in ``info``."""
    known = fam != ""
    if not known.any():
        return None
    fam_weight = pd.Series(weight[known], index=fam[known]).groupby(level=0).sum()
    dominant = fam_weight.idxmax()
    info["date_format"] = _DATE_FAMILIES[dominant][1]
    info["date_formats_seen"] = {_DATE_FAMILIES[f][1]: int(w) for f, w in fam_weight.items()}
    return dominant


def _numeric_convention(options: DateOptions, fam: np.ndarray, num_kind: np.ndarray,
                        weight: np.ndarray, parsed: pd.Series, alt: pd.Series,
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
    """Record values in a family other than the column's as ``date_format_inconsistent``."""
    known = fam != ""
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


def parse_date(raw: pd.Series, options: DateOptions | None = None,
               extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Parse a date column, detecting its format and flagging mixed formats.

    Recognised formats: ``YYYY-MM-DD`` (also ``/`` or ``.``, with optional time),
    ``YYYY年M月D日``, ``YYYYMMDD``, ``D-Mon-YY(YY)``, ``Mon D, YYYY`` and numeric
    ``M/D/Y`` or ``D/M/Y`` (2- or 4-digit year). Already-typed datetimes pass through.

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
    * Anything else (``"Date Not Captured"``, ``2024-02-30``) is unusable.
    """
    options = options or DateOptions()
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _typed_dates(raw)
    text = _as_text(raw)
    missing = na_mask(text, extra_na)
    codes, uniq_arr = _factorize(text, missing)
    uniq = pd.Series(uniq_arr, dtype="str")
    weight = np.bincount(codes[codes >= 0], minlength=len(uniq))

    n = len(uniq)
    fam, parsed, alt, num_kind = _date_families(uniq)
    issue = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    info: dict = {}
    known = fam != ""
    dominant = _dominant_family(fam, weight, info)
    dayfirst = _numeric_convention(options, fam, num_kind, weight, parsed, alt, issue, detail,
                                   info)
    if dominant is not None:
        _flag_other_formats(dominant, fam, parsed, dayfirst, issue, detail)
    dropped = _drop_inconsistent(options, parsed, issue, detail)

    unknown = ~known
    detail[unknown] = "not a date in any recognised format"

    # map back from distinct values to rows
    has = codes >= 0
    pos = np.clip(codes, 0, None)
    parsed_arr = parsed.to_numpy()
    values = pd.Series(np.where(has, parsed_arr[pos] if n else np.datetime64("NaT"),
                                np.datetime64("NaT")).astype("datetime64[ns]"), index=raw.index)
    invalid = has & (unknown[pos] if n else False)
    issue_s = np.where(has, issue[pos] if n else None, None).astype(object)
    detail_s = np.where(has, detail[pos] if n else None, None).astype(object)
    info["dropped_inconsistent"] = int(weight[dropped].sum()) if n else 0
    return Parsed(values, missing, invalid, issue_s, detail_s, info)


def parse_column(raw: pd.Series, type_: str, *, value_map: dict | None = None,
                 date_options: DateOptions | None = None, decimal: str = ".",
                 extra_na: frozenset[str] = frozenset()) -> Parsed:
    """Dispatch to the parser for a data-model column type."""
    if type_ == "string":
        return parse_string(raw, extra_na)
    if type_ == "float":
        return parse_number(raw, decimal=decimal, extra_na=extra_na)
    if type_ == "int":
        return parse_number(raw, integer=True, decimal=decimal, extra_na=extra_na)
    if type_ == "bool":
        return parse_bool(raw, value_map=value_map, extra_na=extra_na)
    if type_ == "date":
        return parse_date(raw, date_options, extra_na)
    raise ChoiceError(f"unknown column type {type_!r}", key="type", value=type_,
                      fix="use one of 'string', 'float', 'int', 'bool', 'date' "
                          "(workbench.io.schema.COLUMN_TYPES).")
