"""Continuous-review (r, Q) policy (workbench.inventory.rq).

Known answers: stockpyl's documented examples (Snyder & Shen ch. 5, printed
values copied by hand below) and two cases worked by hand; a random sweep
compared with stockpyl called item by item (a test-only reference); Hypothesis
properties of the optimum.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from workbench.exceptions import ChoiceError, ConfigError, RangeError
from workbench.inventory.rq import (
    RQ_APPROXIMATIONS,
    RQ_COLUMNS,
    RQPolicy,
    normal_second_loss,
    rq_approximation,
    rq_cost,
    rq_eil_cost,
    rq_optimal,
    rq_optimal_reorder_point,
)

rq = pytest.importorskip("stockpyl.rq")  # test-only reference, installed in .venv
lf = pytest.importorskip("stockpyl.loss_functions")

# Snyder & Shen example 5.1: h, p, K, lambda, tau, L (time unit: a year)
EX = dict(holding_cost=0.225, stockout_cost=7.5, ordering_cost=8, mean_demand=1300,
          sd_demand=150, lead_time=1 / 12)
EX_NO_K = {k: v for k, v in EX.items() if k != "ordering_cost"}


def _args(d: dict) -> tuple:
    """stockpyl's positional order: h, p, K, lambda, tau, L."""
    return (d["holding_cost"], d["stockout_cost"], d["ordering_cost"], d["mean_demand"],
            d["sd_demand"], d["lead_time"])


# --------------------------------------------------------------------------- documented examples

def test_documented_cost_example_5_1():
    # stockpyl r_q_cost docstring: 78.07116250928294
    assert rq_cost(126.8, 328.5, **EX) == pytest.approx(78.07116250928294, abs=1e-6)


def test_documented_r_for_q_example_5_2():
    # stockpyl r_q_optimal_r_for_q docstring: 129.4272799263067 (bisection to tol 1e-6 in cost)
    assert rq_optimal_reorder_point(300, **EX_NO_K) == pytest.approx(129.4272799263067,
                                                                    abs=1e-6)


@pytest.mark.parametrize(("method", "r", "q"), [
    ("eil", 213.97044213580244, 318.5901810768729),            # example 5.2
    ("eoqb", 128.63781442427097, 308.5737801203754),           # example 5.2
    ("eoqss", 190.3369965715624, 304.0467800264368),           # example 5.5
    ("loss_function", 126.8670634479628, 328.4491421980451),   # example 5.6
])
def test_documented_approximations(method, r, q):
    pol = rq_approximation(method, **EX)
    assert pol.method == method
    assert pol.reorder_point == pytest.approx(r, abs=1e-6)
    assert pol.order_quantity == pytest.approx(q, abs=1e-6)
    assert pol.cost == pytest.approx(rq_cost(r, q, **EX), abs=1e-6)


def test_documented_eil_cost():
    # stockpyl r_q_eil_approximation's third value: 95.45114022285196
    pol = rq_approximation("eil", **EX)
    got = rq_eil_cost(pol.reorder_point, pol.order_quantity, **EX)
    assert got == pytest.approx(95.45114022285196, abs=1e-6)


def test_documented_second_loss():
    # stockpyl loss_functions.normal_second_loss(18.6, 15, 3) docstring: 0.21486028212500707
    assert normal_second_loss(18.6, 15, 3) == pytest.approx(0.21486028212500707, abs=1e-12)
    # standard_normal_second_loss(1.3): 0.01880706693657111
    assert normal_second_loss(1.3, 0, 1) == pytest.approx(0.01880706693657111, abs=1e-12)


def test_example_5_1_optimum():
    # The book prints r* = 126.8, Q* = 328.5, g = 78.07. Check the first-order
    # conditions g(r) = g(r + Q) = g(r, Q) with stockpyl's newsvendor cost, and
    # that a direct minimisation of stockpyl's r_q_cost agrees.
    from stockpyl.newsvendor import newsvendor_normal_cost

    pol = rq_optimal(**EX)
    mu, sigma = 1300 / 12, 150 * math.sqrt(1 / 12)
    g_r = newsvendor_normal_cost(pol.reorder_point, 0.225, 7.5, mu, sigma)
    g_rq = newsvendor_normal_cost(pol.reorder_point + pol.order_quantity, 0.225, 7.5, mu, sigma)
    assert g_r == pytest.approx(g_rq, abs=1e-8)
    assert pol.cost == pytest.approx(g_r, abs=1e-6)  # first-order in the 1e-10 stop
    assert (round(pol.reorder_point, 1), round(pol.order_quantity, 1)) == (126.9, 328.4)
    res = optimize.minimize(lambda x: rq.r_q_cost(x[0], x[1], *_args(EX)), [126.8, 328.5],
                            method="Nelder-Mead", options=dict(xatol=1e-9, fatol=1e-13))
    assert pol.cost == pytest.approx(res.fun, abs=1e-9)
    assert pol.cost <= res.fun + 1e-12


