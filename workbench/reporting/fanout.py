"""Report fan-out: one notebook rendered for many customers (items, sites) without a kernel per report.

A per-customer report (``notebooks/customer_review.ipynb``) is the same notebook
run once per customer. The batch's ordinary path starts a kernel per report and
recomputes everything the reports share (loading the dataset, the tiers, the
tier KPIs, the delivery early warning...) each time. The fan-out path runs them
once per worker instead; each worker

1. runs the notebook's parameters cell, its injected parameters and its
   **shared** cells (code cells tagged ``shared``: the dataset-level work, which
   must not use the fanned-out parameter) once per parameter set;
2. then, for each value of the fanned-out parameter (each customer), restores
   the variables to what they were after the shared cells, sets the
   parameter and runs the remaining cells, so each page holds exactly the
   outputs the notebook would show for that value (the shared cells' outputs are
   copied from the first run);
3. renders each executed notebook with the reports' exporter
   (:func:`~workbench.reporting.reports.notebook_html`, built once per worker).

Workers are local processes (``workers=N``) or the workers of a Dask cluster
(``executor=Client(...)``; the run folder must then be on a file system the
workers share). A local worker process runs the cells itself, in its own
IPython shell (:class:`~workbench.reporting.cellrunner.ShellRunner`: the outputs
a kernel would send, without sending them), about a third less CPU a page than
through a kernel; a worker that dies has its share run again with a kernel. A
single share, and a Dask worker (which runs other tasks too), use one kernel.
:func:`normalise_html` is the comparison rule of the identity tests: a fan-out page equals the page of the same notebook executed with
papermill for that customer once the figures' random element ids are
numbered in order.

Contract for a notebook: its shared cells come before every other code cell
(after the parameters), do not read the fanned-out parameter, and no later cell
changes in place an object they made (later cells may rebind names freely).
"""

from __future__ import annotations

import ast
import copy
import multiprocessing
import re
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.exceptions import ConfigError, WorkbenchError
from workbench.paths import project_path
from workbench.reporting.cellrunner import ShellRunner
from workbench.reporting.reports import (
    atomic_write_bytes,
    bound_kernel_manager_class,
    check_parameters,
    html_exporter,
    notebook_html,
    write_plotly_js,
)

__all__ = [
    "SHARED_TAG",
    "Page",
    "PageResult",
    "fan_out",
    "normalise_html",
    "render_chunk",
    "shared_cells",
]

SHARED_TAG = "shared"
"""Cell tag of a notebook's dataset-level code cells (run once per parameter set by a fan-out)."""

_SNAPSHOT = "__wb_fanout_base__ = dict(globals())\n__wb_fanout_base__['__wb_fanout_base__'] = __wb_fanout_base__"
_RESTORE = ("for __wb_k__ in [k for k in globals() if k not in __wb_fanout_base__]:\n"
            "    del globals()[__wb_k__]\n"
            "globals().update(__wb_fanout_base__)")
_RESET = ("for __wb_k__ in [k for k in globals() if k not in __wb_fanout_start__]:\n"
            "    del globals()[__wb_k__]\n"
            "globals().update(__wb_fanout_start__)")
_FIGURES_AS_JSON = "import plotly.io\nplotly.io.renderers.default = 'plotly_mimetype'"
"""Kernel set-up: figures are sent as their JSON only. A page's figures are drawn from that
JSON (:func:`workbench.reporting.reports.offline_figures`), which drops the HTML copy and
plotly.js loader the notebook renderer adds, so building and sending them is wasted."""
_START = "__wb_fanout_start__ = dict(globals())\n__wb_fanout_start__['__wb_fanout_start__'] = __wb_fanout_start__"


@dataclass(frozen=True)
class Page:
    """One page of a fan-out: its file name stem, the notebook's parameters and the page title."""

    name: str
    parameters: dict
    title: str = ""


