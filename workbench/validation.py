"""Parameter and input checks shared by every computation.

One function per rule, one exception class per condition (all under
:class:`~workbench.exceptions.WorkbenchError`), so the same mistake gives the same
error wherever it is made:

==========================  ==============================================
check                       raises
==========================  ==============================================
:func:`require_frame`       :class:`~workbench.exceptions.FrameTypeError`,
                            :class:`~workbench.exceptions.MissingColumnsError`
:func:`check_frequency`     :class:`~workbench.exceptions.FrequencyError`
:func:`check_count`         :class:`~workbench.exceptions.CountError`
:func:`check_date`          :class:`~workbench.exceptions.DateParameterError`
:func:`check_language`      :class:`~workbench.exceptions.LanguageError`
:func:`check_choice`        :class:`~workbench.exceptions.ChoiceError`
:func:`check_range`         :class:`~workbench.exceptions.RangeError`
:func:`date_values`         :class:`~workbench.exceptions.DateColumnError`
==========================  ==============================================

:func:`day_numbers` turns dates into whole days since 1970-01-01, the integer
time axis of the vectorised engines, with an explicit missing-value contract.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.exceptions import (
    ChoiceError,
    CountError,
    DateColumnError,
    DateParameterError,
    FrameTypeError,
    FrequencyError,
    LanguageError,
    MissingColumnsError,
    RangeError,
)

__all__ = [
    "FREQUENCY_NAMES",
    "LANGUAGES",
    "MISSING_DAY",
    "check_choice",
    "check_count",
    "check_date",
    "check_frequency",
    "check_language",
    "check_range",
    "date_values",
    "day_numbers",
    "require_frame",
]

#: Language codes the workbench writes reports and notices in.
LANGUAGES: tuple[str, ...] = ("en", "zh")

#: Period codes and what they mean; each computation accepts a subset.
FREQUENCY_NAMES: dict[str, str] = {
    "D": "day",
    "W": "week (starting Monday)",
    "M": "calendar month",
    "Q": "calendar quarter",
}

#: Day number that stands for a missing date when integers are asked for (int64 minimum,
#: which is also what NumPy gives for ``NaT``).
MISSING_DAY: int = int(np.iinfo(np.int64).min)

_DATE_EXAMPLE = "'2026-06-29'"


def require_frame(frame: object, table: str, columns: Iterable[str] = (), *,
                  hint: str | None = None) -> pd.DataFrame:
    """Check that ``frame`` is a DataFrame holding ``columns``.

    Parameters
    ----------
    frame
        The input to check.
    table
        Its data-model (or result) table name, used in the message.
    columns
        Columns that must be present.
    hint
        Where such a frame comes from, appended to the message.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Raises
    ------
    FrameTypeError
        ``frame`` is not a DataFrame.
    MissingColumnsError
        Some of ``columns`` are absent (a subclass of ``NotAvailableError``).

    Examples
    --------
    >>> import pandas as pd
    >>> require_frame(pd.DataFrame({"item_id": ["A"]}), "items", ["item_id"]).shape
    (1, 1)
    >>> require_frame(pd.DataFrame({"x": [1]}), "items", ["item_id"])
    Traceback (most recent call last):
    ...
    workbench.exceptions.MissingColumnsError: Table 'items' needs the required column(s) item_id, ...
    """
    if not isinstance(frame, pd.DataFrame):
        raise FrameTypeError(
            f"{table} must be a pandas DataFrame, got {type(frame).__name__}",
            key=table, value=type(frame).__name__,
            fix=hint or f"load it with workbench.load_table('{table}', ...).",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(table, missing, [str(c) for c in frame.columns], hint=hint)
    return frame


def check_frequency(freq: object, allowed: Sequence[str] | Mapping[str, str] = ("D", "W", "M", "Q"),
                    *, key: str = "freq", what: str = "periods") -> str:
    """Check a period code (case-insensitive) against the ones a computation supports.

    Parameters
    ----------
    freq
        The code given, e.g. ``"W"``.
    allowed
        Codes the caller supports (keys of :data:`FREQUENCY_NAMES`).
    key
        Parameter name used in the message.
    what
        What the periods are for (e.g. ``"PAB buckets"``).

    Returns
    -------
    str
        The upper-case code.

    Examples
    --------
    >>> check_frequency("w")
    'W'
    >>> check_frequency("Y", ("W", "M"))
    Traceback (most recent call last):
    ...
    workbench.exceptions.FrequencyError: unknown period frequency freq='Y' for periods ...
    """
    code = freq.upper() if isinstance(freq, str) else freq
    codes = list(allowed)
    if code not in codes:
        options = ", ".join(f"'{c}' ({FREQUENCY_NAMES.get(c, c)})" for c in codes)
        raise FrequencyError(
            f"unknown period frequency {key}={freq!r} for {what}",
            key=key, value=freq, fix=f"use one of {options}.",
        )
    return str(code)


def check_count(value: object, key: str, *, minimum: int = 0, fix: str | None = None) -> int:
    """Check a whole-number parameter (not a bool) at or above ``minimum``.

    Examples
    --------
    >>> check_count(13, "horizon", minimum=1)
    13
    >>> check_count(0, "horizon", minimum=1)
    Traceback (most recent call last):
    ...
    workbench.exceptions.CountError: horizon must be a whole number >= 1, got 0 ...
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise CountError(
            f"{key} must be a whole number >= {minimum}, got {value!r}",
            key=key, value=value, fix=fix or f"pass e.g. {key}={max(minimum, 1)}.",
        )
    return int(value)


