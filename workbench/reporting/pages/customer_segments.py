"""The customer-segments report, section by section, in English and Chinese.

The cells of ``notebooks/customer_segments.ipynb`` call these functions: value
tiers (ABC) and their Pareto curve, each tier's targets and how it is served,
items by value and demand variability (ABC x XYZ), RFM scores, the churn early
warning and how well it finds known churners, order changes and the shortages
they cause, and the demand forecast's backtest. Every table goes through
:func:`workbench.reporting.tables.report_table`, every figure and table names the
period it covers, and a table and the chart beside it cover the same period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import code_words, fmt_date, fmt_money, fmt_num, fmt_pct
from workbench.io.dataset import Dataset
from workbench.reporting import availability as av
from workbench.reporting.charts import (
    change_heatmap,
    chart_text,
    churn_timeline,
    forecast_fan,
    pareto_curve_chart,
)
from workbench.reporting.pages.service_kpis import kpi_name
from workbench.reporting.pages.wording import join_words, p_text, span_text
from workbench.reporting.tables import ColumnSpec, ReportTable, md, report_table
from workbench.validation import check_language

__all__ = [
    "BUCKET_WORDS",
    "BUFFER_KPIS",
    "DEFAULT_SERVICE_LEVEL",
    "band_sentence",
    "band_table",
    "buffer_frame",
    "buffer_sentence",
    "buffer_table",
    "buffer_target",
    "lead_note",
    "lead_time_periods",
    "method_words",
    "reason_words",
    "suggested_buffers",
    "BY_ID",
    "NO_TRUTH",
    "SAME_M",
    "churn_headline",
    "demand_note",
    "rfm_sentence",
    "truth_note",
    "abc_sentence",
    "abc_xyz_table",
    "backtest_table",
    "change_figure",
    "churn_figure",
    "churn_sentence",
    "churn_table",
    "evaluation_sentence",
    "fan_figure",
    "impact_sentence",
    "impact_table",
    "intro_text",
    "magnitude_sentence",
    "measure_note",
    "nervousness_table",
    "pareto_figure",
    "pattern_table",
    "reason_text",
    "rfm_table",
    "targets_table",
    "timing_table",
]

_MEASURE = {"revenue": ("revenue", "收入"), "margin": ("margin", "毛利"),
            "volume": ("units ordered", "订购数量")}
BUCKET_WORDS: dict[str, dict[str, str]] = {
    "<1": {"en": "less than 1 week", "zh": "不到 1 周"},
    "1-2": {"en": "1–2 weeks", "zh": "1–2 周"},
    "2-4": {"en": "2–4 weeks", "zh": "2–4 周"},
    "4-8": {"en": "4–8 weeks", "zh": "4–8 周"},
    ">8": {"en": "more than 8 weeks", "zh": "超过 8 周"},
}
"""How long before the due date a change arrived (:func:`workbench.customers.change_timing`)."""
SAME_M: dict[str, str] = {"en": "The monetary score (M) is the same for every customer.",
                          "zh": "所有客户的消费金额评分（M）相同。"}
"""Added to the revenue line of the RFM section when the data has no prices."""
BY_ID: dict[str, str] = {"en": "Ranked by customer number instead.", "zh": "改按客户编号排序。"}
"""Added to the revenue-at-risk line of the churn section when the data has no prices."""
NO_TRUTH: dict[str, str] = {
    "en": "*No known churners for this data (no list of customers known to have left comes "
          "with it): precision and recall of the warnings are not computed.*",
    "zh": "*本数据没有已知流失客户名单，因此不计算预警的精确率和召回率。*"}
"""The line of the churn evaluation when no known churners come with the data."""
_XYZ = {"X": ("X (steady)", "X（平稳）"), "Y": ("Y (variable)", "Y（波动）"),
        "Z": ("Z (erratic)", "Z（不规则）"), "all": ("All", "合计")}
_PATTERN = {"smooth": ("smooth", "平稳"), "erratic": ("erratic", "波动"),
            "intermittent": ("intermittent", "间歇"), "lumpy": ("lumpy", "块状")}
_TRACES = {"equal shares": "均等分布", "order day": "下单日", "80 % interval": "80% 区间",
           "95 % interval": "95% 区间", "demand": "需求"}


def _w(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


def intro_text(ds: Dataset, orders: pd.DataFrame, lang: str = "en") -> str:
    """Return the report's first line: the dataset, its order lines, period, customers and items.

    Examples
    --------
    >>> from pathlib import Path
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-05", "2026-02-10"]),
    ...                        "customer_id": ["C1", "C2"], "item_id": ["I1", "I1"]})
    >>> intro_text(Dataset(Path("."), name="Demo"), orders)
    '**Demo**: 2 order lines of Jan 2025 – Feb 2026, 2 customers, 1 items.'
    >>> intro_text(Dataset(Path("."), name="Demo"), orders, "zh")
    '**Demo**：2025年1月–2026年2月的 2 条订单行，2 个客户，1 种物料。'
    """
    check_language(lang)
    span = span_text(orders["order_date"], lang)
    n, c, i = (fmt_num(len(orders)), fmt_num(orders["customer_id"].nunique()),
               fmt_num(orders["item_id"].nunique()))
    if lang == "en":
        return f"**{md(ds.name)}**: {n} order lines of {span}, {c} customers, {i} items."
    return f"**{md(ds.name)}**：{span}的 {n} 条订单行，{c} 个客户，{i} 种物料。"


def measure_note(ds: Dataset, used: str, asked: str, note: str, lang: str = "en") -> str:
    """Return the line saying that customers are ranked by another measure than asked (or ``""``).

    ``note`` is the English line of :func:`workbench.reporting.inputs.measure_for`.

    Examples
    --------
    >>> from pathlib import Path
    >>> measure_note(Dataset(Path(".")), "volume", "revenue", "Ranked by units ordered instead of revenue.", "zh")[:13]
    '改按订购数量而非收入排序。'
    >>> measure_note(Dataset(Path(".")), "revenue", "revenue", "")
    ''
    """
    check_language(lang)
    if used == asked or not note:
        return ""
    if lang == "en":
        return note
    missing = av.not_available_note("revenue", ds, "zh") or ""
    return f"改按{_MEASURE[used][1]}而非{_MEASURE[asked][1]}排序。{missing}"


def abc_sentence(abc: pd.DataFrame, top_count: int, value_share: float, measure: str,
                 span: str, lang: str = "en") -> str:
    """Return how concentrated the value is and how many customers each class holds.

    Examples
    --------
    >>> abc = pd.DataFrame({"abc": ["A", "A", "B", "C", "C"]})
    >>> abc_sentence(abc, 1, 0.62, "revenue", "Jan 2025 – Feb 2026")
    '**The top 20% of customers (1 of 5) carry 62% of revenue** (Jan 2025 – Feb 2026). Class A: 2 customers, B: 1, C: 2.'
    >>> abc_sentence(abc, 1, 0.62, "volume", "2025年1月–2026年2月", "zh")
    '**前 20% 的客户（5 个中的 1 个）贡献了 62% 的订购数量**（2025年1月–2026年2月）。A 类：2 个客户，B 类：1 个，C 类：2 个。'
    """
    check_language(lang)
    counts = abc["abc"].value_counts().sort_index()
    n = len(abc)
    share = round(top_count / n * 100) if n else 0
    what = _w(_MEASURE.get(measure, (measure, measure)), lang)
    if lang == "en":
        parts = [f"{k}: {v:,} customers" if i == 0 else f"{k}: {v:,}"
                 for i, (k, v) in enumerate(counts.items())]
        return (f"**The top {share}% of customers ({top_count} of {n}) carry "
                f"{value_share * 100:.0f}% of {what}** ({span}). Class {', '.join(parts)}.")
    parts = [f"{k} 类：{v:,} 个客户" if i == 0 else f"{k} 类：{v:,} 个"
             for i, (k, v) in enumerate(counts.items())]
    return (f"**前 {share}% 的客户（{n} 个中的 {top_count} 个）贡献了 {value_share * 100:.0f}% 的"
            f"{what}**（{span}）。{'，'.join(parts)}。")


def _relabel(fig: go.Figure, lang: str) -> go.Figure:
    if lang == "zh":
        for trace in fig.data:
            if trace.name in _TRACES:
                trace.name = _TRACES[trace.name]
    return fig


def pareto_figure(curve: pd.DataFrame, abc: pd.DataFrame, measure: str, span: str,
                  lang: str = "en") -> go.Figure:
    """Return the Pareto curve of the customers' value with the A/B/C bands, titled with its period."""
    check_language(lang)
    en = lang == "en"
    what = _w(_MEASURE.get(measure, (measure, measure)), lang)
    fig = pareto_curve_chart(curve, abc, measure=what if en else measure)
    title = (f"How concentrated is {what}? Customers largest first, {span}" if en
             else f"{what}集中度：客户按规模排序，{span}")
    fig.update_layout(title=chart_text(title))
    if not en:
        fig.update_xaxes(title="客户占比（从大到小）")
        fig.update_yaxes(title=f"{what}占比")
        fig.data[0].name = f"{what}累计占比"
        for ann in fig.layout.annotations:
            ann.text = re.sub(r"^(\w): (\d+) customers$", r"\1 类：\2 个客户", str(ann.text))
    return _relabel(fig, lang)


