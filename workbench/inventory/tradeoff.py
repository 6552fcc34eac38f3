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

Optima come from the closed form of the cost model (the critical ratio, see
:func:`workbench.inventory.policy.portfolio_optimal_service_level`), not from
the grid of the curve: the grid only draws the curve. An optimum outside the
levels considered (:data:`workbench.inventory.policy.SEARCH_RANGE`, 50 % to
99.99 %) is reported at the nearer end and flagged ``optimum_at_bound``, so that
no report calls the end of a search range "the optimum".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, NotAvailableError
from workbench.inventory.policy import (
    SEARCH_RANGE,
    OptimalServiceLevel,
    evaluate_policy,
    item_params,
    lead_time_demand,
    policy_for_service,
    portfolio_optimal_service_level,
)
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
    """One explorer state: the curve, the target and the optimum on it.

    ``optimum_at_bound`` is ``True`` when the cost optimum lies outside
    ``search_range``: ``optimum_row`` is then the end of the range the cost keeps
    falling towards, not an optimum.
    """

    curve: pd.DataFrame
    target: float
    target_row: pd.Series
    optimum_row: pd.Series
    label: str
    optimum_at_bound: bool = False
    search_range: tuple[float, float] = SEARCH_RANGE


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
        its row at the target and its row at the cost optimum: the critical ratio
        of the selection (:func:`workbench.inventory.policy.portfolio_optimal_service_level`),
        added to the curve's levels, checked against the curve's cheapest row and
        flagged ``optimum_at_bound`` when it lies outside :data:`SEARCH_RANGE`.

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
    best = _closed_form_optimum(frame, holding_rate)
    levels = np.unique(np.round(np.append(service_levels, [service_target, best.level]), 6))
    curve = service_cost_curve(frame, levels, method="analytic", holding_rate=holding_rate)
    port = curve[curve["item_id"] == PORTFOLIO].sort_values("service_level").reset_index(
        drop=True)
    target_row = port.iloc[int(np.argmin(np.abs(port["service_level"] - service_target)))]
    optimum_row, at_bound = _optimum_row(port, round(best.level, 6), best.at_bound)
    return Scenario(port, float(service_target), target_row, optimum_row, label,
                    optimum_at_bound=at_bound, search_range=best.search_range)


def _closed_form_optimum(frame: pd.DataFrame, holding_rate: float) -> OptimalServiceLevel:
    """Critical ratio of the items of ``frame`` as :func:`service_cost_curve` plans them."""
    ip = item_params(frame, holding_rate=holding_rate)
    ltd = lead_time_demand(ip.mean_demand, ip.sd_demand, ip.lead_time,
                           sd_lead_time=ip.sd_lead_time, review_period=ip.review_period)
    return portfolio_optimal_service_level(ip.holding_cost, ip.stockout_cost, ltd.sd,
                                           cycle_length=ip.review_period)


def _optimum_row(port: pd.DataFrame, level: float, at_bound: bool) -> tuple[pd.Series, bool]:
    """Pick the curve's row at the closed-form optimum, unless a grid point is cheaper.

    A cheaper grid point means the closed form does not fit the curve's cost model;
    the grid minimum is used then, flagged when it is an end of the grid.
    """
    row = port.iloc[int(np.argmin(np.abs(port["service_level"] - level)))]
    cheapest = int(port["total_cost"].to_numpy().argmin())
    if port["total_cost"].iloc[cheapest] < row["total_cost"] * (1 - 1e-9):
        return port.iloc[cheapest], bool(at_bound or cheapest in (0, len(port) - 1))
    return row, bool(at_bound)


def tier_costs(items: pd.DataFrame, targets: dict[str, float], *, per_year: float = 52.0,
               **assumptions) -> pd.DataFrame:
    """Compare what each tier's service target costs with that tier's cost optimum.

    ``targets`` maps tier -> cycle service level; ``assumptions`` are passed to
    :func:`scenario` (holding_rate, shortage_cost_pct, lead_time_change_weeks).

    Returns
    -------
    DataFrame
        ``tier, target, safety_stock, cost_at_target, optimal_level, cost_at_optimum,
        extra_cost, optimum_at_bound`` (costs per year; ``optimum_at_bound``: the
        tier's optimum lies outside the levels searched and ``optimal_level`` is the
        end of the range, see :class:`Scenario`).
    """
    rows = []
    for tier, target in targets.items():
        sc = scenario(items, selection=f"tier {tier}", service_target=float(target),
                      **assumptions)
        t, o = sc.target_row, sc.optimum_row
        rows.append((tier, float(target), t["safety_stock"], t["total_cost"] * per_year,
                     o["service_level"], o["total_cost"] * per_year,
                     (t["total_cost"] - o["total_cost"]) * per_year, sc.optimum_at_bound))
    return pd.DataFrame(rows, columns=["tier", "target", "safety_stock", "cost_at_target",
                                       "optimal_level", "cost_at_optimum", "extra_cost",
                                       "optimum_at_bound"])


