"""Loading a folder of data-model tables."""

from __future__ import annotations

import json

import pytest

from workbench import SourceError
from workbench.exceptions import SourceNotFoundError
from workbench.io.dataset import load_dataset


def test_sample_folder_loads_every_table(samples_dir):
    ds = load_dataset("samples")
    q = ds.quality().set_index("table")
    assert set(q.index) == {"customers", "items", "order_lines", "order_changes",
                            "supply_plan", "inventory", "forecast", "complaints"}
    assert (q["rows_in"] == q["rows_loaded"] + q["rows_quarantined"]).all()
    truth = json.loads((samples_dir / "sample_truth.json").read_text())
    # masters were applied: the two planted unknown items are quarantined as such
    reasons = ds.results["order_lines"].summary.quarantine_by_reason
    assert reasons["unknown_item"] == truth["dirty_rows"]["unknown_item_id"]
    assert q.loc["customers", "rows_quarantined"] == 0
    assert ds.supply_plan["firm"].dtype == "boolean"
    assert ds.orders is ds.results["order_lines"].data


def test_only_some_tables_and_absent_ones(tmp_path, samples_dir):
    (tmp_path / "items.csv").write_bytes((samples_dir / "items.csv").read_bytes())
    ds = load_dataset(tmp_path)
    assert list(ds.results) == ["items"] and ds.orders is None
    with pytest.raises(SourceError, match="no data-model table"):
        load_dataset(tmp_path, tables=("complaints",))
    with pytest.raises(SourceNotFoundError, match="not found"):
        load_dataset(tmp_path / "nope")
