"""The customer business review, section by section, in English and Chinese.

One customer's scorecard: who it is (:func:`profile_text`), its KPIs against its
tier's targets and peers (:func:`comparison_section`), its open orders
(:func:`open_orders_section`), recent failures and why (:func:`failures_section`),
the order changes it made (:func:`changes_section`), its complaints
(:func:`complaints_section`), and its open supply risks with the notice(s) it
will receive from the early warning (:func:`supply_section`). Each function
returns the parts of its section (Markdown text, report tables, figures) in the
report's language; :func:`workbench.reporting.pages.early_warning.show`
displays them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.customers.profile import CustomerProfile
from workbench.i18n import code_words, fmt_date, fmt_num, fmt_pct, label
from workbench.io.dataset import Dataset
from workbench.reporting.pages.early_warning import EarlyWarningRun, Part
from workbench.reporting.tables import ColumnSpec, md, report_table
from workbench.validation import check_language

__all__ = [
    "KPI_NAMES",
    "REASON_WORDS",
    "changes_section",
    "comparison_section",
    "complaints_section",
    "failures_section",
    "kpi_name",
    "localize_figure",
    "open_orders_section",
    "pareto_chart",
    "profile_text",
    "reasons_text",
    "scorecard_title",
    "supply_section",
    "trend_chart",
    "word",
]

KPI_NAMES: dict[str, dict[str, str]] = {
    "in_full_order_rate": {"en": "In full (orders)", "zh": "足量交付率（订单）"},
    "from_stock_rate": {"en": "Filled from stock", "zh": "现货满足率"},
    "damage_rate": {"en": "Damaged deliveries", "zh": "货损率"},
    "invoice_error_rate": {"en": "Invoice errors", "zh": "发票错误率"},
    "return_rate": {"en": "Returns", "zh": "退货率"},
    "complaints_per_100_orders": {"en": "Complaints per 100 orders", "zh": "每百单投诉数"},
    "short_shipment_rate": {"en": "Short shipments", "zh": "短装率"},
    "route_change_rate": {"en": "Re-routed", "zh": "改道率"},
    "substitution_rate": {"en": "Substituted", "zh": "替代率"},
}
"""KPI names the column registry does not hold (the others come from :func:`workbench.i18n.label`)."""

REASON_WORDS: dict[str, str] = {
    "late": "延迟", "short": "短装", "damaged": "货损", "invoice error": "发票错误",
    "substituted": "替代", "re-routed": "改道", "returned": "退货",
    "late (vs commit date)": "延迟（对照承诺日期）", "short shipped": "短装",
}
"""Chinese words for the failure reasons of :func:`workbench.kpis.line_failures`."""

_T: dict[str, dict[str, str]] = {
    "en": {
        "profile": "Tier **{tier}** ({source}), segment {segment}, region {region}; rank {rank} of "
                   "{n} by {by}, {share} of the {by}; {orders} orders and {lines} order lines "
                   "from {first} to {last}.",
        "source_abc": "from its share of the {by}", "source_master": "from the customer master",
        "revenue": "revenue", "volume": "quantity ordered", "unknown": "unknown",
        "dataset": "Dataset: {name}.",
        "kpi": "KPI", "value": "This customer", "tier_value": "Tier average", "target": "Target",
        "n": "Counted", "of": "Out of",
        "comparison_period": "All history, {span}.",
        "open": "**{n} open order line(s)** at {date}, {late} overdue.",
        "open_none": "No open order line at {date}.",
        "failures": "**{n} failed order line(s)** delivered from {start} to {end} (the last "
                    "{days} days).",
        "reasons": "Reasons",
        "nerv": "Nervousness **{score}** out of 100 (rank {rank} of {n}; the most nervous "
                "customer scores 100).",
        "timing": "When the changes came, in weeks before the due date:",
        "bucket": "Weeks before due", "share": "Share",
        "changes_period": "All order changes on record, {span}.",
        "complaints": "{n} complaint(s) on record, {span}; the latest {shown} below.",
        "complaints_none": "No complaint on record for this customer.",
        "supply_none": "No open supply risk for this customer at the planning date {date}: none "
                       "of its open order lines is short in the projection, so it receives no "
                       "notice in this run.",
        "supply_intro": "At the planning date {date} the early warning finds {n} open order "
                        "line(s) of this customer short ({levels}); order value at risk {value}.",
        "supply_notice": "The notice this customer will receive in this run "
                         "({kind}, {lang}), in full:",
        "supply_no_notice": "Its lines are at risk only if planned receipts slip (internal "
                            "alert), so no notice goes to the customer in this run.",
        "supply_held": "The risk is below the noise controls of the early warning, so no notice "
                       "goes to the customer in this run.",
        "pareto_title": "Why this customer's orders failed (all history, {span})",
        "scorecard_title": "Against the tier {tier} targets (all history, {span})",
        "trend_title": "{kpi} per {period}, {span}: trend and control limits",
        "period_W": "week", "period_M": "month", "period_Q": "quarter", "period_D": "day",
    },
    "zh": {
        "profile": "客户等级 **{tier}**（{source}），细分 {segment}，区域 {region}；按{by}在 {n} 家客户中"
                   "排名第 {rank}，占{by}的 {share}；{first}至{last}共 {orders} 个订单、{lines} 个订单行。",
        "source_abc": "按{by}占比得出", "source_master": "来自客户主数据",
        "revenue": "收入", "volume": "订购数量", "unknown": "未知",
        "dataset": "数据集：{name}。",
        "kpi": "指标", "value": "本客户", "tier_value": "同等级平均", "target": "目标",
        "n": "计数", "of": "总数",
        "comparison_period": "全部历史，{span}。",
        "open": "截至 {date} 共有 **{n} 个未交订单行**，其中 {late} 个已逾期。",
        "open_none": "截至 {date} 没有未交订单行。",
        "failures": "{start}至{end}（最近 {days} 天）交付的订单行中有 **{n} 个未达标**。",
        "reasons": "原因",
        "nerv": "订单波动指数 **{score}**（满分 100；在 {n} 家客户中排名第 {rank}；波动最大的客户为 100）。",
        "timing": "变更发生的时间（到期前周数）：",
        "bucket": "到期前周数", "share": "占比",
        "changes_period": "全部订单变更记录，{span}。",
        "complaints": "共有 {n} 条投诉记录（{span}）；下表为最近的 {shown} 条。",
        "complaints_none": "该客户没有投诉记录。",
        "supply_none": "计划日期 {date}，该客户没有未解除的供应风险：其未交订单行在预测中均不缺货，"
                       "因此本次不会收到通知。",
        "supply_intro": "计划日期 {date}，交付预警发现该客户有 {n} 个未交订单行缺货（{levels}）；"
                        "风险订单金额 {value}。",
        "supply_notice": "该客户本次将收到的通知（{kind}，{lang}）全文：",
        "supply_no_notice": "其订单行仅在计划到货延迟时才有风险（内部预警），因此本次不向客户发送通知。",
        "supply_held": "该风险低于交付预警的降噪阈值，因此本次不向客户发送通知。",
        "pareto_title": "该客户订单未达标的原因（全部历史，{span}）",
        "scorecard_title": "对照 {tier} 级目标（全部历史，{span}）",
        "trend_title": "{kpi}（按{period}，{span}）：趋势与控制限",
        "period_W": "周", "period_M": "月", "period_Q": "季度", "period_D": "日",
    },
}

_FIGURE_WORDS_ZH = {
    "upper control limit": "控制上限", "lower control limit": "控制下限", "centre line": "中心线",
    "significant deterioration": "显著恶化", "significant improvement": "显著改善",
    "cumulative share": "累计占比", "lines": "订单行", "target": "目标",
}


def kpi_name(kpi: str, lang: str = "en") -> str:
    """Name a KPI in words: ``otif_order_rate`` -> ``OTIF (orders)`` / ``准时足量交付率（订单）``.

    Examples
    --------
    >>> kpi_name("otif_order_rate"), kpi_name("damage_rate", "zh"), kpi_name("cycle_time_mean")
    ('OTIF (orders)', '货损率', 'Order cycle time (days)')
    """
    check_language(lang)
    if kpi in KPI_NAMES:
        return KPI_NAMES[kpi][lang]
    return label(kpi, lang)


def reasons_text(reasons: object, lang: str = "en") -> str:
    """Write a failure's reasons in the language (``late, re-routed`` -> ``延迟、改道``).

    Examples
    --------
    >>> reasons_text("late, re-routed", "zh"), reasons_text("late, short")
    ('延迟、改道', 'late, short')
    """
    check_language(lang)
    if reasons is None or (isinstance(reasons, float) and np.isnan(reasons)):
        return ""
    parts = [p.strip() for p in str(reasons).split(",") if p.strip()]
    if lang == "en":
        return ", ".join(parts)
    return "、".join(REASON_WORDS.get(p, p) for p in parts)


def _span(dates: object, lang: str) -> str:
    from workbench.reporting.pages.wording import span_text

    return span_text(dates, lang)


def profile_text(profile: CustomerProfile, measure: str, dataset_name: str,
                 targets_note: str, lang: str = "en") -> list[Part]:
    """Show the customer's heading and profile sentence (tier, rank, share, orders, period)."""
    t = _T[check_language(lang)]
    by = t["revenue"] if measure == "revenue" else t["volume"]
    heading = (md(profile.customer_id) if profile.name == profile.customer_id
               else f"{md(profile.name)} ({md(profile.customer_id)})")

    def val(x: object) -> str:
        return md(x) if x is not None and not pd.isna(x) and str(x).strip() else t["unknown"]

    source = (t["source_master"] if profile.tier_source == "master"
              else t["source_abc"].format(by=by))
    text = t["profile"].format(
        tier=val(profile.tier), source=source, segment=val(profile.segment),
        region=val(profile.region), rank=profile.rank, n=profile.customers, by=by,
        share=fmt_pct(profile.share, lang), orders=fmt_num(profile.orders),
        lines=fmt_num(profile.lines), first=fmt_date(profile.first_order, lang),
        last=fmt_date(profile.last_order, lang))
    notes = " ".join(x for x in (t["dataset"].format(name=md(dataset_name)), md(targets_note))
                     if x)
    return [f"## {heading}\n\n{text}\n\n*{notes}*"]


