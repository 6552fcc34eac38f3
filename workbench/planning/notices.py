"""Draft customer notices and internal memos from supply alerts.

Three-level communication (levels from :mod:`workbench.planning.alert_rules`):

* level 1 -- internal memo to the supervisor and planner with root-cause notes
  (:func:`draft_internal_memo`, which also lists levels 2-3 and resolved alerts);
* level 2 -- notice of a *potential* supply risk, with the countermeasure for each
  line (expedite mode and arrival, or the next planned supply) and its date;
* level 3 -- notice of a *confirmed* supply break with exact dates and quantities;
* "all clear" -- the risk a customer was told about is resolved (alerts whose
  ``status`` is ``"resolved"`` in :meth:`workbench.planning.alertlog.AlertLog.record_run`).

:func:`draft_notices` writes **one notice per customer per run**: its kind is the
most severe one the customer has (confirmed break > potential risk > all clear)
and it holds all of that customer's affected lines, in one section per kind.

Revised dates agree with the countermeasures. A line's expected date is

* when its alert is expedited and the line falls in the shortage spell the
  expedite closes (``short_from`` before the alert's ``covered_by_date``): the date
  the expedited supply covers it, i.e. the expedite arrival, or the line's
  short-from or requested date if later (an expedite that arrives in time keeps
  the requested date);
* else the line's ``covered_by_date`` (the planned supply catches up);
* else "to be confirmed".

The table, the countermeasure column and the sentences under it all use that one
date, so a notice never gives two dates for the same line.

Every notice comes as Markdown, as an HTML fragment and as plain text (subject
first), in English or Chinese, signed with the sender's name, e-mail and phone
(:class:`workbench.io.dataset.Sender`, the dataset's ``settings.sender``). With
unit prices, the order value of the lines at risk is shown in the currency.
Anything that comes from data (customer names, order and item ids, expedite
modes, the sender) is HTML-escaped in the HTML version
(:func:`workbench.text.escape_html`), backslash-escaped in the Markdown version
(:func:`md_escape`) and stripped of control characters in the plain text and the
subject (no header injection).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.i18n import code_words, currency_prefix, fmt_date
from workbench.io.dataset import Sender
from workbench.planning.alert_rules import AlertLevel
from workbench.planning.ranking import line_values
from workbench.text import escape_html
from workbench.validation import LANGUAGES, check_language, require_frame

__all__ = [
    "LANGUAGES",
    "NOTICE_COLUMNS",
    "NOTICE_KINDS",
    "Draft",
    "draft_internal_memo",
    "draft_notices",
    "expected_dates",
    "md_escape",
    "plain_text",
]

NOTICE_COLUMNS: tuple[str, ...] = (
    "customer_id", "customer_name", "contact_email", "notice", "alert_level", "language",
    "alert_ids", "order_ids", "lines", "value_at_risk", "lines_without_price", "currency",
    "subject", "markdown", "html", "text",
)
"""Columns of :func:`draft_notices`."""

NOTICE_KINDS: tuple[str, ...] = ("confirmed_break", "potential_risk", "all_clear")
"""Notice kinds, most severe first."""

_FROM_EVALUATE = "Build it with workbench.planning.alerts.evaluate()."
_MD_ANYWHERE = re.compile(r"([\\`*_{}\[\]()<>|~&])")
_MD_LEADING = re.compile(r"^(\s*)([#+\-!=]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")

_TEXT: dict[str, dict[str, object]] = {
    "en": {
        "lang": "en",
        "greeting": "Dear {name},",
        "closing": "Kind regards,\n{sender}",
        "email": "E-mail: {email}",
        "phone": "Phone: {phone}",
        "subject_label": "Subject: ",
        "sender": "Customer Service",
        "tbc": "to be confirmed",
        "kind_names": {"confirmed_break": "Confirmed break", "potential_risk": "Potential risk",
                       "all_clear": "All clear"},
        "potential_risk": {
            "subject": "Potential supply risk for your orders ({name})",
            "heading": "Potential supply risk",
            "intro": "We would like to inform you early of a **potential supply risk** that "
                     "may affect the order lines below. This is not a confirmed delay: we "
                     "are taking countermeasures to deliver on time.",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity at risk",
                        "At risk from", "Expected delivery", "Countermeasure"],
            "measures": "Countermeasures under way:",
            "outro": "We will confirm the delivery dates as soon as the countermeasures take "
                     "effect and contact you at once if anything changes.",
        },
        "confirmed_break": {
            "subject": "Confirmed supply shortage for your orders ({name})",
            "heading": "Confirmed supply shortage",
            "intro": "We regret to inform you that the order lines below **cannot be "
                     "delivered in full on the requested date** (confirmed supply "
                     "shortage). The exact quantities and dates:",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity short", "Short from",
                        "Remainder expected", "Countermeasure"],
            "measures": "What we are doing:",
            "outro": "Please let us know whether you accept a partial delivery or prefer "
                     "another arrangement. We apologise for the inconvenience.",
        },
        "all_clear": {
            "subject": "All clear: supply risk resolved for your orders ({name})",
            "heading": "Supply risk resolved",
            "intro": "Good news: the supply risk we told you about for the order lines "
                     "below **has been resolved**. They will be delivered as planned.",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity"],
            "outro": "Thank you for your patience.",
        },
        "value_header": "Order value",
        "value": "Order value of the lines at risk: {value}.",
        "value_partial": "Order value of the lines at risk: {value} (without {n} line(s) "
                         "that have no price).",
        "cm_expedite": "{mode}, arrives {arrival}",
        "cm_plan": "next planned supply",
        "cm_tbc": "additional supply being arranged",
        "expedite": "Item {item}: supply is being expedited by {mode}, expected arrival "
                    "{arrival}; the quantity concerned ({qty}) will be delivered on {dates}.",
        "follow": "Item {item}: the available quantity ships now; the remaining {qty} is "
                  "expected on {dates}.",
        "planned": "Item {item}: the next planned supply covers the {qty} at risk; expected "
                   "delivery on {dates}.",
        "no_date": "Item {item}: the remaining {qty} has no confirmed date yet; we are "
                   "arranging additional supply and will confirm a date shortly.",
        "allocation": "We are reviewing the allocation across orders to protect your "
                      "requested dates.",
        "modes": {},
        "memo": {
            "subject": "Supply alerts as of {as_of}: {n3} confirmed, {n2} potential, "
                       "{n1} internal",
            "title": "Supply alerts as of {as_of}",
            "to": "To: {supervisor}; cc: {planner}",
            "summary": "{n3} confirmed supply break(s) (level 3), {n2} potential shortage(s) "
                       "(level 2), {n1} internal warning(s) (level 1), {nr} resolved.",
            "none": "No open supply alerts.",
            "levels": {3: "Level 3: confirmed supply breaks (notify customers with dates "
                          "and quantities)",
                       2: "Level 2: potential shortages (act now, notify customers of the "
                          "risk)",
                       1: "Level 1: internal warnings (no customer notice yet)",
                       0: "Resolved: send an all-clear"},
            "headers": ["Item", "Status", "Kind", "First short", "Max short", "Customers",
                        "Orders", "Root cause", "Action"],
            "more": "(+{n} more)",
            "closing": "{sender}",
        },
    },
    "zh": {
        "lang": "zh",
        "greeting": "尊敬的{name}：",
        "closing": "此致\n敬礼\n{sender}",
        "email": "电子邮件：{email}",
        "phone": "电话：{phone}",
        "subject_label": "主题：",
        "sender": "客户服务部",
        "tbc": "待确认",
        "kind_names": {"confirmed_break": "确认短缺", "potential_risk": "潜在风险",
                       "all_clear": "风险解除"},
        "potential_risk": {
            "subject": "潜在供货风险提示：{name}",
            "heading": "潜在供货风险",
            "intro": "我们提前通知您：以下订单行存在**潜在供货风险**。目前尚未确认延误，"
                     "我们正在采取应对措施，力争按时交货。",
            "headers": ["订单号", "行号", "物料", "要求日期", "风险数量", "风险起始",
                        "预计交货", "应对措施"],
            "measures": "正在采取的应对措施：",
            "outro": "应对措施生效后我们将尽快确认交货日期；如有变化，我们会第一时间与您联系。",
        },
        "confirmed_break": {
            "subject": "供货短缺确认通知：{name}",
            "heading": "已确认的供货短缺",
            "intro": "很抱歉地通知您：以下订单行**无法在要求日期足额交货**（供货中断已确认）。"
                     "具体数量和日期如下：",
            "headers": ["订单号", "行号", "物料", "要求日期", "短缺数量", "短缺起始",
                        "余量预计交货", "应对措施"],
            "measures": "我们正在采取的措施：",
            "outro": "请告知您是否接受分批交货或其他安排。给您带来不便，敬请谅解。",
        },
        "all_clear": {
            "subject": "供货风险已解除：{name}",
            "heading": "供货风险已解除",
            "intro": "好消息：我们此前通知的以下订单行的供货风险**已经解除**，将按计划交货。",
            "headers": ["订单号", "行号", "物料", "要求日期", "数量"],
            "outro": "感谢您的耐心与支持。",
        },
        "value_header": "订单金额",
        "value": "受影响订单行金额：{value}。",
        "value_partial": "受影响订单行金额：{value}（不含 {n} 个无单价的订单行）。",
        "cm_expedite": "{mode}，{arrival} 到货",
        "cm_plan": "下一批计划供货",
        "cm_tbc": "正在安排额外供货",
        "expedite": "物料 {item}：正在通过{mode}加急供货，预计到货日期 {arrival}；"
                    "相关数量 {qty} 预计于 {dates} 交付。",
        "follow": "物料 {item}：现有数量先行发货，剩余 {qty} 预计于 {dates} 交付。",
        "planned": "物料 {item}：下一批计划供货可覆盖风险数量 {qty}，预计于 {dates} 交货。",
        "no_date": "物料 {item}：剩余 {qty} 暂无确认日期，我们正在安排额外供货，"
                   "并将尽快确认日期。",
        "allocation": "我们正在审核各订单之间的分配，尽力保障您的要求交货日期。",
        "modes": {"standard truck": "常规卡车运输", "truck": "卡车运输",
                  "express truck": "加急卡车运输", "air freight": "空运",
                  "hand carry": "专人随身携带"},
        "memo": {
            "subject": "供货预警（{as_of}）：确认中断 {n3}，潜在短缺 {n2}，内部预警 {n1}",
            "title": "供货预警（截至 {as_of}）",
            "to": "收件人：{supervisor}；抄送：{planner}",
            "summary": "确认供货中断 {n3} 项（三级），潜在短缺 {n2} 项（二级），"
                       "内部预警 {n1} 项（一级），已解除 {nr} 项。",
            "none": "目前没有未解除的供货预警。",
            "levels": {3: "三级：确认供货中断（向客户发出含日期和数量的通知）",
                       2: "二级：潜在短缺（立即采取措施，并向客户提示风险）",
                       1: "一级：内部预警（暂不通知客户）",
                       0: "已解除：发送解除通知"},
            "headers": ["物料", "状态", "类型", "首次短缺", "最大短缺", "客户数", "订单",
                        "原因", "措施"],
            "more": "（另有 {n} 行）",
            "closing": "{sender}",
        },
    },
}




# --------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value)


def plain_text(value: object) -> str:
    """Text with control characters (newlines, tabs, ...) collapsed to one space.

    Used for subjects: a customer name with a line break cannot inject mail headers.
    """
    return _CONTROL.sub(" ", _text(value)).strip()


def md_escape(value: object) -> str:
    r"""Escape text for Markdown; line breaks become spaces.

    Escapes ``\ ` * _ { } [ ] ( ) < > | ~ &`` anywhere, and list, heading and
    numbering markers at the start.

    >>> md_escape("<script>alert(1)</script> & Co")
    '\\<script\\>alert\\(1\\)\\</script\\> \\& Co'
    """
    text = plain_text(value)
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    return _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


# --------------------------------------------------------------------------------------
# A tiny document model rendered to Markdown and HTML
# --------------------------------------------------------------------------------------
# Blocks: ("t" title | "h" heading, template, values) | ("p", template, values) | ("ul", [(template, values)])
# | ("table", headers, rows, numeric_columns). Templates are trusted text with {name}
# placeholders, **bold** and \n line breaks; values and cells are data and get escaped.


def _fill(template: str, values: Mapping[str, object], esc) -> str:
    return template.format(**{k: esc(v) for k, v in values.items()})


def _md(blocks: Sequence[tuple]) -> str:
    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("t", "h"):
            mark = "# " if kind == "t" else "## "
            out.append(mark + _fill(block[1], block[2], md_escape))
        elif kind == "p":
            out.append(_fill(block[1], block[2], md_escape).replace("\n", "  \n"))
        elif kind == "ul":
            out.append("\n".join("- " + _fill(t, v, md_escape) for t, v in block[1]))
        else:
            headers, rows, numeric = block[1], block[2], block[3]
            lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
                     "|" + "|".join("---:" if i in numeric else "---"
                                    for i in range(len(headers))) + "|"]
            lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _plain(blocks: Sequence[tuple], subject_label: str) -> str:
    """Plain text: the title after ``subject_label``, tables as ``a | b`` rows; data de-controlled."""
    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("t", "h"):
            text = _fill(_BOLD.sub(r"\1", block[1]), block[2], plain_text)
            text = subject_label + text if kind == "t" else text
            out.append(text + "\n" + ("=" if kind == "t" else "-") * min(len(text), 72))
        elif kind == "p":
            out.append(_fill(_BOLD.sub(r"\1", block[1]), block[2], plain_text))
        elif kind == "ul":
            out.append("\n".join("- " + _fill(_BOLD.sub(r"\1", t), v, plain_text)
                                 for t, v in block[1]))
        else:
            headers, rows = block[1], block[2]
            head = " | ".join(plain_text(h) for h in headers)
            lines = [head, "-" * min(len(head), 72)]
            lines += [" | ".join(plain_text(c) for c in row) for row in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _html_template(template: str, values: Mapping[str, object]) -> str:
    trusted = _BOLD.sub(r"<strong>\1</strong>", template)
    return _fill(trusted, values, escape_html).replace("\n", "<br>\n")


def _cell(tag: str, right: bool, text: object) -> str:
    align = ' style="text-align:right"' if right else ""
    return f"<{tag}{align}>{escape_html(text)}</{tag}>"


def _html(blocks: Sequence[tuple], language: str) -> str:
    out = [f'<div class="notice" lang="{escape_html(language)}" '
           'style="border-top:2px solid #888;margin:1.5em 0;padding-top:0.5em">']
    for block in blocks:
        kind = block[0]
        if kind in ("t", "h"):
            tag = "h2" if kind == "t" else "h3"
            out.append(f"<{tag}>{_html_template(block[1], block[2])}</{tag}>")
        elif kind == "p":
            out.append(f"<p>{_html_template(block[1], block[2])}</p>")
        elif kind == "ul":
            items = "".join(f"<li>{_html_template(t, v)}</li>" for t, v in block[1])
            out.append(f"<ul>{items}</ul>")
        else:
            headers, rows, numeric = block[1], block[2], block[3]

            head = "".join(_cell("th", i in numeric, h) for i, h in enumerate(headers))
            body = "".join("<tr>" + "".join(_cell("td", i in numeric, c)
                                            for i, c in enumerate(row))
                           + "</tr>" for row in rows)
            out.append('<table border="1" cellpadding="4" cellspacing="0" '
                       'style="border-collapse:collapse">'
                       f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</div>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------


def _qty(value: object) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return _text(value)
    if np.isnan(v):
        return ""
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-6 else f"{v:,.2f}"


def _date(value: object, tbc: str = "", lang: str = "en") -> str:
    """Write a date in the language's one format (``8 Jan 2025`` / ``2025年1月8日``)."""
    if value is None or pd.isna(value):
        return tbc
    return fmt_date(value, lang)


def _customer_table(customers: pd.DataFrame | None) -> pd.DataFrame:
    cols = ("customer_name", "language", "contact_email")
    if customers is None:
        return pd.DataFrame(columns=list(cols), index=pd.Index([], name="customer_id"))
    require_frame(customers, "customers", ("customer_id",))
    frame = customers.drop_duplicates("customer_id", keep="last").copy()
    for col in cols:
        if col not in frame.columns:
            frame[col] = None
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.set_index("customer_id")[list(cols)]


def _pick_language(requested: str, preferred: object) -> str:
    if requested != "auto":
        return requested
    text = _text(preferred).strip().lower()
    return "zh" if text.startswith(("zh", "cn", "chinese", "中")) else "en"


# --------------------------------------------------------------------------------------
# Customer notices
# --------------------------------------------------------------------------------------


def _dates(values: object, index: pd.Index) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values).to_numpy()), index=index).astype(
        "datetime64[ns]")


def expected_dates(alerts: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Each affected line's expected (revised) date, agreeing with its alert's countermeasure.

    Parameters
    ----------
    alerts
        Alerts with ``alert_id`` and, where known, ``expedite_mode``,
        ``expedite_arrival`` and ``covered_by_date`` (end of the shortage spell the
        expedite closes).
    lines
        Affected order lines with ``alert_id``, ``short_from``, ``covered_by_date``
        and optionally ``due_date``.

    Returns
    -------
    pandas.DataFrame
        ``lines`` (same rows) with ``expedited`` (the line's alert is expedited and
        the line is short within the spell the expedite closes), ``expedite_mode``
        and ``expedite_arrival`` (blank / NaT unless expedited) and ``expected_date``:
        when expedited, the date the expedited supply lets the line ship (the latest
        of the expedite arrival, the line's ``short_from`` and its ``due_date``: an
        expedite that arrives in time keeps the requested date), else the line's
        ``covered_by_date`` (NaT: to be confirmed).

    Examples
    --------
    >>> T = pd.Timestamp
    >>> alerts = pd.DataFrame({"alert_id": ["A"], "expedite_mode": ["air freight"],
    ...                        "expedite_arrival": [T("2026-07-06")],
    ...                        "covered_by_date": [T("2026-07-13")]})
    >>> lines = pd.DataFrame({"alert_id": ["A"], "short_from": [T("2026-07-06")],
    ...                       "covered_by_date": [T("2026-07-13")]})
    >>> expected_dates(alerts, lines)["expected_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2026-07-06']
    """
    require_frame(alerts, "alerts", ("alert_id",), hint=_FROM_EVALUATE)
    require_frame(lines, "alert_lines", ("alert_id", "short_from", "covered_by_date"),
                  hint=_FROM_EVALUATE)
    a = alerts.drop_duplicates("alert_id", keep="last")
    a = a.set_index(a["alert_id"].astype(str).to_numpy())
    ids = lines["alert_id"].astype(str).to_numpy()

    def column(name: str, empty: object) -> pd.Series:
        values = a[name] if name in a.columns else pd.Series(empty, index=a.index)
        return pd.Series(values.reindex(ids).to_numpy(), index=lines.index)

    mode = column("expedite_mode", None).astype(object)
    mode = mode.where(mode.notna(), "").astype(str).str.strip()
    arrival = _dates(column("expedite_arrival", pd.NaT), lines.index)
    spell_end = _dates(column("covered_by_date", pd.NaT), lines.index)
    short_from = _dates(lines["short_from"], lines.index)
    in_spell = spell_end.isna() | (short_from < spell_end)
    expedited = (mode != "") & arrival.notna() & in_spell
    due = (_dates(lines["due_date"], lines.index) if "due_date" in lines.columns
           else pd.Series(pd.NaT, index=lines.index, dtype="datetime64[ns]"))
    covers = pd.concat([arrival, short_from, due], axis=1).max(axis=1)
    out = lines.copy()
    out["expedited"] = expedited.to_numpy(dtype=bool)
    out["expedite_mode"] = mode.where(expedited, "").to_numpy(dtype=object)
    out["expedite_arrival"] = arrival.where(expedited).to_numpy()
    out["expected_date"] = covers.where(expedited, _dates(lines["covered_by_date"],
                                                          lines.index)).to_numpy()
    return out


def _signature(sender: Sender | str | None, t: Mapping[str, object], closing: str
               ) -> tuple[str, dict[str, object]]:
    """Return the closing template and its values: name, then e-mail and phone if given."""
    if sender is None or isinstance(sender, str):
        name, email, phone = sender or "", "", ""
    else:
        name, email, phone = (getattr(sender, k, "") for k in ("name", "email", "phone"))
        if t is _TEXT["zh"] and plain_text(getattr(sender, "name_zh", "")):
            name = sender.name_zh
    template, values = closing, {"sender": plain_text(name) or t["sender"]}
    for key, value in (("email", email), ("phone", phone)):
        if plain_text(value):
            template += "\n" + t[key]  # type: ignore[operator]
            values[key] = value
    return template, values


def _money(value: float, currency: str) -> str:
    if value is None or np.isnan(value):
        return "\u2013"
    return f"{currency_prefix(currency)}{value:,.2f}"


def _kind_of_alerts(a: pd.DataFrame) -> np.ndarray:
    level = a["alert_level"].to_numpy(dtype=np.int64)
    resolved = (a["status"].astype(object).to_numpy() == "resolved"
                if "status" in a.columns else np.zeros(len(a), dtype=bool))
    risk = AlertLevel.POTENTIAL_CUSTOMER_RISK
    return np.select(
        [resolved & (level >= risk), resolved, level >= AlertLevel.CONFIRMED_BREAK,
         level == risk],
        ["all_clear", "", "confirmed_break", "potential_risk"], default="")


def draft_notices(
    alerts: pd.DataFrame,
    lines: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    language: str = "en",
    sender: Sender | str | None = None,
    currency: str | None = None,
    orders: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ready-to-send notices: one per customer per run, all of its affected lines together.

    Parameters
    ----------
    alerts
        Alerts (:func:`workbench.planning.alerts.evaluate_alerts`), optionally with the
        ``status`` column of :meth:`workbench.planning.alertlog.AlertLog.record_run`.
        Level-2 alerts give potential-risk lines, level-3 alerts confirmed-break
        lines, ``status == "resolved"`` (levels 2-3) all-clear lines; level-1
        alerts give none (they are internal, see :func:`draft_internal_memo`).
        Filter the rows first to notify only what changed.
    lines
        Affected order lines (:func:`workbench.planning.alerts.alert_lines`; for resolved
        alerts, the lines of the run they were last open in:
        :meth:`workbench.planning.alertlog.AlertLog.resolved_lines`).
    customers
        Customer master: ``customer_name`` (else the id is used), ``language``
        (with ``language="auto"``) and ``contact_email``.
    language
        ``"en"``, ``"zh"`` or ``"auto"`` (the customer's ``language``; English when
        unknown).
    sender
        Signature: a :class:`~workbench.io.dataset.Sender` (name, e-mail and phone;
        the dataset's ``settings.sender``) or a name. Default "Customer Service" /
        "客户服务部" without contact lines.
    currency
        ISO code of the prices (the dataset's ``settings.currency``; ``""`` or
        ``None``: amounts without a currency).
    orders
        Order lines with ``unit_price``: the notices then show the order value of
        the lines at risk (``qty_short * unit_price``, lines without a price shown
        as a dash and left out of the sum, which says so).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NOTICE_COLUMNS`, one row per customer: ``customer_id``,
        ``customer_name``, ``contact_email``, ``notice`` (the most severe kind the
        customer has: ``confirmed_break`` > ``potential_risk`` > ``all_clear``),
        ``alert_level`` (highest level of its open alerts; for an all-clear only,
        the level that was resolved), ``language``, ``alert_ids`` and ``order_ids``
        (comma-separated), ``lines`` (affected lines in the notice),
        ``value_at_risk`` (order value of the open lines with a price; NaN if none
        has one), ``lines_without_price`` (open lines whose value is unknown),
        ``currency``, ``subject`` (plain text, one line), ``markdown``, ``html``
        (a fragment; :func:`workbench.reporting.notice_files.export_notices` writes
        whole pages) and ``text`` (plain text starting with the subject). Sorted by
        kind (confirmed breaks first), value at risk (largest first) and customer.
    """
    lang = check_language(language, allow_auto=True)
    require_frame(alerts, "alerts", ("alert_id", "item_id", "alert_level"), hint=_FROM_EVALUATE)
    require_frame(lines, "alert_lines", ("alert_id", "order_id", "line_no", "customer_id",
                                         "qty_short", "short_from", "covered_by_date"),
                  hint=_FROM_EVALUATE)
    cur = (currency or "").strip().upper()
    a = alerts.assign(notice=_kind_of_alerts(alerts))
    a = a.loc[a["notice"] != ""].drop_duplicates("alert_id", keep="last")
    ln = lines.drop(columns=[c for c in ("item_id", "alert_level", "notice", "expedite_mode",
                                         "expedite_arrival", "expedited", "expected_date")
                             if c in lines.columns])
    merged = ln.merge(a[["alert_id", "item_id", "alert_level", "notice"]], on="alert_id",
                      how="inner")
    merged = expected_dates(a, merged)
    priced = ("unit_price" in lines.columns
              or (orders is not None and "unit_price" in orders.columns))
    merged = line_values(merged, orders)
    is_open = (merged["notice"] != "all_clear").to_numpy()
    merged["value_at_risk"] = np.where(is_open, merged["value_at_risk"], np.nan)
    if "due_date" not in merged.columns:
        merged["due_date"] = pd.NaT
    merged["customer_id"] = merged["customer_id"].astype(str)
    merged["kind_rank"] = merged["notice"].map({k: i for i, k in enumerate(NOTICE_KINDS)})
    cust = _customer_table(customers)

    rows = []
    for customer_id, grp in merged.groupby("customer_id", sort=True):  # one per customer
        info = cust.loc[customer_id] if customer_id in cust.index else None
        name = (_text(info["customer_name"]) if info is not None else "") or customer_id
        language_used = _pick_language(lang, info["language"] if info is not None else None)
        notice = NOTICE_KINDS[int(grp["kind_rank"].min())]
        open_part = grp.loc[grp["notice"] != "all_clear"]
        levels = open_part if len(open_part) else grp
        subject, md, html, text = _render_notice(grp, notice, name, language_used, sender,
                                                 cur, priced)
        values = open_part["value_at_risk"]
        rows.append({
            "customer_id": customer_id, "customer_name": name,
            "contact_email": _text(info["contact_email"]) if info is not None else "",
            "notice": notice, "alert_level": int(levels["alert_level"].max()),
            "language": language_used,
            "alert_ids": ", ".join(dict.fromkeys(grp["alert_id"].astype(str))),
            "order_ids": ", ".join(dict.fromkeys(grp["order_id"].astype(str))),
            "lines": len(grp), "value_at_risk": values.sum(min_count=1),
            "lines_without_price": int(values.isna().sum()), "currency": cur,
            "subject": subject, "markdown": md, "html": html, "text": text,
            "_rank": int(grp["kind_rank"].min()),
        })
    out = pd.DataFrame(rows, columns=[*NOTICE_COLUMNS, "_rank"])
    out = out.sort_values(["_rank", "value_at_risk", "customer_id"],
                          ascending=[True, False, True], na_position="last", kind="stable")
    out = out.drop(columns="_rank").reset_index(drop=True)
    out["alert_level"] = out["alert_level"].astype(np.int64)
    out["lines"] = out["lines"].astype(np.int64)
    out["lines_without_price"] = out["lines_without_price"].astype(np.int64)
    out["value_at_risk"] = out["value_at_risk"].astype(np.float64)
    return out


def _render_notice(grp: pd.DataFrame, notice: str, name: str, language: str,
                   sender: Sender | str | None, currency: str, priced: bool
                   ) -> tuple[str, str, str, str]:
    """Subject, Markdown, HTML and plain text of one customer's notice."""
    t = _TEXT[language]
    subject = plain_text(t[notice]["subject"].format(name=plain_text(name)))  # type: ignore[index]
    blocks: list[tuple] = [("t", "{subject}", {"subject": subject}),
                           ("p", t["greeting"], {"name": name})]
    kinds = [k for k in NOTICE_KINDS if (grp["notice"] == k).any()]
    for kind in kinds:
        part = grp.loc[grp["notice"] == kind].sort_values(
            ["short_from", "order_id", "line_no"], kind="stable")
        blocks += _section(kind, part, t, currency, priced, heading=len(kinds) > 1)
    values = grp.loc[grp["notice"] != "all_clear", "value_at_risk"]
    if priced and values.notna().any():
        unknown = int(values.isna().sum())
        blocks.append(("p", t["value_partial"] if unknown else t["value"],
                       {"value": _money(values.sum(), currency), "n": unknown}))
    blocks.append(("p", *_signature(sender, t, t["closing"])))  # type: ignore[arg-type]
    return (subject, _md(blocks), _html(blocks, language),
            _plain(blocks, t["subject_label"]))  # type: ignore[arg-type]


