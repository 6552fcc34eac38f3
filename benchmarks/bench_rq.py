"""Benchmark the vectorised (r, Q) policy (workbench.inventory.rq) against stockpyl item by item.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_rq.py                         # 1,000 and 10,000 items
    .venv/bin/python benchmarks/bench_rq.py --items 200 --stockpyl-items 20   # quick check

For each item count ``N`` the workbench solves all ``N`` items in one call per
method (exact cost at a given (r, Q), optimal r for Q, the joint optimum and the
four approximations); stockpyl solves the first ``--stockpyl-items`` of them one
at a time (for the joint optimum, which stockpyl has only for Poisson demand, a
Nelder-Mead minimisation of ``r_q_cost``). Both are timed in the same run;
reported: seconds per item of each, the speed ratio (stockpyl / workbench) and
the largest absolute difference of the results on the common items (r, Q or
cost; for the joint optimum the cost, since the optimum is flat). stockpyl's
iterations stop at 1e-6 (its default), ours at about 1e-10 relative, so
differences of order 1e-7 to 1e-6 are stockpyl's tolerance. stockpyl's EIL returns
NaN where ``Q h > p lambda`` (no solution of S&S eq. 5.17; ours caps r at ``mu -
8 sigma``); those items are counted in the last column and left out of the
difference.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.inventory.rq import (  # noqa: E402
    RQ_APPROXIMATIONS,
    rq_approximation,
    rq_cost,
    rq_optimal,
    rq_optimal_reorder_point,
)

KEYS = ("holding_cost", "stockout_cost", "ordering_cost", "mean_demand", "sd_demand", "lead_time")


def items(n: int, seed: int) -> dict[str, np.ndarray]:
    """Random, textbook-like items (time unit: a year)."""
    rng = np.random.default_rng(seed)
    return dict(holding_cost=rng.uniform(0.1, 3.0, n), stockout_cost=rng.uniform(2.0, 50.0, n),
                ordering_cost=rng.uniform(5.0, 200.0, n), mean_demand=rng.uniform(50, 3000, n),
                sd_demand=rng.uniform(5, 300, n), lead_time=rng.uniform(0.02, 0.5, n))


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Return the wall-clock seconds of one call and its output."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def stockpyl_cases(p: dict[str, np.ndarray], r: np.ndarray, q: np.ndarray):
    """Per-item stockpyl callables, one per measured method, returning comparable numbers."""
    from scipy import optimize
    from stockpyl import rq as srq

    def args(i: int) -> tuple:
        return tuple(float(p[k][i]) for k in KEYS)

    def joint(i: int) -> float:
        a = args(i)
        r0, q0 = srq.r_q_loss_function_approximation(*a)
        res = optimize.minimize(lambda x: srq.r_q_cost(x[0], x[1], *a), [r0, q0],
                                method="Nelder-Mead", options=dict(xatol=1e-6, fatol=1e-10))
        return res.fun

    cases = {
        "exact cost g(r,Q)": lambda i: srq.r_q_cost(r[i], q[i], *args(i)),
        "optimal r for Q": lambda i: srq.r_q_optimal_r_for_q(
            q[i], *(args(i)[:2] + args(i)[3:])),
        "joint optimum (cost)": joint,
    }
    for m in RQ_APPROXIMATIONS:
        fn = getattr(srq, f"r_q_{m}_approximation")
        cases[f"{m} (r, Q)"] = (lambda i, fn=fn: np.asarray(fn(*args(i))[:2], dtype=float))
    return cases


def ours(p: dict[str, np.ndarray], r: np.ndarray, q: np.ndarray):
    """Workbench callables over all items, returning arrays comparable with stockpyl's."""
    no_k = {k: v for k, v in p.items() if k != "ordering_cost"}
    cases = {
        "exact cost g(r,Q)": lambda: rq_cost(r, q, **p),
        "optimal r for Q": lambda: rq_optimal_reorder_point(q, **no_k),
        "joint optimum (cost)": lambda: rq_optimal(**p).cost,
    }
    for m in RQ_APPROXIMATIONS:
        def run(m: str = m) -> np.ndarray:
            pol = rq_approximation(m, **p)
            return np.column_stack([pol.reorder_point, pol.order_quantity])
        cases[f"{m} (r, Q)"] = run
    return cases


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print a markdown table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--stockpyl-items", type=int, default=30,
                    help="items solved by stockpyl one at a time (a prefix of the N items)")
    ap.add_argument("--seed", type=int, default=15)
    a = ap.parse_args(argv)
    print("| N items | method | workbench s/item | stockpyl s/item (items) | speed ratio "
          "| max abs difference | stockpyl NaN |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in a.items:
        p = items(n, a.seed)
        rng = np.random.default_rng(a.seed + 1)
        q = rng.uniform(20, 800, n)
        r = rng.uniform(-50, 800, n)
        m = min(a.stockpyl_items, n)
        theirs = stockpyl_cases(p, r, q)
        for name, fn in ours(p, r, q).items():
            t_ours, out = timed(fn)
            out = np.asarray(out)
            t_sp, ref = timed(lambda f=theirs[name], m=m: [f(i) for i in range(m)])
            ref = np.asarray(ref, dtype=float)
            gaps = np.abs(out[:m] - ref)
            bad = int(np.isnan(ref).any(axis=-1).sum()) if ref.ndim > 1 else int(np.isnan(ref).sum())
            diff = float(np.nanmax(gaps)) if np.isfinite(gaps).any() else float("nan")
            per_ours, per_sp = t_ours / n, t_sp / m
            print(f"| {n:,} | {name} | {per_ours:.2e} | {per_sp:.2e} ({m}) "
                  f"| {per_sp / per_ours:,.0f}x | {diff:.1e} | {bad} |")


if __name__ == "__main__":
    main()
