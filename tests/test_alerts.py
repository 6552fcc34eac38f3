"""Tests for the supply-break escalation levels (workbench.planning.alerts).

Every expected value is worked by hand in the comments from the constructed data;
none is produced by the code under test.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import (
    ConfigError,
    CountError,
    FrameTypeError,
    LanguageError,
    MissingColumnsError,
    SourceNotFoundError,
)
from workbench.i18n import fmt_date
from workbench.io.dataset import load_dataset
from workbench.planning.alerts import (
    ALERT_COLUMNS,
    LINE_COLUMNS,
    alert_lines,
    evaluate,
    evaluate_alerts,
)
from workbench.planning.buckets import build_buckets
from workbench.planning.expedite import (
    cheapest_expedite,
    default_expedite_options,
    load_expedite_options,
    validate_expedite_options,
)
from workbench.planning.pab import project_pab

MONDAY = pd.Timestamp("2025-01-06")
# Weeks (period starts): W0 01-06, W1 01-13, W2 01-20, W3 01-27, W4 02-03, W5 02-10,
# W6 02-17, W7 02-24.
W = pd.date_range(MONDAY, periods=8, freq="7D")

# Expedite options used by the hand-worked cases (saved days, transit days, cost, limit).
OPTIONS = pd.DataFrame({
    "mode": ["standard truck", "express truck", "air freight", "hand carry"],
    "lead_time_saved_days": [0, 7, 14, 21],
    "transit_days": [21, 14, 7, 1],
    "cost_per_unit": [0.0, 1.0, 5.0, 50.0],
    "max_qty": [None, None, None, 5],
})


def case():
    """One item per alert kind (as_of Monday 2025-01-06, 8 weekly periods, fence 2).

    SS  on hand 50, safety stock 30; order S1 (C1) 30 due W1; firm 40 in W3.
        PAB 50, 20, 20, 60 ...: below safety stock in W1-W2, never short -> level 1
        below_safety_stock, first 01-13, last 01-20, max gap to safety stock 30-20 = 10.
    PL  on hand 20; P1 (C2) 10 due W1, P2 (C2) 30 due W3; *planned* 40 in W3.
        PAB 20, 10, 10, 20, ...: fine. Planned receipt 2 weeks late (W5):
        W3 10 - 30 = -20, W4 -20, W5 +40 = 20 -> level 1 planned_receipt_dependency,
        first 01-27, last 02-03, shortage 20. Stressed lines: P2 gets the 10 left,
        short 20 from W3, covered W5 (02-10).
    L2  on hand 30; A1 (C1) 10 due W0, A2 (C3) 40 due 01-28 (W3), A3 (C4) 5 due 01-29
        (W3); firm 60 in W4. Orders-only PAB 20, 20, 20, 20 - 45 = -25, 35: short in
        W3 only (week 4, outside the 2-week frozen window); gap 25 until W4: needed by
        01-27, receipt 02-03 -> 7 days to gain. Express truck (saves 7, cost 1) arrives
        02-03 - 7 = 01-27 (not before as_of + 14 = 01-20): in time, 25 x 1 = 25. Air
        (saves 14) costs 125; hand carry max 5 < 25. -> level 2, express truck 25.
        Lines: stock at W3 = 20; A2 (due earlier) gets 20, short 20; A3 short 5; both
        covered W4.
    L3  on hand 5; B1 (C1) 12 due W0; firm 20 in W2. PAB -7, -7, 13: short from W0,
        inside the frozen window -> level 3 confirmed_break, last 01-13, max 7.
    NX  on hand 10; N1 (C2) 30 due W3; firm 50 in W6. PAB 10, 10, 10, -20, -20, -20,
        30: short W3-W5, gap 20, receipt 02-17 = 21 days after 01-27. Express (7) and
        air (14) save too little; hand carry (21) is in time but max 5 < 20 -> no
        option -> level 3 confirmed_break although outside the frozen window.
    FC  on hand 10; no orders; forecast 15 in W3 (beyond the fence): PAB 10, 10, 10,
        -5: negative on forecast only, no customer line short -> level 1
        below_safety_stock, first 01-27, max gap 0 - (-5) = 5.
    OK  on hand 100, order 10: no alert.
    """
    lines = [
        ("S1", 1, "C1", "SS", "2025-01-14", 30),
        ("P1", 1, "C2", "PL", "2025-01-14", 10), ("P2", 1, "C2", "PL", "2025-01-28", 30),
        ("A1", 1, "C1", "L2", "2025-01-07", 10), ("A2", 1, "C3", "L2", "2025-01-28", 40),
        ("A3", 1, "C4", "L2", "2025-01-29", 5),
        ("B1", 1, "C1", "L3", "2025-01-08", 12),
        ("N1", 1, "C2", "NX", "2025-01-27", 30),
        ("K1", 1, "C1", "OK", "2025-01-08", 10),
    ]
    orders = pd.DataFrame(lines, columns=["order_id", "line_no", "customer_id", "item_id",
                                          "requested_date", "qty_ordered"])
    orders["requested_date"] = pd.to_datetime(orders["requested_date"])
    orders["order_date"] = pd.Timestamp("2024-12-01")
    supply = pd.DataFrame([
        ("R1", "SS", "2025-01-28", 40, True), ("R2", "PL", "2025-01-29", 40, False),
        ("R3", "L2", "2025-02-04", 60, True), ("R4", "L3", "2025-01-21", 20, True),
        ("R5", "NX", "2025-02-18", 50, True),
    ], columns=["receipt_id", "item_id", "due_date", "qty", "firm"])
    supply["due_date"] = pd.to_datetime(supply["due_date"])
    inventory = pd.DataFrame({"item_id": ["SS", "PL", "L2", "L3", "NX", "FC", "OK"],
                              "snapshot_date": MONDAY,
                              "on_hand": [50, 20, 30, 5, 10, 10, 100]})
    forecast = pd.DataFrame({"item_id": ["FC"], "period_start": [W[3]], "forecast_qty": [15]})
    items = pd.DataFrame({"item_id": ["SS", "PL", "L2", "L3", "NX", "FC", "OK"],
                          "safety_stock": [30, 0, 0, 0, 0, 0, 0]})
    inputs = build_buckets(orders, forecast, supply, inventory, items, as_of=MONDAY,
                           horizon=8)
    return orders, project_pab(inputs, demand_time_fence=2)


@pytest.fixture(scope="module")
def hand():
    orders, result = case()
    return orders, result, evaluate(result, result.inputs, orders, frozen_periods=2,
                                    slip_periods=2, expedite_options=OPTIONS)


def test_one_alert_per_kind_with_hand_worked_levels(hand):
    _, _, got = hand
    a = got.alerts
    assert list(a.columns) == list(ALERT_COLUMNS)
    # Sorted by level (3 first), then first short date, then item.
    assert a["alert_id"].tolist() == ["L3|2025-01-06", "NX|2025-01-27", "L2|2025-01-27",
                                      "SS|2025-01-13", "FC|2025-01-27", "PL|2025-01-27"]
    a = a.set_index("item_id")
    assert a["alert_level"].to_dict() == {"L3": 3, "NX": 3, "L2": 2, "SS": 1, "FC": 1,
                                          "PL": 1}
    assert a["kind"].to_dict() == {
        "L3": "confirmed_break", "NX": "confirmed_break", "L2": "potential_shortage",
        "SS": "below_safety_stock", "FC": "below_safety_stock",
        "PL": "planned_receipt_dependency"}
    assert a["first_short_period"].to_dict() == {"L3": 0, "NX": 3, "L2": 3, "SS": 1,
                                                 "FC": 3, "PL": 3}
    assert a.loc["L3", "last_short_date"] == W[1]
    assert a.loc["NX", "last_short_date"] == W[5]
    assert a.loc["SS", "last_short_date"] == W[2]
    assert a.loc["PL", "last_short_date"] == W[4]
    assert a["max_shortage_qty"].to_dict() == {"L3": 7, "NX": 20, "L2": 25, "SS": 10,
                                               "FC": 5, "PL": 20}
    assert a.loc["L2", "gap_qty"] == 25 and a.loc["NX", "gap_qty"] == 20
    assert a.loc["L2", "covered_by_date"] == W[4]
    assert a.loc["NX", "covered_by_date"] == W[6]
    assert a.loc["L3", "covered_by_date"] == W[2]
    assert "OK" not in a.index


def test_expedite_and_affected_lines_of_the_alerts(hand):
    _, _, got = hand
    a = got.alerts.set_index("item_id")
    # L2: express truck, 25 units x 1 = 25, arriving 02-03 - 7 days = 01-27.
    assert a.loc["L2", "expedite_mode"] == "express truck"
    assert a.loc["L2", "expedite_cost"] == 25
    assert a.loc["L2", "expedite_arrival"] == pd.Timestamp("2025-01-27")
    # L3 (needs 14 days by 01-06: nothing arrives by as_of) and NX (no option): none.
    assert pd.isna(a.loc["L3", "expedite_mode"]) and np.isnan(a.loc["L3", "expedite_cost"])
    assert pd.isna(a.loc["NX", "expedite_mode"]) and pd.isna(a.loc["NX", "expedite_arrival"])
    assert a["expedite_mode"].isna().sum() == 5  # only L2 has one
    assert a["affected_customers"].to_dict() == {"L3": 1, "NX": 1, "L2": 2, "SS": 0, "FC": 0,
                                                 "PL": 1}
    assert a["affected_lines"].to_dict() == {"L3": 1, "NX": 1, "L2": 2, "SS": 0, "FC": 0,
                                             "PL": 1}
    assert a["qty_short"].to_dict() == {"L3": 7, "NX": 20, "L2": 25, "SS": 0, "FC": 0,
                                        "PL": 20}

    lines = got.lines
    assert list(lines.columns) == list(LINE_COLUMNS)
    got_rows = lines[["alert_id", "order_id", "customer_id", "qty_short", "short_from",
                      "covered_by_date"]].astype(object).values.tolist()
    assert got_rows == [
        ["L3|2025-01-06", "B1", "C1", 7.0, W[0], W[2]],
        ["NX|2025-01-27", "N1", "C2", 20.0, W[3], W[6]],
        ["L2|2025-01-27", "A2", "C3", 20.0, W[3], W[4]],
        ["L2|2025-01-27", "A3", "C4", 5.0, W[3], W[4]],
        ["PL|2025-01-27", "P2", "C2", 20.0, W[3], W[5]],  # if the planned receipt slips
    ]
    assert set(lines["alert_level"]) == {3, 2, 1}


def test_root_causes_and_actions_are_built_from_the_numbers(hand):
    _, _, got = hand
    a = got.alerts.set_index("item_id")
    # L2 in W3: open orders 10 + 40 + 5 = 55 exceed on hand 30 + receipts 0: 25 short.
    assert a.loc["L2", "root_cause"].startswith(
        "open orders 55 due by the week of 27 Jan 2025 exceed on hand 30 + receipts 0 "
        "(firm 0, planned 0): 25 short; supply catches up in the week of 3 Feb 2025")
    assert "Act now: expedite 25 units by express truck (cost 25, arriving 27 Jan 2025)" \
        in a.loc["L2", "recommended_action"]
    assert "2 affected customers" in a.loc["L2", "recommended_action"]
    assert "inside the frozen window (first 2 weeks)" in a.loc["L3", "root_cause"]
    assert "no expedite option brings 20 units forward 21 days" in a.loc["NX", "root_cause"]
    assert "confirmed-supply-break notice" in a.loc["NX", "recommended_action"]
    assert a.loc["PL", "root_cause"] == (
        "planned receipt of 40 due in the week of 27 Jan 2025 is needed; if 2 weeks late "
        "PAB falls to -20 (first short in the week of 27 Jan 2025)")
    assert a.loc["PL", "recommended_action"] == (
        "Confirm the planned receipt of 40 due in the week of 27 Jan 2025 with the plant or "
        "supplier and firm it up; if it cannot be confirmed, prepare a potential-risk notice "
        "for the 1 affected customer")
    assert a.loc["SS", "root_cause"].startswith(
        "PAB 20 in the week of 13 Jan 2025 is below safety stock 30")
    assert "PAB falls to -5 on forecast demand; no open order line is short" \
        in a.loc["FC", "root_cause"]


def test_actions_write_costs_with_the_currency_and_thousands(hand):
    orders, result, _ = hand
    opts = OPTIONS.assign(cost_per_unit=OPTIONS["cost_per_unit"] * 100)
    got = evaluate_alerts(result, None, orders, expedite_options=opts, currency="EUR")
    action = got.set_index("item_id").loc["L2", "recommended_action"]
    # 25 units by express truck at 100 x the per-unit cost of 1: 2,500 euros
    assert "Act now: expedite 25 units by express truck (cost €2,500, arriving 27 Jan 2025)" \
        in action


def test_wrappers_frozen_window_and_planned_receipts_removed(hand):
    orders, result, got = hand
    pd.testing.assert_frame_equal(
        evaluate_alerts(result, None, orders, expedite_options=OPTIONS), got.alerts)
    pd.testing.assert_frame_equal(
        alert_lines(result, result.inputs, orders, expedite_options=OPTIONS), got.lines)
    # frozen_periods=4: the W3 shortages of L2 are inside the frozen window -> level 3.
    a = evaluate_alerts(result, None, orders, frozen_periods=4,
                        expedite_options=OPTIONS).set_index("item_id")
    assert a.loc["L2", "alert_level"] == 3
    # Planned receipts removed (slip_periods=None): PL falls to 10 - 30 = -20 in W3 and
    # stays there (no later receipt): last short = last period W7.
    a = evaluate_alerts(result, None, orders, slip_periods=None,
                        expedite_options=OPTIONS).set_index("item_id")
    assert a.loc["PL", "last_short_date"] == W[7]
    assert "if it does not come PAB falls to -20" in a.loc["PL", "root_cause"]
    # No options at all: L2 can no longer be helped -> confirmed break.
    a = evaluate_alerts(result, None, orders,
                        expedite_options=OPTIONS.iloc[:0]).set_index("item_id")
    assert a.loc["L2", "alert_level"] == 3


def test_nothing_at_risk_gives_empty_tidy_frames():
    # OK: on hand 100, one order of 10 in W0 -> PAB 90 throughout, safety stock 0.
    orders, _ = case()
    ok = orders.loc[orders["item_id"] == "OK"]
    stock = pd.DataFrame({"item_id": ["OK"], "snapshot_date": [MONDAY], "on_hand": [100]})
    result = project_pab(build_buckets(ok, inventory=stock, as_of=MONDAY, horizon=4))
    got = evaluate(result, None, ok, expedite_options=OPTIONS)
    assert got.alerts.empty and list(got.alerts.columns) == list(ALERT_COLUMNS)
    assert got.lines.empty and list(got.lines.columns) == list(LINE_COLUMNS)


def test_bad_arguments_raise_config_errors(hand):
    orders, result, _ = hand
    with pytest.raises(CountError, match="frozen_periods"):
        evaluate_alerts(result, None, orders, frozen_periods=-1, expedite_options=OPTIONS)
    with pytest.raises(CountError, match="slip_periods"):
        evaluate_alerts(result, None, orders, slip_periods=0, expedite_options=OPTIONS)
    with pytest.raises(ConfigError, match="inputs"):
        evaluate_alerts(result, case()[1].inputs, orders, expedite_options=OPTIONS)
    with pytest.raises(FrameTypeError, match="order_lines"):
        evaluate_alerts(result, None, None, expedite_options=OPTIONS)


# --------------------------------------------------------------------------------------
# Chinese texts (language="zh")
# --------------------------------------------------------------------------------------


def test_chinese_texts_carry_the_same_numbers_and_dates(hand):
    orders, result, got = hand
    zh = evaluate(result, result.inputs, orders, frozen_periods=2, slip_periods=2,
                  expedite_options=OPTIONS, language="zh")
    # Only the two text columns change; kinds stay machine-readable codes.
    text_cols = ["root_cause", "recommended_action"]
    pd.testing.assert_frame_equal(zh.alerts.drop(columns=text_cols),
                                  got.alerts.drop(columns=text_cols))
    pd.testing.assert_frame_equal(zh.lines, got.lines)
    assert set(zh.alerts["kind"]) == {"confirmed_break", "potential_shortage",
                                      "below_safety_stock", "planned_receipt_dependency"}
    # Dates are written as i18n.fmt_date writes them in Chinese.
    assert [fmt_date(W[k], "zh") for k in (0, 1, 2, 3, 4, 6)] == [
        "2025年1月6日", "2025年1月13日", "2025年1月20日", "2025年1月27日", "2025年2月3日",
        "2025年2月17日"]
    a = zh.alerts.set_index("item_id")
    # L2 (level 2): open orders 55 by W3 vs on hand 30 + receipts 0 -> 25 short, caught up
    # in W4; express truck 25 x 1 = 25 arriving 01-27; 2 customers (C3, C4).
    assert a.loc["L2", "root_cause"] == (
        "截至 2025年1月27日当周的未交订单 55 超过现有库存 30 + 到货 0（确认 0，计划 0）："
        "短缺 25；供应于 2025年2月3日当周恢复")
    assert a.loc["L2", "recommended_action"] == (
        "立即行动：改用加急卡车提前运送 25 件（费用 25，预计 2025年1月27日到货），"
        "并向 2 个受影响客户发送潜在供货风险通知（二级）")
    # L3 (level 3): 12 due by W0 vs on hand 5 -> 7 short, inside the 2-week frozen window,
    # firm 20 in W2 brings the remainder; 1 customer (C1).
    assert a.loc["L3", "root_cause"] == (
        "截至 2025年1月6日当周的未交订单 12 超过现有库存 5 + 到货 0（确认 0，计划 0）："
        "短缺 7；供应于 2025年1月20日当周恢复；处于冻结期内（前 2 周）")
    assert a.loc["L3", "recommended_action"] == (
        "向 1 个受影响客户发送确认断供通知（三级），注明确切日期和数量；"
        "与客户商定分批交货或分配方案；余量随 2025年1月20日当周的到货交付")
    # NX: gap 20 must come 21 days earlier (01-27 -> 02-17); no option can.
    assert "；没有加急方式能将 20 件提前 21 天到货" in a.loc["NX", "root_cause"]
    assert "余量随 2025年2月17日当周的到货交付" in a.loc["NX", "recommended_action"]
    # PL: planned 40 in W3; 2 weeks late -> PAB -20 from W3; 1 customer (C2).
    assert a.loc["PL", "root_cause"] == (
        "依赖 2025年1月27日当周的计划到货 40：若该到货延迟 2 周，预计可用库存将降至 -20"
        "（自 2025年1月27日当周起短缺）")
    assert a.loc["PL", "recommended_action"] == (
        "与工厂或供应商确认 2025年1月27日当周的计划到货 40，并将其转为确认到货；"
        "如无法确认，为 1 个受影响客户准备潜在供货风险通知")
    # SS: PAB 20 in W1 < safety stock 30 (demand = open orders 30, forecast 0).
    assert a.loc["SS", "root_cause"] == (
        "2025年1月13日当周的预计可用库存 20 低于安全库存 30（需求 30，未交订单 30，预测 0）")
    # FC: forecast 15 in W3 on 10 on hand -> -5, no order line short.
    assert a.loc["FC", "root_cause"].endswith(
        "（需求 15，未交订单 0，预测 15）；受预测需求影响，预计可用库存降至 -5；"
        "没有未交订单行短缺")
    assert a.loc["FC", "recommended_action"].startswith("尚无客户订单短缺")
    # No English left in any sentence (only digits, dates and CJK).
    for col in text_cols:
        assert not zh.alerts[col].str.contains(r"[A-Za-z]").any(), col


def test_chinese_texts_for_the_other_settings(hand):
    orders, result, _ = hand
    # frozen_periods=4: L2 becomes a confirmed break; the express truck shortens it.
    a = evaluate_alerts(result, None, orders, frozen_periods=4, expedite_options=OPTIONS,
                        language="zh").set_index("item_id")
    assert a.loc["L2", "kind"] == "confirmed_break"
    assert "处于冻结期内（前 4 周）" in a.loc["L2", "root_cause"]
    assert a.loc["L2", "recommended_action"] == (
        "向 2 个受影响客户发送确认断供通知（三级），注明确切日期和数量；"
        "与客户商定分批交货或分配方案；改用加急卡车提前运送 25 件"
        "（费用 25，预计 2025年1月27日到货），以缩短断供时间")
    # Planned receipts removed: "if it does not come".
    a = evaluate_alerts(result, None, orders, slip_periods=None, expedite_options=OPTIONS,
                        language="zh").set_index("item_id")
    assert "若该到货未到，预计可用库存将降至 -20" in a.loc["PL", "root_cause"]


@pytest.mark.parametrize(("mode", "saved", "transit", "cpu", "expected"), [
    # L2 needs 25 units 7 days earlier (receipt 02-03, needed by 01-27), as_of 01-06.
    # standard truck saving 7 days at no cost: 25 x 0 = 0, arriving 01-27.
    ("standard truck", 7, None, 0.0, "改用常规卡车提前运送 25 件（费用 0，预计 2025年1月27日到货）"),
    # air freight saving 14: 02-03 - 14 = 01-20 (not before 01-06 + 7); 25 x 5 = 125.
    ("Air Freight", 14, 7, 5.0, "改用空运提前运送 25 件（费用 125，预计 2025年1月20日到货）"),
    # hand carry saving 21 without limit: 01-13 (not before 01-07); 25 x 50 = 1250.
    ("hand carry", 21, 1, 50.0, "改用专人随身携带提前运送 25 件（费用 1,250，预计 2025年1月13日到货）"),
    # a user-defined mode keeps its name: 25 x 1.5 = 37.50, arriving 01-27.
    ("rail shuttle", 7, None, 1.5,
     "改用 rail shuttle 提前运送 25 件（费用 37.50，预计 2025年1月27日到货）"),
])
def test_chinese_expedite_mode_names(hand, mode, saved, transit, cpu, expected):
    orders, result, _ = hand
    opts = pd.DataFrame({"mode": [mode], "lead_time_saved_days": [saved],
                         "transit_days": [transit], "cost_per_unit": [cpu]})
    a = evaluate_alerts(result, None, orders, expedite_options=opts,
                        language="zh").set_index("item_id")
    assert a.loc["L2", "expedite_mode"] == mode  # the column keeps the table's name
    assert a.loc["L2", "recommended_action"].startswith("立即行动：" + expected)
    en = evaluate_alerts(result, None, orders, expedite_options=opts).set_index("item_id")
    assert f"by {mode} (cost " in en.loc["L2", "recommended_action"]


def test_english_is_the_default_and_bad_languages_are_rejected(hand):
    orders, result, got = hand
    pd.testing.assert_frame_equal(
        evaluate(result, None, orders, expedite_options=OPTIONS, language="en").alerts,
        got.alerts)
    for bad in ("fr", "ZH", "", None, ["zh"]):
        with pytest.raises(LanguageError, match="language") as err:
            evaluate(result, None, orders, expedite_options=OPTIONS, language=bad)
        assert err.value.key == "language"
        assert "'en'" in err.value.fix and "'zh'" in err.value.fix
    with pytest.raises(LanguageError, match="language"):
        evaluate_alerts(result, None, orders, expedite_options=OPTIONS, language="de")
    from workbench.planning.alerts import run_early_warning
    with pytest.raises(LanguageError, match="language"):
        run_early_warning(load_dataset("samples"), language="chinese")


def test_run_early_warning_in_chinese_on_the_sample():
    from workbench.planning.alerts import run_early_warning

    ds = load_dataset("samples")
    en = run_early_warning(ds)
    zh = run_early_warning(ds, language="zh")
    assert len(zh.alerts) > 0
    text_cols = ["root_cause", "recommended_action"]
    pd.testing.assert_frame_equal(zh.alerts.drop(columns=text_cols),
                                  en.alerts.drop(columns=text_cols))
    pd.testing.assert_frame_equal(zh.lines, en.lines)
    cjk = r"[\u4e00-\u9fff]"
    for col in text_cols:
        assert zh.alerts[col].str.contains(cjk).all(), col
        assert not zh.alerts[col].str.contains(r"[A-Za-z]").any(), col
        assert not en.alerts[col].str.contains(cjk).any(), col
    # Built-in modes are translated; every expedite row names its mode in Chinese.
    names = {"express truck": "加急卡车", "air freight": "空运", "hand carry": "专人随身携带",
             "standard truck": "常规卡车"}
    has = zh.alerts["expedite_mode"].notna()
    assert has.any()
    for mode, action in zip(zh.alerts.loc[has, "expedite_mode"],
                            zh.alerts.loc[has, "recommended_action"], strict=True):
        assert f"改用{names[mode]}提前运送" in action


# --------------------------------------------------------------------------------------
# Expedite options
# --------------------------------------------------------------------------------------


def test_cheapest_expedite_picks_cheapest_feasible_option_per_risk():
    needed = pd.Timestamp("2025-02-03")
    got = cheapest_expedite(
        [10, 4, 4, 6, 10, 0],
        [needed] * 6,
        ["2025-02-10", "2025-02-17", "2025-02-24", "2025-02-24", None, "2025-02-10"],
        OPTIONS,
    )
    # r0: 7 days to gain: express (10 x 1 = 10) beats air (50); hand carry max 5 < 10.
    # r1: 14 days: express too slow (02-10); air 4 x 5 = 20 beats hand carry 200.
    # r2: 21 days: only hand carry (02-24 - 21 = 02-03), 4 x 50 = 200.
    # r3: as r2 but 6 > max 5: nothing.  r4: no receipt to expedite.  r5: no gap.
    assert got["expedite_mode"].tolist()[:3] == ["express truck", "air freight", "hand carry"]
    assert got["expedite_mode"].iloc[3:].isna().all()
    assert got["expedite_cost"].tolist()[:3] == [10, 20, 200]
    assert got["expedite_cost"].iloc[3:].isna().all()
    assert got["expedite_arrival"].tolist()[:3] == [pd.Timestamp("2025-02-03"),
                                                    pd.Timestamp("2025-02-03"),
                                                    pd.Timestamp("2025-02-03")]
    assert got["lead_time_saved_days"].tolist()[:3] == [7, 14, 21]


def test_cheapest_expedite_respects_as_of_and_ties():
    # Needed 01-08, receipt 01-15. Without as_of express arrives 01-08 (cost 1). With
    # as_of 01-06 express cannot arrive before 01-06 + 14 = 01-20 and air before 01-13;
    # hand carry: 01-15 - 21 = 12-25, not before 01-06 + 1 = 01-07 <= 01-08: cost 50.
    free = cheapest_expedite(1, "2025-01-08", "2025-01-15", OPTIONS)
    assert free["expedite_mode"].tolist() == ["express truck"]
    now = cheapest_expedite(1, "2025-01-08", "2025-01-15", OPTIONS, as_of="2025-01-06")
    assert now["expedite_mode"].tolist() == ["hand carry"]
    assert now["expedite_arrival"].tolist() == [pd.Timestamp("2025-01-07")]
    # Same cost: the earlier arrival wins; same cost and arrival: the first in the table.
    tie = pd.DataFrame({"mode": ["slow", "fast", "fast twin"], "lead_time_saved_days": [7, 9, 9],
                        "cost_per_unit": [2.0, 2.0, 2.0]})
    got = cheapest_expedite(3, "2025-02-03", "2025-02-10", tie)
    assert got["expedite_mode"].tolist() == ["fast"]
    assert got["expedite_arrival"].tolist() == [pd.Timestamp("2025-02-01")]


def test_shipped_expedite_table_matches_defaults_and_is_realistic():
    from workbench.paths import data_path

    shipped = load_expedite_options(data_path("samples/expedite_options.csv"))
    pd.testing.assert_frame_equal(shipped, default_expedite_options())
    assert shipped["mode"].tolist() == ["standard truck", "express truck", "air freight",
                                        "hand carry"]
    assert shipped["cost_per_unit"].is_monotonic_increasing
    assert shipped["lead_time_saved_days"].is_monotonic_increasing
    assert shipped.loc[0, "cost_per_unit"] == 0  # the plan's own mode costs nothing extra
    assert shipped.loc[3, "max_qty"] == 20  # hand carry: small quantities only
    assert shipped["max_qty"].iloc[:3].isna().all()


def test_expedite_table_validation_names_row_and_column(tmp_path):
    path = tmp_path / "opts.csv"
    path.write_text("mode,lead_time_saved_days,cost_per_unit,max_qty\n"
                    "truck,0,0,\nair,14,abc,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"row 3 \(mode 'air'\), column cost_per_unit: "
                                          r"must be a number, got 'abc'") as err:
        load_expedite_options(path)
    assert err.value.key == "cost_per_unit" and str(path) in str(err.value)
    path.write_text("mode,lead_time_saved_days,cost_per_unit,max_qty\n"
                    "truck,0,0,\nair,-3,4,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="row 3.*lead_time_saved_days: must not be negative"):
        load_expedite_options(path)
    path.write_text("mode,lead_time_saved_days,cost_per_unit,max_qty\ntruck,0,0,0\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="row 2.*max_qty: must be > 0"):
        load_expedite_options(path)
    path.write_text("mode,cost_per_unit\ntruck,0\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="lead_time_saved_days \\(or transit_days\\)"):
        load_expedite_options(path)
    path.write_text("mode,transit_days,cost_per_unit\ntruck,10,0\ntruck,3,1\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="row 3.*mode names must be unique"):
        load_expedite_options(path)
    with pytest.raises(SourceNotFoundError, match="not found"):
        load_expedite_options(tmp_path / "missing.csv")
    # transit_days only: saved = slowest transit (10) - transit: 0 and 7.
    path.write_text("mode,transit_days,cost_per_unit\nroad,10,0\nair,3,1\n", encoding="utf-8")
    assert load_expedite_options(path)["lead_time_saved_days"].tolist() == [0, 7]
    with pytest.raises(ConfigError, match="position 0"):
        validate_expedite_options(pd.DataFrame({"mode": ["x"], "lead_time_saved_days": [1],
                                                "cost_per_unit": [-1]}))


# --------------------------------------------------------------------------------------
# The bundled sample
# --------------------------------------------------------------------------------------


def test_bundled_sample_levels_match_the_planted_truth(samples_dir):
    truth = json.loads((samples_dir / "sample_truth.json").read_text(encoding="utf-8"))
    ds = load_dataset("samples", tables=("customers", "items", "order_lines", "supply_plan",
                                         "inventory", "forecast"))
    inputs = build_buckets(ds.orders, ds.forecast, ds.supply_plan, ds.inventory, ds.items,
                           as_of=truth["as_of"], horizon=13)
    result = project_pab(inputs, demand_time_fence=2)
    got = evaluate(result, inputs, ds.orders, customers=ds.customers)
    a = got.alerts.set_index("item_id")
    level = a["alert_level"]
    for item in truth["confirmed_break_items"]:
        assert level[item] == 3, item
    for item in truth["short_items"]:
        assert level[item] >= 2, item
        # first short week (1-based in the truth) = first short period + 1
        assert a.loc[item, "first_short_period"] + 1 == \
            truth["shortage_detail"][item]["first_week"], item
        assert a.loc[item, "affected_lines"] > 0 and a.loc[item, "affected_customers"] > 0
    for item in truth["slip_risk_items"]:
        assert a.loc[item, "kind"] == "planned_receipt_dependency", item
    for item in truth["below_safety_items"]:
        assert level[item] == 1, item
    # Nothing else reaches the customers.
    assert set(a.index[a["alert_level"] >= 2]) == set(truth["short_items"])
    # Alerts name specific customers and orders.
    lines = got.lines
    customer_facing = lines.loc[lines["alert_level"] >= 2]
    assert set(customer_facing["item_id"]) == set(truth["short_items"])
    assert customer_facing["customer_id"].isin(ds.customers["customer_id"]).all()
    known = set(zip(ds.orders["order_id"], ds.orders["line_no"], strict=True))
    assert all(k in known for k in zip(customer_facing["order_id"], customer_facing["line_no"],
                                       strict=True))
    assert (customer_facing["qty_short"] > 0).all()
    per_alert = customer_facing.groupby("alert_id")["qty_short"].sum()
    assert np.allclose(per_alert.reindex(a["alert_id"][a["alert_level"] >= 2]).to_numpy(),
                       a.loc[a["alert_level"] >= 2, "qty_short"].to_numpy())


def test_run_early_warning_on_the_sample_and_item_filter():
    import json

    from workbench.io.dataset import load_dataset
    from workbench.paths import data_path
    from workbench.planning.alerts import run_early_warning, select_items

    truth = json.loads(data_path("samples", "sample_truth.json").read_text())
    ds = load_dataset("samples")
    ew = run_early_warning(ds)  # as_of defaults to the inventory snapshot date
    assert ew.as_of == pd.Timestamp(truth["as_of"])
    lvl = ew.alerts.set_index("item_id")["alert_level"]
    assert all(lvl[i] == 3 for i in truth["confirmed_break_items"])
    assert all(lvl[i] >= 2 for i in truth["short_items"])
    assert len(ew.stressed.long) == len(ew.result.long)
    one = run_early_warning(ds, items=truth["confirmed_break_items"][0])
    assert one.alerts["item_id"].astype(str).tolist() == [truth["confirmed_break_items"][0]]
    frame = pd.DataFrame({"item_id": ["AB-1", "AB-2", "C-1"]})
    assert select_items(frame, "AB-*, C-1")["item_id"].tolist() == ["AB-1", "AB-2", "C-1"]
    assert select_items(frame, "AB-2")["item_id"].tolist() == ["AB-2"]
    assert select_items(frame, " ") is frame


# --------------------------------------------------------------------------------------
# Issue 15: a shortage's level does not depend on where the projection stops
# --------------------------------------------------------------------------------------


def _dataset(orders, supply, on_hand):
    """Duck-typed dataset for run_early_warning (the attributes it reads)."""
    from types import SimpleNamespace

    items = sorted(on_hand)
    inventory = pd.DataFrame({"item_id": items, "snapshot_date": MONDAY,
                              "on_hand": [float(on_hand[i]) for i in items]})
    return SimpleNamespace(orders=orders, supply_plan=supply, inventory=inventory,
                           forecast=None, items=None, customers=None)


def _frames(order_rows, supply_rows):
    orders = pd.DataFrame(order_rows, columns=["order_id", "line_no", "customer_id", "item_id",
                                               "requested_date", "qty_ordered"])
    orders["requested_date"] = pd.to_datetime(orders["requested_date"])
    orders["order_date"] = pd.Timestamp("2024-12-01")
    supply = pd.DataFrame(supply_rows, columns=["receipt_id", "item_id", "due_date", "qty",
                                                "firm"])
    supply["due_date"] = pd.to_datetime(supply["due_date"])
    return orders, supply


@pytest.mark.parametrize("horizon", [8, 13])
def test_shortage_seven_weeks_out_is_level_2_at_horizon_8_and_13(horizon):
    # Item H: on hand 10; order 30 due Tue 2025-02-25 (W7, 7 periods out); firm 50 due
    # Tue 2025-03-11 (W9 = 03-10, after the end of an 8-week horizon W0-W7).
    # Orders-only balance 10 (W0-W6), -20 (W7, W8), +30 (W9): short from W7, outside the
    # 2-period frozen window; gap 20, needed by 02-24, closing receipt 03-10 = 14 days
    # later. Express (saves 7) arrives 03-03: too late; air (saves 14) arrives 02-24
    # (not before as_of + 7 = 01-13): in time, 20 x 5 = 100; hand carry max 5 < 20.
    # -> level 2, air freight 100, whatever the horizon (the receipt is beyond week 8).
    from workbench.planning.alerts import run_early_warning

    orders, supply = _frames([("H1", 1, "C1", "H", "2025-02-25", 30)],
                             [("RH", "H", "2025-03-11", 50, True)])
    ew = run_early_warning(_dataset(orders, supply, {"H": 10}), as_of=MONDAY,
                           horizon=horizon, frozen_periods=2, expedite_options=OPTIONS)
    row = ew.alerts.set_index("item_id").loc["H"]
    assert row["first_short_date"] == pd.Timestamp("2025-02-24")
    assert row["alert_level"] == 2
    assert row["kind"] == "potential_shortage"
    assert row["expedite_mode"] == "air freight"
    assert row["expedite_cost"] == pytest.approx(100.0)
    assert row["gap_qty"] == pytest.approx(20.0)


def _shortage_levels(alerts, before):
    """(item, first short date) -> level of the customer-facing shortages starting before."""
    a = alerts[(alerts["alert_level"] >= 2) & (alerts["first_short_date"] < before)]
    return dict(zip(zip(a["item_id"].astype(str), a["first_short_date"], strict=True),
                    a["alert_level"].astype(int), strict=True))


_weeks = st.integers(min_value=0, max_value=10)
_qty = st.integers(min_value=1, max_value=40)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(on_hand=st.lists(st.integers(0, 40), min_size=1, max_size=3),
       order_rows=st.lists(st.tuples(st.integers(0, 2), _weeks, _qty), min_size=1,
                           max_size=10),
       supply_rows=st.lists(st.tuples(st.integers(0, 2), _weeks, _qty, st.booleans()),
                            max_size=8),
       horizons=st.tuples(st.integers(2, 11), st.integers(2, 11)),
       frozen=st.integers(0, 2))
def test_shortage_levels_agree_for_every_pair_of_horizons(on_hand, order_rows, supply_rows,
                                                          horizons, frozen):
    # Oracle: the level of a shortage is a property of the data, not of the horizon; so
    # two runs that both contain the first short week must give it the same level.
    from workbench.planning.alerts import run_early_warning

    names = [f"I{k}" for k in range(len(on_hand))]
    orders, supply = _frames(
        [(f"O{k}", 1, "C1", names[i % len(names)], W[0] + pd.Timedelta(weeks=w, days=1), q)
         for k, (i, w, q) in enumerate(order_rows)],
        [(f"R{k}", names[i % len(names)], W[0] + pd.Timedelta(weeks=w, days=2), q, f)
         for k, (i, w, q, f) in enumerate(supply_rows)] or
        [("R0", names[0], W[0] + pd.Timedelta(weeks=30), 1, True)])
    data = _dataset(orders, supply, dict(zip(names, on_hand, strict=True)))
    small, big = sorted(horizons)
    runs = [run_early_warning(data, as_of=MONDAY, horizon=h, frozen_periods=frozen,
                              expedite_options=OPTIONS).alerts for h in (small, big)]
    before = MONDAY + pd.Timedelta(weeks=small)
    assert _shortage_levels(runs[0], before) == _shortage_levels(runs[1], before)


def test_sample_levels_within_8_weeks_are_the_same_at_horizon_8_and_13():
    from workbench.planning.alerts import run_early_warning

    ds = load_dataset("samples")
    a8, a13 = (run_early_warning(ds, horizon=h).alerts for h in (8, 13))
    start = a13["as_of"].iloc[0].to_period("W-SUN").start_time  # Monday of period 0
    before = start + pd.Timedelta(weeks=8)
    in8 = a8[a8["first_short_date"] < before].set_index("alert_id")["alert_level"]
    in13 = a13[a13["first_short_date"] < before].set_index("alert_id")["alert_level"]
    assert len(in8) > 0
    common = in8.index.intersection(in13.index)
    assert in8[common].tolist() == in13[common].tolist()
    # every shortage (levels 2-3) dated inside 8 weeks is in both runs, at the same level
    assert _shortage_levels(a8, before) == _shortage_levels(a13, before)
    assert _shortage_levels(a8, before)  # the sample has such shortages


# --------------------------------------------------------------------------------------
# Issue 15, must-have 8: scarce supply goes by the computed value tiers when the master
# has none
# --------------------------------------------------------------------------------------

_DERIVED = pd.DataFrame({"customer_id": ["CA", "CC"], "tier": ["A", "C"]})
_NO_TIER_MASTER = pd.DataFrame({"customer_id": ["CA", "CC"], "customer_name": ["Alpha", "Gamma"]})


def _scarce(c_due: str):
    """Item SC: on hand 0; one firm receipt of 10 due Tue 2025-01-21 (W2).

    Customer CC (value tier C) orders 10 due ``c_due`` and comes first in the file;
    customer CA (value tier A) orders 10 due 2025-01-21 (W2). Both order dates are
    the same, so without tiers the earlier due date, then the file order, wins.
    """
    orders, supply = _frames([("OC", 1, "CC", "SC", c_due, 10),
                              ("OA", 1, "CA", "SC", "2025-01-21", 10)],
                             [("RS", "SC", "2025-01-21", 10, True)])
    return orders, supply


def _short_lines(c_due, customers=None, tiers=None):
    """(order, customer, tier, qty short, short from, covered by) per short line, by order."""
    orders, supply = _scarce(c_due)
    inventory = pd.DataFrame({"item_id": ["SC"], "snapshot_date": MONDAY, "on_hand": [0.0]})
    inputs = build_buckets(orders, None, supply, inventory, None, as_of=MONDAY, horizon=8)
    result = project_pab(inputs, demand_time_fence=2)
    lines = evaluate(result, inputs, orders, customers=customers, tiers=tiers,
                     expedite_options=OPTIONS).lines.sort_values("order_id")
    return [(r.order_id, r.customer_id, None if pd.isna(r.tier) else r.tier, r.qty_short,
             r.short_from, None if pd.isna(r.covered_by_date) else r.covered_by_date)
            for r in lines.itertuples()]


# Same due date: C first in the file. Later: C due a week earlier (Tue W1, nothing on
# hand, short 10 in W1 whoever wins W2).
SAME, LATER = "2025-01-21", "2025-01-14"


@pytest.mark.parametrize("customers", [_NO_TIER_MASTER, None])
def test_scarce_receipt_goes_to_the_a_customer_first_with_derived_tiers(customers):
    # Derived tiers CA = A, CC = C. W2: the 10 received go to the A line due in W2 (tier
    # before due date, even before the C backorder); the C line stays short 10 from its
    # due week, never covered (no further receipt). Same with no customer master.
    assert _short_lines(SAME, customers, _DERIVED) == [("OC", "CC", "C", 10.0, W[2], None)]
    assert _short_lines(LATER, customers, _DERIVED) == [("OC", "CC", "C", 10.0, W[1], None)]


def test_scarce_receipt_by_due_date_without_any_tier():
    # No tier anywhere: by due date, then order date (equal), then file order.
    # Same due date: OC (first in the file) gets the 10; OA short 10 from W2.
    assert _short_lines(SAME, _NO_TIER_MASTER) == [("OA", "CA", None, 10.0, W[2], None)]
    # Later: OC (due W1) is short in W1 and served in W2 (covered by W2); OA short from W2.
    assert _short_lines(LATER, _NO_TIER_MASTER) == [("OA", "CA", None, 10.0, W[2], None),
                                                    ("OC", "CC", None, 10.0, W[1], W[2])]


def test_a_master_tier_wins_over_the_derived_one():
    # Master: CC = A, CA = " b" (stripped, upper-cased); derived says the opposite (CA =
    # A, CC = C). The master decides: CC (A) gets the W2 receipt, CA (B) is short.
    master = pd.DataFrame({"customer_id": ["CA", "CC"], "tier": [" b", "A"]})
    assert _short_lines(SAME, master, _DERIVED) == [("OA", "CA", "B", 10.0, W[2], None)]
    assert _short_lines(LATER, master, _DERIVED) == [("OA", "CA", "B", 10.0, W[2], None),
                                                     ("OC", "CC", "A", 10.0, W[1], W[2])]
    # Only CC has a master tier (C): CA takes its derived A and is served first.
    partial = pd.DataFrame({"customer_id": ["CA", "CC"], "tier": [None, "C"]})
    assert _short_lines(SAME, partial, _DERIVED) == [("OC", "CC", "C", 10.0, W[2], None)]


def test_run_early_warning_ranks_by_the_tiers_passed_and_keeps_them():
    from workbench.planning.alerts import allocation_tiers, run_early_warning

    orders, supply = _scarce("2025-01-21")
    data = _dataset(orders, supply, {"SC": 0})
    data.customers = _NO_TIER_MASTER
    ew = run_early_warning(data, as_of=MONDAY, expedite_options=OPTIONS, tiers=_DERIVED)
    assert ew.lines["order_id"].tolist() == ["OC"]
    assert ew.tiers.to_dict("list") == {"customer_id": ["CA", "CC"], "tier": ["A", "C"],
                                        "tier_source": ["derived", "derived"]}
    plain = run_early_warning(data, as_of=MONDAY, expedite_options=OPTIONS)
    assert plain.lines["order_id"].tolist() == ["OA"]
    assert plain.tiers is None
    with pytest.raises(MissingColumnsError):
        allocation_tiers(None, pd.DataFrame({"customer_id": ["CA"]}))
