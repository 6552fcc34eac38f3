"""Read a table or a query result from an SQL database through SQLAlchemy, read-only.

Reading never changes the database:

* ``query=`` takes one ``SELECT`` (or ``WITH ... SELECT`` / ``VALUES``) statement;
  anything else (DDL, DML, several statements) is refused before it reaches the
  database (:func:`check_read_only_query`);
* the read runs in a transaction that is rolled back, and on PostgreSQL it is a
  ``READ ONLY`` transaction, so a write hidden in a function call fails there too;
* SQLite files are opened read-only (``mode=ro``, ``PRAGMA query_only``), and a
  path that does not exist is an error: a mistyped ``sqlite:///`` path never
  creates an empty database.

Messages name the source by its URL with the password hidden (``***``). The real
safeguard against writes on a server is still a database user with read rights
only.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.exceptions import (
    ConfigError,
    CorruptDatabaseError,
    ReadOnlyQueryError,
    SourceError,
    SourceNotFoundError,
    WorkbenchError,
    redact_secrets,
)
from workbench.io.readers import RawTable

__all__ = [
    "check_read_only_query",
    "corrupt_database_error",
    "read_sql_raw",
    "sqlite_file",
]

_READ_FIRST_WORDS = {"SELECT", "WITH", "VALUES"}
# Words that make a statement change data or schema, wherever they stand (a data-modifying
# CTE "WITH d AS (DELETE ...)", "SELECT ... INTO new_table").
_WRITE_WORDS = {"INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "CREATE", "DROP",
                "ALTER", "TRUNCATE", "GRANT", "REVOKE", "ATTACH", "DETACH", "PRAGMA",
                "VACUUM", "REINDEX"}
# Comments, string literals, quoted identifiers and PostgreSQL dollar-quoted strings: their
# text is not SQL keywords.
_NOT_CODE = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`"
    r"|\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$",
    re.DOTALL)
_UNCLOSED = re.compile(r"/\*|'|\"|`|\$[A-Za-z_]*\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_CORRUPT = ("file is not a database", "database disk image is malformed",
            "file is encrypted")
_READ_ONLY_FIX = ("query= takes one SELECT statement (WITH ... SELECT or VALUES too); it only "
                  "reads. Pass table= to read a whole table; change data with the database's "
                  "own tools.")


def check_read_only_query(query: str) -> str:
    """Return ``query`` if it is one read-only statement; refuse it otherwise.

    Parameters
    ----------
    query
        SQL text given as ``query=`` to an SQL source.

    Returns
    -------
    str
        The query without trailing semicolons.

    Raises
    ------
    ReadOnlyQueryError
        The query is empty, holds several statements, does not start with
        ``SELECT``/``WITH``/``VALUES``, or uses a word that writes (``INSERT``,
        ``UPDATE``, ``DELETE``, ``DROP``, ``CREATE``, ``INTO``, ``ATTACH``, ...)
        outside strings, quoted names and comments.

    Examples
    --------
    >>> check_read_only_query("SELECT * FROM order_lines WHERE note = 'drop; delete';")
    "SELECT * FROM order_lines WHERE note = 'drop; delete'"
    >>> check_read_only_query("DROP TABLE order_lines")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.exceptions.ReadOnlyQueryError: query= must only read; it starts with DROP. ...
    """
    if not isinstance(query, str) or not query.strip():
        raise ReadOnlyQueryError("query= must be SQL text.", key="query", value=query,
                                 fix=_READ_ONLY_FIX)
    text = query.strip().rstrip(";").rstrip()
    code = _NOT_CODE.sub(" ", text)
    if _UNCLOSED.search(code):
        raise ReadOnlyQueryError("query= has an unclosed string, quoted name or comment.",
                                 key="query", value=query, fix=_READ_ONLY_FIX)
    if ";" in code:
        raise ReadOnlyQueryError("query= holds several statements.", key="query", value=query,
                                 fix=_READ_ONLY_FIX)
    words = [w.upper() for w in _WORD.findall(code)]
    first = words[0] if words else ""
    if first not in _READ_FIRST_WORDS:
        raise ReadOnlyQueryError(f"query= must only read; it starts with {first or '?'}.",
                                 key="query", value=query, fix=_READ_ONLY_FIX)
    writes = sorted(set(words) & _WRITE_WORDS)
    if writes:
        raise ReadOnlyQueryError(f"query= must only read; it uses {', '.join(writes)}.",
                                 key="query", value=query, fix=_READ_ONLY_FIX)
    return text


def sqlite_file(url: sa.URL) -> Path | None:
    """Return the file an SQLite URL names, or ``None`` for an in-memory database.

    Both forms are understood: ``sqlite:///path.db`` and the URI form
    ``sqlite:///file:path.db?mode=ro&uri=true``.

    Examples
    --------
    >>> sqlite_file(sa.make_url("sqlite:///data/erp.db")).as_posix()
    'data/erp.db'
    >>> sqlite_file(sa.make_url("sqlite:///file:erp.db?mode=ro&uri=true")).as_posix()
    'erp.db'
    >>> sqlite_file(sa.make_url("sqlite://")) is None
    True
    """
    database = url.database or ""
    if database.startswith("file:") and str(url.query.get("uri", "")).lower() in ("true", "1"):
        if url.query.get("mode") == "memory":
            return None
        database = unquote(database[len("file:"):].split("?", 1)[0])
    if database in ("", ":memory:"):
        return None
    return Path(database)


def corrupt_database_error(exc: BaseException, path: Path | str, *, what: str,
                           fix: str) -> CorruptDatabaseError | None:
    """Return a :class:`CorruptDatabaseError` if ``exc`` says the file is no database.

    Parameters
    ----------
    exc
        The error the database driver raised.
    path
        The database file.
    what
        What the file is for (``"SQLite order source"``, ``"alert log"``).
    fix
        The remedy to name.

    Returns
    -------
    CorruptDatabaseError or None
        ``None`` when ``exc`` is about something else.
    """
    text = str(exc).lower()
    if not any(marker in text for marker in _CORRUPT):
        return None
    reason = next(marker for marker in _CORRUPT if marker in text)
    return CorruptDatabaseError(f"the {what} file is damaged or not an SQLite database "
                                f"({reason})", source=str(path), fix=fix)


def _sqlite_engine(path: Path) -> sa.Engine:
    """Open an existing SQLite file read-only (nothing is ever created)."""
    if not path.exists():
        raise SourceNotFoundError(
            "SQLite database file not found (nothing was created)", path=str(path),
            fix=f"check the path; sqlite:///relative/path.db is relative to the working "
                f"folder ({Path.cwd()}), sqlite:////absolute/path.db (four slashes) is "
                f"absolute.")
    if path.is_dir():
        raise SourceError("is a folder, not an SQLite database file", source=str(path),
                          fix="name the .db/.sqlite file inside it.")
    uri = path.resolve().as_uri() + "?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA query_only = ON")
        return conn

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)


def _open(url: object) -> tuple[sa.Engine, sa.URL, Path | None]:
    """Open a source URL read-only: engine, parsed URL and SQLite file (if any)."""
    try:
        parsed = sa.make_url(url) if not isinstance(url, sa.URL) else url
    except Exception as exc:
        raise SourceError(f"not a valid database URL ({type(exc).__name__})",
                          source=redact_secrets(str(url)),
                          fix="use an SQLAlchemy URL such as sqlite:///path/to/file.db or "
                              "postgresql+psycopg://user@host:5432/database.") from exc
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            return _sqlite_engine(path), parsed, path
    try:
        return sa.create_engine(parsed), parsed, None
    except Exception as exc:
        raise SourceError(f"cannot open database URL: {exc}",
                          source=parsed.render_as_string(hide_password=True),
                          fix="check the URL's driver (e.g. postgresql+psycopg://, "
                              "sqlite:///) and that the driver package is installed."
                          ) from exc


def _read(conn: sa.Connection, table: str | None, query: str | None, label: str
          ) -> pd.DataFrame:
    """Read the table or query result inside the connection's (read-only) transaction."""
    if query is not None:
        # Run as written, with no bind parameters: through sa.text() a literal such as
        # ':0' or ':name' inside a string would be taken for a parameter (hypothesis found it).
        result = conn.exec_driver_sql(query)
        return pd.DataFrame.from_records(result.fetchall(), columns=list(result.keys()),
                                         coerce_float=True)
    inspector = sa.inspect(conn)
    schema, name = None, table
    if not inspector.has_table(table) and "." in table:
        schema, name = table.rsplit(".", 1)
    if not inspector.has_table(name, schema=schema):
        names = inspector.get_table_names()
        raise SourceError(f"table {table!r} does not exist; tables: {names}",
                          source=label, fix="pass table= with one of those names "
                                            "(schema.table for another schema).")
    return pd.read_sql_table(name, conn, schema=schema)


