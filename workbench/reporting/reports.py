"""Execute parameterized notebooks with papermill and render them to HTML.

:func:`escape` is :func:`workbench.text.escape_html`, kept here under its old name.

Outputs are written atomically (temporary file in the same folder, then
rename), so an interrupted run never leaves a truncated report where the
previous good one was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.exceptions import ConfigError, WorkbenchError
from workbench.paths import project_path
from workbench.text import escape_html as escape

__all__ = [
    "PLOTLY_JS_NAME",
    "TEMPLATES",
    "RenderedReport",
    "atomic_write_bytes",
    "check_parameters",
    "csv_safe",
    "escape",
    "execute_notebook",
    "notebook_parameters",
    "offline_figures",
    "render_html",
    "run_id",
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


def execute_notebook(notebook: str | Path, output: str | Path,
                     parameters: Mapping[str, object] | None = None, *,
                     kernel_name: str | None = None) -> Path:
    """Execute ``notebook`` with papermill into ``output`` (written atomically).

    The kernel runs in the project root, so notebooks find data the same way
    whichever tool runs them.
    """
    import papermill as pm

    notebook = Path(notebook)
    output = Path(output)
    parameters = dict(parameters or {})
    check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    try:
        pm.execute_notebook(str(notebook), tmp, parameters=parameters,
                            cwd=str(project_path()), kernel_name=kernel_name,
                            progress_bar=False)
        _public(tmp)
        os.replace(tmp, output)
    except pm.PapermillExecutionError as exc:
        failed = output.with_name(output.stem + ".failed.ipynb")
        _public(tmp)
        os.replace(tmp, failed)
        raise WorkbenchError(
            f"notebook {notebook.name} failed in cell {exc.exec_count}: {exc.ename}: "
            f"{exc.evalue}", source=str(failed),
            fix="open the executed copy to see the error in place.") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return output


TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_JS_NAME = "plotly.min.js"


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
    plotly.js is included once, in the first figure (``plotlyjs="inline"``), or
    loaded from ``plotly.min.js`` beside the report (``plotlyjs="shared"``). The
    notebook renderer's own plotly.js loader output is dropped. Returns the
    number of figures.
    """
    import plotly.io as pio

    if plotlyjs not in ("inline", "shared"):
        raise ConfigError(f"plotlyjs must be 'inline' or 'shared', not {plotlyjs!r}",
                          key="plotlyjs", value=plotlyjs)
    n = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if _is_plotly_loader(out):
                continue
            data = out.get("data", {})
            if "application/vnd.plotly.v1+json" in data:
                fig = pio.from_json(json.dumps(data["application/vnd.plotly.v1+json"]),
                                    skip_invalid=True)
                include = (True if plotlyjs == "inline" else PLOTLY_JS_NAME) if n == 0 else False
                out["data"] = {"text/html": fig.to_html(
                    full_html=False, include_plotlyjs=include, include_mathjax=False,
                    config={"responsive": True, "displaylogo": False})}
                n += 1
            kept.append(out)
        cell["outputs"] = kept
    return n


def write_plotly_js(folder: Path) -> Path:
    """Write plotly.min.js once into ``folder`` (for ``plotlyjs="shared"`` reports)."""
    from plotly.offline import get_plotlyjs

    path = Path(folder) / PLOTLY_JS_NAME
    if not path.exists():
        atomic_write_bytes(path, get_plotlyjs().encode("utf-8"))
    return path


def render_html(executed: str | Path, output: str | Path, *, title: str | None = None,
                plotlyjs: str = "inline") -> Path:
    """Render an executed notebook to a self-contained HTML report without code.

    No code cells, no prompts, no CDN: the ``offline`` template drops require.js,
    MathJax, Mermaid and the widget manager, and plotly.js is embedded once (or
    shared beside the file with ``plotlyjs="shared"``). Written atomically.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    n_figs = offline_figures(nb, plotlyjs=plotlyjs)
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    nb.metadata.pop("widgets", None)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
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
