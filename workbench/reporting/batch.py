"""Report batches: run a set of notebooks with parameter sets, unattended.

``workbench report --config reports.yaml`` executes every report of the config
with papermill, renders each to offline HTML without code, and writes
``reports/<run-id>/index.html`` listing every report with its description,
headline, period covered, last good run and, for a failure, the reason in words
(:mod:`workbench.reporting.index`). One failing notebook does not stop the others: its
executed copy (with the error visible) is kept and marked in the index, and the
command exits non-zero. Every file is written atomically, and
``reports/latest`` is switched to the new run only when the run is complete, so
a killed run never replaces the previous good reports.

Config (YAML)
-------------
::

    title: "Reports: {dataset}"          # index page title ({dataset}: the dataset's name)
    data: samples                        # the dataset every report runs on (--data overrides)
    output: reports                      # folder below the project root
    plotlyjs: inline                     # inline (one file per report) | shared
    parallel: 2                          # worker processes
    timeout: 1800                        # seconds per report (default 30 min)
    languages: [en, zh]                  # every report in each language (default [en])
    reports:
      - name: order_history              # file name stem; unique; not index/run/latest
        notebook: notebooks/order_history.ipynb
        title: Order history             # optional
        description: Orders by month and the data-quality checks   # optional, one line on the index
        parameters: {period: M}          # checked against the notebook's parameters
      - name: pab_early_warning
        notebook: notebooks/pab_early_warning.ipynb
        parameters: {alert_log: "{reports}/alert_log.db"}   # {reports}: this dataset's folder
      - name: customer_review_{customer_id}
        notebook: notebooks/customer_review.ipynb
        foreach: {customer_id: a_tier_customers}   # a provider name, or a list of values
        limit: 5                         # optional cap on foreach values
        fanout: true                     # optional: one kernel per worker, not per report (below)
        timeout: 600                     # optional, overrides the top-level timeout
        title_zh: 客户业务回顾 {customer_id}  # optional title (and description_zh) of the Chinese version

Languages
---------
Every report whose notebook has a ``language`` parameter is produced once per
entry of ``languages``: the first keeps the report's name, the others are
``<name>_<language>`` (``manager_summary_zh``) with ``title_<language>`` and
``description_<language>`` when given. An entry that sets ``language`` in its
``parameters`` is produced once, in that language.

Datasets
--------
With ``data`` (or ``workbench report --data CONFIG``), every report's
notebook gets that ``data`` parameter (a dataset YAML, a folder of tables or
one order-lines file; every notebook must declare ``data``), ``foreach``
providers compute their values from that dataset, ``{dataset}`` in the title is
its name, and the runs go to ``<output>/<dataset-slug>/<run-id>/`` with their
own ``latest``, so runs on different data never mix. ``{run}`` in a parameter value is
the run's own folder (files of that run, e.g. notices, beside its reports). ``{reports}`` in a
parameter value is that per-dataset folder (the alert history of one dataset
is never another's). Without ``data`` the notebooks use their own defaults and
runs go to ``<output>/<run-id>/``.

Failure contract
----------------
Each report runs in its own worker process (its own process group) that dies
with the batch process (``prctl(PR_SET_PDEATHSIG)`` on Linux, else polling);
its kernel dies with the worker. A report that runs past its ``timeout`` is
stopped (SIGTERM, then SIGKILL after :data:`KILL_GRACE` seconds); a report
whose kernel or worker dies is marked failed with the reason in words; in both
cases the partial executed copy is kept as ``<name>.failed.ipynb``. Ctrl-C
kills the workers and raises :class:`KeyboardInterrupt`. ``latest`` moves only
when at least one report succeeded. Temporary files of a run abandoned by a
killed batch are removed by the next run (:func:`clean_abandoned_runs`).

Providers (for ``foreach``) are functions in :data:`PROVIDERS`.

Fan-out
-------
A ``foreach`` report with ``fanout: true`` (its notebook's dataset-level cells
tagged ``shared``) runs on :mod:`workbench.reporting.fanout` instead: one kernel
per worker renders all its pages, the shared cells once per language, each page
identical to what the kernel-per-report path writes. ``timeout`` then bounds each
cell; ``run_batch(executor=Client(...))`` (``workbench report --scheduler``)
runs those pages on a Dask cluster whose workers see the run folder.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
import signal
import string
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

from workbench.exceptions import (
    ConfigError,
    ReportTimeoutError,
    SourceNotFoundError,
    WorkbenchError,
)
from workbench.paths import project_path
from workbench.reporting.index import dataset_period, read_headline, render_index
from workbench.reporting.reports import (
    atomic_write_bytes,
    execute_notebook,
    notebook_parameters,
    render_html,
    run_id,
    stop_with_parent,
    write_plotly_js,
)
from workbench.validation import LANGUAGES, check_count, check_range

__all__ = [
    "DEFAULT_TIMEOUT",
    "KILL_GRACE",
    "RESERVED_NAMES",
    "BatchConfig",
    "BatchResult",
    "Job",
    "Outcome",
    "PROVIDERS",
    "a_tier_customers",
    "all_customers",
    "cell_seconds",
    "clean_abandoned_runs",
    "dataset_slug",
    "dry_run",
    "in_run_folder",
    "load_config",
    "run_batch",
    "run_job",
    "stop_run_processes",
    "work",
    "write_index",
]

_TOP_KEYS = {"title", "output", "plotlyjs", "parallel", "timeout", "reports", "data",
             "languages"}
_REPORT_KEYS = {"name", "notebook", "title", "description", "parameters", "foreach", "limit",
                "timeout", "title_zh", "description_zh", "fanout"}

DEFAULT_TIMEOUT = 1800.0
"""Seconds a report may run before it is stopped, unless the config says otherwise."""
MAX_TIMEOUT = 7 * 24 * 3600.0
KILL_GRACE = 10.0
"""Seconds a timed-out worker gets to save its partial copy before it is killed."""
RESERVED_NAMES = ("index", "run", "latest")
"""Report names that would collide with the run's own files (compared ignoring case)."""
_RUN_FOLDER = re.compile(r"\d{8}-\d{6}(-\d+)?")


