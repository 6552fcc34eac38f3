"""Monte Carlo simulation and the service-vs-cost trade-off (workbench.inventory.simulate).

Sizes are kept small (a few items x 100-200 replications x 200-400 periods):
the whole file runs in a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.exceptions import ChoiceError, ConfigError, CountError, RangeError
from workbench.inventory.policy import (
    base_stock_cost,
    cost_optimal_service_level,
    policy_for_service,
)
from workbench.inventory.simulate import (
    ANALYTIC_CHECK_COLUMNS,
    CURVE_COLUMNS,
    METRICS,
    PORTFOLIO,
    compare_analytic_simulated,
    compare_scenarios,
    discretize_lead_time,
    optimal_service_level,
    service_cost_curve,
    simulate_inventory,
    tier_cost,
)

MU, SD, L = 100.0, 20.0, 2


def _within(summary_row: pd.Series, value: float, slack: float = 0.0) -> bool:
    """``value`` inside the row's CI widened by 50 % (4-sigma-ish) plus ``slack``."""
    half = (summary_row["ci_high"] - summary_row["ci_low"]) / 2
    return abs(summary_row["mean"] - value) <= 1.5 * half + slack


def _metric(res, metric: str) -> pd.DataFrame:
    s = res.summary
    return s[s["metric"] == metric].set_index("item")


# --------------------------------------------------------------------------- analytic vs simulated

@pytest.mark.parametrize("review", [1, 4])
def test_base_stock_matches_analytic_service(review):
    levels = np.array([0.80, 0.90, 0.95, 0.98])
    pol = policy_for_service(MU, SD, L, levels, review_period=review)
    res = simulate_inventory(np.full(4, MU), SD, order_up_to=pol.order_up_to, lead_time=L,
                             review_period=review, n_reps=200, n_periods=100 * review,
                             seed=11)
    csl, fill = _metric(res, "cycle_service"), _metric(res, "fill_rate")
    for i in range(4):
        assert _within(csl.loc[i], pol.cycle_service[i]), (i, csl.loc[i], pol.cycle_service[i])
        # the ESC formula counts backorders carried in from the previous cycle: tiny here
        assert _within(fill.loc[i], pol.fill_rate[i], slack=5e-4), (i, fill.loc[i])
    # end-of-period stock and backorders: exact newsvendor expectations (R = 1)
    if review == 1:
        exact = base_stock_cost(pol.order_up_to, pol.ltd_mean, pol.ltd_sd, 1, 1)
        oh, bo = _metric(res, "avg_on_hand_end"), _metric(res, "avg_backorders")
        for i in range(4):
            assert _within(oh.loc[i], exact.expected_on_hand[i])
            assert _within(bo.loc[i], exact.expected_backorders[i])
    # orders: one per review
    assert _metric(res, "orders")["mean"].to_numpy() == pytest.approx(1 / review, abs=1e-3)


def test_gamma_demand_matches_gamma_policy():
    # a sum of L + 1 gamma(a, theta) periods is gamma((L + 1) a, theta): the analytic gamma
    # policy is exact for the simulated skewed demand (CV 0.8), the normal one is not
    pol = policy_for_service(MU, 0.8 * MU, L, [0.90, 0.97], distribution="gamma")
    res = simulate_inventory(np.full(2, MU), 0.8 * MU, order_up_to=pol.order_up_to,
                             lead_time=L, demand="gamma", n_reps=200, n_periods=200, seed=5)
    csl = _metric(res, "cycle_service")
    for i in range(2):
        assert _within(csl.loc[i], pol.cycle_service[i])
    normal = policy_for_service(MU, 0.8 * MU, L, 0.97)
    assert normal.order_up_to < pol.order_up_to[1]  # normal under-stocks the right tail


