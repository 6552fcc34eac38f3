"""Discrete and empirical demand models (workbench.inventory.demand_models).

Known answers are worked by hand from the pmf in the comments, then checked
against stockpyl (a test-only reference) to 1e-6 and with Hypothesis properties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from stockpyl import loss_functions as lf

from workbench.exceptions import ConfigError, RangeError
from workbench.inventory.demand_models import (
    DEMAND_MODEL_CHOICES,
    DISCRETE_POLICY_COLUMNS,
    choose_demand_model,
    demand_from_pmf,
    discrete_policy_for_service,
    empirical_lead_time_demand,
    evaluate_discrete_policy,
    negative_binomial_lead_time_demand,
    poisson_lead_time_demand,
)
from workbench.inventory.forecasting import DemandMatrix

E2 = math.exp(-2.0)


# ------------------------------------------------------------------ Poisson by hand
def test_poisson_pmf_cdf_loss_by_hand():
    # D ~ Poisson(2): f(k) = e^-2 2^k / k!; F(3) = e^-2 (1 + 2 + 2 + 4/3) = 19/3 e^-2.
    d = poisson_lead_time_demand(2.0, 1)
    assert d.pmf(2) == pytest.approx(2 * E2, abs=1e-15)
    assert d.cdf(3) == pytest.approx(19 / 3 * E2, abs=1e-15)
    # n(0) = mean = 2; n(x+1) = n(x) - (1 - F(x)):
    # n(1) = 2 - (1 - e^-2) = 1 + e^-2; n(2) = 1 + e^-2 - (1 - 3 e^-2) = 4 e^-2;
    # n(3) = 4 e^-2 - (1 - 5 e^-2) = 9 e^-2 - 1.
    expected = [2.0, 1 + E2, 4 * E2, 9 * E2 - 1]
    np.testing.assert_allclose(d.loss(np.arange(4)), expected, atol=1e-14)
    # between whole numbers the loss is linear; below 0 it is mean - x.
    assert d.loss(1.5) == pytest.approx((1 + E2 + 4 * E2) / 2, abs=1e-14)
    assert d.loss(-3) == pytest.approx(5.0)
    # E[(x - D)^+] = x - mean + n(x): at 2, 2 - 2 + 4 e^-2.
    assert d.complementary_loss(2) == pytest.approx(4 * E2, abs=1e-14)
    assert d.pmf(1.5) == 0.0


def test_poisson_over_lead_time_and_review():
    # Poisson(0.5) a period over L + R = 3 + 1 periods: Poisson(2).
    d = poisson_lead_time_demand(0.5, 3, review_period=1)
    assert d.mean == pytest.approx(2.0)
    assert d.cdf(3) == pytest.approx(19 / 3 * E2, abs=1e-15)


def test_cycle_and_fill_rate_levels_by_hand():
    # Poisson(4): F(7) = 0.9489, F(8) = 0.9786 -> smallest S with F(S) >= 0.95 is 8.
    d = poisson_lead_time_demand(2.0, 1, review_period=1)
    pol = discrete_policy_for_service(d, 0.95)
    assert pol.order_up_to == 8.0 and pol.reorder_point == 8.0
    assert pol.safety_stock == 4.0
    f = [math.exp(-4) * 4**k / math.factorial(k) for k in range(9)]
    assert pol.cycle_service == pytest.approx(sum(f), abs=1e-14)
    # Poisson(1) lead-time demand, Q = 4, fill rate 95 %: ESC target 4 x 0.05 = 0.2.
    # n(1) = 1/e = 0.368 > 0.2; n(2) = 1/e - (1 - 2/e) = 3/e - 1 = 0.104 <= 0.2 -> s = 2.
    d1 = poisson_lead_time_demand(1.0, 1)
    pol = discrete_policy_for_service(d1, 0.95, service_type="fill_rate", policy="continuous",
                                      order_quantity=4)
    assert pol.reorder_point == 2.0 and pol.order_up_to == 6.0
    assert pol.expected_backorders == pytest.approx(3 / math.e - 1, abs=1e-14)
    assert pol.fill_rate == pytest.approx(1 - (3 / math.e - 1) / 4, abs=1e-14)
    # Lost sales: ESC <= Q (1 - b) / b = 4 x 0.05 / 0.95 = 0.2105 -> still 2; Q / (Q + ESC).
    pol = discrete_policy_for_service(d1, 0.95, service_type="fill_rate", policy="continuous",
                                      order_quantity=4, lost_sales=True)
    assert pol.reorder_point == 2.0
    assert pol.fill_rate == pytest.approx(4 / (4 + 3 / math.e - 1), abs=1e-14)


def test_fill_rate_level_below_zero_when_cycle_demand_is_large():
    # Poisson(1), Q = 100, fill rate 0.9: ESC allowed 10 >= mean 1, loss(s) = 1 - s for
    # s <= 0, smallest s with 1 - s <= 10 is -9.
    d = poisson_lead_time_demand(1.0, 1)
    pol = discrete_policy_for_service(d, 0.9, service_type="fill_rate", policy="continuous",
                                      order_quantity=100)
    assert pol.reorder_point == -9.0
    assert pol.expected_backorders == pytest.approx(10.0)


def test_evaluate_policy_vectorised_levels():
    d = poisson_lead_time_demand([1.0, 2.0], 1)
    pol = evaluate_discrete_policy(d, np.array([[0.0], [1.0]]), policy="continuous",
                                   order_quantity=4)
    assert pol.cycle_service.shape == (2, 2)
    np.testing.assert_allclose(pol.cycle_service, [[math.exp(-1), E2],
                                                   [2 / math.e, 3 * E2]], atol=1e-14)
    np.testing.assert_allclose(pol.expected_backorders[0], [1.0, 2.0], atol=1e-14)
    frame = pol.to_frame()
    assert list(frame.columns) == list(DISCRETE_POLICY_COLUMNS) and len(frame) == 4


# ------------------------------------------------------------------ stockpyl
@pytest.mark.parametrize("mean", [0.3, 2.0, 15.0, 60.0])
def test_poisson_loss_matches_stockpyl(mean):
    d = poisson_lead_time_demand(mean, 1)
    xs = np.arange(0, int(mean + 8 * math.sqrt(mean)) + 3)
    ours = np.asarray(d.loss(xs))
    ours_bar = np.asarray(d.complementary_loss(xs))
    ref = np.array([lf.poisson_loss(int(x), mean) for x in xs])
    np.testing.assert_allclose(ours, ref[:, 0], atol=1e-6)
    np.testing.assert_allclose(ours_bar, ref[:, 1], atol=1e-6)


def test_poisson_loss_stockpyl_documented_example():
    # stockpyl: poisson_loss(18, 15) == (0.5176095282584724, 3.5176095282584723)
    d = poisson_lead_time_demand(15, 1)
    assert d.loss(18) == pytest.approx(0.5176095282584724, abs=1e-9)
    assert d.complementary_loss(18) == pytest.approx(3.5176095282584723, abs=1e-9)


def test_negative_binomial_stockpyl_documented_examples():
    # negative_binomial_loss(14, 4, 0.2) == (4.447304632028364, 2.447304632028364):
    # r = 4, p = 0.2 -> mean 16, variance 80.
    d = negative_binomial_lead_time_demand(16, math.sqrt(80), 1)
    assert d.loss(14) == pytest.approx(4.447304632028364, abs=1e-9)
    assert d.complementary_loss(14) == pytest.approx(2.447304632028364, abs=1e-9)
    # negative_binomial_loss(14, mean=23, sd=8) == (9.326459980156931, 0.32645998015693145)
    d = negative_binomial_lead_time_demand(23, 8, 1)
    assert d.loss(14) == pytest.approx(9.326459980156931, abs=1e-9)
    assert d.complementary_loss(14) == pytest.approx(0.32645998015693145, abs=1e-9)


@pytest.mark.parametrize(("mean", "sd"), [(0.5, 1.0), (3.0, 2.5), (23.0, 8.0)])
def test_negative_binomial_loss_matches_stockpyl(mean, sd):
    d = negative_binomial_lead_time_demand(mean, sd, 1)
    xs = np.arange(0, int(mean + 8 * sd) + 2)
    ref = np.array([lf.negative_binomial_loss(int(x), mean=mean, sd=sd) for x in xs])
    np.testing.assert_allclose(d.loss(xs), ref[:, 0], atol=1e-6)
    np.testing.assert_allclose(d.complementary_loss(xs), ref[:, 1], atol=1e-6)


def test_negative_binomial_over_periods_is_the_convolution():
    # Over 3 periods: 3-fold mean and variance, equal to convolving the one-period pmf.
    one = negative_binomial_lead_time_demand(2.0, 2.0, 1)
    three = negative_binomial_lead_time_demand(2.0, 2.0, 2, review_period=1)
    assert three.mean == pytest.approx(6.0) and three.sd == pytest.approx(math.sqrt(12.0))
    f = np.asarray(one.pmf(np.arange(200)))
    conv = np.convolve(np.convolve(f, f), f)[:60]
    np.testing.assert_allclose(three.pmf(np.arange(60)), conv, atol=1e-12)


def test_empirical_loss_matches_stockpyl_discrete_loss():
    rng = np.random.default_rng(3)
    hist = rng.poisson(3.0, size=(40, 3)).astype(float)
    hist[::7, 1] = np.nan  # some periods without data
    d = empirical_lead_time_demand(hist, 1)
    for j in range(3):
        obs = hist[:, j][~np.isnan(hist[:, j])]
        values, counts = np.unique(obs, return_counts=True)
        pmf = {int(v): c / obs.size for v, c in zip(values, counts, strict=True)}
        for x in range(0, int(obs.max()) + 3):
            n, n_bar = lf.discrete_loss(x, pmf=pmf)
            assert d.loss(np.full(3, x))[j] == pytest.approx(n, abs=1e-9)
            assert d.complementary_loss(np.full(3, x))[j] == pytest.approx(n_bar, abs=1e-9)


# ------------------------------------------------------------------ empirical by hand
def test_empirical_convolution_by_hand():
    # pmf 1/2, 1/4, 1/4 on 0, 1, 2; two periods: 1/4, 1/4, 5/16, 1/8, 1/16.
    d = empirical_lead_time_demand([[0, 0, 1, 2]], 1, review_period=1)
    np.testing.assert_allclose(d.pmf_table[0], [1 / 4, 1 / 4, 5 / 16, 1 / 8, 1 / 16],
                               atol=1e-15)
    assert d.mean[0] == pytest.approx(1.5)
    # n(1) = 1 x 5/16 + 2 x 1/8 + 3 x 1/16 = 3/4.
    assert d.loss(1)[0] == pytest.approx(0.75, abs=1e-14)
    # F(1) = 1/2, F(2) = 13/16 = 0.8125
    assert d.quantile(0.8)[0] == 2.0 and d.quantile(0.82)[0] == 3.0 and d.quantile(0.5)[0] == 1


def test_empirical_many_periods_equals_repeated_convolution():
    hist = np.array([[0, 1, 1, 3, 0, 2, 7, 1, 0, 0]], dtype=float).T
    values, counts = np.unique(hist, return_counts=True)
    one = np.zeros(8)
    one[values.astype(int)] = counts / 10
    ref = one
    for _ in range(5):
        ref = np.convolve(ref, one)
    d = empirical_lead_time_demand(hist, 5, review_period=1)  # 6 periods
    np.testing.assert_allclose(d.pmf_table[0], ref, atol=1e-14)
    assert d.mean[0] == pytest.approx(6 * 1.5)


def test_empirical_grid_too_large_is_refused():
    with pytest.raises(ConfigError, match="empirical grid"):
        empirical_lead_time_demand(np.array([[0.0, 1e6], [1e6, 0.0]] * 20), 20)


def test_empirical_items_with_different_lead_times_and_lists():
    # Item 0: always 1 -> over 3 periods always 3. Item 1: 0 or 2 -> over 1 period 0/2.
    d = empirical_lead_time_demand([[1, 1, 1], [0, 2]], [3, 1])
    np.testing.assert_allclose(d.mean, [3.0, 1.0])
    np.testing.assert_allclose(d.cdf([2, 0]), [0.0, 0.5])
    np.testing.assert_allclose(d.cdf([3, 2]), [1.0, 1.0])
    # lead time 0: all mass at 0.
    z = empirical_lead_time_demand([[4, 5]], 0)
    assert z.loss(0)[0] == 0.0 and z.cdf(0)[0] == 1.0


def test_empirical_from_demand_matrix_ignores_periods_before_launch():
    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    m = DemandMatrix(pd.Index(["A"]), weeks, np.array([[0.0, 0.0, 1.0, 3.0]]))
    d = empirical_lead_time_demand(m, 1)
    assert d.mean[0] == pytest.approx(2.0)  # (1 + 3) / 2, the two zeros are pre-launch


def test_demand_from_pmf_multiple_items():
    d = demand_from_pmf([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(d.loss(0), [1.1, 0.0])
    np.testing.assert_allclose(d.cdf(1), [0.7, 1.0])


# ------------------------------------------------------------------ errors
def test_errors_name_rule_and_fix():
    with pytest.raises(RangeError, match="sd_demand\\^2 > mean_demand"):
        negative_binomial_lead_time_demand(4.0, 2.0, 1)
    with pytest.raises(RangeError, match="whole units"):
        empirical_lead_time_demand([[1.5, 2.0]], 1)
    with pytest.raises(RangeError, match="whole number of periods"):
        empirical_lead_time_demand([[1, 2]], 1.5)
    with pytest.raises(RangeError, match="observed periods"):
        empirical_lead_time_demand(np.array([[1.0, np.nan], [2.0, np.nan]]), 1)
    d = poisson_lead_time_demand(1.0, 1)
    with pytest.raises(ConfigError, match="needs order_quantity"):
        discrete_policy_for_service(d, 0.9, policy="continuous")
    with pytest.raises(RangeError, match="> 0 for periodic review"):
        discrete_policy_for_service(d, 0.9)
    with pytest.raises(RangeError, match="strictly between 0 and 1"):
        discrete_policy_for_service(poisson_lead_time_demand(1.0, 1, review_period=1), 95)
    with pytest.raises(RangeError, match="pmf row sum"):
        demand_from_pmf([0.5, 0.4])


# ------------------------------------------------------------------ model choice
def test_choose_demand_model_by_class():
    weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    rows = {
        # ADI 1, CV2 small -> smooth -> normal
        "A": [5, 6, 5, 4, 5, 6, 5, 4],
        # ADI 1, sizes 1,8,1,9,1,7,1,8: mean 4.5, var 12.5, CV2 0.62 -> erratic; mean < 10,
        # whole units, variance above mean -> negative binomial
        "B": [1, 8, 1, 9, 1, 7, 1, 8],
        # the same x 10: mean 45 -> gamma
        "C": [10, 80, 10, 90, 10, 70, 10, 80],
        # from first demand: 1,0,0,2,0,0,1: ADI 7/3, sizes 1,2,1 CV2 0.125 -> intermittent;
        # mean 4/7, sample variance (6 - 16/7)/6 = 0.619, ratio 1.08 <= 1.2 -> Poisson
        "D": [0, 1, 0, 0, 2, 0, 0, 1],
        # sizes 1,9,1: mean 11/3, var 83/3 - 121/9 = 128/9, CV2 128/121 = 1.06 -> lumpy;
        # per period mean 11/7, sample variance (83 - 121/7)/6 = 10.95, ratio 6.97 -> NB
        "E": [0, 1, 0, 0, 9, 0, 0, 1],
        "F": [0, 0, 0, 0, 0, 0, 0, 0],
    }
    m = DemandMatrix(pd.Index(list(rows)), weeks, np.array(list(rows.values()), dtype=float))
    out = choose_demand_model(m)
    assert out["demand_class"].tolist() == ["smooth", "erratic", "erratic", "intermittent",
                                            "lumpy", "none"]
    assert out["model"].tolist() == ["normal", "negative_binomial", "gamma", "poisson",
                                     "negative_binomial", "none"]
    assert out.loc[3, "variance_to_mean"] == pytest.approx((6 - 16 / 7) / 6 / (4 / 7))
    assert set(out["model"]) <= set(DEMAND_MODEL_CHOICES)
    assert out["reason"].str.len().min() > 10
    # with enough history, intermittent items take their empirical distribution
    out = choose_demand_model(m, min_empirical_periods=7)
    assert out["model"].tolist()[3:5] == ["empirical", "empirical"]
    with pytest.raises(ConfigError, match="DemandMatrix"):
        choose_demand_model(np.zeros((3, 2)))


# ------------------------------------------------------------------ properties
def _demand(kind: str, mean: float, extra: float, seed: int):
    if kind == "poisson":
        return poisson_lead_time_demand(mean, 1)
    if kind == "nb":
        return negative_binomial_lead_time_demand(mean, math.sqrt(mean * (1 + extra)), 1)
    rng = np.random.default_rng(seed)
    return empirical_lead_time_demand(rng.poisson(mean, size=(30, 1)).astype(float), 2)


kinds = st.sampled_from(["poisson", "nb", "empirical"])


@settings(max_examples=60, deadline=None)
@given(kinds, st.floats(0.05, 40.0), st.floats(0.05, 3.0), st.integers(0, 999))
def test_loss_nonincreasing_and_cdf_nondecreasing(kind, mean, extra, seed):
    d = _demand(kind, mean, extra, seed)
    xs = np.linspace(-2.0, float(d.mean[()] if np.ndim(d.mean) == 0 else d.mean[0]) * 3 + 10,
                     301)
    if np.ndim(d.mean):
        xs = xs[:, None]
    loss = np.ravel(d.loss(xs))
    cdf = np.ravel(d.cdf(xs))
    assert np.all(np.diff(loss) <= 1e-12)
    assert np.all(np.diff(cdf) >= -1e-12)
    assert np.all(loss >= 0) and np.all((cdf >= 0) & (cdf <= 1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(kinds, st.floats(0.05, 40.0), st.floats(0.05, 3.0), st.integers(0, 999),
       st.floats(0.5, 0.999), st.floats(0.5, 50.0))
def test_chosen_level_is_the_smallest_meeting_the_target(kind, mean, extra, seed, target, q):
    d = _demand(kind, mean, extra, seed)
    s = discrete_policy_for_service(d, target, policy="continuous", order_quantity=q)
    level = np.ravel(s.reorder_point)[0]
    assert np.ravel(d.cdf(level))[0] >= target
    assert np.ravel(d.cdf(level - 1))[0] < target
    f = discrete_policy_for_service(d, target, service_type="fill_rate", policy="continuous",
                                    order_quantity=q)
    level = np.ravel(f.reorder_point)[0]
    esc = q * (1 - target)
    assert np.ravel(d.loss(level))[0] <= esc + 1e-12
    assert np.ravel(d.loss(level - 1))[0] > esc
    assert np.ravel(f.fill_rate)[0] >= target - 1e-12


def test_zero_demand_items_get_zero_levels():
    d = poisson_lead_time_demand([0.0, 1.0], 1, review_period=1)
    pol = discrete_policy_for_service(d, 0.99, service_type="fill_rate")
    assert pol.order_up_to[0] == 0.0 and pol.fill_rate[0] == 1.0


# ------------------------------------------------------------------ scale
def test_five_thousand_items_in_one_call():
    rng = np.random.default_rng(0)
    n = 5000
    mean = rng.uniform(0.1, 20.0, n)
    lt = rng.integers(1, 6, n)
    for d in (poisson_lead_time_demand(mean, lt, review_period=1),
              negative_binomial_lead_time_demand(mean, np.sqrt(mean * 2.0), lt,
                                                 review_period=1),
              empirical_lead_time_demand(rng.poisson(mean, size=(52, n)).astype(float), lt,
                                         review_period=1)):
        for kind in ("cycle", "fill_rate"):
            pol = discrete_policy_for_service(d, 0.95, service_type=kind)
            assert np.shape(pol.order_up_to) == (n,)
            assert np.all(np.isfinite(pol.fill_rate))
        assert np.all(pol.fill_rate >= 0.95 - 1e-12)
    assert stats.poisson.cdf(0, 1.0) == pytest.approx(math.exp(-1))
