"""Slow movers in whole units and policies chosen by cost, for the service-vs-cost report.

Two sections of ``notebooks/service_cost_tradeoff.ipynb``, in English and Chinese:

* "Slow movers: whole units instead of the normal curve" --
  :func:`slow_movers_table` and :func:`slow_movers_sentence` on
  :func:`workbench.inventory.policy_choice.discrete_vs_normal`.
* "Reorder point and lot size chosen by cost" -- :func:`policy_totals_table`,
  :func:`policy_items_table` and :func:`policy_assumptions_text` on
  :func:`workbench.inventory.policy_choice.policy_optima`.

Models and policies are named in words, costs carry the dataset's currency and
"per year", and every table names the weeks of demand it rests on.
"""

from __future__ import annotations

import pandas as pd

from workbench.i18n import CURRENCY_NAMES_ZH, code_words, fmt_money, fmt_num, fmt_pct
from workbench.inventory.policy_choice import PolicyOptima
from workbench.reporting.tables import ColumnSpec, ReportTable, report_table
from workbench.validation import check_language

__all__ = [
    "MODEL_WORDS",
    "POLICY_WORDS",
    "no_history_text",
    "policy_assumptions_text",
    "policy_items_table",
    "policy_totals_table",
    "slow_movers_sentence",
    "slow_movers_table",
]

MODEL_WORDS: dict[str, dict[str, str]] = {
    "poisson": {"en": "Poisson", "zh": "泊松"},
    "negative_binomial": {"en": "negative binomial", "zh": "负二项"},
    "empirical": {"en": "empirical (from history)", "zh": "经验分布（按历史）"},
    "normal": {"en": "normal", "zh": "正态"},
    "gamma": {"en": "gamma", "zh": "伽马"},
}
"""Words for the demand models."""

POLICY_WORDS: dict[str, dict[str, str]] = {
    "service_level": {"en": "Weekly order-up-to at the target", "zh": "按目标每周订货至目标水平"},
    "rq": {"en": "Reorder point and lot size (r, Q), cost-optimal",
           "zh": "再订货点与批量 (r, Q)，成本最优"},
    "ss": {"en": "Min-max (s, S), cost-optimal", "zh": "最小-最大 (s, S)，成本最优"},
}
"""Words for the policies of :func:`workbench.inventory.policy_choice.policy_optima`."""


