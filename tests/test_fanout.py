"""Report fan-out (issue 14): pages equal to papermill's, one kernel for many customers."""

from __future__ import annotations

import os
import re
import time

import nbformat
import pytest

from workbench.exceptions import ConfigError
from workbench.reporting.fanout import Page, fan_out, normalise_html, shared_cells
from workbench.reporting.reports import execute_notebook, render_html

NOTEBOOK = "notebooks/customer_review.ipynb"
v4 = nbformat.v4


def _text(html: str) -> str:
    """The visible text of a page (tags, scripts and styles removed, spaces collapsed)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _figures(html: str) -> list[str]:
    """The data and layout of every chart (the Plotly.newPlot arguments)."""
    return re.findall(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(.*?)\s*\)\s*};", html, flags=re.S)


@pytest.fixture(scope="module")
def fanned(tmp_path_factory):
    """Three reviews in one kernel: the first runs the shared cells, the next two reuse them."""
    out = tmp_path_factory.mktemp("fanout")
    pages = [Page(f"review_{c}", {"customer_id": c, "language": lang}, f"Review {c}")
             for c, lang in (("C0001", "en"), ("C0014", "en"), ("C0131", "en"), ("C0014", "zh"))]
    pages[3] = Page("review_C0014_zh", pages[3].parameters, "客户业务回顾 C0014")
    return out, fan_out(NOTEBOOK, "customer_id", pages, out, workers=1)


def test_every_page_rendered(fanned):
    out, results = fanned
    assert [r.status for r in results] == ["ok"] * 4
    assert [r.html for r in results] == ["review_C0001.html", "review_C0014.html",
                                         "review_C0131.html", "review_C0014_zh.html"]
    zh = (out / "review_C0014_zh.html").read_text(encoding="utf-8")
    assert '<html lang="zh' in zh and "客户业务回顾" in zh


@pytest.fixture(scope="module")
def papermill_pages(tmp_path_factory):
    """The review of C0014 and C0131 as the batch's kernel-per-report path renders it."""
    folder = tmp_path_factory.mktemp("papermill")
    pages = {}
    for customer in ("C0014", "C0131"):
        executed = execute_notebook(NOTEBOOK, folder / f"{customer}.ipynb",
                                    {"customer_id": customer, "language": "en"})
        render_html(executed, folder / f"{customer}.html", title=f"Review {customer}")
        pages[customer] = (folder / f"{customer}.html").read_text(encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def fanned_in_workers(tmp_path_factory):
    """Four reviews on two worker processes that run the cells themselves (no kernel)."""
    out = tmp_path_factory.mktemp("fanout_workers")
    pages = [Page(f"review_{c}", {"customer_id": c, "language": "en"}, f"Review {c}")
             for c in ("C0001", "C0014", "C0003", "C0131")]
    return out, fan_out(NOTEBOOK, "customer_id", pages, out, workers=2)


def test_worker_processes_render_every_page(fanned_in_workers):
    _, results = fanned_in_workers
    assert [r.status for r in results] == ["ok"] * 4


@pytest.mark.parametrize("path", ["kernel", "worker processes"])
@pytest.mark.parametrize("customer", ["C0014", "C0131"])
def test_page_identical_to_papermill(fanned, fanned_in_workers, papermill_pages, customer, path):
    """C0014 and C0131 each came after another review in the same kernel (one worker) or
    worker process (two workers, cells run in the process): the shared state was reused."""
    out, _ = fanned if path == "kernel" else fanned_in_workers
    expected = papermill_pages[customer]
    got = (out / f"review_{customer}.html").read_text(encoding="utf-8")
    assert customer in _text(got)
    assert _text(got) == _text(expected)  # what a reader sees
    assert _figures(got) == _figures(expected) and len(_figures(got)) == 3  # the charts' data
    assert normalise_html(got) == normalise_html(expected)  # every other character
    assert got != expected  # the normaliser had ids to fix: the comparison is not vacuous


def test_shared_cells_contract():
    params = v4.new_code_cell("customer_id = ''", metadata={"tags": ["parameters"]})
    shared = v4.new_code_cell("import math", metadata={"tags": ["shared"]})
    per = v4.new_code_cell("print(customer_id)")
    assert shared_cells(v4.new_notebook(cells=[params, shared, per]), "customer_id") == 1
    assert shared_cells(v4.new_notebook(cells=[params, per]), "customer_id") == 0
    with pytest.raises(ConfigError, match="comes after"):
        shared_cells(v4.new_notebook(cells=[params, per, shared]), "customer_id")
    reads = v4.new_code_cell("x = customer_id", metadata={"tags": ["shared"]})
    with pytest.raises(ConfigError, match="uses the fanned-out parameter customer_id"):
        shared_cells(v4.new_notebook(cells=[params, reads, per]), "customer_id")
    with pytest.raises(ConfigError, match="parameters"):
        shared_cells(v4.new_notebook(cells=[per]), "customer_id")
    assert "shared" in nbformat.read(NOTEBOOK, 4).cells[3].metadata["tags"]


def test_pages_checked_before_running(tmp_path):
    with pytest.raises(ConfigError, match="used twice"):
        fan_out(NOTEBOOK, "customer_id", [Page("a", {"customer_id": "C1"}),
                                          Page("a", {"customer_id": "C2"})], tmp_path)
    with pytest.raises(ConfigError, match="unknown parameter"):
        fan_out(NOTEBOOK, "customer_id", [Page("a", {"customer_id": "C1", "colour": 1})],
                tmp_path)
    with pytest.raises(ConfigError, match="does not set customer_id"):
        fan_out(NOTEBOOK, "customer_id", [Page("a", {"language": "en"})], tmp_path)


def _toy(path):
    """A small fan-out notebook: a shared cell, a cell per person that shows leftovers."""
    nb = v4.new_notebook(cells=[
        v4.new_code_cell('person: str = ""  # who\ngreeting: str = "hello"  # how',
                         metadata={"tags": ["parameters"]}),
        v4.new_code_cell("base = len(greeting)", metadata={"tags": ["shared"]}),
        v4.new_code_cell('if person == "bad":\n    raise RuntimeError("boom")\n'
                         'if person == "slow":\n    import time\n    time.sleep(60)\n'
                         'if person == "gone":\n    import os\n    os._exit(1)\n'
                         'print("leftover" if "last" in globals() else "clean", greeting, person, base)\n'
                         "last = person"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, path)
    return path


def test_batch_fanout_entry_one_kernel_each_page_clean_and_failures_kept(tmp_path):
    from workbench.reporting.batch import load_config, run_batch

    toy = _toy(tmp_path / "toy.ipynb")
    cfg = load_config({"output": str(tmp_path / "out"), "parallel": 1, "reports": [
        {"name": "hi_{person}", "title": "Hi {person}", "notebook": str(toy), "fanout": True,
         "foreach": {"person": ["ann", "bad", "bob"]}, "parameters": {"greeting": "hey"}}]})
    assert [j.fanout for j in cfg.jobs] == ["person"] * 3
    res = run_batch(cfg, progress=False)
    assert [(o.name, o.status) for o in res.outcomes] == [("hi_ann", "ok"), ("hi_bad", "failed"),
                                                          ("hi_bob", "ok")]
    assert "RuntimeError: boom" in res.outcomes[1].error
    for name, who in (("hi_ann", "ann"), ("hi_bob", "bob")):
        text = _text((res.folder / f"{name}.html").read_text(encoding="utf-8"))
        assert f"clean hey {who} 3" in text and "leftover" not in text  # variables restored
    assert "FAILED: Hi bad" in (res.folder / "hi_bad.html").read_text(encoding="utf-8")
    assert (res.folder / "hi_bad.failed.ipynb").exists()
    assert "hi_bob.html" in (res.folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("entry, match", [
    ({"fanout": "yes", "foreach": {"person": ["a"]}}, "fanout must be true or false"),
    ({"fanout": True}, "fanout needs a foreach"),
])
def test_batch_fanout_mistakes(tmp_path, entry, match):
    from workbench.reporting.batch import load_config

    toy = _toy(tmp_path / "toy.ipynb")
    with pytest.raises(ConfigError, match=match):
        load_config({"output": str(tmp_path / "out"),
                     "reports": [{"name": "hi_{person}", "notebook": str(toy), **entry}]})


def test_fanout_on_a_dask_local_cluster(tmp_path):
    from workbench.distributed.executor import dask_available, local_client

    if not dask_available():  # pragma: no cover - only without the extra
        if os.environ.get("WORKBENCH_REQUIRE_DASK") == "1":
            pytest.fail('dask is not installed (WORKBENCH_REQUIRE_DASK=1)', pytrace=False)
        pytest.skip('dask is not installed: pip install ".[dask]"')

    toy = _toy(tmp_path / "toy.ipynb")
    pages = [Page(f"p_{p}", {"person": p, "greeting": g}, p)
             for p, g in (("ann", "hi"), ("bob", "hi"), ("cy", "hello"))]
    with local_client(2) as client:
        results = fan_out(toy, "person", pages, tmp_path / "out", executor=client)
    assert [r.status for r in results] == ["ok"] * 3
    texts = [_text((tmp_path / "out" / r.html).read_text(encoding="utf-8")) for r in results]
    assert "clean hi ann 2" in texts[0] and "clean hi bob 2" in texts[1]
    assert "clean hello cy 5" in texts[2]


def test_a_cell_past_the_timeout_fails_its_page_only(tmp_path):
    toy = _toy(tmp_path / "toy.ipynb")
    pages = [Page(f"p_{p}", {"person": p}, p) for p in ("slow", "ann")]
    t0 = time.perf_counter()
    slow, ann = fan_out(toy, "person", pages, tmp_path / "out", workers=1, timeout=3)
    assert time.perf_counter() - t0 < 50  # the sleeping cell was interrupted, not waited for
    assert slow.status == "failed" and "ran longer than the timeout" in slow.error
    assert ann.status == "ok"
    assert "clean hello ann 5" in _text((tmp_path / "out" / "p_ann.html").read_text(encoding="utf-8"))


def test_two_local_worker_processes_share_the_pages(tmp_path):
    toy = _toy(tmp_path / "toy.ipynb")
    pages = [Page(f"p_{p}", {"person": p, "greeting": g}, p)
             for p, g in (("ann", "hi"), ("bob", "hi"), ("cy", "hello"), ("dee", "hello"))]
    results = fan_out(toy, "person", pages, tmp_path / "out", workers=2)
    assert [r.name for r in results] == ["p_ann", "p_bob", "p_cy", "p_dee"]
    assert [r.status for r in results] == ["ok"] * 4
    text = _text((tmp_path / "out" / "p_dee.html").read_text(encoding="utf-8"))
    assert "clean hello dee 5" in text


def test_worker_processes_fail_a_page_on_error_or_timeout_and_go_on(tmp_path):
    """Cells run in the worker processes: an exception and a cell past the timeout fail
    their own page; the other pages of the same worker are rendered, variables restored."""
    toy = _toy(tmp_path / "toy.ipynb")
    pages = [Page(f"p_{p}", {"person": p}, p) for p in ("bad", "ann", "slow", "bob")]
    t0 = time.perf_counter()
    bad, ann, slow, bob = fan_out(toy, "person", pages, tmp_path / "out", workers=2, timeout=3)
    assert time.perf_counter() - t0 < 50  # interrupted, not waited for
    assert bad.status == "failed" and "RuntimeError: boom" in bad.error
    assert slow.status == "failed" and "ran longer than the timeout" in slow.error
    assert (ann.status, bob.status) == ("ok", "ok")
    for who in ("ann", "bob"):
        text = _text((tmp_path / "out" / f"p_{who}.html").read_text(encoding="utf-8"))
        assert f"clean hello {who} 5" in text and "leftover" not in text
    assert "FAILED: bad" in (tmp_path / "out" / "p_bad.html").read_text(encoding="utf-8")


def test_a_worker_process_that_dies_has_its_pages_run_again_with_a_kernel(tmp_path):
    """A cell that ends its process takes the worker down; its share runs again with a
    kernel, where that cell fails its own page only."""
    toy = _toy(tmp_path / "toy.ipynb")
    pages = [Page(f"p_{p}", {"person": p}, p) for p in ("ann", "gone", "bob", "cy")]
    ann, gone, bob, cy = fan_out(toy, "person", pages, tmp_path / "out", workers=2)
    assert gone.status == "failed" and "died" in gone.error.lower()
    assert [r.status for r in (ann, bob, cy)] == ["ok"] * 3
    text = _text((tmp_path / "out" / "p_ann.html").read_text(encoding="utf-8"))
    assert "clean hello ann 5" in text


def test_render_chunk_refuses_an_unknown_runner(tmp_path):
    from workbench.reporting.fanout import render_chunk

    with pytest.raises(ConfigError, match="runner must be 'kernel' or 'shell'"):
        render_chunk([Page("p", {"person": "ann"})], str(_toy(tmp_path / "toy.ipynb")),
                     "person", tmp_path, runner="shel")
