"""The customer-service KPI report, section by section, in English and Chinese.

The cells of ``notebooks/service_kpis.ipynb`` call these functions. Each builds
one section in the report's language: the sentence that opens it, its table
(:func:`workbench.reporting.tables.report_table`) and its figure, every one
naming the period it covers. KPI names are words (:func:`kpi_name`), values are
written by their unit (:func:`kpi_value_text`: rates as percentages, days with
their unit), and trends keep to the mature periods
(:func:`workbench.kpis.period_maturity`): the newest periods, whose slow lines
are still open, are named as provisional and left out of the control charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench import kpis
from workbench.exceptions import NotAvailableError
from workbench.i18n import fmt_num, fmt_pct, fmt_points
from workbench.io.dataset import Dataset
from workbench.reporting import availability as av
from workbench.reporting.charts import (
    chart_text,
    control_chart,
    cycle_time_histogram,
    pareto_chart,
    scorecard_chart,
)
from workbench.reporting.pages.wording import join_words, period_name, span_text
from workbench.reporting.tables import ColumnSpec, ReportTable, md, report_table
from workbench.validation import check_language

__all__ = [
    "FAILURE_REASONS",
    "INSTEAD",
    "KPI_NAMES",
    "LEVEL_KPIS",
    "NO_SCORE",
    "PROMISE_KPIS",
    "PromiseSummary",
    "QUALITY_COLUMNS",
    "TrendSplit",
    "control_figure",
    "customers_table",
    "cycle_levels_table",
    "cycle_time_figure",
    "definitions_table",
    "deterioration_sentence",
    "failure_figure",
    "first_promise_note",
    "first_promise_orders",
    "group_word",
    "headline_status",
    "headline_table",
    "intro_text",
    "kpi_name",
    "kpi_value_text",
    "mature_note",
    "net_cycle_note",
    "promise_gap_sentence",
    "promise_summary",
    "promises_table",
    "quality_table",
    "scorecard_figure",
    "missing_notes",
    "scorecard_table",
    "section_title",
    "show_missing",
    "show_note",
    "split_trend",
    "trend_note",
    "unavailable_sentence",
    "weighting_table",
]

KPI_NAMES: dict[str, dict[str, str]] = {
    "lines": {"en": "Order lines", "zh": "订单行数"},
    "orders": {"en": "Orders", "zh": "订单数"},
    "cycle_time_mean": {"en": "Order cycle time, mean", "zh": "订单周期（平均）"},
    "cycle_time_median": {"en": "Order cycle time, median", "zh": "订单周期（中位数）"},
    "cycle_time_p90": {"en": "Order cycle time, 90th percentile", "zh": "订单周期（90分位）"},
    "cycle_time_std": {"en": "Order cycle time, standard deviation", "zh": "订单周期（标准差）"},
    "cycle_time_cv": {"en": "Order cycle time, coefficient of variation",
                      "zh": "订单周期（变异系数）"},
    "order_cycle_time_mean": {"en": "Order cycle time per order, mean",
                              "zh": "整单交付周期（平均）"},
    "net_cycle_time_mean": {"en": "Net cycle time from release, mean",
                            "zh": "净交付周期（自下达起，平均）"},
    "on_time_requested_rate": {"en": "On time to requested date", "zh": "按要求日期准时率"},
    "on_time_promised_rate": {"en": "On time to promised date", "zh": "按承诺日期准时率"},
    "on_time_first_promise_rate": {"en": "On time to first promised date",
                                   "zh": "按首次承诺日期准时率"},
    "on_time_promise_gap": {"en": "On-time gap, current vs first promise",
                            "zh": "准时率差（当前承诺与首次承诺）"},
    "on_time_qty_rate": {"en": "On time (units)", "zh": "准时率（数量）"},
    "in_full_line_rate": {"en": "In full (lines)", "zh": "足量交付率（订单行）"},
    "in_full_order_rate": {"en": "In full (orders)", "zh": "足量交付率（订单）"},
    "otif_line_rate": {"en": "OTIF (lines)", "zh": "准时足量交付率（订单行）"},
    "otif_order_rate": {"en": "OTIF (orders)", "zh": "准时足量交付率（订单）"},
    "otif_first_promise_rate": {"en": "OTIF to first promised date (lines)",
                                "zh": "按首次承诺准时足量交付率（订单行）"},
    "otif_promise_gap": {"en": "OTIF gap, current vs first promise",
                         "zh": "准时足量交付率差（当前承诺与首次承诺）"},
    "otif_qty_rate": {"en": "OTIF (units)", "zh": "准时足量交付率（数量）"},
    "perfect_order_rate": {"en": "Perfect order", "zh": "完美订单率"},
    "line_fill_rate": {"en": "Line fill rate", "zh": "订单行满足率"},
    "unit_fill_rate": {"en": "Unit fill rate", "zh": "数量满足率"},
    "order_fill_rate": {"en": "Order fill rate", "zh": "订单满足率"},
    "value_fill_rate": {"en": "Value fill rate", "zh": "金额满足率"},
    "short_shipment_rate": {"en": "Short shipments", "zh": "短发率"},
    "late_shipment_rate": {"en": "Late shipments", "zh": "延迟发货率"},
    "from_stock_rate": {"en": "Filled from stock", "zh": "现货满足率"},
    "stockout_rate": {"en": "Stock-outs", "zh": "缺货率"},
    "damage_rate": {"en": "Damaged deliveries", "zh": "货损率（订单行）"},
    "unit_damage_rate": {"en": "Damaged units", "zh": "货损率（数量）"},
    "return_rate": {"en": "Returns", "zh": "退货率"},
    "invoice_error_rate": {"en": "Invoice errors", "zh": "发票差错率"},
    "substitution_rate": {"en": "Substitutions", "zh": "替代发货率"},
    "route_change_rate": {"en": "Re-routed shipments", "zh": "改道发货率"},
    "backorder_lines": {"en": "Backorders (lines)", "zh": "欠交订单行"},
    "backorder_age_days_mean": {"en": "Backorder age, mean", "zh": "欠交时长（平均）"},
    "open_lines": {"en": "Open lines", "zh": "未完成订单行"},
    "open_lines_overdue": {"en": "Open lines overdue", "zh": "逾期未完成订单行"},
    "open_line_age_days_mean": {"en": "Open line age, mean", "zh": "未完成订单行时长（平均）"},
    "complaints_per_100_orders": {"en": "Complaints per 100 orders", "zh": "每百单投诉数"},
    "complaint_resolution_days_mean": {"en": "Complaint resolution time, mean",
                                       "zh": "投诉处理时长（平均）"},
}
"""Every KPI of :func:`workbench.kpis.kpi_definitions` in words, English and Chinese."""

FAILURE_REASONS: dict[str, dict[str, str]] = {
    "late (vs commit date)": {"en": "late (after the promised date)", "zh": "延迟（晚于承诺日期）"},
    "short shipped": {"en": "short shipped", "zh": "短发"},
    "damaged": {"en": "damaged", "zh": "货损"},
    "invoice error": {"en": "invoice error", "zh": "发票差错"},
    "substituted": {"en": "substituted", "zh": "替代发货"},
    "re-routed": {"en": "re-routed", "zh": "改道"},
    "returned": {"en": "returned", "zh": "退货"},
}
"""Failure reasons of :func:`workbench.kpis.failure_pareto` in words."""

QUALITY_COLUMNS: dict[str, dict[str, str]] = {
    "table": {"en": "Table", "zh": "数据表"},
    "rows_in": {"en": "Rows in", "zh": "输入行数"},
    "rows_loaded": {"en": "Loaded", "zh": "已载入"},
    "rows_quarantined": {"en": "Quarantined", "zh": "已隔离"},
    "issues": {"en": "Field issues", "zh": "字段问题"},
}
"""Headers of the data-quality table (:meth:`workbench.io.dataset.Dataset.quality`)."""

INSTEAD: dict[str, dict[str, str]] = {
    "revenue": {"en": "Tiers and rankings use the quantity ordered instead.",
                "zh": "客户等级和排名改按订购数量。"},
    "tier": {"en": "Scored by tier instead.", "zh": "改按客户等级评分。"},
    "customer_names": {"en": "Customers are shown by their number.",
                       "zh": "客户以编号显示。"},
}
"""What a section does instead when its data is missing (added to the not-available line)."""

NO_SCORE: dict[str, str] = {
    "en": "*No KPI with a service target can be computed from this data (see the lines above).*",
    "zh": "*本数据无法计算任何有服务目标的指标（见上文说明）。*"}
"""The scorecard section's line when no KPI with a target can be computed."""

