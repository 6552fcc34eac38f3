"""Plotly charts of the workbench's tidy result frames.

Each function takes a tidy frame from a compute module and returns a
``plotly.graph_objects.Figure``; none computes business numbers.
:func:`apply_layout` gives every figure the common look.

Plotly reads a subset of HTML in every label (``<b>``, ``<br>``, ``<a href>``,
``&amp;`` entities). Text that comes from the data (customer and item ids and
names, groups, reasons) and every title goes through :func:`chart_text`, so it
shows literally: a customer called ``<b>Acme</b>`` is not drawn bold.
"""

from __future__ import annotations

import functools
from contextlib import nullcontext
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.exceptions import ChoiceError
from workbench.i18n import fmt_date
from workbench.reporting.tables import BIDI_CONTROLS, isolate_bidi
from workbench.validation import check_choice

if TYPE_CHECKING:
    from workbench.inventory.tradeoff import Scenario
    from workbench.io.load import LoadSummary

__all__ = [
    "PAB_STATUS_COLORS",
    "PALETTE",
    "STATUS_COLORS",
    "TRACE_TYPES",
    "apply_layout",
    "change_heatmap",
    "chart_text",
    "churn_timeline",
    "control_chart",
    "coverage_chart",
    "curve_figure",
    "cycle_time_histogram",
    "forecast_fan",
    "load_quality_chart",
    "pab_chart",
    "PAB_STATUS_COLORS",
    "pab_heatmap",
    "pareto_chart",
    "pareto_curve_chart",
    "scorecard_chart",
    "top_chart",
    "volume_chart",
]

PALETTE = {"primary": "#1f5f8b", "accent": "#e07b39", "bad": "#c0392b", "ok": "#2e8b57",
           "muted": "#9aa5b1"}
"""Colours of the charts by role (primary series, accent, bad, ok, muted)."""

_PLOTLY_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def chart_text(value: object) -> object:
    """Escape text for a plotly label, title, legend entry or hover text, so it shows literally.

    ``& < >`` become the entities plotly decodes back to the characters (plotly
    would read ``<b>``, ``<br>``, ``<a href=...>`` as markup), and text holding
    bidirectional controls is isolated (:func:`workbench.reporting.tables.isolate_bidi`).

    Parameters
    ----------
    value
        One value (made a ``str``) or a Series / Index of values (made strings,
        element-wise, vectorised).

    Returns
    -------
    str or Series or Index
        The escaped text, in the shape given.

    Examples
    --------
    >>> chart_text("<script>alert(1)</script> & Co")
    '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co'
    >>> list(chart_text(pd.Series(["<b>A</b>", "B"])))
    ['&lt;b&gt;A&lt;/b&gt;', 'B']
    """
    if isinstance(value, (pd.Series, pd.Index)):
        s = pd.Series(value, copy=False).astype(str)
        s = (s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
             .str.replace(">", "&gt;", regex=False))
        s = s.where(~s.str.contains(f"[{BIDI_CONTROLS}]", regex=True),
                    "\u2068" + s + "\u2069")
        return pd.Index(s.to_numpy(), name=value.name) if isinstance(value, pd.Index) else s
    return isolate_bidi(str(value).translate(_PLOTLY_ESCAPES))


TRACE_TYPES = ("bar", "heatmap", "histogram", "scatter")
"""Trace types the workbench draws (the partial plotly.js bundle of the reports has exactly these)."""


@functools.lru_cache(maxsize=1)
def _white_template() -> go.layout.Template:
    """``plotly_white`` with the trace defaults of :data:`TRACE_TYPES` only (built once).

    Setting the full template copies and validates the defaults of every trace type plotly
    knows (about 18 ms a figure); rendered reports keep only the figure's own types anyway.
    """
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    return go.layout.Template(layout=white.layout,
                              data={t: white.data[t] for t in TRACE_TYPES})


def apply_layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    """Give ``fig`` the workbench look: white template, ``title``, legend below the plot.

    Parameters
    ----------
    fig
        The figure, changed in place.
    title
        Figure title.
    **kw
        Further ``fig.update_layout`` arguments (axis titles, height, ...).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself.
    """
    _set_template(fig)
    fig.update_layout(title=chart_text(title), margin=dict(l=40, r=20, t=60, b=40),
                      legend=dict(orientation="h", y=-0.2), **kw)
    return fig


