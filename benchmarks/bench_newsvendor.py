"""Benchmark: workbench newsvendor and discrete-demand loss functions vs stockpyl (issue 15).

For ``--items`` random items (h in [0.1, 2], p in [1, 20], mean in [1, 60], sd in
[0.2, 0.5] x mean for normal demand; negative binomial sd^2 = 3 x mean) it times

* ``newsvendor_normal`` (all items in one call) vs ``stockpyl.newsvendor.newsvendor_normal``
  (one call per item);
* ``newsvendor_poisson`` vs ``stockpyl.newsvendor.newsvendor_poisson``;
* the Poisson first-order loss ``E[(D - x)^+]`` at ``x = round(mean)`` vs
  ``stockpyl.loss_functions.poisson_loss``;
* the negative-binomial loss vs ``stockpyl.loss_functions.negative_binomial_loss``.

stockpyl runs on the first ``--stockpyl-items`` items. Prints a markdown table with
per-item times, the ratio stockpyl / workbench (both measured in this run) and the
largest absolute difference of the results over the compared items.

Usage: ``.venv/bin/python benchmarks/bench_newsvendor.py --items 10000 --stockpyl-items 500``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import stockpyl.loss_functions as ref_loss
import stockpyl.newsvendor as ref_nv

from workbench.inventory.demand_models import (
    negative_binomial_lead_time_demand,
    poisson_lead_time_demand,
)
from workbench.inventory.newsvendor import newsvendor_normal, newsvendor_poisson


def _row(name: str, t_wb: float, n_wb: int, t_ref: float, n_ref: int, diff: float) -> str:
    a, b = t_wb / n_wb, t_ref / n_ref
    return (f"| {name} | {n_wb:,} | {a * 1e3:.4f} | {n_ref:,} | {b * 1e3:.3f} | {b / a:,.0f} "
            f"| {diff:.1e} |")


def _time(fn):  # noqa: ANN001, ANN202 - benchmark helper
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    """Run the comparisons and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--stockpyl-items", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, m = args.items, min(args.stockpyl_items, args.items)
    h, p = rng.uniform(0.1, 2, n), rng.uniform(1, 20, n)
    mu = rng.uniform(1, 60, n)
    sd = mu * rng.uniform(0.2, 0.5, n)
    nb_sd = np.sqrt(3.0 * mu)
    x = np.round(mu)
    rows = []

    wb, t_wb = _time(lambda: newsvendor_normal(h, p, mu, sd))
    rf, t_ref = _time(lambda: np.array([ref_nv.newsvendor_normal(h[i], p[i], mu[i], sd[i])
                                        for i in range(m)]))
    diff = max(np.abs(wb.order_quantity[:m] - rf[:, 0]).max(),
               np.abs(wb.expected_cost[:m] - rf[:, 1]).max())
    rows.append(_row("newsvendor, normal demand", t_wb, n, t_ref, m, diff))

    wb, t_wb = _time(lambda: newsvendor_poisson(h, p, mu))
    rf, t_ref = _time(lambda: np.array([ref_nv.newsvendor_poisson(h[i], p[i], mu[i])
                                        for i in range(m)]))
    diff = max(np.abs(wb.order_quantity[:m] - rf[:, 0]).max(),
               np.abs(wb.expected_cost[:m] - rf[:, 1]).max())
    rows.append(_row("newsvendor, Poisson demand", t_wb, n, t_ref, m, diff))

    wb, t_wb = _time(lambda: poisson_lead_time_demand(mu, 1.0).loss(x))
    rf, t_ref = _time(lambda: np.array([ref_loss.poisson_loss(x[i], mu[i])[0]
                                        for i in range(m)]))
    rows.append(_row("Poisson loss E[(D - x)+]", t_wb, n, t_ref, m,
                     float(np.abs(wb[:m] - rf).max())))

    wb, t_wb = _time(lambda: negative_binomial_lead_time_demand(mu, nb_sd, 1.0).loss(x))
    rf, t_ref = _time(lambda: np.array([
        ref_loss.negative_binomial_loss(x[i], mean=mu[i], sd=nb_sd[i])[0] for i in range(m)]))
    rows.append(_row("negative-binomial loss E[(D - x)+]", t_wb, n, t_ref, m,
                     float(np.abs(wb[:m] - rf).max())))

    print("| function | workbench items | workbench ms/item | stockpyl items | stockpyl ms/item "
          "| ratio | max abs diff |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
