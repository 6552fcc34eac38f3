"""One customer's facts for a business review: name, tier, segment, value rank, orders.

:func:`customer_profile` reads the order lines, the customer master and the
tables of :func:`~workbench.customers.segments.abc_classify` and
:func:`~workbench.customers.targets.assign_tiers`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError
from workbench.validation import require_frame

__all__ = [
    "CustomerProfile",
    "customer_profile",
]


@dataclass(frozen=True)
class CustomerProfile:
    """Facts about one customer for a business review (``"-"`` where unknown)."""

    customer_id: str
    name: str
    """``customer_name`` of the master, else the id."""
    tier: str
    """Service tier (:func:`~workbench.customers.targets.assign_tiers`)."""
    tier_source: str
    """``"abc"`` or ``"master"``."""
    segment: str
    region: str
    rank: int
    """Rank by value, 1 = biggest."""
    customers: int
    """Customers ranked."""
    share: float
    """Share of the total value."""
    orders: int
    """Distinct orders (all lines, cancelled ones too)."""
    lines: int
    first_order: pd.Timestamp
    last_order: pd.Timestamp


def customer_profile(customer_id: str, orders: pd.DataFrame,
                     customers: pd.DataFrame | None, abc_table: pd.DataFrame,
                     tiers: pd.DataFrame) -> CustomerProfile:
    """Name, tier, segment, revenue rank and share, order counts of one customer.

    Parameters
    ----------
    customer_id : str
        The customer.
    orders : DataFrame
        Order lines.
    customers : DataFrame, optional
        Customer master (``customer_name``, ``segment``, ``region`` are read).
    abc_table, tiers : DataFrame
        :func:`~workbench.customers.segments.abc_classify` by customer and
        :func:`~workbench.customers.targets.assign_tiers` tables.

    Returns
    -------
    CustomerProfile

    Raises
    ------
    MissingColumnsError
        An input lacks a needed column.
    ChoiceError
        When the customer has no order lines (names close ids as a hint).
    """
    require_frame(orders, "order_lines", ("order_id", "customer_id", "order_date"),
                  hint="Needed for the customer profile.")
    require_frame(abc_table, "abc_table", ("customer_id", "value"),
                  hint="Pass the table of abc_classify(orders, 'customer_id').")
    require_frame(tiers, "tiers", ("customer_id", "tier", "tier_source"),
                  hint="Pass the table of assign_tiers.")
    mine = orders[orders["customer_id"] == customer_id]
    if mine.empty:
        ids = orders["customer_id"].dropna().astype(str).unique().tolist()
        close = difflib.get_close_matches(str(customer_id), ids, n=3)
        raise ChoiceError(f"customer {customer_id!r} has no order lines", key="customer_id",
                          value=customer_id,
                          fix=("did you mean " + ", ".join(close) + "?") if close
                          else "pass a customer_id that occurs in the order lines.")
    master = {}
    if customers is not None and "customer_id" in customers:
        hit = customers[customers["customer_id"] == customer_id]
        if len(hit):
            master = hit.iloc[0].to_dict()

    def text(key: str) -> str:
        v = master.get(key)
        return "-" if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else str(v)

    abc_row = abc_table.reset_index(drop=True)
    pos = abc_row.index[abc_row["customer_id"] == customer_id]
    tier_row = tiers[tiers["customer_id"] == customer_id]
    total = float(abc_row["value"].sum())
    value = float(abc_row.loc[pos[0], "value"]) if len(pos) else 0.0
    return CustomerProfile(
        customer_id=str(customer_id),
        name=text("customer_name") if text("customer_name") != "-" else str(customer_id),
        tier=str(tier_row["tier"].iloc[0]) if len(tier_row) else "-",
        tier_source=str(tier_row["tier_source"].iloc[0]) if len(tier_row) else "-",
        segment=text("segment"), region=text("region"),
        rank=int(pos[0]) + 1 if len(pos) else len(abc_row) + 1, customers=len(abc_row),
        share=value / total if total else 0.0,
        orders=int(mine["order_id"].nunique()), lines=len(mine),
        first_order=mine["order_date"].min(), last_order=mine["order_date"].max())


