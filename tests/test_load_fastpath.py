"""Fast paths of the loader (issue 14) give exactly what the row-wise paths give.

* ``parse_date`` / ``parse_number`` / ``parse_bool`` on a text column work on its
  distinct values; the same values as an ``object`` column take the row-wise path.
* ``scan_records`` counts a text without quotes from its line endings; the
  expected counts below are worked by hand (and equal Python's ``csv`` count).
* A file with 3 dirty rows among clean ones loads the same frame, quarantine and
  issues whether its 1,200 lines make the parsers take the distinct-value path or not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workbench as wb
from workbench.io.csv_records import count_records, scan_records
from workbench.io.parsing import parse_bool, parse_date, parse_number


def _same(a, b) -> None:
    pd.testing.assert_series_equal(a.values, b.values, check_index=True)
    np.testing.assert_array_equal(a.missing, b.missing)
    np.testing.assert_array_equal(a.invalid, b.invalid)
    np.testing.assert_array_equal(a.issue.astype(str), b.issue.astype(str))
    np.testing.assert_array_equal(a.detail.astype(str), b.detail.astype(str))
    assert a.info == b.info


_DATES = [" 2024-03-04", "2024-03-04", "03/04/2024", "n/a", None, "", "31/12/2024", "soon",
          "2024-13-01", "45000", "NA "]
_NUMBERS = ["1,200", " 2,5", "3.75", "(5)", "NaN", "inf", None, "", "12 pcs", "1.234,5", "n/a"]
_FLAGS = ["yes", " No", "TRUE", "0", "是", "maybe", None, "", "n/a", "Y"]


@pytest.mark.parametrize(("parse", "pool"), [(parse_date, _DATES), (parse_number, _NUMBERS),
                                             (parse_bool, _FLAGS)])
def test_distinct_path_equals_rowwise(parse, pool):
    rng = np.random.default_rng(3)
    vals = [pool[i] for i in rng.integers(0, len(pool), 1500)]
    text = pd.Series(vals, dtype="str")
    rowwise = pd.Series(vals, dtype=object)
    _same(parse(text), parse(rowwise))


def test_parse_bool_distinct_known_answer():
    s = pd.Series(["yes", " No", None, "maybe"] * 300, dtype="str")
    p = parse_bool(s)
    assert p.values.iloc[:4].tolist() == [True, False, pd.NA, pd.NA]
    assert p.missing[:4].tolist() == [False, False, True, False]
    assert p.invalid[:4].tolist() == [False, False, False, True]
    assert p.invalid.sum() == 300


@pytest.mark.parametrize(("text", "expected"), [
    ("a,b\r1,x\r\n\n2,z", 4),      # CR, CR LF, a blank line, a last line without an ending
    ("a,b\n1,2\n", 2),
    ("", 0),
    ("\r\r\n\n", 3),
    ("x" * 200_000 + "\n1\n", 2),  # a line beyond csv's field limit: counted by csv
])
def test_scan_records_known_counts(text, expected):
    assert scan_records(text, ",").count == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab,;\r\n \x00", max_size=60))
def test_unquoted_count_equals_csv(text):
    assert scan_records(text, ",").count == count_records(text, ",")


def _orders_csv(path, n: int) -> None:
    rows = ["order_id,line_no,customer_id,item_id,order_date,requested_date,qty_ordered,"
            "qty_shipped,unit_price,filled_from_stock"]
    for i in range(n):
        rows.append(f"SO-{i:05d},1,C{i % 7},ITM-{i % 5},2024-01-{1 + i % 28:02d},"
                    f"2024-02-{1 + i % 28:02d},{10 + i % 3}.0,{10 + i % 3},1.5,"
                    f"{'yes' if i % 2 else 'no'}")
    rows[5] = "SO-00004,1,C4,ITM-4,2024-01-05,2024-02-05,-3,0,1.5,yes"        # negative qty
    rows[9] = "SO-00008,1,C1,ITM-3,,2024-02-09,12.0,12,1.5,no"                # no order date
    rows[11] = "SO-00010,1,C3,ITM-0,2024-01-11,2024-02-11,11.0,11,abc,maybe"  # bad price, flag
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_dirty_rows_among_clean_same_result_both_paths(tmp_path):
    """1,200 lines (distinct-value paths) and the same first 12 lines (row-wise) agree."""
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    _orders_csv(big, 1200)
    lines = big.read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:13]) + "\n", encoding="utf-8")
    rb, rs = wb.load_orders(big), wb.load_orders(small)
    assert rb.summary.rows_in == 1200 and rb.summary.balanced
    assert rb.summary.rows_quarantined == 2
    assert sorted(rb.quarantine["reason"]) == ["missing_required", "negative_quantity"]
    assert rb.quarantine["source_row"].tolist() == sorted([6, 10])
    head = rb.orders[rb.orders["source_row"] <= 13].reset_index(drop=True)
    body = rs.orders.reset_index(drop=True)
    pd.testing.assert_frame_equal(head.drop(columns="source_file"),
                                  body.drop(columns="source_file"))
    q = ["source_row", "reason", "column", "value", "detail"]
    pd.testing.assert_frame_equal(rb.quarantine[q].reset_index(drop=True),
                                  rs.quarantine[q].reset_index(drop=True))
    i = ["source_row", "column", "value", "reason"]
    bi = rb.issues[rb.issues["source_row"] <= 13][i].reset_index(drop=True)
    pd.testing.assert_frame_equal(bi, rs.issues[i].reset_index(drop=True))
    assert set(bi["column"]) == {"unit_price", "filled_from_stock"}


# ---------------------------------------------------------------- UTF-8 files read from their bytes
def _both_paths(monkeypatch, path, **kw):
    """Load ``path`` from its bytes (fast) and through the decoding path (exact)."""
    import workbench.io.readers as readers

    fast = wb.load_orders(path, **kw)
    monkeypatch.setattr(readers, "_BYTES_PATH", False)
    exact = wb.load_orders(path, **kw)
    monkeypatch.setattr(readers, "_BYTES_PATH", True)
    return fast, exact


def _assert_same_load(fast, exact) -> None:
    assert fast.summary.balanced and exact.summary.balanced
    assert fast.summary.rows_in == exact.summary.rows_in
    assert fast.summary.records_counted == exact.summary.records_counted
    pd.testing.assert_frame_equal(fast.orders, exact.orders)
    pd.testing.assert_frame_equal(fast.quarantine, exact.quarantine)
    pd.testing.assert_frame_equal(fast.issues, exact.issues)
    assert fast.summary.encodings == exact.summary.encodings


_HEADER = "order_id,line_no,customer_id,item_id,order_date,qty_ordered,unit_price"
_LINES = ["SO-1,1,客户甲,ITM-1,2024-01-05,10,1.5",
          "SO-1,2,客户甲,ITM-2,2024-01-05,3,2.25",
          "SO-2,1,C2,ITM-1,2024-01-06,-1,1.5",          # negative quantity: quarantined
          "SO-3,1,C3,ITM-3,2024-01-07,4,abc",           # bad price: an issue
          ",,,,,,",                                      # blank record
          "SO-1,1,客户甲,ITM-1,2024-01-05,10,1.5",       # identical repeat of row 2
          "SO-4,1,C4,ITM-4,2024-01-08,5,9.5"]


@pytest.mark.parametrize(("name", "prefix", "lines", "newline"), [
    ("plain", b"", _LINES, "\n"),
    ("bom", b"\xef\xbb\xbf", _LINES, "\n"),
    ("two_boms_crlf", b"\xef\xbb\xbf\xef\xbb\xbf", _LINES, "\r\n"),
    ("cr", b"", _LINES, "\r"),                    # old Mac line endings, no quote anywhere
    ("mixed_endings", b"", ["\r\n".join(_LINES[:3]), "\r".join(_LINES[3:])], "\n"),
    ("quoted", b"", [*_LINES[:3], '"SO-5",1,"C, 5",ITM-5,2024-01-09,1,1.0', *_LINES[3:]], "\n"),
    ("ragged", b"", [*_LINES[:2], "SO-6,1,C6", *_LINES[2:]], "\n"),
    ("open_quote", b"", [*_LINES[:2], 'SO-7,1,"C7,ITM-7,2024-01-09,1,1.0', *_LINES[2:]], "\n"),
    ("title", b"", ["Order export", "", *[_HEADER], *_LINES], "\n"),
    ("long_line", b"", [*_LINES[:2], "SO-8,1,C8,ITM-8,2024-01-09,1," + "9" * 140_000,
                        *_LINES[2:]], "\n"),   # longer than csv's field limit, no quote
])
def test_utf8_bytes_path_equals_decoding_path(tmp_path, monkeypatch, name, prefix, lines,
                                              newline):
    body = lines if name == "title" else [_HEADER, *lines]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(prefix + (newline.join(body) + newline).encode("utf-8"))
    fast, exact = _both_paths(monkeypatch, path)
    _assert_same_load(fast, exact)


def test_utf8_bytes_known_answer(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join([_HEADER, *_LINES]) + "\n").encode("utf-8"))
    res = wb.load_orders(path)
    # 7 records: rows 2, 3, 8 (SO-4 is row 8) load; 4 negative, 6 blank, 7 repeat of row 2
    assert res.summary.rows_in == 7 and res.summary.records_counted == 7
    assert res.orders["source_row"].tolist() == [2, 3, 5, 8]
    assert res.orders["customer_id"].iloc[0] == "客户甲"
    assert res.quarantine["reason"].tolist() == ["negative_quantity", "empty_row",
                                                 "duplicate_key"]
    assert res.quarantine["detail"].iloc[2] == ("order_id/line_no repeated: identical to "
                                                "source row 2")
    assert res.summary.sources[0]["encoding"] == "utf-8-sig"


def test_gbk_file_is_never_read_as_utf8(tmp_path, monkeypatch):
    """A GBK file (with a first 64 KB that is pure ASCII) goes through the decoding path."""
    filler = [f"SO-{i:05d},1,C{i % 7},ITM-{i % 5},2024-01-05,1,1.5" for i in range(8000)]
    lines = [_HEADER, *filler, "SO-99999,1,客户乙,ITM-1,2024-01-05,2,1.5"]
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    assert len(path.read_bytes()) > 4 * 65536 + 8  # the non-ASCII bytes are past the head
    fast, exact = _both_paths(monkeypatch, path)
    _assert_same_load(fast, exact)
    assert fast.orders["customer_id"].iloc[-1] == "客户乙"
    assert fast.summary.sources[0]["encoding"] == "gb18030"


def test_given_utf8_checks_the_whole_file(tmp_path):
    """encoding='utf-8' given for a file with a GBK byte pair near its end: the same error."""
    lines = [_HEADER, *[f"SO-{i},1,C1,ITM-1,2024-01-05,1,1.5" for i in range(5000)]]
    path = tmp_path / "bad.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + "SO-x,1,乙,I,2024-01-05,1,1\n".encode(
        "gbk"))
    with pytest.raises(wb.WorkbenchError, match="cannot decode the file as utf-8"):
        wb.load_orders(path, encoding="utf-8")
    bom = tmp_path / "bom_bad.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with pytest.raises(wb.WorkbenchError, match="cannot decode"):
        wb.load_orders(bom)


def test_many_rows_utf8_both_paths(tmp_path, monkeypatch):
    """1,200 lines with dirty rows: bytes path and decoding path agree (distinct-value parsers)."""
    path = tmp_path / "big.csv"
    _orders_csv(path, 1200)
    fast, exact = _both_paths(monkeypatch, path)
    _assert_same_load(fast, exact)
    assert fast.summary.rows_quarantined == 2


def test_blank_records_need_every_field_blank(tmp_path):
    """Only records blank in every field are empty rows; a blank first field is not enough."""
    lines = [_HEADER, _LINES[0], " , ,\t, ,, , ", ",2,C9,ITM-9,2024-01-05,1,1.5",
             ",,,,,,x", _LINES[6]]
    path = tmp_path / "blank.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = wb.load_orders(path)
    q = res.quarantine.set_index("source_row")["reason"].to_dict()
    assert q == {3: "empty_row", 4: "missing_required", 5: "missing_required"}
    assert res.orders["source_row"].tolist() == [2, 6]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab \t\u3000\xa0\nN/A", max_size=6)),
                max_size=30))
def test_parse_string_unstripped_column_equals_rowwise(vals):
    """A text column with nothing to strip is returned without a copy: same result as row-wise."""
    from workbench.io.parsing import parse_string

    _same(parse_string(pd.Series(vals, dtype="str")), parse_string(pd.Series(vals, dtype=object)))


def test_parse_string_known_answer():
    from workbench.io.parsing import parse_string

    p = parse_string(pd.Series(["A1", " B2\u3000", "n/a", None], dtype="str"))
    assert p.values.tolist()[:2] == ["A1", "B2"] and p.values.isna().tolist() == [
        False, False, True, True]
    assert p.missing.tolist() == [False, False, True, True]



# ---------------------------------------------------------------- duplicate keys
def _same_key_pairs(codes, keys) -> None:
    order = pd.Series(range(len(keys))).groupby(keys).transform("first").to_numpy()
    first = pd.Series(range(len(codes))).groupby(codes).transform("first").to_numpy()
    np.testing.assert_array_equal(order, first)  # equal codes exactly where keys are equal


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None, "c"]),
                          st.sampled_from([1, 2, None, -7, 10**15]),
                          st.sampled_from(["x", "y"])), min_size=1, max_size=30))
def test_key_codes_equal_exactly_where_keys_are_equal(rows):
    from workbench.io.load import _key_codes

    df = pd.DataFrame(rows, columns=["k1", "k2", "k3"]).astype(
        {"k1": "str", "k2": "Int64", "k3": "str"})
    keys = ["|".join("<NA>" if pd.isna(v) else str(v) for v in r) for r in rows]
    _same_key_pairs(_key_codes(df, ["k1", "k2", "k3"]), keys)


def test_key_codes_of_many_wide_columns_do_not_overflow():
    """Four columns of 60,000 distinct values each: 60,001**4 exceeds 2**62, so the codes are
    folded back below the row count on the way; keys repeat every 60,000 rows."""
    from workbench.io.load import _key_codes

    n = 120_000
    i = np.arange(n) % 60_000
    df = pd.DataFrame({f"k{j}": (i * (j + 1)).astype(str) for j in range(4)}).astype("str")
    codes = _key_codes(df, list(df.columns))
    assert codes.min() >= 0
    np.testing.assert_array_equal(codes[:60_000], codes[60_000:])
    assert len(np.unique(codes)) == 60_000


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([1, 2, -3, 10**12])),
                min_size=1, max_size=40),
       st.data())
def test_duplicate_flags_equal_pandas_duplicated(rows, data):
    """The repeats flagged (one hash pass and a running maximum) are exactly the rows pandas'
    ``duplicated(keep="first")`` marks among the rows not already quarantined."""
    from workbench.io.load import _duplicate_reason
    from workbench.io.schema import get_table

    schema = get_table("order_lines")
    df = pd.DataFrame(rows, columns=["order_id", "line_no"]).astype(
        {"order_id": "str", "line_no": "Int64"})
    from workbench.io import load as load_mod

    already = np.array(data.draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df))))
    expected = np.zeros(len(df), dtype=bool)
    cand = np.flatnonzero(~already)
    expected[cand] = df.iloc[cand].duplicated(keep="first").to_numpy()
    saved = load_mod._HASH_ROWS
    details = []
    try:
        for threshold in (saved, 0):  # exact codes, then DuckDB's hashes
            load_mod._HASH_ROWS = threshold
            reason = _duplicate_reason(df, schema, already, np.arange(len(df)) + 2)
            got = np.zeros(len(df), dtype=bool)
            if reason is not None:
                got[reason.idx] = True
                details.append(reason.detail.tolist())
            np.testing.assert_array_equal(got, expected)
    finally:
        load_mod._HASH_ROWS = saved
    assert len(details) in (0, 2) and (not details or details[0] == details[1])


# ---------------------------------------------------------------- loaded rows
@settings(max_examples=150, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=600), st.integers(1, 5))
def test_keep_rows_equals_boolean_indexing(keep, chunks):
    """Sliced Arrow text (any number of runs, inputs of several chunks), NumPy, masked and date
    columns: the same values, dtypes and a fresh index as ``frame[keep]``."""
    import pyarrow as pa

    from workbench.io import load

    n = len(keep)
    keep = np.array(keep, dtype=bool)
    text = [None if i % 7 == 3 else f"id{i}" for i in range(n)]
    cuts = np.linspace(0, n, chunks + 1).astype(int)
    arrow = pa.chunked_array([pa.array(text[a:b], type=pa.large_string())
                              for a, b in zip(cuts[:-1], cuts[1:], strict=True)],
                             type=pa.large_string())
    frame = pd.DataFrame({
        "id": pd.Series(pd.arrays.ArrowStringArray(arrow, dtype=pd.StringDtype(
            "pyarrow", na_value=np.nan))),
        "q": np.arange(n, dtype=float), "n": pd.array(np.arange(n), dtype="Int64"),
        "d": pd.date_range("2024-01-01", periods=n, freq="D"),
        "f": pd.array([i % 2 == 0 for i in range(n)], dtype="boolean"),
        "file": pd.Categorical.from_codes(np.arange(n) % 2, categories=["a.csv", "b.csv"]),
        "row": np.arange(n, dtype=np.int64) + 2})
    expected = frame[keep].reset_index(drop=True)
    saved = load._THREADED_KEEP
    try:
        for threshold in (saved, 0):  # one by one, then on two threads
            load._THREADED_KEEP = threshold
            pd.testing.assert_frame_equal(load._keep_rows(frame, keep), expected)
    finally:
        load._THREADED_KEEP = saved


def test_keep_rows_slices_text_without_copying():
    """A few dropped rows among many: the text column's kept runs share the input's buffers."""
    from workbench.io import load

    frame = pd.DataFrame({"id": pd.Series([f"id{i}" for i in range(10_000)], dtype="str")})
    keep = np.ones(10_000, dtype=bool)
    keep[[10, 5000]] = False
    out = load._keep_rows(frame, keep)["id"].array.__arrow_array__()
    source = frame["id"].array.__arrow_array__().chunk(0)
    assert out.num_chunks == 3
    assert out.chunk(1).buffers()[2].address == source.buffers()[2].address  # same bytes
    assert out.to_pylist() == frame["id"][keep].tolist()


def test_columns_that_flag_nothing_share_one_read_only_array():
    """Within a load, parses that flag nothing return the same read-only no-flags array; a
    parse that flags a value builds its own, and writing into the shared one is refused."""
    from workbench.io.parsing import flagged, sharing_flags

    with sharing_flags():
        a = parse_number(pd.Series(["1", "2", "3"], dtype="str"))
        b = parse_date(pd.Series(["2024-01-02", "2024-01-03", "2024-01-04"], dtype="str"))
    assert a.issue is a.detail is b.issue is b.detail
    assert not flagged(a.issue).any()
    with pytest.raises(ValueError, match="read-only"):
        a.issue[0] = "x"
    c = parse_date(pd.Series(["2024-01-02", "45352", "2024-01-04"], dtype="str"))
    assert flagged(c.issue).tolist() == [False, True, False]
    assert c.issue is not a.issue


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "dd", " a", "", None]), max_size=8),
                min_size=0, max_size=5))
def test_factorize_text_equals_pandas_factorize(chunks):
    """Chunked Arrow text (empty chunks, nulls, repeats across chunks): the same codes and
    distinct values as ``pd.factorize``."""
    import pyarrow as pa

    from workbench.io.parsing import factorize_text

    arrow = pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks],
                             type=pa.large_string())
    s = pd.Series(pd.arrays.ArrowStringArray(arrow, dtype=pd.StringDtype("pyarrow",
                                                                        na_value=np.nan)))
    codes, uniq = factorize_text(s)
    want_codes, want_uniq = pd.factorize(s)
    np.testing.assert_array_equal(codes, np.asarray(want_codes))
    assert uniq.tolist() == list(want_uniq)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_columns_parsed_on_threads_give_the_same_load(tmp_path, monkeypatch, fmt):
    """A CSV read by Arrow (every column Arrow text) or a Parquet file (typed columns, no
    Python objects) is parsed a few columns ahead on threads: the loaded rows, quarantine,
    issues and summary equal the one-by-one parse, dirty rows and flagged values included."""
    from workbench.io import load

    path = tmp_path / "orders.csv"
    _orders_csv(path, 1200)
    with path.open("a", encoding="utf-8") as f:  # an ambiguous date and an unusable number
        f.write("SO-9001,1,C1,ITM-1,03/04/2024,2024-02-01,5.0,5,abc,yes\n"
                "SO-9001,1,C1,ITM-1,2024-01-05,2024-02-01,5.0,5,1.5,no\n")  # a repeated key
    if fmt == "parquet":  # text ids and dates, typed line numbers and quantities
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.astype({c: "Int64" for c in ("line_no",) if c in frame}).astype(
            {c: "float64" for c in ("qty_ordered",) if c in frame})
        path = tmp_path / "orders.parquet"
        frame.to_parquet(path, index=False)
    seen: list[bool] = []
    real = load._parse_sources

    def spy(*args, **kwargs):
        import threading

        seen.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "_parse_sources", spy)
    threaded = wb.load_orders(path)
    assert seen and not any(seen)  # parsed on the pool's threads
    seen.clear()
    monkeypatch.setattr(load, "_PARSE_THREADS", 1)
    single = wb.load_orders(path)
    assert seen and all(seen)
    _assert_same_load(threaded, single)
    assert threaded.summary.rows_quarantined >= 3 and len(threaded.issues) >= 2
    assert str(threaded.summary) == str(single.summary)


def test_headers_that_are_model_names_skip_matching(monkeypatch):
    """Headers equal to model names (any case, outer spaces) are those columns; only the
    other columns are matched, and with no other column the matcher is not called."""
    from workbench.io import mapping as mapping_mod

    calls: list[list[str]] = []
    real = mapping_mod.match_columns

    def spy(source, schema, *, columns, **kw):
        calls.append(list(columns))
        return real(source, schema, columns=columns, **kw)

    monkeypatch.setattr(mapping_mod, "match_columns", spy)
    m = mapping_mod.ColumnMapping(table="order_lines")
    schema_names = wb.io.schema.get_table("order_lines").names
    r = m.resolve([" ORDER_ID", "Customer", "customer_id", "item_id", "qty_ordered"])
    assert r.fields["order_id"].columns == (" ORDER_ID",)
    assert r.fields["customer_id"].columns == ("customer_id",)  # the model name, not the synonym
    assert r.fields["order_id"].how == "name"
    assert calls and "order_id" not in calls[0] and "customer_id" not in calls[0]
    calls.clear()
    r = m.resolve(list(schema_names))
    assert calls == []
    assert {k: v.columns for k, v in r.fields.items()} == {n: (n,) for n in schema_names}


def test_line_numbers_are_their_own_codes_and_wide_integers_are_factorized():
    """Line numbers 1..5 code as value - 1 + 1 without hashing; a column spanning 10**12
    falls back to factorizing (its codes stay below its distinct count + 1)."""
    from workbench.io.load import _column_codes, _repeated

    codes, radix = _column_codes(pd.Series([2, 5, None, 1], dtype="Int64"))
    assert codes.tolist() == [2, 5, 0, 1] and radix == 6
    codes, radix = _column_codes(pd.Series([10**12, 0, 10**12], dtype="int64"))
    assert codes.tolist() == [1, 2, 1] and radix == 3
    # counted directly (small span) and through factorize (large span): the same answer
    c = np.array([7, 3, 7, 9, 3, 1])
    expected = [True, True, True, False, True, False]
    assert _repeated(c, 10).tolist() == expected
    assert _repeated(c * 10**9, 10**10).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["NA", "n/a", "N/A ", "null", "NULL", "", None, "-", "nan",
                                 "None", "x", "Ná", "ORD-000123", "无", "   ", "na1", "TBD"]),
                min_size=1, max_size=60),
       st.sampled_from([frozenset(), frozenset({"tbd", " X "})]))
def test_na_mask_of_arrow_text_equals_object_path(vals, extra):
    """Arrow's kernels mark the same missing values as the pandas path on object text."""
    from workbench.io.parsing import na_mask

    arrow = na_mask(pd.Series(vals, dtype="str"), extra)
    obj = na_mask(pd.Series(vals, dtype=object), extra)
    np.testing.assert_array_equal(arrow, obj)
    assert arrow.dtype == bool


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_typed_whole_days_pass_through_as_the_general_path_reads_them(unit, monkeypatch):
    """Typed dates of whole days (any unit) take the fast path; with a time of day, a
    9999-12-31 placeholder or a NaT the result equals the general path's."""
    from workbench.io import parsing

    cases = [["2024-01-31", "2024-02-01", "NaT"],
             ["2024-01-31T13:45", "2024-02-01", "NaT"],
             ["2024-01-31", "9999-12-31", "NaT"] if unit != "ns" else ["1677-09-21T12:00", "NaT"]]
    for dates in cases:
        raw = pd.Series(np.array(dates, dtype=f"datetime64[{unit}]"))
        fast = parsing.parse_date(raw)
        with monkeypatch.context() as m:
            m.setattr(parsing, "_whole_days", lambda raw: None)
            slow = parsing.parse_date(raw)
        _same(fast, slow)
        assert fast.values.dtype == "datetime64[ns]"
        if dates[0].startswith("1677"):  # floored, the day is before the nanosecond range
            assert fast.issue.tolist()[0] == "date_out_of_range"
    days = pd.Series(np.array(["2024-01-31", "NaT"], dtype=f"datetime64[{unit}]"))
    assert parsing._whole_days(days) is not None
    noon = pd.Series(np.array(["2024-01-31T12:00"], dtype=f"datetime64[{unit}]"))
    assert parsing._whole_days(noon) is None


