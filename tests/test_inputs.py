"""Tests for the inputs a report chooses (workbench.reporting.inputs).

Small datasets are written as files and opened like a user's; the expected choices
follow from the rules in the module docstring.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.exceptions import ChoiceError, SourceNotFoundError
from workbench.io.config import open_dataset
from workbench.paths import data_path
from workbench.reporting import inputs

LINES = ("order_id,customer_id,item_id,order_date,promised_date,delivery_date,qty_ordered\n"
         "O1,K1,X,2025-01-02,2025-01-10,2025-01-09,5\n"
         "O2,K2,X,2025-01-05,2025-03-01,,7\n")


@pytest.fixture
def lines_only(tmp_path):
    (tmp_path / "order_lines.csv").write_text(LINES, encoding="utf-8")
    return open_dataset(str(tmp_path))


def test_expedite_options_dataset_or_none(lines_only, tmp_path):
    none = inputs.expedite_options_for(lines_only)
    assert none.source == "none" and len(none.value) == 0
    assert none.note.startswith("No expedite options in this dataset")
    assert "confirmed break (level 3)" in none.note
    sample = open_dataset("samples", tables=("items",))
    own = inputs.expedite_options_for(sample)
    assert own.source == "dataset" and own.value["mode"].tolist()[:2] == ["standard truck",
                                                                          "express truck"]
    csv = tmp_path / "modes.csv"
    csv.write_text("mode,lead_time_saved_days,cost_per_unit\nboat,0,0\nplane,10,3\n",
                   encoding="utf-8")
    param = inputs.expedite_options_for(lines_only, str(csv))
    assert param.source == "parameter" and param.value["mode"].tolist() == ["boat", "plane"]


def test_planning_date_order(lines_only, tmp_path):
    assert inputs.planning_date(lines_only, "2025-02-01").value == pd.Timestamp("2025-02-01")
    # Latest event date: order dates 01-02, 01-05; delivery 01-09. The promised 03-01 lies
    # ahead and does not count.
    got = inputs.planning_date(lines_only)
    assert got.value == pd.Timestamp("2025-01-09") and got.source == "fallback"
    assert got.note.startswith("Planning date 2025-01-09: the latest order, ship or delivery")
    (tmp_path / "inventory.csv").write_text("item_id,snapshot_date,on_hand\nX,2025-01-20,3\n",
                                            encoding="utf-8")
    assert inputs.planning_date(open_dataset(str(tmp_path))).value == pd.Timestamp("2025-01-20")
    (tmp_path / "dataset.yaml").write_text(
        "settings: {as_of: 2025-01-31}\ntables: {order_lines: order_lines.csv, "
        "inventory: inventory.csv}\n", encoding="utf-8")
    ds = open_dataset(str(tmp_path))
    assert inputs.planning_date(ds) == inputs.Choice(pd.Timestamp("2025-01-31"), "dataset", "")


def test_measure_falls_back_with_a_note(lines_only):
    got = inputs.measure_for(lines_only, "revenue")
    assert got.value == "volume" and got.source == "fallback"
    assert got.note == ("Ranked by units ordered instead of revenue. Not available: needs "
                        "order_lines.unit_price (map a unit-price column (unit_price) in the "
                        "order-lines mapping).")
    assert inputs.measure_for(lines_only, "volume") == inputs.Choice("volume", "parameter", "")
    sample = open_dataset("samples", tables=("order_lines",))
    # Unit prices but no item master (not loaded): margin falls back to revenue.
    margin = inputs.measure_for(sample, "margin")
    assert margin.value == "revenue" and "needs items.unit_cost" in margin.note
    with pytest.raises(ChoiceError):
        inputs.measure_for(lines_only, "profit")


def test_demand_date():
    frame = pd.DataFrame({"requested_date": [pd.NaT], "promised_date": [pd.Timestamp("2025-01-01")],
                          "order_date": [pd.Timestamp("2024-12-01")]})
    assert inputs.demand_date(frame).value == "promised_date"  # an all-empty column is absent
    assert inputs.demand_date(frame.assign(requested_date=pd.Timestamp("2025-01-02"))) \
        == inputs.Choice("requested_date", "dataset", "")
    assert inputs.demand_date(frame[["order_date"]]).value == "order_date"


def test_churn_truth_only_for_the_sample(lines_only, tmp_path):
    sample = open_dataset("samples", tables=("order_lines",))
    planted = inputs.churn_truth(sample)
    assert planted.source == "sample" and planted.note == "the 8 customers known to have left in this sample"
    assert inputs.churn_truth(lines_only) == inputs.Choice(None, "none", "")
    # A truth file beside other data is not the sample's: its line count does not match.
    (tmp_path / "sample_truth.json").write_bytes(data_path("samples/sample_truth.json")
                                                 .read_bytes())
    assert inputs.churn_truth(open_dataset(str(tmp_path))).value is None
    own = tmp_path / "known.json"
    own.write_text(json.dumps({"churned_customers": ["K2"]}), encoding="utf-8")
    given = inputs.churn_truth(lines_only, str(own))
    assert given.value == {"churned_customers": ["K2"]}
    assert given.note == "the 1 known churners listed in known.json"
    with pytest.raises(SourceNotFoundError):
        inputs.churn_truth(lines_only, str(tmp_path / "missing.json"))


def test_pab_inputs(lines_only, tmp_path):
    no = inputs.pab_inputs(lines_only)
    assert no.value is False
    assert no.note.startswith("Not available: needs inventory, supply_plan, "
                              "order_lines.requested_date (")
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "order_lines.csv").write_text(
        "order_id,customer_id,item_id,order_date,requested_date,qty_ordered\n"
        "O1,K1,X,2025-01-02,2025-01-10,5\n", encoding="utf-8")
    (folder / "inventory.csv").write_text("item_id,snapshot_date,on_hand\nX,2025-01-06,3\n",
                                          encoding="utf-8")
    yes = inputs.pab_inputs(open_dataset(str(folder)))
    assert yes.value is True and yes.source == "fallback"
    assert yes.note.startswith("PAB with zero receipts: the dataset has no supply_plan table")
    for said in ("No forecast table", "No safety stock", "No customer master"):
        assert said in yes.note
    full = inputs.pab_inputs(open_dataset("samples"))
    assert full == inputs.Choice(True, "dataset", "")


def test_pab_notes_say_what_is_missing_in_the_reports_language(tmp_path):
    import shutil

    import workbench as wb
    from workbench.paths import project_path

    for name in ("order_lines", "inventory", "items"):
        shutil.copy(project_path(f"data/samples/{name}.csv"), tmp_path / f"{name}.csv")
    ds = wb.open_dataset(str(tmp_path))  # no supply plan, forecast or customer master
    en, zh = inputs.pab_inputs(ds), inputs.pab_inputs(ds, "zh")
    assert en.value and zh.value and en.source == zh.source == "fallback"
    assert en.note.startswith("PAB with zero receipts: the dataset has no supply_plan table")
    assert "No forecast table" in en.note and "No customer master" in en.note
    assert zh.note.startswith("预计可用库存按零到货计算") and "没有需求预测表" in zh.note
    assert "没有客户主数据" in zh.note and "PAB" not in zh.note