def _set_template(fig: go.Figure) -> None:
    """Set :func:`_white_template` on ``fig`` without validating it again.

    The template was validated once when it was built; plotly itself sets its default
    template this way (``BaseFigure._initialize_layout_template``). Validating the copy
    for every figure was about a fifth of the time of a customer review's charts.
    """
    layout = fig.layout
    validate = getattr(layout, "_validate", None)
    if validate is None:  # a plotly without the switch: the validated way
        layout.template = _white_template()
        return
    layout._validate = False
    try:
        layout.template = _white_template()
    finally:
        layout._validate = validate


def volume_chart(volume: pd.DataFrame, *, measure: str = "lines",
                 title: str = "Order volume") -> go.Figure:
    """Bars of ``measure`` per period from :func:`workbench.history.volume_by_period`."""
    fig = go.Figure(go.Bar(x=volume["period_start"], y=volume[measure],
                           marker_color=PALETTE["primary"], name=measure))
    return apply_layout(fig, title, xaxis_title="period", yaxis_title=measure)


def load_quality_chart(summary: LoadSummary) -> go.Figure:
    """Rows loaded vs quarantined by reason, and field issues by reason."""
    cats = ["loaded"] + [f"quarantined: {chart_text(r)}" for r in summary.quarantine_by_reason]
    vals = [summary.rows_loaded] + list(summary.quarantine_by_reason.values())
    colors = [PALETTE["ok"]] + [PALETTE["bad"]] * len(summary.quarantine_by_reason)
    cats += [f"issue: {chart_text(r)}" for r in summary.issues_by_reason]
    vals += list(summary.issues_by_reason.values())
    colors += [PALETTE["accent"]] * len(summary.issues_by_reason)
    fig = go.Figure(go.Bar(x=vals, y=cats, orientation="h", marker_color=colors,
                           text=[f"{v:,}" for v in vals], textposition="auto"))
    fig.update_yaxes(autorange="reversed")
    return apply_layout(fig, f"{summary.rows_in:,} rows in: where each went", xaxis_type="log",
                         xaxis_title="rows (log scale)", height=200 + 30 * len(cats))


def coverage_chart(summary: LoadSummary) -> go.Figure:
    """Share of loaded rows with a value, per optional column (absent columns at 0)."""
    cov = summary.coverage_frame()
    fig = go.Figure(go.Bar(
        x=cov["share_filled"].fillna(0), y=chart_text(cov["column"]), orientation="h",
        marker_color=[PALETTE["muted"] if s == "absent" else PALETTE["primary"]
                      for s in cov["status"]],
        text=[("absent" if s == "absent" else f"{v:.0%}") for s, v in
              zip(cov["status"], cov["share_filled"], strict=True)],
        textposition="auto"))
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return apply_layout(fig, "Optional fields: coverage", height=200 + 22 * len(cov))


def top_chart(top: pd.DataFrame, by: str, *, measure_label: str = "value",
              title: str | None = None) -> go.Figure:
    """Bars of the top customers/items with their cumulative share as a line."""
    labels = chart_text(top[by])
    fig = go.Figure()
    fig.add_bar(x=labels, y=top["value"], name=chart_text(measure_label),
                marker_color=PALETTE["primary"])
    fig.add_scatter(x=labels, y=top["cum_share"], name="cumulative share", yaxis="y2",
                    mode="lines+markers", line_color=PALETTE["accent"])
    return apply_layout(fig, title or f"Top {len(top)} by {measure_label}",
                         yaxis2=dict(overlaying="y", side="right", range=[0, 1], tickformat=".0%"))


_PAB_CHART_TEXT = {
    "en": {"orders": "customer orders", "forecast": "forecast beyond orders",
           "firm": "firm receipts", "planned": "planned receipts", "pab": "PAB",
           "safety": "safety stock", "title": "Projected available balance: {item}",
           "yaxis": "units (demand below zero, supply above)"},
    "zh": {"orders": "客户订单", "forecast": "超出订单的预测", "firm": "确认到货",
           "planned": "计划到货", "pab": "预计可用库存", "safety": "安全库存",
           "title": "预计可用库存：{item}", "yaxis": "数量（零以下为需求，零以上为供应）"},
}


