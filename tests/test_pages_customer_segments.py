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
