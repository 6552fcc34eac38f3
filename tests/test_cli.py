"""The ``workbench`` command line."""

from __future__ import annotations

import csv

import pandas as pd

from workbench.cli import main


def test_load_prints_summary_and_writes_safe_csvs(corpus, tmp_path, capsys):
    code = main(["load", str(corpus / "text_in_dates_and_numbers.csv"), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "4 rows in = 2 loaded + 2 quarantined" in out
    q = pd.read_csv(tmp_path / "quarantine.csv")
    assert q["reason"].tolist() == ["unusable_required", "unusable_required"]
    assert (tmp_path / "issues.csv").exists() and (tmp_path / "order_lines.csv").exists()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def test_load_out_neutralises_formulas_in_every_csv_cell_and_header(tmp_path, monkeypatch,
                                                                     capsys):
    # a hostile export: formula cells in key columns, a full-width formula, a formula header,
    # and a file name that is itself a formula (it lands in the categorical source_file)
    src = tmp_path / "=HYPERLINK(1).csv"
    src.write_text("order_id,line_no,customer_id,item_id,order_date,qty_ordered,=1+1\n"
                   "\"=cmd|' /C calc'!A0\",1,\uff1dSUM(A1),-ITM,2024-01-01,5,@x\n"
                   "+SO2,2,C2,ITM,2024-01-02,-5,ok\n"
                   "SO3,3,@C3,ITM,notadate,3,\"\tTAB\"\n", encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # a relative path: source_file starts with the "="
    assert main(["load", src.name, "--out", str(out)]) == 0
    capsys.readouterr()
    cells = 0
    for name in ("order_lines.csv", "quarantine.csv", "issues.csv"):
        with open(out / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for row in rows:
            for cell in row:
                cells += 1
                number = cell.lstrip("+-").replace(".", "", 1).isdigit()
                assert number or not cell.startswith(_FORMULA_START), (name, cell)
    assert cells > 20
    loaded = pd.read_csv(out / "order_lines.csv", dtype=str)
    # the text is kept, behind the apostrophe that makes a spreadsheet show it as text
    assert loaded["order_id"].tolist() == ["'=cmd|' /C calc'!A0"]
    assert loaded["customer_id"].tolist() == ["'\uff1dSUM(A1)"]
    assert loaded["source_file"].tolist() == ["'=HYPERLINK(1).csv"]
    assert loaded["qty_ordered"].astype(float).tolist() == [5.0]
    q = pd.read_csv(out / "quarantine.csv", dtype=str, keep_default_na=False)
    assert "'=1+1" in q.columns
    assert q["qty_ordered"].tolist() == ["-5", "3"]  # a negative number stays a number


def test_errors_exit_2_with_the_message(corpus, capsys):
    code = main(["load", str(corpus / "missing_columns.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "item_id, qty_ordered" in err and "Fix:" in err


def test_docs_regenerates_data_model(tmp_path, monkeypatch, root, capsys):
    monkeypatch.setenv("WORKBENCH_ROOT", str(tmp_path))
    assert main(["docs"]) == 0
    assert (tmp_path / "docs" / "data-model.md").read_text(encoding="utf-8") == (
        root / "docs" / "data-model.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- workbench check
ORDERS = ("order_id,line_no,customer_id,item_id,order_date,qty_ordered,unit_price\n"
          "SO-1,1,C1,I1,2026-01-05,10,5\n"
          "SO-2,1,C2,I1,2026-01-06,4,5\n"
          "SO-3,1,C3,I2,2026-01-07,6,10\n"
          "SO-4,1,C3,I2,2026-01-08,-2,10\n")   # a negative quantity: quarantined
CUSTOMERS = "customer_id,customer_name,tier\nC1,Alpha,B\nC2,Beta,A\nC3,Gamma,A\n"


def _dataset(folder, description: str, orders: str = ORDERS):
    folder.mkdir(exist_ok=True)
    (folder / "orders.csv").write_text(orders, encoding="utf-8")
    (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    path = folder / "dataset.yaml"
    path.write_text(description, encoding="utf-8")
    return path


GOOD = """name: Test export
settings: {currency: CNY, sender: {name: Service desk, email: desk@example.com}}
tables:
  customers: customers.csv
  order_lines: orders.csv
"""


def test_check_prints_rows_settings_and_what_each_report_can_show(tmp_path, capsys,
                                                                  monkeypatch):
    _dataset(tmp_path / "d", GOOD)
    monkeypatch.chdir(tmp_path / "d")  # a path relative to the current folder
    assert main(["check", "dataset.yaml"]) == 0
    out = capsys.readouterr().out
    assert "Dataset: Test export" in out
    assert "order_lines    4 rows in = 3 loaded + 1 quarantined (orders.csv;" in out
    assert "customers      3 rows in = 3 loaded + 0 quarantined (customers.csv;" in out
    assert "quarantined: negative_quantity 1" in out
    assert "order_lines.qty_ordered: 1 row(s) quarantined: negative_quantity (values '-2';" in out
    assert "supply_plan    not in the dataset" in out
    assert "currency: CNY" in out and "sender of notices: Service desk, desk@example.com" in out
    # no supply plan or inventory: the early warning's report says what it lacks, and a line
    # says what its section needs and how to add it (titles come from the availability catalogue)
    pab = next(ln for ln in out.splitlines() if ln.startswith("  pab_early_warning "))
    assert "sections; without: " in pab
    needs = [ln for ln in out.splitlines() if ln.startswith("    ") and "needs inventory, "
             "supply_plan" in ln]
    assert needs and "add an inventory table (inventory snapshot) to the dataset YAML" in needs[0]
    assert "ok: 3 order lines loaded" in out


def test_check_exits_1_when_no_order_line_loads(tmp_path, capsys):
    no_customer = "order_id,item_id,order_date,qty_ordered\nSO-1,I1,2026-01-05,10\n"
    path = _dataset(tmp_path / "d", GOOD, orders=no_customer)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "order_lines    NOT LOADED (orders.csv): Table 'order_lines' needs the required " \
           "column(s) customer_id" in out
    assert "customers      3 rows in = 3 loaded + 0 quarantined" in out
    assert "no order lines loaded" in out


def test_check_exits_2_on_a_description_error_naming_the_key_and_the_fix(tmp_path, capsys):
    cases = [("tabels: {order_lines: orders.csv}\n", "tabels"),
             (GOOD.replace("currency: CNY", "currency: EURO"), "settings.currency"),
             (GOOD.replace("customers: customers.csv", "customer: customers.csv"),
              "tables: 'customer' is not a data-model table")]
    for text, key in cases:
        path = _dataset(tmp_path / "d", text)
        assert main(["check", str(path)]) == 2, text
        err = capsys.readouterr().err
        assert err.startswith("error: ") and key in err and "Fix:" in err, (key, err)
    bad_mapping = GOOD.replace("order_lines: orders.csv",
                               "order_lines: {source: orders.csv, mapping: {columns: "
                               "{order_number: order_id}}}")
    path = _dataset(tmp_path / "d", bad_mapping)
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert "'order_number' is not a column of table 'order_lines'" in out
    assert "error: fix the description of order_lines" in out