def pab_chart(long: pd.DataFrame, item_id: str, *, stressed: pd.DataFrame | None = None,
              stressed_label: str = "if planned receipts slip", lang: str = "en",
              title: str | None = None) -> go.Figure:
    """PAB trajectory of one item.

    Bars for customer orders, forecast and receipts (firm and planned), the
    PAB line, the safety-stock line, shortage periods shaded, and optionally a
    dashed PAB line for a stressed scenario (e.g. slipped receipts).

    Parameters
    ----------
    long
        ``PabResult.long`` (columns ``item_id, period_start, customer_orders,
        forecast, supply_firm, supply_planned, pab, safety_stock, shortage``).
    item_id
        The item to draw.
    stressed
        Optional ``PabResult.long`` of a stressed scenario; its ``pab`` is drawn dashed.
    stressed_label
        Legend text of the stressed line, after "PAB" (give it in ``lang``).
    lang
        ``"en"`` or ``"zh"``: legend, title and axis title.
    title
        Figure title (default "Projected available balance: <item>" in ``lang``).
    """
    words = _PAB_CHART_TEXT["zh" if lang == "zh" else "en"]
    d = long.loc[long["item_id"].astype(str) == str(item_id)].sort_values("period_start")
    if d.empty:
        known = ", ".join(repr(i) for i in long["item_id"].astype(str).unique()[:5])
        raise ChoiceError(f"item {item_id!r} is not in the PAB table", key="item_id",
                          value=item_id, fix=f"draw one of its items ({known}, ...).")
    x = d["period_start"]
    fig = go.Figure()
    fig.add_bar(x=x, y=-d["customer_orders"], name=words["orders"],
                marker_color=PALETTE["primary"], opacity=0.85)
    fig.add_bar(x=x, y=-(d["forecast"] - d["customer_orders"]).clip(lower=0),
                name=words["forecast"], marker_color=PALETTE["muted"], opacity=0.6)
    fig.add_bar(x=x, y=d["supply_firm"], name=words["firm"], marker_color=PALETTE["ok"])
    fig.add_bar(x=x, y=d["supply_planned"], name=words["planned"],
                marker_color=PALETTE["ok"], opacity=0.45)
    fig.add_scatter(x=x, y=d["pab"], name=words["pab"], mode="lines+markers",
                    line=dict(color="black", width=2.5))
    fig.add_scatter(x=x, y=d["safety_stock"], name=words["safety"], mode="lines",
                    line=dict(color=PALETTE["accent"], dash="dot"))
    if stressed is not None:
        s = stressed.loc[stressed["item_id"].astype(str) == str(item_id)].sort_values(
            "period_start")
        fig.add_scatter(x=s["period_start"], y=s["pab"],
                        name=chart_text(f"{words['pab']} {stressed_label}"),
                        mode="lines", line=dict(color=PALETTE["bad"], dash="dash"))
    step = (x.iloc[1] - x.iloc[0]) if len(x) > 1 else pd.Timedelta(days=7)
    for start in x[d["shortage"].to_numpy()]:
        fig.add_vrect(x0=start - step / 2, x1=start + step / 2, fillcolor=PALETTE["bad"],
                      opacity=0.12, line_width=0)
    fig.add_hline(y=0, line_color="#444", line_width=1)
    head = title if title is not None else words["title"].format(item=item_id)
    return apply_layout(fig, head, barmode="relative", yaxis_title=words["yaxis"])


PAB_STATUS_COLORS = ("#c0392b", "#f0ad4e", "#d9ead3")
"""Colours of :func:`pab_heatmap` ``value="status"``: short, below safety stock, covered."""
_PAB_STATUS_WORDS = {"en": ("short", "below safety stock", "covered"),
                     "zh": ("缺货", "低于安全库存", "充足")}