_DAY_UNITS = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


@settings(max_examples=200, deadline=None)
@given(unit=st.sampled_from(sorted(_DAY_UNITS)),
       days=st.lists(st.integers(-120_000, 120_000), min_size=1, max_size=30),
       offsets=st.lists(st.sampled_from([0, 0, 0, 1, -1, 3_600, 86_399]), min_size=1,
                        max_size=30),
       nat=st.lists(st.booleans(), min_size=1, max_size=30))
def test_whole_days_agree_with_the_remainder(unit, days, offsets, nat):
    """The whole-day test (a division by a scalar, then a product) accepts exactly the
    columns whose every present value has a zero remainder per day, NaT anywhere, days
    before 1970 included (a value is whole when ``value % per_day == 0``)."""
    from workbench.io import parsing

    per = _DAY_UNITS[unit]
    scale = per // 86_400  # a second in this unit
    n = min(len(days), len(offsets), len(nat))
    if unit == "ns":  # nanoseconds hold 1677-09-21 .. 2262-04-11
        days = [max(-106_000, min(106_000, d)) for d in days]
    i8 = np.array([d * per + o * scale for d, o in zip(days[:n], offsets[:n], strict=True)],
                  dtype=np.int64)
    i8[np.array(nat[:n])] = np.iinfo(np.int64).min  # NaT
    arr = i8.view(f"datetime64[{unit}]")
    present = ~np.isnat(arr)
    whole = not ((i8 % per != 0) & present).any()
    lo, hi = np.datetime64("1677-09-22", unit), np.datetime64("2262-04-11", unit)
    in_range = not (((arr < lo) | (arr > hi)) & present).any() if unit != "ns" else True
    got = parsing._whole_days(pd.Series(arr))
    assert (got is not None) == (whole and in_range)
    if got is not None:
        np.testing.assert_array_equal(got.to_numpy(), arr.astype("datetime64[ns]"))