def targets_table(targets: pd.DataFrame, lang: str = "en") -> ReportTable:
    """Return each tier's service targets: one row per KPI, one column per tier, as percentages.

    Examples
    --------
    >>> t = pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif_order_rate"] * 2, "target": [0.98, 0.95]})
    >>> table = targets_table(t)
    >>> table.headers, ">98%<" in table.html, ">OTIF (orders)<" in table.html
    (('KPI', 'Tier A', 'Tier B'), True, True)
    >>> targets_table(t, "zh").headers
    ('指标', 'A 级', 'B 级')
    """
    check_language(lang)
    wide = targets.pivot(index="kpi", columns="tier", values="target")
    wide.index = [kpi_name(k, lang) for k in wide.index]
    wide = wide.rename_axis("kpi").reset_index()
    cols: dict[object, ColumnSpec] = {"kpi": ColumnSpec(label="KPI" if lang == "en" else "指标",
                                                        kind="text")}
    for tier in wide.columns[1:]:
        cols[tier] = ColumnSpec(label=f"Tier {tier}" if lang == "en" else f"{tier} 级",
                                kind="percent", digits=0)
    return report_table(wide, cols, lang=lang, filter=False)


def abc_xyz_table(abc_xyz: pd.DataFrame, span: str, lang: str = "en") -> ReportTable:
    """Return items by value class (rows) and demand variability (columns), with totals.

    Examples
    --------
    >>> d = pd.DataFrame({"abc": ["A", "A", "B"], "xyz": ["X", "Z", "X"]})
    >>> t = abc_xyz_table(d, "Jan 2025 – Feb 2026")
    >>> t.headers
    ('Value class', 'X (steady)', 'Z (erratic)', 'All')
    >>> '<td class="wb-text">All</td><td class="wb-num" data-sort="2.0">2</td>' in t.html
    True
    """
    check_language(lang)
    ct = pd.crosstab(abc_xyz["abc"], abc_xyz["xyz"], margins=True, margins_name="all")
    ct.index = [_w(_XYZ["all"], lang) if i == "all" else str(i) for i in ct.index]
    frame = ct.rename_axis("abc").reset_index()
    frame.columns.name = None
    cols: dict[object, ColumnSpec] = {"abc": ColumnSpec(label="Value class" if lang == "en"
                                                        else "价值分类", kind="text")}
    for c in frame.columns[1:]:
        cols[c] = ColumnSpec(label=_w(_XYZ.get(c, (c, c)), lang), kind="integer")
    caption = (f"Items by value and demand variability, weekly demand of {span}" if lang == "en"
               else f"按价值与需求波动划分的物料，{span}的周需求")
    return report_table(frame, cols, lang=lang, caption=caption, filter=False, total_rows=1)


def pattern_table(abc_xyz: pd.DataFrame, lang: str = "en") -> ReportTable:
    """Return items by demand pattern (rows) and value class (columns).

    Examples
    --------
    >>> d = pd.DataFrame({"abc": ["A", "B"], "pattern": ["lumpy", "smooth"]})
    >>> pattern_table(d, "zh").headers
    ('需求模式', 'A 类', 'B 类')
    """
    check_language(lang)
    ct = pd.crosstab(abc_xyz["pattern"], abc_xyz["abc"])
    ct.index = [_w(_PATTERN.get(p, (p, p)), lang) for p in ct.index]
    frame = ct.rename_axis("pattern").reset_index()
    frame.columns.name = None
    cols: dict[object, ColumnSpec] = {"pattern": ColumnSpec(
        label="Demand pattern" if lang == "en" else "需求模式", kind="text")}
    for c in frame.columns[1:]:
        cols[c] = ColumnSpec(label=f"Class {c}" if lang == "en" else f"{c} 类", kind="integer")
    return report_table(frame, cols, lang=lang, filter=False)


