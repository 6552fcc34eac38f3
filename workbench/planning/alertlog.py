"""Alert history: each run's supply alerts kept in a database (SQLAlchemy).

:class:`AlertLog` stores every run of :func:`workbench.planning.alerts.evaluate` so
the next run can say what changed. Each alert of a run gets a status against the
previous run's *open* alerts (those not resolved in it):

``new``
    not open in the previous run;
``continuing`` / ``escalated`` / ``de-escalated``
    open in the previous run, now at the same / a higher / a lower level;
``resolved``
    open in the previous run and absent now: the "all clear".

Alerts are matched by ``alert_id`` (``item|first short date``). A risk whose
first short date moved (a new id for the same item) is matched to the previous
run's unmatched alert of the same item, so it is reported as continuing,
escalated or de-escalated with ``previous_alert_id`` set, not as one resolved and
one new alert (which would send a customer a false all-clear).

Storage: SQLite by default (a file path) or any SQLAlchemy URL. Tables are
created on first use: ``alert_runs`` (one row per run), ``alerts`` (one row per
alert and run, resolved ones included) and ``alert_lines`` (the affected order
lines per alert and run, if given). Each run is written in one transaction: the
run row, its alerts and its lines commit together or not at all.

Concurrency: two runs that record at the same time are serialised, so each
computes its statuses against the run committed just before it (never both
against the same one). The transaction that reads the previous run and writes
the new one holds a lock from its first statement: ``BEGIN IMMEDIATE`` on SQLite
(the database's write lock; a second writer waits up to ``timeout`` seconds),
``pg_advisory_xact_lock`` on PostgreSQL (in ``READ COMMITTED``, so the read after
the lock sees the run committed before it). Tables are created under the same
lock. Other servers get ``SELECT ... FOR UPDATE`` on the latest run, which does
not cover the very first run: use SQLite or PostgreSQL.

Errors name the log by its URL with the password hidden; a file that is not an
SQLite database is a :class:`~workbench.exceptions.CorruptDatabaseError` naming
the file and the fix.

Notebooks name the log by one parameter (a path below the project root or a URL):
:func:`resolve_alert_log` turns it into what :class:`AlertLog` opens, and
:func:`previous_alerts` reads the latest logged run without writing one.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.exceptions import (
    ChoiceError,
    ConfigError,
    CorruptDatabaseError,
    DuplicateKeyError,
    SourceError,
    WorkbenchError,
)
from workbench.io.sql_source import corrupt_database_error, sqlite_file
from workbench.paths import project_path
from workbench.planning.alert_rules import AlertLevel
from workbench.validation import check_count, require_frame

__all__ = ["STATUSES", "AlertLog", "previous_alerts", "resolve_alert_log"]

STATUSES: tuple[str, ...] = ("new", "continuing", "escalated", "de-escalated", "resolved")
"""Alert statuses reported by :meth:`AlertLog.record_run`."""

_LEVELS = [int(level) for level in AlertLevel]
_LEVEL_TEXT = ", ".join(map(str, _LEVELS[:-1])) + f" or {_LEVELS[-1]}"  # "1, 2 or 3"
_FROM_EVALUATE = "Build it with workbench.planning.alerts.evaluate()."
# One PostgreSQL advisory-lock key for the alert log's writers (a stable 32-bit number).
_PG_LOCK_KEY = zlib.crc32(b"workbench.alert_log")
_WRITE_OPTION = "workbench_alert_log_write"

_METADATA = sa.MetaData()

ALERT_RUNS = sa.Table(
    "alert_runs", _METADATA,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_at", sa.DateTime, nullable=False),
    sa.Column("as_of", sa.Date),
    sa.Column("n_open", sa.Integer, nullable=False),
    sa.Column("n_resolved", sa.Integer, nullable=False),
)

ALERTS = sa.Table(
    "alerts", _METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("alert_runs.run_id"), primary_key=True),
    sa.Column("alert_id", sa.String(255), primary_key=True),
    sa.Column("item_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("alert_level", sa.Integer, nullable=False),
    sa.Column("previous_level", sa.Integer),
    sa.Column("previous_alert_id", sa.String(255)),
    sa.Column("kind", sa.String(40)),
    sa.Column("first_short_date", sa.Date),
    sa.Column("last_short_date", sa.Date),
    sa.Column("covered_by_date", sa.Date),
    sa.Column("max_shortage_qty", sa.Float),
    sa.Column("gap_qty", sa.Float),
    sa.Column("affected_customers", sa.Integer),
    sa.Column("affected_lines", sa.Integer),
    sa.Column("qty_short", sa.Float),
    sa.Column("root_cause", sa.Text),
    sa.Column("recommended_action", sa.Text),
    sa.Column("expedite_mode", sa.String(100)),
    sa.Column("expedite_cost", sa.Float),
    sa.Column("expedite_arrival", sa.Date),
    sa.Column("as_of", sa.Date),
)

ALERT_LINES = sa.Table(
    "alert_lines", _METADATA,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("alert_runs.run_id"), primary_key=True),
    sa.Column("alert_id", sa.String(255), primary_key=True),
    sa.Column("order_id", sa.String(255), primary_key=True),
    sa.Column("line_no", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(255)),
    sa.Column("item_id", sa.String(255)),
    sa.Column("tier", sa.String(40)),
    sa.Column("due_date", sa.Date),
    sa.Column("qty_open", sa.Float),
    sa.Column("qty_short", sa.Float),
    sa.Column("short_from", sa.Date),
    sa.Column("covered_by_date", sa.Date),
)


def _engine_url(url_or_path: str | os.PathLike[str] | sa.URL) -> str | sa.URL:
    if isinstance(url_or_path, sa.URL):
        return url_or_path
    text = os.fspath(url_or_path)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not the driver, begin SQLite transactions; writers take the lock first.

    The sqlite3 driver would begin a transaction only at the first INSERT, after
    the previous run was read: two runs could both read the same previous run.
    Here a write transaction starts with ``BEGIN IMMEDIATE`` (the write lock), a
    read with a plain ``BEGIN``.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.isolation_level = None  # type: ignore[attr-defined]

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _column_values(series: pd.Series, column: sa.Column) -> np.ndarray:
    """One frame column as Python values for ``column`` (missing -> None)."""
    kind = column.type
    if isinstance(kind, sa.Date):
        s = pd.to_datetime(series)
        return np.where(s.isna().to_numpy(), None, s.dt.date.to_numpy(dtype=object))
    if isinstance(kind, sa.DateTime):
        s = pd.to_datetime(series)
        return np.where(s.isna().to_numpy(), None, s.dt.to_pydatetime())
    missing = series.isna().to_numpy()
    if isinstance(kind, sa.Integer):
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)
        return np.where(missing, None, np.nan_to_num(values).astype(np.int64).astype(object))
    if isinstance(kind, sa.Float):
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64,
                                                                 na_value=np.nan)
        return np.where(missing, None, values.astype(object))
    if pd.api.types.is_float_dtype(series.dtype):  # e.g. line numbers read as 1.0
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.array_equal(values[~missing], np.round(values[~missing])):
            series = pd.Series(pd.array(np.where(missing, 0, values).astype(np.int64)),
                               index=series.index)
    return np.where(missing, None, series.astype(str).to_numpy(dtype=object))


def _records(frame: pd.DataFrame, table: sa.Table, fixed: dict[str, object]
             ) -> list[dict[str, object]]:
    """Rows of ``frame`` as dicts for ``table`` (columns the table lacks are dropped)."""
    cols = {}
    for column in table.columns:
        if column.name in fixed:
            continue
        if column.name in frame.columns:
            cols[column.name] = _column_values(frame[column.name], column)
    names = list(cols)
    arrays = [cols[c] for c in names]
    return [{**fixed, **dict(zip(names, row, strict=True))}
            for row in zip(*arrays, strict=True)] if names else [dict(fixed)
                                                                  for _ in range(len(frame))]


class AlertLog:
    """History of alert runs in a database.

    Parameters
    ----------
    url_or_path
        A SQLAlchemy URL (``"postgresql+psycopg://..."``, ``"sqlite:///..."``) or a
        file path for SQLite (folders are created).
    batch_size
        Rows per INSERT statement.
    timeout
        Seconds a run waits for another run that is recording (SQLite; on
        PostgreSQL a writer waits for the lock as long as the server lets it).
    engine_kwargs
        Passed to :func:`sqlalchemy.create_engine`.

    Raises
    ------
    CorruptDatabaseError
        The SQLite file exists but is not a readable database.
    SourceError
        The database cannot be opened or reached (the message hides the password).

    Examples
    --------
    An alert that rises from level 1 to level 2 between two runs, then goes away
    (``"sqlite://"`` is an in-memory database; a team passes its server's URL):

    >>> import pandas as pd
    >>> log = AlertLog("sqlite://")
    >>> alerts = pd.DataFrame({"alert_id": ["A1"], "item_id": ["ITM-1"], "alert_level": [1]})
    >>> log.record_run(alerts, as_of="2026-06-01")["status"].tolist()
    ['new']
    >>> log.record_run(alerts.assign(alert_level=2), as_of="2026-06-08")["status"].tolist()
    ['escalated']
    >>> log.record_run(alerts.iloc[:0], as_of="2026-06-15")["status"].tolist()
    ['resolved']
    """

    def __init__(self, url_or_path: str | os.PathLike[str] | sa.URL, *, batch_size: int = 500,
                 timeout: float = 60.0, **engine_kwargs: object):
        self.batch_size = check_count(batch_size, "batch_size", minimum=1,
                                      fix="e.g. batch_size=500.")
        self.url = _engine_url(url_or_path)
        try:
            parsed = sa.make_url(self.url)
        except sa.exc.ArgumentError as exc:
            raise SourceError("the alert log is not a valid database URL",
                              source=str(self.url),
                              fix="pass a file path or an SQLAlchemy URL such as "
                                  "postgresql+psycopg://user@host:5432/database.") from exc
        self._label = parsed.render_as_string(hide_password=True)
        self._dialect = parsed.get_backend_name()
        self._file = sqlite_file(parsed) if self._dialect == "sqlite" else None
        if self._dialect == "sqlite":
            engine_kwargs.setdefault("connect_args", {"timeout": float(timeout)})
        with self._guard("open"):
            self.engine = sa.create_engine(self.url, **engine_kwargs)
            if self._dialect == "sqlite":
                _sqlite_transactions(self.engine)
            with self._write_transaction() as conn:
                if self._file is not None:
                    self._check_file(conn)
                _METADATA.create_all(conn)

    def __repr__(self) -> str:
        return f"AlertLog({self._label!r})"

    def _check_file(self, conn: sa.Connection) -> None:
        """Refuse an SQLite file whose pages are damaged (``PRAGMA quick_check``).

        A damaged page can otherwise read as "no runs", and every alert would
        then be reported as new.
        """
        problems = [str(r) for r in conn.exec_driver_sql("PRAGMA quick_check").scalars()]
        if problems != ["ok"]:
            raise CorruptDatabaseError(f"the alert log file is damaged ({problems[0]})",
                                       source=str(self._file), fix=self._corrupt_fix())

    def _corrupt_fix(self) -> str:
        name = self._file.name if self._file is not None else "the file"
        return (f"move the file aside (e.g. rename it to {name}.corrupt) to start a new "
                f"alert history at the next run, or restore it from a backup; the runs it "
                f"held cannot be read.")

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn database errors into workbench errors that name the log (password hidden)."""
        try:
            yield
        except WorkbenchError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            where = self._file if self._file is not None else self._label
            corrupt = None if self._file is None else corrupt_database_error(
                exc, self._file, what="alert log", fix=self._corrupt_fix())
            if corrupt is not None:
                raise corrupt from exc
            raise SourceError(f"alert log: cannot {action}: {exc}", source=str(where),
                              fix="check that the database is reachable with these "
                                  "credentials and that no other run holds it.") from exc

    @contextmanager
    def _write_transaction(self) -> Iterator[sa.Connection]:
        """One transaction that holds the log's write lock from its first statement."""
        with self.engine.connect() as conn:
            if self._dialect == "sqlite":
                conn.execution_options(**{_WRITE_OPTION: True})
            elif self._dialect == "postgresql":
                conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                if self._dialect == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                elif self._dialect != "sqlite" and sa.inspect(conn).has_table("alert_runs"):
                    conn.execute(sa.select(ALERT_RUNS.c.run_id).order_by(
                        ALERT_RUNS.c.run_id.desc()).limit(1).with_for_update())
                yield conn

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> AlertLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------------
    # Writing
    # ---------------------------------------------------------------------------------

    def _insert_batch(self, conn: sa.Connection, table: sa.Table,
                      rows: list[dict[str, object]]) -> None:
        conn.execute(table.insert(), rows)

    def _write(self, conn: sa.Connection, table: sa.Table, rows: list[dict[str, object]]
               ) -> None:
        for start in range(0, len(rows), self.batch_size):
            self._insert_batch(conn, table, rows[start:start + self.batch_size])

    def record_run(
        self,
        alerts: pd.DataFrame,
        lines: pd.DataFrame | None = None,
        *,
        run_at: object = None,
        as_of: object = None,
    ) -> pd.DataFrame:
        """Store one run and report each alert's status against the previous run.

        A run that repeats the latest one (the same planning date ``as_of`` and the
        same open alerts at the same levels, e.g. the Chinese rendering of a report
        after the English one) is not stored again: it gets the statuses that run got.

        Parameters
        ----------
        alerts
            This run's alerts (:func:`workbench.planning.alerts.evaluate`; needs
            ``alert_id``, ``item_id``, ``alert_level``).
        lines
            Their affected order lines (:func:`workbench.planning.alerts.evaluate`), kept
            so that a later all-clear can name the orders.
        run_at
            When the run happened (default now).
        as_of
            Planning date (default the latest ``as_of`` of the alerts, if any).

        Returns
        -------
        pandas.DataFrame
            The alerts with ``status``, ``previous_level``, ``previous_alert_id``,
            ``run_id`` and ``last_run_id`` (the previous run, for alerts open in it),
            followed by the previous run's open alerts that are
            absent now, with ``status == "resolved"`` (their last stored values;
            ``alert_level`` is the level that was resolved).

        Raises
        ------
        DuplicateKeyError, ChoiceError, MissingColumnsError
            Duplicate ``alert_id`` s, levels outside 1-3, missing columns. Nothing is
            written then; a database error rolls the whole run back.
        """
        current = self._check_alerts(alerts)
        run_time = pd.Timestamp.now() if run_at is None else pd.Timestamp(run_at)
        if as_of is None and "as_of" in current.columns and current["as_of"].notna().any():
            as_of = pd.to_datetime(current["as_of"]).max()
        as_of_date = None if as_of is None else pd.Timestamp(as_of).date()
        line_frame = None
        if lines is not None:
            require_frame(lines, "alert_lines", ("alert_id", "order_id", "line_no"),
                          hint=_FROM_EVALUATE)
            line_frame = lines.loc[lines["alert_id"].isin(current["alert_id"])]

        with self._guard("record the run"), self._write_transaction() as conn:
            prev_id = conn.execute(sa.select(sa.func.max(ALERT_RUNS.c.run_id))).scalar()
            previous = self._read_alerts(conn, prev_id, open_only=True)
            repeat = self._is_repeat(conn, prev_id, previous, current, as_of_date)
            if repeat:  # the same planning date with the same alerts: not a new run
                run_id = prev_id
                prev_id = conn.execute(sa.select(sa.func.max(ALERT_RUNS.c.run_id))
                                       .where(ALERT_RUNS.c.run_id < run_id)).scalar()
                previous = self._read_alerts(conn, prev_id, open_only=True)
            status, resolved = _compare(current, previous)
            if not repeat:
                run_id = conn.execute(ALERT_RUNS.insert().values(
                    run_at=run_time.to_pydatetime(), as_of=as_of_date, n_open=len(status),
                    n_resolved=len(resolved))).inserted_primary_key[0]
            status["run_id"] = run_id
            resolved["run_id"] = run_id
            if not repeat:
                self._write(conn, ALERTS, _records(status, ALERTS, {"run_id": run_id}))
                self._write(conn, ALERTS, _records(resolved, ALERTS, {"run_id": run_id}))
                if line_frame is not None and len(line_frame):
                    self._write(conn, ALERT_LINES, _records(line_frame, ALERT_LINES,
                                                            {"run_id": run_id}))
        status["last_run_id"] = pd.array(
            np.where(status["status"] == "new", pd.NA, prev_id), dtype="Int64")
        resolved["last_run_id"] = pd.array([prev_id] * len(resolved), dtype="Int64")
        out = pd.concat([status, resolved], ignore_index=True) if len(resolved) else status
        return out

    @staticmethod
    def _is_repeat(conn: sa.Connection, run_id: int | None, stored: pd.DataFrame,
                   current: pd.DataFrame, as_of: object) -> bool:
        """Whether ``current`` repeats run ``run_id``: same planning date, same open alerts.

        A report rendered twice from one planning date (e.g. in English and in
        Chinese) must not turn every alert of the second rendering into "continuing".
        """
        if run_id is None or as_of is None:
            return False
        last_as_of = conn.execute(sa.select(ALERT_RUNS.c.as_of)
                                  .where(ALERT_RUNS.c.run_id == run_id)).scalar()
        if last_as_of is None or pd.Timestamp(last_as_of).date() != as_of:
            return False
        before = set(zip(stored["alert_id"].astype(str),
                         stored["alert_level"].astype(np.int64), strict=True))
        now = set(zip(current["alert_id"], current["alert_level"], strict=True))
        return before == now

    @staticmethod
    def _check_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
        require_frame(alerts, "alerts", ("alert_id", "item_id", "alert_level"),
                      hint=_FROM_EVALUATE)
        frame = alerts.drop(columns=[c for c in ("status", "previous_level",
                                                 "previous_alert_id", "run_id", "last_run_id")
                                     if c in alerts.columns]).reset_index(drop=True)
        dup = frame["alert_id"].duplicated()
        if dup.any():
            first = frame.loc[dup, "alert_id"].iloc[0]
            raise DuplicateKeyError(
                f"alert_id must be unique within a run; {first!r} appears more than once",
                table="alerts", column="alert_id", value=first,
                fix="pass one row per alert (evaluate gives one per item).")
        level = pd.to_numeric(frame["alert_level"], errors="coerce")
        bad = level.isna() | ~level.isin(_LEVELS)
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise ChoiceError(f"alert_level must be {_LEVEL_TEXT}; row {pos} "
                              f"({frame['alert_id'].iloc[pos]!r}) has "
                              f"{frame['alert_level'].iloc[pos]!r}",
                              key="alert_level", value=frame["alert_level"].iloc[pos],
                              fix="use the levels of workbench.planning.alerts.evaluate.")
        frame["alert_level"] = level.astype(np.int64)
        frame["alert_id"] = frame["alert_id"].astype(str)
        frame["item_id"] = frame["item_id"].astype(str)
        return frame

    # ---------------------------------------------------------------------------------
    # Reading
    # ---------------------------------------------------------------------------------

    @staticmethod
    def _frame(conn: sa.Connection, query: sa.Select, table: sa.Table | None = None
               ) -> pd.DataFrame:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        for column in (table.columns if table is not None else []):
            if column.name in frame.columns and isinstance(column.type, (sa.Date, sa.DateTime)):
                frame[column.name] = pd.to_datetime(frame[column.name])
        for name in ("alert_level", "previous_level", "affected_customers", "affected_lines"):
            if name in frame.columns:
                frame[name] = pd.array(frame[name], dtype="Int64")
        return frame

    def _read_alerts(self, conn: sa.Connection, run_id: int | None, *, open_only: bool
                     ) -> pd.DataFrame:
        query = sa.select(ALERTS)
        if run_id is None:
            query = query.where(sa.false())
        else:
            query = query.where(ALERTS.c.run_id == run_id)
        if open_only:
            query = query.where(ALERTS.c.status != "resolved")
        return self._frame(conn, query.order_by(ALERTS.c.alert_id), ALERTS)

    def latest(self) -> pd.DataFrame:
        """Return the alerts of the most recent run with their status as recorded then.

        The status is new, continuing, escalated, de-escalated or resolved; the
        frame is empty if no run was recorded yet.

        Read-only: a report that only *shows* the early-warning state (e.g. the
        manager summary) uses this instead of recording a run of its own.
        """
        with self._guard("read"), self.engine.connect() as conn:
            last = conn.execute(sa.select(sa.func.max(ALERT_RUNS.c.run_id))).scalar()
            return self._read_alerts(conn, last, open_only=False)

    def runs(self) -> pd.DataFrame:
        """One row per stored run.

        Returns
        -------
        pandas.DataFrame
            ``run_id``, ``run_at``, ``as_of``, ``n_open``, ``n_resolved`` and one
            count per status (``n_new``, ``n_continuing``, ``n_escalated``,
            ``n_de-escalated``; ``n_resolved`` already counts the all-clears).
        """
        with self._guard("read"), self.engine.connect() as conn:
            runs = self._frame(conn, sa.select(ALERT_RUNS).order_by(ALERT_RUNS.c.run_id),
                               ALERT_RUNS)
            counts = self._frame(conn, sa.select(ALERTS.c.run_id, ALERTS.c.status,
                                                 sa.func.count().label("n"))
                                 .group_by(ALERTS.c.run_id, ALERTS.c.status))
        wide = counts.pivot(index="run_id", columns="status", values="n") if len(counts) \
            else pd.DataFrame(index=pd.Index([], name="run_id"))
        for status in STATUSES[:-1]:
            col = wide[status] if status in wide.columns else pd.Series(dtype=np.float64)
            runs[f"n_{status}"] = col.reindex(runs["run_id"]).fillna(0).to_numpy(np.int64)
        return runs

    def history(self, alert_id: str | None = None, *, item_id: str | None = None
                ) -> pd.DataFrame:
        """Return the stored rows of one alert (or every alert of one item), oldest run first.

        Parameters
        ----------
        alert_id
            The alert to follow (``previous_alert_id`` shows where a moved risk
            came from).
        item_id
            Instead: all alerts of this item.

        Returns
        -------
        pandas.DataFrame
            The ``alerts`` table columns plus ``run_at``.
        """
        if (alert_id is None) == (item_id is None):
            raise ConfigError("history needs exactly one of alert_id or item_id",
                              key="alert_id", value=(alert_id, item_id),
                              fix="e.g. log.history('ITM-1|2026-07-20') or "
                                  "log.history(item_id='ITM-1').")
        cond = (ALERTS.c.alert_id == str(alert_id) if alert_id is not None
                else ALERTS.c.item_id == str(item_id))
        query = (sa.select(ALERTS, ALERT_RUNS.c.run_at)
                 .join(ALERT_RUNS, ALERT_RUNS.c.run_id == ALERTS.c.run_id)
                 .where(cond).order_by(ALERTS.c.run_id, ALERTS.c.alert_id))
        with self._guard("read"), self.engine.connect() as conn:
            frame = self._frame(conn, query, ALERTS)
        frame["run_at"] = pd.to_datetime(frame["run_at"])
        return frame

    def lines(self, run_id: int | None = None) -> pd.DataFrame:
        """Return the stored affected order lines of one run (default the latest run)."""
        with self._guard("read"), self.engine.connect() as conn:
            if run_id is None:
                run_id = conn.execute(sa.select(sa.func.max(ALERT_RUNS.c.run_id))).scalar()
            query = sa.select(ALERT_LINES).where(ALERT_LINES.c.run_id == (run_id or -1))
            return self._frame(conn, query.order_by(ALERT_LINES.c.alert_id), ALERT_LINES)

    def resolved_lines(self, status: pd.DataFrame) -> pd.DataFrame:
        """Order lines of the resolved alerts in a :meth:`record_run` result.

        Read from the run each alert was last open in (``last_run_id``); pass them
        to :func:`workbench.planning.notices.draft_notices` for the all-clear notices.
        """
        require_frame(status, "alert status", ("status", "last_run_id"),
                      hint="Pass the frame returned by AlertLog.record_run().")
        done = status.loc[status["status"] == "resolved", ["alert_id", "last_run_id"]]
        done = done.dropna()
        frames = []
        with self._guard("read"), self.engine.connect() as conn:
            for run_id, grp in done.groupby("last_run_id"):  # one query per earlier run
                query = sa.select(ALERT_LINES).where(
                    ALERT_LINES.c.run_id == int(run_id),
                    ALERT_LINES.c.alert_id.in_(grp["alert_id"].astype(str).tolist()))
                frames.append(self._frame(conn, query.order_by(ALERT_LINES.c.alert_id),
                                          ALERT_LINES))
        if not frames:
            with self._guard("read"), self.engine.connect() as conn:
                return self._frame(conn, sa.select(ALERT_LINES).where(sa.false()), ALERT_LINES)
        return pd.concat(frames, ignore_index=True)


def _compare(current: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                      pd.DataFrame]:
    """Statuses of ``current`` against the previous run's open alerts; resolved rows."""
    cur = current.copy()
    prev = previous[["alert_id", "item_id", "alert_level", "first_short_date"]].copy()
    prev["alert_level"] = prev["alert_level"].astype(np.float64)
    by_id = prev.set_index("alert_id")["alert_level"]
    prev_level = cur["alert_id"].map(by_id).astype(np.float64)
    prev_alert = cur["alert_id"].where(prev_level.notna(), None).astype(object)
    matched_prev = set(cur.loc[prev_level.notna(), "alert_id"])

    # A risk whose start date moved: pair the unmatched alerts of the same item, in
    # date order.
    u = cur.loc[prev_level.isna()].copy()
    p = prev.loc[~prev["alert_id"].isin(matched_prev)].copy()
    if len(u) and len(p):
        date_u = (pd.to_datetime(u["first_short_date"]) if "first_short_date" in u.columns
                  else pd.Series(pd.NaT, index=u.index))
        u = u.assign(_d=date_u, _pos=u.index).sort_values(["item_id", "_d", "alert_id"])
        u["_k"] = u.groupby("item_id").cumcount()
        p = p.assign(_d=pd.to_datetime(p["first_short_date"])).sort_values(
            ["item_id", "_d", "alert_id"])
        p["_k"] = p.groupby("item_id").cumcount()
        pairs = u[["item_id", "_k", "_pos"]].merge(
            p[["item_id", "_k", "alert_id", "alert_level"]], on=["item_id", "_k"])
        prev_level.loc[pairs["_pos"].to_numpy()] = pairs["alert_level"].to_numpy()
        prev_alert.loc[pairs["_pos"].to_numpy()] = pairs["alert_id"].to_numpy(dtype=object)
        matched_prev |= set(pairs["alert_id"])

    level = cur["alert_level"].to_numpy(dtype=np.float64)
    pl = prev_level.to_numpy()
    cur["status"] = np.select([np.isnan(pl), level > pl, level < pl],
                              ["new", "escalated", "de-escalated"], default="continuing")
    cur["previous_level"] = pd.array(np.where(np.isnan(pl), 0, pl).astype(np.int64),
                                     dtype="Int64")
    cur.loc[np.isnan(pl), "previous_level"] = pd.NA
    cur["previous_alert_id"] = prev_alert.to_numpy(dtype=object)

    resolved = previous.loc[~previous["alert_id"].isin(matched_prev)].copy()
    resolved = resolved.drop(columns=["run_id"], errors="ignore").reset_index(drop=True)
    resolved["previous_level"] = pd.array(resolved["alert_level"], dtype="Int64")
    resolved["previous_alert_id"] = resolved["alert_id"].astype(object)
    resolved["status"] = "resolved"
    return cur, resolved


# --------------------------------------------------------------------------------------
# Where the log lives
# --------------------------------------------------------------------------------------


def resolve_alert_log(alert_log: str | os.PathLike[str] | None) -> str | Path | None:
    """Where an alert log named by a notebook parameter lives.

    Parameters
    ----------
    alert_log
        A SQLAlchemy URL (anything with ``://``), a file path (relative paths are
        anchored at the project root, see :func:`workbench.paths.project_path`), or
        empty / ``None`` for no log.

    Returns
    -------
    str or pathlib.Path or None
        The URL as given, the SQLite file path, or ``None``; ready for
        :class:`AlertLog`.

    Examples
    --------
    >>> resolve_alert_log("sqlite:///tmp/alerts.db")
    'sqlite:///tmp/alerts.db'
    >>> resolve_alert_log("") is None
    True
    """
    if alert_log is None:
        return None
    text = os.fspath(alert_log)
    if not text.strip():
        return None
    if "://" in text:
        return text
    return project_path(text)


def _log_file_exists(where: str | Path) -> bool:
    """Tell whether the log's SQLite file exists (always true for a server URL)."""
    if isinstance(where, Path):
        return where.exists()
    try:
        url = sa.make_url(where)
    except sa.exc.ArgumentError:
        return True  # AlertLog names the bad URL
    file = sqlite_file(url) if url.get_backend_name() == "sqlite" else None
    return file is None or file.exists()


def previous_alerts(alert_log: str | os.PathLike[str] | None) -> pd.DataFrame:
    """Return the alerts of the latest logged run, read without recording a run.

    Parameters
    ----------
    alert_log
        As for :func:`resolve_alert_log`.

    Returns
    -------
    pandas.DataFrame
        :meth:`AlertLog.latest` (with ``status``); an empty frame when no log is
        configured or its SQLite file (a path or a ``sqlite:///`` URL) does not exist
        yet (no file is created then).
    """
    where = resolve_alert_log(alert_log)
    if where is None or not _log_file_exists(where):
        return pd.DataFrame()
    with AlertLog(where) as log:
        return log.latest()
