"""The manager summary: headline KPIs, warnings, risks, churn and cost, told in sentences.

Headline KPIs, early-warning state, top risks, churn and the cost of the current
service policy, and a short narrative generated from those numbers (English or
Chinese).

Every function here condenses results computed elsewhere (``kpis``, ``alerts``,
``customers``, ``inventory``) into small frames; :func:`narrative` turns them
into sentences. No sentence is written unless its numbers are there.
"""

from __future__ import annotations

import pandas as pd

from workbench.i18n import fmt_date, fmt_money, fmt_num, fmt_pct, fmt_points, t
from workbench.kpis import control_limits, kpi_table
from workbench.kpis.scorecards import period_maturity
from workbench.validation import check_language

__all__ = [
    "HEADLINE_KPIS",
    "STATUSES",
    "alert_overview",
    "churn_overview",
    "headline_kpis",
    "labelled",
    "narrative",
    "top_risks",
]

HEADLINE_KPIS = ("otif_order_rate", "on_time_promised_rate", "line_fill_rate",
                 "cycle_time_mean")
STATUSES = ("new", "escalated", "continuing", "de-escalated", "resolved")


def headline_kpis(orders: pd.DataFrame, tiers: pd.DataFrame, targets: pd.DataFrame, *,
                  period: str = "M", kpis: tuple[str, ...] = HEADLINE_KPIS,
                  **kpi_options) -> pd.DataFrame:
    """Headline KPIs in the latest mature period, the change, and how many tiers are on target.

    Periods are by order date. Only *mature* periods count
    (:func:`workbench.kpis.scorecards.period_maturity`: ended, and at least 99 %
    of their lines delivered): the newest, still-maturing periods are
    right-censored (only their fast lines are in), so they are neither the
    headline, nor the previous period of the change, nor a control-limit
    signal.

    Returns
    -------
    DataFrame
        ``kpi, period_start, value, previous, change, deteriorated (significant,
        from control limits), tiers_on_target, tiers_with_target``;
        ``attrs["provisional_periods"]`` lists the periods left out as provisional.
    """
    marked = period_maturity(kpi_table(orders, period=period, kpis=list(kpis), **kpi_options),
                             orders, period=period)
    trend = marked[~marked["provisional"]]
    by_tier = kpi_table(orders, by="tier", period=period, kpis=list(kpis),
                        customers=tiers[["customer_id", "tier"]], **kpi_options)
    rows = []
    periods = sorted(trend["period_start"].unique())
    if not periods:
        return pd.DataFrame(columns=["kpi", "period_start", "value", "previous", "change",
                                     "deteriorated", "tiers_on_target", "tiers_with_target"])
    last = periods[-1]
    prev = periods[-2] if len(periods) > 1 else None
    for k in kpis:
        s = trend[trend["kpi"] == k].set_index("period_start")["value"]
        value = s.get(last)
        previous = s.get(prev) if prev is not None else None
        limits = control_limits(marked, k)
        det = bool(limits.loc[limits["period_start"] == last, "deteriorated"].any())
        tt = by_tier[(by_tier["kpi"] == k) & (by_tier["period_start"] == last)]
        tgt = targets[targets["kpi"] == k]
        joined = tt.merge(tgt, on="tier", how="inner")
        higher = "cycle_time" not in k
        met = ((joined["value"] >= joined["target"]) if higher
               else (joined["value"] <= joined["target"]))
        rows.append((k, last, value, previous,
                     None if value is None or previous is None else value - previous, det,
                     int(met.sum()), len(joined)))
    out = pd.DataFrame(rows, columns=["kpi", "period_start", "value", "previous", "change",
                                      "deteriorated", "tiers_on_target", "tiers_with_target"])
    out.attrs["provisional_periods"] = sorted(
        marked.loc[marked["provisional"], "period_start"].unique())
    return out


def alert_overview(status: pd.DataFrame) -> pd.DataFrame:
    """Count alerts by level (rows 3, 2, 1) and status (new, escalated, ...)."""
    if status.empty:
        return pd.DataFrame(0, index=pd.Index([3, 2, 1], name="alert_level"),
                            columns=list(STATUSES))
    s = status.assign(status=status["status"] if "status" in status else "new")
    table = s.pivot_table(index="alert_level", columns="status", values="alert_id",
                          aggfunc="count", fill_value=0)
    return table.reindex(index=[3, 2, 1], columns=list(STATUSES), fill_value=0).astype(int)