def _kpi_value(kpi: str, x: object, lang: str) -> str | None:
    if x is None or pd.isna(x):
        return None
    if kpi.endswith("_rate"):
        return fmt_pct(float(x), lang)
    if kpi == "cycle_time_mean":
        return f"{float(x):.1f} 天" if lang == "zh" else f"{float(x):.1f} days"
    return f"{float(x):.1f}"


def comparison_section(comparison: pd.DataFrame, dates: object, lang: str = "en") -> list[Part]:
    """Show the customer's KPIs next to its tier's average and target (one table)."""
    t = _T[check_language(lang)]
    rows = comparison.reset_index(drop=True)
    table = pd.DataFrame({
        "kpi": [kpi_name(k, lang) for k in rows["kpi"]],
        "value": [_kpi_value(k, v, lang) for k, v in zip(rows["kpi"], rows["value"], strict=True)],
        "tier_value": [_kpi_value(k, v, lang)
                       for k, v in zip(rows["kpi"], rows["tier_value"], strict=True)],
        "target": [_kpi_value(k, v, lang) if k.endswith("_rate") else None
                   for k, v in zip(rows["kpi"], rows["target"], strict=True)],
        "numerator": rows["numerator"].to_numpy(), "denominator": rows["denominator"].to_numpy(),
    })
    below = (pd.to_numeric(rows["value"], errors="coerce")
             < pd.to_numeric(rows["target"], errors="coerce")).to_numpy()
    table["value"] = [f"{v} ▼" if b and v else v for v, b in zip(table["value"], below,
                                                                 strict=True)]
    spec = {"kpi": ColumnSpec(label=t["kpi"], kind="text"),
            "value": ColumnSpec(label=t["value"], kind="text"),
            "tier_value": ColumnSpec(label=t["tier_value"], kind="text"),
            "target": ColumnSpec(label=t["target"], kind="text"),
            "numerator": ColumnSpec(label=t["n"], kind="integer"),
            "denominator": ColumnSpec(label=t["of"], kind="integer")}
    note = ("▼ below target." if lang == "en" else "▼ 低于目标。") if below.any() else ""
    return [f"*{t['comparison_period'].format(span=_span(dates, lang))}*",
            report_table(table, spec, lang=lang, filter=False), note or None]


