"""Numbers are never silently wrong: infinities, overflow, int64 limits and European exports.

Expected values are hand-worked, or written by Python's own number formatting
(the property tests), never taken from the parser under test.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.io.parsing import (
    ISSUE_NUMBER_AMBIGUOUS,
    ISSUE_NUMBER_INCONSISTENT,
    NumberContext,
    decimal_evidence,
    infer_number_context,
    parse_number,
    parse_string,
)

INT64_MAX = 9_223_372_036_854_775_807


def S(*values):
    return pd.Series(list(values), dtype=object)


# --------------------------------------------------------------------------- unusable values
@pytest.mark.parametrize("raw", ["inf", "-inf", "Infinity", "-Infinity", "INF", "NaN", "nan",
                                 "+inf", "1e400", "-1e400", "1,5e400"])
def test_infinity_nan_and_overflow_text_are_unusable_never_quantities(raw):
    p = parse_number(S(raw, "5"))
    assert np.isnan(p.values.iloc[0]) and p.invalid[0] and not p.missing[0]
    assert p.values.iloc[1] == 5.0
    assert pd.isna(p.issue[0])


def test_unusable_number_details_say_why():
    p = parse_number(S("Infinity", "NaN", "1e400"))
    assert "infinite or not-a-number" in p.detail[0] and "'Infinity'" in p.detail[0]
    assert "infinite or not-a-number" in p.detail[1]
    assert "overflows" in p.detail[2]


def test_nan_text_is_unusable_unless_declared_missing():
    p = parse_number(S("NaN"), extra_na=frozenset({"NaN"}))
    assert p.missing[0] and not p.invalid[0]


@pytest.mark.parametrize("integer", [False, True])
def test_infinite_typed_floats_are_unusable(integer):
    p = parse_number(pd.Series([np.inf, -np.inf, 2.0, np.nan]), integer=integer)
    assert p.invalid.tolist() == [True, True, False, False]
    assert p.missing.tolist() == [False, False, False, True]
    assert pd.isna(p.values.iloc[0]) and p.values.iloc[2] == 2


# --------------------------------------------------------------------------- 64-bit integers
def test_integers_beyond_int64_are_unusable_with_a_reason_not_a_type_error():
    p = parse_number(S("99999999999999999999", "9223372036854775808", str(INT64_MAX), "-3",
                       "1e19"), integer=True)
    assert p.invalid.tolist() == [True, True, False, False, True]
    assert p.values.iloc[2] == INT64_MAX and p.values.iloc[3] == -3
    assert all("64-bit integer range" in d for d in p.detail[[0, 1, 4]])


def test_whole_numbers_are_read_exactly_beyond_float_precision():
    # 2**53 + 1 has no float64; through float it would become ...992
    p = parse_number(S("9007199254740993", "12,345,678,901,234,567"), integer=True)
    assert p.values.tolist() == [9_007_199_254_740_993, 12_345_678_901_234_567]


def test_python_ints_and_uint64_beyond_int64_are_unusable():
    obj = parse_number(pd.Series([2 ** 70, 7], dtype=object), integer=True)
    assert obj.invalid.tolist() == [True, False] and obj.values.iloc[1] == 7
    u = parse_number(pd.Series(np.array([2 ** 64 - 1, 4], dtype=np.uint64)), integer=True)
    assert u.invalid.tolist() == [True, False] and u.values.iloc[1] == 4
    assert "64-bit" in u.detail[0]


def test_integer_floats_beyond_int64_are_unusable():
    p = parse_number(pd.Series([1e19, 3.0]), integer=True)
    assert p.invalid.tolist() == [True, False] and p.values.iloc[1] == 3


# --------------------------------------------------------------------------- decimal mark
def test_decimal_comma_column_reads_thousands_dot_as_thousands():
    p = parse_number(S("2,5", "1.200", "1.234,50", "7"))
    assert p.values.tolist() == [2.5, 1200.0, 1234.5, 7.0]
    assert pd.isna(p.issue).all() and not p.invalid.any()
    assert p.info["number_convention"] == "decimal comma (inferred from this column)"


def test_decimal_point_column_reads_thousands_comma_as_thousands():
    p = parse_number(S("2.5", "1,200", "1,234.50"))
    assert p.values.tolist() == [2.5, 1200.0, 1234.5]
    assert pd.isna(p.issue).all()
    assert p.info["number_convention"] == "decimal point (inferred from this column)"


@pytest.mark.parametrize(("raw", "read", "other"), [("1.200", 1.2, "1200"),
                                                     ("1,200", 1200.0, "1.2"),
                                                     ("-3.500", -3.5, "-3500")])
def test_value_that_reads_two_ways_without_evidence_is_flagged(raw, read, other):
    p = parse_number(S(raw, raw, "12"))
    assert p.values.iloc[0] == read
    assert list(p.issue[:2]) == [ISSUE_NUMBER_AMBIGUOUS] * 2 and pd.isna(p.issue[2])
    assert f"would be {other}" in p.detail[0] and "numbers: decimal" in p.detail[0]


def test_other_columns_of_the_file_settle_the_convention():
    ctx = infer_number_context([S("1.200", "3"), S("2,5", "10,75")])
    assert ctx == NumberContext(",", "inferred from the file's other number columns", True)
    p = parse_number(S("1.200", "3"), context=ctx)
    assert p.values.tolist() == [1200.0, 3.0] and pd.isna(p.issue).all()


def test_context_is_only_computed_when_a_column_leaves_the_mark_open():
    calls = []

    def ctx():
        calls.append(1)
        return NumberContext(",", "test", True)

    parse_number(S("2.5", "1,200"), context=ctx)
    parse_number(S("3", "12"), context=ctx)
    assert calls == []
    assert parse_number(S("1.200"), context=ctx).values.iloc[0] == 1200.0
    assert calls == [1]


@pytest.mark.parametrize(("dates", "delimiter", "hint"), [
    ([], ";", "the ';' delimiter"),
    ([S("31.12.2025", "01.02.2026")], ",", "dates written D.M.Y"),
])
def test_semicolon_or_dotted_dates_hint_a_decimal_comma_but_stay_flagged(dates, delimiter, hint):
    ctx = infer_number_context([S("1.200")], dates, delimiter)
    assert ctx.decimal == "," and not ctx.settled and hint in ctx.source
    p = parse_number(S("1.200"), context=ctx)
    assert p.values.iloc[0] == 1200.0 and p.issue[0] == ISSUE_NUMBER_AMBIGUOUS


def test_iso_dates_and_commas_give_no_hint():
    assert infer_number_context([S("1.200")], [S("2025-12-31")], ",") == NumberContext()


def test_declared_decimal_is_the_override():
    assert parse_number(S("1.200"), decimal=".").values.iloc[0] == 1.2
    assert pd.isna(parse_number(S("1.200"), decimal=".").issue[0])
    assert parse_number(S("1.200", "1.234,5"), decimal=",").values.tolist() == [1200.0, 1234.5]
    declared = parse_number(S("1.200"), decimal=",")
    assert declared.info["number_convention"] == "decimal comma (declared in the mapping)"


def test_value_readable_only_the_other_way_keeps_its_reading_and_is_flagged():
    p = parse_number(S("2,5", "3,75", "1.5"))
    assert p.values.tolist() == [2.5, 3.75, 1.5]
    assert list(p.issue) == [None, None, ISSUE_NUMBER_INCONSISTENT]
    assert "decimal point" in p.detail[2] and "decimal comma" in p.detail[2]


def test_mixed_column_flags_two_way_values_even_with_a_majority():
    p = parse_number(S("2,5", "3,5", "4.25", "1.200"))
    assert p.values.iloc[3] == 1200.0 and p.issue[3] == ISSUE_NUMBER_AMBIGUOUS


def test_decimal_evidence_counts_rows():
    assert decimal_evidence(S("2,5", "2,5", "1.200", "1,234.5", "x")) == (1, 2)
    assert decimal_evidence(pd.Series([1.5, 2.5])) == (0, 0)


# --------------------------------------------------------------------------- property
_amount = st.decimals(min_value=0, max_value=10 ** 7, places=3, allow_nan=False,
                      allow_infinity=False)


def _written(value: Decimal, places: int, decimal: str) -> str:
    """Return ``value`` as an ERP export writes it, via Python's own formatting."""
    us = format(value.quantize(Decimal(1).scaleb(-places)), f",.{places}f")
    return us if decimal == "." else us.translate(str.maketrans(",.", ".,"))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.tuples(_amount, st.integers(0, 3)), min_size=1, max_size=12),
       decimal=st.sampled_from([".", ","]),
       hint=st.sampled_from([None, ".", ","]))
