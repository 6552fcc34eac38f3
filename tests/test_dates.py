"""Dates are never silently wrong: four-digit years, dates beyond pandas' range, Excel serials.

Expected dates are hand-worked or come from independent oracles (Python's
``datetime``, openpyxl's Excel date conversion), never from the parser under test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel

import workbench as wb
from workbench.io.parsing import (
    ISSUE_DATE_EXCEL_SERIAL,
    ISSUE_DATE_OUT_OF_RANGE,
    DateOptions,
    parse_date,
)

HEADER = "order_id,line_no,customer_id,item_id,order_date,promised_date,qty_ordered"
FIRST_DAY, LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 11)  # whole days in datetime64[ns]


def S(*values):
    return pd.Series(list(values), dtype=object)


# --------------------------------------------------------------------------- four-digit years
@pytest.mark.parametrize("raw", ["0001-01-01", "0001/01/01", "01-Jan-0001", "Jan 1, 0001",
                                 "1/1/0001", "01.01.0001", "0001年1月1日", "0099-05-01"])
def test_four_digit_years_are_never_given_a_century(raw):
    p = parse_date(S(raw))
    assert pd.isna(p.values.iloc[0])  # year 1 / 99 is not 2001 / 1999 ...
    assert p.issue[0] == ISSUE_DATE_OUT_OF_RANGE and not p.invalid[0]  # ... and not a crash


def test_two_digit_years_still_get_a_century():
    p = parse_date(S("1-Jan-70", "5-Mar-24"))
    assert p.values.tolist() == [pd.Timestamp("1970-01-01"), pd.Timestamp("2024-03-05")]
    assert parse_date(S("3/15/99")).values.iloc[0] == pd.Timestamp("1999-03-15")


def test_out_of_range_detail_writes_the_year_with_four_digits():
    assert parse_date(S("0001-01-01")).detail[0].startswith("0001-01-01 is outside")


# --------------------------------------------------------------------------- placeholders
@pytest.mark.parametrize("raw", ["9999-12-31", "31.12.9999", "2300-01-01", "12/31/9999",
                                 "9999年12月31日", "Dec 31, 9999", "31-Dec-9999",
                                 "9999-12-31 00:00:00", "1600-01-01"])
def test_dates_beyond_pandas_range_become_missing_with_an_issue(raw):
    p = parse_date(S(raw, "2024-03-01", "2024-03-02"))  # in a column of ISO dates
    assert pd.isna(p.values.iloc[0]) and p.values.iloc[1] == pd.Timestamp("2024-03-01")
    assert p.issue[0] == ISSUE_DATE_OUT_OF_RANGE and not p.invalid[0] and not p.missing[0]
    assert "open-ended or placeholder" in p.detail[0]


def test_range_limits_are_the_whole_days_pandas_holds():
    p = parse_date(S("1677-09-22", "2262-04-11", "1677-09-21", "2262-04-12"))
    assert p.values.tolist()[:2] == [pd.Timestamp(FIRST_DAY), pd.Timestamp(LAST_DAY)]
    assert list(p.issue) == [None, None, ISSUE_DATE_OUT_OF_RANGE, ISSUE_DATE_OUT_OF_RANGE]


def test_impossible_far_dates_stay_unusable():
    p = parse_date(S("9999-02-30", "0000-01-01"))
    assert p.invalid.tolist() == [True, True]


def test_typed_dates_beyond_range_become_missing_with_an_issue():
    raw = pd.Series(np.array(["2024-01-01", "9999-12-31", "0001-01-01", "NaT"],
                             dtype="datetime64[ms]"))
    p = parse_date(raw)
    assert p.values.dtype == "datetime64[ns]"
    assert p.values.iloc[0] == pd.Timestamp("2024-01-01") and p.values.iloc[1:].isna().all()
    assert list(p.issue) == [None, ISSUE_DATE_OUT_OF_RANGE, ISSUE_DATE_OUT_OF_RANGE, None]
    assert p.missing.tolist() == [False, False, False, True]


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%d-%b-%Y", "%Y/%m/%d"]))
def test_a_written_date_reads_as_itself_or_is_recorded_out_of_range(day, fmt):
    raw = f"{day.year:04d}" + day.strftime(fmt.replace("%Y", "")) if fmt.startswith("%Y") \
        else day.strftime(fmt.replace("%Y", "")) + f"{day.year:04d}"
    p = parse_date(S(raw), DateOptions(dayfirst=True))
    if FIRST_DAY <= day <= LAST_DAY:
        assert p.values.iloc[0] == pd.Timestamp(day) and pd.isna(p.issue[0]), raw
    else:
        assert pd.isna(p.values.iloc[0]) and p.issue[0] == ISSUE_DATE_OUT_OF_RANGE, raw


# --------------------------------------------------------------------------- Excel serials
@pytest.mark.parametrize(("serial", "expected"), [
    ("1", "1900-01-01"), ("59", "1900-02-28"), ("61", "1900-03-01"),
    ("45292", "2024-01-01"),  # hand-worked: 2024-01-01 - 1899-12-30 = 45292 days
    ("45352", "2024-03-01"),  # 45292 + 31 (Jan) + 29 (Feb 2024) = 45352
    ("45352.75", "2024-03-01"),  # a time of day is dropped
])
def test_excel_serial_numbers_read_as_dates_with_an_issue(serial, expected):
    p = parse_date(S(serial))
    assert p.values.iloc[0] == pd.Timestamp(expected)
    assert p.issue[0] == ISSUE_DATE_EXCEL_SERIAL and not p.invalid[0]
    assert f"Excel serial number {serial} read as {expected}" in p.detail[0]


def test_excel_serial_60_is_the_day_that_never_was():
    p = parse_date(S("60"))
    assert p.invalid[0] and pd.isna(p.values.iloc[0]) and "1900-02-29" in p.detail[0]


def test_excel_serials_are_read_among_written_dates_not_dropped_as_other_format():
    p = parse_date(S("2024-03-04", "2024-03-05", "45352", "2024-03-06"))
    assert p.values.iloc[2] == pd.Timestamp("2024-03-01")
    assert list(p.issue) == [None, None, ISSUE_DATE_EXCEL_SERIAL, None]
    serials = parse_date(S("45352", "45353", "2024-03-06"))  # and written dates among serials
    assert serials.values.iloc[2] == pd.Timestamp("2024-03-06") and pd.isna(serials.issue[2])


def test_excel_serial_beyond_range():
    p = parse_date(S("2958465", "2958466"))  # 9999-12-31, then past Excel's last day
    assert p.issue[0] == ISSUE_DATE_OUT_OF_RANGE and p.invalid.tolist() == [False, True]


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=LAST_DAY))
def test_excel_serial_matches_openpyxl(day):
    serial = int(to_excel(dt.datetime(day.year, day.month, day.day)))
    p = parse_date(S(str(serial)))
    assert p.values.iloc[0] == pd.Timestamp(day), serial


# --------------------------------------------------------------------------- whole loads
def test_placeholder_dates_in_a_csv_cost_the_value_or_the_row_not_the_load(tmp_path):
    f = tmp_path / "orders.csv"
    f.write_text("\n".join([
        HEADER,
        "SO-1,1,C1,A,2024-03-01,9999-12-31,5",   # open-ended promise: value missing, row kept
        "SO-2,1,C1,A,31.12.9999,2024-03-09,5",   # required order date unusable: quarantined
        "SO-3,1,C1,A,2024-03-02,2300-01-01,5",
        "SO-4,1,C1,A,0001-01-01,2024-03-09,5",
    ]) + "\n", encoding="utf-8")
    res = wb.load_orders(f)
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (4, 2, 2)
    assert res.orders["promised_date"].isna().all()
    assert res.issues["reason"].tolist() == [ISSUE_DATE_OUT_OF_RANGE] * 2
    assert res.issues["value"].tolist() == ["9999-12-31", "2300-01-01"]
    q = res.quarantine.set_index("source_row")
    assert q.loc[3, "reason"] == q.loc[5, "reason"] == "unusable_required"
    assert "outside the dates" in q.loc[3, "detail"] and q.loc[3, "value"] == "31.12.9999"


def test_parquet_dates_beyond_range_do_not_crash_the_load(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = tmp_path / "orders.parquet"
    pq.write_table(pa.table({
        "order_id": ["SO-1", "SO-2", "SO-3"], "line_no": [1, 1, 1],
        "customer_id": ["C1", "C1", "C2"], "item_id": ["A", "B", "A"],
        "order_date": pa.array([dt.date(2024, 3, 1), dt.date(2024, 3, 2), dt.date(9999, 12, 31)],
                               pa.date32()),
        "promised_date": pa.array([dt.datetime(9999, 12, 31), dt.datetime(2300, 1, 1),
                                   dt.datetime(2024, 3, 9)], pa.timestamp("us")),
        "qty_ordered": [5.0, 6.0, 7.0],
    }), f)
    res = wb.load_orders(f)
    s = res.summary
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (3, 2, 1)
    assert res.quarantine["reason"].tolist() == ["unusable_required"]
    assert res.orders["promised_date"].isna().all()
    assert res.issues["reason"].tolist() == [ISSUE_DATE_OUT_OF_RANGE] * 2


def test_xlsx_number_cell_in_a_date_column_reads_as_a_date(tmp_path):
    import openpyxl

    wbk = openpyxl.Workbook()
    ws = wbk.active
    ws.append(HEADER.split(","))
    ws.append(["SO-1", 1, "C1", "A", 45352, dt.datetime(9999, 12, 31), 5])  # no date format
    ws.append(["SO-2", 1, "C1", "A", dt.datetime(2024, 3, 4), None, 5])
    assert ws["E2"].number_format == "General"
    f = tmp_path / "orders.xlsx"
    wbk.save(f)
    res = wb.load_orders(f)
    assert res.orders["order_date"].tolist() == [pd.Timestamp("2024-03-01"),
                                                 pd.Timestamp("2024-03-04")]
    iss = res.issues.set_index("column")
    assert iss.loc["order_date", "reason"] == ISSUE_DATE_EXCEL_SERIAL
    assert iss.loc["promised_date", "reason"] == ISSUE_DATE_OUT_OF_RANGE
