"""Tests for the alert history (workbench.planning.alertlog) on real SQLite files."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import (
    ChoiceError,
    ConfigError,
    CorruptDatabaseError,
    CountError,
    DuplicateKeyError,
    MissingColumnsError,
)
from workbench.paths import project_path
from workbench.planning.alertlog import AlertLog, previous_alerts, resolve_alert_log
from workbench.planning.notices import draft_notices


def alerts(*rows: tuple[str, int]) -> pd.DataFrame:
    """Alerts from (alert_id, level); item and first date come from the id."""
    ids = [r[0] for r in rows]
    return pd.DataFrame({
        "alert_id": ids,
        "item_id": [i.split("|")[0] for i in ids],
        "alert_level": [r[1] for r in rows],
        "kind": ["potential_shortage"] * len(rows),
        "first_short_date": pd.to_datetime([i.split("|")[1] for i in ids]),
        "max_shortage_qty": [10.0] * len(rows),
        "root_cause": ["open orders exceed stock"] * len(rows),
        "expedite_mode": [None] * len(rows),
        "as_of": pd.Timestamp("2025-01-06"),
    })


def count(path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchone()[0]


def statuses(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["alert_id"], frame["status"], strict=True))


def test_three_runs_new_escalated_continuing_resolved(tmp_path):
    path = tmp_path / "log" / "alerts.sqlite"
    log = AlertLog(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {"alert_runs", "alerts", "alert_lines"} <= tables

    # Run 1: everything is new.
    r1 = log.record_run(alerts(("A|2025-01-27", 2), ("B|2025-01-13", 1), ("C|2025-01-06", 3)),
                        run_at="2025-01-06 08:00")
    assert statuses(r1) == {"A|2025-01-27": "new", "B|2025-01-13": "new", "C|2025-01-06": "new"}
    assert r1["previous_level"].isna().all() and (r1["run_id"] == 1).all()

    # Run 2: A 2 -> 3 escalated, B 1 -> 1 continuing, C 3 -> 2 de-escalated, D new.
    r2 = log.record_run(alerts(("A|2025-01-27", 3), ("B|2025-01-13", 1), ("C|2025-01-06", 2),
                               ("D|2025-02-03", 2)), run_at="2025-01-07 08:00")
    assert statuses(r2) == {"A|2025-01-27": "escalated", "B|2025-01-13": "continuing",
                            "C|2025-01-06": "de-escalated", "D|2025-02-03": "new"}
    assert r2["previous_level"].tolist() == [2, 1, 3, pd.NA]

    # Run 3: A and D continue; B and C are gone -> resolved (the all clear), appended with
    # the level they had when last open (1 and 2) and the run they were open in (2).
    r3 = log.record_run(alerts(("A|2025-01-27", 3), ("D|2025-02-03", 2)),
                        run_at="2025-01-08 08:00")
    assert statuses(r3) == {"A|2025-01-27": "continuing", "D|2025-02-03": "continuing",
                            "B|2025-01-13": "resolved", "C|2025-01-06": "resolved"}
    resolved = r3.loc[r3["status"] == "resolved"].set_index("alert_id")
    assert resolved["alert_level"].to_dict() == {"B|2025-01-13": 1, "C|2025-01-06": 2}
    assert resolved["last_run_id"].tolist() == [2, 2]
    assert resolved.loc["C|2025-01-06", "root_cause"] == "open orders exceed stock"

    runs = log.runs()
    assert runs["run_id"].tolist() == [1, 2, 3]
    assert runs["run_at"].tolist() == [pd.Timestamp("2025-01-06 08:00"),
                                       pd.Timestamp("2025-01-07 08:00"),
                                       pd.Timestamp("2025-01-08 08:00")]
    assert runs["as_of"].tolist() == [pd.Timestamp("2025-01-06")] * 3
    assert runs["n_open"].tolist() == [3, 4, 2]
    assert runs["n_resolved"].tolist() == [0, 0, 2]
    assert runs["n_new"].tolist() == [3, 1, 0]
    assert runs["n_escalated"].tolist() == [0, 1, 0]
    assert runs["n_de-escalated"].tolist() == [0, 1, 0]
    assert runs["n_continuing"].tolist() == [0, 1, 2]

    hist = log.history("A|2025-01-27")
    assert hist["status"].tolist() == ["new", "escalated", "continuing"]
    assert hist["alert_level"].tolist() == [2, 3, 3]
    assert log.history("B|2025-01-13")["status"].tolist() == ["new", "continuing", "resolved"]
    log.close()

    # Run 4 from a new connection to the same file: the history is there; a resolved
    # alert is not resolved again, and one that comes back is new.
    with AlertLog(f"sqlite:///{path}") as again:
        r4 = again.record_run(alerts(("B|2025-01-13", 1)), run_at="2025-01-09 08:00")
        assert statuses(r4) == {"B|2025-01-13": "new", "A|2025-01-27": "resolved",
                                "D|2025-02-03": "resolved"}
        assert again.runs()["run_id"].tolist() == [1, 2, 3, 4]
        assert len(again.history(item_id="B")) == 4


def test_moved_risk_continues_instead_of_false_all_clear(tmp_path):
    log = AlertLog(tmp_path / "a.sqlite")
    log.record_run(alerts(("E|2025-02-03", 2), ("F|2025-02-03", 2)))
    # E now starts a week earlier and is confirmed: same item, new id.
    out = log.record_run(alerts(("E|2025-01-27", 3), ("F|2025-02-03", 2)))
    assert statuses(out) == {"E|2025-01-27": "escalated", "F|2025-02-03": "continuing"}
    assert out.set_index("alert_id").loc["E|2025-01-27", "previous_alert_id"] == "E|2025-02-03"
    assert (out["status"] != "resolved").all()


def test_failed_run_rolls_back_and_keeps_the_earlier_run(tmp_path, monkeypatch):
    path = tmp_path / "alerts.sqlite"
    log = AlertLog(path, batch_size=1)
    lines = pd.DataFrame({"alert_id": ["A|2025-01-27"], "order_id": ["SO1"], "line_no": [1],
                          "customer_id": ["C1"], "qty_short": [4.0]})
    log.record_run(alerts(("A|2025-01-27", 2), ("B|2025-01-13", 1)), lines,
                   run_at="2025-01-06 08:00")

    calls = []
    original = AlertLog._insert_batch

    def failing(self, conn, table, rows):
        calls.append(table.name)
        if len(calls) == 3:  # two of the four alert rows are written, then the disk fails
            raise RuntimeError("disk full")
        original(self, conn, table, rows)

    monkeypatch.setattr(AlertLog, "_insert_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        log.record_run(alerts(("A|2025-01-27", 3), ("B|2025-01-13", 1), ("C|2025-01-06", 3),
                              ("D|2025-02-03", 2)), run_at="2025-01-07 08:00")
    assert calls == ["alerts", "alerts", "alerts"]
    # Nothing of the failed run is left; run 1 is intact.
    assert count(path, "select count(*) from alert_runs") == 1
    assert count(path, "select count(*) from alerts") == 2
    assert count(path, "select count(*) from alerts where run_id = 1") == 2
    assert count(path, "select count(*) from alert_lines") == 1
    assert log.runs()["run_id"].tolist() == [1]

    # The same run again, without the failure: compared with run 1 as if nothing happened.
    monkeypatch.setattr(AlertLog, "_insert_batch", original)
    out = log.record_run(alerts(("A|2025-01-27", 3), ("C|2025-01-06", 3)),
                         run_at="2025-01-07 09:00")
    assert statuses(out) == {"A|2025-01-27": "escalated", "C|2025-01-06": "new",
                             "B|2025-01-13": "resolved"}
    assert log.runs()["run_id"].tolist() == [1, 2]
    assert count(path, "select count(*) from alerts where run_id = 2") == 3


def test_lines_are_kept_for_the_all_clear_notice(tmp_path):
    log = AlertLog(tmp_path / "a.sqlite")
    first = alerts(("X|2025-01-27", 2))
    lines = pd.DataFrame({
        "alert_id": ["X|2025-01-27", "X|2025-01-27"], "item_id": ["X", "X"],
        "order_id": ["SO1", "SO2"], "line_no": [1, 2], "customer_id": ["C1", "C2"],
        "due_date": pd.to_datetime(["2025-01-28", "2025-01-29"]), "qty_short": [20.0, 5.0],
        "short_from": pd.Timestamp("2025-01-27"), "covered_by_date": pd.Timestamp("2025-02-03"),
    })
    log.record_run(first, lines)
    stored = log.lines()
    assert stored[["order_id", "customer_id", "qty_short"]].values.tolist() == [
        ["SO1", "C1", 20.0], ["SO2", "C2", 5.0]]
    assert stored["short_from"].tolist() == [pd.Timestamp("2025-01-27")] * 2

    status = log.record_run(alerts())  # the risk is gone
    assert statuses(status) == {"X|2025-01-27": "resolved"}
    back = log.resolved_lines(status)
    assert back["order_id"].tolist() == ["SO1", "SO2"]
    notices = draft_notices(status, back)
    assert notices[["customer_id", "notice"]].values.tolist() == [["C1", "all_clear"],
                                                                  ["C2", "all_clear"]]
    assert "| SO1 | 1 | X | 28 Jan 2025 | 20 |" in notices["markdown"].iloc[0]
    assert log.lines(run_id=2).empty


def test_bad_runs_write_nothing(tmp_path):
    path = tmp_path / "a.sqlite"
    log = AlertLog(path)
    with pytest.raises(DuplicateKeyError, match="unique"):
        log.record_run(alerts(("A|2025-01-27", 2), ("A|2025-01-27", 3)))
    with pytest.raises(ChoiceError, match="alert_level must be 1, 2 or 3"):
        log.record_run(alerts(("A|2025-01-27", 5)))
    with pytest.raises(MissingColumnsError, match="alert_level"):
        log.record_run(alerts(("A|2025-01-27", 2)).drop(columns="alert_level"))
    with pytest.raises(CountError, match="batch_size"):
        AlertLog(path, batch_size=0)
    with pytest.raises(ConfigError, match="exactly one"):
        log.history()
    assert count(path, "select count(*) from alert_runs") == 0
    assert sa.inspect(log.engine).has_table("alerts")


def test_latest_reads_the_last_run_without_writing(tmp_path):
    log = AlertLog(tmp_path / "a.sqlite")
    assert log.latest().empty
    first = pd.DataFrame({"alert_id": ["x|2026-07-06", "y|2026-07-13"], "item_id": ["x", "y"],
                          "alert_level": [2, 1]})
    log.record_run(first, run_at="2026-07-01")
    log.record_run(first.assign(alert_level=[3, 1]).iloc[:1], run_at="2026-07-02")
    latest = log.latest().set_index("alert_id")["status"].to_dict()
    # x went from level 2 to 3 -> escalated; y disappeared -> resolved
    assert latest == {"x|2026-07-06": "escalated", "y|2026-07-13": "resolved"}
    assert len(log.runs()) == 2  # reading did not add a run


def test_resolve_alert_log_keeps_urls_and_anchors_paths_at_the_project_root(tmp_path):
    assert resolve_alert_log(None) is None
    assert resolve_alert_log("") is None
    assert resolve_alert_log("  ") is None
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    assert resolve_alert_log(url) == url
    assert resolve_alert_log("reports/alert_log.db") == project_path("reports", "alert_log.db")
    assert resolve_alert_log(tmp_path / "a.sqlite") == tmp_path / "a.sqlite"


def test_previous_alerts_reads_the_latest_run_and_is_empty_without_a_log(tmp_path):
    missing = tmp_path / "none" / "alerts.sqlite"
    assert previous_alerts(None).empty
    assert previous_alerts("").empty
    assert previous_alerts(missing).empty
    assert not missing.exists() and not missing.parent.exists()  # nothing was created
    path = tmp_path / "alerts.sqlite"
    with AlertLog(path) as log:
        log.record_run(alerts(("A|2025-01-27", 2), ("B|2025-02-03", 1)), run_at="2025-01-06")
        log.record_run(alerts(("A|2025-01-27", 3)), run_at="2025-01-13")
        expected = log.latest()
    got = previous_alerts(path)
    pd.testing.assert_frame_equal(got, expected)
    assert statuses(got) == {"A|2025-01-27": "escalated", "B|2025-02-03": "resolved"}
    pd.testing.assert_frame_equal(previous_alerts(f"sqlite:///{path}"), expected)
    assert count(path, "select count(*) from alert_runs") == 2  # reading wrote no run


def test_previous_alerts_creates_no_file_for_a_sqlite_url_either(tmp_path):
    missing = tmp_path / "alerts.sqlite"
    assert previous_alerts(f"sqlite:///{missing}").empty
    assert list(tmp_path.iterdir()) == []


def _damaged_log(tmp_path):
    """A real log with three runs whose middle pages are then overwritten."""
    path = tmp_path / "alerts.sqlite"
    many = pd.DataFrame({"alert_id": [f"I{i}|2025-01-27" for i in range(300)],
                         "item_id": [f"I{i}" for i in range(300)], "alert_level": 1,
                         "root_cause": "x" * 200})
    with AlertLog(path) as log:
        for day in (6, 13, 20):
            log.record_run(many, run_at=f"2025-01-{day:02d}")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[2 * page:6 * page] = b"\xff" * (4 * page)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("damage", ["not_a_database", "damaged_pages"])
def test_corrupt_alert_log_file_is_a_clear_error_naming_the_file_and_the_fix(tmp_path,
                                                                             damage):
    if damage == "not_a_database":
        path = tmp_path / "alerts.sqlite"
        path.write_bytes(b"run_id,alert_id\n1,A\n" * 300)  # e.g. a CSV export saved over it
    else:
        path = _damaged_log(tmp_path)
    before = path.read_bytes()
    for opening in (lambda: AlertLog(path), lambda: previous_alerts(path),
                    lambda: AlertLog(f"sqlite:///{path}").record_run(alerts(("A|2025-01-27", 1)))):
        with pytest.raises(CorruptDatabaseError) as err:
            opening()
        text = str(err.value)
        assert str(path) in text and "damaged" in text
        assert "rename it to alerts.sqlite.corrupt" in text and "backup" in text
    assert path.read_bytes() == before  # nothing was written into the damaged file


def test_alert_log_on_postgresql_tracks_runs(postgres_url):
    with AlertLog(postgres_url) as log:
        r1 = log.record_run(alerts(("A|2025-01-27", 2), ("B|2025-01-13", 1)),
                            run_at="2025-01-06 08:00")
        assert statuses(r1) == {"A|2025-01-27": "new", "B|2025-01-13": "new"}
        lines = pd.DataFrame({"alert_id": ["A|2025-01-27"], "order_id": ["SO1"],
                              "line_no": [1], "customer_id": ["C1"], "qty_short": [4.0]})
        r2 = log.record_run(alerts(("A|2025-01-27", 3), ("C|2025-01-06", 1)), lines,
                            run_at="2025-01-07 08:00")
        assert statuses(r2) == {"A|2025-01-27": "escalated", "C|2025-01-06": "new",
                                "B|2025-01-13": "resolved"}
        r3 = log.record_run(alerts(("C|2025-01-06", 1)), run_at="2025-01-08 08:00")
        assert statuses(r3) == {"C|2025-01-06": "continuing", "A|2025-01-27": "resolved"}
        assert log.resolved_lines(r3)["order_id"].tolist() == ["SO1"]
        runs = log.runs()
        assert runs["run_id"].tolist() == [1, 2, 3]
        assert runs["n_new"].tolist() == [2, 1, 0]
        assert runs["n_resolved"].tolist() == [0, 1, 1]
    # a second connection (as the next scheduled run) sees the same history
    assert statuses(previous_alerts(postgres_url)) == {"C|2025-01-06": "continuing",
                                                      "A|2025-01-27": "resolved"}
    with AlertLog(postgres_url) as again:
        assert repr(again).startswith("AlertLog('postgresql+psycopg://")
        assert ":***@" in repr(again) or "@" not in repr(again)
        assert again.history("A|2025-01-27")["status"].tolist() == [
            "new", "escalated", "resolved"]


def test_a_repeat_of_the_same_planning_date_is_not_a_new_run(tmp_path):
    """The English and the Chinese rendering of one run see the same statuses."""
    log = AlertLog(tmp_path / "log.db")
    log.record_run(alerts(("A|2025-01-27", 2), ("B|2025-01-13", 1)), as_of="2025-01-06")
    first = log.record_run(alerts(("A|2025-01-27", 3), ("C|2025-01-20", 2)), as_of="2025-01-13")
    again = log.record_run(alerts(("A|2025-01-27", 3), ("C|2025-01-20", 2)), as_of="2025-01-13")
    cols = ["alert_id", "status", "run_id", "last_run_id"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    assert dict(zip(again["alert_id"], again["status"], strict=True)) == {
        "A|2025-01-27": "escalated", "C|2025-01-20": "new", "B|2025-01-13": "resolved"}
    assert len(log.runs()) == 2
    # a different result on the same date, or the same result on a later date, is a run
    log.record_run(alerts(("A|2025-01-27", 3)), as_of="2025-01-13")
    later = log.record_run(alerts(("A|2025-01-27", 3)), as_of="2025-01-20")
    assert len(log.runs()) == 4 and set(later["status"]) == {"continuing"}