def localize_figure(fig: object, lang: str = "en", title: str | None = None) -> object:
    """Put a chart's legend words and title in the report's language (Chinese legend words)."""
    from workbench.reporting.charts import chart_text

    check_language(lang)
    if lang == "zh":
        for trace in fig.data:
            if trace.name in _FIGURE_WORDS_ZH:
                trace.name = _FIGURE_WORDS_ZH[trace.name]
    if title is not None:
        fig.update_layout(title_text=chart_text(title))
    return fig


def open_orders_section(open_now: pd.DataFrame, as_of: object, lang: str = "en", *,
                        max_rows: int = 25) -> list[Part]:
    """Show the customer's open order lines (overdue ones marked) at a date."""
    t = _T[check_language(lang)]
    date = fmt_date(as_of, lang)
    if not len(open_now):
        return [t["open_none"].format(date=date)]
    late = int((open_now["state"] == "overdue").sum())
    cols = {k: None for k in ("order_id", "line_no", "item_id", "order_date", "due_date",
                              "qty_ordered", "state", "days_overdue") if k in open_now.columns}
    if "days_overdue" in cols:
        cols["days_overdue"] = ColumnSpec(label="Days overdue" if lang == "en" else "逾期（天）",
                                          kind="days")
    if "state" in cols:
        open_now = open_now.assign(state=open_now["state"].replace({"accepted": "open"}))
    return [t["open"].format(n=fmt_num(len(open_now)), date=date, late=fmt_num(late)),
            report_table(open_now, cols, lang=lang, max_rows=max_rows)]


