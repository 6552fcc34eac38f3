"""The index page of a report run: what a manager lands on.

One row per report: its title and one-line description, its headline status
(what the notebook published with :func:`publish_headline`, e.g. "2 confirmed
breaks, 8 potential risks"), the period its data covers, the last run in which
it succeeded, and, when it failed, why in one sentence a manager understands,
with the technical details for the analyst folded away (``<details>``).

Publishing a headline (in a notebook cell, after the numbers are computed)::

    from workbench.reporting.index import publish_headline
    publish_headline(f"{n_breaks} confirmed breaks, {n_risks} potential risks",
                     period=ds.orders["order_date"])

The headline travels in the executed notebook as one display output of type
:data:`HEADLINE_MIME`; :func:`read_headline` takes it back out. A report that
publishes none is listed with its description alone. Every text is escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import workbench.exceptions as wbx
from workbench.i18n import fmt_date
from workbench.text import escape_html

__all__ = [
    "HEADLINE_MIME",
    "dataset_period",
    "failure_in_words",
    "last_good_runs",
    "period_text",
    "publish_headline",
    "read_headline",
    "render_index",
    "run_label",
]

HEADLINE_MIME = "application/vnd.workbench.headline+json"
"""Output type under which :func:`publish_headline` stores the headline in the notebook."""
_RUN = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(-\d+)?")
_MAX_RUNS = 500
"""Run folders looked at for the last good run (the newest ones)."""


# --------------------------------------------------------------------------- headline
def period_text(dates: object) -> str:
    """Describe the period ``dates`` cover: ``"2 Jan 2023 – 30 Dec 2024"``.

    Parameters
    ----------
    dates
        A Series or sequence of dates (missing ones ignored), or a text that
        already names the period (returned stripped).

    Returns
    -------
    str
        ``"first – last"`` as people write dates (one date when they are equal);
        ``""`` without dates.

    Examples
    --------
    >>> period_text(["2024-03-05", None, "2023-01-02"])
    '2 Jan 2023 – 5 Mar 2024'
    """
    if dates is None:
        return ""
    if isinstance(dates, str):
        return dates.strip()
    values = pd.to_datetime(pd.Series(list(dates) if not isinstance(dates, pd.Series)
                                      else dates), errors="coerce").dropna()
    if values.empty:
        return ""
    first, last = fmt_date(values.min()), fmt_date(values.max())
    return first if first == last else f"{first} – {last}"


def dataset_period(data: str | None) -> str:
    """Return the period the order lines of dataset ``data`` cover (``""`` if unknown).

    Loads the order lines once (the notebooks each load them too); a dataset
    that cannot be read gives ``""``: the reports themselves say why.
    """
    if not data:
        return ""
    from workbench.io.config import open_dataset

    try:
        orders = open_dataset(data, tables=("order_lines",)).orders
    except wbx.WorkbenchError:
        return ""
    return period_text(orders["order_date"]) if "order_date" in orders else ""


def publish_headline(status: str, period: object = None, *, show: bool = False) -> None:
    """Publish a report's headline for the run's index (call in a notebook cell).

    Parameters
    ----------
    status
        One line a manager reads first, e.g. ``"2 confirmed breaks, 8 potential risks"``.
    period
        The period the report covers: a text, or the dates themselves (e.g.
        ``ds.orders["order_date"]``, summarised by :func:`period_text`).
    show
        Also show the headline in the report itself (bold text); by default the
        output is invisible in the report.

    Notes
    -----
    Stores ``{"status": ..., "period": ...}`` in the executed notebook and
    returns nothing, so a call as a cell's last line prints nothing.
    """
    from IPython.display import display

    headline = {"status": " ".join(str(status).split()), "period": period_text(period)}
    visible = ({"text/markdown": f"**{escape_html(headline['status'])}**"
                + (f" ({escape_html(headline['period'])})" if headline["period"] else "")}
               if show else {"text/html": ""})
    display({HEADLINE_MIME: headline, **visible}, raw=True)


def read_headline(executed: str | Path) -> dict | None:
    """Return the headline an executed notebook published (the last one), or ``None``."""
    try:
        nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            value = (out.get("data") or {}).get(HEADLINE_MIME)
            if isinstance(value, dict) and value.get("status"):
                found = {"status": str(value["status"]), "period": str(value.get("period") or "")}
    return found


# --------------------------------------------------------------------------- failures
_SENTENCES = {
    "timeout": "It took longer than its time limit and was stopped; the data may have grown, "
               "or the report needs a longer limit.",
    "died": "It stopped abruptly, most likely because the computer ran out of memory; "
            "it can be rerun on a larger machine or on less data.",
    "data": "The data lacks information this report needs (some columns are missing or empty); "
            "the other reports are not affected.",
    "source": "The data could not be read (a file is missing, empty or damaged).",
    "setting": "A setting is wrong (a report parameter, the column mapping or the data "
               "description) and needs correcting before the next run.",
    "other": "It failed on an unexpected error; an analyst needs to look at the details.",
}
_CELL_ERROR = re.compile(r"failed in cell \S+: ([A-Za-z_][\w.]*):")
_LEAD_ERROR = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)):")


def _error_class(name: str | None) -> type | None:
    """Return the workbench exception class called ``name`` (dotted names: the last part)."""
    cls = getattr(wbx, (name or "").rsplit(".", 1)[-1], None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def failure_in_words(error: str | None, error_type: str | None = None) -> str:
    """Say in one sentence a manager understands why a report failed.

    Parameters
    ----------
    error
        The failure text the batch recorded (the analyst's details).
    error_type
        The exception class name, when known; else it is read from ``error``
        (``"... failed in cell 4: NotAvailableError: ..."``).

    Returns
    -------
    str
        One of: ran past its time limit; stopped abruptly (out of memory); the
        data lacks what the report needs; the data could not be read; a setting
        is wrong; an unexpected error.
    """
    text = error or ""
    low = text.lower()
    names = [error_type] if error_type else []
    names += _CELL_ERROR.findall(text) + _LEAD_ERROR.findall(text.strip())
    classes = [c for c in map(_error_class, names) if c is not None]

    def any_is(*kinds: type) -> bool:
        return any(issubclass(c, kinds) for c in classes)

    if any_is(wbx.ReportTimeoutError) or "longer than its timeout" in low:
        kind = "timeout"
    elif (any_is(wbx.KernelDiedError) or ("kernel" in low and "died" in low)
          or "killed by sig" in low or "worker process" in low):
        kind = "died"
    elif any_is(wbx.NotAvailableError):
        kind = "data"
    elif any_is(wbx.SourceError):
        kind = "source"
    elif any_is(wbx.ConfigError, wbx.MappingError):
        kind = "setting"
    else:
        kind = "other"
    return _SENTENCES[kind]


# --------------------------------------------------------------------------- last good run
def run_label(run: str) -> str:
    """Show a run folder name as a date and time: ``20261203-122335`` -> ``2026-12-03 12:23``."""
    m = _RUN.fullmatch(run)
    return f"{m[1]}-{m[2]}-{m[3]} {m[4]}:{m[5]}" if m else run


def last_good_runs(output: str | Path, names: Iterable[str], *,
                   exclude: str | None = None) -> dict[str, tuple[str, str | None]]:
    """Find, per report name, the newest run folder under ``output`` where it succeeded.

    Parameters
    ----------
    output
        The folder holding the run folders (``reports/<dataset-slug>/``).
    names
        Report names to look for.
    exclude
        A run folder name to skip (the run being written).

    Returns
    -------
    dict
        ``{name: (run folder name, the report's HTML file or None)}`` for the
        names found; a run counts when its ``run.json`` records status ``ok``.
    """
    wanted = set(names)
    found: dict[str, tuple[str, str | None]] = {}
    root = Path(output)
    if not root.is_dir() or not wanted:
        return found
    runs = sorted((p for p in root.iterdir()
                   if _RUN.fullmatch(p.name) and p.name != exclude and not p.is_symlink()),
                  key=lambda p: p.name, reverse=True)[:_MAX_RUNS]
    for run in runs:
        try:
            manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
            entries = list(manifest.get("reports") or [])
        except (OSError, ValueError, AttributeError, TypeError):
            continue  # an unfinished or damaged run says nothing
        for entry in entries:
            name = entry.get("name") if isinstance(entry, dict) else None
            if name in wanted and name not in found and entry.get("status") == "ok":
                found[name] = (run.name, entry.get("html"))
        if len(found) == len(wanted):
            break
    return found


# --------------------------------------------------------------------------- the page
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC",
  sans-serif; margin: 0 auto; max-width: 1100px; padding: 12px; color: #222; }
table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
td, th { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left;
  vertical-align: top; }
.ok { color: #2e8b57; font-weight: 600; } .failed { color: #c0392b; font-weight: 600; }
.desc { color: #444; margin-top: 2px; } .muted { color: #777; font-size: 12px; }
.headline { font-weight: 600; }
pre { white-space: pre-wrap; font-size: 12px; max-width: 40em; }
details summary { cursor: pointer; color: #555; font-size: 13px; }
"""


def _fmt_params(params: dict) -> str:
    return ", ".join(f"{escape_html(k)}={escape_html(v)}" for k, v in params.items()) or "-"


_LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def _versions(outcomes: Sequence[Any], languages: dict[str, str]
              ) -> tuple[list[Any], dict[str, list[Any]]]:
    """Split outcomes into rows and the other-language versions shown inside each row.

    A report ``<name>_<lang>`` produced in another language than ``<name>`` is a
    version of it, unless it failed (a failure keeps its own row).
    """
    names = {o.name for o in outcomes}
    rows, versions = [], {}
    for o in outcomes:
        lang = languages.get(o.name, "en")
        base = o.name.removesuffix(f"_{lang}")
        if lang != "en" and base != o.name and base in names and o.status == "ok":
            versions.setdefault(base, []).append(o)
        else:
            rows.append(o)
    return rows, versions


def _version_links(versions: Sequence[Any], languages: dict[str, str]) -> str:
    links = [f'<a href="{escape_html(v.html)}" lang="{escape_html(languages.get(v.name, ""))}">'
             f"{escape_html(_LANGUAGE_NAMES.get(languages.get(v.name, ''), v.title))}</a>"
             for v in versions if v.html]
    return f'<div class="desc">Also in: {" · ".join(links)}</div>' if links else ""


def _row(o: Any, description: str, last: tuple[str, str | None] | None, run: str,
         data_period: str, versions: str = "") -> str:
    """One report's row of the index (every text escaped)."""
    link = (f'<a href="{escape_html(o.html)}">{escape_html(o.title)}</a>' if o.html
            else escape_html(o.title))
    link += versions
    desc = f'<div class="desc">{escape_html(description)}</div>' if description else ""
    headline = getattr(o, "headline", None) or {}
    analyst = (f'<div class="muted">parameters: {_fmt_params(o.parameters)}; notebook '
               f'<code>{escape_html(o.notebook)}</code></div>')
    if o.status == "ok":
        status = '<span class="ok">OK</span>'
        if headline.get("status"):
            status += f'<div class="headline">{escape_html(headline["status"])}</div>'
        status += f"<details><summary>details for the analyst</summary>{analyst}</details>"
        good = f"this run ({escape_html(run_label(run))})"
    else:
        sentence = failure_in_words(o.error, getattr(o, "error_type", None))
        status = (f'<span class="failed">Failed</span><div>{escape_html(sentence)}</div>'
                  f"<details><summary>details for the analyst</summary>"
                  f"<pre>{escape_html(o.error or 'no error text was recorded')}</pre>"
                  f"{analyst}</details>")
        if last is None:
            good = "none yet"
        else:
            label = escape_html(run_label(last[0]))
            good = (f'<a href="../{escape_html(last[0])}/{escape_html(last[1])}">{label}</a>'
                    if last[1] else label)
    period = (headline.get("period") or (data_period if o.status == "ok" else "")
              or "")
    period = escape_html(period) or '<span class="muted">-</span>'
    return (f"<tr><td>{link}{desc}</td><td>{status}</td><td>{period}</td><td>{good}</td>"
            f"<td>{o.seconds:.1f} s</td></tr>")


def _notices_line(folder: Path) -> str:
    """Link the customer notices this run exported (``notices/notices.csv``), in one line."""
    listing = folder / "notices" / "notices.csv"
    if not listing.is_file():
        return ""
    try:
        n = len(pd.read_csv(listing, encoding="utf-8-sig", dtype=str))
    except (OSError, ValueError, pd.errors.ParserError):
        return ""
    what = "no customer notice" if n == 0 else f"{n} customer notice{'s' if n != 1 else ''}"
    return (f'<p>{escape_html(what.capitalize())} ready to send: '
            f'<a href="notices/notices.csv">the list (CSV)</a>, and one HTML and one text file '
            f'per notice in the folder <a href="notices/">notices</a>.</p>')


def render_index(folder: str | Path, cfg: Any, outcomes: Sequence[Any], *,
                 descriptions: dict[str, str] | None = None,
                 written: pd.Timestamp | None = None, period: str = "") -> str:
    """Return the HTML of a run's index page (see the module docstring).

    Parameters
    ----------
    folder
        The run folder (its name is the run id; its parent holds the other runs).
    cfg
        The batch config (:class:`~workbench.reporting.batch.BatchConfig`: title,
        dataset, jobs with their descriptions).
    outcomes
        What happened to each report (:class:`~workbench.reporting.batch.Outcome`),
        in the order to list them.
    descriptions
        One-line description per report name (default: from ``cfg.jobs``).
    written
        When the page is written (default: now).
    period
        The period the dataset's order lines cover (:func:`dataset_period`): shown
        at the top, and for a report that succeeded without publishing its own.
    """
    folder = Path(folder)
    if descriptions is None:
        descriptions = {j.name: getattr(j, "description", "") for j in cfg.jobs}
    failed = [o.name for o in outcomes if o.status != "ok"]
    last = last_good_runs(folder.parent, failed, exclude=folder.name)
    languages = {j.name: getattr(j, "language", "en") for j in cfg.jobs}
    shown, versions = _versions(outcomes, languages)
    rows = "".join(_row(o, descriptions.get(o.name, ""), last.get(o.name), folder.name,
                        period, _version_links(versions.get(o.name, []), languages))
                   for o in shown)
    written = written if written is not None else pd.Timestamp.now()
    n_ok = len(outcomes) - len(failed)
    if not failed:
        verdict = ("the report is up to date." if n_ok == 1 else
                   f"all {n_ok} reports are up to date.")
    else:
        verdict = (f"{n_ok} of {len(outcomes)} reports are up to date; {len(failed)} failed "
                   "(the reason is given in its row, with its last good run).")
    covers = f", orders from {escape_html(period)}" if period else ""
    notices = _notices_line(folder)
    data = (f"<p>Data: <b>{escape_html(cfg.dataset)}</b>{covers} "
            f"(<code>{escape_html(cfg.data)}</code>)</p>" if cfg.data else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_html(cfg.title)} — {escape_html(folder.name)}</title>
<style>{_STYLE}</style></head><body>
<h1>{escape_html(cfg.title)}</h1>
{data}
<p>Run of {escape_html(run_label(folder.name))} (<code>{escape_html(folder.name)}</code>,
written {escape_html(f"{written:%Y-%m-%d %H:%M}")}): {escape_html(verdict)}</p>
{notices}
<table><thead><tr><th>report</th><th>status</th><th>period covered</th><th>last good run</th>
<th>run time</th></tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""
