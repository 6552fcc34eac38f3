"""Order-history overviews: hand-worked volumes and Pareto shares."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import NotAvailableError
from workbench.exceptions import FrequencyError
from workbench.kpis.history import filter_period, period_start, top, volume_by_period


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["A", "A", "B", "C", "D", "E"],
        "customer_id": ["c1", "c1", "c2", "c1", "c3", "c2"],
        "item_id": ["i1", "i2", "i1", "i1", "i3", "i1"],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-10",
                                      "2024-01-24", None]),
        "qty_ordered": [10.0, 5.0, 2.0, 3.0, 1.0, 4.0],
        "unit_price": [2.0, 4.0, 10.0, 2.0, 100.0, 5.0],
    })


def test_period_start_weeks_begin_monday():
    d = pd.Series(pd.to_datetime(["2024-01-07", "2024-01-08", "2024-02-29"]))  # Sun, Mon, Thu
    assert period_start(d, "W").tolist() == [pd.Timestamp("2024-01-01"),
                                              pd.Timestamp("2024-01-08"),
                                              pd.Timestamp("2024-02-26")]
    assert period_start(d, "M").tolist()[2] == pd.Timestamp("2024-02-01")
    assert period_start(d, "Q").tolist()[2] == pd.Timestamp("2024-01-01")
    with pytest.raises(FrequencyError, match="unknown period"):
        period_start(d, "Y")


def test_volume_by_week_hand_worked(orders):
    v = volume_by_period(orders, "W")
    # week of 1 Jan: A(2 lines), B -> 3 lines, 2 orders, qty 17, revenue 20+20+20 = 60
    # week of 8 Jan: C -> 1 line, qty 3, revenue 6; week of 15 Jan: empty; 22 Jan: D, revenue 100
    assert v["period_start"].tolist() == list(pd.date_range("2024-01-01", periods=4, freq="W-MON"))
    assert v["lines"].tolist() == [3, 1, 0, 1]
    assert v["orders"].tolist() == [2, 1, 0, 1]
    assert v["qty"].tolist() == [17.0, 3.0, 0.0, 1.0]
    assert v["revenue"].tolist() == [60.0, 6.0, 0.0, 100.0]


def test_top_customers_pareto_shares(orders):
    t = top(orders, "customer_id", n=2, measure="revenue")
    # revenue: c1 = 20+20+6 = 46, c2 = 20+20 = 40, c3 = 100; total 186
    assert t["customer_id"].tolist() == ["c3", "c1"]
    assert t["value"].tolist() == [100.0, 46.0]
    assert t["share"].round(4).tolist() == [round(100 / 186, 4), round(46 / 186, 4)]
    assert t["cum_share"].iloc[-1] == pytest.approx(146 / 186)
    assert t["rank"].tolist() == [1, 2]


def test_revenue_not_available_without_prices(orders):
    with pytest.raises(NotAvailableError, match="needs column"):
        top(orders.drop(columns="unit_price"), "customer_id", measure="revenue")
    t = top(orders.drop(columns="unit_price"), "item_id", measure="qty")
    assert t["item_id"].iloc[0] == "i1" and t["value"].iloc[0] == 19.0


def test_filter_period_counts_what_it_leaves_out(orders):
    f = filter_period(orders, "2024-01-02", "2024-01-20")
    assert f.orders["order_id"].tolist() == ["B", "C"]
    assert f.outside == 3 and f.undated == 1
    assert len(filter_period(orders).orders) == len(orders)