_TABLES = {"order_lines": {"en": "Order lines", "zh": "订单行"},
           "customers": {"en": "Customers", "zh": "客户"},
           "items": {"en": "Items", "zh": "物料"},
           "order_changes": {"en": "Order changes", "zh": "订单变更"},
           "supply_plan": {"en": "Supply plan", "zh": "供应计划"},
           "inventory": {"en": "Inventory", "zh": "库存"},
           "forecast": {"en": "Forecast", "zh": "预测"},
           "complaints": {"en": "Complaints", "zh": "投诉"}}
_GROUPS = {"tier": {"en": "Tier", "zh": "客户等级"}, "segment": {"en": "Segment", "zh": "细分"},
           "region": {"en": "Region", "zh": "区域"}, "site": {"en": "Site", "zh": "地点"},
           "customer_id": {"en": "Customer", "zh": "客户"}}
_UNITS = {"days": {"en": " days", "zh": " 天"}, "per 100 orders": {"en": "", "zh": ""}}
_TRACES = {"upper control limit": "控制上限", "lower control limit": "控制下限",
           "centre line": "中心线", "significant deterioration": "显著恶化",
           "significant improvement": "显著改善", "cumulative share": "累计占比",
           "lines": "订单行"}


def kpi_name(kpi: str, lang: str = "en") -> str:
    """Return a KPI's name in words (an unknown code with its underscores as spaces).

    Examples
    --------
    >>> kpi_name("otif_order_rate"), kpi_name("otif_order_rate", "zh"), kpi_name("x_rate")
    ('OTIF (orders)', '准时足量交付率（订单）', 'x rate')
    """
    check_language(lang)
    return KPI_NAMES.get(kpi, {}).get(lang, str(kpi).replace("_", " "))


def kpi_value_text(value: float, unit: str, lang: str = "en") -> str:
    """Write a KPI value by its unit: ``70.6%``, ``27.4 days``, ``22,083``, ``0.78``; missing ``–``.

    Examples
    --------
    >>> kpi_value_text(0.7057, "fraction"), kpi_value_text(27.39, "days", "zh")
    ('70.6%', '27.4 天')
    >>> kpi_value_text(22083.0, "orders"), kpi_value_text(0.776, "ratio"), kpi_value_text(float("nan"), "days")
    ('22,083', '0.78', '–')
    """
    check_language(lang)
    if value is None or not np.isfinite(value):
        return "–"
    if unit == "fraction":
        return fmt_pct(value, lang)
    if unit in ("lines", "orders"):
        return fmt_num(value, lang)
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:,.1f}{_UNITS.get(unit, {}).get(lang, '')}"


def group_word(grouping: str, lang: str = "en") -> str:
    """Return the word for a scorecard grouping: ``Tier`` / ``客户等级``, ``Region`` / ``区域``."""
    check_language(lang)
    return _GROUPS.get(grouping, {}).get(lang, grouping.replace("_", " "))


def intro_text(ds: Dataset, orders: pd.DataFrame, measure: str, targets_note: str,
               lang: str = "en") -> str:
    """Return the report's first lines: the dataset, the period it covers, how tiers are ranked, the targets.

    Examples
    --------
    >>> from pathlib import Path
    >>> ds = Dataset(Path("."), name="Demo")
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-05", "2026-02-10"])})
    >>> intro_text(ds, orders, "revenue", "Service targets: t.csv.")
    '**Dataset:** Demo, order lines of Jan 2025 – Feb 2026. Customer tiers by revenue (ABC). Service targets: t.csv.'
    >>> intro_text(ds, orders, "volume", "服务目标：t.csv。", "zh")
    '**数据集：** Demo，订单行期间 2025年1月–2026年2月。客户等级按订购数量划分（ABC）。服务目标：t.csv。'
    """
    check_language(lang)
    span = span_text(orders["order_date"], lang) if "order_date" in orders else ""
    if lang == "en":
        by = "revenue" if measure == "revenue" else "quantity ordered"
        return (f"**Dataset:** {md(ds.name)}" + (f", order lines of {span}" if span else "")
                + f". Customer tiers by {by} (ABC). {md(targets_note)}")
    by = "收入" if measure == "revenue" else "订购数量"
    return (f"**数据集：** {md(ds.name)}" + (f"，订单行期间 {span}" if span else "")
            + f"。客户等级按{by}划分（ABC）。{md(targets_note)}")


