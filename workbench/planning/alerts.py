"""Delivery early warning: the alert set of a PAB projection, and the whole review in one call.

:func:`evaluate` is the one entry point that turns a PAB projection into alerts
and the customer order lines they hit (an :class:`AlertSet`); the rule that
decides each item's kind and level lives in :mod:`workbench.planning.alert_rules`,
the English and Chinese texts in :mod:`workbench.planning.alert_texts`, the
expedite options in :mod:`workbench.planning.expedite`. :func:`evaluate_alerts`
and :func:`alert_lines` return one half of the set.

:func:`run_early_warning` runs the whole review on a dataset: build buckets,
project PAB, stress the planned receipts and evaluate the alerts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import (
    ConfigError,
    DateParameterError,
    InputTypeError,
    NotAvailableError,
)
from workbench.io.dataset import Dataset
from workbench.planning.alert_rules import (
    AlertKind,
    AlertSettings,
    Risks,
    alert_ids,
    find_risks,
    kind_labels,
    kind_levels,
    lookahead_periods,
)
from workbench.planning.alert_texts import alert_texts, fill_customer_counts
from workbench.planning.allocation import allocate_shortages
from workbench.planning.buckets import PabInput, build_buckets
from workbench.planning.expedite import load_expedite_options, validate_expedite_options
from workbench.planning.pab import PabResult, project_pab, stress_supply
from workbench.validation import check_date, check_language, require_frame

__all__ = [
    "ALERT_COLUMNS",
    "LINE_COLUMNS",
    "AlertSet",
    "EarlyWarning",
    "alert_lines",
    "allocation_tiers",
    "evaluate",
    "evaluate_alerts",
    "planning_date",
    "run_early_warning",
    "select_items",
]

ALERT_COLUMNS: tuple[str, ...] = (
    "alert_id", "item_id", "alert_level", "kind", "first_short_period", "first_short_date",
    "last_short_date", "max_shortage_qty", "gap_qty", "covered_by_date", "affected_customers",
    "affected_lines", "qty_short", "root_cause", "recommended_action", "expedite_mode",
    "expedite_cost", "expedite_arrival", "as_of",
)
"""Columns of :attr:`AlertSet.alerts` (:func:`evaluate_alerts`), in order."""

LINE_COLUMNS: tuple[str, ...] = (
    "alert_id", "item_id", "alert_level", "kind", "order_id", "line_no", "customer_id", "tier",
    "due_date", "qty_open", "qty_short", "short_from", "covered_by_date",
)
"""Columns of :attr:`AlertSet.lines` (:func:`alert_lines`), in order."""


def _tier_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``customer_id`` and non-empty ``tier`` (stripped, upper case), first row per customer."""
    first = frame.drop_duplicates("customer_id")
    tier = first["tier"].astype(object)
    tier = tier.where(tier.notna(), "").astype(str).str.strip().str.upper()
    keep = (tier != "").to_numpy(dtype=bool)
    return pd.DataFrame({"customer_id": first["customer_id"].astype(str).to_numpy()[keep],
                         "tier": tier.to_numpy()[keep]})