@dataclass
class PageResult:
    """What happened to one page."""

    name: str
    status: str
    """``ok`` or ``failed``."""
    html: str | None
    """The page's file name in the run folder (the error page for a failure, when rendered)."""
    compute_seconds: float = 0.0
    """Time spent running the page's own cells (its share of the shared cells not counted)."""
    render_seconds: float = 0.0
    error: str | None = None
    error_type: str | None = None
    notebook: str | None = None
    """The executed notebook's file name, when kept."""
    extra: dict = field(default_factory=dict)


def shared_cells(nb: object, over: str) -> int:
    """Return the index of the last cell the fan-out runs once per parameter set.

    That is the last code cell tagged :data:`SHARED_TAG` (or the parameters cell
    when none is tagged). Checks the notebook's contract.

    Raises
    ------
    ConfigError
        The notebook has no ``parameters`` cell, a shared cell comes after an
        ordinary code cell, or a shared cell reads the fanned-out parameter.

    Examples
    --------
    >>> import nbformat
    >>> v4 = nbformat.v4
    >>> nb = v4.new_notebook(cells=[v4.new_code_cell("x = ''", metadata={"tags": ["parameters"]}),
    ...                             v4.new_code_cell("import math", metadata={"tags": ["shared"]}),
    ...                             v4.new_code_cell("print(x)")])
    >>> shared_cells(nb, "x")
    1
    """
    params = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if not params:
        raise ConfigError("a fanned-out notebook needs a cell tagged parameters", key="fanout",
                          value=over, fix="tag the notebook's parameters cell 'parameters'.")
    last = params[0]
    ordinary = False
    for i, cell in enumerate(nb.cells[params[0] + 1:], params[0] + 1):
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        if SHARED_TAG not in cell.metadata.get("tags", []):
            ordinary = True
            continue
        if ordinary:
            raise ConfigError(f"shared cell {i} comes after a cell that depends on {over}",
                              key="fanout", value=i,
                              fix="move the cells tagged 'shared' before every other code cell.")
        names = {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name)}
        if over in names:
            raise ConfigError(f"shared cell {i} uses the fanned-out parameter {over}",
                              key="fanout", value=over,
                              fix=f"move the lines that use {over} into a cell without the "
                                  "'shared' tag.")
        last = i
    return last


_PLOTLY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INJECTED_ID = re.compile(r'(celltag_injected-parameters" id="cell-id=)[^"]*"')


def normalise_html(html: str) -> str:
    """Return a report page with the ids that differ between two runs of a notebook made fixed.

    Two renderings of the same notebook differ only in (1) the random UUID plotly
    gives every figure's ``<div>`` (used again in the script that draws it),
    numbered here in order of appearance, and (2) the random id papermill gives
    the cell holding the injected parameters (a cell with no output), replaced
    by ``injected``. Every other character (text, tables, chart data and layout)
    is kept.

    Examples
    --------
    >>> a = '<div id="0c5e1b2a-1111-4a4a-8b8b-123456789abc"></div><script>f("0c5e1b2a-1111-4a4a-8b8b-123456789abc")</script>'
    >>> normalise_html(a)
    '<div id="figure-1"></div><script>f("figure-1")</script>'
    >>> normalise_html('<div class="celltag_injected-parameters" id="cell-id=9f3a0c1e">')
    '<div class="celltag_injected-parameters" id="cell-id=injected">'
    """
    seen: dict[str, str] = {}

    def number(m: re.Match) -> str:
        return seen.setdefault(m.group(0), f"figure-{len(seen) + 1}")

    return _INJECTED_ID.sub(r'\1injected"', _PLOTLY_ID.sub(number, html))


def _group_key(parameters: Mapping[str, object], over: str) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in parameters.items() if k != over))


