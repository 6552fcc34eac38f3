"""How memory is allocated while loads run: Arrow's system pool, one glibc arena.

A load allocates and frees many arrays of millions of values, on several
threads. Two settings make that cheaper, and both hold only while a load runs
(loads on several threads share one switch: the first sets it, the last
restores what was there before):

- **Arrow allocates with the system allocator.** Arrow's bundled allocator
  (mimalloc) made a 1M-line Parquet load about 30 % slower on the project
  machine (1.0 s against 1.4 s, peak memory within a few %;
  ``docs/benchmarks-load.md``). Buffers keep the pool they came from, so arrays
  made during a load stay valid after the previous pool is back.
- **On glibc (Linux), threads share one malloc arena** (``mallopt(M_ARENA_MAX, 1)``).
  With an arena per thread, an array freed on one thread could not be reused
  by another: the next array was mapped afresh and its first touch paid the
  kernel's page faults (on the project machine about 135,000 faults, a third
  of a 1M-line Parquet load's CPU time). With one arena a load faults about
  90,000 pages, runs about 10 % faster and peaks about 100 MB lower
  (``docs/benchmarks-load.md``). Threads made during the load (its own, Arrow's)
  take their arena then; the setting is restored afterwards, and left alone
  when the user set it (``MALLOC_ARENA_MAX`` or ``GLIBC_TUNABLES``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import platform
import threading
from collections.abc import Iterator

import pyarrow as pa

__all__ = ["load_allocation"]

_M_ARENA_MAX = -8
"""``mallopt`` parameter number of the arena limit (glibc's ``malloc.h``)."""
_LOCK = threading.Lock()
_STATE: dict[str, object] = {"depth": 0, "pool": None, "arenas": False}


def _mallopt() -> object | None:
    """Return glibc's ``mallopt``, or ``None`` (another C library, or the user set the arenas)."""
    if os.environ.get("MALLOC_ARENA_MAX") or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return None
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = libc.mallopt
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_MALLOPT = _mallopt()
"""glibc's ``mallopt`` when loads may set the arena limit, else ``None``."""


def _set(entering: bool) -> None:
    """Switch both settings on (entering the first load) or back (leaving the last)."""
    if entering:
        _STATE["pool"] = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())
        _STATE["arenas"] = bool(_MALLOPT is not None and _MALLOPT(_M_ARENA_MAX, 1) == 1)
    else:
        pa.set_memory_pool(_STATE["pool"])
        _STATE["pool"] = None
        if _STATE["arenas"]:
            _MALLOPT(_M_ARENA_MAX, 0)  # 0: glibc's own limit, from the number of cores
            _STATE["arenas"] = False


@contextlib.contextmanager
def load_allocation() -> Iterator[None]:
    """Allocate as loads do (see the module) for the duration; restore the settings after.

    >>> import pyarrow as pa
    >>> before = pa.default_memory_pool().backend_name
    >>> with load_allocation():
    ...     pa.default_memory_pool().backend_name
    'system'
    >>> pa.default_memory_pool().backend_name == before
    True
    """
    with _LOCK:
        if _STATE["depth"] == 0:
            _set(entering=True)
        _STATE["depth"] = int(_STATE["depth"]) + 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] = int(_STATE["depth"]) - 1
            if _STATE["depth"] == 0:
                _set(entering=False)
