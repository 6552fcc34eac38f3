"""Tests for the MPS proposals (workbench.planning.mps).

Known-answer tests reproduce textbook MPS records; every expected number is worked
by hand in the comments (never produced by the code under test). Textbook rule
(Stevenson, Krajewski): demand = max(forecast, customer orders) in every period
(``demand_time_fence=0``); PAB[t] = PAB[t-1] + MPS[t] - demand[t]; an MPS lot is
scheduled when the PAB would fall below 0 (or below the safety level) without it;
ATP in the first period = on hand + MPS - customer orders until the next MPS,
in a later MPS period = MPS - customer orders until the next MPS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import ChoiceError, ConfigError, CountError, InputTypeError, RangeError
from workbench.planning.buckets import PabInput
from workbench.planning.mps import (
    ACTION_COLUMNS,
    EXPLAIN_COLUMNS,
    PROPOSAL_COLUMNS,
    LotSizing,
    explain_shortages,
    mps_record,
    propose_mps,
)

JUNE = pd.Timestamp("2026-06-01")  # a Monday
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def record(orders, forecast=None, firm=None, planned=None, on_hand=0.0, safety_stock=0.0,
           items=None, start=JUNE, freq="W") -> PabInput:
    """PabInput from per-item lists (one list = one item; a flat list = one item ``X``)."""
    orders = np.atleast_2d(np.asarray(orders, dtype=float))
    n, t = orders.shape
    zeros = np.zeros((n, t))

    def arr(x):
        return zeros.copy() if x is None else np.atleast_2d(np.asarray(x, dtype=float))

    step = {"W": "7D", "D": "1D", "M": "MS"}[freq]
    return PabInput(
        item_id=pd.Index(items or (["X"] if n == 1 else [f"I{i}" for i in range(n)])),
        period_start=pd.date_range(start, periods=t, freq=step), as_of=start, freq=freq,
        on_hand=np.broadcast_to(np.asarray(on_hand, dtype=float), (n,)).copy(),
        safety_stock=np.broadcast_to(np.asarray(safety_stock, dtype=float), (n,)).copy(),
        customer_orders=orders, forecast=arr(forecast), supply_firm=arr(firm),
        supply_planned=arr(planned),
    )


def textbook(inputs, **kw):
    return propose_mps(inputs, demand_time_fence=0, **kw)


# --------------------------------------------------------------------------------------
# Known-answer textbook records
# --------------------------------------------------------------------------------------


def test_stevenson_pump_record_lot_70():
    # Stevenson, Operations Management, master scheduling example (industrial pumps):
    # on hand 64, lot 70, MPS when the projected on hand would go negative.
    # week          1   2   3   4   5   6   7   8
    # forecast     30  30  30  30  40  40  40  40
    # orders       33  20  10   4   2
    # demand=max   33  30  30  30  40  40  40  40
    # PAB w/o MPS  64-33=31, 31-30=1, 1-30=-29 -> MPS 70 -> 41, 41-30=11,
    #              11-40=-29 -> 70 -> 41, 41-40=1, 1-40=-39 -> 70 -> 31, 31-40=-9 -> 70 -> 61
    # ATP week 1: 64 - (33 + 20) = 11 (orders until the MPS in week 3)
    #     week 3: 70 - (10 + 4) = 56;  week 5: 70 - 2 = 68;  week 7: 70;  week 8: 70
    inp = record([33, 20, 10, 4, 2, 0, 0, 0], [30, 30, 30, 30, 40, 40, 40, 40], on_hand=64)
    res = textbook(inp, lot_sizing=LotSizing.fixed(70))
    assert res.mps[0].tolist() == [0, 0, 70, 0, 70, 0, 70, 70]
    assert res.pab[0].tolist() == [31, 1, 41, 11, 41, 1, 31, 61]
    assert res.atp[0].tolist() == [11, 0, 56, 0, 68, 0, 70, 70]
    assert res.proposals["reason"].tolist() == ["shortage"] * 4
    assert res.actions.empty
    rec = mps_record(res, "X")
    assert rec.loc["atp"].tolist() == [11, 0, 56, 0, 68, 0, 70, 70]
    assert list(rec.index) == ["forecast", "customer_orders", "scheduled_receipts", "pab",
                               "mps", "atp"]


def test_stevenson_pump_record_keep_at_least_10():
    # Same pumps, rule "schedule production when the projected on hand would be less
    # than 10 without it" = target safety stock 10.
    # week 1: 64-33=31            week 2: 31-30=1 < 10 -> 70 -> 71 (reason: below SS)
    # week 3: 71-30=41            week 4: 41-30=11
    # week 5: 11-40=-29 -> 70 -> 41 (shortage)   week 6: 41-40=1 < 10 -> 70 -> 71
    # week 7: 71-40=31            week 8: 31-40=-9 -> 70 -> 61 (shortage)
    # ATP: week 1: 64 - 33 = 31 (next MPS in week 2); week 2: 70 - (20+10+4) = 36;
    #      week 5: 70 - 2 = 68; week 6: 70 - 0 = 70; week 8: 70
    inp = record([33, 20, 10, 4, 2, 0, 0, 0], [30, 30, 30, 30, 40, 40, 40, 40], on_hand=64,
                 safety_stock=10)
    res = textbook(inp, lot_sizing=LotSizing.fixed(70), target="safety_stock")
    assert res.mps[0].tolist() == [0, 70, 0, 0, 70, 70, 0, 70]
    assert res.pab[0].tolist() == [31, 71, 41, 11, 41, 71, 31, 61]
    assert res.atp[0].tolist() == [31, 36, 0, 0, 68, 70, 0, 70]
    assert res.proposals["reason"].tolist() == ["below_safety_stock", "shortage",
                                                "below_safety_stock", "shortage"]


def test_stevenson_no_beginning_inventory_lot_75():
    # Stevenson problem: forecast 50 per week, lot 75, no beginning inventory,
    # orders 52, 35, 20, 12.
    # week 1: 0-52=-52 -> 75 -> 23   week 2: 23-50=-27 -> 75 -> 48
    # week 3: 48-50=-2 -> 75 -> 73    week 4: 73-50=23
    # week 5: 23-50=-27 -> 75 -> 48  week 6: 48-50=-2 -> 75 -> 73
    # week 7: 73-50=23               week 8: 23-50=-27 -> 75 -> 48
    # ATP: week 1: 0 + 75 - 52 = 23; week 2: 75 - 35 = 40; week 3: 75 - (20+12) = 43;
    #      weeks 5, 6, 8: 75 (no orders)
    inp = record([52, 35, 20, 12, 0, 0, 0, 0], [50] * 8)
    res = textbook(inp, lot_sizing=LotSizing.fixed(75))
    assert res.mps[0].tolist() == [75, 75, 75, 0, 75, 75, 0, 75]
    assert res.pab[0].tolist() == [23, 48, 73, 23, 48, 73, 23, 48]
    assert res.atp[0].tolist() == [23, 40, 43, 0, 75, 75, 0, 75]


def test_krajewski_style_record_with_lookahead_atp():
    # Krajewski-style record: on hand 55, MPS quantity 150, a large booked order in
    # week 7 that makes the raw ATP of week 7 negative.
    # week         1    2    3    4    5    6    7    8
    # forecast    65   65   65   45   50   50   50   50
    # booked      40   10    4    0   35    0  160    0
    # demand      65   65   65   45   50   50  160   50
    # PAB: 55-65=-10 -> 150 -> 140; 75; 10; 10-45=-35 -> 150 -> 115; 65; 15;
    #      15-160=-145 -> 150 -> 5; 5-50=-45 -> 150 -> 105
    # raw ATP: w1 55+150-(40+10+4)=151; w4 150-(0+35+0)=115; w7 150-160=-10; w8 150
    # look-ahead: the -10 of week 7 is taken from week 4: 115-10=105, week 7 -> 0
    inp = record([40, 10, 4, 0, 35, 0, 160, 0], [65, 65, 65, 45, 50, 50, 50, 50], on_hand=55)
    res = textbook(inp, lot_sizing=LotSizing.fixed(150))
    assert res.mps[0].tolist() == [150, 0, 0, 150, 0, 0, 150, 150]
    assert res.pab[0].tolist() == [140, 75, 10, 115, 65, 15, 5, 105]
    assert res.atp[0].tolist() == [151, 0, 0, 105, 0, 0, 0, 150]
    # cumulative ATP ends at on hand + all MPS - all booked = 55 + 600 - 249 = 406
    assert res.projection.cum_atp[0, -1] == 406


def test_vollmann_style_record_with_firm_mps_and_defer_messages():
    # A record whose MPS is already firm (250, 200, 150 in periods 0, 3, 6), on hand 65.
    # period      0    1    2    3    4    5    6    7
    # forecast   47   20   56   62   65   75   75   70
    # booked     25  150   49   26   75   22   68   10
    # demand     47  150   56   62   75   75   75   70
    # PAB: 65+250-47=268; 118; 62; 62+200-62=200; 125; 50; 50+150-75=125; 55  (never < 0)
    # ATP: p0 65+250-(25+150+49)=91; p3 200-(26+75+22)=77; p6 150-(68+10)=72
    # Need periods (cum demand - on hand: -18, 132, 188, 250, 325, 400, 475, 545):
    #   receipt 250 @0 (0 before it): first value > 0 is period 1 -> defer 0 -> 1
    #   receipt 200 @3 (250 before):  first value > 250 is period 4 -> defer 3 -> 4
    #   receipt 150 @6 (450 before):  first value > 450 is period 6 -> on time, no message
    inp = record([25, 150, 49, 26, 75, 22, 68, 10], [47, 20, 56, 62, 65, 75, 75, 70],
                 firm=[250, 0, 0, 200, 0, 0, 150, 0], on_hand=65)
    res = textbook(inp)
    assert res.mps.sum() == 0 and res.proposals.empty
    assert res.pab[0].tolist() == [268, 118, 62, 200, 125, 50, 125, 55]
    assert res.atp[0].tolist() == [91, 0, 0, 77, 0, 0, 72, 0]
    acts = res.actions
    assert list(acts.columns) == list(ACTION_COLUMNS)
    assert acts["action"].tolist() == ["defer", "defer"]
    assert acts["period"].tolist() == [0, 3]
    assert acts["to_period"].tolist() == [1, 4]
    assert acts["qty"].tolist() == [250, 200]
    assert acts["firm"].tolist() == [True, True]


# --------------------------------------------------------------------------------------
# Lot-sizing rules (hand-worked)
# --------------------------------------------------------------------------------------


def test_lot_for_lot_covers_each_period_exactly():
    # on hand 15, orders 10 20 0 30: 15-10=5; 5-20=-15 -> 15 -> 0; 0; -30 -> 30 -> 0
    res = textbook(record([10, 20, 0, 30], on_hand=15))
    assert res.mps[0].tolist() == [0, 15, 0, 30]
    assert res.pab[0].tolist() == [5, 0, 0, 0]


def test_fixed_lot_with_and_without_multiples():
    # net 130 in period 0 with lot 50: multiples -> 3 lots = 150; without -> max(50, 130) = 130
    inp = record([130, 0, 20])
    assert textbook(inp, lot_sizing=LotSizing.fixed(50)).mps[0].tolist() == [150, 0, 0]
    # without multiples: 130 in period 0, then 0-20 -> max(50, 20) = 50 in period 2
    assert textbook(inp, lot_sizing=LotSizing.fixed(50, multiples=False)).mps[0].tolist() \
        == [130, 0, 50]


def test_min_max_caps_and_carries_the_rest():
    # min 25 max 40, orders 10 60 5 0: p0 net 10 -> 25 (PAB 15); p1 15-60=-45 -> capped 40
    # (PAB -5); p2 -5-5=-10 -> 25 (PAB 15); p3 15
    res = textbook(record([10, 60, 5, 0]), lot_sizing=LotSizing.min_max(25, 40))
    assert res.mps[0].tolist() == [25, 40, 25, 0]
    assert res.pab[0].tolist() == [15, -5, 15, 15]


def test_min_max_with_rounding_multiple():
    # multiple 10, min 45 (rounds up to 50), max 125 (rounds down to 120):
    # net 12 -> 20 -> 50; net 61 -> 70; net 500 -> 120
    lots = LotSizing.min_max(45, 125, multiple=10)
    assert lots.size(np.array([12.0, 61.0, 500.0])).tolist() == [50, 70, 120]
    with pytest.raises(ConfigError, match="no multiple of"):
        propose_mps(record([10]), lot_sizing=LotSizing.min_max(6, 9, multiple=5))


def test_period_order_quantity_counts_receipts_in_the_window():
    # POQ 2, orders 10 20 30 40 50: p0 covers p0+p1 = 30 (PAB 20, 0); p2 covers 30+40 = 70;
    # p4 covers 50 (window cut at the horizon)
    res = textbook(record([10, 20, 30, 40, 50]), lot_sizing=LotSizing.poq(2))
    assert res.mps[0].tolist() == [30, 0, 70, 0, 50]
    assert res.pab[0].tolist() == [20, 0, 40, 0, 0]
    # a firm receipt of 5 in p1 lowers the first lot: gaps p0 0-(-10)=10, p1 0-(-10+5-20)=25
    res = textbook(record([10, 20, 30, 40, 50], firm=[0, 5, 0, 0, 0]), lot_sizing=LotSizing.poq(2))
    assert res.mps[0].tolist() == [25, 0, 70, 0, 50]


def test_poq_periods_per_item():
    # item A POQ 1 (= lot for lot), item B POQ 3: orders 10 each period
    inp = record([[10, 10, 10, 10], [10, 10, 10, 10]], items=["A", "B"])
    res = textbook(inp, lot_sizing=LotSizing.poq({"A": 1, "B": 3}))
    assert res.mps.tolist() == [[10, 10, 10, 10], [30, 0, 0, 10]]


def test_eoq_rule():
    # demand 10 per period, order cost 20, holding 1 per unit and period:
    # EOQ = sqrt(2 * 10 * 20 / 1) = 20 -> lots of max(20, net): p0 20 (PAB 10), p2 20
    res = textbook(record([10, 10, 10, 10]), lot_sizing=LotSizing.eoq(20, 1))
    assert res.mps[0].tolist() == [20, 0, 20, 0]


def test_fixed_lot_per_item_series():
    inp = record([[30, 0], [30, 0]], items=["A", "B"])
    res = textbook(inp, lot_sizing=LotSizing.fixed(pd.Series({"B": 25.0, "A": 40.0})))
    assert res.mps[:, 0].tolist() == [40, 50]  # A one lot of 40, B two lots of 25


# --------------------------------------------------------------------------------------
# Fences, lead time, planned receipts, action messages
# --------------------------------------------------------------------------------------


def test_lead_time_sets_release_period_and_blocks_past_releases():
    # orders 0 0 10 10 10 0. Item A lead 2: receipts in p2, p3, p4, released in p0, p1, p2.
    # Item B lead 3: p2 is not open (release would be p-1): PAB -10; p3 -10-10 -> 20 -> 0;
    # p4 10, released in p0 and p1.
    inp = record([[0, 0, 10, 10, 10, 0]] * 2, items=["A", "B"])
    res = textbook(inp, lead_time=pd.Series({"A": 2, "B": 3}))
    assert res.mps.tolist() == [[0, 0, 10, 10, 10, 0], [0, 0, 0, 20, 10, 0]]
    assert res.releases.tolist() == [[10, 10, 10, 0, 0, 0], [20, 10, 0, 0, 0, 0]]
    assert res.pab[1].tolist() == [0, 0, -10, 0, 0, 0]
    p = res.proposals
    assert list(p.columns) == list(PROPOSAL_COLUMNS)
    assert p["release_period"].tolist() == [0, 1, 2, 0, 1]
    assert p["release_date"].tolist() == [JUNE + pd.Timedelta(weeks=w) for w in (0, 1, 2, 0, 1)]
    assert p["period_start"].iloc[0] == JUNE + pd.Timedelta(weeks=2)


def test_frozen_zone_and_planning_time_fence():
    # orders 10 each period, frozen 2: nothing in p0/p1 (PAB -10, -20); p2 catches up 30;
    # PTF 4: the proposals in p2 and p3 need approval, p4 does not
    res = textbook(record([10] * 5), frozen_periods=2, planning_time_fence=4)
    assert res.mps[0].tolist() == [0, 0, 30, 10, 10]
    assert res.pab[0].tolist() == [-10, -20, 0, 0, 0]
    assert res.proposals["needs_approval"].tolist() == [True, True, False]


def test_demand_time_fence_uses_orders_inside():
    # fence 2: p0, p1 demand = orders (5, 5); beyond max(forecast 20, orders 5) = 20
    res = propose_mps(record([5, 5, 5], [20, 20, 20]), demand_time_fence=2)
    assert res.mps[0].tolist() == [5, 5, 20]


def test_planned_receipts_keep_or_replace():
    # planned 40 in p1, orders 10 each: kept -> no MPS until p4 (PAB -10 in p0);
    # replaced -> lot for lot 10 each period, and the plan no longer counts it
    inp = record([10] * 5, planned=[0, 40, 0, 0, 0])
    kept = textbook(inp)
    assert kept.mps[0].tolist() == [10, 0, 0, 0, 0]
    assert kept.pab[0].tolist() == [0, 30, 20, 10, 0]
    replaced = textbook(inp, planned="replace")
    assert replaced.mps[0].tolist() == [10] * 5
    assert replaced.existing.sum() == 0
    # the kept planned receipt (40 @1) is first needed in p0 -> expedite, firm False
    assert kept.actions[["action", "period", "to_period", "firm"]].values.tolist() == [
        ["expedite", 1, 0, False]]


def test_expedite_defer_and_cancel_messages():
    # A: on hand 0, orders 10 each, receipt 40 @2 -> needed in p0 -> expedite 2 -> 0
    # B: on hand 100, orders 10 each, receipt 50 @1 -> never needed in 4 periods -> cancel
    # C: on hand 25, orders 10 each, receipt 10 @0 -> needed in p2 (25 lasts 2 periods) -> defer
    inp = record([[10] * 4] * 3, firm=[[0, 0, 40, 0], [0, 50, 0, 0], [10, 0, 0, 0]],
                 on_hand=[0, 100, 25], items=["A", "B", "C"])
    acts = textbook(inp).actions
    assert acts["item_id"].astype(str).tolist() == ["A", "B", "C"]
    assert acts["action"].tolist() == ["expedite", "cancel", "defer"]
    assert acts["to_period"].tolist() == [0, pd.NA, 2]
    assert acts["to_date"].iloc[0] == JUNE and pd.isna(acts["to_date"].iloc[1])


def test_safety_stock_target_moves_the_need_earlier():
    # on hand 30, SS 10, orders 10 each, receipt 20 @3: PAB 20, 10, 0 -> below SS in p2
    # -> with target zero the receipt is needed in p3 (on time), with SS in p2 (expedite)
    inp = record([10] * 4, firm=[0, 0, 0, 20], on_hand=30, safety_stock=10)
    assert textbook(inp).actions.empty
    acts = textbook(inp, target="safety_stock").actions
    assert acts[["action", "to_period"]].values.tolist() == [["expedite", 2]]


def test_reschedule_moves_receipts_before_proposing():
    # receipt 40 @2, orders 10 each from on hand 0: needed in p0. Without rescheduling the
    # MPS covers p0, p1 (10, 10); with it the receipt moves to p0 and nothing is proposed.
    inp = record([10] * 4, firm=[0, 0, 40, 0])
    assert textbook(inp).mps[0].tolist() == [10, 10, 0, 0]
    moved = textbook(inp, reschedule=True)
    assert moved.mps.sum() == 0
    assert moved.existing[0].tolist() == [40, 0, 0, 0]
    assert moved.pab[0].tolist() == [30, 20, 10, 0]


# --------------------------------------------------------------------------------------
# Sentences for the early warning
# --------------------------------------------------------------------------------------


def test_explain_names_the_receipt_that_removes_the_first_shortage():
    # weeks from Mon 6 Jul 2026; on hand 20, orders 10 each: PAB 10, 0, -10 -> first
    # shortage in period 2 = week of 20 Jul 2026. Fixed lot 70, lead time 1: a receipt of 70
    # in the week of 20 Jul, released in the week of 13 Jul.
    inp = record([10] * 6, on_hand=20, start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, lot_sizing=LotSizing.fixed(70), lead_time=1)
    en = res.explain()
    assert list(en.columns) == list(EXPLAIN_COLUMNS)
    assert en["text"].tolist() == [
        "A receipt of 70 in the week of 20 Jul 2026 removes this shortage "
        "(release the order in the week of 13 Jul 2026)."]
    assert en[["first_shortage_period", "shortage_qty", "mps_qty"]].values.tolist() == [[2, 10, 70]]
    zh = explain_shortages(res, lang="zh")
    assert zh["text"].tolist() == ["在2026年7月20日当周到货 70 件即可消除此缺货（2026年7月13日当周下达订单）。"]


def test_explain_when_the_fix_comes_late_or_not_at_all():
    # A: orders 10 each from 0, frozen 2 -> first shortage p0, first receipt p2 (30)
    # B: no shortage -> no row.  C: lead time 4 = the whole horizon -> no receipt can help.
    inp = record([[10, 10, 10, 10], [0, 0, 0, 0], [10, 0, 0, 0]], items=["A", "B", "C"],
                 start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, frozen_periods=2, lead_time={"A": 0, "B": 0, "C": 4})
    ex = res.explain()
    assert ex["item_id"].tolist() == ["A", "C"]
    assert ex["text"].iloc[0] == (
        "No new receipt can come in time (frozen zone or lead time); the earliest, a receipt "
        "of 30 in the week of 20 Jul 2026, ends this shortage (release the order in the week "
        "of 20 Jul 2026).")
    assert explain_shortages(res, lang="zh")["text"].iloc[0] == (
        "冻结期或提前期内无法及时安排新的到货；最早在2026年7月20日当周到货 30 件，可结束此缺货"
        "（2026年7月20日当周下达订单）。")
    assert ex["mps_qty"].iloc[0] == 30 and ex["mps_period"].iloc[0] == 2
    assert ex["text"].iloc[1].startswith("No new receipt within the horizon")
    assert pd.isna(ex["mps_period"].iloc[1]) and pd.isna(ex["mps_date"].iloc[1])


def test_explain_capped_lots_end_the_shortage_late_or_never():
    # min 10 max 20, target SS 10, orders 0 100 0 0: p0 0 < 10 -> 10 (PAB 10); p1 10-100=-90
    # -> 20 (PAB -70); p2 -70 -> 20 (-50); p3 -> 20 (-30): never back to 0 -> "none"
    inp = record([0, 100, 0, 0], safety_stock=10, start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, target="safety_stock", lot_sizing=LotSizing.min_max(10, 20))
    assert res.pab[0].tolist() == [10, -70, -50, -30]
    assert res.explain()["text"].iloc[0].startswith("No new receipt within the horizon")
    # orders 0 30 0 0 and max 20: p0 10 (PAB 10), p1 10-30=-20 -> 20 (PAB 0 < 10 is fine for
    # "ends": PAB not negative) -> covered in p1 by 10 + 20 = 30 -> "many"
    inp = record([0, 30, 0, 0], safety_stock=10, start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, target="safety_stock", lot_sizing=LotSizing.min_max(10, 20))
    assert res.pab[0].tolist() == [10, 0, 10, 10]
    assert res.explain()["text"].iloc[0].startswith("Receipts of 30 in total, the first in "
                                                     "the week of 6 Jul 2026")
    # orders 0 50 0 0, max 20, target zero: p1 -50 -> 20 (-30); p2 -30 -> 20 (-10);
    # p3 -10 -> net 10 = min 10 (0): ends in p3 with 20+20+10 = 50 in total -> "late_many"
    inp = record([0, 50, 0, 0], start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, lot_sizing=LotSizing.min_max(10, 20))
    assert res.pab[0].tolist() == [0, -30, -10, 0]
    assert res.explain()["text"].iloc[0] == (
        "No new receipt can come in time (frozen zone, lead time or lot-size limit); receipts "
        "of 50 in total, the first in the week of 13 Jul 2026, end this shortage in the week "
        "of 27 Jul 2026 (release the first order in the week of 13 Jul 2026).")


def test_explain_several_receipts():
    # SS target 10, on hand 5, orders 0 10 0: p0 5 < 10 -> MPS 5 (PAB 10); p1 10-10=0 < 10
    # -> MPS 10 (PAB 10). Baseline PAB 5, -5, -5: first shortage p1, covered by both receipts.
    inp = record([0, 10, 0], on_hand=5, safety_stock=10, start=pd.Timestamp("2026-07-06"))
    res = textbook(inp, target="safety_stock")
    assert res.mps[0].tolist() == [5, 10, 0]
    ex = res.explain()
    assert ex["text"].iloc[0] == ("Receipts of 15 in total, the first in the week of 6 Jul "
                                  "2026, remove this shortage (release the first order in the "
                                  "week of 6 Jul 2026).")


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def test_bad_parameters_raise_workbench_errors():
    inp = record([10, 10])
    with pytest.raises(InputTypeError):
        propose_mps("not inputs")
    with pytest.raises(ChoiceError):
        propose_mps(inp, target="ss")
    with pytest.raises(ChoiceError):
        propose_mps(inp, lot_sizing="fixed")
    with pytest.raises(CountError):
        propose_mps(inp, frozen_periods=-1)
    with pytest.raises(ConfigError, match="lead_time"):
        propose_mps(inp, lead_time=1.5)
    with pytest.raises(ConfigError, match="no value"):
        propose_mps(inp, lead_time={"Y": 1})
    with pytest.raises(RangeError):
        LotSizing.fixed(0)
    with pytest.raises(ConfigError, match="needs qty"):
        LotSizing("fixed")
    with pytest.raises(ConfigError, match="minimum must not exceed"):
        propose_mps(inp, lot_sizing=LotSizing.min_max(50, 20))
    with pytest.raises(ChoiceError):
        mps_record(propose_mps(inp), "nope")


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

qty = st.integers(min_value=0, max_value=60)


@st.composite
def plans(draw):
    n = draw(st.integers(1, 4))
    t = draw(st.integers(1, 8))
    grid = st.lists(st.lists(qty, min_size=t, max_size=t), min_size=n, max_size=n)
    orders, fc = draw(grid), draw(grid)
    firm = [[draw(st.sampled_from([0, 0, 0, 25, 40])) for _ in range(t)] for _ in range(n)]
    on_hand = draw(st.lists(st.integers(0, 80), min_size=n, max_size=n))
    ss = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    inp = record(orders, fc, firm=firm, on_hand=on_hand, safety_stock=ss)
    kw = {"frozen_periods": draw(st.integers(0, 3)),
          "lead_time": np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))),
          "demand_time_fence": draw(st.integers(0, 3)),
          "target": draw(st.sampled_from(["zero", "safety_stock"]))}
    return inp, kw


@PROPS
@given(plans())
def test_lot_for_lot_keeps_pab_at_target_outside_frozen_zone(case):
    inp, kw = case
    res = propose_mps(inp, **kw)
    goal = inp.safety_stock if kw["target"] == "safety_stock" else np.zeros(inp.n_items)
    open_from = np.maximum(kw["lead_time"], kw["frozen_periods"])
    t = np.arange(inp.n_periods)[None, :]
    outside = t >= open_from[:, None]
    assert (res.pab[outside] >= (goal[:, None] + 0 * t)[outside] - 1e-9).all()
    assert (res.pab[outside & (res.mps > 0)] == np.broadcast_to(
        goal[:, None], res.pab.shape)[outside & (res.mps > 0)]).all()  # lot for lot: exact
    assert (res.mps[~outside] == 0).all() and (res.mps >= 0).all()
    if kw["target"] == "zero":
        assert (res.pab[outside] >= 0).all()


@PROPS
@given(plans(), st.sampled_from(["fixed", "fixed_any", "min_max", "poq", "eoq"]),
       st.integers(5, 50), st.integers(0, 40))
def test_lot_sizes_follow_the_rule(case, rule, lot, extra):
    inp, kw = case
    lots = {"fixed": LotSizing.fixed(lot), "fixed_any": LotSizing.fixed(lot, multiples=False),
            "min_max": LotSizing.min_max(lot, lot + extra + 5, multiple=5),
            "poq": LotSizing.poq(1 + extra % 4), "eoq": LotSizing.eoq(lot, 1.0)}[rule]
    res = propose_mps(inp, lot_sizing=lots, **kw)
    q = res.mps[res.mps > 0]
    if rule == "fixed":
        assert np.allclose(q / lot, np.round(q / lot))
    elif rule == "fixed_any":
        assert (q >= lot).all()
    elif rule == "min_max":
        assert (q >= lot).all() and (q <= lot + extra + 5).all() and (q % 5 == 0).all()
    else:
        goal = inp.safety_stock if kw["target"] == "safety_stock" else np.zeros(inp.n_items)
        t = np.arange(inp.n_periods)[None, :]
        outside = t >= np.maximum(kw["lead_time"], kw["frozen_periods"])[:, None]
        assert (res.pab[outside] >= np.broadcast_to(goal[:, None], res.pab.shape)[outside]
                - 1e-9).all()


@PROPS
@given(plans())
def test_items_are_planned_independently_and_atp_totals_match(case):
    inp, kw = case
    res = propose_mps(inp, lot_sizing=LotSizing.fixed(30), **kw)
    for i in range(inp.n_items):  # reference: each item on its own
        one = PabInput(item_id=inp.item_id[i:i + 1], period_start=inp.period_start,
                       as_of=inp.as_of, freq=inp.freq, on_hand=inp.on_hand[i:i + 1],
                       safety_stock=inp.safety_stock[i:i + 1],
                       customer_orders=inp.customer_orders[i:i + 1],
                       forecast=inp.forecast[i:i + 1], supply_firm=inp.supply_firm[i:i + 1],
                       supply_planned=inp.supply_planned[i:i + 1])
        alone = propose_mps(one, lot_sizing=LotSizing.fixed(30),
                            **{**kw, "lead_time": kw["lead_time"][i]})
        assert np.array_equal(alone.mps[0], res.mps[i])
    total = inp.on_hand + inp.supply_firm.sum(1) + res.mps.sum(1) - inp.customer_orders.sum(1)
    assert np.allclose(res.projection.cum_atp[:, -1], total)
    # action messages: every listed receipt exists and moves (or is cancelled)
    acts = res.actions
    assert ((acts["to_period"].isna()) | (acts["to_period"] != acts["period"])).all()