# --------------------------------------------------------------------------- providers
def a_tier_customers(limit: int | None = None, data: str = "samples") -> list[str]:
    """Return the tier-A customers of ``data``, biggest first.

    The tier comes from the customer master when it has one, else from ABC by
    revenue (by ordered volume when the order lines carry no price: the rule the
    notebooks use, :func:`~workbench.reporting.availability.value_measure`), with
    the dataset's own service targets.
    """
    from workbench.customers.targets import customer_tiers
    from workbench.io.config import open_dataset
    from workbench.reporting.availability import value_measure

    ds = open_dataset(data, tables=("customers", "items", "order_lines"))
    a = customer_tiers(ds.orders, ds.customers, ds.targets,
                       measure=value_measure(ds)).by_value("A")
    return a[:limit] if limit else a


def all_customers(limit: int | None = None, data: str = "samples") -> list[str]:
    """Return every customer of ``data``, biggest first (by revenue, else ordered volume).

    ``limit`` keeps the largest ones (``limit: 200`` in a config: the top 200).
    """
    from workbench.customers.targets import customer_tiers
    from workbench.io.config import open_dataset
    from workbench.reporting.availability import value_measure

    ds = open_dataset(data, tables=("customers", "items", "order_lines"))
    ids = [str(c) for c in customer_tiers(ds.orders, ds.customers, ds.targets,
                                          measure=value_measure(ds)).abc["customer_id"]]
    return ids[:limit] if limit else ids


PROVIDERS: dict[str, Callable[..., list[str]]] = {"a_tier_customers": a_tier_customers,
                                                  "all_customers": all_customers}


# --------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Job:
    """One report to produce."""

    name: str
    notebook: str
    title: str
    parameters: dict = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    """Seconds the report may run before it is stopped and marked failed."""
    description: str = ""
    """One line saying what the report is for (shown on the index)."""
    language: str = "en"
    """The language the report is written in (its ``language`` parameter)."""
    fanout: str = ""
    """The ``foreach`` parameter of a ``fanout: true`` report (empty: a kernel per report)."""


@dataclass
class BatchConfig:
    """A validated report-batch configuration."""

    title: str
    output: Path
    plotlyjs: str
    parallel: int
    jobs: list[Job]
    source: str = "<dict>"
    data: str | None = None
    """The dataset every report runs on (its ``data`` parameter); ``None``: notebook defaults."""
    dataset: str | None = None
    """That dataset's name (from its description)."""


def _err(msg: str, key: str, value: object, fix: str, source: str) -> ConfigError:
    if key != "-" and key not in msg:  # the message always names the offending key
        msg = f"{key}: {msg}"
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


def _check_timeout(value: object, key: str) -> float:
    """Check a timeout in seconds: a number above 0 (at most a week)."""
    return check_range(value, key, low=0, high=MAX_TIMEOUT, low_open=True,
                       fix=f"give seconds, e.g. {key.split('.')[-1].lstrip('-')}: 1800 "
                           "(30 minutes).")


def dataset_slug(name: str) -> str:
    """Return the folder name of a dataset's runs: its name in lower case, words joined by ``-``.

    Examples
    --------
    >>> dataset_slug("Sample data (synthetic)"), dataset_slug("华东 订单")
    ('sample-data-synthetic', '华东-订单')
    """
    slug = re.sub(r"[^\w]+", "-", str(name).casefold()).strip("-_") or "dataset"
    if slug in RESERVED_NAMES or _RUN_FOLDER.fullmatch(slug):
        slug = f"data-{slug}"
    return slug


def _dataset(data: object, source: str) -> tuple[str, str]:
    """Resolve and validate the dataset: (reference for the notebooks, its name)."""
    from workbench.io.config import dataset_config
    from workbench.io.readers import is_url
    from workbench.paths import resolve_source

    if not isinstance(data, str) or not data.strip():
        raise _err("data must name a dataset (a YAML, a folder or a file)", "data", data,
                   "e.g. data: samples, or workbench report --data dataset.yaml.", source)
    ref = data.strip() if is_url(data.strip()) else str(resolve_source(data.strip()))
    return ref, dataset_config(ref).name


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
    parallel = check_count(config.get("parallel", 1), "parallel", minimum=1,
                           fix="e.g. parallel: 2")
    for key in ("title", "output"):
        if not isinstance(config.get(key, ""), str):
            raise _err(f"{key} must be text", key, config[key],
                       f"e.g. {key}: reports" if key == "output" else f"e.g. {key}: Reports",
                       source)
    return reports, plotlyjs, parallel