def failures_section(recent: pd.DataFrame, start: object, end: object, days: int,
                     lang: str = "en", *, max_rows: int = 25) -> list[Part]:
    """Show the recent failed order lines and their reasons."""
    t = _T[check_language(lang)]
    frame = recent.assign(reasons=[reasons_text(r, lang) for r in recent["reasons"]])
    cols = {k: None for k in ("order_id", "line_no", "item_id", "commit_date", "delivery_date",
                              "days_late") if k in frame.columns}
    cols["reasons"] = ColumnSpec(label=t["reasons"], kind="text")
    parts: list[Part] = [t["failures"].format(n=fmt_num(len(frame)), start=fmt_date(start, lang),
                                              end=fmt_date(end, lang), days=days)]
    if len(frame):
        parts.append(report_table(frame, cols, lang=lang, max_rows=max_rows))
    return parts


def changes_section(summary: pd.DataFrame, nerv: pd.DataFrame, timing: pd.DataFrame,
                    customer_id: str, dates: object, lang: str = "en") -> list[Part]:
    """Show the customer's order changes: counts, nervousness and how close to due they came."""
    t = _T[check_language(lang)]
    mine = summary.loc[summary["customer_id"].astype(str) == str(customer_id)]
    parts: list[Part] = [f"*{t['changes_period'].format(span=_span(dates, lang))}*"]
    cols = {k: None for k in ("lines", "changed_lines", "changes", "change_rate", "qty_up",
                              "qty_down", "date_in", "date_out", "cancel") if k in mine.columns}
    words = {"en": {"changed_lines": "Lines changed", "qty_up": "Quantity up",
                    "qty_down": "Quantity down", "date_in": "Date earlier",
                    "date_out": "Date later", "cancel": "Cancelled"},
             "zh": {"changed_lines": "变更的订单行", "qty_up": "数量增加", "qty_down": "数量减少",
                    "date_in": "日期提前", "date_out": "日期推后", "cancel": "取消"}}[lang]
    for k in cols:
        if k in words:
            cols[k] = ColumnSpec(label=words[k], kind="integer")
    if len(mine):
        parts.append(report_table(mine, cols, lang=lang, filter=False))
    row = nerv.reset_index(drop=True)
    pos = np.flatnonzero(row["customer_id"].astype(str).to_numpy() == str(customer_id))
    if len(pos):
        parts.append(t["nerv"].format(score=f"{float(row['nervousness'].iloc[pos[0]]):.0f}",
                                      rank=int(pos[0]) + 1, n=len(row)))
    if len(timing):
        parts.append(t["timing"])
        parts.append(report_table(timing, {
            "bucket": ColumnSpec(label=t["bucket"], kind="text"), "changes": None,
            "share": ColumnSpec(label=t["share"], kind="percent")}, lang=lang, filter=False,
            sortable=False))
    return parts


