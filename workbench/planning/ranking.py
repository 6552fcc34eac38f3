"""Money at stake in supply alerts: order value at risk, tier-weighted ranking, noise controls.

Value at risk
    The open order value an alert puts at risk: for each affected order line
    (:attr:`workbench.planning.alerts.AlertSet.lines`), ``qty_short * unit_price``
    with the line's ``unit_price`` from the order lines. A line without a price
    (no ``unit_price`` column, a blank or a negative price) has an **unknown**
    value: it is left out of the sums, never counted as 0, and every sum says how
    many of its lines have no price (``lines_without_price``). A sum whose lines
    all lack a price is unknown (NaN), not 0. An alert without affected lines (a
    below-safety-stock warning) has a value of 0.

Ranking (:func:`rank_alerts`)
    ``priority = sum over the alert's lines of value at risk * tier weight`` of the
    line's customer (:data:`DEFAULT_TIER_WEIGHTS`: A 3, B 2, C 1, unknown 1). An
    alert none of whose lines has a price falls back to ``qty_short * tier
    weight`` (``priority_basis`` says which) and ranks after the alerts with a
    value; alerts without affected order lines (priority 0) come last. Ties go to
    the higher level, the earlier first short date, the alert id.

Noise controls (:class:`NoiseControls`, defaults stated there)
    An alert below a threshold is **held back**, not dropped: it stays in the
    result with ``held_back`` saying why and no ``rank``. Confirmed breaks (level
    3) are never held back unless ``hold_confirmed`` is set: the customer will be
    short whatever the size.

Money at stake (:func:`money_at_stake`)
    Value at risk per alert, per customer and in total, the expedite cost of the
    proposed countermeasures per alert and in total (the expedite options' costs,
    taken to be in the dataset's currency), with the currency and the count of
    lines without a price, plus the sentences a manager summary prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError
from workbench.i18n import fmt_money
from workbench.planning.alert_rules import AlertLevel
from workbench.validation import check_count, check_language, require_frame

__all__ = [
    "DEFAULT_TIER_WEIGHTS",
    "NOISE_CONTROLS",
    "RANK_COLUMNS",
    "MoneyAtStake",
    "NoiseControls",
    "ValueAtRisk",
    "line_values",
    "money_at_stake",
    "rank_alerts",
    "value_at_risk",
]

DEFAULT_TIER_WEIGHTS: Mapping[str, float] = {"A": 3.0, "B": 2.0, "C": 1.0, "unknown": 1.0}
"""Weight of a customer tier in :func:`rank_alerts`; ``"unknown"`` covers a missing or
unlisted tier."""

RANK_COLUMNS: tuple[str, ...] = (
    "value_at_risk", "lines_without_price", "tier", "tier_weight", "priority",
    "priority_basis", "short_periods", "held_back", "rank",
)
"""Columns :func:`rank_alerts` adds to the alerts."""

_FROM_EVALUATE = "Build it with workbench.planning.alerts.evaluate()."
_LINE_KEYS = ("alert_id", "order_id", "line_no", "customer_id", "qty_short")

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "shortage": "shortage {qty:,.2f} below the minimum of {min:,.2f}",
        "value": "value at risk {value} below the minimum of {min}",
        "periods": "short for {n} period(s), fewer than {min} in a row",
        "value_total": "Order value at risk: {value} in {lines:,} order line(s) of "
                       "{customers:,} customer(s).",
        "value_unknown": "Order value at risk: unknown, none of the {lines:,} affected "
                         "order line(s) has a unit price.",
        "no_price": "{n:,} of the {lines:,} order line(s) have no unit price and are not "
                    "counted in the value.",
        "no_lines": "Order value at risk: none, no customer order line is affected.",
        "expedite": "Expedite cost of the proposed countermeasures: {cost} for {n:,} "
                    "alert(s).",
        "no_expedite": "No expedite is proposed.",
    },
    "zh": {
        "shortage": "短缺量 {qty:,.2f} 低于下限 {min:,.2f}",
        "value": "风险订单金额 {value} 低于下限 {min}",
        "periods": "连续短缺 {n} 期，少于 {min} 期",
        "value_total": "风险订单金额：{value}，涉及 {customers:,} 家客户的 {lines:,} 个订单行。",
        "value_unknown": "风险订单金额：未知，{lines:,} 个受影响订单行均无单价。",
        "no_price": "{lines:,} 个订单行中有 {n:,} 个没有单价，未计入金额。",
        "no_lines": "风险订单金额：无，没有受影响的客户订单行。",
        "expedite": "建议加急措施的费用：{cost}，涉及 {n:,} 项预警。",
        "no_expedite": "未建议加急。",
    },
}


# --------------------------------------------------------------------------------------
# Value at risk
# --------------------------------------------------------------------------------------


def _line_key(order_id: pd.Series, line_no: pd.Series) -> pd.Series:
    """``order_id`` + unit separator + whole-number ``line_no`` (1, 1.0 and "1" agree)."""
    num = pd.to_numeric(line_no, errors="coerce")
    whole = num.notna() & (num == np.round(num))
    text = line_no.astype(str).str.strip()
    text = text.where(~whole.to_numpy(), num.round().astype("Int64").astype(str))
    return order_id.astype(str).str.strip() + "\x1f" + text


def line_values(lines: pd.DataFrame, orders: pd.DataFrame | None) -> pd.DataFrame:
    """Affected order lines with their ``unit_price`` and ``value_at_risk``.

    Parameters
    ----------
    lines
        Affected order lines (:attr:`~workbench.planning.alerts.AlertSet.lines`):
        ``order_id``, ``line_no``, ``qty_short``. A ``unit_price`` column already
        on the lines is used where ``orders`` gives none.
    orders
        The order lines (``order_id``, ``line_no``, optional ``unit_price``), or
        ``None`` for no prices. A key that appears twice takes its first price.

    Returns
    -------
    pandas.DataFrame
        ``lines`` (same rows and order) with ``unit_price`` (NaN: no price, a
        negative price counts as none) and ``value_at_risk = qty_short * unit_price``
        (NaN when the price is unknown).

    Examples
    --------
    >>> lines = pd.DataFrame({"order_id": ["S1", "S2"], "line_no": [1, 1],
    ...                       "qty_short": [4.0, 2.0]})
    >>> orders = pd.DataFrame({"order_id": ["S1"], "line_no": [1], "unit_price": [2.5]})
    >>> line_values(lines, orders)["value_at_risk"].tolist()
    [10.0, nan]
    """
    require_frame(lines, "alert_lines", ("order_id", "line_no", "qty_short"),
                  hint=_FROM_EVALUATE)
    out = lines.copy()
    price = (pd.to_numeric(out["unit_price"], errors="coerce").to_numpy(dtype=np.float64)
             if "unit_price" in out.columns else np.full(len(out), np.nan))
    if orders is not None:
        require_frame(orders, "order_lines", ("order_id", "line_no"))
        if "unit_price" in orders.columns and len(out):
            table = pd.Series(pd.to_numeric(orders["unit_price"], errors="coerce").to_numpy(),
                              index=_line_key(orders["order_id"], orders["line_no"]).to_numpy())
            table = table[~table.index.duplicated(keep="first")]
            found = table.reindex(
                _line_key(out["order_id"], out["line_no"]).to_numpy()).to_numpy(np.float64)
            price = np.where(np.isnan(found), price, found)
    price = np.where(price >= 0, price, np.nan)
    out["unit_price"] = price
    out["value_at_risk"] = (pd.to_numeric(out["qty_short"], errors="coerce")
                            .to_numpy(dtype=np.float64) * price)
    return out


@dataclass(frozen=True)
class ValueAtRisk:
    """Open order value put at risk, per line, alert and customer and in total.

    Attributes
    ----------
    lines
        The affected lines with ``unit_price`` and ``value_at_risk`` (:func:`line_values`).
    by_alert
        One row per ``alert_id``: ``value_at_risk`` (sum of the priced lines; NaN
        if the alert has lines and none is priced), ``lines``,
        ``lines_without_price``, ``qty_short``.
    by_customer
        One row per ``customer_id``, same columns plus ``alerts``; sorted by value
        (largest first, unknown last), then customer.
    total
        Sum over all priced lines (NaN if there are lines and none is priced; 0
        without lines).
    lines_total, lines_without_price
        Affected lines, and those of them without a price.
    """

    lines: pd.DataFrame
    by_alert: pd.DataFrame
    by_customer: pd.DataFrame
    total: float
    lines_total: int
    lines_without_price: int


def _sums(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    grouped = frame.groupby(key, sort=True, observed=True)
    out = pd.DataFrame({
        "value_at_risk": grouped["value_at_risk"].sum(min_count=1),
        "lines": grouped.size(),
        "lines_without_price": grouped["_unpriced"].sum(),
        "qty_short": grouped["qty_short"].sum(),
    })
    out["lines"] = out["lines"].astype(np.int64)
    out["lines_without_price"] = out["lines_without_price"].astype(np.int64)
    return out


def value_at_risk(lines: pd.DataFrame, orders: pd.DataFrame | None) -> ValueAtRisk:
    """Open order value at risk (``qty_short * unit_price``) per line, alert, customer, total.

    Parameters
    ----------
    lines
        Affected order lines (``alert_id``, ``order_id``, ``line_no``,
        ``customer_id``, ``qty_short``).
    orders
        Order lines with ``unit_price`` (or ``None``: every value unknown).

    Returns
    -------
    ValueAtRisk

    Examples
    --------
    >>> lines = pd.DataFrame({"alert_id": ["A", "A", "B"], "order_id": ["S1", "S2", "S3"],
    ...                       "line_no": [1, 1, 1], "customer_id": ["C1", "C2", "C1"],
    ...                       "qty_short": [4.0, 2.0, 1.0]})
    >>> orders = pd.DataFrame({"order_id": ["S1", "S3"], "line_no": [1, 1],
    ...                        "unit_price": [2.5, 100.0]})
    >>> v = value_at_risk(lines, orders)
    >>> v.total, v.lines_without_price, v.by_alert["value_at_risk"].tolist()
    (110.0, 1, [10.0, 100.0])
    """
    require_frame(lines, "alert_lines", _LINE_KEYS, hint=_FROM_EVALUATE)
    priced = line_values(lines, orders)
    work = priced.assign(alert_id=priced["alert_id"].astype(str),
                         customer_id=priced["customer_id"].astype(str),
                         qty_short=pd.to_numeric(priced["qty_short"], errors="coerce"),
                         _unpriced=priced["value_at_risk"].isna())
    by_alert = _sums(work, "alert_id").reset_index()
    by_customer = _sums(work, "customer_id")
    by_customer["alerts"] = work.groupby("customer_id", sort=True)["alert_id"].nunique()
    by_customer = by_customer.reset_index().sort_values(
        ["value_at_risk", "customer_id"], ascending=[False, True], na_position="last",
        kind="stable").reset_index(drop=True)
    values = work["value_at_risk"].to_numpy(dtype=np.float64)
    known = ~np.isnan(values)
    total = float(values[known].sum()) if known.any() or not len(values) else float("nan")
    return ValueAtRisk(priced, by_alert, by_customer, total, len(work), int((~known).sum()))


# --------------------------------------------------------------------------------------
# Noise controls and ranking
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseControls:
    """Thresholds below which :func:`rank_alerts` holds an alert back (with the reason).

    Defaults (:data:`NOISE_CONTROLS`): ``min_shortage=1.0`` (an alert whose largest
    shortage, ``max_shortage_qty``, is under one unit is rounding dust),
    ``min_value=0.0`` (no value threshold: a currency-free default cannot know what
    is small), ``min_periods=1`` (a one-period dip counts), ``hold_confirmed=False``
    (a confirmed break is always shown). With the defaults only sub-unit shortages
    are held back.

    Attributes
    ----------
    min_shortage
        Smallest ``max_shortage_qty`` shown (units).
    min_value
        Smallest order value at risk shown, in the dataset's currency (an alert
        whose value is unknown is not held back for its value).
    min_periods
        Fewest consecutive short periods shown (the first shortage spell: from
        ``first_short_date`` up to ``covered_by_date``, or through
        ``last_short_date`` when supply does not catch up in the horizon).
    hold_confirmed
        Apply the thresholds to confirmed breaks (level 3) too.
    """

    min_shortage: float = 1.0
    min_value: float = 0.0
    min_periods: int = 1
    hold_confirmed: bool = False

    def __post_init__(self) -> None:
        """Check the thresholds (non-negative numbers, ``min_periods`` a whole number >= 1)."""
        for key in ("min_shortage", "min_value"):
            value = getattr(self, key)
            if (isinstance(value, bool) or not isinstance(value, int | float | np.number)
                    or not np.isfinite(value) or value < 0):
                raise ConfigError(f"NoiseControls.{key} must be a number >= 0, got {value!r}",
                                  key=key, value=value, fix=f"pass e.g. {key}=0.")
        check_count(self.min_periods, "min_periods", minimum=1)


NOISE_CONTROLS = NoiseControls()
"""The default noise controls (see :class:`NoiseControls`)."""


def _short_periods(alerts: pd.DataFrame, period_starts: object, needed: bool) -> np.ndarray:
    """Periods of each alert's first shortage spell (see :class:`NoiseControls`)."""
    n = len(alerts)
    if period_starts is None or "first_short_date" not in alerts.columns:
        if needed:
            raise ConfigError(
                "rank_alerts: min_periods > 1 needs the period start dates and the alerts' "
                "first_short_date", key="period_starts", value=None,
                fix="pass period_starts=early_warning.inputs.period_start.")
        return np.full(n, -1, dtype=np.int64)
    starts = np.sort(pd.to_datetime(pd.Index(period_starts)).as_unit("ns").to_numpy())
    first = pd.to_datetime(alerts["first_short_date"]).dt.as_unit("ns").to_numpy()
    cover = (pd.to_datetime(alerts["covered_by_date"]).dt.as_unit("ns").to_numpy()
             if "covered_by_date" in alerts.columns else np.full(n, np.datetime64("NaT", "ns")))
    last = (pd.to_datetime(alerts["last_short_date"]).dt.as_unit("ns").to_numpy()
            if "last_short_date" in alerts.columns else first)
    i_first = np.searchsorted(starts, first, side="left")
    i_end = np.where(np.isnat(cover), np.searchsorted(starts, last, side="right"),
                     np.searchsorted(starts, cover, side="left"))
    return np.maximum(i_end - i_first, 1).astype(np.int64)