def _check_languages(config: dict, source: str) -> tuple[str, ...]:
    """Return the batch's ``languages`` (default ``("en",)``), each ``en`` or ``zh``."""
    value = config.get("languages", ["en"])
    if isinstance(value, str):
        value = [value]
    if (not isinstance(value, list) or not value
            or any(v not in LANGUAGES for v in value) or len(set(value)) != len(value)):
        raise _err(f"languages must list report languages among {list(LANGUAGES)}, "
                   f"each once", "languages", value, "e.g. languages: [en, zh]", source)
    return tuple(value)


def _language_versions(rep: dict, params: dict, declared: dict, languages: tuple[str, ...]
                       ) -> list[tuple[str, dict]]:
    """One ``(language, parameters)`` per batch language a report is written in.

    A report whose notebook has no ``language`` parameter, or whose entry fixes
    ``language`` itself, is produced once, as configured.
    """
    if "language" not in declared or "language" in params:
        return [(str(params.get("language", "en")), {})]
    return [(lang, {"language": lang}) for lang in languages]


def _check_report(rep: object, where: str, source: str, data: str | None = None
                  ) -> tuple[dict, dict, dict]:
    """Check one report entry: keys, notebook, parameters declared in the notebook.

    Returns its ``parameters`` and ``foreach`` mappings (empty when absent) and the
    parameters the notebook declares.
    """
    if not isinstance(rep, dict):
        raise _err(f"{where} must be a mapping", where, rep, "give name and notebook.", source)
    bad = sorted(set(rep) - _REPORT_KEYS)
    if bad:
        raise _err(f"unknown key {where}.{bad[0]}", f"{where}.{bad[0]}", rep[bad[0]],
                   f"use only {sorted(_REPORT_KEYS)}.", source)
    for key in ("name", "notebook"):
        if rep.get(key) is None or rep.get(key) == "":
            raise _err(f"{where}.{key} is missing", f"{where}.{key}", None,
                       f"give each report a {key}.", source)
    for key in ("name", "notebook", "title", "description", "title_zh", "description_zh"):
        if key in rep and not isinstance(rep[key], str | int):
            raise _err(f"{where}.{key} must be text, not {type(rep[key]).__name__}",
                       f"{where}.{key}", rep[key], f"write {key}: followed by one text value.",
                       source)
    declared = _check_notebook(rep["notebook"], where, source)
    params = rep.get("parameters") or {}
    foreach = rep.get("foreach") or {}
    for key, value in (("parameters", params), ("foreach", foreach)):
        if not isinstance(value, dict):
            raise _err(f"{where}.{key} must be a mapping", f"{where}.{key}", value,
                       "e.g. parameters: {period: M}" if key == "parameters" else
                       "e.g. foreach: {customer_id: [C0001, C0002]}", source)
    if data is not None and "data" not in declared:
        raise _err(f"{where}: notebook {rep['notebook']} has no parameter 'data', so it cannot "
                   "run on the batch's dataset", f"{where}.notebook", rep["notebook"],
                   "give its parameters cell a data parameter read with open_dataset(data), "
                   "or run the batch without data.", source)
    for pname in list(params) + list(foreach):
        if pname not in declared:
            raise _err(f"{where}: notebook {rep['notebook']} has no parameter {pname!r}",
                       f"{where}.parameters.{pname}", params.get(pname, foreach.get(pname)),
                       f"use one of: {', '.join(sorted(declared))}.", source)
    return params, foreach, declared


def _check_notebook(value: object, where: str, source: str) -> dict:
    """Check ``notebook`` names a readable ``.ipynb`` file; return its declared parameters."""
    key = f"{where}.notebook"
    fix = "give the path of a .ipynb file relative to the project root, e.g. " \
          "notebooks/order_history.ipynb."
    nb = project_path(str(value))
    if not nb.exists():
        raise _err(f"{key} {value!r} does not exist", key, value, fix, source)
    if not nb.is_file() or nb.suffix.lower() != ".ipynb":
        raise _err(f"{key} {value!r} is not a notebook (.ipynb file)", key, value, fix, source)
    try:
        return notebook_parameters(nb)
    except Exception as exc:  # any reader failure means the same thing: not a notebook
        raise _err(f"{key} {value!r} cannot be read as a notebook "
                   f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                   key, value, "open it in JupyterLab and save it again, or point at the "
                   "right file.", source) from None


