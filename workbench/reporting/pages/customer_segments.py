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

import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import fmt_date, fmt_money, fmt_num, fmt_pct
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
    methods = {"ses": ("simple exponential smoothing", "简单指数平滑"),
               "holt": ("Holt's trend", "Holt 趋势法"), "seasonal": ("seasonal", "季节性"),
               "croston": ("Croston", "Croston 法"), "sba": ("Syntetos-Boylan (SBA)", "SBA 法")}

    def group(by: str, g: str) -> str:
        if by == "all":
            return "All items" if en else "全部物料"
        word = _w(methods.get(g, _PATTERN.get(g, (g, g))), lang)
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
    names = {"ses": ("simple exponential smoothing", "简单指数平滑"), "holt": ("Holt's trend", "Holt 趋势法"),
             "seasonal": ("seasonal", "季节性"), "croston": ("Croston", "Croston 法"),
             "sba": ("Syntetos-Boylan", "SBA 法")}
    for trace in fig.data:
        if str(trace.name).startswith("forecast ("):
            code = str(trace.name)[len("forecast ("):-1]
            word = _w(names.get(code, (code, code)), lang)
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
