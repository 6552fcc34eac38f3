"""Understanding customers: value segments, service targets and tiers, churn, order changes.

Modules
-------
changes
    Customers' order changes: counts and rates, timing before due, size, nervousness, PAB impact.
churn
    Churn early warning from each customer's own ordering baseline, and its evaluation.
common
    Order-line preparation shared by the customer analyses: live and dated lines, as-of, ordering patterns.
profile
    One customer's facts for a business review: name, tier, segment, value rank, orders.
segments
    Customer and item segmentation: ABC by value, Pareto concentration, XYZ variability, RFM.
targets
    Service targets per tier and the service tier of each customer.
"""

from workbench.customers.changes import (
    CHANGE_TYPES,
    TIMING_BUCKETS,
    ChangeTiming,
    change_magnitude,
    change_shortage_impact,
    change_summary,
    change_timing,
    nervousness,
    orders_before_changes,
)
from workbench.customers.churn import (
    ChurnEvaluation,
    churn_warnings,
    evaluate_churn,
)
from workbench.customers.common import (
    TOLERANCE,
    OrderPattern,
    dated_lines,
    days_to_timestamps,
    live_lines,
    order_pattern,
    resolve_as_of,
    str_array,
)
from workbench.customers.profile import (
    CustomerProfile,
    customer_profile,
)
from workbench.customers.segments import (
    Concentration,
    abc_classify,
    concentration,
    pareto_curve,
    rfm_scores,
    xyz_classify,
)
from workbench.customers.targets import (
    DEFAULT_SERVICE_TARGETS,
    REQUIRED_TIERS,
    CustomerTiers,
    assign_tiers,
    customer_tiers,
    service_targets,
)

__all__ = [
    "CHANGE_TYPES",
    "ChangeTiming",
    "ChurnEvaluation",
    "Concentration",
    "CustomerProfile",
    "CustomerTiers",
    "DEFAULT_SERVICE_TARGETS",
    "OrderPattern",
    "REQUIRED_TIERS",
    "TIMING_BUCKETS",
    "TOLERANCE",
    "abc_classify",
    "assign_tiers",
    "change_magnitude",
    "change_shortage_impact",
    "change_summary",
    "change_timing",
    "churn_warnings",
    "concentration",
    "customer_profile",
    "customer_tiers",
    "dated_lines",
    "days_to_timestamps",
    "evaluate_churn",
    "live_lines",
    "nervousness",
    "order_pattern",
    "orders_before_changes",
    "pareto_curve",
    "resolve_as_of",
    "rfm_scores",
    "service_targets",
    "str_array",
    "xyz_classify",
]