def _expand_foreach(foreach: dict, limit: int | None, where: str, source: str,
                    data: str | None = None) -> list[dict]:
    """Expand ``foreach``: one parameter set ``{name: value}`` per value (``[{}]`` if none)."""
    if not foreach:
        return [{}]
    if len(foreach) != 1:
        raise _err(f"{where}.foreach takes exactly one parameter", f"{where}.foreach",
                   foreach, "e.g. foreach: {customer_id: a_tier_customers}", source)
    if limit is not None:
        limit = check_count(limit, f"{where}.limit", minimum=1,
                            fix="give a whole number of foreach values, e.g. limit: 5, "
                                "or leave limit out for all.")
    (pname, spec), = foreach.items()
    if isinstance(spec, str):
        if spec not in PROVIDERS:
            raise _err(f"{where}.foreach: unknown provider {spec!r}",
                       f"{where}.foreach.{pname}", spec,
                       f"use a list of values or one of {sorted(PROVIDERS)}.", source)
        values = (PROVIDERS[spec](limit=limit) if data is None
                  else PROVIDERS[spec](limit=limit, data=data))
    elif isinstance(spec, list):
        values = spec[:limit] if limit else spec
    else:
        raise _err(f"{where}.foreach.{pname} must be a provider name or a list",
                   f"{where}.foreach.{pname}", spec, "e.g. [C0001, C0002]", source)
    return [{pname: v} for v in values]


def _fill(template: object, params: dict, key: str, source: str) -> str:
    """Fill ``{parameter}`` fields of a name or title; anything else is a clear error."""
    template = str(template)
    fix = (f"use only parameter names in {{...}} ({', '.join(sorted(params)) or 'none here'}), "
           "and write {{ and }} for literal braces.")
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:  # a lone { or }
        raise _err(f"{key} {template!r} is not a valid template ({exc})", key, template, fix,
                   source) from None
    for name in fields:
        if name not in params:  # also catches {}, {0}, {x.attr}, {x[0]}
            raise _err(f"{key} uses {{{name}}} which is not a parameter of this report", key,
                       template, fix, source)
    try:
        return template.format_map(params)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise _err(f"{key} {template!r} cannot be filled in ({type(exc).__name__}: {exc})",
                   key, template, fix, source) from None


def _check_name(name: str, key: str, seen: dict[str, str], source: str) -> None:
    """Reject names that collide with the run's files or another report (ignoring case)."""
    folded = name.casefold()
    stem = folded.removesuffix(".failed")
    if folded in RESERVED_NAMES or stem != folded or not name.strip("._"):
        raise _err(f"report name {name!r} collides with a file the run writes itself",
                   key, name, f"rename it: {', '.join(RESERVED_NAMES)} and names ending in "
                   ".failed are taken.", source)
    if name.startswith("."):
        raise _err(f"report name {name!r} starts with a dot (a hidden, temporary file)", key,
                   name, "start the name with a letter or digit.", source)
    if folded in seen:
        raise _err(f"report name {name!r} of {key.rsplit('.', 1)[0]} is already used by "
                   f"{seen[folded]} (names are compared ignoring case)", key, name,
                   "give each report a unique name (use {parameter} in foreach names).",
                   source)
    seen[folded] = key.rsplit(".", 1)[0]


def _report_jobs(rep: dict, params: dict, expansions: list[dict], where: str,
                 source: str, seen: dict[str, str], timeout: float,
                 versions: list[tuple[str, dict]] | None = None) -> list[Job]:
    """One job per parameter set and language: ``{parameter}`` in name and title filled in.

    The first language keeps the report's name; the others get ``_<language>``
    appended and, when given, the entry's ``title_zh`` / ``description_zh``.
    """
    over = _fanout_over(rep, where, source)
    if "timeout" in rep:
        timeout = _check_timeout(rep["timeout"], f"{where}.timeout")
    versions = versions or [("en", {})]
    jobs = []
    for extra in expansions:
        for k, (lang, lang_params) in enumerate(versions):
            all_params = {**params, **extra, **lang_params}
            name = _fill(rep["name"], all_params, f"{where}.name", source)
            if k:
                name = f"{name}_{lang}"
            safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
            _check_name(safe, f"{where}.name", seen, source)
            tkey = f"title_{lang}" if f"title_{lang}" in rep else "title"
            dkey = f"description_{lang}" if f"description_{lang}" in rep else "description"
            title = _fill(rep.get(tkey, name), all_params, f"{where}.{tkey}", source)
            description = " ".join(_fill(rep.get(dkey, ""), all_params,
                                         f"{where}.{dkey}", source).split())
            jobs.append(Job(safe, str(rep["notebook"]), title, all_params, timeout, description,
                            lang, over))
    return jobs


def _fanout_over(rep: dict, where: str, source: str) -> str:
    """Return the parameter a ``fanout: true`` entry fans out over ("" without fan-out)."""
    flag = rep.get("fanout", False)
    if not isinstance(flag, bool):
        raise _err(f"{where}.fanout must be true or false", f"{where}.fanout", flag,
                   "write fanout: true (one kernel per worker) or leave it out.", source)
    if not flag:
        return ""
    foreach = rep.get("foreach") or {}
    if len(foreach) != 1:
        raise _err(f"{where}.fanout needs a foreach over one parameter", f"{where}.fanout", flag,
                   "e.g. foreach: {customer_id: all_customers}", source)
    return next(iter(foreach))


