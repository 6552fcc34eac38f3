"""Manager summary: formats per language and the narrative built from numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.test_scorecards import constant_cycle_time_history
from workbench.exceptions import LanguageError
from workbench.i18n import fmt_date, fmt_money, fmt_pct, fmt_points, t
from workbench.reporting.summary import alert_overview, headline_kpis, narrative, top_risks


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