def test_lost_sales_versus_backorders():
    pol = policy_for_service(MU, SD, L, [0.80, 0.95])
    kw = dict(order_up_to=pol.order_up_to, lead_time=L, n_reps=100, n_periods=200, seed=2)
    back = simulate_inventory(np.full(2, MU), SD, **kw).wide()
    lost = simulate_inventory(np.full(2, MU), SD, mode="lost_sales", **kw).wide()
    assert np.all(lost["avg_backorders"] == 0)
    assert np.all(back["avg_backorders"] > 0)
    # lost demand never eats into the next cycle: better service, more stock on hand
    assert np.all(lost["fill_rate"] > back["fill_rate"])
    assert np.all(lost["cycle_service"] >= back["cycle_service"])
    assert np.all(lost["avg_on_hand"] > back["avg_on_hand"])
    assert np.all(lost["units_short"] > 0)
    # units short = demand - filled in both modes
    assert np.allclose(back["fill_rate"], 1 - back["units_short"] / back["demand"], atol=1e-3)


def test_bootstrap_reproduces_history():
    rng = np.random.default_rng(0)
    hist = rng.gamma(2.0, 50.0, size=(3, 60)).round()
    hist[1, 25:] = np.nan  # shorter history for item 1
    res = simulate_inventory(order_up_to=[400.0, 400.0, 400.0], lead_time=1, demand="bootstrap",
                             history=hist, n_reps=200, n_periods=100, seed=3)
    dem = _metric(res, "demand")
    for i in range(3):
        assert _within(dem.loc[i], np.nanmean(hist[i])), (i, dem.loc[i], np.nanmean(hist[i]))
    # ragged list input gives the same draws
    ragged = [hist[0], hist[1, :25], hist[2]]
    res2 = simulate_inventory(order_up_to=[400.0, 400.0, 400.0], lead_time=1,
                              demand="bootstrap", history=ragged, n_reps=200, n_periods=100,
                              seed=3)
    assert np.array_equal(res2.per_rep["demand"], res.per_rep["demand"])


def test_poisson_and_truncated_normal_demand_means():
    res = simulate_inventory([3.0, 40.0], order_up_to=[20.0, 150.0], lead_time=1,
                             demand="poisson", n_reps=100, n_periods=100, seed=4)
    dem = _metric(res, "demand")
    assert _within(dem.loc[0], 3.0) and _within(dem.loc[1], 40.0)
    # normal demand is truncated at 0 (redrawn): mean of N(10, 20) given >= 0
    res = simulate_inventory(10.0, 20.0, order_up_to=60.0, lead_time=1, n_reps=100,
                             n_periods=100, seed=4)
    trunc_mean = stats.truncnorm.mean(-0.5, np.inf, loc=10, scale=20)
    assert _within(_metric(res, "demand").loc[0], trunc_mean)


def test_random_lead_time_needs_more_safety_stock():
    pol = policy_for_service(MU, SD, L, 0.95)
    kw = dict(n_reps=100, n_periods=200, seed=8)
    fixed = simulate_inventory(MU, SD, order_up_to=pol.order_up_to, lead_time=L, **kw).wide()
    pmf = discretize_lead_time(L, 1.0)
    assert (pmf * np.arange(pmf.shape[1])).sum() == pytest.approx(L, abs=0.01)
    rand = simulate_inventory(MU, SD, order_up_to=pol.order_up_to, lead_time_pmf=pmf,
                              **kw).wide()
    # same order-up-to level, same mean lead time: service drops
    assert rand["cycle_service"].iloc[0] < fixed["cycle_service"].iloc[0] - 0.05
    assert rand["fill_rate"].iloc[0] < fixed["fill_rate"].iloc[0]
    # the analytic policy with lead-time variability holds more stock and wins service back
    pol_var = policy_for_service(MU, SD, L, 0.95, sd_lead_time=1.0)
    assert pol_var.safety_stock > pol.safety_stock
    back = simulate_inventory(MU, SD, order_up_to=pol_var.order_up_to, lead_time_pmf=pmf,
                              **kw).wide()
    assert back["cycle_service"].iloc[0] > rand["cycle_service"].iloc[0] + 0.05
    # sequential deliveries (no order crossing) wait for earlier orders: even less service
    seq = simulate_inventory(MU, SD, order_up_to=pol.order_up_to, lead_time_pmf=pmf,
                             allow_crossing=False, **kw).wide()
    assert seq["cycle_service"].iloc[0] < rand["cycle_service"].iloc[0]


