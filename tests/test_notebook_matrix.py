"""Every notebook on every kind of dataset: it runs, says what is missing, and leaks no sample.

The matrix: each notebook x dataset

* ``a``: order lines with only ``order_id, customer_id, item_id, order_date,
  promised_date, delivery_date, qty_ordered`` (cut from the sample), one file;
* ``b``: ``a`` plus the sample's ``customers.csv``, as a folder of tables;
* ``c``: the full sample (``data/samples``, through its ``dataset.yaml``);
* ``d_kaggle``, ``d_usaid``: each public SCMS copy in ``shared/data/real/``
  through a dataset YAML with ``mapping: scms_shipments``.

Each (notebook, dataset) is executed once per session with papermill (slow on two
cores) and cached; the tests below make their assertions on the cached runs.
The datasets are built in a session-scoped temporary folder, never committed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import nbformat
import pandas as pd
import pytest

from workbench.exceptions import WorkbenchError
from workbench.paths import data_path, project_root, shared_data_path
from workbench.reporting.reports import execute_notebook

pytestmark = pytest.mark.notebook

A_COLUMNS = ["order_id", "customer_id", "item_id", "order_date", "promised_date",
             "delivery_date", "qty_ordered"]
SCMS = {
    "d_kaggle": "scms_delivery_history_kaggle/SCMS_Delivery_History_Dataset.csv",
    "d_usaid": "scms_shipment_pricing_usaid_export/Supply_Chain_Shipment_Pricing_Data.csv",
}
DATASETS = ("a", "b", "c", *SCMS)

NOTEBOOKS: dict[str, dict[str, object]] = {
    # notebook stem -> extra parameters for every dataset (besides ``data``)
    "order_history": {},
    "service_kpis": {},
    "customer_review": {},
    "manager_summary": {},
    "customer_segments": {},
    "pab_early_warning": {},
    "service_cost_tradeoff": {"interactive": False},
    "cluster_run": {},
}
"""Notebooks in the matrix (helpers add theirs) and parameters they need besides ``data``."""

MISSING = "Not available: needs"
EXPECTED: dict[tuple[str, str], list[str]] = {
    # (notebook, dataset) -> text the outputs must contain (what is missing, said in words)
    ("order_history", "a"): ["Not available: needs customers.customer_name",
                             "Not available: needs order_lines.unit_price"],
    ("order_history", "b"): ["Not available: needs order_lines.unit_price"],
    ("order_history", "d_kaggle"): ["10,324 rows in"],
    ("order_history", "d_usaid"): ["10,324 rows in"],
    ("service_kpis", "a"): ["Not available: needs order_lines.qty_shipped",
                            "generic default"],
    ("service_kpis", "b"): ["Not available: needs order_lines.qty_shipped"],
    ("service_kpis", "d_kaggle"): ["Not available: needs order_lines.qty_shipped",
                                   "generic default"],
    ("customer_review", "a"): ["Not available: needs order_changes",
                               "Not available: needs complaints"],
    ("customer_review", "d_kaggle"): ["Not available: needs order_lines.qty_delivered"],
    ("manager_summary", "a"): ["Not available: needs inventory"],
    ("manager_summary", "d_usaid"): ["Not available: needs inventory"],
    ("customer_segments", "a"): ["Ranked by units ordered instead of revenue",
                                 "Not available: needs customers.customer_name",
                                 "Not available: needs order_changes",
                                 "No known churners for this data"],
    ("customer_segments", "b"): ["Ranked by units ordered instead of revenue"],
    ("customer_segments", "c"): ["Against the 8 customers known to have left in this sample"],
    ("customer_segments", "d_kaggle"): ["No known churners for this data",
                                        "Not available: needs order_changes"],
    ("pab_early_warning", "a"): ["Not available: needs inventory, supply_plan, "
                                 "order_lines.requested_date",
                                 "open customer orders by item and period",
                                 "No line status in the data"],
    ("pab_early_warning", "d_usaid"): ["Not available: needs inventory"],
    ("service_cost_tradeoff", "a"): ["Not available: needs items.unit_cost",
                                     "weekly demand per item over the last 52 weeks"],
    ("service_cost_tradeoff", "d_kaggle"): ["Not available: needs items.unit_cost"],
}
"""What each run must say. Cases without an entry only must run without error."""

SAMPLE_IDS = re.compile(r"\b(C0\d{3}|ITM-\d{4}|SO-\d{6})\b")
"""Customer, item and order ids of the bundled sample: never in a run on other data."""


@dataclass
class Run:
    """One executed (notebook, dataset): the executed notebook or the error that stopped it."""

    notebook: str
    dataset: str
    nb: nbformat.NotebookNode | None
    error: str | None

    def text(self) -> str:
        """Every output as text: streams, plain/Markdown/HTML data, chart JSON, errors."""
        if self.nb is None:
            return ""
        parts = []
        for cell in self.nb.cells:
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                if "text" in out:
                    parts.append(str(out["text"]))
                for value in out.get("data", {}).values():
                    parts.append(value if isinstance(value, str) else json.dumps(value))
                if out.get("output_type") == "error":
                    parts.append("\n".join(out.get("traceback", [])))
        return "\n".join(parts)


@pytest.fixture(scope="session")
def matrix_data(tmp_path_factory) -> dict[str, str]:
    """Build the datasets of the matrix (see the module docstring): name -> ``data`` value."""
    root = tmp_path_factory.mktemp("matrix_data")
    lines = pd.read_csv(data_path("samples/order_lines.csv"), dtype=str, keep_default_na=False)
    a = root / "a"
    a.mkdir()
    lines[A_COLUMNS].to_csv(a / "order_lines.csv", index=False)
    b = root / "b"
    b.mkdir()
    lines[A_COLUMNS].to_csv(b / "order_lines.csv", index=False)
    (b / "customers.csv").write_bytes(data_path("samples/customers.csv").read_bytes())
    out = {"a": str(a / "order_lines.csv"), "b": str(b), "c": "samples"}
    for name, rel in SCMS.items():
        src = shared_data_path(rel)
        if not src.exists():
            continue
        yml = root / f"{name}.yaml"
        yml.write_text(f"name: SCMS {name[2:]}\ntables:\n  order_lines:\n"
                       f"    source: {json.dumps(str(src))}\n    mapping: scms_shipments\n",
                       encoding="utf-8")
        out[name] = str(yml)
    return out


@pytest.fixture(scope="session")
def runs(matrix_data, tmp_path_factory):
    """Execute a (notebook, dataset) once per session; later calls return the cached run."""
    cache: dict[tuple[str, str], Run] = {}
    folder = tmp_path_factory.mktemp("matrix_runs")

    def get(notebook: str, dataset: str) -> Run:
        key = (notebook, dataset)
        if key not in cache:
            if dataset not in matrix_data:
                pytest.skip(f"real dataset not available: {SCMS[dataset]} is absent (it lives "
                            f"in ../shared/ beside the project; set WORKBENCH_SHARED)")
            nb_path = project_root() / "notebooks" / f"{notebook}.ipynb"
            params = {"data": matrix_data[dataset], **NOTEBOOKS[notebook]}
            out = folder / f"{notebook}-{dataset}.ipynb"
            try:
                execute_notebook(nb_path, out, params)
                cache[key] = Run(notebook, dataset, nbformat.read(out, as_version=4), None)
            except WorkbenchError as exc:
                failed = out.with_name(f"{out.stem}.failed.ipynb")
                nb = nbformat.read(failed, as_version=4) if failed.exists() else None
                cache[key] = Run(notebook, dataset, nb, str(exc))
        return cache[key]

    return get


CASES = [(nb, ds) for nb in NOTEBOOKS for ds in DATASETS]
IDS = [f"{nb}-{ds}" for nb, ds in CASES]


@pytest.mark.parametrize(("notebook", "dataset"), CASES, ids=IDS)
def test_runs_without_error(runs, notebook, dataset):
    run = runs(notebook, dataset)
    assert run.error is None, f"{notebook} on {dataset} failed: {run.error}"
    errors = [o for c in run.nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize(("notebook", "dataset"), CASES, ids=IDS)
def test_says_what_is_missing(runs, notebook, dataset):
    run = runs(notebook, dataset)
    assert run.error is None, f"{notebook} on {dataset} failed: {run.error}"
    text = run.text()
    for expected in EXPECTED.get((notebook, dataset), []):
        assert expected in text, f"{notebook} on {dataset} does not say {expected!r}"
    if dataset == "c":  # the full sample has every table and column the notebooks use
        assert MISSING not in text, f"{notebook} on the full sample says something is missing"


REAL_CASES = [(nb, ds) for nb, ds in CASES if ds in SCMS]


@pytest.mark.parametrize(("notebook", "dataset"), REAL_CASES,
                         ids=[f"{nb}-{ds}" for nb, ds in REAL_CASES])
def test_nothing_from_the_sample_leaks(runs, notebook, dataset):
    run = runs(notebook, dataset)
    assert run.error is None, f"{notebook} on {dataset} failed: {run.error}"
    assert "known to have left in this sample" not in run.text() and "planted" not in run.text()
    leaked = sorted(set(SAMPLE_IDS.findall(run.text())))
    assert not leaked, f"{notebook} on {dataset} shows sample ids {leaked[:10]}"




ROWS = re.compile(r"\*\*Order lines\*\*: ([\d,]+) rows in = ([\d,]+) loaded \+ ([\d,]+) quarantined")


def _count(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.parametrize("dataset", list(SCMS))
def test_order_history_accounts_for_every_real_row(runs, dataset):
    """Rows in = loaded + quarantined, for the 10,324 records of each SCMS copy (``csv``
    and pandas both count 10,324 data rows in either file)."""
    run = runs("order_history", dataset)
    assert run.error is None, run.error
    found = ROWS.findall(run.text())  # the sentence's Markdown and its plain-text copy
    assert found, "the order-lines line of the data-quality section is missing"
    assert len(set(found)) == 1, f"the order-lines line says different counts: {found}"
    rows_in, loaded, quarantined = (_count(v) for v in found[0])
    assert rows_in == 10_324 and rows_in == loaded + quarantined
    if dataset == "d_usaid":
        # worked by hand: 5 records of the USAID copy (M/D/Y PO dates) were delivered before
        # the PO was sent to the vendor (ids 4190, 4432, 13148, 25539, 52710): quarantined
        assert (loaded, quarantined) == (10_319, 5)


def test_service_kpis_on_real_data_come_from_that_data(runs):
    """On time to the promised date on the USAID copy, worked out with plain pandas: of the
    10,319 loaded lines (10,324 records less the 5 delivered before their PO date) all have a
    scheduled and a delivered date ("D-Mon-YY"), and 9,133 were delivered on or before the
    scheduled date. The sample's figure is a different count altogether."""
    run = runs("service_kpis", "d_usaid")
    assert run.error is None, run.error
    row = re.compile(r"On time to promised date</td>\s*<td[^>]*>9,133</td>\s*<td[^>]*>10,319</td>")
    assert row.search(run.text()), "on time to promised is not 9,133 / 10,319"


def test_hand_count_of_the_usaid_on_time_lines():
    """The figures the test above expects, recounted from the CSV without the workbench."""
    path = shared_data_path(SCMS["d_usaid"])
    if not path.exists():
        pytest.skip(f"real dataset not available: {path} is absent")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = [c.lower() for c in raw.columns]
    sched = pd.to_datetime(raw["scheduled delivery date"], format="%d-%b-%y")
    deliv = pd.to_datetime(raw["delivered to client date"], format="%d-%b-%y")
    po = pd.to_datetime(raw["po sent to vendor date"], format="%m/%d/%Y", errors="coerce")
    kept = ~(deliv < po)
    assert len(raw) == 10_324 and int(kept.sum()) == 10_319
    assert sorted(raw.loc[~kept, "id"].astype(int)) == [4190, 4432, 13148, 25539, 52710]
    assert int((deliv[kept] <= sched[kept]).sum()) == 9_133
