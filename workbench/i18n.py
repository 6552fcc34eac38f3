"""Labels and number/date formats in English and Chinese for the manager reports.

``t(key, lang)`` returns a label; ``fmt_pct``, ``fmt_num``, ``fmt_money``,
``fmt_date`` format numbers and dates the way readers of each language expect
(Chinese: ``2026年6月29日``, ``1.2万`` for large counts is *not* used, so that
figures stay comparable across languages). :data:`LANGUAGES` is
:data:`workbench.validation.LANGUAGES`, the codes these functions accept.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from workbench.validation import LANGUAGES, check_language

__all__ = [
    "CODE_WORDS",
    "COLUMN_LABELS",
    "CURRENCY_NAMES_ZH",
    "LABELS",
    "CURRENCY_SYMBOLS",
    "LANGUAGES",
    "UNIT_WORDS",
    "ColumnLabel",
    "code_words",
    "column_label",
    "currency_prefix",
    "fmt_date",
    "fmt_money",
    "fmt_num",
    "fmt_pct",
    "fmt_points",
    "label",
    "t",
]

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Customer service: manager summary", "zh": "客户服务：管理层摘要"},
    "as_of": {"en": "Planning date", "zh": "计划日期"},
    "intro": {"en": "Service to customers against targets, supply risks that will reach "
                    "customers, customers drifting away, and what to do. Every sentence is "
                    "generated from the numbers below.",
              "zh": "对照目标的客户服务表现、将影响客户的供应风险、可能流失的客户以及应采取的措施。"
                    "以下每句话均由下方数据自动生成。"},
    "scorecard": {"en": "Service by customer tier against targets",
                  "zh": "各客户等级服务表现对照目标"},
    "headline": {"en": "Headline service KPIs", "zh": "核心服务指标"},
    "alerts": {"en": "Delivery early warning", "zh": "交付预警"},
    "top_risks": {"en": "Top supply risks", "zh": "主要供应风险"},
    "churn": {"en": "Customers at churn risk", "zh": "有流失风险的客户"},
    "cost": {"en": "Cost of the service policy", "zh": "服务水平成本"},
    "money": {"en": "Money at stake", "zh": "涉及金额"},
    "kpi": {"en": "KPI", "zh": "指标"},
    "value": {"en": "Value", "zh": "数值"},
    "previous": {"en": "Previous period", "zh": "上期"},
    "change": {"en": "Change", "zh": "变化"},
    "tiers_on_target": {"en": "Tiers on target", "zh": "达标等级"},
    "level": {"en": "Level", "zh": "级别"},
    "status": {"en": "Status", "zh": "状态"},
    "count": {"en": "Count", "zh": "数量"},
    "item": {"en": "Item", "zh": "物料"},
    "customer": {"en": "Customer", "zh": "客户"},
    "customers": {"en": "Customers", "zh": "客户数"},
    "orders": {"en": "Orders", "zh": "订单"},
    "first_short": {"en": "Short from", "zh": "缺货起始"},
    "qty_short": {"en": "Quantity short", "zh": "缺货数量"},
    "action": {"en": "Recommended action", "zh": "建议措施"},
    "revenue_at_risk": {"en": "Revenue at risk", "zh": "风险收入"},
    "reason": {"en": "Reason", "zh": "原因"},
    "narrative": {"en": "In brief", "zh": "要点"},
    "level_1": {"en": "1 - internal alert", "zh": "1 - 内部预警"},
    "level_2": {"en": "2 - potential customer risk", "zh": "2 - 潜在客户风险"},
    "level_3": {"en": "3 - confirmed break", "zh": "3 - 确认断供"},
    "new": {"en": "new", "zh": "新增"},
    "continuing": {"en": "continuing", "zh": "持续"},
    "escalated": {"en": "escalated", "zh": "升级"},
    "de-escalated": {"en": "de-escalated", "zh": "降级"},
    "resolved": {"en": "resolved", "zh": "已解除"},
    "otif_order_rate": {"en": "OTIF (orders)", "zh": "准时足量交付率（订单）"},
    "on_time_promised_rate": {"en": "On time to promise", "zh": "按承诺日期准时率"},
    "line_fill_rate": {"en": "Line fill rate", "zh": "订单行满足率"},
    "cycle_time_mean": {"en": "Order cycle time (days)", "zh": "订单周期（天）"},
    "perfect_order_rate": {"en": "Perfect order", "zh": "完美订单率"},
    "service_level": {"en": "Service level", "zh": "服务水平"},
    "target": {"en": "target", "zh": "目标"},
    "tier": {"en": "tier", "zh": "客户等级"},
    "current_policy": {"en": "Current safety stocks", "zh": "当前安全库存"},
    "cost_optimum": {"en": "Cost optimum per item", "zh": "各物料成本最优"},
    "cost_note": {"en": "Cycle service levels weighted by demand; yearly holding plus shortage "
                        "cost of the safety stocks in the item master against each item's "
                        "cost-optimal level (weekly review, shortage cost per unit short).",
                  "zh": "周期服务水平按需求加权；物料主数据中安全库存的年度持有成本加缺货成本，"
                        "对比各物料的成本最优水平（每周盘点，按缺货数量计缺货成本）。"},
    "total_cost": {"en": "Total cost", "zh": "总成本"},
}


def t(key: str, lang: str = "en") -> str:
    """Return the label ``key`` in ``lang`` (the key itself when there is no label).

    Raises
    ------
    LanguageError
        ``lang`` is not ``en`` or ``zh``.
    """
    check_language(lang)
    return LABELS.get(key, {}).get(lang, key)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT


def fmt_pct(x: float | None, lang: str = "en", digits: int = 1) -> str:
    """``0.9712`` -> ``97.1%`` (same in both languages); missing -> ``n/a`` / ``无``."""
    if _missing(x):
        return "n/a" if lang == "en" else "无"
    return f"{x * 100:.{digits}f}%"


def fmt_points(x: float | None, lang: str = "en", digits: int = 1) -> str:
    """Format a change of a rate in percentage points: ``+1.2 pts`` / ``+1.2个百分点``."""
    if _missing(x):
        return "n/a" if lang == "en" else "无"
    v = f"{x * 100:+.{digits}f}"
    return f"{v} pts" if lang == "en" else f"{v}个百分点"


def fmt_num(x: float | None, lang: str = "en", digits: int = 0) -> str:
    """Thousands separators: ``12,345``; missing -> ``n/a`` / ``无``."""
    if _missing(x):
        return "n/a" if lang == "en" else "无"
    return f"{x:,.{digits}f}"


CURRENCY_SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "CNY": "¥", "RMB": "¥", "GBP": "£",
                                     "JPY": "¥", "HKD": "HK$", "INR": "₹", "KRW": "₩"}
"""Symbols written before an amount; any other ISO code is written as ``CHF 1,234``."""


def currency_prefix(currency: str | None) -> str:
    """Return the text written before an amount: ``$``, ``€``, ``¥``, ``CHF `` or ``""``.

    Examples
    --------
    >>> currency_prefix("usd"), currency_prefix("CHF"), currency_prefix("")
    ('$', 'CHF ', '')
    """
    code = (currency or "").strip().upper()
    if not code:
        return ""
    return CURRENCY_SYMBOLS.get(code, code + " ")


def fmt_money(x: float | None, lang: str = "en", currency: str | None = None) -> str:
    """Format an amount with its currency: ``$1.23 m``, ``€4.1 k``, ``¥123.4万``, ``CHF 950``.

    Large amounts are shortened the way readers of each language write them (English
    ``k``/``m``, Chinese ``万``/``亿``); without a currency only the number is written.
    A negative amount keeps its sign before the symbol (``-$1.2 k``).

    Examples
    --------
    >>> fmt_money(1_084_000, "en", "USD"), fmt_money(4108, "en", "EUR"), fmt_money(950, "en", "CHF")
    ('$1.08 m', '€4.1 k', 'CHF 950')
    >>> fmt_money(1_084_000, "zh", "CNY"), fmt_money(250_000_000, "zh", "CNY"), fmt_money(None)
    ('¥108.4万', '¥2.50亿', 'n/a')
    """
    if _missing(x):
        return "n/a" if lang == "en" else "无"
    sign, a, cur = ("-" if x < 0 else ""), abs(float(x)), currency_prefix(currency)
    if lang == "zh":
        if a >= 1e8:
            text = f"{a / 1e8:,.2f}亿"
        else:
            text = f"{a / 1e4:,.1f}万" if a >= 1e4 else f"{a:,.0f}"
    elif a >= 1e6:
        text = f"{a / 1e6:,.2f} m"
    elif a >= 1e3:
        text = f"{a / 1e3:,.1f} k"
    else:
        text = f"{a:,.0f}"
    return f"{sign}{cur}{text}"


def fmt_date(d: object, lang: str = "en") -> str:
    """``29 Jun 2026`` / ``2026年6月29日``."""
    if _missing(d) or pd.isna(d):
        return "n/a" if lang == "en" else "无"
    ts = pd.Timestamp(d)
    return f"{ts.day} {ts:%b %Y}" if lang == "en" else f"{ts.year}年{ts.month}月{ts.day}日"


class ColumnLabel(NamedTuple):
    """How a report table heads and formats a known column.

    ``kind`` is one of ``text``, ``id``, ``code``, ``integer``, ``number``,
    ``money``, ``percent``, ``date``, ``days``, ``bool`` (the values of
    :class:`workbench.reporting.tables.ColumnKind`); ``unit`` a key of
    :data:`UNIT_WORDS` written in the header (money columns get the currency).
    """

    en: str
    zh: str
    kind: str = "text"
    unit: str = ""


UNIT_WORDS: dict[str, dict[str, str]] = {
    "days": {"en": "days", "zh": "天"},
    "weeks": {"en": "weeks", "zh": "周"},
    "units": {"en": "units", "zh": "件"},
    "per_year": {"en": "per year", "zh": "每年"},
}
"""Units written in table headers: ``Order cycle time (days)`` / ``订单周期（天）``."""

CURRENCY_NAMES_ZH: dict[str, str] = {"USD": "美元", "EUR": "欧元", "CNY": "元", "RMB": "元",
                                     "GBP": "英镑", "JPY": "日元", "HKD": "港元"}
"""Chinese currency names for table headers; other ISO codes are written as the code."""

_L = ColumnLabel
COLUMN_LABELS: dict[str, ColumnLabel] = {
    # identifiers and names
    "alert_id": _L("Alert", "预警编号", "id"),
    "item_id": _L("Item", "物料", "id"),
    "customer_id": _L("Customer", "客户编号", "id"),
    "order_id": _L("Order", "订单", "id"),
    "previous_alert_id": _L("Previous alert", "上次预警", "id"),
    "line_no": _L("Line", "行号", "integer"),
    "customer_name": _L("Customer name", "客户名称"),
    "customers": _L("Customers", "客户", "text"),
    "orders": _L("Orders", "订单", "text"),
    "description": _L("Description", "描述"),
    "region": _L("Region", "区域"),
    "site": _L("Site", "地点"),
    "category": _L("Category", "类别"),
    "segment": _L("Segment", "细分"),
    "subject": _L("Subject", "主题"),
    "name": _L("Name", "名称"),
    "formula": _L("Formula", "公式"),
    "conventions": _L("Conventions", "约定"),
    "required_columns": _L("Required columns", "所需字段"),
    # codes shown as words
    "tier": _L("Tier", "客户等级", "code"),
    "alert_level": _L("Alert level", "预警级别", "code"),
    "previous_level": _L("Previous level", "上次级别", "code"),
    "level": _L("Level", "级别", "code"),
    "kind": _L("Kind of risk", "风险类型", "code"),
    "status": _L("Status", "状态", "code"),
    "state": _L("State", "状态", "code"),
    "notice": _L("Notice", "通知", "code"),
    "language": _L("Language", "语言", "code"),
    "kpi": _L("KPI", "指标", "code"),
    "abc": _L("ABC class", "ABC分类", "code"),
    "xyz": _L("XYZ class", "XYZ分类", "code"),
    "pattern": _L("Demand pattern", "需求模式", "code"),
    "demand_class": _L("Demand class", "需求类别", "code"),
    "rfm": _L("RFM segment", "RFM细分", "code"),
    "unit": _L("Unit", "单位", "code"),
    "expedite_mode": _L("Expedite mode", "加急方式"),
    "root_cause": _L("Root cause", "根本原因"),
    "recommended_action": _L("Recommended action", "建议措施"),
    "reason": _L("Reason", "原因"),
    "reasons": _L("Reasons", "原因"),
    "note": _L("Note", "说明"),
    "label": _L("Label", "标签"),
    # dates
    "first_short_date": _L("Short from", "缺货起始", "date"),
    "last_short_date": _L("Short until", "缺货截至", "date"),
    "short_from": _L("Short from", "缺货起始", "date"),
    "covered_by_date": _L("Covered by", "补足日期", "date"),
    "due_date": _L("Due", "到期日", "date"),
    "order_date": _L("Ordered", "下单日期", "date"),
    "commit_date": _L("Committed", "承诺日期", "date"),
    "delivery_date": _L("Delivered", "交付日期", "date"),
    "last_order_date": _L("Last order", "最近订单", "date"),
    "complaint_date": _L("Complaint date", "投诉日期", "date"),
    "resolved_date": _L("Resolved", "解决日期", "date"),
    "expedite_arrival": _L("Expedited arrival", "加急到货", "date"),
    "period_start": _L("Period", "期间", "date"),
    "as_of": _L("Planning date", "计划日期", "date"),
    # quantities and counts
    "max_shortage_qty": _L("Largest shortage", "最大缺货量", "integer", "units"),
    "gap_qty": _L("Gap", "缺口", "integer", "units"),
    "qty_short": _L("Quantity short", "缺货数量", "integer", "units"),
    "qty_open": _L("Quantity open", "未交数量", "integer", "units"),
    "qty_ordered": _L("Quantity ordered", "订购数量", "integer", "units"),
    "qty_received": _L("Quantity received", "收货数量", "integer", "units"),
    "safety_stock": _L("Safety stock", "安全库存", "integer", "units"),
    "shortage_caused": _L("Extra shortage", "新增缺货", "integer", "units"),
    "affected_customers": _L("Customers affected", "受影响客户", "integer"),
    "affected_lines": _L("Order lines affected", "受影响订单行", "integer"),
    "lines": _L("Order lines", "订单行", "integer"),
    "changes": _L("Changes", "变更次数", "integer"),
    "complaints": _L("Complaints", "投诉", "integer"),
    "failures": _L("Failures", "失败次数", "integer"),
    "frequency": _L("Orders (frequency)", "订单频次", "integer"),
    "numerator": _L("Numerator", "分子", "integer"),
    "denominator": _L("Denominator", "分母", "integer"),
    "demand_periods": _L("Periods with demand", "有需求期数", "integer"),
    "count": _L("Count", "数量", "integer"),
    "items": _L("Items", "物料数", "integer"),
    "first_short_period": _L("First short period", "首个缺货期", "integer"),
    # days and weeks
    "days_late": _L("Days late", "延迟", "days", "days"),
    "days_since_last": _L("Since last order", "距上次订单", "days", "days"),
    "cycle_time_mean": _L("Order cycle time", "订单周期", "days", "days"),
    "lead_time_days": _L("Lead time", "提前期", "days", "days"),
    "mean_weeks_before_due": _L("Changed before due", "到期前变更", "number", "weeks"),
    "interval_median": _L("Usual order interval", "常规订货间隔", "days", "days"),
    # rates and percentages
    "otif_order_rate": _L("OTIF (orders)", "准时足量交付率（订单）", "percent"),
    "otif_line_rate": _L("OTIF (lines)", "准时足量交付率（订单行）", "percent"),
    "on_time_promised_rate": _L("On time to promise", "按承诺日期准时率", "percent"),
    "on_time_requested_rate": _L("On time to request", "按要求日期准时率", "percent"),
    "in_full_rate": _L("In full", "足量交付率", "percent"),
    "line_fill_rate": _L("Line fill rate", "订单行满足率", "percent"),
    "order_fill_rate": _L("Order fill rate", "订单满足率", "percent"),
    "unit_fill_rate": _L("Unit fill rate", "数量满足率", "percent"),
    "perfect_order_rate": _L("Perfect order", "完美订单率", "percent"),
    "change_rate": _L("Change rate", "变更率", "percent"),
    "service_level": _L("Service level", "服务水平", "percent"),
    "optimal_level": _L("Cost-optimal service level", "成本最优服务水平", "percent"),
    "target": _L("Target", "目标", "percent"),
    "volume_ratio": _L("Volume vs. usual", "订量对比常规", "percent"),
    "churn_risk": _L("Churn risk", "流失风险", "bool"),
    "analytic_fill_rate": _L("Fill rate (formula)", "满足率（公式）", "percent"),
    "simulated_fill_rate": _L("Fill rate (simulated)", "满足率（模拟）", "percent"),
    # money
    "revenue": _L("Revenue", "收入", "money"),
    "revenue_at_risk": _L("Revenue at risk", "风险收入", "money"),
    "value_at_risk": _L("Value at risk", "风险价值", "money"),
    "order_value": _L("Order value", "订单金额", "money"),
    "monetary": _L("Revenue (monetary)", "消费金额", "money"),
    "expedite_cost": _L("Expedite cost", "加急费用", "money"),
    "unit_cost": _L("Unit cost", "单位成本", "money"),
    "unit_price": _L("Unit price", "单价", "money"),
    "cost_at_target": _L("Cost at target", "目标水平成本", "money", "per_year"),
    "cost_at_optimum": _L("Cost at optimum", "最优水平成本", "money", "per_year"),
    "extra_cost": _L("Extra cost", "额外成本", "money", "per_year"),
    "total_cost": _L("Total cost", "总成本", "money", "per_year"),
    # scores
    "nervousness": _L("Nervousness (0-100)", "订单波动指数（0-100）", "number"),
    "value": _L("Value", "数值", "number"),
    "tier_value": _L("Tier value", "等级数值", "number"),
}
"""Known report columns: English and Chinese header, kind (how cells are written), unit."""
del _L

_LEVEL_WORDS = {"1": {"en": "1 - internal alert", "zh": "1 - 内部预警"},
                "2": {"en": "2 - potential customer risk", "zh": "2 - 潜在客户风险"},
                "3": {"en": "3 - confirmed break", "zh": "3 - 确认断供"}}

CODE_WORDS: dict[str, dict[str, str]] = {
    # alert kinds (workbench.planning.alert_rules.AlertKind) and customer notices
    "confirmed_break": {"en": "confirmed supply break", "zh": "确认断供"},
    "potential_shortage": {"en": "potential shortage", "zh": "潜在缺货"},
    "potential_risk": {"en": "potential supply risk", "zh": "潜在供应风险"},
    "planned_receipt_dependency": {"en": "depends on planned receipts",
                                   "zh": "依赖计划到货"},
    "below_safety_stock": {"en": "below safety stock", "zh": "低于安全库存"},
    "all_clear": {"en": "all clear", "zh": "风险解除"},
    # alert statuses (workbench.planning.alertlog.STATUSES)
    "new": {"en": "new", "zh": "新增"},
    "continuing": {"en": "continuing", "zh": "持续"},
    "escalated": {"en": "escalated", "zh": "升级"},
    "de-escalated": {"en": "de-escalated", "zh": "降级"},
    "resolved": {"en": "resolved", "zh": "已解除"},
    # open-line states, flags, languages
    "overdue": {"en": "overdue", "zh": "已逾期"},
    "open": {"en": "open", "zh": "未完成"},
    "true": {"en": "yes", "zh": "是"},
    "false": {"en": "no", "zh": "否"},
    "en": {"en": "English", "zh": "英文"},
    "zh": {"en": "Chinese", "zh": "中文"},
    # built-in expedite modes (workbench.planning.expedite)
    "standard truck": {"en": "standard truck", "zh": "常规卡车"},
    "express truck": {"en": "express truck", "zh": "加急卡车"},
    "air freight": {"en": "air freight", "zh": "空运"},
    "hand carry": {"en": "hand carry", "zh": "专人随身携带"},
    # demand classes
    "smooth": {"en": "smooth", "zh": "平稳"},
    "erratic": {"en": "erratic", "zh": "波动"},
    "intermittent": {"en": "intermittent", "zh": "间歇"},
    "lumpy": {"en": "lumpy", "zh": "块状"},
    # load quarantine and field-issue reasons (workbench.io.load)
    "empty_row": {"en": "blank record", "zh": "空白记录"},
    "malformed_row": {"en": "record with the wrong number of fields", "zh": "字段数不符的记录"},
    "unterminated_quote": {"en": "quote never closed", "zh": "引号未闭合"},
    "malformed_quote": {"en": "broken quotes", "zh": "引号格式错误"},
    "missing_required": {"en": "required value missing", "zh": "缺少必填值"},
    "unusable_required": {"en": "required value unreadable", "zh": "必填值无法识别"},
    "negative_quantity": {"en": "negative quantity", "zh": "数量为负"},
    "delivery_date_before_order_date": {"en": "delivered before it was ordered",
                                        "zh": "交付日期早于下单日期"},
    "ship_date_before_order_date": {"en": "shipped before it was ordered",
                                    "zh": "发货日期早于下单日期"},
    "resolved_date_before_complaint_date": {"en": "resolved before the complaint",
                                            "zh": "解决日期早于投诉日期"},
    "unknown_customer": {"en": "customer not in the customer master",
                         "zh": "客户不在客户主数据中"},
    "unknown_item": {"en": "item not in the item master", "zh": "物料不在物料主数据中"},
    "duplicate_key": {"en": "duplicate order line", "zh": "重复的订单行"},
    "unusable_value": {"en": "value unreadable (left empty)", "zh": "值无法识别（留空）"},
    "negative_value": {"en": "negative value (left empty)", "zh": "值为负（留空）"},
    "date_ambiguous": {"en": "date could be read two ways", "zh": "日期有两种读法"},
    "date_format_inconsistent": {"en": "date in another format than the rest of its column",
                                 "zh": "日期格式与该列其他值不同"},
    "date_out_of_range": {"en": "date out of range", "zh": "日期超出范围"},
    "date_excel_serial": {"en": "date written as an Excel serial number",
                          "zh": "日期为Excel序列号"},
    "number_ambiguous": {"en": "number could be read two ways", "zh": "数字有两种读法"},
    "number_format_inconsistent": {"en": "number written with the other decimal mark",
                                   "zh": "数字使用了另一种小数点"},
    "encoding_guess": {"en": "text encoding uncertain", "zh": "文本编码不确定"},
    "formula_without_value": {"en": "formula without a stored value", "zh": "公式无存储值"},
    "planned_date": {"en": "planned date used", "zh": "使用计划日期"},
    # forecast methods and the reasons of their choice (workbench.inventory.forecasting)
    "method:zero": {"en": "no forecast: no or discontinued demand", "zh": "不预测：无需求或已停售"},
    "method:ses": {"en": "simple exponential smoothing", "zh": "简单指数平滑"},
    "method:holt": {"en": "Holt's trend", "zh": "Holt 趋势法"},
    "method:seasonal": {"en": "seasonal", "zh": "季节性"},
    "method:croston": {"en": "Croston", "zh": "Croston 法"},
    "method:sba": {"en": "Syntetos-Boylan (SBA)", "zh": "SBA 法"},
    "method:tsb": {"en": "Teunter–Syntetos–Babai (TSB)", "zh": "TSB 法"},
    "method:combo": {"en": "average of exponential smoothing, SBA and TSB",
                     "zh": "指数平滑、SBA 与 TSB 的平均"},
    "reason_code:short_history": {"en": "too little history to compare: average of three methods",
                                  "zh": "历史太短无法比较：取三种方法的平均"},
    "reason_code:no_demand": {"en": "no demand yet", "zh": "尚无需求"},
    "reason_code:discontinued": {"en": "no demand for much longer than its usual interval",
                                 "zh": "停止需求的时间远超通常的需求间隔"},
    "reason_code:backtest": {"en": "smallest error in the item's own backtest",
                             "zh": "该物料自身回测误差最小"},
    "reason_code:class": {"en": "too little history to compare: chosen by demand pattern",
                          "zh": "历史太短无法比较：按需求模式选择"},
    "reason_code:fixed": {"en": "method set in the report's settings", "zh": "方法由报告设置指定"},
    # KPI names in a ``kpi`` column
    **{k: LABELS[k] for k in ("otif_order_rate", "on_time_promised_rate", "line_fill_rate",
                              "cycle_time_mean", "perfect_order_rate")},
    **{f"alert_level:{k}": v for k, v in _LEVEL_WORDS.items()},
    **{f"previous_level:{k}": v for k, v in _LEVEL_WORDS.items()},
    **{f"level:{k}": v for k, v in _LEVEL_WORDS.items()},
}
"""Internal codes and the words a report shows for them.