def test_s_q_and_s_s_policies():
    # deterministic demand 100 per period, L = 2: reorder point 200 covers the lead time
    # exactly (no stockout), 150 leaves 50 short per cycle of Q / D = 5 periods
    for s, fill in ((200.0, 1.0), (150.0, 0.9)):
        res = simulate_inventory(100.0, 0.0, policy="sQ", reorder_point=s, order_quantity=500.0,
                                 lead_time=2, n_reps=2, n_periods=100, seed=0).wide()
        assert res["fill_rate"].iloc[0] == pytest.approx(fill)
        assert res["orders"].iloc[0] == pytest.approx(0.2)
        assert res["cycle_service"].iloc[0] == (1.0 if fill == 1.0 else 0.0)
    # (s, S) with random demand: orders only when the position falls to s
    res = simulate_inventory(MU, SD, policy="sS", reorder_point=300.0, order_up_to=800.0,
                             lead_time=2, n_reps=50, n_periods=200, seed=1,
                             ordering_cost=50.0).wide()
    assert 0.15 < res["orders"].iloc[0] < 0.25
    assert res["ordering_cost"].iloc[0] == pytest.approx(50 * res["orders"].iloc[0])


def test_seeded_reproducibility_and_dtypes():
    kw = dict(order_up_to=[330.0, 360.0], lead_time=[2, 1], n_reps=50, n_periods=60)
    a = simulate_inventory([100.0, 120.0], 20.0, seed=42, **kw)
    b = simulate_inventory([100.0, 120.0], 20.0, seed=42, **kw)
    c = simulate_inventory([100.0, 120.0], 20.0, seed=43, **kw)
    for m in METRICS:
        assert np.array_equal(a.per_rep[m], b.per_rep[m], equal_nan=True)
    assert not np.array_equal(a.per_rep["demand"], c.per_rep["demand"])
    pd.testing.assert_frame_equal(a.summary, b.summary)
    # float32 uses NumPy's float32 normal sampler: other numbers, same distribution
    f32 = simulate_inventory([100.0, 120.0], 20.0, seed=42, dtype=np.float32, **kw)
    f32b = simulate_inventory([100.0, 120.0], 20.0, seed=42, dtype=np.float32, **kw)
    assert np.array_equal(f32.per_rep["fill_rate"], f32b.per_rep["fill_rate"])
    for i in range(2):
        assert _within(_metric(f32, "fill_rate").loc[i], _metric(a, "fill_rate").loc[i, "mean"],
                       slack=0.005)


def test_summary_layout():
    res = simulate_inventory([100.0, 50.0], [20.0, 10.0], order_up_to=[330.0, 170.0],
                             lead_time=2, n_reps=20, n_periods=30, seed=1, holding_cost=0.5,
                             stockout_cost=4.0, item_ids=["A", "B"])
    s = res.summary
    assert list(s.columns) == ["item", "metric", "mean", "ci_low", "ci_high"]
    assert len(s) == 2 * len(METRICS)
    assert (s["ci_low"] <= s["mean"]).all() and (s["mean"] <= s["ci_high"]).all()
    w = res.wide()
    assert list(w.index) == ["A", "B"]
    assert w["total_cost"].to_numpy() == pytest.approx(
        (w["holding_cost"] + w["shortage_cost"] + w["ordering_cost"]).to_numpy())
    assert w["holding_cost"].to_numpy() == pytest.approx(0.5 * w["avg_on_hand"].to_numpy())
    assert res.per_rep["fill_rate"].shape == (2, 20)


def test_progress_bar_runs(capsys):
    res = simulate_inventory(MU, SD, order_up_to=330.0, lead_time=2, n_reps=5, n_periods=20,
                             seed=1, progress=True)
    assert res.n_periods == 20


