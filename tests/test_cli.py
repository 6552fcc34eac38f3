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
