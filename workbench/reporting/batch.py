"""Report batches: run a set of notebooks with parameter sets, unattended.

``workbench report --config reports.yaml`` executes every report of the config
with papermill, renders each to offline HTML without code, and writes
``reports/<run-id>/index.html`` listing every report with its status,
parameters and run time. One failing notebook does not stop the others: its
executed copy (with the error visible) is kept and marked in the index, and the
command exits non-zero. Every file is written atomically, and
``reports/latest`` is switched to the new run only when the run is complete, so
a killed run never replaces the previous good reports.

Config (YAML)
-------------
::

    title: Customer service reports      # index page title
    output: reports                      # folder below the project root
    plotlyjs: inline                     # inline (one file per report) | shared
    parallel: 2                          # worker processes
    reports:
      - name: order_history              # file name stem; unique
        notebook: notebooks/order_history.ipynb
        title: Order history             # optional
        parameters: {period: M}          # checked against the notebook's parameters
      - name: customer_review_{customer_id}
        notebook: notebooks/customer_review.ipynb
        foreach: {customer_id: a_tier_customers}   # a provider name, or a list of values
        limit: 5                         # optional cap on foreach values

Providers (for ``foreach``) are functions in :data:`PROVIDERS`.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from workbench.exceptions import ConfigError, SourceNotFoundError, WorkbenchError
from workbench.paths import project_path
from workbench.reporting.reports import (
    atomic_write_bytes,
    escape,
    execute_notebook,
    notebook_parameters,
    render_html,
    run_id,
    write_plotly_js,
)

__all__ = [
    "BatchConfig",
    "BatchResult",
    "Job",
    "Outcome",
    "PROVIDERS",
    "a_tier_customers",
    "cell_seconds",
    "dry_run",
    "load_config",
    "run_batch",
    "run_job",
    "write_index",
]

_TOP_KEYS = {"title", "output", "plotlyjs", "parallel", "reports"}
_REPORT_KEYS = {"name", "notebook", "title", "parameters", "foreach", "limit"}


# --------------------------------------------------------------------------- providers
def a_tier_customers(limit: int | None = None, data: str = "samples") -> list[str]:
    """Return the tier-A customers (from the master's tier, else ABC by revenue), biggest first."""
    from workbench.customers.targets import customer_tiers
    from workbench.io.dataset import load_dataset

    ds = load_dataset(data, tables=("customers", "items", "order_lines"))
    a = customer_tiers(ds.orders, ds.customers).by_value("A")
    return a[:limit] if limit else a


PROVIDERS: dict[str, Callable[..., list[str]]] = {"a_tier_customers": a_tier_customers}


# --------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Job:
    """One report to produce."""

    name: str
    notebook: str
    title: str
    parameters: dict = field(default_factory=dict)


@dataclass
class BatchConfig:
    """A validated report-batch configuration."""

    title: str
    output: Path
    plotlyjs: str
    parallel: int
    jobs: list[Job]
    source: str = "<dict>"


def _err(msg: str, key: str, value: object, fix: str, source: str) -> ConfigError:
    return ConfigError(msg, key=key, value=value, fix=fix, source=source)


def _read_config(config: str | os.PathLike[str] | dict) -> tuple[dict, str]:
    """Read the config as a mapping, and where it came from (its path, or ``<dict>``)."""
    source = "<dict>"
    if not isinstance(config, dict):
        path = Path(config)
        if not path.is_absolute() and not path.exists():
            path = project_path(str(config))
        source = str(path)
        if not path.exists():
            raise SourceNotFoundError("report config not found", path=source,
                                      fix="pass the path of a YAML file, e.g. "
                                          "reports.yaml in the project root.")
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"the config is not valid YAML: {exc}", key="-", value=None,
                              source=source, fix="check indentation and quoting.") from exc
    if not isinstance(config, dict):
        raise _err("the config must be a mapping", "-", config, "start with 'reports:'.", source)
    return config, source


