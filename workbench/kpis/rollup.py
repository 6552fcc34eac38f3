"""Exact roll-up of a KPI table to coarser groups or periods.

:func:`reaggregate` sums numerators and denominators and divides again (never
an average of averages), so a table by customer and month rolls up to the
table by tier and quarter that :func:`workbench.kpis.kpi_table` would give --
for every additive KPI (see the ``aggregation`` of
:func:`workbench.kpis.kpi_definitions`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, FrequencyError
from workbench.kpis.common import as_column_list, ratio
from workbench.kpis.definitions import (
    ALL_KPIS,
    KPI_ORDER,
    NOT_AVAILABLE,
    PERIODS,
    TABLE_VALUE_COLUMNS,
)
from workbench.kpis.history import period_start
from workbench.validation import check_frequency, require_frame

__all__ = ["reaggregate", "table_group_columns"]

_NESTS = {"D": {"D", "W", "M", "Q"}, "W": {"W"}, "M": {"M", "Q"}, "Q": {"Q"}}


def table_group_columns(table: pd.DataFrame) -> list[str]:
    """Return the group columns of a KPI table (those before ``kpi, numerator, ...``).

    Raises
    ------
    MissingColumnsError
        ``table`` lacks a column of
        :data:`~workbench.kpis.definitions.TABLE_VALUE_COLUMNS`: it is not a
        KPI table.

    Examples
    --------
    >>> t = pd.DataFrame(columns=["tier", "kpi", "numerator", "denominator", "value",
    ...                           "unit", "note"])
    >>> table_group_columns(t)
    ['tier']
    """
    require_frame(table, "kpi_table", TABLE_VALUE_COLUMNS,
                  hint="Pass the output of kpi_table().")
    return [c for c in table.columns if c not in TABLE_VALUE_COLUMNS]


def _infer_freq(starts: pd.Series) -> str | None:
    s = pd.Series(starts.dropna().unique())
    if s.empty:
        return None
    if (s.dt.is_quarter_start & s.dt.month.isin([1, 4, 7, 10])).all():
        return "Q"
    if s.dt.is_month_start.all():
        return "M"
    if (s.dt.day_of_week == 0).all():
        return "W"
    return "D"


def reaggregate(table: pd.DataFrame, by: str | Sequence[str] | None = None, *,
                period: str | None = None) -> pd.DataFrame:
    """Roll a KPI table up to coarser groups, exactly.

    Parameters
    ----------
    table
        Output of :func:`workbench.kpis.kpi_table` (or of this function).
    by
        Group columns to keep (a subset of the table's group columns, may
        include ``period_start``); None rolls everything up to one group.
    period
        Coarser period to roll ``period_start`` up to (``"M"`` -> ``"Q"``, days
        to weeks/months/quarters); weeks do not nest in months and are refused.
        Implies keeping ``period_start``.

    Returns
    -------
    DataFrame
        Same layout as :func:`workbench.kpis.kpi_table`. For ``ratio`` KPIs value =
        scale x sum(numerator) / sum(denominator); for ``count`` KPIs
        value = sum(numerator); non-additive KPIs (median, p90, std, cv) get
        value NaN and note ``"not additive: recompute from the order lines"``
        (their denominator, the line count, is still summed). Notes saying
        "not available" are kept.

    Raises
    ------
    MissingColumnsError
        ``table`` is not a KPI table, or ``period`` is given for a table
        without ``period_start``.
    ChoiceError
        A ``by`` column is not a group column of the table.
    FrequencyError
        Unknown ``period``, or one the table's periods do not nest in
        (weeks in months).
    """
    group_cols = table_group_columns(table)
    by_cols = as_column_list(by)
    if bad := [c for c in by_cols if c not in group_cols]:
        raise ChoiceError(f"cannot roll up by {bad[0]!r}: not a group column of the table "
                          f"({', '.join(group_cols) or 'none'})", key="by", value=bad[0])
    t = table
    if period is not None:
        period = _coarser_period(t, period)
        t = t.assign(period_start=period_start(t["period_start"], period))
        by_cols = [c for c in by_cols if c != "period_start"] + ["period_start"]
    keys = [*by_cols, "kpi"]
    g = t.groupby(keys, sort=False, dropna=False, observed=True)
    out = _recompute(_sum_groups(g))
    out["_k"] = out["kpi"].map(KPI_ORDER).fillna(len(KPI_ORDER))
    out = out.sort_values([*by_cols, "_k"], na_position="last", kind="stable")
    return out[[*by_cols, *TABLE_VALUE_COLUMNS]].reset_index(drop=True)


def _coarser_period(table: pd.DataFrame, period: str) -> str:
    """Check that the periods of ``table`` roll up to ``period`` exactly; the period code."""
    require_frame(table, "kpi_table", ["period_start"],
                  hint="period= needs a table by period: kpi_table(..., period=...).")
    period = check_frequency(period, PERIODS, key="period", what="KPI roll-ups")
    fine = _infer_freq(table["period_start"])
    if fine is not None and period not in _NESTS[fine]:
        raise FrequencyError(f"cannot roll {PERIODS[fine]}s up to {PERIODS[period]}s exactly",
                             key="period", value=period,
                             fix="recompute with kpi_table(..., period=...) instead.")
    return period


def _sum_groups(g) -> pd.DataFrame:
    sums = g[["numerator", "denominator"]].sum(min_count=1)
    firsts = g[["unit", "note"]].first()
    return sums.join(firsts).reset_index()


def _recompute(out: pd.DataFrame) -> pd.DataFrame:
    """Values and notes of summed numerators and denominators (in place; returns ``out``)."""
    aggregation = out["kpi"].map({d.name: d.aggregation for d in ALL_KPIS}) \
        .fillna("ratio").to_numpy()
    scale = out["kpi"].map({d.name: d.scale for d in ALL_KPIS}).fillna(1.0) \
        .to_numpy(dtype=np.float64)
    num = out["numerator"].to_numpy(dtype=np.float64)
    den = out["denominator"].to_numpy(dtype=np.float64)
    value = np.where(aggregation == "count", num, ratio(num, den, 1.0) * scale)
    not_additive = aggregation == "none"
    value[not_additive] = np.nan
    out.loc[not_additive, "numerator"] = np.nan
    note = out["note"]
    unavailable = note.fillna("").str.startswith(NOT_AVAILABLE).to_numpy()
    value[unavailable] = np.nan
    out["value"] = value
    out["note"] = note.where(~(not_additive & note.isna().to_numpy()),
                             "not additive: recompute from the order lines")
    return out

