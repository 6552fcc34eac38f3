"""Known answers for the sections of the customer-service KPI report (issue 13), EN and ZH.

Every expected value below is worked by hand from the small frames given here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.reporting.pages import service_kpis as page
from workbench.reporting.pages import wording


def test_periods_months_p_values_and_lists_in_words():
    assert wording.span_text(pd.Series(pd.to_datetime(["2026-02-03", "2025-01-31", None]))) == \
        "Jan 2025 – Feb 2026"
    assert wording.span_text(["2025-01-31", "2026-02-03"], "zh") == "2025年1月–2026年2月"
    assert wording.span_text([]) == ""
    assert wording.period_name("2025-10-01", "Q") == "Q4 2025"
    assert wording.period_name("2025-10-01", "M", "zh") == "2025年10月"
    assert wording.p_text(6e-21) == "p < 0.001"  # never 6e-21
    assert wording.p_text(0.0456) == "p = 0.046"
    assert wording.join_words(["Mar 2026", "Apr 2026"]) == "Mar 2026 and Apr 2026"


def test_kpi_values_are_written_by_their_unit():
    # 14,913 of 21,133 orders OTIF = 0.70567... -> 70.6%; 27.3866 days -> 27.4 days
    assert page.kpi_value_text(14913 / 21133, "fraction") == "70.6%"
    assert page.kpi_value_text(27.3866, "days") == "27.4 days"
    assert page.kpi_value_text(27.3866, "days", "zh") == "27.4 天"
    assert page.kpi_value_text(1703.0, "lines") == "1,703"
    assert page.kpi_value_text(np.nan, "fraction") == "–"
    assert page.kpi_name("perfect_order_rate", "zh") == "完美订单率"


def test_every_kpi_of_the_engine_has_words_in_both_languages():
    from workbench.kpis import kpi_definitions

    names = set(kpi_definitions()["name"])
    assert names <= set(page.KPI_NAMES)
    assert all(set(v) == {"en", "zh"} and "_" not in v["en"] for v in page.KPI_NAMES.values())


OVERALL = pd.DataFrame({
    "kpi": ["lines", "on_time_promised_rate", "otif_order_rate", "damage_rate"],
    "numerator": [10.0, 9.0, np.nan, np.nan], "denominator": [np.nan, 12.0, np.nan, np.nan],
    "value": [10.0, 0.75, np.nan, np.nan], "unit": ["lines", "fraction", "fraction", "fraction"]})
ORDERS = pd.DataFrame({"order_date": pd.to_datetime(["2025-01-06", "2025-03-30"])})


@pytest.mark.parametrize(("lang", "headers", "row", "caption"), [
    ("en", ("KPI", "Counted", "Out of", "Value"), ("On time to promised date", "9", "12", "75.0%"),
     "All customers, Jan 2025 – Mar 2025"),
    ("zh", ("指标", "计数", "基数", "数值"), ("按承诺日期准时率", "9", "12", "75.0%"),
     "全部客户，2025年1月–2025年3月"),
])
def test_headline_table_shows_only_computed_kpis_with_counts(lang, headers, row, caption):
    t = page.headline_table(OVERALL, ORDERS, lang)
    assert t.headers == headers and t.rows == 2  # lines and on time; OTIF and damage not computed
    assert all(f">{cell}</td>" in t.html for cell in row), t.html
    assert caption in t.html
    assert "nan" not in t.html.lower().replace("wb-nan", "")


def test_unavailable_kpis_are_named_in_one_sentence():
    assert page.unavailable_sentence(OVERALL) == (
        "*Not computed from this data (a column they need is missing; see below):* "
        "OTIF (orders) and Damaged deliveries.")
    assert page.unavailable_sentence(OVERALL, "zh") == (
        "*本数据无法计算（缺少所需字段，见下文）：* 准时足量交付率（订单）和货损率（订单行）。")
    assert page.unavailable_sentence(OVERALL[OVERALL["value"].notna()]) == ""


CARD = pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif_order_rate", "otif_order_rate"],
                     "value": [0.679, 0.96], "target": [0.98, 0.95],
                     "status": pd.Categorical(["red", "green"])})


def test_scorecard_table_has_percentages_beside_percentage_targets():
    t = page.scorecard_table(CARD, "tier", "Jan 2025 – Mar 2025")
    assert t.headers == ("Tier", "KPI", "Value", "Target", "Status")
    # 0.679 against 0.98: written 67.9% beside 98%, marked below target; 0.96 >= 0.95 is met
    assert ">67.9% <span" in t.html and ">98%</td>" in t.html and ">96.0%</td>" in t.html
    assert ">0.679" not in t.html  # only the sort key keeps the fraction
    assert ">missed by more than the margin</td>" in t.html and ">target met</td>" in t.html
    assert "Values and targets, Jan 2025 – Mar 2025" in t.html
    zh = page.scorecard_table(CARD, "tier", "2025年1月–2025年3月", "zh")
    assert ">明显低于目标</td>" in zh.html and ">达标</td>" in zh.html


def test_scorecard_figure_names_its_period_and_kpis_in_the_language():
    fig = page.scorecard_figure(CARD, "tier", "2025年1月–2025年3月", "zh")
    assert fig.layout.title.text == "按客户等级的计分卡，2025年1月–2025年3月"
    assert list(fig.data[0].x) == ["准时足量交付率（订单）"]
    en = page.scorecard_figure(CARD.rename(columns={"tier": "region"}), "region", "Jan 2025 – Mar 2025", strict=True)
    assert en.layout.title.text == ("Scorecard by region, Jan 2025 – Mar 2025 "
                                    "(against the strictest tier's targets)")


def test_headline_status_counts_red_of_scored():
    card = pd.DataFrame({"status": ["red", "red", "amber", "green", "n/a"]})
    assert page.headline_status(card, "tier") == "2 of 4 KPIs by tier below target"
    assert page.headline_status(card, "tier", "zh") == "按客户等级：4 项指标中 2 项明显低于目标"


def test_trend_keeps_mature_periods_and_names_the_provisional_ones():
    # Jan: both lines delivered, ended -> mature. Feb: 1 of 2 delivered (50% < 99%) -> provisional.
    orders = pd.DataFrame({
        "order_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-03", "2025-02-10"]),
        "delivery_date": pd.to_datetime(["2025-01-09", "2025-01-28", "2025-02-08", None])})
    trend = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                          "kpi": "cycle_time_mean", "value": [6.0, 5.0]})
    split = page.split_trend(trend, orders, "M")
    assert split.mature["period_start"].tolist() == [pd.Timestamp("2025-01-01")]
    assert split.provisional == [pd.Timestamp("2025-02-01")]
    assert page.trend_note(split, "M") == (
        "Trend of the mature months, Jan 2025. Feb 2025 is provisional (not all their lines are "
        "delivered yet, so they would look better than they are) and is left out.")
    assert page.trend_note(split, "M", "zh") == (
        "趋势涵盖已成熟的各月：2025年1月。2025年2月为暂定期间（其订单行尚未全部交付，数字会偏好），未计入趋势。")


def test_deteriorations_are_named_by_period():
    limits = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"]),
                           "deteriorated": [False, True, True]})
    assert page.deterioration_sentence(limits, "otif_order_rate", "Q") == (
        "**2 quarters** with a significant deterioration of OTIF (orders): Q2 2025 and Q3 2025.")
    assert page.deterioration_sentence(limits, "otif_order_rate", "Q", "zh") == (
        "**2 个季度** 准时足量交付率（订单）显著恶化：2025年第2季度和2025年第3季度。")


def test_charts_carry_their_period_and_language():
    limits = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                           "value": [0.9, 0.8], "center": 0.85, "lcl": 0.7, "ucl": 1.0,
                           "signal": False, "deteriorated": False})
    fig = page.control_figure(limits, "otif_order_rate", "2025年1月–2025年2月", "zh")
    assert fig.layout.title.text == "准时足量交付率（订单）：趋势与控制限，2025年1月–2025年2月"
    assert [t.name for t in fig.data] == ["控制上限", "控制下限", "中心线", "准时足量交付率（订单）"]
    hist = page.cycle_time_figure(pd.Series([1.0, 2.0, 2.0, 9.0]), "Jan 2025 – Feb 2025")
    assert hist.layout.title.text == "Order cycle time, delivered lines, Jan 2025 – Feb 2025"
    pareto = pd.DataFrame({"reason": ["late (vs commit date)"], "lines": [4.0], "cum_share": [1.0]})
    zh = page.failure_figure(pareto, "2025年1月", "zh")
    assert list(zh.data[0].x) == ["延迟（晚于承诺日期）"] and zh.data[0].name == "订单行"


def test_customers_table_and_quality_table_in_chinese():
    top = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["<b>Acme</b>"], "tier": ["A"],
                        "lines": [1204.0], "on_time_promised_rate": [0.9126]})
    t = page.customers_table(top, ["lines", "on_time_promised_rate"], "2025年1月", "zh")
    assert t.headers == ("客户编号", "客户名称", "客户等级", "订单行数", "按承诺日期准时率")
    assert "&lt;b&gt;Acme&lt;/b&gt;" in t.html and ">91.3%<" in t.html and ">1,204<" in t.html
    q = pd.DataFrame({"table": ["order_lines"], "rows_in": [12], "rows_loaded": [10],
                      "rows_quarantined": [2], "issues": [0]})
    assert page.quality_table(q).headers == ("Table", "Rows in", "Loaded", "Quarantined",
                                             "Field issues")
