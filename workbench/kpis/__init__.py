"""Customer-service KPIs: definitions, pandas and DuckDB engines, roll-up, control charts, scorecards.

Modules
-------
common
    What both KPI engines share: parameters, group columns, complaint KPIs and the long table.
control
    Control charts of a KPI over periods: p and Laney p' charts for rates, XmR otherwise.
definitions
    KPI definitions: what each customer-service KPI measures, from which columns, how it rolls up.
docs
    The KPI reference ``docs/kpis.md``, rendered from the KPI definitions.
duckdb_engine
    DuckDB engine of the KPI table: the same long table, computed in SQL.
engine
    The KPI table: one long tidy table of every customer-service KPI, from pandas or DuckDB.
history
    Order-history overviews: volume over time, top customers and items.
pandas_engine
    The pandas/NumPy engine of the KPI table: line arrays, integer group codes, bincount sums.
promises
    First promises: the delivery date first committed to each order line, from the change log.
rollup
    Exact roll-up of a KPI table to coarser groups or periods.
scorecards
    Service scorecards: KPIs against targets, failure reasons, line-level failures.
"""

from workbench.kpis.common import (
    EPOCH,
    MODEL_COLUMNS,
    QUANTITY_SLACK,
    Groups,
    KpiParams,
    as_column_list,
    customer_attribute,
    customer_lookup,
    finish_table,
    has_values,
    kpi_params,
    ratio,
)
from workbench.kpis.control import (
    CHART_COLUMNS,
    CHARTS,
    control_limits,
)
from workbench.kpis.definitions import (
    ALL_KPIS,
    GENERAL_CONVENTIONS,
    KPI_NAMES,
    KPI_ORDER,
    NOT_AVAILABLE,
    PERIODS,
    TABLE_VALUE_COLUMNS,
    KpiDefinition,
    get_definition,
    kpi_definitions,
    select_definitions,
)
from workbench.kpis.docs import (
    render_kpi_docs,
    write_kpi_docs,
)
from workbench.kpis.duckdb_engine import (
    PY_WHITESPACE,
    ArrowConversionError,
    duckdb_available,
    duckdb_kpi_table,
)
from workbench.kpis.engine import (
    AUTO_DUCKDB_MIN_LINES,
    ENGINES,
    kpi_table,
    kpi_table_from_parquet,
)
from workbench.kpis.history import (
    PERIOD_FREQUENCIES,
    PeriodFilter,
    add_revenue,
    filter_period,
    period_start,
    top,
    volume_by_period,
)
from workbench.kpis.pandas_engine import (
    pandas_kpi_table,
)
from workbench.kpis.promises import (
    first_promised_dates,
    with_first_promised_date,
)
from workbench.kpis.rollup import (
    reaggregate,
    table_group_columns,
)
from workbench.kpis.scorecards import (
    COMPARISON_KPIS,
    FAILURE_KPIS,
    MATURITY_COMPLETION,
    STATUS_ORDER,
    compare_to_peers,
    cycle_times,
    failure_pareto,
    line_failures,
    mature_periods,
    open_lines,
    period_maturity,
    scorecard,
    styled,
)

__all__ = [
    "ALL_KPIS",
    "AUTO_DUCKDB_MIN_LINES",
    "ArrowConversionError",
    "CHARTS",
    "CHART_COLUMNS",
    "COMPARISON_KPIS",
    "ENGINES",
    "EPOCH",
    "FAILURE_KPIS",
    "GENERAL_CONVENTIONS",
    "Groups",
    "KPI_NAMES",
    "KPI_ORDER",
    "KpiDefinition",
    "KpiParams",
    "MATURITY_COMPLETION",
    "MODEL_COLUMNS",
    "NOT_AVAILABLE",
    "PERIODS",
    "PERIOD_FREQUENCIES",
    "PY_WHITESPACE",
    "PeriodFilter",
    "QUANTITY_SLACK",
    "STATUS_ORDER",
    "TABLE_VALUE_COLUMNS",
    "add_revenue",
    "as_column_list",
    "compare_to_peers",
    "control_limits",
    "customer_attribute",
    "customer_lookup",
    "cycle_times",
    "duckdb_available",
    "duckdb_kpi_table",
    "failure_pareto",
    "filter_period",
    "finish_table",
    "first_promised_dates",
    "get_definition",
    "has_values",
    "kpi_definitions",
    "kpi_params",
    "kpi_table",
    "kpi_table_from_parquet",
    "line_failures",
    "mature_periods",
    "open_lines",
    "pandas_kpi_table",
    "period_maturity",
    "period_start",
    "ratio",
    "reaggregate",
    "render_kpi_docs",
    "scorecard",
    "select_definitions",
    "styled",
    "table_group_columns",
    "top",
    "volume_by_period",
    "with_first_promised_date",
    "write_kpi_docs",
]
