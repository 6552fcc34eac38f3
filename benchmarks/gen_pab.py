"""Synthetic PAB benchmark data: items x weeks, the way real planning data arrives.

:func:`generate` returns, in memory,

* ``long``: one row per item and week (``item_id`` as a plain string column, as
  read from CSV/Parquet; ``period_start``; ``customer_orders``; ``forecast``;
  ``supply_firm``; ``supply_planned``), sorted by item and week;
* ``on_hand`` and ``safety_stock``: per-item Series;
* ``order_lines``: the open customer order lines behind ``customer_orders``
  (data-model ``order_lines`` columns; 3 lines per item-week with orders);
* ``customers``: customer master with a service ``tier`` (A/B/C, some missing).

Orders are concentrated in the near weeks (probability of an order in week ``w``
is ``0.95 * exp(-w / 5)``), forecast runs over the whole horizon, receipts come
every 2-8 weeks per item (firm in the first 6 weeks, planned after). ``python
benchmarks/gen_pab.py --items N --weeks W`` writes Parquet files under
``benchmarks/data/`` (git-ignored).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2025-01-08")  # a Wednesday: period 0 starts Monday 2025-01-06
FIRM_WEEKS = 6
LINES_PER_ORDER_WEEK = 3


@dataclass(frozen=True)
class PabBenchData:
    """Generated benchmark inputs (see module docstring)."""

    long: pd.DataFrame
    on_hand: pd.Series
    safety_stock: pd.Series
    order_lines: pd.DataFrame
    customers: pd.DataFrame
    as_of: pd.Timestamp
    n_weeks: int


def _strings(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    """String column built once per distinct value (cheap for repeated ids)."""
    uniq, inv = np.unique(numbers, return_inverse=True)
    labels = pd.Index([f"{prefix}{k:0{width}d}" for k in uniq], dtype="str")
    return pd.Series(labels.take(inv), dtype="str")


def generate(n_items: int = 50_000, n_weeks: int = 104, *, seed: int = 0,
             n_customers: int = 5_000) -> PabBenchData:
    """Generate the benchmark inputs (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    start = AS_OF - pd.Timedelta(days=AS_OF.weekday())
    weeks = pd.date_range(start, periods=n_weeks, freq="7D")
    mu = np.maximum(1.0, rng.lognormal(np.log(20.0), 0.8, n_items))
    w = np.arange(n_weeks)

    season = 1.0 + 0.2 * np.sin(2 * np.pi * (w[None, :] + rng.integers(0, 52, (n_items, 1))) / 52)
    forecast = np.round(mu[:, None] * season)

    has_order = rng.random((n_items, n_weeks)) < 0.95 * np.exp(-w / 5.0)[None, :]
    cells = np.flatnonzero(has_order)
    line_qty = np.maximum(1.0, np.round(
        mu[cells // n_weeks, None] / LINES_PER_ORDER_WEEK * rng.uniform(0.5, 1.6, (cells.size, LINES_PER_ORDER_WEEK))))
    orders = np.zeros(n_items * n_weeks)
    orders[cells] = line_qty.sum(axis=1)
    orders = orders.reshape(n_items, n_weeks)

    interval = rng.integers(2, 9, n_items)
    phase = rng.integers(0, 8, n_items) % interval
    receipt = ((w[None, :] - phase[:, None]) % interval[:, None]) == 0
    lot = np.round(mu[:, None] * interval[:, None] * rng.uniform(1.0, 1.4, (n_items, n_weeks)))
    supply = np.where(receipt, lot, 0.0)
    firm = w[None, :] < FIRM_WEEKS

    item_codes = np.repeat(np.arange(n_items), n_weeks)
    long = pd.DataFrame({
        "item_id": _strings("ITEM", item_codes, 6),
        "period_start": np.tile(weeks.to_numpy(), n_items),
        "customer_orders": orders.ravel(),
        "forecast": forecast.ravel(),
        "supply_firm": np.where(firm, supply, 0.0).ravel(),
        "supply_planned": np.where(firm, 0.0, supply).ravel(),
    })
    item_index = pd.Index([f"ITEM{k:06d}" for k in range(n_items)], dtype="str", name="item_id")
    on_hand = pd.Series(np.round(mu * rng.uniform(0.5, 4.0, n_items)), index=item_index)
    safety_stock = pd.Series(np.round(mu * rng.uniform(0.5, 1.5, n_items)), index=item_index)

    # order lines: LINES_PER_ORDER_WEEK per item-week with orders
    n_lines = cells.size * LINES_PER_ORDER_WEEK
    line_cell = np.repeat(cells, LINES_PER_ORDER_WEEK)
    line_week = line_cell % n_weeks
    due = weeks.to_numpy()[line_week] + rng.integers(0, 5, n_lines).astype("timedelta64[D]")
    past_due = (line_week == 0) & (rng.random(n_lines) < 0.3)
    due = np.where(past_due, due - rng.integers(3, 20, n_lines).astype("timedelta64[D]"), due)
    order_no = np.arange(n_lines) // LINES_PER_ORDER_WEEK
    order_lines = pd.DataFrame({
        "order_id": _strings("SO", order_no, 8),
        "line_no": (np.arange(n_lines) % LINES_PER_ORDER_WEEK + 1).astype(np.int64),
        "customer_id": _strings("C", rng.integers(0, n_customers, n_lines), 5),
        "item_id": _strings("ITEM", line_cell // n_weeks, 6),
        "order_date": due - rng.integers(1, 60, n_lines).astype("timedelta64[D]"),
        "requested_date": due,
        "qty_ordered": line_qty.ravel(),
        "qty_shipped": 0.0,
        "status": pd.Series(["open"] * n_lines, dtype="str"),
    })
    tiers = rng.choice(np.array(["A", "B", "C", None], dtype=object), n_customers,
                       p=[0.2, 0.3, 0.4, 0.1])
    customers = pd.DataFrame({
        "customer_id": [f"C{k:05d}" for k in range(n_customers)],
        "tier": pd.Series(tiers, dtype="str"),
    })
    return PabBenchData(long, on_hand, safety_stock, order_lines, customers, AS_OF, n_weeks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    data = generate(args.items, args.weeks, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    data.long.to_parquet(args.out / "pab_long.parquet", index=False)
    data.order_lines.to_parquet(args.out / "pab_order_lines.parquet", index=False)
    data.customers.to_parquet(args.out / "pab_customers.parquet", index=False)
    pd.DataFrame({"item_id": data.on_hand.index, "on_hand": data.on_hand.to_numpy(),
                  "safety_stock": data.safety_stock.to_numpy()}).to_parquet(
        args.out / "pab_items.parquet", index=False)
    print(f"wrote {len(data.long):,} item-weeks and {len(data.order_lines):,} order lines "
          f"to {args.out}")


if __name__ == "__main__":
    main()