_HEAT_TEXT = {
    "en": {"status": "Projected stock by item and week, {span}: red short, amber below safety "
                     "stock",
           "pab": "PAB by item and week, {span}", "weeks_of_cover":
               "Weeks of cover by item and week, {span}",
           "hover": "%{y}, week of %{x|%d %b %Y}<br>PAB %{customdata[0]:,.0f}, safety stock "
                    "%{customdata[1]:,.0f}<br>%{customdata[2]}<extra></extra>"},
    "zh": {"status": "各物料各周预计库存（{span}）：红色缺货，橙色低于安全库存",
           "pab": "各物料各周预计可用库存（{span}）",
           "weeks_of_cover": "各物料各周库存可覆盖周数（{span}）",
           "hover": "%{y}，%{x|%Y-%m-%d} 当周<br>预计可用库存 %{customdata[0]:,.0f}，安全库存 "
                    "%{customdata[1]:,.0f}<br>%{customdata[2]}<extra></extra>"},
}


def _heat_items(d: pd.DataFrame, max_items: int) -> list[str]:
    """Items short or below safety stock first (earliest first), then the lowest PAB."""
    first_bad = (d.assign(bad=d["shortage"] | d["below_safety_stock"])
                 .loc[lambda x: x["bad"]].groupby("item_id", observed=True)["period_start"].min())
    first_short = d.loc[d["shortage"]].groupby("item_id", observed=True)["period_start"].min()
    rank = d.groupby("item_id", observed=True)["pab"].min().to_frame("min_pab")
    rank["short"] = first_short.reindex(rank.index)
    rank["bad"] = first_bad.reindex(rank.index)
    rank = rank.sort_values(["short", "bad", "min_pab"], na_position="last", kind="stable")
    return rank.head(max_items).index.tolist()


def pab_heatmap(long: pd.DataFrame, items: list[str] | None = None, *,
                value: str = "status", max_items: int = 30, lang: str = "en") -> go.Figure:
    """Item x period heat map of the projection, scaled per item so every short item shows.

    Parameters
    ----------
    long
        :attr:`workbench.planning.pab.PabResult.long`.
    items
        Items to show (default: items short at some point first, earliest shortage
        first, then those dipping below safety stock, then the lowest PAB).
    value
        ``"status"`` (default): each cell is *short* (PAB below zero), *below safety
        stock* or *covered*, judged against the item's own safety stock, so a
        shortage of 5 units shows as plainly as one of 5,000; the hover gives PAB
        and safety stock. ``"pab"``: PAB on one absolute scale (red short, white
        zero). ``"weeks_of_cover"``: cover, capped at 13 periods.
    max_items
        At most this many rows.
    lang
        ``"en"`` or ``"zh"`` (title, legend, hover).

    Returns
    -------
    plotly.graph_objects.Figure
        The title names the weeks covered.
    """
    check_choice(value, ("status", "pab", "weeks_of_cover"), key="value")
    words, text = _PAB_STATUS_WORDS[lang], _HEAT_TEXT[lang]
    d = long.assign(item_id=long["item_id"].astype(str),
                    shortage=long["pab"] < 0, below_safety_stock=long["pab"] < long["safety_stock"])
    if items is None:
        items = _heat_items(d, max_items)
    d = d[d["item_id"].isin(items)]
    code = np.where(d["shortage"], 0, np.where(d["below_safety_stock"], 1, 2))
    d = d.assign(_status=code, _word=np.asarray(words, dtype=object)[code])
    grid = {col: d.pivot_table(index="item_id", columns="period_start", values=col,
                               aggfunc="first", observed=True).reindex(items)
            for col in ("pab", "safety_stock", "_status", value if value != "status" else "pab")}
    words_grid = d.pivot(index="item_id", columns="period_start", values="_word").reindex(
        index=items, columns=grid["pab"].columns)
    custom = np.dstack([grid["pab"].to_numpy(), grid["safety_stock"].to_numpy(),
                        words_grid.to_numpy(dtype=object)])
    x, y = grid["pab"].columns, chart_text(grid["pab"].index)
    if value == "status":
        c = PAB_STATUS_COLORS
        scale = [[0, c[0]], [1 / 3, c[0]], [1 / 3, c[1]], [2 / 3, c[1]], [2 / 3, c[2]], [1, c[2]]]
        trace = go.Heatmap(z=grid["_status"].to_numpy(), x=x, y=y, zmin=-0.5, zmax=2.5,
                           colorscale=scale, customdata=custom, xgap=1, ygap=1,
                           colorbar=dict(tickvals=[0, 1, 2], ticktext=list(words), len=0.6))
    else:
        z = grid[value].to_numpy()
        if value == "weeks_of_cover":
            z = np.minimum(z, 13)
        trace = go.Heatmap(z=z, x=x, y=y, customdata=custom,
                           colorscale="RdYlGn" if value == "weeks_of_cover" else "RdBu",
                           zmid=None if value == "weeks_of_cover" else 0.0)
    trace.hovertemplate = text["hover"]
    fig = go.Figure(trace)
    fig.update_yaxes(autorange="reversed", type="category")
    starts = pd.to_datetime(pd.Series(x))
    span = ""
    if len(starts):
        span = f"{fmt_date(starts.min(), lang)} – {fmt_date(starts.max(), lang)}"
    return apply_layout(fig, text[value].format(span=span),
                        height=max(300, 22 * len(items) + 140))


