"""Report batches: config validation, the failure contract, index, atomic 'latest'."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from workbench import ConfigError
from workbench.cli import main
from workbench.reporting.batch import load_config, run_batch


def _nb(path, body: str, params: str = 'person: str = "world"  # who to greet',
        more: tuple[str, ...] = ()):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("# Test report"), cell, new_code_cell(body),
                *(new_code_cell(b) for b in more)]
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
                      {"name": "a", "notebook": str(good)}]}, "reports[1].name"),
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


def test_languages_give_one_report_per_language(tmp_path):
    both = _nb(tmp_path / "both.ipynb", "print(language)",
               params='language: str = "en"  # en or zh\nperson: str = "x"  # who')
    plain = _nb(tmp_path / "plain.ipynb", "print(1)")
    cfg = load_config(_cfg(tmp_path, [
        {"name": "rev_{person}", "title": "Review {person}", "title_zh": "回顾 {person}",
         "description": "One customer", "description_zh": "单个客户",
         "notebook": str(both), "foreach": {"person": ["Ann", "Bo"]}},
        {"name": "fixed", "notebook": str(both), "parameters": {"language": "zh"}},
        {"name": "plain", "notebook": str(plain)},
    ], languages=["en", "zh"]))
    assert [(j.name, j.title, j.description, j.language, j.parameters.get("language"))
            for j in cfg.jobs] == [
        ("rev_Ann", "Review Ann", "One customer", "en", "en"),
        ("rev_Ann_zh", "回顾 Ann", "单个客户", "zh", "zh"),
        ("rev_Bo", "Review Bo", "One customer", "en", "en"),
        ("rev_Bo_zh", "回顾 Bo", "单个客户", "zh", "zh"),
        ("fixed", "fixed", "", "zh", "zh"),     # the entry fixes its language
        ("plain", "plain", "", "en", None)]     # no language parameter: once, as written
    for bad in (["en", "fr"], [], ["zh", "zh"], 3):
        with pytest.raises(ConfigError) as exc:
            load_config(_cfg(tmp_path, [{"name": "p", "notebook": str(plain)}], languages=bad))
        assert exc.value.key == "languages"


def test_the_project_batch_renders_every_report_with_a_language_in_english_and_chinese():
    cfg = load_config("reports.yaml")
    names = {j.name: j for j in cfg.jobs}
    for job in cfg.jobs:
        if job.language == "en" and "language" in job.parameters:
            zh = names[f"{job.name}_zh"]
            assert zh.parameters["language"] == "zh" and zh.title != job.title
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.title + zh.description)


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


# --------------------------------------------------------------------------- config mistakes
def _write_yaml(path, cfg):
    import yaml

    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _config_mistakes(tmp_path, good):
    """(config, key the error must name) for every class of config mistake."""
    not_nb = tmp_path / "notes.txt"
    not_nb.write_text("not a notebook", encoding="utf-8")
    broken_nb = tmp_path / "broken.ipynb"
    broken_nb.write_text("{this is not json", encoding="utf-8")
    folder_nb = tmp_path / "folder.ipynb"
    folder_nb.mkdir()
    g = str(good)
    one = [{"name": "a", "notebook": g}]
    return [
        # names that collide with the run's own files or with each other
        ({"reports": [{"name": "index", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "run", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "latest", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "Index", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "a", "notebook": g}, {"name": "A", "notebook": g}]},
         "reports[1].name"),
        ({"reports": [{"name": "a", "notebook": g}, {"name": "a.failed", "notebook": g}]},
         "reports[1].name"),
        ({"reports": [{"name": "x_{person}", "notebook": g, "foreach": {"person": ["a b"]}},
                      {"name": "x_a_b", "notebook": g}]}, "reports[1].name"),
        ({"reports": [{"name": ".hidden", "notebook": g}]}, "reports[0].name"),
        # templates
        ({"reports": [{"name": "a_{}", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "a_{0}", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "a_{person", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "a_{person.upper}", "notebook": g}]}, "reports[0].name"),
        ({"reports": [{"name": "a", "title": "Hi {customer}", "notebook": g}]},
         "reports[0].title"),
        ({"reports": [{"name": "a", "title": "Hi {person!x}", "notebook": g,
                       "parameters": {"person": "Ann"}}]},
         "reports[0].title"),
        # numbers
        ({"reports": [{"name": "a_{person}", "notebook": g, "limit": "abc",
                       "foreach": {"person": ["x", "y"]}}]}, "reports[0].limit"),
        ({"reports": [{"name": "a_{person}", "notebook": g, "limit": 0,
                       "foreach": {"person": ["x", "y"]}}]}, "reports[0].limit"),
        ({"reports": one, "parallel": True}, "parallel"),
        ({"reports": one, "timeout": "abc"}, "timeout"),
        ({"reports": one, "timeout": -5}, "timeout"),
        ({"reports": [{"name": "a", "notebook": g, "timeout": 0}]}, "reports[0].timeout"),
        # shapes
        ({"reports": [{"name": "a", "notebook": g, "foreach": ["x", "y"]}]},
         "reports[0].foreach"),
        ({"reports": [{"name": ["a"], "notebook": g}]}, "reports[0].name"),
        ({"reports": one, "output": ["x"]}, "output"),
        # notebooks that are not notebooks
        ({"reports": [{"name": "a", "notebook": str(not_nb)}]}, "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": str(broken_nb)}]}, "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": str(folder_nb)}]}, "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": str(tmp_path / "missing.ipynb")}]},
         "reports[0].notebook"),
        ({"reports": [{"name": "a", "notebook": 42}]}, "reports[0].notebook"),
    ]


def test_config_mistakes_are_one_clear_error_naming_the_key(tmp_path, notebooks):
    good, _ = notebooks
    for cfg, key in _config_mistakes(tmp_path, good):
        with pytest.raises(ConfigError) as exc:
            load_config({"output": str(tmp_path / "out"), **cfg})
        assert exc.value.key == key, (cfg, exc.value)
        assert "Fix:" in str(exc.value), (cfg, exc.value)


def test_config_mistakes_through_the_cli_exit_2_without_traceback(tmp_path, notebooks, capsys):
    good, _ = notebooks
    conf = tmp_path / "r.yaml"
    for cfg, key in _config_mistakes(tmp_path, good):
        _write_yaml(conf, {"output": str(tmp_path / "out"), **cfg})
        assert main(["report", "--config", str(conf), "--dry-run"]) == 2, cfg
        err = capsys.readouterr().err
        assert err.startswith("error: ") and key in err and "Fix:" in err, (cfg, err)
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing was run


def test_cli_timeout_flag_must_be_a_positive_number(tmp_path, notebooks, capsys):
    good, _ = notebooks
    conf = _write_yaml(tmp_path / "r.yaml", _cfg(tmp_path, [{"name": "a", "notebook": str(good)}]))
    assert main(["report", "--config", str(conf), "--timeout", "-1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--timeout" in err and "Fix:" in err
    assert not (tmp_path / "out").exists()


def test_timeout_defaults_to_30_minutes_and_is_set_per_report_or_for_all(tmp_path, notebooks):
    good, _ = notebooks
    cfg = load_config(_cfg(tmp_path, [{"name": "a", "notebook": str(good)}]))
    assert cfg.jobs[0].timeout == 1800
    cfg = load_config(_cfg(tmp_path, [{"name": "a", "notebook": str(good)},
                                      {"name": "b", "notebook": str(good), "timeout": 7.5}],
                           timeout=60))
    assert [j.timeout for j in cfg.jobs] == [60, 7.5]


# --------------------------------------------------------------------------- faults while running
def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (read from /proc, not from the code)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _marked(mark: str) -> list[int]:
    """Pids of live processes whose environment carries ``mark`` (the test's own variable)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            env = (d / "environ").read_bytes()
        except OSError:
            continue
        if f"BATCH_TEST_MARK={mark}".encode() in env.split(b"\0") and _alive(int(d.name)):
            found.append(int(d.name))
    return found


def _wait_for(path: Path, seconds: float = 90, parent: subprocess.Popen | None = None) -> None:
    """Wait until ``path`` holds text; fail at once (with its output) if ``parent`` exits."""
    end = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        if parent is not None and parent.poll() is not None:
            out, err = parent.communicate()
            pytest.fail(f"the batch exited ({parent.returncode}) before {path.name} appeared:"
                        f"\n{out.decode(errors='replace')}\n{err.decode(errors='replace')}")
        if time.monotonic() >= end:
            logs = {str(p): p.read_text(errors="replace")[-2000:]
                    for p in path.parent.rglob(".*.log")}
            if parent is not None:
                parent.kill()
                out, err = parent.communicate()
                logs["batch"] = (out + err).decode(errors="replace")[-2000:]
            pytest.fail(f"{path} never appeared within {seconds:g} s; logs: {logs}")
        time.sleep(0.1)


def _cells(path: Path) -> str:
    """All code and output text of a notebook file."""
    nb = nbformat.read(str(path), as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.mark.notebook
def test_hung_notebook_is_stopped_kept_and_marked_failed(tmp_path, notebooks, capsys):
    good, _ = notebooks
    pidfile = tmp_path / "kernel.pid"
    hung = _nb(tmp_path / "hung.ipynb", textwrap.dedent(f"""
        import os, time
        open({str(pidfile)!r}, "w").write(str(os.getpid()))
        print("started the long part", flush=True)
        time.sleep(600)
        """))
    conf = _write_yaml(tmp_path / "r.yaml", _cfg(tmp_path, [
        {"name": "hung", "notebook": str(hung)}, {"name": "fine", "notebook": str(good)}],
        parallel=2, timeout=600))
    t0 = time.monotonic()
    assert main(["report", "--config", str(conf), "--no-progress", "--only", "hung",
                 "--timeout", "15"]) == 1  # the flag overrides the config's 600 s
    assert time.monotonic() - t0 < 60  # stopped, not waited for
    err = capsys.readouterr().err
    assert "FAILED hung" in err and "timeout" in err
    (run,) = (tmp_path / "out").iterdir()
    manifest = json.loads((run / "run.json").read_text())
    (hung_entry,) = manifest["reports"]
    assert hung_entry["status"] == "failed"
    assert "15 s" in hung_entry["error"] and "timeout" in hung_entry["error"]
    kept = run / "hung.failed.ipynb"
    assert "started the long part" in _cells(kept)  # the partial executed copy is kept
    assert "hung.html" in {p.name for p in run.iterdir()}
    assert not _alive(int(pidfile.read_text()))  # its kernel was stopped
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")]  # no temp files


@pytest.mark.notebook
def test_dying_kernel_leaves_partial_copy_and_failed_entry(tmp_path, notebooks):
    # the words are printed in a cell that completes (its output is delivered before the
    # next cell starts), then the kernel dies in the next one
    dying = _nb(tmp_path / "dying.ipynb", 'print("last words", flush=True)',
                more=("import os\nos._exit(1)",))
    cfg = load_config(_cfg(tmp_path, [{"name": "dying", "notebook": str(dying)}], timeout=120))
    res = run_batch(cfg, progress=False)
    (o,) = res.outcomes
    assert o.status == "failed" and "kernel" in o.error.lower() and "died" in o.error
    kept = res.folder / "dying.failed.ipynb"
    assert kept.exists()
    assert "last words" in _cells(kept)
    index = res.index.read_text(encoding="utf-8")
    assert "dying" in index and "failed" in index
    manifest = json.loads((res.folder / "run.json").read_text())
    assert manifest["reports"][0]["status"] == "failed"


@pytest.mark.notebook
def test_latest_does_not_move_when_every_report_failed(tmp_path, notebooks, capsys):
    good, bad = notebooks
    conf = _write_yaml(tmp_path / "r.yaml", _cfg(tmp_path, [{"name": "a", "notebook": str(good)}]))
    assert main(["report", "--config", str(conf), "--no-progress"]) == 0
    first = os.readlink(tmp_path / "out" / "latest")
    _write_yaml(conf, _cfg(tmp_path, [{"name": "a", "notebook": str(bad)}]))
    assert main(["report", "--config", str(conf), "--no-progress"]) == 1
    assert os.readlink(tmp_path / "out" / "latest") == first
    runs = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.is_symlink())
    assert len(runs) == 2 and runs[0] == first  # the failed run is kept, just not 'latest'
    assert "latest" in capsys.readouterr().out


_PARENT = """
import sys
from workbench.cli import main
sys.exit(main(["report", "--config", sys.argv[1], "--no-progress"]))
"""


def _start_parent(tmp_path, good, mark):
    """A report run in a separate parent process whose notebook writes a heartbeat forever."""
    pidfile = tmp_path / "kernel.pid"
    beat = tmp_path / "heartbeat.txt"
    child = tmp_path / "child.pid"
    forever = _nb(tmp_path / "forever.ipynb", textwrap.dedent(f"""
        import os, subprocess, sys, time
        # a grandchild of the kernel, like a tool a notebook shells out to
        p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(child)!r}, "w").write(str(p.pid))
        open({str(pidfile)!r}, "w").write(str(os.getpid()))
        while True:
            with open({str(beat)!r}, "a") as fh:
                fh.write("beat\\n")
            time.sleep(0.05)
        """))
    conf = _write_yaml(tmp_path / "r.yaml", _cfg(tmp_path, [
        {"name": "forever", "notebook": str(forever)}, {"name": "good", "notebook": str(good)}],
        parallel=2, timeout=600))
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(conf)],
                              env={**os.environ, "BATCH_TEST_MARK": mark},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # a kernel start on a busy CI machine can take long; a batch that dies fails at once
    _wait_for(pidfile, 300, parent)
    _wait_for(child, 60, parent)
    return parent, beat


