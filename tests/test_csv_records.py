"""CSV record splitting: no record lost, folded or invented, checked against Python's csv."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import RecordCountMismatchError
from workbench.io import readers
from workbench.io.csv_records import count_records, record_offset, scan_records
from workbench.io.load import load_orders
from workbench.io.sources import read_raw

HEADER = "order_id,line_no,customer_id,item_id,order_date,requested_date,qty_ordered"
ROWS = ["SO-1,1,C001,ITEM-A,2024-03-01,2024-03-15,10",
        "SO-1,2,C001,ITEM-B,2024-03-01,2024-03-15,5",
        "SO-2,1,C002,ITEM-A,2024-03-04,2024-03-18,7"]


def _write(tmp_path, text: str, name: str = "orders.csv"):
    f = tmp_path / name
    f.write_bytes(text.encode("utf-8"))
    return f


def _csv_body_count(text: str, header_records: int = 1) -> int:
    """Oracle: records Python's csv finds in the text, minus the header (and title) records."""
    return len(list(csv.reader(io.StringIO(text, newline="")))) - header_records


def test_cr_only_line_endings_lose_no_record(tmp_path):
    f = _write(tmp_path, "\r".join([HEADER, *ROWS]) + "\r")
    res = load_orders(f)
    assert res.summary.rows_in == 3 == res.summary.rows_loaded
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-1", "SO-2"]
    assert res.orders["source_row"].tolist() == [2, 3, 4]


@pytest.mark.parametrize("endings", [("\r", "\n"), ("\r", "\r\n"), ("\r\n", "\r"), ("\n", "\r"),
                                     ("\r\n", "\n")])
def test_header_line_ending_differs_from_body_loses_no_record(tmp_path, endings):
    head_end, body_end = endings
    f = _write(tmp_path, HEADER + head_end + body_end.join(ROWS) + body_end)
    res = load_orders(f)
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-1", "SO-2"]
    assert res.orders["qty_ordered"].tolist() == [10, 5, 7]
    assert res.summary.rows_in == 3 == res.summary.records_counted


def test_mixed_line_endings_in_the_body_lose_no_record(tmp_path):
    f = _write(tmp_path, HEADER + "\n" + ROWS[0] + "\r" + ROWS[1] + "\r\n" + ROWS[2])
    res = load_orders(f)
    assert res.summary.rows_loaded == 3


def test_quote_inside_an_unquoted_header_cell_keeps_every_record(tmp_path):
    text = 'id,Pipe 1/2" size,qty\nA,"x, y",1\nB,plain,2\nC,z,3\n'
    raw = read_raw(_write(tmp_path, text))
    assert list(raw.frame.columns) == ["id", 'Pipe 1/2" size', "qty"]
    assert raw.frame["id"].tolist() == ["A", "B", "C"]
    assert raw.source_row.tolist() == [2, 3, 4]


def test_quote_in_a_title_line_above_the_header_keeps_every_record(tmp_path):
    text = '12" valves report\nprinted 2024-04-01\n' + HEADER + "\n" + "\n".join(ROWS) + "\n"
    res = load_orders(_write(tmp_path, text))
    assert res.summary.sources[0]["header_row"] == 3
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-1", "SO-2"]
    assert res.orders["source_row"].tolist() == [4, 5, 6]


def test_record_offset_follows_csv_not_raw_quote_parity():
    text = 'Title 12" valves\rPipe 1/2" size,qty\r\n"a\nb",1\n'
    assert text[record_offset(text, ",", 2):] == '"a\nb",1\n'


