"""Value parsers: known answers for numbers, flags and every date format."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.io.parsing import (
    DateOptions,
    parse_bool,
    parse_date,
    parse_number,
    parse_string,
)


def S(*values):
    return pd.Series(list(values), dtype=object)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,000", 1000.0), ("1,234,567.25", 1234567.25), ("¥1,200.50", 1200.5), ("$ 99", 99.0),
    ("(5)", -5.0), ("3.5", 3.5), ("1 000", 1000.0), ("RMB 12", 12.0), ("1e3", 1000.0),
])
def test_numbers_known_answers(raw, expected):
    p = parse_number(S(raw))
    assert p.values.iloc[0] == expected and not p.invalid[0]


@pytest.mark.parametrize("raw", ["12 pcs", "TBD", "1,2,3", "seven", "1.2.3", "1.234.5"])
def test_numbers_unusable(raw):
    p = parse_number(S(raw))
    assert np.isnan(p.values.iloc[0]) and p.invalid[0] and not p.missing[0]
    assert p.detail[0] == "not a number"


def test_numbers_missing_markers_are_not_invalid():
    p = parse_number(S("", "N/A", "null", None, "-"))
    assert p.missing.all() and not p.invalid.any()


def test_decimal_comma():
    p = parse_number(S("1.234,5", "12,5"), decimal=",")
    assert p.values.tolist() == [1234.5, 12.5]


def test_integers_reject_fractions():
    p = parse_number(S("3", "3.0", "3.5"), integer=True)
    assert p.values.tolist()[:2] == [3, 3] and p.invalid.tolist() == [False, False, True]
    assert p.detail[2] == "not a whole number"


def test_typed_numbers_pass_through():
    p = parse_number(pd.Series([1.5, np.nan, 3.0]))
    assert p.values.iloc[0] == 1.5 and p.missing.tolist() == [False, True, False]


def test_bools():
    p = parse_bool(S("Yes", "no", "TRUE", "0", "是", "否", "maybe", ""))
    assert p.values.tolist()[:6] == [True, False, True, False, True, False]
    assert p.invalid.tolist() == [False] * 6 + [True, False]
    assert p.missing.tolist()[-1]


def test_strings_strip_and_integral_floats():
    p = parse_string(pd.Series([101.0, 2.5, np.nan]))
    assert p.values.tolist()[:2] == ["101", "2.5"] and p.missing.tolist() == [False, False, True]
    p = parse_string(S("  C001 ", "N/A", ""))
    assert p.values.iloc[0] == "C001" and p.missing.tolist() == [False, True, True]


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-03-05", "2024-03-05"), ("2024/3/5", "2024-03-05"), ("2024.03.05", "2024-03-05"),
    ("2024-03-05 14:22:01", "2024-03-05"), ("2024-03-05T14:22", "2024-03-05"),
    ("2024年3月5日", "2024-03-05"), ("20240305", "2024-03-05"), ("5-Mar-24", "2024-03-05"),
    ("05-Mar-2024", "2024-03-05"), ("5 March 2024", "2024-03-05"), ("Mar 5, 2024", "2024-03-05"),
    ("March 5th, 2024", "2024-03-05"), ("2-Jun-06", "2006-06-02"), ("1-Jan-70", "1970-01-01"),
])
def test_date_formats_known_answers(raw, expected):
    p = parse_date(S(raw))
    assert p.values.iloc[0] == pd.Timestamp(expected)
    assert not p.invalid[0] and pd.isna(p.issue[0])


@pytest.mark.parametrize("raw", ["Date Not Captured", "N/A - From RDC", "Pre-PQ Process",
                                 "2024-02-30", "2024-13-01", "32/01/2024", "soon"])
def test_dates_unusable(raw):
    p = parse_date(S(raw))
    assert pd.isna(p.values.iloc[0]) and p.invalid[0]


def test_numeric_dates_convention_inferred_from_evidence():
    p = parse_date(S("03/04/2024", "25/04/2024"))  # 25 settles day-first
    assert p.values.tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-25")]
    assert p.info["numeric_date_convention"] == "D/M/Y (inferred)"
    assert pd.isna(p.issue).all()


def test_numeric_dates_declared_convention():
    p = parse_date(S("03/04/2024"), DateOptions(dayfirst=True))
    assert p.values.iloc[0] == pd.Timestamp("2024-04-03") and pd.isna(p.issue).all()


def test_numeric_dates_conflicting_evidence_minority_flagged_and_dropped():
    p = parse_date(S("12/25/2024", "11/30/2024", "10/28/2024", "25/12/2024"))
    assert p.info["numeric_date_convention"] == "M/D/Y (inferred)"
    assert list(p.issue)[-1] == "date_format_inconsistent"
    assert pd.isna(p.values.iloc[-1])
    keep = parse_date(S("12/25/2024", "11/30/2024", "25/12/2024"),
                      DateOptions(mixed_formats="keep"))
    assert keep.values.iloc[-1] == pd.Timestamp("2024-12-25")


def test_iso_misread_of_mdy_gets_a_hint():
    # the Kaggle copy of the SCMS data holds "2012-01-06" where the original says 12/1/06
    p = parse_date(S("11/13/06", "12/22/06", "5/13/07", "2012-01-06"))
    assert p.issue[3] == "date_format_inconsistent"
    assert "possibly a misread of 12/1/06 (2006-12-01)" in p.detail[3]


def test_typed_datetimes_pass_through_normalized():
    p = parse_date(pd.Series(pd.to_datetime(["2024-01-01 13:00", None])))
    assert p.values.iloc[0] == pd.Timestamp("2024-01-01") and p.missing.tolist() == [False, True]


@given(st.lists(st.dates(min_value=pd.Timestamp("1990-01-01").date(),
                         max_value=pd.Timestamp("2060-12-31").date()), min_size=1, max_size=30),
       st.sampled_from(["%Y-%m-%d", "%d-%b-%Y", "%Y%m%d", "%Y/%m/%d"]))
def test_date_roundtrip_property(dates, fmt):
    """Any date written in a supported unambiguous format reads back as itself."""
    raw = pd.Series([d.strftime(fmt) for d in dates], dtype=object)
    p = parse_date(raw)
    assert p.values.tolist() == [pd.Timestamp(d) for d in dates]
    assert not p.invalid.any() and pd.isna(p.issue).all()
