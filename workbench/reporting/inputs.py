"""Which input a report uses: the parameter, the dataset's own, or a stated fallback.

A report on any dataset needs a few inputs the data may not carry: expedite
options, a planning date, a value measure, a date that places demand in time,
known churners to score warnings against (service targets:
:func:`workbench.reporting.availability.targets_for`). Each function here
picks one, in a fixed order (the notebook parameter, then the dataset's own,
then a generic fallback or nothing), and returns a :class:`Choice`: the value
and the sentence the report shows so a reader knows what was used. Nothing from
the bundled sample is used on other data: the sample's targets, expedite modes
and planted churners come only through the sample's own ``dataset.yaml``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.exceptions import ConfigError, SourceNotFoundError
from workbench.io.dataset import Dataset
from workbench.paths import resolve_source
from workbench.planning.expedite import load_expedite_options
from workbench.reporting.availability import has_column, not_available_note
from workbench.validation import check_choice, check_date, check_language

__all__ = [
    "SAMPLE_TRUTH",
    "Choice",
    "churn_truth",
    "demand_date",
    "expedite_options_for",
    "measure_for",
    "pab_inputs",
    "planning_date",
    "show_notes",
]

SAMPLE_TRUTH = "sample_truth.json"
"""The bundled sample's answer key (planted churners), beside its ``dataset.yaml``."""


@dataclass(frozen=True)
class Choice:
    """An input a report uses and the sentence that says where it comes from.

    Attributes
    ----------
    value
        The input (a table, a date, a column name, ... or ``None`` for none).
    source
        ``"parameter"``, ``"dataset"``, ``"sample"``, ``"fallback"`` or ``"none"``.
    note
        Markdown-safe sentence for the report (``""`` when nothing needs saying).
    """

    value: object
    source: str
    note: str


def _label(path: Path) -> str:
    return path.name


def expedite_options_for(ds: Dataset, expedite_options: str = "") -> Choice:
    """Expedite modes: the parameter's file, the dataset's, else none.

    Without a table no expedite mode or cost is invented: every customer-facing
    shortage is then a confirmed break (no known way to close it in time), and
    the sentence says so.

    Returns
    -------
    Choice
        ``value``: validated options (possibly empty,
        :func:`workbench.planning.expedite.no_expedite_options`).
    """
    if expedite_options:
        path = Path(resolve_source(expedite_options))
        return Choice(load_expedite_options(path), "parameter",
                      f"Expedite options from {_label(path)}.")
    if ds.expedite_options is not None:
        return Choice(load_expedite_options(ds.expedite_options), "dataset",
                      f"Expedite options from the dataset ({_label(ds.expedite_options)}).")
    return Choice(load_expedite_options(None, default="none"), "none",
                  "No expedite options in this dataset: no expedite mode or cost is proposed, "
                  "so every shortage of customer orders counts as a confirmed break (level 3) "
                  "rather than a potential risk (level 2). To have shortages that a faster mode "
                  "can still close reported as level 2, list your modes in a CSV (mode, "
                  "transit_days, lead_time_saved_days, cost_per_unit, max_qty) and name it as "
                  "expedite_options: in the dataset YAML.")


_PAB_NOTES = {
    "en": {
        "supply_plan": "PAB with zero receipts: the dataset has no supply_plan table, so no "
                       "receipt is counted in the horizon and every shortage below assumes "
                       "nothing arrives; add a supply_plan table (scheduled receipts: item_id, "
                       "due_date, qty, firm) to the dataset YAML under tables: for the receipts "
                       "and the planned-receipt (level 1) check. The drafted customer notices "
                       "rest on the same assumption: check them against the real supply before "
                       "sending.",
        "forecast": "No forecast table: demand beyond the demand time fence is the customer "
                    "orders alone.",
        "safety_stock": "No safety stock in the data (items.safety_stock): it is taken as 0, "
                        "so no below-safety-stock alert is raised.",
        "customers": "No customer master: notices name customers by their id and are written "
                     "in English; scarce supply is allocated by due date without tiers.",
    },
    "zh": {
        "supply_plan": "预计可用库存按零到货计算：数据集没有供应计划表，计划期内不计任何到货，"
                       "下文所有缺货都假定没有到货；请在数据集中加入供应计划表（已排定的到货："
                       "物料、到货日期、数量、是否确认），以计入到货并检查依赖计划到货的情形"
                       "（一级）。所拟客户通知也基于同一假定：发送前请对照实际供应核实。",
        "forecast": "没有需求预测表：需求时界之后的需求仅为客户订单。",
        "safety_stock": "数据中没有安全库存（物料主数据的安全库存）：按 0 计，因此不会产生"
                        "低于安全库存的预警。",
        "customers": "没有客户主数据：通知以客户编号称呼客户并以英文书写；短缺供应按到期日"
                     "分配，不分客户等级。",
    },
}


