"""Fast paths of the loader (issue 14) give exactly what the row-wise paths give.

* ``parse_date`` / ``parse_number`` / ``parse_bool`` on a text column work on its
  distinct values; the same values as an ``object`` column take the row-wise path.
* ``scan_records`` counts a text without quotes from its line endings; the
  expected counts below are worked by hand (and equal Python's ``csv`` count).
* A file with 3 dirty rows among clean ones loads the same frame, quarantine and
  issues whether its 1,200 lines make the parsers take the distinct-value path or not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.io.csv_records import count_records, scan_records
from workbench.io.parsing import parse_bool, parse_date, parse_number


def _same(a, b) -> None:
    pd.testing.assert_series_equal(a.values, b.values, check_index=True)
    np.testing.assert_array_equal(a.missing, b.missing)
    np.testing.assert_array_equal(a.invalid, b.invalid)
    np.testing.assert_array_equal(a.issue.astype(str), b.issue.astype(str))
    np.testing.assert_array_equal(a.detail.astype(str), b.detail.astype(str))
    assert a.info == b.info


_DATES = [" 2024-03-04", "2024-03-04", "03/04/2024", "n/a", None, "", "31/12/2024", "soon",
          "2024-13-01", "45000", "NA "]
_NUMBERS = ["1,200", " 2,5", "3.75", "(5)", "NaN", "inf", None, "", "12 pcs", "1.234,5", "n/a"]
_FLAGS = ["yes", " No", "TRUE", "0", "是", "maybe", None, "", "n/a", "Y"]


@pytest.mark.parametrize(("parse", "pool"), [(parse_date, _DATES), (parse_number, _NUMBERS),
                                             (parse_bool, _FLAGS)])
def test_distinct_path_equals_rowwise(parse, pool):
    rng = np.random.default_rng(3)
    vals = [pool[i] for i in rng.integers(0, len(pool), 1500)]
    text = pd.Series(vals, dtype="str")
    rowwise = pd.Series(vals, dtype=object)
    _same(parse(text), parse(rowwise))


def test_parse_bool_distinct_known_answer():
    s = pd.Series(["yes", " No", None, "maybe"] * 300, dtype="str")
    p = parse_bool(s)
    assert p.values.iloc[:4].tolist() == [True, False, pd.NA, pd.NA]
    assert p.missing[:4].tolist() == [False, False, True, False]
    assert p.invalid[:4].tolist() == [False, False, False, True]
    assert p.invalid.sum() == 300


@pytest.mark.parametrize(("text", "expected"), [
    ("a,b\r1,x\r\n\n2,z", 4),      # CR, CR LF, a blank line, a last line without an ending
    ("a,b\n1,2\n", 2),
    ("", 0),
    ("\r\r\n\n", 3),
    ("x" * 200_000 + "\n1\n", 2),  # a line beyond csv's field limit: counted by csv
])
def test_scan_records_known_counts(text, expected):
    assert scan_records(text, ",").count == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab,;\r\n \x00", max_size=60))
def test_unquoted_count_equals_csv(text):
    assert scan_records(text, ",").count == count_records(text, ",")


def _orders_csv(path, n: int) -> None:
    rows = ["order_id,line_no,customer_id,item_id,order_date,requested_date,qty_ordered,"
            "qty_shipped,unit_price,filled_from_stock"]
    for i in range(n):
        rows.append(f"SO-{i:05d},1,C{i % 7},ITM-{i % 5},2024-01-{1 + i % 28:02d},"
                    f"2024-02-{1 + i % 28:02d},{10 + i % 3}.0,{10 + i % 3},1.5,"
                    f"{'yes' if i % 2 else 'no'}")
    rows[5] = "SO-00004,1,C4,ITM-4,2024-01-05,2024-02-05,-3,0,1.5,yes"        # negative qty
    rows[9] = "SO-00008,1,C1,ITM-3,,2024-02-09,12.0,12,1.5,no"                # no order date
    rows[11] = "SO-00010,1,C3,ITM-0,2024-01-11,2024-02-11,11.0,11,abc,maybe"  # bad price, flag
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_dirty_rows_among_clean_same_result_both_paths(tmp_path):
    """1,200 lines (distinct-value paths) and the same first 12 lines (row-wise) agree."""
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    _orders_csv(big, 1200)
    lines = big.read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:13]) + "\n", encoding="utf-8")
    rb, rs = wb.load_orders(big), wb.load_orders(small)
    assert rb.summary.rows_in == 1200 and rb.summary.balanced
    assert rb.summary.rows_quarantined == 2
    assert sorted(rb.quarantine["reason"]) == ["missing_required", "negative_quantity"]
    assert rb.quarantine["source_row"].tolist() == sorted([6, 10])
    head = rb.orders[rb.orders["source_row"] <= 13].reset_index(drop=True)
    body = rs.orders.reset_index(drop=True)
    pd.testing.assert_frame_equal(head.drop(columns="source_file"),
                                  body.drop(columns="source_file"))
    q = ["source_row", "reason", "column", "value", "detail"]
    pd.testing.assert_frame_equal(rb.quarantine[q].reset_index(drop=True),
                                  rs.quarantine[q].reset_index(drop=True))
    i = ["source_row", "column", "value", "reason"]
    bi = rb.issues[rb.issues["source_row"] <= 13][i].reset_index(drop=True)
    pd.testing.assert_frame_equal(bi, rs.issues[i].reset_index(drop=True))
    assert set(bi["column"]) == {"unit_price", "filled_from_stock"}
