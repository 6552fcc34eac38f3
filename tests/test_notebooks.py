"""Notebooks are products: they run top to bottom under papermill, with their defaults and
with other parameters, declare their parameters properly, and are committed clean."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from workbench.paths import project_root
from workbench.reporting.reports import execute_notebook, notebook_parameters, render_html

NOTEBOOKS = sorted((project_root() / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def _parameters_cell(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{nb_path.name}: exactly one cell tagged 'parameters'"
    return "".join(cells[0]["source"])


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=IDS)
def test_parameters_are_typed_commented_and_all_visible_to_papermill(nb_path):
    src = _parameters_cell(nb_path)
    tree = ast.parse(src)
    assigned = [n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)]
    untyped = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets]
    assert not untyped, f"parameters without a type annotation: {untyped}"
    declared = notebook_parameters(nb_path)
    assert sorted(declared) == sorted(assigned), "papermill cannot parse some parameter lines"
    assert all(p["help"] for p in declared.values()), "every parameter needs a comment"


@pytest.mark.notebook
def test_order_history_with_real_data_and_monthly_period(tmp_path, real_usaid):
    nb = project_root() / "notebooks" / "order_history.ipynb"
    out = execute_notebook(nb, tmp_path / "oh_real.ipynb", {
        "data": str(real_usaid), "mapping": "scms_shipments", "period": "M", "top_n": 5,
        "start_date": "2010-01-01"})
    executed = nbformat.read(out, as_version=4)
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "**Order lines**: 10,324 rows in = 10,319 loaded + 5 quarantined" in text
    assert "without an order date" in text


NON_DEFAULT = {
    "order_history": {"period": "Q", "top_n": 5, "start_date": "2025-01-01",
                      "data": "samples/order_lines.csv"},
    "service_kpis": {"period": "Q", "grouping": "segment", "on_time_tolerance_days": 2,
                     "in_full_tolerance_pct": 0.05},
    "customer_review": {"customer_id": "C0131", "period": "Q", "recent_days": 180},
    "customer_segments": {"value_measure": "margin", "cutoff_a": 0.7, "truth_file": "",
                          "forecast_method": "sba", "fan_items": 1},
    "pab_early_warning": {"language": "zh", "frozen_periods": 3, "slip_periods": 1,
                          "item_filter": "ITM-00*", "horizon": 8},
    "manager_summary": {"language": "zh", "period": "Q", "alert_log": ""},
    "service_cost_tradeoff": {"interactive": False, "selection": "tier B",
                              "holding_rate": 0.3, "simulate_reps": 30},
    "cluster_run": {"language": "zh", "period": "W", "n_workers": 1},
}


def test_every_notebook_has_a_non_default_case():
    assert set(NON_DEFAULT) == set(IDS)


# Each notebook runs with its defaults once, under nbval (`make test`, in the notebook's own
# folder, as JupyterLab runs it); the report batch of reports.yaml (tests/test_browser.py)
# runs them under papermill and renders them. Here: every notebook with other parameters.
@pytest.mark.notebook
@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_under_papermill_with_other_parameters(nb_path, tmp_path):
    out = execute_notebook(nb_path, tmp_path / f"{nb_path.stem}.ipynb", NON_DEFAULT[nb_path.stem])
    executed = nbformat.read(out, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert render_html(out, tmp_path / f"{nb_path.stem}.html").stat().st_size > 10_000