def _tiers(lines: pd.DataFrame, customers: pd.DataFrame | None) -> pd.Series:
    """Tier per line: the customer master's, else the line's own ``tier``; "" if none."""
    tier = (lines["tier"].astype(object) if "tier" in lines.columns
            else pd.Series(None, index=lines.index, dtype=object))
    if customers is not None and "tier" in customers.columns:
        require_frame(customers, "customers", ("customer_id",))
        master = customers.drop_duplicates("customer_id", keep="last")
        table = pd.Series(master["tier"].astype(object).to_numpy(),
                          index=master["customer_id"].astype(str).to_numpy())
        found = table.reindex(lines["customer_id"].astype(str).to_numpy()).to_numpy()
        tier = pd.Series(np.where(pd.isna(found), tier.to_numpy(), found), index=lines.index,
                         dtype=object)
    return tier.where(tier.notna(), "").astype(str).str.strip().str.upper()


def _weights(tier: pd.Series, tier_weights: Mapping[str, float]) -> np.ndarray:
    table = {str(k).strip().upper(): float(v) for k, v in tier_weights.items()}
    unknown = table.get("UNKNOWN", 1.0)
    bad = [k for k, v in table.items() if not np.isfinite(v) or v < 0]
    if bad:
        raise ConfigError(f"rank_alerts: tier weights must be numbers >= 0, got {bad}",
                          key="tier_weights", value=dict(tier_weights),
                          fix='pass e.g. {"A": 3, "B": 2, "C": 1, "unknown": 1}.')
    return tier.map(table).fillna(unknown).to_numpy(dtype=np.float64)