def _section(kind: str, part: pd.DataFrame, t: Mapping[str, object], currency: str,
             priced: bool, *, heading: bool) -> list[tuple]:
    """Blocks of one kind's lines: heading, intro, table, countermeasures, outro."""
    spec: Mapping[str, object] = t[kind]  # type: ignore[assignment]
    modes: Mapping[str, str] = t["modes"]  # type: ignore[assignment]
    open_kind = kind != "all_clear"
    headers = list(spec["headers"])  # type: ignore[arg-type]
    if priced and open_kind:
        headers.append(t["value_header"])
    rows = []
    for r in part.itertuples(index=False):  # one customer's lines: rendering only
        row = [_text(r.order_id), _text(r.line_no), _text(r.item_id),
               _date(r.due_date, "", t["lang"]), _qty(r.qty_short)]
        if open_kind:
            if r.expedited:
                mode = modes.get(r.expedite_mode.lower(), r.expedite_mode)
                how = t["cm_expedite"].format(mode=plain_text(mode),  # type: ignore[union-attr]
                                              arrival=_date(r.expedite_arrival, "",
                                                            t["lang"]))
            else:
                how = t["cm_plan"] if pd.notna(r.expected_date) else t["cm_tbc"]
            row += [_date(r.short_from, "", t["lang"]),
                    _date(r.expected_date, t["tbc"], t["lang"]), how]
            if priced:
                row.append(_money(r.value_at_risk, currency))
        rows.append(row)
    numeric = {4} | ({len(headers) - 1} if priced and open_kind else set())
    blocks: list[tuple] = [("h", spec["heading"], {})] if heading else []
    blocks += [("p", spec["intro"], {}), ("table", headers, rows, numeric)]
    if open_kind:
        blocks += [("p", spec["measures"], {}), ("ul", _countermeasures(kind, part, t))]
    blocks.append(("p", spec["outro"], {}))
    return blocks


