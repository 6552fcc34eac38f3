"""Lazy Parquet scans (issue 14): streamed validation, KPI table and PAB equal the in-memory path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import MissingColumnsError, OutputExistsError, SourceNotFoundError
from workbench.io.load import load_orders
from workbench.io.scan import SCAN_QUARANTINE_COLUMNS, parquet_files, scan_orders
from workbench.kpis import kpi_table, kpi_table_from_parquet
from workbench.planning.pab import pab_table
from workbench.planning.pab_scan import open_demand_from_scan, pab_from_scan

duckdb = pytest.importorskip("duckdb")

AS_OF = "2025-06-30"


def _lines(rng: np.random.Generator, first_order: int, n_orders: int) -> pd.DataFrame:
    k = rng.integers(1, 4, n_orders)
    order = np.repeat(np.arange(first_order, first_order + n_orders), k)
    n = len(order)
    line = np.arange(n) - np.repeat(np.cumsum(k) - k, k) + 1
    day = np.datetime64("2025-01-01") + rng.integers(0, 180, n_orders)[order - first_order]
    req = day + rng.integers(5, 40, n)
    ship = req + rng.integers(-3, 6, n)
    deliv = ship + rng.integers(1, 4, n)
    status = np.where(ship > np.datetime64(AS_OF), "open",
                      np.where(deliv > np.datetime64(AS_OF), "Shipped", "delivered"))
    done = status != "open"
    qty = rng.integers(1, 50, n).astype(float)
    q_ship = np.where(done, np.where(rng.random(n) < 0.1, np.floor(qty / 2), qty), np.nan)
    return pd.DataFrame({
        "order_id": [f"SO{o:06d}" for o in order], "line_no": line.astype(np.int32),
        "customer_id": [f"C{c:02d}" for c in rng.integers(1, 7, n)],
        "item_id": [f"I{i:02d}" for i in rng.integers(1, 12, n)],
        "order_date": pd.to_datetime(day), "requested_date": pd.to_datetime(req),
        "promised_date": pd.to_datetime(req + rng.integers(0, 3, n)),
        "ship_date": pd.to_datetime(np.where(done, ship, np.datetime64("NaT"))),
        "delivery_date": pd.to_datetime(np.where(status == "delivered", deliv,
                                                 np.datetime64("NaT"))),
        "qty_ordered": qty, "qty_shipped": q_ship,
        "qty_delivered": np.where(status == "delivered", q_ship, np.nan),
        "unit_price": np.round(rng.uniform(1, 30, n), 2), "status": status,
    })


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three Parquet files (one in a sub-folder) with dirty rows, repeats inside and across files."""
    d = tmp_path_factory.mktemp("lake")
    rng = np.random.default_rng(14)
    parts = [_lines(rng, 1 + 400 * i, 400) for i in range(3)]
    a, b, c = parts
    a.loc[5, "customer_id"] = None                                   # missing_required
    a.loc[17, "qty_ordered"] = -3.0                                  # negative_quantity
    b.loc[9, "delivery_date"] = b.loc[9, "order_date"] - pd.Timedelta(days=2)
    b.loc[9, "status"] = "delivered"                                 # delivery before order
    b.loc[30, ["order_id", "line_no"]] = b.loc[29, ["order_id", "line_no"]].to_numpy()
    b.loc[400] = a.loc[100]                                          # identical, across files
    c.loc[2, ["order_id", "line_no"]] = a.loc[700 // 2, ["order_id", "line_no"]].to_numpy()
    c.loc[3, "requested_date"] = pd.NaT                              # open, undated: period 0
    c.loc[4, "status"] = None
    (d / "sub").mkdir()
    a.to_parquet(d / "part-0.parquet", index=False)
    b.to_parquet(d / "part-1.parquet", index=False)
    c.to_parquet(d / "sub" / "part-2.parquet", index=False)
    return d


@pytest.fixture(scope="module")
def loaded(folder):
    return load_orders(parquet_files(folder), as_of=AS_OF)


@pytest.fixture(scope="module")
def validated(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    scan = scan_orders(folder, memory_limit="1GB", temp_directory=out / "spill")
    return scan.validate(batch_rows=250, quarantine=out / "q.parquet", clean=out / "clean",
                         as_of=AS_OF)


def test_files_are_found_recursively_in_order(folder):
    files = parquet_files(folder)
    assert [f.relative_to(folder).as_posix() for f in files] == [
        "part-0.parquet", "part-1.parquet", "sub/part-2.parquet"]
    assert parquet_files(str(folder / "*.parquet")) == files[:2]
    with pytest.raises(SourceNotFoundError):
        parquet_files(folder / "nothing-*.parquet")


def test_rows_in_equal_valid_plus_quarantined_against_an_independent_count(folder, validated):
    by_meta = sum(pq.read_metadata(f).num_rows for f in parquet_files(folder))
    by_duckdb = duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet')"
                           ).fetchall()[0][0]
    assert by_meta == by_duckdb == validated.rows_in == validated.rows_read
    assert validated.rows_in == validated.rows_valid + validated.rows_quarantined
    assert validated.batches > len(parquet_files(folder))  # streamed: several batches per file
    clean_rows = sum(pq.read_metadata(f).num_rows for f in validated.clean.files)
    q_rows = pq.read_metadata(validated.quarantine).num_rows
    assert (clean_rows, q_rows) == (validated.rows_valid, validated.rows_quarantined)


def test_known_dirty_rows_are_quarantined_with_their_reason(folder, validated):
    q = pd.read_parquet(validated.quarantine)
    assert list(q.columns) == list(SCAN_QUARANTINE_COLUMNS)
    got = sorted(zip(q["source_file"].map(lambda s: Path(s).name), q["source_row"], q["reason"],
                     strict=True))
    # hand-listed: source_row = position + 1 (Parquet has no header row)
    assert got == sorted([
        ("part-0.parquet", 6, "missing_required"),
        ("part-0.parquet", 18, "negative_quantity"),
        ("part-1.parquet", 10, "delivery_date_before_order_date"),
        ("part-1.parquet", 31, "duplicate_key"),      # same batch as its first row
        ("part-1.parquet", 401, "duplicate_key"),     # a later file, another batch
        ("part-2.parquet", 3, "duplicate_key"),
    ])
    d = q.set_index("source_row")["detail"]
    assert d[401] == "order_id/line_no repeated: identical to source row 101"
    assert d[31] == "order_id/line_no repeated: same key as, but different values from source row 30"


def test_quarantine_matches_load_orders(validated, loaded):
    cols = ["source_file", "source_row", "reason", "column", "value", "detail"]
    mine = pd.read_parquet(validated.quarantine)[cols]
    theirs = loaded.quarantine[cols].assign(
        value=[None if pd.isna(v) else str(v) for v in loaded.quarantine["value"]])
    key = ["source_file", "source_row"]
    pd.testing.assert_frame_equal(
        mine.sort_values(key).reset_index(drop=True).astype(object),
        theirs.sort_values(key).reset_index(drop=True).astype(object))
    assert validated.by_reason == loaded.summary.quarantine_by_reason


def test_clean_rows_equal_the_loaded_rows(validated, loaded):
    clean = pd.concat([pd.read_parquet(f) for f in validated.clean.files], ignore_index=True)
    key = ["source_file", "source_row"]
    mine = clean.sort_values(key).reset_index(drop=True)
    theirs = loaded.orders.assign(source_file=loaded.orders["source_file"].astype(str)
                                  ).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs[list(mine.columns)], check_dtype=False)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.integers(97, 1300))
