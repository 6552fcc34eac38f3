"""Known answers for the order-history report's sections (workbench.reporting.pages.order_history).

Every expected sentence, header and cell below is written by hand from the small
frames of each test, in English and Chinese.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.io.dataset import Dataset
from workbench.io.load import LoadResult, LoadSummary
from workbench.reporting.pages import order_history as page


def _summary(**kw) -> LoadSummary:
    base = dict(table="order_lines", sources=[], rows_in=10, rows_loaded=7, rows_quarantined=3,
                quarantine_by_reason={"missing_required": 2, "delivery_date_before_order_date": 1},
                issues_by_reason={"unusable_value": 4}, issues_by_column={"qty_shipped": 4},
                column_map={}, unused_columns=[], coverage={}, date_formats={})
    base.update(kw)
    return LoadSummary(**base)


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


QUALITY = pd.DataFrame({"table": ["order_lines", "items"], "rows_in": [1234, 5],
                        "rows_loaded": [1230, 5], "rows_quarantined": [4, 0], "issues": [1, 0]})


def test_accounting_lines_add_up_in_both_languages():
    # 1,234 = 1,230 + 4 and 5 = 5 + 0; all tables: 1,239 = 1,235 + 4
    assert page.accounting_text(QUALITY).splitlines() == [
        "- **Order lines**: 1,234 rows in = 1,230 loaded + 4 quarantined; 1 field issue in loaded rows.",
        "- **Items**: 5 rows in = 5 loaded + 0 quarantined; no field issue.",
        "- **All tables**: 1,239 rows in = 1,235 loaded + 4 quarantined."]
    assert page.accounting_text(QUALITY, "zh").splitlines() == [
        "- **订单行**：输入 1,234 行 = 已载入 1,230 行 + 已隔离 4 行；已载入行中有 1 个字段问题。",
        "- **物料**：输入 5 行 = 已载入 5 行 + 已隔离 0 行；没有字段问题。",
        "- **全部数据表**：输入 1,239 行 = 已载入 1,235 行 + 已隔离 4 行。"]


def test_headline_totals():
    assert page.headline_status(QUALITY) == "1,239 rows in = 1,235 loaded + 4 quarantined"
    assert page.headline_status(QUALITY, "zh") == "输入 1,239 行 = 已载入 1,235 行 + 已隔离 4 行"


def test_outcome_table_rows_and_shares():
    # 7 of 10 loaded (70.00%), 2 missing (20.00%), 1 delivered before ordered (10.00%), 10 in
    t = page.outcome_table(_summary(), "Jan 2025 – Feb 2026")
    assert t.headers == ("Outcome", "Reason", "Rows", "Share of rows in")
    assert _cells(t.html) == ["Loaded", "–", "7", "70.00%",
                              "Quarantined", "required value missing", "2", "20.00%",
                              "Quarantined", "delivered before it was ordered", "1", "10.00%",
                              "Rows in", "–", "10", "100.00%"]
    assert "Order lines: every row in, loaded or quarantined (orders of Jan 2025 – Feb 2026)" in t.html
    zh = page.outcome_table(_summary(), "2025年1月–2026年2月", "zh")
    assert zh.headers == ("结果", "原因", "行数", "占输入行比例")
    assert _cells(zh.html)[4:8] == ["已隔离", "缺少必填值", "2", "20.00%"]


def test_outcome_table_writes_a_tiny_share_as_below_a_hundredth_of_a_percent():
    # 2 of 50,014 rows = 0.004 %: "< 0.01%", not "0.00%"
    s = _summary(rows_in=50014, rows_loaded=50012, rows_quarantined=2,
                 quarantine_by_reason={"unknown_item": 2})
    assert _cells(page.outcome_table(s, "").html)[4:8] == [
        "Quarantined", "item not in the item master", "2", "&lt; 0.01%"]


def test_issues_sentence():
    assert page.issues_sentence(_summary()) == (
        "**4 field issues** in loaded rows: value unreadable (left empty) 4.")
    assert page.issues_sentence(_summary(), "zh") == (
        "已载入的行中有 **4 个字段问题**：值无法识别（留空） 4。")


def test_problems_table_words_fields_values_and_rows():
    groups = pd.DataFrame({
        "reason": ["missing_required", "duplicate_key"], "column": ["customer_id", "order_id/line_no"],
        "value": ["", "SO-1/2"], "rows": [3, 1],
        "first_rows": ["o.csv:12, o.csv:40, p.csv:7", "o.csv:99"]})
    t = page.problems_table(groups)
    assert t.headers == ("Reason", "Field", "Value in the file", "Rows", "Where (examples)")
    assert _cells(t.html) == [
        "required value missing", "Customer", "(empty)", "3", "o.csv rows 12, 40; p.csv row 7",
        "duplicate order line", "Order number / Line number", "SO-1/2", "1", "o.csv row 99"]
    zh = page.problems_table(groups, "zh")
    assert _cells(zh.html)[:5] == ["缺少必填值", "客户", "（空）", "3", "o.csv 第 12、40 行；p.csv 第 7 行"]
    assert page.problems_table(groups.head(0), "zh") == "没有被隔离的行。"
    assert page.problems_table(groups.head(0), kind="issues") == "No field issue."


def test_fields_table_formats_and_absent_fields():
    data = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-02", None, "2025-03-04", None]),
                         "unit_price": [1.5, 2.0, 3.0, 4.0]})
    s = _summary(column_map={"order_date": "PO Date", "unit_price": "Price (name)"},
                 coverage={"order_date": 0.5, "unit_price": 1.0, "qty_damaged": None},
                 date_formats={"order_date": "M/D/Y or D/M/Y; numeric dates D/M/Y (inferred)"},
                 number_formats={"unit_price": "decimal comma (inferred from this column)"},
                 issues_by_column={"order_date": 2})
    t = page.fields_table(LoadResult(data, pd.DataFrame(), pd.DataFrame(), s))
    assert _cells(t.html) == [
        "Order date", "PO Date", "day and month as numbers, read as day/month/year (inferred from the values)",
        "50.0%", "2",
        "Unit price", "Price", "decimal comma (inferred from the values in this column)", "100.0%", "0",
        "Quantity damaged", "not in the data", "–", "–", "–"]
    zh = page.fields_table(LoadResult(data, pd.DataFrame(), pd.DataFrame(), s), "zh")
    assert _cells(zh.html)[:5] == ["下单日期", "PO Date", "以数字表示的日和月，按日/月/年读取（根据数据推断）",
                                   "50.0%", "2"]


def test_reading_text_names_encoding_guess_and_a_count_mismatch():
    src = {"source": "C:\\exports\\orders.csv", "format": "csv", "encoding": "cp1252",
           "encoding_method": "plausibility", "encoding_confidence": 0.5,
           "encoding_alternatives": ["latin-1"], "delimiter": ";", "header_row": 3,
           "records_counted": 99, "rows_in": 100}
    assert page.reading_text(_summary(sources=[src])) == (
        "- **orders.csv**: a CSV file; semicolon-separated; header on row 3; text encoding CP1252 "
        "(the most plausible reading, confidence 50%); latin-1 would read some text differently, so "
        "check names with accents or Chinese characters; 100 records.")
    assert page.reading_text(_summary(sources=[src]), "zh") == (
        "- **orders.csv**：CSV 文件；分号分隔；表头在第 3 行；文本编码 CP1252（最合理的读法，置信度 50%）；"
        "latin-1会把部分文字读成不同内容，请核对带重音或中文的名称；100 条记录。")


def test_period_sentence_counts_every_loaded_line():
    assert page.period_sentence(12, 9, 1, 2, "3 Mar 2025 – 4 Apr 2025") == (
        "**12** order lines loaded: **9** in the period shown (3 Mar 2025 – 4 Apr 2025), 1 outside it, "
        "2 without an order date (not in the volume chart).")


def test_top_table_headers_and_cells():
    top = pd.DataFrame({"item_id": ["ITM-1"], "lines": [3], "orders": [2], "qty": [12.0],
                        "value": [12.0], "share": [0.75], "cum_share": [0.75], "rank": [1]})
    t = page.top_table(top, "item_id", "qty", "2025年1月", "zh")
    assert t.headers == ("排名", "物料", "订单行", "订单", "订购数量", "占总量比例", "累计占比")
    assert _cells(t.html) == ["1", "ITM-1", "3", "2", "12", "75.0%", "75.0%"]
    assert "订购数量最高的 1 个物料，2025年1月" in t.html


def test_figures_carry_their_period_in_the_title():
    volume = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-06", "2025-01-13"]),
                           "lines": [5, 7]})
    fig = page.volume_figure(volume, "W", "6 Jan 2025 – 19 Jan 2025")
    assert fig.layout.title.text == "Order lines per week, 6 Jan 2025 – 19 Jan 2025"
    assert page.volume_figure(volume, "M", "2025年1月", "zh").layout.title.text == "每月订单行数，2025年1月"
    top = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["A" * 30], "value": [5.0],
                        "cum_share": [1.0]})
    fig = page.top_figure(top, "customer_id", "revenue", "Jan 2025", currency="USD")
    assert fig.layout.title.text == "Top 1 customers by revenue, Jan 2025"
    assert fig.data[0].name == "Revenue (USD)" and fig.data[0].x[0] == "A" * 23 + "…"


def test_intro_and_availability_without_data():
    ds = Dataset(Path("."), name="Empty")
    assert page.intro_text(ds, pd.DataFrame({"order_date": pd.to_datetime([])})) == "**Dataset:** Empty."
    t = page.availability_table(ds, "zh")
    assert t.headers == ("分析", "可用", "如何补充所缺数据")
    assert ">否<" in t.html and ">order_lines<" not in t.html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_snake_case_reason_left(lang):
    reasons = ["missing_required", "unusable_required", "negative_quantity", "duplicate_key",
               "unknown_item", "unknown_customer", "delivery_date_before_order_date",
               "ship_date_before_order_date", "empty_row", "malformed_row"]
    s = _summary(rows_in=len(reasons) + 1, rows_loaded=1, rows_quarantined=len(reasons),
                 quarantine_by_reason=dict.fromkeys(reasons, 1))
    html = page.outcome_table(s, "", lang).html
    assert not re.search(r">[^<]*[a-z]_[a-z][^<]*<", html)


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6),
       st.lists(st.integers(min_value=0, max_value=10**5), min_size=6, max_size=6))
def test_accounting_lines_always_balance(loaded, quarantined):
    q = pd.DataFrame({"table": ["order_lines"] * len(loaded), "rows_loaded": loaded,
                      "rows_quarantined": quarantined[:len(loaded)], "issues": 0})
    q["rows_in"] = q["rows_loaded"] + q["rows_quarantined"]
    rx = re.compile(r"([\d,]+) rows in = ([\d,]+) loaded \+ ([\d,]+) quarantined")
    for line in page.accounting_text(q).splitlines():
        a, b, c = (int(x.replace(",", "")) for x in rx.search(line).groups())
        assert a == b + c
