"""Mapping engine keys: derived columns, fill-down, price unit, drop rules, value maps, lineage.

Every expected value below is worked by hand from the fixture files under
``tests/data/mapping/`` (the comments show the arithmetic), never taken from
the code under test.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import kpis
from workbench.cli import main as cli_main
from workbench.exceptions import DerivedColumnError, MappingError, MissingColumnsError
from workbench.io.derive import DeriveContext, evaluate, parse_expression
from workbench.io.load import load_table
from workbench.io.mapping import ColumnMapping

DATA = Path(__file__).parent / "data" / "mapping"


def _row(res, order_id: str, line_no: int) -> pd.Series:
    o = res.orders
    hit = o[(o["order_id"] == order_id) & (o["line_no"] == line_no)]
    assert len(hit) == 1, (order_id, line_no)
    return hit.iloc[0]


def _balanced(res) -> None:
    s = res.summary
    assert s.rows_in == s.rows_loaded + s.rows_quarantined
    assert len(res.orders) == s.rows_loaded and len(res.quarantine) == s.rows_quarantined
    if s.records_counted is not None:
        assert s.records_counted == s.rows_in


# --------------------------------------------------------------------------- DataCo-like
def test_dataco_promised_date_is_order_date_plus_scheduled_days() -> None:
    res = load_table(DATA / "dataco_like.csv", "order_lines", DATA / "dataco_like.yaml")
    _balanced(res)
    assert (res.summary.rows_in, res.summary.rows_loaded) == (6, 6)
    # 1/31/2018 22:56 + 4 days -> 2018-02-04 (the order date is a day: time dropped)
    assert _row(res, "77202", 180517)["promised_date"] == pd.Timestamp("2018-02-04")
    # 1/13/2018 12:27 + 2 days -> 2018-01-15
    assert _row(res, "75939", 179254)["promised_date"] == pd.Timestamp("2018-01-15")
    # 12/28/2017 + 0 days -> 2017-12-28; 2/27/2018 + 3 days -> 2018-03-02 (2018 not a leap year)
    assert _row(res, "75938", 179253)["promised_date"] == pd.Timestamp("2017-12-28")
    assert _row(res, "75937", 179252)["promised_date"] == pd.Timestamp("2018-03-02")
    # "soon" is not a number of days: the promised date is missing, the input recorded
    assert pd.isna(_row(res, "75936", 179251)["promised_date"])
    iss = res.issues
    assert len(iss) == 1
    assert iss.iloc[0][["source_row", "column", "source_column", "value", "reason"]].tolist() == [
        7, "promised_date", "Days for shipment (scheduled)", "soon", "unusable_value"]
    # line_no is the Order Item Id, read as a whole number
    assert res.orders["line_no"].tolist() == [180517, 180518, 179254, 179253, 179252, 179251]
    notes = " | ".join(res.summary.notes)
    assert "derived promised_date = order_date + days(`Days for shipment (scheduled)`): " \
           "5 value(s), 1 missing (1 with an unusable input" in notes
    assert res.summary.column_map["promised_date"].startswith("= order_date + days(")


def test_extras_round_trip_through_load_out(tmp_path: Path, capsys) -> None:
    out = tmp_path / "checked"
    assert cli_main(["load", str(DATA / "dataco_like.csv"), "--mapping",
                     str(DATA / "dataco_like.yaml"), "--out", str(out)]) == 0
    capsys.readouterr()
    again = load_table(out / "order_lines.csv")   # no mapping: a data-model file
    _balanced(again)
    o = again.orders
    assert o["segment"].tolist() == ["Consumer", "Consumer", "Corporate", "Home Office",
                                     "Consumer", "Consumer"]
    assert o.groupby("segment").size().to_dict() == {"Consumer": 4, "Corporate": 1,
                                                     "Home Office": 1}
    assert set(o["upstream_source_file"]) == {str(DATA / "dataco_like.csv")}
    assert o["upstream_source_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert o["source_row"].tolist() == [2, 3, 4, 5, 6, 7]
    # the extra groups KPIs: 4 Consumer lines in 3 orders (77202 twice, 75937, 75936)
    table = kpis.kpi_table(o, by="segment", kpis=["lines", "orders"])
    got = table.set_index(["segment", "kpi"])["value"]
    assert got[("Consumer", "lines")] == 4 and got[("Consumer", "orders")] == 3
    # a second round trip keeps the first lineage, not the intermediate file's
    assert cli_main(["load", str(out / "order_lines.csv"), "--out", str(tmp_path / "twice")]) == 0
    capsys.readouterr()
    twice = load_table(tmp_path / "twice" / "order_lines.csv")
    assert set(twice.orders["upstream_source_file"]) == {str(DATA / "dataco_like.csv")}
    assert twice.orders["upstream_source_row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert twice.orders["segment"].tolist() == o["segment"].tolist()


def test_keep_unmapped_explicit_true_and_false() -> None:
    frame = pd.DataFrame({"Order": ["A1", "A2"], "Cust": ["C1", "C2"], "Item": ["I1", "I2"],
                          "Date": ["2024-01-02", "2024-01-03"], "Qty": ["1", "2"],
                          "Region": ["North", "South"]})
    base = {"order_id": "Order", "customer_id": "Cust", "item_id": "Item", "order_date": "Date",
            "qty_ordered": "Qty"}
    kept = load_table(frame, "order_lines", {"columns": base, "keep_unmapped": True})
    assert kept.orders["Region"].tolist() == ["North", "South"]
    assert kept.summary.unused_columns == []
    dropped = load_table(frame, "order_lines", {"columns": base, "keep_unmapped": False})
    assert "Region" not in dropped.orders and dropped.summary.unused_columns == ["Region"]
    default = load_table(frame, "order_lines", {"columns": base})   # an export, not a model file
    assert "Region" not in default.orders


# --------------------------------------------------------------------------- Odoo-like
def test_odoo_order_fields_filled_from_each_orders_first_line() -> None:
    res = load_table(DATA / "odoo_o2m.csv", "order_lines", DATA / "odoo_o2m.yaml")
    _balanced(res)
    s = res.summary
    # 8 lines: S00001 x3 and S00003 x2 load; S00002 is a quotation (its 2 lines go);
    # S00004 has its own reference but no customer: not filled from S00003, quarantined
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (8, 5, 3)
    assert s.quarantine_by_reason == {"quotation": 2, "missing_required": 1}
    q = res.quarantine.set_index("source_row")
    assert q.loc[5, "reason"] == "quotation" and q.loc[6, "reason"] == "quotation"
    assert "continues source row 5" in q.loc[6, "detail"]
    assert q.loc[9, "reason"] == "missing_required" and q.loc[9, "column"] == "customer_id"
    assert q.loc[6, "Customer"] == ""               # original values, as exported (not filled)
    o = res.orders
    assert o["order_id"].tolist() == ["S00001"] * 3 + ["S00003"] * 2
    assert o["customer_id"].tolist() == ["Azure Interior"] * 3 + ["Gemini Furniture"] * 2
    assert o["order_date"].tolist() == [pd.Timestamp("2024-03-01")] * 3 + \
        [pd.Timestamp("2024-03-04")] * 2
    assert o["line_no"].tolist() == [1, 2, 3, 1, 2]
    assert o["status"].tolist() == ["open"] * 5
    assert o["qty_ordered"].tolist() == [2, 4, 1, 3, 1]
    assert ("fill_down: blank cells filled from the first row of their Order Reference: "
            "Order Reference 3, Customer 3, Order Date 3, Status 3") in s.notes


def test_fill_down_without_key_stops_at_a_dropped_row() -> None:
    frame = pd.DataFrame({
        "Order": ["A", "", "TOTAL", "", "B"], "Cust": ["C1", "", "", "", "C2"],
        "Item": ["i1", "i2", "", "i3", "i4"], "Date": ["2024-01-01"] * 5,
        "Qty": ["1", "2", "3", "4", "5"]})
    mapping = {"columns": {"order_id": "Order", "customer_id": "Cust", "item_id": "Item",
                           "order_date": "Date", "qty_ordered": "Qty"},
               "fill_down": ["Order", "Cust"],
               "drop_rows": [{"column": "Order", "pattern": "^TOTAL$", "reason": "total_row"}]}
    res = load_table(frame, "order_lines", mapping)
    _balanced(res)
    # (a frame's rows are numbered from 1) row 2 (A's second line) takes A/C1 from above;
    # row 3 is the total; row 4 is below the dropped total, so nothing fills it (its order
    # would be a guess): missing_required
    assert res.orders["order_id"].tolist() == ["A", "A", "B"]
    assert res.orders["customer_id"].tolist() == ["C1", "C1", "C2"]
    assert res.summary.quarantine_by_reason == {"total_row": 1, "missing_required": 1}
    assert res.quarantine["source_row"].tolist() == [3, 4]


# --------------------------------------------------------------------------- SAP-like
def test_sap_price_unit_planned_goods_issue_status_codes_total_row() -> None:
    res = load_table(DATA / "sap_like.csv", "order_lines", DATA / "sap_like.yaml",
                     as_of="2025-03-10")
    _balanced(res)
    s = res.summary
    assert s.sources[0]["header_row"] == 25          # below a 24-line selection block
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (6, 5, 1)
    assert s.quarantine_by_reason == {"total_row": 1}
    assert res.quarantine.iloc[0][["source_row", "column", "value"]].tolist() == [
        31, "Sales Document", "Total"]
    # 1.234,50 per 100 units -> 12.345; 99,00 with a blank price unit -> 99;
    # 50,00 per 1 -> 50; 10,00 per 0 -> unusable (missing); 7,50 per 10 -> 0.75
    price = res.orders["unit_price"].tolist()
    assert price[0] == pytest.approx(12.345) and price[1] == pytest.approx(99.0)
    assert price[2] == pytest.approx(50.0) and np.isnan(price[3])
    assert price[4] == pytest.approx(0.75)
    # Goods Issue Date 05.03.2025 is before the as-of date: shipped; 20.03.2025 is a plan
    ship = res.orders["ship_date"].tolist()
    assert ship[0] == pd.Timestamp("2025-03-05") and pd.isna(ship[1]) and pd.isna(ship[2])
    assert ship[3] == pd.Timestamp("2025-03-06") and pd.isna(ship[4])
    assert s.issues_by_reason == {"planned_date": 1, "unusable_value": 1}
    planned = res.issues[res.issues["reason"] == "planned_date"].iloc[0]
    assert planned[["source_row", "column", "source_column", "value"]].tolist() == [
        27, "ship_date", "Goods Issue Date", "20.03.2025"]
    bad_unit = res.issues[res.issues["reason"] == "unusable_value"].iloc[0]
    assert bad_unit[["source_row", "column", "source_column", "value"]].tolist() == [
        29, "unit_price", "Pricing Unit", "0"]
    # status codes mapped; X is not in the map: kept as given, and said so
    assert res.orders["status"].tolist() == ["delivered", "open", "open", "open", "X"]
    notes = " | ".join(s.notes)
    assert "status: 1 value(s) not in the mapping's values kept as given: 'X'" in notes
    assert ("price_unit: unit_price = price / Pricing Unit: 2 price(s) divided by a price unit "
            "other than 1, 1 blank price unit(s) read as 1, 1 unusable") in notes
    assert "1 date(s) after the as-of date 2025-03-10 are plans" in notes
    assert "drop_rows rule 1 (total_row: Sales Document matches" in notes
    assert s.column_map["unit_price"] == "Net Price / Pricing Unit"


def test_sap_header_below_20_rows_needs_header_scan() -> None:
    spec = yaml.safe_load((DATA / "sap_like.yaml").read_text(encoding="utf-8"))
    del spec["header_scan"]
    with pytest.raises(MissingColumnsError):
        load_table(DATA / "sap_like.csv", "order_lines", spec)


def test_as_of_defaults_to_today() -> None:
    res = load_table(DATA / "sap_like.csv", "order_lines", DATA / "sap_like.yaml")
    # every goods-issue date of 2025 lies before today: none is a plan
    assert "planned_date" not in res.summary.issues_by_reason
    assert res.orders["ship_date"].notna().sum() == 3
    assert any("(today; pass as_of=" in n for n in res.summary.notes)


# --------------------------------------------------------------------------- Kingdee-like
def test_kingdee_gbk_total_row_dropped_and_counted() -> None:
    res = load_table(DATA / "kingdee_like_gbk.csv", "order_lines", DATA / "kingdee_like.yaml")
    _balanced(res)
    s = res.summary
    assert s.sources[0]["encoding"] == "gb18030"
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined, s.records_counted) == (4, 3, 1, 4)
    assert s.quarantine_by_reason == {"total_row": 1}
    q = res.quarantine.iloc[0]
    assert q[["source_row", "reason", "column", "value"]].tolist() == [5, "total_row", "客户",
                                                                       "合计"]
    o = res.orders
    assert o["status"].tolist() == ["open", "open", "closed"]     # 已审核, 已审核, 已关闭
    assert o["qty_ordered"].sum() == 20                             # 10 + 3 + 7
    assert o["line_no"].tolist() == [1, 2, 1]


# --------------------------------------------------------------------------- value maps
def test_bool_value_map_unmapped_is_an_issue_text_kept() -> None:
    spec = yaml.safe_load("""