def test_parquet_dates_read_in_nanoseconds_unless_a_day_is_beyond(tmp_path):
    """Date and microsecond columns that fit are read as nanoseconds (staging then keeps
    them without a copy); a column holding 9999-12-31 keeps its unit, and the load records
    the placeholder as out of range, as before."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.io.readers import read_parquet_raw

    day = [dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2024, 2, 1)]
    table = pa.table({
        "order_id": ["A", "B", "C"], "customer_id": ["c", "c", "d"], "item_id": ["i"] * 3,
        "qty_ordered": [1.0, 2.0, 3.0],
        "order_date": pa.array(day, type=pa.date32()),
        "requested_date": pa.array([dt.datetime(2024, 2, 3), None, dt.datetime(2024, 2, 4)],
                                   type=pa.timestamp("us")),
        "promised_date": pa.array([dt.datetime(2024, 2, 3), dt.datetime(9999, 12, 31),
                                   None], type=pa.timestamp("us")),
    })
    path = tmp_path / "o.parquet"
    pq.write_table(table, path)
    raw = read_parquet_raw(path)
    assert raw.frame["order_date"].dtype == "datetime64[ns]"
    assert raw.frame["requested_date"].dtype == "datetime64[ns]"
    assert raw.frame["promised_date"].dtype == "datetime64[us]"  # 9999-12-31 does not fit
    res = wb.load_orders(path)
    assert res.summary.balanced
    assert res.data["requested_date"].dtype == "datetime64[ns]"
    got = res.issues.loc[res.issues["column"] == "promised_date", "reason"].tolist()
    assert got == ["date_out_of_range"]
    assert res.data["order_date"].tolist()[0] == pd.Timestamp("2024-01-31")


def test_typed_floats_and_ints_are_used_without_a_copy():
    """A float64 or Int64 column without a bad value is the parsed column itself."""
    from workbench.io.parsing import parse_number

    f = pd.Series([1.5, np.nan, 3.0])
    p = parse_number(f)
    assert np.shares_memory(p.values.to_numpy(), f.to_numpy())
    i = pd.Series([1, None, 3], dtype="Int64")
    q = parse_number(i, integer=True)
    assert np.shares_memory(q.values.array._data, i.array._data)
    assert q.values.tolist() == [1, pd.NA, 3]


def test_loads_allocate_with_the_system_pool_and_restore_the_callers(tmp_path):
    """During a load Arrow allocates with the system allocator; afterwards the caller's pool
    is back (also after a failed load and with loads on two threads), and the loaded text
    columns, allocated during the load, stay readable."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    from workbench.io import load as load_mod

    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,item_id,order_date,qty_ordered\n"
                    " A ,c,i,2024-01-31,1\nB,c,i,2024-02-01,2\n", encoding="utf-8")
    before = pa.default_memory_pool()
    seen = []
    real = load_mod._stage_source

    def spy(*a, **k):
        seen.append(pa.default_memory_pool().backend_name)
        return real(*a, **k)

    load_mod._stage_source, saved = spy, real
    try:
        res = wb.load_orders(path)
        with ThreadPoolExecutor(2) as pool:
            both = list(pool.map(wb.load_orders, [path, path]))
        with pytest.raises(wb.SourceError):
            wb.load_orders(tmp_path / "missing.csv")
    finally:
        load_mod._stage_source = saved
    assert seen == ["system"] * 3
    assert pa.default_memory_pool().backend_name == before.backend_name
    assert res.data["order_id"].tolist() == ["A", "B"]  # stripped text made during the load
    assert all(r.data["order_id"].tolist() == ["A", "B"] for r in both)