def top_risks(alerts: pd.DataFrame, lines: pd.DataFrame, customers: pd.DataFrame | None = None,
              *, n: int = 5) -> pd.DataFrame:
    """Return the ``n`` most serious customer-facing risks with the customers and orders they hit.

    Ranked by level (3 first), then first short date, then quantity short.
    Returns ``item_id, alert_level, first_short_date, qty_short, customers
    (names), orders, recommended_action``.
    """
    if alerts.empty:
        return pd.DataFrame(columns=["item_id", "alert_level", "first_short_date", "qty_short",
                                     "customers", "orders", "recommended_action"])
    a = alerts[alerts["alert_level"] >= 2].sort_values(
        ["alert_level", "first_short_date", "qty_short"], ascending=[False, True, False]).head(n)
    names = {}
    if customers is not None and "customer_name" in customers:
        names = dict(zip(customers["customer_id"].astype(str),
                         customers["customer_name"].astype(str), strict=False))
    ln = lines[lines["alert_id"].isin(a["alert_id"]) & (lines["qty_short"] > 0)]
    who = ln.assign(name=ln["customer_id"].astype(str).map(lambda c: names.get(c, c)))
    cust = who.groupby("alert_id")["name"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    orders = ln.groupby("alert_id")["order_id"].agg(lambda s: ", ".join(dict.fromkeys(
        s.astype(str))))
    out = a[["alert_id", "item_id", "alert_level", "first_short_date", "qty_short",
             "recommended_action"]].copy()
    out["customers"] = out["alert_id"].map(cust).fillna("-")
    out["orders"] = out["alert_id"].map(orders).fillna("-")
    return out[["item_id", "alert_level", "first_short_date", "qty_short", "customers",
                "orders", "recommended_action"]].reset_index(drop=True)


def churn_overview(warnings: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                   n: int = 5) -> pd.DataFrame:
    """Return the ``n`` customers at churn risk with the most revenue at risk, with the reason."""
    risky = warnings[warnings["churn_risk"].astype(bool)].sort_values(
        "revenue_at_risk", ascending=False).head(n)
    out = risky[["customer_id", "revenue_at_risk", "reason"]].copy()
    if customers is not None and "customer_name" in customers:
        out = out.merge(customers[["customer_id", "customer_name"]], on="customer_id",
                        how="left")
    return out.reset_index(drop=True)


def narrative(headline: pd.DataFrame, alerts: pd.DataFrame, risks: pd.DataFrame,
              churn: pd.DataFrame, *, as_of: object, churn_total: float | None = None,
              churn_count: int | None = None, cost: dict | None = None,
              lang: str = "en") -> list[str]:
    """Short sentences generated from the numbers, most important first.

    Parameters
    ----------
    headline
        :func:`headline_kpis`; the first sentence is on OTIF, else (no received
        quantities) on time to the promised date.
    alerts
        :func:`alert_overview`; ``None`` when the early warning could not run
        (no supply plan or inventory): no sentence about supply risks then.
    risks, churn
        :func:`top_risks`, :func:`churn_overview`.
    churn_total, churn_count
        Revenue at risk and number of all flagged customers (default: those in ``churn``).
        A missing (NaN) total, for order lines without prices, leaves the amount out.
    cost
        Optional ``{"current_service", "optimal_service", "current_cost",
        "optimal_cost"}`` from the service-vs-cost analysis.
    lang
        ``en`` or ``zh``.
    """
    check_language(lang)
    out: list[str] = []
    h = headline.set_index("kpi") if len(headline) else headline
    # OTIF, else (no received quantities in the data) on time to the promised date
    lead = next((k for k in ("otif_order_rate", "on_time_promised_rate")
                 if k in getattr(h, "index", [])), None)
    if lead is not None:
        r = h.loc[lead]
        period = pd.Timestamp(r["period_start"])
        if lang == "en":
            s = (f"{'OTIF' if lead == 'otif_order_rate' else 'On time to promise'} was "
                 f"{fmt_pct(r['value'])} in {period:%B %Y}"
                 + (f" ({fmt_points(r['change'])} on the month before)"
                    if pd.notna(r["change"]) else "")
                 + f"; {r['tiers_on_target']} of {r['tiers_with_target']} customer tiers met "
                   f"their target.")
            if r["deteriorated"]:
                s += " The drop is significant (outside the control limits)."
        else:
            s = (f"{period.year}年{period.month}月"
                 f"{'准时足量交付率' if lead == 'otif_order_rate' else '按承诺日期准时率'}为"
                 f"{fmt_pct(r['value'])}"
                 + (f"（较上月{fmt_points(r['change'], 'zh')}）" if pd.notna(r["change"]) else "")
                 + f"；{r['tiers_with_target']}个客户等级中有{r['tiers_on_target']}个达标。")
            if r["deteriorated"]:
                s += "下降显著（超出控制限）。"
        out.append(s)
    if alerts is not None:  # None: the early warning could not run, nothing to say
        lvl3 = int(alerts.loc[3].sum() - alerts.loc[3, "resolved"]) if 3 in alerts.index else 0
        lvl2 = int(alerts.loc[2].sum() - alerts.loc[2, "resolved"]) if 2 in alerts.index else 0
        new = int(alerts[["new", "escalated"]].loc[[3, 2]].to_numpy().sum()) if len(alerts) else 0
        resolved = int(alerts["resolved"].sum()) if len(alerts) else 0
        if lvl3 or lvl2 or resolved:
            if lang == "en":
                s = (f"As of {fmt_date(as_of)}, {lvl3} confirmed supply break(s) and {lvl2} potential "
                     f"customer risk(s) are open ({new} new or escalated since the last review)")
                s += f"; {resolved} risk(s) were resolved." if resolved else "."
            else:
                s = (f"截至{fmt_date(as_of, 'zh')}，有{lvl3}项确认断供和{lvl2}项潜在客户风险"
                     f"（自上次评审以来新增或升级{new}项）")
                s += f"；{resolved}项风险已解除。" if resolved else "。"
            out.append(s)
        else:
            out.append("No customer-facing supply risk is open." if lang == "en"
                       else "目前没有面向客户的供应风险。")
    if len(risks):
        r = risks.iloc[0]
        if lang == "en":
            out.append(f"Most urgent: item {r['item_id']} runs short from "
                       f"{fmt_date(r['first_short_date'])} ({fmt_num(r['qty_short'])} units), "
                       f"hitting {r['customers']}.")
        else:
            out.append(f"最紧急：物料{r['item_id']}自{fmt_date(r['first_short_date'], 'zh')}起缺货"
                       f"（{fmt_num(r['qty_short'], 'zh')}件），影响客户：{r['customers']}。")
    if len(churn):
        total = (churn_total if churn_total is not None
                 else float(churn["revenue_at_risk"].sum(min_count=1)))
        count = churn_count if churn_count is not None else len(churn)
        top = churn.iloc[0]
        name = top.get("customer_name") if pd.notna(top.get("customer_name")) else None
        name = name or top["customer_id"]
        if pd.isna(total):  # no prices: no revenue at risk, no "largest"
            out.append(f"{count} customer(s) are at churn risk, for example {name} (no prices "
                       f"in the data: no revenue at risk)." if lang == "en" else
                       f"{count}个客户有流失风险，例如{name}（数据中没有单价：无法计算风险收入）。")
        elif lang == "en":
            out.append(f"{count} customer(s) are at churn risk, with {fmt_money(total)} of "
                       f"revenue over the last 12 months; the largest is {name}.")
        else:
            out.append(f"{count}个客户有流失风险，近12个月收入合计{fmt_money(total, 'zh')}，"
                       f"其中最大的是{name}。")
    if cost:
        gap = cost["current_cost"] - cost["optimal_cost"]
        if lang == "en":
            out.append(f"The current service policy ({fmt_pct(cost['current_service'])}) costs "
                       f"{fmt_money(cost['current_cost'])} a year; the cost-optimal level of "
                       f"{fmt_pct(cost['optimal_service'])} would cost {fmt_money(gap)} "
                       f"{'less' if gap >= 0 else 'more'}.")
        else:
            out.append(f"当前服务水平（{fmt_pct(cost['current_service'], 'zh')}）年成本为"
                       f"{fmt_money(cost['current_cost'], 'zh')}；成本最优水平"
                       f"{fmt_pct(cost['optimal_service'], 'zh')}可"
                       f"{'节省' if gap >= 0 else '增加'}{fmt_money(abs(gap), 'zh')}。")
    return out


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rename columns (and KPI / status values) to the labels of ``lang`` for display."""
    out = frame.copy()
    for col in ("kpi", "status"):
        if col in out:
            out[col] = out[col].map(lambda k: t(str(k), lang))
    return out.rename(columns={c: t(c, lang) for c in out.columns})