def compare(items: pd.DataFrame, scenarios: dict[str, dict], *, selection: str = "all",
            service_target: float = 0.95, per_year: float = 52.0) -> pd.DataFrame:
    """Side-by-side: safety stock and yearly costs at the target, and the optimum, per scenario.

    The row ``optimum at bound`` is 1 where the scenario's optimum lies outside
    the levels searched (the ``cost-optimal service level`` is then the end of
    the range), else 0.

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
                      "total cost / year at optimum": o["total_cost"] * per_year,
                      "optimum at bound": float(sc.optimum_at_bound)}
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PolicyCost:
    """Cost of the current safety stocks against the cost-optimal service levels.

    ``items_above_range`` / ``items_below_range`` count the items whose optimum
    lies above / below the levels searched (``search_range``): those items are
    priced at the end of the range, which is not their optimum;
    ``optimum_at_bound`` says whether there is any.
    """

    per_item: pd.DataFrame
    current_service: float
    optimal_service: float
    current_cost: float
    optimal_cost: float
    items_above_range: int = 0
    items_below_range: int = 0
    search_range: tuple[float, float] = SEARCH_RANGE

    @property
    def optimum_at_bound(self) -> bool:
        """Whether any item's optimum lies outside the levels searched."""
        return bool(self.items_above_range or self.items_below_range)

    def as_dict(self) -> dict:
        """Return the numbers :func:`workbench.summary.narrative` takes as ``cost``."""
        return {"current_service": self.current_service, "optimal_service": self.optimal_service,
                "current_cost": self.current_cost, "optimal_cost": self.optimal_cost,
                "optimum_at_bound": self.optimum_at_bound,
                "items": len(self.per_item), "items_above_range": self.items_above_range,
                "items_below_range": self.items_below_range,
                "search_range": self.search_range}


def current_policy_cost(items: pd.DataFrame, safety_stock: pd.Series, *,
                        holding_rate: float = 0.25, shortage_cost_pct: float = 0.3,
                        per_year: float = 52.0) -> PolicyCost:
    """Compare what the safety stocks in the item master cost with each item's optimum.

    Each item is evaluated under weekly order-up-to review with its current
    safety stock (order-up-to = lead-time-plus-review demand + safety stock), and
    at its cost-optimal cycle service level (critical ratio ``1 - h / p`` for
    weekly review, ``h`` the weekly holding cost and ``p`` the cost per unit short).
    An optimum outside :data:`SEARCH_RANGE` is priced at the nearer end and
    counted in ``items_above_range`` / ``items_below_range`` (per item:
    ``optimum_at_bound``). Service levels are demand-weighted averages; costs are
    per year.

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
    low, high = SEARCH_RANGE
    unbounded = np.where(p > 0, 1 - h / np.where(p > 0, p, 1.0), 0.0)
    optimal_level = np.clip(unbounded, low, high)
    best = policy_for_service(mu, sd, lt, optimal_level, holding_cost=h, stockout_cost=p)
    per_item = pd.DataFrame({
        "item_id": d["item_id"].to_numpy(), "current_safety_stock": d["current_ss"].to_numpy(),
        "current_service": np.asarray(current.service_level),
        "current_cost": np.asarray(current.total_cost) * per_year,
        "optimal_service": optimal_level, "optimal_safety_stock": np.asarray(best.safety_stock),
        "optimal_cost": np.asarray(best.total_cost) * per_year,
        "optimum_at_bound": (unbounded > high) | (unbounded < low)})
    per_item["saving"] = per_item["current_cost"] - per_item["optimal_cost"]
    w = mu / mu.sum()
    return PolicyCost(per_item.sort_values("saving", ascending=False).reset_index(drop=True),
                      float((w * per_item["current_service"].to_numpy()).sum()),
                      float((w * per_item["optimal_service"].to_numpy()).sum()),
                      float(per_item["current_cost"].sum()), float(per_item["optimal_cost"].sum()),
                      int((unbounded > high).sum()), int((unbounded < low).sum()), SEARCH_RANGE)