def test_loads_tune_glibc_malloc_and_restore_it(tmp_path, monkeypatch):
    """On glibc a load keeps one malloc arena, no mapped blocks and no trimming (mallopt
    M_ARENA_MAX 1, M_MMAP_MAX 0, M_TRIM_THRESHOLD 2 GB); after it, the default arena limit
    and mapping are set back, with the thresholds of glibc's own adjustment (map from 32 MB,
    trim beyond 64 MB), and the free heap is given back (malloc_trim). Loads on two threads
    share one switch; a failed load restores too; malloc settings the user made
    (MALLOC_* variables, GLIBC_TUNABLES) are left alone."""
    from concurrent.futures import ThreadPoolExecutor

    from workbench.io import allocation

    path = tmp_path / "o.csv"
    path.write_text("order_id,customer_id,item_id,order_date,qty_ordered\n"
                    "A,c,i,2024-01-31,1\n", encoding="utf-8")
    calls: list[tuple] = []
    monkeypatch.setattr(allocation, "_GLIBC", (lambda p, v: calls.append((p, v)) or 1,
                                               lambda pad: calls.append(("trim", pad)) or 1))
    during = [(-8, 1), (-4, 0), (-1, 2**31 - 1)]
    after = [(-8, 0), (-4, 65_536), (-3, 32 << 20), (-1, 64 << 20), ("trim", 0)]
    wb.load_orders(path)
    assert calls == during + after
    calls.clear()
    with allocation.load_allocation():  # loads on two threads inside one switch
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(wb.load_orders, [path, path]))
        assert calls == during
    assert calls == during + after
    calls.clear()
    with pytest.raises(wb.SourceError):
        wb.load_orders(tmp_path / "missing.csv")
    assert calls == during + after
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert allocation._glibc() is None
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0")
    assert allocation._glibc() is None


