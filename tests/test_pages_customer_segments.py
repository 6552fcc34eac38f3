"""Known answers for the sections of the customer-segments report (issue 13), EN and ZH.

The manager's findings: no raw ``describe()`` table, no Python list (``flagged: []``), no
table with headers only, p-values in words, fractions written as percentages beside
percentage targets, and every figure and table naming its period. Expected values are
worked by hand from the small frames below.
"""

from __future__ import annotations

import pandas as pd

from workbench.reporting.pages import customer_segments as page


def test_seasonal_customers_are_named_in_words_never_as_a_list():
    text = page.evaluation_sentence(0.75, 1.0, 6, 2, 0, "the 6 customers known to have left in this sample",
                                    ["C0131", "C0088"], set())
    # 6 found of 6 (recall 100%); 6 of 8 flagged are churners (precision 75%)
    assert text == ("**Against the 6 customers known to have left in this sample:** precision 75%, recall 100% "
                    "(6 found, 2 false alarms, 0 missed). Seasonal customers C0131 and C0088: "
                    "none flagged.")
    assert "[]" not in text and "[" not in text
    zh = page.evaluation_sentence(0.75, 1.0, 6, 2, 0, "样本中设定的 6 个流失客户", ["C0131", "C0088"],
                                  {"C0088"}, "zh")
    assert zh.endswith("季节性客户 C0131和C0088：已标记 C0088。")


def test_p_values_in_churn_reasons_are_words():
    reason = "no order for 101 days; Poisson p = 6e-21; 0 orders vs 60 (p = 9e-19), other p = 0.2345"
    assert page.reason_text(reason) == ("no order for 101 days; Poisson p < 0.001; 0 orders vs 60 "
                                        "(p < 0.001), other p = 0.23")


def test_order_change_sizes_are_a_sentence_not_a_describe_table():
    # quantity changes -50%, +20%, +40%: |median| 40%, 2 up, 1 down; date moves 3 and 11 days: median 7
    mag = pd.DataFrame({"qty_change_rel": [-0.5, 0.2, 0.4, None, None],
                        "days_moved": [None, None, None, 3.0, -11.0]})
    assert page.magnitude_sentence(mag) == ("Quantity changes (3): half change the line by up to 40% "
                                            "(median); 2 add, 1 cut. Date moves (2): median 7 days.")
    assert page.magnitude_sentence(mag, "zh") == ("数量变更（3 次）：半数变更幅度不超过 40%（中位数）；"
                                                  "增加 2 次，减少 1 次。日期变更（2 次）：中位数 7 天。")


def test_no_shortage_from_changes_is_a_sentence_not_an_empty_table():
    empty = pd.DataFrame(columns=["customer_id", "item_id", "added_qty", "shortage_caused"])
    assert page.impact_sentence(empty, "2026-06-29") == (
        "**No shortage in the 13 weeks from 29 Jun 2026 is caused by order changes**: every short "
        "item would be short without them too.")
    rows = pd.DataFrame({"customer_id": ["C1", "C2", "C2"], "item_id": ["I1", "I1", "I2"],
                         "added_qty": [5.0, 8.0, 3.0], "shortage_caused": [4.0, 6.0, 1.0]})
    assert page.impact_sentence(rows, "2026-06-29", "zh") == (
        "**2 个客户**的变更在自2026年6月29日起的 13 周内造成 11 件新增缺货。")
    assert page.impact_table(rows, {}).rows == 3


def test_targets_are_percentages_and_the_scorecard_period_is_stated():
    t = pd.DataFrame({"tier": ["A", "B", "A", "B"], "kpi": ["otif_order_rate"] * 2 + ["line_fill_rate"] * 2,
                      "target": [0.98, 0.95, 0.99, 0.97]})
    table = page.targets_table(t)
    assert table.headers == ("KPI", "Tier A", "Tier B")
    assert ">98%</td>" in table.html and ">0.98<" not in table.html
    assert page.targets_table(t, "zh").headers == ("指标", "A 级", "B 级")


def test_abc_sentence_and_churn_sentence_in_both_languages():
    abc = pd.DataFrame({"abc": ["A", "B", "B", "C", "C", "C", "C", "C", "C", "C"]})
    # top 20% of 10 customers = 2; they carry 55% of revenue
    assert page.abc_sentence(abc, 2, 0.55, "revenue", "Jan 2025 – Feb 2026") == (
        "**The top 20% of customers (2 of 10) carry 55% of revenue** (Jan 2025 – Feb 2026). "
        "Class A: 1 customers, B: 2, C: 7.")
    at_risk = pd.DataFrame({"revenue_at_risk": [30_000.0, 12_500.0]})
    assert page.churn_sentence(at_risk, True, "CNY", "2026-06-29", "zh") == (
        "截至2026年6月29日，**2 个客户有流失风险**，近 12 个月收入 ¥4.2万。")


