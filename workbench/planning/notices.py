"""Draft customer notices and internal memos from supply alerts.

Three-level communication (levels from :mod:`workbench.planning.alert_rules`):

* level 1 -- internal memo to the supervisor and planner with root-cause notes
  (:func:`draft_internal_memo`, which also lists levels 2-3 and resolved alerts);
* level 2 -- notice of a *potential* supply risk to each affected customer, with
  the countermeasures under way (expedite mode and expected arrival);
* level 3 -- notice of a *confirmed* supply break with exact dates and quantities;
* "all clear" -- the risk a customer was told about is resolved (alerts whose
  ``status`` is ``"resolved"`` in :meth:`workbench.planning.alertlog.AlertLog.record_run`).

Every message comes as Markdown and as HTML, in English or Chinese. Anything that
comes from data (customer names, order and item ids, expedite modes, the sender)
is HTML-escaped in the HTML version (:func:`workbench.text.escape_html`) and
backslash-escaped in the Markdown version (:func:`md_escape`); subjects are plain
text with control characters removed (no header injection).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.planning.alert_rules import AlertLevel
from workbench.text import escape_html
from workbench.validation import LANGUAGES, check_language, require_frame

__all__ = [
    "LANGUAGES",
    "NOTICE_COLUMNS",
    "Draft",
    "draft_internal_memo",
    "draft_notices",
    "md_escape",
    "plain_text",
]

NOTICE_COLUMNS: tuple[str, ...] = (
    "customer_id", "customer_name", "contact_email", "notice", "alert_level", "language",
    "alert_ids", "order_ids", "subject", "markdown", "html",
)
"""Columns of :func:`draft_notices`."""

_FROM_EVALUATE = "Build it with workbench.planning.alerts.evaluate()."
_NOTICE_ORDER = ("confirmed_break", "potential_risk", "all_clear")
_MD_ANYWHERE = re.compile(r"([\\`*_{}\[\]()<>|~&])")
_MD_LEADING = re.compile(r"^(\s*)([#+\-!=]|\d+[.)])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")

_TEXT: dict[str, dict[str, object]] = {
    "en": {
        "greeting": "Dear {name},",
        "closing": "Kind regards,\n{sender}",
        "sender": "Customer Service",
        "tbc": "to be confirmed",
        "potential_risk": {
            "subject": "Potential supply risk for your orders ({name})",
            "intro": "We would like to inform you early of a **potential supply risk** that "
                     "may affect the order lines below. This is not a confirmed delay: we "
                     "are taking countermeasures to deliver on time.",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity at risk",
                        "At risk from", "Expected delivery"],
            "measures": "Countermeasures under way:",
            "outro": "We will confirm the delivery dates as soon as the countermeasures take "
                     "effect and contact you at once if anything changes.",
        },
        "confirmed_break": {
            "subject": "Confirmed supply shortage for your orders ({name})",
            "intro": "We regret to inform you that the order lines below **cannot be "
                     "delivered in full on the requested date** (confirmed supply "
                     "shortage). The exact quantities and dates:",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity short", "Short from",
                        "Remainder expected"],
            "measures": "What we are doing:",
            "outro": "Please let us know whether you accept a partial delivery or prefer "
                     "another arrangement. We apologise for the inconvenience.",
        },
        "all_clear": {
            "subject": "All clear: supply risk resolved for your orders ({name})",
            "intro": "Good news: the supply risk we told you about for the order lines "
                     "below **has been resolved**. They will be delivered as planned.",
            "headers": ["Order", "Line", "Item", "Requested", "Quantity"],
            "outro": "Thank you for your patience.",
        },
        "expedite": "Item {item}: supply is being expedited by {mode}; expected arrival "
                    "{arrival}.",
        "follow": "Item {item}: the available quantity ships now; the remaining {qty} is "
                  "expected from {date}.",
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
        "greeting": "尊敬的{name}：",
        "closing": "此致\n敬礼\n{sender}",
        "sender": "客户服务部",
        "tbc": "待确认",
        "potential_risk": {
            "subject": "潜在供货风险提示：{name}",
            "intro": "我们提前通知您：以下订单行存在**潜在供货风险**。目前尚未确认延误，"
                     "我们正在采取应对措施，力争按时交货。",
            "headers": ["订单号", "行号", "物料", "要求日期", "风险数量", "风险起始",
                        "预计交货"],
            "measures": "正在采取的应对措施：",
            "outro": "应对措施生效后我们将尽快确认交货日期；如有变化，我们会第一时间与您联系。",
        },
        "confirmed_break": {
            "subject": "供货短缺确认通知：{name}",
            "intro": "很抱歉地通知您：以下订单行**无法在要求日期足额交货**（供货中断已确认）。"
                     "具体数量和日期如下：",
            "headers": ["订单号", "行号", "物料", "要求日期", "短缺数量", "短缺起始",
                        "余量预计交货"],
            "measures": "我们正在采取的措施：",
            "outro": "请告知您是否接受分批交货或其他安排。给您带来不便，敬请谅解。",
        },
        "all_clear": {
            "subject": "供货风险已解除：{name}",
            "intro": "好消息：我们此前通知的以下订单行的供货风险**已经解除**，将按计划交货。",
            "headers": ["订单号", "行号", "物料", "要求日期", "数量"],
            "outro": "感谢您的耐心与支持。",
        },
        "expedite": "物料 {item}：正在通过{mode}加急供货，预计到货日期 {arrival}。",
        "follow": "物料 {item}：现有数量先行发货，剩余 {qty} 预计自 {date} 起交付。",
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


def _html_template(template: str, values: Mapping[str, object]) -> str:
    trusted = _BOLD.sub(r"<strong>\1</strong>", template)
    return _fill(trusted, values, escape_html).replace("\n", "<br>\n")


def _cell(tag: str, right: bool, text: object) -> str:
    align = ' style="text-align:right"' if right else ""
    return f"<{tag}{align}>{escape_html(text)}</{tag}>"


def _html(blocks: Sequence[tuple], language: str) -> str:
    out = [f'<div class="notice" lang="{escape_html(language)}">']
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


def _date(value: object, tbc: str = "") -> str:
    if value is None or pd.isna(value):
        return tbc
    return pd.Timestamp(value).strftime("%Y-%m-%d")


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


def draft_notices(
    alerts: pd.DataFrame,
    lines: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    language: str = "en",
    sender: str | None = None,
) -> pd.DataFrame:
    """Ready-to-send notices, one per customer and notice kind.

    Parameters
    ----------
    alerts
        Alerts (:func:`workbench.planning.alerts.evaluate_alerts`), optionally with the
        ``status`` column of :meth:`workbench.planning.alertlog.AlertLog.record_run`. Level-2
        alerts give a potential-risk notice, level-3 alerts a confirmed-break notice,
        ``status == "resolved"`` an all-clear; level-1 alerts give none (they are
        internal, see :func:`draft_internal_memo`). Filter the rows first to notify
        only what changed (e.g. ``status`` new, escalated or resolved).
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
        Signature (default "Customer Service" / "客户服务部").

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NOTICE_COLUMNS`: ``customer_id``, ``customer_name``,
        ``contact_email``, ``notice`` (``confirmed_break``, ``potential_risk`` or
        ``all_clear``), ``alert_level`` (highest level covered; for an all-clear,
        the level that was resolved), ``language``, ``alert_ids`` and ``order_ids``
        (comma-separated), ``subject`` (plain text), ``markdown``, ``html``. Sorted
        by customer, then confirmed breaks, potential risks, all-clears.
    """
    lang = check_language(language, allow_auto=True)
    require_frame(alerts, "alerts", ("alert_id", "item_id", "alert_level"), hint=_FROM_EVALUATE)
    require_frame(lines, "alert_lines", ("alert_id", "order_id", "line_no", "customer_id",
                                         "qty_short", "short_from", "covered_by_date"),
                  hint=_FROM_EVALUATE)
    a = alerts.copy()
    level = a["alert_level"].to_numpy(dtype=np.int64)
    resolved = (a["status"].astype(object).to_numpy() == "resolved"
                if "status" in a.columns else np.zeros(len(a), dtype=bool))
    risk = AlertLevel.POTENTIAL_CUSTOMER_RISK
    a["notice"] = np.select(
        [resolved & (level >= risk), resolved, level >= AlertLevel.CONFIRMED_BREAK,
         level == risk],
        ["all_clear", "", "confirmed_break", "potential_risk"], default="")
    a = a.loc[a["notice"] != ""]
    if "expedite_mode" not in a.columns:
        a["expedite_mode"] = None
    if "expedite_arrival" not in a.columns:
        a["expedite_arrival"] = pd.NaT
    keep = ["alert_id", "item_id", "alert_level", "notice", "expedite_mode", "expedite_arrival"]
    ln = lines.drop(columns=[c for c in ("item_id", "alert_level") if c in lines.columns])
    merged = ln.merge(a[keep].drop_duplicates("alert_id"), on="alert_id", how="inner")
    if "due_date" not in merged.columns:
        merged["due_date"] = pd.NaT
    merged["customer_id"] = merged["customer_id"].astype(str)
    merged["rank"] = pd.Categorical(merged["notice"], categories=list(_NOTICE_ORDER))
    cust = _customer_table(customers)

    rows = []
    for (customer_id, notice), grp in merged.groupby(["customer_id", "rank"], sort=True,
                                                     observed=True):
        info = cust.loc[customer_id] if customer_id in cust.index else None
        name = _text(info["customer_name"]) if info is not None else ""
        name = name or customer_id
        email = _text(info["contact_email"]) if info is not None else ""
        language_used = _pick_language(lang, info["language"] if info is not None else None)
        subject, md, html = _render_notice(str(notice), grp, name, language_used, sender)
        rows.append({
            "customer_id": customer_id, "customer_name": name, "contact_email": email,
            "notice": str(notice), "alert_level": int(grp["alert_level"].max()),
            "language": language_used,
            "alert_ids": ", ".join(dict.fromkeys(grp["alert_id"].astype(str))),
            "order_ids": ", ".join(dict.fromkeys(grp["order_id"].astype(str))),
            "subject": subject, "markdown": md, "html": html,
        })
    out = pd.DataFrame(rows, columns=list(NOTICE_COLUMNS))
    out["alert_level"] = out["alert_level"].astype(np.int64)
    return out


def _render_notice(notice: str, grp: pd.DataFrame, name: str, language: str,
                   sender: str | None) -> tuple[str, str, str]:
    t = _TEXT[language]
    spec = t[notice]
    sender = sender if sender is not None else t["sender"]
    grp = grp.sort_values(["short_from", "order_id", "line_no"], kind="stable")
    blocks: list[tuple] = [("p", t["greeting"], {"name": name}), ("p", spec["intro"], {})]
    table_rows = []
    for r in grp.itertuples(index=False):  # one customer's lines: rendering only
        row = [_text(r.order_id), _text(r.line_no), _text(r.item_id), _date(r.due_date),
               _qty(r.qty_short)]
        if notice != "all_clear":
            row += [_date(r.short_from), _date(r.covered_by_date, t["tbc"])]
        table_rows.append(row)
    blocks.append(("table", spec["headers"], table_rows, {4}))
    if notice != "all_clear":
        measures = _countermeasures(notice, grp, t)
        blocks += [("p", spec["measures"], {}), ("ul", measures)]
    blocks.append(("p", spec["outro"], {}))
    blocks.append(("p", t["closing"], {"sender": sender}))
    subject = plain_text(spec["subject"].format(name=plain_text(name)))
    return subject, _md(blocks), _html(blocks, language)


def _countermeasures(notice: str, grp: pd.DataFrame, t: Mapping[str, object]
                     ) -> list[tuple[str, dict[str, object]]]:
    modes: Mapping[str, str] = t["modes"]  # type: ignore[assignment]
    items = grp.groupby("item_id", sort=True).agg(
        mode=("expedite_mode", "first"), arrival=("expedite_arrival", "first"),
        qty=("qty_short", "sum"), covered=("covered_by_date", "max"),
        uncovered=("covered_by_date", lambda s: bool(s.isna().any())))
    out: list[tuple[str, dict[str, object]]] = []
    for item, r in items.iterrows():  # one customer's items
        mode = _text(r["mode"])
        if mode:
            out.append((t["expedite"], {"item": item, "mode": modes.get(mode.lower(), mode),
                                        "arrival": _date(r["arrival"], t["tbc"])}))
        if notice == "confirmed_break":
            if r["uncovered"]:
                out.append((t["no_date"], {"item": item, "qty": _qty(r["qty"])}))
            else:
                out.append((t["follow"], {"item": item, "qty": _qty(r["qty"]),
                                          "date": _date(r["covered"])}))
    out.append((t["allocation"], {}))
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
    sender: str | None = None,
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
        Signature (default "Customer Service" / "客户服务部").
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
    sender = sender if sender is not None else t["sender"]
    a = alerts.reset_index(drop=True)
    status = (a["status"].astype(object).to_numpy() if "status" in a.columns
              else np.full(len(a), "", dtype=object))
    is_resolved = status == "resolved"
    level = a["alert_level"].to_numpy(dtype=np.int64)
    as_of = ""
    if "as_of" in a.columns and a["as_of"].notna().any():
        as_of = _date(pd.to_datetime(a["as_of"]).max())
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
            rows.append([_text(r["item_id"]), _text(status[pos]), _text(r.get("kind")),
                         _date(r.get("first_short_date")), _qty(r.get("max_shortage_qty")),
                         _text(r.get("affected_customers")), refs.iloc[pos],
                         _text(r.get("root_cause")), _text(r.get("recommended_action"))])
        blocks += [("h", memo["levels"][k], {}),
                   ("table", memo["headers"], rows, {4, 5})]
    blocks.append(("p", memo["closing"], {"sender": sender}))
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
