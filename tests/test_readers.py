"""Raw readers: encodings, delimiters, field counts, header detection, row numbers."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.io.readers import (
    detect_encoding,
    find_header_row,
    sniff_delimiter,
)
from workbench.io.sources import read_raw


def test_blank_lines_quotes_and_ragged_records(tmp_path):
    f = tmp_path / "mixed.csv"
    f.write_text('a,b,c\n"x,y",2,3\n\n"multi\nline",5,6\r\n7,8\n9,10,11\n', encoding="utf-8")
    raw = read_raw(f)
    # records: 2 "x,y" ok, 3 blank, 4 multi-line ok, 5 too short, 6 ok
    assert raw.source_row.tolist() == [2, 4, 6]
    assert raw.frame["a"].tolist() == ["x,y", "multi\nline", "9"]
    assert dict(zip(raw.rejected["source_row"], raw.rejected["reason"], strict=True)) == {
        3: "empty_row", 5: "malformed_row"}


@pytest.mark.parametrize(("data", "enc"), [
    ("订单号,数量\n".encode("gbk"), "gb18030"),
    ("\ufeffid,qty\n".encode(), "utf-8-sig"),
    (b"id,qty\n", "utf-8"),
    ("订单号\n".encode(), "utf-8"),
])
def test_detect_encoding(data, enc):
    assert detect_encoding(data) == enc


def test_sniff_delimiter():
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("a|b\n1|2\n") == "|"
    assert sniff_delimiter('a,b\n"1;2",3\n') == ","


def test_header_row_found_below_a_title_block():
    rows = [["Export of 2024-04-01", None], [None, None], ["订单号", "数量"], ["A", 1]]
    assert find_header_row(rows, {"订单号", "数量"}) == 2


def test_source_rows_count_records_not_lines(tmp_path):
    f = tmp_path / "multi.csv"
    f.write_text('id,note\n1,"two\nlines"\n2,plain\n', encoding="utf-8")
    raw = read_raw(f)
    assert raw.source_row.tolist() == [2, 3]
    assert raw.frame["note"].tolist() == ["two\nlines", "plain"]


def test_title_block_in_csv(tmp_path):
    f = tmp_path / "title.csv"
    f.write_text("Sales export\nprinted 2024-04-01\norder_id,customer_id,qty_ordered\nA,C,1\n")
    raw = read_raw(f, known_headers={"order_id", "customer_id", "qty_ordered"})
    assert raw.meta["header_row"] == 3
    assert raw.source_row.tolist() == [4]


def test_ragged_path_matches_fast_path_on_good_rows(tmp_path):
    good = "a,b\n1,2\n3,4\n"
    (tmp_path / "g.csv").write_text(good)
    (tmp_path / "r.csv").write_text(good + "5\n")
    g, r = read_raw(tmp_path / "g.csv"), read_raw(tmp_path / "r.csv")
    assert g.frame.equals(r.frame)
    assert np.array_equal(g.source_row, r.source_row)
    assert r.rejected["source_row"].tolist() == [4]
