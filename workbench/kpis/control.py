"""Control charts of a KPI over periods: p and Laney p' charts for rates, XmR otherwise.

:func:`control_limits` puts a period-indexed KPI of a KPI table on a p-chart
(rates of lines or orders; the Laney p' chart when the rates vary more between
periods than binomial sampling explains, as they do at thousands of orders a
month) or an individuals (XmR) chart (everything else), and flags the periods
outside the limits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, NotAdditiveError, NotAvailableError
from workbench.kpis.common import as_column_list, ratio
from workbench.kpis.definitions import NOT_AVAILABLE, KpiDefinition, get_definition
from workbench.kpis.rollup import reaggregate, table_group_columns
from workbench.validation import check_choice, check_date, require_frame

__all__ = ["CHARTS", "CHART_COLUMNS", "control_limits"]

CHART_COLUMNS = ("period_start", "value", "center", "lcl", "ucl", "signal", "deteriorated",
                 "chart", "sigma_z")
"""Columns of :func:`control_limits` output after the ``by`` columns."""
CHARTS = ("auto", "p", "laney", "xmr")
"""Values of the ``chart`` argument of :func:`control_limits`."""

#: d2 for moving ranges of two: sigma = mean moving range / 1.128 (3 / 1.128 = 2.66).
_D2 = 1.128


def _mean_moving_range(x: np.ndarray, gid: np.ndarray, use: np.ndarray, ng: int) -> np.ndarray:
    """Per row: mean |x_t - x_t-1| over consecutive ``use`` rows of the row's group.

    Rows not in ``use`` are skipped (the next used row pairs with the previous
    used one); NaN for a group with fewer than two used rows.
    """
    pos = np.flatnonzero(use)
    same = gid[pos][1:] == gid[pos][:-1]
    mr = np.abs(np.diff(x[pos]))[same]
    mr_g = gid[pos][1:][same]
    return ratio(np.bincount(mr_g, weights=mr, minlength=ng),
                 np.bincount(mr_g, minlength=ng).astype(np.float64))[gid]


def control_limits(table: pd.DataFrame, kpi: str, *, by: str | Sequence[str] | None = None,
                   baseline: tuple[str | pd.Timestamp | None, str | pd.Timestamp | None]
                   | None = None, chart: str = "auto") -> pd.DataFrame:
    """Control limits for one KPI over periods: p or Laney p' chart for rates, XmR otherwise.

    Parameters
    ----------
    table
        KPI table by period (``kpi_table(..., period="M")``). Group columns not
        in ``by`` are rolled up first with :func:`~workbench.kpis.reaggregate` (additive KPIs
        only).
    kpi
        KPI name. ``chart`` ``p`` in :func:`~workbench.kpis.kpi_definitions` (rates of lines or
        orders) -> a chart of proportions; otherwise an individuals (XmR) chart
        of the values.
    by
        Group columns that get a chart each (e.g. ``"customer_id"``).
    baseline
        ``(first, last)`` period_start of the periods that set the center, the
        limits and ``sigma_z`` (either may be None); default all periods.
    chart
        ``"auto"`` (default): for a rate KPI the Laney p' chart when the
        baseline is overdispersed (``sigma_z > 1``), else the plain p-chart
        (decided per ``by`` group); XmR for any other KPI. ``"p"``: always the
        plain p-chart; ``"laney"``: always the Laney p' chart (both for rate
        KPIs only); ``"xmr"``: the individuals chart of the values, for any
        KPI.

    Returns
    -------
    DataFrame
        ``<by>..., period_start, value, center, lcl, ucl, signal,
        deteriorated, chart, sigma_z``, sorted by group and period. ``chart``
        names the chart each row is on (``"p"``, ``"laney"`` or ``"xmr"``);
        ``attrs["chart"]`` is that name when all groups share it, else
        ``"mixed"``.

        * p-chart: center p = sum(numerator) / sum(denominator) over the
          baseline periods; per period ``p -/+ 3 sigma_t`` with
          ``sigma_t = sqrt(p (1 - p) / n_t)`` and n_t the period's
          denominator, clipped to [0, 1]. With thousands of orders per period
          these limits are so narrow that ordinary month-to-month variation
          (overdispersion) puts nearly every period outside them.
        * Laney p' chart (Laney 2002): ``z_t = (p_t - p) / sigma_t``;
          ``sigma_z`` = mean moving range of consecutive baseline z_t / 1.128;
          limits ``p -/+ 3 sigma_t sigma_z``, clipped to [0, 1]. ``sigma_z``
          near 1 means binomial variation only (the p-chart), above 1 extra
          period-to-period variation that widens the limits. Undefined (NaN
          limits) with fewer than two baseline periods or p in {0, 1}; ``auto``
          then keeps the p-chart.
        * XmR: center = mean of the baseline values; limits = center -/+
          2.66 x mean moving range of consecutive baseline values (not
          clipped); needs two baseline values.

        Periods marked ``provisional`` in ``table`` (see
        :func:`~workbench.kpis.scorecards.period_maturity`: still maturing,
        right-censored) are charted but set no limits and never signal; the
        output then has a ``provisional`` column too.

        ``sigma_z`` is reported for rate KPIs on a p or Laney chart (it tells
        how overdispersed the rates are) and is NaN on XmR charts.
        ``signal``: value outside the limits (strictly). ``deteriorated``: a
        signal in the bad direction (below lcl when higher is better, above
        ucl otherwise; never for neutral KPIs).

    Raises
    ------
    ChoiceError
        Unknown KPI or chart, a KPI that is not in the table, ``chart`` ``"p"``
        or ``"laney"`` for a KPI that is not a rate, a ``by`` column that is
        not a group column of the table.
    MissingColumnsError
        ``table`` is not a KPI table by period (no ``period_start``).
    NotAdditiveError
        A non-additive KPI would need a roll-up (compute the table by ``by``).
    NotAvailableError
        The KPI is not available in the table.
    DateParameterError
        A ``baseline`` bound is not a date.

    References
    ----------
    D. B. Laney, "Improved control charts for attributes", Quality Engineering
    14(4), 531-537 (2002).
    """
    d = get_definition(kpi)
    check_choice(chart, CHARTS, key="chart")
    if chart in ("p", "laney") and d.chart != "p":
        raise ChoiceError(f"{kpi} is not a rate: a {chart} chart needs counts of lines or "
                          "orders", key="chart", value=chart, fix="use chart='xmr' or 'auto'.")
    by_cols = [c for c in as_column_list(by) if c != "period_start"]
    t = _chart_rows(table.drop(columns="provisional", errors="ignore"), d, by_cols)
    prov = _provisional_rows(table, t)
    gid = (t.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy() if by_cols
           else np.zeros(len(t), dtype=np.int64))
    value = t["value"].to_numpy(dtype=np.float64)
    start, end = baseline if baseline is not None else (None, None)
    inb = t["value"].notna().to_numpy() & ~prov  # provisional periods never set limits
    if start is not None:
        inb &= (t["period_start"] >= check_date(start, key="baseline")).to_numpy()
    if end is not None:
        inb &= (t["period_start"] <= check_date(end, key="baseline")).to_numpy()
    ng = int(gid.max()) + 1 if len(gid) else 0
    if d.chart == "p" and chart != "xmr":
        center, lcl, ucl, sigma_z, used = _p_limits(t, value, gid, inb, ng, chart)
    else:
        center, lcl, ucl, sigma_z, used = _xmr_limits(value, gid, inb, ng)
    with np.errstate(invalid="ignore"):
        low, high = (value < lcl) & ~prov, (value > ucl) & ~prov
    if d.higher_is_better is None:
        worse = np.zeros(len(t), dtype=bool)
    else:
        worse = low if d.higher_is_better else high
    out = t[[*by_cols, "period_start"]].copy()
    out["value"] = value
    out["center"] = center
    out["lcl"] = lcl
    out["ucl"] = ucl
    out["signal"] = low | high
    out["deteriorated"] = worse
    out["chart"] = pd.Series(used, index=out.index, dtype="str")
    out["sigma_z"] = sigma_z
    if "provisional" in table:
        out["provisional"] = prov
    kinds = sorted(set(used.tolist()))
    out.attrs.update(chart=kinds[0] if len(kinds) == 1 else "mixed", kpi=kpi)
    return out


def _provisional_rows(table: pd.DataFrame, t: pd.DataFrame) -> np.ndarray:
    """Return, per chart row, whether its period is provisional in ``table`` (all False if unmarked)."""
    if "provisional" not in table:
        return np.zeros(len(t), dtype=bool)
    marked = table.loc[table["provisional"].fillna(False).astype(bool), "period_start"]
    return t["period_start"].isin(marked).to_numpy(dtype=bool)


def _chart_rows(table: pd.DataFrame, d: KpiDefinition, by_cols: list[str]) -> pd.DataFrame:
    """Return the rows of KPI ``d`` by ``by_cols`` and period (rolled up), by group and period."""
    group_cols = table_group_columns(table)
    require_frame(table, "kpi_table", ["period_start"],
                  hint="Control limits need a KPI table by period: use "
                       "kpi_table(..., period='M').")
    if bad := [c for c in by_cols if c not in group_cols]:
        raise ChoiceError(f"cannot chart by {bad[0]!r}: not a group column of the table",
                          key="by", value=bad[0])
    kpi = d.name
    t = table.loc[table["kpi"] == kpi]
    if t.empty:
        raise ChoiceError(f"KPI {kpi!r} is not in the table", key="kpi", value=kpi)
    notes = t["note"].dropna()
    if len(notes) == len(t) and notes.str.startswith(NOT_AVAILABLE).all():
        needs = re.sub(r"^.*needs (columns? )?", "", notes.iloc[0])
        raise NotAvailableError(kpi, [needs])
    if set(group_cols) - {*by_cols, "period_start"}:
        if not d.additive:
            raise NotAdditiveError(f"{kpi} is not additive: compute the table by "
                                   f"{', '.join(by_cols) or 'period only'} directly", key="by")
        t = reaggregate(t, [*by_cols, "period_start"])
    return t.sort_values([*by_cols, "period_start"], kind="stable").reset_index(drop=True)


def _p_limits(t: pd.DataFrame, value: np.ndarray, gid: np.ndarray, inb: np.ndarray, ng: int,
              chart: str) -> tuple[np.ndarray, ...]:
    """(center, lcl, ucl, sigma_z, chart used) of a p or Laney p' chart."""
    num = t["numerator"].to_numpy(dtype=np.float64)
    den = t["denominator"].to_numpy(dtype=np.float64)
    pbar = ratio(np.bincount(gid, weights=np.where(inb, num, 0.0), minlength=ng),
                 np.bincount(gid, weights=np.where(inb, den, 0.0), minlength=ng))[gid]
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(pbar * (1.0 - pbar) / np.where(den > 0, den, np.nan))
        z = (value - pbar) / np.where(sigma > 0, sigma, np.nan)
    sigma_z = _mean_moving_range(z, gid, inb & np.isfinite(z), ng) / _D2
    if chart == "auto":
        laney = sigma_z > 1.0  # NaN (undefined) -> plain p-chart
    else:
        laney = np.full(len(t), chart == "laney")
    half = 3.0 * sigma * np.where(laney, sigma_z, 1.0)
    lcl = np.clip(pbar - half, 0.0, 1.0)
    ucl = np.clip(pbar + half, 0.0, 1.0)
    return pbar, lcl, ucl, sigma_z, np.where(laney, "laney", "p")


def _xmr_limits(value: np.ndarray, gid: np.ndarray, inb: np.ndarray, ng: int
                ) -> tuple[np.ndarray, ...]:
    """(center, lcl, ucl, sigma_z = NaN, chart used) of an individuals chart."""
    cnt = np.bincount(gid, weights=inb.astype(np.float64), minlength=ng)
    center = ratio(np.bincount(gid, weights=np.where(inb, value, 0.0), minlength=ng),
                   cnt)[gid]
    mrbar = _mean_moving_range(value, gid, inb, ng)
    lcl = center - 2.66 * mrbar
    ucl = center + 2.66 * mrbar
    return center, lcl, ucl, np.full(len(value), np.nan), np.full(len(value), "xmr")
