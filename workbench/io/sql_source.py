"""Read a table or a query result from an SQL database through SQLAlchemy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.exceptions import ConfigError, SourceError
from workbench.io.readers import RawTable

__all__ = ["read_sql_raw"]


def read_sql_raw(url: str, *, table: str | None = None, query: str | None = None) -> RawTable:
    """Read a table or a query result through SQLAlchemy."""
    import sqlalchemy as sa

    if (table is None) == (query is None):
        raise ConfigError("an SQL source needs exactly one of table= or query=", key="table",
                          value=(table, query),
                          fix="e.g. load_orders('sqlite:///erp.db', table='order_lines').")
    try:
        engine = sa.create_engine(url)
    except Exception as exc:
        raise SourceError(f"cannot open database URL: {exc}", source=url,
                          fix="use an SQLAlchemy URL such as sqlite:///path/to/file.db.") from exc
    label = engine.url.render_as_string(hide_password=True) + (f"#{table}" if table else "#query")
    try:
        with engine.connect() as conn:
            if table is not None:
                if not sa.inspect(conn).has_table(table):
                    names = sa.inspect(conn).get_table_names()
                    raise SourceError(f"table {table!r} does not exist; tables: {names}",
                                      source=label, fix="pass table= with one of those names.")
                frame = pd.read_sql_table(table, conn)
            else:
                frame = pd.read_sql_query(sa.text(query), conn)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"database read failed: {exc}", source=label) from exc
    finally:
        engine.dispose()
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), label,
                    meta={"format": "sql"})
