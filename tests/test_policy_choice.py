"""Known answers for workbench.inventory.policy_choice (values worked by hand or from the books)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import WorkbenchError
from workbench.inventory import policy_choice as pc
from workbench.inventory.forecasting import DemandMatrix

WEEKS = pd.date_range("2025-01-06", periods=52, freq="W-MON")
POISSON_HIST = [0.0] * 44 + [0, 1, 0, 0, 2, 0, 0, 1]   # 7 weeks since first demand, var/mean 1.08
EMPIRICAL_HIST = [1.0, 0, 0, 0] * 13                    # 52 weeks, P(1) = 1/4, P(0) = 3/4
SMOOTH_HIST = [5.0, 6, 5, 4] * 13


def _matrix(rows: dict[str, list[float]]) -> DemandMatrix:
    return DemandMatrix(pd.Index(list(rows)), WEEKS, np.array(list(rows.values())))


def test_discrete_vs_normal_poisson_and_empirical_by_hand():
    m = _matrix({"A": POISSON_HIST, "B": EMPIRICAL_HIST, "C": SMOOTH_HIST})
    sd_b = np.sqrt(52 * 0.25 * 0.75 / 51)  # ddof=1 sd of the 0/1 pattern: 0.437237
    items = pd.DataFrame({"item_id": ["A", "B", "C", "X"], "mean_demand": [2.0, 0.25, 5.0, 1.0],
                          "sd_demand": [1.4, sd_b, 0.7, 1.0],
                          "lead_time_days": [7.0, 10.0, 7.0, 7.0],
                          "unit_cost": [10.0, 4.0, 1.0, 1.0]})
    out = pc.discrete_vs_normal(items, m, 0.95)
    assert list(out.columns) == list(pc.DISCRETE_VS_NORMAL_COLUMNS)
    assert out["item_id"].tolist() == ["A", "B"]
    assert out.attrs["left_out"] == 1 and out.attrs["no_history"] == 1
    a, b = out.iloc[0], out.iloc[1]
    # A: Poisson(2 x (1 + 1)) = Poisson(4): P(D<=7) = 0.948866, P(D<=8) = 0.978637 -> S = 8;
    # normal: 4 + 1.644854 x 1.4 x sqrt(2) = 7.256644, giving P(D <= 7) = 0.948866 only
    assert a["model"] == "poisson" and a["discrete_level"] == 8.0
    assert a["normal_level"] == pytest.approx(7.256644, abs=1e-6)
    assert a["normal_level_service"] == pytest.approx(0.948866, abs=1e-6)
    assert a["discrete_level_service"] == pytest.approx(0.978637, abs=1e-6)
    assert a["stock_difference_value"] == pytest.approx((8 - 7.256644) * 10, abs=1e-5)
    assert not a["lead_time_rounded_up"] and a["protection_weeks"] == pytest.approx(2.0)
    # B: empirical, lead time 10 days rounded up to 2 weeks + 1 review week = 3 weeks:
    # Binomial(3, 1/4): P(<=1) = 54/64 = 0.84375, P(<=2) = 63/64 -> S = 2;
    # normal over 10/7 + 1 weeks: 0.607143 + 1.644854 x 0.437237 x sqrt(2.428571) = 1.727922
    assert b["model"] == "empirical" and b["discrete_level"] == 2.0
    assert b["lead_time_rounded_up"] and b["protection_weeks"] == 3.0
    assert b["discrete_level_service"] == pytest.approx(63 / 64)
    assert b["normal_level"] == pytest.approx(1.727922, abs=1e-6)
    assert b["normal_level_service"] == pytest.approx(54 / 64)
    assert b["stock_difference_units"] == pytest.approx(2 - 1.727922, abs=1e-6)


def test_empirical_becomes_parametric_for_a_tier_share():
    m = _matrix({"B": EMPIRICAL_HIST})
    items = pd.DataFrame({"item_id": ["B"], "mean_demand": [0.125], "sd_demand": [0.2],
                          "lead_time_days": [7.0], "unit_cost": [1.0]})
    # half of the item's demand: not the history's distribution; var 0.04 < mean -> Poisson
    assert pc.discrete_vs_normal(items, m, 0.95)["model"].tolist() == ["poisson"]


def _optima_items() -> pd.DataFrame:
    # h = 52 x 1.0 / 52 = 1 per unit and week, p = 9 per unit backordered per week, K = 64
    return pd.DataFrame({"item_id": ["P", "D"], "mean_demand": [10.0, 10.0],
                         "sd_demand": [3.0, 0.0], "lead_time_days": [0.0, 7.0],
                         "unit_cost": [52.0, 52.0], "stockout_cost": [9.0, 9.0]})


def test_policy_optima_known_answers():
    m = _matrix({"P": POISSON_HIST, "D": SMOOTH_HIST})
    opt = pc.policy_optima(_optima_items(), holding_rate=1.0, ordering_cost=64.0,
                           service_level=0.95, matrix=m, n_reps=10, seed=1)
    assert list(opt.items.columns) == list(pc.OPTIMA_COLUMNS)
    p, d = opt.items.set_index("item_id").loc["P"], opt.items.set_index("item_id").loc["D"]
    # P: Poisson mean 10, no lead time: Zheng & Federgruen's table s = 6, S = 40,
    # 35.0216 per week -> x 52 per year; exact
    assert p["model"] == "poisson" and p["ss_cost_basis"] == "exact"
    assert (p["ss_reorder_point"], p["ss_order_up_to"]) == (6.0, 40.0)
    assert p["ss_total"] == pytest.approx(35.0216 * 52, abs=0.01)
    assert p["ss_holding"] + p["ss_shortage"] + p["ss_ordering"] == pytest.approx(p["ss_total"])
    # service-level view of P: Poisson(10) over one review week, P(<=14) = 0.9165,
    # P(<=15) = 0.9513 -> S = 15; orders in weeks with demand: 64 x 52 x (1 - e^-10)
    assert p["target_level"] == 15.0
    assert p["target_ordering"] == pytest.approx(64 * 52 * (1 - np.exp(-10)))
    # D: no variability, lead time 1 week: S = 20, nothing held or short at week ends,
    # an order every week: 64 x 52 = 3,328 a year
    assert d["model"] == "normal" and d["ss_cost_basis"] == "simulated"
    assert d["target_level"] == pytest.approx(20.0)
    assert d["target_total"] == pytest.approx(3328.0)
    # (r, Q) without variability = EOQ with backorders: Q = sqrt(2 x 64 x 10 x 10 / 9) = 37.712,
    # r = 10 - 1 x 37.712 / 10 = 6.229, cost sqrt(2 x 64 x 10 x 9 / 10) = 33.941 a week
    assert d["rq_order_quantity"] == pytest.approx(37.7124, abs=1e-3)
    assert d["rq_reorder_point"] == pytest.approx(6.22876, abs=1e-3)
    assert d["rq_total"] == pytest.approx(33.9411 * 52, abs=0.01)
    assert d["rq_ordering"] == pytest.approx(64 * 10 / 37.7124 * 52, abs=0.01)
    # (s, S) counts stock at the end of each week (simulated here), (r, Q) continuously
    best = min(d["rq_total"], d["ss_total"])
    assert d["best_total"] == best and d["saving"] == pytest.approx(3328 - best)
    tot = opt.totals.set_index("policy")
    assert tot.loc["ss", "simulated_items"] == 1 and tot.loc["rq", "simulated_items"] == 0
    assert tot.loc["rq", "total"] == pytest.approx(opt.items["rq_total"].sum())


def test_rq_optimum_snyder_shen_example_5_1_at_the_books_units():
    # one period = one year: h = 0.9 x 0.25 / 1 = 0.225, p = 7.5, K = 8, lambda = 1300,
    # tau = 150, L = 1/12 year (lead_time_days / period_days)
    items = pd.DataFrame({"item_id": ["S&S"], "mean_demand": [1300.0], "sd_demand": [150.0],
                          "lead_time_days": [365 / 12], "unit_cost": [0.9],
                          "stockout_cost": [7.5]})
    opt = pc.policy_optima(items, holding_rate=0.25, ordering_cost=8.0, service_level=0.95,
                           n_reps=5, periods_per_year=1.0, period_days=365.0)
    row = opt.items.iloc[0]
    assert row["rq_reorder_point"] == pytest.approx(126.867, abs=1e-3)
    assert row["rq_order_quantity"] == pytest.approx(328.449, abs=1e-3)
    assert row["rq_total"] == pytest.approx(78.07115, abs=1e-4)


def test_policy_optima_rejects_missing_costs():
    items = _optima_items().drop(columns="stockout_cost")
    with pytest.raises(WorkbenchError, match="stockout_cost"):
        pc.policy_optima(items, holding_rate=0.25, ordering_cost=64.0, service_level=0.95)
    with pytest.raises(WorkbenchError, match="ordering_cost"):
        pc.policy_optima(_optima_items(), holding_rate=0.25, ordering_cost=0.0,
                         service_level=0.95)
