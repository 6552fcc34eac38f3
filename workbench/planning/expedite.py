"""Expedite options: the editable table of faster transport modes and the cheapest one that closes a gap.

A dataset names its own table (``expedite_options:`` in its dataset YAML; the
bundled sample's is ``data/samples/expedite_options.csv``). It lists each mode with
its transit time, the lead time it saves against the plan's baseline mode, its cost
per unit and an optional quantity limit. A dataset without one gets **no** expedite
options (:func:`no_expedite_options`, ``load_expedite_options(None, default="none")``):
transit times and costs are the dataset's own facts, and invented ones would decide
alert levels and promise customers a mode nobody booked. Without options no gap can
be closed by expediting, so every customer-facing shortage is a confirmed break
(:mod:`workbench.planning.alert_rules`). :func:`default_expedite_options` is a
generic illustration (the sample's modes) for examples and tests.

Expedite model (:func:`cheapest_expedite`): a shortage spell starts at the
first short period (``needed_by`` = its start) and ends in the period where
cumulative receipts catch up with cumulative orders again (``next_receipt_date``
= its start; the receipts that close the gap arrive then). An option brings those
receipts forward by its ``lead_time_saved_days`` (never earlier than ``as_of +
transit_days``); it closes the gap when the pulled-in quantity (``gap_qty``, the
largest deficit of the spell) arrives on or before ``needed_by`` and does not
exceed its ``max_qty``. Its cost is ``gap_qty * cost_per_unit``; the cheapest
feasible option wins (ties: earlier arrival, then table order). The loop runs
over the few options, never over risks.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.exceptions import (
    ConfigError,
    MissingColumnsError,
    SourceError,
    SourceNotFoundError,
)
from workbench.validation import check_choice, check_date, date_values, require_frame

__all__ = [
    "EXPEDITE_COLUMNS",
    "cheapest_expedite",
    "default_expedite_options",
    "load_expedite_options",
    "no_expedite_options",
    "validate_expedite_options",
]

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


def default_expedite_options() -> pd.DataFrame:
    """Return the built-in, generic expedite options (the bundled sample's modes).

    An illustration for examples and tests, not facts about any real supply
    chain: a dataset's report uses the dataset's own table, or none.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EXPEDITE_COLUMNS`: standard truck (the plan's baseline, saves
        0 days, no extra cost), express truck (saves 7 days, 0.5 per unit), air
        freight (saves 14 days, 4 per unit) and hand carry (saves 19 days, 40 per
        unit, at most 20 units).
    """
    return validate_expedite_options(pd.DataFrame(_DEFAULT_OPTIONS))


def no_expedite_options() -> pd.DataFrame:
    """Return an empty expedite-options table: no mode can close any gap.

    Examples
    --------
    >>> no_expedite_options().columns.tolist() == list(EXPEDITE_COLUMNS)
    True
    >>> len(no_expedite_options())
    0
    """
    return validate_expedite_options(pd.DataFrame({c: [] for c in EXPEDITE_COLUMNS}))


def load_expedite_options(path: str | os.PathLike[str] | None = None, *,
                          default: str = "generic") -> pd.DataFrame:
    """Read the editable expedite-options table.

    Parameters
    ----------
    path
        CSV file with columns ``mode``, ``cost_per_unit`` and ``lead_time_saved_days``
        and/or ``transit_days``; optional ``max_qty`` and ``notes`` (a dataset's
        ``expedite_options``, e.g. ``data/samples/expedite_options.csv``).
    default
        What ``path=None`` gives: ``"generic"`` the built-in
        :func:`default_expedite_options`, ``"none"`` the empty table of
        :func:`no_expedite_options` (what a report on a dataset without its own
        table uses).

    Returns
    -------
    pandas.DataFrame
        Validated options, columns :data:`EXPEDITE_COLUMNS` (see
        :func:`validate_expedite_options`).

    Raises
    ------
    ChoiceError
        ``default`` is not ``"generic"`` or ``"none"``.
    SourceNotFoundError
        The file does not exist.
    SourceError
        The file cannot be read as CSV.
    MissingColumnsError
        The header lacks a required column.
    ConfigError
        A cell breaks a rule; the message names the row (header = row 1) and column.
    """
    default = check_choice(default, ("generic", "none"), key="default")
    if path is None:
        return default_expedite_options() if default == "generic" else no_expedite_options()
    file = Path(path)
    if not file.is_file():
        raise SourceNotFoundError("expedite options file not found", path=str(file),
                                  fix="pass the path of a CSV file like "
                                      "data/samples/expedite_options.csv, or name it as "
                                      "expedite_options in the dataset YAML.")
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
    FrameTypeError
        ``options`` is not a DataFrame.
    MissingColumnsError
        ``mode``, ``cost_per_unit`` or both of ``lead_time_saved_days`` and
        ``transit_days`` are absent.
    ConfigError
        The first cell rule broken, naming the row, column and value.
    """
    require_frame(options, "expedite_options",
                  hint="pass load_expedite_options(...) or a DataFrame.")
    frame = options.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in ("mode", "cost_per_unit") if c not in frame.columns]
    if not {"lead_time_saved_days", "transit_days"} & set(frame.columns):
        missing.append("lead_time_saved_days (or transit_days)")
    if missing:
        raise MissingColumnsError(
            "expedite_options", missing, [str(c) for c in frame.columns], source=source,
            hint="Use the header mode,transit_days,lead_time_saved_days,cost_per_unit,"
                 "max_qty,notes (see data/samples/expedite_options.csv).")
    cells = _Cells(frame, source)
    mode = cells.modes()
    cost = cells.numbers("cost_per_unit", required=True)
    transit = cells.numbers("transit_days", required=False)
    saved = cells.numbers("lead_time_saved_days", required=False)
    max_qty = cells.numbers("max_qty", required=False, positive=True)
    need = np.isnan(saved)
    if need.any():
        no_transit = need & np.isnan(transit)
        if no_transit.any():
            raise cells.error(int(np.flatnonzero(no_transit)[0]), "lead_time_saved_days",
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


class _Cells:
    """Cell checks of an expedite-options table; errors name the row and column."""

    def __init__(self, frame: pd.DataFrame, source: str | None):
        self.frame = frame
        self.source = source

    def error(self, i: int, col: str, rule: str, value: object) -> ConfigError:
        """Build the error for row ``i`` (spreadsheet row with a source, else position)."""
        where = f" in {self.source}" if self.source else ""
        row = f"row {i + 2}" if self.source else f"position {i}"
        mode = str(self.frame["mode"].iloc[i]).strip()
        return ConfigError(
            f"expedite options{where}, {row} (mode {mode!r}), column {col}: {rule}, "
            f"got {value!r}", key=col, value=value, source=self.source,
            fix=f"correct {col} in that row.")

    def modes(self) -> pd.Series:
        """Return the ``mode`` column trimmed; check every mode is filled in and unique."""
        raw = self.frame["mode"]
        mode = raw.astype(object).where(raw.notna(), "")
        mode = mode.map(lambda v: str(v).strip()).astype(object)
        blank = np.flatnonzero(mode.to_numpy() == "")
        if blank.size:
            raise self.error(int(blank[0]), "mode", "every option needs a mode name", "")
        dup = np.flatnonzero(mode.duplicated().to_numpy())
        if dup.size:
            raise self.error(int(dup[0]), "mode", "mode names must be unique",
                             mode.iloc[int(dup[0])])
        return mode

    def numbers(self, col: str, *, required: bool, positive: bool = False) -> np.ndarray:
        """Column ``col`` as float (NaN where blank or absent), >= 0 (> 0 if ``positive``)."""
        n = len(self.frame)
        if col not in self.frame.columns:
            return np.full(n, np.nan)
        raw = self.frame[col]
        text = raw.astype(object).where(raw.notna(), "").map(lambda v: str(v).strip())
        values = pd.to_numeric(text.where(text != "", None), errors="coerce")
        values = values.to_numpy(dtype=np.float64, na_value=np.nan)
        blank = (text == "").to_numpy()
        bad = np.isnan(values) & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.error(i, col, "must be a number", raw.iloc[i])
        if required and blank.any():
            raise self.error(int(np.flatnonzero(blank)[0]), col, "must be filled in", "")
        low = (values <= 0) if positive else (values < 0)
        if low.any():
            i = int(np.flatnonzero(low)[0])
            raise self.error(i, col, "must be > 0 (leave blank for no limit)" if positive
                             else "must not be negative", values[i])
        return values


def _broadcast_dates(values: object, n: int) -> np.ndarray:
    """Dates as ``datetime64[ns]`` (NaT where missing), a single date repeated ``n`` times."""
    arr = date_values(values)
    if arr.size == 1 and n != 1:
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
    needed = _broadcast_dates(needed_by, n)
    receipt = _broadcast_dates(next_receipt_date, n)
    if not (gap.size == needed.size == receipt.size):
        raise ConfigError(
            f"cheapest_expedite: gap_qty, needed_by and next_receipt_date must have the same "
            f"length, got {gap.size}, {needed.size}, {receipt.size}",
            key="gap_qty", value=(gap.size, needed.size, receipt.size),
            fix="pass one value per risk (or a scalar to use for all).")
    today = None
    if as_of is not None:
        today = np.datetime64(check_date(as_of, key="as_of").as_unit("ns").to_datetime64())
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
