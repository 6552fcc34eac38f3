"""Customers' order changes: counts and rates, timing before due, size, nervousness, PAB impact.

Functions on the ``order_changes`` log joined to the ``order_lines`` it refers
to (on ``order_id, line_no``; see ``docs/data-model.md``). Cancelled lines stay
in: a cancellation is a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.planning.pab import build_buckets, project_pab
from workbench.validation import date_values, require_frame

__all__ = [
    "CHANGE_TYPES",
    "TIMING_BUCKETS",
    "ChangeTiming",
    "change_magnitude",
    "change_shortage_impact",
    "change_summary",
    "change_timing",
    "nervousness",
    "orders_before_changes",
]

CHANGE_TYPES: tuple[str, ...] = ("qty_up", "qty_down", "date_in", "date_out", "spec", "cancel")
"""Change types of the ``order_changes`` table; anything else counts as ``other``."""

TIMING_BUCKETS: tuple[str, ...] = ("<1", "1-2", "2-4", "4-8", ">8")
"""Weeks-before-due buckets of :func:`change_timing` (lower bound inclusive)."""

_BUCKET_EDGES_DAYS = np.array([7, 14, 28, 56])
_SPEC_MAGNITUDE = 0.5
_FULL_MOVE_DAYS = 28.0
_UNKNOWN_LATENESS = 0.5


def _date_series(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """``frame[column]`` as naive datetimes on ``frame``'s index (text is parsed)."""
    return pd.Series(date_values(frame[column], table=table, column=column), index=frame.index)


def _change_types(changes: pd.DataFrame) -> pd.Series:
    """Change type per change, lower case; anything not in :data:`CHANGE_TYPES` is ``other``."""
    t = changes["change_type"].astype("str").str.strip().str.lower()
    return t.where(t.isin(CHANGE_TYPES), "other").fillna("other")


def _attach(changes: pd.DataFrame, orders: pd.DataFrame, cols: Sequence[str],
            what: str) -> pd.DataFrame:
    """Return the changes with ``cols`` of their order line (joined on order_id, line_no).

    A column the order line lacks (line not in ``orders``) keeps the value the
    change log itself carries, when it has that column.
    """
    require_frame(changes, "order_changes", ("order_id", "line_no", "change_type"),
                  hint=f"Needed for {what}.")
    require_frame(orders, "order_lines", ("order_id", "line_no", *cols), hint=f"Needed for {what}.")
    key = ["order_id", "line_no"]
    lines = orders[key + list(cols)].drop_duplicates(key)
    lines = lines.assign(order_id=lines["order_id"].astype("str"),
                         line_no=lines["line_no"].astype("Int64"))
    ch = changes.reset_index(drop=True)
    left = pd.DataFrame({"order_id": ch["order_id"].astype("str"),
                         "line_no": ch["line_no"].astype("Int64")})
    joined = left.merge(lines, on=key, how="left", suffixes=("", "_line"))
    out = ch.copy()
    for c in cols:
        val = joined[c]
        if c in ch.columns:
            val = val.where(val.notna(), ch[c].to_numpy())
        out[c] = val.to_numpy()
    return out


def change_summary(changes: pd.DataFrame, orders: pd.DataFrame, *,
                   by: str = "customer_id") -> pd.DataFrame:
    """Change counts and change rate per customer (or item, or any line column).

    Parameters
    ----------
    changes : DataFrame
        ``order_changes`` log.
    orders : DataFrame
        Order lines (all of them, cancelled ones too: a cancellation is a change).
    by : str, default "customer_id"
        Grouping column of the order lines.

    Returns
    -------
    DataFrame
        ``<by>, lines, changed_lines, changes, change_rate, changes_per_line,
        qty_up, qty_down, date_in, date_out, spec, cancel, other``, sorted by key.
        ``change_rate`` = changed lines / lines (NaN when the group has no line
        in ``orders``); the type columns count changes.
    """
    ch = _attach(changes, orders, [by], "order-change summary")
    types = _change_types(ch)
    lines = orders.groupby(by, observed=True, sort=False).size().rename("lines")
    counts = pd.crosstab(ch[by], types).reindex(columns=[*CHANGE_TYPES, "other"],
                                                fill_value=0)
    changed = (ch.drop_duplicates(["order_id", "line_no"]).groupby(by, observed=True)
               .size().rename("changed_lines"))
    n = counts.sum(axis=1).rename("changes")
    out = pd.concat([lines, changed, n, counts], axis=1).fillna(0)
    out.index.name = by
    out = out.reset_index().sort_values(by, ignore_index=True)
    int_cols = ["lines", "changed_lines", "changes", *CHANGE_TYPES, "other"]
    out[int_cols] = out[int_cols].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        lines_f = out["lines"].to_numpy(np.float64)
        out.insert(4, "change_rate", np.where(lines_f > 0, out["changed_lines"] / lines_f,
                                              np.nan))
        out.insert(5, "changes_per_line", np.where(lines_f > 0, out["changes"] / lines_f,
                                                   np.nan))
    return out