def test_simulation_config_errors():
    with pytest.raises(RangeError, match="lead_time"):
        simulate_inventory(MU, SD, order_up_to=330.0, lead_time=1.5)
    with pytest.raises(RangeError, match="lead_time_pmf"):
        simulate_inventory(MU, SD, order_up_to=330.0, lead_time_pmf=[0.5, 0.4])
    with pytest.raises(ConfigError, match="history"):
        simulate_inventory(order_up_to=330.0, demand="bootstrap")
    with pytest.raises(ConfigError, match="reorder_point"):
        simulate_inventory(MU, SD, policy="sQ", order_quantity=100.0)
    with pytest.raises(ConfigError, match="order_up_to"):
        simulate_inventory(MU, SD, policy="sS", reorder_point=300.0, order_up_to=200.0)
    with pytest.raises(CountError, match="n_reps"):
        simulate_inventory(MU, SD, order_up_to=330.0, n_reps=0)
    with pytest.raises(ChoiceError, match="mode"):
        simulate_inventory(MU, SD, order_up_to=330.0, mode="backlog")
    with pytest.raises(ChoiceError, match="dtype"):
        simulate_inventory(MU, SD, order_up_to=330.0, dtype=np.int64)
    with pytest.raises(ConfigError, match="different numbers of items"):
        simulate_inventory([1.0, 2.0], [1.0, 2.0, 3.0], order_up_to=5.0)


# --------------------------------------------------------------------------- stockpyl

def test_same_answer_as_stockpyl_simulator():
    sc = pytest.importorskip("stockpyl.supply_chain_network")
    ssim = pytest.importorskip("stockpyl.sim")
    h, p = 1.0, 9.0
    pol = policy_for_service(MU, SD, L, cost_optimal_service_level(h, p))
    S = float(pol.order_up_to)
    # stockpyl's shipment_lead_time L' protects L' periods: ours with L = L' - 1
    net = sc.single_stage_system(holding_cost=h, stockout_cost=p, demand_type="N", mean=MU,
                                 standard_deviation=SD, policy_type="BS", base_stock_level=S,
                                 shipment_lead_time=L + 1)
    T, warm, batches = 3000, 100, 20
    ssim.simulation(net, T, rand_seed=7, progress_bar=False, consistency_checks="N")
    node = net.nodes[0]
    k = node.product_indices[0]
    sv = node.state_vars[warm:T]
    il = np.array([x.inventory_level[k] for x in sv])
    met = np.array([x.demand_met_from_stock[k] for x in sv])
    dem = np.array([x.inbound_order[None][k] for x in sv])
    cost = np.array([x.total_cost_incurred for x in sv])

    def batch(x):  # batch-means mean and standard error of one long autocorrelated run
        m = np.array([b.mean() for b in np.array_split(x, batches)])
        return x.mean(), m.std(ddof=1) / np.sqrt(batches)

    fill_b = np.array([a.sum() / b.sum() for a, b in zip(np.array_split(met, batches),
                                                          np.array_split(dem, batches),
                                                          strict=True)])
    theirs = {"avg_on_hand_end": batch(np.maximum(il, 0)),
              "avg_backorders": batch(np.maximum(-il, 0)),
              "cycle_service": batch((il >= 0).astype(float)),
              "fill_rate": (met.sum() / dem.sum(), fill_b.std(ddof=1) / np.sqrt(batches)),
              "total_cost": batch(cost)}
    # their cost: h * end-of-period stock + p * end-of-period backorders. Ours with
    # holding_basis="end": h * end stock + p * units short; for a base stock reviewed every
    # period the units short equal the end-of-period backorders (up to D(L) > S, ~7 sd here)
    res = simulate_inventory(MU, SD, order_up_to=S, lead_time=L, n_reps=100, n_periods=200,
                             seed=7, holding_cost=h, stockout_cost=p, holding_basis="end")
    ours = res.summary.set_index("metric")
    tq = stats.t.ppf(0.975, 99)
    for m, (mean, se) in theirs.items():
        o = ours.loc[m]
        se_ours = (o["ci_high"] - o["mean"]) / tq
        assert abs(o["mean"] - mean) <= 4 * np.hypot(se, se_ours), (m, o["mean"], mean, se)
    exact = base_stock_cost(S, pol.ltd_mean, pol.ltd_sd, h, p)
    assert theirs["total_cost"][0] == pytest.approx(exact.cost, abs=4 * theirs["total_cost"][1])
    assert ours.loc["total_cost", "mean"] == pytest.approx(exact.cost, rel=0.03)


