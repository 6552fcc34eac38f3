"""Scorecards against targets, failure Pareto, line failures: hand-worked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import MissingColumnsError, NotAvailableError
from workbench.kpis import kpi_table
from workbench.kpis.control import control_limits
from workbench.kpis.scorecards import (
    cycle_times,
    failure_pareto,
    line_failures,
    mature_periods,
    period_maturity,
    scorecard,
    styled,
)


def test_scorecard_traffic_lights_per_tier():
    table = pd.DataFrame({
        "tier": ["A", "A", "B", "C"],
        "kpi": ["otif_order_rate", "damage_rate", "otif_order_rate", "otif_order_rate"],
        "numerator": [97, 1, 90, 50], "denominator": [100, 100, 100, 100],
        "value": [0.97, 0.01, 0.90, float("nan")],
    })
    targets = pd.DataFrame({"tier": ["A", "B", "C", "A"],
                            "kpi": ["otif_order_rate"] * 3 + ["damage_rate"],
                            "target": [0.98, 0.95, 0.90, 0.005]})
    sc = scorecard(table, targets, by="tier", amber_margin=0.02).set_index(["tier", "kpi"])
    # A otif: 0.97 vs 0.98 -> missed by 1 point <= 2 -> amber
    assert sc.loc[("A", "otif_order_rate"), "status"] == "amber"
    assert sc.loc[("A", "otif_order_rate"), "gap"] == pytest.approx(-0.01)
    # A damage (lower is better): 0.01 vs 0.005 -> missed by 0.5 point -> amber
    assert sc.loc[("A", "damage_rate"), "status"] == "amber"
    # B otif: 0.90 vs 0.95 -> missed by 5 points -> red
    assert sc.loc[("B", "otif_order_rate"), "status"] == "red"
    assert sc.loc[("C", "otif_order_rate"), "status"] == "n/a"
    overall = scorecard(table[table["tier"] == "B"].drop(columns="tier"),
                        targets[targets["tier"] == "B"], by=None)
    assert overall["status"].tolist() == ["red"]
    with pytest.raises(MissingColumnsError):
        scorecard(table, targets.drop(columns="target"))


def test_failure_pareto_from_kpi_counts():
    table = pd.DataFrame({
        "kpi": ["on_time_promised_rate", "short_shipment_rate", "damage_rate", "lines"],
        "numerator": [80.0, 5.0, 15.0, 100.0], "denominator": [100.0, 100.0, 100.0, None],
        "value": [0.8, 0.05, 0.15, 100.0]})
    p = failure_pareto(table)
    # late = 100 - 80 = 20, damaged 15, short 5; shares 0.5, 0.375, 0.125
    assert p["reason"].tolist() == ["late (vs commit date)", "damaged", "short shipped"]
    assert p["lines"].tolist() == [20.0, 15.0, 5.0]
    assert p["cum_share"].tolist() == [0.5, 0.875, 1.0]


def test_line_failures_and_cycle_times():
    o = pd.DataFrame({
        "order_id": ["A", "A", "B", "C"], "line_no": [1, 2, 1, 1],
        "customer_id": "c", "item_id": ["i", "j", "i", "i"],
        "order_date": pd.to_datetime(["2024-01-01"] * 4),
        "requested_date": pd.to_datetime(["2024-01-10"] * 4),
        "promised_date": pd.to_datetime(["2024-01-12", None, "2024-01-10", "2024-01-10"]),
        "delivery_date": pd.to_datetime(["2024-01-12", "2024-01-11", "2024-01-09", None]),
        "qty_ordered": [10.0, 10.0, 10.0, 10.0], "qty_delivered": [10.0, 9.0, 10.0, None],
        "qty_damaged": [0.0, 0.0, 2.0, None],
        "status": ["delivered", "delivered", "delivered", "cancelled"]})
    f = line_failures(o).set_index(["order_id", "line_no"])
    # A/1 on its promised date: fine. A/2: commit falls back to requested 10th, delivered
    # 11th -> 1 day late, and 9 of 10 -> short. B/1 damaged. C cancelled -> ignored.
    assert sorted(f.index) == [("A", 2), ("B", 1)]
    assert f.loc[("A", 2), "reasons"] == "late, short"
    assert f.loc[("A", 2), "days_late"] == 1
    assert f.loc[("B", 1), "reasons"] == "damaged"
    assert line_failures(o, on_time_tolerance_days=1, in_full_tolerance_pct=0.1).set_index(
        ["order_id", "line_no"]).index.tolist() == [("B", 1)]
    assert sorted(cycle_times(o).tolist()) == [8, 10, 11]
    with pytest.raises(NotAvailableError):
        cycle_times(o.drop(columns="delivery_date"))


def test_shipped_targets_file_matches_the_defaults(root):
    from workbench.customers.targets import DEFAULT_SERVICE_TARGETS, service_targets

    shipped = service_targets(root / "data" / "samples" / "service_targets.csv")
    assert shipped.equals(DEFAULT_SERVICE_TARGETS.sort_values(["kpi", "tier"],
                                                              ignore_index=True))


def test_mature_periods_drop_the_censored_tail():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-01", "2024-01-02",
                                                         "2024-03-30"]),
                           "delivery_date": pd.to_datetime(["2024-01-11", "2024-01-12",
                                                            "2024-04-01"])})
    table = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-03-01"]),
                          "kpi": "x", "value": [1.0, 2.0]})
    # every line delivered, but March has not ended on as_of (30 March, the last order)
    assert mature_periods(table, orders)["period_start"].tolist() == [pd.Timestamp("2024-01-01")]
    # once March is over (as_of 1 April) both months are mature
    assert len(mature_periods(table, orders, as_of="2024-04-01")) == 2


def test_a_period_with_undelivered_lines_is_provisional():
    # January: 100 lines, 99 delivered (99 % -> mature); February: 100 lines, 98 delivered
    jan = pd.date_range("2024-01-01", periods=100, freq="7h")
    feb = pd.date_range("2024-02-01", periods=100, freq="6h")
    dates = jan.append(feb)
    delivered = pd.Series(dates + pd.Timedelta(days=3))
    delivered[[0]] = pd.NaT
    delivered[[100, 101]] = pd.NaT
    orders = pd.DataFrame({"order_date": dates, "delivery_date": delivered.to_numpy()})
    table = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                          "kpi": "x", "value": [1.0, 2.0]})
    marked = period_maturity(table, orders, period="M", as_of="2024-06-01")
    assert marked["provisional"].tolist() == [False, True]
    assert period_maturity(table, orders, period="M", as_of="2024-06-01",
                           completion=0.98)["provisional"].tolist() == [False, False]
    # cancelled lines do not count: cancelling February's two open lines makes it mature
    cancelled = orders.assign(status=["delivered"] * 100 + ["cancelled"] * 2
                              + ["delivered"] * 98)
    assert not period_maturity(table, cancelled, period="M",
                               as_of="2024-06-01")["provisional"].any()


def constant_cycle_time_history(as_of: str = "2024-12-15") -> pd.DataFrame:
    """Five lines a day from 2024-01-01 to ``as_of``, taking 14, 21, 28, 35 and 42 days.

    The true cycle time is 28 days on average every day (and 80 % on time to a
    35-day promise); deliveries after ``as_of`` are not yet recorded (open lines).
    """
    days = pd.date_range("2024-01-01", as_of, freq="D")
    order_date = days.repeat(5)
    cycle = pd.to_timedelta(np.tile([14, 21, 28, 35, 42], len(days)), unit="D")
    delivery = pd.Series(order_date + cycle)
    delivery = delivery.where(delivery <= pd.Timestamp(as_of))
    n = len(order_date)
    return pd.DataFrame({
        "order_id": [f"SO-{i}" for i in range(n)], "line_no": 1,
        "customer_id": np.tile(["c1", "c2"], n // 2 + 1)[:n], "item_id": "I-1",
        "order_date": order_date, "promised_date": order_date + pd.Timedelta(days=35),
        "delivery_date": delivery.to_numpy(), "qty_ordered": 10.0,
        "qty_shipped": np.where(delivery.notna(), 10.0, np.nan),
        "qty_delivered": np.where(delivery.notna(), 10.0, np.nan),
        "status": np.where(delivery.notna(), "delivered", "open")})


def test_constant_cycle_time_history_shows_a_flat_trend():
    orders = constant_cycle_time_history()
    table = kpi_table(orders, period="M", kpis=["cycle_time_mean", "on_time_promised_rate"])
    marked = period_maturity(table, orders, period="M")
    ct = marked[marked["kpi"] == "cycle_time_mean"].set_index("period_start")
    mature = ct[~ct["provisional"]]
    # latest mature month: October (November lines ordered after the 3rd are still open)
    assert mature.index.max() == pd.Timestamp("2024-10-01")
    assert (mature["value"] == 28.0).all()
    ot = marked[(marked["kpi"] == "on_time_promised_rate") & ~marked["provisional"]]
    assert np.allclose(ot["value"], 0.8)
    # the censoring the rule removes: provisional months look faster and more punctual
    assert ct.loc[pd.Timestamp("2024-11-01"), "value"] < 27.0
    assert ct.loc[pd.Timestamp("2024-11-01"), "provisional"]
    on_time_nov = marked[(marked["kpi"] == "on_time_promised_rate")
                         & (marked["period_start"] == pd.Timestamp("2024-11-01"))]["value"]
    assert float(on_time_nov.iloc[0]) > 0.85
    # control limits: no signal with the rule, a false "improvement" without it
    limits = control_limits(marked, "cycle_time_mean")
    assert not limits["signal"].any()
    assert limits.loc[limits["provisional"], "period_start"].min() == pd.Timestamp("2024-11-01")
    unmarked = control_limits(table, "cycle_time_mean")
    assert unmarked.loc[unmarked["period_start"] == pd.Timestamp("2024-11-01"), "signal"].all()


def test_styled_formats_by_unit():
    t = pd.DataFrame({"kpi": ["a", "b"], "numerator": [1234.0, None], "denominator": [2000.0, 1],
                      "value": [0.617, 12.34], "unit": ["fraction", "days"]})
    html = styled(t).to_html()
    assert "61.7%" in html and "12.3" in html and "1,234" in html


def test_styled_shows_text_from_the_data_as_text():
    t = pd.DataFrame({"kpi": ["<script>alert(1)</script>"], "numerator": [1.0],
                      "denominator": [2.0], "value": [0.5], "unit": ["fraction"]})
    html = styled(t).to_html()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_open_lines_states():
    from workbench.kpis.scorecards import open_lines

    o = pd.DataFrame({
        "order_id": ["A", "B", "C", "D"], "line_no": 1, "item_id": "i",
        "order_date": pd.to_datetime(["2024-01-01"] * 4),
        "requested_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-01-05", None]),
        "promised_date": pd.to_datetime([None, None, "2024-01-25", None]),
        "ship_date": pd.to_datetime([None, None, None, "2024-01-03"]),
        "qty_ordered": 1.0, "status": ["open", "open", "open", "shipped"]})
    ol = open_lines(o, as_of="2024-01-10")
    # A: due 5 Jan (requested) -> 5 days overdue; C: promised 25 Jan wins -> accepted;
    # B: due 20 Jan -> accepted; D shipped -> not open
    assert ol["order_id"].tolist() == ["A", "B", "C"]
    assert ol["state"].tolist() == ["overdue", "accepted", "accepted"]
    assert ol["days_overdue"].tolist() == [5, 0, 0] and ol["age_days"].tolist() == [9, 9, 9]


def test_compare_to_peers_uses_tier_counts_and_targets():
    from workbench.kpis.scorecards import compare_to_peers

    mine = pd.DataFrame({"kpi": ["otif_order_rate", "cycle_time_mean"],
                         "numerator": [9.0, 50.0], "denominator": [10.0, 5.0],
                         "value": [0.9, 10.0]})
    by_tier = pd.DataFrame({"tier": ["A", "A", "B"], "kpi": ["otif_order_rate",
                                                              "cycle_time_mean",
                                                              "otif_order_rate"],
                            "numerator": [95.0, 100.0, 1.0], "denominator": [100.0, 10.0, 2.0],
                            "value": [0.95, 10.0, 0.5]})
    targets = pd.DataFrame({"tier": ["A", "B"], "kpi": "otif_order_rate",
                            "target": [0.98, 0.95]})
    c = compare_to_peers(mine, by_tier, targets, tier="A").set_index("kpi")
    assert c.loc["otif_order_rate", ["value", "tier_value", "target"]].tolist() == [0.9, 0.95,
                                                                                     0.98]
    assert c.loc["otif_order_rate", "status"] == "red"  # 8 points short
    assert c.loc["cycle_time_mean", "status"] == ""  # no target for cycle time
    assert c.index.tolist() == ["otif_order_rate", "cycle_time_mean"]
