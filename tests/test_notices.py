"""Tests for the customer notices and the internal memo (workbench.planning.notices)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import LanguageError, MissingColumnsError
from workbench.io.dataset import Sender
from workbench.planning.notices import (
    NOTICE_COLUMNS,
    draft_internal_memo,
    draft_notices,
    expected_dates,
    md_escape,
    plain_text,
)

EVIL = "<script>alert(1)</script> & Co"
EVIL_HTML = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"
EVIL_MD = r"\<script\>alert\(1\)\</script\> \& Co"
T = pd.Timestamp


def alerts_and_lines():
    """Three alerts: X1 level 2 (air freight arriving 01-27), X2 level 3 (never covered in
    the horizon), X3 level 1 (internal only); four affected lines."""
    alerts = pd.DataFrame({
        "alert_id": ["X2|2025-01-06", "X1|2025-01-27", "X3|2025-01-13"],
        "item_id": ["X2", "X1", "X3"],
        "alert_level": [3, 2, 1],
        "kind": ["confirmed_break", "potential_shortage", "planned_receipt_dependency"],
        "first_short_date": [T("2025-01-06"), T("2025-01-27"), T("2025-01-13")],
        "max_shortage_qty": [7.0, 25.0, 1250.0],
        "affected_customers": [1, 2, 1],
        "root_cause": ["open orders 12 exceed on hand 5", "open orders 55 exceed on hand 30",
                       "planned receipt of 40 due in the week of 2025-01-13 is needed"],
        "recommended_action": ["Send a confirmed-supply-break notice", "Act now",
                               "Confirm the planned receipt"],
        "expedite_mode": [None, "air freight", None],
        "expedite_arrival": [pd.NaT, T("2025-01-27"), pd.NaT],
        "as_of": T("2025-01-06"),
    })
    lines = pd.DataFrame({
        "alert_id": ["X2|2025-01-06", "X1|2025-01-27", "X1|2025-01-27", "X3|2025-01-13"],
        "item_id": ["X2", "X1", "X1", "X3"],
        "order_id": ["SO-3", "SO-1", "SO-2", "SO-4"],
        "line_no": [1, 1, 2, 1],
        "customer_id": ["C3", "C3", "C4", "C1"],
        "due_date": [T("2025-01-08"), T("2025-01-28"), T("2025-01-29"), T("2025-01-14")],
        "qty_short": [7.0, 20.0, 5.0, 1250.0],
        "short_from": [T("2025-01-06"), T("2025-01-27"), T("2025-01-27"), T("2025-01-13")],
        "covered_by_date": [pd.NaT, T("2025-02-03"), T("2025-02-03"), T("2025-01-27")],
    })
    customers = pd.DataFrame({
        "customer_id": ["C1", "C3", "C4"],
        "customer_name": ["Alpha GmbH", EVIL, "北方 *机械* [Ltd]"],
        "language": ["en", "en", "zh"],
        "contact_email": ["a@x.example", "c3@x.example", "c4@x.example"],
    })
    return alerts, lines, customers


def test_escaping_helpers():
    assert md_escape(EVIL) == EVIL_MD
    assert md_escape("a|b_c*d`e") == r"a\|b\_c\*d\`e"
    assert md_escape("# 1. - x") == r"\# 1. - x"  # heading marker at the start
    assert md_escape("- item") == r"\- item"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape(None) == "" and md_escape(float("nan")) == ""
    assert plain_text("Evil\r\nBcc: x@y") == "Evil Bcc: x@y"


def test_one_notice_per_customer_with_all_its_lines_in_english_and_chinese():
    alerts, lines, customers = alerts_and_lines()
    out = draft_notices(alerts, lines, customers, language="auto")
    assert list(out.columns) == list(NOTICE_COLUMNS)
    # C1 only has the internal level-1 alert: no notice. C3 has a confirmed break (X2)
    # and a potential risk (X1): ONE notice, of the more severe kind, holding both.
    assert out[["customer_id", "notice", "alert_level", "language", "lines"]].values.tolist() \
        == [["C3", "confirmed_break", 3, "en", 2], ["C4", "potential_risk", 2, "zh", 1]]
    assert out["order_ids"].tolist() == ["SO-3, SO-1", "SO-2"]
    assert out["alert_ids"].tolist() == ["X2|2025-01-06, X1|2025-01-27", "X1|2025-01-27"]
    assert out["contact_email"].tolist() == ["c3@x.example", "c4@x.example"]
    # No prices given: the value is unknown and the open lines are counted as unpriced.
    assert out["value_at_risk"].isna().all() and out["lines_without_price"].tolist() == [2, 1]

    c3, zh = out.iloc[0], out.iloc[1]
    md = c3["markdown"]
    assert c3["subject"] == f"Confirmed supply shortage for your orders ({EVIL})"
    # Sections, most severe first.
    assert md.index("## Confirmed supply shortage") < md.index("## Potential supply risk")
    # Level 3: confirmed, exact quantity and dates; no cover date in the horizon.
    assert "**cannot be delivered in full on the requested date**" in md
    assert ("| SO-3 | 1 | X2 | 8 Jan 2025 | 7 | 6 Jan 2025 | to be confirmed "
            "| additional supply being arranged |") in md
    assert "Item X2: the remaining 7 has no confirmed date yet" in md
    assert ('<td>SO-3</td><td>1</td><td>X2</td><td>8 Jan 2025</td>'
            '<td style="text-align:right">7</td><td>6 Jan 2025</td><td>to be confirmed</td>'
            in c3["html"])
    # Level 2: potential risk; the air freight arrives 01-27, in time for the line
    # requested on 01-28: expected delivery 01-28 in the table AND in the sentence.
    assert "**potential supply risk**" in md and "This is not a confirmed delay" in md
    assert ("| SO-1 | 1 | X1 | 28 Jan 2025 | 20 | 27 Jan 2025 | 28 Jan 2025 "
            "| air freight, arrives 27 Jan 2025 |") in md
    assert ("Item X1: supply is being expedited by air freight, expected arrival 27 Jan 2025; "
            "the quantity concerned (20) will be delivered on 28 Jan 2025.") in md
    assert "3 Feb 2025" not in md  # the plan's cover date is not promised for an expedited line
    assert "<strong>potential supply risk</strong>" in c3["html"]
    # Chinese, for the customer whose master data says zh.
    assert zh["subject"] == "潜在供货风险提示：北方 *机械* [Ltd]"
    assert "尊敬的北方 \\*机械\\* \\[Ltd\\]：" in zh["markdown"]
    assert "**潜在供货风险**" in zh["markdown"]
    assert "| SO-2 | 2 | X1 | 2025年1月29日 | 5 | 2025年1月27日 | 2025年1月29日 | 空运，2025年1月27日 到货 |" \
        in zh["markdown"]
    assert "物料 X1：正在通过空运加急供货，预计到货日期 2025年1月27日；相关数量 5 预计于 2025年1月29日 交付。" \
        in zh["markdown"]
    assert "<td>SO-2</td><td>2</td><td>X1</td><td>2025年1月29日</td>" in zh["html"]
    assert "客户服务部" in zh["markdown"] and 'lang="zh"' in zh["html"]
    assert "## " not in zh["markdown"]  # one kind only: no section headings

    # Forced languages.
    all_zh = draft_notices(alerts, lines, customers, language="zh")
    assert set(all_zh["language"]) == {"zh"}
    assert "无法在要求日期足额交货" in all_zh["markdown"].iloc[0]
    assert "| SO-3 | 1 | X2 | 2025年1月8日 | 7 | 2025年1月6日 | 待确认 | 正在安排额外供货 |" \
        in all_zh["markdown"].iloc[0]
    all_en = draft_notices(alerts, lines, customers, sender="Jane <CS>")
    assert set(all_en["language"]) == {"en"}
    assert "Jane \\<CS\\>" in all_en["markdown"].iloc[1]
    assert "Jane &lt;CS&gt;" in all_en["html"].iloc[1]


def test_subject_plain_text_and_signature_with_the_senders_contact():
    alerts, lines, customers = alerts_and_lines()
    sender = Sender("Li Wei <CS>", "service@x.example", "+86 21 5555 0000")
    out = draft_notices(alerts, lines, customers, sender=sender, language="auto")
    c3, zh = out.iloc[0], out.iloc[1]
    # Every version starts with the subject.
    assert c3["markdown"].startswith("# Confirmed supply shortage for your orders \\(")
    assert f"<h2>Confirmed supply shortage for your orders ({EVIL_HTML})</h2>" in c3["html"]
    text = c3["text"]
    assert text.startswith(f"Subject: Confirmed supply shortage for your orders ({EVIL})\n")
    assert zh["text"].startswith("主题：潜在供货风险提示：北方 *机械* [Ltd]\n")
    # The plain text is complete: both sections, the lines, the measures, the signature.
    for part in ("Confirmed supply shortage\n", "Potential supply risk\n",
                 "SO-3 | 1 | X2 | 8 Jan 2025 | 7 | 6 Jan 2025 | to be confirmed",
                 "SO-1 | 1 | X1 | 28 Jan 2025 | 20 | 27 Jan 2025 | 28 Jan 2025",
                 "- Item X1: supply is being expedited by air freight",
                 "Kind regards,\nLi Wei <CS>\nE-mail: service@x.example\n"
                 "Phone: +86 21 5555 0000\n"):
        assert part in text, part
    assert "**" not in text and "<strong>" not in text
    assert "电子邮件：service@x.example" in zh["text"] and "电话：+86 21 5555 0000" in zh["text"]
    # The sender is data: escaped in HTML and Markdown.
    assert "Li Wei &lt;CS&gt;<br>" in c3["html"] and "E-mail: service@x.example" in c3["html"]
    assert "Li Wei \\<CS\\>" in c3["markdown"]
    # An empty sender falls back to the default name and prints no contact lines.
    bare = draft_notices(alerts, lines, customers, sender=Sender())
    assert "Kind regards,\nCustomer Service\n" in bare["text"].iloc[0]
    assert "E-mail" not in bare["text"].iloc[0]


def test_order_value_at_risk_with_currency_and_unpriced_lines_said():
    alerts, lines, customers = alerts_and_lines()
    orders = pd.DataFrame({"order_id": ["SO-3", "SO-1", "SO-2"], "line_no": [1, 1, 2],
                           "unit_price": [12.5, 3.0, None]})
    out = draft_notices(alerts, lines, customers, currency="eur", orders=orders)
    # C3: 7 x 12.50 + 20 x 3.00 = 87.50 + 60.00 = 147.50; C4: its only line has no price.
    assert out["value_at_risk"].iloc[0] == pytest.approx(147.5)
    assert pd.isna(out["value_at_risk"].iloc[1])
    assert out["lines_without_price"].tolist() == [0, 1]
    assert out["currency"].tolist() == ["EUR", "EUR"]
    md = out["markdown"].iloc[0]
    assert "| Order value |" in md and "| €87.50 |" in md and "| €60.00 |" in md
    assert "Order value of the lines at risk: €147.50." in md
    c4 = out["markdown"].iloc[1]
    assert "| \u2013 |" in c4 and "Order value of the lines at risk" not in c4  # unknown: not 0
    # A customer with some priced lines is told which part the value leaves out.
    orders.loc[0, "unit_price"] = None
    part = draft_notices(alerts, lines, customers, currency="EUR", orders=orders)
    assert ("Order value of the lines at risk: €60.00 (without 1 line(s) that have no "
            "price).") in part["markdown"].iloc[0]


def test_revised_dates_agree_with_the_expedite_old_disagreement_gone():
    """The report said 'air freight arrives 2026-07-06' and 'the remainder is expected
    on 2026-07-13' for the same line (the plan's cover date). Now the expedited line
    gets the arrival date everywhere; a line outside the expedited spell keeps its
    own cover date."""
    alerts = pd.DataFrame({
        "alert_id": ["ITM-0039|2026-07-06"], "item_id": ["ITM-0039"], "alert_level": [3],
        "first_short_date": [T("2026-07-06")], "covered_by_date": [T("2026-07-13")],
        "expedite_mode": ["air freight"], "expedite_cost": [4.0],
        "expedite_arrival": [T("2026-07-06")]})
    lines = pd.DataFrame({
        "alert_id": ["ITM-0039|2026-07-06"] * 2, "item_id": ["ITM-0039"] * 2,
        "order_id": ["SO-021528", "SO-021600"], "line_no": [1, 1],
        "customer_id": ["C0026", "C0026"], "due_date": [T("2026-07-06"), T("2026-07-21")],
        "qty_short": [1.0, 3.0], "short_from": [T("2026-07-06"), T("2026-07-20")],
        "covered_by_date": [T("2026-07-13"), T("2026-07-27")]})
    one = draft_notices(alerts, lines.iloc[:1], language="en").iloc[0]
    for body in (one["markdown"], one["html"], one["text"]):
        assert "13 Jul 2026" not in body  # the old, disagreeing "remainder expected" date
    assert ("| SO-021528 | 1 | ITM-0039 | 6 Jul 2026 | 1 | 6 Jul 2026 | 6 Jul 2026 "
            "| air freight, arrives 6 Jul 2026 |") in one["markdown"]
    assert ("Item ITM-0039: supply is being expedited by air freight, expected arrival "
            "6 Jul 2026; the quantity concerned (1) will be delivered on 6 Jul 2026.") \
        in one["markdown"]
    assert "expected on" not in one["markdown"]  # no second "remainder" date

    both = draft_notices(alerts, lines, language="en").iloc[0]["markdown"]
    # The second line is short in a later spell the air freight does not close.
    assert ("| SO-021600 | 1 | ITM-0039 | 21 Jul 2026 | 3 | 20 Jul 2026 | 27 Jul 2026 "
            "| next planned supply |") in both
    assert "Item ITM-0039: the available quantity ships now; the remaining 3 is expected " \
        "on 27 Jul 2026." in both
    dates = expected_dates(alerts, lines)
    assert dates["expedited"].tolist() == [True, False]
    assert dates["expected_date"].tolist() == [T("2026-07-06"), T("2026-07-27")]


def test_customer_names_are_escaped_in_html_and_markdown():
    alerts, lines, customers = alerts_and_lines()
    out = draft_notices(alerts, lines, customers)
    row = out.loc[out["customer_id"] == "C3"].iloc[0]
    assert f"Dear {EVIL_HTML}," in row["html"]
    assert "<script>" not in row["html"]
    assert f"Dear {EVIL_MD}," in row["markdown"]
    assert "<script>" not in row["markdown"]
    # A newline in a name cannot inject a mail header or break the Markdown table.
    customers.loc[customers["customer_id"] == "C4", "customer_name"] = "Evil\r\nBcc: x@y | z"
    out = draft_notices(alerts, lines, customers, language="en")
    c4 = out.loc[out["customer_id"] == "C4"].iloc[0]
    assert "\n" not in c4["subject"] and "\r" not in c4["subject"]
    assert "Dear Evil Bcc: x@y \\| z," in c4["markdown"]
    assert "Dear Evil Bcc: x@y | z," in c4["text"]
    assert c4["text"].startswith("Subject: Potential supply risk for your orders (Evil Bcc: "
                                 "x@y | z)\n")
    # Without a customer master the id is used.
    bare = draft_notices(alerts, lines)
    assert bare["customer_name"].tolist() == ["C3", "C4"]


def test_all_clear_for_resolved_customer_facing_alerts_only():
    alerts, lines, customers = alerts_and_lines()
    status = alerts.assign(status=["resolved", "continuing", "resolved"])
    out = draft_notices(status, lines, customers, language="auto")
    # X2 (level 3) resolved -> all clear for C3, in the same notice as its continuing
    # potential risk X1; X3 (level 1) resolved -> nothing (its customer never heard of it).
    assert out[["customer_id", "notice", "alert_level"]].values.tolist() == [
        ["C3", "potential_risk", 2], ["C4", "potential_risk", 2]]
    md = out["markdown"].iloc[0]
    assert md.index("## Potential supply risk") < md.index("## Supply risk resolved")
    assert "**has been resolved**" in md
    assert "| SO-3 | 1 | X2 | 8 Jan 2025 | 7 |\n" in md
    # Only resolved alerts for a customer: an all-clear notice of the resolved level.
    only = draft_notices(status.iloc[[0]], lines, customers, language="zh").iloc[0]
    assert (only["notice"], only["alert_level"]) == ("all_clear", 3)
    assert only["subject"].startswith("供货风险已解除") and "已经解除" in only["markdown"]
    assert only["lines_without_price"] == 0  # all-clear lines are not at risk


def test_internal_memo_lists_levels_with_root_causes():
    alerts, lines, customers = alerts_and_lines()
    alerts.loc[2, "item_id"] = "X3 <b>"
    memo = draft_internal_memo(alerts, lines, supervisor="Ms Wang", planner="Mr Li",
                               max_orders=1)
    assert memo.subject == "Supply alerts as of 6 Jan 2025: 1 confirmed, 1 potential, 1 internal"
    assert "To: Ms Wang; cc: Mr Li" in memo.markdown
    assert memo.markdown.index("Level 3") < memo.markdown.index("Level 2") \
        < memo.markdown.index("Level 1")
    assert "planned receipt of 40 due in the week of 2025\\-01\\-13 is needed" \
        not in memo.markdown  # '-' is only escaped at the start of a text
    assert "planned receipt of 40 due in the week of 2025-01-13 is needed" in memo.markdown
    assert "SO-1/1 \\(+1 more\\)" in memo.markdown  # X1 has two lines, one shown
    assert "| 1,250 |" in memo.markdown
    assert "X3 &lt;b&gt;" in memo.html and "<b>" not in memo.html
    zh = draft_internal_memo(alerts.assign(status=["new", "escalated", "resolved"]), lines,
                             language="zh")
    assert zh.subject == "供货预警（2025年1月6日）：确认中断 1，潜在短缺 1，内部预警 0"
    assert "## 已解除：发送解除通知" in zh.markdown and "## 一级" not in zh.markdown
    assert zh.markdown.startswith("# 供货预警（截至 2025年1月6日）")
    empty = draft_internal_memo(alerts.iloc[:0])
    assert "No open supply alerts." in empty.markdown


def test_bad_inputs():
    alerts, lines, customers = alerts_and_lines()
    with pytest.raises(LanguageError, match="language"):
        draft_notices(alerts, lines, customers, language="fr")
    with pytest.raises(LanguageError, match="language"):
        draft_internal_memo(alerts, language="auto")
    with pytest.raises(MissingColumnsError, match="customer_id"):
        draft_notices(alerts, lines.drop(columns="customer_id"))


def test_chinese_notices_are_signed_with_the_senders_chinese_name():
    alerts, lines, customers = alerts_and_lines()
    sender = Sender("Customer Service", "service@x.example", "", name_zh="客户服务部（华东）")
    out = draft_notices(alerts, lines, customers, sender=sender, language="auto")
    en, zh = out.iloc[0], out.iloc[1]
    assert zh["language"] == "zh" and "此致\n敬礼\n客户服务部（华东）\n" in zh["text"]
    assert "Kind regards,\nCustomer Service\n" in en["text"] and "华东" not in en["text"]
    # Chinese dates in Chinese notices, English dates in English ones
    assert "2025年1月29日" in zh["text"] and "29 Jan 2025" not in zh["text"]


def test_chinese_notices_list_dates_with_the_chinese_comma():
    alerts, lines, customers = alerts_and_lines()
    # two lines of X1 for the Chinese customer, expected on two different days
    two = pd.concat([lines, lines.loc[lines["customer_id"] == "C4"].assign(
        line_no=9, due_date=pd.Timestamp("2025-01-31"))], ignore_index=True)
    zh = draft_notices(alerts, two, customers, language="zh")
    text = zh.loc[zh["customer_id"] == "C4", "text"].iloc[0]
    assert "2025年1月29日、2025年1月31日" in text and "日, 2025" not in text


def test_internal_memo_writes_kinds_and_statuses_as_words():
    alerts, lines, _ = alerts_and_lines()
    memo = draft_internal_memo(alerts.assign(status="new"), lines)
    assert "confirmed_break" not in memo.markdown and "planned_receipt_dependency" not in memo.html
    assert "| X2 | new | confirmed supply break |" in memo.markdown
    zh = draft_internal_memo(alerts.assign(status="new"), lines, language="zh")
    assert "| X2 | 新增 |" in zh.markdown
