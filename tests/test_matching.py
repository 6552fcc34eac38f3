"""Header matching: names, spelling and values decide which header feeds which model column."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

import workbench as wb
from workbench import MissingColumnsError
from workbench.io.matching import (
    APPLY_SCORE,
    header_tokens,
    match_columns,
    suggest_mapping,
)
from workbench.io.schema import ORDER_LINES

# The header row of the public DataCo Smart Supply Chain order history, as the file writes it.
DATACO_HEADERS = [
    "Type", "Days for shipping (real)", "Days for shipment (scheduled)", "Benefit per order",
    "Sales per customer", "Delivery Status", "Late_delivery_risk", "Category Id", "Category Name",
    "Customer City", "Customer Country", "Customer Email", "Customer Fname", "Customer Id",
    "Customer Lname", "Customer Password", "Customer Segment", "Customer State",
    "Customer Street", "Customer Zipcode", "Department Id", "Department Name", "Latitude",
    "Longitude", "Market", "Order City", "Order Country", "Order Customer Id",
    "order date (DateOrders)", "Order Id", "Order Item Cardprod Id", "Order Item Discount",
    "Order Item Discount Rate", "Order Item Id", "Order Item Product Price",
    "Order Item Profit Ratio", "Order Item Quantity", "Sales", "Order Item Total",
    "Order Profit Per Order", "Order Region", "Order State", "Order Status", "Order Zipcode",
    "Product Card Id", "Product Category Id", "Product Description", "Product Image",
    "Product Name", "Product Price", "Product Status", "shipping date (DateOrders)",
    "Shipping Mode",
]
_IMG = "http://images.acmesports.sports/Smart+watch"
# Ten rows shaped like the file's: (type, days real, days scheduled, benefit, sales per
# customer, delivery status, late risk, customer city, country, first name, customer id,
# last name, segment, state, street, zip, lat, lon, order city, order country, order date,
# order id, discount, discount rate, order item id, profit ratio, quantity, sales, total,
# order region, order state, order status, shipping date, shipping mode)
_ROWS = [
    ("DEBIT", 3, 4, 91.25, 314.64, "Advance shipping", 0, "Caguas", "Puerto Rico", "Cally", 20755,
     "Holloway", "Consumer", "PR", "5365 Noble Nectar Island", 725, 18.2514534, -66.03705597,
     "Bekasi", "Indonesia", "1/31/2018 22:56", 77202, 13.11, 0.04, 180517, 0.29, 1, 327.75, 314.64,
     "Southeast Asia", "Java Occidental", "COMPLETE", "2/3/2018 22:56", "Standard Class"),
    ("TRANSFER", 5, 4, -249.09, 311.36, "Late delivery", 1, "Caguas", "Puerto Rico", "Irene",
     19492, "Luna", "Consumer", "PR", "2679 Rustic Loop", 725, 18.27945137, -66.0370636,
     "Bikaner", "India", "1/13/2018 12:27", 75939, 16.39, 0.05, 179254, -0.8, 1, 327.75, 311.36,
     "South Asia", "Rajastán", "PENDING", "1/18/2018 12:27", "Standard Class"),
    ("CASH", 4, 4, -247.78, 309.72, "Shipping on time", 0, "San Jose", "EE. UU.", "Gillian",
     19491, "Maldonado", "Consumer", "CA", "8510 Round Bear Gate", 95125, 37.29223251,
     -121.881279, "Bikaner", "India", "1/13/2018 12:06", 75938, 18.03, 0.06, 179253, -0.8, 1,
     327.75, 309.72, "South Asia", "Rajastán", "CLOSED", "1/17/2018 12:06", "Standard Class"),
    ("DEBIT", 3, 4, 22.86, 304.81, "Advance shipping", 0, "Los Angeles", "EE. UU.", "Tana",
     19490, "Tate", "Home Office", "CA", "3200 Amber Bend", 90027, 34.12594605, -118.2910156,
     "Townsville", "Australia", "1/13/2018 11:45", 75937, 22.94, 0.07, 179252, 0.08, 1, 327.75,
     304.81, "Oceania", "Queensland", "COMPLETE", "1/16/2018 11:45", "Standard Class"),
    ("PAYMENT", 2, 4, 134.21, 298.25, "Advance shipping", 0, "Caguas", "Puerto Rico", "Orli",
     19489, "Hendricks", "Corporate", "PR", "8671 Iron Anchor Corners", 725, 18.25376892,
     -66.03704071, "Townsville", "Australia", "1/13/2018 11:24", 75936, 29.5, 0.09, 179251, 0.45,
     1, 327.75, 298.25, "Oceania", "Queensland", "PENDING_PAYMENT", "1/15/2018 11:24",
     "Standard Class"),
    ("TRANSFER", 6, 4, 18.58, 294.98, "Shipping canceled", 0, "Tonawanda", "EE. UU.",
     "Kimberly", 19488, "Flowers", "Consumer", "NY", "2122 Hazy Corner", 14150, 43.01396942,
     -78.87906647, "Toowoomba", "Australia", "1/13/2018 11:03", 75935, 32.78, 0.1, 179250, 0.06,
     1, 327.75, 294.98, "Oceania", "Queensland", "CANCELED", "1/19/2018 11:03", "First Class"),
    ("DEBIT", 2, 1, 95.18, 288.42, "Late delivery", 1, "Caguas", "Puerto Rico", "Constance",
     19487, "Terrell", "Home Office", "PR", "1879 Green Pine Bank", 725, 18.2480945, -66.37054443,
     "Guangzhou", "China", "1/13/2018 10:42", 75934, 39.34, 0.12, 179249, 0.33, 1, 327.75, 288.42,
     "Eastern Asia", "Guangdong", "COMPLETE", "1/15/2018 10:42", "Second Class"),
    ("CASH", 2, 1, 68.43, 285.14, "Late delivery", 1, "Caguas", "Puerto Rico", "Erica", 19486,
     "Stevens", "Corporate", "PR", "7595 Cotton Log Row", 725, 18.23274803, -66.0370636,
     "Guangzhou", "China", "1/13/2018 10:21", 75933, 42.61, 0.13, 179248, 0.24, 1, 327.75, 285.14,
     "Eastern Asia", "Guangdong", "PROCESSING", "1/15/2018 10:21", "Second Class"),
    ("TRANSFER", 3, 2, 133.72, 278.59, "Late delivery", 1, "Caguas", "Puerto Rico", "Mary", 19485,
     "Smith", "Consumer", "PR", "2438 Misty Pike", 725, 18.2256, -66.0370636, "Sangli", "India",
     "1/13/2018 10:00", 75932, 49.16, 0.15, 179247, 0.48, 2, 655.5, 278.59, "South Asia",
     "Maharashtra", "CLOSED", "1/16/2018 10:00", "Second Class"),
    ("CASH", 2, 1, 132.15, 275.31, "Late delivery", 1, "Caguas", "Puerto Rico", "Mary", 19484,
     "Vega", "Consumer", "PR", "5555 Sunny Canyon Grove", 725, 18.23749352, -66.0370636,
     "Hyderabad", "India", "1/13/2018 09:39", 75931, 52.44, 0.16, 179246, 0.48, 3, 983.25, 275.31,
     "South Asia", "Andhra Pradesh", "COMPLETE", "1/15/2018 09:39", "Standard Class"),
]


def _dataco_rows() -> list[list[object]]:
    rows = []
    for (typ, real, sched, benefit, per_cust, dstatus, late, city, country, fname, cust, lname,
         segment, state, street, zipc, lat, lon, ocity, ocountry, odate, oid, disc, rate, item_id,
         ratio, qty, sales, total, oregion, ostate, ostatus, sdate, mode) in _ROWS:
        rows.append([typ, real, sched, benefit, per_cust, dstatus, late, 73, "Sporting Goods",
                     city, country, "XXXXXXXXX", fname, cust, lname, "XXXXXXXXX", segment, state,
                     street, zipc, 2, "Fitness", lat, lon, "Pacific Asia", ocity, ocountry, cust,
                     odate, oid, 1360, disc, rate, item_id, 327.75, ratio, qty, sales, total,
                     benefit, oregion, ostate, ostatus, "", 1360, 73, "", _IMG, "Smart watch",
                     327.75, 0, sdate, mode])
    assert all(len(r) == len(DATACO_HEADERS) for r in rows)
    return rows


@pytest.fixture
def dataco_csv(tmp_path):
    path = tmp_path / "DataCoSupplyChainDataset.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DATACO_HEADERS)
        w.writerows(_dataco_rows())
    return path


def _sources(res: wb.LoadResult) -> dict[str, str]:
    """Model column -> source header, without the '(how)' note."""
    return {k: re.sub(r" \((name|synonym|similar)\)$", "", v)
            for k, v in res.summary.column_map.items()}


# --------------------------------------------------------------------------- DataCo
def test_dataco_export_loads_without_a_mapping(dataco_csv):
    # automatic matching alone (an empty mapping: the shipped DataCo mapping is not detected)
    res = wb.load_orders(dataco_csv, {"columns": {}, "auto": True})
    assert _sources(res) == {
        "order_id": "Order Id", "line_no": "Order Item Id", "customer_id": "Customer Id",
        "item_id": "Product Card Id", "order_date": "order date (DateOrders)",
        "ship_date": "shipping date (DateOrders)", "qty_ordered": "Order Item Quantity",
        "unit_price": "Order Item Product Price", "status": "Order Status"}
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (10, 10, 0)
    o = res.orders
    assert o["order_id"].tolist()[:3] == ["77202", "75939", "75938"]
    assert o["line_no"].tolist()[:3] == [180517, 179254, 179253]
    assert o["customer_id"].tolist()[:3] == ["20755", "19492", "19491"]
    assert set(o["item_id"]) == {"1360"}
    assert o["order_date"].iloc[0] == pd.Timestamp("2018-01-31")   # 1/31/2018 22:56
    assert o["ship_date"].iloc[0] == pd.Timestamp("2018-02-03")    # 2/3/2018 22:56
    assert o["qty_ordered"].tolist() == [1.0] * 8 + [2.0, 3.0]
    assert o["unit_price"].tolist() == [327.75] * 10
    assert o["status"].tolist()[:3] == ["COMPLETE", "PENDING", "CLOSED"]
    # nothing else was taken: requested/promised/delivery dates and site stay absent
    assert s.coverage["delivery_date"] is None and s.coverage["site"] is None


def test_dataco_never_suggests_absurd_headers(dataco_csv):
    frame = pd.read_csv(dataco_csv, dtype=str, keep_default_na=False)
    ranked = match_columns(frame).ranked
    assert "Order State" not in [c.header for c in ranked["order_date"]]
    assert "Order City" not in [c.header for c in ranked["qty_ordered"]]
    for col in ("order_date", "ship_date", "requested_date", "promised_date", "delivery_date"):
        # only the two date columns are date candidates at all
        assert {c.header for c in ranked[col]} <= {"order date (DateOrders)",
                                                   "shipping date (DateOrders)"}
    # without its order date and quantity, the error suggests nothing absurd and says how
    cut = frame.drop(columns=["order date (DateOrders)", "Order Item Quantity"])
    with pytest.raises(MissingColumnsError) as exc:
        wb.load_orders(cut)
    assert exc.value.missing == ["order_date", "qty_ordered"]
    msg = str(exc.value)
    hint = msg[msg.index("Headers found"):]
    hint = hint[hint.index("]."):]          # after the list of headers
    assert "Order State" not in hint and "Order City" not in hint
    assert "mapping={'order_date': '<your header>', 'qty_ordered': '<your header>'}" in hint
    assert "workbench load FILE --mapping my.yaml" in hint
    assert "workbench init FOLDER" in hint


def test_a_weak_match_is_a_suggestion_with_its_evidence_never_applied():
    frame = pd.DataFrame({"Order Id": ["A1", "A2", "A3"], "Customer Id": ["C1", "C2", "C1"],
                          "Product Card Id": ["P1", "P1", "P2"],
                          "Order Item Quantity": ["1", "2", "3"],
                          "Entry Dt": ["2025-01-02", "2025-01-03", "2025-01-03"]})
    guess = suggest_mapping(frame)
    # 'Entry Dt' only carries a date word: 0.35, +0.05 because all three values are dates
    assert "order_date" not in guess.mapping
    assert guess.confidence["order_date"] == pytest.approx(0.40)
    assert guess.confidence["order_date"] < APPLY_SCORE
    assert guess.missing == ("line_no", "order_date")
    with pytest.raises(MissingColumnsError) as exc:
        wb.load_orders(frame)
    assert exc.value.missing == ["order_date"]
    msg = str(exc.value)
    assert ("'order_date' may be 'Entry Dt' (score 0.40: a date word; 100% of values read as "
            "dates)") in msg
    assert "mapping={'order_date': 'Entry Dt'}" in msg
    # named explicitly, it loads
    res = wb.load_orders(frame, mapping={"order_date": "Entry Dt"})
    assert res.orders["order_date"].tolist() == [pd.Timestamp("2025-01-02"),
                                                 pd.Timestamp("2025-01-03"),
                                                 pd.Timestamp("2025-01-03")]


# --------------------------------------------------------------------------- languages, spelling
def test_chinese_headers_match():
    frame = pd.DataFrame({
        "单据编号": ["XSDD000101", "XSDD000101", "XSDD000102"],
        "日期": ["2025/1/6", "2025/1/6", "2025/1/7"],
        "客户": ["华东精密", "华东精密", "北方重工"],
        "物料编码": ["1.01.001", "1.01.002", "1.01.001"],
        "物料名称": ["轴承 6204", "轴承 6205", "轴承 6204"],
        "销售数量": ["100", "20", "35"],
    })
    res = wb.load_orders(frame)
    assert _sources(res) == {"order_id": "单据编号", "order_date": "日期", "customer_id": "客户",
                             "item_id": "物料编码", "qty_ordered": "销售数量"}
    o = res.orders
    assert o["line_no"].tolist() == [1, 2, 1]          # numbered within each order
    assert o["item_id"].tolist() == ["1.01.001", "1.01.002", "1.01.001"]
    assert o["qty_ordered"].tolist() == [100.0, 20.0, 35.0]
    assert o["order_date"].tolist() == [pd.Timestamp("2025-01-06")] * 2 + [
        pd.Timestamp("2025-01-07")]


@pytest.mark.parametrize("header", ["OrderId", "order_id", "ORDER-ID", "Order ID", "ORDERID",
                                    "order id (Sales Order)", "Order No.", "SalesOrderNumber"])
def test_spelling_variants_of_the_order_id(header):
    frame = pd.DataFrame({header: ["SO-1", "SO-2"], "customer_id": ["C1", "C2"],
                          "item_id": ["I1", "I2"], "order_date": ["2025-03-01", "2025-03-02"],
                          "qty_ordered": ["5", "6"]})
    res = wb.load_orders(frame)
    assert _sources(res)["order_id"] == header
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-2"]


@pytest.mark.parametrize("header", ["OrderItemQuantity", "order_item_quantity",
                                    "ORDER-ITEM-QUANTITY", "Quantity (Sales Order Item)",
                                    "Order Lines/Quantity", "ordered_qty"])
def test_spelling_variants_of_the_quantity(header):
    guess = suggest_mapping(["Order Id", "Customer", "Item Code", "Order Date", header])
    assert guess.mapping["qty_ordered"] == header


def test_header_tokens():
    assert header_tokens("OrderId") == header_tokens("order_id") == header_tokens("ORDER-ID") \
        == ("order", "id")
    assert header_tokens("SOLineNo") == ("so", "line", "no")
    assert header_tokens("Order Quantity") == ("order", "qty")
    assert header_tokens("订单 编号") == ("订单", "编号")


# --------------------------------------------------------------------------- values
def test_a_date_header_of_text_is_not_the_order_date():
    frame = pd.DataFrame({"Order No": ["A1", "A2", "A3"], "Customer": ["C1", "C2", "C3"],
                          "Item Code": ["X", "Y", "Z"], "Qty": ["1", "2", "3"],
                          "Date": ["see notes", "pending", "ask Bob"]})
    with pytest.raises(MissingColumnsError) as exc:
        wb.load_orders(frame)
    assert exc.value.missing == ["order_date"]
    assert "may be 'Date'" not in str(exc.value)
    # a text column named like a synonym loses to a generic 'Date' holding dates
    frame = frame.assign(**{"Document Date": ["see notes", "pending", "ask Bob"],
                            "Date": ["2025-01-02", "2025-01-03", "2025-01-03"]})
    res = wb.load_orders(frame)
    assert _sources(res)["order_date"] == "Date"


def test_values_rule_out_free_text_ids_and_negative_quantities():
    frame = pd.DataFrame({
        "Order No": ["A1", "A2", "A3", "A4"],
        "Customer": ["please call the buyer first", "see the contract for details",
                     "new customer, no account yet", "ask sales about this one"],
        "Customer Code": ["K100", "K200", "K100", "K300"],
        "Item Code": ["X", "Y", "Z", "X"], "Order Date": ["2025-01-02"] * 4,
        "Quantity": ["-1", "-2", "-3", "-4"], "Order Quantity": ["1", "2", "3", "4"]})
    m = match_columns(frame)
    assert m.assignment["customer_id"].header == "Customer Code"
    assert m.assignment["qty_ordered"].header == "Order Quantity"
    # 'Customer' holds sentences: names with spaces count as half a fit (0.95 - 0.1 = 0.85),
    # below 'Customer Code' (its synonym's 0.949 + 0.05); 'Quantity' holds no usable quantity: x0.1 -> 0.095,
    # below 0.1, so it is not even a candidate
    ranked = [(c.header, round(c.score, 3)) for c in m.ranked["customer_id"]][:2]
    assert ranked == [("Customer Code", 0.999), ("Customer", 0.85)]  # 0.949 + 0.05
    assert "Quantity" not in [c.header for c in m.ranked["qty_ordered"]]
    assert m.assignment["qty_ordered"].score == pytest.approx(0.998)  # 0.948 + 0.05
    # half free text: 0.95 - 0.1 (a share from 50 %) = 0.85, still applied
    half = frame.assign(Customer=["please call the buyer first", "K1", "K2",
                                  "ask sales about this one"]).drop(columns="Customer Code")
    cand = match_columns(half).assignment["customer_id"]
    assert (cand.header, cand.score) == ("Customer", pytest.approx(0.85))
    assert cand.evidence == ("synonym 'customer'", "50% of values look like identifiers")


# --------------------------------------------------------------------------- guess for init
def test_suggest_mapping_says_how_sure_it_is():
    headers = ["单据编号", "日期", "客户", "物料编码", "销售数量", "单价"]
    g = suggest_mapping(headers)
    assert g.mapping == {"order_id": "单据编号", "order_date": "日期", "customer_id": "客户",
                         "item_id": "物料编码", "qty_ordered": "销售数量", "unit_price": "单价"}
    # 日期 is a generic date header: 0.85 when no header names the order date
    assert g.confidence["order_date"] == pytest.approx(0.85)
    assert g.evidence["order_date"] == ("generic date header '日期'", "no values to check")
    assert g.missing == ("line_no",) and g.unused == ()
    assert g.confidence["site"] == 0.0 and g.evidence["site"] == ()
    assert all(0.0 <= v <= 1.0 for v in g.confidence.values())
    assert g.as_dict() == {"table": "order_lines", "columns": g.mapping}
    # with the values, the dates add their evidence: 0.85 + 0.05
    frame = pd.DataFrame({h: ["x"] for h in headers}).assign(
        日期=["2025-01-06"], 销售数量=["3"], 单价=["1.5"])
    assert suggest_mapping(frame).confidence["order_date"] == pytest.approx(0.90)


def test_suggest_mapping_for_another_table():
    # identifier synonyms are shared across tables: 'Material' is an item in inventory too;
    # 'Stock Date' only carries a date word (0.35), too weak for snapshot_date
    g = suggest_mapping(["Material", "Stock Date", "Unrestricted", "库存"], table="inventory")
    assert g.mapping == {"item_id": "Material", "on_hand": "库存"}
    assert g.missing == ("snapshot_date",)
    assert g.confidence["snapshot_date"] == pytest.approx(0.35)


# --------------------------------------------------------------------------- unchanged
def test_sample_and_chinese_corpus_map_as_before(samples_dir, corpus):
    res = wb.load_orders(samples_dir / "order_lines.csv")
    assert res.summary.column_map == {c: f"{c} (name)" for c in ORDER_LINES.names}
    res = wb.load_orders(corpus / "gbk_chinese_headers.csv")
    assert res.summary.column_map == {
        "order_id": "订单号 (synonym)", "line_no": "行号 (synonym)",
        "customer_id": "客户 (synonym)", "item_id": "物料 (synonym)",
        "order_date": "订单日期 (synonym)", "requested_date": "要求交货日期 (synonym)",
        "delivery_date": "实际交货日期 (synonym)", "qty_ordered": "数量 (synonym)"}
    res = wb.load_orders(corpus / "gbk_chinese_headers.csv", mapping="erp_cn")
    assert res.summary.column_map["order_date"] == "订单日期"
    assert res.summary.rows_loaded == 3



# Three more public order histories, by their real header sets (values typed from their first rows).
SUPERSTORE = """Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,City,State,Postal Code,Region,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount,Profit
1,CA-2016-152156,11/8/2016,11/11/2016,Second Class,CG-12520,Claire Gute,Consumer,United States,Henderson,Kentucky,42420,South,FUR-BO-10001798,Furniture,Bookcases,Bush Somerset Collection Bookcase,261.96,2,0,41.9136
2,CA-2016-152156,11/8/2016,11/11/2016,Second Class,CG-12520,Claire Gute,Consumer,United States,Henderson,Kentucky,42420,South,FUR-CH-10000454,Furniture,Chairs,"Hon Deluxe Fabric Upholstered Stacking Chairs, Rounded Back",731.94,3,0,219.582
3,CA-2016-138688,6/12/2016,6/16/2016,Second Class,DV-13045,Darrin Van Huff,Corporate,United States,Los Angeles,California,90036,West,OFF-LA-10000240,Office Supplies,Labels,Self-Adhesive Address Labels,14.62,2,0,6.8714
"""
ONLINE_RETAIL = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom
536381,22139,RETROSPOT TEA SET CERAMIC 11 PC ,23,12/13/2010 9:41,4.25,15311,United Kingdom
"""
OLIST = """order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date
00010242fe8c5a6d1ba2dd792cb16214,1,4244733e06e7ecb4970a6e2683c13e61,48436dade18ac8b2bce089ec2a041202,2017-09-19 09:45:35,58.90,13.29,3ce436f183e68e07877b285a838db11a,delivered,2017-09-13 08:59:02,2017-09-13 09:45:35,2017-09-19 18:34:16,2017-09-20 23:43:48,2017-09-29 00:00:00
"""