def test_a_number_is_read_right_or_flagged_never_silently_wrong(values, decimal, hint):
    """Whatever the convention and whatever a (mere) hint says, each value is either read
    as written or recorded as number_ambiguous."""
    raws = [_written(v, k, decimal) for v, k in values]
    truth = [float(v.quantize(Decimal(1).scaleb(-k))) for v, k in values]
    ctx = NumberContext(hint, "test hint", settled=False) if hint else None
    p = parse_number(pd.Series(raws, dtype=object), context=ctx)
    assert not p.invalid.any(), raws
    for raw, want, got, issue in zip(raws, truth, p.values, p.issue, strict=True):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-9) or issue == \
            ISSUE_NUMBER_AMBIGUOUS, (raw, want, got, issue)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(-(2 ** 63) + 1, 2 ** 63 - 1))
def test_any_int64_reads_back_exactly(n):
    p = parse_number(S(str(n), f"{n:,}"), integer=True)
    assert p.values.tolist() == [n, n] and not p.invalid.any()


# --------------------------------------------------------------------------- identifiers
def test_float_identifiers_beyond_exact_range_are_unusable_not_garbled():
    p = parse_string(pd.Series([1e20, 2.0 ** 53, 123.0, np.inf, np.nan]))
    assert p.invalid.tolist() == [True, True, False, True, False]
    assert p.values.iloc[2] == "123" and p.values.iloc[[0, 1, 3]].isna().all()
    assert "exact identifier" in p.detail[0] and "infinite" in p.detail[3]
    big = parse_string(pd.Series([2 ** 70, 5], dtype=object))  # exact ints stay exact text
    assert big.values.tolist() == [str(2 ** 70), "5"] and not big.invalid.any()


# --------------------------------------------------------------------------- typed numbers
def test_python_number_objects_have_a_decimal_point_whatever_the_file_says():
    from decimal import Decimal

    ctx = NumberContext(",", "a European text column", settled=True)
    dec = parse_number(pd.Series([Decimal("1.200"), None, Decimal("Infinity")], dtype=object),
                       context=ctx)
    assert dec.values.iloc[0] == 1.2 and pd.isna(dec.issue[0]) and "number_convention" \
        not in dec.info
    assert dec.invalid.tolist() == [False, False, True]
    assert parse_number(pd.Series([1.234, 2], dtype=object), context=ctx).values.tolist() == \
        [1.234, 2.0]
    assert decimal_evidence(pd.Series([Decimal("2.5"), Decimal("1.5")], dtype=object)) == (0, 0)
