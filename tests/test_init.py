"""``workbench init``: a first dataset description guessed from a folder of exports."""

from __future__ import annotations

import csv
import re

import pytest
import yaml

from workbench.cli import main
from workbench.exceptions import OutputExistsError
from workbench.io.config import open_dataset, read_config
from workbench.io.init import init_dataset, plan_dataset

# order_lines headers renamed the way an ERP export names them (hand-picked, not by the code)
RENAMED = {"order_id": "Order Number", "line_no": "Line", "customer_id": "Customer",
           "item_id": "Material", "order_date": "Order Date", "qty_ordered": "Order Quantity",
           "qty_shipped": "Shipped Quantity", "unit_price": "Net Price", "site": "Plant"}
NEUTRAL = {"customers": "export_7.csv", "items": "export_3.csv",
           "order_lines": "sales_2025.csv", "order_changes": "export_1.csv",
           "supply_plan": "export_5.csv", "inventory": "export_2.csv",
           "forecast": "export_8.csv", "complaints": "export_4.csv"}
"""Sample tables under names that say nothing (sales_2025 only hints at order lines)."""
ROWS = {"order_lines": 400, "order_changes": 120, "forecast": 150}


def _records(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def exports(tmp_path_factory, samples_dir):
    """A sample-like export folder: sample tables, neutral names, ERP headers on order lines.

    Returns the folder and the records each file holds, counted with Python's csv.
    """
    folder = tmp_path_factory.mktemp("exports")
    counts = {}
    for table, name in NEUTRAL.items():
        rows = _records(samples_dir / f"{table}.csv")
        header, body = rows[0], rows[1:ROWS.get(table, len(rows) - 1) + 1]
        if table == "order_lines":
            header = [RENAMED.get(h, h) for h in header]
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header, *body])
        counts[table] = len(body)
    (folder / "notes.md").write_text("# not data\n", encoding="utf-8")
    return folder, counts


def test_init_guesses_every_table_and_loads_like_a_hand_written_description(exports, tmp_path):
    folder, counts = exports
    out = tmp_path / "dataset.yaml"
    res = init_dataset(folder, out)
    cfg = read_config(out)
    assert {t: ts.sources[0].rsplit("/", 1)[-1] for t, ts in cfg.tables.items()} == NEUTRAL
    assert [f.name for f in res.plan.ignored] == ["notes.md"]
    assert res.todo == 0
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    # the renamed order-line headers are mapped; the model-named files need no mapping
    assert spec["tables"]["order_lines"]["mapping"]["columns"] == RENAMED
    assert "mapping" not in spec["tables"]["customers"]
    ds = open_dataset(out)
    # the same files described by hand, with the renaming written out
    hand = tmp_path / "hand.yaml"
    hand.write_text(yaml.safe_dump({"tables": {
        t: {"source": str(folder / n), **({"mapping": {"columns": RENAMED}}
                                          if t == "order_lines" else {})}
        for t, n in NEUTRAL.items()}}), encoding="utf-8")
    ref = open_dataset(hand)
    for table, n in counts.items():
        s, r = ds.results[table].summary, ref.results[table].summary
        assert s.rows_in == n  # every csv record of the file is a row in
        assert (s.rows_loaded, s.rows_quarantined) == (r.rows_loaded, r.rows_quarantined), table
        assert s.rows_loaded + s.rows_quarantined == n
    # sales_2025.csv holds the first 400 sample order lines: its quantities survive the renaming
    assert ds.orders["qty_ordered"].sum() == ref.orders["qty_ordered"].sum()


def test_init_comments_say_how_each_column_was_guessed(exports, tmp_path):
    folder, _ = exports
    text = init_dataset(folder, tmp_path / "d.yaml").text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("order_id: Order Number"))
    # evidence in words and a confidence: "synonym 'order no'; 100% of values look like ..., 1.00"
    assert re.search(r"# synonym 'order no'; .*identifiers, \d\.\d\d$", line), line
    assert "# found by their model names (no line needed): requested_date, promised_date" in text
    assert "headers are the data model's column names: no mapping needed" in text
    assert "notes.md: not a data file type" in text