def test_hash_collisions_are_not_duplicates(monkeypatch):
    """Rows whose keys share a hash but differ are grouped by their exact keys: no repeat."""
    from workbench.io import load as load_mod
    from workbench.io.schema import get_table

    df = pd.DataFrame({"order_id": ["a", "b", "a", "c"], "line_no": [1, 1, 1, 2]}).astype(
        {"order_id": "str", "line_no": "Int64"})
    monkeypatch.setattr(load_mod, "_HASH_ROWS", 0)
    monkeypatch.setattr(load_mod, "_key_hashes",
                        lambda values, key: np.array([7, 7, 7, 7], dtype=np.uint64))
    reason = load_mod._duplicate_reason(df, get_table("order_lines"), np.zeros(4, bool),
                                        np.arange(4) + 2)
    assert reason.idx.tolist() == [2]  # only the real repeat of a/1, not b/1 or c/2
    assert reason.detail.tolist() == ["order_id/line_no repeated: identical to source row 2"]


def test_key_hashes_follow_row_order_on_many_rows():
    """DuckDB returns one hash per row in row order (a million rows, several chunks)."""
    import pyarrow as pa

    from workbench.io.load import _key_hashes

    n = 1_000_000
    ids = pa.chunked_array([pa.array([f"o{i}" for i in range(k, min(k + 300_000, n))],
                                     type=pa.large_string()) for k in range(0, n, 300_000)])
    df = pd.DataFrame({"order_id": pd.arrays.ArrowStringArray(ids),
                       "line_no": pd.array(np.arange(n) % 7, dtype="Int64")})
    h = _key_hashes(df, ["order_id", "line_no"])
    assert h.dtype == np.uint64 and len(h) == n
    again = _key_hashes(df.iloc[::-1].reset_index(drop=True), ["order_id", "line_no"])
    np.testing.assert_array_equal(h, again[::-1])
    assert len(np.unique(h)) == n


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", " b", None, "中"]), st.sampled_from([1, None, 3]),
                          st.floats(allow_nan=True, allow_infinity=False, width=32)),
                min_size=1, max_size=30), st.data())
def test_raw_rows_equal_a_take_as_objects(rows, data):
    """The quarantined rows' source values, picked value by value from Arrow text of several
    chunks, equal ``iloc[rows].astype(object)``."""
    import pyarrow as pa

    from workbench.io.load import _raw_rows

    texts = [r[0] for r in rows]
    half = len(texts) // 2
    chunked = pa.chunked_array([pa.array(texts[:half], type=pa.large_string()),
                                pa.array(texts[half:], type=pa.large_string())])
    frame = pd.DataFrame({"t": pd.Series(pd.arrays.ArrowStringArray(chunked)),
                          "i": pd.array([r[1] for r in rows], dtype="Int64"),
                          "f": [r[2] for r in rows]})
    pick = np.array(sorted(data.draw(st.sets(st.integers(0, len(rows) - 1)))), dtype=np.intp)
    expected = frame.iloc[pick].astype(object).reset_index(drop=True)
    pd.testing.assert_frame_equal(_raw_rows(frame, pick), expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["SH", "BJ", "n/a", "", None, "NULL", " SZ", "GZ", "无",
                                 "tbd", "x"]), min_size=0, max_size=80),
       st.sampled_from([frozenset(), frozenset({"TBD"})]))
def test_parse_string_on_distinct_values_equals_rowwise(vals, extra):
    """A text column of few distinct values (checked on those values) parses exactly as the
    row-wise path: the same values, missing rows and no flags; a column with a value to
    strip takes the row-wise path."""
    from workbench.io import parsing

    raw = pd.Series(vals * 3, dtype="str")
    saved = parsing._PROBE_ROWS
    try:
        parsing._PROBE_ROWS = 1  # every column of two rows or more counts as repetitive
        fast = parsing.parse_string(raw, extra)
        took_fast = parsing._parse_string_distinct(raw, extra) is not None
    finally:
        parsing._PROBE_ROWS = saved
    slow = parsing.parse_string(raw, extra)
    _same(fast, slow)
    assert took_fast == (len(raw) >= 2 and " SZ" not in vals)


def test_parse_string_distinct_path_only_for_columns_of_few_values():
    """120,000 rows: three sites take the distinct path (an 'n/a' among them is missing);
    unique order ids do not (judged on the first 50,000 rows)."""
    from workbench.io import parsing

    n = 120_000
    sites = pd.Series(np.array(["SH", "BJ", "n/a"], dtype=object)[np.arange(n) % 3], dtype="str")
    p = parsing._parse_string_distinct(sites, frozenset())
    assert p is not None
    assert p.missing.sum() == n // 3 and p.values.isna().sum() == n // 3
    _same(p, parsing.parse_string(pd.Series(sites.astype(object), dtype=object)))
    ids = pd.Series([f"o{i}" for i in range(n)], dtype="str")
    assert parsing._parse_string_distinct(ids, frozenset()) is None


def test_codes_through_the_raw_distinct_table_known_answer():
    """Rows -> raw distinct values -> parsed distinct values: ' a' and 'a' are one value,
    'n/a' and a null are missing; counts and spreads worked by hand."""
    from workbench.io.parsing import _Codes, _distinct_text, na_mask

    raw = pd.Series(["a", " a", "n/a", None, "b", "a"], dtype="str")
    missing, codes, uniq = _distinct_text(raw, lambda t: na_mask(t))
    assert isinstance(codes, _Codes) and codes.table is not None
    assert uniq.tolist() == ["a", "b"]
    assert missing.tolist() == [False, False, True, True, False, False]
    assert codes.weight(2).tolist() == [3, 1]
    got = codes.spread(np.array([10.0, 20.0]), -1.0).tolist()
    assert got == [10.0, 10.0, -1.0, -1.0, 20.0, 10.0]
    plain = _distinct_text(pd.Series(["x", "y", "x"], dtype="str"), lambda t: na_mask(t))
    assert plain[1].table is None and plain[1].weight(2).tolist() == [2, 1]


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=120).map(lambda b: b.replace(b"x", b"\r").replace(
    b"y", b"\n")), st.integers(0, 40), st.sampled_from([1, 3, 7, 64]))
def test_count_bytes_equals_bytes_count(data, start, window):
    """The windowed NumPy count equals ``bytes.count`` for LF, CR and CR LF, any start and
    window (a CR LF across two windows counts once)."""
    from workbench.io import csv_records

    saved = csv_records._WINDOW
    try:
        csv_records._WINDOW = window
        for pattern in (b"\n", b"\r", b"\r\n"):
            assert csv_records._count_bytes(data, start, pattern) == data.count(pattern, start)
    finally:
        csv_records._WINDOW = saved


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["", " ", "\u3000", "\t\n", "a", " b ", None, "\u00a0", "\u200b",
                                 "\u2028x", "中"]), min_size=0, max_size=30))
def test_filled_on_arrow_text_equals_strip(vals):
    """Blank by Arrow's white space test is blank by ``str.strip`` (pandas on Arrow text)."""
    from workbench.io.readers import _filled

    s = pd.Series(vals, dtype="str")
    expected = np.array([v is not None and v.strip() != "" for v in vals], dtype=bool)
    np.testing.assert_array_equal(_filled(s), expected)
    np.testing.assert_array_equal(_filled(pd.Series(vals, dtype=object)), expected)
    np.testing.assert_array_equal(_filled(pd.Series(vals, dtype="category")), expected)


