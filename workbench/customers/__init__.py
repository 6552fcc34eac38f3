"""Understanding customers: value segments, service targets and tiers, churn, order changes.

Modules
-------
segments
    Customer analytics: segmentation, service tiers, churn early warning, order changes.
"""

from workbench.customers.segments import (
    CHANGE_TYPES,
    DEFAULT_SERVICE_TARGETS,
    TIMING_BUCKETS,
    ChangeTiming,
    ChurnEvaluation,
    Concentration,
    CustomerProfile,
    abc_classify,
    assign_tiers,
    change_magnitude,
    change_summary,
    change_timing,
    churn_warnings,
    concentration,
    customer_profile,
    evaluate_churn,
    nervousness,
    pareto_curve,
    rfm_scores,
    service_targets,
    xyz_classify,
)

__all__ = [
    "CHANGE_TYPES",
    "ChangeTiming",
    "ChurnEvaluation",
    "Concentration",
    "CustomerProfile",
    "DEFAULT_SERVICE_TARGETS",
    "TIMING_BUCKETS",
    "abc_classify",
    "assign_tiers",
    "change_magnitude",
    "change_summary",
    "change_timing",
    "churn_warnings",
    "concentration",
    "customer_profile",
    "evaluate_churn",
    "nervousness",
    "pareto_curve",
    "rfm_scores",
    "service_targets",
    "xyz_classify",
]