def _check_top_level(config: dict, source: str) -> tuple[list, str, int]:
    """Check the top-level keys; return the report entries, ``plotlyjs`` and ``parallel``."""
    unknown = sorted(set(config) - _TOP_KEYS)
    if unknown:
        raise _err(f"unknown key {unknown[0]!r}", unknown[0], config[unknown[0]],
                   f"use only {sorted(_TOP_KEYS)}.", source)
    reports = config.get("reports")
    if not isinstance(reports, list) or not reports:
        raise _err("'reports' must be a non-empty list", "reports", reports,
                   "list reports as '- name: ...\\n  notebook: ...'.", source)
    plotlyjs = config.get("plotlyjs", "inline")
    if plotlyjs not in ("inline", "shared"):
        raise _err(f"plotlyjs must be 'inline' or 'shared', not {plotlyjs!r}", "plotlyjs",
                   plotlyjs, "inline (self-contained files, for e-mail) or shared "
                             "(one plotly.min.js per run folder).", source)
    parallel = config.get("parallel", 1)
    if not isinstance(parallel, int) or parallel < 1:
        raise _err(f"parallel must be a whole number >= 1, not {parallel!r}", "parallel",
                   parallel, "e.g. parallel: 2", source)
    return reports, plotlyjs, parallel


def _check_report(rep: object, where: str, source: str) -> tuple[dict, dict]:
    """Check one report entry: keys, notebook, parameters declared in the notebook.

    Returns its ``parameters`` and ``foreach`` mappings (empty when absent).
    """
    if not isinstance(rep, dict):
        raise _err(f"{where} must be a mapping", where, rep, "give name and notebook.", source)
    bad = sorted(set(rep) - _REPORT_KEYS)
    if bad:
        raise _err(f"unknown key {where}.{bad[0]}", f"{where}.{bad[0]}", rep[bad[0]],
                   f"use only {sorted(_REPORT_KEYS)}.", source)
    for key in ("name", "notebook"):
        if not rep.get(key):
            raise _err(f"{where}.{key} is missing", f"{where}.{key}", None,
                       f"give each report a {key}.", source)
    nb = project_path(rep["notebook"])
    if not nb.exists():
        raise _err(f"{where}.notebook {rep['notebook']!r} does not exist",
                   f"{where}.notebook", rep["notebook"],
                   "give a path relative to the project root, e.g. "
                   "notebooks/order_history.ipynb.", source)
    params = rep.get("parameters") or {}
    if not isinstance(params, dict):
        raise _err(f"{where}.parameters must be a mapping", f"{where}.parameters", params,
                   "e.g. parameters: {period: M}", source)
    declared = notebook_parameters(nb)
    foreach = rep.get("foreach") or {}
    for pname in list(params) + list(foreach):
        if pname not in declared:
            raise _err(f"{where}: notebook {nb.name} has no parameter {pname!r}",
                       f"{where}.parameters.{pname}", params.get(pname, foreach.get(pname)),
                       f"use one of: {', '.join(sorted(declared))}.", source)
    return params, foreach


def _expand_foreach(foreach: dict, limit: int | None, where: str, source: str) -> list[dict]:
    """Expand ``foreach``: one parameter set ``{name: value}`` per value (``[{}]`` if none)."""
    if not foreach:
        return [{}]
    if len(foreach) != 1:
        raise _err(f"{where}.foreach takes exactly one parameter", f"{where}.foreach",
                   foreach, "e.g. foreach: {customer_id: a_tier_customers}", source)
    (pname, spec), = foreach.items()
    if isinstance(spec, str):
        if spec not in PROVIDERS:
            raise _err(f"{where}.foreach: unknown provider {spec!r}",
                       f"{where}.foreach.{pname}", spec,
                       f"use a list of values or one of {sorted(PROVIDERS)}.", source)
        values = PROVIDERS[spec](limit=limit)
    elif isinstance(spec, list):
        values = spec[:limit] if limit else spec
    else:
        raise _err(f"{where}.foreach.{pname} must be a provider name or a list",
                   f"{where}.foreach.{pname}", spec, "e.g. [C0001, C0002]", source)
    return [{pname: v} for v in values]


def _report_jobs(rep: dict, params: dict, expansions: list[dict], where: str,
                 source: str) -> list[Job]:
    """One job per parameter set: ``{parameter}`` in name and title filled in."""
    jobs = []
    for extra in expansions:
        all_params = {**params, **extra}
        try:
            name = str(rep["name"]).format(**all_params)
        except KeyError as exc:
            raise _err(f"{where}.name uses {{{exc.args[0]}}} which is not a parameter",
                       f"{where}.name", rep["name"], "use only parameter names in {...}.",
                       source) from None
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
        title = str(rep.get("title", name)).format(**all_params)
        jobs.append(Job(safe, str(rep["notebook"]), title, all_params))
    return jobs