class _Kernel:
    """One kernel kept for many notebooks; runs cells into notebook nodes."""

    def __init__(self, kernel_name: str, timeout: float | None):
        import nbformat
        from nbclient import NotebookClient

        self.client = NotebookClient(nbformat.v4.new_notebook(), timeout=timeout,
                                     interrupt_on_timeout=True, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(project_path())}},
                                     kernel_manager_class=bound_kernel_manager_class())
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()
        self.hidden(_FIGURES_AS_JSON)
        self.hidden(_START)

    def hidden(self, code: str) -> None:
        """Run code whose outputs no page shows."""
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        self.client.nb = nbformat.v4.new_notebook(cells=[cell])
        self.client.execute_cell(cell, 0, store_history=False)

    def run(self, nb: object, index: int) -> None:
        self.client.nb = nb
        self.client.execute_cell(nb.cells[index], index)

    def close(self) -> None:
        try:
            self.client._cleanup_kernel()  # noqa: SLF001 (nbclient's own shutdown, no public twin)
        except Exception:  # noqa: S110 (best effort: the kernel dies with this process anyway)
            pass


def _failure_text(exc: BaseException, notebook: str, index: int | None) -> str:
    from nbclient.exceptions import CellExecutionError

    if isinstance(exc, CellExecutionError) and exc.ename == "KeyboardInterrupt":
        return (f"notebook {Path(notebook).name}: cell {index} ran longer than the timeout and "
                "was stopped")
    if isinstance(exc, CellExecutionError):
        return f"notebook {Path(notebook).name} failed in cell {index}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"


def _write_page(nb: object, out: Path, page: Page, plotlyjs: str, exporter: object,
                keep_notebook: bool, failed: bool = False) -> tuple[str, str | None, float]:
    """Write the executed notebook (when kept) and its HTML page; return names and render time.

    The page is rendered from the notebook as written (nbformat's JSON writer, which
    sorts keys), exactly what the batch renders from the file papermill wrote. The
    writer and reader are nbformat's own minus the schema check (it only logs, and
    every output was checked when the kernel sent it), a tenth of a page's time.
    """
    from nbformat.v4 import nbjson

    stem = f"{page.name}.failed" if failed else page.name
    text = nbjson.writes(nb)
    kept = None
    if keep_notebook or failed:
        atomic_write_bytes(out / f"{stem}.ipynb", text.encode("utf-8"))
        kept = f"{stem}.ipynb"
    t0 = time.perf_counter()
    title = f"FAILED: {page.title}" if failed and page.title else page.title
    body, n_figs = notebook_html(nbjson.reads(text), title=title or None,
                                 plotlyjs=plotlyjs, exporter=exporter)
    if plotlyjs == "shared" and n_figs:
        write_plotly_js(out)
    atomic_write_bytes(out / f"{page.name}.html", body.encode("utf-8"))
    return f"{page.name}.html", kept, time.perf_counter() - t0


def _run_group(kernel: _Kernel, template: object, last_shared: int, over: str,
               pages: Sequence[Page], ctx: dict) -> list[PageResult]:
    """Run the pages of one parameter set in ``kernel`` (shared cells once), rendering each."""
    from papermill.parameterize import parameterize_notebook

    results: list[PageResult] = []
    shared_outputs: dict[int, list] | None = None
    broken: str | None = None
    for page in pages:
        if broken is not None:
            results.append(PageResult(page.name, "failed", None, error=broken,
                                      error_type="WorkbenchError"))
            continue
        nb = parameterize_notebook(copy.deepcopy(template), dict(page.parameters))
        end = last_shared + 1  # the injected parameters cell moved the shared cells down by one
        codes = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        t0 = time.perf_counter()
        index = None
        try:
            if shared_outputs is None:
                for index in (i for i in codes if i <= end):
                    kernel.run(nb, index)
                kernel.hidden(_SNAPSHOT)
                shared_outputs = {i: nb.cells[i].outputs for i in codes if i <= end}
            else:
                kernel.hidden(_RESTORE)
                kernel.hidden(f"{over} = {page.parameters[over]!r}")
                for i, outputs in shared_outputs.items():
                    nb.cells[i].outputs = copy.deepcopy(outputs)
            for index in (i for i in codes if i > end):
                kernel.run(nb, index)
        except Exception as exc:
            from nbclient.exceptions import DeadKernelError

            error = _failure_text(exc, ctx["notebook"], index)
            if shared_outputs is None or isinstance(exc, DeadKernelError):
                broken = error  # the shared state (or the kernel) is gone: the rest fail too
            html = None
            try:
                html, _, _ = _write_page(nb, ctx["out"], page, ctx["plotlyjs"], ctx["exporter"],
                                         True, failed=True)
            except Exception:  # noqa: S110 (the error page is best effort; the result says why)
                pass
            results.append(PageResult(page.name, "failed", html, time.perf_counter() - t0,
                                      error=error, error_type=type(exc).__name__))
            continue
        compute = time.perf_counter() - t0
        html, kept, render = _write_page(nb, ctx["out"], page, ctx["plotlyjs"], ctx["exporter"],
                                         ctx["keep_notebooks"])
        results.append(PageResult(page.name, "ok", html, compute, render, notebook=kept))
    return results


