"""Service level against cost, section by section: known answers in English and Chinese."""

from __future__ import annotations

import pandas as pd

from workbench.inventory.tradeoff import Scenario
from workbench.reporting.pages import cost_tradeoff as page

SPAN = "30 Jun 2025 – 28 Jun 2026"


def _scenario() -> Scenario:
    curve = pd.DataFrame({"service_level": [0.90, 0.95, 0.99], "holding_cost": [1.0, 2.0, 4.0],
                          "shortage_cost": [5.0, 2.0, 1.0], "total_cost": [6.0, 4.0, 5.0],
                          "safety_stock": [10.0, 20.0, 40.0],
                          "achieved_fill_rate": [0.93, 0.97, 0.995]})
    # target 95 %: 2 + 2 = 4 a week; optimum 90 %... no: put the optimum at 99 % by hand
    target = curve.iloc[1]
    optimum = pd.Series({"service_level": 0.99, "total_cost": 3.0})
    return Scenario(curve, 0.95, target, optimum, "all items")


def test_optimum_sentence_states_the_target_and_the_optimum_per_year_with_currency():
    sc = _scenario()
    # per year: 4 x 52 = 208, holding 104, shortage 104, optimum 3 x 52 = 156, gap 52
    assert page.optimum_sentence(sc, "all", SPAN, currency="EUR") == (
        "For all items, a 95.0% cycle service level needs 20 units of safety stock and costs "
        "€208 per year (holding €104, shortages €104); 97.0% of demand is filled from stock. "
        "The cost optimum is 99.0% at €156 per year: the target costs €52 per year more. "
        "Weekly demand of 30 Jun 2025 – 28 Jun 2026.")
    assert page.optimum_sentence(sc, "tier B", "2025年6月30日–2026年6月28日", "zh", "CNY") == (
        "对B级客户的需求份额而言，95.0%的周期服务水平需要20件安全库存，每年成本¥208（持有¥104，"
        "缺货¥104）；97.0%的需求由库存满足。成本最优水平为99.0%，每年¥156：目标水平每年多花费¥52。"
        "按2025年6月30日–2026年6月28日的每周需求计算。")


def test_curve_chart_texts_in_the_language():
    fig = page.curve_chart(_scenario(), "ITM-0007", SPAN, "en", "USD")
    assert [d.name for d in fig.data] == ["holding cost", "shortage cost", "total cost",
                                          "target 95.0%", "optimum 99.0%"]
    assert fig.layout.title.text == ("Cost of service per year: item ITM-0007, weekly demand of "
                                     "30 Jun 2025 – 28 Jun 2026")
    assert fig.layout.yaxis.title.text == "cost (USD per year)"
    zh = page.curve_chart(_scenario(), "all", "x", "zh")
    assert zh.layout.xaxis.title.text == "周期服务水平" and zh.data[4].name == "最优 99.0%"


def test_tier_costs_table_percentages_and_money_per_year():
    costs = pd.DataFrame({"tier": ["A", "C"], "target": [0.98, 0.85], "safety_stock": [96437.9, 12.4],
                          "cost_at_target": [647285.8, 260036.8], "optimal_level": [0.99, 0.99],
                          "cost_at_optimum": [623223.0, 120002.2],
                          "extra_cost": [24062.8, 140034.6]})
    en = page.tier_costs_table(costs, SPAN, currency="EUR")
    assert en.headers == ("Tier", "Target service level", "Safety stock at target (units)",
                          "Cost at target (EUR per year)", "Cost-optimal service level",
                          "Cost at optimum (EUR per year)", "Target costs more (EUR per year)")
    for cell in (">85.0%<", ">99.0%<", ">96,438<", ">12<", ">647,286<", ">140,035<"):
        assert cell in en.html, cell
    assert "0.850000" not in en.html and "0.85<" not in en.html
    zh = page.tier_costs_table(costs, "x", "zh", "CNY")
    assert zh.headers[3] == "目标水平成本（元/年）" and zh.headers[6] == "目标比最优多花（元/年）"
    # 24,062.8 + 140,034.6 = 164,097.4 -> €164.1 k; largest: C
    assert page.tier_sentence(costs, currency="EUR") == (
        "The tier targets cost €164.1 k per year more than each tier's cost optimum, most for "
        "tier C (€140.0 k).")
    assert page.tier_sentence(costs, "zh", "CNY") == (
        "各等级目标每年比各自的成本最优水平多花¥16.4万，其中C级最多（¥14.0万）。")


