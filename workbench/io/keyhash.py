"""64-bit hashes of key columns, computed by DuckDB on one connection per process.

The loaders find repeated keys among millions of rows from a hash per row
(:func:`key_hashes`). Importing DuckDB and opening a connection cost about
60 ms the first time in a process (a fifth of a 1M-line Parquet load), so the
connection is made once, and a loader may start making it on a thread
(:func:`prepare`) while it reads the file.

A process forked from one holding the connection makes its own: DuckDB's
threads do not survive a fork.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pyarrow as pa

__all__ = ["key_hashes", "prepare"]

_LOCK = threading.Lock()
"""Held while the connection is made or used (a DuckDB connection serves one thread at a time)."""
_STATE: dict[str, object] = {}
"""``con``: the connection; ``pid``: the process that made it."""
_FORKED: list[object] = []
"""Connections inherited through a fork: kept, never closed (their threads are gone)."""


def _forget_after_fork() -> None:
    if "con" in _STATE:
        _FORKED.append(_STATE.pop("con"))
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def _connection() -> object:
    """Return this process's connection, made on first use (the caller holds ``_LOCK``)."""
    con = _STATE.get("con")
    if con is None or _STATE.get("pid") != os.getpid():
        import duckdb

        con = _STATE["con"] = duckdb.connect()
        _STATE["pid"] = os.getpid()
    return con


def prepare() -> threading.Thread:
    """Start making the connection on a daemon thread; return the thread.

    A load calls this before reading a large source: the import and the
    connection then overlap the read, which waits in Arrow's C++ code.
    Without DuckDB installed the thread ends quietly (hashing raises later,
    where it is needed).
    """
    def run() -> None:
        try:
            with _LOCK:
                _connection()
        except ImportError:
            pass

    thread = threading.Thread(target=run, name="workbench-keyhash", daemon=True)
    thread.start()
    return thread


def key_hashes(columns: dict[str, pa.Array | pa.ChunkedArray]) -> np.ndarray:
    """Return DuckDB's 64-bit ``hash`` of each row of ``columns`` (all of one length).

    Equal rows have equal hashes; unequal rows almost always differ, so a
    caller checks the rows whose hashes repeat against their exact values.

    >>> import pyarrow as pa
    >>> h = key_hashes({"k0": pa.array(["a", "b", "a"]), "k1": pa.array([1, 2, 1])})
    >>> h.dtype.name, bool(h[0] == h[2]), bool(h[0] == h[1])
    ('uint64', True, False)
    """
    names = list(columns)
    table = pa.table({f"k{i}": columns[n] for i, n in enumerate(names)})
    expr = ", ".join(f"k{i}" for i in range(len(names)))
    with _LOCK:
        con = _connection()
        con.register("key_columns", table)
        try:
            return con.sql(f"SELECT hash({expr}) AS h FROM key_columns").fetchnumpy()["h"]
        finally:
            con.unregister("key_columns")