def _select_jobs(jobs: list[Job], only: list[str] | None) -> list[Job]:
    """Keep the ``only`` jobs (all if ``only`` is empty)."""
    if not only:
        return jobs
    names = [j.name for j in jobs]
    missing = [o for o in only if o not in names]
    if missing:
        raise ConfigError(f"--only {missing[0]!r} matches no report", key="--only",
                          value=missing[0], fix=f"use one of: {', '.join(names)}.")
    return [j for j in jobs if j.name in only]


def _with_dataset(params: dict, data: str | None, reports: Path) -> dict:
    """Set ``data`` and fill ``{reports}`` (the dataset's run folder) in text values."""
    out = {k: v.replace("{reports}", str(reports)) if isinstance(v, str) else v
           for k, v in params.items()}
    if data is not None:
        out["data"] = data
    return out


def load_config(config: str | os.PathLike[str] | dict, *,
                only: list[str] | None = None, data: str | None = None) -> BatchConfig:
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
    data
        The dataset to run every report on (overrides the config's ``data``):
        a dataset YAML, a folder of tables or an order-lines file; relative
        paths are taken below ``data/`` (see :func:`workbench.paths.resolve_source`).

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
    languages = _check_languages(config, source)
    timeout = _check_timeout(config.get("timeout", DEFAULT_TIMEOUT), "timeout")
    output = project_path(str(config.get("output", "reports")))
    ref = name = None
    if data is not None or config.get("data") is not None:
        ref, name = _dataset(data if data is not None else config["data"],
                             "--data" if data is not None else source)
        output = output / dataset_slug(name)
    jobs: list[Job] = []
    seen: dict[str, str] = {}
    for i, rep in enumerate(reports):
        where = f"reports[{i}]"
        params, foreach, declared = _check_report(rep, where, source, ref)
        expansions = _expand_foreach(foreach, rep.get("limit"), where, source, ref)
        jobs += _report_jobs(rep, _with_dataset(params, ref, output), expansions, where, source,
                             seen, timeout, _language_versions(rep, params, declared, languages))
    jobs = _select_jobs(jobs, only)
    title = str(config.get("title", "Reports"))
    if name is not None:
        title = title.replace("{dataset}", name) if "{dataset}" in title else f"{title}: {name}"
    return BatchConfig(title, output, plotlyjs, parallel, jobs, source, ref, name)


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
    headline: dict | None = None
    """What the notebook published with :func:`~workbench.reporting.index.publish_headline`."""
    error_type: str | None = None
    """The class name of the error that stopped the report, when known."""


def run_job(job: Job, folder: str, plotlyjs: str) -> Outcome:
    """Execute and render one report (runs in a worker process)."""
    out = Path(folder)
    t0 = time.perf_counter()
    nb = project_path(job.notebook)
    try:
        executed = execute_notebook(nb, out / f"{job.name}.ipynb", job.parameters,
                                    partial=_partial_path(out, job.name))
        t1 = time.perf_counter()
        render_html(executed, out / f"{job.name}.html", title=job.title, plotlyjs=plotlyjs)
        t2 = time.perf_counter()
        return Outcome(job.name, job.title, job.notebook, job.parameters, "ok", t2 - t0,
                       f"{job.name}.html", compute_seconds=cell_seconds(executed),
                       render_seconds=t2 - t1, headline=read_headline(executed))
    except WorkbenchError as exc:
        return Outcome(job.name, job.title, job.notebook, job.parameters, "failed",
                       time.perf_counter() - t0, _render_failed(out, job, plotlyjs), str(exc),
                       error_type=type(exc).__name__)
    except Exception as exc:  # any other failure of one report must not stop the batch
        return Outcome(job.name, job.title, job.notebook, job.parameters, "failed",
                       time.perf_counter() - t0, _render_failed(out, job, plotlyjs),
                       f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                       error_type=type(exc).__name__)


def _partial_path(folder: Path, name: str) -> Path:
    """Where a report's executed copy grows while it runs (hidden; known to the parent)."""
    return folder / f".{name}.partial.ipynb"


def _render_failed(out: Path, job: Job, plotlyjs: str) -> str | None:
    """Render ``<name>.failed.ipynb`` (the error in place) to the report's HTML; best effort."""
    failed = out / f"{job.name}.failed.ipynb"
    if not failed.exists():
        return None
    try:
        render_html(failed, out / f"{job.name}.html", title=f"FAILED: {job.title}",
                    plotlyjs=plotlyjs)
    except Exception:  # the error page is best effort; the index still says why
        return None
    return f"{job.name}.html"


# --------------------------------------------------------------------------- worker processes
_WORKER = ("import sys; from workbench.reporting.batch import work; "
           "sys.exit(work(sys.argv[1]))")


def work(payload: str) -> int:
    """Run one report in a worker process (entry point used by :func:`run_batch`).

    ``payload`` is the job, run folder, ``plotlyjs`` and the batch's pid, pickled
    and base64-encoded. The worker dies with the batch process; SIGTERM means
    the report ran past its timeout. The outcome goes to a hidden JSON file in
    the run folder.
    """
    args = pickle.loads(base64.b64decode(payload))  # noqa: S301 (written by our own parent)
    job: Job = args["job"]
    _watch_parent(args["parent"])

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one stop is enough
        raise ReportTimeoutError(
            f"report {job.name} ran longer than its timeout of {job.timeout:g} s and was "
            "stopped.", fix=f"make the notebook faster, or raise timeout for {job.name} in "
                            "the config (or --timeout SECONDS).")

    signal.signal(signal.SIGTERM, stop)
    outcome = run_job(job, args["folder"], args["plotlyjs"])
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    atomic_write_bytes(_outcome_path(Path(args["folder"]), job.name),
                       json.dumps(asdict(outcome), default=str).encode("utf-8"))
    return 0


def _watch_parent(parent: int) -> None:
    """Die with the batch process: PR_SET_PDEATHSIG on Linux, else a polling thread."""
    if stop_with_parent(parent):
        return

    def poll() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=poll, daemon=True).start()