def test_superstore_state_is_a_place_not_a_status(tmp_path):
    p = tmp_path / "superstore.csv"
    p.write_text(SUPERSTORE, encoding="utf-8")
    res = wb.load_orders(p)
    src = _sources(res)
    assert "status" not in src  # 'State' holds US states
    assert (src["order_id"], src["item_id"], src["qty_ordered"]) == ("Order ID", "Product ID",
                                                                     "Quantity")
    assert res.orders["qty_ordered"].sum() == 7


def test_online_retail_invoices_are_orders(tmp_path):
    p = tmp_path / "online_retail.csv"
    p.write_text(ONLINE_RETAIL, encoding="utf-8")
    res = wb.load_orders(p)
    src = _sources(res)
    assert (src["order_id"], src["item_id"], src["order_date"]) == ("InvoiceNo", "StockCode",
                                                                    "InvoiceDate")
    # the credit note C536379 has a negative quantity: quarantined, counted
    assert res.summary.quarantine_by_reason == {"negative_quantity": 1}
    assert len(res.orders) == 3
    assert res.orders["order_date"].max() == pd.Timestamp("2010-12-13")


def test_olist_dates_by_their_event_names():
    guess = suggest_mapping(pd.read_csv(__import__("io").StringIO(OLIST), dtype=str))
    m = guess.mapping
    assert m["order_date"] == "order_purchase_timestamp"
    assert m["ship_date"] == "order_delivered_carrier_date"
    assert m["delivery_date"] == "order_delivered_customer_date"
    assert m["promised_date"] == "order_estimated_delivery_date"
    assert "qty_ordered" in guess.missing  # one row per unit: needs qty_ordered: "1"


