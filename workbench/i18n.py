"""Labels and number/date formats in English and Chinese for the manager reports.

``t(key, lang)`` returns a label; ``fmt_pct``, ``fmt_num``, ``fmt_money``,
``fmt_date`` format numbers and dates the way readers of each language expect
(Chinese: ``2026年6月29日``, ``1.2万`` for large counts is *not* used, so that
figures stay comparable across languages). :data:`LANGUAGES` is
:data:`workbench.validation.LANGUAGES`, the codes these functions accept.
"""

from __future__ import annotations

import math

import pandas as pd

from workbench.validation import LANGUAGES, check_language

__all__ = [
    "LABELS",
    "CURRENCY_SYMBOLS",
    "LANGUAGES",
    "currency_prefix",
    "fmt_date",
    "fmt_money",
    "fmt_num",
    "fmt_pct",
    "fmt_points",
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
