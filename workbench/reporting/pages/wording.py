"""Phrases the report pages share: periods, months, p-values and lists, in English and Chinese.

Every figure and table of a report says the period it covers
(:func:`span_text`: ``Jul 2024 – Jun 2026`` / ``2024年7月–2026年6月``); a trend
names its periods the way people do (:func:`period_name`: ``Feb 2026``,
``Q1 2026``, ``week of 2 Mar 2026``); a test result is written in words
(:func:`p_text`: ``p < 0.001``, never ``6e-21``); lists read as sentences
(:func:`join_words`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.i18n import fmt_date
from workbench.reporting.tables import isolate_bidi
from workbench.validation import check_language

__all__ = ["join_words", "month_text", "p_text", "period_name", "span_text"]


def month_text(d: object, lang: str = "en") -> str:
    """Write the month of a date: ``Feb 2026`` / ``2026年2月`` (``""`` when missing).

    Examples
    --------
    >>> month_text("2026-02-14"), month_text("2026-02-14", "zh"), month_text(None)
    ('Feb 2026', '2026年2月', '')
    """
    check_language(lang)
    if d is None or pd.isna(d):
        return ""
    ts = pd.Timestamp(d)
    return f"{ts:%b %Y}" if lang == "en" else f"{ts.year}年{ts.month}月"


def period_name(start: object, period: str = "M", lang: str = "en") -> str:
    """Name one period of a trend by its first day: a month, quarter, week or day.

    Parameters
    ----------
    start
        The first day of the period (``period_start``).
    period
        ``D``, ``W``, ``M`` or ``Q`` (anything else is written as a month).
    lang
        ``en`` or ``zh``.

    Examples
    --------
    >>> period_name("2026-01-01", "Q"), period_name("2026-01-01", "Q", "zh")
    ('Q1 2026', '2026年第1季度')
    >>> period_name("2026-03-02", "W"), period_name("2026-03-02", "W", "zh")
    ('week of 2 Mar 2026', '2026年3月2日当周')
    >>> period_name("2026-03-02", "D"), period_name("2026-03-01", "M", "zh")
    ('2 Mar 2026', '2026年3月')
    """
    check_language(lang)
    if start is None or pd.isna(start):
        return ""
    ts = pd.Timestamp(start)
    code = str(period or "M").upper()
    if code == "Q":
        q = (ts.month - 1) // 3 + 1
        return f"Q{q} {ts.year}" if lang == "en" else f"{ts.year}年第{q}季度"
    if code == "W":
        return f"week of {fmt_date(ts, 'en')}" if lang == "en" else f"{fmt_date(ts, 'zh')}当周"
    if code == "D":
        return fmt_date(ts, lang)
    return month_text(ts, lang)


def span_text(dates: object, lang: str = "en", *, days: bool = False) -> str:
    """Write the period a set of dates covers: ``Jul 2024 – Jun 2026`` (``""`` without dates).

    Parameters
    ----------
    dates
        A Series or sequence of dates; missing ones are ignored.
    lang
        ``en`` or ``zh``.
    days
        Write the first and last day (``1 Jul 2024 – 28 Jun 2026``) instead of months.

    Examples
    --------
    >>> span_text(["2024-07-03", None, "2026-06-28"])
    'Jul 2024 – Jun 2026'
    >>> span_text(["2024-07-03", "2026-06-28"], "zh"), span_text(["2026-06-01", "2026-06-28"])
    ('2024年7月–2026年6月', 'Jun 2026')
    >>> span_text(["2024-07-03", "2026-06-28"], days=True)
    '3 Jul 2024 – 28 Jun 2026'
    """
    check_language(lang)
    if dates is None:
        return ""
    values = pd.to_datetime(pd.Series(list(dates) if not isinstance(dates, pd.Series) else dates),
                            errors="coerce").dropna()
    if values.empty:
        return ""
    first, last = values.min(), values.max()
    write = (lambda d: fmt_date(d, lang)) if days else (lambda d: month_text(d, lang))
    a, b = write(first), write(last)
    if a == b:
        return a
    return f"{a} – {b}" if lang == "en" else f"{a}–{b}"


def p_text(p: float | None, lang: str = "en") -> str:
    """Write a p-value the way a reader expects: ``p < 0.001``, ``p = 0.012``, ``p = 0.34``.

    Examples
    --------
    >>> p_text(6e-21), p_text(0.01234), p_text(0.3449), p_text(float("nan"), "zh")
    ('p < 0.001', 'p = 0.012', 'p = 0.34', '无')
    """
    check_language(lang)
    if p is None or not np.isfinite(p):
        return "n/a" if lang == "en" else "无"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def join_words(items: Iterable[object], lang: str = "en") -> str:
    """Join words into a list a sentence can hold: ``A, B and C`` / ``A、B和C``.

    Examples
    --------
    >>> join_words(["A", "B", "C"]), join_words(["A", "B", "C"], "zh"), join_words(["A"])
    ('A, B and C', 'A、B和C', 'A')
    >>> join_words([])
    ''

    Each word is isolated when it holds bidirectional controls, so that a right-to-left
    override in one name reverses only that name:

    >>> join_words(["\u202eexe.txt", "B"]) == "\u2068\u202eexe.txt\u2069 and B"
    True
    """
    check_language(lang)
    words = [isolate_bidi(str(x)) for x in items]
    if len(words) <= 1:
        return "".join(words)
    if lang == "zh":
        return "、".join(words[:-1]) + "和" + words[-1]
    return ", ".join(words[:-1]) + " and " + words[-1]