def test_odoo_order_line_list_with_product_display_names(tmp_path):
    """Odoo's sale.order.line list view: the product is a display name, the only item key."""
    p = tmp_path / "odoo_lines.csv"
    p.write_text(
        "Order Reference,Customer,Product,Quantity,Delivery Quantity,Unit Price,Order Status,Created on\n"
        "S00101,Deco Addict,[FURN_7800] Desk Combination,3.00,3.00,450.00,Sales Order,2025-02-03 09:12:44\n"
        "S00101,Deco Addict,[FURN_0269] Office Chair Black,10.00,8.00,120.50,Sales Order,2025-02-03 09:12:44\n"
        "S00102,Azure Interior,[FURN_6666] Acoustic Bloc Screens,5.00,0.00,295.00,Cancelled,2025-02-04 14:03:10\n",
        encoding="utf-8")
    res = wb.load_orders(p)
    src = _sources(res)
    assert (src["order_id"], src["item_id"], src["qty_shipped"]) == ("Order Reference", "Product",
                                                                     "Delivery Quantity")
    assert list(res.orders["item_id"])[1] == "[FURN_0269] Office Chair Black"
    assert res.orders["qty_shipped"].sum() == 11


def test_dataco_recognised_promise_derived_and_on_time_is_the_datas_own_late_flag(dataco_csv):
    """The shipped mapping derives the promise (order date + scheduled days); on time to it
    must equal 1 - Late_delivery_risk over the lines not cancelled, the export's own rule."""
    from workbench import kpis

    res = wb.load_orders(dataco_csv)
    assert res.summary.notes[0].startswith("mapping: dataco_smart_supply_chain")
    o = res.orders
    # row 1: 1/31/2018 22:56 + 4 scheduled days; shipped 2/3/2018 (3 real days)
    assert o["promised_date"].iloc[0] == pd.Timestamp("2018-02-04")
    assert o["delivery_date"].iloc[0] == pd.Timestamp("2018-02-03")
    assert o["status"].tolist()[5] == "cancelled"          # CANCELED
    assert set(o["segment"]) == {"Consumer", "Corporate", "Home Office"}
    live = o[o["status"] != "cancelled"]
    late = live["late_delivery_risk"].astype(int)
    assert (len(live), int(late.sum())) == (9, 5)           # counted from the rows above
    t = kpis.kpi_table(o, kpis=["on_time_promised_rate"]).set_index("kpi")
    assert (t.loc["on_time_promised_rate", "numerator"],
            t.loc["on_time_promised_rate", "denominator"]) == (4, 9)