# --------------------------------------------------------------------------- trade-off

def _items(n: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    mu = rng.uniform(50, 200, n)
    return pd.DataFrame({"item_id": [f"SKU{i}" for i in range(n)], "mean_demand": mu,
                         "sd_demand": mu * rng.uniform(0.2, 0.4, n),
                         "lead_time_days": rng.choice([7.0, 14.0, 21.0], n),
                         "unit_cost": rng.uniform(5, 50, n), "stockout_cost": 4.0})


def test_analytic_curve_layout_and_portfolio():
    items = _items()
    levels = np.array([0.8, 0.9, 0.95, 0.99])
    curve = service_cost_curve(items, levels)
    assert list(curve.columns) == list(CURVE_COLUMNS)
    assert len(curve) == (len(items) + 1) * levels.size
    per_item = curve[curve.item_id != PORTFOLIO]
    port = curve[curve.item_id == PORTFOLIO].set_index("service_level")
    sums = per_item.groupby("service_level")[["safety_stock", "total_cost"]].sum()
    assert np.allclose(sums["total_cost"], port["total_cost"])
    assert np.allclose(sums["safety_stock"], port["safety_stock"])
    ss = per_item.pivot(index="item_id", columns="service_level", values="safety_stock")
    assert (np.diff(ss.to_numpy(), axis=1) > 0).all()
    assert per_item["achieved_cycle_service"].to_numpy() == pytest.approx(
        per_item["service_level"].to_numpy())
    # h = unit_cost * 0.25 / 52, SS = z sigma_{L+1}
    one = policy_for_service(items.mean_demand[0], items.sd_demand[0],
                             items.lead_time_days[0] / 7, 0.95,
                             holding_cost=items.unit_cost[0] * 0.25 / 52, stockout_cost=4.0)
    row = per_item[(per_item.item_id == "SKU0") & (per_item.service_level == 0.95)].iloc[0]
    assert row["total_cost"] == pytest.approx(one.total_cost)


def test_critical_ratio_is_the_minimum_of_the_analytic_curve():
    items = _items()
    grid = np.linspace(0.5, 0.999, 400)
    curve = service_cost_curve(items, grid, stockout_cost=None)
    opt = optimal_service_level(items, curve=curve)
    per = opt[opt.item_id != PORTFOLIO].set_index("item_id")
    assert (per["lower_service_level"] <= per["critical_ratio"] + 1e-9).all()
    assert (per["critical_ratio"] <= per["upper_service_level"] + 1e-9).all()
    assert not per["at_grid_edge"].any()
    assert opt.set_index("item_id").loc[PORTFOLIO, "best_total_cost"] > 0


def test_simulated_curve_agrees_with_analytic():
    items = _items(3)
    items["lead_time_days"] = [7.0, 14.0, 14.0]
    levels = np.array([0.85, 0.95])
    sim = service_cost_curve(items, levels, method="simulate", n_reps=100, n_periods=150,
                             seed=1)
    ana = service_cost_curve(items, levels)
    assert list(sim.columns) == list(CURVE_COLUMNS)
    s = sim.set_index(["item_id", "service_level"])
    a = ana.set_index(["item_id", "service_level"])
    per = s.index.get_level_values(0) != PORTFOLIO
    # simulated fill rate within its CI (+ ESC approximation) of the analytic one
    half = (s["achieved_fill_rate_ci_high"] - s["achieved_fill_rate_ci_low"]) / 2
    gap = (s["achieved_fill_rate"] - a["achieved_fill_rate"]).abs()
    assert (gap[per] <= 1.5 * half[per] + 1e-3).all()
    assert (s.loc[per, "achieved_cycle_service"] - a.loc[per, "achieved_cycle_service"]).abs(
    ).max() < 0.02
    # cost within a few % (time-average on hand includes the backorder correction)
    rel = (s["total_cost"] - a["total_cost"]).abs() / a["total_cost"]
    assert rel.max() < 0.05
    # common random numbers: higher level never costs less holding in simulation
    hold = sim[sim.item_id != PORTFOLIO].pivot(index="item_id", columns="service_level",
                                               values="holding_cost")
    assert (hold[0.95] > hold[0.85]).all()
    assert (s["total_cost_ci_low"] <= s["total_cost"]).all()


@pytest.mark.parametrize("review", [1, 2])
def test_simulated_curve_regenerates_draws_without_cache(review):
    items = _items(2)
    items["sd_lead_time"] = [0.0, 0.8]  # random lead times for one item
    kw = dict(method="simulate", n_reps=20, n_periods=40, seed=9, review_period=review)
    cached = service_cost_curve(items, [0.8, 0.9], **kw)
    replayed = service_cost_curve(items, [0.8, 0.9], cache_bytes=0, **kw)
    pd.testing.assert_frame_equal(cached, replayed)


def test_tier_cost():
    items = _items()
    curve = service_cost_curve(items, np.linspace(0.5, 0.995, 100))
    tiers = {"A": 0.98, "B": 0.95, "C": 0.90}
    by_item = tier_cost(curve, tiers, item_tiers={"SKU0": "A", "SKU1": "A", "SKU2": "B",
                                                  "SKU3": "C"})
    assert list(by_item["tier"]) == ["A", "B", "C", "total"]
    assert (by_item["premium"] >= -1e-9).all()
    assert by_item.loc[by_item.tier == "A", "n_items"].iloc[0] == 2
    assert by_item["cost_at_target"].iloc[-1] == pytest.approx(by_item["cost_at_target"].iloc[:3]
                                                               .sum())
    shares = tier_cost(curve, tiers, tier_shares={"A": 0.2, "B": 0.5, "C": 0.3})
    assert shares["share"].iloc[-1] == pytest.approx(1.0)
    # each tier pays its share of (portfolio cost at its target - portfolio minimum)
    port = curve[curve.item_id == PORTFOLIO]
    grid, cost = port["service_level"].to_numpy(), port["total_cost"].to_numpy()
    for tier, share in (("A", 0.2), ("C", 0.3)):
        row = shares.set_index("tier").loc[tier]
        assert row["premium"] == pytest.approx(share * (np.interp(tiers[tier], grid, cost)
                                                        - cost.min()))
    assert (shares["premium"] >= -1e-9).all()
    with pytest.raises(ConfigError, match="grid"):
        tier_cost(curve, {"A": 0.999}, tier_shares={"A": 1.0})
    with pytest.raises(ConfigError, match="tier"):
        tier_cost(curve, tiers, item_tiers={"SKU0": "A"})


def test_compare_scenarios():
    items = _items()
    base = {"items": items, "holding_rate": 0.25, "service_levels": np.linspace(0.8, 0.99, 20)}
    out = compare_scenarios(base, {
        "lead time -1 week": {"lead_time_days": lambda s: (s - 7).clip(lower=0)},
        "holding rate 15%": {"holding_rate": 0.15},
    }, target_service_level=0.95)
    assert list(out.columns) == ["base", "lead time -1 week", "holding rate 15%"]
    assert out.loc["safety_stock", "lead time -1 week"] < out.loc["safety_stock", "base"]
    assert out.loc["total_cost", "lead time -1 week"] < out.loc["total_cost", "base"]
    assert out.loc["holding_cost", "holding rate 15%"] == pytest.approx(
        0.6 * out.loc["holding_cost", "base"])
    assert out.loc["total_cost_change", "base"] == 0
    curve = service_cost_curve(items, [0.95])
    assert out.loc["total_cost", "base"] == pytest.approx(
        curve[curve.item_id == PORTFOLIO]["total_cost"].iloc[0])
    with pytest.raises(ConfigError, match="scenario"):
        compare_scenarios(base, {"bad": {"no_such_option": 1}})


def test_compare_analytic_simulated():
    # one item, normal weekly demand 100 (sd 20, truncation at 0 negligible), lead time 2
    # weeks, weekly order-up-to review: protection interval 3 weeks, sigma_P = 20 sqrt(3).
    # h = 52 * 0.25 / 52 = 0.25 per unit-week, p = 10 per unit short.
    items = pd.DataFrame({"item_id": ["a"], "mean_demand": [MU], "sd_demand": [SD],
                          "lead_time": [float(L)], "unit_cost": [52.0],
                          "stockout_cost": [10.0]})
    levels = [0.95, 0.8, 0.9, 0.9]
    check = compare_analytic_simulated(items, levels, holding_rate=0.25, n_reps=300,
                                       n_periods=104, seed=0)
    assert list(check.columns) == list(ANALYTIC_CHECK_COLUMNS)
    assert check.index.tolist() == [0.8, 0.9, 0.95]  # sorted, duplicates dropped
    # enough replications: the formulas' fill rate lies inside the simulated 95 % CI
    assert check["analytic_fill_rate_in_ci"].all()
    assert (check["simulated_fill_rate_ci_low"] <= check["simulated_fill_rate"]).all()
    assert (check["simulated_fill_rate"] <= check["simulated_fill_rate_ci_high"]).all()
    # hand-worked analytic columns: k = z(CSL), SS = k sigma_P, ESC = sigma_P G(k)
    # fill rate = 1 - ESC / 100; cost / yr = 52 (h (SS + 100 / 2) + p ESC)
    sigma = SD * np.sqrt(3)
    z = stats.norm.ppf(check.index.to_numpy())
    esc = sigma * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    np.testing.assert_allclose(check["analytic_fill_rate"], 1 - esc / MU, rtol=1e-9)
    np.testing.assert_allclose(check["analytic_cost_per_year"],
                               52 * (0.25 * (z * sigma + MU / 2) + 10.0 * esc), rtol=1e-9)
    assert check.loc[0.9, "analytic_cost_per_year"] == pytest.approx(2080, abs=1)
    # simulated columns: the portfolio rows of the simulated curve, per period x 52
    sim = service_cost_curve(items, [0.8, 0.9, 0.95], method="simulate", n_reps=300,
                             n_periods=104, seed=0)
    port = sim[sim["item_id"] == PORTFOLIO].set_index("service_level")
    np.testing.assert_allclose(check["simulated_cost_per_year"], port["total_cost"] * 52)
    np.testing.assert_allclose(check["simulated_fill_rate"], port["achieved_fill_rate"])
    inside = ((check["simulated_cost_per_year_ci_low"] <= check["analytic_cost_per_year"])
              & (check["analytic_cost_per_year"] <= check["simulated_cost_per_year_ci_high"]))
    assert check["analytic_cost_in_ci"].tolist() == inside.tolist()
    with pytest.raises(ConfigError, match="per_year"):
        compare_analytic_simulated(items, levels, periods_per_year=12)


# --------------------------------------------------------------------------- cost bases (issue 15)

def test_base_stock_per_unit_period_cost_matches_newsvendor():
    # p per unit backordered per period, h on end-of-period stock: the exact base-stock cost
    h, p = 1.0, 9.0
    S = np.array([300.0, 330.0, 360.0])
    res = simulate_inventory(np.full(3, MU), SD, order_up_to=S, lead_time=L, n_reps=200,
                             n_periods=200, holding_cost=h, stockout_cost=p,
                             holding_basis="end", stockout_basis="per_unit_period", seed=21)
    exact = base_stock_cost(S, MU * (L + 1), SD * np.sqrt(L + 1), h, p)
    tot, short = _metric(res, "total_cost"), _metric(res, "shortage_cost")
    bo = _metric(res, "avg_backorders")["mean"].to_numpy()
    for i in range(3):
        assert _within(tot.loc[i], exact.cost[i]), (i, tot.loc[i], exact.cost[i])
    # the shortage cost is p x end-of-period backorders, not p x units short
    np.testing.assert_allclose(short["mean"].to_numpy(), p * bo, rtol=1e-12)


def test_ss_poisson_matches_zheng_federgruen_cost():
    # (s, S) with Poisson demand, h = 1, p = 9 per unit-period, K = 64: Zheng & Federgruen's
    # table optimum for mean 10 is (6, 40) at 35.022 per period (L = 0; the simulator's
    # lead_time L is the analytic L: an order placed at the start of t is used from t + L,
    # end-of-period stock = position after ordering - demand over L + 1 periods)
    from workbench.inventory.ss import ss_cost_discrete
    s = np.array([6.0, 6.0, 10.0])
    S = np.array([40.0, 40.0, 30.0])
    lt = np.array([0, 2, 1])
    res = simulate_inventory(10.0, policy="sS", reorder_point=s, order_up_to=S,
                             lead_time=lt, demand="poisson", holding_cost=1.0,
                             stockout_cost=9.0, ordering_cost=64.0, holding_basis="end",
                             stockout_basis="per_unit_period", n_reps=200, n_periods=300,
                             warmup=60, seed=7)
    tot = _metric(res, "total_cost")
    assert _within(tot.loc[0], 35.022, slack=1e-3), tot.loc[0]     # published value
    exact = ss_cost_discrete(s, S, 1.0, 9.0, 64.0, mean_demand=10.0, lead_time=lt)
    for i in range(3):
        assert _within(tot.loc[i], exact[i]), (i, tot.loc[i], exact[i])


def test_sq_fixed_cost_per_order_is_k_d_over_q():
    # Q = 500 >> one period's demand (100 +- 20): one lot of Q per order, orders D / Q.
    # A window of n periods counts (demand + position at start - position at end) / Q
    # orders: the long warm-up spreads the starting position over (s, s + Q] as in the
    # steady state (demand over 1000 periods varies by +-630 > Q), else the count is biased
    K, Q = 250.0, np.array([500.0, 800.0])
    res = simulate_inventory(np.full(2, MU), SD, policy="sQ", reorder_point=[350.0, 350.0],
                             order_quantity=Q, lead_time=L, ordering_cost=K, n_reps=200,
                             n_periods=400, warmup=1000, seed=3)
    cost, orders = _metric(res, "ordering_cost"), _metric(res, "orders")
    for i in range(2):
        assert _within(cost.loc[i], K * MU / Q[i], slack=1e-3), (i, cost.loc[i])
        assert _within(orders.loc[i], MU / Q[i], slack=1e-5)


def test_lost_sales_cost_with_zero_lead_time():
    # L = 0, base stock S: every period starts at S, so units lost = E[(D - S)^+] and end
    # stock = E[(S - D)^+] exactly; p per unit lost, h on end-of-period stock (Poisson 10)
    S, h, p = np.array([8.0, 12.0]), 0.5, 4.0
    d = np.arange(200)
    f = stats.poisson.pmf(d, 10.0)
    lost = np.array([(f * np.maximum(d - x, 0)).sum() for x in S])
    held = np.array([(f * np.maximum(x - d, 0)).sum() for x in S])
    res = simulate_inventory(10.0, order_up_to=S, lead_time=0, demand="poisson",
                             mode="lost_sales", holding_cost=h, stockout_cost=p,
                             holding_basis="end", n_reps=200, n_periods=200, seed=13)
    short, tot = _metric(res, "units_short"), _metric(res, "total_cost")
    for i in range(2):
        assert _within(short.loc[i], lost[i]), (i, short.loc[i], lost[i])
        assert _within(tot.loc[i], h * held[i] + p * lost[i])


def test_stockout_basis_rejects_lost_sales_and_unknown():
    with pytest.raises(ConfigError) as e:
        simulate_inventory(MU, SD, order_up_to=300.0, mode="lost_sales",
                           stockout_basis="per_unit_period", n_reps=2, n_periods=2)
    assert e.value.key == "stockout_basis"
    with pytest.raises(ChoiceError):
        simulate_inventory(MU, SD, order_up_to=300.0, stockout_basis="per_period",
                           n_reps=2, n_periods=2)
