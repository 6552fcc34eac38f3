"""The run index a manager lands on: description, headline, period, last good run, failures."""

from __future__ import annotations

import json
from pathlib import Path

import IPython.display
import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from workbench import ConfigError
from workbench.reporting.batch import BatchConfig, Job, Outcome, load_config, write_index
from workbench.reporting.index import (
    HEADLINE_MIME,
    dataset_period,
    failure_in_words,
    last_good_runs,
    period_text,
    publish_headline,
    read_headline,
    run_label,
)

TIMEOUT = ("report service_kpis ran longer than its timeout of 1800 s and was stopped. "
           "It was stopped in cell 7; the partial executed copy is service_kpis.failed.ipynb.")
NOT_AVAILABLE = ("notebook pab_early_warning.ipynb failed in cell 5: NotAvailableError: "
                 "projected available balance needs columns on_hand <script>")


def _run(out: Path, name: str, reports: list[dict]) -> Path:
    folder = out / name
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"run": name, "reports": reports}),
                                     encoding="utf-8")
    return folder


def _outcome(name, title, status, *, error=None, headline=None, error_type=None):
    return Outcome(name, title, f"notebooks/{name}.ipynb", {"period": "M"}, status, 12.0,
                   f"{name}.html", error, headline=headline, error_type=error_type)


def test_period_text_and_run_label_by_hand():
    assert period_text(pd.Series(pd.to_datetime(["2024-03-05", None, "2023-01-02"]))) \
        == "2 Jan 2023 – 5 Mar 2024"
    assert period_text(["2024-03-05", "2024-03-05"]) == "5 Mar 2024"
    assert period_text([]) == "" and period_text(None) == ""
    assert period_text(" Q1 2024 ") == "Q1 2024"
    assert run_label("20261203-122335") == "2026-12-03 12:23"
    assert run_label("20261203-122335-2") == "2026-12-03 12:23"


def test_failures_in_words():
    assert failure_in_words(TIMEOUT).startswith("It took longer than its time limit")
    assert failure_in_words("the worker process of report x was killed by SIGKILL (out of "
                            "memory, or killed by hand).").startswith("It stopped abruptly")
    assert failure_in_words("the kernel of notebook a.ipynb died in cell 3 (killed ...)",
                            "KernelDiedError").startswith("It stopped abruptly")
    assert failure_in_words(NOT_AVAILABLE).startswith("The data lacks information")
    # a subclass of NotAvailableError counts as missing data too
    assert failure_in_words("notebook a failed in cell 2: MissingColumnsError: no order_date") \
        .startswith("The data lacks information")
    assert failure_in_words("x", "SourceNotFoundError").startswith("The data could not be read")
    assert failure_in_words("notebook a failed in cell 1: ChoiceError: period 'Q' ...") \
        .startswith("A setting is wrong")
    assert failure_in_words("ConfigError: bad").startswith("A setting is wrong")
    assert failure_in_words("notebook a failed in cell 1: ZeroDivisionError: division by zero") \
        .startswith("It failed on an unexpected error")
    assert failure_in_words(None).startswith("It failed on an unexpected error")


