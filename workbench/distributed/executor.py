"""What the ``executor=`` argument of the distributed entry points accepts.

``None`` runs the single-machine code in this process; a
``dask.distributed.Client`` runs the work on that client's cluster (a
:func:`local_client` on this machine, or ``Client("tcp://scheduler:8786")``
for a remote scheduler). Dask is imported lazily, so this module imports
without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.exceptions import ConfigError, InputTypeError
from workbench.validation import check_count

__all__ = ["DASK_HINT", "ClusterInfo", "check_executor", "cluster_info", "connect", "dask_available",
           "disconnect", "local_client", "map_chunks"]

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
                           memory_limit=memory_limit, dashboard_address=None,
                           silence_logs=logging.ERROR)  # the cluster's chatter is not for reports
    return Client(cluster)


def connect(address: str = "", *, n_workers: int = 2) -> Any:
    """Return a client: of the scheduler at ``address``, or of a new local cluster.

    Parameters
    ----------
    address
        A running scheduler, e.g. ``"tcp://scheduler:8786"``; empty: start a
        :func:`local_client` with ``n_workers`` worker processes on this machine.
    n_workers
        Workers of the local cluster (ignored with an address).

    Returns
    -------
    dask.distributed.Client

    Raises
    ------
    ConfigError
        Dask is not installed, or the address does not start with a protocol.
    """
    address = (address or "").strip()
    if not address:
        return local_client(n_workers)
    _require_dask("connect")
    if "://" not in address:
        raise ConfigError(f"scheduler address {address!r} has no protocol", key="scheduler",
                          value=address, fix='write it as "tcp://host:8786".')
    from dask.distributed import Client

    return Client(address)


def disconnect(client: Any) -> None:
    """Close ``client``, and its cluster when :func:`connect` started one on this machine.

    A remote scheduler and its workers keep running for other users. ``None`` is ignored.

    Examples
    --------
    >>> disconnect(None)
    """
    if client is None:
        return
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None and type(cluster).__name__ == "LocalCluster":
        cluster.close()


@dataclass(frozen=True)
class ClusterInfo:
    """What a client is connected to: a local cluster or a remote scheduler, and its workers."""

    local: bool
    workers: int
    threads: int
    address: str


def cluster_info(client: Any) -> ClusterInfo:
    """Describe the cluster behind ``client`` (workers and threads as the scheduler reports them).

    Raises
    ------
    ConfigError
        ``client`` is None (there is no cluster to describe).
    """
    if check_executor(client) is None:
        raise ConfigError("cluster_info needs a client, got None", key="client", value=None,
                          fix="pass the client returned by connect() or local_client().")
    workers = client.scheduler_info(n_workers=-1)["workers"] if _takes_n_workers(client) \
        else client.scheduler_info()["workers"]
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
    cluster = getattr(client, "cluster", None)
    local = cluster is not None and type(cluster).__name__ == "LocalCluster"
    return ClusterInfo(local=local, workers=len(workers), threads=threads,
                       address=str(client.scheduler.address))


def _takes_n_workers(client: Any) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


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
    data = client.scatter(list(chunks))  # the chunks travel once, not inside the task graph
    futures = [client.submit(func, c, pure=False, **kwargs) for c in data]
    return client.gather(futures)
