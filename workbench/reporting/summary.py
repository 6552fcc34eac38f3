"""The manager summary: headline KPIs, warnings, risks, churn and cost, told in sentences.

Headline KPIs, early-warning state, top risks, churn and the cost of the current
service policy, and a short narrative generated from those numbers (English or
Chinese).

Every function here condenses results computed elsewhere (``kpis``, ``alerts``,
``customers``, ``inventory``) into small frames; :func:`narrative` turns them
into sentences. No sentence is written unless its numbers are there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import (
    code_words,
    column_label,
    fmt_date,
    fmt_money,
    fmt_num,
    fmt_pct,
    fmt_points,
    label,
    t,
)
from workbench.inventory import PolicyCost, current_policy_cost, explorer_items
from workbench.io.dataset import Dataset
from workbench.kpis import control_limits, kpi_table, scorecard
from workbench.kpis.scorecards import period_maturity
from workbench.planning.ranking import MoneyAtStake, money_at_stake, rank_alerts
from workbench.reporting.availability import not_available_note
from workbench.reporting.charts import scorecard_chart
from workbench.reporting.inputs import demand_date
from workbench.reporting.pages.wording import p_text, period_name, span_text
from workbench.reporting.tables import ColumnSpec, ReportTable, isolate_bidi, md, report_table
from workbench.validation import check_language

__all__ = [
    "HEADLINE_KPIS",
    "STATUSES",
    "alert_overview",
    "alerts_table",
    "churn_overview",
    "churn_reasons",
    "churn_table",
    "cost_items_table",
    "cost_table",
    "customers_at_risk_table",
    "demand_span",
    "headline_caption",
    "headline_kpis",
    "headline_table",
    "horizon_text",
    "labelled",
    "money_at_risk",
    "money_sentence",
    "narrative",
    "planning_note",
    "policy_sentence",
    "risks_table",
    "scorecard_figure",
    "service_policy_cost",
    "title_markdown",
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


_ACTION_NUMBERS = ("affected_customers", "gap_qty", "covered_by_date", "expedite_mode",
                   "expedite_cost", "expedite_arrival")


def top_risks(alerts: pd.DataFrame, lines: pd.DataFrame, customers: pd.DataFrame | None = None,
              *, n: int = 5) -> pd.DataFrame:
    """Return the ``n`` most serious customer-facing risks with the customers and orders they hit.

    Ranked by level (3 first), then first short date, then quantity short.
    Returns ``item_id, alert_level, first_short_date, qty_short, customers
    (names), orders, recommended_action``, then ``alert_id`` and, where the
    alerts have them, the numbers :func:`risks_table` words the action from
    (``affected_customers, gap_qty, covered_by_date, expedite_mode,
    expedite_cost, expedite_arrival``).
    """
    if alerts.empty:
        return pd.DataFrame(columns=["item_id", "alert_level", "first_short_date", "qty_short",
                                     "customers", "orders", "recommended_action", "alert_id"])
    a = alerts[alerts["alert_level"] >= 2].sort_values(
        ["alert_level", "first_short_date", "qty_short"], ascending=[False, True, False]).head(n)
    names = {}
    if customers is not None and "customer_name" in customers:
        names = dict(zip(customers["customer_id"].astype(str),
                         customers["customer_name"].astype(str), strict=False))
    ln = lines[lines["alert_id"].isin(a["alert_id"]) & (lines["qty_short"] > 0)]
    who = ln.assign(name=ln["customer_id"].astype(str).map(lambda c: names.get(c, c)))
    # each name isolated: a right-to-left override in one name must not reverse the others
    cust = who.groupby("alert_id")["name"].agg(
        lambda s: ", ".join(dict.fromkeys(isolate_bidi(str(x)) for x in s)))
    orders = ln.groupby("alert_id")["order_id"].agg(lambda s: ", ".join(dict.fromkeys(
        s.astype(str))))
    out = a[["alert_id", "item_id", "alert_level", "first_short_date", "qty_short",
             "recommended_action"]].copy()
    out["customers"] = out["alert_id"].map(cust).fillna("-")
    out["orders"] = out["alert_id"].map(orders).fillna("-")
    extra = [c for c in _ACTION_NUMBERS if c in a]
    out = out.join(a[extra])
    return out[["item_id", "alert_level", "first_short_date", "qty_short", "customers",
                "orders", "recommended_action", "alert_id", *extra]].reset_index(drop=True)


_CHURN_NUMBERS = ("last_order_date", "days_since_last", "interval_median", "interval_p95",
                  "p_gap", "volume_recent", "volume_baseline", "volume_ratio", "p_volume",
                  "baseline", "flag_gap", "flag_volume")


def churn_overview(warnings: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                   n: int = 5) -> pd.DataFrame:
    """Return the ``n`` customers at churn risk with the most revenue at risk, with the reason.

    Keeps ``customer_id, revenue_at_risk, reason``, the numbers of the reason
    (:func:`churn_reasons`) and ``customer_name`` when ``customers`` has it.
    """
    risky = warnings[warnings["churn_risk"].astype(bool)].sort_values(
        "revenue_at_risk", ascending=False).head(n)
    keep = ["customer_id", "revenue_at_risk", "reason",
            *[c for c in _CHURN_NUMBERS if c in risky]]
    out = risky[keep].copy()
    if customers is not None and "customer_name" in customers:
        out = out.merge(customers[["customer_id", "customer_name"]], on="customer_id",
                        how="left")
    return out.reset_index(drop=True)


_PREVIOUS = {"M": ("the month before", "上月"), "Q": ("the quarter before", "上季度"),
             "W": ("the week before", "上周"), "D": ("the day before", "前一天")}


def _lead_sentence(h: pd.DataFrame, lead: str, period: str, lang: str) -> str:
    """Write the first sentence: OTIF (or on time to promise) in the latest mature period."""
    r = h.loc[lead]
    when = period_name(r["period_start"], period, lang)
    before_en, before_zh = _PREVIOUS.get(str(period).upper(), _PREVIOUS["M"])
    if lang == "en":
        s = (f"{'OTIF' if lead == 'otif_order_rate' else 'On time to promise'} was "
             f"{fmt_pct(r['value'])} in {when}"
             + (f" ({fmt_points(r['change'])} on {before_en})" if pd.notna(r["change"]) else "")
             + f"; {r['tiers_on_target']} of {r['tiers_with_target']} customer tiers met "
               f"their target.")
        return s + (" The drop is significant (outside the control limits)."
                    if r["deteriorated"] else "")
    s = (f"{when}{'准时足量交付率' if lead == 'otif_order_rate' else '按承诺日期准时率'}为"
         f"{fmt_pct(r['value'])}"
         + (f"（较{before_zh}{fmt_points(r['change'], 'zh')}）" if pd.notna(r["change"]) else "")
         + f"；{r['tiers_with_target']}个客户等级中有{r['tiers_on_target']}个达标。")
    return s + ("下降显著（超出控制限）。" if r["deteriorated"] else "")


def _alert_sentence(alerts: pd.DataFrame, as_of: object, lang: str) -> str:
    """Open confirmed breaks and potential risks, new since the last review, resolved."""
    lvl3 = int(alerts.loc[3].sum() - alerts.loc[3, "resolved"]) if 3 in alerts.index else 0
    lvl2 = int(alerts.loc[2].sum() - alerts.loc[2, "resolved"]) if 2 in alerts.index else 0
    new = int(alerts[["new", "escalated"]].loc[[3, 2]].to_numpy().sum()) if len(alerts) else 0
    resolved = int(alerts["resolved"].sum()) if len(alerts) else 0
    if not (lvl3 or lvl2 or resolved):
        return ("No customer-facing supply risk is open." if lang == "en"
                else "目前没有面向客户的供应风险。")
    if lang == "en":
        s = (f"As of {fmt_date(as_of)}, {lvl3} confirmed supply break(s) and {lvl2} potential "
             f"customer risk(s) are open ({new} new or escalated since the last review)")
        return s + (f"; {resolved} risk(s) were resolved." if resolved else ".")
    s = (f"截至{fmt_date(as_of, 'zh')}，有{lvl3}项确认断供和{lvl2}项潜在客户风险"
         f"（自上次评审以来新增或升级{new}项）")
    return s + (f"；{resolved}项风险已解除。" if resolved else "。")


def _churn_sentence(churn: pd.DataFrame, total: float | None, count: int | None,
                    lang: str, currency: str) -> str:
    total = total if total is not None else float(churn["revenue_at_risk"].sum(min_count=1))
    count = count if count is not None else len(churn)
    top = churn.iloc[0]
    name = top.get("customer_name") if pd.notna(top.get("customer_name")) else None
    name = isolate_bidi(str(name or top["customer_id"]))
    if pd.isna(total):  # no prices: no revenue at risk, no "largest"
        return (f"{count} customer(s) are at churn risk, for example {name} (no prices in the "
                f"data: no revenue at risk)." if lang == "en" else
                f"{count}个客户有流失风险，例如{name}（数据中没有单价：无法计算风险收入）。")
    if lang == "en":
        return (f"{count} customer(s) are at churn risk, with {fmt_money(total, lang, currency)} "
                f"of revenue over the last 12 months; the largest is {name}.")
    return (f"{count}个客户有流失风险，近12个月收入合计{fmt_money(total, 'zh', currency)}，"
            f"其中最大的是{name}。")


def _cost_sentence(cost: dict, lang: str, currency: str) -> str:
    """Say what the service policy costs; optima beyond the levels searched are named so.

    Examples
    --------
    >>> cost = {"current_service": 0.931, "optimal_service": 0.99, "current_cost": 1_080_000.0,
    ...         "optimal_cost": 700_600.0}
    >>> _cost_sentence(cost, "en", "EUR")
    'The current safety stocks (service level 93.1%) cost €1.08 m a year; at the cost-optimal level of 99.0% they would cost €379.4 k less.'
    >>> bounded = dict(cost, optimal_service=0.9999, optimum_at_bound=True, items=100,
    ...                items_above_range=100, search_range=(0.5, 0.9999))
    >>> _cost_sentence(bounded, "en", "EUR").split("; ")[1]
    'the cost keeps falling up to the highest level searched (99.99%), so there is no optimum within the range: at that level they would cost €379.4 k less, and more still above it.'
    """
    gap = cost["current_cost"] - cost["optimal_cost"]
    saving = fmt_money(abs(gap), lang, currency)
    n, above = int(cost.get("items", 0)), int(cost.get("items_above_range", 0))
    below = int(cost.get("items_below_range", 0))
    low, high = cost.get("search_range", (0.5, 0.9999))
    level = fmt_pct(cost["optimal_service"], lang, 2 if cost["optimal_service"] >= 0.9995 else 1)
    top = fmt_pct(high, lang, 2 if high >= 0.9995 else 1)
    bottom = fmt_pct(low, lang)
    if lang == "en":
        head = (f"The current safety stocks (service level {fmt_pct(cost['current_service'])}) "
                f"cost {fmt_money(cost['current_cost'], lang, currency)} a year; ")
        more = "less" if gap >= 0 else "more"
        if cost.get("optimum_at_bound") and n and above + below == n:
            word, end, side = (("up", "highest", "above") if above else
                               ("down", "lowest", "below"))
            return head + (f"the cost keeps falling {word} to the {end} level searched "
                           f"({top if above else bottom}), so there is no optimum within the "
                           f"range: at that level they would cost {saving} {more}, and more "
                           f"still {side} it.")
        out = head + f"at the cost-optimal level of {level} they would cost {saving} {more}"
        for count, word, end, bound in ((above, "up", "highest", top),
                                        (below, "down", "lowest", bottom)):
            if cost.get("optimum_at_bound") and count:
                out += (f" (for {count} of {n} items the cost keeps falling {word} to the {end} "
                        f"level searched, {bound}, where they are counted)")
        return out + "."
    head = (f"当前安全库存（服务水平{fmt_pct(cost['current_service'], 'zh')}）每年成本为"
            f"{fmt_money(cost['current_cost'], 'zh', currency)}；")
    verb = "节省" if gap >= 0 else "增加"
    if cost.get("optimum_at_bound") and n and above + below == n:
        end, side = ("最高", "之上") if above else ("最低", "之下")
        return head + (f"成本一直下降到所搜索的{end}水平（{top if above else bottom}），搜索范围内"
                       f"没有最优水平：采用该水平每年可{verb}{saving}，在此{side}还会更多。")
    out = head + f"若采用成本最优水平{level}，每年可{verb}{saving}"
    for count, end, bound in ((above, "最高", top), (below, "最低", bottom)):
        if cost.get("optimum_at_bound") and count:
            out += (f"（{n}个物料中有{count}个的成本一直下降到所搜索的{end}水平{bound}，"
                    f"按该水平计算）")
    return out + "。"


def service_policy_cost(ds: Dataset, tiers: pd.DataFrame | None, *, holding_rate: float = 0.25,
                        shortage_cost_pct: float = 0.3) -> PolicyCost | None:
    """Return what the item master's safety stocks cost a year against each item's optimum.

    The one computation behind the cost of the service policy in the manager summary
    and the early-warning report (:func:`workbench.inventory.current_policy_cost` on
    the items' weekly demand by the date that places demand in time); ``None`` when
    the data cannot say (see :func:`workbench.reporting.availability.not_available_note`
    for ``policy_cost``).
    """
    if not_available_note("policy_cost", ds) is not None:
        return None
    column = demand_date(ds.orders).value
    items = explorer_items(ds.orders, ds.items, tiers, date_column=column)
    return current_policy_cost(items, ds.items.set_index("item_id")["safety_stock"],
                               holding_rate=holding_rate, shortage_cost_pct=shortage_cost_pct)


def policy_sentence(policy: PolicyCost, lang: str = "en", currency: str = "") -> str:
    """One sentence: the current service level, its yearly cost and the cost-optimal level's."""
    return _cost_sentence(policy.as_dict(), check_language(lang), currency)


def money_sentence(money: MoneyAtStake, lang: str = "en") -> str:
    """One sentence on the money at stake: order value at risk and the expedite cost.

    ``""`` when no customer order line is affected.

    Examples
    --------
    >>> by_customer = pd.DataFrame({"customer_name": ["Acme"], "value_at_risk": [1260.0]})
    >>> m = MoneyAtStake("EUR", 1260.0, pd.DataFrame(), by_customer, 4108.0, 2, 5, 0, 1)
    >>> money_sentence(m)
    'Open orders worth €1.3 k are at risk (5 order lines of 1 customer(s), most for Acme); the proposed expedites cost €4.1 k.'
    >>> money_sentence(m, "zh")
    '价值€1,260的未交订单面临风险（1个客户的5个订单行，最多的是Acme）；建议的加急费用为€4,108。'
    """
    check_language(lang)
    if not money.lines_total:
        return ""
    cur = money.currency
    expedite = (fmt_money(money.total_expedite_cost, lang, cur) if money.expedited_alerts
                else None)
    if np.isnan(money.total_value_at_risk):
        value_en = (f"{money.lines_total:,} open order lines of {money.customers:,} customer(s) "
                    f"are at risk (no unit prices: value unknown)")
        value_zh = (f"{money.customers:,}个客户的{money.lines_total:,}个未交订单行面临风险"
                    f"（无单价：金额未知）")
    else:
        top = money.by_customer.dropna(subset=["value_at_risk"])
        who = isolate_bidi(str(top["customer_name"].iloc[0])) if len(top) else ""
        v = fmt_money(money.total_value_at_risk, lang, cur)
        value_en = (f"Open orders worth {v} are at risk ({money.lines_total:,} order lines of "
                    f"{money.customers:,} customer(s)" + (f", most for {who}" if who else "") + ")")
        value_zh = (f"价值{v}的未交订单面临风险（{money.customers:,}个客户的"
                    f"{money.lines_total:,}个订单行" + (f"，最多的是{who}" if who else "") + "）")
    if lang == "en":
        return value_en + (f"; the proposed expedites cost {expedite}." if expedite
                           else "; no expedite is proposed.")
    return value_zh + (f"；建议的加急费用为{expedite}。" if expedite else "；未建议加急。")


def narrative(headline: pd.DataFrame, alerts: pd.DataFrame, risks: pd.DataFrame,
              churn: pd.DataFrame, *, as_of: object, churn_total: float | None = None,
              churn_count: int | None = None, cost: dict | None = None,
              money: MoneyAtStake | None = None, period: str = "M", currency: str = "",
              lang: str = "en") -> list[str]:
    """Short sentences generated from the numbers, most important first.

    Parameters
    ----------
    headline
        :func:`headline_kpis`; the first sentence is on OTIF, else (no received
        quantities) on time to the promised date, in the latest mature period.
    alerts
        :func:`alert_overview`; ``None`` when the early warning could not run
        (no supply plan or inventory): no sentence about supply risks then.
    risks, churn
        :func:`top_risks`, :func:`churn_overview`.
    as_of
        The planning date.
    churn_total, churn_count
        Revenue at risk and number of all flagged customers (default: those in ``churn``).
        A missing (NaN) total, for order lines without prices, leaves the amount out.
    cost
        Optional ``{"current_service", "optimal_service", "current_cost",
        "optimal_cost"}`` from the service-vs-cost analysis (yearly costs), with
        optionally ``optimum_at_bound, items, items_above_range,
        items_below_range, search_range`` (:meth:`workbench.inventory.PolicyCost.as_dict`):
        items whose optimum lies beyond the levels searched are then named so
        rather than called optimal.
    money
        Optional :func:`money_at_risk` result: a sentence on order value at risk
        and expedite cost (:func:`money_sentence`).
    period
        KPI period (``M``, ``Q``, ``W``, ``D``) for naming the headline period.
    currency
        ISO code of the amounts (``ds.settings.currency``; ``""``: no symbol).
    lang
        ``en`` or ``zh``.

    Returns
    -------
    list of str
        The sentences; none is written unless its numbers are there.
    """
    check_language(lang)
    out: list[str] = []
    h = headline.set_index("kpi") if len(headline) else headline
    # OTIF, else (no received quantities in the data) on time to the promised date
    lead = next((k for k in ("otif_order_rate", "on_time_promised_rate")
                 if k in getattr(h, "index", [])), None)
    if lead is not None:
        out.append(_lead_sentence(h, lead, period, lang))
    if alerts is not None:  # None: the early warning could not run, nothing to say
        out.append(_alert_sentence(alerts, as_of, lang))
    if len(risks):
        r = risks.iloc[0]
        if lang == "en":
            out.append(f"Most urgent: item {r['item_id']} runs short from "
                       f"{fmt_date(r['first_short_date'])} ({fmt_num(r['qty_short'])} units), "
                       f"hitting {r['customers']}.")
        else:
            out.append(f"最紧急：物料{r['item_id']}自{fmt_date(r['first_short_date'], 'zh')}起缺货"
                       f"（{fmt_num(r['qty_short'], 'zh')}件），影响客户：{r['customers']}。")
    if money is not None and money.lines_total:
        out.append(money_sentence(money, lang))
    if len(churn):
        out.append(_churn_sentence(churn, churn_total, churn_count, lang, currency))
    if cost:
        out.append(_cost_sentence(cost, lang, currency))
    return out


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rename columns (and KPI / status values) to the labels of ``lang`` for display."""
    out = frame.copy()
    for col in ("kpi", "status"):
        if col in out:
            out[col] = out[col].map(lambda k: t(str(k), lang))
    return out.rename(columns={c: t(c, lang) for c in out.columns})


# --------------------------------------------------------------------------------------
# Sections of the report: tables and captions in the report's language
# --------------------------------------------------------------------------------------

_UNIT_WORDS = {"M": ("month", "月份"), "Q": ("quarter", "季度"), "W": ("week", "周"),
               "D": ("day", "日")}


def _words(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def money_at_risk(alerts: pd.DataFrame, lines: pd.DataFrame, orders: pd.DataFrame | None,
                  customers: pd.DataFrame | None = None, tiers: pd.DataFrame | None = None, *,
                  currency: str = "", lang: str = "en") -> MoneyAtStake:
    """Money at stake in the early warning's customer-facing alerts, noise held back.

    The alerts are ranked (:func:`workbench.planning.ranking.rank_alerts`, with
    the customers' ``tiers``); those its noise controls hold back are left out,
    the rest go to :func:`workbench.planning.ranking.money_at_stake` (levels 2-3).

    Parameters
    ----------
    alerts, lines
        :attr:`workbench.planning.alerts.EarlyWarning.alerts` and ``.lines``.
    orders
        Order lines with ``unit_price`` (``None``: values unknown).
    customers
        Customer master for the names (optional).
    tiers
        ``customer_id, tier`` for the ranking (optional).
    currency
        ISO code of prices and expedite costs (``ds.settings.currency``).
    lang
        ``en`` or ``zh``.

    Returns
    -------
    MoneyAtStake
    """
    check_language(lang)
    ranked = rank_alerts(alerts, lines, orders, tiers, currency=currency, language=lang)
    shown = ranked[ranked["held_back"].astype(str) == ""]
    return money_at_stake(shown, lines, orders, customers, currency=currency)


_STEPS = {"M": pd.DateOffset(months=1), "Q": pd.DateOffset(months=3),
          "W": pd.DateOffset(weeks=1), "D": pd.DateOffset(days=1)}


def _previous_start(start: object, period: str) -> pd.Timestamp:
    """Return the first day of the period before the one starting on ``start``."""
    return pd.Timestamp(start) - _STEPS.get(str(period).upper(), _STEPS["M"])


def headline_caption(headline: pd.DataFrame, period: str = "M", lang: str = "en") -> str:
    """Name the headline's period, the one it is compared with, and the provisional ones.

    Examples
    --------
    >>> h = pd.DataFrame({"kpi": ["otif_order_rate"] * 2, "period_start":
    ...                   pd.to_datetime(["2026-02-01", "2026-01-01"])})
    >>> h.attrs["provisional_periods"] = list(pd.to_datetime(["2026-03-01", "2026-06-01"]))
    >>> headline_caption(h)
    'Latest month with its orders delivered: Feb 2026, against Jan 2026. Mar 2026 – Jun 2026 are left out: their orders are not all delivered yet.'
    >>> headline_caption(h, lang="zh")
    '订单已交付的最近一个月份：2026年2月，对比2026年1月。2026年3月–2026年6月尚有订单未交付，未计入。'
    """
    check_language(lang)
    if headline.empty:
        return ""
    starts = sorted(pd.to_datetime(headline["period_start"]).unique())
    code = str(period).upper()
    unit_en, unit_zh = _UNIT_WORDS.get(code, _UNIT_WORDS["M"])
    last = period_name(starts[-1], code, lang)
    prev = period_name(_previous_start(starts[-1], code), code, lang)
    open_ = [p for p in headline.attrs.get("provisional_periods", [])
             if pd.Timestamp(p) > pd.Timestamp(starts[-1])]  # the newest, still open
    names = [period_name(p, code, lang) for p in open_]
    span = ("" if not names else names[0] if len(names) == 1 else
            f"{names[0]} – {names[-1]}" if lang == "en" else f"{names[0]}–{names[-1]}")
    if lang == "en":
        s = f"Latest {unit_en} with its orders delivered: {last}" + (
            f", against {prev}." if prev else ".")
        one = len(names) == 1
        return s + (f" {span} {'is' if one else 'are'} left out: {'its' if one else 'their'} "
                    f"orders are not all delivered yet." if names else "")
    s = f"订单已交付的最近一个{unit_zh}：{last}" + (f"，对比{prev}。" if prev else "。")
    return s + (f"{span}尚有订单未交付，未计入。" if names else "")


def headline_table(headline: pd.DataFrame, period: str = "M", lang: str = "en") -> ReportTable:
    """Show the headline KPIs: latest mature period, the one before, the change, tiers on target.

    Rates are percentages and their changes percentage points; the cycle time
    is in days. The caption names the periods (:func:`headline_caption`).

    Examples
    --------
    >>> h = pd.DataFrame({"kpi": ["otif_order_rate", "cycle_time_mean"],
    ...     "period_start": pd.to_datetime(["2026-02-01"] * 2), "value": [0.74, 27.34],
    ...     "previous": [0.682, 28.6], "change": [0.058, -1.26], "deteriorated": False,
    ...     "tiers_on_target": [0, 1], "tiers_with_target": [3, 0]})
    >>> headline_table(h).headers
    ('KPI', 'Feb 2026', 'Jan 2026', 'Change', 'Tiers on target')
    >>> ">74.0%<" in headline_table(h).html, ">-1.3 days<" in headline_table(h).html
    (True, True)
    """
    check_language(lang)
    code = str(period).upper()
    days = _words(lang, " days", "天")
    rows = []
    for r in headline.itertuples(index=False):  # a handful of KPIs
        if "cycle_time" in r.kpi:
            value = "" if pd.isna(r.value) else f"{r.value:,.1f}{days}"
            prev = "" if pd.isna(r.previous) else f"{r.previous:,.1f}{days}"
            change = "" if pd.isna(r.change) else f"{r.change:+,.1f}{days}"
        else:
            value = "" if pd.isna(r.value) else fmt_pct(r.value, lang)
            prev = "" if pd.isna(r.previous) else fmt_pct(r.previous, lang)
            change = "" if pd.isna(r.change) else fmt_points(r.change, lang)
        tiers = (_words(lang, f"{r.tiers_on_target} of {r.tiers_with_target}",
                        f"{r.tiers_with_target}个中{r.tiers_on_target}个")
                 if r.tiers_with_target else "")
        rows.append((r.kpi, value, prev, change, tiers))
    frame = pd.DataFrame(rows, columns=["kpi", "value", "previous", "change", "tiers"])
    last = prev = ""
    if len(headline):
        last = period_name(headline["period_start"].max(), code, lang)
        prev = period_name(_previous_start(headline["period_start"].max(), code), code, lang)
    text = {"kind": "text"}
    return report_table(frame, {
        "kpi": ColumnSpec(label=t("kpi", lang)),
        "value": ColumnSpec(label=last or t("value", lang), **text),
        "previous": ColumnSpec(label=prev or t("previous", lang), **text),
        "change": ColumnSpec(label=t("change", lang), **text),
        "tiers": ColumnSpec(label=t("tiers_on_target", lang), **text)},
        lang=lang, caption=headline_caption(headline, code, lang), filter=False)


def horizon_text(period_starts: Sequence[object], lang: str = "en") -> str:
    """Name the early warning's horizon: ``13 weeks, 29 Jun 2026 – 27 Sep 2026``.

    Examples
    --------
    >>> starts = pd.date_range("2026-06-29", periods=13, freq="W-MON")
    >>> horizon_text(starts), horizon_text(starts, "zh")
    ('13 weeks, 29 Jun 2026 – 27 Sep 2026', '13周，2026年6月29日–2026年9月27日')
    """
    check_language(lang)
    starts = pd.DatetimeIndex(pd.to_datetime(list(period_starts))).sort_values()
    if starts.empty:
        return ""
    step = starts[1] - starts[0] if len(starts) > 1 else pd.Timedelta(days=7)
    end = starts[-1] + step - pd.Timedelta(days=1)
    weeks = step == pd.Timedelta(days=7)
    n = len(starts)
    if lang == "en":
        unit = "weeks" if weeks else "periods"
        return f"{n} {unit}, {fmt_date(starts[0])} – {fmt_date(end)}"
    return f"{n}{'周' if weeks else '期'}，{fmt_date(starts[0], 'zh')}–{fmt_date(end, 'zh')}"


def alerts_table(overview: pd.DataFrame, as_of: object, horizon: str = "",
                 lang: str = "en") -> ReportTable:
    """Alerts by level (rows) and status since the last review (columns), with the date.

    Examples
    --------
    >>> ov = alert_overview(pd.DataFrame({"alert_id": ["a"], "alert_level": [3],
    ...                                   "status": ["new"]}))
    >>> table = alerts_table(ov, "2026-06-29", lang="zh")
    >>> table.headers
    ('预警级别', '新增', '升级', '持续', '降级', '已解除')
    >>> ">3 - 确认断供<" in table.html, "2026年6月29日" in table.html
    (True, True)
    """
    check_language(lang)
    frame = overview.copy()
    frame.index.name = "alert_level"
    columns: dict = {"alert_level": ColumnSpec(label=label("alert_level", lang), kind="code")}
    columns.update({s: ColumnSpec(label=t(s, lang)[:1].upper() + t(s, lang)[1:], kind="integer")
                    for s in STATUSES})
    caption = (f"Alerts on the planning date, {fmt_date(as_of)}" + (f" (next {horizon})"
                                                                    if horizon else "")
               + "; status against the last review." if lang == "en" else
               f"计划日期{fmt_date(as_of, 'zh')}的预警" + (f"（未来{horizon}）" if horizon else "")
               + "；状态对比上次评审。")
    return report_table(frame, columns, lang=lang, caption=caption, filter=False)


def _count(n: float, noun: str) -> str:
    """``1 unit``, ``1,027 units`` (English nouns with a plain plural)."""
    return f"{fmt_num(n)} {noun}" + ("" if n == 1 else "s")


def _action(r: pd.Series, lang: str, currency: str) -> str:
    """Say what to do about one risk, from its numbers (expedite, notices), in ``lang``."""
    n = int(r.get("affected_customers") or 0) if pd.notna(r.get("affected_customers")) else 0
    mode = r.get("expedite_mode")
    has = isinstance(mode, str) and bool(mode.strip()) and pd.notna(r.get("expedite_cost"))
    qty = r.get("gap_qty") if pd.notna(r.get("gap_qty")) else r.get("qty_short")
    if has:
        cost = fmt_money(r["expedite_cost"], lang, currency)
        when = fmt_date(r.get("expedite_arrival"), lang) if pd.notna(
            r.get("expedite_arrival")) else ""
        exp = (f"expedite {_count(qty, 'unit')} by {code_words(mode, lang)} ({cost}"
               + (f", arriving {when})" if when else ")") if lang == "en" else
               f"以{code_words(mode, lang)}加急{fmt_num(qty)}件（{cost}"
               + (f"，{when}到货）" if when else "）"))
    if int(r["alert_level"]) >= 3:
        covered = r.get("covered_by_date")
        rest = (exp if has else
                (f"supply catches up by {fmt_date(covered)}" if lang == "en"
                 else f"供应于{fmt_date(covered, 'zh')}恢复") if pd.notna(covered) else
                _words(lang, "plan new supply", "需安排新的供应"))
        return (f"Notify {_count(n, 'customer')} of the confirmed break; {rest}" if lang == "en"
                else f"通知{n}个客户确认断供；{rest}")
    first = exp if has else _words(lang, "find extra supply", "寻找补充供应")
    text = (f"{first}; warn {_count(n, 'customer')} of a possible shortage" if lang == "en"
            else f"{first}；提醒{n}个客户可能缺货")
    return text[:1].upper() + text[1:]


def risks_table(risks: pd.DataFrame, money: MoneyAtStake | None, as_of: object,
                horizon: str = "", lang: str = "en", currency: str = "") -> ReportTable:
    """Show the top supply risks: item, level, short from, quantity, customers, money, what to do.

    ``risks`` is :func:`top_risks`; ``money`` (:func:`money_at_risk`) adds each
    alert's order value at risk and expedite cost. What to do is written from
    the numbers (expedite mode, cost, arrival, customers to notify).

    Examples
    --------
    >>> risks = pd.DataFrame({"alert_id": ["a"], "item_id": ["I-1"], "alert_level": [2],
    ...     "first_short_date": pd.to_datetime(["2026-07-20"]), "qty_short": [1027.0],
    ...     "customers": ["Acme"], "orders": ["SO-1"], "affected_customers": [3],
    ...     "gap_qty": [1027.0], "expedite_mode": ["air freight"], "expedite_cost": [4108.0],
    ...     "expedite_arrival": pd.to_datetime(["2026-07-20"]),
    ...     "covered_by_date": pd.to_datetime(["2026-08-03"])})
    >>> table = risks_table(risks, None, "2026-06-29", currency="EUR")
    >>> "Expedite 1,027 units by air freight (€4.1 k, arriving 20 Jul 2026); warn 3 customers of a possible shortage" in table.html
    True
    """
    check_language(lang)
    frame = risks.copy()
    if money is not None and len(money.by_alert) and "alert_id" in frame:
        per = money.by_alert.set_index("alert_id")
        frame["value_at_risk"] = frame["alert_id"].map(per["value_at_risk"])
    frame["action"] = [_action(r, lang, currency) for _, r in frame.iterrows()]
    columns: dict = {"item_id": None, "alert_level": None, "first_short_date": None,
                     "qty_short": None,
                     "customers": ColumnSpec(label=t("customer", lang), kind="text")}
    if "value_at_risk" in frame:
        columns["value_at_risk"] = ColumnSpec(
            label=_words(lang, "Order value at risk", "风险订单金额")
            + _currency_tail(currency, lang), kind="money")
    columns["action"] = ColumnSpec(label=t("action", lang), kind="text")
    caption = (f"Most urgent customer-facing risks on {fmt_date(as_of)}"
               + (f" (next {horizon})" if horizon else "") + "." if lang == "en" else
               f"{fmt_date(as_of, 'zh')}最紧急的客户供应风险"
               + (f"（未来{horizon}）" if horizon else "") + "。")
    return report_table(frame, columns, lang=lang, currency=currency, caption=caption,
                        filter=False)


def _tail(column: str, currency: str, lang: str) -> str:
    """Return the unit part of a registry header: `` (EUR)``, `` (EUR per year)``, ``（欧元/年）``."""
    entry = column_label(column)
    return label(column, lang, currency)[len(entry.en if lang == "en" else entry.zh):]


def _currency_tail(currency: str, lang: str) -> str:
    """`` (EUR)`` / ``（欧元）`` after a money header, ``""`` without a currency."""
    return _tail("revenue", currency, lang)


def _per_year(currency: str, lang: str) -> str:
    """`` (EUR per year)`` / ``（欧元/年）``; without a currency `` (per year)``."""
    return _tail("extra_cost", currency, lang)


def customers_at_risk_table(money: MoneyAtStake, as_of: object, horizon: str = "",
                            lang: str = "en", n: int = 5) -> ReportTable:
    """Show the customers with the most open order value at risk (largest first).

    Examples
    --------
    >>> by_customer = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["Acme"],
    ...     "value_at_risk": [1260.0], "lines": [2], "lines_without_price": [0],
    ...     "qty_short": [14.0], "alerts": [1]})
    >>> m = MoneyAtStake("EUR", 1260.0, pd.DataFrame(), by_customer, 0.0, 0, 2, 0, 1)
    >>> table = customers_at_risk_table(m, "2026-06-29")
    >>> table.headers
    ('Customer', 'Order value at risk (EUR)', 'Order lines', 'Quantity short (units)', 'Alerts')
    >>> ">1,260<" in table.html
    True
    """
    check_language(lang)
    cur = money.currency
    columns = {"customer_name": ColumnSpec(label=t("customer", lang), kind="text"),
               "value_at_risk": ColumnSpec(label=_words(lang, "Order value at risk", "风险订单金额")
                                           + _currency_tail(cur, lang), kind="money"),
               "lines": ColumnSpec(label=_words(lang, "Order lines", "订单行"), kind="integer"),
               "qty_short": None,
               "alerts": ColumnSpec(label=_words(lang, "Alerts", "预警数"), kind="integer")}
    caption = (f"Customers with the most open order value at risk on {fmt_date(as_of)}"
               + (f" (next {horizon})" if horizon else "") + "." if lang == "en" else
               f"{fmt_date(as_of, 'zh')}风险订单金额最高的客户"
               + (f"（未来{horizon}）" if horizon else "") + "。")
    return report_table(money.by_customer, columns, lang=lang, currency=cur, caption=caption,
                        max_rows=n, filter=False)


def churn_reasons(churn: pd.DataFrame, lang: str = "en", window: int = 90) -> pd.Series:
    """Why each customer is flagged, in words, with p-values as people write them.

    Needs the churn-warning columns ``flag_gap, flag_volume, days_since_last,
    interval_median, interval_p95, p_gap, volume_recent, volume_baseline,
    volume_ratio, p_volume, baseline`` (:func:`workbench.customers.churn_warnings`).

    Examples
    --------
    >>> w = pd.DataFrame({"flag_gap": [True], "flag_volume": [True], "days_since_last": [101],
    ...     "interval_median": [1.0], "interval_p95": [5.0], "p_gap": [6e-21],
    ...     "volume_recent": [0.0], "volume_baseline": [8751.0], "volume_ratio": [0.0],
    ...     "p_volume": [0.0064], "baseline": ["year_ago"]})
    >>> churn_reasons(w).iloc[0]
    'No order for 101 days (usually every 1–5 days; p < 0.001); 0 units in the last 90 days against 8,751 a year before (−100%; p = 0.006)'
    >>> churn_reasons(w, "zh").iloc[0]
    '已101天未下单（通常每1–5天一次；p < 0.001）；近90天订购0件，去年同期8,751件（−100%；p = 0.006）'
    """
    check_language(lang)
    out = []
    for r in churn.itertuples(index=False):  # the handful of customers shown
        parts = []
        if getattr(r, "flag_gap", False):
            lo, hi = f"{r.interval_median:,.0f}", f"{r.interval_p95:,.0f}"
            every = lo if lo == hi else f"{lo}–{hi}"
            parts.append(
                f"No order for {r.days_since_last:,} days (usually every {every} days; "
                f"{p_text(r.p_gap)})" if lang == "en" else
                f"已{r.days_since_last:,}天未下单（通常每{every}天一次；{p_text(r.p_gap, 'zh')}）")
        if getattr(r, "flag_volume", False):
            drop = f"−{(1 - r.volume_ratio) * 100:.0f}%"
            year = r.baseline == "year_ago"
            if lang == "en":
                before = "a year before" if year else f"in the {window} days before"
                parts.append(f"{r.volume_recent:,.0f} units in the last {window} days against "
                             f"{r.volume_baseline:,.0f} {before} ({drop}; {p_text(r.p_volume)})")
            else:
                before = "去年同期" if year else f"之前{window}天"
                parts.append(f"近{window}天订购{r.volume_recent:,.0f}件，{before}"
                             f"{r.volume_baseline:,.0f}件（{drop}；{p_text(r.p_volume, 'zh')}）")
        text = ("; " if lang == "en" else "；").join(parts)
        out.append(text[:1].upper() + text[1:])
    return pd.Series(out, index=churn.index, dtype=object)


def churn_table(churn: pd.DataFrame, as_of: object, lang: str = "en", currency: str = "",
                priced: bool = True, window: int = 90) -> ReportTable:
    """Show the customers at churn risk: name, last order, revenue of the last 12 months, why.

    Examples
    --------
    >>> churn = pd.DataFrame({"customer_id": ["C9"], "customer_name": ["Zeta"],
    ...     "last_order_date": pd.to_datetime(["2026-03-20"]), "revenue_at_risk": [250000.0],
    ...     "flag_gap": [True], "flag_volume": [False], "days_since_last": [101],
    ...     "interval_median": [3.0], "interval_p95": [3.0], "p_gap": [0.02]})
    >>> table = churn_table(churn, "2026-06-29", currency="EUR")
    >>> table.headers
    ('Customer', 'Last order', 'Revenue, last 12 months (EUR)', 'Why')
    >>> ">250,000<" in table.html, "20 Mar 2026" in table.html, "p = 0.020" in table.html
    (True, True, True)
    """
    check_language(lang)
    frame = churn.copy()
    frame["name"] = (frame["customer_name"].fillna(frame["customer_id"])
                     if "customer_name" in frame else frame["customer_id"])
    frame["why"] = churn_reasons(frame, lang, window)
    columns: dict = {"name": ColumnSpec(label=t("customer", lang), kind="text")}
    if "last_order_date" in frame:
        columns["last_order_date"] = None
    if priced:
        columns["revenue_at_risk"] = ColumnSpec(
            label=_words(lang, "Revenue, last 12 months", "近12个月收入")
            + _currency_tail(currency, lang), kind="money")
    columns["why"] = ColumnSpec(label=_words(lang, "Why", "原因"), kind="text")
    caption = (f"Customers whose ordering broke from their own pattern, as of {fmt_date(as_of)} "
               f"(last {window} days against the same days a year before)."
               if lang == "en" else
               f"截至{fmt_date(as_of, 'zh')}订货偏离自身规律的客户（近{window}天对比去年同期）。")
    return report_table(frame, columns, lang=lang, currency=currency, caption=caption,
                        filter=False)


def cost_table(policy: object, demand_span: str, lang: str = "en",
               currency: str = "") -> ReportTable:
    """Cost of the service policy: current safety stocks against each item's optimum, per year.

    ``policy`` is :func:`workbench.inventory.current_policy_cost`;
    ``demand_span`` names the demand it is computed on (``Jul 2025 – Jun 2026``).

    Examples
    --------
    >>> from workbench.inventory.tradeoff import PolicyCost
    >>> p = PolicyCost(pd.DataFrame(), 0.931, 0.99, 1_080_000.0, 700_600.0)
    >>> table = cost_table(p, "Jul 2025 – Jun 2026", currency="EUR")
    >>> table.headers
    ('Safety stocks', 'Service level', 'Cost (EUR per year)')
    >>> ">93.1%<" in table.html, ">1,080,000<" in table.html
    (True, True)
    """
    check_language(lang)
    frame = pd.DataFrame({
        "policy": [t("current_policy", lang), t("cost_optimum", lang)],
        "service_level": [policy.current_service, policy.optimal_service],
        "total_cost": [policy.current_cost, policy.optimal_cost]})
    caption = (f"Per year, on the weekly demand of {demand_span}." if lang == "en"
               else f"每年，按{demand_span}的每周需求计算。")
    cost_head = _words(lang, "Cost", "成本")
    return report_table(frame, {
        "policy": ColumnSpec(label=_words(lang, "Safety stocks", "安全库存"), kind="text"),
        "service_level": None,
        "total_cost": ColumnSpec(label=cost_head + _per_year(currency, lang), kind="money",
                                 digits=0)},
        lang=lang, currency=currency, caption=caption, filter=False)


def cost_items_table(policy: object, demand_span: str, lang: str = "en", currency: str = "",
                     n: int = 5) -> ReportTable:
    """Show the items whose safety stock costs most against their optimum (largest saving first).

    Examples
    --------
    >>> from workbench.inventory.tradeoff import PolicyCost
    >>> per_item = pd.DataFrame({"item_id": ["I-1"], "current_safety_stock": [40.0],
    ...     "current_service": [0.9], "current_cost": [1200.0], "optimal_service": [0.99],
    ...     "optimal_safety_stock": [75.0], "optimal_cost": [900.0], "saving": [300.0]})
    >>> table = cost_items_table(PolicyCost(per_item, 0.9, 0.99, 1200.0, 900.0), "Jun 2026")
    >>> table.headers[:3]
    ('Item', 'Safety stock now (units)', 'Service level now')
    >>> ">1,200<" in table.html and ">300<" in table.html
    True
    """
    check_language(lang)
    tail = _per_year(currency, lang)
    columns = {
        "item_id": None,
        "current_safety_stock": ColumnSpec(label="Safety stock now (units)"
                                           if lang == "en" else "当前安全库存（件）",
                                           kind="integer", digits=0),
        "current_service": ColumnSpec(label="Service level now"
                                      if lang == "en" else "当前服务水平", kind="percent"),
        "current_cost": ColumnSpec(label=_words(lang, "Cost now", "当前成本") + tail,
                                   kind="money", digits=0),
        "optimal_safety_stock": ColumnSpec(label="Safety stock at the optimum (units)"
                                           if lang == "en" else "最优安全库存（件）",
                                           kind="integer", digits=0),
        "optimal_service": ColumnSpec(label=_words(lang, "Cost-optimal service level",
                                                   "成本最优服务水平"), kind="percent"),
        "optimal_cost": ColumnSpec(label=_words(lang, "Cost at the optimum", "最优成本") + tail,
                                   kind="money", digits=0),
        "saving": ColumnSpec(label=_words(lang, "Saving", "可节省") + tail, kind="money",
                             digits=0)}
    caption = (f"Items where the safety stock costs most above its optimum, per year, on the "
               f"weekly demand of {demand_span}." if lang == "en" else
               f"安全库存成本高出最优水平最多的物料（每年，按{demand_span}的每周需求计算）。")
    return report_table(policy.per_item, columns, lang=lang, currency=currency,
                        caption=caption, max_rows=n, filter=False)


def planning_note(plan: object, lang: str = "en") -> str:
    """Say where the planning date comes from when the data has no snapshot (``""`` otherwise).

    ``plan`` is :func:`workbench.reporting.inputs.planning_date`'s choice.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan = SimpleNamespace(value=pd.Timestamp("2026-06-28"), source="fallback")
    >>> planning_note(plan, "zh")
    '计划日期2026年6月28日：订单行中最近的下单、发货或交货日期（数据中没有库存快照）。'
    """
    check_language(lang)
    if getattr(plan, "source", "") != "fallback":
        return ""
    day = fmt_date(plan.value, lang)
    return (f"Planning date {day}: the latest order, ship or delivery date in the order lines "
            f"(the data has no inventory snapshot)." if lang == "en" else
            f"计划日期{day}：订单行中最近的下单、发货或交货日期（数据中没有库存快照）。")


def title_markdown(name: str, as_of: object, notes: Sequence[str] = (), lang: str = "en") -> str:
    """Write the page's title, the dataset and planning date, the intro and the notes (Markdown).

    ``name`` and ``notes`` are escaped (:func:`workbench.reporting.tables.md`).

    Examples
    --------
    >>> title_markdown("Demo", "2026-06-29", lang="zh").splitlines()[2]
    '**Demo · 计划日期：2026年6月29日**'
    """
    check_language(lang)
    sep = ": " if lang == "en" else "："
    text = (f"# {t('title', lang)}\n\n**{md(name)} · {t('as_of', lang)}{sep}"
            f"{fmt_date(as_of, lang)}**\n\n{t('intro', lang)}")
    shown = [f"*{md(n)}*" for n in notes if n]
    return text + ("\n\n" + " ".join(shown) if shown else "")


def demand_span(orders: pd.DataFrame, lang: str = "en", weeks: int = 52) -> str:
    """Name the weeks of demand the cost of the service policy is computed on.

    The last ``weeks`` complete weeks (Monday to Sunday) before the day after
    the latest order, as :func:`workbench.inventory.explorer_items` takes them.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2026-06-24", "2026-06-28"])})
    >>> demand_span(orders), demand_span(orders, "zh", weeks=4)
    ('30 Jun 2025 – 28 Jun 2026', '2026年6月1日–2026年6月28日')
    """
    check_language(lang)
    as_of = pd.Timestamp(orders["order_date"].max()) + pd.Timedelta(days=1)
    end = as_of.normalize() - pd.Timedelta(days=as_of.weekday())
    start = end - pd.Timedelta(weeks=weeks)
    last = end - pd.Timedelta(days=1)
    return (f"{fmt_date(start)} – {fmt_date(last)}" if lang == "en"
            else f"{fmt_date(start, 'zh')}–{fmt_date(last, 'zh')}")


def scorecard_figure(orders: pd.DataFrame, tiers: pd.DataFrame, targets: pd.DataFrame,
                     kpis: Sequence[str], lang: str = "en") -> go.Figure:
    """Draw service by customer tier against targets over all orders, the span in the title.

    Parameters
    ----------
    orders
        Order lines.
    tiers
        ``customer_id, tier``.
    targets
        Service targets (``tier, kpi, target``).
    kpis
        The KPIs to show (those the data supports).
    lang
        ``en`` or ``zh``.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    check_language(lang)
    by_tier = kpi_table(orders, by="tier", customers=tiers[["customer_id", "tier"]],
                        kpis=list(kpis))
    span = span_text(orders["order_date"], lang)
    title = f"{t('scorecard', lang)}, {span}" if lang == "en" else f"{t('scorecard', lang)}（{span}）"
    return scorecard_chart(scorecard(by_tier, targets[targets["kpi"].isin(kpis)], by="tier"),
                           "tier", labels={k: t(k, lang) for k in kpis}, title=title,
                           target_label=t("target", lang), axis_label=label("tier", lang))
