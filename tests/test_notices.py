"""Tests for the customer notices and the internal memo (workbench.planning.notices)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import LanguageError, MissingColumnsError
from workbench.planning.notices import (
    NOTICE_COLUMNS,
    draft_internal_memo,
    draft_notices,
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


def test_notices_per_customer_with_orders_quantities_dates_in_english_and_chinese():
    alerts, lines, customers = alerts_and_lines()
    out = draft_notices(alerts, lines, customers, language="auto")
    assert list(out.columns) == list(NOTICE_COLUMNS)
    # C1 only has the internal level-1 alert: no notice. C3: the confirmed break first.
    assert out[["customer_id", "notice", "alert_level", "language"]].values.tolist() == [
        ["C3", "confirmed_break", 3, "en"], ["C3", "potential_risk", 2, "en"],
        ["C4", "potential_risk", 2, "zh"]]
    assert out["order_ids"].tolist() == ["SO-3", "SO-1", "SO-2"]
    assert out["contact_email"].tolist() == ["c3@x.example"] * 2 + ["c4@x.example"]

    brk, risk, zh = (out.iloc[i] for i in range(3))
    # Level 3: confirmed, exact quantity and dates; no cover date in the horizon.
    assert "**cannot be delivered in full on the requested date**" in brk["markdown"]
    assert "| SO-3 | 1 | X2 | 2025-01-08 | 7 | 2025-01-06 | to be confirmed |" \
        in brk["markdown"]
    assert "the remaining 7 has no confirmed date yet" in brk["markdown"]
    assert ('<td>SO-3</td><td>1</td><td>X2</td><td>2025-01-08</td>'
            '<td style="text-align:right">7</td><td>2025-01-06</td><td>to be confirmed</td>'
            in brk["html"])
    assert brk["subject"] == f"Confirmed supply shortage for your orders ({EVIL})"
    # Level 2: potential risk, countermeasure with mode and arrival.
    assert "**potential supply risk**" in risk["markdown"]
    assert "This is not a confirmed delay" in risk["markdown"]
    assert "| SO-1 | 1 | X1 | 2025-01-28 | 20 | 2025-01-27 | 2025-02-03 |" in risk["markdown"]
    assert "Item X1: supply is being expedited by air freight; expected arrival 2025-01-27." \
        in risk["markdown"]
    assert "<strong>potential supply risk</strong>" in risk["html"]
    # Chinese, for the customer whose master data says zh.
    assert zh["subject"] == "潜在供货风险提示：北方 *机械* [Ltd]"
    assert "尊敬的北方 \\*机械\\* \\[Ltd\\]：" in zh["markdown"]
    assert "**潜在供货风险**" in zh["markdown"]
    assert "| SO-2 | 2 | X1 | 2025-01-29 | 5 | 2025-01-27 | 2025-02-03 |" in zh["markdown"]
    assert "物料 X1：正在通过空运加急供货，预计到货日期 2025-01-27。" in zh["markdown"]
    assert "<td>SO-2</td><td>2</td><td>X1</td><td>2025-01-29</td>" in zh["html"]
    assert "客户服务部" in zh["markdown"] and 'lang="zh"' in zh["html"]

    # Forced languages.
    all_zh = draft_notices(alerts, lines, customers, language="zh")
    assert set(all_zh["language"]) == {"zh"}
    assert "无法在要求日期足额交货" in all_zh["markdown"].iloc[0]
    assert "| SO-3 | 1 | X2 | 2025-01-08 | 7 | 2025-01-06 | 待确认 |" \
        in all_zh["markdown"].iloc[0]
    all_en = draft_notices(alerts, lines, customers, sender="Jane <CS>")
    assert set(all_en["language"]) == {"en"}
    assert "Jane \\<CS\\>" in all_en["markdown"].iloc[2]
    assert "Jane &lt;CS&gt;" in all_en["html"].iloc[2]


def test_customer_names_are_escaped_in_html_and_markdown():
    alerts, lines, customers = alerts_and_lines()
    out = draft_notices(alerts, lines, customers)
    for row in out.loc[out["customer_id"] == "C3"].itertuples():
        assert f"Dear {EVIL_HTML}," in row.html
        assert "<script>" not in row.html
        assert f"Dear {EVIL_MD}," in row.markdown
        assert "<script>" not in row.markdown
    # A newline in a name cannot inject a mail header or break the Markdown table.
    customers.loc[customers["customer_id"] == "C4", "customer_name"] = "Evil\r\nBcc: x@y | z"
    out = draft_notices(alerts, lines, customers, language="en")
    c4 = out.loc[out["customer_id"] == "C4"].iloc[0]
    assert "\n" not in c4["subject"] and "\r" not in c4["subject"]
    assert "Dear Evil Bcc: x@y \\| z," in c4["markdown"]
    # Without a customer master the id is used.
    bare = draft_notices(alerts, lines)
    assert bare["customer_name"].tolist() == ["C3", "C3", "C4"]


def test_all_clear_for_resolved_customer_facing_alerts_only():
    alerts, lines, customers = alerts_and_lines()
    status = alerts.assign(status=["resolved", "continuing", "resolved"])
    out = draft_notices(status, lines, customers, language="auto")
    # X2 (level 3) resolved -> all clear to C3; X3 (level 1) resolved -> nothing (its
    # customer never heard of it); X1 continuing -> potential risk again.
    assert out[["customer_id", "notice", "alert_level"]].values.tolist() == [
        ["C3", "potential_risk", 2], ["C3", "all_clear", 3], ["C4", "potential_risk", 2]]
    clear = out.iloc[1]
    assert clear["subject"].startswith("All clear: supply risk resolved")
    assert "**has been resolved**" in clear["markdown"]
    assert "| SO-3 | 1 | X2 | 2025-01-08 | 7 |" in clear["markdown"]
    zh = draft_notices(status, lines, customers, language="zh").iloc[1]
    assert zh["subject"].startswith("供货风险已解除") and "已经解除" in zh["markdown"]


def test_internal_memo_lists_levels_with_root_causes():
    alerts, lines, customers = alerts_and_lines()
    alerts.loc[2, "item_id"] = "X3 <b>"
    memo = draft_internal_memo(alerts, lines, supervisor="Ms Wang", planner="Mr Li",
                               max_orders=1)
    assert memo.subject == "Supply alerts as of 2025-01-06: 1 confirmed, 1 potential, 1 internal"
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
    assert zh.subject == "供货预警（2025-01-06）：确认中断 1，潜在短缺 1，内部预警 0"
    assert "## 已解除：发送解除通知" in zh.markdown and "## 一级" not in zh.markdown
    assert zh.markdown.startswith("# 供货预警（截至 2025-01-06）")
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