def test_unterminated_quote_to_end_of_file_is_quarantined_alone(tmp_path):
    rows = [ROWS[0], 'SO-1,2,C001,"ITEM-B,2024-03-01,2024-03-15,5', ROWS[2],
            "SO-3,1,C003,ITEM-C,2024-03-05,2024-03-19,4"]
    res = load_orders(_write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-2", "SO-3"]
    q = res.quarantine
    assert q["source_row"].tolist() == [3]
    assert q["reason"].tolist() == ["unterminated_quote"]
    assert "line 3" in q["detail"].iloc[0]
    assert q["value"].iloc[0] == rows[1]
    assert res.summary.rows_in == 4


def test_unterminated_quote_closed_by_a_later_quote_swallows_nothing(tmp_path):
    rows = ['SO-1,1,C001,"ITEM-A,2024-03-01,2024-03-15,10', ROWS[1],
            'SO-2,1,C002,"ITEM-A",2024-03-04,2024-03-18,7']
    res = load_orders(_write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-2"]
    assert res.orders["line_no"].tolist() == [2, 1]
    assert res.quarantine["source_row"].tolist() == [2]
    assert res.quarantine["reason"].tolist() == ["unterminated_quote"]


def test_multiline_record_with_wrong_field_count_is_an_unclosed_quote():
    body = 'A,"note\nB,2\nC,3\n'
    scan = scan_records(body, ",", width=2)
    assert [(b.record, b.line) for b in scan.broken] == [(0, 1)]
    assert scan.count == 3


def test_legitimate_multiline_fields_are_kept(tmp_path):
    text = 'id,note\n1,"two\nlines"\n2,"three\r\nline\rnote"\n3,plain\n'
    raw = read_raw(_write(tmp_path, text))
    assert raw.frame["note"].tolist() == ["two\nlines", "three\r\nline\rnote", "plain"]
    assert raw.rows_in == raw.meta["records_counted"] == _csv_body_count(text)


def test_rows_in_equals_the_independent_csv_count_after_a_load(tmp_path):
    text = "\n".join([HEADER, ROWS[0], "", 'SO-9,1,C1,"I,1",2024-03-01,2024-03-02,1',
                      "SO-1,2,C001", ROWS[2]]) + "\n"
    res = load_orders(_write(tmp_path, text))
    assert res.summary.rows_in == _csv_body_count(text) == 5
    assert res.summary.records_counted == 5
    assert "records checked: 5" in str(res.summary)


def test_reader_losing_a_record_raises_instead_of_passing_as_balanced(tmp_path, monkeypatch):
    original = readers._drop_blank

    def lossy(frame, src_rows):  # a reader bug that drops the last record silently
        frame, src_rows, blank = original(frame, src_rows)
        return frame.iloc[:-1], src_rows[:-1], blank

    monkeypatch.setattr(readers, "_drop_blank", lossy)
    with pytest.raises(RecordCountMismatchError, match="csv module finds 3"):
        load_orders(_write(tmp_path, "\n".join([HEADER, *ROWS]) + "\n"))


def test_arrow_disagreeing_with_csv_falls_back_to_the_exact_parser(tmp_path, monkeypatch):
    original = readers._read_clean_body
    monkeypatch.setattr(readers, "_read_clean_body",
                        lambda *a, **k: original(*a, **k).iloc[:-1])  # pretend Arrow lost a record
    raw = read_raw(_write(tmp_path, "\n".join([HEADER, *ROWS]) + "\n"))
    assert raw.rows_in == 3 and len(raw.frame) == 3
    assert "exact parser" in raw.meta["note"]


def test_count_records_counts_blank_lines_and_multiline_records():
    assert count_records('a\r\n\r\n"b\nc"\rd', ",") == 4


# ------------------------------------------------------------------ property test
_FIELD = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\t\u00e9x')), max_size=8)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def _files(draw):
    """Records written by csv.writer with a random line ending per record, plus blank lines."""
    records = draw(st.lists(st.lists(_FIELD, min_size=3, max_size=3), max_size=25))
    parts, expected = [draw(st.sampled_from(["a,b,c\n", "a,b,c\r", "a,b,c\r\n"]))], []
    for rec in records:
        if draw(st.booleans()) and draw(st.booleans()):
            blank = draw(_ENDINGS)  # a blank line: an empty_row record
            # (a bare LF right after a CR would join it into one CR LF line ending)
            parts.append("\r\n" if blank == "\n" and parts[-1].endswith("\r") else blank)
            expected.append(None)
        buf = io.StringIO()  # CR LF as terminator so that fields with CR or LF are quoted
        csv.writer(buf, lineterminator="\r\n").writerow(rec)
        parts.append(buf.getvalue()[:-2] + draw(_ENDINGS))
        expected.append(rec)
    text = "".join(parts)
    if text.endswith(("\n", "\r")) and draw(st.booleans()) and records:
        text = text.rstrip("\r\n") if not text.rstrip("\r\n").endswith(('"', ",")) else text
    return text, expected


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_files())
def test_generated_files_keep_every_record(tmp_path, case):
    text, expected = case
    f = tmp_path / "gen.csv"
    f.write_bytes(text.encode("utf-8"))
    raw = read_raw(f, delimiter=",")
    assert raw.rows_in == len(raw.frame) + len(raw.rejected)
    assert raw.rows_in == _csv_body_count(text) == raw.meta["records_counted"]
    kept = [(i + 2, rec) for i, rec in enumerate(expected)
            if rec is not None and any(v.strip() for v in rec)]
    assert raw.source_row.tolist() == [r for r, _ in kept]
    assert raw.frame.astype(object).values.tolist() == [rec for _, rec in kept]
    assert set(raw.rejected["reason"]) <= {"empty_row"}


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(alphabet="abc ", min_size=1, max_size=5), min_size=3,
                         max_size=3), min_size=2, max_size=15),
       st.data())