def _w(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def _money_unit(lang: str, currency: str) -> str:
    """Return the currency as a header writes it: ``EUR`` / ``欧元`` (other codes as given)."""
    code = (currency or "").strip().upper()
    return CURRENCY_NAMES_ZH.get(code, code) if lang == "zh" else code


def _per_year(lang: str, currency: str) -> str:
    unit = _money_unit(lang, currency)
    if lang == "en":
        return f" ({currency} per year)" if currency else " (per year)"
    return f"（{unit}/年）" if currency else "（每年）"


def no_history_text(lang: str = "en") -> str:
    """Return the line a section shows when there are no items or no weekly history.

    Examples
    --------
    >>> no_history_text()
    '*Not available: needs items with unit cost, lead time and order lines in the last 52 weeks.*'
    """
    check_language(lang)
    return _w(lang, "*Not available: needs items with unit cost, lead time and order lines in "
                    "the last 52 weeks.*",
              "*不可用：需要有单位成本、提前期且最近52周有订单行的物料。*")


def slow_movers_sentence(dvn: pd.DataFrame, span: str, lang: str = "en",
                         currency: str = "") -> str:
    """Summarise what planning the slow movers in whole units changes.

    Examples
    --------
    >>> dvn = pd.DataFrame({"item_id": ["A", "B"], "normal_level_service": [0.93, 0.96],
    ...     "stock_difference_value": [120.0, -20.0], "stock_difference_units": [3.0, -1.0]})
    >>> dvn.attrs.update(left_out=5, service_level=0.95)
    >>> slow_movers_sentence(dvn, "Jun 2026", currency="EUR")
    'Of 2 slow movers, the normal curve gives less than the 95.0% target for 1 and more than it needs for 1; planning them in whole units adds €100 of stock (2 units). 5 items with frequent demand stay on the normal curve. Weekly demand of Jun 2026.'
    """
    check_language(lang)
    n = len(dvn)
    target = float(dvn.attrs.get("service_level", 0.95))
    left = int(dvn.attrs.get("left_out", 0))
    if n == 0:
        return _w(lang, f"No item has a slow or intermittent demand pattern in {span}: all "
                        f"{left:,} items stay on the normal curve.",
                  f"{span}内没有需求缓慢或间歇的物料：全部{left:,}个物料沿用正态曲线。")
    under = int((dvn["normal_level_service"] < target - 1e-9).sum())
    over = n - under
    value = float(dvn["stock_difference_value"].sum())
    units = float(dvn["stock_difference_units"].sum())
    rounded = ("lead_time_rounded_up" in dvn
               and bool(dvn["lead_time_rounded_up"].astype(bool).any()))
    money, qty = fmt_money(abs(value), lang, currency), fmt_num(abs(units))
    if lang == "en":
        if under == n:
            first = (f"For {'all ' if n > 1 else ''}{n:,} slow mover{'s' if n != 1 else ''} the "
                     f"normal curve sets a level that gives less than the {fmt_pct(target)} "
                     "target")
        elif over == n:
            first = (f"For {'all ' if n > 1 else ''}{n:,} slow mover{'s' if n != 1 else ''} the "
                     f"normal curve holds more than the {fmt_pct(target)} target needs")
        else:
            first = (f"Of {n:,} slow movers, the normal curve gives less than the "
                     f"{fmt_pct(target)} target for {under:,} and more than it needs for {over:,}")
        change = (f"planning them in whole units adds {money} of stock ({qty} units)" if units >= 0
                  else f"planning them in whole units frees {money} of stock ({qty} units)")
        tail = (" For items planned from their own history, lead times are rounded up to whole "
                "weeks." if rounded else "")
        return (f"{first}; {change}. {left:,} items with frequent demand stay on the normal "
                f"curve. Weekly demand of {span}.{tail}")
    if under == n:
        first = f"对{'全部' if n > 1 else ''}{n:,}个慢动物料，正态曲线设定的水平达不到{fmt_pct(target)}的目标"
    elif over == n:
        first = f"对{'全部' if n > 1 else ''}{n:,}个慢动物料，正态曲线持有的库存超过{fmt_pct(target)}目标所需"
    else:
        first = (f"在{n:,}个慢动物料中，正态曲线对{under:,}个达不到{fmt_pct(target)}的目标，"
                 f"对{over:,}个超出目标所需")
    change = (f"按整件规划需增加库存{money}（{qty}件）" if units >= 0
              else f"按整件规划可减少库存{money}（{qty}件）")
    tail = "按自身历史规划的物料，提前期向上取整为整周。" if rounded else ""
    return (f"{first}；{change}。另有{left:,}个需求频繁的物料沿用正态曲线。"
            f"按{span}的每周需求计算。{tail}")


def slow_movers_table(dvn: pd.DataFrame, span: str, lang: str = "en", currency: str = "",
                      max_rows: int = 20) -> ReportTable:
    """Table of the slow movers: model, normal level, whole-unit level, real service, value.

    Examples
    --------
    >>> dvn = pd.DataFrame({"item_id": ["A"], "demand_class": ["intermittent"],
    ...     "model": ["negative_binomial"], "mean_demand": [2.5], "normal_level": [7.26],
    ...     "discrete_level": [8.0], "normal_level_service": [0.9489],
    ...     "stock_difference_value": [7.4], "lead_time_rounded_up": [False]})
    >>> t = slow_movers_table(dvn, "Jun 2026", "zh", "EUR")
    >>> t.headers[:3], ">负二项<" in t.html, ">间歇<" in t.html, ">94.9%<" in t.html
    (('物料', '需求模式', '需求模型'), True, True, True)
    """
    check_language(lang)
    frame = dvn.sort_values("stock_difference_value", key=abs, ascending=False)
    frame = frame.assign(
        demand_class=[code_words(c, lang) for c in frame["demand_class"]],
        model=[MODEL_WORDS.get(m, {}).get(lang, m) for m in frame["model"]])
    caption = _w(lang, f"Order-up-to levels for the cycle service target, weekly review; weekly "
                       f"demand of {span}; largest stock changes first.",
                 f"周期服务目标下的订货至水平，每周盘点；按{span}的每周需求；库存变化最大的在前。")
    return report_table(frame, {
        "item_id": None,
        "demand_class": ColumnSpec(label=_w(lang, "Demand pattern", "需求模式"), kind="text"),
        "model": ColumnSpec(label=_w(lang, "Demand model", "需求模型"), kind="text"),
        "mean_demand": ColumnSpec(label=_w(lang, "Mean demand per week (units)",
                                           "平均每周需求（件）"), kind="number", digits=1),
        "normal_level": ColumnSpec(label=_w(lang, "Normal-curve level (units)",
                                            "正态曲线水平（件）"), kind="number", digits=1),
        "discrete_level": ColumnSpec(label=_w(lang, "Whole-unit level (units)",
                                              "整件水平（件）"), kind="integer", digits=0),
        "normal_level_service": ColumnSpec(label=_w(lang, "Service the normal level really gives",
                                                    "正态水平实际给出的服务"), kind="percent"),
        "stock_difference_value": ColumnSpec(label=_w(lang, "Stock change", "库存变化")
                                             + (f" ({currency})" if lang == "en" and currency
                                                else f"（{_money_unit(lang, currency)}）"
                                                if currency else ""),
                                             kind="money", digits=0)},
        lang=lang, currency=currency, caption=caption, max_rows=max_rows, filter=False)


def policy_totals_table(opt: PolicyOptima, span: str, lang: str = "en",
                        currency: str = "") -> ReportTable:
    """Yearly cost and its parts of the three policies, summed over the selection.

    Examples
    --------
    >>> totals = pd.DataFrame({"policy": ["service_level", "rq", "ss"], "items": [2, 2, 2],
    ...     "holding": [100.0, 150.0, 160.0], "shortage": [80.0, 10.0, 5.0],
    ...     "ordering": [520.0, 90.0, 95.0], "total": [700.0, 250.0, 260.0],
    ...     "simulated_items": [0, 0, 1]})
    >>> opt = PolicyOptima(pd.DataFrame(), totals, 0.95, 0.25, 100.0, 100, 0)
    >>> t = policy_totals_table(opt, "Jun 2026", "en", "EUR")
    >>> t.headers[0], ">Min-max (s, S), cost-optimal<" in t.html, ">700<" in t.html
    ('Policy', True, True)
    """
    check_language(lang)
    frame = opt.totals.assign(policy=[POLICY_WORDS[p][lang] for p in opt.totals["policy"]])
    tail = _per_year(lang, currency)
    money = {"kind": "money", "digits": 0}
    caption = _w(lang, f"Per year, summed over {int(opt.totals['items'].iloc[0]):,} items; "
                       f"weekly demand of {span}.",
                 f"每年，{int(opt.totals['items'].iloc[0]):,}个物料合计；按{span}的每周需求计算。")
    return report_table(frame, {
        "policy": ColumnSpec(label=_w(lang, "Policy", "策略"), kind="text"),
        "holding": ColumnSpec(label=_w(lang, "Holding", "持有成本") + tail, **money),
        "shortage": ColumnSpec(label=_w(lang, "Backorders", "缺货成本") + tail, **money),
        "ordering": ColumnSpec(label=_w(lang, "Ordering", "订货成本") + tail, **money),
        "total": ColumnSpec(label=_w(lang, "Total", "总成本") + tail, **money)},
        lang=lang, currency=currency, caption=caption, filter=False)


def policy_items_table(opt: PolicyOptima, span: str, lang: str = "en", currency: str = "",
                       n: int = 20) -> ReportTable:
    """Show the items that save most by a cost-optimal policy: levels, lot sizes, yearly costs.

    Examples
    --------
    >>> items = pd.DataFrame({"item_id": ["A"], "model": ["poisson"], "target_level": [15.0],
    ...     "target_total": [3000.0], "rq_reorder_point": [6.2], "rq_order_quantity": [37.7],
    ...     "rq_total": [1765.0], "ss_reorder_point": [6.0], "ss_order_up_to": [40.0],
    ...     "ss_total": [1821.1], "ss_cost_basis": ["exact"], "best_policy": ["rq"],
    ...     "saving": [1235.0]})
    >>> opt = PolicyOptima(items, pd.DataFrame(), 0.95, 0.25, 100.0, 100, 0)
    >>> t = policy_items_table(opt, "Jun 2026", "zh", "EUR")
    >>> ">泊松<" in t.html, ">精确<" in t.html, ">1,235<" in t.html
    (True, True, True)
    """
    check_language(lang)
    top = opt.items.sort_values("saving", ascending=False).head(n)
    frame = top.assign(
        model=[MODEL_WORDS.get(m, {}).get(lang, m) for m in top["model"]],
        ss_cost_basis=[_w(lang, "exact", "精确") if b == "exact" else _w(lang, "simulated", "模拟")
                       for b in top["ss_cost_basis"]],
        best_policy=[_w(lang, {"service_level": "weekly at target", "rq": "(r, Q)",
                               "ss": "(s, S)"}[b],
                        {"service_level": "每周至目标", "rq": "(r, Q)", "ss": "(s, S)"}[b])
                     for b in top["best_policy"]])
    tail = _per_year(lang, currency)
    money = {"kind": "money", "digits": 0}
    units = {"kind": "number", "digits": 0}
    caption = _w(lang, f"The {len(frame):,} items that save most, of {len(opt.items):,}; per "
                       f"year, weekly demand of {span}.",
                 f"节省最多的{len(frame):,}个物料（共{len(opt.items):,}个）；每年，按{span}的每周需求计算。")
    return report_table(frame, {
        "item_id": None,
        "model": ColumnSpec(label=_w(lang, "Demand model", "需求模型"), kind="text"),
        "target_level": ColumnSpec(label=_w(lang, "Level at target (units)", "目标水平（件）"),
                                   **units),
        "target_total": ColumnSpec(label=_w(lang, "Cost at target", "目标水平成本") + tail,
                                   **money),
        "rq_reorder_point": ColumnSpec(label=_w(lang, "Reorder point r (units)",
                                                "再订货点 r（件）"), **units),
        "rq_order_quantity": ColumnSpec(label=_w(lang, "Lot size Q (units)", "批量 Q（件）"),
                                        **units),
        "rq_total": ColumnSpec(label=_w(lang, "Cost (r, Q)", "(r, Q) 成本") + tail, **money),
        "ss_reorder_point": ColumnSpec(label=_w(lang, "Min s (units)", "最小值 s（件）"),
                                       **units),
        "ss_order_up_to": ColumnSpec(label=_w(lang, "Max S (units)", "最大值 S（件）"), **units),
        "ss_total": ColumnSpec(label=_w(lang, "Cost (s, S)", "(s, S) 成本") + tail, **money),
        "ss_cost_basis": ColumnSpec(label=_w(lang, "(s, S) cost", "(s, S) 成本来源"),
                                    kind="text"),
        "best_policy": ColumnSpec(label=_w(lang, "Cheapest", "最便宜"), kind="text"),
        "saving": ColumnSpec(label=_w(lang, "Saving", "节省") + tail, **money)},
        lang=lang, currency=currency, caption=caption, filter=False)


def policy_assumptions_text(opt: PolicyOptima, lang: str = "en", currency: str = "") -> str:
    """State the cost assumptions, what is exact and what is simulated, and the saving.

    Examples
    --------
    >>> totals = pd.DataFrame({"policy": ["service_level", "rq", "ss"], "items": [2, 2, 2],
    ...     "total": [700.0, 250.0, 260.0], "simulated_items": [0, 0, 1]})
    >>> opt = PolicyOptima(pd.DataFrame(), totals, 0.95, 0.25, 100.0, 200, 0)
    >>> policy_assumptions_text(opt, currency="EUR").split(". ")[0]
    'Assumptions: €100 per purchase order or production run; holding 25.0% of unit cost a year; backorders cost the shortage share of the unit price per unit and week (as in the cost curve)'
    """
    check_language(lang)
    t = opt.totals.set_index("policy")
    sim = int(t.loc["ss", "simulated_items"])
    n = int(t.loc["ss", "items"])
    view, rq, ss = (float(t.loc[p, "total"]) for p in ("service_level", "rq", "ss"))
    best = min(rq, ss)
    money = lambda x: fmt_money(x, lang, currency)  # noqa: E731
    if lang == "en":
        return (f"Assumptions: {money(opt.ordering_cost)} per purchase order or production run; "
                f"holding {fmt_pct(opt.holding_rate)} of unit cost a year; backorders cost the "
                f"shortage share of the unit price per unit and week (as in the cost curve). "
                f"The target view and (s, S) count stock and backorders at the end of each week, "
                f"with lead times rounded up to whole weeks for (s, S); (r, Q) reviews "
                f"continuously with normal demand. All costs are exact except (s, S) for "
                f"{sim:,} of {n:,} items, whose policy comes from the power approximation and "
                f"whose cost is simulated ({opt.n_reps:,} runs of two years). "
                f"Weekly ordering at the {fmt_pct(opt.service_level)} target costs "
                f"{money(view)} a year; choosing the reorder point and lot size by cost brings "
                f"this to {money(best)}.")
    return (f"假设：每张采购订单或每次生产{money(opt.ordering_cost)}；持有成本为每年单位成本的"
            f"{fmt_pct(opt.holding_rate)}；缺货按每件每周单价的缺货比例计（与成本曲线相同）。"
            f"目标水平和 (s, S) 按每周末的库存和欠货计，(s, S) 的提前期向上取整为整周；(r, Q) "
            f"为连续盘点、正态需求。除{n:,}个物料中{sim:,}个的 (s, S) 外，所有成本均为精确值；"
            f"这些物料的策略来自幂近似，成本由模拟得出（{opt.n_reps:,}次两年模拟）。"
            f"按{fmt_pct(opt.service_level)}的目标每周订货每年成本{money(view)}；按成本选择"
            f"再订货点和批量可降至{money(best)}。")