# --------------------------------------------------------------------------- worked by hand

def test_hand_worked_cost_normal():
    # h=1, p=9, K=50, lambda=100, tau=10, L=1: mu = 100, sigma = 10. At r = mu,
    # Q = 100: n2(r) = sigma^2 L2(0) = 100 * ((0 + 1)(1/2) - 0) / 2 = 25, and
    # n2(r + Q) = 100 L2(10) ~ 1e-25. Integral = h Q (r - mu + Q/2) + (h + p)
    # (25 - 0) = 5000 + 250 = 5250, so g = (K lambda + 5250) / Q = (5000 + 5250) / 100.
    got = rq_cost(100, 100, holding_cost=1, stockout_cost=9, ordering_cost=50,
                  mean_demand=100, sd_demand=10, lead_time=1)
    assert got == pytest.approx(102.5, abs=1e-12)


def test_hand_worked_deterministic():
    # tau = 0: mu = 100, g(y) = 9 (100 - y) below 100 and (y - 100) above. r = 90,
    # Q = 100: int = 9 * 10^2 / 2 + 90^2 / 2 = 450 + 4050; g = (5000 + 4500) / 100 = 95.
    p = dict(holding_cost=1, stockout_cost=9, ordering_cost=50, mean_demand=100,
             sd_demand=0, lead_time=1)
    assert rq_cost(90, 100, **p) == pytest.approx(95.0, abs=1e-12)
    # Optimum = EOQ with backorders: Q = sqrt(2 * 50 * 100 * 10 / 9) = 105.4093...,
    # r = 100 - Q / 10, cost = sqrt(2 K lambda h p / (h + p)) = sqrt(9000) = 94.868...
    pol = rq_optimal(**p)
    q = math.sqrt(100000 / 9)
    assert pol.order_quantity == pytest.approx(q, rel=1e-9)
    assert pol.reorder_point == pytest.approx(100 - q / 10, rel=1e-9)
    assert pol.cost == pytest.approx(math.sqrt(9000), rel=1e-12)
    # zero lead time is the same deterministic case with mu = 0
    p0 = {**p, "sd_demand": 10, "lead_time": 0}
    assert rq_optimal(**p0).reorder_point == pytest.approx(-q / 10, rel=1e-9)


# --------------------------------------------------------------------------- random sweep vs stockpyl

