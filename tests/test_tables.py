"""Known-answer tests of the report table helper (:func:`workbench.reporting.tables.report_table`).

Expected cell texts and headers are written out by hand: what a manager reads in
English and Chinese for a frame with a missing value, whole-number floats, a
rate, a date, codes, an ID with a hyphen and hostile text.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.exceptions import ChoiceError, FrameTypeError, LanguageError, RangeError
from workbench.i18n import code_words, label
from workbench.reporting.tables import BIDI_CONTROLS, ColumnKind, ColumnSpec, report_table

FSI, PDI, RLO = "\u2068", "\u2069", "\u202e"


class _Cells(HTMLParser):
    """Collect header texts, row cell texts and cell attributes of one rendered table."""

    def __init__(self):
        super().__init__()
        self.headers, self.rows, self.attrs, self.notes = [], [], [], []
        self._cell = None
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row, self._row_attrs = [], []
        elif tag in ("th", "td"):
            self._cell, self._in = [], tag
            if tag == "td":
                self._row_attrs.append(dict(attrs))
        elif tag == "p":
            self._cell, self._in = [], "p"

    def handle_endtag(self, tag):
        if tag in ("th", "td", "p") and self._cell is not None:
            text = "".join(self._cell)
            {"th": self.headers, "td": self._row, "p": self.notes}[tag].append(text)
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.append(self._row)
            self.attrs.append(self._row_attrs)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": ["ITM-0025", "ITM-0100"],
        "kind": ["confirmed_break", "planned_receipt_dependency"],
        "alert_level": [3, 1],
        "max_shortage_qty": [12.0, np.nan],
        "otif_order_rate": [0.9712, 0.5],
        "first_short_date": pd.to_datetime(["2026-06-29", None]),
        "root_cause": ["<script>alert(1)</script> & Co", f"{RLO}exe.txt"],
        "expedite_cost": [1234.0, 20000.0],
        "status": ["new", None],
    }, index=[7, 3])  # row labels of a sorted frame: never shown


def test_headers_and_cells_in_english():
    table = report_table(_frame(), lang="en", currency="USD")
    cells = _parse(table.html)
    assert cells.headers == ["Item", "Kind of risk", "Alert level", "Largest shortage (units)",
                             "OTIF (orders)", "Short from", "Root cause", "Expedite cost (USD)",
                             "Status"]
    assert cells.rows == [
        ["ITM-0025", "confirmed supply break", "3 - confirmed break", "12", "97.1%",
         "29 Jun 2026", "<script>alert(1)</script> & Co", "1,234", "new"],
        ["ITM-0100", "depends on planned receipts", "1 - internal alert", "–", "50.0%", "–",
         f"{FSI}{RLO}exe.txt{PDI}", "20,000", "–"],
    ]
    assert table.headers == tuple(cells.headers)
    assert table.kinds == (ColumnKind.ID, ColumnKind.CODE, ColumnKind.CODE, ColumnKind.INTEGER,
                           ColumnKind.PERCENT, ColumnKind.DATE, ColumnKind.TEXT,
                           ColumnKind.MONEY, ColumnKind.CODE)


def test_headers_and_cells_in_chinese():
    cells = _parse(report_table(_frame(), lang="zh", currency="USD").html)
    assert cells.headers == ["物料", "风险类型", "预警级别", "最大缺货量（件）",
                             "准时足量交付率（订单）", "缺货起始", "根本原因", "加急费用（美元）",
                             "状态"]
    assert cells.rows[0] == ["ITM-0025", "确认断供", "3 - 确认断供", "12", "97.1%",
                             "2026年6月29日", "<script>alert(1)</script> & Co", "1,234", "新增"]
    assert cells.rows[1][:3] == ["ITM-0100", "依赖计划到货", "1 - 内部预警"]
    assert cells.rows[1][-1] == "–"


def test_no_markup_from_the_data_and_no_row_numbers():
    html = report_table(_frame()).html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert html.count("<th ") == 9  # one per column, no index header
    assert "<th></th>" not in html and ">7<" not in html  # row label 7 not shown
    for bad in ("NaN", "nan", "None", "NaT", "<NA>", "12.0", "..."):
        assert bad not in _parse(html).rows[0] + _parse(html).rows[1], bad


def test_cell_classes_and_sort_keys():
    cells = _parse(report_table(_frame()).html)
    first = cells.attrs[0]
    assert first[0] == {"class": "wb-id"}  # ITM-0025 never wraps at the hyphen
    assert first[3] == {"class": "wb-num", "data-sort": "12.0"}
    assert first[4] == {"class": "wb-num", "data-sort": "0.9712"}
    assert first[5] == {"class": "wb-date", "data-sort": "2026-06-29"}
    assert first[2] == {"class": "wb-code", "data-sort": "3.0"}  # levels sort as numbers
    assert first[6] == {"class": "wb-text"}  # wrapped, not cut
    assert cells.attrs[1][3] == {"class": "wb-num"}  # missing: no sort key, sorts last


def test_integers_get_thousands_separators_and_no_decimals():
    frame = pd.DataFrame({"qty_open": [1234567.0, 3.0], "line_no": [1, 20],
                          "lines": pd.array([5, None], dtype="Int64")})
    cells = _parse(report_table(frame).html)
    assert cells.headers == ["Quantity open (units)", "Line", "Order lines"]
    assert cells.rows == [["1,234,567", "1", "5"], ["3", "20", "–"]]


def test_inferred_kinds_from_names_and_values():
    frame = pd.DataFrame({"fill_share": [0.25], "ship_date": ["2026-01-05"], "part_id": ["A-1"],
                          "freight_cost": [950.0], "wait_days": [3.0], "pick_qty": [4.0],
                          "score": [2.345], "flag": [True], "note_text": ["x"]})
    table = report_table(frame, lang="en", currency="EUR")
    assert table.kinds == (ColumnKind.PERCENT, ColumnKind.DATE, ColumnKind.ID, ColumnKind.MONEY,
                           ColumnKind.DAYS, ColumnKind.INTEGER, ColumnKind.NUMBER,
                           ColumnKind.BOOL, ColumnKind.TEXT)
    assert table.headers == ("Fill share", "Ship date", "Part id", "Freight cost", "Wait days",
                             "Pick qty", "Score", "Flag", "Note text")
    assert _parse(table.html).rows == [["25.0%", "5 Jan 2026", "A-1", "950", "3", "4", "2.3",
                                        "yes", "x"]]


def test_money_headers_carry_the_currency():
    frame = pd.DataFrame({"revenue_at_risk": [1_084_000.0], "extra_cost": [12.5]})
    assert report_table(frame, currency="CNY").headers == (
        "Revenue at risk (CNY)", "Extra cost (CNY per year)")
    assert report_table(frame, lang="zh", currency="CNY").headers == (
        "风险收入（元）", "额外成本（元/年）")
    assert report_table(frame, lang="zh", currency="CHF").headers[0] == "风险收入（CHF）"
    assert report_table(frame).headers == ("Revenue at risk", "Extra cost (per year)")
    cells = _parse(report_table(frame).html)
    assert cells.rows == [["1,084,000", "12.50"]]  # small non-whole amounts keep cents
    compact = report_table(frame, {"revenue_at_risk": ColumnSpec(compact=True)}, lang="zh")
    assert _parse(compact.html).rows == [["108.4万"]]


def test_columns_choose_order_labels_and_kinds():
    frame = _frame()
    table = report_table(frame, {"status": "Now", "item_id": None,
                                 "alert_level": ColumnSpec(label="Lvl", kind="integer")})
    assert table.headers == ("Now", "Item", "Lvl")
    assert _parse(table.html).rows[0] == ["new", "ITM-0025", "3"]
    assert report_table(frame, ["root_cause"], id_columns=["root_cause"]).kinds == (ColumnKind.ID,)


def test_named_index_becomes_a_column():
    pivot = pd.DataFrame({"tier": ["A", "B"], "line_fill_rate": [0.991, 0.9]}).set_index("tier")
    cells = _parse(report_table(pivot).html)
    assert cells.headers == ["Tier", "Line fill rate"]
    assert cells.rows == [["A", "99.1%"], ["B", "90.0%"]]


def test_targets_mark_cells_below_with_a_visible_marker():
    frame = pd.DataFrame({"tier": ["A", "B"], "otif_order_rate": [0.96, 0.90],
                          "target": [0.98, 0.85]})
    fixed = report_table(frame, targets={"otif_order_rate": 0.95})
    cells = _parse(fixed.html)
    assert [r[1] for r in cells.rows] == ["96.0%", "90.0% ▼"]
    assert cells.attrs[1][1]["class"] == "wb-num wb-below"
    assert cells.notes == ["▼ below target: OTIF (orders) 95.0%"]
    per_row = _parse(report_table(frame, targets={"otif_order_rate": "target"}, lang="zh").html)
    assert [r[1] for r in per_row.rows] == ["96.0% ▼", "90.0%"]
    assert per_row.notes == ["▼ 低于目标"]
    assert "wb-below" not in report_table(frame).html


def test_filter_box_and_row_limit():
    frame = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(20)]})
    assert 'data-wb-filter="1"' in report_table(frame).html  # more than 8 rows
    assert 'data-wb-filter' not in report_table(frame.head(8)).html
    assert 'data-wb-filter' not in report_table(frame, filter=False).html
    assert 'data-wb-sort' not in report_table(frame, sortable=False).html
    short = report_table(frame, max_rows=5, lang="en")
    assert (short.rows, short.shown) == (20, 5)
    assert _parse(short.html).notes == ["Showing 5 of 20 rows."]
    assert _parse(report_table(frame, max_rows=5, lang="zh").html).notes == ["显示 20 行中的 5 行。"]


def test_caption_is_escaped_and_wrap_scrolls():
    html = report_table(pd.DataFrame({"x": [1]}), caption="<b>Top & risks</b>").html
    assert "<caption>&lt;b&gt;Top &amp; risks&lt;/b&gt;</caption>" in html
    assert html.startswith('<div class="wb-table-block"><div class="wb-table-wrap" '
                           'style="overflow-x:auto;max-width:100%">')
    assert report_table(pd.DataFrame({"x": [1]}))._repr_html_() == html.replace(
        "<caption>&lt;b&gt;Top &amp; risks&lt;/b&gt;</caption>", "")


def test_mistakes_say_what_to_do():
    with pytest.raises(ChoiceError, match="'nope'"):
        report_table(_frame(), ["nope"])
    with pytest.raises(ChoiceError, match="target"):
        report_table(_frame(), targets={"item_id": 0.5})
    with pytest.raises(FrameTypeError):
        report_table([1, 2])
    with pytest.raises(RangeError):
        report_table(_frame(), max_rows=0)
    with pytest.raises(LanguageError):
        report_table(_frame(), lang="fr")


def test_labels_and_code_words():
    assert label("expedite_cost", "en", "USD") == "Expedite cost (USD)"
    assert label("expedite_cost", "zh", "EUR") == "加急费用（欧元）"
    assert label("customer_name", "zh") == "客户名称"
    assert label("some_new_column") == "Some new column"
    assert code_words("below_safety_stock", "zh") == "低于安全库存"
    assert code_words("all_clear") == "all clear"
    assert code_words("potential_risk", "zh") == "潜在供应风险"
    assert code_words(2, "en", "alert_level") == "2 - potential customer risk"
    assert code_words("de-escalated", "zh") == "降级"
    assert code_words("sea_freight_express") == "sea freight express"


_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'-_") + [RLO, "\u202a", "中"]),
                max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.none()), min_size=1, max_size=12),
       st.lists(st.one_of(st.floats(-1e9, 1e9), st.none()), min_size=1, max_size=12))
def test_any_text_shows_literally_and_nothing_is_nan(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"description": texts[:n], "qty": pd.Series(numbers[:n], dtype=float)})
    cells = _parse(report_table(frame).html)
    assert len(cells.rows) == n and len(cells.headers) == 2
    for row, text in zip(cells.rows, texts[:n], strict=True):
        bidi = text is not None and bool(set(text) & set(BIDI_CONTROLS))
        shown = row[0].removeprefix(FSI).removesuffix(PDI) if bidi else row[0]
        assert shown == ("–" if text is None else text)
        assert "nan" not in row[1].lower() and row[1] != ""


def test_total_rows_go_to_the_footer_where_sorting_leaves_them():
    frame = pd.DataFrame({"customer_name": ["B", "A", "C", "Total"],
                          "value_at_risk": [200.0, 50.0, 10.0, 260.0]})
    table = report_table(frame, lang="en", currency="EUR", total_rows=1, max_rows=2)
    body, foot = table.html.split("<tfoot>")
    assert ">Total<" in foot and ">260<" in foot and ">Total<" not in body
    assert ">B<" in body and ">A<" in body and ">C<" not in body  # max_rows cuts the body only
    assert (table.rows, table.shown) == (3, 2)
    assert "Showing 2 of 3 rows." in table.html
    with pytest.raises(RangeError):
        report_table(frame, total_rows=5)
