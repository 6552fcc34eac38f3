"""Report plumbing: atomic writes, formula-injection-safe CSV, HTML escaping, parameters."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from workbench import ConfigError
from workbench.reporting import charts
from workbench.reporting.reports import atomic_write_bytes, check_parameters, csv_safe, escape
from workbench.reporting.tables import md, styled

HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "{{7*7}}",
           "\u202eexe.txt", "=cmd|' /C calc'!A0")


def test_csv_safe_neutralises_formulas_but_not_numbers():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-5", "ok",
                                "\tcmd", "-x"], "qty": [1, 2, 3, 4, 5, 6, 7]})
    out = csv_safe(df)
    assert out["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)", "-5",
                                    "ok", "'\tcmd", "'-x"]
    assert out["qty"].tolist() == df["qty"].tolist()
    assert df["name"].iloc[0].startswith("=")  # input untouched


def test_csv_safe_neutralises_headers_categoricals_and_full_width_formulas():
    df = pd.DataFrame({
        "=1+1": ["a", "b", "c", "d"],
        "source_file": pd.Categorical(["=evil.csv", "ok.csv", "=evil.csv", "@x.csv"]),
        "who": ["\uff1dSUM(A1)", "\uff0bx", "\uff0d1", "\uff20me"],
        "cr": ["\rx", "+3.2", "-5", "-1,234.50"],
        "mixed": ["=A1", 5, None, -2.5],
        "n": [-1, 2, 3, 4]})
    out = csv_safe(df)
    # hand-worked: every cell starting with = + - @ TAB CR or their full-width forms gets a
    # leading apostrophe, plain numbers (signed, with separators) stay numbers
    assert list(out.columns) == ["'=1+1", "source_file", "who", "cr", "mixed", "n"]
    assert out["source_file"].astype(str).tolist() == ["'=evil.csv", "ok.csv", "'=evil.csv",
                                                       "'@x.csv"]
    assert out["who"].tolist() == ["'\uff1dSUM(A1)", "'\uff0bx", "'\uff0d1", "'\uff20me"]
    assert out["cr"].tolist() == ["'\rx", "+3.2", "-5", "-1,234.50"]
    assert out["mixed"].tolist()[0] == "'=A1" and out["mixed"].tolist()[1] == 5
    assert out["mixed"].tolist()[3] == -2.5 and pd.isna(out["mixed"].tolist()[2])
    assert out["n"].tolist() == [-1, 2, 3, 4]
    assert list(df.columns)[0] == "=1+1"  # input untouched


def test_styled_tables_escape_cells_index_and_headers_also_with_number_formats():
    frame = pd.DataFrame({"<b>name</b>": list(HOSTILE), "share": [0.5] * 5},
                         index=pd.Index(list(HOSTILE), name="<i>who</i>"))
    plain = frame.style.format({"share": "{:.0%}"}).to_html()
    assert "<script>alert(1)</script>" in plain  # pandas' Styler alone: markup goes through
    for table in (styled(frame, {"share": "{:.0%}"}), styled(frame, "{}"), styled(frame)):
        html = table.to_html()
        assert "<script>" not in html and "<img" not in html and "<b>" not in html
        assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # cell and row label
        assert html.count("&#34;&gt;&lt;img src=x onerror=alert(2)&gt;") == 2
        assert "&lt;b&gt;name&lt;/b&gt;" in html and "\u202eexe.txt" in html
    assert "50%" in styled(frame, {"share": "{:.0%}"}).to_html()


def test_markdown_from_data_renders_literally():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune as render  # as reports

    for text in HOSTILE + ("[x](javascript:alert(1))", "*bold* _it_ `code`", "# 1. - + |a|"):
        html = render(f"Customer {md(text)} ok")
        assert "<script" not in html and "<img" not in html and "<a " not in html
        assert "<em>" not in html and "<code>" not in html and "<h1>" not in html
    import html as html_lib

    shown = html_lib.unescape(render(f"Customer {md(HOSTILE[1])} ok"))
    assert HOSTILE[1] in shown
    assert md(HOSTILE[3]) == "\u2068" + HOSTILE[3] + "\u2069"  # the override stays inside


def test_chart_labels_and_titles_from_data_are_escaped_for_plotly():
    name = HOSTILE[0] + " & <b>Co</b>"
    top = pd.DataFrame({"customer_id": [name, "C2"], "value": [2.0, 1.0],
                        "cum_share": [0.6, 1.0]})
    fig = charts.top_chart(top, "customer_id", title=f"Top customers incl. {name}")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;"
    assert list(fig.data[0].x) == [escaped, "C2"]
    assert fig.layout.title.text == f"Top customers incl. {escaped}"
    card = pd.DataFrame({"region": [HOSTILE[1]], "kpi": ["otif_order_rate"], "value": [0.9],
                         "target": [0.95], "status": ["red"]})
    fig = charts.scorecard_chart(card, "region")
    assert list(fig.data[0].y) == ["\"&gt;&lt;img src=x onerror=alert(2)&gt;"]
    assert fig.data[0].text[0][0] == "90.0%<br>target 95%"  # our own markup stays markup
    assert charts.chart_text(HOSTILE[3]) == "\u2068" + HOSTILE[3] + "\u2069"


def test_notebooks_display_tables_and_markdown_only_through_the_escaping_helpers(root):
    """Every notebook turns on escaping first, styles frames only with tables.styled and
    renders HTML tables only with escape=True (pandas' Styler escapes nothing by default)."""
    import json
    import re

    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 7
    for nb in notebooks:
        cells = [("".join(c["source"])) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                 if c["cell_type"] == "code"]
        assert "tables.safe_display()" in cells[1], f"{nb.name}: first code cell after parameters"
        code = "\n".join(cells)
        assert not re.search(r"\.style\b", code), f"{nb.name}: use tables.styled(frame, ...)"
        for call in re.findall(r"to_html\([^)]*\)", code):
            assert "escape=True" in call, f"{nb.name}: {call}"
        assert "escape_html" not in code, f"{nb.name}: Markdown from data goes through md()"


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
    check_parameters(nb, {"data": "x", "top_n": 3})


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


def test_partial_bundle_is_the_plotly_js_version_plotly_ships():
    import re

    from plotly.offline import get_plotlyjs_version

    from workbench.reporting.reports import PARTIAL_BUNDLE

    head = PARTIAL_BUNDLE.read_text(encoding="utf-8")[:300]
    version = re.search(r"plotly\.js v(\S+) partial bundle", head).group(1)
    assert version == get_plotlyjs_version(), "rebuild it: see tools/plotly-bundle/README.md"


def test_standalone_report_embeds_the_partial_bundle_unless_a_trace_needs_more(tmp_path):
    import nbformat
    import plotly.graph_objects as go
    from nbformat.v4 import new_output

    from workbench.reporting.reports import render_html

    out = render_html(_executed_nb(tmp_path), tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    assert html.count("partial bundle") == 1 and html.count("plotly.js v") == 1
    assert out.stat().st_size < 1_500_000  # was ~5 MB with the full library and lab CSS
    # a trace type the bundle cannot draw: the full library instead
    nb = nbformat.read(_executed_nb(tmp_path, n_figs=1), as_version=4)
    fig = go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1],
                                                                 "value": [1]}))
    nb.cells[-1].outputs.append(new_output("display_data", data={
        "application/vnd.plotly.v1+json": json.loads(fig.to_json())}))
    nbformat.write(nb, tmp_path / "sankey.ipynb")
    full = render_html(tmp_path / "sankey.ipynb", tmp_path / "s.html").read_text(encoding="utf-8")
    assert "partial bundle" not in full and full.count("plotly.js v") == 1
    assert len(full) > 4_000_000


def test_a_chinese_report_is_tagged_zh_and_shows_only_its_own_text(tmp_path):
    import nbformat

    from workbench.reporting.reports import render_html

    nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": {"language": "zh"}}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Delivery early warning",
                                              metadata={"tags": ["lang-en"]}),
                nbformat.v4.new_markdown_cell("# 交付预警", metadata={"tags": ["lang-zh"]}),
                nbformat.v4.new_markdown_cell("ITM-0025")]
    src = tmp_path / "zh.ipynb"
    nbformat.write(nb, src)
    html = render_html(src, tmp_path / "zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html
    assert "交付预警" in html and "Delivery early warning" not in html and "ITM-0025" in html
    nb.metadata["papermill"]["parameters"]["language"] = "auto"  # notices per customer: English page
    nbformat.write(nb, src)
    html = render_html(src, tmp_path / "en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "交付预警" not in html