def test_timing_and_backtest_tables_write_words_and_percentages():
    d = pd.DataFrame({"bucket": ["<1", "1-2"], "changes": [30, 10], "share": [0.75, 0.25]})
    t = page.timing_table(d, "Jul 2024 – Jun 2026")
    assert t.headers == ("Arrived before the due date", "Changes", "Share")
    assert ">less than 1 week</td>" in t.html and ">75.0%</td>" in t.html
    assert "When the changes of Jul 2024 – Jun 2026 arrived" in t.html
    s = pd.DataFrame({"by": ["all"], "group": ["all"], "items": [4], "forecasts": [40],
                      "wape": [0.25], "bias": [-0.05], "coverage_80": [0.8], "coverage_95": [0.95]})
    b = page.backtest_table(s, "2024年7月–2026年6月", "zh")
    assert b.headers == ("预测物料", "物料数", "预测次数", "误差（WAPE）", "偏差", "落在 80% 区间内",
                         "落在 95% 区间内")
    assert ">25.0%</td>" in b.html and ">-5.0%</td>" in b.html and ">全部物料</td>" in b.html


def test_rfm_table_leaves_out_money_without_prices():
    rfm = pd.DataFrame({"customer_id": ["C1", "C2"], "last_order_date": pd.to_datetime(["2026-06-26"] * 2),
                        "recency_days": [3, 9], "frequency": [55, 40], "monetary": [0.0, 0.0],
                        "R": [5, 4], "F": [3, 2], "M": [1, 1]})
    t = page.rfm_table(rfm, {}, "zh")
    assert t.headers == ("客户编号", "最近订单", "距上次订单（天）", "订单频次", "RFM 评分")
    assert ">5-3-1</td>" in t.html and ">2026年6月26日</td>" in t.html


# ---- issue 16: fluctuation bands and suggested buffers ------------------------------------

def _buffers() -> pd.DataFrame:
    # three items: A below the suggestion by 10 units at unit cost 2 (= 20), B above by 5 at 1 (= -5),
    # C discontinued (no forecast, buffer 0) above by 4 at 2 (= -8)
    return pd.DataFrame({
        "item_id": ["A", "B", "C"], "method": ["tsb", "sba", "zero"],
        "reason_code": ["backtest", "class", "discontinued"], "lead_time": [2, 1, 3],
        "service_level": [0.95] * 3, "lead_time_forecast": [24.4, 6.0, 0.0],
        "safety_stock": [30.2, 5.0, 0.0]})


def test_method_and_reason_codes_are_words_in_both_languages():
    assert page.method_words("tsb") == "Teunter–Syntetos–Babai (TSB)"
    assert page.method_words("tsb", "zh") == "TSB 法"
    assert page.method_words("zero") == "no forecast: no or discontinued demand"
    assert page.method_words("zero", "zh") == "不预测：无需求或已停售"
    assert page.reason_words("no_demand") == "no demand yet"
    assert page.reason_words("fixed", "zh") == "方法由报告设置指定"
    for code in ("no_demand", "discontinued", "backtest", "class", "fixed"):
        assert "_" not in page.reason_words(code) and page.reason_words(code) != code


def test_lead_times_in_weeks_round_up_and_skip_missing():
    items = pd.DataFrame({"item_id": ["A", "B", "C", "D"], "lead_time_days": [14, 15, 3, None]})
    # 14 / 7 = 2; 15 / 7 = 2.14 -> 3; 3 / 7 -> at least 1; D has none
    assert page.lead_time_periods(items, "W").to_dict() == {"A": 2, "B": 3, "C": 1}
    # months of 30.44 days: 14 -> 1, 15 -> 1, 3 -> 1
    assert page.lead_time_periods(items, "MS").to_dict() == {"A": 1, "B": 1, "C": 1}
    assert page.lead_time_periods(None).empty


def test_service_target_from_the_report_then_the_targets_then_a_default():
    t = pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif_order_rate"] * 2, "target": [0.98, 0.9]})
    # no line fill rate target: OTIF, median of 0.98 and 0.9 = 0.94
    assert page.buffer_target(t) == (0.94, "the median of the tiers’ OTIF (orders) targets")
    assert page.buffer_target(t, 0.99) == (0.99, "set for this report")
    assert page.buffer_target(None, 0.0, "zh") == (0.95, "通用默认值：没有相应的服务目标")