def _select_jobs(jobs: list[Job], only: list[str] | None, source: str) -> list[Job]:
    """Check the job names are unique; keep the ``only`` ones (all if ``only`` is empty)."""
    names = [j.name for j in jobs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise _err(f"report name {dup[0]!r} is used twice", "reports[].name", dup[0],
                   "give each report a unique name (use {parameter} in foreach names).", source)
    if not only:
        return jobs
    missing = [o for o in only if o not in names]
    if missing:
        raise ConfigError(f"--only {missing[0]!r} matches no report", key="--only",
                          value=missing[0], fix=f"use one of: {', '.join(names)}.")
    return [j for j in jobs if j.name in only]


def load_config(config: str | os.PathLike[str] | dict, *,
                only: list[str] | None = None) -> BatchConfig:
    """Read and validate a report config (YAML path or dict); expand ``foreach``.

    Every notebook must exist and every parameter name must be declared in the
    notebook's parameters cell; errors name the offending key and the fix.

    Parameters
    ----------
    config
        Path of a YAML file (relative paths also tried below the project root),
        or the config as a dict (see the module docstring).
    only
        Report names (after ``foreach`` expansion) to keep; default all.

    Returns
    -------
    BatchConfig

    Raises
    ------
    SourceNotFoundError
        The config file does not exist.
    ConfigError
        The config is invalid; ``key`` names the offending entry (e.g.
        ``reports[0].notebook``).
    """
    config, source = _read_config(config)
    reports, plotlyjs, parallel = _check_top_level(config, source)
    jobs: list[Job] = []
    for i, rep in enumerate(reports):
        where = f"reports[{i}]"
        params, foreach = _check_report(rep, where, source)
        expansions = _expand_foreach(foreach, rep.get("limit"), where, source)
        jobs += _report_jobs(rep, params, expansions, where, source)
    jobs = _select_jobs(jobs, only, source)
    output = project_path(str(config.get("output", "reports")))
    return BatchConfig(str(config.get("title", "Reports")), output, plotlyjs, parallel, jobs,
                       source)


# --------------------------------------------------------------------------- running
@dataclass
class Outcome:
    """What happened to one report."""

    name: str
    title: str
    notebook: str
    parameters: dict
    status: str
    seconds: float
    html: str | None
    error: str | None = None
    compute_seconds: float | None = None
    """Time spent running the notebook's cells (papermill's per-cell durations)."""
    render_seconds: float | None = None
    """Time spent rendering the HTML."""


def run_job(job: Job, folder: str, plotlyjs: str) -> Outcome:
    """Execute and render one report (runs in a worker process)."""
    out = Path(folder)
    t0 = time.perf_counter()
    nb = project_path(job.notebook)
    try:
        executed = execute_notebook(nb, out / f"{job.name}.ipynb", job.parameters)
        t1 = time.perf_counter()
        render_html(executed, out / f"{job.name}.html", title=job.title, plotlyjs=plotlyjs)
        t2 = time.perf_counter()
        return Outcome(job.name, job.title, job.notebook, job.parameters, "ok", t2 - t0,
                       f"{job.name}.html", compute_seconds=cell_seconds(executed),
                       render_seconds=t2 - t1)
    except WorkbenchError as exc:
        html = None
        failed = out / f"{job.name}.failed.ipynb"
        if failed.exists():
            try:
                render_html(failed, out / f"{job.name}.html", title=f"FAILED: {job.title}",
                            plotlyjs=plotlyjs)
                html = f"{job.name}.html"
            except Exception:  # the error page is best effort; the index still says why
                html = None
        return Outcome(job.name, job.title, job.notebook, job.parameters, "failed",
                       time.perf_counter() - t0, html, str(exc))
    except Exception as exc:  # any other failure of one report must not stop the batch
        return Outcome(job.name, job.title, job.notebook, job.parameters, "failed",
                       time.perf_counter() - t0, None,
                       f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")


def cell_seconds(executed: Path) -> float:
    """Sum of papermill's per-cell durations in an executed notebook."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    return float(sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
                     for c in nb.get("cells", [])))


@dataclass
class BatchResult:
    """The outcome of a batch run."""

    folder: Path
    index: Path
    outcomes: list[Outcome]

    @property
    def ok(self) -> bool:
        """Whether every report of the run succeeded."""
        return all(o.status == "ok" for o in self.outcomes)


def _progress(total: int):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional; print lines instead
        return None
    return tqdm(total=total, unit="report", desc="reports")


def run_batch(cfg: BatchConfig, *, parallel: int | None = None,
              progress: bool = True) -> BatchResult:
    """Run every job of ``cfg`` and write the index; see the module docstring."""
    rid = run_id()
    folder = cfg.output / rid
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = cfg.output / f"{rid}-{n}"
    folder.mkdir(parents=True)
    if cfg.plotlyjs == "shared":
        write_plotly_js(folder)
    workers = parallel or cfg.parallel
    bar = _progress(len(cfg.jobs)) if progress else None
    outcomes: list[Outcome] = []
    if workers == 1 or len(cfg.jobs) == 1:
        for job in cfg.jobs:
            outcomes.append(run_job(job, str(folder), cfg.plotlyjs))
            _tick(bar, outcomes[-1])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_job, job, str(folder), cfg.plotlyjs) for job in cfg.jobs]
            for fut in as_completed(futures):
                outcomes.append(fut.result())
                _tick(bar, outcomes[-1])
    if bar is not None:
        bar.close()
    order = {j.name: i for i, j in enumerate(cfg.jobs)}
    outcomes.sort(key=lambda o: order[o.name])
    index = write_index(folder, cfg, outcomes)
    _point_latest(cfg.output, folder)
    return BatchResult(folder, index, outcomes)


def _tick(bar, outcome: Outcome) -> None:
    if bar is not None:
        bar.set_postfix_str(f"{outcome.name}: {outcome.status}")
        bar.update(1)
    else:
        print(f"{outcome.name}: {outcome.status} ({outcome.seconds:.1f} s)", flush=True)


def _point_latest(output: Path, folder: Path) -> None:
    """Atomically point ``output/latest`` at the finished run folder."""
    link = output / "latest"
    tmp = output / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(folder.name, tmp)
    os.replace(tmp, link)


def write_index(folder: Path, cfg: BatchConfig, outcomes: list[Outcome]) -> Path:
    """Write ``index.html`` and ``run.json`` for a run (user text escaped)."""
    failed = sum(o.status != "ok" for o in outcomes)
    rows = []
    for o in outcomes:
        link = (f'<a href="{escape(o.html)}">{escape(o.title)}</a>' if o.html
                else escape(o.title))
        params = ", ".join(f"{escape(k)}={escape(v)}" for k, v in o.parameters.items()) or "-"
        status = ('<span class="ok">ok</span>' if o.status == "ok" else
                  f'<span class="failed">failed</span><pre>{escape(o.error or "")}</pre>')
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{params}</td>"
                    f"<td>{o.seconds:.1f} s</td><td><code>{escape(o.notebook)}</code></td></tr>")
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(cfg.title)} — {escape(folder.name)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC",
  sans-serif; margin: 0 auto; max-width: 1000px; padding: 12px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left;
  vertical-align: top; }}
.ok {{ color: #2e8b57; font-weight: 600; }} .failed {{ color: #c0392b; font-weight: 600; }}
pre {{ white-space: pre-wrap; font-size: 12px; max-width: 40em; }}
</style></head><body>
<h1>{escape(cfg.title)}</h1>
<p>Run <b>{escape(folder.name)}</b>, written {escape(f"{pd.Timestamp.now():%Y-%m-%d %H:%M}")}:
{len(outcomes)} report(s), {failed} failed; {sum(o.seconds for o in outcomes):.0f} s of report time.</p>
<table><thead><tr><th>report</th><th>status</th><th>parameters</th><th>run time</th>
<th>notebook</th></tr></thead><tbody>
{''.join(rows)}
</tbody></table></body></html>
"""
    index = folder / "index.html"
    atomic_write_bytes(index, html.encode("utf-8"))
    manifest = {"run": folder.name, "title": cfg.title, "config": cfg.source,
                "reports": [asdict(o) for o in outcomes]}
    atomic_write_bytes(folder / "run.json", json.dumps(manifest, indent=2, default=str).encode())
    return index


def dry_run(cfg: BatchConfig) -> str:
    """Describe what a run would do (after full validation); runs nothing."""
    lines = [f"{cfg.title}: {len(cfg.jobs)} report(s) -> {cfg.output}/<run-id>/ "
             f"(plotly.js {cfg.plotlyjs}, {cfg.parallel} worker(s))"]
    for j in cfg.jobs:
        params = ", ".join(f"{k}={v!r}" for k, v in j.parameters.items()) or "defaults"
        lines.append(f"  {j.name}: {j.notebook} [{params}]")
    return "\n".join(lines)