def pab_inputs(ds: Dataset, lang: str = "en") -> Choice:
    """Whether the PAB projection and the early warning can run, and what they assume.

    They need the inventory snapshot (stock on hand) and the order lines'
    requested date (when customers want the goods); without both, ``value`` is
    False and ``note`` is the one not-available line (naming the supply plan too
    when it is missing). With inventory but no supply plan the PAB runs with zero
    receipts, and the note says so; a missing forecast, item master or customer
    master is also said, with what the report assumes instead, in ``lang``.

    Returns
    -------
    Choice
        ``value``: True when the projection can run.
    """
    words = _PAB_NOTES[check_language(lang)]
    if not (has_column(ds, "inventory") and has_column(ds, "order_lines", "requested_date")):
        return Choice(False, "none", not_available_note("pab", ds, lang) or "")
    missing = [key for key, present in (
        ("supply_plan", has_column(ds, "supply_plan")), ("forecast", has_column(ds, "forecast")),
        ("safety_stock", has_column(ds, "items", "safety_stock")),
        ("customers", has_column(ds, "customers"))) if not present]
    notes = [words[key] for key in missing]
    return Choice(True, "dataset" if not notes else "fallback",
                  ("" if lang == "zh" else " ").join(notes))


_EVENT_DATES = ("order_date", "ship_date", "delivery_date")
"""Order-line dates of events that have happened (requested and promised dates may lie ahead)."""


def planning_date(ds: Dataset, as_of: str = "") -> Choice:
    """Planning date: the parameter, the dataset's ``as_of``, the inventory snapshot, the data.

    The last fallback is the latest order, ship or delivery date in the order
    lines (dates of events that happened: requested and promised dates may lie
    ahead), said in the note.

    Returns
    -------
    Choice
        ``value``: a :class:`pandas.Timestamp`.

    Raises
    ------
    DateParameterError
        ``as_of`` is not a date.
    ConfigError
        No date anywhere in the data.
    """
    if as_of and str(as_of).strip():
        return Choice(check_date(as_of, key="as_of"), "parameter", "")
    if ds.settings.as_of is not None:
        return Choice(check_date(ds.settings.as_of, key="as_of"), "dataset", "")
    inv = ds.inventory
    if inv is not None and "snapshot_date" in inv.columns and inv["snapshot_date"].notna().any():
        return Choice(check_date(inv["snapshot_date"].max(), key="as_of"), "dataset", "")
    orders = ds.orders
    found = [orders[c].max() for c in _EVENT_DATES
             if orders is not None and c in orders.columns and orders[c].notna().any()]
    if not found:
        raise ConfigError("no planning date: no as_of parameter or setting, no inventory "
                          "snapshot and no date in the order lines", key="as_of",
                          fix="pass as_of='YYYY-MM-DD' or set settings.as_of in the dataset "
                              "YAML.")
    day = check_date(max(found), key="as_of")
    return Choice(day, "fallback",
                  f"Planning date {day:%Y-%m-%d}: the latest order, ship or delivery date in the "
                  "order lines (the "
                  "dataset sets no as_of and has no inventory snapshot; settings: {as_of: YYYY-MM-DD} "
                  "in the dataset chooses another).")


_MEASURE_NEEDS = {"margin": "margin", "revenue": "revenue"}


def measure_for(ds: Dataset, measure: str = "revenue") -> Choice:
    """Return the value measure the data supports: ``measure``, else revenue, else volume.

    ``margin`` needs ``order_lines.unit_price`` and ``items.unit_cost``,
    ``revenue`` needs ``order_lines.unit_price``; ``volume`` (units ordered)
    always works. A fallback is said in the note with what is missing.

    Raises
    ------
    ChoiceError
        ``measure`` is not revenue, margin or volume.
    """
    measure = check_choice(measure, ("revenue", "margin", "volume"), key="value_measure")
    chain = {"margin": ("margin", "revenue", "volume"), "revenue": ("revenue", "volume"),
             "volume": ("volume",)}[measure]
    for m in chain:
        note = not_available_note(_MEASURE_NEEDS[m], ds) if m in _MEASURE_NEEDS else None
        if note is None:
            if m == measure:
                return Choice(m, "parameter", "")
            missing = not_available_note(_MEASURE_NEEDS[measure], ds) or ""
            unit = "units ordered" if m == "volume" else m
            return Choice(m, "fallback", f"Ranked by {unit} instead of {measure}. {missing}")
    raise ConfigError("no value measure", key="value_measure")  # volume never fails


