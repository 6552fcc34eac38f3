"""Service-vs-cost trade-off of a selection of items: the numbers behind the explorer.

The calculations of ``notebooks/service_cost_tradeoff.ipynb`` (its figures and
widgets are in :mod:`workbench.reporting.explorer` and
:mod:`workbench.reporting.charts`):

* :func:`explorer_items` derives per-item planning inputs (weekly demand mean and
  spread from the order history, lead time and unit cost from the item master,
  the customer tier that buys most of each item).
* :func:`select` picks the items (or a tier's part of their demand) of a selection.
* :func:`scenario` computes the cost-vs-service curve of a selection of items
  for one set of assumptions (holding rate, shortage cost, lead-time change).
* :func:`tier_costs` and :func:`compare` tabulate scenarios side by side.
* :func:`current_policy_cost` prices the safety stocks of the item master
  against each item's cost-optimal service level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, NotAvailableError
from workbench.inventory.policy import evaluate_policy, policy_for_service
from workbench.inventory.simulate import PORTFOLIO, service_cost_curve
from workbench.io.schema import CANCELLED_STATUSES
from workbench.kpis.history import period_start
from workbench.validation import check_date, check_range

__all__ = [
    "SERVICE_GRID",
    "PolicyCost",
    "Scenario",
    "compare",
    "current_policy_cost",
    "explorer_items",
    "scenario",
    "select",
    "tier_costs",
]

SERVICE_GRID = np.round(np.linspace(0.80, 0.995, 40), 4)
"""Cycle service levels of the explorer's curves (80 % to 99.5 %, 40 points)."""


