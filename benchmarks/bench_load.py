"""Benchmark: loading order histories (CSV and Parquet) into the data model.

Generates a synthetic order history with ``workbench.io.samples`` (git-ignored, under
``benchmarks/data/``), then loads it with ``workbench.load_orders`` in a fresh
process per format and reports wall time, throughput and peak memory (max RSS
of that process). Each run also checks the row accounting (rows in = loaded +
quarantined).

Usage::

    python benchmarks/bench_load.py --lines 1000000
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time
import workbench as wb
t0 = time.perf_counter()
res = wb.load_orders(sys.argv[1])
dt = time.perf_counter() - t0
s = res.summary
print(json.dumps({"seconds": dt, "rows_in": s.rows_in, "loaded": s.rows_loaded,
                  "quarantined": s.rows_quarantined, "balanced": s.balanced,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def generate(lines: int, out: Path) -> dict[str, Path]:
    from workbench.io.samples import generate_samples

    out.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = out / "order_lines.csv", out / "order_lines.parquet"
    if not (csv_path.exists() and pq_path.exists()):
        data = generate_samples(lines, seed=7)
        frame = data.order_lines
        frame.to_csv(csv_path, index=False)
        frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object}).to_parquet(
            pq_path, index=False)
    return {"csv": csv_path, "parquet": pq_path}


def run(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(HERE / "data" / "load"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.lines, Path(args.out) / str(args.lines))
    print(f"data ready in {time.perf_counter() - t0:.1f} s")
    import numpy as np
    import pandas as pd

    rows = []
    for fmt, path in paths.items():
        r = run(path)
        assert r["balanced"], r
        size = path.stat().st_size / 1e6
        rows.append((fmt, r["rows_in"], size, r["seconds"], r["rows_in"] / r["seconds"],
                     r["max_rss_mb"], r["quarantined"]))
    print(f"\nmachine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python "
          f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}")
    print("\n| format | rows in | file MB | load s | rows/s | peak RSS MB | quarantined |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for fmt, n, size, sec, rate, rss, q in rows:
        print(f"| {fmt} | {n:,} | {size:,.0f} | {sec:.2f} | {rate:,.0f} | {rss:,.0f} | {q:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
