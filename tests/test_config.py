"""Dataset descriptions (YAML) and open_dataset on a YAML, a folder or one file."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import ConfigError, SourceNotFoundError
from workbench.io.config import open_dataset, read_config
from workbench.paths import data_path

ORDERS = """order_no,cust,sku,order date,qty,region code
SO-1,C1,I1,2026-01-05,10,N
SO-1,C1,I2,2026-01-05,4,N
SO-2,C2,I1,2026-01-07,6,S
"""


def _write(tmp_path, text, name="dataset.yaml"):
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_sample_is_described_like_any_dataset():
    cfg = read_config(data_path("samples/dataset.yaml"))
    assert list(cfg.tables)[:3] == ["customers", "items", "order_lines"]
    assert cfg.settings.currency == "EUR" and cfg.settings.period == "M"
    ds = open_dataset("samples")  # the folder's dataset.yaml is used
    assert ds.name == "Sample data (synthetic)"
    assert ds.settings.sender.email == "service@example.com"
    assert ds.targets is not None and ds.targets.name == "service_targets.csv"
    q = ds.quality()
    assert (q["rows_in"] == q["rows_loaded"] + q["rows_quarantined"]).all()


def test_yaml_with_mapping_options_and_settings(tmp_path):
    p = _write(tmp_path, """
name: Test export
settings: {currency: cny, as_of: 2026-01-31, period: w, sender: {name: 客服部}}
tables:
  order_lines:
    source: orders.csv
    mapping:
      columns: {order_id: order_no, customer_id: cust, item_id: sku, qty_ordered: qty}
      extra: {region: region code}
""")
    ds = open_dataset(p)
    assert ds.settings.currency == "CNY" and ds.settings.period == "W"
    assert ds.settings.as_of == pd.Timestamp("2026-01-31")
    assert ds.settings.sender.name == "客服部"
    o = ds.orders
    assert len(o) == 3 and o["qty_ordered"].sum() == 20
    assert list(o["region"]) == ["N", "N", "S"]
    assert list(o["line_no"]) == [1, 2, 1]  # numbered within each order


def test_single_file_and_glob(tmp_path):
    _write(tmp_path, "")
    ds = open_dataset(tmp_path / "orders.csv",
                      {"order_id": "order_no", "customer_id": "cust", "item_id": "sku",
                       "qty_ordered": "qty"})
    assert list(ds.results) == ["order_lines"] and len(ds.orders) == 3
    assert ds.settings.currency == ""  # nothing stated, nothing invented
    (tmp_path / "orders_2.csv").write_text(ORDERS.replace("SO-", "SX-"), encoding="utf-8")
    p = _write(tmp_path, """
tables:
  order_lines:
    source: orders*.csv
    mapping: {order_id: order_no, customer_id: cust, item_id: sku, qty_ordered: qty}
""", "two.yaml")
    ds = open_dataset(p)
    assert ds.results["order_lines"].summary.rows_in == 6 and len(ds.orders) == 6


@pytest.mark.parametrize(("text", "key"), [
    ("tables: {}", "tables.order_lines"),
    ("tables: {order_lines: orders.csv, orderz: x.csv}", "tables.orderz"),
    ("tables: {order_lines: {source: orders.csv, mapp: x}}", "tables.order_lines.mapp"),
    ("settings: {currency: euro}\ntables: {order_lines: orders.csv}", "settings.currency"),
    ("settings: {period: Y}\ntables: {order_lines: orders.csv}", "settings.period"),
    ("settings: {as_of: 31.01.2026}\ntables: {order_lines: orders.csv}", "settings.as_of"),
    ("tabels: {order_lines: orders.csv}", "tabels"),
])
def test_config_mistakes_name_the_key(tmp_path, text, key):
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        read_config(p)
    assert err.value.key == key
    assert str(p) in str(err.value)


def test_missing_files_are_named(tmp_path):
    p = _write(tmp_path, "tables: {order_lines: nope.csv}")
    with pytest.raises(SourceNotFoundError, match="nope.csv"):
        read_config(p)
    p = _write(tmp_path, "tables: {order_lines: 'x*.csv'}")
    with pytest.raises(SourceNotFoundError, match="no file matches"):
        read_config(p)
    with pytest.raises(SourceNotFoundError, match="data not found"):
        open_dataset(tmp_path / "absent.csv")


def test_the_datasets_as_of_date_reaches_actual(tmp_path):
    """SAP fills Goods Issue Date on undelivered lines: after the export's date it is a plan."""
    from workbench.paths import project_path

    export = project_path("tests/data/erp/sap_va05_en.csv")
    p = tmp_path / "dataset.yaml"
    p.write_text(f"settings: {{as_of: 2025-03-12}}\ntables: {{order_lines: '{export}'}}\n",
                 encoding="utf-8")
    res = open_dataset(p).results["order_lines"]
    # goods-issue dates 03/07, 03/11, 03/21, 03/13, 03/17: three lie after 2025-03-12
    assert res.summary.issues_by_reason.get("planned_date") == 3
    assert res.orders["ship_date"].notna().sum() == 2
