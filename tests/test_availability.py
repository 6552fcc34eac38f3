"""What a dataset supports: availability of each analysis, and the one-line note (EN/ZH)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.exceptions import ChoiceError
from workbench.io.dataset import Dataset
from workbench.kpis import kpi_table
from workbench.reporting import availability as av


class _Result:
    """Stands in for a LoadResult: only ``data`` is read."""

    def __init__(self, data: pd.DataFrame):
        self.data = data


def _ds(**tables: pd.DataFrame) -> Dataset:
    ds = Dataset(Path("."))
    ds.results = {name: _Result(frame) for name, frame in tables.items()}
    return ds


def _lines(**extra) -> pd.DataFrame:
    base = {"order_id": ["1", "2"], "customer_id": ["x", "y"], "item_id": ["i", "j"],
            "order_date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
            "promised_date": pd.to_datetime(["2025-01-05", "2025-01-06"]),
            "delivery_date": pd.to_datetime(["2025-01-05", "2025-01-09"]),
            "qty_ordered": [10.0, 5.0]}
    return pd.DataFrame(base | extra)


def test_dates_alone_give_cycle_time_and_on_time_but_no_fill_rates():
    ds = _ds(order_lines=_lines())
    got = {a.name: a.available for a in av.analyses(ds)}
    assert got["cycle_time"] and got["on_time"] and got["trend"] and got["failures"]
    assert not got["fill_rates"] and not got["in_full"] and not got["otif"]
    assert not got["customer_names"] and not got["pab"] and not got["revenue"]
    # the KPI engine agrees: on time computed (1 of 2 lines on time), fill rate not available
    table = kpi_table(ds.orders, kpis=["on_time_promised_rate", "line_fill_rate"]).set_index("kpi")
    assert table.loc["on_time_promised_rate", "value"] == 0.5
    assert pd.isna(table.loc["line_fill_rate", "value"])


def test_note_names_the_column_and_how_to_map_it():
    ds = _ds(order_lines=_lines())
    assert av.not_available_note("fill_rates", ds) == (
        "Not available: needs order_lines.qty_shipped (map a shipped-quantity column "
        "(qty_shipped) in the order-lines mapping).")
    assert av.not_available_note("fill_rates", ds, "zh") == (
        "不可用：需要 order_lines.qty_shipped（在订单行的列映射中映射发货数量列（qty_shipped））。")
    assert av.not_available_note("cycle_time", ds) is None


def test_alternatives_and_missing_tables():
    ds = _ds(order_lines=_lines())
    assert av.not_available_note("in_full", ds) == (
        "Not available: needs order_lines.qty_delivered or order_lines.qty_shipped (map a "
        "delivered-quantity column (qty_delivered) in the order-lines mapping or map a "
        "shipped-quantity column (qty_shipped) in the order-lines mapping).")
    assert av.not_available_note("pab", ds) == (
        "Not available: needs inventory, supply_plan, order_lines.requested_date (add an "
        "inventory table (inventory snapshot) to the dataset YAML under tables: and add a "
        "supply_plan table (supply plan (scheduled receipts)) to the dataset YAML under tables: "
        "and map a requested-date column (requested_date) in the order-lines mapping).")
    # columns of an absent table are named with the table, once
    assert av.check_analysis("policy_cost", ds).how == (
        "add an items table (item master with unit_cost, lead_time_days, safety_stock) to the "
        "dataset YAML under tables:")


def test_delivered_quantity_alone_gives_in_full_not_line_fill_rate():
    ds = _ds(order_lines=_lines(qty_delivered=[10.0, 4.0]))
    assert av.check_analysis("in_full", ds).available
    assert av.check_analysis("otif", ds).available
    assert not av.check_analysis("fill_rates", ds).available


def test_an_all_empty_column_is_missing():
    ds = _ds(order_lines=_lines(unit_price=[None, None], site=["", " "]),
             customers=pd.DataFrame({"customer_id": ["x"], "customer_name": [pd.NA]}))
    assert not av.check_analysis("revenue", ds).available
    assert not av.check_analysis("site", ds).available
    a = av.check_analysis("customer_names", ds)
    assert not a.available and a.missing == ["customers.customer_name"]
    assert a.how == "map a customer-name column (customer_name) in the customers mapping"
    ds = _ds(order_lines=_lines(unit_price=[None, 2.0]))
    assert av.check_analysis("revenue", ds).available


def test_a_loaded_but_empty_table_is_missing():
    empty = pd.DataFrame({"complaint_id": pd.Series([], dtype=str)})
    assert not av.check_analysis("complaints", _ds(order_lines=_lines(),
                                                   complaints=empty)).available


def test_needs_lists_every_requirement_missing_only_the_unmet():
    a = av.check_analysis("otif", _ds(order_lines=_lines()))
    assert a.needs == ["order_lines.delivery_date",
                       "order_lines.promised_date or order_lines.requested_date",
                       "order_lines.qty_delivered or order_lines.qty_shipped"]
    assert a.missing == ["order_lines.qty_delivered or order_lines.qty_shipped"]


def test_table_per_notebook_and_unknown_key():
    ds = _ds(order_lines=_lines())
    table = av.availability_table(ds, "order_history")
    assert list(table.columns) == ["analysis", "title", "available", "missing", "how"]
    assert set(table["analysis"]) == {"order_lines", "volume_over_time", "revenue"}
    with pytest.raises(ChoiceError, match="unknown analysis"):
        av.not_available_note("fil_rates", ds)


def test_available_kpis_measure_and_targets(tmp_path):
    ds = _ds(order_lines=_lines())
    assert av.available_kpis(ds, ["otif_order_rate", "on_time_promised_rate", "line_fill_rate",
                                  "cycle_time_mean"]) == ["on_time_promised_rate",
                                                          "cycle_time_mean"]
    assert av.value_measure(ds) == "volume"
    assert av.value_measure(_ds(order_lines=_lines(unit_price=[1.0, None]))) == "revenue"
    generic = av.targets_for(ds)
    assert generic.source is None and "generic defaults" in generic.note
    assert "通用默认值" in av.targets_for(ds, language="zh").note
    own = tmp_path / "my_targets.csv"
    own.write_text("tier,kpi,target\n", encoding="utf-8")
    ds.targets = own
    assert av.targets_for(ds) == av.TargetsChoice(own, "Service targets: my_targets.csv (named "
                                                       "by the dataset).")
    chosen = av.targets_for(ds, str(tmp_path / "other.yaml"))
    assert chosen.source == tmp_path / "other.yaml" and "(chosen for this report)" in chosen.note