def _outcome_path(folder: Path, name: str) -> Path:
    return folder / f".{name}.outcome.json"


@dataclass
class _Worker:
    """A running worker process and what the batch knows about it."""

    job: Job
    proc: subprocess.Popen
    started: float
    log: Path
    stopped: float | None = None
    """When SIGTERM was sent for the timeout (None while within time)."""


def _start_worker(job: Job, folder: Path, plotlyjs: str) -> _Worker:
    payload = base64.b64encode(pickle.dumps({"job": job, "folder": str(folder),
                                             "plotlyjs": plotlyjs, "parent": os.getpid()}))
    log = folder / f".{job.name}.log"
    env = {**os.environ, _MARK: _mark(folder, job.name)}  # inherited by kernel and its children
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", _WORKER, payload.decode("ascii")],
                                stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)  # own group, away from Ctrl-C
    return _Worker(job, proc, time.monotonic(), log)


# --------------------------------------------------------------------------- leftover processes
_MARK = "WORKBENCH_BATCH_RUN"
"""Environment variable naming the run folder and report of a worker and its descendants."""
_REAPER = r"""
import os, signal, sys, time
want = ("WORKBENCH_BATCH_RUN=" + sys.argv[1]).encode()
if sys.stdin.buffer.read() == b"done":  # EOF without 'done': the batch died
    sys.exit(0)
for _ in range(50):  # the same sweep as stop_run_processes, without importing the package
    pids = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if pid.isdigit() and any(v.startswith(want) for v in env):
            pids.append(int(pid))
    if not pids:
        break
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.02)
"""
"""The reaper: stdlib only, so it acts at once when the batch dies (see :func:`_start_reaper`)."""


def _mark(folder: Path, name: str = "") -> str:
    """Return the marker of report ``name`` of a run (``name=""``: every report's prefix)."""
    return f"{folder}::{name}"


def _marked(marker: str, *, prefix: bool) -> list[int]:
    """Pids of processes whose environment carries ``marker`` (read from /proc; [] elsewhere)."""
    want = f"{_MARK}={marker}".encode()
    found = []
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return found
    for pid in entries:
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:  # gone, or another user's
            continue
        if any(v.startswith(want) if prefix else v == want for v in env):
            found.append(int(pid))
    return [p for p in found if p != os.getpid()]


def stop_run_processes(marker: str, *, prefix: bool = True) -> int:
    """Kill every process left over from a run or report (by its environment marker).

    Workers and kernels die with the batch by themselves; this catches what a
    notebook started (a server, a tool it shelled out to), which would otherwise
    keep writing into the run folder. Linux only (reads ``/proc``); returns the
    number of processes killed.
    """
    killed = 0
    for _ in range(50):  # repeat: a process may fork while we kill
        pids = _marked(marker, prefix=prefix)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    return killed


