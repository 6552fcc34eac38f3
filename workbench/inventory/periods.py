"""Demand periods: pandas aliases, label conventions and the consecutive-label check.

A period has a first day (its *start*) and a date that names it (its *label*).
Pandas names weeks and quarters in several conventions, and a monthly history
labelled with month ends must be continued with month ends: this module maps
every supported alias to one :class:`PeriodSpec` that buckets dates, labels
periods, continues a series and checks that given labels fit.

Aliases (any case)
------------------
``D``
    Days.
``W``
    Weeks Monday to Sunday labelled by their Monday (the workbench's weeks).
    A history whose labels are all Sundays is read as ``W-SUN``.
``W-SUN``, ``W-MON``, ... ``W-SAT``
    Pandas weeks *ending* on that day, labelled by that day: ``W-SUN`` is
    Monday to Sunday labelled Sunday, ``W-MON`` Tuesday to Monday labelled
    Monday.
``M``, ``MS``
    Calendar months labelled by their first day. A history labelled with
    month ends is read as ``ME``.
``ME``
    Calendar months labelled by their last day.
``Q``, ``QS``, ``QS-JAN`` ... ``QS-DEC``
    Quarters labelled by their first day (``QS-FEB``: quarters starting in
    February, May, August, November). ``Q`` is ``QS-JAN``; a history labelled
    with quarter ends is read as ``QE`` of the matching anchor.
``QE``, ``Q-DEC``, ``QE-MAR``, ``Q-JAN`` ...
    Quarters labelled by their last day; the anchor is a month that ends a
    quarter (``QE`` = ``Q-DEC``: March, June, September, December).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, FrequencyError
from workbench.validation import date_values

__all__ = ["PERIOD_ALIASES", "PeriodSpec", "check_period_labels", "period_spec"]

_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
PERIOD_ALIASES: tuple[str, ...] = (
    "D", "W", *(f"W-{d}" for d in _DAYS), "M", "MS", "ME", "Q", "QS", "QE",
    *(f"QS-{m}" for m in _MONTHS), *(f"QE-{m}" for m in _MONTHS), *(f"Q-{m}" for m in _MONTHS),
)
"""Every alias :func:`period_spec` accepts (upper case; any case is accepted)."""


@dataclass(frozen=True)
class PeriodSpec:
    """One period convention.

    Attributes
    ----------
    alias : str
        Canonical alias: ``D``, ``W`` (Monday labels), ``W-SUN`` .. ``W-SAT``,
        ``M`` (month starts), ``ME``, ``Q`` (quarter starts Jan/Apr/Jul/Oct),
        ``QS-FEB`` / ``QS-MAR``, ``QE-DEC`` / ``QE-JAN`` / ``QE-FEB``.
    base : {"D", "W", "M", "Q"}
        Period length.
    period : str
        Pandas ``Period`` frequency that buckets dates (``W-SUN``, ``M``, ``Q-DEC``).
    end_label : bool
        Labels are the last day of each period (else the first day).

    Examples
    --------
    >>> s = period_spec("ME")
    >>> s.starts(["2024-01-15", "2024-02-29"]).strftime("%Y-%m-%d").tolist()
    ['2024-01-01', '2024-02-01']
    >>> s.labels(s.starts(["2024-02-10"])).strftime("%Y-%m-%d").tolist()
    ['2024-02-29']
    """

    alias: str
    base: str
    period: str
    end_label: bool

    def starts(self, dates: object) -> pd.DatetimeIndex:
        """First day of the period holding each date (``NaT`` stays ``NaT``)."""
        d = pd.DatetimeIndex(date_values(dates))
        return pd.PeriodIndex(d, freq=self.period).start_time.normalize().as_unit("ns")

    def labels(self, starts: object) -> pd.DatetimeIndex:
        """Label of the period holding each date (its first or last day)."""
        p = pd.PeriodIndex(pd.DatetimeIndex(date_values(starts)), freq=self.period)
        out = p.end_time.normalize() if self.end_label else p.start_time.normalize()
        return out.as_unit("ns")

    def range(self, first: object, periods: int) -> pd.DatetimeIndex:
        """Return the starts of ``periods`` consecutive periods from the one holding ``first``."""
        p = pd.Period(pd.Timestamp(first), freq=self.period)
        return pd.period_range(p, periods=periods, freq=self.period).start_time.as_unit("ns")

    def count(self, first: object, end: object) -> int:
        """Count the periods from the one holding ``first`` up to the one holding ``end``."""
        a = pd.Period(pd.Timestamp(first), freq=self.period)
        b = pd.Period(pd.Timestamp(end), freq=self.period)
        return max(int(b.ordinal - a.ordinal), 0)


def _quarter(end: bool, month: int) -> PeriodSpec:
    """Quarters labelled by their last (``end``) or first day; ``month`` lies on the grid."""
    # the pandas period Q-<m> ends in month m; pick m in Oct..Dec on the same grid
    end_month = (month - 1) % 3 + 10 if end else (month + 1) % 3 + 10
    period = f"Q-{_MONTHS[end_month - 1]}"
    if end:
        return PeriodSpec(f"QE-{_MONTHS[end_month - 1]}", "Q", period, True)
    first = (month - 1) % 3 + 1
    return PeriodSpec("Q" if first == 1 else f"QS-{_MONTHS[first - 1]}", "Q", period, False)


def _bad_alias(freq: object, key: str) -> FrequencyError:
    return FrequencyError(
        f"unknown period frequency {key}={freq!r} for demand periods",
        key=key, value=freq,
        fix="use a pandas alias for days, weeks, months or quarters: 'D', 'W' (weeks labelled "
            "by their Monday), 'W-SUN' (weeks ending Sunday) or another 'W-<day>', 'M'/'MS' "
            "(month starts), 'ME' (month ends), 'Q'/'QS' (quarter starts), 'QE'/'Q-DEC' "
            "(quarter ends).")


def _parse(freq: object, key: str) -> PeriodSpec:
    if not isinstance(freq, str):
        raise _bad_alias(freq, key)
    code = freq.strip().upper()
    if code == "D":
        return PeriodSpec("D", "D", "D", False)
    if code == "W":
        return PeriodSpec("W", "W", "W-SUN", False)
    if code.startswith("W-") and code[2:] in _DAYS:
        return PeriodSpec(code, "W", code, True)
    if code in ("M", "MS"):
        return PeriodSpec("M", "M", "M", False)
    if code == "ME":
        return PeriodSpec("ME", "M", "M", True)
    if code in ("Q", "QS"):
        return _quarter(False, 1)
    if code == "QE":
        return _quarter(True, 12)
    head, _, anchor = code.partition("-")
    if head in ("QS", "QE", "Q") and anchor in _MONTHS:
        return _quarter(head != "QS", _MONTHS.index(anchor) + 1)
    raise _bad_alias(freq, key)


def period_spec(freq: object, dates: object = None, *, key: str = "freq") -> PeriodSpec:
    """Spec of a period alias; with ``dates``, the bare ``W``/``M``/``Q`` follow their labels.

    Parameters
    ----------
    freq : str
        One of :data:`PERIOD_ALIASES` (any case).
    dates : array-like of dates, optional
        Period labels of a history. For the bare aliases ``W``, ``M`` and ``Q``
        the convention is read from them: all Sundays -> ``W-SUN``; all month
        ends -> ``ME``; quarter starts or ends of any anchor -> that anchor.
    key : str, default "freq"
        Parameter name used in messages.

    Returns
    -------
    PeriodSpec

    Raises
    ------
    FrequencyError
        ``freq`` is not a day, week, month or quarter alias.

    Examples
    --------
    >>> period_spec("M", ["2024-01-31", "2024-02-29"]).alias
    'ME'
    >>> period_spec("w", ["2024-01-07"]).alias
    'W-SUN'
    >>> period_spec("Q-DEC").alias, period_spec("QS-FEB").period
    ('QE-DEC', 'Q-OCT')
    """
    spec = _parse(freq, key)
    explicit = str(freq).strip().upper() not in ("W", "M", "Q")
    if dates is None or explicit:
        return spec
    d = pd.DatetimeIndex(date_values(dates)).dropna()
    if len(d) == 0:
        return spec
    if spec.base == "W" and (d.day_of_week == 6).all():
        return PeriodSpec("W-SUN", "W", "W-SUN", True)
    if spec.base in ("M", "Q") and d.is_month_end.all() and not d.is_month_start.all():
        if spec.base == "M":
            return PeriodSpec("ME", "M", "M", True)
        return _quarter(True, int(d[0].month))
    if spec.base == "Q" and d.is_month_start.all():
        return _quarter(False, int(d[0].month))
    return spec


def check_period_labels(dates: object, spec: PeriodSpec, *, where: str = "period_starts",
                        regularise: bool = False) -> pd.DatetimeIndex:
    """Check that ``dates`` label consecutive periods of ``spec``; return the labels.

    Parameters
    ----------
    dates : array-like of dates
        Period labels, oldest first.
    spec : PeriodSpec
        Convention the labels must follow.
    where : str, default "period_starts"
        Where the labels come from (for the message).
    regularise : bool, default False
        Accept dates inside the periods (e.g. the 15th of each month) and
        return the convention's labels instead of refusing them; the periods
        must still be consecutive.

    Returns
    -------
    pandas.DatetimeIndex
        The labels (normalised to midnight).

    Raises
    ------
    ConfigError
        A date is missing, is not a label of ``spec`` (e.g. a month end for
        ``MS``), or the periods are not consecutive (a gap, a repeat, or out of
        order); the message names the first offending position and date.

    Examples
    --------
    >>> check_period_labels(["2024-01-31", "2024-02-29"], period_spec("ME")).day.tolist()
    [31, 29]
    >>> check_period_labels(["2024-01-31", "2024-03-31"], period_spec("ME"))
    Traceback (most recent call last):
    ...
    workbench.exceptions.ConfigError: period dates must be consecutive ME periods: ...
    """
    d = pd.DatetimeIndex(date_values(dates, column=where)).normalize().as_unit("ns")
    if d.isna().any():
        pos = int(np.flatnonzero(d.isna())[0])
        raise ConfigError(f"period dates must all be dates; {where}[{pos}] is missing",
                          key=where, value=None, fix="drop that period or give its date.")
    own = spec.labels(d) if len(d) else d
    off = np.flatnonzero(own != d)
    if off.size and not regularise:
        pos = int(off[0])
        side = "last" if spec.end_label else "first"
        raise ConfigError(
            f"period dates must be the {side} day of each {spec.alias} period: {where}[{pos}] "
            f"= {d[pos].date()}, expected {own[pos].date()} ({off.size} date(s) off)",
            key=where, value=str(d[pos].date()),
            fix=f"pass the freq alias that matches the dates (e.g. 'ME' for month ends, "
                f"'W-SUN' for weeks ending Sunday) or relabel them as {own[pos].date()}.")
    if len(d) == 0:
        return d
    expect = spec.labels(spec.range(own[0], len(d)))
    gap = np.flatnonzero(expect != own)
    if gap.size:
        pos = int(gap[0])
        raise ConfigError(
            f"period dates must be consecutive {spec.alias} periods: {where}[{pos}] = "
            f"{d[pos].date()}, expected {expect[pos].date()} (a gap, repeat or wrong order)",
            key=where, value=str(d[pos].date()),
            fix="sort the periods, add the missing ones with zero demand, or sum repeats.")
    return own
