"""Run the heavy analyses on a Dask cluster (optional extra: ``pip install ".[dask]"``).

The same KPI table, PAB/early-warning review and service-vs-cost curves as the
single-machine engines, computed on a ``dask.distributed`` cluster -- a
``LocalCluster`` on one machine or a remote scheduler -- and equal to them
(see ``docs/distributed.md``). Every entry point takes ``executor=``: ``None``
runs the single-machine code in this process, a ``dask.distributed.Client``
runs it on that client's cluster.

Modules
-------
:mod:`~workbench.distributed.executor`
    What ``executor=`` accepts; a local cluster helper.
:mod:`~workbench.distributed.kpis`
    The KPI table on Dask: per-partition numerators and denominators, exact
    roll-up, exact medians and percentiles.
:mod:`~workbench.distributed.items`
    Per-item kernels (PAB/ATP, early warning, service-vs-cost curves) mapped
    over item partitions.

Dask is imported only inside these modules' functions: importing
``workbench`` never needs it.
"""

from __future__ import annotations

from workbench.distributed.executor import check_executor, local_client, map_chunks
from workbench.distributed.items import (
    ItemWarning,
    early_warning,
    item_chunks,
    pab_table,
    service_cost_curve,
)
from workbench.distributed.kpis import kpi_table

__all__ = [
    "ItemWarning",
    "check_executor",
    "early_warning",
    "item_chunks",
    "kpi_table",
    "local_client",
    "map_chunks",
    "pab_table",
    "service_cost_curve",
]
