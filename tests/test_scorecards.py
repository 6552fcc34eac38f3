"""Scorecards against targets, failure Pareto, line failures: hand-worked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import MissingColumnsError, NotAvailableError
from workbench.kpis.scorecards import (
    cycle_times,
    failure_pareto,
    line_failures,
    mature_periods,
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

    shipped = service_targets(root / "data" / "service_targets.csv")
    assert shipped.equals(DEFAULT_SERVICE_TARGETS.sort_values(["kpi", "tier"],
                                                              ignore_index=True))


def test_mature_periods_drop_the_censored_tail():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2024-01-01", "2024-01-02",
                                                         "2024-03-30"]),
                           "delivery_date": pd.to_datetime(["2024-01-11", "2024-01-12",
                                                            "2024-04-01"])})
    table = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-03-01"]),
                          "kpi": "x", "value": [1.0, 2.0]})
    # cycle times 10, 10, 2 -> p90 = 10 days; last order 30 March -> cutoff 20 March:
    # January stays, March (starts 1 March <= 20 March) stays too
    assert len(mature_periods(table, orders)) == 2
    # with the 3-day-later period start the March bucket would go
    late = table.assign(period_start=pd.to_datetime(["2024-01-01", "2024-03-25"]))
    assert mature_periods(late, orders)["period_start"].tolist() == [pd.Timestamp("2024-01-01")]


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