def quality_table(quality: pd.DataFrame, lang: str = "en") -> ReportTable:
    """Rows in, loaded, quarantined and field issues per table (:meth:`Dataset.quality`).

    Examples
    --------
    >>> q = pd.DataFrame({"table": ["order_lines"], "rows_in": [50014], "rows_loaded": [49995],
    ...                   "rows_quarantined": [19], "issues": [3]})
    >>> t = quality_table(q, "zh")
    >>> t.headers, ">订单行<" in t.html, ">50,014<" in t.html
    (('数据表', '输入行数', '已载入', '已隔离', '字段问题'), True, True)
    """
    check_language(lang)
    frame = quality.assign(table=quality["table"].map(
        lambda x: _TABLES.get(str(x), {}).get(lang, str(x).replace("_", " "))))
    cols = {c: ColumnSpec(label=w[lang], kind="text" if c == "table" else "integer")
            for c, w in QUALITY_COLUMNS.items() if c in frame}
    return report_table(frame, cols, lang=lang)


def headline_table(overall: pd.DataFrame, orders: pd.DataFrame, lang: str = "en",
                   currency: str = "") -> ReportTable:
    """Return a table of the KPIs the data can compute, with numerator, denominator and value, over the whole history.

    KPIs without a value (their data is missing) are left out: :func:`unavailable_sentence`
    names them.

    Examples
    --------
    >>> overall = pd.DataFrame({"kpi": ["otif_order_rate", "cycle_time_mean", "damage_rate"],
    ...     "numerator": [14913.0, 1302314.0, np.nan], "denominator": [21133.0, 47553.0, np.nan],
    ...     "value": [0.705674, 27.3866, np.nan], "unit": ["fraction", "days", "fraction"]})
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-07-01", "2026-06-28"])})
    >>> t = headline_table(overall, orders)
    >>> t.headers, t.rows
    (('KPI', 'Counted', 'Out of', 'Value'), 2)
    >>> ">OTIF (orders)<" in t.html, ">14,913<" in t.html, ">70.6%<" in t.html, ">27.4 days<" in t.html
    (True, True, True, True)
    >>> "Jul 2024 – Jun 2026" in t.html
    True
    """
    check_language(lang)
    shown = overall[overall["value"].notna()]
    frame = pd.DataFrame({
        "kpi": [kpi_name(k, lang) for k in shown["kpi"]],
        "numerator": shown["numerator"].to_numpy(dtype=float),
        "denominator": shown["denominator"].to_numpy(dtype=float),
        "value": [kpi_value_text(v, u, lang) for v, u in zip(shown["value"], shown["unit"],
                                                              strict=True)]})
    en = lang == "en"
    span = span_text(orders["order_date"], lang) if "order_date" in orders else ""
    caption = (f"All customers, {span}" if en else f"全部客户，{span}") if span else None
    return report_table(frame, {
        "kpi": ColumnSpec(label="KPI" if en else "指标", kind="text"),
        "numerator": ColumnSpec(label="Counted" if en else "计数", kind="integer", digits=0),
        "denominator": ColumnSpec(label="Out of" if en else "基数", kind="integer", digits=0),
        "value": ColumnSpec(label="Value" if en else "数值", kind="text")},
        lang=lang, currency=currency, caption=caption, filter=False)


def unavailable_sentence(overall: pd.DataFrame, lang: str = "en") -> str:
    """One sentence naming the KPIs this data cannot compute (``""`` when there are none).

    Examples
    --------
    >>> overall = pd.DataFrame({"kpi": ["damage_rate", "return_rate", "lines"],
    ...                         "value": [np.nan, np.nan, 10.0]})
    >>> unavailable_sentence(overall)
    '*Not computed from this data (a column they need is missing; see below):* Damaged deliveries and Returns.'
    >>> unavailable_sentence(overall, "zh")
    '*本数据无法计算（缺少所需字段，见下文）：* 货损率（订单行）和退货率。'
    """
    check_language(lang)
    missing = [kpi_name(k, lang) for k in overall.loc[overall["value"].isna(), "kpi"]]
    if not missing:
        return ""
    if lang == "en":
        return ("*Not computed from this data (a column they need is missing; see below):* "
                f"{join_words(missing, lang)}.")
    return f"*本数据无法计算（缺少所需字段，见下文）：* {join_words(missing, lang)}。"


def scorecard_figure(card: pd.DataFrame, grouping: str, span: str, lang: str = "en",
                     strict: bool = False) -> go.Figure:
    """Traffic-light scorecard of the groups against their targets, titled with its period."""
    check_language(lang)
    en = lang == "en"
    group = group_word(grouping, lang)
    title = (f"Scorecard by {group.lower()}, {span}" if en else f"按{group}的计分卡，{span}")
    if strict:
        title += (" (against the strictest tier's targets)" if en else "（对照最严格等级的目标）")
    labels = {k: kpi_name(k, lang) for k in card["kpi"].unique()}
    return scorecard_chart(card, grouping, labels=labels, title=title,
                           target_label="target" if en else "目标", axis_label=group)


def scorecard_table(card: pd.DataFrame, grouping: str, span: str, lang: str = "en"
                    ) -> ReportTable:
    """Return the scorecard's values and targets as a table, for the same period as its chart.

    One row per group and KPI: value, target and status in words.

    Examples
    --------
    >>> card = pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif_order_rate"] * 2,
    ...     "value": [0.679, 0.96], "target": [0.98, 0.95], "status": ["red", "green"]})
    >>> t = scorecard_table(card, "tier", "Jul 2024 – Jun 2026")
    >>> t.headers
    ('Tier', 'KPI', 'Value', 'Target', 'Status')
    >>> ">67.9% <span" in t.html, ">98%<" in t.html, ">missed by more than the margin<" in t.html
    (True, True, True)
    >>> scorecard_table(card, "tier", "2024年7月–2026年6月", "zh").headers
    ('客户等级', '指标', '数值', '目标', '状态')
    """
    check_language(lang)
    en = lang == "en"
    status = {"green": ("target met", "达标"), "amber": ("missed, within the margin", "略低于目标"),
              "red": ("missed by more than the margin", "明显低于目标"),
              "n/a": ("no value", "无数值")}
    frame = pd.DataFrame({
        "group": card[grouping].astype(str).to_numpy(),
        "kpi": [kpi_name(k, lang) for k in card["kpi"]],
        "value": card["value"].to_numpy(dtype=float),
        "target": card["target"].to_numpy(dtype=float),
        "status": [status.get(str(s), (str(s), str(s)))[0 if en else 1] for s in card["status"]]})
    caption = (f"Values and targets, {span}" if en else f"数值与目标，{span}")
    return report_table(frame, {
        "group": ColumnSpec(label=group_word(grouping, lang), kind="text"),
        "kpi": ColumnSpec(label="KPI" if en else "指标", kind="text"),
        "value": ColumnSpec(label="Value" if en else "数值", kind="percent"),
        "target": ColumnSpec(label="Target" if en else "目标", kind="percent", digits=0),
        "status": ColumnSpec(label="Status" if en else "状态", kind="text")},
        lang=lang, targets={"value": "target"}, caption=caption)


