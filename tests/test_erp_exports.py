"""ERP exports load with no mapping argument: the shipped mapping is recognised from the headers.

Each file in ``tests/data/erp/`` is a hand-written export in the layout of one ERP, with that
ERP's traps (see ``docs/erp-exports.md``). Every expected value below was worked out by hand
from the file, not produced by the loader.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

import workbench as wb
from workbench.exceptions import MappingError, MissingColumnsError
from workbench.io.detect import (
    detect_mapping,
    detection_headers,
    fingerprints,
    shipped_mappings,
)
from workbench.io.readers import read_csv_raw
from workbench.paths import project_path, shared_data_path

ERP = Path(__file__).parent / "data" / "erp"
AS_OF = dt.date(2025, 3, 20)   # the day the SAP lists were exported


def _load(name: str, **options) -> wb.LoadResult:
    res = wb.load_orders(ERP / name, as_of=AS_OF, **options)
    s = res.summary
    assert s.rows_in == s.rows_loaded + s.rows_quarantined
    assert len(res.orders) == s.rows_loaded
    assert len(res.quarantine) == s.rows_quarantined
    return res


def _line(res: wb.LoadResult, order: str, line: int) -> pd.Series:
    o = res.orders
    hit = o[(o["order_id"] == order) & (o["line_no"] == line)]
    assert len(hit) == 1, f"{order}/{line}: {len(hit)} rows"
    return hit.iloc[0]


def _day(value: object) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _absent(res: wb.LoadResult, column: str) -> bool:
    """The export has no such field: the column is absent or wholly empty, never invented."""
    return column not in res.orders.columns or bool(res.orders[column].isna().all())


def _recognised(res: wb.LoadResult, name: str) -> None:
    text = str(res.summary)
    assert name in text, text
    assert "recognised" in text, text


def _headers(path: Path) -> list[str]:
    raw = read_csv_raw(path, known_headers=detection_headers())
    return [str(h) for h in raw.frame.columns]


# --------------------------------------------------------------------------- detection only
EXPECTED_MAPPING = {
    "sap_va05_de.csv": "sap_va05_de",
    "sap_va05_en.csv": "sap_va05_en",
    "sap_vl06o_en.csv": "sap_vl06o_en",
    "odoo_sale_order_lines.csv": "odoo_sale_order_lines",
    "odoo_sale_order_lines_technical.csv": "odoo_sale_order_lines_technical",
    "erpnext_sales_order_item.csv": "erpnext_sales_order_item",
    "kingdee_k3cloud_sale_order.csv": "kingdee_k3cloud_sale_order",
    "yonyou_u8_sale_order.csv": "yonyou_u8_sale_order",
}


def _write_mapping(folder: Path, name: str, spec: dict) -> None:
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                         encoding="utf-8")


def test_detection_rules_on_a_folder_of_plain_mappings(tmp_path: Path) -> None:
    # a: 2 required + 2 more headers; b: 3 required + 1 more; c: no detect block (never shipped)
    _write_mapping(tmp_path, "a", {"detect": {"required": ["Order", "Cust"]},
                                   "columns": {"order_id": "Order", "customer_id": "Cust",
                                               "item_id": "Item", "qty_ordered": "Qty"}})
    _write_mapping(tmp_path, "b", {"detect": {"required": ["Order", "Cust", "Item"],
                                              "language": "en"},
                                   "columns": {"order_id": "Order", "customer_id": "Cust",
                                               "item_id": "Item", "qty_ordered": "Amount"}})
    _write_mapping(tmp_path, "c", {"columns": {"order_id": "Order"}})
    assert [Path(m.origin).stem for m in shipped_mappings(tmp_path)] == ["a", "b"]
    assert detection_headers(tmp_path) == {"order", "cust", "item", "qty", "amount"}
    # both match 3 of 4 headers (0.75): the tie goes to b, which has more required headers
    d = detect_mapping([" order ", "CUST", "Item", "Other"], tmp_path)
    assert (d.name, d.score, d.language) == ("b", 0.75, "en")
    assert d.matched == ("Order", "Cust", "Item") and d.missing_optional == ("Amount",)
    # a scores 1.0 (all 4 headers) against b's 0.75
    d = detect_mapping(["Order", "Cust", "Item", "Qty"], tmp_path)
    assert (d.name, d.score) == ("a", 1.0)
    # b's required "Item" is missing: only a can be chosen, whatever b's score would be
    d = detect_mapping(["Order", "Cust", "Amount"], tmp_path)
    assert (d.name, d.score) == ("a", 0.5)
    # only mappings onto the table asked for
    assert detect_mapping(["Order", "Cust", "Item", "Qty"], tmp_path, table="customers") is None
    assert detect_mapping(["Order", "Cust", "Item", "Qty"], tmp_path, table="order_lines").name == "a"
    # a required header missing from every mapping: nothing is chosen
    assert detect_mapping(["Order", "Item", "Qty", "Amount"], tmp_path) is None


def test_a_bad_detect_block_is_an_error_naming_the_file(tmp_path: Path) -> None:
    _write_mapping(tmp_path, "bad", {"detect": {"requird": ["Order"]},
                                     "columns": {"order_id": "Order"}})
    with pytest.raises(MappingError, match="requird"):
        shipped_mappings(tmp_path)


def test_every_shipped_mapping_is_valid_and_documented() -> None:
    names = {fp.name for fp in fingerprints()}
    assert set(EXPECTED_MAPPING.values()) | {"scms_shipments"} <= names
    assert len(shipped_mappings()) == len(names)
    doc = project_path("docs", "erp-exports.md").read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in doc, f"{name} is not described in docs/erp-exports.md"


@pytest.mark.parametrize("file", sorted(EXPECTED_MAPPING))
def test_each_export_is_recognised_by_its_own_mapping(file: str) -> None:
    d = detect_mapping(_headers(ERP / file))
    assert d is not None and d.name == EXPECTED_MAPPING[file]


def test_a_file_lacking_a_required_header_is_not_read_with_that_mapping(tmp_path: Path) -> None:
    # the German SAP list without its "Auftraggeber" (sold-to party) column
    text = (ERP / "sap_va05_de.csv").read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Belegdatum;Verkaufsbeleg"))
    cut = [";".join(f for k, f in enumerate(ln.split(";")) if k != 4) if i >= start else ln
           for i, ln in enumerate(lines)]
    path = tmp_path / "va05_no_sold_to.csv"
    path.write_bytes("\r\n".join(cut).encode("cp1252"))
    headers = _headers(path)
    assert "Auftraggeber" not in headers and "Verkaufsbeleg" in headers
    d = detect_mapping(headers)
    assert d is None or d.name != "sap_va05_de"
    try:
        res = wb.load_orders(path, as_of=AS_OF)
    except MissingColumnsError as exc:   # automatic matching finds no customer column
        assert "customer_id" in str(exc)
    else:
        assert "sap_va05_de" not in str(res.summary)


# --------------------------------------------------------------------------- SAP
def test_sap_va05_german_selection_block_decimal_comma_price_unit_planned_issue() -> None:
    res = _load("sap_va05_de.csv")
    _recognised(res, "sap_va05_de")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (8, 8, 0)
    o = res.orders
    # 1.200 + 500 + 2.500 + 40 + 12 + 300 + 10.000 + 15,5
    assert o["qty_ordered"].sum() == pytest.approx(14567.5)
    # Nettopreis per Preiseinheit: 1.234,50 / 100, 1.225,00 / 1.000, 2.450,00 / 10, 57,75 / 1
    assert _line(res, "4500012345", 10)["unit_price"] == pytest.approx(12.345)
    assert _line(res, "4500012353", 10)["unit_price"] == pytest.approx(1.225)
    assert _line(res, "4500012350", 10)["unit_price"] == pytest.approx(245.0)
    assert _line(res, "4500012346", 20)["unit_price"] == pytest.approx(57.75)
    # Lieferdatum = confirmed schedule-line date = promised; dd.mm.yyyy
    assert _day(_line(res, "4500012346", 20)["promised_date"]) == pd.Timestamp("2025-03-24")
    assert _day(_line(res, "4500012353", 10)["order_date"]) == pd.Timestamp("2025-03-12")
    # Warenausgangsdatum after the export date (20.03.2025) is a plan: no ship date
    planned = [("4500012346", 20), ("4500012350", 10), ("4500012350", 20)]
    for order, line in planned:
        assert pd.isna(_line(res, order, line)["ship_date"])
    assert o["ship_date"].notna().sum() == 5
    assert _day(_line(res, "4500012355", 10)["ship_date"]) == pd.Timestamp("2025-03-20")
    assert s.issues_by_reason.get("planned_date") == 3
    # Absagegrund 02: the rejected item is cancelled
    assert _line(res, "4500012350", 20)["status"] == "cancelled"
    assert _line(res, "4500012346", 10)["customer_id"] == "100877"
    assert _line(res, "4500012353", 10)["site"] == "1000"
    # the list has no delivery (POD) date and no requested date: none is invented
    assert _absent(res, "delivery_date") and _absent(res, "requested_date")


def test_sap_va05_english_delivery_date_is_the_promise() -> None:
    res = _load("sap_va05_en.csv")
    _recognised(res, "sap_va05_en")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (5, 5, 0)
    assert res.orders["qty_ordered"].sum() == pytest.approx(2052)   # 1,200+500+40+300+12
    assert _line(res, "4500020001", 10)["unit_price"] == pytest.approx(12.345)  # 1,234.50/100
    assert _line(res, "4500020004", 10)["unit_price"] == pytest.approx(245.0)   # 2,450.00/10
    assert _day(_line(res, "4500020002", 10)["promised_date"]) == pd.Timestamp("2025-03-24")
    assert pd.isna(_line(res, "4500020002", 10)["ship_date"])     # GI 03/21 > as-of 03/20
    assert _day(_line(res, "4500020001", 20)["ship_date"]) == pd.Timestamp("2025-03-11")
    assert s.issues_by_reason.get("planned_date") == 1
    assert _line(res, "4500020003", 10)["status"] == "cancelled"  # Too expensive
    assert _absent(res, "delivery_date")


def test_sap_vl06o_actual_goods_issue_only() -> None:
    res = _load("sap_vl06o_en.csv")
    _recognised(res, "sap_vl06o_en")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (4, 4, 0)
    assert res.orders["qty_ordered"].sum() == pytest.approx(1752)   # 1,200+500+40+12
    # two deliveries of order 4500020001, numbered in file order
    assert _line(res, "4500020001", 2)["item_id"] == "MAT-02"
    assert _day(_line(res, "4500020001", 1)["ship_date"]) == pd.Timestamp("2025-03-07")
    assert pd.isna(_line(res, "4500020002", 1)["ship_date"])      # not yet goods-issued
    assert _day(_line(res, "4500020002", 1)["promised_date"]) == pd.Timestamp("2025-03-24")
    assert _absent(res, "order_date") and _absent(res, "delivery_date")


# --------------------------------------------------------------------------- Odoo
def test_odoo_order_fields_filled_down_from_each_orders_first_line() -> None:
    res = _load("odoo_sale_order_lines.csv")
    _recognised(res, "odoo_sale_order_lines")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (13, 11, 2)
    assert s.quarantine_by_reason == {"quotation": 2}               # S00043, both lines
    o = res.orders
    assert o["qty_ordered"].sum() == pytest.approx(91)   # 3+10+2 + 5+12 + 6 + 20+20+1 + 2+10
    assert o["qty_shipped"].sum() == pytest.approx(54)   # 3+8+2 + 20+20+1
    s41 = o[o["order_id"] == "S00041"]
    assert sorted(s41["line_no"]) == [1, 2, 3]
    assert set(s41["customer_id"]) == {"Deco Addict"}
    assert {_day(v) for v in s41["promised_date"]} == {pd.Timestamp("2025-02-10")}
    assert _line(res, "S00041", 2)["unit_price"] == pytest.approx(120.5)
    assert _line(res, "S00041", 2)["qty_shipped"] == pytest.approx(8)
    assert _day(_line(res, "S00045", 3)["order_date"]) == pd.Timestamp("2025-02-10")
    # S00046 has no commitment date: its lines must not borrow S00045's
    assert o.loc[o["order_id"] == "S00046", "promised_date"].isna().all()
    assert _line(res, "S00046", 2)["customer_id"] == "Azure Interior"
    assert _line(res, "S00044", 1)["status"] == "cancelled"
    assert _absent(res, "ship_date") and _absent(res, "delivery_date")


def test_odoo_technical_names() -> None:
    res = _load("odoo_sale_order_lines_technical.csv")
    _recognised(res, "odoo_sale_order_lines_technical")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (5, 4, 1)
    assert s.quarantine_by_reason == {"quotation": 1}               # S00043 (draft)
    assert res.orders["qty_ordered"].sum() == pytest.approx(39)     # 3+10+6+20
    assert _line(res, "S00041", 2)["customer_id"] == "Deco Addict"
    assert _day(_line(res, "S00041", 2)["promised_date"]) == pd.Timestamp("2025-02-10")
    assert _line(res, "S00044", 1)["status"] == "cancelled"


# --------------------------------------------------------------------------- ERPNext
def test_erpnext_child_table_columns_delivery_date_is_requested_and_promised() -> None:
    res = _load("erpnext_sales_order_item.csv")
    _recognised(res, "erpnext_sales_order_item")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (8, 7, 1)
    assert s.quarantine_by_reason == {"draft": 1}                   # SAL-ORD-2025-00015
    o = res.orders
    assert o["qty_ordered"].sum() == pytest.approx(575)   # 100+40+250+60+30+15+80
    assert o["qty_shipped"].sum() == pytest.approx(340)   # 100+40+120+80
    ln = _line(res, "SAL-ORD-2025-00013", 2)
    assert _day(ln["promised_date"]) == _day(ln["requested_date"]) == pd.Timestamp("2025-01-29")
    assert ln["site"] == "Finished Goods - GP"
    assert ln["customer_id"] == "West View Software Ltd."
    assert ln["unit_price"] == pytest.approx(12.5)
    assert _day(_line(res, "SAL-ORD-2025-00012", 2)["order_date"]) == pd.Timestamp("2025-01-06")
    assert _day(_line(res, "SAL-ORD-2025-00016", 2)["promised_date"]) == pd.Timestamp(
        "2025-01-31")
    assert _line(res, "SAL-ORD-2025-00014", 1)["status"] == "cancelled"
    assert _absent(res, "ship_date") and _absent(res, "delivery_date")


# --------------------------------------------------------------------------- Chinese ERPs
def test_kingdee_gbk_status_codes_total_row() -> None:
    res = _load("kingdee_k3cloud_sale_order.csv")
    _recognised(res, "kingdee_k3cloud_sale_order")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (7, 5, 2)
    assert s.quarantine_by_reason == {"total_row": 1, "draft": 1}   # 合计; XSDD000104 (Z 暂存)
    o = res.orders
    assert o["qty_ordered"].sum() == pytest.approx(2120)   # 500+1000+200+300+120
    assert sorted(o.loc[o["order_id"] == "XSDD000101", "line_no"]) == [1, 2]
    assert _line(res, "XSDD000101", 2)["item_id"] == "1.01.002"
    assert _line(res, "XSDD000103", 1)["unit_price"] == pytest.approx(19.5)   # 单价 (net)
    assert _day(_line(res, "XSDD000102", 1)["requested_date"]) == pd.Timestamp("2025-03-15")
    assert _line(res, "XSDD000102", 1)["customer_id"] == "广州天河商贸有限公司"
    assert _line(res, "XSDD000103", 1)["status"] == "closed"          # 关闭状态 B
    assert _line(res, "XSDD000101", 1)["status"] == "open"            # 关闭状态 A
    assert _absent(res, "promised_date") and _absent(res, "ship_date")


def test_yonyou_u8_gbk_planned_ship_date_is_a_promise() -> None:
    res = _load("yonyou_u8_sale_order.csv")
    _recognised(res, "yonyou_u8_sale_order")
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (6, 5, 1)
    assert s.quarantine_by_reason == {"total_row": 1}
    o = res.orders
    assert o["qty_ordered"].sum() == pytest.approx(4550)   # = the 合计 row
    assert o["qty_shipped"].sum() == pytest.approx(4100)
    assert set(o["order_id"]) == {"0000000231", "0000000232", "0000000233"}  # zeros kept
    # 发货日期 is dPreDate, the planned ship date: promised, never shipped
    assert _day(_line(res, "0000000232", 1)["promised_date"]) == pd.Timestamp("2025-03-25")
    assert _absent(res, "ship_date")
    assert _line(res, "0000000233", 2)["unit_price"] == pytest.approx(1.2)   # 无税单价
    assert _line(res, "0000000231", 2)["customer_id"] == "C0012"


@pytest.mark.realdata
def test_scms_copies_are_recognised() -> None:
    real = shared_data_path()
    files = sorted(real.glob("*/*.csv"))
    if not files:
        pytest.skip(f"the real SCMS files are not in {real}")
    for f in files:
        d = detect_mapping(_headers(f))
        assert d is not None and d.name == "scms_shipments" and d.score == 1.0
