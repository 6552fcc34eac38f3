"""Known answers for the early-warning report's sections (workbench.reporting.pages.early_warning)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from workbench.planning.ranking import MoneyAtStake, NoiseControls
from workbench.reporting.pages import early_warning as ew_page
from workbench.reporting.tables import ReportTable

AS_OF = pd.Timestamp("2026-06-29")


def _page(**kw) -> ew_page.EarlyWarningPage:
    """A page built by hand (the run itself is only asked for its planning date)."""
    base = dict(
        ew=SimpleNamespace(as_of=AS_OF), status=pd.DataFrame(), ranked=pd.DataFrame(),
        lines=pd.DataFrame(), money=MoneyAtStake("EUR", 0.0, pd.DataFrame(), pd.DataFrame(),
                                                 0.0, 0, 0, 0),
        notices=pd.DataFrame(), controls=NoiseControls(), currency="EUR", has_log=True,
        tier_rule="derived", measure="revenue", notice_language="auto",
        sender="Customer Service, service@example.com")
    base.update(kw)
    return ew_page.EarlyWarningPage(**base)


def _tables(parts) -> list[ReportTable]:
    return [p for p in parts if isinstance(p, ReportTable)]


def test_span_of_periods_in_both_languages():
    weeks = pd.date_range("2026-06-29", periods=13, freq="7D")
    assert ew_page.span_of_periods(weeks, "W") == "13 weeks (29 Jun 2026 – 27 Sep 2026)"
    assert ew_page.span_of_periods(weeks, "W", "zh") == "13 周（2026年6月29日–2026年9月27日）"
    months = pd.date_range("2026-01-01", periods=2, freq="MS")
    assert ew_page.span_of_periods(months, "M") == "2 months (1 Jan 2026 – 28 Feb 2026)"


def test_alert_texts_write_dates_the_report_way():
    assert (ew_page.alert_texts("arriving 2026-07-20; short from 2026-08-03")
            == "arriving 20 Jul 2026; short from 3 Aug 2026")
    assert ew_page.alert_texts("2026-07-20当周", "zh") == "2026年7月20日当周"
    assert ew_page.alert_texts(float("nan")) == ""


def test_noise_controls_in_words():
    words = ew_page.noise_words(NoiseControls(min_shortage=5, min_value=250, min_periods=2),
                                "EUR")
    assert words == ("Noise controls: an alert whose largest shortage is under 5 unit(s) is held "
                     "back; an alert whose order value at risk is under €250 is held back; an "
                     "alert short for fewer than 2 period(s) in a row is held back. Held-back "
                     "alerts are listed below the ranking with the reason; confirmed breaks are "
                     "always shown.")
    assert ew_page.noise_words(NoiseControls(), lang="zh") == (
        "降噪规则：最大缺货量不足 1 件的预警暂缓显示；不设最低订单金额；仅缺货一期也计入。"
        "被暂缓的预警列在排序表下方并注明原因；确认断供始终显示。")


def test_notices_folder_defaults(tmp_path):
    log = tmp_path / "ds" / "alert_log.db"
    assert ew_page.notices_folder("", str(log), "2026-06-29") == tmp_path / "ds" / "notices" / "2026-06-29"
    assert ew_page.notices_folder("", f"sqlite:///{log}", AS_OF) == tmp_path / "ds" / "notices" / "2026-06-29"
    assert ew_page.notices_folder(str(tmp_path / "x"), str(log), AS_OF) == tmp_path / "x"
    default = ew_page.notices_folder("", "", AS_OF)
    assert default.parts[-3:] == ("reports", "notices", "2026-06-29")


def test_levels_table_rows_are_levels_and_columns_statuses():
    status = pd.DataFrame({"alert_level": [3, 2, 2, 1, 2],
                           "status": ["new", "new", "continuing", "new", "resolved"]})
    parts = ew_page.levels_section(_page(status=status))
    assert parts[0] == ("Open alerts at the planning date 29 Jun 2026 by level and by how they "
                        "changed since the previous run.")
    table = _tables(parts)[0]
    assert table.headers == ("Alert level", "New", "Continuing", "Resolved", "Total open")
    html = table.html
    # 3: 1 new; 2: 1 new, 1 continuing, 1 resolved -> 2 open; 1: 1 new
    assert "<td class=\"wb-text\">3 - confirmed break</td>" in html
    row2 = html.split("2 - potential customer risk")[1].split("</tr>")[0]
    assert [c.split(">")[1] for c in row2.split("<td")[1:]] == ["1</td", "1</td", "1</td",
                                                                "2</td"]
    zh = _tables(ew_page.levels_section(_page(status=status), "zh"))[0]
    assert zh.headers == ("预警级别", "新增", "持续", "已解除", "未解除合计")


def test_levels_without_history_say_every_alert_is_new():
    status = pd.DataFrame({"alert_level": [2], "status": ["new"]})
    text = ew_page.levels_section(_page(status=status, has_log=False))[0]
    assert "No alert history is kept for this data, so every alert counts as new" in text


def test_money_section_total_row_and_currency():
    by_customer = pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["Acme", "Beta"],
                                "value_at_risk": [1200.0, 300.0], "lines": [2, 1],
                                "lines_without_price": [0, 0], "qty_short": [5.0, 1.0],
                                "alerts": [1, 1]})
    money = MoneyAtStake("EUR", 1500.0, pd.DataFrame(), by_customer, 4108.0, 2, 3, 0, 2)
    lines = pd.DataFrame({"customer_id": ["C1", "C2"], "tier": ["A", "C"]})
    parts = ew_page.money_section(_page(money=money, lines=lines))
    assert parts[0] == ("*Potential risks and confirmed breaks (levels 2 and 3) shown below, "
                        "planning date 29 Jun 2026; amounts in EUR.*")
    assert parts[1].replace("\\", "") == ("* Order value at risk: €1.5 k in 3 order line(s) of 2 customer(s).\n"
                        "* Expedite cost of the proposed countermeasures: €4.1 k for 2 alert(s).")
    table = _tables(parts)[0]
    assert table.headers == ("Customer", "Customer ID", "Tier", "Alerts", "Order lines",
                             "Value at risk (EUR)")
    last = table.html.split("<tr>")[-1]
    assert ">Total<" in last and ">1,500<" in last and ">3<" in last
    zh = ew_page.money_section(_page(money=money, lines=lines), "zh")
    assert _tables(zh)[0].headers[-1] == "风险价值（欧元）"


def _notices() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["C1", "C2"], "customer_name": ["Acme", "北方公司"],
        "contact_email": ["a@x.com", "b@x.cn"], "notice": ["confirmed_break", "all_clear"],
        "alert_level": [3, 2], "language": ["en", "zh"], "lines": [2, 1],
        "value_at_risk": [100.0, float("nan")], "subject": ["S1", "S2"],
        "html": ["<h2>S1</h2><p>full text one</p>", "<h2>S2</h2><p>全文二</p>"],
        "text": ["S1", "S2"]})


def test_notices_section_lists_and_shows_every_notice_in_full(tmp_path):
    page = _page(notices=_notices())
    from workbench.paths import project_path

    parts = ew_page.notices_section(page, "en", project_path("reports", "notices", "2026-06-29"))
    assert parts[0] == ("2 notice(s) to send after review, one per customer, in each customer's "
                        "language: 1 confirmed break(s) with exact dates and 1 all-clear(s). Each "
                        "is shown in full below and saved as a web page and a text file, with a "
                        "list for the customer-service team (notices.csv), in the folder "
                        "`reports/notices/2026-06-29`.")
    assert parts[1] == "Signed by Customer Service, service@example.com."
    listing = _tables(parts)[0]
    assert listing.headers == ("No.", "Customer", "Customer ID", "Notice", "Language",
                               "Order lines", "Value at risk (EUR)", "Contact e-mail")
    assert ">confirmed supply break<" in listing.html and ">Chinese<" in listing.html
    shown = parts[-1].data
    assert "Notice 1 of 2 — Acme (confirmed supply break)" in shown
    assert "Notice 2 of 2 — 北方公司 (all clear)" in shown
    assert "<p>full text one</p>" in shown and "<p>全文二</p>" in shown
    zh = ew_page.notices_section(page, "zh", None)
    assert zh[0] == ("共 2 份通知待审核后发送，每位客户一份，使用各客户的语言：确认断供 1 份（含确切日期）"
                     "和风险解除 1 份。每份通知的全文见下方。")
    assert "通知 2/2：北方公司（风险解除）" in zh[-1].data


def test_notices_section_without_notices():
    assert ew_page.notices_section(_page(notices=pd.DataFrame())) == [
        "No customer notice this run: no customer order line is at risk and no earlier risk "
        "was resolved."]


def test_resolved_section_without_history():
    assert ew_page.resolved_section(_page(has_log=False), "en")[0].startswith(
        "Nothing can be reported as resolved: no alert history is kept")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    import workbench as wb

    folder = tmp_path_factory.mktemp("notices")
    ds = wb.open_dataset("samples")
    return ds, ew_page.run(ds, notices_dir=str(folder), lang="en"), folder


def test_sample_run_notices_one_per_customer_and_files(sample_run):
    ds, result, folder = sample_run
    page = result.page
    nt = page.notices
    assert nt["customer_id"].is_unique
    customers_at_risk = set(page.lines.loc[page.lines["alert_level"] >= 2, "customer_id"])
    assert set(nt["customer_id"]) == customers_at_risk
    assert result.folder == folder
    assert len(list(folder.glob("*.html"))) == len(nt) == len(list(folder.glob("*.txt")))
    listing = pd.read_csv(folder / "notices.csv", encoding="utf-8-sig")
    assert len(listing) == len(nt)
    # signed with the dataset's sender
    assert all(ds.settings.sender.email in text for text in nt["text"])


def test_sample_run_lines_carry_a_tier_and_the_rule_says_which(sample_run):
    _, result, _ = sample_run
    page = result.page
    assert page.lines["tier"].isin(["A", "B", "C"]).all()  # no empty tier cell
    parts = ew_page.lines_section(page)
    assert parts[1].startswith("The customer master gives no service tier, so each "
                               "customer's tier comes from its share of revenue")
    assert result.page.tier_rule == "derived"  # the value tiers ranked the allocation
    table = _tables(parts)[0]
    assert "Tier" in table.headers and "Value at risk (EUR)" in table.headers
    assert "confirmed_break" not in table.html and "nan" not in table.html.lower().replace(
        "wb-num", "")


def test_sample_run_ranked_table_has_no_codes(sample_run):
    _, result, _ = sample_run
    parts = ew_page.ranked_section(result.page, "zh")
    html = "".join(t.html for t in _tables(parts))
    for code in ("confirmed_break", "planned_receipt_dependency", "potential_shortage",
                 "below_safety_stock", "NaN"):
        assert code not in html
    import re

    cells = re.sub(r'data-sort="[^"]*"', "", html)  # ISO keys only sort the dates
    assert "2026-07-20" not in cells  # dates as the report writes them


def test_policy_cost_is_the_manager_summarys_sentence_or_says_what_is_missing(tmp_path):
    import shutil

    import workbench as wb
    from workbench.customers import customer_tiers
    from workbench.paths import project_path
    from workbench.reporting import availability, summary

    ds = wb.open_dataset("samples")
    tiers = customer_tiers(ds.orders, ds.customers, availability.targets_for(ds).source,
                           measure=availability.value_measure(ds)).tiers
    policy = summary.service_policy_cost(ds, tiers)
    for lang in ("en", "zh"):  # one computation behind both reports
        (part,) = ew_page.policy_section(ds, lang)
        assert part.endswith(summary.policy_sentence(policy, lang, "EUR").replace("(", "\\(")
                             .replace(")", "\\)"))
    assert "€" in ew_page.policy_section(ds, "en")[0]
    # order lines alone: no item master, so no cost; the line says what it needs
    shutil.copy(project_path("data/samples/order_lines.csv"), tmp_path / "order_lines.csv")
    bare = wb.open_dataset(str(tmp_path / "order_lines.csv"))
    (line,) = ew_page.policy_section(bare, "en")
    assert line.startswith("*What the service policy costs: Not available: needs")
    assert summary.service_policy_cost(bare, None) is None


# --------------------------------------------------------------------------------------
# Issue 15, must-have 8: scarce supply goes by the value tiers when the master has none
# --------------------------------------------------------------------------------------


def _scarce_dataset(folder, master_tiers=None):
    """Item SC: nothing on hand at Mon 2026-06-29, one firm receipt of 10 due Tue 2026-07-14.

    Customer CC orders 10 at 1 EUR (revenue 10, first in the file), CA 10 at 100 EUR
    (revenue 1,000), both due 2026-07-14, ordered the same day. ABC by revenue: CA share
    1000/1010 = 99 %, cumulative share before it 0 < 80 % -> A; CC cumulative share
    before it 99 % >= 95 % -> C.
    """
    import workbench as wb

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yaml").write_text(
        "name: Scarce receipt\nsettings:\n  currency: EUR\ntables:\n"
        "  order_lines: order_lines.csv\n  customers: customers.csv\n"
        "  supply_plan: supply_plan.csv\n  inventory: inventory.csv\n", encoding="utf-8")
    pd.DataFrame({"order_id": ["OC", "OA"], "line_no": [1, 1], "customer_id": ["CC", "CA"],
                  "item_id": ["SC", "SC"], "order_date": ["2026-06-01"] * 2,
                  "requested_date": ["2026-07-14"] * 2, "qty_ordered": [10, 10],
                  "unit_price": [1.0, 100.0], "status": ["open", "open"]}).to_csv(
        folder / "order_lines.csv", index=False)
    cust = pd.DataFrame({"customer_id": ["CA", "CC"], "customer_name": ["Alpha", "Gamma"]})
    if master_tiers is not None:
        cust["tier"] = master_tiers
    cust.to_csv(folder / "customers.csv", index=False)
    pd.DataFrame({"receipt_id": ["RS"], "item_id": ["SC"], "due_date": ["2026-07-14"],
                  "qty": [10], "firm": [True]}).to_csv(folder / "supply_plan.csv", index=False)
    pd.DataFrame({"item_id": ["SC"], "snapshot_date": ["2026-06-29"], "on_hand": [0]}).to_csv(
        folder / "inventory.csv", index=False)
    return wb.open_dataset(str(folder))


def _short(page):
    ln = page.lines.sort_values("order_id")
    return list(zip(ln["order_id"], ln["customer_id"], ln["tier"], ln["qty_short"],
                    strict=True))


def test_report_gives_the_scarce_receipt_to_the_a_customer_when_the_master_has_no_tier(
        tmp_path):
    page = ew_page.run(_scarce_dataset(tmp_path / "ds"), write_notices=False).page
    # W of 2026-07-13: the 10 received go to CA (derived A) although CC (C) comes first
    # in the file with the same due date; CC is short 10 and never covered.
    assert _short(page) == [("OC", "CC", "C", 10.0)]
    assert page.ew.tiers.set_index("customer_id")["tier"].to_dict() == {"CA": "A", "CC": "C"}
    assert page.tier_rule == "derived"
    assert ew_page.lines_section(page)[1] == (
        "The customer master gives no service tier, so each customer's tier comes from its "
        "share of revenue (A: the customers that make up most of it), and scarce supply goes "
        "to customers by that tier (A first), then by due date.")
    assert ew_page.lines_section(page, "zh")[1] == (
        "客户主数据未提供服务等级，因此各客户的等级按其收入占比得出（A：贡献大部分的客户），"
        "短缺的供应按该等级分配（A 级优先），其次按到期日。")


def test_report_master_tier_wins_over_the_value_tier(tmp_path):
    # Master CA = B, CC = A (the opposite of the value tiers): CC gets the 10, CA is short.
    page = ew_page.run(_scarce_dataset(tmp_path / "m", ["B", "A"]), write_notices=False).page
    assert _short(page) == [("OA", "CA", "B", 10.0)]
    assert page.tier_rule == "master"
    assert ew_page.lines_section(page)[1] == ("Scarce supply goes to customers by service tier "
                                              "from the customer master (A first), then by "
                                              "due date.")
    # Master CC = C only: CA takes its value tier A and is served first.
    page = ew_page.run(_scarce_dataset(tmp_path / "p", ["", "C"]), write_notices=False).page
    assert _short(page) == [("OC", "CC", "C", 10.0)]
    assert page.tier_rule == "mixed"
    assert ew_page.lines_section(page)[1].startswith(
        "Scarce supply goes to customers by service tier (A first), then by due date: the tier "
        "from the customer master, and for the customers it gives no tier, the tier from their "
        "share of revenue")


def test_allocation_rule_sentence_for_every_tier_rule():
    lines = pd.DataFrame({"alert_level": [3], "short_from": [AS_OF], "customer_id": ["CC"],
                          "customer_name": ["Gamma"], "tier": ["C"], "order_id": ["OC"],
                          "qty_short": [10.0]})
    en = {rule: ew_page.lines_section(_page(lines=lines, tier_rule=rule, measure="volume"))[1]
          for rule in ("none", "due_date")}
    assert en == {
        "none": "There is no customer master, so each customer's tier comes from its share of "
                "the quantity ordered (A: the customers that make up most of it), and scarce "
                "supply goes to customers by that tier (A first), then by due date.",
        "due_date": "No service tier decided the allocation, so scarce supply goes to the order "
                    "lines by due date (the earliest first), then by order date; a tier shown "
                    "comes from the customer's share of the quantity ordered and ranks the "
                    "alerts above only."}
    zh = {rule: ew_page.lines_section(_page(lines=lines, tier_rule=rule), "zh")[1]
          for rule in ("master", "mixed", "none", "due_date")}
    assert zh == {
        "master": "短缺的供应按客户主数据中的服务等级分配（A 级优先），其次按到期日。",
        "mixed": "短缺的供应按客户服务等级分配（A 级优先），其次按到期日：等级取自客户主数据，"
                 "主数据未提供等级的客户按其收入占比得出等级（A：贡献大部分的客户）。",
        "none": "没有客户主数据，因此各客户的等级按其收入占比得出（A：贡献大部分的客户），"
                "短缺的供应按该等级分配（A 级优先），其次按到期日。",
        "due_date": "分配未使用服务等级，因此短缺的供应按订单行到期日（最早优先）、其次按下单日期分配；"
                    "表中的等级按客户收入占比得出，仅用于上方的预警排序。"}


# --------------------------------------------------------------------------------------
# What would remove each shortage (issue 15, must-have 10)
# --------------------------------------------------------------------------------------


def _proposal_page() -> ew_page.EarlyWarningPage:
    """Four weekly periods from 29 Jun 2026, worked by hand (no forecast, no safety stock).

    A: on hand 25, orders 5/10/30/10 -> balance 20, 10, -20, -30: short from week 3
       (13 Jul), outside the 2 frozen weeks -> a receipt of 20 in the week of 13 Jul.
    B: on hand 5, orders 15 in week 1, a firm receipt of 20 in week 2 -> -10, 10: short in
       the frozen week 1 only, the receipt already due ends it in the week of 6 Jul.
    C: on hand 0, orders 8 in week 2 and 4 in week 4 -> 0, -8, -8, -12: short from the
       frozen week 2; the earliest receipt, 8 in the week of 13 Jul, ends the shortage.
    D (level 1) and E (held back) are not listed.
    """
    import numpy as np

    from workbench.planning.buckets import PabInput

    weeks = pd.date_range("2026-06-29", periods=4, freq="7D")
    zeros = np.zeros((5, 4))
    orders = np.array([[5, 10, 30, 10], [15, 0, 0, 0], [0, 8, 0, 4], [0, 0, 0, 0],
                       [0, 0, 9, 0]], dtype=float)
    firm = zeros.copy()
    firm[1, 1] = 20
    inputs = PabInput(item_id=pd.Index(["A", "B", "C", "D", "E"]), period_start=weeks,
                      as_of=AS_OF, freq="W", on_hand=np.array([25.0, 5, 0, 0, 0]),
                      safety_stock=np.zeros(5), customer_orders=orders, forecast=zeros,
                      supply_firm=firm, supply_planned=zeros)
    ranked = pd.DataFrame({"rank": [1, 2, 3, 4, 5], "item_id": ["B", "A", "D", "C", "E"],
                           "alert_level": [3, 2, 1, 3, 2],
                           "held_back": ["", "", "", "", "shortage under 10 units"]})
    return _page(ew=SimpleNamespace(as_of=AS_OF, inputs=inputs), ranked=ranked)


def _cells(table: ReportTable) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "|", table.html))


def test_proposals_name_the_receipt_that_removes_each_shortage():
    parts = ew_page.proposals_section(_proposal_page(), "en", frozen_periods=2,
                                      demand_time_fence=2)
    assert parts[0] == ("The receipt that would remove the shortage of each potential risk and "
                        "confirmed break (levels 2 and 3) ranked above, planning date 29 Jun "
                        "2026, over 4 weeks (29 Jun 2026 – 26 Jul 2026).")
    table = _tables(parts)[0]
    assert table.headers == ("Item", "Alert level", "Proposed receipt")
    assert table.rows == 3
    cells = _cells(table)
    b = ("No new receipt is needed: the receipts already due end this shortage in the week of "
         "6 Jul 2026; before then no new receipt can be placed (frozen period).")
    a = ("A receipt of 20 in the week of 13 Jul 2026 removes this shortage (release the order "
         "in the week of 13 Jul 2026).")
    c = ("No new receipt can come in time (frozen zone or lead time); the earliest, a receipt "
         "of 8 in the week of 13 Jul 2026, ends this shortage (release the order in the week "
         "of 13 Jul 2026).")
    assert cells.index(b) < cells.index(a) < cells.index(c)  # ranked order: B, A, C
    assert "3 - confirmed break" in cells and "2 - potential customer risk" in cells
    assert "|D|" not in cells and "|E|" not in cells
    assert parts[-1] == (
        "Rule used: lot for lot (each receipt is exactly the quantity short), keeping the "
        "projected stock at or above zero; existing firm and planned receipts stay on their "
        "dates. The first 2 weeks (29 Jun 2026 – 12 Jul 2026) are frozen: no new receipt can "
        "be placed there, and a shortage there ends with the earliest receipt after them. No "
        "supplier lead time is counted, so an order is released in the period its receipt "
        "must arrive.")


def test_proposals_in_chinese_and_without_frozen_weeks():
    zh = ew_page.proposals_section(_proposal_page(), "zh", frozen_periods=2,
                                   demand_time_fence=2)
    table = _tables(zh)[0]
    assert table.headers == ("物料", "预警级别", "建议补货")
    cells = _cells(table)
    assert "在2026年7月13日当周到货 20 件即可消除此缺货（2026年7月13日当周下达订单）。" in cells
    assert ("无需新的到货：已有的到货在2026年7月6日当周结束此缺货；在此之前无法安排新的到货（冻结期）。"
            in cells)
    assert "最早在2026年7月13日当周到货 8 件，可结束此缺货" in cells
    assert "前 2 周（2026年6月29日–2026年7月12日）为冻结期" in zh[-1]
    # Without frozen weeks C gets its receipt of 8 in the week it goes short (6 Jul).
    open_ = ew_page.proposals_section(_proposal_page(), "en", frozen_periods=0)
    assert ("A receipt of 8 in the week of 6 Jul 2026 removes this shortage (release the order "
            "in the week of 6 Jul 2026).") in _cells(_tables(open_)[0])
    assert "No period is frozen: a receipt can be placed from the first period on." in open_[-1]


def test_proposals_when_no_alert_of_level_2_or_3():
    page = _page(ranked=pd.DataFrame({"rank": [1], "item_id": ["D"], "alert_level": [1],
                                      "held_back": [""]}))
    assert ew_page.proposals_section(page, "en") == [
        "No potential risk or confirmed break at the planning date 29 Jun 2026: no receipt "
        "needs to be proposed."]
    assert ew_page.proposals_section(page, "zh") == [
        "计划日期 2026年6月29日 没有潜在风险或确认断供：无需提出补货建议。"]


# ---- issue 16: forecast band and suggested buffers of the items on alert ----------------------

def test_buffer_table_compares_the_buffer_with_the_projections_safety_stock():
    frame = pd.DataFrame({"item_id": ["A", "B"], "plan_forecast": [40.0, 3.0],
                          "upper_95": [95.4, float("nan")], "buffer": [120.2, 10.0],
                          "safety_stock": [80.0, 12.0]})
    t = ew_page.buffer_table(frame, "W", 2, "11 weeks (13 Jul 2026 – 27 Sep 2026)")
    assert t.headers == ("Item", "Forecast per week", "Could reach (95%) per week",
                         "Suggested buffer", "Safety stock used", "Difference")
    rows = t.html.split("<tr>")[2:]
    # A: 120.2 - 80 = 40.2 -> 40; B: 10 - 12 = -2; B has no band: a dash
    assert [c.split("<")[0] for c in rows[0].split('">')[1:]] == ["A", "40", "95", "120", "80", "40"]
    assert ">-2<" in rows[1] and ">–<" in rows[1]
    assert ("Items on alert, units; forecast after the first 2 weeks: 11 weeks (13 Jul 2026 – "
            "27 Sep 2026)") in t.html
    zh = ew_page.buffer_table(frame, "W", 2, lang="zh")
    assert zh.headers == ("物料", "每周预测", "每周可能达到（95%）", "建议缓冲库存", "所用安全库存",
                          "差额")
    for html in (t.html, zh.html):
        assert "nan" not in html.lower() and "None" not in html


def test_buffer_section_says_what_is_missing_without_lead_times():
    from pathlib import Path

    from workbench.io.dataset import Dataset

    class _Result:
        def __init__(self, data):
            self.data = data

    ds = Dataset(Path("."))
    lines = pd.DataFrame({"order_id": ["1"], "customer_id": ["x"], "item_id": ["i"],
                          "order_date": pd.to_datetime(["2025-01-01"]),
                          "requested_date": pd.to_datetime(["2025-01-05"]), "qty_ordered": [1.0]})
    ds.results = {"order_lines": _Result(lines)}
    en = ew_page.buffer_section(ds, _page())
    assert len(en) == 1 and en[0].startswith("*Not available: needs items.lead\\_time\\_days")
    zh = ew_page.buffer_section(ds, _page(), "zh")
    assert zh[0].startswith("*不可用：需要 items.lead\\_time\\_days")


def test_sample_run_buffers_of_the_items_on_alert_in_words(sample_run):
    ds, result, _ = sample_run
    page = result.page
    alerted = page.ranked.loc[page.ranked["held_back"] == "", "item_id"].nunique()
    for lang in ("en", "zh"):
        parts = ew_page.buffer_section(ds, page, lang, demand_time_fence=2, service_level=0.9)
        text, table = parts[0], _tables(parts)[0]
        assert table.rows == alerted and table.shown == min(alerted, 10)
        body = table.html.split("<tbody>")[1]
        assert "nan" not in body.lower() and "None" not in body
        if lang == "en":
            assert text.startswith("Beyond the first 2 weeks the projection uses the forecast")
            assert "(90% service target, set for this report, over each item’s lead time)" in text
        else:
            assert text.startswith("前 2 周之后，预计库存按预测计算需求")
            assert "服务水平目标 90%，本报告设定" in text
