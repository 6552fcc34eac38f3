"""What a dataset supports: each report section, what it needs, and how to provide it.

Every notebook takes any dataset (the sample, a folder of tables, a single ERP
export). A section whose data is not there says so in one line and the rest of
the report runs. This module is the one place that knows what each section
(*analysis*) needs: tables, and columns with at least one non-empty value.

:data:`CATALOGUE` lists the analyses; :func:`analyses` checks a dataset against
all of them; :func:`not_available_note` gives the line a report shows (English
or Chinese), e.g. ``Not available: needs order_lines.qty_shipped (map a
shipped-quantity column (qty_shipped) in the order-lines mapping).``;
:func:`section` displays that line in a notebook and returns whether the
section can run.

Requirements are written ``table.column`` (a column with a non-empty value) or
``table`` (the table is loaded, with at least one row); a group of
alternatives (``order_lines.qty_delivered | order_lines.qty_shipped``) is met
by any of them. KPI sections take their requirements from the KPI definitions
(:attr:`workbench.kpis.KpiDefinition.requires`), so "available" here means
exactly that :func:`workbench.kpis.kpi_table` computes the KPI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.exceptions import ChoiceError
from workbench.io.dataset import Dataset
from workbench.kpis.definitions import get_definition
from workbench.paths import resolve_source
from workbench.validation import check_language

__all__ = [
    "CATALOGUE",
    "Analysis",
    "Availability",
    "TargetsChoice",
    "analyses",
    "available_kpis",
    "availability_table",
    "check_analysis",
    "has_column",
    "how_to_provide",
    "not_available_note",
    "section",
    "targets_for",
    "value_measure",
]

Requirement = tuple[str, ...]
"""Alternatives, any of which meets the requirement: ``("order_lines.qty_shipped",)``."""


@dataclass(frozen=True)
class Analysis:
    """One report section and the data it needs.

    Attributes
    ----------
    name
        Key used by notebooks and :func:`not_available_note` (e.g. ``"fill_rates"``).
    title, title_zh
        Section title in English and Chinese.
    requires
        Requirement groups; every group must be met, by any of its alternatives.
    notebooks
        Notebooks (stems) that have this section.
    """

    name: str
    title: str
    title_zh: str
    requires: tuple[Requirement, ...]
    notebooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Availability:
    """Whether one analysis can run on a dataset.

    Attributes
    ----------
    name, title
        As in :class:`Analysis`.
    available
        True when every requirement is met.
    needs
        Every requirement as text (``table.column``; alternatives joined with ``or``).
    missing
        The requirements not met (empty when available).
    how
        One sentence saying how to provide what is missing (``""`` when available).
    """

    name: str
    title: str
    available: bool
    needs: list[str]
    missing: list[str]
    how: str


def _kpi(name: str) -> tuple[Requirement, ...]:
    """Return the requirements of a KPI, as ``table.column`` alternatives (``complaints`` = the table)."""
    out = []
    for alternatives in get_definition(name).requires:
        group = []
        for col in alternatives:
            if col == "complaints" or "." in col:
                group.append(col)
            else:
                group.append(f"order_lines.{col}")
        out.append(tuple(group))
    return tuple(out)


def _merge(*groups: tuple[Requirement, ...]) -> tuple[Requirement, ...]:
    """Union of requirement groups, first occurrence kept, in order."""
    return tuple(dict.fromkeys(g for gs in groups for g in gs))


_OL = "order_lines"
_DEMAND_DATE = (f"{_OL}.requested_date", f"{_OL}.promised_date", f"{_OL}.order_date")
"""Dates that place demand in time (any of them; the first present is used)."""
_ALL = ("order_history", "service_kpis", "customer_review", "customer_segments",
        "pab_early_warning", "service_cost_tradeoff", "manager_summary")

CATALOGUE: dict[str, Analysis] = {a.name: a for a in (
    Analysis("order_lines", "Order lines", "订单行",
             ((f"{_OL}.order_id",), (f"{_OL}.customer_id",), (f"{_OL}.item_id",),
              (f"{_OL}.qty_ordered",)), _ALL),
    Analysis("volume_over_time", "Order volume over time", "订单量趋势",
             ((f"{_OL}.order_date",),), ("order_history", "customer_segments")),
    Analysis("revenue", "Ranking by revenue (quantity x unit price)", "按收入排名（数量×单价）",
             ((f"{_OL}.unit_price",),),
             ("order_history", "service_kpis", "customer_review", "customer_segments",
              "manager_summary")),
    Analysis("margin", "Ranking by margin", "按毛利排名",
             ((f"{_OL}.unit_price",), ("items.unit_cost",)), ("customer_segments",)),
    Analysis("customer_names", "Customer names", "客户名称", (("customers.customer_name",),),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("segment", "Customer segments", "客户类别", (("customers.segment",),),
             ("service_kpis", "customer_review")),
    Analysis("region", "Customer regions", "客户区域", (("customers.region",),),
             ("service_kpis", "customer_review")),
    Analysis("site", "Shipping sites", "发货地点", ((f"{_OL}.site",),), ("service_kpis",)),
    Analysis("cycle_time", "Order cycle time", "订单周期", _kpi("cycle_time_mean"),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("on_time", "On time to the promised date", "按承诺日期准时交付",
             _kpi("on_time_promised_rate"),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("in_full", "In full", "足量交付", _kpi("in_full_line_rate"),
             ("service_kpis", "customer_review")),
    Analysis("otif", "On time in full (OTIF)", "准时足量交付（OTIF）", _kpi("otif_order_rate"),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("fill_rates", "Fill rates", "满足率", _kpi("line_fill_rate"),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("trend", "Trends with control limits", "趋势与控制限",
             _merge(((f"{_OL}.order_date",),), ((f"{_OL}.delivery_date", f"{_OL}.ship_date"),)),
             ("service_kpis", "customer_review", "manager_summary")),
    Analysis("open_orders", "Open orders", "未结订单", _kpi("open_lines"),
             ("customer_review",)),
    Analysis("failures", "Why orders fail", "订单失败原因",
             ((f"{_OL}.delivery_date",), (f"{_OL}.promised_date", f"{_OL}.requested_date")),
             ("service_kpis", "customer_review")),
    Analysis("order_changes", "Order changes", "订单变更", (("order_changes",),),
             ("customer_review", "customer_segments")),
    Analysis("complaints", "Complaints", "投诉", (("complaints",),),
             ("service_kpis", "customer_review")),
    Analysis("churn", "Churn early warning", "流失预警", ((f"{_OL}.order_date",),),
             ("customer_segments", "manager_summary")),
    Analysis("revenue_at_risk", "Revenue at risk", "风险收入", ((f"{_OL}.unit_price",),),
             ("customer_segments", "manager_summary")),
    Analysis("forecast", "Demand forecasts", "需求预测", ((f"{_OL}.order_date",),),
             ("customer_segments",)),
    Analysis("service_cost", "Service level against cost", "服务水平与成本",
             (_DEMAND_DATE, ("items.unit_cost",), ("items.lead_time_days",)),
             ("service_cost_tradeoff",)),
    Analysis("policy_cost", "Cost of the current service policy", "当前服务策略的成本",
             (_DEMAND_DATE, ("items.unit_cost",), ("items.lead_time_days",),
              ("items.safety_stock",)),
             ("service_cost_tradeoff", "manager_summary")),
    Analysis("buffers", "Suggested buffers (safety stock from forecast errors)",
             "建议缓冲库存（基于预测误差的安全库存）",
             (_DEMAND_DATE, ("items.lead_time_days",)), ("customer_segments", "pab_early_warning")),
    Analysis("rfm", "Loyalty and RFM", "忠诚度与RFM", ((f"{_OL}.order_date",),),
             ("customer_segments",)),
    Analysis("demand_variability", "Items by demand variability (XYZ)", "物料需求波动（XYZ）",
             ((f"{_OL}.order_date",),), ("customer_segments",)),
    Analysis("change_impact", "Shortages caused by order changes", "订单变更导致的缺货",
             (("order_changes",), ("supply_plan",), ("inventory",), (f"{_OL}.requested_date",)),
             ("customer_segments",)),
    Analysis("pab", "Projected available balance (PAB) and alerts", "预计可用量（PAB）与预警",
             (("inventory",), ("supply_plan",), (f"{_OL}.requested_date",)),
             ("pab_early_warning", "manager_summary")),
)}
"""Every analysis a report section can need, by key."""

_TABLE_EN = {
    "order_lines": "order lines", "customers": "customer master", "items": "item master",
    "order_changes": "order-change log", "supply_plan": "supply plan (scheduled receipts)",
    "inventory": "inventory snapshot", "forecast": "demand forecast",
    "complaints": "complaints log",
}
_TABLE_ZH = {
    "order_lines": "订单行", "customers": "客户主数据", "items": "物料主数据",
    "order_changes": "订单变更记录", "supply_plan": "供应计划（计划到货）",
    "inventory": "库存快照", "forecast": "需求预测", "complaints": "投诉记录",
}
_MAPPING_EN = {"order_lines": "order-lines"}
_COLUMN_EN = {
    "order_date": "an order-date", "requested_date": "a requested-date",
    "promised_date": "a promised-date", "ship_date": "a ship-date",
    "delivery_date": "a delivery-date", "qty_shipped": "a shipped-quantity",
    "qty_delivered": "a delivered-quantity", "unit_price": "a unit-price",
    "site": "a site (plant, warehouse)", "status": "a line-status",
    "qty_damaged": "a damaged-quantity", "qty_returned": "a returned-quantity",
    "invoice_error": "an invoice-error flag", "substituted_item": "a substituted-item",
    "route_changed": "a re-routed flag", "filled_from_stock": "a from-stock flag",
    "customer_name": "a customer-name", "segment": "a segment", "region": "a region",
    "tier": "a tier", "unit_cost": "a unit-cost", "lead_time_days": "a lead-time",
    "safety_stock": "a safety-stock", "complaint_date": "a complaint-date",
    "resolved_date": "a resolved-date", "first_promised_date": "a first-promised-date",
    "released_date": "a released-date (release or acknowledgement)",
    "old_promised_date": "an old-promised-date",
}
_COLUMN_ZH = {
    "order_date": "订单日期", "requested_date": "要求交货日期", "promised_date": "承诺交货日期",
    "ship_date": "发货日期", "delivery_date": "实际交货日期", "qty_shipped": "发货数量",
    "qty_delivered": "交货数量", "unit_price": "单价", "site": "发货地点", "status": "行状态",
    "qty_damaged": "破损数量", "qty_returned": "退货数量", "invoice_error": "发票错误标记",
    "substituted_item": "替代物料", "route_changed": "改道标记", "filled_from_stock": "现货标记",
    "customer_name": "客户名称", "segment": "客户类别", "region": "区域", "tier": "客户等级",
    "unit_cost": "标准成本", "lead_time_days": "提前期", "safety_stock": "安全库存",
    "complaint_date": "投诉日期", "resolved_date": "解决日期",
    "first_promised_date": "首次承诺日期", "released_date": "下达日期",
    "old_promised_date": "变更前承诺日期",
}


def has_column(ds: Dataset, table: str, column: str | None = None) -> bool:
    """Return True when ``table`` has a row and, if given, ``column`` a non-empty value.

    Examples
    --------
    >>> from pathlib import Path
    >>> ds = Dataset(Path("."))
    >>> has_column(ds, "customers")
    False
    """
    frame = ds.table(table)
    if frame is None or frame.empty:
        return False
    if column is None:
        return True
    if column not in frame.columns:
        return False
    values = frame[column]
    present = values.notna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        present &= values.astype("string").str.strip().fillna("").ne("")
    return bool(present.any())


def _met(ds: Dataset, requirement: str) -> bool:
    table, _, column = requirement.partition(".")
    return has_column(ds, table, column or None)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _one_how(ds: Dataset, requirement: str, language: str,
             table_columns: dict[str, list[str]]) -> str:
    """How to provide one requirement (``table`` or ``table.column``)."""
    table, _, column = requirement.partition(".")
    en = language == "en"
    if not column or ds.table(table) is None or ds.table(table).empty:
        if table == "order_lines":
            return "load an order-lines table" if en else "加载订单行表"
        cols = ", ".join(table_columns.get(table, []))
        if en:
            label = _TABLE_EN.get(table, table) + (f" with {cols}" if cols else "")
            return (f"add {_article(table)} {table} table ({label}) to the dataset YAML "
                    f"under tables:")
        label = _TABLE_ZH.get(table, table) + (f"，含{cols}" if cols else "")
        return f"在数据集YAML的tables:下添加{table}表（{label}）"
    if en:
        what = _COLUMN_EN.get(column, f"a {column.replace('_', ' ')}")
        where = _MAPPING_EN.get(table, table)
        return f"map {what} column ({column}) in the {where} mapping"
    what = _COLUMN_ZH.get(column, column)
    return f"在{_TABLE_ZH.get(table, table)}的列映射中映射{what}列（{column}）"


def how_to_provide(ds: Dataset, missing: Sequence[Requirement], language: str = "en") -> str:
    """Return one sentence saying how to provide the ``missing`` requirement groups.

    Columns of a table the dataset does not have are named with that table.

    Examples
    --------
    >>> from pathlib import Path
    >>> how_to_provide(Dataset(Path(".")), [("items.unit_cost",), ("items.lead_time_days",)])
    'add an items table (item master with unit_cost, lead_time_days) to the dataset YAML under tables:'
    """
    check_language(language)
    table_columns: dict[str, list[str]] = {}
    for group in missing:
        for req in group:
            table, _, column = req.partition(".")
            if column and (ds.table(table) is None or ds.table(table).empty):
                table_columns.setdefault(table, []).append(column)
    parts = []
    for group in missing:
        ways = list(dict.fromkeys(_one_how(ds, r, language, table_columns) for r in group))
        parts.append((" or " if language == "en" else "或").join(ways))
    parts = list(dict.fromkeys(parts))
    return (" and " if language == "en" else "，并").join(parts)


def _text(group: Requirement, language: str = "en") -> str:
    return (" or " if language == "en" else " 或 ").join(group)


def check_analysis(key: str, ds: Dataset) -> Availability:
    """Check one analysis of :data:`CATALOGUE` against ``ds``.

    Raises
    ------
    ChoiceError
        ``key`` is not an analysis of the catalogue.
    """
    analysis = CATALOGUE.get(key)
    if analysis is None:
        raise ChoiceError(f"unknown analysis {key!r}", key="analysis", value=key,
                          fix=f"use one of {', '.join(CATALOGUE)}.")
    missing = [g for g in analysis.requires if not any(_met(ds, r) for r in g)]
    return Availability(analysis.name, analysis.title, not missing,
                        [_text(g) for g in analysis.requires], [_text(g) for g in missing],
                        how_to_provide(ds, missing) if missing else "")


def analyses(ds: Dataset, notebook: str | None = None) -> list[Availability]:
    """Check every analysis (or those of one ``notebook``) against ``ds``, in catalogue order."""
    return [check_analysis(a.name, ds) for a in CATALOGUE.values()
            if notebook is None or notebook in a.notebooks]


def not_available_note(key: str, ds: Dataset, language: str = "en") -> str | None:
    """Return one line saying what the analysis ``key`` lacks and how to provide it; ``None`` if available.

    The line reads ``Not available: needs X (how to provide it).`` in English,
    ``不可用：需要 X（提供方式）。`` in Chinese.
    """
    check_language(language)
    analysis = CATALOGUE.get(key)
    if analysis is None:
        check_analysis(key, ds)  # raises the ChoiceError naming the key
        return None
    missing = [g for g in analysis.requires if not any(_met(ds, r) for r in g)]
    if not missing:
        return None
    what = (", " if language == "en" else "，").join(_text(g, language) for g in missing)
    how = how_to_provide(ds, missing, language)
    if language == "en":
        return f"Not available: needs {what} ({how})."
    return f"不可用：需要 {what}（{how}）。"


def availability_table(ds: Dataset, notebook: str | None = None,
                       language: str = "en") -> pd.DataFrame:
    """Return the analyses as a table: ``analysis, title, available, missing, how``."""
    check_language(language)
    rows = []
    for a in analyses(ds, notebook):
        title = a.title if language == "en" else CATALOGUE[a.name].title_zh
        rows.append((a.name, title, a.available, ", ".join(a.missing),
                     how_to_provide(ds, [tuple(m.split(" or ")) for m in a.missing], language)
                     if a.missing else ""))
    return pd.DataFrame(rows, columns=["analysis", "title", "available", "missing", "how"])


def section(key: str, ds: Dataset, language: str = "en", *, instead: str = "") -> bool:
    """In a notebook: show the not-available line of ``key`` (if any) and return availability.

    A cell writes ``if section("fill_rates", ds): ...``: when the data lacks
    what the section needs, the one line is displayed (Markdown, italic) and
    the cell skips the section; otherwise nothing is shown and it runs. The
    Markdown is escaped; the plain-text copy of the output holds the line as is.
    ``instead`` is added to the line (e.g. ``"Ranked by quantity instead."``).
    """
    note = not_available_note(key, ds, language)
    if note is None:
        return True
    from IPython.display import display

    from workbench.reporting.tables import md

    if instead:
        note = f"{note} {instead}"
    display({"text/markdown": f"*{md(note)}*", "text/plain": note}, raw=True)
    return False


def available_kpis(ds: Dataset, kpis: Sequence[str]) -> list[str]:
    """Return the KPIs of ``kpis`` whose columns the order lines have (non-empty), in order.

    The same rule as :func:`workbench.kpis.kpi_table`'s "not available" note,
    applied before computing, so a report leaves out what cannot be computed.
    """
    out = []
    for name in kpis:
        groups = _kpi(name)
        if all(any(_met(ds, r) for r in g) for g in groups):
            out.append(name)
    return out


def value_measure(ds: Dataset) -> str:
    """Return ``"revenue"`` when the order lines carry a unit price, else ``"volume"``.

    The value by which customers and items are ranked and ABC-classified
    (:func:`workbench.customers.customer_tiers`' ``measure``).
    """
    return "revenue" if _met(ds, "order_lines.unit_price") else "volume"


@dataclass(frozen=True)
class TargetsChoice:
    """Which service targets a report uses, and the sentence that says so.

    Attributes
    ----------
    source
        The targets file (``None``: the built-in generic defaults).
    note
        One sentence for the report.
    """

    source: Path | None
    note: str


def targets_for(ds: Dataset, override: str = "", language: str = "en") -> TargetsChoice:
    """Return the service targets of a report: ``override``, else the dataset's, else defaults.

    Parameters
    ----------
    ds
        The dataset (its description may name a targets file).
    override
        A notebook's ``targets`` parameter: a CSV/YAML file below ``data/`` or
        absolute (empty: no override).
    language
        ``en`` or ``zh`` for the sentence.

    Examples
    --------
    >>> targets_for(Dataset(Path("."))).note
    'Service targets: the generic defaults built into the workbench (the dataset names no targets file; add targets: <file.csv> to the dataset YAML to use your own).'
    """
    check_language(language)
    en = language == "en"
    if override:
        path = Path(resolve_source(override))
        return TargetsChoice(path, f"Service targets: {path.name} (chosen for this report)." if en
                             else f"服务目标：{path.name}（为本报告指定）。")
    if ds.targets is not None:
        return TargetsChoice(ds.targets, f"Service targets: {ds.targets.name} (named by the "
                                         f"dataset)." if en
                             else f"服务目标：{ds.targets.name}（数据集指定）。")
    return TargetsChoice(None, "Service targets: the generic defaults built into the workbench "
                               "(the dataset names no targets file; add targets: <file.csv> to "
                               "the dataset YAML to use your own)." if en
                         else "服务目标：工作台内置的通用默认值（数据集未指定目标文件；在数据集YAML中"
                              "添加 targets: <文件.csv> 以使用自己的目标）。")
