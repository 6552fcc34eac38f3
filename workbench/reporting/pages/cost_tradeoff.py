"""The service-level-against-cost report, section by section, in English and Chinese.

The cells of ``notebooks/service_cost_tradeoff.ipynb`` call these functions. Each
builds one section in the report's language: the cost curve of the chosen
selection with the target and the cost optimum stated in a sentence
(:func:`optimum_sentence`), what each customer tier's target costs per year
against its optimum (:func:`tier_costs_table`), scenarios side by side
(:func:`scenarios_table`) and the check by simulation (:func:`simulation_table`).
Service levels are percentages, costs carry the dataset's currency and say
"per year", and every table and chart names the weeks of demand it rests on.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from workbench.i18n import fmt_date, fmt_money, fmt_num, fmt_pct, label
from workbench.inventory.tradeoff import Scenario
from workbench.reporting.charts import chart_text, curve_figure
from workbench.reporting.tables import ColumnSpec, ReportTable, report_table
from workbench.validation import check_language

__all__ = [
    "SCENARIO_NAMES",
    "curve_chart",
    "demand_classes_table",
    "demand_side_text",
    "bound_words",
    "items_sentence",
    "level_text",
    "not_available_text",
    "optimum_sentence",
    "scenarios_table",
    "selection_words",
    "simulation_table",
    "tier_costs_table",
    "tier_sentence",
    "weeks_span",
]

SCENARIO_NAMES: dict[str, dict[str, str]] = {
    "base": {"en": "As assumed", "zh": "基准假设"},
    "lead time -1 week": {"en": "Lead time one week shorter", "zh": "提前期缩短一周"},
    "holding rate +10 pts": {"en": "Holding rate +10 points", "zh": "持有成本率+10个百分点"},
}
"""Words for the scenarios the report compares (keys as the notebook names them)."""


def _w(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def _per_year(currency: str, lang: str) -> str:
    """`` (EUR per year)`` / ``（欧元/年）``: the unit part of a yearly-cost header."""
    head = label("extra_cost", lang, currency)
    return head[len(_w(lang, "Extra cost", "额外成本")):]


def level_text(level: float, lang: str = "en") -> str:
    """Write a service level as a percentage, with two decimals where one would round to 100 %.

    Examples
    --------
    >>> level_text(0.989731), level_text(0.9999), level_text(0.5, "zh")
    ('99.0%', '99.99%', '50.0%')
    """
    return fmt_pct(level, lang, 2 if level >= 0.9995 else 1)


def bound_words(level: float, search_range: tuple[float, float], lang: str = "en") -> str:
    """Say that the cost keeps falling to the end of the levels searched, instead of an optimum.

    ``level`` is the end of ``search_range`` the optimum was clipped to.

    Examples
    --------
    >>> bound_words(0.9999, (0.5, 0.9999))
    'the cost keeps falling up to the highest level searched (99.99%), so there is no optimum within the range'
    >>> bound_words(0.5, (0.5, 0.9999), "zh")
    '成本一直下降到所搜索的最低水平（50.0%），搜索范围内没有最优水平'
    """
    check_language(lang)
    high = level >= (search_range[0] + search_range[1]) / 2
    where = level_text(search_range[1] if high else search_range[0], lang)
    if lang == "en":
        return (f"the cost keeps falling {'up' if high else 'down'} to the "
                f"{'highest' if high else 'lowest'} level searched ({where}), so there is no "
                f"optimum within the range")
    return f"成本一直下降到所搜索的{'最高' if high else '最低'}水平（{where}），搜索范围内没有最优水平"


def selection_words(selection: str, lang: str = "en") -> str:
    """Name the items a curve covers: all items, a tier's share of demand, or one item.

    Examples
    --------
    >>> selection_words("all"), selection_words("tier B", "zh"), selection_words("ITM-0007")
    ('all items', 'B级客户的需求份额', 'item ITM-0007')
    """
    check_language(lang)
    if selection in ("", "all"):
        return _w(lang, "all items", "所有物料")
    if selection.startswith("tier "):
        tier = selection.split(" ", 1)[1]
        return _w(lang, f"tier {tier}'s share of demand", f"{tier}级客户的需求份额")
    return _w(lang, f"item {selection}", f"物料{selection}")


def optimum_sentence(sc: Scenario, selection: str, span: str, lang: str = "en",
                     currency: str = "", per_year: float = 52.0) -> str:
    """State the target's cost and the cost optimum in one or two sentences.

    Parameters
    ----------
    sc
        A :func:`workbench.inventory.scenario` result (costs per week).
    selection
        The selection the scenario is for (``all``, ``tier A``, an item id).
    span
        The weeks of demand it rests on (``30 Jun 2025 – 28 Jun 2026``).
    lang, currency
        Report language and the dataset's currency.
    per_year
        Periods per year.

    Examples
    --------
    >>> curve = pd.DataFrame({"service_level": [0.95, 0.99]})
    >>> target = pd.Series({"service_level": 0.95, "safety_stock": 1200.0, "total_cost": 2000.0,
    ...                     "holding_cost": 1200.0, "shortage_cost": 800.0,
    ...                     "achieved_fill_rate": 0.9712})
    >>> best = pd.Series({"service_level": 0.99, "total_cost": 1500.0})
    >>> sc = Scenario(curve, 0.95, target, best, "all items")
    >>> optimum_sentence(sc, "all", "Jun 2026", currency="EUR")
    'For all items, a 95.0% cycle service level needs 1,200 units of safety stock and costs €104.0 k per year (holding €62.4 k, shortages €41.6 k); 97.1% of demand is filled from stock. The cost optimum is 99.0% at €78.0 k per year: the target costs €26.0 k per year more. Weekly demand of Jun 2026.'

    An optimum beyond the levels searched is not called the optimum:

    >>> best = pd.Series({"service_level": 0.9999, "total_cost": 1500.0})
    >>> sc = Scenario(curve, 0.95, target, best, "all items", optimum_at_bound=True)
    >>> optimum_sentence(sc, "all", "Jun 2026", currency="EUR").split(". ")[1]
    'The cost keeps falling up to the highest level searched (99.99%), so there is no optimum within the range: at 99.99% it is €78.0 k per year, and the target costs €26.0 k per year more'
    """
    check_language(lang)
    t, o = sc.target_row, sc.optimum_row
    money = lambda x: fmt_money(x * per_year, lang, currency)  # noqa: E731
    gap = (t["total_cost"] - o["total_cost"]) * per_year
    who = selection_words(selection, lang)
    level = level_text(o["service_level"], lang)
    bounded = sc.optimum_at_bound
    if lang == "en":
        more = (f"the target costs {fmt_money(abs(gap), lang, currency)} per year "
                f"{'more' if gap >= 0 else 'less'}" if abs(gap) >= 0.5 else
                "the target is the optimum")
        best = (f"{bound_words(o['service_level'], sc.search_range)[0].upper()}"
                f"{bound_words(o['service_level'], sc.search_range)[1:]}: at {level} it is "
                f"{money(o['total_cost'])} per year, and {more}" if bounded else
                f"The cost optimum is {level} at {money(o['total_cost'])} per year: {more}")
        return (f"For {who}, a {fmt_pct(sc.target)} cycle service level needs "
                f"{fmt_num(t['safety_stock'])} units of safety stock and costs "
                f"{money(t['total_cost'])} per year (holding {money(t['holding_cost'])}, "
                f"shortages {money(t['shortage_cost'])}); {fmt_pct(t['achieved_fill_rate'])} of "
                f"demand is filled from stock. {best}. Weekly demand of {span}.")
    more = (f"目标水平每年{'多' if gap >= 0 else '少'}花费{fmt_money(abs(gap), lang, currency)}"
            if abs(gap) >= 0.5 else "目标水平即为最优")
    best = (f"{bound_words(o['service_level'], sc.search_range, lang)}：{level}时每年"
            f"{money(o['total_cost'])}，{more}" if bounded else
            f"成本最优水平为{level}，每年{money(o['total_cost'])}：{more}")
    return (f"对{who}而言，{fmt_pct(sc.target)}的周期服务水平需要{fmt_num(t['safety_stock'])}件"
            f"安全库存，每年成本{money(t['total_cost'])}（持有{money(t['holding_cost'])}，"
            f"缺货{money(t['shortage_cost'])}）；{fmt_pct(t['achieved_fill_rate'])}的需求由库存"
            f"满足。{best}。按{span}的每周需求计算。")


def curve_chart(sc: Scenario, selection: str, span: str, lang: str = "en",
                currency: str = "") -> go.Figure:
    """Draw the cost curve (holding, shortage, total per year) with its texts in ``lang``.

    Examples
    --------
    >>> curve = pd.DataFrame({"service_level": [0.9, 0.95, 0.99], "holding_cost": [1.0, 2, 4],
    ...                       "shortage_cost": [5.0, 2, 1], "total_cost": [6.0, 4, 5]})
    >>> sc = Scenario(curve, 0.95, curve.iloc[1], curve.iloc[1], "all items")
    >>> fig = curve_chart(sc, "all", "Jun 2026", "zh", "EUR")
    >>> [d.name for d in fig.data][:3], fig.layout.yaxis.title.text
    (['持有成本', '缺货成本', '总成本'], '每年成本（欧元/年）')
    """
    check_language(lang)
    fig = curve_figure(sc)
    best = level_text(sc.optimum_row["service_level"], lang)
    names = [_w(lang, "holding cost", "持有成本"), _w(lang, "shortage cost", "缺货成本"),
             _w(lang, "total cost", "总成本"),
             _w(lang, f"target {fmt_pct(sc.target)}", f"目标 {fmt_pct(sc.target)}"),
             _w(lang, f"end of levels searched {best} (cost still falling)",
                f"搜索范围端点 {best}（成本仍在下降）") if sc.optimum_at_bound else
             _w(lang, f"optimum {best}", f"最优 {best}")]
    for trace, name in zip(fig.data, names, strict=False):
        trace.name = chart_text(name)
    title = _w(lang, f"Cost of service per year: {selection_words(selection, lang)}, "
                     f"weekly demand of {span}",
               f"每年服务成本：{selection_words(selection, lang)}（{span}的每周需求）")
    fig.update_layout(title=chart_text(title))
    fig.update_xaxes(title=_w(lang, "cycle service level", "周期服务水平"))
    fig.update_yaxes(title=_w(lang, "cost", "每年成本") + _per_year(currency, lang))
    return fig


def tier_costs_table(costs: pd.DataFrame, span: str, lang: str = "en",
                     currency: str = "") -> ReportTable:
    """Show what each tier's target costs per year against the tier's own cost optimum.

    ``costs`` is :func:`workbench.inventory.tier_costs` (``tier, target,
    safety_stock, cost_at_target, optimal_level, cost_at_optimum, extra_cost``,
    optionally ``optimum_at_bound``). A tier whose optimum lies beyond the levels
    searched shows "above 99.99%" as its cost-optimal level, and the caption says
    that its cost is the one at the end of the range, not at an optimum.

    Examples
    --------
    >>> costs = pd.DataFrame({"tier": ["A"], "target": [0.98], "safety_stock": [96437.9],
    ...     "cost_at_target": [647285.8], "optimal_level": [0.99],
    ...     "cost_at_optimum": [623223.0], "extra_cost": [24062.9]})
    >>> table = tier_costs_table(costs, "Jun 2026", currency="EUR")
    >>> table.headers[:4]
    ('Tier', 'Target service level', 'Safety stock at target (units)', 'Cost at target (EUR per year)')
    >>> ">98.0%<" in table.html, ">647,286<" in table.html, ">24,063<" in table.html
    (True, True, True)
    >>> bounded = costs.assign(optimal_level=0.9999, optimum_at_bound=True)
    >>> table = tier_costs_table(bounded, "Jun 2026", currency="EUR")
    >>> ">above 99.99%<" in table.html, "keeps falling" in table.html
    (True, True)
    """
    check_language(lang)
    caption = _w(lang, f"Per year, on the weekly demand of {span}; each tier's share of every "
                       f"item's demand, planned at the tier's target.",
                 f"每年，按{span}的每周需求计算；各客户等级在每个物料需求中的份额按该等级的目标规划。")
    money = {"kind": "money", "digits": 0}
    at_bound = (costs["optimum_at_bound"].astype(bool) if "optimum_at_bound" in costs
                else pd.Series(False, index=costs.index))
    optimum: ColumnSpec | None = None
    if at_bound.any():
        costs = costs.assign(optimal_level=[_bounded_level(v, b, lang) for v, b in
                                            zip(costs["optimal_level"], at_bound, strict=True)])
        optimum = ColumnSpec(label=label("optimal_level", lang), kind="text")
        caption += _w(lang, " Where the level reads “above”, the cost keeps falling up to the "
                            "highest level searched: the cost shown there is at that level, "
                            "not at an optimum.",
                      "标为“高于”的等级，成本一直下降到所搜索的最高水平：所示成本为该水平的成本，"
                      "并非最优。")
    return report_table(costs, {
        "tier": None,
        "target": ColumnSpec(label=_w(lang, "Target service level", "目标服务水平"),
                             kind="percent"),
        "safety_stock": ColumnSpec(label=_w(lang, "Safety stock at target (units)",
                                            "目标水平安全库存（件）"), kind="integer", digits=0),
        "cost_at_target": ColumnSpec(label=label("cost_at_target", lang, currency), **money),
        "optimal_level": optimum,
        "cost_at_optimum": ColumnSpec(label=label("cost_at_optimum", lang, currency), **money),
        "extra_cost": ColumnSpec(label=_w(lang, "Target costs more", "目标比最优多花")
                                 + _per_year(currency, lang), **money)},
        lang=lang, currency=currency, caption=caption, filter=False)


def _bounded_level(level: float, at_bound: bool, lang: str) -> str:
    """``99.0%``, or ``above 99.99%`` / ``below 50.0%`` for an optimum beyond the range."""
    if not at_bound:
        return level_text(level, lang)
    above = level >= 0.75
    return _w(lang, f"{'above' if above else 'below'} {level_text(level, lang)}",
              f"{'高于' if above else '低于'}{level_text(level, lang)}")


def tier_sentence(costs: pd.DataFrame, lang: str = "en", currency: str = "") -> str:
    """Say what the tiers' targets cost above their optima in total and where most.

    Examples
    --------
    >>> costs = pd.DataFrame({"tier": ["A", "C"], "extra_cost": [24062.9, 140034.6]})
    >>> tier_sentence(costs, currency="EUR")
    "The tier targets cost €164.1 k per year more than each tier's cost optimum, most for tier C (€140.0 k)."
    >>> tier_sentence(costs, "zh", "EUR")
    '各等级目标每年比各自的成本最优水平多花€16.4万，其中C级最多（€14.0万）。'

    Tiers whose optimum lies beyond the levels searched are named, not called optimal:

    >>> costs = costs.assign(optimal_level=[0.9999, 0.9897], optimum_at_bound=[True, False])
    >>> tier_sentence(costs, currency="EUR").split("; ")[1]
    'for tier A the cost keeps falling up to the highest level searched (99.99%), so its optimum lies above it and its extra cost is at least this.'
    """
    check_language(lang)
    if costs.empty:
        return ""
    total = float(costs["extra_cost"].sum())
    top = costs.loc[costs["extra_cost"].idxmax()]
    high = low = costs.iloc[0:0]
    if "optimum_at_bound" in costs and costs["optimum_at_bound"].astype(bool).any():
        bounded = costs[costs["optimum_at_bound"].astype(bool)]
        high = bounded[bounded["optimal_level"] >= 0.75]
        low = bounded[bounded["optimal_level"] < 0.75]
    if lang == "en":
        out = (f"The tier targets cost {fmt_money(total, lang, currency)} per year more than "
               f"each tier's cost optimum, most for tier {top['tier']} "
               f"({fmt_money(top['extra_cost'], lang, currency)})")
        for part, word, end in ((high, "up", "highest"), (low, "down", "lowest")):
            if len(part):
                names = ", ".join(str(x) for x in part["tier"])
                out += (f"; for tier {names} the cost keeps falling {word} to the {end} level "
                        f"searched ({level_text(part['optimal_level'].iloc[0])}), so "
                        f"{'its' if len(part) == 1 else 'their'} optimum lies "
                        f"{'above' if word == 'up' else 'below'} it and "
                        f"{'its' if len(part) == 1 else 'their'} extra cost is at least this")
        return out + "."
    out = (f"各等级目标每年比各自的成本最优水平多花{fmt_money(total, lang, currency)}，其中"
           f"{top['tier']}级最多（{fmt_money(top['extra_cost'], lang, currency)}）")
    for part, end, side in ((high, "最高", "之上"), (low, "最低", "之下")):
        if len(part):
            names = "、".join(str(x) for x in part["tier"])
            out += (f"；{names}级的成本一直下降到所搜索的{end}水平"
                    f"（{level_text(part['optimal_level'].iloc[0], 'zh')}），其最优水平在此"
                    f"{side}，额外成本至少为此数")
    return out + "。"


_SCENARIO_ROWS = {
    "safety stock at target": ("safety_stock", "integer"),
    "holding cost / year": ("holding", "money"),
    "shortage cost / year": ("shortage", "money"),
    "total cost / year": ("total", "money"),
    "fill rate at target": ("fill_rate", "percent"),
    "cost-optimal service level": ("optimal_level", "percent"),
    "total cost / year at optimum": ("optimum", "money"),
}


def scenarios_table(comparison: pd.DataFrame, target: float, span: str, lang: str = "en",
                    currency: str = "") -> ReportTable:
    """Scenarios side by side (one row each): safety stock, yearly costs, fill rate, optimum.

    ``comparison`` is :func:`workbench.inventory.compare` (metrics as rows,
    scenarios as columns, named as in :data:`SCENARIO_NAMES`).

    Examples
    --------
    >>> comp = pd.DataFrame({"base": [84739.7, 462788.6, 479036.3, 941824.9, 0.9726, 0.99,
    ...                               700936.5]}, index=list(_SCENARIO_ROWS))
    >>> table = scenarios_table(comp, 0.95, "Jun 2026", "zh", "CNY")
    >>> table.headers[:3]
    ('情景', '目标水平安全库存（件）', '持有成本（元/年）')
    >>> ">基准假设<" in table.html, ">941,825<" in table.html, ">97.3%<" in table.html
    (True, True, True)
    >>> comp.loc["optimum at bound"] = [1.0]
    >>> comp.loc["cost-optimal service level"] = [0.9999]
    >>> ">above 99.99%<" in scenarios_table(comp, 0.95, "Jun 2026", "en", "CNY").html
    True
    """
    check_language(lang)
    frame = comparison.T.rename(columns={k: v[0] for k, v in _SCENARIO_ROWS.items()})
    frame.insert(0, "scenario", [SCENARIO_NAMES.get(str(s), {}).get(lang, str(s))
                                 for s in frame.index])
    tail = _per_year(currency, lang)
    heads = {
        "safety_stock": _w(lang, "Safety stock at target (units)", "目标水平安全库存（件）"),
        "holding": _w(lang, "Holding cost", "持有成本") + tail,
        "shortage": _w(lang, "Shortage cost", "缺货成本") + tail,
        "total": _w(lang, "Total cost", "总成本") + tail,
        "fill_rate": _w(lang, "Fill rate at target", "目标水平满足率"),
        "optimal_level": _w(lang, "Cost-optimal service level", "成本最优服务水平"),
        "optimum": _w(lang, "Total cost at the optimum", "最优水平总成本") + tail}
    columns: dict = {"scenario": ColumnSpec(label=_w(lang, "Scenario", "情景"), kind="text")}
    bounded = (frame.pop("optimum at bound").astype(bool) if "optimum at bound" in frame
               else pd.Series(False, index=frame.index))
    if bounded.any() and "optimal_level" in frame:
        frame["optimal_level"] = [_bounded_level(v, b, lang) for v, b in
                                  zip(frame["optimal_level"], bounded, strict=True)]
    for key, kind in _SCENARIO_ROWS.values():
        if key in frame:
            kind = "text" if key == "optimal_level" and bounded.any() else kind
            columns[key] = ColumnSpec(label=heads[key], kind=kind,
                                      digits=0 if kind not in ("percent", "text") else None)
    caption = _w(lang, f"Target {fmt_pct(target)}; per year, on the weekly demand of {span}.",
                 f"目标{fmt_pct(target)}；每年，按{span}的每周需求计算。")
    return report_table(frame.reset_index(drop=True), columns, lang=lang, currency=currency,
                        caption=caption, filter=False)


def simulation_table(check: pd.DataFrame, span: str, lang: str = "en",
                     currency: str = "") -> ReportTable:
    """Compare the formula with the simulation per service level: fill rate and yearly cost.

    ``check`` is :func:`workbench.inventory.simulate.compare_analytic_simulated`
    (indexed by ``service_level``).

    Examples
    --------
    >>> check = pd.DataFrame({"analytic_fill_rate": [0.898], "simulated_fill_rate": [0.8594],
    ...     "simulated_fill_rate_ci_low": [0.8551], "simulated_fill_rate_ci_high": [0.8636],
    ...     "analytic_cost_per_year": [2100913.0], "simulated_cost_per_year": [3042571.0]},
    ...     index=pd.Index([0.85], name="service_level"))
    >>> table = simulation_table(check, "Jun 2026", currency="EUR")
    >>> table.headers[:3]
    ('Cycle service level', 'Fill rate (formula)', 'Fill rate (simulated)')
    >>> ">85.0%<" in table.html, ">85.5% – 86.4%<" in table.html, ">3,042,571<" in table.html
    (True, True, True)
    """
    check_language(lang)
    frame = check.reset_index()
    frame["ci"] = [f"{fmt_pct(a)} – {fmt_pct(b)}" for a, b in
                   zip(frame["simulated_fill_rate_ci_low"], frame["simulated_fill_rate_ci_high"],
                       strict=True)]
    tail = _per_year(currency, lang)
    money = {"kind": "money", "digits": 0}
    columns = {
        "service_level": ColumnSpec(label=_w(lang, "Cycle service level", "周期服务水平"),
                                    kind="percent"),
        "analytic_fill_rate": None, "simulated_fill_rate": None,
        "ci": ColumnSpec(label=_w(lang, "Simulated, 95% range", "模拟值95%区间"), kind="text"),
        "analytic_cost_per_year": ColumnSpec(label=_w(lang, "Cost by formula", "公式成本")
                                             + tail, **money),
        "simulated_cost_per_year": ColumnSpec(label=_w(lang, "Cost simulated", "模拟成本")
                                              + tail, **money)}
    caption = _w(lang, f"Weekly order-up-to policy simulated over two years, on the weekly "
                       f"demand of {span}.",
                 f"每周订货至目标水平策略的两年模拟，按{span}的每周需求计算。")
    return report_table(frame, columns, lang=lang, currency=currency, caption=caption,
                        filter=False)


def demand_classes_table(classes: pd.DataFrame, span: str, lang: str = "en",
                         n: int = 10) -> tuple[ReportTable, ReportTable]:
    """How items are asked for, when costs cannot be computed: counts per class, top items.

    ``classes`` is :func:`workbench.inventory.classify` (``item_id, periods,
    demand_periods, adi, cv2, demand_class``).

    Examples
    --------
    >>> classes = pd.DataFrame({"item_id": ["I-1", "I-2"], "periods": [52, 52],
    ...     "demand_periods": [49, 32], "adi": [1.04, 1.63], "cv2": [0.44, 0.44],
    ...     "demand_class": ["smooth", "intermittent"]})
    >>> counts, top = demand_classes_table(classes, "Jun 2026", "zh")
    >>> counts.headers, ">间歇<" in counts.html
    (('需求类别', '物料数'), True)
    """
    check_language(lang)
    counts = (classes["demand_class"].value_counts().rename_axis("demand_class")
              .rename("items").reset_index())
    first = report_table(counts, lang=lang, filter=False, caption=_w(
        lang, f"Items by demand pattern, weeks of {span}.", f"按需求模式分类的物料（{span}各周）。"))
    top = classes.sort_values(["demand_periods", "item_id"], ascending=[False, True])
    second = report_table(top, {
        "item_id": None, "demand_periods": None,
        "adi": ColumnSpec(label=_w(lang, "Weeks between demands (average)", "平均需求间隔（周）"),
                          kind="number", digits=2),
        "cv2": ColumnSpec(label=_w(lang, "Variation of quantities (CV²)", "需求量波动（CV²）"),
                          kind="number", digits=2),
        "demand_class": None}, lang=lang, max_rows=n, filter=False, caption=_w(
        lang, f"Items asked for most often, weeks of {span}.", f"需求最频繁的物料（{span}各周）。"))
    return first, second


def not_available_text(lang: str = "en") -> str:
    """Return the one line a cost section shows when the item master lacks costs or lead times.

    Examples
    --------
    >>> not_available_text("zh")
    '*不可用：需要物料主数据中的 unit_cost 和 lead_time_days（见本报告开头）。*'
    """
    check_language(lang)
    return _w(lang, "*Not available: needs the item master's unit_cost and lead_time_days "
                    "(see the top of this report).*",
              "*不可用：需要物料主数据中的 unit_cost 和 lead_time_days（见本报告开头）。*")



def items_sentence(n_items: int, span: str, lang: str = "en") -> str:
    """Say how many items the costs rest on and over which weeks.

    Examples
    --------
    >>> items_sentence(100, "30 Jun 2025 – 28 Jun 2026")
    '100 items with demand in the 52 weeks 30 Jun 2025 – 28 Jun 2026.'
    >>> items_sentence(100, "2025年6月30日–2026年6月28日", "zh")
    '2025年6月30日–2026年6月28日这52周内有需求的物料共100个。'
    """
    check_language(lang)
    return _w(lang, f"{n_items:,} items with demand in the 52 weeks {span}.",
              f"{span}这52周内有需求的物料共{n_items:,}个。")


def weeks_span(period_starts: object, lang: str = "en") -> str:
    """Name the weeks starting on ``period_starts``: first Monday to last Sunday.

    Examples
    --------
    >>> starts = pd.date_range("2025-06-23", periods=52, freq="W-MON")
    >>> weeks_span(starts), weeks_span(starts, "zh")
    ('23 Jun 2025 – 21 Jun 2026', '2025年6月23日–2026年6月21日')
    """
    check_language(lang)
    starts = pd.DatetimeIndex(pd.to_datetime(list(period_starts)))
    if not len(starts):
        return ""
    first, last = starts.min(), starts.max() + pd.Timedelta(days=6)
    return (f"{fmt_date(first)} – {fmt_date(last)}" if lang == "en"
            else f"{fmt_date(first, 'zh')}–{fmt_date(last, 'zh')}")


def demand_side_text(n_items: int, period_starts: object, lang: str = "en") -> str:
    """Open the demand-only section (no costs in the item master): what it shows, in words.

    Examples
    --------
    >>> starts = pd.date_range("2025-06-23", periods=52, freq="W-MON")
    >>> demand_side_text(3, starts).splitlines()[0]
    '### What the order lines show: weekly demand per item over the last 52 weeks'
    >>> "2025年6月23日–2026年6月21日" in demand_side_text(3, starts, "zh")
    True
    """
    check_language(lang)
    span = weeks_span(period_starts, lang)
    if lang == "en":
        return ("### What the order lines show: weekly demand per item over the last 52 weeks\n\n"
                f"The demand side of safety stock, for {n_items:,} items (weeks {span}): how often "
                "each item is asked for (the average weeks between demands) and how much the "
                "quantity varies (CV²). Smooth items suit a stock policy, intermittent and lumpy "
                "ones need care; the cost of each service level follows once lead times and unit "
                "costs are known.")
    return ("### 订单行所显示的内容：最近52周每个物料的每周需求\n\n"
            f"安全库存的需求侧，共{n_items:,}个物料（{span}各周）：每个物料多久被订购一次（平均需求间隔周数）"
            "以及数量波动多大（CV²）。平稳的物料适合库存策略，间歇和块状需求的物料需要谨慎；"
            "提前期和单位成本齐备后即可算出各服务水平的成本。")
