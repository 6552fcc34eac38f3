"""Service-vs-cost explorer: inputs, tier split, scenarios, live widget updates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import NotAvailableError
from workbench.exceptions import ChoiceError, RangeError
from workbench.inventory import (
    compare,
    current_policy_cost,
    explorer_items,
    scenario,
    select,
    tier_costs,
)
from workbench.reporting import build


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame({"item_id": ["a", "b"], "mean_demand": [100.0, 40.0],
                         "sd_demand": [20.0, 10.0], "lead_time_days": [14.0, 7.0],
                         "unit_cost": [10.0, 5.0], "unit_price": [15.0, 8.0],
                         "share_A": [0.75, 1.0], "share_B": [0.25, 0.0]})


def test_explorer_items_weekly_stats_and_tier_shares():
    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    orders = pd.DataFrame({
        "order_id": ["1", "2", "3", "4"], "customer_id": ["x", "y", "x", "x"],
        "item_id": ["a", "a", "a", "a"], "qty_ordered": [10.0, 30.0, 20.0, 5.0],
        "order_date": weeks - pd.Timedelta(days=7), "requested_date": weeks,
        "status": ["delivered", "delivered", "delivered", "cancelled"]})
    master = pd.DataFrame({"item_id": ["a"], "unit_cost": [2.0], "lead_time_days": [7.0]})
    tiers = pd.DataFrame({"customer_id": ["x", "y"], "tier": ["A", "B"]})
    out = explorer_items(orders, master, tiers, weeks=4, as_of="2024-01-29")
    # weeks of 1, 8, 15, 22 Jan: 10, 30, 20 and (cancelled) 0 -> mean 15, sd(ddof=1) 12.91
    assert out.loc[0, "mean_demand"] == 15.0
    assert out.loc[0, "sd_demand"] == pytest.approx(np.std([10, 30, 20, 0], ddof=1))
    # tier A ordered 30 of 60 units, tier B 30
    assert out.loc[0, "share_A"] == 0.5 and out.loc[0, "share_B"] == 0.5
    with pytest.raises(NotAvailableError, match="items.unit_cost"):
        explorer_items(orders, master.drop(columns="unit_cost"))


def test_tier_selection_scales_mean_and_variance(items):
    sub, label = select(items, "tier B")
    assert sub["item_id"].tolist() == ["a"]  # item b has no tier-B demand
    assert sub["mean_demand"].tolist() == [25.0]
    assert sub["sd_demand"].tolist() == [pytest.approx(20.0 * 0.5)]  # variance x 0.25
    assert "tier B" in label
    with pytest.raises(ChoiceError, match="matches no item"):
        scenario(items, selection="tier Z")
    with pytest.raises(RangeError, match="service_target"):
        scenario(items, service_target=0.4)


def test_scenario_target_optimum_and_comparisons(items):
    sc = scenario(items, service_target=0.95)
    assert sc.target_row["service_level"] == 0.95
    assert sc.optimum_row["total_cost"] == sc.curve["total_cost"].min()
    faster = scenario(items, service_target=0.95, lead_time_change_weeks=-1)
    assert faster.target_row["safety_stock"] < sc.target_row["safety_stock"]
    table = compare(items, {"base": {}, "faster": {"lead_time_change_weeks": -1}})
    assert table.loc["safety stock at target", "faster"] < table.loc["safety stock at target",
                                                                     "base"]
    costs = tier_costs(items, {"A": 0.98, "B": 0.95})
    assert costs["tier"].tolist() == ["A", "B"] and (costs["extra_cost"] >= 0).all()


def test_live_widget_updates_the_figure_in_place(items):
    box = build(items, interactive=True, service_target=0.90)
    fig = box.children[1]
    before = list(fig.data[3].x)  # the target marker
    lead = box.children[0].children[1].children[0]  # lead time slider
    target = box.children[0].children[0].children[0]
    target.value = 0.98
    assert list(fig.data[3].x) == [0.98] and before == [0.90]
    old_total = list(fig.data[2].y)
    lead.value = -1.0
    assert list(fig.data[2].y) != old_total
    assert "0.98" in box.children[2].value or "98.0%" in box.children[2].value
    static = build(items, interactive=False)
    assert static[0].data[0].name == "holding cost"


def test_current_policy_cost_hand_worked():
    # one item: demand 100/wk (sd 20), lead time 1 week + weekly review -> protection 2 weeks.
    # No safety stock -> order-up-to = mean demand over 2 weeks -> cycle service 50 %.
    # h = 52 * 0.25 / 52 = 0.25 per unit-week; p = 0.3 * price 10 = 3 per unit short
    # -> critical ratio 1 - h/p = 1 - 0.25/3 = 0.91667.
    items = pd.DataFrame({"item_id": ["x"], "mean_demand": [100.0], "sd_demand": [20.0],
                          "lead_time_days": [7.0], "unit_cost": [52.0], "unit_price": [10.0]})
    pc = current_policy_cost(items, pd.Series([0.0], index=["x"]))
    assert pc.current_service == pytest.approx(0.5)
    assert pc.optimal_service == pytest.approx(1 - 0.25 / 3)
    assert pc.current_cost > pc.optimal_cost
    row = pc.per_item.iloc[0]
    assert row["optimal_safety_stock"] == pytest.approx(1.3830 * 20 * np.sqrt(2), rel=1e-3)
    with pytest.raises(NotAvailableError):
        current_policy_cost(items, pd.Series([1.0], index=["other"]))
