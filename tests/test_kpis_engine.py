"""The DuckDB KPI engine gives the pandas engine's table: same rows, dtypes, numbers, notes.

Cross-checks ``kpi_table(..., engine="duckdb")`` and ``kpi_table_from_parquet`` against
``kpi_table(..., engine="pandas")`` on generated data and on hand-made edge cases
(status spelling, missing values, split orders, tolerances, missing columns, complaints,
customer attributes), plus the Parquet pitfalls (date32 dates, int32 quantities whose sums
overflow 32 bits, DuckDB's HUGEINT aggregates) and the engine switch itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import ConfigError, MissingColumnsError, NotAvailableError
from workbench.exceptions import (
    ChoiceError,
    DateColumnError,
    DuplicateKeyError,
    SourceNotFoundError,
)
from workbench.io.samples import generate_samples
from workbench.kpis.definitions import KPI_NAMES, TABLE_VALUE_COLUMNS
from workbench.kpis.duckdb_engine import PY_WHITESPACE
from workbench.kpis.engine import AUTO_DUCKDB_MIN_LINES, kpi_table, kpi_table_from_parquet

duckdb = pytest.importorskip(
    "duckdb", reason="duckdb is not installed: the DuckDB KPI engine (workbench.kpis.duckdb_engine) "
                     "cannot be cross-checked; pip install duckdb")

NAN = float("nan")
FLOAT_SUMS = {"unit_fill_rate", "value_fill_rate", "unit_damage_rate"}


def D(*dates):
    return pd.to_datetime(list(dates), format="ISO8601")


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame, *, exact_sums=False) -> None:
    """Equal KPI tables: layout, dtypes, keys, kpi/unit/note and attrs exactly; numerators
    and denominators exactly (sums of non-integer values to 1e-12 unless ``exact_sums``);
    values to 1e-12 relative; NaN where NaN."""
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    assert len(got) == len(expected)
    assert got.attrs == expected.attrs
    for c in got.columns:
        if c not in ("numerator", "denominator", "value"):
            pd.testing.assert_series_equal(got[c], expected[c], check_exact=True)
    floaty = got["kpi"].isin(FLOAT_SUMS).to_numpy() & (not exact_sums)
    for c in ("numerator", "denominator", "value"):
        x, y = got[c].to_numpy(), expected[c].to_numpy()
        assert (np.isnan(x) == np.isnan(y)).all(), (c, got[np.isnan(x) != np.isnan(y)])
        close = np.isclose(x, y, rtol=1e-12, atol=1e-12) | np.isnan(x)
        exact = (x == y) | np.isnan(x)
        ok = close if c == "value" else np.where(floaty, close, exact)
        assert ok.all(), (c, got[~ok].head(), expected[~ok].head())


def both(orders: pd.DataFrame, *args, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (kpi_table(orders, *args, engine="duckdb", **kwargs),
            kpi_table(orders, *args, engine="pandas", **kwargs))


# --------------------------------------------------------------------------------------
# Generated data
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return generate_samples(20_000, seed=11, dirty=False)


GROUPINGS = [
    pytest.param({}, id="overall"),
    pytest.param({"by": "customer_id", "period": "M"}, id="customer-month"),
    pytest.param({"by": "item_id"}, id="item"),
    pytest.param({"by": ["site", "customer_id"], "period": "W"}, id="site-customer-week"),
    pytest.param({"period": "Q", "date_column": "delivery_date"}, id="delivery-quarter"),
    pytest.param({"by": "customer_id", "on_time_tolerance_days": 1.5,
                  "in_full_tolerance_pct": 0.05, "ship_lead_days": 2.25,
                  "as_of": "2026-03-15"}, id="tolerances"),
]


@pytest.mark.parametrize("kw", GROUPINGS)
def test_generated_frame_same_table(sample, kw):
    got, expected = both(sample.order_lines, **kw)
    assert len(got) > 0
    assert_same_table(got, expected)


def test_generated_customer_attributes_and_complaints(sample):
    for kw in ({"by": "segment"}, {"by": ["region", "customer_id"], "period": "M"}):
        got, expected = both(sample.order_lines, customers=sample.customers,
                             complaints=sample.complaints, **kw)
        assert_same_table(got, expected)
    assert got["note"].isna().all()  # every KPI available, complaints included


@pytest.mark.parametrize("kw", GROUPINGS[:3])
def test_parquet_file_same_table(sample, tmp_path, kw):
    path = tmp_path / "order_lines.parquet"
    sample.order_lines.to_parquet(path, index=False)
    got = kpi_table_from_parquet(path, engine="duckdb", **kw)
    via_pandas = kpi_table_from_parquet(path, engine="pandas", **kw)
    assert_same_table(got, via_pandas)
    frame = pq.read_table(path).to_pandas(date_as_object=False)
    assert_same_table(got, kpi_table(frame, engine="pandas", **kw))


# --------------------------------------------------------------------------------------
# Hand-made edge cases
# --------------------------------------------------------------------------------------


@pytest.fixture
def edge() -> pd.DataFrame:
    """Status spellings, missing values everywhere, orders split across months and
    customers, a missing order id, a fractional received quantity, blank substitutes."""
    return pd.DataFrame({
        "order_id": pd.Series(["A", "A", "B", "B", "C", "D", "E", None, "F", "F", "G", "H"],
                              dtype="str"),
        "customer_id": pd.Series(["c1", "c1", "c1", "c2", None, "c2", "c1", "c3", "c3", "c3",
                                  "c2", "c1"], dtype="str"),
        "item_id": pd.Series(["i1", "i2", "i1", "i3", "i2", "i1", "i3", "i1", None, "i2", "i1",
                              "i2"], dtype="str"),
        "order_date": D("2024-01-01", "2024-01-01", "2024-01-31", "2024-02-01", "2024-01-03",
                        "2024-01-20", "2024-01-02", "2024-02-10", None, "2024-03-01",
                        "2024-03-05 13:45", "2024-03-18"),
        "requested_date": D("2024-01-10", "2024-01-10", "2024-02-15", "2024-02-20",
                            "2024-01-06", "2024-01-25", "2024-01-09", None, "2024-03-10",
                            "2024-03-10", "2024-03-12", "2024-03-19"),
        "promised_date": D("2024-01-12", None, "2024-02-15", "2024-02-16", "2024-01-08",
                           "2024-01-26", "2024-01-09", "2024-02-20", None, "2024-03-11", None,
                           None),
        "ship_date": D("2024-01-08", "2024-01-11", "2024-02-14", "2024-02-16", "2024-01-05",
                       None, "2024-01-30", "2024-02-19", "2024-03-09", None, "2024-03-15",
                       "2024-03-25"),
        "delivery_date": D("2024-01-10", "2024-01-13", "2024-02-15", None, None, None,
                           "2024-02-05", "2024-02-21", "2024-03-11", None, None, None),
        "qty_ordered": [10.0, 5, NAN, 4, 6, 3, 100, 7, 2, 9, 1e9, 5],
        "qty_shipped": [10.0, 4, 8, NAN, 6, NAN, 0, 7, 2, 3, 1e9, 2],
        "qty_delivered": [10.0, NAN, 7, NAN, NAN, NAN, 0, 6.999999999999, NAN, NAN, NAN, NAN],
        "unit_price": [2.0, 10, NAN, 5, 10.1, 2, 1, 0.3, 0.1, 0.7, 1.23, 4],
        "status": pd.Series(["Delivered ", "delivered", " DELIVERED", "closed", "shipped",
                             "Open", " Cancelled", None, "weird", "open", "canceled",
                             "Shipped"], dtype="str"),
        "invoice_error": pd.array([False, None, True, False, None, None, True, True, False,
                                   None, None, False], dtype="boolean"),
        "qty_damaged": [0.0, 1, NAN, 0, NAN, NAN, 50, 0, NAN, NAN, 3, NAN],
        "qty_returned": [0.0, 0, 1, 2, NAN, NAN, 50, NAN, 0, NAN, NAN, NAN],
        "route_changed": pd.array([False, True, False, None, False, None, True, False, False,
                                   None, True, None], dtype="boolean"),
        "filled_from_stock": pd.array([True, False, True, True, None, None, False, False, True,
                                       None, True, False], dtype="boolean"),
        "substituted_item": pd.Series(["", None, "i9", "i3", "\u3000", None, "i7", " i1",
                                       "i5", None, "x", "i2"], dtype="str"),
    })


EDGE_GROUPS = [None, "customer_id", "item_id", ["customer_id", "item_id"]]


@pytest.mark.parametrize("by", EDGE_GROUPS)
@pytest.mark.parametrize("period", [None, "M", "W"])
@pytest.mark.parametrize("params", [
    {},
    {"on_time_tolerance_days": 0.5, "in_full_tolerance_pct": 0.3, "ship_lead_days": 1.25,
     "as_of": "2024-02-18"},
    {"on_time_tolerance_days": 2, "ship_lead_days": 3, "as_of": "2024-03-20"},
], ids=["defaults", "fractional-tolerances", "whole-tolerances"])
def test_edge_cases_same_table(edge, by, period, params):
    assert_same_table(*both(edge, by, period=period, **params), exact_sums=True)


@pytest.mark.parametrize("change", ["drop", "empty-columns", "all-cancelled", "no-lines",
                                    "no-status"])
def test_degenerate_inputs_same_table(edge, change):
    o = edge
    if change == "drop":
        o = edge.drop(columns=["promised_date", "qty_delivered", "unit_price",
                               "substituted_item"])
    elif change == "empty-columns":
        o = edge.assign(ship_date=pd.NaT, qty_damaged=NAN,
                        invoice_error=pd.array([None] * len(edge), dtype="boolean"))
    elif change == "all-cancelled":
        o = edge.assign(status="CANCELLED")
    elif change == "no-lines":
        o = edge.iloc[:0]
    elif change == "no-status":
        o = edge.drop(columns="status")
    for by in (None, "customer_id"):
        got, expected = both(o, by)
        assert_same_table(got, expected, exact_sums=True)
    if change == "empty-columns":  # notes say what is missing, identically
        assert got["note"].str.startswith("not available").sum() > 0


def test_split_orders_count_once_per_group(edge):
    # order B has lines of c1 (January) and c2 (February): one part in each group
    got, expected = both(edge, "customer_id", period="M", kpis=["orders", "otif_order_rate"])
    assert_same_table(got, expected)
    parts = got.loc[got["kpi"] == "orders", "numerator"].sum()
    overall = kpi_table(edge, engine="duckdb", kpis="orders")["numerator"].iloc[0]
    assert parts > overall


def test_complaints_and_customer_groups():
    orders = pd.DataFrame({
        "order_id": ["A", "B", "C", "D"], "customer_id": ["c1", "c1", "c1", "c2"],
        "item_id": ["i1", "i2", "i1", "i1"],
        "order_date": D("2024-01-05", "2024-01-20", "2024-02-02", "2024-01-10"),
        "qty_ordered": [1.0, 1, 1, 1]})
    complaints = pd.DataFrame({
        "complaint_id": ["K1", "K2", "K3", "K4"], "customer_id": ["c1", "c1", "c2", "c3"],
        "complaint_date": D("2024-01-15", "2024-02-03", "2024-01-20", "2024-01-05"),
        "category": ["late", "short", "late", "damaged"],
        "resolved_date": D("2024-01-20", None, "2024-01-22", "2024-01-06")})
    customers = pd.DataFrame({"customer_id": ["c1", "c2", "c3"],
                              "tier": pd.Series(["A", None, "B"], dtype="str")})
    for kw in ({}, {"by": "customer_id", "period": "M"}, {"by": "item_id"},
               {"by": "tier", "customers": customers}):
        got, expected = both(orders, complaints=complaints, **kw)
        assert_same_table(got, expected, exact_sums=True)
    # c3 has a complaint but no order: its group exists in both engines
    t = kpi_table(orders, "customer_id", engine="duckdb", complaints=complaints)
    assert "c3" in set(t["customer_id"])


def test_errors_are_the_same(edge):
    customers = pd.DataFrame({"customer_id": ["c1", "c1"], "tier": ["A", "B"]})
    cases = [
        (ChoiceError, {"by": "nope"}),
        (DuplicateKeyError, {"by": "tier", "customers": customers}),  # repeated customer_id
        (NotAvailableError, {"period": "M", "date_column": "nope"}),
    ]
    for exc, kw in cases:
        with pytest.raises(exc) as e_pandas:
            kpi_table(edge, engine="pandas", **kw)
        with pytest.raises(exc) as e_duck:
            kpi_table(edge, engine="duckdb", **kw)
        assert str(e_duck.value) == str(e_pandas.value)
    with pytest.raises(MissingColumnsError):
        kpi_table(edge.drop(columns="qty_ordered"), engine="duckdb")


_STATUS = st.sampled_from(["delivered", " Delivered", "shipped", "SHIPPED ", "closed", "open",
                           "Open", "cancelled", "Canceled", "other", None])
_DAY = st.one_of(st.none(), st.integers(0, 60))
_QTY = st.one_of(st.just(NAN), st.integers(0, 12).map(float), st.floats(0, 12))
_FLAG = st.sampled_from([True, False, None])


@st.composite
def _frames(draw):
    n = draw(st.integers(1, 25))
    rows = [dict(order=draw(st.sampled_from("ABCDEFG")), cust=draw(st.sampled_from("xyz")),
                 od=draw(_DAY), rd=draw(_DAY), pd_=draw(_DAY), sd=draw(_DAY), dd=draw(_DAY),
                 qo=draw(_QTY), qs=draw(_QTY), qd=draw(_QTY), price=draw(_QTY),
                 dmg=draw(_QTY), status=draw(_STATUS), inv=draw(_FLAG), ffs=draw(_FLAG))
            for _ in range(n)]
    day0 = pd.Timestamp("2024-01-01")

    def dates(key):
        return pd.to_datetime([None if r[key] is None else day0 + pd.Timedelta(days=r[key])
                               for r in rows])

    return pd.DataFrame({
        "order_id": [r["order"] for r in rows], "customer_id": [r["cust"] for r in rows],
        "item_id": ["i"] * n, "order_date": dates("od"), "requested_date": dates("rd"),
        "promised_date": dates("pd_"), "ship_date": dates("sd"), "delivery_date": dates("dd"),
        "qty_ordered": [r["qo"] for r in rows], "qty_shipped": [r["qs"] for r in rows],
        "qty_delivered": [r["qd"] for r in rows], "unit_price": [r["price"] for r in rows],
        "qty_damaged": [r["dmg"] for r in rows],
        "status": pd.Series([r["status"] for r in rows], dtype="str"),
        "invoice_error": pd.array([r["inv"] for r in rows], dtype="boolean"),
        "filled_from_stock": pd.array([r["ffs"] for r in rows], dtype="boolean"),
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=_frames(), by=st.sampled_from([None, "customer_id"]),
       period=st.sampled_from([None, "M"]), tol=st.sampled_from([0, 1, 2.5]))
def test_random_frames_same_table(frame, by, period, tol):
    try:
        expected = kpi_table(frame, by, period=period, on_time_tolerance_days=tol,
                             in_full_tolerance_pct=0.1 if tol else 0.0, engine="pandas")
    except NotAvailableError:  # no order date at all
        with pytest.raises(NotAvailableError):
            kpi_table(frame, by, period=period, engine="duckdb")
        return
    got = kpi_table(frame, by, period=period, on_time_tolerance_days=tol,
                    in_full_tolerance_pct=0.1 if tol else 0.0, engine="duckdb")
    assert_same_table(got, expected)


# --------------------------------------------------------------------------------------
# Parquet pitfalls
# --------------------------------------------------------------------------------------


def test_parquet_date32_int32_and_no_hugeint(tmp_path):
    # two lines of 2e9 units each: the sum (4e9) overflows int32, and DuckDB sums int32
    # into HUGEINT/decimal128 unless cast -- the table must hold plain float64 4e9
    big = 2_000_000_000
    table = pa.table({
        "order_id": ["A", "A", "B"], "customer_id": ["c1", "c1", "c2"],
        "item_id": ["i1", "i2", "i1"],
        "order_date": pa.array([19723, 19723, 19730], pa.int32()).cast(pa.date32()),
        "requested_date": pa.array([19730, 19730, 19740], pa.int32()).cast(pa.date32()),
        "ship_date": pa.array([19729, 19729, None], pa.int32()).cast(pa.date32()),
        "delivery_date": pa.array([19730, 19731, None], pa.int32()).cast(pa.date32()),
        "qty_ordered": pa.array([big, big, 5], pa.int32()),
        "qty_shipped": pa.array([big, big, None], pa.int32()),
        "status": ["delivered", "delivered", "open"],
    })
    path = tmp_path / "lines.parquet"
    pq.write_table(table, path)
    got = kpi_table_from_parquet(path, engine="duckdb")
    assert_same_table(got, kpi_table_from_parquet(path, engine="pandas"), exact_sums=True)
    assert (got[["numerator", "denominator", "value"]].dtypes == np.float64).all()
    unit_fill = got.set_index("kpi").loc["unit_fill_rate"]
    assert unit_fill["numerator"] == unit_fill["denominator"] == 2.0 * big
    cycle = got.set_index("kpi").loc["cycle_time_mean"]
    assert (cycle["numerator"], cycle["denominator"]) == (7.0 + 8.0, 2.0)
    assert got.attrs["as_of"] == pd.Timestamp("2024-01-08")


def test_parquet_errors(tmp_path):
    path = tmp_path / "no_qty.parquet"
    pq.write_table(pa.table({"order_id": ["A"], "order_date": ["2024-01-01"]}), path)
    with pytest.raises(MissingColumnsError):
        kpi_table_from_parquet(path, engine="duckdb")
    path = tmp_path / "text_dates.parquet"
    pq.write_table(pa.table({"order_id": ["A"], "qty_ordered": [1.0],
                             "order_date": ["2024-01-01"]}), path)
    with pytest.raises(DateColumnError, match="not a date column"):
        kpi_table_from_parquet(path, engine="duckdb")
    with pytest.raises(ChoiceError, match="engine='spark'"):
        kpi_table_from_parquet(path, engine="spark")
    with pytest.raises(SourceNotFoundError):
        kpi_table_from_parquet(tmp_path / "missing.parquet")


def test_parquet_without_statistics_and_nan_floats(edge, tmp_path):
    # NaN (not null) in a float column is missing for pandas; no statistics: a count query
    path = tmp_path / "nostats.parquet"
    frame = edge.assign(unit_price=np.nan)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.set_column(table.schema.get_field_index("unit_price"), "unit_price",
                             pa.array(np.full(len(frame), np.nan), pa.float64(),
                                      from_pandas=False))
    pq.write_table(table, path, write_statistics=False)
    got = kpi_table_from_parquet(path, "customer_id", engine="duckdb")
    expected = kpi_table_from_parquet(path, "customer_id", engine="pandas")
    assert_same_table(got, expected, exact_sums=True)
    assert (got.loc[got["kpi"] == "value_fill_rate", "note"]
            == "not available: needs column unit_price").all()


# --------------------------------------------------------------------------------------
# The engine switch
# --------------------------------------------------------------------------------------


def test_engine_switch(edge, monkeypatch):
    import workbench.kpis.engine as kpis_engine

    with pytest.raises(ChoiceError, match="engine='polars'"):
        kpi_table(edge, engine="polars")
    calls = []
    real = kpis_engine.duckdb_kpi_table
    monkeypatch.setattr(kpis_engine, "duckdb_kpi_table",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    kpi_table(edge)  # small frame: pandas
    assert calls == []
    monkeypatch.setattr("workbench.kpis.engine.AUTO_DUCKDB_MIN_LINES", 5)
    kpi_table(edge)
    assert calls == [1]
    assert AUTO_DUCKDB_MIN_LINES >= 100_000


def test_auto_falls_back_when_arrow_refuses_the_frame(edge, monkeypatch):
    monkeypatch.setattr("workbench.kpis.engine.AUTO_DUCKDB_MIN_LINES", 5)
    # ints and texts in one object column: Arrow cannot type it
    mixed = edge.assign(substituted_item=pd.Series([1, "x"] * 6, dtype=object))
    auto = kpi_table(mixed, "customer_id")
    assert_same_table(auto, kpi_table(mixed, "customer_id", engine="pandas"))
    with pytest.raises(ConfigError, match="cannot be handed to DuckDB"):
        kpi_table(mixed, "customer_id", engine="duckdb")


def test_python_whitespace_matches_str_strip():
    assert set(PY_WHITESPACE) == {c for c in map(chr, range(0x110000)) if c.isspace()}


def test_table_layout(edge):
    t = kpi_table(edge, "customer_id", period="M", engine="duckdb")
    assert list(t.columns) == ["customer_id", "period_start", *TABLE_VALUE_COLUMNS]
    assert list(t["kpi"].iloc[:len(KPI_NAMES)]) == list(KPI_NAMES)
    assert t["period_start"].dtype == "datetime64[ns]"