def render_chunk(pages: Sequence[Page], notebook: str, over: str, folder: str, *,
                 plotlyjs: str = "inline", timeout: float | None = None,
                 keep_notebooks: bool = True, runner: str = "kernel") -> list[PageResult]:
    """Render ``pages`` of ``notebook`` in this process (one worker's share).

    Pages with the same parameters apart from ``over`` run the shared cells once;
    results come back in the order of ``pages``. See :func:`fan_out`.
    ``runner="kernel"`` runs the cells in one kernel; ``runner="shell"`` runs them
    in this process's own IPython shell instead (:class:`~workbench.reporting.cellrunner.ShellRunner`; for a
    process that runs nothing else, such as a fan-out worker process).
    """
    from papermill.iorw import load_notebook_node

    if runner not in ("kernel", "shell"):
        raise ConfigError(f"runner must be 'kernel' or 'shell', not {runner!r}", key="runner",
                          value=runner, fix="pass runner='kernel' (or 'shell' in a process "
                                            "of its own).")
    path = project_path(notebook)
    template = load_notebook_node(str(path))  # as papermill reads it (default tags and metadata)
    last_shared = shared_cells(template, over)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    groups: dict[tuple, list[Page]] = {}
    for page in pages:
        groups.setdefault(_group_key(page.parameters, over), []).append(page)
    ctx = {"notebook": str(path), "out": out, "plotlyjs": plotlyjs, "exporter": html_exporter(),
           "keep_notebooks": keep_notebooks}
    if runner == "shell":
        kernel = ShellRunner(timeout, setup=_FIGURES_AS_JSON)
        kernel.hidden(_START)
    else:
        kernel_name = template.metadata.get("kernelspec", {}).get("name", "python3")
        kernel = _Kernel(kernel_name, timeout)
    by_name: dict[str, PageResult] = {}
    try:
        for n, group in enumerate(groups.values()):
            if n:
                kernel.hidden(_RESET)
            for result in _run_group(kernel, template, last_shared, over, group, ctx):
                by_name[result.name] = result
    finally:
        kernel.close()
    return [by_name[p.name] for p in pages]


def _chunks(pages: Sequence[Page], over: str, n: int) -> list[list[Page]]:
    """Split pages into ``n`` worker shares: each parameter set cut into ``n`` contiguous runs."""
    groups: dict[tuple, list[Page]] = {}
    for page in pages:
        groups.setdefault(_group_key(page.parameters, over), []).append(page)
    shares: list[list[Page]] = [[] for _ in range(n)]
    for group in groups.values():
        size, extra = divmod(len(group), n)
        start = 0
        for k in range(n):
            stop = start + size + (1 if k < extra else 0)
            shares[k] += group[start:stop]
            start = stop
    return [s for s in shares if s]


def _check_pages(pages: Sequence[Page], notebook: str, over: str) -> None:
    if not over.isidentifier():
        raise ConfigError(f"the fanned-out parameter {over!r} is not a parameter name",
                          key="over", value=over, fix="give the name, e.g. customer_id.")
    names = [p.name for p in pages]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"page name {dup!r} is used twice", key="name", value=dup,
                          fix="give every page its own name (e.g. customer_review_{customer_id}).")
    for page in pages:
        if over not in page.parameters:
            raise ConfigError(f"page {page.name} does not set {over}", key=over,
                              value=page.name, fix=f"give every page a value of {over}.")
    if pages:
        check_parameters(project_path(notebook), pages[0].parameters)