def _held_back(alerts: pd.DataFrame, value: np.ndarray, periods: np.ndarray,
               controls: NoiseControls, currency: str, language: str) -> np.ndarray:
    """Reason text per alert ("" = shown); a few held-back rows are worded one by one."""
    t = _TEXT[language]
    shortage = pd.to_numeric(alerts["max_shortage_qty"], errors="coerce").to_numpy(np.float64)
    level = alerts["alert_level"].to_numpy(dtype=np.int64)
    exempt = (level >= AlertLevel.CONFIRMED_BREAK) & (not controls.hold_confirmed)
    low_qty = ~exempt & (np.nan_to_num(shortage, nan=0.0) < controls.min_shortage)
    low_value = ~exempt & ~np.isnan(value) & (value < controls.min_value)
    few = ~exempt & (periods >= 0) & (periods < controls.min_periods)
    reasons = np.full(len(alerts), "", dtype=object)
    for i in np.flatnonzero(low_qty | low_value | few):  # only the held-back rows
        parts = []
        if low_qty[i]:
            parts.append(t["shortage"].format(qty=np.nan_to_num(shortage[i]),
                                              min=controls.min_shortage))
        if low_value[i]:
            parts.append(t["value"].format(value=fmt_money(value[i], language, currency),
                                           min=fmt_money(controls.min_value, language,
                                                         currency)))
        if few[i]:
            parts.append(t["periods"].format(n=int(periods[i]), min=controls.min_periods))
        reasons[i] = "; ".join(parts)
    return reasons


