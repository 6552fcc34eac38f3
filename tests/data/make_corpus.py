"""Regenerate the bad-input corpus in tests/data/corpus/ (committed files).

Run from the project root: ``python tests/data/make_corpus.py``. Each file is
small and exercises one way an ERP export goes wrong; tests/test_orders.py
asserts the specific error or quarantine reason for each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

OUT = Path(__file__).parent / "corpus"
HEADER = "order_id,line_no,customer_id,item_id,order_date,requested_date,qty_ordered"
GOOD = [
    "SO-1,1,C001,ITEM-A,2024-03-01,2024-03-15,10",
    "SO-1,2,C001,ITEM-B,2024-03-01,2024-03-15,5",
    "SO-2,1,C002,ITEM-A,2024-03-04,2024-03-18,7",
]


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write("empty.csv", "")
    write("header_only.csv", HEADER + "\n")
    write("semicolon.csv", "\n".join([HEADER.replace(",", ";")] + [g.replace(",", ";")
                                                                    for g in GOOD]) + "\n")
    # GBK export with Chinese headers, as Chinese ERPs write it
    cn = ["订单号,行号,客户,物料,数量,订单日期,要求交货日期,实际交货日期",
          "SO-001,1,华东精密,物料-01,\"1,200\",2024/3/1,2024/3/15,2024/3/14",
          "SO-001,2,华东精密,物料-02,50,2024/3/1,2024/3/15,",
          "SO-002,1,北方重工,物料-01,80,2024/3/2,2024/3/20,2024/3/25"]
    write("gbk_chinese_headers.csv", "\r\n".join(cn) + "\r\n", encoding="gbk")
    write("utf8_bom.csv", "\ufeff" + "\n".join([HEADER] + GOOD) + "\n")
    write("missing_columns.csv", "order_id,customer_id,order_date\nSO-1,C001,2024-03-01\n")
    write("text_in_dates_and_numbers.csv", "\n".join([
        HEADER + ",delivery_date,qty_shipped",
        "SO-1,1,C001,ITEM-A,2024-03-01,2024-03-15,10,Date Not Captured,10",
        "SO-1,2,C001,ITEM-B,N/A - From RDC,2024-03-15,5,2024-03-14,5",
        "SO-2,1,C002,ITEM-A,2024-03-04,2024-03-18,seven,2024-03-18,7",
        "SO-3,1,C002,ITEM-A,2024-03-05,2024-03-19,4,2024-03-19,four",
    ]) + "\n")
    write("mixed_dates.csv", "\n".join([
        HEADER,
        "SO-1,1,C001,ITEM-A,3/1/24,3/15/24,10",
        "SO-2,1,C001,ITEM-A,3/4/24,3/18/24,10",
        "SO-3,1,C001,ITEM-A,3/20/24,4/3/24,10",
        "SO-4,1,C001,ITEM-A,2024-03-21,2024-04-04,10",
        "SO-5,1,C001,ITEM-A,3/22/24,4/5/24,10",
    ]) + "\n")
    write("negative_quantities.csv", "\n".join([
        HEADER + ",qty_shipped",
        "SO-1,1,C001,ITEM-A,2024-03-01,2024-03-15,10,10",
        "SO-1,2,C001,ITEM-B,2024-03-01,2024-03-15,-5,-5",
        "SO-2,1,C002,ITEM-A,2024-03-04,2024-03-18,7,-2",
    ]) + "\n")
    write("duplicate_keys.csv", "\n".join([
        HEADER, GOOD[0], GOOD[1], GOOD[0], GOOD[0].replace(",10", ",12"), GOOD[2]]) + "\n")
    write("delivery_before_order.csv", "\n".join([
        HEADER + ",delivery_date",
        "SO-1,1,C001,ITEM-A,2024-03-01,2024-03-15,10,2024-03-14",
        "SO-2,1,C002,ITEM-A,2024-03-04,2024-03-18,7,2024-02-28",
    ]) + "\n")
    write("ragged_rows.csv", "\n".join([
        HEADER, GOOD[0], "SO-1,2,C001,ITEM-B,2024-03-01", "", GOOD[2] + ",extra,fields"]) + "\n")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["Sales order export — printed 2024-04-01"])
    ws.append([])
    ws.append(["Order No", "Line", "Customer", "Item", "Order Date", "Requested Date", "Qty"])
    ws.append(["SO-1", 1, "C001", "ITEM-A", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 15), 10])
    ws.append(["SO-1", 2, "C001", "ITEM-B", dt.datetime(2024, 3, 1), "2024-03-15", 5.0])
    ws.append([])
    ws.append(["SO-2", 1, "C002", "ITEM-A", dt.datetime(2024, 3, 4), dt.datetime(2024, 3, 18),
               "n/a"])
    ws.append([10001, 1, 42, "ITEM-A", dt.datetime(2024, 3, 4), None, 3])
    wb.save(OUT / "title_row.xlsx")


if __name__ == "__main__":
    main()