columns:
  order_id: Order
  customer_id: Cust
  item_id: Item
  order_date: Date
  qty_ordered: Qty
  filled_from_stock: {column: From Stock, values: {Yes: true, No: false}}
  status: {column: Status, values: {A: open, C: delivered}}
""")
    # YAML 1.1 reads the unquoted keys Yes/No as booleans; they still match "Yes"/"no"
    assert True in spec["columns"]["filled_from_stock"]["values"]
    frame = pd.DataFrame({"Order": list("abcde"), "Cust": ["c"] * 5, "Item": ["i"] * 5,
                          "Date": ["2024-05-01"] * 5, "Qty": ["1"] * 5,
                          "From Stock": ["Yes", "no", "YES", "Maybe", ""],
                          "Status": ["A", "c", " a ", "Hold", ""]})
    res = load_table(frame, "order_lines", spec)
    _balanced(res)
    assert res.orders["filled_from_stock"].tolist() == [True, False, True, pd.NA, pd.NA]
    assert res.issues[["source_row", "column", "value", "reason"]].values.tolist() == [
        [4, "filled_from_stock", "Maybe", "unusable_value"]]   # a frame's 4th row
    assert res.orders["status"].tolist()[:4] == ["open", "delivered", "open", "Hold"]
    assert pd.isna(res.orders["status"].iloc[4])


def test_value_map_on_a_number_column_is_refused() -> None:
    with pytest.raises(MappingError, match="qty_ordered.values"):
        ColumnMapping.from_dict({"columns": {"qty_ordered": {"column": "Q",
                                                             "values": {"x": 1}}}})


# --------------------------------------------------------------------------- expressions
def _ctx(frame: pd.DataFrame, typed: dict | None = None, as_of: str = "2025-01-01"
         ) -> DeriveContext:
    return DeriveContext(frame, typed or {}, as_of=pd.Timestamp(as_of))


def test_functions_known_answers() -> None:
    frame = pd.DataFrame({
        "Company": ["ACME", "ACME", "", "Beta"], "Order Reference": ["S1", "S2", "S3", " s4 "],
        "Date": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"],
        "Time": ["08:30", "", "7:15 PM", "25:00"],
        "GI": ["2024-12-31", "2025-01-02", "", "2025-01-01"]}, dtype="str")

    def run(text: str) -> list:
        return evaluate(parse_expression("x", text), _ctx(frame)).values.tolist()

    assert run("concat(`Company`, '-', `Order Reference`)") == ["ACME-S1", "ACME-S2", np.nan,
                                                                  "Beta-s4"]
    assert run("coalesce(Company, 'unknown')") == ["ACME", "ACME", "unknown", "Beta"]
    assert run("upper(strip(`Order Reference`))") == ["S1", "S2", "S3", "S4"]
    # 08:30 -> 08:30; blank time -> midnight; 7:15 PM -> 19:15; 25:00 is no time -> missing
    got = run("datetime(Date, Time)")
    assert got[:3] == [pd.Timestamp("2024-01-05 08:30"), pd.Timestamp("2024-01-06"),
                       pd.Timestamp("2024-01-07 19:15")] and pd.isna(got[3])
    # as of 2025-01-01: 2024-12-31 and 2025-01-01 are actual, 2025-01-02 is a plan
    d = evaluate(parse_expression("ship_date", "actual(GI)"), _ctx(frame))
    assert d.values.tolist()[0] == pd.Timestamp("2024-12-31") and pd.isna(d.values[1])
    assert d.values.tolist()[3] == pd.Timestamp("2025-01-01") and d.planned == 1
    assert [f.reason for f in d.flags] == ["planned_date"]
    # date - date is days: 2025-01-01 - 2024-01-08 = 359 days
    assert run("date(GI) - date(Date)")[3] == 359
    assert run("date(Date) - days(8)")[0] == pd.Timestamp("2023-12-28")
    assert run("'WH1'") == ["WH1"] * 4


def test_model_columns_are_typed_values() -> None:
    frame = pd.DataFrame({"Lead": ["10", "-3"]})
    typed = {"order_date": (pd.Series(pd.to_datetime(["2024-02-25", "2024-03-01"])), "date")}
    d = evaluate(parse_expression("promised_date", "order_date + days(Lead)"),
                 _ctx(frame, typed))
    # 2024 is a leap year: 2024-02-25 + 10 = 2024-03-06; 2024-03-01 - 3 = 2024-02-27
    assert d.values.tolist() == [pd.Timestamp("2024-03-06"), pd.Timestamp("2024-02-27")]


@pytest.mark.parametrize(("text", "message"), [
    ("order_date * 2", "operator * "),
    ("dayz(`Lead`)", "unknown function dayz(); did you mean days()?"),
    ("days(`Lead`, 2)", "days() takes 1 argument(s), got 2"),
    ("`Lead", "never closed"),
    ("order_date.year", "(Attribute) is not supported"),
    ("True", "is not a text or number literal"),
    ("concat(a=1)", "takes plain arguments"),
    ("order_date +", "does not parse"),
])
def test_expression_errors_at_build(text: str, message: str) -> None:
    with pytest.raises(DerivedColumnError) as err:
        ColumnMapping.from_dict({"derived": {"promised_date": text}}, origin="m.yaml")
    assert message in str(err.value)
    assert err.value.key == "derived.promised_date" and err.value.expression == text
    assert "Fix:" in str(err.value) and "m.yaml" in str(err.value)


def test_header_not_in_source_names_the_headers_found() -> None:
    frame = pd.DataFrame({"Order": ["a"], "Cust": ["c"], "Item": ["i"], "Date": ["2024-01-01"],
                          "Qty": ["1"], "Days Scheduled": ["2"]})
    mapping = {"columns": {"order_id": "Order", "customer_id": "Cust", "item_id": "Item",
                           "order_date": "Date", "qty_ordered": "Qty"},
               "derived": {"promised_date": "order_date + days(`Days for shipment`)"}}
    with pytest.raises(DerivedColumnError) as err:
        load_table(frame, "order_lines", mapping)
    text = str(err.value)
    assert "the header `Days for shipment` is not in the source" in text
    assert "Headers found: ['Order', 'Cust', 'Item', 'Date', 'Qty', 'Days Scheduled']" in text
    assert err.value.found == list(frame.columns)


def test_kind_errors_at_load_say_the_fix() -> None:
    frame = pd.DataFrame({"Order": ["a"], "Cust": ["c"], "Item": ["i"], "Date": ["2024-01-01"],
                          "Qty": ["1"], "Lead": ["2"]})
    cols = {"order_id": "Order", "customer_id": "Cust", "item_id": "Item", "order_date": "Date",
            "qty_ordered": "Qty"}
    with pytest.raises(DerivedColumnError, match=r"adds 'Lead' to a date.*days\(Lead\)"):
        load_table(frame, "order_lines", {"columns": cols,
                                          "derived": {"promised_date": "order_date + Lead"}})
    with pytest.raises(DerivedColumnError, match="gives a number, but promised_date holds date"):
        load_table(frame, "order_lines", {"columns": cols,
                                          "derived": {"promised_date": "days(Lead)"}})


def test_mapping_structure_errors() -> None:
    with pytest.raises(MappingError, match="also mapped under columns"):
        ColumnMapping.from_dict({"columns": {"ship_date": "GI"},
                                 "derived": {"ship_date": "actual(GI)"}})
    with pytest.raises(MappingError, match="in a circle: a -> b -> a"):
        ColumnMapping.from_dict({"derived": {"a": "b", "b": "a"}})
    with pytest.raises(MappingError, match="not a valid regular expression"):
        ColumnMapping.from_dict({"drop_rows": [{"any_column": True, "pattern": "(合计"}]})
    with pytest.raises(MappingError, match="either column"):
        ColumnMapping.from_dict({"drop_rows": [{"pattern": "x"}]})
    with pytest.raises(MappingError, match="fill_down_key needs fill_down"):
        ColumnMapping.from_dict({"fill_down_key": "Order"})
    with pytest.raises(MappingError, match="header_scan"):
        ColumnMapping.from_dict({"header_scan": 0})
    with pytest.raises(MappingError, match="detect.required"):
        ColumnMapping.from_dict({"detect": {"any": ["A"]}})
    m = ColumnMapping.from_dict({"detect": {"required": ["A", "B"], "any": ["C"],
                                            "language": "de"}, "header_scan": 40})
    assert (m.detect.required, m.detect.any, m.detect.language, m.header_scan) == (
        ("A", "B"), ("C",), "de", 40)


def test_derived_uses_other_derived_and_replaces_automatic_match() -> None:
    frame = pd.DataFrame({"order_id": ["a", "b"], "customer_id": ["c", "c"],
                          "item_id": ["i", "i"], "order_date": ["2024-01-01", "2024-01-02"],
                          "qty_ordered": ["1", "1"], "GI": ["2024-01-03", "2024-01-09"],
                          "delivery_date": ["2030-01-01", "2030-01-01"]})
    res = load_table(frame, "order_lines", {"derived": {"delivery_date": "ship_date",
                                                        "ship_date": "actual(GI)"}},
                     as_of="2024-01-05")
    # the header delivery_date is not read: delivery_date is ship_date, 2024-01-09 a plan
    assert res.orders["ship_date"].tolist()[0] == pd.Timestamp("2024-01-03")
    assert res.orders["delivery_date"].tolist()[0] == pd.Timestamp("2024-01-03")
    assert res.orders["delivery_date"].isna().tolist() == [False, True]


# --------------------------------------------------------------------------- property
_PATTERNS = ["^合计$", "^x", "TOTAL", "^$", "9"]
_CELLS = ["", "x1", "合计", "TOTAL", "k9", "y"]


@st.composite
def _cases(draw):
    n = draw(st.integers(1, 25))
    frame = pd.DataFrame({
        "Order": draw(st.lists(st.sampled_from(["", "", "O1", "O2", "合计", "x3"]),
                               min_size=n, max_size=n)),
        "Cust": draw(st.lists(st.sampled_from(_CELLS), min_size=n, max_size=n)),
        "Item": draw(st.lists(st.sampled_from(["i1", "i2", "", "TOTAL"]), min_size=n,
                              max_size=n)),
        "Date": ["2024-01-01"] * n,
        "Qty": draw(st.lists(st.sampled_from(["1", "2", "-1", "", "x9"]), min_size=n,
                             max_size=n)),
    }, dtype="str")
    rules = draw(st.lists(st.tuples(st.sampled_from(["Order", "Cust", "Item", None]),
                                    st.sampled_from(_PATTERNS),
                                    st.sampled_from(["total_row", "junk"])), max_size=3))
    fill = draw(st.sampled_from(["none", "plain", "key"]))
    return frame, rules, fill


def _expected_drops(frame: pd.DataFrame, rules: list, fill: str) -> Counter:
    """Oracle, row by row: the first rule matching a row drops it; with a key, continuation
    rows of a dropped row go with it."""
    n = len(frame)
    reason: list[str | None] = [None] * n
    for col, pattern, code in rules:
        cols = list(frame.columns) if col is None else [col]
        for i in range(n):
            if reason[i] is None and any(re.search(pattern, str(frame.iloc[i][c]))
                                         for c in cols):
                reason[i] = code
    if fill == "key":
        head = None
        for i in range(n):
            if frame.iloc[i]["Order"].strip():
                head = i
            elif head is not None and reason[i] is None and reason[head] is not None:
                reason[i] = reason[head]
    return Counter(r for r in reason if r is not None)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_property_rows_in_equal_loaded_plus_quarantined(case) -> None:
    frame, rules, fill = case
    mapping = {"columns": {"order_id": "Order", "customer_id": "Cust", "item_id": "Item",
                           "order_date": "Date", "qty_ordered": "Qty"}, "auto": False,
               "drop_rows": [({"any_column": True} if c is None else {"column": c})
                             | {"pattern": p, "reason": r} for c, p, r in rules]}
    if fill != "none":
        mapping["fill_down"] = ["Order", "Cust"]
    if fill == "key":
        mapping["fill_down_key"] = "Order"
    res = load_table(frame, "order_lines", mapping)
    s = res.summary
    assert s.rows_in == len(frame) == s.rows_loaded + s.rows_quarantined
    assert sorted(res.quarantine["source_row"].tolist() + res.orders["source_row"].tolist()) \
        == list(range(1, len(frame) + 1))
    expected = _expected_drops(frame, rules, fill)
    got = Counter({r: c for r, c in s.quarantine_by_reason.items() if r in ("total_row", "junk")})
    assert got == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(_cases())
def test_property_csv_record_count_still_holds(tmp_path: Path, case) -> None:
    frame, rules, fill = case
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    mapping = {"columns": {"order_id": "Order", "customer_id": "Cust", "item_id": "Item",
                           "order_date": "Date", "qty_ordered": "Qty"}, "auto": False,
               "drop_rows": [({"any_column": True} if c is None else {"column": c})
                             | {"pattern": p, "reason": r} for c, p, r in rules],
               "fill_down": ["Order", "Cust"]}
    if fill == "key":
        mapping["fill_down_key"] = "Order"
    res = load_table(path, "order_lines", mapping)
    s = res.summary
    assert s.records_counted == s.rows_in == len(frame)
    assert s.rows_in == s.rows_loaded + s.rows_quarantined


def test_required_derived_missing_or_unusable_quarantines() -> None:
    frame = pd.DataFrame({"Company": ["ACME", "", "ACME"], "Ref": ["S1", "S2", "S3"],
                          "Cust": ["c", "c", "c"], "Item": ["i", "i", "i"],
                          "D": ["2024-01-05", "2024-01-06", "someday"], "Qty": ["1", "1", "1"]})
    res = load_table(frame, "order_lines", {
        "columns": {"customer_id": "Cust", "item_id": "Item", "qty_ordered": "Qty"},
        "derived": {"order_id": "concat(`Company`, '-', `Ref`)", "order_date": "date(`D`)"},
        "auto": False})
    _balanced(res)
    assert res.orders["order_id"].tolist() == ["ACME-S1"]
    q = res.quarantine.set_index("source_row")
    # row 2: blank Company -> no order_id; row 3: "someday" is no date -> order_date unusable
    assert q.loc[2, ["reason", "column"]].tolist() == ["missing_required", "order_id"]
    assert q.loc[3, ["reason", "column", "value"]].tolist() == ["unusable_required",
                                                                 "order_date", "someday"]
    assert "required order_date unusable: D unusable: not a date" in q.loc[3, "detail"]


def test_other_reads_every_unlisted_value_as_one_status(tmp_path):
    """SAP rejection reasons are customer codes too (Z1): any reason cancels the line."""
    p = tmp_path / "va05.csv"
    p.write_text("order,item,cust,material,date,qty,reason\n"
                 "1,10,C1,M1,2025-03-03,5,\n1,20,C1,M2,2025-03-03,5,Z1\n"
                 "2,10,C2,M1,2025-03-04,5,00\n2,20,C2,M3,2025-03-04,5, \n", encoding="utf-8")
    mapping = {"columns": {"order_id": "order", "line_no": "item", "customer_id": "cust",
                           "item_id": "material", "order_date": "date", "qty_ordered": "qty",
                           "status": {"column": "reason", "values": {}, "other": "cancelled"}}}
    res = load_table(p, "order_lines", mapping)
    assert list(res.orders["status"].fillna("-")) == ["-", "cancelled", "cancelled", "-"]
    assert any("2 value(s) not in the mapping's values read as 'cancelled'" in n
               for n in res.summary.notes)
    with pytest.raises(MappingError, match="other must be a text"):
        load_table(p, "order_lines", {**mapping, "columns": {**mapping["columns"], "status": {
            "column": "reason", "other": "cancelled"}}})
