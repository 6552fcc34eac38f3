"""Key hashes for the duplicate-key check: one DuckDB connection per process, fork-safe."""

from __future__ import annotations

import multiprocessing
import sys

import numpy as np
import pyarrow as pa
import pytest

from workbench.io import keyhash


def _columns() -> dict[str, pa.Array]:
    return {"order_id": pa.array(["SO-1", "SO-1", "SO-2", "SO-1", None]),
            "line_no": pa.array([1, 2, 1, 1, 1])}


def test_equal_keys_hash_equal_and_the_connection_is_made_once():
    """Rows 0 and 3 hold the same key: same hash; the other keys differ from it and from
    each other. A prepared connection is the one later calls use."""
    keyhash.prepare().join()
    con = keyhash._STATE["con"]
    h = keyhash.key_hashes(_columns())
    assert h.dtype == np.uint64 and len(h) == 5
    assert h[0] == h[3]
    assert len({int(h[i]) for i in (0, 1, 2, 4)}) == 4
    np.testing.assert_array_equal(keyhash.key_hashes(_columns()), h)
    assert keyhash._STATE["con"] is con


def _child(queue) -> None:
    queue.put(keyhash.key_hashes(_columns()).tolist())


@pytest.mark.skipif(sys.platform == "win32", reason="fork is a POSIX call")
def test_a_forked_process_makes_its_own_connection():
    """A process forked from one holding the connection (DuckDB's threads do not survive
    a fork) hashes with a connection of its own, to the same values."""
    parent = keyhash.key_hashes(_columns()).tolist()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue,))
    proc.start()
    child = queue.get(timeout=60)
    proc.join(timeout=60)
    assert proc.exitcode == 0
    assert child == parent