def test_any_batch_size_gives_the_same_quarantine(folder, validated, batch):
    v = scan_orders(folder).validate(batch_rows=batch, as_of=AS_OF)
    assert v.balanced and v.clean is None
    assert (v.rows_valid, v.by_reason) == (validated.rows_valid, validated.by_reason)


@pytest.mark.parametrize("by,period", [("customer_id", "M"), (["item_id"], "W"), (None, None)])
def test_kpi_table_on_the_clean_scan_equals_kpi_table_in_memory(validated, loaded, by, period):
    got = kpi_table_from_parquet(validated.clean, by, period=period, engine="duckdb")
    for engine in ("duckdb", "pandas"):
        want = kpi_table(loaded.orders, by, period=period, engine=engine)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-9)
        assert got.attrs == want.attrs


def test_kpi_table_from_a_folder_uses_every_file(validated, loaded):
    folder = validated.clean.files[0].parent
    got = kpi_table_from_parquet(folder, "customer_id", kpis=["lines", "orders"])
    want = kpi_table(loaded.orders, "customer_id", kpis=["lines", "orders"], engine="pandas")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    assert got.loc[got["kpi"] == "lines", "value"].sum() == validated.rows_valid


@pytest.mark.parametrize("freq,horizon,due", [("W", 8, "requested_date"),
                                              ("M", 3, ("promised_date", "requested_date")),
                                              ("D", 20, "requested_date")])
