"""Known answers for the customer review's sections (workbench.reporting.pages.customer_review)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from workbench.planning.ranking import MoneyAtStake, NoiseControls
from workbench.reporting.pages import customer_review as review
from workbench.reporting.pages import early_warning as ew_page
from workbench.reporting.tables import ReportTable

AS_OF = pd.Timestamp("2026-06-29")


def _tables(parts) -> list[ReportTable]:
    return [p for p in parts if isinstance(p, ReportTable)]


def test_kpi_names_and_reasons_in_both_languages():
    assert review.kpi_name("otif_order_rate", "zh") == "准时足量交付率（订单）"
    assert review.kpi_name("complaints_per_100_orders") == "Complaints per 100 orders"
    assert review.reasons_text("late, invoice error", "zh") == "延迟、发票错误"
    assert review.reasons_text(float("nan")) == ""


def test_comparison_table_writes_rates_days_and_marks_below_target():
    comparison = pd.DataFrame({
        "kpi": ["otif_order_rate", "cycle_time_mean"], "value": [0.679245, 38.82],
        "tier_value": [0.703758, 29.04], "target": [0.98, float("nan")],
        "status": ["red", ""], "numerator": [504.0, 65262.0], "denominator": [742.0, 1681.0]})
    parts = review.comparison_section(comparison, ["2024-07-01", "2026-06-26"])
    assert parts[0] == "*All history, Jul 2024 – Jun 2026.*"
    table = _tables(parts)[0]
    assert table.headers == ("KPI", "This customer", "Tier average", "Target", "Counted", "Out of")
    html = table.html
    assert ">67.9% ▼<" in html and ">70.4%<" in html and ">98.0%<" in html
    assert ">38.8 days<" in html and ">65,262<" in html and ">–<" in html
    assert parts[2] == "▼ below target."
    zh = review.comparison_section(comparison, ["2024-07-01", "2026-06-26"], "zh")
    assert zh[0] == "*全部历史，2024年7月–2026年6月。*"
    assert ">38.8 天<" in _tables(zh)[0].html


def test_open_orders_sentence_and_state_words():
    lines = pd.DataFrame({"order_id": ["S1", "S2"], "line_no": [1, 2], "item_id": ["I", "J"],
                          "order_date": pd.to_datetime(["2026-06-01", "2026-06-02"]),
                          "due_date": pd.to_datetime(["2026-06-20", "2026-07-02"]),
                          "qty_ordered": [5.0, 7.0], "state": ["overdue", "accepted"],
                          "days_overdue": [9, 0]})
    parts = review.open_orders_section(lines, AS_OF)
    assert parts[0] == "**2 open order line(s)** at 29 Jun 2026, 1 overdue."
    html = _tables(parts)[0].html
    assert ">overdue<" in html and ">open<" in html and "accepted" not in html
    assert review.open_orders_section(lines, AS_OF, "zh")[0] == (
        "截至 2026年6月29日 共有 **2 个未交订单行**，其中 1 个已逾期。")


def _page(lines: pd.DataFrame, notices: pd.DataFrame) -> ew_page.EarlyWarningPage:
    return ew_page.EarlyWarningPage(
        ew=SimpleNamespace(as_of=AS_OF), status=pd.DataFrame(),
        ranked=pd.DataFrame({"alert_id": ["A1"], "held_back": [""]}), lines=lines,
        money=MoneyAtStake("EUR", 0.0, pd.DataFrame(), pd.DataFrame(), 0.0, 0, 0, 0),
        notices=notices, controls=NoiseControls(), currency="EUR", has_log=False,
        tier_rule="derived", measure="revenue", notice_language="auto")


LINES = pd.DataFrame({
    "alert_id": ["A1", "A1"], "alert_level": [3, 3], "customer_id": ["C1", "C2"],
    "order_id": ["S1", "S2"], "line_no": [1, 1], "item_id": ["I", "I"],
    "due_date": pd.to_datetime(["2026-07-02", "2026-07-03"]), "qty_open": [4.0, 2.0],
    "qty_short": [4.0, 2.0], "short_from": pd.to_datetime(["2026-06-29", "2026-06-29"]),
    "covered_by_date": pd.to_datetime(["2026-07-06", "2026-07-06"]),
    "value_at_risk": [1121.88, float("nan")]})


def test_supply_section_shows_the_lines_and_the_full_notice():
    notices = pd.DataFrame({"customer_id": ["C1"], "notice": ["confirmed_break"],
                            "language": ["zh"], "html": ["<h2>主题</h2><p>全文</p>"]})
    run = ew_page.EarlyWarningRun(_page(LINES, notices), AS_OF, [], None)
    parts = review.supply_section(None, run, "C1")
    assert parts[0] == ("At the planning date 29 Jun 2026 the early warning finds 1 open order "
                        "line(s) of this customer short (3 - confirmed break); order value at risk "
                        "€1.1 k.")
    table = _tables(parts)[0]
    assert table.rows == 1 and ">S1<" in table.html and ">S2<" not in table.html
    assert parts[2] == ("The notice this customer will receive in this run (confirmed supply "
                        "break, Chinese), in full:")
    assert "<p>全文</p>" in parts[3].data


def test_supply_section_says_when_there_is_no_risk():
    run = ew_page.EarlyWarningRun(_page(LINES, pd.DataFrame()), AS_OF, [], None)
    assert review.supply_section(None, run, "C9", "zh") == [
        "计划日期 2026年6月29日，该客户没有未解除的供应风险：其未交订单行在预测中均不缺货，因此本次不会收到通知。"]


def test_supply_section_without_inventory_says_what_it_needs():
    import workbench as wb

    ds = wb.open_dataset("samples/order_lines.csv")  # order lines only: no stock, no supply plan
    run = ew_page.EarlyWarningRun(None, AS_OF, [], None)
    (line,) = review.supply_section(ds, run, "C1")
    assert line.startswith("*Not available: needs inventory, supply")
    assert review.supply_section(ds, run, "C1", "zh")[0].startswith("*不可用：需要 inventory")


def test_failures_sentence():
    recent = pd.DataFrame({"order_id": ["S1"], "line_no": [1], "item_id": ["I"],
                           "commit_date": pd.to_datetime(["2026-06-01"]),
                           "delivery_date": pd.to_datetime(["2026-06-04"]), "days_late": [3],
                           "reasons": ["late, re-routed"]})
    parts = review.failures_section(recent, "2026-03-28", "2026-06-25", 90)
    assert parts[0] == ("**1 failed order line(s)** delivered from 28 Mar 2026 to 25 Jun 2026 "
                        "(the last 90 days).")
    assert ">late, re-routed<" in _tables(parts)[0].html
    assert ">延迟、改道<" in _tables(review.failures_section(recent, "2026-03-28", "2026-06-25",
                                                          90, "zh"))[0].html