def test_missing_required_columns_are_todo_lines_and_said_in_words(tmp_path, capsys):
    folder = tmp_path / "x"
    folder.mkdir()
    # no customer column at all: the guess cannot find customer_id
    (folder / "orders.csv").write_text("Order Number,Material,Order Date,Order Quantity\n"
                                       "SO-1,I1,2026-01-05,10\nSO-2,I2,2026-01-06,4\n",
                                       encoding="utf-8")
    out = tmp_path / "d.yaml"
    assert main(["init", str(folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "TODO: required column customer_id not found" in printed
    assert "with 1 TODO line(s)" in printed
    text = out.read_text(encoding="utf-8")
    assert "# TODO customer_id: <header>" in text
    spec = yaml.safe_load(text)  # the TODO is a comment: the YAML stays valid
    assert spec["tables"]["order_lines"]["mapping"]["columns"] == {
        "order_id": "Order Number", "item_id": "Material", "order_date": "Order Date",
        "qty_ordered": "Order Quantity"}


def test_init_never_overwrites_without_force(tmp_path, capsys, samples_dir):
    out = tmp_path / "dataset.yaml"
    out.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        init_dataset(samples_dir / "customers.csv", out)
    assert main(["init", str(samples_dir / "customers.csv"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(samples_dir / "customers.csv"), "--out", str(out), "--force"]) == 0
    assert "customers:" in out.read_text(encoding="utf-8")


def test_folder_without_data_files_is_an_error(tmp_path, capsys):
    (tmp_path / "readme.txt.bak").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path), "--out", str(tmp_path / "d.yaml")]) == 2
    assert "no data file found" in capsys.readouterr().err
    assert not (tmp_path / "d.yaml").exists()


@pytest.mark.realdata
def test_init_on_the_scms_copy_picks_the_shipped_mapping(real_kaggle, tmp_path):
    out = tmp_path / "scms.yaml"
    res = init_dataset(real_kaggle.parent, out)  # the folder: the CSV and a README.md
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert spec["tables"] == {"order_lines": {"source": str(real_kaggle),
                                              "mapping": "scms_shipments"}}
    assert spec["settings"]["currency"] == "USD"  # from 'Freight Cost (USD)'
    assert [f.name for f in res.plan.ignored] == ["README.md"]
    ds = open_dataset(out)
    s = ds.results["order_lines"].summary
    assert s.rows_in == 10_324  # the SCMS README: 10,324 data rows
    assert s.rows_loaded + s.rows_quarantined == s.rows_in


@pytest.mark.realdata
def test_plan_on_the_other_scms_copy_recognises_it_too(real_usaid):
    plan = plan_dataset(real_usaid)  # one file; lower-case headers
    fg = plan.tables["order_lines"]
    assert fg.detection is not None and fg.detection.name == "scms_shipments"
    assert fg.rows == 10_324


def test_init_hints_at_fill_down_and_drop_rows_from_the_values(tmp_path, capsys):
    folder = tmp_path / "odoo"
    folder.mkdir()
    # an order's header fields on its first line only, and a total row at the end
    (folder / "orders.csv").write_text(
        "Order Reference,Customer,Order Date,Product,Quantity\n"
        "S00012,Acme GmbH,2026-03-02,Bolt M8,100\n"
        ",,,Nut M8,100\n"
        "S00013,Beta AG,2026-03-03,Washer 8,500\n"
        "Total,,,,700\n", encoding="utf-8")
    assert main(["init", str(folder), "--out", str(tmp_path / "d.yaml")]) == 0
    out = capsys.readouterr().out
    assert ("'Order Reference' reads like a total in 1 row(s): add drop_rows: [{column: "
            "Order Reference, pattern: '^\\s*Total', reason: total_row}]") in out
    # the total row's blanks do not count; Product is never blank on a real line
    assert ("'Order Reference', 'Customer', 'Order Date' are blank in some of the first 4 rows"
            ) in out
    assert "fill_down: [Order Reference, Customer, Order Date] and fill_down_key: " \
           "Order Reference" in out
    assert "# HINT: 'Order Reference' reads like a total" in \
           (tmp_path / "d.yaml").read_text(encoding="utf-8")


def test_each_sheet_of_a_workbook_is_looked_at(tmp_path):
    import pandas as pd

    book = tmp_path / "erp.xlsx"
    with pd.ExcelWriter(book) as w:
        pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["A", "B"]}).to_excel(
            w, sheet_name="Kunden", index=False)
        pd.DataFrame({"order_id": ["S1", "S2", "S3"], "customer_id": ["C1", "C2", "C9"],
                      "item_id": ["I1", "I1", "I2"], "order_date": ["2026-01-02"] * 3,
                      "qty_ordered": [3, 4, 5]}).to_excel(w, sheet_name="Orders", index=False)
    out = tmp_path / "d.yaml"
    init_dataset(book, out)
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert spec["tables"] == {"customers": {"source": "erp.xlsx", "options": {"sheet": "Kunden"}},
                              "order_lines": {"source": "erp.xlsx",
                                              "options": {"sheet": "Orders"}}}
    ds = open_dataset(out)
    s = ds.results["order_lines"].summary
    # C9 is not in the customer master of the other sheet: quarantined
    assert (s.rows_in, s.rows_loaded, s.rows_quarantined) == (3, 2, 1)
    assert s.quarantine_by_reason == {"unknown_customer": 1}