def headline_status(card: pd.DataFrame | None, grouping: str, lang: str = "en") -> str:
    """Return the headline for the run index: how many scored KPIs are below target.

    Examples
    --------
    >>> card = pd.DataFrame({"status": ["red", "green", "amber", "n/a"]})
    >>> headline_status(card, "tier"), headline_status(card, "region", "zh")
    ('1 of 3 KPIs by tier below target', '按区域：3 项指标中 1 项明显低于目标')
    >>> headline_status(None, "tier")
    'No KPI with a target can be computed from this data'
    """
    check_language(lang)
    if card is None:
        return ("No KPI with a target can be computed from this data" if lang == "en"
                else "本数据无法计算任何有目标的指标")
    red = int((card["status"].astype(str) == "red").sum())
    scored = int((card["status"].astype(str) != "n/a").sum())
    if lang == "en":
        return f"{red} of {scored} KPIs by {group_word(grouping, lang).lower()} below target"
    return f"按{group_word(grouping, lang)}：{scored} 项指标中 {red} 项明显低于目标"


class TrendSplit:
    """A KPI table by period split by the maturity rule (:func:`workbench.kpis.period_maturity`).

    Attributes
    ----------
    mature
        The periods to plot (ended, at least 99 % of their lines delivered).
    provisional
        The first days of the periods left out (newest, lines still open).
    """

    def __init__(self, mature: pd.DataFrame, provisional: list[pd.Timestamp]) -> None:
        self.mature = mature
        self.provisional = provisional


def split_trend(trend: pd.DataFrame, orders: pd.DataFrame, period: str) -> TrendSplit:
    """Mark the periods of ``trend`` mature or provisional and keep the mature ones.

    The rule is :func:`workbench.kpis.period_maturity` (as in
    :func:`workbench.kpis.mature_periods`), judged on all ``orders``.

    Examples
    --------
    >>> orders = pd.DataFrame({
    ...     "order_date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-02-20"]),
    ...     "delivery_date": pd.to_datetime(["2024-01-20", "2024-02-25", None])})
    >>> trend = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                       "kpi": "cycle_time_mean", "value": [10.0, 15.0]})
    >>> s = split_trend(trend, orders, "M")
    >>> len(s.mature), [f"{d:%Y-%m}" for d in s.provisional]
    (1, ['2024-02'])
    """
    marked = kpis.period_maturity(trend, orders, period=period)
    provisional = sorted(pd.to_datetime(marked.loc[marked["provisional"], "period_start"]).unique())
    mature = marked[~marked["provisional"]].drop(columns="provisional").reset_index(drop=True)
    return TrendSplit(mature, [pd.Timestamp(p) for p in provisional])


def trend_note(split: TrendSplit, period: str, lang: str = "en") -> str:
    """Say which periods the trend covers and which newest ones are provisional (left out).

    Examples
    --------
    >>> s = TrendSplit(pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2026-02-01"])}),
    ...                [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-01")])
    >>> trend_note(s, "M")
    'Trend of the mature months, Jan 2025 – Feb 2026. Mar 2026 and Apr 2026 are provisional (not all their lines are delivered yet, so they would look better than they are) and are left out.'
    >>> trend_note(s, "M", "zh")
    '趋势涵盖已成熟的各月：2025年1月–2026年2月。2026年3月和2026年4月为暂定期间（其订单行尚未全部交付，数字会偏好），未计入趋势。'
    """
    check_language(lang)
    starts = split.mature["period_start"] if len(split.mature) else pd.Series([], dtype="datetime64[ns]")
    unit = {"W": ("weeks", "周"), "Q": ("quarters", "季度"), "D": ("days", "日")}.get(
        str(period).upper(), ("months", "月"))
    span = span_text(starts, lang, days=str(period).upper() in ("W", "D"))
    names = [period_name(p, period, lang) for p in split.provisional]
    if lang == "en":
        text = f"Trend of the mature {unit[0]}, {span}." if span else "No period is mature yet."
        if names:
            verb = "are" if len(names) > 1 else "is"
            text += (f" {join_words(names, lang)} {verb} provisional (not all their lines are "
                     "delivered yet, so they would look better than they are) and "
                     f"{verb} left out.")
        return text
    text = f"趋势涵盖已成熟的各{unit[1]}：{span}。" if span else "尚无已成熟的期间。"
    if names:
        text += f"{join_words(names, lang)}为暂定期间（其订单行尚未全部交付，数字会偏好），未计入趋势。"
    return text


def _relabel(fig: go.Figure, lang: str, names: dict[str, str] | None = None) -> go.Figure:
    """Rename the traces of a figure drawn with English names (Chinese: :data:`_TRACES`)."""
    table = dict(_TRACES if lang == "zh" else {}, **(names or {}))
    for trace in fig.data:
        if trace.name in table:
            trace.name = chart_text(table[trace.name])
    return fig


def control_figure(limits: pd.DataFrame, kpi: str, span: str, lang: str = "en") -> go.Figure:
    """Control chart of one KPI over the mature periods, titled with its name and period."""
    check_language(lang)
    name = kpi_name(kpi, lang)
    percent = kpi != "cycle_time_mean"
    if not percent:
        name = "Order cycle time, mean (days)" if lang == "en" else "订单周期（平均，天）"
    fig = control_chart(limits, kpi_label=name, percent=percent)
    title = (f"{name}: trend and control limits, {span}" if lang == "en"
             else f"{name}：趋势与控制限，{span}")
    fig.update_layout(title=chart_text(title))
    if lang == "zh":
        fig.update_xaxes(tickformat="%Y年%-m月")
    return _relabel(fig, lang)


