"""Benchmark the report fan-out (issue 14): N customer reviews from one computation, no kernel per report.

Usage (from the project root)::

    .venv/bin/python benchmarks/bench_fanout.py                   # 200 reviews, 2 workers, anchor of 4
    .venv/bin/python benchmarks/bench_fanout.py --customers 50 --anchor 2

Measured in one run on the sample dataset (200 customers, largest first):

(a) Fan-out: ``workbench.reporting.fanout.fan_out`` renders ``notebooks/customer_review.ipynb``
    for ``--customers`` customers with ``--workers`` local worker processes (each runs the
    cells in its own IPython shell, no kernel; the notebook's shared cells once per worker),
    writing each page's HTML and executed notebook, as the batch does. Target: 200 reviews in <= 60 s.
(b) Anchor: the batch's kernel-per-report path (papermill ``execute_notebook`` then
    ``render_html``, one kernel per report) for ``--anchor`` customers, the same number of
    worker processes, extrapolated linearly to ``--customers`` reviews.

Results go to stdout (Markdown) for docs/benchmarks-fanout.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

NOTEBOOK = "notebooks/customer_review.ipynb"


def customers(n: int) -> list[str]:
    """The ``n`` largest customers of the sample data (the notebook's own ranking)."""
    import workbench as wb
    from workbench import customers as cu
    from workbench.reporting import availability as av

    ds = wb.open_dataset("samples")
    ct = cu.customer_tiers(ds.orders, ds.customers, ds.targets, measure=av.value_measure(ds))
    return [str(c) for c in ct.abc["customer_id"].iloc[:n]]


def one_report(customer: str, folder: str) -> float:
    """The kernel-per-report path for one customer (what a batch worker does)."""
    from workbench.reporting.reports import execute_notebook, render_html

    t0 = time.perf_counter()
    out = Path(folder)
    executed = execute_notebook(NOTEBOOK, out / f"{customer}.ipynb", {"customer_id": customer})
    render_html(executed, out / f"{customer}.html", title=f"Business review {customer}")
    return time.perf_counter() - t0


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children (workers and their kernels)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--anchor", type=int, default=4, help="reviews on the kernel-per-report path")
    args = parser.parse_args()

    from workbench.reporting.fanout import Page, fan_out

    ids = customers(args.customers)
    pages = [Page(f"customer_review_{c}", {"customer_id": c}, f"Business review {c}") for c in ids]
    with tempfile.TemporaryDirectory() as tmp:
        cpu0 = _children_cpu()
        t0 = time.perf_counter()
        results = fan_out(NOTEBOOK, "customer_id", pages, Path(tmp) / "fanout",
                          workers=args.workers)
        fan_wall = time.perf_counter() - t0
        fan_cpu = _children_cpu() - cpu0
        ok = sum(r.status == "ok" for r in results)
        compute = sorted(r.compute_seconds for r in results)
        render = sorted(r.render_seconds for r in results)
        size = sum((Path(tmp) / "fanout" / r.html).stat().st_size for r in results if r.html)

        anchor_dir = Path(tmp) / "anchor"
        anchor_dir.mkdir()
        cpu1 = _children_cpu()
        t1 = time.perf_counter()
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
            each = list(pool.map(one_report, ids[:args.anchor], [str(anchor_dir)] * args.anchor))
        anchor_wall = time.perf_counter() - t1
        anchor_cpu = _children_cpu() - cpu1

    per_fan = fan_wall / len(ids)
    per_anchor = anchor_wall / args.anchor
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average before the run {os.getloadavg()[0]:.1f}")
    print(f"Command: .venv/bin/python benchmarks/bench_fanout.py --customers {args.customers} "
          f"--workers {args.workers} --anchor {args.anchor}\n")
    print("| path | reviews | workers | wall s | s per review | CPU s per review | "
          f"extrapolated to {len(ids)} reviews, wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| fan-out (cells run in each worker process) | {len(ids)} ({ok} ok) | {args.workers} | "
          f"{fan_wall:.1f} | {per_fan:.2f} | {fan_cpu / len(ids):.2f} | {fan_wall:.1f} |")
    print(f"| kernel per report (anchor) | {args.anchor} | {args.workers} | {anchor_wall:.1f} | "
          f"{per_anchor:.2f} | {anchor_cpu / args.anchor:.2f} | {per_anchor * len(ids):.0f} |")
    print(f"\nSpeed-up: {per_anchor / per_fan:.1f}x. Fan-out per page (median, max): compute "
          f"{compute[len(compute) // 2]:.2f} / {compute[-1]:.1f} s (the max is each worker's first "
          f"page: imports, dataset and shared cells), render "
          f"{render[len(render) // 2]:.2f} / {render[-1]:.1f} s; {size / 1e6:.0f} MB of HTML. "
          f"Anchor per report: {', '.join(f'{s:.1f}' for s in each)} s.")


if __name__ == "__main__":
    main()
