"""Execute parameterized notebooks with papermill and render them to HTML.

:func:`escape` is :func:`workbench.text.escape_html`, kept here under its old name.

Outputs are written atomically (temporary file in the same folder, then
rename), so an interrupted run never leaves a truncated report where the
previous good one was.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import signal
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.exceptions import (
    ConfigError,
    KernelDiedError,
    ReportTimeoutError,
    WorkbenchError,
)
from workbench.paths import project_path
from workbench.text import escape_html as escape

__all__ = [
    "KERNEL_START_TIMEOUT",
    "LANGUAGE_TAGS",
    "PARTIAL_BUNDLE",
    "PARTIAL_BUNDLE_TRACES",
    "PLOTLY_JS_NAME",
    "TEMPLATES",
    "RenderedReport",
    "atomic_write_bytes",
    "bound_kernel_manager_class",
    "check_parameters",
    "csv_safe",
    "escape",
    "execute_notebook",
    "html_exporter",
    "in_language",
    "notebook_html",
    "notebook_parameters",
    "offline_figures",
    "plotly_js_for",
    "render_html",
    "report_language",
    "run_id",
    "stop_with_parent",
    "write_plotly_js",
]


@dataclass(frozen=True)
class RenderedReport:
    """Paths of one executed notebook and its HTML rendering."""

    name: str
    notebook: Path
    html: Path
    seconds: float


def _public(path: str | Path) -> None:
    """Give a temporary file the permissions a normal file would get (mkstemp uses 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _public(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebook_parameters(notebook: str | Path) -> dict[str, dict]:
    """Parameters declared in a notebook's ``parameters`` cell (papermill inspection)."""
    import papermill as pm

    return pm.inspect_notebook(str(notebook))


def check_parameters(notebook: str | Path, parameters: Mapping[str, object]) -> None:
    """Reject parameter names the notebook does not declare.

    papermill itself only warns about unknown names and runs with the defaults,
    which turns a typo into a silently wrong report.
    """
    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ConfigError(
            f"unknown parameter(s) {unknown} for notebook {Path(notebook).name}",
            key=unknown[0], value=parameters[unknown[0]],
            fix=f"use one of: {', '.join(sorted(declared))}.")


def stop_with_parent(parent: int | None = None) -> bool:
    """Make this process get SIGKILL when its parent dies; return whether that is armed.

    Uses ``prctl(PR_SET_PDEATHSIG)`` on Linux (through ctypes). If ``parent`` is
    given and is no longer this process's parent (it died before the call), the
    process exits at once. Returns False on other systems, where callers poll the
    parent pid instead.
    """
    prctl = _prctl()
    if prctl is None:
        return False
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True


_PR_SET_PDEATHSIG = 1
_PRCTL: list = []


def _prctl():
    """Return the C library's ``prctl`` (resolved once, before any fork), or None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    if not _PRCTL:
        import ctypes

        _PRCTL.append(ctypes.CDLL(None, use_errno=True).prctl)
    return _PRCTL[0]


_KERNELS: list = []
"""Kernel processes this process launched (so a stopped report can stop its kernel too)."""


def _kernel_manager_class():
    """Return a kernel manager class whose kernels die with this process and can be stopped as a group."""
    from jupyter_client.manager import AsyncKernelManager

    parent = os.getpid()
    _prctl()  # resolve before the fork: the child only makes the call

    def bind() -> None:  # runs in the kernel process between fork and exec
        stop_with_parent(parent)

    class BoundKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if _prctl() is not None:
                kw.setdefault("preexec_fn", bind)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            _KERNELS.append(self.provisioner.process)

    return BoundKernelManager


def bound_kernel_manager_class() -> type:
    """Return a jupyter kernel manager class whose kernels die with this process (Linux).

    The class :func:`execute_notebook` runs papermill's kernels with; a caller
    that keeps one kernel for many notebooks (:mod:`workbench.reporting.fanout`)
    uses it too.
    """
    return _kernel_manager_class()


def _stop_kernels() -> None:
    """Kill the kernels this process launched, with their process groups (their subprocesses)."""
    while _KERNELS:
        proc = _KERNELS.pop()
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # a kernel leads its own session
            except (ProcessLookupError, PermissionError, AttributeError):
                proc.kill()
            proc.wait()


def _stopped_in(path: Path) -> str:
    """Describe the cell a partial executed copy was running (``" in cell 3"``), if known."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    started = [(i, c) for i, c in enumerate(nb.get("cells", []))
               if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return ""
    i, cell = started[-1]  # the last cell that started is the one it stopped in
    return f" in cell {cell.get('execution_count') or i + 1}"


def _keep_partial(tmp: str, output: Path) -> Path | None:
    """Move a partial executed copy (if papermill wrote one) to ``<stem>.failed.ipynb``."""
    if not os.path.exists(tmp) or os.path.getsize(tmp) == 0:
        return None
    failed = output.with_name(output.stem + ".failed.ipynb")
    _public(tmp)
    os.replace(tmp, failed)
    return failed


def _failure(exc: BaseException, notebook: Path, failed: Path | None) -> BaseException:
    """Return the error to raise for an execution that ended in ``exc`` (says where)."""
    where = _stopped_in(failed) if failed else ""
    copy = (f"the partial executed copy is {failed.name}." if failed
            else "no cell had run yet.")
    if isinstance(exc, ReportTimeoutError):
        return ReportTimeoutError(f"{exc} It was stopped{where}; {copy}",
                                  source=str(failed or notebook), fix=exc.fix)
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError) or "died" in str(exc).lower():
        return KernelDiedError(
            f"the kernel of notebook {notebook.name} died{where} (killed for lack of memory, "
            f"or the code exited the process); {copy}", source=str(failed or notebook),
            fix="open the partial executed copy; reduce memory use, or remove the exit call.")
    return exc


KERNEL_START_TIMEOUT = 300
"""Seconds a notebook kernel may take to start (papermill's default, 60 s, fails reports on a
busy machine: a scheduled batch shares it with other jobs)."""


def execute_notebook(notebook: str | Path, output: str | Path,
                     parameters: Mapping[str, object] | None = None, *,
                     kernel_name: str | None = None, partial: str | Path | None = None) -> Path:
    """Execute ``notebook`` with papermill into ``output`` (written atomically).

    The kernel runs in the project root, so notebooks find data the same way
    whichever tool runs them. It dies with this process (Linux). When execution
    stops early (a cell raised, the kernel died, the run was stopped), the partial
    executed copy is kept as ``<stem>.failed.ipynb`` and the kernel is killed.

    Parameters
    ----------
    notebook, output
        The notebook to run and the executed copy to write.
    parameters
        Values for the notebook's ``parameters`` cell (names checked).
    kernel_name
        Kernel to use (default: the notebook's).
    partial
        Where papermill writes the copy while it runs (default: a temporary file
        beside ``output``); a caller that may have to kill this process passes a
        known path to recover the partial copy.

    Raises
    ------
    WorkbenchError
        A cell raised (message names the cell and the error).
    KernelDiedError
        The kernel died.
    """
    import papermill as pm

    notebook = Path(notebook)
    output = Path(output)
    parameters = dict(parameters or {})
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    if partial is None:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb",
                                   dir=output.parent)
        os.close(fd)
    else:
        tmp = str(partial)
    try:
        pm.execute_notebook(str(notebook), tmp, parameters=parameters,
                            cwd=str(project_path()), kernel_name=kernel_name,
                            progress_bar=False, kernel_manager_class=_kernel_manager_class(),
                            start_timeout=KERNEL_START_TIMEOUT)
        _public(tmp)
        os.replace(tmp, output)
    except pm.PapermillExecutionError as exc:
        failed = _keep_partial(tmp, output)
        raise WorkbenchError(
            f"notebook {notebook.name} failed in cell {exc.exec_count}: {exc.ename}: "
            f"{exc.evalue}", source=str(failed),
            fix="open the executed copy to see the error in place.") from exc
    except BaseException as exc:  # stopped, kernel died, interrupted: keep what ran
        _stop_kernels()
        error = _failure(exc, notebook, _keep_partial(tmp, output))
        if error is exc:
            raise
        raise error from exc
    finally:
        _KERNELS.clear()
        Path(tmp).unlink(missing_ok=True)
    return output


TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_JS_NAME = "plotly.min.js"
PARTIAL_BUNDLE = Path(__file__).parent / "vendor" / "plotly-workbench.min.js"
"""plotly.js with only the trace types the reports draw (1.3 MB instead of 4.8 MB); built by
``tools/plotly-bundle`` from the plotly.js version plotly (Python) ships, vendored."""
PARTIAL_BUNDLE_TRACES = frozenset({"scatter", "bar", "heatmap", "histogram"})
"""Trace types :data:`PARTIAL_BUNDLE` draws."""


def plotly_js_for(trace_types: set[str] | frozenset[str]) -> str:
    """Return the plotly.js source a standalone report with these trace types embeds.

    The vendored partial bundle when it draws every one of them, else the full
    library that comes with plotly.

    Examples
    --------
    >>> "partial bundle" in plotly_js_for({"bar", "scatter"})[:200]
    True
    >>> "partial bundle" in plotly_js_for({"bar", "sankey"})[:200]
    False
    """
    if set(trace_types) <= PARTIAL_BUNDLE_TRACES and PARTIAL_BUNDLE.is_file():
        return _partial_bundle()
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@functools.lru_cache(maxsize=1)
def _partial_bundle() -> str:
    """Return the vendored partial plotly.js bundle (read once per process)."""
    return PARTIAL_BUNDLE.read_text(encoding="utf-8")


