"""Manager summary: formats per language and the narrative built from numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.test_scorecards import constant_cycle_time_history
from workbench.exceptions import LanguageError
from workbench.i18n import fmt_date, fmt_money, fmt_pct, fmt_points, t
from workbench.planning.ranking import MoneyAtStake
from workbench.reporting.summary import (
    alert_overview,
    churn_table,
    cost_table,
    customers_at_risk_table,
    headline_kpis,
    headline_table,
    money_at_risk,
    narrative,
    risks_table,
    top_risks,
)


def test_formats_per_language():
    assert fmt_pct(0.9712) == "97.1%" and fmt_pct(None, "zh") == "无"
    assert fmt_points(-0.012) == "-1.2 pts" and fmt_points(0.042, "zh") == "+4.2个百分点"
    assert fmt_money(3_564_000) == "3.56 m" and fmt_money(3_564_000, "zh") == "356.4万"
    assert fmt_money(12_500) == "12.5 k" and fmt_money(950, "zh") == "950"
    assert fmt_date("2026-06-29") == "29 Jun 2026" and fmt_date("2026-06-29", "zh") == "2026年6月29日"
    assert t("alerts", "zh") == "交付预警" and t("no_such_label", "en") == "no_such_label"
    with pytest.raises(LanguageError, match="unknown language"):
        t("alerts", "fr")


def _inputs():
    headline = pd.DataFrame({"kpi": ["otif_order_rate"], "period_start": [pd.Timestamp("2026-05-01")],
                             "value": [0.709], "previous": [0.667], "change": [0.042],
                             "deteriorated": [False], "tiers_on_target": [1],
                             "tiers_with_target": [3]})
    status = pd.DataFrame({"alert_id": ["a", "b", "c", "d"], "alert_level": [3, 2, 2, 1],
                           "status": ["new", "continuing", "resolved", "new"]})
    alerts = pd.DataFrame({"alert_id": ["a", "b"], "item_id": ["I-1", "I-2"],
                           "alert_level": [3, 2],
                           "first_short_date": pd.to_datetime(["2026-06-29", "2026-07-20"]),
                           "qty_short": [12.0, 40.0], "recommended_action": ["call", "expedite"]})
    lines = pd.DataFrame({"alert_id": ["a", "a", "b"], "customer_id": ["c1", "c2", "c1"],
                          "order_id": ["SO-1", "SO-2", "SO-3"], "qty_short": [5.0, 7.0, 40.0]})
    customers = pd.DataFrame({"customer_id": ["c1", "c2"], "customer_name": ["Acme <Ltd>", "北方"]})
    churn = pd.DataFrame({"customer_id": ["c9"], "revenue_at_risk": [250_000.0],
                          "reason": ["silent"], "customer_name": ["Zeta"]})
    return headline, status, alerts, lines, customers, churn


def test_overview_and_top_risks():
    headline, status, alerts, lines, customers, churn = _inputs()
    ov = alert_overview(status)
    assert ov.loc[3, "new"] == 1 and ov.loc[2, "continuing"] == 1 and ov.loc[2, "resolved"] == 1
    assert ov.loc[1, "new"] == 1 and int(ov.to_numpy().sum()) == 4
    risks = top_risks(alerts, lines, customers)
    assert risks["item_id"].tolist() == ["I-1", "I-2"]  # level 3 first
    assert risks.loc[0, "customers"] == "Acme <Ltd>, 北方" and risks.loc[0, "orders"] == "SO-1, SO-2"


def test_each_customer_name_is_isolated_so_an_override_reverses_only_itself():
    headline, status, alerts, lines, customers, churn = _inputs()
    rlo = customers.assign(customer_name=customers["customer_name"].where(
        customers["customer_name"] != "Acme <Ltd>", "\u202eexe.txt"))
    risks = top_risks(alerts, lines, rlo)
    # first, isolated: FSI ... PDI around the override name alone; the next name outside it
    assert risks.loc[0, "customers"] == "\u2068\u202eexe.txt\u2069, 北方"


def test_narrative_in_both_languages_comes_from_the_numbers():
    headline, status, alerts, lines, customers, churn = _inputs()
    ov = alert_overview(status)
    risks = top_risks(alerts, lines, customers)
    cost = {"current_service": 0.95, "optimal_service": 0.97, "current_cost": 1.2e6,
            "optimal_cost": 1.1e6}
    en = narrative(headline, ov, risks, churn, as_of="2026-06-29", cost=cost)
    assert en[0] == ("OTIF was 70.9% in May 2026 (+4.2 pts on the month before); 1 of 3 "
                     "customer tiers met their target.")
    # open = everything not resolved: level 3: 1, level 2: 1; new or escalated at 2-3: 1
    assert en[1] == ("As of 29 Jun 2026, 1 confirmed supply break(s) and 1 potential customer "
                     "risk(s) are open (1 new or escalated since the last review); 1 risk(s) "
                     "were resolved.")
    assert en[2].startswith("Most urgent: item I-1 runs short from 29 Jun 2026 (12 units)")
    assert "250.0 k" in en[3] and "Zeta" in en[3]
    assert "100.0 k less" in en[4]
    zh = narrative(headline, ov, risks, churn, as_of="2026-06-29", lang="zh")
    assert zh[0].startswith("2026年5月准时足量交付率为70.9%（较上月+4.2个百分点）")
    assert "2026年6月29日" in zh[1] and len(zh) == 4  # no cost sentence without cost numbers
    quiet = narrative(headline.iloc[0:0], alert_overview(status.iloc[0:0]), risks.iloc[0:0],
                      churn.iloc[0:0], as_of="2026-06-29")
    assert quiet == ["No customer-facing supply risk is open."]


def test_headline_reports_the_latest_mature_month_not_the_censored_tail():
    orders = constant_cycle_time_history()  # true cycle time 28 days every day, as_of 15 December
    tiers = pd.DataFrame({"customer_id": ["c1", "c2"], "tier": ["A", "B"]})
    targets = pd.DataFrame({"tier": ["A", "B"], "kpi": "cycle_time_mean", "target": [30.0, 25.0]})
    h = headline_kpis(orders, tiers, targets).set_index("kpi")
    ct = h.loc["cycle_time_mean"]
    assert ct["period_start"] == pd.Timestamp("2024-10-01")  # not November or December
    assert ct["value"] == 28.0 and ct["previous"] == 28.0 and ct["change"] == 0.0
    assert not h["deteriorated"].any()
    assert (ct["tiers_on_target"], ct["tiers_with_target"]) == (1, 2)
    assert h.loc["on_time_promised_rate", "change"] == pytest.approx(0.0)
    assert h.attrs["provisional_periods"] == [pd.Timestamp("2024-11-01"),
                                              pd.Timestamp("2024-12-01")]


def test_narrative_says_only_what_the_data_supports():
    """No early warning (alerts None): no supply sentence, not "no risk is open"; no OTIF:
    the lead sentence is on time to promise; no prices: churn without an amount."""
    headline, status, alerts, lines, customers, churn = _inputs()
    on_time = headline.assign(kpi="on_time_promised_rate", value=0.9, change=float("nan"))
    unpriced = churn.assign(revenue_at_risk=float("nan"))
    en = narrative(on_time, None, top_risks(alerts, lines).iloc[0:0], unpriced,
                   as_of="2026-06-29", churn_count=3)
    assert en == ["On time to promise was 90.0% in May 2026; 1 of 3 customer tiers met their "
                  "target.",
                  "3 customer(s) are at churn risk, for example Zeta (no prices in the data: no "
                  "revenue at risk)."]
    zh = narrative(on_time, None, top_risks(alerts, lines).iloc[0:0], unpriced,
                   as_of="2026-06-29", lang="zh")
    assert zh == ["2026年5月按承诺日期准时率为90.0%；3个客户等级中有1个达标。",
                  "1个客户有流失风险，例如Zeta（数据中没有单价：无法计算风险收入）。"]


# --- issue 13: manager-grade sections (money with currency, periods named, words) -------------


def test_narrative_writes_money_with_the_currency_and_names_the_quarter():
    headline, status, alerts, lines, customers, churn = _inputs()
    cost = {"current_service": 0.931, "optimal_service": 0.99, "current_cost": 1_079_531.0,
            "optimal_cost": 700_111.0}
    by_customer = pd.DataFrame({"customer_name": ["Acme"], "value_at_risk": [42_600.0]})
    money = MoneyAtStake("EUR", 42_600.0, pd.DataFrame(), by_customer, 8_786.0, 9, 23, 0, 14)
    quarter = headline.assign(period_start=pd.Timestamp("2026-01-01"))
    en = narrative(quarter, alert_overview(status), top_risks(alerts, lines, customers), churn,
                   as_of="2026-06-29", cost=cost, money=money, period="Q", currency="EUR")
    assert en[0].startswith("OTIF was 70.9% in Q1 2026 (+4.2 pts on the quarter before)")
    # 42,600 -> €42.6 k; 8,786 -> €8.8 k; 250,000 -> €250.0 k
    assert en[3] == ("Open orders worth €42.6 k are at risk (23 order lines of 14 customer(s), "
                     "most for Acme); the proposed expedites cost €8.8 k.")
    assert en[4] == ("1 customer(s) are at churn risk, with €250.0 k of revenue over the last "
                     "12 months; the largest is Zeta.")
    # 1,079,531 - 700,111 = 379,420 -> €379.4 k
    assert en[5] == ("The current safety stocks (service level 93.1%) cost €1.08 m a year; at the "
                     "cost-optimal level of 99.0% they would cost €379.4 k less.")
    zh = narrative(quarter, alert_overview(status), top_risks(alerts, lines, customers), churn,
                   as_of="2026-06-29", cost=cost, money=money, period="Q", currency="CNY",
                   lang="zh")
    assert zh[0].startswith("2026年第1季度准时足量交付率为70.9%（较上季度+4.2个百分点）")
    assert zh[4] == "1个客户有流失风险，近12个月收入合计¥25.0万，其中最大的是Zeta。"
    assert zh[5] == ("当前安全库存（服务水平93.1%）每年成本为¥108.0万；若采用成本最优水平99.0%，"
                     "每年可节省¥37.9万。")


def test_headline_table_names_its_months_and_writes_units():
    h = pd.DataFrame({"kpi": ["otif_order_rate", "cycle_time_mean"],
                      "period_start": pd.to_datetime(["2026-02-01"] * 2), "value": [0.74, 27.34],
                      "previous": [0.682, 28.6], "change": [0.058, -1.26],
                      "deteriorated": False, "tiers_on_target": [0, 1],
                      "tiers_with_target": [3, 0]})
    h.attrs["provisional_periods"] = list(pd.to_datetime(["2026-03-01", "2026-04-01"]))
    en = headline_table(h)
    assert en.headers == ("KPI", "Feb 2026", "Jan 2026", "Change", "Tiers on target")
    for cell in (">OTIF (orders)<", ">74.0%<", ">68.2%<", ">+5.8 pts<", ">0 of 3<",
                 ">27.3 days<", ">28.6 days<", ">-1.3 days<"):
        assert cell in en.html, cell
    assert ("Latest month with its orders delivered: Feb 2026, against Jan 2026. "
            "Mar 2026 – Apr 2026 are left out") in en.html
    zh = headline_table(h, lang="zh")
    assert zh.headers == ("指标", "2026年2月", "2026年1月", "变化", "达标等级")
    assert ">3个中0个<" in zh.html and ">27.3天<" in zh.html and ">+5.8个百分点<" in zh.html


def test_risks_table_says_what_to_do_with_money_and_dates_in_words():
    risks = pd.DataFrame({
        "alert_id": ["a", "b"], "item_id": ["I-1", "I-2"], "alert_level": [3, 2],
        "first_short_date": pd.to_datetime(["2026-06-29", "2026-07-20"]),
        "qty_short": [12.0, 1027.0], "customers": ["Acme", "Beta, Gamma"], "orders": ["", ""],
        "affected_customers": [1, 2], "gap_qty": [12.0, 1027.0],
        "covered_by_date": pd.to_datetime(["2026-07-06", "2026-08-03"]),
        "expedite_mode": [None, "air freight"], "expedite_cost": [float("nan"), 4108.0],
        "expedite_arrival": pd.to_datetime([None, "2026-07-20"])})
    by_alert = pd.DataFrame({"alert_id": ["a", "b"], "value_at_risk": [3348.0, float("nan")]})
    money = MoneyAtStake("EUR", 3348.0, by_alert, pd.DataFrame(), 4108.0, 1, 3, 1, 3)
    en = risks_table(risks, money, "2026-06-29", "13 weeks", currency="EUR")
    assert en.headers == ("Item", "Alert level", "Short from", "Quantity short (units)",
                          "Customer", "Order value at risk (EUR)", "Recommended action")
    assert "Notify 1 customer of the confirmed break; supply catches up by 6 Jul 2026" in en.html
    assert ("Expedite 1,027 units by air freight (€4.1 k, arriving 20 Jul 2026); warn 2 "
            "customers of a possible shortage") in en.html
    assert ">3,348<" in en.html and ">–<" in en.html  # unknown value: a dash, never 0
    assert "Most urgent customer-facing risks on 29 Jun 2026 (next 13 weeks)." in en.html
    zh = risks_table(risks, money, "2026-06-29", currency="CNY", lang="zh")
    assert "通知1个客户确认断供；供应于2026年7月6日恢复" in zh.html
    assert "以空运加急1,027件（¥4,108，2026年7月20日到货）；提醒2个客户可能缺货" in zh.html
    assert "风险订单金额（元）" in zh.headers


def test_money_at_risk_totals_by_hand():
    alerts = pd.DataFrame({"alert_id": ["A", "B", "C"], "item_id": ["I-1", "I-2", "I-3"],
                           "alert_level": [3, 2, 1], "max_shortage_qty": [10.0, 2.0, 5.0],
                           "expedite_mode": [None, "air freight", None],
                           "expedite_cost": [float("nan"), 40.0, float("nan")]})
    lines = pd.DataFrame({"alert_id": ["A", "A", "B", "C"], "order_id": ["S1", "S2", "S3", "S4"],
                          "line_no": [1, 1, 1, 1], "customer_id": ["C1", "C2", "C1", "C3"],
                          "qty_short": [10.0, 4.0, 2.0, 5.0]})
    orders = pd.DataFrame({"order_id": ["S1", "S2", "S3", "S4"], "line_no": [1, 1, 1, 1],
                           "unit_price": [3.0, float("nan"), 8.0, 100.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["Acme", "Beta"]})
    m = money_at_risk(alerts, lines, orders, customers, currency="eur")
    # level 2-3 only: S1 10 x 3 = 30, S2 no price, S3 2 x 8 = 16 -> 46; C (level 1) left out
    assert m.total_value_at_risk == 46.0 and m.lines_without_price == 1 and m.lines_total == 3
    assert m.total_expedite_cost == 40.0 and m.currency == "EUR"
    assert m.by_customer["customer_name"].tolist() == ["Acme", "Beta"]
    table = customers_at_risk_table(m, "2026-06-29", "13 weeks", "zh")
    assert table.headers == ("客户", "风险订单金额（欧元）", "订单行", "缺货数量（件）", "预警数")
    assert ">46<" in table.html and "2026年6月29日风险订单金额最高的客户（未来13 weeks）" in table.html


def test_churn_and_cost_tables_in_words_with_currency():
    churn = pd.DataFrame({"customer_id": ["C9"], "customer_name": ["Zeta"],
                          "last_order_date": pd.to_datetime(["2026-03-20"]),
                          "revenue_at_risk": [1_096_432.1], "flag_gap": [True],
                          "flag_volume": [True], "days_since_last": [101],
                          "interval_median": [1.0], "interval_p95": [5.0], "p_gap": [6e-21],
                          "volume_recent": [0.0], "volume_baseline": [8751.0],
                          "volume_ratio": [0.0], "p_volume": [0.0123],
                          "baseline": ["preceding"]})
    en = churn_table(churn, "2026-06-29", currency="EUR")
    assert en.headers == ("Customer", "Last order", "Revenue, last 12 months (EUR)", "Why")
    assert ("No order for 101 days (usually every 1–5 days; p &lt; 0.001); 0 units in the last "
            "90 days against 8,751 in the 90 days before (−100%; p = 0.012)") in en.html
    assert ">1,096,432<" in en.html and ">20 Mar 2026<" in en.html
    zh = churn_table(churn, "2026-06-29", lang="zh", currency="EUR", priced=False)
    assert zh.headers == ("客户", "最近订单", "原因")
    assert "近90天订购0件，之前90天8,751件（−100%；p = 0.012）" in zh.html
    from workbench.inventory.tradeoff import PolicyCost
    policy = PolicyCost(pd.DataFrame(), 0.931, 0.99, 1_079_531.4, 700_111.0)
    cost = cost_table(policy, "30 Jun 2025 – 28 Jun 2026", currency="EUR")
    assert cost.headers == ("Safety stocks", "Service level", "Cost (EUR per year)")
    assert ">93.1%<" in cost.html and ">1,079,531<" in cost.html and ">700,111<" in cost.html
    assert "Per year, on the weekly demand of 30 Jun 2025 – 28 Jun 2026." in cost.html
    assert cost_table(policy, "x", "zh", "CNY").headers == ("安全库存", "服务水平", "成本（元/年）")


def test_cost_sentence_does_not_call_the_end_of_the_range_the_optimum():
    from workbench.inventory.tradeoff import PolicyCost
    from workbench.reporting.summary import policy_sentence
    # every item's optimum above 99.99 %: 1,080,000 - 700,600 = 379,400 saved at 99.99 %
    every = PolicyCost(pd.DataFrame({"item_id": ["I-1", "I-2"]}), 0.931, 0.9999, 1_080_000.0,
                       700_600.0, items_above_range=2)
    assert policy_sentence(every, "en", "EUR") == (
        "The current safety stocks (service level 93.1%) cost €1.08 m a year; the cost keeps "
        "falling up to the highest level searched (99.99%), so there is no optimum within the "
        "range: at that level they would cost €379.4 k less, and more still above it.")
    assert policy_sentence(every, "zh", "EUR") == (
        "当前安全库存（服务水平93.1%）每年成本为€108.0万；成本一直下降到所搜索的最高水平（99.99%），"
        "搜索范围内没有最优水平：采用该水平每年可节省€37.9万，在此之上还会更多。")
    # one of two items beyond the range: the optimum is stated, that item is named
    some = PolicyCost(pd.DataFrame({"item_id": ["I-1", "I-2"]}), 0.931, 0.97, 1_080_000.0,
                      700_600.0, items_above_range=1)
    en = narrative(pd.DataFrame(), None, pd.DataFrame(), pd.DataFrame(), as_of="2026-06-29",
                   cost=some.as_dict(), currency="EUR")
    assert en == ["The current safety stocks (service level 93.1%) cost €1.08 m a year; at the "
                  "cost-optimal level of 97.0% they would cost €379.4 k less (for 1 of 2 items the "
                  "cost keeps falling up to the highest level searched, 99.99%, where they are "
                  "counted)."]
    inside = PolicyCost(pd.DataFrame({"item_id": ["I-1"]}), 0.931, 0.989, 1_080_000.0, 700_600.0)
    assert "keeps falling" not in policy_sentence(inside, "en", "EUR")
