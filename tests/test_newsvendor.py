"""Newsvendor (workbench.inventory.newsvendor).

Hand-worked textbook answers first, then agreement with stockpyl (a test-only
reference) to 1e-6 on its documented examples and on a grid, then Hypothesis
optimality properties.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from stockpyl import newsvendor as nv

from workbench.exceptions import RangeError
from workbench.inventory.demand_models import (
    demand_from_pmf,
    negative_binomial_lead_time_demand,
    poisson_lead_time_demand,
)
from workbench.inventory.newsvendor import (
    NewsvendorResult,
    newsvendor_discrete,
    newsvendor_empirical,
    newsvendor_normal,
    newsvendor_poisson,
)


def test_snyder_shen_example_4_3_by_hand():
    # h = 0.18, p = 0.70: alpha = 0.70 / 0.88 = 0.79545; z = Phi^-1(alpha) = 0.8255;
    # Q* = 50 + 0.8255 x 8 = 56.60; g* = (h + p) phi(z) sigma = 0.88 x 0.28376 x 8 = 1.998.
    r = newsvendor_normal(0.18, 0.70, 50, 8)
    assert isinstance(r, NewsvendorResult)
    assert r.critical_ratio == pytest.approx(0.70 / 0.88)
    assert r.order_quantity == pytest.approx(56.60, abs=0.005)
    assert r.expected_cost == pytest.approx(1.998, abs=0.0005)
    assert r.service_level == pytest.approx(0.70 / 0.88)
    # cost = h x leftover + p x shortage at the optimum too
    assert 0.18 * r.expected_leftover + 0.70 * r.expected_shortage == pytest.approx(
        r.expected_cost, abs=1e-12)


def test_empirical_newsvendor_by_hand():
    # Past demand 3, 5, 5, 8; h = 1, p = 3: alpha = 0.75, F(5) = 0.75 -> Q* = 5;
    # leftover E[(5 - D)^+] = 2/4 = 0.5, shortage E[(D - 5)^+] = 3/4; cost 0.5 + 3 x 0.75.
    r = newsvendor_empirical(1.0, 3.0, [[3, 5, 5, 8]])
    assert r.order_quantity[0] == 5.0
    assert r.expected_leftover[0] == pytest.approx(0.5)
    assert r.expected_shortage[0] == pytest.approx(0.75)
    assert r.expected_cost[0] == pytest.approx(2.75)
    # Q = 6.5 (between whole numbers): leftover (3.5 + 1.5 + 1.5) / 4, short 1.5 / 4.
    r = newsvendor_empirical(1.0, 3.0, [[3, 5, 5, 8]], order_quantity=6.5)
    assert r.expected_cost[0] == pytest.approx(6.5 / 4 + 3 * 1.5 / 4)


# ------------------------------------------------------------------ stockpyl documented
def test_stockpyl_normal_examples():
    r = newsvendor_normal(0.18, 0.70, 50, 8)
    q, c = 56.60395592743389, 1.9976051931766445  # newsvendor_normal(0.18, 0.70, 50, 8)
    assert r.order_quantity == pytest.approx(q, abs=1e-6)
    assert r.expected_cost == pytest.approx(c, abs=1e-6)
    # newsvendor_normal_cost(60, 0.18, 0.70, 50, 8) == 2.156131552870387
    r = newsvendor_normal(0.18, 0.70, 50, 8, order_quantity=60)
    assert r.expected_cost == pytest.approx(2.156131552870387, abs=1e-6)
    # newsvendor_continuous(0.18, 0.70, norm(50, 8), base_stock_level=40) == (40, 7.356...)
    r = newsvendor_normal(0.18, 0.70, 50, 8, order_quantity=40)
    assert r.expected_cost == pytest.approx(7.35613154776623, abs=1e-6)


def test_stockpyl_poisson_and_discrete_examples():
    # newsvendor_poisson(0.18, 0.70, 50) == (56.0, 1.797235211809178)
    r = newsvendor_poisson(0.18, 0.70, 50)
    assert r.order_quantity == 56.0
    assert r.expected_cost == pytest.approx(1.797235211809178, abs=1e-6)
    # newsvendor_poisson_cost(56, 0.18, 0.70, 50) == 1.797235211809178
    assert newsvendor_poisson(0.18, 0.70, 50, order_quantity=56).expected_cost == pytest.approx(
        1.797235211809178, abs=1e-6)
    # newsvendor_discrete(1, 4, poisson(6)) == (8.0, 3.5701069457709416); at 5: 6.590296024616343
    r = newsvendor_poisson(1, 4, 6)
    assert r.order_quantity == 8.0
    assert r.expected_cost == pytest.approx(3.5701069457709416, abs=1e-6)
    assert newsvendor_poisson(1, 4, 6, order_quantity=5).expected_cost == pytest.approx(
        6.590296024616343, abs=1e-6)
    # newsvendor_discrete(1, 4, demand_pmf={d: poisson.pmf(d, 6), d = 0..40}) == (8, 3.5701...)
    pmf = stats.poisson.pmf(np.arange(41), 6)
    r = newsvendor_discrete(1, 4, demand_from_pmf(pmf / pmf.sum()))
    assert r.order_quantity[0] == 8.0
    assert r.expected_cost[0] == pytest.approx(3.570106945770941, abs=1e-6)


# ------------------------------------------------------------------ stockpyl on a grid
@pytest.mark.parametrize(("h", "p"), [(0.18, 0.70), (1.0, 4.0), (2.0, 1.0), (1.0, 19.0)])
def test_vectorised_matches_stockpyl_grid(h, p):
    means = np.array([0.5, 3.0, 12.0, 50.0, 140.0])
    sds = np.array([0.4, 2.0, 5.0, 8.0, 30.0])
    r = newsvendor_normal(h, p, means, sds)
    ref = np.array([nv.newsvendor_normal(h, p, m, s) for m, s in zip(means, sds, strict=True)])
    np.testing.assert_allclose(r.order_quantity, ref[:, 0], atol=1e-6)
    np.testing.assert_allclose(r.expected_cost, ref[:, 1], atol=1e-6)
    r = newsvendor_poisson(h, p, means)
    ref = np.array([nv.newsvendor_poisson(h, p, m) for m in means])
    np.testing.assert_allclose(r.order_quantity, ref[:, 0], atol=0)
    np.testing.assert_allclose(r.expected_cost, ref[:, 1], atol=1e-6)
    qs = np.array([0, 2, 10, 45, 150])
    r = newsvendor_poisson(h, p, means, order_quantity=qs)
    ref = [nv.newsvendor_poisson_cost(int(q), h, p, m) for q, m in zip(qs, means, strict=True)]
    np.testing.assert_allclose(r.expected_cost, ref, atol=1e-6)


def test_empirical_matches_stockpyl_discrete_pmf():
    rng = np.random.default_rng(7)
    hist = rng.poisson(4.0, size=(60, 4)).astype(float)
    r = newsvendor_empirical(1.0, 4.0, hist)
    for j in range(4):
        values, counts = np.unique(hist[:, j], return_counts=True)
        pmf = {int(v): c / 60 for v, c in zip(values, counts, strict=True)}
        q, c = nv.newsvendor_discrete(1.0, 4.0, demand_pmf=pmf)
        assert r.order_quantity[j] == q
        assert r.expected_cost[j] == pytest.approx(c, abs=1e-6)


def test_negative_binomial_newsvendor():
    # NB(mean 16, var 80) = nbinom(4, 0.2); Q* = ppf(p / (p + h)); cost from its losses.
    d = negative_binomial_lead_time_demand(16, math.sqrt(80), 1)
    r = newsvendor_discrete(1.0, 3.0, d)
    assert r.order_quantity == stats.nbinom.ppf(0.75, 4, 0.2)
    ys = np.arange(2000)
    f = stats.nbinom.pmf(ys, 4, 0.2)
    q = r.order_quantity
    direct = 1.0 * np.sum(np.maximum(q - ys, 0) * f) + 3.0 * np.sum(np.maximum(ys - q, 0) * f)
    assert r.expected_cost == pytest.approx(direct, abs=1e-9)
    assert r.model == "negative_binomial"


# ------------------------------------------------------------------ properties and edges
@settings(max_examples=80, deadline=None)
@given(st.floats(0.05, 5.0), st.floats(0.05, 20.0), st.floats(0.1, 60.0), st.floats(-5, 5))
def test_optimum_is_no_worse_than_nearby_quantities(h, p, mean, shift):
    r = newsvendor_poisson(h, p, mean)
    for q in (r.order_quantity - 1, r.order_quantity + 1, r.order_quantity + shift):
        other = newsvendor_poisson(h, p, mean, order_quantity=q)
        assert r.expected_cost <= other.expected_cost + 1e-9
    n = newsvendor_normal(h, p, mean, math.sqrt(mean))
    other = newsvendor_normal(h, p, mean, math.sqrt(mean), order_quantity=n.order_quantity + shift)
    assert n.expected_cost <= other.expected_cost + 1e-9


def test_zero_sd_orders_the_mean():
    r = newsvendor_normal(1.0, 2.0, [10.0, 20.0], [0.0, 0.0])
    np.testing.assert_allclose(r.order_quantity, [10.0, 20.0])
    np.testing.assert_allclose(r.expected_cost, [0.0, 0.0])


def test_bad_costs_raise():
    with pytest.raises(RangeError, match="holding_cost"):
        newsvendor_normal(0.0, 1.0, 10, 2)
    with pytest.raises(RangeError, match="stockout_cost"):
        newsvendor_poisson(1.0, -1.0, 10)
    with pytest.raises(RangeError, match="sd"):
        newsvendor_normal(1.0, 1.0, 10, -2)


def test_five_thousand_items_in_one_call():
    rng = np.random.default_rng(1)
    n = 5000
    mean = rng.uniform(0.5, 100.0, n)
    h = rng.uniform(0.1, 2.0, n)
    p = rng.uniform(0.5, 10.0, n)
    for r in (newsvendor_normal(h, p, mean, np.sqrt(mean)), newsvendor_poisson(h, p, mean),
              newsvendor_empirical(h, p, rng.poisson(mean, size=(52, n)).astype(float)),
              newsvendor_discrete(h, p, poisson_lead_time_demand(mean, 1),
                                  order_quantity=np.round(mean))):
        assert np.shape(r.order_quantity) == (n,) and np.shape(r.expected_cost) == (n,)
        assert np.all(np.isfinite(r.expected_cost)) and np.all(r.expected_cost >= 0)