def rank_alerts(
    alerts: pd.DataFrame,
    lines: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    *,
    tier_weights: Mapping[str, float] | None = None,
    controls: NoiseControls | None = None,
    min_shortage: float | None = None,
    min_value: float | None = None,
    min_periods: int | None = None,
    period_starts: Sequence[object] | pd.Index | None = None,
    currency: str | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """Rank alerts by tier-weighted order value at risk; hold back noise with the reason.

    Parameters
    ----------
    alerts
        Alerts (:attr:`workbench.planning.alerts.AlertSet.alerts`): ``alert_id``,
        ``alert_level``, ``max_shortage_qty`` (and for ``min_periods``
        ``first_short_date``, ``covered_by_date``, ``last_short_date``).
    lines
        Their affected order lines (``alert_id``, ``order_id``, ``line_no``,
        ``customer_id``, ``qty_short``, optional ``tier``).
    orders
        Order lines with ``unit_price`` (``None``: rank by quantity).
    customers
        Customer master with ``tier`` (else the lines' ``tier``; none: all unknown).
    tier_weights
        Weight per tier (default :data:`DEFAULT_TIER_WEIGHTS`: A 3, B 2, C 1, key
        ``"unknown"`` 1 for a missing or unlisted tier).
    controls
        Noise controls (default :data:`NOISE_CONTROLS`); ``min_shortage``,
        ``min_value`` and ``min_periods`` override single fields.
    min_shortage, min_value, min_periods
        See :class:`NoiseControls` (defaults 1 unit, 0, 1 period).
    period_starts
        Start dates of the projection's periods (``early_warning.inputs.period_start``),
        needed when ``min_periods > 1``; without them ``short_periods`` is -1.
    currency
        ISO code for the amounts in the ``held_back`` texts.
    language
        ``"en"`` or ``"zh"`` for the ``held_back`` texts.

    Returns
    -------
    pandas.DataFrame
        The alerts (all of them) with :data:`RANK_COLUMNS` added: ``value_at_risk``
        (NaN: unknown), ``lines_without_price``, ``tier`` (the highest tier among the
        affected customers, "" if none known), ``tier_weight`` (its weight; 0 when no order line is affected),
        ``priority`` (sum of line value x line tier weight; quantity x weight when
        no line of the alert is priced), ``priority_basis`` (``"value"``,
        ``"quantity"``, or ``"none"`` for an alert without affected order lines,
        priority 0), ``short_periods``, ``held_back`` (why the alert is held
        back, "" when shown) and ``rank`` (1 = most urgent among the shown alerts;
        missing for held-back ones). Sorted by rank, held-back alerts last.

    Examples
    --------
    >>> alerts = pd.DataFrame({"alert_id": ["A", "B"], "alert_level": [2, 2],
    ...                        "max_shortage_qty": [10.0, 0.5]})
    >>> lines = pd.DataFrame({"alert_id": ["A", "B"], "order_id": ["S1", "S2"],
    ...                       "line_no": [1, 1], "customer_id": ["C1", "C2"],
    ...                       "qty_short": [10.0, 0.5]})
    >>> orders = pd.DataFrame({"order_id": ["S1", "S2"], "line_no": [1, 1],
    ...                        "unit_price": [3.0, 8.0]})
    >>> r = rank_alerts(alerts, lines, orders)
    >>> r[["alert_id", "priority", "rank", "held_back"]].values.tolist()
    [['A', 30.0, 1, ''], ['B', 4.0, <NA>, 'shortage 0.50 below the minimum of 1.00']]
    """
    lang = check_language(language)
    require_frame(alerts, "alerts", ("alert_id", "alert_level", "max_shortage_qty"),
                  hint=_FROM_EVALUATE)
    require_frame(lines, "alert_lines", _LINE_KEYS, hint=_FROM_EVALUATE)
    base = controls if controls is not None else NOISE_CONTROLS
    if not isinstance(base, NoiseControls):
        raise ConfigError(f"rank_alerts: controls must be a NoiseControls, got "
                          f"{type(base).__name__}", key="controls", value=type(base).__name__,
                          fix="pass NoiseControls(min_shortage=..., min_value=..., "
                              "min_periods=...).")
    ctl = NoiseControls(
        base.min_shortage if min_shortage is None else min_shortage,
        base.min_value if min_value is None else min_value,
        base.min_periods if min_periods is None else min_periods, base.hold_confirmed)

    priced = line_values(lines, orders)
    tier = _tiers(priced, customers)
    weight = _weights(tier, DEFAULT_TIER_WEIGHTS if tier_weights is None else tier_weights)
    qty = pd.to_numeric(priced["qty_short"], errors="coerce").fillna(0.0).to_numpy(np.float64)
    val = priced["value_at_risk"].to_numpy(dtype=np.float64)
    work = pd.DataFrame({
        "alert_id": priced["alert_id"].astype(str).to_numpy(),
        "value": val, "unpriced": np.isnan(val),
        "wvalue": np.where(np.isnan(val), np.nan, val * weight), "wqty": qty * weight,
        "weight": weight, "tier": tier.to_numpy(dtype=object),
    })
    g = work.groupby("alert_id", sort=False)
    top = work.take(np.argsort(-weight, kind="stable")).drop_duplicates("alert_id")
    agg = pd.DataFrame({
        "value_at_risk": g["value"].sum(min_count=1), "lines_without_price": g["unpriced"].sum(),
        "wvalue": g["wvalue"].sum(min_count=1), "wqty": g["wqty"].sum(),
        "tier_weight": g["weight"].max(), "tier": top.set_index("alert_id")["tier"],
    }).reindex(alerts["alert_id"].astype(str).to_numpy())

    out = alerts.reset_index(drop=True).copy()
    has_lines = agg["wqty"].notna().to_numpy()
    value = np.where(has_lines, agg["value_at_risk"].to_numpy(np.float64), 0.0)
    out["value_at_risk"] = value
    out["lines_without_price"] = agg["lines_without_price"].fillna(0).to_numpy(np.int64)
    out["tier"] = agg["tier"].fillna("").astype(str).to_numpy()
    out["tier_weight"] = agg["tier_weight"].fillna(0.0).to_numpy(np.float64)
    by_value = ~np.isnan(value)
    out["priority"] = np.where(by_value, np.nan_to_num(agg["wvalue"].to_numpy(np.float64)),
                               agg["wqty"].fillna(0.0).to_numpy(np.float64))
    basis = np.where(~has_lines, "none", np.where(by_value, "value", "quantity"))
    out["priority_basis"] = basis
    periods = _short_periods(out, period_starts, ctl.min_periods > 1)
    out["short_periods"] = periods
    out["held_back"] = _held_back(out, value, periods, ctl, currency or "", lang)

    shown = (out["held_back"] == "").to_numpy()
    first = (pd.to_datetime(out["first_short_date"]).to_numpy()
             if "first_short_date" in out.columns else np.zeros(len(out), "datetime64[ns]"))
    order = np.lexsort((out["alert_id"].astype(str).to_numpy(), first,
                        -out["alert_level"].to_numpy(dtype=np.int64),
                        -out["priority"].to_numpy(),
                        np.select([basis == "value", basis == "quantity"], [0, 1], 2), ~shown))
    out = out.take(order).reset_index(drop=True)
    k = int(shown.sum())
    out["rank"] = pd.array([*range(1, k + 1), *([pd.NA] * (len(out) - k))], dtype="Int64")
    return out


# --------------------------------------------------------------------------------------
# Money at stake
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyAtStake:
    """Order value at risk and expedite cost of a set of alerts, with the currency.

    Attributes
    ----------
    currency
        ISO code of every amount (``""``: not stated, amounts without a currency).
    total_value_at_risk
        Sum of the priced affected lines (NaN if lines exist and none is priced).
    by_alert
        One row per alert: ``alert_id``, ``item_id``, ``alert_level``,
        ``value_at_risk`` (0 without lines; NaN if no line is priced), ``lines``,
        ``lines_without_price``, ``qty_short``, ``expedite_mode``,
        ``expedite_cost`` (0 when no expedite is proposed). In alert order.
    by_customer
        One row per customer: ``customer_id``, ``customer_name`` (the id when
        unknown), ``value_at_risk``, ``lines``, ``lines_without_price``,
        ``qty_short``, ``alerts``; largest value first.
    total_expedite_cost
        Sum of ``expedite_cost`` over the alerts with an expedite.
    expedited_alerts
        Alerts with an expedite proposed.
    lines_total, lines_without_price
        Affected order lines, and those without a unit price (not in the values).
    """

    currency: str
    total_value_at_risk: float
    by_alert: pd.DataFrame
    by_customer: pd.DataFrame
    total_expedite_cost: float
    expedited_alerts: int
    lines_total: int
    lines_without_price: int
    customers: int = field(default=0)

    def sentences(self, language: str = "en") -> list[str]:
        """Manager-readable sentences: value at risk (and unpriced lines), expedite cost.

        Examples
        --------
        >>> m = MoneyAtStake("EUR", 1260.0, pd.DataFrame(), pd.DataFrame(), 4108.0, 2, 5, 1, 3)
        >>> m.sentences()  # doctest: +NORMALIZE_WHITESPACE
        ['Order value at risk: €1.3 k in 5 order line(s) of 3 customer(s).',
         '1 of the 5 order line(s) have no unit price and are not counted in the value.',
         'Expedite cost of the proposed countermeasures: €4.1 k for 2 alert(s).']
        """
        lang = check_language(language)
        t = _TEXT[lang]
        out: list[str] = []
        if not self.lines_total:
            out.append(t["no_lines"])
        elif np.isnan(self.total_value_at_risk):
            out.append(t["value_unknown"].format(lines=self.lines_total))
        else:
            out.append(t["value_total"].format(
                value=fmt_money(self.total_value_at_risk, lang, self.currency),
                lines=self.lines_total, customers=self.customers))
            if self.lines_without_price:
                out.append(t["no_price"].format(n=self.lines_without_price,
                                                lines=self.lines_total))
        if self.expedited_alerts:
            out.append(t["expedite"].format(
                cost=fmt_money(self.total_expedite_cost, lang, self.currency),
                n=self.expedited_alerts))
        else:
            out.append(t["no_expedite"])
        return out


def money_at_stake(
    alerts: pd.DataFrame,
    lines: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    *,
    currency: str | None = "",
    min_level: int = AlertLevel.POTENTIAL_CUSTOMER_RISK,
) -> MoneyAtStake:
    """Order value at risk per alert, per customer and in total, and the expedite cost.

    Parameters
    ----------
    alerts
        Alerts (``alert_id``, ``alert_level``; ``item_id``, ``expedite_mode``,
        ``expedite_cost`` used when present). Pass the shown rows of
        :func:`rank_alerts` to leave held-back alerts out.
    lines
        Their affected order lines (lines of other alerts are ignored).
    orders
        Order lines with ``unit_price``.
    customers
        Customer master for ``customer_name`` (optional).
    currency
        ISO code of the prices and the expedite costs (the dataset's
        ``settings.currency``).
    min_level
        Alerts below this level are left out (default 2: the customer-facing ones;
        level-1 lines are only at risk if planned receipts slip).

    Returns
    -------
    MoneyAtStake
        Totals satisfy ``total_value_at_risk == by_alert.value_at_risk.sum() ==
        by_customer.value_at_risk.sum()`` (over known values).

    Examples
    --------
    >>> alerts = pd.DataFrame({"alert_id": ["A", "B"], "alert_level": [3, 2],
    ...                        "expedite_mode": [None, "air freight"],
    ...                        "expedite_cost": [float("nan"), 40.0]})
    >>> lines = pd.DataFrame({"alert_id": ["A", "B"], "order_id": ["S1", "S2"],
    ...                       "line_no": [1, 1], "customer_id": ["C1", "C1"],
    ...                       "qty_short": [10.0, 2.0]})
    >>> orders = pd.DataFrame({"order_id": ["S1", "S2"], "line_no": [1, 1],
    ...                        "unit_price": [3.0, 8.0]})
    >>> m = money_at_stake(alerts, lines, orders, currency="EUR")
    >>> m.total_value_at_risk, m.total_expedite_cost, m.by_customer["value_at_risk"].tolist()
    (46.0, 40.0, [46.0])
    """
    require_frame(alerts, "alerts", ("alert_id", "alert_level"), hint=_FROM_EVALUATE)
    require_frame(lines, "alert_lines", _LINE_KEYS, hint=_FROM_EVALUATE)
    a = alerts.loc[alerts["alert_level"].to_numpy(dtype=np.int64) >= int(min_level)]
    a = a.drop_duplicates("alert_id").reset_index(drop=True)
    ids = a["alert_id"].astype(str)
    ln = lines.loc[lines["alert_id"].astype(str).isin(set(ids))]
    var = value_at_risk(ln, orders)

    per = var.by_alert.set_index("alert_id").reindex(ids.to_numpy())
    by_alert = pd.DataFrame({
        "alert_id": ids.to_numpy(),
        "item_id": (a["item_id"].astype(str).to_numpy() if "item_id" in a.columns
                    else np.full(len(a), "", dtype=object)),
        "alert_level": a["alert_level"].to_numpy(dtype=np.int64),
        "value_at_risk": np.where(per["lines"].isna(), 0.0, per["value_at_risk"]),
        "lines": per["lines"].fillna(0).to_numpy(np.int64),
        "lines_without_price": per["lines_without_price"].fillna(0).to_numpy(np.int64),
        "qty_short": per["qty_short"].fillna(0.0).to_numpy(np.float64),
    })
    mode = (a["expedite_mode"].astype(object) if "expedite_mode" in a.columns
            else pd.Series(None, index=a.index, dtype=object))
    mode = mode.where(mode.notna(), "").astype(str).str.strip()
    cost = (pd.to_numeric(a["expedite_cost"], errors="coerce").to_numpy(np.float64)
            if "expedite_cost" in a.columns else np.full(len(a), np.nan))
    expedited = (mode != "").to_numpy() & ~np.isnan(cost)
    by_alert["expedite_mode"] = mode.to_numpy(dtype=object)
    by_alert["expedite_cost"] = np.where(expedited, cost, 0.0)

    by_customer = var.by_customer.copy()
    names = pd.Series(dtype=object)
    if customers is not None and "customer_name" in customers.columns:
        master = customers.drop_duplicates("customer_id", keep="last")
        names = pd.Series(master["customer_name"].astype(object).to_numpy(),
                          index=master["customer_id"].astype(str).to_numpy())
    found = names.reindex(by_customer["customer_id"].to_numpy()).to_numpy(dtype=object)
    by_customer.insert(1, "customer_name",
                       np.where(pd.isna(found), by_customer["customer_id"].to_numpy(), found))
    return MoneyAtStake(
        currency=(currency or "").strip().upper(), total_value_at_risk=var.total,
        by_alert=by_alert, by_customer=by_customer,
        total_expedite_cost=float(by_alert["expedite_cost"].sum()),
        expedited_alerts=int(expedited.sum()), lines_total=var.lines_total,
        lines_without_price=var.lines_without_price, customers=len(by_customer))