def _date_list(dates: pd.Series, lang: str) -> str:
    """``24 Aug 2026, 27 Aug 2026`` / ``2026年8月24日、2026年8月27日``."""
    return ("、" if lang == "zh" else ", ").join(
        _date(d, "", lang) for d in sorted(dates.dropna().unique()))


def _countermeasures(kind: str, part: pd.DataFrame, t: Mapping[str, object]
                     ) -> list[tuple[str, dict[str, object]]]:
    """One sentence per item and countermeasure, with the lines' expected dates."""
    modes: Mapping[str, str] = t["modes"]  # type: ignore[assignment]
    out: list[tuple[str, dict[str, object]]] = []
    for item, g in part.groupby("item_id", sort=True):  # one customer's items
        exp = g.loc[g["expedited"]]
        if len(exp):
            mode = str(exp["expedite_mode"].iloc[0])
            out.append((t["expedite"], {  # type: ignore[arg-type]
                "item": item, "mode": modes.get(mode.lower(), mode),
                "arrival": _date(exp["expedite_arrival"].min(), "", t["lang"]),
                "qty": _qty(exp["qty_short"].sum()),
                "dates": _date_list(exp["expected_date"], t["lang"])}))
        rest = g.loc[~g["expedited"]]
        dated = rest.loc[rest["expected_date"].notna()]
        if len(dated):
            out.append((t["follow" if kind == "confirmed_break" else "planned"], {  # type: ignore[arg-type]
                "item": item, "qty": _qty(dated["qty_short"].sum()),
                "dates": _date_list(dated["expected_date"], t["lang"])}))
        undated = rest.loc[rest["expected_date"].isna()]
        if len(undated):
            out.append((t["no_date"], {"item": item,  # type: ignore[arg-type]
                                       "qty": _qty(undated["qty_short"].sum())}))
    out.append((t["allocation"], {}))  # type: ignore[arg-type]
    return out


