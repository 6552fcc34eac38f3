"""Reporting: charts, tables, manager summary, notebook rendering, report batches, explorer.

Modules
-------
availability
    What a dataset supports: each report section, what it needs, and how to provide it.
batch
    Report batches: run a set of notebooks with parameter sets, unattended.
charts
    Plotly charts of the workbench's tidy result frames.
explorer
    The service-vs-cost explorer widget of ``notebooks/service_cost_tradeoff.ipynb``.
index
    The index page of a report run: description, headline, period, last good run, failures.
inputs
    Which input a report uses: the parameter, the dataset's own, or a stated fallback.
reports
    Execute parameterized notebooks with papermill and render them to HTML.
summary
    The manager summary: headline KPIs, warnings, risks, churn and cost, told in sentences.
tables
    Tables and Markdown in reports that show customer text as text, never run it.
"""



from workbench.reporting.availability import (
    CATALOGUE,
    Analysis,
    Availability,
    analyses,
    availability_table,
    not_available_note,
)
from workbench.reporting.batch import (
    DEFAULT_TIMEOUT,
    KILL_GRACE,
    PROVIDERS,
    RESERVED_NAMES,
    BatchConfig,
    BatchResult,
    Job,
    Outcome,
    a_tier_customers,
    cell_seconds,
    clean_abandoned_runs,
    dry_run,
    load_config,
    run_batch,
    run_job,
    stop_run_processes,
    work,
    write_index,
)
from workbench.reporting.charts import (
    PALETTE,
    STATUS_COLORS,
    apply_layout,
    change_heatmap,
    chart_text,
    churn_timeline,
    control_chart,
    coverage_chart,
    curve_figure,
    cycle_time_histogram,
    forecast_fan,
    load_quality_chart,
    pab_chart,
    pab_heatmap,
    pareto_chart,
    pareto_curve_chart,
    scorecard_chart,
    top_chart,
    volume_chart,
)
from workbench.reporting.explorer import (
    build,
    summary_text,
)
from workbench.reporting.fanout import (
    SHARED_TAG,
    Page,
    PageResult,
    fan_out,
    normalise_html,
)
from workbench.reporting.index import (
    HEADLINE_MIME,
    dataset_period,
    failure_in_words,
    last_good_runs,
    period_text,
    publish_headline,
    read_headline,
    render_index,
    run_label,
)
from workbench.reporting.inputs import (
    Choice,
    churn_truth,
    demand_date,
    expedite_options_for,
    measure_for,
    pab_inputs,
    planning_date,
    show_notes,
)
from workbench.reporting.reports import (
    PARTIAL_BUNDLE,
    PARTIAL_BUNDLE_TRACES,
    PLOTLY_JS_NAME,
    TEMPLATES,
    RenderedReport,
    atomic_write_bytes,
    check_parameters,
    csv_safe,
    escape,
    execute_notebook,
    notebook_parameters,
    offline_figures,
    plotly_js_for,
    render_html,
    run_id,
    stop_with_parent,
    write_plotly_js,
)
from workbench.reporting.summary import (
    HEADLINE_KPIS,
    STATUSES,
    alert_overview,
    churn_overview,
    headline_kpis,
    labelled,
    narrative,
    top_risks,
)
from workbench.reporting.tables import (
    BIDI_CONTROLS,
    isolate_bidi,
    md,
    safe_display,
    styled,
)


def _configure_plotly() -> None:
    """Use the one renderer that draws in JupyterLab *and* in offline nbconvert HTML.

    Done when the reporting package (every module that makes figures) is first
    imported, not by ``import workbench``: plotly's renderers import nbformat
    and jsonschema, about a second, which loading data, the command line and
    Dask workers do not need.
    """
    try:
        import plotly.io as pio
    except ImportError:  # plotly is a dependency; stay importable without it
        return
    pio.renderers.default = "plotly_mimetype+notebook"


_configure_plotly()


__all__ = [
    "SHARED_TAG",
    "Page",
    "PageResult",
    "fan_out",
    "normalise_html",
    "BIDI_CONTROLS",
    "CATALOGUE",
    "Analysis",
    "Availability",
    "analyses",
    "availability_table",
    "not_available_note",
    "BatchConfig",
    "BatchResult",
    "Choice",
    "churn_truth",
    "demand_date",
    "expedite_options_for",
    "measure_for",
    "pab_inputs",
    "planning_date",
    "show_notes",
    "DEFAULT_TIMEOUT",
    "HEADLINE_KPIS",
    "Job",
    "HEADLINE_MIME",
    "KILL_GRACE",
    "Outcome",
    "PALETTE",
    "PARTIAL_BUNDLE",
    "PARTIAL_BUNDLE_TRACES",
    "PLOTLY_JS_NAME",
    "PROVIDERS",
    "RESERVED_NAMES",
    "RenderedReport",
    "STATUSES",
    "STATUS_COLORS",
    "TEMPLATES",
    "a_tier_customers",
    "alert_overview",
    "apply_layout",
    "atomic_write_bytes",
    "build",
    "cell_seconds",
    "change_heatmap",
    "chart_text",
    "check_parameters",
    "churn_overview",
    "churn_timeline",
    "clean_abandoned_runs",
    "control_chart",
    "coverage_chart",
    "csv_safe",
    "curve_figure",
    "cycle_time_histogram",
    "dataset_period",
    "dry_run",
    "escape",
    "execute_notebook",
    "failure_in_words",
    "forecast_fan",
    "headline_kpis",
    "isolate_bidi",
    "labelled",
    "last_good_runs",
    "load_config",
    "load_quality_chart",
    "md",
    "narrative",
    "notebook_parameters",
    "offline_figures",
    "plotly_js_for",
    "pab_chart",
    "pab_heatmap",
    "pareto_chart",
    "pareto_curve_chart",
    "period_text",
    "publish_headline",
    "read_headline",
    "render_html",
    "render_index",
    "run_batch",
    "run_id",
    "run_job",
    "run_label",
    "safe_display",
    "scorecard_chart",
    "stop_run_processes",
    "stop_with_parent",
    "styled",
    "summary_text",
    "top_chart",
    "top_risks",
    "volume_chart",
    "work",
    "write_index",
    "write_plotly_js",
]
