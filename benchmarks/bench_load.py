"""Benchmark: loading order histories (CSV, Parquet and SQL) into the data model.

Generates a synthetic order history with ``workbench.io.samples`` (git-ignored, under
``benchmarks/data/``), then, per format, loads it with ``workbench.load_orders`` and
reads it with the anchor (``pandas.read_csv(path, engine="pyarrow")`` /
``pandas.read_parquet`` / ``pandas.read_sql("SELECT * FROM order_lines")`` on the same
lines in an SQLite file, all text as exported), each in a fresh process, interleaved (anchor, workbench,
anchor, ...) so that other jobs on the machine weigh on both alike. Reports the
median wall time of ``--repeat`` runs, the median CPU time of the call (all threads;
steadier than wall time when other jobs share the cores), the kernel's part of that CPU time and
the page faults (first touches of memory, which cost very different amounts on this virtual
machine from one period to the next), the peak memory (max RSS of the process)
and the workbench / anchor ratios, with the load average. Each workbench run
also checks the row accounting (rows in = loaded + quarantined).

Usage::

    python benchmarks/bench_load.py --lines 1000000 --repeat 3
    python benchmarks/bench_load.py --lines 10000000 --repeat 1 --formats csv,parquet
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time
import workbench as wb
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0, c0 = time.perf_counter(), time.process_time()
path = sys.argv[1]
res = (wb.load_orders(path, sql_table="order_lines") if path.endswith(".db")
       else wb.load_orders(path))
dt, cpu = time.perf_counter() - t0, time.process_time() - c0
r1 = resource.getrusage(resource.RUSAGE_SELF)
s = res.summary
print(json.dumps({"seconds": dt, "rows_in": s.rows_in, "loaded": s.rows_loaded,
                  "quarantined": s.rows_quarantined, "balanced": s.balanced,
                  "cpu_s": cpu, "sys_s": r1.ru_stime - r0.ru_stime,
                  "faults": r1.ru_minflt - r0.ru_minflt, "max_rss_mb": r1.ru_maxrss / 1024}))
"""


_ANCHOR = r"""
import json, resource, sys, time
import pandas as pd
path = sys.argv[1]
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0, c0 = time.perf_counter(), time.process_time()
if path.endswith(".db"):  # a plain query through SQLAlchemy, as pandas users read a table
    import sqlalchemy
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.connect() as con:
        df = pd.read_sql("SELECT * FROM order_lines", con)
else:
    df = (pd.read_parquet(path) if path.endswith(".parquet")
          else pd.read_csv(path, engine="pyarrow"))
dt, cpu = time.perf_counter() - t0, time.process_time() - c0
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": dt, "rows_in": len(df),
                  "cpu_s": cpu, "sys_s": r1.ru_stime - r0.ru_stime,
                  "faults": r1.ru_minflt - r0.ru_minflt, "max_rss_mb": r1.ru_maxrss / 1024}))
"""


def generate(lines: int, out: Path, formats: tuple[str, ...] = ("csv", "parquet", "sql")
             ) -> dict[str, Path]:
    from workbench.io.samples import generate_samples

    out.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = out / "order_lines.csv", out / "order_lines.parquet"
    db_path = out / "order_lines.db"
    if not (csv_path.exists() and pq_path.exists()):
        data = generate_samples(lines, seed=7)
        frame = data.order_lines
        frame.to_csv(csv_path, index=False)
        frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object}).to_parquet(
            pq_path, index=False)
    if "sql" in formats and not db_path.exists():  # the same lines as an SQLite table
        import sqlalchemy

        tmp = db_path.with_suffix(".db.part")
        tmp.unlink(missing_ok=True)
        engine = sqlalchemy.create_engine(f"sqlite:///{tmp}")
        for chunk in pd.read_csv(csv_path, dtype=str, keep_default_na=False, chunksize=200_000):
            chunk.to_sql("order_lines", engine, if_exists="append", index=False)
        engine.dispose()
        tmp.rename(db_path)
    return {"csv": csv_path, "parquet": pq_path, "sql": db_path}


def run(path: Path, code: str = _CHILD) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(path: Path, repeat: int) -> dict:
    """Anchor and workbench runs interleaved; medians of time (and the fastest), max of peak RSS."""
    anchor, wb = [], []
    for _ in range(repeat):
        anchor.append(run(path, _ANCHOR))
        r = run(path)
        assert r["balanced"], r
        wb.append(r)
    med = lambda rs: float(np.median([r["seconds"] for r in rs]))  # noqa: E731
    rss = lambda rs: max(r["max_rss_mb"] for r in rs)  # noqa: E731
    cpu = lambda rs: float(np.median([r["cpu_s"] for r in rs]))  # noqa: E731
    ker = lambda rs: float(np.median([r["sys_s"] for r in rs]))  # noqa: E731
    flt = lambda rs: int(np.median([r["faults"] for r in rs]))  # noqa: E731
    return {"anchor_cpu": cpu(anchor), "wb_cpu": cpu(wb), "anchor_sys": ker(anchor),
            "wb_sys": ker(wb), "anchor_faults": flt(anchor), "wb_faults": flt(wb),
            "rows_in": wb[0]["rows_in"], "quarantined": wb[0]["quarantined"],
            "anchor_s": med(anchor), "wb_s": med(wb),
            "anchor_best": min(r["seconds"] for r in anchor),
            "wb_best": min(r["seconds"] for r in wb), "anchor_rss": rss(anchor),
            "wb_rss": rss(wb), "wb_runs": [round(r["seconds"], 2) for r in wb],
            "anchor_runs": [round(r["seconds"], 2) for r in anchor]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(HERE / "data" / "load"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="csv,parquet,sql")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = generate(args.lines, Path(args.out) / str(args.lines), tuple(args.formats.split(",")))
    print(f"data ready in {time.perf_counter() - t0:.1f} s")
    rows = []
    for fmt in args.formats.split(","):
        load_before = os.getloadavg()[0]
        r = compare(paths[fmt], args.repeat)
        r.update(fmt=fmt, size=paths[fmt].stat().st_size / 1e6,
                 load=(load_before, os.getloadavg()[0]))
        rows.append(r)
        print(json.dumps(r))
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"pyarrow {pa.__version__}")
    print("\n| format | rows in | file MB | anchor s | load_orders s | time ratio | CPU s anchor / "
          "load_orders (ratio) | fastest s anchor / load_orders (ratio) | anchor peak MB | load_orders peak MB | memory ratio | "
          "quarantined | kernel s anchor / load_orders | page faults anchor / load_orders | "
          "load avg (start-end) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['fmt']} | {r['rows_in']:,} | {r['size']:,.0f} | {r['anchor_s']:.2f} | "
              f"{r['wb_s']:.2f} | {r['wb_s'] / r['anchor_s']:.1f}x | {r['anchor_cpu']:.1f} / "
              f"{r['wb_cpu']:.1f} ({r['wb_cpu'] / r['anchor_cpu']:.1f}x) | {r['anchor_best']:.2f} / "
              f"{r['wb_best']:.2f} ({r['wb_best'] / r['anchor_best']:.1f}x) | {r['anchor_rss']:,.0f} | "
              f"{r['wb_rss']:,.0f} | {r['wb_rss'] / r['anchor_rss']:.2f}x | "
              f"{r['quarantined']:,} | {r['anchor_sys']:.2f} / {r['wb_sys']:.2f} | "
              f"{r['anchor_faults']:,} / {r['wb_faults']:,} | "
              f"{r['load'][0]:.1f}-{r['load'][1]:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