def test_an_unclosed_quote_costs_exactly_its_own_record(tmp_path, records, data):
    ending = data.draw(_ENDINGS)
    bad = data.draw(st.integers(0, len(records) - 1))
    col = data.draw(st.integers(0, 2))
    lines = [",".join(r) for r in records]
    broken = records[bad].copy()
    broken[col] = '"' + broken[col]
    lines[bad] = ",".join(broken)
    f = tmp_path / "broken.csv"
    f.write_bytes(("a,b,c" + ending + ending.join(lines) + ending).encode())
    raw = read_raw(f, delimiter=",")
    good = [(i + 2, r) for i, r in enumerate(records) if i != bad and any(v.strip() for v in r)]
    assert raw.source_row.tolist() == [r for r, _ in good]
    assert raw.frame.astype(object).values.tolist() == [r for _, r in good]
    blank = [i + 2 for i, r in enumerate(records) if i != bad and not any(v.strip() for v in r)]
    reasons = raw.rejected.set_index("source_row")["reason"]
    assert sorted(reasons.index) == sorted([bad + 2, *blank])  # blank records are empty rows
    assert reasons[bad + 2] in {"unterminated_quote", "malformed_quote"}
    assert all(reasons[b] == "empty_row" for b in blank)
    assert raw.rows_in == len(records)


def test_title_line_with_an_open_quote_does_not_swallow_the_header(tmp_path):
    text = '"Sales export, printed 2024-04-01\n' + HEADER + "\n" + "\n".join(ROWS) + "\n"
    res = load_orders(_write(tmp_path, text))
    assert res.summary.sources[0]["header_row"] == 2
    assert res.orders["order_id"].tolist() == ["SO-1", "SO-1", "SO-2"]
    assert res.orders["source_row"].tolist() == [3, 4, 5]


@pytest.mark.parametrize("broken_at", [None, 20_000])
def test_large_files_are_counted_while_arrow_reads(tmp_path, broken_at):
    rows = [f"SO-{i},1,C{i % 50},ITEM,2024-03-01,2024-03-15,{i % 9 + 1}" for i in range(40_000)]
    if broken_at is not None:
        rows[broken_at] = rows[broken_at].replace("C", '"C', 1)
    text = HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"
    assert len(text) > 1_000_000  # the parallel path
    res = load_orders(_write(tmp_path, text))
    assert res.summary.rows_in == 40_000 == res.summary.records_counted
    if broken_at is None:
        assert res.summary.rows_loaded == 40_000
    else:
        assert res.quarantine["source_row"].tolist() == [broken_at + 2]
        assert res.quarantine["reason"].tolist() == ["unterminated_quote"]
        assert res.summary.rows_loaded == 39_999