def allocation_tiers(customers: pd.DataFrame | None,
                     tiers: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Return the service tier per customer that ranks scarce supply in the allocation.

    The customer master's ``tier`` wins where it is set; customers it gives no
    tier (or all of them, when the master has no ``tier`` column or there is no
    master) take the tier from ``tiers`` -- the value tiers the workbench
    computes (:func:`workbench.customers.customer_tiers`' ``tiers``: ABC by the
    customer's share of revenue or volume).

    Parameters
    ----------
    customers
        Customer master (``customer_id``, optionally ``tier``), or ``None``.
    tiers
        ``customer_id`` and ``tier`` per customer (the computed tiers), or ``None``.

    Returns
    -------
    pandas.DataFrame or None
        ``customer_id``, ``tier`` (stripped, upper case) and ``tier_source``
        (``"master"`` or ``"derived"``), one row per customer with a tier;
        ``None`` when no customer has one (the allocation then goes by due date).

    Raises
    ------
    FrameTypeError, MissingColumnsError
        ``customers`` or ``tiers`` is not a DataFrame or lacks ``customer_id`` /
        ``tier``.

    Examples
    --------
    >>> master = pd.DataFrame({"customer_id": ["x", "y"], "tier": ["c", None]})
    >>> abc = pd.DataFrame({"customer_id": ["x", "y", "z"], "tier": ["A", "A", "B"]})
    >>> allocation_tiers(master, abc).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'customer_id': ['x', 'y', 'z'], 'tier': ['C', 'A', 'B'],
     'tier_source': ['master', 'derived', 'derived']}
    >>> allocation_tiers(master.drop(columns="tier")) is None
    True
    """
    parts = []
    if customers is not None:
        require_frame(customers, "customers", ("customer_id",),
                      hint="pass the dataset's customer master.")
        if "tier" in customers.columns:
            parts.append(_tier_labels(customers).assign(tier_source="master"))
    if tiers is not None:
        require_frame(tiers, "tiers", ("customer_id", "tier"),
                      hint="pass customer_tiers(orders, customers, ...).tiers.")
        derived = _tier_labels(tiers)
        if parts:
            derived = derived.loc[~derived["customer_id"].isin(parts[0]["customer_id"])]
        parts.append(derived.assign(tier_source="derived"))
    if not parts or not sum(len(p) for p in parts):
        return None
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"customer_id": "str", "tier": "str", "tier_source": "str"})


@dataclass(frozen=True)
class AlertSet:
    """Alerts and their affected order lines, as computed by :func:`evaluate`.

    Attributes
    ----------
    alerts
        One row per risk, columns :data:`ALERT_COLUMNS`.
    lines
        One row per affected order line, columns :data:`LINE_COLUMNS`.
    """

    alerts: pd.DataFrame
    lines: pd.DataFrame


def evaluate(
    result: PabResult,
    inputs: PabInput | None = None,
    orders: pd.DataFrame | None = None,
    *,
    customers: pd.DataFrame | None = None,
    tiers: pd.DataFrame | None = None,
    frozen_periods: int = 2,
    slip_periods: int | None = 2,
    expedite_options: pd.DataFrame | None = None,
    as_of: object = None,
    rule: str = "priority_then_due",
    language: str = "en",
    lookahead: PabResult | None = None,
    currency: str = "",
) -> AlertSet:
    """Alerts (one tidy row per item at risk) and the affected order lines, in one pass.

    Parameters
    ----------
    result
        PAB projection (:func:`workbench.planning.pab.project_pab`).
    inputs
        The :class:`~workbench.planning.buckets.PabInput` of ``result`` (or
        ``None``: taken from it).
    orders
        The ``order_lines`` frame the buckets were built from (``order_id``,
        ``line_no``, ``customer_id`` needed to name the affected lines).
    customers
        Customer master; its ``tier`` (where set) ranks lines in the allocation.
    tiers
        The service tiers the workbench computes per customer (``customer_id``,
        ``tier``; :func:`workbench.customers.customer_tiers`' ``tiers``): they rank
        the lines of customers the master gives no tier (all of them when the
        master has no ``tier`` column or there is none). See
        :func:`allocation_tiers`; without any tier the allocation goes by due date.
    frozen_periods
        Periods that can no longer be changed: a shortage starting in them is a
        confirmed break (level 3).
    slip_periods
        How late planned receipts may come for the level-1 dependency check
        (``None``: not at all).
    expedite_options
        Options table (default
        :func:`~workbench.planning.expedite.load_expedite_options`).
    as_of
        Today, for expedite arrivals (default ``inputs.as_of``).
    rule
        Allocation rule for the affected lines (see
        :func:`workbench.planning.allocation.allocate_shortages`).
    language
        Language of ``root_cause`` and ``recommended_action``: ``"en"`` (English) or
        ``"zh"`` (Chinese: the same numbers, dates written as ``2026年7月6日``, the
        built-in expedite modes translated, user-defined mode names kept as given).
        ``kind`` and the other columns are the same in both languages.
    lookahead
        The same data projected over a longer horizon (same items, ``as_of``,
        ``freq`` and first periods), at least
        :func:`~workbench.planning.alert_rules.lookahead_periods` periods longer:
        the levels then do not depend on where ``result`` stops (see
        :func:`~workbench.planning.alert_rules.find_risks`).
        :func:`run_early_warning` passes one; without it, a shortage whose spell
        runs past the horizon end is judged on the receipts inside the horizon.
    currency
        ISO code of the dataset's currency, written with the expedite costs in
        ``recommended_action`` (``€4,108``); :func:`run_early_warning` passes the
        dataset's ``settings.currency``.

    Returns
    -------
    AlertSet
        ``.alerts``: columns :data:`ALERT_COLUMNS`, sorted by level (highest
        first), first short date and item:

        ``alert_id``
            ``"{item_id}|{first_short_date:%Y-%m-%d}"``: deterministic, stable across
            runs while the risk starts on the same date.
        ``alert_level``, ``kind``
            1 (``below_safety_stock``, ``planned_receipt_dependency``), 2
            (``potential_shortage``) or 3 (``confirmed_break``); rules in
            :mod:`workbench.planning.alert_rules`.
        ``first_short_period``, ``first_short_date``, ``last_short_date``
            First / last affected period (index and start date): with an open order
            line short (levels 2-3), short if planned receipts slip (planned
            dependency) or below safety stock.
        ``max_shortage_qty``
            Largest orders-only deficit (levels 2-3), largest stressed shortage
            (planned dependency) or largest gap to safety stock.
        ``gap_qty``, ``covered_by_date``
            Levels 2-3: largest deficit of the first shortage spell and the start of
            the period when supply catches up (NaT if not inside the horizon).
        ``affected_customers``, ``affected_lines``, ``qty_short``
            From the affected order lines.
        ``root_cause``, ``recommended_action``
            Plain text built from the numbers, in ``language``.
        ``expedite_mode``, ``expedite_cost``, ``expedite_arrival``
            Levels 2-3: cheapest option that closes the gap in time (missing if
            none; see :func:`~workbench.planning.expedite.cheapest_expedite`).
        ``as_of``
            Planning date.

        ``.lines``: columns :data:`LINE_COLUMNS`, in alert order. Levels 2-3: the
        lines that go short with the current plan
        (:func:`~workbench.planning.allocation.allocate_shortages`). Planned-receipt
        dependencies: the lines that would go short if the planned receipts
        slipped. Below safety stock: none. ``short_from`` is the start of the
        period the line is short from, ``covered_by_date`` the start of the period
        it is fully served (NaT if not inside the horizon).

    Raises
    ------
    InputTypeError
        ``result`` is not a :class:`~workbench.planning.pab.PabResult`.
    FrameTypeError
        ``orders`` is not a DataFrame.
    CountError, ChoiceError, LanguageError
        A setting is out of range (see
        :class:`~workbench.planning.alert_rules.AlertSettings`).
    """
    if not isinstance(result, PabResult):
        raise InputTypeError(f"evaluate_alerts needs a PabResult, got {type(result).__name__}",
                             key="result", value=type(result).__name__,
                             fix="pass project_pab(build_buckets(...)).")
    inp = result.inputs
    if inputs is not None and inputs is not inp:
        raise ConfigError(
            "evaluate_alerts: inputs must be the PabInput the result was projected from",
            key="inputs", value=type(inputs).__name__,
            fix="pass result.inputs (or None) as inputs.")
    require_frame(orders, "order_lines",
                  hint="pass the order lines the PAB buckets were built from.")
    settings = AlertSettings(frozen_periods, slip_periods, rule, language, currency or "")
    opts = (load_expedite_options() if expedite_options is None
            else validate_expedite_options(expedite_options))
    today = inp.as_of if as_of is None else check_date(as_of, key="as_of")
    cust = allocation_tiers(customers, tiers)

    if lookahead is not None and not isinstance(lookahead, PabResult):
        raise InputTypeError(f"lookahead must be a PabResult, got {type(lookahead).__name__}",
                             key="lookahead", value=type(lookahead).__name__,
                             fix="pass project_pab(...) of the same data over a longer "
                                 "horizon, or None.")
    risks = find_risks(result, settings, opts, today, lookahead)
    alerts = _alert_frame(risks, settings, today)
    lines = _affected_lines(orders, risks, cust, settings, alerts["alert_id"].to_numpy())
    counts = lines.groupby("alert_id", sort=False).agg(
        affected_customers=("customer_id", "nunique"), affected_lines=("order_id", "size"),
        qty_short=("qty_short", "sum"))
    counts = counts.reindex(alerts["alert_id"])
    alerts["affected_customers"] = counts["affected_customers"].fillna(0).to_numpy(np.int64)
    alerts["affected_lines"] = counts["affected_lines"].fillna(0).to_numpy(np.int64)
    alerts["qty_short"] = counts["qty_short"].fillna(0.0).to_numpy(np.float64)
    alerts["recommended_action"] = fill_customer_counts(
        alerts["recommended_action"], alerts["affected_customers"].to_numpy(),
        settings.language)
    return _in_alert_order(alerts, lines)


def _alert_frame(risks: Risks, settings: AlertSettings, today: pd.Timestamp) -> pd.DataFrame:
    """One row per item with an alert, in item order (line counts still missing)."""
    inp = risks.result.inputs
    starts = inp.period_start.to_numpy().astype("datetime64[ns]")
    sel = risks.selected
    kind = risks.kind[sel]
    first_date = starts[risks.first_period[sel]]
    item_ids = inp.item_id.to_numpy(dtype=object).astype(str)[sel]
    cf = risks.customer_facing[sel]
    root, action = alert_texts(risks, settings)
    alerts = pd.DataFrame({
        "alert_id": pd.array(alert_ids(item_ids, first_date).astype(object), dtype="str"),
        "item_id": pd.array(item_ids.astype(object), dtype="str"),
        "alert_level": kind_levels(kind),
        "kind": pd.array(kind_labels(kind), dtype="str"),
        "first_short_period": risks.first_period[sel].astype(np.int64),
        "first_short_date": first_date,
        "last_short_date": starts[risks.last_period[sel]],
        "max_shortage_qty": risks.max_shortage[sel],
        "gap_qty": np.where(cf, risks.gap[sel], np.nan),
        "covered_by_date": risks.covered_by[sel],
        "root_cause": pd.array(root.astype(object), dtype="str"),
        "recommended_action": pd.array(action.astype(object), dtype="str"),
    })
    e = risks.expedite.iloc[sel].reset_index(drop=True)
    alerts["expedite_mode"] = pd.array(e["expedite_mode"].where(cf, None), dtype="str")
    alerts["expedite_cost"] = e["expedite_cost"].where(cf, np.nan).to_numpy()
    alerts["expedite_arrival"] = e["expedite_arrival"].where(cf, pd.NaT).to_numpy()
    alerts["as_of"] = pd.Timestamp(today).as_unit("ns")
    return alerts


def _affected_lines(orders: pd.DataFrame, risks: Risks, customers: pd.DataFrame | None,
                    settings: AlertSettings, alert_id: np.ndarray) -> pd.DataFrame:
    """Affected order lines: base allocation for shortages, stressed for planned risks."""
    result = risks.result
    inp = result.inputs
    kind = risks.kind
    id_of = np.full(kind.size, None, dtype=object)
    id_of[risks.selected] = alert_id.astype(object)
    rule, slip = settings.allocation_rule, settings.slip_periods

    def keep(part: pd.DataFrame, want: np.ndarray) -> pd.DataFrame:
        codes = part["item_id"].cat.codes.to_numpy().astype(np.int64)
        return part.loc[want[codes]]

    frames = []
    facing = kind >= AlertKind.POTENTIAL_SHORTAGE
    if facing.any():
        frames.append(keep(allocate_shortages(orders, result, customers=customers, rule=rule),
                           facing))
    dependent = kind == AlertKind.PLANNED_RECEIPT_DEPENDENCY
    if dependent.any():
        stressed_in = (stress_supply(inp, short_pct=100.0, only_planned=True) if slip is None
                       else stress_supply(inp, slip_periods=slip, only_planned=True))
        stressed = project_pab(stressed_in, demand_time_fence=result.demand_time_fence,
                               with_atp=False, with_cover=False)
        frames.append(keep(allocate_shortages(orders, stressed, customers=customers,
                                              rule=rule), dependent))
    if frames:
        out = pd.concat(frames, ignore_index=True)
        codes = out["item_id"].cat.codes.to_numpy().astype(np.int64)
    else:
        out = pd.DataFrame({
            "order_id": pd.array([], dtype="str"), "line_no": pd.array([], dtype="Int64"),
            "customer_id": pd.array([], dtype="str"), "tier": pd.array([], dtype="str"),
            "due_date": np.zeros(0, "datetime64[ns]"), "qty_open": np.zeros(0),
            "qty_short": np.zeros(0), "short_from": np.zeros(0, "datetime64[ns]"),
            "covered_by_date": np.zeros(0, "datetime64[ns]")})
        codes = np.zeros(0, dtype=np.int64)
    kc = kind[codes]
    frame = pd.DataFrame({
        "alert_id": pd.array(id_of[codes], dtype="str"),
        "item_id": pd.array(inp.item_id.to_numpy(dtype=object)[codes], dtype="str"),
        "alert_level": kind_levels(kc),
        "kind": pd.array(kind_labels(kc), dtype="str"),
    })
    for col in ("order_id", "line_no", "customer_id", "tier", "due_date", "qty_open",
                "qty_short", "short_from", "covered_by_date"):
        frame[col] = out[col].reset_index(drop=True)
    return frame[list(LINE_COLUMNS)]


def _in_alert_order(alerts: pd.DataFrame, lines: pd.DataFrame) -> AlertSet:
    """Sort alerts by level (highest first), first short date and item; lines follow."""
    order = np.lexsort((alerts["item_id"].to_numpy(dtype=object).astype(str),
                        alerts["first_short_date"].to_numpy(), -alerts["alert_level"].to_numpy()))
    alerts = alerts.take(order).reset_index(drop=True)[list(ALERT_COLUMNS)]
    rank = pd.Series(np.arange(len(alerts)), index=alerts["alert_id"].to_numpy(dtype=object))
    pos = rank.reindex(lines["alert_id"].to_numpy(dtype=object)).to_numpy()
    lines = lines.take(np.argsort(pos, kind="stable")).reset_index(drop=True)
    return AlertSet(alerts, lines)


def evaluate_alerts(result: PabResult, inputs: PabInput | None = None,
                    orders: pd.DataFrame | None = None, **options: object) -> pd.DataFrame:
    """Return the alerts of :func:`evaluate` (its ``.alerts``); same parameters.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALERT_COLUMNS`, one row per item at risk.
    """
    return evaluate(result, inputs, orders, **options).alerts  # type: ignore[arg-type]


def alert_lines(result: PabResult, inputs: PabInput | None = None,
                orders: pd.DataFrame | None = None, **options: object) -> pd.DataFrame:
    """Return the affected customer order lines of :func:`evaluate` (its ``.lines``).

    Same parameters (the lines carry no text, so ``language`` does not matter).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LINE_COLUMNS`, in alert order.
    """
    return evaluate(result, inputs, orders, **options).lines  # type: ignore[arg-type]


@dataclass(frozen=True)
class EarlyWarning:
    """Everything one early-warning review produces.

    Attributes
    ----------
    as_of
        Planning date used.
    inputs, result
        PAB buckets and projection with the current plan.
    stressed
        PAB projection with planned receipts ``slip_periods`` late (for charts).
    alerts, lines
        :func:`evaluate` output: one row per risk, and the affected order lines.
    tiers
        The tier per customer that ranked the allocation (:func:`allocation_tiers`:
        ``customer_id``, ``tier``, ``tier_source``); ``None``: no tier, the
        allocation went by due date.
    """

    as_of: pd.Timestamp
    inputs: PabInput
    result: PabResult
    stressed: PabResult
    alerts: pd.DataFrame
    lines: pd.DataFrame
    tiers: pd.DataFrame | None = None


def select_items(frame: pd.DataFrame | None, spec: str) -> pd.DataFrame | None:
    """Select the rows of ``frame`` whose ``item_id`` matches ``spec``.

    ``spec`` holds comma-separated ids and ``PREFIX*`` patterns, or is empty for all.
    """
    if frame is None or not spec.strip():
        return frame
    ids = [s.strip() for s in spec.split(",") if s.strip()]
    item = frame["item_id"].astype("str")
    keep = np.zeros(len(frame), dtype=bool)
    for s in ids:
        keep |= (item.str.startswith(s[:-1]) if s.endswith("*") else item == s).to_numpy(
            dtype=bool, na_value=False)
    return frame.loc[keep]


def planning_date(dataset: Dataset, as_of: object = None) -> pd.Timestamp:
    """Return the planning date of an early-warning review: ``as_of``, else the latest snapshot.

    Parameters
    ----------
    dataset
        The dataset reviewed (needs ``order_lines``; ``inventory`` when ``as_of`` is empty).
    as_of
        Planning date; None or blank: the latest ``inventory.snapshot_date``.

    Raises
    ------
    NotAvailableError
        The dataset has no order lines.
    DateParameterError
        No ``as_of`` and no inventory snapshot to take it from, or ``as_of`` is not a date.
    """
    if dataset.orders is None:
        raise NotAvailableError("the early warning", ["order_lines"])
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        if dataset.inventory is None or dataset.inventory.empty:
            raise DateParameterError("no as_of date and no inventory snapshot to take it from",
                                     key="as_of", fix="pass as_of='YYYY-MM-DD'.")
        as_of = dataset.inventory["snapshot_date"].max()
    return check_date(as_of, key="as_of", fix="pass as_of='YYYY-MM-DD'.")


def run_early_warning(dataset: Dataset, *, as_of: object = None, horizon: int = 13,
                      freq: str = "W", demand_time_fence: int = 2, frozen_periods: int = 2,
                      slip_periods: int = 2, items: str = "",
                      expedite_options: pd.DataFrame | None = None,
                      rule: str = "priority_then_due", language: str = "en",
                      tiers: pd.DataFrame | None = None) -> EarlyWarning:
    """Build buckets, project PAB, stress planned receipts and evaluate alerts in one call.

    Parameters
    ----------
    dataset
        A :class:`workbench.io.dataset.Dataset` with order lines, supply plan,
        inventory, and optionally forecast, items and customers.
    as_of
        Planning date; default the latest inventory snapshot date.
    horizon, freq
        Number and size of the periods (:func:`~workbench.planning.buckets.build_buckets`).
    demand_time_fence
        Periods in which only customer orders count as demand
        (:func:`~workbench.planning.pab.project_pab`).
    frozen_periods, slip_periods, expedite_options, rule
        As in :func:`evaluate`; ``slip_periods`` also shifts the planned receipts
        of the stressed projection.
    items
        Item filter for :func:`select_items` (comma-separated ids or ``PREFIX*``).
    language
        ``"en"`` or ``"zh"``: language of the alerts' ``root_cause`` and
        ``recommended_action`` (see :func:`evaluate`).
    tiers
        The service tiers the workbench computes per customer
        (:func:`workbench.customers.customer_tiers`' ``tiers``): where the
        dataset's customer master gives no tier, they rank scarce supply in the
        allocation (see :func:`allocation_tiers`); ``None``: only the master's.

    Returns
    -------
    EarlyWarning

    Raises
    ------
    NotAvailableError
        The dataset has no order lines.
    DateParameterError
        No ``as_of`` and no inventory snapshot to take it from, or ``as_of`` is
        not a date.
    """
    check_language(language)
    as_of = planning_date(dataset, as_of)
    orders = select_items(dataset.orders, items)
    frames = (orders, select_items(dataset.forecast, items),
              select_items(dataset.supply_plan, items), select_items(dataset.inventory, items),
              select_items(dataset.items, items))
    inputs = build_buckets(*frames, as_of=as_of, horizon=horizon, freq=freq)
    result = project_pab(inputs, demand_time_fence=demand_time_fence)
    opts = (load_expedite_options() if expedite_options is None
            else validate_expedite_options(expedite_options))
    # The same data over a longer horizon: the levels must not depend on where it stops.
    longer = build_buckets(*frames, as_of=as_of, freq=inputs.freq,
                           horizon=inputs.n_periods + lookahead_periods(opts, inputs.freq))
    lookahead = project_pab(longer, demand_time_fence=demand_time_fence, with_atp=False,
                            with_cover=False)
    stressed = project_pab(stress_supply(inputs, slip_periods=slip_periods, only_planned=True),
                           demand_time_fence=demand_time_fence)
    ranking = allocation_tiers(dataset.customers, tiers)
    found = evaluate(result, inputs, orders, customers=ranking,
                     frozen_periods=frozen_periods, slip_periods=slip_periods,
                     expedite_options=opts, as_of=as_of, rule=rule,
                     language=language, lookahead=lookahead,
                     currency=getattr(getattr(dataset, "settings", None), "currency", ""))
    return EarlyWarning(as_of, inputs, result, stressed, found.alerts, found.lines, ranking)