def demand_date(orders: pd.DataFrame) -> Choice:
    """Return the date column that places demand in time: requested, promised or order date.

    Raises
    ------
    ConfigError
        The order lines have none of the three dates.

    Examples
    --------
    >>> demand_date(pd.DataFrame({"promised_date": pd.to_datetime(["2025-01-02"])})).value
    'promised_date'
    """
    for col in ("requested_date", "promised_date", "order_date"):
        if col in orders.columns and orders[col].notna().any():
            note = "" if col == "requested_date" else (
                f"Demand is placed in time by the {col.replace('_', ' ')} (the order lines have "
                "no requested date; map a requested-date column (requested_date) in the "
                "order-lines mapping to use the date customers asked for).")
            return Choice(col, "dataset" if not note else "fallback", note)
    raise ConfigError("the order lines have no requested, promised or order date",
                      key="order_lines.requested_date",
                      fix="map a requested-date column (requested_date) in the order-lines "
                          "mapping.")


def _truth_folder(ds: Dataset) -> Path:
    if ds.description is not None:
        return ds.description.parent
    return ds.folder if ds.folder.is_dir() else ds.folder.parent


def churn_truth(ds: Dataset, truth_file: str = "") -> Choice:
    """Known churners to score the churn warnings against, if any.

    ``truth_file`` (a JSON file with a ``churned_customers`` list) is used when
    given. Otherwise only the bundled sample is scored: a ``sample_truth.json``
    beside the dataset's description (or in its folder) whose ``n_lines`` equals
    the order lines read. Any other data gets no truth and no score.

    Returns
    -------
    Choice
        ``value``: the parsed JSON (dict) or ``None``; ``source`` ``"parameter"``,
        ``"sample"`` or ``"none"``; ``note`` names the churners' origin ("planted
        in the sample" only for the sample's own key).

    Raises
    ------
    SourceNotFoundError
        ``truth_file`` does not exist.
    ConfigError
        The file is not JSON with a ``churned_customers`` list.
    """
    if truth_file:
        path = Path(resolve_source(truth_file))
        truth = _read_truth(path)
        return Choice(truth, "parameter", f"the {len(truth['churned_customers'])} known "
                                          f"churners listed in {_label(path)}")
    path = _truth_folder(ds) / SAMPLE_TRUTH
    res = ds.results.get("order_lines")
    if not path.is_file() or res is None:
        return Choice(None, "none", "")
    truth = _read_truth(path)
    if truth.get("n_lines") != res.summary.rows_in:
        return Choice(None, "none", "")
    return Choice(truth, "sample", f"the {len(truth['churned_customers'])} customers known "
                                   "to have left in this sample")


def _read_truth(path: Path) -> dict:
    if not path.is_file():
        raise SourceNotFoundError("churn truth file not found", path=str(path),
                                  fix="pass a JSON file with a churned_customers list, or leave "
                                      "truth_file empty.")
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"churn truth file is not JSON ({exc})", source=str(path),
                          key="truth_file", fix="write {\"churned_customers\": [...]}.") from None
    churned = truth.get("churned_customers") if isinstance(truth, dict) else None
    if not isinstance(churned, list):
        raise ConfigError("churn truth file has no churned_customers list", source=str(path),
                          key="truth_file", fix="write {\"churned_customers\": [\"C1\", ...]}.")
    return truth


def show_notes(*notes: str) -> None:
    """In a notebook: display each non-empty note as one italic line.

    Like :func:`workbench.reporting.availability.section`: the Markdown is
    escaped (file names and data values show as text), the plain-text copy of
    the output holds the line as is.
    """
    from IPython.display import display

    from workbench.reporting.tables import md

    for note in notes:
        if note:
            display({"text/markdown": f"*{md(note)}*", "text/plain": note}, raw=True)
