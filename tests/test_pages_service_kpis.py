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


# ------------------------------------------------ promises kept (issue 15, must-have 5)

def _promise_lines() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four January lines and one open February line; C-1's first promise is in the change log.

    ============  =====  =======  =====  =========  ====  ===  ========
    line          order  current  first  delivered  qty   del  released
    ============  =====  =======  =====  =========  ====  ===  ========
    A-1           01-02  01-10    01-10  01-09      10    10   01-04
    A-2           01-02  01-15    01-08  01-14      30    30   01-04
    B-1           01-06  01-20    01-20  01-23      40    40   01-06
    C-1           01-10  01-25    (log)  01-24      20    10   -
    D-1 (Feb)     02-03  02-10    -      -          5     -    -
    ============  =====  =======  =====  =========  ====  ===  ========
    """
    d = pd.to_datetime
    orders = pd.DataFrame({
        "order_id": ["A", "A", "B", "C", "D"], "line_no": [1, 2, 1, 1, 1],
        "order_date": d(["2025-01-02", "2025-01-02", "2025-01-06", "2025-01-10", "2025-02-03"]),
        "promised_date": d(["2025-01-10", "2025-01-15", "2025-01-20", "2025-01-25", "2025-02-10"]),
        "first_promised_date": d(["2025-01-10", "2025-01-08", "2025-01-20", None, None]),
        "delivery_date": d(["2025-01-09", "2025-01-14", "2025-01-23", "2025-01-24", None]),
        "released_date": d(["2025-01-04", "2025-01-04", "2025-01-06", None, None]),
        "qty_ordered": [10.0, 30.0, 40.0, 20.0, 5.0],
        "qty_delivered": [10.0, 30.0, 40.0, 10.0, np.nan]})
    changes = pd.DataFrame({"order_id": ["C"], "line_no": [1], "change_seq": [1],
                            "old_promised_date": d(["2025-01-18"])})
    return orders, changes


def _promise_summary() -> page.PromiseSummary:
    orders, changes = _promise_lines()
    promised = page.first_promise_orders(orders, changes)
    assert promised.loc[3, "first_promised_date"] == pd.Timestamp("2025-01-18")  # from the log
    return page.promise_summary(promised, "M")


def test_promise_summary_counts_the_mature_month_by_hand():
    s = _promise_summary()
    # Feb has not ended on 3 Feb (the latest order date): provisional; Jan counts alone.
    assert s.split.provisional == [pd.Timestamp("2025-02-01")]
    p = s.promises
    # current promise, C-1 on time of 4; first: only A-1 (A-2 01-14 > 01-08, C-1 01-24 > 01-18)
    assert p.loc["on_time_promised_rate", ["numerator", "denominator"]].tolist() == [3.0, 4.0]
    assert p.loc["on_time_first_promise_rate", "numerator"] == 1.0
    assert p.loc["on_time_promise_gap", "value"] == 0.5
    # OTIF: C-1 is short (10 of 20) -> current A-1, A-2 = 2/4; first A-1 = 1/4
    assert p.loc[["otif_line_rate", "otif_first_promise_rate", "otif_promise_gap"],
                 "value"].tolist() == [0.5, 0.25, 0.25]
    lv = s.levels
    # by units: on time 10 + 30 + 20 = 60 of 100; OTIF 10 + 30 = 40 of 100
    assert lv.loc[["on_time_qty_rate", "otif_qty_rate"], "value"].tolist() == [0.6, 0.4]
    # cycle per line (7 + 12 + 17 + 14) / 4 = 12.5; per order A 12, B 17, C 14 -> 43 / 3;
    # net: A-1 5, A-2 10 (from release 01-04), B-1 17, C-1 14 (no release: from the order) = 46 / 4
    assert lv.loc["cycle_time_mean", "value"] == 12.5
    assert lv.loc["order_cycle_time_mean", ["numerator", "denominator"]].tolist() == [43.0, 3.0]
    assert lv.loc["net_cycle_time_mean", "value"] == 11.5


@pytest.mark.parametrize(("lang", "headers", "rows", "caption"), [
    ("en", ("Measure", "Current promise", "First promise", "Gap", "Lines judged"),
     [("On time", "75.0%", "25.0%", "+50.0 pts", "4"), ("OTIF", "50.0%", "25.0%", "+25.0 pts", "4")],
     "Delivered lines with a current and a first promise, Jan 2025"),
    ("zh", ("指标", "按当前承诺", "按首次承诺", "差距", "评判订单行"),
     [("准时率", "75.0%", "25.0%", "+50.0个百分点", "4"),
      ("准时足量交付率", "50.0%", "25.0%", "+25.0个百分点", "4")],
     "有当前承诺和首次承诺的已交付订单行，2025年1月"),
])
def test_promises_table_first_beside_current_with_the_gap(lang, headers, rows, caption):
    t = page.promises_table(_promise_summary(), wording.span_text(["2025-01-01"], lang), lang)
    assert t.headers == headers and t.rows == 2
    for row in rows:
        assert all(f">{cell}</td>" in t.html for cell in row), (row, t.html)
    assert caption in t.html
    assert "nan" not in t.html.lower().replace("wb-nan", "")


def test_promise_gap_sentence_says_how_much_better_moved_dates_make_service_look():
    s = _promise_summary()
    assert page.promise_gap_sentence(s) == (
        "Dates moved after the first promise make service look **50.0 pts better** than it "
        "was: on time is 75.0% to the current promise but 25.0% to the first; OTIF 50.0% "
        "against 25.0% (+25.0 pts).")
    assert page.promise_gap_sentence(s, "zh") == (
        "首次承诺之后改动的交期使服务看起来比实际好 **50.0 个百分点**：按当前承诺准时率为 75.0%，"
        "按首次承诺为 25.0%；准时足量交付率为 50.0% 对 25.0%（+25.0个百分点）。")
    # promises moved earlier and then missed: current 80% vs first 82% -> 2.0 pts worse; no OTIF
    t = pd.DataFrame({"value": [0.80, 0.82, -0.02]}, index=["on_time_promised_rate",
                     "on_time_first_promise_rate", "on_time_promise_gap"])
    worse = page.PromiseSummary(t, t.iloc[:0], page.TrendSplit(pd.DataFrame(), []))
    assert page.promise_gap_sentence(worse) == (
        "Dates moved after the first promise make service look **2.0 pts worse** than it was: "
        "on time is 80.0% to the current promise but 82.0% to the first.")
    same = page.PromiseSummary(t.assign(value=[0.9, 0.9, 0.0]), t.iloc[:0], worse.split)
    assert page.promise_gap_sentence(same, "zh") == (
        "改动承诺交期并未美化服务：按当前承诺准时率为 90.0%，按首次承诺为 90.0%。")
    none = page.PromiseSummary(t.iloc[:0], t.iloc[:0], worse.split)
    assert page.promise_gap_sentence(none) == ""


def test_weighting_and_cycle_tables_by_hand():
    s = _promise_summary()
    w = page.weighting_table(s, "Jan 2025")
    assert w.headers == ("Measure", "By lines", "By units ordered", "Units minus lines")
    # on time 75.0% by lines, 60.0% by units -> -15.0 pts; OTIF 50.0% against 40.0% -> -10.0 pts
    for row in [("On time", "75.0%", "60.0%", "-15.0 pts"), ("OTIF", "50.0%", "40.0%", "-10.0 pts")]:
        assert all(f">{cell}</td>" in w.html for cell in row), w.html
    c = page.cycle_levels_table(s, "2025年1月", "zh")
    assert c.headers == ("指标", "平均（天）", "计数")
    for row in [("按订单行：下单至交付", "12.5", "4 行"), ("按整单：下单至最后一行交付", "14.3", "3 单"),
                ("净周期（按订单行）：下达至交付", "11.5", "4 行")]:
        assert all(f">{cell}</td>" in c.html for cell in row), c.html
    assert "已交付订单行和已全部交付的订单，2025年1月" in c.html
    en = page.cycle_levels_table(s, "Jan 2025")
    assert ">Per order: order to its last delivery</td>" in en.html and ">3 orders</td>" in en.html


def test_mature_note_names_the_months_counted_and_left_out():
    s = _promise_summary()
    assert page.mature_note(s.split, "M") == (
        "Over the mature months, Jan 2025. Feb 2025 is provisional (not all its lines are "
        "delivered yet) and is left out.")
    assert page.mature_note(s.split, "M", "zh") == (
        "统计已成熟的各月：2025年1月。2025年2月为暂定期间（其订单行尚未全部交付），未计入。")


class _Result:
    """Stands in for a LoadResult: only ``data`` is read."""

    def __init__(self, data: pd.DataFrame):
        self.data = data


def test_without_first_promises_the_section_says_what_it_needs():
    from pathlib import Path

    from workbench.io.dataset import Dataset

    orders, _ = _promise_lines()
    bare = orders.drop(columns=["first_promised_date", "released_date"])
    assert page.first_promise_orders(bare, None) is None  # NotAvailableError caught
    ds = Dataset(Path("."))
    ds.results = {"order_lines": _Result(bare)}
    assert page.first_promise_note(ds) == (
        "Not available: needs order_lines.first_promised_date or order_changes.old_promised_date "
        "(map a first-promised-date column (first_promised_date) in the order-lines mapping or "
        "add an order_changes table (order-change log with old_promised_date) to the dataset "
        "YAML under tables:).")
    assert page.first_promise_note(ds, "zh") == (
        "不可用：需要 order_lines.first_promised_date 或 order_changes.old_promised_date"
        "（在订单行的列映射中映射首次承诺日期列（first_promised_date）或在数据集YAML的tables:下"
        "添加order_changes表（订单变更记录，含old_promised_date））。")
    assert page.net_cycle_note(ds) == (
        "Not available: needs order_lines.released_date (map a released-date (release or "
        "acknowledgement) column (released_date) in the order-lines mapping).")
    ds.results = {"order_lines": _Result(orders)}
    assert page.net_cycle_note(ds) is None
    # without first promises the weighting and cycle tables still come; net cycle time left out
    s = page.promise_summary(bare, "M")
    assert page.promises_table(s, "Jan 2025").rows == 0
    assert page.cycle_levels_table(s, "Jan 2025").rows == 2
