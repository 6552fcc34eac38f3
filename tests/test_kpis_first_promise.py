"""Issue 15 KPIs, hand-worked: first promise vs current promise (and their gap), quantity-weighted
on time and OTIF, order-level and net cycle time -- in both KPI engines -- and the first
promised date derived from the order-change log.

Every expected number below is worked out by hand in the comments from the frames defined
here; none was produced by running the code.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import MissingColumnsError, NotAvailableError
from workbench.io.dataset import Dataset
from workbench.io.schema import ORDER_CHANGES, ORDER_LINES
from workbench.kpis.engine import kpi_table
from workbench.kpis.promises import first_promised_dates, with_first_promised_date
from workbench.kpis.rollup import reaggregate
from workbench.reporting import availability as av

NAN = float("nan")
NEW_KPIS = ["order_cycle_time_mean", "net_cycle_time_mean", "on_time_first_promise_rate",
            "on_time_promise_gap", "on_time_qty_rate", "otif_first_promise_rate",
            "otif_promise_gap", "otif_qty_rate"]
try:
    import duckdb  # noqa: F401
    HAVE_DUCKDB = True
except ImportError:  # pragma: no cover
    HAVE_DUCKDB = False
NO_DUCKDB = "duckdb is not installed: the DuckDB engine cannot be checked; pip install duckdb"
ENGINES = ["pandas", pytest.param("duckdb", marks=pytest.mark.skipif(not HAVE_DUCKDB,
                                                                      reason=NO_DUCKDB))]


def D(*dates):
    return pd.to_datetime([None if d is None else f"2024-{d}" for d in dates])


def kv(table: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """KPI -> (numerator, denominator, value) of a one-group table."""
    assert table["kpi"].is_unique
    return {r.kpi: (r.numerator, r.denominator, r.value) for r in table.itertuples()}


def same(got, expected) -> bool:
    """Tuples equal, NaN == NaN, floats to 1e-12."""
    return all((math.isnan(g) and math.isnan(e)) if math.isnan(e)
               else g == pytest.approx(e, rel=1e-12, abs=1e-12)
               for g, e in zip(got, expected, strict=True))


# --------------------------------------------------------------------------------------
# The frame: 5 orders, 8 lines (S2 open), no tolerance unless said
# --------------------------------------------------------------------------------------
#
# line cust order rel    req    prom   first  deliv  qty ord/dlv  note
# P1   c1   03-01 03-03  03-09  03-10  03-08  03-10  100/100      re-promised later: first late
# P2   c1   03-01 03-01  03-10  03-12  03-12  03-14   10/10       late to both
# Q1   c1   03-02 -      03-12  03-12  03-12  03-11   50/45       on time, short
# R1   c2   03-04 03-06  03-15  03-20  03-15  03-18   20/20       re-promised: first late
# R2   c2   03-04 03-02  03-16  03-16  -      03-16   30/30       no first promise; released
#                                                                  before its order date
# S1   c2   03-05 03-06  03-12  03-12  03-12  03-12    8/8        on time to both
# S2   c2   03-05 03-06  03-25  03-25  03-22  -       40/-        open
# T1   c2   03-02 03-03  03-10  03-08  03-10  03-09    5/5        promise pulled IN: late to
#                                                                  the current, on time to first
@pytest.fixture
def lines() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["P", "P", "Q", "R", "R", "S", "S", "T"],
        "line_no": [1, 2, 1, 1, 2, 1, 2, 1],
        "customer_id": ["c1", "c1", "c1", "c2", "c2", "c2", "c2", "c2"],
        "order_date": D("03-01", "03-01", "03-02", "03-04", "03-04", "03-05", "03-05", "03-02"),
        "released_date": D("03-03", "03-01", None, "03-06", "03-02", "03-06", "03-06",
                           "03-03"),
        "requested_date": D("03-09", "03-10", "03-12", "03-15", "03-16", "03-12", "03-25",
                            "03-10"),
        "promised_date": D("03-10", "03-12", "03-12", "03-20", "03-16", "03-12", "03-25",
                           "03-08"),
        "first_promised_date": D("03-08", "03-12", "03-12", "03-15", None, "03-12", "03-22",
                                 "03-10"),
        "delivery_date": D("03-10", "03-14", "03-11", "03-18", "03-16", "03-12", None,
                           "03-09"),
        "qty_ordered": [100.0, 10, 50, 20, 30, 8, 40, 5],
        "qty_delivered": [100.0, 10, 45, 20, 30, 8, NAN, 5],
        "status": ["delivered"] * 6 + ["open", "delivered"],
    })


# Delivered: P1 P2 Q1 R1 R2 S1 T1 (7 lines); S2 open. In full: all delivered but Q1 (45 < 50).
EXPECTED = {
    # on time to the current promise: P1 10<=10, P2 14>12 late, Q1 11<=12, R1 18<=20,
    # R2 16<=16, S1 12<=12, T1 9>8 late -> 5 / 7
    "on_time_promised_rate": (5, 7, 5 / 7),
    # to the first promise (R2 has none: not judged): P1 10>8 late, P2 14>12 late, Q1 11<=12,
    # R1 18>15 late, S1 12<=12, T1 9<=10 -> 3 / 6
    "on_time_first_promise_rate": (3, 6, 0.5),
    # lines with both promises: P1 P2 Q1 R1 S1 T1. Current on time: P1 Q1 R1 S1 = 4; first on
    # time: Q1 S1 T1 = 3 -> (4 - 3) / 6 (P1 +1, R1 +1, T1 -1)
    "on_time_promise_gap": (1, 6, 1 / 6),
    # OTIF to the commit date (= promised): P1, R1, R2, S1 (Q1 short, P2 and T1 late) -> 4 / 7
    "otif_line_rate": (4, 7, 4 / 7),
    # OTIF to the first promise, judged P1 P2 Q1 R1 S1 T1: only S1 and T1 -> 2 / 6
    "otif_first_promise_rate": (2, 6, 2 / 6),
    # both promises: current OTIF P1 R1 S1 = 3, first OTIF S1 T1 = 2 -> (3 - 2) / 6
    "otif_promise_gap": (1, 6, 1 / 6),
    # units on the 7 delivered lines: 100 + 10 + 50 + 20 + 30 + 8 + 5 = 223; on time to the
    # commit date: P1 100 + Q1 50 + R1 20 + R2 30 + S1 8 = 208
    "on_time_qty_rate": (208, 223, 208 / 223),
    # OTIF units: P1 100 + R1 20 + R2 30 + S1 8 = 158 (the line rate says 4 / 7 = 0.571, the
    # units 0.709: the big P1 line was OTIF)
    "otif_qty_rate": (158, 223, 158 / 223),
    # line cycle: P1 9, P2 13, Q1 9, R1 14, R2 12, S1 7, T1 7 -> 71 / 7
    "cycle_time_mean": (71, 7, 71 / 7),
    # per order, first order date to LAST delivery: P 03-01 -> 03-14 = 13, Q 9, R 03-04 ->
    # 03-18 = 14, T 7; S not judged (S2 open) -> 43 / 4
    "order_cycle_time_mean": (43, 4, 10.75),
    # start = later of order and release date: P1 03-03 -> 7, P2 13, Q1 (no release: order
    # date) 9, R1 03-06 -> 12, R2 (released before ordered: order date) 12, S1 03-06 -> 6,
    # T1 03-03 -> 6 -> 65 / 7 (6 days of waiting left out)
    "net_cycle_time_mean": (65, 7, 65 / 7),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_hand_worked_answers(lines, engine):
    got = kv(kpi_table(lines, kpis=list(EXPECTED), engine=engine))
    wrong = {k: (got[k], e) for k, e in EXPECTED.items() if not same(got[k], e)}
    assert not wrong


@pytest.mark.parametrize("engine", ENGINES)
def test_tolerance_moves_both_promises(lines, engine):
    # d = 2. First promise: P1 10<=10, P2 14<=14, Q1, R1 18>17 late, S1, T1 -> 5 / 6.
    # Current, on the same 6 lines: all on time (T1 9<=10) -> gap (6 - 5) / 6.
    got = kv(kpi_table(lines, kpis=["on_time_first_promise_rate", "on_time_promise_gap"],
                       on_time_tolerance_days=2, engine=engine))
    assert same(got["on_time_first_promise_rate"], (5, 6, 5 / 6))
    assert same(got["on_time_promise_gap"], (1, 6, 1 / 6))


@pytest.mark.parametrize("engine", ENGINES)
def test_by_customer_and_exact_roll_up(lines, engine):
    t = kpi_table(lines, "customer_id", kpis=NEW_KPIS, engine=engine)
    c1 = kv(t[t["customer_id"] == "c1"].drop(columns="customer_id"))
    # c1 = orders P, Q. Orders: P 13, Q 9 -> 22 / 2. Net: P1 7, P2 13, Q1 9 -> 29 / 3.
    assert same(c1["order_cycle_time_mean"], (22, 2, 11.0))
    assert same(c1["net_cycle_time_mean"], (29, 3, 29 / 3))
    # gap on P1 P2 Q1: P1 +1 -> 1 / 3; units on time P1 100 + Q1 50 of 160
    assert same(c1["on_time_promise_gap"], (1, 3, 1 / 3))
    assert same(c1["on_time_qty_rate"], (150, 160, 150 / 160))
    # customer keeps orders whole, so the overall table is the exact roll-up
    overall = kpi_table(lines, kpis=NEW_KPIS, engine=engine)
    rolled = reaggregate(t, [])
    pd.testing.assert_series_equal(rolled.set_index("kpi")["value"],
                                   overall.set_index("kpi")["value"], check_exact=False,
                                   rtol=1e-12)


@pytest.mark.skipif(not HAVE_DUCKDB, reason=NO_DUCKDB)
def test_engines_agree_on_a_grouped_weekly_table(lines):
    kw = {"by": "customer_id", "period": "W", "on_time_tolerance_days": 1,
          "in_full_tolerance_pct": 0.1}
    a = kpi_table(lines, engine="duckdb", **kw)
    b = kpi_table(lines, engine="pandas", **kw)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


def test_missing_columns_give_not_available_notes(lines):
    t = kpi_table(lines.drop(columns=["first_promised_date", "released_date"]), kpis=NEW_KPIS,
                  engine="pandas").set_index("kpi")
    for k in ("on_time_first_promise_rate", "on_time_promise_gap", "otif_first_promise_rate",
              "otif_promise_gap"):
        assert t.loc[k, "note"] == "not available: needs column first_promised_date"
        assert math.isnan(t.loc[k, "value"])
    assert t.loc["net_cycle_time_mean", "note"] == "not available: needs column released_date"
    assert t.loc[["order_cycle_time_mean", "on_time_qty_rate", "otif_qty_rate"], "note"] \
        .isna().all()


def test_order_with_an_undelivered_line_is_not_judged():
    # O1: two lines delivered 03-05 and 03-09 from 03-01 -> 8 days (line mean 6).
    # O2: one line delivered, one shipped without a delivery date -> not judged.
    o = pd.DataFrame({
        "order_id": ["O1", "O1", "O2", "O2"],
        "order_date": D("03-01", "03-01", "03-01", "03-01"),
        "ship_date": D("03-04", "03-08", "03-02", "03-03"),
        "delivery_date": D("03-05", "03-09", "03-03", None),
        "qty_ordered": [1.0, 1, 1, 1],
        "status": ["delivered", "delivered", "delivered", "shipped"],
    })
    got = kv(kpi_table(o, kpis=["cycle_time_mean", "order_cycle_time_mean"], engine="pandas"))
    # lines: 4 + 8 + 2 = 14 / 3
    assert same(got["cycle_time_mean"], (14, 3, 14 / 3))
    assert same(got["order_cycle_time_mean"], (8, 1, 8.0))


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

_day = st.integers(0, 20)


@st.composite
def _frames(draw):
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        od = draw(_day)
        rows.append({
            "order_id": f"o{draw(st.integers(0, 4))}", "line_no": i + 1,
            "order_date": od,
            "released_date": draw(st.one_of(st.none(), _day)) if i else od,
            "promised_date": od + draw(st.integers(0, 10)),
            "first_promised_date": od + draw(st.integers(0, 10)),
            "delivery_date": draw(st.one_of(st.none(), st.integers(od, od + 15))),
            "qty_ordered": float(draw(st.integers(1, 50))),
            "qty_delivered": float(draw(st.integers(0, 50))),
        })
    f = pd.DataFrame(rows)
    base = pd.Timestamp("2024-03-01")
    for c in ("order_date", "released_date", "promised_date", "first_promised_date",
              "delivery_date"):
        f[c] = base + pd.to_timedelta(f[c], unit="D")
    return f


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames())
def test_gap_is_the_difference_and_net_never_exceeds_gross(f):
    t = kv(kpi_table(f, engine="pandas"))
    # every delivered line has both promises: gap = current rate - first rate
    if t["on_time_promised_rate"][1] > 0:
        assert t["on_time_promise_gap"][2] == pytest.approx(
            t["on_time_promised_rate"][2] - t["on_time_first_promise_rate"][2], abs=1e-12)
    if f["delivery_date"].isna().all():  # no delivery dates: no cycle time at all
        assert all(math.isnan(t[k][2]) for k in ("cycle_time_mean", "net_cycle_time_mean",
                                                  "order_cycle_time_mean"))
        return
    # every line has an order date: net and gross judge the same lines, net <= gross
    assert t["net_cycle_time_mean"][1] == t["cycle_time_mean"][1]
    if t["cycle_time_mean"][1] > 0:
        assert t["net_cycle_time_mean"][2] <= t["cycle_time_mean"][2] + 1e-12
    # orders judged <= orders; a judged order takes at least its slowest line's time, so the
    # order mean is at least the shortest line cycle time
    assert t["order_cycle_time_mean"][1] <= t["orders"][0]
    if t["order_cycle_time_mean"][1] > 0:
        shortest = (f["delivery_date"] - f["order_date"]).dt.days.min()
        assert t["order_cycle_time_mean"][2] >= shortest


@pytest.mark.skipif(not HAVE_DUCKDB, reason=NO_DUCKDB)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames())
def test_engines_agree_on_random_frames(f):
    a = kpi_table(f, "order_id", kpis=NEW_KPIS, engine="duckdb")
    b = kpi_table(f, "order_id", kpis=NEW_KPIS, engine="pandas")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(_frames())
def test_equal_quantities_make_unit_rates_equal_line_rates(f):
    t = kv(kpi_table(f.assign(qty_ordered=7.0), engine="pandas"))
    for units, line in (("on_time_qty_rate", None), ("otif_qty_rate", "otif_line_rate")):
        if line is None:  # on time to the commit date = promised (present on every line)
            line = "on_time_promised_rate"
        if t[line][1] > 0:
            assert t[units][2] == pytest.approx(t[line][2], abs=1e-12)


# --------------------------------------------------------------------------------------
# The first promise from the order-change log
# --------------------------------------------------------------------------------------
#
# A1: promise moved twice (seq 1: 03-05 -> 03-12, seq 2: 03-12 -> 03-20), then a quantity
#     change (no promised date): first promise 03-05, whatever the row order.
# A2: no change: first promise = current promised date 03-10.
# B1: only a requested-date change (old_promised_date missing): promised date 03-15.
# B2: the order lines already carry 03-01: kept, although the log says 03-07.
# C1: no promised date and no change: unknown (NaT).
@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": pd.array(["A", "A", "B", "B", "C"], dtype="string"),
        "line_no": pd.array([1, 2, 1, 2, 1], dtype="Int64"),
        "promised_date": D("03-20", "03-10", "03-15", "03-18", None),
        "first_promised_date": D(None, None, None, "03-01", None),
    })


@pytest.fixture
def changes() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["A", "B", "A", "A", "B"],
        "line_no": [1, 1, 1, 1, 2],
        "change_seq": [3, 1, 2, 1, 1],
        "change_type": ["qty_down", "date_out", "date_out", "date_out", "date_out"],
        "old_promised_date": D(None, None, "03-12", "03-05", "03-07"),
        "new_promised_date": D(None, None, "03-20", "03-12", "03-18"),
    })


def test_first_promise_from_the_log(orders, changes):
    got = first_promised_dates(orders, changes)
    assert got.index.equals(orders.index) and got.dtype == "datetime64[ns]"
    assert got.tolist()[:4] == list(D("03-05", "03-10", "03-15", "03-01"))
    assert pd.isna(got.iloc[4])


def test_first_promise_without_the_orders_column(orders, changes):
    # B2 now comes from the log (03-07); line numbers given as text still match
    got = first_promised_dates(orders.drop(columns="first_promised_date"),
                               changes.assign(line_no=changes["line_no"].astype(str)))
    assert got.tolist()[:4] == list(D("03-05", "03-10", "03-15", "03-07"))


def test_with_first_promised_date_feeds_the_kpis(orders, changes):
    # deliveries: A1 03-12 (on time to 03-20, late to first 03-05), A2 03-10 (on time to both),
    # B1 03-16 (late to both 03-15), B2 03-18 (on time to 03-18, late to 03-01)
    before = orders.copy()
    o = with_first_promised_date(orders.iloc[:4], changes).assign(
        delivery_date=D("03-12", "03-10", "03-16", "03-18"), qty_ordered=1.0)
    pd.testing.assert_frame_equal(orders, before)  # the input is left as it was
    assert o["first_promised_date"].tolist() == list(D("03-05", "03-10", "03-15", "03-01"))
    got = kv(kpi_table(o, kpis=["on_time_promised_rate", "on_time_first_promise_rate",
                                "on_time_promise_gap"], engine="pandas"))
    # current: A1 A2 B2 on time -> 3 / 4; first: A2 -> 1 / 4; gap (3 - 1) / 4
    assert same(got["on_time_promised_rate"], (3, 4, 0.75))
    assert same(got["on_time_first_promise_rate"], (1, 4, 0.25))
    assert same(got["on_time_promise_gap"], (2, 4, 0.5))


def test_first_promise_needs_a_source(orders, changes):
    bare = orders.drop(columns="first_promised_date")
    with pytest.raises(NotAvailableError, match="first_promised_date"):
        first_promised_dates(bare)
    with pytest.raises(NotAvailableError, match="old_promised_date"):
        first_promised_dates(bare, changes.assign(old_promised_date=pd.NaT))
    with pytest.raises(MissingColumnsError, match="change_seq"):
        first_promised_dates(bare, changes.drop(columns="change_seq"))
    with pytest.raises(MissingColumnsError, match="line_no"):
        first_promised_dates(bare.drop(columns="line_no"), changes)
    # the orders' own column is enough without a log
    assert first_promised_dates(orders).iloc[3] == pd.Timestamp("2024-03-01")


# --------------------------------------------------------------------------------------
# Data model and availability
# --------------------------------------------------------------------------------------


def test_data_model_columns_and_synonyms():
    for table, names in ((ORDER_LINES, ("first_promised_date", "released_date")),
                         (ORDER_CHANGES, ("old_promised_date", "new_promised_date"))):
        for name in names:
            col = table.column(name)
            assert col.type == "date" and not col.required
            assert any(s.isascii() for s in col.synonyms)
            assert any(not s.isascii() for s in col.synonyms)  # Chinese too
    assert "首次承诺日期" in ORDER_LINES.column("first_promised_date").synonyms


class _Result:
    """Stands in for a LoadResult: only ``data`` is read."""

    def __init__(self, data: pd.DataFrame):
        self.data = data


def test_availability_follows_the_definitions(lines):
    ds = Dataset(Path("."))
    ds.results = {"order_lines": _Result(lines.drop(columns=["first_promised_date",
                                                            "released_date"]))}
    assert av.available_kpis(ds, NEW_KPIS) == ["order_cycle_time_mean", "on_time_qty_rate",
                                               "otif_qty_rate"]
    ds.results = {"order_lines": _Result(lines)}
    assert av.available_kpis(ds, NEW_KPIS) == NEW_KPIS


def test_sample_data_carries_the_new_columns(samples_dir):
    f = pd.read_csv(samples_dir / "order_lines.csv", dtype=str, keep_default_na=False,
                    na_values=[""])
    assert list(f.columns[-2:]) == ["first_promised_date", "released_date"]
    d = {c: pd.to_datetime(f[c], format="%Y-%m-%d", errors="coerce")
         for c in ("promised_date", "first_promised_date", "released_date", "ship_date")}
    assert d["first_promised_date"].notna().all() and d["released_date"].notna().all()
    moved = (d["first_promised_date"] != d["promised_date"]).mean()
    assert 0.05 < moved < 0.10  # about 8 % of the lines were re-promised ...
    assert (d["first_promised_date"] <= d["promised_date"]).all()  # ... to a later date
    both = d["ship_date"].notna().to_numpy()
    assert (d["released_date"][both] <= d["ship_date"][both]).all()  # released before shipping
    changes = pd.read_csv(samples_dir / "order_changes.csv", dtype=str)
    assert list(changes.columns[-2:]) == ["old_promised_date", "new_promised_date"]
