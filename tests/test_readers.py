"""Raw readers: encodings, delimiters, field counts, header detection, row numbers."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.io.readers import (
    detect_encoding,
    find_header_row,
    sniff_delimiter,
)
from workbench.io.sources import read_raw


def test_blank_lines_quotes_and_ragged_records(tmp_path):
    f = tmp_path / "mixed.csv"
    f.write_text('a,b,c\n"x,y",2,3\n\n"multi\nline",5,6\r\n7,8\n9,10,11\n', encoding="utf-8")
    raw = read_raw(f)
    # records: 2 "x,y" ok, 3 blank, 4 multi-line ok, 5 too short, 6 ok
    assert raw.source_row.tolist() == [2, 4, 6]
    assert raw.frame["a"].tolist() == ["x,y", "multi\nline", "9"]
    assert dict(zip(raw.rejected["source_row"], raw.rejected["reason"], strict=True)) == {
        3: "empty_row", 5: "malformed_row"}


@pytest.mark.parametrize(("data", "enc"), [
    ("订单号,数量\n".encode("gbk"), "gb18030"),
    ("\ufeffid,qty\n".encode(), "utf-8-sig"),
    (b"id,qty\n", "utf-8"),
    ("订单号\n".encode(), "utf-8"),
])
def test_detect_encoding(data, enc):
    assert detect_encoding(data) == enc


def test_sniff_delimiter():
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("a|b\n1|2\n") == "|"
    assert sniff_delimiter('a,b\n"1;2",3\n') == ","


def test_header_row_found_below_a_title_block():
    rows = [["Export of 2024-04-01", None], [None, None], ["订单号", "数量"], ["A", 1]]
    assert find_header_row(rows, {"订单号", "数量"}) == 2


def test_source_rows_count_records_not_lines(tmp_path):
    f = tmp_path / "multi.csv"
    f.write_text('id,note\n1,"two\nlines"\n2,plain\n', encoding="utf-8")
    raw = read_raw(f)
    assert raw.source_row.tolist() == [2, 3]
    assert raw.frame["note"].tolist() == ["two\nlines", "plain"]


def test_title_block_in_csv(tmp_path):
    f = tmp_path / "title.csv"
    f.write_text("Sales export\nprinted 2024-04-01\norder_id,customer_id,qty_ordered\nA,C,1\n")
    raw = read_raw(f, known_headers={"order_id", "customer_id", "qty_ordered"})
    assert raw.meta["header_row"] == 3
    assert raw.source_row.tolist() == [4]


def test_ragged_path_matches_fast_path_on_good_rows(tmp_path):
    good = "a,b\n1,2\n3,4\n"
    (tmp_path / "g.csv").write_text(good)
    (tmp_path / "r.csv").write_text(good + "5\n")
    g, r = read_raw(tmp_path / "g.csv"), read_raw(tmp_path / "r.csv")
    assert g.frame.equals(r.frame)
    assert np.array_equal(g.source_row, r.source_row)
    assert r.rejected["source_row"].tolist() == [4]


# ------------------------------------------------------------------ what a file really is
ORDER_HEADER = ["order_id", "line_no", "customer_id", "item_id", "order_date",
                "requested_date", "qty_ordered"]


def _workbook(path, sheets):
    """Write an .xlsx with the given {sheet name: rows}."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


_ORDERS = [ORDER_HEADER, ["SO-1", 1, "C1", "I1", "2024-03-01", "2024-03-15", 10],
           ["SO-2", 1, "C2", "I1", "2024-03-02", "2024-03-16", 4]]


def test_xlsx_renamed_to_csv_is_read_as_a_workbook(tmp_path):
    from workbench.io.load import load_orders

    f = _workbook(tmp_path / "export.csv", {"Orders": _ORDERS})
    res = load_orders(f)
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-2"]
    assert res.summary.sources[0]["format"] == "excel"
    assert any("is named like delimited text but is an Excel workbook" in n
               for n in res.summary.notes)