# ---------------------------------------------------------------- coded text (Categorical columns)
_POOL = ["2024-03-04", " 2024-03-04", "03/04/2024", "45000", "2024-13-01", "1,200", " 2,5",
         "3.75", "(5)", "NaN", "inf", "12 pcs", "yes", " No", "0", "是", "maybe", "n/a", "NULL",
         "", " ", "SH", " SZ", "无", "9999-12-31", "1.234,5", None]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_POOL), min_size=0, max_size=40), st.randoms(use_true_random=False),
       st.lists(st.sampled_from(["unused", "zz", "2024-01-01"]), max_size=2, unique=True))
def test_coded_text_parses_as_the_same_text(vals, rnd, unused):
    """A Categorical of strings (categories in any order, some never used) parses exactly as
    the same values as text, for every type: values, missing, unusable, issues, details,
    info; a string column comes back as text."""
    from workbench.io.parsing import parse_column

    present = [v for v in dict.fromkeys(vals) if v is not None]
    cats = [c for c in unused if c not in present] + present
    rnd.shuffle(cats)
    coded = pd.Series(pd.Categorical(vals, categories=cats))
    text = pd.Series(vals, dtype="str")
    for type_ in ("string", "date", "float", "int", "bool"):
        a, b = parse_column(coded, type_), parse_column(text, type_)
        _same(a, b)
    assert parse_column(coded, "string").values.dtype == "str"


def test_category_codes_renumber_only_when_needed():
    """Reader-made categories (first-appearance order, all used) keep their codes; others are
    renumbered as pd.factorize numbers the same values (worked by hand)."""
    from workbench.io.parsing import factorize_text

    ordered = pd.Series(pd.Categorical(["x", "y", "x", None], categories=["x", "y"]))
    codes, uniq = factorize_text(ordered)
    assert codes.tolist() == [0, 1, 0, -1] and uniq.tolist() == ["x", "y"]
    assert np.shares_memory(codes, ordered.array.codes)  # no copy
    other = pd.Series(pd.Categorical(["y", None, "x", "y"], categories=["w", "x", "y"]))
    codes, uniq = factorize_text(other)
    assert codes.tolist() == [0, -1, 1, 0] and uniq.tolist() == ["y", "x"]
    exp_codes, exp_uniq = pd.factorize(other.astype(object))
    assert codes.tolist() == exp_codes.tolist() and uniq.tolist() == list(exp_uniq)


def test_reader_codes_the_columns_that_repeat_few_values(tmp_path):
    """In 1,200 lines, sites, dates, quantities and flags repeat a few values: held as codes;
    order ids are unique: text. Other callers of the reader get text columns."""
    from workbench.io.sources import read_raw

    path = tmp_path / "orders.csv"
    _orders_csv(path, 1200)
    raw = read_raw(path, coded=True)
    coded = {c for c in raw.frame.columns if isinstance(raw.frame[c].dtype, pd.CategoricalDtype)}
    assert coded == {"line_no", "customer_id", "item_id", "order_date", "requested_date",
                     "qty_ordered", "qty_shipped", "unit_price", "filled_from_stock"}
    assert raw.frame["order_id"].dtype == "str"
    plain = read_raw(path)
    assert (plain.frame.dtypes == "str").all()
    pd.testing.assert_frame_equal(raw.frame.astype("str"), plain.frame)


def _load_or_error(path, mapping):
    try:
        return wb.load_table(path, "order_lines", mapping)
    except wb.WorkbenchError as exc:
        return f"{type(exc).__name__}: {exc}"


_DATA = Path(__file__).parent / "data"
_FILES = sorted([*_DATA.glob("corpus/*.csv"), *_DATA.glob("erp/*.csv"),
                 *_DATA.glob("mapping/*.csv"), Path(wb.data_path("samples/order_lines.csv"))])


@pytest.mark.parametrize("path", _FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_coded_and_text_columns_load_the_same(path, monkeypatch):
    """Every test CSV (dirty corpus, ERP exports, mapped files with drop rules, fill-down and
    derived columns) and the bundled sample load the same whether every column is held as
    codes or none is: loaded rows, quarantine, issues, summary, or the same error."""
    from workbench.io import readers

    yaml = path.with_suffix(".yaml")
    mapping = yaml if yaml.exists() else None
    monkeypatch.setattr(readers, "_CODED_SHARE", 0)  # every column coded
    coded = _load_or_error(path, mapping)
    monkeypatch.setattr(readers, "_CODED_SHARE", 10**12)  # none
    text = _load_or_error(path, mapping)
    if isinstance(text, str):
        assert coded == text
        return
    _assert_same_load(coded, text)
    assert str(coded.summary) == str(text.summary)


def test_coded_load_of_a_dirty_file_equals_the_text_load(tmp_path, monkeypatch):
    """1,200 lines with a negative quantity, a missing date, a bad price and flag, an
    ambiguous date and a repeated key: the same load coded and as text."""
    from workbench.io import readers

    path = tmp_path / "orders.csv"
    _orders_csv(path, 1200)
    with path.open("a", encoding="utf-8") as f:
        f.write("SO-9001,1,C1,ITM-1,03/04/2024,2024-02-01,5.0,5,abc,yes\n"
                "SO-9001,1,C1,ITM-1,2024-01-05,2024-02-01,5.0,5,1.5,no\n"
                ",,,,,,,,,\n")
    monkeypatch.setattr(readers, "_CODED_SHARE", 0)
    coded = wb.load_orders(path)
    monkeypatch.setattr(readers, "_CODED_SHARE", 10**12)
    text = wb.load_orders(path)
    _assert_same_load(coded, text)
    assert coded.summary.rows_quarantined >= 4 and len(coded.issues) >= 2


# ---------------------------------------------------------------- kept rows moved in place
@settings(max_examples=150, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=400), st.sampled_from(["f8", "M8[ns]", "i8"]))
def test_kept_rows_moved_in_place_equal_boolean_indexing(keep, dtype):
    """Runs moved to the front of the array itself give ``values[keep]`` (any runs, any
    overlap), in the same memory."""
    from workbench.io import load

    keep = np.array(keep, dtype=bool)
    values = np.arange(len(keep)).astype(dtype)
    expected = values[keep].copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
    out = load._compact(values, edges[0::2], edges[1::2])
    np.testing.assert_array_equal(out, expected)
    assert len(out) == 0 or np.shares_memory(out, values)


def test_only_the_loads_own_arrays_are_moved_in_place():
    """A caller's array, a read-only array, a strided view and two columns sharing one buffer
    are copied; a fresh array and a row of a 2-D block of the load's own are moved."""
    import pyarrow as pa

    from workbench.io import load

    own = np.arange(10.0)
    caller = np.arange(10.0)
    frozen = np.arange(10.0)
    frozen.flags.writeable = False
    base = np.arange(20.0)
    twin = np.arange(10.0)
    block = np.arange(20.0).reshape(2, 10)
    shown = block[1].view()
    shown.flags.writeable = False  # as pandas shows a block's row: read-only, NumPy's memory
    arrow = pa.array(np.arange(10.0)).to_numpy()  # Arrow's memory: never written
    arrays = [own, caller, frozen, base[::2], twin, twin, pd.array(np.arange(10), dtype="Int64"),
              block[0], shown, arrow]
    flags = load._owned(arrays, [pd.Series(caller, copy=False).array])
    assert flags == [True, False, False, False, False, False, False, True, True, False]


