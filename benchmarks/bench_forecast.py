"""Benchmark: workbench forecasts vs statsforecast on the real SCMS demand panel (issue 16).

Panel (:func:`build_panel`)
---------------------------
From the SCMS delivery history (``../shared/data/real/scms_delivery_history_kaggle/
SCMS_Delivery_History_Dataset.csv``, read with pandas, ``encoding="utf-8-sig"``):

* item key: ``Item Description`` (184 values; the data has no SKU code);
* quantity: ``Line Item Quantity`` (packs), summed per item and month;
* date: ``Scheduled Delivery Date`` (``DD-Mon-YY``, present on every line; the
  promised date, the closest the data has to a requested date), bucketed to
  calendar months (``MS`` labels);
* months: from the first month with a line to :data:`LAST_MONTH` (2015-08, the
  last complete month: deliveries are recorded up to 14 Sept 2015; the 30 lines
  scheduled for Sept-Dec 2015 are dropped), zeros where nothing was scheduled;
* items kept: first demand at least ``--min-history`` (36) months before the
  first forecast origin and at least ``--min-demand-months`` (12) months with
  demand before the first origin. Items that stop selling later are kept.

Splits: the last ``--origins`` (3) rolling origins, ``--step`` (1) month apart,
each forecasting ``--horizon`` (3) months; the last origin forecasts the last
3 months of the panel. Every method fits only on the months before the origin.

Methods
-------
* workbench: ``workbench.inventory.forecasting.backtest(matrix, method=m,
  horizon=3, origins=3, step=1, levels=(0.8, 0.95))`` for each ``m`` of
  ``--methods`` (names not known to the installed workbench are reported and
  skipped); its forecasts and bounds are taken from ``BacktestResult.detail()``.
  Time: the wall time of the ``backtest`` call (all origins).
* statsforecast: run by ``benchmarks/forecast_sf_child.py`` in a throwaway venv
  (``benchmarks/.cache/sf-venv``, git-ignored; created with ``python -m venv``
  and ``pip install statsforecast`` on the first run) because statsforecast
  needs pandas < 3. Each series starts at the item's first demand (as the
  workbench does). Time: fit + predict of the panel per origin, summed; one
  untimed warm-up call per model first (numba compilation).

Metrics (:func:`metrics`, the same code for both sides) over all items x
origins x horizons: ``WAPE = sum|forecast - actual| / sum actual``; coverage =
share of actuals with ``lower <= actual <= upper`` (missing bounds count as not
covered). Forecasts are used as returned (no clipping).

Usage::

    .venv/bin/python benchmarks/bench_forecast.py --write-doc docs/benchmarks-forecast.md
    .venv/bin/python benchmarks/bench_forecast.py --methods auto,sba,tsb --no-statsforecast

``BENCH_WORKBENCH_SRC=DIR`` runs the workbench found in ``DIR`` instead of this
project's (e.g. an extracted older commit, to compare before and after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# BENCH_WORKBENCH_SRC=<dir holding workbench/> benchmarks another copy (e.g. `git archive` of a
# commit) without touching the work tree; default: this project.
SRC = Path(os.environ.get("BENCH_WORKBENCH_SRC", str(ROOT))).resolve()
sys.path.insert(0, str(SRC))

DATA = ROOT.parent / "shared" / "data" / "real" / "scms_delivery_history_kaggle" / \
    "SCMS_Delivery_History_Dataset.csv"
DATE_COLUMN = "Scheduled Delivery Date"
QTY_COLUMN = "Line Item Quantity"
ITEM_COLUMN = "Item Description"
DATE_FORMAT = "%d-%b-%y"
LAST_MONTH = "2015-08"
CACHE = HERE / ".cache"
VENV = CACHE / "sf-venv"
SF_MODELS = ("AutoETS", "AutoARIMA", "CrostonClassic", "CrostonOptimized", "CrostonSBA", "TSB",
             "IMAPA", "ADIDA", "SeasonalNaive", "Naive")
LEVELS = (80, 95)
TARGET_SPEEDUP = 30.0


# ============================================================================ panel
def build_panel(path: Path = DATA, *, min_history: int = 36, min_demand_months: int = 12,
                origins: int = 3, step: int = 1, horizon: int = 3,
                last_month: str = LAST_MONTH) -> tuple[pd.DataFrame, pd.DatetimeIndex, dict]:
    """Monthly demand per item description (wide: items x months) and the origins.

    Returns
    -------
    (wide, origin_starts, info)
        ``wide``: float frame, index item description (sorted), columns month
        starts, zeros filled; ``origin_starts``: first forecast month of each
        origin; ``info``: counts for the report.
    """
    raw = pd.read_csv(path, encoding="utf-8-sig", usecols=[ITEM_COLUMN, DATE_COLUMN, QTY_COLUMN])
    dates = pd.to_datetime(raw[DATE_COLUMN], format=DATE_FORMAT)
    month = dates.dt.to_period("M").dt.to_timestamp()
    end = pd.Timestamp(last_month + "-01")
    keep = month <= end
    lines = pd.DataFrame({"item": raw[ITEM_COLUMN], "month": month, "qty": raw[QTY_COLUMN]})
    kept = lines.loc[keep]
    months = pd.date_range(kept["month"].min(), end, freq="MS")
    wide = (kept.groupby(["item", "month"])["qty"].sum().unstack("month")
            .reindex(columns=months).fillna(0.0).astype(np.float64).sort_index())
    n_t = len(months)
    cuts = n_t - horizon - step * np.arange(origins - 1, -1, -1)
    first_origin = int(cuts[0])
    values = wide.to_numpy()
    hit = values > 0
    first = np.argmax(hit, axis=1)
    history = first_origin - first
    demand_months = hit[:, :first_origin].sum(axis=1)
    ok = (history >= min_history) & (demand_months >= min_demand_months)
    panel = wide.loc[ok]
    info = {
        "lines": len(raw), "lines_after_last_month": int((~keep).sum()),
        "items_in_file": int(raw[ITEM_COLUMN].nunique()), "items": int(ok.sum()),
        "months": n_t, "first_month": str(months[0].date()), "last_month": str(end.date()),
        "test_actual": float(values[ok][:, first_origin:].sum()),
        "zero_test_items": int((values[ok][:, first_origin:].sum(axis=1) == 0).sum()),
        "no_demand_last12_before_origin": int(
            (values[ok][:, first_origin - 12:first_origin].sum(axis=1) == 0).sum()),
        "panel_qty": float(panel.to_numpy().sum()),
    }
    return panel, months[cuts], info


def actuals_long(panel: pd.DataFrame, origins: pd.DatetimeIndex, horizon: int) -> pd.DataFrame:
    """``origin, item_id, ds, h, actual`` for every item x origin x step."""
    cols = panel.columns
    rows = []
    for o in origins:
        c = cols.get_loc(o)
        block = panel.iloc[:, c:c + horizon]
        for h in range(horizon):
            rows.append(pd.DataFrame({"origin": o, "item_id": panel.index.to_numpy(),
                                      "ds": cols[c + h], "h": h + 1,
                                      "actual": block.iloc[:, h].to_numpy()}))
    return pd.concat(rows, ignore_index=True)


# ========================================================================== metrics
def metrics(frame: pd.DataFrame) -> dict[str, float]:
    """WAPE and 80/95 % coverage of ``actual, forecast, lo80, hi80, lo95, hi95``."""
    a = frame["actual"].to_numpy(dtype=np.float64)
    f = frame["forecast"].to_numpy(dtype=np.float64)
    out = {"cells": len(frame), "wape": float(np.abs(f - a).sum() / a.sum()),
           "bias": float((f - a).sum() / a.sum())}
    for lv in LEVELS:
        lo = frame[f"lo{lv}"].to_numpy(dtype=np.float64)
        hi = frame[f"hi{lv}"].to_numpy(dtype=np.float64)
        inside = (lo <= a) & (a <= hi)   # NaN bounds compare False: not covered
        out[f"cov{lv}"] = float(inside.mean())
        out[f"missing{lv}"] = int(np.isnan(lo).sum())
    return out


# ======================================================================== workbench
def run_workbench(panel: pd.DataFrame, methods: list[str], origins: int, step: int,
                  horizon: int, truth: pd.DataFrame) -> tuple[dict, dict]:
    """Backtest each workbench method; return metrics rows and per-item choices."""
    from workbench.exceptions import WorkbenchError
    from workbench.inventory import forecasting as fc

    matrix = fc.DemandMatrix(pd.Index(panel.index.astype(str), dtype="str", name="item_id"),
                             pd.DatetimeIndex(panel.columns), panel.to_numpy(), "M")
    rows, chosen = {}, {}
    for m in methods:
        try:
            t0 = time.perf_counter()
            res = fc.backtest(matrix, method=m, horizon=horizon, origins=origins, step=step,
                              levels=(0.8, 0.95))
            secs = time.perf_counter() - t0
        except WorkbenchError as exc:
            print(f"workbench method {m!r} skipped: the installed workbench refuses it "
                  f"({type(exc).__name__}: {str(exc).splitlines()[0]})", file=sys.stderr)
            continue
        d = res.detail()
        d = d.rename(columns={"period_start": "ds", "lower": "lo80", "upper": "hi80",
                              "lower_95": "lo95", "upper_95": "hi95"})
        d["origin"] = pd.to_datetime(d["origin"])
        merged = truth.merge(d[["origin", "item_id", "ds", "forecast", "lo80", "hi80", "lo95",
                                "hi95", "actual"]].rename(columns={"actual": "actual_wb"}),
                             on=["origin", "item_id", "ds"], how="left", validate="1:1")
        if merged["forecast"].isna().any() or not np.allclose(merged["actual"],
                                                             merged["actual_wb"]):
            raise SystemExit(f"workbench {m}: splits or actuals differ from the panel's")
        rows[f"workbench {m}"] = {**metrics(merged), "seconds": secs}
        chosen[m] = d.groupby("method")["item_id"].nunique().to_dict()
        print(f"  workbench {m}: WAPE {rows[f'workbench {m}']['wape']:.3f}, {secs:.3f} s",
              file=sys.stderr, flush=True)
    return rows, chosen


# ==================================================================== statsforecast
def ensure_venv(python: str) -> Path:
    """Create ``benchmarks/.cache/sf-venv`` with statsforecast once; return its Python."""
    py = VENV / "bin" / "python"
    check = [str(py), "-c", "import statsforecast, pandas; assert pandas.__version__ < '3'"]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return py
    print(f"creating {VENV} (python -m venv + pip install statsforecast) ...", file=sys.stderr)
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "statsforecast"], check=True)
    subprocess.run(check, check=True)
    return py


def run_statsforecast(panel: pd.DataFrame, origins: pd.DatetimeIndex, horizon: int,
                      truth: pd.DataFrame, models: list[str], best_by_cv: bool,
                      python: str, cv_models: list[str]) -> tuple[dict, dict, pd.DataFrame | None]:
    """Write the panel, run the child in the venv, score its forecasts."""
    py = ensure_venv(python)
    work = CACHE / "sf-run"
    work.mkdir(parents=True, exist_ok=True)
    values = panel.to_numpy()
    first = np.argmax(values > 0, axis=1)
    cols = panel.columns
    long = pd.concat([pd.DataFrame({"unique_id": item, "ds": cols[f:], "y": values[i, f:]})
                      for i, (item, f) in enumerate(zip(panel.index, first, strict=True))],
                     ignore_index=True)
    long.to_csv(work / "panel.csv", index=False)
    spec = {"origins": [str(o.date()) for o in origins], "horizon": horizon, "season": 12,
            "levels": list(LEVELS), "models": models, "best_by_cv": best_by_cv,
            "cv_models": cv_models}
    (work / "spec.json").write_text(json.dumps(spec))
    subprocess.run([str(py), str(HERE / "forecast_sf_child.py"), str(work)], check=True)
    result = json.loads((work / "sf_result.json").read_text())
    fc = pd.read_csv(work / "sf_forecasts.csv", parse_dates=["origin", "ds"])
    fc["unique_id"] = fc["unique_id"].astype(str)
    rows = {}
    for name, g in fc.groupby("model", sort=False):
        merged = truth.merge(g.rename(columns={"unique_id": "item_id", "mean": "forecast"}),
                             on=["origin", "item_id", "ds"], how="left", validate="1:1")
        if merged["forecast"].isna().any():
            raise SystemExit(f"statsforecast {name}: {merged['forecast'].isna().sum()} "
                             f"forecasts missing")
        rows[f"statsforecast {name}"] = {**metrics(merged),
                                         "seconds": result["seconds"][name]}
    picks = None
    if (work / "sf_bestbycv_picks.csv").exists() and best_by_cv:
        picks = pd.read_csv(work / "sf_bestbycv_picks.csv")
    return rows, result["versions"], picks


# =========================================================================== report
def machine() -> dict:
    """Machine description for the report."""
    ram = "?"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import numpy
    import pandas
    return {"nproc": os.cpu_count(), "ram": ram, "python": platform.python_version(),
            "numpy": numpy.__version__, "pandas": pandas.__version__,
            "load": "/".join(f"{x:.2f}" for x in os.getloadavg()),
            "platform": platform.platform()}


def render(rows: dict, info: dict, origins: pd.DatetimeIndex, args, mach: dict,
           sf_versions: dict | None, chosen: dict, picks: pd.DataFrame | None) -> str:
    """Markdown block: panel, table, acceptance check, machine."""
    base = rows.get("statsforecast AutoETS", {}).get("seconds")
    test_months = args.horizon + args.step * (len(origins) - 1)
    lines = [f"Panel: {info['items']} items (of {info['items_in_file']} item descriptions) x "
             f"{info['months']} months ({info['first_month']} .. {info['last_month']}), "
             f"origins {', '.join(str(o.date())[:7] for o in origins)} (first forecast month), "
             f"horizon {args.horizon}, step {args.step}: "
             f"{info['items'] * len(origins) * args.horizon} item-origin-months, "
             f"actual demand in the test months {info['test_actual']:,.0f} packs; "
             f"{info['zero_test_items']} items have no demand in the {test_months} test months "
             f"and "
             f"{info['no_demand_last12_before_origin']} had none in the 12 months before the "
             f"first origin.", "",
             "| method | WAPE | bias | coverage 80 | coverage 95 | seconds | speed vs AutoETS |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in sorted(rows.items(), key=lambda kv: kv[1]["wape"]):
        ratio = f"{base / r['seconds']:.3g}x" if base and r["seconds"] > 0 else "n/a"
        lines.append(f"| {name} | {r['wape']:.3f} | {r['bias']:+.3f} | {r['cov80']:.3f} | "
                     f"{r['cov95']:.3f} | {r['seconds']:.3f} | {ratio} |")
    lines.append("")
    for m, c in chosen.items():
        lines.append(f"workbench `{m}`: items per method used (any origin): "
                     + ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + ".")
    if picks is not None:
        cnt = picks.groupby("model")["unique_id"].size().sort_values(ascending=False)
        lines.append("statsforecast BestByCV picks (item x origin): "
                     + ", ".join(f"{k} {v}" for k, v in cnt.items()) + ".")
    lines += ["", check_goal(rows), "",
              f"Machine: nproc {mach['nproc']}, RAM {mach['ram']}, load at the end "
              f"{mach['load']}, Python {mach['python']}, workbench side numpy {mach['numpy']} "
              f"pandas {mach['pandas']}"
              + (f"; statsforecast {sf_versions['statsforecast']} with pandas "
                 f"{sf_versions['pandas']} numpy {sf_versions['numpy']} (n_jobs=1)"
                 if sf_versions else "")
              + f"; {mach['platform']}. Date: {dt.date.today().isoformat()}.",
              "", "Command: `" + " ".join([*([f"BENCH_WORKBENCH_SRC={SRC}"] if SRC != ROOT
                                             else []), ".venv/bin/python", "benchmarks/bench_forecast.py",
                                           *sys.argv[1:]]) + "`"]
    return "\n".join(lines) + "\n"


def check_goal(rows: dict) -> str:
    """Acceptance check of issue 16, must-have 2."""
    wb = rows.get("workbench auto")
    sf = {k: v for k, v in rows.items() if k.startswith("statsforecast")}
    ets = rows.get("statsforecast AutoETS")
    if not wb or not sf or not ets:
        return "Acceptance check: not evaluated (needs workbench auto, statsforecast, AutoETS)."
    best_name, best = min(sf.items(), key=lambda kv: kv[1]["wape"])
    speed = ets["seconds"] / wb["seconds"]
    checks = [
        (f"WAPE of workbench auto {wb['wape']:.3f} <= best statsforecast "
         f"({best_name.split(' ', 1)[1]}) {best['wape']:.3f}", wb["wape"] <= best["wape"]),
        (f"coverage 80 {wb['cov80']:.3f} >= 0.80", wb["cov80"] >= 0.80),
        (f"coverage 95 {wb['cov95']:.3f} >= 0.95", wb["cov95"] >= 0.95),
        (f"speed {speed:.0f}x AutoETS >= {TARGET_SPEEDUP:.0f}x", speed >= TARGET_SPEEDUP),
    ]
    return "Acceptance check (issue 16): " + "; ".join(
        f"{text}: **{'met' if ok else 'NOT met'}**" for text, ok in checks) + "."


def main(argv: list[str] | None = None) -> int:
    """Command line entry; exit status 1 when the acceptance goal is not met."""
    from workbench.inventory import forecasting as fc

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--methods", default=",".join(dict.fromkeys(("auto", *fc.METHODS, "tsb"))),
                    help="workbench methods, comma separated (unknown ones are reported)")
    ap.add_argument("--sf-models", default=",".join(SF_MODELS))
    ap.add_argument("--no-statsforecast", action="store_true")
    ap.add_argument("--no-best-by-cv", action="store_true")
    ap.add_argument("--cv-models", default=",".join(m for m in SF_MODELS if m != "AutoARIMA"),
                    help="candidates of statsforecast BestByCV (default: all but AutoARIMA, "
                         "whose inner cross-validation alone takes ~30 min on 2 cores)")
    ap.add_argument("--horizon", type=int, default=3)
    ap.add_argument("--origins", type=int, default=3)
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--min-history", type=int, default=36)
    ap.add_argument("--min-demand-months", type=int, default=12)
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter used to create the statsforecast venv")
    ap.add_argument("--write-doc", type=Path, help="replace the results block of this page")
    args = ap.parse_args(argv)

    panel, origins, info = build_panel(args.data, min_history=args.min_history,
                                       min_demand_months=args.min_demand_months,
                                       origins=args.origins, step=args.step,
                                       horizon=args.horizon)
    print(f"panel: {info}", file=sys.stderr)
    truth = actuals_long(panel, origins, args.horizon)
    truth["item_id"] = truth["item_id"].astype(str)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    rows, chosen = run_workbench(panel, methods, args.origins, args.step, args.horizon, truth)
    sf_versions, picks = None, None
    if not args.no_statsforecast:
        models = [m.strip() for m in args.sf_models.split(",") if m.strip()]
        sf_rows, sf_versions, picks = run_statsforecast(panel, origins, args.horizon, truth,
                                                        models, not args.no_best_by_cv,
                                                        args.python,
                                                        [m.strip() for m in
                                                         args.cv_models.split(",") if m.strip()])
        rows.update(sf_rows)
    text = render(rows, info, origins, args, machine(), sf_versions, chosen, picks)
    print(text)
    if args.write_doc:
        page = args.write_doc.read_text() if args.write_doc.exists() else ""
        start, stop = "<!-- results:start -->", "<!-- results:end -->"
        if start in page and stop in page:
            head, rest = page.split(start, 1)
            page = head + start + "\n" + text + stop + rest.split(stop, 1)[1]
        else:
            page = page + f"\n{start}\n{text}{stop}\n"
        args.write_doc.write_text(page)
    return 0 if "NOT met" not in check_goal(rows) and "not evaluated" not in check_goal(rows) \
        else 1


if __name__ == "__main__":
    sys.exit(main())