def read_sql_raw(url: str | sa.URL, *, table: str | None = None, query: str | None = None
                 ) -> RawTable:
    """Read a table or a query result through SQLAlchemy, without changing the database.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///erp.db``, ``postgresql+psycopg://user@host/db``).
    table
        Table to read (``schema.table`` for another schema).
    query
        Instead: one read-only ``SELECT`` statement (see :func:`check_read_only_query`).

    Returns
    -------
    RawTable
        The rows, numbered from 1, labelled by the URL without its password.

    Raises
    ------
    ConfigError
        Neither or both of ``table`` and ``query``.
    ReadOnlyQueryError
        ``query`` is not one read-only statement.
    SourceNotFoundError
        An SQLite file that does not exist (it is not created).
    CorruptDatabaseError
        An SQLite file that is not a database.
    SourceError
        Unknown table, unreachable server, a failed query.
    """
    if (table is None) == (query is None):
        raise ConfigError("an SQL source needs exactly one of table= or query=", key="table",
                          value=(table, query),
                          fix="e.g. load_orders('sqlite:///erp.db', table='order_lines').")
    if query is not None:
        query = check_read_only_query(query)
    engine, parsed, path = _open(url)
    label = parsed.render_as_string(hide_password=True) + (f"#{table}" if table else "#query")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            try:
                frame = _read(conn, table, query, label)
            finally:
                conn.rollback()
    except WorkbenchError:
        raise
    except Exception as exc:
        corrupt = None if path is None else corrupt_database_error(
            exc, path, what="SQLite order source",
            fix="check that the file is the SQLite export you meant; restore it from the "
                "source system or a backup.")
        if corrupt is not None:
            raise corrupt from exc
        raise SourceError(f"database read failed: {exc}", source=label,
                          fix="check the table or query, and that the server is reachable "
                              "with these credentials.") from exc
    finally:
        engine.dispose()
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), label,
                    meta={"format": "sql"})
