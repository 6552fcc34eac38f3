"""Report plumbing: atomic writes, formula-injection-safe CSV, HTML escaping, parameters."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from workbench import ConfigError
from workbench.reports import atomic_write_bytes, check_parameters, csv_safe, escape


def test_csv_safe_neutralises_formulas_but_not_numbers():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-5", "ok",
                                "\tcmd", "-x"], "qty": [1, 2, 3, 4, 5, 6, 7]})
    out = csv_safe(df)
    assert out["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)", "-5",
                                    "ok", "'\tcmd", "'-x"]
    assert out["qty"].tolist() == df["qty"].tolist()
    assert df["name"].iloc[0].startswith("=")  # input untouched


def test_escape_user_text():
    assert escape("<script>alert(1)</script> & Co") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co")


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.html"
    target.write_text("old good report")
    atomic_write_bytes(target, b"new report")
    assert target.read_bytes() == b"new report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert oct(os.stat(target).st_mode & 0o777) != oct(0o600)


def test_atomic_write_failure_keeps_previous(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("old good report")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"half")
    assert target.read_text() == "old good report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_unknown_notebook_parameter_is_rejected(root):
    nb = root / "notebooks" / "order_history.ipynb"
    with pytest.raises(ConfigError, match="unknown parameter") as exc:
        check_parameters(nb, {"sourc": "x"})
    assert exc.value.key == "sourc"
    check_parameters(nb, {"source": "x", "top_n": 3})