def test_pab_from_the_scan_equals_the_in_memory_pab(validated, loaded, freq, horizon, due):
    inv = pd.DataFrame({"item_id": [f"I{i:02d}" for i in range(1, 12)],
                        "snapshot_date": pd.Timestamp("2025-06-01"),
                        "on_hand": np.arange(11) * 40.0})
    got = pab_from_scan(validated.clean, inventory=inv, as_of=AS_OF, horizon=horizon,
                        freq=freq, due_column=due)
    want = pab_table(loaded.orders, inventory=inv, as_of=AS_OF, horizon=horizon, freq=freq,
                     due_column=due)
    pd.testing.assert_frame_equal(got.long, want, check_exact=False, rtol=1e-9, atol=1e-9)


def test_open_demand_known_answer(tmp_path):
    pd.DataFrame({
        "order_id": ["A", "A", "A", "B", "B", "C"], "line_no": [1, 2, 3, 1, 2, 1],
        "customer_id": "C1", "item_id": ["X", "X", "Y", "X", "Z", "X"],
        "order_date": pd.Timestamp("2025-05-01"),
        "requested_date": pd.to_datetime(["2025-06-02", "2025-06-11", "2025-06-03",
                                          "2025-05-20", "2025-06-04", "2025-09-01"]),
        "qty_ordered": [10.0, 4.0, 7.0, 5.0, 3.0, 8.0],
        "qty_shipped": [3.0, None, 7.0, None, None, None],
        "status": ["open", " OPEN", "open", "open", "Cancelled ", "open"],
    }).to_parquet(tmp_path / "p.parquet")
    got = open_demand_from_scan(tmp_path, as_of="2025-06-04", horizon=4, freq="W")
    # weeks from Mon 2025-06-02: X: 10-3 in week 0, 5 past due -> week 0, 4 in week 1,
    # 8 after the horizon; Y fully shipped (no open qty); Z cancelled
    assert got[["item_id", "period", "qty"]].values.tolist() == [
        ["X", 0, 12.0], ["X", 1, 4.0], ["Y", 0, 0.0], ["Z", 0, 0.0]]
    assert got["period_start"].tolist() == [pd.Timestamp("2025-06-02"),
                                            pd.Timestamp("2025-06-09"),
                                            pd.Timestamp("2025-06-02"),
                                            pd.Timestamp("2025-06-02")]


def test_scan_is_lazy_and_checks_columns_at_the_edge(tmp_path):
    frame = pd.DataFrame({"order_id": ["A"], "customer_id": ["C"], "item_id": ["I"],
                          "order_date": pd.to_datetime(["2025-01-01"]), "qty_ordered": [1.0]})
    frame.to_parquet(tmp_path / "p.parquet")
    with pytest.raises(MissingColumnsError, match="line_no"):
        scan_orders(tmp_path)
    renamed = frame.assign(line_no=1).rename(columns={"qty_ordered": "Qty"})
    renamed.to_parquet(tmp_path / "p.parquet")
    scan = scan_orders(tmp_path, mapping={"columns": {"qty_ordered": "Qty"}})
    assert scan.columns["qty_ordered"] == "Qty" and not scan.model_ready
    v = scan.validate(quarantine=tmp_path / "out" / "q.csv", clean=tmp_path / "clean")
    assert (v.rows_in, v.rows_valid) == (1, 1)
    assert pd.read_csv(tmp_path / "out" / "q.csv").columns.tolist() == list(
        SCAN_QUARANTINE_COLUMNS)
    assert pd.read_parquet(v.clean.files[0])["qty_ordered"].tolist() == [1.0]
    with pytest.raises(OutputExistsError):
        scan.validate(clean=tmp_path / "clean")