def _sweep(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return dict(holding_cost=rng.uniform(0.1, 3.0, n), stockout_cost=rng.uniform(2.0, 50.0, n),
                ordering_cost=rng.uniform(5.0, 200.0, n), mean_demand=rng.uniform(50, 3000, n),
                sd_demand=rng.uniform(5, 300, n), lead_time=rng.uniform(0.02, 0.5, n))


def _item(params: dict, i: int) -> dict:
    return {k: float(v[i]) for k, v in params.items()}


def test_sweep_cost_and_r_for_q_match_stockpyl():
    params = _sweep(25, seed=1)
    q = np.random.default_rng(2).uniform(20, 800, 25)
    r = np.random.default_rng(3).uniform(-50, 800, 25)
    cost = rq_cost(r, q, **params)
    no_k = {k: v for k, v in params.items() if k != "ordering_cost"}
    r_q = rq_optimal_reorder_point(q, **no_k)
    for i in range(25):
        d = _item(params, i)
        assert cost[i] == pytest.approx(rq.r_q_cost(r[i], q[i], *_args(d)), abs=1e-6)
        ref = rq.r_q_optimal_r_for_q(q[i], d["holding_cost"], d["stockout_cost"],
                                     d["mean_demand"], d["sd_demand"], d["lead_time"],
                                     tol=1e-10)
        assert r_q[i] == pytest.approx(ref, abs=1e-6)


@pytest.mark.parametrize("method", RQ_APPROXIMATIONS)
def test_sweep_approximations_match_stockpyl(method):
    params = _sweep(15, seed=4)
    pol = rq_approximation(method, **params)
    fn = getattr(rq, f"r_q_{method}_approximation")
    for i in range(15):
        d = _item(params, i)
        if method == "eoqb":  # stockpyl's inner bisection stops at 1e-6 in cost
            ref_q = rq.r_q_eoqb_approximation(*_args(d))[1]
            ref_r = rq.r_q_optimal_r_for_q(ref_q, d["holding_cost"], d["stockout_cost"],
                                           d["mean_demand"], d["sd_demand"], d["lead_time"],
                                           tol=1e-10)
        elif method in ("eil", "loss_function"):  # stockpyl stops at a 1e-6 step; tighten it
            ref_r, ref_q = fn(*_args(d), tol=1e-11)[:2]
        else:
            ref_r, ref_q = fn(*_args(d))
        assert pol.reorder_point[i] == pytest.approx(ref_r, abs=1e-6)
        assert pol.order_quantity[i] == pytest.approx(ref_q, abs=1e-6)


# --------------------------------------------------------------------------- properties

costs = st.floats(0.01, 10.0)
params_strategy = st.fixed_dictionaries(dict(
    holding_cost=costs, stockout_cost=st.floats(0.05, 100.0), ordering_cost=st.floats(0.1, 500.0),
    mean_demand=st.floats(0.5, 5000.0), sd_demand=st.floats(0.0, 2000.0),
    lead_time=st.floats(0.0, 4.0)))


@given(params_strategy)
def test_optimum_beats_every_approximation(params):
    opt = rq_optimal(**params)
    for method in RQ_APPROXIMATIONS:
        pol = rq_approximation(method, **params)
        assert opt.cost <= pol.cost * (1 + 1e-10) + 1e-10, method
        assert opt.cost == pytest.approx(rq_cost(opt.reorder_point, opt.order_quantity,
                                                 **params), rel=1e-12)


@given(params_strategy, st.floats(0.1, 3.0), st.floats(-3.0, 3.0).filter(lambda x: abs(x) > 1e-3))
def test_r_for_q_minimises_cost_along_r(params, q_factor, shift):
    q = q_factor * math.sqrt(2 * params["ordering_cost"] * params["mean_demand"]
                             / params["holding_cost"])
    no_k = {k: v for k, v in params.items() if k != "ordering_cost"}
    r = rq_optimal_reorder_point(q, **no_k)
    sigma = params["sd_demand"] * math.sqrt(params["lead_time"])
    best = rq_cost(r, q, **params)
    other = rq_cost(r + shift * (sigma + q), q, **params)
    assert best <= other * (1 + 1e-12) + 1e-12


# --------------------------------------------------------------------------- shapes and errors

def test_vectorised_5000_items_shapes():
    n = 5000
    rng = np.random.default_rng(7)
    params = dict(holding_cost=rng.uniform(0.05, 5, n), stockout_cost=rng.uniform(0.5, 80, n),
                  ordering_cost=rng.uniform(1, 400, n), mean_demand=rng.uniform(1, 5000, n),
                  sd_demand=rng.uniform(0, 1500, n), lead_time=rng.uniform(0, 3, n))
    opt = rq_optimal(**params)
    assert opt.reorder_point.shape == opt.order_quantity.shape == opt.cost.shape == (n,)
    assert np.isfinite(opt.cost).all()
    for method in RQ_APPROXIMATIONS:
        pol = rq_approximation(method, **params)
        assert pol.cost.shape == (n,)
        assert (opt.cost <= pol.cost * (1 + 1e-10) + 1e-10).all()
    frame = opt.to_frame()
    assert tuple(frame.columns) == RQ_COLUMNS and len(frame) == n


def test_broadcasting_grid():
    # Q of shape (3, 1) against items of shape (4,)
    q = np.array([[100.0], [300.0], [600.0]])
    r = rq_optimal_reorder_point(q, holding_cost=0.225, stockout_cost=7.5,
                                 mean_demand=[650, 1300, 2600, 5200], sd_demand=150,
                                 lead_time=1 / 12)
    assert r.shape == (3, 4)
    assert r[1, 1] == pytest.approx(rq_optimal_reorder_point(300, **EX_NO_K), abs=1e-9)


def test_scalar_inputs_give_floats():
    pol = rq_optimal(**EX)
    assert isinstance(pol, RQPolicy)
    assert all(isinstance(v, float) for v in (pol.reorder_point, pol.order_quantity, pol.cost))


@pytest.mark.parametrize(("key", "value"), [
    ("holding_cost", 0.0), ("stockout_cost", -1.0), ("ordering_cost", 0.0),
    ("mean_demand", 0.0), ("sd_demand", -5.0), ("lead_time", float("nan")),
])
def test_bad_parameters_name_key_value_fix(key, value):
    with pytest.raises(RangeError) as err:
        rq_optimal(**{**EX, key: value})
    assert isinstance(err.value, ConfigError)
    assert err.value.key == key
    assert err.value.fix
    assert key in str(err.value) and "rq_optimal" in str(err.value)


def test_bad_order_quantity_and_method():
    with pytest.raises(RangeError, match="order_quantity"):
        rq_cost(100, [300, 0], **EX)
    with pytest.raises(RangeError, match="reorder_point"):
        rq_cost(float("nan"), 300, **EX)
    with pytest.raises(ChoiceError) as err:
        rq_approximation("eoq", **EX)
    assert err.value.key == "method"
