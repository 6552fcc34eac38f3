"""How memory is allocated while loads run: Arrow's system pool, glibc's heap reused.

A load allocates and frees many arrays of millions of values, on several
threads. On the project machine the first touch of memory the process has not
used before costs a page fault in the kernel, and at times a lot more (the
virtual machine backs guest memory lazily): up to a third of a load's time.
Three settings make a load reuse its own memory instead; they hold only while
loads run (loads on several threads share one switch: the first sets it, the
last restores the settings):

- **Arrow allocates with the system allocator.** Arrow's bundled allocator
  (mimalloc) made a 1M-line Parquet load about 30 % slower on the project
  machine (1.0 s against 1.4 s, peak memory within a few %;
  ``docs/benchmarks-load.md``). Buffers keep the pool they came from, so arrays
  made during a load stay valid after the previous pool is back.
- **On glibc (Linux), threads share one malloc arena** (``mallopt(M_ARENA_MAX, 1)``).
  With an arena per thread, an array freed on one thread was not reused by
  another: the next one was mapped afresh. One arena: a 1M-line Parquet load
  faults about 100,000 pages instead of 135,000 and peaks about 100 MB lower.
  The limit is set back to glibc's default (0) afterwards, but glibc fixes its
  limit for good the first time a thread needs a new arena: when that happens
  during a load (the load's own threads), the process keeps sharing the arenas
  it had then. That costs memory nothing; a program whose many threads call
  ``malloc`` at the same moment waits more on its lock. Set
  ``MALLOC_ARENA_MAX`` yourself to keep your own choice (see below).
- **On glibc, large arrays come from the heap, not from fresh mappings**
  (``M_MMAP_MAX`` 0, ``M_TRIM_THRESHOLD`` 2 GB). glibc maps every block
  above 32 MB on its own and unmaps it when freed, so each column-sized
  temporary of a 10M-line load (80 MB) was faulted in afresh; from the heap the
  next temporary reuses the memory (10M-line Parquet: about 1.55M -> 1.1-1.3M
  faults, 7-8 s -> 6-6.5 s). Afterwards mapping is allowed again with the
  thresholds glibc's own adjustment settles at in a process that frees large
  arrays (maps from 32 MB, trims the heap beyond 64 MB), and the heap's free
  memory is given back to the system (``malloc_trim``).

The glibc settings are left alone when the user set any of them (``MALLOC_*``
variables, ``GLIBC_TUNABLES``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import platform
import threading
from collections.abc import Callable, Iterator

import pyarrow as pa

__all__ = ["load_allocation"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -3, -4, -8
"""``mallopt`` parameter numbers (glibc's ``malloc.h``)."""
_DURING = ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, 2**31 - 1))
"""glibc settings while loads run: one arena; no mapping of large blocks; no trimming."""
_AFTER = ((_M_ARENA_MAX, 0), (_M_MMAP_MAX, 65_536), (_M_MMAP_THRESHOLD, 32 << 20),
          (_M_TRIM_THRESHOLD, 64 << 20))
"""glibc settings after them: its default arena limit (0: from the cores, unless glibc has
fixed its limit meanwhile) and mapping count; the thresholds its dynamic adjustment reaches
once a block of 32 MB or more was freed (setting any of them ends that adjustment)."""
_LOCK = threading.Lock()
_STATE: dict[str, object] = {"depth": 0, "pool": None}


def _glibc() -> tuple[Callable[[int, int], int], Callable[[int], int]] | None:
    """Return glibc's ``mallopt`` and ``malloc_trim`` (``None``: another C library, or tuned)."""
    if any(k.startswith("MALLOC_") for k in os.environ) or "malloc" in os.environ.get(
            "GLIBC_TUNABLES", ""):
        return None
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return mallopt, trim


_GLIBC = _glibc()
"""glibc's ``mallopt`` and ``malloc_trim`` when loads may tune malloc, else ``None``."""


def _set(entering: bool) -> None:
    """Switch the settings on (entering the first load) or back (leaving the last)."""
    if entering:
        _STATE["pool"] = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())
        if _GLIBC is not None:
            for p, v in _DURING:
                _GLIBC[0](p, v)
    else:
        pa.set_memory_pool(_STATE["pool"])
        _STATE["pool"] = None
        if _GLIBC is not None:
            mallopt, trim = _GLIBC
            for p, v in _AFTER:
                mallopt(p, v)
            trim(0)  # the heap's free memory back to the system


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