def _slim(fig: dict) -> dict:
    """Keep only the template's trace defaults for trace types the figure draws.

    A template carries style defaults for every trace type plotly knows (about 4 KB
    per figure); the figure looks the same with those of its own traces. Works on the
    figure's JSON (a dict, changed in place): plotly's own output needs no re-validation.

    Examples
    --------
    >>> fig = {"data": [{"type": "bar"}, {"x": [1]}],
    ...        "layout": {"template": {"data": {"bar": [1], "scatter": [2], "pie": [3]}}}}
    >>> sorted(_slim(fig)["layout"]["template"]["data"])
    ['bar', 'scatter']
    """
    template = (fig.get("layout") or {}).get("template")
    if isinstance(template, dict) and isinstance(template.get("data"), dict):
        used = {t.get("type", "scatter") for t in fig.get("data") or []}
        template["data"] = {k: v for k, v in template["data"].items() if k in used}
    return fig


def _embedded_plotly_js(js: str) -> str:
    """Return the script tags plotly writes for ``include_plotlyjs=True``, with ``js`` inside."""
    return ('<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: \'local\'};'
            f'</script>\n<script charset="utf-8" type="text/javascript">{js}</script>\n')


def _is_plotly_loader(output: dict) -> bool:
    """Tell whether ``output`` is the renderer's one-off output that injects plotly.js."""
    data = output.get("data", {})
    html_text = data.get("text/html", "")
    html_text = "".join(html_text) if isinstance(html_text, list) else str(html_text)
    return ("application/vnd.plotly.v1+json" not in data and "window.PlotlyConfig" in html_text
            and "plotly.js v" in html_text)


def offline_figures(nb, *, plotlyjs: str = "inline") -> int:
    """Rewrite plotly outputs so the notebook renders to HTML with no external request.

    Each figure's HTML is regenerated from its JSON with ``include_mathjax=False``;
    plotly.js is included once, in the first figure (``plotlyjs="inline"``: the
    vendored partial bundle when it draws every trace type of the notebook, see
    :func:`plotly_js_for`), or
    loaded from ``plotly.min.js`` beside the report (``plotlyjs="shared"``). The
    notebook renderer's own plotly.js loader output is dropped. Returns the
    number of figures.
    """
    import plotly.io as pio

    if plotlyjs not in ("inline", "shared"):
        raise ConfigError(f"plotlyjs must be 'inline' or 'shared', not {plotlyjs!r}",
                          key="plotlyjs", value=plotlyjs)
    figures = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if _is_plotly_loader(out):
                continue
            data = out.get("data", {})
            if "application/vnd.plotly.v1+json" in data:
                figures.append((out, _slim(copy.deepcopy(
                    dict(data["application/vnd.plotly.v1+json"])))))
            kept.append(out)
        cell["outputs"] = kept
    js = ""
    if plotlyjs == "inline" and figures:
        js = _embedded_plotly_js(plotly_js_for({t.get("type", "scatter") for _, f in figures
                                                for t in f.get("data") or []}))
    for n, (out, fig) in enumerate(figures):
        include = PLOTLY_JS_NAME if plotlyjs == "shared" and n == 0 else False
        # plotly's own figure JSON from the kernel: written out as it is, not re-validated
        body = pio.to_html(fig, full_html=False, include_plotlyjs=include, include_mathjax=False,
                           config={"responsive": True, "displaylogo": False}, validate=False)
        out["data"] = {"text/html": (js if n == 0 else "") + body}
    return len(figures)


def write_plotly_js(folder: Path) -> Path:
    """Write plotly.min.js once into ``folder`` (for ``plotlyjs="shared"`` reports)."""
    from plotly.offline import get_plotlyjs

    path = Path(folder) / PLOTLY_JS_NAME
    if not path.exists():
        atomic_write_bytes(path, get_plotlyjs().encode("utf-8"))
    return path


LANGUAGE_TAGS: dict[str, str] = {"en": "lang-en", "zh": "lang-zh"}
"""Cell tags marking a Markdown cell as written in one language (untagged: every language)."""


def report_language(nb: object) -> str:
    """Return the language a report is written in: its ``language`` parameter, else ``en``.

    ``auto`` (each customer's own language for notices) and any value that is not a
    report language count as English.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": {"language": "zh"}}})
    >>> report_language(nb), report_language(nbformat.v4.new_notebook())
    ('zh', 'en')
    """
    params = (getattr(nb, "metadata", {}) or {}).get("papermill", {}).get("parameters", {})
    lang = params.get("language") if isinstance(params, dict) else None
    return lang if lang in LANGUAGE_TAGS else "en"


