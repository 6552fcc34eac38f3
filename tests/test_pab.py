"""Tests for the PAB/ATP engine (workbench.planning.pab).

Known-answer tests are worked by hand in the comments; property tests compare the
vectorized engine with straightforward per-item, per-period reference loops
written in this file.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import (
    ChoiceError,
    ConfigError,
    CountError,
    DateParameterError,
    FrequencyError,
    InputTypeError,
    MissingColumnsError,
    RangeError,
    WorkbenchError,
)
from workbench.planning import allocation as allocation_module
from workbench.planning import pab as pab_module
from workbench.planning.allocation import allocate_shortages
from workbench.planning.buckets import PabInput, buckets_from_long, build_buckets
from workbench.planning.pab import (
    LONG_COLUMNS,
    SUMMARY_COLUMNS,
    pab_table,
    planned_dependency,
    project_pab,
    stress_supply,
)

MONDAY = pd.Timestamp("2025-01-06")
WEEKS = pd.date_range(MONDAY, periods=12, freq="7D")
PROPS = settings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def one_item(orders, forecast=None, supply=None, on_hand=0.0, safety_stock=0.0,
             planned=None) -> PabInput:
    """PabInput for a single item ``X`` from per-period lists (period 0 = MONDAY)."""
    t = len(orders)
    data = {
        "item_id": "X",
        "period_start": WEEKS[:t],
        "customer_orders": orders,
        "forecast": forecast if forecast is not None else [0.0] * t,
        "supply_firm": supply if supply is not None else [0.0] * t,
        "supply_planned": planned if planned is not None else [0.0] * t,
    }
    return buckets_from_long(pd.DataFrame(data), as_of=MONDAY, horizon=t,
                             on_hand={"X": on_hand}, safety_stock={"X": safety_stock})


def frames(lines=(), forecast=(), receipts=(), stock=(), items=None):
    """Data-model frames from tuples (helpers keep the known-answer tests short)."""
    orders = pd.DataFrame(list(lines), columns=["order_id", "line_no", "customer_id", "item_id",
                                                "requested_date", "qty_ordered"])
    orders["order_date"] = pd.Timestamp("2024-12-01")
    fc = pd.DataFrame(list(forecast), columns=["item_id", "period_start", "forecast_qty"])
    sp = pd.DataFrame(list(receipts), columns=["receipt_id", "item_id", "due_date", "qty", "firm"])
    sp["firm"] = sp["firm"].astype(bool)
    inv = pd.DataFrame(list(stock), columns=["item_id", "snapshot_date", "on_hand"])
    for df, col in ((orders, "requested_date"), (fc, "period_start"), (sp, "due_date"),
                    (inv, "snapshot_date")):
        df[col] = pd.to_datetime(df[col])
    return orders, fc, sp, inv


# --------------------------------------------------------------------------------------
# Known answers
# --------------------------------------------------------------------------------------


def test_domain_example_week3_pab_and_slipped_receipt():
    # Weeks 1..4 = periods 0..3, demand time fence 2 (weeks 1-2: orders only).
    # On hand 40.  Week 1: orders 12 (forecast 10)          -> PAB 40 - 12 = 28
    #              Week 2: orders 14 (forecast 15)          -> PAB 28 - 14 = 14
    #              Week 3: orders 15 > forecast 12, MPS 50  -> PAB 14 - 15 + 50 = 49
    #              Week 4: orders 0, forecast 12            -> PAB 49 - 12 = 37
    # Slip the MPS receipt one week: week 3 PAB = 14 - 15 = -1 (shortage), week 4 = -1 + 50 - 12.
    orders, fc, sp, inv = frames(
        lines=[("SO1", 1, "C1", "X", "2025-01-07", 12), ("SO2", 1, "C2", "X", "2025-01-14", 14),
               ("SO3", 1, "C1", "X", "2025-01-21", 15)],
        forecast=[("X", WEEKS[k], q) for k, q in enumerate([10, 15, 12, 12])],
        receipts=[("MPS1", "X", "2025-01-22", 50, True)],
        stock=[("X", "2025-01-06", 40)],
    )
    inputs = build_buckets(orders, fc, sp, inv, as_of=MONDAY, horizon=4)
    res = project_pab(inputs, demand_time_fence=2)
    assert res.demand[0].tolist() == [12, 14, 15, 12]
    assert res.pab[0].tolist() == [28, 14, 49, 37]
    assert res.pab[0, 2] == 14 - 15 + 50 == 49
    assert not res.shortage.any()

    slipped = project_pab(stress_supply(inputs, slip_periods=1), demand_time_fence=2)
    assert slipped.pab[0].tolist() == [28, 14, -1, 37]
    assert slipped.shortage[0].tolist() == [False, False, True, False]
    summary = slipped.summary.iloc[0]
    assert summary["first_shortage_period"] == 2
    assert summary["first_shortage_date"] == pd.Timestamp("2025-01-20")
    assert summary["min_pab"] == -1 and summary["max_shortage_qty"] == 1

    # The week-3 risk rests on a firm receipt, so it is not a planned-receipt dependency.
    assert planned_dependency(inputs, slip_periods=1).empty


# A textbook-style MPS record (the layout of APICS / Arnold "Introduction to Materials
# Management"): on hand 45, forecast 30 a week, MPS lot 80, demand time fence after
# period 2 (periods are 1-based in the comments, 0-based in the arrays).
#
# period           1    2    3    4    5    6    7    8
# forecast        30   30   30   30   30   30   30   30
# customer orders 35   25   20   40   10    5    0    0
# demand          35   25   30   40   30   30   30   30   (orders in the fence, then
#                                                          max(fc, orders): period 4 = 40)
# PAB w/o MPS     10  -15  -> MPS 80 in period 2
# PAB             10   65   35   75   45   15   65   35
#   p1: 45 - 35 = 10          p2: 10 - 25 + 80 = 65     p3: 65 - 30 = 35
#   p4: 35 - 40 = -5 -> MPS 80: 75                      p5: 75 - 30 = 45
#   p6: 45 - 30 = 15          p7: 15 - 30 = -15 -> MPS 80: 65   p8: 65 - 30 = 35
# MPS                  80        80             80
# ATP (customer orders only, until the next MPS):
#   p1: 45 + 0 - 35            = 10
#   p2: 80 - (25 + 20)         = 35
#   p4: 80 - (40 + 10 + 5)     = 25
#   p7: 80 - (0 + 0)           = 80
# cum ATP         10   45   45   70   70   70  150  150
TEXTBOOK = {
    "on_hand": 45,
    "forecast": [30] * 8,
    "orders": [35, 25, 20, 40, 10, 5, 0, 0],
    "mps": [0, 80, 0, 80, 0, 0, 80, 0],
    "demand": [35, 25, 30, 40, 30, 30, 30, 30],
    "pab": [10, 65, 35, 75, 45, 15, 65, 35],
    "atp": [10, 35, 0, 25, 0, 0, 80, 0],
    "cum_atp": [10, 45, 45, 70, 70, 70, 150, 150],
}


@pytest.mark.parametrize("lookahead", [True, False])
def test_textbook_mps_record(lookahead):
    tb = TEXTBOOK
    inputs = one_item(tb["orders"], tb["forecast"], tb["mps"], on_hand=tb["on_hand"])
    res = project_pab(inputs, demand_time_fence=2, atp_lookahead=lookahead)
    assert res.demand[0].tolist() == tb["demand"]
    assert res.pab[0].tolist() == tb["pab"]
    assert res.opening[0].tolist() == [45, *tb["pab"][:-1]]
    assert res.atp[0].tolist() == tb["atp"]  # no negative ATP: look-ahead changes nothing
    assert res.cum_atp[0].tolist() == tb["cum_atp"]
    long = res.long
    assert tuple(long.columns) == LONG_COLUMNS
    assert long["pab"].tolist() == tb["pab"] and long["atp"].tolist() == tb["atp"]
    assert long["period"].tolist() == list(range(8))
    assert long["period_start"].tolist() == list(WEEKS[:8])


def test_textbook_weeks_of_cover():
    # PAB 10 at the end of period 1; next demands 25, 30, ... -> 10/25 = 0.4 periods.
    # PAB 65 after period 2; next demands 30, 40 -> 1 + 35/40 = 1.875.
    # PAB 35 after period 8 (last): nothing left to cover in the horizon -> inf.
    tb = TEXTBOOK
    res = project_pab(one_item(tb["orders"], tb["forecast"], tb["mps"], on_hand=45))
    cover = res.weeks_of_cover[0]
    assert cover[0] == pytest.approx(0.4)
    assert cover[1] == pytest.approx(1 + 35 / 40)
    assert math.isinf(cover[-1])
    # A negative PAB has no cover.
    short = project_pab(one_item([10, 10], supply=[0, 0], on_hand=5)).weeks_of_cover[0]
    assert short.tolist() == [0.0, 0.0]


def test_atp_lookahead_borrows_from_earlier_receipts():
    # on hand 20; MPS 50 in periods 3 and 5 (1-based); orders 10, 5, 20, 10, 60, 5.
    # raw discrete ATP: p1 = 20 - (10 + 5) = 5; p3 = 50 - (20 + 10) = 20;
    #                   p5 = 50 - (60 + 5) = -15   (orders exceed the receipt)
    # look-ahead: p5 -> 0, its 15 is borrowed from p3: 20 - 15 = 5; p1 stays 5.
    orders = [10, 5, 20, 10, 60, 5]
    mps = [0, 0, 50, 0, 50, 0]
    inputs = one_item(orders, supply=mps, on_hand=20)
    raw = project_pab(inputs, atp_lookahead=False)
    assert raw.atp[0].tolist() == [5, 0, 20, 0, -15, 0]
    assert raw.cum_atp[0].tolist() == [5, 5, 25, 25, 10, 10]
    look = project_pab(inputs, atp_lookahead=True)
    assert look.atp[0].tolist() == [5, 0, 5, 0, 0, 0]
    assert look.cum_atp[0].tolist() == [5, 5, 10, 10, 10, 10]

    # Period 5 orders 75: p5 = -30 -> borrow 20 from p3 (-> 0) and 10 from p1 (-> -5).
    # Only the first period can stay negative: the horizon is oversold by 5.
    orders[4] = 75
    look = project_pab(one_item(orders, supply=mps, on_hand=20))
    assert look.atp[0].tolist() == [-5, 0, 0, 0, 0, 0]
    assert look.cum_atp[0].tolist() == [-5] * 6


def test_atp_uses_orders_not_forecast():
    # Forecast never enters ATP (it does enter PAB beyond the fence).
    res = project_pab(one_item([5, 5, 0], forecast=[50, 50, 50], supply=[0, 20, 0], on_hand=10),
                      demand_time_fence=1)
    assert res.atp[0].tolist() == [5, 15, 0]
    assert res.pab[0].tolist() == [5, -25, -75]


def test_safety_stock_flag_and_summary():
    res = project_pab(one_item([4, 4, 4, 4], supply=[0, 0, 10, 0], on_hand=10, safety_stock=5))
    # PAB 6, 2, 8, 4: below safety stock 5 in periods 1 and 3 (0-based), never short.
    assert res.pab[0].tolist() == [6, 2, 8, 4]
    assert res.below_safety_stock[0].tolist() == [False, True, False, True]
    row = res.summary.iloc[0]
    assert tuple(res.summary.columns) == SUMMARY_COLUMNS
    assert pd.isna(row["first_shortage_period"]) and pd.isna(row["first_shortage_date"])
    assert row["first_below_ss_period"] == 1 and row["max_shortage_qty"] == 0


# --------------------------------------------------------------------------------------
# Bucketing from data-model frames
# --------------------------------------------------------------------------------------


def test_build_buckets_rules():
    as_of = pd.Timestamp("2025-01-08")  # Wednesday -> period 0 starts Monday 2025-01-06
    orders, fc, sp, inv = frames(
        lines=[
            ("SO1", 1, "C1", "A", "2024-12-20", 3),  # past due -> period 0
            ("SO1", 2, "C1", "A", "2025-01-07", 4),  # before as_of, same week -> period 0
            ("SO2", 1, "C2", "A", "2025-01-13", 5),  # period 1
            ("SO3", 1, "C2", "A", "2025-03-31", 9),  # beyond 3-week horizon -> left out
            ("SO4", 1, "C3", "B", "2025-01-20", 6),  # period 2, closed below
            ("SO5", 1, "C3", "B", None, 2),          # no due date -> period 0
        ],
        forecast=[("A", "2024-12-30", 99), ("A", "2025-01-06", 7), ("A", "2025-01-20", 8),
                  ("C", "2025-01-13", 1)],
        receipts=[("R1", "A", "2024-12-31", 10, True),   # overdue -> period 0, firm
                  ("R2", "A", "2025-01-15", 20, False),  # planned, period 1
                  ("R3", "B", "2025-01-22", 30, True),
                  ("R4", "B", "2025-02-28", 40, True)],  # beyond horizon
        stock=[("A", "2025-01-01", 100), ("A", "2025-01-08", 50), ("A", "2025-01-09", 999),
               ("B", "2025-01-02", 5)],
    )
    orders["qty_shipped"] = [0, 1, None, 0, 0, 0]
    orders["status"] = ["open", "open", "open", "open", "Cancelled", None]
    inv["site"] = ["S1", "S1", "S1", "S2"]
    items = pd.DataFrame({"item_id": ["A", "D"], "safety_stock": [4.0, None]})
    inputs = build_buckets(orders, fc, sp, inv, items, as_of=as_of, horizon=3)

    assert inputs.item_id.tolist() == ["A", "B", "C", "D"]  # union of all inputs, sorted
    assert list(inputs.period_start) == list(pd.date_range("2025-01-06", periods=3, freq="7D"))
    assert inputs.customer_orders.tolist() == [[3 + 3, 5, 0], [2, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert inputs.forecast.tolist() == [[7, 0, 8], [0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert inputs.supply_firm.tolist() == [[10, 0, 0], [0, 0, 30], [0, 0, 0], [0, 0, 0]]
    assert inputs.supply_planned.tolist() == [[0, 20, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]
    # latest snapshot at/before as_of per item and site (the 2025-01-09 one is in the future)
    assert inputs.on_hand.tolist() == [50, 5, 0, 0]
    assert inputs.safety_stock.tolist() == [4, 0, 0, 0]


def test_inventory_sums_sites_and_daily_monthly_buckets():
    _, fc, sp, inv = frames(
        forecast=[("A", "2025-01-06", 1), ("A", "2025-01-07", 2), ("A", "2025-02-10", 3)],
        stock=[("A", "2025-01-05", 10), ("A", "2025-01-05", 7)],
        receipts=[("R1", "A", "2025-01-31", 5, True), ("R2", "A", "2025-02-01", 6, True)],
    )
    inv["site"] = ["S1", "S2"]
    daily = build_buckets(None, fc, sp, inv, as_of="2025-01-06", horizon=3, freq="D")
    assert daily.on_hand.tolist() == [17]
    assert daily.forecast.tolist() == [[1, 2, 0]]
    monthly = build_buckets(None, fc, sp, inv, as_of="2025-01-15", horizon=2, freq="M")
    assert list(monthly.period_start) == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01")]
    assert monthly.forecast.tolist() == [[3, 3]]
    assert monthly.supply_firm.tolist() == [[5, 6]]


def test_due_column_fallback_and_pab_table():
    orders, fc, sp, inv = frames(
        lines=[("SO1", 1, "C1", "A", None, 4), ("SO2", 1, "C1", "A", "2025-01-14", 2)],
        stock=[("A", "2025-01-06", 10)],
    )
    orders["promised_date"] = pd.to_datetime(["2025-01-20", "2025-01-06"])
    inputs = build_buckets(orders, as_of=MONDAY, horizon=3,
                           due_column=("requested_date", "promised_date"))
    assert inputs.customer_orders.tolist() == [[0, 2, 4]]
    only_promised = build_buckets(orders, as_of=MONDAY, horizon=3, due_column="promised_date")
    assert only_promised.customer_orders.tolist() == [[2, 0, 4]]
    table = pab_table(orders, fc, sp, inv, as_of=MONDAY, horizon=3, demand_time_fence=3,
                      due_column=("requested_date", "promised_date"))
    assert tuple(table.columns) == LONG_COLUMNS
    assert table["pab"].tolist() == [10, 8, 4]


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


def test_bad_parameters_raise_config_errors():
    with pytest.raises(FrequencyError, match="freq") as err:
        build_buckets(as_of=MONDAY, freq="Q")
    assert err.value.key == "freq" and "Fix:" in str(err.value)
    with pytest.raises(CountError, match="horizon"):
        build_buckets(as_of=MONDAY, horizon=-1)
    with pytest.raises(DateParameterError, match="as_of"):
        build_buckets(as_of="not a date")
    inputs = one_item([1, 2])
    with pytest.raises(CountError, match="demand_time_fence"):
        project_pab(inputs, demand_time_fence=-1)
    with pytest.raises(RangeError, match="short_pct"):
        stress_supply(inputs, short_pct=120)
    with pytest.raises(CountError, match="slip_periods"):
        stress_supply(inputs, slip_periods=-2)
    with pytest.raises(InputTypeError, match="PabInput"):
        project_pab(pd.DataFrame())


def test_missing_columns_and_bad_values():
    orders, fc, sp, inv = frames(receipts=[("R1", "A", "2025-01-06", 5, True)])
    with pytest.raises(MissingColumnsError, match="firm") as err:
        build_buckets(supply=sp.drop(columns="firm"), as_of=MONDAY)
    assert err.value.missing == ["firm"] and isinstance(err.value, WorkbenchError)
    with pytest.raises(MissingColumnsError, match="requested_date") as err:
        build_buckets(orders.drop(columns="requested_date"), as_of=MONDAY)
    assert "promised_date" in str(err.value)  # the hint names the fix
    with pytest.raises(ConfigError, match="negative"):
        build_buckets(supply=sp.assign(qty=-5.0), as_of=MONDAY)
    with pytest.raises(ConfigError, match="missing"):
        build_buckets(supply=sp.assign(due_date=pd.NaT), as_of=MONDAY)
    with pytest.raises(ConfigError, match="firm"):
        build_buckets(supply=sp.assign(firm="maybe"), as_of=MONDAY)
    with pytest.raises(ChoiceError, match="rule"):
        allocate_shortages(orders, project_pab(one_item([1])), rule="fifo")


# --------------------------------------------------------------------------------------
# Stress tests of supply
# --------------------------------------------------------------------------------------


@PROPS
@given(st.integers(1, 4), st.integers(1, 8), st.integers(0, 10), st.booleans(), st.data())
def test_stress_slip_shifts_and_full_cut_removes(n, t, k, only_planned, data):
    shape = (n, t)
    firm = np.array(data.draw(st.lists(st.integers(0, 9), min_size=n * t, max_size=n * t)),
                    dtype=float).reshape(shape)
    planned = firm[::-1].copy()
    inputs = PabInput(pd.Index([f"I{i}" for i in range(n)]), pd.DatetimeIndex(WEEKS[:t]),
                      MONDAY, "W", np.zeros(n), np.zeros(n), np.zeros(shape), np.zeros(shape),
                      firm, planned)
    slipped = stress_supply(inputs, slip_periods=k, only_planned=only_planned)
    for before, after, stressed in ((inputs.supply_planned, slipped.supply_planned, True),
                                    (inputs.supply_firm, slipped.supply_firm, not only_planned)):
        if not stressed:
            assert np.array_equal(after, before)
            continue
        assert np.array_equal(after[:, :k], np.zeros((n, min(k, t))))
        assert np.array_equal(after[:, k:], before[:, : max(t - k, 0)])  # beyond horizon: gone
    cut = stress_supply(inputs, short_pct=100, only_planned=only_planned)
    assert not cut.supply_planned.any()
    assert np.array_equal(cut.supply_firm, np.zeros(shape) if not only_planned else firm)
    half = stress_supply(inputs, short_pct=50)
    assert np.allclose(half.supply, inputs.supply / 2)


def test_planned_dependency_lists_risks_from_planned_receipts_only():
    # Item P: on hand 10, orders 8 a week, planned receipt 20 in period 1, firm 20 in period 3.
    #   all receipts: PAB 2, 14, 6, 18          -> never short
    #   planned removed: PAB 2, -6, -14, -2     -> periods 1..3 short: planned risk
    #   planned 1 late: PAB 2, -6, 6, 18        -> only period 1
    # Item F: a firm receipt only -> never listed.
    long = pd.DataFrame({
        "item_id": ["P"] * 4 + ["F"] * 4,
        "period_start": list(WEEKS[:4]) * 2,
        "customer_orders": [8] * 8,
        "supply_firm": [0, 0, 0, 20, 0, 20, 0, 0],
        "supply_planned": [0, 20, 0, 0, 0, 0, 0, 0],
    })
    inputs = buckets_from_long(long, on_hand={"P": 10, "F": 10})
    removed = planned_dependency(inputs, demand_time_fence=4)
    assert removed["item_id"].tolist() == ["P"] * 3
    assert removed["period"].tolist() == [1, 2, 3]
    assert removed["pab"].tolist() == [14, 6, 18]
    assert removed["shortage_qty"].tolist() == [6, 14, 2]
    assert removed["planned_qty_relied_on"].tolist() == [20, 20, 20]
    late = planned_dependency(inputs, slip_periods=1, demand_time_fence=4)
    assert late["period"].tolist() == [1] and late["pab_stressed"].tolist() == [-6]


# --------------------------------------------------------------------------------------
# Allocation of shortages to order lines
# --------------------------------------------------------------------------------------


def allocation_case():
    # One item X, on hand 10, receipts 6 in period 2 and 10 in period 4 (0-based).
    # Lines (tier from the customer master; C4 has no tier = lowest):
    #   L1  C3 (tier C)  due period 0  qty 8
    #   L2  C3 (tier C)  due period 1  qty 6
    #   L3  C1 (tier A)  due period 2  qty 5
    #   L4  C1 (tier A)  due period 5  qty 4
    #   L5  C4 (no tier) due period 0  qty 1
    lines = [("L1", 1, "C3", "X", WEEKS[0], 8), ("L2", 1, "C3", "X", WEEKS[1], 6),
             ("L3", 1, "C1", "X", WEEKS[2], 5), ("L4", 1, "C1", "X", WEEKS[5], 4),
             ("L5", 1, "C4", "X", WEEKS[0], 1)]
    orders, _, sp, inv = frames(lines=lines,
                                receipts=[("R1", "X", WEEKS[2], 6, True),
                                          ("R2", "X", WEEKS[4], 10, False)],
                                stock=[("X", MONDAY, 10)])
    customers = pd.DataFrame({"customer_id": ["C1", "C3", "C4"], "tier": ["A", "C", None]})
    result = project_pab(build_buckets(orders, None, sp, inv, as_of=MONDAY, horizon=6),
                         demand_time_fence=6)
    return orders, customers, result


def test_allocation_priority_then_due_hand_worked():
    # priority_then_due, stock is never held back for lines not yet due:
    #   p0: stock 10. Due: L1 (C, 8), L5 (none, 1) -> tier C first: L1 8, L5 1; stock 1.
    #   p1: due L2 (C, 6): gets 1 -> short 5 from p1.
    #   p2: +6 -> stock 6. Due: L3 (A, 5) before the C backorder: L3 5, L2 1 (4 left).
    #   p3: nothing arrives.   p4: +10: L2 gets 4 -> covered in p4; stock 6.
    #   p5: L4 (A, 4) served.  Total backlog: p1 5, p2 4, p3 4 = orders-only PAB deficit.
    orders, customers, result = allocation_case()
    out = allocate_shortages(orders, result, customers=customers)
    assert out["order_id"].tolist() == ["L2"]
    row = out.iloc[0]
    assert (row["qty_open"], row["qty_short"]) == (6, 5)
    assert row["short_from"] == WEEKS[1] and row["covered_by_date"] == WEEKS[4]
    assert row["tier"] == "C" and row["priority"] == 2
    assert result.pab[0].tolist() == [1, -5, -4, -4, 6, 2]  # the same deficits, per period


def test_allocation_due_then_priority_hand_worked():
    # due_then_priority:
    #   p0: L1 8 and L5 1 (same due date: tier C before no tier); stock 1.
    #   p1: L2 gets 1, short 5.
    #   p2: +6: the older L2 backorder first: 5 -> L2 covered in p2; L3 (A) gets 1, short 4.
    #   p4: +10: L3 gets 4 -> covered in p4.
    orders, customers, result = allocation_case()
    out = allocate_shortages(orders, result, customers=customers, rule="due_then_priority")
    assert out["order_id"].tolist() == ["L2", "L3"]
    assert out["qty_short"].tolist() == [5, 4]
    assert out["short_from"].tolist() == [WEEKS[1], WEEKS[2]]
    assert out["covered_by_date"].tolist() == [WEEKS[2], WEEKS[4]]


def test_allocation_never_covered_and_tier_column():
    # No receipts: on hand 3 against L1 (tier B, 2) and L2 (tier A, 4), both due in period 0.
    # Tier A first: L2 gets 3, short 1; L1 short 2. Nothing arrives: never covered (NaT).
    orders, _, _, inv = frames(lines=[("L1", 1, "C", "X", WEEKS[0], 2),
                                      ("L2", 1, "C", "X", WEEKS[0], 4)],
                               stock=[("X", MONDAY, 3)])
    orders["tier"] = ["B", "A"]
    result = project_pab(build_buckets(orders, inventory=inv, as_of=MONDAY, horizon=2))
    out = allocate_shortages(orders, result)
    assert out["order_id"].tolist() == ["L2", "L1"]
    assert out["qty_short"].tolist() == [1, 2]
    assert out["covered_by_date"].isna().all()
    # Tier order reversed: L1 (B) gets its 2 first, L2 gets 1 and is short 3.
    lowest_first = allocate_shortages(orders, result, tier_order=("B", "A"))
    assert lowest_first["order_id"].tolist() == ["L2"]
    assert lowest_first["qty_short"].tolist() == [3]


# --------------------------------------------------------------------------------------
# Reference implementations (plain loops) and property tests
# --------------------------------------------------------------------------------------


def ref_pab(on_hand, orders, forecast, supply, fence):
    pab, demand, level = [], [], on_hand
    for t, (o, f, s) in enumerate(zip(orders, forecast, supply, strict=True)):
        d = o if t < fence else max(f, o)
        level = level + s - d
        demand.append(d)
        pab.append(level)
    return demand, pab


def ref_atp(on_hand, orders, supply, lookahead):
    n_t = len(orders)
    anchors = [t for t in range(n_t) if t == 0 or supply[t] > 0]
    atp = [0.0] * n_t
    for k, a in enumerate(anchors):
        end = anchors[k + 1] if k + 1 < len(anchors) else n_t
        atp[a] = (on_hand if a == 0 else 0) + supply[a] - sum(orders[a:end])
    if lookahead:  # borrow a negative ATP from the previous receipt periods, latest first
        carry = 0.0
        for a in reversed(anchors):
            v = atp[a] + carry
            if v < 0 and a != 0:
                atp[a], carry = 0.0, v
            else:
                atp[a], carry = v, 0.0
    return atp


def ref_cover(pab, demand):
    out = []
    for t, p in enumerate(pab):
        if p <= 0:
            out.append(0.0)
            continue
        left, s = p, t + 1
        while s < len(demand) and demand[s] <= left + 1e-9 * max(1.0, abs(p)):
            left -= demand[s]
            s += 1
        out.append(math.inf if s >= len(demand) else (s - 1 - t) + left / demand[s])
    return out


quantities = st.integers(0, 30).map(float)
fractions = st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def plans(draw, max_items=4, max_periods=10, quantities=quantities):
    n = draw(st.integers(1, max_items))
    t = draw(st.integers(1, max_periods))

    def grid(values):
        return np.array(draw(st.lists(values, min_size=n * t, max_size=n * t)),
                        dtype=float).reshape(n, t)

    sparse = st.one_of(st.just(0.0), st.just(0.0), quantities)
    return PabInput(
        item_id=pd.Index([f"I{i}" for i in range(n)]),
        period_start=pd.DatetimeIndex(WEEKS[:t]), as_of=MONDAY, freq="W",
        on_hand=np.array(draw(st.lists(quantities, min_size=n, max_size=n))),
        safety_stock=np.array(draw(st.lists(quantities, min_size=n, max_size=n))),
        customer_orders=grid(sparse), forecast=grid(quantities),
        supply_firm=grid(sparse), supply_planned=grid(sparse),
    )


@PROPS
@given(st.one_of(plans(), plans(quantities=fractions)), st.integers(0, 12))
def test_pab_matches_reference_and_conserves(inputs, fence):
    res = project_pab(inputs, demand_time_fence=fence)
    supply = inputs.supply_firm + inputs.supply_planned
    assert np.array_equal(res.supply, supply)
    # conservation: closing = opening + supply - demand, opening = previous closing / on hand
    assert np.allclose(res.pab, res.opening + supply - res.demand)
    assert np.array_equal(res.opening[:, 0], inputs.on_hand)
    assert np.array_equal(res.opening[:, 1:], res.pab[:, :-1])
    assert np.array_equal(res.shortage, res.pab < 0)
    assert np.array_equal(res.below_safety_stock, res.pab < inputs.safety_stock[:, None])
    for i in range(inputs.n_items):
        demand, pab = ref_pab(inputs.on_hand[i], inputs.customer_orders[i], inputs.forecast[i],
                              supply[i], fence)
        assert res.demand[i].tolist() == demand
        assert np.allclose(res.pab[i], pab)
        assert np.allclose(res.weeks_of_cover[i], ref_cover(pab, demand))
        first = next((t for t, p in enumerate(pab) if p < -1e-6), None)  # not rounding noise
        got = res.summary["first_shortage_period"].iloc[i]
        assert (pd.isna(got) and first is None) or got == first
    long = res.long
    assert len(long) == inputs.n_items * inputs.n_periods
    assert np.array_equal(long["pab"].to_numpy(), res.pab.ravel())


@PROPS
@given(st.one_of(plans(), plans(quantities=fractions)))
def test_atp_matches_reference_and_lookahead_invariants(inputs):
    raw = project_pab(inputs, atp_lookahead=False)
    look = project_pab(inputs, atp_lookahead=True)
    supply = raw.supply
    for i in range(inputs.n_items):
        args = (inputs.on_hand[i], inputs.customer_orders[i], supply[i])
        assert np.allclose(raw.atp[i], ref_atp(*args, lookahead=False))
        assert np.allclose(look.atp[i], ref_atp(*args, lookahead=True))
    assert np.allclose(raw.cum_atp, np.cumsum(raw.atp, axis=1))
    assert np.allclose(look.cum_atp, np.cumsum(look.atp, axis=1))
    # look-ahead: no negative ATP after period 0, cumulative ATP never decreases,
    # never promises more than the raw cumulative ATP, and the total is the same
    # (on hand + all receipts - all customer orders).
    assert (look.atp[:, 1:] >= 0).all()
    assert (np.diff(look.cum_atp, axis=1) >= 0).all()  # exact: differences of a running min
    assert (look.cum_atp <= raw.cum_atp + 1e-6).all()
    total = inputs.on_hand + supply.sum(axis=1) - inputs.customer_orders.sum(axis=1)
    assert np.allclose(look.cum_atp[:, -1], total) and np.allclose(raw.cum_atp[:, -1], total)


RULE_KEYS = {
    "priority_then_due": lambda ln: (ln["rank"], ln["due"], ln["pos"]),
    "due_then_priority": lambda ln: (ln["due"], ln["rank"], ln["pos"]),
    "due_then_order_date": lambda ln: (ln["due"], ln["pos"]),
}


def ref_allocation(on_hand, supply, lines, rule):
    """Ship period by period: due and backordered lines in rule order, partial allowed."""
    left = {ln["pos"]: ln["qty"] for ln in lines}
    short, covered, backlog = {}, {}, []
    stock = on_hand
    for t, s in enumerate(supply):
        stock += s
        for ln in sorted((ln for ln in lines if ln["period"] <= t), key=RULE_KEYS[rule]):
            ship = min(stock, left[ln["pos"]])
            stock -= ship
            left[ln["pos"]] -= ship
        for ln in lines:
            if ln["period"] == t:
                short[ln["pos"]] = left[ln["pos"]]
            if ln["period"] <= t and left[ln["pos"]] == 0 and ln["pos"] not in covered:
                covered[ln["pos"]] = t
        backlog.append(sum(left[ln["pos"]] for ln in lines if ln["period"] <= t))
    return short, covered, backlog


@st.composite
def order_books(draw):
    t = draw(st.integers(1, 6))
    items = ["X", "Y"][: draw(st.integers(1, 2))]
    n_lines = draw(st.integers(0, 10))
    rows = []
    for k in range(n_lines):
        day = draw(st.integers(-10, 7 * t + 5))  # before period 0 .. beyond the horizon
        rows.append((f"O{k}", 1, f"C{k % 3}", draw(st.sampled_from(items)),
                     MONDAY + pd.Timedelta(days=day), float(draw(st.integers(1, 9))),
                     draw(st.sampled_from(["A", "B", "C", None, "Z"]))))
    orders = pd.DataFrame(rows, columns=["order_id", "line_no", "customer_id", "item_id",
                                         "requested_date", "qty_ordered", "tier"])
    orders["requested_date"] = pd.to_datetime(orders["requested_date"])
    receipts = [(f"R{i}{p}", it, WEEKS[p], float(draw(st.integers(0, 12))), True)
                for i, it in enumerate(items) for p in range(t) if draw(st.booleans())]
    supply = pd.DataFrame(receipts, columns=["receipt_id", "item_id", "due_date", "qty", "firm"])
    supply["due_date"] = pd.to_datetime(supply["due_date"])
    inv = pd.DataFrame({"item_id": items, "snapshot_date": MONDAY,
                        "on_hand": [float(draw(st.integers(0, 15))) for _ in items]})
    return orders, supply, inv, t


@PROPS
@given(order_books(), st.sampled_from(list(RULE_KEYS)))
def test_allocation_matches_shipping_simulation(book, rule):
    orders, supply, inv, t = book
    fence = t  # demand = orders everywhere, so PAB deficits are order deficits
    result = project_pab(build_buckets(orders, None, supply, inv, as_of=MONDAY, horizon=t),
                         demand_time_fence=fence)
    out = allocate_shortages(orders, result, rule=rule, all_lines=True)
    assert (out["qty_short"] >= 0).all() and (out["qty_short"] <= out["qty_open"]).all()
    short_rows = allocate_shortages(orders, result, rule=rule)
    assert len(short_rows) == int((out["qty_short"] > 0).sum())

    rank = {"A": 0, "B": 1, "C": 2}
    for i, item in enumerate(result.inputs.item_id):
        mine = orders[(orders["item_id"] == item)]
        lines = []
        for pos, row in mine.iterrows():
            period = max(0, (row["requested_date"] - MONDAY).days // 7)
            if period < t:
                lines.append({"pos": pos, "qty": row["qty_ordered"], "period": period,
                              "rank": rank.get(row["tier"], 3), "due": row["requested_date"]})
        short, covered, backlog = ref_allocation(result.inputs.on_hand[i],
                                                 result.supply[i].tolist(), lines, rule)
        # the lines' total backlog is the PAB deficit counting customer orders only
        assert np.allclose(backlog, np.maximum(0.0, -result.pab[i]))
        got = out[out["item_id"] == item].set_index("order_id")
        for ln in lines:
            row = got.loc[orders.loc[ln["pos"], "order_id"]]
            assert row["qty_short"] == short[ln["pos"]]
            assert row["short_from"] == WEEKS[ln["period"]]
            want = covered.get(ln["pos"])
            assert (pd.isna(row["covered_by_date"]) if want is None
                    else row["covered_by_date"] == WEEKS[want])
        # period-0 lines: their shortfall adds up to the period-0 PAB deficit
        p0 = got[got["period"] == 0]["qty_short"].sum()
        assert p0 == max(0.0, -result.pab[i, 0])


# --------------------------------------------------------------------------------------
# Internal search and sort helpers (exactness, fallbacks)
# --------------------------------------------------------------------------------------


@PROPS
@given(st.integers(1, 5), st.integers(1, 8), st.booleans(), st.data())
def test_search_rows_is_exact(n, width, strict, data):
    # rows non-decreasing, large offsets and near-ties: the result must equal a per-row
    # np.searchsorted restricted to columns >= lo.
    steps = data.draw(st.lists(st.sampled_from([0.0, 1e-9, 0.1, 1.0, 1e6]),
                               min_size=n * width, max_size=n * width))
    mat = np.cumsum(np.array(steps).reshape(n, width), axis=1) + data.draw(
        st.sampled_from([0.0, 1e9]))
    q = data.draw(st.integers(1, 12))
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=q, max_size=q)))
    cols = np.array(data.draw(st.lists(st.integers(0, width - 1), min_size=q, max_size=q)))
    values = mat[rows, cols] + np.array(
        data.draw(st.lists(st.sampled_from([-1e-9, 0.0, 1e-9, 0.5]), min_size=q, max_size=q)))
    lo = np.array(data.draw(st.lists(st.integers(0, width), min_size=q, max_size=q)))
    got = pab_module._search_rows(mat, rows, values, lo, strict=strict)
    side = "right" if strict else "left"
    want = [max(int(np.searchsorted(mat[r], v, side=side)), int(lo_)) for r, v, lo_ in
            zip(rows, values, lo, strict=True)]
    assert got.tolist() == want
    flat_got = allocation_module._first_index(mat.ravel(), rows * width, 1, lo, width, values,
                                       strict=strict)
    assert flat_got.tolist() == want


def test_sort_order_matches_lexsort_and_falls_back():
    rng = np.random.default_rng(1)
    small = [rng.integers(0, 5, 200), rng.integers(-3, 3, 200), rng.integers(0, 2, 200)]
    wide = [rng.integers(0, 2**40, 200), rng.integers(0, 2**40, 200)]  # > 63 bits: lexsort
    for keys in (small, wide):
        assert np.array_equal(allocation_module._sort_order(*keys), np.lexsort(keys[::-1]))
    assert allocation_module._sort_order(np.zeros(0, dtype=np.int64)).size == 0


def test_buckets_from_long_edges_and_categorical_ids():
    # Rows before as_of: orders and receipts count in period 0, forecast is dropped;
    # rows after the horizon are dropped; duplicate rows are summed; items named
    # only in on_hand appear; unused categories do not.
    long = pd.DataFrame({
        "item_id": pd.Categorical(["B", "B", "B", "B", "A"], categories=["A", "B", "Z"]),
        "period_start": [WEEKS[0] - pd.Timedelta(days=7), WEEKS[0], WEEKS[0], WEEKS[3],
                         WEEKS[1]],
        "customer_orders": [1.0, 2.0, 3.0, 4.0, None],
        "forecast": [10.0, 20.0, 0.0, 0.0, 5.0],
        "supply_planned": [7.0, 0.0, 0.0, 0.0, 0.0],
    })
    inputs = buckets_from_long(long, as_of=WEEKS[0], horizon=2, on_hand={"C": 3.0})
    assert inputs.item_id.tolist() == ["A", "B", "C"]
    assert inputs.customer_orders.tolist() == [[0, 0], [6, 0], [0, 0]]
    assert inputs.forecast.tolist() == [[0, 5], [20, 0], [0, 0]]
    assert inputs.supply_planned.tolist() == [[0, 0], [7, 0], [0, 0]]
    assert inputs.supply_firm.tolist() == [[0, 0]] * 3
    assert inputs.on_hand.tolist() == [0, 0, 3]
    # default as_of and horizon: from the earliest to the latest period_start
    default = buckets_from_long(long)
    assert default.period_start[0] == WEEKS[0] - pd.Timedelta(days=7)
    assert default.n_periods == 5
    with pytest.raises(ConfigError, match="on_hand"):
        buckets_from_long(long, on_hand={"A": -1.0})


def test_a_balance_zero_up_to_rounding_is_no_shortage():
    # 1 on hand + 1.188 planned - 1 - 1.188 forecast is 0 by hand; summed in floating point
    # it is -2.2e-16, which must not become a shortage (and an alert) of 0.0000000000000002
    zero = np.zeros((1, 5))
    inputs = PabInput(item_id=pd.Index(["I0"]), period_start=pd.DatetimeIndex(WEEKS[:5]),
                      as_of=MONDAY, freq="W", on_hand=np.array([1.0]),
                      safety_stock=np.array([0.0]), customer_orders=zero,
                      forecast=np.array([[0, 0, 0, 1.0, 1.188]]), supply_firm=zero,
                      supply_planned=np.array([[0, 0, 0, 1.188, 0]]))
    res = project_pab(inputs, demand_time_fence=0)
    assert res.pab[0].tolist() == [1.0, 1.0, 1.0, 1.188, 0.0]
    assert not res.shortage.any() and pd.isna(res.summary["first_shortage_period"].iloc[0])
    assert res.weeks_of_cover[0, 3] == math.inf  # 1.188 on hand covers the last 1.188 exactly
