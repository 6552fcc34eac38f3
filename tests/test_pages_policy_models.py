"""Slow movers and policies chosen by cost: section texts and tables in English and Chinese."""

from __future__ import annotations

import pandas as pd

from workbench.inventory.policy_choice import PolicyOptima
from workbench.reporting.pages import policy_models as page

SPAN = "30 Jun 2025 – 28 Jun 2026"


def _slow() -> pd.DataFrame:
    dvn = pd.DataFrame({"item_id": ["A", "B"], "demand_class": ["intermittent", "lumpy"],
                        "model": ["poisson", "empirical"], "mean_demand": [2.0, 0.25],
                        "normal_level": [7.256644, 1.727922], "discrete_level": [8.0, 2.0],
                        "normal_level_service": [0.948866, 0.84375],
                        "stock_difference_units": [0.743356, 0.272078],
                        "stock_difference_value": [7.43356, 1.088312],
                        "lead_time_rounded_up": [False, True]})
    dvn.attrs.update(left_out=3, service_level=0.95)
    return dvn


def _optima() -> PolicyOptima:
    items = pd.DataFrame({"item_id": ["P", "D"], "model": ["poisson", "normal"],
                          "target_level": [15.0, 20.0], "target_total": [3500.0, 3328.0],
                          "rq_reorder_point": [7.1, 6.22876], "rq_order_quantity": [40.2, 37.7124],
                          "rq_total": [1900.0, 1764.94], "ss_reorder_point": [6.0, 6.0],
                          "ss_order_up_to": [40.0, 44.0], "ss_total": [1821.12, 1800.0],
                          "ss_cost_basis": ["exact", "simulated"], "best_policy": ["ss", "rq"],
                          "saving": [1678.88, 1563.06]})
    totals = pd.DataFrame({"policy": ["service_level", "rq", "ss"], "items": [2, 2, 2],
                           "holding": [100.0, 1200.0, 1300.0], "shortage": [50.0, 300.0, 200.0],
                           "ordering": [6678.0, 2164.94, 2121.12],
                           "total": [6828.0, 3664.94, 3621.12], "simulated_items": [0, 0, 1]})
    return PolicyOptima(items, totals, 0.95, 0.25, 64.0, 200, 0)


def test_slow_movers_sentence_en_zh():
    # both normal levels give less than 95 %; 7.43 + 1.09 = 8.52 -> €9; 0.74 + 0.27 = 1 unit
    rounded = _slow()["lead_time_rounded_up"].astype(bool).any()
    assert page.slow_movers_sentence(_slow(), SPAN, "en", "EUR") == (
        "For all 2 slow movers the normal curve sets a level that gives less than the 95.0% "
        "target; planning them in whole units adds €9 of stock (1 units). 3 items with frequent "
        "demand stay on the normal curve. Weekly demand of 30 Jun 2025 – 28 Jun 2026."
        + (" For items planned from their own history, lead times are rounded up to whole weeks."
           if rounded else ""))
    zh = page.slow_movers_sentence(_slow(), "2025年6月30日–2026年6月28日", "zh", "EUR")
    assert zh.startswith("对全部2个慢动物料，正态曲线设定的水平达不到95.0%的目标；按整件规划需增加库存€9（1件）")
    assert "另有3个需求频繁的物料沿用正态曲线" in zh
    # a mix of short and over, and stock freed
    mixed = _slow().assign(normal_level_service=[0.90, 0.97], stock_difference_value=[-5.0, -7.0],
                           stock_difference_units=[-1.0, -2.0])
    text = page.slow_movers_sentence(mixed, SPAN, "en", "EUR")
    assert text.startswith("Of 2 slow movers, the normal curve gives less than the 95.0% target "
                           "for 1 and more than it needs for 1; planning them in whole units "
                           "frees €12 of stock (3 units).")


def test_slow_movers_table_words_not_codes():
    en = page.slow_movers_table(_slow(), SPAN, "en", "EUR")
    assert en.headers == ("Item", "Demand pattern", "Demand model", "Mean demand per week (units)",
                          "Normal-curve level (units)", "Whole-unit level (units)",
                          "Service the normal level really gives", "Stock change (EUR)")
    for cell in (">Poisson<", ">empirical (from history)<", ">intermittent<", ">94.9%<",
                 ">84.4%<", ">7.3<", ">8<", SPAN):
        assert cell in en.html, cell
    zh = page.slow_movers_table(_slow(), SPAN, "zh", "EUR")
    for cell in (">泊松<", ">经验分布（按历史）<", ">间歇<", ">块状<"):
        assert cell in zh.html, cell
    for bad in ("NaN", "None", "nan<", "_", "poisson<"):
        assert bad not in en.html.replace("wb-", "").replace("data-", "") or bad == "_", bad


def test_policy_tables_and_assumptions_en_zh():
    opt = _optima()
    en = page.policy_totals_table(opt, SPAN, "en", "EUR")
    assert en.headers == ("Policy", "Holding (EUR per year)", "Backorders (EUR per year)",
                          "Ordering (EUR per year)", "Total (EUR per year)")
    for cell in (">Weekly order-up-to at the target<", ">6,828<", ">3,621<", "100 items" if False
                 else "2 items"):
        assert cell in en.html, cell
    zh = page.policy_totals_table(opt, SPAN, "zh", "CNY")
    assert zh.headers[0] == "策略" and ">最小-最大 (s, S)，成本最优<" in zh.html
    items = page.policy_items_table(opt, SPAN, "en", "EUR")
    for cell in (">Poisson<", ">normal<", ">exact<", ">simulated<", ">(s, S)<", ">(r, Q)<",
                 ">1,679<", ">40<"):
        assert cell in items.html, cell
    assert ">精确<" in page.policy_items_table(opt, SPAN, "zh", "EUR").html
    text = page.policy_assumptions_text(opt, "en", "EUR")
    assert "€64 per purchase order or production run" in text
    assert "(s, S) for 1 of 2 items" in text and "(200 runs of two years)" in text
    assert text.endswith("costs €6.8 k a year; choosing the reorder point and lot size by cost "
                         "brings this to €3.6 k.")
    zh_text = page.policy_assumptions_text(opt, "zh", "EUR")
    assert "每张采购订单或每次生产€64" in zh_text and "None" not in zh_text


def test_not_available_line():
    assert page.no_history_text("zh").startswith("*不可用：")
