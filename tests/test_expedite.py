"""Tests for a dataset without expedite options (workbench.planning.expedite).

The expected levels are worked by hand in the comments from the constructed data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import ChoiceError
from workbench.planning.alerts import evaluate
from workbench.planning.buckets import build_buckets
from workbench.planning.expedite import (
    EXPEDITE_COLUMNS,
    default_expedite_options,
    load_expedite_options,
    no_expedite_options,
)
from workbench.planning.pab import project_pab

MONDAY = pd.Timestamp("2025-01-06")


def _projection():
    """Item X: on hand 30; A1 10 due 01-07 (W0), A2 40 due 01-28 (W3); firm 60 on 02-04 (W4).

    Orders-only balance: W0 30 - 10 = 20, W1 20, W2 20, W3 20 - 40 = -20, W4 +60 = 40:
    short in W3 (outside the 2-week frozen window), gap 20, needed by 01-27, the
    receipt that ends it arrives 02-03 (7 days later).
    """
    orders = pd.DataFrame({"order_id": ["A1", "A2"], "line_no": [1, 1],
                           "customer_id": ["K1", "K2"], "item_id": ["X", "X"],
                           "requested_date": pd.to_datetime(["2025-01-07", "2025-01-28"]),
                           "qty_ordered": [10, 40]})
    supply = pd.DataFrame({"receipt_id": ["R1"], "item_id": ["X"],
                           "due_date": pd.to_datetime(["2025-02-04"]), "qty": [60],
                           "firm": [True]})
    inventory = pd.DataFrame({"item_id": ["X"], "snapshot_date": [MONDAY], "on_hand": [30]})
    inputs = build_buckets(orders, None, supply, inventory, None, as_of=MONDAY, horizon=8)
    return orders, inputs, project_pab(inputs, demand_time_fence=2)


def test_without_options_a_closable_shortage_is_a_confirmed_break():
    orders, inputs, result = _projection()
    # Generic modes: express truck saves 7 days (transit 14: not before 01-20), arrives
    # 02-03 - 7 = 01-27 <= 01-27 -> in time at 20 x 0.5 = 10 -> level 2.
    generic = evaluate(result, inputs, orders, expedite_options=default_expedite_options(),
                       as_of=MONDAY).alerts
    assert generic[["kind", "alert_level", "expedite_mode", "expedite_cost"]].values.tolist() \
        == [["potential_shortage", 2, "express truck", 10.0]]
    # No options: nothing is known that closes the gap -> level 3, no mode, no cost.
    none = evaluate(result, inputs, orders, expedite_options=no_expedite_options(),
                    as_of=MONDAY).alerts
    assert none[["kind", "alert_level"]].values.tolist() == [["confirmed_break", 3]]
    assert none["expedite_mode"].isna().all() and none["expedite_cost"].isna().all()
    assert none["first_short_date"].tolist() == [pd.Timestamp("2025-01-27")]


def test_load_without_a_path():
    empty = load_expedite_options(None, default="none")
    assert empty.columns.tolist() == list(EXPEDITE_COLUMNS) and len(empty) == 0
    pd.testing.assert_frame_equal(load_expedite_options(), default_expedite_options())
    with pytest.raises(ChoiceError, match="default"):
        load_expedite_options(None, default="sample")
