"""The delivery early-warning report, section by section, in English and Chinese.

:func:`prepare` turns one early-warning run
(:func:`workbench.planning.alerts.run_early_warning`) into everything the report
shows: the alerts ranked by tier-weighted order value at risk with the noise
controls applied (:func:`workbench.planning.ranking.rank_alerts`), the money at
stake (:func:`workbench.planning.ranking.money_at_stake`), the affected order
lines with each customer's name, service tier and value, and the customer
notices ready to send (:func:`workbench.planning.notices.draft_notices`, one per
customer per run). The section functions (:func:`money_section`,
:func:`levels_section`, :func:`ranked_section`, :func:`lines_section`,
:func:`notices_section`, :func:`proposals_section` -- the receipt that would
remove each shortage, :func:`workbench.planning.mps.propose_mps` --, ...) return the parts of a section -- Markdown text,
report tables (:func:`workbench.reporting.tables.report_table`) and figures --
in the report's language; :func:`show` displays them in a notebook.

The notices are also written as files (:func:`notices_folder`,
:func:`export`): one web page and one text file per notice and a list for the
customer-service team (:func:`workbench.reporting.notice_files.export_notices`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.i18n import code_words, fmt_date, fmt_money, fmt_num
from workbench.io.dataset import Dataset
from workbench.paths import project_path, project_root
from workbench.planning.alerts import EarlyWarning
from workbench.planning.notices import NOTICE_COLUMNS, draft_notices
from workbench.planning.ranking import (
    MoneyAtStake,
    NoiseControls,
    line_values,
    money_at_stake,
    rank_alerts,
)
from workbench.reporting.notice_files import export_notices
from workbench.reporting.pages.wording import join_words
from workbench.reporting.tables import ColumnSpec, md, report_table
from workbench.text import escape_html
from workbench.validation import check_language

__all__ = [
    "EarlyWarningPage",
    "EarlyWarningRun",
    "Part",
    "alert_texts",
    "backlog_section",
    "buffer_section",
    "buffer_table",
    "chart_parts",
    "export",
    "headline",
    "heading",
    "heatmap",
    "input_notes",
    "levels_section",
    "lines_section",
    "money_section",
    "noise_words",
    "notices_folder",
    "notices_section",
    "policy_section",
    "prepare",
    "proposals_section",
    "ranked_section",
    "resolved_section",
    "risky_items",
    "run",
    "show",
    "span_of_periods",
    "unavailable",
]

Part = object
"""One part of a section: a Markdown string, a report table or a figure."""

_MD_ESCAPE = re.compile(r"\\(.)")
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MODES_ZH = {"standard truck": "常规卡车运输", "truck": "卡车运输", "express truck": "加急卡车运输",
             "air freight": "空运", "hand carry": "专人随身携带"}
_STATUS_ORDER = ("new", "escalated", "continuing", "de-escalated", "resolved")

_T: dict[str, dict[str, str]] = {
    "en": {
        "heading": "**{name}: planning date {date}.** {items} item(s) projected over {span}.",
        "heading_none": "**{name}: planning date {date}.**",
        "weeks": "{n} weeks ({span})", "days": "{n} days ({span})", "months": "{n} months ({span})",
        "week": "{n} week ({span})", "day": "{n} day ({span})", "month": "{n} month ({span})",
        "money_scope": "Potential risks and confirmed breaks (levels 2 and 3) shown below, "
                       "planning date {date}; amounts in {currency}.",
        "money_scope_nocur": "Potential risks and confirmed breaks (levels 2 and 3) shown below, "
                             "planning date {date}; the data states no currency, so amounts have "
                             "none.",
        "money_customers": "Order value at risk per customer (largest first):",
        "policy": "What the service policy costs: {sentence}",
        "policy_none": "What the service policy costs: {why}",
        "money_total_row": "Total",
        "levels_none": "No open supply alert at the planning date {date}.",
        "levels_intro": "Open alerts at the planning date {date} by level and by how they changed "
                        "since the previous run.",
        "levels_nolog": "Open alerts at the planning date {date} by level. No alert history is "
                        "kept for this data, so every alert counts as new and none can be "
                        "reported as resolved.",
        "level_col": "Alert level", "total_col": "Total open",
        "rank_intro": "Alerts ranked by the order value they put at risk, weighted by the "
                      "customer's service tier (tier A counts 3 times, B twice, C and customers "
                      "without a tier once); alerts without a priced order line are ranked by "
                      "the quantity short after those with a value, and alerts that hit no "
                      "customer order come last.",
        "noise": "Noise controls: {rules} Held-back alerts are listed below the ranking with "
                 "the reason; confirmed breaks are always shown.",
        "noise_shortage": "an alert whose largest shortage is under {n} unit(s) is held back;",
        "noise_value": "an alert whose order value at risk is under {v} is held back;",
        "noise_value_off": "there is no minimum order value;",
        "noise_periods": "an alert short for fewer than {n} period(s) in a row is held back.",
        "noise_periods_off": "a shortage of a single period counts.",
        "held_title": "Held back by the noise controls ({n}):",
        "held_none": "No alert is held back by the noise controls.",
        "rank_none": "No alert to rank.",
        "col_rank": "Rank", "col_tier": "Highest tier", "col_held": "Why held back",
        "col_expedite": "Expedite", "col_root": "Why",
        "actions_title": "What to do about each alert, and why it was raised:",
        "col_customer_id": "Customer ID", "col_level": "Level",
        "lines_title": "Order lines that go short at the planning date {date}, with the date "
                       "supply catches up (covered by) and the order value at risk.",
        "rule_tiers": "Scarce supply goes to customers by service tier from the customer master "
                      "(A first), then by due date.",
        "rule_mixed": "Scarce supply goes to customers by service tier (A first), then by due "
                      "date: the tier from the customer master, and for the customers it gives "
                      "no tier, the tier from their share of {measure} (A: the customers that "
                      "make up most of it).",
        "rule_no_tiers": "The customer master gives no service tier, so each customer's tier "
                         "comes from its share of {measure} (A: the customers that make up most "
                         "of it), and scarce supply goes to customers by that tier (A first), "
                         "then by due date.",
        "rule_no_master": "There is no customer master, so each customer's tier comes from its "
                          "share of {measure} (A: the customers that make up most of it), and "
                          "scarce supply goes to customers by that tier (A first), then by due "
                          "date.",
        "rule_due": "No service tier decided the allocation, so scarce supply goes to the order "
                    "lines by due date (the earliest first), then by order date; a tier shown "
                    "comes from the customer's share of {measure} and ranks the alerts above "
                    "only.",
        "revenue": "revenue", "volume": "the quantity ordered",
        "lines_none": "No customer order line goes short.",
        "col_customer": "Customer",
        "notices_intro": "{n} notice(s) to send after review, one per customer, in {langs}: "
                         "{kinds}. Each is shown in full below and saved as a web page and a text "
                         "file, with a list for the customer-service team (notices.csv), in the "
                         "folder {folder}.",
        "notices_intro_nofiles": "{n} notice(s) to send after review, one per customer, in "
                                 "{langs}: {kinds}. Each is shown in full below.",
        "notices_none": "No customer notice this run: no customer order line is at risk and no "
                        "earlier risk was resolved.",
        "notices_kinds": {"confirmed_break": "{n} confirmed break(s) with exact dates",
                          "potential_risk": "{n} potential risk(s) with countermeasures and "
                                            "dates",
                          "all_clear": "{n} all-clear(s)"},
        "notices_lang": {"auto": "each customer's language", "en": "English", "zh": "Chinese"},
        "notices_sender": "Signed by {sender}.",
        "notice_head": "Notice {k} of {n} — {customer} ({kind})",
        "resolved_nolog": "Nothing can be reported as resolved: no alert history is kept for this "
                          "data, so alerts are not followed from one run to the next.",
        "resolved_none": "No alert was resolved since the previous run.",
        "resolved_intro": "{n} alert(s) open in the previous run are resolved now; the customers "
                          "concerned get an all-clear notice above.",
        "headline": "{n3} confirmed breaks, {n2} potential customer risks, {n1} internal alerts",
        "headline_none": "Early warning not available for this data",
        "period": "planning date {date}",
        "slip": "if planned receipts are {n} period(s) late",
    },
    "zh": {
        "heading": "**{name}：计划日期 {date}。** 共预测 {items} 个物料，{span}。",
        "heading_none": "**{name}：计划日期 {date}。**",
        "weeks": "{n} 周（{span}）", "days": "{n} 天（{span}）", "months": "{n} 个月（{span}）",
        "week": "{n} 周（{span}）", "day": "{n} 天（{span}）", "month": "{n} 个月（{span}）",
        "money_scope": "下方列出的潜在风险和确认断供（二级和三级），计划日期 {date}；金额单位为 {currency}。",
        "money_scope_nocur": "下方列出的潜在风险和确认断供（二级和三级），计划日期 {date}；数据未注明币种，"
                             "金额不带币种。",
        "money_customers": "各客户的风险订单金额（从大到小）：",
        "policy": "服务策略的成本：{sentence}",
        "policy_none": "服务策略的成本：{why}",
        "money_total_row": "合计",
        "levels_none": "计划日期 {date} 没有未解除的供应预警。",
        "levels_intro": "计划日期 {date} 未解除的预警，按级别及与上次运行相比的变化统计。",
        "levels_nolog": "计划日期 {date} 未解除的预警，按级别统计。本数据未保存预警历史，"
                        "因此每条预警都计为新增，也无法报告已解除的预警。",
        "level_col": "预警级别", "total_col": "未解除合计",
        "rank_intro": "预警按其影响的订单金额排序，并按客户服务等级加权（A 级计 3 倍，B 级 2 倍，"
                      "C 级及无等级客户 1 倍）；没有单价的订单行按缺货数量排在有金额的预警之后，"
                      "不影响客户订单的预警排在最后。",
        "noise": "降噪规则：{rules}被暂缓的预警列在排序表下方并注明原因；确认断供始终显示。",
        "noise_shortage": "最大缺货量不足 {n} 件的预警暂缓显示；",
        "noise_value": "风险订单金额低于 {v} 的预警暂缓显示；",
        "noise_value_off": "不设最低订单金额；",
        "noise_periods": "连续缺货少于 {n} 期的预警暂缓显示。",
        "noise_periods_off": "仅缺货一期也计入。",
        "held_title": "被降噪规则暂缓的预警（{n} 条）：",
        "held_none": "没有预警被降噪规则暂缓。",
        "rank_none": "没有需要排序的预警。",
        "col_rank": "排名", "col_tier": "客户等级", "col_held": "暂缓原因",
        "col_expedite": "加急方式", "col_root": "原因",
        "actions_title": "各预警的应对措施及触发原因：",
        "col_customer_id": "客户编号", "col_level": "级别",
        "lines_title": "计划日期 {date} 将出现缺货的订单行，以及供应补足的日期和风险订单金额。",
        "rule_tiers": "短缺的供应按客户主数据中的服务等级分配（A 级优先），其次按到期日。",
        "rule_mixed": "短缺的供应按客户服务等级分配（A 级优先），其次按到期日：等级取自客户主数据，"
                      "主数据未提供等级的客户按其{measure}占比得出等级（A：贡献大部分的客户）。",
        "rule_no_tiers": "客户主数据未提供服务等级，因此各客户的等级按其{measure}占比得出"
                         "（A：贡献大部分的客户），短缺的供应按该等级分配（A 级优先），其次按到期日。",
        "rule_no_master": "没有客户主数据，因此各客户的等级按其{measure}占比得出（A：贡献大部分的客户），"
                          "短缺的供应按该等级分配（A 级优先），其次按到期日。",
        "rule_due": "分配未使用服务等级，因此短缺的供应按订单行到期日（最早优先）、其次按下单日期分配；"
                    "表中的等级按客户{measure}占比得出，仅用于上方的预警排序。",
        "revenue": "收入", "volume": "订购数量",
        "lines_none": "没有客户订单行缺货。",
        "col_customer": "客户",
        "notices_intro": "共 {n} 份通知待审核后发送，每位客户一份，使用{langs}：{kinds}。每份通知的全文见下方，"
                         "并已保存为网页和文本文件，另附供客服团队使用的清单（notices.csv），"
                         "保存位置：{folder}。",
        "notices_intro_nofiles": "共 {n} 份通知待审核后发送，每位客户一份，使用{langs}：{kinds}。"
                                 "每份通知的全文见下方。",
        "notices_none": "本次没有客户通知：没有客户订单行面临风险，也没有此前的风险被解除。",
        "notices_kinds": {"confirmed_break": "确认断供 {n} 份（含确切日期）",
                          "potential_risk": "潜在风险 {n} 份（含应对措施和日期）",
                          "all_clear": "风险解除 {n} 份"},
        "notices_lang": {"auto": "各客户的语言", "en": "英文", "zh": "中文"},
        "notices_sender": "署名：{sender}。",
        "notice_head": "通知 {k}/{n}：{customer}（{kind}）",
        "resolved_nolog": "无法报告已解除的预警：本数据未保存预警历史，因此不能逐次跟踪预警。",
        "resolved_none": "自上次运行以来没有预警被解除。",
        "resolved_intro": "上次运行时未解除的 {n} 条预警现已解除；相关客户将收到上方的风险解除通知。",
        "headline": "确认断供 {n3} 项，潜在客户风险 {n2} 项，内部预警 {n1} 项",
        "headline_none": "本数据无法生成交付预警",
        "period": "计划日期 {date}",
        "slip": "（计划到货延迟 {n} 期时）",
    },
}


@dataclass(frozen=True)
class EarlyWarningPage:
    """Everything the early-warning report shows, computed once.

    Attributes
    ----------
    ew
        The early-warning run.
    status
        Open alerts with ``status`` (and, with an alert history, the resolved ones).
    ranked
        Open alerts ranked (:func:`workbench.planning.ranking.rank_alerts`; held-back ones last).
    lines
        Affected order lines with ``customer_name``, ``tier`` (the master's, else the
        service tier from the customer's share of the value) and ``value_at_risk``.
    money
        Money at stake of the shown alerts of levels 2 and 3.
    notices
        Notices ready to send (:func:`workbench.planning.notices.draft_notices`).
    controls
        The noise controls applied.
    currency
        The dataset's currency (``""``: none stated).
    has_log
        Whether alerts are followed between runs (an alert history is kept).
    tier_rule
        Which tiers ranked scarce supply in the allocation: ``"master"`` (the customer
        master's), ``"mixed"`` (the master's, and the computed value tiers for the
        customers it gives none), ``"derived"`` (a master without tiers: the computed
        value tiers), ``"none"`` (no customer master: the computed value tiers) or
        ``"due_date"`` (no tier: by due date).
    measure
        ``"revenue"`` or ``"volume"``: what the derived tiers are based on.
    notice_language
        ``"auto"``, ``"en"`` or ``"zh"``.
    sender
        Who signs the notices (name, e-mail, phone), from the dataset's settings.
    """

    ew: EarlyWarning
    status: pd.DataFrame
    ranked: pd.DataFrame
    lines: pd.DataFrame
    money: MoneyAtStake
    notices: pd.DataFrame
    controls: NoiseControls
    currency: str
    has_log: bool
    tier_rule: str
    measure: str
    notice_language: str
    sender: str = ""


def _sender_text(ds: Dataset) -> str:
    snd = ds.settings.sender
    if snd is None:
        return ""
    if isinstance(snd, str):
        return snd.strip()
    bits = [str(b).strip() for b in (snd.name, snd.email, snd.phone) if b and str(b).strip()]
    return ", ".join(bits)


def _names(ds: Dataset) -> pd.Series:
    cust = ds.customers
    if cust is None or "customer_name" not in cust.columns:
        return pd.Series(dtype=object)
    master = cust.drop_duplicates("customer_id", keep="last")
    return pd.Series(master["customer_name"].astype(object).to_numpy(),
                     index=master["customer_id"].astype(str).to_numpy())


def _tier_rule(ds: Dataset, ew: EarlyWarning) -> str:
    """Say which tiers ranked the allocation of ``ew`` (see :attr:`EarlyWarningPage.tier_rule`)."""
    used = getattr(ew, "tiers", None)
    if used is None or not len(used):
        return "due_date"
    source = set(used["tier_source"].astype(str))
    if source == {"master"}:
        return "master"
    if "master" in source:
        return "mixed"
    return "none" if ds.customers is None else "derived"


def prepare(ds: Dataset, ew: EarlyWarning, *, status: pd.DataFrame | None = None,
            resolved_lines: pd.DataFrame | None = None, tiers: pd.DataFrame | None = None,
            controls: NoiseControls | None = None, notice_language: str = "auto",
            measure: str = "revenue", lang: str = "en") -> EarlyWarningPage:
    """Rank the alerts, value them, and draft the notices of one early-warning run.

    Parameters
    ----------
    ds
        The dataset (order lines with ``unit_price`` for values, customer master,
        ``settings.currency`` and ``settings.sender``).
    ew
        :func:`workbench.planning.alerts.run_early_warning` output.
    status
        :meth:`workbench.planning.alertlog.AlertLog.record_run` output (open alerts with
        ``status`` plus resolved ones); ``None``: no alert history, every alert is new.
    resolved_lines
        Order lines of the resolved alerts
        (:meth:`~workbench.planning.alertlog.AlertLog.resolved_lines`) for the all-clear
        notices.
    tiers
        ``customer_id`` and ``tier`` per customer (:func:`workbench.customers.customer_tiers`'
        ``tiers``): the tier shown and used to rank where the customer master has none.
    controls
        Noise controls (default :class:`~workbench.planning.ranking.NoiseControls`).
    notice_language
        Language of the notices: ``"auto"`` (each customer's), ``"en"`` or ``"zh"``.
    measure
        ``"revenue"`` or ``"volume"``: what ``tiers`` were computed from.
    lang
        Language of the held-back reasons.

    Returns
    -------
    EarlyWarningPage
    """
    check_language(lang)
    check_language(notice_language, allow_auto=True, key="notice_language")
    currency = (ds.settings.currency or "").strip().upper()
    ctl = controls if controls is not None else NoiseControls()
    has_log = status is not None
    if status is None:
        status = ew.alerts.assign(status="new")
    open_alerts = status.loc[status["status"] != "resolved"]
    resolved = status.loc[status["status"] == "resolved"]

    names = _names(ds)
    lines = line_values(ew.lines, ds.orders)
    cid = lines["customer_id"].astype(str)
    found = names.reindex(cid.to_numpy()).to_numpy(dtype=object)
    lines.insert(lines.columns.get_loc("customer_id") + 1, "customer_name",
                 np.where(pd.isna(found), cid.to_numpy(), found))
    master_tier = lines["tier"].astype(object) if "tier" in lines.columns else None
    tier_frame = None
    if tiers is not None and len(tiers):
        table = tiers.drop_duplicates("customer_id").set_index(
            tiers.drop_duplicates("customer_id")["customer_id"].astype(str))["tier"]
        derived = table.reindex(cid.to_numpy()).to_numpy(dtype=object)
        keep = master_tier.to_numpy(dtype=object) if master_tier is not None else derived
        lines["tier"] = np.where(pd.isna(keep) | (pd.Series(keep).astype(str).str.strip()
                                                  .isin(["", "nan", "None"]).to_numpy()),
                                 derived, keep)
        tier_frame = pd.DataFrame({"customer_id": cid.to_numpy(), "tier": lines["tier"]})
        tier_frame = tier_frame.drop_duplicates("customer_id")

    ranked = rank_alerts(open_alerts, ew.lines, ds.orders, tier_frame, controls=ctl,
                         period_starts=ew.inputs.period_start, currency=currency,
                         language=lang)
    shown = ranked.loc[ranked["held_back"] == ""]
    money = money_at_stake(shown, ew.lines, ds.orders, ds.customers, currency=currency)

    to_notify = pd.concat([shown, resolved], ignore_index=True) if len(resolved) else shown
    notify_lines = ew.lines
    if resolved_lines is not None and len(resolved_lines):
        notify_lines = pd.concat([ew.lines, resolved_lines], ignore_index=True)
    if len(to_notify):
        drafts = draft_notices(to_notify, notify_lines, ds.customers, language=notice_language,
                               sender=ds.settings.sender, currency=currency, orders=ds.orders)
    else:
        drafts = pd.DataFrame(columns=list(NOTICE_COLUMNS))
    return EarlyWarningPage(ew=ew, status=status, ranked=ranked, lines=lines, money=money,
                            notices=drafts.reset_index(drop=True), controls=ctl,
                            currency=currency, has_log=has_log, tier_rule=_tier_rule(ds, ew),
                            measure=measure, notice_language=notice_language,
                            sender=_sender_text(ds))


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def show(parts: Sequence[Part]) -> None:
    """Display the parts of a section in a notebook (text as Markdown, the rest as is).

    Text is shown as Markdown, with a plain-text copy (escapes removed) for
    readers of the notebook file that do not render Markdown.
    """
    from IPython.display import display

    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            plain = _MD_ESCAPE.sub(r"\1", part)
            display({"text/markdown": part, "text/plain": plain}, raw=True)
        else:
            display(part)


def alert_texts(text: object, lang: str = "en") -> str:
    """Write the dates in an alert's explanation the report's way (``2026-07-20`` -> ``20 Jul 2026``).

    Examples
    --------
    >>> alert_texts("short in the week of 2026-07-20")
    'short in the week of 20 Jul 2026'
    >>> alert_texts("2026-07-20 当周", "zh")
    '2026年7月20日 当周'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return _ISO_DAY.sub(lambda m: fmt_date(pd.Timestamp(m.group(0)), lang), str(text))


def span_of_periods(starts: Sequence[object], freq: str, lang: str = "en") -> str:
    """Say how many periods a projection covers and which: ``13 weeks (29 Jun – 21 Sep 2026)``.

    Examples
    --------
    >>> span_of_periods(pd.date_range("2026-06-29", periods=3, freq="7D"), "W")
    '3 weeks (29 Jun 2026 – 19 Jul 2026)'
    >>> span_of_periods(pd.date_range("2026-06-29", periods=3, freq="7D"), "W", "zh")
    '3 周（2026年6月29日–2026年7月19日）'
    """
    t = _T[check_language(lang)]
    idx = pd.DatetimeIndex(pd.to_datetime(list(starts)))
    n = len(idx)
    if n == 0:
        return ""
    code = str(freq or "W").upper()[:1]
    step = {"W": pd.Timedelta(days=6), "D": pd.Timedelta(0)}.get(code)
    last = idx.max() + step if step is not None else idx.max() + pd.offsets.MonthEnd(0)
    sep = " – " if lang == "en" else "–"
    span = f"{fmt_date(idx.min(), lang)}{sep}{fmt_date(last, lang)}"
    key = {"W": "weeks", "D": "days"}.get(code, "months")
    return t[key[:-1] if n == 1 else key].format(n=n, span=span)


def heading(ds: Dataset, page: EarlyWarningPage | None, as_of: object, freq: str = "W",
            lang: str = "en") -> str:
    """Write the first line: dataset, planning date, items and the periods projected."""
    t = _T[check_language(lang)]
    date = fmt_date(as_of, lang)
    if page is None:
        return t["heading_none"].format(name=md(ds.name), date=date)
    items = len(pd.unique(page.ew.inputs.item_id))
    return t["heading"].format(name=md(ds.name), date=date, items=fmt_num(items),
                               span=span_of_periods(page.ew.inputs.period_start, freq, lang))


def headline(page: EarlyWarningPage | None, lang: str = "en") -> tuple[str, str | None]:
    """Return the run index's headline and period: counts of open alerts by level."""
    t = _T[check_language(lang)]
    if page is None:
        return t["headline_none"], None
    level = page.ew.alerts["alert_level"].to_numpy()
    return (t["headline"].format(n3=int((level == 3).sum()), n2=int((level == 2).sum()),
                                 n1=int((level == 1).sum())),
            t["period"].format(date=fmt_date(page.ew.as_of, lang)))


def noise_words(controls: NoiseControls, currency: str = "", lang: str = "en") -> str:
    """Write the noise controls in words, as the report states them.

    Examples
    --------
    >>> noise_words(NoiseControls())  # doctest: +NORMALIZE_WHITESPACE
    'Noise controls: an alert whose largest shortage is under 1 unit(s) is held back; there is
     no minimum order value; a shortage of a single period counts. Held-back alerts are listed
     below the ranking with the reason; confirmed breaks are always shown.'
    """
    t = _T[check_language(lang)]
    rules = [t["noise_shortage"].format(n=f"{controls.min_shortage:g}"),
             t["noise_value"].format(v=fmt_money(controls.min_value, lang, currency))
             if controls.min_value > 0 else t["noise_value_off"],
             t["noise_periods"].format(n=controls.min_periods) if controls.min_periods > 1
             else t["noise_periods_off"]]
    return t["noise"].format(rules=(" " if lang == "en" else "").join(rules))


def _mode(value: object, lang: str) -> str:
    text = "" if value is None or pd.isna(value) else str(value).strip()
    return _MODES_ZH.get(text.lower(), text) if lang == "zh" else text


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def money_section(page: EarlyWarningPage, lang: str = "en", *, max_rows: int = 20) -> list[Part]:
    """Money at stake: order value at risk in total and per customer, expedite cost in total.

    The value and cost per alert are in the ranking (:func:`ranked_section`).
    """
    t = _T[check_language(lang)]
    m = page.money
    date = fmt_date(page.ew.as_of, lang)
    scope = (t["money_scope"].format(date=date, currency=page.currency) if page.currency
             else t["money_scope_nocur"].format(date=date))
    parts: list[Part] = [f"*{scope}*",
                         "\n".join(f"* {md(s)}" for s in m.sentences(lang))]
    by = m.by_customer
    if len(by):
        tiers = (page.lines.drop_duplicates("customer_id").set_index(
            page.lines.drop_duplicates("customer_id")["customer_id"].astype(str))["tier"])
        frame = by.assign(tier=tiers.reindex(by["customer_id"].astype(str).to_numpy())
                          .to_numpy(dtype=object))
        total = pd.DataFrame({"customer_name": [t["money_total_row"]], "customer_id": [None],
                              "tier": [None], "alerts": [int(frame["alerts"].sum())],
                              "lines": [int(frame["lines"].sum())],
                              "value_at_risk": [m.total_value_at_risk]})
        frame = pd.concat([frame.head(max_rows), total], ignore_index=True)
        parts.append(t["money_customers"])
        parts.append(report_table(
            frame, {"customer_name": ColumnSpec(label=t["col_customer"]),
            "customer_id": ColumnSpec(label=t["col_customer_id"], kind="id"),
                    "tier": None, "alerts": ColumnSpec(label="Alerts" if lang == "en" else "预警数",
                                                        kind="integer"),
                    "lines": None, "value_at_risk": None},
            lang=lang, currency=page.currency, filter=False, total_rows=1))
        if len(by) > max_rows:
            parts.append(f"*{fmt_num(len(by) - max_rows)} more customer(s) in the total.*"
                         if lang == "en" else f"*另有 {len(by) - max_rows} 家客户计入合计。*")
    return parts


def policy_section(ds: Dataset, lang: str = "en", *, holding_rate: float = 0.25,
                   shortage_cost_pct: float = 0.3) -> list[Part]:
    """Say what the service policy behind the plan costs a year, as the manager summary does.

    What the item master's safety stocks cost a year (holding plus shortages) and what
    the cost-optimal service level would cost
    (:func:`workbench.reporting.summary.service_policy_cost`), in one sentence with the
    dataset's currency; without item costs or safety stocks, what is missing.
    """
    from workbench.customers import customer_tiers
    from workbench.reporting import availability, summary

    t = _T[check_language(lang)]
    why = availability.not_available_note("policy_cost", ds, lang)
    if why is not None:
        return [f"*{md(t['policy_none'].format(why=why))}*"]
    tiers = customer_tiers(ds.orders, ds.customers, availability.targets_for(ds).source,
                           measure=availability.value_measure(ds)).tiers
    policy = summary.service_policy_cost(ds, tiers, holding_rate=holding_rate,
                                         shortage_cost_pct=shortage_cost_pct)
    sentence = summary.policy_sentence(policy, lang, ds.settings.currency)
    return [md(t["policy"].format(sentence=sentence))]


def levels_section(page: EarlyWarningPage, lang: str = "en") -> list[Part]:
    """Alerts by level (rows) and by change since the previous run (columns), as a table."""
    t = _T[check_language(lang)]
    date = fmt_date(page.ew.as_of, lang)
    st = page.status
    if not len(st):
        return [t["levels_none"].format(date=date)]
    counts = pd.crosstab(st["alert_level"].astype(int), st["status"].astype(str))
    statuses = [s for s in _STATUS_ORDER if s in counts.columns] + sorted(
        c for c in counts.columns if c not in _STATUS_ORDER)
    counts = counts.reindex(index=[3, 2, 1], columns=statuses, fill_value=0).fillna(0)
    counts = counts.loc[counts.sum(axis=1) > 0]
    table = pd.DataFrame({"level": [code_words(int(v), lang, "alert_level") for v in counts.index]})
    specs: dict[object, object] = {"level": ColumnSpec(label=t["level_col"], kind="text")}
    for s in statuses:
        table[s] = counts[s].to_numpy(dtype=np.int64)
        specs[s] = ColumnSpec(label=code_words(s, lang, "status").capitalize(), kind="integer")
    open_cols = [s for s in statuses if s != "resolved"]
    table["total_open"] = table[open_cols].sum(axis=1) if open_cols else 0
    specs["total_open"] = ColumnSpec(label=t["total_col"], kind="integer")
    intro = (t["levels_intro"] if page.has_log else t["levels_nolog"]).format(date=date)
    return [intro, report_table(table, specs, lang=lang, filter=False, sortable=False)]


def ranked_section(page: EarlyWarningPage, lang: str = "en", *,
                   max_rows: int | None = None) -> list[Part]:
    """Alerts ranked by tier-weighted value at risk, the noise controls in words, held-back alerts."""
    t = _T[check_language(lang)]
    r = page.ranked
    if not len(r):
        return [t["rank_none"]]
    shown = r.loc[r["held_back"] == ""].copy()
    held = r.loc[r["held_back"] != ""].copy()
    for frame in (shown, held):
        frame["expedite_mode"] = [_mode(v, lang) for v in frame.get("expedite_mode",
                                                                      [None] * len(frame))]
        frame["expedite_cost"] = np.where(frame["expedite_mode"] != "",
                                          pd.to_numeric(frame.get("expedite_cost"),
                                                        errors="coerce"), np.nan)
        for col in ("root_cause", "recommended_action"):
            if col in frame.columns:
                frame[col] = [alert_texts(v, lang) for v in frame[col]]
    rank = ColumnSpec(label=t["col_rank"], kind="integer")
    cols: dict[object, object] = {
        "rank": rank, "alert_level": ColumnSpec(label=t["col_level"], kind="integer"),
        "status": None, "item_id": None, "kind": None,
        "first_short_date": None, "max_shortage_qty": None,
        "tier": ColumnSpec(label=t["col_tier"], kind="code"), "value_at_risk": None,
        "expedite_mode": ColumnSpec(label=t["col_expedite"]), "expedite_cost": None}
    if not page.has_log:
        cols.pop("status")
    cols = {k: v for k, v in cols.items() if k in r.columns}
    parts: list[Part] = [t["rank_intro"], noise_words(page.controls, page.currency, lang)]
    if len(shown):
        parts.append(report_table(shown, cols, lang=lang, currency=page.currency,
                                  max_rows=max_rows))
        why = {k: v for k, v in {"rank": rank, "item_id": None, "recommended_action": None,
                                 "root_cause": ColumnSpec(label=t["col_root"])}.items()
               if k in r.columns}
        if len(why) > 2:
            parts.append(t["actions_title"])
            parts.append(report_table(shown, why, lang=lang, currency=page.currency,
                                      max_rows=max_rows))
    if len(held):
        parts.append(t["held_title"].format(n=len(held)))
        hcols = {"item_id": None, "alert_level": None, "kind": None, "first_short_date": None,
                 "max_shortage_qty": None, "held_back": ColumnSpec(label=t["col_held"])}
        parts.append(report_table(held, hcols, lang=lang, currency=page.currency))
    else:
        parts.append(t["held_none"])
    return parts


_PROPOSAL_T = {
    "en": {
        "intro": "The receipt that would remove the shortage of each potential risk and "
                 "confirmed break (levels 2 and 3) ranked above, planning date {date}, over "
                 "{span}.",
        "rule": "Rule used: lot for lot (each receipt is exactly the quantity short), keeping "
                "the projected stock at or above zero; existing firm and planned receipts stay "
                "on their dates. {frozen} No supplier lead time is counted, so an order is "
                "released in the period its receipt must arrive.",
        "frozen": "The first {span} frozen: no new receipt can be placed there, and a "
                  "shortage there ends with the earliest receipt after them.",
        "frozen_none": "No period is frozen: a receipt can be placed from the first period on.",
        "none": "No potential risk or confirmed break at the planning date {date}: no receipt "
                "needs to be proposed.",
        "covered": "The projected stock stays at or above zero with the receipts already "
                   "planned; no new receipt is needed.",
        "col": "Proposed receipt",
        "existing": "No new receipt is needed: the receipts already due end this shortage {when}; "
                    "before then no new receipt can be placed (frozen period).",
        "W": "in the week of {d}", "D": "on {d}", "M": "in {m}",
    },
    "zh": {
        "intro": "上方排序中每个潜在风险和确认断供（二级和三级）消除缺货所需的到货，计划日期 {date}，"
                 "{span}。",
        "rule": "所用规则：按需批量（每次到货恰好等于缺货量），使预计库存保持在零或以上；"
                "已有的确认到货和计划到货保持原日期。{frozen}未计供应商提前期，因此订单在到货所需的同一期间下达。",
        "frozen": "前 {span}为冻结期：其间不能安排新的到货，其间的缺货由冻结期后最早的到货结束。",
        "frozen_none": "没有冻结期：从第一期起即可安排到货。",
        "none": "计划日期 {date} 没有潜在风险或确认断供：无需提出补货建议。",
        "covered": "按已计划的到货，预计库存保持在零或以上，无需新的到货。",
        "col": "建议补货",
        "existing": "无需新的到货：已有的到货在{when}结束此缺货；在此之前无法安排新的到货（冻结期）。",
        "W": "{d}当周", "D": "{d}", "M": "{m}",
    },
}


def _proposal_texts(result: object, said: pd.DataFrame, t: dict[str, str],
                    lang: str) -> pd.Series:
    """Return the sentence per short item; where existing receipts alone end it, say so."""
    inp = result.inputs
    text = said["text"].to_numpy(dtype=object).copy()
    rows = inp.item_id.get_indexer(said["item_id"].to_numpy())
    cols = np.arange(inp.n_periods)[None, :]
    ok = (result.pab[rows] >= -1e-9) & (cols >= said["first_shortage_period"].to_numpy()[:, None])
    ends = ok.any(axis=1) & said["mps_qty"].isna().to_numpy()
    for k in np.flatnonzero(ends):  # a handful of items
        day = pd.Timestamp(inp.period_start[int(ok[k].argmax())])
        month = f"{day:%b %Y}" if lang == "en" else f"{day.year}年{day.month}月"
        when = t.get(str(inp.freq).upper()[:1], t["M"]).format(d=fmt_date(day, lang), m=month)
        text[k] = t["existing"].format(when=when)
    return pd.Series(text, index=said["item_id"].to_numpy())


def proposals_section(page: EarlyWarningPage, lang: str = "en", *, frozen_periods: int = 2,
                      demand_time_fence: int = 2, max_rows: int | None = None) -> list[Part]:
    """Show the receipt that would remove each shortage of the alerts of levels 2 and 3.

    The receipts are :func:`workbench.planning.mps.propose_mps` of the run's inputs
    (lot for lot, projected stock kept at or above zero, existing receipts kept, no
    new receipt inside the ``frozen_periods``, the report's ``demand_time_fence``),
    each worded by :func:`workbench.planning.mps.explain_shortages`. One row per
    item, in the order of the ranking (shown alerts only), with the item's highest
    level; then the rule used in one sentence.
    """
    from workbench.planning.mps import explain_shortages, propose_mps

    t = _PROPOSAL_T[check_language(lang)]
    date = fmt_date(page.ew.as_of, lang)
    r = page.ranked
    if len(r):
        r = r.loc[(r["held_back"] == "") & r["alert_level"].isin([2, 3])]
    if not len(r):
        return [t["none"].format(date=date)]
    inp = page.ew.inputs
    result = propose_mps(inp, target="zero", frozen_periods=frozen_periods,
                         demand_time_fence=demand_time_fence)
    said = _proposal_texts(result, explain_shortages(result, lang=lang), t, lang)
    items = r["item_id"].astype(str)
    level = r.groupby(items.to_numpy(), sort=False)["alert_level"].max()
    frame = pd.DataFrame({"item_id": level.index, "alert_level": level.to_numpy()})
    text = said.reindex(frame["item_id"].to_numpy()).to_numpy(dtype=object)
    frame["proposal"] = np.where(pd.isna(text), t["covered"], text)
    freq = str(inp.freq or "W").upper()[:1]
    n = min(max(int(frozen_periods), 0), inp.n_periods)
    frozen = (t["frozen"].format(span=span_of_periods(inp.period_start[:n], freq, lang)
                                 + ("" if lang == "zh" else " is" if n == 1 else " are"))
              if n else t["frozen_none"])
    table = report_table(frame, {"item_id": None, "alert_level": None,
                                 "proposal": ColumnSpec(label=t["col"], kind="text")},
                         lang=lang, currency=page.currency, max_rows=max_rows, filter=False)
    return [t["intro"].format(date=date, span=span_of_periods(inp.period_start, freq, lang)),
            table, t["rule"].format(frozen=frozen)]


def risky_items(page: EarlyWarningPage, top: int) -> list[str]:
    """Return the items of the ``top`` highest-ranked shown alerts (each item once)."""
    r = page.ranked.loc[page.ranked["held_back"] == ""]
    return list(dict.fromkeys(r["item_id"].astype(str)))[:max(int(top), 0)]


def chart_parts(page: EarlyWarningPage, top: int, slip_periods: int,
                lang: str = "en") -> list[Part]:
    """One PAB chart per riskiest item (in the report's language)."""
    from workbench.reporting import charts

    t = _T[check_language(lang)]
    label = t["slip"].format(n=slip_periods)
    return [charts.pab_chart(page.ew.result.long, item, stressed=page.ew.stressed.long,
                             stressed_label=label, lang=lang)
            for item in risky_items(page, top)]


def lines_section(page: EarlyWarningPage, lang: str = "en", *,
                  max_rows: int | None = None) -> list[Part]:
    """Show the customer order lines hit: customer, tier, order, dates, quantities, value; the allocation rule."""
    t = _T[check_language(lang)]
    ln = page.lines
    if not len(ln):
        return [t["lines_none"]]
    measure = t["revenue"] if page.measure == "revenue" else t["volume"]
    rule = {"master": t["rule_tiers"], "mixed": t["rule_mixed"], "derived": t["rule_no_tiers"],
            "none": t["rule_no_master"], "due_date": t["rule_due"]}[page.tier_rule].format(
        measure=measure)
    frame = ln.sort_values(["alert_level", "short_from", "customer_id"],
                           ascending=[False, True, True], kind="stable")
    cols = {"alert_level": None, "customer_name": ColumnSpec(label=t["col_customer"]),
            "tier": None, "order_id": None, "line_no": None, "item_id": None, "due_date": None,
            "qty_open": None, "qty_short": None, "short_from": None, "covered_by_date": None,
            "value_at_risk": None}
    cols = {k: v for k, v in cols.items() if k in frame.columns}
    return [t["lines_title"].format(date=fmt_date(page.ew.as_of, lang)), rule,
            report_table(frame, cols, lang=lang, currency=page.currency, max_rows=max_rows)]


def notices_folder(notices_dir: str, alert_log: object, as_of: object) -> Path:
    """Where the notice files go.

    ``notices_dir`` when given (relative paths below the project root); else
    ``notices/<planning date>`` beside the alert history's file when it is a file;
    else ``reports/notices/<planning date>`` below the project root.

    Examples
    --------
    >>> notices_folder("", "/tmp/x/alert_log.db", "2026-06-29").as_posix()
    '/tmp/x/notices/2026-06-29'
    >>> notices_folder("/tmp/out", "", "2026-06-29").as_posix()
    '/tmp/out'
    """
    if notices_dir and str(notices_dir).strip():
        return project_path(str(notices_dir).strip())
    day = f"{pd.Timestamp(as_of):%Y-%m-%d}"
    log = "" if alert_log is None else str(alert_log).strip()
    if log and "://" not in log:
        return project_path(log).parent / "notices" / day
    if log.startswith("sqlite:///") and len(log) > len("sqlite:///"):
        return Path(log[len("sqlite:///"):]).parent / "notices" / day
    return project_path("reports", "notices", day)


def export(page: EarlyWarningPage, folder: str | Path) -> Path | None:
    """Write the notices as files (one web page and one text file each, and notices.csv).

    Returns the folder, or ``None`` when there is no notice to write.
    """
    if not len(page.notices):
        return None
    return export_notices(page.notices, folder)


def _where(folder: Path) -> str:
    try:
        return folder.resolve().relative_to(project_root().resolve()).as_posix()
    except ValueError:
        return folder.as_posix()


def notices_section(page: EarlyWarningPage, lang: str = "en",
                    folder: Path | None = None) -> list[Part]:
    """Show the notices ready to send: the list, where the files are, and every notice in full."""
    from IPython.display import HTML

    t = _T[check_language(lang)]
    nt = page.notices
    if not len(nt):
        return [t["notices_none"]]
    counts = nt["notice"].astype(str).value_counts()
    kinds = join_words([t["notices_kinds"][k].format(n=int(counts[k]))
                        for k in ("confirmed_break", "potential_risk", "all_clear")
                        if k in counts.index], lang)
    langs = t["notices_lang"][page.notice_language]
    intro = (t["notices_intro"].format(n=len(nt), langs=langs, kinds=kinds,
                                       folder=f"`{_where(folder)}`") if folder is not None
             else t["notices_intro_nofiles"].format(n=len(nt), langs=langs, kinds=kinds))
    parts: list[Part] = [intro]
    if page.sender:
        parts.append(t["notices_sender"].format(sender=md(page.sender)))
    listing = nt.assign(number=np.arange(1, len(nt) + 1))
    parts.append(report_table(
        listing, {"number": ColumnSpec(label="No." if lang == "en" else "序号", kind="integer"),
                  "customer_name": ColumnSpec(label=t["col_customer"]),
            "customer_id": ColumnSpec(label=t["col_customer_id"], kind="id"),
                  "notice": None, "language": None, "lines": None, "value_at_risk": None,
                  "contact_email": ColumnSpec(
                      label="Contact e-mail" if lang == "en" else "联系邮箱", kind="id")},
        lang=lang, currency=page.currency))
    blocks = []
    for k, row in enumerate(nt.itertuples(index=False), start=1):  # a handful of notices
        head = t["notice_head"].format(k=k, n=len(nt), customer=str(row.customer_name),
                                       kind=code_words(row.notice, lang, "notice"))
        blocks.append(
            f'<section class="wb-notice" style="margin:2.2em 0 0"><p style="font-weight:bold;'
            f'margin:0;padding:0.4em 0.6em;background:#e8edf3;border-left:4px solid #2c5d8f">'
            f'{escape_html(head)}</p><div style="overflow-x:auto;max-width:100%">'
            f'{row.html}</div></section>')
    parts.append(HTML("".join(blocks)))
    return parts


def resolved_section(page: EarlyWarningPage, lang: str = "en") -> list[Part]:
    """Alerts resolved since the previous run (needs the alert history)."""
    t = _T[check_language(lang)]
    if not page.has_log:
        return [t["resolved_nolog"]]
    res = page.status.loc[page.status["status"] == "resolved"]
    if not len(res):
        return [t["resolved_none"]]
    cols = {k: None for k in ("item_id", "alert_level", "kind", "first_short_date")
            if k in res.columns}
    return [t["resolved_intro"].format(n=len(res)),
            report_table(res, cols, lang=lang, currency=page.currency)]


_BACKLOG_T = {
    "en": {"title": "### What the order lines show: open customer orders by item and period",
           "intro": "{lines} open order line(s), {units} units, for {items} item(s) at the "
                    "planning date {date}; the {top} largest below (past due: due before the "
                    "period of the planning date).",
           "none": "### What the order lines show\n\nNo open customer order line: every line is "
                   "shipped, delivered or closed.",
           "past due": "Past due", "later": "Later", "no due date": "No due date",
           "total": "Total"},
    "zh": {"title": "### 订单行显示的内容：各物料各期的未交客户订单",
           "intro": "计划日期 {date} 共有 {lines} 个未交订单行，{units} 件，涉及 {items} 个物料；"
                    "下表为数量最大的 {top} 个（逾期：到期日早于计划日期所在期间）。",
           "none": "### 订单行显示的内容\n\n没有未交的客户订单行：所有订单行均已发货、交付或关闭。",
           "past due": "逾期", "later": "更晚", "no due date": "无到期日", "total": "合计"},
}


def backlog_section(orders: pd.DataFrame, as_of: object, *, freq: str = "W", horizon: int = 13,
                    top: int = 6, lang: str = "en") -> list[Part]:
    """Without a PAB projection: the open customer orders by item and period (largest items)."""
    from workbench.planning import open_backlog
    from workbench.reporting.pages.wording import period_name

    t = _BACKLOG_T[check_language(lang)]
    backlog = open_backlog(orders, as_of=as_of, freq=freq, horizon=horizon)
    if not len(backlog.lines):
        return [t["none"], *[f"*{md(n)}*" for n in backlog.notes]]
    table = backlog.table
    parts: list[Part] = [t["title"], t["intro"].format(
        lines=fmt_num(len(backlog.lines)), units=fmt_num(table["total"].sum()),
        items=fmt_num(len(table)), top=min(top, len(table)), date=fmt_date(as_of, lang))]
    parts += [f"*{md(n)}*" for n in backlog.notes]
    specs: dict[object, object] = {"item_id": None}
    for col in table.columns:
        head = t.get(str(col)) or period_name(col, freq, lang)
        specs[col] = ColumnSpec(label=head, kind="integer")
    parts.append(report_table(table.head(max(int(top), 1)), specs, lang=lang, filter=False))
    return parts


def input_notes(notes: Sequence[str], lang: str = "en") -> list[Part]:
    """Show the notes on the inputs used (planning date, expedite options, missing tables), in italics."""
    check_language(lang)
    return [f"*{md(n)}*" for n in notes if n]


_EXPEDITE_ZH = {"none": "本数据集没有加急方式：不提出加急方式或费用，因此所有客户订单缺货都计为确认断供（三级），"
                        "而不是潜在风险（二级）。如需把仍可用更快运输方式弥补的缺货报告为二级，"
                        "请在数据集中提供加急方式清单。"}


def _notes_in(lang: str, ds: Dataset, plan: object, exp: object, pab: object) -> list[str]:
    """Return the input notes in the report's language (Chinese for the notes worded here)."""
    from workbench.reporting.availability import not_available_note

    notes = []
    if lang == "en":
        if plan.source == "fallback":
            notes.append(f"Planning date {fmt_date(plan.value, 'en')}: the latest order, ship or "
                         "delivery date in the order lines (the dataset sets no planning date and "
                         "has no inventory snapshot).")
        notes += [exp.note if exp is not None else "", pab.note]
        return [n for n in notes if n]
    if plan.source == "fallback":
        notes.append(f"计划日期 {fmt_date(plan.value, 'zh')}：订单行中最近的下单、发货或交付日期"
                     "（数据集未设定计划日期，也没有库存快照）。")
    if exp is not None:
        name = re.search(r"\(([^()]*)\)\.$|from ([^ ]+)\.$", exp.note or "")
        file = next((g for g in (name.groups() if name else ()) if g), "")
        notes.append(_EXPEDITE_ZH["none"] if exp.source == "none"
                     else f"加急方式来自{'数据集' if exp.source == 'dataset' else '本报告指定的文件'}"
                          f"（{file}）。")
    from workbench.reporting.inputs import pab_inputs

    if not pab.value:
        notes.append(not_available_note("pab", ds, "zh") or pab.note)
    else:
        notes.append(pab_inputs(ds, "zh").note)
    return [n for n in notes if n]


@dataclass(frozen=True)
class EarlyWarningRun:
    """One run of the early-warning report: the page (``None`` without a projection) and notes.

    Attributes
    ----------
    page
        :func:`prepare` output, or ``None`` when the data cannot be projected.
    as_of
        The planning date.
    notes
        Sentences on the inputs used, in the report's language.
    folder
        Where the notice files were written (``None``: no notice).
    """

    page: EarlyWarningPage | None
    as_of: pd.Timestamp
    notes: list[str]
    folder: Path | None


def run(ds: Dataset, *, as_of: str = "", horizon: int = 13, freq: str = "W",
        demand_time_fence: int = 2, frozen_periods: int = 2, slip_periods: int = 2,
        item_filter: str = "", expedite_options: str = "", alert_log: str = "",
        notices_dir: str = "", controls: NoiseControls | None = None,
        notice_language: str = "auto", lang: str = "en",
        write_notices: bool = True) -> EarlyWarningRun:
    """Run the early warning for a report: project, record the alert history, rank, draft, export.

    Parameters
    ----------
    ds
        The dataset.
    as_of, horizon, freq, demand_time_fence, frozen_periods, slip_periods, item_filter
        As in :func:`workbench.planning.alerts.run_early_warning` (``as_of`` empty: the
        dataset's planning date, :func:`workbench.reporting.inputs.planning_date`).
    expedite_options
        A CSV of expedite modes (empty: the dataset's, else none).
    alert_log
        Alert history (SQLite file or URL; empty: none, every alert is new).
    notices_dir
        Folder for the notice files (empty: :func:`notices_folder`'s default).
    controls
        Noise controls of the ranking.
    notice_language
        ``"auto"``, ``"en"`` or ``"zh"``.
    lang
        The report's language.
    write_notices
        Write the notice files (a report that only shows the notices passes ``False``).

    Returns
    -------
    EarlyWarningRun
    """
    from workbench.customers import customer_tiers
    from workbench.planning.alertlog import AlertLog, resolve_alert_log
    from workbench.planning.alerts import run_early_warning
    from workbench.reporting import availability, inputs

    check_language(lang)
    plan = inputs.planning_date(ds, as_of)
    pab = inputs.pab_inputs(ds)
    if not pab.value:
        return EarlyWarningRun(None, plan.value, _notes_in(lang, ds, plan, None, pab), None)
    exp = inputs.expedite_options_for(ds, expedite_options)
    measure = availability.value_measure(ds)
    tiers = customer_tiers(ds.orders, ds.customers, availability.targets_for(ds).source,
                           measure=measure).tiers
    # Where the master gives no tier, the value tiers rank scarce supply in the allocation.
    ew = run_early_warning(ds, as_of=plan.value, horizon=horizon, freq=freq,
                           demand_time_fence=demand_time_fence, frozen_periods=frozen_periods,
                           slip_periods=slip_periods, items=item_filter,
                           expedite_options=exp.value, language=lang, tiers=tiers)
    where = resolve_alert_log(alert_log) if alert_log else None
    status = resolved = None
    if where is not None:
        log = AlertLog(where)
        try:
            status = log.record_run(ew.alerts, ew.lines, as_of=ew.as_of)
            resolved = log.resolved_lines(status)
        finally:
            log.close()
    page = prepare(ds, ew, status=status, resolved_lines=resolved, tiers=tiers,
                   controls=controls, notice_language=notice_language, measure=measure,
                   lang=lang)
    folder = (export(page, notices_folder(notices_dir, where or "", ew.as_of))
              if write_notices else None)
    return EarlyWarningRun(page, ew.as_of, _notes_in(lang, ds, plan, exp, pab), folder)


_NA = {"en": "*Not available: needs the projection of available stock (see the top of this "
             "report).*",
       "zh": "*不可用：需要预计可用库存的预测（见本报告开头）。*"}


def unavailable(lang: str = "en") -> list[Part]:
    """Return the line a section shows when the data cannot be projected."""
    return [_NA[check_language(lang)]]


def heatmap(page: EarlyWarningPage, lang: str = "en") -> object:
    """Return the heat map of projected stock per item and period (short / below safety stock / covered)."""
    from workbench.reporting import charts

    return charts.pab_heatmap(page.ew.result.long, value="status", lang=check_language(lang))


_BUF_T = {
    "en": {"unit": {"D": "day", "W": "week", "M": "month", "Q": "quarter"},
           "units": {"D": "days", "W": "weeks", "M": "months", "Q": "quarters"},
           "none": "No item is on alert: no forecast band or buffer to compare.",
           "sentence": "Beyond the first {dtf} {units} the projection uses the forecast, and "
                       "customer orders swing around it (the 95% band per {unit} below, from the "
                       "order history). **For {k} of the {n} items on alert the suggested buffer is "
                       "above the safety stock the projection uses**, by {gap} units in total "
                       "({pct} service target, {source}, over each item’s lead time).",
           "sentence_all": "Beyond the first {dtf} {units} the projection uses the forecast, and "
                           "customer orders swing around it (the 95% band per {unit} below, from "
                           "the order history). **For all {n} items on alert the suggested buffer "
                           "is above the safety stock the projection uses**, by {gap} units in "
                           "total ({pct} service target, {source}, over each item’s lead time).",
           "item": "Item", "fc": "Forecast per {unit}", "top": "Could reach (95%) per {unit}",
           "buffer": "Suggested buffer", "ss": "Safety stock used", "diff": "Difference",
           "caption": "Items on alert, units; forecast after the first {dtf} {units}: {span}"},
    "zh": {"unit": {"D": "天", "W": "周", "M": "月", "Q": "季度"},
           "units": {"D": "天", "W": "周", "M": "个月", "Q": "个季度"},
           "none": "没有物料处于预警：无需比较预测区间与缓冲库存。",
           "sentence": "前 {dtf} {units}之后，预计库存按预测计算需求，而客户订单会在预测上下波动（下表为每{unit}的 95% "
                       "区间，依据订单历史）。**{n} 种预警物料中有 {k} 种的建议缓冲库存高于预计库存所用的安全库存**，"
                       "合计多 {gap} 件（服务水平目标 {pct}，{source}，覆盖各物料提前期）。",
           "sentence_all": "前 {dtf} {units}之后，预计库存按预测计算需求，而客户订单会在预测上下波动（下表为每{unit}"
                           "的 95% 区间，依据订单历史）。**全部 {n} 种预警物料的建议缓冲库存都高于预计库存所用的"
                           "安全库存**，合计多 {gap} 件（服务水平目标 {pct}，{source}，覆盖各物料提前期）。",
           "item": "物料", "fc": "每{unit}预测", "top": "每{unit}可能达到（95%）",
           "buffer": "建议缓冲库存", "ss": "所用安全库存", "diff": "差额",
           "caption": "预警物料，单位：件；前 {dtf} {units}之后的预测：{span}"},
}


def buffer_table(frame: pd.DataFrame, freq: str = "W", demand_time_fence: int = 2,
                 span: str = "", lang: str = "en", max_rows: int = 10) -> object:
    """Return the forecast band and the suggested buffer of the items on alert, one row each.

    ``frame`` holds ``item_id, plan_forecast, upper_95, buffer, safety_stock`` (per period
    of ``freq``; ``difference`` is computed).

    Examples
    --------
    >>> f = pd.DataFrame({"item_id": ["A"], "plan_forecast": [40.0], "upper_95": [95.4],
    ...                   "buffer": [120.2], "safety_stock": [80.0]})
    >>> t = buffer_table(f, span="13 weeks (29 Jun 2026 – 27 Sep 2026)")
    >>> t.headers
    ('Item', 'Forecast per week', 'Could reach (95%) per week', 'Suggested buffer', 'Safety stock used', 'Difference')
    >>> ">95<" in t.html, ">40<" in t.html
    (True, True)
    >>> buffer_table(f, lang="zh").headers[1:3]
    ('每周预测', '每周可能达到（95%）')
    """
    t = _BUF_T[check_language(lang)]
    code = str(freq or "W").upper()[:1]
    code = code if code in t["unit"] else "W"
    words = {"unit": t["unit"][code], "units": t["units"][code], "dtf": demand_time_fence}
    out = frame.assign(difference=frame["buffer"] - frame["safety_stock"])
    q = {"kind": "number", "digits": 0}
    return report_table(out, {
        "item_id": ColumnSpec(label=t["item"], kind="id"),
        "plan_forecast": ColumnSpec(label=t["fc"].format(**words), **q),
        "upper_95": ColumnSpec(label=t["top"].format(**words), **q),
        "buffer": ColumnSpec(label=t["buffer"], **q),
        "safety_stock": ColumnSpec(label=t["ss"], **q),
        "difference": ColumnSpec(label=t["diff"], **q)},
        lang=lang, filter=False, caption=t["caption"].format(span=span, **words) if span else None,
        max_rows=max_rows)


def buffer_section(ds: Dataset, page: EarlyWarningPage, lang: str = "en", *,
                   demand_time_fence: int = 2, service_level: float = 0.0,
                   max_rows: int = 10) -> list[Part]:
    """Forecast band and suggested buffer of the items on alert against the projection's safety stock.

    The forecast (with its 95 % band) and the buffers come from the order history
    (:func:`workbench.inventory.forecast`, :func:`workbench.inventory.suggest_buffers`,
    lead times from the item master) in the projection's periods; the service target is
    ``service_level`` when in (0, 1), else from the service targets
    (:func:`workbench.reporting.pages.customer_segments.buffer_target`).
    """
    from workbench.customers import service_targets
    from workbench.inventory import demand_series, forecast
    from workbench.reporting import availability, inputs
    from workbench.reporting.pages.customer_segments import buffer_target, suggested_buffers

    t = _BUF_T[check_language(lang)]
    why = availability.not_available_note("buffers", ds, lang)
    if why is not None:
        return [f"*{md(why)}*"]
    shown = page.ranked.loc[page.ranked["held_back"] == "", "item_id"].astype(str)
    alerted = list(dict.fromkeys(shown))
    if not alerted:
        return [t["none"]]
    pin = page.ew.inputs
    freq, starts = str(pin.freq), pd.DatetimeIndex(pin.period_start)
    code = freq.upper()[:1] if freq.upper()[:1] in t["unit"] else "W"
    matrix = demand_series(ds.orders, freq=freq, date_column=inputs.demand_date(ds.orders).value,
                           as_of=page.ew.as_of)
    fc = forecast(matrix, horizon=len(starts))
    level, source = buffer_target(service_targets(availability.targets_for(ds).source),
                                  service_level, lang)
    buffers, _ = suggested_buffers(ds, matrix, level)
    dtf = min(max(int(demand_time_fence), 0), len(starts) - 1)
    beyond = fc.loc[fc["period_start"] >= starts[dtf]]
    top = beyond.groupby(beyond["item_id"].astype(str))["upper_95"].max()
    ids = pd.Index(pin.item_id.astype(str))
    plan_fc = pd.Series(np.asarray(pin.forecast, dtype=float)[:, dtf:].mean(axis=1), index=ids)
    ss = pd.Series(np.asarray(pin.safety_stock, dtype=float), index=ids)
    buf = buffers.set_index("item_id")["safety_stock"]
    frame = pd.DataFrame({"item_id": alerted,
                          "plan_forecast": plan_fc.reindex(alerted).to_numpy(),
                          "upper_95": top.reindex(alerted).to_numpy(),
                          "buffer": buf.reindex(alerted).to_numpy(),
                          "safety_stock": ss.reindex(alerted).to_numpy()})
    gap = frame["buffer"] - frame["safety_stock"]
    pct = f"{level * 100:.{0 if round(level * 100, 6) == round(level * 100) else 1}f}%"
    k = int((gap > 0.5).sum())
    sentence = t["sentence" if k < len(frame) else "sentence_all"].format(dtf=dtf, units=t["units"][code], unit=t["unit"][code],
                                    k=k, n=len(frame),
                                    gap=fmt_num(float(gap[gap > 0.5].sum()), lang), pct=pct,
                                    source=source)
    span = span_of_periods(starts[dtf:], freq, lang)
    return [sentence, buffer_table(frame, freq, dtf, span, lang, max_rows)]