STATUS_COLORS = {"green": "#2e8b57", "amber": "#f0ad4e", "red": "#c0392b", "n/a": "#d5d8dc"}
"""Traffic-light colours of :func:`scorecard_chart` by status."""


def scorecard_chart(card: pd.DataFrame, by: str | None = "tier", *,
                    labels: dict[str, str] | None = None,
                    title: str = "Service scorecard against targets",
                    target_label: str = "target", axis_label: str | None = None) -> go.Figure:
    """Traffic-light grid: groups (rows) x KPIs (columns), coloured by status.

    ``card`` is :func:`workbench.scorecard.scorecard` output. Each cell shows the
    value and, underneath, the target. With ``by=None`` (one row: a single
    customer's or site's card) the row has no label.
    """
    labels = labels or {}
    d = card.copy()
    d["group"] = d[by].astype(str) if by else "all"
    status_code = {s: i for i, s in enumerate(STATUS_COLORS)}
    kpis_ = list(dict.fromkeys(d["kpi"]))
    groups = list(dict.fromkeys(d["group"]))
    z = d.pivot_table(index="group", columns="kpi", values="status", aggfunc="first",
                      observed=False).reindex(index=groups, columns=kpis_)
    val = d.pivot_table(index="group", columns="kpi", values="value", aggfunc="first"
                        ).reindex(index=groups, columns=kpis_)
    tgt = d.pivot_table(index="group", columns="kpi", values="target", aggfunc="first"
                        ).reindex(index=groups, columns=kpis_)
    codes = z.apply(lambda c: c.astype(object).map(status_code)).astype(float)
    text = [[("n/a" if pd.isna(v) else f"{v:.1%}")
             + ("" if pd.isna(t) else f"<br>{chart_text(target_label)} {t:.0%}")
             for v, t in zip(vr, tr, strict=True)] for vr, tr in zip(val.to_numpy(),
                                                                    tgt.to_numpy(), strict=True)]
    n = len(STATUS_COLORS)
    scale = []
    for i, color in enumerate(STATUS_COLORS.values()):
        scale += [(i / n, color), ((i + 1) / n, color)]
    fig = go.Figure(go.Heatmap(
        z=codes.to_numpy(), x=[chart_text(labels.get(k, k)) for k in kpis_],
        y=[chart_text(g) for g in groups], text=text,
        texttemplate="%{text}", colorscale=scale, zmin=-0.5, zmax=n - 0.5, showscale=False,
        hovertemplate=("%{y} / " if by else "") + "%{x}<br>%{text}<extra></extra>",
        xgap=3, ygap=3))
    fig.update_yaxes(autorange="reversed", showticklabels=bool(by),
                     title=chart_text(axis_label if axis_label is not None else (by or "")))
    return apply_layout(fig, title, height=max(260, 60 * len(groups) + 140))


