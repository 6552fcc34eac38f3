"""Loader and validation: every corpus file gives its specific error or reason."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import MissingColumnsError, SourceError
from workbench.exceptions import ChoiceError, SourceNotFoundError, UnknownTableError
from workbench.io.load import ISSUE_COLUMNS, QUARANTINE_COLUMNS
from workbench.io.schema import get_table


def _balanced(res: wb.LoadResult) -> None:
    s = res.summary
    assert s.rows_in == s.rows_loaded + s.rows_quarantined
    assert len(res.orders) == s.rows_loaded
    assert len(res.quarantine) == s.rows_quarantined


# --------------------------------------------------------------------------- corpus
def test_empty_file_is_a_clear_error(corpus):
    with pytest.raises(SourceError, match="empty") as exc:
        wb.load_orders(corpus / "empty.csv")
    assert "empty.csv" in str(exc.value)
    assert isinstance(exc.value, wb.WorkbenchError)


def test_header_only_loads_zero_rows(corpus):
    res = wb.load_orders(corpus / "header_only.csv")
    assert res.summary.rows_in == 0
    assert list(res.orders.columns[:4]) == ["order_id", "line_no", "customer_id", "item_id"]
    _balanced(res)


def test_semicolon_delimiter_is_sniffed(corpus):
    res = wb.load_orders(corpus / "semicolon.csv")
    assert res.summary.sources[0]["delimiter"] == ";"
    assert res.orders["qty_ordered"].tolist() == [10.0, 5.0, 7.0]


def test_wrong_delimiter_forced_explains_itself(corpus):
    with pytest.raises(MissingColumnsError) as exc:
        wb.load_orders(corpus / "semicolon.csv", delimiter=",")
    msg = str(exc.value)
    assert "delimited by ';'" in msg
    assert exc.value.table == "order_lines"
    assert "order_id" in exc.value.missing


def test_gbk_file_with_chinese_headers(corpus):
    res = wb.load_orders(corpus / "gbk_chinese_headers.csv")
    assert res.summary.sources[0]["encoding"] == "gb18030"
    o = res.orders
    assert o["customer_id"].tolist() == ["华东精密", "华东精密", "北方重工"]
    assert o["qty_ordered"].tolist() == [1200.0, 50.0, 80.0]  # "1,200" thousands separator
    assert o["order_date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert o["delivery_date"].isna().tolist() == [False, True, False]
    assert res.summary.column_map["order_id"] == "订单号 (synonym)"
    # line numbers come from 行号
    assert o["line_no"].tolist() == [1, 2, 1]
    _balanced(res)


def test_utf8_bom_header_is_clean(corpus):
    res = wb.load_orders(corpus / "utf8_bom.csv")
    assert res.summary.sources[0]["encoding"] == "utf-8-sig"
    assert res.orders.columns[0] == "order_id"
    assert res.summary.rows_loaded == 3


def test_missing_required_columns_names_them_and_the_fix(corpus):
    with pytest.raises(MissingColumnsError) as exc:
        wb.load_orders(corpus / "missing_columns.csv")
    err = exc.value
    assert err.missing == ["item_id", "qty_ordered"]
    assert err.found == ["order_id", "customer_id", "order_date"]
    msg = str(err)
    assert "missing_columns.csv" in msg and "mapping" in msg and "Fix:" in msg


def test_text_in_date_and_number_columns(corpus):
    res = wb.load_orders(corpus / "text_in_dates_and_numbers.csv")
    q = res.quarantine.set_index("source_row")
    # required order_date / qty_ordered unusable -> quarantined with the original value
    assert q.loc[3, "reason"] == "unusable_required" and q.loc[3, "column"] == "order_date"
    assert q.loc[3, "value"] == "N/A - From RDC"
    assert q.loc[4, "reason"] == "unusable_required" and q.loc[4, "value"] == "seven"
    # optional delivery_date / qty_shipped unusable -> row kept, value missing, issue recorded
    iss = res.issues.set_index("source_row")
    assert iss.loc[2, "column"] == "delivery_date" and iss.loc[2, "value"] == "Date Not Captured"
    assert iss.loc[2, "reason"] == "unusable_value"
    assert iss.loc[5, "column"] == "qty_shipped" and iss.loc[5, "value"] == "four"
    kept = res.orders.set_index("source_row")
    assert pd.isna(kept.loc[2, "delivery_date"]) and pd.isna(kept.loc[5, "qty_shipped"])
    _balanced(res)


def test_text_in_optional_order_date_when_mapping_says_optional(corpus):
    res = wb.load_orders(corpus / "text_in_dates_and_numbers.csv",
                         mapping={"optional": ["order_date"], "columns": {}})
    assert 3 in res.orders["source_row"].tolist()
    iss = res.issues[res.issues["source_row"] == 3]
    assert iss["value"].tolist() == ["N/A - From RDC"]
    assert iss["reason"].tolist() == ["unusable_value"]


def test_mixed_date_formats_are_detected_not_parsed_silently(corpus):
    res = wb.load_orders(corpus / "mixed_dates.csv")
    # the column is M/D/YY (3/20/24 settles month-first); the ISO value does not fit
    assert res.summary.date_formats["order_date"].startswith("M/D/Y or D/M/Y")
    assert "M/D/Y (inferred)" in res.summary.date_formats["order_date"]
    q = res.quarantine.set_index("source_row")
    assert q.loc[5, "reason"] == "unusable_required"
    assert "differs from the column's format" in q.loc[5, "detail"]
    o = res.orders.set_index("source_row")
    assert o.loc[3, "order_date"] == pd.Timestamp("2024-03-04")  # 3/4/24 read month-first
    # requested_date of the ISO row is also inconsistent, but that row is quarantined already
    assert res.issues.empty or 5 not in res.issues["source_row"].tolist()


def test_mixed_formats_keep_option_reads_and_records(corpus):
    res = wb.load_orders(corpus / "mixed_dates.csv", mapping={"columns": {},
                                                             "dates": {"mixed_formats": "keep"}})
    o = res.orders.set_index("source_row")
    assert o.loc[5, "order_date"] == pd.Timestamp("2024-03-21")
    iss = res.issues[res.issues["source_row"] == 5]
    assert set(iss["reason"]) == {"date_format_inconsistent"}
    assert set(iss["column"]) == {"order_date", "requested_date"}


def test_ambiguous_dates_without_evidence_are_each_recorded(tmp_path):
    f = tmp_path / "amb.csv"
    f.write_text("order_id,customer_id,item_id,order_date,qty_ordered\n"
                 "A,C,I,03/04/2024,1\nB,C,I,05/06/2024,1\nC,C,I,07/07/2024,1\n")
    res = wb.load_orders(f)
    iss = res.issues
    assert iss["reason"].tolist() == ["date_ambiguous", "date_ambiguous"]  # 07/07 is not
    assert "could also be 2024-04-03" in iss["detail"].iloc[0]
    declared = wb.load_orders(f, mapping={"columns": {}, "dates": {"dayfirst": True}})
    assert declared.issues.empty
    assert declared.orders["order_date"].iloc[0] == pd.Timestamp("2024-04-03")


def test_negative_quantities(corpus):
    res = wb.load_orders(corpus / "negative_quantities.csv")
    q = res.quarantine
    assert q["reason"].tolist() == ["negative_quantity"] and q["source_row"].tolist() == [3]
    assert q["value"].tolist() == ["-5"]
    iss = res.issues
    assert iss["reason"].tolist() == ["negative_value"] and iss["column"].tolist() == [
        "qty_shipped"]
    assert res.orders.set_index("source_row")["qty_shipped"].isna().to_dict() == {2: False,
                                                                                 4: True}


def test_duplicate_keys_keep_first_and_say_which(corpus):
    res = wb.load_orders(corpus / "duplicate_keys.csv")
    q = res.quarantine
    assert q["reason"].tolist() == ["duplicate_key", "duplicate_key"]
    assert q["source_row"].tolist() == [4, 5]
    assert "identical to source row 2" in q["detail"].iloc[0]
    assert "different values from source row 2" in q["detail"].iloc[1]
    assert res.orders["source_row"].tolist() == [2, 3, 6]


def test_delivery_before_order(corpus):
    res = wb.load_orders(corpus / "delivery_before_order.csv")
    assert res.quarantine["reason"].tolist() == ["delivery_date_before_order_date"]
    assert "2024-02-28 is before order_date 2024-03-04" in res.quarantine["detail"].iloc[0]


def test_ragged_and_blank_rows_are_quarantined_not_lost(corpus):
    res = wb.load_orders(corpus / "ragged_rows.csv")
    q = res.quarantine.set_index("source_row")
    assert q.loc[3, "reason"] == "malformed_row" and "has 5 fields" in q.loc[3, "detail"]
    assert q.loc[4, "reason"] == "empty_row"
    assert q.loc[5, "reason"] == "malformed_row"
    assert "extra,fields" in q.loc[5, "value"]
    _balanced(res)


def test_excel_with_title_rows(corpus):
    res = wb.load_orders(corpus / "title_row.xlsx")
    s = res.summary
    assert s.sources[0]["header_row"] == 3
    o = res.orders
    # source_row is the sheet row a spreadsheet shows
    assert o["source_row"].tolist() == [4, 5, 8]
    assert o["order_id"].tolist() == ["SO-1", "SO-1", "10001"]  # numeric cell -> "10001"
    assert o["customer_id"].iloc[2] == "42"
    assert o["order_date"].iloc[0] == pd.Timestamp("2024-03-01")
    q = res.quarantine.set_index("source_row")
    assert q.loc[6, "reason"] == "empty_row"
    assert q.loc[7, "reason"] == "missing_required" and q.loc[7, "column"] == "qty_ordered"
    _balanced(res)


# --------------------------------------------------------------------------- other sources
def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["S1", "S1", "S2"], "line_no": [1, 2, 1], "customer_id": ["C1", "C1", "C9"],
        "item_id": ["I1", "I2", "I1"],
        "order_date": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-03"]),
        "qty_ordered": [5.0, -1.0, 3.0]})


def test_parquet_typed_columns(tmp_path):
    f = tmp_path / "o.parquet"
    _frame().to_parquet(f)
    res = wb.load_orders(f)
    assert res.summary.sources[0]["format"] == "parquet"
    assert res.orders["order_date"].dtype == "datetime64[ns]"
    assert res.quarantine["reason"].tolist() == ["negative_quantity"]
    assert res.quarantine["source_row"].tolist() == [2]


def test_sqlite_table_and_query(tmp_path):
    db = tmp_path / "erp.db"
    with sqlite3.connect(db) as con:
        _frame().assign(order_date=lambda d: d["order_date"].dt.strftime("%Y-%m-%d")).to_sql(
            "orders", con, index=False)
    res = wb.load_orders(f"sqlite:///{db}", sql_table="orders")
    assert res.summary.rows_in == 3 and res.summary.rows_loaded == 2
    assert res.summary.sources[0]["source"].endswith("#orders")
    res2 = wb.load_orders(db, query="select * from orders where qty_ordered > 0")
    assert res2.summary.rows_in == 2 and res2.summary.rows_quarantined == 0
    with pytest.raises(SourceError, match="does not exist"):
        wb.load_orders(f"sqlite:///{db}", sql_table="nope")


def test_masters_quarantine_unknown_ids():
    res = wb.load_orders(_frame(), customers=pd.DataFrame({"customer_id": ["C1"]}),
                         items=["I1", "I2"])
    q = res.quarantine.set_index("source_row")
    assert q.loc[2, "reason"] == "negative_quantity"
    assert q.loc[3, "reason"] == "unknown_customer" and q.loc[3, "value"] == "C9"


def test_several_sources_detect_duplicates_across_files(corpus):
    res = wb.load_orders([corpus / "utf8_bom.csv", corpus / "semicolon.csv"])
    assert res.summary.rows_in == 6 and res.summary.rows_loaded == 3
    assert set(res.quarantine["reason"]) == {"duplicate_key"}
    assert set(res.quarantine["source_file"]) == {str(corpus / "semicolon.csv")}


def test_line_numbers_generated_when_absent(tmp_path):
    f = tmp_path / "nolines.csv"
    f.write_text("order_id,customer_id,item_id,order_date,qty_ordered\n"
                 "A,C,I1,2024-01-01,1\nA,C,I2,2024-01-01,1\nB,C,I1,2024-01-01,1\n")
    res = wb.load_orders(f)
    assert res.orders["line_no"].tolist() == [1, 2, 1]
    assert any("numbered" in n for n in res.summary.notes)


def test_fallback_columns_first_usable_wins(tmp_path):
    f = tmp_path / "fallback.csv"
    f.write_text("PO,Cust,Item,PO Date,Quote Date,Qty\n"
                 "A,C,I,Date Not Captured,2024-01-05,1\nB,C,I,2024-01-09,2024-01-02,1\n")
    mapping = {"columns": {"order_id": "PO", "customer_id": "Cust", "item_id": "Item",
                           "order_date": ["PO Date", "Quote Date"], "qty_ordered": "Qty"}}
    res = wb.load_orders(f, mapping=mapping)
    assert res.orders["order_date"].tolist() == [pd.Timestamp("2024-01-05"),
                                                 pd.Timestamp("2024-01-09")]
    iss = res.issues
    assert iss["source_column"].tolist() == ["PO Date"]
    assert "used Quote Date instead" in iss["detail"].iloc[0]


def test_value_map_for_flags():
    df = pd.DataFrame({"order_id": ["A", "B", "C"], "customer_id": "C", "item_id": "I",
                       "order_date": "2024-01-01", "qty_ordered": "1",
                       "Fulfill Via": ["From RDC", "Direct Drop", "Courier"]})
    res = wb.load_orders(df, mapping={"columns": {"filled_from_stock": {
        "column": "Fulfill Via", "values": {"From RDC": True, "Direct Drop": False}}}})
    assert res.orders["filled_from_stock"].tolist()[:2] == [True, False]
    assert pd.isna(res.orders["filled_from_stock"].iloc[2])
    assert res.issues["value"].tolist() == ["Courier"]


def test_output_contract_columns(corpus):
    res = wb.load_orders(corpus / "text_in_dates_and_numbers.csv")
    assert list(res.quarantine.columns[:7]) == QUARANTINE_COLUMNS
    assert list(res.issues.columns) == ISSUE_COLUMNS
    assert list(res.orders.columns[-2:]) == ["source_file", "source_row"]
    assert res.orders["line_no"].dtype == "Int64"
    assert res.orders["qty_ordered"].dtype == "float64"
    # original values are kept in quarantine under the source headers
    assert "order_date" in res.quarantine.columns


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(SourceNotFoundError, match="not found"):
        wb.load_orders(tmp_path / "nope.csv")
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(SourceError, match="unknown file type"):
        wb.load_orders(bad)
    with pytest.raises(SourceNotFoundError, match="mapping file not found"):
        wb.load_orders(bad, mapping=tmp_path / "nope.yaml")


def test_unknown_table_names_the_valid_ones(tmp_path):
    with pytest.raises(UnknownTableError, match="'order_line'.*order_lines, order_changes"):
        wb.load_table(tmp_path / "x.csv", "order_line")
    with pytest.raises(ChoiceError, match="column 'nope' of table 'items'"):
        get_table("items").column("nope")


# --------------------------------------------------------------------------- property
_cell = st.one_of(
    st.sampled_from(["", "N/A", "Date Not Captured", "-3", "1,200", "7", "2024-02-30",
                     "2024-03-01", "3/4/24", "13/04/2024", "x", "SO-1", "0"]),
    st.text(alphabet="ab1-/ ,;\"", max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_cell, min_size=5, max_size=7), max_size=25))
def test_rows_in_equals_loaded_plus_quarantined(tmp_path_factory, rows):
    """Whatever the content, every record is loaded or quarantined, never both."""
    import csv

    f = tmp_path_factory.mktemp("prop") / "o.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "customer_id", "item_id", "order_date", "qty_ordered", "qty_shipped"])
        w.writerows(rows)
    res = wb.load_orders(f, delimiter=",")
    _balanced(res)
    assert res.summary.rows_in == len(rows)
    seen = np.concatenate([res.orders["source_row"].to_numpy(),
                           res.quarantine["source_row"].to_numpy()])
    assert sorted(seen.tolist()) == list(range(2, 2 + len(rows)))


def test_chinese_erp_mapping_file(corpus):
    res = wb.load_orders(corpus / "gbk_chinese_headers.csv", mapping="erp_cn")
    assert res.summary.column_map["order_id"] == "订单号"
    assert res.summary.rows_loaded == 3
    assert any("承诺交货日期" in n for n in res.summary.notes)  # mapped but absent: noted


def test_bad_mapping_errors_name_the_key():
    with pytest.raises(wb.MappingError, match="Did you mean 'order_date'") as exc:
        wb.load_orders(_frame(), mapping={"order_dat": "x"})
    assert exc.value.key == "order_dat"
    with pytest.raises(wb.MappingError, match="dayfirst"):
        wb.load_orders(_frame(), mapping={"columns": {}, "dates": {"dayfirst": "yes"}})


def test_digest_groups_problems_by_what_to_fix(corpus):
    from workbench.io.load import digest

    res = wb.load_orders(corpus / "duplicate_keys.csv")
    d = digest(res.quarantine)
    assert d.to_dict("records") == [{"reason": "duplicate_key", "column": "order_id/line_no",
                                     "value": "SO-1/1", "rows": 2,
                                     "first_rows": "duplicate_keys.csv:4, duplicate_keys.csv:5"}]
    assert digest(res.issues).empty


def test_committed_sample_quarantines_exactly_the_planted_dirt(samples_dir):
    """The sample generator records which rows it spoiled; the loader must find each of them
    with the right reason, and nothing else."""
    import json

    truth = json.loads((samples_dir / "sample_truth.json").read_text())
    items = wb.load_table(samples_dir / "items.csv", "items")
    customers = wb.load_table(samples_dir / "customers.csv", "customers")
    res = wb.load_orders(samples_dir / "order_lines.csv", customers=customers, items=items)
    _balanced(res)
    expected_reason = {
        "negative_qty_ordered": {"negative_quantity"},
        "duplicate_line": {"duplicate_key"},
        "missing_customer_id": {"missing_required"},
        "text_in_order_date": {"missing_required", "unusable_required"},  # "N/A" is a NA marker
        "impossible_order_date": {"unusable_required"},
        "delivery_before_order": {"delivery_date_before_order_date"},
        "unknown_item_id": {"unknown_item"},
    }
    q = res.quarantine.assign(order_id=res.quarantine["order_id"].astype(str),
                              line_no=res.quarantine["line_no"].astype(str))
    for kind, reasons in expected_reason.items():
        keys = {(o, str(n)) for o, n in truth["dirty_keys"][kind]}
        hit = q[[k in keys for k in zip(q["order_id"], q["line_no"], strict=True)]]
        assert len(hit) == truth["dirty_rows"][kind], kind
        assert set(hit["reason"]) <= reasons, (kind, set(hit["reason"]))
    quarantined_kinds = sum(truth["dirty_rows"][k] for k in expected_reason)
    assert res.summary.rows_quarantined == quarantined_kinds
    iss = res.issues
    assert (iss["column"] == "qty_shipped").sum() == truth["dirty_rows"]["text_in_qty_shipped"]


# --------------------------------------------------------------------------- numbers (issue 11)
_EU_HEADER = "order_id;line_no;customer_id;item_id;order_date;qty_ordered;unit_price"


def _write(tmp_path, name, lines):
    f = tmp_path / name
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_european_export_reads_thousands_dot_as_thousands(tmp_path):
    f = _write(tmp_path, "eu.csv", [_EU_HEADER,
                                    "SO-1;1;C1;A;31.12.2025;1.200;2,5",
                                    "SO-1;2;C1;B;31.12.2025;3;1.234,50",
                                    "SO-2;1;C2;A;01.12.2025;10;7"])
    res = wb.load_orders(f)
    o = res.orders
    assert o["qty_ordered"].tolist() == [1200.0, 3.0, 10.0]  # never 1.2
    assert o["unit_price"].tolist() == [2.5, 1234.5, 7.0]
    assert o["order_date"].iloc[0] == pd.Timestamp("2025-12-31")
    assert res.issues.empty
    nf = res.summary.number_formats
    assert nf == {"qty_ordered": "decimal comma (inferred from the file's other number columns)",
                  "unit_price": "decimal comma (inferred from this column)"}
    assert "numbers in qty_ordered: decimal comma" in str(res.summary)


def test_european_export_without_settling_values_flags_the_two_way_value(tmp_path):
    f = _write(tmp_path, "eu.csv", ["order_id;customer_id;item_id;order_date;qty_ordered",
                                    "SO-1;C1;A;2025-12-31;1.200",
                                    "SO-2;C1;A;2025-12-31;4"])
    res = wb.load_orders(f)
    assert res.orders["qty_ordered"].tolist() == [1200.0, 4.0]
    iss = res.issues
    assert iss["reason"].tolist() == ["number_ambiguous"] and iss["source_row"].tolist() == [2]
    assert "would be 1.2" in iss["detail"].iloc[0]
    assert "guessed from the ';' delimiter" in res.summary.number_formats["qty_ordered"]


def test_comma_delimited_two_way_value_is_flagged_not_silently_small(tmp_path):
    f = _write(tmp_path, "us.csv", ["order_id,customer_id,item_id,order_date,qty_ordered",
                                    "SO-1,C1,A,2025-12-31,1.200"])
    res = wb.load_orders(f)
    assert res.issues["reason"].tolist() == ["number_ambiguous"]
    assert "would be 1200" in res.issues["detail"].iloc[0]


def test_mapping_decimal_is_the_explicit_override(tmp_path):
    f = _write(tmp_path, "eu.csv", ["order_id;customer_id;item_id;order_date;qty_ordered",
                                    "SO-1;C1;A;2025-12-31;1.200"])
    res = wb.load_orders(f, mapping={"columns": {}, "numbers": {"decimal": "."}})
    assert res.orders["qty_ordered"].tolist() == [1.2] and res.issues.empty
    assert res.summary.number_formats["qty_ordered"] == "decimal point (declared in the mapping)"
    auto = wb.load_orders(f, mapping={"columns": {}, "numbers": {"decimal": "auto"}})
    assert auto.orders["qty_ordered"].tolist() == [1200.0]
    with pytest.raises(wb.MappingError, match="numbers.decimal"):
        wb.load_orders(f, mapping={"columns": {}, "numbers": {"decimal": ";"}})


def test_infinite_nan_and_overflow_quantities_are_never_loaded(tmp_path):
    f = _write(tmp_path, "o.csv", ["order_id,customer_id,item_id,order_date,qty_ordered,"
                                   "qty_shipped,unit_price",
                                   "SO-1,C1,A,2024-03-01,inf,1,2",
                                   "SO-2,C1,A,2024-03-01,1e400,1,2",
                                   "SO-3,C1,A,2024-03-01,NaN,1,2",
                                   "SO-4,C1,A,2024-03-01,5,Infinity,-inf",
                                   "SO-5,C1,A,2024-03-01,5,5,2.5"])
    res = wb.load_orders(f)
    _balanced(res)
    q = res.quarantine.set_index("source_row")
    assert q["reason"].to_dict() == {2: "unusable_required", 3: "unusable_required",
                                     4: "unusable_required"}
    assert "infinite or not-a-number" in q.loc[2, "detail"]
    assert "overflows" in q.loc[3, "detail"]
    o = res.orders.set_index("source_row")
    assert np.isfinite(o["qty_ordered"]).all()
    assert pd.isna(o.loc[5, "qty_shipped"]) and pd.isna(o.loc[5, "unit_price"])
    iss = res.issues
    assert iss["reason"].tolist() == ["unusable_value"] * 2
    assert iss["column"].tolist() == ["qty_shipped", "unit_price"]


def test_line_number_beyond_int64_is_quarantined_with_a_reason(tmp_path):
    f = _write(tmp_path, "o.csv", ["order_id,line_no,customer_id,item_id,order_date,qty_ordered",
                                   "SO-1,99999999999999999999,C1,A,2024-03-01,1",
                                   "SO-1,9007199254740993,C1,A,2024-03-01,1",
                                   "SO-1,9007199254740992,C1,A,2024-03-01,1"])
    res = wb.load_orders(f)
    _balanced(res)
    q = res.quarantine
    assert q["reason"].tolist() == ["unusable_required"] and q["column"].tolist() == ["line_no"]
    assert "64-bit integer range" in q["detail"].iloc[0]
    # exact: through float64 both would be 9007199254740992, a false duplicate key
    assert res.orders["line_no"].tolist() == [9007199254740993, 9007199254740992]


def test_typed_sources_with_infinite_or_oversized_numbers_quarantine_the_row(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = tmp_path / "o.parquet"
    pq.write_table(pa.table({
        "order_id": ["SO-1", "SO-2", "SO-3"],
        "line_no": pa.array([1, 2 ** 64 - 1, 1], pa.uint64()),
        "customer_id": ["C1"] * 3, "item_id": ["A"] * 3,
        "order_date": pa.array([pd.Timestamp("2024-03-01").date()] * 3, pa.date32()),
        "qty_ordered": [float("inf"), 2.0, 3.0]}), f)
    res = wb.load_orders(f)
    _balanced(res)
    assert res.quarantine["source_row"].tolist() == [1, 2]
    assert set(res.quarantine["reason"]) == {"unusable_required"}
    assert res.orders["qty_ordered"].tolist() == [3.0]


def test_float_order_ids_too_large_to_be_exact_are_quarantined(tmp_path):
    f = tmp_path / "o.parquet"
    pd.DataFrame({"order_id": [1e20, 1001.0], "customer_id": ["C1", "C1"],
                  "item_id": ["A", "A"], "order_date": pd.to_datetime(["2024-03-01"] * 2),
                  "qty_ordered": [1.0, 2.0]}).to_parquet(f)
    res = wb.load_orders(f)
    _balanced(res)
    assert res.quarantine["reason"].tolist() == ["unusable_required"]
    assert "exact identifier" in res.quarantine["detail"].iloc[0]
    assert res.orders["order_id"].tolist() == ["1001"]  # never "-9223372036854775808"


def test_xlsx_number_cell_is_never_read_with_a_text_columns_decimal_comma(tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["order_id", "customer_id", "item_id", "order_date", "qty_ordered", "unit_price"])
    ws.append(["SO-1", "C1", "A", dt.datetime(2024, 3, 1), "2,5", 1.234])  # text; number cell
    ws.append(["SO-2", "C1", "A", dt.datetime(2024, 3, 1), "1.200", 2])
    f = tmp_path / "o.xlsx"
    book.save(f)
    res = wb.load_orders(f)
    assert res.orders["qty_ordered"].tolist() == [2.5, 1200.0]
    assert res.orders["unit_price"].tolist() == [1.234, 2.0]  # not 1234
    assert res.issues.empty
