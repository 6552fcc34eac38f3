"""Report plumbing: atomic writes, formula-injection-safe CSV, HTML escaping, parameters."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from workbench import ConfigError
from workbench.reporting.reports import atomic_write_bytes, check_parameters, csv_safe, escape


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


def _executed_nb(tmp_path, n_figs=2):
    """A notebook with plotly outputs as the notebook renderer leaves them (no kernel)."""
    import json as _json

    import nbformat
    import plotly.graph_objects as go
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook()
    nb.cells.append(new_markdown_cell("# Report <b>title</b>"))
    loader = new_output("display_data", data={"text/html": (
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
        "<script>/** plotly.js v9 */</script>")})
    cell = new_code_cell("import workbench", outputs=[loader])
    for i in range(n_figs):
        fig = go.Figure(go.Bar(x=["a", "b"], y=[i, i + 1]))
        cell.outputs.append(new_output("display_data", data={
            "application/vnd.plotly.v1+json": _json.loads(fig.to_json()),
            "text/html": '<script src="https://cdn.plot.ly/plotly.min.js"></script>'}))
    nb.cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_render_html_is_offline_and_embeds_plotly_once(tmp_path):
    import re

    from workbench.reporting.reports import render_html

    out = render_html(_executed_nb(tmp_path), tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    external = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"(https?:[^\"]+)", html)
    assert external == []
    assert html.count("plotly.js v") == 1  # the real library, once; the fake loader is gone
    assert html.count('class="plotly-graph-div"') == 2
    assert "import workbench" not in html  # no code


def test_render_html_shared_plotly_js(tmp_path):
    from workbench.reporting.reports import render_html

    out = render_html(_executed_nb(tmp_path), tmp_path / "run" / "r.html", plotlyjs="shared")
    html = out.read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' in html and "plotly.js v" not in html
    assert (tmp_path / "run" / "plotly.min.js").stat().st_size > 1_000_000
    assert out.stat().st_size < 1_000_000  # vs ~5 MB with plotly.js inlined
