"""(s, S) policies (workbench.inventory.ss) against stockpyl and published values."""

from __future__ import annotations

import numpy as np
import pytest
import stockpyl.ss as stockpyl_ss  # test-only reference, installed in .venv
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.exceptions import ConfigError
from workbench.inventory.ss import (
    SSPolicy,
    ss_cost_discrete,
    ss_optimal_discrete,
    ss_power_approximation,
)

# --------------------------------------------------------------------------- published values

# Zheng & Federgruen (1991), Table I: h = 1, p = 9, K = 64, Poisson demand (as reproduced in
# R. Rossi's inventoryanalytics test suite): mean -> (s*, S*, c*)
ZF_TABLE = {10: (6, 40, 35.022), 20: (14, 62, 49.173), 64: (55, 74, 78.402)}


def test_zheng_federgruen_table_rows():
    means = np.array(list(ZF_TABLE))
    pol = ss_optimal_discrete(1, 9, 64, mean_demand=means)
    for i, mu in enumerate(means):
        s, S, c = ZF_TABLE[int(mu)]
        assert (pol.reorder_point[i], pol.order_up_to[i]) == (s, S)
        assert pol.cost[i] == pytest.approx(c, abs=5e-4)
        assert ss_cost_discrete(s, S, 1, 9, 64, mean_demand=mu) == pytest.approx(c, abs=5e-4)


def test_hand_worked_k0_is_base_stock():
    # K = 0: the best (s, S) is base stock S = y*, s = S - 1, cost g(S). Poisson(2), h = 1,
    # p = 3: critical ratio 0.75, F(2) = 5 e^-2 = 0.677, F(3) = 19/3 e^-2 = 0.857 -> S = 3;
    # E[(3 - D)^+] = 3 P0 + 2 P1 + P2 = (3 + 4 + 2) e^-2 = 9 e^-2, backorders = 9 e^-2 - 1
    pol = ss_optimal_discrete(1, 3, 0, mean_demand=2)
    e2 = np.exp(-2.0)
    assert (pol.reorder_point, pol.order_up_to) == (2, 3)
    assert pol.cost == pytest.approx(9 * e2 + 3 * (9 * e2 - 1), rel=1e-12)


def test_hand_worked_two_point_demand():
    # demand 0 or 1 with prob 1/2 each, (s, S) = (0, 2), L = 0, h = 1, p = 4, K = 2.
    # Position after ordering cycles over 2, 1 (each held for a geometric number of periods
    # with mean 2): m(0) = m(1) = 2, M(2) = 4.  g(2) = E(2 - D) = 1.5; g(1) = 0.5.
    # c = (2 + 2 * 1.5 + 2 * 0.5) / 4 = 1.5
    assert ss_cost_discrete(0, 2, 1, 4, 2, demand_pmf=[0.5, 0.5]) == pytest.approx(1.5)


def test_brute_force_markov_chain():
    # independent check: stationary distribution of the position after ordering, by linear
    # algebra, for Poisson(3), (s, S) = (1, 8), h = 1, p = 5, K = 12, L = 1
    mu, s, S, h, p, K, L = 3.0, 1, 8, 1.0, 5.0, 12.0, 1
    levels = np.arange(s + 1, S + 1)                   # positions after ordering
    P = np.zeros((levels.size, levels.size))
    for i, y in enumerate(levels):
        for j, z in enumerate(levels):
            if z < y:
                P[i, j] += stats.poisson.pmf(y - z, mu)
        P[i, -1] += stats.poisson.sf(y - s - 1, mu)    # demand >= y - s: order up to S
        P[i, i] += stats.poisson.pmf(0, mu)
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi /= pi.sum()
    x = np.arange(200)
    fx = stats.poisson.pmf(x, mu * (L + 1))
    g = np.array([(fx * (h * np.maximum(y - x, 0) + p * np.maximum(x - y, 0))).sum()
                  for y in levels])
    order_prob = sum(pi[i] * stats.poisson.sf(y - s - 1, mu) for i, y in enumerate(levels))
    expected = float(pi @ g + K * order_prob)
    assert ss_cost_discrete(s, S, h, p, K, mean_demand=mu, lead_time=L) == pytest.approx(
        expected, rel=1e-9)


