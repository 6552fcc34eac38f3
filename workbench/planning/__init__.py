"""Supply planning: PAB/ATP, allocation, the delivery early warning, alert log and customer notices.

Modules
-------
alert_rules
    Escalation rule of the delivery early warning: the risk each item has and the level it gets.
alert_texts
    English and Chinese texts of the alerts: root causes and recommended actions.
alertlog
    Alert history: each run's supply alerts kept in a database (SQLAlchemy).
alerts
    Delivery early warning: the alert set of a PAB projection, and the whole review in one call.
allocation
    Allocation of scarce supply to customer order lines: which lines go short, by how much, until when.
backlog
    Open order backlog by item and period, from the order lines alone.
buckets
    Period buckets: data-model frames turned into items x periods arrays (:class:`PabInput`).
expedite
    Expedite options: the editable table of faster transport modes and the cheapest one that closes a gap.
mps
    Master production schedule proposals: lot sizing, time fences, lead time, ATP, action messages.
notices
    Draft customer notices and internal memos from supply alerts.
pab
    Projected available balance (PAB), ATP and cover for every item at once, and supply stress tests.
ranking
    Money at stake: order value at risk per alert and customer, tier-weighted ranking, noise controls.
"""

from workbench.planning.alert_rules import (
    ALERT_LEVEL,
    KIND_LEVELS,
    NO_ALERT,
    AlertKind,
    AlertLevel,
    AlertSettings,
    Risks,
    alert_ids,
    find_risks,
    kind_labels,
    kind_levels,
)
from workbench.planning.alert_texts import (
    alert_texts,
    fill_customer_counts,
)
from workbench.planning.alertlog import (
    STATUSES,
    AlertLog,
    previous_alerts,
    resolve_alert_log,
)
from workbench.planning.alerts import (
    ALERT_COLUMNS,
    LINE_COLUMNS,
    AlertSet,
    EarlyWarning,
    alert_lines,
    evaluate,
    evaluate_alerts,
    run_early_warning,
    select_items,
)
from workbench.planning.allocation import (
    ALLOCATION_COLUMNS,
    ALLOCATION_RULES,
    allocate_shortages,
)
from workbench.planning.backlog import (
    DUE_COLUMNS,
    Backlog,
    open_backlog,
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
from workbench.planning.expedite import (
    EXPEDITE_COLUMNS,
    cheapest_expedite,
    default_expedite_options,
    load_expedite_options,
    no_expedite_options,
    validate_expedite_options,
)
from workbench.planning.mps import (
    ACTION_COLUMNS,
    EXPLAIN_COLUMNS,
    LOT_RULES,
    PLANNED_MODES,
    PROPOSAL_COLUMNS,
    REASONS,
    TARGETS,
    LotSizing,
    MpsResult,
    explain_shortages,
    mps_record,
    propose_mps,
)
from workbench.planning.notices import (
    LANGUAGES,
    NOTICE_COLUMNS,
    NOTICE_KINDS,
    Draft,
    draft_internal_memo,
    draft_notices,
    expected_dates,
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
from workbench.planning.pab_scan import (
    open_demand_from_scan,
    pab_from_scan,
)
from workbench.planning.ranking import (
    DEFAULT_TIER_WEIGHTS,
    NOISE_CONTROLS,
    RANK_COLUMNS,
    MoneyAtStake,
    NoiseControls,
    ValueAtRisk,
    line_values,
    money_at_stake,
    rank_alerts,
    value_at_risk,
)

__all__ = [
    "open_demand_from_scan",
    "pab_from_scan",
    "ACTION_COLUMNS",
    "EXPLAIN_COLUMNS",
    "LOT_RULES",
    "PLANNED_MODES",
    "PROPOSAL_COLUMNS",
    "REASONS",
    "TARGETS",
    "LotSizing",
    "MpsResult",
    "explain_shortages",
    "mps_record",
    "propose_mps",
    "ALERT_COLUMNS",
    "ALERT_LEVEL",
    "ALLOCATION_COLUMNS",
    "ALLOCATION_RULES",
    "CLOSED_STATUSES",
    "DEFAULT_TIER_WEIGHTS",
    "DUE_COLUMNS",
    "EXPEDITE_COLUMNS",
    "FREQUENCIES",
    "KIND_LEVELS",
    "LANGUAGES",
    "LINE_COLUMNS",
    "LONG_COLUMNS",
    "NOISE_CONTROLS",
    "NOTICE_COLUMNS",
    "NOTICE_KINDS",
    "NO_ALERT",
    "RANK_COLUMNS",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "AlertKind",
    "AlertLevel",
    "AlertLog",
    "AlertSet",
    "AlertSettings",
    "Backlog",
    "Draft",
    "EarlyWarning",
    "MoneyAtStake",
    "NoiseControls",
    "OpenLines",
    "PabInput",
    "PabResult",
    "PeriodGrid",
    "Risks",
    "ValueAtRisk",
    "alert_ids",
    "alert_lines",
    "alert_texts",
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
    "expected_dates",
    "fill_customer_counts",
    "find_risks",
    "kind_labels",
    "kind_levels",
    "line_values",
    "load_expedite_options",
    "md_escape",
    "money_at_stake",
    "no_expedite_options",
    "open_backlog",
    "open_lines",
    "pab_summary",
    "pab_table",
    "plain_text",
    "planned_dependency",
    "previous_alerts",
    "project_pab",
    "rank_alerts",
    "resolve_alert_log",
    "run_early_warning",
    "select_items",
    "stress_supply",
    "validate_expedite_options",
    "value_at_risk",
]