def test_publish_headline_round_trips_through_the_executed_notebook(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    dates = pd.Series(pd.to_datetime(["2024-02-01", "2023-01-02", "2024-12-30"]))
    assert publish_headline("2 confirmed  breaks,\n8 potential risks", period=dates) is None
    got = shown[0][HEADLINE_MIME]
    assert got == {"status": "2 confirmed breaks, 8 potential risks",
                   "period": "2 Jan 2023 – 30 Dec 2024"}
    assert shown[0][HEADLINE_MIME] == got and shown[0]["text/html"] == ""  # invisible
    publish_headline("<b>x</b>", show=True)
    assert shown[1]["text/markdown"] == "**&lt;b&gt;x&lt;/b&gt;**"

    nb = new_notebook()
    cell = new_code_cell("publish_headline(...)")
    cell.outputs = [new_output("display_data", data=shown[0])]
    nb.cells = [new_code_cell("1"), cell]
    nbformat.write(nb, tmp_path / "done.ipynb")
    assert read_headline(tmp_path / "done.ipynb") == got
    nb.cells = [new_code_cell("1")]
    nbformat.write(nb, tmp_path / "none.ipynb")
    assert read_headline(tmp_path / "none.ipynb") is None
    assert read_headline(tmp_path / "missing.ipynb") is None


def test_last_good_run_is_the_newest_run_where_the_report_succeeded(tmp_path):
    out = tmp_path / "out"
    _run(out, "20261201-080000", [{"name": "a", "status": "ok", "html": "a.html"},
                                  {"name": "b", "status": "ok", "html": "b.html"}])
    _run(out, "20261202-080000", [{"name": "a", "status": "ok", "html": "a.html"},
                                  {"name": "b", "status": "failed", "html": None}])
    _run(out, "20261202-080000-2", [{"name": "a", "status": "failed", "html": "a.html"}])
    (out / "20261202-090000").mkdir()  # a run killed before its run.json: ignored
    (out / "latest").symlink_to("20261202-080000")
    (out / "notes").mkdir()
    got = last_good_runs(out, ["a", "b", "c"], exclude="20261203-000000")
    assert got == {"a": ("20261202-080000", "a.html"), "b": ("20261201-080000", "b.html")}
    assert last_good_runs(out, ["a"], exclude="20261202-080000") == \
        {"a": ("20261201-080000", "a.html")}
    assert last_good_runs(tmp_path / "nowhere", ["a"]) == {}


def test_index_shows_description_headline_period_last_good_run_and_failure(tmp_path):
    out = tmp_path / "out"
    _run(out, "20261201-080000", [{"name": "service_kpis", "status": "ok",
                                   "html": "service_kpis.html"}])
    _run(out, "20261202-080000", [{"name": "service_kpis", "status": "failed", "html": None}])
    folder = out / "20261203-091500"
    folder.mkdir()
    jobs = [Job("order_history", "notebooks/order_history.ipynb", "Order history",
                description="Orders by month & the <data-quality> checks"),
            Job("service_kpis", "notebooks/service_kpis.ipynb", "Service KPIs",
                description="On-time and in-full by customer tier"),
            Job("pab_early_warning", "notebooks/pab_early_warning.ipynb", "交付预警",
                description=""),
            Job("customer_segments", "notebooks/customer_segments.ipynb", "Segments",
                description="Tiers and churn")]
    cfg = BatchConfig("Customer service reports: Acme", out, "inline", 1, jobs,
                      data="/d/acme.yaml", dataset="Acme")
    outcomes = [
        _outcome("order_history", "Order history", "ok",
                 headline={"status": "2 confirmed breaks, 8 potential risks",
                           "period": "2023-01-02 to 2024-12-30"}),
        _outcome("service_kpis", "Service KPIs", "failed", error=TIMEOUT),
        _outcome("pab_early_warning", "交付预警", "failed", error=NOT_AVAILABLE),
        _outcome("customer_segments", "Segments", "ok"),  # publishes no headline
    ]
    html = write_index(folder, cfg, outcomes, period="2022-01-03 to 2024-12-30") \
        .read_text(encoding="utf-8")
    assert "<b>Acme</b>, orders from 2022-01-03 to 2024-12-30" in html
    # no headline: the description alone, and the dataset's period
    assert ("Tiers and churn</div></td><td><span class=\"ok\">OK</span><details>"
            in html)
    assert html.count("<td>2022-01-03 to 2024-12-30</td>") == 1
    assert "Orders by month &amp; the &lt;data-quality&gt; checks" in html
    assert "On-time and in-full by customer tier" in html
    assert '<div class="headline">2 confirmed breaks, 8 potential risks</div>' in html
    assert "<td>2023-01-02 to 2024-12-30</td>" in html
    assert "this run (2026-12-03 09:15)" in html
    # service_kpis failed now and on 12-02: its last good run is 12-01, linked
    assert '<a href="../20261201-080000/service_kpis.html">2026-12-01 08:00</a>' in html
    assert "It took longer than its time limit and was stopped" in html
    assert "The data lacks information this report needs" in html
    assert "<td>none yet</td>" in html  # pab_early_warning never succeeded
    assert "交付预警" in html  # a Chinese title kept as given
    assert "<details><summary>details for the analyst</summary><pre>" in html
    assert "on_hand &lt;script&gt;" in html and "<script>" not in html
    assert "2 of 4 reports are up to date; 2 failed" in html
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert manifest["reports"][0]["headline"]["status"] == "2 confirmed breaks, 8 potential risks"
    assert "ready to send" not in html  # this run exported no notices


def test_index_links_the_notices_the_run_exported(tmp_path):
    from workbench.reporting.batch import in_run_folder

    folder = tmp_path / "20261203-091500"
    (folder / "notices").mkdir(parents=True)
    (folder / "notices" / "notices.csv").write_text(
        "Customer ID,Subject\nC1,a\nC2,b\nC3,c\n", encoding="utf-8-sig")
    cfg = BatchConfig("Reports", tmp_path, "inline", 1, [Job("w", "w.ipynb", "W")])
    html = write_index(folder, cfg, [_outcome("w", "W", "ok")]).read_text(encoding="utf-8")
    assert ('3 customer notices ready to send: <a href="notices/notices.csv">the list (CSV)</a>'
            in html)
    # the batch fills {run} with the run's folder: the early warning exports there
    job = Job("w", "w.ipynb", "W", {"notices_dir": "{run}/notices", "horizon": 13},
              language="zh")
    (filled,) = in_run_folder([job], folder)
    assert filled.parameters == {"notices_dir": f"{folder}/notices", "horizon": 13}
    assert filled.language == "zh" and filled.title == "W"


def test_description_is_validated_and_filled_per_foreach_value(tmp_path):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell('person: str = "world"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "g.ipynb")
    g = str(tmp_path / "g.ipynb")
    cfg = load_config({"output": str(tmp_path / "out"), "reports": [
        {"name": "hi_{person}", "notebook": g, "description": "Greeting  for {person}",
         "foreach": {"person": ["Ann", "Bo"]}},
        {"name": "plain", "notebook": g}]})
    assert [j.description for j in cfg.jobs] == ["Greeting for Ann", "Greeting for Bo", ""]
    for bad, key in ((["a"], "reports[0].description"), ("for {nobody}", "reports[0].description")):
        with pytest.raises(ConfigError) as exc:
            load_config({"reports": [{"name": "a", "notebook": g, "description": bad}]})
        assert exc.value.key == key
    with pytest.raises(ConfigError) as exc:
        load_config({"reports": [{"name": "a", "notebook": g, "descripton": "x"}]})
    assert exc.value.key == "reports[0].descripton"


def test_dataset_period_counts_loaded_order_lines_only(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,line_no,customer_id,item_id,order_date,qty_ordered\n"
                      "SO-2,1,C1,I1,2026-01-07,4\n"
                      "SO-1,1,C1,I1,2026-01-05,10\n"
                      "SO-3,1,C2,I2,2026-01-09,-2\n",  # negative quantity: quarantined
                      encoding="utf-8")
    assert dataset_period(str(orders)) == "5 Jan 2026 – 7 Jan 2026"
    assert dataset_period(str(tmp_path / "missing.csv")) == ""  # the reports say why
    assert dataset_period(None) == ""


@pytest.mark.notebook
def test_a_notebook_publishes_its_headline_to_the_index(tmp_path):
    from workbench.reporting.batch import run_batch

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = new_code_cell('breaks: int = 2')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell(
        "from workbench.reporting.index import publish_headline\n"
        "publish_headline(f'{breaks} confirmed breaks, 8 potential risks',\n"
        "                 period=['2024-07-01', '2026-06-28'])")]
    nbformat.write(nb, tmp_path / "warn.ipynb")
    cfg = load_config({"output": str(tmp_path / "out"), "reports": [
        {"name": "warn", "notebook": str(tmp_path / "warn.ipynb"),
         "description": "Supply breaks found early", "parameters": {"breaks": 3}}]})
    res = run_batch(cfg, progress=False)
    html = res.index.read_text(encoding="utf-8")
    assert res.ok
    assert '<div class="headline">3 confirmed breaks, 8 potential risks</div>' in html
    assert "<td>1 Jul 2024 – 28 Jun 2026</td>" in html
    assert "Supply breaks found early" in html
    report = (res.folder / "warn.html").read_text(encoding="utf-8")
    assert "confirmed breaks" not in report  # invisible in the report itself
