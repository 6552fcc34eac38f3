"""Supply planning: PAB/ATP, allocation, the delivery early warning, alert log and customer notices.

Modules
-------
alertlog
    Alert history: each run's supply alerts kept in a database (SQLAlchemy).
alert_rules
    Supply-break early warning: escalation levels per risk and expedite options.
allocation
    Allocation of scarce supply to customer order lines: which lines go short, by how much, until when.
buckets
    Period buckets: data-model frames turned into items x periods arrays (:class:`PabInput`).
notices
    Draft customer notices and internal memos from supply alerts.
pab
    Projected available balance (PAB), ATP and cover for every item at once, and supply stress tests.
"""

from workbench.planning.alertlog import (
    STATUSES,
    AlertLog,
)
from workbench.planning.alert_rules import (
    ALERT_COLUMNS,
    EXPEDITE_COLUMNS,
    KIND_LEVELS,
    LINE_COLUMNS,
    AlertSet,
    alert_lines,
    cheapest_expedite,
    default_expedite_options,
    evaluate,
    evaluate_alerts,
    load_expedite_options,
    validate_expedite_options,
)
from workbench.planning.allocation import (
    ALLOCATION_COLUMNS,
    ALLOCATION_RULES,
    allocate_shortages,
)
from workbench.planning.buckets import (
    CLOSED_STATUSES,
    FREQUENCIES,
    OpenLines,
    PabInput,
    PeriodGrid,
    buckets_from_long,
    build_buckets,
    check_due_columns,
    open_lines,
)
from workbench.planning.notices import (
    LANGUAGES,
    NOTICE_COLUMNS,
    Draft,
    draft_internal_memo,
    draft_notices,
    md_escape,
    plain_text,
)
from workbench.planning.pab import (
    LONG_COLUMNS,
    SUMMARY_COLUMNS,
    PabResult,
    pab_summary,
    pab_table,
    planned_dependency,
    project_pab,
    stress_supply,
)

__all__ = [
    "ALERT_COLUMNS",
    "ALLOCATION_COLUMNS",
    "ALLOCATION_RULES",
    "AlertLog",
    "AlertSet",
    "CLOSED_STATUSES",
    "Draft",
    "EXPEDITE_COLUMNS",
    "FREQUENCIES",
    "KIND_LEVELS",
    "LANGUAGES",
    "LINE_COLUMNS",
    "LONG_COLUMNS",
    "NOTICE_COLUMNS",
    "OpenLines",
    "PabInput",
    "PabResult",
    "PeriodGrid",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "alert_lines",
    "allocate_shortages",
    "buckets_from_long",
    "build_buckets",
    "cheapest_expedite",
    "check_due_columns",
    "default_expedite_options",
    "draft_internal_memo",
    "draft_notices",
    "evaluate",
    "evaluate_alerts",
    "load_expedite_options",
    "md_escape",
    "open_lines",
    "pab_summary",
    "pab_table",
    "plain_text",
    "planned_dependency",
    "project_pab",
    "stress_supply",
    "validate_expedite_options",
]
