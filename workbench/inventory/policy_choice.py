r"""Which demand model and which policy per item: whole units for slow movers, (r, Q) and (s, S).

The computations behind two sections of ``notebooks/service_cost_tradeoff.ipynb``,
vectorised over items (Python loops run over the three discrete models or the
three policies, never over items):

* :func:`discrete_vs_normal` -- for the items whose demand model
  (:func:`~workbench.inventory.demand_models.choose_demand_model` on the last
  weeks of demand) is Poisson, negative binomial or empirical: the whole-unit
  order-up-to level for a cycle-service target under that model, next to the
  level of the normal model the cost curve plans with, and the service the
  normal level really gives.
* :func:`policy_optima` -- per item, the service-level view (weekly
  order-up-to at the target) against the cost-optimal (r, Q) and (s, S)
  policies, with yearly holding, backorder and ordering costs and portfolio
  totals.
* :func:`recent_demand` -- the weekly demand matrix of the window the cost
  curve rests on.

Units and cost basis
--------------------
One period is a week. ``h = unit_cost x holding_rate / 52`` per unit held per
week; ``p`` (the items frame's ``stockout_cost``) per unit **backordered per
week**; ``K`` per order. The cost curve (:func:`workbench.inventory.scenario`,
:func:`~workbench.inventory.policy.policy_for_service` with weekly review) charges
``p`` per unit short per review cycle, i.e. ``p E[(D_{L+1} - S)^+]`` per week:
with a one-week review this is exactly ``p`` times the expected backorders at the
end of each week (:func:`~workbench.inventory.policy.base_stock_cost`), so the
same ``p`` is the backorder cost per unit per week of the (r, Q) model
(:mod:`workbench.inventory.rq`) and the (s, S) model (:mod:`workbench.inventory.ss`).

Lead times are ``lead_time_days / 7`` weeks. The exact (s, S) search and
empirical distributions need whole weeks: lead times are then rounded **up**
(stated in the ``lead_time_weeks_used`` columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError
from workbench.inventory.demand_models import (
    DISCRETE_MODELS,
    DiscreteDemand,
    choose_demand_model,
    discrete_policy_for_service,
    empirical_lead_time_demand,
    evaluate_discrete_policy,
    negative_binomial_lead_time_demand,
    poisson_lead_time_demand,
)
from workbench.inventory.forecasting import DemandMatrix, demand_series
from workbench.inventory.policy import base_stock_cost, lead_time_demand, policy_for_service
from workbench.inventory.rq import normal_second_loss, rq_optimal
from workbench.inventory.simulate import discretize_lead_time, simulate_inventory
from workbench.inventory.ss import ss_cost_discrete, ss_optimal_discrete, ss_power_approximation
from workbench.kpis.history import period_start
from workbench.validation import check_range, require_frame

__all__ = [
    "DISCRETE_VS_NORMAL_COLUMNS",
    "OPTIMA_COLUMNS",
    "POLICY_NAMES",
    "TOTALS_COLUMNS",
    "EXACT_SS_MAX_UNITS",
    "PolicyOptima",
    "discrete_vs_normal",
    "policy_optima",
    "recent_demand",
]

DISCRETE_VS_NORMAL_COLUMNS = (
    "item_id", "demand_class", "model", "mean_demand", "sd_demand", "lead_time_weeks",
    "protection_weeks", "lead_time_rounded_up", "normal_level", "discrete_level",
    "normal_level_service", "discrete_level_service", "stock_difference_units", "unit_cost",
    "stock_difference_value",
)
"""Columns of :func:`discrete_vs_normal`, in order.

