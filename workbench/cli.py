"""Command line: ``workbench demo | report | load | samples | docs``.

``workbench demo`` is the main job on the bundled sample data: the report batch
of ``reports.yaml`` (papermill into ``reports/<run-id>/``, rendered to HTML,
with an ``index.html``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from workbench.exceptions import WorkbenchError
from workbench.paths import project_path

__all__ = [
    "build_parser",
    "main",
]


def _cmd_demo(args: argparse.Namespace) -> int:
    """Run the main job on the sample data: the report batch of reports.yaml."""
    ns = argparse.Namespace(config=str(project_path("reports.yaml")), only=None,
                            dry_run=False, parallel=None, timeout=None,
                            no_progress=args.no_progress)
    return _cmd_report(ns)


def _cmd_report(args: argparse.Namespace) -> int:
    from workbench.reporting.batch import dry_run, load_config, run_batch

    cfg = load_config(args.config, only=args.only)
    if args.dry_run:
        print(dry_run(cfg))
        print("config and notebook parameters are valid; nothing was run (--dry-run)")
        return 0
    if args.parallel:
        cfg.parallel = args.parallel
    t0 = time.perf_counter()
    result = run_batch(cfg, progress=not args.no_progress, timeout=args.timeout)
    failed = [o for o in result.outcomes if o.status != "ok"]
    print(f"{len(result.outcomes) - len(failed)} ok, {len(failed)} failed in "
          f"{time.perf_counter() - t0:.1f} s")
    for o in failed:
        print(f"  FAILED {o.name}: {(o.error or '').splitlines()[0]}", file=sys.stderr)
    print(f"index: {result.index}")
    if not result.latest:
        print(f"every report failed: {cfg.output / 'latest'} still points to the previous run")
    return 0 if result.ok else 1


def _cmd_load(args: argparse.Namespace) -> int:
    from workbench.io.load import load_table
    from workbench.reporting.reports import csv_safe

    res = load_table(args.source, args.table, args.mapping, sql_table=args.sql_table,
                     query=args.query, sheet=args.sheet, encoding=args.encoding,
                     delimiter=args.delimiter)
    print(res.summary)
    if res.summary.date_formats:
        for col, fmt in res.summary.date_formats.items():
            print(f"  date format {col}: {fmt}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        csv_safe(res.data).to_csv(out / f"{args.table}.csv", index=False)
        csv_safe(res.quarantine).to_csv(out / "quarantine.csv", index=False)
        csv_safe(res.issues).to_csv(out / "issues.csv", index=False)
        print(f"wrote {args.table}.csv, quarantine.csv, issues.csv to {out}")
    return 0


def _cmd_samples(args: argparse.Namespace) -> int:
    from workbench.io.samples import generate_samples, write_samples

    t0 = time.perf_counter()
    data = generate_samples(args.lines, seed=args.seed)
    paths = write_samples(data, args.out, fmt=args.format)
    for table, path in paths.items():
        print(f"{table:>14}: {path}")
    print(f"generated {len(data.order_lines):,} order lines in {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from workbench.io.schema import data_model_markdown
    from workbench.kpis.docs import write_kpi_docs

    path = project_path("docs", "data-model.md")
    path.parent.mkdir(exist_ok=True)
    path.write_text(data_model_markdown(), encoding="utf-8")
    print(f"wrote {path}")
    print(f"wrote {write_kpi_docs(project_path('docs', 'kpis.md'))}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``workbench`` command and its subcommands."""
    p = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="run the report batch on the bundled sample data")
    d.add_argument("--no-progress", action="store_true", help="no progress bar")
    d.set_defaults(func=_cmd_demo)

    r = sub.add_parser("report", help="run a batch of notebooks into rendered HTML reports")
    r.add_argument("--config", default="reports.yaml", help="report config (YAML)")
    r.add_argument("--parallel", type=int, help="worker processes (overrides the config)")
    r.add_argument("--only", action="append", help="run only this report name (repeatable)")
    r.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop and fail a report running longer than this (overrides the "
                        "config's timeout; default 1800)")
    r.add_argument("--dry-run", action="store_true",
                   help="validate the config and notebook parameters; run nothing")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_report)

    ld = sub.add_parser("load", help="load a source and print its data-quality summary")
    ld.add_argument("source", help="file path or SQLAlchemy URL")
    ld.add_argument("--table", default="order_lines", help="data-model table")
    ld.add_argument("--mapping", help="mapping YAML path or name under data/mappings/")
    ld.add_argument("--sql-table", help="table name for SQL sources")
    ld.add_argument("--query", help="SQL query for SQL sources")
    ld.add_argument("--sheet", default=0, help="Excel sheet name or index")
    ld.add_argument("--encoding", help="override encoding detection")
    ld.add_argument("--delimiter", help="override delimiter sniffing")
    ld.add_argument("--out", help="folder for loaded rows, quarantine and issues as CSV")
    ld.set_defaults(func=_cmd_load)

    s = sub.add_parser("samples", help="generate the synthetic sample dataset")
    s.add_argument("--out", default=str(project_path("data", "samples")))
    s.add_argument("--lines", type=int, default=50_000, help="number of order lines")
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--format", choices=("csv", "parquet"), default="csv")
    s.set_defaults(func=_cmd_samples)

    doc = sub.add_parser("docs", help="regenerate docs/data-model.md and docs/kpis.md from the schema and the KPI definitions")
    doc.set_defaults(func=_cmd_docs)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console command."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # workers were already stopped; nothing half-done is 'latest'
        print("interrupted: stopped all workers; the previous reports are untouched",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