@dataclass(frozen=True)
class ChangeTiming:
    """Result of :func:`change_timing`."""

    per_change: pd.DataFrame
    """The change log (original row order) with ``requested_date`` (the line's, after
    all changes), ``due_date, days_before_due, weeks_before_due, bucket``."""
    distribution: pd.DataFrame
    """``bucket, changes, share`` over :data:`TIMING_BUCKETS` (+ ``unknown`` if any)."""


def change_timing(changes: pd.DataFrame, orders: pd.DataFrame) -> ChangeTiming:
    """How long before the due date customers change their orders.

    Parameters
    ----------
    changes : DataFrame
        ``order_changes`` log (``change_date`` needed).
    orders : DataFrame
        Order lines (``requested_date`` needed).

    Returns
    -------
    ChangeTiming
        ``per_change``: every change with ``due_date``, ``days_before_due =
        due_date - change_date`` (negative when changed after the due date),
        ``weeks_before_due`` (days / 7) and ``bucket``; ``distribution``:
        changes and share per bucket.

    Notes
    -----
    The due date is the line's requested date *in force before the change*.
    The order lines hold the requested date after every change, so for a change
    it is the ``old_date`` of the same or the next date change (``date_in`` /
    ``date_out`` with an ``old_date``) of that line in ``change_seq`` order,
    else the line's ``requested_date``. Buckets, weeks before due: ``<1``
    (under 7 days, including overdue), ``1-2``, ``2-4``, ``4-8``, ``>8`` (56
    days or more); lower bounds are inclusive. A change without a due date is
    in bucket ``unknown``.
    """
    require_frame(changes, "order_changes", ("change_date",),
                  hint="Needed for order-change timing.")
    ch = _attach(changes, orders, ["requested_date"], "order-change timing")
    ch["_pos"] = np.arange(len(ch))
    seq = (ch["change_seq"] if "change_seq" in ch.columns
           else pd.Series(np.arange(len(ch)), index=ch.index))
    ch = ch.assign(_seq=pd.to_numeric(seq, errors="coerce"),
                   _oid=ch["order_id"].astype("str"), _ln=ch["line_no"].astype("Int64"))
    ch = ch.sort_values(["_oid", "_ln", "_seq", "_pos"], kind="mergesort")
    types = _change_types(ch)
    if "old_date" in ch.columns:
        old = _date_series(ch, "old_date", "order_changes")
        old = old.where(types.isin(["date_in", "date_out"]).to_numpy())
        nxt = old.groupby([ch["_oid"], ch["_ln"]], sort=False).bfill()
    else:
        nxt = pd.Series(pd.NaT, index=ch.index, dtype="datetime64[ns]")
    req = _date_series(ch, "requested_date", "order_lines")
    due = nxt.where(nxt.notna(), req)
    cdate = _date_series(ch, "change_date", "order_changes")
    days = (due - cdate).dt.days.astype("float64")
    ch = ch.sort_values("_pos", kind="mergesort")
    days = days.loc[ch.index]
    due = due.loc[ch.index]
    d = days.to_numpy(np.float64)
    idx = np.searchsorted(_BUCKET_EDGES_DAYS, np.nan_to_num(d, nan=0.0), side="right")
    labels = np.asarray(TIMING_BUCKETS, dtype=object)[idx]
    labels = np.where(np.isnan(d), "unknown", labels)
    cats = [*TIMING_BUCKETS, "unknown"]
    per = ch.drop(columns=["_pos", "_seq", "_oid", "_ln"]).assign(
        due_date=due.to_numpy(), days_before_due=d, weeks_before_due=d / 7.0,
        bucket=pd.Categorical(labels, categories=cats, ordered=True))
    per = per.reset_index(drop=True)
    counts = per["bucket"].value_counts(sort=False).reindex(cats, fill_value=0)
    if counts["unknown"] == 0:
        counts = counts.drop("unknown")
    total = int(counts.sum())
    dist = pd.DataFrame({
        "bucket": pd.Categorical(counts.index, categories=cats, ordered=True),
        "changes": counts.to_numpy(np.int64),
        "share": counts.to_numpy(np.float64) / total if total else np.zeros(len(counts)),
    })
    return ChangeTiming(per, dist)