``mean_demand``/``sd_demand`` per week (the items frame's, as the cost curve uses);
``protection_weeks`` = lead time + review period used (whole for empirical);
``normal_level`` the normal model's order-up-to level (not rounded);
``discrete_level`` the smallest whole level meeting the target under ``model``;
``normal_level_service`` / ``discrete_level_service`` the cycle service each level
gives under ``model``; ``stock_difference_units = discrete_level - normal_level``
and its value at ``unit_cost``."""

POLICY_NAMES = ("service_level", "rq", "ss")
"""Policies compared by :func:`policy_optima`: weekly order-up-to at the target, (r, Q), (s, S)."""

OPTIMA_COLUMNS = (
    "item_id", "model", "unit_cost", "mean_demand", "sd_demand", "lead_time_weeks",
    "lead_time_weeks_used", "target_level", "target_holding", "target_shortage",
    "target_ordering", "target_total", "rq_reorder_point", "rq_order_quantity", "rq_holding",
    "rq_shortage", "rq_ordering", "rq_total", "ss_reorder_point", "ss_order_up_to",
    "ss_holding", "ss_shortage", "ss_ordering", "ss_total", "ss_cost_basis", "best_policy",
    "best_total", "saving",
)
"""Columns of :attr:`PolicyOptima.items`, in order; costs per year.

``model``: the demand model (``normal`` for items without a discrete model);
``target_*``: the service-level view (whole-unit level and exact cost under the
discrete model for discrete items, normal otherwise); ``rq_*``: the exact joint
(r, Q) optimum (continuous review, normal lead-time demand); ``ss_*``: the (s, S)
optimum, exact (Zheng-Federgruen) for discrete items, the power approximation
with a simulated cost for the others (``ss_cost_basis`` ``"exact"`` or
``"simulated"``); ``lead_time_weeks_used`` the whole weeks of the (s, S) and
discrete computations; ``best_policy`` one of :data:`POLICY_NAMES`;
``saving = target_total - best_total``."""

TOTALS_COLUMNS = ("policy", "items", "holding", "shortage", "ordering", "total", "simulated_items")
"""Columns of :attr:`PolicyOptima.totals` (one row per policy of :data:`POLICY_NAMES`)."""

_NB_MIN_RATIO = 1.0 + 1e-9  # a negative binomial needs variance above the mean
EXACT_SS_MAX_UNITS = 60
"""Largest weekly demand (99.9999999999 % quantile) and EOQ, in units, for which the
exact (s, S) search runs; bigger discrete items get the power approximation, simulated
(the exact search's tables grow with the square of the lot size)."""


def recent_demand(orders: pd.DataFrame, *, weeks: int = 52,
                  date_column: str = "requested_date") -> DemandMatrix:
    """Weekly demand per item over the last ``weeks`` complete weeks (the cost curve's window).

    The window of :func:`workbench.inventory.explorer_items`: complete weeks up to
    the week holding the day after the latest order date.

    Parameters
    ----------
    orders
        Order lines (``item_id``, ``qty_ordered``, ``order_date``, ``date_column``).
    weeks
        Weeks of history.
    date_column
        Date that puts a line into a week.

    Returns
    -------
    DemandMatrix
    """
    require_frame(orders, "orders", hint="pass the order lines.")
    as_of = pd.to_datetime(orders["order_date"]).max() + pd.Timedelta(days=1)
    end = period_start(pd.Series([as_of]), "W").iloc[0]
    return demand_series(orders, date_column=date_column, as_of=as_of,
                         start=end - pd.Timedelta(weeks=weeks))


def _weeks(items: pd.DataFrame, period_days: float) -> np.ndarray:
    return items["lead_time_days"].to_numpy(dtype=float) / period_days


def _models(items: pd.DataFrame, matrix: DemandMatrix | None) -> pd.DataFrame:
    """Model per item of ``items`` (``normal`` without history), with the history's row index."""
    ids = items["item_id"].astype(str).to_numpy()
    if matrix is None:
        return pd.DataFrame({"item_id": ids, "demand_class": "", "model": "normal", "row": -1})
    chosen = choose_demand_model(matrix).assign(item_id=lambda f: f["item_id"].astype(str))
    chosen["row"] = np.arange(len(chosen))
    out = pd.DataFrame({"item_id": ids}).merge(
        chosen[["item_id", "demand_class", "model", "row"]], on="item_id", how="left")
    out["model"] = out["model"].fillna("normal").astype(str)
    out["demand_class"] = out["demand_class"].astype(object).fillna("").astype(str)
    out["row"] = out["row"].fillna(-1).astype(int)
    return out


def _fit(models: pd.DataFrame, items: pd.DataFrame, matrix: DemandMatrix | None) -> np.ndarray:
    """Return the discrete model each item can take with the items frame's mean and sd.

    Negative binomial needs variance above the mean (else Poisson); empirical needs
    the item's whole demand (the items' mean equals the history's mean over the
    window, i.e. not a tier's share), else the negative binomial or Poisson.
    """
    model = models["model"].to_numpy(dtype=object).copy()
    mu = items["mean_demand"].to_numpy(dtype=float)
    sd = items["sd_demand"].to_numpy(dtype=float)
    over = sd * sd > mu * _NB_MIN_RATIO
    emp = model == "empirical"
    if matrix is not None and emp.any():
        rows = models["row"].to_numpy()
        hist_mean = matrix.values[np.maximum(rows, 0)].mean(axis=1)
        whole = np.isclose(hist_mean, mu, rtol=1e-6, atol=1e-9)
        model[emp & ~whole] = np.where(over[emp & ~whole], "negative_binomial", "poisson")
    model[(model == "negative_binomial") & ~over] = "poisson"
    return model


def _discrete(model: str, items: pd.DataFrame, rows: np.ndarray, matrix: DemandMatrix | None,
              lead: np.ndarray, review: float) -> DiscreteDemand:
    mu = items["mean_demand"].to_numpy(dtype=float)
    if model == "poisson":
        return poisson_lead_time_demand(mu, lead, review_period=review)
    if model == "negative_binomial":
        return negative_binomial_lead_time_demand(mu, items["sd_demand"].to_numpy(dtype=float),
                                                  lead, review_period=review)
    hist = matrix.values[rows].T.astype(float)  # periods x items
    started = np.cumsum(hist > 0, axis=0) > 0
    return empirical_lead_time_demand(np.where(started, hist, np.nan), lead,
                                      review_period=review)


def discrete_vs_normal(items: pd.DataFrame, matrix: DemandMatrix, service_level: float, *,
                       review_period: int = 1, period_days: float = 7.0) -> pd.DataFrame:
    """Whole-unit order-up-to levels for slow movers against the normal model's levels.

    Parameters
    ----------
    items
        One row per item: ``item_id``, ``mean_demand``, ``sd_demand`` (per week),
        ``lead_time_days``, ``unit_cost`` (e.g. :func:`workbench.inventory.explorer_items`
        or a selection of it).
    matrix
        Weekly demand per item (:func:`recent_demand`): chooses the model
        (:func:`~workbench.inventory.demand_models.choose_demand_model`) and gives
        the empirical distributions.
    service_level
        Cycle service target in ``[0.5, 1)``.
    review_period
        Weeks between reviews ``R``.
    period_days
        Days in a period.

    Returns
    -------
    DataFrame
        :data:`DISCRETE_VS_NORMAL_COLUMNS`, one row per item with a Poisson,
        negative binomial or empirical model, sorted by ``item_id``. Poisson and
        negative binomial use the items frame's mean and sd over ``L + R`` weeks
        (a negative binomial whose variance is not above the mean becomes
        Poisson); empirical uses the history since the item's first demand over
        ``ceil(L) + R`` whole weeks (``lead_time_rounded_up``). ``attrs``:
        ``left_out`` (items with the normal or gamma model, or no demand, left
        out), ``no_history`` (items not in ``matrix``), ``service_level``,
        ``empirical_lead_time`` (how lead times were made whole).

    Examples
    --------
    Poisson demand 2 a week, lead time 7 days, weekly review: ``D ~ Poisson(4)``,
    ``P(D <= 7) = 0.949``, ``P(D <= 8) = 0.979``, so 95 % needs 8 units:

    >>> weeks = pd.date_range("2025-01-06", periods=8, freq="W-MON")
    >>> m = DemandMatrix(pd.Index(["A"]), weeks, np.array([[0, 1, 0, 0, 2, 0, 0, 1.0]]))
    >>> items = pd.DataFrame({"item_id": ["A"], "mean_demand": [2.0], "sd_demand": [1.4],
    ...                       "lead_time_days": [7.0], "unit_cost": [10.0]})
    >>> row = discrete_vs_normal(items, m, 0.95).iloc[0]
    >>> row["model"], float(row["discrete_level"]), round(float(row["normal_level_service"]), 3)
    ('poisson', 8.0, 0.949)
    """
    where = "discrete_vs_normal"
    require_frame(items, "items", hint="pass the items frame of the cost curve.")
    check_range(service_level, "service_level", low=0.5, high=1.0, high_open=True,
                fix="pass a cycle service level such as 0.95.")
    if not isinstance(matrix, DemandMatrix):
        raise ConfigError(f"{where}: matrix must be a DemandMatrix; got "
                          f"{type(matrix).__name__}.", key="matrix",
                          value=type(matrix).__name__, fix="build it with recent_demand(orders).")
    items = items.reset_index(drop=True)
    models = _models(items, matrix)
    known = models["row"].to_numpy() >= 0
    discrete = known & models["model"].isin(DISCRETE_MODELS).to_numpy()
    sub = items[discrete].reset_index(drop=True)
    sm = models[discrete].reset_index(drop=True)
    out = pd.DataFrame(columns=list(DISCRETE_VS_NORMAL_COLUMNS))
    parts = []
    fitted = _fit(sm, sub, matrix)
    for model in DISCRETE_MODELS:
        pick = fitted == model
        if not pick.any():
            continue
        it, rows = sub[pick].reset_index(drop=True), sm["row"].to_numpy()[pick]
        lead = _weeks(it, period_days)
        used = np.ceil(lead - 1e-9) if model == "empirical" else lead
        d = _discrete(model, it, rows, matrix, used, review_period)
        disc = discrete_policy_for_service(d, service_level)
        normal = policy_for_service(it["mean_demand"].to_numpy(float),
                                    it["sd_demand"].to_numpy(float), lead, service_level,
                                    review_period=review_period)
        level_n = np.atleast_1d(np.asarray(normal.order_up_to, dtype=float))
        got = evaluate_discrete_policy(d, level_n)
        level_d = np.atleast_1d(np.asarray(disc.order_up_to, dtype=float))
        cost = it["unit_cost"].to_numpy(float)
        parts.append(pd.DataFrame({
            "item_id": it["item_id"].astype(str), "demand_class": sm["demand_class"][pick].values,
            "model": model, "mean_demand": it["mean_demand"].to_numpy(float),
            "sd_demand": it["sd_demand"].to_numpy(float), "lead_time_weeks": lead,
            "protection_weeks": used + review_period,
            "lead_time_rounded_up": used != lead, "normal_level": level_n,
            "discrete_level": level_d,
            "normal_level_service": np.atleast_1d(got.cycle_service),
            "discrete_level_service": np.atleast_1d(disc.cycle_service),
            "stock_difference_units": level_d - level_n, "unit_cost": cost,
            "stock_difference_value": (level_d - level_n) * cost}))
    if parts:
        out = pd.concat(parts, ignore_index=True).sort_values("item_id", ignore_index=True)
    out.attrs.update(left_out=int((known & ~discrete).sum()), no_history=int((~known).sum()),
                     service_level=float(service_level),
                     empirical_lead_time="empirical distributions use lead times rounded up "
                                         "to whole weeks")
    return out


# =========================================================================== policy optima
@dataclass(frozen=True)
class PolicyOptima:
    """Per-item and portfolio costs of the service-level view, (r, Q) and (s, S) optima.

    Attributes
    ----------
    items
        :data:`OPTIMA_COLUMNS`, one row per item; costs per year.
    totals
        :data:`TOTALS_COLUMNS`, one row per policy of :data:`POLICY_NAMES`; costs per
        year summed over the items; ``simulated_items`` counts items whose cost is
        simulated (the (s, S) power approximation).
    service_level
        The cycle service target of the service-level view.
    holding_rate, ordering_cost
        Yearly holding rate and cost per order.
    n_reps, seed
        Simulation replications and seed for the simulated (s, S) costs.
    """

    items: pd.DataFrame
    totals: pd.DataFrame
    service_level: float
    holding_rate: float
    ordering_cost: float
    n_reps: int
    seed: int


def _weekly_top(d: DiscreteDemand, tail: float = 1e-12) -> np.ndarray:
    """Per item, the weekly demand exceeded with probability below ``tail``."""
    return np.atleast_1d(np.asarray(d.quantile(np.full(d.mean.shape, 1.0 - tail))))


def _weekly_pmf(d: DiscreteDemand) -> np.ndarray:
    """One week's pmf per item on ``0 .. K`` (rows sum to 1), from a one-week demand."""
    top = int(np.max(_weekly_top(d))) + 1
    grid = np.arange(top + 1, dtype=float)[:, None]
    pmf = np.asarray(d.pmf(grid)).T.reshape(d.mean.size, top + 1)
    return pmf / pmf.sum(axis=1, keepdims=True)


def _parts(h: np.ndarray, p: np.ndarray, k: np.ndarray, on_hand: np.ndarray,
           backorders: np.ndarray, orders: np.ndarray, per_year: float) -> dict[str, np.ndarray]:
    hold, short, order = h * on_hand * per_year, p * backorders * per_year, k * orders * per_year
    return {"holding": hold, "shortage": short, "ordering": order, "total": hold + short + order}


def _target_discrete(d: DiscreteDemand, week: DiscreteDemand, level: float, h: np.ndarray,
                     p: np.ndarray, k: np.ndarray, per_year: float) -> tuple[np.ndarray, dict]:
    pol = discrete_policy_for_service(d, level)
    s = np.atleast_1d(np.asarray(pol.order_up_to, dtype=float))
    orders = 1.0 - np.atleast_1d(np.asarray(week.cdf(np.zeros(week.mean.shape))))
    return s, _parts(h, p, k, np.atleast_1d(d.complementary_loss(s)),
                     np.atleast_1d(d.loss(s)), orders, per_year)


def _ss_exact(h: np.ndarray, p: np.ndarray, k: np.ndarray, lead: np.ndarray,
              pmf: np.ndarray, per_year: float) -> tuple[np.ndarray, np.ndarray, dict]:
    kw = dict(demand_pmf=pmf, lead_time=lead.astype(np.int64))
    pol = ss_optimal_discrete(h, p, k, **kw)
    s, S = np.atleast_1d(pol.reorder_point), np.atleast_1d(pol.order_up_to)
    base = np.atleast_1d(ss_cost_discrete(s, S, h, p, k, **kw))
    # c(s, S) is linear in (h, p, K): doubling one cost isolates its part
    hold = np.atleast_1d(ss_cost_discrete(s, S, 2 * h, p, k, **kw)) - base
    short = np.atleast_1d(ss_cost_discrete(s, S, h, 2 * p, k, **kw)) - base
    parts = {"holding": hold * per_year, "shortage": short * per_year,
             "ordering": (base - hold - short) * per_year, "total": base * per_year}
    return s, S, parts


def _ss_simulated(h: np.ndarray, p: np.ndarray, k: np.ndarray, mu: np.ndarray, sd: np.ndarray,
                  lead: np.ndarray, per_year: float, n_reps: int, n_periods: int,
                  seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    sd_pos = np.maximum(sd, 1e-3 * np.maximum(mu, 1e-9))
    pol = ss_power_approximation(h, p, k, mu, sd_pos, lead_time=lead.astype(np.int64))
    s = np.atleast_1d(np.asarray(pol.reorder_point, dtype=float))
    S = np.maximum(np.atleast_1d(np.asarray(pol.order_up_to, dtype=float)), s + 1e-9)
    res = simulate_inventory(mu, sd_pos, policy="sS", reorder_point=s, order_up_to=S,
                             lead_time_pmf=discretize_lead_time(lead, 0.0), demand="normal",
                             holding_cost=h, stockout_cost=p, ordering_cost=k,
                             holding_basis="end", stockout_basis="per_unit_period",
                             n_periods=n_periods, n_reps=n_reps, seed=seed)
    wide = res.wide()
    parts = {name: wide[f"{name}_cost"].to_numpy(float) * per_year
             for name in ("holding", "shortage", "ordering", "total")}
    return s, S, parts


def _rq(h: np.ndarray, p: np.ndarray, k: np.ndarray, mu: np.ndarray, sd: np.ndarray,
        lead: np.ndarray, per_year: float) -> tuple[np.ndarray, np.ndarray, dict]:
    pol = rq_optimal(holding_cost=h, stockout_cost=p, ordering_cost=k, mean_demand=mu,
                     sd_demand=sd, lead_time=lead)
    r = np.atleast_1d(np.asarray(pol.reorder_point, dtype=float))
    q = np.atleast_1d(np.asarray(pol.order_quantity, dtype=float))
    ltd = lead_time_demand(mu, sd, lead)
    m, s = np.atleast_1d(ltd.mean), np.atleast_1d(ltd.sd)
    backorders = (np.atleast_1d(normal_second_loss(r, m, s))
                  - np.atleast_1d(normal_second_loss(r + q, m, s))) / q
    return r, q, _parts(h, p, k, r - m + q / 2 + backorders, backorders, mu / q, per_year)


def _policy_inputs(items: pd.DataFrame, holding_rate: float, ordering_cost: float,
                   per_year: float, where: str) -> tuple[np.ndarray, ...]:
    for col in ("item_id", "mean_demand", "sd_demand", "lead_time_days", "unit_cost",
                "stockout_cost"):
        if col not in items:
            raise ConfigError(f"{where}: the items frame has no {col!r} column.", key=col,
                              value=list(items.columns),
                              fix="pass explorer_items(...) with stockout_cost added "
                                  "(shortage share x unit price).")
    mu = items["mean_demand"].to_numpy(float)
    sd = items["sd_demand"].to_numpy(float)
    h = items["unit_cost"].to_numpy(float) * holding_rate / per_year
    p = items["stockout_cost"].to_numpy(float)
    k = np.full(mu.shape, float(ordering_cost))
    bad = ~((mu > 0) & (h > 0) & (p > 0) & np.isfinite(sd) & (sd >= 0))
    if bad.any():
        first = items["item_id"].astype(str).iloc[int(np.argmax(bad))]
        raise ConfigError(f"{where}: item {first} has a mean demand, holding cost or backorder "
                          "cost that is not above 0.", key="items", value=first,
                          fix="leave out items without demand, unit cost or stockout cost.")
    return mu, sd, h, p, k


def policy_optima(items: pd.DataFrame, *, holding_rate: float, ordering_cost: float,
                  service_level: float, matrix: DemandMatrix | None = None,
                  n_reps: int = 100, n_periods: int = 104, seed: int = 0,
                  periods_per_year: float = 52.0, period_days: float = 7.0) -> PolicyOptima:
    """Yearly cost per item: service-level view against the (r, Q) and (s, S) optima.

    Parameters
    ----------
    items
        ``item_id, mean_demand, sd_demand`` (per week), ``lead_time_days``,
        ``unit_cost`` and ``stockout_cost`` (per unit backordered per week; the
        notebook sets it to the shortage share times the unit price, as for the
        cost curve).
    holding_rate
        Yearly holding cost as a share of unit cost: ``h = unit_cost x holding_rate / 52``.
    ordering_cost
        ``K`` per order (``> 0``).
    service_level
        Cycle service target of the service-level view, in ``[0.5, 1)``.
    matrix
        Weekly demand (:func:`recent_demand`); items whose chosen model is Poisson,
        negative binomial or empirical are then planned in whole units (exact
        costs). ``None``: all items normal.
    n_reps, n_periods, seed
        Simulation of the (s, S) power approximation (normal-model items).
    periods_per_year, period_days
        Weeks in a year, days in a week.

    Returns
    -------
    PolicyOptima
        The three policies per item and their totals. The service-level view is a
        weekly order-up-to ``S`` at the target with the cost of
        :func:`~workbench.inventory.policy.base_stock_cost` (end-of-week stock
        and backorders over ``L + 1`` weeks) plus ``K`` for every week with demand
        (``52 K`` a year for normal-model items; ``52 K P(week has demand)`` for
        discrete ones). (r, Q): :func:`~workbench.inventory.rq.rq_optimal`, exact
        cost (continuous review, normal lead-time demand). (s, S): Zheng-Federgruen
        exact for discrete items, power approximation with a simulated cost
        (:func:`~workbench.inventory.simulate.simulate_inventory`,
        ``policy="sS"``, end-of-week holding, backorders per unit per week) for
        the others.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["A"], "mean_demand": [25.0], "sd_demand": [2.88],
    ...     "lead_time_days": [7 / 12 * 52 / 12], "unit_cost": [46.8], "stockout_cost": [0.144]})
    >>> opt = policy_optima(items, holding_rate=0.25, ordering_cost=8.0, service_level=0.95,
    ...                     n_reps=20)
    >>> list(opt.totals["policy"])
    ['service_level', 'rq', 'ss']
    """
    where = "policy_optima"
    require_frame(items, "items", hint="pass the items frame of the cost curve.")
    check_range(service_level, "service_level", low=0.5, high=1.0, high_open=True,
                fix="pass a cycle service level such as 0.95.")
    if not float(ordering_cost) > 0:
        raise ConfigError(f"{where}: ordering_cost must be above 0; got {ordering_cost!r}.",
                          key="ordering_cost", value=ordering_cost,
                          fix="give the cost of one purchase order or production run.")
    items = items.reset_index(drop=True)
    mu, sd, h, p, k = _policy_inputs(items, holding_rate, ordering_cost, periods_per_year, where)
    lead = _weeks(items, period_days)
    whole = np.ceil(lead - 1e-9)
    n = len(items)
    models = _models(items, matrix)
    is_disc = (models["row"].to_numpy() >= 0) & models["model"].isin(DISCRETE_MODELS).to_numpy()
    model = np.where(is_disc, _fit(models, items, matrix), "normal")
    cols: dict[str, np.ndarray] = {c: np.full(n, np.nan) for c in OPTIMA_COLUMNS}
    basis = np.full(n, "simulated", dtype=object)
    ltd = lead_time_demand(mu, sd, lead, review_period=1.0)
    target = np.array(np.atleast_1d(policy_for_service(mu, sd, lead, service_level,
                                                       review_period=1.0).order_up_to),
                      dtype=float)
    bsc = base_stock_cost(target, ltd.mean, ltd.sd, h, p)
    view = {key: np.array(val, dtype=float) for key, val in _parts(
        h, p, k, np.atleast_1d(bsc.expected_on_hand), np.atleast_1d(bsc.expected_backorders),
        np.ones(n), periods_per_year).items()}
    eoq = np.sqrt(2.0 * k * mu / h)
    exact = np.zeros(n, dtype=bool)
    for m in DISCRETE_MODELS:  # whole units, exact costs, for each discrete model
        pick = model == m
        if not pick.any():
            continue
        it, rows = items[pick].reset_index(drop=True), models["row"].to_numpy()[pick]
        d = _discrete(m, it, rows, matrix, whole[pick], 1)
        week = _discrete(m, it, rows, matrix, np.ones(pick.sum()), 0)
        target[pick], part = _target_discrete(d, week, service_level, h[pick], p[pick],
                                              k[pick], periods_per_year)
        for key, val in part.items():
            view[key][pick] = val
        small = (_weekly_top(week) <= EXACT_SS_MAX_UNITS) & (eoq[pick] <= EXACT_SS_MAX_UNITS)
        if not small.any():
            continue
        idx = np.flatnonzero(pick)[small]
        week_small = _discrete(m, it[small].reset_index(drop=True), rows[small], matrix,
                               np.ones(small.sum()), 0)
        s, S, part = _ss_exact(h[idx], p[idx], k[idx], whole[idx], _weekly_pmf(week_small),
                               periods_per_year)
        cols["ss_reorder_point"][idx], cols["ss_order_up_to"][idx] = s, S
        for key, val in part.items():
            cols[f"ss_{key}"][idx] = val
        exact[idx] = True
    basis[exact] = "exact"
    norm = ~exact
    if norm.any():
        s, S, part = _ss_simulated(h[norm], p[norm], k[norm], mu[norm], sd[norm], whole[norm],
                                   periods_per_year, n_reps, n_periods, seed)
        cols["ss_reorder_point"][norm], cols["ss_order_up_to"][norm] = s, S
        for key, val in part.items():
            cols[f"ss_{key}"][norm] = val
    r, q, rq_part = _rq(h, p, k, mu, sd, lead, periods_per_year)
    cols.update({f"target_{key}": val for key, val in view.items()})
    cols.update({f"rq_{key}": val for key, val in rq_part.items()})
    totals = np.stack([cols["target_total"], cols["rq_total"], cols["ss_total"]])
    best = np.argmin(totals, axis=0)
    cols.update(item_id=items["item_id"].astype(str).to_numpy(), model=model,
                unit_cost=items["unit_cost"].to_numpy(float), mean_demand=mu, sd_demand=sd,
                lead_time_weeks=lead, lead_time_weeks_used=whole, target_level=target,
                rq_reorder_point=r, rq_order_quantity=q, ss_cost_basis=basis,
                best_policy=np.asarray(POLICY_NAMES, dtype=object)[best],
                best_total=totals[best, np.arange(n)])
    cols["saving"] = cols["target_total"] - cols["best_total"]
    frame = pd.DataFrame({c: cols[c] for c in OPTIMA_COLUMNS})
    return PolicyOptima(frame, _totals(frame), float(service_level), float(holding_rate),
                        float(ordering_cost), int(n_reps), int(seed))


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, prefix in zip(POLICY_NAMES, ("target", "rq", "ss"), strict=True):
        rows.append({"policy": name, "items": len(frame),
                     **{c: float(frame[f"{prefix}_{c}"].sum())
                        for c in ("holding", "shortage", "ordering", "total")},
                     "simulated_items": int((frame["ss_cost_basis"] == "simulated").sum())
                     if name == "ss" else 0})
    return pd.DataFrame(rows, columns=list(TOTALS_COLUMNS))
