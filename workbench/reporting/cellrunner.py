"""Run a notebook's code cells in this process's IPython shell, without a kernel.

A report fan-out (:mod:`workbench.reporting.fanout`) runs one notebook for many
customers. In a Jupyter kernel every display travels as a message: the kernel
serialises it, the client parses it back and checks it against the notebook
schema, which cost about as much as computing a customer's page. A fan-out
worker is a process of its own, so it can run the cells itself, in an IPython
shell like the kernel's, and collect the outputs the kernel would have sent:

* displays (``display(...)``, rich reprs) become ``display_data`` outputs, the
  value of a cell's last expression an ``execute_result``;
* ``stdout`` / ``stderr`` (prints, warnings) become ``stream`` outputs, consecutive
  writes to the same stream joined;
* an exception becomes an ``error`` output and raises
  :class:`nbclient.exceptions.CellExecutionError`, as nbclient does;
* each output's content goes through the same JSON packing as a kernel message
  (:func:`jupyter_client.session.json_packer`), so the values are exactly what a
  kernel's client receives.

:class:`ShellRunner` has the interface of the fan-out's kernel runner
(``hidden``, ``run``, ``close``). It needs a process of its own (it installs the
shell and redirects ``sys.stdout``) and the main thread (a cell past ``timeout``
is interrupted with a timer signal, like a kernel interrupt).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

from workbench.exceptions import WorkbenchError
from workbench.paths import project_path

__all__ = ["ShellRunner", "can_run_here"]


def can_run_here() -> bool:
    """Tell whether this process can run cells itself: main thread, no IPython shell yet, POSIX."""
    from IPython.core.interactiveshell import InteractiveShell

    return (threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer") and not InteractiveShell.initialized())


def _wire(content: dict) -> dict:
    """``content`` as a kernel's client receives it (packed and unpacked as a message)."""
    from jupyter_client.session import json_packer, json_unpacker

    return json_unpacker(json_packer(content))


class _Stream:
    """``sys.stdout`` / ``sys.stderr`` during a cell: text goes to the cell's outputs."""

    def __init__(self, name: str, write: Callable[[str, str], None]):
        self.name = name
        self._write = write
        self.encoding = "utf-8"

    def write(self, text: str) -> int:
        if text:
            self._write(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class ShellRunner:
    """Runs cells of notebook nodes in an IPython shell of this process.

    Parameters
    ----------
    timeout
        Seconds one cell may run (``None``: no limit); a cell past it is
        interrupted (``KeyboardInterrupt``, reported like nbclient's timeout).
    setup
        Code run once before anything else (not shown on any page).
    """

    def __init__(self, timeout: float | None = None, setup: str = ""):
        if not can_run_here():
            raise WorkbenchError("cells can run in this process only from its main thread "
                                 "and when it is not already an IPython shell",
                                 fix="use the kernel runner (the fan-out does this itself).")
        from IPython.core.displayhook import DisplayHook
        from IPython.core.displaypub import DisplayPublisher
        from IPython.core.interactiveshell import InteractiveShell

        runner = self

        class _Publisher(DisplayPublisher):
            def publish(self, data, metadata=None, source=None, *, transient=None,
                        update=False, **kwargs):
                runner._display(data, metadata, transient, update)

            def clear_output(self, wait=False):
                runner._clear(wait)

        class _Hook(DisplayHook):
            def start_displayhook(self):
                self.content = {"data": {}, "metadata": {}}

            def write_output_prompt(self):
                self.content["execution_count"] = self.prompt_count

            def write_format_data(self, format_dict, md_dict=None):
                self.content["data"] = format_dict
                self.content["metadata"] = md_dict or {}

            def finish_displayhook(self):
                if self.content["data"]:
                    runner._add("execute_result", self.content)

        class _Shell(InteractiveShell):
            def _showtraceback(self, etype, evalue, stb):  # as ipykernel's shell reports errors
                runner._error = {"ename": etype.__name__, "evalue": str(evalue),
                                 "traceback": list(stb)}
                runner._add("error", runner._error)

        self.shell = _Shell.instance(display_pub_class=_Publisher)
        self.shell.displayhook = _Hook(shell=self.shell, cache_size=0)
        self.shell.display_pub = _Publisher(shell=self.shell)
        self.timeout = timeout
        self._outputs: list = []
        self._error: dict | None = None
        self._by_display_id: dict[str, list] = {}
        self._wait_clear = False
        os.chdir(project_path())  # where a kernel of the fan-out starts
        if setup:
            self.hidden(setup)

    # ---------------------------------------------------------------- outputs
    def _add(self, output_type: str, content: dict) -> dict:
        import nbformat

        if self._wait_clear:
            self._outputs[:] = []
            self._wait_clear = False
        out = nbformat.NotebookNode(output_type=output_type, **_wire(content))
        if output_type == "stream" and self._outputs and \
                self._outputs[-1].output_type == "stream" and self._outputs[-1].name == out.name:
            self._outputs[-1].text += out.text
            return self._outputs[-1]
        self._outputs.append(out)
        return out

    def _display(self, data: dict, metadata: dict | None, transient: dict | None,
                 update: bool) -> None:
        display_id = (transient or {}).get("display_id")
        content = {"data": data, "metadata": metadata or {}}
        if update and display_id:
            for out in self._by_display_id.get(display_id, []):
                out.update(_wire(content))
            return
        out = self._add("display_data", content)
        if display_id:
            self._by_display_id.setdefault(display_id, []).append(out)

    def _clear(self, wait: bool) -> None:
        if wait:
            self._wait_clear = True
        else:
            self._outputs[:] = []

    def _write(self, name: str, text: str) -> None:
        self._add("stream", {"name": name, "text": text})

    # ---------------------------------------------------------------- running
    def _execute(self, code: str, store_history: bool) -> list:
        """Run ``code``; return its outputs (raises CellExecutionError on an error)."""
        self._outputs, self._error, self._wait_clear = [], None, False

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        old = (sys.stdout, sys.stderr)
        previous = signal.signal(signal.SIGALRM, interrupt) if self.timeout else None
        sys.stdout, sys.stderr = _Stream("stdout", self._write), _Stream("stderr", self._write)
        try:
            if self.timeout:
                signal.setitimer(signal.ITIMER_REAL, self.timeout)
            self.shell.run_cell(code, store_history=store_history)
        finally:
            if self.timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            sys.stdout, sys.stderr = old
        return self._outputs

    def hidden(self, code: str) -> None:
        """Run code whose outputs no page shows (an error still raises)."""
        import nbformat

        cell = nbformat.v4.new_code_cell(code)
        cell.outputs = self._execute(code, store_history=False)
        self._raise(cell)

    def run(self, nb: object, index: int) -> None:
        """Run code cell ``index`` of ``nb``: its outputs and execution count are set."""
        cell = nb.cells[index]
        cell.outputs = []
        outputs = self._execute(cell.source, store_history=True)
        cell.execution_count = self.shell.execution_count - 1
        cell.outputs = outputs
        self._raise(cell)

    def _raise(self, cell: object) -> None:
        if self._error is not None:
            from nbclient.exceptions import CellExecutionError

            raise CellExecutionError.from_cell_and_msg(cell, self._error)

    def close(self) -> None:
        """Forget the shell (the process it runs in ends with the fan-out worker)."""
        from IPython.core.interactiveshell import InteractiveShell

        self.shell.reset(new_session=False)
        InteractiveShell.clear_instance()
