"""Tests for the open order backlog from order lines alone (workbench.planning.backlog).

Expected values are worked by hand in the comments from the constructed lines.
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import MissingColumnsError
from workbench.planning.backlog import open_backlog

# as_of Wednesday 2025-01-08: period 0 is the week of Monday 2025-01-06; horizon 2 weeks
# (01-06, 01-13); due before 01-06 is past due, from 01-20 on is later.
AS_OF = "2025-01-08"


def test_shipped_quantity_status_and_buckets():
    lines = pd.DataFrame({
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6", "O7"],
        "item_id": ["A", "A", "A", "B", "B", "B", "C"],
        "qty_ordered": [10, 5, 8, 7, 3, 4, 6],
        "qty_shipped": [4, 5, None, 0, 0, 0, 0],
        "status": ["open", "open", "open", "open", "open", "cancelled", "Delivered"],
        "requested_date": pd.to_datetime(["2025-01-02", "2025-01-07", "2025-01-14",
                                          "2025-01-20", None, "2025-01-07", "2025-01-07"]),
    })
    b = open_backlog(lines, as_of=AS_OF, horizon=2)
    # O1: 10 - 4 = 6 open, due 01-02 < 01-06 -> past due. O2: 5 - 5 = 0 -> closed.
    # O3: 8 - (missing = 0) = 8, due 01-14 -> week 01-13. O4: 7, due 01-20 -> later.
    # O5: 3 without a due date. O6 cancelled, O7 delivered (any case) -> closed.
    assert b.lines["order_id"].tolist() == ["O1", "O3", "O4", "O5"]
    assert b.lines["qty_open"].tolist() == [6.0, 8.0, 7.0, 3.0]
    assert b.lines["bucket"].tolist() == ["past due", "2025-01-13", "later", "no due date"]
    assert b.table.columns.tolist() == ["past due", "2025-01-06", "2025-01-13", "later",
                                        "no due date", "total"]
    # A: 6 past due + 8 in week 01-13 = 14; B: 7 later + 3 without date = 10; largest first.
    assert b.table.index.tolist() == ["A", "B"]
    assert b.table.loc["A"].tolist() == [6.0, 0.0, 8.0, 0.0, 0.0, 14.0]
    assert b.table.loc["B"].tolist() == [0.0, 0.0, 0.0, 7.0, 3.0, 10.0]
    assert b.notes == []
    assert b.as_of == pd.Timestamp(AS_OF)


def test_without_quantities_status_or_requested_date_the_rules_are_said():
    # Lines as a minimal ERP export has them: a delivery date says the line has left.
    lines = pd.DataFrame({
        "item_id": ["A", "A", "B"],
        "qty_ordered": [10.0, 5.0, 2.0],
        "promised_date": pd.to_datetime(["2025-01-07", "2025-01-09", "2025-01-15"]),
        "delivery_date": pd.to_datetime(["2025-01-07", None, None]),
    })
    b = open_backlog(lines, as_of=AS_OF, horizon=2)
    # Line 1 delivered -> closed; line 2: 5 due 01-09 (week 01-06); line 3: 2 in week 01-13.
    assert b.table.to_dict("index") == {
        "A": {"past due": 0.0, "2025-01-06": 5.0, "2025-01-13": 0.0, "later": 0.0,
              "total": 5.0},
        "B": {"past due": 0.0, "2025-01-06": 0.0, "2025-01-13": 2.0, "later": 0.0,
              "total": 2.0},
    }
    assert b.notes == [
        "No shipped quantity in the data: a line with a delivery_date counts as fully shipped.",
        "No line status in the data: cancelled lines cannot be told apart and count as open.",
        "No requested date in the data: lines are due by their promised_date.",
    ]


def test_monthly_periods_and_first_present_due_date():
    lines = pd.DataFrame({
        "item_id": ["A", "A"],
        "qty_ordered": [4, 6],
        "qty_delivered": [0, 1],
        "status": ["open", "open"],
        # Requested date wins; the promised date fills the line without one.
        "requested_date": pd.to_datetime(["2025-02-10", None]),
        "promised_date": pd.to_datetime(["2025-01-02", "2025-03-31"]),
    })
    b = open_backlog(lines, as_of=AS_OF, freq="M", horizon=2)
    # Months 2025-01, 2025-02; line 1: 4 in February; line 2: 6 - 1 = 5 due March -> later.
    assert b.table.loc["A"].tolist() == [0.0, 0.0, 4.0, 5.0, 9.0]
    assert b.table.columns.tolist() == ["past due", "2025-01-01", "2025-02-01", "later", "total"]


def test_needs_item_and_quantity():
    with pytest.raises(MissingColumnsError, match="qty_ordered"):
        open_backlog(pd.DataFrame({"item_id": ["A"]}), as_of=AS_OF)