# --------------------------------------------------------------------------- stockpyl

def test_stockpyl_documented_examples():
    assert ss_cost_discrete(4, 10, 1, 4, 5, mean_demand=6) == pytest.approx(
        stockpyl_ss.s_s_cost_discrete(4, 10, 1, 4, 5, True, 6), abs=1e-6)
    pol = ss_optimal_discrete(1, 4, 5, mean_demand=6)
    ref = stockpyl_ss.s_s_discrete_exact(1, 4, 5, True, 6)
    assert (pol.reorder_point, pol.order_up_to) == (ref[0], ref[1]) == (4, 10)
    assert pol.cost == pytest.approx(ref[2], abs=1e-6)
    assert pol.cost == pytest.approx(8.034111561471642, abs=1e-9)
    pa = ss_power_approximation(0.18, 0.70, 2.5, 50, 8)
    assert (pa.reorder_point, pa.order_up_to) == pytest.approx(
        stockpyl_ss.s_s_power_approximation(0.18, 0.70, 2.5, 50, 8), abs=1e-6)
    assert pa.cost is None


SWEEP = [(h, p, K, mu) for h in (0.5,) for p in (4.0, 10.0) for K in (5.0, 64.0)
         for mu in (3.0, 12.5)]


def test_stockpyl_sweep_poisson_vectorised():
    h, p, K, mu = (np.array(c) for c in zip(*SWEEP, strict=True))
    pol = ss_optimal_discrete(h, p, K, mean_demand=mu)
    for i, (hi, pi_, ki, mi) in enumerate(SWEEP):
        s, S, c = stockpyl_ss.s_s_discrete_exact(hi, pi_, ki, True, mi)
        assert (pol.reorder_point[i], pol.order_up_to[i]) == (s, S), SWEEP[i]
        assert pol.cost[i] == pytest.approx(c, abs=1e-6)
        off = ss_cost_discrete(s - 2, S + 3, hi, pi_, ki, mean_demand=mi)
        assert off == pytest.approx(stockpyl_ss.s_s_cost_discrete(s - 2, S + 3, hi, pi_, ki,
                                                                  True, mi), abs=1e-6)


def test_stockpyl_custom_pmf():
    # stockpyl needs the pmf padded with zeros beyond S - s (and drops the last entry in its
    # cost function): pad with zeros so both see the same distribution
    pmfs = np.zeros((2, 60))
    pmfs[0, :5] = [0.1, 0.2, 0.3, 0.25, 0.15]
    pmfs[1, :4] = [0.4, 0.1, 0.1, 0.4]
    pol = ss_optimal_discrete(1.0, [5.0, 8.0], [10.0, 3.0], demand_pmf=pmfs)
    for i, (p, K) in enumerate([(5.0, 10.0), (8.0, 3.0)]):
        s, S, c = stockpyl_ss.s_s_discrete_exact(1.0, p, K, False, demand_hi=59,
                                                 demand_pmf=list(pmfs[i]))
        assert (pol.reorder_point[i], pol.order_up_to[i]) == (s, S)
        assert pol.cost[i] == pytest.approx(c, abs=1e-6)
    # unpadded rows give the same answer
    short = ss_optimal_discrete(1.0, 5.0, 10.0, demand_pmf=pmfs[0, :5])
    assert short.cost == pytest.approx(pol.cost[0], abs=1e-12)


def test_power_sweep_and_lead_time():
    mu = np.array([20.0, 50.0, 200.0])
    sd = np.array([5.0, 8.0, 60.0])
    pol = ss_power_approximation(0.2, 1.5, 30.0, mu, sd)
    for i in range(3):
        ref = stockpyl_ss.s_s_power_approximation(0.2, 1.5, 30.0, mu[i], sd[i])
        assert (pol.reorder_point[i], pol.order_up_to[i]) == pytest.approx(ref, abs=1e-6)
    # lead time L: demand over L + 1 periods (hand-worked from the formulas)
    lt = ss_power_approximation(0.18, 0.70, 2.5, 50, 8, lead_time=1)
    sd_l = 8 * np.sqrt(2)
    q = 1.30 * 50 ** 0.494 * (2.5 / 0.18) ** 0.506 * (1 + sd_l ** 2 / 2500) ** 0.116
    z = np.sqrt(q / sd_l * 0.18 / 0.70)
    s = 0.973 * 100 + sd_l * (0.183 / z + 1.063 - 2.192 * z)
    assert (lt.reorder_point, lt.order_up_to) == pytest.approx((s, s + q), rel=1e-12)