def change_magnitude(changes: pd.DataFrame) -> pd.DataFrame:
    """Size of each change: relative quantity change and days moved.

    Returns
    -------
    DataFrame
        The change log with ``qty_change = new_qty - old_qty``,
        ``qty_change_rel = qty_change / old_qty`` (quantity changes and
        cancellations; NaN otherwise or when ``old_qty`` is missing or 0),
        ``days_moved = new_date - old_date`` in days (date changes; positive =
        later) and ``magnitude`` in [0, 1].

    Notes
    -----
    ``magnitude``: quantity change ``min(1, |qty_change_rel|)``; date change
    ``min(1, |days_moved| / 28)`` (moving four weeks or more counts fully);
    ``cancel`` 1; ``spec`` 0.5 (a specification change cannot be measured and
    is taken as half a cancellation); a quantity or date change whose size is
    missing, and unknown types, also 0.5.
    """
    require_frame(changes, "order_changes", ("change_type",),
                  hint="Needed for order-change magnitude.")
    out = changes.reset_index(drop=True)
    types = _change_types(out).to_numpy(dtype=object)
    nan = np.full(len(out), np.nan)
    oq = (out["old_qty"].to_numpy(np.float64, na_value=np.nan) if "old_qty" in out else nan)
    nq = (out["new_qty"].to_numpy(np.float64, na_value=np.nan) if "new_qty" in out else nan)
    is_qty = np.isin(types, ["qty_up", "qty_down"])
    is_cancel = types == "cancel"
    nq = np.where(is_cancel & np.isnan(nq), 0.0, nq)
    qchg = np.where(is_qty | is_cancel, nq - oq, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(oq > 0, qchg / oq, np.nan)
    is_date = np.isin(types, ["date_in", "date_out"])
    if "old_date" in out and "new_date" in out:
        moved = (_date_series(out, "new_date", "order_changes")
                 - _date_series(out, "old_date", "order_changes")).dt.days.to_numpy(np.float64,
                                                                             na_value=np.nan)
        moved = np.where(is_date, moved, np.nan)
    else:
        moved = nan
    mag = np.full(len(out), _SPEC_MAGNITUDE)
    mag = np.where(is_qty & ~np.isnan(rel), np.minimum(1.0, np.abs(rel)), mag)
    mag = np.where(is_date & ~np.isnan(moved), np.minimum(1.0, np.abs(moved) / _FULL_MOVE_DAYS),
                   mag)
    mag = np.where(is_cancel, 1.0, mag)
    return out.assign(qty_change=qchg, qty_change_rel=rel, days_moved=moved, magnitude=mag)


def nervousness(changes: pd.DataFrame, orders: pd.DataFrame, *,
                by: str = "customer_id") -> pd.DataFrame:
    """Order-change nervousness score per customer, 0-100.

    Returns
    -------
    DataFrame
        ``<by>, lines, changes, change_rate, mean_weeks_before_due,
        mean_magnitude, weighted_changes, nervousness_raw, nervousness``,
        sorted by ``nervousness`` descending (then key). Groups of ``orders``
        without any change score 0.

    Notes
    -----
    Each change gets a weight ``magnitude x lateness`` with ``magnitude`` from
    :func:`change_magnitude` and ``lateness = 1 / (1 + weeks_before_due)``
    (:func:`change_timing`; weeks clipped at 0, so a change at or after the due
    date weighs 1; unknown due date -> 0.5, as one week before due).
    ``weighted_changes`` is the sum of weights, ``nervousness_raw =
    weighted_changes / lines`` (a change rate weighted by how late and how big
    the changes are) and ``nervousness = 100 x raw / max(raw)``: 100 is the
    most nervous group in *this* data set, so compare scores within one run.
    """
    timing = change_timing(changes, orders).per_change
    mag = change_magnitude(changes)["magnitude"].to_numpy(np.float64)
    ch = _attach(changes, orders, [by], "order-change nervousness")
    weeks = timing["weeks_before_due"].to_numpy(np.float64)
    late = np.where(np.isnan(weeks), _UNKNOWN_LATENESS, 1.0 / (1.0 + np.clip(weeks, 0, None)))
    frame = pd.DataFrame({by: ch[by].to_numpy(), "w": mag * late, "m": mag, "weeks": weeks,
                          "line": ch["order_id"].astype("str") + "#"
                          + ch["line_no"].astype("str")})
    g = frame.groupby(by, observed=True).agg(
        changes=("w", "size"), changed_lines=("line", "nunique"),
        mean_weeks_before_due=("weeks", "mean"), mean_magnitude=("m", "mean"),
        weighted_changes=("w", "sum"))
    lines = orders.groupby(by, observed=True).size().rename("lines")
    out = pd.concat([lines, g], axis=1)
    out.index.name = by
    out = out.reset_index()
    out[["lines", "changes", "changed_lines"]] = (out[["lines", "changes", "changed_lines"]]
                                                  .fillna(0).astype("int64"))
    out["weighted_changes"] = out["weighted_changes"].fillna(0.0)
    lines_f = out["lines"].to_numpy(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["change_rate"] = np.where(lines_f > 0, out["changed_lines"] / lines_f, np.nan)
        raw = np.where(lines_f > 0, out["weighted_changes"] / lines_f, np.nan)
    out["nervousness_raw"] = raw
    top = np.nanmax(raw) if np.isfinite(raw).any() else 0.0
    out["nervousness"] = raw / top * 100.0 if top > 0 else np.where(np.isnan(raw), np.nan, 0.0)
    out = out.sort_values(["nervousness", by], ascending=[False, True], kind="mergesort",
                          na_position="last", ignore_index=True)
    return out[[by, "lines", "changes", "changed_lines", "change_rate", "mean_weeks_before_due",
                "mean_magnitude", "weighted_changes", "nervousness_raw", "nervousness"]]


def orders_before_changes(orders: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Return the order lines as they were before the customers changed them.

    For every changed line the first change's ``old_qty`` restores the quantity
    (quantity changes and cancellations), the first date change's ``old_date``
    restores ``requested_date``, and a cancelled line becomes ``open`` again.
    Lines without changes are returned as they are.
    """
    require_frame(changes, "order_changes", ("order_id", "line_no", "change_seq", "change_type"),
                  hint="Needed to restore the orders before the changes.")
    c = changes.assign(change_type=_change_types(changes)).sort_values(
        ["order_id", "line_no", "change_seq"], kind="stable")
    key = ["order_id", "line_no"]
    qty_c = c[c["change_type"].isin(["qty_up", "qty_down", "cancel"]) & c["old_qty"].notna()]
    first_qty = qty_c.drop_duplicates(key)[[*key, "old_qty"]]
    date_c = c[c["change_type"].isin(["date_in", "date_out"]) & c["old_date"].notna()]
    first_date = date_c.drop_duplicates(key)[[*key, "old_date"]]
    cancelled = c.loc[c["change_type"] == "cancel", key].drop_duplicates()
    out = orders.copy()
    idx = pd.MultiIndex.from_frame(out[key].astype({"order_id": str, "line_no": "int64"}))

    def lookup(frame: pd.DataFrame, col: str) -> pd.Series:
        s = frame.set_index(pd.MultiIndex.from_frame(frame[key].astype(
            {"order_id": str, "line_no": "int64"})))[col]
        return pd.Series(s.reindex(idx).to_numpy(), index=out.index)

    old_qty = lookup(first_qty, "old_qty")
    out["qty_ordered"] = old_qty.fillna(out["qty_ordered"]).astype("float64")
    if "requested_date" in out:
        old_date = lookup(first_date, "old_date")
        out["requested_date"] = old_date.fillna(out["requested_date"]).astype(
            out["requested_date"].dtype)
    if "status" in out and len(cancelled):
        was = lookup(cancelled.assign(flag=True), "flag").fillna(False).astype(bool)
        out["status"] = out["status"].where(~was.to_numpy(), "open")
    return out


def change_shortage_impact(orders: pd.DataFrame, changes: pd.DataFrame, *,
                           forecast: pd.DataFrame | None, supply: pd.DataFrame | None,
                           inventory: pd.DataFrame | None, items: pd.DataFrame | None = None,
                           as_of: object, horizon: int = 13,
                           demand_time_fence: int = 2) -> pd.DataFrame:
    """Which customers' order changes create shortages: PAB with and without the changes.

    The PAB is projected twice on the same supply, stock and forecast: with the
    order lines as they are, and as they were before the changes
    (:func:`orders_before_changes`). For every item, the extra shortage
    caused by the changes (maximum shortage with changes minus without, floored
    at zero) is attributed to the customers whose changes *added* open demand in
    the horizon (quantity up, date pulled in), in proportion to what they added.

    Returns
    -------
    DataFrame
        One row per (customer_id, item_id) with an attributed shortage:
        ``customer_id, item_id, added_qty, extra_shortage_item, shortage_caused,
        short_only_with_changes`` (the item is not short at all without changes),
        largest first.
    """
    def shortage(o: pd.DataFrame) -> pd.Series:
        inp = build_buckets(o, forecast, supply, inventory, items, as_of=as_of,
                            horizon=horizon)
        s = project_pab(inp, demand_time_fence=demand_time_fence, with_atp=False,
                        with_cover=False).summary
        return s.set_index(s["item_id"].astype(str))["max_shortage_qty"].fillna(0.0)

    before = orders_before_changes(orders, changes)
    now, then = shortage(orders), shortage(before)
    extra = (now - then.reindex(now.index).fillna(0.0)).clip(lower=0)
    extra = extra[extra > 0]
    cols = ["customer_id", "item_id", "added_qty", "extra_shortage_item", "shortage_caused",
            "short_only_with_changes"]
    if extra.empty:
        return pd.DataFrame(columns=cols)
    as_of = pd.Timestamp(as_of)
    end = as_of + pd.Timedelta(weeks=horizon)
    key = ["order_id", "line_no"]
    cur = orders[key + ["customer_id", "item_id", "qty_ordered", "requested_date"]].copy()
    old = before[key + ["qty_ordered", "requested_date"]]
    both = cur.merge(old, on=key, suffixes=("", "_before"))
    in_now = both["requested_date"] < end
    in_then = both["requested_date_before"] < end
    both["added"] = (np.where(in_now, both["qty_ordered"], 0.0)
                     - np.where(in_then, both["qty_ordered_before"], 0.0))
    both = both[(both["added"] > 0) & both["item_id"].astype(str).isin(extra.index)]
    per = both.groupby(["customer_id", "item_id"], observed=True, as_index=False)["added"].sum()
    per["item_id"] = per["item_id"].astype(str)
    tot = per.groupby("item_id")["added"].transform("sum")
    per["extra_shortage_item"] = per["item_id"].map(extra).to_numpy()
    per["shortage_caused"] = per["extra_shortage_item"] * per["added"] / tot
    per["short_only_with_changes"] = (per["item_id"].map(then).fillna(0.0) <= 0).to_numpy()
    out = per.rename(columns={"added": "added_qty"})[cols]
    return out.sort_values("shortage_caused", ascending=False).reset_index(drop=True)

