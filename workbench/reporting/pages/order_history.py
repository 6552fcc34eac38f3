"""The order-history report, section by section, in English and Chinese.

The cells of ``notebooks/order_history.ipynb`` call these functions. The report
says what was loaded: how the file was read (:func:`reading_text`,
:func:`fields_table`: encoding, decimal marks, date formats, how complete each
field is), that every row is accounted for (:func:`accounting_text`,
:func:`outcome_table`: rows in = rows loaded + rows quarantined, with the
reasons in words), what to fix at the source (:func:`problems_table`), what the
data supports (:func:`availability_table`), then order volume over time
(:func:`volume_figure`) and the customers and items that carry the business
(:func:`top_figure`, :func:`top_table`). Every figure and table names the
period it covers; counts carry thousands separators; dates are written the
report language's way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import code_words, fmt_num, label
from workbench.io.dataset import Dataset
from workbench.io.load import LoadResult, LoadSummary
from workbench.reporting import availability as av
from workbench.reporting.charts import PALETTE, apply_layout, chart_text
from workbench.reporting.pages.wording import join_words, span_text
from workbench.reporting.tables import ColumnSpec, ReportTable, md, report_table
from workbench.validation import check_language

__all__ = [
    "FIELD_NAMES",
    "INSTEAD",
    "TABLE_NAMES",
    "accounting_text",
    "availability_table",
    "date_format_text",
    "decimal_text",
    "field_name",
    "fields_table",
    "headline_status",
    "intro_text",
    "issues_sentence",
    "outcome_table",
    "period_sentence",
    "problems_table",
    "reading_text",
    "show",
    "table_name",
    "top_figure",
    "top_table",
    "volume_figure",
]

TABLE_NAMES: dict[str, dict[str, str]] = {
    "order_lines": {"en": "Order lines", "zh": "订单行"},
    "customers": {"en": "Customers", "zh": "客户"},
    "items": {"en": "Items", "zh": "物料"},
    "order_changes": {"en": "Order changes", "zh": "订单变更"},
    "supply_plan": {"en": "Supply plan", "zh": "供应计划"},
    "inventory": {"en": "Inventory", "zh": "库存"},
    "forecast": {"en": "Forecast", "zh": "预测"},
    "complaints": {"en": "Complaints", "zh": "投诉"},
}
"""The data-model tables in words."""

FIELD_NAMES: dict[str, dict[str, str]] = {
    "order_id": {"en": "Order number", "zh": "订单号"},
    "line_no": {"en": "Line number", "zh": "行号"},
    "customer_id": {"en": "Customer", "zh": "客户"},
    "item_id": {"en": "Item", "zh": "物料"},
    "order_date": {"en": "Order date", "zh": "下单日期"},
    "requested_date": {"en": "Requested date", "zh": "要求交货日期"},
    "promised_date": {"en": "Promised date", "zh": "承诺交货日期"},
    "first_promised_date": {"en": "First promised date", "zh": "首次承诺日期"},
    "released_date": {"en": "Release date", "zh": "下达日期"},
    "ship_date": {"en": "Ship date", "zh": "发货日期"},
    "delivery_date": {"en": "Delivery date", "zh": "交付日期"},
    "qty_ordered": {"en": "Quantity ordered", "zh": "订购数量"},
    "qty_shipped": {"en": "Quantity shipped", "zh": "发货数量"},
    "qty_delivered": {"en": "Quantity delivered", "zh": "交付数量"},
    "qty_damaged": {"en": "Quantity damaged", "zh": "货损数量"},
    "qty_returned": {"en": "Quantity returned", "zh": "退货数量"},
    "unit_price": {"en": "Unit price", "zh": "单价"},
    "site": {"en": "Site", "zh": "地点"},
    "status": {"en": "Line status", "zh": "行状态"},
    "invoice_error": {"en": "Invoice error flag", "zh": "发票差错标记"},
    "substituted_item": {"en": "Substituted item", "zh": "替代物料"},
    "route_changed": {"en": "Re-routed flag", "zh": "改道标记"},
    "filled_from_stock": {"en": "From-stock flag", "zh": "现货标记"},
}
"""The order-lines fields in words (other names are written with spaces)."""

INSTEAD: dict[str, dict[str, str]] = {
    "revenue": {"en": "Ranked by quantity ordered instead.", "zh": "改按订购数量排名。"},
    "customer_names": {"en": "Customers are shown by their number.", "zh": "客户以编号显示。"},
}
"""What a section does instead when its data is missing (added to the not-available line)."""

_DATE_FORMATS = {
    "YYYY-MM-DD": ("year-month-day (2026-06-29)", "年-月-日（2026-06-29）"),
    "YYYY年M月D日": ("Chinese year, month, day (2026年6月29日)", "中文年月日（2026年6月29日）"),
    "YYYYMMDD": ("year, month, day without separators (20260629)", "不带分隔符的年月日（20260629）"),
    "D-Mon-YY": ("day, month name, year (29-Jun-26)", "日-英文月份-年（29-Jun-26）"),
    "Mon D, YYYY": ("month name, day, year (Jun 29, 2026)", "英文月份 日, 年（Jun 29, 2026）"),
    "Excel serial number": ("Excel serial numbers", "Excel 序列号"),
    "M/D/Y or D/M/Y": ("day and month as numbers", "以数字表示的日和月"),
}
_CONVENTIONS = {"M/D/Y": ("month/day/year", "月/日/年"), "D/M/Y": ("day/month/year", "日/月/年")}
_SOURCES = {
    "declared": ("as declared in the mapping", "按列映射中的声明"),
    "declared in the mapping": ("as declared in the mapping", "按列映射中的声明"),
    "inferred": ("inferred from the values", "根据数据推断"),
    "inferred from this column": ("inferred from the values in this column", "根据该列数值推断"),
    "inferred from this column, which mixes both": (
        "inferred from the values in this column, which mix both marks",
        "根据该列数值推断，该列两种写法并存"),
    "inferred from the file's other number columns": (
        "inferred from the file's other number columns", "根据文件中其他数字列推断"),
    "default": ("the default: nothing in the file settles it", "默认值：文件中没有可判断的依据"),
    "default: nothing in the file settles it": (
        "the default: nothing in the file settles it", "默认值：文件中没有可判断的依据"),
}
_MARKS = {"decimal point": ("decimal point", "小数点（.）"),
          "decimal comma": ("decimal comma", "小数逗号（,）")}
_ENCODING_METHODS = {
    "bom": ("marked at the start of the file", "文件开头有编码标记"),
    "utf-16 pattern": ("recognised by its byte pattern", "由字节模式识别"),
    "utf-8": ("every byte is valid UTF-8", "全部字节均为有效 UTF-8"),
    "ascii": ("plain ASCII text", "纯 ASCII 文本"),
    "given": ("as declared", "按声明"),
}
_DELIMITERS = {",": ("comma-separated", "逗号分隔"), ";": ("semicolon-separated", "分号分隔"),
               "\t": ("tab-separated", "制表符分隔"), "|": ("separated by |", "以 | 分隔")}
_HOW = re.compile(r" \((name|synonym|similar|values|content)\)$")


def _w(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


def table_name(table: str, lang: str = "en") -> str:
    """Return a data-model table's name in words: ``Order lines`` / ``订单行``.

    Examples
    --------
    >>> table_name("order_lines"), table_name("order_changes", "zh"), table_name("my_table")
    ('Order lines', '订单变更', 'my table')
    """
    check_language(lang)
    return TABLE_NAMES.get(table, {}).get(lang, str(table).replace("_", " "))


def field_name(column: str, lang: str = "en") -> str:
    """Return an order-lines field's name in words; ``a/b`` keys as ``A / B``.

    Examples
    --------
    >>> field_name("qty_ordered"), field_name("order_id/line_no"), field_name("order_date", "zh")
    ('Quantity ordered', 'Order number / Line number', '下单日期')
    >>> field_name("weight_kg"), field_name(None)
    ('Weight kg', '–')
    """
    check_language(lang)
    if column is None or (isinstance(column, float) and np.isnan(column)) or str(column) in ("", "-"):
        return "–"
    parts = str(column).split("/")
    if len(parts) > 1:
        return " / ".join(field_name(p, lang) for p in parts)
    known = FIELD_NAMES.get(str(column))
    if known:
        return known[lang]
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def intro_text(ds: Dataset, orders: pd.DataFrame, lang: str = "en") -> str:
    """Return the report's first line: the dataset and the period its order lines cover.

    Examples
    --------
    >>> from pathlib import Path
    >>> ds = Dataset(Path("."), name="Demo")
    >>> orders = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-05", None, "2026-02-10"])})
    >>> intro_text(ds, orders)
    '**Dataset:** Demo, order lines of Jan 2025 – Feb 2026.'
    >>> intro_text(ds, orders, "zh")
    '**数据集：** Demo，订单行期间 2025年1月–2026年2月。'
    """
    check_language(lang)
    span = span_text(orders["order_date"], lang) if "order_date" in orders else ""
    if lang == "en":
        return f"**Dataset:** {md(ds.name)}" + (f", order lines of {span}" if span else "") + "."
    return f"**数据集：** {md(ds.name)}" + (f"，订单行期间 {span}" if span else "") + "。"


def _source_sentence(src: Mapping[str, object], lang: str) -> str:
    """One sentence on one source: file, format, separator, header row, encoding, record check."""
    en = lang == "en"
    name = md(str(src.get("source", "")).replace("\\", "/").rsplit("/", 1)[-1])
    fmt = str(src.get("format", "") or "").upper()
    parts = [(f"a {fmt} file" if en else f"{fmt} 文件") if fmt else ("a file" if en else "文件")]
    delim = src.get("delimiter")
    if delim:
        parts.append(_w(_DELIMITERS.get(str(delim), (f"separated by {delim!r}",
                                                     f"以 {delim!r} 分隔")), lang))
    if src.get("header_row"):
        row = int(src["header_row"])
        parts.append(f"header on row {row:,}" if en else f"表头在第 {row:,} 行")
    enc = src.get("encoding")
    if enc:
        code = str(enc).upper().replace("UTF-8-SIG", "UTF-8").replace("UTF_8", "UTF-8")
        method = str(src.get("encoding_method", ""))
        why = _ENCODING_METHODS.get(method)
        if why is None:
            conf = float(src.get("encoding_confidence") or 0.0)
            why = (f"the most plausible reading, confidence {conf:.0%}",
                   f"最合理的读法，置信度 {conf:.0%}")
        text = (f"text encoding {code} ({_w(why, lang)})" if en else f"文本编码 {code}（{_w(why, lang)}）")
        alts = [str(a) for a in (src.get("encoding_alternatives") or [])]
        if alts:
            text += (f"; {join_words(alts, lang)} would read some text differently, so check names "
                     "with accents or Chinese characters" if en
                     else f"；{join_words(alts, lang)}会把部分文字读成不同内容，请核对带重音或中文的名称")
        parts.append(text)
    sep = "; " if en else "；"
    sentence = f"**{name}**: " + sep.join(parts) if en else f"**{name}**：" + sep.join(parts)
    rows = src.get("rows_in")
    counted = src.get("records_counted")
    if rows is not None:
        n = fmt_num(float(rows), lang)
        if counted is not None and int(counted) == int(rows):
            sentence += (f"; {n} records, the same number an independent count of the file finds"
                         if en else f"；{n} 条记录，与对文件的独立计数一致")
        else:
            sentence += f"; {n} records" if en else f"；{n} 条记录"
    return sentence + ("." if en else "。")


def reading_text(summary: LoadSummary, lang: str = "en") -> str:
    r"""How the order lines were read, in sentences: one per source file, then any notes.

    Examples
    --------
    >>> s = LoadSummary("order_lines", [{"source": "/d/order_lines.csv", "format": "csv",
    ...     "encoding": "utf-8", "encoding_method": "utf-8", "delimiter": ",", "header_row": 1,
    ...     "records_counted": 50014, "rows_in": 50014}], 50014, 49995, 19, {}, {}, {}, {}, [], {}, {})
    >>> print(reading_text(s))
    - **order\_lines.csv**: a CSV file; comma-separated; header on row 1; text encoding UTF-8 (every byte is valid UTF-8); 50,014 records, the same number an independent count of the file finds.
    >>> print(reading_text(s, "zh"))
    - **order\_lines.csv**：CSV 文件；逗号分隔；表头在第 1 行；文本编码 UTF-8（全部字节均为有效 UTF-8）；50,014 条记录，与对文件的独立计数一致。
    """
    check_language(lang)
    lines = [f"- {_source_sentence(src, lang)}" for src in summary.sources]
    if summary.notes:
        head = "Also noted while reading (in English):" if lang == "en" else "读取时的其他说明（英文原文）："
        lines.append(f"- {head} " + " ".join(md(str(n).replace("_", " ")) for n in summary.notes))
    return "\n".join(lines)


def date_format_text(fmt: str, lang: str = "en") -> str:
    """Write a detected date format in words, with how numeric dates were read.

    Examples
    --------
    >>> date_format_text("YYYY-MM-DD")
    'year-month-day (2026-06-29)'
    >>> date_format_text("M/D/Y or D/M/Y; numeric dates M/D/Y (inferred)")
    'day and month as numbers, read as month/day/year (inferred from the values)'
    >>> date_format_text("M/D/Y or D/M/Y; numeric dates D/M/Y (declared)", "zh")
    '以数字表示的日和月，按日/月/年读取（按列映射中的声明）'
    """
    check_language(lang)
    base, _, numeric = str(fmt).partition("; numeric dates ")
    text = _w(_DATE_FORMATS.get(base.strip(), (base.strip(), base.strip())), lang)
    if numeric:
        conv, _, source = numeric.partition(" (")
        conv_words = _w(_CONVENTIONS.get(conv.strip(), (conv.strip(), conv.strip())), lang)
        source = source.rstrip(")")
        src = _w(_SOURCES.get(source, (source, source)), lang)
        text += (f", read as {conv_words} ({src})" if lang == "en" else f"，按{conv_words}读取（{src}）")
    return text


def decimal_text(convention: str, lang: str = "en") -> str:
    """Write a column's decimal mark and where it came from in words.

    Examples
    --------
    >>> decimal_text("decimal point (inferred from this column)")
    'decimal point (inferred from the values in this column)'
    >>> decimal_text("decimal comma (declared in the mapping)", "zh")
    '小数逗号（,）（按列映射中的声明）'
    """
    check_language(lang)
    mark, _, source = str(convention).partition(" (")
    source = source[:-1] if source.endswith(")") else source
    text = _w(_MARKS.get(mark.strip(), (mark.strip(), mark.strip())), lang)
    if source:
        src = _w(_SOURCES.get(source, (source, source)), lang)
        text += f" ({src})" if lang == "en" else f"（{src}）"
    return text


def _filled(data: pd.DataFrame, column: str) -> float:
    values = data[column]
    present = values.notna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        present &= values.astype("string").str.strip().fillna("").ne("")
    return float(present.mean()) if len(values) else float("nan")


def fields_table(result: LoadResult, lang: str = "en") -> ReportTable:
    """Each order-lines field: the column it was read from, how it is written, how full it is, its issues.

    Fields the data does not have are listed as not in the data (their analyses
    say so where they need them).

    Examples
    --------
    >>> data = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-02", None]),
    ...                      "unit_price": [1.5, 2.0]})
    >>> s = LoadSummary("order_lines", [], 2, 2, 0, {}, {"unusable_value": 1}, {"order_date": 1},
    ...     {"order_date": "PO date", "unit_price": "price (name)"}, [],
    ...     {"order_date": 0.5, "unit_price": 1.0, "qty_damaged": None},
    ...     {"order_date": "YYYY-MM-DD"}, number_formats={"unit_price": "decimal point (default)"})
    >>> t = fields_table(LoadResult(data, pd.DataFrame(), pd.DataFrame(), s))
    >>> t.headers
    ('Field', 'Column in the file', 'Written as', 'Filled', 'Field issues')
    >>> ">PO date<" in t.html, ">price<" in t.html, ">50.0%<" in t.html, ">not in the data<" in t.html
    (True, True, True, True)
    >>> fields_table(LoadResult(data, pd.DataFrame(), pd.DataFrame(), s), "zh").headers
    ('字段', '文件中的列', '书写格式', '填充率', '字段问题')
    """
    check_language(lang)
    s = result.summary
    data = result.data
    absent = "not in the data" if lang == "en" else "数据中没有"
    names = list(dict.fromkeys([*s.column_map, *s.coverage]))
    rows = []
    for col in names:
        src = s.column_map.get(col)
        if col in s.date_formats:
            written = date_format_text(s.date_formats[col], lang)
        elif col in s.number_formats:
            written = decimal_text(s.number_formats[col], lang)
        else:
            written = None
        if src is None and s.coverage.get(col, 0) is None:
            rows.append((field_name(col, lang), absent, None, None, None))
            continue
        filled = _filled(data, col) if col in data else s.coverage.get(col)
        rows.append((field_name(col, lang), _HOW.sub("", str(src)) if src else None, written,
                     filled, float(s.issues_by_column.get(col, 0))))
    frame = pd.DataFrame(rows, columns=["field", "source", "written", "filled", "issues"])
    en = lang == "en"
    return report_table(frame, {
        "field": ColumnSpec(label="Field" if en else "字段", kind="text"),
        "source": ColumnSpec(label="Column in the file" if en else "文件中的列", kind="text"),
        "written": ColumnSpec(label="Written as" if en else "书写格式", kind="text"),
        "filled": ColumnSpec(label="Filled" if en else "填充率", kind="percent"),
        "issues": ColumnSpec(label="Field issues" if en else "字段问题", kind="integer", digits=0)},
        lang=lang, caption=("Order lines: fields read, share of loaded lines with a value"
                            if en else "订单行：读取的字段及有值的已载入行占比"), filter=False)


def accounting_text(quality: pd.DataFrame, lang: str = "en") -> str:
    """Rows in = rows loaded + rows quarantined, one line per table (and the total), in words.

    Examples
    --------
    >>> q = pd.DataFrame({"table": ["order_lines", "customers"], "rows_in": [50014, 200],
    ...                   "rows_loaded": [49995, 200], "rows_quarantined": [19, 0], "issues": [3, 0]})
    >>> print(accounting_text(q))
    - **Order lines**: 50,014 rows in = 49,995 loaded + 19 quarantined; 3 field issues in loaded rows.
    - **Customers**: 200 rows in = 200 loaded + 0 quarantined; no field issue.
    - **All tables**: 50,214 rows in = 50,195 loaded + 19 quarantined.
    >>> print(accounting_text(q.head(1), "zh"))
    - **订单行**：输入 50,014 行 = 已载入 49,995 行 + 已隔离 19 行；已载入行中有 3 个字段问题。
    """
    check_language(lang)
    en = lang == "en"

    def line(name: str, r_in: int, loaded: int, quar: int, issues: int | None) -> str:
        if en:
            text = (f"- **{name}**: {r_in:,} rows in = {loaded:,} loaded + {quar:,} quarantined")
            if issues is not None:
                text += (f"; {issues:,} field issue{'s' if issues != 1 else ''} in loaded rows"
                         if issues else "; no field issue")
            return text + "."
        text = f"- **{name}**：输入 {r_in:,} 行 = 已载入 {loaded:,} 行 + 已隔离 {quar:,} 行"
        if issues is not None:
            text += f"；已载入行中有 {issues:,} 个字段问题" if issues else "；没有字段问题"
        return text + "。"

    lines = [line(table_name(str(r.table), lang), int(r.rows_in), int(r.rows_loaded),
                  int(r.rows_quarantined), int(r.issues)) for r in quality.itertuples()]
    if len(quality) > 1:
        lines.append(line("All tables" if en else "全部数据表", int(quality["rows_in"].sum()),
                          int(quality["rows_loaded"].sum()),
                          int(quality["rows_quarantined"].sum()), None))
    return "\n".join(lines)


def _share_text(x: float) -> str | None:
    """Write a share of the rows in with two decimals; a small non-zero one as ``< 0.01%``."""
    if not np.isfinite(x):
        return None
    if 0 < x < 0.00005:
        return "< 0.01%"
    return f"{x * 100:.2f}%"


def outcome_table(summary: LoadSummary, span: str, lang: str = "en") -> ReportTable:
    """Where each input row went: loaded, or quarantined by reason, adding up to the rows in.

    Examples
    --------
    >>> s = LoadSummary("order_lines", [], 10, 7, 3, {"missing_required": 2, "duplicate_key": 1},
    ...                 {}, {}, {}, [], {}, {})
    >>> t = outcome_table(s, "Jan 2025 – Feb 2026")
    >>> t.headers, t.rows  # loaded and two reasons; the rows-in total is the footer
    (('Outcome', 'Reason', 'Rows', 'Share of rows in'), 3)
    >>> ">required value missing<" in t.html, ">20.00%<" in t.html, ">Rows in<" in t.html
    (True, True, True)
    >>> ">缺少必填值<" in outcome_table(s, "", "zh").html
    True
    """
    check_language(lang)
    en = lang == "en"
    quarantined = "Quarantined" if en else "已隔离"
    reasons = list(summary.quarantine_by_reason.items())
    frame = pd.DataFrame({
        "outcome": ["Loaded" if en else "已载入"] + [quarantined] * len(reasons)
        + ["Rows in" if en else "输入行数"],
        "reason": [None] + [code_words(r, lang) for r, _ in reasons] + [None],
        "rows": [float(summary.rows_loaded)] + [float(n) for _, n in reasons]
        + [float(summary.rows_in)]})
    share = frame["rows"] / summary.rows_in if summary.rows_in else frame["rows"] * np.nan
    frame["share"] = [_share_text(x) for x in share]
    name = table_name(summary.table, lang)
    if en:
        caption = f"{name}: every row in, loaded or quarantined" + (f" (orders of {span})" if span else "")
    else:
        caption = f"{name}：每一输入行的去向" + (f"（订单期间 {span}）" if span else "")
    return report_table(frame, {
        "outcome": ColumnSpec(label="Outcome" if en else "结果", kind="text"),
        "reason": ColumnSpec(label="Reason" if en else "原因", kind="text"),
        "rows": ColumnSpec(label="Rows" if en else "行数", kind="integer", digits=0),
        "share": ColumnSpec(label="Share of rows in" if en else "占输入行比例", kind="text")},
        lang=lang, caption=caption, filter=False, sortable=False, total_rows=1)


def issues_sentence(summary: LoadSummary, lang: str = "en") -> str:
    """Field issues of the loaded rows by reason, in one sentence.

    Examples
    --------
    >>> s = LoadSummary("order_lines", [], 10, 10, 0, {}, {"unusable_value": 5732,
    ...                 "date_format_inconsistent": 1712}, {}, {}, [], {}, {})
    >>> issues_sentence(s)
    '**7,444 field issues** in loaded rows: value unreadable (left empty) 5,732 and date in another format than the rest of its column 1,712.'
    >>> issues_sentence(LoadSummary("order_lines", [], 1, 1, 0, {}, {}, {}, {}, [], {}, {}), "zh")
    '已载入的行没有字段问题。'
    """
    check_language(lang)
    total = sum(summary.issues_by_reason.values())
    parts = [f"{code_words(r, lang)} {n:,}" for r, n in summary.issues_by_reason.items()]
    if lang == "en":
        if not total:
            return "No field issue in the loaded rows."
        return (f"**{total:,} field issue{'s' if total != 1 else ''}** in loaded rows: "
                f"{join_words(parts, lang)}.")
    if not total:
        return "已载入的行没有字段问题。"
    return f"已载入的行中有 **{total:,} 个字段问题**：{join_words(parts, lang)}。"


def _where(first_rows: str, lang: str) -> str:
    """``a.csv:12, a.csv:40`` -> ``a.csv rows 12, 40`` / ``a.csv 第 12、40 行``."""
    by_file: dict[str, list[str]] = {}
    for part in str(first_rows).split(", "):
        file, _, row = part.rpartition(":")
        by_file.setdefault(file, []).append(row)
    if lang == "en":
        return "; ".join(f"{f} row{'s' if len(r) > 1 else ''} {', '.join(r)}" for f, r in by_file.items())
    return "；".join(f"{f} 第 {'、'.join(r)} 行" for f, r in by_file.items())


def problems_table(groups: pd.DataFrame, lang: str = "en", *, kind: str = "quarantine",
                   max_rows: int = 15) -> ReportTable | str:
    """Quarantined rows or field issues grouped by reason, field and value, with example rows.

    ``groups`` is :func:`workbench.io.digest` of ``result.quarantine`` or
    ``result.issues``; without any, a sentence says there are none.

    Examples
    --------
    >>> g = pd.DataFrame({"reason": ["missing_required"], "column": ["customer_id"], "value": ["(empty)"],
    ...                   "rows": [3], "first_rows": ["o.csv:29081, o.csv:29214"]})
    >>> t = problems_table(g)
    >>> t.headers
    ('Reason', 'Field', 'Value in the file', 'Rows', 'Where (examples)')
    >>> ">required value missing<" in t.html, ">(empty)<" in t.html, ">o.csv rows 29081, 29214<" in t.html
    (True, True, True)
    >>> ">o.csv 第 29081、29214 行<" in problems_table(g, "zh").html, problems_table(g.head(0))
    (True, 'No row was quarantined.')
    """
    check_language(lang)
    en = lang == "en"
    if groups.empty:
        if kind == "quarantine":
            return "No row was quarantined." if en else "没有被隔离的行。"
        return "No field issue." if en else "没有字段问题。"
    empty = "(empty)" if en else "（空）"
    frame = pd.DataFrame({
        "reason": [code_words(r, lang) for r in groups["reason"]],
        "field": [field_name(c, lang) for c in groups["column"]],
        "value": [empty if v.strip() in ("", "(empty)") else v for v in groups["value"].astype(str)],
        "rows": groups["rows"].to_numpy(dtype=float),
        "where": [_where(w, lang) for w in groups["first_rows"]]})
    if kind == "quarantine":
        caption = ("Quarantined order lines by reason, field and value, largest groups first"
                   if en else "被隔离的订单行，按原因、字段和值分组，从多到少")
    else:
        caption = ("Field issues in loaded order lines by reason, field and value, largest groups first"
                   if en else "已载入订单行的字段问题，按原因、字段和值分组，从多到少")
    return report_table(frame, {
        "reason": ColumnSpec(label="Reason" if en else "原因", kind="text"),
        "field": ColumnSpec(label="Field" if en else "字段", kind="text"),
        "value": ColumnSpec(label="Value in the file" if en else "文件中的值", kind="text"),
        "rows": ColumnSpec(label="Rows" if en else "行数", kind="integer", digits=0),
        "where": ColumnSpec(label="Where (examples)" if en else "位置（示例）", kind="text")},
        lang=lang, caption=caption, max_rows=max_rows)


def availability_table(ds: Dataset, lang: str = "en") -> ReportTable:
    """Every analysis of the reports: whether this data supports it, and how to provide what is missing."""
    check_language(lang)
    en = lang == "en"
    frame = av.availability_table(ds, None, lang)
    frame = frame.assign(how=frame["how"].where(frame["how"].astype(str).str.len() > 0, None))
    return report_table(frame, {
        "title": ColumnSpec(label="Analysis" if en else "分析", kind="text"),
        "available": ColumnSpec(label="Available" if en else "可用", kind="bool"),
        "how": ColumnSpec(label="How to provide what is missing" if en else "如何补充所缺数据",
                          kind="text")},
        lang=lang, caption=("What the reports can show with this data" if en
                            else "本数据可支持的报告分析"))


def period_sentence(loaded: int, kept: int, outside: int, undated: int, span: str,
                    lang: str = "en") -> str:
    """How many loaded lines the volume chart counts, and which ones it leaves out.

    Examples
    --------
    >>> period_sentence(10319, 4587, 0, 5732, "Jan 2010 – Sep 2015")
    '**10,319** order lines loaded: **4,587** in the period shown (Jan 2010 – Sep 2015), 0 outside it, 5,732 without an order date (not in the volume chart).'
    >>> period_sentence(3, 3, 0, 0, "2026年6月", "zh")
    '已载入 **3** 条订单行：所示期间（2026年6月）内 **3** 条，期间外 0 条，无下单日期 0 条（未计入订单量图）。'
    """
    check_language(lang)
    if lang == "en":
        return (f"**{loaded:,}** order lines loaded: **{kept:,}** in the period shown ({span}), "
                f"{outside:,} outside it, {undated:,} without an order date (not in the volume chart).")
    return (f"已载入 **{loaded:,}** 条订单行：所示期间（{span}）内 **{kept:,}** 条，期间外 {outside:,} 条，"
            f"无下单日期 {undated:,} 条（未计入订单量图）。")


_PERIOD_WORDS = {"D": ("day", "日"), "W": ("week", "周"), "M": ("month", "月"), "Q": ("quarter", "季度")}


def volume_figure(volume: pd.DataFrame, period: str, span: str, lang: str = "en") -> go.Figure:
    """Order lines per period (:func:`workbench.kpis.history.volume_by_period`), titled with its period."""
    check_language(lang)
    code = str(period).upper()
    unit = _PERIOD_WORDS.get(code, ("period", "期间"))
    en = lang == "en"
    title = (f"Order lines per {unit[0]}, {span}" if en else f"每{unit[1]}订单行数，{span}")
    hover = {"D": ("%{x|%-d %b %Y}", "%{x|%Y年%-m月%-d日}"),
             "W": ("week of %{x|%-d %b %Y}", "%{x|%Y年%-m月%-d日}当周"),
             "M": ("%{x|%b %Y}", "%{x|%Y年%-m月}"),
             "Q": ("quarter from %{x|%b %Y}", "%{x|%Y年%-m月}起的季度")}.get(code, ("%{x}", "%{x}"))
    fig = go.Figure(go.Bar(
        x=volume["period_start"], y=volume["lines"], marker_color=PALETTE["primary"],
        name=chart_text("order lines" if en else "订单行"),
        hovertemplate=(f"{hover[0]}: %{{y:,}} lines" if en else f"{hover[1]}：%{{y:,}} 行")
        + "<extra></extra>"))
    apply_layout(fig, title,
                 xaxis_title=(f"{unit[0]} (first day)" if en else f"{unit[1]}（首日）"),
                 yaxis_title="order lines" if en else "订单行")
    fig.update_yaxes(tickformat=",d")
    if not en:
        fig.update_xaxes(tickformat="%Y年%-m月")
    return fig


def _measure_label(measure: str, lang: str, currency: str) -> str:
    return label("revenue", lang, currency) if measure == "revenue" else (
        "Quantity ordered" if lang == "en" else "订购数量")


def _top_title(n: int, by: str, measure: str, span: str, lang: str) -> str:
    who = {"customer_id": ("customers", "客户"), "item_id": ("items", "物料")}.get(by, (by, by))
    if lang == "en":
        return f"Top {n} {who[0]} by {'revenue' if measure == 'revenue' else 'quantity ordered'}, {span}"
    return f"{'收入' if measure == 'revenue' else '订购数量'}最高的 {n} 个{who[1]}，{span}"


def top_figure(top: pd.DataFrame, by: str, measure: str, span: str, lang: str = "en",
               currency: str = "") -> go.Figure:
    """Bars of the top customers or items with the cumulative share of the total, titled with its period.

    Customers are named when ``top`` has ``customer_name``; otherwise by their number.
    """
    check_language(lang)
    names = top[by].astype(str)
    if "customer_name" in top:
        names = top["customer_name"].where(top["customer_name"].notna(), top[by]).astype(str)
    labels = chart_text(names.where(names.str.len() <= 24, names.str.slice(0, 23) + "…"))
    fig = go.Figure()
    fig.add_bar(x=labels, y=top["value"], name=chart_text(_measure_label(measure, lang, currency)),
                marker_color=PALETTE["primary"])
    fig.add_scatter(x=labels, y=top["cum_share"], yaxis="y2", mode="lines+markers",
                    name=chart_text("cumulative share of the total" if lang == "en" else "占总量的累计比例"),
                    line_color=PALETTE["accent"])
    apply_layout(fig, _top_title(len(top), by, measure, span, lang),
                 yaxis=dict(title=chart_text(_measure_label(measure, lang, currency)),
                            tickformat=",~s" if lang == "en" else ",d"),
                 yaxis2=dict(overlaying="y", side="right", range=[0, 1.02], tickformat=".0%",
                             tickvals=[0, 0.25, 0.5, 0.75, 1], showgrid=False))
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      margin=dict(l=40, r=40, t=100, b=40))
    fig.update_xaxes(type="category", automargin=True, tickangle=-40)
    return fig


def top_table(top: pd.DataFrame, by: str, measure: str, span: str, lang: str = "en",
              currency: str = "") -> ReportTable:
    """Return the top customers or items with lines, orders, quantity, revenue and their shares.

    Examples
    --------
    >>> top = pd.DataFrame({"customer_id": ["C1", "C2"], "lines": [40, 10], "orders": [12, 4],
    ...     "qty": [400.0, 100.0], "revenue": [8000.0, 2000.0], "value": [8000.0, 2000.0],
    ...     "share": [0.4, 0.1], "cum_share": [0.4, 0.5], "rank": [1, 2]})
    >>> t = top_table(top, "customer_id", "revenue", "Jan 2025 – Feb 2026", currency="EUR")
    >>> t.headers
    ('Rank', 'Customer', 'Order lines', 'Orders', 'Quantity ordered', 'Revenue (EUR)', 'Share of the total', 'Cumulative share')
    >>> ">8,000<" in t.html, ">40.0%<" in t.html, "by revenue, Jan 2025 – Feb 2026" in t.html
    (True, True, True)
    >>> top_table(top, "customer_id", "qty", "", "zh").headers[:3]
    ('排名', '客户编号', '订单行')
    """
    check_language(lang)
    en = lang == "en"
    cols: dict[str, ColumnSpec] = {"rank": ColumnSpec(label="Rank" if en else "排名", kind="integer"),
                                   by: ColumnSpec(label=label(by, lang), kind="id")}
    if "customer_name" in top:
        cols["customer_name"] = ColumnSpec(label=label("customer_name", lang), kind="text")
    cols["lines"] = ColumnSpec(label=label("lines", lang), kind="integer", digits=0)
    cols["orders"] = ColumnSpec(label=label("orders", lang), kind="integer", digits=0)
    cols["qty"] = ColumnSpec(label="Quantity ordered" if en else "订购数量", kind="number")
    if "revenue" in top:
        cols["revenue"] = ColumnSpec(label=label("revenue", lang, currency), kind="money")
    cols["share"] = ColumnSpec(label="Share of the total" if en else "占总量比例", kind="percent")
    cols["cum_share"] = ColumnSpec(label="Cumulative share" if en else "累计占比", kind="percent")
    frame = top.assign(qty=top["qty"].astype(float))
    digits = 0 if np.allclose(frame["qty"], np.round(frame["qty"])) else 1
    cols["qty"] = ColumnSpec(label=cols["qty"].label, kind="number", digits=digits)
    return report_table(frame, cols, lang=lang, currency=currency,
                        caption=_top_title(len(top), by, measure, span, lang) if span
                        else None)


def headline_status(quality: pd.DataFrame, lang: str = "en") -> str:
    """Return the headline for the run index: rows in = loaded + quarantined, over all tables.

    Examples
    --------
    >>> q = pd.DataFrame({"rows_in": [50014, 200], "rows_loaded": [49995, 200], "rows_quarantined": [19, 0]})
    >>> headline_status(q), headline_status(q, "zh")
    ('50,214 rows in = 50,195 loaded + 19 quarantined', '输入 50,214 行 = 已载入 50,195 行 + 已隔离 19 行')
    """
    check_language(lang)
    r_in, loaded, quar = (int(quality[c].sum()) for c in ("rows_in", "rows_loaded", "rows_quarantined"))
    if lang == "en":
        return f"{r_in:,} rows in = {loaded:,} loaded + {quar:,} quarantined"
    return f"输入 {r_in:,} 行 = 已载入 {loaded:,} 行 + 已隔离 {quar:,} 行"



def show(part: ReportTable | str | go.Figure) -> None:
    """Display a section part: a sentence (Markdown, with its text as the plain copy), a table or a figure."""
    from IPython.display import display

    if isinstance(part, str):
        display({"text/markdown": part, "text/plain": part}, raw=True)
    else:
        display(part)