# --------------------------------------------------------------------------------------
# Internal memo
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """One drafted document.

    Attributes
    ----------
    subject
        Plain-text subject line.
    markdown, html
        The body in Markdown and in HTML (data escaped in both).
    language
        ``"en"`` or ``"zh"``.
    """

    subject: str
    markdown: str
    html: str
    language: str


def draft_internal_memo(
    alerts: pd.DataFrame,
    lines: pd.DataFrame | None = None,
    *,
    language: str = "en",
    supervisor: str = "Supervisor",
    planner: str = "Planner",
    sender: Sender | str | None = None,
    levels: Sequence[int] = (AlertLevel.CONFIRMED_BREAK, AlertLevel.POTENTIAL_CUSTOMER_RISK,
                             AlertLevel.INTERNAL),
    max_orders: int = 5,
) -> Draft:
    """Draft the internal memo to the supervisor and planner with root-cause notes.

    Parameters
    ----------
    alerts
        Alerts (:func:`workbench.planning.alerts.evaluate_alerts`), optionally with
        ``status`` (from the alert log; resolved alerts get their own section).
    lines
        Affected order lines, to name up to ``max_orders`` order lines per alert.
    language
        ``"en"`` or ``"zh"`` (headings and labels; root-cause and action texts are
        the English ones from the alerts).
    supervisor, planner
        Addressees.
    sender
        Signature: a :class:`~workbench.io.dataset.Sender` (name, e-mail, phone) or a
        name (default "Customer Service" / "客户服务部").
    levels
        Levels to list, in this order (level 1 = internal warnings).
    max_orders
        Order lines named per alert (the rest are counted).

    Returns
    -------
    Draft
        Subject, Markdown and HTML.
    """
    lang = check_language(language)
    require_frame(alerts, "alerts", ("alert_id", "item_id", "alert_level"), hint=_FROM_EVALUATE)
    t = _TEXT[lang]
    memo: Mapping[str, object] = t["memo"]  # type: ignore[assignment]
    a = alerts.reset_index(drop=True)
    status = (a["status"].astype(object).to_numpy() if "status" in a.columns
              else np.full(len(a), "", dtype=object))
    is_resolved = status == "resolved"
    level = a["alert_level"].to_numpy(dtype=np.int64)
    as_of = ""
    if "as_of" in a.columns and a["as_of"].notna().any():
        as_of = _date(pd.to_datetime(a["as_of"]).max(), "", lang)
    counts = {f"n{int(k)}": int(((level == k) & ~is_resolved).sum()) for k in AlertLevel}
    counts["nr"] = int(is_resolved.sum())
    values = {"as_of": as_of or "-", **counts}

    refs = _order_refs(a["alert_id"].astype(str).to_numpy(), lines, max_orders, memo["more"])

    blocks: list[tuple] = [("t", memo["title"], {"as_of": values["as_of"]}),
                           ("p", memo["to"], {"supervisor": supervisor, "planner": planner}),
                           ("p", memo["summary"], values)]
    sections = [(k, (level == k) & ~is_resolved) for k in levels]
    if is_resolved.any():
        sections.append((0, is_resolved))
    if not any(mask.any() for _, mask in sections):
        blocks.append(("p", memo["none"], {}))
    for k, mask in sections:
        idx = np.flatnonzero(mask)
        if not idx.size:
            continue
        sub = a.iloc[idx]
        rows = []
        for pos, r in zip(idx, sub.to_dict("records"), strict=True):  # one row per alert
            rows.append([_text(r["item_id"]), code_words(_text(status[pos]), lang, "status"),
                         code_words(_text(r.get("kind")), lang, "kind"),
                         _date(r.get("first_short_date"), "", lang),
                         _qty(r.get("max_shortage_qty")),
                         _text(r.get("affected_customers")), refs.iloc[pos],
                         _text(r.get("root_cause")), _text(r.get("recommended_action"))])
        blocks += [("h", memo["levels"][k], {}),
                   ("table", memo["headers"], rows, {4, 5})]
    blocks.append(("p", *_signature(sender, t, memo["closing"])))  # type: ignore[arg-type]
    subject = plain_text(memo["subject"].format(**values))
    return Draft(subject, _md(blocks), _html(blocks, lang), lang)


def _order_refs(alert_id: np.ndarray, lines: pd.DataFrame | None, max_orders: int,
                more: str) -> pd.Series:
    """``order/line, ...`` per alert (at most ``max_orders``, then ``more`` with the rest)."""
    refs = pd.Series("", index=alert_id, dtype=object)
    if lines is None or not len(lines):
        return refs
    require_frame(lines, "alert_lines", ("alert_id", "order_id", "line_no"), hint=_FROM_EVALUATE)
    ln = lines[["alert_id", "order_id", "line_no"]].astype(str)
    ln = ln.assign(ref=ln["order_id"] + "/" + ln["line_no"],
                   k=ln.groupby("alert_id", sort=False).cumcount())
    shown = ln.loc[ln["k"] < max_orders].groupby("alert_id", sort=False)["ref"].agg(", ".join)
    extra = ln.groupby("alert_id", sort=False).size() - max_orders
    extra = extra[extra > 0]
    text = shown.copy()
    if len(extra):
        suffix = pd.Series([more.format(n=k) for k in extra.to_numpy()], index=extra.index,
                           dtype=object)  # one per alert with more lines
        text.loc[extra.index] = text.loc[extra.index] + " " + suffix
    return text.reindex(refs.index).fillna("").astype(object)
