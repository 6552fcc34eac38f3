"""KPI engine: hand-worked answers for every KPI, exact roll-ups, control charts, real data.

Every expected number below is worked out by hand in the comments from the
small frames defined here -- none was produced by running the code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench import MissingColumnsError, NotAvailableError
from workbench.exceptions import (
    ChoiceError,
    DuplicateKeyError,
    FrequencyError,
    NotAdditiveError,
    RangeError,
)
from workbench.kpis.control import control_limits
from workbench.kpis.definitions import KPI_NAMES, get_definition, kpi_definitions
from workbench.kpis.docs import render_kpi_docs
from workbench.kpis.engine import kpi_table
from workbench.kpis.rollup import reaggregate
from workbench.paths import project_root

NAN = float("nan")


def D(*dates):
    return pd.to_datetime(list(dates))


def kv(table: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """KPI -> (numerator, denominator, value) of a one-group table."""
    assert table["kpi"].is_unique
    return {r.kpi: (r.numerator, r.denominator, r.value) for r in table.itertuples()}


def same(got, expected) -> bool:
    """Tuples equal, NaN == NaN, floats to 1e-12."""
    return len(got) == len(expected) and all(
        (math.isnan(g) and math.isnan(e)) if (isinstance(e, float) and math.isnan(e))
        else g == pytest.approx(e, rel=1e-12, abs=1e-12) for g, e in zip(got, expected,
                                                                         strict=True))


# --------------------------------------------------------------------------------------
# The base frame: 4 orders, 6 live lines and one cancelled line with absurd values
# --------------------------------------------------------------------------------------
#
# line  order cust item  ordered req    prom   ship   deliv  qty o/s/d  price status
# L1    A     c1   i1    01-01   01-10  01-12  01-08  01-10  10/10/10   2     delivered
# L2    A     c1   i2    01-01   01-10  01-12  01-11  01-13   5/4/4     10    delivered
# L3    B     c1   i1    01-05   01-15  01-15  01-14  01-15   8/8/7     2     delivered
# L4    B     c1   i3    01-05   01-20  01-16  01-16  01-17   4/4/4     5     delivered
# L5    C     c2   i2    01-03   01-06  01-08  01-05  -       6/6/-     10    shipped
# L6    D     c2   i1    01-20   01-25  01-26  -      -       3/-/-     2     open
# L7    E     c1   i3    01-02   01-09  01-09  01-30  02-05 100/0/0    1     cancelled
#
# quality: L2 route_changed, not from stock; L3 invoice_error, 1 damaged, substituted by i9;
# L4 2 returned, "substitute" i3 = its own item (not a substitution); L1 substitute "" (blank).
@pytest.fixture
def base() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["A", "A", "B", "B", "C", "D", "E"],
        "line_no": [1, 2, 1, 2, 1, 1, 1],
        "customer_id": ["c1", "c1", "c1", "c1", "c2", "c2", "c1"],
        "item_id": ["i1", "i2", "i1", "i3", "i2", "i1", "i3"],
        "order_date": D("2024-01-01", "2024-01-01", "2024-01-05", "2024-01-05", "2024-01-03",
                        "2024-01-20", "2024-01-02"),
        "requested_date": D("2024-01-10", "2024-01-10", "2024-01-15", "2024-01-20",
                            "2024-01-06", "2024-01-25", "2024-01-09"),
        "promised_date": D("2024-01-12", "2024-01-12", "2024-01-15", "2024-01-16", "2024-01-08",
                           "2024-01-26", "2024-01-09"),
        "ship_date": D("2024-01-08", "2024-01-11", "2024-01-14", "2024-01-16", "2024-01-05",
                       None, "2024-01-30"),
        "delivery_date": D("2024-01-10", "2024-01-13", "2024-01-15", "2024-01-17", None, None,
                           "2024-02-05"),
        "qty_ordered": [10.0, 5, 8, 4, 6, 3, 100],
        "qty_shipped": [10.0, 4, 8, 4, 6, NAN, 0],
        "qty_delivered": [10.0, 4, 7, 4, NAN, NAN, 0],
        "unit_price": [2.0, 10, 2, 5, 10, 2, 1],
        "status": pd.Series(["delivered"] * 4 + ["shipped", "open", "cancelled"], dtype="str"),
        "invoice_error": pd.array([False, False, True, False, None, None, True],
                                  dtype="boolean"),
        "qty_damaged": [0.0, 0, 1, 0, NAN, NAN, 50],
        "qty_returned": [0.0, 0, 0, 2, NAN, NAN, 50],
        "route_changed": pd.array([False, True, False, False, False, None, True],
                                  dtype="boolean"),
        "filled_from_stock": pd.array([True, False, True, True, True, None, False],
                                      dtype="boolean"),
        "substituted_item": pd.Series(["", None, "i9", "i3", None, None, "i7"], dtype="str"),
    })


# Worked by hand. Live lines L1-L6 (L7 cancelled); delivered: L1-L4; shipped: L1-L5; open: L6.
BASE_EXPECTED = {
    "lines": (6, NAN, 6),
    "orders": (4, NAN, 4),  # A, B, C, D (E is cancelled)
    # cycle days: L1 9, L2 12, L3 10, L4 12 -> sum 43, mean 10.75
    "cycle_time_mean": (43, 4, 10.75),
    # sorted 9, 10, 12, 12 -> median (10 + 12) / 2 = 11
    "cycle_time_median": (NAN, 4, 11.0),
    # p90 (linear): position 0.9 x 3 = 2.7 -> 12 + 0.7 x (12 - 12) = 12
    "cycle_time_p90": (NAN, 4, 12.0),
    # squared deviations from 10.75: 3.0625 + 1.5625 + 0.5625 + 1.5625 = 6.75; / 3 = 2.25
    "cycle_time_std": (NAN, 4, 1.5),
    "cycle_time_cv": (NAN, 4, 1.5 / 10.75),
    # per order, first order date to LAST delivery: A 01-01 -> 01-13 = 12, B 01-05 -> 01-17
    # = 12; C (L5 not delivered) and D (open) not judged -> 24 / 2
    "order_cycle_time_mean": (24, 2, 12.0),
    "net_cycle_time_mean": (NAN, NAN, NAN),  # no released_date column
    # vs requested: L1 10<=10 ok, L2 13>10 late, L3 15<=15 ok, L4 17<=20 ok
    "on_time_requested_rate": (3, 4, 0.75),
    # vs promised: L1 10<=12 ok, L2 13>12 late, L3 15<=15 ok, L4 17>16 late
    "on_time_promised_rate": (2, 4, 0.5),
    "on_time_first_promise_rate": (NAN, NAN, NAN),  # no first_promised_date column
    "on_time_promise_gap": (NAN, NAN, NAN),
    # commit = promised; on time L1 (10 units), L3 (8); late L2 (5), L4 (4) -> 18 / 27
    "on_time_qty_rate": (18, 27, 18 / 27),
    # received (delivered, else shipped): L1 10>=10, L2 4<5 no, L3 7<8 no, L4 4>=4, L5 6>=6
    "in_full_line_rate": (3, 5, 0.6),
    # A has L2 short, B has L3 short, C in full; D not judged (open)
    "in_full_order_rate": (1, 3, 1 / 3),
    # commit = promised: L1 ok+full; L2 late; L3 short; L4 late (L5 undelivered: not judged)
    "otif_line_rate": (1, 4, 0.25),
    # A (L2) and B (L3, L4) judged and spoiled; C, D not judged
    "otif_order_rate": (0, 2, 0.0),
    "otif_first_promise_rate": (NAN, NAN, NAN),
    "otif_promise_gap": (NAN, NAN, NAN),
    # OTIF only L1 (10 units) of the judged L1-L4 (10 + 5 + 8 + 4 = 27 units)
    "otif_qty_rate": (10, 27, 10 / 27),
    "perfect_order_rate": (0, 2, 0.0),
    # shipped lines L1-L5: only L2 short (4 < 5)
    "line_fill_rate": (4, 5, 0.8),
    # min(shipped, ordered): 10 + 4 + 8 + 4 + 6 = 32; ordered 10 + 5 + 8 + 4 + 6 = 33
    "unit_fill_rate": (32, 33, 32 / 33),
    # A short (L2); B, C complete; D not judged
    "order_fill_rate": (2, 3, 2 / 3),
    # 10x2 + 4x10 + 8x2 + 4x5 + 6x10 = 156 ; 10x2 + 5x10 + 8x2 + 4x5 + 6x10 = 166
    "value_fill_rate": (156, 166, 156 / 166),
    "short_shipment_rate": (1, 5, 0.2),
    # ship > requested: L1 8<=10, L2 11>10 late, L3 14<=15, L4 16<=20, L5 5<=6
    "late_shipment_rate": (1, 5, 0.2),
    # recorded on L1-L5 (L6 missing): L2 False
    "from_stock_rate": (4, 5, 0.8),
    # shipped with flag and qty: L1-L5; L2 not from stock (and short) -> 1
    "stockout_rate": (1, 5, 0.2),
    # delivered L1-L4, L3 damaged
    "damage_rate": (1, 4, 0.25),
    # damaged 1 / shipped on delivered lines 10 + 4 + 8 + 4 = 26
    "unit_damage_rate": (1, 26, 1 / 26),
    # delivered L1-L4, L4 returned 2
    "return_rate": (1, 4, 0.25),
    # recorded on L1-L4: L3 True
    "invoice_error_rate": (1, 4, 0.25),
    # shipped L1-L5: L3 i9 != i1 counts; L1 "" and L4 i3 (= its item) do not
    "substitution_rate": (1, 5, 0.2),
    # recorded on L1-L5: L2 True
    "route_change_rate": (1, 5, 0.2),
    # as_of 01-31: open L6 (ordered 01-20), commit 01-26 < 01-31, shipped 0 < 3 -> backorder
    "backorder_lines": (1, NAN, 1),
    "backorder_age_days_mean": (5, 1, 5.0),  # 31 - 26
    "open_lines": (1, NAN, 1),
    "open_lines_overdue": (1, NAN, 1),
    "open_line_age_days_mean": (11, 1, 11.0),  # 31 - 20
    "complaints_per_100_orders": (NAN, NAN, NAN),  # no complaints frame
    "complaint_resolution_days_mean": (NAN, NAN, NAN),
}


def test_every_kpi_hand_worked_on_the_base_frame(base):
    t = kpi_table(base, as_of="2024-01-31")
    assert list(t.columns) == ["kpi", "numerator", "denominator", "value", "unit", "note"]
    assert tuple(t["kpi"]) == KPI_NAMES
    assert set(BASE_EXPECTED) == set(KPI_NAMES)
    got = kv(t)
    wrong = {k: (got[k], e) for k, e in BASE_EXPECTED.items() if not same(got[k], e)}
    assert not wrong
    notes = t.set_index("kpi")["note"]
    first = ["on_time_first_promise_rate", "on_time_promise_gap", "otif_first_promise_rate",
             "otif_promise_gap"]
    assert notes.drop(["complaints_per_100_orders", "complaint_resolution_days_mean",
                       "net_cycle_time_mean", *first]).isna().all()
    assert notes["complaints_per_100_orders"] == "not available: needs a complaints frame"
    assert (notes[first] == "not available: needs column first_promised_date").all()
    assert notes["net_cycle_time_mean"] == "not available: needs column released_date"
    assert t.attrs["cancelled_lines"] == 1 and t.attrs["as_of"] == pd.Timestamp("2024-01-31")


def test_cancelled_lines_are_excluded_everywhere(base):
    # more cancelled lines, other spellings, in a new order and in a live order (A)
    extra = base.iloc[[6, 6, 6]].assign(order_id=["F", "A", "G"], line_no=[1, 9, 1],
                                        status=["CANCELLED", " canceled ", "Cancelled"])
    with_more = pd.concat([base, extra], ignore_index=True)
    without = base.iloc[:6]
    a = kpi_table(with_more, "customer_id", as_of="2024-01-31")
    b = kpi_table(without, "customer_id", as_of="2024-01-31")
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["cancelled_lines"] == 4
    # default as_of ignores cancelled lines' order dates too: latest live order date 01-20
    assert kpi_table(with_more, kpis="lines").attrs["as_of"] == pd.Timestamp("2024-01-20")


# --------------------------------------------------------------------------------------
# Order level: OTIF and perfect order
# --------------------------------------------------------------------------------------


def test_one_late_line_spoils_the_order_and_commit_falls_back_to_requested():
    # X: 3 lines in full, X3 one day late vs promised 01-10.
    # Y: Y2 has no promised date -> commit = requested 01-11, delivered 01-10: on time.
    # Z: open, not judged.
    o = pd.DataFrame({
        "order_id": ["X", "X", "X", "Y", "Y", "Z"],
        "requested_date": D("2024-01-08", "2024-01-08", "2024-01-08", "2024-01-12",
                            "2024-01-11", "2024-01-12"),
        "promised_date": D("2024-01-10", "2024-01-10", "2024-01-10", "2024-01-12", None,
                           "2024-01-12"),
        "delivery_date": D("2024-01-10", "2024-01-09", "2024-01-11", "2024-01-12",
                           "2024-01-10", None),
        "qty_ordered": [4.0, 4, 4, 2, 2, 1],
        "qty_delivered": [4.0, 4, 4, 2, 2, NAN],
        "status": ["delivered"] * 5 + ["open"],
    })
    got = kv(kpi_table(o, kpis=["on_time_promised_rate", "otif_line_rate", "otif_order_rate",
                                "in_full_order_rate"]))
    # promised known on X1, X2, X3, Y1: X3 late -> 3/4
    assert same(got["on_time_promised_rate"], (3, 4, 0.75))
    # X1 ok, X2 ok, X3 late, Y1 ok, Y2 ok (fallback) -> 4/5
    assert same(got["otif_line_rate"], (4, 5, 0.8))
    # X spoiled by X3; Y OTIF; Z not judged -> 1/2 (the line rate 0.8 would suggest more)
    assert same(got["otif_order_rate"], (1, 2, 0.5))
    assert same(got["in_full_order_rate"], (2, 2, 1.0))


def test_perfect_order_is_not_the_product_of_component_rates():
    # O1 late; O2 damaged; O3 perfect; O4 line 2 has an invoice error (damage missing = none)
    o = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O4"],
        "promised_date": D(*["2024-01-10"] * 5),
        "delivery_date": D("2024-01-11", "2024-01-10", "2024-01-09", "2024-01-10",
                           "2024-01-10"),
        "qty_ordered": [5.0] * 5,
        "qty_delivered": [5.0] * 5,
        "qty_damaged": [0.0, 1, 0, 0, NAN],
        "invoice_error": pd.array([False, False, False, False, True], dtype="boolean"),
    })
    got = kv(kpi_table(o))
    # only O3 is perfect -> 1/4
    assert same(got["perfect_order_rate"], (1, 4, 0.25))
    # line-level components: on time 4/5, in full 5/5, damage-free 1 - 1/5, invoice ok 1 - 1/5
    assert same(got["on_time_promised_rate"], (4, 5, 0.8))
    assert same(got["in_full_line_rate"], (5, 5, 1.0))
    assert same(got["damage_rate"], (1, 5, 0.2))
    assert same(got["invoice_error_rate"], (1, 5, 0.2))
    product = 0.8 * 1.0 * (1 - 0.2) * (1 - 0.2)  # 0.512
    assert product == pytest.approx(0.512)
    assert got["perfect_order_rate"][2] != pytest.approx(product)
    # OTIF ignores damage and invoices: O2, O3, O4 -> 3/4
    assert same(got["otif_order_rate"], (3, 4, 0.75))


# --------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------


@pytest.fixture
def tolerance_frame() -> pd.DataFrame:
    # promised 01-10, 100 ordered each; delivered on 10th/11th/12th/13th, qty 100/98/95/99
    return pd.DataFrame({
        "order_id": ["T1", "T2", "T3", "T4"],
        "promised_date": D(*["2024-01-10"] * 4),
        "delivery_date": D("2024-01-10", "2024-01-11", "2024-01-12", "2024-01-13"),
        "qty_ordered": [100.0] * 4,
        "qty_delivered": [100.0, 98, 95, 99],
        "status": ["delivered"] * 4,
    })


@pytest.mark.parametrize(("days", "pct", "on_time", "in_full", "otif"), [
    # d=0: only T1 on time; t=0: only T1 (99 < 100) in full; OTIF T1
    (0, 0.0, 1, 1, 1),
    # d=1: T1, T2 on time; t=2 %: >= 98 -> T1, T2, T4 (boundary 98 counts); OTIF T1, T2
    (1, 0.02, 2, 3, 2),
    # d=2: T1, T2, T3; t=5 %: >= 95 -> all; OTIF T1, T2, T3
    (2, 0.05, 3, 4, 3),
])
def test_tolerance_days_and_pct(tolerance_frame, days, pct, on_time, in_full, otif):
    got = kv(kpi_table(tolerance_frame, on_time_tolerance_days=days, in_full_tolerance_pct=pct,
                       kpis=["on_time_promised_rate", "in_full_line_rate", "otif_line_rate"]))
    assert same(got["on_time_promised_rate"], (on_time, 4, on_time / 4))
    assert same(got["in_full_line_rate"], (in_full, 4, in_full / 4))
    assert same(got["otif_line_rate"], (otif, 4, otif / 4))


def test_late_shipment_with_ship_lead_days():
    # requested 01-10; shipped 01-07, 01-08, 01-10, 01-11
    o = pd.DataFrame({
        "order_id": ["S1", "S2", "S3", "S4"],
        "requested_date": D(*["2024-01-10"] * 4),
        "ship_date": D("2024-01-07", "2024-01-08", "2024-01-10", "2024-01-11"),
        "qty_ordered": [1.0] * 4,
    })

    def late(**kw):
        return kv(kpi_table(o, kpis="late_shipment_rate", **kw))["late_shipment_rate"]

    assert same(late(), (1, 4, 0.25))  # ship > 01-10: S4
    assert same(late(ship_lead_days=2), (2, 4, 0.5))  # ship > 01-08: S3, S4
    assert same(late(ship_lead_days=3), (3, 4, 0.75))  # ship > 01-07: S2, S3, S4
    # tolerance moves the limit back: lead 2, d 2 -> ship > 01-10: S4
    assert same(late(ship_lead_days=2, on_time_tolerance_days=2), (1, 4, 0.25))


# --------------------------------------------------------------------------------------
# Open book: backorders and open-order aging
# --------------------------------------------------------------------------------------


@pytest.fixture
def book() -> pd.DataFrame:
    # as_of 03-10
    # P1 open, commit 03-06 (promised), nothing shipped          -> overdue, backorder
    # P2 open, commit 03-05 (requested fallback), 2 of 5 shipped -> overdue, backorder
    # Q1 open, commit 03-20                                      -> open, not overdue
    # Q2 shipped 03-12 (after as_of), commit 03-09               -> open at as_of, backorder
    # R1 shipped 03-05                                           -> closed
    # R2 ordered 03-11 (after as_of)                             -> not counted
    # S1 open, 3 of 3 shipped (status not updated), commit 03-02 -> overdue, not backorder
    # T1 cancelled                                               -> excluded
    return pd.DataFrame({
        "order_id": ["P", "P", "Q", "Q", "R", "R", "S", "T"],
        "line_no": [1, 2, 1, 2, 1, 2, 1, 1],
        "order_date": D("2024-03-01", "2024-03-01", "2024-03-02", "2024-03-02", "2024-03-03",
                        "2024-03-11", "2024-03-01", "2024-03-04"),
        "requested_date": D("2024-03-05", "2024-03-05", "2024-03-20", "2024-03-08",
                            "2024-03-04", "2024-03-15", "2024-03-02", "2024-03-06"),
        "promised_date": D("2024-03-06", None, "2024-03-20", "2024-03-09", "2024-03-04",
                           "2024-03-15", "2024-03-02", "2024-03-06"),
        "ship_date": D(None, None, None, "2024-03-12", "2024-03-05", None, None, None),
        "qty_ordered": [10.0, 5, 4, 4, 6, 2, 3, 9],
        "qty_shipped": [NAN, 2, NAN, 4, 6, NAN, 3, NAN],
        "status": ["open", "open", "open", "shipped", "shipped", "open", "open", "cancelled"],
    })


OPEN_KPIS = ["open_lines", "open_lines_overdue", "open_line_age_days_mean", "backorder_lines",
             "backorder_age_days_mean"]


def test_backorders_and_open_aging_hand_worked(book):
    got = kv(kpi_table(book, as_of="2024-03-10", kpis=OPEN_KPIS))
    # open: P1, P2, Q1, Q2, S1; ages 9, 9, 8, 8, 9 = 43
    assert same(got["open_lines"], (5, NAN, 5))
    assert same(got["open_line_age_days_mean"], (43, 5, 8.6))
    # overdue: P1 (03-06), P2 (03-05), Q2 (03-09), S1 (03-02)
    assert same(got["open_lines_overdue"], (4, NAN, 4))
    # backorders: P1 0<10, P2 2<5, Q2 0<4 (its shipment is after as_of); days past due 4+5+1
    assert same(got["backorder_lines"], (3, NAN, 3))
    assert same(got["backorder_age_days_mean"], (10, 3, 10 / 3))


def test_open_book_tolerance_and_default_as_of(book):
    got = kv(kpi_table(book, as_of="2024-03-10", on_time_tolerance_days=2, kpis=OPEN_KPIS))
    # overdue iff 03-10 > commit + 2: P1 (03-08), P2 (03-07), S1 (03-04); Q2 (03-11) not
    assert same(got["open_lines_overdue"], (3, NAN, 3))
    # backorders P1, P2; ages still from the commit date: 4 + 5
    assert same(got["backorder_lines"], (2, NAN, 2))
    assert same(got["backorder_age_days_mean"], (9, 2, 4.5))
    # default as_of = latest live order date 03-11: R2 now open too (Q2 still open: 03-12)
    t = kpi_table(book, kpis="open_lines")
    assert t.attrs["as_of"] == pd.Timestamp("2024-03-11")
    assert same(kv(t)["open_lines"], (6, NAN, 6))


# --------------------------------------------------------------------------------------
# Not available
# --------------------------------------------------------------------------------------


def test_absent_or_empty_columns_give_not_available_notes(base):
    o = base.drop(columns=["qty_damaged"]).assign(
        invoice_error=pd.array([None] * 7, dtype="boolean"))  # present but entirely missing
    t = kpi_table(o, as_of="2024-01-31").set_index("kpi")
    for k in ("damage_rate", "unit_damage_rate"):
        assert t.loc[k, "note"] == "not available: needs column qty_damaged"
        assert np.isnan(t.loc[k, ["numerator", "denominator", "value"]].astype(float)).all()
    assert t.loc["invoice_error_rate", "note"] == "not available: needs column invoice_error"
    assert t.loc["perfect_order_rate", "note"] == \
        "not available: needs columns qty_damaged, invoice_error"
    assert np.isnan(t.loc["perfect_order_rate", "value"])
    # the rest is untouched
    assert t.loc["otif_line_rate", "value"] == 0.25 and pd.isna(t.loc["otif_line_rate", "note"])


def test_minimal_frame_does_not_crash():
    o = pd.DataFrame({"order_id": ["A", "A", "B"], "qty_ordered": [1.0, 2, 3],
                      "order_date": D("2024-01-01", "2024-01-01", "2024-01-02")})
    t = kpi_table(o).set_index("kpi")
    assert t.loc["lines", "value"] == 3 and t.loc["orders", "value"] == 2
    assert t.loc["on_time_requested_rate", "note"] == \
        "not available: needs columns delivery_date, requested_date"
    assert t.loc["line_fill_rate", "note"] == \
        "not available: needs columns qty_shipped, ship_date or delivery_date or status"
    assert t.loc["cycle_time_median", "note"] == "not available: needs column delivery_date"
    assert t["value"].drop(["lines", "orders"]).isna().all()


# --------------------------------------------------------------------------------------
# Grouping: customers, customer attributes, periods, complaints
# --------------------------------------------------------------------------------------


def test_group_by_customer_attribute(base):
    customers = pd.DataFrame({"customer_id": ["c1", "c2"], "tier": ["A", "B"]})
    t = kpi_table(base, "tier", customers=customers, as_of="2024-01-31",
                  kpis=["lines", "on_time_requested_rate", "open_lines"])
    assert list(t.columns[:2]) == ["tier", "kpi"]
    got = {(r.tier, r.kpi): (r.numerator, r.denominator, r.value) for r in t.itertuples()}
    # tier A = c1: L1-L4 (L7 cancelled); on time vs requested 3/4 (L2 late); nothing open
    assert same(got["A", "lines"], (4, NAN, 4))
    assert same(got["A", "on_time_requested_rate"], (3, 4, 0.75))
    assert same(got["A", "open_lines"], (0, NAN, 0))
    # tier B = c2: L5 (shipped, undelivered), L6 (open)
    assert same(got["B", "lines"], (2, NAN, 2))
    assert same(got["B", "on_time_requested_rate"], (0, 0, NAN))
    assert same(got["B", "open_lines"], (1, NAN, 1))
    with pytest.raises(DuplicateKeyError, match="repeats customer_id"):
        kpi_table(base, "tier", customers=pd.concat([customers, customers]))
    with pytest.raises(ChoiceError, match="cannot group by 'tier'"):
        kpi_table(base, "tier")


def test_group_by_week_of_delivery_date(base):
    t = kpi_table(base, period="W", date_column="delivery_date",
                  kpis=["lines", "cycle_time_mean", "cycle_time_median"])
    # delivered 01-10 (Wed), 01-13 (Sat) -> week of Mon 01-08: L1 9 days, L2 12 days
    #           01-15 (Mon), 01-17 (Wed) -> week of Mon 01-15: L3 10 days, L4 12 days
    # L5, L6 have no delivery date -> left out (L7 is cancelled, not "undated")
    assert t.attrs["undated_lines"] == 2
    assert t["period_start"].drop_duplicates().tolist() == list(D("2024-01-08", "2024-01-15"))
    got = {(r.period_start, r.kpi): (r.numerator, r.denominator, r.value)
           for r in t.itertuples()}
    assert same(got[pd.Timestamp("2024-01-08"), "cycle_time_mean"], (21, 2, 10.5))
    assert same(got[pd.Timestamp("2024-01-15"), "cycle_time_mean"], (22, 2, 11.0))
    assert same(got[pd.Timestamp("2024-01-15"), "cycle_time_median"], (NAN, 2, 11.0))
    # roll-up: the mean re-aggregates (43 / 4), the median does not
    r = kv(reaggregate(t))
    assert same(r["cycle_time_mean"], (43, 4, 10.75))
    assert same(r["cycle_time_median"], (NAN, 4, NAN))
    assert reaggregate(t).set_index("kpi").loc["cycle_time_median", "note"] == \
        "not additive: recompute from the order lines"
    with pytest.raises(FrequencyError, match="cannot roll"):
        reaggregate(t, period="M")  # weeks do not nest in months


@pytest.fixture
def complaint_case() -> tuple[pd.DataFrame, pd.DataFrame]:
    # orders: c1 A (01-05), B (01-20), C (02-02); c2 D (01-10)
    orders = pd.DataFrame({
        "order_id": ["A", "B", "C", "D"], "customer_id": ["c1", "c1", "c1", "c2"],
        "item_id": ["i1", "i2", "i1", "i1"],
        "order_date": D("2024-01-05", "2024-01-20", "2024-02-02", "2024-01-10"),
        "qty_ordered": [1.0, 1, 1, 1]})
    # K1 c1 01-15 resolved in 5 days; K2 c1 02-03 open; K3 c2 01-20, 2 days;
    # K4 c3 (no orders at all) 01-05, 1 day
    complaints = pd.DataFrame({
        "complaint_id": ["K1", "K2", "K3", "K4"], "customer_id": ["c1", "c1", "c2", "c3"],
        "complaint_date": D("2024-01-15", "2024-02-03", "2024-01-20", "2024-01-05"),
        "category": ["late", "short", "late", "damaged"],
        "resolved_date": D("2024-01-20", None, "2024-01-22", "2024-01-06")})
    return orders, complaints


COMPLAINT_KPIS = ["orders", "complaints_per_100_orders", "complaint_resolution_days_mean"]


def test_complaints_hand_worked(complaint_case):
    orders, complaints = complaint_case
    got = kv(kpi_table(orders, complaints=complaints, kpis=COMPLAINT_KPIS))
    assert same(got["complaints_per_100_orders"], (4, 4, 100.0))  # 4 complaints / 4 orders
    assert same(got["complaint_resolution_days_mean"], (8, 3, 8 / 3))  # (5 + 2 + 1) / 3
    t = kpi_table(orders, "customer_id", period="M", complaints=complaints, kpis=COMPLAINT_KPIS)
    got = {(r.customer_id, str(r.period_start.date()), r.kpi): (r.numerator, r.denominator,
                                                                r.value)
           for r in t.itertuples()}
    assert same(got["c1", "2024-01-01", "complaints_per_100_orders"], (1, 2, 50.0))  # K1; A, B
    assert same(got["c1", "2024-02-01", "complaints_per_100_orders"], (1, 1, 100.0))  # K2; C
    assert same(got["c1", "2024-02-01", "complaint_resolution_days_mean"], (0, 0, NAN))
    assert same(got["c2", "2024-01-01", "complaints_per_100_orders"], (1, 1, 100.0))
    # c3 has a complaint but no orders: the group exists, value NaN, and it rolls up
    assert same(got["c3", "2024-01-01", "orders"], (0, NAN, 0))
    assert same(got["c3", "2024-01-01", "complaints_per_100_orders"], (1, 0, NAN))
    assert same(got["c3", "2024-01-01", "complaint_resolution_days_mean"], (1, 1, 1.0))
    assert len(t) == 4 * 3
    rolled = kv(reaggregate(t))
    assert same(rolled["complaints_per_100_orders"], (4, 4, 100.0))
    assert same(rolled["complaint_resolution_days_mean"], (8, 3, 8 / 3))
    assert same(kv(reaggregate(t, period="Q"))["orders"], (4, NAN, 4))  # Jan + Feb -> Q1
    by_item = kpi_table(orders, "item_id", complaints=complaints, kpis=COMPLAINT_KPIS)
    notes = by_item.loc[by_item["kpi"] != "orders", "note"]
    assert (notes == "not available: complaints cannot be grouped by item_id").all()


# --------------------------------------------------------------------------------------
# Exact re-aggregation (property)
# --------------------------------------------------------------------------------------

_DAY0 = pd.Timestamp("2024-01-01")


@st.composite
def order_books(draw):
    """Random order books: order header fields (customer, order date) constant per order."""
    maybe_days = st.one_of(st.none(), st.integers(0, 40))
    maybe_qty = st.one_of(st.none(), st.integers(0, 12))
    maybe_flag = st.sampled_from([None, True, False])
    rows = []
    for o in range(draw(st.integers(1, 10))):
        cust = draw(st.sampled_from(["c1", "c2", "c3"]))
        od = draw(st.integers(0, 120))
        for ln in range(draw(st.integers(1, 3))):
            ship = draw(maybe_days)
            deliv = None if ship is None else draw(st.one_of(st.none(), st.integers(0, 9)))
            rows.append({
                "order_id": f"O{o}", "line_no": ln + 1, "customer_id": cust,
                "item_id": draw(st.sampled_from(["i1", "i2", "i3"])),
                "order_date": od, "requested_date": draw(maybe_days),
                "promised_date": draw(maybe_days), "ship_date": ship,
                "delivery_date": None if deliv is None else ship + deliv,
                "qty_ordered": float(draw(st.integers(1, 10))),
                "qty_shipped": draw(maybe_qty), "qty_delivered": draw(maybe_qty),
                "unit_price": draw(st.one_of(st.none(), st.integers(1, 5))),
                "status": draw(st.sampled_from(["open", "shipped", "delivered", "Cancelled",
                                                None])),
                "invoice_error": draw(maybe_flag), "route_changed": draw(maybe_flag),
                "filled_from_stock": draw(maybe_flag),
                "qty_damaged": draw(st.one_of(st.none(), st.integers(0, 2))),
                "qty_returned": draw(st.one_of(st.none(), st.integers(0, 2))),
                "substituted_item": draw(st.sampled_from([None, "", "i1", "i9"])),
            })
    f = pd.DataFrame(rows)
    od = f["order_date"].astype("float64")  # other dates are offsets from the order date
    for c in ("order_date", "requested_date", "promised_date", "ship_date", "delivery_date"):
        days = od if c == "order_date" else od + f[c].astype("float64")
        f[c] = _DAY0 + pd.to_timedelta(days, unit="D")
    for c in ("qty_shipped", "qty_delivered", "unit_price", "qty_damaged", "qty_returned"):
        f[c] = f[c].astype("float64")
    for c in ("invoice_error", "route_changed", "filled_from_stock"):
        f[c] = f[c].astype("boolean")
    for c in ("order_id", "customer_id", "item_id", "status", "substituted_item"):
        f[c] = f[c].astype("str")
    n_c = draw(st.integers(0, 5))
    cdays = [draw(st.integers(0, 130)) for _ in range(n_c)]
    takes = [draw(st.one_of(st.none(), st.integers(0, 9))) for _ in range(n_c)]
    resolved = [None if r is None else d + r for d, r in zip(cdays, takes, strict=True)]
    complaints = pd.DataFrame({
        "complaint_id": [f"K{i}" for i in range(n_c)],
        "customer_id": pd.Series([draw(st.sampled_from(["c1", "c2", "c4"]))
                                  for _ in range(n_c)], dtype="str"),
        "complaint_date": _DAY0 + pd.to_timedelta(pd.Series(cdays, dtype="float64"), unit="D"),
        "category": ["late"] * n_c,
        "resolved_date": _DAY0 + pd.to_timedelta(pd.Series(resolved, dtype="float64"),
                                                 unit="D"),
    })
    return f, complaints


ADDITIVE = set(kpi_definitions().query("additive")["name"])
LINE_LEVEL_ADDITIVE = set(kpi_definitions().query("additive and level == 'line'")["name"])


def _compare(table: pd.DataFrame, overall: pd.DataFrame, names: set[str]) -> None:
    """reaggregate(table) equals the overall table on the KPIs ``names``."""
    if table.empty:  # no group at all (every line cancelled, no complaints): nothing to roll up
        assert kv(overall)["lines"][0] == 0
        return
    rolled = reaggregate(table)
    a = rolled[rolled["kpi"].isin(names)].set_index("kpi")
    b = overall[overall["kpi"].isin(names)].set_index("kpi").loc[a.index]
    assert len(a) == len(names)
    for col in ("numerator", "denominator", "value"):  # integer-valued data: sums are exact
        pd.testing.assert_series_equal(a[col], b[col], check_exact=True)
    pd.testing.assert_series_equal(a["note"], b["note"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_books())
def test_customer_month_table_rolls_up_to_the_overall_table_exactly(case):
    orders, complaints = case
    overall = kpi_table(orders, complaints=complaints)
    fine = kpi_table(orders, "customer_id", period="M", complaints=complaints)
    _compare(fine, overall, ADDITIVE)
    # monthly totals from the customer x month table = the monthly table
    monthly = kpi_table(orders, period="M", complaints=complaints)
    if fine.empty:
        assert monthly.empty
        return
    a = reaggregate(fine, "period_start")
    keep = a["kpi"].isin(ADDITIVE).to_numpy()
    pd.testing.assert_frame_equal(a[keep].reset_index(drop=True),
                                  monthly[monthly["kpi"].isin(ADDITIVE)].reset_index(drop=True),
                                  check_exact=True)
    # grouping by item splits orders: exact for line-level KPIs
    by_item = kpi_table(orders, "item_id", period="Q")
    _compare(by_item, overall, LINE_LEVEL_ADDITIVE)


# --------------------------------------------------------------------------------------
# Control charts
# --------------------------------------------------------------------------------------


def _period_table(kpi: str, nums, dens, values=None) -> pd.DataFrame:
    n = len(dens)
    values = values if values is not None else [a / b for a, b in zip(nums, dens, strict=True)]
    return pd.DataFrame({
        "period_start": pd.date_range("2024-01-01", periods=n, freq="MS"),
        "kpi": [kpi] * n, "numerator": nums, "denominator": dens, "value": values,
        "unit": ["fraction"] * n, "note": pd.Series([None] * n, dtype="str")})


def test_p_chart_known_answer():
    # Jan 8/10, Feb 9/10, Mar 4/20, Apr 18/20 -> p = 39/60 = 0.65
    # These four months are overdispersed (sigma_z ~ 3.9, see test_laney_p_chart_*), so
    # the default chart="auto" would pick the Laney p' chart: ask for the p-chart.
    t = _period_table("on_time_promised_rate", [8, 9, 4, 18], [10, 10, 20, 20])
    cl = control_limits(t, "on_time_promised_rate", chart="p")
    assert list(cl.columns) == ["period_start", "value", "center", "lcl", "ucl", "signal",
                                "deteriorated", "chart", "sigma_z"]
    assert cl.attrs["chart"] == "p"
    assert np.allclose(cl["center"], 0.65)
    # n=10: 3 sqrt(0.65 x 0.35 / 10) = 3 x 0.150831 = 0.452493 -> [0.197507, 1.102493 -> 1]
    # n=20: 3 sqrt(0.65 x 0.35 / 20) = 3 x 0.106654 = 0.319961 -> [0.330039, 0.969961]
    assert np.allclose(cl["lcl"], [0.197507, 0.197507, 0.330039, 0.330039], atol=1e-6)
    assert np.allclose(cl["ucl"], [1.0, 1.0, 0.969961, 0.969961], atol=1e-6)
    # Mar 0.2 < 0.330 -> signal, and a fall in an on-time rate is a deterioration
    assert cl["signal"].tolist() == [False, False, True, False]
    assert cl["deteriorated"].tolist() == [False, False, True, False]
    # same numbers for late shipments: the low month is a signal but an improvement
    t2 = _period_table("late_shipment_rate", [8, 9, 4, 18], [10, 10, 20, 20])
    cl2 = control_limits(t2, "late_shipment_rate", chart="p")
    assert cl2["signal"].tolist() == [False, False, True, False]
    assert not cl2["deteriorated"].any()


def test_laney_p_chart_known_answer():
    # p-chart numbers of test_p_chart_known_answer: z = (p_t - 0.65) / sigma_t with
    # sigma_t = 0.150831 (n=10) or 0.106654 (n=20):
    #   Jan (0.8 - 0.65) / 0.150831 = 0.994491   Feb (0.9 - 0.65) / 0.150831 = 1.657484
    #   Mar (0.2 - 0.65) / 0.106654 = -4.219257  Apr (0.9 - 0.65) / 0.106654 = 2.344032
    # moving ranges 0.662994, 5.876741, 6.563289 -> mean 4.367675 -> sigma_z = 3.872052
    t = _period_table("on_time_promised_rate", [8, 9, 4, 18], [10, 10, 20, 20])
    cl = control_limits(t, "on_time_promised_rate")
    assert cl.attrs["chart"] == "laney" and (cl["chart"] == "laney").all()
    assert np.allclose(cl["sigma_z"], 3.872052, atol=1e-6)
    # 3 sigma_t sigma_z = 1.752063 (n=10), 1.238900 (n=20): both clip to [0, 1]
    assert np.allclose(cl["lcl"], 0.0) and np.allclose(cl["ucl"], 1.0)
    assert not cl["signal"].any()
    # chart="p" reports the same sigma_z with the plain limits
    assert np.allclose(control_limits(t, "on_time_promised_rate", chart="p")["sigma_z"],
                       3.872052, atol=1e-6)


def test_laney_p_chart_five_periods_by_hand():
    # n_t = 100, 400, 100, 400, 100; x_t = 70, 160, 30, 240, 50
    # p_t = 0.70, 0.40, 0.30, 0.60, 0.50; center p = 550 / 1100 = 0.5
    # sigma_t = sqrt(0.25 / n_t) = 0.05 (n=100) or 0.025 (n=400)
    # z_t = 0.2/0.05 = 4, -0.1/0.025 = -4, -0.2/0.05 = -4, 0.1/0.025 = 4, 0
    # moving ranges 8, 0, 8, 4 -> mean 5 -> sigma_z = 5 / 1.128 = 4.432624
    t = _period_table("otif_order_rate", [70, 160, 30, 240, 50], [100, 400, 100, 400, 100])
    cl = control_limits(t, "otif_order_rate", chart="laney")
    assert cl.attrs["chart"] == "laney"
    assert np.allclose(cl["center"], 0.5)
    assert np.allclose(cl["sigma_z"], 4.432624, atol=1e-6)
    # n=100: 3 x 0.05 x 4.432624 = 0.664894 -> [0, 1] after clipping
    # n=400: 3 x 0.025 x 4.432624 = 0.332447 -> [0.167553, 0.832447]
    assert np.allclose(cl["lcl"], [0, 0.167553, 0, 0.167553, 0], atol=1e-6)
    assert np.allclose(cl["ucl"], [1, 0.832447, 1, 0.832447, 1], atol=1e-6)
    assert not cl["signal"].any()
    # the plain p-chart: +/- 0.15 (n=100) or 0.075 (n=400) -> |z| = 4 > 3 flags all four
    p = control_limits(t, "otif_order_rate", chart="p")
    assert np.allclose(p["lcl"], [0.35, 0.425, 0.35, 0.425, 0.35])
    assert np.allclose(p["ucl"], [0.65, 0.575, 0.65, 0.575, 0.65])
    assert p["signal"].tolist() == [True, True, True, True, False]
    assert p["deteriorated"].tolist() == [False, True, True, False, False]
    assert (p["chart"] == "p").all()
    # auto: sigma_z > 1 -> Laney
    auto = control_limits(t, "otif_order_rate")
    pd.testing.assert_frame_equal(auto, cl)
    # chart="xmr" charts the rates as plain values: center 2.5 / 5 = 0.5, moving ranges
    # 0.3, 0.1, 0.3, 0.1 -> 0.2; limits 0.5 -/+ 2.66 x 0.2 = [-0.032, 1.032], not clipped
    x = control_limits(t, "otif_order_rate", chart="xmr")
    assert x.attrs["chart"] == "xmr" and x["sigma_z"].isna().all()
    assert np.allclose(x["lcl"], -0.032) and np.allclose(x["ucl"], 1.032)


def test_laney_still_flags_a_real_shift():
    # baseline Jan-Apr: 55, 45, 55, 45 of 100 -> p = 200 / 400 = 0.5, sigma_t = 0.05
    # z = 1, -1, 1, -1; moving ranges 2, 2, 2 -> sigma_z = 2 / 1.128 = 1.773050
    # limits 0.5 -/+ 3 x 0.05 x 1.773050 = 0.5 -/+ 0.265957 -> [0.234043, 0.765957]
    # May 20/100 = 0.2 (z = -6, outside the baseline) is below: a deterioration
    t = _period_table("on_time_promised_rate", [55, 45, 55, 45, 20], [100] * 5)
    cl = control_limits(t, "on_time_promised_rate", baseline=(None, "2024-04-01"))
    assert cl.attrs["chart"] == "laney"
    assert np.allclose(cl["sigma_z"], 1.773050, atol=1e-6)
    assert np.allclose(cl["lcl"], 0.234043, atol=1e-6)
    assert np.allclose(cl["ucl"], 0.765957, atol=1e-6)
    assert cl["signal"].tolist() == [False] * 4 + [True]
    assert cl["deteriorated"].tolist() == [False] * 4 + [True]


def test_auto_keeps_the_p_chart_without_overdispersion():
    # 50, 52, 50, 48, 50 of 100: p = 250 / 500 = 0.5, sigma_t = sqrt(0.25 / 100) = 0.05
    # z = 0, 0.4, 0, -0.4, 0; moving ranges 0.4 x 4 -> sigma_z = 0.4 / 1.128 = 0.354610
    t = _period_table("otif_order_rate", [50, 52, 50, 48, 50], [100] * 5)
    cl = control_limits(t, "otif_order_rate")
    assert cl.attrs["chart"] == "p" and (cl["chart"] == "p").all()
    assert np.allclose(cl["sigma_z"], 0.354610, atol=1e-6)
    # sigma_z < 1 -> plain p-chart limits 0.5 -/+ 3 x 0.05 = [0.35, 0.65]
    assert np.allclose(cl["lcl"], 0.35) and np.allclose(cl["ucl"], 0.65)
    pd.testing.assert_frame_equal(cl, control_limits(t, "otif_order_rate", chart="p"))
    # forcing Laney narrows them: 0.5 -/+ 3 x 0.05 x 0.354610 = [0.446809, 0.553191]
    lan = control_limits(t, "otif_order_rate", chart="laney")
    assert np.allclose(lan["lcl"], 0.446809, atol=1e-6)
    assert np.allclose(lan["ucl"], 0.553191, atol=1e-6)
    assert not lan["signal"].any()


def test_auto_chart_is_chosen_per_group():
    # customer a: the overdispersed five periods above; customer b: the calm ones
    a = _period_table("otif_order_rate", [70, 160, 30, 240, 50], [100, 400, 100, 400, 100])
    b = _period_table("otif_order_rate", [50, 52, 50, 48, 50], [100] * 5)
    t = pd.concat([a.assign(customer_id="a"), b.assign(customer_id="b")], ignore_index=True)
    t = t[["customer_id", *a.columns]]
    cl = control_limits(t, "otif_order_rate", by="customer_id")
    assert cl.attrs["chart"] == "mixed"
    assert cl.groupby("customer_id")["chart"].unique().map(list).to_dict() == {
        "a": ["laney"], "b": ["p"]}
    assert np.allclose(cl.groupby("customer_id")["sigma_z"].first(), [4.432624, 0.354610],
                       atol=1e-6)
    # undefined sigma_z (a single period) -> auto keeps the p-chart, forced Laney has no limits
    one = _period_table("otif_order_rate", [70], [100])
    assert control_limits(one, "otif_order_rate").attrs["chart"] == "p"
    forced = control_limits(one, "otif_order_rate", chart="laney")
    assert forced["sigma_z"].isna().all() and forced["lcl"].isna().all()
    assert not forced["signal"].any()


def test_chart_parameter_errors():
    t = _period_table("cycle_time_mean", [10, 12, 11], [1] * 3)
    with pytest.raises(ChoiceError, match="chart='np'"):
        control_limits(t, "cycle_time_mean", chart="np")
    with pytest.raises(ChoiceError, match="not a rate"):
        control_limits(t, "cycle_time_mean", chart="laney")
    with pytest.raises(ChoiceError, match="not a rate"):
        control_limits(t, "cycle_time_mean", chart="p")
    cl = control_limits(t, "cycle_time_mean")
    assert (cl["chart"] == "xmr").all() and cl["sigma_z"].isna().all()


def test_laney_on_the_sample_monthly_otif():
    orders = wb.load_dataset("samples").orders
    t = kpi_table(orders, period="M", kpis=["otif_order_rate"])
    p = control_limits(t, "otif_order_rate", chart="p")
    auto = control_limits(t, "otif_order_rate")
    n = len(auto)
    assert n >= 12
    # thousands of orders a month vary more than binomial sampling allows ...
    assert (auto["sigma_z"] > 1).all() and auto.attrs["chart"] == "laney"
    # ... so the Laney limits are wider than the p-chart's by the factor sigma_z
    assert (auto["lcl"] <= p["lcl"] + 1e-12).all() and (auto["ucl"] >= p["ucl"] - 1e-12).all()
    assert np.allclose((auto["ucl"] - auto["center"]) / (p["ucl"] - p["center"]),
                       auto["sigma_z"])
    # and far fewer months are flagged
    assert auto["signal"].sum() < p["signal"].sum()
    assert auto["signal"].sum() <= 0.25 * n


def test_xmr_chart_known_answer():
    # cycle_time_mean by month: 10, 12, 11, 13, 24 days
    t = _period_table("cycle_time_mean", [10, 12, 11, 13, 24], [1] * 5)
    # baseline Jan-Apr: center 46/4 = 11.5; moving ranges 2, 1, 2 -> 5/3
    # limits 11.5 -/+ 2.66 x 5/3 = 11.5 -/+ 4.4333 -> [7.0667, 15.9333]; May 24 above
    cl = control_limits(t, "cycle_time_mean", baseline=(None, "2024-04-01"))
    assert cl.attrs["chart"] == "xmr"
    assert np.allclose(cl["center"], 11.5)
    assert np.allclose(cl["lcl"], 7.066667, atol=1e-6)
    assert np.allclose(cl["ucl"], 15.933333, atol=1e-6)
    assert cl["signal"].tolist() == [False] * 4 + [True]
    assert cl["deteriorated"].tolist() == [False] * 4 + [True]  # longer cycle = worse
    # all five as baseline: center 70/5 = 14, MR 2, 1, 2, 11 -> 4; limits 14 -/+ 10.64
    # -> [3.36, 24.64]: the outlier inflates its own limits and is no longer a signal
    cl = control_limits(t, "cycle_time_mean")
    assert np.allclose(cl["lcl"], 3.36) and np.allclose(cl["ucl"], 24.64)
    assert not cl["signal"].any()


def test_control_limits_from_a_kpi_table_by_customer_and_month(base):
    t = kpi_table(base, "customer_id", period="M", date_column="delivery_date")
    # one chart per customer: c1 has Jan (L1-L4 delivered); c2 has no delivered line
    cl = control_limits(t, "on_time_requested_rate", by="customer_id")
    assert cl["customer_id"].tolist() == ["c1"]
    assert np.allclose(cl["center"], 0.75)  # 3/4
    # by=None rolls the customers up first (rates are additive)
    cl = control_limits(t, "on_time_requested_rate")
    assert cl["value"].tolist() == [0.75]
    with pytest.raises(NotAdditiveError, match="not additive"):
        control_limits(t, "cycle_time_median")
    with pytest.raises(MissingColumnsError, match="by period"):
        control_limits(kpi_table(base), "on_time_requested_rate")
    no_damage = kpi_table(base.drop(columns="qty_damaged"), period="M")
    with pytest.raises(NotAvailableError, match="qty_damaged"):
        control_limits(no_damage, "damage_rate")


# --------------------------------------------------------------------------------------
# Parameters, definitions, docs
# --------------------------------------------------------------------------------------


def test_parameter_errors(base):
    with pytest.raises(FrequencyError, match="unknown period"):
        kpi_table(base, period="Y")
    with pytest.raises(ChoiceError, match="unknown KPI"):
        kpi_table(base, kpis=["otif"])
    with pytest.raises(RangeError, match="fraction"):
        kpi_table(base, in_full_tolerance_pct=5)
    with pytest.raises(RangeError, match=">= 0"):
        kpi_table(base, on_time_tolerance_days=-1)
    with pytest.raises(ChoiceError, match="reserved"):
        kpi_table(base, by="period_start")
    with pytest.raises(MissingColumnsError):
        kpi_table(base.drop(columns="order_id"))
    with pytest.raises(NotAvailableError, match="ship_date"):
        kpi_table(base.drop(columns="ship_date"), period="M", date_column="ship_date")
    # kpis= selects and keeps definition order
    assert kpi_table(base, kpis=["otif_line_rate", "lines"])["kpi"].tolist() == \
        ["lines", "otif_line_rate"]


def test_definitions_table():
    d = kpi_definitions()
    assert list(d.columns[:10]) == ["name", "label", "formula", "numerator", "denominator",
                                    "required_columns", "unit", "additive",
                                    "higher_is_better", "conventions"]
    assert d["name"].is_unique and tuple(d["name"]) == KPI_NAMES
    assert d["name"].str.fullmatch(r"[a-z0-9_]+").all()
    not_additive = set(d.loc[~d["additive"], "name"])
    assert not_additive == {"cycle_time_median", "cycle_time_p90", "cycle_time_std",
                            "cycle_time_cv"}
    assert get_definition("perfect_order_rate").required_columns == (
        "delivery_date, promised_date or requested_date, qty_delivered or qty_shipped, "
        "qty_damaged, invoice_error")
    assert d.set_index("name").loc["cycle_time_mean", "higher_is_better"] == False  # noqa: E712
    assert pd.isna(d.set_index("name").loc["lines", "higher_is_better"])


def test_docs_are_in_sync_with_the_definitions():
    path = project_root() / "docs" / "kpis.md"
    assert path.read_text(encoding="utf-8") == render_kpi_docs(), (
        "docs/kpis.md is stale: run python -c \"from workbench.kpis import write_kpi_docs; "
        "write_kpi_docs('docs/kpis.md')\"")
    text = render_kpi_docs()
    for name in KPI_NAMES:
        assert f"### `{name}`" in text


# --------------------------------------------------------------------------------------
# Real data: both public copies of the SCMS history agree
# --------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_both_scms_copies_give_the_same_kpis(real_kaggle, real_usaid):
    k = wb.load_orders(real_kaggle, mapping="scms_shipments").orders
    u = wb.load_orders(real_usaid, mapping="scms_shipments").orders
    valid_k = k.loc[k["order_date"].notna() & k["delivery_date"].notna(), "line_no"]
    valid_u = u.loc[u["order_date"].notna() & u["delivery_date"].notna(), "line_no"]
    common = pd.Index(valid_k).intersection(pd.Index(valid_u))
    assert len(common) > 2_500
    ks, us = k[k["line_no"].isin(common)], u[u["line_no"].isin(common)]
    kpis = ["lines", "on_time_promised_rate", "cycle_time_mean", "cycle_time_median"]
    for by, period in ((None, None), ("customer_id", "Q")):
        a = kpi_table(ks, by, period=period, kpis=kpis)
        b = kpi_table(us, by, period=period, kpis=kpis)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    overall = kv(kpi_table(ks, kpis=kpis))
    assert overall["lines"][0] == len(common)
    assert overall["on_time_promised_rate"][1] == len(common)  # all delivered and promised
    assert 0 < overall["on_time_promised_rate"][2] < 1
    assert overall["cycle_time_median"][2] > 0


def test_provisional_periods_set_no_limits_and_never_signal():
    # XmR of 10, 12, 10, 12 then a provisional 30: the limits come from the four mature
    # months only (center 11, mean moving range 2 -> 11 -/+ 5.32), and 30 is not a signal
    starts = pd.date_range("2024-01-01", periods=5, freq="MS")
    t = pd.DataFrame({"period_start": starts, "kpi": "cycle_time_mean",
                      "numerator": np.nan, "denominator": np.nan,
                      "value": [10.0, 12.0, 10.0, 12.0, 30.0], "unit": "days", "note": None,
                      "provisional": [False] * 4 + [True]})
    cl = control_limits(t, "cycle_time_mean")
    assert np.allclose(cl["center"], 11.0) and np.allclose(cl["ucl"], 11.0 + 2.66 * 2.0)
    assert cl["provisional"].tolist() == [False] * 4 + [True]
    assert not cl["signal"].any() and not cl["deteriorated"].any()
    plain = control_limits(t.drop(columns="provisional"), "cycle_time_mean")
    # unmarked, the censored month drags the limits: center (10+12+10+12+30)/5 = 14.8,
    # mean moving range (2+2+2+18)/4 = 6
    assert "provisional" not in plain and np.allclose(plain["center"], 14.8)
    assert np.allclose(plain["ucl"], 14.8 + 2.66 * 6.0)