def control_chart(limits: pd.DataFrame, *, kpi_label: str,
                  percent: bool = True) -> go.Figure:
    """KPI trend with its control limits; points outside the limits are marked.

    ``limits`` is :func:`workbench.kpis.control_limits` output (``period_start,
    value, center, lcl, ucl, signal, deteriorated``).
    """
    x = limits["period_start"]
    fig = go.Figure()
    fig.add_scatter(x=x, y=limits["ucl"], name="upper control limit", mode="lines",
                    line=dict(color=PALETTE["muted"], dash="dash", shape="hv"))
    fig.add_scatter(x=x, y=limits["lcl"], name="lower control limit", mode="lines",
                    line=dict(color=PALETTE["muted"], dash="dash", shape="hv"))
    fig.add_scatter(x=x, y=limits["center"], name="centre line", mode="lines",
                    line=dict(color=PALETTE["muted"]))
    fig.add_scatter(x=x, y=limits["value"], name=chart_text(kpi_label), mode="lines+markers",
                    line=dict(color=PALETTE["primary"], width=2.5))
    bad = limits[limits["deteriorated"].astype(bool)]
    if len(bad):
        fig.add_scatter(x=bad["period_start"], y=bad["value"], name="significant deterioration",
                        mode="markers", marker=dict(color=PALETTE["bad"], size=13,
                                                    symbol="x"))
    good = limits[limits["signal"].astype(bool) & ~limits["deteriorated"].astype(bool)]
    if len(good):
        fig.add_scatter(x=good["period_start"], y=good["value"], name="significant improvement",
                        mode="markers", marker=dict(color=PALETTE["ok"], size=11))
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return apply_layout(fig, f"{kpi_label}: trend and control limits")


