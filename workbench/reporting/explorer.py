"""The service-vs-cost explorer behind ``notebooks/service_cost_tradeoff.ipynb``.

* :func:`explorer_items` derives per-item planning inputs (weekly demand mean and
  spread from the order history, lead time and unit cost from the item master,
  the customer tier that buys most of each item).
* :func:`scenario` computes the cost-vs-service curve of a selection of items
  for one set of assumptions (holding rate, shortage cost, lead-time change).
* :func:`curve_figure` draws it.
* :func:`build` returns either live ipywidgets (sliders that update a plotly
  ``FigureWidget`` in place, for JupyterLab and Voila) or, for reports, a static
  figure with the parameter values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.exceptions import ConfigError, NotAvailableError
from workbench.inventory.simulate import PORTFOLIO, service_cost_curve
from workbench.kpis.history import period_start
from workbench.reporting.charts import PALETTE, _layout

SERVICE_GRID = np.round(np.linspace(0.80, 0.995, 40), 4)


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
        live = orders[~st.isin(["cancelled", "canceled"]).to_numpy(dtype=bool, na_value=False)]
    live = live[live[date_column].notna()]
    as_of = pd.Timestamp(as_of) if as_of is not None else live["order_date"].max() + pd.Timedelta(
        days=1)
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
    """
    if not 0.5 <= service_target < 1:
        raise ConfigError(f"service_target must be in [0.5, 1), not {service_target}",
                          key="service_target", value=service_target)
    sub, label = select(items, selection)
    if sub.empty:
        raise ConfigError(f"selection {selection!r} matches no item", key="selection",
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


def curve_figure(sc: Scenario, *, per_year: float = 52.0, fig: go.Figure | None = None
                 ) -> go.Figure:
    """Holding, shortage and total cost per year against the service level, with the
    target and the cost-optimal level marked. Updates ``fig`` in place when given."""
    c = sc.curve
    x = c["service_level"].to_numpy()
    series = [("holding cost", c["holding_cost"] * per_year, PALETTE["primary"], "solid"),
              ("shortage cost", c["shortage_cost"] * per_year, PALETTE["bad"], "solid"),
              ("total cost", c["total_cost"] * per_year, "black", "solid")]
    marks = [(f"target {sc.target:.1%}", sc.target_row, PALETTE["accent"]),
             (f"optimum {sc.optimum_row['service_level']:.1%}", sc.optimum_row, PALETTE["ok"])]
    new = fig is None
    fig = fig if fig is not None else go.Figure()
    with fig.batch_update() if hasattr(fig, "batch_update") else _nullcontext():
        if new:
            for name, y, color, dash in series:
                fig.add_scatter(x=x, y=y, name=name, mode="lines",
                                line=dict(color=color, dash=dash, width=2.5))
            for name, row, color in marks:
                fig.add_scatter(x=[row["service_level"]], y=[row["total_cost"] * per_year],
                                name=name, mode="markers",
                                marker=dict(size=14, color=color, symbol="diamond"))
        else:
            for trace, (name, y, _c, _d) in zip(fig.data[:3], series, strict=True):
                trace.x, trace.y, trace.name = x, y, name
            for trace, (name, row, _c) in zip(fig.data[3:5], marks, strict=True):
                trace.x, trace.y = [row["service_level"]], [row["total_cost"] * per_year]
                trace.name = name
        fig.update_layout(title=f"Cost of service: {sc.label}")
    if new:
        fig.update_xaxes(tickformat=".0%", title="cycle service level")
        fig.update_yaxes(title="cost per year")
        _layout(fig, f"Cost of service: {sc.label}")
    return fig


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def summary_text(sc: Scenario, *, per_year: float = 52.0) -> str:
    """One paragraph (HTML-safe plain text) on the target against the optimum."""
    t, o = sc.target_row, sc.optimum_row
    extra = (t["total_cost"] - o["total_cost"]) * per_year
    return (f"For {sc.label}, {sc.target:.1%} cycle service needs safety stock of "
            f"{t['safety_stock']:,.0f} units and costs {t['total_cost'] * per_year:,.0f} a year "
            f"(holding {t['holding_cost'] * per_year:,.0f}, shortage "
            f"{t['shortage_cost'] * per_year:,.0f}); fill rate {t['achieved_fill_rate']:.1%}. The "
            f"cost-optimal level is {o['service_level']:.1%} at "
            f"{o['total_cost'] * per_year:,.0f} a year, so the target costs "
            f"{extra:,.0f} a year more than the optimum.")


def build(items: pd.DataFrame, *, interactive: bool, selection: str = "all",
          service_target: float = 0.95, holding_rate: float = 0.25,
          shortage_cost_pct: float = 0.3, lead_time_change_weeks: float = 0.0,
          choices: list[str] | None = None):
    """The explorer: live widgets (``interactive=True``) or a static figure and text.

    Live: sliders for service target, holding rate, shortage cost and lead-time
    change and a dropdown for the selection update a ``FigureWidget`` and the
    summary in place (no cell re-runs). Static: the same figure for the
    parameter values, for papermill reports where widgets cannot render.
    """
    import html as _html

    from IPython.display import HTML

    state = dict(selection=selection, service_target=service_target,
                 holding_rate=holding_rate, shortage_cost_pct=shortage_cost_pct,
                 lead_time_change_weeks=lead_time_change_weeks)
    sc = scenario(items, **state)
    if not interactive:
        return curve_figure(sc), HTML(f"<p>{_html.escape(summary_text(sc))}</p>")
    import ipywidgets as w

    fig = go.FigureWidget(curve_figure(sc))
    text = w.HTML(f"<p>{_html.escape(summary_text(sc))}</p>")
    opts = choices or (["all"] + [f"tier {c[6:]}" for c in sorted(items.columns)
                                  if c.startswith("share_")])
    style = {"description_width": "170px"}
    layout = w.Layout(width="480px")
    controls = {
        "service_target": w.FloatSlider(value=service_target, min=0.80, max=0.995, step=0.005,
                                        description="service target", readout_format=".1%",
                                        continuous_update=False, style=style, layout=layout),
        "holding_rate": w.FloatSlider(value=holding_rate, min=0.05, max=0.5, step=0.01,
                                      description="holding rate / year", readout_format=".0%",
                                      continuous_update=False, style=style, layout=layout),
        "shortage_cost_pct": w.FloatSlider(value=shortage_cost_pct, min=0.0, max=2.0,
                                           step=0.05, description="shortage cost (x price)",
                                           readout_format=".2f", continuous_update=False,
                                           style=style, layout=layout),
        "lead_time_change_weeks": w.FloatSlider(value=lead_time_change_weeks, min=-4, max=4,
                                                step=0.5, description="lead time change (wk)",
                                                continuous_update=False, style=style,
                                                layout=layout),
        "selection": w.Dropdown(options=opts, value=selection if selection in opts else opts[0],
                                description="items", style=style, layout=layout),
    }

    def update(_change=None):
        values = {k: c.value for k, c in controls.items()}
        try:
            new = scenario(items, **values)
        except ConfigError as exc:
            text.value = f"<p style='color:#c0392b'>{_html.escape(str(exc))}</p>"
            return
        curve_figure(new, fig=fig)
        text.value = f"<p>{_html.escape(summary_text(new))}</p>"

    for c in controls.values():
        c.observe(update, names="value")
    return w.VBox([w.HBox([w.VBox(list(controls.values())[:3]),
                           w.VBox(list(controls.values())[3:])]), fig, text])


def tier_costs(items: pd.DataFrame, targets: dict[str, float], *, per_year: float = 52.0,
               **assumptions) -> pd.DataFrame:
    """What each tier's service target costs against that tier's cost optimum.

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
        """The numbers :func:`workbench.summary.narrative` takes as ``cost``."""
        return {"current_service": self.current_service, "optimal_service": self.optimal_service,
                "current_cost": self.current_cost, "optimal_cost": self.optimal_cost}


def current_policy_cost(items: pd.DataFrame, safety_stock: pd.Series, *,
                        holding_rate: float = 0.25, shortage_cost_pct: float = 0.3,
                        per_year: float = 52.0) -> PolicyCost:
    """What the safety stocks in the item master cost, against each item's optimum.

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
    from workbench.inventory.policy import evaluate_policy, policy_for_service

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