@pytest.mark.parametrize("fmt", ["dataframe", "parquet", "csv"])
def test_a_load_never_changes_its_sources_and_equals_the_copying_load(tmp_path, monkeypatch,
                                                                      fmt):
    """Quarantined rows among 1,200: the caller's DataFrame (its float and date columns used
    as they are) is unchanged after the load, and the load equals one that copies every
    kept row."""
    from workbench.io import load

    path = tmp_path / "orders.csv"
    _orders_csv(path, 1200)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["qty_ordered"] = pd.to_numeric(frame["qty_ordered"], errors="coerce")
    frame["order_date"] = pd.to_datetime(frame["order_date"], errors="coerce")
    source = {"dataframe": frame, "csv": path, "parquet": tmp_path / "orders.parquet"}[fmt]
    if fmt == "parquet":
        frame.to_parquet(source, index=False)
    before = frame.copy(deep=True)
    moved = wb.load_orders(source)
    pd.testing.assert_frame_equal(frame, before)
    assert moved.summary.rows_quarantined == 2 and moved.summary.balanced
    monkeypatch.setattr(load, "_owned", lambda arrays, others: [False] * len(arrays))
    copied = wb.load_orders(source)
    _assert_same_load(moved, copied)
    monkeypatch.setattr(load, "_THREADED_KEEP", 0)  # on two threads too
    monkeypatch.undo()
    monkeypatch.setattr(load, "_THREADED_KEEP", 0)
    _assert_same_load(wb.load_orders(source), copied)


def test_shipped_mappings_read_the_same_with_libyaml():
    """Every shipped mapping parses to the same document with libyaml's loader (used when
    PyYAML has it) as with the pure-Python safe loader."""
    import yaml

    from workbench.io import detect

    files = sorted(Path(wb.data_path("mappings")).glob("*.y*ml"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=detect._SAFE_LOADER) == yaml.safe_load(text), path.name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 300), max_size=200), st.sampled_from(["i1", "i2", "i4", "i8"]),
       st.integers(0, 5))
def test_counts_of_codes_equal_masked_bincount(codes, dtype, extra):
    """Counting small codes as unsigned (nulls in a last bin, cut off) equals counting the
    codes that are not null, for every code width."""
    from workbench.io.parsing import _counts

    info = np.iinfo(dtype)
    arr = np.array([c for c in codes if c <= info.max], dtype=dtype)
    width = (int(arr.max()) + 1 if len(arr) and arr.max() >= 0 else 0) + extra
    expected = np.bincount(arr[arr >= 0].astype(np.intp), minlength=width)
    np.testing.assert_array_equal(_counts(arr, width), expected)


_ARENA_CHILD = r"""
import ctypes, os, sys, threading, time
import numpy as np
import workbench as wb
libc = ctypes.CDLL("libc.so.6")
if sys.argv[2] == "load":
    wb.load_orders(sys.argv[1])

def arenas():
    r, w = os.pipe()
    saved = os.dup(2)
    os.dup2(w, 2)
    libc.malloc_stats()
    os.dup2(saved, 2)
    os.close(w)
    text = os.read(r, 1 << 20).decode()
    return text.count("Arena ")

before = arenas()
go, hold = threading.Event(), []

def work():
    hold.append(bytearray(200_000))
    go.wait()

threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(0.3)
after = arenas()
go.set()
for t in threads:
    t.join()
print(before, after)
"""


@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_after_a_load_new_threads_share_the_arenas_the_process_has(tmp_path):
    """What the allocation docs say of glibc: it fixes its arena limit the first time a
    thread needs a new arena, so after a load (whose threads needed one while the limit was
    1) four new threads share the arenas the process had; without a load they get arenas
    of their own."""
    import os
    import subprocess
    import sys

    path = tmp_path / "orders.csv"
    _orders_csv(path, 1200)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    counts = {}
    for mode in ("load", "none"):
        out = subprocess.run([sys.executable, "-c", _ARENA_CHILD, str(path), mode],
                             capture_output=True, text=True, check=True, env=env)
        counts[mode] = tuple(int(x) for x in out.stdout.split())
    before, after = counts["load"]
    assert after == before  # no new arena for the four threads
    before, after = counts["none"]
    assert after > before  # the control: without a load glibc makes them arenas


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-40_000, 80_000)), min_size=1, max_size=40),
       st.lists(st.one_of(st.none(), st.floats(allow_nan=False, width=64)), min_size=1,
                max_size=40),
       st.sampled_from(["s", "ms", "us", "ns"]), st.integers(1, 3))
def test_typed_columns_converted_in_place_equal_arrows_conversion(days, floats, unit, groups):
    """Typed columns turned into pandas' arrays from their own Arrow buffers (NaN, NaT in
    the null slots, stamps scaled to nanoseconds, integers and flags as the pandas metadata
    asks; several row groups joined in one pass) equal Arrow's cast to nanoseconds and
    ``to_pandas``; columns with a time zone, beyond the nanosecond range, whose metadata
    asks for another type, or whose nulls NumPy cannot hold take Arrow's own conversion."""
    import io
    import json
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.io.readers import read_parquet_raw, typed_in_place

    n = max(len(days), len(floats))
    per = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[unit]
    days = (days * n)[:n]
    stamps = [None if d is None else d * per + 3_600 * per // 86_400 for d in days]
    whole = [0 if d is None else d for d in days]
    flags = [None if d is None else d % 2 == 0 for d in days]
    table = pa.table({
        "stamp": pa.array(stamps, pa.timestamp(unit)),
        "qty": pa.array((floats * n)[:n], pa.float64()),
        "zoned": pa.array(stamps, pa.timestamp(unit, tz="Asia/Shanghai")),
        "far": pa.array([None] * (n - 1) + [253_402_214_400_000_000],  # 9999-12-31
                        pa.timestamp("us")),
        "nullable": pa.array((floats * n)[:n], pa.float64()),
        "line": pa.array(days, pa.int64()),             # pandas' metadata: Int64
        "count": pa.array(whole, pa.int64()),           # no null: NumPy's int64
        "holes": pa.array(days, pa.int64()),            # nulls, no metadata: Arrow's floats
        "flag": pa.array(flags, pa.bool_()),            # pandas' metadata: boolean
        "plain_flag": pa.array([d % 3 == 0 for d in whole], pa.bool_()),
        "holed_flag": pa.array(flags, pa.bool_()),      # nulls, no metadata: Arrow's objects
    })
    meta = {"columns": [{"name": c, "field_name": c, "pandas_type": p, "numpy_type": t,
                         "metadata": None}
                        for c, p, t in (("nullable", "float64", "Float64"),
                                        ("line", "int64", "Int64"),
                                        ("flag", "bool", "boolean"))],
            "index_columns": [], "column_indexes": []}
    table = table.replace_schema_metadata({b"pandas": json.dumps(meta).encode()})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=max(1, -(-n // groups)))
    path = Path(tempfile.mkdtemp()) / "t.parquet"
    path.write_bytes(sink.getvalue())
    got = read_parquet_raw(path).frame
    expected = pq.read_table(path)  # Arrow's own conversion: the fitting stamps cast first
    at = expected.schema.get_field_index("stamp")
    expected = expected.set_column(at, pa.field("stamp", pa.timestamp("ns")),
                                   expected.column(at).cast(pa.timestamp("ns")))
    pd.testing.assert_frame_equal(got, expected.to_pandas(date_as_object=False),
                                  check_exact=True)
    assert got["stamp"].dtype == "datetime64[ns]" and got["nullable"].dtype == "Float64"
    assert got["line"].dtype == "Int64" and got["flag"].dtype == "boolean"
    with pq.ParquetFile(path) as pf:  # which columns took the in-place path
        read = pf.read()
    taken = {read.column_names[i] for i in typed_in_place(read)}
    holes = any(d is None for d in days)
    one = {"stamp", "qty", "line", "count", "flag", "plain_flag"} | (
        set() if holes else {"holes", "holed_flag"})
    assert taken == one  # one chunk in its own buffer; several written once into one array


def test_columns_in_memory_that_is_not_writeable_are_left_to_arrow():
    """A column whose buffer is not writeable (memory Arrow maps from a file or shares) is
    not converted in place; the writeable one is."""
    import pyarrow as pa

    from workbench.io.readers import typed_in_place

    data = np.array([1.5, 2.5])
    frozen = pa.Array.from_buffers(pa.float64(), 2, [None, pa.py_buffer(data.tobytes())])
    own = pa.concat_arrays([pa.array([1.0, None])])
    got = typed_in_place(pa.table({"frozen": frozen, "own": own}))
    assert list(got) == [1]
    assert got[1].tolist()[0] == 1.0 and np.isnan(got[1][1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), max_size=30))
def test_present_counts_equal_pandas_count_for_every_column_type(vals):
    """The coverage count read from each array's own form equals ``Series.count()``."""
    from workbench.io.load import _present

    base = pd.Series(vals, dtype="Int64")
    forms = [base, base.astype("Float64"), base.astype("float64"),
             base.map(lambda v: None if pd.isna(v) else v > 0).astype("boolean"),
             base.astype("str").where(base.notna()).astype("str"),
             pd.Series(pd.to_datetime(base.astype("float64"), unit="D")),
             base.astype("category"), base.astype(object)]
    for form in forms:
        assert _present(form) == form.count(), form.dtype


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(-100_000, 100_000)),
                          st.one_of(st.none(), st.integers(-100_000, 100_000))), max_size=40))