def complaints_section(complaints: pd.DataFrame, lang: str = "en", *,
                       max_rows: int = 15) -> list[Part]:
    """Show the customer's complaints, latest first."""
    t = _T[check_language(lang)]
    if not len(complaints):
        return [t["complaints_none"]]
    frame = complaints.sort_values("complaint_date", ascending=False)
    cols = {k: None for k in ("complaint_date", "category", "order_id", "resolved_date",
                              "description") if k in frame.columns}
    return [t["complaints"].format(n=fmt_num(len(frame)), span=_span(frame["complaint_date"], lang),
                                   shown=min(max_rows, len(frame))),
            report_table(frame, cols, lang=lang, max_rows=max_rows)]


def supply_section(ds: Dataset, result: EarlyWarningRun, customer_id: str,
                   lang: str = "en") -> list[Part]:
    """Show the customer's open supply risks (lines, level, dates, value) and its notice in full."""
    from IPython.display import HTML

    from workbench.i18n import fmt_money
    from workbench.reporting.availability import not_available_note

    t = _T[check_language(lang)]
    page = result.page
    if page is None:
        return [f"*{md(not_available_note('pab', ds, lang) or '')}*"]
    date = fmt_date(result.as_of, lang)
    lines = page.lines.loc[page.lines["customer_id"].astype(str) == str(customer_id)]
    if not len(lines):
        return [t["supply_none"].format(date=date)]
    levels = sorted({int(v) for v in lines["alert_level"]}, reverse=True)
    level_words = ("、" if lang == "zh" else ", ").join(
        code_words(v, lang, "alert_level") for v in levels)
    values = pd.to_numeric(lines["value_at_risk"], errors="coerce")
    value = (fmt_money(float(values.sum()), lang, page.currency) if values.notna().any()
             else ("unknown" if lang == "en" else "未知"))
    parts: list[Part] = [t["supply_intro"].format(date=date, n=len(lines), levels=level_words,
                                                  value=value)]
    cols = {k: None for k in ("alert_level", "order_id", "line_no", "item_id", "due_date",
                              "qty_open", "qty_short", "short_from", "covered_by_date",
                              "value_at_risk") if k in lines.columns}
    parts.append(report_table(lines.sort_values(["alert_level", "short_from"],
                                                ascending=[False, True]),
                              cols, lang=lang, currency=page.currency))
    mine = page.notices.loc[page.notices["customer_id"].astype(str) == str(customer_id)]
    if not len(mine):
        held = page.ranked.loc[page.ranked["held_back"] != "", "alert_id"].astype(str)
        only_held = lines["alert_id"].astype(str).isin(set(held)).all() and len(held)
        parts.append(t["supply_held"] if only_held else t["supply_no_notice"])
        return parts
    for row in mine.itertuples(index=False):  # one notice per customer per run
        parts.append(t["supply_notice"].format(kind=code_words(row.notice, lang, "notice"),
                                               lang=code_words(row.language, lang, "language")))
        parts.append(HTML(f'<div class="wb-notice" style="overflow-x:auto;max-width:100%">'
                          f'{row.html}</div>'))
    return parts


def word(key: str, lang: str = "en") -> str:
    """Return one word of the report in the language (``target`` -> ``目标``)."""
    check_language(lang)
    return _FIGURE_WORDS_ZH.get(key, key) if lang == "zh" else key


def scorecard_title(tier: object, dates: object, lang: str = "en") -> str:
    """Title of the customer's scorecard against its tier's targets, with the period."""
    return _T[check_language(lang)]["scorecard_title"].format(tier=tier, span=_span(dates, lang))


def trend_chart(limits: pd.DataFrame, kpi: str, period: str, lang: str = "en") -> object:
    """Control chart of the customer's KPI per period, titled and labelled in the language."""
    from workbench.reporting import charts

    t = _T[check_language(lang)]
    name = kpi_name(kpi, lang)
    fig = charts.control_chart(limits, kpi_label=name)
    title = t["trend_title"].format(kpi=name, period=t.get(f"period_{str(period).upper()[:1]}",
                                                            t["period_M"]),
                                    span=_span(limits["period_start"], lang))
    return localize_figure(fig, lang, title)


def pareto_chart(pareto: pd.DataFrame, dates: object, lang: str = "en") -> object:
    """Pareto chart of the customer's failure reasons (all history), in the language."""
    from workbench.reporting import charts

    t = _T[check_language(lang)]
    frame = pareto.assign(reason=[reasons_text(r, lang) for r in pareto["reason"]])
    fig = charts.pareto_chart(frame, title=t["pareto_title"].format(span=_span(dates, lang)))
    return localize_figure(fig, lang)
