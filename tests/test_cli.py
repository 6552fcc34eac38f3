"""The ``workbench`` command line."""

from __future__ import annotations

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