def deterioration_sentence(limits: pd.DataFrame, kpi: str, period: str, lang: str = "en") -> str:
    """Name the periods with a significant deterioration of ``kpi`` (or say there were none).

    Examples
    --------
    >>> limits = pd.DataFrame({"period_start": pd.to_datetime(["2025-03-01", "2025-04-01"]),
    ...                        "deteriorated": [True, False]})
    >>> deterioration_sentence(limits, "otif_order_rate", "M")
    '**1 month** with a significant deterioration of OTIF (orders): Mar 2025.'
    >>> deterioration_sentence(limits.assign(deteriorated=False), "otif_order_rate", "Q", "zh")
    '准时足量交付率（订单）没有显著恶化的季度。'
    """
    check_language(lang)
    bad = limits.loc[limits["deteriorated"].astype(bool), "period_start"]
    name = kpi_name(kpi, lang)
    unit = {"W": ("week", "weeks", "周"), "Q": ("quarter", "quarters", "季度"),
            "D": ("day", "days", "日")}.get(str(period).upper(), ("month", "months", "月"))
    names = join_words([period_name(d, period, lang) for d in bad], lang)
    if lang == "en":
        if bad.empty:
            return f"No {unit[0]} with a significant deterioration of {name}."
        word = unit[0] if len(bad) == 1 else unit[1]
        return f"**{len(bad)} {word}** with a significant deterioration of {name}: {names}."
    if bad.empty:
        return f"{name}没有显著恶化的{unit[2]}。"
    return f"**{len(bad)} 个{unit[2]}** {name}显著恶化：{names}。"


def cycle_time_figure(days: pd.Series, span: str, lang: str = "en") -> go.Figure:
    """Histogram of order-to-delivery days of the delivered lines, with its period in the title."""
    check_language(lang)
    en = lang == "en"
    fig = cycle_time_histogram(days, title=(f"Order cycle time, delivered lines, {span}" if en
                                            else f"订单周期（已交付订单行），{span}"))
    if not en:
        fig.update_layout(xaxis_title="下单至交付天数", yaxis_title="订单行")
        for trace in fig.data:
            if trace.customdata is not None:
                trace.customdata = [str(c).replace(" days", " 天") for c in trace.customdata]
                trace.hovertemplate = "%{customdata}：%{y:,} 行<extra></extra>"
            trace.name = "订单行"
        for ann in fig.layout.annotations:
            ann.text = (str(ann.text).replace("mean", "平均").replace("p90", "90分位")
                        .replace(" d", " 天"))
    return fig


def failure_figure(pareto: pd.DataFrame, span: str, lang: str = "en") -> go.Figure:
    """Failure reasons, largest first, with the cumulative share, titled with its period."""
    check_language(lang)
    en = lang == "en"
    frame = pareto.assign(reason=[FAILURE_REASONS.get(r, {}).get(lang, r) for r in pareto["reason"]])
    fig = pareto_chart(frame, title=(f"Why orders fail: order lines by reason, {span}" if en
                                     else f"订单失败原因（按订单行），{span}"))
    fig.update_layout(yaxis_title="order lines" if en else "订单行")
    return _relabel(fig, lang, {"lines": "order lines" if en else "订单行"})


def customers_table(top: pd.DataFrame, kpi_columns: Sequence[str], span: str, lang: str = "en",
                    currency: str = "") -> ReportTable:
    """Return a table of the largest customers with their tier and KPIs over the period ``span``.

    ``top`` holds ``customer_id, tier`` (and ``customer_name``) and one column per
    KPI of ``kpi_columns`` (``lines``, rates, ``cycle_time_mean``).

    Examples
    --------
    >>> top = pd.DataFrame({"customer_id": ["C1"], "tier": ["A"], "lines": [1204.0],
    ...                     "otif_order_rate": [0.679], "cycle_time_mean": [27.39]})
    >>> t = customers_table(top, ["lines", "otif_order_rate", "cycle_time_mean"], "Jul 2024 – Jun 2026")
    >>> t.headers
    ('Customer', 'Tier', 'Order lines', 'OTIF (orders)', 'Order cycle time, mean (days)')
    >>> ">1,204<" in t.html, ">67.9%<" in t.html, ">27.4<" in t.html
    (True, True, True)
    """
    check_language(lang)
    en = lang == "en"
    cols: dict[str, ColumnSpec] = {"customer_id": ColumnSpec(label="Customer" if en else "客户编号",
                                                             kind="id")}
    if "customer_name" in top:
        cols["customer_name"] = ColumnSpec(label="Name" if en else "客户名称", kind="text")
    cols["tier"] = ColumnSpec(label="Tier" if en else "客户等级", kind="text")
    for k in kpi_columns:
        if k not in top:
            continue
        if k == "lines":
            cols[k] = ColumnSpec(label=kpi_name(k, lang), kind="integer", digits=0)
        elif k == "cycle_time_mean":
            cols[k] = ColumnSpec(label="Order cycle time, mean (days)" if en else "订单周期（平均，天）",
                                 kind="number", digits=1)
        else:
            cols[k] = ColumnSpec(label=kpi_name(k, lang), kind="percent")
    caption = (f"Largest customers first, {span}" if en else f"按规模排序的主要客户，{span}")
    return report_table(top, cols, lang=lang, currency=currency, caption=caption)


def definitions_table(lang: str = "en", only: Sequence[str] | None = None) -> ReportTable:
    """How each KPI is counted: what is counted and out of what (the definitions are in English).

    Examples
    --------
    >>> t = definitions_table("en", ["otif_order_rate"])
    >>> t.headers, t.rows
    (('KPI', 'What is counted', 'Out of'), 1)
    >>> definitions_table("zh", ["otif_order_rate"]).headers
    ('指标', '计数内容（英文）', '基数（英文）')
    """
    check_language(lang)
    d = kpis.kpi_definitions()
    if only is not None:
        d = d[d["name"].isin(list(only))]
    en = lang == "en"
    frame = pd.DataFrame({"kpi": [kpi_name(k, lang) for k in d["name"]],
                          "numerator": d["numerator"].replace("-", None).str.replace("_", " ").to_numpy(),
                          "denominator": d["denominator"].replace("-", None).str.replace("_", " ").to_numpy()})
    return report_table(frame, {
        "kpi": ColumnSpec(label="KPI" if en else "指标", kind="text"),
        "numerator": ColumnSpec(label="What is counted" if en else "计数内容（英文）", kind="text"),
        "denominator": ColumnSpec(label="Out of" if en else "基数（英文）", kind="text")},
        lang=lang)


def section_title(key: str, lang: str = "en") -> str:
    """Return the title of an analysis of :data:`workbench.reporting.availability.CATALOGUE`.

    Examples
    --------
    >>> section_title("cycle_time") != section_title("cycle_time", "zh")
    True
    """
    check_language(lang)
    a = av.CATALOGUE[key]
    return a.title if lang == "en" else a.title_zh


def missing_notes(ds: Dataset, keys: Sequence[str], lang: str = "en") -> list[str]:
    """Return the not-available lines of the sections ``keys``, each line once, in order.

    Several KPI sections often lack the same column: the report says it once.

    Examples
    --------
    >>> from pathlib import Path
    >>> notes = missing_notes(Dataset(Path(".")), ["otif", "in_full", "complaints"])
    >>> len(notes), notes[0].startswith("Not available: needs order_lines")
    (3, True)
    """
    check_language(lang)
    notes = (av.not_available_note(k, ds, lang) for k in keys)
    return list(dict.fromkeys(n for n in notes if n))