def check_range(value: object, key: str, *, low: float, high: float,
                low_open: bool = False, high_open: bool = False,
                fix: str | None = None) -> float:
    """Check a number lies in ``[low, high]`` (ends excluded where ``*_open``).

    Examples
    --------
    >>> check_range(0.95, "service_level", low=0, high=1, low_open=True, high_open=True)
    0.95
    >>> check_range(1.0, "service_level", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    workbench.exceptions.RangeError: service_level must lie in [0, 1), got 1.0 ...
    """
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    x = float(value) if ok else float("nan")  # type: ignore[arg-type]
    if ok and np.isfinite(x):
        ok = (low < x if low_open else low <= x) and (x < high if high_open else x <= high)
    else:
        ok = False
    if not ok:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise RangeError(f"{key} must lie in {interval}, got {value!r}", key=key, value=value,
                         fix=fix or f"pass a number in {interval}.")
    return x


def check_date(value: object, *, key: str, fix: str | None = None) -> pd.Timestamp:
    """Check a date parameter; return it at midnight without time zone.

    Examples
    --------
    >>> check_date("2026-06-29 13:45", key="as_of")
    Timestamp('2026-06-29 00:00:00')
    >>> check_date("soon", key="as_of")
    Traceback (most recent call last):
    ...
    workbench.exceptions.DateParameterError: as_of must be a date, got 'soon' ...
    """
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise DateParameterError(f"{key} must be a date, got {value!r}", key=key, value=value,
                                 fix=fix or f"pass e.g. {key}={_DATE_EXAMPLE}.")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def check_language(value: object, *, allow_auto: bool = False, key: str = "language") -> str:
    """Check a language code: ``en`` or ``zh`` (and ``auto`` where allowed).

    Examples
    --------
    >>> check_language("zh")
    'zh'
    >>> check_language("fr")
    Traceback (most recent call last):
    ...
    workbench.exceptions.LanguageError: unknown language 'fr' ...
    """
    allowed = (*LANGUAGES, "auto") if allow_auto else LANGUAGES
    if not isinstance(value, str) or value not in allowed:
        names = {"en": "English", "zh": "Chinese", "auto": "each customer's own"}
        options = ", ".join(f"'{c}' ({names[c]})" for c in allowed)
        raise LanguageError(f"unknown language {value!r}", key=key, value=value,
                            fix=f"use {key}= one of {options}.")
    return value


