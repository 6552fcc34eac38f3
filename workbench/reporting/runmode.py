"""Whether a notebook runs for a reader (a report) or for a person at a live frontend.

A notebook run by papermill, ``jupyter nbconvert --execute``, nbval or the report
batch has nobody to move a slider: its widgets would be dead in the rendered
page. :func:`static_run` tells such a run apart from a live session (JupyterLab,
Notebook, VS Code, Voila), so a notebook draws static charts in reports whatever
its ``interactive`` parameter defaults to (:func:`live`).

The rule, first match wins:

1. ``WORKBENCH_REPORT`` in the environment: ``1`` (or ``true``/``yes``) forces a
   static run, ``0`` (or ``false``/``no``) a live one.
2. A Voila kernel (Voila sets ``VOILA_*`` variables in its kernels' environment):
   live, although Voila executes the notebook through nbclient as papermill does.
3. Not inside a Jupyter kernel (plain Python, a terminal IPython): static.
4. The cell being executed was sent with ``allow_stdin`` false: static. nbclient
   (papermill, nbconvert, the report batch, which runs papermill) and nbval send
   every cell that way, as nobody could answer an ``input()``; JupyterLab,
   Notebook, VS Code and the console send ``allow_stdin`` true.
5. Otherwise: live.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

__all__ = ["ENV_VARIABLE", "live", "static_run"]

ENV_VARIABLE = "WORKBENCH_REPORT"
"""Environment variable that forces the run mode: ``1`` static, ``0`` live."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_VOILA = ("VOILA_KERNEL_ID", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_REQUEST_URL", "VOILA_PREHEAT")


def _request_allows_stdin() -> bool | None:
    """``allow_stdin`` of the execute request being run (None outside a Jupyter kernel)."""
    if "ipykernel" not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None
    parent = kernel.get_parent("shell") or {}
    content = parent.get("content") or {}
    if "allow_stdin" not in content:
        return None
    return bool(content["allow_stdin"])


_FROM_KERNEL = object()
"""Default of :func:`static_run`'s ``allow_stdin``: read it from the running kernel."""


def static_run(environ: Mapping[str, str] | None = None, allow_stdin: bool | None | object = _FROM_KERNEL) -> bool:
    """Return True when nobody watches this run live (a report), False at a live frontend.

    Parameters
    ----------
    environ
        Environment to read (default: ``os.environ``).
    allow_stdin
        ``allow_stdin`` of the current execute request, None outside a kernel
        (default: read from the running kernel). For tests.

    Returns
    -------
    bool
        True under papermill, nbconvert, nbval, the report batch or plain Python;
        False in JupyterLab, Notebook, VS Code and Voila. ``WORKBENCH_REPORT``
        overrides both ways (see the module docstring).
    """
    env = os.environ if environ is None else environ
    forced = env.get(ENV_VARIABLE, "").strip().lower()
    if forced in _TRUE:
        return True
    if forced in _FALSE:
        return False
    if any(env.get(name) for name in _VOILA):
        return False
    stdin = _request_allows_stdin() if allow_stdin is _FROM_KERNEL else allow_stdin
    if stdin is None:
        return True
    return not stdin


def live(interactive: bool = True) -> bool:
    """Return whether to show live widgets: asked for (``interactive``) and not a static run.

    Parameters
    ----------
    interactive
        The notebook's ``interactive`` parameter.

    Returns
    -------
    bool
        ``interactive and not static_run()``.
    """
    return bool(interactive) and not static_run()