def rfm_table(rfm: pd.DataFrame, names: Mapping[str, str], lang: str = "en", currency: str = "",
              n: int = 10) -> ReportTable:
    """Return the ``n`` customers of highest value with their RFM scores, as of their last order.

    Examples
    --------
    >>> rfm = pd.DataFrame({"customer_id": ["C1"], "last_order_date": pd.to_datetime(["2026-06-26"]),
    ...     "recency_days": [3], "frequency": [55], "monetary": [199694.78], "R": [5], "F": [3], "M": [3]})
    >>> t = rfm_table(rfm, {"C1": "Acme"}, currency="EUR")
    >>> t.headers
    ('Customer', 'Name', 'Last order', 'Since last order (days)', 'Orders (frequency)', 'Revenue (monetary) (EUR)', 'RFM score')
    >>> ">26 Jun 2026<" in t.html, ">199,695<" in t.html, ">5-3-3<" in t.html
    (True, True, True)
    """
    check_language(lang)
    top = rfm.sort_values(["monetary", "frequency"], ascending=False).head(n).copy()
    top["score"] = (top["R"].astype(str) + "-" + top["F"].astype(str) + "-" + top["M"].astype(str))
    cols: dict[str, ColumnSpec] = {"customer_id": ColumnSpec(
        label="Customer" if lang == "en" else "客户编号", kind="id")}
    if names:
        top["customer_name"] = top["customer_id"].map(names)
        cols["customer_name"] = ColumnSpec(label="Name" if lang == "en" else "客户名称", kind="text")
    cols |= {"last_order_date": ColumnSpec(), "recency_days": ColumnSpec(
        label="Since last order (days)" if lang == "en" else "距上次订单（天）", kind="integer"),
        "frequency": ColumnSpec(), **({"monetary": ColumnSpec()} if top["monetary"].fillna(0).ne(0).any() else {}),
        "score": ColumnSpec(label="RFM score" if lang == "en" else "RFM 评分", kind="id")}
    return report_table(top, cols, lang=lang, currency=currency, filter=False)


_P = re.compile(r"p = ([0-9.]+(?:e[-+]?\d+)?)")


def reason_text(reason: str, lang: str = "en") -> str:
    """Return a churn reason with its p-values in words (``p = 6e-21`` -> ``p < 0.001``).

    Examples
    --------
    >>> reason_text("no order for 101 days; Poisson p = 6e-21; 0 orders vs 60 (p = 0.0123)")
    'no order for 101 days; Poisson p < 0.001; 0 orders vs 60 (p = 0.012)'
    """
    check_language(lang)
    return _P.sub(lambda m: p_text(float(m.group(1)), lang), str(reason))


def churn_sentence(at_risk: pd.DataFrame, with_value: bool, currency: str, as_of: object,
                   lang: str = "en") -> str:
    """Return how many customers are at risk on ``as_of`` and the revenue they carry.

    Examples
    --------
    >>> at_risk = pd.DataFrame({"revenue_at_risk": [1_200_000.0, 96_000.0]})
    >>> churn_sentence(at_risk, True, "EUR", "2026-06-29")
    '**2 customers at risk** on 29 Jun 2026, with €1.30 m of revenue in the last 12 months.'
    >>> churn_sentence(at_risk.iloc[:0], False, "", "2026-06-29", "zh")
    '截至2026年6月29日，**没有客户有流失风险**。'
    """
    check_language(lang)
    n, day = len(at_risk), fmt_date(as_of, lang)
    money = fmt_money(float(at_risk["revenue_at_risk"].sum()), lang, currency) if with_value else ""
    if lang == "en":
        if n == 0:
            return f"**No customer at risk** on {day}."
        word = "customer" if n == 1 else "customers"
        tail = f", with {money} of revenue in the last 12 months." if with_value else "."
        return f"**{n} {word} at risk** on {day}{tail}"
    if n == 0:
        return f"截至{day}，**没有客户有流失风险**。"
    tail = f"，近 12 个月收入 {money}。" if with_value else "。"
    return f"截至{day}，**{n} 个客户有流失风险**{tail}"


def churn_table(at_risk: pd.DataFrame, names: Mapping[str, str], with_value: bool,
                lang: str = "en", currency: str = "") -> ReportTable:
    """Return the customers at churn risk, largest revenue at risk first, with the reason in words.

    Examples
    --------
    >>> at_risk = pd.DataFrame({"customer_id": ["C1"], "revenue_at_risk": [1200.0],
    ...     "days_since_last": [101], "volume_ratio": [0.0654], "reason": ["silent (p = 6e-21)"]})
    >>> t = churn_table(at_risk, {}, True, currency="EUR")
    >>> t.headers
    ('Customer', 'Revenue at risk (EUR)', 'Since last order (days)', 'Volume vs. usual', 'Reason')
    >>> ">6.5%<" in t.html, "p &lt; 0.001" in t.html, "6e-21" in t.html
    (True, True, False)
    """
    check_language(lang)
    frame = at_risk.assign(reason=[reason_text(r, lang) for r in at_risk["reason"]])
    cols = ["customer_id"]
    if names:
        frame = frame.assign(customer_name=frame["customer_id"].map(names))
        cols.append("customer_name")
    if with_value:
        cols.append("revenue_at_risk")
    cols += ["days_since_last", "volume_ratio", "reason"]
    return report_table(frame, cols, lang=lang, currency=currency)


def churn_figure(warnings: pd.DataFrame, orders: pd.DataFrame, names: Mapping[str, str],
                 lang: str = "en") -> go.Figure:
    """Return the order days of the customers at risk in the last 12 months, titled with the dates."""
    check_language(lang)
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    since = as_of - pd.Timedelta(days=365)
    fig = churn_timeline(warnings, orders, names=dict(names), as_of=as_of)
    span = f"{fmt_date(since, lang)} – {fmt_date(as_of, lang)}"
    title = (f"Customers at churn risk: order days, {span} (red: silent since the last order)"
             if lang == "en" else f"有流失风险的客户：下单日，{span}（红色：上次下单后再无订单）")
    fig.update_layout(title=chart_text(title))
    return _relabel(fig, lang)


def evaluation_sentence(precision: float, recall: float, found: int, false_alarms: int,
                        missed: int, truth_note: str, seasonal: list[str], flagged: set[str],
                        lang: str = "en") -> str:
    """Return how well the warnings find the known churners, and whether seasonal customers are flagged.

    Examples
    --------
    >>> evaluation_sentence(0.8, 1.0, 8, 2, 0, "the 8 customers known to have left in this sample",
    ...                     ["C0131", "C0088"], set())
    '**Against the 8 customers known to have left in this sample:** precision 80%, recall 100% (8 found, 2 false alarms, 0 missed). Seasonal customers C0131 and C0088: none flagged.'
    >>> evaluation_sentence(0.8, 1.0, 8, 2, 0, "样本中设定的 8 个流失客户", ["C0131"], {"C0131"}, "zh")
    '**对照样本中设定的 8 个流失客户：** 精确率 80%，召回率 100%（找到 8 个，误报 2 个，漏报 0 个）。季节性客户 C0131：已标记 C0131。'
    """
    check_language(lang)
    hit = [c for c in seasonal if c in flagged]
    who = join_words([md(c) for c in seasonal], lang)
    if lang == "en":
        alarm = "false alarm" if false_alarms == 1 else "false alarms"
        text = (f"**Against {md(truth_note)}:** precision {precision:.0%}, recall {recall:.0%} "
                f"({found} found, {false_alarms} {alarm}, {missed} missed).")
        if seasonal:
            text += f" Seasonal customers {who}: " + (
                f"flagged {join_words([md(c) for c in hit], lang)}." if hit else "none flagged.")
        return text
    text = (f"**对照{md(truth_note)}：** 精确率 {precision:.0%}，召回率 {recall:.0%}"
            f"（找到 {found} 个，误报 {false_alarms} 个，漏报 {missed} 个）。")
    if seasonal:
        text += f"季节性客户 {who}：" + (f"已标记 {join_words([md(c) for c in hit], lang)}。"
                                     if hit else "均未标记。")
    return text