def _start_reaper(folder: Path) -> subprocess.Popen | None:
    """Start a small process that kills the run's leftovers if the batch dies (Linux)."""
    if not os.path.isdir("/proc"):
        return None
    return subprocess.Popen([sys.executable, "-c", _REAPER, _mark(folder)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _stop_reaper(reaper: subprocess.Popen | None) -> None:
    """Tell the reaper the batch ended normally (its leftovers are already stopped)."""
    if reaper is None:
        return
    try:
        reaper.communicate(b"done", timeout=10)
    except (subprocess.TimeoutExpired, OSError):
        reaper.kill()
        reaper.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Send ``sig`` to a worker's process group (only while the worker is not reaped)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _enforce_timeout(w: _Worker) -> None:
    """Stop a worker past its timeout: SIGTERM first (it saves), SIGKILL after the grace."""
    now = time.monotonic()
    if w.stopped is None and now - w.started > w.job.timeout:
        w.stopped = now
        _signal_group(w.proc, signal.SIGTERM)
    elif w.stopped is not None and now - w.stopped > KILL_GRACE:
        _signal_group(w.proc, signal.SIGKILL)


def _death(w: _Worker) -> str:
    """Say in words why a worker ended without an outcome."""
    rc = w.proc.returncode
    if w.stopped is not None:
        why = (f"report {w.job.name} ran longer than its timeout of {w.job.timeout:g} s and "
               f"was killed after {KILL_GRACE:g} s more.")
    elif rc is not None and rc < 0:
        name = signal.Signals(-rc).name
        why = (f"the worker process of report {w.job.name} was killed by {name}"
               + (" (out of memory, or killed by hand)." if name == "SIGKILL" else "."))
    else:
        why = f"the worker process of report {w.job.name} exited with code {rc}."
    try:
        tail = w.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    except OSError:
        tail = []
    return why + ("\n" + "\n".join(tail) if tail else "")


def _collect(w: _Worker, folder: Path, plotlyjs: str) -> Outcome:
    """Return a finished worker's outcome: its own report, or its failure in words."""
    job = w.job
    seconds = time.monotonic() - w.started
    path = _outcome_path(folder, job.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        outcome = Outcome(job.name, job.title, job.notebook, job.parameters, data["status"],
                          seconds, data["html"], data["error"], data["compute_seconds"],
                          data["render_seconds"], data.get("headline"), data.get("error_type"))
    except (OSError, ValueError, KeyError):  # the worker died before it could say
        partial = _partial_path(folder, job.name)
        if partial.exists() and partial.stat().st_size:
            os.replace(partial, folder / f"{job.name}.failed.ipynb")
        outcome = Outcome(job.name, job.title, job.notebook, job.parameters, "failed",
                          seconds, _render_failed(folder, job, plotlyjs), _death(w))
    for tmp in (path, w.log, _partial_path(folder, job.name)):
        tmp.unlink(missing_ok=True)
    return outcome


def _run_workers(jobs: list[Job], folder: Path, plotlyjs: str, workers: int,
                 bar) -> list[Outcome]:
    """Run every job in worker processes, ``workers`` at a time, enforcing timeouts."""
    pending = list(jobs)
    running: list[_Worker] = []
    outcomes: list[Outcome] = []
    try:
        while pending or running:
            while pending and len(running) < workers:
                running.append(_start_worker(pending.pop(0), folder, plotlyjs))
            for w in list(running):
                if w.proc.poll() is None:
                    _enforce_timeout(w)
                    continue
                running.remove(w)
                stop_run_processes(_mark(folder, w.job.name), prefix=False)
                outcomes.append(_collect(w, folder, plotlyjs))
                _tick(bar, outcomes[-1])
            time.sleep(0.05)
    except BaseException:  # Ctrl-C (or any error here): no worker outlives the batch
        for w in running:
            _signal_group(w.proc, signal.SIGKILL)
        for w in running:
            w.proc.wait()
        stop_run_processes(_mark(folder))
        raise
    return outcomes


# --------------------------------------------------------------------------- run folders
def _lock(folder: Path):
    """Hold an exclusive lock on ``folder/.lock`` while the run is alive (None without fcntl)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: abandoned runs are then left alone
        return None
    fh = open(folder / ".lock", "a+")  # noqa: SIM115 (held open for the run's lifetime)
    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def _abandoned(folder: Path) -> bool:
    """Tell whether a run folder was left by a batch that died (its lock is free)."""
    try:
        import fcntl
    except ImportError:
        return False
    lock = folder / ".lock"
    if not lock.exists():
        return not (folder / "run.json").exists()
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a live run holds it
        return True


def clean_abandoned_runs(output: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of runs whose batch process died; return the folders.

    A run folder is abandoned when no live batch holds its lock. Only its hidden
    temporary files (partial copies, outcomes, logs, the lock) are removed; the
    reports it finished, and every other run, are left as they are.
    """
    output = Path(output)
    cleaned = []
    if not output.is_dir():
        return cleaned
    for folder in sorted(output.iterdir()):
        if folder.is_symlink() or not folder.is_dir() or not _RUN_FOLDER.fullmatch(folder.name):
            continue
        if not _abandoned(folder):
            continue
        stop_run_processes(_mark(folder))  # in case its reaper was killed too
        for tmp in folder.iterdir():
            if tmp.name.startswith(".") and tmp.is_file():
                tmp.unlink(missing_ok=True)
        cleaned.append(folder)
    for tmp in output.glob(".latest.*"):  # a 'latest' switch cut short
        pid = tmp.name.rsplit(".", 1)[-1]
        if not pid.isdigit() or not _pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)
    return cleaned


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
    latest: bool = True
    """Whether ``latest`` now points at this run (not when every report failed)."""

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


def in_run_folder(jobs: list[Job], folder: Path) -> list[Job]:
    """Fill ``{run}`` in the jobs' text parameters with this run's folder.

    A report writes files that belong to one run there (e.g. the early warning's
    notices: ``notices_dir: "{run}/notices"``), and the index links them.

    Examples
    --------
    >>> job = Job("w", "w.ipynb", "W", {"notices_dir": "{run}/notices", "n": 3})
    >>> in_run_folder([job], Path("/r/20261203-060000"))[0].parameters
    {'notices_dir': '/r/20261203-060000/notices', 'n': 3}
    """
    return [replace(j, parameters={k: v.replace("{run}", str(folder)) if isinstance(v, str)
                                   else v for k, v in j.parameters.items()}) for j in jobs]


def _run_fanout(jobs: list[Job], folder: Path, plotlyjs: str, workers: int, executor: object,
                bar) -> list[Outcome]:
    """Run the ``fanout`` jobs: per notebook, all pages with one kernel per worker."""
    from workbench.reporting.fanout import Page, fan_out

    outcomes: list[Outcome] = []
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.notebook, job.fanout), []).append(job)
    for (notebook, over), group in groups.items():
        pages = [Page(j.name, j.parameters, j.title) for j in group]
        results = fan_out(notebook, over, pages, folder, workers=workers, executor=executor,
                          plotlyjs=plotlyjs, timeout=max(j.timeout for j in group))
        for job, r in zip(group, results, strict=True):
            headline = read_headline(folder / r.notebook) if r.status == "ok" and r.notebook \
                else None
            outcomes.append(Outcome(job.name, job.title, job.notebook, job.parameters, r.status,
                                    r.compute_seconds + r.render_seconds, r.html, r.error,
                                    r.compute_seconds, r.render_seconds, headline, r.error_type))
            _tick(bar, outcomes[-1])
    return outcomes


