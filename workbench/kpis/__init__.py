"""Customer-service KPIs: definitions, pandas and DuckDB engines, roll-up, control charts, scorecards.

Modules
-------
duckdb_engine
    DuckDB engine of the KPI table: the same long table, computed in SQL.
history
    Order-history overviews: volume over time, top customers and items.
pandas_engine
    Customer-service KPIs: vectorized engines (pandas or DuckDB), a long tidy table, exact roll-ups.
scorecards
    Service scorecards: KPIs against targets, failure reasons, line-level failures.
"""

from workbench.kpis.duckdb_engine import (
    ArrowConversionError,
    duckdb_available,
    duckdb_kpi_table,
)
from workbench.kpis.history import (
    PeriodFilter,
    add_revenue,
    filter_period,
    period_start,
    top,
    volume_by_period,
)
from workbench.kpis.pandas_engine import (
    AUTO_DUCKDB_MIN_LINES,
    CANCELLED_STATUSES,
    DELIVERED_STATUSES,
    ENGINES,
    GENERAL_CONVENTIONS,
    KPI_NAMES,
    KpiDefinition,
    OPEN_STATUSES,
    PERIODS,
    SHIPPED_STATUSES,
    TABLE_VALUE_COLUMNS,
    control_limits,
    get_definition,
    kpi_definitions,
    kpi_table,
    kpi_table_from_parquet,
    reaggregate,
    render_kpi_docs,
    write_kpi_docs,
)
from workbench.kpis.scorecards import (
    COMPARISON_KPIS,
    FAILURE_KPIS,
    STATUS_ORDER,
    compare_to_peers,
    cycle_times,
    failure_pareto,
    line_failures,
    mature_periods,
    open_lines,
    scorecard,
    styled,
)

__all__ = [
    "AUTO_DUCKDB_MIN_LINES",
    "ArrowConversionError",
    "CANCELLED_STATUSES",
    "COMPARISON_KPIS",
    "DELIVERED_STATUSES",
    "ENGINES",
    "FAILURE_KPIS",
    "GENERAL_CONVENTIONS",
    "KPI_NAMES",
    "KpiDefinition",
    "OPEN_STATUSES",
    "PERIODS",
    "PeriodFilter",
    "SHIPPED_STATUSES",
    "STATUS_ORDER",
    "TABLE_VALUE_COLUMNS",
    "add_revenue",
    "compare_to_peers",
    "control_limits",
    "cycle_times",
    "duckdb_available",
    "duckdb_kpi_table",
    "failure_pareto",
    "filter_period",
    "get_definition",
    "kpi_definitions",
    "kpi_table",
    "kpi_table_from_parquet",
    "line_failures",
    "mature_periods",
    "open_lines",
    "period_start",
    "reaggregate",
    "render_kpi_docs",
    "scorecard",
    "styled",
    "top",
    "volume_by_period",
    "write_kpi_docs",
]
