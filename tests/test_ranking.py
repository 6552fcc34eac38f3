"""Tests for order value at risk, tier-weighted ranking, noise controls and money at stake
(workbench.planning.ranking). Expected values are worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.exceptions import ConfigError, CountError, MissingColumnsError
from workbench.planning.ranking import (
    DEFAULT_TIER_WEIGHTS,
    NOISE_CONTROLS,
    RANK_COLUMNS,
    NoiseControls,
    line_values,
    money_at_stake,
    rank_alerts,
    value_at_risk,
)

T = pd.Timestamp


def case():
    """Five alerts, five lines, three customers.

    A (level 2): SO1/1 C1 (tier A) 10 x 5.00 = 50; SO2/1 C2 (tier C) 4 x 10.00 = 40
                 -> value 90, priority 50 x 3 + 40 x 1 = 190, air freight 120
    B (level 3): SO3/1 C2 (C) 0.5 x 100.00 = 50 -> value 50, priority 50 (shortage 0.5, but
                 a confirmed break is never held back)
    C (level 2): SO4/1 C3 (B) 4 units, no price -> value unknown, priority 4 x 2 = 8 by
                 quantity; express truck 2
    D (level 1): no lines -> value 0, priority 0
    E (level 2): SO5/1 C1 (A) 0.4 x 1.00 = 0.40 -> held back: shortage 0.4 < 1
    """
    alerts = pd.DataFrame({
        "alert_id": ["A", "B", "C", "D", "E"], "item_id": ["IA", "IB", "IC", "ID", "IE"],
        "alert_level": [2, 3, 2, 1, 2],
        "max_shortage_qty": [14.0, 0.5, 4.0, 20.0, 0.4],
        "first_short_date": [T("2025-01-13")] * 5,
        "expedite_mode": ["air freight", None, "express truck", None, None],
        "expedite_cost": [120.0, np.nan, 2.0, np.nan, np.nan],
    })
    lines = pd.DataFrame({
        "alert_id": ["A", "A", "B", "C", "E"],
        "order_id": ["SO1", "SO2", "SO3", "SO4", "SO5"], "line_no": [1, 1, 1, 1, 1],
        "customer_id": ["C1", "C2", "C2", "C3", "C1"],
        "qty_short": [10.0, 4.0, 0.5, 4.0, 0.4],
    })
    orders = pd.DataFrame({
        "order_id": ["SO1", "SO2", "SO3", "SO4", "SO5", "SO1"],
        "line_no": [1.0, 1.0, 1.0, 1.0, 1.0, 2.0],
        "unit_price": [5.0, 10.0, 100.0, np.nan, 1.0, 999.0],
    })
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "tier": ["A", "c", "B"],
                              "customer_name": ["Alpha", "Gamma", "Beta"]})
    return alerts, lines, orders, customers


def test_line_values_match_prices_by_order_and_line():
    _, lines, orders, _ = case()
    out = line_values(lines, orders)
    assert out["unit_price"].tolist()[:3] == [5.0, 10.0, 100.0]
    assert np.isnan(out["unit_price"].iloc[3])  # SO4 has no price
    assert out["value_at_risk"].tolist()[:3] == [50.0, 40.0, 50.0]
    # A negative price is no price; no orders at all: every value unknown.
    neg = line_values(lines, orders.assign(unit_price=-1.0))
    assert neg["value_at_risk"].isna().all()
    assert line_values(lines, None)["value_at_risk"].isna().all()


def test_value_at_risk_per_alert_customer_and_total():
    _, lines, orders, _ = case()
    v = value_at_risk(lines, orders)
    # 50 + 40 + 50 + 0.40 = 140.40; SO4 unknown, counted, not 0.
    assert v.total == pytest.approx(140.4)
    assert (v.lines_total, v.lines_without_price) == (5, 1)
    by_alert = v.by_alert.set_index("alert_id")
    assert by_alert.loc[["A", "B", "E"], "value_at_risk"].tolist() == pytest.approx(
        [90.0, 50.0, 0.4])
    assert np.isnan(by_alert.loc["C", "value_at_risk"])
    assert by_alert["lines_without_price"].to_dict() == {"A": 0, "B": 0, "C": 1, "E": 0}
    # C2: 40 + 50 = 90; C1: 50 + 0.40 = 50.40; C3: unknown, last.
    assert v.by_customer["customer_id"].tolist() == ["C2", "C1", "C3"]
    assert v.by_customer["value_at_risk"].tolist()[:2] == pytest.approx([90.0, 50.4])
    assert v.by_customer["alerts"].tolist() == [2, 2, 1]
    none = value_at_risk(lines, None)
    assert np.isnan(none.total) and none.lines_without_price == 5


def test_rank_alerts_by_tier_weighted_value_with_quantity_fallback():
    alerts, lines, orders, customers = case()
    r = rank_alerts(alerts, lines, orders, customers, currency="EUR")
    assert set(RANK_COLUMNS) <= set(r.columns) and len(r) == len(alerts)
    got = r.set_index("alert_id")
    assert got["priority"].to_dict() == pytest.approx(
        {"A": 190.0, "B": 50.0, "C": 8.0, "D": 0.0, "E": 1.2})
    assert got["priority_basis"].to_dict() == {"A": "value", "B": "value", "C": "quantity",
                                               "D": "none", "E": "value"}
    assert got["tier"].to_dict() == {"A": "A", "B": "C", "C": "B", "D": "", "E": "A"}
    assert got["tier_weight"].to_dict() == {"A": 3.0, "B": 1.0, "C": 2.0, "D": 0.0, "E": 3.0}
    assert got["lines_without_price"].to_dict() == {"A": 0, "B": 0, "C": 1, "D": 0, "E": 0}
    # Valued alerts first, then by quantity, then those without lines; E held back.
    assert r["alert_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert r["rank"].tolist()[:4] == [1, 2, 3, 4] and pd.isna(r["rank"].iloc[4])
    assert r["held_back"].tolist() == ["", "", "", "",
                                       "shortage 0.40 below the minimum of 1.00"]
    # Other weights change the order: with C worth 10, B (C2) overtakes A.
    w = rank_alerts(alerts, lines, orders, customers, tier_weights={"A": 1, "C": 10})
    assert w["alert_id"].tolist()[:2] == ["B", "A"]  # B 50 x 10 = 500 > A 50 + 400 = 450
    assert w.set_index("alert_id").loc["C", "priority"] == 4.0  # B unlisted: unknown 1


def test_noise_controls_hold_back_with_the_reason_never_drop():
    alerts, lines, orders, customers = case()
    r = rank_alerts(alerts, lines, orders, customers, min_value=60.0, currency="EUR")
    held = r.set_index("alert_id")["held_back"]
    # A: 90 >= 60 shown; B: confirmed, never held back; C: value unknown, not held for it;
    # D: 0 < 60; E: 0.40 < 60 and shortage 0.4 < 1.
    assert held.to_dict() == {
        "A": "", "B": "", "C": "",
        "D": "value at risk €0 below the minimum of €60",
        "E": "shortage 0.40 below the minimum of 1.00; value at risk €0 below the minimum "
             "of €60"}
    assert r["rank"].notna().sum() == 3
    zh = rank_alerts(alerts, lines, orders, customers, language="zh")
    assert zh.set_index("alert_id").loc["E", "held_back"] == "短缺量 0.40 低于下限 1.00"
    strict = rank_alerts(alerts, lines, orders, customers,
                         controls=NoiseControls(hold_confirmed=True))
    assert strict.set_index("alert_id").loc["B", "held_back"].startswith("shortage 0.50")


def test_consecutive_periods_count_the_first_shortage_spell():
    weeks = pd.date_range("2025-01-06", periods=8, freq="W-MON")
    alerts = pd.DataFrame({
        "alert_id": ["one", "three", "open"], "alert_level": [2, 2, 1],
        "max_shortage_qty": [5.0, 5.0, 5.0],
        "first_short_date": [weeks[1], weeks[2], weeks[5]],
        # one: short in week 1 only; three: weeks 2-4; open: weeks 5-7, never covered
        "covered_by_date": [weeks[2], weeks[5], pd.NaT],
        "last_short_date": [weeks[1], weeks[4], weeks[7]]})
    lines = pd.DataFrame(columns=["alert_id", "order_id", "line_no", "customer_id",
                                  "qty_short"])
    r = rank_alerts(alerts, lines, period_starts=weeks, min_periods=2)
    got = r.set_index("alert_id")
    assert got["short_periods"].to_dict() == {"one": 1, "three": 3, "open": 3}
    assert got.loc["one", "held_back"] == "short for 1 period(s), fewer than 2 in a row"
    assert got.loc["three", "held_back"] == "" and got.loc["open", "held_back"] == ""
    with pytest.raises(ConfigError, match="period_starts"):
        rank_alerts(alerts, lines, min_periods=2)


def test_defaults_are_stated_and_checked():
    assert NOISE_CONTROLS == NoiseControls(1.0, 0.0, 1, False)
    assert dict(DEFAULT_TIER_WEIGHTS) == {"A": 3.0, "B": 2.0, "C": 1.0, "unknown": 1.0}
    with pytest.raises(ConfigError, match="min_value must be a number >= 0"):
        NoiseControls(min_value=-1)
    with pytest.raises(CountError, match="min_periods"):
        NoiseControls(min_periods=0)
    alerts, lines, orders, customers = case()
    with pytest.raises(ConfigError, match="tier weights"):
        rank_alerts(alerts, lines, orders, tier_weights={"A": -1})
    with pytest.raises(MissingColumnsError, match="max_shortage_qty"):
        rank_alerts(alerts.drop(columns="max_shortage_qty"), lines)


def test_money_at_stake_known_answer_and_sentences():
    alerts, lines, orders, customers = case()
    m = money_at_stake(alerts, lines, orders, customers, currency="eur")
    # Level >= 2: A, B, C, E (D is internal). Values 90 + 50 + unknown + 0.40 = 140.40.
    assert m.currency == "EUR"
    assert m.total_value_at_risk == pytest.approx(140.4)
    assert m.by_alert["alert_id"].tolist() == ["A", "B", "C", "E"]
    assert m.by_alert["expedite_cost"].tolist() == [120.0, 0.0, 2.0, 0.0]
    assert (m.total_expedite_cost, m.expedited_alerts) == (122.0, 2)
    assert (m.lines_total, m.lines_without_price, m.customers) == (5, 1, 3)
    assert m.by_customer[["customer_id", "customer_name"]].values.tolist() == [
        ["C2", "Gamma"], ["C1", "Alpha"], ["C3", "Beta"]]
    assert m.sentences() == [
        "Order value at risk: €140 in 5 order line(s) of 3 customer(s).",
        "1 of the 5 order line(s) have no unit price and are not counted in the value.",
        "Expedite cost of the proposed countermeasures: €122 for 2 alert(s)."]
    assert m.sentences("zh")[0] == "风险订单金额：€140，涉及 3 家客户的 5 个订单行。"
    # Everything from level 1 up: D joins with 0 (no lines).
    every = money_at_stake(alerts, lines, orders, min_level=1)
    assert every.by_alert.set_index("alert_id").loc["D", "value_at_risk"] == 0.0
    assert every.total_value_at_risk == pytest.approx(140.4)
    # No prices at all: unknown, and said so.
    blind = money_at_stake(alerts, lines, None)
    assert np.isnan(blind.total_value_at_risk)
    assert blind.sentences()[0] == ("Order value at risk: unknown, none of the 5 affected "
                                    "order line(s) has a unit price.")
    nothing = money_at_stake(alerts.iloc[:0], lines)
    assert nothing.total_value_at_risk == 0.0
    assert nothing.sentences() == ["Order value at risk: none, no customer order line is "
                                   "affected.", "No expedite is proposed."]


@st.composite
def alert_sets(draw):
    n_alerts = draw(st.integers(1, 6))
    n_lines = draw(st.integers(0, 15))
    alert_of = draw(st.lists(st.integers(0, n_alerts - 1), min_size=n_lines, max_size=n_lines))
    cust = draw(st.lists(st.integers(0, 3), min_size=n_lines, max_size=n_lines))
    qty = draw(st.lists(st.floats(0, 1e4), min_size=n_lines, max_size=n_lines))
    price = draw(st.lists(st.one_of(st.none(), st.floats(0, 1e3)), min_size=n_lines,
                          max_size=n_lines))
    levels = draw(st.lists(st.integers(1, 3), min_size=n_alerts, max_size=n_alerts))
    shortage = draw(st.lists(st.floats(0, 50), min_size=n_alerts, max_size=n_alerts))
    alerts = pd.DataFrame({"alert_id": [f"A{i}" for i in range(n_alerts)],
                           "alert_level": levels, "max_shortage_qty": shortage})
    lines = pd.DataFrame({"alert_id": [f"A{i}" for i in alert_of],
                          "order_id": [f"S{k}" for k in range(n_lines)], "line_no": 1,
                          "customer_id": [f"C{c}" for c in cust], "qty_short": qty})
    orders = pd.DataFrame({"order_id": [f"S{k}" for k in range(n_lines)], "line_no": 1,
                           "unit_price": [np.nan if p is None else p for p in price]})
    customers = pd.DataFrame({"customer_id": ["C0", "C1", "C2"], "tier": ["A", "B", "C"]})
    controls = NoiseControls(draw(st.floats(0, 20)), draw(st.floats(0, 1e5)),
                             1, draw(st.booleans()))
    return alerts, lines, orders, customers, controls


@settings(max_examples=60, deadline=None)
@given(alert_sets())
def test_totals_add_up_and_every_alert_is_shown_or_held_back(data):
    alerts, lines, orders, customers, controls = data
    m = money_at_stake(alerts, lines, orders, min_level=1)
    total = 0.0 if np.isnan(m.total_value_at_risk) else m.total_value_at_risk
    assert m.by_alert["value_at_risk"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert m.by_customer["value_at_risk"].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert m.by_customer["lines"].sum() == m.lines_total == len(lines)
    assert m.by_alert["lines_without_price"].sum() == m.lines_without_price
    r = rank_alerts(alerts, lines, orders, customers, controls=controls)
    shown = r["held_back"] == ""
    assert len(r) == len(alerts) and set(r["alert_id"]) == set(alerts["alert_id"])
    assert r.loc[shown, "rank"].tolist() == list(range(1, int(shown.sum()) + 1))
    assert r.loc[~shown, "rank"].isna().all()
    if not controls.hold_confirmed:
        assert (r.loc[r["alert_level"] == 3, "held_back"] == "").all()
    assert (r["priority"] >= 0).all()