def check_choice(value: object, choices: Iterable[object], *, key: str,
                 what: str | None = None) -> object:
    """Check ``value`` is one of ``choices``; return it.

    Examples
    --------
    >>> check_choice("pab", ("pab", "weeks_of_cover"), key="value")
    'pab'
    >>> check_choice("x", ("pab", "weeks_of_cover"), key="value")
    Traceback (most recent call last):
    ...
    workbench.exceptions.ChoiceError: value='x' is not one of 'pab', 'weeks_of_cover' ...
    """
    options = list(choices)
    try:
        found = value in options
    except TypeError:
        found = False
    if not found:
        shown = ", ".join(repr(c) for c in options[:12])
        if len(options) > 12:
            shown += f", ... ({len(options)} in all)"
        subject = what or f"{key}={value!r}"
        raise ChoiceError(f"{subject} is not one of {shown}", key=key, value=value,
                          fix=f"pass one of {shown}.")
    return value


def date_values(values: object, *, table: str = "input", column: str = "date") -> np.ndarray:
    """Dates as a naive ``datetime64[ns]`` array (``NaT`` where missing).

    Accepts a Series, Index, array, list or scalar of datetimes or date strings;
    time zones are dropped (local wall time kept).

    Raises
    ------
    DateColumnError
        Some values cannot be read as dates.

    Examples
    --------
    >>> date_values(["2026-01-05", None])
    array(['2026-01-05T00:00:00.000000000',                           'NaT'],
          dtype='datetime64[ns]')
    """
    if isinstance(values, pd.Series | pd.Index):
        s = values
    else:
        arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        s = pd.Index(np.atleast_1d(arr).ravel())
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.tz_localize(None) if isinstance(s, pd.Index) else s.dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(s.dtype):
        try:
            s = pd.to_datetime(s, format="mixed")
        except (TypeError, ValueError, OverflowError) as exc:
            raise DateColumnError(
                f"{table}.{column} must hold dates; cannot read it "
                f"({str(exc).splitlines()[0]})",
                table=table, column=column, value=list(s[:3]),
                fix=f"convert {table}.{column} to dates (workbench.load_table does this and "
                    "quarantines the rows it cannot read).",
            ) from None
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.tz_localize(None) if isinstance(s, pd.Index) else s.dt.tz_localize(None)
    return np.asarray(s.to_numpy(dtype="datetime64[ns]"))


def day_numbers(values: object, *, missing: Literal["nan", "sentinel"] = "nan",
                table: str = "input", column: str = "date") -> np.ndarray:
    """Whole days since 1970-01-01 (floor), the engines' integer time axis.

    Parameters
    ----------
    values
        Dates in any form :func:`date_values` accepts.
    missing
        ``"nan"``: float64 result, ``NaN`` for a missing date (for arithmetic that
        should propagate missing values); ``"sentinel"``: int64 result,
        :data:`MISSING_DAY` for a missing date (for integer kernels that mask them).

    Examples
    --------
    >>> day_numbers(["1970-01-02", None])
    array([ 1., nan])
    >>> day_numbers(["1969-12-31 18:00"], missing="sentinel")
    array([-1])
    """
    if missing not in ("nan", "sentinel"):
        raise ChoiceError(f"missing={missing!r} is not 'nan' or 'sentinel'", key="missing",
                          value=missing, fix="pass missing='nan' or missing='sentinel'.")
    arr = date_values(values, table=table, column=column)
    days = arr.astype("datetime64[D]").astype(np.int64)
    if missing == "sentinel":
        days[np.isnat(arr)] = MISSING_DAY
        return days
    out = days.astype(np.float64)
    out[np.isnat(arr)] = np.nan
    return out
