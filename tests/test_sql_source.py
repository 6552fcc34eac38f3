"""SQL order sources (workbench.io.sql_source): read-only, no password in any message, no
database created by a typo; SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import socket
import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.exceptions import (
    CorruptDatabaseError,
    ReadOnlyQueryError,
    SourceError,
    SourceNotFoundError,
    WorkbenchError,
    redact_secrets,
)
from workbench.io import sql_source
from workbench.io.sql_source import check_read_only_query, read_sql_raw
from workbench.planning.alertlog import AlertLog

SECRET = "S3cr3t-pw"


def _orders() -> pd.DataFrame:
    """Three order lines; the second has a negative quantity (quarantined)."""
    return pd.DataFrame({
        "order_id": ["S1", "S1", "S2"], "line_no": [1, 2, 1], "customer_id": ["C1", "C1", "C9"],
        "item_id": ["I1", "I2", "I1"], "order_date": ["2024-01-02", "2024-01-02", "2024-01-03"],
        "qty_ordered": [5.0, -1.0, 3.0], "note": ["ok", "drop table; delete", "x"]})


@pytest.fixture
def erp(tmp_path):
    db = tmp_path / "erp.db"
    with sqlite3.connect(db) as con:
        _orders().to_sql("orders", con, index=False)
    return db


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------
# No password in any message
# ------------------------------------------------------------------------------------

def test_redact_secrets_hides_url_and_keyword_passwords_only():
    text = (f"to postgresql+psycopg://ana:{SECRET}@db.example:5432/erp, "
            f"'mysql://bob:{SECRET}@h/x' and dsn host=h password={SECRET} user=u; "
            f"sqlite:///C:/data/erp.db stays; https://example.com/a@b stays")
    out = redact_secrets(text)
    assert SECRET not in out
    assert "postgresql+psycopg://ana:***@db.example:5432/erp" in out
    assert "'mysql://bob:***@h/x'" in out and "password=*** user=u" in out
    assert "sqlite:///C:/data/erp.db stays; https://example.com/a@b stays" in out


def test_every_workbench_error_hides_a_password_in_message_and_source():
    url = f"postgresql://ana:{SECRET}@db/erp"
    exc = WorkbenchError(f"cannot reach {url}", source=url, fix=f"retry {url}")
    assert SECRET not in str(exc) and SECRET not in exc.source
    assert str(exc).count("ana:***@db/erp") == 3


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://ana:{SECRET}@127.0.0.1:{{port}}/erp",   # server unreachable
    f"postgresql+nodriver://ana:{SECRET}@127.0.0.1:{{port}}/erp",  # driver unknown
    f"postgres ql://ana:{SECRET}@127.0.0.1:{{port}}/erp",          # not a URL
    f"postgresql+psycopg://ana:{SECRET}@127.0.0.1:{{port}}/erp?password={SECRET}",
])
def test_database_errors_never_show_the_password(url):
    url = url.format(port=_closed_port())
    with pytest.raises(SourceError) as err:
        wb.load_orders(url, sql_table="orders")
    assert SECRET not in str(err.value) and SECRET not in (err.value.source or "")
    assert "ana:***@" in str(err.value)


def test_alert_log_errors_never_show_the_password():
    url = f"postgresql+psycopg://ana:{SECRET}@127.0.0.1:{_closed_port()}/alerts"
    with pytest.raises(SourceError) as err:
        AlertLog(url)
    assert SECRET not in str(err.value) and "ana:***@127.0.0.1" in str(err.value)
    with pytest.raises(SourceError) as err:
        AlertLog(f"postgres ql://ana:{SECRET}@h/alerts")
    assert SECRET not in str(err.value)


# ------------------------------------------------------------------------------------
# query= only reads
# ------------------------------------------------------------------------------------

WRITES = [
    "DROP TABLE orders",
    "drop table orders;",
    "DELETE FROM orders",
    "UPDATE orders SET qty_ordered = 0",
    "INSERT INTO orders (order_id) VALUES ('X')",
    "REPLACE INTO orders (order_id) VALUES ('X')",
    "CREATE TABLE t AS SELECT * FROM orders",
    "ALTER TABLE orders ADD COLUMN x INT",
    "SELECT * FROM orders; DROP TABLE orders",
    "SELECT 1;DELETE FROM orders",
    "/* looks harmless */ DROP TABLE orders",
    "-- a comment\nDELETE FROM orders",
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d",
    "SELECT * INTO copy FROM orders",
    "ATTACH DATABASE 'other.db' AS other",
    "PRAGMA writable_schema = ON",
    "VACUUM",
    "  ",
    "SELECT 'unclosed FROM orders",
]


@pytest.mark.parametrize("query", WRITES)
def test_query_that_would_write_is_refused_and_the_database_is_unchanged(erp, query):
    before = _digest(erp)
    with pytest.raises(ReadOnlyQueryError, match="query="):
        wb.load_orders(f"sqlite:///{erp}", query=query)
    assert _digest(erp) == before
    assert sorted(p.name for p in erp.parent.iterdir()) == ["erp.db"]


@pytest.mark.parametrize("query, n_rows", [
    ("SELECT * FROM orders WHERE note = 'drop table; delete'", 1),   # words inside a string
    ('SELECT order_id AS "update", note FROM orders', 3),            # a quoted name
    ("SELECT * FROM orders -- delete later\n", 3),                    # a comment
    ("/* insert; */ SELECT * FROM orders WHERE qty_ordered > 0;", 2),
    ("WITH pos AS (SELECT * FROM orders WHERE qty_ordered > 0) SELECT * FROM pos", 2),
    ("select replace(note, 'o', '0') as note, * from orders", 3),
])
def test_read_only_queries_run_even_with_write_words_in_text(erp, query, n_rows):
    before = _digest(erp)
    raw = read_sql_raw(f"sqlite:///{erp}", query=query)
    assert len(raw.frame) == n_rows
    assert _digest(erp) == before


_STATEMENTS = ["DROP TABLE orders", "DELETE FROM orders", "UPDATE orders SET note = 'x'",
               "INSERT INTO orders (order_id) VALUES ('X')", "CREATE TABLE t (x INT)",
               "ATTACH DATABASE 'o.db' AS o", "PRAGMA query_only = OFF"]
_NOISE = st.sampled_from(["", " ", "\n", "\t", "/* c */", "-- c\n", "/* ' \" */ "])


@given(statement=st.sampled_from(_STATEMENTS), before=_NOISE, after=_NOISE,
       upper=st.booleans(), chained=st.booleans())
def test_any_write_in_any_disguise_is_refused(statement, before, after, upper, chained):
    text = statement.upper() if upper else statement.lower()
    query = f"{before}{text}{after}"
    if chained:  # hidden behind a read
        query = f"SELECT 1{after};{before}{text}"
    with pytest.raises(ReadOnlyQueryError):
        check_read_only_query(query)


@settings(max_examples=40)
@given(note=st.text(max_size=30))
def test_any_text_in_a_string_literal_is_only_read(tmp_path_factory, note):
    # The oracle is sqlite3 with a bound parameter; the query embeds the text as a literal.
    db = tmp_path_factory.mktemp("lit") / "erp.db"
    note = note.replace("\x00", "")
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE orders (note TEXT)")
        con.executemany("INSERT INTO orders VALUES (?)", [(note,), ("other",), (note,)])
        expected = con.execute("SELECT count(*) FROM orders WHERE note = ?", (note,)).fetchone()[0]
    literal = "'" + note.replace("'", "''") + "'"
    raw = read_sql_raw(f"sqlite:///{db}", query=f"SELECT * FROM orders WHERE note = {literal}")
    assert len(raw.frame) == expected


def test_check_read_only_query_strips_the_final_semicolon_only():
    assert check_read_only_query("SELECT 1 ;  ") == "SELECT 1"
    with pytest.raises(ReadOnlyQueryError, match="several statements"):
        check_read_only_query("SELECT 1; SELECT 2")


def test_sqlite_is_opened_read_only_even_if_a_write_got_past_the_query_check(
        erp, monkeypatch):
    # Second fence: the connection itself refuses to write.
    monkeypatch.setattr(sql_source, "check_read_only_query", lambda q: q)
    before = _digest(erp)
    for query in ("DELETE FROM orders", "DROP TABLE orders", "CREATE TABLE t (x INT)"):
        with pytest.raises(SourceError, match="readonly|read-only|read only"):
            read_sql_raw(f"sqlite:///{erp}", query=query)
    assert _digest(erp) == before
    with sqlite3.connect(erp) as con:
        assert con.execute("select count(*) from orders").fetchone()[0] == 3


# ------------------------------------------------------------------------------------
# SQLite files: never created, corrupt ones named
# ------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["sqlite:///{p}", "sqlite:///file:{p}?mode=ro&uri=true"])
def test_mistyped_sqlite_path_is_an_error_and_creates_no_database(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    for path in ("erp_typo.db", "no_such_folder/erp.db", str(tmp_path / "abs_typo.db")):
        with pytest.raises(SourceNotFoundError, match="not found") as err:
            wb.load_orders(form.format(p=path), sql_table="orders")
        assert path in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_sqlite_url_reads_the_table_with_schema_prefix_and_a_uri_url(erp):
    res = wb.load_orders(f"sqlite:///file:{erp}?mode=ro&uri=true", sql_table="main.orders")
    assert (res.summary.rows_in, res.summary.rows_loaded, res.summary.rows_quarantined) == (
        3, 2, 1)


def test_corrupt_sqlite_source_names_the_file_and_the_fix(tmp_path):
    bad = tmp_path / "erp.db"
    bad.write_bytes(b"order_id,qty\nS1,5\n" * 200)  # a CSV saved under a .db name
    for source in (f"sqlite:///{bad}", bad):
        with pytest.raises(CorruptDatabaseError) as err:
            wb.load_orders(source, sql_table="orders")
        assert str(bad) in str(err.value) and "not an SQLite database" in str(err.value)
        assert "Fix:" in str(err.value)
    assert bad.read_bytes() == b"order_id,qty\nS1,5\n" * 200


# ------------------------------------------------------------------------------------
# PostgreSQL (a real server; see the postgres_url fixture)
# ------------------------------------------------------------------------------------

@pytest.fixture
def pg_orders(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as conn:
        _orders().to_sql("orders", conn, index=False)
        conn.exec_driver_sql("CREATE SCHEMA sales")
        _orders().iloc[:1].to_sql("orders", conn, schema="sales", index=False)
        conn.exec_driver_sql("CREATE SEQUENCE order_seq")
    yield postgres_url, engine
    engine.dispose()


def _pg_count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def test_orders_load_from_a_postgresql_table_and_query(pg_orders):
    url, _ = pg_orders
    res = wb.load_orders(url, sql_table="orders")
    assert (res.summary.rows_in, res.summary.rows_loaded, res.summary.rows_quarantined) == (
        3, 2, 1)
    assert res.quarantine["reason"].tolist() == ["negative_quantity"]
    assert sorted(res.orders["order_id"].tolist()) == ["S1", "S2"]
    label = res.summary.sources[0]["source"]
    assert label.endswith("#orders")
    assert ":***@" in label if sa.make_url(url).password else "@" in label
    res = wb.load_orders(url, query="SELECT * FROM orders WHERE qty_ordered > 0")
    assert (res.summary.rows_in, res.summary.rows_loaded) == (2, 2)
    res = wb.load_orders(url, sql_table="sales.orders")
    assert res.summary.rows_in == 1
    with pytest.raises(SourceError, match="does not exist"):
        wb.load_orders(url, sql_table="nope")


def test_postgresql_source_reads_in_a_read_only_transaction(pg_orders, monkeypatch):
    url, engine = pg_orders
    # A write hidden in a function call passes the text check; the server refuses it.
    with pytest.raises(SourceError, match="read-only transaction"):
        read_sql_raw(url, query="SELECT nextval('order_seq') AS n")
    with pytest.raises(ReadOnlyQueryError):
        read_sql_raw(url, query="WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d")
    monkeypatch.setattr(sql_source, "check_read_only_query", lambda q: q)
    for query in ("DELETE FROM orders", "DROP TABLE orders",
                  "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"):
        with pytest.raises(SourceError, match="read-only transaction"):
            read_sql_raw(url, query=query)
    assert _pg_count(engine, "SELECT count(*) FROM orders") == 3
    assert _pg_count(engine, "SELECT nextval('order_seq')") == 1  # never advanced


def test_wrong_postgresql_password_error_hides_both_passwords(postgres_url):
    url = sa.make_url(postgres_url).set(password=SECRET)
    text = url.render_as_string(hide_password=False)
    with pytest.raises(SourceError) as err:
        wb.load_orders(text, sql_table="orders")
    assert SECRET not in str(err.value) and "password authentication failed" in str(err.value)
    with pytest.raises(SourceError) as err:
        AlertLog(text)
    assert SECRET not in str(err.value) and "password authentication failed" in str(err.value)


def test_colon_words_inside_a_literal_are_text_not_parameters(tmp_path):
    # Found by hypothesis in CI: sa.text() read ':0' in a literal as a bind parameter.
    db = tmp_path / "erp.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE orders (note TEXT)")
        con.executemany("INSERT INTO orders VALUES (?)", [(":0",), ("a :name b",), ("x",)])
    raw = read_sql_raw(f"sqlite:///{db}",
                       query="SELECT * FROM orders WHERE note IN (':0', 'a :name b')")
    assert sorted(raw.frame["note"]) == [":0", "a :name b"]