def show_missing(ds: Dataset, keys: Sequence[str], lang: str = "en") -> None:
    """Display the not-available lines of the sections ``keys`` (each once, italic)."""
    from IPython.display import display

    for note in missing_notes(ds, keys, lang):
        display({"text/markdown": f"*{md(note)}*", "text/plain": note}, raw=True)


# ------------------------------------------------------------- promises kept (issue 15)

PROMISE_KPIS: tuple[str, ...] = ("on_time_promised_rate", "on_time_first_promise_rate",
                                 "on_time_promise_gap", "otif_line_rate",
                                 "otif_first_promise_rate", "otif_promise_gap")
"""KPIs of the promises table, computed on the lines with both a current and a first promise."""

LEVEL_KPIS: tuple[str, ...] = ("on_time_promised_rate", "on_time_qty_rate", "otif_line_rate",
                               "otif_qty_rate", "cycle_time_mean", "order_cycle_time_mean",
                               "net_cycle_time_mean")
"""KPIs of the weighting and cycle-time tables, computed on all order lines."""

_FIRST_NEEDS = ("order_lines.first_promised_date", "order_changes.old_promised_date")
_NET_NEEDS = ("order_lines.released_date",)
_MEASURES = {"on_time": {"en": "On time", "zh": "准时率"},
             "otif": {"en": "OTIF", "zh": "准时足量交付率"}}
_CYCLES = {"cycle_time_mean": ({"en": "Per line: order to delivery", "zh": "按订单行：下单至交付"},
                               {"en": "lines", "zh": "行"}),
           "order_cycle_time_mean": ({"en": "Per order: order to its last delivery",
                                      "zh": "按整单：下单至最后一行交付"},
                                     {"en": "orders", "zh": "单"}),
           "net_cycle_time_mean": ({"en": "Net per line: release to delivery",
                                    "zh": "净周期（按订单行）：下达至交付"},
                                   {"en": "lines", "zh": "行"})}


class PromiseSummary:
    """The promise and cycle-time KPIs summed over the mature periods.

    Attributes
    ----------
    promises
        :data:`PROMISE_KPIS` on the lines with both promises, indexed by KPI
        (``numerator, denominator, value, unit``).
    levels
        :data:`LEVEL_KPIS` on all lines, indexed the same way.
    split
        The maturity split of the periods (:class:`TrendSplit`): ``split.mature``
        holds the mature periods' rows, ``split.provisional`` the periods left out.
    """

    def __init__(self, promises: pd.DataFrame, levels: pd.DataFrame, split: TrendSplit) -> None:
        self.promises = promises
        self.levels = levels
        self.split = split


def _needs_note(ds: Dataset, group: tuple[str, ...], lang: str) -> str | None:
    """Return the not-available line (as :func:`workbench.reporting.availability.not_available_note`) of one group."""
    if any(av.has_column(ds, *req.split(".", 1)) for req in group):
        return None
    what = (" or " if lang == "en" else " 或 ").join(group)
    how = av.how_to_provide(ds, [group], lang)
    return f"Not available: needs {what} ({how})." if lang == "en" else f"不可用：需要 {what}（{how}）。"


def first_promise_note(ds: Dataset, lang: str = "en") -> str:
    """Return the one line saying that first promises need ``first_promised_date`` or old promises.

    Examples
    --------
    >>> from pathlib import Path
    >>> first_promise_note(Dataset(Path(".")))
    'Not available: needs order_lines.first_promised_date or order_changes.old_promised_date (load an order-lines table or add an order_changes table (order-change log with old_promised_date) to the dataset YAML under tables:).'
    """
    check_language(lang)
    note = _needs_note(ds, _FIRST_NEEDS, lang)
    if note is None:  # a column is there but holds no date the lines can use
        what = (" or " if lang == "en" else " 或 ").join(_FIRST_NEEDS)
        return (f"Not available: needs {what} (no first promised date matches an order line)."
                if lang == "en" else f"不可用：需要 {what}（没有与订单行对应的首次承诺日期）。")
    return note


def net_cycle_note(ds: Dataset, lang: str = "en") -> str | None:
    """Return the one line saying that net cycle time needs ``released_date``; ``None`` if the data has it.

    Examples
    --------
    >>> from pathlib import Path
    >>> net_cycle_note(Dataset(Path(".")), "zh")
    '不可用：需要 order_lines.released_date（加载订单行表）。'
    """
    check_language(lang)
    return _needs_note(ds, _NET_NEEDS, lang)


def first_promise_orders(orders: pd.DataFrame, changes: pd.DataFrame | None = None
                         ) -> pd.DataFrame | None:
    """Return ``orders`` with ``first_promised_date`` filled in, or ``None`` when no source knows it.

    The rule is :func:`workbench.kpis.with_first_promised_date`: the order lines'
    own column, else the change log's first ``old_promised_date``, else the
    current promise. ``None`` (the data cannot tell a first promise) replaces
    its :class:`~workbench.exceptions.NotAvailableError`; :func:`first_promise_note`
    says what is missing.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["A"], "line_no": [1],
    ...                        "promised_date": pd.to_datetime(["2024-03-20"])})
    >>> first_promise_orders(orders) is None
    True
    >>> changes = pd.DataFrame({"order_id": ["A"], "line_no": [1], "change_seq": [1],
    ...                         "old_promised_date": pd.to_datetime(["2024-03-12"])})
    >>> str(first_promise_orders(orders, changes).loc[0, "first_promised_date"].date())
    '2024-03-12'
    """
    try:
        return kpis.with_first_promised_date(orders, changes)
    except NotAvailableError:
        return None


