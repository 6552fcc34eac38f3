"""Benchmark: workbench (s, S) policies on many items vs stockpyl item by item (issue 15).

For ``--items`` random items (h in [0.5, 2], p in [2, 20], K in [1, 100], Poisson
mean in [1, 30]; normal sd = sqrt(mean) for the power approximation) it times

* ``workbench.inventory.ss.ss_optimal_discrete`` (all items in one call) vs
  ``stockpyl.ss.s_s_discrete_exact`` (one call per item, on the first
  ``--stockpyl-items`` items: it is slow);
* ``ss_cost_discrete`` at the optimum vs ``stockpyl.ss.s_s_cost_discrete``;
* ``ss_power_approximation`` vs ``stockpyl.ss.s_s_power_approximation``.

Prints a markdown table: per-item times, the ratio stockpyl / workbench, and
the largest absolute difference in s, S and cost over the compared items.

Usage: ``.venv/bin/python benchmarks/bench_ss.py --items 2000 --stockpyl-items 50``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import stockpyl.ss as ref

from workbench.inventory.ss import ss_cost_discrete, ss_optimal_discrete, ss_power_approximation


def _row(name: str, t_wb: float, n_wb: int, t_ref: float, n_ref: int, diff: float) -> str:
    a, b = t_wb / n_wb, t_ref / n_ref
    return f"| {name} | {n_wb} | {a * 1e3:.3f} | {n_ref} | {b * 1e3:.3f} | {b / a:.0f} | {diff:.2e} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--stockpyl-items", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, m = args.items, min(args.stockpyl_items, args.items)
    h, p = rng.uniform(0.5, 2, n), rng.uniform(2, 20, n)
    K, mu = rng.uniform(1, 100, n), rng.uniform(1, 30, n)
    sd = np.sqrt(mu)
    rows = []

    t = time.perf_counter()
    pol = ss_optimal_discrete(h, p, K, mean_demand=mu)
    t_wb = time.perf_counter() - t
    t = time.perf_counter()
    out = [ref.s_s_discrete_exact(h[i], p[i], K[i], True, mu[i]) for i in range(m)]
    t_ref = time.perf_counter() - t
    r = np.array(out, dtype=float)
    diff = max(np.abs(pol.reorder_point[:m] - r[:, 0]).max(),
               np.abs(pol.order_up_to[:m] - r[:, 1]).max(), np.abs(pol.cost[:m] - r[:, 2]).max())
    rows.append(_row("optimal (s, S), Zheng-Federgruen", t_wb, n, t_ref, m, diff))

    s, S = pol.reorder_point, pol.order_up_to
    t = time.perf_counter()
    c = ss_cost_discrete(s, S, h, p, K, mean_demand=mu)
    t_wb = time.perf_counter() - t
    t = time.perf_counter()
    cr = [ref.s_s_cost_discrete(int(s[i]), int(S[i]), h[i], p[i], K[i], True, mu[i])
          for i in range(m)]
    t_ref = time.perf_counter() - t
    rows.append(_row("cost of a given (s, S)", t_wb, n, t_ref, m,
                     float(np.abs(c[:m] - np.array(cr)).max())))

    t = time.perf_counter()
    pa = ss_power_approximation(h, p, K, mu, sd)
    t_wb = time.perf_counter() - t
    t = time.perf_counter()
    pr = np.array([ref.s_s_power_approximation(h[i], p[i], K[i], mu[i], sd[i])
                   for i in range(n)])
    t_ref = time.perf_counter() - t
    diff = max(np.abs(pa.reorder_point - pr[:, 0]).max(), np.abs(pa.order_up_to - pr[:, 1]).max())
    rows.append(_row("power approximation", t_wb, n, t_ref, n, diff))

    print("| function | workbench items | workbench ms/item | stockpyl items | stockpyl ms/item "
          "| ratio | max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