def _assert_nothing_survives(mark, beat):
    end = time.monotonic() + 10
    while _marked(mark) and time.monotonic() < end:
        time.sleep(0.1)
    assert _marked(mark) == []  # no worker, kernel or grandchild of the run survives
    size = beat.stat().st_size
    time.sleep(1.0)
    assert beat.stat().st_size == size  # and nothing more is written


@pytest.mark.notebook
def test_killed_parent_leaves_no_orphan_and_next_run_cleans_up(tmp_path, notebooks):
    good, _ = notebooks
    mark = uuid.uuid4().hex
    parent, beat = _start_parent(tmp_path, good, mark)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    _assert_nothing_survives(mark, beat)
    out = tmp_path / "out"
    assert not (out / "latest").exists()  # the abandoned run never became 'latest'
    (abandoned,) = [p for p in out.iterdir()]
    assert [p for p in abandoned.iterdir() if p.name.startswith(".")]  # its temp files
    # the next run cleans the abandoned run's temporary files, and only those
    keep = {p.name: p.read_bytes() for p in abandoned.iterdir() if not p.name.startswith(".")}
    res = run_batch(load_config(_cfg(tmp_path, [{"name": "good", "notebook": str(good)}])),
                    progress=False)
    assert res.ok
    assert {p.name: p.read_bytes() for p in abandoned.iterdir()} == keep
    assert os.readlink(out / "latest") == res.folder.name