def test_buffer_sentence_and_table_compare_with_the_current_safety_stock():
    items = pd.DataFrame({"item_id": ["A", "B", "C"], "safety_stock": [20, 10, 4],
                          "unit_cost": [2.0, 1.0, 2.0]})
    frame = page.buffer_frame(_buffers(), items)
    assert frame["difference"].round(1).tolist() == [10.2, -5.0, -4.0]
    text = page.buffer_sentence(frame, 0.95, "set for this report", "Jan 2025 – Jun 2026",
                                currency="EUR")
    # below: A only, 10.2 units worth 20.4; above: B 5 + C 4 = 9 units, 5 + 8 = 13
    assert text == ("**1 of 3 items hold less safety stock than the suggested buffer**: 10 units "
                    "short, worth €20 at unit cost. Buffers for a 95% service target (set for this "
                    "report) over each item’s lead time, from the forecast errors of the weekly "
                    "demand of Jan 2025 – Jun 2026; 2 items hold more (9 units, €13).")
    zh = page.buffer_sentence(frame, 0.95, "本报告设定", "2025年1月–2026年6月", currency="EUR",
                              lang="zh")
    assert zh.startswith("**3 种物料中有 1 种的安全库存低于建议缓冲库存**：共少 10 件，按单位成本计 €20。")
    table = page.buffer_table(frame, currency="EUR")
    # one service target for every item: in the caption, not a column
    assert table.headers == ("Item", "Method", "Why", "Lead time (weeks)", "Lead-time forecast",
                             "Buffer", "Current", "Gap", "Gap value (EUR)")
    assert ("Suggested buffer per item, in units; gap = buffer minus the current safety stock, "
            "valued at unit cost; largest gap first, 95% service target") in table.html
    mixed = page.buffer_table(frame.assign(service_level=[0.95, 0.9, 0.9]))
    assert mixed.headers[4] == "Target" and ">90%<" in mixed.html
    rows = table.html.split("<tr>")[2:]
    # largest shortfall in money first: A (20.4), B (-5), C (-8)
    assert ">A<" in rows[0] and ">B<" in rows[1] and ">C<" in rows[2]
    assert ">no forecast: no or discontinued demand<" in rows[2]
    assert "too little history to compare: chosen by demand pattern" in rows[1]
    assert ">30<" in rows[0] and ">24<" in rows[0]
    zh_table = page.buffer_table(frame, lang="zh", currency="EUR")
    assert zh_table.headers[-1] == "差额金额（EUR）"
    assert ">TSB 法<" in zh_table.html and ">停止需求的时间远超通常的需求间隔<" in zh_table.html
    for html in (table.html, zh_table.html):
        assert "nan" not in html.lower() and "None" not in html and "_" not in html.split("<tbody>")[1]


def test_buffers_without_an_item_master_safety_stock_total_the_buffers():
    frame = page.buffer_frame(_buffers(), None)
    assert "difference" not in frame
    assert page.buffer_sentence(frame, 0.9, "set for this report", "Jan 2025 – Jun 2026") == (
        "Suggested buffers for 3 items total 35 units. Buffers for a 90% service target (set for "
        "this report) over each item’s lead time, from the forecast errors of the weekly demand of "
        "Jan 2025 – Jun 2026.")
    assert page.buffer_table(frame).headers[-1] == "Buffer"
    assert page.lead_note(2) == ("*2 forecast items have no lead time in the item master: no "
                                 "buffer is suggested for them.*")


def test_band_table_and_sentence_per_period():
    fc = pd.DataFrame({"item_id": ["A", "A", "B"],
                       "period_start": pd.to_datetime(["2026-06-29", "2026-07-06", "2026-06-29"]),
                       "forecast_qty": [10.4, 9.6, 3.0], "lower": [4.0, 3.6, 0.0],
                       "upper": [17.2, 18.0, 6.0], "lower_95": [1.0, 0.0, 0.0],
                       "upper_95": [22.0, 23.5, float("nan")]})
    t = page.band_table(fc, ["B", "A"], periods=1)
    assert t.headers == ("Item", "Week starting", "Forecast (units)", "80% band: from",
                         "80% band: to", "95% band: from", "95% band: to")
    rows = t.html.split("<tr>")[2:]
    # B first as asked; one period each; B's missing 95% bound is a dash
    assert len(rows) == 2 and ">B<" in rows[0] and ">–<" in rows[0] and ">22<" in rows[1]
    assert page.band_table(fc, ["A"], lang="zh").headers[3] == "80% 区间下限"
    # B has no 95% bound: left out of the sentence
    assert page.band_sentence(fc, ["A", "B"]) == (
        "In the week of 29 Jun 2026 demand could reach, at the top of the 95% band: A 22 units "
        "(forecast 10). Order changes within the band are what a buffer has to absorb.")
    # an item without a forecast (discontinued) is left out of the sentence
    stopped = fc.assign(method=["ses", "ses", "zero"], upper_95=[22.0, 23.5, 0.0])
    assert page.band_sentence(stopped, ["A", "B"]) == page.band_sentence(fc, ["A", "B"])
    assert page.band_sentence(stopped, ["B"]) == ""
    assert page.band_sentence(fc, ["A"], lang="zh") == (
        "2026年6月29日这一周，需求在 95% 区间上限可达：A 22 件（预测 10 件）。区间内的订单变化需要由缓冲库存吸收。")


def test_backtest_table_names_tsb_and_no_forecast():
    s = pd.DataFrame({"by": ["method", "method"], "group": ["tsb", "zero"], "items": [3, 2],
                      "forecasts": [30, 20], "wape": [0.5, 0.0], "bias": [0.1, 0.0]})
    en = page.backtest_table(s, "Jul 2024 – Jun 2026")
    assert ">by method: Teunter–Syntetos–Babai (TSB)<" in en.html
    assert ">by method: no forecast: no or discontinued demand<" in en.html
    zh = page.backtest_table(s, "2024年7月–2026年6月", "zh")
    assert ">按方法：TSB 法<" in zh.html and ">按方法：不预测：无需求或已停售<" in zh.html
