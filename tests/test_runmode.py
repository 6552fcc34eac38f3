"""Run mode: a report run (papermill, nbconvert, nbval, the batch) draws static charts; a live frontend keeps widgets."""

from __future__ import annotations

import nbformat
import pytest

from workbench.reporting import runmode
from workbench.reporting.runmode import live, static_run


@pytest.mark.parametrize(("environ", "allow_stdin", "expected"), [
    ({}, False, True),   # nbclient (papermill, nbconvert, batch) and nbval send allow_stdin false
    ({}, True, False),   # JupyterLab, Notebook, VS Code send allow_stdin true
    ({}, None, True),    # not in a kernel: plain Python
    ({"VOILA_KERNEL_ID": "k1"}, False, False),  # Voila runs through nbclient but is live
    ({"WORKBENCH_REPORT": "1"}, True, True),    # forced static, even at a live frontend
    ({"WORKBENCH_REPORT": "yes"}, True, True),
    ({"WORKBENCH_REPORT": "0"}, False, False),  # forced live, even under papermill
    ({"WORKBENCH_REPORT": "1", "VOILA_KERNEL_ID": "k1"}, True, True),  # the override wins
    ({"WORKBENCH_REPORT": ""}, True, False),    # empty: no override
])
def test_rule(environ, allow_stdin, expected):
    assert static_run(environ, allow_stdin) is expected


def test_outside_a_kernel_is_static(monkeypatch):
    monkeypatch.delenv("WORKBENCH_REPORT", raising=False)
    for name in ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL", "VOILA_PREHEAT"):
        monkeypatch.delenv(name, raising=False)
    assert static_run() is True  # pytest has no kernel
    assert live(True) is False
    monkeypatch.setenv("WORKBENCH_REPORT", "0")
    assert live(True) is True
    assert live(False) is False  # interactive=False stays static


def _probe(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("from workbench.reporting import runmode\n"
                                          "print('static', runmode.static_run(), 'live', runmode.live(True))")]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def _printed(path) -> str:
    cell = nbformat.read(path, as_version=4).cells[-1]
    return "".join(o.get("text", "") for o in cell.outputs).strip()


def test_papermill_run_is_static(tmp_path, monkeypatch):
    import papermill as pm
    monkeypatch.delenv("WORKBENCH_REPORT", raising=False)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(_probe(tmp_path)), str(out), kernel_name="python3", progress_bar=False)
    assert _printed(out) == "static True live False"


def test_live_frontend_keeps_widgets(monkeypatch):
    """A frontend that can answer input() (JupyterLab, VS Code) sends allow_stdin true: live."""
    from jupyter_client.manager import start_new_kernel
    monkeypatch.delenv("WORKBENCH_REPORT", raising=False)
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        code = "from workbench.reporting import runmode\nprint(runmode.static_run())"
        printed = {}
        for stdin in (True, False):
            lines = []
            kc.execute_interactive(code, allow_stdin=stdin, timeout=120,
                                   output_hook=lambda m, out=lines: out.append(m["content"].get("text", "")))
            printed[stdin] = "".join(lines).strip()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert printed == {True: "False", False: "True"}
    assert runmode.ENV_VARIABLE == "WORKBENCH_REPORT"


def test_explorer_is_static_in_a_report_with_the_defaults(tmp_path, monkeypatch):
    """service_cost_tradeoff with interactive=True (its default) under papermill: a plotly figure, no widget."""
    import papermill as pm

    from workbench.paths import project_path
    monkeypatch.delenv("WORKBENCH_REPORT", raising=False)
    out = tmp_path / "sct.ipynb"
    pm.execute_notebook(str(project_path() / "notebooks" / "service_cost_tradeoff.ipynb"), str(out),
                        kernel_name="python3", progress_bar=False, cwd=str(project_path()))
    kinds = [k for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"
             for o in c.outputs for k in o.get("data", {})]
    assert "application/vnd.jupyter.widget-view+json" not in kinds
    assert kinds.count("application/vnd.plotly.v1+json") == 1