def nervousness_table(nerv: pd.DataFrame, names: Mapping[str, str], span: str, lang: str = "en",
                      n: int = 10) -> ReportTable:
    """Return the ``n`` most nervous customers: lines, changes, change rate, lead of the changes.

    Examples
    --------
    >>> nerv = pd.DataFrame({"customer_id": ["C1"], "lines": [408], "changes": [199],
    ...     "change_rate": [0.272], "mean_weeks_before_due": [1.41], "nervousness": [100.0]})
    >>> t = nervousness_table(nerv, {}, "Jul 2024 – Jun 2026")
    >>> t.headers
    ('Customer', 'Order lines', 'Changes', 'Change rate', 'Changed before due (weeks)', 'Nervousness (0-100)')
    >>> ">27.2%<" in t.html, ">1.4<" in t.html, ">100.0<" in t.html
    (True, True, True)
    """
    check_language(lang)
    top = nerv.head(n)
    cols = ["customer_id"]
    if names:
        top = top.assign(customer_name=top["customer_id"].map(names))
        cols.append("customer_name")
    cols += ["lines", "changes", "change_rate", "mean_weeks_before_due", "nervousness"]
    caption = (f"Customers who change their orders most, changes of {span}" if lang == "en"
               else f"订单变更最多的客户，{span}的变更")
    return report_table(top, cols, lang=lang, caption=caption, filter=False)


def timing_table(distribution: pd.DataFrame, span: str, lang: str = "en") -> ReportTable:
    """Return how long before the due date the changes arrived: changes and share per bucket.

    Examples
    --------
    >>> d = pd.DataFrame({"bucket": ["<1", ">8"], "changes": [3, 1], "share": [0.75, 0.25]})
    >>> t = timing_table(d, "Jul 2024 – Jun 2026", "zh")
    >>> t.headers, ">不到 1 周<" in t.html, ">75.0%<" in t.html
    (('变更到达时距到期日', '变更次数', '占比'), True, True)
    """
    check_language(lang)
    frame = distribution.assign(bucket=[BUCKET_WORDS.get(str(b), {}).get(lang, str(b))
                                        for b in distribution["bucket"]])
    en = lang == "en"
    caption = f"When the changes of {span} arrived" if en else f"{span}变更的到达时间"
    return report_table(frame, {
        "bucket": ColumnSpec(label="Arrived before the due date" if en else "变更到达时距到期日",
                             kind="text"),
        "changes": ColumnSpec(label="Changes" if en else "变更次数", kind="integer"),
        "share": ColumnSpec(label="Share" if en else "占比", kind="percent")},
        lang=lang, caption=caption, filter=False)


def change_figure(per_change: pd.DataFrame, span: str, lang: str = "en") -> go.Figure:
    """Return the heat map of changes by customer and lateness, for the same changes as the table."""
    check_language(lang)
    fig = change_heatmap(per_change)
    en = lang == "en"
    fig.update_layout(title=chart_text(f"Order changes by customer and how late they arrived, {span}"
                                       if en else f"各客户订单变更及其到达时间，{span}"))
    fig.data[0].x = [BUCKET_WORDS.get(b, {}).get(lang, b) for b in ("<1", "1-2", "2-4", "4-8", ">8")]
    fig.data[0].colorbar.title = "changes" if en else "变更次数"
    fig.update_xaxes(title="weeks before the due date when the change arrived" if en
                     else "变更到达时距到期日的周数")
    return fig


def magnitude_sentence(magnitude: pd.DataFrame, lang: str = "en") -> str:
    """Return how large the changes are, in words (instead of a table of statistics).

    Examples
    --------
    >>> m = pd.DataFrame({"qty_change_rel": [-0.5, 0.2, 0.4, None], "days_moved": [None, None, None, 7.0]})
    >>> magnitude_sentence(m)
    'Quantity changes (3): half change the line by up to 40% (median); 2 add, 1 cut. Date moves (1): median 7 days.'
    >>> magnitude_sentence(m, "zh")
    '数量变更（3 次）：半数变更幅度不超过 40%（中位数）；增加 2 次，减少 1 次。日期变更（1 次）：中位数 7 天。'
    """
    check_language(lang)
    rel = pd.to_numeric(magnitude.get("qty_change_rel"), errors="coerce").dropna()
    moved = pd.to_numeric(magnitude.get("days_moved"), errors="coerce").dropna()
    up, down = int((rel > 0).sum()), int((rel < 0).sum())
    parts = []
    if len(rel):
        med = fmt_pct(float(rel.abs().median()), lang, 0)
        parts.append(f"Quantity changes ({len(rel):,}): half change the line by up to {med} "
                     f"(median); {up:,} add, {down:,} cut." if lang == "en" else
                     f"数量变更（{len(rel):,} 次）：半数变更幅度不超过 {med}（中位数）；"
                     f"增加 {up:,} 次，减少 {down:,} 次。")
    if len(moved):
        med_days = f"{float(moved.abs().median()):,.0f}"
        parts.append(f"Date moves ({len(moved):,}): median {med_days} days." if lang == "en"
                     else f"日期变更（{len(moved):,} 次）：中位数 {med_days} 天。")
    if not parts:
        return "No quantity or date changes." if lang == "en" else "没有数量或日期变更。"
    return (" " if lang == "en" else "").join(parts)


def impact_sentence(impact: pd.DataFrame, as_of: object, lang: str = "en") -> str:
    """Return how much extra shortage customers' changes cause in the 13 weeks from ``as_of``.

    Examples
    --------
    >>> imp = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "shortage_caused": [10.0, 5.0, 20.0]})
    >>> impact_sentence(imp, "2026-06-29")
    '**2 customers** whose changes create 35 units of extra shortage in the 13 weeks from 29 Jun 2026.'
    >>> impact_sentence(imp.iloc[:0], "2026-06-29", "zh").startswith("**自2026年6月29日起的 13 周内，没有缺货")
    True
    """
    check_language(lang)
    day = fmt_date(as_of, lang)
    if impact.empty:
        return ("**No shortage in the 13 weeks from " + day + " is caused by order changes**: "
                "every short item would be short without them too." if lang == "en" else
                f"**自{day}起的 13 周内，没有缺货是由订单变更造成的**：即使没有这些变更，"
                "缺货物料同样会缺货。")
    n = impact["customer_id"].nunique()
    units = fmt_num(float(impact["shortage_caused"].sum()), lang)
    if lang == "en":
        word = "customer" if n == 1 else "customers"
        return (f"**{n} {word}** whose changes create {units} units of extra shortage in the "
                f"13 weeks from {day}.")
    return f"**{n} 个客户**的变更在自{day}起的 13 周内造成 {units} 件新增缺货。"