def test_scenarios_and_simulation_tables():
    comp = pd.DataFrame({"base": [100.0, 1000.0, 500.0, 1500.0, 0.972, 0.99, 1200.0],
                         "lead time -1 week": [90.0, 900.0, 450.0, 1350.0, 0.975, 0.99, 1100.0]},
                        index=["safety stock at target", "holding cost / year",
                               "shortage cost / year", "total cost / year",
                               "fill rate at target", "cost-optimal service level",
                               "total cost / year at optimum"])
    en = page.scenarios_table(comp, 0.95, SPAN, currency="EUR")
    assert en.headers[0] == "Scenario" and en.headers[4] == "Total cost (EUR per year)"
    assert ">As assumed<" in en.html and ">Lead time one week shorter<" in en.html
    assert ">1,500<" in en.html and ">97.2%<" in en.html
    assert "Target 95.0%; per year, on the weekly demand of 30 Jun 2025 – 28 Jun 2026." in en.html
    check = pd.DataFrame({"analytic_fill_rate": [0.9726], "simulated_fill_rate": [0.9531],
                          "simulated_fill_rate_ci_low": [0.9528],
                          "simulated_fill_rate_ci_high": [0.9537],
                          "analytic_cost_per_year": [941824.9],
                          "simulated_cost_per_year": [1428656.2]},
                         index=pd.Index([0.95], name="service_level"))
    zh = page.simulation_table(check, "x", "zh", "EUR")
    assert zh.headers == ("周期服务水平", "满足率（公式）", "满足率（模拟）", "模拟值95%区间",
                          "公式成本（欧元/年）", "模拟成本（欧元/年）")
    for cell in (">95.0%<", ">97.3%<", ">95.3% – 95.4%<", ">941,825<", ">1,428,656<"):
        assert cell in zh.html, cell


def test_demand_only_section_in_words():
    classes = pd.DataFrame({"item_id": ["I-1", "I-2", "I-3"], "periods": [52, 52, 52],
                            "demand_periods": [49, 32, 49], "adi": [1.04, 1.6304, 1.04],
                            "cv2": [0.4435, 0.44, 0.3],
                            "demand_class": ["smooth", "intermittent", "smooth"]})
    counts, top = page.demand_classes_table(classes, SPAN)
    assert counts.headers == ("Demand class", "Items")
    assert ">smooth<" in counts.html and ">2<" in counts.html
    assert top.headers == ("Item", "Periods with demand", "Weeks between demands (average)",
                           "Variation of quantities (CV²)", "Demand class")
    assert top.html.index("I-1") < top.html.index("I-3") < top.html.index("I-2")
    assert ">1.63<" in top.html and ">0.44<" in top.html
    assert page.not_available_text() == ("*Not available: needs the item master's unit_cost and "
                                         "lead_time_days (see the top of this report).*")
    assert page.selection_words("tier A") == "tier A's share of demand"


def _bounded_scenario() -> Scenario:
    sc = _scenario()
    optimum = pd.Series({"service_level": 0.9999, "total_cost": 3.0})
    return Scenario(sc.curve, 0.95, sc.target_row, optimum, "all items", optimum_at_bound=True)


def test_optimum_at_the_end_of_the_range_is_not_called_the_optimum():
    en = page.optimum_sentence(_bounded_scenario(), "all", SPAN, currency="EUR")
    assert "The cost optimum is" not in en
    assert ("The cost keeps falling up to the highest level searched (99.99%), so there is no "
            "optimum within the range: at 99.99% it is €156 per year, and the target costs €52 "
            "per year more.") in en
    zh = page.optimum_sentence(_bounded_scenario(), "all", SPAN, "zh", "CNY")
    assert "成本最优水平为" not in zh
    assert "成本一直下降到所搜索的最高水平（99.99%），搜索范围内没有最优水平：99.99%时每年¥156" in zh
    fig = page.curve_chart(_bounded_scenario(), "all", SPAN, "en")
    assert fig.data[4].name == "end of levels searched 99.99% (cost still falling)"
    assert "100.0%" not in en + zh


def test_tier_table_and_sentence_flag_a_tier_whose_optimum_lies_beyond_the_range():
    costs = pd.DataFrame({"tier": ["A", "C"], "target": [0.98, 0.85], "safety_stock": [9.0, 1.0],
                          "cost_at_target": [600.0, 300.0], "optimal_level": [0.9999, 0.9897],
                          "cost_at_optimum": [500.0, 100.0], "extra_cost": [100.0, 200.0],
                          "optimum_at_bound": [True, False]})
    en = page.tier_costs_table(costs, SPAN, currency="EUR")
    assert ">above 99.99%<" in en.html and ">99.0%<" in en.html and "not at an optimum" in en.html
    assert page.tier_sentence(costs, currency="EUR") == (
        "The tier targets cost €300 per year more than each tier's cost optimum, most for tier C "
        "(€200); for tier A the cost keeps falling up to the highest level searched (99.99%), so "
        "its optimum lies above it and its extra cost is at least this.")
    zh = page.tier_sentence(costs, "zh", "EUR")
    assert zh.endswith("；A级的成本一直下降到所搜索的最高水平（99.99%），其最优水平在此之上，额外成本至少为此数。")
    assert ">高于99.99%<" in page.tier_costs_table(costs, SPAN, "zh", "EUR").html