def test_date_order_compared_as_integers_equals_pandas_comparison(pairs):
    """``later < earlier`` on the dates as integers equals pandas' comparison (NaT: False)."""
    from workbench.io.load import _before

    later = pd.Series(pd.to_datetime([p[0] for p in pairs], unit="D"), dtype="datetime64[ns]")
    earlier = pd.Series(pd.to_datetime([p[1] for p in pairs], unit="D"), dtype="datetime64[ns]")
    want = (later < earlier).to_numpy(dtype=bool)
    np.testing.assert_array_equal(_before(later.to_numpy(), earlier.to_numpy()), want)


def test_typed_columns_of_sliced_chunks_equal_arrows_conversion():
    """Chunks that start inside their buffers (slices) and several chunks per column
    convert as Arrow's ``to_pandas`` does (stamps cast to nanoseconds first)."""
    import pyarrow as pa

    from workbench.io.readers import typed_in_place

    stamps = pa.array([86_400 * k if k % 4 else None for k in range(30)], pa.timestamp("s"))
    floats = pa.array([k / 4 if k % 3 else None for k in range(30)], pa.float64())
    flags = pa.array([k % 2 == 0 for k in range(30)], pa.bool_())
    ints = pa.array(list(range(30)), pa.int64())
    table = pa.table({name: pa.chunked_array([a.slice(3, 10), a.slice(17, 9)])
                      for name, a in (("d", stamps), ("q", floats), ("f", flags), ("i", ints))})
    got = typed_in_place(table)
    assert sorted(got) == [0, 1, 2, 3]
    want = table.set_column(0, "d", table.column(0).cast(pa.timestamp("ns"))).to_pandas()
    for k, name in enumerate(table.column_names):
        pd.testing.assert_series_equal(pd.Series(got[k], name=name), want[name])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["bad", "odd", "late"])), min_size=1,
                max_size=8),
       st.lists(st.integers(-1, 7), max_size=300))
def test_spread_of_flags_equals_mapping_each_row(per_value, codes):
    """Per-value flags spread to rows (sparse when few rows are flagged, a take otherwise)
    equal looking each row's value up; a missing row (code -1) gets None."""
    from workbench.io.parsing import _spread

    per = np.asarray(per_value, dtype=object)
    rows = np.asarray([c for c in codes if c < len(per)] or [0], dtype=np.intp)
    got = _spread(per, rows, None)
    want = [per[c] if c >= 0 else None for c in rows]
    assert got.dtype == object and got.tolist() == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["2024-03-04", "2024-03-05", " 2024-12-31", "n/a", "", None,
                                 "soon", "2024-02-30", "45000", "03/04/2024", "31/12/2024",
                                 "4 Mar 2024"]), min_size=1, max_size=60),
       st.sampled_from(["str", "category"]))
def test_one_date_family_weighed_without_counting_rows_equals_counting(vals, dtype):
    """A column of one date family takes its weight from the rows with a date; the result,
    info included, equals counting the rows of every distinct value."""
    from workbench.io import parsing

    raw = pd.Series(vals, dtype=dtype)
    lazy_date = parsing.parse_date(raw)
    real_family = parsing._dominant_family
    try:
        parsing._dominant_family = lambda fam, weight, info, known_rows=None: real_family(
            fam, weight, info)
        date = parsing.parse_date(raw)
    finally:
        parsing._dominant_family = real_family
    _same(lazy_date, date)


@given(st.integers(0, 10**9), st.booleans(), st.sampled_from([None, ".", ","]),
       st.booleans())
def test_one_decimal_mark_decides_by_its_presence_not_its_rows(rows, comma, decimal, needed):
    """With values of only one decimal mark, the convention chosen from their row count
    equals the one chosen from their presence alone (what parsing counts then)."""
    from workbench.io.parsing import _decimal_convention

    counted = (0, rows) if comma else (rows, 0)
    present = (0, int(rows > 0)) if comma else (int(rows > 0), 0)
    assert (_decimal_convention(decimal, None, *counted, needed)
            == _decimal_convention(decimal, None, *present, needed))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=1, max_size=6),
       st.lists(st.integers(-1, 5), max_size=80))
def test_text_taken_per_row_equals_pandas_take(texts, codes):
    """Each row's text from the distinct texts (a missing one added at the end instead of a
    masked take) equals pandas' ``take`` with ``allow_fill``."""
    from workbench.io.parsing import _take_text

    table = pd.Series(texts, dtype="str").array
    rows = np.asarray([c for c in codes if c < len(texts)], dtype=np.int16)
    got = _take_text(table, rows)
    want = table.take(rows, allow_fill=True)
    assert got.dtype == want.dtype
    pd.testing.assert_extension_array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["SH", "SZ", "北京", ""])),
                         max_size=20), min_size=1, max_size=4),
       st.sampled_from(["int8", "int16", "int32", "int64"]), st.integers(0, 3))
def test_coded_text_of_any_chunks_equals_arrows_conversion(chunks, index, cut):
    """A dictionary text column (chunks with nulls, sliced, any index width) becomes the
    Categorical Arrow's ``to_pandas`` makes, its codes in pandas' own width."""
    import pyarrow as pa

    from workbench.io.readers import _coded_text

    kind = pa.dictionary(getattr(pa, index)(), pa.string())
    parts = [pa.array(c, type=pa.string()).dictionary_encode().cast(kind) for c in chunks]
    parts = [p.slice(min(cut, len(p))) for p in parts]
    column = pa.chunked_array(parts, type=kind)
    got = _coded_text(column)
    want = pd.Series(column.to_pandas()).astype(object)
    assert pd.Series(got).astype(object).equals(want)
    assert got.codes.dtype == pd.Categorical.from_codes(
        np.zeros(0, dtype=np.int64), categories=got.categories).codes.dtype or len(got) == 0


def test_empty_chunks_without_buffers_convert_as_arrow_does():
    """A chunk of no rows may carry no buffers at all (Arrow allows it): coded text and typed
    columns with one still convert as Arrow's ``to_pandas`` does."""
    import pyarrow as pa

    from workbench.io.readers import _coded_text, typed_in_place

    kind = pa.dictionary(pa.int32(), pa.string())
    bare = pa.DictionaryArray.from_buffers(kind, 0, [None, None], dictionary=pa.array(["a"]))
    text = pa.chunked_array([bare, pa.array(["a", None, "b"]).dictionary_encode()], type=kind)
    assert _coded_text(text).tolist() == ["a", np.nan, "b"]
    columns = {"q": (pa.float64(), [1.5, None]), "f": (pa.bool_(), [True, False]),
               "i": (pa.int64(), [3, 4]), "d": (pa.timestamp("us"), [86_400_000_000, None])}
    table = pa.table({name: pa.chunked_array([pa.Array.from_buffers(t, 0, [None, None]),
                                              pa.array(vals, t)], type=t)
                      for name, (t, vals) in columns.items()})
    want = table.set_column(3, "d", table.column(3).cast(pa.timestamp("ns"))).to_pandas()
    got = typed_in_place(table)  # converts in the table's own buffers: Arrow's result first
    assert sorted(got) == [0, 1, 2, 3]
    for k, name in enumerate(table.column_names):
        pd.testing.assert_series_equal(pd.Series(got[k], name=name), want[name])