def run_batch(cfg: BatchConfig, *, parallel: int | None = None, progress: bool = True,
              timeout: float | None = None, executor: object | None = None) -> BatchResult:
    """Run every job of ``cfg`` and write the index; see the module docstring.

    Parameters
    ----------
    cfg
        The validated config (:func:`load_config`).
    parallel
        Worker processes (default: the config's ``parallel``).
    progress
        Show a progress bar (tqdm) or print one line per report.
    timeout
        Seconds per report for every report (default: the config's timeouts).
    executor
        ``None``, or a ``dask.distributed.Client`` that runs the ``fanout`` reports
        (see the module docstring); the other reports run in local workers.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, after the workers were killed; ``latest`` does not move.
    """
    jobs = cfg.jobs
    if timeout is not None:
        t = _check_timeout(timeout, "--timeout")
        jobs = [replace(j, timeout=t) for j in jobs]
    workers = check_count(parallel or cfg.parallel, "--parallel", minimum=1)
    clean_abandoned_runs(cfg.output)
    rid = run_id()
    folder = cfg.output / rid
    n = 1
    while True:  # two runs in the same second
        try:
            folder.mkdir(parents=True)
            break
        except FileExistsError:
            n += 1
            folder = cfg.output / f"{rid}-{n}"
    jobs = in_run_folder(jobs, folder)
    lock = _lock(folder)
    reaper = _start_reaper(folder)
    try:
        if cfg.plotlyjs == "shared":
            write_plotly_js(folder)
        bar = _progress(len(jobs)) if progress else None
        fanned = [j for j in jobs if j.fanout]
        single = [j for j in jobs if not j.fanout]
        outcomes = _run_workers(single, folder, cfg.plotlyjs, min(workers, len(single)), bar) \
            if single else []
        if fanned:
            outcomes += _run_fanout(fanned, folder, cfg.plotlyjs, workers, executor, bar)
        if bar is not None:
            bar.close()
        order = {j.name: i for i, j in enumerate(jobs)}
        outcomes.sort(key=lambda o: order[o.name])
        index = write_index(folder, cfg, outcomes, period=dataset_period(cfg.data))
        moved = any(o.status == "ok" for o in outcomes)
        if moved:  # a run where everything failed never replaces the last good one
            _point_latest(cfg.output, folder)
    finally:
        _stop_reaper(reaper)
        if lock is not None:
            (folder / ".lock").unlink(missing_ok=True)
            lock.close()
    return BatchResult(folder, index, outcomes, moved)


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


def write_index(folder: Path, cfg: BatchConfig, outcomes: list[Outcome], *,
                period: str = "") -> Path:
    """Write ``index.html`` (:func:`~workbench.reporting.index.render_index`) and ``run.json``.

    ``period`` is the period the dataset covers
    (:func:`~workbench.reporting.index.dataset_period`), shown on the index.
    """
    html = render_index(folder, cfg, outcomes, period=period)
    index = folder / "index.html"
    atomic_write_bytes(index, html.encode("utf-8"))
    manifest = {"run": folder.name, "title": cfg.title, "config": cfg.source,
                "data": cfg.data, "dataset": cfg.dataset, "period": period,
                "reports": [asdict(o) for o in outcomes]}
    atomic_write_bytes(folder / "run.json", json.dumps(manifest, indent=2, default=str).encode())
    return index


def dry_run(cfg: BatchConfig) -> str:
    """Describe what a run would do (after full validation); runs nothing."""
    lines = [f"{cfg.title}: {len(cfg.jobs)} report(s) -> {cfg.output}/<run-id>/ "
             f"(plotly.js {cfg.plotlyjs}, {cfg.parallel} worker(s))"]
    if cfg.data:
        lines.append(f"  data: {cfg.dataset} ({cfg.data})")
    for j in cfg.jobs:
        params = ", ".join(f"{k}={v!r}" for k, v in j.parameters.items()) or "defaults"
        how = f", fan-out over {j.fanout}" if j.fanout else ""
        lines.append(f"  {j.name}: {j.notebook} [{params}] (timeout {j.timeout:g} s{how})")
    return "\n".join(lines)
