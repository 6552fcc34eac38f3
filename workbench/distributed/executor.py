"""What the ``executor=`` argument of the distributed entry points accepts.

``None`` runs the single-machine code in this process; a
``dask.distributed.Client`` runs the work on that client's cluster (a
:func:`local_client` on this machine, or ``Client("tcp://scheduler:8786")``
for a remote scheduler). Dask is imported lazily, so this module imports
without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workbench.exceptions import ConfigError, InputTypeError
from workbench.validation import check_count

__all__ = ["DASK_HINT", "check_executor", "dask_available", "local_client", "map_chunks"]

DASK_HINT = 'pip install ".[dask]"  (or: pip install "dask[distributed]")'
"""How to install the optional Dask extra."""


def dask_available() -> bool:
    """Return True if ``dask.distributed`` can be imported.

    Examples
    --------
    >>> isinstance(dask_available(), bool)
    True
    """
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _require_dask(what: str) -> None:
    if not dask_available():
        raise ConfigError(f"{what} needs the optional Dask extra, which is not installed",
                          key="executor", value="dask", fix=DASK_HINT)


def check_executor(executor: object) -> Any:
    """Check an ``executor=`` argument: ``None`` or a ``dask.distributed.Client``.

    Returns
    -------
    Client or None
        ``executor`` itself.

    Raises
    ------
    ConfigError
        A client is given but Dask is not installed.
    InputTypeError
        ``executor`` is neither None nor a ``dask.distributed.Client``.

    Examples
    --------
    >>> check_executor(None) is None
    True
    """
    if executor is None:
        return None
    _require_dask("executor=")
    from dask.distributed import Client

    if not isinstance(executor, Client):
        raise InputTypeError(
            f"executor must be None or a dask.distributed.Client, got "
            f"{type(executor).__name__}", key="executor", value=type(executor).__name__,
            fix="pass Client(...) (e.g. workbench.distributed.executor.local_client(2)), "
                "or None to run in this process.")
    return executor


def local_client(n_workers: int = 2, *, threads_per_worker: int = 1,
                 processes: bool = True, memory_limit: str | int = "auto") -> Any:
    """Start a ``LocalCluster`` on this machine and return a ``Client`` connected to it.

    Parameters
    ----------
    n_workers
        Worker processes (>= 1).
    threads_per_worker
        Threads per worker (>= 1).
    processes
        Workers in separate processes (True, as on a real cluster) or threads.
    memory_limit
        Per worker (``"auto"``: the machine's memory shared out).

    Returns
    -------
    dask.distributed.Client
        Close it with ``client.close(); client.cluster.close()`` (or use it in a
        ``with`` block).

    Raises
    ------
    ConfigError
        Dask is not installed.
    CountError
        ``n_workers`` or ``threads_per_worker`` below 1.
    """
    n = check_count(n_workers, "n_workers", minimum=1, fix="use n_workers=2 or more.")
    t = check_count(threads_per_worker, "threads_per_worker", minimum=1,
                    fix="use threads_per_worker=1.")
    _require_dask("local_client")
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n, threads_per_worker=t, processes=processes,
                           memory_limit=memory_limit, dashboard_address=None)
    return Client(cluster)


def map_chunks(func: Callable[..., Any], chunks: Sequence[Any], executor: Any,
               **kwargs: Any) -> list[Any]:
    """``[func(chunk, **kwargs) for chunk in chunks]``, on the cluster when ``executor`` is a client.

    Each chunk is one task; results come back in the order of ``chunks``.

    Examples
    --------
    >>> map_chunks(len, [[1, 2], [3]], None)
    [2, 1]
    """
    client = check_executor(executor)
    if client is None:
        return [func(c, **kwargs) for c in chunks]
    futures = [client.submit(func, c, pure=False, **kwargs) for c in chunks]
    return client.gather(futures)
