"""Supply-break early warning: escalation levels per risk and expedite options.

A *risk* is one item with its first affected period and the customer order lines
it hits. Each item gets at most one alert: its most severe risk (the other,
milder findings for the item are added to the alert's root-cause text). The
level says who must be told:

Level 1 -- internal (supervisor and planner)
    ``planned_receipt_dependency``: no open order line is short with the current
    plan, but the item goes short (PAB < 0) if its *planned* (not firm) receipts
    are ``slip_periods`` periods late (or do not come, ``slip_periods=None``),
    see :func:`workbench.pab.planned_dependency`.
    ``below_safety_stock``: PAB dips below safety stock (possibly below 0 on
    forecast demand beyond the demand time fence) but no open order line is
    short.
Level 2 -- potential customer-facing shortage (``potential_shortage``)
    Open order lines go short with the current plan, the first short period is
    at or after ``frozen_periods`` (outside the frozen window) *and* an expedite
    option closes the gap before the shortage date: there is still time to act.
Level 3 -- confirmed supply break (``confirmed_break``)
    Open order lines go short inside the frozen window (first short period <
    ``frozen_periods``), or no expedite option closes the gap in time (none
    arrives before the shortage date, the quantity exceeds every option's
    ``max_qty``, or no receipt inside the horizon recovers the shortage).

Customer-facing shortages are measured on customer orders only (on hand plus
cumulative receipts minus cumulative open order lines), the same quantity
:func:`workbench.pab.allocate_shortages` distributes over the order lines; a
PAB that goes negative only because of forecast beyond the demand time fence
names no customer and is a level-1 ``below_safety_stock`` alert.

Expedite model (:func:`cheapest_expedite`): the shortage spell starts at the
first short period (``needed_by`` = its start) and ends in the period where
cumulative receipts catch up with cumulative orders again (``next_receipt_date``
= its start; the receipts that close the gap arrive then). An option brings those
receipts forward by its ``lead_time_saved_days`` (never earlier than ``as_of +
transit_days``); it closes the gap when the pulled-in quantity (``gap_qty``, the
largest deficit of the spell) arrives on or before ``needed_by`` and does not
exceed its ``max_qty``. Its cost is ``gap_qty * cost_per_unit``; the cheapest
feasible option wins (ties: earlier arrival, then table order).

Everything is computed on the ``(items, periods)`` arrays of the PAB engine:
there is no Python loop over items, risks or order lines (only over the few
expedite options).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, NotAvailableError, SourceError, WorkbenchError
from workbench.i18n import LANGUAGES
from workbench.paths import data_path
from workbench.planning.allocation import ALLOCATION_RULES, allocate_shortages
from workbench.planning.buckets import PabInput, build_buckets
from workbench.planning.pab import PabResult, planned_dependency, project_pab, stress_supply

__all__ = [
    "ALERT_COLUMNS",
    "EXPEDITE_COLUMNS",
    "KIND_LEVELS",
    "LINE_COLUMNS",
    "AlertSet",
    "alert_lines",
    "cheapest_expedite",
    "default_expedite_options",
    "evaluate",
    "evaluate_alerts",
    "load_expedite_options",
    "validate_expedite_options",
]

KIND_LEVELS: dict[str, int] = {
    "below_safety_stock": 1,
    "planned_receipt_dependency": 1,
    "potential_shortage": 2,
    "confirmed_break": 3,
}
"""Alert kinds and their escalation level."""

ALERT_COLUMNS: tuple[str, ...] = (
    "alert_id", "item_id", "alert_level", "kind", "first_short_period", "first_short_date",
    "last_short_date", "max_shortage_qty", "gap_qty", "covered_by_date", "affected_customers",
    "affected_lines", "qty_short", "root_cause", "recommended_action", "expedite_mode",
    "expedite_cost", "expedite_arrival", "as_of",
)
"""Columns of :func:`evaluate_alerts`, in order."""

LINE_COLUMNS: tuple[str, ...] = (
    "alert_id", "item_id", "alert_level", "kind", "order_id", "line_no", "customer_id", "tier",
    "due_date", "qty_open", "qty_short", "short_from", "covered_by_date",
)
"""Columns of :func:`alert_lines`, in order."""

EXPEDITE_COLUMNS: tuple[str, ...] = (
    "mode", "transit_days", "lead_time_saved_days", "cost_per_unit", "max_qty", "notes",
)
"""Columns of a validated expedite-options table."""

_DEFAULT_OPTIONS = {
    "mode": ["standard truck", "express truck", "air freight", "hand carry"],
    "transit_days": [21.0, 14.0, 7.0, 2.0],
    "lead_time_saved_days": [0.0, 7.0, 14.0, 19.0],
    "cost_per_unit": [0.0, 0.5, 4.0, 40.0],
    "max_qty": [np.nan, np.nan, np.nan, 20.0],
    "notes": [
        "Baseline: the supply plan assumes this mode (consolidated road/rail freight); "
        "no extra cost",
        "Dedicated full truckload, direct route, relay drivers; about one week faster",
        "Air cargo door to door including customs; about two weeks faster",
        "Courier on a passenger flight; small quantities only, very expensive",
    ],
}
_OPTIONS_FILE = "expedite_options.csv"
_UNIT = {"W": "week", "D": "day", "M": "month"}
_UNIT_ZH = {"W": "周", "D": "天", "M": "个月"}
_PERIOD_ZH = {"W": "当周", "D": "", "M": "当月"}
_MODES_ZH = {"standard truck": "常规卡车", "express truck": "加急卡车", "air freight": "空运",
             "hand carry": "专人随身携带"}
"""Chinese names of the built-in expedite modes (matched case-insensitively; other,
user-defined modes are kept as given)."""


# --------------------------------------------------------------------------------------
# Expedite options
# --------------------------------------------------------------------------------------


def default_expedite_options() -> pd.DataFrame:
    """The built-in expedite options (the same as the shipped ``data/expedite_options.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPEDITE_COLUMNS`: standard truck (the plan's baseline, saves
        0 days, no extra cost), express truck (saves 7 days, 0.5 per unit), air
        freight (saves 14 days, 4 per unit) and hand carry (saves 19 days, 40 per
        unit, at most 20 units).
    """
    return validate_expedite_options(pd.DataFrame(_DEFAULT_OPTIONS))


def load_expedite_options(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read the editable expedite-options table.

    Parameters
    ----------
    path
        CSV file with columns ``mode``, ``cost_per_unit`` and ``lead_time_saved_days``
        and/or ``transit_days``; optional ``max_qty`` and ``notes``. Default
        ``data/expedite_options.csv`` in the project (the built-in
        :func:`default_expedite_options` when the project folder is not there, e.g.
        in an installed package).

    Returns
    -------
    pandas.DataFrame
        Validated options, columns :data:`EXPEDITE_COLUMNS` (see
        :func:`validate_expedite_options`).

    Raises
    ------
    SourceError
        The file is missing or unreadable.
    ConfigError
        A cell breaks a rule; the message names the row (header = row 1) and column.
    """
    if path is None:
        try:
            default = data_path(_OPTIONS_FILE)
        except SourceError:
            default = None
        if default is None or not default.is_file():
            return default_expedite_options()
        path = default
    file = Path(path)
    if not file.is_file():
        raise SourceError("expedite options file not found", source=str(file),
                          fix="pass the path of a CSV file like data/expedite_options.csv, "
                              "or leave path out for the defaults.")
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the expedite options as CSV ({exc})", source=str(file),
                          fix="save the table as UTF-8 CSV with a header row.") from None
    return validate_expedite_options(raw, source=str(file))


def validate_expedite_options(options: pd.DataFrame, *, source: str | None = None
                              ) -> pd.DataFrame:
    """Check and normalise an expedite-options table.

    Rules: ``mode`` is filled in and unique; ``cost_per_unit`` is a number >= 0;
    ``lead_time_saved_days`` and ``transit_days`` are numbers >= 0 where given, and
    every row has at least one of them (a blank ``lead_time_saved_days`` is
    ``max(transit_days) - transit_days``: the slowest mode is the plan's
    baseline); ``max_qty`` is blank (no limit) or a number > 0.

    Parameters
    ----------
    options
        The table (strings or numbers).
    source
        File it came from; when given, errors name spreadsheet rows (header = row 1),
        otherwise 0-based positions.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPEDITE_COLUMNS`; numbers as float (missing = NaN).

    Raises
    ------
    ConfigError
        The first rule broken, naming the row, column and value.
    """
    if not isinstance(options, pd.DataFrame):
        raise ConfigError(f"expedite options must be a DataFrame, got {type(options).__name__}",
                          key="expedite_options", value=type(options).__name__,
                          fix="pass load_expedite_options(...) or a DataFrame.")
    frame = options.rename(columns=lambda c: str(c).strip().lower())
    where = f" in {source}" if source else ""
    missing = [c for c in ("mode", "cost_per_unit") if c not in frame.columns]
    if not {"lead_time_saved_days", "transit_days"} & set(frame.columns):
        missing.append("lead_time_saved_days (or transit_days)")
    if missing:
        raise ConfigError(
            f"expedite options{where} lack column(s) {', '.join(missing)}; found "
            f"{', '.join(map(str, frame.columns))}",
            key=missing[0], value=list(frame.columns), source=source,
            fix="use the header mode,transit_days,lead_time_saved_days,cost_per_unit,"
                "max_qty,notes (see data/expedite_options.csv).")

    def row_name(i: int) -> str:
        return f"row {i + 2}" if source else f"position {i}"

    def fail(i: int, col: str, rule: str, value: object) -> None:
        mode = str(frame["mode"].iloc[i]).strip()
        raise ConfigError(
            f"expedite options{where}, {row_name(i)} (mode {mode!r}), column {col}: {rule}, "
            f"got {value!r}", key=col, value=value, source=source,
            fix=f"correct {col} in that row.")

    mode = frame["mode"].astype(object).where(frame["mode"].notna(), "")
    mode = mode.map(lambda v: str(v).strip()).astype(object)
    blank_mode = np.flatnonzero(mode.to_numpy() == "")
    if blank_mode.size:
        fail(int(blank_mode[0]), "mode", "every option needs a mode name", "")
    dup = np.flatnonzero(mode.duplicated().to_numpy())
    if dup.size:
        fail(int(dup[0]), "mode", "mode names must be unique", mode.iloc[int(dup[0])])

    def numbers(col: str, *, required: bool, positive: bool = False) -> np.ndarray:
        n = len(frame)
        if col not in frame.columns:
            return np.full(n, np.nan)
        raw = frame[col]
        text = raw.astype(object).where(raw.notna(), "").map(lambda v: str(v).strip())
        values = pd.to_numeric(text.where(text != "", None), errors="coerce")
        values = values.to_numpy(dtype=np.float64, na_value=np.nan)
        blank = (text == "").to_numpy()
        bad = np.isnan(values) & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            fail(i, col, "must be a number", raw.iloc[i])
        if required and blank.any():
            i = int(np.flatnonzero(blank)[0])
            fail(i, col, "must be filled in", "")
        low = (values <= 0) if positive else (values < 0)
        if low.any():
            i = int(np.flatnonzero(low)[0])
            fail(i, col, "must be > 0 (leave blank for no limit)" if positive
                 else "must not be negative", values[i])
        return values

    cost = numbers("cost_per_unit", required=True)
    transit = numbers("transit_days", required=False)
    saved = numbers("lead_time_saved_days", required=False)
    max_qty = numbers("max_qty", required=False, positive=True)
    need = np.isnan(saved)
    if need.any():
        no_transit = need & np.isnan(transit)
        if no_transit.any():
            fail(int(np.flatnonzero(no_transit)[0]), "lead_time_saved_days",
                 "give lead_time_saved_days or transit_days", "")
        saved = np.where(need, np.nanmax(transit) - transit, saved)
    notes = (frame["notes"].astype(object).where(frame["notes"].notna(), "").map(str)
             if "notes" in frame.columns else pd.Series([""] * len(frame), dtype=object))
    return pd.DataFrame({
        "mode": pd.array(mode.to_numpy(dtype=object), dtype="str"),
        "transit_days": transit,
        "lead_time_saved_days": saved,
        "cost_per_unit": cost,
        "max_qty": max_qty,
        "notes": pd.array(notes.to_numpy(dtype=object), dtype="str"),
    })


def _date_array(values: object, n: int | None = None) -> np.ndarray:
    """Dates as ``datetime64[ns]`` (NaT for missing), broadcast to length ``n``."""
    if isinstance(values, (pd.Series, pd.Index)):
        arr = pd.to_datetime(values).to_numpy()
    else:
        arr = np.atleast_1d(np.asarray(values, dtype=object) if not isinstance(values, np.ndarray)
                            else values)
        arr = pd.to_datetime(pd.Index(arr.ravel())).to_numpy()
    if isinstance(arr.dtype, np.dtype) and arr.dtype.kind == "M":
        arr = arr.astype("datetime64[ns]")
    if n is not None and arr.size == 1 and n != 1:
        arr = np.broadcast_to(arr, (n,)).copy()
    return arr


def cheapest_expedite(
    gap_qty: object,
    needed_by: object,
    next_receipt_date: object,
    options: pd.DataFrame | None = None,
    *,
    as_of: object = None,
) -> pd.DataFrame:
    """Cheapest expedite option that closes each gap in time (vectorized over risks).

    Parameters
    ----------
    gap_qty
        Quantity to bring forward per risk (array-like or scalar).
    needed_by
        Date the quantity must be there (start of the first short period).
    next_receipt_date
        Date the receipts that close the gap arrive as planned (NaT: none in the
        horizon, so nothing can be expedited).
    options
        Expedite options (:func:`load_expedite_options`; default: that function's
        default table).
    as_of
        Today; an option never arrives before ``as_of + transit_days``.

    Returns
    -------
    pandas.DataFrame
        One row per risk, in input order: ``expedite_mode`` (missing when no
        option closes the gap or ``gap_qty <= 0``), ``expedite_cost`` (``gap_qty *
        cost_per_unit``, NaN if none), ``expedite_arrival`` (NaT if none),
        ``lead_time_saved_days``. An option is feasible when ``next_receipt_date -
        lead_time_saved_days`` (not before ``as_of + transit_days``) is on or
        before ``needed_by`` and ``gap_qty <= max_qty`` (blank = no limit); the
        cheapest feasible option wins, ties go to the earlier arrival, then to
        the first in the table.
    """
    opts = load_expedite_options() if options is None else validate_expedite_options(options)
    gap = np.atleast_1d(np.asarray(gap_qty, dtype=np.float64))
    n = max(gap.size, np.size(needed_by) if not isinstance(needed_by, str) else 1,
            np.size(next_receipt_date) if not isinstance(next_receipt_date, str) else 1)
    if gap.size == 1 and n != 1:
        gap = np.full(n, gap[0])
    needed = _date_array(needed_by, n)
    receipt = _date_array(next_receipt_date, n)
    if not (gap.size == needed.size == receipt.size):
        raise ConfigError(
            f"cheapest_expedite: gap_qty, needed_by and next_receipt_date must have the same "
            f"length, got {gap.size}, {needed.size}, {receipt.size}",
            key="gap_qty", value=(gap.size, needed.size, receipt.size),
            fix="pass one value per risk (or a scalar to use for all).")
    today = None
    if as_of is not None:
        today = np.datetime64(pd.Timestamp(as_of).normalize().as_unit("ns").to_datetime64())
    best_cost = np.full(n, np.inf)
    best_arrival = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    best = np.full(n, -1, dtype=np.int64)
    for k, (saved, transit, cpu, cap) in enumerate(zip(
            opts["lead_time_saved_days"], opts["transit_days"], opts["cost_per_unit"],
            opts["max_qty"], strict=True)):  # a loop over the few options, not over risks
        arrival = receipt - np.timedelta64(round(saved * 86_400e9), "ns")
        if today is not None and not np.isnan(transit):
            earliest = today + np.timedelta64(round(transit * 86_400e9), "ns")
            arrival = np.where(np.isnat(arrival), arrival, np.maximum(arrival, earliest))
        cost = gap * cpu
        ok = ~np.isnat(arrival) & ~np.isnat(needed) & (arrival <= needed) & (gap > 0)
        if not np.isnan(cap):
            ok &= gap <= cap
        better = ok & ((cost < best_cost) | ((cost == best_cost) & (arrival < best_arrival)))
        best = np.where(better, k, best)
        best_cost = np.where(better, cost, best_cost)
        best_arrival = np.where(better, arrival, best_arrival)
    found = best >= 0
    modes = opts["mode"].to_numpy(dtype=object)
    saved_days = opts["lead_time_saved_days"].to_numpy()
    return pd.DataFrame({
        "expedite_mode": pd.array(np.where(found, modes[np.maximum(best, 0)]
                                           if modes.size else None, None), dtype="str"),
        "expedite_cost": np.where(found, best_cost, np.nan),
        "expedite_arrival": best_arrival,
        "lead_time_saved_days": np.where(found, saved_days[np.maximum(best, 0)]
                                         if saved_days.size else np.nan, np.nan),
    })


# --------------------------------------------------------------------------------------
# Text helpers (vectorized over risks)
# --------------------------------------------------------------------------------------


def _cat(*parts: object) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    arrays = [np.asarray(p, dtype=str) for p in parts]
    return functools.reduce(np.char.add, arrays)


def _qty(values: np.ndarray) -> np.ndarray:
    """Quantities as text: whole numbers without decimals, others with two."""
    v = np.asarray(values, dtype=np.float64)
    r = np.round(v)
    whole = np.isclose(v, r, rtol=0.0, atol=1e-6)
    ints = np.char.mod("%d", np.where(whole, r, 0).astype(np.int64))
    return np.where(whole, ints, np.char.mod("%.2f", v))


def _units(values: np.ndarray, lang: str = "en") -> np.ndarray:
    """``1 unit`` / ``25 units`` (Chinese: ``25 件``)."""
    v = np.asarray(values, dtype=np.float64)
    if lang == "zh":
        return _cat(_qty(v), " 件")
    return _cat(_qty(v), np.where(v == 1, " unit", " units"))


def _iso(dates: np.ndarray) -> np.ndarray:
    """Dates as ``YYYY-MM-DD`` text ("" for NaT)."""
    d = np.asarray(dates).astype("datetime64[D]")
    return np.where(np.isnat(d), "", np.datetime_as_string(d, unit="D"))


def _date_text(dates: np.ndarray, lang: str = "en") -> np.ndarray:
    """Dates for sentences: ``2026-07-06`` / ``2026年7月6日`` (as :func:`workbench.i18n.fmt_date`
    writes Chinese dates); "" for NaT."""
    if lang != "zh":
        return _iso(dates)
    d = np.asarray(dates).astype("datetime64[D]")
    flat = d.ravel()
    missing = np.isnat(flat)
    idx = pd.DatetimeIndex(np.where(missing, np.datetime64("1970-01-01", "D"), flat))
    text = _cat(np.char.mod("%d", idx.year.to_numpy()), "年",
                np.char.mod("%d", idx.month.to_numpy()), "月",
                np.char.mod("%d", idx.day.to_numpy()), "日")
    return np.where(missing, "", text).reshape(d.shape)


def _when(dates: np.ndarray, freq: str, *, by: bool = False, lang: str = "en") -> np.ndarray:
    """``in the week of 2026-07-20`` / ``on 2026-07-20`` (``by ...`` when ``by``).

    Chinese: ``2026年7月20日当周`` / ``2026年7月20日`` (``截至 ...`` when ``by``).
    """
    if lang == "zh":
        text = _cat(_date_text(dates, lang), _PERIOD_ZH[freq])
        return _cat("截至 ", text) if by else text
    iso = _iso(dates)
    if freq == "D":
        return _cat("by " if by else "on ", iso)
    return _cat("by the " if by else "in the ", _UNIT[freq], " of ", iso)


def _periods(k: int, freq: str, lang: str = "en") -> str:
    if lang == "zh":
        return f"{k} {_UNIT_ZH[freq]}"
    return f"{k} {_UNIT[freq]}{'' if k == 1 else 's'}"


def _mode_names(modes: np.ndarray, lang: str = "en") -> np.ndarray:
    """Expedite modes for sentences: the built-in ones translated into Chinese; other
    modes kept as given (in Chinese text set off by spaces)."""
    m = np.asarray(modes, dtype=object).astype(str)
    if lang != "zh":
        return m
    zh = pd.Series(m, dtype=object).str.strip().str.lower().map(_MODES_ZH)
    return np.where(zh.notna().to_numpy(), zh.fillna("").to_numpy(dtype=object).astype(str),
                    np.where(m == "", "", _cat(" ", m, " ")))


def _check_language(language: object) -> str:
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ConfigError(f"unknown language {language!r} for the alert texts", key="language",
                          value=language,
                          fix="pass language='en' (English) or language='zh' (Chinese).")
    return language


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertSet:
    """Alerts and their affected order lines, as computed by :func:`evaluate`.

    Attributes
    ----------
    alerts
        One row per risk, columns :data:`ALERT_COLUMNS`.
    lines
        One row per affected order line, columns :data:`LINE_COLUMNS`.
    """

    alerts: pd.DataFrame
    lines: pd.DataFrame


def _check_count(name: str, value: object, minimum: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {value!r}",
                          key=name, value=value, fix=fix)
    return int(value)


def _first(mask: np.ndarray) -> np.ndarray:
    """First True column per row, -1 if none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def _last(mask: np.ndarray) -> np.ndarray:
    """Last True column per row, -1 if none."""
    n_t = mask.shape[1]
    return np.where(mask.any(axis=1), n_t - 1 - mask[:, ::-1].argmax(axis=1), -1)


def evaluate(
    result: PabResult,
    inputs: object = None,
    orders: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    frozen_periods: int = 2,
    slip_periods: int | None = 2,
    expedite_options: pd.DataFrame | None = None,
    as_of: object = None,
    rule: str = "priority_then_due",
    language: str = "en",
) -> AlertSet:
    """Alerts and affected order lines in one pass (see :func:`evaluate_alerts`).

    Returns
    -------
    AlertSet
        ``.alerts`` (:func:`evaluate_alerts`) and ``.lines`` (:func:`alert_lines`).
    """
    if not isinstance(result, PabResult):
        raise WorkbenchError(f"evaluate_alerts needs a PabResult, got {type(result).__name__}",
                             fix="pass project_pab(build_buckets(...)).")
    inp = result.inputs
    if inputs is not None and inputs is not inp:
        raise ConfigError(
            "evaluate_alerts: inputs must be the PabInput the result was projected from",
            key="inputs", value=type(inputs).__name__,
            fix="pass result.inputs (or None) as inputs.")
    if not isinstance(orders, pd.DataFrame):
        raise ConfigError(
            f"evaluate_alerts needs the order_lines frame, got {type(orders).__name__}",
            key="orders", value=type(orders).__name__,
            fix="pass the order lines the PAB buckets were built from.")
    frozen = _check_count("frozen_periods", frozen_periods, 0,
                          "pass the number of periods that can no longer be changed, e.g. 2.")
    slip = None if slip_periods is None else _check_count(
        "slip_periods", slip_periods, 1,
        "pass how many periods late planned receipts may come, e.g. 2 (None = not at all).")
    if rule not in ALLOCATION_RULES:
        raise ConfigError(f"unknown allocation rule {rule!r}", key="rule", value=rule,
                          fix=f"use one of {', '.join(ALLOCATION_RULES)}.")
    lang = _check_language(language)
    opts = (load_expedite_options() if expedite_options is None
            else validate_expedite_options(expedite_options))
    today = inp.as_of if as_of is None else pd.Timestamp(as_of).normalize()
    cust = customers if customers is not None and "tier" in customers.columns else None

    freq = inp.freq
    n, n_t = result.pab.shape
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    nat = np.datetime64("NaT", "ns")
    ar = np.arange(n_t)
    rows = np.arange(n)

    # Customer-facing shortage: orders-only PAB (on hand + receipts - open order lines).
    supply = result.supply
    cum_sup = np.cumsum(supply, axis=1)
    cum_firm = np.cumsum(inp.supply_firm, axis=1)
    cum_ord = np.cumsum(inp.customer_orders, axis=1)
    opab = inp.on_hand[:, None] + cum_sup - cum_ord
    scale = 1.0 + inp.on_hand + supply.sum(axis=1) + inp.customer_orders.sum(axis=1)
    short = -opab > (1e-9 * scale)[:, None]
    deficit = np.where(short, -opab, 0.0)
    t0 = _first(short)
    cf = t0 >= 0
    t0c = np.maximum(t0, 0)
    recovered = (ar[None, :] > t0[:, None]) & ~short
    t1 = _first(recovered)
    t1 = np.where(t1 < 0, n_t, t1)  # n_t = not recovered inside the horizon
    spell = (ar[None, :] >= t0[:, None]) & (ar[None, :] < t1[:, None])
    gap = np.where(spell, deficit, 0.0).max(axis=1)
    needed_by = np.where(cf, starts[t0c], nat)
    next_receipt = np.where(cf & (t1 < n_t), starts[np.minimum(t1, n_t - 1)], nat)

    # Planned-receipt dependency (stressed PAB < 0 where the base PAB is not).
    dep = planned_dependency(inp, slip_periods=slip, demand_time_fence=result.demand_time_fence,
                             base=result)
    dep_codes = dep["item_id"].cat.codes.to_numpy().astype(np.int64)
    dep_first = np.full(n, -1)
    dep_last = np.full(n, -1)
    dep_short = np.zeros(n)
    if dep_codes.size:  # rows come sorted by item, then period
        uniq, first_idx = np.unique(dep_codes, return_index=True)
        dep_period = dep["period"].to_numpy()
        dep_first[uniq] = dep_period[first_idx]
        dep_last[uniq] = np.maximum.reduceat(dep_period, first_idx)
        dep_short[uniq] = np.maximum.reduceat(dep["shortage_qty"].to_numpy(), first_idx)
    has_dep = dep_first >= 0
    planned = inp.supply_planned > 0
    last_planned = np.maximum.accumulate(np.where(planned, ar[None, :], -1), axis=1)
    dep_receipt = np.where(has_dep, last_planned[rows, np.maximum(dep_first, 0)], -1)

    below = result.below_safety_stock
    has_below = below.any(axis=1)
    gap_ss = np.maximum(inp.safety_stock[:, None] - result.pab, 0.0).max(axis=1)

    # Expedite options for the customer-facing risks.
    exp = cheapest_expedite(gap, needed_by, next_receipt, opts, as_of=today)
    has_option = exp["expedite_mode"].notna().to_numpy() & cf

    # One alert per item: the most severe finding.
    kind_code = np.select(
        [cf & ((t0 < frozen) | ~has_option), cf, has_dep, has_below],
        [4, 3, 2, 1], default=0)
    kinds = np.array(["", "below_safety_stock", "planned_receipt_dependency",
                      "potential_shortage", "confirmed_break"], dtype=object)
    levels = np.array([0, 1, 1, 2, 3])
    first_p = np.select([cf, has_dep, has_below], [t0, dep_first, _first(below)], default=-1)
    last_p = np.select([cf, has_dep, has_below], [_last(short), dep_last, _last(below)],
                       default=-1)
    sel = np.flatnonzero(kind_code > 0)
    kc = kind_code[sel]
    fp, lp = first_p[sel], last_p[sel]
    item_ids = inp.item_id.to_numpy(dtype=object).astype(str)[sel]
    first_date = starts[fp]
    alert_id = _cat(item_ids, "|", _iso(first_date))
    max_short = np.select([cf[sel], has_dep[sel]],
                          [deficit[sel].max(axis=1), dep_short[sel]], default=gap_ss[sel])
    cover = np.where(cf[sel] & (t1[sel] < n_t), starts[np.minimum(t1[sel], n_t - 1)], nat)

    root, action = _texts(
        inp=inp, result=result, sel=sel, kc=kc, fp=fp, freq=freq, frozen=frozen, slip=slip,
        t1=t1[sel], gap=gap[sel], cum_ord=cum_ord, cum_sup=cum_sup, cum_firm=cum_firm,
        deficit=deficit, dep_first=dep_first, dep_short=dep_short, dep_receipt=dep_receipt,
        exp=exp.iloc[sel], n_t=n_t, starts=starts, lang=lang)

    alerts = pd.DataFrame({
        "alert_id": pd.array(alert_id.astype(object), dtype="str"),
        "item_id": pd.array(item_ids.astype(object), dtype="str"),
        "alert_level": levels[kc].astype(np.int64),
        "kind": pd.array(kinds[kc], dtype="str"),
        "first_short_period": fp.astype(np.int64),
        "first_short_date": first_date,
        "last_short_date": starts[lp],
        "max_shortage_qty": max_short,
        "gap_qty": np.where(cf[sel], gap[sel], np.nan),
        "covered_by_date": cover,
        "root_cause": pd.array(root.astype(object), dtype="str"),
        "recommended_action": pd.array(action.astype(object), dtype="str"),
    })
    cf_sel = cf[sel]
    e = exp.iloc[sel].reset_index(drop=True)
    alerts["expedite_mode"] = pd.array(e["expedite_mode"].where(cf_sel, None), dtype="str")
    alerts["expedite_cost"] = e["expedite_cost"].where(cf_sel, np.nan).to_numpy()
    alerts["expedite_arrival"] = e["expedite_arrival"].where(cf_sel, pd.NaT).to_numpy()
    alerts["as_of"] = pd.Timestamp(today).as_unit("ns")

    lines = _lines(orders, result, inp, cust, rule, slip, kind_code, sel, alert_id, levels,
                   kinds)
    counts = lines.groupby("alert_id", sort=False).agg(
        affected_customers=("customer_id", "nunique"), affected_lines=("order_id", "size"),
        qty_short=("qty_short", "sum"))
    counts = counts.reindex(alerts["alert_id"])
    alerts["affected_customers"] = counts["affected_customers"].fillna(0).to_numpy(np.int64)
    alerts["affected_lines"] = counts["affected_lines"].fillna(0).to_numpy(np.int64)
    alerts["qty_short"] = counts["qty_short"].fillna(0.0).to_numpy(np.float64)
    alerts["recommended_action"] = _customer_count(alerts, lang)

    order = np.lexsort((alerts["item_id"].to_numpy(dtype=object).astype(str),
                        alerts["first_short_date"].to_numpy(), -alerts["alert_level"].to_numpy()))
    alerts = alerts.take(order).reset_index(drop=True)[list(ALERT_COLUMNS)]
    rank = pd.Series(np.arange(len(alerts)), index=alerts["alert_id"].to_numpy(dtype=object))
    pos = rank.reindex(lines["alert_id"].to_numpy(dtype=object)).to_numpy()
    lines = lines.take(np.argsort(pos, kind="stable")).reset_index(drop=True)
    return AlertSet(alerts, lines)


def _customer_count(alerts: pd.DataFrame, lang: str = "en") -> pd.Series:
    """Fill the ``{customers}`` and ``{if_unconfirmed}`` placeholders of the actions."""
    if alerts.empty:
        return alerts["recommended_action"]
    n = alerts["affected_customers"].to_numpy()
    action = alerts["recommended_action"].to_numpy(dtype=object).astype(str)
    if lang == "zh":
        text = _cat(np.char.mod("%d", n), " 个受影响客户")
        clause = np.where(n > 0, _cat("；如无法确认，为 ", text, "准备潜在供货风险通知"),
                          "；目前尚无未交订单行依赖该到货（仅有预测需求）")
    else:
        text = _cat(np.char.mod("%d", n), np.where(n == 1, " affected customer",
                                                   " affected customers"))
        clause = np.where(n > 0, _cat("; if it cannot be confirmed, prepare a potential-risk "
                                      "notice for the ", text),
                          "; no open order line depends on it yet (forecast demand only)")
    out = np.char.replace(np.char.replace(action, "{if_unconfirmed}", clause),
                          "{customers}", text)
    return pd.Series(out.astype(object), dtype="str")


def _texts(*, inp, result, sel, kc, fp, freq, frozen, slip, t1, gap, cum_ord, cum_sup,
           cum_firm, deficit, dep_first, dep_short, dep_receipt, exp, n_t, starts, lang="en"
           ) -> tuple[np.ndarray, np.ndarray]:
    """Root-cause notes and recommended actions for the selected items (vectorized).

    ``lang`` ``"en"`` or ``"zh"``: the same numbers and dates in either language
    (Chinese dates as ``2026年7月6日``, built-in expedite modes translated). Actions
    keep the ``{customers}`` / ``{if_unconfirmed}`` placeholders for
    :func:`_customer_count`.
    """
    zh = lang == "zh"
    m = sel.size
    root = np.full(m, "", dtype=object)
    action = np.full(m, "", dtype=object)
    at = _when(starts[fp], freq, lang=lang) if m else np.zeros(0, dtype=str)
    slip_text = "if they do not come" if slip is None else f"if {_periods(slip, freq)} late"
    # Chinese: "若计划到货<slip_zh>" (several receipts) / "若该到货<slip_zh>" (one receipt)
    slip_zh = "未到" if slip is None else f"延迟 {_periods(slip, freq, lang)}"

    # customer-facing shortages (kinds 3 and 4)
    c = np.flatnonzero(kc >= 3)
    if c.size:
        i, t = sel[c], fp[c]
        firm = cum_firm[i, t]
        plan = cum_sup[i, t] - firm
        rec = t1[c] < n_t
        t1c = np.minimum(t1[c], n_t - 1)
        in_frozen = t < frozen
        has_opt = exp["expedite_mode"].iloc[c].notna().to_numpy()
        days = ((starts[t1c] - starts[t]) // np.timedelta64(1, "D")).astype(np.int64)
        earlier = (dep_first[i] >= 0) & (dep_first[i] < t)
        df = np.maximum(dep_first[i], 0)
        mode = exp["expedite_mode"].iloc[c].to_numpy(dtype=object)
        mode_s = _mode_names(np.where(has_opt, mode, ""), lang)
        cost = _qty(np.nan_to_num(exp["expedite_cost"].iloc[c].to_numpy()))
        arrival = _date_text(exp["expedite_arrival"].iloc[c].to_numpy(), lang)
        if zh:
            text = _cat(_when(starts[t], freq, by=True, lang=lang), "的未交订单 ",
                        _qty(cum_ord[i, t]), " 超过现有库存 ", _qty(inp.on_hand[i]), " + 到货 ",
                        _qty(cum_sup[i, t]), "（确认 ", _qty(firm), "，计划 ", _qty(plan),
                        "）：短缺 ", _qty(deficit[i, t]))
            text = _cat(text, np.where(rec, _cat("；供应于 ", _when(starts[t1c], freq, lang=lang),
                                                 "恢复"),
                                       "；计划期内没有到货能弥补短缺"))
            text = _cat(text, np.where(
                in_frozen, f"；处于冻结期内（前 {_periods(frozen, freq, lang)}）",
                np.where(has_opt | ~rec, "", _cat("；没有加急方式能将 ", _units(gap[c], lang),
                                                 "提前 ", np.char.mod("%d", days), " 天到货"))))
            text = _cat(text, np.where(earlier, _cat(f"；若计划到货{slip_zh}：自 ",
                                                     _date_text(starts[df], lang), "起短缺"),
                                       ""))
            expedite = _cat("改用", mode_s, "提前运送 ", _units(gap[c], lang), "（费用 ", cost,
                            "，预计 ", arrival, "到货）")
            lvl2 = _cat("立即行动：", expedite, "，并向 {customers}发送潜在供货风险通知（二级）")
            lvl3 = _cat("向 {customers}发送确认断供通知（三级），注明确切日期和数量；"
                        "与客户商定分批交货或分配方案",
                        np.where(has_opt, _cat("；", expedite, "，以缩短断供时间"),
                                 np.where(rec, _cat("；余量随 ",
                                                    _when(starts[t1c], freq, lang=lang),
                                                    "的到货交付"),
                                          "；需安排新的供应：计划期内没有到货能覆盖短缺")))
            root[c] = text
            action[c] = np.where(kc[c] == 3, lvl2, lvl3)
        else:
            text = _cat("open orders ", _qty(cum_ord[i, t]), " due ",
                        _when(starts[t], freq, by=True), " exceed on hand ",
                        _qty(inp.on_hand[i]), " + receipts ", _qty(cum_sup[i, t]), " (firm ",
                        _qty(firm), ", planned ", _qty(plan), "): ", _qty(deficit[i, t]),
                        " short")
            text = _cat(text, np.where(rec, _cat("; supply catches up ",
                                                 _when(starts[t1c], freq)),
                                       "; no receipt inside the horizon recovers it"))
            text = _cat(text, np.where(
                in_frozen, f"; inside the frozen window (first {_periods(frozen, freq)})",
                np.where(has_opt | ~rec, "", _cat("; no expedite option brings ", _units(gap[c]),
                                                 " forward ", np.char.mod("%d", days),
                                                 " days"))))
            text = _cat(text, np.where(earlier, _cat(f"; planned receipts {slip_text}: short "
                                                     "from ", _iso(starts[df])), ""))
            root[c] = text
            expedite = _cat("expedite ", _units(gap[c]), " by ", mode_s, " (cost ", cost,
                            ", arriving ", arrival, ")")
            lvl2 = _cat(expedite, " and send a potential-supply-risk notice (level 2) to the "
                        "{customers}")
            lvl3 = _cat("Send a confirmed-supply-break notice (level 3) with exact dates and "
                        "quantities to the {customers}; agree on partial deliveries or "
                        "allocation",
                        np.where(has_opt, _cat("; ", expedite, " to shorten the break"),
                                 np.where(rec, _cat("; the remainder follows with the receipt ",
                                                    _when(starts[t1c], freq)),
                                          "; plan new supply: nothing in the horizon covers "
                                          "it")))
            action[c] = np.where(kc[c] == 3, np.char.add("Act now: ", lvl2.astype(str)), lvl3)

    # planned-receipt dependency
    p = np.flatnonzero(kc == 2)
    if p.size:
        i = sel[p]
        r = np.maximum(dep_receipt[i], 0)
        qty = _qty(inp.supply_planned[i, r])
        due = _when(starts[r], freq, lang=lang)
        if zh:
            root[p] = _cat("依赖 ", due, "的计划到货 ", qty, "：若该到货", slip_zh,
                           "，预计可用库存将降至 ", _qty(-dep_short[i]), "（自 ", at[p],
                           "起短缺）")
            action[p] = _cat("与工厂或供应商确认 ", due, "的计划到货 ", qty,
                             "，并将其转为确认到货", "{if_unconfirmed}")
        else:
            root[p] = _cat("planned receipt of ", qty, " due ", due, " is needed; ",
                           slip_text.replace("they do", "it does"), " PAB falls to ",
                           _qty(-dep_short[i]), " (first short ", at[p], ")")
            action[p] = _cat("Confirm the planned receipt of ", qty, " due ", due,
                             " with the plant or supplier and firm it up", "{if_unconfirmed}")

    # below safety stock (possibly below zero on forecast only)
    b = np.flatnonzero(kc == 1)
    if b.size:
        i, t = sel[b], fp[b]
        pab = _qty(result.pab[i, t])
        ss = _qty(inp.safety_stock[i])
        min_pab = result.pab[i].min(axis=1)
        neg = min_pab < 0
        demand = _qty(result.demand[i, t])
        open_orders = _qty(inp.customer_orders[i, t])
        fcst = _qty(inp.forecast[i, t])
        if zh:
            text = _cat(at[b], "的预计可用库存 ", pab, " 低于安全库存 ", ss, "（需求 ", demand,
                        "，未交订单 ", open_orders, "，预测 ", fcst, "）")
            root[b] = _cat(text, np.where(neg, _cat("；受预测需求影响，预计可用库存降至 ",
                                                    _qty(min_pab), "；没有未交订单行短缺"), ""))
            note = "尚无客户订单短缺：检查补货安排（提前或增加下一批到货）并持续关注该物料"
        else:
            text = _cat("PAB ", pab, " ", at[b], " is below safety stock ", ss, " (demand ",
                        demand, ", open orders ", open_orders, ", forecast ", fcst, ")")
            root[b] = _cat(text, np.where(neg, _cat("; PAB falls to ", _qty(min_pab),
                                                    " on forecast demand; no open order line "
                                                    "is short"), ""))
            note = ("No customer order is short yet: review replenishment (pull in or increase "
                    "the next receipt) and watch the item")
        action[b] = np.full(b.size, note, dtype=object)
    return root, action


def _lines(orders, result, inp, cust, rule, slip, kind_code, sel, alert_id, levels, kinds
           ) -> pd.DataFrame:
    """Affected order lines: base allocation for shortages, stressed for planned risks."""
    n = kind_code.size
    id_of = np.full(n, None, dtype=object)
    id_of[sel] = alert_id.astype(object)

    def keep(part: pd.DataFrame, want: np.ndarray) -> pd.DataFrame:
        codes = part["item_id"].cat.codes.to_numpy().astype(np.int64)
        return part.loc[want[codes]]

    frames = []
    if (kind_code >= 3).any():
        frames.append(keep(allocate_shortages(orders, result, customers=cust, rule=rule),
                           kind_code >= 3))
    if (kind_code == 2).any():
        stressed_in = (stress_supply(inp, short_pct=100.0, only_planned=True) if slip is None
                       else stress_supply(inp, slip_periods=slip, only_planned=True))
        stressed = project_pab(stressed_in, demand_time_fence=result.demand_time_fence,
                               with_atp=False, with_cover=False)
        frames.append(keep(allocate_shortages(orders, stressed, customers=cust, rule=rule),
                           kind_code == 2))
    if frames:
        out = pd.concat(frames, ignore_index=True)
        codes = out["item_id"].cat.codes.to_numpy().astype(np.int64)
    else:
        out = pd.DataFrame({
            "order_id": pd.array([], dtype="str"), "line_no": pd.array([], dtype="Int64"),
            "customer_id": pd.array([], dtype="str"), "tier": pd.array([], dtype="str"),
            "due_date": np.zeros(0, "datetime64[ns]"), "qty_open": np.zeros(0),
            "qty_short": np.zeros(0), "short_from": np.zeros(0, "datetime64[ns]"),
            "covered_by_date": np.zeros(0, "datetime64[ns]")})
        codes = np.zeros(0, dtype=np.int64)
    kc = kind_code[codes]
    frame = pd.DataFrame({
        "alert_id": pd.array(id_of[codes], dtype="str"),
        "item_id": pd.array(inp.item_id.to_numpy(dtype=object)[codes], dtype="str"),
        "alert_level": levels[kc].astype(np.int64),
        "kind": pd.array(kinds[kc], dtype="str"),
    })
    for col in ("order_id", "line_no", "customer_id", "tier", "due_date", "qty_open",
                "qty_short", "short_from", "covered_by_date"):
        frame[col] = out[col].reset_index(drop=True)
    return frame[list(LINE_COLUMNS)]


def evaluate_alerts(
    result: PabResult,
    inputs: object = None,
    orders: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    frozen_periods: int = 2,
    slip_periods: int | None = 2,
    expedite_options: pd.DataFrame | None = None,
    as_of: object = None,
    rule: str = "priority_then_due",
    language: str = "en",
) -> pd.DataFrame:
    """Escalation level per risk: one tidy row per item at risk.

    Parameters
    ----------
    result
        PAB projection (:func:`workbench.pab.project_pab`).
    inputs
        The :class:`~workbench.pab.PabInput` of ``result`` (or ``None``: taken from it).
    orders
        The ``order_lines`` frame the buckets were built from (``order_id``,
        ``line_no``, ``customer_id`` needed to name the affected lines).
    customers
        Customer master; its ``tier`` (if present) ranks lines in the allocation.
    frozen_periods
        Periods that can no longer be changed: a shortage starting in them is a
        confirmed break (level 3).
    slip_periods
        How late planned receipts may come for the level-1 dependency check
        (``None``: not at all).
    expedite_options
        Options table (default :func:`load_expedite_options`).
    as_of
        Today, for expedite arrivals (default ``inputs.as_of``).
    rule
        Allocation rule for the affected lines (see
        :func:`workbench.pab.allocate_shortages`).
    language
        Language of ``root_cause`` and ``recommended_action``: ``"en"`` (English) or
        ``"zh"`` (Chinese: the same numbers, dates written as ``2026年7月6日``, the
        built-in expedite modes translated, user-defined mode names kept as given).
        ``kind`` and the other columns are the same in both languages.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALERT_COLUMNS`, sorted by level (highest first), first short
        date and item:

        ``alert_id``
            ``"{item_id}|{first_short_date:%Y-%m-%d}"``: deterministic, stable across
            runs while the risk starts on the same date.
        ``alert_level``, ``kind``
            1 (``below_safety_stock``, ``planned_receipt_dependency``), 2
            (``potential_shortage``) or 3 (``confirmed_break``); rules in the module
            docstring.
        ``first_short_period``, ``first_short_date``, ``last_short_date``
            First / last affected period (index and start date): with an open order
            line short (levels 2-3), short if planned receipts slip (planned
            dependency) or below safety stock.
        ``max_shortage_qty``
            Largest orders-only deficit (levels 2-3), largest stressed shortage
            (planned dependency) or largest gap to safety stock.
        ``gap_qty``, ``covered_by_date``
            Levels 2-3: largest deficit of the first shortage spell and the start of
            the period when supply catches up (NaT if not inside the horizon).
        ``affected_customers``, ``affected_lines``, ``qty_short``
            From the affected order lines (:func:`alert_lines`).
        ``root_cause``, ``recommended_action``
            Plain text built from the numbers, in ``language``.
        ``expedite_mode``, ``expedite_cost``, ``expedite_arrival``
            Levels 2-3: cheapest option that closes the gap in time (missing if
            none; see :func:`cheapest_expedite`).
        ``as_of``
            Planning date.
    """
    return evaluate(result, inputs, orders, customers=customers, frozen_periods=frozen_periods,
                    slip_periods=slip_periods, expedite_options=expedite_options, as_of=as_of,
                    rule=rule, language=language).alerts


def alert_lines(
    result: PabResult,
    inputs: object = None,
    orders: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    frozen_periods: int = 2,
    slip_periods: int | None = 2,
    expedite_options: pd.DataFrame | None = None,
    as_of: object = None,
    rule: str = "priority_then_due",
) -> pd.DataFrame:
    """Affected customer order lines per alert (same parameters as :func:`evaluate_alerts`,
    except ``language``: the lines carry no text).

    Levels 2-3: the lines that go short with the current plan
    (:func:`workbench.pab.allocate_shortages`). Planned-receipt dependencies: the
    lines that would go short if the planned receipts slipped. Below safety stock:
    none. Use :func:`evaluate` to get alerts and lines from one computation.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LINE_COLUMNS`: ``alert_id``, ``item_id``, ``alert_level``,
        ``kind``, ``order_id``, ``line_no``, ``customer_id``, ``tier``, ``due_date``,
        ``qty_open``, ``qty_short``, ``short_from`` (start of the period the line is
        short from), ``covered_by_date`` (start of the period it is fully served,
        NaT if not inside the horizon); in alert order.
    """
    return evaluate(result, inputs, orders, customers=customers, frozen_periods=frozen_periods,
                    slip_periods=slip_periods, expedite_options=expedite_options, as_of=as_of,
                    rule=rule).lines


@dataclass(frozen=True)
class EarlyWarning:
    """Everything one early-warning review produces.

    Attributes
    ----------
    as_of
        Planning date used.
    inputs, result
        PAB buckets and projection with the current plan.
    stressed
        PAB projection with planned receipts ``slip_periods`` late (for charts).
    alerts, lines
        :func:`evaluate` output: one row per risk, and the affected order lines.
    """

    as_of: pd.Timestamp
    inputs: PabInput
    result: PabResult
    stressed: PabResult
    alerts: pd.DataFrame
    lines: pd.DataFrame


def select_items(frame: pd.DataFrame | None, spec: str) -> pd.DataFrame | None:
    """Rows of ``frame`` whose ``item_id`` matches ``spec``: comma-separated ids, ``PREFIX*``
    patterns, or empty for all."""
    if frame is None or not spec.strip():
        return frame
    ids = [s.strip() for s in spec.split(",") if s.strip()]
    item = frame["item_id"].astype("str")
    keep = np.zeros(len(frame), dtype=bool)
    for s in ids:
        keep |= (item.str.startswith(s[:-1]) if s.endswith("*") else item == s).to_numpy(
            dtype=bool, na_value=False)
    return frame.loc[keep]


def run_early_warning(dataset, *, as_of: object = None, horizon: int = 13, freq: str = "W",
                      demand_time_fence: int = 2, frozen_periods: int = 2,
                      slip_periods: int = 2, items: str = "",
                      expedite_options: pd.DataFrame | None = None,
                      rule: str = "priority_then_due", language: str = "en") -> EarlyWarning:
    """Build buckets, project PAB, stress planned receipts and evaluate alerts in one call.

    Parameters
    ----------
    dataset
        A :class:`workbench.dataset.Dataset` with order lines, supply plan,
        inventory, and optionally forecast, items and customers.
    as_of
        Planning date; default the latest inventory snapshot date.
    items
        Item filter for :func:`select_items` (comma-separated ids or ``PREFIX*``).
    language
        ``"en"`` or ``"zh"``: language of the alerts' ``root_cause`` and
        ``recommended_action`` (see :func:`evaluate_alerts`).
    """
    _check_language(language)
    if dataset.orders is None:
        raise NotAvailableError("the early warning", ["order_lines"])
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        if dataset.inventory is None or dataset.inventory.empty:
            raise ConfigError("no as_of date and no inventory snapshot to take it from",
                              key="as_of", fix="pass as_of='YYYY-MM-DD'.")
        as_of = dataset.inventory["snapshot_date"].max()
    as_of = pd.Timestamp(as_of)
    orders = select_items(dataset.orders, items)
    inputs = build_buckets(orders,
                           select_items(dataset.forecast, items),
                           select_items(dataset.supply_plan, items),
                           select_items(dataset.inventory, items),
                           select_items(dataset.items, items),
                           as_of=as_of, horizon=horizon, freq=freq)
    result = project_pab(inputs, demand_time_fence=demand_time_fence)
    stressed = project_pab(stress_supply(inputs, slip_periods=slip_periods, only_planned=True),
                           demand_time_fence=demand_time_fence)
    found = evaluate(result, inputs, orders, customers=dataset.customers,
                     frozen_periods=frozen_periods, slip_periods=slip_periods,
                     expedite_options=expedite_options, as_of=as_of, rule=rule,
                     language=language)
    return EarlyWarning(as_of, inputs, result, stressed, found.alerts, found.lines)