@pytest.mark.notebook
def test_ctrl_c_stops_the_workers_and_exits_non_zero(tmp_path, notebooks):
    good, _ = notebooks
    mark = uuid.uuid4().hex
    parent, beat = _start_parent(tmp_path, good, mark)
    parent.send_signal(signal.SIGINT)
    _, err = parent.communicate(timeout=60)
    assert parent.returncode not in (0, None)
    assert b"interrupted" in err and b"Traceback" not in err
    _assert_nothing_survives(mark, beat)
    assert not (tmp_path / "out" / "latest").exists()


# --------------------------------------------------------------------------- runs on a dataset
ORDERS = ("order_id,line_no,customer_id,item_id,order_date,qty_ordered,unit_price\n"
          "SO-1,1,C1,I1,2026-01-05,10,5\n"      # C1: 50
          "SO-2,1,C2,I1,2026-01-06,4,5\n"       # C2: 20
          "SO-3,1,C3,I2,2026-01-07,6,10\n"      # C3: 60
          "SO-4,1,C3,I2,2026-01-08,-2,10\n")    # negative: quarantined
CUSTOMERS = "customer_id,customer_name,tier\nC1,Alpha,B\nC2,Beta,A\nC3,Gamma,A\n"


def _own_data(folder, *, customers: bool = True, name: str = "Acme export (test)"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.csv").write_text(ORDERS, encoding="utf-8")
    tables = {"order_lines": "orders.csv"}
    if customers:
        (folder / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
        tables["customers"] = "customers.csv"
    return _write_yaml(folder / "dataset.yaml", {"name": name, "tables": tables})


def test_data_sets_every_report_and_computes_foreach_from_that_data(tmp_path, root):
    data = _own_data(tmp_path / "acme")
    cfg = load_config("reports.yaml", data=str(data))
    assert cfg.jobs and all(j.parameters["data"] == str(data) for j in cfg.jobs)
    # A-tier customers from THIS data: the master makes C2 and C3 tier A, C3 (60) before C2 (20)
    reviews = [j.parameters["customer_id"] for j in cfg.jobs
               if "customer_id" in j.parameters and j.language == "en"]
    assert reviews == ["C3", "C2"]
    assert cfg.title == "Customer service reports: Acme export (test)"
    assert cfg.output == root / "reports" / "acme-export-test"  # runs never mix with the sample's
    logs = {j.name: j.parameters["alert_log"] for j in cfg.jobs if "alert_log" in j.parameters}
    assert set(logs) == {"manager_summary", "manager_summary_zh", "pab_early_warning",
                         "pab_early_warning_zh"}
    assert set(logs.values()) == {str(root / "reports" / "acme-export-test" / "alert_log.db")}
    assert not any("samples" in str(v) for j in cfg.jobs for v in j.parameters.values())


def test_the_sample_is_the_default_dataset_of_the_project_config(root):
    cfg = load_config("reports.yaml")
    assert {j.parameters["data"] for j in cfg.jobs} == {str(root / "data" / "samples")}
    assert cfg.output == root / "reports" / "sample-data-synthetic"
    assert cfg.title == "Customer service reports: Sample data (synthetic)"


def test_cli_dry_run_with_data_shows_the_data_of_every_report(tmp_path, capsys, monkeypatch):
    _own_data(tmp_path / "acme")
    monkeypatch.chdir(tmp_path)  # --data relative to the current folder
    assert main(["report", "--data", "acme/dataset.yaml", "--dry-run"]) == 0
    out = capsys.readouterr().out
    ref = str(tmp_path / "acme" / "dataset.yaml")
    assert f"data: Acme export (test) ({ref})" in out
    jobs = [ln for ln in out.splitlines() if ": notebooks/" in ln]
    # 6 reports and 2 reviews, each in English and Chinese
    assert len(jobs) == (6 + 2) * 2 and all(f"data={ref!r}" in ln for ln in jobs)
    assert "customer_review_C3" in out and "customer_review_C2_zh" in out


def test_data_needs_a_data_parameter_in_every_notebook(tmp_path, notebooks):
    good, _ = notebooks  # declares only 'person'
    data = _own_data(tmp_path / "acme")
    with pytest.raises(ConfigError) as exc:
        load_config(_cfg(tmp_path, [{"name": "a", "notebook": str(good)}]), data=str(data))
    assert exc.value.key == "reports[0].notebook" and "no parameter 'data'" in str(exc.value)
    with pytest.raises(ConfigError) as exc:
        load_config(_cfg(tmp_path, [{"name": "a", "notebook": str(good)}], data=""))
    assert exc.value.key == "data"


def test_reports_placeholder_is_the_dataset_folder(tmp_path):
    nb = _nb(tmp_path / "d.ipynb", "print(data, log)", params='data: str = ""\nlog: str = ""')
    data = _own_data(tmp_path / "acme", customers=False, name="华东 订单")
    cfg = load_config(_cfg(tmp_path, [{"name": "a", "notebook": str(nb),
                                       "parameters": {"log": "{reports}/alert_log.db"}}],
                           data=str(data)))
    assert cfg.output == tmp_path / "out" / "华东-订单"
    assert cfg.jobs[0].parameters == {"log": str(tmp_path / "out" / "华东-订单" / "alert_log.db"),
                                      "data": str(data)}


@pytest.mark.notebook
def test_order_history_runs_on_a_dataset_with_order_lines_only(tmp_path, root, capsys):
    import yaml

    data = _own_data(tmp_path / "acme", customers=False)
    project = yaml.safe_load((root / "reports.yaml").read_text(encoding="utf-8"))
    conf = _write_yaml(tmp_path / "r.yaml", {**project, "output": str(tmp_path / "out")})
    assert main(["report", "--config", str(conf), "--data", str(data), "--only", "order_history",
                 "--no-progress"]) == 0
    runs = tmp_path / "out" / "acme-export-test"
    latest = runs / "latest"
    assert latest.is_symlink() and (latest / "order_history.html").exists()
    index = (latest / "index.html").read_text(encoding="utf-8")
    assert "Customer service reports: Acme export (test)" in index
    manifest = json.loads((latest / "run.json").read_text(encoding="utf-8"))
    assert manifest["dataset"] == "Acme export (test)" and manifest["data"] == str(data)
    html = (latest / "order_history.html").read_text(encoding="utf-8")
    assert "4 rows in = 3 loaded + 1 quarantined" in html.replace("&nbsp;", " ")
    assert not (tmp_path / "out" / "latest").exists()  # nothing outside the dataset's folder


def test_foreach_on_data_without_prices_or_master_ranks_by_volume(tmp_path):
    from workbench.reporting.batch import a_tier_customers

    folder = tmp_path / "noprice"
    folder.mkdir()
    # no price, no customer master: ABC by ordered quantity. C1 10, C3 6, C2 4 (the -2 line is
    # quarantined): C1 opens A (0 % before it), C3 has 50 % before it (< 80 %: A), C2 has 80 %
    # before it (not below the cut-off: B)
    (folder / "orders.csv").write_text(
        "\n".join(",".join(r.split(",")[:6]) for r in ORDERS.splitlines()) + "\n",
        encoding="utf-8")
    data = _write_yaml(folder / "dataset.yaml", {"tables": {"order_lines": "orders.csv"}})
    assert a_tier_customers(data=str(data)) == ["C1", "C3"]