def _share_worker(send: object, share: list[Page], kwargs: dict) -> None:
    """Body of a worker process: render ``share`` with the cells run in this process."""
    try:
        result: object = ("ok", render_chunk(share, **kwargs, runner="shell"))
    except BaseException as exc:  # noqa: BLE001 (reported to the parent, which raises it)
        result = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    send.send(result)
    send.close()


def _in_processes(shares: list[list[Page]], kwargs: dict) -> list[list[PageResult]]:
    """Run each share in its own local process; on any interruption the processes are killed.

    A worker runs its cells itself (``runner="shell"``: no kernel, no messages). A
    worker that dies (a notebook that ends its process, or crashes it) has its share
    run again with a kernel, where such a cell fails its own page only.
    """
    ctx = multiprocessing.get_context("spawn")
    procs = []
    try:
        for share in shares:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_share_worker, args=(send, share, kwargs), daemon=True)
            proc.start()
            send.close()
            procs.append((proc, recv))
        done = []
        for (proc, recv), share in zip(procs, shares, strict=True):
            try:
                status, result = recv.recv()
            except EOFError:  # the process died without an answer
                status, result = "died", None
            proc.join()
            if status == "error":
                raise WorkbenchError(f"a fan-out worker failed: {result}",
                                     fix="see the error above; run the batch again.")
            done.append(result if status == "ok" else render_chunk(share, **kwargs))
    except BaseException:  # Ctrl-C or a worker error: no worker outlives the call
        for proc, _ in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()
        raise
    return done


def fan_out(notebook: str | Path, over: str, pages: Sequence[Page], folder: str | Path, *,
            workers: int = 2, executor: object | None = None, plotlyjs: str = "inline",
            timeout: float | None = None, keep_notebooks: bool = True) -> list[PageResult]:
    """Render one page of ``notebook`` per entry of ``pages``, the shared cells once per worker.

    Parameters
    ----------
    notebook
        The notebook (below the project root or absolute); its code cells tagged
        ``shared`` are run once per parameter set (see the module docstring).
    over
        The parameter that differs between pages (``customer_id``).
    pages
        The pages: name (file stem), all the notebook's parameters, title.
    folder
        Where ``<name>.html`` (and ``<name>.ipynb`` with ``keep_notebooks``) go.
    workers
        Local worker processes (ignored with ``executor``: one share per Dask worker).
    executor
        ``None`` or a ``dask.distributed.Client``; its workers must see ``folder``.
    plotlyjs
        ``inline`` or ``shared``, as for :func:`~workbench.reporting.reports.render_html`.
    timeout
        Seconds one cell may run (default: no limit).
    keep_notebooks
        Also write each executed notebook (the batch reads headlines from them).

    Returns
    -------
    list of PageResult
        In the order of ``pages``; a failed page says why and does not stop the others.

    Raises
    ------
    ConfigError
        The notebook breaks the fan-out contract, a parameter is unknown, or two
        pages share a name.
    """
    from workbench.distributed.executor import check_executor, map_chunks

    notebook = str(notebook)
    _check_pages(pages, notebook, over)
    client = check_executor(executor)
    n = len(client.nthreads()) if client is not None else max(1, int(workers))
    shares = _chunks(pages, over, max(1, n))
    kwargs = {"notebook": notebook, "over": over, "folder": str(folder), "plotlyjs": plotlyjs,
              "timeout": timeout, "keep_notebooks": keep_notebooks}
    if client is not None:
        done = map_chunks(render_chunk, shares, client, **kwargs)
    elif len(shares) <= 1:
        done = [render_chunk(s, **kwargs) for s in shares]
    else:
        done = _in_processes(shares, kwargs)
    by_name = {r.name: r for share in done for r in share}
    missing = [p.name for p in pages if p.name not in by_name]
    if missing:
        raise WorkbenchError(f"fan-out lost page(s) {missing[:3]}", fix="run the batch again.")
    return [by_name[p.name] for p in pages]
