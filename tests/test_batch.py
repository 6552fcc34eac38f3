"""Report batches: config validation, the failure contract, index, atomic 'latest'."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench import ConfigError
from workbench.cli import main
from workbench.reporting.batch import load_config, run_batch


def _nb(path, body: str, params: str = 'person: str = "world"  # who to greet'):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# Test report"), cell, new_code_cell(body)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebooks(tmp_path):
    good = _nb(tmp_path / "good.ipynb", 'print(f"hello {person}")')
    bad = _nb(tmp_path / "bad.ipynb", 'raise RuntimeError(f"boom for {person}")')
    return good, bad


def _cfg(tmp_path, reports, **top):
    return {"title": "T <b>&</b>", "output": str(tmp_path / "out"), "reports": reports, **top}


def test_config_errors_name_the_key(tmp_path, notebooks):
    good, _ = notebooks
    cases = [
        ({"reports": [{"name": "a", "notebook": str(good)}], "colour": 1}, "colour"),
        ({"reports": []}, "reports"),
        ({"reports": [{"name": "a"}]}, "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": "nope.ipynb"}]}, "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": str(good), "parameters": {"persons": 1}}]},
         "reports[0].parameters.persons"),
        ({"reports": [{"name": "a", "notebook": str(good)},
                      {"name": "a", "notebook": str(good)}]}, "reports[].name"),
        ({"reports": [{"name": "a", "notebook": str(good)}], "plotlyjs": "cdn"}, "plotlyjs"),
        ({"reports": [{"name": "a_{person}", "notebook": str(good),
                       "foreach": {"person": "nobody_provider"}}]}, "reports[0].foreach.person"),
    ]
    for cfg, key in cases:
        with pytest.raises(ConfigError) as exc:
            load_config(cfg)
        assert exc.value.key == key, (cfg, exc.value)
        assert "Fix:" in str(exc.value)


def test_foreach_expands_names_and_titles(tmp_path, notebooks):
    good, _ = notebooks
    cfg = load_config(_cfg(tmp_path, [{"name": "hi_{person}", "title": "Hi {person}",
                                       "notebook": str(good),
                                       "foreach": {"person": ["Ann", "Bo b"]}}]))
    assert [(j.name, j.title, j.parameters) for j in cfg.jobs] == [
        ("hi_Ann", "Hi Ann", {"person": "Ann"}), ("hi_Bo_b", "Hi Bo b", {"person": "Bo b"})]
    with pytest.raises(ConfigError, match="matches no report"):
        load_config(_cfg(tmp_path, [{"name": "x", "notebook": str(good)}]), only=["y"])


@pytest.mark.notebook
def test_one_failure_does_not_cost_the_others(tmp_path, notebooks):
    good, bad = notebooks
    cfg = load_config(_cfg(tmp_path, [
        {"name": "first", "notebook": str(good), "parameters": {"person": "<script>x</script>"}},
        {"name": "broken", "notebook": str(bad)},
        {"name": "last", "notebook": str(good)},
    ], parallel=2))
    res = run_batch(cfg, progress=False)
    status = {o.name: o.status for o in res.outcomes}
    assert status == {"first": "ok", "broken": "failed", "last": "ok"}
    assert not res.ok
    files = sorted(p.name for p in res.folder.iterdir())
    assert {"first.html", "last.html", "broken.failed.ipynb", "broken.html", "index.html",
            "run.json"} <= set(files)
    assert not [f for f in files if f.endswith(".tmp")]
    broken_html = (res.folder / "broken.html").read_text(encoding="utf-8")
    assert "boom for world" in broken_html  # the error is visible in its report
    index = res.index.read_text(encoding="utf-8")
    assert "failed" in index and "RuntimeError" in index
    assert "<script>x</script>" not in index and "&lt;script&gt;x&lt;/script&gt;" in index
    assert "T &lt;b&gt;&amp;&lt;/b&gt;" in index
    manifest = json.loads((res.folder / "run.json").read_text())
    assert [r["status"] for r in manifest["reports"]] == ["ok", "failed", "ok"]
    latest = tmp_path / "out" / "latest"
    assert os.readlink(latest) == res.folder.name


@pytest.mark.notebook
def test_cli_exit_code_and_previous_run_intact(tmp_path, notebooks, capsys):
    import yaml

    good, bad = notebooks
    conf = tmp_path / "r.yaml"
    conf.write_text(yaml.safe_dump(_cfg(tmp_path, [{"name": "ok", "notebook": str(good)}])))
    assert main(["report", "--config", str(conf), "--no-progress"]) == 0
    first = os.readlink(tmp_path / "out" / "latest")
    good_html = (tmp_path / "out" / first / "ok.html").read_bytes()
    conf.write_text(yaml.safe_dump(_cfg(tmp_path, [{"name": "ok", "notebook": str(bad)}])))
    assert main(["report", "--config", str(conf), "--no-progress"]) == 1
    assert (tmp_path / "out" / first / "ok.html").read_bytes() == good_html
    assert "FAILED ok" in capsys.readouterr().err
    assert main(["report", "--config", str(conf), "--dry-run"]) == 0


def test_project_config_is_valid():
    cfg = load_config("reports.yaml")
    assert cfg.jobs and all(j.notebook.startswith("notebooks/") for j in cfg.jobs)