def cycle_time_histogram(days: pd.Series, *, title: str = "Order cycle time") -> go.Figure:
    """Distribution of order-to-delivery days, with mean and 90th percentile marked.

    The lines are counted here (whole days per bin, at most about 60 bins) and drawn
    as bars, so the report carries one count per bin, not one value per order line.

    Examples
    --------
    >>> fig = cycle_time_histogram(pd.Series([1, 2, 2, 3, 10]))
    >>> list(fig.data[0].x), list(fig.data[0].y)
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], [1, 2, 1, 0, 0, 0, 0, 0, 0, 1])
    """
    values = pd.to_numeric(days, errors="coerce").dropna().to_numpy(dtype=float)
    if len(values):
        lo, hi = np.floor(values.min()), np.floor(values.max())
        width = max(1.0, float(np.ceil((hi - lo + 1) / 60)))
        edges = lo + width * np.arange(int((hi - lo) // width) + 2)
        counts, _ = np.histogram(values, bins=edges)
        starts = edges[:-1]
    else:
        width, starts, counts = 1.0, np.array([]), np.array([], dtype=int)
    label = ([f"{a:.0f} days" for a in starts] if width == 1 else
             [f"{a:.0f}–{a + width - 1:.0f} days" for a in starts])
    fig = go.Figure(go.Bar(x=(starts + (width - 1) / 2).tolist(), y=counts.tolist(), width=width,
                           marker_color=PALETTE["primary"], name="lines", customdata=label,
                           hovertemplate="%{customdata}: %{y:,} lines<extra></extra>"))
    fig.update_layout(bargap=0.05)
    if len(days):
        mean, p90 = float(days.mean()), float(days.quantile(0.9))
        fig.add_vline(x=mean, line_color=PALETTE["accent"],
                      annotation_text=f"mean {mean:.1f} d")
        fig.add_vline(x=p90, line_color=PALETTE["bad"], line_dash="dash",
                      annotation_text=f"p90 {p90:.0f} d")
    return apply_layout(fig, title, xaxis_title="days from order to delivery",
                         yaxis_title="order lines")


def pareto_chart(pareto: pd.DataFrame, *, category: str = "reason", value: str = "lines",
                 title: str = "Why orders fail") -> go.Figure:
    """Bars of failure counts, largest first, with the cumulative share as a line."""
    fig = go.Figure()
    cats = chart_text(pareto[category])
    fig.add_bar(x=cats, y=pareto[value], name=value, marker_color=PALETTE["bad"])
    fig.add_scatter(x=cats, y=pareto["cum_share"], name="cumulative share",
                    yaxis="y2", mode="lines+markers", line_color=PALETTE["primary"])
    return apply_layout(fig, title, yaxis2=dict(overlaying="y", side="right", range=[0, 1.05],
                                                 tickformat=".0%"))


def pareto_curve_chart(curve: pd.DataFrame, abc_table: pd.DataFrame, *,
                       what: str = "customers", measure: str = "revenue") -> go.Figure:
    """Lorenz-style Pareto curve (share of customers vs share of value) with A/B/C bands.

    ``curve`` is :func:`workbench.customers.pareto_curve`; the bands are the
    share of keys in each ABC class of ``abc_table``.
    """
    n = len(abc_table)
    fig = go.Figure()
    colors = {"A": "rgba(46,139,87,0.15)", "B": "rgba(240,173,78,0.18)",
              "C": "rgba(154,165,177,0.18)"}
    start = 0.0
    for cls in ("A", "B", "C"):
        k = int((abc_table["abc"] == cls).sum())
        if k == 0:
            continue
        end = start + k / n
        fig.add_vrect(x0=start, x1=end, fillcolor=colors[cls], line_width=0,
                      annotation_text=f"{cls}: {k} {what}", annotation_position="top left")
        start = end
    fig.add_scatter(x=curve["share_of_customers"], y=curve["share_of_value"], mode="lines",
                    name=f"cumulative share of {measure}", line=dict(color=PALETTE["primary"],
                                                                      width=3))
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal shares",
                    line=dict(color=PALETTE["muted"], dash="dot"))
    fig.update_xaxes(tickformat=".0%", title=f"share of {what} (largest first)")
    fig.update_yaxes(tickformat=".0%", title=f"share of {measure}")
    return apply_layout(fig, f"Pareto curve: how concentrated is {measure}?")


def churn_timeline(warnings: pd.DataFrame, orders: pd.DataFrame, *, top_n: int = 15,
                   as_of: pd.Timestamp | None = None, lookback_days: int = 365,
                   names: dict[str, str] | None = None) -> go.Figure:
    """Order history of the customers at churn risk: one row each, a dot per order day.

    The silent stretch from the last order to ``as_of`` is drawn red; rows are
    ranked by revenue at risk. ``warnings`` is :func:`workbench.customers.churn_warnings`.
    """
    risky = warnings[warnings["churn_risk"].astype(bool)].sort_values(
        "revenue_at_risk", ascending=False).head(top_n)
    as_of = as_of or (orders["order_date"].max() + pd.Timedelta(days=1))
    since = as_of - pd.Timedelta(days=lookback_days)
    ids = risky["customer_id"].astype(str).tolist()
    names = names or {}
    label = {c: chart_text(f"{names[c]} ({c})" if c in names else c) for c in ids}
    o = orders[orders["customer_id"].astype(str).isin(ids) & (orders["order_date"] >= since)]
    days = o.groupby(["customer_id", "order_date"], observed=True)["qty_ordered"].sum(
        ).reset_index()
    fig = go.Figure()
    fig.add_scatter(x=days["order_date"], y=days["customer_id"].astype(str).map(label),
                    mode="markers", name="order day",
                    marker=dict(size=7, color=PALETTE["primary"], opacity=0.7))
    for _, r in risky.iterrows():  # one segment per flagged customer (a handful)
        fig.add_scatter(x=[r["last_order_date"], as_of], y=[label[str(r["customer_id"])]] * 2,
                        mode="lines", line=dict(color=PALETTE["bad"], width=4),
                        showlegend=False, hovertext=chart_text(r["reason"]), hoverinfo="text")
    fig.update_yaxes(categoryorder="array", categoryarray=[label[c] for c in ids][::-1])
    return apply_layout(fig, "Customers at churn risk: order days in the last year "
                        "(red: silent since the last order)", height=max(300, 28 * len(ids) + 160))


def change_heatmap(per_change: pd.DataFrame, *, top_n: int = 20,
                   buckets: tuple[str, ...] = ("<1", "1-2", "2-4", "4-8", ">8")) -> go.Figure:
    """Plot customers x weeks-before-due: how many order changes arrive how late.

    ``per_change`` is ``change_timing(...).per_change`` (``customer_id, bucket``);
    the ``top_n`` customers with most changes are shown.
    """
    counts = per_change.groupby(["customer_id", "bucket"], observed=True).size().unstack(
        fill_value=0).reindex(columns=list(buckets), fill_value=0)
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index[:top_n]]
    fig = go.Figure(go.Heatmap(z=counts.to_numpy(), x=[f"{b} wk" for b in buckets],
                               y=chart_text(counts.index), colorscale="OrRd",
                               colorbar=dict(title="changes"), texttemplate="%{z}"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="weeks before the due date when the change arrived")
    return apply_layout(fig, "Order changes by customer and lateness", height=max(300, 24 * len(
        counts) + 140))


def forecast_fan(history: pd.DataFrame, forecast: pd.DataFrame, item_id: str, *,
                 last_periods: int = 52) -> go.Figure:
    """History and forecast of one item with 80 % and 95 % prediction bands.

    ``history``: long ``item_id, period_start, qty`` (``DemandMatrix.to_frame()``);
    ``forecast``: the forecast table (``forecast_qty, lower, upper`` and, if
    present, ``lower_95, upper_95``).
    """
    h = history[history["item_id"].astype(str) == str(item_id)].sort_values(
        "period_start").tail(last_periods)
    f = forecast[forecast["item_id"].astype(str) == str(item_id)].sort_values("period_start")
    if f.empty:
        raise ChoiceError(f"item {item_id!r} has no forecast", key="item_id", value=item_id,
                          fix="draw an item of the forecast table.")
    x = pd.concat([f["period_start"], f["period_start"][::-1]])
    fig = go.Figure()
    if {"lower_95", "upper_95"} <= set(f.columns):
        fig.add_scatter(x=x, y=pd.concat([f["upper_95"], f["lower_95"][::-1]]), fill="toself",
                        fillcolor="rgba(31,95,139,0.12)", line=dict(width=0),
                        name="95 % interval", hoverinfo="skip")
    fig.add_scatter(x=x, y=pd.concat([f["upper"], f["lower"][::-1]]), fill="toself",
                    fillcolor="rgba(31,95,139,0.25)", line=dict(width=0),
                    name="80 % interval", hoverinfo="skip")
    fig.add_scatter(x=h["period_start"], y=h["qty"], name="demand", mode="lines",
                    line=dict(color="black"))
    method = str(f["method"].iloc[0]) if "method" in f else ""
    fig.add_scatter(x=f["period_start"], y=f["forecast_qty"], name=chart_text(f"forecast ({method})"),
                    mode="lines", line=dict(color=PALETTE["primary"], width=2.5))
    return apply_layout(fig, f"Demand forecast: {item_id}", yaxis_title="units per period")


def curve_figure(sc: Scenario, *, per_year: float = 52.0, fig: go.Figure | None = None
                 ) -> go.Figure:
    """Plot holding, shortage and total cost per year against the service level.

    The target and the cost-optimal level are marked.

    Parameters
    ----------
    sc
        A :func:`workbench.inventory.scenario` result.
    per_year
        Periods per year (the curve's costs are per period).
    fig
        A figure drawn by this function before (e.g. a ``FigureWidget``): its
        traces are updated in place instead of drawing a new figure.

    Returns
    -------
    plotly.graph_objects.Figure
        The new figure, or ``fig``.
    """
    c = sc.curve
    x = c["service_level"].to_numpy()
    series = [("holding cost", c["holding_cost"] * per_year, PALETTE["primary"], "solid"),
              ("shortage cost", c["shortage_cost"] * per_year, PALETTE["bad"], "solid"),
              ("total cost", c["total_cost"] * per_year, "black", "solid")]
    marks = [(f"target {sc.target:.1%}", sc.target_row, PALETTE["accent"]),
             (f"optimum {sc.optimum_row['service_level']:.1%}", sc.optimum_row, PALETTE["ok"])]
    new = fig is None
    fig = fig if fig is not None else go.Figure()
    with fig.batch_update() if hasattr(fig, "batch_update") else nullcontext():
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
        fig.update_layout(title=chart_text(f"Cost of service: {sc.label}"))
    if new:
        fig.update_xaxes(tickformat=".0%", title="cycle service level")
        fig.update_yaxes(title="cost per year")
        apply_layout(fig, f"Cost of service: {sc.label}")
    return fig