def test_csv_named_xlsx_is_read_as_text(tmp_path):
    f = tmp_path / "export.xlsx"
    f.write_text(",".join(ORDER_HEADER) + "\nSO-1,1,C1,I1,2024-03-01,2024-03-15,10\n")
    raw = read_raw(f)
    assert raw.meta["format"] == "csv" and raw.frame["order_id"].tolist() == ["SO-1"]


@pytest.mark.parametrize(("content", "cause"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy Excel .xls"),
    (b"<html><body><table><tr><td>order_id</td></tr></table></body></html>", "HTML page"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "gzip-compressed"),
])
def test_file_named_csv_with_other_content_names_the_real_cause(tmp_path, content, cause):
    from workbench.exceptions import FileContentError

    f = tmp_path / "export.csv"
    f.write_bytes(content)
    with pytest.raises(FileContentError, match=cause) as err:
        read_raw(f)
    assert "not delimited text as its name 'export.csv' says" in str(err.value)


def test_first_sheet_not_the_data_names_the_sheets_found(tmp_path):
    from workbench.exceptions import DataSheetError
    from workbench.io.load import load_orders

    f = _workbook(tmp_path / "book.xlsx", {"Cover": [["Sales export"], ["printed by ERP"]],
                                           "Orders": _ORDERS})
    with pytest.raises(DataSheetError, match="'Cover', 'Orders'") as err:
        load_orders(f)
    assert "sheet='Orders'" in str(err.value)
    assert err.value.sheets == ["Cover", "Orders"]
    assert load_orders(f, sheet="Orders").summary.rows_loaded == 2


def test_empty_or_missing_sheet_names_the_sheets_found(tmp_path):
    from workbench.exceptions import DataSheetError

    f = _workbook(tmp_path / "book.xlsx", {"Blank": [], "Orders": _ORDERS})
    with pytest.raises(DataSheetError, match="'Blank' is empty.*'Blank', 'Orders'"):
        read_raw(f)
    with pytest.raises(DataSheetError, match="no sheet 'Sheet1'; sheets found: 'Blank', 'Orders'"):
        read_raw(f, sheet="Sheet1")


def test_formulas_without_stored_values_say_so(tmp_path):
    from workbench.io.load import load_orders

    rows = [ORDER_HEADER + ["qty_shipped"],
            ["SO-1", 1, "C1", "I1", "2024-03-01", "2024-03-15", 10, "=G2-1"],
            ["SO-2", 1, "C2", "I1", "2024-03-02", "2024-03-16", "=2*5", 3]]
    f = _workbook(tmp_path / "calc.xlsx", {"Orders": rows})  # openpyxl stores no values
    res = load_orders(f)
    issue = res.issues[res.issues["reason"] == "formula_without_value"]
    assert issue[["source_row", "column", "value"]].values.tolist() == [[2, "qty_shipped",
                                                                          "=G2-1"]]
    assert res.quarantine["source_row"].tolist() == [3]  # its quantity is a formula, no value
    note = " ".join(res.summary.notes)
    assert "2 formula cell(s) of sheet 'Orders' have no stored value" in note
    assert "H2: =G2-1" in note


def test_missing_columns_on_a_workbook_name_its_sheets(tmp_path):
    from workbench.exceptions import MissingColumnsError
    from workbench.io.load import load_orders

    f = _workbook(tmp_path / "book.xlsx", {"Notes": [["a", "b"], [1, 2]], "Other": [["x", "y"]]})
    with pytest.raises(MissingColumnsError, match="sheets 'Notes', 'Other'"):
        load_orders(f)


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.parquet", "empty.csv"])
def test_an_empty_file_is_named_empty_whatever_its_type(tmp_path, name):
    from workbench.exceptions import SourceError

    (tmp_path / name).write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        read_raw(tmp_path / name)
