"""The KPI reference ``docs/kpis.md``, rendered from the KPI definitions.

:func:`render_kpi_docs` turns :data:`~workbench.kpis.definitions.GENERAL_CONVENTIONS`
and :data:`~workbench.kpis.definitions.ALL_KPIS` into Markdown;
:func:`write_kpi_docs` writes it; ``tests/test_kpis.py`` checks that the
committed file is in sync.
"""

from __future__ import annotations

from pathlib import Path

from workbench.kpis.definitions import ALL_KPIS, GENERAL_CONVENTIONS

__all__ = ["render_kpi_docs", "write_kpi_docs"]


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_kpi_docs() -> str:
    """Render the KPI definitions and conventions as Markdown (the text of ``docs/kpis.md``)."""
    yes_no = {True: "yes", False: "no", None: "-"}
    lines = [
        "# Customer-service KPIs",
        "",
        "Generated from `workbench/kpis/definitions.py` by `workbench docs`; do not "
        "edit by hand.",
        "",
        "`kpi_table(orders, by, period=...)` returns one row per group x KPI with columns "
        "`<group columns>..., period_start?, kpi, numerator, denominator, value, unit, note`. "
        "Rates are fractions in [0, 1]. `reaggregate(table, by)` rolls a finer table up "
        "exactly; `control_limits(table, kpi)` charts a KPI by period: rates on a p-chart, "
        "or on a Laney p' chart (limits widened by sigma_z, the ratio of the observed to the "
        "binomial period-to-period variation) when sigma_z > 1, as at thousands of orders a "
        "month; other KPIs on an XmR chart. `chart=` forces `p`, `laney` or `xmr`.",
        "",
        "## Conventions",
        "",
        *[f"- {c}" for c in GENERAL_CONVENTIONS],
        "",
        "## Summary",
        "",
        "| KPI | label | unit | aggregation | higher is better | chart | required columns |",
        "|---|---|---|---|---|---|---|",
    ]
    chart_name = {"p": "p / Laney p'", "xmr": "XmR"}
    for d in ALL_KPIS:
        lines.append(f"| `{d.name}` | {_md(d.label)} | {d.unit} | {d.aggregation} | "
                     f"{yes_no[d.higher_is_better]} | {chart_name.get(d.chart, 'XmR')} | "
                     f"{_md(d.required_columns)} |")
    lines += ["", "## Definitions", ""]
    for d in ALL_KPIS:
        lines += [
            f"### `{d.name}`",
            "",
            f"{d.label}. **Level**: {d.level}; **unit**: {d.unit}; **additive**: "
            f"{yes_no[d.additive]} ({d.aggregation}"
            f"{f', x {d.scale:g}' if d.scale != 1 else ''}); **higher is better**: "
            f"{yes_no[d.higher_is_better]}.",
            "",
            f"- Formula: {d.formula}",
            f"- Numerator: {d.numerator}",
            f"- Denominator: {d.denominator}",
            f"- Required columns: {d.required_columns}",
            f"- Conventions: {d.conventions}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_kpi_docs(path: str | Path) -> Path:
    r"""Write :func:`render_kpi_docs` to ``path`` (UTF-8, ``\n`` line ends); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_kpi_docs(), encoding="utf-8", newline="\n")
    return path