def test_lead_time_poisson_equals_pmf_convolution():
    pmf = stats.poisson.pmf(np.arange(80), 10.0)
    a = ss_optimal_discrete(1, 9, 64, mean_demand=10, lead_time=[0, 2])
    b = ss_optimal_discrete(1, 9, 64, demand_pmf=pmf, lead_time=[0, 2])
    np.testing.assert_array_equal(a.order_up_to, b.order_up_to)
    np.testing.assert_allclose(a.cost, b.cost, rtol=1e-9)
    assert a.order_up_to[1] > a.order_up_to[0]


# --------------------------------------------------------------------------- properties

@settings(max_examples=25, deadline=None)
@given(h=st.floats(0.2, 3.0), p=st.floats(1.0, 20.0), K=st.floats(0.5, 100.0),
       mu=st.floats(0.5, 25.0), L=st.integers(0, 2))
def test_optimum_beats_neighbours(h, p, K, mu, L):
    pol = ss_optimal_discrete(h, p, K, mean_demand=mu, lead_time=L)
    s, S = int(pol.reorder_point), int(pol.order_up_to)
    ds = np.array([-1, 1, 0, 0, -1, 1, -1, 1])
    dS = np.array([0, 0, -1, 1, -1, 1, 1, -1])
    ns, nS = s + ds, S + dS
    ok = nS > ns
    costs = ss_cost_discrete(ns[ok], nS[ok], h, p, K, mean_demand=mu, lead_time=L)
    assert np.all(pol.cost <= costs + 1e-9 * (1 + abs(pol.cost)))
    assert ss_cost_discrete(s, S, h, p, K, mean_demand=mu, lead_time=L) == pytest.approx(
        pol.cost, rel=1e-12)


def test_many_items_shape():
    rng = np.random.default_rng(3)
    n = 2000
    pol = ss_optimal_discrete(rng.uniform(0.5, 2, n), rng.uniform(2, 20, n),
                              rng.uniform(1, 100, n), mean_demand=rng.uniform(1, 30, n))
    assert isinstance(pol, SSPolicy)
    assert pol.reorder_point.shape == pol.order_up_to.shape == pol.cost.shape == (n,)
    assert np.all(pol.order_up_to > pol.reorder_point)
    assert np.all(np.isfinite(pol.cost))


# --------------------------------------------------------------------------- errors

def test_errors_name_key_value_and_fix():
    with pytest.raises(ConfigError) as e:
        ss_optimal_discrete(1, 9, 64)
    assert e.value.key == "mean_demand" and e.value.fix
    with pytest.raises(ConfigError) as e:
        ss_optimal_discrete(1, -9, 64, mean_demand=10)
    assert e.value.key == "stockout_cost" and e.value.value == -9
    with pytest.raises(ConfigError) as e:
        ss_cost_discrete(5, 5, 1, 9, 64, mean_demand=10)
    assert e.value.key == "order_up_to"
    with pytest.raises(ConfigError) as e:
        ss_cost_discrete(5.5, 9, 1, 9, 64, mean_demand=10)
    assert e.value.key == "reorder_point"
    with pytest.raises(ConfigError) as e:
        ss_optimal_discrete(1, 9, 64, demand_pmf=[1.0, 0.0])
    assert e.value.key == "demand_pmf[0]"
    with pytest.raises(ConfigError) as e:
        ss_optimal_discrete(1, 9, 64, mean_demand=10, lead_time=1.5)
    assert e.value.key == "lead_time"
    with pytest.raises(ConfigError) as e:
        ss_power_approximation(1, 9, 64, 10, 0)
    assert e.value.key == "sd_demand"