def impact_table(impact: pd.DataFrame, names: Mapping[str, str], lang: str = "en",
                 n: int = 15) -> ReportTable:
    """Return the customers and items whose changes cause extra shortage (call only with rows).

    Examples
    --------
    >>> imp = pd.DataFrame({"customer_id": ["C1"], "item_id": ["I1"], "added_qty": [12.0],
    ...                     "shortage_caused": [10.0]})
    >>> impact_table(imp, {}).headers
    ('Customer', 'Item', 'Added by the changes (units)', 'Extra shortage (units)')
    """
    check_language(lang)
    top = impact.head(n)
    cols: dict[str, ColumnSpec | str] = {"customer_id": ColumnSpec()}
    if names:
        top = top.assign(customer_name=top["customer_id"].map(names))
        cols["customer_name"] = ColumnSpec()
    cols["item_id"] = ColumnSpec()
    cols["added_qty"] = ColumnSpec(label="Added by the changes (units)" if lang == "en"
                                   else "变更增加数量（件）", kind="integer")
    cols["shortage_caused"] = ColumnSpec()
    return report_table(top, cols, lang=lang, filter=False)


def backtest_table(summary: pd.DataFrame, span: str, lang: str = "en") -> ReportTable:
    """Return the forecast backtest: error, bias and how often demand fell inside the bands.

    Examples
    --------
    >>> s = pd.DataFrame({"by": ["all", "method"], "group": ["all", "ses"], "items": [100, 65],
    ...     "forecasts": [10400, 6318], "wape": [0.4919, 0.4024], "bias": [-0.011, -0.0152],
    ...     "coverage_80": [0.7779, 0.7678], "coverage_95": [0.9411, 0.9342]})
    >>> t = backtest_table(s, "Jul 2024 – Jun 2026")
    >>> t.headers
    ('Items forecast', 'Items', 'Forecasts', 'Error (WAPE)', 'Bias', 'Inside the 80% band', 'Inside the 95% band')
    >>> ">All items<" in t.html, ">by method: simple exponential smoothing<" in t.html, ">49.2%<" in t.html
    (True, True, True)
    """
    check_language(lang)
    en = lang == "en"

    def group(by: str, g: str) -> str:
        if by == "all":
            return "All items" if en else "全部物料"
        word = (method_words(g, lang) if by == "method" else _w(_PATTERN.get(g, (g, g)), lang))
        head = {"method": ("by method", "按方法"), "demand_class": ("by demand class", "按需求类别")
                }.get(by, (by, by))
        return f"{_w(head, lang)}: {word}" if en else f"{_w(head, lang)}：{word}"

    frame = summary.assign(label=[group(str(b), str(g)) for b, g in
                                  zip(summary["by"], summary["group"], strict=True)])
    cols: dict[str, ColumnSpec] = {
        "label": ColumnSpec(label="Items forecast" if en else "预测物料", kind="text"),
        "items": ColumnSpec(label="Items" if en else "物料数", kind="integer"),
        "forecasts": ColumnSpec(label="Forecasts" if en else "预测次数", kind="integer"),
        "wape": ColumnSpec(label="Error (WAPE)" if en else "误差（WAPE）", kind="percent"),
        "bias": ColumnSpec(label="Bias" if en else "偏差", kind="percent")}
    for c in ("coverage_80", "coverage_95"):
        if c in frame:
            lvl = c.split("_")[1]
            cols[c] = ColumnSpec(label=f"Inside the {lvl}% band" if en else f"落在 {lvl}% 区间内",
                                 kind="percent")
    caption = (f"Backtest of the forecasts on the weekly demand of {span}" if en
               else f"基于{span}周需求的预测回测")
    return report_table(frame, cols, lang=lang, caption=caption, filter=False)


def fan_figure(history: pd.DataFrame, forecast: pd.DataFrame, item_id: str,
               lang: str = "en") -> go.Figure:
    """Return one item's weekly demand and forecast with its bands, titled with the weeks shown."""
    check_language(lang)
    fig = forecast_fan(history, forecast, item_id)
    h = history.loc[history["item_id"].astype(str) == str(item_id), "period_start"]
    f = forecast.loc[forecast["item_id"].astype(str) == str(item_id), "period_start"]
    shown = pd.concat([h.sort_values().tail(52), f])
    span = span_text(shown, lang, days=True)
    en = lang == "en"
    fig.update_layout(title=chart_text(f"Weekly demand and forecast of {item_id}, {span}" if en
                                       else f"{item_id} 的周需求与预测，{span}"),
                      yaxis_title="units per week" if en else "每周件数")
    for trace in fig.data:
        if str(trace.name).startswith("forecast ("):
            code = str(trace.name)[len("forecast ("):-1]
            word = method_words(code, lang)
            trace.name = chart_text(f"forecast ({word})" if en else f"预测（{word}）")
    return _relabel(fig, lang)


def rfm_sentence(last_order: object, lang: str = "en", *, priced: bool = True) -> str:
    """Return the line above the RFM table: which customers it lists, and as of which day.

    Examples
    --------
    >>> rfm_sentence("2026-06-28")
    'The ten customers of highest revenue with their scores (R-F-M, 5 best), as of their last order on or before 28 Jun 2026.'
    >>> rfm_sentence("2026-06-28", "zh", priced=False)
    '订单最多的十个客户及其评分（R-F-M，5 分最好），截至2026年6月28日。'
    """
    check_language(lang)
    day = fmt_date(last_order, lang)
    if lang == "en":
        most = "of highest revenue" if priced else "with most orders"
        return (f"The ten customers {most} with their scores (R-F-M, 5 best), as of "
                f"their last order on or before {day}.")
    most = "收入最高" if priced else "订单最多"
    return f"{most}的十个客户及其评分（R-F-M，5 分最好），截至{day}。"


def churn_headline(warnings: pd.DataFrame | None, lang: str = "en") -> str:
    """Return the run index's headline of the report: customers at risk of leaving.

    Examples
    --------
    >>> churn_headline(pd.DataFrame({"churn_risk": [True, False, True]}))
    '2 customers at risk of leaving'
    >>> churn_headline(None, "zh")
    '本数据无法进行流失预警'
    """
    check_language(lang)
    if warnings is None:
        return ("Churn warning not available for this data" if lang == "en"
                else "本数据无法进行流失预警")
    n = int(warnings["churn_risk"].sum())
    return f"{n} customers at risk of leaving" if lang == "en" else f"{n} 个客户有流失风险"


def truth_note(truth: object, lang: str = "en") -> str:
    """Return the words for the known churners a warning is scored against.

    ``truth`` is :func:`workbench.reporting.inputs.churn_truth`'s choice (``value``,
    ``source``, ``note``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(value={"churned_customers": ["C1", "C2"]}, source="sample",
    ...                     note="the 2 customers known to have left in this sample")
    >>> truth_note(t), truth_note(t, "zh")
    ('the 2 customers known to have left in this sample', '本样本中已知流失的 2 个客户')
    """
    check_language(lang)
    if lang == "en":
        return str(truth.note)
    n = len(truth.value["churned_customers"])
    return f"本样本中已知流失的 {n} 个客户" if truth.source == "sample" else f"所提供名单中的 {n} 个已知流失客户"


