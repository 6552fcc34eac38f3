"""Analytic safety stock / service / cost (workbench.inventory.policy).

Known answers are worked by hand in the comments (textbook cases), then checked
against stockpyl (a test-only reference) and with Hypothesis properties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.exceptions import (
    ChoiceError,
    ConfigError,
    FrameTypeError,
    MissingColumnsError,
    RangeError,
)
from workbench.inventory.policy import (
    POLICY_COLUMNS,
    Z_MAX,
    achieved_fill_rate,
    base_stock_cost,
    cost_optimal_service_level,
    economic_order_quantity,
    evaluate_policy,
    gamma_loss,
    inverse_standard_normal_loss,
    item_params,
    lead_time_demand,
    normal_loss,
    policy_for_service,
    safety_factor_for_fill_rate,
    standard_normal_loss,
)

# --------------------------------------------------------------------------- known answers


def test_chopra_meindl_cycle_service_continuous_review():
    # Chopra & Meindl: weekly demand D = 2,500, sd 500, L = 2 weeks, CSL = 0.90.
    # sigma_L = 500 * sqrt(2) = 707.1; z = Phi^-1(0.90) = 1.2816;
    # SS = 1.2816 * 707.1 = 906.2; ROP = D * L + SS = 5,000 + 906 = 5,906.
    pol = policy_for_service(2500, 500, 2, 0.90, policy="continuous", order_quantity=10_000)
    assert pol.ltd_sd == pytest.approx(707.107, abs=1e-3)
    assert pol.z == pytest.approx(1.28155, abs=1e-5)
    assert pol.safety_stock == pytest.approx(906.2, abs=0.1)
    assert pol.reorder_point == pytest.approx(5906.2, abs=0.1)
    assert pol.cycle_service == pytest.approx(0.90)


def test_chopra_meindl_fill_rate_of_given_safety_stock():
    # Same item, Q = 10,000, SS = 1,000 (ROP 6,000): k = 1,000 / 707.1 = 1.4142;
    # ESC = -SS (1 - Phi(k)) + sigma_L phi(k) = -1,000 * 0.07865 + 707.1 * 0.14676 = 25.1;
    # fill rate = 1 - ESC / Q = 1 - 25.1 / 10,000 = 0.9975.
    pol = evaluate_policy(2500, 500, 2, reorder_point=6000, policy="continuous",
                          order_quantity=10_000)
    assert pol.expected_backorders == pytest.approx(25.13, abs=0.01)
    assert pol.fill_rate == pytest.approx(0.99749, abs=1e-5)
    assert achieved_fill_rate(6000, 10_000, 5000, 500 * math.sqrt(2)) == pytest.approx(
        pol.fill_rate)


def test_chopra_meindl_safety_stock_for_fill_rate():
    # Fill rate 0.975, Q = 10,000: ESC = (1 - 0.975) * 10,000 = 250;
    # G(k) = ESC / sigma_L = 250 / 707.1 = 0.3536; G(0.09) = 0.3558, G(0.10) = 0.3509,
    # interpolating k = 0.0943; SS = 0.0943 * 707.1 = 67.
    pol = policy_for_service(2500, 500, 2, 0.975, service_type="fill_rate",
                             policy="continuous", order_quantity=10_000)
    assert pol.z == pytest.approx(0.0943, abs=5e-4)
    assert pol.safety_stock == pytest.approx(66.7, abs=0.5)
    assert pol.fill_rate == pytest.approx(0.975, abs=1e-9)
    k = safety_factor_for_fill_rate(0.975, 500 * math.sqrt(2), 10_000)
    assert k == pytest.approx(pol.z, abs=1e-12)


def test_chopra_meindl_periodic_review():
    # Periodic review every R = 4 weeks, L = 2 weeks, CSL 0.90:
    # sigma_{T+L} = 500 * sqrt(6) = 1,224.7; SS = 1.2816 * 1,224.7 = 1,569.6;
    # order-up-to = D (R + L) + SS = 15,000 + 1,570 = 16,570; mean order = 2,500 * 4.
    pol = policy_for_service(2500, 500, 2, 0.90, review_period=4)
    assert pol.ltd_sd == pytest.approx(1224.74, abs=0.01)
    assert pol.safety_stock == pytest.approx(1569.6, abs=0.1)
    assert pol.order_up_to == pytest.approx(16569.6, abs=0.1)
    assert pol.order_quantity == pytest.approx(10_000)


def test_chopra_meindl_lead_time_uncertainty():
    # Daily demand 2,500 (sd 500), L = 7 days (sd 7 days), CSL 0.90:
    # sigma = sqrt(L sigma_D^2 + D^2 s_L^2) = sqrt(7 * 500^2 + 2,500^2 * 7^2)
    #       = sqrt(1,750,000 + 306,250,000) = 17,550; SS = 1.2816 * 17,550 = 22,491.
    ltd = lead_time_demand(2500, 500, 7, sd_lead_time=7)
    assert ltd.mean == pytest.approx(17_500)
    assert ltd.sd == pytest.approx(17_549.9, abs=0.1)
    pol = policy_for_service(2500, 500, 7, 0.90, sd_lead_time=7, policy="continuous",
                             order_quantity=1)
    assert pol.safety_stock == pytest.approx(22_491, abs=1)


def test_silver_pyke_peterson_style_fill_rate():
    # (s, Q), sigma_L = 200, Q = 1,000, P2 = 0.99 (backorders):
    # G(k) = Q (1 - P2) / sigma_L = 1,000 * 0.01 / 200 = 0.0500. Table: G(1.25) = 0.0506,
    # G(1.26) = 0.0495 -> k = 1.2556, SS = 251. Lost sales: G(k) = Q (1 - P2) / (P2 sigma_L)
    # = 0.0505 -> k = 1.2508, SS = 250.
    mu_l = 400.0  # any mean: sigma_L = 200 via sd_demand = 100 per period over L = 4
    pol = policy_for_service(mu_l / 4, 100, 4, 0.99, service_type="fill_rate",
                             policy="continuous", order_quantity=1000)
    assert pol.ltd_sd == pytest.approx(200)
    assert pol.z == pytest.approx(1.2556, abs=1e-4)
    assert pol.safety_stock == pytest.approx(251.1, abs=0.1)
    lost = policy_for_service(mu_l / 4, 100, 4, 0.99, service_type="fill_rate",
                              policy="continuous", order_quantity=1000, lost_sales=True)
    assert lost.z == pytest.approx(1.2508, abs=1e-4)
    assert lost.fill_rate == pytest.approx(0.99, abs=1e-9)
    # lost sales keep ESC on hand: on hand = SS + Q/2 + ESC
    assert lost.expected_on_hand == pytest.approx(
        lost.safety_stock + 500 + lost.expected_backorders)


def test_standard_normal_loss_table_values():
    # G(0) = phi(0) = 0.39894; G(1) = 0.24197 - 0.15866 = 0.08332; G(2) = 0.05399 - 2 * 0.02275
    # = 0.00849; G(-1) = G(1) + 1.
    g = standard_normal_loss([0.0, 1.0, 2.0, -1.0])
    assert g == pytest.approx([0.398942, 0.083315, 0.008491, 1.083315], abs=1e-6)
    # far tails: G(z) ~ phi(z) / z^2 (z large), G(-z) ~ z
    assert standard_normal_loss(8.0) == pytest.approx(
        stats.norm.pdf(8) / 64 * (1 - 3 / 64 + 15 / 64**2), rel=1e-3)
    assert standard_normal_loss(-12.0) == pytest.approx(12.0)


def test_inverse_loss_edges():
    assert inverse_standard_normal_loss(0.0) == Z_MAX
    assert inverse_standard_normal_loss(50.0) == pytest.approx(-50.0)
    assert np.shape(inverse_standard_normal_loss(np.ones((2, 3)))) == (2, 3)


def test_gamma_known_values():
    # Gamma(a = 4, theta = 2.5): mean 10, sd 5. 90 % quantile = 16.70 (tables of chi-square:
    # chi2_{0.90, 8} = 13.36 -> theta/2 * 13.36 = 16.70).
    pol = policy_for_service(10, 5, 0, 0.90, review_period=1, distribution="gamma")
    assert pol.order_up_to == pytest.approx(16.702, abs=1e-3)
    assert pol.cycle_service == pytest.approx(0.90)
    # gamma loss at x = 4 of Gamma(a = 2, theta = 3) (mean 6, sd 4.243): 2.63597 (Zipkin C.14)
    assert gamma_loss(4, 6, math.sqrt(2) * 3) == pytest.approx(2.635971, abs=1e-6)
    assert gamma_loss(-1, 6, 2) == pytest.approx(7.0)


def test_snyder_shen_newsvendor_example():
    # Snyder & Shen example 4.3: h = 0.18, p = 0.70, mu = 50, sd = 8 (no lead time):
    # critical ratio 0.70 / 0.88 = 0.7955, z = 0.8250, S* = 50 + 0.825 * 8 = 56.60,
    # g* = (h + p) phi(z) sd = 0.88 * 0.2838 * 8 = 1.998.
    cr = cost_optimal_service_level(0.18, 0.70)
    assert cr == pytest.approx(0.795454, abs=1e-6)
    pol = policy_for_service(50, 8, 0, cr, review_period=1)
    assert pol.order_up_to == pytest.approx(56.604, abs=1e-3)
    cost = base_stock_cost(pol.order_up_to, pol.ltd_mean, pol.ltd_sd, 0.18, 0.70)
    assert cost.cost == pytest.approx(1.99761, abs=1e-5)


def test_cost_optimal_variants():
    # backorders per unit and period: p / (p + h) = 9 / 10; lost sales add the margin:
    # (p + m) / (p + m + h) = 12 / 13; per unit short with cycles of T = 2 periods:
    # 1 - h T / p = 1 - 2 / 9, lost sales (p + m) / (p + m + h T) = 12 / 14.
    assert cost_optimal_service_level(1, 9) == pytest.approx(0.9)
    assert cost_optimal_service_level(1, 9, lost_sales=True, margin=3) == pytest.approx(12 / 13)
    assert cost_optimal_service_level(1, 9, shortage_basis="per_unit",
                                      cycle_length=2) == pytest.approx(7 / 9)
    assert cost_optimal_service_level(1, 9, shortage_basis="per_unit", lost_sales=True,
                                      margin=3, cycle_length=2) == pytest.approx(12 / 14)
    # stockout cheaper than holding a cycle: no safety stock
    assert cost_optimal_service_level(1, 1, shortage_basis="per_unit", cycle_length=2) == 0.0
    assert cost_optimal_service_level(1, 0) == 0.0


def test_costs_periodic_and_continuous():
    # periodic: h (SS + mu R / 2), p * ESC / R, K / R
    pol = policy_for_service(100, 20, 2, 0.95, review_period=2, holding_cost=0.5,
                             stockout_cost=4, ordering_cost=30)
    assert pol.holding_cost == pytest.approx(0.5 * (pol.safety_stock + 100))
    assert pol.shortage_cost == pytest.approx(4 * pol.expected_backorders / 2)
    assert pol.ordering_cost == pytest.approx(15)
    assert pol.total_cost == pytest.approx(pol.holding_cost + pol.shortage_cost + 15)
    # continuous: K D / Q, p ESC D / Q
    pc = policy_for_service(100, 20, 2, 0.95, policy="continuous", order_quantity=400,
                            holding_cost=0.5, stockout_cost=4, ordering_cost=30)
    assert pc.ordering_cost == pytest.approx(30 * 100 / 400)
    assert pc.shortage_cost == pytest.approx(4 * pc.expected_backorders * 100 / 400)
    assert pc.holding_cost == pytest.approx(0.5 * (pc.safety_stock + 200))
    assert pc.order_up_to == pytest.approx(pc.reorder_point + 400)


def test_eoq_known_value():
    # EOQ = sqrt(2 K D / h) = sqrt(2 * 8 * 1,300 / 0.225) = 304.05
    assert economic_order_quantity(8, 0.225, 1300) == pytest.approx(304.0468, abs=1e-4)


def test_vectorized_over_items_and_levels():
    mu = np.array([100.0, 50.0, 10.0])
    sd = np.array([20.0, 25.0, 2.0])
    lt = np.array([1.0, 2.0, 4.0])
    levels = np.array([0.8, 0.9, 0.99])[:, None]
    pol = policy_for_service(mu, sd, lt, levels, holding_cost=1, stockout_cost=5)
    assert np.shape(pol.safety_stock) == (3, 3)
    for i in range(3):
        for j in range(3):
            one = policy_for_service(mu[i], sd[i], lt[i], levels[j, 0], holding_cost=1,
                                     stockout_cost=5)
            assert isinstance(one.safety_stock, float)
            assert pol.safety_stock[j, i] == pytest.approx(one.safety_stock)
            assert pol.total_cost[j, i] == pytest.approx(one.total_cost)
    frame = policy_for_service(mu, sd, lt, 0.95).to_frame(index=["a", "b", "c"])
    assert list(frame.columns) == list(POLICY_COLUMNS)
    assert list(frame.index) == ["a", "b", "c"]


def test_degenerate_items():
    # no variability: no safety stock, full service
    pol = policy_for_service([100.0, 0.0], [0.0, 0.0], 2, 0.95, service_type="fill_rate")
    assert np.all(pol.safety_stock == 0) and np.all(pol.fill_rate == 1)
    assert np.all(pol.cycle_service == 1)


def test_item_params_from_items_frame():
    items = pd.DataFrame({"item_id": ["A", "B"], "mean_demand": [10.0, 20.0],
                          "sd_demand": [3.0, 4.0], "lead_time_days": [14.0, 7.0],
                          "unit_cost": [52.0, 104.0], "lot_size": [np.nan, 50.0]})
    ip = item_params(items, holding_rate=0.25)
    assert ip.lead_time.tolist() == [2.0, 1.0]
    # h = unit_cost * 0.25 / 52
    assert ip.holding_cost.tolist() == pytest.approx([0.25, 0.5])
    assert np.isnan(ip.order_quantity[0]) and ip.order_quantity[1] == 50
    assert ip.to_frame().shape == (2, 10)


# --------------------------------------------------------------------------- errors

def test_config_errors_state_rule_value_location_and_fix():
    with pytest.raises(RangeError) as e:
        policy_for_service(100, 20, 2, 95)
    msg = str(e.value)
    assert "service_level" in msg and "95" in msg and "policy_for_service" in msg
    assert "Fix:" in msg and e.value.key == "service_level" and e.value.value == 95
    with pytest.raises(RangeError) as e:
        policy_for_service([100, 50], [20, -1], 2, 0.9)
    assert "sd_demand" in str(e.value) and "position 1" in str(e.value)
    with pytest.raises(ConfigError, match="order_quantity"):
        policy_for_service(100, 20, 2, 0.9, policy="continuous")
    with pytest.raises(ConfigError, match="order_quantity"):
        policy_for_service(100, 20, 2, 0.9, order_quantity=50)
    with pytest.raises(ChoiceError, match="policy_for_service: policy='weekly'"):
        policy_for_service(100, 20, 2, 0.9, policy="weekly")
    with pytest.raises(RangeError, match="lead_time"):
        lead_time_demand(100, 20, np.nan)
    with pytest.raises(ConfigError, match="order_up_to"):
        evaluate_policy(100, 20, 2, reorder_point=300)
    with pytest.raises(RangeError, match="margin"):
        cost_optimal_service_level(1, 9, margin=2)
    with pytest.raises(MissingColumnsError, match="lead_time"):
        item_params(pd.DataFrame({"item_id": ["A"], "mean_demand": [1.0],
                                  "sd_demand": [1.0], "unit_cost": [1.0]}))
    with pytest.raises(FrameTypeError, match="items must be a pandas DataFrame"):
        item_params([1, 2])


# --------------------------------------------------------------------------- stockpyl

def test_against_stockpyl_loss_functions_and_newsvendor():
    lf = pytest.importorskip("stockpyl.loss_functions")
    nv = pytest.importorskip("stockpyl.newsvendor")
    eoq = pytest.importorskip("stockpyl.eoq")
    for z in (-2.5, -0.3, 0.0, 0.7, 1.9, 3.2):
        assert standard_normal_loss(z) == pytest.approx(lf.standard_normal_loss(z)[0], abs=1e-9)
    for x, a, b in ((4, 2, 3), (10, 5, 1.5), (1, 0.7, 4)):
        mean, sd = a * b, math.sqrt(a) * b
        assert gamma_loss(x, mean, sd) == pytest.approx(lf.gamma_loss(x, a, b)[0], rel=1e-9)
    assert normal_loss(120, 100, 15) == pytest.approx(lf.normal_loss(120, 100, 15)[0])
    # stockpyl's newsvendor protects lead_time + 1 periods: our periodic review, R = 1
    for h, p, mu, sd, lt in ((0.18, 0.70, 50, 8, 0), (1.0, 9.0, 100, 20, 2), (2, 3, 40, 15, 4)):
        s_star, g_star = nv.newsvendor_normal(h, p, mu, sd, lead_time=lt)
        pol = policy_for_service(mu, sd, lt, cost_optimal_service_level(h, p), review_period=1)
        assert pol.order_up_to == pytest.approx(s_star, rel=1e-9)
        cost = base_stock_cost(pol.order_up_to, pol.ltd_mean, pol.ltd_sd, h, p)
        assert cost.cost == pytest.approx(g_star, rel=1e-7)
    q_star, _ = eoq.economic_order_quantity(8, 0.225, 1300)
    assert economic_order_quantity(8, 0.225, 1300) == pytest.approx(q_star)


# --------------------------------------------------------------------------- properties

pos = st.floats(min_value=1.0, max_value=1e4)
cv = st.floats(min_value=0.05, max_value=1.5)
lead = st.floats(min_value=0.0, max_value=20.0)
prob = st.floats(min_value=0.5, max_value=0.999)


@settings(max_examples=60, deadline=None)
@given(mu=pos, c=cv, lt=lead, a=prob, b=prob, dist=st.sampled_from(["normal", "gamma"]))
def test_safety_stock_increases_with_service_level(mu, c, lt, a, b, dist):
    lo, hi = sorted((a, b))
    p1 = policy_for_service(mu, mu * c, lt, lo, distribution=dist)
    p2 = policy_for_service(mu, mu * c, lt, hi, distribution=dist)
    assert p2.safety_stock >= p1.safety_stock - 1e-9 * mu
    assert p2.fill_rate >= p1.fill_rate - 1e-12


@settings(max_examples=80, deadline=None)
@given(mu=pos, c=cv, lt=lead, beta=st.floats(min_value=0.5, max_value=0.9995),
       policy=st.sampled_from(["periodic", "continuous"]), lost=st.booleans(),
       dist=st.sampled_from(["normal", "gamma"]), qmult=st.floats(min_value=0.2, max_value=10))
def test_fill_rate_of_solved_k_equals_target(mu, c, lt, beta, policy, lost, dist, qmult):
    kw = {"order_quantity": mu * qmult} if policy == "continuous" else {"review_period": 1.0}
    pol = policy_for_service(mu, mu * c, lt, beta, service_type="fill_rate", policy=policy,
                             lost_sales=lost, distribution=dist, **kw)
    if pol.z >= Z_MAX - 1e-9 or pol.safety_stock + pol.ltd_mean <= 1e-9 * mu:
        return  # capped (target beyond k = Z_MAX) or the level hits zero stock (up to
        # rounding: a lead time of 5e-324 periods leaves 1e-324 units, not a stock to serve)
    assert pol.fill_rate == pytest.approx(beta, abs=1e-7)


@settings(max_examples=80, deadline=None)
@given(k=st.floats(min_value=-9.5, max_value=Z_MAX - 0.01))
def test_inverse_loss_round_trip(k):
    assert inverse_standard_normal_loss(standard_normal_loss(k)) == pytest.approx(k, abs=1e-8)


@settings(max_examples=50, deadline=None)
@given(mu=pos, c=cv, lt=lead, sdl=st.floats(min_value=0.01, max_value=5))
def test_lead_time_variability_adds_safety_stock(mu, c, lt, sdl):
    fixed = policy_for_service(mu, mu * c, lt, 0.95)
    varied = policy_for_service(mu, mu * c, lt, 0.95, sd_lead_time=sdl)
    assert varied.safety_stock > fixed.safety_stock


@settings(max_examples=50, deadline=None)
@given(mu=pos, c=cv, lt=lead, h=st.floats(min_value=0.01, max_value=5),
       ratio=st.floats(min_value=2.5, max_value=200), r=st.integers(1, 4),
       lost=st.booleans())
def test_critical_ratio_minimises_analytic_cost(mu, c, lt, h, ratio, r, lost):
    p = h * r * ratio  # p > 2.5 h T: CSL* > 0.6, positive stock around the optimum
    csl = cost_optimal_service_level(h, p, shortage_basis="per_unit", cycle_length=r,
                                     lost_sales=lost)
    kw = {"holding_cost": h, "stockout_cost": p, "review_period": r, "lost_sales": lost}
    best = policy_for_service(mu, mu * c, lt, csl, **kw).total_cost
    for d in (-0.02, 0.02):
        other = min(max(csl + d * (1 - csl), 1e-6), 1 - 1e-9)
        assert policy_for_service(mu, mu * c, lt, other, **kw).total_cost >= best - 1e-9 * (
            1 + best)


# --------------------------------------------------------------------------- issue 15: optima in range

def _optimum_items(prices: list[float], sd: list[float] | None = None) -> pd.DataFrame:
    """Items as explorer_items gives them: unit cost 52, so h = 52 x 0.25 / 52 = 0.25 a week."""
    n = len(prices)
    return pd.DataFrame({"item_id": [f"I-{i}" for i in range(n)], "mean_demand": [100.0] * n,
                         "sd_demand": sd or [30.0] * n, "lead_time_days": [14.0] * n,
                         "unit_cost": [52.0] * n, "unit_price": prices})


def test_portfolio_optimum_is_the_critical_ratio_by_hand():
    from workbench.inventory.policy import portfolio_optimal_service_level
    # one item: 1 - h T / p = 1 - 1 x 1 / 20 = 0.95
    one = portfolio_optimal_service_level(1.0, 20.0, 30.0)
    assert one.level == pytest.approx(0.95, abs=1e-12) and not one.at_bound and one.bound == ""
    # two items, equal sigma, p = 5 and 2.5, h = 0.25: 1 - 0.5 / 7.5 = 14 / 15
    two = portfolio_optimal_service_level([0.25, 0.25], [5.0, 2.5], [40.0, 40.0])
    assert two.level == pytest.approx(14 / 15, abs=1e-12)
    # review every 2 periods: 1 - h sigma / (p sigma / T) = 1 - 1 x 2 / 20 = 0.90
    assert portfolio_optimal_service_level(1.0, 20.0, 30.0, cycle_length=2.0).level == (
        pytest.approx(0.90, abs=1e-12))


def test_portfolio_optimum_beyond_the_range_is_flagged_not_called_optimal():
    from workbench.inventory.policy import SEARCH_RANGE, portfolio_optimal_service_level
    high = portfolio_optimal_service_level(1.0, 1e5, 10.0)  # 1 - 1e-5 = 99.999 %
    assert high.unbounded == pytest.approx(0.99999) and high.level == SEARCH_RANGE[1]
    assert high.at_bound and high.bound == "high"
    low = portfolio_optimal_service_level(1.0, 1.6, 10.0)  # 1 - 1 / 1.6 = 37.5 %
    assert low.unbounded == pytest.approx(0.375) and low.level == SEARCH_RANGE[0]
    assert low.at_bound and low.bound == "low"
    none = portfolio_optimal_service_level(1.0, 0.0, 10.0)  # no shortage cost: hold nothing
    assert none.unbounded == 0.0 and none.bound == "low"
    with pytest.raises(ConfigError):
        portfolio_optimal_service_level(1.0, 20.0, 30.0, search_range=(0.9, 0.8))


def test_scenario_optimum_at_95_percent_by_hand():
    from workbench.inventory.tradeoff import scenario
    # h = 0.25 a week; p = 0.5 x price 10 = 5 per unit short: 1 - 0.25 / 5 = 95 %
    sc = scenario(_optimum_items([10.0, 10.0], [30.0, 60.0]), service_target=0.9,
                  shortage_cost_pct=0.5)
    assert sc.optimum_row["service_level"] == pytest.approx(0.95, abs=1e-9)
    assert not sc.optimum_at_bound
    cost = sc.curve.set_index("service_level")["total_cost"]
    assert cost.idxmin() == pytest.approx(0.95) and cost[0.945] > cost[0.95] < cost[0.955]
    # unequal ratios (p = 5 and 2.5), equal sigma: 1 - (0.25 + 0.25) / (5 + 2.5) = 14 / 15
    mixed = scenario(_optimum_items([10.0, 5.0]), shortage_cost_pct=0.5)
    assert mixed.optimum_row["service_level"] == pytest.approx(14 / 15, abs=1e-6)
    assert mixed.optimum_row["total_cost"] <= mixed.curve["total_cost"].min() + 1e-9


def test_scenario_optimum_beyond_the_range_is_flagged():
    from workbench.inventory.tradeoff import scenario, tier_costs
    # p = 0.5 x 100,000 = 50,000, h = 0.25: 1 - 5e-6 = 99.9995 % > 99.99 %
    sc = scenario(_optimum_items([100_000.0]), shortage_cost_pct=0.5)
    assert sc.optimum_at_bound and sc.optimum_row["service_level"] == pytest.approx(0.9999)
    cost = sc.curve.set_index("service_level")["total_cost"]
    assert cost.is_monotonic_decreasing  # still falling at the highest level searched
    # p = 0.5 x 0.8 = 0.4, h = 0.25: 1 - 0.625 = 37.5 % < 50 %
    cheap = scenario(_optimum_items([0.8]), shortage_cost_pct=0.5)
    assert cheap.optimum_at_bound and cheap.optimum_row["service_level"] == pytest.approx(0.5)
    items = _optimum_items([100_000.0, 10.0]).assign(share_A=[1.0, 0.0], share_B=[0.0, 1.0])
    costs = tier_costs(items, {"A": 0.95, "B": 0.95}, shortage_cost_pct=0.5)
    assert costs["optimum_at_bound"].tolist() == [True, False]
    assert costs["optimal_level"].tolist() == pytest.approx([0.9999, 0.95])


def test_current_policy_cost_counts_items_whose_optimum_lies_beyond_the_range():
    from workbench.inventory.tradeoff import current_policy_cost
    items = _optimum_items([10.0, 100_000.0, 0.8])
    ss = pd.Series([50.0, 50.0, 50.0], index=items["item_id"])
    pc = current_policy_cost(items, ss, shortage_cost_pct=0.5)
    by_id = pc.per_item.set_index("item_id").loc[["I-0", "I-1", "I-2"]]
    assert by_id["optimal_service"].tolist() == pytest.approx([0.95, 0.9999, 0.5])
    assert by_id["optimum_at_bound"].tolist() == [False, True, True]
    assert (pc.items_above_range, pc.items_below_range, pc.optimum_at_bound) == (1, 1, True)
    d = pc.as_dict()
    assert d["optimum_at_bound"] and d["items"] == 3 and d["search_range"] == (0.5, 0.9999)
    inside = current_policy_cost(items.iloc[:1], ss.iloc[:1], shortage_cost_pct=0.5)
    assert not inside.optimum_at_bound and inside.optimal_service == pytest.approx(0.95)


@settings(max_examples=40, deadline=None)
@given(h=st.lists(st.floats(0.01, 2.0), min_size=1, max_size=4),
       ratio=st.floats(2.5, 200.0), sd=st.floats(1.0, 100.0))
def test_portfolio_optimum_is_no_dearer_than_its_neighbours(h, ratio, sd):
    from workbench.inventory.policy import portfolio_optimal_service_level
    hh = np.asarray(h)
    p = hh * ratio
    sds = np.full(hh.size, sd)
    best = portfolio_optimal_service_level(hh, p, sds)

    def cost(level: float) -> float:
        pol = policy_for_service(100.0, sd, 2.0, level, holding_cost=hh, stockout_cost=p)
        return float(np.sum(pol.total_cost))

    assert best.level == pytest.approx(1 - 1 / ratio)
    for step in (-1e-3, 1e-3):
        nearby = min(max(best.level + step, 0.5), 0.9999)
        assert cost(best.level) <= cost(nearby) + 1e-9


def test_textbook_z_reproduces_worked_examples_to_the_digit():
    from workbench.inventory.policy import policy_for_service

    # Lead-time demand 50 (sd 5), 95 %: the book's table gives z = 1.65 and the reorder point
    # 50 + 1.65 x 5 = 58.25; the exact z = 1.6449 gives 58.22.
    book = policy_for_service(50, 5, 1, 0.95, policy="continuous", order_quantity=100, z=1.65)
    exact = policy_for_service(50, 5, 1, 0.95, policy="continuous", order_quantity=100)
    assert float(book.reorder_point) == 58.25 and float(book.safety_stock) == 8.25
    assert round(float(exact.reorder_point), 2) == 58.22
    assert float(book.service_level) == 0.95
    assert abs(float(book.cycle_service) - 0.9505285) < 1e-6  # what z = 1.65 really gives
    # 99 % with z = 2.33 over a lead time of 4 periods of demand 100 (sd 20): sd of
    # lead-time demand 20 x sqrt(4) = 40, safety stock 2.33 x 40 = 93.2, periodic review
    # of 1 period adds a fifth period: sd 20 x sqrt(5) = 44.72, safety stock 104.20
    per = policy_for_service(100, 20, 4, 0.99, z=2.33)
    assert round(float(per.safety_stock), 2) == round(2.33 * 20 * 5 ** 0.5, 2) == 104.2
    # per item: one z per item broadcasts like the other arrays
    two = policy_for_service([50, 50], [5, 10], 1, 0.95, policy="continuous",
                             order_quantity=100, z=[1.65, 1.64])
    assert [round(float(x), 2) for x in two.reorder_point] == [58.25, 66.4]


def test_textbook_z_must_match_the_service_level_and_the_model():
    from workbench.inventory.policy import policy_for_service

    with pytest.raises(ConfigError, match="z=1.28 gives a cycle service level of 0.8997"):
        policy_for_service(50, 5, 1, 0.95, z=1.28)
    with pytest.raises(ConfigError, match="cycle service level with normal demand"):
        policy_for_service(50, 5, 1, 0.95, z=1.65, service_type="fill_rate")
    with pytest.raises(ConfigError, match="cycle service level with normal demand"):
        policy_for_service(50, 5, 1, 0.95, z=1.65, distribution="gamma")
    with pytest.raises(ConfigError):
        policy_for_service(50, 5, 1, 0.95, z=-1.65)