def in_language(cells: list, lang: str) -> list:
    """Keep the cells for a report in ``lang``: untagged cells and those tagged ``lang-<lang>``.

    A notebook writes its explanations once per language, as Markdown cells tagged
    ``lang-en`` and ``lang-zh`` (JupyterLab shows both; a report shows its own).

    Examples
    --------
    >>> import nbformat
    >>> cells = [nbformat.v4.new_markdown_cell("Hello", metadata={"tags": ["lang-en"]}),
    ...          nbformat.v4.new_markdown_cell("你好", metadata={"tags": ["lang-zh"]}),
    ...          nbformat.v4.new_code_cell("1 + 1")]
    >>> [c.source for c in in_language(cells, "zh")]
    ['你好', '1 + 1']
    """
    other = {tag for code, tag in LANGUAGE_TAGS.items() if code != lang}
    return [c for c in cells if not other & set(c.get("metadata", {}).get("tags", []))]


def html_exporter():
    """Return the nbconvert exporter of the reports (``offline`` template, no code, no prompts).

    Building it loads the template; a caller rendering many pages builds it once
    and passes it to :func:`notebook_html`.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def notebook_html(nb: object, *, title: str | None = None, plotlyjs: str = "inline",
                  exporter: object | None = None) -> tuple[str, int]:
    """Return the report page of an executed notebook (in memory) and its number of figures.

    What :func:`render_html` writes, for a notebook node already read (it is
    changed in place: cells of other languages dropped, figures made offline).
    ``exporter`` is one from :func:`html_exporter` (default: a new one).
    """
    lang = report_language(nb)
    nb.cells = in_language(nb.cells, lang)
    n_figs = offline_figures(nb, plotlyjs=plotlyjs)
    exporter = exporter if exporter is not None else html_exporter()
    exporter.language_code = lang
    nb.metadata.pop("widgets", None)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return body, n_figs


def render_html(executed: str | Path, output: str | Path, *, title: str | None = None,
                plotlyjs: str = "inline", exporter: object | None = None) -> Path:
    """Render an executed notebook to a self-contained HTML report without code.

    No code cells, no prompts, no CDN: the ``offline`` template drops require.js,
    MathJax, Mermaid and the widget manager, and plotly.js is embedded once (or
    shared beside the file with ``plotlyjs="shared"``). The page is tagged with the
    report's language (its ``language`` parameter) and keeps only the text cells
    written in it (:func:`in_language`). Written atomically. ``exporter``: see
    :func:`notebook_html`.
    """
    import nbformat

    nb = nbformat.read(str(executed), as_version=4)
    body, n_figs = notebook_html(nb, title=title, plotlyjs=plotlyjs, exporter=exporter)
    out = Path(output)
    if plotlyjs == "shared" and n_figs:
        write_plotly_js(out.parent)
    atomic_write_bytes(out, body.encode("utf-8"))
    return out


def run_id(now: pd.Timestamp | None = None) -> str:
    """Return a sortable run identifier such as ``20261122-031500``."""
    now = now or pd.Timestamp.now()
    return now.strftime("%Y%m%d-%H%M%S")


_FORMULA = re.compile("^[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*)([eE][+-]?\d+)?$")


def _neutralised(values: pd.Series) -> pd.Series | None:
    """Return ``values`` with formula-like text cells prefixed by ``'`` (None: nothing to do)."""
    text = values.astype("string")
    risky = (text.str.match(_FORMULA).fillna(False)
             & ~text.str.match(_NUMBER).fillna(False)).to_numpy(dtype=bool)
    if not risky.any():
        return None
    return values.astype(object).where(~risky, "'" + text.astype(str))


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise spreadsheet formula injection in every text cell and header before CSV export.

    A cell or column name that starts with ``= + - @``, TAB or CR, or with the
    full-width ``\uff1d \uff0b \uff0d \uff20`` (and is not a plain number such as
    ``-5`` or ``+3.2``) is prefixed with an apostrophe, so a spreadsheet shows it
    as text instead of evaluating it. Every non-numeric column is checked,
    categorical ones (``source_file``) and mixed object columns included; the
    input frame is not changed.

    Examples
    --------
    >>> frame = pd.DataFrame({"=x": ["=1+1", "-5", "\uff20SUM(A1)"]})
    >>> csv_safe(frame).to_dict("list")
    {"'=x": ["'=1+1", '-5', "'\uff20SUM(A1)"]}
    """
    out = frame.copy()
    header = _neutralised(pd.Series(list(out.columns), dtype=object))
    if header is not None:
        out.columns = pd.Index(header.tolist(), dtype=object)
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
                or pd.api.types.is_datetime64_any_dtype(s.dtype)
                or isinstance(s.dtype, pd.PeriodDtype | pd.IntervalDtype)):
            continue
        safe = _neutralised(s)
        if safe is not None:
            out.isetitem(i, safe.to_numpy())
    return out
