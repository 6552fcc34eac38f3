"""Plotly charts. Each function takes a tidy frame from a compute module and
returns a ``plotly.graph_objects.Figure``; none computes business numbers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .orders import LoadSummary

PALETTE = {"primary": "#1f5f8b", "accent": "#e07b39", "bad": "#c0392b", "ok": "#2e8b57",
           "muted": "#9aa5b1"}


def _layout(fig: go.Figure, title: str, **kw) -> go.Figure:
    fig.update_layout(title=title, template="plotly_white", margin=dict(l=40, r=20, t=60, b=40),
                      legend=dict(orientation="h", y=-0.2), **kw)
    return fig


def volume_chart(volume: pd.DataFrame, *, measure: str = "lines",
                 title: str = "Order volume") -> go.Figure:
    """Bars of ``measure`` per period from :func:`workbench.history.volume_by_period`."""
    fig = go.Figure(go.Bar(x=volume["period_start"], y=volume[measure],
                           marker_color=PALETTE["primary"], name=measure))
    return _layout(fig, title, xaxis_title="period", yaxis_title=measure)


def load_quality_chart(summary: LoadSummary) -> go.Figure:
    """Rows loaded vs quarantined by reason, and field issues by reason."""
    cats = ["loaded"] + [f"quarantined: {r}" for r in summary.quarantine_by_reason]
    vals = [summary.rows_loaded] + list(summary.quarantine_by_reason.values())
    colors = [PALETTE["ok"]] + [PALETTE["bad"]] * len(summary.quarantine_by_reason)
    cats += [f"issue: {r}" for r in summary.issues_by_reason]
    vals += list(summary.issues_by_reason.values())
    colors += [PALETTE["accent"]] * len(summary.issues_by_reason)
    fig = go.Figure(go.Bar(x=vals, y=cats, orientation="h", marker_color=colors,
                           text=[f"{v:,}" for v in vals], textposition="auto"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, f"{summary.rows_in:,} rows in: where each went", xaxis_type="log",
                   xaxis_title="rows (log scale)", height=200 + 30 * len(cats))


def coverage_chart(summary: LoadSummary) -> go.Figure:
    """Share of loaded rows with a value, per optional column (absent columns at 0)."""
    cov = summary.coverage_frame()
    fig = go.Figure(go.Bar(
        x=cov["share_filled"].fillna(0), y=cov["column"], orientation="h",
        marker_color=[PALETTE["muted"] if s == "absent" else PALETTE["primary"]
                      for s in cov["status"]],
        text=[("absent" if s == "absent" else f"{v:.0%}") for s, v in
              zip(cov["status"], cov["share_filled"], strict=True)],
        textposition="auto"))
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Optional fields: coverage", height=200 + 22 * len(cov))


def top_chart(top: pd.DataFrame, by: str, *, measure_label: str = "value",
              title: str | None = None) -> go.Figure:
    """Bars of the top customers/items with their cumulative share as a line."""
    labels = top[by].astype(str)
    fig = go.Figure()
    fig.add_bar(x=labels, y=top["value"], name=measure_label, marker_color=PALETTE["primary"])
    fig.add_scatter(x=labels, y=top["cum_share"], name="cumulative share", yaxis="y2",
                    mode="lines+markers", line_color=PALETTE["accent"])
    return _layout(fig, title or f"Top {len(top)} by {measure_label}",
                   yaxis2=dict(overlaying="y", side="right", range=[0, 1], tickformat=".0%"))
