"""statsforecast side of ``bench_forecast.py``; runs in its own venv (pandas < 3).

Not part of the workbench and not importable from it: ``bench_forecast.py``
starts it with the venv's Python as::

    python forecast_sf_child.py WORKDIR

``WORKDIR/panel.csv`` holds the panel (``unique_id, ds, y``; each series from
its first demand, zeros filled), ``WORKDIR/spec.json`` the origins, horizon,
levels, season length and model names. For every model and origin the child
fits on the periods before the origin and forecasts ``h`` periods with
intervals; it writes ``WORKDIR/sf_forecasts.csv`` (``model, origin,
unique_id, ds, mean, lo80, hi80, lo95, hi95``) and ``WORKDIR/sf_result.json``
(seconds per model, summed over origins; versions). Metrics are computed by the
parent with the same code as for the workbench.

"Best by cross-validation" (``BestByCV``): at each origin, per item, the model
with the smallest mean absolute error in an inner rolling cross-validation on
the training periods only (``n_windows`` = 3, ``step_size`` = 1, same ``h``),
whose outer forecast and intervals are then used. Candidates: ``cv_models`` of
the spec (default all models). Its time is the inner cross-validation plus the
outer fits of all candidate models.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def build_models(names, season, h):
    """Instantiate the named statsforecast models (conformal intervals where not native)."""
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        AutoARIMA,
        AutoETS,
        CrostonClassic,
        CrostonOptimized,
        CrostonSBA,
        Naive,
        SeasonalNaive,
    )
    from statsforecast.utils import ConformalIntervals

    conformal = ConformalIntervals(h=h, n_windows=2)
    make = {
        "AutoETS": lambda: AutoETS(season_length=season),
        "AutoARIMA": lambda: AutoARIMA(season_length=season),
        "SeasonalNaive": lambda: SeasonalNaive(season_length=season),
        "Naive": lambda: Naive(),
        "CrostonClassic": lambda: CrostonClassic(prediction_intervals=conformal),
        "CrostonOptimized": lambda: CrostonOptimized(prediction_intervals=conformal),
        "CrostonSBA": lambda: CrostonSBA(prediction_intervals=conformal),
        "TSB": lambda: TSB(alpha_d=0.2, alpha_p=0.2, prediction_intervals=conformal),
        "IMAPA": lambda: IMAPA(prediction_intervals=conformal),
        "ADIDA": lambda: ADIDA(prediction_intervals=conformal),
    }
    return {n: make[n]() for n in names}


def main(workdir: Path) -> None:
    """Run every model at every origin and write forecasts and timings."""
    import statsforecast
    from statsforecast import StatsForecast

    spec = json.loads((workdir / "spec.json").read_text())
    panel = pd.read_csv(workdir / "panel.csv", parse_dates=["ds"])
    h, season, levels = spec["horizon"], spec["season"], spec["levels"]
    origins = pd.to_datetime(spec["origins"])
    names = spec["models"]
    freq = "MS"
    seconds = {}
    frames = []
    cv_frames = []

    # warm-up (numba compilation is cached by statsforecast; not timed)
    small = panel[panel["unique_id"].isin(panel["unique_id"].unique()[:2])]
    small = small[small["ds"] < origins[0]]
    for model in build_models(names, season, h).values():
        StatsForecast(models=[model], freq=freq, n_jobs=1).forecast(df=small, h=h, level=levels)

    for name in names:
        seconds[name] = 0.0
        for origin in origins:
            train = panel[panel["ds"] < origin]
            model = build_models([name], season, h)[name]
            t0 = time.perf_counter()
            fc = StatsForecast(models=[model], freq=freq, n_jobs=1).forecast(
                df=train, h=h, level=levels)
            seconds[name] += time.perf_counter() - t0
            fc = fc.reset_index() if "unique_id" not in fc.columns else fc
            col = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c
                   and "-hi-" not in c][0]
            out = pd.DataFrame({"model": name, "origin": origin, "unique_id": fc["unique_id"],
                                "ds": fc["ds"], "mean": fc[col]})
            for lv in levels:
                out[f"lo{lv}"] = fc.get(f"{col}-lo-{lv}", np.nan)
                out[f"hi{lv}"] = fc.get(f"{col}-hi-{lv}", np.nan)
            frames.append(out)
        print(f"  statsforecast {name}: {seconds[name]:.2f} s", file=sys.stderr, flush=True)

    cv_names = [n for n in spec.get("cv_models", names) if n in names]
    if spec.get("best_by_cv", True) and cv_names:
        seconds["BestByCV"] = sum(seconds[n] for n in cv_names)
        for origin in origins:
            train = panel[panel["ds"] < origin]
            models = list(build_models(cv_names, season, h).values())
            t0 = time.perf_counter()
            cv = StatsForecast(models=models, freq=freq, n_jobs=1).cross_validation(
                df=train, h=h, n_windows=3, step_size=1)
            seconds["BestByCV"] += time.perf_counter() - t0
            cv = cv.reset_index() if "unique_id" not in cv.columns else cv
            cols = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
            mae = cv[cols].sub(cv["y"], axis=0).abs().groupby(cv["unique_id"]).mean()
            pick = mae.idxmin(axis=1).rename("model").reset_index()
            pick["origin"] = origin
            cv_frames.append(pick)
        print(f"  statsforecast BestByCV: {seconds['BestByCV']:.2f} s", file=sys.stderr,
              flush=True)

    fc_all = pd.concat(frames, ignore_index=True)
    if cv_frames:
        picks = pd.concat(cv_frames, ignore_index=True)
        picks["origin"] = pd.to_datetime(picks["origin"])
        best = fc_all.merge(picks, on=["origin", "unique_id", "model"])
        best = best.assign(model="BestByCV")
        fc_all = pd.concat([fc_all, best], ignore_index=True)
        picks.to_csv(workdir / "sf_bestbycv_picks.csv", index=False)
    fc_all.to_csv(workdir / "sf_forecasts.csv", index=False)
    versions = {"statsforecast": statsforecast.__version__, "pandas": pd.__version__,
                "numpy": np.__version__}
    (workdir / "sf_result.json").write_text(json.dumps({"seconds": seconds,
                                                        "versions": versions}, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
