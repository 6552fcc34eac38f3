"""Benchmark (issue 14): 100M order lines on one machine through the lazy scan.

Generates a partitioned Parquet dataset of order lines in chunks (vectorised
NumPy; never the whole dataset in memory), then measures, each step in a fresh
process (wall time of the call, peak RSS of that process):

* ``validate``: ``scan_orders(folder).validate(...)`` -- streamed record
  batches through load_orders' rules, quarantine file, clean partitioned
  Parquet folder;
* ``kpis``: the full KPI table by customer x month on the clean folder
  (DuckDB, out of core);
* ``pab``: the PAB of every item (open demand aggregated in DuckDB, then the
  vectorised PAB);
* anchors, same run: DuckDB ``SELECT count(*), sum(qty_ordered)`` over the
  same files, and pyarrow reading one file whole.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_scale.py --lines 100000000 --out benchmarks/data/scale

``--write-doc docs/benchmarks-scale.md`` also rewrites the figures table of that page.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

START_DAY = int(np.datetime64("2024-07-01", "D").astype(np.int64))
HISTORY_DAYS = 730
AS_OF = "2026-06-30"
ROW_GROUP = 1_000_000
_SITES = ("SH01", "SZ01", "RT01")
_STATUS = ("delivered", "shipped", "open", "cancelled")


# ======================================================================== generator
def _ids(prefix: str, numbers: np.ndarray, width: int):
    """``prefix`` + zero-padded ``numbers`` as an Arrow string array (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    s = pa.array(numbers.astype(np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(s, width, "0"), "")


def _take(labels, codes: np.ndarray):
    import pyarrow as pa

    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(idx, labels).dictionary_decode()


def schema():
    """Arrow schema of the generated files (data-model column names)."""
    import pyarrow as pa

    date, i32, f64, s = pa.date32(), pa.int32(), pa.float64(), pa.string()
    return pa.schema([
        ("order_id", s), ("line_no", i32), ("customer_id", s), ("item_id", s),
        ("order_date", date), ("requested_date", date), ("promised_date", date),
        ("ship_date", date), ("delivery_date", date), ("qty_ordered", i32),
        ("qty_shipped", i32), ("qty_delivered", i32), ("unit_price", f64), ("site", s),
        ("status", s)])


def chunk(rng: np.random.Generator, first_order: int, n: int, n_customers: int,
          n_items: int, i_cdf: np.ndarray, i_price: np.ndarray, dirty: int):
    """One chunk of ``n`` order lines (whole orders) as an Arrow table; the next order number.

    ``dirty`` rows are made invalid (missing customer, negative quantity,
    delivery before order, a repeated key) -- at most a few per chunk.
    """
    import pyarrow as pa

    k = 1 + rng.poisson(2.0, n // 2 + 10)
    csum = np.cumsum(k)
    n_orders = int(np.searchsorted(csum, n)) + 1
    k = k[:n_orders]
    k[-1] -= int(csum[n_orders - 1] - n)
    order = np.repeat(np.arange(n_orders), k)
    line_no = (np.arange(n) - np.repeat(np.cumsum(k) - k, k) + 1).astype(np.int32)
    o_day = START_DAY + rng.integers(0, HISTORY_DAYS, n_orders)
    o_cust = np.minimum((rng.pareto(1.16, n_orders) * n_customers / 8).astype(np.int64),
                        n_customers - 1)
    day = o_day[order]
    cust = o_cust[order]
    item = np.minimum(np.searchsorted(i_cdf, rng.random(n)), n_items - 1)
    qty = np.maximum(1, np.round(rng.lognormal(2.5, 0.8, n))).astype(np.int32)
    price = np.round(i_price[item] * (1 + rng.normal(0, 0.01, n)), 2)
    req = day + 7 + rng.integers(0, 40, n)
    prom = req + np.where(rng.random(n) < 0.12, rng.integers(1, 11, n), 0)
    ship = prom - 2 + np.where(rng.random(n) < 0.1, rng.integers(1, 9, n), 0)
    deliv = ship + 2 + np.where(rng.random(n) < 0.05, rng.integers(1, 4, n), 0)
    as_of = int(np.datetime64(AS_OF, "D").astype(np.int64))
    status = np.where(ship > as_of, 2, np.where(deliv > as_of, 1, 0))
    status[rng.random(n) < 0.01] = 3
    done = (status == 0) | (status == 1)
    q_ship = np.where(done, qty, -1)
    short = done & (rng.random(n) < 0.04) & (qty > 1)
    q_ship[short] = np.maximum(1, qty[short] // 2)
    q_del = np.where(status == 0, q_ship, -1)
    ship = np.where(done, ship, -1)
    deliv = np.where(status == 0, deliv, -1)

    cust_code = cust.copy()
    if dirty:
        rows = rng.choice(n - 2, size=4 * dirty, replace=False) + 1
        a, b, c, d = np.array_split(rows, 4)
        cust_code[a] = -1                      # missing_required
        qty[b] = -qty[b]                       # negative_quantity
        day_deliv = np.flatnonzero(status == 0)
        c = np.intersect1d(c, day_deliv)
        deliv[c] = day[c] - 3                  # delivery_date_before_order_date
        order[d], line_no[d] = order[d - 1], line_no[d - 1]  # duplicate_key (kept row = d-1)

    def dates(x):
        return pa.array(x.astype(np.int32), mask=x < 0).cast(pa.date32())

    def ints(x):
        return pa.array(x.astype(np.int32), mask=(x < 0) & (x == -1))

    cols = {
        "order_id": _ids("SO", first_order + order, 9),
        "line_no": pa.array(line_no),
        "customer_id": _take(_ids("C", np.arange(1, n_customers + 1), 5), cust_code),
        "item_id": _take(_ids("ITM-", np.arange(1, n_items + 1), 5), item),
        "order_date": dates(day), "requested_date": dates(req), "promised_date": dates(prom),
        "ship_date": dates(ship), "delivery_date": dates(deliv),
        "qty_ordered": pa.array(qty), "qty_shipped": ints(q_ship),
        "qty_delivered": ints(q_del), "unit_price": pa.array(price),
        "site": _take(pa.array(_SITES), cust % 3),
        "status": _take(pa.array(_STATUS), status),
    }
    return pa.table(cols, schema=schema()), first_order + n_orders


def generate(out: Path, n_lines: int, *, files: int = 20, n_customers: int = 5_000,
             n_items: int = 5_000, dirty_per_file: int = 3, seed: int = 20260514) -> dict:
    """Write ``n_lines`` order lines as ``files`` Parquet files under ``out``; return facts."""
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.9
    i_cdf = np.cumsum(pop / pop.sum())
    i_price = np.round(np.exp(rng.normal(np.log(20.0), 1.2, n_items)), 2) + 0.05
    out.mkdir(parents=True, exist_ok=True)
    per_file = -(-n_lines // files)
    first_order, written = 1, 0
    for f in range(files):
        n_file = min(per_file, n_lines - written)
        if n_file <= 0:
            break
        path = out / f"part-{f:03d}.parquet"
        with pq.ParquetWriter(path, schema()) as w:
            done = 0
            while done < n_file:
                n = min(ROW_GROUP, n_file - done)
                table, first_order = chunk(rng, first_order, n, n_customers, n_items, i_cdf,
                                           i_price, dirty_per_file if done == 0 else 0)
                w.write_table(table, row_group_size=ROW_GROUP)
                done += n
        written += n_file
    size = sum(p.stat().st_size for p in out.glob("*.parquet"))
    facts = {"lines": written, "files": files, "orders": first_order - 1,
             "customers": n_customers, "items": n_items, "bytes": size,
             "dirty_planned": 4 * dirty_per_file * files}
    (out / "facts.json").write_text(json.dumps(facts))
    return facts


def ensure_data(out: Path, n_lines: int, files: int) -> dict:
    facts_path = out / "facts.json"
    if facts_path.exists():
        facts = json.loads(facts_path.read_text())
        if facts.get("lines") == n_lines and facts.get("files") == files:
            return facts
    for p in out.glob("*.parquet"):
        p.unlink()
    t0 = time.perf_counter()
    facts = generate(out, n_lines, files=files)
    facts["generate_seconds"] = time.perf_counter() - t0
    facts_path.write_text(json.dumps(facts))
    return facts


# ======================================================================== steps
_CHILD_CODE = {
    "anchor_duckdb": """
import duckdb
def run(data, work):
    con = duckdb.connect()
    con.execute("SET memory_limit = '4GB'")
    glob = str(data / '*.parquet')
    n, s = con.execute(f"SELECT count(*), sum(qty_ordered) FROM read_parquet('{glob}')").fetchone()
    return {"rows": int(n), "sum_qty": float(s)}
""",
    "anchor_pyarrow_file": """
import pyarrow.parquet as pq
def run(data, work):
    t = pq.read_table(sorted(data.glob('*.parquet'))[0])
    return {"rows": t.num_rows}
""",
    "validate": """
from workbench.io.scan import scan_orders
def run(data, work):
    scan = scan_orders(data, memory_limit='3GB', temp_directory=work / 'spill')
    v = scan.validate(batch_rows=1_000_000, quarantine=work / 'quarantine.parquet',
                      clean=work / 'clean', overwrite=True)
    return {"rows_in": v.rows_in, "rows_valid": v.rows_valid,
            "rows_quarantined": v.rows_quarantined, "by_reason": v.by_reason,
            "batches": v.batches}
""",
    "kpis": """
from workbench.io.scan import scan_orders
from workbench.kpis import kpi_table_from_parquet
def run(data, work):
    scan = scan_orders(work / 'clean', memory_limit='3GB', temp_directory=work / 'spill')
    t = kpi_table_from_parquet(scan, 'customer_id', period='M', engine='duckdb')
    return {"rows": len(t), "groups": int(len(t) // t['kpi'].nunique())}
""",
    "pab": """
from workbench.io.scan import scan_orders
from workbench.planning.pab_scan import pab_from_scan
def run(data, work):
    scan = scan_orders(work / 'clean', memory_limit='3GB', temp_directory=work / 'spill')
    res = pab_from_scan(scan, as_of='""" + AS_OF + """', horizon=26, freq='W')
    s = res.summary
    return {"items": int(len(s)), "items_short": int(s['first_shortage_period'].notna().sum())}
""",
}


def child(name: str, data: Path, work: Path) -> dict:
    """Run one step in this (fresh) process: its result, call time, peak RSS."""
    scope: dict = {}
    t0 = time.perf_counter()
    exec(_CHILD_CODE[name], scope)  # imports here, outside the timed call
    t1 = time.perf_counter()
    result = scope["run"](data, work)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"name": name, "seconds": t2 - t1, "import_seconds": t1 - t0, "max_rss_mb": rss,
            "result": result}


def run_child(name: str, data: Path, work: Path) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--out", str(data),
           "--work", str(work)]
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    # children's maxrss: also counts anything DuckDB or pyarrow allocated natively
    return {**rec, "process_seconds": wall, "load_1min": load}


def machine() -> dict:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 ** 2:.0f} GB"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem,
            "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "pyarrow": pa.__version__, "duckdb": duckdb.__version__,
            "platform": platform.platform()}


STEPS = ("anchor_duckdb", "anchor_pyarrow_file", "validate", "kpis", "pab")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--out", type=Path, default=HERE / "data" / "scale")
    ap.add_argument("--work", type=Path, default=None, help="outputs (default <out>-work)")
    ap.add_argument("--child", choices=STEPS)
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--json", type=Path, default=None, help="write the records here")
    args = ap.parse_args(argv)
    work = args.work or args.out.with_name(args.out.name + "-work")
    if args.child:
        print(json.dumps(child(args.child, args.out, work)))
        return 0
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    facts = ensure_data(args.out, args.lines, args.files)
    print(json.dumps({"data": facts, "seconds": time.perf_counter() - t0}), flush=True)
    records = []
    for name in args.steps.split(","):
        rec = run_child(name, args.out, work)
        records.append(rec)
        print(json.dumps(rec), flush=True)
    out = {"machine": machine(), "data": facts, "load_after": os.getloadavg(),
           "steps": records, "command": " ".join([Path(sys.executable).name, *sys.argv])}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    print(json.dumps(out["machine"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
