"""Command line: ``workbench init | check | report | demo | load | samples | docs``.

Your own data, from an export to the reports::

    workbench init exports/              # writes dataset.yaml: tables, mappings, settings
    workbench check dataset.yaml         # rows in = loaded + quarantined, issues, analyses
    workbench report --data dataset.yaml # every report of reports.yaml on that data

``workbench demo`` is the main job on the bundled sample data: the report batch
of ``reports.yaml`` (papermill into ``reports/<dataset>/<run-id>/``, rendered
to HTML, with an ``index.html``).
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
                            no_progress=args.no_progress, data="samples")
    return _cmd_report(ns)


def _data_arg(text: str) -> str:
    """Return a dataset named on the command line as the notebooks will find it.

    A path that exists from the current folder is made absolute; anything else
    (a URL, a path below ``data/``) is passed on as it is.
    """
    from workbench.io.readers import is_url

    if is_url(text):
        return text
    p = Path(text).expanduser()
    return str(p.resolve()) if p.exists() else text


def _scheduler_client(address: str | None, workers: int) -> object | None:
    """Return a Dask client for ``--scheduler`` (``local``: a LocalCluster of ``workers``), or None."""
    if not address:
        return None
    from workbench.distributed.executor import dask_available, local_client

    if address == "local":
        return local_client(workers)
    if not dask_available():
        from workbench.exceptions import ConfigError

        raise ConfigError("--scheduler needs Dask, which is not installed", key="--scheduler",
                          value=address, fix='pip install ".[dask]", or leave --scheduler out.')
    from dask.distributed import Client

    return Client(address)


def _cmd_report(args: argparse.Namespace) -> int:
    from workbench.reporting.batch import dry_run, load_config, run_batch

    data = _data_arg(args.data) if getattr(args, "data", None) else None
    cfg = load_config(args.config, only=args.only, data=data)
    if args.dry_run:
        print(dry_run(cfg))
        print("config and notebook parameters are valid; nothing was run (--dry-run)")
        return 0
    if args.parallel:
        cfg.parallel = args.parallel
    t0 = time.perf_counter()
    client = _scheduler_client(getattr(args, "scheduler", None), cfg.parallel)
    try:
        result = run_batch(cfg, progress=not args.no_progress, timeout=args.timeout,
                           executor=client)
    finally:
        if client is not None:
            client.close()
    failed = [o for o in result.outcomes if o.status != "ok"]
    print(f"{len(result.outcomes) - len(failed)} ok, {len(failed)} failed in "
          f"{time.perf_counter() - t0:.1f} s")
    for o in failed:
        print(f"  FAILED {o.name}: {(o.error or '').splitlines()[0]}", file=sys.stderr)
    print(f"index: {result.index}")
    if not result.latest:
        print(f"every report failed: {cfg.output / 'latest'} still points to the previous run")
    return 0 if result.ok else 1


def _cmd_init(args: argparse.Namespace) -> int:
    from workbench.io.init import describe_plan, init_dataset

    res = init_dataset(args.path, args.out, force=args.force)
    print(describe_plan(res.plan))
    print(f"wrote {res.path}" + (f" with {res.todo} TODO line(s) to fill in" if res.todo
                                 else ""))
    print(f"next: check the guesses in {res.path}, then run: workbench check {res.path}")
    return 0


def _load_each(data: str, cfg) -> tuple[object, dict[str, Exception]]:
    """Load the dataset; when that fails, find which tables fail and load the others."""
    from workbench.io.config import open_dataset
    from workbench.io.dataset import Dataset

    try:
        return open_dataset(data), {}
    except WorkbenchError as exc:
        failed: dict[str, Exception] = {}
        for name in cfg.tables:
            try:
                open_dataset(data, tables=(name,))
            except WorkbenchError as table_exc:
                failed[name] = table_exc
        if not failed:
            raise exc from None
        ok = tuple(n for n in cfg.tables if n not in failed)
        if ok:
            return open_dataset(data, tables=ok), failed
        folder = cfg.path.parent if cfg.path else Path(str(data))
        return Dataset(folder, name=cfg.name, settings=cfg.settings), failed


def _mapping_label(mapping: object) -> str:
    if isinstance(mapping, str):
        return f"mapping {Path(mapping).stem}"
    return "inline mapping" if mapping else "headers matched automatically"


def _table_lines(name: str, cfg, ds, failed: dict[str, Exception]) -> list[str]:
    ts = cfg.tables.get(name)
    if ts is None:
        return [f"  {name:<14} not in the dataset"]
    files = ", ".join(Path(s).name for s in ts.sources[:3]) + (" ..." if len(ts.sources) > 3
                                                              else "")
    if name in failed:
        return [f"  {name:<14} NOT LOADED ({files}): {failed[name]}"]
    res = ds.results[name]
    s = res.summary
    out = [f"  {name:<14} {s.rows_in:,} rows in = {s.rows_loaded:,} loaded + "
           f"{s.rows_quarantined:,} quarantined ({files}; {_mapping_label(ts.mapping)})"]
    if s.quarantine_by_reason:
        out.append("      quarantined: " + ", ".join(f"{r} {n:,}" for r, n in
                                                     s.quarantine_by_reason.items()))
    if s.issues_by_reason:
        out.append(f"      issues in loaded rows: {len(res.issues):,} ("
                   + ", ".join(f"{r} {n:,}" for r, n in s.issues_by_reason.items()) + ")")
    return out


def _main_issues(ds, top: int = 8) -> list[str]:
    import pandas as pd

    from workbench.io.load import digest

    parts = []
    for name, res in ds.results.items():
        for kind, frame in (("quarantined", res.quarantine), ("issues", res.issues)):
            d = digest(frame, top=len(frame))
            if len(d):
                g = d.groupby(["reason", "column"], sort=False)
                parts.append(pd.DataFrame({
                    "rows": g["rows"].sum(),
                    "values": g["value"].agg(lambda s: ", ".join(repr(v) for v in s.head(3))
                                             + (", ..." if len(s) > 3 else "")),
                    "example": g["first_rows"].first().str.split(", ").str[0],
                }).reset_index().assign(table=name, kind=kind))
    if not parts:
        return ["  none: every row loaded, every value usable"]
    d = pd.concat(parts).sort_values("rows", ascending=False, kind="stable")
    out = [f"  {r.table}.{r.column}: {r.rows:,} row(s) {r.kind}: {r.reason} "
           f"(values {r.values}; e.g. {r.example})" for r in d.head(top).itertuples()]
    if len(d) > top:
        out.append(f"  ... and {len(d) - top} more kinds of problem")
    return out


def _settings_lines(ds) -> list[str]:
    s = ds.settings
    sender = ", ".join(v for v in (s.sender.name, s.sender.email, s.sender.phone) if v)
    return [
        f"  currency: {s.currency or 'not set (amounts shown without a currency)'}",
        f"  as of: {s.as_of.date() if s.as_of is not None else 'not set (the latest date in the data)'}",
        f"  period: {s.period}; language: {s.language}",
        f"  sender of notices: {sender or 'not set (notices unsigned)'}",
        f"  service targets: {ds.targets.resolve() if ds.targets else 'generic defaults'}",
        f"  expedite options: "
        f"{ds.expedite_options.resolve() if ds.expedite_options else 'none offered in notices'}",
    ]


def _availability_lines(ds) -> list[str]:
    from workbench.reporting.availability import CATALOGUE, analyses

    if "order_lines" not in ds.results:
        return ["  none: every analysis needs the order lines"]
    checks = analyses(ds)
    out = []
    notebooks = list(dict.fromkeys(nb for a in CATALOGUE.values() for nb in a.notebooks))
    for nb in notebooks:
        mine = [a for a in checks if nb in CATALOGUE[a.name].notebooks]
        missing = [a.title for a in mine if not a.available]
        out.append(f"  {nb:<22} {len(mine) - len(missing)} of {len(mine)} sections"
                   + (f"; without: {', '.join(missing)}" if missing else ""))
    lacking = [a for a in checks if not a.available]
    if lacking:
        out.append("  What the missing sections need, and how to provide it:")
    out += [f"    {a.title}: needs {', '.join(a.missing)}; {a.how}" for a in lacking]
    return out


def _cmd_check(args: argparse.Namespace) -> int:
    from workbench.exceptions import ConfigError, MappingError
    from workbench.io.config import dataset_config
    from workbench.io.dataset import TABLE_ORDER

    data = _data_arg(args.data)
    cfg = dataset_config(data)  # a description that is not valid: exit 2 (main)
    ds, failed = _load_each(data, cfg)
    where = cfg.path or data
    lines = [f"Dataset: {cfg.name} ({where})", "Tables:"]
    for name in TABLE_ORDER:
        lines += _table_lines(name, cfg, ds, failed)
    lines += ["Main issues (most rows first; workbench load FILE --out DIR lists them all):",
              *_main_issues(ds), "Settings:", *_settings_lines(ds),
              "Reports on this data (a section without its data says so in one line):",
              *_availability_lines(ds)]
    orders = ds.results.get("order_lines")
    loaded = orders is not None and orders.summary.rows_loaded > 0
    config_errors = [n for n, e in failed.items() if isinstance(e, (ConfigError, MappingError))]
    if config_errors:
        lines.append(f"error: fix the description of {', '.join(config_errors)} (above)")
        code = 2
    elif loaded:
        lines.append(f"ok: {orders.summary.rows_loaded:,} order lines loaded; next: "
                     f"workbench report --data {args.data}")
        code = 0
    else:
        lines.append("no order lines loaded: every report needs them (see above)")
        code = 1
    print("\n".join(lines))
    return code


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

    i = sub.add_parser("init", help="write a first dataset description (YAML) for a folder of "
                                    "exports: tables, mappings and settings guessed")
    i.add_argument("path", help="folder of exports (CSV, TXT, TSV, XLSX, Parquet) or one file")
    i.add_argument("--out", default="dataset.yaml",
                   help="the description to write (default: dataset.yaml here)")
    i.add_argument("--force", action="store_true", help="replace --out when it exists")
    i.set_defaults(func=_cmd_init)

    c = sub.add_parser("check", help="load a dataset and say what loaded, what did not, and "
                                     "which analyses the data supports")
    c.add_argument("data", help="dataset YAML, folder of tables or one order-lines file")
    c.set_defaults(func=_cmd_check)

    r = sub.add_parser("report", help="run a batch of notebooks into rendered HTML reports")
    r.add_argument("--config", default="reports.yaml", help="report config (YAML)")
    r.add_argument("--data", help="run every report on this dataset (YAML, folder or file; "
                                  "overrides the config's data)")
    r.add_argument("--parallel", type=int, help="worker processes (overrides the config)")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the fan-out reports (fanout: true) on this Dask scheduler "
                        "(tcp://host:8786, or local for a LocalCluster of --parallel workers); "
                        "its workers must see the output folder")
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