def demand_note(column: str, note: str, lang: str = "en") -> str:
    """Return the line saying which date places demand in time when it is not the requested date.

    Examples
    --------
    >>> demand_note("requested_date", "")
    ''
    >>> demand_note("promised_date", "Demand is placed ...", "zh")
    '需求按承诺日期计入时间（订单行没有要求日期）。'
    """
    check_language(lang)
    if not note:
        return ""
    if lang == "en":
        return note
    word = {"promised_date": "承诺日期", "order_date": "下单日期"}.get(column, column)
    return f"需求按{word}计入时间（订单行没有要求日期）。"


# --------------------------------------------------------------------------------------
# Fluctuation bands and suggested buffers (issue 16)
# --------------------------------------------------------------------------------------

BUFFER_KPIS = ("line_fill_rate", "otif_order_rate", "on_time_promised_rate")
"""Service targets a buffer's service level is read from, in this order (median over tiers)."""
DEFAULT_SERVICE_LEVEL = 0.95
"""Service level of the buffers when neither the report nor the targets set one."""
_PERIOD_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Q": 365.25 / 4}
_PERIOD_WORDS = {"D": ("days", "天"), "W": ("weeks", "周"), "M": ("months", "月"),
                 "Q": ("quarters", "季度")}


def _unit(freq: str) -> str:
    return str(freq or "W").upper()[:1] if str(freq or "W").upper()[:1] in _PERIOD_DAYS else "W"


def method_words(code: object, lang: str = "en") -> str:
    """Return a forecast method in words (``tsb`` -> ``Teunter–Syntetos–Babai (TSB)``).

    Examples
    --------
    >>> method_words("tsb"), method_words("zero", "zh")
    ('Teunter–Syntetos–Babai (TSB)', '不预测：无需求或已停售')
    """
    return code_words(code, check_language(lang), "method")


def reason_words(code: object, lang: str = "en") -> str:
    """Return why a forecast method was chosen, in words (``backtest`` -> ...).

    Examples
    --------
    >>> reason_words("backtest")
    "smallest error in the item's own backtest"
    >>> reason_words("discontinued", "zh")
    '停止需求的时间远超通常的需求间隔'
    """
    return code_words(code, check_language(lang), "reason_code")


def lead_time_periods(items: pd.DataFrame | None, freq: str = "W") -> pd.Series:
    """Return each item's lead time in whole forecast periods (days / period length, rounded up, at least 1).

    Items without a lead time (missing or negative ``lead_time_days``) are left out.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["A", "B", "C", "D"], "lead_time_days": [7, 10, 0, None]})
    >>> lead_time_periods(items).to_dict()
    {'A': 1, 'B': 2, 'C': 1}
    >>> lead_time_periods(items, "M").to_dict()
    {'A': 1, 'B': 1, 'C': 1}
    """
    if items is None or "lead_time_days" not in items.columns:
        return pd.Series(dtype="int64")
    days = pd.to_numeric(items["lead_time_days"], errors="coerce")
    keep = days.notna() & (days >= 0)
    per = np.ceil(days[keep].to_numpy(dtype=float) / _PERIOD_DAYS[_unit(freq)] - 1e-9)
    return pd.Series(np.maximum(per, 1).astype("int64"),
                     index=items.loc[keep, "item_id"].astype(str).to_numpy())


def buffer_target(targets: pd.DataFrame | None, override: float = 0.0,
                  lang: str = "en") -> tuple[float, str]:
    """Return the buffers' service level and where it comes from, in words.

    ``override`` in (0, 1) (the report's setting) wins; else the median over the
    tiers of the first of :data:`BUFFER_KPIS` the targets hold; else
    :data:`DEFAULT_SERVICE_LEVEL`.

    Examples
    --------
    >>> t = pd.DataFrame({"tier": ["A", "B", "C"], "kpi": ["line_fill_rate"] * 3,
    ...                   "target": [0.99, 0.97, 0.95]})
    >>> buffer_target(t)
    (0.97, 'the median of the tiers’ line fill rate targets')
    >>> buffer_target(t, 0.9, "zh")
    (0.9, '本报告设定')
    >>> buffer_target(None)
    (0.95, 'a common default: no service target for it')
    """
    check_language(lang)
    en = lang == "en"
    if override and 0 < float(override) < 1:
        return float(override), "set for this report" if en else "本报告设定"
    if targets is not None and len(targets):
        for kpi in BUFFER_KPIS:
            vals = pd.to_numeric(targets.loc[targets["kpi"] == kpi, "target"], errors="coerce")
            vals = vals[(vals > 0) & (vals < 1)]
            if len(vals):
                name = kpi_name(kpi, lang)
                name = name if name[1:2].isupper() else name[:1].lower() + name[1:]
                return (round(float(vals.median()), 4),
                        f"the median of the tiers’ {name} targets" if en
                        else f"各等级{name}目标的中位数")
    return DEFAULT_SERVICE_LEVEL, ("a common default: no service target for it" if en
                                   else "通用默认值：没有相应的服务目标")