A key ``column:value`` applies to that column only (``alert_level:3`` ->
``3 - confirmed break``); a plain key to every code column.
"""


def code_words(value: object, lang: str = "en", column: str | None = None) -> str:
    """Return the words a report shows for an internal code (missing -> ``""``).

    Looks up ``column:value`` then ``value`` in :data:`CODE_WORDS`; an unknown
    code is shown with its underscores as spaces (``"air_freight"`` -> ``"air freight"``).
    Whole floats are read as integers (``3.0`` -> ``3``).

    Raises
    ------
    LanguageError
        ``lang`` is not ``en`` or ``zh``.

    Examples
    --------
    >>> code_words("confirmed_break"), code_words("resolved", "zh")
    ('confirmed supply break', '已解除')
    >>> code_words(3, "en", "alert_level"), code_words(1.0, "zh", "alert_level")
    ('3 - confirmed break', '1 - 内部预警')
    >>> code_words("air_freight"), code_words(None)
    ('air freight', '')
    """
    check_language(lang)
    if _missing(value) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        value = str(value).lower()
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    words = CODE_WORDS.get(f"{column}:{text}") if column else None
    words = words or CODE_WORDS.get(text) or CODE_WORDS.get(text.lower())
    return words[lang] if words else text.replace("_", " ")


def column_label(column: str) -> ColumnLabel | None:
    """Return the registry entry of a column name (:data:`COLUMN_LABELS`), or ``None``.

    Examples
    --------
    >>> column_label("expedite_cost").kind, column_label("no_such_column")
    ('money', None)
    """
    return COLUMN_LABELS.get(column)


def _unit_text(unit: str, lang: str, currency: str | None) -> str:
    code = (currency or "").strip().upper()
    money = (CURRENCY_NAMES_ZH.get(code, code) if lang == "zh" else code) if code else ""
    if unit == "currency":
        return money
    words = UNIT_WORDS.get(unit, {}).get(lang, unit)
    if money and unit == "per_year":
        return f"{money}{'/年' if lang == 'zh' else ' per year'}"
    return words


def label(column: str, lang: str = "en", currency: str | None = None) -> str:
    """Return the header of a report column: its label with the unit or the currency.

    Known columns (:data:`COLUMN_LABELS`) get their label; other names are
    written as words (``days_open`` -> ``Days open``). Money columns carry the
    currency (an ISO code; Chinese headers name the common ones), unit columns
    their unit.

    Raises
    ------
    LanguageError
        ``lang`` is not ``en`` or ``zh``.

    Examples
    --------
    >>> label("expedite_cost", "en", "USD"), label("expedite_cost", "zh", "USD")
    ('Expedite cost (USD)', '加急费用（美元）')
    >>> label("cycle_time_mean", "zh"), label("days_open"), label("revenue")
    ('订单周期（天）', 'Days open', 'Revenue')
    >>> label("extra_cost", "en", "EUR"), label("revenue_at_risk", "zh", "CHF")
    ('Extra cost (EUR per year)', '风险收入（CHF）')
    """
    check_language(lang)
    entry = COLUMN_LABELS.get(column)
    if entry is None:
        text = str(column).replace("_", " ").strip()
        return text[:1].upper() + text[1:]
    unit = entry.unit
    if entry.kind == "money" and not unit:
        unit = "currency"
    elif entry.kind == "money" and unit == "per_year" and not currency:
        unit = "per_year"
    tail = _unit_text(unit, lang, currency) if unit else ""
    text = entry.zh if lang == "zh" else entry.en
    if not tail:
        return text
    return f"{text}（{tail}）" if lang == "zh" else f"{text} ({tail})"
