"""Runs that record into one alert log at the same time are serialised (SQLite and PostgreSQL).

Several processes open a new log at once (the tables are created under the lock) and then
record a run at once. Each run holds one shared alert ``A`` and one alert of its own
(``P<i>``). Recorded one after the other, run k must see run k-1 and nothing older:
``A`` is new only in the first run and continuing after it, and each later run resolves
exactly the own alert of the run just before it. Two runs computed against the same
previous run (the race) would both call ``A`` new, or resolve the same alert twice.

To make the race certain when the lock is missing, every process pauses between reading
the previous run and writing its own (an SQLAlchemy hook on the insert of the run row);
with the lock the pause only makes the others wait. The assertions do not depend on
timing.
"""

from __future__ import annotations

import multiprocessing
import queue
import time

import pandas as pd
import pytest

from workbench.planning.alertlog import AlertLog

N_RUNS = 3
PAUSE = 0.4  # seconds between reading the previous run and writing this one


def _alerts(index: int) -> pd.DataFrame:
    return pd.DataFrame({
        "alert_id": ["A|2025-01-27", f"P{index}|2025-02-03"],
        "item_id": ["A", f"P{index}"],
        "alert_level": [1, 2],
        "first_short_date": pd.to_datetime(["2025-01-27", "2025-02-03"]),
    })


def _pause_before_the_run_row(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO ALERT_RUNS"):
        time.sleep(PAUSE)


def _record(url: str, index: int, barrier, results) -> None:
    """One process: open the log together with the others, then record together."""
    import sqlalchemy as sa

    try:
        barrier.wait(timeout=120)
        log = AlertLog(url)
        sa.event.listen(log.engine, "before_cursor_execute", _pause_before_the_run_row)
        barrier.wait(timeout=120)
        out = log.record_run(_alerts(index))
        log.close()
        results.put((index, out[["alert_id", "status", "run_id", "last_run_id"]]
                     .astype(object).where(out[["alert_id", "status", "run_id",
                                                "last_run_id"]].notna(), None)
                     .to_dict("records")))
    except BaseException as exc:  # report it to the test instead of dying silently
        results.put((index, f"{type(exc).__name__}: {exc}"))


def _run_at_once(url: str) -> dict[int, tuple[int, dict[str, dict]]]:
    """Record N_RUNS runs from N_RUNS processes at once; {run_id: (process, rows by id)}."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    barrier = ctx.Barrier(N_RUNS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_record, args=(url, i, barrier, results))
             for i in range(N_RUNS)]
    for p in procs:
        p.start()
    got = []
    try:
        for _ in procs:
            got.append(results.get(timeout=180))
    except queue.Empty:
        pytest.fail(f"only {len(got)} of {N_RUNS} runs reported back: {got}")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join()
    errors = [r for r in got if isinstance(r[1], str)]
    assert not errors, errors
    by_run = {}
    for index, rows in got:
        run_ids = {r["run_id"] for r in rows}
        assert len(run_ids) == 1, rows
        by_run[int(run_ids.pop())] = (index, {r["alert_id"]: r for r in rows})
    return by_run


def _assert_one_after_the_other(by_run, url: str) -> None:
    assert sorted(by_run) == list(range(1, N_RUNS + 1))  # N runs, numbered in commit order
    first_index, first = by_run[1]
    assert {k: r["status"] for k, r in first.items()} == {
        "A|2025-01-27": "new", f"P{first_index}|2025-02-03": "new"}
    for run_id in range(2, N_RUNS + 1):
        index, rows = by_run[run_id]
        before = by_run[run_id - 1][0]
        # Against run k-1 exactly: A continues from it, k-1's own alert is resolved, this
        # run's own alert is new; nothing else.
        assert {k: r["status"] for k, r in rows.items()} == {
            "A|2025-01-27": "continuing", f"P{index}|2025-02-03": "new",
            f"P{before}|2025-02-03": "resolved"}, (run_id, rows)
        assert rows["A|2025-01-27"]["last_run_id"] == run_id - 1
        assert rows[f"P{before}|2025-02-03"]["last_run_id"] == run_id - 1
    with AlertLog(url) as log:
        runs = log.runs()
    assert runs["run_id"].tolist() == list(range(1, N_RUNS + 1))
    assert runs["n_new"].tolist() == [2] + [1] * (N_RUNS - 1)
    assert runs["n_continuing"].tolist() == [0] + [1] * (N_RUNS - 1)
    assert runs["n_resolved"].tolist() == [0] + [1] * (N_RUNS - 1)


def test_concurrent_runs_on_sqlite_are_serialised_and_each_sees_the_one_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    _assert_one_after_the_other(_run_at_once(url), url)


def test_concurrent_runs_on_postgresql_are_serialised_and_each_sees_the_one_before(
        postgres_url):
    _assert_one_after_the_other(_run_at_once(postgres_url), postgres_url)