def buffer_frame(buffers: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join the suggested buffers with the item master's current safety stock and unit cost.

    Adds ``current_safety_stock``, ``difference`` (suggested minus current; positive:
    the current stock is below the suggestion) and ``difference_value`` (at unit cost)
    when the item master has those columns.

    Examples
    --------
    >>> b = pd.DataFrame({"item_id": ["A", "B"], "safety_stock": [30.0, 5.0]})
    >>> items = pd.DataFrame({"item_id": ["A", "B"], "safety_stock": [20, 10], "unit_cost": [2.0, 1.0]})
    >>> buffer_frame(b, items)[["difference", "difference_value"]].values.tolist()
    [[10.0, 20.0], [-5.0, -5.0]]
    """
    out = buffers.copy()
    out["item_id"] = out["item_id"].astype(str)
    if items is None or "safety_stock" not in items.columns:
        return out
    master = items.drop_duplicates("item_id", keep="last").set_index(
        items.drop_duplicates("item_id", keep="last")["item_id"].astype(str))
    current = pd.to_numeric(master["safety_stock"], errors="coerce").reindex(out["item_id"])
    out["current_safety_stock"] = current.to_numpy()
    out["difference"] = out["safety_stock"].to_numpy() - current.to_numpy()
    if "unit_cost" in master.columns:
        cost = pd.to_numeric(master["unit_cost"], errors="coerce").reindex(out["item_id"])
        out["difference_value"] = out["difference"].to_numpy() * cost.to_numpy()
    return out


def buffer_sentence(frame: pd.DataFrame, level: float, source: str, span: str, freq: str = "W",
                    currency: str = "", lang: str = "en") -> str:
    """Return one sentence on the suggested buffers: how many items sit below them, and the gap's value.

    Examples
    --------
    >>> f = pd.DataFrame({"safety_stock": [30.0, 5.0, 0.0], "current_safety_stock": [20, 10, 4],
    ...                   "difference": [10.0, -5.0, -4.0], "difference_value": [20.0, -5.0, -8.0]})
    >>> buffer_sentence(f, 0.97, "set for this report", "Jan 2025 – Jun 2026", currency="EUR")
    '**1 of 3 items hold less safety stock than the suggested buffer**: 10 units short, worth €20 at unit cost. Buffers for a 97% service target (set for this report) over each item’s lead time, from the forecast errors of the weekly demand of Jan 2025 – Jun 2026; 2 items hold more (9 units, €13).'
    >>> buffer_sentence(f.iloc[:, :1], 0.95, "本报告设定", "2025年1月–2026年6月", lang="zh")
    '3 种物料的建议缓冲库存合计 35 件：服务水平目标 95%（本报告设定），覆盖各物料提前期，依据2025年1月–2026年6月周需求的预测误差。'
    """
    check_language(lang)
    en = lang == "en"
    pct = fmt_pct(level, lang, 0 if round(level * 100, 6) == round(level * 100) else 1)
    unit = _w(_PERIOD_WORDS[_unit(freq)], lang)
    basis = (f"Buffers for a {pct} service target ({source}) over each item’s lead time, from the "
             f"forecast errors of the {_w(('daily', '日'), lang) if _unit(freq) == 'D' else unit[:-1] + 'ly'} "
             f"demand of {span}" if en else
             f"服务水平目标 {pct}（{source}），覆盖各物料提前期，依据{span}{unit}需求的预测误差")
    n = len(frame)
    if "difference" not in frame.columns:
        total = fmt_num(float(frame["safety_stock"].sum()), lang)
        return (f"Suggested buffers for {n} items total {total} units. {basis}." if en
                else f"{n} 种物料的建议缓冲库存合计 {total} 件：{basis}。")
    diff = frame["difference"]
    below, above = diff > 0.5, diff < -0.5
    valued = "difference_value" in frame.columns
    short_units = fmt_num(float(diff[below].sum()), lang)
    over_units = fmt_num(float(-diff[above].sum()), lang)
    short_val = fmt_money(float(frame.loc[below, "difference_value"].sum()), lang, currency) if valued else ""
    over_val = fmt_money(float(-frame.loc[above, "difference_value"].sum()), lang, currency) if valued else ""
    if en:
        head = (f"**{int(below.sum()):,} of {n:,} items hold less safety stock than the suggested "
                f"buffer**: {short_units} units short" + (f", worth {short_val} at unit cost" if valued else ""))
        tail = (f"; {int(above.sum()):,} items hold more ({over_units} units"
                + (f", {over_val})" if valued else ")") if above.any() else "")
        return f"{head}. {basis}{tail}."
    head = (f"**{n:,} 种物料中有 {int(below.sum()):,} 种的安全库存低于建议缓冲库存**：共少 {short_units} 件"
            + (f"，按单位成本计 {short_val}" if valued else ""))
    tail = (f"；{int(above.sum()):,} 种物料高于建议（多 {over_units} 件" + (f"，{over_val}）" if valued else "）")
            if above.any() else "")
    return f"{head}。{basis}{tail}。"


def buffer_table(frame: pd.DataFrame, freq: str = "W", lang: str = "en", currency: str = "",
                 n: int = 15) -> ReportTable:
    """Return the suggested buffers per item, largest shortfall (or buffer) first.

    Examples
    --------
    >>> f = pd.DataFrame({"item_id": ["A"], "method": ["tsb"], "reason_code": ["backtest"],
    ...     "lead_time": [2], "service_level": [0.95], "lead_time_forecast": [24.4],
    ...     "safety_stock": [30.2], "current_safety_stock": [20.0], "difference": [10.2],
    ...     "difference_value": [20.4]})
    >>> t = buffer_table(f, currency="EUR")
    >>> t.headers
    ('Item', 'Method', 'Why', 'Lead time (weeks)', 'Lead-time forecast', 'Buffer', 'Current', 'Gap', 'Gap value (EUR)')
    >>> ">Teunter–Syntetos–Babai (TSB)<" in t.html, "own backtest<" in t.html, ">20<" in t.html
    (True, True, True)
    >>> buffer_table(f, lang="zh").headers[:4]
    ('物料', '预测方法', '选择原因', '提前期（周）')
    """
    check_language(lang)
    en = lang == "en"
    key = "difference_value" if "difference_value" in frame.columns else (
        "difference" if "difference" in frame.columns else "safety_stock")
    top = frame.sort_values(key, ascending=False, kind="stable").head(n).copy()
    top["method_words"] = [method_words(m, lang) for m in top["method"]]
    top["reason_words"] = [reason_words(r, lang) for r in top["reason_code"]]
    unit = _w(_PERIOD_WORDS[_unit(freq)], lang)
    cols: dict[str, ColumnSpec] = {
        "item_id": ColumnSpec(label="Item" if en else "物料", kind="id"),
        "method_words": ColumnSpec(label="Method" if en else "预测方法", kind="text"),
        "reason_words": ColumnSpec(label="Why" if en else "选择原因", kind="text"),
        "lead_time": ColumnSpec(label=f"Lead time ({unit})" if en else f"提前期（{unit}）",
                                kind="integer"),
        "service_level": ColumnSpec(label="Target" if en else "服务目标",
                                    kind="percent", digits=0),
        "lead_time_forecast": ColumnSpec(label="Lead-time forecast" if en
                                         else "提前期预测", kind="number", digits=0),
        "safety_stock": ColumnSpec(label="Buffer" if en else "建议缓冲",
                                   kind="number", digits=0)}
    if "current_safety_stock" in top.columns:
        cols["current_safety_stock"] = ColumnSpec(
            label="Current" if en else "当前", kind="number", digits=0)
        cols["difference"] = ColumnSpec(label="Gap" if en
                                        else "差额", kind="number", digits=0)
    if "difference_value" in top.columns:
        cur = (f" ({currency})" if en else f"（{currency}）") if currency else ""
        cols["difference_value"] = ColumnSpec(label=f"Gap value{cur}" if en
                                              else f"差额金额{cur}", kind="money",
                                              digits=0)
    gap = "current_safety_stock" in top.columns
    caption = ("Suggested buffer per item, in units" + ("; gap = buffer minus the current safety "
               "stock" + (", valued at unit cost" if "difference_value" in top.columns else "")
               + "; largest gap first" if gap else "; largest first") if en else
               "各物料建议缓冲库存（件）" + ("；差额 = 建议缓冲减当前安全库存"
               + ("，金额按单位成本计" if "difference_value" in top.columns else "")
               + "；按差额从大到小" if gap else "；从大到小"))
    levels = frame["service_level"].dropna().unique() if "service_level" in frame else []
    if len(levels) == 1:  # one target for all: said once in the caption, not in every row
        cols.pop("service_level")
        pct = fmt_pct(float(levels[0]), lang, 0 if round(levels[0] * 100, 6) == round(levels[0] * 100) else 1)
        caption += f", {pct} service target" if en else f"，服务水平目标 {pct}"
    return report_table(top, cols, lang=lang, currency=currency, filter=False, caption=caption)


def band_table(forecast: pd.DataFrame, item_ids: list[str], freq: str = "W", lang: str = "en",
               periods: int = 4) -> ReportTable:
    """Return the forecast and its 80 % and 95 % bands per period for ``item_ids``, first ``periods`` periods.

    Examples
    --------
    >>> fc = pd.DataFrame({"item_id": ["A", "A"], "period_start": pd.to_datetime(["2026-06-29", "2026-07-06"]),
    ...     "forecast_qty": [10.4, 10.4], "lower": [4.0, 3.6], "upper": [17.2, 18.0],
    ...     "lower_95": [1.0, 0.0], "upper_95": [22.0, 23.5], "method": ["ses", "ses"]})
    >>> t = band_table(fc, ["A"])
    >>> t.headers
    ('Item', 'Week starting', 'Forecast (units)', '80% band: from', '80% band: to', '95% band: from', '95% band: to')
    >>> ">29 Jun 2026<" in t.html, ">10<" in t.html, ">24<" in t.html
    (True, True, True)
    >>> band_table(fc, ["A"], lang="zh").headers[1:3]
    ('周开始日期', '预测（件）')
    """
    check_language(lang)
    en = lang == "en"
    order = {str(i): k for k, i in enumerate(item_ids)}
    f = forecast.loc[forecast["item_id"].astype(str).isin(order)].copy()
    f["_o"] = f["item_id"].astype(str).map(order)
    f = f.sort_values(["_o", "period_start"]).groupby("_o", sort=False).head(periods)
    start = {"D": ("Day", "日期"), "W": ("Week starting", "周开始日期"),
             "M": ("Month starting", "月开始日期"), "Q": ("Quarter starting", "季度开始日期")}
    cols: dict[str, ColumnSpec] = {
        "item_id": ColumnSpec(label="Item" if en else "物料", kind="id"),
        "period_start": ColumnSpec(label=_w(start[_unit(freq)], lang), kind="date"),
        "forecast_qty": ColumnSpec(label="Forecast (units)" if en else "预测（件）", kind="number", digits=0)}
    for lo, hi, lvl in (("lower", "upper", "80"), ("lower_95", "upper_95", "95")):
        if lo in f.columns:
            cols[lo] = ColumnSpec(label=f"{lvl}% band: from" if en else f"{lvl}% 区间下限",
                                  kind="number", digits=0)
            cols[hi] = ColumnSpec(label=f"{lvl}% band: to" if en else f"{lvl}% 区间上限",
                                  kind="number", digits=0)
    return report_table(f, cols, lang=lang, filter=False, max_rows=len(f) or 1)


def band_sentence(forecast: pd.DataFrame, item_ids: list[str], freq: str = "W",
                  lang: str = "en") -> str:
    """Return how high demand could go within the 95 % band in the first forecast period, per item.

    Examples
    --------
    >>> fc = pd.DataFrame({"item_id": ["A", "B"], "period_start": pd.to_datetime(["2026-06-29"] * 2),
    ...     "forecast_qty": [10.0, 30.4], "lower_95": [2.0, 10.0], "upper_95": [20.0, 50.0]})
    >>> band_sentence(fc, ["A", "B"])
    'In the week of 29 Jun 2026 demand could reach, at the top of the 95% band: A 20 units (forecast 10), B 50 (forecast 30). Order changes within the band are what a buffer has to absorb.'
    >>> band_sentence(fc, ["A"], lang="zh")
    '2026年6月29日这一周，需求在 95% 区间上限可达：A 20 件（预测 10 件）。区间内的订单变化需要由缓冲库存吸收。'
    """
    check_language(lang)
    f = forecast.loc[forecast["item_id"].astype(str).isin([str(i) for i in item_ids])]
    if f.empty or "upper_95" not in f.columns:
        return ""
    first = f.loc[f["period_start"] == f["period_start"].min()].dropna(subset=["upper_95"])
    if "method" in first.columns:  # items without a forecast (no or discontinued demand)
        first = first.loc[first["method"].astype(str) != "zero"]
    if first.empty:
        return ""
    first = first.set_index(first["item_id"].astype(str))
    day = fmt_date(first["period_start"].iloc[0], lang)
    what = _w({"D": ("day", "天"), "W": ("week", "周"), "M": ("month", "月"),
               "Q": ("quarter", "季度")}[_unit(freq)], lang)
    shown = [str(i) for i in item_ids if str(i) in first.index]
    if lang == "en":
        parts = [f"{md(i)} {fmt_num(float(first.at[i, 'upper_95']))}"
                 + (" units" if k == 0 else "")
                 + f" (forecast {fmt_num(float(first.at[i, 'forecast_qty']))})"
                 for k, i in enumerate(shown)]
        return (f"In the {what} of {day} demand could reach, at the top of the 95% band: "
                f"{', '.join(parts)}. Order changes within the band are what a buffer has to absorb.")
    parts = [f"{md(i)} {fmt_num(float(first.at[i, 'upper_95']), lang)} 件"
             f"（预测 {fmt_num(float(first.at[i, 'forecast_qty']), lang)} 件）" for i in shown]
    return (f"{day}这一{what}，需求在 95% 区间上限可达：{'，'.join(parts)}。"
            "区间内的订单变化需要由缓冲库存吸收。")


def suggested_buffers(ds: Dataset, matrix: object, level: float, method: str = "auto"
                      ) -> tuple[pd.DataFrame, int]:
    """Return the suggested buffers of the items with a lead time (joined with the item master) and how many lack one.

    ``matrix`` is the :class:`workbench.inventory.DemandMatrix` the forecast was made
    from; lead times are the item master's ``lead_time_days`` in its periods.
    """
    from workbench.inventory import suggest_buffers

    leads = lead_time_periods(ds.items, matrix.freq)
    items = pd.Index(matrix.items.astype(str))
    known = items.isin(leads.index)
    per = pd.Series(1, index=items, dtype="int64")
    per.loc[items[known]] = leads.reindex(items[known]).to_numpy()
    out = suggest_buffers(matrix, lead_time=per, service_level=level, method=method)
    out = out.loc[known].reset_index(drop=True)
    return buffer_frame(out, ds.items), int((~known).sum())


def lead_note(missing: int, lang: str = "en") -> str:
    """Return the line saying how many forecast items have no lead time in the item master (``""`` if none).

    Examples
    --------
    >>> lead_note(3)
    '*3 forecast items have no lead time in the item master: no buffer is suggested for them.*'
    >>> lead_note(0, "zh")
    ''
    """
    check_language(lang)
    if not missing:
        return ""
    if lang == "en":
        return (f"*{fmt_num(missing)} forecast items have no lead time in the item master: "
                "no buffer is suggested for them.*")
    return f"*{fmt_num(missing)} 种预测物料在物料主数据中没有提前期：不为其建议缓冲库存。*"