def explorer_items(orders: pd.DataFrame, items: pd.DataFrame,
                   tiers: pd.DataFrame | None = None, *, weeks: int = 52,
                   as_of: object = None, date_column: str = "requested_date") -> pd.DataFrame:
    """Per-item inputs for the cost curves.

    Weekly demand (non-cancelled ordered quantity by ``date_column``) over the
    last ``weeks`` complete weeks before ``as_of`` (zero weeks included) gives
    ``mean_demand`` and ``sd_demand``; ``lead_time_days``, ``unit_cost`` and
    ``unit_price`` come from the item master; ``share_<tier>`` is the share of
    the item's quantity ordered by customers of each tier.

    Raises
    ------
    NotAvailableError
        When the item master lacks ``unit_cost`` or ``lead_time_days``.
    """
    missing = [c for c in ("unit_cost", "lead_time_days") if c not in items]
    if missing:
        raise NotAvailableError("the service-vs-cost explorer", [f"items.{c}" for c in missing])
    live = orders
    if "status" in orders:
        st = orders["status"].astype("str").str.lower()
        live = orders[~st.isin(CANCELLED_STATUSES).to_numpy(dtype=bool, na_value=False)]
    live = live[live[date_column].notna()]
    as_of = (check_date(as_of, key="as_of") if as_of is not None
             else live["order_date"].max() + pd.Timedelta(days=1))
    end = period_start(pd.Series([as_of]), "W").iloc[0]
    start = end - pd.Timedelta(weeks=weeks)
    window = live[(live[date_column] >= start) & (live[date_column] < end)]
    wk = ((period_start(window[date_column], "W") - start).dt.days // 7).to_numpy()
    codes, ids = pd.factorize(window["item_id"].astype(str))
    grid = np.zeros((len(ids), weeks))
    np.add.at(grid, (codes, wk), window["qty_ordered"].to_numpy(dtype=float))
    stats = pd.DataFrame({"item_id": ids, "mean_demand": grid.mean(axis=1),
                          "sd_demand": grid.std(axis=1, ddof=1)})
    master = items.assign(item_id=items["item_id"].astype(str))
    cols = ["item_id", "unit_cost", "lead_time_days"] + (["unit_price"] if "unit_price" in items
                                                         else [])
    out = stats.merge(master[cols], on="item_id", how="inner")
    out = out[(out["mean_demand"] > 0) & out["unit_cost"].notna() & out["lead_time_days"].notna()]
    if tiers is not None:
        bought = window.merge(tiers[["customer_id", "tier"]], on="customer_id", how="left")
        share = bought.pivot_table(index="item_id", columns="tier", values="qty_ordered",
                                   aggfunc="sum", fill_value=0.0, observed=True)
        share = share.div(share.sum(axis=1), axis=0)
        share.columns = [f"share_{c}" for c in share.columns]
        share.index = share.index.astype(str)
        out = out.merge(share, left_on="item_id", right_index=True, how="left")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Scenario:
    """One explorer state: the curve, the target and the optimum on it."""

    curve: pd.DataFrame
    target: float
    target_row: pd.Series
    optimum_row: pd.Series
    label: str


def select(items: pd.DataFrame, selection: str) -> tuple[pd.DataFrame, str]:
    """Items of a selection.

    ``"all"``: every item. ``"tier A"``: the part of every item's demand that
    tier A customers order (mean scaled by the tier's share of the item's
    quantity, variance by the same share, as for independent customers), so
    the curve shows what serving *that tier* costs. An item id: that item.
    """
    if selection in ("", "all"):
        return items, "all items"
    if selection.startswith("tier "):
        tier = selection.split(" ", 1)[1]
        col = f"share_{tier}"
        if col not in items:
            return items.iloc[0:0], f"tier {tier}"
        share = items[col].fillna(0.0)
        sub = items.assign(mean_demand=items["mean_demand"] * share,
                           sd_demand=items["sd_demand"] * np.sqrt(share))
        return sub[share > 0], f"tier {tier} customers' demand"
    sub = items[items["item_id"] == selection]
    return sub, f"item {selection}"


def scenario(items: pd.DataFrame, *, selection: str = "all", service_target: float = 0.95,
             holding_rate: float = 0.25, shortage_cost_pct: float = 0.3,
             lead_time_change_weeks: float = 0.0,
             service_levels: np.ndarray = SERVICE_GRID) -> Scenario:
    """Cost-vs-service curve of the selected items under one set of assumptions.

    Parameters
    ----------
    selection
        See :func:`select`.
    service_target
        The cycle service level to evaluate (marked on the curve).
    holding_rate
        Annual holding cost as a share of unit cost.
    shortage_cost_pct
        Cost per unit short as a share of the unit price (unit cost if no price):
        lost margin, expediting and goodwill.
    lead_time_change_weeks
        Added to every item's lead time (negative: faster supply), floored at 0.
    service_levels
        The grid of cycle service levels (the target is added to it).

    Returns
    -------
    Scenario
        The portfolio curve (``simulate.service_cost_curve`` columns, per period),
        its row at the target and its cheapest row.

    Raises
    ------
    RangeError
        ``service_target`` is outside ``[0.5, 1)``.
    ChoiceError
        The selection matches no item.
    """
    check_range(service_target, "service_target", low=0.5, high=1.0, high_open=True,
                fix="pass a cycle service level such as 0.95.")
    sub, label = select(items, selection)
    if sub.empty:
        raise ChoiceError(f"selection {selection!r} matches no item", key="selection",
                          value=selection, fix="choose 'all', 'tier A/B/C' or an item id.")
    price = sub["unit_price"].fillna(sub["unit_cost"]) if "unit_price" in sub else sub[
        "unit_cost"]
    frame = sub.assign(
        stockout_cost=shortage_cost_pct * price,
        lead_time_days=(sub["lead_time_days"] + 7 * lead_time_change_weeks).clip(lower=0))
    levels = np.unique(np.append(service_levels, round(service_target, 4)))
    curve = service_cost_curve(frame, levels, method="analytic", holding_rate=holding_rate)
    port = curve[curve["item_id"] == PORTFOLIO].sort_values("service_level").reset_index(
        drop=True)
    target_row = port.iloc[int(np.argmin(np.abs(port["service_level"] - service_target)))]
    optimum_row = port.loc[port["total_cost"].idxmin()]
    return Scenario(port, float(service_target), target_row, optimum_row, label)


def tier_costs(items: pd.DataFrame, targets: dict[str, float], *, per_year: float = 52.0,
               **assumptions) -> pd.DataFrame:
    """Compare what each tier's service target costs with that tier's cost optimum.

    ``targets`` maps tier -> cycle service level; ``assumptions`` are passed to
    :func:`scenario` (holding_rate, shortage_cost_pct, lead_time_change_weeks).

    Returns
    -------
    DataFrame
        ``tier, target, safety_stock, cost_at_target, optimal_level, cost_at_optimum,
        extra_cost`` (costs per year).
    """
    rows = []
    for tier, target in targets.items():
        sc = scenario(items, selection=f"tier {tier}", service_target=float(target),
                      **assumptions)
        t, o = sc.target_row, sc.optimum_row
        rows.append((tier, float(target), t["safety_stock"], t["total_cost"] * per_year,
                     o["service_level"], o["total_cost"] * per_year,
                     (t["total_cost"] - o["total_cost"]) * per_year))
    return pd.DataFrame(rows, columns=["tier", "target", "safety_stock", "cost_at_target",
                                       "optimal_level", "cost_at_optimum", "extra_cost"])


def compare(items: pd.DataFrame, scenarios: dict[str, dict], *, selection: str = "all",
            service_target: float = 0.95, per_year: float = 52.0) -> pd.DataFrame:
    """Side-by-side: safety stock and yearly costs at the target, and the optimum, per scenario.

    ``scenarios`` maps a name to the assumptions of :func:`scenario`
    (``holding_rate``, ``shortage_cost_pct``, ``lead_time_change_weeks``).
    """
    rows = {}
    for name, assumptions in scenarios.items():
        sc = scenario(items, selection=selection, service_target=service_target,
                      **assumptions)
        t, o = sc.target_row, sc.optimum_row
        rows[name] = {"safety stock at target": t["safety_stock"],
                      "holding cost / year": t["holding_cost"] * per_year,
                      "shortage cost / year": t["shortage_cost"] * per_year,
                      "total cost / year": t["total_cost"] * per_year,
                      "fill rate at target": t["achieved_fill_rate"],
                      "cost-optimal service level": o["service_level"],
                      "total cost / year at optimum": o["total_cost"] * per_year}
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PolicyCost:
    """Cost of the current safety stocks against the cost-optimal service levels."""

    per_item: pd.DataFrame
    current_service: float
    optimal_service: float
    current_cost: float
    optimal_cost: float

    def as_dict(self) -> dict:
        """Return the numbers :func:`workbench.summary.narrative` takes as ``cost``."""
        return {"current_service": self.current_service, "optimal_service": self.optimal_service,
                "current_cost": self.current_cost, "optimal_cost": self.optimal_cost}


def current_policy_cost(items: pd.DataFrame, safety_stock: pd.Series, *,
                        holding_rate: float = 0.25, shortage_cost_pct: float = 0.3,
                        per_year: float = 52.0) -> PolicyCost:
    """Compare what the safety stocks in the item master cost with each item's optimum.

    Each item is evaluated under weekly order-up-to review with its current
    safety stock (order-up-to = lead-time-plus-review demand + safety stock), and
    at its cost-optimal cycle service level (critical ratio). Service levels are
    demand-weighted averages; costs are per year.

    Parameters
    ----------
    items
        :func:`explorer_items` output.
    safety_stock
        Current safety stock per item, indexed by ``item_id`` (item master).
    """
    d = items.assign(item_id=items["item_id"].astype(str))
    ss = pd.Series(safety_stock.to_numpy(dtype=float), index=safety_stock.index.astype(str))
    d = d.assign(current_ss=d["item_id"].map(ss)).dropna(subset=["current_ss"])
    if d.empty:
        raise NotAvailableError("the cost of the current service policy",
                                ["items.safety_stock"])
    price = d["unit_price"].fillna(d["unit_cost"]) if "unit_price" in d else d["unit_cost"]
    h = d["unit_cost"].to_numpy() * holding_rate / per_year
    p = shortage_cost_pct * price.to_numpy()
    mu, sd = d["mean_demand"].to_numpy(), d["sd_demand"].to_numpy()
    lt = d["lead_time_days"].to_numpy() / 7.0
    base = policy_for_service(mu, sd, lt, 0.5, holding_cost=h, stockout_cost=p)
    current = evaluate_policy(mu, sd, lt, order_up_to=base.order_up_to + d["current_ss"].to_numpy(),
                              holding_cost=h, stockout_cost=p)
    optimal_level = np.clip(1 - h / np.where(p > 0, p, np.nan), 0.5, 0.9999)
    optimal_level = np.where(np.isnan(optimal_level), 0.5, optimal_level)
    best = policy_for_service(mu, sd, lt, optimal_level, holding_cost=h, stockout_cost=p)
    per_item = pd.DataFrame({
        "item_id": d["item_id"].to_numpy(), "current_safety_stock": d["current_ss"].to_numpy(),
        "current_service": np.asarray(current.service_level),
        "current_cost": np.asarray(current.total_cost) * per_year,
        "optimal_service": optimal_level, "optimal_safety_stock": np.asarray(best.safety_stock),
        "optimal_cost": np.asarray(best.total_cost) * per_year})
    per_item["saving"] = per_item["current_cost"] - per_item["optimal_cost"]
    w = mu / mu.sum()
    return PolicyCost(per_item.sort_values("saving", ascending=False).reset_index(drop=True),
                      float((w * per_item["current_service"].to_numpy()).sum()),
                      float((w * per_item["optimal_service"].to_numpy()).sum()),
                      float(per_item["current_cost"].sum()), float(per_item["optimal_cost"].sum()))