def _mature_totals(table: pd.DataFrame, split: TrendSplit) -> pd.DataFrame:
    """Sum numerators and denominators of the mature periods per KPI (all are ratio KPIs)."""
    mature = set(pd.to_datetime(split.mature["period_start"]))
    rows = table[pd.to_datetime(table["period_start"]).isin(mature)]
    sums = rows.groupby("kpi", sort=False, observed=True).agg(
        numerator=("numerator", lambda s: s.sum(min_count=1)),
        denominator=("denominator", lambda s: s.sum(min_count=1)),
        unit=("unit", "first"))
    den = sums["denominator"].to_numpy(dtype=float)
    num = sums["numerator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sums["value"] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return sums[["numerator", "denominator", "value", "unit"]]


def promise_summary(orders: pd.DataFrame, period: str, **options: float) -> PromiseSummary:
    """Compute the promise, weighting and cycle-time KPIs and sum them over the mature periods.

    Parameters
    ----------
    orders
        Order lines, with ``first_promised_date`` when known
        (:func:`first_promise_orders`); without it the first-promise KPIs have no value.
    period
        ``W``, ``M`` or ``Q``: the periods judged mature or provisional
        (:func:`split_trend`, on all ``orders``).
    **options
        Passed to :func:`workbench.kpis.kpi_table` (tolerances).

    Returns
    -------
    PromiseSummary
        The promises KPIs are computed on the lines with both a ``promised_date``
        and a ``first_promised_date``, so on those lines the current-promise rate
        minus the first-promise rate is exactly the gap.

    Examples
    --------
    Two January lines, both on time to their current promise, one of them late
    to its first; February (not ended on 5 Feb) is provisional and left out:

    >>> orders = pd.DataFrame({"order_id": ["A", "B", "C"], "line_no": [1, 1, 1],
    ...     "order_date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-02-05"]),
    ...     "promised_date": pd.to_datetime(["2024-01-10", "2024-01-12", "2024-02-10"]),
    ...     "first_promised_date": pd.to_datetime(["2024-01-10", "2024-01-08", "2024-02-10"]),
    ...     "delivery_date": pd.to_datetime(["2024-01-09", "2024-01-11", "2024-02-20"]),
    ...     "qty_ordered": [10.0, 30.0, 20.0]})
    >>> s = promise_summary(orders, "M")
    >>> [f"{p:%b %Y}" for p in s.split.provisional]
    ['Feb 2024']
    >>> s.promises.loc["on_time_promise_gap", ["numerator", "denominator", "value"]].tolist()
    [1.0, 2.0, 0.5]
    >>> s.levels.loc[["cycle_time_mean", "on_time_qty_rate"], "value"].tolist()
    [7.5, 1.0]
    """
    both = orders
    if "first_promised_date" in orders and "promised_date" in orders:
        both = orders[orders["first_promised_date"].notna() & orders["promised_date"].notna()]
    promises = kpis.kpi_table(both, period=period, kpis=list(PROMISE_KPIS), **options)
    levels = kpis.kpi_table(orders, period=period, kpis=list(LEVEL_KPIS), **options)
    split = split_trend(levels, orders, period)
    return PromiseSummary(_mature_totals(promises, split), _mature_totals(levels, split), split)


def _value(totals: pd.DataFrame, kpi: str) -> float:
    return float(totals.at[kpi, "value"]) if kpi in totals.index else float("nan")


def mature_note(split: TrendSplit, period: str, lang: str = "en") -> str:
    """Say which mature periods the section sums and which newest ones are left out.

    Examples
    --------
    >>> s = TrendSplit(pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-06-01"])}),
    ...                [pd.Timestamp("2025-07-01")])
    >>> mature_note(s, "M")
    'Over the mature months, Jan 2025 – Jun 2025. Jul 2025 is provisional (not all its lines are delivered yet) and is left out.'
    >>> mature_note(s, "M", "zh")
    '统计已成熟的各月：2025年1月–2025年6月。2025年7月为暂定期间（其订单行尚未全部交付），未计入。'
    """
    check_language(lang)
    starts = split.mature["period_start"] if len(split.mature) else pd.Series([], dtype="datetime64[ns]")
    unit = {"W": ("weeks", "周"), "Q": ("quarters", "季度"), "D": ("days", "日")}.get(
        str(period).upper(), ("months", "月"))
    span = span_text(starts, lang, days=str(period).upper() in ("W", "D"))
    names = [period_name(p, period, lang) for p in split.provisional]
    if lang == "en":
        text = f"Over the mature {unit[0]}, {span}." if span else "No period is mature yet."
        if names:
            many = len(names) > 1
            text += (f" {join_words(names, lang)} {'are' if many else 'is'} provisional (not all "
                     f"{'their' if many else 'its'} lines are delivered yet) and "
                     f"{'are' if many else 'is'} left out.")
        return text
    text = f"统计已成熟的各{unit[1]}：{span}。" if span else "尚无已成熟的期间。"
    if names:
        text += f"{join_words(names, lang)}为暂定期间（其订单行尚未全部交付），未计入。"
    return text


def promises_table(summary: PromiseSummary, span: str, lang: str = "en") -> ReportTable:
    """On time and OTIF to the current promise beside the first promise, with the gap in points.

    One row per measure the data can compute (on time; OTIF when received
    quantities are known); counted on the delivered lines with both promises.

    Examples
    --------
    >>> t = pd.DataFrame({"numerator": [9.0, 8.0, 1.0], "denominator": [10.0, 10.0, 10.0],
    ...                   "value": [0.9, 0.8, 0.1], "unit": "fraction"},
    ...                  index=["on_time_promised_rate", "on_time_first_promise_rate",
    ...                         "on_time_promise_gap"])
    >>> s = PromiseSummary(t, t.iloc[:0], TrendSplit(pd.DataFrame(), []))
    >>> tab = promises_table(s, "Jan 2025")
    >>> tab.headers, tab.rows, ">+10.0 pts<" in tab.html
    (('Measure', 'Current promise', 'First promise', 'Gap', 'Lines judged'), 1, True)
    """
    check_language(lang)
    en = lang == "en"
    p = summary.promises
    rows = []
    for key, current, first, gap in (
            ("on_time", "on_time_promised_rate", "on_time_first_promise_rate", "on_time_promise_gap"),
            ("otif", "otif_line_rate", "otif_first_promise_rate", "otif_promise_gap")):
        g = _value(p, gap)
        if not np.isfinite(g):
            continue
        rows.append({"measure": _MEASURES[key][lang], "current": _value(p, current),
                     "first": _value(p, first), "gap": fmt_points(g, lang),
                     "lines": float(p.at[gap, "denominator"])})
    frame = pd.DataFrame(rows, columns=["measure", "current", "first", "gap", "lines"])
    caption = (f"Delivered lines with a current and a first promise, {span}" if en
               else f"有当前承诺和首次承诺的已交付订单行，{span}")
    return report_table(frame, {
        "measure": ColumnSpec(label="Measure" if en else "指标", kind="text"),
        "current": ColumnSpec(label="Current promise" if en else "按当前承诺", kind="percent"),
        "first": ColumnSpec(label="First promise" if en else "按首次承诺", kind="percent"),
        "gap": ColumnSpec(label="Gap" if en else "差距", kind="text"),
        "lines": ColumnSpec(label="Lines judged" if en else "评判订单行", kind="integer", digits=0)},
        lang=lang, caption=caption, filter=False)


def promise_gap_sentence(summary: PromiseSummary, lang: str = "en") -> str:
    """Say what the gap means: how much better moved dates make service look than the first promises.

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.914, 0.882, 0.032]}, index=["on_time_promised_rate",
    ...                  "on_time_first_promise_rate", "on_time_promise_gap"])
    >>> s = PromiseSummary(t, t.iloc[:0], TrendSplit(pd.DataFrame(), []))
    >>> promise_gap_sentence(s)
    'Dates moved after the first promise make service look **3.2 pts better** than it was: on time is 91.4% to the current promise but 88.2% to the first.'
    >>> promise_gap_sentence(s, "zh")
    '首次承诺之后改动的交期使服务看起来比实际好 **3.2 个百分点**：按当前承诺准时率为 91.4%，按首次承诺为 88.2%。'
    """
    check_language(lang)
    p = summary.promises
    gap = _value(p, "on_time_promise_gap")
    if not np.isfinite(gap):
        return ""
    cur, first = _value(p, "on_time_promised_rate"), _value(p, "on_time_first_promise_rate")
    pts = f"{abs(gap) * 100:.1f}"
    og = _value(p, "otif_promise_gap")
    ocur, ofirst = _value(p, "otif_line_rate"), _value(p, "otif_first_promise_rate")
    if lang == "en":
        if pts == "0.0":
            text = (f"Moving promise dates does not flatter service: on time is {fmt_pct(cur)} "
                    f"to the current promise and {fmt_pct(first)} to the first")
        else:
            how = "better" if gap > 0 else "worse"
            text = (f"Dates moved after the first promise make service look **{pts} pts {how}** "
                    f"than it was: on time is {fmt_pct(cur)} to the current promise but "
                    f"{fmt_pct(first)} to the first")
        if np.isfinite(og):
            text += (f"; OTIF {fmt_pct(ocur)} against {fmt_pct(ofirst)} "
                     f"({fmt_points(og, lang)})")
        return text + "."
    if pts == "0.0":
        text = (f"改动承诺交期并未美化服务：按当前承诺准时率为 {fmt_pct(cur)}，"
                f"按首次承诺为 {fmt_pct(first)}")
    else:
        how = "好" if gap > 0 else "差"
        text = (f"首次承诺之后改动的交期使服务看起来比实际{how} **{pts} 个百分点**："
                f"按当前承诺准时率为 {fmt_pct(cur)}，按首次承诺为 {fmt_pct(first)}")
    if np.isfinite(og):
        text += (f"；准时足量交付率为 {fmt_pct(ocur)} 对 {fmt_pct(ofirst)}"
                 f"（{fmt_points(og, lang)}）")
    return text + "。"


def weighting_table(summary: PromiseSummary, span: str, lang: str = "en") -> ReportTable:
    """On time and OTIF counted by lines beside the same weighted by units ordered.

    Examples
    --------
    >>> t = pd.DataFrame({"value": [0.75, 0.5]}, index=["otif_line_rate", "otif_qty_rate"])
    >>> s = PromiseSummary(t.iloc[:0], t, TrendSplit(pd.DataFrame(), []))
    >>> tab = weighting_table(s, "Jan 2025", "zh")
    >>> tab.headers, ">-25.0个百分点<" in tab.html
    (('指标', '按订单行', '按数量', '数量与订单行之差'), True)
    """
    check_language(lang)
    en = lang == "en"
    lv = summary.levels
    rows = []
    for key, by_line, by_qty in (("on_time", "on_time_promised_rate", "on_time_qty_rate"),
                                 ("otif", "otif_line_rate", "otif_qty_rate")):
        a, b = _value(lv, by_line), _value(lv, by_qty)
        if np.isfinite(a) and np.isfinite(b):
            rows.append({"measure": _MEASURES[key][lang], "lines": a, "units": b,
                         "diff": fmt_points(b - a, lang)})
    frame = pd.DataFrame(rows, columns=["measure", "lines", "units", "diff"])
    caption = f"Delivered lines, {span}" if en else f"已交付订单行，{span}"
    return report_table(frame, {
        "measure": ColumnSpec(label="Measure" if en else "指标", kind="text"),
        "lines": ColumnSpec(label="By lines" if en else "按订单行", kind="percent"),
        "units": ColumnSpec(label="By units ordered" if en else "按数量", kind="percent"),
        "diff": ColumnSpec(label="Units minus lines" if en else "数量与订单行之差", kind="text")},
        lang=lang, caption=caption, filter=False)


def cycle_levels_table(summary: PromiseSummary, span: str, lang: str = "en") -> ReportTable:
    """Mean cycle time per line, per order (to its last delivery) and net of the wait before release.

    Rows the data cannot compute (net cycle time without ``released_date``) are left out.

    Examples
    --------
    >>> t = pd.DataFrame({"denominator": [4.0, 2.0], "value": [7.5, 9.0]},
    ...                  index=["cycle_time_mean", "order_cycle_time_mean"])
    >>> s = PromiseSummary(t.iloc[:0], t, TrendSplit(pd.DataFrame(), []))
    >>> tab = cycle_levels_table(s, "Jan 2025")
    >>> tab.headers, ">9.0<" in tab.html, ">2 orders<" in tab.html
    (('Measure', 'Mean (days)', 'Counted'), True, True)
    """
    check_language(lang)
    en = lang == "en"
    lv = summary.levels
    rows = []
    for kpi, (name, unit) in _CYCLES.items():
        v = _value(lv, kpi)
        if np.isfinite(v):
            n = fmt_num(float(lv.at[kpi, "denominator"]), lang)
            rows.append({"measure": name[lang], "mean": v,
                         "n": f"{n} {unit[lang]}"})
    frame = pd.DataFrame(rows, columns=["measure", "mean", "n"])
    caption = (f"Delivered lines and fully delivered orders, {span}" if en
               else f"已交付订单行和已全部交付的订单，{span}")
    return report_table(frame, {
        "measure": ColumnSpec(label="Measure" if en else "指标", kind="text"),
        "mean": ColumnSpec(label="Mean (days)" if en else "平均（天）", kind="number", digits=1),
        "n": ColumnSpec(label="Counted" if en else "计数", kind="text")},
        lang=lang, caption=caption, filter=False)


def show_note(note: str | None) -> None:
    """Display one not-available line (italic) as :func:`show_missing` does; nothing for ``None``."""
    if note:
        from IPython.display import display

        display({"text/markdown": f"*{md(note)}*", "text/plain": note}, raw=True)
