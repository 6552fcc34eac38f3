"""The service-vs-cost explorer widget of ``notebooks/service_cost_tradeoff.ipynb``.

:func:`build` returns either live ipywidgets (sliders that update a plotly
``FigureWidget`` in place, for JupyterLab and Voila) or, for reports, a static
figure with the parameter values; :func:`summary_text` words one scenario. The
numbers come from :mod:`workbench.inventory.tradeoff`, the figure from
:func:`workbench.reporting.charts.curve_figure`.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from workbench.exceptions import ConfigError
from workbench.inventory.tradeoff import Scenario, scenario
from workbench.reporting.charts import curve_figure

__all__ = ["build", "summary_text"]


def summary_text(sc: Scenario, *, per_year: float = 52.0) -> str:
    """One paragraph (HTML-safe plain text) on the target against the optimum.

    Parameters
    ----------
    sc
        A :func:`workbench.inventory.scenario` result.
    per_year
        Periods per year (the curve's costs are per period).

    Returns
    -------
    str
        Safety stock, yearly costs and fill rate at the target, and what the
        target costs above the cost-optimal level.
    """
    t, o = sc.target_row, sc.optimum_row
    extra = (t["total_cost"] - o["total_cost"]) * per_year
    return (f"For {sc.label}, {sc.target:.1%} cycle service needs safety stock of "
            f"{t['safety_stock']:,.0f} units and costs {t['total_cost'] * per_year:,.0f} a year "
            f"(holding {t['holding_cost'] * per_year:,.0f}, shortage "
            f"{t['shortage_cost'] * per_year:,.0f}); fill rate {t['achieved_fill_rate']:.1%}. The "
            f"cost-optimal level is {o['service_level']:.1%} at "
            f"{o['total_cost'] * per_year:,.0f} a year, so the target costs "
            f"{extra:,.0f} a year more than the optimum.")


def _paragraph(sc: Scenario) -> str:
    return f"<p>{html.escape(summary_text(sc))}</p>"


def _controls(state: dict[str, object], options: list[str]) -> dict[str, object]:
    """Build the sliders and the selection dropdown, set to ``state``, by scenario parameter."""
    import ipywidgets as w

    style = {"description_width": "170px"}
    layout = w.Layout(width="480px")
    selection = state["selection"]
    return {
        "service_target": w.FloatSlider(value=state["service_target"], min=0.80, max=0.995,
                                        step=0.005, description="service target",
                                        readout_format=".1%", continuous_update=False,
                                        style=style, layout=layout),
        "holding_rate": w.FloatSlider(value=state["holding_rate"], min=0.05, max=0.5, step=0.01,
                                      description="holding rate / year", readout_format=".0%",
                                      continuous_update=False, style=style, layout=layout),
        "shortage_cost_pct": w.FloatSlider(value=state["shortage_cost_pct"], min=0.0, max=2.0,
                                           step=0.05, description="shortage cost (x price)",
                                           readout_format=".2f", continuous_update=False,
                                           style=style, layout=layout),
        "lead_time_change_weeks": w.FloatSlider(value=state["lead_time_change_weeks"], min=-4,
                                                max=4, step=0.5,
                                                description="lead time change (wk)",
                                                continuous_update=False, style=style,
                                                layout=layout),
        "selection": w.Dropdown(options=options,
                                value=selection if selection in options else options[0],
                                description="items", style=style, layout=layout),
    }


def build(items: pd.DataFrame, *, interactive: bool, selection: str = "all",
          service_target: float = 0.95, holding_rate: float = 0.25,
          shortage_cost_pct: float = 0.3, lead_time_change_weeks: float = 0.0,
          choices: list[str] | None = None):
    """Show the explorer: live widgets (``interactive=True``) or a static figure and text.

    Live: sliders for service target, holding rate, shortage cost and lead-time
    change and a dropdown for the selection update a ``FigureWidget`` and the
    summary in place (no cell re-runs). Static: the same figure for the
    parameter values, for papermill reports where widgets cannot render.

    Parameters
    ----------
    items
        :func:`workbench.inventory.explorer_items` output.
    interactive
        Live widgets, or a static figure and text.
    selection, service_target, holding_rate, shortage_cost_pct, lead_time_change_weeks
        The starting scenario (see :func:`workbench.inventory.scenario`).
    choices
        Options of the selection dropdown; default ``"all"`` and one per tier.

    Returns
    -------
    ipywidgets.VBox or tuple
        The widget box (controls, ``FigureWidget``, summary), or ``(figure,
        IPython.display.HTML)`` when not interactive.
    """
    from IPython.display import HTML

    state = dict(selection=selection, service_target=service_target,
                 holding_rate=holding_rate, shortage_cost_pct=shortage_cost_pct,
                 lead_time_change_weeks=lead_time_change_weeks)
    sc = scenario(items, **state)
    if not interactive:
        return curve_figure(sc), HTML(_paragraph(sc))
    import ipywidgets as w

    fig = go.FigureWidget(curve_figure(sc))
    text = w.HTML(_paragraph(sc))
    opts = choices or (["all"] + [f"tier {c[6:]}" for c in sorted(items.columns)
                                  if c.startswith("share_")])
    controls = _controls(state, opts)

    def update(_change=None):
        values = {k: c.value for k, c in controls.items()}
        try:
            new = scenario(items, **values)
        except ConfigError as exc:
            text.value = f"<p style='color:#c0392b'>{html.escape(str(exc))}</p>"
            return
        curve_figure(new, fig=fig)
        text.value = _paragraph(new)

    for c in controls.values():
        c.observe(update, names="value")
    return w.VBox([w.HBox([w.VBox(list(controls.values())[:3]),
                           w.VBox(list(controls.values())[3:])]), fig, text])
