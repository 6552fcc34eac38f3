"""English and Chinese texts of the alerts: root causes and recommended actions.

Built from the numbers of :func:`workbench.planning.alert_rules.find_risks`,
vectorized over the alerts (no loop over items). English and Chinese carry the
same numbers and dates (Chinese dates as ``2026年7月6日``, as
:func:`workbench.i18n.fmt_date` writes them; the built-in expedite modes
translated, user-defined mode names kept as given).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.i18n import currency_prefix
from workbench.planning.alert_rules import AlertKind, AlertSettings, Risks

__all__ = ["alert_texts", "fill_customer_counts"]

_UNIT = {"W": "week", "D": "day", "M": "month"}
_UNIT_ZH = {"W": "周", "D": "天", "M": "个月"}
_PERIOD_ZH = {"W": "当周", "D": "", "M": "当月"}
_MODES_ZH = {"standard truck": "常规卡车", "express truck": "加急卡车", "air freight": "空运",
             "hand carry": "专人随身携带"}
"""Chinese names of the built-in expedite modes (matched case-insensitively; other,
user-defined modes are kept as given)."""


# --------------------------------------------------------------------------------------
# Text helpers (vectorized over alerts)
# --------------------------------------------------------------------------------------


def _cat(*parts: object) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    arrays = [np.asarray(p, dtype=str) for p in parts]
    return functools.reduce(np.char.add, arrays)


def _qty(values: np.ndarray) -> np.ndarray:
    """Quantities as text with thousands separators (``1,027``; ``12.50`` if not whole)."""
    v = np.asarray(values, dtype=np.float64)
    r = np.round(v)
    whole = np.isclose(v, r, rtol=0.0, atol=1e-6)
    flat = np.where(whole, r, v).ravel()
    text = [f"{x:,.0f}" if w else f"{x:,.2f}" for x, w in zip(flat, whole.ravel(), strict=True)]
    return np.asarray(text, dtype=str).reshape(v.shape) if text else np.asarray(text, dtype=str)


def _money(values: np.ndarray, currency: str) -> np.ndarray:
    """Amounts with the currency: ``€4,108`` / ``CHF 950`` (no symbol without a currency)."""
    return _cat(currency_prefix(currency), _qty(values))


def _units(values: np.ndarray, lang: str = "en") -> np.ndarray:
    """``1 unit`` / ``25 units`` (Chinese: ``25 件``)."""
    v = np.asarray(values, dtype=np.float64)
    if lang == "zh":
        return _cat(_qty(v), " 件")
    return _cat(_qty(v), np.where(v == 1, " unit", " units"))


_MONTHS = np.array(["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                    "Nov", "Dec"])


def _date_text(dates: np.ndarray, lang: str = "en") -> np.ndarray:
    """Dates for sentences: ``6 Jul 2026`` / ``2026年7月6日``; "" for NaT.

    Written as :func:`workbench.i18n.fmt_date` writes them, for whole arrays at once.
    """
    d = np.asarray(dates).astype("datetime64[D]")
    flat = d.ravel()
    missing = np.isnat(flat)
    idx = pd.DatetimeIndex(np.where(missing, np.datetime64("1970-01-01", "D"), flat))
    year, month, day = (np.char.mod("%d", a) for a in (idx.year.to_numpy(),
                                                        idx.month.to_numpy(),
                                                        idx.day.to_numpy()))
    if lang == "zh":
        text = _cat(year, "年", month, "月", day, "日")
    else:
        text = _cat(day, " ", _MONTHS[idx.month.to_numpy()], " ", year)
    return np.where(missing, "", text).reshape(d.shape)


def _when(dates: np.ndarray, freq: str, *, by: bool = False, lang: str = "en") -> np.ndarray:
    """``in the week of 2026-07-20`` / ``on 2026-07-20`` (``by ...`` when ``by``).

    Chinese: ``2026年7月20日当周`` / ``2026年7月20日`` (``截至 ...`` when ``by``).
    """
    if lang == "zh":
        text = _cat(_date_text(dates, lang), _PERIOD_ZH[freq])
        return _cat("截至 ", text) if by else text
    day = _date_text(dates)
    if freq == "D":
        return _cat("by " if by else "on ", day)
    return _cat("by the " if by else "in the ", _UNIT[freq], " of ", day)


def _periods(k: int, freq: str, lang: str = "en") -> str:
    if lang == "zh":
        return f"{k} {_UNIT_ZH[freq]}"
    return f"{k} {_UNIT[freq]}{'' if k == 1 else 's'}"


def _mode_names(modes: np.ndarray, lang: str = "en") -> np.ndarray:
    """Expedite modes for sentences: the built-in ones translated into Chinese.

    Other modes are kept as given (in Chinese text set off by spaces).
    """
    m = np.asarray(modes, dtype=object).astype(str)
    if lang != "zh":
        return m
    zh = pd.Series(m, dtype=object).str.strip().str.lower().map(_MODES_ZH)
    return np.where(zh.notna().to_numpy(), zh.fillna("").to_numpy(dtype=object).astype(str),
                    np.where(m == "", "", _cat(" ", m, " ")))


# --------------------------------------------------------------------------------------
# Root causes and actions
# --------------------------------------------------------------------------------------


def alert_texts(risks: Risks, settings: AlertSettings) -> tuple[np.ndarray, np.ndarray]:
    """Root-cause notes and recommended actions of the items with an alert.

    Parameters
    ----------
    risks
        Findings of :func:`~workbench.planning.alert_rules.find_risks`.
    settings
        Frozen window, slip and ``language`` (``"en"`` or ``"zh"``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(root_cause, recommended_action)``, object arrays aligned with
        ``risks.selected``. Actions keep the ``{customers}`` and
        ``{if_unconfirmed}`` placeholders for :func:`fill_customer_counts`.
    """
    sel = risks.selected
    kind = risks.kind[sel]
    root = np.full(sel.size, "", dtype=object)
    action = np.full(sel.size, "", dtype=object)
    c = np.flatnonzero(kind >= AlertKind.POTENTIAL_SHORTAGE)
    if c.size:
        facts = _shortage_facts(risks, sel, c, settings)
        write = _shortage_zh if settings.language == "zh" else _shortage_en
        root[c], action[c] = write(facts)
    p = np.flatnonzero(kind == AlertKind.PLANNED_RECEIPT_DEPENDENCY)
    if p.size:
        root[p], action[p] = _dependency_texts(risks, sel[p], settings)
    b = np.flatnonzero(kind == AlertKind.BELOW_SAFETY_STOCK)
    if b.size:
        root[b], action[b] = _below_safety_stock_texts(risks, sel[b], settings.language)
    return root, action


def _first_short(risks: Risks, rows: np.ndarray, lang: str) -> np.ndarray:
    """``in the week of ...`` of the first affected period of ``rows``."""
    inp = risks.result.inputs
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    return _when(starts[risks.first_period[rows]], inp.freq, lang=lang)


def _slip_text(slip: int | None, freq: str) -> str:
    """English: ``if they do not come`` / ``if 2 weeks late``."""
    return "if they do not come" if slip is None else f"if {_periods(slip, freq)} late"


def _slip_zh(slip: int | None, freq: str) -> str:
    """Chinese, after "若计划到货" (several receipts) / "若该到货" (one receipt)."""
    return "未到" if slip is None else f"延迟 {_periods(slip, freq, 'zh')}"


@dataclass(frozen=True)
class _ShortageFacts:
    """Numbers of the customer-facing shortages (kinds 3 and 4), one entry per alert."""

    confirmed: np.ndarray  # kind is a confirmed break (else potential shortage)
    due_by: np.ndarray  # start of the first short period
    recovered_at: np.ndarray  # start of the recovery period (clipped)
    orders: np.ndarray  # cumulative open orders by the first short period
    on_hand: np.ndarray
    receipts: np.ndarray  # cumulative receipts by then
    firm: np.ndarray
    planned: np.ndarray
    deficit: np.ndarray  # deficit in the first short period
    gap: np.ndarray
    recovers: np.ndarray  # supply catches up inside the horizon
    in_frozen: np.ndarray
    has_option: np.ndarray
    days: np.ndarray  # days to gain
    earlier: np.ndarray  # planned-receipt dependency starts earlier
    dependency_start: np.ndarray
    mode: np.ndarray  # expedite mode for sentences
    cost: np.ndarray
    arrival: np.ndarray
    freq: str
    frozen: int
    slip: int | None


def _shortage_facts(risks: Risks, sel: np.ndarray, c: np.ndarray, settings: AlertSettings
                    ) -> _ShortageFacts:
    """Collect the numbers the shortage texts quote, for the alerts at positions ``c``."""
    inp = risks.result.inputs
    lang = settings.language
    n_t = inp.n_periods
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    i, t = sel[c], risks.first_period[sel][c]
    t1 = risks.recovery[i]
    t1c = np.minimum(t1, n_t - 1)
    firm = risks.cum_firm[i, t]
    exp = risks.expedite.iloc[i]
    has_opt = exp["expedite_mode"].notna().to_numpy()
    dep_first = risks.dependency_first[i]
    mode = exp["expedite_mode"].to_numpy(dtype=object)
    return _ShortageFacts(
        confirmed=risks.kind[i] == AlertKind.CONFIRMED_BREAK,
        due_by=starts[t], recovered_at=starts[t1c], orders=risks.cum_orders[i, t],
        on_hand=inp.on_hand[i], receipts=risks.cum_supply[i, t], firm=firm,
        planned=risks.cum_supply[i, t] - firm, deficit=risks.deficit[i, t], gap=risks.gap[i],
        recovers=t1 < n_t, in_frozen=t < settings.frozen_periods, has_option=has_opt,
        days=((starts[t1c] - starts[t]) // np.timedelta64(1, "D")).astype(np.int64),
        earlier=(dep_first >= 0) & (dep_first < t),
        dependency_start=starts[np.maximum(dep_first, 0)],
        mode=_mode_names(np.where(has_opt, mode, ""), lang),
        cost=_money(np.nan_to_num(exp["expedite_cost"].to_numpy()), settings.currency),
        arrival=_date_text(exp["expedite_arrival"].to_numpy(), lang),
        freq=inp.freq, frozen=settings.frozen_periods, slip=settings.slip_periods)


def _shortage_en(f: _ShortageFacts) -> tuple[np.ndarray, np.ndarray]:
    """English root causes and actions of customer-facing shortages."""
    freq = f.freq
    text = _cat("open orders ", _qty(f.orders), " due ", _when(f.due_by, freq, by=True),
                " exceed on hand ", _qty(f.on_hand), " + receipts ", _qty(f.receipts),
                " (firm ", _qty(f.firm), ", planned ", _qty(f.planned), "): ",
                _qty(f.deficit), " short")
    text = _cat(text, np.where(f.recovers, _cat("; supply catches up ",
                                                _when(f.recovered_at, freq)),
                               "; no receipt inside the horizon recovers it"))
    text = _cat(text, np.where(
        f.in_frozen, f"; inside the frozen window (first {_periods(f.frozen, freq)})",
        np.where(f.has_option | ~f.recovers, "",
                 _cat("; no expedite option brings ", _units(f.gap), " forward ",
                      np.char.mod("%d", f.days), " days"))))
    text = _cat(text, np.where(f.earlier, _cat(f"; planned receipts {_slip_text(f.slip, freq)}: "
                                               "short from ", _date_text(f.dependency_start)), ""))
    expedite = _cat("expedite ", _units(f.gap), " by ", f.mode, " (cost ", f.cost,
                    ", arriving ", f.arrival, ")")
    lvl2 = _cat(expedite, " and send a potential-supply-risk notice (level 2) to the "
                "{customers}")
    lvl3 = _cat("Send a confirmed-supply-break notice (level 3) with exact dates and "
                "quantities to the {customers}; agree on partial deliveries or "
                "allocation",
                np.where(f.has_option, _cat("; ", expedite, " to shorten the break"),
                         np.where(f.recovers, _cat("; the remainder follows with the receipt ",
                                                   _when(f.recovered_at, freq)),
                                  "; plan new supply: nothing in the horizon covers "
                                  "it")))
    action = np.where(~f.confirmed, np.char.add("Act now: ", lvl2.astype(str)), lvl3)
    return text, action


def _shortage_zh(f: _ShortageFacts) -> tuple[np.ndarray, np.ndarray]:
    """Chinese root causes and actions of customer-facing shortages."""
    freq, lang = f.freq, "zh"
    text = _cat(_when(f.due_by, freq, by=True, lang=lang), "的未交订单 ",
                _qty(f.orders), " 超过现有库存 ", _qty(f.on_hand), " + 到货 ",
                _qty(f.receipts), "（确认 ", _qty(f.firm), "，计划 ", _qty(f.planned),
                "）：短缺 ", _qty(f.deficit))
    text = _cat(text, np.where(f.recovers, _cat("；供应于 ",
                                                _when(f.recovered_at, freq, lang=lang), "恢复"),
                               "；计划期内没有到货能弥补短缺"))
    text = _cat(text, np.where(
        f.in_frozen, f"；处于冻结期内（前 {_periods(f.frozen, freq, lang)}）",
        np.where(f.has_option | ~f.recovers, "",
                 _cat("；没有加急方式能将 ", _units(f.gap, lang), "提前 ",
                      np.char.mod("%d", f.days), " 天到货"))))
    text = _cat(text, np.where(f.earlier, _cat(f"；若计划到货{_slip_zh(f.slip, freq)}：自 ",
                                               _date_text(f.dependency_start, lang), "起短缺"),
                               ""))
    expedite = _cat("改用", f.mode, "提前运送 ", _units(f.gap, lang), "（费用 ", f.cost,
                    "，预计 ", f.arrival, "到货）")
    lvl2 = _cat("立即行动：", expedite, "，并向 {customers}发送潜在供货风险通知（二级）")
    lvl3 = _cat("向 {customers}发送确认断供通知（三级），注明确切日期和数量；"
                "与客户商定分批交货或分配方案",
                np.where(f.has_option, _cat("；", expedite, "，以缩短断供时间"),
                         np.where(f.recovers, _cat("；余量随 ",
                                                   _when(f.recovered_at, freq, lang=lang),
                                                   "的到货交付"),
                                  "；需安排新的供应：计划期内没有到货能覆盖短缺")))
    return text, np.where(~f.confirmed, lvl2, lvl3)


def _dependency_texts(risks: Risks, i: np.ndarray, settings: AlertSettings
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Root causes and actions of planned-receipt dependencies (rows ``i``)."""
    inp = risks.result.inputs
    lang, freq = settings.language, inp.freq
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    r = np.maximum(risks.dependency_receipt[i], 0)
    qty = _qty(inp.supply_planned[i, r])
    due = _when(starts[r], freq, lang=lang)
    at = _first_short(risks, i, lang)
    falls_to = _qty(-risks.dependency_short[i])
    if lang == "zh":
        root = _cat("依赖 ", due, "的计划到货 ", qty, "：若该到货",
                    _slip_zh(settings.slip_periods, freq), "，预计可用库存将降至 ", falls_to,
                    "（自 ", at, "起短缺）")
        action = _cat("与工厂或供应商确认 ", due, "的计划到货 ", qty, "，并将其转为确认到货",
                      "{if_unconfirmed}")
        return root, action
    slip_text = _slip_text(settings.slip_periods, freq).replace("they do", "it does")
    root = _cat("planned receipt of ", qty, " due ", due, " is needed; ", slip_text,
                " PAB falls to ", falls_to, " (first short ", at, ")")
    action = _cat("Confirm the planned receipt of ", qty, " due ", due,
                  " with the plant or supplier and firm it up", "{if_unconfirmed}")
    return root, action


def _below_safety_stock_texts(risks: Risks, i: np.ndarray, lang: str
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Root causes and actions of PAB below safety stock, rows ``i``.

    The PAB may also be below zero on forecast only.
    """
    result = risks.result
    inp = result.inputs
    t = risks.first_period[i]
    at = _first_short(risks, i, lang)
    pab = _qty(result.pab[i, t])
    ss = _qty(inp.safety_stock[i])
    min_pab = result.pab[i].min(axis=1)
    neg = min_pab < 0
    demand = _qty(result.demand[i, t])
    open_orders = _qty(inp.customer_orders[i, t])
    fcst = _qty(inp.forecast[i, t])
    if lang == "zh":
        text = _cat(at, "的预计可用库存 ", pab, " 低于安全库存 ", ss, "（需求 ", demand,
                    "，未交订单 ", open_orders, "，预测 ", fcst, "）")
        root = _cat(text, np.where(neg, _cat("；受预测需求影响，预计可用库存降至 ",
                                             _qty(min_pab), "；没有未交订单行短缺"), ""))
        note = "尚无客户订单短缺：检查补货安排（提前或增加下一批到货）并持续关注该物料"
    else:
        text = _cat("PAB ", pab, " ", at, " is below safety stock ", ss, " (demand ",
                    demand, ", open orders ", open_orders, ", forecast ", fcst, ")")
        root = _cat(text, np.where(neg, _cat("; PAB falls to ", _qty(min_pab),
                                             " on forecast demand; no open order line "
                                             "is short"), ""))
        note = ("No customer order is short yet: review replenishment (pull in or increase "
                "the next receipt) and watch the item")
    return root, np.full(i.size, note, dtype=object)


def fill_customer_counts(actions: pd.Series, affected_customers: np.ndarray,
                         language: str = "en") -> pd.Series:
    """Fill the ``{customers}`` and ``{if_unconfirmed}`` placeholders of the actions.

    Parameters
    ----------
    actions
        Actions from :func:`alert_texts`.
    affected_customers
        Number of affected customers per action.
    language
        ``"en"`` or ``"zh"``.

    Returns
    -------
    pandas.Series
        The finished actions (string dtype); ``actions`` itself when empty.
    """
    if actions.empty:
        return actions
    n = np.asarray(affected_customers)
    action = actions.to_numpy(dtype=object).astype(str)
    if language == "zh":
        text = _cat(np.char.mod("%d", n), " 个受影响客户")
        clause = np.where(n > 0, _cat("；如无法确认，为 ", text, "准备潜在供货风险通知"),
                          "；目前尚无未交订单行依赖该到货（仅有预测需求）")
    else:
        text = _cat(np.char.mod("%d", n), np.where(n == 1, " affected customer",
                                                   " affected customers"))
        clause = np.where(n > 0, _cat("; if it cannot be confirmed, prepare a potential-risk "
                                      "notice for the ", text),
                          "; no open order line depends on it yet (forecast demand only)")
    out = np.char.replace(np.char.replace(action, "{if_unconfirmed}", clause),
                          "{customers}", text)
    return pd.Series(out.astype(object), dtype="str")
